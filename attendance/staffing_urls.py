"""Staffing dashboard pages (included at the site root by attendance/urls.py)."""

from django.urls import path

from attendance.views import staffing

urlpatterns: list = [
    path("staffing/", staffing.dashboard, name="staffing-dashboard"),
    path("staffing/unit/<int:unit_id>/hari/<str:day>/", staffing.day, name="staffing-day"),
    path("staffing/unduh/", staffing.export, name="staffing-export"),
]
