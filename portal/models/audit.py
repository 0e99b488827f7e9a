"""The append-only audit trail every service writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guarded by tests
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One state change: who, acting for whom, did what to which object, before/after."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pelaku"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    acting_for = models.CharField(
        _("atas nama"), max_length=255, blank=True,
        help_text=_("Mis. \"Plh. Kepala Dinas Kesehatan\" saat keputusan diambil oleh Plh/Plt."),
    )
    verb = models.CharField(_("aksi"), max_length=64, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=64, db_index=True)
    object_id = models.CharField(_("id objek"), max_length=64, db_index=True)
    object_repr = models.CharField(_("objek"), max_length=255)
    unit = models.ForeignKey(
        "portal.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Unit tempat perubahan terjadi, untuk cakupan admin kepegawaian."),
    )
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
