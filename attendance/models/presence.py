"""Attendance: punches, bands, derived day status, corrections, export jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkMode(models.TextChoices):
    WFO = "WFO", _("WFO (di kantor)")
    WFH = "WFH", _("WFH")
    WFA = "WFA", _("WFA")
    OTHER_OFFICE = "KANTOR_LAIN", _("Kantor lain")


# The work mode a day's approved plan sets (no plan, or an absence: in the office).
MODE_BY_KIND = {"WFH": WorkMode.WFH, "WFA": WorkMode.WFA, "KANTOR_LAIN": WorkMode.OTHER_OFFICE}


class Source(models.TextChoices):
    WEB = "web", _("Halaman web")
    API = "api", _("API / perangkat")
    CORRECTION = "correction", _("Perbaikan")


class Punch(models.Model):
    """One employee's check-in and check-out on one local date. Never edited by a correction:
    an approved :class:`Correction` supersedes the times, the original stays here."""

    # No index of their own: (employee, date) and (unit, date) below lead with them (8 GB a month
    # at a million employees: docs/scaling.md), and every read and delete check uses those.
    employee = models.ForeignKey("portal.Employee", on_delete=models.PROTECT, related_name="punches",
                                 db_index=False)
    unit = models.ForeignKey("portal.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField(_("tanggal"))
    work_mode = models.CharField(_("mode kerja"), max_length=12, choices=WorkMode.choices, default=WorkMode.WFO)
    check_in_at = models.DateTimeField(_("jam masuk"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("jam pulang"), null=True, blank=True)
    in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    in_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    in_accuracy_m = models.FloatField(null=True, blank=True)
    in_distance_m = models.FloatField(null=True, blank=True)
    out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    out_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    out_accuracy_m = models.FloatField(null=True, blank=True)
    out_distance_m = models.FloatField(null=True, blank=True)
    flagged = models.BooleanField(_("ditandai"), default=False,
                                  help_text=_("Lokasi di luar radius kantor pada hari WFO, atau tidak diketahui."))
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.WEB)
    # Set by every tap, cleared once the day's status has been derived with it (the derivation
    # follows in batches: attendance.services.presence.derive_due_statuses). Its partial index
    # holds only the punches waiting, a few seconds' worth.
    status_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("presensi")
        verbose_name_plural = _("presensi")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="punch_employee_date")]
        indexes = [models.Index(fields=["unit", "date"], name="punch_unit_date"),
                   models.Index(fields=["status_due_at"], condition=models.Q(status_due_at__isnull=False),
                                name="punch_status_due")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.date}"


class DayStatus(models.Model):
    """Derived status of one employee on one scheduled day (or holiday, or a day punched off
    schedule), recomputed on change — never inside a closed month, never outside the person's
    records window."""

    # Covered by (employee, date) and (unit, date) below, as for Punch.
    employee = models.ForeignKey("portal.Employee", on_delete=models.CASCADE, related_name="day_statuses",
                                 db_index=False)
    unit = models.ForeignKey("portal.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField()
    code = models.CharField(_("status"), max_length=12, db_index=True)
    work_mode = models.CharField(max_length=12, blank=True)
    absence_kind = models.CharField(max_length=12, blank=True)
    tl_level = models.PositiveSmallIntegerField(null=True, blank=True)
    tl_minutes = models.PositiveIntegerField(default=0)
    psw_level = models.PositiveSmallIntegerField(null=True, blank=True)
    psw_minutes = models.PositiveIntegerField(default=0)
    missing_in = models.BooleanField(default=False)
    missing_out = models.BooleanField(default=False)
    deduction_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    note = models.CharField(max_length=255, blank=True)
    # Which rules produced this row (WorkPattern and AttendanceRules ids; None = the built-in
    # defaults), so a report can say what each number was computed under.
    pattern_version = models.PositiveIntegerField(null=True, blank=True)
    rules_version = models.PositiveIntegerField(null=True, blank=True)
    shift_code = models.CharField(max_length=10, blank=True)
    holiday_duty = models.BooleanField(default=False)  # rostered on a holiday or cuti bersama
    off_schedule = models.BooleanField(default=False)  # punched on a day without a schedule
    implausible = models.BooleanField(default=False)  # punches below the minimum stay / after the latest check-in
    permission = models.CharField(max_length=40, blank=True)  # approved partial-day permissions, comma-joined
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("status hari")
        verbose_name_plural = _("status hari")
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="day_status_employee_date")]
        indexes = [models.Index(fields=["unit", "date"], name="day_status_unit_date")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.date}: {self.code}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Ditarik")


def correction_evidence_path(instance, filename):
    return f"corrections/{instance.employee_id}/{filename}"


class Correction(models.Model):
    """Usul perbaikan presensi: proposed times for a day, decided by the supervisor (or set by HR)."""

    employee = models.ForeignKey("portal.Employee", on_delete=models.PROTECT, related_name="corrections")
    date = models.DateField(_("tanggal"))
    check_in_at = models.DateTimeField(_("jam masuk yang benar"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("jam pulang yang benar"), null=True, blank=True)
    reason = models.TextField(_("alasan"))
    evidence = models.FileField(_("bukti"), upload_to=correction_evidence_path, blank=True)
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    acting_for = models.CharField(max_length=255, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("usul perbaikan presensi")
        verbose_name_plural = _("usul perbaikan presensi")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], condition=Q(status="pending"),
                                    name="correction_one_pending_per_day"),
            models.CheckConstraint(condition=Q(check_in_at__isnull=False) | Q(check_out_at__isnull=False),
                                   name="correction_changes_something"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.date} {self.status}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ExportJob(models.Model):
    """A report export run by a worker; the file is served only to its owner while in scope."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    report = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    format = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds while a worker runs the job: a running job whose heartbeat stopped
    # had its worker die, and the sweep runs it again (or fails it, with a message the user sees).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.report} {self.format} {self.status}"
