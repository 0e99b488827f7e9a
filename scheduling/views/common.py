"""Helpers shared by the scheduling pages: who may see them, months, labels."""

from __future__ import annotations

import calendar
import datetime as dt

from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.models import Employee, Unit
from portal.selectors import ROLE_SUPERVISOR, employee_of, roles_of

SEVERITY_LABELS = {
    "block": _("Tidak dapat diajukan"),
    "warn": _("Peringatan: perlu justifikasi"),
    "info": _("Lolos, dengan catatan"),
    None: _("Lolos"),
}


def current_employee(user) -> Employee:
    """The signed-in active employee with their unit, or 404 (HR-only accounts have no plan)."""
    me = employee_of(user)
    if me is None or not me.is_active:
        raise Http404
    return Employee.objects.select_related("unit").get(pk=me.pk)


def decides_for_somebody(user) -> bool:
    """Supervisor (active reports), active Plh/Plt, head of a unit, or superuser."""
    if getattr(user, "is_superuser", False):
        return True
    if ROLE_SUPERVISOR in roles_of(user):
        return True
    me = employee_of(user)
    return me is not None and me.is_active and Unit.objects.filter(head=me).exists()


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_nav(first: dt.date) -> dict:
    """Values for the prev/next month links (``?bulan=YYYY-MM``)."""
    _, last = month_bounds(first)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = last + dt.timedelta(days=1)
    return {"month": first, "month_end": last, "prev_month": f"{prev:%Y-%m}", "next_month": f"{nxt:%Y-%m}",
            "prev_label": prev, "next_label": nxt}


def acting_label(acting_for: str) -> str:
    """How a decision on behalf of someone reads: "Plh. Kepala ..." as is, otherwise "a.n. ..."."""
    if not acting_for:
        return ""
    if acting_for.startswith(("Plh.", "Plt.")):
        return acting_for
    return _("a.n. %(who)s") % {"who": acting_for}


def person_name(user) -> str:
    if user is None:
        return str(_("Sistem"))
    try:
        return user.employee.name
    except Employee.DoesNotExist:
        return user.get_full_name() or user.get_username()


def nice_date(day: dt.date) -> str:
    """"Senin, 7 Desember 2026" in the active language (dates carry no time zone)."""
    return date_format(day, "l, j F Y")
