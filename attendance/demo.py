"""Demo steps for attendance: the institution's rules (with deductions marked as a demo
example), a six-day puskesmas whose nurses work a shift roster (one shift over midnight), two
weeks of punches around each person's own schedule (mostly on time, some late or early, a few
missing) and the day statuses derived from them, so history, recap and reports have something
true to show. Registered into ``portal.demo``; ``portal`` never imports us."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attendance.models import AttendanceRules, Band, BandKind, Punch, RosterEntry, Shift, Source, WorkMode
from attendance.selectors.schedule import Schedules
from attendance.services.day_status import compute_day_statuses
from portal import demo as portal_demo
from portal.models import Employee, MonthClosure, PatternKind, Unit, User, WorkPattern, WorkPatternDay
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS

MAX_PEOPLE = 5000  # beyond this the demo is a load test: punches would dominate the seed time
MODES = {"WFH": WorkMode.WFH, "WFA": WorkMode.WFA, "KANTOR_LAIN": WorkMode.OTHER_OFFICE}


def _moment(day: dt.date, hh: int, mm: int, ss: int, tz) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz)


def _punch(person, day, kind, schedule, rng) -> Punch | None:
    """A punch around the person's scheduled hours: mostly on time, some late or early."""
    roll = rng.random()
    if roll < 0.03:
        return None  # no punch at all: TK unless corrected
    late = rng.random() < 0.12
    arrive = schedule.start + dt.timedelta(seconds=rng.randint(60, 29 * 60) if late else -rng.randint(0, 29 * 60))
    early = rng.random() < 0.05
    leave = schedule.end - dt.timedelta(minutes=rng.randint(5, 50)) if early else \
        schedule.end + dt.timedelta(seconds=rng.randint(0, 25 * 60))
    return Punch(employee=person, unit_id=person.unit_id, date=day, work_mode=MODES.get(kind, WorkMode.WFO),
                 check_in_at=arrive, check_out_at=None if rng.random() < 0.02 else leave, source=Source.WEB)


def seed_punches(ctx) -> None:
    root = ctx.institution
    first = max(ctx.today - dt.timedelta(days=14), root.attendance_from or ctx.today - dt.timedelta(days=14))
    last = ctx.today - dt.timedelta(days=1)
    people = list(Employee.objects.filter(unit__path__startswith=root.path, is_active=True)
                  .select_related("unit").order_by("pk")[:MAX_PEOPLE])
    if last < first or not people:
        return
    plan = scheduling.approved_plan_for([p.pk for p in people], first, last)
    schedules = Schedules(people, first, last)
    rows = []
    for person in people:
        unit = schedules.units[person.unit_id]
        for i in range((last - first).days + 1):
            day = first + dt.timedelta(days=i)
            kind = plan.get((person.pk, day))
            schedule = schedules.planned(person.pk, unit, day).schedule(day, unit.tzinfo)
            if kind in ABSENCE_KINDS or schedule is None or not schedules.counts(person.pk, day):
                continue
            punch = _punch(person, day, kind, schedule, ctx.rng)
            if punch is not None:
                rows.append(punch)
    Punch.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    compute_day_statuses(people, first, last)
    ctx.summary["punches"] = len(rows)


# --- Rules, a six-day puskesmas and its shift roster -------------------------------------------

DEMO_BASIS = "CONTOH DEMO, bukan dasar hukum: ganti dengan Perkada/peraturan pimpinan instansi Anda"
DEMO_BANDS = [(1, 1, 30, "0.50"), (2, 31, 60, "1.00"), (3, 61, 90, "1.25"), (4, 91, None, "1.50")]
SHIFTS = [("P", "Pagi", dt.time(7), dt.time(14), False), ("S", "Sore", dt.time(14), dt.time(21), False),
          ("M", "Malam", dt.time(21), dt.time(7), True)]
ROTATION = ["P", "P", "S", "S", "M", "M", "L", "L"]  # eight-day cycle: two of each, two days off


def _go_live(ctx) -> dt.date:
    return ctx.institution.attendance_from or (ctx.today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)


def seed_rules(ctx) -> None:
    """The institution's rules from go-live, with example deductions labelled as such."""
    rules = AttendanceRules.objects.create(
        institution=ctx.institution, effective_from=_go_live(ctx), min_stay_minutes=60,
        latest_check_in_minutes=240, tk_deduction_percent=Decimal("3.00"), daily_cap_percent=Decimal("3.00"),
        legal_basis=DEMO_BASIS, note="contoh")
    Band.objects.bulk_create([Band(rules=rules, kind=kind, level=level, from_minute=lo, to_minute=hi,
                                   deduction_percent=Decimal(d))
                              for kind in (BandKind.TL, BandKind.PSW) for level, lo, hi, d in DEMO_BANDS])


def seed_puskesmas_shifts(ctx) -> None:
    """The demo puskesmas works six days a week and its nurses a shift roster (P, S, M over
    midnight, days off), this month and last."""
    unit = Unit.objects.filter(code=portal_demo.UPT_PUSKESMAS_CODE).first()
    if unit is None:
        return
    go_live = _go_live(ctx)
    pattern = WorkPattern.objects.create(unit=unit, effective_from=go_live, kind=PatternKind.SHIFT,
                                         note="puskesmas: enam hari kerja, perawat bergiliran shift")
    week = [(wd, dt.time(7, 30), dt.time(14, 30), 30) for wd in range(4)]
    week += [(4, dt.time(7, 30), dt.time(11, 30), 0), (5, dt.time(7, 30), dt.time(13, 0), 0)]
    WorkPatternDay.objects.bulk_create([WorkPatternDay(pattern=pattern, weekday=wd, start=a, end=b, break_minutes=m)
                                        for wd, a, b, m in week])
    shifts = {code: Shift.objects.create(unit=unit, code=code, name=name, start=a, end=b, ends_next_day=next_day)
              for code, name, a, b, next_day in SHIFTS}
    nurses = list(Employee.objects.filter(unit=unit, is_active=True, jabatan__icontains="perawat").order_by("pk"))
    author = User.objects.filter(username="hr.bkpsdm").first() or nurses[0].user if nurses else None
    first = max(go_live, (ctx.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1))
    last = (ctx.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    entries = []
    for n, nurse in enumerate(nurses):
        for i in range((last - first).days + 1):
            code = ROTATION[(i + 2 * n) % len(ROTATION)]
            entries.append(RosterEntry(employee=nurse, date=first + dt.timedelta(days=i),
                                       shift=None if code == "L" else shifts[code], updated_by=author))
    RosterEntry.objects.bulk_create(entries, batch_size=2000)
    ctx.summary["roster_entries"] = len(entries)


def reset_attendance(root) -> None:
    from attendance.models import (
        Correction,
        DayStatus,
        PartialPermission,
        StaffingAlert,
        StaffingSnapshot,
        TkNotice,
    )

    for model in (DayStatus, Correction, Punch, PartialPermission, RosterEntry, TkNotice):
        model.objects.filter(employee__unit__path__startswith=root.path).delete()
    MonthClosure.objects.filter(unit__path__startswith=root.path).delete()
    StaffingSnapshot.objects.filter(unit__path__startswith=root.path).delete()
    StaffingAlert.objects.filter(unit__path__startswith=root.path).delete()


def seed_staffing(ctx) -> None:
    from attendance.services.staffing import compute_window

    if ctx.employees <= MAX_PEOPLE:
        ctx.summary["staffing_rows"] = compute_window(ctx.today)


portal_demo.register_step(portal_demo.Step("attendance-rules", seed_rules))
portal_demo.register_step(portal_demo.Step("attendance-shifts", seed_puskesmas_shifts))
portal_demo.register_step(portal_demo.Step("attendance-punches", seed_punches, reset_attendance))
portal_demo.register_step(portal_demo.Step("attendance-staffing", seed_staffing))
