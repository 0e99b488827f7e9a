"""Filters the scheduling API shares."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.api.filters import IdFilter


class DatedUnitsFilterSet(django_filters.FilterSet):
    """Things in force over a date range that name units (FWA windows, emergencies): those in
    force on a day, and those naming a unit. Subclasses set ``Meta.model`` and the field holding
    the last day in force."""

    last_day_field = "end"

    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Berlaku pada"))
    unit = IdFilter(method="filter_unit", label=_("Unit"), help_text="Only those naming this unit.")

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, **{f"{self.last_day_field}__gte": value}) if value else queryset

    def filter_unit(self, queryset, name, value):
        # A subquery, not a join: a join would repeat one naming several units.
        model = queryset.model
        naming = model.units.through.objects.filter(unit_id=value).values(f"{model._meta.model_name}_id")
        return queryset.filter(pk__in=naming)
