"""Recompute derived day statuses when what they are derived from changes.

A punch, a correction and a plan decision recompute their own day at once (presence,
corrections, staffing). What changes many people at once — a holiday or cuti bersama moved,
working hours, a Ramadan period, an institution's TL/PSW band table — recomputes the whole
institution over the affected dates here, in a worker; a nightly pass over the last
:data:`NIGHTLY_DAYS` days catches up on days that ended (missing check-out, TK) and on
anything a lost task missed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from attendance.services.presence import compute_day_statuses
from portal.models import Employee, Unit

BATCH = 500  # employees per pass: with 35 days, about 17,500 rows held in memory at once
NIGHTLY_DAYS = 35  # covers a whole month plus the correction window, for the recap


def _institutions(institution_id: int | None) -> list[Unit]:
    roots = Unit.objects.filter(parent__isnull=True)
    return list(roots if institution_id is None else roots.filter(pk=institution_id))


def recompute_institution(institution_id: int | None, start: dt.date, end: dt.date) -> int:
    """Recompute every active employee of the institution's tree over [start, end].

    ``institution_id=None`` means every institution (a national calendar row changed).
    Days after each unit's local today are skipped by :func:`compute_day_statuses`.
    Returns the number of day rows written; safe to run twice.
    """
    if end < start:
        return 0
    written = 0
    for institution in _institutions(institution_id):
        people = Employee.objects.filter(unit__path__startswith=institution.path, is_active=True)
        ids = list(people.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), BATCH):
            batch = list(Employee.objects.filter(pk__in=ids[i:i + BATCH]).select_related("unit"))
            written += compute_day_statuses(batch, start, end)
    return written


def recompute_recent(*, today: dt.date | None = None, days: int = NIGHTLY_DAYS) -> int:
    """The nightly pass: every institution over the last ``days`` days up to today.

    The end is a day past the server's date so units east of it (WIT) reach their own today.
    """
    today = today or timezone.localdate()
    return recompute_institution(None, today - dt.timedelta(days=days), today + dt.timedelta(days=1))
