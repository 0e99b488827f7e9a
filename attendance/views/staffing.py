"""Staffing dashboard for heads of unit, supervisors and HR: a month heat-map, a trend over
weeks (inline SVG, no JavaScript), the subtree, a day's presence, and downloads.

Every page fetches its unit through :func:`attendance.selectors.staffing_unit_for`, so a unit
outside the viewer's scope answers 404.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attendance.models import StaffingStatus
from attendance.selectors import staffing as selectors
from portal import exports
from portal.forms import month_bounds, parse_month
from portal.models import Unit
from portal.selectors import employee_of, workcalendar
from portal.selectors.unit_search import search_units

MAX_UNIT_CHOICES = 50  # more visible units than this: a search box instead of a drop-down
CHILDREN_PER_PAGE = 50
TREND_WEEKS_BEFORE = 8  # the trend shows the chosen month and the eight weeks before it

# --- Choosing the unit and the month ------------------------------------------------------


def _visible_active(user):
    return selectors.staffing_units_visible_to(user).filter(is_active=True)


def _unit_choices(user, chosen: Unit) -> list[Unit]:
    """Every visible unit for a drop-down, or none (the page shows a search box) when there are
    more than :data:`MAX_UNIT_CHOICES`."""
    units = list(_visible_active(user).order_by("path")[:MAX_UNIT_CHOICES + 1])
    if len(units) > MAX_UNIT_CHOICES:
        return []
    if chosen.pk not in {u.pk for u in units}:
        units.append(chosen)
    return units


def _default_unit(user) -> Unit:
    """The viewer's own unit when they may see it, else the top of their scope (never a list's
    first item: a capped list need not hold either)."""
    visible = _visible_active(user)
    me = employee_of(user)
    own = visible.filter(pk=me.unit_id).first() if me is not None else None
    top = own or visible.order_by("depth", "path").first()
    if top is None:
        raise Http404
    return top


def _chosen_unit(request) -> tuple[Unit, list[Unit]]:
    """The unit asked for (404 out of scope), else :func:`_default_unit`."""
    if request.GET.get("unit"):
        unit = selectors.staffing_unit_for(request.user, request.GET["unit"])
    else:
        unit = _default_unit(request.user)
    return unit, _unit_choices(request.user, unit)


def _unit_matches(request) -> tuple[str, list[Unit] | None]:
    """The server-side search step of the unit picker (``?cari=``): at most 20 visible units."""
    q = request.GET.get("cari", "").strip()[:100]
    return q, (search_units(_visible_active(request.user), q) if q else None)


def _wants_subtree(request, unit: Unit) -> bool:
    return request.GET.get("subtree") in ("1", "true") and unit.children.exists()


# --- Heat-map ------------------------------------------------------------------------------


@dataclass
class Cell:
    date: dt.date
    in_month: bool
    row: selectors.StaffingRow | None
    holiday: str
    working: bool


def _heatmap(unit: Unit, first: dt.date, last: dt.date, rows) -> tuple[list[str], list[list[Cell]]]:
    """Weeks of the month as rows, the institution's working weekdays as columns."""
    weekdays = sorted(workcalendar.working_weekdays(unit))
    by_date = {r.date: r for r in rows}
    holidays = workcalendar.holidays_between(unit, first, last)
    working = set(workcalendar.working_days(unit, first, last))
    weeks, monday = [], first - dt.timedelta(days=first.weekday())
    while monday <= last:
        week = []
        for wd in weekdays:
            d = monday + dt.timedelta(days=wd)
            holiday = holidays[d].name if d in holidays else ""
            week.append(Cell(d, first <= d <= last, by_date.get(d), holiday, d in working))
        weeks.append(week)
        monday += dt.timedelta(days=7)
    return [WEEKDAYS[wd] for wd in weekdays], weeks


# --- Trend chart (inline SVG) ---------------------------------------------------------------

W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 52, 16, 16, 56


@dataclass
class WeekPoint:
    monday: dt.date
    x: float
    days: int = 0
    avg_in: float = 0.0
    avg_min: float = 0.0
    lowest: int = 0
    below_days: int = 0
    y_in: float = 0.0
    y_min: float = 0.0


def _weeks(rows, first_monday: dt.date, last: dt.date) -> list[WeekPoint]:
    count = (last - first_monday).days // 7 + 1
    step = (W - LEFT - RIGHT) / max(count - 1, 1)
    points = [WeekPoint(first_monday + dt.timedelta(weeks=i), LEFT + i * step) for i in range(count)]
    grouped: dict[int, list] = {}
    for r in rows:
        grouped.setdefault((r.date - first_monday).days // 7, []).append(r)
    for i, week_rows in grouped.items():
        p = points[i]
        p.days = len(week_rows)
        p.avg_in = sum(r.in_office for r in week_rows) / p.days
        p.avg_min = sum(r.minimum for r in week_rows) / p.days
        p.lowest = min(r.in_office for r in week_rows)
        p.below_days = sum(r.status == StaffingStatus.BELOW for r in week_rows)
    return points


def _ticks(top: float) -> list[int]:
    """About five round steps from 0 to at least ``top`` (at least 1: a unit of nobody still draws an axis)."""
    top = max(top, 1)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, int(math.ceil(top / step) * step) + step, step))


def _segments(points: list[WeekPoint], attr: str) -> list[str]:
    """Polyline point lists, broken where a week has no data (no invented values)."""
    segments, current = [], []
    for p in points:
        if p.days:
            current.append(f"{p.x:.1f},{getattr(p, attr):.1f}")
        elif current:
            segments.append(" ".join(current))
            current = []
    if current:
        segments.append(" ".join(current))
    return segments


def _trend(unit: Unit, last: dt.date, subtree: bool) -> dict:
    first_monday = last.replace(day=1) - dt.timedelta(days=last.replace(day=1).weekday(), weeks=TREND_WEEKS_BEFORE)
    rows = selectors.staffing_rows(unit, first_monday, last, subtree=subtree)
    points = _weeks(rows, first_monday, last)
    ticks = _ticks(max([r.headcount for r in rows], default=1))
    scale = (H - TOP - BOTTOM) / ticks[-1]
    for p in points:
        p.y_in, p.y_min = H - BOTTOM - p.avg_in * scale, H - BOTTOM - p.avg_min * scale
    with_data = [p for p in points if p.days]
    lowest = min(with_data, key=lambda p: p.avg_in - p.avg_min, default=None)
    return {
        "width": W, "height": H, "left": LEFT, "right": W - RIGHT, "top": TOP, "bottom": H - BOTTOM,
        "points": points, "has_data": bool(with_data),
        "in_lines": _segments(points, "y_in"), "min_lines": _segments(points, "y_min"),
        "yticks": [{"value": t, "y": H - BOTTOM - t * scale} for t in ticks],
        "desc": _trend_desc(points[0].monday, last, lowest),
    }


def _trend_desc(start: dt.date, end: dt.date, lowest: WeekPoint | None) -> str:
    text = _("Rata-rata jumlah pegawai di kantor per hari kerja setiap minggu (garis utuh) dibanding rata-rata "
             "minimal (garis putus-putus), %(start)s sampai %(end)s.") % {
        "start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")}
    if lowest is not None:
        text += " " + _("Selisih terkecil pada minggu mulai %(week)s: rata-rata %(avg).1f di kantor, minimal "
                        "%(min).1f.") % {"week": date_format(lowest.monday, "j F Y"), "avg": lowest.avg_in,
                                         "min": lowest.avg_min}
    return text


# --- Pages -----------------------------------------------------------------------------------


def _month_links(first: dt.date, last: dt.date) -> dict:
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = last + dt.timedelta(days=1)
    return {"month": first, "month_end": last, "prev_month": prev, "next_month": nxt}


@login_required
@require_GET
def dashboard(request):
    unit, units = _chosen_unit(request)
    today = unit.local_today()
    first, last = month_bounds(parse_month(request.GET.get("bulan"), today))
    subtree = _wants_subtree(request, unit)
    rows = selectors.staffing_rows(unit, first, last, subtree=subtree)
    weekday_names, weeks = _heatmap(unit, first, last, rows)
    has_children = unit.children.exists()
    children = _children_page(request, unit, first, last) if has_children else None
    visible_ids = set(selectors.staffing_units_visible_to(request.user)
                      .filter(pk__in=[c.unit.pk for c in children]).values_list("pk", flat=True)) if children else set()
    query, matches = _unit_matches(request)
    return render(request, "attendance/staffing/dashboard.html", {
        "unit": unit, "units": units, "subtree": subtree, "has_children": has_children,
        "rows": rows, "weekday_names": weekday_names, "weeks": weeks, "today": today,
        "trend": _trend(unit, last, subtree), "statuses": StaffingStatus,
        "children": children or [], "visible_ids": visible_ids, "unit_query": query, "unit_matches": matches,
        **_month_links(first, last),
    })


def _children_page(request, unit: Unit, first: dt.date, last: dt.date):
    """One page of the subtree table (the unit's own staff first, then each child's subtree): a
    head of 800 units reads 50 rows at a time."""
    summaries = selectors.subtree_summary(unit, first, last)
    return Paginator(summaries, CHILDREN_PER_PAGE).get_page(request.GET.get("hal"))


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def day(request, unit_id: int, day: str):
    unit = selectors.staffing_unit_for(request.user, unit_id)
    date = _parse_day(day)
    show_kinds = selectors.may_see_kinds(request.user, unit)
    own = selectors.staffing_rows(unit, date, date)
    units = []
    if unit.children.exists():
        visible = set(selectors.staffing_units_visible_to(request.user).filter(path__startswith=unit.path)
                      .values_list("pk", flat=True))
        units = [s for s in selectors.day_snapshots(unit, date) if s.unit_id in visible]
    holidays = workcalendar.holidays_between(unit, date, date)
    return render(request, "attendance/staffing/day.html", {
        "unit": unit, "date": date, "row": own[0] if own else None, "show_kinds": show_kinds,
        "presence": selectors.day_presence(unit, date, show_kinds=show_kinds),
        "working": workcalendar.is_working_day(unit, date), "holiday": holidays[date].name if holidays else "",
        "subtree_units": units,
    })


@login_required
@require_GET
def export(request):
    """The month's dataset (one row per unit-day) as CSV or XLSX."""
    unit = selectors.staffing_unit_for(request.user, request.GET.get("unit"))
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    first, last = month_bounds(parse_month(request.GET.get("bulan"), unit.local_today()))
    subtree = _wants_subtree(request, unit)
    snapshots = selectors.unit_snapshots(unit, first, last, subtree=subtree)
    if subtree:  # per-unit rows only for units the viewer may open; the totals stay whole
        snapshots = snapshots.filter(unit__in=selectors.staffing_units_visible_to(request.user))
    rows = selectors.export_rows(snapshots.iterator(chunk_size=2000))
    filename = f"kehadiran-{slugify(unit.code) or unit.pk}-{first:%Y-%m}" + ("-subunit" if subtree else "")
    return exports.file_response(fmt, rows, f"{filename}.{fmt}", widths=selectors.EXPORT_WIDTHS,
                                 title=_("Kehadiran unit"))
