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

from portal import facts
from portal.models import Unit
from portal.selectors import workcalendar
from scheduling import rules
from scheduling.models import FwaWindow
from scheduling.selectors.emergency import emergencies_between, emergency_days, rule_of


@dataclass(frozen=True)
class OpenDay:
    """Why a day is open for flexible work: the circular's name, and whether it lifts the caps."""

    name: str
    lifts_caps: bool
    auto_approves: bool = True
    emergency_id: int | None = None  # opened by an emergency rather than a circular's window


def windows_covering(unit: Unit, start: dt.date, end: dt.date) -> list[FwaWindow]:
    """FWA windows overlapping [start, end] that name the unit, or an ancestor with its sub-units: one query."""
    ancestors = tuple(unit.ancestor_ids or [unit.pk])
    covers = Q(units=unit.pk) | Q(units__in=ancestors, include_subunits=True)
    return list(facts.remembered("fwa.covering", (unit.pk, ancestors, start, end), lambda: tuple(
        FwaWindow.objects.filter(covers, start__lte=end, end__gte=start).distinct().order_by("start", "pk"))))


def open_days(unit: Unit, start: dt.date, end: dt.date, *, emergencies: dict | None = None) -> dict[dt.date, OpenDay]:
    """Every day in [start, end] a circular opens for the unit's flexible work. Where several
    name the same day, one that lifts the caps wins (its name is the one to cite). ``emergencies``:
    the unit's :func:`emergency_days` over [start, end], when the caller read them already."""
    if emergencies is None:
        emergencies = emergency_days(unit, start, end)
    return _opened(start, end, windows_covering(unit, start, end), workcalendar.fwa_days(unit, start, end),
                   emergencies)


def _opened(start: dt.date, end: dt.date, windows: list[FwaWindow], calendar_days: dict[dt.date, str],
            emergencies: dict) -> dict[dt.date, OpenDay]:
    days: dict[dt.date, OpenDay] = {}
    for window in windows:
        first, last = max(window.start, start), min(window.end, end)
        for i in range((last - first).days + 1):
            _keep(days, first + dt.timedelta(days=i), OpenDay(window.name, window.lifts_caps))
    for day, name in calendar_days.items():
        _keep(days, day, OpenDay(name, True))  # a calendar FWA day always lifts the caps
    return _under_emergencies(days, emergencies)


def _under_emergencies(days: dict[dt.date, OpenDay], emergencies: dict) -> dict[dt.date, OpenDay]:
    """An emergency in force decides the day: "everyone in the office" closes what a circular
    opened; the other profiles open it (lifting the caps, approving WFH/WFA automatically or not)."""
    for day, emergency in emergencies.items():
        rule = rule_of(emergency)
        if rule.profile == rules.ALL_IN_OFFICE:
            days.pop(day, None)
        else:
            opened_anyway = day in days and days[day].auto_approves  # a circular's window stays automatic
            days[day] = OpenDay(emergency.name, rule.lifts_caps, rule.auto_approves or opened_anyway, emergency.pk)
    return days


def _keep(days: dict[dt.date, OpenDay], day: dt.date, candidate: OpenDay) -> None:
    current = days.get(day)
    if current is None or (candidate.lifts_caps and not current.lifts_caps):
        days[day] = candidate


def cap_free_days(unit: Unit, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Days in [start, end] on which the unit's flexible days are free of the weekly and monthly
    caps, each with the circular that made it so."""
    return {d: o.name for d, o in open_days(unit, start, end).items() if o.lifts_caps}


# --- Many units at once (a page of the inbox) ---------------------------------------------------


def cap_free_days_many(wanted: dict[Unit, tuple[dt.date, dt.date]], *,
                       emergencies: list | None = None) -> dict[int, dict[dt.date, str]]:
    """:func:`cap_free_days` of each unit over its span: the windows, the emergencies and each
    institution's calendar FWA days read once for all of them, then the same rules per unit.
    ``emergencies``: :func:`emergencies_between` over (at least) the spans, when already read."""
    if not wanted:
        return {}
    first, last = min(s for s, _e in wanted.values()), max(e for _s, e in wanted.values())
    windows = _windows_naming(tuple(sorted(u.pk for u in wanted)),
                              tuple(sorted({a for u in wanted for a in (u.ancestor_ids or [u.pk])})), first, last)
    if emergencies is None:
        emergencies = emergencies_between(first, last)
    emergencies = sorted(emergencies, key=lambda e: (e.start, e.pk))
    calendars: dict[int, dict[dt.date, str]] = {}
    out = {}
    for unit, (start, end) in wanted.items():
        ancestors = unit.ancestor_ids or [unit.pk]
        if ancestors[0] not in calendars:
            calendars[ancestors[0]] = workcalendar.fwa_days(unit, first, last)
        covering = [w for w in windows if w.start <= end and w.end >= start and _names(w, unit, ancestors)]
        calendar_days = {d: n for d, n in calendars[ancestors[0]].items() if start <= d <= end}
        days = _opened(start, end, covering, calendar_days, _emergency_days_among(emergencies, ancestors, start, end))
        out[unit.pk] = {d: o.name for d, o in days.items() if o.lifts_caps}
    return out


def _windows_naming(unit_ids: tuple[int, ...], above: tuple[int, ...], first: dt.date,
                    last: dt.date) -> tuple[FwaWindow, ...]:
    """Windows over [first, last] naming these units, or an ancestor with its sub-units, with their
    units: a rule fact, read once per change (portal.facts)."""
    covers = Q(units__in=unit_ids) | Q(units__in=above, include_subunits=True)
    return facts.remembered("fwa.naming", (unit_ids, above, first, last), lambda: tuple(
        FwaWindow.objects.filter(covers, start__lte=last, end__gte=first).distinct().order_by("start", "pk")
        .prefetch_related("units")))


def _names(window: FwaWindow, unit: Unit, ancestors: list[int]) -> bool:
    """What :func:`windows_covering` asks of a window, on a preloaded one."""
    named = {u.pk for u in window.units.all()}
    return unit.pk in named or (window.include_subunits and bool(named & set(ancestors)))


def _emergency_days_among(emergencies: list, ancestors: list[int], start: dt.date, end: dt.date) -> dict:
    """What :func:`~scheduling.selectors.emergency.emergency_days` answers, from preloaded emergencies."""
    days = {}
    for emergency in emergencies:
        if not {u.pk for u in emergency.units.all()} & set(ancestors):
            continue
        first, last = max(emergency.start, start), min(emergency.last_day, end)
        for i in range((last - first).days + 1):
            days.setdefault(first + dt.timedelta(days=i), emergency)
    return days
