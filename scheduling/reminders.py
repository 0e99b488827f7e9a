"""Reminder and escalation services, each run for the units of one time zone at that zone's
local hour (beat holds one schedule per zone). Every one is safe to run twice: the
notification keys carry the local date or the request day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from portal import workcalendar
from portal.models import Delegation, Employee, HRAdminScope
from portal.selectors import local_today, units_in_time_zone
from scheduling import notifications, selectors
from scheduling.models import RequestDay, Status


def _next_working_day(unit, day: dt.date) -> dt.date | None:
    days = workcalendar.working_days(unit, day + dt.timedelta(days=1), day + dt.timedelta(days=21))
    return days[0] if days else None


def send_pending_digests(*, tz: str, today: dt.date | None = None) -> int:
    """Morning digest: each approver (and their active Plh/Plt) hears how many days wait."""
    today = today or local_today(tz)
    unit_ids = {u.pk for u in units_in_time_zone(tz)}
    pending = (RequestDay.objects.filter(status=Status.PENDING, date__gte=today, unit_id__in=unit_ids)
               .select_related("request", "employee__unit__head", "employee__supervisor"))
    waiting: dict[int, list[dt.date]] = defaultdict(list)
    for day in pending:
        approver = selectors.approver_for(day)
        if approver is not None:
            waiting[approver.pk].append(day.date)
    delegates = Delegation.objects.active_on(today).filter(delegator_id__in=list(waiting))
    for d in delegates:
        waiting[d.delegate_id] += waiting[d.delegator_id]
    sent = 0
    for approver in Employee.objects.filter(pk__in=list(waiting), is_active=True).select_related("user"):
        dates = waiting[approver.pk]
        if notifications.pending_digest(approver, len(dates), min(dates), today):
            sent += 1
    return sent


def send_upcoming_reminders(*, tz: str, today: dt.date | None = None) -> int:
    """On a working day, remind employees whose next working day is an approved WFH/WFA."""
    today = today or local_today(tz)
    sent = 0
    for unit in units_in_time_zone(tz):
        if not workcalendar.is_working_day(unit, today):
            continue
        tomorrow = _next_working_day(unit, today)
        if tomorrow is None:
            continue
        for day in selectors.approved_flexible_on(tomorrow).filter(unit=unit).select_related("employee__user"):
            if notifications.upcoming_flexible_day(day):
                sent += 1
    return sent


def escalate_pending(*, tz: str, today: dt.date | None = None) -> int:
    """Days still pending one working day before their date go to the supervisor's own
    supervisor and to the HR admins over the unit."""
    today = today or local_today(tz)
    scopes = list(HRAdminScope.objects.select_related("unit", "user"))
    sent = 0
    for unit in units_in_time_zone(tz):
        if not workcalendar.is_working_day(unit, today):
            continue
        tomorrow = _next_working_day(unit, today)
        if tomorrow is None:
            continue
        days = selectors.pending_days_on(tomorrow).filter(unit=unit).select_related(
            "request", "employee__supervisor__supervisor__user", "employee__unit__head")
        for day in days:
            approver = selectors.approver_for(day)
            above = approver.supervisor if approver is not None else None
            recipients = [s.user for s in scopes if unit.path.startswith(s.unit.path)]
            if above is not None and above.is_active:
                recipients.append(above.user)
            for user in {u.pk: u for u in recipients}.values():
                if notifications.escalation(day, user, "atasan" if above and user.pk == above.user_id else "hr"):
                    sent += 1
    return sent
