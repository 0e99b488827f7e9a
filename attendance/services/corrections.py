"""Usul perbaikan presensi: the employee proposes, the supervisor (or Plh/Plt) decides, HR
may correct directly. The original punch is never changed; an approved correction
supersedes its times when the day status is derived."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Correction, CorrectionStatus
from attendance.models.audit import Verb
from attendance.selectors.presence import correction_for_decision
from attendance.selectors.schedule import planned_day
from attendance.services import decisions
from attendance.services.day_status import recompute_day
from portal.models import Employee
from portal.selectors import employee_of, employees_visible_to
from portal.selectors.closures import refuse_closed_days
from portal.services.audit import audit_record
from portal.uploads import check_evidence

MAX_AGE_DAYS = 31  # a correction is for a recent day, not for rewriting history


def _local(employee: Employee, day: dt.date, t: dt.time | None, after: dt.time | None = None) -> dt.datetime | None:
    """The time on the day; a check-out at or before the check-in (``after``) is the next morning
    (only accepted on an overnight shift, see :func:`_validate`)."""
    if t is None:
        return None
    next_day = after is not None and t <= after
    return dt.datetime.combine(day + dt.timedelta(days=1 if next_day else 0), t, tzinfo=employee.unit.tzinfo)


def _overnight(employee: Employee, day: dt.date) -> bool:
    hours = planned_day(employee, day).hours
    return hours is not None and hours.ends_next_day


def _validate(employee: Employee, day: dt.date, check_in: dt.time | None, check_out: dt.time | None, reason: str):
    today = employee.unit.local_today()
    if day > today:
        raise ValidationError({"date": _("Perbaikan hanya untuk hari yang sudah berjalan.")})
    if (today - day).days > MAX_AGE_DAYS:
        raise ValidationError({"date": _("Perbaikan paling lambat %(n)d hari setelah tanggalnya.") % {
            "n": MAX_AGE_DAYS}})
    if check_in is None and check_out is None:
        raise ValidationError({"check_in": _("Isi jam masuk dan/atau jam pulang yang benar.")})
    if check_in and check_out and check_out <= check_in and not _overnight(employee, day):
        raise ValidationError({"check_out": _("Jam pulang harus setelah jam masuk.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan perbaikan wajib diisi.")})
    refuse_closed_days(employee.unit, [day])


def correction_submit(*, actor, date: dt.date, check_in: dt.time | None = None, check_out: dt.time | None = None,
                      reason: str, evidence=None) -> Correction:
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat mengajukan perbaikan."))
    _validate(employee, date, check_in, check_out, reason)
    if evidence:
        check_evidence(evidence)  # by content: the API and the admin reach here without a form
    try:
        with transaction.atomic():
            correction = Correction.objects.create(
                employee=employee, date=date, check_in_at=_local(employee, date, check_in),
                check_out_at=_local(employee, date, check_out, check_in), reason=reason.strip(), created_by=actor,
                evidence=evidence or "")
            audit_record(actor=actor, verb=Verb.CORRECTION_SUBMITTED, obj=correction, unit=employee.unit,
                         after={"date": date, "check_in": correction.check_in_at, "check_out": correction.check_out_at,
                                "reason": reason})
    except IntegrityError:
        raise ValidationError({"date": _("Sudah ada usul perbaikan yang menunggu untuk tanggal ini.")}) from None
    return correction


def correction_decide(*, actor, correction_id: int, approve: bool, reason: str = "") -> Correction:
    """The supervisor (or their active Plh/Plt) approves or rejects; a double click decides once."""
    correction = correction_for_decision(actor, correction_id)
    return decisions.decide(actor=actor, row=correction, approve=approve, reason=reason,
                            verbs=(Verb.CORRECTION_APPROVED, Verb.CORRECTION_REJECTED))


def correction_withdraw(*, actor, correction_id: int) -> Correction:
    me = employee_of(actor)
    correction = Correction.objects.filter(pk=correction_id, employee=me).select_related("employee__unit").first()
    if correction is None:
        raise Http404
    with transaction.atomic():
        if not Correction.objects.filter(pk=correction.pk, status=CorrectionStatus.PENDING).update(
                status=CorrectionStatus.WITHDRAWN):
            raise ValidationError({"status": _("Hanya usul yang menunggu yang dapat ditarik.")})
        audit_record(actor=actor, verb=Verb.CORRECTION_WITHDRAWN, obj=correction, unit=correction.employee.unit,
                     before={"status": CorrectionStatus.PENDING}, after={"status": CorrectionStatus.WITHDRAWN})
    correction.refresh_from_db()
    return correction


def correction_hr_apply(*, actor, employee_id: int, date: dt.date, check_in: dt.time | None = None,
                        check_out: dt.time | None = None, reason: str) -> Correction:
    """HR corrects a day directly (e.g. after an outage): an approved correction by HR."""
    employee = employees_visible_to(actor).select_related("unit").filter(pk=employee_id).first()
    if employee is None:
        raise Http404
    _validate(employee, date, check_in, check_out, reason)
    with transaction.atomic():
        Correction.objects.filter(employee=employee, date=date, status=CorrectionStatus.PENDING).update(
            status=CorrectionStatus.WITHDRAWN)
        correction = Correction.objects.create(
            employee=employee, date=date, check_in_at=_local(employee, date, check_in),
            check_out_at=_local(employee, date, check_out, check_in), reason=reason.strip(), created_by=actor,
            status=CorrectionStatus.APPROVED, decided_by=actor, decided_at=timezone.now(),
            decision_reason=_("Dikoreksi langsung oleh admin kepegawaian."))
        audit_record(actor=actor, verb=Verb.CORRECTION_APPLIED, obj=correction, unit=employee.unit,
                     after={"date": date, "check_in": correction.check_in_at, "check_out": correction.check_out_at,
                            "reason": reason})
        recompute_day(employee, date)
    return correction
