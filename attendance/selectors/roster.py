"""The roster as the supervisor and HR see it: who they may roster, which shifts, a month grid.

A supervisor (or their Plh/Plt) rosters their direct reports; HR rosters everyone in their
subtree. The shifts a person may work are those of their unit and of the units above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from attendance.models import RosterEntry, Shift
from attendance.selectors.schedule import Schedules
from portal.models import Employee, Unit
from portal.selectors import employees_visible_to, hr_scope_units
from portal.selectors.closures import closures_on_days
from scheduling import selectors as scheduling


def shifts_for_unit(unit: Unit) -> QuerySet[Shift]:
    """Shifts defined on the unit or any unit above it (nearest first in the page)."""
    return Shift.objects.filter(unit_id__in=unit.ancestor_ids or [unit.pk]).select_related("unit").order_by(
        "start", "code")


def rosterable_employees(user, unit: Unit) -> QuerySet[Employee]:
    """People of ``unit``'s subtree whom ``user`` may roster (active, ordered by name)."""
    people = Employee.objects.filter(unit__path__startswith=unit.path, is_active=True).select_related("unit")
    if getattr(user, "is_superuser", False):
        return people.order_by("name")
    q = Q(pk__in=[])
    if hr_scope_units(user):
        q |= Q(pk__in=employees_visible_to(user).values("pk"))
    approvers = list(scheduling.represented_approvers(user))
    if approvers:
        q |= Q(supervisor_id__in=approvers)
    return people.filter(q).exclude(user=user).order_by("name")


def roster_units_for(user) -> list[Unit]:
    """Units whose roster the user may open: HR's scope, and the units of their own reports."""
    if getattr(user, "is_superuser", False):
        return list(Unit.objects.filter(is_active=True).order_by("path")[:300])
    ids = set(Unit.objects.filter(pk__in=[u.pk for u in hr_scope_units(user)]).values_list("pk", flat=True))
    approvers = list(scheduling.represented_approvers(user))
    if approvers:
        ids |= set(Employee.objects.filter(supervisor_id__in=approvers, is_active=True)
                   .values_list("unit_id", flat=True))
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


@dataclass
class RosterRow:
    employee: Employee
    cells: list[dict] = field(default_factory=list)  # per day: code, planned hours label, holiday
    unscheduled: int = 0  # working days of a shift unit with no roster entry


@dataclass
class RosterMonth:
    unit: Unit
    first: dt.date
    last: dt.date
    days: list[dt.date]
    rows: list[RosterRow]
    shifts: list[Shift]
    holidays: dict
    closed: object | None  # the MonthClosure in force, if any
    pattern_kind: str


def roster_month(user, unit: Unit, first: dt.date) -> RosterMonth:
    """A month of the roster for the people ``user`` may roster in ``unit``, with each day's
    entry (shift code, "L" for a day off) or, without one, what the pattern gives."""
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    people = list(rosterable_employees(user, unit))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    schedules = Schedules(people, first, last, extra_units=[unit])
    entries = {(r.employee_id, r.date): r for r in RosterEntry.objects.filter(
        employee__in=people, date__range=(first, last)).select_related("shift")}
    calendar = schedules.calendar(unit)
    rows = []
    for person in people:
        row = RosterRow(person)
        for day in days:
            entry = entries.get((person.pk, day))
            planned = schedules.planned(person.pk, schedules.units[person.unit_id], day)
            counts = schedules.counts(person.pk, day)
            code = (entry.shift.code if entry.shift_id else "L") if entry else ""
            row.cells.append({"day": day, "code": code, "counts": counts, "hours": planned.hours,
                              "holiday": planned.holiday})
            if not entry and counts and calendar.pattern(day).kind == "shift" and planned.hours is None:
                row.unscheduled += 1  # a shift unit works every day: each one needs an entry
        rows.append(row)
    closed = closures_on_days(unit, [first]).first()
    return RosterMonth(unit, first, last, days, rows, list(shifts_for_unit(unit)), calendar.holidays, closed,
                       calendar.pattern(first).kind)
