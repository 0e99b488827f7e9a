"""The audit trail page for HR admins (/hr/audit/): sentences, filters, pages and its CSV.

Everything it shows comes from :mod:`portal.selectors.audit`, as the API's audit endpoint does.
"""

from __future__ import annotations

from django import forms
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.forms import DateField
from portal.models.audit import verb_groups
from portal.selectors import units_visible_to
from portal.selectors.audit import AuditFilters, audit_export_rows, audit_page
from portal.selectors.audit_chain import checkpoint_rows, checkpoints_visible_to
from portal.services.audit_chain import checkpoint_document, checkpoint_filename
from portal.views.hr import hr_required

CURSORS = ("older", "newer")


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Orang (nama atau NIP)"), required=False, max_length=100,
                             help_text=_("Yang melakukan, atau pegawai yang menjadi pokok kejadian."))
    unit = forms.TypedChoiceField(label=_("Unit (beserta sub-unit)"), required=False, coerce=int, empty_value=None)
    verb = forms.ChoiceField(label=_("Jenis aksi"), required=False)
    date_from = DateField(label=_("Dari tanggal"), required=False)
    date_to = DateField(label=_("Sampai tanggal"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [("", _("Semua dalam cakupan saya"))] + [
            (u.pk, f"{'— ' * u.depth}{u.name}") for u in units]
        self.fields["verb"].choices = [("", _("Semua"))] + verb_groups()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(person=data.get("person") or "", unit=self.units.get(data.get("unit")),
                            verb=data.get("verb") or "", date_from=data.get("date_from"),
                            date_to=data.get("date_to"))


def _filters(form: AuditFilterForm) -> AuditFilters | None:
    """The filters to apply; None (show nothing) while the form has errors."""
    if not form.is_bound:
        return AuditFilters()
    return form.filters() if form.is_valid() else None


def _cursor(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _filter_query(request) -> str:
    """The current filters as a query string, without the page cursor or the format."""
    params = request.GET.copy()
    for key in (*CURSORS, "format"):
        params.pop(key, None)
    return params.urlencode()


@hr_required
def audit_log(request):
    units = list(units_visible_to(request.user).only("id", "name", "depth", "path").order_by("path"))
    form = AuditFilterForm(request.GET or None, units=units)
    filters = _filters(form)
    if filters is not None and request.GET.get("format") == "csv":
        return _csv(request, filters)
    page = None
    if filters is not None:
        page = audit_page(request.user, filters, older=_cursor(request.GET.get("older")),
                          newer=_cursor(request.GET.get("newer")))
    context = {"form": form, "page": page, "rows": page.rows if page else [], "query": _filter_query(request),
               "first_page": not any(request.GET.get(c) for c in CURSORS)}
    return render(request, "portal/hr/audit_log.html", context)


def _csv(request, filters: AuditFilters):
    """Streamed, not capped: rows are described a batch at a time while the file is written."""
    rows = _in_language(audit_export_rows(request.user, filters), translation.get_language())
    return exports.csv_response(rows, f"jejak-audit-{timezone.localdate():%Y-%m-%d}.csv")


def _in_language(rows, language: str):
    # A streamed body is written after the view returns: keep the reader's language for all of it.
    with translation.override(language):
        yield from rows


# --- Signed checkpoints of the hash chain (issue 14.4) ---------------------------------------------


@hr_required
def audit_checkpoints(request):
    """The nightly signed heads of the reader's institutions' chains, to download and keep."""
    return render(request, "portal/hr/audit_checkpoints.html", {"rows": checkpoint_rows(request.user)})


@hr_required
def audit_checkpoint_download(request, pk: int):
    """One checkpoint as a JSON file; another institution's answers 404."""
    checkpoint = get_object_or_404(checkpoints_visible_to(request.user), pk=pk)
    response = JsonResponse(checkpoint_document(checkpoint), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = content_disposition_header(True, checkpoint_filename(checkpoint))
    return response
