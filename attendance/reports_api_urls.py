"""Export routes under /api/v1/ (included by attendance/api_urls.py)."""

from django.urls import path

from attendance.reports_api import ExportDetailView, ExportFileView, ExportListView

urlpatterns = [
    path("exports/", ExportListView.as_view(), name="api-export-list"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="api-export-detail"),
    path("exports/<int:pk>/file/", ExportFileView.as_view(), name="api-export-file"),
]
