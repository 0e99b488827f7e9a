"""Reads for scheduling: effective policies, projections, and actor-scoped request lists.

Other apps (attendance) read scheduling only through this module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal import workcalendar
from portal.models import Delegation, Employee, Unit
from portal.selectors import employee_of, employees_visible_to
from scheduling import rules
from scheduling.models import ACTIVE_STATUSES, FLEXIBLE_KINDS, CoveragePolicy, RequestDay, Status

# --- Policies -------------------------------------------------------------------------

def _policy_layers(unit: Unit, day: dt.date, rows: list[CoveragePolicy]) -> list[dict]:
    """For each ancestor (root first), the policy row in force on ``day``."""
    depth_of = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    current: dict[int, CoveragePolicy] = {}
    for row in rows:
        if row.effective_from <= day and (row.unit_id not in current
                                          or row.effective_from > current[row.unit_id].effective_from):
            current[row.unit_id] = row
    layers = []
    for row in sorted(current.values(), key=lambda r: depth_of[r.unit_id]):
        layer = {f: getattr(row, f) for f in rules._SCALARS}
        layer.update(weekday_min_share=row.weekday_min_share, mandatory_weekdays=row.mandatory_weekdays,
                     blackout_dates=row.blackout_dates,
                     essential=[(e.jabatan, e.min_in_office) for e in row.essential_positions.all()])
        layers.append(layer)
    return layers


def _policy_rows(unit: Unit) -> list[CoveragePolicy]:
    return list(CoveragePolicy.objects.filter(unit_id__in=unit.ancestor_ids).prefetch_related("essential_positions"))


def effective_policy(unit: Unit, day: dt.date) -> rules.Policy:
    """The policy in force for ``unit`` on ``day``, inherited down the tree."""
    return rules.merge_policies(_policy_layers(unit, day, _policy_rows(unit)))


def effective_policies(unit: Unit, days: list[dt.date]) -> dict[dt.date, rules.Policy]:
    rows = _policy_rows(unit)
    return {d: rules.merge_policies(_policy_layers(unit, d, rows)) for d in days}


# --- Counts ----------------------------------------------------------------------------

def unit_headcount(unit: Unit) -> int:
    return Employee.objects.filter(unit=unit, is_active=True).count()


def away_by_date(unit: Unit, start: dt.date, end: dt.date, *, include_pending: bool,
                 exclude_day_id: int | None = None) -> dict[dt.date, int]:
    """People of ``unit`` away per date (approved, plus pending if asked): one GROUP BY."""
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    qs = RequestDay.objects.filter(unit=unit, date__range=(start, end), status__in=statuses,
                                   employee__is_active=True)
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    return dict(qs.values_list("date").annotate(n=Count("id")).values_list("date", "n"))


def own_flexible_dates(employee: Employee, start: dt.date, end: dt.date, *, include_pending: bool = True,
                       exclude_day_id: int | None = None) -> list[dt.date]:
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    qs = RequestDay.objects.filter(employee=employee, date__range=(start, end), status__in=statuses,
                                   kind__in=list(FLEXIBLE_KINDS))
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    return list(qs.values_list("date", flat=True))


def essential_counts(employee: Employee, policy: rules.Policy, start: dt.date, end: dt.date,
                     *, include_pending: bool, exclude_day_id: int | None = None):
    """(holders, away per date) for the employee's jabatan if the policy marks it essential."""
    if employee.jabatan not in dict(policy.essential):
        return None
    holders = Employee.objects.filter(unit_id=employee.unit_id, jabatan=employee.jabatan, is_active=True).count()
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    qs = RequestDay.objects.filter(unit_id=employee.unit_id, employee__jabatan=employee.jabatan,
                                   date__range=(start, end), status__in=statuses)
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    away = dict(qs.values_list("date").annotate(n=Count("id")).values_list("date", "n"))
    return holders, away


def months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


# --- Coverage projection ---------------------------------------------------------------

@dataclass(frozen=True)
class CoverageDay:
    date: dt.date
    headcount: int
    away: int
    in_office: int
    minimum: int
    remaining: int
    working: bool
    holiday: str = ""

    @property
    def status(self) -> str:
        if not self.working:
            return "off"
        if self.in_office < self.minimum:
            return "below"
        return "tight" if self.remaining == 0 else "ok"


def coverage(unit: Unit, start: dt.date, end: dt.date) -> list[CoverageDay]:
    """Projected office presence per day: headcount, in office, minimum, flexible slots left."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    working = set(workcalendar.working_days(unit, start, end))
    holidays = workcalendar.holidays_between(unit, start, end)
    policies = effective_policies(unit, days)
    headcount = unit_headcount(unit)
    include_pending = any(p.count_pending for p in policies.values())
    approved = away_by_date(unit, start, end, include_pending=False)
    active = away_by_date(unit, start, end, include_pending=True) if include_pending else approved
    out = []
    for d in days:
        policy = policies[d]
        away = (active if policy.count_pending else approved).get(d, 0)
        minimum = rules.required_in_office(policy, d.weekday(), headcount)
        in_office = headcount - away
        out.append(CoverageDay(d, headcount, away, in_office, minimum, max(0, in_office - minimum),
                               d in working, holidays[d].name if d in holidays else ""))
    return out


# --- Actor-scoped reads ----------------------------------------------------------------

def approver_for(day: RequestDay) -> Employee | None:
    """Who decides: the atasan langsung; for keadaan khusus, the head of the unit."""
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
    return ordinary | special


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


def inbox(user) -> list[dict]:
    """Pending days the user decides, with the unit's presence before/after each approval.

    Query count is constant in the number of items: one query for the days, one grouped
    query per (unit, date range) for the away counts, headcounts in one GROUP BY.
    """
    days = list(days_decidable_by(user).filter(status=Status.PENDING)
                .select_related("request", "employee", "unit").order_by("date", "employee__name"))
    if not days:
        return []
    unit_ids = {d.unit_id for d in days}
    start, end = days[0].date, days[-1].date
    heads = dict(Employee.objects.filter(unit_id__in=unit_ids, is_active=True).values_list("unit")
                 .annotate(n=Count("id")).values_list("unit", "n"))
    away = defaultdict(int)
    for unit_id, date, n in (RequestDay.objects.filter(unit_id__in=unit_ids, date__range=(start, end),
                                                       status=Status.APPROVED)
                             .values_list("unit", "date").annotate(n=Count("id")).values_list("unit", "date", "n")):
        away[(unit_id, date)] = n
    policy_rows = list(CoveragePolicy.objects.filter(
        unit_id__in={a for d in days for a in d.unit.ancestor_ids}).prefetch_related("essential_positions"))
    items = []
    for d in days:
        rows = [r for r in policy_rows if r.unit_id in d.unit.ancestor_ids]
        policy = rules.merge_policies(_policy_layers(d.unit, d.date, rows))
        headcount = heads.get(d.unit_id, 0)
        before = headcount - away[(d.unit_id, d.date)]
        after = before - 1
        minimum = rules.required_in_office(policy, d.date.weekday(), headcount)
        items.append({"day": d, "headcount": headcount, "before": before, "after": after, "minimum": minimum,
                      "below": after < minimum, "flexible": d.kind in FLEXIBLE_KINDS})
    return items


# --- For attendance (staffing, day status) ---------------------------------------------

def plan_counts(start: dt.date, end: dt.date, unit_ids=None):
    """Active request days of active employees per (unit, date): one GROUP BY with a
    conditional count per kind (approved) and one for pending.

    Yields dicts ``{"unit_id", "date", "pending", <kind>: n, ...}`` for unit-days with any plan.
    """
    from scheduling.models import Kind

    qs = RequestDay.objects.filter(date__range=(start, end), status__in=list(ACTIVE_STATUSES),
                                   employee__is_active=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    approved = {k.value: Count("id", filter=Q(kind=k.value, status=Status.APPROVED)) for k in Kind}
    return (qs.values("unit_id", "date").annotate(pending=Count("id", filter=Q(status=Status.PENDING)), **approved)
            .order_by())


def all_policy_rows() -> list[CoveragePolicy]:
    """Every coverage policy row, for computing many units' effective policies in memory."""
    return list(CoveragePolicy.objects.prefetch_related("essential_positions"))


def policy_for(unit: Unit, day: dt.date, rows: list[CoveragePolicy]) -> rules.Policy:
    """Effective policy of ``unit`` on ``day`` from preloaded rows (see :func:`all_policy_rows`)."""
    ancestors = set(unit.ancestor_ids)
    return rules.merge_policies(_policy_layers(unit, day, [r for r in rows if r.unit_id in ancestors]))


def changed_unit_days(limit: int = 5000) -> list[tuple[int, int, dt.date, dt.datetime]]:
    """Unit-days whose plan changed since staffing last looked: (id, unit_id, date, changed_at)."""
    from scheduling.models import UnitDay

    return list(UnitDay.objects.filter(changed_at__isnull=False).order_by("changed_at")
                .values_list("pk", "unit_id", "date", "changed_at")[:limit])


def approved_plan_for(employee_ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], str]:
    """Approved request kinds per (employee_id, date), for day status and work mode."""
    rows = RequestDay.objects.filter(employee_id__in=list(employee_ids), date__range=(start, end),
                                     status=Status.APPROVED).values_list("employee_id", "date", "kind")
    return {(e, d): k for e, d, k in rows}


def pending_days_before(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.PENDING, date__lt=day)


def pending_days_on(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.PENDING, date=day)


def approved_flexible_on(day: dt.date) -> QuerySet[RequestDay]:
    return RequestDay.objects.filter(status=Status.APPROVED, date=day, kind__in=list(FLEXIBLE_KINDS))


def team_presence(unit: Unit, first: dt.date, last: dt.date, *, show_kinds: bool) -> list[dict]:
    """Per working day of ``unit``: who is in the office and who is away (approved), with the
    coverage numbers. The kind of absence is included only when ``show_kinds`` (HR over the
    unit): colleagues and supervisors see presence, not reasons."""
    people = dict(Employee.objects.filter(unit=unit, is_active=True).order_by("name").values_list("pk", "name"))
    plans: dict[dt.date, dict[int, tuple[str, str]]] = defaultdict(dict)
    for employee_id, date, kind, state in (RequestDay.objects
                                           .filter(unit=unit, date__range=(first, last),
                                                   status__in=list(ACTIVE_STATUSES), employee__is_active=True)
                                           .values_list("employee_id", "date", "kind", "status")):
        plans[date][employee_id] = (kind, state)
    days = []
    for cov in coverage(unit, first, last):
        if not cov.working:
            continue
        present, away = [], []
        for pk, name in people.items():
            kind, state = plans[cov.date].get(pk, (None, None))
            if state == Status.APPROVED:
                away.append({"employee_id": pk, "name": name, "kind": kind if show_kinds else None})
            else:
                present.append({"employee_id": pk, "name": name, "pending": state == Status.PENDING})
        days.append({"date": cov.date, "coverage": cov, "present": present, "away": away})
    return days
