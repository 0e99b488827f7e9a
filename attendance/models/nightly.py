"""The nightly day-status pass as bounded batches that several workers share.

One :class:`NightlyRun` per night; its :class:`NightlyBatch` rows (one institution, one range of
employee ids) are all created up front, in the transaction that enqueues them. A batch is done when
its task marks it so in its own transaction; the completion that leaves none of its institution
pending writes the institution's recap freshness, the one that leaves none of the run pending
finishes the run (the TK thresholds check follows once). A lost or dead batch stays pending, so the
sweep sends it again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NightlyRun(models.Model):
    day = models.DateField(_("tanggal"), unique=True)  # the server's date the pass ran for
    start = models.DateField()
    end = models.DateField()
    began_at = models.DateTimeField()  # before any batch read: the recap freshness' computed_at
    finished_at = models.DateTimeField(null=True, blank=True)  # every batch done
    tk_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hitung ulang malam")
        verbose_name_plural = _("hitung ulang malam")

    def __str__(self) -> str:
        return f"{self.day} [{self.start}, {self.end}]"


class NightlyBatch(models.Model):
    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="batches")
    institution = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, related_name="+")
    first_employee = models.BigIntegerField()  # the employee ids of [first, last] in that institution
    last_employee = models.BigIntegerField()
    sent_at = models.DateTimeField()  # the last time its message was sent (the sweep's clock)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("kelompok hitung ulang malam")
        verbose_name_plural = _("kelompok hitung ulang malam")
        indexes = [models.Index(fields=["run", "institution"], condition=models.Q(done_at__isnull=True),
                                name="nightly_batch_pending")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.institution_id}: {self.first_employee}–{self.last_employee}"
