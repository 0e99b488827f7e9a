"""Attendance routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from attendance.api.exports import ExportDetailView, ExportFileView, ExportListView
from attendance.api.presence import CheckInView, CheckOutView, CorrectionViewSet, DayStatusListView
from attendance.api.staffing import StaffingView

router = SimpleRouter()
router.register("attendance/corrections", CorrectionViewSet, basename="api-attendance-correction")

urlpatterns = [
    path("staffing/", StaffingView.as_view(), name="api-staffing"),
    path("attendance/", DayStatusListView.as_view(), name="api-attendance-list"),
    path("attendance/check-in/", CheckInView.as_view(), name="api-attendance-check-in"),
    path("attendance/check-out/", CheckOutView.as_view(), name="api-attendance-check-out"),
    path("exports/", ExportListView.as_view(), name="api-export-list"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="api-export-detail"),
    path("exports/<int:pk>/file/", ExportFileView.as_view(), name="api-export-file"),
    *router.urls,
]
