"""Flexible-work days opened by KemenPAN-RB circulars, as a unit sees them.

Two sources open such a day: an :class:`~scheduling.models.FwaWindow` HR opened for the unit (or
an ancestor, with its sub-units), and a calendar override of kind ``FWA_DAY`` of the unit's
institution (or a national one). On an open day WFH/WFA is approved automatically wherever every
coverage rule still holds; when it is also *cap-free* (a calendar FWA day, or a window that lifts
the caps) a flexible day on it neither meets the weekly and monthly caps nor counts towards them:
the circular, not the employee, chose the day (SE MenPAN-RB 2/2026 names three days in one week,
Permen PANRB 4/2025 allows two a week).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from portal.models import Unit
from portal.selectors import workcalendar
from scheduling.models import FwaWindow


@dataclass(frozen=True)
class OpenDay:
    """Why a day is open for flexible work: the circular's name, and whether it lifts the caps."""

    name: str
    lifts_caps: bool


def windows_covering(unit: Unit, start: dt.date, end: dt.date) -> list[FwaWindow]:
    """FWA windows overlapping [start, end] that name the unit, or an ancestor with its sub-units: one query."""
    ancestors = unit.ancestor_ids or [unit.pk]
    covers = Q(units=unit.pk) | Q(units__in=ancestors, include_subunits=True)
    return list(FwaWindow.objects.filter(covers, start__lte=end, end__gte=start).distinct().order_by("start", "pk"))


def open_days(unit: Unit, start: dt.date, end: dt.date) -> dict[dt.date, OpenDay]:
    """Every day in [start, end] a circular opens for the unit's flexible work. Where several
    name the same day, one that lifts the caps wins (its name is the one to cite)."""
    days: dict[dt.date, OpenDay] = {}
    for window in windows_covering(unit, start, end):
        first, last = max(window.start, start), min(window.end, end)
        for i in range((last - first).days + 1):
            _keep(days, first + dt.timedelta(days=i), OpenDay(window.name, window.lifts_caps))
    for day, name in workcalendar.fwa_days(unit, start, end).items():
        _keep(days, day, OpenDay(name, True))  # a calendar FWA day always lifts the caps
    return days


def _keep(days: dict[dt.date, OpenDay], day: dt.date, candidate: OpenDay) -> None:
    current = days.get(day)
    if current is None or (candidate.lifts_caps and not current.lifts_caps):
        days[day] = candidate


def cap_free_days(unit: Unit, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Days in [start, end] on which the unit's flexible days are free of the weekly and monthly
    caps, each with the circular that made it so."""
    return {d: o.name for d, o in open_days(unit, start, end).items() if o.lifts_caps}
