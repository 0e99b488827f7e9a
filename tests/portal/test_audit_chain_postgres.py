"""The hash chain under concurrency, on PostgreSQL: real threads, each on its own connection.

Eight threads append 25 audited writes each to one institution's chain at once (and some to a
second institution's), then eight people over several lanes: every chain must come out unbroken,
seq 1..N with no gap and no fork.
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from portal.models import Unit
from portal.models.audit import AuditChainHead, AuditEvent
from portal.services import audit_chain
from portal.services.audit import audit_record
from portal.services.org import unit_save
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, WRITES = 8, 25


def run_threads(target, args_per_thread: list[tuple]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_per_thread))

    def body(*args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except BaseException as exc:  # reported to the main thread, which fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=args) for args in args_per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def rename_many(actor, unit_id: int, tag: str) -> None:
    """25 audited writes through a real service, each its own transaction."""
    for i in range(WRITES):
        unit = Unit.objects.get(pk=unit_id)
        unit.name = f"{tag} {i}"
        unit_save(actor=actor, unit=unit)


def chain_seqs(chain: str) -> list[int]:
    return list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))


def test_concurrent_appends_make_one_unbroken_chain_per_institution(superuser, dinkes, bidang_p2p, pemprov_lain):
    units = [dinkes.pk, bidang_p2p.pk] * 3 + [pemprov_lain.pk] * 2
    before = AuditEvent.objects.count()
    errors = run_threads(rename_many, [(superuser, unit_id, f"T{n}") for n, unit_id in enumerate(units)])
    assert errors == []
    assert AuditEvent.objects.count() == before + THREADS * WRITES
    for chain in (audit_chain.chain_of(dinkes, superuser.pk), audit_chain.chain_of(pemprov_lain, superuser.pk)):
        seqs = chain_seqs(chain)
        assert seqs == list(range(1, len(seqs) + 1)), chain
        report = audit_chain.chain_verify(chain)
        assert report.broken is None, report.broken
        assert AuditChainHead.objects.get(chain=chain).seq == len(seqs)
    assert len(chain_seqs(audit_chain.chain_of(pemprov_lain, superuser.pk))) >= 2 * WRITES


def test_the_first_appends_of_a_new_chain_race_without_failing(hr, dinkes):
    chain = "instansi:race"  # no head row yet: every thread tries to create it

    def one(_n):
        audit_chain.chain_append(AuditEvent(chain=chain, actor=hr, verb="unit.updated", object_type="portal.unit",
                                            object_id=str(dinkes.pk), object_repr=dinkes.name, unit=dinkes))

    assert run_threads(one, [(n,) for n in range(THREADS)]) == []
    assert chain_seqs(chain) == list(range(1, THREADS + 1))
    assert audit_chain.chain_verify(chain).broken is None


def test_a_fork_is_refused_by_the_database_even_without_the_lock(hr, dinkes):
    first = audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
    twin = AuditEvent(chain=first.chain, seq=first.seq, prev_hash=first.prev_hash, verb="unit.updated",
                      object_type="portal.unit", object_id=str(dinkes.pk), object_repr="x", hash="f" * 64)
    with pytest.raises(IntegrityError, match="audit_chain_seq"), transaction.atomic():
        twin.save(force_insert=True)


def test_an_append_waits_for_the_open_transaction_holding_the_chain(hr, dinkes):
    """The head row is what serialises: while one transaction holds it, another cannot append."""
    chain = audit_chain.chain_of(dinkes, hr.pk)
    audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
    timed_out = []

    def second():
        with transaction.atomic():
            with connections["default"].cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            try:
                audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
            except OperationalError as exc:
                timed_out.append(str(exc))
                raise

    with transaction.atomic():
        audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
        run_threads(second, [()])
    assert timed_out and "lock timeout" in timed_out[0]
    audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)  # and after the commit it goes on
    assert audit_chain.chain_verify(chain).broken is None


def write_many(actor, unit_id: int) -> None:
    """25 audited writes by ``actor`` (its lane), each its own transaction, as a service makes them."""
    for i in range(WRITES):
        with transaction.atomic():
            Unit.objects.filter(pk=unit_id).update(radius_m=100 + i)
            unit = Unit.objects.get(pk=unit_id)
            audit_record(actor=actor, verb="unit.updated", obj=unit, unit=unit, after={"radius_m": 100 + i})


def test_concurrent_appends_in_several_lanes_keep_every_lane_unbroken(settings, dinkes, bidang_p2p, pemprov_lain):
    """Eight people over three lanes of two institutions: threads share some lanes, not others."""
    settings.AUDIT_CHAIN_LANES = 3
    actors = [UserFactory(username=f"lane{n}") for n in range(THREADS)]
    units = [dinkes.pk, bidang_p2p.pk] * 3 + [pemprov_lain.pk] * 2
    before = AuditEvent.objects.count()
    errors = run_threads(write_many, list(zip(actors, units, strict=True)))
    assert errors == []
    assert AuditEvent.objects.count() == before + THREADS * WRITES
    lanes = {audit_chain.chain_of(Unit.objects.get(pk=u), a.pk) for a, u in zip(actors, units, strict=True)}
    assert len({c for c in lanes if c.startswith(audit_chain.chain_of(dinkes, 0).split("/")[0] + "/")}) == 3
    for chain in lanes:
        seqs = chain_seqs(chain)
        assert seqs == list(range(1, len(seqs) + 1)), chain
        assert audit_chain.chain_verify(chain).broken is None, chain
        assert AuditChainHead.objects.get(chain=chain).seq == len(seqs)
