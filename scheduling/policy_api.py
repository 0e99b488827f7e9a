"""Scheduling API for HR and supervisors: coverage policies (and where each effective value
comes from), FWA windows, the team presence calendar, and the history of one request day.

Same rules as the pages (``scheduling.hr_views``, ``scheduling.views``): policies and FWA
windows are for HR admins inside their scope and superusers (anyone else: 404); the team
calendar for whoever decides for people of the unit or administers it; a day's history for
whoever may see the day. Writes are service calls; rejected input writes nothing.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import error_body
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from portal.api.views.hr import MAX_ID, IdFilter, IsHRAdmin
from portal.models import AuditEvent, Unit
from portal.selectors import employee_of, units_visible_to
from scheduling import rules, selectors, services
from scheduling.api import ServiceErrorsMixin
from scheduling.models import CoveragePolicy, FwaWindow, Kind, Mode, RequestDay, Status
from scheduling.services_policy import INT_RANGES, POLICY_FIELDS, coverage_policy_save
from scheduling.views.common import acting_label, month_bounds, person_name
from scheduling.views.employee import VERB_LABELS
from scheduling.views.supervisor import supervised_units

MAX_BLACKOUT_DATES = 366
MAX_ESSENTIAL = 100
MAX_FWA_UNITS = 1000
MAX_FWA_DAYS = 366


def _bad_request(fields: dict) -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.",
                                           fields=fields))


# --- Coverage policies: shapes ---------------------------------------------------------------


def _int_field(name: str, **kwargs):
    low, high = INT_RANGES[name]
    return serializers.IntegerField(min_value=low, max_value=high, allow_null=True, required=False, default=None,
                                    **kwargs)


class EssentialSerializer(serializers.Serializer):
    jabatan = serializers.CharField(max_length=200)
    min_in_office = serializers.IntegerField(min_value=0, max_value=1000, default=1)


class WeekdaySharesField(serializers.DictField):
    """{"0": 90, "4": 60}: weekday (0=Monday … 6=Sunday) → minimum share in the office (%)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(min_value=0, max_value=100), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(key not in {str(d) for d in range(7)} for key in value):
            raise serializers.ValidationError(_("Kunci harus hari 0 (Senin) sampai 6 (Minggu)."))
        return value


class PolicyInputSerializer(serializers.Serializer):
    """A policy row: every field left out or null is inherited from the parent unit."""

    effective_from = serializers.DateField(label=_("Berlaku mulai"))
    min_office_share = _int_field("min_office_share", help_text="Minimum share of the unit in the office (%).")
    min_office_headcount = _int_field("min_office_headcount", help_text="Minimum people in the office.")
    weekday_min_share = WeekdaySharesField(allow_null=True, required=False, default=None)
    weekly_cap = _int_field("weekly_cap", help_text="Flexible days per employee per week (PermenPANRB: 2).")
    monthly_cap = _int_field("monthly_cap")
    mandatory_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), allow_null=True, required=False, default=None,
        max_length=7, help_text="Weekdays everybody is in (0=Monday); [] lifts the parent's.")
    blackout_dates = serializers.ListField(
        child=serializers.DateField(), allow_null=True, required=False, default=None,
        max_length=MAX_BLACKOUT_DATES, help_text="Dates everybody is in; [] lifts the parent's.")
    exclude_disciplinary = serializers.BooleanField(allow_null=True, required=False, default=None)
    min_months_since_placement = _int_field("min_months_since_placement")
    mode = serializers.ChoiceField(choices=Mode.choices, allow_blank=True, required=False, default="",
                                   help_text="block, warn (justification needed) or inform; empty inherits.")
    count_pending = serializers.BooleanField(allow_null=True, required=False, default=None)
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    # A ListField, not many=True: allow_null would let null items through to the child.
    essential = serializers.ListField(child=EssentialSerializer(), allow_null=True, required=False, default=None,
                                      max_length=MAX_ESSENTIAL,
                                      help_text="Jabatan that keep N holders in; replaces the row's list. Left "
                                                "out or null: unchanged.")

    def service_args(self) -> tuple[dict, list | None]:
        data = self.validated_data
        policy = {name: data.get(name) for name in POLICY_FIELDS}
        essential = data.get("essential")
        rows = None if essential is None else [(e["jabatan"], e["min_in_office"]) for e in essential]
        return policy, rows


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
    blackout_dates = serializers.ListField(child=serializers.DateField())
    exclude_disciplinary = serializers.BooleanField()
    min_months_since_placement = serializers.IntegerField(allow_null=True)
    mode = serializers.CharField(help_text="block, warn or inform.")
    count_pending = serializers.BooleanField()


class EffectiveEssentialSerializer(EssentialSerializer):
    source = UnitRefSerializer(help_text="The unit whose policy names this jabatan.")


def _source_field():
    return UnitRefSerializer(allow_null=True, help_text="Unit whose policy sets it; null = national default.")


class EffectiveSourcesSerializer(serializers.Serializer):
    """For each value, the unit (itself or an ancestor) whose policy row sets it."""

    min_office_share = _source_field()
    min_office_headcount = _source_field()
    weekday_min_share = _source_field()
    weekly_cap = _source_field()
    monthly_cap = _source_field()
    mandatory_weekdays = _source_field()
    blackout_dates = _source_field()
    exclude_disciplinary = _source_field()
    min_months_since_placement = _source_field()
    mode = _source_field()
    count_pending = _source_field()


class EffectivePolicySerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    date = serializers.DateField()
    values = EffectiveValuesSerializer()
    sources = EffectiveSourcesSerializer()
    essential = EffectiveEssentialSerializer(many=True)


class EffectiveQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Day the policy is in force on; default today.")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Only this unit (and below, see subtree).")
    subtree = serializers.BooleanField(required=False, default=False)


# --- Coverage policies: effective values with their sources ----------------------------------

SOURCE_FIELDS = tuple(EffectiveSourcesSerializer._declared_fields)


def _layer(row: CoveragePolicy) -> dict:
    layer = {name: getattr(row, name) for name in rules._SCALARS}
    layer.update(weekday_min_share=row.weekday_min_share, mandatory_weekdays=row.mandatory_weekdays,
                 blackout_dates=row.blackout_dates,
                 essential=[(e.jabatan, e.min_in_office) for e in row.essential_positions.all()])
    return layer


def effective_with_sources(units: list[Unit], day: dt.date) -> list[dict]:
    """Each unit's policy on ``day`` with, per value, the unit that sets it (constant queries)."""
    ancestor_ids = {a for u in units for a in u.ancestor_ids}
    in_force: dict[int, CoveragePolicy] = {}
    for row in (CoveragePolicy.objects.filter(unit_id__in=ancestor_ids, effective_from__lte=day)
                .select_related("unit").prefetch_related("essential_positions").order_by("effective_from")):
        in_force[row.unit_id] = row  # a later start replaces an earlier one
    out = []
    for unit in units:
        rows = [in_force[a] for a in unit.ancestor_ids if a in in_force]  # root first
        sources = dict.fromkeys(SOURCE_FIELDS)
        essential_from = {}
        for row in rows:
            sources.update({n: row.unit for n in SOURCE_FIELDS if getattr(row, n) not in (None, "")})
            essential_from.update({e.jabatan: row.unit for e in row.essential_positions.all()})
        policy = rules.merge_policies([_layer(r) for r in rows])
        out.append({"unit": unit, "date": day, "values": _values(policy), "sources": sources,
                    "essential": [{"jabatan": j, "min_in_office": n, "source": essential_from[j]}
                                  for j, n in policy.essential]})
    return out


def _values(policy: rules.Policy) -> dict:
    return {
        **{name: getattr(policy, name) for name in rules._SCALARS},
        "weekday_min_share": {str(d): s for d, s in sorted(policy.weekday_min_share.items())},
        "mandatory_weekdays": sorted(policy.mandatory_weekdays),
        "blackout_dates": sorted(policy.blackout_dates),
    }


# --- Coverage policies: views -----------------------------------------------------------------


class PolicyFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", label=_("Unit"),
                    help_text="Rows of this unit; with subtree=true also of the units below.")
    subtree = django_filters.BooleanFilter(method="filter_nothing", label=_("Termasuk sub-unit"))
    effective_from_after = django_filters.DateFilter(field_name="effective_from", lookup_expr="gte",
                                                     label=_("Berlaku mulai dari"))
    effective_from_before = django_filters.DateFilter(field_name="effective_from", lookup_expr="lte",
                                                      label=_("Berlaku mulai sampai"))

    class Meta:
        model = CoveragePolicy
        fields = ["unit", "subtree", "effective_from_after", "effective_from_before"]

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).first()  # the list is already scoped
        if unit is None:
            return queryset.none()
        if self.form.cleaned_data.get("subtree"):
            return queryset.filter(unit__path__startswith=unit.path)
        return queryset.filter(unit=unit)

    def filter_nothing(self, queryset, name, value):
        return queryset


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
    "essential": [{"jabatan": "Bendahara", "min_in_office": 1, "source": DINKES}],
}


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
        examples=[_bad_request({"min_office_share": ["Pastikan nilai ini lebih kecil dari atau sama dengan "
                                                     "100."]})]),
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
        return (CoveragePolicy.objects.filter(unit__in=units_visible_to(self.request.user))
                .select_related("unit").prefetch_related("essential_positions")
                .order_by("unit__path", "-effective_from", "-id"))

    def _answer(self, row: CoveragePolicy, code=status.HTTP_200_OK) -> Response:
        return Response(PolicySerializer(self.get_queryset().get(pk=row.pk)).data, status=code)

    def create(self, request):
        serializer = PolicyCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data, essential = serializer.service_args()
        row = coverage_policy_save(actor=request.user, unit=serializer.validated_data["unit"], data=data,
                                   essential=essential)
        return self._answer(row, status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        row = self.get_object()
        serializer = PolicyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, essential = serializer.service_args()
        row = coverage_policy_save(actor=request.user, unit=row.unit, policy=row, data=data, essential=essential)
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
        units = units_visible_to(request.user).order_by("path")
        if params.get("unit"):
            unit = units.filter(pk=params["unit"]).first()
            if unit is None:
                raise Http404
            units = units.filter(path__startswith=unit.path) if params["subtree"] else units.filter(pk=unit.pk)
        page = self.paginate_queryset(units)
        rows = effective_with_sources(list(page), params.get("date") or timezone.localdate())
        return self.get_paginated_response(EffectivePolicySerializer(rows, many=True).data)


# --- FWA windows --------------------------------------------------------------------------------


class FwaWindowSerializer(serializers.ModelSerializer):
    units = UnitRefSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = FwaWindow
        fields = ["id", "name", "start", "end", "units", "include_subunits", "created_by", "created_at"]
        read_only_fields = fields


class FwaWindowInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, label=_("Dasar (surat edaran)"),
                                 help_text="E.g. the KemenPAN-RB circular naming the days.")
    start = serializers.DateField(label=_("Mulai"))
    end = serializers.DateField(label=_("Selesai"))
    units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
                                  max_length=MAX_FWA_UNITS, help_text="Unit ids in scope.")
    include_subunits = serializers.BooleanField(default=True)

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
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]})
        if (attrs["end"] - attrs["start"]).days >= MAX_FWA_DAYS:
            raise serializers.ValidationError({"end": [_("Rentang paling panjang %(n)d hari.") % {"n": MAX_FWA_DAYS}]})
        return attrs


class FwaOpenedSerializer(serializers.Serializer):
    item = FwaWindowSerializer()
    pending = serializers.IntegerField(help_text="WFH/WFA days that were waiting inside the window.")
    auto_approved = serializers.IntegerField(help_text="Of those, approved now because every rule still holds.")


class FwaWindowFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Berlaku pada"))
    unit = IdFilter(method="filter_unit", label=_("Unit"), help_text="Windows naming this unit.")

    class Meta:
        model = FwaWindow
        fields = ["active_on", "unit"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value) if value else queryset

    def filter_unit(self, queryset, name, value):
        # A subquery, not a join: a join would repeat windows naming several units.
        return queryset.filter(pk__in=FwaWindow.units.through.objects.filter(unit_id=value).values("fwawindow_id"))


FWA_EXAMPLE = {"id": 3, "name": "SE MenPAN-RB 2/2026", "start": "2026-03-16", "end": "2026-03-17",
               "units": [{"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"}], "include_subunits": True,
               "created_by": "hr_pemkot", "created_at": "2026-03-02T09:00:00+07:00"}


@extend_schema_view(
    list=extend_schema(summary="FWA windows naming units in the caller's scope", tags=["fwa"],
                       examples=[OpenApiExample("Window", value=FWA_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One FWA window", tags=["fwa"]),
    create=extend_schema(
        summary="Open an FWA window", tags=["fwa"], request=FwaWindowInputSerializer,
        responses={201: FwaOpenedSerializer, 404: error_response(404)},
        description="Flexible-work days named by a KemenPAN-RB circular, for many units at once (with their "
                    "sub-units by default). WFH/WFA requests inside it are approved automatically while every "
                    "coverage rule of the unit still holds; pending ones are decided at once. Audited "
                    "(`fwa_window.opened`).",
        examples=[OpenApiExample("Open", request_only=True, value={
                      "name": "SE MenPAN-RB 2/2026", "start": "2026-03-16", "end": "2026-03-17", "units": [1],
                      "include_subunits": True}),
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
        windows = FwaWindow.objects.all()
        if not self.request.user.is_superuser:
            windows = windows.filter(pk__in=FwaWindow.objects.filter(
                units__in=units_visible_to(self.request.user)).values("pk"))
        return windows.prefetch_related("units").select_related("created_by").order_by("-start", "-id")

    def create(self, request):
        serializer = FwaWindowInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        units = list(data["units"])
        waiting = _pending_flexible_in(units, data["start"], data["end"], data["include_subunits"])
        window = services.fwa_window_open(actor=request.user, name=data["name"], start=data["start"],
                                          end=data["end"], units=units, include_subunits=data["include_subunits"])
        approved = RequestDay.objects.filter(pk__in=waiting, status=Status.APPROVED).count()
        body = {"item": self.get_queryset().get(pk=window.pk), "pending": len(waiting), "auto_approved": approved}
        return Response(FwaOpenedSerializer(body).data, status=status.HTTP_201_CREATED)


def _pending_flexible_in(units: list[Unit], start: dt.date, end: dt.date, include_subunits: bool) -> list[int]:
    scope = Unit.objects.subtrees_of(units) if include_subunits else Unit.objects.filter(pk__in=[u.pk for u in units])
    pending = RequestDay.objects.filter(status=Status.PENDING, date__range=(start, end),
                                        kind__in=[Kind.WFH, Kind.WFA], unit__in=scope)
    return list(pending.values_list("pk", flat=True))


# --- Team calendar -----------------------------------------------------------------------------


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
    date = serializers.DateField()
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


def team_units(user) -> tuple[list[Unit], set[int]]:
    """Units the caller may see (supervised first, then HR scope) and those where kinds show."""
    units = supervised_units(user)
    seen = {u.pk for u in units}
    visible = units_visible_to(user)
    units += [u for u in visible.order_by("path")[:300] if u.pk not in seen]
    return units, set(visible.filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))


def team_days(unit: Unit, first: dt.date, last: dt.date, show_kinds: bool) -> list[dict]:
    """The API shape of :func:`scheduling.selectors.team_presence`."""
    return [{"date": d["date"], "headcount": len(d["present"]) + len(d["away"]), "in_office": len(d["present"]),
             "minimum": d["coverage"].minimum, "below": len(d["present"]) < d["coverage"].minimum,
             "present": d["present"], "away": d["away"]}
            for d in selectors.team_presence(unit, first, last, show_kinds=show_kinds)]


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
        units, kind_units = team_units(request.user)
        if params.get("unit"):
            units_by_id = {u.pk: u for u in units}
            if request.user.is_superuser and params["unit"] not in units_by_id:
                units_by_id.update({u.pk: u for u in Unit.objects.filter(pk=params["unit"])})
            chosen = units_by_id.get(params["unit"])
        else:
            chosen = units[0] if units else None
        if chosen is None:
            raise Http404
        me = employee_of(request.user)
        today = (me.unit if me else chosen).local_today()
        first = (dt.date.fromisoformat(f"{params['month']}-01") if params.get("month") else today.replace(day=1))
        first, last = month_bounds(first)
        show_kinds = chosen.pk in kind_units or request.user.is_superuser
        body = {"unit": chosen, "month": f"{first:%Y-%m}", "show_kinds": show_kinds, "units": units,
                "days": team_days(chosen, first, last, show_kinds)}
        return Response(TeamSerializer(body).data)


# --- History of one request day ----------------------------------------------------------------


class HistoryEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField(help_text="request.submitted, request_day.approved, ... (audit verb).")
    label = serializers.CharField(help_text="The step in the request language.")
    actor = serializers.CharField(help_text="Name of who did it; \"Sistem\" for automatic steps.")
    acting_for = serializers.CharField(help_text='"Plh. <jabatan>" when decided on behalf of someone.')
    reason = serializers.CharField()


class RequestDayHistoryView(APIView):
    @extend_schema(
        summary="History of one request day", tags=["requests"], responses={200: HistoryEventSerializer(many=True)},
        description="The audit events of the day and of its request's submission, oldest first: who submitted, "
                    "approved (also as Plh/Plt or automatically in an FWA window), rejected, withdrew or "
                    "cancelled it, and why. For whoever may see the day; otherwise 404.",
        examples=[OpenApiExample("History", response_only=True, value=[
            {"at": "2026-12-01T09:00:00+07:00", "verb": "request.submitted", "label": "Diajukan",
             "actor": "Ani Lestari", "acting_for": "", "reason": ""},
            {"at": "2026-12-01T10:30:00+07:00", "verb": "request_day.approved", "label": "Disetujui",
             "actor": "Citra Plh", "acting_for": "Plh. Kepala Bidang P2P", "reason": ""}])],
    )
    def get(self, request, pk: int):
        day = selectors.request_days_visible_to(request.user).filter(pk=pk).first()
        if day is None:
            raise Http404
        events = AuditEvent.objects.filter(
            Q(object_type="scheduling.workrequest", object_id=str(day.request_id))
            | Q(object_type="scheduling.requestday", object_id=str(day.pk))
        ).select_related("actor__employee").order_by("at", "id")
        rows = [{"at": e.at, "verb": e.verb, "label": _label(e), "actor": person_name(e.actor),
                 "acting_for": acting_label(e.acting_for), "reason": str((e.after or {}).get("reason") or "")}
                for e in events]
        return Response(HistoryEventSerializer(rows, many=True).data)


def _label(event: AuditEvent) -> str:
    if event.verb == "request_day.approved" and (event.after or {}).get("auto"):
        return str(_("Disetujui otomatis"))
    return str(VERB_LABELS.get(event.verb, event.verb))
