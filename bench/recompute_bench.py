"""Benchmark: recomputing a month of day statuses for every employee after a rule change (issue 11),
against one hand-written SQL statement computing the same statuses.

    python bench/recompute_bench.py [--employees 100000] [--repeat 2] [--reuse]

PostgreSQL only (the baseline is PostgreSQL SQL). Builds a fresh database ``portal_bench_recompute``
at $PG_URL (default postgres://postgres@127.0.0.1:5432), migrates, runs ``seed_demo --employees N``
(timed), then gives every employee a month of punches for the previous calendar month (one
INSERT … SELECT: about 3 % absent, 12 % late, 5 % early, 2 % without a check-out, like the demo),
runs ANALYZE and measures in one process:

1. the project: a new attendance-rules version for the institution from the 1st of that month
   (band deductions, a TK deduction, a daily cap), then
   ``attendance.services.recompute.recompute_institution(root, first, last)`` — the body of the
   ``attendance.recompute_institution`` task the save enqueues — with its wall time and its number
   of SQL queries;
2. ONE statement (``INSERT … SELECT … ON CONFLICT DO UPDATE``) computing the same statuses —
   schedule, holidays, records window, approved plans, corrections, plausibility (minimum stay,
   latest check-in), TL/PSW bands to the second, deductions, cap — into a scratch copy of the
   day-status table with its unique key; its bare SELECT is timed too, as a floor;
3. agreement: code, TL/PSW level and minutes, missing punches and deduction of every
   employee-day both computed must be equal (the run fails on any mismatch).

The SQL covers the units that work the institution's default week (Perpres 21/2023) without a
roster; the demo's shift puskesmas (own six-day pattern, a shift roster) is left out of the SQL
and of the comparison, and reported — the project computes it as well, so its time includes it.
Timings are medians of ``--repeat`` warm runs after a first one; the runs are interleaved.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env, fresh_database  # noqa: E402

DB = "portal_bench_recompute"
SCRATCH = "portal_bench_sql_daystatus"
BANDS = [(1, 1, 30, "0.50"), (2, 31, 60, "1.00"), (3, 61, 90, "1.25"), (4, 91, None, "1.50")]
TK_DEDUCTION, DAILY_CAP, MIN_STAY = Decimal("3.00"), Decimal("3.00"), 60


def prepare(employees: int, reuse: bool) -> tuple[dict, float | None]:
    env = bench_env(DB)
    if reuse:
        return env, None
    fresh_database(env, DB)
    t0 = time.perf_counter()
    subprocess.run([PY, "manage.py", "seed_demo", "--employees", str(employees), "-v0"], cwd=ROOT, env=env,
                   check=True)
    return env, time.perf_counter() - t0


def timed(fns: dict, repeat: int) -> dict:
    out, runs = {}, {name: [] for name in fns}
    for name, fn in fns.items():
        t0 = time.perf_counter()
        result = fn()
        out[name] = [time.perf_counter() - t0, result]
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            out[name][1] = fn()
            runs[name].append(time.perf_counter() - t0)
    return {name: (first, statistics.median(runs[name]) if runs[name] else first, result)
            for name, (first, result) in out.items()}


# --- Data ------------------------------------------------------------------------------------------

PUNCHES = """
INSERT INTO attendance_punch (employee_id, unit_id, date, work_mode, check_in_at, check_out_at, flagged, source)
SELECT e.id, e.unit_id, d.d, 'WFO',
       (d.d + time '07:00' + (CASE WHEN r.late < 0.12 THEN 31 + r.a * 90 ELSE r.a * 29 END) * interval '1 minute'
        + r.s * interval '59 second') AT TIME ZONE %(tz)s,
       CASE WHEN r.noout < 0.02 THEN NULL ELSE
       (d.d + (CASE WHEN extract(isodow FROM d.d) = 5 THEN time '16:30' ELSE time '16:00' END)
        + (CASE WHEN r.early < 0.05 THEN -(5 + r.b * 50) ELSE r.b * 25 END) * interval '1 minute') AT TIME ZONE %(tz)s
       END, false, 'web'
FROM portal_employee e
JOIN portal_unit u ON u.id = e.unit_id
CROSS JOIN unnest(%(days)s::date[]) AS d(d)
CROSS JOIN LATERAL (SELECT random() AS late, random() AS a, random() AS b, random() AS s, random() AS noout,
                           random() AS early, random() AS absent, e.id + 0 * extract(day FROM d.d) AS k) r
WHERE u.path LIKE %(root)s AND NOT u.path LIKE %(excluded)s AND r.absent >= 0.03
  AND (e.is_active OR e.records_end IS NOT NULL)
ON CONFLICT (employee_id, date) DO NOTHING
"""


def seed_month(root, first: dt.date, last: dt.date, excluded_path: str) -> int:
    """Punches for every working day of the month for everyone in the default-week units."""
    from django.db import connection

    from portal.selectors import workcalendar

    days = workcalendar.working_days(root, first, last)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM attendance_punch WHERE date BETWEEN %s AND %s", [first, last])
        cur.execute(PUNCHES, {"tz": root.effective_time_zone, "days": days, "root": root.path + "%",
                              "excluded": excluded_path + "%"})
        return cur.rowcount


def rule_change(root, first: dt.date):
    from attendance.models import AttendanceRules, Band, BandKind

    AttendanceRules.objects.filter(institution=root, effective_from=first).delete()
    version = AttendanceRules.objects.create(institution=root, effective_from=first, min_stay_minutes=MIN_STAY,
                                             tk_deduction_percent=TK_DEDUCTION, daily_cap_percent=DAILY_CAP,
                                             legal_basis="bench")
    Band.objects.bulk_create([Band(rules=version, kind=kind, level=level, from_minute=lo, to_minute=hi,
                                   deduction_percent=Decimal(d))
                              for kind in (BandKind.TL, BandKind.PSW) for level, lo, hi, d in BANDS])
    return version


# --- The hand-written SQL ---------------------------------------------------------------------------

def _band_case(minutes: str) -> tuple[str, str]:
    level = " ".join(f"WHEN {minutes} >= {lo}" + (f" AND {minutes} <= {hi}" if hi else "") + f" THEN {lvl}"
                     for lvl, lo, hi, _d in BANDS)
    deduction = " ".join(f"WHEN {lvl} THEN {d}" for lvl, _lo, _hi, d in BANDS)
    return f"(CASE {level} END)", deduction


def status_sql() -> tuple[str, str]:
    """The WITH clauses and the final SELECT of one statement computing the month's statuses."""
    tl_level, deduction_of = _band_case("tl_min")
    psw_level, _ = _band_case("psw_min")
    ctes = f"""
WITH days(d) AS (SELECT unnest(%(days)s::date[])),
holidays(d, kind, name) AS (SELECT * FROM unnest(%(hdays)s::date[], %(hkinds)s::text[], %(hnames)s::text[])),
people AS (
 SELECT e.id, e.unit_id,
  GREATEST(COALESCE(e.records_start, '-infinity'::date), COALESCE(%(golive)s::date, '-infinity'::date)) AS first_day,
  e.records_end
 FROM portal_employee e JOIN portal_unit u ON u.id = e.unit_id
 WHERE u.path LIKE %(root)s AND NOT u.path LIKE %(excluded)s
  AND NOT (NOT e.is_active AND e.records_end IS NULL) AND NOT COALESCE(e.records_end < %(first)s, false)),
grid AS (
 SELECT p.id AS employee_id, p.unit_id, x.d, x.hkind, x.hname
 FROM people p CROSS JOIN (SELECT d, NULL::text AS hkind, ''::text AS hname FROM days
                           UNION ALL SELECT d, kind, name FROM holidays) x
 WHERE x.d >= p.first_day AND (p.records_end IS NULL OR x.d <= p.records_end)),
facts AS (
 SELECT g.*, pu.unit_id AS punch_unit, plan.kind AS plan_kind,
  date_trunc('second', COALESCE(c.check_in_at, pu.check_in_at)) AS ci,
  date_trunc('second', COALESCE(c.check_out_at, pu.check_out_at)) AS co,
  (g.d + time '07:30') AT TIME ZONE %(tz)s AS s_start,
  (g.d + CASE WHEN extract(isodow FROM g.d) = 5 THEN time '16:30' ELSE time '16:00' END) AT TIME ZONE %(tz)s AS s_end
 FROM grid g
 LEFT JOIN attendance_punch pu ON pu.employee_id = g.employee_id AND pu.date = g.d
 LEFT JOIN LATERAL (SELECT check_in_at, check_out_at FROM attendance_correction c
                    WHERE c.employee_id = g.employee_id AND c.date = g.d AND c.status = 'approved'
                    ORDER BY c.decided_at DESC LIMIT 1) c ON true
 LEFT JOIN scheduling_requestday plan ON plan.employee_id = g.employee_id AND plan.date = g.d
                                     AND plan.status = 'approved'),
timed AS (
 SELECT f.*,
  GREATEST(0, CEIL(EXTRACT(EPOCH FROM f.ci - f.s_start) / 60))::int AS tl_min,
  GREATEST(0, CEIL(EXTRACT(EPOCH FROM f.s_end - f.co) / 60))::int AS psw_min,
  (f.ci IS NOT NULL AND f.ci > f.s_end)
   OR (f.co IS NOT NULL AND EXTRACT(EPOCH FROM f.co - COALESCE(f.ci, f.s_start)) / 60 < {MIN_STAY}) AS implausible
 FROM facts f),
derived AS (
 SELECT t.*,
  CASE WHEN t.hkind IS NOT NULL THEN
        CASE WHEN t.ci IS NOT NULL OR t.co IS NOT NULL THEN 'LUAR_JADWAL'
             WHEN t.hkind = 'cuti_bersama' THEN 'CUTI_BERSAMA' ELSE 'LIBUR' END
       WHEN t.plan_kind IN %(absences)s THEN t.plan_kind
       WHEN t.ci IS NULL AND t.co IS NULL THEN 'TK'
       WHEN t.implausible THEN 'TK'
       ELSE NULL END AS fixed_code,
  CASE WHEN t.ci IS NULL THEN 4 ELSE {tl_level.replace('tl_min', 't.tl_min')} END AS tl_lvl,
  CASE WHEN t.co IS NULL THEN 4 ELSE {psw_level.replace('psw_min', 't.psw_min')} END AS psw_lvl
 FROM timed t)
"""
    final = f"""
SELECT employee_id, COALESCE(punch_unit, unit_id) AS unit_id, d AS date,
 COALESCE(fixed_code, CASE WHEN tl_lvl IS NULL AND psw_lvl IS NULL THEN 'HADIR' WHEN psw_lvl IS NULL THEN 'TL'
                           WHEN tl_lvl IS NULL THEN 'PSW' ELSE 'TL_PSW' END) AS code,
 CASE WHEN fixed_code IS NULL THEN tl_lvl END AS tl_level,
 CASE WHEN fixed_code IS NULL AND ci IS NOT NULL THEN tl_min ELSE 0 END AS tl_minutes,
 CASE WHEN fixed_code IS NULL THEN psw_lvl END AS psw_level,
 CASE WHEN fixed_code IS NULL AND co IS NOT NULL THEN psw_min ELSE 0 END AS psw_minutes,
 fixed_code IS NULL AND ci IS NULL AS missing_in,
 fixed_code IS NULL AND co IS NULL AS missing_out,
 CASE WHEN fixed_code = 'TK' THEN LEAST({TK_DEDUCTION}, {DAILY_CAP})
      WHEN fixed_code IS NOT NULL THEN 0
      ELSE LEAST(COALESCE(CASE tl_lvl {deduction_of} END, 0) + COALESCE(CASE psw_lvl {deduction_of} END, 0),
                 {DAILY_CAP}) END AS deduction_percent
{{extra}}
FROM derived"""
    return ctes, final


COLUMNS = ["employee_id", "unit_id", "date", "code", "tl_level", "tl_minutes", "psw_level", "psw_minutes",
           "missing_in", "missing_out", "deduction_percent"]


def create_scratch() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cur.execute(f"CREATE TABLE {SCRATCH} (LIKE attendance_daystatus INCLUDING ALL)")


def upsert_sql(ctes: str, final: str) -> str:
    cols = COLUMNS + ["work_mode", "absence_kind", "note", "shift_code", "holiday_duty", "off_schedule",
                      "implausible", "permission", "computed_at"]
    extra = ", '' AS work_mode, '' AS absence_kind, '' AS note, '' AS shift_code, false, false, false, '', now()"
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in ("employee_id", "date"))
    return (f"{ctes}INSERT INTO {SCRATCH} ({', '.join(cols)})\n{final.format(extra=extra)}\n"
            f"ON CONFLICT (employee_id, date) DO UPDATE SET {updates}")


def sql_params(root, first: dt.date, last: dt.date, excluded_path: str) -> dict:
    from portal.selectors import workcalendar
    from scheduling.models import ABSENCE_KINDS

    holidays = workcalendar.holidays_between(root, first, last)
    return {"days": workcalendar.working_days(root, first, last), "hdays": list(holidays),
            "hkinds": [h.kind for h in holidays.values()], "hnames": [h.name for h in holidays.values()],
            "golive": root.attendance_from, "root": root.path + "%", "excluded": excluded_path + "%",
            "first": first, "tz": root.effective_time_zone, "absences": tuple(ABSENCE_KINDS)}


def compare(first: dt.date, last: dt.date, excluded_path: str) -> dict:
    from django.db import connection

    cols = ", ".join(c for c in COLUMNS if c != "unit_id")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {SCRATCH}")
        sql = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
        qualified = ", ".join(f"s.{c}" for c in COLUMNS if c != "unit_id")
        cur.execute(f"SELECT {qualified} FROM attendance_daystatus s JOIN portal_unit u ON u.id = s.unit_id "
                    "WHERE s.date BETWEEN %s AND %s AND NOT u.path LIKE %s", [first, last, excluded_path + "%"])
        project = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
    bad = [k for k in project.keys() | sql.keys() if project.get(k) != sql.get(k)]
    return {"project": len(project), "sql": len(sql), "mismatches": len(bad),
            "examples": [(k, project.get(k), sql.get(k)) for k in sorted(bad)[:5]]}


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="measure the previous run's database again")
    args = parser.parse_args()

    env, seed_seconds = prepare(args.employees, args.reuse)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from attendance.models import DayStatus
    from attendance.services.recompute import recompute_institution
    from portal import demo
    from portal.models import Employee, Unit

    root = Unit.objects.get(code=demo.INSTITUTION_CODE, parent__isnull=True)
    excluded = Unit.objects.get(code=demo.UPT_PUSKESMAS_CODE).path
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    first = last.replace(day=1)
    t0 = time.perf_counter()
    punches = seed_month(root, first, last, excluded)
    punch_seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    version = rule_change(root, first)
    people = Employee.objects.filter(unit__path__startswith=root.path).count()
    print(f"employees={people} month={first}..{last} punches={punches} (written in {punch_seconds:.1f} s) "
          f"rules version A{version.pk} from {first}")
    if seed_seconds is not None:
        print(f"seed_demo --employees {args.employees}: {seed_seconds:.1f} s")

    ctes, final = status_sql()
    params = sql_params(root, first, last, excluded)
    create_scratch()
    upsert = upsert_sql(ctes, final)
    select = ctes + final.format(extra="")
    queries = {}

    def project():
        calls = [0]

        def count(execute, sql, params, many, context):
            calls[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):  # not CaptureQueriesContext: its log keeps 9,000 at most
            written = recompute_institution(root.pk, first, last)
        queries["project"] = calls[0]
        return written

    def run_upsert():
        with connection.cursor() as cur:
            cur.execute(upsert, params)
            return cur.rowcount

    def run_select():
        with connection.cursor() as cur:
            cur.execute(select, params)
            return len(cur.fetchall())

    times = timed({"project": project, "upsert": run_upsert, "select": run_select}, args.repeat)
    (p_first, p_warm, written), (s_first, s_warm, upserted), (_f, sel_warm, selected) = (
        times["project"], times["upsert"], times["select"])
    agreement = compare(first, last, excluded)
    rows_month = DayStatus.objects.filter(date__range=(first, last)).count()

    print(f"\nRecompute {first:%B %Y} after a rule change: {written} employee-days written by the project "
          f"({rows_month} rows in the month), {upserted} by the SQL")
    print(f"  project recompute_institution  first {p_first:7.2f} s   warm median {p_warm:7.2f} s   "
          f"{queries['project']} queries ({queries['project'] / max(1, people):.3f} per employee)")
    print(f"  SQL upsert (1 statement)       first {s_first:7.2f} s   warm median {s_warm:7.2f} s   1 query")
    print(f"  SQL SELECT only                warm median {sel_warm:7.2f} s ({selected} rows)")
    print(f"  ratio project/SQL upsert       first {p_first / s_first:5.2f}x   warm {p_warm / s_warm:5.2f}x")
    print(f"  ratio project/SQL SELECT       warm {p_warm / sel_warm:5.2f}x")
    print(f"  throughput project             {written / p_warm:,.0f} employee-days/s")
    print(f"  agreement: {agreement['mismatches']} mismatches over {max(agreement['project'], agreement['sql'])} "
          f"employee-days compared (shift puskesmas left out of the SQL)")
    for example in agreement["examples"]:
        print(f"    {example}")
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if agreement["mismatches"]:
        raise SystemExit(f"MISMATCH: {agreement['mismatches']} employee-days differ")


if __name__ == "__main__":
    main()
