from django.urls import include, path

urlpatterns = [
    path("", include("attendance.staffing_api_urls")),
    path("", include("attendance.presence_api_urls")),
    path("", include("attendance.reports_api_urls")),
]
