"""Tutup buku presensi: HR closes a finished month for a unit subtree, and reopens one with a reason.

Reads come from :mod:`attendance.selectors.closing` (the rows the API lists too); writes go through
:mod:`attendance.services.closing`, which checks the scope (404), the month, pending items, and
audits. HR admins and superusers only; anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance.forms import MonthClosureForm, ReopenForm
from attendance.selectors import closing as selectors
from attendance.services.closing import month_close, month_reopen, pending_in_month
from portal.selectors.closures import month_label
from portal.views.hr import hr_required

PER_PAGE = 50


@hr_required
def closing(request):
    """The closings in scope, newest month first, and the form to close a month."""
    units = selectors.closing_units(request.user)
    if request.method == "POST":
        form = MonthClosureForm(request.POST, units=units)
        if form.is_valid() and _close(request, form):
            return redirect("attendance-closing")
    else:
        today = units[0].local_today() if units else None
        initial = {"month": f"{selectors.previous_month(today):%Y-%m}"} if today else {}
        form = MonthClosureForm(units=units, initial=initial)
    return _render(request, form)


def _close(request, form: MonthClosureForm) -> bool:
    data = form.cleaned_data
    try:
        closure = month_close(actor=request.user, unit=data["unit"], month=data["month"], note=data["note"],
                              confirm_pending=data["confirm_pending"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        if "confirm_pending" in getattr(exc, "error_dict", {}):
            form.pending = pending_in_month(data["unit"], data["month"])
        return False
    closure.refresh_from_db()
    values = {"month": month_label(closure.month), "unit": closure.unit.name}
    if closure.closed_at is not None:
        messages.success(request, _("Bulan %(month)s ditutup untuk %(unit)s.") % values)
    else:
        messages.success(request, _("Tutup buku %(month)s untuk %(unit)s dimulai: status presensinya dihitung "
                                    "sekali lagi, lalu dibekukan.") % values)
    return True


@hr_required
@require_POST
def closing_reopen(request, pk: int):
    """Reopen one closure (reason and confirmation required); errors show on the list."""
    closure = get_object_or_404(selectors.closures_visible_to(request.user), pk=pk)
    form = _reopen_form(closure.pk, request.POST)
    if form.is_valid():
        try:
            month_reopen(actor=request.user, closure=closure, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Bulan %(month)s untuk %(unit)s dibuka kembali.") % {
                "month": month_label(closure.month), "unit": closure.unit.name})
            return redirect("attendance-closing")
    units = selectors.closing_units(request.user)
    return _render(request, MonthClosureForm(units=units), reopen=(closure.pk, form))


def _render(request, form: MonthClosureForm, reopen: tuple[int, ReopenForm] | None = None):
    page = Paginator(selectors.closures_visible_to(request.user), PER_PAGE).get_page(request.GET.get("page"))
    closures = list(page.object_list)
    zones = selectors.unit_zones(c.unit for c in closures)
    reopenable = selectors.reopenable_ids(request.user, closures)
    if reopen is not None and reopen[0] not in {c.pk for c in closures}:
        # The closure is on another page of the list: its errors go to the messages instead.
        messages.error(request, " ".join(str(e) for errors in reopen[1].errors.values() for e in errors))
        reopen = None
    rows = []
    for c in closures:
        zone = zones[c.unit_id]
        rows.append({
            "closure": c, "month": month_label(c.month), "state": c.state,
            "state_label": selectors.ClosureState(c.state).label,
            "requested_by": selectors.person_name(c.requested_by),
            "requested_at": selectors.local_time(c.requested_at, zone),
            "closed_at": selectors.local_time(c.closed_at, zone),
            "reopened_by": selectors.person_name(c.reopened_by),
            "reopened_at": selectors.local_time(c.reopened_at, zone),
            "can_reopen": c.pk in reopenable,
            "reopen_form": reopen[1] if reopen and reopen[0] == c.pk else _reopen_form(c.pk),
        })
    return render(request, "attendance/closing/page.html", {
        "form": form, "rows": rows, "page": page, "reopen_failed": reopen[0] if reopen else None})


def _reopen_form(pk: int, data=None) -> ReopenForm:
    """One reopen form per closure on the page, with ids of its own."""
    return ReopenForm(data, auto_id=f"id_reopen{pk}_%s")
