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


def test_the_built_in_table_has_edges_but_no_deductions():
    """No regulation found gives national per-band deductions: HR sets them (docs/decisions.md)."""
    assert [(b.level, b.from_minute, b.to_minute) for b in rules.DEFAULT_PSW] == [
        (1, 1, 30), (2, 31, 60), (3, 61, 90), (4, 91, None)]
    assert all(b.deduction is None for b in (*rules.DEFAULT_TL, *rules.DEFAULT_PSW))
    assert not rules.DEFAULT_RULES.deductions_set


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


# --- Deriving one day --------------------------------------------------------------------------
# The institution's table used below: 1–30 / 31–60 / 61–90 / 91+ minutes, 0.5 / 1 / 1.25 / 1.5 %.
TABLE = rules._bands([(1, 1, 30, "0.5"), (2, 31, 60, "1"), (3, 61, 90, "1.25"), (4, 91, None, "1.5")])
RULES = rules.DayRules(tl=TABLE, psw=TABLE, min_stay_minutes=60, tk_deduction=Decimal("3"))
WEEKDAY = rules.Schedule(START, END)  # 07:30–16:00


def schedule(start, end, *, flex=None, code="", next_day=False):
    ends = dt.datetime.combine(DAY + dt.timedelta(days=1 if next_day else 0), dt.time(*end), tzinfo=WIB)
    return rules.Schedule(at(*start), ends, at(*flex) if flex else None, code)


def day(**kw):
    base = dict(date=DAY, schedule=WEEKDAY, holiday_kind=None, holiday_name="", absence_kind=None,
                flexible_kind=None, check_in=None, check_out=None, finished=True)
    return rules.DayInput(**{**base, **kw})


def derive(r=RULES, **kw):
    return rules.derive_day(day(**kw), r)


def test_it_records_a_punch_on_an_unscheduled_holiday_as_off_schedule():
    result = derive(schedule=None, holiday_kind="holiday", holiday_name="Hari Raya Natal", check_in=at(8, 0))
    assert (result.code, result.off_schedule, result.note, result.tl_level, result.deduction) == (
        rules.OFF_SCHEDULE, True, "Hari Raya Natal", None, 0)


def test_it_records_a_weekend_punch_as_off_schedule():
    result = derive(schedule=None, check_in=at(9, 0), check_out=at(11, 0))
    assert (result.code, result.off_schedule) == (rules.OFF_SCHEDULE, True)
    assert result.note == "presensi di luar jadwal kerja"


def test_it_has_nothing_to_record_on_a_quiet_weekend():
    assert derive(schedule=None) is None


def test_it_names_a_holiday_without_a_punch():
    result = derive(schedule=None, holiday_kind="holiday", holiday_name="Hari Raya Natal")
    assert (result.code, result.note) == (rules.LIBUR, "Hari Raya Natal")


def test_it_marks_cuti_bersama():
    assert derive(schedule=None, holiday_kind="cuti_bersama", holiday_name="Cuti Bersama").code == rules.CUTI_BERSAMA


def test_it_keeps_an_approved_absence_even_with_a_punch():
    result = derive(absence_kind="CT", check_in=at(9, 30))
    assert (result.code, result.absence_kind, result.tl_level, result.deduction) == ("CT", "CT", None, 0)
    assert result.note == "ada presensi pada hari izin/cuti"


def test_it_marks_tk_with_the_institutions_tk_deduction():
    result = derive()
    assert (result.code, result.work_mode, result.deduction) == (rules.TK, "WFO", Decimal("3"))
    assert rules.derive_day(day(), rules.DEFAULT_RULES).deduction == 0  # not set: nothing deducted


def test_it_waits_before_the_day_is_over():
    assert derive(finished=False).code == rules.BELUM


def test_it_marks_present_on_time():
    result = derive(check_in=at(7, 30), check_out=at(16, 0))
    assert (result.code, result.tl_level, result.psw_level, result.deduction) == (rules.HADIR, None, None, 0)
    assert not (result.missing_in or result.missing_out or result.implausible)


@pytest.mark.parametrize(("arrival", "level", "minutes", "deduction"), [
    ((7, 30, 0), None, 0, "0"), ((7, 30, 1), 1, 1, "0.5"), ((8, 0, 0), 1, 30, "0.5"), ((8, 0, 1), 2, 31, "1"),
    ((8, 30, 0), 2, 60, "1"), ((8, 30, 1), 3, 61, "1.25"), ((9, 0, 0), 3, 90, "1.25"), ((9, 0, 1), 4, 91, "1.5"),
])
def test_a_five_day_week_bands_lateness_at_every_edge(arrival, level, minutes, deduction):
    result = derive(check_in=at(*arrival), check_out=at(16, 0))
    assert (result.tl_level, result.tl_minutes, result.deduction) == (level, minutes, Decimal(deduction))


@pytest.mark.parametrize(("leave", "level", "minutes"), [
    ((13, 0, 0), None, 0), ((12, 59, 59), 1, 1), ((12, 30, 0), 1, 30), ((12, 29, 59), 2, 31),
])
def test_a_six_day_weeks_short_saturday_bands_early_leave_against_its_own_end(leave, level, minutes):
    saturday = schedule((7, 30), (13, 0))  # Saturday 07:30–13:00 of a six-day school or puskesmas
    result = derive(schedule=saturday, check_in=at(7, 20), check_out=at(*leave))
    assert (result.psw_level, result.psw_minutes) == (level, minutes)


def test_it_marks_both_and_sums_the_deductions():
    result = derive(check_in=at(9, 0, 1), check_out=at(15, 59))
    assert (result.code, result.tl_level, result.psw_level) == (rules.TL_PSW, 4, 1)
    assert result.deduction == Decimal("1.5") + Decimal("0.5")


def test_a_daily_cap_limits_the_deduction():
    capped = rules.DayRules(tl=TABLE, psw=TABLE, daily_cap=Decimal("1.75"), tk_deduction=Decimal("5"))
    assert derive(capped, check_in=at(9, 0, 1), check_out=at(15, 59)).deduction == Decimal("1.75")
    assert derive(capped).deduction == Decimal("1.75")  # TK too


def test_it_counts_a_missing_check_in_as_the_top_tl_band():
    result = derive(check_out=at(16, 0), finished=False)
    assert (result.code, result.tl_level, result.tl_minutes, result.missing_in) == (rules.TL, 4, 0, True)


def test_it_counts_a_missing_check_out_as_the_top_psw_band_once_the_day_is_over():
    result = derive(check_in=at(7, 15))
    assert (result.code, result.psw_level, result.missing_out) == (rules.PSW, 4, True)
    assert derive(check_in=at(7, 15), finished=False).code == rules.HADIR


def test_it_keeps_the_work_mode_apart_from_lateness():
    result = derive(flexible_kind="WFH", check_in=at(7, 45), check_out=at(16, 0))
    assert (result.code, result.work_mode, result.tl_level, result.tl_minutes) == (rules.TL, "WFH", 1, 15)


# Flexible working time: start window 07:00–08:30, 8 h 30 min span (Permen PANRB 4/2025).
FLEX = schedule((7, 0), (15, 30), flex=(8, 30))


@pytest.mark.parametrize(("arrival", "leave", "tl", "psw"), [
    ((8, 15), (16, 45), None, None),  # 08:15–16:45 is a full day inside the window, not TL2
    ((8, 30), (17, 0), None, None),  # the window's last minute
    ((8, 30, 1), (17, 0), 1, None),  # lateness counts after the window's end...
    ((9, 31), (17, 0), 3, None),  # ...in the same bands
    ((8, 15), (16, 44, 59), None, 1),  # leaving a second before arrival + span
    ((6, 30), (15, 30), None, None),  # an arrival before the window counts from its start
    ((6, 30), (15, 29), None, 1),
    ((9, 0), (17, 0), 1, None),  # late: the day ends the span after the window's end, not after 09:00
])
def test_a_flexible_window_measures_lateness_and_early_leave(arrival, leave, tl, psw):
    result = derive(schedule=FLEX, check_in=at(*arrival), check_out=at(*leave))
    assert (result.tl_level, result.psw_level) == (tl, psw)


# A night shift 21:00–07:00 the next morning.
NIGHT = schedule((21, 0), (7, 0), code="M", next_day=True)


def next_morning(hh, mm, ss=0):
    return at(hh, mm, ss) + dt.timedelta(days=1)


@pytest.mark.parametrize(("arrival", "leave", "tl", "psw"), [
    ((20, 55), (7, 0), None, None), ((21, 0, 1), (7, 0), 1, None), ((22, 31), (7, 5), 4, None),
    ((20, 55), (6, 59, 59), None, 1), ((20, 55), (6, 0), None, 2),
])
def test_a_shift_over_midnight_is_banded_against_its_next_morning_end(arrival, leave, tl, psw):
    result = derive(schedule=NIGHT, check_in=at(*arrival), check_out=next_morning(*leave))
    assert (result.tl_level, result.psw_level, result.shift_code) == (tl, psw, "M")


def test_a_night_shift_check_out_next_morning_is_a_full_day():
    result = derive(schedule=NIGHT, check_in=at(20, 50), check_out=next_morning(7, 2))
    assert (result.code, result.implausible, result.shift_code) == (rules.HADIR, False, "M")


@pytest.mark.parametrize(("arrival", "tl"), [((8, 59), None), ((9, 0), None), ((9, 0, 1), 1), ((10, 0, 1), 3)])
def test_an_izin_terlambat_exempts_lateness_until_its_time(arrival, tl):
    permit = rules.Permit(rules.PERMIT_LATE, end=at(9, 0))
    result = derive(check_in=at(*arrival), check_out=at(16, 0), permits=(permit,))
    assert (result.tl_level, result.permission) == (tl, rules.PERMIT_LATE)


@pytest.mark.parametrize(("leave", "psw"), [((14, 0), None), ((13, 59, 59), 1), ((13, 29, 59), 2)])
def test_an_izin_pulang_cepat_exempts_early_leave_from_its_time(leave, psw):
    permit = rules.Permit(rules.PERMIT_EARLY, start=at(14, 0))
    result = derive(check_in=at(7, 20), check_out=at(*leave), permits=(permit,))
    assert (result.psw_level, result.permission) == (psw, rules.PERMIT_EARLY)


def test_an_izin_pulang_cepat_covers_a_missing_check_out():
    permit = rules.Permit(rules.PERMIT_EARLY, start=at(14, 0))
    result = derive(check_in=at(7, 20), permits=(permit,))
    assert (result.code, result.psw_level, result.missing_out) == (rules.HADIR, None, True)


def test_an_izin_meninggalkan_kantor_exempts_only_what_it_covers():
    morning = rules.Permit(rules.PERMIT_LEAVE, start=at(7, 0), end=at(10, 0))  # covers the start
    midday = rules.Permit(rules.PERMIT_LEAVE, start=at(10, 0), end=at(12, 0))  # in the middle: no band changes
    afternoon = rules.Permit(rules.PERMIT_LEAVE, start=at(14, 0), end=at(16, 0))  # covers the end
    assert derive(check_in=at(9, 50), check_out=at(16, 0), permits=(morning,)).tl_level is None
    assert derive(check_in=at(9, 50), check_out=at(16, 0), permits=(midday,)).tl_level == 4
    assert derive(check_in=at(7, 20), check_out=at(14, 0), permits=(afternoon,)).psw_level is None
    assert derive(check_in=at(7, 20), check_out=at(14, 0), permits=(midday,)).psw_level == 4


# Ramadan hours: 08:00–15:00 (Mon–Thu).
RAMADAN = schedule((8, 0), (15, 0))


@pytest.mark.parametrize(("arrival", "leave", "tl", "psw"), [
    ((8, 0), (15, 0), None, None), ((8, 0, 1), (15, 0), 1, None), ((7, 50), (14, 59, 59), None, 1),
    ((8, 31), (15, 0), 2, None),
])
def test_ramadan_hours_move_both_edges(arrival, leave, tl, psw):
    result = derive(schedule=RAMADAN, check_in=at(*arrival), check_out=at(*leave))
    assert (result.tl_level, result.psw_level) == (tl, psw)


def test_a_rostered_holiday_is_holiday_duty_with_its_own_status():
    duty = derive(schedule=schedule((7, 0), (14, 0), code="P"), holiday_kind="holiday", holiday_name="Idulfitri",
                  check_in=at(6, 55), check_out=at(14, 0))
    assert (duty.code, duty.holiday_duty, duty.shift_code) == (rules.HADIR, True, "P")
    missed = derive(schedule=schedule((7, 0), (14, 0), code="P"), holiday_kind="cuti_bersama")
    assert (missed.code, missed.holiday_duty) == (rules.TK, True)


# Plausibility: a minimum stay and the latest check-in accepted.
@pytest.mark.parametrize(("check_in", "check_out", "implausible"), [
    ((6, 0), (6, 5), True),  # a token punch: five minutes
    ((7, 30), (8, 29, 59), True),  # a second under the hour
    ((7, 30), (8, 30), False),  # exactly the minimum stay
    ((17, 30), None, True),  # a check-in after the day's end
    ((16, 0), None, False),  # at the end itself: not after it
])
def test_punches_below_the_minimum_or_after_the_end_are_not_a_day(check_in, check_out, implausible):
    result = derive(check_in=at(*check_in), check_out=at(*check_out) if check_out else None)
    assert result.implausible is implausible
    if implausible:
        assert (result.code, result.deduction) == (rules.TK, Decimal("3"))  # the default choice: TK
        assert result.note.startswith("presensi tidak wajar")


def test_a_lone_check_out_just_after_midnight_is_not_a_day():
    result = derive(check_out=at(0, 30))
    assert (result.code, result.implausible) == (rules.TK, True)


def test_the_latest_check_in_is_an_institution_setting():
    strict = rules.DayRules(tl=TABLE, psw=TABLE, latest_check_in_minutes=120)  # until 09:30
    assert derive(strict, check_in=at(9, 30), check_out=at(16, 0)).implausible is False
    assert derive(strict, check_in=at(9, 30, 1), check_out=at(16, 0)).implausible is True


def test_the_institution_chooses_what_an_implausible_day_counts_as():
    as_max = rules.DayRules(tl=TABLE, psw=TABLE, implausible_status=rules.IMPLAUSIBLE_MAX)
    as_review = rules.DayRules(tl=TABLE, psw=TABLE, implausible_status=rules.IMPLAUSIBLE_REVIEW)
    maxed = derive(as_max, check_in=at(6, 0), check_out=at(6, 5))
    assert (maxed.code, maxed.tl_level, maxed.psw_level, maxed.deduction) == (rules.TL_PSW, 4, 4, Decimal("3.0"))
    review = derive(as_review, check_in=at(6, 0), check_out=at(6, 5))
    assert (review.code, review.deduction, review.implausible) == (rules.REVIEW, 0, True)


def test_it_uses_the_institution_table():
    tl = rules._bands([(1, 6, 30, "0.25"), (2, 31, None, "2")])
    own = rules.DayRules(tl=tl, psw=TABLE)
    assert derive(own, check_in=at(7, 35), check_out=at(16, 0)).code == rules.HADIR
    late = derive(own, check_in=at(8, 1), check_out=at(15, 59))
    assert (late.code, late.tl_level, late.deduction) == (rules.TL_PSW, 2, Decimal("2.5"))


# --- PP 94/2021 ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("days", "label"), [
    (0, ""), (2, ""), (3, "teguran lisan"), (4, "teguran tertulis"), (6, "teguran tertulis"),
    (7, "pernyataan tidak puas secara tertulis"), (10, "pernyataan tidak puas secara tertulis"),
    (11, "pemotongan tunjangan kinerja sebesar 25% selama 6 bulan"),
    (13, "pemotongan tunjangan kinerja sebesar 25% selama 6 bulan"),
    (14, "pemotongan tunjangan kinerja sebesar 25% selama 9 bulan"),
    (16, "pemotongan tunjangan kinerja sebesar 25% selama 9 bulan"),
    (17, "pemotongan tunjangan kinerja sebesar 25% selama 12 bulan"),
    (20, "pemotongan tunjangan kinerja sebesar 25% selama 12 bulan"),
    (21, "penurunan jabatan setingkat lebih rendah selama 12 bulan"),
    (24, "penurunan jabatan setingkat lebih rendah selama 12 bulan"),
    (25, "pembebasan dari jabatannya menjadi jabatan pelaksana selama 12 bulan"),
    (27, "pembebasan dari jabatannya menjadi jabatan pelaksana selama 12 bulan"),
    (28, "pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"),
    (200, "pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"),
])
def test_it_names_the_pp94_sanction_reached_in_full(days, label):
    assert rules.tk_sanction(days) == label


def test_it_lists_every_threshold_reached():
    assert rules.tk_thresholds_reached(2) == []
    assert rules.tk_thresholds_reached(11) == [3, 4, 7, 11]


def run_of(pairs):
    return rules.longest_tk_run([(dt.date(2026, 12, d) if isinstance(d, int) else d, c) for d, c in pairs])


def test_ten_working_days_of_tk_run_across_a_weekend_and_a_holiday():
    # Mon 7 .. Fri 18 December 2026 with the weekend (no rows) and a holiday row on Thu 10.
    days = [(7, "TK"), (8, "TK"), (9, "TK"), (10, "LIBUR"), (11, "TK"), (14, "TK"), (15, "TK"), (16, "TK"),
            (17, "TK"), (18, "TK"), (21, "TK")]
    run = run_of(days)
    assert (run.length, run.first, run.last) == (10, dt.date(2026, 12, 7), dt.date(2026, 12, 21))
    assert run.length >= rules.TK_CONSECUTIVE_DAYS


def test_any_other_working_day_breaks_the_run():
    days = [(7, "TK"), (8, "TK"), (9, "HADIR"), (10, "TK"), (11, "CT"), (14, "TK"), (15, "TK"), (16, "TK")]
    assert run_of(days).length == 3
    assert run_of([(7, "TK"), (8, "TINJAU"), (9, "TK")]).length == 1


def test_nine_days_are_not_ten():
    days = [(d, "TK") for d in (1, 2, 3, 4, 7, 8, 9, 10, 11)]
    assert run_of(days).length == 9 < rules.TK_CONSECUTIVE_DAYS
