"""The unit-day rows every change to a plan touches: marked changed for staffing, locked by approvals."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from scheduling import hooks
from scheduling.models import UnitDay


def touch_unit_days(pairs) -> None:
    """Mark (unit_id, date) pairs changed, in the caller's transaction, and tell whoever follows
    plans (attendance's staffing refresh, coalesced after commit)."""
    pairs = set(pairs)
    if not pairs:
        return
    _upsert_changed(pairs)
    hooks.plan_changed.send(pairs=pairs)


def _upsert_changed(pairs: set) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE for every pair, whatever their number (it was an INSERT
    and then one UPDATE per pair on every approval's hot path). Rows are written in (unit, date)
    order, so two writers touching the same unit-days lock them in the same order."""
    now = timezone.now()
    UnitDay.objects.bulk_create([UnitDay(unit_id=u, date=d, changed_at=now) for u, d in sorted(pairs)],
                                update_conflicts=True, unique_fields=["unit", "date"], update_fields=["changed_at"],
                                batch_size=2000)


def touch_unit_day_range(unit_ids, start, end) -> None:
    """Mark every unit-day of some units over a date range changed at once (an emergency changes
    the rules of whole subtrees): one insert and one UPDATE, not one UPDATE per pair."""
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    pairs = {(unit_id, day) for unit_id in unit_ids for day in days}
    if not pairs:
        return
    UnitDay.objects.bulk_create([UnitDay(unit_id=u, date=d) for u, d in pairs], ignore_conflicts=True,
                                batch_size=2000)
    UnitDay.objects.filter(unit_id__in={u for u, _ in pairs}, date__range=(start, end)).update(
        changed_at=timezone.now())
    hooks.plan_changed.send(pairs=pairs)


def unit_days_mark_clean(rows) -> None:
    """Clear the changed flag of unit-days staffing has recomputed, unless they changed again
    meanwhile (the conditional UPDATE keeps a newer change dirty)."""
    for pk, changed_at in rows:
        UnitDay.objects.filter(pk=pk, changed_at=changed_at).update(changed_at=None)
