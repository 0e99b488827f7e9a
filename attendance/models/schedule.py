"""Shifts and the roster: who works which shift on which day, in units that work in shifts.

A :class:`Shift` is defined on a unit and may be used by anyone in its subtree. A
:class:`RosterEntry` decides one person's day and wins over the unit's weekly pattern: with a
shift they work it (on a holiday or cuti bersama too: holiday duty), with none they are off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Shift(models.Model):
    unit = models.ForeignKey("portal.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="shifts")
    code = models.CharField(_("kode"), max_length=10, help_text=_("Singkat, tampil di jadwal: P, S, M, PG."))
    name = models.CharField(_("nama"), max_length=100)
    start = models.TimeField(_("mulai"))
    end = models.TimeField(_("selesai"))
    ends_next_day = models.BooleanField(_("selesai keesokan hari"), default=False)
    break_minutes = models.PositiveSmallIntegerField(_("istirahat (menit)"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shift")
        ordering = ["unit", "start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="shift_unit_code"),
            # At most 24 hours: a same-day shift ends after it starts, an overnight one at or
            # before its start time.
            models.CheckConstraint(condition=Q(ends_next_day=False, end__gt=models.F("start"))
                                   | Q(ends_next_day=True, end__lte=models.F("start")), name="shift_at_most_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.start:%H:%M}–{self.end:%H:%M}"


class RosterEntry(models.Model):
    employee = models.ForeignKey("portal.Employee", on_delete=models.CASCADE, related_name="roster")
    date = models.DateField(_("tanggal"))
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="entries", help_text=_("Kosong = libur (tidak dinas)."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jadwal dinas")
        verbose_name_plural = _("jadwal dinas")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="roster_employee_date")]
        indexes = [models.Index(fields=["date", "employee"], name="roster_date_employee")]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.date}: {self.shift.code if self.shift_id else 'L'}"
