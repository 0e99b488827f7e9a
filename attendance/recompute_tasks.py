"""Thin Celery tasks recomputing day statuses (see attendance.services.recompute).

Enqueued by name after HR changes a holiday, working hours, a Ramadan period or a band table
(portal.admin, attendance.admin), and nightly from the beat schedule. Ids and ISO dates only.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from attendance.services import recompute
from portal.tasks import RETRY_TRANSIENT


@shared_task(name="attendance.recompute_institution", time_limit=1800, soft_time_limit=1750, **RETRY_TRANSIENT)
def recompute_institution(institution_id: int | None, start: str, end: str) -> int:
    """Recompute one institution (None = all) over [start, end]; safe to run twice."""
    return recompute.recompute_institution(institution_id, dt.date.fromisoformat(start),
                                           dt.date.fromisoformat(end))


@shared_task(name="attendance.recompute_recent", time_limit=3600, soft_time_limit=3550, **RETRY_TRANSIENT)
def recompute_recent(today: str | None = None, days: int = recompute.NIGHTLY_DAYS) -> int:
    """Nightly: the last 35 days of every institution (ended days become TK / PSW4)."""
    return recompute.recompute_recent(today=dt.date.fromisoformat(today) if today else None, days=days)
