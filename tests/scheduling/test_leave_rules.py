"""The leave arithmetic at its edges, without a database: carry-over limits (PP 11/2017 Pasal
313), the year service reaches one year, cuti besar taking the year's cuti tahunan, PPPK
without carry-over, limits per kind and ASN type, months and service years."""

import datetime as dt

import pytest

from scheduling import leave_rules as lr


def facts(**kw):
    base = dict(asn_type=lr.PNS, service_start=dt.date(2010, 1, 1), first_year=2024, openings={}, adjustments={},
                used={})
    return lr.AnnualLeaveFacts(**{**base, **kw})


def balance(year, **kw):
    return lr.annual_balances(facts(**kw), year)[year]


def test_a_first_year_brings_twelve_days_and_nothing_carried():
    b = balance(2024)
    assert (b.entitlement, b.carried, b.available, b.remaining) == (12, 0, 12, 12)


@pytest.mark.parametrize(("used_2024", "carried"), [(12, 0), (11, 1), (6, 6), (5, 6), (1, 6)])
def test_at_most_six_days_move_to_the_next_year(used_2024, carried):
    b = balance(2025, used={2024: used_2024})
    assert b.carried == carried
    assert b.available == 12 + carried <= lr.CARRY_LIMIT


def test_two_untouched_years_allow_twenty_four():
    b = balance(2026, used={})
    assert (b.carried, b.available) == (12, 24)  # 2024 and 2025 unused: Pasal 313 ayat 2


def test_one_day_taken_in_the_second_year_keeps_the_limit_at_eighteen():
    b = balance(2026, used={2025: 1})
    # 2025 had 12 + 6 carried = 18, 1 used -> 17 unused, but 2025 was not untouched: 6 move on.
    assert (b.carried, b.available) == (6, 18)


def test_an_opening_replaces_what_the_rules_would_compute_and_carries_on():
    years = lr.annual_balances(facts(openings={2024: 20}, used={2024: 10}), 2025)
    assert years[2024].available == 20 and years[2024].remaining == 10
    assert years[2025].carried == 6


def test_adjustments_add_after_the_carry_over_limit():
    b = balance(2026, adjustments={2026: 3})  # three cuti bersama worked (Pasal 333 ayat 3)
    assert b.available == 27


def test_a_year_with_cuti_besar_has_no_cuti_tahunan():
    b = balance(2025, cuti_besar_years=frozenset({2025}))
    assert (b.entitlement, b.carried, b.available) == (0, 0, 0)


def test_a_pppk_carries_nothing():
    b = balance(2026, asn_type=lr.PPPK, used={2025: 2})
    assert (b.carried, b.available) == (0, 12)


@pytest.mark.parametrize(("start", "year", "entitled"), [
    (dt.date(2025, 12, 31), 2026, True),   # one year on 31 December 2026
    (dt.date(2026, 1, 1), 2026, False),    # one year only on 1 January 2027
    (None, 2026, True),                    # unknown: the service check says so instead
])
def test_the_year_service_reaches_one_year_brings_the_entitlement(start, year, entitled):
    assert (balance(year, service_start=start, first_year=year).entitlement == 12) is entitled


def test_years_before_the_portal_are_not_counted():
    years = lr.annual_balances(facts(first_year=2026, used={2025: 3}), 2026)
    assert list(years) == [2026] and years[2026].carried == 0


@pytest.mark.parametrize(("start", "on", "years"), [
    (dt.date(2021, 3, 15), dt.date(2026, 3, 14), 4),
    (dt.date(2021, 3, 15), dt.date(2026, 3, 15), 5),
    (dt.date(2020, 2, 29), dt.date(2025, 2, 28), 4),
    (None, dt.date(2026, 1, 1), None),
])
def test_years_of_service_count_whole_years(start, on, years):
    assert lr.years_of_service(start, on) == years


def test_limits_follow_the_asn_type():
    assert lr.limits_for(lr.PNS, lr.CLTN).reserved and lr.limits_for(lr.PNS, lr.CLTN).min_service_years == 5
    assert lr.limits_for(lr.PNS, lr.CB).min_service_years == 5
    assert lr.limits_for(lr.PPPK, lr.CB) is None and lr.limits_for(lr.PPPK, lr.CLTN) is None
    assert lr.limits_for(lr.PPPK, lr.CS).max_months == 1
    assert lr.limits_for(lr.PNS, lr.CS).max_months == 18
    assert lr.limits_for(lr.PNS, lr.CM).max_child_order == 3


@pytest.mark.parametrize(("first", "months", "last"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 27)),
    (dt.date(2026, 3, 2), 3, dt.date(2026, 6, 1)),
    (dt.date(2026, 11, 16), 3, dt.date(2027, 2, 15)),
])
def test_the_last_day_a_leave_may_run_to(first, months, last):
    assert lr.last_day_allowed(first, lr.KindLimits(max_months=months)) == last
