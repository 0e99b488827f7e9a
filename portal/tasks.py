"""Thin Celery tasks of the portal app: notification delivery and the outbox sweep."""

from celery import shared_task

from portal.services import notify


@shared_task(name="portal.deliver_notification", acks_late=True, time_limit=60, soft_time_limit=50)
def deliver_notification(notification_id: int) -> str:
    return notify.notification_deliver(notification_id)


@shared_task(name="portal.sweep_outbox", time_limit=300, soft_time_limit=280)
def sweep_outbox() -> int:
    return notify.outbox_sweep()
