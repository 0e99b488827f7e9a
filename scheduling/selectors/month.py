"""The employee's own month (``/rencana/``): per day their plan, the unit's projected coverage,
and whether a WFH day would pass if asked for alone.

A day is offered as free ("Ajukan") only when :func:`scheduling.selectors.preview.preview_each_alone`
passes it, the same check the request form's panel and the submit make: the calendar never offers a
day the panel would then refuse (weekly and monthly caps, mandatory weekdays, coverage, eligibility).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal.forms import month_bounds
from portal.models import Employee
from portal.selectors import workcalendar
from scheduling import rules
from scheduling.models import ACTIVE_STATUSES, Kind, RequestDay
from scheduling.selectors.fwa import cap_free_days
from scheduling.selectors.office import CoverageDay, coverage
from scheduling.selectors.preview import DayPreview, preview_each_alone

# A few words per refusing rule for a calendar cell; the full sentence goes with it.
SHORT_REASONS = {
    "weekly_cap": _("batas mingguan tercapai"),
    "monthly_cap": _("batas bulanan tercapai"),
    "mandatory_weekday": _("hari wajib di kantor"),
    "blackout": _("tanggal wajib di kantor"),
    "coverage": _("kehadiran unit di batas minimum"),
    "essential": _("jabatan esensial harus di kantor"),
    "disciplinary": _("sedang hukuman disiplin"),
    "new_placement": _("penempatan baru"),
}


@dataclass
class MonthCell:
    date: dt.date
    working: bool
    weekend: bool
    today: bool
    past: bool
    holiday: workcalendar.Holiday | None = None
    coverage: CoverageDay | None = None  # working days from today on only: no slots to offer in the past
    plan: list[RequestDay] = field(default_factory=list)
    check: DayPreview | None = None  # a WFH day asked alone; None where nothing is offered
    fwa: str = ""  # the circular that frees this day from the caps

    @property
    def has_active(self) -> bool:
        return any(r.status in ACTIVE_STATUSES for r in self.plan)

    @property
    def free(self) -> bool:
        """Offered ("Ajukan"): a WFH day here alone would not be refused."""
        return self.check is not None and not self.check.blocked

    @property
    def refusal(self) -> rules.Verdict | None:
        if self.check is None:
            return None
        return next((v for v in self.check.verdicts if v.severity == rules.BLOCK), None)

    @property
    def refusal_short(self) -> str:
        verdict = self.refusal
        return str(SHORT_REASONS.get(verdict.rule, _("tidak dapat diajukan"))) if verdict else ""

    @property
    def slot_class(self) -> str:
        c = self.coverage
        if c is None:
            return ""
        if self.refusal is not None:
            return "slot--closed"
        if c.in_office < c.minimum:
            return "slot--below"
        return {0: "slot--full", 1: "slot--low"}.get(c.remaining, "slot--ok")


@dataclass
class OwnMonth:
    employee: Employee
    first: dt.date
    last: dt.date
    today: dt.date
    cells: list[MonthCell]


def own_month(employee: Employee, month: dt.date) -> OwnMonth:
    """The employee's month: a bounded number of queries whatever the number of days (the
    WFH checks read their facts once for the month)."""
    unit = employee.unit
    today = unit.local_today()
    first, last = month_bounds(month)
    plan = defaultdict(list)
    for day in RequestDay.objects.filter(employee=employee, date__range=(first, last)).order_by("date", "-id"):
        plan[day.date].append(day)
    cover = {c.date: c for c in coverage(unit, first, last)}
    holidays = workcalendar.holidays_between(unit, first, last)
    weekdays = workcalendar.working_weekdays(unit)
    cells = []
    for i in range((last - first).days + 1):
        d = first + dt.timedelta(days=i)
        cov = cover.get(d)
        working = bool(cov and cov.working)
        cells.append(MonthCell(d, working, d.weekday() not in weekdays, d == today, d < today, holidays.get(d),
                               cov if working and d >= today else None,
                               sorted(plan[d], key=lambda r: r.status not in ACTIVE_STATUSES)))
    open_cells = [c for c in cells if c.coverage is not None and not c.has_active]
    checks = preview_each_alone(employee, Kind.WFH, [c.date for c in open_cells])
    for cell in open_cells:
        cell.check = checks[cell.date]
    fwa = cap_free_days(unit, first, last)
    for cell in cells:
        cell.fwa = fwa.get(cell.date, "") if cell.working else ""
    return OwnMonth(employee, first, last, today, cells)
