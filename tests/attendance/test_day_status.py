"""Day status through the real services: punches at the second, in the unit's local time."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from attendance.models import AttendanceRules, Band, BandKind, DayStatus, Punch
from attendance.services.corrections import correction_decide, correction_submit
from attendance.services.day_status import compute_day_statuses
from attendance.services.presence import punch_check_in, punch_check_out
from portal.models import AuditEvent, RamadanPeriod
from scheduling import services as scheduling
from scheduling.models import Kind
from tests.factories import EmployeeFactory, UserFactory

MONDAY = dt.date(2026, 12, 7)
FRIDAY = dt.date(2026, 12, 11)
CHRISTMAS = dt.date(2026, 12, 25)  # a Friday, national holiday from the holidays package
RAMADAN_MONDAY = dt.date(2026, 2, 23)
RAMADAN_FRIDAY = dt.date(2026, 2, 27)


def local(unit, day, hh, mm, ss=0):
    return dt.datetime.combine(day, dt.time(hh, mm, ss), tzinfo=unit.tzinfo)


def check_in(employee, moment):
    with time_machine.travel(moment, tick=False):
        punch_check_in(actor=employee.user)


def check_out(employee, moment):
    with time_machine.travel(moment, tick=False):
        punch_check_out(actor=employee.user)


def status(employee, day):
    return DayStatus.objects.get(employee=employee, date=day)


def recompute(employee, day, now):
    with time_machine.travel(now, tick=False):
        compute_day_statuses([employee], day, day)
    return status(employee, day)


@pytest.fixture(params=["bidang_p2p", "upt"], ids=["WIB", "WITA"])
def worker(request):
    """Someone in a WIB unit, then someone in the WITA UPT of the same institution."""
    unit = request.getfixturevalue(request.param)
    return EmployeeFactory(unit=unit, user=UserFactory())


@pytest.mark.parametrize(("hms", "code", "level", "minutes"), [
    ((7, 30, 0), "HADIR", None, 0),
    ((7, 30, 59), "TL", 1, 1),
    ((8, 0, 0), "TL", 1, 30),
    ((8, 0, 1), "TL", 2, 31),
    ((8, 30, 0), "TL", 2, 60),
    ((8, 30, 1), "TL", 3, 61),
    ((9, 0, 0), "TL", 3, 90),
    ((9, 0, 1), "TL", 4, 91),
])
def test_it_bands_check_in_to_the_second_in_local_time(worker, hms, code, level, minutes):
    check_in(worker, local(worker.unit, MONDAY, *hms))
    row = status(worker, MONDAY)
    assert (row.code, row.tl_level, row.tl_minutes, row.work_mode) == (code, level, minutes, "WFO")


def test_it_reads_0730_wita_as_on_time_though_it_is_sunday_in_utc(upt):
    person = EmployeeFactory(unit=upt, user=UserFactory())
    moment = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # 06:30 WIB, 07:30 WITA on Monday
    check_in(person, moment)
    assert Punch.objects.get(employee=person).date == MONDAY
    assert status(person, MONDAY).code == "HADIR"


def test_it_marks_0730_wib_late_in_a_wita_unit(upt):
    person = EmployeeFactory(unit=upt, user=UserFactory())
    check_in(person, dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))))  # 08:30 WITA
    assert (status(person, MONDAY).tl_level, status(person, MONDAY).tl_minutes) == (2, 60)


@pytest.mark.parametrize(("day", "hms", "code", "level", "minutes"), [
    (MONDAY, (16, 0, 0), "HADIR", None, 0),
    (MONDAY, (15, 59, 59), "PSW", 1, 1),
    (MONDAY, (15, 30, 0), "PSW", 1, 30),
    (MONDAY, (15, 29, 59), "PSW", 2, 31),
    (FRIDAY, (16, 30, 0), "HADIR", None, 0),
    (FRIDAY, (16, 29, 59), "PSW", 1, 1),
    (FRIDAY, (16, 0, 0), "PSW", 1, 30),
    (FRIDAY, (14, 59, 59), "PSW", 4, 91),
])
def test_it_bands_check_out_on_monday_to_thursday_and_friday(worker, day, hms, code, level, minutes):
    check_in(worker, local(worker.unit, day, 7, 0))
    check_out(worker, local(worker.unit, day, *hms))
    row = status(worker, day)
    assert (row.code, row.psw_level, row.psw_minutes, row.missing_out) == (code, level, minutes, False)


@pytest.fixture
def ramadan(db):
    return RamadanPeriod.objects.create(start=dt.date(2026, 2, 19), end=dt.date(2026, 3, 17))


@pytest.mark.parametrize(("hms", "level"), [((8, 0, 0), None), ((8, 0, 1), 1), ((8, 30, 1), 2)])
def test_it_starts_at_0800_in_ramadan(ramadan, worker, hms, level):
    check_in(worker, local(worker.unit, RAMADAN_MONDAY, *hms))
    assert status(worker, RAMADAN_MONDAY).tl_level == level


@pytest.mark.parametrize(("day", "hms", "code"), [
    (RAMADAN_MONDAY, (15, 0, 0), "HADIR"), (RAMADAN_MONDAY, (14, 59, 59), "PSW"),
    (RAMADAN_FRIDAY, (15, 30, 0), "HADIR"), (RAMADAN_FRIDAY, (15, 29, 59), "PSW"),
])
def test_it_ends_earlier_in_ramadan(ramadan, ani, day, hms, code):
    check_in(ani, local(ani.unit, day, 8, 0))
    check_out(ani, local(ani.unit, day, *hms))
    assert status(ani, day).code == code


def rules_version(institution, effective_from=dt.date(1900, 1, 1), tl=(), psw=(), **kw):
    version = AttendanceRules.objects.create(institution=institution, effective_from=effective_from, **kw)
    for kind, table in ((BandKind.TL, tl), (BandKind.PSW, psw)):
        for level, low, high, pct in table:
            Band.objects.create(rules=version, kind=kind, level=level, from_minute=low, to_minute=high,
                                deduction_percent=Decimal(pct) if pct is not None else None)
    return version


COMMON = [(1, 1, 30, "0.5"), (2, 31, 60, "1"), (3, 61, 90, "1.25"), (4, 91, None, "1.5")]


@pytest.fixture
def strict_bands(pemkot):
    """Pemkot's own TL table: 5 grace minutes, 15-minute steps, heavier deductions; PSW the common one."""
    return rules_version(pemkot, tl=[(1, 6, 15, "0.25"), (2, 16, 30, "0.75"), (3, 31, 45, "1.00"),
                                     (4, 46, None, "2.00")], psw=COMMON)


@pytest.mark.parametrize(("hms", "level", "deduction"), [
    ((7, 35, 0), None, "0"), ((7, 35, 1), 1, "0.25"), ((7, 45, 1), 2, "0.75"), ((8, 0, 1), 3, "1.00"),
    ((8, 15, 0), 3, "1.00"), ((8, 15, 1), 4, "2.00"),
])
def test_it_uses_the_institutions_band_table(strict_bands, worker, hms, level, deduction):
    check_in(worker, local(worker.unit, MONDAY, *hms))
    row = status(worker, MONDAY)
    assert (row.tl_level, row.deduction_percent) == (level, Decimal(deduction))


def test_it_keeps_the_built_in_edges_without_deductions_where_the_institution_set_none(strict_bands, ani, outsider):
    check_in(outsider, local(outsider.unit, MONDAY, 7, 50))
    row = status(outsider, MONDAY)
    assert (row.tl_level, row.deduction_percent, row.rules_version) == (1, Decimal("0"), None)
    check_in(ani, local(ani.unit, MONDAY, 7, 0))
    check_out(ani, local(ani.unit, MONDAY, 14, 59, 59))
    row = status(ani, MONDAY)
    assert (row.psw_level, row.deduction_percent, row.rules_version) == (3, Decimal("1.25"), strict_bands.pk)


def approved(employee, approver, kind, day):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        (request_day,) = scheduling.request_submit(actor=employee.user, kind=kind, dates=[day],
                                                   reason="keperluan keluarga").days
        scheduling.request_day_approve(actor=approver.user, day_id=request_day.pk)
    return request_day


def test_it_marks_a_late_wfh_day_as_wfh_and_late(ani, kabid):
    approved(ani, kabid, Kind.WFH, MONDAY)
    check_in(ani, local(ani.unit, MONDAY, 8, 10))
    row = status(ani, MONDAY)
    assert (row.code, row.work_mode, row.tl_level, row.tl_minutes) == ("TL", "WFH", 2, 40)
    assert Punch.objects.get(employee=ani).work_mode == "WFH"


def test_it_records_a_holiday_punch_as_off_schedule(ani):
    check_in(ani, local(ani.unit, CHRISTMAS, 8, 0))
    row = status(ani, CHRISTMAS)
    assert (row.code, row.off_schedule, row.note, row.tl_level, row.deduction_percent) == (
        "LUAR_JADWAL", True, "Hari Raya Natal", None, 0)


def test_it_records_a_weekend_punch_as_off_schedule(ani):
    saturday = MONDAY - dt.timedelta(days=2)
    check_in(ani, local(ani.unit, saturday, 9, 0))
    row = status(ani, saturday)
    assert (row.code, row.off_schedule, row.note) == ("LUAR_JADWAL", True, "presensi di luar jadwal kerja")


def test_it_marks_cuti_bersama_without_a_punch(ani):
    row = recompute(ani, CHRISTMAS - dt.timedelta(days=1), local(ani.unit, CHRISTMAS, 9, 0))
    assert (row.code, row.note) == ("CUTI_BERSAMA", "Cuti Bersama Hari Raya Natal")


def test_it_marks_an_approved_leave_without_a_punch_as_leave_not_tk(ani, kabid):
    approved(ani, kabid, Kind.CT, MONDAY)
    row = recompute(ani, MONDAY, local(ani.unit, MONDAY + dt.timedelta(days=1), 9, 0))
    assert (row.code, row.absence_kind, row.deduction_percent) == ("CT", "CT", 0)


def test_it_marks_tk_for_a_past_working_day_with_nothing(ani):
    row = recompute(ani, MONDAY, local(ani.unit, MONDAY + dt.timedelta(days=1), 0, 0, 1))
    assert (row.code, row.work_mode, row.missing_in, row.tl_level) == ("TK", "WFO", False, None)


def test_it_waits_until_the_local_day_is_over(upt):
    person = EmployeeFactory(unit=upt, user=UserFactory())
    assert recompute(person, MONDAY, local(upt, MONDAY, 23, 59, 59)).code == "BELUM"
    # 00:00 WITA Tuesday is still Monday 23:00 in WIB, but this unit's Monday is over.
    assert recompute(person, MONDAY, local(upt, MONDAY + dt.timedelta(days=1), 0, 0)).code == "TK"


def test_it_marks_a_missing_check_out_once_the_day_is_over(ani, pemkot):
    rules_version(pemkot, tl=COMMON, psw=COMMON)
    check_in(ani, local(ani.unit, MONDAY, 7, 20))
    assert status(ani, MONDAY).code == "HADIR"
    row = recompute(ani, MONDAY, local(ani.unit, MONDAY + dt.timedelta(days=1), 7, 0))
    assert (row.code, row.psw_level, row.missing_out, row.deduction_percent) == ("PSW", 4, True, Decimal("1.5"))


def test_it_marks_a_missing_check_in_as_tl4(ani):
    check_out(ani, local(ani.unit, MONDAY, 16, 5))
    row = status(ani, MONDAY)
    assert (row.code, row.tl_level, row.missing_in) == ("TL", 4, True)


def test_it_uses_an_approved_correction_but_keeps_the_punch(ani, kabid):
    check_in(ani, local(ani.unit, MONDAY, 8, 10))
    check_out(ani, local(ani.unit, MONDAY, 16, 5))
    assert status(ani, MONDAY).tl_level == 2
    with time_machine.travel(local(ani.unit, MONDAY + dt.timedelta(days=1), 9, 0), tick=False):
        correction = correction_submit(actor=ani.user, date=MONDAY, check_in=dt.time(7, 25),
                                       reason="Server presensi gangguan pagi itu")
        correction_decide(actor=kabid.user, correction_id=correction.pk, approve=True)
    row = status(ani, MONDAY)
    assert (row.code, row.tl_level, row.tl_minutes) == ("HADIR", None, 0)
    punch = Punch.objects.get(employee=ani, date=MONDAY)
    assert punch.check_in_at == local(ani.unit, MONDAY, 8, 10)
    assert AuditEvent.objects.filter(verb="correction.approved", object_id=str(correction.pk)).exists()
