"""The work calendar: is a date a working day for a unit, which days are, what hours.

National holidays (``public``) and cuti bersama (``government``) come from the
``holidays`` package for Indonesia with Indonesian names; HR overrides per
institution (or nationally) add, move or remove a day.

Working weekdays and hours come from the unit's :class:`~portal.models.WorkPattern` in force on
the date — its own, else the nearest ancestor's, else Perpres 21/2023 (Mon–Fri) — and Ramadan
periods change the hours of those days. :class:`UnitCalendar` loads all of that once for a unit
and a date range; the functions below are its one-off forms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays as holidays_lib
from django.db.models import Q

from portal import facts, rules
from portal.models import CalendarOverride, OverrideKind, RamadanPeriod, Unit, WorkPattern


class DayKind:
    HOLIDAY = "holiday"
    CUTI_BERSAMA = "cuti_bersama"


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    kind: str  # DayKind.HOLIDAY or DayKind.CUTI_BERSAMA


@lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[dt.date, Holiday]:
    """Public holidays and cuti bersama of one year, as the package knows them."""
    public = holidays_lib.country_holidays("ID", years=year, categories=("public",), language="id")
    government = holidays_lib.country_holidays("ID", years=year, categories=("government",), language="id")
    days = {d: Holiday(d, name, DayKind.HOLIDAY) for d, name in public.items()}
    for d, name in government.items():
        days.setdefault(d, Holiday(d, name, DayKind.CUTI_BERSAMA))
    return days


def _override_rows(institution_id: int | None, start: dt.date, end: dt.date) -> tuple[CalendarOverride, ...]:
    """National overrides first, then the institution's own, so later rows win (a rule fact:
    read once per change, portal.facts)."""
    def load():
        rows = CalendarOverride.objects.filter(date__range=(start, end)).filter(
            Q(institution__isnull=True) | Q(institution_id=institution_id))
        return tuple(sorted(rows, key=lambda o: (o.institution_id is not None, o.date)))
    return facts.remembered("calendar.overrides", (institution_id, start, end), load)


def _overrides(institution_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, CalendarOverride]:
    """The winning override per date: the institution's own beats the national one."""
    return {o.date: o for o in _override_rows(institution_id, start, end)}


def _institution_id(unit: Unit | None) -> int | None:
    if unit is None:
        return None
    return unit.ancestor_ids[0] if unit.path else unit.pk


def holidays_between(unit: Unit | None, start: dt.date, end: dt.date) -> dict[dt.date, Holiday]:
    """Holidays and cuti bersama in [start, end] for the unit's institution, overrides applied."""
    days: dict[dt.date, Holiday] = {}
    for year in range(start.year, end.year + 1):
        for d, h in national_holidays(year).items():
            if start <= d <= end:
                days[d] = h
    # Apply layer by layer rather than only the winning row: an institution's FWA_DAY
    # says nothing about holidays, so it must not hide a national WORKING_DAY/HOLIDAY
    # override on the same date (FWA days cluster around moved holidays).
    for o in _override_rows(_institution_id(unit), start, end):
        d = o.date
        if o.kind == OverrideKind.WORKING_DAY:
            days.pop(d, None)
        elif o.kind == OverrideKind.HOLIDAY:
            days[d] = Holiday(d, o.name, DayKind.HOLIDAY)
        elif o.kind == OverrideKind.CUTI_BERSAMA:
            days[d] = Holiday(d, o.name, DayKind.CUTI_BERSAMA)
    return days


def _daterange(start: dt.date, end: dt.date):
    for i in range((end - start).days + 1):
        yield start + dt.timedelta(days=i)


def fwa_days(unit: Unit | None, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """KemenPAN-RB flexible-work days recorded as overrides, with their circular's name."""
    return {
        d: o.name for d, o in _overrides(_institution_id(unit), start, end).items()
        if o.kind == OverrideKind.FWA_DAY
    }


# --- Working patterns -------------------------------------------------------------------


@dataclass(frozen=True)
class PatternVersion:
    """The working week in force for a unit on a date (``id`` None: the Perpres default)."""

    id: int | None
    unit_id: int | None
    effective_from: dt.date
    kind: str
    week: dict  # weekday -> rules.DayHours
    flex_until: dt.time | None = None

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(self.week)


DEFAULT_PATTERN = PatternVersion(None, None, rules.MIN_DATE, "weekly", dict(rules.DEFAULT_WEEK))


def _version(row: WorkPattern) -> PatternVersion:
    week = {d.weekday: rules.DayHours(d.start, d.end, d.break_minutes, flex_until=row.flex_until)
            for d in row.days.all()}
    return PatternVersion(row.pk, row.unit_id, row.effective_from, row.kind, week, row.flex_until)


class PatternChain:
    """Every pattern of a unit and its ancestors, answering "which week on this date"."""

    def __init__(self, unit: Unit | None, rows=None):
        ids = () if unit is None else tuple(unit.ancestor_ids or [unit.pk])
        if rows is None:  # a rule fact: read once per change (portal.facts)
            self._versions = facts.remembered("calendar.patterns", ids, lambda: _versions_of(
                ids, WorkPattern.objects.filter(unit_id__in=ids).prefetch_related("days")))
        else:
            self._versions = _versions_of(ids, rows)

    def on(self, day: dt.date) -> PatternVersion:
        for version in self._versions:
            if version.effective_from <= day:
                return version
        return DEFAULT_PATTERN


def _versions_of(ids: tuple[int, ...], rows) -> tuple[PatternVersion, ...]:
    """The patterns of these units (root first) that apply: deepest unit first, each unit's
    versions newest first."""
    depth = {uid: i for i, uid in enumerate(ids)}
    return tuple(sorted((_version(r) for r in rows if r.unit_id in depth),
                        key=lambda v: (-depth[v.unit_id], -v.effective_from.toordinal())))


def pattern_chains(units) -> dict[int, PatternChain]:
    """One :class:`PatternChain` per unit, from one query for all their ancestors' patterns (a
    single unit's, as a check-in asks, once per change of the rule facts)."""
    units = list(units)
    if len(units) == 1:
        return {units[0].pk: PatternChain(units[0])}
    ids = {uid for u in units for uid in (u.ancestor_ids or [u.pk])}
    rows = list(WorkPattern.objects.filter(unit_id__in=ids).prefetch_related("days"))
    return {u.pk: PatternChain(u, rows) for u in units}


def ramadan_periods(institution_id: int | None, start: dt.date, end: dt.date) -> tuple[RamadanPeriod, ...]:
    """Periods overlapping [start, end]; the institution's own first (they win over national). A
    rule fact: read once per change (portal.facts)."""
    def load():
        rows = RamadanPeriod.objects.filter(start__lte=end, end__gte=start).filter(
            Q(institution__isnull=True) | Q(institution_id=institution_id))
        return tuple(sorted(rows, key=lambda p: p.institution_id is None))
    return facts.remembered("calendar.ramadan", (institution_id, start, end), load)


def _ramadan_hours(period: RamadanPeriod, day: dt.date) -> rules.DayHours:
    """Ramadan hours replace the pattern's (a fixed start: no flexible window that month)."""
    friday = day.weekday() == 4
    return rules.DayHours(period.start_time, period.friday_end_time if friday else period.end_time,
                          period.friday_break_minutes if friday else period.break_minutes)


class UnitCalendar:
    """A unit's calendar over [start, end], loaded once: holidays, patterns, Ramadan hours."""

    def __init__(self, unit: Unit | None, start: dt.date, end: dt.date, *, chain: PatternChain | None = None,
                 holidays: dict | None = None, ramadan: list | None = None):
        """``chain``, ``holidays`` and ``ramadan`` may be passed in when already loaded (units of
        one institution share its holidays and Ramadan periods)."""
        self.unit, self.start, self.end = unit, start, end
        if holidays is None:
            holidays = holidays_between(unit, start, end) if end >= start else {}
        self.holidays = holidays
        self.chain = chain if chain is not None else PatternChain(unit)
        self._ramadan = ramadan if ramadan is not None else ramadan_periods(_institution_id(unit), start, end)

    def pattern(self, day: dt.date) -> PatternVersion:
        return self.chain.on(day)

    def weekly_hours(self, day: dt.date) -> rules.DayHours | None:
        """The pattern's hours on the date's weekday (Ramadan applied), holidays ignored."""
        version = self.pattern(day)
        hours = version.week.get(day.weekday())
        if hours is None:
            return None
        period = next((p for p in self._ramadan if p.start <= day <= p.end), None)
        return _ramadan_hours(period, day) if period is not None else hours

    def hours(self, day: dt.date) -> rules.DayHours | None:
        """Office hours on a working day; None on a weekend or holiday."""
        return None if day in self.holidays else self.weekly_hours(day)

    def working_days(self) -> list[dt.date]:
        return [d for d in _daterange(self.start, self.end) if self.hours(d) is not None]


def working_weekdays(unit: Unit | None, day: dt.date | None = None) -> frozenset[int]:
    """Weekdays (0=Monday) the unit works on ``day`` (default today); Perpres default Mon–Fri."""
    if day is None:
        day = unit.local_today() if unit is not None else dt.date.today()
    return PatternChain(unit).on(day).weekdays


def working_days(unit: Unit | None, start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days in [start, end]: the pattern's weekdays minus holidays and cuti bersama."""
    if end < start:
        return []
    return UnitCalendar(unit, start, end).working_days()


def is_working_day(unit: Unit | None, day: dt.date) -> bool:
    return bool(working_days(unit, day, day))


def hours_on(unit: Unit | None, day: dt.date) -> rules.DayHours | None:
    """Office hours (local time of the unit) on a day of a working weekday (holidays not
    considered), or None if the pattern does not work that weekday."""
    return UnitCalendar(unit, day, day).weekly_hours(day)
