"""Banners every page shows to whom they concern (an emergency in force over one's unit).

Like the home panels (:func:`portal.navigation.register_panel`), an app above registers a read
in its ``AppConfig.ready()``; portal draws what it returns on every page without knowing the
app. A read takes the user and returns a list of :class:`Banner` (empty: nothing to show); it
must be cheap (an indexed query or two), and it is asked once per request, only when a page
renders the banner area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Banner:
    title: str | Promise
    text: str | Promise = ""
    level: str = "warning"  # "warning" or "info": the colour, nothing else
    link: str = ""
    link_label: str | Promise = ""


_READS: dict[str, Callable[[object], list[Banner]]] = {}


def register_banner(key: str, read: Callable[[object], list[Banner]]) -> None:
    """Add (or, with the same ``key``, replace) a read whose banners every page shows."""
    _READS[key] = read


def banners_for(user) -> list[Banner]:
    """Every registered read's banners for ``user``, in the order the reads were registered."""
    if not getattr(user, "is_authenticated", False):
        return []
    found: list[Banner] = []
    for read in _READS.values():
        found += read(user) or []
    return found
