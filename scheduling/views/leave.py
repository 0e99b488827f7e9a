"""Leave pages: HR's settings per institution (the official, the first year, each kind's chain and
document), HR's balance pages per employee (openings, adjustments, an import of openings), and the
employee's own "Cuti saya".

HR pages are for HR admins inside their scope and superusers; anything else is 404. Reads come
from :mod:`scheduling.selectors.leave_hr` (the same the API renders); writes go through the leave
services, whose refusals are shown on the fields (and on the row of the kinds table) they concern.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import exports
from portal import formatting as fmt
from portal.selectors import current_employee, employees_visible_to
from portal.services.people_import import ImportFileError
from portal.views.hr import hr_required
from scheduling.leave_forms import AdjustmentForm, KindRuleForm, LeaveSettingsForm, OpeningForm, OpeningImportForm
from scheduling.selectors import leave
from scheduling.selectors.leave_hr import (
    employee_leave,
    leave_employees,
    leave_institution_rows,
    leave_institutions_for,
)
from scheduling.services.leave import leave_adjust, leave_opening_set
from scheduling.services.leave_hr import (
    OPENING_COLUMNS,
    LeaveSetupRefused,
    leave_openings_import,
    leave_setup_save,
)

EMPLOYEES_PER_PAGE = 50
MAX_PAGE = 2000  # 100,000 employees at 50 a page; a deeper page is a typed URL
MAX_ERRORS_SHOWN = 500

# --- Settings per institution ------------------------------------------------------------------


@hr_required
def leave_settings(request):
    """The institutions of the scope with their official (or the head deciding in their place)."""
    return render(request, "scheduling/leave_settings.html", {
        "rows": leave_institution_rows(request.user), "section": "settings"})


@hr_required
def leave_institution(request, institution_id: int):
    """One institution: the official and first year, and every kind's chain and document, saved
    together or not at all."""
    institution = get_object_or_404(leave_institutions_for(request.user).select_related("head"), pk=institution_id)
    current = leave.institution_leave(institution)
    settings = leave.kind_settings(institution)
    if request.method == "POST":
        form = LeaveSettingsForm(request.POST, institution=institution)
        rule_forms = [KindRuleForm(request.POST, setting=s) for s in settings]
        if _all_valid(form, *rule_forms) and _save_setup(request, institution, form, rule_forms):
            return redirect("scheduling:leave-institution", institution_id=institution.pk)
    else:
        form = LeaveSettingsForm(institution=institution, initial={
            "official": current.official.nip if current.official else "", "first_year": current.first_year})
        rule_forms = [KindRuleForm(setting=s) for s in settings]
    return render(request, "scheduling/leave_institution.html", {
        "section": "settings", "institution": institution, "current": current, "form": form,
        "rule_forms": rule_forms, "rules_have_errors": any(f.errors for f in rule_forms)})


def _all_valid(*forms) -> bool:
    return all([f.is_valid() for f in forms])  # a list, so every form shows its errors


def _save_setup(request, institution, form: LeaveSettingsForm, rule_forms: list[KindRuleForm]) -> bool:
    try:
        saved = leave_setup_save(actor=request.user, institution=institution, official=form.official,
                                 first_year=form.cleaned_data["first_year"], rules=[f.rule() for f in rule_forms])
    except LeaveSetupRefused as exc:
        if exc.settings_error is not None:
            form.add_service_errors(exc.settings_error)
        by_kind = {f.setting.kind: f for f in rule_forms}
        for kind, error in exc.rule_errors.items():
            by_kind[kind].add_service_errors(error)
        messages.error(request, _("Pengaturan cuti tidak disimpan: perbaiki isian yang ditandai. Tidak ada yang "
                                  "berubah."))
        return False
    if saved.settings_changed or saved.rules_changed:
        messages.success(request, _("Pengaturan cuti %(name)s tersimpan.") % {"name": institution.name})
    else:
        messages.info(request, _("Tidak ada yang berubah."))
    return True


# --- Balances per employee ---------------------------------------------------------------------


def _page_number(request) -> int:
    try:
        return min(max(int(request.GET.get("halaman", 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


@hr_required
def leave_balances(request):
    """Employees of the scope, searched by NIP or name, a page at a time (never counted whole)."""
    query = request.GET.get("q", "").strip()[:100]
    page = _page_number(request)
    found = leave_employees(request.user, query, offset=(page - 1) * EMPLOYEES_PER_PAGE, limit=EMPLOYEES_PER_PAGE)
    return render(request, "scheduling/leave_balances.html", {
        "section": "balances", "query": query, "page": page, "employees": found[:EMPLOYEES_PER_PAGE],
        "has_next": len(found) > EMPLOYEES_PER_PAGE, "per_page": EMPLOYEES_PER_PAGE})


FORM_OPENING, FORM_ADJUSTMENT = "saldo-awal", "penyesuaian"


@hr_required
def leave_employee(request, employee_id: int):
    """One employee's cuti tahunan year by year, the adjustments with their reasons, and the forms to
    set an opening balance and to add an adjustment."""
    employee = get_object_or_404(employees_visible_to(request.user).select_related("unit"), pk=employee_id)
    this_year = employee.unit.local_today().year
    opening = OpeningForm(prefix=FORM_OPENING, initial={"year": this_year})
    adjustment = AdjustmentForm(prefix=FORM_ADJUSTMENT, initial={"year": this_year})
    if request.method == "POST":
        if request.POST.get("form") == FORM_OPENING:
            opening = OpeningForm(request.POST, prefix=FORM_OPENING)
            if opening.is_valid() and _set_opening(request, employee, opening):
                return redirect("scheduling:leave-employee", employee_id=employee.pk)
        elif request.POST.get("form") == FORM_ADJUSTMENT:
            adjustment = AdjustmentForm(request.POST, prefix=FORM_ADJUSTMENT)
            if adjustment.is_valid() and _adjust(request, employee, adjustment):
                return redirect("scheduling:leave-employee", employee_id=employee.pk)
    return render(request, "scheduling/leave_employee.html", {
        "section": "balances", "data": employee_leave(employee), "employee": employee, "opening": opening,
        "adjustment": adjustment, "form_opening": FORM_OPENING, "form_adjustment": FORM_ADJUSTMENT})


def _set_opening(request, employee, form: OpeningForm) -> bool:
    data = form.cleaned_data
    try:
        leave_opening_set(actor=request.user, employee=employee, year=data["year"], days=data["days"],
                          note=data["note"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Saldo awal cuti tahunan %(year)d %(name)s: %(days)s.") % {
        "year": data["year"], "name": employee.name, "days": fmt.days(data["days"])})
    return True


def _adjust(request, employee, form: AdjustmentForm) -> bool:
    data = form.cleaned_data
    try:
        leave_adjust(actor=request.user, employee=employee, year=data["year"], days=data["days"],
                     reason=data["reason"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Cuti tahunan %(year)d %(name)s disesuaikan %(days)+d hari.") % {
        "year": data["year"], "name": employee.name, "days": data["days"]})
    return True


# --- Import of opening balances ----------------------------------------------------------------


@hr_required
def leave_import(request):
    """Opening balances from CSV/XLSX: a dry run first, then the commit; all rows or none."""
    if request.GET.get("pola") == "csv":
        return exports.file_response("csv", iter([[c.name for c in OPENING_COLUMNS]]), "pola-saldo-cuti.csv")
    result = None
    if request.method == "POST":
        form = OpeningImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = leave_openings_import(actor=request.user, upload=form.cleaned_data["file"],
                                               dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as exc:
                form.add_error("file", str(exc))
    else:
        form = OpeningImportForm()
    return render(request, "scheduling/leave_import.html", {
        "section": "import", "form": form, "result": result, "columns": OPENING_COLUMNS,
        "errors_shown": result.errors[:MAX_ERRORS_SHOWN] if result else [],
        "errors_hidden": max(0, len(result.errors) - MAX_ERRORS_SHOWN) if result else 0})


# --- The employee's own ------------------------------------------------------------------------


@login_required
@require_GET
def my_leave(request):
    """"Cuti saya": the employee's cuti tahunan year by year and HR's adjustments with reasons."""
    me = current_employee(request.user)
    return render(request, "scheduling/leave_mine.html", {"data": employee_leave(me), "employee": me})
