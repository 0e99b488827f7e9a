"""Demo step for attendance: two weeks of punches (mostly on time, some late or early,
a few missing) and the day statuses derived from them, so history, recap and reports have
something true to show. Registered into ``portal.demo``; ``portal`` never imports us."""

from __future__ import annotations

import datetime as dt

from attendance.models import Punch, Source, WorkMode
from attendance.services.day_status import compute_day_statuses
from portal import demo as portal_demo
from portal.models import Employee
from portal.selectors import workcalendar
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS

MAX_PEOPLE = 5000  # beyond this the demo is a load test: punches would dominate the seed time
MODES = {"WFH": WorkMode.WFH, "WFA": WorkMode.WFA, "KANTOR_LAIN": WorkMode.OTHER_OFFICE}


def _moment(day: dt.date, hh: int, mm: int, ss: int, tz) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz)


def _punch(person, day, kind, rng, tz) -> Punch | None:
    roll = rng.random()
    if roll < 0.03:
        return None  # no punch at all: TK unless corrected
    late = rng.random() < 0.12
    arrive = (7, rng.randint(31, 59), rng.randint(0, 59)) if late else (7, rng.randint(0, 29), rng.randint(0, 59))
    leave_hour = 16 if day.weekday() < 4 else 16
    leave_min = 0 if day.weekday() < 4 else 30
    early = rng.random() < 0.05
    leave = (15, rng.randint(10, 55), 0) if early else (leave_hour, leave_min + rng.randint(0, 25), rng.randint(0, 59))
    return Punch(employee=person, unit_id=person.unit_id, date=day, work_mode=MODES.get(kind, WorkMode.WFO),
                 check_in_at=_moment(day, *arrive, tz),
                 check_out_at=None if rng.random() < 0.02 else _moment(day, *leave, tz), source=Source.WEB)


def seed_punches(ctx) -> None:
    root = ctx.institution
    tz = root.tzinfo
    days = [d for d in workcalendar.working_days(root, ctx.today - dt.timedelta(days=14), ctx.today)
            if d < ctx.today]
    people = list(Employee.objects.filter(unit__path__startswith=root.path, is_active=True)
                  .select_related("unit").order_by("pk")[:MAX_PEOPLE])
    if not days or not people:
        return
    plan = scheduling.approved_plan_for([p.pk for p in people], days[0], days[-1])
    rows = []
    for person in people:
        for day in days:
            kind = plan.get((person.pk, day))
            if kind in ABSENCE_KINDS:
                continue
            punch = _punch(person, day, kind, ctx.rng, tz)
            if punch is not None:
                rows.append(punch)
    Punch.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    compute_day_statuses(people, days[0], days[-1])
    ctx.summary["punches"] = len(rows)


def reset_attendance(root) -> None:
    from attendance.models import Correction, DayStatus, StaffingAlert, StaffingSnapshot

    for model in (DayStatus, Correction, Punch):
        model.objects.filter(employee__unit__path__startswith=root.path).delete()
    StaffingSnapshot.objects.filter(unit__path__startswith=root.path).delete()
    StaffingAlert.objects.filter(unit__path__startswith=root.path).delete()


def seed_staffing(ctx) -> None:
    from attendance.services.staffing import compute_window

    if ctx.employees <= MAX_PEOPLE:
        ctx.summary["staffing_rows"] = compute_window(ctx.today)


portal_demo.register_step(portal_demo.Step("attendance-punches", seed_punches, reset_attendance))
portal_demo.register_step(portal_demo.Step("attendance-staffing", seed_staffing))
