"""Writing audit events. Every service that changes state calls :func:`audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from portal.models import AuditEvent
from portal.models.audit import is_registered
from portal.services.audit_chain import chain_append, chain_of


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of an object's concrete fields (FKs as ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor,
    verb: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    acting_for: str = "",
    unit=None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction that makes the change.

    ``verb`` must be a registered verb (an app's ``Verb`` enumeration, :mod:`portal.models.audit`).
    The event is linked into a lane of its institution's hash chain, chosen by the actor
    (:mod:`portal.services.audit_chain`): that chain's head stays locked until the caller's
    transaction ends, so make this the last locking write of the transaction (docs/decisions.md
    "Tamper-evident audit trail").
    """
    if not is_registered(verb):
        raise ValueError(f"unregistered audit verb {verb!r}: add it to its app's Verb enumeration")
    actor = actor if getattr(actor, "pk", None) else None
    return chain_append(AuditEvent(
        chain=chain_of(unit, actor.pk if actor else None),
        actor=actor,
        acting_for=acting_for,
        verb=str(verb),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit=unit,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    ))
