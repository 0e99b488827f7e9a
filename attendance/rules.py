"""Pure attendance rules: lateness/early-leave bands, day status, distance. No database.

Minutes are counted up to the second: 07:30:00 is on time, 07:30:01–08:00:00 is TL1
(1–30 minutes, rounded up), 08:00:01 is TL2. A missing check-in counts as TL4 and a
missing check-out as PSW4, as the field practice does.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BandRule:
    level: int
    from_minute: int
    to_minute: int | None  # None = open-ended
    deduction: Decimal


def _bands(rows) -> tuple[BandRule, ...]:
    return tuple(BandRule(level, lo, hi, Decimal(str(d))) for level, lo, hi, d in rows)


# DOMAIN.md defaults: ~30-minute steps; deductions 0.5 / 1 / 1.25 / 1.5 %.
DEFAULT_TL = _bands([(1, 1, 30, "0.5"), (2, 31, 60, "1"), (3, 61, 90, "1.25"), (4, 91, None, "1.5")])
DEFAULT_PSW = _bands([(1, 1, 30, "0.5"), (2, 31, 60, "1"), (3, 61, 90, "1.25"), (4, 91, None, "1.5")])


def minutes_after(moment: dt.datetime, reference: dt.datetime) -> int:
    """Whole minutes ``moment`` is after ``reference``, rounded up; 0 if not after.

    Both are cut to the whole second first: people see "07:30:00" on screen, so a punch at
    07:30:00.4 is on time and a check-out at 15:59:59.6 is a second early, as displayed.
    """
    seconds = (moment.replace(microsecond=0) - reference.replace(microsecond=0)).total_seconds()
    return math.ceil(seconds / 60) if seconds > 0 else 0


def band_for(minutes: int, bands: tuple[BandRule, ...]) -> BandRule | None:
    """The band ``minutes`` falls in. Below the first band (an institution's grace minutes)
    is no band; in a gap of a hand-made table, the band below; past the last, the last."""
    if minutes <= 0:
        return None
    for band in sorted(bands, key=lambda b: b.level):
        if minutes >= band.from_minute and (band.to_minute is None or minutes <= band.to_minute):
            return band
    reached = [b for b in bands if b.from_minute <= minutes]
    return max(reached, key=lambda b: (b.from_minute, b.level)) if reached else None


def top_band(bands: tuple[BandRule, ...]) -> BandRule | None:
    return max(bands, key=lambda b: b.level) if bands else None


# Staffing statuses (attendance.models.StaffingStatus values).
STAFFING_OK, STAFFING_AT_RISK, STAFFING_BELOW = "ok", "at_risk", "below"


def staffing_status(in_office: int, minimum: int, pending: int) -> str:
    """Below: fewer in than the minimum. At risk: approving the pending requests would take
    it below. Otherwise ok (a unit exactly at its minimum is ok: small units live there)."""
    if in_office < minimum:
        return STAFFING_BELOW
    if in_office - pending < minimum:
        return STAFFING_AT_RISK
    return STAFFING_OK


# Day status codes, in the vocabulary of the monthly recap.
HADIR, TL, PSW, TL_PSW = "HADIR", "TL", "PSW", "TL_PSW"
TK, LIBUR, CUTI_BERSAMA, BELUM = "TK", "LIBUR", "CUTI_BERSAMA", "BELUM"


@dataclass(frozen=True)
class DayInput:
    """Everything needed to derive one employee-day, as plain values."""

    date: dt.date
    working: bool
    holiday_kind: str | None  # "holiday" | "cuti_bersama" | None
    holiday_name: str
    absence_kind: str | None  # approved absence (CT, SAKIT, DL...) or None
    flexible_kind: str | None  # approved WFH / WFA / KANTOR_LAIN or None
    start: dt.datetime | None  # office start and end, aware, that day
    end: dt.datetime | None
    check_in: dt.datetime | None
    check_out: dt.datetime | None
    finished: bool  # the day is over (else missing punches are not yet missing)


@dataclass(frozen=True)
class DayResult:
    code: str
    work_mode: str = ""
    absence_kind: str = ""
    tl_level: int | None = None
    tl_minutes: int = 0
    psw_level: int | None = None
    psw_minutes: int = 0
    missing_in: bool = False
    missing_out: bool = False
    deduction: Decimal = Decimal("0")
    note: str = ""


def derive_day(d: DayInput, tl_bands=DEFAULT_TL, psw_bands=DEFAULT_PSW) -> DayResult:
    """The status of one day: holiday, absence, present (with TL/PSW), or TK."""
    punched = d.check_in is not None or d.check_out is not None
    if not d.working:
        code = CUTI_BERSAMA if d.holiday_kind == "cuti_bersama" else LIBUR
        return DayResult(code, note=("presensi pada hari libur" if punched else d.holiday_name)[:255])
    if d.absence_kind:
        return DayResult(d.absence_kind, absence_kind=d.absence_kind,
                         note="ada presensi pada hari izin/cuti" if punched else "")
    mode = d.flexible_kind or "WFO"
    if not punched:
        return DayResult(TK if d.finished else BELUM, work_mode=mode)
    return _present(d, mode, tl_bands, psw_bands)


def _present(d: DayInput, mode: str, tl_bands, psw_bands) -> DayResult:
    tl = psw = None
    tl_minutes = psw_minutes = 0
    missing_in = d.check_in is None
    missing_out = d.check_out is None and d.finished
    if missing_in:
        tl = top_band(tl_bands)
    elif d.start is not None:
        tl_minutes = minutes_after(d.check_in, d.start)
        tl = band_for(tl_minutes, tl_bands)
    if missing_out:
        psw = top_band(psw_bands)
    elif d.check_out is not None and d.end is not None:
        psw_minutes = minutes_after(d.end, d.check_out)
        psw = band_for(psw_minutes, psw_bands)
    code = {(False, False): HADIR, (True, False): TL, (False, True): PSW, (True, True): TL_PSW}[
        (tl is not None, psw is not None)]
    deduction = (tl.deduction if tl else Decimal(0)) + (psw.deduction if psw else Decimal(0))
    return DayResult(code, work_mode=mode, tl_level=tl.level if tl else None, tl_minutes=tl_minutes,
                     psw_level=psw.level if psw else None, psw_minutes=psw_minutes, missing_in=missing_in,
                     missing_out=missing_out, deduction=deduction)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# PP 94/2021: cumulative unexcused absence in a calendar year and the sanction it triggers.
TK_THRESHOLDS = [
    (3, "teguran lisan"), (4, "teguran tertulis"), (7, "pernyataan tidak puas secara tertulis"),
    (11, "pemotongan tunjangan kinerja 25% selama 6 bulan"), (14, "pemotongan tunjangan kinerja 25% selama 9 bulan"),
    (17, "pemotongan tunjangan kinerja 25% selama 12 bulan"), (21, "penurunan jabatan setingkat lebih rendah"),
    (25, "pembebasan dari jabatan menjadi jabatan pelaksana"), (28, "pemberhentian"),
]


def tk_sanction(days: int) -> str:
    """The heaviest PP 94/2021 threshold reached by ``days`` of TK in a year ('' if none)."""
    reached = [label for threshold, label in TK_THRESHOLDS if days >= threshold]
    return reached[-1] if reached else ""
