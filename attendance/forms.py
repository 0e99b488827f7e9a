"""Forms of the attendance pages: they check shape only; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attendance.models import BandKind, ImplausibleStatus, PermissionKind
from attendance.services.attendance_rules import MAX_BAND_LEVEL, MAX_MINUTES, BandData, RulesData
from attendance.services.roster import ShiftData
from portal.forms import DateField, DateInput, ServiceErrorsMixin, TimeInput
from portal.rules import normalize_nip
from portal.uploads import ACCEPT


class PunchForm(forms.Form):
    """The check-in/out button: the browser's location when the user allowed it."""

    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)

    def location(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("latitude", "longitude", "accuracy")}


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    """Usul perbaikan presensi: the corrected local times of one day, with a reason."""

    date = DateField(label=_("Tanggal"), widget=DateInput())
    check_in = forms.TimeField(label=_("Jam masuk yang benar"), required=False, widget=TimeInput(),
                               help_text=_("Waktu setempat unit kerja. Kosongkan bila tidak diubah."))
    check_out = forms.TimeField(label=_("Jam pulang yang benar"), required=False, widget=TimeInput(),
                                help_text=_("Waktu setempat unit kerja. Kosongkan bila tidak diubah."))
    reason = forms.CharField(label=_("Alasan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Mis. gangguan jaringan saat presensi, lupa presensi pulang."))
    evidence = forms.FileField(label=_("Bukti (opsional)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                               help_text=_("PDF, PNG atau JPEG, paling besar 5 MB."))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"date": data["date"], "check_in": data.get("check_in"), "check_out": data.get("check_out"),
                "reason": data["reason"]}


class HRCorrectionForm(CorrectionForm):
    """HR corrects a day directly; the employee is named by NIP (an institution has thousands)."""

    nip = forms.CharField(label=_("NIP / NI PPPK pegawai"), max_length=40)

    field_order = ["nip", "date", "check_in", "check_out", "reason"]

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["evidence"]
        self.employees = employees  # the HR admin's scope: anyone else is "not found"

    def clean_nip(self):
        nip = normalize_nip(self.cleaned_data["nip"])
        employee = self.employees.filter(nip=nip).first()
        if employee is None:
            raise ValidationError(_("Pegawai dengan NIP ini tidak ditemukan dalam cakupan Anda."))
        self.employee = employee
        return nip


class DecisionForm(forms.Form):
    """One approve/reject from the corrections inbox; the reason rules are the service's."""

    action = forms.ChoiceField(choices=[("approve", _("Setujui")), ("reject", _("Tolak"))])
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=2000)


# --- Month closing (tutup buku) ------------------------------------------------------------


class MonthClosureForm(ServiceErrorsMixin, forms.Form):
    """Close a month for a unit and everything below it; the rules are ``month_close``'s."""

    unit = forms.ModelChoiceField(label=_("Unit kerja (beserta sub-unit)"), queryset=None,
                                  empty_label=None)
    month = forms.CharField(label=_("Bulan"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
                            help_text=_("Format TTTT-BB. Hanya bulan yang sudah berakhir."))
    note = forms.CharField(label=_("Catatan (opsional)"), required=False, max_length=255,
                           widget=forms.Textarea(attrs={"rows": 2}))
    confirm_pending = forms.BooleanField(
        label=_("Tetap tutup meskipun masih ada yang menunggu keputusan"), required=False,
        help_text=_("Keputusan yang menyusul tidak lagi mengubah presensi bulan itu."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        top = min((u.depth for u in units), default=0)
        self.fields["unit"].label_from_instance = lambda u: f"{'— ' * (u.depth - top)}{u.name}"
        self.pending = None  # counts shown when the service asks for the confirmation

    def clean_month(self):
        from portal.forms import month_from

        month = month_from(self.cleaned_data["month"])
        if month is None:
            raise ValidationError(_("Isi bulan dengan format TTTT-BB, mis. 2026-11."))
        return month

    @property
    def asks_confirmation(self) -> bool:
        return self.pending is not None or bool(self.data.get("confirm_pending")) or "confirm_pending" in self.errors


class ReopenForm(ServiceErrorsMixin, forms.Form):
    """Reopen a closed month: the reason is required (by the service), the tick confirms."""

    reason = forms.CharField(label=_("Alasan membuka kembali"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Alasan membuka kembali wajib diisi.")})
    confirm = forms.BooleanField(
        label=_("Saya mengerti: status presensi bulan itu dapat berubah lagi dan pengunduh laporannya diberi tahu."),
        error_messages={"required": _("Centang konfirmasi untuk membuka kembali bulan ini.")})


# --- Partial-day permissions (izin) and the roster ---------------------------------------------


class PermissionForm(ServiceErrorsMixin, forms.Form):
    """Izin terlambat / pulang cepat / meninggalkan kantor: one day, the times it covers, a reason.
    Which times a kind needs is checked once, by ``attendance.services.permissions.permission_clean``."""

    date = DateField(label=_("Tanggal"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Jenis izin"), widget=forms.RadioSelect, choices=PermissionKind.choices,
                             help_text=_("Izin terlambat: isi sampai jam berapa Anda datang. Izin pulang cepat: isi "
                                         "jam Anda pulang. Izin meninggalkan kantor: isi jam keluar dan jam kembali."))
    start_time = forms.TimeField(label=_("Dari jam"), required=False, widget=TimeInput(),
                                 help_text=_("Untuk izin pulang cepat dan izin meninggalkan kantor."))
    end_time = forms.TimeField(label=_("Sampai jam"), required=False, widget=TimeInput(),
                               help_text=_("Untuk izin terlambat dan izin meninggalkan kantor."))
    reason = forms.CharField(label=_("Alasan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"date": data["date"], "kind": data["kind"], "start_time": data.get("start_time"),
                "end_time": data.get("end_time"), "reason": data["reason"]}


# --- HR: attendance rules versions (with the TL/PSW band table) and shifts ----------------------


def _minutes_field(label, **kwargs):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_MINUTES, **kwargs)


def _percent_field(label, **kwargs):
    return forms.DecimalField(label=label, required=False, max_digits=5, decimal_places=2, **kwargs)


class RulesForm(ServiceErrorsMixin, forms.Form):
    """A rules version of an institution; the band table is :data:`BandFormSet`."""

    effective_from = DateField(label=_("Berlaku mulai"), widget=DateInput(),
                               help_text=_("Berlaku mulai tanggal ini; hari sebelumnya tidak dihitung ulang."))
    min_stay_minutes = _minutes_field(_("Lama minimal di kantor (menit)"), initial=60, help_text=_(
        "Presensi masuk dan pulang yang berjarak kurang dari ini bukan hari kerja yang wajar."))
    latest_check_in_minutes = _minutes_field(_("Batas presensi masuk (menit sesudah jam masuk)"), required=False,
                                             help_text=_("Kosong = sampai jam pulang. Presensi masuk sesudahnya "
                                                         "bukan hari kerja yang wajar."))
    implausible_status = forms.ChoiceField(
        label=_("Presensi tidak wajar dihitung sebagai"), choices=ImplausibleStatus.choices,
        initial=ImplausibleStatus.TK,
        help_text=_("Berlaku bila lama di kantor kurang dari lama minimal atau presensi masuk melewati batasnya."))
    tk_deduction_percent = _percent_field(_("Potongan per hari TK (%)"), help_text=_("Kosong = belum diatur."))
    daily_cap_percent = _percent_field(_("Batas potongan per hari (%)"), help_text=_("Kosong = tanpa batas."))
    legal_basis = forms.CharField(label=_("Dasar hukum"), max_length=255, required=False, help_text=_(
        "Peraturan yang menetapkan potongan ini, mis. Perbup No. 12 Tahun 2025."))
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    @staticmethod
    def initial_from(version) -> dict:
        return {name: getattr(version, name) for name in (
            "effective_from", "min_stay_minutes", "latest_check_in_minutes", "implausible_status",
            "tk_deduction_percent", "daily_cap_percent", "legal_basis", "note")}

    def rules_data(self) -> RulesData:
        c = self.cleaned_data
        return RulesData(effective_from=c["effective_from"], min_stay_minutes=c["min_stay_minutes"],
                         latest_check_in_minutes=c.get("latest_check_in_minutes"),
                         implausible_status=c["implausible_status"],
                         tk_deduction_percent=c.get("tk_deduction_percent"),
                         daily_cap_percent=c.get("daily_cap_percent"), legal_basis=c.get("legal_basis") or "",
                         note=c.get("note") or "")


class BandForm(forms.Form):
    """One row of the band table; a row left blank is no band (tick "hapus" to drop a filled one)."""

    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", "—"), *BandKind.choices])
    level = forms.IntegerField(label=_("Tingkat"), required=False, min_value=1, max_value=MAX_BAND_LEVEL)
    from_minute = _minutes_field(_("Dari menit ke-"), required=False)
    # No help texts: the table's hint explains the empty values (a cell has no room for one).
    to_minute = _minutes_field(_("Sampai menit ke-"), required=False)
    deduction_percent = _percent_field(_("Potongan (%)"))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data or all(data.get(name) in (None, "") for name in (
            "kind", "level", "from_minute", "to_minute", "deduction_percent"))

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        for name in ("kind", "level", "from_minute"):
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("Isi jenis, tingkat dan menit awal pita ini (atau kosongkan barisnya)."))
        return data


class BaseBandFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        """Each cell's input is named by its column and row (the table shows no label per cell)."""
        super().add_fields(form, index)
        if index is None:
            return
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = _("%(label)s, baris %(n)d") % {"label": field.label, "n": index + 1}


BandFormSet = forms.formset_factory(BandForm, formset=BaseBandFormSet, extra=2, can_delete=True,
                                    max_num=2 * MAX_BAND_LEVEL, validate_max=True)


def band_initial(bands) -> list[dict]:
    """Formset rows from Band rows or :class:`BandData` values."""
    return [{"kind": b.kind, "level": b.level, "from_minute": b.from_minute, "to_minute": b.to_minute,
             "deduction_percent": b.deduction_percent} for b in bands]


def band_data(formset) -> list[BandData]:
    """The filled, kept rows of a valid band formset as the service's values."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or form.is_blank():
            continue
        rows.append(BandData(kind=data["kind"], level=data["level"], from_minute=data["from_minute"],
                             to_minute=data.get("to_minute"), deduction_percent=data.get("deduction_percent")))
    return rows


class ShiftForm(ServiceErrorsMixin, forms.Form):
    """A shift of a unit, in the unit's local time; the service checks the span (at most 24 hours)."""

    code = forms.CharField(label=_("Kode"), max_length=10, help_text=_("Singkat, tampil di jadwal: P, S, M, PG."))
    name = forms.CharField(label=_("Nama"), max_length=100)
    start = forms.TimeField(label=_("Mulai"), widget=TimeInput())
    end = forms.TimeField(label=pgettext_lazy("jam akhir shift", "Selesai"), widget=TimeInput())
    ends_next_day = forms.BooleanField(label=_("Selesai keesokan hari"), required=False, help_text=_(
        "Centang untuk shift yang melewati tengah malam, mis. 21:00–07:00."))
    break_minutes = _minutes_field(_("Istirahat (menit)"), initial=0)
    is_active = forms.BooleanField(label=_("Aktif"), required=False, initial=True, help_text=_(
        "Shift yang tidak aktif tidak dapat dipilih lagi di jadwal dinas; riwayatnya tetap."))

    @staticmethod
    def initial_from(shift) -> dict:
        return {name: getattr(shift, name) for name in (
            "code", "name", "start", "end", "ends_next_day", "break_minutes", "is_active")}

    def shift_data(self) -> ShiftData:
        c = self.cleaned_data
        return ShiftData(code=c["code"], name=c["name"], start=c["start"], end=c["end"],
                         ends_next_day=c["ends_next_day"], break_minutes=c["break_minutes"],
                         is_active=c["is_active"])
