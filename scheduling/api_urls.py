"""Scheduling routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduling.api.coverage import CoverageView, InboxView, TeamCalendarView
from scheduling.api.policies import CoveragePolicyViewSet, FwaWindowViewSet
from scheduling.api.requests import RequestDayHistoryView, RequestDayViewSet

router = SimpleRouter()
router.register("requests", RequestDayViewSet, basename="api-request-day")
router.register("policies", CoveragePolicyViewSet, basename="api-policy")
router.register("fwa-windows", FwaWindowViewSet, basename="api-fwa-window")

urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="api-coverage"),
    path("inbox/", InboxView.as_view(), name="api-inbox"),
    path("team/", TeamCalendarView.as_view(), name="api-team"),
    path("requests/<int:pk>/history/", RequestDayHistoryView.as_view(), name="api-request-day-history"),
    *router.urls,
]
