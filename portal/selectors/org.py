"""Reads of the organisation, always scoped to an actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import facts, rules
from portal.models import AuditEvent, Delegation, Employee, HRAdminScope, Notification, TimeZone, Unit

ROLE_EMPLOYEE = "employee"
ROLE_SUPERVISOR = "supervisor"
ROLE_HR_ADMIN = "hr_admin"
ROLE_SUPERUSER = "superuser"


def employee_of(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def current_employee(user) -> Employee:
    """The signed-in active employee with their unit, or 404: pages and endpoints that only make
    sense for staff (a plan, check-in) do not exist for HR-only accounts."""
    me = employee_of(user)
    if me is None or not me.is_active:
        raise Http404
    return Employee.objects.select_related("unit").get(pk=me.pk)


def display_name(user) -> str:
    """How people are named on screen: the employee's name, else the account's; "Sistem" for None."""
    if user is None:
        return str(_("Sistem"))
    try:
        return user.employee.name
    except Employee.DoesNotExist:
        return user.get_full_name() or user.get_username()


def active_delegations_for(employee: Employee, day: dt.date | None = None) -> QuerySet[Delegation]:
    """Delegations in which ``employee`` acts (as Plh/Plt) on ``day``."""
    day = day or timezone.localdate()
    return Delegation.objects.active_on(day).filter(delegate=employee).select_related("delegator")


def hr_scope_units(user) -> list[Unit]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [s.unit for s in HRAdminScope.objects.filter(user=user).select_related("unit")]


def is_hr(user) -> bool:
    """A superuser or the holder of at least one HR admin scope."""
    return bool(getattr(user, "is_superuser", False) or hr_scope_units(user))


def roles_of(user, day: dt.date | None = None) -> list[str]:
    """The roles a user holds today, in a stable order."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = []
    employee = employee_of(user)
    # A deactivated employee (retired, transferred out) may still have an active account,
    # e.g. one that also holds an HR scope; it must not act as staff or approve anything.
    if employee is not None and employee.is_active:
        roles.append(ROLE_EMPLOYEE)
        has_reports = employee.reports.filter(is_active=True).exists()
        if has_reports or active_delegations_for(employee, day).exists():
            roles.append(ROLE_SUPERVISOR)
    if HRAdminScope.objects.filter(user=user).exists():
        roles.append(ROLE_HR_ADMIN)
    if user.is_superuser:
        roles.append(ROLE_SUPERUSER)
    return roles


def units_visible_to(user) -> QuerySet[Unit]:
    """Units an HR admin manages (their subtrees); all for a superuser; none otherwise."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.all()
    scopes = hr_scope_units(user)
    return Unit.objects.subtrees_of(scopes) if scopes else Unit.objects.none()


def employees_visible_to(user) -> QuerySet[Employee]:
    """Employees an HR admin manages; all for a superuser; none otherwise."""
    if getattr(user, "is_superuser", False):
        return Employee.objects.all()
    scopes = hr_scope_units(user)
    if not scopes:
        return Employee.objects.none()
    return Employee.objects.filter(unit__in=Unit.objects.subtrees_of(scopes))


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    if getattr(user, "is_superuser", False):
        return AuditEvent.objects.all()
    scopes = hr_scope_units(user)
    if not scopes:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(unit__in=Unit.objects.subtrees_of(scopes))


def ancestors_of(unit: Unit) -> tuple[Unit, ...]:
    """The unit's ancestors, root first (not the unit itself): a rule fact, read once per change of
    the unit tree (portal.facts). The rows are shared between requests: read them, never change them."""
    ids = tuple(unit.ancestor_ids[:-1])
    if not ids:
        return ()
    return facts.remembered("units.ancestors", ids, lambda: tuple(
        sorted(Unit.objects.filter(pk__in=ids), key=lambda u: u.depth)))


def with_time_zones(units) -> list[Unit]:
    """Fill each unit's effective time zone from its ancestors in one query, so reading
    ``unit.tzinfo`` later costs nothing (instead of a query per unit)."""
    units = list(units)
    pending = [u for u in units if "effective_time_zone" not in u.__dict__]
    if not pending:
        return units
    ids = tuple(sorted({a for u in pending for a in (u.ancestor_ids or [u.pk])}))
    own = facts.remembered("units.time_zones", ids, lambda: dict(
        Unit.objects.filter(pk__in=ids).values_list("pk", "time_zone")))
    for unit in pending:
        zones = [own.get(a) for a in (unit.ancestor_ids or [unit.pk]) if own.get(a)]
        unit.__dict__["effective_time_zone"] = zones[-1] if zones else TimeZone.WIB
    return units


def units_in_time_zone(tz: str) -> list[Unit]:
    """Active units whose effective time zone is ``tz`` (resolved in memory from the paths)."""
    units = list(Unit.objects.filter(is_active=True).only("id", "path", "time_zone", "parent_id", "name", "head_id"))
    own = {u.pk: u.time_zone for u in units}
    out = []
    for unit in units:
        zone = next((own.get(a) for a in reversed(unit.ancestor_ids) if own.get(a)), "Asia/Jakarta")
        if zone == tz:
            out.append(unit)
    return out


def local_today(tz: str) -> dt.date:
    import zoneinfo

    return timezone.localtime(timezone=zoneinfo.ZoneInfo(tz)).date()


def notifications_of(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- Supervisor data check (HR) -------------------------------------------------------

ISSUE_NONE = "none"
ISSUE_INACTIVE = "inactive"
ISSUE_OTHER_INSTITUTION = "other_institution"
ISSUE_CYCLE = "cycle"
ISSUE_LABELS = {
    ISSUE_NONE: _("Belum ada atasan langsung"),
    ISSUE_INACTIVE: _("Atasan tidak aktif"),
    ISSUE_OTHER_INSTITUTION: _("Atasan berada di instansi lain"),
    ISSUE_CYCLE: _("Rantai atasan membentuk lingkaran"),
}


@dataclass
class SupervisorIssue:
    employee_id: int
    sort_key: tuple
    issues: list[str]
    employee: Employee | None = None

    @property
    def labels(self):
        return [ISSUE_LABELS[i] for i in self.issues]


def _institution_of(path: str | None) -> str | None:
    return path.split("/")[1] if path else None


def supervisor_issues(user) -> list[SupervisorIssue]:
    """Active employees in ``user``'s scope whose supervisor data is wrong, in tree order.

    Reads light tuples for the whole scope (one query); callers fetch full rows only for
    the page they show. The head of an instansi has nobody above them: not an issue.
    """
    rows = list(employees_visible_to(user).filter(is_active=True).values_list(
        "id", "supervisor_id", "supervisor__is_active", "unit__path", "supervisor__unit__path", "name",
    ))
    if not rows:
        return []
    root_heads = set(Unit.objects.filter(parent__isnull=True, head__isnull=False).values_list("head_id", flat=True))
    in_cycle = rules.cycle_members(_supervisor_pairs(user, {_institution_of(r[3]) for r in rows}))
    found = []
    for pk, sup_id, sup_active, path, sup_path, name in rows:
        issues = []
        if sup_id is None and pk not in root_heads:
            issues.append(ISSUE_NONE)
        if sup_id is not None and not sup_active:
            issues.append(ISSUE_INACTIVE)
        if sup_id is not None and _institution_of(sup_path) != _institution_of(path):
            issues.append(ISSUE_OTHER_INSTITUTION)
        if pk in in_cycle:
            issues.append(ISSUE_CYCLE)
        if issues:
            found.append(SupervisorIssue(pk, (path, name, pk), issues))
    return sorted(found, key=lambda i: i.sort_key)


def _supervisor_pairs(user, institution_ids: set[str]) -> dict[int, int | None]:
    """(id → supervisor id) over the scope's whole institutions: a loop may pass
    through someone above the HR admin's subtree."""
    qs = Employee.objects.all()
    if not user.is_superuser:
        q = Q(pk__in=[])
        for institution_id in institution_ids:
            q |= Q(unit__path__startswith=f"/{institution_id}/")
        qs = qs.filter(q)
    return dict(qs.values_list("id", "supervisor_id"))
