"""Which signed audit checkpoints a reader may download: those of the chains of their institutions.

An HR admin scoped anywhere in an institution holds the heads of that institution's chains (a
number and a hash, no content of any event): every lane (``instansi:<id>/<lane>``, whatever
AUDIT_CHAIN_LANES was when it was written) and the un-laned ``instansi:<id>`` written before lanes.
A superuser holds every chain, the global one included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Unit
from portal.models.audit import GLOBAL_CHAIN, AuditCheckpoint
from portal.selectors.org import hr_scope_units
from portal.services.audit_chain import institution_chain, parse_chain


def chains_visible_to(user) -> set[str] | None:
    """The institutions' chain keys ``user`` may see (``instansi:<id>``, each standing for itself
    and all its lanes); None for every chain (a superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    return {institution_chain(unit.ancestor_ids[0]) for unit in hr_scope_units(user) if unit.path}


def chain_filter(chains: set[str]) -> Q:
    """Rows of these institutions' chains and of their lanes ("instansi:1/…", never "instansi:12")."""
    lanes = Q()
    for chain in chains:
        lanes |= Q(chain__startswith=f"{chain}/")
    return Q(chain__in=chains) | lanes


def checkpoints_visible_to(user) -> QuerySet[AuditCheckpoint]:
    """Newest first."""
    chains = chains_visible_to(user)
    checkpoints = AuditCheckpoint.objects.order_by("-created_at", "-id")
    return checkpoints if chains is None else checkpoints.filter(chain_filter(chains))


@dataclass(frozen=True)
class CheckpointRow:
    checkpoint: AuditCheckpoint
    chain_name: str  # the institution's name (and lane), or "global"
    local_at: dt.datetime  # when it was signed, in the institution's time zone

    @property
    def zone(self) -> str:
        return self.local_at.tzname() or ""


def _institutions(chains) -> dict[str, tuple[Unit, int | None]]:
    """Per institution chain: its institution and its lane (None for an un-laned chain)."""
    parsed = {c: key for c in chains if (key := parse_chain(c))}
    units = Unit.objects.only("id", "name", "time_zone", "path", "parent_id").in_bulk(
        {root for root, _lane in parsed.values()})
    return {c: (units[root], lane) for c, (root, lane) in parsed.items() if root in units}


def _chain_name(chain: str, institution: Unit | None, lane: int | None) -> str:
    if institution is None:
        return _("Global (tanpa unit)") if chain == GLOBAL_CHAIN else chain
    if lane is None:
        return institution.name
    return _("%(institution)s, jalur %(lane)s") % {"institution": institution.name, "lane": lane}


def checkpoint_rows(user, limit: int = 200) -> list[CheckpointRow]:
    """The newest checkpoints the reader may download, with their chain's name and local time."""
    checkpoints = list(checkpoints_visible_to(user)[:limit])
    institutions = _institutions({c.chain for c in checkpoints})
    rows = []
    for checkpoint in checkpoints:
        unit, lane = institutions.get(checkpoint.chain, (None, None))
        zone = zoneinfo.ZoneInfo(unit.time_zone) if unit and unit.time_zone else timezone.get_current_timezone()
        name = _chain_name(checkpoint.chain, unit, lane)
        rows.append(CheckpointRow(checkpoint, name, checkpoint.created_at.astimezone(zone)))
    return rows
