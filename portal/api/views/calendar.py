"""API for working patterns and Ramadan periods (to be written)."""

from rest_framework import viewsets


class WorkPatternViewSet(viewsets.ViewSet):
    pass


class RamadanPeriodViewSet(viewsets.ViewSet):
    pass
