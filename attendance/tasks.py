"""Thin Celery tasks of attendance: staffing refresh and the nightly forecast."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from attendance.services import staffing
from portal.tasks import RETRY_TRANSIENT


@shared_task(name="attendance.refresh_staffing", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def refresh_staffing() -> int:
    """Recompute the unit-days whose plans changed (coalesced after decisions)."""
    return staffing.refresh_changed()


@shared_task(name="attendance.compute_staffing_window", time_limit=1800, soft_time_limit=1750,
             **RETRY_TRANSIENT)
def compute_staffing_window(today: str | None = None) -> int:
    """Nightly: the past 28 and the next 28 days for every unit, then early warnings."""
    from attendance.services import warnings

    day = timezone.localdate() if today is None else dt.date.fromisoformat(today)
    written = staffing.compute_window(day)
    warnings.send_early_warnings(today=day)
    return written


@shared_task(name="attendance.missing_checkin_reminder", time_limit=600, soft_time_limit=580,
             **RETRY_TRANSIENT)
def missing_checkin_reminder(tz: str = "Asia/Jakarta", today: str | None = None) -> int:
    from attendance.services import reminders

    return reminders.send_missing_checkin_reminders(tz=tz, today=dt.date.fromisoformat(today) if today else None)


# Export and recompute tasks live in their own modules; importing them registers them.
from attendance import export_tasks, recompute_tasks  # noqa: E402,F401,I001
