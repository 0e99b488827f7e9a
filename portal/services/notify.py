"""Writing notifications (in-app + email outbox) and delivering each email once.

Delivery claims a row (pending -> sending) with a conditional UPDATE, sends, then records it sent.
Two things could send a message twice, and both are closed here: the "sent" update failing on a
database blip (the worker that sent retries it on a fresh connection: it knows it sent), and a
claim left by a dead worker being taken over too late or too early (the claim expires a little
after the SMTP timeout plus that retry window). What remains is a process dying between the SMTP
server's acceptance and the update: then the message goes out again (docs/reliability.md gives
the measured rate); at-most-once would lose mail instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from portal.jobs import enqueue_on_commit
from portal.models import EmailState, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SENT_UPDATE_DELAYS = (0.5, 1, 2, 4, 8, 15)  # seconds between tries of the "sent" update (about 30 s)
CLAIM_MARGIN_SECONDS = 30


def claim_timeout() -> dt.timedelta:
    """How long a claim holds: the SMTP timeout, the "sent" update's retries, and a margin. A worker
    that died mid-send releases its message after this, not after ten minutes."""
    return dt.timedelta(seconds=settings.EMAIL_TIMEOUT + sum(SENT_UPDATE_DELAYS) + CLAIM_MARGIN_SECONDS)


def notify(*, recipient, key: str, kind: str, subject, body, params: dict | None = None,
           link: str = "") -> Notification | None:
    """Record one message for one recipient, once per ``key``; the email goes out after commit.

    ``subject`` and ``body`` are callables taking ``params`` and returning text; they are
    rendered in the recipient's own language. Returns None if the key was already used.
    """
    params = params or {}
    language = getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        rendered = {"subject": str(subject(params)), "body": str(body(params))}
    email_state = EmailState.PENDING if recipient.email else EmailState.SKIPPED
    try:
        with transaction.atomic():
            note = Notification.objects.create(recipient=recipient, key=key[:200], kind=kind,
                                               params={**params, **rendered}, link=link, email_state=email_state)
    except IntegrityError:
        return None  # already recorded for this event and recipient
    if email_state == EmailState.PENDING:
        enqueue_on_commit("portal.deliver_notification", args=(note.pk,))
    return note


def _claim(pk: int) -> bool:
    now = timezone.now()
    claimable = Q(email_state=EmailState.PENDING) | Q(email_state=EmailState.SENDING,
                                                      email_claimed_at__lt=now - claim_timeout())
    return bool(Notification.objects.filter(claimable, pk=pk, email_attempts__lt=MAX_ATTEMPTS).update(
        email_state=EmailState.SENDING, email_claimed_at=now))


def notification_deliver(notification_id: int) -> str:
    """Send one notification's email if this worker wins the claim. Safe to call twice."""
    if not _claim(notification_id):
        return "not-claimed"
    note = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        send_mail(note.params.get("subject", ""), note.params.get("body", ""), settings.DEFAULT_FROM_EMAIL,
                  [note.recipient.email], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - SMTP errors are many; record and retry later
        attempts = note.email_attempts + 1
        Notification.objects.filter(pk=note.pk).update(
            email_state=EmailState.FAILED if attempts >= MAX_ATTEMPTS else EmailState.PENDING,
            email_attempts=attempts, email_error=f"{type(exc).__name__}: {exc}"[:255])
        log.warning("email for notification %s failed (attempt %s)", note.pk, attempts)
        return "failed"
    _record_sent(note.pk, note.email_attempts + 1)
    return "sent"


def _record_sent(pk: int, attempts: int) -> None:
    """Mark a message sent, through database blips: this worker knows it sent, and giving up here
    would let the sweep send it again once the claim expires."""
    for delay in (*SENT_UPDATE_DELAYS, None):
        try:
            Notification.objects.filter(pk=pk).update(email_state=EmailState.SENT, email_sent_at=timezone.now(),
                                                      email_attempts=attempts, email_error="")
            return
        except (OperationalError, InterfaceError) as exc:
            if delay is None:
                log.error("notification %s was sent but could not be marked sent (%s); it may go out again",
                          pk, type(exc).__name__)
                raise
            log.warning("marking notification %s sent failed (%s); retrying on a new connection", pk,
                        type(exc).__name__)
            connection.close()  # the next query opens a fresh connection
            time.sleep(delay)


def outbox_sweep(limit: int = 500) -> int:
    """Deliver what the outbox still holds (after a broker outage or a dead worker)."""
    stale = timezone.now() - claim_timeout()
    ids = list(Notification.objects.filter(
        Q(email_state=EmailState.PENDING) | Q(email_state=EmailState.SENDING, email_claimed_at__lt=stale),
        email_attempts__lt=MAX_ATTEMPTS).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(notification_deliver(pk) == "sent" for pk in ids)


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread when ``ids`` is None)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
