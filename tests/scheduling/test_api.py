"""The scheduling API: submit/preview, scoped lists, decisions, bulk, coverage, inbox."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal import facts
from portal.models import AuditEvent, Delegation, DelegationKind
from scheduling import selectors
from scheduling.models import CoveragePolicy, Kind, Mode, RequestDay, Status, WorkRequest
from tests.factories import EmployeeFactory, UnitFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday
MONDAY = dt.date(2026, 12, 7)
REQUESTS = "/api/v1/requests/"
PREVIEW = "/api/v1/requests/preview/"
DECIDE = "/api/v1/requests/decide/"
COVERAGE = "/api/v1/coverage/"
INBOX = "/api/v1/inbox/"

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def day(n: int) -> str:
    return (MONDAY + dt.timedelta(days=n)).isoformat()


def submit(employee, *dates: str, **extra):
    return client_for(employee.user).post(REQUESTS, {"kind": "WFH", "dates": list(dates), **extra}, format="json")


def submitted_id(employee, *dates: str) -> int:
    response = submit(employee, *dates)
    assert response.status_code == 201, response.content
    return response.json()["items"][0]["id"]


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status_code
    return body["error"]


def approve(user, day_id: int, **body):
    return client_for(user).post(f"{REQUESTS}{day_id}/approve/", body, format="json")


# --- Submitting ----------------------------------------------------------------------

def test_it_submits_one_day(team, ani):
    response = submit(ani, day(0))
    assert response.status_code == 201, response.content
    body = response.json()
    (item,) = body["items"]
    assert item["date"] == day(0) and item["status"] == "pending" and item["verdicts"] == []
    assert body["blocked"] == [] and body["skipped"] == []
    saved = RequestDay.objects.get(pk=item["id"])
    assert saved.request_id == body["request"] and saved.employee == ani and saved.kind == Kind.WFH


def test_it_expands_a_range_and_says_why_the_weekend_is_skipped(team, ani):
    response = client_for(ani.user).post(REQUESTS, {"kind": "WFH", "start": day(3), "end": day(7)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["date"] for i in body["items"]] == [day(3), day(4), day(7)]  # Thu, Fri, next Mon
    assert body["skipped"] == [{"date": day(5), "reason": "akhir pekan"}, {"date": day(6), "reason": "akhir pekan"}]


def test_it_skips_holidays_in_a_weekday_pattern(team, ani):
    response = client_for(ani.user).post(
        REQUESTS, {"kind": "WFH", "start": "2026-12-01", "end": "2026-12-31", "weekdays": [4]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["date"] for i in body["items"]] == ["2026-12-04", "2026-12-11", "2026-12-18"]
    assert body["skipped"] == [{"date": "2026-12-25", "reason": "Hari Raya Natal"}]


def test_it_refuses_a_blocked_day_with_per_day_reasons_and_saves_nothing(team, kabid):
    first, second, third = team[1], team[2], team[3]
    for person in (first, second):
        assert approve(kabid.user, submitted_id(person, day(0))).status_code == 200
    response = client_for(third.user).post(REQUESTS, {"kind": "WFH", "dates": [day(0), day(1)]}, format="json")
    error = error_of(response, 400)
    assert error["code"] == "request_blocked"
    monday, tuesday = error["days"]
    assert monday["date"] == day(0) and monday["blocked"]
    assert monday["verdicts"][0]["rule"] == "coverage"
    assert "2 dari 5" in monday["verdicts"][0]["message"] and "minimal 3" in monday["verdicts"][0]["message"]
    assert not tuesday["blocked"]
    assert not WorkRequest.objects.filter(employee=third).exists()
    assert not RequestDay.objects.filter(employee=third).exists()


def test_it_refuses_a_weekend_only_request_saying_why(team, ani):
    error = error_of(submit(ani, day(5), day(6)), 400)
    assert error["code"] == "request_blocked" and error["days"] == []
    assert [s["reason"] for s in error["skipped"]] == ["akhir pekan", "akhir pekan"]
    body = client_for(ani.user).post(PREVIEW, {"kind": "WFH", "dates": [day(5)]}, format="json").json()
    assert body["ok"] is False and body["days"] == [] and len(body["skipped"]) == 1


def test_it_refuses_a_week_over_the_weekly_cap(team, ani):
    response = client_for(ani.user).post(REQUESTS, {"kind": "WFH", "start": day(0), "end": day(4)}, format="json")
    error = error_of(response, 400)
    blocked = {d["date"]: [v["rule"] for v in d["verdicts"]] for d in error["days"] if d["blocked"]}
    assert blocked == {day(2): ["weekly_cap"], day(3): ["weekly_cap"], day(4): ["weekly_cap"]}
    assert not RequestDay.objects.filter(employee=ani).exists()


def test_it_saves_the_passing_days_with_skip_blocked(team, ani):
    response = client_for(ani.user).post(
        REQUESTS, {"kind": "WFH", "start": day(0), "end": day(4), "skip_blocked": True}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["date"] for i in body["items"]] == [day(0), day(1)]
    assert [b["date"] for b in body["blocked"]] == [day(2), day(3), day(4)]
    assert RequestDay.objects.filter(employee=ani).count() == 2


def test_it_reports_service_field_errors_as_400(team, ani):
    response = client_for(ani.user).post(REQUESTS, {"kind": "WFA", "dates": [day(0)]}, format="json")
    error = error_of(response, 400)
    assert "location" in error["fields"]
    assert not RequestDay.objects.exists()


def test_it_answers_403_to_a_caller_without_an_employee(team, hr):
    error_of(client_for(hr).post(REQUESTS, {"kind": "WFH", "dates": [day(0)]}, format="json"), 403)


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "NAP", "dates": ["2026-12-07"]}, "kind"),
    ({"kind": "WFH", "dates": ["2026-13-07"]}, "dates.0"),
    ({"kind": "WFH", "dates": ["2026-12-07"], "reason": "a\x00b"}, "reason"),
    ({"kind": "WFH", "dates": ["2026-12-07"], "location": "x" * 256}, "location"),
    ({"kind": "WFH", "start": "2026-12-07", "end": "2026-12-31", "weekdays": [7]}, "weekdays.0"),
    ({"kind": "WFH", "start": "2026-12-07", "end": "2027-12-31"}, "end"),
    ({"kind": "WFH", "start": "2026-12-07"}, "end"),
    ({"kind": "WFH", "dates": ["2026-12-07"], "start": "2026-12-07", "end": "2026-12-08"}, "dates"),
    ({"kind": "WFH", "dates": [(dt.date(2027, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(187)]},
     "dates"),
])
def test_it_validates_input_strictly(team, ani, body, field):
    error = error_of(client_for(ani.user).post(REQUESTS, body, format="json"), 400)
    assert field in error["fields"], error
    assert not WorkRequest.objects.exists()


def test_it_refuses_another_office_outside_the_institution(team, ani, pemprov_lain):
    response = client_for(ani.user).post(
        REQUESTS, {"kind": "KANTOR_LAIN", "dates": [day(0)], "other_office": pemprov_lain.pk}, format="json")
    assert "other_office" in error_of(response, 400)["fields"]


# --- Preview -------------------------------------------------------------------------

def test_it_previews_days_with_nearest_passing_days_without_saving(team, ani):
    response = client_for(ani.user).post(PREVIEW, {"kind": "WFH", "start": day(0), "end": day(4)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is False
    by_date = {d["date"]: d for d in body["days"]}
    assert not by_date[day(0)]["blocked"] and by_date[day(0)]["nearest"] == []
    assert by_date[day(2)]["blocked"]
    # Monday and Tuesday already fill the week's cap of 2, so no day of that week is suggested: the
    # nearest days that pass *together with them* are in the weeks before and after.
    assert by_date[day(2)]["nearest"] == ["2026-12-03", "2026-12-04", "2026-12-14"]
    assert not WorkRequest.objects.exists()


# --- Lists ---------------------------------------------------------------------------

@pytest.fixture
def two_days(team, ani, budi):
    return submitted_id(ani, day(0)), submitted_id(budi, day(1))


def listed(user, query: str = "") -> list[int]:
    response = client_for(user).get(REQUESTS + query)
    assert response.status_code == 200, response.content
    return sorted(r["id"] for r in response.json()["results"])


def test_it_scopes_the_list_to_the_caller(two_days, ani, kabid, outsider, hr, hr_other, kadis):
    ani_day, budi_day = two_days
    assert listed(ani.user) == [ani_day]
    assert listed(kabid.user) == sorted(two_days)
    assert listed(kadis.user) == []  # decides for kabid only, not for kabid's reports
    assert listed(outsider.user) == []
    assert listed(hr) == sorted(two_days)
    assert listed(hr_other) == []


def test_it_filters_the_list(two_days, kabid, ani, hr, dinkes, bidang_p2p):
    ani_day, budi_day = two_days
    assert listed(kabid.user, f"?employee={ani.pk}") == [ani_day]
    assert listed(kabid.user, "?mine=true") == []
    assert listed(kabid.user, f"?start={day(1)}") == [budi_day]
    assert listed(kabid.user, f"?date_to={day(0)}") == [ani_day]
    assert listed(kabid.user, "?status=approved") == []
    assert listed(kabid.user, "?status=pending&kind=WFH") == sorted(two_days)
    assert listed(hr, f"?unit={dinkes.pk}") == []
    assert listed(hr, f"?unit={dinkes.pk}&subtree=true") == sorted(two_days)
    assert listed(hr, f"?unit={bidang_p2p.pk}") == sorted(two_days)
    assert "status" in error_of(client_for(hr).get(REQUESTS + "?status=maybe"), 400)["fields"]


def count_queries(user, url: str) -> int:
    """The queries of a request that reads the rule facts afresh (as after a change: portal.facts),
    so two counts compare the same work."""
    facts.forget()
    with CaptureQueriesContext(connection) as queries:
        assert client_for(user).get(url).status_code == 200
    return len(queries)


def test_it_lists_and_inboxes_without_n_plus_one(two_days, hr, kabid, team):
    count_queries(hr, REQUESTS)  # warm process-wide caches (content types) before counting
    list_before = count_queries(hr, REQUESTS)
    for person in team[3:]:
        submitted_id(person, day(2))
    assert count_queries(hr, REQUESTS) == list_before
    assert client_for(hr).get(REQUESTS).json()["count"] == 4
    # The inbox checks each card as its approval would: the facts are read once per person on the
    # page, so more days of the same people cost no more queries.
    inbox_before = count_queries(kabid.user, INBOX)
    for n, person in enumerate(team[1:], start=7):
        submitted_id(person, day(n % 2 + 7))
    assert client_for(kabid.user).get(INBOX).json()["count"] == 8
    assert count_queries(kabid.user, INBOX) == inbox_before


def test_it_shows_one_day_in_scope_and_404_outside(two_days, ani, outsider):
    ani_day, budi_day = two_days
    response = client_for(ani.user).get(f"{REQUESTS}{ani_day}/")
    assert response.status_code == 200 and response.json()["employee"]["name"] == "Ani Lestari"
    error_of(client_for(ani.user).get(f"{REQUESTS}{budi_day}/"), 404)
    error_of(client_for(outsider.user).get(f"{REQUESTS}{ani_day}/"), 404)


# --- Decisions -----------------------------------------------------------------------

def test_it_approves_once_even_when_clicked_twice(team, ani, kabid):
    day_id = submitted_id(ani, day(0))
    first = approve(kabid.user, day_id)
    assert first.status_code == 200
    assert first.json()["changed"] is True and first.json()["item"]["status"] == "approved"
    assert first.json()["item"]["decided_by"] == "kabid"
    second = approve(kabid.user, day_id)
    assert second.status_code == 200 and second.json()["changed"] is False
    assert AuditEvent.objects.filter(verb="request_day.approved", object_id=str(day_id)).count() == 1


def test_it_requires_a_reason_to_reject(team, ani, kabid):
    day_id = submitted_id(ani, day(0))
    url = f"{REQUESTS}{day_id}/reject/"
    assert "reason" in error_of(client_for(kabid.user).post(url, {"reason": "  "}, format="json"), 400)["fields"]
    response = client_for(kabid.user).post(url, {"reason": "Rapat koordinasi."}, format="json")
    assert response.status_code == 200
    assert response.json()["item"]["status"] == "rejected"
    assert response.json()["item"]["decision_reason"] == "Rapat koordinasi."


def test_it_answers_404_to_a_supervisor_of_another_unit(team, ani, dinkes, outsider):
    other_unit = UnitFactory(parent=dinkes, name="Bidang Lain")
    other_boss = EmployeeFactory(unit=other_unit, user=UserFactory(username="bos_lain"))
    EmployeeFactory(unit=other_unit, supervisor=other_boss)
    day_id = submitted_id(ani, day(0))
    for user in (other_boss.user, outsider.user):
        error_of(approve(user, day_id), 404)
        error_of(client_for(user).post(f"{REQUESTS}{day_id}/reject/", {"reason": "x"}, format="json"), 404)
    # The employee cannot approve their own day either.
    error_of(approve(ani.user, day_id), 404)
    assert RequestDay.objects.get(pk=day_id).status == Status.PENDING


def test_it_answers_409_with_verdicts_when_approval_would_break_the_minimum(team, kabid):
    ids = [submitted_id(person, day(0)) for person in team[1:4]]  # pending days are not counted
    assert approve(kabid.user, ids[0]).status_code == 200
    assert approve(kabid.user, ids[1]).status_code == 200
    error = error_of(approve(kabid.user, ids[2]), 409)
    assert error["code"] == "decision_blocked"
    assert error["verdicts"][0]["rule"] == "coverage"
    assert "2 dari 5" in error["message"]
    assert RequestDay.objects.get(pk=ids[2]).status == Status.PENDING


def test_it_requires_a_reason_to_approve_over_a_warning(team, kabid, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.WARN)
    first, second, third = team[1], team[2], team[3]
    for person in (first, second):
        assert approve(kabid.user, submitted_id(person, day(0))).status_code == 200
    assert "justification" in error_of(submit(third, day(0)), 400)["fields"]
    response = submit(third, day(0), justification="Jadwal piket sudah diatur.")
    assert response.status_code == 201
    day_id = response.json()["items"][0]["id"]
    error = error_of(approve(kabid.user, day_id), 400)
    assert "reason" in error["fields"] and error["verdicts"][0]["severity"] == "warn"
    assert approve(kabid.user, day_id, reason="Ada piket pengganti.").json()["item"]["status"] == "approved"


def test_it_withdraws_a_pending_day(team, ani, kabid):
    day_id = submitted_id(ani, day(0))
    url = f"{REQUESTS}{day_id}/withdraw/"
    error_of(client_for(kabid.user).post(url), 404)  # not the supervisor's to withdraw
    response = client_for(ani.user).post(url)
    assert response.status_code == 200 and response.json()["item"]["status"] == "withdrawn"
    assert "status" in error_of(client_for(ani.user).post(url), 400)["fields"]
    assert AuditEvent.objects.filter(verb="request_day.withdrawn", object_id=str(day_id)).count() == 1


def test_it_cancels_an_approved_future_day(team, ani, kabid):
    day_id = submitted_id(ani, day(0))
    url = f"{REQUESTS}{day_id}/cancel/"
    assert "status" in error_of(client_for(ani.user).post(url), 400)["fields"]  # still pending
    approve(kabid.user, day_id)
    response = client_for(ani.user).post(url, {"reason": "Ada rapat."}, format="json")
    assert response.status_code == 200 and response.json()["item"]["status"] == "cancelled"


def test_it_lets_a_plh_approve_on_behalf(team, ani, kabid, bidang_p2p):
    citra = EmployeeFactory(name="Citra Plh", unit=bidang_p2p, supervisor=kabid, user=UserFactory(username="citra"))
    Delegation.objects.create(kind=DelegationKind.PLH, delegator=kabid, delegate=citra,
                              start=dt.date(2026, 11, 30), end=dt.date(2026, 12, 10))
    day_id = submitted_id(ani, day(0))
    response = approve(citra.user, day_id)
    assert response.status_code == 200, response.content
    assert response.json()["item"]["acting_for"] == "Plh. Kepala Bidang P2P"


def test_it_decides_in_bulk_and_reports_the_failing_item(team, kabid):
    ids = [submitted_id(person, day(0)) for person in team[1:4]]
    response = client_for(kabid.user).post(DECIDE, {"ids": [*ids, 999999], "action": "approve"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    by_id = {r["id"]: r for r in body["results"]}
    assert [by_id[i]["ok"] for i in ids] == [True, True, False]
    assert by_id[ids[2]]["verdicts"][0]["rule"] == "coverage"
    assert by_id[999999]["ok"] is False
    assert (body["succeeded"], body["failed"]) == (2, 2)
    assert RequestDay.objects.filter(pk__in=ids, status=Status.APPROVED).count() == 2


def test_it_requires_a_reason_for_bulk_reject(team, kabid):
    error = error_of(client_for(kabid.user).post(DECIDE, {"ids": [1], "action": "reject"}, format="json"), 400)
    assert "reason" in error["fields"]


# --- Coverage and inbox --------------------------------------------------------------

def coverage(user, unit, start=day(0), end=day(5)):
    return client_for(user).get(COVERAGE, {"unit": unit.pk, "start": start, "end": end})


def test_it_projects_coverage_per_day(team, ani, kabid, bidang_p2p):
    approve(kabid.user, submitted_id(ani, day(0)))
    submitted_id(team[2], day(0))  # pending: not counted by the default policy
    response = coverage(ani.user, bidang_p2p)
    assert response.status_code == 200, response.content
    days = {d["date"]: d for d in response.json()["days"]}
    # 5 people, 60% → ceil(3.0) = 3 must stay; one away on Monday.
    assert days[day(0)] | {} == {"date": day(0), "headcount": 5, "away": 1, "in_office": 4, "minimum": 3,
                                 "remaining": 1, "working": True, "holiday": "", "status": "ok"}
    assert (days[day(1)]["in_office"], days[day(1)]["remaining"]) == (5, 2)
    assert days[day(5)]["working"] is False and days[day(5)]["status"] == "off"


def test_it_shows_coverage_only_to_those_concerned(team, ani, kadis, hr, outsider, hr_other, bidang_p2p, upt):
    for user in (ani.user, kadis.user, hr):
        assert coverage(user, bidang_p2p).status_code == 200
    for user in (outsider.user, hr_other):
        error_of(coverage(user, bidang_p2p), 404)
    error_of(coverage(ani.user, upt), 404)  # a sibling unit
    error_of(client_for(ani.user).get(COVERAGE, {"unit": 999999, "start": day(0), "end": day(1)}), 404)


def test_it_limits_the_coverage_range(team, ani, bidang_p2p):
    error = error_of(coverage(ani.user, bidang_p2p, start="2026-12-01", end="2027-03-31"), 400)
    assert "93" in error["fields"]["end"][0]
    assert "unit" in error_of(client_for(ani.user).get(COVERAGE, {"start": day(0), "end": day(1)}), 400)["fields"]


def test_it_lists_the_inbox_with_before_and_after(team, ani, budi, kabid, outsider):
    approve(kabid.user, submitted_id(budi, day(0)))
    day_id = submitted_id(ani, day(0))
    response = client_for(kabid.user).get(INBOX)
    assert response.status_code == 200, response.content
    (entry,) = response.json()["results"]
    assert entry["item"]["id"] == day_id
    assert (entry["headcount"], entry["before"], entry["after"], entry["minimum"], entry["below"]) == (5, 4, 3, 3,
                                                                                                       False)
    assert client_for(outsider.user).get(INBOX).json()["results"] == []


# --- Auth and schema -----------------------------------------------------------------

def test_it_accepts_token_auth_and_refuses_anonymous(two_days, ani):
    token = Token.objects.create(user=ani.user)
    client = APIClient()
    error_of(client.get(REQUESTS), 401)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [r["id"] for r in client.get(REQUESTS).json()["results"]] == [two_days[0]]
    response = client.post(REQUESTS, {"kind": "WFH", "dates": [day(1)]}, format="json")
    assert response.status_code == 201  # no CSRF needed with a token


def test_it_documents_the_endpoints_in_the_schema(db):
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    for path in (REQUESTS, PREVIEW, DECIDE, COVERAGE, INBOX, "/api/v1/requests/{id}/approve/"):
        assert path in paths, path
    assert "409" in paths["/api/v1/requests/{id}/approve/"]["post"]["responses"]
    assert selectors.MAX_RANGE_DAYS == 186


def test_it_accepts_a_special_circumstance_with_evidence_as_multipart(team, ani, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    body = {"kind": "WFH", "dates": [day(0), day(1), day(2)], "special_circumstance": "true",
            "reason": "Anak sakit.", "work_plan": "Menyusun laporan.", "expected_outputs": "Draf laporan.",
            "evidence": [SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat dokter", content_type="application/pdf")]}
    response = client_for(ani.user).post(REQUESTS, body, format="multipart")
    assert response.status_code == 201, response.content
    assert len(response.json()["items"]) == 3  # keadaan khusus is exempt from the weekly cap
    request = WorkRequest.objects.get(pk=response.json()["request"])
    assert request.special_circumstance and request.evidence.get().content_type == "application/pdf"
    body["evidence"] = [SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf")]
    body["dates"] = [day(7)]
    assert "evidence" in error_of(client_for(ani.user).post(REQUESTS, body, format="multipart"), 400)["fields"]
