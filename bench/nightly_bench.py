"""Benchmark: the nightly day-status pass, one task before against batches shared by workers after.

    python bench/nightly_bench.py --employees 100000 [--workers 1,2] [--skip-single]
    python bench/nightly_bench.py --employees 1000000 --batches-only 3

Reuses the databases of bench/million_bench.py (``portal_bench_million_100k`` / ``_1m``, seeded
there; migrated here to the latest schema, which only adds tables). In one run:

1. before: ``recompute_institution(None, today-35, today+1)`` — the body of the old single
   ``attendance.recompute_recent`` task — in this process, timed;
2. after: for each worker count, a real Celery worker (``-c N`` prefork processes, Redis db
   ``--redis-db``) takes the batches ``attendance.recompute_recent`` enqueues; wall time from the
   plan to the run's ``finished_at``, and each batch's duration (``started_at`` → ``done_at``);
3. the TK thresholds check once (it follows the last batch; the same work before and after).

``--batches-only K`` plans tonight's run without sending anything and times K batches in this
process (the 1 M database: one batch's duration there, for the extrapolation).
Ratios are against the single pass measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def db_name(employees: int) -> str:
    return f"portal_bench_million_{'1m' if employees >= 1_000_000 else f'{employees // 1000}k'}"


def setup(employees: int, redis_db: int) -> dict:
    env = bench_env(db_name(employees))
    exists = subprocess.run(["psql", env["DATABASE_URL"], "-Atc", "SELECT 1"], capture_output=True)
    if exists.returncode:
        sys.exit(f"{db_name(employees)} does not exist: seed it first with "
                 f"`python bench/million_bench.py --employees {employees}` (this bench reuses its data)")
    env["REDIS_URL"] = env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run([PY, "manage.py", "migrate", "attendance", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    return env


def window():
    from django.utils import timezone

    from attendance.services import recompute

    today = timezone.localdate()
    return today, today - dt.timedelta(days=recompute.NIGHTLY_DAYS), today + dt.timedelta(days=1)


def single_pass() -> dict:
    from attendance.services import recompute

    _, start, end = window()
    t0 = time.perf_counter()
    rows = recompute.recompute_institution(None, start, end)
    seconds = time.perf_counter() - t0
    log(f"single pass: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    return {"rows": rows, "s": seconds}


def fresh_night() -> None:
    from attendance.models import NightlyRun

    today, _, _ = window()
    NightlyRun.objects.filter(day=today).delete()


def batch_stats(run) -> dict:
    durations = [(b.done_at - b.started_at).total_seconds() for b in run.batches.all()]
    rows = sum(run.batches.values_list("rows", flat=True))
    return {"batches": len(durations), "rows": rows, "batch_max_s": max(durations),
            "batch_median_s": statistics.median(durations), "batch_sum_s": sum(durations),
            "attempts_max": max(run.batches.values_list("attempts", flat=True))}


def fanned_out(env: dict, workers: int) -> dict:
    """Plan (the beat's task body, enqueueing to Redis), a worker of ``workers`` processes, wait."""
    from attendance.models import NightlyRun
    from attendance.services import recompute

    fresh_night()
    subprocess.run([PY, "-m", "celery", "-A", "portal", "purge", "-f"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    worker = subprocess.Popen([PY, "-m", "celery", "-A", "portal", "worker", "-c", str(workers), "-P", "prefork",
                               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
                              cwd=ROOT, env=env)
    try:
        time.sleep(8)  # the worker's processes are up before the clock starts
        t0 = time.perf_counter()
        planned = recompute.recompute_recent()  # enqueues after its commit (autocommit here)
        plan_s = time.perf_counter() - t0
        today, _, _ = window()
        while not NightlyRun.objects.filter(day=today, finished_at__isnull=False).exists():
            if time.perf_counter() - t0 > 3 * 3600:
                raise SystemExit("the run did not finish in 3 hours")
            time.sleep(1)
        wall = time.perf_counter() - t0
    finally:  # a cold shutdown: the TK check the last batch enqueued is timed on its own (tk_check)
        worker.send_signal(signal.SIGQUIT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)
    run = NightlyRun.objects.get(day=today)
    out = {"workers": workers, "planned": planned, "plan_s": plan_s, "wall_s": wall, **batch_stats(run)}
    log(f"fan-out, {workers} worker process(es): {out}")
    return out


def tk_check() -> float:
    from attendance.services import tk_notices

    t0 = time.perf_counter()
    tk_notices.check_tk_thresholds()
    return time.perf_counter() - t0


def batches_only(count: int) -> dict:
    """Tonight's plan without messages, then ``count`` batches of the first institution here."""
    from attendance.models import NightlyRun
    from attendance.services import recompute

    fresh_night()
    recompute.enqueue_on_commit = lambda *a, **k: None  # nothing reaches a worker
    t0 = time.perf_counter()
    planned = recompute.recompute_recent()
    plan_s = time.perf_counter() - t0
    today, _, _ = window()
    run = NightlyRun.objects.get(day=today)
    timings = []
    for batch in run.batches.order_by("pk")[:count]:
        t = time.perf_counter()
        rows = recompute.nightly_batch_run(batch.pk)
        timings.append((rows, time.perf_counter() - t))
        log(f"batch {batch.pk}: {rows:,} rows in {timings[-1][1]:.1f} s")
    return {"planned": planned, "plan_s": plan_s, "timings": timings}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--batches-only", type=int, default=0)
    parser.add_argument("--tk", action="store_true", help="also time the TK thresholds check once")
    args = parser.parse_args()
    env = setup(args.employees, args.redis_db)
    log(f"database {db_name(args.employees)}, load average {os.getloadavg()}")
    if args.batches_only:
        log(f"plan + batches: {batches_only(args.batches_only)}")
        return
    single = None if args.skip_single else single_pass()
    for n in (int(w) for w in args.workers.split(",")):
        out = fanned_out(env, n)
        if single:
            log(f"  {n} worker(s): wall / single = {out['wall_s'] / single['s']:.2f}x, "
                f"summed batch time / single = {out['batch_sum_s'] / single['s']:.2f}x, "
                f"largest task / single = {out['batch_max_s'] / single['s']:.3f}x, rows equal: "
                f"{out['rows'] == single['rows']}")
        log(f"  load average {os.getloadavg()}")
    if args.tk:
        log(f"TK thresholds check (once a night, before and after): {tk_check():.1f} s")


if __name__ == "__main__":
    main()
