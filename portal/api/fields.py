"""Serializer fields every API module shares."""

from __future__ import annotations

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
