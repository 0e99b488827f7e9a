"""An approval records the emergency it was decided under (docs/decisions.md, "Emergency mode"):
a flexible day's from its own check (issue 15: not read a third time), an absence's read for it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import rules, services
from scheduling.models import Kind, RequestDay, Status

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MON, TUE, WED = (dt.date(2026, 12, 7) + dt.timedelta(days=i) for i in range(3))
NEXT_MON = dt.date(2026, 12, 14)

pytestmark = pytest.mark.now(dt.datetime(2026, 12, 7, 8, 0, tzinfo=WIB), tick=False)


def approve(kabid, person, day, kind):
    (pending,) = services.request_submit(actor=person.user, kind=kind, dates=[day], location="Rumah").days
    with CaptureQueriesContext(connection) as queries:
        services.request_day_approve(actor=kabid.user, day_id=pending.pk)
    emergency_reads = sum('FROM "scheduling_emergency"' in q["sql"] for q in queries.captured_queries)
    return RequestDay.objects.get(pk=pending.pk), emergency_reads


def test_flexible_days_and_absences_record_the_emergency_they_were_approved_under(team, hr, dinkes, kabid, ani, budi):
    emergency = services.emergency_declare(actor=hr, name="Banjir", legal_basis="SE 800/1/2026",
                                           profile=rules.CAPS_LIFTED, start=MON, end=WED, units=[dinkes])
    wfh, wfh_reads = approve(kabid, ani, TUE, Kind.WFH)
    away, away_reads = approve(kabid, budi, WED, Kind.SAKIT)
    after, after_reads = approve(kabid, ani, NEXT_MON, Kind.WFH)
    assert (wfh.status, away.status, after.status) == (Status.APPROVED,) * 3
    assert wfh.emergency_id == away.emergency_id == emergency.pk
    assert after.emergency_id is None  # after its last day
    assert wfh_reads == after_reads == 1  # the rules read them once; no second or third read
    assert away_reads == wfh_reads + 1  # an absence never meets its rules: its emergency is read for it
