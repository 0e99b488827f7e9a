"""Bench-only shaping of a ``seed_demo`` database for the million benchmark (issue 15, item 7).

``seed_demo --employees N`` builds one institution (PEMKOT) with ~N/50 units, a month of plans
(today - 14 .. today + 14) and punches for at most 5,000 people. The million bench needs more:

- :func:`clone_institution`: several institutions. ``seed_demo`` runs once for N / K employees
  (its shape rules: ~1 unit per 50 employees) and PEMKOT is then copied K - 1 times with
  INSERT … SELECT (units, users, employees, requests and their days, and the settings that point
  at its units), so 1,000,000 = 10 institutions × 100,000 employees × ~2,080 units. Seeding the
  whole million through seed_demo's Python planner is far slower: here it had written no row
  after six minutes.
- :func:`seed_month`: a calendar month of day statuses and punches for every active employee,
  one INSERT … SELECT per working day (no row goes through Python). Absences and work modes come
  from the approved plans where the plans cover the day; elsewhere from fixed shares (1.2 % TK,
  5 % absences, ~8 % late, ~3.5 % early leave, 0.5 % no check-out, 0.3 % no check-in).
  Punch times follow the statuses (the attendance bench's own punch SQL).

Everything here writes straight to the tables: a benchmark of reading and recomputing them, not
of deriving them.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

from bench.attendance_bench import PUNCH_SQL

# What one institution is made of: cloned row for row, ids shifted by a per-table offset.
CLONED = ("portal_unit", "portal_user", "portal_employee", "scheduling_workrequest", "scheduling_requestday")
# Tables that point at a unit but hold people's or derived data: not copied as settings.
NOT_SETTINGS = {
    "portal_employee", "portal_unit", "portal_auditevent", "scheduling_requestday", "scheduling_unitday",
    "scheduling_workrequest", "scheduling_rotaplan", "scheduling_feedtoken", "scheduling_fwawindow_units",
    "scheduling_emergency_units", "attendance_daystatus", "attendance_punch", "attendance_staffingsnapshot",
    "attendance_staffingalert", "attendance_unitstaffchange", "attendance_shift", "attendance_recapfreshness",
    "portal_monthclosure",
}


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _columns(cursor, table: str) -> list[str]:
    return [r[0] for r in _fetch(cursor, "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                                         "AND column_name <> 'id' ORDER BY ordinal_position", (table,))]


def _references(cursor, target: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to ``target``."""
    return _fetch(cursor, """
        SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = %s::regclass""", (target,))


def _foreign_keys(cursor, table: str) -> dict[str, str]:
    """column -> referenced table, for ``table``'s single-column foreign keys."""
    return dict(_fetch(cursor, """
        SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass""", (table,)))


def _shifted(cursor, table: str, shift: dict[str, str], special: dict[str, str] | None = None) -> list[str]:
    """Column expressions: foreign keys into a cloned table shifted (``shift``: table -> SQL)."""
    fks = _foreign_keys(cursor, table)
    out = []
    for column in _columns(cursor, table):
        if special and column in special:
            out.append(special[column])
        elif fks.get(column) in shift:
            out.append(shift[fks[column]].format(c=f'"{column}"'))
        else:
            out.append(f'"{column}"')
    return out


def _copy_rows(cursor, table: str, column: str, old: int, new: int, shift: dict[str, str], depth: int = 0) -> int:
    """Copy the rows of ``table`` whose ``column`` is ``old`` with ``new`` instead, other keys into
    cloned tables shifted, and their child rows (one level: a rules version's bands), ids remapped."""
    cols = _columns(cursor, table)
    listed = ", ".join(f'"{c}"' for c in cols)
    picked = ", ".join(_shifted(cursor, table, shift, {column: "%s"}))
    copied = 0
    for (old_id,) in _fetch(cursor, f'SELECT id FROM {table} WHERE "{column}" = %s ORDER BY id', (old,)):  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {picked} FROM {table} WHERE id = %s "  # noqa: S608
                       "RETURNING id", (new, old_id))
        new_id = cursor.fetchone()[0]
        copied += 1
        if depth == 0:
            for child, child_column in _references(cursor, table):
                copied += _copy_rows(cursor, child, child_column, old_id, new_id, shift, depth + 1)
    return copied


def clone_institution(copies: int, log=print) -> dict:
    """Add ``copies`` institutions, each a copy of PEMKOT (units, users, employees, plans) with
    ids shifted by a round offset per table, unit codes suffixed ``.Di``, logins ``.i``, NIPs
    starting ``3i`` (a real NIP starts with the birth year, 19.. or 20..), and a copy of every
    setting that points at one of its units (rules and bands, calendar, patterns, policies, leave
    settings, the HR admin's scope). Returns {institution code: employees}."""
    from django.db import connection, transaction

    from portal.models import Unit

    root = Unit.objects.get(code="PEMKOT", parent__isnull=True)
    with connection.cursor() as cursor:
        offset = {}
        for table in CLONED:
            top = _fetch(cursor, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]  # noqa: S608
            offset[table] = 10 ** len(str(top))  # a round number above every id: ids read at a glance
        loose_users = [r[0] for r in _fetch(cursor, "SELECT id FROM portal_user WHERE id NOT IN "
                                                    "(SELECT user_id FROM portal_employee WHERE user_id IS NOT NULL)")]
        settings = [(t, c) for t, c in _references(cursor, "portal_unit") if t not in NOT_SETTINGS]
        for i in range(1, copies + 1):
            t0 = time.perf_counter()
            shift = {t: f"{{c}} + {i * offset[t]}" for t in CLONED}
            shift["portal_user"] = (f"CASE WHEN {{c}} = ANY(ARRAY{loose_users or [0]}::bigint[]) THEN {{c}} "
                                    f"ELSE {{c}} + {i * offset['portal_user']} END")
            unit_shift = i * offset["portal_unit"]
            special = {
                "portal_unit": {
                    "code": f"code || '.D{i}'",
                    "name": f"CASE WHEN parent_id IS NULL THEN 'Pemerintah Daerah Demo {i}' ELSE name END",
                    "path": ("'/' || (SELECT string_agg((p::bigint + " + str(unit_shift) + ")::text, '/' ORDER BY n) "
                             "FROM unnest(string_to_array(trim(both '/' from path), '/')) WITH ORDINALITY AS x(p, n))"
                             " || '/'"),
                },
                "portal_user": {"username": f"username || '.{i}'",
                                "email": f"regexp_replace(email, '@', '.{i}@')"},
                "portal_employee": {"nip": f"'{30 + i}' || substr(nip, 3)"},
            }
            where = {
                "portal_unit": f"path LIKE '{root.path}%%' AND id < {offset['portal_unit']}",
                "portal_user": (f"id < {offset['portal_user']} AND id IN (SELECT user_id FROM portal_employee "
                                f"WHERE id < {offset['portal_employee']})"),
            }
            with transaction.atomic():
                for table in CLONED:
                    cols = _columns(cursor, table)
                    exprs = _shifted(cursor, table, shift, special.get(table))
                    cond = where.get(table, f"id < {offset[table]}")
                    cursor.execute(f"INSERT INTO {table} (id, {', '.join(chr(34) + c + chr(34) for c in cols)}) "  # noqa: S608
                                   f"SELECT id + {i * offset[table]}, {', '.join(exprs)} FROM {table} WHERE {cond}")
                for table, column in settings:
                    for (unit_id,) in _fetch(cursor, f'SELECT DISTINCT "{column}" FROM {table} '  # noqa: S608
                                                     f'WHERE "{column}" < %s', (offset["portal_unit"],)):
                        _copy_rows(cursor, table, column, unit_id, unit_id + unit_shift, shift)
            log(f"  institution copy {i}: {time.perf_counter() - t0:.0f} s")
        for table in CLONED:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        rows = _fetch(cursor, """
            SELECT r.code, count(e.id) FROM portal_unit r JOIN portal_unit u ON u.path LIKE r.path || '%%'
            JOIN portal_employee e ON e.unit_id = u.id WHERE r.parent_id IS NULL GROUP BY r.code ORDER BY r.code""")
    return dict(rows)


def month_days(today: dt.date) -> list[dt.date]:
    """The working days of the last full calendar month (PEMKOT's calendar)."""
    from portal.models import Unit
    from portal.selectors import workcalendar

    last = today.replace(day=1) - dt.timedelta(days=1)
    root = Unit.objects.get(code="PEMKOT", parent__isnull=True)
    return workcalendar.working_days(root, last.replace(day=1), last)


# One working day for every active employee. With an approved plan for the day (a = absence
# kind, f = flexible kind) the plan decides; otherwise the attendance bench's shares.
DAY_SQL = """
WITH plans AS (
    SELECT DISTINCT ON (employee_id) employee_id, kind FROM scheduling_requestday
    WHERE date = %(day)s AND status = 'approved'
      AND unit_id IN (SELECT id FROM portal_unit WHERE path LIKE %(path)s)
    ORDER BY employee_id, id
), base AS (
    SELECT e.id AS employee_id, e.unit_id, %(day)s::date AS day, random() AS r, random() AS r2, random() AS r3,
           p.kind AS planned
    FROM portal_employee e LEFT JOIN plans p ON p.employee_id = e.id
    WHERE e.is_active AND e.unit_id IN (SELECT id FROM portal_unit WHERE path LIKE %(path)s)
), kinds AS (
    SELECT *,
        CASE WHEN planned IS NOT NULL AND planned NOT IN ('WFH', 'WFA', 'KANTOR_LAIN') THEN planned
             WHEN r < 0.012 THEN 'TK'
             WHEN NOT %(planned_window)s AND r < 0.062
                 THEN (ARRAY['CT','CT','SAKIT','IZIN','DL','DL','DIKLAT','CS'])[1 + floor(r2 * 8)::int]
        END AS absent,
        CASE WHEN r >= 0.062 AND r < 0.142 THEN 1 + floor(r2 * r2 * 120)::int ELSE 0 END AS late,
        CASE WHEN r >= 0.130 AND r < 0.165 THEN 1 + floor(r3 * r3 * 120)::int ELSE 0 END AS early,
        (r >= 0.165 AND r < 0.170) AS no_out,
        (r >= 0.170 AND r < 0.173) AS no_in,
        CASE WHEN planned IN ('WFH', 'WFA', 'KANTOR_LAIN') THEN planned
             WHEN %(planned_window)s THEN 'WFO'
             WHEN r3 < 0.70 THEN 'WFO' WHEN r3 < 0.88 THEN 'WFH' WHEN r3 < 0.98 THEN 'WFA' ELSE 'KANTOR_LAIN' END
            AS mode
    FROM base
), levels AS (
    SELECT *,
        CASE WHEN no_in THEN 4 WHEN late = 0 THEN NULL WHEN late <= 30 THEN 1 WHEN late <= 60 THEN 2
             WHEN late <= 90 THEN 3 ELSE 4 END AS tl,
        CASE WHEN no_out THEN 4 WHEN early = 0 THEN NULL WHEN early <= 30 THEN 1 WHEN early <= 60 THEN 2
             WHEN early <= 90 THEN 3 ELSE 4 END AS psw
    FROM kinds
)
INSERT INTO attendance_daystatus (employee_id, unit_id, date, code, work_mode, absence_kind, tl_level, tl_minutes,
                                  psw_level, psw_minutes, missing_in, missing_out, deduction_percent, note,
                                  computed_at, shift_code, holiday_duty, off_schedule, implausible, permission)
SELECT employee_id, unit_id, day,
    CASE WHEN absent IS NOT NULL THEN absent
         WHEN tl IS NOT NULL AND psw IS NOT NULL THEN 'TL_PSW' WHEN tl IS NOT NULL THEN 'TL'
         WHEN psw IS NOT NULL THEN 'PSW' ELSE 'HADIR' END,
    CASE WHEN absent IS NULL OR absent = 'TK' THEN mode ELSE '' END,
    CASE WHEN absent IS NULL OR absent = 'TK' THEN '' ELSE absent END,
    CASE WHEN absent IS NULL THEN tl END, CASE WHEN absent IS NULL THEN late ELSE 0 END,
    CASE WHEN absent IS NULL THEN psw END, CASE WHEN absent IS NULL THEN early ELSE 0 END,
    absent IS NULL AND no_in, absent IS NULL AND no_out,
    CASE WHEN absent IS NOT NULL THEN 0 ELSE
        (CASE tl WHEN 1 THEN 0.5 WHEN 2 THEN 1 WHEN 3 THEN 1.25 WHEN 4 THEN 1.5 ELSE 0 END)
        + (CASE psw WHEN 1 THEN 0.5 WHEN 2 THEN 1 WHEN 3 THEN 1.25 WHEN 4 THEN 1.5 ELSE 0 END) END,
    '',
    (day + time '20:00') AT TIME ZONE 'Asia/Jakarta', '', false, false, false, ''
FROM levels
ON CONFLICT (employee_id, date) DO NOTHING
"""


@contextmanager
def bulk_load(cursor, tables):
    """The usual bulk-load shape: the plain indexes of ``tables`` dropped during the load and
    built again after (unique ones stay: they guard the data), and the foreign-key triggers off
    for this session (every row is read from existing employees and units)."""
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                   "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [list(tables)])
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
        for _name, definition in indexes:
            cursor.execute(definition)


def write_day(cursor, day: dt.date, plans_from: dt.date, path: str = "/") -> int:
    """Insert one working day of statuses for the active employees under ``path``."""
    cursor.execute(DAY_SQL, {"day": day, "planned_window": day >= plans_from, "path": path + "%"})
    return cursor.rowcount


def seed_month(days: list[dt.date], plans_from: dt.date, log=print) -> dict:
    """Day statuses then punches for ``days``, one day per statement (each its own transaction,
    so the WAL and the lock table stay small); ANALYZE at the end. Returns counts and seconds."""
    from django.db import connection

    out = {"day_statuses": 0, "punches": 0}
    t0 = time.perf_counter()
    with connection.cursor() as cursor, bulk_load(cursor, ("attendance_daystatus", "attendance_punch")):
        # seed_demo's own punches (its first 5,000 people, last two weeks) make way for the month's.
        cursor.execute("DELETE FROM attendance_punch WHERE date = ANY(%s::date[])", [days])
        cursor.execute("DELETE FROM attendance_daystatus WHERE date = ANY(%s::date[])", [days])
        cursor.execute("SELECT setseed(0.42)")
        for day in days:
            out["day_statuses"] += write_day(cursor, day, plans_from)
            cursor.execute(PUNCH_SQL, {"days": [day]})
            out["punches"] += cursor.rowcount
            log(f"  {day}: {out['day_statuses']} day statuses, {out['punches']} punches, "
                f"{time.perf_counter() - t0:.0f} s")
        out["insert_seconds"] = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out["seconds"] = time.perf_counter() - t0
    return out
