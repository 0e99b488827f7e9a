from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

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
    # The split view serves Swagger UI's init script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="portal/api_docs.html"),
         name="api-docs"),
    path("admin/", admin.site.urls),
]

# Feature apps plug their pages and API in here (the project's root urlconf is the one
# place that knows every app; portal's own code never imports scheduling/attendance).
urlpatterns += [
    path("", include("scheduling.urls")),
    path("hr/kebijakan/", include("scheduling.hr_urls")),
    path("api/v1/", include("scheduling.api_urls")),
    path("api/v1/", include("scheduling.policy_api_urls")),
    path("", include("attendance.urls")),
    path("api/v1/", include("attendance.api_urls")),
]

# API paths answer the JSON error envelope even when no route matches (e.g. /api/v1/requests/abc/).
handler404 = "portal.api.errors.handler404"
