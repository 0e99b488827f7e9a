"""Pure attendance rules: bands, the status of one day, PP 94/2021 thresholds, distance. No database.

Minutes are counted up to the second: 07:30:00 is on time, 07:30:01–08:00:00 is TL1
(1–30 minutes, rounded up), 08:00:01 is TL2. A missing check-in counts as the top TL band and a
missing check-out as the top PSW band, as the field practice does.

A day is derived from a :class:`Schedule` (the hours it was to be worked: a weekly pattern's day,
a Ramadan day, or a rostered shift that may cross midnight, with an optional flexible start
window), the punches, approved partial-day permissions and the institution's :class:`DayRules`
in force that day. See docs/decisions.md for the sources of each rule.
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
    deduction: Decimal | None  # None = not set by the institution (counts as 0)


def _bands(rows) -> tuple[BandRule, ...]:
    return tuple(BandRule(level, lo, hi, None if d is None else Decimal(str(d))) for level, lo, hi, d in rows)


# The band edges in common use (30-minute steps, TL/PSW 1–4). No regulation found sets one national
# deduction per band (docs/decisions.md), so the built-in table carries none: HR sets them with the
# institution's own legal basis, and until then every page that shows deductions says so.
DEFAULT_EDGES = [(1, 1, 30, None), (2, 31, 60, None), (3, 61, 90, None), (4, 91, None, None)]
DEFAULT_TL = _bands(DEFAULT_EDGES)
DEFAULT_PSW = _bands(DEFAULT_EDGES)

# What a day below the minimum stay (or checked in after the latest check-in) counts as.
IMPLAUSIBLE_TK, IMPLAUSIBLE_MAX, IMPLAUSIBLE_REVIEW = "TK", "MAX", "TINJAU"


@dataclass(frozen=True)
class DayRules:
    """An institution's attendance rules in force on a day (``version`` None: built-in)."""

    tl: tuple[BandRule, ...] = DEFAULT_TL
    psw: tuple[BandRule, ...] = DEFAULT_PSW
    min_stay_minutes: int = 60
    latest_check_in_minutes: int | None = None  # after the scheduled start; None = until its end
    implausible_status: str = IMPLAUSIBLE_TK
    tk_deduction: Decimal | None = None
    daily_cap: Decimal | None = None
    version: int | None = None

    @property
    def deductions_set(self) -> bool:
        return self.tk_deduction is not None and all(b.deduction is not None for b in (*self.tl, *self.psw))


DEFAULT_RULES = DayRules()


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
OFF_SCHEDULE, REVIEW = "LUAR_JADWAL", "TINJAU"  # punched on an unscheduled day; implausible, to review
NOT_WORKING = (LIBUR, CUTI_BERSAMA, OFF_SCHEDULE)  # rows that are not a working day of the person

# Partial-day permission kinds (attendance.models.PermissionKind values).
PERMIT_LATE, PERMIT_EARLY, PERMIT_LEAVE = "TERLAMBAT", "PULANG_CEPAT", "KELUAR"


@dataclass(frozen=True)
class Schedule:
    """The hours a day was to be worked, as aware datetimes (``end`` may be the next day).

    With ``flex_until`` the start is a window [start, flex_until] (Permen PANRB 4/2025): lateness
    counts after the window's end, and the day ends the day's span after the arrival (an arrival
    before the window counts from its start, one after it from its end).
    """

    start: dt.datetime
    end: dt.datetime
    flex_until: dt.datetime | None = None
    code: str = ""  # the shift's code, "" for a weekly pattern's day

    @property
    def late_after(self) -> dt.datetime:
        return self.flex_until or self.start

    def expected_end(self, check_in: dt.datetime | None) -> dt.datetime:
        if self.flex_until is None or check_in is None:
            return self.end
        arrival = min(max(check_in, self.start), self.flex_until)
        return arrival + (self.end - self.start)


@dataclass(frozen=True)
class Permit:
    """An approved partial-day permission, with its times as aware datetimes."""

    kind: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class DayInput:
    """Everything needed to derive one employee-day, as plain values."""

    date: dt.date
    schedule: Schedule | None  # None: not a working day for this person
    holiday_kind: str | None  # "holiday" | "cuti_bersama" | None
    holiday_name: str
    absence_kind: str | None  # approved absence (CT, SAKIT, DL...) or None
    flexible_kind: str | None  # approved WFH / WFA / KANTOR_LAIN or None
    check_in: dt.datetime | None
    check_out: dt.datetime | None
    finished: bool  # the day is over (else missing punches are not yet missing)
    permits: tuple[Permit, ...] = ()


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
    holiday_duty: bool = False
    off_schedule: bool = False
    implausible: bool = False
    permission: str = ""
    shift_code: str = ""


def derive_day(d: DayInput, r: DayRules = DEFAULT_RULES) -> DayResult | None:
    """The status of one day, or None when there is nothing to record (an unscheduled,
    unpunched day that is no holiday: a weekend, a rostered day off)."""
    punched = d.check_in is not None or d.check_out is not None
    if d.schedule is None:
        return _unscheduled(d, punched)
    common = {"holiday_duty": d.holiday_kind is not None, "shift_code": d.schedule.code,
              "permission": ",".join(sorted({p.kind for p in d.permits}))}
    if d.absence_kind:
        return DayResult(d.absence_kind, absence_kind=d.absence_kind,
                         note="ada presensi pada hari izin/cuti" if punched else "", **common)
    mode = d.flexible_kind or "WFO"
    if not punched:
        if not d.finished:
            return DayResult(BELUM, work_mode=mode, **common)
        return DayResult(TK, work_mode=mode, deduction=_capped(_value(r.tk_deduction), r), **common)
    reason = implausible_reason(d, r)
    if reason:
        return _implausible(d, r, mode, reason, common)
    return _present(d, r, mode, common)


def _unscheduled(d: DayInput, punched: bool) -> DayResult | None:
    if punched:
        return DayResult(OFF_SCHEDULE, off_schedule=True,
                         note=(d.holiday_name or "presensi di luar jadwal kerja")[:255])
    if d.holiday_kind is not None:
        return DayResult(CUTI_BERSAMA if d.holiday_kind == "cuti_bersama" else LIBUR, note=d.holiday_name[:255])
    return None


def implausible_reason(d: DayInput, r: DayRules) -> str:
    """Why the punches are not a day's work ('' if they are): a check-in after the latest one
    accepted, or a stay shorter than the minimum (a lone check-out counts from the start)."""
    s = d.schedule
    if d.check_in is not None:
        latest = s.start + dt.timedelta(minutes=r.latest_check_in_minutes) \
            if r.latest_check_in_minutes is not None else s.end
        if minutes_after(d.check_in, latest) > 0:
            return f"presensi masuk {d.check_in.astimezone(s.start.tzinfo):%H:%M} sesudah batas {latest:%H:%M}"
    since = d.check_in if d.check_in is not None else s.start
    if d.check_out is not None:
        stay = (d.check_out - since).total_seconds() / 60
        if stay < r.min_stay_minutes:
            return f"lama di kantor {max(0, math.floor(stay))} menit, kurang dari {r.min_stay_minutes}"
    return ""


def _implausible(d: DayInput, r: DayRules, mode: str, reason: str, common: dict) -> DayResult:
    note = f"presensi tidak wajar: {reason}"[:255]
    if r.implausible_status == IMPLAUSIBLE_MAX:
        tl, psw = top_band(r.tl), top_band(r.psw)
        deduction = _value(tl.deduction if tl else None) + _value(psw.deduction if psw else None)
        return DayResult(TL_PSW, work_mode=mode, tl_level=tl.level if tl else None,
                         psw_level=psw.level if psw else None, deduction=_capped(deduction, r), note=note,
                         implausible=True, **common)
    if r.implausible_status == IMPLAUSIBLE_REVIEW:
        return DayResult(REVIEW, work_mode=mode, note=note, implausible=True, **common)
    return DayResult(TK, work_mode=mode, deduction=_capped(_value(r.tk_deduction), r), note=note, implausible=True,
                     **common)


def _references(d: DayInput) -> tuple[dt.datetime, dt.datetime, bool]:
    """Lateness counts after the first, early leave before the second; the flag says an approved
    permission covers the end of the day (a missing check-out is then no PSW)."""
    s = d.schedule
    late_after, leave_at = s.late_after, s.expected_end(d.check_in)
    covers_end = False
    for p in d.permits:
        if p.kind == PERMIT_LATE and p.end is not None:
            late_after = max(late_after, p.end)
        elif p.kind == PERMIT_EARLY and p.start is not None:
            leave_at, covers_end = min(leave_at, p.start), True
        elif p.kind == PERMIT_LEAVE and p.start is not None and p.end is not None:
            if p.start <= s.late_after:  # away from the start of the day
                late_after = max(late_after, p.end)
            if p.end >= leave_at:  # away until the end of the day
                leave_at, covers_end = min(leave_at, p.start), True
    return late_after, leave_at, covers_end


def _present(d: DayInput, r: DayRules, mode: str, common: dict) -> DayResult:
    late_after, leave_at, covers_end = _references(d)
    tl = psw = None
    tl_minutes = psw_minutes = 0
    missing_in = d.check_in is None
    missing_out = d.check_out is None and d.finished
    if missing_in:
        tl = top_band(r.tl)
    else:
        tl_minutes = minutes_after(d.check_in, late_after)
        tl = band_for(tl_minutes, r.tl)
    if missing_out:
        psw = None if covers_end else top_band(r.psw)
    elif d.check_out is not None:
        psw_minutes = minutes_after(leave_at, d.check_out)
        psw = band_for(psw_minutes, r.psw)
    code = {(False, False): HADIR, (True, False): TL, (False, True): PSW, (True, True): TL_PSW}[
        (tl is not None, psw is not None)]
    deduction = _value(tl.deduction if tl else None) + _value(psw.deduction if psw else None)
    return DayResult(code, work_mode=mode, tl_level=tl.level if tl else None, tl_minutes=tl_minutes,
                     psw_level=psw.level if psw else None, psw_minutes=psw_minutes, missing_in=missing_in,
                     missing_out=missing_out, deduction=_capped(deduction, r), **common)


def _value(deduction: Decimal | None) -> Decimal:
    return deduction if deduction is not None else Decimal(0)


def _capped(deduction: Decimal, r: DayRules) -> Decimal:
    return min(deduction, r.daily_cap) if r.daily_cap is not None else deduction


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# PP 94/2021 Pasal 11 ayat (2): unexcused absence (TK) counted cumulatively in one calendar year
# and the sanction each count reaches, in the regulation's words.
TK_THRESHOLDS = [
    (3, "teguran lisan"),
    (4, "teguran tertulis"),
    (7, "pernyataan tidak puas secara tertulis"),
    (11, "pemotongan tunjangan kinerja sebesar 25% selama 6 bulan"),
    (14, "pemotongan tunjangan kinerja sebesar 25% selama 9 bulan"),
    (17, "pemotongan tunjangan kinerja sebesar 25% selama 12 bulan"),
    (21, "penurunan jabatan setingkat lebih rendah selama 12 bulan"),
    (25, "pembebasan dari jabatannya menjadi jabatan pelaksana selama 12 bulan"),
    (28, "pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"),
]
# Ten working days of TK in a row is a ground for the same dismissal, whatever the yearly count.
TK_CONSECUTIVE_DAYS = 10
TK_CONSECUTIVE_SANCTION = "pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"


def tk_sanction(days: int) -> str:
    """The heaviest PP 94/2021 threshold reached by ``days`` of TK in a year ('' if none)."""
    reached = [label for threshold, label in TK_THRESHOLDS if days >= threshold]
    return reached[-1] if reached else ""


def tk_thresholds_reached(days: int) -> list[int]:
    return [threshold for threshold, _label in TK_THRESHOLDS if days >= threshold]


@dataclass(frozen=True)
class TkRun:
    length: int
    first: dt.date | None
    last: dt.date | None


def longest_tk_run(days) -> TkRun:
    """The longest run of TK over consecutive working days. ``days`` is (date, code) in date
    order, one per status row: holidays, cuti bersama and off-schedule days are skipped (they are
    not working days), anything else that is not TK ends the run. Days with no row (weekends, a
    rostered day off) are not working days either."""
    best = TkRun(0, None, None)
    length, first = 0, None
    for day, code in days:
        if code in NOT_WORKING:
            continue
        if code == TK:
            length, first = length + 1, first if length else day
            if length > best.length:
                best = TkRun(length, first, day)
        else:
            length, first = 0, None
    return best
