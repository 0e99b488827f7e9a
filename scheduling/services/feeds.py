"""Calendar feed tokens: issue (or reset) and revoke, and the throttled "last read" mark.

The secret is ``secrets.token_urlsafe(32)`` (256 random bits) and leaves the service only in the
:class:`IssuedFeed` it returns: the table keeps its SHA-256 (docs/decisions.md, "Calendar feeds").
One live token per person and feed: a reset revokes the old one in the same transaction, so the
old address stops working the moment the new one exists.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Unit
from portal.services.audit import audit_record
from scheduling.models import AuditVerb, FeedKind, FeedToken
from scheduling.models.feeds import hash_secret
from scheduling.selectors.feeds import feed_choices

MAX_VALID_DAYS = 730  # an address that expires may live at most two years
TOUCH_EVERY = dt.timedelta(hours=1)  # calendar apps poll often; mark the last read at most hourly


@dataclass(frozen=True)
class IssuedFeed:
    token: FeedToken
    secret: str  # shown once; never stored


def feed_token_clean(*, actor, kind: str, unit_id: int | None = None,
                     expires_at: dt.datetime | None = None) -> Unit | None:
    """The unit a new token of ``kind`` reads (None for the own plan), or ValidationError: a kind the
    actor may not have, a team unit they do not decide for, an expiry in the past or too far."""
    choice = next((c for c in feed_choices(actor) if c.kind == kind), None)
    if choice is None:
        raise ValidationError({"kind": _("Kalender jenis ini tidak tersedia untuk akun Anda.")})
    if expires_at is not None:
        now = timezone.now()
        if expires_at <= now:
            raise ValidationError({"expires_at": _("Masa berlaku harus di masa depan.")})
        if expires_at > now + dt.timedelta(days=MAX_VALID_DAYS):
            raise ValidationError({"expires_at": _("Masa berlaku paling lama %(days)d hari.")
                                   % {"days": MAX_VALID_DAYS}})
    if kind == FeedKind.OWN:
        return None
    if unit_id is None:
        return choice.units[0]
    unit = next((u for u in choice.units if u.pk == unit_id), None)
    if unit is None:
        raise ValidationError({"unit": _("Pilih unit tim yang Anda pimpin.")})
    return unit


def _audit_unit(actor, token: FeedToken):
    if token.unit_id:
        return token.unit
    employee = getattr(actor, "employee", None)
    return employee.unit if employee is not None else None


def _snapshot(token: FeedToken) -> dict:
    return {"kind": token.kind, "unit": token.unit_id, "expires_at": token.expires_at}


def _revoke(actor, token: FeedToken, now: dt.datetime) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, verb=AuditVerb.CALENDAR_FEED_REVOKED, obj=token, before=_snapshot(token),
                 after={**_snapshot(token), "revoked_at": now}, unit=_audit_unit(actor, token))


def _lock_owner(actor) -> None:
    """Serialize a person's token writes: two resets at once must not leave two live tokens."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()


def feed_token_reset(*, actor, kind: str, unit_id: int | None = None,
                     expires_at: dt.datetime | None = None) -> IssuedFeed:
    """A new address for ``kind``: the live one (if any) is revoked, a new secret issued."""
    unit = feed_token_clean(actor=actor, kind=kind, unit_id=unit_id, expires_at=expires_at)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        _lock_owner(actor)
        now = timezone.now()
        for old in FeedToken.objects.filter(owner=actor, kind=kind, revoked_at__isnull=True):
            _revoke(actor, old, now)
        token = FeedToken.objects.create(owner=actor, kind=kind, unit=unit, secret_hash=hash_secret(secret),
                                         expires_at=expires_at)
        audit_record(actor=actor, verb=AuditVerb.CALENDAR_FEED_CREATED, obj=token, after=_snapshot(token),
                     unit=_audit_unit(actor, token))
    return IssuedFeed(token, secret)


def feed_token_revoke(*, actor, kind: str) -> FeedToken | None:
    """Revoke the actor's token of ``kind``; None when there is none (nothing written)."""
    with transaction.atomic():
        _lock_owner(actor)
        token = FeedToken.objects.filter(owner=actor, kind=kind, revoked_at__isnull=True).select_related(
            "unit").first()
        if token is None:
            return None
        _revoke(actor, token, timezone.now())
    return token


def feed_token_touch(token: FeedToken, now: dt.datetime | None = None) -> None:
    """Mark the token read, at most once per :data:`TOUCH_EVERY` (a conditional UPDATE: no read
    before, no lock, no audit event: a read of one's own feed changes nothing)."""
    now = now or timezone.now()
    if token.last_used_at is not None and token.last_used_at > now - TOUCH_EVERY:
        return
    FeedToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)).update(last_used_at=now)
