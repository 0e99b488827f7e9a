"""Effective coverage policies: inherited down the unit tree, effective-dated, with their sources.

One read for every question about "which rule is in force": the approval service, the request
preview, staffing, the HR policy pages and the policy API all come here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from portal import facts
from portal.models import Employee, Unit
from portal.selectors import units_visible_to
from scheduling import rules
from scheduling.models import CoveragePolicy, FwaWindow, RequestDay, Status
from scheduling.selectors.emergency import emergencies_between, emergency_applied, with_emergencies


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


def _policy_rows(unit: Unit) -> tuple[CoveragePolicy, ...]:
    return _rows_of_units(unit.ancestor_ids)


def _rows_of_units(unit_ids) -> tuple[CoveragePolicy, ...]:
    """The policy rows of these units with their essential positions: a rule fact, read once per
    change (portal.facts)."""
    ids = tuple(sorted(set(unit_ids)))
    return facts.remembered("policies.rows", ids, lambda: tuple(
        CoveragePolicy.objects.filter(unit_id__in=ids).prefetch_related("essential_positions")))


def effective_policy(unit: Unit, day: dt.date) -> rules.Policy:
    """The policy in force for ``unit`` on ``day``, inherited down the tree, under the emergency
    in force that day if any (an overlay: the rows are never changed)."""
    return effective_policies(unit, [day])[day]


def effective_policies(unit: Unit, days: list[dt.date], *,
                       emergencies: dict | None = None) -> dict[dt.date, rules.Policy]:
    """``emergencies``: the unit's :func:`~scheduling.selectors.emergency.emergency_days` over (at
    least) these days, when the caller read them already (a preview, for its FWA days too)."""
    rows = _policy_rows(unit)
    return with_emergencies(unit, {d: rules.merge_policies(_policy_layers(unit, d, rows)) for d in days},
                            days=emergencies)


def effective_policies_many(wanted: dict[Unit, list[dt.date]], *,
                            emergencies: list | None = None) -> dict[int, dict[dt.date, rules.Policy]]:
    """:func:`effective_policies` of many units at once (a page of the inbox): the rows of their
    ancestors and the emergencies of the span read once, then the same merge and overlay per unit.
    ``emergencies``: :func:`emergencies_between` over (at least) the span, when already read."""
    days = [d for ds in wanted.values() for d in ds]
    if not days:
        return {u.pk: {} for u in wanted}
    rows = _rows_of_units({a for u in wanted for a in u.ancestor_ids})
    if emergencies is None:
        emergencies = emergencies_between(min(days), max(days))
    merged: dict[tuple[int, ...], rules.Policy] = {}  # a page's units mostly share their rows in force
    out = {}
    for u, ds in wanted.items():
        out[u.pk] = {}
        for d in ds:
            in_force = _rows_in_force(u, d, rows)
            key = tuple(row.pk for row in in_force)
            if key not in merged:
                merged[key] = rules.merge_policies([_layer(row) for row in in_force])
            out[u.pk][d] = emergency_applied(u, d, merged[key], emergencies)
    return out


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
    national default) and the date that row applies from, and each essential jabatan with the
    unit that names it (and from when)."""

    unit: Unit
    date: dt.date
    policy: rules.Policy
    sources: dict[str, Unit | None] = field(default_factory=dict)
    essential_sources: dict[str, Unit] = field(default_factory=dict)
    since: dict[str, dt.date | None] = field(default_factory=dict)
    essential_since: dict[str, dt.date] = field(default_factory=dict)

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
        return [{"jabatan": j, "min_in_office": n, "source": self.essential_sources[j],
                 "since": self.essential_since[j]} for j, n in self.policy.essential]


def effective_with_sources(units: list[Unit], day: dt.date) -> dict[int, EffectivePolicy]:
    """Each unit's policy on ``day`` with where every value comes from (constant queries)."""
    rows = list(CoveragePolicy.objects.filter(unit_id__in={a for u in units for a in u.ancestor_ids},
                                              effective_from__lte=day)
                .select_related("unit").prefetch_related("essential_positions"))
    out = {}
    for unit in units:
        in_force = _rows_in_force(unit, day, rows)
        # The nearest row that sets a value wins (rows come root first), and its start date with it.
        setters: dict[str, CoveragePolicy | None] = dict.fromkeys(SOURCE_FIELDS)
        essential_rows: dict[str, CoveragePolicy] = {}
        for row in in_force:
            setters.update({n: row for n in SOURCE_FIELDS if getattr(row, n) not in (None, "")})
            essential_rows.update({e.jabatan: row for e in row.essential_positions.all()})
        policy = rules.merge_policies([_layer(r) for r in in_force])
        out[unit.pk] = EffectivePolicy(
            unit, day, policy,
            sources={n: r.unit if r else None for n, r in setters.items()},
            essential_sources={j: r.unit for j, r in essential_rows.items()},
            since={n: r.effective_from if r else None for n, r in setters.items()},
            essential_since={j: r.effective_from for j, r in essential_rows.items()})
    return out


def _layer(row: CoveragePolicy) -> dict:
    layer = {name: getattr(row, name) for name in rules._SCALARS}
    layer.update(weekday_min_share=row.weekday_min_share, mandatory_weekdays=row.mandatory_weekdays,
                 blackout_dates=row.blackout_dates,
                 essential=[(e.jabatan, e.min_in_office) for e in row.essential_positions.all()])
    return layer


MAX_SEARCH_LENGTH = 100


def policy_units_visible_to(user, *, unit_id: int | None = None, subtree: bool = False,
                            search: str = "") -> QuerySet[Unit]:
    """Units whose policies ``user`` administers (HR scope), in tree order; narrowed to one unit
    (and its subtree) when asked, and to names or codes containing ``search``. A unit outside
    the scope is a 404."""
    units = units_visible_to(user).order_by("path")
    search = _normalised_search(search)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if unit_id is None:
        return units
    unit = units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return units.filter(path__startswith=unit.path) if subtree else units.filter(pk=unit.pk)


# --- Browsing a large tree: one level at a time, or a search ---------------------------------

@dataclass
class PolicyBrowse:
    """What the policy list shows: ``current`` (the unit whose direct sub-units are listed; None
    for a search, or for a scope with several tops) and one ``page`` of units, each with
    ``child_count``; ``trails`` gives each shown unit's ancestors inside the scope, root first."""

    current: Unit | None
    page: Page
    search: str
    trails: dict[int, list[Unit]]


def _normalised_search(search: str) -> str:
    return " ".join((search or "").split())[:MAX_SEARCH_LENGTH]


def policy_units_browse(user, *, parent_id: int | None = None, search: str = "", page_number=None,
                        per_page: int = 25) -> PolicyBrowse:
    """One level of ``user``'s scope, or the units whose name or code contains ``search``, a page
    at a time: the cost of a page does not grow with the tree (2,000 units are never loaded).

    Without ``parent_id`` the level shown is below the top of the scope when it has one top
    (an HR admin of one OPD), else the tops themselves (a superuser's institutions). A
    ``parent_id`` outside the scope is a 404.
    """
    visible = units_visible_to(user)
    counted = visible.annotate(child_count=Count("children")).order_by("path")
    search = _normalised_search(search)
    current = None
    if search:
        listed = counted.filter(Q(name__icontains=search) | Q(code__icontains=search))
    else:
        if parent_id is not None:
            current = counted.filter(pk=parent_id).first()
            if current is None:
                raise Http404
        else:
            tops = list(counted.exclude(parent__in=visible)[:2])
            current = tops[0] if len(tops) == 1 else None
        listed = counted.filter(parent=current) if current else counted.exclude(parent__in=visible)
        listed = listed.order_by("name", "pk")  # siblings a–z; search hits stay in tree order
    page = Paginator(listed, per_page).get_page(page_number)
    # Where a search hit or the browsed unit sits; a top of the scope has nothing above it in scope.
    placed = list(page.object_list) if search else [current] if parent_id is not None else []
    wanted = {a for u in placed for a in u.ancestor_ids[:-1]}
    found = visible.in_bulk(wanted) if wanted else {}
    trails = {u.pk: [found[a] for a in u.ancestor_ids[:-1] if a in found]
              for u in [*([current] if current else []), *page.object_list]}
    return PolicyBrowse(current, page, search, trails)


def unit_trail(unit: Unit, user) -> list[Unit]:
    """``unit``'s ancestors inside ``user``'s scope, root first (one query)."""
    found = units_visible_to(user).in_bulk(unit.ancestor_ids[:-1])
    return [found[a] for a in unit.ancestor_ids[:-1] if a in found]


# --- Whom a change reaches -------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyImpact:
    """What a policy change of ``unit`` from ``effective_from`` on reaches: the active employees
    of the unit and every unit below it, and their request days still waiting for a decision
    dated on or after that day (those are checked against the rule in force when decided)."""

    unit: Unit
    effective_from: dt.date
    employees: int
    pending_requests: int


def policy_change_impact(unit: Unit, effective_from: dt.date, *, changed: CoveragePolicy | None = None) -> PolicyImpact:
    """Counts for "this change reaches N employees and M pending requests from <date>".

    The whole subtree is counted: a unit below that sets a value of its own keeps it for that
    value, but still follows the change for every other one (two queries, any tree size).
    Changing an existing row (``changed``) reaches back to its old start when that was earlier:
    moving a start later changes the days in between too.
    """
    if changed is not None and changed.pk and changed.effective_from < effective_from:
        effective_from = changed.effective_from
    employees = Employee.objects.active().in_subtree(unit).count()
    pending = RequestDay.objects.filter(unit__path__startswith=unit.path, status=Status.PENDING,
                                        date__gte=effective_from).count()
    return PolicyImpact(unit, effective_from, employees, pending)


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
