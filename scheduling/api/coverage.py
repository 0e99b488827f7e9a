"""Coverage, the inbox and the team calendar: who is (or would be) in the office.

Every answer comes from the selector the pages use (:mod:`scheduling.selectors`), scoped to the
caller; a unit outside their reach is a 404.
"""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.schema import PortalAutoSchema, error_response
from portal.api.serializers import UnitRefSerializer
from scheduling import selectors
from scheduling.api import serializers as s
from scheduling.api.requests import ServiceErrorsMixin


class CoverageView(ServiceErrorsMixin, APIView):
    schema = PortalAutoSchema()

    @extend_schema(
        summary="Projected office presence of a unit per day", tags=["coverage"],
        parameters=[s.CoverageQuerySerializer],
        description="Per day: active headcount, projected in the office, the minimum the effective policy "
                    "requires and the flexible slots left. At most 93 days per call. Visible to the unit's "
                    "members, to whoever decides for someone in it, to HR admins over it; otherwise 404.",
        responses={200: s.CoverageSerializer, 404: OpenApiResponse(description="Unknown unit or out of scope.")},
        examples=[OpenApiExample("Coverage", response_only=True, value={
            "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "start": "2026-12-07",
            "end": "2026-12-07", "days": [{"date": "2026-12-07", "headcount": 5, "away": 1, "in_office": 4,
                                           "minimum": 3, "remaining": 1, "working": True, "holiday": "",
                                           "status": "ok"}]})],
    )
    def get(self, request):
        query = s.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        unit = selectors.coverage_unit_for(request.user, params["unit"])
        days = selectors.coverage(unit, params["start"], params["end"])
        return Response(s.CoverageSerializer({"unit": unit, "start": params["start"], "end": params["end"],
                                              "days": days}).data)


@extend_schema_view(get=extend_schema(
    summary="Pending days the caller decides", tags=["decisions"],
    description="Oldest date first, each with the unit's projected presence before and after approving it and "
                "whether that would go below the minimum. Includes days decided as Plh/Plt.",
))
class InboxView(ServiceErrorsMixin, generics.ListAPIView):
    schema = PortalAutoSchema()
    serializer_class = s.InboxItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.inbox(self.request.user)  # a list; the paginator slices it


# --- Team calendar ---------------------------------------------------------------------------------


class TeamQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Default: the first unit the caller supervises.")
    month = serializers.RegexField(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", required=False,
                                   help_text="YYYY-MM; default: this month.")


class TeamAwaySerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(allow_null=True, help_text="WFH, CT, ...: only for HR admins over the unit.")


class TeamPresentSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    name = serializers.CharField()
    pending = serializers.BooleanField(help_text="Has a request waiting for a decision that day.")


class TeamDaySerializer(serializers.Serializer):
    date = fields.DateField()
    headcount = serializers.IntegerField()
    in_office = serializers.IntegerField()
    minimum = serializers.IntegerField()
    below = serializers.BooleanField(help_text="Fewer in the office than the policy's minimum.")
    present = TeamPresentSerializer(many=True)
    away = TeamAwaySerializer(many=True)


class TeamSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    month = serializers.CharField()
    show_kinds = serializers.BooleanField()
    units = UnitRefSerializer(many=True, help_text="Every unit the caller may look at.")
    days = TeamDaySerializer(many=True)


class TeamCalendarView(APIView):
    @extend_schema(
        summary="Team presence calendar for a month", tags=["coverage"], parameters=[TeamQuerySerializer],
        responses={200: TeamSerializer, 400: error_response(400), 404: error_response(404)},
        description="Per working day, who of the unit is in the office and who is away (approved), against the "
                    "policy's minimum. Presence only: the kind of absence (sick, leave, ...) is shown only to HR "
                    "admins over the unit. For supervisors (also as Plh/Plt, or as unit head) of people in the "
                    "unit and HR admins; anyone else, or a unit outside that, answers 404.",
        examples=[OpenApiExample("Team", response_only=True, value={
            "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "month": "2026-12", "show_kinds": False,
            "units": [{"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}],
            "days": [{"date": "2026-12-07", "headcount": 5, "in_office": 4, "minimum": 3, "below": False,
                      "present": [{"employee_id": 7, "name": "Ani Lestari", "pending": True}],
                      "away": [{"employee_id": 8, "name": "Budi Santoso", "kind": None}]}]})],
    )
    def get(self, request):
        query = TeamQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        month = dt.date.fromisoformat(f"{params['month']}-01") if params.get("month") else None
        calendar = selectors.team_calendar(request.user, unit_id=params.get("unit"), month=month)
        return Response(TeamSerializer(calendar).data)
