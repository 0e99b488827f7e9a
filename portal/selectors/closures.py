"""Closed months (tutup buku): which unit-months are frozen, for reads and for refusing writes.

A closure in force covers its unit and every unit below it for one calendar month. Everything
that would change a day status of a closed month asks here first: recomputation skips those days
(:class:`ClosedBook`), and a write into them is refused with :func:`refuse_if_closed`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.models import MonthClosure, Unit


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], month_of(start)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def month_label(month: dt.date) -> str:
    """"Oktober 2026" (in the active language)."""
    return date_format(month, "F Y")


def _in_force(start: dt.date, end: dt.date):
    return (MonthClosure.objects.filter(reopened_at__isnull=True, month__range=(month_of(start), end))
            .select_related("unit"))


class ClosedBook:
    """Closures in force and finished over [start, end], loaded once; asks "is this unit-day
    frozen". A closing still running (``closed_at`` empty) is not frozen yet: its final pass is
    the recomputation that fixes the numbers."""

    def __init__(self, start: dt.date, end: dt.date):
        self._paths: dict[dt.date, list[str]] = {}
        for closure in _in_force(start, end).filter(closed_at__isnull=False):
            self._paths.setdefault(closure.month, []).append(closure.unit.path)

    def __bool__(self) -> bool:
        return bool(self._paths)

    def closed(self, unit: Unit | None, day: dt.date) -> bool:
        if unit is None:
            return False
        return any(unit.path.startswith(p) for p in self._paths.get(month_of(day), ()))


def closures_touching(units: Iterable[Unit], start: dt.date, end: dt.date, *, subtree: bool = True):
    """Closures in force in [start, end] on these units, their ancestors, and (``subtree``) any
    unit below them: everything a change to these units' rules would alter."""
    units = [u for u in units if u is not None]
    if not units:
        return MonthClosure.objects.none()
    q = Q(unit_id__in={uid for u in units for uid in u.ancestor_ids})
    if subtree:
        for unit in units:
            q |= Q(unit__path__startswith=unit.path)
    return _in_force(start, end).filter(q).order_by("month", "unit__path")


def closures_on_days(unit: Unit, days: Iterable[dt.date]):
    """Closures in force covering ``unit`` (itself or an ancestor) on any of the days."""
    months = {month_of(d) for d in days}
    if not months:
        return MonthClosure.objects.none()
    return (MonthClosure.objects.filter(reopened_at__isnull=True, month__in=months, unit_id__in=unit.ancestor_ids)
            .select_related("unit").order_by("month"))


def closed_message(closure: MonthClosure) -> str:
    return _("Bulan %(month)s sudah ditutup (tutup buku) untuk %(unit)s: buka kembali bulan itu dulu, "
             "dengan alasan, sebelum mengubah datanya.") % {"month": month_label(closure.month),
                                                              "unit": closure.unit.name}


def refuse_if_closed(closures, field: str = "__all__") -> None:
    """Raise a ValidationError naming the first closure, if any (nothing is written)."""
    first = closures.first() if hasattr(closures, "first") else next(iter(closures), None)
    if first is not None:
        raise ValidationError({field: closed_message(first)})


def refuse_change_from(units: Iterable[Unit], start: dt.date, end: dt.date | None = None,
                       field: str = "effective_from") -> None:
    """A rule that applies from ``start`` (to ``end``) may not begin inside a closed month of any
    unit it reaches; later closed months are simply not recomputed."""
    refuse_if_closed(closures_touching(units, start, month_of(end or start)), field)


def refuse_closed_days(unit: Unit, days: Iterable[dt.date], field: str = "date") -> None:
    """A write about these days of a person in ``unit`` is refused if a closure covers one."""
    refuse_if_closed(closures_on_days(unit, days), field)
