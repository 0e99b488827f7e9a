"""Form pieces every app's pages share: ISO date inputs, months in the URL, upload fields.

Forms check shape only; the rules live in the services (one validation per input).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.models import WEEKDAYS, PatternKind, RamadanPeriod, Unit, WorkPattern
from portal.rules import date_in_range, date_range_message
from portal.services.calendar import PatternDayData, work_pattern_clean

MIN_YEAR, MAX_YEAR = 1900, 2200  # a year outside this is a typo, never a plan


ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` always holds ``YYYY-MM-DD``: a localized value ("06-12-2026")
    would leave the browser's field blank on every edit."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateField(forms.DateField):
    """A date within the years the portal computes with (1900–2200); ISO input widget.

    Whatever date widget a form hands it (Django's ``forms.DateInput(attrs={"type": "date"})``
    too), the value is written as ``YYYY-MM-DD``: the only form an ``<input type="date">``
    reads, and one every text input parses back.
    """

    widget = DateInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if isinstance(self.widget, forms.DateInput):
            self.widget.format = ISO_DATE

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


# --- HR: working patterns (jam kerja) and Ramadan periods (portal/views/calendar.py) --------
# Shape only: portal.services.calendar.work_pattern_clean and ramadan_period_save are the rules.



MAX_BREAK_MINUTES = 24 * 60 - 1  # a break is shorter than the day it interrupts


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


class WorkPatternForm(ServiceErrorsMixin, forms.Form):
    """A working pattern version of one unit: the start date, kind, flexible start window, note
    and seven weekday rows (``wd<n>_work``, ``wd<n>_start``, ``wd<n>_end``, ``wd<n>_break``;
    0 = Monday). :func:`~portal.services.calendar.work_pattern_clean` is the one validation; its
    errors about the weekdays land on ``days``, shown next to the weekday rows."""

    effective_from = DateField(label=_("Berlaku mulai"),
                               help_text=_("Berlaku mulai tanggal ini; hari sebelumnya tetap dihitung dengan pola "
                                           "lama."))
    kind = forms.ChoiceField(label=_label(WorkPattern, "kind"), choices=PatternKind.choices,
                             initial=PatternKind.WEEKLY)
    flex_until = forms.TimeField(label=_label(WorkPattern, "flex_until"), required=False, widget=TimeInput(),
                                 help_text=WorkPattern._meta.get_field("flex_until").help_text)
    note = forms.CharField(label=_label(WorkPattern, "note"), required=False, max_length=255)
    # Not an input: it carries the service's errors about the weekdays to the weekday rows.
    days = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit: Unit, pattern: WorkPattern | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit, self.pattern = unit, pattern
        for weekday, _name in WEEKDAYS:
            self.fields[f"wd{weekday}_work"] = forms.BooleanField(label=_("Hari kerja"), required=False)
            self.fields[f"wd{weekday}_start"] = forms.TimeField(label=_("Jam masuk"), required=False,
                                                                widget=TimeInput())
            self.fields[f"wd{weekday}_end"] = forms.TimeField(label=_("Jam pulang"), required=False,
                                                              widget=TimeInput())
            self.fields[f"wd{weekday}_break"] = forms.IntegerField(
                label=_("Istirahat (menit)"), required=False, min_value=0, max_value=MAX_BREAK_MINUTES, initial=60)

    @staticmethod
    def initial_for(*, effective_from, kind: str, flex_until, week: dict, note: str = "") -> dict:
        """Initial values from a week given as ``{weekday: (start, end, break_minutes)}``."""
        initial = {"effective_from": effective_from, "kind": kind, "flex_until": flex_until, "note": note}
        for weekday, _name in WEEKDAYS:
            start, end, minutes = week.get(weekday, (None, None, 60))
            initial.update({f"wd{weekday}_work": weekday in week, f"wd{weekday}_start": start,
                            f"wd{weekday}_end": end, f"wd{weekday}_break": minutes})
        return initial

    @classmethod
    def initial_from(cls, pattern: WorkPattern) -> dict:
        return cls.initial_for(effective_from=pattern.effective_from, kind=pattern.kind,
                               flex_until=pattern.flex_until, note=pattern.note,
                               week={d.weekday: (d.start, d.end, d.break_minutes) for d in pattern.days.all()})

    def weekday_rows(self) -> list[dict]:
        return [{"weekday": weekday, "name": name, "work": self[f"wd{weekday}_work"],
                 "start": self[f"wd{weekday}_start"], "end": self[f"wd{weekday}_end"],
                 "break": self[f"wd{weekday}_break"]} for weekday, name in WEEKDAYS]

    def clean(self):
        data = super().clean()
        for weekday, _name in WEEKDAYS:
            if not data.get(f"wd{weekday}_work"):
                continue
            for part in ("start", "end"):
                name = f"wd{weekday}_{part}"
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Isi jam masuk dan jam pulang hari kerja ini."))
        if not self.errors:
            try:
                work_pattern_clean(unit=self.unit, pk=self.pattern.pk if self.pattern else None,
                                   **self._pattern_data())
            except ValidationError as exc:
                self.add_service_errors(exc)
        return data

    def _pattern_data(self) -> dict:
        data = self.cleaned_data
        days = []
        for weekday, _name in WEEKDAYS:
            if data.get(f"wd{weekday}_work"):
                minutes = data.get(f"wd{weekday}_break")
                days.append(PatternDayData(weekday, data[f"wd{weekday}_start"], data[f"wd{weekday}_end"],
                                           60 if minutes is None else minutes))
        return {"effective_from": data.get("effective_from"), "kind": data.get("kind"),
                "flex_until": data.get("flex_until"), "days": days}

    def save_kwargs(self) -> dict:
        """The service's arguments besides actor, unit and pattern."""
        return {**self._pattern_data(), "note": self.cleaned_data.get("note", "")}


class RamadanPeriodForm(ServiceErrorsMixin, forms.Form):
    """A Ramadan period: its institution (tree roots the HR admin may change; empty = national,
    superusers only), dates and hours. The service checks the rest (overlaps, closed months)."""

    FIELDS = ("institution", "start", "end", "start_time", "end_time", "friday_end_time", "break_minutes",
              "friday_break_minutes")

    institution = forms.ModelChoiceField(label=_label(RamadanPeriod, "institution"), queryset=Unit.objects.none(),
                                         required=False)
    start = DateField(label=_label(RamadanPeriod, "start"))
    end = DateField(label=_label(RamadanPeriod, "end"))
    start_time = forms.TimeField(label=_label(RamadanPeriod, "start_time"), widget=TimeInput(), initial="08:00")
    end_time = forms.TimeField(label=_label(RamadanPeriod, "end_time"), widget=TimeInput(), initial="15:00")
    friday_end_time = forms.TimeField(label=_label(RamadanPeriod, "friday_end_time"), widget=TimeInput(),
                                      initial="15:30")
    break_minutes = forms.IntegerField(label=_label(RamadanPeriod, "break_minutes"), min_value=0,
                                       max_value=MAX_BREAK_MINUTES, initial=30)
    friday_break_minutes = forms.IntegerField(label=_label(RamadanPeriod, "friday_break_minutes"), min_value=0,
                                              max_value=MAX_BREAK_MINUTES, initial=60)

    def __init__(self, *args, institutions, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        field.queryset = institutions
        if national:
            field.empty_label = _("Nasional (semua instansi)")
            field.help_text = RamadanPeriod._meta.get_field("institution").help_text
        else:
            field.required = True
            field.empty_label = _("— pilih instansi —")
            only = list(institutions[:2])
            if len(only) == 1 and not self.is_bound and "institution" not in self.initial:
                self.initial["institution"] = only[0].pk

    @classmethod
    def initial_from(cls, row: RamadanPeriod) -> dict:
        return {name: getattr(row, name) for name in cls.FIELDS} | {"institution": row.institution_id}

    def apply_to(self, row: RamadanPeriod) -> RamadanPeriod:
        for name in self.FIELDS:
            setattr(row, name, self.cleaned_data[name])
        return row
