"""Partial-day permission pages: the employee asks (izin terlambat, pulang cepat, meninggalkan
kantor) and withdraws; the supervisor, or their Plh/Plt, decides from an inbox.

Every write is a service call (``attendance.services.permissions``); the reads are the selectors
of ``attendance.selectors.permissions`` (the API lists the same ones). A refused decision is shown
beside the item it is about, not at the top of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.forms import DecisionForm, PermissionForm
from attendance.models import PartialPermission, PermissionKind, PermissionStatus
from attendance.selectors import permissions as selectors
from attendance.services import permissions as services
from portal.formatting import short_date
from portal.models import Unit
from portal.selectors import ROLE_SUPERVISOR, current_employee, display_name, roles_of
from scheduling import selectors as scheduling

RECENT = 50  # own requests listed under the form


@dataclass
class PermissionItem:
    """A permission as the pages show it: the times the kind uses, who decided and as whom."""

    permission: PartialPermission
    unit: Unit  # the employee's unit: its time zone for the decision time and the label
    acting_as: str = ""  # in the inbox: the Plh/Plt title the viewer decides this one under
    error: str = ""  # in the inbox: why the viewer's decision was refused
    reason_value: str = ""  # in the inbox: the reason typed with a refused decision

    @property
    def times(self) -> str:
        p = self.permission
        start = p.start_time.strftime("%H:%M") if p.start_time else ""
        end = p.end_time.strftime("%H:%M") if p.end_time else ""
        if p.kind == PermissionKind.LATE:
            return _("datang paling lambat %(end)s") % {"end": end}
        if p.kind == PermissionKind.EARLY:
            return _("pulang mulai %(start)s") % {"start": start}
        return _("%(start)s–%(end)s") % {"start": start, "end": end}

    @property
    def decided_by(self) -> str:
        user = self.permission.decided_by
        return display_name(user) if user is not None else ""

    @property
    def decided_when(self) -> str:
        moment = self.permission.decided_at
        if moment is None:
            return ""
        return f"{date_format(timezone.localtime(moment, self.unit.tzinfo), 'j F Y H:i')} {self.unit.tz_abbreviation}"

    @property
    def tz(self) -> str:
        return self.unit.tz_abbreviation


def _own_items(user, unit: Unit) -> list[PermissionItem]:
    own = selectors.own_permissions(user).select_related("decided_by__employee")[:RECENT]
    return [PermissionItem(p, unit) for p in own]


# --- Employee -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def permissions(request):
    me = current_employee(request.user)
    if request.method == "POST":
        form = PermissionForm(request.POST)
        if form.is_valid():
            try:
                services.permission_submit(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Permohonan izin dikirim ke atasan Anda."))
                return redirect("attendance-permissions")
    else:
        form = PermissionForm()
    return render(request, "attendance/permissions/own.html", {
        "form": form, "employee": me, "items": _own_items(request.user, me.unit), "tz": me.unit.tz_abbreviation})


@login_required
@require_POST
def permission_withdraw(request, pk: int):
    current_employee(request.user)
    try:
        services.permission_withdraw(actor=request.user, permission_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Permohonan izin ditarik."))
    return redirect("attendance-permissions")


# --- Supervisor (and Plh/Plt) ---------------------------------------------------------------------


def _require_decider(user) -> None:
    if not (user.is_superuser or ROLE_SUPERVISOR in roles_of(user)):
        raise Http404


def _inbox(request, refused: PermissionItem | None = None):
    represented = scheduling.represented_approvers(request.user)
    units: dict[int, Unit] = {}  # one Unit object per unit: its time zone is resolved once
    items = []
    for permission in selectors.permissions_pending_for(request.user):
        unit = units.setdefault(permission.employee.unit_id, permission.employee.unit)
        if refused is not None and permission.pk == refused.permission.pk:
            item, item.unit = refused, unit
        else:
            item = PermissionItem(permission, unit)
        item.acting_as = represented.get(permission.employee.supervisor_id, "")
        items.append(item)
    acting = [title for title in represented.values() if title]
    return render(request, "attendance/permissions/inbox.html", {"items": items, "acting": acting})


@login_required
@require_GET
def permissions_inbox(request):
    _require_decider(request.user)
    return _inbox(request)


@login_required
@require_POST
def permission_decide(request, pk: int):
    _require_decider(request.user)
    permission = selectors.permission_for_decision(request.user, pk)  # 404 outside the user's reach
    form = DecisionForm(request.POST)
    reason = request.POST.get("reason", "")[:2000]

    def refused(text: str):  # the inbox again, the message beside this item, the typed reason kept
        return _inbox(request, PermissionItem(permission, permission.employee.unit, error=text, reason_value=reason))

    if not form.is_valid():
        return refused(_("Pilih setujui atau tolak."))
    if permission.status != PermissionStatus.PENDING:
        messages.warning(request, _("Izin ini sudah diputus sebelumnya (%(status)s).") % {
            "status": permission.get_status_display()})
        return redirect("attendance-permissions-inbox")
    approve = form.cleaned_data["action"] == "approve"
    try:
        decided = services.permission_decide(actor=request.user, permission_id=permission.pk, approve=approve,
                                             reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return refused(" ".join(exc.messages))
    values = {"kind": decided.get_kind_display(), "name": decided.employee.name,
              "date": short_date(decided.date)}
    if decided.status == PermissionStatus.APPROVED:
        messages.success(request, _("%(kind)s %(name)s tanggal %(date)s disetujui.") % values)
    else:
        messages.success(request, _("%(kind)s %(name)s tanggal %(date)s ditolak.") % values)
    return redirect("attendance-permissions-inbox")
