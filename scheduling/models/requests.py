"""Requests: what an employee asked for, one row per working day, and the unit-day lock rows."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WFH = "WFH", _("WFH (kerja dari rumah)")
    WFA = "WFA", _("WFA (kerja dari lokasi lain)")
    OTHER_OFFICE = "KANTOR_LAIN", _("Kantor lain instansi")
    CT = "CT", _("Cuti tahunan")
    CB = "CB", _("Cuti besar")
    CS = "CS", _("Cuti sakit")
    CM = "CM", _("Cuti melahirkan")
    CAP = "CAP", _("Cuti karena alasan penting")
    CLTN = "CLTN", _("Cuti di luar tanggungan negara")
    IZIN = "IZIN", _("Izin")
    SAKIT = "SAKIT", _("Sakit")
    DL = "DL", _("Dinas luar")
    DIKLAT = "DIKLAT", _("Diklat / tugas belajar")


FLEXIBLE_KINDS = frozenset({Kind.WFH, Kind.WFA, Kind.OTHER_OFFICE})
ABSENCE_KINDS = frozenset(set(Kind) - FLEXIBLE_KINDS)
CUTI_KINDS = frozenset({Kind.CT, Kind.CB, Kind.CS, Kind.CM, Kind.CAP, Kind.CLTN})
PPPK_LEAVE_KINDS = frozenset({Kind.CT, Kind.CS, Kind.CM})  # plus cuti bersama, which is a calendar day


class Step(models.TextChoices):
    """Who a pending day waits for."""

    SUPERVISOR = "supervisor", _("Atasan langsung")
    OFFICIAL = "official", _("Pejabat yang berwenang memberikan cuti")


class Status(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Ditarik")
    CANCELLED = "cancelled", _("Dibatalkan")
    EXPIRED = "expired", _("Kedaluwarsa")


ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED)


class WorkRequest(models.Model):
    """What the employee asked for: a kind over one or more days (see :class:`RequestDay`)."""

    employee = models.ForeignKey("portal.Employee", verbose_name=_("pegawai"), on_delete=models.PROTECT,
                                 related_name="work_requests")
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    location = models.CharField(_("lokasi kerja"), max_length=255, blank=True)
    other_office = models.ForeignKey("portal.Unit", verbose_name=_("kantor tujuan"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("alasan / keterangan"), blank=True)
    special_circumstance = models.BooleanField(_("keadaan khusus"), default=False)
    work_plan = models.TextField(_("rencana kerja"), blank=True)
    expected_outputs = models.TextField(_("target keluaran"), blank=True)
    justification = models.TextField(_("justifikasi atas peringatan"), blank=True)
    # Leave taken abroad is reserved to the definitive official (SE BKN 1/SE/I/2021).
    abroad = models.BooleanField(_("dijalani di luar negeri"), default=False)
    child_order = models.PositiveSmallIntegerField(_("kelahiran anak ke-"), null=True, blank=True)
    # The published rota that created it (a publish that stopped part-way knows what it already did).
    rota_plan = models.ForeignKey("scheduling.RotaPlan", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pengajuan")
        verbose_name_plural = _("pengajuan")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.employee.name}"

    def clean(self) -> None:
        if self.kind == Kind.WFA and not self.location.strip():
            raise ValidationError({"location": _("Lokasi WFA wajib diisi.")})
        if self.kind == Kind.OTHER_OFFICE and not self.other_office_id:
            raise ValidationError({"other_office": _("Pilih kantor tujuan.")})
        if self.special_circumstance:
            missing = {}
            if not self.reason.strip():
                missing["reason"] = _("Keadaan khusus wajib disertai alasan.")
            if not self.work_plan.strip():
                missing["work_plan"] = _("Keadaan khusus wajib disertai rencana kerja.")
            if not self.expected_outputs.strip():
                missing["expected_outputs"] = _("Keadaan khusus wajib disertai target keluaran.")
            if missing:
                raise ValidationError(missing)


def evidence_path(instance, filename):
    return f"evidence/{instance.request_id}/{filename}"


class Evidence(models.Model):
    request = models.ForeignKey(WorkRequest, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("berkas"), upload_to=evidence_path)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bukti pendukung")
        verbose_name_plural = _("bukti pendukung")

    def __str__(self) -> str:
        return self.file.name


class RequestDay(models.Model):
    """One working day of a request, decided on its own."""

    request = models.ForeignKey(WorkRequest, on_delete=models.CASCADE, related_name="days")
    # Denormalised from the request so coverage and caps are single indexed queries.
    # No index of their own: (employee, date) and (unit, date, status) below lead with them, and
    # every read and delete check uses those (one index less to write per saved day).
    employee = models.ForeignKey("portal.Employee", on_delete=models.PROTECT, related_name="request_days",
                                 db_index=False)
    unit = models.ForeignKey("portal.Unit", on_delete=models.PROTECT, related_name="request_days", db_index=False)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("tanggal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verdicts = models.JSONField(_("hasil pemeriksaan"), default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    acting_for = models.CharField(_("atas nama"), max_length=255, blank=True)
    decision_reason = models.TextField(_("alasan keputusan"), blank=True)
    auto_approved = models.BooleanField(default=False)
    # The emergency in force for the unit and date when the day was decided (its rules applied).
    emergency = models.ForeignKey("scheduling.Emergency", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="decided_days", verbose_name=_("diputus dalam keadaan darurat"))
    # Two-step leave: the atasan langsung's consideration, then the official's decision.
    awaiting = models.CharField(_("menunggu"), max_length=10, choices=Step.choices, default=Step.SUPERVISOR)
    official = models.ForeignKey("portal.Employee", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("pejabat yang memutus"))
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    endorsed_at = models.DateTimeField(null=True, blank=True)
    endorsed_acting_for = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("hari pengajuan")
        verbose_name_plural = _("hari pengajuan")
        ordering = ["date"]
        constraints = [
            # One live plan per person per day: a second WFH for the same day is refused by the DB too.
            models.UniqueConstraint(fields=["employee", "date"], condition=Q(status__in=["pending", "approved"]),
                                    name="request_day_one_active_per_employee_day"),
        ]
        indexes = [
            models.Index(fields=["unit", "date", "status"], name="request_day_unit_date"),
            models.Index(fields=["employee", "date"], name="request_day_employee_date"),
            models.Index(fields=["status", "date"], name="request_day_status_date"),
            models.Index(fields=["official", "status"], name="request_day_official",
                         condition=Q(status="pending", awaiting="official")),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.employee_id} {self.status}"

    @property
    def is_flexible(self) -> bool:
        return self.kind in FLEXIBLE_KINDS


class UnitDay(models.Model):
    """Lock row for one unit on one date: approvals of that unit-day serialize on it."""

    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    # Bumped by every change to the unit's plan that day; staffing recomputes rows changed since.
    changed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="unit_day_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.date}"
