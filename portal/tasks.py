"""Thin Celery tasks of the portal app: notification delivery, the outbox sweep, the audit checkpoints."""

from celery import shared_task
from django.db.utils import OperationalError

from portal.services import audit_chain, notify

# Retry only what may pass by itself: a locked database or a dropped connection. Anything
# else is a bug or bad data, and retrying would only repeat it.
RETRY_TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300,
                   "retry_jitter": True, "max_retries": 5}


@shared_task(name="portal.deliver_notification", acks_late=True, time_limit=60, soft_time_limit=50,
             **RETRY_TRANSIENT)
def deliver_notification(notification_id: int) -> str:
    return notify.notification_deliver(notification_id)


@shared_task(name="portal.sweep_outbox", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def sweep_outbox() -> int:
    return notify.outbox_sweep()


@shared_task(name="portal.audit_checkpoint", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def audit_checkpoint() -> int:
    """Nightly: sign the head of every audit chain that moved (safe twice: an unmoved chain is skipped)."""
    return audit_chain.checkpoints_write()
