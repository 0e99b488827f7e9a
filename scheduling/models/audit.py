"""What scheduling writes to the audit trail (see :mod:`portal.models.audit`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.audit import register_verbs


class Verb(models.TextChoices):
    REQUEST_SUBMITTED = "request.submitted", _("Diajukan")
    REQUEST_DAY_APPROVED = "request_day.approved", _("Disetujui")
    REQUEST_DAY_REJECTED = "request_day.rejected", _("Ditolak")
    REQUEST_DAY_WITHDRAWN = "request_day.withdrawn", _("Ditarik")
    REQUEST_DAY_CANCELLED = "request_day.cancelled", _("Dibatalkan")
    REQUEST_DAY_EXPIRED = "request_day.expired", _("Kedaluwarsa")
    COVERAGE_POLICY_CREATED = "coverage_policy.created", _("Aturan kehadiran dibuat")
    COVERAGE_POLICY_UPDATED = "coverage_policy.updated", _("Aturan kehadiran diubah")
    COVERAGE_POLICY_DELETED = "coverage_policy.deleted", _("Aturan kehadiran dihapus")
    FWA_WINDOW_OPENED = "fwa_window.opened", _("Jendela FWA dibuka")
    FWA_WINDOW_DELETED = "fwa_window.deleted", _("Jendela FWA dihapus")
    REQUEST_DAY_ENDORSED = "request_day.endorsed", _("Disetujui atasan langsung, diteruskan ke pejabat")
    LEAVE_OPENING_SET = "leave_opening.set", _("Saldo awal cuti ditetapkan")
    LEAVE_ADJUSTED = "leave.adjusted", _("Saldo cuti disesuaikan")
    LEAVE_SETTINGS_SAVED = "leave_settings.saved", _("Pengaturan cuti disimpan")
    KIND_RULE_SAVED = "kind_rule.saved", _("Aturan jenis pengajuan disimpan")


register_verbs(Verb, {
    Verb.REQUEST_SUBMITTED: _("mengajukan %(object)s"),
    Verb.REQUEST_DAY_APPROVED: _("menyetujui %(object)s"),
    Verb.REQUEST_DAY_REJECTED: _("menolak %(object)s"),
    Verb.REQUEST_DAY_WITHDRAWN: _("menarik %(object)s"),
    Verb.REQUEST_DAY_CANCELLED: _("membatalkan %(object)s"),
    Verb.REQUEST_DAY_EXPIRED: _("menandai kedaluwarsa %(object)s"),
    Verb.COVERAGE_POLICY_CREATED: _("membuat aturan kehadiran %(object)s"),
    Verb.COVERAGE_POLICY_UPDATED: _("mengubah aturan kehadiran %(object)s"),
    Verb.COVERAGE_POLICY_DELETED: _("menghapus aturan kehadiran %(object)s"),
    Verb.FWA_WINDOW_OPENED: _("membuka jendela FWA %(object)s"),
    Verb.FWA_WINDOW_DELETED: _("menghapus jendela FWA %(object)s"),
    Verb.REQUEST_DAY_ENDORSED: _("menyetujui sebagai atasan langsung dan meneruskan %(object)s"),
    Verb.LEAVE_OPENING_SET: _("menetapkan saldo awal cuti %(object)s"),
    Verb.LEAVE_ADJUSTED: _("menyesuaikan saldo cuti %(object)s"),
    Verb.LEAVE_SETTINGS_SAVED: _("menyimpan pengaturan cuti %(object)s"),
    Verb.KIND_RULE_SAVED: _("menyimpan aturan jenis pengajuan %(object)s"),
}, legacy={"coverage_policy.changed": Verb.COVERAGE_POLICY_UPDATED, "coveragepolicy.deleted":
           Verb.COVERAGE_POLICY_DELETED, "fwawindow.deleted": Verb.FWA_WINDOW_DELETED})
