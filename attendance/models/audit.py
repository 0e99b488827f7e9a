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
    Verb.REPORT_EXPORTED: _("mengunduh laporan %(object)s"),
    Verb.EXPORT_CREATED: _("membuat ekspor laporan %(object)s"),
}, legacy={"punch.check_in": Verb.PUNCH_CHECKED_IN, "punch.check_out": Verb.PUNCH_CHECKED_OUT,
           "correction.hr_applied": Verb.CORRECTION_APPLIED, "report.export": Verb.REPORT_EXPORTED,
           "export.create": Verb.EXPORT_CREATED})
