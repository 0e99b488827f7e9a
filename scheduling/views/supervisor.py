"""The supervisor's pages: the inbox of pending days and the team's presence calendar."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.forms import month_from, month_nav
from portal.selectors import roles_of
from scheduling import rules, selectors, services
from scheduling.forms import BulkDecisionForm, DecisionForm
from scheduling.models import RequestDay, Status
from scheduling.views.common import nice_date

# --- Inbox -----------------------------------------------------------------------------


def _require_decider(request) -> None:
    # The roles are read once a request: the menu's context processor reuses ``_nav_roles``.
    if not hasattr(request, "_nav_roles"):
        request._nav_roles = roles_of(request.user)
    if not selectors.decides_for_somebody(request.user, request._nav_roles):
        raise Http404


@dataclass(frozen=True)
class Failure:
    """Why deciding one day failed, shown on its card. ``field`` is "reason" when a reason is
    what is missing (the card's own, or the bulk form's); ``bulk`` when the bulk form asked."""

    message: str
    field: str = ""
    bulk: bool = False


@dataclass
class Card:
    """One inbox card as the page draws it: the item and, after a refused POST, its error, the
    reason typed, whether it stays ticked, and whether keyboard focus goes to it."""

    item: selectors.InboxItem
    failure: Failure | None = None
    reason: str = ""
    checked: bool = False
    focus: str = ""  # "reason" (its reason field) or "error" (its error message)

    @property
    def day(self) -> RequestDay:
        return self.item.day

    @property
    def key(self) -> str:
        """The day's id as the card's element ids name it (a string: a number would be localized
        again at each of its many uses)."""
        return str(self.item.day.pk)

    @property
    def check(self) -> selectors.DecisionCheck:
        return self.item.check


def _cards(items, failures: dict[int, Failure], reasons: dict[int, str]) -> list[Card]:
    cards = [Card(item, failures.get(item.day.pk), reasons.get(item.day.pk, ""), item.day.pk in failures)
             for item in items]
    first = next((c for c in cards if c.failure is not None), None)
    if first is not None and not (first.failure.bulk and first.failure.field):
        first.focus = "reason" if first.failure.field == "reason" else "error"
    return cards


def _render_inbox(request, page_number, *, failures: dict[int, Failure] | None = None,
                  reasons: dict[int, str] | None = None, bulk: dict | None = None):
    """The inbox page; after a refused POST, each failure on its card and focus on the first."""
    failures = failures or {}
    inbox = selectors.inbox(request.user)
    page = Paginator(inbox, selectors.INBOX_PAGE_SIZE).get_page(page_number)
    cards = _cards(page.object_list, failures, reasons or {})
    on_page = {c.day.pk for c in cards}
    groups = [(date, list(group)) for date, group in groupby(cards, key=lambda c: c.day.date)]
    acting = [title for title in inbox.approvers.values() if title]
    bulk = bulk or {}
    if bulk.get("error") and not any(c.focus for c in cards):
        bulk["focus"] = True
    return render(request, "scheduling/inbox.html", {
        "groups": groups, "count": page.paginator.count, "page": page, "acting": acting, "bulk": bulk,
        "elsewhere": [(pk, f) for pk, f in failures.items() if pk not in on_page]})


@login_required
@require_GET
def inbox(request):
    _require_decider(request)
    return _render_inbox(request, request.GET.get("halaman"))


def _day_label(day: RequestDay) -> str:
    return _("%(name)s, %(date)s") % {"name": day.employee.name, "date": nice_date(day.date)}


def _refusal(exc: services.DecisionBlocked, action: str) -> Failure:
    """A refused approval (or a Plh/Plt's refused rejection); a warning asks for the reason."""
    if exc.verdicts and all(v.severity == rules.WARN for v in exc.verdicts):
        return Failure(str(exc), field="reason")
    if action == "approve":
        return Failure(_("Tidak dapat disetujui: %(why)s") % {"why": exc})
    return Failure(_("Tidak dapat ditolak: %(why)s") % {"why": exc})


@login_required
@require_POST
def inbox_decide(request, pk: int):
    _require_decider(request)
    form = DecisionForm(request.POST)
    page_number = request.POST.get("halaman")
    reason = request.POST.get("reason", "")[:2000]
    if not form.is_valid():
        return _render_inbox(request, page_number, failures={pk: Failure(_("Pilih setujui atau tolak."))},
                             reasons={pk: reason})
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "approve":
            decision = services.request_day_approve(actor=request.user, day_id=pk, reason=reason)
        else:
            decision = services.request_day_reject(actor=request.user, day_id=pk, reason=reason)
    except services.DecisionBlocked as exc:
        failure = _refusal(exc, action)
    except ValidationError as exc:
        failure = Failure(" ".join(exc.messages), field="reason" if "reason" in exc.message_dict else "")
    else:
        _report(request, decision, action)
        return redirect(_inbox_url(page_number))
    return _render_inbox(request, page_number, failures={pk: failure}, reasons={pk: reason})


def _report(request, decision: services.Decision, action: str) -> None:
    label = _day_label(decision.day)
    if not decision.changed:
        messages.warning(request, _("%(day)s sudah diputus sebelumnya (%(status)s).") % {
            "day": label, "status": decision.day.get_status_display()})
    elif action == "approve" and decision.day.status == Status.PENDING:
        messages.success(request, _("%(day)s disetujui dan diteruskan ke %(official)s.") % {
            "day": label, "official": decision.day.official.name})
    elif action == "approve":
        messages.success(request, _("%(day)s disetujui.") % {"day": label})
    else:
        messages.success(request, _("%(day)s ditolak.") % {"day": label})


def _inbox_url(page_number) -> str:
    url = reverse("scheduling:inbox")
    return f"{url}?halaman={page_number}" if str(page_number or "").isdigit() and page_number != "1" else url


def _bulk_failure(result: dict, action: str) -> Failure:
    verdicts = result.get("verdicts") or []
    refused_by_warning = verdicts and not any(v["severity"] == rules.BLOCK for v in verdicts) and any(
        v["severity"] == rules.WARN for v in verdicts)
    if "reason" in result.get("fields", ()) or refused_by_warning:
        return Failure(result["error"], field="reason", bulk=True)
    if verdicts:
        template = _("Tidak dapat disetujui: %(why)s") if action == "approve" else _("Tidak dapat ditolak: %(why)s")
        return Failure(template % {"why": result["error"]}, bulk=True)
    return Failure(result["error"], bulk=True)


def _bulk_confirmation(request, day_ids: list[int], action: str, reason: str, page_number):
    """Ask before deciding many days at once (a single decision needs no second step). Lists the ticked
    days the user decides; every ticked id goes on, and the service reports the ones it refuses."""
    day_ids = list(dict.fromkeys(day_ids))
    days = list(selectors.inbox(request.user).days.filter(pk__in=day_ids))
    return render(request, "scheduling/inbox_confirm.html", {
        "days": days, "day_ids": day_ids, "action": action, "reason": reason, "halaman": page_number,
        "others": len(day_ids) - len(days), "back": _inbox_url(page_number)})


@login_required
@require_POST
def inbox_bulk(request):
    _require_decider(request)
    form = BulkDecisionForm(request.POST)
    page_number = request.POST.get("halaman")
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
        reason = request.POST.get("reason", "")[:2000]
        return _render_inbox(request, page_number, bulk={"error": error, "reason": reason})
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if not request.POST.get("confirm"):
        return _bulk_confirmation(request, form.cleaned_data["days"], action, reason, page_number)
    results = services.requests_decide_bulk(actor=request.user, day_ids=form.cleaned_data["days"], action=action,
                                            reason=reason)
    failures = {r["id"]: _bulk_failure(r, action) for r in results if not r["ok"]}
    done = len(results) - len(failures)
    summary = _("Keputusan massal: %(ok)d berhasil, %(failed)d gagal.") % {"ok": done, "failed": len(failures)}
    (messages.warning if failures else messages.success)(request, summary)
    if not failures:
        return redirect(_inbox_url(page_number))
    reason_missing = any(f.field == "reason" for f in failures.values())
    bulk = {"reason": reason, "field": "reason" if reason_missing else "",
            "error": _("Isi alasan untuk hari yang ditandai.") if reason_missing else ""}
    return _render_inbox(request, page_number, failures=failures, bulk=bulk)


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
