from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.views import hr, shell

urlpatterns = [
    path("", shell.home, name="home"),
    path("accounts/login/", shell.LoginView.as_view(), name="login"),
    path("accounts/logout/", shell.logout_view, name="logout"),
    path("i18n/setlang/", shell.set_language, name="set_language"),
    path("hr/import/", hr.import_people, name="hr-import"),
    path("hr/supervisor-check/", hr.supervisor_check, name="hr-supervisor-check"),
    path("hr/audit/", hr.audit_log, name="hr-audit"),
    path("notifikasi/", include("portal.notification_urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# Feature apps plug their pages and API in here (the project's root urlconf is the one
# place that knows every app; portal's own code never imports scheduling/attendance).
urlpatterns += [
    path("", include("scheduling.urls")),
    path("hr/kebijakan/", include("scheduling.hr_urls")),
    path("api/v1/", include("scheduling.api_urls")),
    path("", include("attendance.urls")),
    path("api/v1/", include("attendance.api_urls")),
]
