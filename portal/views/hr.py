"""HR admin pages: people import, supervisor data check (the audit log is in :mod:`portal.views.audit`).

Every page needs an HR admin scope or a superuser; anyone else gets 404, so the pages'
existence is not advertised.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.models import Employee
from portal.selectors import (
    ISSUE_LABELS,
    hr_scope_units,
    supervisor_issues,
)
from portal.services.people_import import (
    COLUMNS,
    KIND_EMPLOYEES,
    KIND_UNITS,
    ImportFileError,
    people_import,
)

MAX_ERRORS_SHOWN = 500
ISSUES_PER_PAGE = 100


def hr_required(view):
    """Login, then 404 unless the user is a superuser or holds an HR scope."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser and not hr_scope_units(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _page_query(request) -> str:
    """The current filters as a query string, without the page number."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Import -------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis data"), widget=forms.RadioSelect, initial=KIND_EMPLOYEES,
        choices=[(KIND_UNITS, _("Unit kerja")), (KIND_EMPLOYEES, _("Pegawai"))],
    )
    file = forms.FileField(label=_("Berkas CSV atau XLSX"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    dry_run = forms.BooleanField(
        label=_("Uji coba saja: periksa semua baris tanpa menyimpan"), required=False, initial=True,
    )
    initial_password = forms.CharField(
        label=_("Kata sandi awal akun baru (opsional)"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Kosongkan agar akun baru dibuat tanpa kata sandi; pegawai lalu mengatur ulang kata sandi."),
    )


@hr_required
def import_people(request):
    if request.GET.get("template") in COLUMNS:
        return _template_csv(request.GET["template"])
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = people_import(actor=request.user, kind=data["kind"], upload=data["file"],
                                       dry_run=data["dry_run"], initial_password=data["initial_password"])
            except ImportFileError as exc:
                form.add_error("file", str(exc))
    else:
        form = ImportForm()
    context = {
        "form": form, "result": result, "columns": COLUMNS,
        "errors_shown": result.errors[:MAX_ERRORS_SHOWN] if result else [],
        "errors_hidden": max(0, len(result.errors) - MAX_ERRORS_SHOWN) if result else 0,
    }
    return render(request, "portal/hr/import.html", context)


def _template_csv(kind: str) -> HttpResponse:
    return exports.file_response("csv", iter([[c.name for c in COLUMNS[kind]]]), f"pola-{kind}.csv")


# --- Supervisor data check ------------------------------------------------------------

@hr_required
def supervisor_check(request):
    issues = supervisor_issues(request.user)
    counts = {key: sum(key in i.issues for i in issues) for key in ISSUE_LABELS}
    wanted = request.GET.get("issue")
    if wanted in ISSUE_LABELS:
        issues = [i for i in issues if wanted in i.issues]
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    employees = Employee.objects.select_related("unit", "supervisor__unit").in_bulk(
        [i.employee_id for i in page.object_list]
    )
    for issue in page.object_list:
        issue.employee = employees[issue.employee_id]
        issue.admin_url = reverse("admin:portal_employee_change", args=[issue.employee_id])
    context = {
        "page": page, "issues": list(page.object_list), "total": len(issues),
        "counts": [(key, ISSUE_LABELS[key], counts[key]) for key in ISSUE_LABELS],
        "wanted": wanted, "query": _page_query(request),
    }
    return render(request, "portal/hr/supervisor_check.html", context)
