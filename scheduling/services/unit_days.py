"""The unit-day rows every change to a plan touches: marked changed for staffing, locked by approvals."""

from __future__ import annotations

from django.utils import timezone

from scheduling import hooks
from scheduling.models import UnitDay


def touch_unit_days(pairs) -> None:
    """Mark (unit_id, date) pairs changed, in the caller's transaction, and tell whoever follows
    plans (attendance's staffing refresh, coalesced after commit)."""
    pairs = set(pairs)
    if not pairs:
        return
    UnitDay.objects.bulk_create([UnitDay(unit_id=u, date=d) for u, d in pairs], ignore_conflicts=True)
    now = timezone.now()
    for unit_id, day in pairs:
        UnitDay.objects.filter(unit_id=unit_id, date=day).update(changed_at=now)
    hooks.plan_changed.send(pairs=pairs)


def unit_days_mark_clean(rows) -> None:
    """Clear the changed flag of unit-days staffing has recomputed, unless they changed again
    meanwhile (the conditional UPDATE keeps a newer change dirty)."""
    for pk, changed_at in rows:
        UnitDay.objects.filter(pk=pk, changed_at=changed_at).update(changed_at=None)
