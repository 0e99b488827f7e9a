"""Pure leave rules: annual-leave entitlement and carry-over, service-length eligibility, maximum
lengths, and the defaults for who grants a kind and which document it needs.

No database here. Every number cites its article; ``docs/decisions.md`` ("Leave a BKPSDM would
sign off") keeps the sources. PNS: PP 11/2017 (as amended by PP 17/2020) and Peraturan BKN
24/2017; PPPK: PP 49/2018 and Peraturan BKN 7/2022; Plh/Plt: SE BKN 1/SE/I/2021.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ANNUAL_DAYS = 12  # PP 11/2017 Pasal 310–311; PP 49/2018 Pasal 79 (working days a year)
CARRY_LIMIT = 18  # PP 11/2017 Pasal 313 ayat 1: with last year's unused days, at most 18 in all
CARRY_LIMIT_TWO_YEARS = 24  # Pasal 313 ayat 2: unused two years or more running, at most 24
OPENING_MAX = 48  # an opening above twice the longest legal balance is a typo

CT, CB, CS, CM, CAP, CLTN = "CT", "CB", "CS", "CM", "CAP", "CLTN"
PNS, PPPK = "PNS", "PPPK"


@dataclass(frozen=True)
class KindLimits:
    """What a kind of cuti asks of the employee and how long it may last."""

    min_service_years: int = 0
    max_months: int | None = None  # calendar months from the first day of the leave
    max_child_order: int | None = None  # cuti melahirkan: which births it covers
    reserved: bool = False  # only the definitive official grants it, never a Plh/Plt
    citation: str = ""


LIMITS: dict[str, dict[str, KindLimits]] = {
    PNS: {
        CT: KindLimits(min_service_years=1, citation="PP 11/2017 Pasal 310–311"),
        CB: KindLimits(min_service_years=5, max_months=3, citation="PP 11/2017 Pasal 315–317"),
        CS: KindLimits(max_months=18, citation="PP 11/2017 Pasal 320"),
        CM: KindLimits(max_months=3, max_child_order=3, citation="PP 11/2017 Pasal 325"),
        CAP: KindLimits(max_months=1, citation="PP 11/2017 Pasal 328–330"),
        CLTN: KindLimits(min_service_years=5, max_months=36, reserved=True,
                         citation="PP 11/2017 Pasal 331–332, 339; SE BKN 1/SE/I/2021"),
    },
    PPPK: {
        CT: KindLimits(min_service_years=1, citation="PP 49/2018 Pasal 78–79"),
        CS: KindLimits(max_months=1, citation="PP 49/2018 Pasal 81–83"),
        CM: KindLimits(max_months=3, max_child_order=3, citation="PP 49/2018 Pasal 84–86"),
    },
}

# Per kind: (the official decides after the atasan langsung, document rule, document label).
# The leave form of Peraturan BKN 24/2017 has both steps for every cuti: the atasan langsung's
# consideration, then the decision of the pejabat yang berwenang memberikan cuti.
DEFAULT_KIND_RULES: dict[str, tuple[bool, str, str]] = {
    CT: (True, "none", ""),
    CB: (True, "none", ""),
    CS: (True, "after_first_day", "Surat keterangan dokter"),
    CM: (True, "none", ""),
    CAP: (True, "none", ""),
    CLTN: (True, "always", "Surat permohonan CLTN beserta alasannya"),
    "SAKIT": (False, "after_first_day", "Surat keterangan dokter"),
    "DL": (False, "always", "Surat tugas"),
}
SPECIAL_CIRCUMSTANCE_DOCUMENT = "Bukti keadaan khusus"


def limits_for(asn_type: str, kind: str) -> KindLimits | None:
    """The limits of a cuti kind for this kind of ASN; None: the kind is not a cuti or is not
    open to them (a PPPK has CT, CS and CM only, PP 49/2018 Pasal 75)."""
    return LIMITS.get(asn_type if asn_type in LIMITS else PNS, {}).get(kind)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_of_service(service_start: dt.date | None, on: dt.date) -> int | None:
    """Whole years between the start of service and ``on`` (None when HR has not recorded it)."""
    if service_start is None:
        return None
    years = on.year - service_start.year
    if (on.month, on.day) < (service_start.month, service_start.day):
        years -= 1
    return max(years, 0)


def last_day_allowed(first_day: dt.date, limits: KindLimits) -> dt.date | None:
    """The last calendar day a leave starting on ``first_day`` may run to."""
    if limits.max_months is None:
        return None
    return add_months(first_day, limits.max_months) - dt.timedelta(days=1)


@dataclass(frozen=True)
class YearBalance:
    """Cuti tahunan of one year: what the year brings, what came from last year, HR's
    corrections, and what is used (approved and asked)."""

    year: int
    entitlement: int
    carried: int
    adjustments: int
    used: int
    opening: int | None = None  # HR's opening replaces entitlement and carry-over

    @property
    def available(self) -> int:
        base = self.opening if self.opening is not None else self.entitlement + self.carried
        return base + self.adjustments

    @property
    def remaining(self) -> int:
        return self.available - self.used


@dataclass(frozen=True)
class AnnualLeaveFacts:
    """Plain numbers about one employee, read once by the selector."""

    asn_type: str
    service_start: dt.date | None
    first_year: int  # the first year the portal keeps balances for
    openings: dict[int, int]
    adjustments: dict[int, int]
    used: dict[int, int]  # CT days approved or asked, per year
    cuti_besar_years: frozenset[int] = frozenset()


def _entitled(facts: AnnualLeaveFacts, year: int) -> bool:
    if facts.service_start is None:
        return True  # not recorded: the portal cannot tell, the service check says so
    return add_months(facts.service_start, 12) <= dt.date(year, 12, 31)


def _carried(facts: AnnualLeaveFacts, previous: YearBalance | None, before: YearBalance | None) -> int:
    """Unused days of last year that move on (PNS only; a PPPK's lapse, PP 49/2018 Pasal 79)."""
    if facts.asn_type == PPPK or previous is None or previous.remaining <= 0:
        return 0
    untouched_two_years = previous.used == 0 and before is not None and before.used == 0
    limit = (CARRY_LIMIT_TWO_YEARS if untouched_two_years else CARRY_LIMIT) - ANNUAL_DAYS
    return min(previous.remaining, limit)


def annual_balances(facts: AnnualLeaveFacts, up_to: int) -> dict[int, YearBalance]:
    """Year by year from the portal's first year to ``up_to``: each year's balance, carrying the
    unused days forward within the legal limits. A PNS who takes cuti besar has no cuti tahunan
    that year (PP 11/2017 Pasal 316, per Peraturan BKN 24/2017)."""
    out: dict[int, YearBalance] = {}
    start = min([facts.first_year, *facts.openings, *facts.used]) if facts.used or facts.openings else facts.first_year
    start = max(start, facts.first_year)
    for year in range(start, up_to + 1):
        entitlement = ANNUAL_DAYS if _entitled(facts, year) else 0
        if facts.asn_type != PPPK and year in facts.cuti_besar_years:
            entitlement = 0
        carried = _carried(facts, out.get(year - 1), out.get(year - 2)) if entitlement else 0
        out[year] = YearBalance(year, entitlement, carried, facts.adjustments.get(year, 0),
                                facts.used.get(year, 0), facts.openings.get(year))
    return out
