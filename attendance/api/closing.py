"""Month closing (tutup buku) API: the closures an HR admin sees, closing a month, reopening one.

The list is :func:`attendance.selectors.closing.closures_visible_to`, the rows the page shows; every
write is one call of :mod:`attendance.services.closing`, which checks the scope (404), the month and
the pending items, and audits. HR admins and superusers only (anyone else: 404).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from attendance.api.presence import NULLABLE_DATETIME, LocalTimesMixin, UnitBriefSerializer, ZonedListMixin
from attendance.selectors import closing as selectors
from attendance.services.closing import month_close, month_reopen
from portal.api.errors import error_body
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.forms import month_from
from portal.models import MonthClosure, Unit
from portal.selectors.closures import month_label

MAX_NOTE = 255
MAX_REASON = 2000


class MonthField(serializers.CharField):
    """``YYYY-MM`` in and out; inside, the first day of the month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "YYYY-MM (a month that has ended).")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        month = month_from(text) if len(text) <= 7 else None
        if month is None:
            raise serializers.ValidationError(_("Isi bulan dengan format TTTT-BB, mis. 2026-11."), code="invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class MonthCloseInputSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(),
                                              help_text="Unit id in the HR admin's scope; the closure covers every "
                                                        "unit below it.")
    month = MonthField()
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    confirm_pending = serializers.BooleanField(required=False, default=False,
                                               help_text="Close even though corrections or permissions of that "
                                                         "month still wait for a decision (else 400).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["unit"].queryset = selectors.closing_units(user) if user is not None else Unit.objects.none()


class ReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON, required=False, allow_blank=True, default="",
                                   help_text="Why the month is reopened (required; else 400).")


class MonthClosureSerializer(LocalTimesMixin, serializers.ModelSerializer):
    unit = UnitBriefSerializer()
    month = MonthField(read_only=True)
    month_label = serializers.SerializerMethodField(help_text='"November 2026", in the request language.')
    state = serializers.ChoiceField(choices=selectors.ClosureState.choices, read_only=True,
                                    help_text="closing (the final recompute runs), closed, reopened.")
    state_label = serializers.SerializerMethodField(help_text="The state in the request language.")
    requested_at = serializers.SerializerMethodField(help_text="ISO 8601 with the unit's UTC offset.")
    requested_by = serializers.SerializerMethodField(help_text="Name of who closed it.")
    closed_at = serializers.SerializerMethodField(help_text="When the month was frozen; null while closing.")
    reopened_at = serializers.SerializerMethodField(help_text="Null while in force.")
    reopened_by = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField(help_text="WIB, WITA or WIT.")
    can_reopen = serializers.SerializerMethodField(help_text="In force and in the caller's own subtrees.")

    class Meta:
        model = MonthClosure
        fields = ["id", "unit", "month", "month_label", "state", "state_label", "requested_at", "requested_by",
                  "closed_at", "note", "reopened_at", "reopened_by", "reopen_reason", "time_zone", "can_reopen"]
        read_only_fields = fields

    def get_month_label(self, c) -> str:
        return month_label(c.month)

    def get_state_label(self, c) -> str:
        return str(selectors.ClosureState(c.state).label)

    @extend_schema_field(serializers.DateTimeField(read_only=True))
    def get_requested_at(self, c):
        return self._iso(c.requested_at, c.unit_id)

    def get_requested_by(self, c) -> str:
        return selectors.person_name(c.requested_by)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_closed_at(self, c):
        return self._iso(c.closed_at, c.unit_id)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_reopened_at(self, c):
        return self._iso(c.reopened_at, c.unit_id)

    def get_reopened_by(self, c) -> str:
        return selectors.person_name(c.reopened_by)

    def get_time_zone(self, c) -> str:
        return self._abbreviation(c.unit_id)

    def get_can_reopen(self, c) -> bool:
        request = self.context.get("request")
        return selectors.can_reopen(getattr(request, "user", None), c)


class MonthClosureFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=selectors.ClosureState.choices, label=_("Status"))
    month = django_filters.CharFilter(method="filter_month", label=_("Bulan"), help_text="YYYY-MM.")

    class Meta:
        model = MonthClosure
        fields = ["state", "month"]

    def filter_month(self, queryset, name, value):
        month = month_from(value)
        return queryset.filter(month=month) if month else queryset.none()


CLOSURE_EXAMPLE = {
    "id": 3, "unit": {"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}, "month": "2026-11",
    "month_label": "November 2026", "state": "closed", "state_label": "ditutup",
    "requested_at": "2026-12-02T09:15:00+07:00", "requested_by": "Rina Handayani",
    "closed_at": "2026-12-02T09:16:40+07:00", "note": "Rekap TPP November", "reopened_at": None,
    "reopened_by": "", "reopen_reason": "", "time_zone": "WIB", "can_reopen": True}
PENDING_400 = OpenApiExample("400 pending items", response_only=True, status_codes=["400"], value=error_body(
    status_code=400, code="invalid", message="Data yang dikirim tidak valid.", fields={"confirm_pending": [
        "Masih ada 2 usul perbaikan dan 0 izin yang menunggu keputusan pada bulan itu; sesudah ditutup, "
        "keputusannya tidak lagi mengubah presensi. Centang konfirmasi untuk tetap menutup."]}))


@extend_schema_view(
    list=extend_schema(
        summary="Month closings (tutup buku) in the caller's scope", tags=["attendance closing"],
        description="Closures of the HR admin's subtrees and of the units above them (which freeze their units "
                    "too), newest month first, with who closed and reopened them, when and why.",
        examples=[OpenApiExample("Closed month", value=CLOSURE_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One month closing", tags=["attendance closing"],
                           description="404 when outside the caller's scope."),
)
class MonthClosureViewSet(ZonedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = MonthClosureSerializer
    filterset_class = MonthClosureFilter
    queryset = MonthClosure.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = r"\d+"
    unit_of = staticmethod(lambda c: c.unit)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return MonthClosure.objects.none()
        return selectors.closures_visible_to(self.request.user)

    def _answer(self, closure: MonthClosure, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=closure.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Close a month for a unit and everything below it", tags=["attendance closing"],
        request=MonthCloseInputSerializer, responses={201: MonthClosureSerializer, 404: error_response(404)},
        description="Only a month that has ended, not already closed for the unit or a unit above it. Pending "
                    "corrections or permissions of that month need `confirm_pending` (else 400). A worker "
                    "recomputes the month one last time and then freezes it (`state` goes from `closing` to "
                    "`closed`); from then on nothing changes that month's statuses in the subtree. Audited "
                    "(`month.close_requested`, `month.closed`).",
        examples=[OpenApiExample("Close November", request_only=True, value={
                      "unit": 2, "month": "2026-11", "note": "Rekap TPP November", "confirm_pending": False}),
                  OpenApiExample("Created", value=CLOSURE_EXAMPLE, response_only=True, status_codes=["201"]),
                  PENDING_400],
    )
    def create(self, request, *args, **kwargs):
        serializer = MonthCloseInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        closure = month_close(actor=request.user, **serializer.validated_data)
        return self._answer(closure, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reopen a closed month", tags=["attendance closing"], request=ReopenInputSerializer,
        responses={200: MonthClosureSerializer, 404: error_response(404)},
        description="A reason is required (else 400); a closure already reopened is a 400. The closure row stays "
                    "(with who, when and why); whoever downloaded a report of that month is notified. A closure "
                    "of a unit above the caller's scope: 404. Audited (`month.reopened`).",
        examples=[OpenApiExample("Reopen", request_only=True,
                                 value={"reason": "Koreksi SK cuti bersama yang terlambat diterima."})],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        closure = self.get_object()
        serializer = ReopenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(month_reopen(actor=request.user, closure=closure, **serializer.validated_data))
