"""Leave as HR and the employee see it: the institutions whose leave an HR admin sets, the employees
whose balances they keep (searched, one page at a time), and one employee's cuti tahunan year by year
with the openings and adjustments behind it. One read for the HR pages, "Cuti saya", the request
form's balance block and the API.

The numbers come from :mod:`scheduling.selectors.leave` (and its pure :mod:`scheduling.leave_rules`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal import rules as portal_rules
from portal.models import Employee, Unit
from portal.selectors import employees_visible_to, hr_scope_units, units_visible_to
from scheduling import leave_rules
from scheduling.models import LeaveAdjustment, LeaveOpening
from scheduling.selectors import leave

# --- Institutions ---------------------------------------------------------------------------


def leave_institutions_for(user) -> QuerySet[Unit]:
    """Institutions (tree roots) whose leave ``user`` may set: roots inside their HR scope."""
    return units_visible_to(user).filter(parent__isnull=True).order_by("name", "pk")


@dataclass(frozen=True)
class InstitutionRow:
    leave: leave.InstitutionLeave
    editable: bool

    @property
    def institution(self) -> Unit:
        return self.leave.institution


def leave_institution_rows(user) -> list[InstitutionRow]:
    """The institutions of ``user``'s HR scope with their official and first year: those they may
    change, then those above a scope that lies inside an institution (shown, not changed)."""
    editable = list(leave_institutions_for(user).select_related("head"))
    editable_ids = {u.pk for u in editable}
    above_ids = sorted({u.ancestor_ids[0] for u in hr_scope_units(user)} - editable_ids)
    above = list(Unit.objects.filter(pk__in=above_ids).select_related("head").order_by("name", "pk"))
    return ([InstitutionRow(leave.institution_leave(u), True) for u in editable]
            + [InstitutionRow(leave.institution_leave(u), False) for u in above])


def institution_employee_by_nip(institution: Unit, nip: str) -> Employee | None:
    """The employee of ``institution`` with this NIP (typed grouped or not), else None."""
    digits = portal_rules.normalize_nip(nip or "")
    if not digits:
        return None
    return Employee.objects.in_subtree(institution).select_related("unit").filter(nip=digits).first()


# --- Employees in scope ---------------------------------------------------------------------


def leave_employees(user, query: str = "", *, offset: int = 0, limit: int = 50) -> list[Employee]:
    """Employees in ``user``'s HR scope matching ``query`` (part of a NIP, or of a name), by name,
    ``limit + 1`` of them from ``offset`` so the caller knows whether a next page exists without
    counting the whole institution."""
    employees = employees_visible_to(user).select_related("unit")
    text = (query or "").strip()
    digits = portal_rules.normalize_nip(text)
    if len(digits) >= 4 and digits.isdigit():
        employees = employees.filter(nip__contains=digits)
    elif text:
        employees = employees.filter(Q(name__icontains=text) | Q(jabatan__icontains=text))
    return list(employees.order_by("name", "pk")[offset:offset + limit + 1])


# --- One employee ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeLeave:
    """One employee's cuti tahunan: every year the portal keeps (newest first), HR's openings by
    year and the adjustments with their reasons and authors (oldest first)."""

    employee: Employee
    this_year: int
    years: list[leave_rules.YearBalance]
    openings: dict[int, LeaveOpening]
    adjustments: list[LeaveAdjustment]

    @property
    def service_start(self) -> dt.date | None:
        return self.employee.service_start

    @property
    def current(self) -> leave_rules.YearBalance | None:
        return next((b for b in self.years if b.year == self.this_year), None)

    @property
    def service_years(self) -> int | None:
        return leave_rules.years_of_service(self.employee.service_start, self.employee.unit.local_today())

    @property
    def not_yet_entitled(self) -> bool:
        """Less than a year of service: no cuti tahunan yet (PP 11/2017 Pasal 310; PP 49/2018 Pasal 79)."""
        years = self.service_years
        return years is not None and years < 1


def employee_leave(employee: Employee, up_to: int | None = None) -> EmployeeLeave:
    """The employee's cuti tahunan up to ``up_to`` (default: this year in their unit's time zone)."""
    this_year = employee.unit.local_today().year
    openings = {o.year: o for o in LeaveOpening.objects.filter(employee=employee).select_related("set_by")}
    adjustments = list(LeaveAdjustment.objects.filter(employee=employee).select_related("created_by")
                       .order_by("year", "created_at", "pk"))
    return EmployeeLeave(employee, this_year, leave.annual_leave_years(employee, up_to or this_year), openings,
                         adjustments)


def annual_leave_now(employee: Employee) -> leave_rules.YearBalance | None:
    """This year's cuti tahunan of the employee (the request form's block); None before the first
    year the institution keeps balances for."""
    year = employee.unit.local_today().year
    return leave_rules.annual_balances(leave.annual_leave_facts(employee), year).get(year)
