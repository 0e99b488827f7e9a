"""Query filters of the organisation endpoints (django-filter).

Filter choices are scoped to the caller: a unit outside their scope is "not a valid
choice", exactly like a unit that does not exist, so nothing leaks.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.models import AsnType, Employee, PositionKind, Unit, UnitKind
from portal.rules import normalize_nip
from portal.selectors import employees_visible_to, units_visible_to


def _visible_units(request):
    return units_visible_to(request.user) if request is not None else Unit.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class UnitIdFilter(django_filters.ModelChoiceFilter):
    """A unit chosen by id (typed for the schema even when not a model field)."""


def _visible_employees(request):
    return employees_visible_to(request.user) if request is not None else Employee.objects.none()


class UnitFilter(django_filters.FilterSet):
    within = UnitIdFilter(
        queryset=_visible_units, method="filter_within", label=_("Di bawah unit"),
        help_text="Only this unit and the units below it, at any depth.",
    )
    parent = django_filters.ModelChoiceFilter(
        queryset=_visible_units, label=_("Unit induk"), help_text="Direct children of this unit.",
    )
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Jenis"))
    is_active = django_filters.BooleanFilter(label=_("Aktif"))
    q = django_filters.CharFilter(method="filter_q", label=_("Cari"), help_text="Part of the code or name.")

    class Meta:
        model = Unit
        fields = ["within", "parent", "kind", "is_active", "q"]

    def filter_within(self, queryset, name, unit):
        return queryset.subtree_of(unit) if unit else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class EmployeeFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="filter_unit", label=_("Unit kerja"),
        help_text="Employees of this unit; with subtree=true also of every unit below it.",
    )
    subtree = django_filters.BooleanFilter(
        method="filter_nothing", label=_("Termasuk sub-unit"), help_text="Used with `unit`.",
    )
    supervisor = django_filters.ModelChoiceFilter(
        queryset=_visible_employees, label=_("Atasan langsung"), help_text="Direct reports of this employee (id).",
    )
    asn_type = django_filters.ChoiceFilter(choices=AsnType.choices, label=_("Jenis ASN"))
    position_kind = django_filters.ChoiceFilter(choices=PositionKind.choices, label=_("Jenis jabatan"))
    is_active = django_filters.BooleanFilter(label=_("Aktif"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("Cari"), help_text="Part of the name, or of the NIP (spaces allowed).",
    )

    class Meta:
        model = Employee
        fields = ["unit", "subtree", "supervisor", "asn_type", "position_kind", "is_active", "q"]

    def filter_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        if self.form.cleaned_data.get("subtree"):
            return queryset.in_subtree(unit)
        return queryset.filter(unit=unit)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_unit

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value)
        digits = normalize_nip(value)
        if digits.isdigit():
            condition |= Q(nip__contains=digits)
        return queryset.filter(condition)
