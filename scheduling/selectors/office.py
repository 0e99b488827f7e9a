"""Who is in the office: headcounts, who is away per day, projected coverage, the team calendar,
and the plan counts staffing aggregates.

Other apps (attendance) read scheduling only through :mod:`scheduling.selectors`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404

from portal.forms import month_bounds
from portal.models import Employee, Unit
from portal.selectors import employee_of, units_visible_to, workcalendar
from scheduling import rules
from scheduling.models import ACTIVE_STATUSES, Kind, RequestDay, Status, UnitDay
from scheduling.selectors.policies import effective_policies
from scheduling.selectors.requests import represented_approvers

MAX_UNIT_CHOICES = 300  # an HR admin of a whole institution picks among many units; keep the list sane


def leads_subtree(employee: Employee) -> bool:
    """A head of a unit with units below it: their presence is counted with the subtree they
    lead, so the head of a Dinas alone in its top node is not held by a share of one
    (docs/decisions.md, "Leaders and tiny units")."""
    unit = employee.unit
    return unit.head_id == employee.pk and Unit.objects.filter(parent=unit, is_active=True).exists()


def _in_unit(unit: Unit, subtree: bool, prefix: str = "") -> Q:
    if subtree:
        return Q(**{f"{prefix}unit__path__startswith": unit.path})
    return Q(**{f"{prefix}unit": unit})


def unit_headcount(unit: Unit, *, subtree: bool = False) -> int:
    return Employee.objects.filter(_in_unit(unit, subtree), is_active=True).count()


def away_by_date(unit: Unit, start: dt.date, end: dt.date, *, include_pending: bool,
                 exclude_day_id: int | None = None, subtree: bool = False) -> dict[dt.date, int]:
    """People of ``unit`` (or its subtree) away per date (approved, plus pending if asked): one GROUP BY."""
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    qs = RequestDay.objects.filter(_in_unit(unit, subtree), date__range=(start, end), status__in=statuses,
                                   employee__is_active=True)
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    return dict(qs.values_list("date").annotate(n=Count("id")).values_list("date", "n"))


def essential_counts(employee: Employee, start: dt.date, end: dt.date, *, include_pending: bool,
                     exclude_day_id: int | None = None) -> tuple[int, dict[dt.date, int]]:
    """(holders, away per date) of the employee's jabatan in their unit."""
    holders = Employee.objects.filter(unit_id=employee.unit_id, jabatan=employee.jabatan, is_active=True).count()
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    qs = RequestDay.objects.filter(unit_id=employee.unit_id, employee__jabatan=employee.jabatan,
                                   date__range=(start, end), status__in=statuses)
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    away = dict(qs.values_list("date").annotate(n=Count("id")).values_list("date", "n"))
    return holders, away


# --- The same counts for a page of people (the inbox): one query each, whatever the page ---------


def leading_subtrees(employees: list[Employee]) -> set[int]:
    """Ids of those of ``employees`` who lead a subtree (:func:`leads_subtree` for many)."""
    heads = {e.unit_id: e.pk for e in employees if e.unit.head_id == e.pk}
    if not heads:
        return set()
    parents = Unit.objects.filter(parent_id__in=list(heads), is_active=True).values_list("parent_id", flat=True)
    return {heads[u] for u in set(parents)}


Scope = tuple[Unit, bool]  # a unit, and whether its subtree is counted with it


def _per_scope(qs, scopes: set[Scope], by: tuple[str, ...] = ()) -> dict[tuple[int, bool], dict[tuple, int]]:
    """Rows of ``qs`` counted per scope and per value of ``by``: the plain units in one GROUP BY,
    the subtrees in one query of conditional counts (a subtree overlaps the units below it)."""
    out: dict[tuple[int, bool], dict[tuple, int]] = {(u.pk, deep): {} for u, deep in scopes}
    plain = [u.pk for u, deep in scopes if not deep]
    if plain:
        for row in qs.filter(unit_id__in=plain).values_list("unit_id", *by).annotate(n=Count("id")).order_by():
            out[(row[0], False)][tuple(row[1:-1])] = row[-1]
    deep = {f"s{u.pk}": (u, _in_unit(u, True)) for u, sub in scopes if sub}
    if deep:
        wanted = qs.filter(functools.reduce(operator.or_, (q for _u, q in deep.values())))
        counted = {name: Count("id", filter=q) for name, (_u, q) in deep.items()}
        rows = wanted.values(*by).annotate(**counted).order_by() if by else [wanted.aggregate(**counted)]
        for row in rows:
            for name, (unit, _q) in deep.items():
                if row[name]:
                    out[(unit.pk, True)][tuple(row[b] for b in by)] = row[name]
    return out


def unit_headcounts(scopes: set[Scope]) -> dict[tuple[int, bool], int]:
    """:func:`unit_headcount` of each scope (unit id, subtree)."""
    counted = _per_scope(Employee.objects.filter(is_active=True), scopes)
    return {key: rows.get((), 0) for key, rows in counted.items()}


def approved_away_by_date(scopes: set[Scope], start: dt.date,
                          end: dt.date) -> dict[tuple[int, bool], dict[dt.date, int]]:
    """:func:`away_by_date` (approved days only) of each scope (unit id, subtree)."""
    qs = RequestDay.objects.filter(date__range=(start, end), status=Status.APPROVED, employee__is_active=True)
    return {key: {d: n for (d,), n in rows.items()} for key, rows in _per_scope(qs, scopes, ("date",)).items()}


def live_days_around(employee_ids, start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date, str, str]]:
    """The live (asked or approved) days of each employee in [start, end], as (id, employee id,
    date, status, kind): one read for both things a page of checks asks of its people, their
    approved flexible days and the dates they hold another day on."""
    return list(RequestDay.objects.filter(employee_id__in=list(employee_ids), date__range=(start, end),
                                          status__in=list(ACTIVE_STATUSES))
                .values_list("pk", "employee_id", "date", "status", "kind"))


def approved_essential_counts(pairs: set[tuple[int, str]], start: dt.date, end: dt.date
                              ) -> dict[tuple[int, str], tuple[int, dict[dt.date, int]]]:
    """:func:`essential_counts` (approved days only) of each (unit id, jabatan): two queries."""
    if not pairs:
        return {}
    units, jabatans = {u for u, _j in pairs}, {j for _u, j in pairs}
    holders = dict(((u, j), n) for u, j, n in Employee.objects.filter(
        unit_id__in=units, jabatan__in=jabatans, is_active=True).values_list("unit_id", "jabatan")
        .annotate(n=Count("id")).order_by())
    away: dict[tuple[int, str], dict[dt.date, int]] = defaultdict(dict)
    for u, j, d, n in (RequestDay.objects.filter(unit_id__in=units, employee__jabatan__in=jabatans,
                                                 date__range=(start, end), status=Status.APPROVED)
                       .values_list("unit_id", "employee__jabatan", "date").annotate(n=Count("id")).order_by()):
        away[(u, j)][d] = n
    return {pair: (holders.get(pair, 0), away.get(pair, {})) for pair in pairs}


def months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


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


def coverage_unit_for(user, unit_id: int) -> Unit:
    """A unit whose projected coverage ``user`` may see, or 404: its members, whoever decides for
    someone in it (also as Plh/Plt or as its head), HR admins over it, superusers."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    if getattr(user, "is_superuser", False) or units_visible_to(user).filter(pk=unit.pk).exists():
        return unit
    me = employee_of(user)
    if me is None or not me.is_active:
        raise Http404
    if me.unit_id == unit.pk:
        return unit
    approver_ids = list(represented_approvers(user))
    if unit.head_id in approver_ids or Employee.objects.filter(unit=unit, is_active=True,
                                                               supervisor_id__in=approver_ids).exists():
        return unit
    raise Http404


# --- The team calendar ---------------------------------------------------------------------


def supervised_units(user) -> list[Unit]:
    """Units of the people this user decides for (own reports, as Plh/Plt, or as unit head)."""
    if getattr(user, "is_superuser", False):
        return []  # a superuser picks a unit explicitly, like HR
    approver_ids = list(represented_approvers(user))
    if not approver_ids:
        return []
    unit_ids = set(Employee.objects.filter(supervisor_id__in=approver_ids, is_active=True)
                   .values_list("unit_id", flat=True))
    unit_ids |= set(Unit.objects.filter(head_id__in=approver_ids).values_list("pk", flat=True))
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("path"))


def team_units(user) -> tuple[list[Unit], set[int]]:
    """Units ``user`` may look at in the team calendar (the units they supervise first, then their
    HR scope), and those of them where the kind of absence shows (HR scope only)."""
    units = supervised_units(user)
    seen = {u.pk for u in units}
    visible = units_visible_to(user)
    units += [u for u in visible.order_by("path")[:MAX_UNIT_CHOICES] if u.pk not in seen]
    return units, set(visible.filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))


@dataclass
class TeamDay:
    """One working day of the team calendar: who is in (and who has a request pending), who is
    away (the kind only when HR may see it), against the unit's minimum."""

    date: dt.date
    coverage: CoverageDay
    present: list[dict] = field(default_factory=list)
    away: list[dict] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return len(self.present) + len(self.away)

    @property
    def in_office(self) -> int:
        return len(self.present)

    @property
    def minimum(self) -> int:
        return self.coverage.minimum

    @property
    def below(self) -> bool:
        return len(self.present) < self.coverage.minimum


@dataclass
class TeamCalendar:
    unit: Unit
    units: list[Unit]
    show_kinds: bool
    first: dt.date
    last: dt.date
    days: list[TeamDay]

    @property
    def month(self) -> str:
        return f"{self.first:%Y-%m}"


def team_calendar(user, *, unit_id: int | None = None, month: dt.date | None = None) -> TeamCalendar:
    """The team presence calendar ``user`` may see: the unit asked for (404 outside their reach,
    superusers reach every unit) or their first one, for the month of ``month`` (default: this
    month in the viewer's zone)."""
    units, kind_units = team_units(user)
    if unit_id is not None:
        chosen = next((u for u in units if u.pk == unit_id), None)
        if chosen is None and getattr(user, "is_superuser", False):
            chosen = Unit.objects.filter(pk=unit_id).first()
    else:
        chosen = units[0] if units else None
    if chosen is None:
        raise Http404
    me = employee_of(user)
    first, last = month_bounds(month or (me.unit if me else chosen).local_today())
    show_kinds = chosen.pk in kind_units or bool(getattr(user, "is_superuser", False))
    return TeamCalendar(chosen, units, show_kinds, first, last, team_presence(chosen, first, last,
                                                                             show_kinds=show_kinds))


def team_presence(unit: Unit, first: dt.date, last: dt.date, *, show_kinds: bool) -> list[TeamDay]:
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
        day = TeamDay(cov.date, cov)
        for pk, name in people.items():
            kind, state = plans[cov.date].get(pk, (None, None))
            if state == Status.APPROVED:
                shown = kind if show_kinds else None
                day.away.append({"employee_id": pk, "name": name, "kind": shown,
                                 "kind_label": str(Kind(shown).label) if shown else ""})
            else:
                day.present.append({"employee_id": pk, "name": name, "pending": state == Status.PENDING})
        days.append(day)
    return days


# --- For attendance (staffing, day status) ---------------------------------------------


def plan_counts(start: dt.date, end: dt.date, unit_ids=None):
    """Active request days of active employees per (unit, date): one GROUP BY with a
    conditional count per kind (approved) and one for pending.

    Yields dicts ``{"unit_id", "date", "pending", <kind>: n, ...}`` for unit-days with any plan.
    Staffing compiles this queryset into its upsert as a subquery (the counts stay in the
    database), so its column names are part of the contract.
    """
    qs = RequestDay.objects.filter(date__range=(start, end), status__in=list(ACTIVE_STATUSES),
                                   employee__is_active=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    approved = {k.value: Count("id", filter=Q(kind=k.value, status=Status.APPROVED)) for k in Kind}
    return (qs.values("unit_id", "date").annotate(pending=Count("id", filter=Q(status=Status.PENDING)), **approved)
            .order_by())


def changed_unit_days(limit: int = 5000) -> list[tuple[int, int, dt.date, dt.datetime]]:
    """Unit-days whose plan changed since staffing last looked: (id, unit_id, date, changed_at)."""
    return list(UnitDay.objects.filter(changed_at__isnull=False).order_by("changed_at")
                .values_list("pk", "unit_id", "date", "changed_at")[:limit])


def approved_plan_for(employee_ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], str]:
    """Approved request kinds per (employee_id, date), for day status and work mode."""
    rows = RequestDay.objects.filter(employee_id__in=list(employee_ids), date__range=(start, end),
                                     status=Status.APPROVED).values_list("employee_id", "date", "kind")
    return {(e, d): k for e, d, k in rows}
