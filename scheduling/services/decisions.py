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
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import facts
from portal.models import Employee
from portal.services.audit import audit_record
from scheduling import rules, selectors
from scheduling.models import FLEXIBLE_KINDS, RequestDay, Status, Step, UnitDay
from scheduling.models.audit import Verb
from scheduling.selectors.emergency import emergency_for
from scheduling.services import notifications
from scheduling.services.unit_days import touch_unit_days


class DecisionBlocked(Exception):
    """Deciding was refused. ``verdicts`` are the ones that refuse it; ``shown`` every verdict the
    decision met (what the inbox card lists), most serious first."""

    def __init__(self, verdicts: list[rules.Verdict], message: str = "", *, shown: list[rules.Verdict] | None = None):
        super().__init__(message or "; ".join(v.message for v in verdicts))
        self.verdicts = verdicts
        self.shown = shown if shown is not None else verdicts


def _tell_employee(day: RequestDay, verb: str) -> None:
    """Tell the employee their day was decided (in-app + email, once per day and outcome)."""
    notifications.day_decided(day, verb)


def _lock_unit_day(day: RequestDay) -> None:
    """Fixed lock order everywhere: unit-day row first, then the employee row. The unit-day row
    usually exists (the submit marked it): lock it straight away, create it only when missing."""
    if not list(UnitDay.objects.select_for_update().filter(unit_id=day.unit_id, date=day.date).values_list("pk")):
        UnitDay.objects.get_or_create(unit_id=day.unit_id, date=day.date)
        UnitDay.objects.select_for_update().get(unit_id=day.unit_id, date=day.date)


def _locked_employee(employee_id: int) -> Employee:
    """The employee row locked (second, after the unit-day) and read with what deciding asks of it
    (the unit, whose head may decide; the account the decision is sent to) in the same statement;
    only the employee's own row is locked, not the unit and account it joins. Who decides is
    compared by id (approver_id_for): the people themselves are read only to be named."""
    return Employee.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=employee_id)


def _locked_day(day_id: int, seen: RequestDay | None = None) -> RequestDay:
    """The day with its unit-day and employee rows locked, its state read after the lock. A day
    already ``seen`` (the scope read) names the rows to lock and lends its request and unit, which
    a decision does not change; the day's own row and its people are read after the locks.

    Read in three narrow statements rather than one of eleven tables: PostgreSQL spent 13 ms
    planning that join for a row it then read in under one."""
    if seen is None:
        seen = RequestDay.objects.select_related("request", "unit").get(pk=day_id)
    _lock_unit_day(seen)
    employee = _locked_employee(seen.employee_id)
    day = RequestDay.objects.select_related("official", "endorsed_by__employee").get(pk=day_id)
    day.employee, day.request = employee, seen.request
    if day.unit_id == seen.unit_id:
        day.unit = seen.unit
    return day


@dataclass
class Decision:
    day: RequestDay
    changed: bool
    verdicts: list[rules.Verdict] = field(default_factory=list)


def _refuse(check: selectors.DecisionCheck, reason: str) -> None:
    """Raise what the check refuses approving with ``reason``: every BLOCK; a WARN without a reason."""
    refused = check.refused_by(reason)
    if not refused:
        return
    message = "" if check.blocked else _("Hari ini melampaui batas kehadiran unit: isi alasan untuk tetap menyetujui.")
    raise DecisionBlocked(refused, message, shown=check.verdicts)


def _grant(day: RequestDay, check: selectors.DecisionCheck, *, actor, reason: str, auto: bool = False,
           tell: bool = True) -> Decision:
    """The day is approved (conditional UPDATE: a double click approves once). ``tell=False``: the
    caller sends one message for many days (a published rota)."""
    values = {"status": Status.APPROVED, "decided_by": actor, "decided_at": timezone.now(),
              "acting_for": check.acting_for, "decision_reason": reason.strip(), "auto_approved": auto,
              "verdicts": _stored(check), "emergency_id": _emergency_id(day, check)}
    changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(**values)
    if not changed:
        day.refresh_from_db()
        return Decision(day, False, check.verdicts)
    for name, value in values.items():  # what the UPDATE wrote, without reading the row back
        setattr(day, name, value)
    touch_unit_days([(day.unit_id, day.date)])  # its row is locked already (_lock_unit_day)
    if tell:
        _tell_employee(day, "approved")
    # Last: the audit chain's head stays locked until the commit, so nothing else waits behind it.
    audit_record(actor=actor, verb=Verb.REQUEST_DAY_APPROVED, obj=day, unit=day.unit, acting_for=check.acting_for,
                 before={"status": Status.PENDING}, after={"status": Status.APPROVED, "reason": reason, "auto": auto})
    return Decision(day, True, check.verdicts)


def _emergency_id(day: RequestDay, check: selectors.DecisionCheck) -> int | None:
    """The emergency the day is decided under. A flexible day's check read it already (its policy
    carries the overlay, and the rules name it in an ``emergency`` verdict); an absence never meets
    an emergency's rules, so its emergency is read here."""
    if day.kind in FLEXIBLE_KINDS and day.unit_id == day.employee.unit_id:
        return next((v.params["id"] for v in check.verdicts if v.rule in ("emergency", "emergency_office")), None)
    emergency = emergency_for(day.unit, day.date)
    return emergency.pk if emergency else None


def _forward(day: RequestDay, check: selectors.DecisionCheck, *, actor, reason: str) -> Decision:
    """The atasan langsung agrees; the day now waits for the official (conditional UPDATE)."""
    official = check.forwards_to
    changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING, awaiting=Step.SUPERVISOR).update(
        awaiting=Step.OFFICIAL, official=official, endorsed_by=actor, endorsed_at=timezone.now(),
        endorsed_acting_for=check.acting_for, verdicts=_stored(check))
    if changed:
        audit_record(actor=actor, verb=Verb.REQUEST_DAY_ENDORSED, obj=day, unit=day.unit, acting_for=check.acting_for,
                     before={"awaiting": Step.SUPERVISOR},
                     after={"awaiting": Step.OFFICIAL, "official": official.pk, "reason": reason})
    day.refresh_from_db()
    if changed:
        notifications.day_endorsed(day)
    return Decision(day, bool(changed), check.verdicts)


def _stored(check: selectors.DecisionCheck) -> list[dict]:
    return [v.as_dict() for v in check.verdicts]


def _approve(day_id: int, *, actor, acting_for: str, reason: str, auto: bool = False, tell: bool = True) -> Decision:
    """Grant a pending day outright, checked under the lock (the automatic approval in FWA windows)."""
    with transaction.atomic():
        day = _locked_day(day_id)
        if day.status != Status.PENDING:
            return Decision(day, False)
        with facts.pinned():  # the rules as committed while the locks are held
            check = selectors.grant_check(day, acting_for=acting_for)
            _refuse(check, reason)
            return _grant(day, check, actor=actor, reason=reason, auto=auto, tell=tell)


def request_day_approve(*, actor, day_id: int, reason: str = "") -> Decision:
    """Approve one pending day as its approver (or their active Plh/Plt). Leave that goes on to
    the official is endorsed and waits for them; a Plh/Plt never grants a reserved kind.

    Under the lock the day is checked by :func:`scheduling.selectors.decision_check`, the check the
    inbox card shows. A day someone moved on meanwhile (decided, or endorsed by a second click)
    changes nothing."""
    titles = selectors.represented_approvers(actor)
    seen = selectors.day_for_decision(actor, day_id, titles)
    with transaction.atomic():
        day = _locked_day(seen.pk, seen)
        if day.status != Status.PENDING or day.awaiting != seen.awaiting:
            return Decision(day, False)
        with facts.pinned():  # the rules as committed while the locks are held
            check = selectors.decision_checks(actor, [day], titles)[day.pk]
            _refuse(check, reason)
            if check.forwards_to is not None:
                return _forward(day, check, actor=actor, reason=reason)
            return _grant(day, check, actor=actor, reason=reason)


def request_day_reject(*, actor, day_id: int, reason: str) -> Decision:
    """Reject one pending day. The plan's rules never stop a rejection (a day missing its document
    can be refused); only a kind reserved to the definitive official stops a Plh/Plt."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan penolakan wajib diisi.")})
    titles = selectors.represented_approvers(actor)
    day = selectors.day_for_decision(actor, day_id, titles)
    check = selectors.reject_check(actor, day, titles)
    if check.reject_refused_by:
        raise DecisionBlocked(check.reject_refused_by, shown=check.verdicts)
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.REJECTED, decided_by=actor, decided_at=timezone.now(), acting_for=check.acting_for,
            decision_reason=reason.strip(), emergency=emergency_for(day.unit, day.date))
        if changed:
            touch_unit_days([(day.unit_id, day.date)])  # before the audit: its chain lock comes last
            audit_record(actor=actor, verb=Verb.REQUEST_DAY_REJECTED, obj=day, unit=day.unit,
                         acting_for=check.acting_for, before={"status": Status.PENDING},
                         after={"status": Status.REJECTED, "reason": reason})
            day.refresh_from_db()
            _tell_employee(day, "rejected")
    day.refresh_from_db()
    return Decision(day, bool(changed))


def requests_decide_bulk(*, actor, day_ids: list[int], action: str, reason: str = "") -> list[dict]:
    """Decide many days, each in its own transaction, in date order so the rules hold
    across the batch. Returns one result per id: ok (approved, rejected, or forwarded to the
    official: ``awaiting``), or the reason it failed with the verdicts the inbox card shows."""
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
            forwarded = decision.changed and decision.day.status == Status.PENDING
            ok = forwarded or decision.day.status == (Status.APPROVED if action == "approve" else Status.REJECTED)
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": ok, "status": decision.day.status,
                            "awaiting": decision.day.awaiting,
                            "error": "" if ok else _("Sudah diputus sebelumnya (%(s)s).") % {
                                "s": decision.day.get_status_display()}})
        except DecisionBlocked as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False, "error": str(exc),
                            "verdicts": [v.as_dict() for v in exc.shown]})
        except ValidationError as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False, "fields": sorted(exc.message_dict),
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
            touch_unit_days([(day.unit_id, day.date)])  # before the audit: its chain lock comes last
            audit_record(actor=None, verb=Verb.REQUEST_DAY_EXPIRED, obj=day, unit=day.unit,
                         before={"status": Status.PENDING}, after={"status": Status.EXPIRED})
            notifications.day_expired(day)
            expired += 1
    return expired
