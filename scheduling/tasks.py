"""Thin Celery tasks of scheduling: reminders, escalation, expiry. Ids and ISO dates in."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from portal.models import TimeZone
from portal.tasks import RETRY_TRANSIENT
from scheduling import services
from scheduling.services import reminders


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(name="scheduling.pending_digest", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def pending_digest(tz: str = "Asia/Jakarta", today: str | None = None) -> int:
    return reminders.send_pending_digests(tz=tz, today=_day(today))


@shared_task(name="scheduling.remind_upcoming", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def remind_upcoming(tz: str = "Asia/Jakarta", today: str | None = None) -> int:
    return reminders.send_upcoming_reminders(tz=tz, today=_day(today))


@shared_task(name="scheduling.escalate_pending", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def escalate_pending(tz: str = "Asia/Jakarta", today: str | None = None) -> int:
    return reminders.escalate_pending(tz=tz, today=_day(today))


@shared_task(name="scheduling.expire_pending", time_limit=600, soft_time_limit=580, **RETRY_TRANSIENT)
def expire_pending(today: str | None = None) -> int:
    """Pending days whose date passed (in every zone: the earliest local date is used)."""
    day = _day(today) or min(timezone.localtime(timezone=tz).date() for tz in _zones())
    return services.request_days_expire(today=day)


def _zones():
    import zoneinfo

    return [zoneinfo.ZoneInfo(z) for z in TimeZone.values]


@shared_task(name="scheduling.emergency_notify", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def emergency_notify(emergency_id: int, after_pk: int = 0) -> int:
    """Tell one batch of the employees an emergency affects; it sends the next batch itself."""
    from scheduling.services.emergency import emergency_notify as notify_batch

    return notify_batch(emergency_id, after_pk)
