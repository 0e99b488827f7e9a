"""``manage.py audit_verify [--chain KEY] [--checkpoint FILE]``: prove the audit trail was not rewritten.

Walks each hash chain in seq order (streamed), recomputes every event's hash and its link to
the one before, and compares the end of the chain with its head row and with every signed
checkpoint. Reports the first broken link of each chain (event id, seq, what differs: content,
link, gap, head, checkpoint) and exits 1; otherwise prints "OK: N events, head <hash>" per chain.

``--checkpoint FILE`` checks a checkpoint HR downloaded (JSON) against the database: the chain
must still hold that event with that hash. Its signature is checked when this machine has the
signing key (``AUDIT_CHECKPOINT_KEY``).
"""

from __future__ import annotations

import hmac
import json

from django.core.management.base import BaseCommand, CommandError

from portal.models.audit import AuditEvent
from portal.services import audit_chain


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--chain", help='One chain only ("instansi:<id>/<lane>", "instansi:<id>" or "global").')
        parser.add_argument("--checkpoint", help="A downloaded checkpoint (JSON) to check against the trail.")

    def handle(self, *args, chain: str | None = None, checkpoint: str | None = None, **options):
        failures = []
        if checkpoint:
            failures += self._check_file(checkpoint)
            chain = chain or self._document(checkpoint).get("chain")
        names = [chain] if chain else audit_chain.chains()
        for name in names:
            report = audit_chain.chain_verify(name)
            if report.broken:
                failures.append(f"FAIL: {report.broken}")
            else:
                self.stdout.write(f"OK: {name}: {report.events} events, head {report.head}")
        if failures:
            raise CommandError("\n".join(failures), returncode=1)

    @staticmethod
    def _document(path: str) -> dict:
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read checkpoint {path}: {exc}") from exc

    def _check_file(self, path: str) -> list[str]:
        """The downloaded checkpoint still matches the trail (and its signature, if we hold the key)."""
        doc = self._document(path)
        try:
            chain, seq, head_hash = doc["chain"], int(doc["seq"]), doc["head_hash"]
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"not a checkpoint: {path}") from exc
        problems = []
        message = doc.get("signed_message", "").encode()
        if audit_chain.key_id() != doc.get("key_id"):
            self.stdout.write(f"NOTE: checkpoint {path} was signed with another key ({doc.get('key_id')}): "
                              "its signature is not checked here")
        elif not _signature_ok(message, doc, chain, seq, head_hash):
            problems.append(f"FAIL: checkpoint {path}: the signature does not match its content")
        event = AuditEvent.objects.filter(chain=chain, seq=seq).only("pk", "hash").first()
        if event is None:
            problems.append(f"FAIL: chain {chain}: seq={seq} of the checkpoint is gone: truncated")
        elif event.hash != head_hash:
            problems.append(f"FAIL: chain {chain}: event id={event.pk}, seq={seq}: differs from the checkpoint")
        if not problems:
            self.stdout.write(f"OK: checkpoint {chain} seq {seq} matches the trail")
        return problems


def _signature_ok(message: bytes, doc: dict, chain: str, seq: int, head_hash: str) -> bool:
    """The signed message says what the file says, and the signature is ours over it."""
    try:
        signed = json.loads(message)
    except ValueError:
        return False
    stated = (signed.get("chain"), signed.get("seq"), signed.get("head_hash"))
    return stated == (chain, seq, head_hash) and hmac.compare_digest(audit_chain.sign(message),
                                                                     str(doc.get("signature", "")))
