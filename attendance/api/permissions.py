"""Partial-day permission API: izin terlambat, pulang cepat, meninggalkan kantor.

The same selectors as the pages (``attendance.selectors.permissions``) and the same services
(``attendance.services.permissions``), which validate, check scope (404), audit and recompute.
Times are the local times of the employee's unit (HH:MM).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from attendance.api.presence import PersonSerializer
from attendance.models import PartialPermission, PermissionKind, PermissionStatus
from attendance.selectors import permissions as selectors
from attendance.services import permissions as services
from portal.api import fields
from portal.api.filters import PeopleFilterSet
from portal.api.schema import PortalAutoSchema
from portal.selectors import display_name

MAX_TEXT = 2000
TAGS = ["attendance permissions"]


def _input(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PermissionInputSerializer(serializers.Serializer):
    date = fields.DateField(help_text="The local date (up to 31 days back, 90 ahead).")
    kind = serializers.ChoiceField(choices=PermissionKind.choices,
                                   help_text="TERLAMBAT needs end_time (arrival allowed until then); PULANG_CEPAT "
                                             "needs start_time (leaving from then); KELUAR needs both.")
    start_time = serializers.TimeField(required=False, allow_null=True, help_text="Local time, HH:MM.")
    end_time = serializers.TimeField(required=False, allow_null=True, help_text="Local time, HH:MM.")
    reason = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, help_text="Required (not blank).")


class PermissionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true approves, false rejects.")
    reason = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="",
                                   help_text="Required to reject.")


class PermissionSerializer(serializers.ModelSerializer):
    employee = PersonSerializer()
    start_time = fields.HourMinuteField(allow_null=True, help_text="Local time; null if unused.")
    end_time = fields.HourMinuteField(allow_null=True, help_text="Local time; null if unused.")
    decided_by = serializers.SerializerMethodField(help_text="Name of who decided; empty while pending.")

    class Meta:
        model = PartialPermission
        fields = ["id", "employee", "date", "kind", "start_time", "end_time", "reason", "status", "created_at",
                  "decided_by", "decided_at", "acting_for", "decision_reason"]

    def get_decided_by(self, permission) -> str:
        return display_name(permission.decided_by) if permission.decided_by_id else ""


class PermissionFilter(PeopleFilterSet):
    unit_field = "employee__unit"
    status = django_filters.MultipleChoiceFilter(choices=PermissionStatus.choices, label=_("Status"))
    kind = django_filters.MultipleChoiceFilter(choices=PermissionKind.choices, label=_("Jenis izin"))
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Mulai"))
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai"))

    class Meta:
        model = PartialPermission
        fields = ["status", "kind", "employee", "unit", "subtree", "start", "end", "mine"]


PERMISSION_EXAMPLE = {
    "id": 17, "employee": {"id": 7, "nip": "198609262015051001", "name": "Ani Lestari"}, "date": "2026-12-07",
    "kind": "TERLAMBAT", "start_time": None, "end_time": "09:00", "reason": "Mengantar anak ke rumah sakit.",
    "status": "approved", "created_at": "2026-12-06T19:02:11+07:00", "decided_by": "Kepala Bidang P2P",
    "decided_at": "2026-12-06T20:15:00+07:00", "acting_for": "", "decision_reason": ""}


@extend_schema_view(
    list=extend_schema(summary="Partial-day permissions visible to the caller", tags=TAGS,
                       description="Own permissions, those the caller decides (as supervisor or their Plh/Plt), "
                                   "and for HR admins those of their subtree. Newest day first.",
                       examples=[OpenApiExample("Permission", value=PERMISSION_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One partial-day permission", tags=TAGS,
                           description="404 when outside the caller's scope."),
)
class PermissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema = PortalAutoSchema()
    serializer_class = PermissionSerializer
    filterset_class = PermissionFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return PartialPermission.objects.none()
        return (selectors.permissions_visible_to(self.request.user)
                .select_related("employee", "decided_by__employee").order_by("-date", "-created_at", "-id"))

    def _answer(self, permission: PartialPermission, code=status.HTTP_200_OK) -> Response:
        fresh = PartialPermission.objects.select_related("employee", "decided_by__employee").get(pk=permission.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Ask for a partial-day permission (own)", tags=TAGS, request=PermissionInputSerializer,
        responses={201: PermissionSerializer},
        description="For the caller's own day. Only the times the kind uses are kept. One pending or approved "
                    "permission per day and kind (else 400); a day of a closed month is refused (400 on `date`). "
                    "Callers without an active employee record: 403.",
        examples=[OpenApiExample("Izin terlambat", request_only=True, value={
            "date": "2026-12-07", "kind": "TERLAMBAT", "end_time": "09:00",
            "reason": "Mengantar anak ke rumah sakit."})],
    )
    def create(self, request):
        data = _input(PermissionInputSerializer, request.data)
        permission = services.permission_submit(actor=request.user, **data)
        return self._answer(permission, status.HTTP_201_CREATED)

    @extend_schema(summary="Approve or reject a pending permission", tags=TAGS,
                   request=PermissionDecisionSerializer, responses={200: PermissionSerializer},
                   description="As the employee's supervisor or their active Plh/Plt (recorded as `acting_for`); "
                               "never one's own. Rejecting needs a reason (400 on `reason`). An approval "
                               "recomputes the day's status. Deciding an already decided permission changes "
                               "nothing. A day of a closed month: 400. Outside the caller's reach: 404.",
                   examples=[OpenApiExample("Reject", request_only=True,
                                            value={"approve": False, "reason": "Rapat pimpinan pagi itu."})])
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        selectors.permission_for_decision(request.user, pk)  # outside the caller's reach: 404 before the body
        data = _input(PermissionDecisionSerializer, request.data)
        return self._answer(services.permission_decide(actor=request.user, permission_id=int(pk), **data))

    @extend_schema(summary="Withdraw an own pending permission", tags=TAGS, request=None,
                   responses={200: PermissionSerializer},
                   description="Only the caller's own pending permission (someone else's: 404; decided: 400 on "
                               "`status`).")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(services.permission_withdraw(actor=request.user, permission_id=int(pk)))
