"""Per-month freshness markers for recaps (issue 15.3).

A report must not show numbers computed from day statuses that are missing or not final. Asking
that per employee (expected rows against stored rows) costs a grouped scan of every day row of the
selection; the nightly pass already recomputes every employee of an institution, so it leaves one
row per institution and month saying "the day statuses of this tree are final up to ``through``".
A change that makes past rows stale (a records window or the calendar changed) pulls ``through``
back before the first affected day until a pass covers it again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecapFreshness(models.Model):
    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="+")  # an institution root
    month = models.DateField(_("bulan"))  # the first day of the month
    through = models.DateField(_("final sampai"))  # rows of [month, through] are final
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kesegaran rekap")
        verbose_name_plural = _("kesegaran rekap")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="recap_freshness_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.month:%Y-%m} ≤ {self.through}"
