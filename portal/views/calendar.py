"""HR pages for the work calendar: working patterns per unit (with flexible start), Ramadan periods.

Only HR admins (within their scope) and superusers see these pages; anyone else gets 404. Reads
come from :mod:`portal.selectors.patterns` (the same the API renders), writes go through
:mod:`portal.services.calendar`, which validates, checks the scope, audits and recomputes; the
forms only give the inputs a shape. Deleting asks for a confirmation first (GET shows it, POST does
it).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal import rules
from portal.formatting import short_date
from portal.forms import RamadanPeriodForm, WorkPatternForm
from portal.models import RamadanPeriod, Unit, WorkPattern
from portal.selectors import hr_scope_units
from portal.selectors.patterns import (
    DEFAULT_SOURCE,
    pattern_units_visible_to,
    patterns_overview,
    ramadan_periods_visible_to,
    ramadan_periods_writable_by,
    scope_today,
    unit_patterns,
    week_of,
    work_patterns_visible_to,
)
from portal.services import calendar as services
from portal.views.hr import hr_required

UNITS_PER_PAGE = 100
PERIODS_PER_PAGE = 50


def _day_param(request, default: dt.date) -> dt.date:
    """``?tanggal=YYYY-MM-DD`` (within the years the portal computes with), else ``default``."""
    try:
        day = dt.date.fromisoformat(request.GET.get("tanggal", ""))
    except ValueError:
        return default
    return day if rules.date_in_range(day) else default


def _page_query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def week_summary(hours_by_weekday: dict) -> list[dict]:
    """Consecutive weekdays with the same hours as one line: ``{"days": "Senin–Kamis", "hours": DayHours}``."""
    groups: list[list] = []
    for day in week_of(hours_by_weekday):
        if day.hours is None:
            continue
        last = groups[-1] if groups else None
        if last and last[-1].weekday == day.weekday - 1 and _same(last[-1].hours, day.hours):
            last.append(day)
        else:
            groups.append([day])
    return [{"days": group[0].name if len(group) == 1 else f"{group[0].name}–{group[-1].name}",
             "hours": group[0].hours} for group in groups]


def _same(a: rules.DayHours, b: rules.DayHours) -> bool:
    return (a.start, a.end, a.break_minutes) == (b.start, b.end, b.break_minutes)


def _source_text(pattern) -> str:
    if pattern.own:
        return _("ditetapkan sendiri")
    if pattern.inherited:
        return _("diwarisi dari %(unit)s") % {"unit": pattern.source.name}
    return _("bawaan %(rule)s") % {"rule": DEFAULT_SOURCE}


# --- Working patterns --------------------------------------------------------------------------


@hr_required
def work_patterns(request):
    """Every unit in scope with the week it works on a date and where that week comes from."""
    units = pattern_units_visible_to(request.user)
    scopes = hr_scope_units(request.user)
    day = _day_param(request, scope_today(request.user))
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    overview = patterns_overview(shown, day)
    base_depth = min((u.depth for u in scopes), default=min((u.depth for u in shown), default=0))
    rows = [{"unit": u, "prefix": "— " * max(0, u.depth - base_depth), "pattern": overview[u.pk],
             "summary": week_summary(overview[u.pk].version.week), "source": _source_text(overview[u.pk])}
            for u in shown]
    return render(request, "portal/calendar/work_patterns.html", {
        "rows": rows, "day": day, "page": page, "query": _page_query(request), "default_source": DEFAULT_SOURCE})


@hr_required
def work_pattern_unit(request, unit_id: int, pattern_id: int | None = None):
    """A unit's versions, what is in force today and where from, and a form to add or change one."""
    unit = get_object_or_404(pattern_units_visible_to(request.user), pk=unit_id)
    row = get_object_or_404(unit_patterns(unit), pk=pattern_id) if pattern_id else None
    today = unit.local_today()
    if request.method == "POST":
        form = WorkPatternForm(request.POST, unit=unit, pattern=row)
        if form.is_valid() and _save_pattern(request, unit, row, form):
            return redirect("hr-work-pattern-unit", unit_id=unit.pk)
    elif row is not None:
        form = WorkPatternForm(unit=unit, pattern=row, initial=WorkPatternForm.initial_from(row))
    else:
        # A new version starts tomorrow (the unit's date) with the week that would apply then.
        tomorrow = today + dt.timedelta(days=1)
        then = patterns_overview([unit], tomorrow)[unit.pk].version
        form = WorkPatternForm(unit=unit, initial=WorkPatternForm.initial_for(
            effective_from=tomorrow, kind=then.kind, flex_until=then.flex_until,
            week={wd: (h.start, h.end, h.break_minutes) for wd, h in then.week.items()}))
    in_force = patterns_overview([unit], today)[unit.pk]
    versions = [{"pattern": p, "summary": week_summary({d.weekday: rules.DayHours(d.start, d.end, d.break_minutes)
                                                         for d in p.days.all()}),
                 "current": p.pk == in_force.version.id, "future": p.effective_from > today}
                for p in unit_patterns(unit)]
    return render(request, "portal/calendar/work_pattern_unit.html", {
        "unit": unit, "row": row, "form": form, "today": today, "in_force": in_force,
        "in_force_source": _source_text(in_force), "versions": versions})


def _save_pattern(request, unit: Unit, row: WorkPattern | None, form: WorkPatternForm) -> bool:
    try:
        saved = services.work_pattern_save(actor=request.user, unit=unit, pattern=row, **form.save_kwargs())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Pola jam kerja %(unit)s mulai %(date)s tersimpan.") % {
        "unit": unit.name, "date": short_date(saved.effective_from)})
    return True


@hr_required
def work_pattern_delete(request, pattern_id: int):
    """Confirm (GET), then remove (POST) a version: its days fall back to the version before it."""
    pattern = get_object_or_404(work_patterns_visible_to(request.user), pk=pattern_id)
    unit = pattern.unit
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.work_pattern_delete(actor=request.user, pattern=pattern)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Pola jam kerja %(unit)s mulai %(date)s dihapus.") % {
                "unit": unit.name, "date": short_date(pattern.effective_from)})
            return redirect("hr-work-pattern-unit", unit_id=unit.pk)
    summary = week_summary({d.weekday: rules.DayHours(d.start, d.end, d.break_minutes) for d in pattern.days.all()})
    return render(request, "portal/calendar/work_pattern_delete.html", {
        "pattern": pattern, "unit": unit, "summary": summary, "errors": errors})


# --- Ramadan periods ---------------------------------------------------------------------------


def _ramadan_form(request, data=None, initial=None) -> RamadanPeriodForm:
    institutions = services.institutions_writable_by(request.user).order_by("path")
    return RamadanPeriodForm(data, initial=initial, institutions=institutions, national=request.user.is_superuser)


@hr_required
def ramadan_periods(request, period_id: int | None = None):
    """Ramadan periods in scope (national and the institutions' own) and a form to add or change one."""
    writable = ramadan_periods_writable_by(request.user)
    row = get_object_or_404(writable, pk=period_id) if period_id else None
    can_write = request.user.is_superuser or services.institutions_writable_by(request.user).exists()
    form = None
    if request.method == "POST":
        if not can_write:
            raise Http404
        form = _ramadan_form(request, request.POST)
        if form.is_valid() and _save_ramadan(request, row, form):
            return redirect("hr-ramadan")
    elif can_write:
        form = _ramadan_form(request, initial=RamadanPeriodForm.initial_from(row) if row else None)
    page = Paginator(ramadan_periods_visible_to(request.user), PERIODS_PER_PAGE).get_page(request.GET.get("page"))
    editable = set(writable.filter(pk__in=[p.pk for p in page.object_list]).values_list("pk", flat=True))
    periods = [{"period": p, "editable": p.pk in editable} for p in page.object_list]
    return render(request, "portal/calendar/ramadan.html", {
        "form": form, "row": row, "periods": periods, "page": page, "query": _page_query(request)})


def _save_ramadan(request, row: RamadanPeriod | None, form: RamadanPeriodForm) -> bool:
    # A fresh copy: a refused change must not show on the page as if it were saved.
    target = RamadanPeriod.objects.get(pk=row.pk) if row else RamadanPeriod()
    try:
        saved = services.ramadan_period_save(actor=request.user, row=form.apply_to(target))
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Periode Ramadan %(start)s–%(end)s tersimpan.") % {
        "start": short_date(saved.start), "end": short_date(saved.end)})
    return True


@hr_required
def ramadan_period_delete(request, period_id: int):
    """Confirm (GET), then remove (POST) a Ramadan period the user may change."""
    period = get_object_or_404(ramadan_periods_writable_by(request.user), pk=period_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.ramadan_period_delete(actor=request.user, row=period)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Periode Ramadan %(start)s–%(end)s dihapus.") % {
                "start": short_date(period.start), "end": short_date(period.end)})
            return redirect("hr-ramadan")
    return render(request, "portal/calendar/ramadan_delete.html", {"period": period, "errors": errors})
