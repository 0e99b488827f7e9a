"""What a check-in and a check-out cost in queries (docs/decisions.md, "Check-in at the speed of a
read"): the actor's employee with their unit (1), the roster of yesterday to tomorrow (1), the
punches of yesterday and today (1), the approved plan for the work mode (1, a new punch only), then
the punch INSERT/UPDATE and the audit event with its chain head (3) in one transaction. The rule
facts (the unit's ancestors for the zone, institution and office; the pattern chain, holidays and
Ramadan hours) are read once per change of the rules (portal.facts): a tap reads their version (1),
and the first tap after a change reads them too (4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from attendance.services.presence import punch_check_in, punch_check_out
from portal.models import Unit

REAL_AFTER_COMMIT = True  # tests/attendance/conftest.py: the derivation stays after the commit

WIB = ZoneInfo("Asia/Jakarta")
MORNING = dt.datetime(2026, 12, 1, 7, 20, tzinfo=WIB)
AFTERNOON = dt.datetime(2026, 12, 1, 16, 5, tzinfo=WIB)
BEFORE = 34  # queries of one first check-in before issue 15 (the day status derived inline)


@pytest.fixture
def office(dinkes, audit_lane_heads):
    """The office's coordinates; every audit lane's head in place (tests/conftest.py)."""
    Unit.objects.filter(pk=dinkes.pk).update(latitude=-6.2, longitude=106.816666, radius_m=100)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def writes(queries) -> list[str]:
    return [q["sql"].split()[0] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]


def test_a_first_check_in_reads_each_fact_once_and_derives_nothing(ani, office, django_capture_on_commit_callbacks):
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks():
        with CaptureQueriesContext(connection) as queries:
            punch_check_in(actor=ani.user, latitude=-6.2004, longitude=106.816666, accuracy=10)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("attendance_daystatus" in q for q in sql)  # derived after the commit, not here
    assert sum('FROM "portal_unit"' in q for q in sql) == 1  # zone, institution, office: the ancestors, once
    assert sum('FROM "attendance_punch"' in q for q in sql) == 1
    assert writes(queries.captured_queries) == ["INSERT", "INSERT", "UPDATE"]  # punch, audit event, chain head
    # the first after a change of the rule facts: their version, then the rules themselves (portal.facts)
    assert len(queries) <= 15 < BEFORE


RULE_FACTS = ('"portal_unit"', '"portal_workpattern"', '"portal_calendaroverride"', '"portal_ramadanperiod"')


def test_the_next_check_in_takes_the_rules_from_the_process_and_reads_only_its_version(
        ani, budi, office, django_capture_on_commit_callbacks):
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks():
        punch_check_in(actor=budi.user, latitude=-6.2004, longitude=106.816666, accuracy=10)
        with CaptureQueriesContext(connection) as queries:
            punch, created = punch_check_in(actor=ani.user, latitude=-6.2004, longitude=106.816666, accuracy=10)
    sql = [q["sql"] for q in queries.captured_queries]
    assert created and punch.work_mode
    assert not [q for q in sql if any(f"FROM {table}" in q for table in RULE_FACTS)]
    assert sum("portal_rulefactsversion" in q for q in sql) == 1  # once for the whole tap (facts.pinned)
    assert len(queries) <= 11


def test_the_api_check_in_and_check_out_stay_within_their_query_budget(
        ani, office, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    client = token_client(ani.user)
    with django_capture_on_commit_callbacks():
        with time_machine.travel(MORNING, tick=False), django_assert_max_num_queries(16):
            assert client.post("/api/v1/attendance/check-in/", {"latitude": -6.2, "longitude": 106.8},
                               format="json").status_code == 201
        with time_machine.travel(AFTERNOON, tick=False), django_assert_max_num_queries(13):
            assert client.post("/api/v1/attendance/check-out/", {}, format="json").status_code == 200


def test_a_check_out_updates_the_loaded_punch_without_reading_it_again(ani, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        with time_machine.travel(MORNING, tick=False):
            punch_check_in(actor=ani.user)
        with time_machine.travel(AFTERNOON, tick=False), CaptureQueriesContext(connection) as queries:
            punch, _ = punch_check_out(actor=ani.user)
    assert punch.check_out_at == AFTERNOON and punch.check_in_at == MORNING
    assert sum('FROM "attendance_punch"' in q["sql"] for q in queries.captured_queries) == 1
    assert not any("scheduling_requestday" in q["sql"] for q in queries.captured_queries)  # mode kept
    assert writes(queries.captured_queries) == ["UPDATE", "INSERT", "UPDATE"]


def test_a_unit_deeper_than_the_joined_parents_still_finds_its_zone_and_office(
        ani, dinkes, django_capture_on_commit_callbacks):
    """Six levels below a WITA institution whose office is on the OPD: one extra read, same answer."""
    from tests.factories import UnitFactory

    Unit.objects.filter(pk=dinkes.pk).update(latitude=-6.2, longitude=106.816666, radius_m=100)
    Unit.objects.filter(pk=dinkes.parent_id).update(time_zone="Asia/Makassar")
    unit = Unit.objects.get(pk=ani.unit_id)
    for _ in range(4):
        unit = UnitFactory(parent=unit)
    ani.unit = unit
    ani.save(update_fields=["unit"])
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks():
        punch, _ = punch_check_in(actor=ani.user, latitude=-6.2004, longitude=106.816666, accuracy=10)
    assert punch.date == MORNING.date()
    assert punch.check_in_at.astimezone(ZoneInfo("Asia/Makassar")).hour == 8  # the institution's WITA clock
    assert punch.in_distance_m is not None and not punch.flagged  # the OPD's office, ~44 m away
