"""Request days as each actor may see them: own days, days to decide, HR's subtree; the history
of a day (the inbox, with what deciding each day would meet, is :mod:`scheduling.selectors.decisions`).
Out of scope is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, Delegation, Employee, Unit
from portal.models.audit import verb_label
from portal.rules import acting_label
from portal.selectors import ROLE_SUPERVISOR, display_name, employee_of, employees_visible_to, roles_of
from scheduling.models import FLEXIBLE_KINDS, LeaveSettings, RequestDay, Status, Step


def approver_for(day: RequestDay) -> Employee | None:
    """Who decides now: the official once the atasan langsung has endorsed a leave day; before
    that the atasan langsung, or for keadaan khusus the head of the unit."""
    if day.awaiting == Step.OFFICIAL:
        return day.official
    employee = day.employee
    if day.request.special_circumstance:
        head = employee.unit.head
        if head is not None and head.pk != employee.pk:
            return head
    return employee.supervisor


def represented_approvers(user, on: dt.date | None = None) -> dict[int, str]:
    """Employee ids the user decides for today, mapped to the "acting for" title ("" = self)."""
    me = employee_of(user)
    if me is None:
        return {}
    on = on or timezone.localdate()
    out = {me.pk: ""}
    for d in Delegation.objects.active_on(on).filter(delegate=me).select_related("delegator"):
        out.setdefault(d.delegator_id, d.acting_title)
    return out


def _decidable_filter(approver_ids) -> Q:
    """Mirror of :func:`approver_for` in SQL."""
    ordinary = Q(request__special_circumstance=False, employee__supervisor_id__in=approver_ids)
    head_decides = Q(employee__unit__head_id__in=approver_ids) & ~Q(employee__unit__head_id=F("employee_id"))
    no_other_head = Q(employee__unit__head_id=F("employee_id")) | Q(employee__unit__head__isnull=True)
    special = Q(request__special_circumstance=True) & (
        head_decides | (no_other_head & Q(employee__supervisor_id__in=approver_ids)))
    official = Q(awaiting=Step.OFFICIAL, official_id__in=approver_ids)
    return (Q(awaiting=Step.SUPERVISOR) & (ordinary | special)) | official


def days_decidable_by(user) -> QuerySet[RequestDay]:
    """Request days this user may approve or reject (own reports, or as Plh/Plt)."""
    if getattr(user, "is_superuser", False):
        return RequestDay.objects.all()
    approver_ids = list(represented_approvers(user))
    if not approver_ids:
        return RequestDay.objects.none()
    # Nobody decides their own days, not even as Plh/Plt of their own supervisor.
    return RequestDay.objects.filter(_decidable_filter(approver_ids)).exclude(employee__user=user)


def request_days_visible_to(user) -> QuerySet[RequestDay]:
    """Own days, days the user decides, and for HR the days of their subtree."""
    me = employee_of(user)
    if getattr(user, "is_superuser", False):
        return RequestDay.objects.all()
    q = Q(pk__in=days_decidable_by(user).values("pk"))
    if me is not None:
        q |= Q(employee=me)
    hr_people = employees_visible_to(user)
    if hr_people.exists():
        q |= Q(employee__in=hr_people.values("pk"))
    return RequestDay.objects.filter(q)


def day_for_decision(user, pk: int) -> RequestDay:
    """Fetch a request day the user may decide, or 404."""
    try:
        return days_decidable_by(user).select_related("request", "employee__unit", "unit").get(pk=pk)
    except (RequestDay.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_day(user, pk: int) -> RequestDay:
    me = employee_of(user)
    try:
        return RequestDay.objects.select_related("request", "employee", "unit").get(pk=pk, employee=me)
    except (RequestDay.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pending_days_before(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.PENDING, date__lt=day)


def pending_days_on(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.PENDING, date=day)


def approved_flexible_on(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.APPROVED, date=day, kind__in=list(FLEXIBLE_KINDS))


def decides_for_somebody(user) -> bool:
    """Supervisor (active reports), active Plh/Plt, head of a unit, an institution's pejabat yang
    berwenang memberikan cuti (or one a leave day was forwarded to), or superuser."""
    if getattr(user, "is_superuser", False):
        return True
    if ROLE_SUPERVISOR in roles_of(user):
        return True
    me = employee_of(user)
    if me is None or not me.is_active:
        return False
    return (Unit.objects.filter(head=me).exists() or LeaveSettings.objects.filter(official=me).exists()
            or RequestDay.objects.filter(official=me, awaiting=Step.OFFICIAL, status=Status.PENDING).exists())


def own_days(user) -> QuerySet[RequestDay]:
    """The signed-in employee's own request days, newest first (none for HR-only accounts)."""
    me = employee_of(user)
    if me is None:
        return RequestDay.objects.none()
    return (RequestDay.objects.filter(employee=me)
            .select_related("request__other_office", "decided_by__employee", "employee", "unit", "official",
                            "endorsed_by__employee")
            .order_by("-date", "-id"))


# --- History ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEvent:
    """One step in the life of a request day, as people read it."""

    at: dt.datetime
    verb: str
    label: str
    actor: str
    acting_for: str
    reason: str


_AUTO_APPROVED = _("Disetujui otomatis")


def request_history(days: list[RequestDay]) -> dict[int, list[HistoryEvent]]:
    """The audit events of each day and of its request's submission, oldest first (two queries).

    Callers pass days the actor may see (``request_days_visible_to`` / ``own_days``).
    """
    day_ids = [str(d.pk) for d in days]
    request_ids = {str(d.request_id) for d in days}
    events = AuditEvent.objects.select_related("actor__employee").order_by("at", "id")
    by_day, by_request = defaultdict(list), defaultdict(list)
    for e in events.filter(object_type="scheduling.requestday", object_id__in=day_ids):
        by_day[e.object_id].append(e)
    for e in events.filter(object_type="scheduling.workrequest", object_id__in=request_ids):
        by_request[e.object_id].append(e)
    out = {}
    for d in days:
        rows = by_request[str(d.request_id)] + by_day[str(d.pk)]
        out[d.pk] = [HistoryEvent(e.at, e.verb, _history_label(e), display_name(e.actor),
                                  acting_label(e.acting_for), str((e.after or {}).get("reason") or ""))
                     for e in rows]
    return out


def _history_label(event: AuditEvent) -> str:
    if event.verb == "request_day.approved" and (event.after or {}).get("auto"):
        return str(_AUTO_APPROVED)
    return verb_label(event.verb)
