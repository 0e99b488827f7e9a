"""Work calendar data: per-institution holiday overrides, working hours, Ramadan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    HOLIDAY = "holiday", _("Tambah hari libur (mis. libur daerah)")
    CUTI_BERSAMA = "cuti_bersama", _("Tambah cuti bersama")
    WORKING_DAY = "working_day", _("Jadikan hari kerja (hapus/pindahkan libur)")
    FWA_DAY = "fwa_day", _("Hari kerja fleksibel (surat edaran KemenPAN-RB)")


class CalendarOverride(models.Model):
    """HR's change to the national calendar for one institution (or nationally if none).

    Moving a holiday is two rows: ``working_day`` on the old date and ``holiday`` on
    the new one.
    """

    institution = models.ForeignKey(
        "portal.Unit", verbose_name=_("instansi"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="calendar_overrides", help_text=_("Kosong = berlaku nasional."),
        limit_choices_to={"parent__isnull": True},
    )
    date = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis"), max_length=20, choices=OverrideKind.choices)
    name = models.CharField(_("keterangan"), max_length=200)

    class Meta:
        verbose_name = _("penyesuaian kalender")
        verbose_name_plural = _("penyesuaian kalender")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "date"], name="calendar_override_unique_day"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(institution__isnull=True), name="calendar_override_unique_national_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class WorkingHours(models.Model):
    """An institution's hours for one weekday. With no rows, Perpres 21/2023 applies."""

    institution = models.ForeignKey(
        "portal.Unit", verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="working_hours",
        limit_choices_to={"parent__isnull": True},
    )
    weekday = models.PositiveSmallIntegerField(
        _("hari"), choices=[(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")),
                            (4, _("Jumat")), (5, _("Sabtu")), (6, _("Minggu"))]
    )
    start = models.TimeField(_("jam masuk"))
    end = models.TimeField(_("jam pulang"))
    break_minutes = models.PositiveSmallIntegerField(_("istirahat (menit)"), default=60)

    class Meta:
        verbose_name = _("jam kerja")
        verbose_name_plural = _("jam kerja")
        ordering = ["institution", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "weekday"], name="working_hours_unique_weekday"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="working_hours_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class RamadanPeriod(models.Model):
    """Dates of Ramadan hours (start 08:00, 32.5 h/week), nationally or per institution."""

    institution = models.ForeignKey(
        "portal.Unit", verbose_name=_("instansi"), null=True, blank=True, on_delete=models.CASCADE,
        help_text=_("Kosong = berlaku nasional."), limit_choices_to={"parent__isnull": True},
    )
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))
    start_time = models.TimeField(_("jam masuk"), default="08:00")
    end_time = models.TimeField(_("jam pulang Senin–Kamis"), default="15:00")
    friday_end_time = models.TimeField(_("jam pulang Jumat"), default="15:30")
    break_minutes = models.PositiveSmallIntegerField(_("istirahat Senin–Kamis (menit)"), default=30)
    friday_break_minutes = models.PositiveSmallIntegerField(_("istirahat Jumat (menit)"), default=60)

    class Meta:
        verbose_name = _("periode Ramadan")
        verbose_name_plural = _("periode Ramadan")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="ramadan_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Ramadan {self.start}–{self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
