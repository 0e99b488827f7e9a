"""The attendance API: check in/out (201/200, token auth, throttling), scoped day statuses, corrections."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from attendance.models import Correction, CorrectionStatus, DayStatus, Punch
from attendance.services.day_status import compute_day_statuses
from attendance.services.presence import punch_check_in
from portal.models import AuditEvent, Unit
from tests.factories import EmployeeFactory

WIB = ZoneInfo("Asia/Jakarta")
TUESDAY = dt.date(2026, 12, 1)
WEDNESDAY = dt.date(2026, 12, 2)
CHECK_IN = "/api/v1/attendance/check-in/"
CHECK_OUT = "/api/v1/attendance/check-out/"
LIST = "/api/v1/attendance/"
CORRECTIONS = "/api/v1/attendance/corrections/"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _frozen():
    cache.clear()  # throttle counts live in the cache
    with time_machine.travel(at(WEDNESDAY, 7, 12), tick=False) as clock:
        yield clock
    cache.clear()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    return response.json()["error"]


# --- Check in / out -------------------------------------------------------------------------


def test_it_answers_201_then_200_with_the_same_record(ani, _frozen):
    client = token_client(ani.user)
    first = client.post(CHECK_IN, {"latitude": -6.2, "longitude": 106.8, "accuracy": 15}, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["check_in_at"] == "2026-12-02T07:12:00+07:00"
    assert (body["local_time"], body["time_zone"], body["date"], body["work_mode"]) == ("07:12", "WIB",
                                                                                        "2026-12-02", "WFO")
    assert body["check_out_at"] is None and body["flagged"] is False and body["distance_m"] is None
    _frozen.move_to(at(WEDNESDAY, 7, 30))
    again = client.post(CHECK_IN, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["check_in_at"] == body["check_in_at"]
    assert Punch.objects.get().source == "api"


def test_it_checks_out_and_reports_the_distance_in_a_wita_unit(upt, _frozen):
    nurse = EmployeeFactory(unit=upt)
    Unit.objects.filter(pk=upt.pk).update(latitude=-5.147665, longitude=119.432732, radius_m=100)
    client = token_client(nurse.user)
    client.post(CHECK_IN, {}, format="json")
    _frozen.move_to(at(WEDNESDAY, 15, 5))  # 16:05 WITA
    response = client.post(CHECK_OUT, {"latitude": -5.1480, "longitude": 119.432732, "accuracy": 5}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["check_out_at"] == "2026-12-02T16:05:00+08:00"
    assert (body["local_time"], body["check_in_local"], body["time_zone"]) == ("16:05", "08:12", "WITA")
    assert 35 < body["distance_m"] < 40
    assert body["flagged"] is True  # no location at check-in on a WFO day


def test_it_requires_a_token_or_session(db):
    assert error_of(APIClient().post(CHECK_IN), 401)["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert error_of(bad.post(CHECK_IN), 401)["code"] == "authentication_failed"


def test_it_refuses_accounts_without_an_employee(hr):
    assert error_of(token_client(hr).post(CHECK_IN), 403)["code"] == "permission_denied"
    assert not Punch.objects.exists()


def test_it_refuses_invalid_coordinates_in_the_envelope(ani):
    error = error_of(token_client(ani.user).post(CHECK_IN, {"latitude": 95, "longitude": 10}, format="json"), 400)
    assert error["fields"] == {"location": ["Koordinat lokasi di luar jangkauan."]}
    error = error_of(token_client(ani.user).post(CHECK_IN, {"latitude": "utara"}, format="json"), 400)
    assert "latitude" in error["fields"]
    assert not Punch.objects.exists()


def test_it_throttles_check_ins_per_user_with_429(ani, budi, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "check_in": "2/min"}}
    client = token_client(ani.user)
    assert [client.post(CHECK_IN).status_code for _ in range(2)] == [201, 200]
    response = client.post(CHECK_OUT)
    error = error_of(response, 429)
    assert error["code"] == "throttled" and 0 < error["retry_after"] <= 60
    assert response["Retry-After"] == str(error["retry_after"])
    assert token_client(budi.user).post(CHECK_IN).status_code == 201  # counted per user
    assert Punch.objects.get(employee=ani).check_out_at is None


# --- Day statuses ---------------------------------------------------------------------------


@pytest.fixture
def week(ani, budi, kabid, outsider, _frozen):
    """Statuses for Mon 30 Nov – Tue 1 Dec for the cast; ani punched late on Tuesday."""
    _frozen.move_to(at(TUESDAY, 8, 5))
    punch_check_in(actor=ani.user)
    _frozen.move_to(at(WEDNESDAY, 7, 12))
    compute_day_statuses([ani, budi, kabid, outsider], dt.date(2026, 11, 30), TUESDAY)


def listed(client, **params) -> set[tuple[str, str]]:
    response = client.get(LIST, {"start": "2026-11-30", "end": "2026-12-01", **params})
    assert response.status_code == 200, response.content
    return {(row["employee"]["name"], row["date"]) for row in response.json()["results"]}


def names(rows) -> set[str]:
    return {name for name, _ in rows}


def test_it_lists_own_rows_with_punch_times(ani, week):
    response = token_client(ani.user).get(LIST, {"start": "2026-11-30", "end": "2026-12-01"})
    body = response.json()
    assert body["count"] == 2 and set(body) >= {"count", "next", "previous", "results"}
    tuesday = body["results"][0]  # newest first
    assert tuesday["date"] == "2026-12-01"
    assert (tuesday["code"], tuesday["tl_level"], tuesday["tl_minutes"]) == ("TL_PSW", 2, 35)
    assert tuesday["check_in_at"] == "2026-12-01T08:05:00+07:00" and tuesday["time_zone"] == "WIB"
    assert tuesday["missing_out"] is True and tuesday["corrected_check_in_at"] is None
    assert body["results"][1]["code"] == "TK"


@pytest.mark.parametrize(("who", "expected"), [
    ("ani", {"Ani Lestari"}),
    ("kabid", {"Kepala Bidang P2P", "Ani Lestari", "Budi Santoso"}),
    ("outsider", {"Orang Luar"}),
    ("hr_other", {"Orang Luar"}),
    ("kadis", {"Kepala Bidang P2P"}),
])
def test_it_scopes_the_list_like_the_pages(request, week, who, expected):
    person = request.getfixturevalue(who)
    assert names(listed(as_user(getattr(person, "user", person)))) == expected


def test_it_shows_the_plh_the_reports_of_the_official_they_act_for(plh, week):
    assert names(listed(as_user(plh.user))) >= {"Ani Lestari", "Budi Santoso"}


def test_it_shows_hr_their_subtree_and_superusers_everything(hr, superuser, week):
    assert names(listed(as_user(hr))) == {"Ani Lestari", "Budi Santoso", "Kepala Bidang P2P"}
    assert "Orang Luar" in names(listed(as_user(superuser)))


def test_it_filters_by_employee_and_unit(hr, ani, bidang_p2p, dinkes, outsider, week):
    client = as_user(hr)
    assert names(listed(client, employee=ani.pk)) == {"Ani Lestari"}
    assert listed(client, employee=outsider.pk) == set()  # outside the scope: nothing, not an error
    assert listed(client, unit=dinkes.pk) == set()
    assert len(listed(client, unit=dinkes.pk, subtree="true")) == 6
    assert names(listed(client, unit=bidang_p2p.pk, code="TK")) == {"Ani Lestari", "Budi Santoso",
                                                                    "Kepala Bidang P2P"}


def test_it_limits_the_range_to_62_days(ani):
    client = as_user(ani.user)
    error = error_of(client.get(LIST, {"start": "2026-09-01", "end": "2026-12-01"}), 400)
    assert "end" in error["fields"]
    assert error_of(client.get(LIST, {"start": "2026-12-02", "end": "2026-12-01"}), 400)["fields"]["end"]
    assert client.get(LIST, {"start": "2026-10-01", "end": "2026-12-01"}).status_code == 200  # 62 days


def test_it_defaults_to_this_month_so_far(ani, week):
    response = as_user(ani.user).get(LIST)
    assert [row["date"] for row in response.json()["results"]] == ["2026-12-01"]


# --- Corrections ----------------------------------------------------------------------------


def propose(employee, **extra) -> dict:
    response = token_client(employee.user).post(CORRECTIONS, {"date": "2026-12-01", "check_in": "07:25",
                                                              "reason": "Jaringan putus.", **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_it_proposes_and_the_supervisor_approves(ani, kabid, week):
    created = propose(ani)
    assert created["status"] == "pending" and created["check_in_at"] == "2026-12-01T07:25:00+07:00"
    assert created["original_check_in_at"] == "2026-12-01T08:05:00+07:00" and created["time_zone"] == "WIB"
    response = as_user(kabid.user).post(f"{CORRECTIONS}{created['id']}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "Kepala Bidang P2P"
    row = as_user(ani.user).get(LIST, {"start": "2026-12-01", "end": "2026-12-01"}).json()["results"][0]
    assert row["corrected_check_in_at"] == "2026-12-01T07:25:00+07:00" and row["tl_level"] is None


def test_it_requires_a_reason_to_reject_by_api(ani, kabid):
    created = propose(ani)
    url = f"{CORRECTIONS}{created['id']}/reject/"
    assert "reason" in error_of(as_user(kabid.user).post(url, {}, format="json"), 400)["fields"]
    response = as_user(kabid.user).post(url, {"reason": "Tidak ada gangguan."}, format="json")
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Tidak ada gangguan."


@pytest.mark.parametrize("who", ["budi", "outsider", "kadis", "hr"])
def test_it_answers_404_to_those_who_do_not_decide(request, ani, who):
    created = propose(ani)
    person = request.getfixturevalue(who)
    error = error_of(as_user(getattr(person, "user", person)).post(f"{CORRECTIONS}{created['id']}/approve/"), 404)
    assert error["code"] == "not_found"
    assert Correction.objects.get().status == CorrectionStatus.PENDING


def test_it_lists_corrections_by_scope(ani, budi, kabid, hr, hr_other):
    propose(ani)
    propose(budi)
    assert len(as_user(ani.user).get(CORRECTIONS).json()["results"]) == 1
    assert len(as_user(kabid.user).get(CORRECTIONS, {"status": "pending"}).json()["results"]) == 2
    assert len(as_user(hr).get(CORRECTIONS).json()["results"]) == 2
    assert as_user(hr_other).get(CORRECTIONS).json()["results"] == []
    other = Correction.objects.get(employee=budi).pk
    assert error_of(as_user(ani.user).get(f"{CORRECTIONS}{other}/"), 404)["code"] == "not_found"


def test_it_withdraws_only_own_pending_corrections(ani, budi):
    created = propose(ani)
    url = f"{CORRECTIONS}{created['id']}/withdraw/"
    error_of(as_user(budi.user).post(url), 404)
    assert as_user(ani.user).post(url).json()["status"] == "withdrawn"
    assert "status" in error_of(as_user(ani.user).post(url), 400)["fields"]


def test_it_refuses_a_future_day_and_a_second_pending_proposal(ani):
    client = as_user(ani.user)
    error = error_of(client.post(CORRECTIONS, {"date": "2026-12-03", "check_in": "07:25", "reason": "x"},
                                 format="json"), 400)
    assert error["fields"]["date"] == ["Perbaikan hanya untuk hari yang sudah berjalan."]
    propose(ani)
    error_of(client.post(CORRECTIONS, {"date": "2026-12-01", "check_out": "16:00", "reason": "y"},
                         format="json"), 400)


def test_it_accepts_evidence_by_multipart_checked_by_content(ani, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(ani.user)
    fake = SimpleUploadedFile("bukti.pdf", b"<html>not a pdf</html>")
    error = error_of(client.post(CORRECTIONS, {"date": "2026-12-01", "check_in": "07:25", "reason": "x",
                                               "evidence": fake}, format="multipart"), 400)
    assert "evidence" in error["fields"]
    good = SimpleUploadedFile("bukti.pdf", b"%PDF-1.7 ...")
    response = client.post(CORRECTIONS, {"date": "2026-12-01", "check_in": "07:25", "reason": "x",
                                         "evidence": good}, format="multipart")
    assert response.status_code == 201
    assert response.json()["evidence_url"] == f"/presensi/perbaikan/{response.json()['id']}/bukti/"


def test_it_lets_hr_correct_directly_in_scope_only(ani, hr, hr_other, week):
    body = {"employee": ani.pk, "date": "2026-11-30", "check_in": "07:20", "check_out": "16:00",
            "reason": "Server padam."}
    assert error_of(as_user(hr_other).post(f"{CORRECTIONS}hr/", body, format="json"), 404)["code"] == "not_found"
    response = as_user(hr).post(f"{CORRECTIONS}hr/", body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert DayStatus.objects.get(employee=ani, date=dt.date(2026, 11, 30)).code == "HADIR"
    assert AuditEvent.objects.filter(verb="correction.applied", actor=hr).count() == 1
    assert error_of(as_user(ani.user).post(f"{CORRECTIONS}hr/", body, format="json"), 404)


def test_it_documents_the_attendance_endpoints(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [CHECK_IN, CHECK_OUT, LIST, CORRECTIONS, f"{CORRECTIONS}{{id}}/approve/",
                 f"{CORRECTIONS}{{id}}/reject/", f"{CORRECTIONS}{{id}}/withdraw/", f"{CORRECTIONS}hr/"]:
        assert path in paths, path
    check_in = paths[CHECK_IN]["post"]["responses"]
    assert {"200", "201", "401", "429"} <= set(check_in)
    assert {p["name"] for p in paths[LIST]["get"]["parameters"]} >= {"employee", "unit", "subtree", "start", "end"}
