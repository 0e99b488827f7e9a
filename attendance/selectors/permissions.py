"""Partial-day permissions as each actor may see them (pages and API read the same queries).

Own requests; those the user decides (as supervisor, or Plh/Plt of one — never their own); HR's
people. Outside that, "not found" (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from attendance.models import PartialPermission, PermissionStatus
from portal.selectors import employee_of, employees_visible_to, hr_scope_units
from scheduling import selectors as scheduling


def permissions_decidable_by(user) -> QuerySet[PartialPermission]:
    if getattr(user, "is_superuser", False):
        return PartialPermission.objects.all()
    approver_ids = list(scheduling.represented_approvers(user))
    return PartialPermission.objects.filter(employee__supervisor_id__in=approver_ids).exclude(employee__user=user)


def permission_for_decision(user, pk) -> PartialPermission:
    try:
        return permissions_decidable_by(user).select_related("employee__unit", "employee__supervisor").get(pk=pk)
    except (PartialPermission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def permissions_visible_to(user) -> QuerySet[PartialPermission]:
    if getattr(user, "is_superuser", False):
        return PartialPermission.objects.all()
    q = Q(pk__in=permissions_decidable_by(user).values("pk"))
    me = employee_of(user)
    if me is not None:
        q |= Q(employee=me)
    if hr_scope_units(user):
        q |= Q(employee__in=employees_visible_to(user).values("pk"))
    return PartialPermission.objects.filter(q)


def permissions_pending_for(user) -> QuerySet[PartialPermission]:
    """What waits for this user's decision, oldest day first."""
    return (permissions_decidable_by(user).filter(status=PermissionStatus.PENDING)
            .select_related("employee__unit").order_by("date", "created_at"))


def own_permissions(user) -> QuerySet[PartialPermission]:
    me = employee_of(user)
    if me is None:
        return PartialPermission.objects.none()
    return PartialPermission.objects.filter(employee=me).select_related("decided_by").order_by("-date", "-created_at")
