"""Scheduling API for HR: coverage policies (and where each effective value comes from) and FWA
windows, for HR admins inside their scope and superusers (anyone else: 404), as on the HR pages.

Input is validated once, by the service (:func:`scheduling.services.coverage_policy_clean`,
:func:`scheduling.services.fwa_window_clean`): the fields here only give the shape and the limits
of the same table. Writes are service calls; rejected input writes nothing.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import fields
from portal.api.errors import error_body
from portal.api.filters import MAX_ID, UnitSubtreeFilterSet
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from portal.models import Unit
from portal.selectors import units_visible_to
from scheduling import selectors, services
from scheduling.api.filters import DatedUnitsFilterSet
from scheduling.api.requests import ServiceErrorsMixin
from scheduling.models import CoveragePolicy, FwaWindow, Mode
from scheduling.selectors.policies import MAX_SEARCH_LENGTH, SOURCE_FIELDS
from scheduling.services.fwa import MAX_FWA_UNITS
from scheduling.services.policies import (
    ESSENTIAL_MINIMUM,
    INT_RANGES,
    MAX_BLACKOUT_DATES,
    MAX_ESSENTIAL,
    POLICY_FIELDS,
    REGULATORY_WEEKLY_CAP,
    range_message,
    range_message_lazy,
)


def _bad_request(fields: dict) -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.",
                                           fields=fields))


# --- Coverage policies: shapes ---------------------------------------------------------------


def _int_field(low: int, high: int, **kwargs):
    """A whole number within the service's limits, with the service's message when outside."""
    message = range_message_lazy(low, high)
    return serializers.IntegerField(min_value=low, max_value=high, **kwargs,
                                    error_messages={"min_value": message, "max_value": message})


def _policy_int(name: str, **kwargs):
    return _int_field(*INT_RANGES[name], allow_null=True, required=False, default=None, **kwargs)


class EssentialSerializer(serializers.Serializer):
    jabatan = serializers.CharField(max_length=200)
    min_in_office = _int_field(*ESSENTIAL_MINIMUM, default=1)


class WeekdaySharesField(serializers.DictField):
    """{"0": 90, "4": 60}: weekday (0=Monday … 6=Sunday) → minimum share in the office (%)."""

    def __init__(self, **kwargs):
        # A weekday's share has the limits of the general share (the service checks them the same way).
        super().__init__(child=_int_field(*INT_RANGES["min_office_share"]), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(key not in {str(d) for d in range(7)} for key in value):
            raise serializers.ValidationError(_("Kunci harus hari 0 (Senin) sampai 6 (Minggu)."))
        return value


class PolicyInputSerializer(serializers.Serializer):
    """A policy row: every field left out or null is inherited from the parent unit."""

    effective_from = fields.DateField(label=_("Berlaku mulai"))
    min_office_share = _policy_int("min_office_share", help_text="Minimum share of the unit in the office (%).")
    min_office_headcount = _policy_int("min_office_headcount", help_text="Minimum people in the office.")
    weekday_min_share = WeekdaySharesField(allow_null=True, required=False, default=None)
    weekly_cap = _policy_int("weekly_cap", help_text=f"Flexible days per employee per week. Permen PANRB 4/2025 "
                                                     f"allows {REGULATORY_WEEKLY_CAP}: more needs confirm_regulatory "
                                                     f"and legal_basis.")
    monthly_cap = _policy_int("monthly_cap")
    mandatory_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), allow_null=True, required=False, default=None,
        max_length=7, help_text="Weekdays everybody is in (0=Monday); [] lifts the parent's.")
    blackout_dates = serializers.ListField(
        child=fields.DateField(), allow_null=True, required=False, default=None,
        max_length=MAX_BLACKOUT_DATES, help_text="Dates everybody is in; [] lifts the parent's.")
    exclude_disciplinary = serializers.BooleanField(allow_null=True, required=False, default=None)
    min_months_since_placement = _policy_int("min_months_since_placement")
    mode = serializers.ChoiceField(choices=Mode.choices, allow_blank=True, required=False, default="",
                                   help_text="block, warn (justification needed) or inform; empty inherits.")
    count_pending = serializers.BooleanField(allow_null=True, required=False, default=None)
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    legal_basis = serializers.CharField(max_length=255, allow_blank=True, required=False, default="",
                                        help_text=f"The decision that allows a weekly cap above "
                                                  f"{REGULATORY_WEEKLY_CAP}.")
    confirm_regulatory = serializers.BooleanField(
        required=False, default=False, write_only=True,
        help_text=f"true: a weekly cap above Permen PANRB 4/2025's {REGULATORY_WEEKLY_CAP} days is meant (with "
                  f"legal_basis).")
    # A ListField, not many=True: allow_null would let null items through to the child.
    essential = serializers.ListField(child=EssentialSerializer(), allow_null=True, required=False, default=None,
                                      max_length=MAX_ESSENTIAL,
                                      help_text="Jabatan that keep N holders in; replaces the row's list. Left "
                                                "out or null: unchanged.")

    def validate(self, attrs):
        # The service's validation, the only one: its field errors come back as this serializer's.
        services.coverage_policy_clean({name: attrs.get(name) for name in POLICY_FIELDS},
                                       confirm_regulatory=attrs.get("confirm_regulatory", False))
        return attrs

    def service_args(self) -> dict:
        data = self.validated_data
        essential = data.get("essential")
        return {"data": {name: data.get(name) for name in POLICY_FIELDS},
                "essential": None if essential is None else [(e["jabatan"], e["min_in_office"]) for e in essential],
                "confirm_regulatory": data.get("confirm_regulatory", False)}


class PolicyCreateSerializer(PolicyInputSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), help_text="Unit id in scope.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["unit"].queryset = units_visible_to(request.user) if request else Unit.objects.none()


class PolicySerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    mode = serializers.CharField(read_only=True, help_text="block, warn, inform, or empty: inherited.")
    essential = serializers.SerializerMethodField()

    class Meta:
        model = CoveragePolicy
        fields = ["id", "unit", *POLICY_FIELDS, "essential", "created_at"]
        read_only_fields = fields

    @extend_schema_field(EssentialSerializer(many=True))
    def get_essential(self, row) -> list[dict]:
        return [{"jabatan": e.jabatan, "min_in_office": e.min_in_office} for e in row.essential_positions.all()]


class EffectiveValuesSerializer(serializers.Serializer):
    min_office_share = serializers.IntegerField(allow_null=True)
    min_office_headcount = serializers.IntegerField(allow_null=True)
    weekday_min_share = serializers.DictField(child=serializers.IntegerField())
    weekly_cap = serializers.IntegerField()
    monthly_cap = serializers.IntegerField(allow_null=True)
    mandatory_weekdays = serializers.ListField(child=serializers.IntegerField())
    blackout_dates = serializers.ListField(child=fields.DateField())
    exclude_disciplinary = serializers.BooleanField()
    min_months_since_placement = serializers.IntegerField(allow_null=True)
    mode = serializers.CharField(help_text="block, warn or inform.")
    count_pending = serializers.BooleanField()


class EffectiveEssentialSerializer(EssentialSerializer):
    source = UnitRefSerializer(help_text="The unit whose policy names this jabatan.")
    since = fields.DateField(help_text="The day that unit's policy row applies from.")


def _source_field():
    return UnitRefSerializer(allow_null=True, help_text="Unit whose policy sets it; null = national default.")


# For each value, the unit (itself or an ancestor) whose policy row sets it: the selector's fields.
EffectiveSourcesSerializer = type("EffectiveSourcesSerializer", (serializers.Serializer,), {
    "__doc__": "For each value, the unit (itself or an ancestor) whose policy row sets it.",
    "__module__": __name__, **{name: _source_field() for name in SOURCE_FIELDS}})


def _since_field():
    return fields.DateField(allow_null=True, help_text="The day the source's row applies from; null = national "
                                                       "default.")


# For each value, from when the row that sets it applies (the page's "dari Dinas Kesehatan sejak ...").
EffectiveSinceSerializer = type("EffectiveSinceSerializer", (serializers.Serializer,), {
    "__doc__": "For each value, the day the policy row that sets it applies from.",
    "__module__": __name__, **{name: _since_field() for name in SOURCE_FIELDS}})


class EffectivePolicySerializer(serializers.Serializer):
    """A :class:`scheduling.selectors.EffectivePolicy`, as the HR policy page shows it."""

    unit = UnitRefSerializer()
    date = fields.DateField()
    values = EffectiveValuesSerializer()
    sources = EffectiveSourcesSerializer()
    since = EffectiveSinceSerializer()
    essential = EffectiveEssentialSerializer(many=True)


class EffectiveQuerySerializer(serializers.Serializer):
    date = fields.DateField(required=False, help_text="Day the policy is in force on; default today.")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Only this unit (and below, see subtree).")
    subtree = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SEARCH_LENGTH, default="",
                              help_text="Only units whose name or code contains this (as the page's search).")


class PolicyImpactSerializer(serializers.Serializer):
    """A :class:`scheduling.selectors.PolicyImpact`: whom a change would reach, nothing saved."""

    unit = UnitRefSerializer()
    effective_from = fields.DateField(help_text="From this day on (the earlier of the old and new start when a "
                                                "row's start moves).")
    employees = serializers.IntegerField(help_text="Active employees of the unit and every unit below it.")
    pending_requests = serializers.IntegerField(
        help_text="Their request days still waiting for a decision, dated on or after effective_from.")


# --- Coverage policies: views -----------------------------------------------------------------


class PolicyFilter(UnitSubtreeFilterSet):
    effective_from_after = django_filters.DateFilter(field_name="effective_from", lookup_expr="gte",
                                                     label=_("Berlaku mulai dari"))
    effective_from_before = django_filters.DateFilter(field_name="effective_from", lookup_expr="lte",
                                                      label=_("Berlaku mulai sampai"))

    class Meta:
        model = CoveragePolicy
        fields = ["unit", "subtree", "effective_from_after", "effective_from_before"]


POLICY_EXAMPLE = {
    "id": 4, "unit": {"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}, "effective_from": "2026-01-01",
    "min_office_share": 60, "min_office_headcount": None, "weekly_cap": 2, "monthly_cap": None,
    "weekday_min_share": {"0": 90}, "mandatory_weekdays": None, "blackout_dates": ["2026-12-31"],
    "exclude_disciplinary": None, "count_pending": None, "min_months_since_placement": 6, "mode": "block",
    "note": "Keputusan Kepala Dinas 800/1/2026", "essential": [{"jabatan": "Bendahara", "min_in_office": 1}],
    "created_at": "2025-12-20T10:00:00+07:00",
}
POLICY_INPUT = {k: v for k, v in POLICY_EXAMPLE.items() if k not in ("id", "created_at")} | {"unit": 2}
DINKES = {"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}
EFFECTIVE_EXAMPLE = {
    "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "date": "2026-12-07",
    "values": {"min_office_share": 60, "min_office_headcount": None, "weekday_min_share": {"0": 90},
               "weekly_cap": 2, "monthly_cap": None, "mandatory_weekdays": [], "blackout_dates": ["2026-12-31"],
               "exclude_disciplinary": True, "min_months_since_placement": 6, "mode": "block",
               "count_pending": False},
    "sources": {"min_office_share": DINKES, "min_office_headcount": None, "weekday_min_share": DINKES,
                "weekly_cap": DINKES, "monthly_cap": None, "mandatory_weekdays": None, "blackout_dates": DINKES,
                "exclude_disciplinary": None, "min_months_since_placement": DINKES, "mode": DINKES,
                "count_pending": None},
    "since": {"min_office_share": "2026-01-01", "min_office_headcount": None, "weekday_min_share": "2026-01-01",
              "weekly_cap": "2026-01-01", "monthly_cap": None, "mandatory_weekdays": None,
              "blackout_dates": "2026-01-01", "exclude_disciplinary": None, "min_months_since_placement": "2026-01-01",
              "mode": "2026-01-01", "count_pending": None},
    "essential": [{"jabatan": "Bendahara", "min_in_office": 1, "source": DINKES, "since": "2026-01-01"}],
}
IMPACT_EXAMPLE = {"unit": DINKES, "effective_from": "2026-12-07", "employees": 48, "pending_requests": 5}


@extend_schema_view(
    list=extend_schema(summary="Coverage policy rows in the caller's scope", tags=["policies"],
                       description="What each unit sets itself, from a date on (null = inherited). For the "
                                   "values in force use `effective/`.",
                       examples=[OpenApiExample("Policy", value=POLICY_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One coverage policy row", tags=["policies"]),
    create=extend_schema(
        summary="Add a coverage policy to a unit", tags=["policies"], request=PolicyCreateSerializer,
        responses={201: PolicySerializer, 404: error_response(404)},
        description="Applies from `effective_from` on to the unit and every unit below it that does not "
                    "override a value. Null/left-out values inherit; `[]` lifts a parent's list. One row per "
                    "unit and start date. Audited (`coverage_policy.created`).",
        examples=[OpenApiExample("Policy", value=POLICY_INPUT, request_only=True),
                  OpenApiExample("Created", value=POLICY_EXAMPLE, response_only=True, status_codes=["201"]),
                  _bad_request({"effective_from": ["Unit ini sudah punya aturan yang berlaku mulai 2026-01-01; "
                                                   "ubah aturan tersebut."]})]),
    update=extend_schema(
        summary="Replace a coverage policy row", tags=["policies"], request=PolicyInputSerializer,
        responses={200: PolicySerializer},
        description="The whole row (left-out values become inherited; `essential` left out stays). The unit "
                    "does not change. Audited (`coverage_policy.changed`, before and after).",
        examples=[_bad_request({"min_office_share": [range_message(*INT_RANGES["min_office_share"])]})]),
)
class CoveragePolicyViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = PolicySerializer
    filterset_class = PolicyFilter
    queryset = CoveragePolicy.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        return selectors.policies_visible_to(self.request.user).order_by("unit__path", "-effective_from", "-id")

    def _answer(self, row: CoveragePolicy, code=status.HTTP_200_OK) -> Response:
        return Response(PolicySerializer(self.get_queryset().get(pk=row.pk)).data, status=code)

    def create(self, request):
        serializer = PolicyCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        row = services.coverage_policy_save(actor=request.user, unit=serializer.validated_data["unit"],
                                            **serializer.service_args())
        return self._answer(row, status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        row = self.get_object()
        serializer = PolicyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.coverage_policy_save(actor=request.user, unit=row.unit, policy=row,
                                            **serializer.service_args())
        return self._answer(row)

    @extend_schema(
        summary="Effective policy per unit, with the source of each value", tags=["policies"],
        parameters=[EffectiveQuerySerializer], responses={200: EffectivePolicySerializer(many=True),
                                                          400: error_response(400), 404: error_response(404)},
        description="For every unit in scope (or `unit`, optionally with its subtree), the values in force on "
                    "`date` after inheritance, and for each the unit whose row sets it (null = the national "
                    "default: 2 flexible days a week, mode block, ...). Paginated, in tree order.",
        examples=[OpenApiExample("Effective", value=EFFECTIVE_EXAMPLE, response_only=True)],
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def effective(self, request):
        query = EffectiveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        units = selectors.policy_units_visible_to(request.user, unit_id=params.get("unit"), subtree=params["subtree"],
                                                  search=params["q"])
        page = list(self.paginate_queryset(units))
        effective = selectors.effective_with_sources(page, params.get("date") or timezone.localdate())
        return self.get_paginated_response(EffectivePolicySerializer([effective[u.pk] for u in page], many=True).data)

    @extend_schema(
        summary="Preview a new coverage policy: whom it would reach (nothing saved)", tags=["policies"],
        request=PolicyCreateSerializer, responses={200: PolicyImpactSerializer, 400: error_response(400)},
        description="The body of `POST /policies/`, checked the same way (the same limits and regulatory "
                    "confirmation), then counted instead of saved: the active employees of the unit and its "
                    "subtree, and their request days still waiting for a decision from `effective_from` on. "
                    "Units below that set a value themselves keep it for that value; they are still counted, "
                    "as the change reaches their other values.",
        examples=[OpenApiExample("Impact", value=IMPACT_EXAMPLE, response_only=True)],
    )
    @action(detail=False, methods=["post"], url_path="preview", filter_backends=[])
    def preview(self, request):
        serializer = PolicyCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        impact = selectors.policy_change_impact(serializer.validated_data["unit"],
                                                serializer.validated_data["effective_from"])
        return Response(PolicyImpactSerializer(impact).data)

    @extend_schema(
        summary="Preview a change of a coverage policy row: whom it would reach (nothing saved)", tags=["policies"],
        operation_id="v1_policies_preview_change",
        request=PolicyInputSerializer, responses={200: PolicyImpactSerializer, 400: error_response(400),
                                                  404: error_response(404)},
        description="The body of `PUT /policies/{id}/`, checked the same way, then counted instead of saved (see "
                    "`POST /policies/preview/`). Moving the start later reaches back to the old start.",
        examples=[OpenApiExample("Impact", value=IMPACT_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="preview", url_name="preview-change", filter_backends=[])
    def preview_change(self, request, pk=None):
        row = self.get_object()
        serializer = PolicyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        impact = selectors.policy_change_impact(row.unit, serializer.validated_data["effective_from"], changed=row)
        return Response(PolicyImpactSerializer(impact).data)


# --- FWA windows --------------------------------------------------------------------------------


class FwaWindowSerializer(serializers.ModelSerializer):
    units = UnitRefSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = FwaWindow
        fields = ["id", "name", "start", "end", "units", "include_subunits", "lifts_caps", "created_by", "created_at"]
        read_only_fields = fields


class FwaWindowInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, label=_("Dasar (surat edaran)"),
                                 help_text="E.g. the KemenPAN-RB circular naming the days.")
    start = fields.DateField(label=_("Mulai"))
    end = fields.DateField(label=_("Selesai"))
    units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
                                  max_length=MAX_FWA_UNITS, help_text="Unit ids in scope.")
    include_subunits = serializers.BooleanField(default=True)
    lifts_caps = serializers.BooleanField(
        default=True, label=_("Bebaskan dari batas hari fleksibel"),
        help_text="Days inside the window count towards no weekly or monthly cap of flexible days (so the whole "
                  "window can be booked at once); coverage rules still apply.")

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
        attrs["name"] = services.fwa_window_clean(name=attrs["name"], start=attrs["start"], end=attrs["end"],
                                                  units=attrs["units"])
        return attrs


class FwaOpenedSerializer(serializers.Serializer):
    item = FwaWindowSerializer()
    pending = serializers.IntegerField(help_text="WFH/WFA days that were waiting inside the window.")
    auto_approved = serializers.IntegerField(help_text="Of those, approved now because every rule still holds.")


class FwaWindowFilter(DatedUnitsFilterSet):
    class Meta:
        model = FwaWindow
        fields = ["active_on", "unit"]


FWA_EXAMPLE = {"id": 3, "name": "SE MenPAN-RB 2/2026", "start": "2026-03-16", "end": "2026-03-17",
               "units": [{"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"}], "include_subunits": True,
               "lifts_caps": True, "created_by": "hr_pemkot", "created_at": "2026-03-02T09:00:00+07:00"}


@extend_schema_view(
    list=extend_schema(summary="FWA windows naming units in the caller's scope", tags=["fwa"],
                       examples=[OpenApiExample("Window", value=FWA_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One FWA window", tags=["fwa"]),
    create=extend_schema(
        summary="Open an FWA window", tags=["fwa"], request=FwaWindowInputSerializer,
        responses={201: FwaOpenedSerializer, 404: error_response(404)},
        description="Flexible-work days named by a KemenPAN-RB circular, for many units at once (with their "
                    "sub-units by default). WFH/WFA requests inside it are approved automatically while every "
                    "coverage rule of the unit still holds; pending ones are decided at once. With `lifts_caps` "
                    "(the default) its days count towards no weekly or monthly cap. Audited "
                    "(`fwa_window.opened`).",
        examples=[OpenApiExample("Open", request_only=True, value={
                      "name": "SE MenPAN-RB 2/2026", "start": "2026-03-16", "end": "2026-03-17", "units": [1],
                      "include_subunits": True, "lifts_caps": True}),
                  OpenApiExample("Opened", response_only=True, status_codes=["201"],
                                 value={"item": FWA_EXAMPLE, "pending": 12, "auto_approved": 10}),
                  _bad_request({"end": ["Tanggal selesai tidak boleh sebelum tanggal mulai."]})]),
)
class FwaWindowViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = FwaWindowSerializer
    filterset_class = FwaWindowFilter
    queryset = FwaWindow.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.fwa_windows_visible_to(self.request.user)

    def create(self, request):
        serializer = FwaWindowInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        opened = services.fwa_window_open(actor=request.user, **serializer.validated_data)
        body = {"item": self.get_queryset().get(pk=opened.window.pk), "pending": opened.pending,
                "auto_approved": opened.auto_approved}
        return Response(FwaOpenedSerializer(body).data, status=status.HTTP_201_CREATED)
