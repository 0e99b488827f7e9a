"""The employee's pages: own month plan, the request form with live checks, own requests."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from portal.forms import month_nav, parse_month
from portal.rules import acting_label
from portal.selectors import current_employee, display_name
from scheduling import selectors, services
from scheduling.forms import DATE_SINGLE, RequestForm
from scheduling.models import Status
from scheduling.selectors.leave import document_requirement
from scheduling.selectors.leave_hr import annual_leave_now
from scheduling.views.common import SEVERITY_LABELS, nice_date

# --- Month calendar --------------------------------------------------------------------


@login_required
@require_GET
def my_calendar(request):
    """The employee's month: :func:`scheduling.selectors.own_month` offers "Ajukan" only on days a
    WFH request alone would pass."""
    me = current_employee(request.user)
    month = selectors.own_month(me, parse_month(request.GET.get("bulan"), me.unit.local_today()))
    first = month.first
    return render(request, "scheduling/my_calendar.html", {
        "employee": me, "unit": me.unit, "cells": month.cells, "fillers": range(first.weekday()),
        "today": month.today,
        "weekday_headers": [first - dt.timedelta(days=first.weekday() - i) for i in range(7)], **month_nav(first),
    })


# --- Request form and live preview -----------------------------------------------------


def preview_context(me, form: RequestForm, previews=None, skipped=None) -> dict:
    """The live panel: :func:`scheduling.selectors.request_preview` for what the form asks.

    Without ``previews`` the days are checked now (raises ValidationError for bad dates).
    """
    kind, special = form.cleaned_data["kind"], form.cleaned_data["special_circumstance"]
    days = [p.date for p in previews] if previews is not None else None
    if previews is None:
        days, skipped = selectors.expand_dates(me.unit, **form.date_kwargs())
    checked = selectors.request_preview(me, kind, days, skipped or [], special_circumstance=special,
                                        previews=previews)
    rows = [{"preview": r.preview, "nearest": r.nearest, "searched": r.searched,
             "label": SEVERITY_LABELS[r.preview.worst]} for r in checked.rows]
    return {"rows": rows, "skipped": checked.skipped, "n_blocked": checked.n_blocked,
            "n_passing": checked.n_passing, "n_warned": checked.n_warned, "checked": True,
            # Counted on the days the submit would save, as the service counts them.
            "document_required": document_requirement(me, kind, checked.n_passing, special)}


def _initial(request) -> dict:
    """Prefill from the calendar's "Ajukan" link (``?tanggal=YYYY-MM-DD``)."""
    try:
        day = dt.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        day = None
    return {"date_mode": DATE_SINGLE, "date": day}


@login_required
def request_new(request):
    me = current_employee(request.user)
    context = {"employee": me, "leave_balance": annual_leave_now(me)}  # the CT block by the kind
    if request.method != "POST":
        form = RequestForm(initial=_initial(request), employee=me)
        return render(request, "scheduling/request_form.html", {**context, "form": form})
    form = RequestForm(request.POST, request.FILES, employee=me)
    context["had_files"] = bool(request.FILES)
    if form.is_valid():
        try:
            if "check" in request.POST:  # the no-JavaScript "Periksa" button: check, save nothing
                context.update(preview_context(me, form))
            else:
                result = services.request_submit(actor=request.user, **form.submit_kwargs())
                _announce(request, result)
                return redirect("scheduling:my-requests")
        except services.RequestBlocked as exc:
            context.update(preview_context(me, form, exc.previews, exc.skipped), refused=_refusal(exc))
        except ValidationError as exc:
            context.update(_panel_after_error(me, form))  # before the errors take fields out of cleaned_data
            form.add_service_errors(exc)
    return render(request, "scheduling/request_form.html", {**context, "form": form})


def _refusal(exc: services.RequestBlocked) -> str:
    """Said once: the service's refusal already says nothing was saved when days were checked; a request
    without working days only says why."""
    if exc.previews:
        return str(exc)
    return _("Pengajuan tidak disimpan. %(why)s") % {"why": exc}


def _panel_after_error(me, form: RequestForm) -> dict:
    """The panel again after a refused submit (a missing document, say), so it still says what is needed."""
    try:
        return preview_context(me, form)
    except ValidationError:
        return {}


def _announce(request, result: services.SubmitResult) -> None:
    n = len(result.days)
    messages.success(request, ngettext("%(n)d hari diajukan.", "%(n)d hari diajukan.", n) % {"n": n})
    approved = sum(1 for d in result.days if d.status == Status.APPROVED)
    if approved:
        messages.info(request, ngettext("%(n)d hari langsung disetujui (jendela FWA).",
                                        "%(n)d hari langsung disetujui (jendela FWA).", approved) % {"n": approved})
    if result.blocked:
        dates = ", ".join(nice_date(p.date) for p in result.blocked)
        messages.warning(request, _("Hari yang ditolak aturan dan dilewati: %(dates)s.") % {"dates": dates})


@login_required
@require_GET
def request_preview(request):
    """HTML fragment with the checks of what the form currently asks for; saves nothing."""
    me = current_employee(request.user)
    form = RequestForm(request.GET, employee=me)
    context = {"form": form}
    if form.is_valid():
        try:
            context.update(preview_context(me, form))
        except ValidationError as exc:
            context["errors"] = exc.messages
    else:
        # What was typed and is wrong is said at once; what is still empty is only "incomplete".
        typed = [message for name, messages in form.errors.items() if form.data.get(name) for message in messages]
        context["errors" if typed else "incomplete"] = typed or True
    return render(request, "scheduling/partials/preview.html", context)


# --- Own requests ----------------------------------------------------------------------

@login_required
@require_GET
def my_requests(request):
    me = current_employee(request.user)
    today = me.unit.local_today()
    page = Paginator(selectors.own_days(request.user), 30).get_page(request.GET.get("halaman"))
    items = list(page)
    prefetch_related_objects(items, selectors.files_prefetch())
    history = selectors.request_history(items)
    for d in items:
        d.history = history[d.pk]
        d.can_withdraw = d.status == Status.PENDING
        d.can_cancel = d.status == Status.APPROVED and d.date > today
        d.decider = display_name(d.decided_by) if d.decided_by_id else ""
        d.acting = acting_label(d.acting_for)
    return render(request, "scheduling/my_requests.html",
                  {"employee": me, "page": page, "items": items, "tz": me.unit.effective_time_zone,
                   "tz_abbreviation": me.unit.tz_abbreviation})


# Withdraw and cancel ask first: the list's button leads to a confirmation page (no JavaScript needed),
# whose button sends ``confirm``. A day the action no longer applies to goes straight to the service,
# which says why.

def _confirmation(request, day, action: str):
    return render(request, "scheduling/confirm_day.html", {
        "day": day, "action": action, "reason": request.POST.get("reason", "")[:500]})


@login_required
@require_POST
def day_withdraw(request, pk: int):
    day = selectors.own_day(request.user, pk)
    if not request.POST.get("confirm") and day.status == Status.PENDING:
        return _confirmation(request, day, "withdraw")
    try:
        decision = services.request_day_withdraw(actor=request.user, day_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pengajuan %(date)s ditarik.") % {"date": nice_date(decision.day.date)})
    return redirect("scheduling:my-requests")


@login_required
@require_POST
def day_cancel(request, pk: int):
    day = selectors.own_day(request.user, pk)
    if not request.POST.get("confirm") and day.status == Status.APPROVED and day.date > day.unit.local_today():
        return _confirmation(request, day, "cancel")
    try:
        decision = services.request_day_cancel(actor=request.user, day_id=pk, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pengajuan %(date)s dibatalkan.") % {"date": nice_date(decision.day.date)})
    return redirect("scheduling:my-requests")
