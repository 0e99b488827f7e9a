"""What the home page says about plans, for the signed-in user only (registered in ``apps.py``).

Each read costs a fixed handful of indexed queries on the user's own rows (or their inbox, counted
no further than :data:`portal.navigation.COUNT_CAP`), whatever the size of the institution.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from portal.models import Employee
from portal.navigation import COUNT_CAP, capped_count
from portal.selectors import employee_of
from scheduling.models import Kind, RequestDay, Status
from scheduling.selectors.leave_hr import annual_leave_now
from scheduling.selectors.requests import days_decidable_by


@dataclass(frozen=True)
class NextPlan:
    """The nearest approved plan from today: its kind and its run of days in one request."""

    kind: str
    first: dt.date
    last: dt.date

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _active_employee(user) -> Employee | None:
    # The user's own cached row: its unit, read once, serves every panel of the page.
    me = employee_of(user)
    return me if me is not None and me.is_active else None


def next_plan(employee: Employee, today: dt.date) -> NextPlan | None:
    day = (RequestDay.objects.filter(employee=employee, status=Status.APPROVED, date__gte=today)
           .order_by("date").only("kind", "date", "request_id").first())
    if day is None:
        return None
    last = (RequestDay.objects.filter(request_id=day.request_id, status=Status.APPROVED, date__gte=day.date)
            .aggregate(last=Max("date"))["last"])
    return NextPlan(day.kind, day.date, last or day.date)


def plan_panel(user) -> dict | None:
    """The employee's next approved plan, their requests still waiting, and the cuti tahunan left
    this year (None before the first year the institution keeps balances for)."""
    me = _active_employee(user)
    if me is None:
        return None
    today = me.unit.local_today()
    pending = capped_count(RequestDay.objects.filter(employee=me, status=Status.PENDING))
    return {"today": today, "next": next_plan(me, today), "pending": pending,
            "pending_more": pending >= COUNT_CAP, "leave": annual_leave_now(me)}


def decisions_panel(user) -> dict | None:
    """How many request days wait for this user's decision (also as Plh/Plt); None for none."""
    count = capped_count(days_decidable_by(user, status=Status.PENDING))
    if not count:
        return None
    return {"count": count, "more": count >= COUNT_CAP}
