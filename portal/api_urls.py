"""Routes under /api/v1/. Schema at /api/schema/, Swagger UI at /api/docs/ (portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.api.views.audit import AuditCheckpointViewSet
from portal.api.views.auth import MeView, TokenView
from portal.api.views.calendar import RamadanPeriodViewSet, WorkPatternViewSet
from portal.api.views.hr import (
    AuditEventListView,
    CalendarOverrideViewSet,
    DelegationViewSet,
    EmployeeAdminViewSet,
    HRScopeViewSet,
    PeopleImportView,
    SupervisorCheckView,
    UnitAdminViewSet,
)
from portal.api.views.notifications import NotificationViewSet
from portal.api.views.unit_search import UnitSearchView

router = SimpleRouter()
# Reads for everybody in scope, writes for HR admins (portal.api.views.hr extends org's viewsets).
router.register("units", UnitAdminViewSet, basename="api-unit")
router.register("employees", EmployeeAdminViewSet, basename="api-employee")
router.register("delegations", DelegationViewSet, basename="api-delegation")
router.register("hr-scopes", HRScopeViewSet, basename="api-hr-scope")
router.register("calendar-overrides", CalendarOverrideViewSet, basename="api-calendar-override")
router.register("work-patterns", WorkPatternViewSet, basename="api-work-pattern")
router.register("ramadan-periods", RamadanPeriodViewSet, basename="api-ramadan-period")
router.register("notifications", NotificationViewSet, basename="api-notification")
router.register("audit/checkpoints", AuditCheckpointViewSet, basename="api-audit-checkpoint")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("hr/import/", PeopleImportView.as_view(), name="api-hr-import"),
    path("hr/supervisor-check/", SupervisorCheckView.as_view(), name="api-hr-supervisor-check"),
    path("hr/audit/", AuditEventListView.as_view(), name="api-hr-audit"),
    # before the router: its unit detail route would take "search" for a pk
    path("units/search/", UnitSearchView.as_view(), name="api-unit-search"),
    *router.urls,
]
