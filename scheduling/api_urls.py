"""Scheduling routes under /api/v1/ (included by portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduling.api.coverage import CoverageView, InboxView, TeamCalendarView
from scheduling.api.emergency import EmergencyViewSet
from scheduling.api.feeds import CalendarFeedListView, CalendarFeedRevokeView
from scheduling.api.leave import (
    EmployeeLeaveView,
    KindRulesView,
    LeaveAdjustmentView,
    LeaveInstitutionListView,
    LeaveOpeningView,
    LeaveSettingsView,
    MyLeaveView,
)
from scheduling.api.policies import CoveragePolicyViewSet, FwaWindowViewSet
from scheduling.api.requests import RequestDayHistoryView, RequestDayViewSet
from scheduling.api.rota import MyPreferenceView, PlanCellsView, PlanDetailView, PlanListView, PlanPublishView

router = SimpleRouter()
router.register("requests", RequestDayViewSet, basename="api-request-day")
router.register("policies", CoveragePolicyViewSet, basename="api-policy")
router.register("fwa-windows", FwaWindowViewSet, basename="api-fwa-window")
router.register("emergencies", EmergencyViewSet, basename="api-emergency")

urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="api-coverage"),
    path("inbox/", InboxView.as_view(), name="api-inbox"),
    path("team/", TeamCalendarView.as_view(), name="api-team"),
    path("requests/<int:pk>/history/", RequestDayHistoryView.as_view(), name="api-request-day-history"),
    path("leave/institutions/", LeaveInstitutionListView.as_view(), name="api-leave-institutions"),
    path("leave/institutions/<int:pk>/", LeaveSettingsView.as_view(), name="api-leave-settings"),
    path("leave/institutions/<int:pk>/kind-rules/", KindRulesView.as_view(), name="api-leave-kind-rules"),
    path("leave/employees/<int:pk>/", EmployeeLeaveView.as_view(), name="api-leave-employee"),
    path("leave/employees/<int:pk>/opening/", LeaveOpeningView.as_view(), name="api-leave-opening"),
    path("leave/employees/<int:pk>/adjustments/", LeaveAdjustmentView.as_view(), name="api-leave-adjustments"),
    path("leave/me/", MyLeaveView.as_view(), name="api-leave-me"),
    path("rota/preferences/", MyPreferenceView.as_view(), name="api-rota-preferences"),
    path("rota/plans/", PlanListView.as_view(), name="api-rota-plans"),
    path("rota/plans/<int:pk>/", PlanDetailView.as_view(), name="api-rota-plan"),
    path("rota/plans/<int:pk>/cells/", PlanCellsView.as_view(), name="api-rota-plan-cells"),
    path("rota/plans/<int:pk>/publish/", PlanPublishView.as_view(), name="api-rota-plan-publish"),
    path("me/calendar-feeds/", CalendarFeedListView.as_view(), name="api-calendar-feeds"),
    path("me/calendar-feeds/<str:kind>/revoke/", CalendarFeedRevokeView.as_view(),
         name="api-calendar-feed-revoke"),
    *router.urls,
]
