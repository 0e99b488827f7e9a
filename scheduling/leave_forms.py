"""Page forms of HR's leave pages: shape only. The rules (ranges, labels, who may decide) are the
services' (:mod:`scheduling.services.leave`); their refusals come back onto these fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import MAX_YEAR, MIN_YEAR, ServiceErrorsMixin
from portal.models import Employee, Unit
from scheduling.models import CUTI_KINDS, DocumentRule
from scheduling.selectors.leave import KindSetting
from scheduling.selectors.leave_hr import institution_employee_by_nip
from scheduling.services.leave_hr import KindRuleInput

# Only to keep numbers a database column can hold; the service says what is allowed and why.
DAYS_BOUND = 1000


YEAR_LABEL = _("Tahun")


def _year_field(label=YEAR_LABEL, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


class LeaveSettingsForm(ServiceErrorsMixin, forms.Form):
    official = forms.CharField(
        label=_("NIP pejabat yang berwenang memberikan cuti"), required=False, max_length=40,
        help_text=_("Pegawai aktif instansi ini (mis. Sekretaris Daerah atau Kepala BKPSDM yang menerima "
                    "pendelegasian). Kosongkan agar kepala instansi yang memutus."))
    first_year = _year_field(
        label=_("Tahun pertama saldo cuti di portal"),
        help_text=_("Tahun pertama saldo cuti tahunan dihitung portal; sisa tahun-tahun sebelumnya dimasukkan "
                    "sebagai saldo awal tahun ini."))

    def __init__(self, *args, institution: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.official: Employee | None = None

    def clean_official(self) -> str:
        nip = self.cleaned_data["official"].strip()
        if nip:
            self.official = institution_employee_by_nip(self.institution, nip)
            if self.official is None:
                raise ValidationError(_("Pegawai dengan NIP ini tidak ditemukan di instansi ini."))
        return nip


class KindRuleForm(ServiceErrorsMixin, forms.Form):
    """One row of the kinds table (prefixed with the kind). Only cuti kinds may need the official."""

    needs_official = forms.BooleanField(label=_("Diputus pejabat yang berwenang"), required=False)
    document = forms.ChoiceField(label=_("Dokumen pendukung"), choices=DocumentRule.choices)
    document_label = forms.CharField(label=_("Nama dokumen"), required=False, max_length=500)

    def __init__(self, *args, setting: KindSetting, **kwargs):
        kwargs.setdefault("initial", {"needs_official": setting.needs_official, "document": setting.document,
                                      "document_label": setting.document_label})
        super().__init__(*args, prefix=setting.kind, **kwargs)
        self.setting = setting
        if setting.kind not in CUTI_KINDS:
            self.fields["needs_official"].disabled = True  # diputus atasan langsung saja

    @property
    def cuti(self) -> bool:
        return self.setting.kind in CUTI_KINDS

    def rule(self) -> KindRuleInput:
        data = self.cleaned_data
        return KindRuleInput(self.setting.kind, data["needs_official"], data["document"], data["document_label"])


class OpeningForm(ServiceErrorsMixin, forms.Form):
    year = _year_field()
    days = forms.IntegerField(label=_("Saldo awal (hari kerja)"), min_value=-DAYS_BOUND, max_value=DAYS_BOUND,
                              help_text=_("Hak cuti tahunan pada awal tahun itu, termasuk sisa tahun sebelumnya."))
    note = forms.CharField(label=_("Keterangan"), required=False, max_length=1000)


class AdjustmentForm(ServiceErrorsMixin, forms.Form):
    year = _year_field()
    days = forms.IntegerField(label=_("Perubahan (hari kerja)"), min_value=-DAYS_BOUND, max_value=DAYS_BOUND,
                              help_text=_("Positif menambah, negatif mengurangi; mis. +1 untuk cuti bersama yang "
                                          "dijalani dengan tetap bertugas."))
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=1000)


class OpeningImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV atau XLSX"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    dry_run = forms.BooleanField(label=_("Uji coba saja: periksa semua baris tanpa menyimpan"), required=False,
                                 initial=True)
