"""Words the scheduling pages share."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

SEVERITY_LABELS = {
    "block": _("Tidak dapat diajukan"),
    "warn": _("Peringatan: perlu justifikasi"),
    "info": _("Lolos, dengan catatan"),
    None: _("Lolos"),
}


def nice_date(day: dt.date) -> str:
    """"Senin, 7 Desember 2026" in the active language (dates carry no time zone)."""
    return date_format(day, "l, j F Y")
