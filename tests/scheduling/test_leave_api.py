"""The leave API: settings and kind rules per institution, an employee's balance, openings and
adjustments (HR in scope), the caller's own balance, and service_start on the employee API. The
same services as the pages: the same refusals, in the JSON error envelope, and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AuditEvent
from scheduling.models import DocumentRule, Kind, KindRule, LeaveAdjustment, LeaveOpening, LeaveSettings
from scheduling.services import leave_adjust, leave_opening_set
from tests.factories import HRAdminScopeFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 10:00 WIB
pytestmark = pytest.mark.now(NOW, tick=False)
LEAVE_VERBS = ("leave_settings.saved", "kind_rule.saved", "leave_opening.set", "leave.adjusted")


@pytest.fixture
def hr_city(pemkot):
    user = UserFactory(username="hr_kota")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status_code
    return body["error"]


def leave_events():
    return AuditEvent.objects.filter(verb__in=LEAVE_VERBS)


def settings_url(unit) -> str:
    return f"/api/v1/leave/institutions/{unit.pk}/"


def rules_url(unit) -> str:
    return f"/api/v1/leave/institutions/{unit.pk}/kind-rules/"


def balance_url(employee, tail: str = "") -> str:
    return f"/api/v1/leave/employees/{employee.pk}/{tail}"


# --- Settings -------------------------------------------------------------------------------------


def test_it_names_the_official_through_the_service(hr_city, pemkot, kadis):
    client = api(hr_city)
    before = client.get(settings_url(pemkot)).json()
    assert (before["official"], before["grantor"], before["first_year"]) == (None, None, 2026)
    response = client.put(settings_url(pemkot), {"official": kadis.pk, "first_year": 2026}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["official"]["id"] == response.json()["grantor"]["id"] == kadis.pk
    assert LeaveSettings.objects.get(institution=pemkot).official == kadis
    event = leave_events().get()
    assert (event.verb, event.actor, event.after["official"]) == ("leave_settings.saved", hr_city, kadis.pk)


def test_it_refuses_an_official_of_another_institution_and_a_year_out_of_range(hr_city, pemkot, outsider):
    client = api(hr_city)
    error = error_of(client.put(settings_url(pemkot), {"official": outsider.pk, "first_year": 2026},
                                format="json"), 400)
    assert list(error["fields"]) == ["official"]
    error = error_of(client.put(settings_url(pemkot), {"first_year": 2030}, format="json"), 400)
    assert error["fields"] == {"first_year": ["Tahun antara 2000 dan 2027."]}
    assert not LeaveSettings.objects.exists() and not leave_events().exists()


def test_it_refuses_an_inactive_official_with_the_pages_message(hr_city, pemkot, kadis):
    kadis.is_active = False
    kadis.save(update_fields=["is_active"])
    error = error_of(api(hr_city).put(settings_url(pemkot), {"official": kadis.pk, "first_year": 2026},
                                      format="json"), 400)
    assert error["fields"] == {"official": ["Pejabat harus pegawai aktif di instansi ini."]}


def test_it_answers_404_to_hr_outside_the_institution(hr, hr_other, kabid, pemkot):
    for user in (hr, hr_other):  # hr administers a dinas inside pemkot, not pemkot itself
        client = api(user)
        error_of(client.get(settings_url(pemkot)), 404)
        error_of(client.put(settings_url(pemkot), {"first_year": 2026}, format="json"), 404)
        error_of(client.put(rules_url(pemkot), {"rules": []}, format="json"), 404)
    error_of(api(kabid.user).get(settings_url(pemkot)), 404)  # not HR at all
    assert not leave_events().exists()


def test_it_lists_the_institutions_of_the_scope(hr, hr_city, pemkot):
    assert api(hr_city).get("/api/v1/leave/institutions/").json()[0]["editable"] is True
    rows = api(hr).get("/api/v1/leave/institutions/").json()
    assert [(r["institution"]["id"], r["editable"]) for r in rows] == [(pemkot.pk, False)]


# --- Kind rules -----------------------------------------------------------------------------------


def test_it_lists_every_kind_with_the_defaults(hr_city, pemkot):
    rows = {r["kind"]: r for r in api(hr_city).get(rules_url(pemkot)).json()}
    assert set(rows) == set(Kind.values)
    assert rows["CS"] == {"kind": "CS", "kind_label": "Cuti sakit", "needs_official": True,
                          "document": "after_first_day", "document_label": "Surat keterangan dokter",
                          "configured": False}


def test_it_saves_kind_rules_through_the_service(hr_city, pemkot, kadis):
    pemkot.head = kadis
    pemkot.save(update_fields=["head"])
    body = {"rules": [{"kind": "CAP", "needs_official": True, "document": "always",
                       "document_label": "Surat keterangan"},
                      {"kind": "DL", "needs_official": False, "document": "always", "document_label": "Surat tugas"}]}
    response = api(hr_city).put(rules_url(pemkot), body, format="json")
    assert response.status_code == 200, response.content
    assert {r["kind"]: r["configured"] for r in response.json()}["CAP"] is True
    # DL asked for what it already had by default: nothing to save, nothing audited.
    assert list(KindRule.objects.values_list("kind", flat=True)) == ["CAP"]
    assert list(leave_events().values_list("verb", flat=True)) == ["kind_rule.saved"]


def test_it_saves_no_rule_when_one_is_refused(hr_city, pemkot, kadis):
    pemkot.head = kadis
    pemkot.save(update_fields=["head"])
    body = {"rules": [{"kind": "CAP", "needs_official": False, "document": "none"},
                      {"kind": "DIKLAT", "needs_official": False, "document": "always", "document_label": " "},
                      {"kind": "IZIN", "needs_official": True, "document": "none"}]}
    error = error_of(api(hr_city).put(rules_url(pemkot), body, format="json"), 400)
    assert error["fields"] == {
        "rules.1.document_label": ["Sebutkan nama dokumennya, mis. Surat keterangan dokter."],
        "rules.2.needs_official": ["Hanya cuti yang diputus pejabat yang berwenang memberikan cuti."]}
    assert not KindRule.objects.exists() and not leave_events().exists()


def test_it_refuses_a_chain_no_official_can_decide(hr_city, pemkot):
    body = {"rules": [{"kind": "CLTN", "needs_official": True, "document": "always", "document_label": "Surat"}]}
    error = error_of(api(hr_city).put(rules_url(pemkot), body, format="json"), 400)
    assert error["fields"]["rules.0.needs_official"][0].startswith("Belum ada yang dapat memutus")
    assert not KindRule.objects.exists()


def test_it_refuses_the_same_kind_twice(hr_city, pemkot):
    body = {"rules": [{"kind": "SAKIT", "needs_official": False, "document": "none"}] * 2}
    error = error_of(api(hr_city).put(rules_url(pemkot), body, format="json"), 400)
    assert error["fields"] == {"rules": ["Setiap jenis hanya boleh muncul sekali."]}


# --- Balances ------------------------------------------------------------------------------------


def test_hr_reads_a_balance_in_scope_and_nobody_else(hr, hr_other, kabid, ani):
    leave_opening_set(actor=hr, employee=ani, year=2026, days=14, note="Buku cuti")
    leave_adjust(actor=hr, employee=ani, year=2026, days=-2, reason="Koreksi catatan")
    body = api(hr).get(balance_url(ani)).json()
    assert body["years"] == [{"year": 2026, "entitlement": 12, "carried": 0, "opening": 14, "adjustments": -2,
                              "available": 12, "used": 0, "remaining": 12}]
    assert [(a["days"], a["reason"], a["created_by"]) for a in body["adjustments"]] == [(-2, "Koreksi catatan",
                                                                                         "hr_dinkes")]
    assert body["openings"][0]["note"] == "Buku cuti"
    error_of(api(hr_other).get(balance_url(ani)), 404)
    error_of(api(kabid.user).get(balance_url(ani)), 404)  # a supervisor is not HR


def test_it_sets_an_opening_and_refuses_a_future_year(hr, ani):
    client = api(hr)
    error = error_of(client.post(balance_url(ani, "opening/"), {"year": 2027, "days": 12}, format="json"), 400)
    assert error["fields"] == {"year": ["Tahun antara 2000 dan 2026: saldo tahun yang belum tiba belum dapat "
                                        "ditetapkan."]}
    assert not LeaveOpening.objects.exists() and not leave_events().exists()
    response = client.post(balance_url(ani, "opening/"), {"year": 2026, "days": 16, "note": "Impor"}, format="json")
    assert response.status_code == 201 and response.json()["years"][0]["remaining"] == 16
    assert list(leave_events().values_list("verb", flat=True)) == ["leave_opening.set"]


def test_it_adjusts_and_refuses_going_below_zero(hr, ani):
    client = api(hr)
    error = error_of(client.post(balance_url(ani, "adjustments/"), {"year": 2026, "days": -13, "reason": "x"},
                                 format="json"), 400)
    assert error["fields"] == {"days": [
        "Saldo 2026 tidak boleh di bawah nol: hak 12 hari, terpakai atau diajukan 0, sisa 12; pengurangan paling "
        "banyak 12 hari."]}
    error = error_of(client.post(balance_url(ani, "adjustments/"), {"year": 2026, "days": 1}, format="json"), 400)
    assert error["fields"] == {"reason": ["Alasan penyesuaian wajib diisi."]}
    assert not LeaveAdjustment.objects.exists() and not leave_events().exists()
    response = client.post(balance_url(ani, "adjustments/"), {"year": 2026, "days": 1, "reason": "Cuti bersama"},
                           format="json")
    assert response.status_code == 201 and response.json()["years"][0]["available"] == 13
    event = leave_events().get()
    assert (event.verb, event.actor, event.after["reason"]) == ("leave.adjusted", hr, "Cuti bersama")


def test_the_page_and_the_api_refuse_alike(client, hr, ani):
    api_error = error_of(api(hr).post(balance_url(ani, "adjustments/"), {"year": 2026, "days": 0, "reason": "x"},
                                      format="json"), 400)
    client.force_login(hr)
    page = client.post(reverse("scheduling:leave-employee", kwargs={"employee_id": ani.pk}), {
        "form": "penyesuaian", "penyesuaian-year": "2026", "penyesuaian-days": "0", "penyesuaian-reason": "x"})
    assert page.context["adjustment"].errors["days"] == api_error["fields"]["days"]


def test_the_page_and_the_api_show_the_same_years(client, hr, ani):
    leave_adjust(actor=hr, employee=ani, year=2026, days=3, reason="Cuti bersama")
    client.force_login(hr)
    page = client.get(reverse("scheduling:leave-employee", kwargs={"employee_id": ani.pk})).context["data"]
    body = api(hr).get(balance_url(ani)).json()
    assert [(b.year, b.available, b.remaining) for b in page.years] == [
        (b["year"], b["available"], b["remaining"]) for b in body["years"]]


def test_the_employee_reads_their_own_balance(ani, hr):
    leave_opening_set(actor=hr, employee=ani, year=2026, days=10)
    body = api(ani.user).get("/api/v1/leave/me/").json()
    assert body["employee"]["id"] == ani.pk and body["years"][0]["remaining"] == 10
    error_of(api(hr).get("/api/v1/leave/me/"), 404)  # an HR-only account has no balance
    error_of(api(ani.user).post(balance_url(ani, "adjustments/"), {"year": 2026, "days": 5, "reason": "x"},
                                format="json"), 404)  # nor may anyone adjust their own


# --- service_start on the employee API ---------------------------------------------------------


def test_hr_records_the_start_of_service(hr, ani):
    client = api(hr)
    response = client.patch(f"/api/v1/employees/{ani.pk}/", {"service_start": "2015-05-01"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["service_start"] == "2015-05-01"
    ani.refresh_from_db()
    assert ani.service_start == dt.date(2015, 5, 1)
    event = AuditEvent.objects.filter(verb="employee.updated").latest("pk")
    assert event.after["service_start"] == "2015-05-01"
    error = error_of(client.patch(f"/api/v1/employees/{ani.pk}/", {"service_start": "kemarin"}, format="json"), 400)
    assert list(error["fields"]) == ["service_start"]


def test_the_schema_documents_the_leave_endpoints(hr):
    schema = api(hr).get("/api/schema/?format=json").json()
    for path in ("/api/v1/leave/institutions/{id}/", "/api/v1/leave/institutions/{id}/kind-rules/",
                 "/api/v1/leave/employees/{id}/", "/api/v1/leave/employees/{id}/opening/",
                 "/api/v1/leave/employees/{id}/adjustments/", "/api/v1/leave/me/"):
        assert path in schema["paths"], path
    assert "service_start" in schema["components"]["schemas"]["EmployeeWrite"]["properties"]
    document = schema["components"]["schemas"]["KindRuleInput"]["properties"]["document"]
    enum = schema["components"]["schemas"][document["$ref"].rsplit("/", 1)[1]]["enum"]
    assert set(enum) == set(DocumentRule.values)
