"""Lanes of an institution's audit chain (AUDIT_CHAIN_LANES): one chain per lane, each verifying,
HR seeing every lane of their institution (and its chain from before lanes), never another's.

Runs on SQLite and again on PostgreSQL (CI's second run); the threads are in
tests/portal/test_audit_chain_postgres.py.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from portal.models.audit import AuditCheckpoint, AuditEvent
from portal.selectors.audit_chain import checkpoint_rows, checkpoints_visible_to
from portal.services import audit_chain
from portal.services.audit import audit_record

pytestmark = pytest.mark.now("2026-12-07 09:00")


def verify(*args) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def rename(actor, unit):
    return audit_record(actor=actor, verb="unit.updated", obj=unit, unit=unit, before={"name": "A"},
                        after={"name": "B"})


@pytest.fixture
def wide(settings, hr, ani):
    """Enough lanes that hr and ani (different ids) never share one."""
    settings.AUDIT_CHAIN_LANES = max(hr.pk, ani.user.pk) + 1
    return settings


def test_people_in_different_lanes_write_to_two_chains_of_their_institution(wide, hr, ani, dinkes, bidang_p2p,
                                                                            pemkot):
    mine = [rename(hr, dinkes), rename(hr, bidang_p2p)]
    theirs = [rename(ani.user, bidang_p2p), rename(ani.user, bidang_p2p)]
    assert {e.chain for e in mine} == {f"instansi:{pemkot.pk}/{hr.pk}"}  # one actor: one lane, whichever unit
    assert {e.chain for e in theirs} == {f"instansi:{pemkot.pk}/{ani.user.pk}"}
    for events in (mine, theirs):
        assert [e.seq for e in events] == [events[0].seq, events[0].seq + 1]
        report = audit_chain.chain_verify(events[0].chain)
        assert report.broken is None and report.head == events[-1].hash
    out = verify()
    assert f"OK: {mine[0].chain}:" in out and f"OK: {theirs[0].chain}:" in out


def test_an_event_without_an_actor_takes_its_units_lane(settings, dinkes, bidang_p2p, pemkot):
    settings.AUDIT_CHAIN_LANES = max(dinkes.pk, bidang_p2p.pk) + 1
    events = [audit_record(actor=None, verb="unit.updated", obj=unit, unit=unit) for unit in (dinkes, bidang_p2p)]
    assert [e.chain for e in events] == [f"instansi:{pemkot.pk}/{dinkes.pk}", f"instansi:{pemkot.pk}/{bidang_p2p.pk}"]


def test_one_transaction_locks_one_lane_per_institution(wide, hr, dinkes, bidang_p2p, pemkot):
    """One actor per transaction: its events of several units share one head, so two transactions
    can never hold two lanes of one institution in opposite orders (no new deadlock)."""
    with transaction.atomic():
        events = [rename(hr, unit) for unit in (dinkes, bidang_p2p, pemkot)]
    assert len({e.chain for e in events}) == 1


def test_one_lane_is_one_chain_per_institution_as_before(settings, hr, ani, dinkes, pemkot):
    settings.AUDIT_CHAIN_LANES = 1
    assert {rename(hr, dinkes).chain, rename(ani.user, dinkes).chain} == {f"instansi:{pemkot.pk}"}


def test_the_chain_from_before_lanes_stays_valid_next_to_the_lanes(settings, wide, hr, ani, dinkes, pemkot):
    settings.AUDIT_CHAIN_LANES = 1
    legacy = [rename(hr, dinkes), rename(ani.user, dinkes)]
    legacy_checkpoint = audit_chain.checkpoint_write(legacy[0].chain)
    settings.AUDIT_CHAIN_LANES = 16
    laned = rename(hr, dinkes)
    settings.AUDIT_CHAIN_LANES = 8  # changing it again only starts (or continues) other lanes
    relaned = rename(hr, dinkes)
    assert (legacy[0].chain, laned.chain, relaned.chain) == (
        f"instansi:{pemkot.pk}", f"instansi:{pemkot.pk}/{hr.pk % 16}", f"instansi:{pemkot.pk}/{hr.pk % 8}")
    for chain in {e.chain for e in (*legacy, laned, relaned)}:
        assert audit_chain.chain_verify(chain).broken is None, chain
    assert legacy_checkpoint in checkpoints_visible_to(hr)
    assert AuditEvent.objects.filter(chain=legacy[0].chain).latest("seq").pk == legacy[-1].pk  # not moved by lanes


def test_hr_sees_every_lane_of_their_institution_and_none_of_another(settings, hr, hr_other, ani, dinkes, pemkot,
                                                                     pemprov_lain):
    settings.AUDIT_CHAIN_LANES = 1
    own = {rename(hr, dinkes).chain}  # the chain as written before lanes: "instansi:<id>"
    settings.AUDIT_CHAIN_LANES = 16
    own |= {rename(hr, dinkes).chain, rename(ani.user, dinkes).chain}
    other = {rename(hr_other, pemprov_lain).chain, rename(ani.user, pemprov_lain).chain}
    for chain in own | other:
        audit_chain.checkpoint_write(chain)
    # An institution whose id starts with this one's digits: none of its lanes is one of this one's.
    lookalike = AuditCheckpoint.objects.create(chain=f"instansi:{pemkot.pk}0/1", seq=1, head_hash="0" * 64,
                                               key_id="k", signature="s")
    assert f"instansi:{pemkot.pk}" in own and len(own) >= 2
    assert set(checkpoints_visible_to(hr).values_list("chain", flat=True)) == own
    assert set(checkpoints_visible_to(hr_other).values_list("chain", flat=True)) == other
    assert lookalike not in checkpoints_visible_to(hr)
    rows = {row.checkpoint.chain: row.chain_name for row in checkpoint_rows(hr)}
    assert rows[f"instansi:{pemkot.pk}"] == pemkot.name


def test_the_page_names_each_lane_and_downloads_it(client, wide, hr, ani, dinkes, pemkot):
    laned = audit_chain.checkpoint_write(rename(ani.user, dinkes).chain)
    client.force_login(hr)
    page = client.get("/hr/audit/checkpoint/")
    names = {row.checkpoint.pk: row.chain_name for row in page.context["rows"]}
    assert names[laned.pk] == f"{pemkot.name}, jalur {ani.user.pk}"
    assert [r.chain_name for r in checkpoint_rows(hr)] == [names[laned.pk]]
    download = client.get(f"/hr/audit/checkpoint/{laned.pk}/unduh/")
    assert f'filename="audit-checkpoint-instansi-{pemkot.pk}-{ani.user.pk}-{laned.seq}.json"' in \
        download["Content-Disposition"]
    assert json.loads(download.content)["chain"] == laned.chain
    api = client.get(f"/api/v1/audit/checkpoints/{laned.pk}/")
    assert "/" not in api["Content-Disposition"].split("filename=")[1]


def test_a_downloaded_lane_checkpoint_checks_its_lane(tmp_path, wide, hr, dinkes):
    event = rename(hr, dinkes)
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(audit_chain.checkpoint_document(audit_chain.checkpoint_write(event.chain))))
    out = verify("--checkpoint", str(kept))
    assert f"OK: checkpoint {event.chain} seq {event.seq} matches the trail" in out
    assert f"OK: {event.chain}: " in out


@pytest.mark.parametrize(("chain", "parsed"), [
    ("instansi:12", (12, None)), ("instansi:12/3", (12, 3)), ("global", None), ("instansi:x/1", None),
    ("instansi:12/x", None), ("bench:plain", None),
])
def test_chain_keys_parse_back(chain, parsed):
    assert audit_chain.parse_chain(chain) == parsed
    if parsed:
        assert audit_chain.institution_chain(*parsed) == chain
