"""The audit trail as a hash chain, and the signed checkpoints of its heads (issue 14.4).

Each event carries ``seq`` (its position in its chain), ``prev_hash`` (the hash of the event
before it) and ``hash`` = SHA-256 of :func:`canonical_bytes` (its stored content and
``prev_hash``). Rewriting an event changes its hash; fixing that hash breaks the next event's
``prev_hash``; deleting one leaves a gap in ``seq``; cutting the tail leaves the chain shorter
than its head row and than the checkpoints HR downloaded. ``manage.py audit_verify`` walks it.

Each institution's events are split over ``AUDIT_CHAIN_LANES`` chains (``instansi:<root unit
id>/<lane>``, lane = the actor's id modulo the setting; ``instansi:<root>`` when it is 1, as every
chain written before lanes), plus ``global`` for events of no unit: institutions, and people of
one institution in different lanes, do not queue behind each other, and HR of an institution can
hold its own chains' heads.
Appends to one chain are serialised by locking its :class:`AuditChainHead` row inside the
caller's transaction (held to commit), and ``UNIQUE (chain, seq)`` makes a fork impossible even
if the lock were bypassed. See docs/decisions.md "Tamper-evident audit trail".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from portal.models.audit import GLOBAL_CHAIN, AuditChainHead, AuditCheckpoint, AuditEvent

CHAIN_PREFIX = "instansi:"
GENESIS = "0" * 64  # the prev_hash of the first event of every chain
FORMAT = 1  # bumped if the canonical form ever changes; part of every hash
HASHED_FIELDS = ("chain", "seq", "at", "actor_id", "acting_for", "verb", "object_type", "object_id",
                 "object_repr", "unit_id", "before", "after", "prev_hash")


# --- The canonical form ------------------------------------------------------------------------


def chain_of(unit, actor_id: int | None = None) -> str:
    """The chain of an event of ``unit`` by ``actor_id``: a lane of its institution (the root of its
    tree), else global. The lane follows the actor (the unit when there is none, a task's event):
    one transaction has one actor, so it locks one head per institution, never two in some order."""
    if unit is None:
        return GLOBAL_CHAIN
    root = unit.ancestor_ids[0] if unit.path else None
    if root is None:  # a unit whose path is not stored yet: the tree root is its own institution
        root = unit.pk if not unit.parent_id else type(unit).objects.get(pk=unit.pk).ancestor_ids[0]
    lanes = settings.AUDIT_CHAIN_LANES
    return institution_chain(root, (actor_id or unit.pk) % lanes if lanes > 1 else None)


def institution_chain(root: int, lane: int | None = None) -> str:
    """``instansi:<root>`` (one chain for the institution: AUDIT_CHAIN_LANES=1, and every chain
    written before lanes) or ``instansi:<root>/<lane>``."""
    return f"{CHAIN_PREFIX}{root}" if lane is None else f"{CHAIN_PREFIX}{root}/{lane}"


def parse_chain(chain: str) -> tuple[int, int | None] | None:
    """(institution root id, lane or None) of an institution's chain; None for global or unknown."""
    root, _, lane = chain.removeprefix(CHAIN_PREFIX).partition("/")
    if not chain.startswith(CHAIN_PREFIX) or not root.isdigit() or (lane and not lane.isdigit()):
        return None
    return int(root), int(lane) if lane else None


def checkpoint_filename(checkpoint: AuditCheckpoint) -> str:
    """``audit-checkpoint-instansi-12-3-48213.json``: the chain key without ``:`` and ``/``."""
    return f"audit-checkpoint-{checkpoint.chain.replace(':', '-').replace('/', '-')}-{checkpoint.seq}.json"


def _utc_iso(value: dt.datetime) -> str:
    # Always six fractional digits: both databases keep microseconds, and isoformat() would drop
    # ".000000", making the same moment two strings.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value):
    """A JSON value as the database gives it back: str keys, lists, and a float that is a whole
    number as an int (PostgreSQL's jsonb reads 1e20 back as 100000000000000000000)."""
    value = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return _whole_floats(value)


def _whole_floats(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats(v) for v in value]
    return value


def canonical_bytes(event) -> bytes:
    """Sorted-key compact JSON of the hashed fields, the same before the insert and after a read
    back from SQLite or PostgreSQL (key order, datetime precision and numbers normalised)."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["at"] = _utc_iso(event.at)
    content["before"], content["after"] = _plain(event.before), _plain(event.after)
    content["format"] = FORMAT
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event) -> str:
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


# --- Appending ---------------------------------------------------------------------------------


def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head row, locked to the end of the transaction (created on first use; ON
    CONFLICT DO NOTHING, so two first appends do not fail, the second waits for the first)."""
    try:
        return AuditChainHead.objects.select_for_update().get(chain=chain)
    except AuditChainHead.DoesNotExist:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True)
        return AuditChainHead.objects.select_for_update().get(chain=chain)


def chain_append(event: AuditEvent) -> AuditEvent:
    """Link ``event`` (not saved yet) to the end of its chain and insert it.

    Inside the caller's transaction; a transaction of its own when there is none. The head lock
    is taken here, at the audit insert (the last write of a service), and held to commit."""
    with transaction.atomic(savepoint=False):
        head = _locked_head(event.chain)
        event.at = timezone.now()
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = event_hash(event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(chain=head.chain).update(seq=event.seq, hash=event.hash)
    return event


# --- Verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain."""

    chain: str
    event_id: int | None
    seq: int
    what: str  # "content", "link", "gap", "head", "checkpoint"
    detail: str

    def __str__(self) -> str:
        where = f"event id={self.event_id}, seq={self.seq}" if self.event_id else f"seq={self.seq}"
        return f"chain {self.chain}: {where}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    head: str
    broken: Break | None = None


def chains() -> list[str]:
    """Every chain that has events, a head or a checkpoint."""
    names = set(AuditChainHead.objects.values_list("chain", flat=True))
    names |= set(AuditCheckpoint.objects.values_list("chain", flat=True).distinct())
    names |= set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
    return sorted(names)


def _walk(chain: str, signed: dict[int, AuditCheckpoint]) -> Iterator[Break | AuditEvent]:
    """Each event in seq order, or the first break found (then stops)."""
    expected, prev = 1, GENESIS
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000)
    for event in rows:
        if event.seq != expected:
            yield Break(chain, event.pk, event.seq, "gap", f"seq {expected} is missing (next found: {event.seq})")
            return
        if event.prev_hash != prev:
            yield Break(chain, event.pk, event.seq, "link",
                        f"prev_hash {event.prev_hash[:16]}… is not the hash of seq {expected - 1} ({prev[:16]}…)")
            return
        computed = event_hash(event)
        if computed != event.hash:
            yield Break(chain, event.pk, event.seq, "content",
                        f"content hash differs: stored {event.hash[:16]}…, computed {computed[:16]}…")
            return
        checkpoint = signed.get(event.seq)
        if checkpoint is not None and checkpoint.head_hash != event.hash:
            yield Break(chain, event.pk, event.seq, "checkpoint",
                        f"differs from the signed checkpoint of {checkpoint.created_at:%Y-%m-%d %H:%M} UTC")
            return
        yield event
        expected, prev = expected + 1, event.hash


def chain_verify(chain: str) -> ChainReport:
    """Walk one chain from its first event; compare its end with the head row and every checkpoint."""
    checkpoints = list(AuditCheckpoint.objects.filter(chain=chain).order_by("seq", "pk"))
    for checkpoint in checkpoints:
        if not checkpoint_signature_valid(checkpoint):
            return ChainReport(chain, 0, "", Break(chain, None, checkpoint.seq, "checkpoint",
                                                  f"checkpoint id={checkpoint.pk} has an invalid signature"))
    count, last = 0, None
    for item in _walk(chain, {c.seq: c for c in checkpoints}):
        if isinstance(item, Break):
            return ChainReport(chain, count, last.hash if last else GENESIS, item)
        count, last = count + 1, item
    head_hash, seq = (last.hash, last.seq) if last else (GENESIS, 0)
    return ChainReport(chain, count, head_hash, _end_break(chain, seq, head_hash, checkpoints))


def _end_break(chain: str, seq: int, head_hash: str, checkpoints: list[AuditCheckpoint]) -> Break | None:
    """A chain shorter than its head row or than a signed checkpoint was cut (or rewritten)."""
    beyond = [c for c in checkpoints if c.seq > seq]
    if beyond:
        return Break(chain, None, seq + 1, "checkpoint",
                     f"the chain ends at seq {seq}, a signed checkpoint has seq {beyond[-1].seq}: truncated")
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq, head.hash) != (seq, head_hash):
        return Break(chain, None, seq + 1, "head",
                     f"the chain ends at seq {seq}, its head row says seq {head.seq}: truncated or rewritten")
    return None


# --- Signed checkpoints ------------------------------------------------------------------------


def checkpoint_key() -> bytes:
    """The signing key: ``AUDIT_CHECKPOINT_KEY`` from the environment (never in the database)."""
    return settings.AUDIT_CHECKPOINT_KEY.encode()


def key_id(key: bytes | None = None) -> str:
    """A fingerprint naming the key (which key signed), revealing nothing of it."""
    return hashlib.sha256(b"portal-audit-key-id:" + (key or checkpoint_key())).hexdigest()[:16]


def checkpoint_message(*, chain: str, seq: int, head_hash: str, created_at: dt.datetime) -> bytes:
    """What is signed, as bytes: the same canonical JSON an outsider can rebuild from the download."""
    body = {"chain": chain, "seq": seq, "head_hash": head_hash, "created_at": _utc_iso(created_at),
            "format": FORMAT}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign(message: bytes, key: bytes | None = None) -> str:
    return hmac.new(key or checkpoint_key(), message, hashlib.sha256).hexdigest()


def checkpoint_signature_valid(checkpoint: AuditCheckpoint, key: bytes | None = None) -> bool:
    message = checkpoint_message(chain=checkpoint.chain, seq=checkpoint.seq, head_hash=checkpoint.head_hash,
                                 created_at=checkpoint.created_at)
    return hmac.compare_digest(sign(message, key), checkpoint.signature)


def checkpoint_write(chain: str) -> AuditCheckpoint | None:
    """Sign the chain's current last event; nothing when the chain did not move since the last one."""
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").only("seq", "hash").first()
    if last is None:
        return None
    previous = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()
    if previous is not None and previous.seq == last.seq:
        return None
    now = timezone.now()
    message = checkpoint_message(chain=chain, seq=last.seq, head_hash=last.hash, created_at=now)
    return AuditCheckpoint.objects.create(chain=chain, seq=last.seq, head_hash=last.hash, created_at=now,
                                          key_id=key_id(), signature=sign(message))


def checkpoints_write() -> int:
    """The nightly task: a signed checkpoint for every chain that moved. Returns how many."""
    return sum(checkpoint_write(chain) is not None for chain in AuditChainHead.objects.values_list("chain", flat=True))


def checkpoint_document(checkpoint: AuditCheckpoint) -> dict:
    """The downloadable checkpoint: everything needed to check it later, and the signature."""
    return {"chain": checkpoint.chain, "seq": checkpoint.seq, "head_hash": checkpoint.head_hash,
            "created_at": _utc_iso(checkpoint.created_at), "format": FORMAT, "algorithm": "HMAC-SHA256",
            "key_id": checkpoint.key_id, "signature": checkpoint.signature,
            "signed_message": checkpoint_message(chain=checkpoint.chain, seq=checkpoint.seq,
                                                 head_hash=checkpoint.head_hash,
                                                 created_at=checkpoint.created_at).decode()}
