"""Calendar feed tokens: a private iCalendar address per person and feed (own plan, team presence).

Only a SHA-256 of the secret is stored, so whoever reads the database (a backup, the admin) cannot
subscribe to anybody's calendar; the secret itself is shown once, when the address is made.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FeedKind(models.TextChoices):
    OWN = "own", _("Rencana kerja saya")
    TEAM = "team", _("Kehadiran tim")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class FeedTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        """Not revoked and not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class FeedToken(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pemilik"), on_delete=models.CASCADE,
                              related_name="feed_tokens")
    kind = models.CharField(_("jenis"), max_length=8, choices=FeedKind.choices)
    # The team a team feed reads (a unit of people the owner decides for); re-checked on every read.
    unit = models.ForeignKey("portal.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dibaca"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)

    objects = FeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("tautan kalender")
        verbose_name_plural = _("tautan kalender")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind"], condition=Q(revoked_at__isnull=True),
                                    name="feed_token_one_active_per_owner_kind"),
            models.CheckConstraint(condition=Q(kind="team", unit__isnull=False) | Q(kind="own", unit__isnull=True),
                                   name="feed_token_team_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.owner_id}"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
