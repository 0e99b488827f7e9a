"""Pure rules: NIP / NI PPPK validation, NIP display, Perpres 21/2023 working week.

The validators compare against today (no future birth dates or TMT), so every test
that depends on the date travels to a fixed day.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from portal import rules

TODAY = dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(TODAY, tick=False):
        yield


# --- validate_nip ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("198609262015051001", "198609262015051001"),
        ("19860926 201505 1 001", "198609262015051001"),
        ("  19860926 201505 1 001\n", "198609262015051001"),
        ("19860926.201505.1.001", "198609262015051001"),
        ("19860926-201505-2-999", "198609262015052999"),  # female, highest serial
        ("198609262001091001", "198609262001091001"),  # TMT in the month of the 15th birthday
        ("200001012027011001", "200001012027011001"),  # TMT just under a year ahead: newly accepted CPNS
    ],
)
def test_it_accepts_valid_nips(raw, expected):
    assert rules.validate_nip(raw) == expected


@pytest.mark.parametrize(
    "raw, fragments",
    [
        # birth date
        ("198613262015051001", ["8 digit pertama", "19861326", "tanggal lahir"]),  # month 13
        ("198602302015051001", ["19860230", "tanggal lahir"]),  # 30 February
        ("198600102015051001", ["19860010", "tanggal lahir"]),  # month 00
        ("202701012045051001", ["tanggal lahir 1 Januari 2027", "tidak masuk akal"]),  # born in the future
        ("192012312015051001", ["tanggal lahir 31 Desember 1920", "tidak masuk akal"]),  # born too long ago
        # TMT CPNS
        ("198609262015131001", ["digit 9–14", "201513", "TMT CPNS"]),  # month 13
        ("198609262015001001", ["201500", "TMT CPNS"]),  # month 00
        ("198609261949051001", ["194905", "TMT CPNS"]),  # before the civil service existed
        ("198609262001081001", ["TMT CPNS 200108", "15 tahun", "lahir 26 September 1986"]),  # aged 14 and 10 months
        ("198609261980011001", ["TMT CPNS 198001", "15 tahun"]),  # before birth
        ("198609262027021001", ["TMT CPNS 202702", "masa depan"]),
        # sex digit and serial
        ("198609262015053001", ["digit ke-15", "jenis kelamin", "bukan 3"]),
        ("198609262015050001", ["digit ke-15", "jenis kelamin", "bukan 0"]),
        ("198609262015051000", ["nomor urut", "000"]),
        # shape
        ("19860926201505100", ["18 digit", "17 digit"]),
        ("1986092620150510011", ["18 digit", "19 digit"]),
        ("19860926201505100A", ["hanya boleh berisi angka"]),
        ("NIP198609262015051", ["hanya boleh berisi angka"]),
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", ["hanya boleh berisi angka"]),  # Arabic-Indic digits
        ("", ["wajib diisi"]),
        ("   ", ["wajib diisi"]),
        (None, ["wajib diisi"]),
    ],
)
def test_it_refuses_invalid_nips_saying_what_is_wrong(raw, fragments):
    with pytest.raises(rules.IdentifierError) as exc:
        rules.validate_nip(raw)
    message = str(exc.value)
    assert message.startswith("NIP")
    for fragment in fragments:
        assert fragment in message


def test_it_checks_the_future_against_today_not_a_fixed_year():
    nip = "199501012026061001"  # TMT June 2026
    assert rules.validate_nip(nip) == nip
    with time_machine.travel(dt.datetime(2025, 1, 15, tzinfo=dt.UTC), tick=False):
        with pytest.raises(rules.IdentifierError, match="masa depan"):
            rules.validate_nip(nip)


# --- validate_ni_pppk ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("199005122021211001", "199005122021211001"),
        ("19900512 2021 2 1 1 001", "199005122021211001"),
        ("198001012019232045", "198001012019232045"),  # first PPPK intake year
        ("200101012027212001", "200101012027212001"),  # appointment next year
    ],
)
def test_it_accepts_valid_ni_pppk(raw, expected):
    assert rules.validate_ni_pppk(raw) == expected


@pytest.mark.parametrize(
    "raw, fragments",
    [
        ("199013122021211001", ["NI PPPK", "19901312", "tanggal lahir"]),
        ("199002302021211001", ["NI PPPK", "19900230", "tanggal lahir"]),
        ("199005122018211001", ["digit 9–12", "2018", "tahun pengangkatan"]),  # before PPPK existed
        ("199005122028211001", ["2028", "tahun pengangkatan"]),  # too far ahead
        ("201505122021211001", ["2021", "tahun pengangkatan"]),  # appointed aged 6
        ("199005122021111001", ["digit ke-13", "harus 2", "bukan 1"]),
        ("198609262015051001", ["2015", "tahun pengangkatan"]),  # a PNS NIP is not an NI PPPK
        ("19900512202121100", ["NI PPPK", "18 digit", "17 digit"]),
        ("19900512202121100X", ["NI PPPK", "hanya boleh berisi angka"]),
        ("", ["NI PPPK", "wajib diisi"]),
    ],
)
def test_it_refuses_invalid_ni_pppk_saying_what_is_wrong(raw, fragments):
    with pytest.raises(rules.IdentifierError) as exc:
        rules.validate_ni_pppk(raw)
    for fragment in fragments:
        assert fragment in str(exc.value)


@pytest.mark.parametrize(
    "validator, raw",
    [
        (rules.validate_nip, "198613262015051001"),
        (rules.validate_nip, "198609262015131001"),
        (rules.validate_nip, "198609262001081001"),
        (rules.validate_nip, "198609262027021001"),
        (rules.validate_nip, "198609262015053001"),
        (rules.validate_nip, "198609262015051000"),
        (rules.validate_nip, "12345"),
        (rules.validate_nip, "abc"),
        (rules.validate_nip, ""),
        (rules.validate_ni_pppk, "199005122018211001"),
        (rules.validate_ni_pppk, "199005122021111001"),
    ],
)
def test_it_renders_every_message_in_english_without_crashing(validator, raw):
    with translation.override("en"), pytest.raises(rules.IdentifierError) as exc:
        validator(raw)
    message = str(exc.value)
    assert message and "%(" not in message


# --- display -------------------------------------------------------------------------


def test_it_formats_a_nip_in_its_four_groups():
    assert rules.format_nip("198609262015051001") == "19860926 201505 1 001"


@pytest.mark.parametrize("raw", ["12345", "", "1986092620150510011"])
def test_it_leaves_a_nip_of_the_wrong_length_as_typed(raw):
    assert rules.format_nip(raw) == raw


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("19860926 201505 1 001", "198609262015051001"),
        ("19860926\t201505.1-001", "198609262015051001"),
        ("ani.lestari", "anilestari"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalizes_what_people_type(raw, expected):
    assert rules.normalize_nip(raw) == expected


def test_it_round_trips_format_and_normalize():
    nip = "198609262015051001"
    assert rules.normalize_nip(rules.format_nip(nip)) == nip


# --- working week --------------------------------------------------------------------


def test_it_defaults_to_the_perpres_week_of_37_5_hours():
    assert sorted(rules.DEFAULT_WEEK) == [0, 1, 2, 3, 4]
    assert rules.weekly_net_hours(rules.DEFAULT_WEEK) == 37.5
    assert {h.start for h in rules.DEFAULT_WEEK.values()} == {dt.time(7, 30)}
    assert rules.DEFAULT_WEEK[0].end == dt.time(16, 0)
    assert rules.DEFAULT_WEEK[4] == rules.DayHours(dt.time(7, 30), dt.time(16, 30), 90)


def test_it_shortens_ramadan_to_32_5_hours_from_08_00():
    assert sorted(rules.DEFAULT_RAMADAN_WEEK) == [0, 1, 2, 3, 4]
    assert rules.weekly_net_hours(rules.DEFAULT_RAMADAN_WEEK) == 32.5
    assert {h.start for h in rules.DEFAULT_RAMADAN_WEEK.values()} == {dt.time(8, 0)}
    assert rules.DEFAULT_RAMADAN_WEEK[4].end > rules.DEFAULT_RAMADAN_WEEK[3].end


def test_it_counts_net_minutes_without_the_break():
    assert rules.DayHours(dt.time(7, 30), dt.time(16, 0), 60).net_minutes == 450
    assert rules.DayHours(dt.time(7, 30), dt.time(12, 0), 0).net_minutes == 270
