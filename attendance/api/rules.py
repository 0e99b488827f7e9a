"""API for attendance rules versions and shifts (to be written)."""

from rest_framework import viewsets


class AttendanceRulesViewSet(viewsets.ViewSet):
    pass


class ShiftViewSet(viewsets.ViewSet):
    pass
