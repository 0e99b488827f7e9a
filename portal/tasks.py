"""Thin Celery tasks of the portal app: notification delivery and the outbox sweep."""

from celery import shared_task
from django.db.utils import OperationalError

from portal.services import notify

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
