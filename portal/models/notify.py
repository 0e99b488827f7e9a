"""Notifications: one row per recipient and event, both the in-app message and the email outbox.

A row is written in the same transaction as the change that causes it. ``key`` is unique,
so a retried task or a re-run reminder cannot create a second row for the same event and
recipient; delivery claims a row with a conditional UPDATE, so two workers never both send it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailState(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")
    SKIPPED = "skipped", _("Tidak dikirim (tanpa email)")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("penerima"), on_delete=models.CASCADE,
                                  related_name="notifications")
    key = models.CharField(_("kunci peristiwa"), max_length=200, unique=True,
                           help_text=_("Peristiwa + penerima; mencegah pesan ganda."))
    kind = models.CharField(_("jenis"), max_length=40, db_index=True)
    params = models.JSONField(_("data"), default=dict, blank=True)
    link = models.CharField(_("tautan"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    email_state = models.CharField(_("status email"), max_length=10, choices=EmailState.choices,
                                   default=EmailState.PENDING, db_index=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
