"""Daily staffing per unit: the dataset the dashboard, the API and early warnings read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Absence kinds from scheduling.models.Kind, one column each (kept as plain names so
# attendance does not depend on scheduling's models module at import time).
ABSENCE_COLUMNS = {
    "CT": "cuti_ct", "CB": "cuti_cb", "CS": "cuti_cs", "CM": "cuti_cm", "CAP": "cuti_cap", "CLTN": "cuti_cltn",
    "IZIN": "izin", "SAKIT": "sakit", "DL": "dinas_luar", "DIKLAT": "diklat",
}


class StaffingStatus(models.TextChoices):
    OK = "ok", _("Aman")
    AT_RISK = "at_risk", _("Rawan")
    BELOW = "below", _("Di bawah minimum")


class StaffingSnapshot(models.Model):
    """Headcount and where people are, for one unit on one working day (approved plans)."""

    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="staffing")
    date = models.DateField(_("tanggal"))
    headcount = models.PositiveIntegerField(_("jumlah pegawai"))
    in_office = models.IntegerField(_("di kantor"))
    wfh = models.PositiveIntegerField(default=0)
    wfa = models.PositiveIntegerField(default=0)
    other_office = models.PositiveIntegerField(_("kantor lain"), default=0)
    cuti_ct = models.PositiveIntegerField(default=0)
    cuti_cb = models.PositiveIntegerField(default=0)
    cuti_cs = models.PositiveIntegerField(default=0)
    cuti_cm = models.PositiveIntegerField(default=0)
    cuti_cap = models.PositiveIntegerField(default=0)
    cuti_cltn = models.PositiveIntegerField(default=0)
    izin = models.PositiveIntegerField(default=0)
    sakit = models.PositiveIntegerField(default=0)
    dinas_luar = models.PositiveIntegerField(default=0)
    diklat = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(_("menunggu persetujuan"), default=0)
    minimum = models.PositiveIntegerField(_("minimal di kantor"))
    status = models.CharField(_("status"), max_length=8, choices=StaffingStatus.choices)
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("tingkat kehadiran harian")
        verbose_name_plural = _("tingkat kehadiran harian")
        ordering = ["unit", "date"]
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="staffing_unit_date")]
        indexes = [models.Index(fields=["date", "status"], name="staffing_date_status")]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.date}: {self.in_office}/{self.headcount} (min {self.minimum})"


class StaffingAlert(models.Model):
    """The early warning already sent for a unit-day; re-sent only if it gets worse."""

    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    in_office = models.IntegerField()
    minimum = models.PositiveIntegerField()
    notified_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="staffing_alert_unit_date")]

    def __str__(self) -> str:
        return f"alert {self.unit_id}@{self.date}: {self.in_office}<{self.minimum}"


class UnitStaffChange(models.Model):
    """A unit whose staff changed (someone added, moved or (de)activated, as by an import): its
    staffing snapshots are recomputed over the nightly window by the next refresh. Written in the
    transaction of the change, so a rolled-back import leaves nothing to do and a lost message
    leaves the row for the minute-by-minute refresh."""

    unit = models.OneToOneField("portal.Unit", on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"staff of {self.unit_id} changed {self.changed_at:%Y-%m-%d %H:%M}"
