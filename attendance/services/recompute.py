"""Recompute derived day statuses when what they are derived from changes.

A punch, a correction, a permission and a plan decision recompute their own day at once. What
changes many people at once — a holiday or cuti bersama moved, a working pattern, a Ramadan
period, an institution's rules version — recomputes its unit's subtree (or the institution) from
the date it applies, in a worker; days of closed months are skipped by
:func:`~attendance.services.day_status.compute_day_statuses`. A nightly pass over the last
:data:`NIGHTLY_DAYS` days catches up on days that ended (missing check-out, TK) and on anything a
lost task missed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from attendance.models import DayStatus, Punch
from attendance.services.day_status import compute_day_statuses
from attendance.services.recap_freshness import recap_freshness_invalidate, recap_freshness_mark
from portal.jobs import enqueue_on_commit
from portal.models import Employee, Unit
from portal.rules import MIN_DATE

BATCH = 500  # employees per pass: with 35 days, about 17,500 rows held in memory at once
NIGHTLY_DAYS = 35  # covers a whole month plus the correction window, for the recap


def _subtrees(institution_id: int | None, unit_id: int | None) -> list[Unit]:
    if unit_id is not None:
        return list(Unit.objects.filter(pk=unit_id))
    roots = Unit.objects.filter(parent__isnull=True)
    return list(roots if institution_id is None else roots.filter(pk=institution_id))


def _first_recorded(**where) -> dt.date | None:
    """The earliest day anything was recorded (in a subtree, or for some people): a change
    "since ever" (a go-live date removed) reaches back that far, not to 1900."""
    dates = [DayStatus.objects.filter(**where).aggregate(d=Min("date"))["d"],
             Punch.objects.filter(**where).aggregate(d=Min("date"))["d"]]
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def _since(start: dt.date, end: dt.date, **where) -> dt.date:
    """``start``, unless it is the open "since ever" (1900-01-01): then the first recorded day,
    or the nightly window when nothing was recorded yet."""
    if start > MIN_DATE:
        return start
    first = _first_recorded(**where)
    return first if first else end - dt.timedelta(days=NIGHTLY_DAYS)


def recompute_institution(institution_id: int | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> int:
    """Recompute every employee of the institution's tree (or of ``unit_id``'s subtree) over
    [start, end]: the active ones, and those whose records end inside the range.

    ``institution_id=None`` and no unit means every institution (a national calendar row changed).
    Days after each unit's local today are skipped by :func:`compute_day_statuses`.
    Returns the number of day rows written; safe to run twice.
    """
    written = 0
    for subtree in _subtrees(institution_id, unit_id):
        since = _since(start, end, unit__path__startswith=subtree.path)
        if end < since:
            continue
        began = timezone.now()
        people = Employee.objects.filter(unit__path__startswith=subtree.path).exclude(
            is_active=False, records_end__isnull=True).exclude(records_end__lt=since)
        ids = list(people.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), BATCH):
            batch = list(Employee.objects.filter(pk__in=ids[i:i + BATCH]).select_related("unit"))
            written += compute_day_statuses(batch, since, end)
        if unit_id is None:  # the whole institution: its recaps need no per-employee check up to here
            recap_freshness_mark(institution_id=subtree.pk, start=since, end=end, computed_at=began)
    return written


def enqueue_recompute(*, institution_id: int | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> None:
    """After commit, one task per calendar month of [start, end]: a change reaching back a year is
    twelve tasks of a few minutes each (100,000 people: about a minute per month, docs/benchmarks.md),
    never one that outlives the task time limit."""
    if start <= MIN_DATE:  # "since ever": from the first day anything was recorded in that scope
        scope = _subtrees(institution_id, unit_id)
        firsts = [_first_recorded(unit__path__startswith=u.path) for u in scope] if scope else []
        firsts = [d for d in firsts if d]
        start = min(firsts) if firsts else end - dt.timedelta(days=NIGHTLY_DAYS)
    # Until the tasks ran, these days are not final: recaps check them per employee again.
    recap_freshness_invalidate(start=start, institution_ids=None if institution_id is None and unit_id is None
                               else [institution_id or _institution_of(unit_id)])
    chunk = start
    while chunk <= end:
        following = (chunk.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, following - dt.timedelta(days=1))
        enqueue_on_commit("attendance.recompute_institution", kwargs={
            "institution_id": institution_id, "start": chunk.isoformat(), "end": last.isoformat(), "unit_id": unit_id})
        chunk = following


def _institution_of(unit_id: int) -> int | None:
    unit = Unit.objects.filter(pk=unit_id).first()
    return unit.ancestor_ids[0] if unit else None


def recompute_employees(employee_ids, start: dt.date, end: dt.date) -> int:
    """Recompute some people over [start, end] (their records window or unit changed)."""
    people = list(Employee.objects.filter(pk__in=list(employee_ids)).select_related("unit"))
    start = _since(start, end, employee_id__in=[p.pk for p in people])
    return compute_day_statuses(people, start, end) if people and start <= end else 0


def recompute_recent(*, today: dt.date | None = None, days: int = NIGHTLY_DAYS) -> int:
    """The nightly pass: every institution over the last ``days`` days up to today.

    The end is a day past the server's date so units east of it (WIT) reach their own today.
    """
    today = today or timezone.localdate()
    return recompute_institution(None, today - dt.timedelta(days=days), today + dt.timedelta(days=1))
