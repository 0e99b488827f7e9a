"""Query filters of the organisation endpoints (django-filter).

Filter choices are scoped to the caller: a unit outside their scope is "not a valid
choice", exactly like a unit that does not exist, so nothing leaks.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.models import AsnType, Employee, PositionKind, Unit, UnitKind
from portal.rules import normalize_nip
from portal.selectors import employee_of, employees_visible_to, units_visible_to

# The largest id the database holds (BigAutoField, and SQLite's INTEGER): above it a lookup
# raises instead of answering "not found". Every id the API takes is checked against it.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A whole-number id from 1 to :data:`MAX_ID` (NumberFilter would take 1.5 or 1e30)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UnitSubtreeFilterSet(django_filters.FilterSet):
    """``unit`` (with ``subtree``) over a list that is already scoped to the caller, so a unit
    outside their reach simply matches nothing. ``unit_field`` names the path to the unit."""

    unit_field = "unit"
    unit = IdFilter(method="filter_unit", label=_("Unit kerja"),
                    help_text="Unit id; with subtree=true also every unit below it.")
    subtree = django_filters.BooleanFilter(method="filter_nothing", label=_("Termasuk sub-unit"))

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).first()
        if unit is None:
            return queryset.none()
        if self.form.cleaned_data.get("subtree"):
            return queryset.filter(**{f"{self.unit_field}__path__startswith": unit.path})
        return queryset.filter(**{self.unit_field: unit})

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_unit


class PeopleFilterSet(UnitSubtreeFilterSet):
    """:class:`UnitSubtreeFilterSet` plus ``employee`` and ``mine`` (the caller's own rows, or others')."""

    employee = IdFilter(field_name="employee_id", label=_("Pegawai"), help_text="Employee id.")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Milik saya"),
                                        help_text="true: only the caller's own; false: only others'.")

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        me = employee_of(self.request.user) if self.request else None
        if value:
            return queryset.filter(employee=me) if me else queryset.none()
        return queryset.exclude(employee=me) if me else queryset


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
