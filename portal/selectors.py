"""Reads of the organisation, always scoped to an actor."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import AuditEvent, Delegation, Employee, HRAdminScope, Unit

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


def active_delegations_for(employee: Employee, day: dt.date | None = None) -> QuerySet[Delegation]:
    """Delegations in which ``employee`` acts (as Plh/Plt) on ``day``."""
    day = day or timezone.localdate()
    return Delegation.objects.active_on(day).filter(delegate=employee).select_related("delegator")


def hr_scope_units(user) -> list[Unit]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [s.unit for s in HRAdminScope.objects.filter(user=user).select_related("unit")]


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
    from portal.models import Notification

    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    from portal.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
