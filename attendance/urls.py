from django.urls import include, path

urlpatterns = [
    path("", include("attendance.staffing_urls")),
    path("", include("attendance.presence_urls")),
    path("", include("attendance.reports_urls")),
]
