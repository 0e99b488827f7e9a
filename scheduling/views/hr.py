"""HR admin pages for scheduling: coverage policies per unit and FWA windows.

Only HR admins (within their scope) and superusers see these pages; anyone else gets 404.
Reads come from :mod:`scheduling.selectors` (the same the policy API renders), writes go
through :mod:`scheduling.services`; the forms only give the inputs a shape.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.selectors import units_visible_to
from portal.views.hr import hr_required
from scheduling import rules, selectors, services
from scheduling.forms import WEEKDAYS, EssentialFormSet, FwaWindowForm, PolicyForm, essential_rows
from scheduling.models import CoveragePolicy, Mode

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


def effective_items(effective: selectors.EffectivePolicy, names=None) -> list[dict]:
    """The page's rows for an :class:`~scheduling.selectors.EffectivePolicy`: label, value as a
    phrase, and the name of the unit that sets it ("" = the national default)."""
    labels = dict(FIELD_LABELS)
    out = []
    for name in names or labels:
        if name == "essential":
            source = ", ".join(sorted({u.name for u in effective.essential_sources.values()}))
        else:
            unit = effective.sources.get(name)
            source = unit.name if unit is not None else ""
        out.append({"name": name, "label": labels[name], "value": _display(name, effective.policy),
                    "source": source, "own": source == effective.unit.name})
    return out


def _day_param(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        return timezone.localdate()


@hr_required
def policy_list(request):
    """Every unit in scope with its effective policy on a day and where each value comes from."""
    day = _day_param(request)
    units = list(selectors.policy_units_visible_to(request.user))
    effective = selectors.effective_with_sources(units, day)
    base_depth = min((u.depth for u in units), default=0)
    rows = [{"unit": u, "prefix": "— " * (u.depth - base_depth), "effective": effective[u.pk],
             "summary": effective_items(effective[u.pk], LIST_FIELDS)} for u in units]
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
            return redirect("scheduling:policy_unit", unit_id=unit.pk)
    else:
        form = PolicyForm(initial=PolicyForm.initial_from(row) if row else {"effective_from": unit.local_today()})
        formset = EssentialFormSet(prefix="esensial", initial=[
            {"jabatan": e.jabatan, "min_in_office": e.min_in_office} for e in row.essential_positions.all()
        ] if row else None)
    day = _day_param(request)
    parent = [unit.parent] if unit.parent_id else []
    effective = selectors.effective_with_sources([unit, *parent], day)
    context = {
        "unit": unit, "row": row, "form": form, "formset": formset, "day": day,
        "effective": effective_items(effective[unit.pk]),
        "inherited": effective_items(effective[unit.parent_id]) if parent else None,
        "policies": unit.coverage_policies.prefetch_related("essential_positions").order_by("-effective_from"),
    }
    return render(request, "scheduling/hr/policy_unit.html", context)


def _save(request, unit, row, form, formset) -> bool:
    try:
        saved = services.coverage_policy_save(actor=request.user, unit=unit, policy=row, data=form.policy_data(),
                                              essential=essential_rows(formset),
                                              confirm_regulatory=form.cleaned_data["confirm_regulatory"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _g("Aturan kehadiran %(unit)s mulai %(date)s tersimpan.") % {
        "unit": unit.name, "date": saved.effective_from.isoformat()})
    return True


@hr_required
def fwa_windows(request):
    """FWA windows in scope, and a form to open one for chosen units and dates."""
    if request.method == "POST":
        form = FwaWindowForm(request.POST, user=request.user)
        if form.is_valid() and _open_window(request, form):
            return redirect("scheduling:fwa")
    else:
        form = FwaWindowForm(user=request.user)
    windows = list(selectors.fwa_windows_visible_to(request.user)[:FWA_WINDOWS_SHOWN])
    return render(request, "scheduling/hr/fwa.html", {"form": form, "windows": windows})


def _open_window(request, form: FwaWindowForm) -> bool:
    data = form.cleaned_data
    units = list(data["units"])
    try:
        opened = services.fwa_window_open(actor=request.user, name=data["name"], start=data["start"],
                                          end=data["end"], units=units, include_subunits=data["include_subunits"],
                                          lifts_caps=data["lifts_caps"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _g("Jendela FWA \u201c%(name)s\u201d dibuka untuk %(units)s.") % {
        "name": opened.window.name, "units": ngettext("%(n)d unit", "%(n)d unit", len(units)) % {"n": len(units)}})
    messages.info(request, ngettext(
        "%(approved)d dari %(waiting)d pengajuan yang menunggu disetujui otomatis.",
        "%(approved)d dari %(waiting)d pengajuan yang menunggu disetujui otomatis.", opened.pending) % {
        "approved": opened.auto_approved, "waiting": opened.pending})
    if opened.auto_approved < opened.pending:
        messages.warning(request, _g(
            "%(n)d pengajuan tetap menunggu keputusan atasan karena melanggar aturan kehadiran unit.") % {
            "n": opened.pending - opened.auto_approved})
    return True
