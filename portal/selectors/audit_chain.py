"""Which signed audit checkpoints a reader may download: those of the chains of their institutions.

An HR admin scoped anywhere in an institution holds that institution's chain head (a number and
a hash, no content of any event); a superuser holds every chain, the global one included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Unit
from portal.models.audit import GLOBAL_CHAIN, AuditCheckpoint
from portal.selectors.org import hr_scope_units

CHAIN_PREFIX = "instansi:"


def chains_visible_to(user) -> set[str] | None:
    """The chain keys ``user`` may see; None for every chain (a superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    return {f"{CHAIN_PREFIX}{unit.ancestor_ids[0]}" for unit in hr_scope_units(user) if unit.path}


def checkpoints_visible_to(user) -> QuerySet[AuditCheckpoint]:
    """Newest first."""
    chains = chains_visible_to(user)
    checkpoints = AuditCheckpoint.objects.order_by("-created_at", "-id")
    return checkpoints if chains is None else checkpoints.filter(chain__in=chains)


@dataclass(frozen=True)
class CheckpointRow:
    checkpoint: AuditCheckpoint
    chain_name: str  # the institution's name, or "global"
    local_at: dt.datetime  # when it was signed, in the institution's time zone

    @property
    def zone(self) -> str:
        return self.local_at.tzname() or ""


def _institutions(chains) -> dict[str, Unit]:
    ids = {int(c.removeprefix(CHAIN_PREFIX)) for c in chains if c.startswith(CHAIN_PREFIX)}
    units = Unit.objects.only("id", "name", "time_zone", "path", "parent_id").in_bulk(ids)
    return {c: units[int(c.removeprefix(CHAIN_PREFIX))] for c in chains
            if c.startswith(CHAIN_PREFIX) and int(c.removeprefix(CHAIN_PREFIX)) in units}


def checkpoint_rows(user, limit: int = 200) -> list[CheckpointRow]:
    """The newest checkpoints the reader may download, with their chain's name and local time."""
    checkpoints = list(checkpoints_visible_to(user)[:limit])
    institutions = _institutions({c.chain for c in checkpoints})
    rows = []
    for checkpoint in checkpoints:
        unit = institutions.get(checkpoint.chain)
        zone = zoneinfo.ZoneInfo(unit.time_zone) if unit and unit.time_zone else timezone.get_current_timezone()
        name = unit.name if unit else _("Global (tanpa unit)") if checkpoint.chain == GLOBAL_CHAIN else checkpoint.chain
        rows.append(CheckpointRow(checkpoint, name, checkpoint.created_at.astimezone(zone)))
    return rows
