"""Laporan presensi: the report page, exports (direct or as a job), job progress and download.

For HR admins (their subtree) and supervisors (their own people); anyone else gets 404.
Small exports stream straight back; large ones become an export job with a progress page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from attendance.models import ExportJob
from attendance.selectors import reports
from attendance.services import export_jobs
from portal import exports
from portal.forms import DateField
from portal.models import AsnType

PAGE_SIZE = 50
RECENT_JOBS = 10
FORM_FIELDS = ("report", "unit", "month", "year", "start", "end", "nip", "asn_type")


class ReportForm(forms.Form):
    report = forms.ChoiceField(label=gettext_lazy("Laporan"), choices=reports.REPORT_CHOICES)
    # Not a ChoiceField: a unit outside the caller's scope must answer 404, not a form error.
    unit = forms.IntegerField(label=gettext_lazy("Unit kerja (beserta sub-unit)"), required=False,
                              widget=forms.Select)
    month = forms.CharField(label=gettext_lazy("Bulan"), required=False,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
                            help_text=gettext_lazy("Format TTTT-BB. Untuk TK kumulatif dipakai tahunnya."))
    year = forms.IntegerField(label=gettext_lazy("Tahun (TK kumulatif)"), required=False, min_value=2000,
                              max_value=2100)
    start = DateField(label=gettext_lazy("Atau dari tanggal"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label=gettext_lazy("sampai tanggal"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    nip = forms.CharField(label=gettext_lazy("NIP pegawai (opsional)"), required=False, max_length=30)
    asn_type = forms.ChoiceField(label=gettext_lazy("Jenis ASN"), required=False,
                                 choices=[("", gettext_lazy("Semua"))] + list(AsnType.choices))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [("", _("Semua dalam cakupan saya"))] + [
            (str(u.pk), f"{'— ' * max(0, u.depth - 1)}{u.name}") for u in units]


def _allowed(user) -> None:
    if reports.report_scope(user).empty:
        raise Http404


def _default_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def _selection(user, data: dict) -> reports.Selection:
    """Resolve the form's cleaned data (ValidationError for input, Http404 for scope)."""
    employee = None
    nip = "".join((data.get("nip") or "").split())
    if nip:
        employee = reports.report_scope(user).employees().filter(nip=nip).values_list("pk", flat=True).first()
        if employee is None:
            raise ValidationError({"nip": _("Pegawai dengan NIP ini tidak ada dalam cakupan Anda.")})
    month = data.get("month") or None
    if not (month or data.get("year") or (data.get("start") and data.get("end"))):
        month = _default_month()
    if data.get("start") and data.get("end"):
        month = None
    return reports.report_resolve(user, report=data["report"], unit=data.get("unit") or None, month=month,
                                  year=data.get("year") if data["report"] == reports.TK_CUMULATIVE else None,
                                  start=data.get("start"), end=data.get("end"), employee=employee,
                                  asn_type=data.get("asn_type") or "")


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_GET
def report_page(request):
    _allowed(request.user)
    units = reports.units_for_choice(request.user)
    context = {"units": units, "jobs": ExportJob.objects.filter(user=request.user)[:RECENT_JOBS],
               "pdf": exports.pdf_available()}
    if "report" not in request.GET:
        initial = {"report": reports.MONTHLY_RECAP, "month": _default_month(),
                   "unit": str(units[0].pk) if units and not _supervisor_only(request.user) else ""}
        return render(request, "attendance/reports/page.html", {**context, "form": ReportForm(initial=initial,
                                                                                              units=units)})
    form = ReportForm(request.GET, units=units)
    selection = None
    if form.is_valid():
        try:
            selection = _selection(request.user, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    if selection is not None:
        context.update(_table(request, selection))
    return render(request, "attendance/reports/page.html", {**context, "form": form, "selection": selection})


def _supervisor_only(user) -> bool:
    scope = reports.report_scope(user)
    return not scope.superuser and not scope.hr_units.exists()


def _table(request, selection: reports.Selection) -> dict:
    """One page of the report, from the rows the downloaded file is written from.

    The day statuses must be fresh first. When that is cheap it happens now; otherwise a worker
    recomputes them and the page says so instead of showing a table that is not yet complete
    (the numbers on screen and in the file are the same rows, or the screen shows none).
    """
    stale = reports.stale_employee_ids(selection)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("setelah", None)
    context = {"header": selection.report.header(), "query": query.urlencode(),
               "export_fields": [(k, request.GET.get(k, "")) for k in FORM_FIELDS],
               "closure_status": reports.closure_status(selection)}
    if reports.recompute_cost(selection, stale) > export_jobs.SYNC_MAX_RECOMPUTE:
        export_jobs.report_prepare(actor=request.user, selection=selection)
        return {**context, "preparing": True, "rows": [], "total": 0, "pages": 0, "page_number": 1}
    reports.ensure_day_statuses(selection, employee_ids=stale)
    if selection.report.items is not None:
        return {**context, **_keyset_table(request, selection)}
    total = reports.report_count(selection)
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = min(max(1, int(request.GET.get("page", 1))), pages)
    except ValueError:
        number = 1
    rows = list(reports.report_rows(selection, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, header=False))
    return {**context, "rows": rows, "total": total, "page_number": number, "pages": pages,
            "totals": reports.report_totals(selection) if total else None, "versions": reports.rule_versions(selection)}


def _keyset_table(request, selection: reports.Selection) -> dict:
    """A page of the recap after the employee named by ``setelah`` (keyset: no COUNT of the whole
    selection, no OFFSET over it); the totals row under the last page, as in the file."""
    try:
        after = int(request.GET["setelah"]) if request.GET.get("setelah") else None
    except ValueError:
        after = None
    page = reports.report_page(selection, after=after, size=PAGE_SIZE)
    return {"rows": page.rows, "keyset": True, "after": after, "next_after": page.next_after,
            "last_page": page.next_after is None, "totals": page.totals,
            "versions": reports.rule_versions(selection, page.employee_ids) if page.rows else []}


@login_required
@require_POST
def report_export(request):
    _allowed(request.user)
    fmt = request.POST.get("format", "")
    back = reverse("attendance-reports") + "?" + urlencode(
        {k: request.POST.get(k, "") for k in FORM_FIELDS if request.POST.get(k)})
    form = ReportForm(request.POST, units=reports.units_for_choice(request.user))
    if not form.is_valid():
        messages.error(request, _("Periksa kembali pilihan laporan."))
        return redirect(back)
    try:
        selection = _selection(request.user, form.cleaned_data)
        export_jobs._validate_format(selection.report.slug, fmt)
        if export_jobs.export_prepare(selection, fmt):
            job = export_jobs.export_job_create(actor=request.user, format=fmt, **_job_args(selection))
            return redirect("attendance-export-status", pk=job.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    export_jobs.report_export_record(actor=request.user, selection=selection, fmt=fmt)
    return _direct(selection, fmt)


def _job_args(selection: reports.Selection) -> dict:
    p = selection.params
    return {"report": p["report"], "unit_id": p["unit"], "start": p["start"], "end": p["end"],
            "filters": {"employee": p["employee"], "asn_type": p["asn_type"]}} | _period_args(selection)


def _period_args(selection: reports.Selection) -> dict:
    # Keep the period's own name (month / year) so the file is named like the direct one.
    label = selection.period.label
    if len(label) == 7:
        return {"month": label, "start": None, "end": None}
    if len(label) == 4:
        return {"year": label, "start": None, "end": None}
    return {}


def _direct(selection: reports.Selection, fmt: str):
    return exports.file_response(fmt, reports.report_rows(selection),
                                 f"{selection.filename_stem}.{exports.extension(fmt)}",
                                 **export_jobs.export_options(selection))


@login_required
@require_GET
def export_status(request, pk: int):
    job = export_jobs.export_job_for_owner(request.user, pk)
    return render(request, "attendance/reports/export_status.html", {
        "job": job, "status_url": reverse("api-export-detail", args=[job.pk]),
        "download_url": reverse("attendance-export-download", args=[job.pk]),
        "expired": job.expires_at is not None and job.expires_at <= timezone.now()})


@login_required
@require_GET
def export_download(request, pk: int):
    try:
        job = export_jobs.export_job_for_download(request.user, pk)
    except export_jobs.ExportExpired:
        return render(request, "attendance/reports/export_expired.html", status=410)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=exports.CONTENT_TYPES.get(job.format, "application/octet-stream"))
