"""Working patterns, shifts, rosters, records windows and rule versions through the real services.

Every test punches through the check-in/check-out services at a frozen instant and reads the
stored DayStatus, so the schedule read, the day a punch belongs to and the derivation are
checked together.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from attendance.models import AttendanceRules, Band, BandKind, DayStatus, Punch, RosterEntry, Shift
from attendance.services import attendance_rules
from attendance.services.attendance_rules import BandData, RulesData
from attendance.services.day_status import compute_day_statuses
from attendance.services.presence import punch_check_in, punch_check_out
from attendance.services.recompute import recompute_institution
from portal.models import MonthClosure, WorkPattern
from portal.services.calendar import PatternDayData, work_pattern_save
from portal.services.org import employee_save
from tests.factories import EmployeeFactory, HRAdminScopeFactory, UserFactory, working_hours

MONDAY = dt.date(2026, 12, 7)
SATURDAY = dt.date(2026, 12, 12)
CHRISTMAS = dt.date(2026, 12, 25)  # Friday, national holiday


def local(unit, day, hh, mm, ss=0):
    return dt.datetime.combine(day, dt.time(hh, mm, ss), tzinfo=unit.tzinfo)


def punch(employee, moment, kind):
    with time_machine.travel(moment, tick=False):
        (punch_check_in if kind == "in" else punch_check_out)(actor=employee.user)


def status(employee, day):
    return DayStatus.objects.filter(employee=employee, date=day).first()


def compute(people, start, end, now):
    with time_machine.travel(now, tick=False):
        compute_day_statuses(people, start, end)


@pytest.fixture
def six_day_upt(upt):
    """The UPT works Monday to Saturday; Saturday 07:30–13:00 (WITA)."""
    for wd in range(5):
        working_hours(upt, wd, dt.time(7, 30), dt.time(14, 30), 30)
    working_hours(upt, 5, dt.time(7, 30), dt.time(13, 0), 0)
    return upt


@pytest.fixture
def nurse(upt):
    return EmployeeFactory(unit=upt, user=UserFactory(), name="Perawat Malam")


@pytest.fixture
def night_shift(upt, hr):
    """The UPT becomes a shift unit (a roster decides every day; no weekly hours)."""
    WorkPattern.objects.create(unit=upt, effective_from=dt.date(1900, 1, 1), kind="shift")
    return Shift.objects.create(unit=upt, code="M", name="Malam", start=dt.time(21), end=dt.time(7),
                                ends_next_day=True)


@pytest.fixture
def hr_pemkot(pemkot):
    """BKPSDM: HR admin of the whole institution (rules versions are the institution's)."""
    user = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def roster(employee, day, shift, author):
    RosterEntry.objects.update_or_create(employee=employee, date=day, defaults={"shift": shift, "updated_by": author})


# --- Patterns -----------------------------------------------------------------------------------


def test_a_unit_pattern_gives_its_staff_saturdays_and_its_own_hours(six_day_upt, ani):
    worker = EmployeeFactory(unit=six_day_upt, user=UserFactory())
    punch(worker, local(six_day_upt, SATURDAY, 7, 25), "in")
    punch(worker, local(six_day_upt, SATURDAY, 12, 45), "out")
    row = status(worker, SATURDAY)
    assert (row.code, row.psw_level, row.psw_minutes, row.off_schedule) == ("PSW", 1, 15, False)
    assert row.pattern_version == WorkPattern.objects.get(unit=six_day_upt).pk
    punch(ani, local(ani.unit, SATURDAY, 7, 25), "in")  # the parent's staff still work Monday to Friday
    assert status(ani, SATURDAY).code == "LUAR_JADWAL"


def test_a_flexible_window_from_the_pattern(bidang_p2p, ani):
    for wd in range(5):
        working_hours(bidang_p2p, wd, dt.time(7, 0), dt.time(15, 30), 60, flex_until=dt.time(8, 30))
    punch(ani, local(ani.unit, MONDAY, 8, 15), "in")
    punch(ani, local(ani.unit, MONDAY, 16, 45), "out")
    row = status(ani, MONDAY)
    assert (row.code, row.tl_level, row.psw_level) == ("HADIR", None, None)  # not TL2 any more


def test_a_later_pattern_version_never_rewrites_the_days_before_it(bidang_p2p, ani, hr,
                                                                   django_capture_on_commit_callbacks):
    punch(ani, local(ani.unit, MONDAY, 7, 10), "in")
    punch(ani, local(ani.unit, MONDAY, 16, 0), "out")
    assert status(ani, MONDAY).code == "HADIR"
    tuesday = MONDAY + dt.timedelta(days=1)
    days = [PatternDayData(wd, dt.time(7, 0), dt.time(15, 30), 60) for wd in range(5)]
    with time_machine.travel(local(ani.unit, tuesday, 12, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            work_pattern_save(actor=hr, unit=bidang_p2p, pattern=None, effective_from=tuesday, kind="weekly",
                              flex_until=None, note="mulai jam 07.00", days=days)
        recompute_institution(None, MONDAY - dt.timedelta(days=30), tuesday)  # the nightly pass too
    row = status(ani, MONDAY)
    assert (row.code, row.tl_level, row.pattern_version) == ("HADIR", None, None)  # Perpres hours still


# --- Shifts over midnight ----------------------------------------------------------------------


def test_a_night_shift_check_in_and_next_morning_check_out_are_one_day(nurse, night_shift, hr, upt):
    roster(nurse, MONDAY, night_shift, hr)
    punch(nurse, local(upt, MONDAY, 20, 55), "in")
    punch(nurse, local(upt, MONDAY + dt.timedelta(days=1), 7, 3), "out")
    assert list(Punch.objects.filter(employee=nurse).values_list("date", flat=True)) == [MONDAY]
    compute([nurse], MONDAY, MONDAY + dt.timedelta(days=1), local(upt, MONDAY + dt.timedelta(days=2), 9, 0))
    row = status(nurse, MONDAY)
    assert (row.code, row.shift_code, row.tl_level, row.psw_level) == ("HADIR", "M", None, None)
    assert status(nurse, MONDAY + dt.timedelta(days=1)) is None  # a shift unit without a roster entry: no day


def test_a_late_check_in_after_midnight_belongs_to_the_shift_it_opens(nurse, night_shift, hr, upt):
    roster(nurse, MONDAY, night_shift, hr)
    punch(nurse, local(upt, MONDAY + dt.timedelta(days=1), 0, 10), "in")  # 3 h 10 min late
    assert Punch.objects.get(employee=nurse).date == MONDAY
    assert (status(nurse, MONDAY).tl_level, status(nurse, MONDAY).tl_minutes) == (4, 190)


def test_a_check_out_after_midnight_closes_the_day_still_open(ani):
    punch(ani, local(ani.unit, MONDAY, 7, 20), "in")
    punch(ani, local(ani.unit, MONDAY + dt.timedelta(days=1), 0, 40), "out")  # overtime past midnight
    assert list(Punch.objects.filter(employee=ani).values_list("date", flat=True)) == [MONDAY]
    assert status(ani, MONDAY).code == "HADIR"
    tuesday = status(ani, MONDAY + dt.timedelta(days=1))
    assert tuesday is None or tuesday.code != "HADIR"


def test_a_lone_check_out_after_midnight_is_flagged_not_present(ani):
    tuesday = MONDAY + dt.timedelta(days=1)
    punch(ani, local(ani.unit, tuesday, 0, 30), "out")  # nobody came on Monday evening
    row = status(ani, tuesday)
    assert (row.code, row.implausible) == ("TK", True)


def test_rostered_holiday_duty_is_a_working_day(nurse, hr, upt):
    morning = Shift.objects.create(unit=upt, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    roster(nurse, CHRISTMAS, morning, hr)
    punch(nurse, local(upt, CHRISTMAS, 6, 55), "in")
    punch(nurse, local(upt, CHRISTMAS, 14, 5), "out")
    row = status(nurse, CHRISTMAS)
    assert (row.code, row.holiday_duty, row.shift_code, row.off_schedule) == ("HADIR", True, "P", False)


def test_a_rostered_day_off_has_no_status(ani, hr):
    roster(ani, MONDAY, None, hr)
    compute([ani], MONDAY, MONDAY, local(ani.unit, MONDAY + dt.timedelta(days=1), 9, 0))
    assert status(ani, MONDAY) is None


# --- Records window -----------------------------------------------------------------------------


def test_no_status_before_the_records_start_or_after_the_end(ani, kabid, hr):
    ani.records_start = MONDAY + dt.timedelta(days=2)
    ani.records_end = MONDAY + dt.timedelta(days=3)
    ani.save()
    compute([ani], MONDAY, MONDAY + dt.timedelta(days=4), local(ani.unit, MONDAY + dt.timedelta(days=5), 9, 0))
    assert list(DayStatus.objects.filter(employee=ani).order_by("date").values_list("date", "code")) == [
        (MONDAY + dt.timedelta(days=2), "TK"), (MONDAY + dt.timedelta(days=3), "TK")]


def test_the_institutions_go_live_removes_earlier_days(ani, pemkot):
    compute([ani], MONDAY, MONDAY + dt.timedelta(days=4), local(ani.unit, MONDAY + dt.timedelta(days=5), 9, 0))
    assert DayStatus.objects.filter(employee=ani).count() == 5
    pemkot.attendance_from = MONDAY + dt.timedelta(days=3)
    pemkot.save()
    ani.refresh_from_db()
    compute([ani], MONDAY, MONDAY + dt.timedelta(days=4), local(ani.unit, MONDAY + dt.timedelta(days=5), 9, 0))
    assert sorted(DayStatus.objects.filter(employee=ani).values_list("date", flat=True)) == [
        MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=4)]


def test_setting_a_records_end_recomputes_through_the_service(ani, hr, django_capture_on_commit_callbacks):
    compute([ani], MONDAY, MONDAY + dt.timedelta(days=4), local(ani.unit, MONDAY + dt.timedelta(days=5), 9, 0))
    with time_machine.travel(local(ani.unit, MONDAY + dt.timedelta(days=5), 10, 0), tick=False):
        ani.records_end, ani.records_end_reason = MONDAY + dt.timedelta(days=1), "pensiun"
        with django_capture_on_commit_callbacks(execute=True):
            employee_save(actor=hr, employee=ani)
    assert sorted(DayStatus.objects.filter(employee=ani).values_list("date", flat=True)) == [
        MONDAY, MONDAY + dt.timedelta(days=1)]


# --- Rules versions and closed months ----------------------------------------------------------


def rules_data(effective_from, **kw):
    base = dict(effective_from=effective_from, min_stay_minutes=60, latest_check_in_minutes=None,
                implausible_status="TK", tk_deduction_percent=Decimal("3"), daily_cap_percent=None)
    return RulesData(**{**base, **kw})


def bands(deduction):
    return [BandData(kind, level, lo, hi, Decimal(deduction)) for kind in (BandKind.TL, BandKind.PSW)
            for level, lo, hi in ((1, 1, 30), (2, 31, 60), (3, 61, 90), (4, 91, None))]


def test_a_rules_change_never_alters_a_day_before_its_effective_date(ani, pemkot, hr_pemkot,
                                                                    django_capture_on_commit_callbacks):
    hr = hr_pemkot
    punch(ani, local(ani.unit, MONDAY, 7, 45), "in")
    punch(ani, local(ani.unit, MONDAY, 16, 0), "out")
    wednesday = MONDAY + dt.timedelta(days=2)
    punch(ani, local(ani.unit, wednesday, 7, 45), "in")
    with time_machine.travel(local(ani.unit, wednesday, 12, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            attendance_rules.attendance_rules_save(actor=hr, institution=pemkot, version=None,
                                                   data=rules_data(MONDAY + dt.timedelta(days=1)), bands=bands("2"))
    version = AttendanceRules.objects.get()
    assert (status(ani, MONDAY).deduction_percent, status(ani, MONDAY).rules_version) == (Decimal("0"), None)
    assert (status(ani, wednesday).deduction_percent, status(ani, wednesday).rules_version) == (Decimal("2"),
                                                                                                version.pk)


def test_a_closed_month_is_never_recomputed_and_refuses_rules_that_start_in_it(ani, pemkot, hr_pemkot):
    hr = hr_pemkot
    november = dt.date(2026, 11, 2)
    punch(ani, local(ani.unit, november, 7, 45), "in")
    punch(ani, local(ani.unit, november, 16, 0), "out")
    before = status(ani, november)
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 11, 1), requested_by=hr,
                                closed_at=timezone.now())
    Band.objects.all().delete()
    with time_machine.travel(local(ani.unit, MONDAY, 9, 0), tick=False):
        with pytest.raises(ValidationError) as refused:
            attendance_rules.attendance_rules_save(actor=hr, institution=pemkot, version=None,
                                                   data=rules_data(dt.date(2026, 11, 15)), bands=bands("2"))
        assert "ditutup" in str(refused.value)
        assert not AttendanceRules.objects.exists()
        attendance_rules.attendance_rules_save(actor=hr, institution=pemkot, version=None,
                                               data=rules_data(dt.date(2026, 10, 1)), bands=bands("2"))
        Punch.objects.filter(employee=ani, date=november).update(check_in_at=local(ani.unit, november, 9, 30))
        recompute_institution(pemkot.pk, dt.date(2026, 10, 1), MONDAY)
    after = status(ani, november)
    assert (after.tl_level, after.deduction_percent, after.computed_at) == (
        before.tl_level, before.deduction_percent, before.computed_at)


def test_a_pattern_starting_in_a_closed_month_is_refused(bidang_p2p, pemkot, hr):
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 11, 1), requested_by=hr, closed_at=timezone.now())
    days = [PatternDayData(wd, dt.time(7), dt.time(15), 60) for wd in range(5)]
    with time_machine.travel(local(pemkot, MONDAY, 9, 0), tick=False), pytest.raises(ValidationError):
        work_pattern_save(actor=hr, unit=bidang_p2p, pattern=None, effective_from=dt.date(2026, 11, 20),
                          kind="weekly", flex_until=None, note="", days=days)
    assert not WorkPattern.objects.exists()


# --- Cost -------------------------------------------------------------------------------------


def _units_with_staff(parent, n_units, per_unit):
    from portal.models import UnitKind
    from tests.factories import UnitFactory

    people = []
    for i in range(n_units):
        unit = UnitFactory(code=f"SEKSI-{parent.pk}-{n_units}-{i}", name=f"Seksi {i}", kind=UnitKind.SEKSI,
                           parent=parent)
        people += [EmployeeFactory(unit=unit, user=UserFactory()) for _ in range(per_unit)]
    return people


def test_computing_costs_the_same_queries_for_ten_units_or_forty(bidang_p2p):
    """The cost of a batch must not grow with the units in it (time zones, patterns, holidays are
    read once per batch): 100,000 people in 2,000 units would otherwise cost a query per unit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.models import Employee

    now = local(bidang_p2p, MONDAY + dt.timedelta(days=5), 9, 0)

    def cost(people):
        fresh = list(Employee.objects.filter(pk__in=[p.pk for p in people]).select_related("unit"))
        with CaptureQueriesContext(connection) as captured:
            compute(fresh, MONDAY, MONDAY + dt.timedelta(days=4), now)
        return len(captured)

    # The same 80 people (the same rows to write) in 40 units or in 10.
    assert cost(_units_with_staff(bidang_p2p, 40, 2)) == cost(_units_with_staff(bidang_p2p, 10, 8))
