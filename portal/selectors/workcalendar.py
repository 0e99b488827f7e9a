"""The work calendar: is a date a working day for a unit, which days are, what hours.

National holidays (``public``) and cuti bersama (``government``) come from the
``holidays`` package for Indonesia with Indonesian names; HR overrides per
institution (or nationally) add, move or remove a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays as holidays_lib
from django.db.models import Q

from portal import rules
from portal.models import CalendarOverride, OverrideKind, RamadanPeriod, Unit, WorkingHours


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


def _override_rows(institution_id: int | None, start: dt.date, end: dt.date) -> list[CalendarOverride]:
    """National overrides first, then the institution's own, so later rows win."""
    rows = CalendarOverride.objects.filter(date__range=(start, end)).filter(
        Q(institution__isnull=True) | Q(institution_id=institution_id)
    )
    return sorted(rows, key=lambda o: (o.institution_id is not None, o.date))


def _overrides(institution_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, CalendarOverride]:
    """The winning override per date: the institution's own beats the national one."""
    return {o.date: o for o in _override_rows(institution_id, start, end)}


def _institution_id(unit: Unit | None) -> int | None:
    if unit is None:
        return None
    return unit.ancestor_ids[0] if unit.path else unit.pk


def working_weekdays(unit: Unit | None) -> frozenset[int]:
    """Weekdays (0=Monday) the unit's institution works; Perpres default Mon–Fri.

    Not cached across calls: HR may change hours at any time.
    """
    institution_id = _institution_id(unit)
    if institution_id is None:
        return frozenset(rules.DEFAULT_WEEK)
    days = set(WorkingHours.objects.filter(institution_id=institution_id).values_list("weekday", flat=True))
    return frozenset(days) if days else frozenset(rules.DEFAULT_WEEK)


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


def working_days(unit: Unit | None, start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days in [start, end]: working weekdays minus holidays and cuti bersama."""
    if end < start:
        return []
    weekdays = working_weekdays(unit)
    off = holidays_between(unit, start, end)
    return [d for d in _daterange(start, end) if d.weekday() in weekdays and d not in off]


def is_working_day(unit: Unit | None, day: dt.date) -> bool:
    return bool(working_days(unit, day, day))


def fwa_days(unit: Unit | None, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """KemenPAN-RB flexible-work days recorded as overrides, with their circular's name."""
    return {
        d: o.name for d, o in _overrides(_institution_id(unit), start, end).items()
        if o.kind == OverrideKind.FWA_DAY
    }


def _ramadan(institution_id: int | None, day: dt.date) -> RamadanPeriod | None:
    periods = RamadanPeriod.objects.filter(start__lte=day, end__gte=day).filter(
        Q(institution__isnull=True) | Q(institution_id=institution_id)
    )
    # The institution's own period wins over the national one.
    return max(periods, key=lambda p: p.institution_id is not None, default=None)


def hours_on(unit: Unit | None, day: dt.date) -> rules.DayHours | None:
    """Office hours (local time of the unit) on a day, or None if not a working weekday."""
    institution_id = _institution_id(unit)
    ramadan = _ramadan(institution_id, day)
    if ramadan is not None and day.weekday() in working_weekdays(unit):
        friday = day.weekday() == 4
        return rules.DayHours(
            ramadan.start_time,
            ramadan.friday_end_time if friday else ramadan.end_time,
            ramadan.friday_break_minutes if friday else ramadan.break_minutes,
        )
    if institution_id is not None:
        row = WorkingHours.objects.filter(institution_id=institution_id, weekday=day.weekday()).first()
        if row is not None:
            return rules.DayHours(row.start, row.end, row.break_minutes)
        if WorkingHours.objects.filter(institution_id=institution_id).exists():
            return None
    return rules.DEFAULT_WEEK.get(day.weekday())
