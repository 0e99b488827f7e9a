"""Reads of the fair rota planner: weekday preferences, the units an actor may plan, the plain
inputs of :mod:`scheduling.rota_rules` for a unit and month, the plans in scope and their grid.

The inputs are gathered the way the request preview gathers a day (effective policies, who is away,
caps, essential positions, FWA days that free the caps), once per unit and month, so the pure
planner checks cells with the approval's own rule function.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from portal.forms import month_bounds
from portal.models import Employee, Unit
from portal.selectors import workcalendar
from scheduling import rota_rules, rules
from scheduling.models import ACTIVE_STATUSES, FLEXIBLE_KINDS, Kind, RequestDay, RotaPlan, Status, WeekdayPreference
from scheduling.selectors import office as counts
from scheduling.selectors.fwa import cap_free_days
from scheduling.selectors.policies import effective_policies

HISTORY_MONTHS = 3  # the fairness window before the planned month


def preference_of(employee: Employee) -> WeekdayPreference:
    """The employee's weekday preferences (an unsaved empty one when they set none)."""
    return WeekdayPreference.objects.filter(employee=employee).first() or WeekdayPreference(employee=employee)


def rota_units(user) -> list[Unit]:
    """Units ``user`` may plan: those they decide for (own reports, Plh/Plt, unit head), then their
    HR subtree; every unit for a superuser (picked by id)."""
    return counts.team_units(user)[0]


def rota_unit_for(user, unit_id: int) -> Unit:
    """The unit ``user`` asked to plan, or 404 outside their reach."""
    unit = next((u for u in rota_units(user) if u.pk == unit_id), None)
    if unit is None and getattr(user, "is_superuser", False):
        unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def plans_visible_to(user):
    """Rota plans of the units ``user`` may plan, newest first."""
    if getattr(user, "is_superuser", False):
        return RotaPlan.objects.select_related("unit").order_by("-created_at")
    return RotaPlan.objects.filter(unit__in=[u.pk for u in rota_units(user)]).select_related("unit").order_by(
        "-created_at")


def plan_for(user, plan_id: int) -> RotaPlan:
    plan = plans_visible_to(user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


# --- The planner's inputs --------------------------------------------------------------------


@dataclass
class UnitInput:
    """One unit's plain inputs, with what the grid needs to name them."""

    unit: Unit
    inp: rota_rules.PlanInput
    employees: dict[int, Employee]
    fixed: dict[int, dict[dt.date, str]] = field(default_factory=dict)  # live requests: employee -> date -> kind
    not_planned: list[Employee] = field(default_factory=list)  # heads counted with the subtree they lead


def plan_days(unit: Unit, month: dt.date) -> list[dt.date]:
    """The working days of the month still ahead (tomorrow on, in the unit's zone)."""
    first, last = month_bounds(month)
    today = unit.local_today()
    return [d for d in workcalendar.working_days(unit, max(first, today + dt.timedelta(days=1)), last)]


def plan_units(unit: Unit, include_subunits: bool) -> list[Unit]:
    if not include_subunits:
        return [unit]
    return list(Unit.objects.subtree_of(unit).filter(is_active=True).order_by("path"))


def plan_inputs(unit: Unit, month: dt.date, *, include_subunits: bool = False) -> list[UnitInput]:
    """The planner's inputs for the unit (and those below it) over the month. Refuses, with a
    translated error, a month with no working day left or units with nobody to plan."""
    if not plan_days(unit, month):
        raise ValidationError({"month": _("Tidak ada hari kerja tersisa pada bulan ini untuk direncanakan.")})
    found = [ui for u in plan_units(unit, include_subunits) if (ui := unit_input(u, month)) is not None]
    if not any(ui.inp.people for ui in found):
        raise ValidationError({"unit": _("Tidak ada pegawai aktif yang dapat direncanakan di unit ini.")})
    return found


def unit_input(unit: Unit, month: dt.date) -> UnitInput | None:
    days = plan_days(unit, month)
    employees = list(Employee.objects.filter(unit=unit, is_active=True).select_related("weekday_preference")
                     .order_by("name", "pk"))
    if not days or not employees:
        return None
    # A head whose unit has units below is counted with that subtree (docs/decisions.md, "Leaders and
    # tiny units"): not planned with the unit, like the preview does not count them with it.
    leads = bool(unit.head_id) and Unit.objects.filter(parent=unit, is_active=True).exists()
    heads = [e for e in employees if leads and e.pk == unit.head_id]
    planned = [e for e in employees if e not in heads]
    policies = effective_policies(unit, days)
    live = _live_days(planned, days)
    history = _history(unit, planned, month)
    people = tuple(_person(e, days, live.get(e.pk, {}), history.get(e.pk, (0, 0))) for e in planned)
    plan = rota_rules.PlanInput(unit.name, counts.unit_headcount(unit), _holders(unit), people,
                                _plan_days(unit, days, policies))
    fixed = {e.pk: {d: kind for d, (kind, _s) in live.get(e.pk, {}).items() if d in set(days)} for e in planned}
    return UnitInput(unit, plan, {e.pk: e for e in planned}, fixed, heads)


def _plan_days(unit: Unit, days: list[dt.date], policies: dict[dt.date, rules.Policy]) -> tuple:
    first, last = days[0], days[-1]
    approved = counts.away_by_date(unit, first, last, include_pending=False)
    approved_ess = _essential_away(unit, first, last, include_pending=False)
    pending = any(p.count_pending for p in policies.values())
    active = counts.away_by_date(unit, first, last, include_pending=True) if pending else approved
    active_ess = _essential_away(unit, first, last, include_pending=True) if pending else approved_ess
    free = cap_free_days(unit, first, last)
    return tuple(rota_rules.PlanDay(
        d, policies[d], (active if policies[d].count_pending else approved).get(d, 0),
        (active_ess if policies[d].count_pending else approved_ess).get(d, {}), free.get(d, ""))
        for d in days)


def _essential_away(unit: Unit, start: dt.date, end: dt.date, *, include_pending: bool) -> dict:
    statuses = list(ACTIVE_STATUSES) if include_pending else [Status.APPROVED]
    out: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for date, jabatan, n in (RequestDay.objects.filter(unit=unit, date__range=(start, end), status__in=statuses,
                                                       employee__is_active=True)
                             .values_list("date", "employee__jabatan").annotate(n=Count("id"))
                             .values_list("date", "employee__jabatan", "n")):
        out[date][jabatan] = n
    return out


def _holders(unit: Unit) -> dict[str, int]:
    return dict(Employee.objects.filter(unit=unit, is_active=True).values_list("jabatan")
                .annotate(n=Count("id")).values_list("jabatan", "n"))


def _live_days(employees: list[Employee], days: list[dt.date]) -> dict[int, dict[dt.date, tuple[str, str]]]:
    """Each person's live request days around the month (whole weeks, for the weekly cap)."""
    start, end = rules.week_start(days[0].replace(day=1)), days[-1] + dt.timedelta(days=7)
    out: dict[int, dict[dt.date, tuple[str, str]]] = defaultdict(dict)
    for pk, date, kind, status in RequestDay.objects.filter(
            employee__in=employees, date__range=(start, end), status__in=list(ACTIVE_STATUSES)).values_list(
            "employee_id", "date", "kind", "status"):
        out[pk][date] = (kind, status)
    return out


def _weekdays(pref: WeekdayPreference | None, name: str) -> frozenset[int]:
    return frozenset(int(d) for d in (getattr(pref, name, None) or []))


def _preference(employee: Employee) -> WeekdayPreference | None:
    try:
        return employee.weekday_preference
    except WeekdayPreference.DoesNotExist:
        return None


def _person(e: Employee, days: list[dt.date], live: dict, history: tuple[int, int]) -> rota_rules.Person:
    pref = _preference(e)
    in_plan = set(days)
    return rota_rules.Person(
        e.pk, e.jabatan, _weekdays(pref, "preferred"), _weekdays(pref, "impossible"),
        busy=frozenset(d for d in live if d in in_plan),
        own_flexible=tuple(sorted(d for d, (kind, _s) in live.items() if kind in FLEXIBLE_KINDS)),
        disciplinary=frozenset(d for d in days if e.disciplinary_until and e.disciplinary_until >= d),
        months_since_placement={d: counts.months_between(e.placement_date, d) for d in days} if e.placement_date
        else {},
        history_granted=history[0], history_wanted=history[1])


def history_window(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    start = first
    for _i in range(HISTORY_MONTHS):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, first - dt.timedelta(days=1)


def _history(unit: Unit, employees: list[Employee], month: dt.date) -> dict[int, tuple[int, int]]:
    """(preferred days granted, preferred working days) per person over the months before the plan:
    approved flexible days on a weekday the person prefers now, against the unit's working days on
    those weekdays."""
    start, end = history_window(month)
    worked = workcalendar.working_days(unit, start, end)
    granted: dict[int, list[dt.date]] = defaultdict(list)
    for pk, date in RequestDay.objects.filter(employee__in=employees, date__range=(start, end),
                                              status=Status.APPROVED, kind__in=list(FLEXIBLE_KINDS)).values_list(
            "employee_id", "date"):
        granted[pk].append(date)
    out = {}
    for e in employees:
        preferred = _weekdays(_preference(e), "preferred")
        out[e.pk] = (sum(1 for d in granted[e.pk] if d.weekday() in preferred),
                     sum(1 for d in worked if d.weekday() in preferred))
    return out


# --- A plan as the grid shows it ---------------------------------------------------------------


def assignment_of(plan: RotaPlan) -> rota_rules.Assignment:
    return {int(pk): {dt.date.fromisoformat(d): kind for d, kind in cells.items()} for pk, cells in plan.cells.items()}


def cells_json(assignment: rota_rules.Assignment) -> dict:
    return {str(pk): {d.isoformat(): kind for d, kind in sorted(cells.items())}
            for pk, cells in sorted(assignment.items()) if cells}


def combined_fairness(inputs: list[UnitInput], assignment: rota_rules.Assignment) -> rota_rules.Fairness:
    people = tuple(p for ui in inputs for p in rota_rules.fairness(ui.inp, assignment).people)
    return rota_rules.Fairness(people)


@dataclass(frozen=True)
class Cell:
    date: dt.date
    value: str  # office / WFH / WFA, or the kind of a live request
    fixed: bool  # a live request: shown, not planned
    preferred: bool = False
    impossible: bool = False

    @property
    def label(self) -> str:
        if self.value == rota_rules.OFFICE:
            return _("Kantor")
        return str(Kind(self.value).label) if self.value in Kind.values else self.value


@dataclass
class Row:
    employee: Employee
    cells: list[Cell]
    percent: int | None
    granted: int
    wanted: int


@dataclass
class UnitGrid:
    unit: Unit
    days: list[dt.date]
    rows: list[Row]
    not_planned: list[Employee]


@dataclass
class RotaView:
    plan: RotaPlan
    grids: list[UnitGrid]
    fairness: rota_rules.Fairness

    @property
    def editable(self) -> bool:
        return self.plan.status == "draft"

    @property
    def interrupted(self) -> bool:
        """A publish that started and has not finished (it may resume after a few minutes)."""
        return self.plan.status == "publishing"


def rota_view(plan: RotaPlan) -> RotaView:
    """The plan as a grid per unit (people × working days), with each person's share and the
    plan's spread, recomputed from today's inputs (a request decided since shows as fixed)."""
    try:
        inputs = plan_inputs(plan.unit, plan.month, include_subunits=plan.include_subunits)
    except ValidationError:
        inputs = []
    assignment = assignment_of(plan)
    fair = combined_fairness(inputs, assignment)
    shares = {p.person_id: p for p in fair.people}
    grids = []
    for ui in inputs:
        days = [d.date for d in ui.inp.days]
        rows = []
        for person in ui.inp.people:
            cells = [_cell(person, d, ui.fixed.get(person.id, {}), assignment.get(person.id, {})) for d in days]
            s = shares.get(person.id)
            rows.append(Row(ui.employees[person.id], cells, s.percent if s else None, s.granted if s else 0,
                            s.wanted if s else 0))
        grids.append(UnitGrid(ui.unit, days, rows, ui.not_planned))
    return RotaView(plan, grids, fair)


def _cell(person: rota_rules.Person, d: dt.date, fixed: dict, planned: dict) -> Cell:
    marks = {"preferred": d.weekday() in person.preferred, "impossible": d.weekday() in person.impossible}
    if d in fixed:
        return Cell(d, fixed[d], True, **marks)
    return Cell(d, planned.get(d, rota_rules.OFFICE), False, **marks)

