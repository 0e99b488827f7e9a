"""Suggestions never contradict the verdicts, over many generated months.

Each case builds a month at random (seeded, so every run checks the same 60): weekly and monthly
caps, mandatory weekdays, blackout dates, an office share and headcount, a policy change mid-month,
essential positions, holidays, FWA days and windows, the employee's own earlier days (some over
the caps already) and colleagues away. Then:

- every day ``request_preview`` suggests in place of a refused one, submitted through
  ``request_submit`` together with the request's passing days, is saved;
- every day the month calendar offers ("Ajukan") is saved when submitted alone, and every day it
  shows as refused is refused.

Each case runs in a savepoint that is rolled back, and every submit in one of its own, so a case
sees only its own month and a check never changes what the next one sees.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import facts
from portal.models import CalendarOverride, OverrideKind
from portal.selectors import workcalendar
from scheduling import selectors, services
from scheduling.models import CoveragePolicy, EssentialPosition, FwaWindow, Kind, RequestDay, Status, WorkRequest
from tests.factories import EmployeeFactory

CASES = 60
WIB = dt.timezone(dt.timedelta(hours=7))


@dataclass
class Tally:
    """What the cases checked, so the test cannot pass by checking nothing."""

    suggestions: int = 0
    offered: int = 0
    refused: int = 0
    cases_with_suggestions: int = 0


def _month_days(first: dt.date) -> list[dt.date]:
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def _weekdays(days: list[dt.date]) -> list[dt.date]:
    return [d for d in days if d.weekday() < 5]


def _plan(person, day: dt.date, status: str, kind: str = Kind.WFH) -> None:
    request = WorkRequest.objects.create(employee=person, kind=kind, created_by=person.user)
    RequestDay.objects.create(request=request, employee=person, unit=person.unit, kind=kind, date=day, status=status)


def _policy(rng: random.Random, dinkes, bidang, first: dt.date, days: list[dt.date], ani) -> None:
    policy = CoveragePolicy.objects.create(
        unit=dinkes, effective_from=dt.date(2025, 1, 1),
        min_office_share=rng.choice([None, 40, 50, 60, 70, 80]),
        min_office_headcount=rng.choice([None, None, 2, 3]),
        weekday_min_share=rng.choice([None, {"4": 50}, {"0": 90}]),
        weekly_cap=rng.choice([1, 2, 2, 3]), monthly_cap=rng.choice([None, 2, 3, 5, 8]),
        mandatory_weekdays=rng.sample(range(5), rng.choice([0, 0, 1, 2])),
        blackout_dates=[d.isoformat() for d in rng.sample(_weekdays(days), rng.randint(0, 3))],
        mode=rng.choice(["block", "block", "warn"]),
        count_pending=rng.random() < 0.3)  # the same all month: see the calendar's converse check
    if rng.random() < 0.3:
        EssentialPosition.objects.create(policy=policy, jabatan=ani.jabatan, min_in_office=1)
    if rng.random() < 0.4:  # the unit's own rules from mid-month on
        CoveragePolicy.objects.create(unit=bidang, effective_from=first + dt.timedelta(days=rng.randint(7, 20)),
                                      weekly_cap=rng.choice([1, 2, 3]), min_office_share=rng.choice([None, 50, 75]),
                                      monthly_cap=rng.choice([None, 4]))


def _calendar(rng: random.Random, pemkot, dinkes, kabid, first: dt.date, days: list[dt.date]) -> None:
    special = rng.sample(_weekdays(days), rng.randint(0, 4))
    for day in special[:2]:
        CalendarOverride.objects.create(institution=pemkot, date=day, kind=OverrideKind.HOLIDAY, name="Libur daerah")
    for day in special[2:]:
        CalendarOverride.objects.create(institution=pemkot, date=day, kind=OverrideKind.FWA_DAY, name="SE hari FWA")
    if rng.random() < 0.4:
        start = first + dt.timedelta(days=rng.randint(0, 24))
        window = FwaWindow.objects.create(name="SE jendela", start=start,
                                          end=start + dt.timedelta(days=rng.randint(0, 4)),
                                          lifts_caps=rng.random() < 0.7, created_by=kabid.user)
        window.units.set([dinkes])


def _people(rng: random.Random, bidang, kabid, ani, first: dt.date, days: list[dt.date]) -> None:
    others = [EmployeeFactory(unit=bidang, supervisor=kabid) for _ in range(rng.randint(1, 7))]
    if rng.random() < 0.3:
        others.append(EmployeeFactory(unit=bidang, supervisor=kabid, jabatan=ani.jabatan))
    away = rng.choice([0.05, 0.15, 0.3])
    for person in [kabid, *others]:
        for day in _weekdays(days):
            if rng.random() < away:
                _plan(person, day, rng.choice([Status.APPROVED, Status.APPROVED, Status.PENDING]),
                      rng.choice([Kind.WFH, Kind.WFA, Kind.CT]))
    around = [first - dt.timedelta(days=7) + dt.timedelta(days=i) for i in range(len(days) + 14)]
    for day in rng.sample(_weekdays(around), rng.randint(0, 6)):  # some over the caps already
        _plan(ani, day, rng.choice([Status.APPROVED, Status.PENDING]), rng.choice([Kind.WFH, Kind.WFA]))
    if rng.random() < 0.05:
        ani.disciplinary_until = first + dt.timedelta(days=40)
    if rng.random() < 0.1:
        ani.placement_date = first - dt.timedelta(days=60)
        CoveragePolicy.objects.filter(unit=bidang.parent).update(min_months_since_placement=3)
    ani.save()


def _ask(rng: random.Random, ani, days: list[dt.date], today: dt.date) -> tuple[list[dt.date], list]:
    if rng.random() < 0.5:
        start = rng.choice([d for d in days if d >= today - dt.timedelta(days=3)] or days)
        return selectors.expand_dates(ani.unit, start=start, end=start + dt.timedelta(days=rng.randint(2, 14)))
    working = workcalendar.working_days(ani.unit, days[0], days[-1])
    return selectors.expand_dates(ani.unit, dates=rng.sample(working, min(len(working), rng.randint(2, 7))))


def _submit(ani, dates: list[dt.date]):
    """Submit in a savepoint rolled back afterwards; RequestBlocked when refused."""
    with transaction.atomic():
        try:
            return services.request_submit(actor=ani.user, kind=Kind.WFH, dates=dates,
                                           justification="Menyelesaikan laporan di rumah.")
        finally:
            transaction.set_rollback(True)


def _why(previews) -> str:
    return "; ".join(f"{p.date}: {[v.rule for v in p.verdicts if v.severity == 'block']}" for p in previews)


def _check_case(seed: int, tally: Tally, *, pemkot, dinkes, bidang, kabid, ani) -> None:
    rng = random.Random(seed)
    first = dt.date(2026, rng.randint(1, 12), 1)
    days = _month_days(first)
    today = first + dt.timedelta(days=rng.randint(0, 18))
    with time_machine.travel(dt.datetime.combine(today, dt.time(10, 0), tzinfo=WIB), tick=False):
        _policy(rng, dinkes, bidang, first, days, ani)
        _calendar(rng, pemkot, dinkes, kabid, first, days)
        _people(rng, bidang, kabid, ani, first, days)
        asked, skipped = _ask(rng, ani, days, today)
        checked = selectors.request_preview(ani, Kind.WFH, asked, skipped)
        passing = [r.preview.date for r in checked.rows if not r.preview.blocked]
        suggested = [day for row in checked.rows for day in row.nearest]
        tally.cases_with_suggestions += bool(suggested)
        for day in suggested:
            try:
                saved = _submit(ani, [*passing, day])
            except services.RequestBlocked as exc:
                pytest.fail(f"seed {seed}: suggested {day} with {passing} was refused: {_why(exc.previews)}")
            assert sorted(d.date for d in saved.days) == sorted([*passing, day]), f"seed {seed}"
            tally.suggestions += 1
        month = selectors.own_month(ani, first)
        offered = [c.date for c in month.cells if c.free]
        refused = [c.date for c in month.cells if c.refusal is not None]
        for day in rng.sample(offered, min(4, len(offered))):
            try:
                _submit(ani, [day])
            except services.RequestBlocked as exc:
                pytest.fail(f"seed {seed}: the calendar offered {day}, refused: {_why(exc.previews)}")
            tally.offered += 1
        for day in rng.sample(refused, min(2, len(refused))):
            with pytest.raises(services.RequestBlocked):
                _submit(ani, [day])
            tally.refused += 1


@pytest.mark.django_db
def test_every_suggested_and_offered_day_passes_when_submitted(pemkot, dinkes, bidang_p2p, kabid, ani):
    tally = Tally()
    for seed in range(CASES):
        cache.clear()
        with transaction.atomic():
            _check_case(seed, tally, pemkot=pemkot, dinkes=dinkes, bidang=bidang_p2p, kabid=kabid, ani=ani)
            transaction.set_rollback(True)
        ani.refresh_from_db()
    # The generator reaches the interesting cases: refused days with suggestions, offered and refused cells.
    assert tally.cases_with_suggestions >= CASES // 4, tally
    assert tally.suggestions >= CASES // 2 and tally.offered >= CASES and tally.refused >= CASES // 2, tally


@pytest.mark.now(dt.datetime(2026, 3, 27, 10, 0, tzinfo=WIB), tick=False)
def test_the_month_calendar_checks_a_month_in_a_bounded_number_of_queries(client, dinkes, kabid, ani, budi):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2025, 1, 1), min_office_share=50,
                                  weekly_cap=2, monthly_cap=6, mandatory_weekdays=[0])
    _plan(ani, dt.date(2026, 4, 7), Status.APPROVED)
    _plan(budi, dt.date(2026, 4, 8), Status.APPROVED)
    client.force_login(ani.user)
    counts = {}
    for month in ("2026-03", "2026-04"):  # one open day left in March, a whole month in April
        facts.forget()  # each month reads the rule facts afresh: the counts compare the same work
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("scheduling:my-calendar"), {"bulan": month})
        counts[month] = len(queries)
        cells = response.context["cells"]
    assert counts["2026-03"] == counts["2026-04"], counts
    free = {c.date for c in cells if c.free}
    assert dt.date(2026, 4, 6) not in free  # a Monday: mandatory in the office
    assert dt.date(2026, 4, 9) in free and dt.date(2026, 4, 8) not in free  # budi away: 1 of 3 may go
    assert dt.date(2026, 4, 7) not in free  # already planned


@pytest.mark.now(dt.datetime(2026, 3, 16, 10, 0, tzinfo=WIB), tick=False)
def test_a_suggestion_keeps_the_request_inside_its_longest_span(dinkes, ani):
    first, last = dt.date(2026, 4, 2), dt.date(2026, 10, 5)  # exactly the longest span apart
    assert (last - first).days == selectors.MAX_RANGE_DAYS
    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2025, 1, 1), blackout_dates=[last.isoformat()])
    checked = selectors.request_preview(ani, Kind.WFH, [first, last])
    (refused,) = [r for r in checked.rows if r.preview.blocked]
    assert refused.nearest and all(d < last for d in refused.nearest), refused.nearest
    for day in refused.nearest:
        assert len(_submit(ani, [first, day]).days) == 2
