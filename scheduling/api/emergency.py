"""Emergencies API for HR: list, read, declare and end early, inside the caller's HR scope (anyone
else: 404), as on the page ``/hr/keadaan-darurat/``.

Input is validated once, by :func:`scheduling.services.emergency_clean` (overlap with another
emergency over the same units, end before start, no units, units out of scope): rejected input
is the 400 error envelope and writes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import fields
from portal.api.errors import error_body
from portal.api.filters import MAX_ID
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from portal.selectors import units_visible_to
from scheduling import selectors, services
from scheduling.api.filters import DatedUnitsFilterSet
from scheduling.api.requests import ServiceErrorsMixin
from scheduling.models import Emergency, EmergencyProfile
from scheduling.services.emergency import MAX_EMERGENCY_UNITS


class EmergencySerializer(serializers.ModelSerializer):
    units = UnitRefSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    ended_by = serializers.CharField(source="ended_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Emergency
        fields = ["id", "name", "legal_basis", "document_ref", "profile", "start", "end", "last_day", "units",
                  "created_by", "created_at", "ended_early_at", "ended_by"]
        read_only_fields = fields
        extra_kwargs = {"last_day": {"help_text": "The last day it is in force: `end`, or the day before it "
                                                  "was ended early (before `start`: it never applied)."}}


class EmergencyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, label=_("Keadaan darurat"))
    legal_basis = serializers.CharField(max_length=255, label=_("Dasar hukum (surat edaran)"))
    document_ref = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    profile = serializers.ChoiceField(choices=EmergencyProfile.choices,
                                      help_text="essential_only | caps_lifted | wfh_auto | all_in_office "
                                                "(docs/decisions.md gives each one's exact rules).")
    start = fields.DateField(label=_("Mulai"))
    end = fields.DateField(label=_("Selesai"))
    units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
                                  max_length=MAX_EMERGENCY_UNITS, help_text="Unit ids in scope (with their sub-units).")

    def validate_units(self, ids):
        # One query for the whole list; an id outside the scope is as unknown as a missing one.
        request = self.context.get("request")
        found = units_visible_to(request.user).in_bulk(set(ids)) if request else {}
        missing = sorted(set(ids) - set(found))
        if missing:
            raise serializers.ValidationError(_("Unit tidak ditemukan: %(ids)s.") % {
                "ids": ", ".join(str(i) for i in missing[:20])})
        return [found[i] for i in dict.fromkeys(ids)]

    def validate(self, attrs):
        return services.emergency_clean(actor=self.context["request"].user, **attrs)


class EmergencyFilter(DatedUnitsFilterSet):
    last_day_field = "last_day"  # an emergency ended early is no longer in force after it

    class Meta:
        model = Emergency
        fields = ["active_on", "unit"]


EXAMPLE = {"id": 4, "name": "Banjir Jakarta Timur", "legal_basis": "SE Sekda No. 800/123/2026", "document_ref": "",
           "profile": "essential_only", "start": "2026-12-07", "end": "2026-12-11", "last_day": "2026-12-11",
           "units": [{"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}], "created_by": "hr_dinkes",
           "created_at": "2026-12-06T20:00:00+07:00", "ended_early_at": None, "ended_by": None}
OVERLAP = error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.", fields={
    "units": ["Bertumpang tindih dengan keadaan darurat \u201cKabut asap\u201d (7 Des 2026–11 Des 2026) yang "
              "berlaku untuk unit yang sama atau unit di atas/di bawahnya."]})


@extend_schema_view(
    list=extend_schema(summary="Emergencies naming units in the caller's scope", tags=["emergencies"],
                       examples=[OpenApiExample("Emergency", value=EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One emergency", tags=["emergencies"]),
    create=extend_schema(
        summary="Declare an emergency", tags=["emergencies"], request=EmergencyInputSerializer,
        responses={201: EmergencySerializer, 404: error_response(404)},
        description="In force at once for its units (with their sub-units) and dates, as an overlay on the "
                    "normal rules (never a change of them). Every affected employee is told once; pending WFH/WFA "
                    "its profile approves automatically are decided at once. An emergency overlapping another "
                    "over the same units is refused (400), nothing written. Audited (`emergency.declared`).",
        examples=[OpenApiExample("Declare", request_only=True, value={
                      "name": "Banjir Jakarta Timur", "legal_basis": "SE Sekda No. 800/123/2026",
                      "profile": "essential_only", "start": "2026-12-07", "end": "2026-12-11", "units": [2]}),
                  OpenApiExample("Overlap", response_only=True, status_codes=["400"], value=OVERLAP)]),
    end=extend_schema(
        summary="End an emergency early", tags=["emergencies"], request=None,
        responses={200: EmergencySerializer, 400: error_response(400), 404: error_response(404)},
        description="Today (in its first unit's time zone) is already under the normal rules; days decided under "
                    "it keep their decision and record. Audited (`emergency.ended`)."),
)
class EmergencyViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = EmergencySerializer
    filterset_class = EmergencyFilter
    queryset = Emergency.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.emergencies_visible_to(self.request.user)

    def create(self, request):
        serializer = EmergencyInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        emergency = services.emergency_declare(actor=request.user, **serializer.validated_data)
        return Response(EmergencySerializer(self.get_queryset().get(pk=emergency.pk)).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        ended = services.emergency_end(actor=request.user, emergency=self.get_object())
        return Response(EmergencySerializer(self.get_queryset().get(pk=ended.pk)).data)
