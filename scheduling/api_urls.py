"""Scheduling routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduling.api import CoverageView, InboxView, RequestDayViewSet

router = SimpleRouter()
router.register("requests", RequestDayViewSet, basename="api-request-day")

urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="api-coverage"),
    path("inbox/", InboxView.as_view(), name="api-inbox"),
    *router.urls,
]
