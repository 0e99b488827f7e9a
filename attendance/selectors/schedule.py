"""Who was to work when: the one answer day statuses, the roster page and the reports share.

For an employee and a date the plan is, in this order: nothing outside their records window
(before the later of their own start and the institution's go-live, after their end); their
roster entry if they have one (a shift — on a holiday too, which is holiday duty — or a day off);
else their unit's working pattern in force that day (the unit's own or the nearest ancestor's,
Ramadan hours applied), which gives no hours on a weekend, a holiday or cuti bersama.

:class:`Schedules` loads all of it once for a set of employees over a date range, so computing a
month for a thousand people costs a handful of queries, not one per person-day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from attendance import rules
from attendance.models import RosterEntry, Shift
from portal import rules as portal_rules
from portal.models import Employee, Unit
from portal.selectors import with_time_zones, workcalendar


@dataclass(frozen=True)
class PlannedDay:
    hours: portal_rules.DayHours | None  # None: not a working day for this person
    holiday: workcalendar.Holiday | None
    pattern_version: int | None
    rostered: bool = False

    def schedule(self, day: dt.date, tz) -> rules.Schedule | None:
        """The day's hours as aware datetimes (``end`` on the next day for an overnight shift)."""
        h = self.hours
        if h is None:
            return None
        start = dt.datetime.combine(day, h.start, tzinfo=tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1 if h.ends_next_day else 0), h.end, tzinfo=tz)
        flex = dt.datetime.combine(day, h.flex_until, tzinfo=tz) if h.flex_until else None
        return rules.Schedule(start, end, flex, h.code)


def shift_hours(shift: Shift) -> portal_rules.DayHours:
    return portal_rules.DayHours(shift.start, shift.end, shift.break_minutes, ends_next_day=shift.ends_next_day,
                                 code=shift.code)


def records_window(employee: Employee, institution: Unit | None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day attendance counts for this person (None: open)."""
    starts = [d for d in (employee.records_start, getattr(institution, "attendance_from", None)) if d]
    return (max(starts) if starts else None), employee.records_end


def in_window(window: tuple[dt.date | None, dt.date | None], day: dt.date) -> bool:
    first, last = window
    return (first is None or day >= first) and (last is None or day <= last)


class Schedules:
    """Patterns, holidays, Ramadan periods, rosters and records windows for ``employees`` over
    [start, end], loaded once. Units may be shared between employees (pass ``units``)."""

    def __init__(self, employees, start: dt.date, end: dt.date, *, extra_units=()):
        self.start, self.end = start, end
        employees = list(employees)
        units = {e.unit_id: e.unit for e in employees}
        for unit in extra_units:
            units.setdefault(unit.pk, unit)
        with_time_zones(units.values())  # every unit's zone in one query, not one per unit
        self.units = units
        roots = {u.ancestor_ids[0] for u in units.values()}
        # A caller that already holds the institution (the check-in reads the unit's ancestors) saves a query.
        self._institutions = {u.ancestor_ids[0]: u.__dict__["institution"] for u in units.values()
                              if "institution" in u.__dict__}
        if roots - self._institutions.keys():
            self._institutions.update({u.pk: u for u in Unit.objects.filter(pk__in=roots - self._institutions.keys())})
        self._chains = workcalendar.pattern_chains(units.values())
        self._holidays: dict[int, dict] = {}
        self._ramadan: dict[int, list] = {}
        self._calendars: dict[int, workcalendar.UnitCalendar] = {}
        self._windows = {e.pk: records_window(e, self._institutions.get(e.unit.ancestor_ids[0])) for e in employees}
        self._roster: dict[tuple[int, dt.date], Shift | None] = {}
        for entry in RosterEntry.objects.filter(employee_id__in=[e.pk for e in employees],
                                                date__range=(start, end)).select_related("shift"):
            self._roster[entry.employee_id, entry.date] = entry.shift

    def add_unit(self, unit: Unit) -> Unit:
        """A unit met later (a punch recorded in a former unit): load its pattern chain."""
        if unit.pk not in self.units:
            self.units[unit.pk] = with_time_zones([unit])[0]
            self._chains.update(workcalendar.pattern_chains([unit]))
            root = unit.ancestor_ids[0]
            if root not in self._institutions:
                self._institutions[root] = Unit.objects.get(pk=root)
        return self.units[unit.pk]

    def calendar(self, unit: Unit) -> workcalendar.UnitCalendar:
        if unit.pk not in self._calendars:
            root = unit.ancestor_ids[0]
            if root not in self._holidays:
                institution = self._institutions[root]
                self._holidays[root] = workcalendar.holidays_between(institution, self.start, self.end)
                self._ramadan[root] = workcalendar.ramadan_periods(root, self.start, self.end)
            self._calendars[unit.pk] = workcalendar.UnitCalendar(
                unit, self.start, self.end, chain=self._chains[unit.pk], holidays=self._holidays[root],
                ramadan=self._ramadan[root])
        return self._calendars[unit.pk]

    def window(self, employee_id: int) -> tuple[dt.date | None, dt.date | None]:
        return self._windows.get(employee_id, (None, None))

    def counts(self, employee_id: int, day: dt.date) -> bool:
        """Whether attendance counts for this person on this day (their records window)."""
        return in_window(self.window(employee_id), day)

    def planned(self, employee_id: int, unit: Unit, day: dt.date) -> PlannedDay:
        calendar = self.calendar(unit)
        holiday = calendar.holidays.get(day)
        version = calendar.pattern(day).id
        if (employee_id, day) in self._roster:
            shift = self._roster[employee_id, day]
            return PlannedDay(shift_hours(shift) if shift else None, holiday, version, rostered=True)
        return PlannedDay(calendar.hours(day), holiday, version)

    def rostered_days(self) -> dict[int, set[dt.date]]:
        out = defaultdict(set)
        for employee_id, day in self._roster:
            out[employee_id].add(day)
        return out


def planned_day(employee: Employee, day: dt.date) -> PlannedDay:
    """One person's plan for one day (check-in, the today card)."""
    return Schedules([employee], day, day).planned(employee.pk, employee.unit, day)


def expected_rows(people, start: dt.date, last: dt.date) -> dict[int, int]:
    """How many status rows each person should have in [start, last]: their scheduled days and
    holidays inside their records window (punches off schedule add rows; this is a floor).

    Cheap at any size: people of one unit without roster entries share one day list (the unit's
    pattern and holidays), counted per person by their window; only rostered people are planned
    one by one.
    """
    import bisect

    rows = list(people.values_list("pk", "unit_id", "records_start", "records_end"))
    if not rows or last < start:
        return {}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r[1] for r in rows})}
    go_live = dict(Unit.objects.filter(pk__in={u.ancestor_ids[0] for u in units.values()}).values_list(
        "pk", "attendance_from"))
    rostered = set(RosterEntry.objects.filter(employee_id__in=[r[0] for r in rows], date__range=(start, last))
                   .values_list("employee_id", flat=True).distinct())
    plain = Schedules([], start, last, extra_units=units.values())
    days_of: dict[int, list[dt.date]] = {}
    out = {}
    for pk, unit_id, own_start, own_end in rows:
        window = (max([d for d in (own_start, go_live.get(units[unit_id].ancestor_ids[0])) if d], default=None),
                  own_end)
        first = max(start, window[0]) if window[0] else start
        end = min(last, window[1]) if window[1] else last
        if end < first:
            out[pk] = 0
            continue
        if pk in rostered:
            out[pk] = None  # counted below, one by one
            continue
        if unit_id not in days_of:
            calendar = plain.calendar(units[unit_id])
            days_of[unit_id] = [d for d in (start + dt.timedelta(days=i) for i in range((last - start).days + 1))
                                if calendar.hours(d) is not None or d in calendar.holidays]
        days = days_of[unit_id]
        out[pk] = bisect.bisect_right(days, end) - bisect.bisect_left(days, first)
    pending = [pk for pk, n in out.items() if n is None]
    if pending:
        people_rostered = list(Employee.objects.filter(pk__in=pending).select_related("unit"))
        plans = Schedules(people_rostered, start, last)
        for person in people_rostered:
            out[person.pk] = _planned_count(plans, person, start, last)
    return out


def _planned_count(plans: Schedules, person: Employee, start: dt.date, last: dt.date) -> int:
    unit, n = plans.units[person.unit_id], 0
    for i in range((last - start).days + 1):
        day = start + dt.timedelta(days=i)
        if plans.counts(person.pk, day):
            planned = plans.planned(person.pk, unit, day)
            n += planned.hours is not None or planned.holiday is not None
    return n
