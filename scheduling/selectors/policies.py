"""Effective coverage policies: inherited down the unit tree, effective-dated, with their sources.

One read for every question about "which rule is in force": the approval service, the request
preview, staffing, the HR policy pages and the policy API all come here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from portal.models import Unit
from portal.selectors import units_visible_to
from scheduling import rules
from scheduling.models import CoveragePolicy, FwaWindow


def _rows_in_force(unit: Unit, day: dt.date, rows: list[CoveragePolicy]) -> list[CoveragePolicy]:
    """For each ancestor that has one (root first), its policy row in force on ``day``."""
    depth_of = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    current: dict[int, CoveragePolicy] = {}
    for row in rows:
        if row.unit_id in depth_of and row.effective_from <= day and (
                row.unit_id not in current or row.effective_from > current[row.unit_id].effective_from):
            current[row.unit_id] = row
    return sorted(current.values(), key=lambda r: depth_of[r.unit_id])


def _policy_layers(unit: Unit, day: dt.date, rows: list[CoveragePolicy]) -> list[dict]:
    return [_layer(row) for row in _rows_in_force(unit, day, rows)]


def _policy_rows(unit: Unit) -> list[CoveragePolicy]:
    return list(CoveragePolicy.objects.filter(unit_id__in=unit.ancestor_ids).prefetch_related("essential_positions"))


def effective_policy(unit: Unit, day: dt.date) -> rules.Policy:
    """The policy in force for ``unit`` on ``day``, inherited down the tree."""
    return rules.merge_policies(_policy_layers(unit, day, _policy_rows(unit)))


def effective_policies(unit: Unit, days: list[dt.date]) -> dict[dt.date, rules.Policy]:
    rows = _policy_rows(unit)
    return {d: rules.merge_policies(_policy_layers(unit, d, rows)) for d in days}


def all_policy_rows() -> list[CoveragePolicy]:
    """Every coverage policy row, for computing many units' effective policies in memory."""
    return list(CoveragePolicy.objects.prefetch_related("essential_positions"))


def policy_for(unit: Unit, day: dt.date, rows: list[CoveragePolicy]) -> rules.Policy:
    """Effective policy of ``unit`` on ``day`` from preloaded rows (see :func:`all_policy_rows`)."""
    return rules.merge_policies(_policy_layers(unit, day, rows))


# --- With sources, for HR ---------------------------------------------------------------

# The values a policy row may set; for each, the effective value names the unit that set it.
SOURCE_FIELDS = ("min_office_share", "min_office_headcount", "weekday_min_share", "weekly_cap", "monthly_cap",
                 "mandatory_weekdays", "blackout_dates", "exclude_disciplinary", "min_months_since_placement", "mode",
                 "count_pending")


@dataclass
class EffectivePolicy:
    """A unit's policy on one day, each value with the unit whose row sets it (None: the
    national default), and each essential jabatan with the unit that names it."""

    unit: Unit
    date: dt.date
    policy: rules.Policy
    sources: dict[str, Unit | None] = field(default_factory=dict)
    essential_sources: dict[str, Unit] = field(default_factory=dict)

    @property
    def values(self) -> dict:
        p = self.policy
        return {
            **{name: getattr(p, name) for name in rules._SCALARS},
            "weekday_min_share": {str(d): s for d, s in sorted(p.weekday_min_share.items())},
            "mandatory_weekdays": sorted(p.mandatory_weekdays),
            "blackout_dates": sorted(p.blackout_dates),
        }

    @property
    def essential(self) -> list[dict]:
        return [{"jabatan": j, "min_in_office": n, "source": self.essential_sources[j]}
                for j, n in self.policy.essential]


def effective_with_sources(units: list[Unit], day: dt.date) -> dict[int, EffectivePolicy]:
    """Each unit's policy on ``day`` with where every value comes from (constant queries)."""
    rows = list(CoveragePolicy.objects.filter(unit_id__in={a for u in units for a in u.ancestor_ids},
                                              effective_from__lte=day)
                .select_related("unit").prefetch_related("essential_positions"))
    out = {}
    for unit in units:
        in_force = _rows_in_force(unit, day, rows)
        sources: dict[str, Unit | None] = dict.fromkeys(SOURCE_FIELDS)
        essential_from: dict[str, Unit] = {}
        for row in in_force:
            sources.update({n: row.unit for n in SOURCE_FIELDS if getattr(row, n) not in (None, "")})
            essential_from.update({e.jabatan: row.unit for e in row.essential_positions.all()})
        policy = rules.merge_policies([_layer(r) for r in in_force])
        out[unit.pk] = EffectivePolicy(unit, day, policy, sources, essential_from)
    return out


def _layer(row: CoveragePolicy) -> dict:
    layer = {name: getattr(row, name) for name in rules._SCALARS}
    layer.update(weekday_min_share=row.weekday_min_share, mandatory_weekdays=row.mandatory_weekdays,
                 blackout_dates=row.blackout_dates,
                 essential=[(e.jabatan, e.min_in_office) for e in row.essential_positions.all()])
    return layer


def policy_units_visible_to(user, *, unit_id: int | None = None, subtree: bool = False) -> QuerySet[Unit]:
    """Units whose policies ``user`` administers (HR scope), in tree order; narrowed to one unit
    (and its subtree) when asked. A unit outside the scope is a 404."""
    units = units_visible_to(user).order_by("path")
    if unit_id is None:
        return units
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return units.filter(path__startswith=unit.path) if subtree else units.filter(pk=unit.pk)


def policies_visible_to(user) -> QuerySet[CoveragePolicy]:
    """Policy rows of the units ``user`` administers, with what the pages and API show."""
    return (CoveragePolicy.objects.filter(unit__in=units_visible_to(user)).select_related("unit")
            .prefetch_related("essential_positions"))


def fwa_windows_visible_to(user) -> QuerySet[FwaWindow]:
    """FWA windows naming a unit in ``user``'s HR scope (all for a superuser), newest first."""
    windows = FwaWindow.objects.all()
    if not getattr(user, "is_superuser", False):
        # A subquery, not a join: a join would repeat windows naming several units.
        windows = windows.filter(pk__in=FwaWindow.objects.filter(units__in=units_visible_to(user)).values("pk"))
    return windows.prefetch_related("units").select_related("created_by").order_by("-start", "-id")
