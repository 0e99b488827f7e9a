"""The work calendar against the ``holidays`` package, with HR overrides and hours."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from portal.models import CalendarOverride, OverrideKind, RamadanPeriod, UnitKind
from portal.selectors import workcalendar
from portal.selectors.workcalendar import DayKind
from tests.factories import UnitFactory, working_hours

D = dt.date
pytestmark = pytest.mark.django_db  # national overrides are read even without a unit


def _package(year: int, *categories: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("ID", years=year, categories=categories, language="id"))


def _all_days(year: int) -> list[dt.date]:
    return [D(year, 1, 1) + dt.timedelta(days=i) for i in range((D(year + 1, 1, 1) - D(year, 1, 1)).days)]


@pytest.fixture
def seksi_deep(bidang_p2p):
    """A unit at depth 4 (pemkot → dinkes → bidang → seksi → sub-seksi)."""
    seksi = UnitFactory(code="P2P-SEKSI", kind=UnitKind.SEKSI, parent=bidang_p2p)
    return UnitFactory(code="P2P-SEKSI-SUB", kind=UnitKind.SEKSI, parent=seksi)


@pytest.fixture
def six_day(pemprov_lain):
    """pemprov_lain works Monday to Saturday, shorter days."""
    for wd in range(5):
        working_hours(pemprov_lain, wd, dt.time(7, 30), dt.time(14, 30), 30)
    working_hours(pemprov_lain, 5, dt.time(7, 30), dt.time(12, 0), 0)
    return pemprov_lain


def _override(day, kind, name="Penyesuaian", institution=None):
    return CalendarOverride.objects.create(institution=institution, date=day, kind=kind, name=name)


# --- national calendar from the package ---------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_never_makes_a_package_holiday_a_working_day(bidang_p2p, year):
    package = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    assert len(package) >= 25  # the package really answered with both categories
    working = set(workcalendar.working_days(bidang_p2p, D(year, 1, 1), D(year, 12, 31)))
    off = workcalendar.holidays_between(bidang_p2p, D(year, 1, 1), D(year, 12, 31))

    assert not working & set(package)
    assert set(package) <= set(off)
    for day in package:
        assert not workcalendar.is_working_day(bidang_p2p, day)


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_labels_cuti_bersama_and_public_holidays_as_the_package_does(year):
    public, government = _package(year, "public"), _package(year, "government")
    assert government  # cuti bersama exist only in the government category
    off = workcalendar.holidays_between(None, D(year, 1, 1), D(year, 12, 31))

    assert {d for d, h in off.items() if h.kind == DayKind.CUTI_BERSAMA} == set(government) - set(public)
    assert {d for d, h in off.items() if h.kind == DayKind.HOLIDAY} == set(public)


@pytest.mark.parametrize(
    "day",
    [D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24), D(2026, 12, 24), D(2026, 2, 16),
     D(2025, 1, 28), D(2025, 4, 2), D(2025, 4, 7), D(2025, 8, 18), D(2025, 12, 26)],
)
def test_it_knows_the_cuti_bersama_days(day):
    holiday = workcalendar.holidays_between(None, day, day)[day]
    assert holiday.kind == DayKind.CUTI_BERSAMA
    assert holiday.name.startswith("Cuti Bersama")
    assert not workcalendar.is_working_day(None, day)


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2025, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
        (D(2025, 12, 25), "Hari Raya Natal"),
        (D(2026, 3, 19), "Hari Suci Nyepi"),
        (D(2026, 3, 21), "Hari Raya Idul Fitri"),
        (D(2026, 1, 1), "Tahun Baru Masehi"),
        (D(2026, 3, 24), "Cuti Bersama Hari Raya Idul Fitri"),
    ],
)
def test_it_names_holidays_in_indonesian(day, name):
    holiday = workcalendar.holidays_between(None, day, day)[day]
    assert holiday.name == name


def test_it_never_works_on_weekends_by_default(bidang_p2p):
    working = workcalendar.working_days(bidang_p2p, D(2026, 1, 1), D(2026, 12, 31))
    assert working
    assert {d.weekday() for d in working} == {0, 1, 2, 3, 4}
    assert not workcalendar.is_working_day(bidang_p2p, D(2026, 3, 7))  # a plain Saturday
    assert not workcalendar.is_working_day(bidang_p2p, D(2026, 3, 8))
    assert workcalendar.is_working_day(bidang_p2p, D(2026, 3, 9))


def test_it_counts_working_days_of_march_2026_like_the_package(bidang_p2p):
    start, end = D(2026, 3, 1), D(2026, 3, 31)
    package = holidays.country_holidays("ID", years=2026, categories=("public", "government"))
    expected = [d for d in (start + dt.timedelta(days=i) for i in range(31))
                if d.weekday() < 5 and d not in package]

    assert workcalendar.working_days(bidang_p2p, start, end) == expected
    # By hand: 22 weekdays; off are Wed 18 (cuti bersama Nyepi), Thu 19 (Nyepi),
    # Fri 20, Mon 23, Tue 24 (cuti bersama Idul Fitri); 21-22 (Idul Fitri) are a weekend.
    assert len(expected) == 17


def test_it_counts_working_days_of_april_2025_by_hand(dinkes):
    # 22 weekdays; off: Tue 1 (Idul Fitri day 2), Wed 2 - Fri 4 and Mon 7 (cuti bersama),
    # Fri 18 (Good Friday). Easter on Sunday 20 costs nothing.
    assert len(workcalendar.working_days(dinkes, D(2025, 4, 1), D(2025, 4, 30))) == 16


def test_it_counts_across_a_year_end(dinkes):
    days = workcalendar.working_days(dinkes, D(2025, 12, 24), D(2026, 1, 2))
    # 25 Natal, 26 cuti bersama, 27-28 weekend, 1 Jan new year.
    assert days == [D(2025, 12, 24), D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 2)]


def test_it_returns_nothing_for_a_reversed_range(dinkes):
    assert workcalendar.working_days(dinkes, D(2026, 3, 31), D(2026, 3, 1)) == []


# --- overrides -----------------------------------------------------------------------


def test_it_adds_an_institution_holiday_only_for_that_institution(pemkot, seksi_deep, pemprov_lain):
    day = D(2026, 3, 10)  # an ordinary Tuesday
    _override(day, OverrideKind.HOLIDAY, "Hari Jadi Kota", institution=pemkot)

    assert not workcalendar.is_working_day(pemkot, day)
    assert not workcalendar.is_working_day(seksi_deep, day)  # deep sub-unit follows its instansi
    assert workcalendar.holidays_between(seksi_deep, day, day)[day] == workcalendar.Holiday(
        day, "Hari Jadi Kota", DayKind.HOLIDAY
    )
    assert workcalendar.is_working_day(pemprov_lain, day)
    assert workcalendar.is_working_day(None, day)


def test_it_lets_an_institution_work_on_a_national_holiday(pemkot, bidang_p2p, pemprov_lain):
    nyepi = D(2026, 3, 19)
    _override(nyepi, OverrideKind.WORKING_DAY, "Tetap masuk", institution=pemkot)

    assert workcalendar.is_working_day(bidang_p2p, nyepi)
    assert not workcalendar.is_working_day(pemprov_lain, nyepi)


def test_it_moves_a_holiday_with_two_overrides(pemkot, bidang_p2p, pemprov_lain):
    old, new = D(2026, 8, 25), D(2026, 8, 28)  # Maulid Nabi, Tuesday → Friday
    _override(old, OverrideKind.WORKING_DAY, "Maulid dipindah", institution=pemkot)
    _override(new, OverrideKind.HOLIDAY, "Maulid Nabi Muhammad (pindahan)", institution=pemkot)
    august = (D(2026, 8, 1), D(2026, 8, 31))

    moved = workcalendar.working_days(bidang_p2p, *august)
    unmoved = workcalendar.working_days(pemprov_lain, *august)
    assert len(moved) == len(unmoved)
    assert old in moved and new not in moved
    assert new in unmoved and old not in unmoved


def test_it_applies_a_national_override_to_every_institution(pemkot, upt, pemprov_lain):
    election = D(2026, 4, 15)
    _override(election, OverrideKind.HOLIDAY, "Libur pemungutan suara")

    for unit in (pemkot, upt, pemprov_lain, None):
        assert not workcalendar.is_working_day(unit, election)


def test_it_lets_an_institution_override_beat_the_national_one(pemkot, upt, pemprov_lain):
    election, nyepi = D(2026, 4, 15), D(2026, 3, 19)
    _override(election, OverrideKind.HOLIDAY, "Libur pemungutan suara")
    _override(election, OverrideKind.WORKING_DAY, "Pelayanan tetap buka", institution=pemkot)
    _override(nyepi, OverrideKind.WORKING_DAY, "Nyepi dipindah")
    _override(nyepi, OverrideKind.CUTI_BERSAMA, "Cuti bersama daerah", institution=pemkot)

    assert workcalendar.is_working_day(upt, election)
    assert not workcalendar.is_working_day(pemprov_lain, election)
    assert workcalendar.holidays_between(upt, nyepi, nyepi)[nyepi].kind == DayKind.CUTI_BERSAMA
    assert workcalendar.is_working_day(pemprov_lain, nyepi)


def test_it_keeps_a_national_move_when_an_institution_marks_an_fwa_day(pemkot, bidang_p2p):
    # An FWA day says "work flexibly", not "holiday": it must not undo the national
    # decision that 24 March 2026 is a working day again.
    day = D(2026, 3, 24)
    _override(day, OverrideKind.WORKING_DAY, "Cuti bersama dibatalkan")
    _override(day, OverrideKind.FWA_DAY, "SE MenPAN-RB 2/2026", institution=pemkot)

    assert workcalendar.is_working_day(bidang_p2p, day)
    assert workcalendar.fwa_days(bidang_p2p, day, day) == {day: "SE MenPAN-RB 2/2026"}


def test_it_lists_national_fwa_days_unless_the_institution_decides_otherwise(pemkot, bidang_p2p, pemprov_lain):
    fwa, other = D(2026, 3, 25), D(2026, 3, 26)
    _override(fwa, OverrideKind.FWA_DAY, "SE MenPAN-RB 2/2026")
    _override(other, OverrideKind.FWA_DAY, "SE MenPAN-RB 2/2026")
    _override(other, OverrideKind.HOLIDAY, "Libur daerah", institution=pemkot)

    assert workcalendar.fwa_days(bidang_p2p, fwa, other) == {fwa: "SE MenPAN-RB 2/2026"}
    assert set(workcalendar.fwa_days(pemprov_lain, fwa, other)) == {fwa, other}
    assert workcalendar.is_working_day(bidang_p2p, fwa)  # an FWA day is still a working day


# --- working hours -------------------------------------------------------------------


def test_it_uses_the_perpres_hours_without_rows(bidang_p2p):
    monday, friday = D(2026, 4, 6), D(2026, 4, 10)
    assert workcalendar.hours_on(bidang_p2p, monday).start == dt.time(7, 30)
    assert workcalendar.hours_on(bidang_p2p, monday).end == dt.time(16, 0)
    assert workcalendar.hours_on(bidang_p2p, friday).end == dt.time(16, 30)
    assert workcalendar.hours_on(bidang_p2p, friday).break_minutes == 90


def test_it_has_no_hours_on_a_weekend(bidang_p2p, six_day):
    sunday, saturday = D(2026, 4, 12), D(2026, 4, 11)
    assert workcalendar.hours_on(bidang_p2p, sunday) is None
    assert workcalendar.hours_on(bidang_p2p, saturday) is None
    assert workcalendar.hours_on(six_day, sunday) is None
    assert workcalendar.hours_on(None, sunday) is None


def test_it_follows_a_six_day_week_from_working_hours_rows(six_day, bidang_p2p):
    sub = UnitFactory(code="RSUD", kind=UnitKind.UNIT_ORGANISASI, parent=six_day)
    deep = UnitFactory(code="RSUD-IGD", kind=UnitKind.BIDANG, parent=sub)
    saturday, week = D(2026, 4, 11), (D(2026, 4, 6), D(2026, 4, 12))

    assert workcalendar.working_weekdays(deep) == frozenset(range(6))
    assert workcalendar.working_days(deep, *week) == [D(2026, 4, 6) + dt.timedelta(days=i) for i in range(6)]
    assert workcalendar.hours_on(deep, saturday) == workcalendar.rules.DayHours(dt.time(7, 30), dt.time(12, 0), 0)
    assert workcalendar.hours_on(deep, D(2026, 4, 6)).end == dt.time(14, 30)
    # Other institutions keep the Perpres week.
    assert len(workcalendar.working_days(bidang_p2p, *week)) == 5


def test_it_drops_a_weekday_the_rows_leave_out(pemkot, bidang_p2p):
    for wd in range(4):  # Monday to Thursday only
        working_hours(pemkot, wd, dt.time(7, 0), dt.time(16, 30))
    friday = D(2026, 4, 10)

    assert workcalendar.hours_on(bidang_p2p, friday) is None
    assert not workcalendar.is_working_day(bidang_p2p, friday)
    assert workcalendar.hours_on(bidang_p2p, D(2026, 4, 9)).start == dt.time(7, 0)


def test_it_shortens_hours_in_a_national_ramadan_period(bidang_p2p, pemprov_lain):
    RamadanPeriod.objects.create(start=D(2026, 2, 18), end=D(2026, 3, 19))
    week = [D(2026, 3, 2) + dt.timedelta(days=i) for i in range(5)]  # Monday to Friday
    hours = [workcalendar.hours_on(bidang_p2p, d) for d in week]

    assert {h.start for h in hours} == {dt.time(8, 0)}
    assert hours[0] == workcalendar.rules.DayHours(dt.time(8, 0), dt.time(15, 0), 30)
    assert hours[4] == workcalendar.rules.DayHours(dt.time(8, 0), dt.time(15, 30), 60)
    assert sum(h.net_minutes for h in hours) / 60 == 32.5
    assert workcalendar.hours_on(pemprov_lain, D(2026, 3, 2)).start == dt.time(8, 0)
    assert workcalendar.hours_on(bidang_p2p, D(2026, 3, 8)) is None  # Sunday stays off
    assert workcalendar.hours_on(bidang_p2p, D(2026, 2, 17)).start == dt.time(7, 30)  # day before
    assert workcalendar.hours_on(bidang_p2p, D(2026, 3, 20)).start == dt.time(7, 30)  # day after


def test_it_prefers_the_institution_ramadan_period(pemkot, seksi_deep, pemprov_lain):
    RamadanPeriod.objects.create(start=D(2026, 2, 18), end=D(2026, 3, 19))
    RamadanPeriod.objects.create(institution=pemkot, start=D(2026, 2, 18), end=D(2026, 3, 19),
                                 start_time=dt.time(7, 30), end_time=dt.time(14, 30), friday_end_time=dt.time(15, 0))
    RamadanPeriod.objects.create(institution=pemprov_lain, start=D(2026, 3, 23), end=D(2026, 3, 27))
    tuesday, friday = D(2026, 3, 3), D(2026, 3, 6)

    assert workcalendar.hours_on(seksi_deep, tuesday).start == dt.time(7, 30)
    assert workcalendar.hours_on(seksi_deep, tuesday).end == dt.time(14, 30)
    assert workcalendar.hours_on(seksi_deep, friday).end == dt.time(15, 0)
    assert workcalendar.hours_on(pemprov_lain, tuesday).end == dt.time(15, 0)  # national one
    # An institution-only period after the national one ends.
    assert workcalendar.hours_on(pemprov_lain, D(2026, 3, 25)).start == dt.time(8, 0)
    assert workcalendar.hours_on(seksi_deep, D(2026, 3, 25)).start == dt.time(7, 30)
    assert workcalendar.hours_on(seksi_deep, D(2026, 3, 25)).end == dt.time(16, 0)
