"""Demo step for scheduling: realistic coverage policies and a month of varied requests.

Registered into ``portal.demo`` (the seed command autodiscovers ``<app>/demo.py``), so
``portal`` never imports ``scheduling``. Requests go through the real services where a
person would act (submit, approve, reject), and straight to the table for the past.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from portal import demo as portal_demo
from portal import workcalendar
from portal.models import Employee, Unit
from scheduling import rules
from scheduling.models import CoveragePolicy, EssentialPosition, Kind, RequestDay, Status, WorkRequest

FRONT_LINE_CODE = "DISDUKCAPIL"
COUNTER_JABATAN = "Operator Layanan Operasional"
MANDATORY_MONDAY_CODE = "BPKAD"


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


def _plan_for(employee: Employee, days: list[dt.date], rng) -> list[tuple[dt.date, str]]:
    """Up to two flexible days in some weeks, and the odd absence."""
    chosen = []
    by_week: dict[dt.date, list[dt.date]] = {}
    for d in days:
        by_week.setdefault(rules.week_start(d), []).append(d)
    for week_days in by_week.values():
        roll = rng.random()
        if roll < 0.35:
            for d in rng.sample(week_days, min(len(week_days), rng.choice([1, 1, 2]))):
                chosen.append((d, rng.choice([Kind.WFH, Kind.WFH, Kind.WFH, Kind.WFA])))
        elif roll < 0.40:
            chosen.append((rng.choice(week_days), rng.choice([Kind.CT, Kind.SAKIT, Kind.IZIN, Kind.DL, Kind.DIKLAT])))
    return chosen


def seed_requests(ctx) -> None:
    """A month of requests: the past two weeks decided, the coming two weeks partly pending.

    Written in bulk (the demo may hold 100,000 people), then each unit-day is trimmed so
    approved away days never break the unit's minimum: the demo obeys its own rules.
    """
    rng = ctx.rng
    start, end = ctx.today - dt.timedelta(days=14), ctx.today + dt.timedelta(days=14)
    days = workcalendar.working_days(ctx.institution, start, end)
    people = list(Employee.objects.filter(unit__path__startswith=ctx.institution.path, is_active=True,
                                          supervisor__isnull=False).select_related("user")[:3000])
    requests, items = [], []
    for person in people:
        for d, kind in _plan_for(person, days, rng):
            requests.append(WorkRequest(employee=person, kind=kind, created_by=person.user,
                                        location="Rumah" if kind == Kind.WFA else "",
                                        reason="" if kind in (Kind.WFH, Kind.WFA) else "Keperluan keluarga"))
            items.append((person, d, kind))
    WorkRequest.objects.bulk_create(requests, batch_size=2000)
    rows = []
    for req, (person, d, kind) in zip(requests, items, strict=True):
        future = d >= ctx.today
        status = Status.PENDING if future and rng.random() < 0.5 else Status.APPROVED
        if not future and rng.random() < 0.08:
            status = Status.REJECTED
        rows.append(RequestDay(request=req, employee=person, unit_id=person.unit_id, kind=kind, date=d,
                               status=status, decided_by_id=person.supervisor.user_id if status != Status.PENDING
                               and person.supervisor else None,
                               decision_reason="Ada rapat tatap muka" if status == Status.REJECTED else ""))
    RequestDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    _trim_to_policy(ctx)
    ctx.summary["request_days"] = RequestDay.objects.filter(unit__path__startswith=ctx.institution.path).count()


def _trim_to_policy(ctx) -> None:
    """Turn flexible approvals that would break a unit's minimum back into pending (future)
    or rejected (past), latest first. Absences count as away but are never trimmed."""
    from scheduling import selectors

    approved = RequestDay.objects.filter(unit__path__startswith=ctx.institution.path, status=Status.APPROVED,
                                         kind__in=[Kind.WFH, Kind.WFA, Kind.OTHER_OFFICE])
    for unit in Unit.objects.filter(pk__in=approved.values("unit")):
        headcount = selectors.unit_headcount(unit)
        for d in sorted(set(approved.filter(unit=unit).values_list("date", flat=True))):
            policy = selectors.effective_policy(unit, d)
            absent = RequestDay.objects.filter(unit=unit, date=d, status=Status.APPROVED).exclude(
                kind__in=[Kind.WFH, Kind.WFA, Kind.OTHER_OFFICE]).count()
            allowed = max(0, headcount - absent - rules.required_in_office(policy, d.weekday(), headcount))
            excess = approved.filter(unit=unit, date=d).count() - allowed
            if excess > 0:
                ids = list(approved.filter(unit=unit, date=d).order_by("-pk").values_list("pk", flat=True)[:excess])
                new_status = Status.PENDING if d >= ctx.today else Status.REJECTED
                RequestDay.objects.filter(pk__in=ids).update(status=new_status, decided_by=None,
                                                             decision_reason="")


def reset_scheduling(root: Unit) -> None:
    RequestDay.objects.filter(unit__path__startswith=root.path).delete()
    WorkRequest.objects.filter(employee__unit__path__startswith=root.path).delete()
    CoveragePolicy.objects.filter(unit__path__startswith=root.path).delete()
    from scheduling.models import FwaWindow

    FwaWindow.objects.filter(Q(units__path__startswith=root.path)).delete()


portal_demo.register_step(portal_demo.Step("scheduling-policies", seed_policies, reset_scheduling))
portal_demo.register_step(portal_demo.Step("scheduling-requests", seed_requests))
