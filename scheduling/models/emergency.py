"""Emergency mode: HR declares, for chosen units (with their sub-units) and dates, a profile of
rules that overlays the normal ones while it is in force (see :mod:`scheduling.selectors.emergency`).

Nothing of the normal rules is changed by an emergency: the overlay is applied when the rules
of a unit and date are read, so when it ends (by its date, or early) the normal rules are back
exactly as they were.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmergencyProfile(models.TextChoices):
    ESSENTIAL_ONLY = "essential_only", _("Hanya jabatan esensial di kantor")
    CAPS_LIFTED = "caps_lifted", _("Batas hari fleksibel dicabut")
    WFH_AUTO = "wfh_auto", _("WFH/WFA disetujui otomatis")
    ALL_IN_OFFICE = "all_in_office", _("Semua pegawai di kantor")


class Emergency(models.Model):
    """A declared emergency: in force for ``units`` and everything below them from ``start``
    to ``last_day`` (``end`` as declared, or the day before HR ended it early)."""

    name = models.CharField(_("nama keadaan darurat"), max_length=200)
    legal_basis = models.CharField(_("dasar hukum (surat edaran)"), max_length=255)
    document_ref = models.CharField(_("nomor / tautan dokumen"), max_length=255, blank=True)
    profile = models.CharField(_("profil"), max_length=16, choices=EmergencyProfile.choices)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))
    last_day = models.DateField(_("berlaku sampai"))
    units = models.ManyToManyField("portal.Unit", verbose_name=_("unit"), related_name="emergencies")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_early_at = models.DateTimeField(_("diakhiri lebih awal"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("keadaan darurat")
        verbose_name_plural = _("keadaan darurat")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["last_day", "start"], name="emergency_in_force")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="emergency_end_after_start"),
            models.CheckConstraint(condition=Q(last_day__lte=models.F("end")), name="emergency_last_day_by_end"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start}–{self.last_day})"

    @property
    def ended_early(self) -> bool:
        return self.ended_early_at is not None
