"""Benchmark: the cost of the audit hash chain (issue 14.4) on audited writes.

    python bench/audit_chain_bench.py [--writes 400] [--threads 4] [--repeat 3] [--lanes 16] [--db NAME]

PostgreSQL only. Builds a fresh database (``--db``, default ``portal_bench_audit``) at $PG_URL (default
postgres://postgres@127.0.0.1:5432), migrates, and in one process measures audited writes per
second, each one transaction that updates a unit's row and writes one audit event:

* before: the event inserted as ``audit_record`` did before the chain (one INSERT; its chain
  fields filled with a unique, unlinked position so the new UNIQUE constraint holds);
* after: ``audit_record`` as it is now (lock the chain head, hash, INSERT, move the head).

Both serially (one connection) and with ``--threads`` connections writing to units of ONE
institution at once (one chain: the appends queue on its head), then with each thread on its own
institution (independent chains). These three run with AUDIT_CHAIN_LANES=1 (one chain per
institution, as before lanes). Then ``--threads`` people, each in a unit of ONE institution, write
with AUDIT_CHAIN_LANES=1 (one chain: they queue) and with ``--lanes`` (default 16: each person's
own lane). Runs are interleaved, ``--repeat`` times; medians are reported as ratios (after /
before), the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._harness import bench_env, fresh_database  # noqa: E402

DB = "portal_bench_audit"
_plain_seq = itertools.count(1)
_lock = threading.Lock()


def setup_django(db: str = DB) -> None:
    env = bench_env(db)
    fresh_database(env, db)
    os.environ.update(env)
    import django

    django.setup()


def make_units(institutions: int, per: int):
    from portal.models import Unit, UnitKind, User

    roots, units = [], []
    for i in range(institutions):
        root = Unit.objects.create(code=f"B{i}", name=f"Instansi {i}", kind=UnitKind.INSTANSI, time_zone="Asia/Jakarta")
        root.path, root.depth = f"/{root.pk}/", 0
        root.save(update_fields=["path", "depth"])
        roots.append(root)
        for j in range(per):
            unit = Unit.objects.create(code=f"B{i}-{j}", name=f"Bidang {i}.{j}", kind=UnitKind.BIDANG, parent=root)
            unit.path, unit.depth = f"/{root.pk}/{unit.pk}/", 1
            unit.save(update_fields=["path", "depth"])
            units.append(unit)
    actor = User.objects.create(username="bench", is_superuser=True)
    people = [User.objects.create(username=f"bench{i}") for i in range(per)]  # one per unit of institution 0
    return roots, units, actor, people


def write_before(actor, unit, n: int) -> None:
    """One audited write as before the chain: UPDATE the unit, one plain INSERT."""
    from django.db import transaction

    from portal.models.audit import AuditEvent
    from portal.models.org import Unit

    with transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(radius_m=100 + n % 50)
        with _lock:
            seq = next(_plain_seq)
        AuditEvent.objects.create(actor=actor, verb="unit.updated", object_type="portal.unit", object_id=str(unit.pk),
                                  object_repr=unit.name, unit=unit, before={"radius_m": 100}, after={"radius_m": n},
                                  chain="bench:plain", seq=seq)


def write_after(actor, unit, n: int) -> None:
    """The same write through today's audit_record (the chain)."""
    from django.db import transaction

    from portal.models.org import Unit
    from portal.services.audit import audit_record

    with transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(radius_m=100 + n % 50)
        audit_record(actor=actor, verb="unit.updated", obj=unit, unit=unit, before={"radius_m": 100},
                     after={"radius_m": n})


def rate(write, threads_work: list[tuple], writes: int, lanes: int = 1) -> float:
    """Audited writes per second, ``writes`` in all, split over one thread per (actor, units)."""
    from django.conf import settings
    from django.db import connections

    settings.AUDIT_CHAIN_LANES = lanes  # read at each append, by every thread
    per = writes // len(threads_work)
    barrier = threading.Barrier(len(threads_work) + 1)

    def body(actor, units):
        barrier.wait()
        for n in range(per):
            write(actor, units[n % len(units)], n)
        connections.close_all()

    threads = [threading.Thread(target=body, args=work) for work in threads_work]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return per * len(threads_work) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lanes", type=int, default=16)
    parser.add_argument("--db", default=DB, help="the database to (re)create")
    args = parser.parse_args()
    setup_django(args.db)
    roots, units, actor, people = make_units(args.threads, args.threads)
    per = args.threads
    n = args.threads
    same_units = [(actor, units[:per])] * n
    own_institution = [(actor, units[i * per:(i + 1) * per]) for i in range(n)]
    own_unit = [(people[i], [units[i]]) for i in range(n)]  # person i in unit i, all of institution 0
    scenarios = {  # name: (thread work, AUDIT_CHAIN_LANES)
        "serial (1 connection)": ([(actor, units[:per])], 1),
        f"{n} connections, one institution": (same_units, 1),
        f"{n} connections, own institution each": (own_institution, 1),
        f"{n} conn., one institution, own units, lanes=1": (own_unit, 1),
        f"{n} conn., one institution, own units, lanes={args.lanes}": (own_unit, args.lanes),
    }
    results = {name: {"before": [], "after": []} for name in scenarios}
    rate(write_after, [(actor, units[:per])], 40)  # warm up: imports, the heads, the plans
    rate(write_after, own_unit, 40, args.lanes)
    rate(write_before, [(actor, units[:per])], 40)
    for _ in range(args.repeat):
        for name, (split, lanes) in scenarios.items():
            results[name]["before"].append(rate(write_before, split, args.writes))
            results[name]["after"].append(rate(write_after, split, args.writes, lanes))
    from portal.services.audit_chain import chain_verify, chains

    institution_chains = [c for c in chains() if c.startswith("instansi:")]
    broken = [c for c in institution_chains if chain_verify(c).broken]
    print(f"{'scenario':<50} {'before/s':>9} {'after/s':>9} {'ratio':>7}")
    for name, runs in results.items():
        before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
        print(f"{name:<50} {before:9.1f} {after:9.1f} {after / before:7.2f}")
    print(f"chains verified: {len(institution_chains)}, broken: {len(broken)}")


if __name__ == "__main__":
    main()
