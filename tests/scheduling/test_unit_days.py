"""Marking unit-days changed is one statement whatever the number of pairs (issue 15): an approval's
hot path wrote an INSERT and then one UPDATE per (unit, date)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling.models import UnitDay
from scheduling.services.unit_days import touch_unit_days

MON = dt.date(2026, 12, 7)


def test_new_and_existing_unit_days_are_marked_in_one_statement(bidang_p2p, upt):
    UnitDay.objects.create(unit=bidang_p2p, date=MON, changed_at=None)
    pairs = [(bidang_p2p.pk, MON + dt.timedelta(days=n)) for n in range(3)] + [(upt.pk, MON)]
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        touch_unit_days(pairs + pairs[:1])  # a repeated pair is marked once
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    rows = {(r.unit_id, r.date): r.changed_at for r in UnitDay.objects.all()}
    assert set(rows) == set(pairs)
    assert all(changed is not None and changed >= before for changed in rows.values())


def test_a_unit_day_marked_clean_is_marked_changed_again(bidang_p2p):
    touch_unit_days([(bidang_p2p.pk, MON)])
    UnitDay.objects.update(changed_at=None)
    touch_unit_days([(bidang_p2p.pk, MON)])
    assert UnitDay.objects.get().changed_at is not None
    assert UnitDay.objects.count() == 1


def test_nothing_to_mark_writes_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        touch_unit_days([])
    assert len(queries) == 0
