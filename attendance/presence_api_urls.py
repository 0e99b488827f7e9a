"""Attendance routes under /api/v1/ (included by attendance/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from attendance.presence_api import CheckInView, CheckOutView, CorrectionViewSet, DayStatusListView

router = SimpleRouter()
router.register("attendance/corrections", CorrectionViewSet, basename="api-attendance-correction")

urlpatterns = [
    path("attendance/", DayStatusListView.as_view(), name="api-attendance-list"),
    path("attendance/check-in/", CheckInView.as_view(), name="api-attendance-check-in"),
    path("attendance/check-out/", CheckOutView.as_view(), name="api-attendance-check-out"),
    *router.urls,
]
