"""HR admin pages for scheduling: coverage policies per unit and FWA windows.

Only HR admins (within their scope) and superusers see these pages; anyone else gets 404.
Writes go through :mod:`scheduling.services_policy` and :func:`scheduling.services.fwa_window_open`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.models import Unit
from portal.selectors import units_visible_to
from portal.views.hr import hr_required
from scheduling import rules, services
from scheduling.models import CoveragePolicy, FwaWindow, Kind, Mode, RequestDay, Status
from scheduling.services_policy import coverage_policy_save

WEEKDAYS = [(0, _("Senin")), (1, _("Selasa")), (2, _("Rabu")), (3, _("Kamis")), (4, _("Jumat")),
            (5, _("Sabtu")), (6, _("Minggu"))]
INHERIT = [("", _("Ikuti unit induk")), ("1", _("Ya")), ("0", _("Tidak"))]
FWA_WINDOWS_SHOWN = 50


# --- Effective values and where they come from -----------------------------------------

FIELD_LABELS = [
    ("min_office_share", _("Minimal hadir di kantor")),
    ("min_office_headcount", _("Minimal jumlah orang di kantor")),
    ("weekday_min_share", _("Minimal hadir per hari")),
    ("weekly_cap", _("Maks. hari fleksibel per minggu")),
    ("monthly_cap", _("Maks. hari fleksibel per bulan")),
    ("mandatory_weekdays", _("Hari wajib di kantor")),
    ("blackout_dates", _("Tanggal wajib di kantor")),
    ("exclude_disciplinary", _("Kecualikan pegawai yang dihukum disiplin")),
    ("min_months_since_placement", _("Minimal bulan sejak penempatan")),
    ("mode", _("Mode")),
    ("count_pending", _("Hitung pengajuan yang belum diputus")),
    ("essential", _("Jabatan esensial")),
]
LIST_FIELDS = ("min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap", "mode")


def _weekday_name(day: int) -> str:
    return str(dict(WEEKDAYS)[int(day)])


def _display(name: str, policy: rules.Policy) -> str:
    """A field of the effective policy as a short Indonesian phrase."""
    value = policy.essential if name == "essential" else getattr(policy, name)
    if value in (None, "", (), frozenset(), {}):
        return "—"
    if name == "min_office_share":
        return f"{value}%"
    if name == "weekday_min_share":
        return ", ".join(f"{_weekday_name(d)} {s}%" for d, s in sorted(value.items()))
    if name == "mandatory_weekdays":
        return ", ".join(_weekday_name(d) for d in sorted(value))
    if name == "blackout_dates":
        return ", ".join(d.isoformat() for d in sorted(value))
    if name in ("exclude_disciplinary", "count_pending"):
        return _g("Ya") if value else _g("Tidak")
    if name == "mode":
        return str(Mode(value).label)
    if name == "essential":
        return ", ".join(f"{j} ≥ {n}" for j, n in value)
    return str(value)


def _is_set(row: CoveragePolicy, name: str) -> bool:
    value = getattr(row, name)
    return value is not None and value != ""


def _layer(row: CoveragePolicy) -> dict:
    layer = {name: getattr(row, name) for name in rules._SCALARS}
    layer.update(weekday_min_share=row.weekday_min_share, mandatory_weekdays=row.mandatory_weekdays,
                 blackout_dates=row.blackout_dates,
                 essential=[(e.jabatan, e.min_in_office) for e in row.essential_positions.all()])
    return layer


@dataclass
class Effective:
    """A unit's policy on one day, each field with the unit it is inherited from."""

    unit: Unit
    policy: rules.Policy
    sources: dict[str, str] = field(default_factory=dict)  # field -> unit name; missing = default

    def items(self, names=None) -> list[dict]:
        labels = dict(FIELD_LABELS)
        return [{"name": n, "label": labels[n], "value": _display(n, self.policy),
                 "source": self.sources.get(n, ""), "own": self.sources.get(n) == self.unit.name}
                for n in (names or labels)]

    @property
    def summary(self) -> list[dict]:
        return self.items(LIST_FIELDS)


def effective_with_sources(units: list[Unit], day: dt.date) -> dict[int, Effective]:
    """Effective policies of many units with their sources, in a constant number of queries."""
    ancestor_ids = {a for u in units for a in u.ancestor_ids}
    in_force: dict[int, CoveragePolicy] = {}
    for row in (CoveragePolicy.objects.filter(unit_id__in=ancestor_ids, effective_from__lte=day)
                .select_related("unit").prefetch_related("essential_positions").order_by("effective_from")):
        in_force[row.unit_id] = row  # later starts overwrite earlier ones
    out = {}
    for unit in units:
        rows = [in_force[a] for a in unit.ancestor_ids if a in in_force]
        sources: dict[str, str] = {}
        essential_from: dict[str, str] = {}
        for row in rows:
            for name, _label in FIELD_LABELS[:-1]:
                if _is_set(row, name):
                    sources[name] = row.unit.name
            for position in row.essential_positions.all():
                essential_from[position.jabatan] = row.unit.name
        if essential_from:
            sources["essential"] = ", ".join(sorted(set(essential_from.values())))
        out[unit.pk] = Effective(unit, rules.merge_policies([_layer(r) for r in rows]), sources)
    return out


# --- Forms -----------------------------------------------------------------------------

def _tri(value: str) -> bool:
    return value == "1"


def _tri_initial(value) -> str:
    return "" if value is None else ("1" if value else "0")


class PolicyForm(forms.Form):
    effective_from = forms.DateField(label=_("Berlaku mulai"), widget=forms.DateInput(attrs={"type": "date"}))
    min_office_share = forms.IntegerField(label=_("Minimal hadir di kantor (%)"), required=False, min_value=0,
                                          max_value=100)
    min_office_headcount = forms.IntegerField(label=_("Minimal jumlah orang di kantor"), required=False,
                                              min_value=0)
    weekly_cap = forms.IntegerField(label=_("Maks. hari fleksibel per minggu"), required=False, min_value=0,
                                    max_value=7, help_text=_("Permen PANRB 4/2025: paling banyak 2."))
    monthly_cap = forms.IntegerField(label=_("Maks. hari fleksibel per bulan"), required=False, min_value=0,
                                     max_value=31)
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
    min_months_since_placement = forms.IntegerField(label=_("Minimal bulan sejak penempatan"), required=False,
                                                    min_value=0, max_value=120)
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", _("Ikuti unit induk")), *Mode.choices],
                             required=False)
    count_pending = forms.TypedChoiceField(label=_("Hitung pengajuan yang belum diputus"), choices=INHERIT,
                                           coerce=_tri, empty_value=None, required=False)
    note = forms.CharField(label=_("Dasar / catatan"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in WEEKDAYS:
            self.fields[f"wd_{day}"] = forms.IntegerField(label=name, required=False, min_value=0, max_value=100)

    @classmethod
    def initial_from(cls, row: CoveragePolicy) -> dict:
        initial = {name: getattr(row, name) for name in (
            "effective_from", "min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap",
            "min_months_since_placement", "mode", "note")}
        initial.update(
            own_mandatory=row.mandatory_weekdays is not None, mandatory_weekdays=row.mandatory_weekdays or [],
            own_blackout=row.blackout_dates is not None, blackout_dates="\n".join(row.blackout_dates or []),
            exclude_disciplinary=_tri_initial(row.exclude_disciplinary),
            count_pending=_tri_initial(row.count_pending))
        for day, share in (row.weekday_min_share or {}).items():
            initial[f"wd_{day}"] = share
        return initial

    def weekday_fields(self):
        return [self[f"wd_{day}"] for day, _name in WEEKDAYS]

    def policy_data(self) -> dict:
        """The cleaned form as the service's ``data``: unset list fields inherit (None)."""
        c = self.cleaned_data
        shares = {day: c[f"wd_{day}"] for day, _name in WEEKDAYS if c.get(f"wd_{day}") is not None}
        data = {name: c.get(name) for name in (
            "effective_from", "min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap",
            "min_months_since_placement", "mode", "note", "exclude_disciplinary", "count_pending")}
        data.update(
            weekday_min_share=shares or None,
            mandatory_weekdays=c.get("mandatory_weekdays") if c.get("own_mandatory") else None,
            blackout_dates=re.split(r"[\s,;]+", c["blackout_dates"].strip()) if c.get("own_blackout") else None)
        if data["blackout_dates"] == [""]:
            data["blackout_dates"] = []
        return data


class EssentialForm(forms.Form):
    jabatan = forms.CharField(label=_("Jabatan"), max_length=200, required=False)
    min_in_office = forms.IntegerField(label=_("Minimal di kantor"), min_value=0, max_value=1000, initial=1,
                                       required=False)


EssentialFormSet = forms.formset_factory(EssentialForm, extra=2, can_delete=True)


def _essential_rows(formset) -> list[tuple[str, int]]:
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


class FwaWindowForm(forms.Form):
    name = forms.CharField(label=_("Dasar (surat edaran)"), max_length=255,
                           help_text=_("Mis. SE MenPAN-RB 2/2026 tentang hari kerja fleksibel."))
    start = forms.DateField(label=_("Mulai"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Selesai"), widget=forms.DateInput(attrs={"type": "date"}))
    units = UnitChoices(label=_("Unit"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple)
    include_subunits = forms.BooleanField(label=_("Termasuk sub-unit"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = units_visible_to(user).order_by("path")
        self.fields["units"].queryset = units
        self.fields["units"].base_depth = min(units.values_list("depth", flat=True), default=0)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        return data


# --- Views -----------------------------------------------------------------------------

def _day_param(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        return timezone.localdate()


@hr_required
def policy_list(request):
    """Every unit in scope with its effective policy on a day and where each value comes from."""
    day = _day_param(request)
    units = list(units_visible_to(request.user).order_by("path"))
    effective = effective_with_sources(units, day)
    base_depth = min((u.depth for u in units), default=0)
    rows = [{"unit": u, "prefix": "— " * (u.depth - base_depth), "effective": effective[u.pk]} for u in units]
    return render(request, "scheduling/hr/policy_list.html", {"rows": rows, "day": day, "labels": [
        dict(FIELD_LABELS)[n] for n in LIST_FIELDS]})


@hr_required
def policy_unit(request, unit_id: int, policy_id: int | None = None):
    """A unit's policies over time, its effective values, and a form to add or change one."""
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_id)
    row = get_object_or_404(CoveragePolicy, pk=policy_id, unit=unit) if policy_id else None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        formset = EssentialFormSet(request.POST, prefix="esensial")
        if form.is_valid() and formset.is_valid() and _save(request, unit, row, form, formset):
            return redirect("scheduling_hr:policy_unit", unit_id=unit.pk)
    else:
        form = PolicyForm(initial=PolicyForm.initial_from(row) if row else {"effective_from": unit.local_today()})
        formset = EssentialFormSet(prefix="esensial", initial=[
            {"jabatan": e.jabatan, "min_in_office": e.min_in_office} for e in row.essential_positions.all()
        ] if row else None)
    day = _day_param(request)
    parent = [unit.parent] if unit.parent_id else []
    effective = effective_with_sources([unit, *parent], day)
    context = {
        "unit": unit, "row": row, "form": form, "formset": formset, "day": day,
        "effective": effective[unit.pk].items(),
        "inherited": effective[unit.parent_id].items() if parent else None,
        "policies": unit.coverage_policies.prefetch_related("essential_positions").order_by("-effective_from"),
    }
    return render(request, "scheduling/hr/policy_unit.html", context)


def _save(request, unit, row, form, formset) -> bool:
    try:
        saved = coverage_policy_save(actor=request.user, unit=unit, policy=row, data=form.policy_data(),
                                     essential=_essential_rows(formset))
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return False
    messages.success(request, _g("Aturan kehadiran %(unit)s mulai %(date)s tersimpan.") % {
        "unit": unit.name, "date": saved.effective_from.isoformat()})
    return True


def _windows_visible_to(user):
    windows = FwaWindow.objects.all()
    if not user.is_superuser:
        windows = windows.filter(units__in=units_visible_to(user)).distinct()
    return windows.prefetch_related("units").select_related("created_by").order_by("-start", "-pk")


def _pending_flexible_in(units: list[Unit], start: dt.date, end: dt.date, include_subunits: bool) -> list[int]:
    scope = Unit.objects.subtrees_of(units) if include_subunits else Unit.objects.filter(pk__in=[u.pk for u in units])
    pending = RequestDay.objects.filter(status=Status.PENDING, date__range=(start, end),
                                        kind__in=[Kind.WFH, Kind.WFA], unit__in=scope)
    return list(pending.values_list("pk", flat=True))


@hr_required
def fwa_windows(request):
    """FWA windows in scope, and a form to open one for chosen units and dates."""
    if request.method == "POST":
        form = FwaWindowForm(request.POST, user=request.user)
        if form.is_valid():
            _open_window(request, form.cleaned_data)
            return redirect("scheduling_hr:fwa")
    else:
        form = FwaWindowForm(user=request.user)
    windows = list(_windows_visible_to(request.user)[:FWA_WINDOWS_SHOWN])
    return render(request, "scheduling/hr/fwa.html", {"form": form, "windows": windows})


def _open_window(request, data: dict) -> None:
    units = list(data["units"])
    waiting = _pending_flexible_in(units, data["start"], data["end"], data["include_subunits"])
    window = services.fwa_window_open(actor=request.user, name=data["name"], start=data["start"], end=data["end"],
                                      units=units, include_subunits=data["include_subunits"])
    approved = RequestDay.objects.filter(pk__in=waiting, status=Status.APPROVED).count()
    messages.success(request, _g("Jendela FWA \u201c%(name)s\u201d dibuka untuk %(units)s.") % {
        "name": window.name, "units": ngettext("%(n)d unit", "%(n)d unit", len(units)) % {"n": len(units)}})
    messages.info(request, ngettext(
        "%(approved)d dari %(waiting)d pengajuan yang menunggu disetujui otomatis.",
        "%(approved)d dari %(waiting)d pengajuan yang menunggu disetujui otomatis.", len(waiting)) % {
        "approved": approved, "waiting": len(waiting)})
    if approved < len(waiting):
        messages.warning(request, _g(
            "%(n)d pengajuan tetap menunggu keputusan atasan karena melanggar aturan kehadiran unit.") % {
            "n": len(waiting) - approved})
