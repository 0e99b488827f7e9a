"""Form pieces every app's pages share: ISO date inputs, months in the URL, upload fields.

Forms check shape only; the rules live in the services (one validation per input).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from portal.rules import date_in_range, date_range_message

MIN_YEAR, MAX_YEAR = 1900, 2200  # a year outside this is a typo, never a plan


class DateInput(forms.DateInput):
    """``<input type="date">`` always holds ``YYYY-MM-DD``: a localized value ("06-12-2026")
    would leave the browser's field blank on every edit."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date within the years the portal computes with (1900–2200); ISO input widget."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value is not None and not date_in_range(value):
            raise ValidationError(date_range_message(), code="date_range")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form: on the matching fields, else at the top."""

    def add_service_errors(self, exc: ValidationError) -> None:
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        for key, messages in pairs:
            field = key if key in self.fields else None
            for message in messages:
                self.add_error(field, message)


def month_from(value: str | None) -> dt.date | None:
    """First day of the month named ``YYYY-MM``, or None when missing or malformed."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """First day of the month named ``YYYY-MM``; this month when missing or malformed."""
    return month_from(value) or today.replace(day=1)


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``first``'s month."""
    first = first.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_nav(first: dt.date) -> dict:
    """Values for the prev/next month links (``?bulan=YYYY-MM``) of a month page."""
    first, last = month_bounds(first)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = last + dt.timedelta(days=1)
    return {"month": first, "month_end": last, "prev_month": f"{prev:%Y-%m}", "next_month": f"{nxt:%Y-%m}",
            "prev_label": prev, "next_label": nxt}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type and size are checked by content in the service."""

    def __init__(self, *args, accept: str = "", **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept} if accept else None))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []
