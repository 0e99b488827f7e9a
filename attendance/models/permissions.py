"""Partial-day permissions (izin terlambat, pulang cepat, meninggalkan kantor) and the TK
threshold notices of PP 94/2021."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PermissionKind(models.TextChoices):
    LATE = "TERLAMBAT", _("Izin terlambat")
    EARLY = "PULANG_CEPAT", _("Izin pulang cepat")
    LEAVE = "KELUAR", _("Izin meninggalkan kantor")


class PermissionStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Ditarik")


class PartialPermission(models.Model):
    """Asked by the employee, decided by the supervisor (or their Plh/Plt). Once approved it
    exempts the matching TL/PSW of that day: lateness until ``end_time`` (izin terlambat),
    early leave from ``start_time`` (izin pulang cepat), either one when an absence from the
    office covers the start or the end of the day (izin meninggalkan kantor)."""

    employee = models.ForeignKey("portal.Employee", on_delete=models.PROTECT, related_name="partial_permissions")
    date = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis izin"), max_length=12, choices=PermissionKind.choices)
    start_time = models.TimeField(_("dari jam"), null=True, blank=True)
    end_time = models.TimeField(_("sampai jam"), null=True, blank=True)
    reason = models.TextField(_("alasan"))
    status = models.CharField(max_length=10, choices=PermissionStatus.choices, default=PermissionStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    acting_for = models.CharField(max_length=255, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("izin sebagian hari")
        verbose_name_plural = _("izin sebagian hari")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date", "kind"],
                                    condition=Q(status__in=["pending", "approved"]),
                                    name="permission_one_active_per_kind"),
        ]
        indexes = [models.Index(fields=["employee", "date"], name="permission_employee_date")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.date} {self.kind} {self.status}"


class TkNoticeKind(models.TextChoices):
    CUMULATIVE = "cumulative", _("Jumlah TK setahun")
    CONSECUTIVE = "consecutive", _("TK 10 hari kerja berturut-turut")


class TkNotice(models.Model):
    """One notification per employee, calendar year and PP 94/2021 threshold (never twice)."""

    employee = models.ForeignKey("portal.Employee", on_delete=models.CASCADE, related_name="tk_notices")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=TkNoticeKind.choices)
    threshold = models.PositiveSmallIntegerField()
    days = models.PositiveSmallIntegerField()  # TK days counted when it was crossed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "year", "kind", "threshold"],
                                               name="tk_notice_once")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.year} {self.kind} {self.threshold}"
