"""Forms of the scheduling pages: they check shape only; the services enforce the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import Employee, Unit
from scheduling.models import Kind

DATE_SINGLE, DATE_RANGE, DATE_PATTERN = "single", "range", "pattern"
WORKING_WEEKDAYS = [(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")), (4, _("Jumat"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input; type and size are checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RequestForm(forms.Form):
    """What an employee asks for. ``date_kwargs()``/``submit_kwargs()`` feed the services."""

    kind = forms.ChoiceField(label=_("Jenis"), choices=[("", _("— pilih jenis —")), *Kind.choices])
    date_mode = forms.ChoiceField(
        label=_("Tanggal"), widget=forms.RadioSelect, initial=DATE_SINGLE,
        choices=[(DATE_SINGLE, _("Satu hari")), (DATE_RANGE, _("Rentang tanggal")),
                 (DATE_PATTERN, _("Pola mingguan (mis. setiap Jumat)"))])
    date = forms.DateField(label=_("Tanggal"), required=False, widget=DateInput())
    start = forms.DateField(label=_("Mulai"), required=False, widget=DateInput(),
                            help_text=_("Untuk pola mingguan boleh dikosongkan: mulai hari ini."))
    end = forms.DateField(label=_("Sampai"), required=False, widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(label=_("Setiap hari"), required=False, coerce=int,
                                              choices=WORKING_WEEKDAYS, widget=forms.CheckboxSelectMultiple)
    location = forms.CharField(label=_("Lokasi kerja (WFA)"), required=False, max_length=255,
                               help_text=_("Alamat atau nama tempat Anda bekerja."))
    other_office = forms.ModelChoiceField(label=_("Kantor tujuan"), required=False, queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Alasan / keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    special_circumstance = forms.BooleanField(
        label=_("Keadaan khusus"), required=False,
        help_text=_("Dikecualikan dari batas mingguan; diputus oleh kepala unit dan wajib disertai alasan, "
                    "rencana kerja dan target keluaran."))
    work_plan = forms.CharField(label=_("Rencana kerja"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expected_outputs = forms.CharField(label=_("Target keluaran"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(label=_("Bukti pendukung"), required=False,
                                 help_text=_("PDF, PNG atau JPEG, paling besar 5 MB per berkas."))
    justification = forms.CharField(
        label=_("Justifikasi"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila ada hari yang melampaui batas kehadiran unit (mode peringatan)."))
    skip_blocked = forms.BooleanField(label=_("Lewati hari yang ditolak dan ajukan hari lainnya"), required=False)

    def __init__(self, *args, employee: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        institution_path = f"/{employee.unit.ancestor_ids[0]}/"
        self.fields["other_office"].queryset = (Unit.objects.filter(path__startswith=institution_path, is_active=True)
                                                .exclude(pk=employee.unit_id))

    def clean(self):
        data = super().clean()
        mode = data.get("date_mode") or DATE_SINGLE
        if mode == DATE_SINGLE and not data.get("date"):
            self.add_error("date", _("Pilih tanggal."))
        if mode in (DATE_RANGE, DATE_PATTERN) and not data.get("end"):
            self.add_error("end", _("Isi tanggal akhir."))
        if mode == DATE_RANGE and not data.get("start"):
            self.add_error("start", _("Isi tanggal mulai."))
        if mode == DATE_PATTERN and not data.get("weekdays"):
            self.add_error("weekdays", _("Pilih minimal satu hari."))
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Tanggal akhir tidak boleh sebelum tanggal mulai."))
        return data

    def date_kwargs(self) -> dict:
        """The dates part of the service call, by the chosen mode."""
        data = self.cleaned_data
        mode = data.get("date_mode") or DATE_SINGLE
        if mode == DATE_SINGLE:
            return {"dates": [data["date"]]}
        start = data.get("start") or self.employee.unit.local_today()
        weekdays = data["weekdays"] if mode == DATE_PATTERN else None
        return {"start": start, "end": data["end"], "weekdays": weekdays}

    def submit_kwargs(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        special = data["special_circumstance"]
        return {
            "kind": kind, **self.date_kwargs(),
            # Fields that do not belong to the chosen kind are ignored rather than stored.
            "location": data["location"] if kind == Kind.WFA else "",
            "other_office": data["other_office"] if kind == Kind.OTHER_OFFICE else None,
            "reason": data["reason"], "special_circumstance": special,
            "work_plan": data["work_plan"] if special else "",
            "expected_outputs": data["expected_outputs"] if special else "",
            "justification": data["justification"], "skip_blocked": data["skip_blocked"],
            "evidence": data["evidence"] if special else [],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the matching fields (else at the top)."""
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        for key, messages in pairs:
            field = key if key in self.fields else None  # e.g. "dates": about the whole choice of days
            for message in messages:
                self.add_error(field, message)


class DecisionForm(forms.Form):
    """One approve/reject from the inbox; the reason rules are the service's."""

    action = forms.ChoiceField(choices=[("approve", _("Setujui")), ("reject", _("Tolak"))])
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=2000)


class BulkDecisionForm(DecisionForm):
    days = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True,
                                          error_messages={"required": _("Centang minimal satu pengajuan.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here: the service answers "not found" for ids outside the actor's scope.
        self.fields["days"].valid_value = lambda value: str(value).isdigit()


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """First day of the month named ``YYYY-MM``; this month when missing or malformed."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)
