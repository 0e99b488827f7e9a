"""Benchmark: submitting and approving requests under concurrency, on PostgreSQL + gunicorn.

    python bench/requests_bench.py [--units 16] [--staff 40] [--clients 32]

Prints throughput and p50/p99 of (1) a trivial authenticated API view (the baseline),
(2) submitting a one-day WFH request, (3) approving pending days with many approvals racing
for the same unit-days; each as a ratio to the baseline; then the number of unit-days whose
approved absences break the minimum (must be 0).

The baseline runs before, between and after the two phases, and each phase is compared with
the mean of the baselines on either side of it: on a shared machine the load of other jobs
moves the baseline by 2x within minutes, and a single baseline made the ratios mostly noise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import bench_env, fresh_database, gunicorn, run_load  # noqa: E402

DB = "portal_bench_requests"


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def build_org(units: int, staff: int):
    """One institution, ``units`` bidang with a supervisor and ``staff`` people, 70% minimum."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from portal.models import Employee, Unit, UnitKind, User
    from portal.services.org import unit_save
    from scheduling.models import CoveragePolicy

    root = unit_save(actor=None, unit=Unit(code="BENCH", name="Instansi Bench", kind=UnitKind.INSTANSI,
                                           time_zone="Asia/Jakarta"))
    CoveragePolicy.objects.create(unit=root, effective_from=dt.date(2020, 1, 1), min_office_share=70, weekly_cap=2)
    password = make_password("bench-pass")
    serial = 0
    teams = []
    for u in range(units):
        unit = unit_save(actor=None, unit=Unit(code=f"B{u:03d}", name=f"Bidang {u}", kind=UnitKind.BIDANG,
                                               parent=root))
        people = []
        for i in range(staff + 1):
            serial += 1
            user = User.objects.create(username=f"b{u}_{i}", password=password)
            born = dt.date(1970, 1, 1) + dt.timedelta(days=serial)
            people.append(Employee.objects.create(
                user=user, nip=f"{born:%Y%m%d}199503{1 + serial % 2}{serial % 999 + 1:03d}", name=f"Pegawai {u}-{i}",
                jabatan="Kepala Bidang" if i == 0 else "Analis", unit=unit, placement_date=dt.date(2015, 1, 1),
                supervisor=None if i == 0 else None))
        boss = people[0]
        Employee.objects.filter(pk__in=[p.pk for p in people[1:]]).update(supervisor=boss)
        tokens = {p.pk: Token.objects.create(user=p.user).key for p in people}
        teams.append((unit, boss, people[1:], tokens))
    return teams


def working_days(count: int) -> list[dt.date]:
    from portal.selectors import workcalendar

    start = dt.date.today() + dt.timedelta(days=1)
    return workcalendar.working_days(None, start, start + dt.timedelta(days=count * 2 + 14))[:count]


def violations() -> int:
    """Unit-days where approved away days leave fewer in the office than required."""
    from django.db.models import Count

    from portal.models import Employee, Unit
    from scheduling import rules, selectors
    from scheduling.models import RequestDay, Status

    bad = 0
    rows = RequestDay.objects.filter(status=Status.APPROVED).values("unit", "date").annotate(n=Count("id"))
    for row in rows:
        unit = Unit.objects.get(pk=row["unit"])
        headcount = Employee.objects.filter(unit=unit, is_active=True).count()
        policy = selectors.effective_policy(unit, row["date"])
        if headcount - row["n"] < rules.required_in_office(policy, row["date"].weekday(), headcount):
            bad += 1
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--db", default=DB, help="database name (dropped and created)")
    args = parser.parse_args()

    env = bench_env(args.db)
    fresh_database(env, args.db)
    setup_django(env)
    teams = build_org(args.units, args.staff)
    days = working_days(args.days)
    rng = random.Random(7)

    people = [(p, tokens) for _unit, _boss, staff, tokens in teams for p in staff]
    baseline_jobs = [("GET", "/api/v1/me/", people[i % len(people)][1][people[i % len(people)][0].pk], None)
                     for i in range(max(2000, len(people)))]
    submit_jobs = []
    for _unit, _boss, staff, tokens in teams:
        for i, person in enumerate(staff):
            day = days[i % len(days)]
            submit_jobs.append(("POST", "/api/v1/requests/", tokens[person.pk],
                                {"kind": "WFH", "dates": [day.isoformat()]}))
    rng.shuffle(submit_jobs)

    with gunicorn(env) as port:
        run_load("warm-up", port, baseline_jobs[:200], args.clients)
        third = len(baseline_jobs) // 3
        base = run_load("trivial view (GET /me/)", port, baseline_jobs[:third], args.clients)
        submit = run_load("submit WFH day", port, submit_jobs, args.clients, ok_statuses=(201, 400))
        base2 = run_load("trivial view (GET /me/) 2", port, baseline_jobs[third:2 * third], args.clients)
        from scheduling.models import RequestDay, Status

        approve_jobs = []
        for _unit, boss, _staff, tokens in teams:
            for day_id in RequestDay.objects.filter(unit=_unit, status=Status.PENDING).values_list("pk", flat=True):
                approve_jobs.append(("POST", f"/api/v1/requests/{day_id}/approve/", tokens[boss.pk], {}))
        rng.shuffle(approve_jobs)
        approve = run_load("approve day (racing)", port, approve_jobs, args.clients,
                           ok_statuses=(200, 400, 409))
        base3 = run_load("trivial view (GET /me/) 3", port, baseline_jobs[2 * third:], args.clients)

    print(f"\nclients={args.clients} units={args.units} staff/unit={args.staff} days={len(days)}")
    for result in (base, submit, base2, approve, base3):
        print(result.line())
    print(f"submit / trivial: {submit.rps / ((base.rps + base2.rps) / 2):.2f}x (mean of the baselines around it)")
    print(f"approve / trivial: {approve.rps / ((base2.rps + base3.rps) / 2):.2f}x (mean of the baselines around it)")
    print("submit statuses:", dict(sorted(submit.statuses.items())))
    print("approve statuses:", dict(sorted(approve.statuses.items())))
    approved = RequestDay.objects.filter(status=Status.APPROVED).count()
    print(f"approved days: {approved}; rule violations: {violations()}")


if __name__ == "__main__":
    main()
