"""Serializer fields every API module shares."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.rules import date_in_range, date_range_message


class DateField(serializers.DateField):
    """An ISO date within the years the portal computes with (1900–2200): "9999-12-31" or
    "0001-01-01" is a typo answered with 400, not an overflow deep in a service."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not date_in_range(day):
            raise serializers.ValidationError(date_range_message(), code="date_range")
        return day


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "07:30"})
class HourMinuteField(serializers.TimeField):
    """A local time of day as ``HH:MM``. (OpenAPI's ``format: time`` is RFC 3339's, which needs
    seconds and an offset: a wall-clock time of a unit has neither.) Input also takes ``HH:MM:SS``."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)
