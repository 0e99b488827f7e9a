"""Deciding an employee's request about their own day (a correction, a partial-day permission):
one transition for every such model.

The caller has found the row through :mod:`attendance.selectors.decisions` (404 outside reach).
A rejection needs a reason; a day of a closed month takes no decision; a double click decides
once (a conditional update from "pending"); the decision is audited with the Plh/Plt title the
decider acted under, and an approval recomputes the day's status.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.services.day_status import recompute_day
from portal.selectors.closures import refuse_closed_days
from portal.services.audit import audit_record
from scheduling import selectors as scheduling

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def decide(*, actor, row, approve: bool, reason: str, verbs: tuple[str, str]):
    """Approve or reject ``row`` (which has employee, date, status and the decision fields);
    ``verbs`` are the audit verbs for (approved, rejected). Returns the row as it now is."""
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan penolakan wajib diisi.")})
    refuse_closed_days(row.employee.unit, [row.date])
    acting_for = scheduling.represented_approvers(actor).get(row.employee.supervisor_id, "")
    new = APPROVED if approve else REJECTED
    with transaction.atomic():
        changed = type(row).objects.filter(pk=row.pk, status=PENDING).update(
            status=new, decided_by=actor, decided_at=timezone.now(), acting_for=acting_for,
            decision_reason=(reason or "").strip())
        if changed:
            audit_record(actor=actor, verb=verbs[0] if approve else verbs[1], obj=row, unit=row.employee.unit,
                         acting_for=acting_for, before={"status": PENDING}, after={"status": new, "reason": reason})
            if approve:
                recompute_day(row.employee, row.date)
    row.refresh_from_db()
    return row
