"""Benchmark: a supervisor's inbox at institution size, on PostgreSQL (issue 15, item 2).

    python bench/inbox_bench.py [--employees 10000 100000] [--repeat 15] [--reuse]

For each size: a fresh database seeded with ``seed_demo --employees N`` (timed) and ANALYZE,
then, in one process through Django's test client (no network, so only the server's work is
timed), the median of ``repeat`` interleaved requests by the supervisor with the most pending
days to decide:

- ``GET /api/v1/me/`` (the baseline),
- ``GET /api/v1/inbox/?page_size=50`` (the API inbox page of 50),
- ``GET /persetujuan/`` (the HTML inbox, one page),
- ``GET /api/v1/requests/?status=pending&page_size=50`` (the request list with its count),

each as a ratio to ``/me/``, with its query count; then the growth from the first size to the
last. ``--reuse`` measures the databases of the previous run again (no seeding).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env, fresh_database  # noqa: E402

PAGES = {
    "me": "/api/v1/me/",
    "api inbox (50)": "/api/v1/inbox/?page_size=50",
    "html inbox": "/persetujuan/",
    "requests list (50)": "/api/v1/requests/?status=pending&page_size=50",
}


def db_name(employees: int) -> str:
    return f"portal_bench_inbox_{employees}"


def prepare(employees: int, reuse: bool) -> tuple[dict, float | None]:
    env = bench_env(db_name(employees))
    if reuse:  # the code may have gained migrations since the seeding
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        return env, None
    fresh_database(env, db_name(employees))
    t0 = time.perf_counter()
    subprocess.run([PY, "manage.py", "seed_demo", "--employees", str(employees), "-v0"], cwd=ROOT, env=env,
                   check=True)
    seconds = time.perf_counter() - t0
    subprocess.run([PY, "manage.py", "dbshell", "--", "-q", "-c", "ANALYZE"], cwd=ROOT, env=env, check=True)
    return env, seconds


def measure(env: dict, repeat: int) -> dict:
    """Run in a child process per size (one Django setup per database)."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.inbox_bench import _child; "
            f"print(repr(_child({repeat})))")
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own child's repr of a dict


def _busiest_supervisor():
    """The employee with the most pending days to decide as atasan langsung (a real inbox)."""
    from django.db.models import Count

    from scheduling.models import RequestDay, Status

    row = (RequestDay.objects.filter(status=Status.PENDING, employee__supervisor__isnull=False)
           .values("employee__supervisor").annotate(n=Count("id")).order_by("-n").first())
    from portal.models import Employee

    return Employee.objects.select_related("user").get(pk=row["employee__supervisor"])


def _child(repeat: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from scheduling import selectors

    boss = _busiest_supervisor()
    client = Client(HTTP_HOST="localhost")
    client.force_login(boss.user)
    result = {"supervisor": boss.name, "pending": selectors.inbox(boss.user).count(),
              "employees": __import__("portal.models", fromlist=["Employee"]).Employee.objects.count()}
    queries, sizes, runs = {}, {}, {name: [] for name in PAGES}
    for name, path in PAGES.items():  # warm-up, with the query count and size
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        queries[name], sizes[name] = len(ctx.captured_queries), len(response.content)
    for _ in range(repeat):
        for name, path in PAGES.items():
            t0 = time.perf_counter()
            client.get(path)
            runs[name].append(time.perf_counter() - t0)
    result["pages"] = {name: (statistics.median(runs[name]) * 1000, queries[name], sizes[name]) for name in PAGES}
    result["selectors"] = _selectors(boss.user, repeat)
    return result


def _old_decidable(user):
    """The filter before issue 15 (an OR over three tables), kept here only to measure against."""
    from django.db.models import F, Q

    from scheduling.models import RequestDay, Step
    from scheduling.selectors import represented_approvers

    ids = list(represented_approvers(user))
    ordinary = Q(request__special_circumstance=False, employee__supervisor_id__in=ids)
    head_decides = Q(employee__unit__head_id__in=ids) & ~Q(employee__unit__head_id=F("employee_id"))
    no_other_head = Q(employee__unit__head_id=F("employee_id")) | Q(employee__unit__head__isnull=True)
    special = Q(request__special_circumstance=True) & (
        head_decides | (no_other_head & Q(employee__supervisor_id__in=ids)))
    official = Q(awaiting=Step.OFFICIAL, official_id__in=ids)
    q = (Q(awaiting=Step.SUPERVISOR) & (ordinary | special)) | official
    return RequestDay.objects.filter(q).exclude(employee__user=user)


def _selectors(user, repeat: int) -> dict:
    """The inbox's own read (count + first page of 50 ids), old OR filter against the UNION."""
    from scheduling.models import Status
    from scheduling.selectors import days_decidable_by

    def page(qs):
        qs = qs.order_by("date", "employee__name", "pk")
        return qs.count(), list(qs.values_list("pk", flat=True)[:50])

    fns = {"old OR filter": lambda: page(_old_decidable(user).filter(status=Status.PENDING)),
           "UNION of branches": lambda: page(days_decidable_by(user, status=Status.PENDING))}
    answers = {name: fn() for name, fn in fns.items()}
    assert answers["old OR filter"] == answers["UNION of branches"], answers
    runs = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    return {name: statistics.median(r) * 1000 for name, r in runs.items()}


def report(size: int, seed: float | None, r: dict) -> None:
    seeded = f", seeded in {seed:.0f} s" if seed is not None else ""
    print(f"\n{r['employees']} employees{seeded}; supervisor {r['supervisor']} with {r['pending']} pending days")
    me = r["pages"]["me"][0]
    for name, (ms, queries, size) in r["pages"].items():
        print(f"  {name:<20} {ms:8.1f} ms  {ms / me:6.1f}x /me/  {queries:3d} queries  {size / 1024:7.1f} KB")
    for name, ms in r["selectors"].items():
        print(f"  inbox read, {name:<20} {ms:8.1f} ms  {ms / me:6.1f}x /me/  (count + page of 50 ids)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    results = []
    for size in args.employees:
        env, seed = prepare(size, args.reuse)
        results.append(measure(env, args.repeat))
        report(size, seed, results[-1])
    if len(results) > 1:
        first, last = results[0]["pages"], results[-1]["pages"]
        print(f"\ngrowth {args.employees[0]} -> {args.employees[-1]} employees (ms, and ratio to /me/):")
        for name in PAGES:
            ratio_first = first[name][0] / first["me"][0]
            ratio_last = last[name][0] / last["me"][0]
            print(f"  {name:<20} {last[name][0] / first[name][0]:5.2f}x ms   "
                  f"{ratio_last / ratio_first:5.2f}x ratio")
        for name, ms in results[-1]["selectors"].items():
            print(f"  inbox read, {name:<20} {ms / results[0]['selectors'][name]:5.2f}x ms")


if __name__ == "__main__":
    main()
