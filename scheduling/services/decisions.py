"""Deciding request days: approve (race-safe), reject, in bulk, and expiry of what nobody decided.

Approval locks the unit-day row and then the employee row (always in that order), re-checks the
rules against *approved* days under the lock, and changes the status with a conditional UPDATE
so a double click approves once. One function serves the page, the API, bulk decisions and
automatic approval in FWA windows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Employee
from portal.services.audit import audit_record
from scheduling import rules, selectors
from scheduling.models import RequestDay, Status, UnitDay
from scheduling.models.audit import Verb
from scheduling.services import notifications
from scheduling.services.unit_days import touch_unit_days


class DecisionBlocked(Exception):
    def __init__(self, verdicts: list[rules.Verdict], message: str = ""):
        super().__init__(message or "; ".join(v.message for v in verdicts))
        self.verdicts = verdicts


def _tell_employee(day: RequestDay, verb: str) -> None:
    """Tell the employee their day was decided (in-app + email, once per day and outcome)."""
    notifications.day_decided(day, verb)


def _acting_for(actor, day: RequestDay) -> str:
    approver = selectors.approver_for(day)
    titles = selectors.represented_approvers(actor)
    if approver is not None and approver.pk in titles:
        return titles[approver.pk]
    if getattr(actor, "is_superuser", False):
        return ""
    raise Http404


def _lock_unit_day_and_employee(day: RequestDay) -> None:
    """Fixed lock order everywhere: unit-day row first, then the employee row."""
    UnitDay.objects.get_or_create(unit_id=day.unit_id, date=day.date)
    UnitDay.objects.select_for_update().get(unit_id=day.unit_id, date=day.date)
    Employee.objects.select_for_update().only("pk").get(pk=day.employee_id)


@dataclass
class Decision:
    day: RequestDay
    changed: bool
    verdicts: list[rules.Verdict] = field(default_factory=list)


def _approve(day_id: int, *, actor, acting_for: str, reason: str, auto: bool = False) -> Decision:
    with transaction.atomic():
        day = RequestDay.objects.select_related("request", "employee__unit", "unit").get(pk=day_id)
        _lock_unit_day_and_employee(day)
        day.refresh_from_db(fields=["status"])
        if day.status != Status.PENDING:
            return Decision(day, False)
        preview = selectors.preview_days(day.employee, day.kind, [day.date],
                               special_circumstance=day.request.special_circumstance, for_approval_of=day.pk)[0]
        if preview.blocked:
            raise DecisionBlocked([v for v in preview.verdicts if v.severity == rules.BLOCK])
        if preview.worst == rules.WARN and not reason.strip():
            raise DecisionBlocked([v for v in preview.verdicts if v.severity == rules.WARN],
                                  _("Hari ini melampaui batas kehadiran unit: isi alasan untuk tetap menyetujui."))
        now = timezone.now()
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.APPROVED, decided_by=actor, decided_at=now, acting_for=acting_for,
            decision_reason=reason.strip(), auto_approved=auto, verdicts=[v.as_dict() for v in preview.verdicts])
        if changed:
            audit_record(actor=actor, verb=Verb.REQUEST_DAY_APPROVED, obj=day, unit=day.unit, acting_for=acting_for,
                         before={"status": Status.PENDING}, after={"status": Status.APPROVED, "reason": reason,
                                                                   "auto": auto})
            touch_unit_days([(day.unit_id, day.date)])
        day.refresh_from_db()
        if changed:
            _tell_employee(day, "approved")
        return Decision(day, bool(changed), preview.verdicts)


def request_day_approve(*, actor, day_id: int, reason: str = "") -> Decision:
    """Approve one pending day as its approver (or their active Plh/Plt)."""
    day = selectors.day_for_decision(actor, day_id)
    return _approve(day.pk, actor=actor, acting_for=_acting_for(actor, day), reason=reason)


def request_day_reject(*, actor, day_id: int, reason: str) -> Decision:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan penolakan wajib diisi.")})
    day = selectors.day_for_decision(actor, day_id)
    acting_for = _acting_for(actor, day)
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.REJECTED, decided_by=actor, decided_at=timezone.now(), acting_for=acting_for,
            decision_reason=reason.strip())
        if changed:
            audit_record(actor=actor, verb=Verb.REQUEST_DAY_REJECTED, obj=day, unit=day.unit, acting_for=acting_for,
                         before={"status": Status.PENDING}, after={"status": Status.REJECTED, "reason": reason})
            touch_unit_days([(day.unit_id, day.date)])
            day.refresh_from_db()
            _tell_employee(day, "rejected")
    day.refresh_from_db()
    return Decision(day, bool(changed))


def requests_decide_bulk(*, actor, day_ids: list[int], action: str, reason: str = "") -> list[dict]:
    """Decide many days, each in its own transaction, in date order so the rules hold
    across the batch. Returns one result per id: ok, or the reason it failed."""
    if action not in ("approve", "reject"):
        raise ValidationError({"action": _("Aksi harus approve atau reject.")})
    visible = {d.pk: d for d in selectors.days_decidable_by(actor).filter(pk__in=day_ids)}
    results = []
    for day_id in [i for i in day_ids if i not in visible]:
        results.append({"id": day_id, "ok": False, "error": _("Tidak ditemukan.")})
    for day in sorted(visible.values(), key=lambda d: (d.date, d.pk)):
        try:
            if action == "approve":
                decision = request_day_approve(actor=actor, day_id=day.pk, reason=reason)
            else:
                decision = request_day_reject(actor=actor, day_id=day.pk, reason=reason)
            ok = decision.day.status == (Status.APPROVED if action == "approve" else Status.REJECTED)
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": ok, "status": decision.day.status,
                            "error": "" if ok else _("Sudah diputus sebelumnya (%(s)s).") % {
                                "s": decision.day.get_status_display()}})
        except DecisionBlocked as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False, "error": str(exc),
                            "verdicts": [v.as_dict() for v in exc.verdicts]})
        except ValidationError as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False,
                            "error": " ".join(m for msgs in exc.message_dict.values() for m in msgs)})
    return results


def request_days_expire(*, today: dt.date) -> int:
    """Pending days whose date has passed become expired; the employee is told. Safe twice."""
    expired = 0
    for day in selectors.pending_days_before(today).select_related("employee__user", "unit"):
        with transaction.atomic():
            if not RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(status=Status.EXPIRED,
                                                                                     decided_at=timezone.now()):
                continue
            audit_record(actor=None, verb=Verb.REQUEST_DAY_EXPIRED, obj=day, unit=day.unit,
                         before={"status": Status.PENDING}, after={"status": Status.EXPIRED})
            touch_unit_days([(day.unit_id, day.date)])
            notifications.day_expired(day)
            expired += 1
    return expired
