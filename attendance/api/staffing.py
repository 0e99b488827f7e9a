"""``GET /api/v1/staffing/``: the daily staffing dataset per unit and working day.

Read-only and scoped like the dashboard (:mod:`attendance.selectors`): a unit outside the
caller's scope answers 404, never 403.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance.models import ABSENCE_COLUMNS, StaffingStatus
from attendance.selectors import staffing as selectors
from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.schema import PortalAutoSchema, error_response

MAX_DAYS = 93
DEFAULT_DAYS = 28



class StaffingQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(label=_("Unit"), min_value=1, max_value=MAX_ID)
    start = fields.DateField(label=_("Mulai"), required=False,
                                  help_text="First date (ISO). Default: today in the unit's time zone.")
    end = fields.DateField(label=_("Sampai"), required=False,
                                help_text=f"Last date (ISO), at most {MAX_DAYS} days after start. "
                                          f"Default: start + {DEFAULT_DAYS - 1} days.")
    subtree = serializers.BooleanField(label=_("Termasuk sub-unit"), default=False,
                                       help_text="true: sums per date over the unit and every unit below it.")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            check_range(start, end)
        return attrs


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise serializers.ValidationError({"end": [_("Tanggal akhir tidak boleh sebelum tanggal mulai.")]})
    if (end - start).days + 1 > MAX_DAYS:
        raise serializers.ValidationError({"end": [_("Paling banyak %(n)d hari sekali minta.") % {"n": MAX_DAYS}]})


class AbsencesSerializer(serializers.Serializer):
    """People away that day per absence kind (approved requests)."""

    def get_fields(self):
        labels = {"CT": "annual leave", "CB": "long leave", "CS": "sick leave", "CM": "maternity leave",
                  "CAP": "leave for important reasons", "CLTN": "unpaid leave", "IZIN": "permission",
                  "SAKIT": "sick", "DL": "official travel", "DIKLAT": "training / study"}
        return {kind: serializers.IntegerField(help_text=labels.get(kind, kind)) for kind in ABSENCE_COLUMNS}


@extend_schema_field({"type": "string", "enum": list(StaffingStatus.values),
                     "description": "ok; at_risk (no slack, or pending requests would take it below if approved); "
                                    "below (fewer in than the minimum)."})
class StaffingStatusField(serializers.CharField):
    """Documented inline: a named enum would collide with the other "status" enums."""


class StaffingDaySerializer(serializers.Serializer):
    date = fields.DateField()
    headcount = serializers.IntegerField(help_text="Active employees placed in the unit (or subtree).")
    in_office = serializers.IntegerField(help_text="headcount minus everyone away by an approved request.")
    wfh = serializers.IntegerField()
    wfa = serializers.IntegerField()
    other_office = serializers.IntegerField(help_text="Working at another office of the institution.")
    absences = AbsencesSerializer()
    pending = serializers.IntegerField(help_text="Requests still awaiting a decision (not counted as away).")
    minimum = serializers.IntegerField(help_text="People the effective coverage policy requires in the office.")
    status = StaffingStatusField()
    units = serializers.IntegerField(help_text="Units summed in this row (1 without subtree).")
    units_below = serializers.IntegerField(help_text="Of them, units below their own minimum that day.")


class StaffingUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class StaffingSerializer(serializers.Serializer):
    unit = StaffingUnitSerializer()
    start = fields.DateField()
    end = fields.DateField()
    subtree = serializers.BooleanField()
    days = StaffingDaySerializer(many=True, help_text="Working days only; a day not yet computed is absent.")


EXAMPLE_DAY = {"date": "2026-12-21", "headcount": 10, "in_office": 5, "wfh": 2, "wfa": 1, "other_office": 0,
               "absences": {**dict.fromkeys(ABSENCE_COLUMNS, 0), "CT": 1, "SAKIT": 1}, "pending": 1, "minimum": 7,
               "status": "below", "units": 1, "units_below": 1}


class StaffingView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(
        summary="Daily staffing of a unit", tags=["staffing"], parameters=[StaffingQuerySerializer],
        description="Per working day: headcount, in the office, WFH, WFA, other office, each absence kind, "
                    "pending requests, the minimum and a status. Computed by workers after each decision and "
                    f"nightly (the past and next 28 days). At most {MAX_DAYS} days per call (else 400). With "
                    "`subtree=true` the numbers are summed per date over the unit and every unit below it and "
                    "the status is judged on the sums. Visible to heads of the unit or an ancestor, whoever "
                    "decides for somebody in it, HR admins over it; otherwise 404.",
        responses={200: StaffingSerializer, 400: error_response(400), 404: error_response(404)},
        examples=[OpenApiExample("Staffing", response_only=True, value={
            "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "start": "2026-12-21",
            "end": "2026-12-27", "subtree": False, "days": [EXAMPLE_DAY]})],
    )
    def get(self, request):
        query = StaffingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        unit = selectors.staffing_unit_for(request.user, params["unit"])
        start = params.get("start") or unit.local_today()
        end = params.get("end") or start + dt.timedelta(days=DEFAULT_DAYS - 1)
        check_range(start, end)  # again: a defaulted start or end can still fall outside the limit
        days = selectors.staffing_rows(unit, start, end, subtree=params["subtree"])
        return Response(StaffingSerializer({"unit": unit, "start": start, "end": end, "subtree": params["subtree"],
                                            "days": days}).data)
