"""The fair rota planner under /api/v1/rota/: the caller's weekday preferences, and for supervisors
and HR the proposals of a unit's month (propose, read the grid, adjust cells, publish).

The same selectors and services as the pages (:mod:`scheduling.selectors.rota`,
:mod:`scheduling.services.rota`); a unit or plan outside the caller's reach is a 404.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import MAX_ID
from portal.api.schema import ErrorSerializer, PortalAutoSchema
from portal.forms import month_from
from portal.selectors import current_employee
from scheduling import rota_rules
from scheduling.selectors import rota as rota_selectors
from scheduling.services import rota as rota_services

NOT_EMPLOYEE = OpenApiResponse(description="The caller is not an active employee.")
NOT_PLANNER = OpenApiResponse(description="The caller plans no unit (decides for nobody, no HR scope).")
OUT_OF_SCOPE = OpenApiResponse(description="Unknown plan, or a unit the caller does not plan.")
WEEKDAY_HELP = "Weekday numbers, 0 = Monday … 6 = Sunday; each must be a working weekday of the caller's unit."


class PreferenceSerializer(serializers.Serializer):
    preferred = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), max_length=7,
                                      help_text=WEEKDAY_HELP + " Days the caller would like to work flexibly.")
    impossible = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), max_length=7,
                                       help_text=WEEKDAY_HELP + " Days the caller cannot work flexibly.")


class MyPreferenceView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(summary="The caller's weekday preferences for the rota", tags=["rota"],
                   responses={200: PreferenceSerializer, 404: NOT_EMPLOYEE})
    def get(self, request):
        pref = rota_selectors.preference_of(current_employee(request.user))
        return Response({"preferred": pref.preferred, "impossible": pref.impossible})

    @extend_schema(summary="Set the caller's weekday preferences", tags=["rota"], request=PreferenceSerializer,
                   responses={200: PreferenceSerializer, 400: ErrorSerializer, 404: NOT_EMPLOYEE},
                   examples=[OpenApiExample("Fridays and Mondays, never Wednesday", request_only=True,
                                            value={"preferred": [0, 4], "impossible": [2]})])
    def put(self, request):
        current_employee(request.user)
        body = PreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pref = rota_services.weekday_preference_save(actor=request.user, **body.validated_data)
        return Response({"preferred": pref.preferred, "impossible": pref.impossible})


# --- Plans -------------------------------------------------------------------------------------


class ProposeSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    month = serializers.RegexField(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
    include_subunits = serializers.BooleanField(default=False)


class PlanSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    month = serializers.DateField()
    include_subunits = serializers.BooleanField()
    status = serializers.CharField()
    spread = serializers.SerializerMethodField(help_text="The fairness figure: the spread of granted "
                                                         "preferences in percentage points (lower is fairer).")
    published_at = serializers.DateTimeField(allow_null=True)

    def get_spread(self, plan) -> int | None:
        return (plan.fairness or {}).get("spread")


class CellSerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    date = serializers.DateField()
    value = serializers.ChoiceField(choices=list(rota_rules.CELL_VALUES))


class PlanDetailSerializer(PlanSummarySerializer):
    fairness = serializers.JSONField(help_text="spread, mean and per person: granted, wanted, percent.")
    cells = serializers.JSONField(help_text="{employee id: {date: WFH|WFA}}; every other planned day is office.")
    outcome = serializers.JSONField(help_text="After publishing: granted days per person, refused days with why.")


class AdjustSerializer(serializers.Serializer):
    cells = CellSerializer(many=True, max_length=rota_services.MAX_CHANGES, allow_empty=False)


def _detail(plan) -> dict:
    view = rota_selectors.rota_view(plan)
    data = PlanDetailSerializer(plan).data
    data["fairness"] = view.fairness.as_dict()
    return data


class PlanListView(APIView):
    schema = PortalAutoSchema()

    def _units(self, request):
        if not rota_selectors.rota_units(request.user) and not request.user.is_superuser:
            raise Http404

    @extend_schema(summary="Rota plans of the units the caller may plan", tags=["rota"],
                   responses={200: PlanSummarySerializer(many=True), 404: NOT_PLANNER})
    def get(self, request):
        self._units(request)
        return Response(PlanSummarySerializer(rota_selectors.plans_visible_to(request.user)[:100], many=True).data)

    @extend_schema(summary="Propose a fair rota for a unit and month", tags=["rota"], request=ProposeSerializer,
                   description="Plans every working day still ahead in the month: who works flexibly where they "
                               "prefer, within every coverage rule, cap and absence, fairly over the last three "
                               "months. Nothing is approved until the plan is published.",
                   responses={201: PlanDetailSerializer, 400: ErrorSerializer,
                              404: OpenApiResponse(description="Unit out of scope, or the caller plans none.")})
    def post(self, request):
        self._units(request)
        body = ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = rota_services.rota_plan_propose(actor=request.user, unit_id=body.validated_data["unit"],
                                               month=month_from(body.validated_data["month"]),
                                               include_subunits=body.validated_data["include_subunits"])
        return Response(_detail(plan), status=status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(summary="A rota plan with its fairness figure", tags=["rota"],
                   responses={200: PlanDetailSerializer, 404: OUT_OF_SCOPE})
    def get(self, request, pk: int):
        return Response(_detail(rota_selectors.plan_for(request.user, pk)))


class PlanCellsView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(summary="Adjust cells of a draft rota", tags=["rota"], request=AdjustSerializer,
                   description="The whole plan is checked with the approval's rules; a cell they refuse "
                               "refuses the change and nothing is written.",
                   responses={200: PlanDetailSerializer, 400: ErrorSerializer, 404: OUT_OF_SCOPE})
    def post(self, request, pk: int):
        plan = rota_selectors.plan_for(request.user, pk)
        body = AdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = {(c["employee"], c["date"]): c["value"] for c in body.validated_data["cells"]}
        plan = rota_services.rota_plan_adjust(actor=request.user, plan_id=plan.pk, changes=changes)
        return Response(_detail(plan))


class PlanPublishView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(summary="Publish a draft rota", tags=["rota"], request=None,
                   description="Each flexible day is submitted and approved through the race-safe approval; "
                               "days a rule now refuses are listed in outcome.refused. One message per person.",
                   responses={200: PlanDetailSerializer, 400: ErrorSerializer, 404: OUT_OF_SCOPE})
    def post(self, request, pk: int):
        plan = rota_selectors.plan_for(request.user, pk)
        plan = rota_services.rota_plan_publish(actor=request.user, plan_id=plan.pk)
        return Response(_detail(plan))
