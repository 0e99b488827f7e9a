"""An institution's attendance rules over time: plausibility, deductions and the TL/PSW bands.

Each :class:`AttendanceRules` row applies from its ``effective_from`` until the next row of the
same institution; a day status is always computed with the version in force on its date, and
records which one (``DayStatus.rules_version``). With no row, the built-in defaults apply
(:data:`attendance.rules.DEFAULT_RULES`): band edges without deductions, and a prompt to HR.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImplausibleStatus(models.TextChoices):
    TK = "TK", _("Tanpa keterangan (TK)")
    MAX = "MAX", _("Hadir dengan TL dan PSW tingkat tertinggi")
    REVIEW = "TINJAU", _("Perlu ditinjau (tidak dihitung hadir maupun TK sampai diperbaiki)")


class AttendanceRules(models.Model):
    institution = models.ForeignKey("portal.Unit", verbose_name=_("instansi"), on_delete=models.CASCADE,
                                    related_name="attendance_rules", limit_choices_to={"parent__isnull": True})
    effective_from = models.DateField(_("berlaku mulai"))
    min_stay_minutes = models.PositiveSmallIntegerField(
        _("lama minimal di kantor (menit)"), default=60,
        help_text=_("Presensi masuk dan pulang yang berjarak kurang dari ini bukan hari kerja."))
    latest_check_in_minutes = models.PositiveSmallIntegerField(
        _("batas presensi masuk (menit sesudah jam masuk)"), null=True, blank=True,
        help_text=_("Kosong = sampai jam pulang. Presensi masuk sesudahnya bukan hari kerja."))
    implausible_status = models.CharField(_("status presensi tidak wajar"), max_length=8,
                                          choices=ImplausibleStatus.choices, default=ImplausibleStatus.TK)
    tk_deduction_percent = models.DecimalField(_("potongan per hari TK (%)"), max_digits=5, decimal_places=2,
                                               null=True, blank=True, help_text=_("Kosong = belum diatur."))
    daily_cap_percent = models.DecimalField(_("batas potongan per hari (%)"), max_digits=5, decimal_places=2,
                                            null=True, blank=True, help_text=_("Kosong = tanpa batas."))
    legal_basis = models.CharField(
        _("dasar hukum"), max_length=255, blank=True,
        help_text=_("Peraturan yang menetapkan potongan ini, mis. Perbup No. 12 Tahun 2025."))
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aturan presensi")
        verbose_name_plural = _("aturan presensi")
        ordering = ["institution", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "effective_from"], name="attendance_rules_effective_from"),
            models.CheckConstraint(condition=Q(tk_deduction_percent__isnull=True)
                                   | Q(tk_deduction_percent__gte=0, tk_deduction_percent__lte=100),
                                   name="attendance_rules_tk_percent"),
            models.CheckConstraint(condition=Q(daily_cap_percent__isnull=True)
                                   | Q(daily_cap_percent__gte=0, daily_cap_percent__lte=100),
                                   name="attendance_rules_cap_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.effective_from}"


class BandKind(models.TextChoices):
    TL = "TL", _("Terlambat (TL)")
    PSW = "PSW", _("Pulang sebelum waktunya (PSW)")


class Band(models.Model):
    """A lateness / early-leave band of one rules version and its allowance deduction."""

    rules = models.ForeignKey(AttendanceRules, on_delete=models.CASCADE, related_name="bands")
    kind = models.CharField(max_length=3, choices=BandKind.choices)
    level = models.PositiveSmallIntegerField(_("tingkat"))
    from_minute = models.PositiveIntegerField(_("dari menit ke-"))
    to_minute = models.PositiveIntegerField(_("sampai menit ke-"), null=True, blank=True,
                                            help_text=_("Kosong = tanpa batas atas."))
    deduction_percent = models.DecimalField(_("potongan (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                            help_text=_("Kosong = belum diatur."))

    class Meta:
        verbose_name = _("pita TL/PSW")
        verbose_name_plural = _("pita TL/PSW")
        ordering = ["rules", "kind", "level"]
        constraints = [models.UniqueConstraint(fields=["rules", "kind", "level"], name="band_unique_level")]

    def __str__(self) -> str:
        return f"{self.kind}{self.level}"
