"""The scheduling HR/team API: coverage policies with their sources, FWA windows, the team
presence calendar and the history of a request day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from portal.models import AuditEvent
from scheduling import services
from scheduling.models import CoveragePolicy, FwaWindow, Kind, RequestDay, Status
from tests.factories import EmployeeFactory

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday
MONDAY = dt.date(2026, 12, 7)
POLICIES = "/api/v1/policies/"
EFFECTIVE = "/api/v1/policies/effective/"
FWA = "/api/v1/fwa-windows/"
TEAM = "/api/v1/team/"

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user, language: str = "id") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status_code
    return body["error"]


@pytest.fixture
def dinkes_policy(dinkes):
    return CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2026, 1, 1), min_office_share=60,
                                        blackout_dates=["2026-12-31"])


def wfh(employee, *days: dt.date) -> list[int]:
    result = services.request_submit(actor=employee.user, kind=Kind.WFH, dates=list(days))
    return [d.pk for d in result.days]


# --- Policies --------------------------------------------------------------------------------


def test_it_adds_a_policy_to_a_unit_and_audits_it(hr, bidang_p2p):
    response = client_for(hr).post(POLICIES, {"unit": bidang_p2p.pk, "effective_from": "2026-12-01",
                                              "weekly_cap": 1, "mandatory_weekdays": [0],
                                              "essential": [{"jabatan": "Bendahara", "min_in_office": 1}]},
                                   format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["weekly_cap"] == 1 and body["min_office_share"] is None
    assert body["essential"] == [{"jabatan": "Bendahara", "min_in_office": 1}]
    event = AuditEvent.objects.get(verb="coverage_policy.created")
    assert event.actor == hr and event.unit == bidang_p2p and event.after["weekly_cap"] == 1


def test_it_shows_each_effective_value_with_the_unit_that_sets_it(hr, dinkes, bidang_p2p, dinkes_policy):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 6, 1), weekly_cap=1)
    body = client_for(hr).get(EFFECTIVE, {"unit": bidang_p2p.pk, "date": "2026-12-07"}).json()
    (row,) = body["results"]
    assert row["values"]["min_office_share"] == 60 and row["values"]["weekly_cap"] == 1
    assert row["sources"]["min_office_share"]["id"] == dinkes.pk
    assert row["sources"]["weekly_cap"]["id"] == bidang_p2p.pk
    assert row["sources"]["mode"] is None and row["values"]["mode"] == "block"  # the national default
    before = client_for(hr).get(EFFECTIVE, {"unit": bidang_p2p.pk, "date": "2026-05-01"}).json()["results"][0]
    assert before["values"]["weekly_cap"] == 2 and before["sources"]["weekly_cap"] is None


def test_it_replaces_a_policy_row_with_before_and_after_in_the_audit(hr, dinkes_policy):
    response = client_for(hr).put(f"{POLICIES}{dinkes_policy.pk}/", {"effective_from": "2026-01-01",
                                                                     "min_office_share": 50}, format="json")
    assert response.status_code == 200, response.content
    dinkes_policy.refresh_from_db()
    assert dinkes_policy.min_office_share == 50 and dinkes_policy.blackout_dates is None
    event = AuditEvent.objects.get(verb="coverage_policy.updated")
    assert (event.before["min_office_share"], event.after["min_office_share"]) == (60, 50)


def test_it_refuses_bad_policy_values_in_the_envelope_and_in_english(hr, bidang_p2p):
    events = AuditEvent.objects.count()
    payload = {"unit": bidang_p2p.pk, "effective_from": "2026-12-01", "min_office_share": 150,
               "weekday_min_share": {"9": 50}}
    error = error_of(client_for(hr).post(POLICIES, payload, format="json"), 400)
    assert set(error["fields"]) == {"min_office_share", "weekday_min_share"}
    assert error["message"] == "Data yang dikirim tidak valid."
    english = error_of(client_for(hr, "en").post(POLICIES, payload, format="json"), 400)
    assert english["fields"]["min_office_share"] == ["Must be between 0 and 100."]
    assert english["message"] == "The submitted data is not valid."
    assert not CoveragePolicy.objects.exists() and AuditEvent.objects.count() == events


def test_it_refuses_a_second_row_with_the_same_start(hr, dinkes, dinkes_policy):
    before = AuditEvent.objects.count()
    error = error_of(client_for(hr).post(POLICIES, {"unit": dinkes.pk, "effective_from": "2026-01-01",
                                                    "weekly_cap": 1}, format="json"), 400)
    assert list(error["fields"]) == ["effective_from"]
    assert CoveragePolicy.objects.count() == 1 and AuditEvent.objects.count() == before


def test_it_keeps_policies_inside_the_hr_scope(hr_other, ani, bidang_p2p, dinkes_policy):
    error = error_of(client_for(hr_other).post(POLICIES, {"unit": bidang_p2p.pk, "effective_from": "2026-12-01"},
                                               format="json"), 400)
    assert list(error["fields"]) == ["unit"]
    error_of(client_for(hr_other).get(f"{POLICIES}{dinkes_policy.pk}/"), 404)
    error_of(client_for(hr_other).put(f"{POLICIES}{dinkes_policy.pk}/", {"effective_from": "2026-01-01"},
                                      format="json"), 404)
    error_of(client_for(hr_other).get(EFFECTIVE, {"unit": bidang_p2p.pk}), 404)
    assert client_for(hr_other).get(POLICIES).json()["count"] == 0
    for url in (POLICIES, EFFECTIVE, f"{POLICIES}{dinkes_policy.pk}/"):
        error_of(client_for(ani.user).get(url), 404)
    dinkes_policy.refresh_from_db()
    assert dinkes_policy.min_office_share == 60 and CoveragePolicy.objects.count() == 1


# --- FWA windows -----------------------------------------------------------------------------


def test_it_opens_an_fwa_window_that_approves_waiting_days(hr, bidang_p2p, kabid, ani):
    waiting = wfh(ani, MONDAY)
    response = client_for(hr).post(FWA, {"name": "SE MenPAN-RB 9/2026", "start": "2026-12-07", "end": "2026-12-08",
                                         "units": [bidang_p2p.pk]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pending"] == 1 and body["auto_approved"] == 1
    assert body["item"]["units"][0]["id"] == bidang_p2p.pk
    assert RequestDay.objects.get(pk=waiting[0]).status == Status.APPROVED
    assert AuditEvent.objects.filter(verb="fwa_window.opened", actor=hr).exists()
    assert client_for(hr).get(FWA, {"active_on": "2026-12-08"}).json()["count"] == 1


def test_it_refuses_bad_fwa_windows_and_writes_nothing(hr, hr_other, ani, bidang_p2p):
    events = AuditEvent.objects.count()
    error = error_of(client_for(hr, "en").post(FWA, {"name": "X", "start": "2026-12-08", "end": "2026-12-07",
                                                     "units": [bidang_p2p.pk]}, format="json"), 400)
    assert error["fields"] == {"end": ["The end date cannot be before the start date."]}
    error = error_of(client_for(hr_other).post(FWA, {"name": "X", "start": "2026-12-07", "end": "2026-12-07",
                                                     "units": [bidang_p2p.pk]}, format="json"), 400)
    assert list(error["fields"]) == ["units"]
    error_of(client_for(ani.user).post(FWA, {"name": "X", "start": "2026-12-07", "end": "2026-12-07",
                                             "units": [bidang_p2p.pk]}, format="json"), 404)
    assert not FwaWindow.objects.exists() and AuditEvent.objects.count() == events


def test_it_lists_fwa_windows_in_scope_only(hr, hr_other, bidang_p2p):
    window = services.fwa_window_open(actor=hr, name="SE", start=MONDAY, end=MONDAY, units=[bidang_p2p]).window
    assert [w["id"] for w in client_for(hr).get(FWA).json()["results"]] == [window.pk]
    assert client_for(hr_other).get(FWA).json()["count"] == 0
    error_of(client_for(hr_other).get(f"{FWA}{window.pk}/"), 404)


# --- Team calendar ---------------------------------------------------------------------------


def test_it_shows_the_supervisor_who_is_in_without_the_kind(kabid, ani, budi, bidang_p2p):
    services.request_day_approve(actor=kabid.user, day_id=wfh(ani, MONDAY)[0])
    body = client_for(kabid.user).get(TEAM, {"month": "2026-12"}).json()
    assert body["unit"]["id"] == bidang_p2p.pk and body["show_kinds"] is False
    monday = next(d for d in body["days"] if d["date"] == MONDAY.isoformat())
    assert monday["away"] == [{"employee_id": ani.pk, "name": ani.name, "kind": None}]
    assert {p["employee_id"] for p in monday["present"]} == {kabid.pk, budi.pk}
    assert "2026-12-25" not in {d["date"] for d in body["days"]}  # Christmas: not a working day


def test_it_shows_hr_the_kind_of_absence(hr, kabid, ani, bidang_p2p):
    services.request_day_approve(actor=kabid.user, day_id=wfh(ani, MONDAY)[0])
    body = client_for(hr).get(TEAM, {"unit": bidang_p2p.pk, "month": "2026-12"}).json()
    monday = next(d for d in body["days"] if d["date"] == MONDAY.isoformat())
    assert body["show_kinds"] is True and monday["away"][0]["kind"] == "WFH"


def test_it_hides_the_team_calendar_from_others(ani, kabid, outsider, pemprov_lain, bidang_p2p):
    error_of(client_for(ani.user).get(TEAM), 404)
    error_of(client_for(outsider.user).get(TEAM, {"unit": bidang_p2p.pk}), 404)
    error_of(client_for(kabid.user).get(TEAM, {"unit": pemprov_lain.pk}), 404)
    error = error_of(client_for(kabid.user).get(TEAM, {"month": "2026-13"}), 400)
    assert list(error["fields"]) == ["month"]


# --- History of a request day ----------------------------------------------------------------


def test_it_tells_the_employee_who_decided_their_day_and_as_whom(ani, kabid, plh, outsider):
    day_id = wfh(ani, MONDAY)[0]
    services.request_day_approve(actor=plh.user, day_id=day_id)
    history = client_for(ani.user).get(f"/api/v1/requests/{day_id}/history/").json()
    assert [e["verb"] for e in history] == ["request.submitted", "request_day.approved"]
    assert history[0]["actor"] == ani.name
    assert history[1]["actor"] == plh.name and history[1]["acting_for"] == "Plh. Kepala Bidang P2P"
    assert history[1]["label"] == "Disetujui"
    error_of(client_for(outsider.user).get(f"/api/v1/requests/{day_id}/history/"), 404)


def test_it_answers_404_for_the_history_of_someone_elses_day(ani, budi):
    other = EmployeeFactory(unit=budi.unit, supervisor=budi.supervisor)
    day_id = wfh(other, MONDAY)[0]
    error_of(client_for(ani.user).get(f"/api/v1/requests/{day_id}/history/"), 404)
