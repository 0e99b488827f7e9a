"""Shapes of the work-calendar API: working patterns (jam kerja) per unit and Ramadan periods.

Shape only. A working pattern is validated once, by :func:`portal.services.calendar.work_pattern_clean`
(called from ``validate`` here, as by the page form and the service); Ramadan periods by the service
when saving. Ids the caller sends are looked up inside their scope, so an object outside it is
"does not exist", exactly like a missing one. Times are the unit's local time, ``HH:MM``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.serializers import UnitRefSerializer
from portal.api.serializers_hr import ScopedChoicesMixin
from portal.models import PatternKind, RamadanPeriod, Unit, WorkPattern, WorkPatternDay
from portal.selectors import units_visible_to
from portal.services.calendar import PatternDayData, institutions_writable_by, work_pattern_clean

MAX_BREAK_MINUTES = 24 * 60 - 1  # a break is shorter than the day it interrupts


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _time(**kwargs) -> serializers.TimeField:
    return fields.HourMinuteField(**kwargs)


def _minutes(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_BREAK_MINUTES, **kwargs)


# --- Working patterns ----------------------------------------------------------------------


class PatternDaySerializer(serializers.Serializer):
    """One working weekday of a pattern and its hours."""

    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday.")
    start = _time(help_text="Start of the working day (HH:MM, local time of the unit).")
    end = _time(help_text="End of the working day, after `start` (a weekly pattern never crosses midnight).")
    break_minutes = _minutes(default=60, help_text="Break in minutes, shorter than the day.")


class PatternDayOutSerializer(serializers.ModelSerializer):
    start = _time(read_only=True)
    end = _time(read_only=True)

    class Meta:
        model = WorkPatternDay
        fields = ["weekday", "start", "end", "break_minutes"]
        read_only_fields = fields


class WorkPatternInputSerializer(serializers.Serializer):
    """A working pattern version (PUT: the whole version; its days are replaced)."""

    effective_from = fields.DateField(label=_("Berlaku mulai"),
                                      help_text="First day it applies; the days before keep the pattern they had. "
                                                "One version per unit and date.")
    kind = serializers.ChoiceField(choices=PatternKind.choices, default=PatternKind.WEEKLY,
                                   help_text="weekly: a fixed week; shift: a roster decides each person's day (the "
                                             "days here are the hours of those not on it).")
    flex_until = _time(allow_null=True, required=False, default=None,
                       help_text="End of the flexible start window (after every day's start, before its end); "
                                 "null = no flexible start.")
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="",
                                 help_text="Basis of the pattern, e.g. the head of the institution's decree.")
    days = serializers.ListField(child=PatternDaySerializer(), max_length=7,
                                 help_text="The working weekdays with their hours (a weekday at most once); "
                                           "weekdays left out are days off. A weekly pattern needs at least one.")

    def unit_of(self, attrs) -> Unit:
        return self.context["pattern"].unit

    def validate(self, attrs):
        pattern = self.context.get("pattern")
        work_pattern_clean(unit=self.unit_of(attrs), pk=pattern.pk if pattern else None,
                           **self._pattern_args(attrs))
        return attrs

    @staticmethod
    def _pattern_args(attrs) -> dict:
        return {"effective_from": attrs["effective_from"], "kind": attrs["kind"], "flex_until": attrs["flex_until"],
                "days": [PatternDayData(d["weekday"], d["start"], d["end"], d["break_minutes"]) for d in attrs["days"]]}

    def service_args(self) -> dict:
        """The service's arguments besides actor, unit and pattern."""
        data = self.validated_data
        return {**self._pattern_args(data), "note": data["note"]}


class WorkPatternCreateSerializer(WorkPatternInputSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(),
                                              help_text="Unit id in the caller's scope (any level of the tree).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["unit"].queryset = units_visible_to(user) if user is not None else Unit.objects.none()

    def unit_of(self, attrs) -> Unit:
        return attrs["unit"]


class WorkPatternSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="weekly or shift.")
    flex_until = _time(read_only=True, allow_null=True, help_text="End of the flexible start window; null = none.")
    days = PatternDayOutSerializer(many=True, read_only=True)

    class Meta:
        model = WorkPattern
        fields = ["id", "unit", "effective_from", "kind", "flex_until", "note", "days", "created_at"]
        read_only_fields = fields


class PatternInForceSerializer(serializers.Serializer):
    """A :class:`portal.selectors.patterns.PatternInForce`, as the HR working-hours page shows it."""

    unit = UnitRefSerializer()
    date = fields.DateField()
    pattern = serializers.IntegerField(allow_null=True, help_text="Id of the version in force; null = the "
                                                                  "Perpres 21/2023 default.")
    source = UnitRefSerializer(allow_null=True, help_text="Unit whose pattern applies (itself or an ancestor); "
                                                          "null = the Perpres 21/2023 default.")
    effective_from = fields.DateField(allow_null=True, help_text="Start of that version; null for the default.")
    kind = serializers.CharField(help_text="weekly or shift.")
    flex_until = _time(allow_null=True)
    days = PatternDaySerializer(many=True, help_text="Working weekdays and their hours; the others are days off.")


def in_force_body(item) -> dict:
    """The serializer's input from a :class:`~portal.selectors.patterns.PatternInForce`."""
    return {"unit": item.unit, "date": item.day, "pattern": item.version.id, "source": item.source,
            "effective_from": item.effective_from, "kind": item.version.kind, "flex_until": item.version.flex_until,
            "days": [{"weekday": d.weekday, "start": d.hours.start, "end": d.hours.end,
                      "break_minutes": d.hours.break_minutes} for d in item.week if d.hours is not None]}


class InForceQuerySerializer(serializers.Serializer):
    date = fields.DateField(required=False, help_text="Day the patterns are in force on; default today.")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Only this unit (and below, see subtree).")
    subtree = serializers.BooleanField(required=False, default=False)


# --- Ramadan periods -----------------------------------------------------------------------


class RamadanPeriodSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    """A Ramadan period to create or replace (PUT: the whole row)."""

    institution = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), allow_null=True, required=False, default=None,
        help_text="Instansi (tree root) id in the caller's scope; null = national (superusers only).")
    start = fields.DateField(help_text="First day of Ramadan hours.")
    end = fields.DateField(help_text="Last day (on or after start).")
    start_time = _time(default=dt.time(8, 0), help_text="Start of the day, every weekday (HH:MM).")
    end_time = _time(default=dt.time(15, 0), help_text="End of the day Monday–Thursday (and Saturday if worked).")
    friday_end_time = _time(default=dt.time(15, 30), help_text="End of the day on Friday.")
    break_minutes = _minutes(default=30, help_text="Break Monday–Thursday, minutes.")
    friday_break_minutes = _minutes(default=60, help_text="Break on Friday, minutes.")
    scoped_fields = {"institution": institutions_writable_by}

    class Meta:
        model = RamadanPeriod
        fields = ["institution", "start", "end", "start_time", "end_time", "friday_end_time", "break_minutes",
                  "friday_break_minutes"]

    def validate(self, attrs):
        if attrs.get("institution") is None and not getattr(_user(self), "is_superuser", False):
            raise serializers.ValidationError({"institution": [serializers.Field.default_error_messages["required"]]})
        return attrs


class RamadanPeriodOutSerializer(serializers.ModelSerializer):
    institution = UnitRefSerializer(read_only=True, allow_null=True, help_text="null = national.")
    start_time = _time(read_only=True)
    end_time = _time(read_only=True)
    friday_end_time = _time(read_only=True)

    class Meta:
        model = RamadanPeriod
        fields = ["id", "institution", "start", "end", "start_time", "end_time", "friday_end_time", "break_minutes",
                  "friday_break_minutes"]
        read_only_fields = fields
