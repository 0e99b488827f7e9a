"""``{% load portal_format %}``: dates, distances and NIPs as people read them (see :mod:`portal.formatting`).

    {{ day|long_date }}      Senin, 7 Desember 2026
    {{ day|short_date }}     7 Desember 2026
    {{ punch.in_distance_m|distance }}   850 m · 326,0 km
    {{ employee|nip }}       19860926 201505 1 001 (an NI PPPK as issued)
    {{ row.nip|nip:row.asn_type }}
"""

from __future__ import annotations

from django import template

from portal import formatting

register = template.Library()


@register.filter
def long_date(value) -> str:
    return formatting.long_date(value)


@register.filter
def short_date(value) -> str:
    return formatting.short_date(value)


@register.filter
def distance(metres) -> str:
    return formatting.distance_text(metres)


@register.filter
def nip(value, asn_type=None) -> str:
    """An employee (anything with ``nip`` and ``asn_type``), or a NIP string with its ASN type."""
    if hasattr(value, "nip"):
        return formatting.nip_display(value.nip, value.asn_type)
    return formatting.nip_display(str(value or ""), asn_type or "")
