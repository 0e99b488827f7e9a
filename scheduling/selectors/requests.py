"""Request days as each actor may see them: own days, days to decide, HR's subtree; the history
of a day (the inbox, with what deciding each day would meet, is :mod:`scheduling.selectors.decisions`).
Out of scope is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, F, Func, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, Delegation, Employee, Unit
from portal.models.audit import verb_label
from portal.rules import acting_label
from portal.selectors import ROLE_SUPERVISOR, display_name, employee_of, employees_visible_to, roles_of
from scheduling.models import FLEXIBLE_KINDS, LeaveSettings, RequestDay, Status, Step


def _approver_link(day: RequestDay) -> tuple[object, str]:
    """Who decides now, as (the row that names them, the field): the official once the atasan
    langsung has endorsed a leave day; before that the atasan langsung, or for keadaan khusus the
    head of the unit."""
    if day.awaiting == Step.OFFICIAL:
        return day, "official"
    employee = day.employee
    if day.request.special_circumstance:
        head_id = employee.unit.head_id
        if head_id is not None and head_id != employee.pk:
            return employee.unit, "head"
    return employee, "supervisor"


def approver_for(day: RequestDay) -> Employee | None:
    """Who decides ``day`` now (see :func:`_approver_link`)."""
    row, field = _approver_link(day)
    return getattr(row, field)


def approver_id_for(day: RequestDay) -> int | None:
    """The id of who decides ``day`` now, without reading them (the same rule)."""
    row, field = _approver_link(day)
    return getattr(row, f"{field}_id")


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


class _AmongIds(Func):
    """``column IN (ids)``, written on PostgreSQL as ``column = ANY(ARRAY(ids))``: the planner then
    reads the ids first and enters the column's index once per id (as it would for a short list).
    With ``IN`` it weighs a semi-join by the table's statistics and, for a supervisor with a few
    hundred reports, reads every pending day of the institution to hash them against the reports
    (65 ms instead of 1.5 ms at 100,000 employees)."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: QuerySet):
        super().__init__(F(column), Subquery(ids))

    def _sides(self, compiler):
        (column, column_params), (ids, ids_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return column, ids, (*column_params, *ids_params)

    def as_sql(self, compiler, connection, **extra_context):
        column, ids, params = self._sides(compiler)
        return f"{column} IN {ids}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, ids, params = self._sides(compiler)
        return f"{column} = ANY(ARRAY{ids})", params


def _decidable_branches(approver_ids, status: str | None) -> list[QuerySet[RequestDay]]:
    """Mirror of :func:`approver_for` in SQL, one branch per way of deciding, each entered through
    an index on the approver's side (the reports, the units led, the official's partial index), so
    that the cost follows the approver's items and not the institution's pending days."""
    days = (RequestDay.objects.filter(status=status) if status else RequestDay.objects.all()).order_by()
    waiting = days.filter(awaiting=Step.SUPERVISOR)
    # The atasan langsung: the days of their reports, less the keadaan khusus days another head
    # decides (the report does not head their own unit, and it has a head). Who heads whose unit
    # is asked of the reports, in a subquery: asked of the days, it joined every day's employee.
    reports = Employee.objects.filter(supervisor_id__in=approver_ids).order_by()
    no_other_head = reports.filter(Q(unit__head_id=F("pk")) | Q(unit__head__isnull=True))
    by_supervisor = waiting.filter(_AmongIds("employee_id", reports.values("pk"))).filter(
        Q(request__special_circumstance=False) | _AmongIds("employee_id", no_other_head.values("pk")))
    # Keadaan khusus: the head of the employee's unit, when that is somebody else (the units led
    # are found by unit.head_id, their people by employee.unit_id).
    led = Employee.objects.filter(unit__head_id__in=approver_ids).exclude(unit__head_id=F("pk")).order_by()
    by_head = waiting.filter(_AmongIds("employee_id", led.values("pk")), request__special_circumstance=True)
    by_official = days.filter(awaiting=Step.OFFICIAL, official_id__in=approver_ids)
    return [q.values("pk") for q in (by_supervisor, by_head, by_official)]


def days_decidable_by(user, *, status: str | None = None, approvers: dict[int, str] | None = None,
                      ) -> QuerySet[RequestDay]:
    """Request days this user may approve or reject (own reports, or as Plh/Plt); ``status``
    narrows every branch early (the inbox asks for pending days only); ``approvers``: the user's
    :func:`represented_approvers`, when the caller has read them already."""
    if getattr(user, "is_superuser", False):
        return RequestDay.objects.filter(status=status) if status else RequestDay.objects.all()
    approvers = represented_approvers(user) if approvers is None else approvers
    if not approvers:
        return RequestDay.objects.none()
    first, *rest = _decidable_branches(list(approvers), status)
    # Nobody decides their own days, not even as Plh/Plt of their own supervisor (``approvers``
    # always holds the user's own employee, see represented_approvers).
    me = next(iter(approvers))
    return RequestDay.objects.filter(pk__in=first.union(*rest)).exclude(employee_id=me)


def request_days_visible_to(user) -> QuerySet[RequestDay]:
    """Own days, days the user decides, and for HR the days of their subtree (one UNION of
    indexed branches, not an OR that would scan every day of the institution)."""
    me = employee_of(user)
    if getattr(user, "is_superuser", False):
        return RequestDay.objects.all()
    if me is None:
        branches = []
    else:
        # The own days are in anyway, so the decidable branches need no "not their own" here.
        branches = [*_decidable_branches(list(represented_approvers(user)), None),
                    RequestDay.objects.filter(employee=me).order_by().values("pk")]
    hr_people = employees_visible_to(user)
    if hr_people.exists():
        branches.append(RequestDay.objects.filter(employee__in=hr_people.values("pk")).order_by().values("pk"))
    if not branches:
        return RequestDay.objects.none()
    first, *rest = branches
    return RequestDay.objects.filter(pk__in=first.union(*rest) if rest else first)


def day_for_decision(user, pk: int, approvers: dict[int, str] | None = None) -> RequestDay:
    """Fetch a request day the user may decide, or 404 (``approvers``: the user's
    :func:`represented_approvers`, when read already).

    One day is judged by :func:`approver_id_for`, the rule :func:`days_decidable_by` writes in SQL
    for lists (a test holds the two equal): its people are read with it, where the UNION of every
    way of deciding cost PostgreSQL more to plan than the day costs to read."""
    try:
        day = RequestDay.objects.select_related("request", "employee__unit", "unit").get(pk=pk)
    except (RequestDay.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not _decides(user, day, approvers):
        raise Http404
    return day


def _decides(user, day: RequestDay, approvers: dict[int, str] | None) -> bool:
    """Whether ``user`` decides ``day``: its approver, or their active Plh/Plt; never their own."""
    if getattr(user, "is_superuser", False):
        return True
    approvers = represented_approvers(user) if approvers is None else approvers
    if not approvers or day.employee_id == next(iter(approvers)):
        return False
    return approver_id_for(day) in approvers


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


def decides_for_somebody(user, roles: list[str] | None = None) -> bool:
    """Supervisor (active reports), active Plh/Plt, head of a unit, an institution's pejabat yang
    berwenang memberikan cuti (or one a leave day was forwarded to), or superuser. ``roles``: the
    user's :func:`roles_of`, when the request read them already."""
    if getattr(user, "is_superuser", False):
        return True
    if ROLE_SUPERVISOR in (roles_of(user) if roles is None else roles):
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
