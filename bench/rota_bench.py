"""Benchmark: the fair rota planner on a 300-person subtree for a month (issue 14, item 1).

    python bench/rota_bench.py [--units 10] [--staff 30] [--engine sqlite|postgres] [--repeat 3] [--flat]

Builds a fresh database (``var/bench/portal_bench_rota.sqlite3``, or ``portal_bench_rota`` on
``$PG_URL``): one institution, an OPD, ``units`` bidang of ``staff`` people each (``--flat``: one
unit of ``units × staff``), a coverage policy per bidang (share, a mandatory weekday, an essential
post, caps), everyone's weekday preferences (Friday and Monday over-asked), some approved leave and
three months of granted history. Then, in one process, the median of ``repeat`` runs of:

- baseline: reading the planner's inputs for the subtree (``selectors.rota.plan_inputs``) and
  checking an empty plan with the rules — the cost of asking the question at all;
- propose: the whole service, ``rota_plan_propose(include_subunits=True)``: read, plan, check the
  plan cell by cell with the approval's rules, save, audit.

It prints both in seconds, the ratio propose/baseline, the number of flexible days planned and the
fairness figure (the spread of granted preferences, percentage points), beside the spread the same
inputs get first-come-first-served (what the issue complains about). The target: under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import PY, ROOT, bench_env, fresh_database  # noqa: E402

DB = "portal_bench_rota"
MONTH = dt.date(2027, 1, 1)
TODAY = dt.date(2026, 12, 7)


def prepare(engine: str) -> dict:
    env = bench_env(DB)
    if engine == "sqlite":
        path = Path(env["PORTAL_VAR_DIR"], f"{DB}.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
        Path(env["PORTAL_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    else:
        fresh_database(env, DB)
    return env


def _seed(units: int, staff: int, flat: bool):
    """The subtree: returns (the OPD, an HR admin over it)."""
    from portal.models import Employee, HRAdminScope, Unit, UnitKind, User
    from portal.services.org import unit_save
    from scheduling.models import (
        CoveragePolicy,
        EssentialPosition,
        Kind,
        RequestDay,
        Status,
        WeekdayPreference,
        WorkRequest,
    )

    rng = random.Random(14)
    root = unit_save(actor=None, unit=Unit(code="BENCH", name="Pemkot Bench", kind=UnitKind.INSTANSI,
                                           time_zone="Asia/Jakarta"))
    opd = unit_save(actor=None, unit=Unit(code="BENCH-OPD", name="Dinas Bench", kind=UnitKind.UNIT_ORGANISASI,
                                          parent=root))
    hr = User.objects.create_user(username="bench_hr", password="x" * 12)
    HRAdminScope.objects.create(user=hr, unit=opd)
    groups = [(1, units * staff)] if flat else [(i, staff) for i in range(units)]
    serial = 0
    for i, size in groups:
        unit = unit_save(actor=None, unit=Unit(code=f"BENCH-B{i}", name=f"Bidang {i}", kind=UnitKind.BIDANG,
                                               parent=opd))
        policy = CoveragePolicy.objects.create(unit=unit, effective_from=dt.date(2026, 1, 1),
                                               min_office_share=rng.choice([50, 60, 70]), weekly_cap=2,
                                               monthly_cap=rng.choice([None, 6]),
                                               mandatory_weekdays=[rng.choice([1, 2, 3])])
        EssentialPosition.objects.create(policy=policy, jabatan="Pranata Komputer", min_in_office=2)
        people = []
        for j in range(size):
            serial += 1
            user = User.objects.create(username=f"bench{serial}", password="!")  # no login: no hashing cost
            people.append(Employee(user=user, nip=f"19800101200501{1 + serial % 2}{serial:03d}",
                                   name=f"Pegawai {serial}", unit=unit, placement_date=dt.date(2020, 1, 1),
                                   jabatan="Pranata Komputer" if j % 6 == 0 else "Analis Kebijakan"))
        people = Employee.objects.bulk_create(people)
        # Friday and Monday are over-asked, as in the issue.
        WeekdayPreference.objects.bulk_create([WeekdayPreference(
            employee=e, preferred=sorted(set(rng.sample([0, 0, 4, 4, 4, 1, 2, 3], 2))), impossible=[])
            for e in people])
        _history_and_leave(rng, people, unit, Kind, RequestDay, Status, WorkRequest, hr)
    return opd, hr


def _history_and_leave(rng, people, unit, Kind, RequestDay, Status, WorkRequest, hr):  # noqa: N803
    days = []
    for e in people:
        request = WorkRequest.objects.create(employee=e, kind=Kind.WFH, created_by=hr)
        start = dt.date(2026, 10, 5)
        for week in range(rng.randint(0, 8)):
            days.append(RequestDay(request=request, employee=e, unit=unit, kind=Kind.WFH, status=Status.APPROVED,
                                   date=start + dt.timedelta(days=7 * week + 4)))
        if rng.random() < 0.15:
            leave = WorkRequest.objects.create(employee=e, kind=Kind.CT, created_by=hr)
            days.append(RequestDay(request=leave, employee=e, unit=unit, kind=Kind.CT, status=Status.APPROVED,
                                   date=dt.date(2027, 1, rng.choice([11, 12, 13, 14, 15]))))
    RequestDay.objects.bulk_create(days)


def _first_come(inputs) -> tuple[int | None, int]:
    """The same inputs granted first-come-first-served (people in the order they were hired, each
    taking every preferred day the rules still allow): the spread the issue complains about."""
    from scheduling import rota_rules
    from scheduling.selectors.rota import combined_fairness

    assignment = {}
    for ui in inputs:
        state = rota_rules._State(ui.inp)
        for person in ui.inp.people:
            for d in rota_rules.wanted_days(person, ui.inp.days):
                if not state.refusals(person, state.days[d], planned=False):
                    state.add(person.id, d)
        assignment.update({pid: dict(c) for pid, c in state.cells.items() if c})
    return combined_fairness(inputs, assignment).spread, sum(len(c) for c in assignment.values())


def _child(units: int, staff: int, flat: bool, repeat: int) -> dict:
    import django

    django.setup()
    import time_machine

    from portal.models import Employee
    from scheduling import rota_rules
    from scheduling.selectors import rota as rota_selectors
    from scheduling.services import rota as rota_services

    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0), tick=True):
        opd, hr = _seed(units, staff, flat)
        people = Employee.objects.filter(unit__path__startswith=opd.path).count()
        base, prop = [], []
        plan = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            inputs = rota_selectors.plan_inputs(opd, MONTH, include_subunits=True)
            for ui in inputs:
                rota_rules.violations(ui.inp, {})
            base.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            plan = rota_services.rota_plan_propose(actor=hr, unit_id=opd.pk, month=MONTH, include_subunits=True)
            prop.append(time.perf_counter() - t0)
        fcfs_spread, fcfs_days = _first_come(inputs)
    return {"people": people, "baseline": statistics.median(base), "propose": statistics.median(prop),
            "fcfs_spread": fcfs_spread, "fcfs_days": fcfs_days,
            "flexible_days": sum(len(c) for c in plan.cells.values()), "spread": plan.fairness["spread"],
            "mean": plan.fairness["mean"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--staff", type=int, default=30)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flat", action="store_true", help="one unit of units × staff people")
    args = parser.parse_args()
    env = prepare(args.engine)
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.rota_bench import _child; "
            f"print(repr(_child({args.units}, {args.staff}, {args.flat}, {args.repeat})))")
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env={**env, **{k: v for k, v in os.environ.items()
                                                                    if k == "PATH"}},
                         check=True, capture_output=True, text=True)
    r = eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own child's repr of a dict
    shape = "one unit" if args.flat else f"{args.units} units"
    print(f"rota planner, {r['people']} people in {shape}, {MONTH:%B %Y}, {args.engine}, median of {args.repeat}")
    print(f"  baseline (read inputs + rule check): {r['baseline']:.2f} s")
    print(f"  propose (read, plan, check, save):   {r['propose']:.2f} s   ratio {r['propose'] / r['baseline']:.1f}×")
    print(f"  flexible days planned: {r['flexible_days']}; fairness: spread {r['spread']} pp, mean {r['mean']}%")
    print(f"  first-come-first-served on the same inputs: {r['fcfs_days']} days, spread {r['fcfs_spread']} pp")
    print(f"  target < 10 s: {'met' if r['propose'] < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
