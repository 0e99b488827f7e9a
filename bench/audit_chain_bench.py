"""Benchmark: the cost of the audit hash chain (issue 14.4) on audited writes.

    python bench/audit_chain_bench.py [--writes 400] [--threads 4] [--repeat 3]

PostgreSQL only. Builds a fresh database ``portal_bench_audit`` at $PG_URL (default
postgres://postgres@127.0.0.1:5432), migrates, and in one process measures audited writes per
second, each one transaction that updates a unit's row and writes one audit event:

* before: the event inserted as ``audit_record`` did before the chain (one INSERT; its chain
  fields filled with a unique, unlinked position so the new UNIQUE constraint holds);
* after: ``audit_record`` as it is now (lock the chain head, hash, INSERT, move the head).

Both serially (one connection) and with ``--threads`` connections writing to units of ONE
institution at once (one chain: the appends queue on its head), then with each thread on its own
institution (independent chains). Runs are interleaved, ``--repeat`` times; medians are reported
as ratios (after / before), the figure to compare on a shared machine.
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


def setup_django() -> None:
    env = bench_env(DB)
    fresh_database(env, DB)
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
    return roots, units, actor


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


def rate(write, actor, units_per_thread: list[list], writes: int) -> float:
    """Audited writes per second, ``writes`` in all, split over one thread per unit list."""
    from django.db import connections

    per = writes // len(units_per_thread)
    barrier = threading.Barrier(len(units_per_thread) + 1)

    def body(units):
        barrier.wait()
        for n in range(per):
            write(actor, units[n % len(units)], n)
        connections.close_all()

    threads = [threading.Thread(target=body, args=(u,)) for u in units_per_thread]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return per * len(units_per_thread) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    roots, units, actor = make_units(args.threads, 4)
    one_institution = [units[:4]] * args.threads
    own_institution = [units[i * 4:(i + 1) * 4] for i in range(args.threads)]
    scenarios = {"serial (1 connection)": [units[:4]], f"{args.threads} connections, one institution": one_institution,
                 f"{args.threads} connections, own institution each": own_institution}
    results = {name: {"before": [], "after": []} for name in scenarios}
    rate(write_after, actor, [units[:4]], 40)  # warm up: imports, the heads, the plans
    rate(write_before, actor, [units[:4]], 40)
    for _ in range(args.repeat):
        for name, split in scenarios.items():
            results[name]["before"].append(rate(write_before, actor, split, args.writes))
            results[name]["after"].append(rate(write_after, actor, split, args.writes))
    from portal.services.audit_chain import chain_verify, chains

    broken = [c for c in chains() if c.startswith("instansi:") and chain_verify(c).broken]
    print(f"{'scenario':<42} {'before/s':>9} {'after/s':>9} {'ratio':>7}")
    for name, runs in results.items():
        before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
        print(f"{name:<42} {before:9.1f} {after:9.1f} {after / before:7.2f}")
    print(f"chains verified: {len([c for c in chains() if c.startswith('instansi:')])}, broken: {len(broken)}")


if __name__ == "__main__":
    main()
