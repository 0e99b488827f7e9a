"""Attendance routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from attendance.api.closing import MonthClosureViewSet
from attendance.api.exports import ExportDetailView, ExportFileView, ExportListView
from attendance.api.permissions import PermissionViewSet
from attendance.api.presence import CheckInView, CheckOutView, CorrectionViewSet, DayStatusListView
from attendance.api.roster import RosterView
from attendance.api.rules import AttendanceRulesViewSet, ShiftViewSet
from attendance.api.staffing import StaffingView

router = SimpleRouter()
router.register("attendance/corrections", CorrectionViewSet, basename="api-attendance-correction")
router.register("attendance/permissions", PermissionViewSet, basename="api-attendance-permission")
router.register("attendance/rules", AttendanceRulesViewSet, basename="api-attendance-rules")
router.register("attendance/shifts", ShiftViewSet, basename="api-attendance-shift")
router.register("attendance/month-closures", MonthClosureViewSet, basename="api-attendance-month-closure")

urlpatterns = [
    path("staffing/", StaffingView.as_view(), name="api-staffing"),
    path("attendance/", DayStatusListView.as_view(), name="api-attendance-list"),
    path("attendance/roster/", RosterView.as_view(), name="api-attendance-roster"),
    path("attendance/check-in/", CheckInView.as_view(), name="api-attendance-check-in"),
    path("attendance/check-out/", CheckOutView.as_view(), name="api-attendance-check-out"),
    path("exports/", ExportListView.as_view(), name="api-export-list"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="api-export-detail"),
    path("exports/<int:pk>/file/", ExportFileView.as_view(), name="api-export-file"),
    *router.urls,
]
