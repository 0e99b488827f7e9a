"""The fair rota planner: each employee's weekday preferences, and a unit's proposed month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeekdayPreference(models.Model):
    """Weekdays the employee would like to work flexibly, and weekdays they cannot (entered by them)."""

    employee = models.OneToOneField("portal.Employee", on_delete=models.CASCADE, related_name="weekday_preference",
                                    verbose_name=_("pegawai"))
    preferred = models.JSONField(_("hari yang diinginkan"), default=list, blank=True)  # weekday numbers, Monday 0
    impossible = models.JSONField(_("hari yang tidak memungkinkan"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preferensi hari kerja fleksibel")
        verbose_name_plural = _("preferensi hari kerja fleksibel")

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.preferred} / {self.impossible}"


class RotaStatus(models.TextChoices):
    DRAFT = "draft", _("Usulan")
    PUBLISHING = "publishing", _("Sedang diterbitkan")  # a publish that stopped part-way resumes from here
    PUBLISHED = "published", _("Diterbitkan")


class RotaPlan(models.Model):
    """A proposed month for a unit (and optionally the units below it). ``cells`` holds the
    flexible days, ``{employee id: {ISO date: "WFH"|"WFA"}}`` (every other planned day is in the
    office); ``fairness`` the measure shown with it; ``outcome`` what publishing granted and refused."""

    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    month = models.DateField(_("bulan"))  # the first day of the month
    include_subunits = models.BooleanField(_("termasuk unit di bawahnya"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=RotaStatus.choices, default=RotaStatus.DRAFT)
    cells = models.JSONField(default=dict, blank=True)
    fairness = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rencana rota")
        verbose_name_plural = _("rencana rota")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "month"], name="rota_plan_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.status}"
