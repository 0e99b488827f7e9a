"""API for HR: attendance rules versions (with their TL/PSW band table) and shifts.

HR admins inside their scope and superusers; anyone else gets 404, as on the HR pages. Reads come
from :mod:`attendance.selectors.rules` (the same the pages render); writes are one service call
(:func:`attendance_rules_save`, :func:`attendance_rules_delete`, :func:`shift_save`), which
validates once and whose refusals come back as the 400 envelope with field errors. Shifts are
never deleted: set ``is_active`` false.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from attendance.models import AttendanceRules, Band, BandKind, ImplausibleStatus, Shift
from attendance.selectors import rules as selectors
from attendance.selectors.roster import shifts_for_unit
from attendance.services.attendance_rules import (
    MAX_BAND_LEVEL,
    MAX_MINUTES,
    BandData,
    RulesData,
    attendance_rules_delete,
    attendance_rules_save,
    default_bands,
)
from attendance.services.roster import ShiftData, shift_save
from portal.api import fields
from portal.api.errors import error_body
from portal.api.filters import IdFilter
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from portal.models import Unit
from portal.selectors import units_visible_to

MAX_BANDS = 2 * MAX_BAND_LEVEL


def _bad_request(field_errors: dict) -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.",
                                           fields=field_errors))


def _minutes(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, **kwargs)


def _percent(**kwargs):
    return serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False, default=None,
                                    **kwargs)


# --- Rules versions: shapes -------------------------------------------------------------------


class BandSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=BandKind.choices, help_text="TL (late) or PSW (early leave).")
    level = serializers.IntegerField(min_value=1, max_value=MAX_BAND_LEVEL, help_text="1, 2, 3… per kind.")
    from_minute = _minutes(help_text="First minute of the band (at least 1).")
    to_minute = _minutes(allow_null=True, required=False, default=None,
                         help_text="Last minute; null = open-ended (the top band).")
    deduction_percent = _percent(help_text="Allowance deduction for a day in this band; null = not set (0).")

    class Meta:
        model = Band
        fields = ["kind", "level", "from_minute", "to_minute", "deduction_percent"]


class RulesInputSerializer(serializers.Serializer):
    """A whole rules version: its settings and its band table (replaced as a whole)."""

    effective_from = fields.DateField(help_text="First day it applies (the institution's local date).")
    min_stay_minutes = _minutes(default=60, help_text="Check-in to check-out shorter than this is implausible.")
    latest_check_in_minutes = _minutes(allow_null=True, required=False, default=None,
                                       help_text="Minutes after the scheduled start; null = until the end.")
    implausible_status = serializers.ChoiceField(
        choices=ImplausibleStatus.choices, default=ImplausibleStatus.TK,
        help_text="What an implausible day counts as: TK; MAX (present with the top TL and PSW bands); TINJAU "
                  "(to review: neither present nor TK until corrected).")
    tk_deduction_percent = _percent(help_text="Deduction per TK day; null = not set.")
    daily_cap_percent = _percent(help_text="Most deducted for one day; null = no cap.")
    legal_basis = serializers.CharField(max_length=255, allow_blank=True, required=False, default="",
                                        help_text="The regulation that sets the deductions.")
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    # A ListField, not many=True: allow_null would let null items through to the child.
    bands = serializers.ListField(child=BandSerializer(), required=False, max_length=MAX_BANDS,
                                  help_text="TL and PSW bands. Left out: the common edges (1–30, 31–60, 61–90, 91+) "
                                            "without deductions.")

    def service_args(self) -> dict:
        data = self.validated_data
        rules_data = RulesData(**{name: data[name] for name in (
            "effective_from", "min_stay_minutes", "latest_check_in_minutes", "implausible_status",
            "tk_deduction_percent", "daily_cap_percent", "legal_basis", "note")})
        bands = [BandData(**band) for band in data["bands"]] if "bands" in data else default_bands()
        return {"data": rules_data, "bands": bands}


class RulesCreateSerializer(RulesInputSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(),
                                                     help_text="Instansi (tree root) id in the caller's scope.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["institution"].queryset = (selectors.rules_institutions_for(request.user) if request
                                               else Unit.objects.none())


class RulesSerializer(serializers.ModelSerializer):
    institution = UnitRefSerializer(read_only=True)
    bands = BandSerializer(many=True, read_only=True)
    deductions_set = serializers.SerializerMethodField(
        help_text="TK and every band deduction are set; false: the recap shows 0 % until HR sets them.")

    class Meta:
        model = AttendanceRules
        fields = ["id", "institution", "effective_from", "min_stay_minutes", "latest_check_in_minutes",
                  "implausible_status", "tk_deduction_percent", "daily_cap_percent", "legal_basis", "note",
                  "deductions_set", "bands", "created_at"]
        read_only_fields = fields

    def get_deductions_set(self, row) -> bool:
        return selectors.version_deductions_set(row)


class RulesFilter(django_filters.FilterSet):
    institution = IdFilter(field_name="institution_id", label=_("Instansi"), help_text="Instansi id.")

    class Meta:
        model = AttendanceRules
        fields = ["institution"]


PEMKOT = {"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"}
BANDS_EXAMPLE = [
    {"kind": "TL", "level": 1, "from_minute": 1, "to_minute": 30, "deduction_percent": "0.50"},
    {"kind": "TL", "level": 2, "from_minute": 31, "to_minute": None, "deduction_percent": "1.00"},
    {"kind": "PSW", "level": 1, "from_minute": 1, "to_minute": 30, "deduction_percent": "0.50"},
    {"kind": "PSW", "level": 2, "from_minute": 31, "to_minute": None, "deduction_percent": "1.00"},
]
RULES_INPUT = {"institution": 1, "effective_from": "2027-01-01", "min_stay_minutes": 60,
               "latest_check_in_minutes": 240, "implausible_status": "TK", "tk_deduction_percent": "3.00",
               "daily_cap_percent": "3.00", "legal_basis": "Perwali No. 12 Tahun 2026", "note": "",
               "bands": BANDS_EXAMPLE}
RULES_EXAMPLE = {"id": 5, **RULES_INPUT, "institution": PEMKOT, "deductions_set": True,
                 "created_at": "2026-12-08T09:00:00+07:00"}
BAND_ERROR = _bad_request({"bands": ["TL2 harus dimulai sesudah tingkat sebelumnya berakhir."]})


# --- Rules versions: views ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Attendance rules versions in the caller's scope", tags=["attendance rules"],
                       description="Every version of the institutions (tree roots) whose rules the caller may set, "
                                   "newest first per institution, each with its TL/PSW band table. A version "
                                   "applies from `effective_from` until the next one; before the first, the "
                                   "built-in rules (no deductions) apply.",
                       examples=[OpenApiExample("Version", value=RULES_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One attendance rules version", tags=["attendance rules"]),
    create=extend_schema(
        summary="Add an attendance rules version", tags=["attendance rules"], request=RulesCreateSerializer,
        responses={201: RulesSerializer, 404: error_response(404)},
        description="For an instansi in the caller's scope, from a date on (one version per date; not inside a "
                    "closed month). Band levels per kind are 1, 2, 3… with rising, non-overlapping minutes. The "
                    "day statuses from that date to the day before the next version are recomputed after commit "
                    "(closed months excepted). Audited (`attendance_rules.created`).",
        examples=[OpenApiExample("Version", value=RULES_INPUT, request_only=True),
                  OpenApiExample("Created", value=RULES_EXAMPLE, response_only=True, status_codes=["201"]),
                  BAND_ERROR]),
    update=extend_schema(
        summary="Replace an attendance rules version", tags=["attendance rules"], request=RulesInputSerializer,
        responses={200: RulesSerializer},
        description="The whole version, its band table included (left out: the common edges without "
                    "deductions). The institution does not change. Recomputed as on create. Audited "
                    "(`attendance_rules.updated`, before and after).",
        examples=[BAND_ERROR]),
    destroy=extend_schema(summary="Remove an attendance rules version", tags=["attendance rules"],
                          description="Its days fall back to the version before it (or the built-in rules) and "
                                      "are recomputed. Refused (400) when it starts inside a closed month. Audited "
                                      "(`attendance_rules.deleted`)."),
)
class AttendanceRulesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = RulesSerializer
    filterset_class = RulesFilter
    queryset = AttendanceRules.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.rules_versions_visible_to(self.request.user)

    def _answer(self, row: AttendanceRules, code=status.HTTP_200_OK) -> Response:
        return Response(RulesSerializer(self.get_queryset().get(pk=row.pk)).data, status=code)

    def create(self, request):
        serializer = RulesCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        row = attendance_rules_save(actor=request.user, institution=serializer.validated_data["institution"],
                                    version=None, **serializer.service_args())
        return self._answer(row, status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        version = self.get_object()
        serializer = RulesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = attendance_rules_save(actor=request.user, institution=version.institution, version=version,
                                    **serializer.service_args())
        return self._answer(row)

    def destroy(self, request, pk=None):
        attendance_rules_delete(actor=request.user, version=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Shifts ---------------------------------------------------------------------------------------


class ShiftSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True, help_text="The unit that defines it (usable in its whole subtree).")
    start = fields.HourMinuteField(read_only=True, help_text="Local time of the unit, HH:MM.")
    end = fields.HourMinuteField(read_only=True, help_text="Local time of the unit, HH:MM.")

    class Meta:
        model = Shift
        fields = ["id", "unit", "code", "name", "start", "end", "ends_next_day", "break_minutes", "is_active"]
        read_only_fields = fields


class ShiftInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text="Short, shown on the roster: P, S, M, PG.")
    name = serializers.CharField(max_length=100)
    start = fields.HourMinuteField(help_text="Local time of the unit, HH:MM.")
    end = fields.HourMinuteField(help_text="Local time of the unit, HH:MM.")
    ends_next_day = serializers.BooleanField(default=False,
                                             help_text="Crosses midnight: then `end` is at or before `start`.")
    break_minutes = _minutes(default=0)
    is_active = serializers.BooleanField(default=True, help_text="false: no longer offered on the roster.")

    def shift_data(self, current: Shift | None = None) -> ShiftData:
        """The input as the service's values; with ``partial``, the fields left out keep ``current``'s."""
        names = ("code", "name", "start", "end", "ends_next_day", "break_minutes", "is_active")
        values = {name: getattr(current, name) for name in names} if current is not None else {}
        values.update(self.validated_data)
        return ShiftData(**{name: values[name] for name in names})


class ShiftCreateSerializer(ShiftInputSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), help_text="Unit id in scope.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["unit"].queryset = units_visible_to(request.user) if request else Unit.objects.none()


class ShiftFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", label=_("Unit kerja"),
                       help_text="The shifts usable in this unit of the caller's scope: its own and those of "
                                 "the units above it. A unit outside the scope matches nothing.")
    is_active = django_filters.BooleanFilter(label=_("Aktif"))

    class Meta:
        model = Shift
        fields = ["unit", "is_active"]

    def filter_unit(self, queryset, name, value):
        unit = units_visible_to(self.request.user).filter(pk=value).first() if self.request else None
        return shifts_for_unit(unit) if unit is not None else queryset.none()


SHIFT_INPUT = {"unit": 4, "code": "M", "name": "Shift malam", "start": "21:00", "end": "07:00",
               "ends_next_day": True, "break_minutes": 30, "is_active": True}
SHIFT_EXAMPLE = {**SHIFT_INPUT, "id": 3, "unit": {"id": 4, "code": "DINKES-UPT1", "name": "UPT Puskesmas Kota"},
                 "start": "21:00:00", "end": "07:00:00"}
SHIFT_ERROR = _bad_request({"end": ["Jam selesai harus sesudah jam mulai; untuk shift yang melewati tengah malam, "
                                    "centang \u201cselesai keesokan hari\u201d."]})


@extend_schema_view(
    list=extend_schema(summary="Shifts", tags=["attendance shifts"],
                       description="Shifts defined on the units of the caller's scope; with `unit`, the shifts "
                                   "usable in that unit (its own and inherited from the units above it).",
                       examples=[OpenApiExample("Shift", value=SHIFT_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One shift defined in the caller's scope", tags=["attendance shifts"]),
    create=extend_schema(
        summary="Add a shift to a unit", tags=["attendance shifts"], request=ShiftCreateSerializer,
        responses={201: ShiftSerializer, 404: error_response(404)},
        description="Code unique in the unit; at most 24 hours (an overnight shift sets `ends_next_day`). "
                    "Audited (`shift.created`).",
        examples=[OpenApiExample("Night shift", value=SHIFT_INPUT, request_only=True),
                  OpenApiExample("Created", value=SHIFT_EXAMPLE, response_only=True, status_codes=["201"]),
                  SHIFT_ERROR]),
    update=extend_schema(summary="Replace a shift", tags=["attendance shifts"], request=ShiftInputSerializer,
                         responses={200: ShiftSerializer},
                         description="The unit does not change. The times of a shift already on a roster cannot "
                                     "change (400): add a new shift and deactivate this one. Audited.",
                         examples=[SHIFT_ERROR]),
    partial_update=extend_schema(summary="Change some fields of a shift (e.g. deactivate it)",
                                 tags=["attendance shifts"], request=ShiftInputSerializer,
                                 responses={200: ShiftSerializer},
                                 examples=[OpenApiExample("Deactivate", value={"is_active": False},
                                                          request_only=True)]),
)
class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    queryset = Shift.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.shifts_visible_to(self.request.user)

    def create(self, request):
        serializer = ShiftCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        shift = shift_save(actor=request.user, unit=serializer.validated_data["unit"], shift=None,
                           data=serializer.shift_data())
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        shift = self.get_object()
        serializer = ShiftInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        shift = shift_save(actor=request.user, unit=shift.unit, shift=shift, data=serializer.shift_data(shift))
        return Response(ShiftSerializer(shift).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)
