"""What a request would meet before it is saved: the working days it covers, each day's verdicts
with the numbers behind them, and the nearest days that would pass instead.

One read for the request form, its live panel, the month calendar and ``POST /requests/preview/``;
the submit and approve services check with the same function.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import Employee, Unit
from portal.rules import date_in_range, date_range_message
from portal.selectors import with_time_zones, workcalendar
from scheduling import rules
from scheduling.models import FLEXIBLE_KINDS, Kind, Status
from scheduling.selectors import office as counts
from scheduling.selectors.emergency import emergencies_between, emergency_days
from scheduling.selectors.fwa import OpenDay, cap_free_days_many, open_days
from scheduling.selectors.leave import LeaveCheck, annual_leave_facts_many, leave_check
from scheduling.selectors.policies import effective_policies, effective_policies_many

MAX_RANGE_DAYS = 186  # half a year: longer plans are almost always a typo


@dataclass
class DayPreview:
    date: dt.date
    verdicts: list[rules.Verdict]
    numbers: dict = field(default_factory=dict)
    opened: OpenDay | None = None  # the circular or emergency that opens the day (the submit's auto-approval)

    @property
    def worst(self) -> str | None:
        return rules.worst(self.verdicts)

    @property
    def blocked(self) -> bool:
        return self.worst == rules.BLOCK

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "worst": self.worst, "blocked": self.blocked,
                "verdicts": [v.as_dict() for v in self.verdicts], **self.numbers}


@dataclass
class Skipped:
    date: dt.date
    reason: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "reason": self.reason}


def expand_dates(unit: Unit, *, dates=None, start=None, end=None, weekdays=None) -> tuple[list[dt.date], list[Skipped]]:
    """One working day per item; weekends, holidays and cuti bersama skipped and said so."""
    if dates:
        wanted = sorted(set(dates))
    elif start and end:
        if end < start:
            raise ValidationError({"end": _("Tanggal akhir tidak boleh sebelum tanggal mulai.")})
        wanted = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        if weekdays:
            wanted = [d for d in wanted if d.weekday() in set(weekdays)]
    else:
        raise ValidationError({"dates": _("Pilih satu tanggal, rentang tanggal, atau pola hari.")})
    if not wanted:
        raise ValidationError({"dates": _("Tidak ada tanggal yang cocok dengan pola.")})
    if not (date_in_range(wanted[0]) and date_in_range(wanted[-1])):
        raise ValidationError({"dates": date_range_message()})
    if (wanted[-1] - wanted[0]).days > MAX_RANGE_DAYS:
        raise ValidationError({"dates": _("Rentang paling panjang %(n)d hari.") % {"n": MAX_RANGE_DAYS}})
    # The holidays read once for both; no Ramadan periods: they shorten a day's hours, never free it.
    calendar = workcalendar.UnitCalendar(unit, wanted[0], wanted[-1], ramadan=[])
    working, holidays = set(calendar.working_days()), calendar.holidays
    kept, skipped = [], []
    for d in wanted:
        if d in working:
            kept.append(d)
        elif d in holidays:
            skipped.append(Skipped(d, holidays[d].name))
        else:
            skipped.append(Skipped(d, _("akhir pekan")))
    return kept, skipped


def _eligibility_context(employee: Employee, day: dt.date) -> dict:
    months = counts.months_between(employee.placement_date, day) if employee.placement_date else None
    disciplinary = bool(employee.disciplinary_until and employee.disciplinary_until >= day)
    return {"disciplinary": disciplinary, "months_since_placement": months}


@dataclass
class _Facts:
    """Everything the rules need about an employee over a range of dates, read once.

    Checking many combinations of days (a request, then each candidate suggestion with it)
    costs the queries of one read, not one read per combination.
    """

    employee: Employee
    kind: str
    special_circumstance: bool
    approving: bool
    policies: dict[dt.date, rules.Policy]
    headcount: int
    away: dict[dt.date, int]
    own: list[dt.date]  # the employee's other flexible days around the range
    taken: set[dt.date]  # dates with another live request of the employee
    essential: tuple[int, dict[dt.date, int]] | None
    today: dt.date
    cap_free: dict[dt.date, str] = field(default_factory=dict)  # days free of the caps -> the circular
    leave: LeaveCheck | None = None  # a cuti's service length, longest run and balance
    coverage_label: str = ""  # the unit whose coverage the day is counted in (a head: with its subtree)
    opened: dict[dt.date, OpenDay] = field(default_factory=dict)  # days a circular opens (one employee's ask)

    @property
    def flexible(self) -> bool:
        return self.kind in FLEXIBLE_KINDS


def _gather(employee: Employee, kind: str, start: dt.date, end: dt.date, *, special_circumstance: bool,
            for_approval_of: int | None) -> _Facts:
    unit = employee.unit
    days = _span(start, end)
    around = _around(start, end)
    emergencies = emergency_days(unit, *around)  # read once: the policies' overlay and the open days
    policies = effective_policies(unit, days, emergencies=emergencies)
    approving = for_approval_of is not None
    include_pending = (not approving) and any(p.count_pending for p in policies.values())
    own, taken = _own_days(employee, around, (start, end), approving=approving, exclude_day_id=for_approval_of)
    essential = None
    if any(employee.jabatan in dict(p.essential) for p in policies.values()):
        essential = counts.essential_counts(employee, start, end, include_pending=include_pending,
                                            exclude_day_id=for_approval_of)
    leads = counts.leads_subtree(employee)
    opened = open_days(unit, *around, emergencies=emergencies)  # the caps and the submit's auto-approval ask
    return _Facts(employee, kind, special_circumstance, approving, policies,
                  counts.unit_headcount(unit, subtree=leads),
                  _away_per_policy(unit, policies, approving=approving, subtree=leads, exclude_day_id=for_approval_of),
                  own, taken, essential,
                  unit.local_today(), {d: o.name for d, o in opened.items() if o.lifts_caps},
                  leave_check(employee, kind, end, approving=approving, exclude_day_id=for_approval_of),
                  _coverage_label(unit, leads), opened)


@dataclass(frozen=True)
class ApprovalAsk:
    """Pending days of one employee, kind and keadaan khusus, checked as their approval sees them."""

    employee: Employee
    kind: str
    special_circumstance: bool
    dates: list[dt.date]
    day_ids: tuple[int, ...] = ()  # the checked days themselves: never "another day" on their date

    @functools.cached_property
    def start(self) -> dt.date:
        return min(self.dates)

    @functools.cached_property
    def end(self) -> dt.date:
        return max(self.dates)

    @functools.cached_property
    def around(self) -> tuple[dt.date, dt.date]:
        return _around(self.start, self.end)


def _around(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return rules.week_start(start.replace(day=1)), end + dt.timedelta(days=31)  # whole weeks and months


def _span(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def gather_for_approval(asks: list[ApprovalAsk], *, first_years: dict[int, int] | None = None) -> list[_Facts]:
    """:func:`_gather` for approval (approved days only) of many asks at once, as the inbox needs it:
    what a unit has (its policies, calendar and FWA days, time zone) once per unit over the dates
    its asks span, what people have (their days, the holders of their jabatan, their cuti) in one
    query each for all of them. The checked days are pending, so counting approved days only
    never counts them (what ``for_approval_of`` excludes in :func:`_gather`). Each fact's
    ``taken``: the ask's dates on which the employee holds another live day than the checked
    ones (``day_ids`` of all asks). ``first_years``: each institution's first year of cuti
    balances, when read already."""
    if not asks:
        return []
    units = {a.employee.unit_id: a.employee.unit for a in asks}
    with_time_zones(units.values())  # each unit's "today", without a query per unit
    emergencies = emergencies_between(min(a.around[0] for a in asks), max(a.around[1] for a in asks))  # once for both
    policies = _policies_per_unit(units, asks, emergencies)
    leaders = counts.leading_subtrees([a.employee for a in asks])
    scopes = {(a.employee.unit, a.employee.pk in leaders) for a in asks}
    first, last = min(a.start for a in asks), max(a.end for a in asks)
    headcounts = counts.unit_headcounts(scopes)
    away = counts.approved_away_by_date(scopes, first, last)
    own, held = _own_and_held(asks)
    essential = counts.approved_essential_counts({(a.employee.unit_id, a.employee.jabatan) for a in asks
                                                  if _essential_in(a, policies)}, first, last)
    cap_free = _cap_free_per_unit(units, asks, emergencies)
    annual = annual_leave_facts_many([a.employee for a in asks if a.kind == Kind.CT], approved_only=True,
                                     first_years=first_years)
    out = []
    for a in asks:
        employee, unit = a.employee, a.employee.unit
        scope = (unit.pk, employee.pk in leaders)
        lo, hi = a.around
        in_force = {d: policies[unit.pk][d] for d in _span(a.start, a.end)}
        jabatan = essential.get((unit.pk, employee.jabatan)) if _essential_in(a, policies) else None
        out.append(_Facts(
            employee, a.kind, a.special_circumstance, True, in_force, headcounts[scope],
            {d: away[scope].get(d, 0) for d in in_force}, [d for d in own.get(employee.pk, []) if lo <= d <= hi],
            held[employee.pk].intersection(a.dates),
            (jabatan[0], {d: n for d, n in jabatan[1].items() if a.start <= d <= a.end}) if jabatan else None,
            unit.local_today(), {d: n for d, n in cap_free[unit.pk].items() if lo <= d <= hi},
            leave_check(employee, a.kind, a.end, approving=True, facts=annual.get(employee.pk)),
            _coverage_label(unit, scope[1])))
    return out


def _own_and_held(asks: list[ApprovalAsk]) -> tuple[dict[int, list[dt.date]], dict[int, set[dt.date]]]:
    """Per employee, their approved flexible days around the asks, and the dates they hold a live
    day other than the checked ones on (one read)."""
    checked = {pk for a in asks for pk in a.day_ids}
    own: dict[int, list[dt.date]] = defaultdict(list)
    held: dict[int, set[dt.date]] = defaultdict(set)
    for pk, employee_id, date, status, kind in counts.live_days_around(
            {a.employee.pk for a in asks}, min(a.around[0] for a in asks), max(a.around[1] for a in asks)):
        if status == Status.APPROVED and kind in FLEXIBLE_KINDS:
            own[employee_id].append(date)
        if pk not in checked:
            held[employee_id].add(date)
    return own, held


def _policies_per_unit(units: dict[int, Unit], asks: list[ApprovalAsk],
                       emergencies: list) -> dict[int, dict[dt.date, rules.Policy]]:
    """Each unit's policies over the days its asks span, through the policy read (overlays included)."""
    wanted: dict[int, set[dt.date]] = {u: set() for u in units}
    for a in asks:
        wanted[a.employee.unit_id].update(_span(a.start, a.end))
    return effective_policies_many({units[u]: sorted(days) for u, days in wanted.items()}, emergencies=emergencies)


def _essential_in(ask: ApprovalAsk, policies: dict[int, dict[dt.date, rules.Policy]]) -> bool:
    unit_policies = policies[ask.employee.unit_id]
    return any(ask.employee.jabatan in dict(unit_policies[d].essential) for d in _span(ask.start, ask.end))


def _cap_free_per_unit(units: dict[int, Unit], asks: list[ApprovalAsk],
                       emergencies: list) -> dict[int, dict[dt.date, str]]:
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for a in asks:
        lo, hi = a.around
        known = spans.get(a.employee.unit_id, (lo, hi))
        spans[a.employee.unit_id] = (min(lo, known[0]), max(hi, known[1]))
    return cap_free_days_many({units[u]: span for u, span in spans.items()}, emergencies=emergencies)


def _coverage_label(unit: Unit, leads: bool) -> str:
    return _("%(unit)s beserta unit di bawahnya") % {"unit": unit.name} if leads else unit.name


def _away_per_policy(unit: Unit, policies: dict[dt.date, rules.Policy], *, approving: bool, subtree: bool,
                     exclude_day_id: int | None) -> dict[dt.date, int]:
    """Who is away each day, counting pending days only where that day's policy says so (a policy
    can change mid-range); an approval counts approved days only."""
    start, end = min(policies), max(policies)
    wanted = {False} if approving else {p.count_pending for p in policies.values()}
    away = {pending: counts.away_by_date(unit, start, end, include_pending=pending, subtree=subtree,
                                         exclude_day_id=exclude_day_id) for pending in wanted}
    return {d: away[p.count_pending and not approving].get(d, 0) for d, p in policies.items()}


def _evaluate(facts: _Facts, days: list[dt.date]) -> list[DayPreview]:
    """Verdicts for ``days`` asked together: each passing flexible day counts towards the caps
    of the days after it, as it would once saved."""
    employee, unit = facts.employee, facts.employee.unit
    own = [o for o in facts.own if o not in facts.cap_free]  # cap-free days count towards no cap
    leave = facts.leave.verdicts(days) if facts.leave else {}
    previews = []
    for d in sorted(days):
        policy = facts.policies[d]
        ess = facts.essential
        ctx = rules.DayContext(
            date=d, flexible=facts.flexible, unit_name=facts.coverage_label or unit.name,
            headcount=facts.headcount,
            away_others=facts.away.get(d, 0),
            own_flexible_week=sum(1 for o in own if rules.week_start(o) == rules.week_start(d)),
            own_flexible_month=sum(1 for o in own if (o.year, o.month) == (d.year, d.month)),
            essential=rules.EssentialCount(employee.jabatan, ess[0], ess[1].get(d, 0)) if ess else None,
            special_circumstance=facts.special_circumstance, **_eligibility_context(employee, d),
            cap_free=d in facts.cap_free, cap_free_basis=facts.cap_free.get(d, ""),
        )
        verdicts = rules.by_severity(rules.evaluate_day(policy, ctx) + leave.get(d, []))
        if d in facts.taken:
            verdicts.insert(0, rules.Verdict("duplicate", rules.BLOCK, {"date": d.isoformat()}))
        if d < facts.today and not facts.approving:
            verdicts.insert(0, rules.Verdict("past", rules.BLOCK, {"date": d.isoformat()}))
        preview = DayPreview(d, verdicts, rules.coverage_numbers(policy, ctx), facts.opened.get(d))
        if facts.flexible and not preview.blocked and d not in facts.cap_free:
            own.append(d)  # later days of this batch see this one in their week
        previews.append(preview)
    return previews


def preview_days(employee: Employee, kind: str, days: list[dt.date], *, special_circumstance: bool = False,
                 for_approval_of: int | None = None) -> list[DayPreview]:
    """Verdicts per day as if the employee asked for ``kind`` on each of ``days``.

    Days of the same request count against each other (the weekly cap across the batch).
    With ``for_approval_of`` the projection counts approved days only, excluding that day.
    """
    if not days:
        return []
    facts = _gather(employee, kind, min(days), max(days), special_circumstance=special_circumstance,
                    for_approval_of=for_approval_of)
    return _evaluate(facts, days)


def preview_each_alone(employee: Employee, kind: str, days: list[dt.date]) -> dict[dt.date, DayPreview]:
    """Verdicts per day as if the employee asked for ``kind`` on that day alone (the month
    calendar's free days): the facts are read once for the whole span, not once per day."""
    if not days:
        return {}
    facts = _gather(employee, kind, min(days), max(days), special_circumstance=False, for_approval_of=None)
    return {d: _evaluate(facts, [d])[0] for d in days}


def _own_days(employee: Employee, around: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date], *,
              approving: bool, exclude_day_id: int | None) -> tuple[list[dt.date], set[dt.date]]:
    """(the employee's flexible days around the span, asked or approved, approved only when
    approving: what the caps count; the dates in the span they hold any live day on), from one
    read of their live days (:func:`counts.live_days_around`), ``exclude_day_id`` left out."""
    own, taken = [], set()
    for pk, _employee, date, status, kind in counts.live_days_around([employee.pk], *around):
        if pk == exclude_day_id:
            continue
        if kind in FLEXIBLE_KINDS and (status == Status.APPROVED or not approving):
            own.append(date)
        if span[0] <= date <= span[1]:
            taken.add(date)
    return own, taken


# --- Suggestions ---------------------------------------------------------------------------

SEARCH_DAYS = 21  # suggestions come from three weeks either side of the refused day
SUGGESTIONS_PER_DAY = 3
SUGGESTED_FOR = 3  # refused days that get suggestions: each costs a scan of six weeks


def nearest_passing_days(employee: Employee, kind: str, around: dt.date, *, count: int = SUGGESTIONS_PER_DAY,
                         special_circumstance: bool = False, alongside: list[dt.date] = ()) -> list[dt.date]:
    """The working days closest to ``around`` (within three weeks) that would pass cleanly when
    asked together with ``alongside`` (the request's other passing days): a suggestion never
    breaks the caps, and never makes another day of the request fail."""
    unit = employee.unit
    today = unit.local_today()
    start, end = around - dt.timedelta(days=SEARCH_DAYS), around + dt.timedelta(days=SEARCH_DAYS)
    taken = set(alongside) | {around}
    window = [d for d in workcalendar.working_days(unit, start, end)
              if d >= today and d not in taken and _fits_with(alongside, d)]
    if not window:
        return []
    span = [*window, *alongside]
    facts = _gather(employee, kind, min(span), max(span), special_circumstance=special_circumstance,
                    for_approval_of=None)
    found = []
    for d in sorted(window, key=lambda x: (abs((x - around).days), x)):
        if not any(p.blocked for p in _evaluate(facts, [*alongside, d])):
            found.append(d)
            if len(found) == count:
                break
    return sorted(found)


def _fits_with(alongside: list[dt.date], day: dt.date) -> bool:
    """Submitted with the request's passing days, ``day`` keeps the request inside its limits."""
    span = [*alongside, day]
    return date_in_range(day) and (max(span) - min(span)).days <= MAX_RANGE_DAYS


@dataclass
class PreviewRow:
    preview: DayPreview
    nearest: list[dt.date]
    searched: bool = False


@dataclass
class RequestPreview:
    """A whole request checked before saving: per working day its verdicts, for refused days the
    nearest days that would pass in their place, and the days skipped (weekend, holiday)."""

    rows: list[PreviewRow]
    skipped: list[Skipped]

    @property
    def previews(self) -> list[DayPreview]:
        return [r.preview for r in self.rows]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.preview.blocked for r in self.rows)

    @property
    def n_blocked(self) -> int:
        return sum(1 for r in self.rows if r.preview.blocked)

    @property
    def n_passing(self) -> int:
        return len(self.rows) - self.n_blocked

    @property
    def n_warned(self) -> int:
        return sum(1 for r in self.rows if r.preview.worst == rules.WARN)


def request_preview(employee: Employee, kind: str, days: list[dt.date], skipped: list[Skipped] = (), *,
                    special_circumstance: bool = False, previews: list[DayPreview] | None = None) -> RequestPreview:
    """The request form's panel and ``POST /requests/preview/``: the same checks, the same
    suggestions. ``previews`` reuses verdicts already computed (a refused submit)."""
    if previews is None:
        previews = preview_days(employee, kind, days, special_circumstance=special_circumstance)
    passing = [p.date for p in previews if not p.blocked]
    rows, budget = [], SUGGESTED_FOR
    for p in previews:
        row = PreviewRow(p, [])
        if p.blocked and budget:
            row.nearest = nearest_passing_days(employee, kind, p.date, special_circumstance=special_circumstance,
                                               alongside=passing)
            row.searched = True
            budget -= 1
        rows.append(row)
    return RequestPreview(rows, list(skipped))
