"""Benchmark: the portal at a million employees (issue 15, item 7), with 100,000 for growth.

    python bench/million_bench.py [--employees 1000000] [--institutions 10] [--reuse] [--quick]
                                  [--repeat 3] [--clients 32] [--ratio-requests 1000] [--peak 3000]
                                  [--skip-http] [--report 100000 1000000]

``--quick`` is ``--employees 100000`` (a local run in a few minutes). Several sizes may be given
(``--employees 100000 1000000``); each is measured in its own child process and database
(``portal_bench_million_100k``, ``portal_bench_million_1m``), its results saved to
``var/bench/million_<N>.json``, and the growth between the first and the last size printed.
``--report`` prints that table from saved results without measuring.

Data (skipped with ``--reuse``): a fresh database, ``seed_demo --employees N`` (one institution,
~N/50 units, a month of plans) for N / ``--institutions`` employees, then :mod:`bench._million_seed`
copies that institution until there are ``--institutions`` of them and writes the last full calendar
month of day statuses and punches with SQL.

Measures, each against a baseline measured in the same run (the other benches' functions):

1. daily staffing pass: ``compute_staffing`` for 20 working days × every unit against one
   hand-written SQL upsert (``bench.staffing_bench``), with the agreement check;
2. nightly window: the staffing forecast ``compute_window(today)`` (56 days × every unit), and the
   nightly day-status recompute (``recompute_institution`` over the month) on the PEMKOT subtree
   nearest 2,000 employees against the set-based SQL writing the same rows, extrapolated to everyone ×
   ``NIGHTLY_DAYS``;
3. inbox: the busiest supervisor's inbox pages against ``GET /api/v1/me/`` (``bench.inbox_bench``);
4. recap export: the month's recap CSV of PEMKOT (one institution, N / 10 people) through the project's
   code against ``COPY`` of the same rows (``bench.attendance_bench``);
5. check-in peak: first check-ins of the day through gunicorn against ``GET /api/v1/me/``, then a
   morning peak (``bench.attendance_bench.bench_http``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env, fresh_database  # noqa: E402

DAYS = 20  # the staffing pass, as in bench/staffing_bench.py
NIGHTLY_SAMPLE = 2000  # employees in the subtree the nightly recompute is timed on


def db_name(employees: int) -> str:
    label = "1m" if employees == 1_000_000 else f"{employees // 1000}k" if employees % 1000 == 0 else str(employees)
    return f"portal_bench_million_{label}"


def results_path(employees: int) -> Path:
    return ROOT / "var" / "bench" / f"million_{employees}.json"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def environment(employees: int) -> dict:
    env = bench_env(db_name(employees))
    env["ATTENDANCE_BENCH_DB"] = db_name(employees)  # the export children of bench.attendance_bench
    return env


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


# --- Data ------------------------------------------------------------------------------------


def seed(env: dict, employees: int, institutions: int) -> dict:
    """seed_demo of one institution, its copies and the month of attendance; seconds of each."""
    fresh_database(env, db_name(employees))
    t0 = time.perf_counter()
    per = employees // institutions
    subprocess.run([PY, "manage.py", "seed_demo", "--employees", str(per), "-v0"], cwd=ROOT, env=env, check=True)
    out = {"seed_demo_s": time.perf_counter() - t0}
    log(f"seed_demo --employees {per}: {out['seed_demo_s']:.0f} s")
    setup_django(env)
    return {**out, **shape(institutions)}


def shape(institutions: int) -> dict:
    """Copy the institution and write the month (the part after seed_demo)."""
    from django.utils import timezone

    from bench import _million_seed

    t0 = time.perf_counter()
    sizes = _million_seed.clone_institution(institutions - 1, log=log)
    out = {"clone_s": time.perf_counter() - t0, "institutions": sizes}
    log(f"{len(sizes)} institutions in {out['clone_s']:.1f} s: {sizes}")
    today = timezone.localdate()
    days = _million_seed.month_days(today)
    month = _million_seed.seed_month(days, plans_from=today - dt.timedelta(days=14), log=log)
    out["month"] = month
    log(f"month of attendance: {month}")
    return out


def counts() -> dict:
    from django.db import connection

    tables = ("portal_employee", "portal_unit", "scheduling_requestday", "attendance_daystatus", "attendance_punch",
              "attendance_staffingsnapshot")
    out = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT reltuples::bigint, pg_total_relation_size(%s), pg_relation_size(%s) "  # noqa: S608
                           "FROM pg_class WHERE relname = %s", (table, table, table))
            rows, total, heap = cursor.fetchone()
            out[table] = {"rows": rows, "total_mb": total / 2**20, "heap_mb": heap / 2**20}
        cursor.execute("SELECT count(*) FROM portal_unit WHERE parent_id IS NULL")
        out["institutions"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM portal_employee")
        out["employees"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM portal_unit")
        out["units"] = cursor.fetchone()[0]
    return out


# --- 1. The daily staffing pass ---------------------------------------------------------------


def bench_staffing(repeat: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from attendance.services import staffing
    from bench import staffing_bench as sb
    from portal.models import Unit
    from portal.selectors import workcalendar

    root = Unit.objects.get(code="PEMKOT", parent__isnull=True)
    today = timezone.localdate()
    days = workcalendar.working_days(root, today - dt.timedelta(days=14), today + dt.timedelta(days=60))[:DAYS]
    ctes, final, params = sb.staffing_sql(days, root.pk)
    sb.create_scratch()
    upsert = sb.upsert_sql(ctes, final)

    def run_upsert():
        with connection.cursor() as cur:
            cur.execute(upsert, params)

    times = sb.timed({"project": lambda: staffing.compute_staffing(days[0], days[-1]), "sql": run_upsert}, repeat)
    agreement = sb.compare(days, root)
    (p_first, p_warm, written), (s_first, s_warm, _r) = times["project"], times["sql"]
    out = {"days": len(days), "rows": written, "project_first_s": p_first, "project_warm_s": p_warm,
           "sql_first_s": s_first, "sql_warm_s": s_warm, "ratio_first": p_first / s_first,
           "ratio_warm": p_warm / s_warm, "agreement": agreement}
    log(f"staffing {len(days)} days: project {p_first:.1f} / {p_warm:.1f} s, SQL {s_first:.1f} / {s_warm:.1f} s, "
        f"ratio {out['ratio_first']:.2f}x / {out['ratio_warm']:.2f}x; mismatches {agreement['count_mismatches']}"
        f" + {agreement['minimum_mismatches']}")
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {sb.SCRATCH}")
    return out


# --- 2. The nightly window ----------------------------------------------------------------------


def bench_nightly(env: dict, sql_rows_per_s: float) -> dict:
    """The staffing forecast, and the day-status recompute on a sample subtree against SQL."""
    from django.db import connection
    from django.utils import timezone

    from attendance.services import recompute, staffing, warnings
    from bench import _million_seed
    from portal.models import Employee, Unit

    today = timezone.localdate()
    t0 = time.perf_counter()
    window_rows = staffing.compute_window(today)
    window_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warned = warnings.send_early_warnings(today=today)
    warn_s = time.perf_counter() - t0
    log(f"compute_window: {window_rows} rows in {window_s:.1f} s ({window_rows / window_s:.0f} rows/s; "
        f"SQL upsert of the daily pass {sql_rows_per_s:.0f} rows/s); early warnings {warned} in {warn_s:.1f} s")

    code, people = _sample_unit()
    unit = Unit.objects.get(code=code)
    days = _million_seed.month_days(today)
    runs = {"sql": [], "project": []}
    for _round in range(2):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM attendance_daystatus WHERE date = ANY(%s::date[]) AND unit_id IN "
                           "(SELECT id FROM portal_unit WHERE path LIKE %s)", [days, unit.path + "%"])
            sql_rows = sum(_million_seed.write_day(cursor, d, today - dt.timedelta(days=14), unit.path) for d in days)
        runs["sql"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = recompute.recompute_institution(None, days[0], days[-1], unit_id=unit.pk)
        runs["project"].append(time.perf_counter() - t0)
    sql_s, project_s = statistics.median(runs["sql"]), statistics.median(runs["project"])
    everyone = Employee.objects.filter(is_active=True).count()
    per_row = project_s / max(rows, 1)
    nightly_rows = everyone * recompute.NIGHTLY_DAYS * len(days) / 31  # NIGHTLY_DAYS calendar days
    out = {"window_rows": window_rows, "window_s": window_s, "warnings_s": warn_s, "sample_unit": code,
           "sample_employees": people, "sample_rows": rows, "sql_rows": sql_rows, "project_s": project_s,
           "sql_s": sql_s, "ratio": project_s / sql_s, "project_rows_per_s": rows / project_s,
           "nightly_rows_estimate": nightly_rows, "nightly_hours_one_worker": nightly_rows * per_row / 3600}
    log(f"nightly recompute on {code} ({people} employees, {rows} rows): project {project_s:.1f} s, "
        f"SQL {sql_s:.1f} s, ratio {out['ratio']:.1f}x; whole nightly pass ≈ {nightly_rows:.0f} rows ≈ "
        f"{out['nightly_hours_one_worker']:.2f} h on one worker")
    return out


def _sample_unit() -> tuple[str, int]:
    """The unit of PEMKOT, at any depth, whose subtree holds the number of employees nearest
    NIGHTLY_SAMPLE (the same sample at every scale)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT u.code, count(e.id) AS n FROM portal_unit u
            JOIN portal_unit x ON x.path LIKE u.path || '%%' JOIN portal_employee e ON e.unit_id = x.id
            WHERE u.path LIKE (SELECT path FROM portal_unit WHERE code = 'PEMKOT') || '_%%'
            GROUP BY u.code ORDER BY abs(ln(count(e.id)::float / %s)) LIMIT 1""", [NIGHTLY_SAMPLE])
        return cursor.fetchone()


# --- 3. Inbox, 4. recap export, 5. check-in peak -----------------------------------------------


def bench_inbox(env: dict, repeat: int) -> dict:
    from bench import inbox_bench

    r = inbox_bench.measure(env, repeat)
    me = r["pages"]["me"][0]
    out = {"supervisor_pending": r["pending"], "pages": {name: {"ms": ms, "ratio": ms / me, "queries": q}
                                                         for name, (ms, q, _size) in r["pages"].items()},
           "selectors": {name: {"ms": ms, "ratio": ms / me} for name, ms in r["selectors"].items()}}
    log(f"inbox ({r['pending']} pending): " + ", ".join(f"{n} {v['ms']:.0f} ms ({v['ratio']:.1f}x)"
                                                        for n, v in out["pages"].items()))
    return out


def bench_recap(env: dict, repeats: int) -> dict:
    from django.utils import timezone

    from bench import _million_seed
    from bench import attendance_bench as ab

    days = _million_seed.month_days(timezone.localdate())
    ab.mark_final(days)
    result = ab._alternate(env, "copy-recap", "csv-recap", days, os.devnull, repeats)
    rows = result["project"][0]["rows"]
    return {"rows": rows, "rows_per_s": result["rows_per_s"], "copy_rows_per_s": result["copy_rows_per_s"],
            "ratio": result["ratio"], "peak_mb": result["peak_mb"],
            "project_s": statistics.median(r["seconds"] for r in result["project"]),
            "copy_s": statistics.median(r["seconds"] for r in result["copy"])}


def bench_checkin(env: dict, clients: int, ratio_requests: int, peak: int) -> dict:
    from bench import attendance_bench as ab

    r = ab.bench_http(env, clients, ratio_requests, peak)
    return {"ratio_rps": r["check_in_ratio_rps"], "ratio_p99": r["check_in_ratio_p99"],
            "baseline_rps": statistics.mean(b["rps"] for b in r["baseline"]), "check_in_rps": r["check_in"]["rps"],
            "peak_rps": r["peak"]["rps"], "peak_p99_ms": r["peak"]["p99_ms"], "peak_errors": r["peak"]["errors"],
            "derive_ms": r["deferred_derivation"]["mean_ms"], "clients": clients, "peak": peak}


# --- One size ------------------------------------------------------------------------------------


def one(args) -> None:
    employees = args.one
    env = environment(employees)
    results: dict = {"employees_arg": employees, "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
                     "machine": f"{platform.platform()}, {os.cpu_count()} CPUs", "load_start": os.getloadavg()}
    if args.reuse:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        setup_django(env)
        if args.shape:  # seed_demo ran (e.g. by hand) but the copies and the month did not
            results["seed"] = {"seed_demo_s": args.seeded_in, **shape(args.institutions)}
    else:
        results["seed"] = seed(env, employees, args.institutions)
    results["counts"] = counts()
    log(f"data: {json.dumps(results['counts'])}")
    parts = set(args.parts.split(","))
    if "staffing" in parts:
        results["staffing"] = bench_staffing(args.repeat)
    if "nightly" in parts:
        sql_rps = results["staffing"]["rows"] / results["staffing"]["sql_warm_s"] if "staffing" in results else 0
        results["nightly"] = bench_nightly(env, sql_rps)
    if "inbox" in parts:
        results["inbox"] = bench_inbox(env, max(5, args.repeat * 3))
    if "recap" in parts:
        results["recap"] = bench_recap(env, max(1, args.repeat - 1))
    if "checkin" in parts and not args.skip_http:
        results["checkin"] = bench_checkin(env, args.clients, args.ratio_requests, args.peak)
    results["load_end"] = os.getloadavg()
    path = results_path(employees)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.exists() and args.reuse else {}
    path.write_text(json.dumps({**old, **results}, indent=1, default=str))
    log(f"results in {path}")


# --- Report ---------------------------------------------------------------------------------------


ROWS = [
    ("employees / units / institutions", lambda r: f"{r['counts']['employees']:,} / {r['counts']['units']:,} / "
                                                   f"{r['counts']['institutions']}"),
    ("day statuses (month) / size", lambda r: f"{r['counts']['attendance_daystatus']['rows']:,} / "
                                              f"{r['counts']['attendance_daystatus']['total_mb']:,.0f} MB"),
    ("punches / size", lambda r: f"{r['counts']['attendance_punch']['rows']:,} / "
                                 f"{r['counts']['attendance_punch']['total_mb']:,.0f} MB"),
    ("seed_demo s", lambda r: f"{r['seed']['seed_demo_s']:.0f}"),
    ("copies / month of attendance s", lambda r: f"{r['seed']['clone_s']:.0f} / {r['seed']['month']['seconds']:.0f}"),
    ("staffing pass project s (warm)", lambda r: f"{r['staffing']['project_warm_s']:.1f}"),
    ("staffing pass SQL upsert s (warm)", lambda r: f"{r['staffing']['sql_warm_s']:.1f}"),
    ("**staffing project / SQL**", lambda r: f"{r['staffing']['ratio_warm']:.2f}x"),
    ("nightly compute_window rows / s", lambda r: f"{r['nightly']['window_rows']:,} / {r['nightly']['window_s']:.1f}"),
    ("nightly recompute sample project / SQL", lambda r: f"{r['nightly']['ratio']:.1f}x"),
    ("nightly recompute, whole pass, one worker h", lambda r: f"{r['nightly']['nightly_hours_one_worker']:.2f}"),
    ("inbox API (50) ms / x /me/", lambda r: f"{r['inbox']['pages']['api inbox (50)']['ms']:.0f} / "
                                             f"{r['inbox']['pages']['api inbox (50)']['ratio']:.1f}x"),
    ("inbox HTML ms / x /me/", lambda r: f"{r['inbox']['pages']['html inbox']['ms']:.0f} / "
                                         f"{r['inbox']['pages']['html inbox']['ratio']:.1f}x"),
    ("recap CSV rows / s", lambda r: f"{r['recap']['rows']:,} / {r['recap']['project_s']:.1f}"),
    ("**recap CSV / COPY** (rows/s)", lambda r: f"{r['recap']['ratio']:.2f}x"),
    ("recap peak RSS MB", lambda r: f"{r['recap']['peak_mb']:.0f}"),
    ("check-in req/s / x /me/", lambda r: f"{r['checkin']['check_in_rps']:.1f} / {r['checkin']['ratio_rps']:.2f}x"),
    ("morning peak req/s, p99 ms", lambda r: f"{r['checkin']['peak_rps']:.1f}, {r['checkin']['peak_p99_ms']:.0f}"),
]


def report(sizes: list[int]) -> None:
    found = [(n, json.loads(results_path(n).read_text())) for n in sizes if results_path(n).exists()]
    if not found:
        return
    print("\n| measure | " + " | ".join(f"{n:,}" for n, _r in found) + (" | growth |" if len(found) > 1 else " |"))
    print("|---" * (len(found) + 1 + (len(found) > 1)) + "|")
    for name, fn in ROWS:
        cells = []
        for _n, r in found:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("–")
        growth = ""
        if len(found) > 1:
            growth = " | " + _growth(name, found[0][1], found[-1][1])
        print(f"| {name} | " + " | ".join(cells) + growth + " |")


GROWTH = {
    "staffing pass project s (warm)": ("staffing", "project_warm_s"),
    "staffing pass SQL upsert s (warm)": ("staffing", "sql_warm_s"),
    "**staffing project / SQL**": ("staffing", "ratio_warm"),
    "nightly recompute sample project / SQL": ("nightly", "ratio"),
    "recap CSV rows / s": ("recap", "project_s"),
    "**recap CSV / COPY** (rows/s)": ("recap", "ratio"),
}


def _growth(name: str, first: dict, last: dict) -> str:
    try:
        if name in GROWTH:
            section, key = GROWTH[name]
            return f"{last[section][key] / first[section][key]:.2f}x"
        for prefix, page in (("inbox API", "api inbox (50)"), ("inbox HTML", "html inbox")):
            if name.startswith(prefix):
                a, b = first["inbox"]["pages"][page]["ratio"], last["inbox"]["pages"][page]["ratio"]
                return f"{b / a:.2f}x ratio"
        if name.startswith("check-in"):
            return f"{last['checkin']['ratio_rps'] / first['checkin']['ratio_rps']:.2f}x ratio"
    except (KeyError, ZeroDivisionError):
        return "–"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--quick", action="store_true", help="--employees 100000")
    parser.add_argument("--institutions", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="measure the previous run's databases again")
    parser.add_argument("--shape", action="store_true",
                        help="with --reuse: copy the institution and write the month after seed_demo")
    parser.add_argument("--seeded-in", type=float, help="with --shape: seconds seed_demo took (for the report)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ratio-requests", type=int, default=1000)
    parser.add_argument("--peak", type=int, default=3000)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--parts", default="staffing,nightly,inbox,recap,checkin")
    parser.add_argument("--report", type=int, nargs="+", help="print the saved results of these sizes")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args)
    if args.report:
        return report(args.report)
    sizes = [100_000] if args.quick else args.employees
    passed = [a for a in sys.argv[1:] if a not in ("--quick",)]
    flags = []  # every option but the sizes goes to the children as given
    skip = False
    for a in passed:
        if a == "--employees":
            skip = True
            continue
        if skip and a.lstrip("-").isdigit():
            continue
        skip = False
        flags.append(a)
    for size in sizes:
        log(f"--- {size} employees ({db_name(size)})")
        subprocess.run([PY, __file__, "--one", str(size), *flags], cwd=ROOT, check=True)
    report(sizes)


if __name__ == "__main__":
    main()
