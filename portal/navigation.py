"""The menu, built from what each app registers: portal's templates name no URL of the apps above.

Each app registers its pages in ``AppConfig.ready()`` with :func:`register`; the context processor
(:func:`portal.context_processors.navigation`) hands the template the entries the user's roles
open, grouped (Saya, Tim, Laporan, Kepegawaian) and in order. The home page shows the entries that
carry a ``description`` as cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ME, TEAM, REPORTS, HR = "me", "team", "reports", "hr"
GROUPS = {ME: _("Saya"), TEAM: _("Tim"), REPORTS: _("Laporan"), HR: _("Kepegawaian")}
EVERYONE = "everyone"  # any signed-in user, whatever their roles


@dataclass(frozen=True)
class Entry:
    group: str
    order: int
    label: Promise
    url_name: str
    roles: frozenset[str]  # shown when the user holds any of these roles
    description: Promise | str = ""  # the home page's card text; empty: no card
    staff_only: bool = False  # the Django admin needs is_staff as well

    def visible_to(self, roles, user) -> bool:
        if self.staff_only and not getattr(user, "is_staff", False):
            return False
        return EVERYONE in self.roles or bool(self.roles & set(roles))


_ENTRIES: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    """Add pages to the menu (keyed by URL name: registering again replaces the entry)."""
    for entry in entries:
        _ENTRIES[entry.url_name] = entry


def entry(group: str, order: int, label, url_name: str, *roles: str, description="", staff_only=False) -> Entry:
    return Entry(group, order, label, url_name, frozenset(roles), description, staff_only)


def entries_for(roles, user) -> list[Entry]:
    return sorted((e for e in _ENTRIES.values() if e.visible_to(roles, user)), key=lambda e: (e.group, e.order))


def menu(roles, user, path: str = "") -> list[dict]:
    """Groups in their fixed order, each with its links (label, url, current) for this user."""
    groups = []
    for key, label in GROUPS.items():
        links = []
        for e in sorted((e for e in entries_for(roles, user) if e.group == key), key=lambda e: e.order):
            url = _url(e.url_name)
            if url:
                links.append({"label": e.label, "url": url, "current": path == url,
                              "description": e.description, "name": e.url_name})
        if links:
            groups.append({"key": key, "label": label, "links": links,
                           "current": any(link["current"] for link in links)})
    return groups


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
