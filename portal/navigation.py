"""The menu and the home page, built from what each app registers: portal names no page of the apps above.

Each app registers in ``AppConfig.ready()``:

- its pages with :func:`register` (group, order, label, URL name, roles, card text); the context
  processor (:func:`portal.context_processors.navigation`) hands the template the entries the
  user's roles open, grouped (Saya, Tim, Laporan, Kepegawaian) and in order, one link per page;
- its home panels with :func:`register_panel`: a read scoped to the user (the app's selector) and
  the template that shows it. The home page places each panel in one of portal's slots (today,
  decisions waiting, what needs attention, the plan) and shows the slot when a panel has something
  to say; a read must cost a bounded number of indexed queries whatever the size of the institution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
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
    also: tuple[str, ...] = ()  # URL names of the entry's other pages (its tabs): the entry is current there too

    def visible_to(self, roles, user) -> bool:
        if self.staff_only and not getattr(user, "is_staff", False):
            return False
        return EVERYONE in self.roles or bool(self.roles & set(roles))


_ENTRIES: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    """Add pages to the menu (keyed by URL name: registering again replaces the entry)."""
    for entry in entries:
        _ENTRIES[entry.url_name] = entry


def entry(group: str, order: int, label, url_name: str, *roles: str, description="", staff_only=False,
          also=()) -> Entry:
    return Entry(group, order, label, url_name, frozenset(roles), description, staff_only, tuple(also))


def entries_for(roles, user) -> list[Entry]:
    order = list(GROUPS)
    return sorted((e for e in _ENTRIES.values() if e.visible_to(roles, user)),
                  key=lambda e: (order.index(e.group), e.order))


def menu(roles, user, path: str = "") -> list[dict]:
    """Groups in their fixed order, each with its links (label, url, current) for this user.

    The current link is the one whose page, or one of its tabs, is the longest prefix of ``path``:
    ``/hr/cuti/saldo/12/`` belongs to "Cuti pegawai", ``/rencana/ajukan/`` to the plan."""
    entries = [(e, _url(e.url_name)) for e in entries_for(roles, user)]
    entries = [(e, url) for e, url in entries if url]
    current = _current(entries, path)
    groups = []
    for key, label in GROUPS.items():
        links = [{"label": e.label, "url": url, "current": e is current, "description": e.description,
                  "name": e.url_name} for e, url in entries if e.group == key]
        if links:
            groups.append({"key": key, "label": label, "links": links,
                           "cards": [link for link in links if link["description"]],
                           "current": any(link["current"] for link in links)})
    return groups


def _current(entries: list[tuple[Entry, str]], path: str) -> Entry | None:
    best, best_length = None, 0
    for e, url in entries:
        for prefix in (url, *filter(None, map(_url, e.also))):
            if path.startswith(prefix) and len(prefix) > best_length:
                best, best_length = e, len(prefix)
    return best


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- Home panels ---------------------------------------------------------------------------------

TODAY, PLAN, DECISIONS, WATCH = "today", "plan", "decisions", "watch"


@dataclass(frozen=True)
class Slot:
    title: Promise | str
    empty: Promise | str = ""  # said when the slot's panels have nothing to show; empty: the slot is left out


# In the order of the page: what others wait for comes before one's own plan.
SLOTS = {
    TODAY: Slot(_("Hari ini")),  # drawn inside portal's own "today" card
    DECISIONS: Slot(_("Menunggu keputusan Anda"), _("Tidak ada yang menunggu keputusan Anda.")),
    WATCH: Slot(_("Perlu perhatian")),
    PLAN: Slot(_("Rencana Anda")),
}


@dataclass(frozen=True)
class Panel:
    slot: str
    order: int
    key: str
    template: str  # the app's include; it receives the read's answer as ``panel``
    read: Callable[[object], object]  # read(user): what to show, or None/{} for nothing
    roles: frozenset[str]


_PANELS: dict[str, Panel] = {}


def register_panel(slot: str, order: int, key: str, template: str, read, *roles: str) -> None:
    """Add a home panel (keyed by ``key``: registering again replaces it)."""
    if slot not in SLOTS:
        raise ValueError(f"unknown home slot {slot!r}")
    _PANELS[key] = Panel(slot, order, key, template, read, frozenset(roles))


def home_slots(roles, user) -> list[dict]:
    """The slots this user's roles open, in their fixed order, each with the panels that have
    something to show (``template`` and the read's answer as ``data``)."""
    slots = []
    for key, slot in SLOTS.items():
        panels = sorted((p for p in _PANELS.values() if p.slot == key and p.roles & set(roles)),
                        key=lambda p: p.order)
        items = []
        for panel in panels:
            data = panel.read(user)
            if data:
                items.append({"key": panel.key, "template": panel.template, "data": data})
        if items or (panels and slot.empty):
            slots.append({"key": key, "title": slot.title, "empty": slot.empty, "items": items})
    return slots


COUNT_CAP = 100


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows, counting no further than ``cap`` (a LIMIT inside the COUNT): a home panel
    says "99+" instead of making the database count a whole institution's backlog."""
    return qs[:cap].count()
