"""The roster page (jadwal dinas): a month of shifts and days off, people × days, one save.

The grid is :func:`attendance.selectors.roster.roster_month` (the API answers the same); one
POST sends the cells that differ from what is stored and :func:`attendance.services.roster.
roster_save` applies them all or none. Works without JavaScript; ``static/js/roster.js`` only
adds a "repeat the first week" button per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from attendance.selectors.roster import RosterMonth, roster_month, roster_units_for
from attendance.services.roster import OFF, RosterChange, roster_save
from portal.forms import month_nav, parse_month
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.selectors.closures import closed_message

MAX_UNITS = 300  # units offered in the picker (HR of a large institution picks by id beyond that)
CELL = re.compile(r"^c-(\d{1,18})-(\d{1,2})$", re.ASCII)  # c-<employee id>-<day of month>
SPARE_FIELDS = 20  # csrf token, unit, month, page and whatever a browser adds


# --- Which unit --------------------------------------------------------------------------------


def _units(user) -> list[Unit]:
    """Units the user may roster: those of their reports (also as Plh/Plt) and HR's subtree."""
    units = list(roster_units_for(user))
    seen = {u.pk for u in units}
    units += [u for u in units_visible_to(user).filter(is_active=True).order_by("path")[:MAX_UNITS]
              if u.pk not in seen]
    return sorted(units, key=lambda u: u.path)


def _number(value: str, digits: int) -> int | None:
    """A whole number of at most ``digits`` ASCII digits, else None."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= digits else None


def _chosen(user, value: str | None, units: list[Unit]) -> Unit:
    """The unit asked for, if the user may roster it (404 otherwise), else their first one."""
    value = (value or "").strip()
    if not value:
        if not units:
            raise Http404
        return units[0]
    pk = _number(value, 18)
    unit = next((u for u in units if u.pk == pk), None)
    if unit is None and pk is not None:
        unit = units_visible_to(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


# --- The grid as the page draws it -------------------------------------------------------------


@dataclass
class Cell:
    name: str
    value: str
    day: dt.date
    label: str
    enabled: bool
    weekend: bool
    holiday: str
    pattern_works: bool  # without an entry the unit's pattern gives working hours that day
    extra_option: str = ""  # a submitted or stored code the select does not offer (kept, not lost)


@dataclass
class Row:
    employee: object
    unscheduled: int
    cells: list[Cell] = field(default_factory=list)


def _codes(month: RosterMonth) -> list[str]:
    """Shift codes a cell may take, in the order of the legend (nearest first when codes repeat)."""
    codes = []
    for shift in month.shifts:
        if shift.is_active and shift.code.upper() not in {c.upper() for c in codes} and shift.code.upper() != OFF:
            codes.append(shift.code)
    return codes


def _rows(month: RosterMonth, rows, submitted: dict, codes: list[str]) -> list[Row]:
    offered = {c.upper() for c in codes} | {OFF, ""}
    out = []
    for row in rows:
        person = row.employee
        drawn = Row(person, row.unscheduled)
        for cell in row.cells:
            day = cell["day"]
            name = f"c-{person.pk}-{day.day}"
            value = submitted.get((person.pk, day), cell["code"])
            holiday = month.holidays.get(day)
            drawn.cells.append(Cell(
                name=name, value=value, day=day, enabled=cell["counts"], weekend=day.weekday() >= 5,
                label=f"{person.name}, {date_format(day, 'l j F')}", holiday=holiday.name if holiday else "",
                pattern_works=not cell["code"] and cell["hours"] is not None,
                extra_option=value if value.upper() not in offered else ""))
        out.append(drawn)
    return out


def _page_size(days: int) -> int:
    """People per page, so one save stays under Django's limit on the number of form fields."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return max(1, (limit - SPARE_FIELDS) // max(days, 1)) if limit else 10**6


# --- Saving ------------------------------------------------------------------------------------


def _submitted(post, month: RosterMonth) -> dict[tuple[int, dt.date], str]:
    """The cells of the form, by (employee id, date); malformed names are ignored."""
    cells = {}
    for key, value in post.items():
        match = CELL.match(key)
        if match is None:
            continue
        day_number = int(match.group(2))
        if not 1 <= day_number <= month.last.day:
            continue
        cells[int(match.group(1)), month.first.replace(day=day_number)] = value.strip()[:20]
    return cells


def _changes(month: RosterMonth, submitted: dict) -> list[RosterChange]:
    """What differs from what is stored; a cell outside a person's records window is not offered
    and not taken. People not on the grid are passed on for the service to refuse."""
    stored = {(row.employee.pk, c["day"]): c for row in month.rows for c in row.cells}
    changes = []
    for (employee_id, day), value in sorted(submitted.items()):
        cell = stored.get((employee_id, day))
        if cell is not None and (not cell["counts"] or cell["code"].upper() == value.upper()):
            continue
        changes.append(RosterChange(employee_id, day, value or None))
    return changes


def _here(unit: Unit, first: dt.date, page: int) -> str:
    query = {"unit": unit.pk, "bulan": f"{first:%Y-%m}"}
    if page > 1:
        query["hal"] = page
    return f"{reverse('attendance-roster')}?{urlencode(query)}"


@login_required
@require_http_methods(["GET", "POST"])
def roster(request):
    params = request.POST if request.method == "POST" else request.GET
    units = _units(request.user)
    unit = _chosen(request.user, params.get("unit"), units)
    if unit not in units:
        units = sorted([*units, unit], key=lambda u: u.path)
    first = parse_month(params.get("bulan"), unit.local_today())
    month = roster_month(request.user, unit, first)
    size = _page_size(len(month.days))
    pages = max(1, -(-len(month.rows) // size))
    page = min(max(_number(params.get("hal", ""), 5) or 1, 1), pages)
    errors, submitted = [], {}
    if request.method == "POST":
        submitted = _submitted(request.POST, month)
        try:
            changed = roster_save(actor=request.user, unit=unit, month=first, changes=_changes(month, submitted))
        except ValidationError as exc:
            errors = exc.messages
        else:
            if changed:
                messages.success(request, _("Jadwal dinas disimpan: %(n)d perubahan.") % {"n": changed})
            else:
                messages.info(request, _("Tidak ada perubahan pada jadwal dinas."))
            return redirect(_here(unit, first, page))
    codes = _codes(month)
    shown = month.rows[(page - 1) * size: page * size]
    depth = min((u.depth for u in units), default=0)
    return render(request, "attendance/roster/month.html", {
        "unit": unit, "units": [(u, "— " * (u.depth - depth) + u.name) for u in units], "roster": month,
        "rows": _rows(month, shown, submitted, codes), "codes": codes, "off": OFF, "errors": errors,
        "closed": closed_message(month.closed) if month.closed else "",
        "show_unscheduled": month.pattern_kind == "shift" or any(r.unscheduled for r in month.rows),
        "days": [{"date": d, "weekend": d.weekday() >= 5, "holiday": month.holidays.get(d)} for d in month.days],
        "holidays": [month.holidays[d] for d in month.days if d in month.holidays],
        "page": page, "pages": range(1, pages + 1) if pages > 1 else [], "page_count": pages,
        "extra_query": f"&{urlencode({'unit': unit.pk})}", **month_nav(first),
    })
