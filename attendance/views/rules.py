"""HR pages for attendance rules versions (with the TL/PSW band table) and shifts.

Only HR admins (inside their scope) and superusers see these pages; anyone else, and anything
outside the scope, is 404. Reads come from :mod:`attendance.selectors.rules` (the same the API
renders); writes go through :mod:`attendance.services.attendance_rules` and
:mod:`attendance.services.roster`, whose refusals are shown next to the fields.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.forms import BandFormSet, RulesForm, ShiftForm, band_data, band_initial
from attendance.models import AttendanceRules, BandKind, Shift
from attendance.selectors import rules as selectors
from attendance.selectors.roster import shifts_for_unit
from attendance.services.attendance_rules import attendance_rules_delete, attendance_rules_save, default_bands
from attendance.services.roster import shift_save
from portal.selectors import units_visible_to
from portal.views.hr import hr_required

BAND_PREFIX = "pita"
MAX_UNITS_SHOWN = 500


def _long_date(day: dt.date) -> str:
    return date_format(day, "j F Y")


# --- Rules versions ---------------------------------------------------------------------------


@hr_required
def rules_list(request):
    """The institutions of the HR scope with the version in force today and its legal basis."""
    rows = selectors.institutions_with_rules(request.user)
    return render(request, "attendance/rules/list.html", {"rows": rows, "section": "rules"})


def _version_rows(versions: list[AttendanceRules], in_force_pk: int | None, today: dt.date) -> list[dict]:
    return [{"version": v, "in_force": v.pk == in_force_pk, "upcoming": v.effective_from > today,
             "deductions_set": selectors.version_deductions_set(v),
             "bands": [(kind, selectors.band_rows(v, kind)) for kind in BandKind]} for v in versions]


@hr_required
def rules_institution(request, institution_id: int, version_id: int | None = None):
    """An institution's versions, newest first, and a form to add one (or change ``version_id``)."""
    institution = get_object_or_404(selectors.rules_institutions_for(request.user), pk=institution_id)
    version = get_object_or_404(AttendanceRules, pk=version_id, institution=institution) if version_id else None
    state = selectors.institution_rules(request.user, institution)
    if request.method == "POST":
        form = RulesForm(request.POST)
        formset = BandFormSet(request.POST, prefix=BAND_PREFIX)
        if form.is_valid() and formset.is_valid() and _save(request, institution, version, form, formset):
            return redirect("attendance-rules-institution", institution_id=institution.pk)
    else:
        form, formset = _blank_forms(institution, version, state)
    versions = selectors.rules_versions(institution)
    context = {
        "section": "rules", "institution": institution, "state": state, "version": version, "form": form,
        "formset": formset,
        "versions": _version_rows(versions, state.rules.version, state.today),
    }
    return render(request, "attendance/rules/institution.html", context)


def _blank_forms(institution, version, state):
    """Edit: the version as it is. New: the version in force copied (or the built-in edges), from
    the institution's local tomorrow."""
    source = version or state.version
    initial = RulesForm.initial_from(source) if source else {}
    if version is None:
        initial.update(effective_from=state.today + dt.timedelta(days=1), note="")
    bands = band_initial(selectors.ordered_bands(source.bands.all()) if source else default_bands())
    return RulesForm(initial=initial), BandFormSet(prefix=BAND_PREFIX, initial=bands)


def _save(request, institution, version, form, formset) -> bool:
    try:
        saved = attendance_rules_save(actor=request.user, institution=institution, version=version,
                                      data=form.rules_data(), bands=band_data(formset))
    except ValidationError as exc:
        _show_errors(exc, form, formset)
        return False
    messages.success(request, _("Aturan presensi %(institution)s mulai %(date)s tersimpan. Status presensi sejak "
                                "tanggal itu dihitung ulang.") % {"institution": institution.name,
                                                                   "date": _long_date(saved.effective_from)})
    return True


def _show_errors(exc: ValidationError, form, formset) -> None:
    """The service's messages: the band table's above the table, the others on their fields."""
    if hasattr(exc, "error_dict"):
        band_messages = exc.message_dict.get("bands", [])
        rest = {k: v for k, v in exc.message_dict.items() if k != "bands"}
        if rest:
            form.add_service_errors(ValidationError(rest))
    else:
        band_messages = []
        form.add_service_errors(exc)
    if band_messages:
        formset._non_form_errors = formset.error_class(  # where Django keeps the table-wide errors
            [*formset.non_form_errors(), *band_messages], error_class="nonform", renderer=formset.renderer)


@hr_required
def rules_delete(request, version_id: int):
    """Confirm (GET), then remove a version (POST): its days fall back to the version before it."""
    version = get_object_or_404(selectors.rules_versions_visible_to(request.user), pk=version_id)
    institution = version.institution
    if request.method == "POST":
        try:
            attendance_rules_delete(actor=request.user, version=version)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("attendance-rules-institution", institution_id=institution.pk)
        messages.success(request, _("Aturan presensi mulai %(date)s dihapus; hari-harinya kini memakai aturan "
                                    "sebelumnya.") % {"date": _long_date(version.effective_from)})
        return redirect("attendance-rules-institution", institution_id=institution.pk)
    previous = (AttendanceRules.objects.filter(institution=institution, effective_from__lt=version.effective_from)
                .order_by("-effective_from").first())
    return render(request, "attendance/rules/delete.html", {
        "section": "rules", "version": version, "institution": institution, "previous": previous})


# --- Shifts -------------------------------------------------------------------------------------


@hr_required
def shifts(request, unit_id: int | None = None, shift_id: int | None = None):
    """Without a unit: choose one of the scope. With one: its usable shifts and a form to add one
    to it (or change ``shift_id``, one of its own)."""
    if unit_id is None:
        return _shift_units(request)
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_id)
    shift = get_object_or_404(Shift, pk=shift_id, unit=unit) if shift_id else None
    if request.method == "POST":
        form = ShiftForm(request.POST)
        if form.is_valid() and _save_shift(request, unit, shift, form):
            return redirect("attendance-shifts-unit", unit_id=unit.pk)
    else:
        form = ShiftForm(initial=ShiftForm.initial_from(shift) if shift else None)
    editable = set(units_visible_to(request.user).filter(pk__in=unit.ancestor_ids).values_list("pk", flat=True))
    rows = [{"shift": s, "own": s.unit_id == unit.pk, "editable": s.unit_id in editable}
            for s in shifts_for_unit(unit)]
    return render(request, "attendance/rules/shifts_unit.html", {
        "section": "shifts", "unit": unit, "shift": shift, "form": form, "rows": rows, "zone": unit.tz_abbreviation})


def _shift_units(request):
    units = list(selectors.shift_units_for(request.user)[:MAX_UNITS_SHOWN + 1])
    base_depth = min((u.depth for u in units), default=0)
    rows = [{"unit": u, "indent": "— " * (u.depth - base_depth)} for u in units[:MAX_UNITS_SHOWN]]
    return render(request, "attendance/rules/shifts.html", {
        "section": "shifts", "rows": rows, "more": len(units) > MAX_UNITS_SHOWN})


def _save_shift(request, unit, shift, form) -> bool:
    try:
        saved = shift_save(actor=request.user, unit=unit, shift=shift, data=form.shift_data())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Shift %(code)s (%(name)s) di %(unit)s tersimpan.") % {
        "code": saved.code, "name": saved.name, "unit": unit.name})
    return True
