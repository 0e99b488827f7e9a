"""Partial-day permissions: izin terlambat, izin pulang cepat, izin meninggalkan kantor.

The employee asks for one day with a reason (and the times it covers); their supervisor, or the
supervisor's active Plh/Plt, approves or rejects it (never their own); an approved one exempts
the matching TL/PSW when the day's status is derived and shows on the recap. A day of a closed
month takes no new permission and no decision. Every step is audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from attendance.models import PartialPermission, PermissionKind, PermissionStatus
from attendance.models.audit import Verb
from attendance.selectors.permissions import permission_for_decision
from attendance.services import decisions
from portal import rules as portal_rules
from portal.selectors import employee_of
from portal.selectors.closures import refuse_closed_days
from portal.services.audit import audit_record

MAX_AGE_DAYS = 31  # asked for a recent or coming day, like a correction
MAX_AHEAD_DAYS = 90


def permission_clean(*, today: dt.date, date: dt.date | None, kind: str, start_time: dt.time | None,
                     end_time: dt.time | None, reason: str) -> None:
    """The one validation of a permission request (form, API and service)."""
    errors: dict[str, str] = {}
    if date is None:
        errors["date"] = _("Pilih tanggal izin.")
    elif not portal_rules.date_in_range(date):
        errors["date"] = portal_rules.date_range_message()
    elif (today - date).days > MAX_AGE_DAYS:
        errors["date"] = _("Izin paling lambat %(n)d hari sesudah tanggalnya.") % {"n": MAX_AGE_DAYS}
    elif (date - today).days > MAX_AHEAD_DAYS:
        errors["date"] = _("Izin paling jauh %(n)d hari ke depan.") % {"n": MAX_AHEAD_DAYS}
    if kind not in PermissionKind.values:
        errors["kind"] = _("Pilih jenis izin.")
    elif kind == PermissionKind.LATE and end_time is None:
        errors["end_time"] = _("Isi sampai jam berapa Anda terlambat datang.")
    elif kind == PermissionKind.EARLY and start_time is None:
        errors["start_time"] = _("Isi jam berapa Anda pulang.")
    elif kind == PermissionKind.LEAVE:
        if start_time is None or end_time is None:
            errors["start_time"] = _("Isi jam keluar dan jam kembali.")
        elif end_time <= start_time:
            errors["end_time"] = _("Jam kembali harus sesudah jam keluar.")
    if not (reason or "").strip():
        errors["reason"] = _("Alasan izin wajib diisi.")
    if errors:
        raise ValidationError(errors)


def permission_submit(*, actor, date: dt.date, kind: str, reason: str, start_time: dt.time | None = None,
                      end_time: dt.time | None = None) -> PartialPermission:
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat mengajukan izin."))
    permission_clean(today=employee.unit.local_today(), date=date, kind=kind, start_time=start_time,
                     end_time=end_time, reason=reason)
    refuse_closed_days(employee.unit, [date])
    # Only the times the kind uses are kept: izin terlambat has an end, pulang cepat a start.
    start_time = None if kind == PermissionKind.LATE else start_time
    end_time = None if kind == PermissionKind.EARLY else end_time
    try:
        with transaction.atomic():
            permission = PartialPermission.objects.create(employee=employee, date=date, kind=kind,
                                                          start_time=start_time, end_time=end_time,
                                                          reason=reason.strip(), created_by=actor)
            audit_record(actor=actor, verb=Verb.PERMISSION_SUBMITTED, obj=permission, unit=employee.unit,
                         after={"date": date, "kind": kind, "start": start_time, "end": end_time, "reason": reason})
    except IntegrityError:
        raise ValidationError({"kind": _("Sudah ada izin jenis ini yang menunggu atau disetujui untuk tanggal "
                                         "itu.")}) from None
    return permission


def permission_decide(*, actor, permission_id: int, approve: bool, reason: str = "") -> PartialPermission:
    """The supervisor (or their active Plh/Plt) decides; a double click decides once."""
    permission = permission_for_decision(actor, permission_id)
    return decisions.decide(actor=actor, row=permission, approve=approve, reason=reason,
                            verbs=(Verb.PERMISSION_APPROVED, Verb.PERMISSION_REJECTED))


def permission_withdraw(*, actor, permission_id: int) -> PartialPermission:
    """The employee takes back a request still waiting for a decision."""
    me = employee_of(actor)
    permission = PartialPermission.objects.filter(pk=permission_id, employee=me).select_related(
        "employee__unit").first() if me else None
    if permission is None:
        raise Http404
    with transaction.atomic():
        if not PartialPermission.objects.filter(pk=permission.pk, status=PermissionStatus.PENDING).update(
                status=PermissionStatus.WITHDRAWN):
            raise ValidationError({"status": _("Hanya izin yang menunggu yang dapat ditarik.")})
        audit_record(actor=actor, verb=Verb.PERMISSION_WITHDRAWN, obj=permission, unit=permission.employee.unit,
                     before={"status": PermissionStatus.PENDING}, after={"status": PermissionStatus.WITHDRAWN})
    permission.refresh_from_db()
    return permission
