"""Pure attendance rules: minutes, bands, day derivation, PP 94/2021 thresholds. No database."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from attendance import rules

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
DAY = dt.date(2026, 12, 7)  # a Monday


def at(hh, mm, ss=0, us=0):
    return dt.datetime(2026, 12, 7, hh, mm, ss, us, tzinfo=WIB)


START, END = at(7, 30), at(16, 0)


@pytest.mark.parametrize(("moment", "minutes"), [
    (at(7, 0), 0),
    (at(7, 30), 0),
    (at(7, 30, 0, 999_999), 0),  # shown as 07:30:00: on time
    (at(7, 30, 1), 1),
    (at(7, 30, 59), 1),
    (at(7, 31), 1),
    (at(7, 31, 1), 2),
    (at(8, 0), 30),
    (at(8, 0, 1), 31),
    (at(9, 0, 1), 91),
])
def test_it_counts_minutes_late_rounded_up_to_the_second(moment, minutes):
    assert rules.minutes_after(moment, START) == minutes


def test_it_counts_minutes_across_time_zones():
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    # 08:30:01 WITA is 07:30:01 WIB.
    assert rules.minutes_after(dt.datetime(2026, 12, 7, 8, 30, 1, tzinfo=wita), START) == 1


def test_it_cuts_an_early_check_out_to_the_displayed_second():
    assert rules.minutes_after(END, at(15, 59, 59, 600_000)) == 1
    assert rules.minutes_after(END, at(16, 0, 0, 300_000)) == 0


@pytest.mark.parametrize(("minutes", "level"), [
    (-5, None), (0, None), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (10_000, 4),
])
def test_it_bands_the_default_table_at_every_edge(minutes, level):
    band = rules.band_for(minutes, rules.DEFAULT_TL)
    assert (band.level if band else None) == level


@pytest.mark.parametrize(("minutes", "level", "deduction"), [
    (1, 1, "0.5"), (30, 1, "0.5"), (31, 2, "1"), (60, 2, "1"), (61, 3, "1.25"), (90, 3, "1.25"), (91, 4, "1.5"),
])
def test_it_gives_the_default_deductions(minutes, level, deduction):
    band = rules.band_for(minutes, rules.DEFAULT_PSW)
    assert (band.level, band.deduction) == (level, Decimal(deduction))


# An institution with 5 grace minutes, 15-minute steps, and a gap between 3 and 4.
CUSTOM = rules._bands([(1, 6, 20, "0.25"), (2, 21, 35, "0.75"), (3, 36, 50, "1"), (4, 61, None, "3")])


@pytest.mark.parametrize(("minutes", "level"), [
    (1, None), (5, None), (6, 1), (20, 1), (21, 2), (35, 2), (36, 3), (50, 3),
    (55, 3),  # in the gap: the band below, never the top one
    (60, 3), (61, 4), (600, 4),
])
def test_it_bands_a_custom_table_at_every_edge(minutes, level):
    band = rules.band_for(minutes, CUSTOM)
    assert (band.level if band else None) == level


def test_it_bands_past_a_closed_last_band_as_the_last():
    closed = rules._bands([(1, 1, 30, "1"), (2, 31, 60, "2")])
    assert rules.band_for(61, closed).level == 2
    assert rules.band_for(5, ()) is None


def day(**kw):
    base = dict(date=DAY, working=True, holiday_kind=None, holiday_name="", absence_kind=None, flexible_kind=None,
                start=START, end=END, check_in=None, check_out=None, finished=True)
    return rules.DayInput(**{**base, **kw})


def test_it_marks_a_holiday_with_a_punch_as_libur_with_a_note():
    result = rules.derive_day(day(working=False, holiday_kind="holiday", holiday_name="Hari Raya Natal",
                                  start=None, end=None, check_in=at(8, 0)))
    assert (result.code, result.note, result.tl_level, result.deduction) == (
        rules.LIBUR, "presensi pada hari libur", None, 0)


def test_it_names_a_holiday_without_a_punch():
    result = rules.derive_day(day(working=False, holiday_kind="holiday", holiday_name="Hari Raya Natal"))
    assert (result.code, result.note) == (rules.LIBUR, "Hari Raya Natal")


def test_it_marks_cuti_bersama():
    result = rules.derive_day(day(working=False, holiday_kind="cuti_bersama", holiday_name="Cuti Bersama Natal"))
    assert result.code == rules.CUTI_BERSAMA


def test_it_keeps_an_approved_absence_even_with_a_punch():
    result = rules.derive_day(day(absence_kind="CT", check_in=at(9, 30)))
    assert (result.code, result.absence_kind, result.tl_level, result.deduction) == ("CT", "CT", None, 0)
    assert result.note == "ada presensi pada hari izin/cuti"


def test_it_marks_tk_when_nothing_happened_on_an_ended_day():
    result = rules.derive_day(day())
    assert (result.code, result.work_mode, result.deduction) == (rules.TK, "WFO", 0)


def test_it_waits_before_the_day_is_over():
    assert rules.derive_day(day(finished=False)).code == rules.BELUM


def test_it_marks_present_on_time():
    result = rules.derive_day(day(check_in=at(7, 30), check_out=at(16, 0)))
    assert (result.code, result.tl_level, result.psw_level, result.deduction) == (rules.HADIR, None, None, 0)
    assert not result.missing_in and not result.missing_out


def test_it_marks_late_only():
    result = rules.derive_day(day(check_in=at(8, 0, 1), check_out=at(16, 5)))
    assert (result.code, result.tl_level, result.tl_minutes, result.psw_level) == (rules.TL, 2, 31, None)
    assert result.deduction == Decimal("1")


def test_it_marks_early_leave_only():
    result = rules.derive_day(day(check_in=at(7, 0), check_out=at(15, 29, 59)))
    assert (result.code, result.tl_level, result.psw_level, result.psw_minutes) == (rules.PSW, None, 2, 31)


def test_it_marks_both_and_sums_the_deductions():
    result = rules.derive_day(day(check_in=at(9, 0, 1), check_out=at(15, 59)))
    assert (result.code, result.tl_level, result.psw_level) == (rules.TL_PSW, 4, 1)
    assert result.deduction == Decimal("1.5") + Decimal("0.5")


def test_it_counts_a_missing_check_in_as_tl4():
    result = rules.derive_day(day(check_out=at(16, 0), finished=False))
    assert (result.code, result.tl_level, result.tl_minutes, result.missing_in) == (rules.TL, 4, 0, True)
    assert result.deduction == Decimal("1.5")


def test_it_counts_a_missing_check_out_as_psw4_once_the_day_is_over():
    result = rules.derive_day(day(check_in=at(7, 15)))
    assert (result.code, result.psw_level, result.missing_out) == (rules.PSW, 4, True)
    assert rules.derive_day(day(check_in=at(7, 15), finished=False)).code == rules.HADIR


def test_it_keeps_the_work_mode_apart_from_lateness():
    result = rules.derive_day(day(flexible_kind="WFH", check_in=at(7, 45), check_out=at(16, 0)))
    assert (result.code, result.work_mode, result.tl_level, result.tl_minutes) == (rules.TL, "WFH", 1, 15)


def test_it_uses_the_institution_table():
    tl = rules._bands([(1, 6, 30, "0.25"), (2, 31, None, "2")])
    on_time = rules.derive_day(day(check_in=at(7, 35), check_out=at(16, 0)), tl, rules.DEFAULT_PSW)
    late = rules.derive_day(day(check_in=at(8, 1), check_out=at(15, 59)), tl, rules.DEFAULT_PSW)
    assert on_time.code == rules.HADIR
    assert (late.code, late.tl_level, late.deduction) == (rules.TL_PSW, 2, Decimal("2.5"))


@pytest.mark.parametrize(("days", "label"), [
    (0, ""), (2, ""), (3, "teguran lisan"), (4, "teguran tertulis"), (6, "teguran tertulis"),
    (7, "pernyataan tidak puas secara tertulis"), (10, "pernyataan tidak puas secara tertulis"),
    (11, "pemotongan tunjangan kinerja 25% selama 6 bulan"), (14, "pemotongan tunjangan kinerja 25% selama 9 bulan"),
    (17, "pemotongan tunjangan kinerja 25% selama 12 bulan"), (21, "penurunan jabatan setingkat lebih rendah"),
    (25, "pembebasan dari jabatan menjadi jabatan pelaksana"),
    (27, "pembebasan dari jabatan menjadi jabatan pelaksana"),
    (28, "pemberhentian"), (200, "pemberhentian"),
])
def test_it_names_the_pp94_sanction_reached(days, label):
    assert rules.tk_sanction(days) == label
