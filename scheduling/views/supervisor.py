"""The supervisor's pages: the inbox of pending days and the team's presence calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.models import Employee, Unit
from portal.selectors import employee_of, units_visible_to
from scheduling import selectors, services
from scheduling.forms import BulkDecisionForm, DecisionForm, parse_month
from scheduling.models import Kind, RequestDay
from scheduling.views.common import decides_for_somebody, month_bounds, month_nav, nice_date

MAX_UNIT_CHOICES = 300  # an HR admin of a whole institution picks among many units; keep the select sane

# --- Inbox -----------------------------------------------------------------------------


def _require_decider(user) -> None:
    if not decides_for_somebody(user):
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


def supervised_units(user) -> list[Unit]:
    """Units of the people this user decides for (own reports, as Plh/Plt, or as unit head)."""
    if getattr(user, "is_superuser", False):
        return []  # a superuser picks a unit explicitly, like HR
    approver_ids = list(selectors.represented_approvers(user))
    if not approver_ids:
        return []
    unit_ids = set(Employee.objects.filter(supervisor_id__in=approver_ids, is_active=True)
                   .values_list("unit_id", flat=True))
    unit_ids |= set(Unit.objects.filter(head_id__in=approver_ids).values_list("pk", flat=True))
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("path"))


def _unit_choices(user) -> tuple[list[Unit], set[int]]:
    """Units the viewer may look at, and the subset where they may see kinds (HR scope)."""
    units = supervised_units(user)
    hr_units = list(units_visible_to(user).order_by("path")[:MAX_UNIT_CHOICES])
    seen = {u.pk for u in units}
    units += [u for u in hr_units if u.pk not in seen]
    return units, set(units_visible_to(user).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))


@dataclass
class TeamDay:
    date: dt.date
    coverage: selectors.CoverageDay
    away: list[dict] = field(default_factory=list)
    present: list[dict] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return len(self.present) + len(self.away)

    @property
    def below(self) -> bool:
        return len(self.present) < self.coverage.minimum


def _team_days(unit: Unit, first: dt.date, last: dt.date, show_kinds: bool) -> list[TeamDay]:
    """Page shape of :func:`scheduling.selectors.team_presence`: kinds as their labels."""
    days = []
    for d in selectors.team_presence(unit, first, last, show_kinds=show_kinds):
        away = [{"name": a["name"], "kind": Kind(a["kind"]).label if a["kind"] else ""} for a in d["away"]]
        days.append(TeamDay(d["date"], d["coverage"], away=away, present=d["present"]))
    return days


@login_required
@require_GET
def team(request):
    units, kind_units = _unit_choices(request.user)
    if not units:
        raise Http404
    chosen = next((u for u in units if str(u.pk) == request.GET.get("unit")), units[0])
    me = employee_of(request.user)
    today = (me.unit if me else chosen).local_today()
    first, last = month_bounds(parse_month(request.GET.get("bulan"), today))
    show_kinds = chosen.pk in kind_units
    return render(request, "scheduling/team.html", {
        "units": units, "unit": chosen, "show_kinds": show_kinds, "today": today,
        "days": _team_days(chosen, first, last, show_kinds), **month_nav(first), "extra_query": f"&unit={chosen.pk}",
    })
