"""What attendance writes to the audit trail, and how its objects read in a sentence
(see :mod:`portal.models.audit`)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from portal.models.audit import (
    ObjectWords,
    as_date,
    by_object,
    from_date_words,
    long_date,
    month_words,
    object_pks,
    owner_words,
    register_objects,
    register_verbs,
    span_words,
    stored,
    unit_name,
    whose,
)

from .permissions import PartialPermission, PermissionKind
from .presence import Correction, Punch
from .schedule import Shift


class Verb(models.TextChoices):
    PUNCH_CHECKED_IN = "punch.checked_in", _("Presensi masuk")
    PUNCH_CHECKED_OUT = "punch.checked_out", _("Presensi pulang")
    CORRECTION_SUBMITTED = "correction.submitted", _("Perbaikan presensi diajukan")
    CORRECTION_APPROVED = "correction.approved", _("Perbaikan presensi disetujui")
    CORRECTION_REJECTED = "correction.rejected", _("Perbaikan presensi ditolak")
    CORRECTION_WITHDRAWN = "correction.withdrawn", _("Perbaikan presensi ditarik")
    CORRECTION_APPLIED = "correction.applied", _("Presensi dikoreksi admin")
    BAND_CREATED = "band.created", _("Pita TL/PSW ditambahkan")
    BAND_UPDATED = "band.updated", _("Pita TL/PSW diubah")
    BAND_DELETED = "band.deleted", _("Pita TL/PSW dihapus")
    RULES_CREATED = "attendance_rules.created", _("Aturan presensi ditambahkan")
    RULES_UPDATED = "attendance_rules.updated", _("Aturan presensi diubah")
    RULES_DELETED = "attendance_rules.deleted", _("Aturan presensi dihapus")
    SHIFT_CREATED = "shift.created", _("Shift ditambahkan")
    SHIFT_UPDATED = "shift.updated", _("Shift diubah")
    ROSTER_UPDATED = "roster.updated", _("Jadwal dinas diubah")
    PERMISSION_SUBMITTED = "permission.submitted", _("Izin diajukan")
    PERMISSION_APPROVED = "permission.approved", _("Izin disetujui")
    PERMISSION_REJECTED = "permission.rejected", _("Izin ditolak")
    PERMISSION_WITHDRAWN = "permission.withdrawn", _("Izin ditarik")
    MONTH_CLOSE_REQUESTED = "month.close_requested", _("Tutup buku dimulai")
    MONTH_CLOSED = "month.closed", _("Bulan ditutup")
    MONTH_REOPENED = "month.reopened", _("Bulan dibuka kembali")
    TK_THRESHOLD_NOTIFIED = "tk_threshold.notified", _("Batas TK PP 94/2021 diberitahukan")
    REPORT_EXPORTED = "report.exported", _("Laporan diunduh")
    EXPORT_CREATED = "export.created", _("Ekspor laporan dibuat")


register_verbs(Verb, {
    Verb.PUNCH_CHECKED_IN: _("mencatat presensi masuk %(object)s"),
    Verb.PUNCH_CHECKED_OUT: _("mencatat presensi pulang %(object)s"),
    Verb.CORRECTION_SUBMITTED: _("mengajukan perbaikan presensi %(object)s"),
    Verb.CORRECTION_APPROVED: _("menyetujui perbaikan presensi %(object)s"),
    Verb.CORRECTION_REJECTED: _("menolak perbaikan presensi %(object)s"),
    Verb.CORRECTION_WITHDRAWN: _("menarik perbaikan presensi %(object)s"),
    Verb.CORRECTION_APPLIED: _("mengoreksi presensi %(object)s"),
    Verb.BAND_CREATED: _("menambahkan pita TL/PSW %(object)s"),
    Verb.BAND_UPDATED: _("mengubah pita TL/PSW %(object)s"),
    Verb.BAND_DELETED: _("menghapus pita TL/PSW %(object)s"),
    Verb.RULES_CREATED: _("menambahkan aturan presensi %(object)s"),
    Verb.RULES_UPDATED: _("mengubah aturan presensi %(object)s"),
    Verb.RULES_DELETED: _("menghapus aturan presensi %(object)s"),
    Verb.SHIFT_CREATED: _("menambahkan shift %(object)s"),
    Verb.SHIFT_UPDATED: _("mengubah shift %(object)s"),
    Verb.ROSTER_UPDATED: _("mengubah jadwal dinas %(object)s"),
    Verb.PERMISSION_SUBMITTED: _("mengajukan %(object)s"),
    Verb.PERMISSION_APPROVED: _("menyetujui %(object)s"),
    Verb.PERMISSION_REJECTED: _("menolak %(object)s"),
    Verb.PERMISSION_WITHDRAWN: _("menarik %(object)s"),
    Verb.MONTH_CLOSE_REQUESTED: _("memulai tutup buku %(object)s"),
    Verb.MONTH_CLOSED: _("menutup bulan %(object)s"),
    Verb.MONTH_REOPENED: _("membuka kembali bulan %(object)s"),
    Verb.TK_THRESHOLD_NOTIFIED: _("memberitahukan batas TK %(object)s"),
    Verb.REPORT_EXPORTED: _("mengunduh laporan %(object)s"),
    Verb.EXPORT_CREATED: _("membuat ekspor laporan %(object)s"),
}, legacy={"punch.check_in": Verb.PUNCH_CHECKED_IN, "punch.check_out": Verb.PUNCH_CHECKED_OUT,
           "correction.hr_applied": Verb.CORRECTION_APPLIED, "report.export": Verb.REPORT_EXPORTED,
           "export.create": Verb.EXPORT_CREATED}, describers={
    # A roster change and an export are about a unit's month or a report, not the unit or the job row.
    Verb.ROSTER_UPDATED: lambda events: _roster_months(events),
    Verb.REPORT_EXPORTED: lambda events: _reports(events),
    Verb.EXPORT_CREATED: lambda events: _reports(events),
})


# --- Attendance's objects in words --------------------------------------------------------------


def _employee_days(model):
    """Describe events of a row that belongs to one employee on one date: "Ani Lestari untuk <date>"."""
    def describe(events):
        rows = model.objects.select_related("employee").in_bulk(object_pks(events))
        return by_object(events, rows, lambda e, row: whose("", owner_words(e, row.employee), long_date(row.date)))
    return describe


def _permission_words(kind: str) -> str:
    label = str(PermissionKind(kind).label) if kind in PermissionKind.values else _t("izin")
    return label[:1].lower() + label[1:]


def _permissions(events):
    rows = PartialPermission.objects.select_related("employee").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, p: whose(_permission_words(p.kind), owner_words(e, p.employee),
                                                      long_date(p.date)))


def _rules(events):
    return {e.pk: text for e in events if (text := from_date_words(e))}


def _shifts(events):
    rows = Shift.objects.select_related("unit").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, s: _t("%(code)s (%(name)s, %(start)s–%(end)s) di %(unit)s") % {
        "code": s.code, "name": s.name, "start": f"{s.start:%H.%M}", "end": f"{s.end:%H.%M}", "unit": s.unit.name})


def _roster_months(events):
    return {e.pk: _t("%(unit)s bulan %(month)s") % {"unit": unit_name(e), "month": month_words(stored(e, "month"))}
            for e in events if unit_name(e) and stored(e, "month")}


def _period_words(params: dict) -> str:
    """A report's period: "November 2026" for a whole month, else its first and last day."""
    start, end = as_date(params.get("start")), as_date(params.get("end"))
    if start and end and start.day == 1 and end.month == start.month and (end + dt.timedelta(days=1)).day == 1:
        return month_words(start)
    return span_words(start, end) if start and end else str(params.get("label") or "")


def _reports(events):
    from attendance.selectors.reports import REPORTS  # words only; the report registry lives with the reports

    out = {}
    for event in events:
        params, fmt = stored(event, "params") or {}, str(stored(event, "format") or "").upper()
        report = REPORTS.get(params.get("report")) if isinstance(params, dict) else None
        if report is None:
            continue
        period = _period_words(params)
        where = unit_name(event) or _t("semua unit dalam cakupan")
        out[event.pk] = _t("%(report)s %(period)s, %(unit)s (%(format)s)") % {
            "report": str(report.title), "period": period, "unit": where, "format": fmt}
    return out


register_objects({
    "attendance.punch": ObjectWords(_employee_days(Punch), about=lambda people: Punch.objects.filter(
        employee__in=people)),
    "attendance.correction": ObjectWords(_employee_days(Correction), about=lambda people: Correction.objects.filter(
        employee__in=people)),
    "attendance.partialpermission": ObjectWords(_permissions, about=lambda people: PartialPermission.objects.filter(
        employee__in=people)),
    "attendance.attendancerules": ObjectWords(_rules),
    "attendance.shift": ObjectWords(_shifts),
})
