"""Report pages at the site root (included by attendance/urls.py)."""

from django.urls import path

from attendance.views import reports

urlpatterns = [
    path("laporan/", reports.report_page, name="attendance-reports"),
    path("laporan/ekspor/", reports.report_export, name="attendance-report-export"),
    path("laporan/ekspor/<int:pk>/", reports.export_status, name="attendance-export-status"),
    path("laporan/ekspor/<int:pk>/unduh/", reports.export_download, name="attendance-export-download"),
]
