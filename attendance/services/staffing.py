"""Daily staffing per unit: aggregate in SQL, compute minimums per unit-day, upsert in bulk.

Work is proportional to units × days, never to employees: headcounts and plan counts are
GROUP BY queries, and the snapshot rows are written with one bulk upsert per batch.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from attendance.models import ABSENCE_COLUMNS, StaffingSnapshot, UnitStaffChange
from attendance.rules import staffing_status
from portal.models import Employee, Unit, WorkPattern
from portal.selectors import workcalendar
from scheduling import rules as scheduling_rules
from scheduling import selectors as scheduling

FLEX_COLUMNS = {"WFH": "wfh", "WFA": "wfa", "KANTOR_LAIN": "other_office"}
COUNT_COLUMNS = ["wfh", "wfa", "other_office", *ABSENCE_COLUMNS.values()]
UPDATE_FIELDS = ["headcount", "in_office", *COUNT_COLUMNS, "pending", "minimum", "status", "computed_at"]
INSERT_COLUMNS = ["unit_id", "date", *UPDATE_FIELDS]
STAGING = "staffing_snapshot_in"  # PostgreSQL temp table for COPY, one per connection
BATCH = 2000
COPY_BATCH = 50_000  # ~5 MB of text per COPY at 100,000 employees


def _headcounts(unit_ids) -> dict[int, int]:
    from django.db.models import Count

    qs = Employee.objects.filter(is_active=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return dict(qs.values_list("unit").annotate(n=Count("id")).values_list("unit", "n").order_by())


def _plan_table(start, end, unit_ids) -> dict[tuple[int, dt.date], dict[str, int]]:
    """(unit, date) -> snapshot column counts, from one aggregated row per unit-day."""
    kinds = {**FLEX_COLUMNS, **ABSENCE_COLUMNS}
    table = {}
    for row in scheduling.plan_counts(start, end, unit_ids):
        counts = {column: row[kind] for kind, column in kinds.items()}
        counts["pending"] = row["pending"]
        table[(row["unit_id"], row["date"])] = counts
    return table


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
    plans = _plan_table(start, end, ids)
    policies = scheduling.all_policy_rows()
    emergencies = scheduling.emergencies_between(start, end)  # an overlay on the rules while in force
    workdays = _working_days_by_unit(units, start, end)
    now = timezone.now()
    rows = []
    for unit in units:
        headcount = headcounts.get(unit.pk, 0)
        policy_on = _policy_lookup(unit, policies, emergencies)
        for day in workdays[unit.pk]:
            if only_days is not None and (unit.pk, day) not in only_days:
                continue
            rows.append(_snapshot_row(unit.pk, day, headcount, plans.get((unit.pk, day), {}), policy_on(day), now))
    return _upsert(rows)


def _policy_lookup(unit: Unit, policies, emergencies=()):
    """A day -> Policy function for one unit, merging each distinct set of rows once."""
    ancestors = set(unit.ancestor_ids)
    rows = [r for r in policies if r.unit_id in ancestors]
    merged: dict[tuple, scheduling_rules.Policy] = {}

    def policy_on(day: dt.date) -> scheduling_rules.Policy:
        in_force = tuple(sorted(r.pk for r in rows if r.effective_from <= day))
        if in_force not in merged:
            merged[in_force] = scheduling.policy_for(unit, day, rows)
        return scheduling.emergency_applied(unit, day, merged[in_force], emergencies)

    return policy_on


def _snapshot_row(unit_id, day, headcount, counts, policy, now) -> tuple:
    """One snapshot as a tuple in :data:`INSERT_COLUMNS` order."""
    minimum = scheduling_rules.required_in_office(policy, day.weekday(), headcount)
    column_counts = [counts.get(c, 0) for c in COUNT_COLUMNS]
    in_office = headcount - sum(column_counts)
    pending = counts.get("pending", 0)
    return (unit_id, day, headcount, in_office, *column_counts, pending, minimum,
            staffing_status(in_office, minimum, pending), now)


def _upsert(rows: list[tuple]) -> int:
    """Insert or update the snapshot rows, one transaction per batch.

    The INSERT … ON CONFLICT that ``bulk_create(update_conflicts=True)`` would send, built
    by hand: at 100,000 employees (40,000 unit-days) the ORM spent ~3/4 of the job preparing
    900,000 values one field at a time. On PostgreSQL a batch is COPYed into a temporary
    table first, several times cheaper than a 46,000-parameter VALUES list (docs/benchmarks.md).
    """
    qn = connection.ops.quote_name
    table = qn(StaffingSnapshot._meta.db_table)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    # Rewrite only rows whose numbers changed: the nightly pass mostly confirms yesterday's
    # numbers, and an unchanged row then costs no write (computed_at = last change).
    changed = " OR ".join(f"{table}.{qn(c)} {distinct} EXCLUDED.{qn(c)}" for c in UPDATE_FIELDS
                          if c != "computed_at")
    conflict = (f"ON CONFLICT ({qn('unit_id')}, {qn('date')}) DO UPDATE SET "  # nosec B608  # our own identifiers only
                + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in UPDATE_FIELDS) + f" WHERE {changed}")
    copy = connection.vendor == "postgresql"
    # COPY streams, so one large batch costs one statement; VALUES lists stay small.
    batch = COPY_BATCH if copy else BATCH
    for i in range(0, len(rows), batch):
        with transaction.atomic(), connection.cursor() as cursor:
            if copy and hasattr(cursor.cursor, "copy_expert"):
                _copy_batch(cursor, rows[i:i + batch], conflict)
            else:
                _values_batch(cursor, rows[i:i + batch], conflict)
    return len(rows)


def _names() -> tuple[str, str]:
    qn = connection.ops.quote_name
    return qn(StaffingSnapshot._meta.db_table), ", ".join(qn(c) for c in INSERT_COLUMNS)


def _copy_batch(cursor, batch: list[tuple], conflict: str) -> None:
    """psycopg2: COPY into a session temp table (emptied first: inside an outer transaction,
    as in tests, ON COMMIT would never clear it), then one INSERT … SELECT."""
    table, columns = _names()
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} AS "  # noqa: S608  # nosec B608  # our own identifiers only
                   f"SELECT {columns} FROM {table} WITH NO DATA")
    cursor.execute(f"TRUNCATE {STAGING}")
    # Text format is safe here: ints, ISO dates, an aware datetime and a status code.
    data = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in batch))
    cursor.cursor.copy_expert(f"COPY {STAGING} ({columns}) FROM STDIN", data)
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING} {conflict}")  # noqa: S608  # nosec B608  # our own identifiers only


def _values_batch(cursor, batch: list[tuple], conflict: str) -> None:
    """Other databases: multi-row VALUES, as many rows per statement as parameters allow."""
    table, columns = _names()
    ops = connection.ops
    placeholders = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    max_params = connection.features.max_query_params
    per_statement = min(BATCH, max_params // len(INSERT_COLUMNS)) if max_params else BATCH
    date_at, now_at = INSERT_COLUMNS.index("date"), INSERT_COLUMNS.index("computed_at")
    for j in range(0, len(batch), per_statement):
        chunk = batch[j:j + per_statement]
        params = []
        for row in chunk:
            row = list(row)
            row[date_at] = ops.adapt_datefield_value(row[date_at])
            row[now_at] = ops.adapt_datetimefield_value(row[now_at])
            params += row
        values = ", ".join([placeholders] * len(chunk))
        # Only our own column names are interpolated; every value is a parameter.
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}", params)  # noqa: S608  # nosec B608  # values are parameters


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
