"""Partial-day permissions as each actor may see them (pages and API read the same queries).

Own requests; those the user decides (as supervisor, or Plh/Plt of one — never their own); HR's
people. Outside that, "not found" (404).
"""

from __future__ import annotations

from django.db.models import QuerySet

from attendance.models import PartialPermission, PermissionStatus
from attendance.selectors import decisions
from portal.selectors import employee_of


def permissions_decidable_by(user) -> QuerySet[PartialPermission]:
    return decisions.decidable_by(PartialPermission, user)


def permission_for_decision(user, pk) -> PartialPermission:
    return decisions.for_decision(PartialPermission, user, pk)


def permissions_visible_to(user) -> QuerySet[PartialPermission]:
    return decisions.visible_to(PartialPermission, user)


def permissions_pending_for(user) -> QuerySet[PartialPermission]:
    """What waits for this user's decision, oldest day first."""
    return (permissions_decidable_by(user).filter(status=PermissionStatus.PENDING)
            .select_related("employee__unit").order_by("date", "created_at"))


def own_permissions(user) -> QuerySet[PartialPermission]:
    me = employee_of(user)
    if me is None:
        return PartialPermission.objects.none()
    return PartialPermission.objects.filter(employee=me).select_related("decided_by").order_by("-date", "-created_at")
