"""Who may call the HR endpoints. Anyone else gets 404: the endpoints are not advertised."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from portal.selectors import is_hr


class IsHRAdmin(BasePermission):
    """Superuser or HR scope; any other signed-in caller gets 404 (not advertised)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False  # 401 from the authenticators
        if is_hr(request.user):
            return True
        raise exceptions.NotFound


class IsSuperuser(BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.user.is_superuser:
            return True
        raise exceptions.NotFound
