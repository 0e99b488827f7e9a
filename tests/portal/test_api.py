"""The API conventions: token auth, /me/, scoped HR resources, one error envelope, OpenAPI."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from portal.models import AsnType
from tests.conftest import PASSWORD
from tests.factories import EmployeeFactory, UnitFactory

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
BAD_LOGIN_ID = "Nama pengguna/NIP atau kata sandi salah, atau akun tidak aktif."


class CrashView(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internals /etc/passwd")


# Used only by the test marked with pytest.mark.urls(__name__).
urlpatterns = [path("crash/", CrashView.as_view())]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()  # the login throttle counts in the cache; tests must not share counts
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status_code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


# --- token -------------------------------------------------------------------------


def test_it_issues_a_token_by_username_that_authenticates_me(api, ani):
    response = api.post(TOKEN_URL, {"username": "ani", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=ani.user).key

    me = APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["nip"] == ani.nip


def test_it_issues_a_token_by_nip_typed_with_spaces(api, ani):
    assert " " in ani.nip_display
    response = api.post(TOKEN_URL, {"username": ani.nip_display, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=ani.user).key


def test_it_refuses_a_wrong_password_in_the_envelope(api, ani):
    response = api.post(TOKEN_URL, {"username": "ani", "password": "salah"}, format="json")
    error = error_of(response, 400)
    assert error["code"] == "invalid"
    assert error["message"] == BAD_LOGIN_ID
    assert not Token.objects.filter(user=ani.user).exists()


def test_it_refuses_a_wrong_password_in_english_when_asked(api, ani):
    response = api.post(TOKEN_URL, {"username": ani.nip, "password": "salah"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en")
    error = error_of(response, 400)
    assert error["message"] == "Wrong username/NIP or password, or the account is inactive."


def test_it_refuses_an_inactive_account(api, ani):
    ani.user.is_active = False
    ani.user.save(update_fields=["is_active"])
    response = api.post(TOKEN_URL, {"username": "ani", "password": PASSWORD}, format="json")
    assert error_of(response, 400)["message"] == BAD_LOGIN_ID


def test_it_names_missing_fields(api, db):
    error = error_of(api.post(TOKEN_URL, {}, format="json"), 400)
    assert error["message"] == "Data yang dikirim tidak valid."
    assert set(error["fields"]) == {"username", "password"}
    assert all(isinstance(m, str) for msgs in error["fields"].values() for m in msgs)


def test_it_revokes_the_callers_token(api, ani):
    token = api.post(TOKEN_URL, {"username": "ani", "password": PASSWORD}, format="json").json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(user=ani.user).exists()

    error = error_of(client.get(ME_URL), 401)
    assert error["code"] == "authentication_failed"
    assert error["message"] == "Kredensial tidak valid atau sudah kedaluwarsa."


def test_it_refuses_revoking_without_login(api, db):
    assert error_of(api.delete(TOKEN_URL), 401)["code"] == "not_authenticated"


def test_it_throttles_logins_per_ip_with_retry_after(api, ani, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth_token": "2/min"}}
    for _ in range(2):
        assert api.post(TOKEN_URL, {"username": "ani", "password": "salah"}, format="json").status_code == 400
    # A forged X-Forwarded-For does not buy a fresh allowance (no NUM_PROXIES configured).
    forged = api.post(TOKEN_URL, {"username": "ani", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429
    response = api.post(TOKEN_URL, {"username": "ani", "password": PASSWORD}, format="json")
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert 0 < error["retry_after"] <= 60
    assert response["Retry-After"] == str(error["retry_after"])
    assert str(error["retry_after"]) in error["message"]
    # Another client address is counted separately.
    other = api.post(TOKEN_URL, {"username": "ani", "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_it_throttles_logins_even_without_a_configured_rate(api, ani, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    # A different unknown username each time: the per-account lockout (django-axes) stays out of the way.
    codes = [api.post(TOKEN_URL, {"username": f"tidak-ada-{n}", "password": "x"}, format="json").status_code
             for n in range(21)]
    assert codes[:20] == [400] * 20
    assert codes[20] == 429


# --- /me/ --------------------------------------------------------------------------


def test_it_answers_401_in_the_envelope_to_anonymous(api, db):
    response = api.get(ME_URL)
    error = error_of(response, 401)
    assert error["code"] == "not_authenticated"
    assert error["message"] == "Anda harus masuk terlebih dahulu."
    assert response["WWW-Authenticate"] == "Token"
    english = error_of(api.get(ME_URL, HTTP_ACCEPT_LANGUAGE="en"), 401)
    assert english["message"] == "You must sign in first."


def test_it_describes_an_employee(ani):
    body = as_user(ani.user).get(ME_URL).json()
    assert body["username"] == "ani"
    assert body["language"] == "id"
    assert body["employee_id"] == ani.pk
    assert body["nip"] == ani.nip
    assert body["nip_display"] == ani.nip_display
    assert body["name"] == "Ani Lestari"
    assert body["unit"] == {"id": ani.unit_id, "name": "Bidang P2P", "code": "DINKES-P2P",
                            "time_zone": "Asia/Jakarta"}
    assert body["supervisor"] == {"id": ani.supervisor.pk, "name": "Kepala Bidang P2P", "nip": ani.supervisor.nip}
    assert body["roles"] == ["employee"]
    assert body["acting_for"] == []


def test_it_gives_the_inherited_or_own_unit_time_zone(upt):
    nurse = EmployeeFactory(unit=upt)
    assert as_user(nurse.user).get(ME_URL).json()["unit"]["time_zone"] == "Asia/Makassar"


def test_it_describes_a_supervisor(kabid, ani):
    body = as_user(kabid.user).get(ME_URL).json()
    assert body["roles"] == ["employee", "supervisor"]
    assert body["supervisor"]["name"] == "Kepala Dinas"


def test_it_describes_a_plh_and_whom_they_act_for(plh, kabid):
    body = as_user(plh.user).get(ME_URL).json()
    assert body["roles"] == ["employee", "supervisor"]
    [acting] = body["acting_for"]
    assert acting["kind"] == "plh"
    assert acting["title"] == "Plh. Kepala Bidang P2P"
    assert acting["delegator"] == {"id": kabid.pk, "name": "Kepala Bidang P2P", "jabatan": "Kepala Bidang P2P"}
    assert acting["start"] < acting["end"]


def test_it_describes_an_hr_account_without_employee(hr):
    body = as_user(hr).get(ME_URL).json()
    assert body["roles"] == ["hr_admin"]
    assert body["nip"] is None and body["name"] is None and body["unit"] is None and body["supervisor"] is None


def test_it_describes_a_superuser(superuser):
    body = as_user(superuser).get(ME_URL).json()
    assert body["roles"] == ["superuser"]
    assert body["unit"] is None


def test_it_accepts_session_auth(ani):
    client = APIClient()
    assert client.login(username="ani", password=PASSWORD)
    assert client.get(ME_URL).json()["name"] == "Ani Lestari"


def test_it_rejects_a_session_write_without_csrf(ani):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="ani", password=PASSWORD)
    error = error_of(client.delete(TOKEN_URL), 403)
    assert error["code"] == "csrf_failed"


def test_it_answers_405_in_the_envelope(ani):
    error = error_of(as_user(ani.user).put(ME_URL, {}, format="json"), 405)
    assert error["code"] == "method_not_allowed"
    assert "PUT" in error["message"]


@pytest.mark.urls(__name__)
def test_it_hides_an_unexpected_error_behind_a_500_envelope(api, caplog):
    response = api.get("/crash/")
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert b"passwd" not in response.content and b"Traceback" not in response.content
    assert any("passwd" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)  # kept for operators


# --- units -------------------------------------------------------------------------


def test_it_lists_the_units_in_an_hr_scope(hr, pemkot, bidang_p2p, upt, pemprov_lain):
    body = as_user(hr).get("/api/v1/units/").json()
    assert body["count"] == 3
    by_code = {u["code"]: u for u in body["results"]}
    assert set(by_code) == {"DINKES", "DINKES-P2P", "DINKES-UPT1"}
    assert by_code["DINKES-P2P"]["parent"] == {"id": bidang_p2p.parent_id, "code": "DINKES",
                                               "name": "Dinas Kesehatan"}
    assert by_code["DINKES-P2P"]["time_zone"] == "Asia/Jakarta"
    assert by_code["DINKES-P2P"]["time_zone_inherited"] is True
    assert by_code["DINKES-UPT1"]["time_zone"] == "Asia/Makassar"
    assert by_code["DINKES-UPT1"]["time_zone_inherited"] is False


def test_it_hides_units_outside_the_scope(hr_other, dinkes, pemprov_lain):
    client = as_user(hr_other)
    codes = [u["code"] for u in client.get("/api/v1/units/").json()["results"]]
    assert codes == ["PEMPROV-X"]
    error = error_of(client.get(f"/api/v1/units/{dinkes.pk}/"), 404)
    assert error["code"] == "not_found"
    assert error["message"] == "Data tidak ditemukan."
    assert client.get(f"/api/v1/units/{pemprov_lain.pk}/").json()["code"] == "PEMPROV-X"


def test_it_gives_employees_without_hr_scope_no_units(ani):
    assert as_user(ani.user).get("/api/v1/units/").json()["count"] == 0


def test_it_filters_units_by_subtree_kind_and_text(hr, bidang_p2p, upt, superuser, pemprov_lain):
    client = as_user(superuser)
    codes = lambda q: sorted(u["code"] for u in client.get(f"/api/v1/units/?{q}").json()["results"])  # noqa: E731
    assert codes(f"within={bidang_p2p.parent_id}") == ["DINKES", "DINKES-P2P", "DINKES-UPT1"]
    assert codes(f"parent={bidang_p2p.parent_id}") == ["DINKES-P2P", "DINKES-UPT1"]
    assert codes("kind=upt") == ["DINKES-UPT1"]
    assert codes("q=puskesmas") == ["DINKES-UPT1"]
    assert codes("kind=instansi") == ["PEMKOT", "PEMPROV-X"]


def test_it_resolves_unit_time_zones_without_a_query_per_unit(superuser, dinkes):
    client = as_user(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/units/")
    for i in range(6):
        UnitFactory(parent=dinkes, code=f"EXTRA-{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/units/").json()["count"] == 8
    assert len(many) == len(few)


# --- employees ---------------------------------------------------------------------


def test_it_lists_the_employees_in_an_hr_scope(hr, ani, budi, plh, outsider):
    body = as_user(hr).get("/api/v1/employees/").json()
    names = [e["name"] for e in body["results"]]
    assert names == ["Ani Lestari", "Budi Santoso", "Citra Plh", "Kepala Bidang P2P", "Kepala Dinas"]
    ani_row = body["results"][0]
    assert ani_row["nip"] == ani.nip
    assert ani_row["nip_display"] == ani.nip_display
    assert ani_row["unit"] == {"id": ani.unit_id, "code": "DINKES-P2P", "name": "Bidang P2P"}
    assert ani_row["supervisor"] == {"id": ani.supervisor_id, "name": "Kepala Bidang P2P"}
    assert body["results"][-1]["supervisor"] is None


def test_it_hides_employees_outside_the_scope(hr_other, ani, outsider):
    client = as_user(hr_other)
    assert [e["name"] for e in client.get("/api/v1/employees/").json()["results"]] == ["Orang Luar"]
    assert error_of(client.get(f"/api/v1/employees/{ani.pk}/"), 404)["code"] == "not_found"
    assert client.get(f"/api/v1/employees/{outsider.pk}/").json()["nip"] == outsider.nip


def test_it_gives_plain_employees_no_employee_list_and_404_on_detail(ani, budi):
    client = as_user(ani.user)
    assert client.get("/api/v1/employees/").json()["results"] == []
    error_of(client.get(f"/api/v1/employees/{budi.pk}/"), 404)


def test_it_filters_employees_by_unit_subtree_type_activity_and_text(hr, dinkes, bidang_p2p, kadis, ani, budi, plh):
    budi.is_active = False
    budi.save(update_fields=["is_active"])
    contract = EmployeeFactory(name="Dewi Kontrak", unit=bidang_p2p, asn_type=AsnType.PPPK)
    client = as_user(hr)

    def names(query):
        response = client.get(f"/api/v1/employees/?{query}")
        assert response.status_code == 200, response.content
        return sorted(e["name"] for e in response.json()["results"])

    assert names(f"unit={dinkes.pk}") == ["Kepala Dinas"]
    assert names(f"unit={dinkes.pk}&subtree=true") == sorted(
        ["Kepala Dinas", "Kepala Bidang P2P", "Ani Lestari", "Budi Santoso", "Citra Plh", "Dewi Kontrak"])
    assert names("asn_type=PPPK") == [contract.name]
    assert names("is_active=false") == ["Budi Santoso"]
    assert names("q=budi") == ["Budi Santoso"]
    assert names(f"q={ani.nip_display}") == ["Ani Lestari"]
    assert names(f"supervisor={kadis.pk}") == ["Kepala Bidang P2P"]


def test_it_refuses_filtering_by_a_unit_outside_the_scope(hr, ani, pemprov_lain):
    error = error_of(as_user(hr).get(f"/api/v1/employees/?unit={pemprov_lain.pk}"), 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["unit"]


def test_it_paginates_employees(hr, ani, budi, plh):
    client = as_user(hr)
    first = client.get("/api/v1/employees/?page_size=2").json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    third = client.get("/api/v1/employees/?page_size=2&page=3").json()
    assert [e["name"] for e in third["results"]] == ["Kepala Dinas"] and third["next"] is None
    error = error_of(client.get("/api/v1/employees/?page=9"), 404)
    assert error["message"] == "Halaman tidak ditemukan."


def test_it_lists_employees_in_constant_queries(superuser, ani, bidang_p2p):
    client = as_user(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/employees/")
    EmployeeFactory.create_batch(8, unit=bidang_p2p, supervisor=ani)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/employees/").json()["count"] == 11
    assert len(many) == len(few)


# --- OpenAPI -----------------------------------------------------------------------


def test_it_serves_a_valid_openapi_schema_with_the_error_envelope(api, db):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/units/", "/api/v1/employees/{id}/"} <= set(
        schema["paths"])
    assert "Error" in schema["components"]["schemas"]
    not_found = schema["paths"]["/api/v1/employees/{id}/"]["get"]["responses"]["404"]
    assert not_found["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert not_found["content"]["application/json"]["examples"]
    assert "Retry-After" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]["headers"]


def test_it_renders_swagger_ui_from_local_static_files(api, db):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert "/static/drf_spectacular_sidecar/" in html
    for external in ("cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert external not in html, external
