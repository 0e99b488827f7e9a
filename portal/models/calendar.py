"""Work calendar data: holiday overrides, working patterns per unit, Ramadan, closed months."""

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


WEEKDAYS = [(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")), (4, _("Jumat")),
            (5, _("Sabtu")), (6, _("Minggu"))]


class PatternKind(models.TextChoices):
    WEEKLY = "weekly", _("Pekan kerja tetap (5 atau 6 hari)")
    SHIFT = "shift", _("Shift menurut jadwal dinas (roster)")


class WorkPattern(models.Model):
    """A unit's working week from a date: which weekdays, what hours, and an optional flexible
    start window. It applies to the unit and every unit below it that has no pattern of its own
    on that date; with none up the tree, Perpres 21/2023 applies (Mon–Fri, 37.5 h).

    A later row of the same unit replaces it from its ``effective_from``: the days before keep
    the hours they were worked under (status history is never rewritten by a new pattern).
    In a ``shift`` unit a roster entry (attendance) decides each person's day; the weekdays
    here are the hours of those not on the roster.
    """

    unit = models.ForeignKey("portal.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="work_patterns")
    effective_from = models.DateField(_("berlaku mulai"))
    kind = models.CharField(_("jenis pola"), max_length=10, choices=PatternKind.choices, default=PatternKind.WEEKLY)
    flex_until = models.TimeField(
        _("batas akhir jam masuk fleksibel"), null=True, blank=True,
        help_text=_("Kosong = tanpa jam fleksibel. Misalnya jam masuk 07.00 dan batas 08.30: terlambat dihitung "
                    "sesudah 08.30, jam pulang = jam datang + lama hari kerja (Permen PANRB 4/2025)."))
    note = models.CharField(_("keterangan / dasar"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pola hari kerja")
        verbose_name_plural = _("pola hari kerja")
        ordering = ["unit", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="work_pattern_unit_effective_from"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.effective_from}"


class WorkPatternDay(models.Model):
    """One working weekday of a :class:`WorkPattern` and its hours (local time of the unit)."""

    pattern = models.ForeignKey(WorkPattern, on_delete=models.CASCADE, related_name="days")
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=WEEKDAYS)
    start = models.TimeField(_("jam masuk"))
    end = models.TimeField(_("jam pulang"))
    break_minutes = models.PositiveSmallIntegerField(_("istirahat (menit)"), default=60)

    class Meta:
        verbose_name = _("jam kerja")
        verbose_name_plural = _("jam kerja")
        ordering = ["pattern", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "weekday"], name="work_pattern_day_unique_weekday"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="work_pattern_day_end_after_start"),
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


class MonthClosure(models.Model):
    """Tutup buku: HR closed a month's attendance for a unit and everything below it.

    While a closure is in force (``reopened_at`` is empty) the day statuses of that month in that
    subtree never change by themselves: recomputation skips them and writes that would change them
    (rules, rosters, permissions, corrections, calendar days) are refused. Reopening keeps the row
    (with who, when and why) so the history of closings stays readable; closing again adds a row.
    ``closed_at`` is set when the closing pass (a final recompute) finished.
    """

    unit = models.ForeignKey("portal.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="month_closures")
    month = models.DateField(_("bulan"), help_text=_("Hari pertama bulan."))
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    reopened_at = models.DateTimeField(_("dibuka kembali pada"), null=True, blank=True)
    reopened_by = models.ForeignKey("portal.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reopen_reason = models.TextField(_("alasan dibuka kembali"), blank=True)

    class Meta:
        verbose_name = _("tutup buku presensi")
        verbose_name_plural = _("tutup buku presensi")
        ordering = ["-month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], condition=Q(reopened_at__isnull=True),
                                    name="month_closure_one_in_force"),
            models.CheckConstraint(condition=Q(month__day=1), name="month_closure_first_of_month"),
        ]
        indexes = [models.Index(fields=["month", "reopened_at"], name="month_closure_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"

    @property
    def in_force(self) -> bool:
        return self.reopened_at is None
