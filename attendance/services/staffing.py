"""Daily staffing per unit: minimums in Python once per unit and policy version, counts and
the upsert in one SQL statement.

Work is proportional to units × days, never to employees: headcounts and plan counts are
GROUP BY queries. Python computes only what needs the policy tree (each unit-day's minimum);
the database joins those (unit, day, headcount, minimum) rows with the plan counts and
upserts the snapshots in one ``INSERT … SELECT``, so the 40,000 aggregated rows of a month
never travel to Python and back (docs/benchmarks.md, "Staffing").
"""

from __future__ import annotations

import datetime as dt
import io
from bisect import bisect_right
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from attendance.models import ABSENCE_COLUMNS, StaffingSnapshot, UnitStaffChange
from attendance.rules import STAFFING_AT_RISK, STAFFING_BELOW, STAFFING_OK
from portal.models import Employee, Unit, WorkPattern
from portal.selectors import workcalendar
from scheduling import rules as scheduling_rules
from scheduling import selectors as scheduling

FLEX_COLUMNS = {"WFH": "wfh", "WFA": "wfa", "KANTOR_LAIN": "other_office"}
KIND_COLUMNS = {**FLEX_COLUMNS, **ABSENCE_COLUMNS}  # plan kind -> snapshot column
COUNT_COLUMNS = list(KIND_COLUMNS.values())
UPDATE_FIELDS = ["headcount", "in_office", *COUNT_COLUMNS, "pending", "minimum", "status", "computed_at"]
INSERT_COLUMNS = ["unit_id", "date", *UPDATE_FIELDS]
STAGING = "staffing_minimum_in"  # temp table (one per connection): unit, date, headcount, minimum


def _headcounts(unit_ids) -> dict[int, int]:
    from django.db.models import Count

    qs = Employee.objects.filter(is_active=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return dict(qs.values_list("unit").annotate(n=Count("id")).values_list("unit", "n").order_by())


def _working_days_by_unit(units: list[Unit], start, end) -> dict[int, list[dt.date]]:
    """Each unit's working days. Units whose ancestors set the same working patterns share one
    list (usually a whole institution), so a thousand units cost a handful of calendars."""
    with_patterns = set(WorkPattern.objects.values_list("unit_id", flat=True).distinct())
    by_key: dict[tuple, list[dt.date]] = {}
    out = {}
    for unit in units:
        chain = unit.ancestor_ids or [unit.pk]
        key = (chain[0], tuple(a for a in chain if a in with_patterns))
        if key not in by_key:
            by_key[key] = workcalendar.working_days(unit, start, end)
        out[unit.pk] = by_key[key]
    return out


def compute_staffing(start: dt.date, end: dt.date, unit_ids=None, only_days=None) -> int:
    """Recompute snapshots for every (unit, working day) in the range; returns rows written.

    ``only_days`` (a set of (unit_id, date)) limits the write to those unit-days.
    """
    units = list(Unit.objects.filter(is_active=True) if unit_ids is None
                 else Unit.objects.filter(pk__in=list(unit_ids)))
    if not units:
        return 0
    ids = None if unit_ids is None else [u.pk for u in units]
    headcounts = _headcounts(ids)
    minimum_of = _MinimumLookup(scheduling.all_policy_rows(), scheduling.emergencies_between(start, end))
    workdays = _working_days_by_unit(units, start, end)
    rows = []
    for unit in units:
        headcount = headcounts.get(unit.pk, 0)
        minimum_on = minimum_of(unit, headcount)
        for day in workdays[unit.pk]:
            if only_days is None or (unit.pk, day) in only_days:
                rows.append((unit.pk, day, headcount, minimum_on(day)))
    return _upsert(rows, start, end, ids)


class _MinimumLookup:
    """Each unit-day's minimum in office, merging each distinct policy version once.

    The merged policy depends only on which policy rows are in force (and the emergency, if
    any), not on the unit that inherits them, so the merges are shared by every unit of an
    institution, and :func:`required_in_office` runs once per unit, version and weekday.
    """

    def __init__(self, policies, emergencies):
        self.policies, self.emergencies = policies, emergencies
        self.merged: dict[tuple, scheduling_rules.Policy] = {}

    def __call__(self, unit: Unit, headcount: int):
        ancestors = set(unit.ancestor_ids)
        rows = sorted((r for r in self.policies if r.unit_id in ancestors), key=lambda r: (r.effective_from, r.pk))
        starts = [r.effective_from for r in rows]
        versions = [tuple(sorted(r.pk for r in rows[:k])) for k in range(len(rows) + 1)]
        emergencies = [e for e in self.emergencies if any(u.pk in ancestors for u in e.units.all())]
        minimums: dict[tuple, int] = {}  # this unit's (version, emergency, weekday) -> minimum

        def minimum_on(day: dt.date) -> int:
            emergency = next((e for e in emergencies if e.start <= day <= e.last_day), None)
            key = (versions[bisect_right(starts, day)], emergency and emergency.pk)
            found = minimums.get((key, day.weekday()))
            if found is None:
                if key not in self.merged:
                    policy = scheduling.policy_for(unit, day, rows)
                    self.merged[key] = scheduling.emergency_applied(unit, day, policy, emergencies)
                found = minimums[key, day.weekday()] = scheduling_rules.required_in_office(
                    self.merged[key], day.weekday(), headcount)
            return found

        return minimum_on


def _upsert(rows: list[tuple], start, end, unit_ids) -> int:
    """Stage the (unit, date, headcount, minimum) rows, then one INSERT … SELECT joins them with
    :func:`scheduling.selectors.plan_counts` and upserts the snapshots, in one transaction.

    On PostgreSQL the rows are COPYed into the temp table (a 40,000-row VALUES list costs more
    to interpolate and parse than the whole statement). A row is rewritten only when one of its
    numbers changed: the nightly pass mostly confirms yesterday's numbers, and an unchanged row
    then costs no write (``computed_at`` = the last change).
    """
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        _stage(cursor, rows)
        sql, params = _upsert_sql(start, end, unit_ids)
        cursor.execute(sql, params)
    return len(rows)


def _stage(cursor, rows: list[tuple]) -> None:
    """Fill the connection's temp table (emptied first: inside an outer transaction, as in tests,
    ON COMMIT would never clear it)."""
    qn = connection.ops.quote_name
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (unit_id integer NOT NULL, "
                   f"{qn('date')} date NOT NULL, headcount integer NOT NULL, minimum integer NOT NULL)")
    if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
        cursor.execute(f"TRUNCATE {STAGING}")
        # Text format is safe here: ints and ISO dates.
        data = io.StringIO("".join(f"{u}\t{d}\t{h}\t{m}\n" for u, d, h, m in rows))
        cursor.cursor.copy_expert(f"COPY {STAGING} FROM STDIN", data)
        cursor.execute(f"ANALYZE {STAGING}")  # a temp table has no statistics otherwise
    else:
        cursor.execute(f"DELETE FROM {STAGING}")  # noqa: S608  # nosec B608  # our own identifier
        adapt = connection.ops.adapt_datefield_value
        cursor.executemany(f"INSERT INTO {STAGING} VALUES (%s, %s, %s, %s)",  # noqa: S608  # nosec B608
                           [(u, adapt(d), h, m) for u, d, h, m in rows])


def _upsert_sql(start, end, unit_ids) -> tuple[str, list]:
    """INSERT … SELECT … ON CONFLICT DO UPDATE of every staged unit-day. The status is
    :func:`attendance.rules.staffing_status` written as a CASE (same codes, same order of tests;
    tests/attendance/test_staffing.py compares the two)."""
    qn = connection.ops.quote_name
    table, columns = qn(StaffingSnapshot._meta.db_table), ", ".join(qn(c) for c in INSERT_COLUMNS)
    plans, plan_params = scheduling.plan_counts(start, end, unit_ids).query.sql_with_params()
    counts = ", ".join(f"COALESCE(p.{qn(kind)}, 0) AS {qn(col)}" for kind, col in KIND_COLUMNS.items())
    away = " + ".join(f"COALESCE(p.{qn(kind)}, 0)" for kind in KIND_COLUMNS)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"{table}.{qn(c)} {distinct} EXCLUDED.{qn(c)}" for c in UPDATE_FIELDS
                          if c != "computed_at")
    # Only our own identifiers and the compiled plan_counts query are interpolated; every value
    # is a parameter. "WHERE true" lets SQLite parse ON CONFLICT after INSERT … SELECT.
    sql = (f"INSERT INTO {table} ({columns}) "  # noqa: S608  # nosec B608
           f"SELECT unit_id, {qn('date')}, headcount, in_office, {', '.join(qn(c) for c in COUNT_COLUMNS)}, "
           f"pending, minimum, CASE WHEN in_office < minimum THEN %s WHEN in_office - pending < minimum THEN %s "
           f"ELSE %s END, %s FROM ("
           f"SELECT s.unit_id, s.{qn('date')}, s.headcount, s.headcount - ({away}) AS in_office, {counts}, "
           f"COALESCE(p.pending, 0) AS pending, s.minimum FROM {STAGING} s "
           f"LEFT JOIN ({plans}) p ON p.unit_id = s.unit_id AND p.{qn('date')} = s.{qn('date')}) x WHERE true "
           f"ON CONFLICT ({qn('unit_id')}, {qn('date')}) DO UPDATE SET "
           + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in UPDATE_FIELDS) + f" WHERE {changed}")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return sql, [STAFFING_BELOW, STAFFING_AT_RISK, STAFFING_OK, now, *plan_params]


def units_mark_changed(unit_ids) -> None:
    """Remember (in the caller's transaction) that these units' staff changed."""
    now = timezone.now()
    UnitStaffChange.objects.bulk_create([UnitStaffChange(unit_id=u, changed_at=now) for u in set(unit_ids)],
                                        update_conflicts=True, unique_fields=["unit"], update_fields=["changed_at"])


def refresh_changed() -> int:
    """Recompute the unit-days scheduling marked changed and the units whose staff changed, then
    mark them clean. Safe twice."""
    return _refresh_changed_units() + _refresh_changed_unit_days()


def _refresh_changed_units(past_days: int = 28, future_days: int = 28) -> int:
    """Units whose headcount changed: their whole nightly window, then forget them (unless they
    changed again meanwhile: the conditional delete keeps a newer change)."""
    rows = list(UnitStaffChange.objects.values_list("unit_id", "changed_at"))
    if not rows:
        return 0
    today = timezone.localdate()
    written = compute_staffing(today - dt.timedelta(days=past_days), today + dt.timedelta(days=future_days),
                               unit_ids=[u for u, _at in rows])
    for unit_id, changed_at in rows:
        UnitStaffChange.objects.filter(unit_id=unit_id, changed_at=changed_at).delete()
    return written


def _refresh_changed_unit_days() -> int:
    from scheduling.services import unit_days_mark_clean

    changed = scheduling.changed_unit_days()
    if not changed:
        return 0
    by_unit: dict[int, set] = defaultdict(set)
    for _pk, unit_id, day, _at in changed:
        by_unit[unit_id].add(day)
    days = {(u, d) for u, ds in by_unit.items() for d in ds}
    start, end = min(d for _, d in days), max(d for _, d in days)
    written = compute_staffing(start, end, unit_ids=by_unit.keys(), only_days=days)
    _recompute_past_day_statuses(by_unit)
    unit_days_mark_clean([(pk, at) for pk, _u, _d, at in changed])
    return written


def _recompute_past_day_statuses(by_unit: dict[int, set]) -> None:
    """A plan decided for today or a past day changes that day's attendance status too."""
    from attendance.services.day_status import recompute_units

    # WIT is two hours ahead of the server's WIB date; compute_day_statuses stops at
    # each unit's own local today anyway.
    today = timezone.localdate() + dt.timedelta(days=1)
    for unit_id, days in by_unit.items():
        past = [d for d in days if d <= today]
        if past:
            recompute_units([unit_id], min(past), max(past))


def compute_window(today: dt.date, past_days: int = 28, future_days: int = 28) -> int:
    """The nightly full pass: the past four weeks and the coming four."""
    return compute_staffing(today - dt.timedelta(days=past_days), today + dt.timedelta(days=future_days))
