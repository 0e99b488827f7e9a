"""Forms of the attendance pages: they check shape only; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
