"""The audit trail as a hash chain (issue 14.4): links, audit_verify, tampering, signed checkpoints.

These run on SQLite and again on PostgreSQL (CI's second run). Tampering goes around the model
with raw SQL; on PostgreSQL it has to get past the append-only trigger as well, as the owner of
the table could (``session_replication_role``, the test connects as a superuser).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.models.audit import GLOBAL_CHAIN, AuditChainHead, AuditCheckpoint, AuditEvent
from portal.services import audit_chain
from portal.services.audit import audit_record

pytestmark = pytest.mark.now("2026-12-07 09:00")
TABLE = AuditEvent._meta.db_table


def tamper(sql: str, params=()) -> None:
    """Rewrite the table behind the application's back (on PostgreSQL past the trigger too)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def verify(*args) -> str:
    """audit_verify's output; raises CommandError (exit code 1) on a broken chain."""
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def events(hr, dinkes, bidang_p2p):
    """Five events in pemkot's chain (dinkes and bidang_p2p are both inside pemkot)."""
    return [audit_record(actor=hr, verb="unit.updated", obj=unit, unit=unit, before={"name": "A"},
                         after={"name": f"B{i}"}) for i, unit in enumerate([dinkes, bidang_p2p] * 2 + [dinkes])]


def test_it_links_each_event_to_the_one_before(events, pemkot):
    chain = events[-1].chain
    stored = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))  # the cast's own events first
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    assert [e.pk for e in stored[-5:]] == [e.pk for e in events]
    assert stored[0].prev_hash == audit_chain.GENESIS
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert len({e.hash for e in stored}) == len(stored)
    head = AuditChainHead.objects.get(chain=chain)
    assert (head.seq, head.hash) == (len(stored), stored[-1].hash)


def test_it_keeps_one_chain_per_institution_and_a_global_one(events, hr, pemprov_lain, ani):
    chains = (audit_chain.chain_of(pemprov_lain, hr.pk), GLOBAL_CHAIN)
    before = {c: AuditEvent.objects.filter(chain=c).count() for c in chains}
    other = audit_record(actor=hr, verb="unit.updated", obj=pemprov_lain, unit=pemprov_lain)
    account = audit_record(actor=hr, verb="user.updated", obj=ani.user)
    assert (other.chain, other.seq) == (audit_chain.chain_of(pemprov_lain, hr.pk), before[other.chain] + 1)
    assert (account.chain, account.seq) == (GLOBAL_CHAIN, before[GLOBAL_CHAIN] + 1)
    assert events[-1].seq == AuditEvent.objects.filter(chain=events[-1].chain).count()  # pemkot's did not move


def test_the_hash_read_back_from_the_database_is_the_stored_one(hr, dinkes):
    awkward = {"zeta": 1, "alpha": {"b": [1.0, 2.5, None], "a": "Ani — Lestari ✓"}, "big": 1e20, "tenth": 0.1,
               "money": decimal.Decimal("12.50"), "day": dt.date(2026, 12, 7), "at": dt.datetime(2026, 12, 7, 1, 2, 3),
               "t": True, "n": None, "empty": {}, "list": [{"y": 2, "x": 1}]}
    event = audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes, before=awkward, after=[3, "x"])
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert fresh.at == event.at  # microseconds kept
    assert audit_chain.event_hash(fresh) == fresh.hash == event.hash
    assert json.loads(audit_chain.canonical_bytes(fresh))["at"].endswith("Z")


def test_audit_verify_says_ok_with_the_count_and_head(events, pemkot):
    out = verify("--chain", events[-1].chain)
    assert out.strip() == f"OK: {events[-1].chain}: {events[-1].seq} events, head {events[-1].hash}"


def test_a_direct_edit_of_one_row_fails_at_exactly_that_row(events):
    target = events[2]
    tamper(f"UPDATE {TABLE} SET after = %s WHERE id = %s", ['{"name": "forged"}', target.pk])  # noqa: S608
    with pytest.raises(CommandError) as failed:
        verify()
    assert failed.value.returncode == 1
    assert f"event id={target.pk}, seq={target.seq}: content hash differs" in str(failed.value)
    assert str(failed.value).count("FAIL") == 1


def test_an_edit_that_fixes_its_own_hash_breaks_the_next_link(events):
    target = events[1]
    target.after = {"name": "forged"}
    forged = audit_chain.event_hash(target)
    tamper(f"UPDATE {TABLE} SET after = %s, hash = %s WHERE id = %s",  # noqa: S608
           ['{"name": "forged"}', forged, target.pk])
    with pytest.raises(CommandError, match=f"event id={events[2].pk}, seq={events[2].seq}: prev_hash"):
        verify()


def test_a_deleted_row_is_a_gap(events):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])  # noqa: S608
    with pytest.raises(CommandError, match=f"event id={events[2].pk}, seq={events[2].seq}: seq {events[1].seq} is "
                                           "missing"):
        verify()


def test_a_cut_tail_no_longer_reaches_the_head(events):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1].pk])  # noqa: S608
    with pytest.raises(CommandError, match=f"ends at seq {events[-2].seq}, its head row says seq {events[-1].seq}"):
        verify()


def test_a_cut_tail_with_a_rewritten_head_is_caught_by_the_signed_checkpoint(events, pemkot):
    chain = events[-1].chain
    audit_chain.checkpoint_write(chain)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1].pk])  # noqa: S608
    AuditChainHead.objects.filter(chain=chain).update(seq=events[-2].seq, hash=events[-2].hash)
    with pytest.raises(CommandError, match=f"a signed checkpoint has seq {events[-1].seq}: truncated"):
        verify("--chain", chain)


def test_a_checkpoint_is_signed_and_a_tampered_one_fails(events, pemkot):
    checkpoint = audit_chain.checkpoint_write(events[-1].chain)
    assert (checkpoint.seq, checkpoint.head_hash) == (events[-1].seq, events[-1].hash)
    assert audit_chain.checkpoint_signature_valid(checkpoint)
    assert not audit_chain.checkpoint_signature_valid(checkpoint, key=b"another key")
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(seq=events[-2].seq, head_hash=events[-2].hash)
    assert not audit_chain.checkpoint_signature_valid(AuditCheckpoint.objects.get(pk=checkpoint.pk))
    with pytest.raises(CommandError, match=f"checkpoint id={checkpoint.pk} has an invalid signature"):
        verify()


def test_the_key_never_reaches_the_database(events, pemkot, settings):
    checkpoint = audit_chain.checkpoint_write(events[-1].chain)
    stored = json.dumps(list(AuditCheckpoint.objects.values()), default=str)
    assert settings.AUDIT_CHECKPOINT_KEY not in stored
    assert checkpoint.key_id == audit_chain.key_id() and checkpoint.key_id not in settings.AUDIT_CHECKPOINT_KEY


def test_the_nightly_task_signs_only_chains_that_moved(events, hr, pemprov_lain):
    from portal.tasks import audit_checkpoint

    audit_record(actor=hr, verb="unit.updated", obj=pemprov_lain, unit=pemprov_lain)
    assert audit_checkpoint() == AuditChainHead.objects.count() >= 2  # every chain (lane) moved: the cast's too
    assert audit_checkpoint() == 0  # safe twice: nothing moved
    audit_record(actor=hr, verb="unit.updated", obj=pemprov_lain, unit=pemprov_lain)
    assert audit_checkpoint() == 1
    last = AuditEvent.objects.filter(chain=audit_chain.chain_of(pemprov_lain, hr.pk)).latest("seq")
    assert AuditCheckpoint.objects.filter(chain=last.chain).latest("seq").seq == last.seq
    assert "OK" in verify()


def test_a_downloaded_checkpoint_checks_the_trail_later(events, pemkot, tmp_path):
    checkpoint = audit_chain.checkpoint_write(events[-1].chain)
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(audit_chain.checkpoint_document(checkpoint)))
    assert "OK: checkpoint" in verify("--checkpoint", str(kept))
    forged = {**json.loads(kept.read_text()), "seq": events[-2].seq}
    kept.write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="signature does not match"):
        verify("--checkpoint", str(kept))


def test_a_rewritten_trail_no_longer_matches_a_kept_checkpoint(events, pemkot, tmp_path):
    checkpoint = audit_chain.checkpoint_write(events[-1].chain)
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(audit_chain.checkpoint_document(checkpoint)))
    # Rewritten from the last event on, hashes recomputed, head and database checkpoints rewritten:
    # only the copy HR kept outside the database still tells.
    last = events[-1]
    last.after = {"name": "forged"}
    forged = audit_chain.event_hash(last)
    tamper(f"UPDATE {TABLE} SET after = %s, hash = %s WHERE id = %s", ['{"name": "forged"}', forged, last.pk])  # noqa: S608
    AuditCheckpoint.objects.all().delete()
    AuditChainHead.objects.filter(chain=last.chain).update(hash=forged)
    assert "OK" in verify("--chain", last.chain)  # internally consistent again...
    with pytest.raises(CommandError, match=f"event id={last.pk}, seq={last.seq}: differs from the checkpoint"):
        verify("--checkpoint", str(kept))  # ...but not with what HR holds


def test_hr_downloads_the_checkpoints_of_their_institution_only(client, hr, events, pemkot, pemprov_lain):
    mine = audit_chain.checkpoint_write(events[-1].chain)
    audit_record(actor=hr, verb="unit.updated", obj=pemprov_lain, unit=pemprov_lain)
    theirs = audit_chain.checkpoint_write(audit_chain.chain_of(pemprov_lain, hr.pk))
    client.force_login(hr)
    page = client.get("/hr/audit/checkpoint/")
    assert [row.checkpoint for row in page.context["rows"]] == [mine]
    assert pemkot.name in page.content.decode()
    download = client.get(f"/hr/audit/checkpoint/{mine.pk}/unduh/")
    assert download["Content-Disposition"].startswith("attachment")
    document = json.loads(download.content)
    assert (document["seq"], document["head_hash"]) == (events[-1].seq, events[-1].hash)
    assert audit_chain.sign(document["signed_message"].encode()) == document["signature"]
    assert client.get(f"/hr/audit/checkpoint/{theirs.pk}/unduh/").status_code == 404


def test_the_api_lists_and_downloads_checkpoints_in_scope(client, hr, events, pemkot, pemprov_lain):
    mine = audit_chain.checkpoint_write(events[-1].chain)
    audit_record(actor=hr, verb="unit.updated", obj=pemprov_lain, unit=pemprov_lain)
    theirs = audit_chain.checkpoint_write(audit_chain.chain_of(pemprov_lain, hr.pk))
    client.force_login(hr)
    listed = client.get("/api/v1/audit/checkpoints/").json()
    assert [c["id"] for c in listed["results"]] == [mine.pk]
    one = client.get(f"/api/v1/audit/checkpoints/{mine.pk}/")
    assert one["Content-Disposition"].startswith("attachment")
    assert one.json()["signature"] == mine.signature
    assert client.get(f"/api/v1/audit/checkpoints/{theirs.pk}/").status_code == 404


def test_a_checkpoint_of_another_key_still_checks_the_trail_but_not_the_signature(events, pemkot, tmp_path):
    checkpoint = audit_chain.checkpoint_write(events[-1].chain)
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps({**audit_chain.checkpoint_document(checkpoint), "key_id": "0" * 16}))
    out = verify("--checkpoint", str(kept))
    assert "signature is not checked here" in out and "OK: checkpoint" in out
