"""Pure rules of the organisation world: identifiers and working time.

No database here: plain values in, plain values out, so every branch can be
table-tested.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

NIP_LENGTH = 18
# ASCII only: ``\d`` would also accept Arabic-Indic or full-width digits, which int()
# happily parses but no database row or other system will ever match.
_DIGITS = re.compile(r"[0-9]+")
MIN_AGE_AT_TMT = 15


class IdentifierError(ValueError):
    """Raised with a translated, human message naming what is wrong."""


def normalize_nip(raw: str) -> str:
    """Strip the grouping spaces people type ("19860926 201505 1 001")."""
    return re.sub(r"[\s.\-]", "", raw or "")


def format_nip(nip: str) -> str:
    """Display a PNS NIP grouped as 19860926 201505 1 001."""
    if len(nip) != NIP_LENGTH:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def nip_display(nip: str, asn_type: str) -> str:
    """The one way a NIP is shown to people: a PNS NIP grouped as on a decree (19860926 201505 1 001),
    an NI PPPK as issued. Pages, exports and the audit trail all call this."""
    return format_nip(nip or "") if asn_type == "PNS" else (nip or "")


def _check_shape(value: str, label: str) -> None:
    if not value:
        raise IdentifierError(_("%(label)s wajib diisi.") % {"label": label})
    if not _DIGITS.fullmatch(value):
        raise IdentifierError(
            _("%(label)s hanya boleh berisi angka, tanpa spasi atau huruf.") % {"label": label}
        )
    if len(value) != NIP_LENGTH:
        raise IdentifierError(
            _("%(label)s harus 18 digit; yang diisi %(n)d digit.") % {"label": label, "n": len(value)}
        )


def _parse_birth_date(value: str, label: str) -> dt.date:
    try:
        born = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise IdentifierError(
            _("%(label)s: 8 digit pertama (%(part)s) bukan tanggal lahir yang sah (TTTTBBHH).")
            % {"label": label, "part": value[:8]}
        ) from None
    if born.year < 1930 or born > dt.date.today():
        raise IdentifierError(
            _("%(label)s: tanggal lahir %(date)s tidak masuk akal.")
            % {"label": label, "date": date_format(born, "j F Y")}
        )
    return born


def validate_nip(raw: str) -> str:
    """Validate a PNS NIP and return it without spaces.

    Layout: birth date YYYYMMDD + TMT CPNS YYYYMM + sex digit (1/2) + 3-digit serial.
    """
    label = "NIP"
    nip = normalize_nip(raw)
    _check_shape(nip, label)
    born = _parse_birth_date(nip, label)
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < 1950:
        raise IdentifierError(
            _("NIP: digit 9–14 (%(part)s) bukan TMT CPNS yang sah (TTTTBB).") % {"part": nip[8:14]}
        )
    tmt = dt.date(year, month, 1)
    # Compare months, not years: born Sept 1986 is still 14 in January 2001.
    if (year, month) < (born.year + MIN_AGE_AT_TMT, born.month):
        raise IdentifierError(
            _("NIP: TMT CPNS %(tmt)s jatuh sebelum pegawai berusia %(age)d tahun (lahir %(born)s).")
            % {"tmt": nip[8:14], "age": MIN_AGE_AT_TMT, "born": date_format(born, "j F Y")}
        )
    if tmt > dt.date.today().replace(day=1) + dt.timedelta(days=366):
        raise IdentifierError(_("NIP: TMT CPNS %(tmt)s ada di masa depan.") % {"tmt": nip[8:14]})
    if nip[14] not in "12":
        raise IdentifierError(
            _("NIP: digit ke-15 adalah jenis kelamin dan harus 1 (pria) atau 2 (wanita), bukan %(d)s.")
            % {"d": nip[14]}
        )
    if nip[15:] == "000":
        raise IdentifierError(_("NIP: nomor urut (3 digit terakhir) tidak boleh 000."))
    return nip


def validate_ni_pppk(raw: str) -> str:
    """Validate an NI PPPK loosely: 18 digits, a birth date, digit 13 equal to 2.

    Layout: birth date + appointment year (4) + ``2`` + contract counter + sex digit + serial.
    """
    label = "NI PPPK"
    ni = normalize_nip(raw)
    _check_shape(ni, label)
    born = _parse_birth_date(ni, label)
    year = int(ni[8:12])
    if year < 2019 or year - born.year < 15 or year > dt.date.today().year + 1:
        raise IdentifierError(
            _("NI PPPK: digit 9–12 (%(part)s) bukan tahun pengangkatan yang sah.") % {"part": ni[8:12]}
        )
    if ni[12] != "2":
        raise IdentifierError(_("NI PPPK: digit ke-13 harus 2, bukan %(d)s.") % {"d": ni[12]})
    return ni


# --- Dates the portal computes with ----------------------------------------------------------

# A plan, a report or a rule is about the working life of someone alive: outside these years a date
# is a typo (and near year 1 or 9999, date arithmetic overflows instead of answering).
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def date_in_range(day: dt.date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def date_range_message() -> str:
    return _("Tanggal harus antara tahun %(low)d dan %(high)d.") % {"low": MIN_DATE.year, "high": MAX_DATE.year}


# --- Acting officials (Plh/Plt) --------------------------------------------------------


def acting_label(acting_for: str) -> str:
    """How a decision on behalf of someone reads: "Plh. Kepala ..." as is, otherwise "a.n. ..."."""
    if not acting_for:
        return ""
    if acting_for.startswith(("Plh.", "Plt.")):
        return acting_for
    return _("a.n. %(who)s") % {"who": acting_for}


# --- Supervisor chains -------------------------------------------------------------


def cycle_members(parent_of: dict) -> set:
    """Nodes lying on a cycle of a graph where each node has at most one parent. O(n).

    Walk up from every unvisited node, stamping nodes with the walk number; meeting a
    node stamped by the *current* walk means we closed a loop.
    """
    stamp: dict = {}
    members: set = set()
    for walk, start in enumerate(parent_of):
        node, path = start, []
        while node is not None and node not in stamp:
            stamp[node] = walk
            path.append(node)
            node = parent_of.get(node)
        if node is not None and stamp[node] == walk:
            members.update(path[path.index(node):])
    return members



# --- Working time (Perpres 21/2023) -------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    """Office hours of one day, local time of the unit.

    ``end`` at or before ``start`` with ``ends_next_day`` is a shift over midnight. ``flex_until``
    is the end of a flexible start window (``start`` is its beginning). ``code`` names a shift.
    """

    start: dt.time
    end: dt.time
    break_minutes: int
    ends_next_day: bool = False
    flex_until: dt.time | None = None
    code: str = ""

    @property
    def span_minutes(self) -> int:
        """From start to end, break included (what a flexible day adds to the arrival)."""
        total = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return total + (24 * 60 if self.ends_next_day else 0)

    @property
    def net_minutes(self) -> int:
        return self.span_minutes - self.break_minutes


def shift_span_error(start: dt.time, end: dt.time, ends_next_day: bool) -> str:
    """Why a start/end pair is not a day or shift of at most 24 hours ('' if it is)."""
    if not ends_next_day and end <= start:
        return "end_before_start"
    if ends_next_day and end > start:
        return "longer_than_day"
    return ""


# Mon–Thu 07:30–16:00 with 60 min break, Fri 07:30–16:30 with 90 min: 37.5 h a week.
DEFAULT_WEEK: dict[int, DayHours] = {
    **{wd: DayHours(dt.time(7, 30), dt.time(16, 0), 60) for wd in range(4)},
    4: DayHours(dt.time(7, 30), dt.time(16, 30), 90),
}
# Ramadan: start 08:00, 32.5 h a week.
DEFAULT_RAMADAN_WEEK: dict[int, DayHours] = {
    **{wd: DayHours(dt.time(8, 0), dt.time(15, 0), 30) for wd in range(4)},
    4: DayHours(dt.time(8, 0), dt.time(15, 30), 60),
}


def weekly_net_hours(week: dict[int, DayHours]) -> float:
    return sum(h.net_minutes for h in week.values()) / 60
