"""Leave (cuti) as HR keeps it: who grants which kind in an institution, which document each kind
needs, and the annual-leave balance (the opening HR sets, and audited adjustments).

The arithmetic lives in :mod:`scheduling.leave_rules` (pure); the reads in
:mod:`scheduling.selectors.leave`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .requests import Kind


class DocumentRule(models.TextChoices):
    NONE = "none", _("Tidak perlu")
    AFTER_FIRST_DAY = "after_first_day", _("Wajib bila lebih dari 1 hari")
    ALWAYS = "always", _("Selalu wajib")


class LeaveSettings(models.Model):
    """An institution's leave administration: the official who grants leave (the *pejabat yang
    berwenang memberikan cuti*, PP 11/2017 Pasal 340–341) and the first year the portal keeps
    balances for (earlier years are brought in as HR's opening balances)."""

    institution = models.OneToOneField("portal.Unit", verbose_name=_("instansi"), on_delete=models.CASCADE,
                                       related_name="leave_settings")
    official = models.ForeignKey("portal.Employee", verbose_name=_("pejabat yang berwenang memberikan cuti"),
                                 null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    first_year = models.PositiveSmallIntegerField(_("tahun pertama saldo cuti di portal"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaturan cuti")
        verbose_name_plural = _("pengaturan cuti")

    def __str__(self) -> str:
        return str(self.institution)


class KindRule(models.Model):
    """An institution's setting for one kind: whether the official decides after the atasan
    langsung, and which document a request needs. Kinds without a row use the defaults in
    :data:`scheduling.leave_rules.DEFAULT_KIND_RULES`."""

    institution = models.ForeignKey("portal.Unit", verbose_name=_("instansi"), on_delete=models.CASCADE,
                                    related_name="+")
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    needs_official = models.BooleanField(_("diputus pejabat yang berwenang setelah atasan langsung"))
    document = models.CharField(_("dokumen pendukung"), max_length=16, choices=DocumentRule.choices)
    document_label = models.CharField(_("nama dokumen"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aturan jenis pengajuan")
        verbose_name_plural = _("aturan jenis pengajuan")
        constraints = [models.UniqueConstraint(fields=["institution", "kind"], name="kind_rule_unique")]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.kind}"


class LeaveOpening(models.Model):
    """The cuti tahunan an employee has at the start of a year, as HR's records say (carry-over
    included). Set for the portal's first year, or to correct a later year."""

    employee = models.ForeignKey("portal.Employee", verbose_name=_("pegawai"), on_delete=models.CASCADE,
                                 related_name="leave_openings")
    year = models.PositiveSmallIntegerField(_("tahun"))
    days = models.PositiveSmallIntegerField(_("hak cuti tahunan (hari kerja)"))
    note = models.CharField(_("keterangan"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saldo awal cuti tahunan")
        verbose_name_plural = _("saldo awal cuti tahunan")
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="leave_opening_unique"),
            models.CheckConstraint(condition=Q(days__lte=48), name="leave_opening_at_most_48"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.year}: {self.days}"


class LeaveAdjustment(models.Model):
    """A correction of one year's cuti tahunan by HR, with its reason (e.g. days of duty on cuti
    bersama, PP 11/2017 Pasal 333 ayat 3). Positive adds days, negative removes them."""

    employee = models.ForeignKey("portal.Employee", verbose_name=_("pegawai"), on_delete=models.CASCADE,
                                 related_name="leave_adjustments")
    year = models.PositiveSmallIntegerField(_("tahun"))
    days = models.SmallIntegerField(_("perubahan (hari kerja)"))
    reason = models.CharField(_("alasan"), max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("penyesuaian cuti tahunan")
        verbose_name_plural = _("penyesuaian cuti tahunan")
        ordering = ["year", "created_at"]
        indexes = [models.Index(fields=["employee", "year"], name="leave_adjustment_emp_year")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.year}: {self.days:+d}"
