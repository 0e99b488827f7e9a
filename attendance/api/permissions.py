"""Partial-day permission API (to be written)."""

from rest_framework import viewsets


class PermissionViewSet(viewsets.ViewSet):
    pass
