"""Roster API (to be written)."""

from rest_framework.views import APIView


class RosterView(APIView):
    pass
