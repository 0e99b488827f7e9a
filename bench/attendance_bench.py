"""Benchmark of issue 5 (attendance) on PostgreSQL: exports and the morning check-in peak.

    python bench/attendance_bench.py [--employees 100000] [--days 20] [--clients 64] [--peak 50000]
                                     [--reuse] [--skip-exports] [--skip-http] [--out /dev/null]

1. Data: ``manage.py seed_demo --employees N`` (units, people, plans), then ``--days`` working
   days of DayStatus rows plus their punches and a few approved corrections, written directly
   with set-based SQL (INSERT ... SELECT over portal_employee x the days): the benchmark is
   about reading and exporting them, not about deriving them.
2. CSV export of the daily list and of the monthly recap through the project's own code path
   (attendance.selectors.reports.report_rows -> portal.exports.write_csv, as the HR admin of the
   whole institution) versus PostgreSQL's ``COPY (same SQL) TO STDOUT WITH CSV`` through
   psycopg2 ``copy_expert``; each export runs in its own child process, which reports its
   rows, seconds and peak RSS (ru_maxrss). COPY of the daily list runs the report's one sorted
   query (``reports._daily_query``: unit path, name, id, date); the project streams the same
   rows in the same order per batch of people instead (``reports._daily_items``).
3. XLSX monthly recap of every employee (write-only workbook): time and peak RSS (child).
4. gunicorn: check-in (``POST /api/v1/attendance/check-in/``, token auth, one distinct
   employee per request, so each is a real first check-in) against the trivial
   authenticated view ``GET /api/v1/me/`` at ``--clients`` concurrency, then a morning peak
   of ``--peak`` check-ins by distinct employees. The server's clock is moved to 07:00 WIB of
   the next working day (time-machine in each gunicorn worker, ticking), so every check-in is
   an on-time working-day punch with its day status derived, as in a real morning.

``--reuse`` keeps an already seeded database (same employee count) and its generated rows.
Numbers on a shared 2-core machine are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env, fresh_database, gunicorn, run_load  # noqa: E402

DB = os.environ.get("ATTENDANCE_BENCH_DB", "portal_bench_attendance")  # another name: a second copy
HR_USERNAME = "hr.bkpsdm"  # the demo's HR admin, scoped to the whole institution
PEAK_WINDOW_S = 3600  # DOMAIN.md: the 07:00-08:00 check-in peak
WIB = "Asia/Jakarta"


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Data ---------------------------------------------------------------------------------


def seed(env: dict, employees: int) -> float:
    fresh_database(env, DB)
    t0 = time.perf_counter()
    subprocess.run([PY, "manage.py", "seed_demo", "--employees", str(employees), "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    return time.perf_counter() - t0


def export_days(count: int) -> list[dt.date]:
    """The first ``count`` working days of the institution, from two months ago (finished days)."""
    from portal.models import Unit
    from portal.selectors import workcalendar

    root = Unit.objects.get(code="PEMKOT")
    first = (dt.date.today().replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    return workcalendar.working_days(root, first, first + dt.timedelta(days=count * 2 + 20))[:count]


# Shares of employee-days (r is uniform in [0, 1)): 1.2% TK, 5% absences, ~8% late (TL1-TL4,
# skewed to TL1), ~3.5% leaving early, 0.5% without check-out, 0.3% without check-in, the
# rest present on time. Work mode: 70% WFO, 18% WFH, 10% WFA, 2% another office.
DAY_STATUS_SQL = """
WITH base AS (
    SELECT e.id AS employee_id, e.unit_id, d.day, random() AS r, random() AS r2, random() AS r3
    FROM portal_employee e CROSS JOIN unnest(%(days)s::date[]) AS d(day)
    WHERE e.is_active
), kinds AS (
    SELECT *,
        CASE WHEN r < 0.012 THEN 'TK'
             WHEN r < 0.062 THEN (ARRAY['CT','CT','SAKIT','IZIN','DL','DL','DIKLAT','CS'])[1 + floor(r2 * 8)::int]
        END AS absent,
        CASE WHEN r >= 0.062 AND r < 0.142 THEN 1 + floor(r2 * r2 * 120)::int ELSE 0 END AS late,
        CASE WHEN r >= 0.130 AND r < 0.165 THEN 1 + floor(r3 * r3 * 120)::int ELSE 0 END AS early,
        (r >= 0.165 AND r < 0.170) AS no_out,
        (r >= 0.170 AND r < 0.173) AS no_in,
        CASE WHEN r3 < 0.70 THEN 'WFO' WHEN r3 < 0.88 THEN 'WFH' WHEN r3 < 0.98 THEN 'WFA' ELSE 'KANTOR_LAIN' END
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
    CASE WHEN absent IS NULL THEN tl END, late,
    CASE WHEN absent IS NULL THEN psw END, early,
    absent IS NULL AND no_in, absent IS NULL AND no_out,
    CASE WHEN absent IS NOT NULL THEN 0 ELSE
        (CASE tl WHEN 1 THEN 0.5 WHEN 2 THEN 1 WHEN 3 THEN 1.25 WHEN 4 THEN 1.5 ELSE 0 END)
        + (CASE psw WHEN 1 THEN 0.5 WHEN 2 THEN 1 WHEN 3 THEN 1.25 WHEN 4 THEN 1.5 ELSE 0 END) END,
    '',
    (day + time '20:00') AT TIME ZONE 'Asia/Jakarta', '', false, false, false, ''
FROM levels
"""

# Punch times consistent with the statuses: office hours 07:30-16:00 WIB, 16:30 on Friday.
PUNCH_SQL = """
INSERT INTO attendance_punch (employee_id, unit_id, date, work_mode, check_in_at, check_out_at, in_accuracy_m,
                              in_distance_m, flagged, source)
SELECT employee_id, unit_id, date, work_mode,
    CASE WHEN missing_in THEN NULL
         WHEN tl_minutes > 0 THEN (date + time '07:30') AT TIME ZONE 'Asia/Jakarta'
                                  + (tl_minutes - 1) * interval '1 minute' + interval '30 seconds'
         ELSE (date + time '07:30') AT TIME ZONE 'Asia/Jakarta' - (id %% 1800) * interval '1 second' END,
    CASE WHEN missing_out THEN NULL
         WHEN psw_minutes > 0 THEN (date + CASE WHEN extract(isodow FROM date) = 5 THEN time '16:30'
                                               ELSE time '16:00' END) AT TIME ZONE 'Asia/Jakarta'
                                   - (psw_minutes - 1) * interval '1 minute' - interval '30 seconds'
         ELSE (date + CASE WHEN extract(isodow FROM date) = 5 THEN time '16:30' ELSE time '16:00' END)
              AT TIME ZONE 'Asia/Jakarta' + (id %% 3600) * interval '1 second' END,
    CASE WHEN work_mode = 'WFO' THEN 5 + id %% 30 END,
    CASE WHEN work_mode = 'WFO' THEN id %% 150 END,
    false, CASE WHEN id %% 3 = 0 THEN 'api' ELSE 'web' END
FROM attendance_daystatus
WHERE date = ANY(%(days)s::date[]) AND code IN ('HADIR', 'TL', 'PSW', 'TL_PSW')
"""

# A third of the days without a check-in got an approved correction (times only: the
# statuses are not re-derived, which does not matter to an export's speed).
CORRECTION_SQL = """
INSERT INTO attendance_correction (employee_id, date, check_in_at, reason, evidence, status, created_by_id,
                                   created_at, decided_by_id, decided_at, acting_for, decision_reason)
SELECT s.employee_id, s.date, (s.date + time '07:20') AT TIME ZONE 'Asia/Jakarta', 'Lupa presensi masuk.', '',
       'approved', e.user_id, (s.date + time '09:00') AT TIME ZONE 'Asia/Jakarta', sup.user_id,
       (s.date + time '10:00') AT TIME ZONE 'Asia/Jakarta', '', ''
FROM attendance_daystatus s
JOIN portal_employee e ON e.id = s.employee_id
JOIN portal_employee sup ON sup.id = e.supervisor_id
WHERE s.date = ANY(%(days)s::date[]) AND s.missing_in AND s.id %% 3 = 0
"""


def generate_day_rows(days: list[dt.date]) -> dict:
    from django.db import connection, transaction

    from attendance.models import Correction, DayStatus, Punch

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        Correction.objects.filter(date__in=days).delete()
        Punch.objects.filter(date__in=days).delete()
        DayStatus.objects.filter(date__in=days).delete()
        cursor.execute("SELECT setseed(0.42)")
        out = {}
        for name, sql in (("day_statuses", DAY_STATUS_SQL), ("punches", PUNCH_SQL), ("corrections", CORRECTION_SQL)):
            cursor.execute(sql, {"days": days})
            out[name] = cursor.rowcount
    with connection.cursor() as cursor:
        # Fresh planner statistics for everything seed_demo and this wrote (autovacuum would
        # get there later; without them the planner guesses 3 units and 58 employees).
        cursor.execute("ANALYZE")
    out["seconds"] = time.perf_counter() - t0
    return out


def existing_rows(days: list[dt.date]) -> int:
    from attendance.models import DayStatus

    return DayStatus.objects.filter(date__in=days).count()


def expected_generated(days: list[dt.date]) -> int:
    """What generate_day_rows writes: one row per active employee and day."""
    from portal.models import Employee

    return Employee.objects.filter(is_active=True).count() * len(days)


# --- Exports (each in a child process) ------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM) in MB.

    ``ru_maxrss`` would do, but Linux carries the parent's peak over into a child at exec, so
    a child of a bigger parent reports the parent's figure: both are printed, VmHWM counts.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(kind: str, start: str, end: str, out: str, unit: str = "PEMKOT") -> dict:
    """Run one export here and report rows, seconds and this process's peak RSS."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from attendance.selectors import reports
    from portal import exports
    from portal.models import Unit

    user = get_user_model().objects.get(username=HR_USERNAME)
    root = Unit.objects.get(code=unit)
    report = reports.DAILY if kind.endswith("daily") else reports.MONTHLY_RECAP
    selection = reports.report_resolve(user, report=report, unit=root.pk, start=start, end=end)
    rss_before = peak_rss_mb()
    rows = 0

    def counted(source):
        nonlocal rows
        for row in source:
            rows += 1
            yield row

    if kind.startswith(("job-", "page-")):
        return (child_page if kind.startswith("page-") else child_job)(kind, user, selection, out, rss_before)
    t0 = time.perf_counter()
    if kind.startswith("copy"):
        sql, params = copy_sql(selection)
        with connection.cursor() as cursor, open(out, "wb") as target:
            literal = cursor.cursor.mogrify(sql, params).decode()
            cursor.cursor.copy_expert(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv, HEADER)", target)
            rows = cursor.cursor.rowcount + 1  # + header, as the project's count below
    elif kind.startswith("xlsxwriter"):
        return child_xlsxwriter(selection, out, rss_before)
    elif kind.startswith("csv"):
        with open(out, "wb") as target:
            exports.write_csv(counted(reports.report_rows(selection)), target)
    elif kind.startswith("xlsx"):
        with open(out, "wb") as target:
            exports.write_xlsx(counted(reports.report_rows(selection)), target,
                               widths=[c.width for c in selection.report.columns], title=str(selection.report.title))
    seconds = time.perf_counter() - t0
    size = os.path.getsize(out) if out != os.devnull else None
    return {"kind": kind, "rows": rows - 1, "seconds": seconds, "bytes": size,
            "rss_before_mb": rss_before, "peak_mb": peak_rss_mb(),
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def copy_sql(selection) -> tuple[str, tuple]:
    """The SQL COPY runs: the report's own query; for the recap, the same rows as one statement
    that groups the day rows by employee before joining names and sorting (its fastest form)."""
    from attendance.models import DayStatus
    from attendance.selectors import reports

    if selection.report.slug != reports.MONTHLY_RECAP or not hasattr(reports, "RECAP_COUNTS"):
        return selection.report.query(selection).query.sql_with_params()
    grouped = (DayStatus.objects.filter(employee__in=selection.employees.values("pk"),
                                        date__range=(selection.period.start, selection.period.end))
               .values("employee_id").order_by().annotate(**reports._recap_aggregates())
               .values_list("employee_id", *reports.RECAP_COUNTS, *reports.RECAP_EXTRA))
    sql, params = grouped.query.sql_with_params()
    return (f"SELECT e.nip, e.asn_type, e.name, e.jabatan, u.name, g.* FROM ({sql}) g "  # noqa: S608
            "JOIN portal_employee e ON e.id = g.employee_id JOIN portal_unit u ON u.id = e.unit_id "
            "ORDER BY u.path, e.name, e.id", params)


def child_job(kind: str, user, selection, out: str, rss_before: float) -> dict:
    """The real worker path: an ExportJob run by ``export_job_run`` (freshness check, rows, file
    to storage), with the moment its first data row reached the writer."""
    from attendance.models import ExportJob
    from attendance.selectors import reports
    from attendance.services import export_jobs

    fmt = kind.split("-")[1]
    first = {}
    produce = reports.report_rows

    def timed(*args, **kwargs):
        for n, row in enumerate(produce(*args, **kwargs)):
            if n == 1:
                first["at"] = time.perf_counter()
            yield row

    reports.report_rows = timed
    job = ExportJob.objects.create(user=user, report=selection.report.slug, params=selection.params, format=fmt,
                                   filename=f"bench.{fmt}")
    t0 = time.perf_counter()
    status = export_jobs.export_job_run(job_id=job.pk)
    seconds = time.perf_counter() - t0
    job.refresh_from_db()
    size = job.file.size if job.file else None
    if job.file:
        job.file.delete(save=False)
    return {"kind": kind, "status": status, "error": job.error, "rows": job.rows, "seconds": seconds,
            "first_row_s": first.get("at", t0) - t0, "bytes": size, "rss_before_mb": rss_before,
            "peak_mb": peak_rss_mb(), "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_xlsxwriter(selection, out: str, rss_before: float) -> dict:
    """XlsxWriter alone in ``constant_memory`` mode writing the recap's rows, already in memory:
    the floor the project's XLSX is compared with."""
    import xlsxwriter

    from attendance.selectors import reports

    rows = [list(r) for r in reports.report_rows(selection)]
    t0 = time.perf_counter()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    sheet = workbook.add_worksheet("Rekap")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()
    seconds = time.perf_counter() - t0
    return {"kind": "xlsxwriter-recap", "rows": len(rows) - 1, "seconds": seconds, "bytes": os.path.getsize(out),
            "rss_before_mb": rss_before, "peak_mb": peak_rss_mb(),
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_page(kind: str, user, selection, out: str, rss_before: float, repeat: int = 7) -> dict:
    """The whole-institution recap page (first page, and a page further on) against ``GET
    /api/v1/me/``: medians of interleaved requests through Django's test client (server work only)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the client then sees each response's context
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    query = {"report": "monthly-recap", "unit": selection.unit.pk, "start": selection.period.start.isoformat(),
             "end": selection.period.end.isoformat()}
    first = client.get("/laporan/", query)
    after = first.context.get("next_after") if first.context else None
    pages = {"me": ("/api/v1/me/", {}), "recap-page-1": ("/laporan/", query)}
    if after:
        pages["recap-page-2"] = ("/laporan/", {**query, "setelah": after})
    runs, queries, shown = {name: [] for name in pages}, {}, {}
    for name, (path, params) in pages.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, params)
        assert response.status_code == 200, (path, response.status_code)
        queries[name] = len(ctx.captured_queries)
        shown[name] = len(response.context["rows"]) if response.context and "rows" in response.context else None
    for _ in range(repeat):
        for name, (path, params) in pages.items():
            t0 = time.perf_counter()
            client.get(path, params)
            runs[name].append(time.perf_counter() - t0)
    ms = {name: statistics.median(r) * 1000 for name, r in runs.items()}
    return {"kind": kind, "rows": 0, "seconds": 0.0, "ms": ms, "queries": queries, "rows_shown": shown,
            "preparing": bool(first.context and first.context.get("preparing")),
            "ratio": {name: ms[name] / ms["me"] for name in ms}, "rss_before_mb": rss_before,
            "peak_mb": peak_rss_mb(), "ru_maxrss_mb": 0.0}


def run_child(env: dict, kind: str, days: list[dt.date], out: str, unit: str = "PEMKOT") -> dict:
    proc = subprocess.run([PY, __file__, "--child", kind, "--start", days[0].isoformat(), "--end",
                           days[-1].isoformat(), "--out", out, "--unit", unit], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rows_per_s"] = result["rows"] / result["seconds"] if result["seconds"] else 0.0
    log(f"{kind:<12} {result['rows']:>9} rows  {result['seconds']:7.1f} s  {result['rows_per_s']:9.0f} rows/s  "
        f"peak RSS {result['peak_mb']:6.1f} MB (after setup {result['rss_before_mb']:.1f} MB; "
        f"ru_maxrss {result['ru_maxrss_mb']:.1f} MB)")
    return result


def mark_final(days: list[dt.date]) -> None:
    """The freshness markers the nightly pass leaves (issue 15.3): the generated rows are final,
    so the recap does not check them employee by employee. Skipped on code without markers."""
    try:
        from attendance.models import RecapFreshness
    except ImportError:
        return
    from django.utils import timezone

    from portal.models import Unit

    root = Unit.objects.get(code="PEMKOT")
    month = days[0].replace(day=1)
    through = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    RecapFreshness.objects.update_or_create(unit=root, month=month,
                                            defaults={"through": through, "computed_at": timezone.now()})


def unit_near(count: int) -> tuple[str, int]:
    """The code of the unit (two levels below the institution at most) whose subtree holds the
    number of employees nearest ``count``, as a ratio."""
    import math

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT u.code, count(e.id) FROM portal_unit u JOIN portal_unit x ON x.path LIKE u.path || '%%' "
                       "JOIN portal_employee e ON e.unit_id = x.id WHERE u.depth BETWEEN 1 AND 2 GROUP BY u.code")
        sizes = cursor.fetchall()
    return min(sizes, key=lambda item: abs(math.log(item[1] / count)))


def _alternate(env, copy_kind: str, kind: str, days, out: str, repeats: int) -> dict:
    """COPY and the project alternate (COPY first and last): the same cache, as far as possible
    the same load from the machine's other tenants; medians compared."""
    runs = {"copy": [], "project": []}
    for _i in range(repeats):
        runs["copy"].append(run_child(env, copy_kind, days, out))
        runs["project"].append(run_child(env, kind, days, out))
    runs["copy"].append(run_child(env, copy_kind, days, out))
    copy_rps = statistics.median(r["rows_per_s"] for r in runs["copy"])
    rps = statistics.median(r["rows_per_s"] for r in runs["project"])
    result = {**runs, "copy_rows_per_s": copy_rps, "rows_per_s": rps, "ratio": rps / copy_rps,
              "peak_mb": max(r["peak_mb"] for r in runs["project"])}
    first = [r["first_row_s"] for r in runs["project"] if "first_row_s" in r]
    if first:
        result["first_row_s"] = statistics.median(first)
    log(f"{kind}: {rps:.0f} rows/s / COPY {copy_rps:.0f} rows/s = {rps / copy_rps:.2f} (medians; aim >= 0.5); "
        f"peak RSS {result['peak_mb']:.1f} MB" + (f"; first row {result['first_row_s']:.2f} s" if first else ""))
    return result


def bench_exports(env: dict, days: list[dt.date], out: str, repeats: int, parts: set[str]) -> dict:
    results: dict = {}
    mark_final(days)
    if "page" in parts:
        page = run_child(env, "page-recap", days, out)
        results["page"] = page
        log(f"recap page: {page['ms']} ms, x /me/: { {k: round(v, 1) for k, v in page['ratio'].items()} }, "
            f"queries {page['queries']}, rows {page['rows_shown']}, preparing {page['preparing']} (aim <= 20x)")
    if "copy" in parts:
        for report in ("daily", "recap"):
            results[f"csv-{report}"] = _alternate(env, f"copy-{report}", f"csv-{report}", days, out, repeats)
    for report in ("daily", "recap"):
        if "jobs" in parts or f"jobs-{report}" in parts:
            results[f"job-csv-{report}"] = _alternate(env, f"copy-{report}", f"job-csv-{report}", days, out, repeats)
    xlsx_path = str(Path(env["PORTAL_VAR_DIR"]) / "bench-recap.xlsx")
    if "xlsx" in parts:
        floor = [run_child(env, "xlsxwriter-recap", days, xlsx_path) for _i in range(repeats)]
        ours = [run_child(env, "job-xlsx-recap", days, xlsx_path) for _i in range(repeats)]
        floor_s, ours_s = statistics.median(r["seconds"] for r in floor), statistics.median(r["seconds"] for r in ours)
        results["xlsx-recap"] = {"xlsxwriter": floor, "project": ours, "ratio": floor_s / ours_s}
        log(f"XLSX recap: project (worker path) {ours_s:.1f} s, XlsxWriter constant_memory alone {floor_s:.1f} s: "
            f"{floor_s / ours_s:.2f}x of XlsxWriter (aim >= 0.8)")
    if "rss" in parts:
        code, people = unit_near(10_000)
        for fmt in ("csv", "xlsx"):
            small = run_child(env, f"job-{fmt}-recap", days, xlsx_path, unit=code)
            large = run_child(env, f"job-{fmt}-recap", days, xlsx_path)
            results[f"rss-{fmt}"] = {"unit": code, "employees": people, "small": small, "large": large}
            log(f"{fmt} recap peak RSS: {small['rows']} rows {small['peak_mb']:.1f} MB, {large['rows']} rows "
                f"{large['peak_mb']:.1f} MB (aim < 150 MB, flat)")
    if os.path.exists(xlsx_path):
        os.unlink(xlsx_path)
    return results


# --- HTTP -------------------------------------------------------------------------------


def check_in_moment() -> dt.datetime:
    """07:00 WIB of the next working day of the institution (server clock for the check-ins)."""
    import zoneinfo

    from portal.models import Unit
    from portal.selectors import workcalendar

    root = Unit.objects.get(code="PEMKOT")
    start = dt.date.today() + dt.timedelta(days=1)
    day = workcalendar.working_days(root, start, start + dt.timedelta(days=14))[0]
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=zoneinfo.ZoneInfo(WIB))


def time_warp_config(moment: dt.datetime) -> str:
    """A gunicorn config file whose hook moves each worker's clock to ``moment``, ticking."""
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"attendance_bench_gunicorn_{os.getpid()}.py"
    path.write_text(
        "import datetime as dt\n"
        "import time_machine\n\n\n"
        "def post_worker_init(worker):\n"
        f"    time_machine.travel(dt.datetime.fromisoformat({moment.isoformat()!r}), tick=True).start()\n")
    return str(path)


def tokens_for(count: int) -> list[tuple[int, str, int]]:
    """(employee id, token key, unit id) of ``count`` active employees, tokens made in bulk."""
    from rest_framework.authtoken.models import Token

    from portal.models import Employee

    people = list(Employee.objects.filter(is_active=True, user__isnull=False).order_by("pk")
                  .values_list("pk", "user_id", "unit_id")[:count])
    existing = dict(Token.objects.filter(user_id__in=[u for _p, u, _unit in people]).values_list("user_id", "key"))
    new = [Token(key=Token.generate_key(), user_id=u) for _p, u, _unit in people if u not in existing]
    Token.objects.bulk_create(new, batch_size=5000)
    existing.update({t.user_id: t.key for t in new})
    return [(p, existing[u], unit) for p, u, unit in people]


def offices() -> dict[int, tuple[float, float]]:
    """Each unit's office coordinates (own or the nearest ancestor's), for realistic locations."""
    from portal.models import Unit

    units = list(Unit.objects.values("pk", "path", "latitude", "longitude"))
    located = {u["pk"]: (float(u["latitude"]), float(u["longitude"])) for u in units if u["latitude"] is not None}
    out = {}
    for u in units:
        chain = [int(p) for p in u["path"].strip("/").split("/")]
        found = [located[a] for a in chain if a in located]
        out[u["pk"]] = found[-1] if found else (-6.8895, 109.6753)
    return out


def check_in_jobs(people, rng: random.Random) -> list:
    spots = offices()
    jobs = []
    for _pk, key, unit in people:
        lat, lon = spots[unit]
        # Within ~100 m of the office, with a phone's accuracy.
        body = {"latitude": round(lat + rng.uniform(-0.0009, 0.0009), 6),
                "longitude": round(lon + rng.uniform(-0.0009, 0.0009), 6), "accuracy": rng.choice([5, 10, 20, 35])}
        jobs.append(("POST", "/api/v1/attendance/check-in/", key, body))
    rng.shuffle(jobs)
    return jobs


def bench_http(env: dict, clients: int, ratio_count: int, peak: int) -> dict:
    from attendance.models import DayStatus, Punch

    moment = check_in_moment()
    people = tokens_for(ratio_count + peak)
    if len(people) < ratio_count + peak:
        raise SystemExit(f"need {ratio_count + peak} employees, have {len(people)}")
    Punch.objects.filter(date=moment.date()).delete()
    DayStatus.objects.filter(date=moment.date()).delete()
    rng = random.Random(5)
    ratio_people, peak_people = people[:ratio_count], people[ratio_count:]
    baseline = [("GET", "/api/v1/me/", people[rng.randrange(len(people))][1], None) for _ in range(ratio_count)]
    conf = time_warp_config(moment)
    http_env = {**env, "GUNICORN_CMD_ARGS": f"-c {conf}"}
    log(f"gunicorn with the clock at {moment.isoformat()} (ticking); {clients} clients")
    try:
        with gunicorn(http_env) as port:
            run_load("warm-up", port, baseline[:300], clients)
            base1 = run_load("trivial view (GET /me/)", port, baseline[: ratio_count // 2], clients)
            check = run_load("check-in (first of the day)", port, check_in_jobs(ratio_people, rng), clients,
                             ok_statuses=(201,))
            base2 = run_load("trivial view (GET /me/) 2", port, baseline[ratio_count // 2:], clients)
            log(base1.line())
            log(check.line(base1))
            log(base2.line())
            log(f"check-in statuses: {dict(sorted(check.statuses.items()))}")
            morning = run_load(f"morning peak ({peak} check-ins)", port, check_in_jobs(peak_people, rng), clients,
                               ok_statuses=(201,))
            log(morning.line())
            log(f"peak statuses: {dict(sorted(morning.statuses.items()))}")
    finally:
        os.unlink(conf)
    punches = Punch.objects.filter(date=moment.date(), check_in_at__isnull=False).count()
    inline = DayStatus.objects.filter(date=moment.date()).count()
    worker = derive_like_the_worker(moment)
    statuses = DayStatus.objects.filter(date=moment.date()).count()
    base_rps = (base1.rps + base2.rps) / 2
    base_p99 = (base1.pct(99) + base2.pct(99)) / 2
    summary = {
        "moment": moment.isoformat(), "clients": clients,
        "baseline": [_load(base1), _load(base2)], "check_in": _load(check), "peak": _load(morning),
        "check_in_ratio_rps": check.rps / base_rps if base_rps else 0.0,
        "check_in_ratio_p99": check.pct(99) / base_p99 if base_p99 else 0.0,
        "punches_recorded": punches, "day_statuses_at_response": inline, "day_statuses_recorded": statuses,
        "deferred_derivation": worker,
        "peak_fits_window": morning.seconds <= PEAK_WINDOW_S,
    }
    log(f"check-in / trivial: throughput {summary['check_in_ratio_rps']:.2f}x, "
        f"p99 {summary['check_in_ratio_p99']:.2f}x; "
        f"punches recorded {punches} of {ratio_count + peak}; day statuses {inline} when the load ended, "
        f"{statuses} after the deferred derivation")
    return summary


def derive_like_the_worker(moment: dt.datetime) -> dict:
    """The check-in marks its punch due and the day statuses follow after the commit, in batches
    (attendance.derive_due_statuses, one run per coalescing window for everyone); no worker runs
    during the load. Run that task here until nothing is due, at the server's clock, and time it
    per person-day: the cost the worker takes off the request."""
    import time_machine

    from attendance import tasks
    from attendance.models import Punch
    from attendance.services.presence import DUE_BATCH

    day = moment.date()
    waiting = Punch.objects.filter(date=day, status_due_at__isnull=False).count()
    derived, runs = 0, 0
    t0 = time.perf_counter()
    with time_machine.travel(moment + dt.timedelta(hours=1), tick=True):
        while True:
            done = tasks.derive_due_statuses()
            derived, runs = derived + done, runs + 1
            if not done:
                break
    seconds = time.perf_counter() - t0
    ms = seconds * 1000 / derived if derived else 0.0
    log(f"deferred derivation: {waiting} punches due, {derived} derived in {runs - 1} run(s) of at most "
        f"{DUE_BATCH}, {ms:.2f} ms per person-day (serial, the worker's share)")
    return {"person_days": derived, "mean_ms": ms, "runs": runs - 1}


def _load(result) -> dict:
    return {"name": result.name, "count": result.count, "errors": result.errors, "seconds": result.seconds,
            "rps": result.rps, "p50_ms": result.pct(50), "p99_ms": result.pct(99),
            "statuses": {str(k): v for k, v in sorted(result.statuses.items())}}


# --- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--ratio-requests", type=int, default=4000,
                        help="check-ins (and as many trivial requests) for the ratio")
    parser.add_argument("--peak", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=2, help="project CSV runs per report (COPY gets one more)")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database and its generated rows")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--out", default=os.devnull, help="where the CSV exports go")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--end", help=argparse.SUPPRESS)
    parser.add_argument("--unit", default="PEMKOT", help=argparse.SUPPRESS)
    parser.add_argument("--exports-only", help="comma-separated parts of the export section: "
                        "copy,page,jobs (or jobs-daily, jobs-recap),xlsx,rss (default all)")
    args = parser.parse_args()

    env = bench_env(DB)
    if args.child:
        setup_django(env)
        print(json.dumps(child_export(args.child, args.start, args.end, args.out, args.unit), default=str))
        return

    results: dict = {"args": vars(args)}
    reuse = False
    if args.reuse:
        setup_django(env)
        from portal.models import Employee

        reuse = Employee.objects.count() == args.employees
        if not reuse:
            from django.db import connections

            connections.close_all()  # the database is about to be dropped
    if not reuse:
        log(f"seeding {args.employees} employees (seed_demo)")
        results["seed_seconds"] = seed(env, args.employees)
        log(f"seed_demo: {results['seed_seconds']:.0f} s")
        setup_django(env)
    days = export_days(args.days)
    log(f"days: {days[0]} .. {days[-1]} ({len(days)} working days)")
    if not reuse or existing_rows(days) != expected_generated(days):
        results["generated"] = generate_day_rows(days)
        log(f"generated with SQL: {results['generated']}")
    results["days"] = [days[0].isoformat(), days[-1].isoformat(), len(days)]

    if not args.skip_exports:
        parts = set((args.exports_only or "page,copy,jobs,xlsx,rss").split(","))
        results["exports"] = bench_exports(env, days, args.out, args.repeats, parts)
    if not args.skip_http:
        results["http"] = bench_http(env, args.clients, args.ratio_requests, args.peak)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
