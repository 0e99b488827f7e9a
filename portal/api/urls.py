"""Routes under /api/v1/. Schema at /api/schema/, Swagger UI at /api/docs/ (portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.api.views.auth import MeView, TokenView
from portal.api.views.notifications import NotificationViewSet
from portal.api.views.org import EmployeeViewSet, UnitViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("employees", EmployeeViewSet, basename="api-employee")
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
