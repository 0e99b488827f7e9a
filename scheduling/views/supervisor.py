"""The supervisor's pages: the inbox of pending days and the team's presence calendar."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.forms import month_from, month_nav
from scheduling import selectors, services
from scheduling.forms import BulkDecisionForm, DecisionForm
from scheduling.models import RequestDay
from scheduling.views.common import nice_date

# --- Inbox -----------------------------------------------------------------------------


def _require_decider(user) -> None:
    if not selectors.decides_for_somebody(user):
        raise Http404


@login_required
@require_GET
def inbox(request):
    _require_decider(request.user)
    items = selectors.inbox(request.user)
    groups = [(date, list(group)) for date, group in groupby(items, key=lambda i: i["day"].date)]
    acting = [title for title in selectors.represented_approvers(request.user).values() if title]
    return render(request, "scheduling/inbox.html", {"groups": groups, "count": len(items), "acting": acting})


def _day_label(day: RequestDay) -> str:
    return _("%(name)s, %(date)s") % {"name": day.employee.name, "date": nice_date(day.date)}


@login_required
@require_POST
def inbox_decide(request, pk: int):
    _require_decider(request.user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih setujui atau tolak."))
        return redirect("scheduling:inbox")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "approve":
            decision = services.request_day_approve(actor=request.user, day_id=pk, reason=reason)
        else:
            decision = services.request_day_reject(actor=request.user, day_id=pk, reason=reason)
    except services.DecisionBlocked as exc:
        messages.error(request, _("Tidak dapat disetujui: %(why)s") % {"why": exc})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = _day_label(decision.day)
        if not decision.changed:
            messages.warning(request, _("%(day)s sudah diputus sebelumnya (%(status)s).") % {
                "day": label, "status": decision.day.get_status_display()})
        elif action == "approve":
            messages.success(request, _("%(day)s disetujui.") % {"day": label})
        else:
            messages.success(request, _("%(day)s ditolak.") % {"day": label})
    return redirect("scheduling:inbox")


@login_required
@require_POST
def inbox_bulk(request):
    _require_decider(request.user)
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("scheduling:inbox")
    ids = form.cleaned_data["days"]
    names = {d.pk: d for d in selectors.days_decidable_by(request.user).filter(pk__in=ids).select_related("employee")}
    results = services.requests_decide_bulk(actor=request.user, day_ids=ids, action=form.cleaned_data["action"],
                                            reason=form.cleaned_data["reason"])
    done = sum(1 for r in results if r["ok"])
    failed = [r for r in results if not r["ok"]]
    summary = _("Keputusan massal: %(ok)d berhasil, %(failed)d gagal.") % {"ok": done, "failed": len(failed)}
    (messages.warning if failed else messages.success)(request, summary)
    for r in failed:
        day = names.get(r["id"])
        who = _day_label(day) if day else _("Pengajuan #%(id)s") % {"id": r["id"]}
        messages.error(request, _("Gagal — %(who)s: %(why)s") % {"who": who, "why": r["error"]})
    return redirect(reverse("scheduling:inbox"))


# --- Team calendar ---------------------------------------------------------------------


def _unit_param(request) -> int | None:
    value = request.GET.get("unit", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
@require_GET
def team(request):
    calendar = selectors.team_calendar(request.user, unit_id=_unit_param(request),
                                       month=month_from(request.GET.get("bulan")))
    return render(request, "scheduling/team.html", {
        "units": calendar.units, "unit": calendar.unit, "show_kinds": calendar.show_kinds,
        "today": calendar.unit.local_today(), "days": calendar.days, **month_nav(calendar.first),
        "extra_query": f"&unit={calendar.unit.pk}",
    })
