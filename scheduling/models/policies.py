"""Coverage policies (effective-dated, inherited down the unit tree) and FWA windows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    BLOCK = "block", _("Tolak jika melanggar")
    WARN = "warn", _("Peringatkan, wajib justifikasi")
    INFORM = "inform", _("Informasi saja")


class CoveragePolicy(models.Model):
    """A unit's office-coverage rules from a date on. Empty fields inherit from the parent unit."""

    unit = models.ForeignKey("portal.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="coverage_policies")
    effective_from = models.DateField(_("berlaku mulai"))
    min_office_share = models.PositiveSmallIntegerField(
        _("minimal hadir di kantor (%)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    min_office_headcount = models.PositiveIntegerField(_("minimal jumlah orang di kantor"), null=True, blank=True)
    weekday_min_share = models.JSONField(
        _("minimal hadir per hari (%)"), null=True, blank=True,
        help_text=_('Mis. {"0": 90, "4": 60} untuk Senin 90% dan Jumat 60%.'))
    weekly_cap = models.PositiveSmallIntegerField(_("maks. hari fleksibel per minggu"), null=True, blank=True,
                                                  validators=[MaxValueValidator(7)])
    monthly_cap = models.PositiveSmallIntegerField(_("maks. hari fleksibel per bulan"), null=True, blank=True,
                                                   validators=[MaxValueValidator(31)])
    mandatory_weekdays = models.JSONField(_("hari wajib di kantor"), null=True, blank=True,
                                          help_text=_("Daftar hari: 0=Senin … 4=Jumat."))
    blackout_dates = models.JSONField(_("tanggal wajib di kantor"), null=True, blank=True,
                                      help_text=_('Daftar tanggal "YYYY-MM-DD".'))
    exclude_disciplinary = models.BooleanField(_("kecualikan pegawai yang dihukum disiplin"), null=True, blank=True)
    min_months_since_placement = models.PositiveSmallIntegerField(
        _("minimal bulan sejak penempatan"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, blank=True)
    count_pending = models.BooleanField(_("hitung pengajuan yang belum diputus"), null=True, blank=True)
    note = models.CharField(_("dasar / catatan"), max_length=255, blank=True)
    legal_basis = models.CharField(
        _("dasar hukum penyimpangan"), max_length=255, blank=True,
        help_text=_("Wajib bila batas mingguan melebihi 2 hari (Permen PANRB 4/2025): keputusan yang mendasarinya."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aturan kehadiran")
        verbose_name_plural = _("aturan kehadiran")
        ordering = ["unit", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="coverage_policy_unique_start"),
            models.CheckConstraint(condition=Q(min_office_share__lte=100) | Q(min_office_share__isnull=True),
                                   name="coverage_policy_share_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ≥ {self.effective_from}"


class EssentialPosition(models.Model):
    """At least ``min_in_office`` holders of a jabatan in the unit must stay in the office."""

    policy = models.ForeignKey(CoveragePolicy, on_delete=models.CASCADE, related_name="essential_positions")
    jabatan = models.CharField(_("jabatan"), max_length=200)
    min_in_office = models.PositiveSmallIntegerField(_("minimal di kantor"), default=1)

    class Meta:
        verbose_name = _("jabatan esensial")
        verbose_name_plural = _("jabatan esensial")

    def __str__(self) -> str:
        return f"{self.jabatan} ≥ {self.min_in_office}"


class FwaWindow(models.Model):
    """KemenPAN-RB flexible-work days: WFH/WFA in these dates are approved automatically
    while every coverage rule still holds."""

    name = models.CharField(_("dasar (surat edaran)"), max_length=255)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))
    units = models.ManyToManyField("portal.Unit", verbose_name=_("unit"), related_name="fwa_windows")
    include_subunits = models.BooleanField(_("termasuk sub-unit"), default=True)
    lifts_caps = models.BooleanField(_("bebaskan dari batas hari fleksibel"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("jendela FWA")
        verbose_name_plural = _("jendela FWA")
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="fwa_end_after_start")]

    def __str__(self) -> str:
        return f"{self.name} ({self.start}–{self.end})"
