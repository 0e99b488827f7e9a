"""API for working patterns (jam kerja) per unit and Ramadan periods, for HR admins.

The same rules as the HR pages (``/hr/jam-kerja/``, ``/hr/ramadan/``): an HR admin works inside
their subtree (Ramadan periods: the institutions, i.e. tree roots, inside it; national periods only
superusers), anyone else finds nothing (404). Reads are :mod:`portal.selectors.patterns`, the ones
the pages render; every write is one call of :mod:`portal.services.calendar`, which validates,
audits and recomputes the day statuses it touches, so a rejected request writes nothing and its
refusal is a 400 with field errors.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import serializers_calendar as s
from portal.api.errors import error_body
from portal.api.filters import UnitSubtreeFilterSet
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.models import RamadanPeriod, WorkPattern
from portal.selectors.patterns import (
    pattern_units_visible_to,
    patterns_overview,
    ramadan_periods_visible_to,
    ramadan_periods_writable_by,
    scope_today,
    work_patterns_visible_to,
)
from portal.services import calendar as services


def _bad_request(fields: dict) -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.",
                                           fields=fields))


def _input(serializer_class, request, **context):
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer


# --- Working patterns ------------------------------------------------------------------------


class WorkPatternFilter(UnitSubtreeFilterSet):
    effective_from_after = django_filters.DateFilter(field_name="effective_from", lookup_expr="gte",
                                                     label=_("Berlaku mulai dari"))
    effective_from_before = django_filters.DateFilter(field_name="effective_from", lookup_expr="lte",
                                                      label=_("Berlaku mulai sampai"))

    class Meta:
        model = WorkPattern
        fields = ["unit", "subtree", "effective_from_after", "effective_from_before"]


DINKES = {"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}
WEEK = [{"weekday": d, "start": "07:30", "end": "16:00", "break_minutes": 60} for d in range(4)] + [
    {"weekday": 4, "start": "07:30", "end": "16:30", "break_minutes": 90}]
PATTERN_INPUT = {"unit": 2, "effective_from": "2027-01-04", "kind": "weekly", "flex_until": "08:30",
                 "note": "Keputusan Kepala Dinas 800/7/2026", "days": WEEK}
PATTERN_EXAMPLE = {"id": 5, **PATTERN_INPUT, "unit": DINKES, "created_at": "2026-12-08T09:00:00+07:00"}
IN_FORCE_EXAMPLE = {"unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "date": "2027-01-04",
                    "pattern": 5, "source": DINKES, "effective_from": "2027-01-04", "kind": "weekly",
                    "flex_until": "08:30", "days": WEEK}
DAY_ERROR = _bad_request({"days": ["Jam pulang Senin harus sesudah jam masuknya (pola mingguan tidak melewati "
                                   "tengah malam; untuk itu pakai shift)."]})


@extend_schema_view(
    list=extend_schema(
        summary="Working pattern versions in the caller's scope", tags=["calendar"],
        description="Each unit's own versions (by unit in tree order, newest first), with their working "
                    "weekdays and hours. A unit without a version in force inherits its parent's; for the week "
                    "in force on a date, and where it comes from, use `in-force/`.",
        examples=[OpenApiExample("Pattern", value=PATTERN_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One working pattern version", tags=["calendar"]),
    create=extend_schema(
        summary="Add a working pattern version to a unit", tags=["calendar"], request=s.WorkPatternCreateSerializer,
        responses={201: s.WorkPatternSerializer, 404: error_response(404)},
        description="Applies from `effective_from` on to the unit and every unit below it without a pattern of "
                    "its own; the days before keep the pattern they had. One version per unit and date; a start "
                    "inside a closed month (tutup buku) is refused. Audited (`work_pattern.created`); day "
                    "statuses from that date up to tomorrow are recomputed after commit.",
        examples=[OpenApiExample("Pattern", value=PATTERN_INPUT, request_only=True),
                  OpenApiExample("Created", value=PATTERN_EXAMPLE, response_only=True, status_codes=["201"]),
                  DAY_ERROR]),
    update=extend_schema(
        summary="Replace a working pattern version", tags=["calendar"], request=s.WorkPatternInputSerializer,
        responses={200: s.WorkPatternSerializer},
        description="The whole version (its days are replaced); the unit does not change. Audited "
                    "(`work_pattern.updated`, before and after); recomputed from the earlier of the old and new "
                    "start dates.",
        examples=[OpenApiExample("Pattern", request_only=True,
                                 value={k: v for k, v in PATTERN_INPUT.items() if k != "unit"}),
                  _bad_request({"flex_until": ["Batas jam masuk fleksibel 07:00 harus sesudah jam masuk Senin "
                                               "(07:30) dan sebelum jam pulangnya."]})]),
    destroy=extend_schema(
        summary="Remove a working pattern version", tags=["calendar"],
        description="Its days fall back to the version before it (or the parent unit's pattern). Refused (400) "
                    "when it starts in a closed month. Audited (`work_pattern.deleted`)."),
)
class WorkPatternViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                         viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = s.WorkPatternSerializer
    filterset_class = WorkPatternFilter
    queryset = WorkPattern.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return work_patterns_visible_to(self.request.user)

    def _answer(self, row: WorkPattern, code=status.HTTP_200_OK) -> Response:
        return Response(s.WorkPatternSerializer(self.get_queryset().get(pk=row.pk)).data, status=code)

    def create(self, request):
        serializer = _input(s.WorkPatternCreateSerializer, request)
        row = services.work_pattern_save(actor=request.user, unit=serializer.validated_data["unit"], pattern=None,
                                         **serializer.service_args())
        return self._answer(row, status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        row = self.get_object()
        serializer = _input(s.WorkPatternInputSerializer, request, pattern=row)
        row = services.work_pattern_save(actor=request.user, unit=row.unit, pattern=row, **serializer.service_args())
        return self._answer(row)

    def perform_destroy(self, instance):
        services.work_pattern_delete(actor=self.request.user, pattern=instance)

    @extend_schema(
        summary="The working week in force per unit, and where it comes from", tags=["calendar"],
        parameters=[s.InForceQuerySerializer],
        responses={200: s.PatternInForceSerializer(many=True), 400: error_response(400), 404: error_response(404)},
        description="For every unit in scope (or `unit`, optionally with its subtree), the pattern version in "
                    "force on `date` (default: today, where the top unit of the caller's scope is) and the unit it "
                    "comes from: the unit itself, an ancestor (inherited), or null for the Perpres 21/2023 default "
                    "week (Monday–Thursday 07:30–16:00, "
                    "Friday 07:30–16:30). Ramadan hours are not applied here (see `ramadan-periods`). "
                    "Paginated, in tree order; the same answer as the page /hr/jam-kerja/.",
        examples=[OpenApiExample("Inherited", value=IN_FORCE_EXAMPLE, response_only=True)],
    )
    @action(detail=False, methods=["get"], url_path="in-force", filter_backends=[])
    def in_force(self, request):
        query = s.InForceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        units = pattern_units_visible_to(request.user, unit_id=params.get("unit"), subtree=params["subtree"])
        page = list(self.paginate_queryset(units))
        overview = patterns_overview(page, params.get("date") or scope_today(request.user))
        body = [s.in_force_body(overview[u.pk]) for u in page]
        return self.get_paginated_response(s.PatternInForceSerializer(body, many=True).data)


# --- Ramadan periods ---------------------------------------------------------------------------


class RamadanPeriodFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Berlaku pada"),
                                          help_text="Only periods that include this date.")
    national = django_filters.BooleanFilter(field_name="institution", lookup_expr="isnull", label=_("Nasional"),
                                            help_text="true: only national periods; false: only institutions'.")

    class Meta:
        model = RamadanPeriod
        fields = ["active_on", "national"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value) if value else queryset


RAMADAN_INPUT = {"institution": 1, "start": "2027-02-08", "end": "2027-03-09", "start_time": "08:00",
                 "end_time": "15:00", "friday_end_time": "15:30", "break_minutes": 30, "friday_break_minutes": 60}
RAMADAN_EXAMPLE = {"id": 3, **RAMADAN_INPUT,
                   "institution": {"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"}}
OVERLAP_ERROR = _bad_request({"start": ["Periode ini bertumpang tindih dengan periode Ramadan 2027-02-08–2027-03-09; "
                                        "ubah periode itu atau pilih tanggal lain."]})


@extend_schema_view(
    list=extend_schema(
        summary="Ramadan periods that apply to the caller's scope", tags=["calendar"],
        description="National periods and those of the institutions the HR admin works in, newest first. An "
                    "institution's own period wins over the national one on the days they share.",
        examples=[OpenApiExample("Period", value=RAMADAN_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One Ramadan period", tags=["calendar"]),
    create=extend_schema(
        summary="Add a Ramadan period", tags=["calendar"], request=s.RamadanPeriodSerializer,
        responses={201: s.RamadanPeriodOutSerializer, 404: error_response(404)},
        description="For an instansi (tree root) inside the caller's scope; national periods (`institution` "
                    "null) are for superusers. Periods of the same institution (or two national ones) may not "
                    "overlap; one reaching into a closed month is refused. Audited; day statuses up to tomorrow "
                    "are recomputed after commit.",
        examples=[OpenApiExample("Period", value=RAMADAN_INPUT, request_only=True),
                  OpenApiExample("Created", value=RAMADAN_EXAMPLE, response_only=True, status_codes=["201"]),
                  OVERLAP_ERROR]),
    update=extend_schema(
        summary="Replace a Ramadan period", tags=["calendar"], request=s.RamadanPeriodSerializer,
        responses={200: s.RamadanPeriodOutSerializer},
        description="The whole row. Periods the caller may read but not change (national, a parent "
                    "institution's) answer 404. Audited (before and after); the days of both the old and the "
                    "new dates are recomputed.",
        examples=[OVERLAP_ERROR]),
    destroy=extend_schema(
        summary="Remove a Ramadan period", tags=["calendar"],
        description="Its days get the usual hours again. Periods the caller may read but not change answer 404; "
                    "one reaching into a closed month is refused (400). Audited."),
)
class RamadanPeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                           viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = s.RamadanPeriodOutSerializer
    filterset_class = RamadanPeriodFilter
    queryset = RamadanPeriod.objects.none()
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        if self.action in ("update", "destroy"):
            return ramadan_periods_writable_by(self.request.user)
        return ramadan_periods_visible_to(self.request.user)

    def _answer(self, row: RamadanPeriod, code=status.HTTP_200_OK) -> Response:
        fresh = RamadanPeriod.objects.select_related("institution").get(pk=row.pk)
        return Response(s.RamadanPeriodOutSerializer(fresh).data, status=code)

    def create(self, request):
        data = _input(s.RamadanPeriodSerializer, request).validated_data
        row = services.ramadan_period_save(actor=request.user, row=RamadanPeriod(**data))
        return self._answer(row, status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        row = self.get_object()
        for name, value in _input(s.RamadanPeriodSerializer, request).validated_data.items():
            setattr(row, name, value)
        return self._answer(services.ramadan_period_save(actor=request.user, row=row))

    def perform_destroy(self, instance):
        services.ramadan_period_delete(actor=self.request.user, row=instance)
