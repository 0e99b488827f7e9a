"""What attendance writes to the audit trail (see :mod:`portal.models.audit`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.audit import register_verbs


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
    Verb.PERMISSION_SUBMITTED: _("mengajukan izin %(object)s"),
    Verb.PERMISSION_APPROVED: _("menyetujui izin %(object)s"),
    Verb.PERMISSION_REJECTED: _("menolak izin %(object)s"),
    Verb.PERMISSION_WITHDRAWN: _("menarik izin %(object)s"),
    Verb.MONTH_CLOSE_REQUESTED: _("memulai tutup buku %(object)s"),
    Verb.MONTH_CLOSED: _("menutup bulan %(object)s"),
    Verb.MONTH_REOPENED: _("membuka kembali bulan %(object)s"),
    Verb.TK_THRESHOLD_NOTIFIED: _("memberitahukan batas TK %(object)s"),
    Verb.REPORT_EXPORTED: _("mengunduh laporan %(object)s"),
    Verb.EXPORT_CREATED: _("membuat ekspor laporan %(object)s"),
}, legacy={"punch.check_in": Verb.PUNCH_CHECKED_IN, "punch.check_out": Verb.PUNCH_CHECKED_OUT,
           "correction.hr_applied": Verb.CORRECTION_APPLIED, "report.export": Verb.REPORT_EXPORTED,
           "export.create": Verb.EXPORT_CREATED})
