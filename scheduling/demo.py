"""Demo step for scheduling: realistic coverage policies and a month of varied requests.

Registered into ``portal.demo`` (the seed command autodiscovers ``<app>/demo.py``), so
``portal`` never imports ``scheduling``. Requests go through the real services where a
person would act (submit, approve, reject), and straight to the table for the past.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from portal import demo as portal_demo
from portal.models import Employee, Unit, User
from portal.selectors import workcalendar
from scheduling import rules
from scheduling.models import (
    FLEXIBLE_KINDS,
    CoveragePolicy,
    Emergency,
    EssentialPosition,
    Kind,
    KindRule,
    LeaveSettings,
    RequestDay,
    RotaPlan,
    Status,
    WeekdayPreference,
    WorkRequest,
)

FRONT_LINE_CODE = "DISDUKCAPIL"
COUNTER_JABATAN = "Operator Layanan Operasional"
MANDATORY_MONDAY_CODE = "BPKAD"
PEOPLE_PER_BATCH = 10_000  # plans are built and written this many people at a time
ROW_BATCH = 2000
TRIM_REASON = "Kehadiran minimal unit sudah tercapai"


def seed_policies(ctx) -> None:
    root = ctx.institution
    start = dt.date(ctx.today.year, 1, 1)
    CoveragePolicy.objects.create(unit=root, effective_from=start, min_office_share=70, weekly_cap=2,
                                  exclude_disciplinary=True, min_months_since_placement=3, mode="block",
                                  count_pending=False, note="Perwali tentang kerja fleksibel ASN (demo)")
    front = Unit.objects.filter(code=FRONT_LINE_CODE).first()
    if front is not None:
        policy = CoveragePolicy.objects.create(unit=front, effective_from=start, min_office_share=85,
                                               weekday_min_share={"0": 90}, mode="block",
                                               note="Unit layanan langsung: loket buka setiap hari kerja")
        EssentialPosition.objects.create(policy=policy, jabatan=COUNTER_JABATAN, min_in_office=2)
    monday = Unit.objects.filter(code=MANDATORY_MONDAY_CODE).first()
    if monday is not None:
        CoveragePolicy.objects.create(unit=monday, effective_from=start, mandatory_weekdays=[0], mode="warn",
                                      note="Senin rapat koordinasi anggaran: wajib di kantor")


def seed_leave(ctx) -> None:
    """The Sekda grants leave for the whole Pemkot (the pejabat yang berwenang memberikan cuti);
    balances start this year."""
    root = ctx.institution
    setda = Unit.objects.filter(code="SETDA", path__startswith=root.path).select_related("head").first()
    LeaveSettings.objects.create(institution=root, official=setda.head if setda else None,
                                 first_year=ctx.today.year)


def _weeks(days: list[dt.date]) -> list[list[dt.date]]:
    by_week: dict[dt.date, list[dt.date]] = {}
    for d in days:
        by_week.setdefault(rules.week_start(d), []).append(d)
    return list(by_week.values())


def _plan_for(weeks: list[list[dt.date]], rng) -> list[tuple[dt.date, str]]:
    """Up to two flexible days in about a third of the weeks, and the odd absence."""
    chosen = []
    for week_days in weeks:
        roll = rng.random()
        if roll < 0.35:
            for d in rng.sample(week_days, min(len(week_days), rng.choice([1, 1, 2]))):
                chosen.append((d, rng.choice([Kind.WFH, Kind.WFH, Kind.WFH, Kind.WFA])))
        elif roll < 0.40:
            chosen.append((rng.choice(week_days), rng.choice([Kind.CT, Kind.SAKIT, Kind.IZIN, Kind.DL, Kind.DIKLAT])))
    return chosen


def seed_requests(ctx) -> None:
    """A month of requests for everyone with an atasan: the past two weeks decided, the
    coming two weeks partly pending.

    Written straight to the tables in batches of people (the demo may hold 100,000), then
    trimmed so approved flexible days never break a unit's minimum: the demo obeys its own rules.
    """
    start, end = ctx.today - dt.timedelta(days=14), ctx.today + dt.timedelta(days=14)
    weeks = _weeks(workcalendar.working_days(ctx.institution, start, end))
    people = list(Employee.objects.filter(unit__path__startswith=ctx.institution.path, is_active=True,
                                          supervisor__isnull=False)
                  .values_list("pk", "unit_id", "user_id", "supervisor__user_id").order_by("pk"))
    for i in range(0, len(people), PEOPLE_PER_BATCH):
        _write_plans(ctx, people[i:i + PEOPLE_PER_BATCH], weeks)
    _trim_to_policy(ctx)
    ctx.summary["request_days"] = RequestDay.objects.filter(unit__path__startswith=ctx.institution.path).count()


def _write_plans(ctx, people, weeks) -> None:
    rng = ctx.rng
    requests, items = [], []
    for pk, unit_id, user_id, supervisor_user_id in people:
        for d, kind in _plan_for(weeks, rng):
            requests.append(WorkRequest(employee_id=pk, kind=kind, created_by_id=user_id,
                                        location="Rumah" if kind == Kind.WFA else "",
                                        reason="" if kind in FLEXIBLE_KINDS else "Keperluan keluarga"))
            items.append((pk, unit_id, supervisor_user_id, d, kind))
    WorkRequest.objects.bulk_create(requests, batch_size=ROW_BATCH)
    rows = []
    for req, (pk, unit_id, supervisor_user_id, d, kind) in zip(requests, items, strict=True):
        future = d >= ctx.today
        status = Status.PENDING if future and rng.random() < 0.5 else Status.APPROVED
        if not future and rng.random() < 0.08:
            status = Status.REJECTED
        rows.append(RequestDay(request_id=req.pk, employee_id=pk, unit_id=unit_id, kind=kind, date=d, status=status,
                               decided_by_id=supervisor_user_id if status != Status.PENDING else None,
                               decision_reason="Ada rapat tatap muka" if status == Status.REJECTED else ""))
    RequestDay.objects.bulk_create(rows, batch_size=ROW_BATCH)


def _trim_to_policy(ctx) -> None:
    """Turn flexible approvals that would break a unit's minimum back into pending (future)
    or rejected (past), latest first. Absences count as away but are never trimmed.

    A fixed number of queries whatever the size: approved counts per (unit, date) and
    headcounts in two GROUP BYs, policies merged in memory, one UPDATE per batch of ids.
    """
    from scheduling import selectors

    root = ctx.institution
    flexible, absent = defaultdict(int), defaultdict(int)
    for unit_id, day, kind, n in (RequestDay.objects.filter(unit__path__startswith=root.path, status=Status.APPROVED)
                                  .values_list("unit_id", "date", "kind").annotate(n=Count("id"))
                                  .values_list("unit_id", "date", "kind", "n").order_by()):
        (flexible if kind in FLEXIBLE_KINDS else absent)[(unit_id, day)] += n
    headcounts = dict(Employee.objects.filter(unit__path__startswith=root.path, is_active=True)
                      .values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n").order_by())
    units = Unit.objects.in_bulk({u for u, _d in flexible})
    policy_on = _policy_cache(selectors.all_policy_rows(), selectors.policy_for)
    excess = {}
    for (unit_id, day), n in flexible.items():
        headcount = headcounts.get(unit_id, 0)
        required = rules.required_in_office(policy_on(units[unit_id], day), day.weekday(), headcount)
        allowed = max(0, headcount - absent[(unit_id, day)] - required)
        if n > allowed:
            excess[(unit_id, day)] = n - allowed
    if excess:
        _demote(ctx, root, excess)


def _policy_cache(rows, policy_for):
    """(unit, day) -> Policy, merging each distinct set of rows in force only once."""
    merged = {}

    def policy_on(unit: Unit, day: dt.date):
        ancestors = set(unit.ancestor_ids)
        key = tuple(sorted(r.pk for r in rows if r.unit_id in ancestors and r.effective_from <= day))
        if key not in merged:
            merged[key] = policy_for(unit, day, rows)
        return merged[key]

    return policy_on


def _demote(ctx, root: Unit, excess: dict[tuple[int, dt.date], int]) -> None:
    """Demote the latest ``excess`` approvals of each unit-day, in bulk."""
    future, past = [], []
    candidates = (RequestDay.objects.filter(unit__path__startswith=root.path, status=Status.APPROVED,
                                            kind__in=list(FLEXIBLE_KINDS),
                                            unit_id__in={u for u, _d in excess})
                  .values_list("pk", "unit_id", "date").order_by("-pk"))
    for pk, unit_id, day in candidates.iterator(chunk_size=ROW_BATCH):
        left = excess.get((unit_id, day), 0)
        if left > 0:
            excess[(unit_id, day)] = left - 1
            (future if day >= ctx.today else past).append(pk)
    for ids, changes in ((future, {"status": Status.PENDING, "decided_by": None, "decision_reason": ""}),
                         (past, {"status": Status.REJECTED, "decision_reason": TRIM_REASON})):
        for i in range(0, len(ids), ROW_BATCH):
            RequestDay.objects.filter(pk__in=ids[i:i + ROW_BATCH]).update(**changes)


def seed_rota_and_emergency(ctx) -> None:
    """Weekday preferences for about two in five people (so the rota planner has wishes to weigh),
    and a haze emergency that ended last month (so the HR page has a history, and no banner)."""
    rows = []
    for pk in Employee.objects.filter(unit__path__startswith=ctx.institution.path, is_active=True,
                                      supervisor__isnull=False).values_list("pk", flat=True).order_by("pk"):
        if ctx.rng.random() < 0.4:
            preferred = sorted(ctx.rng.sample(range(5), ctx.rng.choice((1, 1, 2))))
            others = [d for d in range(5) if d not in preferred]
            impossible = [ctx.rng.choice(others)] if ctx.rng.random() < 0.15 else []
            rows.append(WeekdayPreference(employee_id=pk, preferred=preferred, impossible=impossible))
    WeekdayPreference.objects.bulk_create(rows, batch_size=ROW_BATCH)
    hr = User.objects.filter(username="hr.bkpsdm").first()
    if hr is not None:
        start = ctx.today - dt.timedelta(days=40)
        haze = Emergency.objects.create(
            name="Kabut asap (demo)", legal_basis="SE Wali Kota No. 800/45/2026 (demo)", profile="wfh_auto",
            start=start, end=start + dt.timedelta(days=2), last_day=start + dt.timedelta(days=2), created_by=hr)
        haze.units.set([ctx.institution])
    ctx.summary["rota_preferences"] = len(rows)


def reset_scheduling(root: Unit) -> None:
    RequestDay.objects.filter(unit__path__startswith=root.path).delete()
    WorkRequest.objects.filter(employee__unit__path__startswith=root.path).delete()
    CoveragePolicy.objects.filter(unit__path__startswith=root.path).delete()
    LeaveSettings.objects.filter(institution=root).delete()
    KindRule.objects.filter(institution=root).delete()
    from scheduling.models import FwaWindow

    FwaWindow.objects.filter(Q(units__path__startswith=root.path)).delete()
    WeekdayPreference.objects.filter(employee__unit__path__startswith=root.path).delete()
    RotaPlan.objects.filter(unit__path__startswith=root.path).delete()
    Emergency.objects.filter(units__path__startswith=root.path).delete()


portal_demo.register_step(portal_demo.Step("scheduling-policies", seed_policies, reset_scheduling))
portal_demo.register_step(portal_demo.Step("scheduling-requests", seed_requests))
portal_demo.register_step(portal_demo.Step("scheduling-leave", seed_leave))
portal_demo.register_step(portal_demo.Step("scheduling-rota-emergency", seed_rota_and_emergency))
