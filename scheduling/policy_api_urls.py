"""Scheduling HR and team routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduling.policy_api import CoveragePolicyViewSet, FwaWindowViewSet, RequestDayHistoryView, TeamCalendarView

router = SimpleRouter()
router.register("policies", CoveragePolicyViewSet, basename="api-policy")
router.register("fwa-windows", FwaWindowViewSet, basename="api-fwa-window")

urlpatterns = [
    path("team/", TeamCalendarView.as_view(), name="api-team"),
    path("requests/<int:pk>/history/", RequestDayHistoryView.as_view(), name="api-request-day-history"),
    *router.urls,
]
