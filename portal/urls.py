"""The project's URLs: the organisation app's own pages and API, then each app's.

This is the one module that names every app, by dotted string only (``include``): ``portal``'s
code never imports ``scheduling`` or ``attendance``.
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.views import audit, calendar, hr, notifications, shell

notification_patterns = ([
    path("", notifications.notification_list, name="list"),
    path("baca-semua/", notifications.notification_read_all, name="read-all"),
    path("<int:pk>/baca/", notifications.notification_read, name="read"),
    path("<int:pk>/buka/", notifications.notification_open, name="open"),
], "notifications")

urlpatterns = [
    path("", shell.home, name="home"),
    path("favicon.ico", shell.favicon, name="favicon"),
    path("healthz", shell.health, name="health"),
    path("accounts/login/", shell.LoginView.as_view(), name="login"),
    path("accounts/logout/", shell.logout_view, name="logout"),
    path("i18n/setlang/", shell.set_language, name="set_language"),
    path("hr/import/", hr.import_people, name="hr-import"),
    path("hr/supervisor-check/", hr.supervisor_check, name="hr-supervisor-check"),
    path("hr/audit/", audit.audit_log, name="hr-audit"),
    path("hr/audit/checkpoint/", audit.audit_checkpoints, name="hr-audit-checkpoints"),
    path("hr/audit/checkpoint/<int:pk>/unduh/", audit.audit_checkpoint_download, name="hr-audit-checkpoint-download"),
    path("hr/jam-kerja/", calendar.work_patterns, name="hr-work-patterns"),
    path("hr/jam-kerja/unit/<int:unit_id>/", calendar.work_pattern_unit, name="hr-work-pattern-unit"),
    path("hr/jam-kerja/unit/<int:unit_id>/pola/<int:pattern_id>/", calendar.work_pattern_unit,
         name="hr-work-pattern-edit"),
    path("hr/jam-kerja/pola/<int:pattern_id>/hapus/", calendar.work_pattern_delete, name="hr-work-pattern-delete"),
    path("hr/ramadan/", calendar.ramadan_periods, name="hr-ramadan"),
    path("hr/ramadan/<int:period_id>/", calendar.ramadan_periods, name="hr-ramadan-edit"),
    path("hr/ramadan/<int:period_id>/hapus/", calendar.ramadan_period_delete, name="hr-ramadan-delete"),
    path("notifikasi/", include(notification_patterns)),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="portal/api_docs.html"),
         name="api-docs"),
    path("admin/", admin.site.urls),
]

# The feature apps: pages at the site root, API under /api/v1/ (each app's urls.py / api_urls.py).
for app in ("scheduling", "attendance"):
    urlpatterns += [path("", include(f"{app}.urls")), path("api/v1/", include(f"{app}.api_urls"))]

# API paths answer the JSON error envelope even when no route matches (e.g. /api/v1/requests/abc/).
handler404 = "portal.api.errors.handler404"
