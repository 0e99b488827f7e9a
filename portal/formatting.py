"""How the portal writes dates, distances and NIPs for people, in the language active when it is
rendered: the one place each format is decided (the template filters in
``portal.templatetags.portal_format`` call these, and so do messages built in Python).

Data (API bodies, audit and verdict params, exports' date cells) keeps ISO dates and plain numbers;
only what a person reads goes through here.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, number_format
from django.utils.translation import ngettext

from portal.rules import nip_display

__all__ = ["days", "distance_text", "long_date", "months", "nip_display", "people", "short_date", "working_days",
           "years"]

LONG_DATE = "l, j F Y"  # Senin, 7 Desember 2026 / Monday, 7 December 2026
SHORT_DATE = "j F Y"    # 7 Desember 2026 / 7 December 2026


def _as_date(value) -> dt.date | None:
    """A date, a datetime (its own date) or an ISO string as found in stored params."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def long_date(value) -> str:
    """"Senin, 7 Desember 2026": a day someone works, takes off or asks for."""
    day = _as_date(value)
    return date_format(day, LONG_DATE) if day else ""


def short_date(value) -> str:
    """"7 Desember 2026": when a rule, a pattern or a period starts or ends."""
    day = _as_date(value)
    return date_format(day, SHORT_DATE) if day else ""



def distance_text(metres) -> str:
    """Under a kilometre in whole metres ("850 m"), else kilometres with one decimal ("326,0 km" in
    Indonesian, "326.0 km" in English): "325.957 m" read as 326 metres to English readers."""
    if metres is None:
        return ""
    whole = round(float(metres))
    if whole < 1000:
        return f"{number_format(whole, 0, force_grouping=True)} m"
    # number_format cuts extra decimals instead of rounding them: round first.
    return f"{number_format(round(float(metres) / 1000, 1), 1, force_grouping=True)} km"


# Counted nouns for sentences built in Python: Indonesian has one form, English two ("1 day", "2 days").
# Templates use {% blocktranslate count %} instead.

def days(n: int) -> str:
    return ngettext("%(n)d hari", "%(n)d hari", n) % {"n": n}


def working_days(n: int) -> str:
    return ngettext("%(n)d hari kerja", "%(n)d hari kerja", n) % {"n": n}


def months(n: int) -> str:
    return ngettext("%(n)d bulan", "%(n)d bulan", n) % {"n": n}


def years(n: int) -> str:
    return ngettext("%(n)d tahun", "%(n)d tahun", n) % {"n": n}


def people(n: int) -> str:
    return ngettext("%(n)d orang", "%(n)d orang", n) % {"n": n}
