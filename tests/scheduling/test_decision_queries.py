"""An approval reads each fact once where the service owns the read (issue 15): the unit-day row is
locked without a get_or_create first, the approved day is not read back, and the API does not read
the day's scope before the service does (only for a bad body, to answer 404 rather than 400)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scheduling import services
from scheduling.models import Kind, RequestDay, Status, UnitDay

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
WED = dt.date(2026, 12, 9)


@pytest.fixture(autouse=True)
def _chain_heads(team, audit_lane_heads):
    """The team's institution with every audit lane's head in place (tests/conftest.py)."""


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def pending_day(employee) -> RequestDay:
    (day,) = services.request_submit(actor=employee.user, kind=Kind.WFH, dates=[WED]).days
    return day


def test_an_api_approval_reads_the_day_in_scope_once_and_answers_the_approved_day(
        team, ani, kabid, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks():
        day = pending_day(ani)
        with CaptureQueriesContext(connection) as queries:
            response = token_client(kabid.user).post(f"/api/v1/requests/{day.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["item"]["status"] == Status.APPROVED
    sql = [q["sql"] for q in queries.captured_queries]
    unit_day_reads = [q for q in sql if q.startswith("SELECT") and 'FROM "scheduling_unitday"' in q]
    assert len(unit_day_reads) == 1  # locked straight away: the submit already made the row
    decided = RequestDay.objects.get(pk=day.pk)
    assert (decided.status, decided.decided_by_id) == (Status.APPROVED, kabid.user.pk)
    # 53 before issue 15, 47 before item 5, 43 before its third stop (SQLite; savepoints, the token made, included)
    assert len(sql) <= 32
    # the emergencies once for the rules (policies and open days); the day's own comes from its check
    assert sum(q.startswith("SELECT") and 'FROM "scheduling_emergency"' in q for q in sql) == 1
    whole = 'SELECT "scheduling_requestday"."id", "scheduling_requestday"."request_id"'
    whole_day = [q for q in sql if q.startswith(whole) and 'WHERE "scheduling_requestday"."id" =' in q]
    assert len(whole_day) == 2  # the scope, then its own row after the locks; the answer is the decided day
    unit_day_writes = [q for q in sql if q.split()[0] in ("INSERT", "UPDATE") and '"scheduling_unitday"' in q]
    assert len(unit_day_writes) == 1  # one upsert marks it changed


def test_the_service_answers_what_it_wrote_without_reading_it_back(team, ani, kabid,
                                                                  django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks():
        day = pending_day(ani)
        UnitDay.objects.filter(unit_id=day.unit_id, date=day.date).delete()  # a day marked before unit-days existed
        decision = services.request_day_approve(actor=kabid.user, day_id=day.pk)
        again = services.request_day_approve(actor=kabid.user, day_id=day.pk)  # a double click
    stored = RequestDay.objects.get(pk=day.pk)
    assert decision.changed and not again.changed
    assert (decision.day.status, decision.day.decided_at, decision.day.decided_by_id) == (
        stored.status, stored.decided_at, stored.decided_by_id)
    assert again.day.status == Status.APPROVED
    assert UnitDay.objects.filter(unit_id=day.unit_id, date=day.date).exists()  # made under the lock


def test_a_bad_body_for_a_day_out_of_scope_is_404_not_400(team, ani, budi, kabid, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks():
        day = pending_day(ani)
        too_long = {"reason": "x" * 5000}
        assert token_client(budi.user).post(f"/api/v1/requests/{day.pk}/approve/", too_long,
                                            format="json").status_code == 404
        assert token_client(kabid.user).post(f"/api/v1/requests/{day.pk}/approve/", too_long,
                                             format="json").status_code == 400
    assert RequestDay.objects.get(pk=day.pk).status == Status.PENDING


def test_a_submit_reads_the_kind_rule_and_what_opens_its_days_once(team, ani, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks():
        with CaptureQueriesContext(connection) as queries:
            response = token_client(ani.user).post("/api/v1/requests/", {"kind": "WFH", "dates": [WED.isoformat()]},
                                                   format="json")
    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]

    def reads(table):
        return sum(q.startswith("SELECT") and f'FROM "{table}"' in q for q in sql)

    assert reads("scheduling_kindrule") == 1  # who grants it and the document it needs: one rule
    assert reads("portal_calendaroverride") == 2  # the day's holidays; the FWA days around it
    assert reads("portal_ramadanperiod") == 0  # which days are worked does not depend on Ramadan hours
    assert reads("scheduling_fwawindow") == 1  # the preview's; the auto-approval asks it, not the database
    assert reads("scheduling_emergency") == 1  # for the policy overlay and what opens the days alike
    assert not any(q.startswith("SELECT") and 'WHERE "scheduling_requestday"."request_id" =' in q
                   for q in sql)  # the saved days are answered as written, not read back
    assert len(sql) <= 28  # 40 before issue 15 item 5 (SQLite; savepoints, the token made, included)


def test_a_day_submitted_inside_a_window_is_approved_and_answered_so(team, ani, hr, django_capture_on_commit_callbacks):
    from scheduling.models import FwaWindow

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks():
        window = FwaWindow.objects.create(name="SE 2/2026", start=WED, end=WED, include_subunits=True,
                                          lifts_caps=True, created_by=hr)
        window.units.set([ani.unit.parent])
        result = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[WED])
    (day,) = result.days
    stored = RequestDay.objects.get(pk=day.pk)
    assert (day.status, day.auto_approved, day.acting_for) == (Status.APPROVED, True, "Jendela FWA: SE 2/2026")
    assert (stored.status, stored.auto_approved, stored.acting_for) == (day.status, day.auto_approved, day.acting_for)
