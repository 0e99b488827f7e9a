"""Forms of the scheduling pages: they check shape only; the services enforce the rules."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateInput, MultipleFileField, ServiceErrorsMixin
from portal.models import Employee, Unit
from portal.selectors import units_visible_to
from portal.selectors.unit_search import other_office_units
from portal.uploads import ACCEPT
from scheduling.models import CUTI_KINDS, CoveragePolicy, EmergencyProfile, Kind, Mode
from scheduling.services.emergency import emergency_clean
from scheduling.services.fwa import fwa_window_clean
from scheduling.services.policies import (
    ESSENTIAL_MINIMUM,
    INT_RANGES,
    MAX_ESSENTIAL,
    REGULATORY_WEEKLY_CAP,
    coverage_policy_clean,
    range_message_lazy,
)
from scheduling.services.requests import MAX_EVIDENCE_FILES

DATE_SINGLE, DATE_RANGE, DATE_PATTERN = "single", "range", "pattern"
WORKING_WEEKDAYS = [(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")), (4, _("Jumat"))]








class UnitPickField(forms.ModelChoiceField):
    """A unit typed into a text box (the autocomplete suggests "CODE — name"): taken by its code,
    its id, or its exact name when only one unit has it, always within the field's queryset."""

    default_error_messages = {"invalid_choice": _("Unit tidak ditemukan. Ketik nama atau kode unit, lalu pilih "
                                                  "dari daftar.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                          "data-unit-search": reverse_lazy("api-unit-search")}))
        super().__init__(to_field_name="code", **kwargs)

    def to_python(self, value):
        value = (value or "").split(" — ", 1)[0].strip()
        if value in self.empty_values:
            return None
        for lookup in ({"code": value}, {"code__iexact": value}, {"pk": value} if value.isdigit() else None,
                       {"name__iexact": value}):
            if lookup is not None:
                found = list(self.queryset.filter(**lookup)[:2])
                if len(found) == 1:
                    return found[0]
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class RequestForm(ServiceErrorsMixin, forms.Form):
    """What an employee asks for. ``date_kwargs()``/``submit_kwargs()`` feed the services."""

    kind = forms.ChoiceField(label=_("Jenis"), choices=[("", _("— pilih jenis —")), *Kind.choices])
    date_mode = forms.ChoiceField(
        label=_("Tanggal"), widget=forms.RadioSelect, initial=DATE_SINGLE,
        choices=[(DATE_SINGLE, _("Satu hari")), (DATE_RANGE, _("Rentang tanggal")),
                 (DATE_PATTERN, _("Pola mingguan (mis. setiap Jumat)"))])
    date = DateField(label=_("Tanggal"), required=False, widget=DateInput())
    start = DateField(label=_("Mulai"), required=False, widget=DateInput(),
                            help_text=_("Untuk pola mingguan boleh dikosongkan: mulai hari ini."))
    end = DateField(label=_("Sampai"), required=False, widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(label=_("Setiap hari"), required=False, coerce=int,
                                              choices=WORKING_WEEKDAYS, widget=forms.CheckboxSelectMultiple)
    location = forms.CharField(label=_("Lokasi kerja (WFA)"), required=False, max_length=255,
                               help_text=_("Alamat atau nama tempat Anda bekerja."))
    other_office = UnitPickField(label=_("Kantor tujuan"), required=False, queryset=Unit.objects.none(),
                                 help_text=_("Ketik nama atau kode unit."))
    reason = forms.CharField(label=_("Alasan / keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    child_order = forms.IntegerField(label=_("Kelahiran anak ke-"), required=False, min_value=1, max_value=20,
                                     help_text=_("Cuti melahirkan: anak pertama sampai ketiga."))
    abroad = forms.BooleanField(label=_("Cuti dijalani di luar negeri"), required=False,
                                help_text=_("Hanya dapat diputus pejabat definitif, bukan Plh/Plt."))
    special_circumstance = forms.BooleanField(
        label=_("Keadaan khusus"), required=False,
        help_text=_("Dikecualikan dari batas mingguan; diputus oleh kepala unit dan wajib disertai alasan, "
                    "rencana kerja dan target keluaran."))
    work_plan = forms.CharField(label=_("Rencana kerja"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expected_outputs = forms.CharField(label=_("Target keluaran"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(
        label=_("Bukti pendukung"), required=False, accept=ACCEPT,
        help_text=lazy(lambda: gettext("PDF, PNG atau JPEG, paling besar 5 MB per berkas, paling banyak %(n)d "
                                       "berkas.") % {"n": MAX_EVIDENCE_FILES}, str)())
    justification = forms.CharField(
        label=_("Justifikasi"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila ada hari yang melampaui batas kehadiran unit (mode peringatan)."))
    skip_blocked = forms.BooleanField(label=_("Lewati hari yang ditolak dan ajukan hari lainnya"), required=False)

    cuti_kinds = " ".join(sorted(CUTI_KINDS))  # the kinds that show "taken abroad"

    def __init__(self, *args, employee: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        self.fields["other_office"].queryset = other_office_units(employee)

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
            "child_order": data["child_order"] if kind == Kind.CM else None,
            "abroad": data["abroad"] if kind in CUTI_KINDS else False,
            "work_plan": data["work_plan"] if special else "",
            "expected_outputs": data["expected_outputs"] if special else "",
            "justification": data["justification"], "skip_blocked": data["skip_blocked"],
            # Every kind may carry files: a doctor's letter, a surat tugas, evidence of keadaan khusus.
            "evidence": data["evidence"],
        }


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


# --- HR: coverage policies and FWA windows ------------------------------------------------

WEEKDAYS = [(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")), (4, _("Jumat")),
            (5, _("Sabtu")), (6, _("Minggu"))]
INHERIT = [("", _("Ikuti unit induk")), ("1", _("Ya")), ("0", _("Tidak"))]


def _tri(value: str) -> bool:
    return value == "1"


def _tri_initial(value) -> str:
    return "" if value is None else ("1" if value else "0")


def policy_number_field(name: str, label, **kwargs) -> forms.IntegerField:
    """A policy number field with the service's limits (the same table the API uses), and the
    service's message when outside them."""
    low, high = INT_RANGES[name]
    message = range_message_lazy(low, high)
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high,
                              error_messages={"min_value": message, "max_value": message}, **kwargs)


def _with_cap(text) -> str:
    """``text`` (lazily translated) naming the regulatory weekly cap, from the service's constant."""
    return lazy(lambda: str(text) % {"cap": REGULATORY_WEEKLY_CAP}, str)()


# The admin's policy form asks the same question with the same words.
CONFIRM_OVER_CAP_LABEL = _with_cap(_("Saya menetapkan lebih dari %(cap)d hari fleksibel per minggu dengan sengaja"))


class PolicyForm(ServiceErrorsMixin, forms.Form):
    """A coverage policy row. Shape only: :func:`coverage_policy_clean` is the one validation."""

    effective_from = DateField(label=_("Berlaku mulai"), widget=DateInput())
    min_office_share = policy_number_field("min_office_share", _("Minimal hadir di kantor (%)"))
    min_office_headcount = policy_number_field("min_office_headcount", _("Minimal jumlah orang di kantor"))
    weekly_cap = policy_number_field("weekly_cap", _("Maks. hari fleksibel per minggu"),
                          help_text=_with_cap(_("Permen PANRB 4/2025: paling banyak %(cap)d. Lebih dari itu hanya "
                                                "dengan konfirmasi dan dasar hukum.")))
    monthly_cap = policy_number_field("monthly_cap", _("Maks. hari fleksibel per bulan"))
    own_mandatory = forms.BooleanField(label=_("Tetapkan hari wajib di kantor sendiri (tidak mengikuti unit induk)"),
                                       required=False)
    mandatory_weekdays = forms.TypedMultipleChoiceField(label=_("Hari wajib di kantor"), choices=WEEKDAYS,
                                                        coerce=int, required=False,
                                                        widget=forms.CheckboxSelectMultiple)
    own_blackout = forms.BooleanField(label=_("Tetapkan tanggal wajib di kantor sendiri (tidak mengikuti unit induk)"),
                                      required=False)
    blackout_dates = forms.CharField(label=_("Tanggal wajib di kantor"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("Satu tanggal TTTT-BB-HH per baris, mis. 2026-12-31."))
    exclude_disciplinary = forms.TypedChoiceField(label=_("Kecualikan pegawai yang dihukum disiplin"),
                                                  choices=INHERIT, coerce=_tri, empty_value=None, required=False)
    min_months_since_placement = policy_number_field("min_months_since_placement", _("Minimal bulan sejak penempatan"))
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", _("Ikuti unit induk")), *Mode.choices],
                             required=False)
    count_pending = forms.TypedChoiceField(label=_("Hitung pengajuan yang belum diputus"), choices=INHERIT,
                                           coerce=_tri, empty_value=None, required=False)
    note = forms.CharField(label=_("Dasar / catatan"), required=False, max_length=255)
    confirm_regulatory = forms.BooleanField(label=CONFIRM_OVER_CAP_LABEL, required=False)
    legal_basis = forms.CharField(label=_("Dasar hukum penyimpangan"), required=False, max_length=255,
                                  help_text=_with_cap(_("Wajib bila batas mingguan lebih dari %(cap)d hari, mis. "
                                                        "nomor keputusan kepala instansi.")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in WEEKDAYS:
            # A weekday's share has the limits of the general share, as in the service and the API.
            self.fields[f"wd_{day}"] = policy_number_field("min_office_share", name)

    @classmethod
    def initial_from(cls, row: CoveragePolicy) -> dict:
        initial = {name: getattr(row, name) for name in (
            "effective_from", "min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap",
            "min_months_since_placement", "mode", "note", "legal_basis")}
        initial.update(
            own_mandatory=row.mandatory_weekdays is not None, mandatory_weekdays=row.mandatory_weekdays or [],
            own_blackout=row.blackout_dates is not None, blackout_dates="\n".join(row.blackout_dates or []),
            exclude_disciplinary=_tri_initial(row.exclude_disciplinary),
            count_pending=_tri_initial(row.count_pending), confirm_regulatory=bool(row.legal_basis))
        for day, share in (row.weekday_min_share or {}).items():
            initial[f"wd_{day}"] = share
        return initial

    def weekday_fields(self):
        return [self[f"wd_{day}"] for day, _name in WEEKDAYS]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                coverage_policy_clean(self.policy_data(), confirm_regulatory=data.get("confirm_regulatory", False))
            except ValidationError as exc:
                self.add_service_errors(exc)
        return data

    def policy_data(self) -> dict:
        """The cleaned form as the service's ``data``: unset list fields inherit (None)."""
        c = self.cleaned_data
        shares = {day: c[f"wd_{day}"] for day, _name in WEEKDAYS if c.get(f"wd_{day}") is not None}
        data = {name: c.get(name) for name in (
            "effective_from", "min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap",
            "min_months_since_placement", "mode", "note", "legal_basis", "exclude_disciplinary", "count_pending")}
        data.update(
            weekday_min_share=shares or None,
            mandatory_weekdays=c.get("mandatory_weekdays") if c.get("own_mandatory") else None,
            blackout_dates=re.split(r"[\s,;]+", c["blackout_dates"].strip()) if c.get("own_blackout") else None)
        if data["blackout_dates"] == [""]:
            data["blackout_dates"] = []
        return data


class EssentialForm(forms.Form):
    jabatan = forms.CharField(label=_("Jabatan"), max_length=200, required=False)
    min_in_office = forms.IntegerField(label=_("Minimal di kantor"), min_value=ESSENTIAL_MINIMUM[0],
                                       max_value=ESSENTIAL_MINIMUM[1], initial=1, required=False)


EssentialFormSet = forms.formset_factory(EssentialForm, extra=2, can_delete=True, max_num=MAX_ESSENTIAL,
                                         validate_max=True)


def essential_rows(formset) -> list[tuple[str, int]]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not (data.get("jabatan") or "").strip():
            continue
        rows.append((data["jabatan"], data["min_in_office"] if data.get("min_in_office") is not None else 1))
    return rows


class UnitChoices(forms.ModelMultipleChoiceField):
    base_depth = 0  # the top of the HR admin's scope is shown without indent

    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - self.base_depth)}{obj.name}"


class FwaWindowForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Dasar (surat edaran)"), max_length=255,
                           help_text=_("Mis. SE MenPAN-RB 2/2026 tentang hari kerja fleksibel."))
    start = DateField(label=_("Mulai"), widget=DateInput())
    end = DateField(label=_("Selesai"), widget=DateInput())
    units = UnitChoices(label=_("Unit"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple)
    include_subunits = forms.BooleanField(label=_("Termasuk sub-unit"), required=False, initial=True)
    lifts_caps = forms.BooleanField(
        label=_("Bebaskan dari batas hari fleksibel"), required=False, initial=True,
        help_text=_("Hari dalam jendela tidak dihitung dalam batas hari fleksibel per minggu dan per bulan, "
                    "sehingga seluruh jendela dapat diajukan sekaligus. Aturan kehadiran unit tetap berlaku."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_visible_to(user).order_by("path")
        self.fields["units"].queryset = units
        self.fields["units"].base_depth = min(units.values_list("depth", flat=True), default=0)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data["name"] = fwa_window_clean(name=data["name"], start=data["start"], end=data["end"],
                                                units=list(data["units"]))
            except ValidationError as exc:
                self.add_service_errors(exc)
        return data


class EmergencyForm(ServiceErrorsMixin, forms.Form):
    """Declaring an emergency: shape only; :func:`scheduling.services.emergency_clean` decides."""

    name = forms.CharField(label=_("Keadaan darurat"), max_length=200,
                           help_text=_("Mis. Banjir Jakarta Timur, kabut asap, Sidang Umum MPR."))
    legal_basis = forms.CharField(label=_("Dasar hukum (surat edaran)"), max_length=255,
                                  help_text=_("Mis. SE Sekda No. 800/123/2026."))
    document_ref = forms.CharField(label=_("Nomor / tautan dokumen"), max_length=255, required=False)
    profile = forms.ChoiceField(label=_("Profil"), widget=forms.RadioSelect, choices=EmergencyProfile.choices)
    start = DateField(label=_("Mulai"), widget=DateInput())
    end = DateField(label=_("Selesai"), widget=DateInput())
    units = UnitChoices(label=_("Unit (beserta sub-unitnya)"), queryset=Unit.objects.none(),
                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = units_visible_to(user).order_by("path")
        self.fields["units"].queryset = units
        self.fields["units"].base_depth = min(units.values_list("depth", flat=True), default=0)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data.update(emergency_clean(actor=self.user, name=data["name"], legal_basis=data["legal_basis"],
                                            document_ref=data["document_ref"], profile=data["profile"],
                                            start=data["start"], end=data["end"], units=list(data["units"])))
            except ValidationError as exc:
                self.add_service_errors(exc)
        return data
