"""Staffing API under /api/v1/ (included by attendance/api_urls.py)."""

from django.urls import path

from attendance.staffing_api import StaffingView

urlpatterns: list = [
    path("staffing/", StaffingView.as_view(), name="api-staffing"),
]
