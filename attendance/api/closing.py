"""Month closing API (to be written)."""

from rest_framework import viewsets


class MonthClosureViewSet(viewsets.ViewSet):
    pass
