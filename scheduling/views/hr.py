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

from portal.formatting import short_date
from portal.selectors import units_visible_to
from portal.views.hr import hr_required
from scheduling import rules, selectors, services
from scheduling.forms import WEEKDAYS, EssentialFormSet, FwaWindowForm, PolicyForm, essential_rows
from scheduling.models import CoveragePolicy, Mode

FWA_WINDOWS_SHOWN = 50
POLICY_UNITS_PER_PAGE = 25  # a level of 40 kecamatan is two pages, never the whole tree
PREVIEW = "pratinjau"  # the name of the form's "Pratinjau dampak" button: check and count, save nothing


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
        return ", ".join(short_date(d) for d in sorted(value))
    if name in ("exclude_disciplinary", "count_pending"):
        return _g("Ya") if value else _g("Tidak")
    if name == "mode":
        return str(Mode(value).label)
    if name == "essential":
        return ", ".join(f"{j} ≥ {n}" for j, n in value)
    return str(value)


def effective_items(effective: selectors.EffectivePolicy, names=None) -> list[dict]:
    """The page's rows for an :class:`~scheduling.selectors.EffectivePolicy`: label, value as a
    phrase, the name of the unit that sets it ("" = the national default), and from when."""
    labels = dict(FIELD_LABELS)
    out = []
    for name in names or labels:
        if name == "essential":
            source = ", ".join(sorted({u.name for u in effective.essential_sources.values()}))
            since = min(effective.essential_since.values(), default=None)
        else:
            unit = effective.sources.get(name)
            source = unit.name if unit is not None else ""
            since = effective.since.get(name)
        out.append({"name": name, "label": labels[name], "value": _display(name, effective.policy),
                    "source": source, "since": since, "own": source == effective.unit.name})
    return out


def _day_param(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        return timezone.localdate()


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def summary_phrases(effective: selectors.EffectivePolicy) -> list[str]:
    """The few values a closed unit card shows on one line ("min. 60% di kantor", ...)."""
    p = effective.policy
    phrases = []
    if p.min_office_share is not None:
        phrases.append(_g("min. %(n)d%% di kantor") % {"n": p.min_office_share})
    if p.min_office_headcount:
        phrases.append(_g("min. %(n)d orang di kantor") % {"n": p.min_office_headcount})
    if p.weekly_cap is not None:
        phrases.append(_g("maks. %(n)d hari fleksibel/minggu") % {"n": p.weekly_cap})
    if p.monthly_cap is not None:
        phrases.append(_g("maks. %(n)d hari fleksibel/bulan") % {"n": p.monthly_cap})
    phrases.append(_display("mode", p))
    return phrases


def _policy_row(unit, effective, trail=(), is_open=False) -> dict:
    items = effective_items(effective[unit.pk])
    return {"unit": unit, "effective": effective[unit.pk], "items": items, "trail": trail, "open": is_open,
            "phrases": summary_phrases(effective[unit.pk]), "own": sum(i["own"] for i in items)}


@hr_required
def policy_list(request):
    """The units in scope with their effective policy on a day and where each value comes from.

    A large institution (2,000 units) is never drawn whole: the page shows one unit and the
    units directly below it, a page at a time, or the units whose name or code matches ``q``;
    each sub-unit links to its own level (``induk``).
    """
    day = _day_param(request)
    browse = selectors.policy_units_browse(request.user, parent_id=_int_param(request, "induk"),
                                           search=request.GET.get("q", ""), page_number=request.GET.get("page"),
                                           per_page=POLICY_UNITS_PER_PAGE)
    current, listed = browse.current, list(browse.page.object_list)
    effective = selectors.effective_with_sources([*([current] if current else []), *listed], day)
    current_row = _policy_row(current, effective, browse.trails[current.pk], is_open=True) if current else None
    rows = [_policy_row(u, effective, browse.trails[u.pk] if browse.search else (),
                        is_open=bool(browse.search) and len(listed) == 1) for u in listed]
    return render(request, "scheduling/hr/policy_list.html", {
        "day": day, "search": browse.search, "current": current_row, "children": rows, "page": browse.page,
        "rows": [*([current_row] if current_row else []), *rows], "query": _query_without_page(request)})


@hr_required
def policy_unit(request, unit_id: int, policy_id: int | None = None):
    """A unit's policies over time, its effective values, and a form to add or change one; the
    form's "Pratinjau dampak" shows whom the change reaches without saving it."""
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_id)
    row = get_object_or_404(CoveragePolicy, pk=policy_id, unit=unit) if policy_id else None
    impact = None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        formset = EssentialFormSet(request.POST, prefix="esensial")
        if form.is_valid() and formset.is_valid():
            if PREVIEW in request.POST:
                impact = selectors.policy_change_impact(unit, form.cleaned_data["effective_from"], changed=row)
            elif _save(request, unit, row, form, formset):
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
        "unit": unit, "row": row, "form": form, "formset": formset, "day": day, "preview": PREVIEW,
        "impact": impact, "impact_text": impact_sentence(impact) if impact else "",
        "effective": effective_items(effective[unit.pk]),
        "emergency": selectors.emergency_for(unit, day),  # laid over these values on that day
        "inherited": effective_items(effective[unit.parent_id]) if parent else None,
        "trail": selectors.unit_trail(unit, request.user),
        "policies": unit.coverage_policies.prefetch_related("essential_positions").order_by("-effective_from"),
    }
    return render(request, "scheduling/hr/policy_unit.html", context)


def impact_sentence(impact: selectors.PolicyImpact) -> str:
    """ "Perubahan ini berlaku untuk 12 pegawai dan 3 pengajuan yang menunggu mulai 7 Desember 2026." """
    return _g("Perubahan ini berlaku untuk %(employees)s dan %(requests)s mulai %(date)s.") % {
        "employees": ngettext("%(n)d pegawai", "%(n)d pegawai", impact.employees) % {"n": impact.employees},
        "requests": ngettext("%(n)d pengajuan yang menunggu", "%(n)d pengajuan yang menunggu",
                             impact.pending_requests) % {"n": impact.pending_requests},
        "date": short_date(impact.effective_from)}


def _save(request, unit, row, form, formset) -> bool:
    try:
        saved = services.coverage_policy_save(actor=request.user, unit=unit, policy=row, data=form.policy_data(),
                                              essential=essential_rows(formset),
                                              confirm_regulatory=form.cleaned_data["confirm_regulatory"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _g("Aturan kehadiran %(unit)s mulai %(date)s tersimpan.") % {
        "unit": unit.name, "date": short_date(saved.effective_from)})
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
