"""Derive and store day statuses: the one place a DayStatus row is written or removed.

For each employee-day in a range: the plan (:mod:`attendance.selectors.schedule`), the punch (or
an approved correction of it), the approved plan kind (WFH, cuti…), approved partial-day
permissions, and the institution's rules version in force that day go into the pure
:func:`attendance.rules.derive_day`. Days inside a closed month are never touched; days outside
the person's records window have no row (an existing one is removed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from attendance import rules
from attendance.models import (
    AttendanceRules,
    BandKind,
    Correction,
    CorrectionStatus,
    DayStatus,
    PartialPermission,
    PermissionStatus,
    Punch,
)
from attendance.selectors.schedule import PlannedDay, Schedules
from portal.models import Employee, Unit
from portal.selectors.closures import ClosedBook
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS, FLEXIBLE_KINDS

# The columns one status row writes, in the order _status_row builds its tuple.
COLUMNS = ["employee_id", "date", "unit_id", "code", "work_mode", "absence_kind", "tl_level", "tl_minutes",
           "psw_level", "psw_minutes", "missing_in", "missing_out", "deduction_percent", "note", "pattern_version",
           "rules_version", "shift_code", "holiday_duty", "off_schedule", "implausible", "permission", "computed_at"]
UPSERT_PAGE = 2000


# --- Rules versions ---------------------------------------------------------------------------


def _day_rules(row: AttendanceRules) -> rules.DayRules:
    def bands(kind):
        return tuple(rules.BandRule(b.level, b.from_minute, b.to_minute, b.deduction_percent)
                     for b in row.bands.all() if b.kind == kind)

    return rules.DayRules(tl=bands(BandKind.TL) or rules.DEFAULT_TL, psw=bands(BandKind.PSW) or rules.DEFAULT_PSW,
                          min_stay_minutes=row.min_stay_minutes, latest_check_in_minutes=row.latest_check_in_minutes,
                          implausible_status=row.implausible_status, tk_deduction=row.tk_deduction_percent,
                          daily_cap=row.daily_cap_percent, version=row.pk)


class RulesVersions:
    """Every rules version of some institutions, answering "which rules on this date"."""

    def __init__(self, institution_ids):
        self._versions: dict[int, list[tuple[dt.date, rules.DayRules]]] = {}
        rows = AttendanceRules.objects.filter(institution_id__in=set(institution_ids)).prefetch_related("bands")
        for row in sorted(rows, key=lambda r: r.effective_from, reverse=True):
            self._versions.setdefault(row.institution_id, []).append((row.effective_from, _day_rules(row)))

    def on(self, institution_id: int, day: dt.date) -> rules.DayRules:
        for effective_from, version in self._versions.get(institution_id, ()):
            if effective_from <= day:
                return version
        return rules.DEFAULT_RULES


def rules_on(institution_id: int, day: dt.date) -> rules.DayRules:
    return RulesVersions([institution_id]).on(institution_id, day)


# --- Computing ----------------------------------------------------------------------------------


class _Inputs:
    """What the statuses of a batch are derived from, read in bulk (one query each)."""

    def __init__(self, ids: list[int], start: dt.date, end: dt.date):
        span = {"employee_id__in": ids, "date__range": (start, end)}
        self.punches = {(p.employee_id, p.date): p for p in Punch.objects.filter(**span).select_related("unit")}
        self.corrections = {(c.employee_id, c.date): c for c in Correction.objects.filter(
            status=CorrectionStatus.APPROVED, **span).order_by("decided_at")}
        self.plan = scheduling.approved_plan_for(ids, start, end)
        self.permits: dict[tuple[int, dt.date], list[PartialPermission]] = {}
        for p in PartialPermission.objects.filter(status=PermissionStatus.APPROVED, **span):
            self.permits.setdefault((p.employee_id, p.date), []).append(p)
        self.existing = {(r["employee_id"], r["date"]): r for r in DayStatus.objects.filter(**span).values(
            "pk", "employee_id", "date", "unit_id")}


def _effective_times(punch: Punch | None, correction: Correction | None):
    check_in = punch.check_in_at if punch else None
    check_out = punch.check_out_at if punch else None
    if correction is not None:
        check_in = correction.check_in_at or check_in
        check_out = correction.check_out_at or check_out
    return check_in, check_out


def _at(day: dt.date, t: dt.time | None, schedule: rules.Schedule | None, tz) -> dt.datetime | None:
    """A permission's time on the day; on an overnight shift, a time before the shift's start is
    the next morning."""
    if t is None:
        return None
    moment = dt.datetime.combine(day, t, tzinfo=tz)
    if schedule is not None and schedule.end.date() > day and moment < schedule.start:
        moment += dt.timedelta(days=1)
    return moment


def _permits(rows: list[PartialPermission], day, schedule, tz) -> tuple[rules.Permit, ...]:
    return tuple(rules.Permit(p.kind, _at(day, p.start_time, schedule, tz), _at(day, p.end_time, schedule, tz))
                 for p in rows)


def _finished(schedule: rules.Schedule | None, day: dt.date, today: dt.date, tz) -> bool:
    """The day is over once the local date has passed the scheduled end's date (an overnight
    shift is over the morning after it ends)."""
    last = schedule.end.astimezone(tz).date() if schedule is not None else day
    return today > last


class _Unit:
    """The unit a person-day is counted in: the unit the punch was recorded in, else the unit
    the row was last computed in, else today's unit (a move never rewrites where a past day
    was worked)."""

    def __init__(self, schedules: Schedules, inputs: _Inputs):
        self.schedules, self.inputs = schedules, inputs
        self._by_id: dict[int, Unit] = dict(schedules.units)

    def of(self, employee: Employee, day: dt.date) -> Unit:
        punch = self.inputs.punches.get((employee.pk, day))
        if punch is not None:
            return self._get(punch.unit_id, punch.unit)
        row = self.inputs.existing.get((employee.pk, day))
        if row is not None and row["unit_id"] != employee.unit_id:
            return self._get(row["unit_id"], None)
        return employee.unit

    def _get(self, unit_id: int, unit: Unit | None) -> Unit:
        if unit_id not in self._by_id:
            self._by_id[unit_id] = self.schedules.add_unit(unit or Unit.objects.get(pk=unit_id))
        return self._by_id[unit_id]


def compute_day_statuses(employees: list[Employee], start: dt.date, end: dt.date) -> int:
    """Derive and upsert DayStatus for employees over [start, end] (never beyond their local
    today, never inside a closed month); remove rows that should not exist. Returns rows written."""
    if not employees or end < start:
        return 0
    # Taken before the inputs are read: a row's computed_at is never later than the facts it was
    # derived from, which is what day_status_fresh compares the latest punch with.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows, keep, inputs = _derive(employees, start, end, now)
    _remove_unwanted(inputs, keep, end=min(end, max(e.unit.local_today() for e in employees)))
    _upsert(rows)
    return len(rows)


def _derive(employees: list[Employee], start: dt.date, end: dt.date, now) -> tuple[list[tuple], set, _Inputs]:
    """The status rows of employees over [start, end] and the keys to keep; nothing written."""
    ids = [e.pk for e in employees]
    schedules = Schedules(employees, start, end)
    for employee in employees:  # one Unit object per unit: its time zone is resolved once
        employee.unit = schedules.units[employee.unit_id]
    inputs = _Inputs(ids, start, end)
    closed = ClosedBook(start, end)
    versions = RulesVersions({u.ancestor_ids[0] for u in schedules.units.values()})
    where = _Unit(schedules, inputs)
    rows, keep = [], set()
    for employee in employees:
        today = employee.unit.local_today()
        for day in _days(start, min(end, today)):
            unit = where.of(employee, day)
            if closed and (closed.closed(unit, day) or closed.closed(employee.unit, day)):
                keep.add((employee.pk, day))
                continue
            if not schedules.counts(employee.pk, day):
                continue
            row = _status_row(employee, unit, day, schedules.planned(employee.pk, unit, day), inputs,
                              versions.on(unit.ancestor_ids[0], day), today, now)
            if row is not None:
                rows.append(row)
                keep.add((employee.pk, day))
    return rows, keep, inputs


def _upsert(rows: list[tuple]) -> None:
    """One INSERT … ON CONFLICT DO UPDATE per page of rows, from plain tuples: building model
    instances and letting the ORM prepare every field of every row cost more than deriving them
    (bench/recompute_bench.py)."""
    if not rows:
        return
    table = connection.ops.quote_name(DayStatus._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (connection.ops.quote_name(c) for c in COLUMNS[2:]))
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608  # nosec B608  # our own identifiers only
    tail = f" ON CONFLICT (employee_id, date) DO UPDATE SET {updates}"  # nosec B608  # our own identifiers only
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, head + "%s" + tail, rows, page_size=UPSERT_PAGE)
        else:
            one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
            for i in range(0, len(rows), UPSERT_PAGE):
                cursor.executemany(head + one + tail, rows[i:i + UPSERT_PAGE])


def _remove_unwanted(inputs: _Inputs, keep: set, end: dt.date) -> None:
    """Rows the range no longer has a status for: outside the records window, or a day that is
    no longer scheduled (a pattern or roster changed). Closed months are in ``keep``."""
    stale = [r["pk"] for key, r in inputs.existing.items() if key not in keep and key[1] <= end]
    for i in range(0, len(stale), 2000):
        DayStatus.objects.filter(pk__in=stale[i:i + 2000]).delete()


def _days(start: dt.date, end: dt.date):
    for i in range((end - start).days + 1):
        yield start + dt.timedelta(days=i)


def _status_row(employee, unit, day, planned: PlannedDay, inputs: _Inputs, day_rules: rules.DayRules,
                today, now) -> tuple | None:
    key = (employee.pk, day)
    tz = unit.tzinfo
    check_in, check_out = _effective_times(inputs.punches.get(key), inputs.corrections.get(key))
    kind = inputs.plan.get(key)
    schedule = planned.schedule(day, tz)
    holiday = planned.holiday
    result = rules.derive_day(rules.DayInput(
        date=day, schedule=schedule, holiday_kind=holiday.kind if holiday else None,
        holiday_name=holiday.name if holiday else "",
        absence_kind=kind if kind in ABSENCE_KINDS else None,
        flexible_kind=kind if kind in FLEXIBLE_KINDS else None,
        check_in=check_in, check_out=check_out, finished=_finished(schedule, day, today, tz),
        permits=_permits(inputs.permits.get(key, []), day, schedule, tz)), day_rules)
    if result is None:
        return None
    ops = connection.ops
    return (employee.pk, ops.adapt_datefield_value(day), unit.pk, result.code, result.work_mode, result.absence_kind,
            result.tl_level, result.tl_minutes, result.psw_level, result.psw_minutes, result.missing_in,
            result.missing_out, ops.adapt_decimalfield_value(Decimal(result.deduction), 5, 2), result.note,
            planned.pattern_version, day_rules.version, result.shift_code, result.holiday_duty, result.off_schedule,
            result.implausible, result.permission, now)


def recompute_day(employee: Employee, day: dt.date) -> None:
    compute_day_statuses([employee], day, day)


# A row computed less than this after the latest punch may have read the facts just before the
# punch committed (its computed_at is taken before its reads, the punch's time before its commit).
FRESH_MARGIN = dt.timedelta(seconds=60)


def _latest_punch_at(punch: Punch | None) -> dt.datetime | None:
    return max((t for t in (punch.check_in_at, punch.check_out_at) if t), default=None) if punch else None


def day_status_fresh(employee: Employee, day: dt.date, punch: Punch | None) -> DayStatus | None:
    """The day's status as its employee should see it now, never older than their latest punch.

    The check-in and check-out derive the status after the commit (a coalesced task, see
    attendance.services.presence), so right after a punch the stored row may lag: then the status
    of this one person-day is derived here from the same facts, in memory, and not written (the
    task writes it). Otherwise the stored row is the answer (one indexed read)."""
    stored = DayStatus.objects.filter(employee=employee, date=day).first()
    latest = _latest_punch_at(punch)
    if latest is None or (stored is not None and stored.computed_at >= latest + FRESH_MARGIN):
        return stored
    now = timezone.now()
    rows, _keep, _inputs = _derive([employee], day, day, now)
    if not rows:  # a closed month keeps its row; outside the records window there is none
        return stored
    derived = DayStatus(**dict(zip(COLUMNS, rows[0], strict=True)))
    derived.date, derived.computed_at = day, now
    derived.deduction_percent = DayStatus._meta.get_field("deduction_percent").to_python(derived.deduction_percent)
    return derived


def recompute_units(unit_ids, start: dt.date, end: dt.date) -> int:
    """Recompute every active employee of the given units (plan change, holiday, band table)."""
    people = list(Employee.objects.filter(unit_id__in=list(unit_ids), is_active=True).select_related("unit"))
    return compute_day_statuses(people, start, end)
