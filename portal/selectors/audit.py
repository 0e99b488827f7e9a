"""The audit trail as people read it: each event as a sentence in the reader's language.

"Citra Plh (Plh. Kepala Bidang P2P) menyetujui WFH Ani Lestari, 7 Desember 2026": who, acting for
whom, did what (the verb's phrase, registered with the verb in its app), to which object.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.models import AuditEvent
from portal.models.audit import canonical_verb, verb_text
from portal.rules import acting_label, format_nip


def actor_label(event: AuditEvent) -> str:
    """The actor's name with their NIP (the account name for HR-only accounts); "Sistem" for none."""
    user = event.actor
    if user is None:
        return _("Sistem")
    employee = getattr(user, "employee", None) if _has_employee(user) else None
    if employee is not None:
        return f"{employee.name} ({format_nip(employee.nip)})"
    return user.get_full_name() or user.get_username()


def _has_employee(user) -> bool:
    try:
        return user.employee is not None
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: an account without an employee
        return False


def describe_event(event: AuditEvent) -> str:
    """One sentence for one event, in the active language."""
    text = verb_text(event.verb)
    if text is None:  # a verb nobody registers any more: show it as written
        done = f"{canonical_verb(event.verb)} {event.object_repr}"
    else:
        done = text.phrase % {"object": event.object_repr}
    who = actor_label(event)
    if event.acting_for:
        who = _("%(who)s, %(acting)s,") % {"who": who, "acting": acting_label(event.acting_for)}
    return f"{who} {done}"
