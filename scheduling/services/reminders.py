"""Reminder and escalation services, each run for one time zone at that zone's local hour
(beat holds one schedule per zone). Every one is safe to run twice: the notification keys
carry the local date or the request day.

Who is "in" a zone: for the digest, the recipient (an approver hears at their own 07:00,
whichever zones their reports work in); for reminders and escalation, the unit of the day
(the deadline is that unit's next working day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from portal.models import Delegation, Employee, HRAdminScope, Unit
from portal.selectors import local_today, units_in_time_zone, workcalendar
from scheduling import selectors
from scheduling.models import RequestDay, Status
from scheduling.services import notifications

LOOKAHEAD_DAYS = 21  # long enough to bridge Lebaran's holidays and cuti bersama


class _Calendar:
    """Working days per institution, memoised for one run (the calendar depends only on
    the institution, so 2,000 units cost a handful of queries, not thousands)."""

    def __init__(self, today: dt.date):
        self.today = today
        self._days: dict[int, list[dt.date]] = {}

    def _days_of(self, unit: Unit) -> list[dt.date]:
        key = (unit.ancestor_ids or [unit.pk])[0]
        if key not in self._days:
            self._days[key] = workcalendar.working_days(unit, self.today, self.today + dt.timedelta(LOOKAHEAD_DAYS))
        return self._days[key]

    def is_working_today(self, unit: Unit) -> bool:
        days = self._days_of(unit)
        return bool(days) and days[0] == self.today

    def next_working_day(self, unit: Unit) -> dt.date | None:
        """The working day after today, or None when today is not itself a working day."""
        days = self._days_of(unit)
        if not self.is_working_today(unit):
            return None
        return days[1] if len(days) > 1 else None


def _units_by_next_working_day(tz: str, today: dt.date) -> dict[dt.date, list[Unit]]:
    """Units of the zone working today, grouped by their next working day."""
    calendar = _Calendar(today)
    out: dict[dt.date, list[Unit]] = defaultdict(list)
    for unit in units_in_time_zone(tz):
        nxt = calendar.next_working_day(unit)
        if nxt is not None:
            out[nxt].append(unit)
    return out


# --- Morning digest ---------------------------------------------------------------------

def _acting_in_zone(zone_unit_ids: list[int], today: dt.date) -> dict[int, list[int]]:
    """Active Plh/Plt of this zone today: delegate id -> the delegators they act for."""
    acting: dict[int, list[int]] = defaultdict(list)
    for delegate_id, delegator_id in (Delegation.objects.active_on(today)
                                      .filter(delegate__unit_id__in=zone_unit_ids)
                                      .values_list("delegate_id", "delegator_id")):
        acting[delegate_id].append(delegator_id)
    return acting


def _waiting_by_approver(zone_unit_ids: list[int], delegators: set[int],
                         today: dt.date) -> dict[Employee, list[RequestDay]]:
    """Pending days from today on, per approver, for approvers of the zone or the given
    delegators (the SQL pre-filter is wide; :func:`approver_for` decides exactly)."""
    decides = (Q(employee__supervisor__unit_id__in=zone_unit_ids) | Q(employee__supervisor_id__in=delegators)
               | Q(employee__unit__head__unit_id__in=zone_unit_ids) | Q(employee__unit__head_id__in=delegators))
    pending = (RequestDay.objects.filter(decides, status=Status.PENDING, date__gte=today, employee__is_active=True)
               .select_related("request", "employee__unit__head", "employee__supervisor"))
    waiting: dict[Employee, list[RequestDay]] = defaultdict(list)
    for day in pending:
        approver = selectors.approver_for(day)
        if approver is not None:
            waiting[approver].append(day)
    return waiting


def _digest_inbox(tz: str, today: dt.date) -> dict[int, list[RequestDay]]:
    """Recipient id -> the pending days they decide, for recipients working in ``tz``."""
    zone_unit_ids = [u.pk for u in units_in_time_zone(tz)]
    acting = _acting_in_zone(zone_unit_ids, today)
    waiting = _waiting_by_approver(zone_unit_ids, {pk for pks in acting.values() for pk in pks}, today)
    by_id = {approver.pk: days for approver, days in waiting.items()}
    in_zone = set(zone_unit_ids)
    inbox = {approver.pk: list(days) for approver, days in waiting.items() if approver.unit_id in in_zone}
    for delegate_id, delegator_ids in acting.items():
        # Nobody decides their own days, not even as Plh/Plt.
        theirs = [d for pk in delegator_ids for d in by_id.get(pk, []) if d.employee_id != delegate_id]
        if theirs:
            inbox[delegate_id] = [*inbox.get(delegate_id, []), *theirs]
    return inbox


def send_pending_digests(*, tz: str, today: dt.date | None = None) -> int:
    """Morning digest: each approver working in this zone (and each active Plh/Plt there)
    hears how many days wait for them, on a working day of their own unit."""
    today = today or local_today(tz)
    inbox = _digest_inbox(tz, today)
    calendar = _Calendar(today)
    sent = 0
    for person in Employee.objects.filter(pk__in=list(inbox), is_active=True).select_related("user", "unit"):
        if not calendar.is_working_today(person.unit):
            continue
        days = list({d.pk: d for d in inbox[person.pk]}.values())
        if notifications.pending_digest(person, len(days), min(d.date for d in days), today):
            sent += 1
    return sent


# --- Reminder the working day before a WFH/WFA day ---------------------------------------

def send_upcoming_reminders(*, tz: str, today: dt.date | None = None) -> int:
    """On a working day, remind employees whose next working day is an approved WFH/WFA
    (on Friday for Monday; before a holiday, for the first working day after it)."""
    today = today or local_today(tz)
    sent = 0
    for next_day, units in _units_by_next_working_day(tz, today).items():
        days = (selectors.approved_flexible_on(next_day)
                .filter(unit__in=units, employee__is_active=True).select_related("employee__user"))
        for day in days:
            if notifications.upcoming_flexible_day(day):
                sent += 1
    return sent


# --- Escalation ---------------------------------------------------------------------------

def _escalation_recipients(day: RequestDay, scopes: list[HRAdminScope]) -> list[tuple[object, str]]:
    """(user, role) pairs: the approver's own supervisor and the HR admins over the unit."""
    approver = selectors.approver_for(day)
    above = approver.supervisor if approver is not None else None
    out = {}
    for scope in scopes:
        if day.unit.path.startswith(scope.unit.path) and scope.user.is_active:
            out[scope.user_id] = (scope.user, "hr")
    if above is not None and above.is_active and above.pk != day.employee_id:
        out[above.user_id] = (above.user, "atasan")
    return list(out.values())


def escalate_pending(*, tz: str, today: dt.date | None = None) -> int:
    """Days still pending one working day before their date go to the supervisor's own
    supervisor and to the HR admins over the unit."""
    today = today or local_today(tz)
    scopes = list(HRAdminScope.objects.select_related("unit", "user"))
    sent = 0
    for next_day, units in _units_by_next_working_day(tz, today).items():
        days = selectors.pending_days_on(next_day).filter(unit__in=units).select_related(
            "request", "unit", "employee__supervisor__supervisor__user", "employee__unit__head__supervisor__user")
        for day in days:
            for user, role in _escalation_recipients(day, scopes):
                if notifications.escalation(day, user, role):
                    sent += 1
    return sent
