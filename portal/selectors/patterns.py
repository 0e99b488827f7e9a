"""Reads of working patterns (jam kerja) and Ramadan periods, scoped to an HR admin.

The HR pages and the API ask the same questions here: which units a user sets patterns for, the
week in force for each of them on a date and the unit it comes from (its own pattern, an
ancestor's, or the Perpres 21/2023 default), a unit's own versions, and the Ramadan periods a user
reads and may change. Which week applies is :class:`~portal.selectors.workcalendar.PatternChain`'s
answer (one place knows it); this module only gathers it for many units at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal import rules
from portal.models import WEEKDAYS, RamadanPeriod, Unit, WorkPattern
from portal.selectors.org import hr_scope_units, units_visible_to
from portal.selectors.workcalendar import PatternVersion, pattern_chains

DEFAULT_SOURCE = "Perpres 21/2023"


# --- Working patterns ----------------------------------------------------------------------


def pattern_units_visible_to(user, *, unit_id: int | None = None, subtree: bool = False) -> QuerySet[Unit]:
    """Units whose working pattern ``user`` sets (HR scope; all for a superuser), in tree order;
    narrowed to one unit (and its subtree) when asked. A unit outside the scope is a 404.

    Callers show these a page at a time (the pages and the API paginate), never all at once."""
    units = units_visible_to(user).order_by("path")
    if unit_id is None:
        return units
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return units.filter(path__startswith=unit.path) if subtree else units.filter(pk=unit.pk)


def scope_today(user) -> dt.date:
    """"Today" for an HR admin's calendar questions asked without a date: the local date of the
    top unit of their scope (units keep their own time zone); the server's date for a superuser."""
    scopes = sorted(hr_scope_units(user), key=lambda u: u.path)
    return scopes[0].local_today() if scopes else timezone.localdate()


@dataclass(frozen=True)
class WeekDay:
    weekday: int  # 0 = Monday
    name: str
    hours: rules.DayHours | None  # None: not a working day in this pattern


@dataclass(frozen=True)
class PatternInForce:
    """The week a unit works on ``day`` and where it comes from."""

    unit: Unit
    day: dt.date
    version: PatternVersion
    source: Unit | None  # the unit whose pattern it is; None = the Perpres 21/2023 default

    @property
    def is_default(self) -> bool:
        return self.version.id is None

    @property
    def own(self) -> bool:
        return self.source is not None and self.source.pk == self.unit.pk

    @property
    def inherited(self) -> bool:
        return self.source is not None and not self.own

    @property
    def effective_from(self) -> dt.date | None:
        """When the version began (None for the default, which has always applied)."""
        return None if self.is_default else self.version.effective_from

    @property
    def week(self) -> list[WeekDay]:
        return week_of(self.version.week)


def week_of(hours_by_weekday: dict) -> list[WeekDay]:
    """Monday to Sunday, each with its hours or None."""
    return [WeekDay(weekday, str(name), hours_by_weekday.get(weekday)) for weekday, name in WEEKDAYS]


def patterns_overview(units, day: dt.date) -> dict[int, PatternInForce]:
    """Per unit (by id): the pattern version in force on ``day`` and the unit it comes from.

    Two queries whatever the number of units: the patterns of every unit and ancestor involved,
    and the ancestors that hold them (units outside ``units`` themselves, e.g. above an HR
    admin's scope, are named as the source but not otherwise shown)."""
    units = list(units)
    chains = pattern_chains(units)
    versions = {u.pk: chains[u.pk].on(day) for u in units}
    known = {u.pk: u for u in units}
    missing = {v.unit_id for v in versions.values() if v.unit_id is not None} - set(known)
    if missing:
        known.update(Unit.objects.in_bulk(missing))
    return {u.pk: PatternInForce(u, day, versions[u.pk], known.get(versions[u.pk].unit_id)) for u in units}


def _with_days(patterns: QuerySet[WorkPattern]) -> QuerySet[WorkPattern]:
    return patterns.select_related("unit").prefetch_related("days")


def unit_patterns(unit: Unit) -> QuerySet[WorkPattern]:
    """The unit's own versions, newest first, with their days."""
    return _with_days(WorkPattern.objects.filter(unit=unit)).order_by("-effective_from", "-id")


def work_patterns_visible_to(user) -> QuerySet[WorkPattern]:
    """Versions of every unit in ``user``'s HR scope (all for a superuser): by unit in tree
    order, each unit's newest first, with their days."""
    patterns = WorkPattern.objects.all()
    if not getattr(user, "is_superuser", False):
        patterns = patterns.filter(unit__in=units_visible_to(user))
    return _with_days(patterns).order_by("unit__path", "-effective_from", "-id")


# --- Ramadan periods -----------------------------------------------------------------------


def ramadan_periods_visible_to(user) -> QuerySet[RamadanPeriod]:
    """National periods and those of the institutions an HR admin works in (all for a
    superuser; none for anyone else), newest first."""
    periods = RamadanPeriod.objects.select_related("institution").order_by("-start", "-id")
    if getattr(user, "is_superuser", False):
        return periods
    roots = {u.ancestor_ids[0] for u in hr_scope_units(user) if u.path}
    if not roots:
        return periods.none()
    return periods.filter(Q(institution__isnull=True) | Q(institution_id__in=roots))


def ramadan_periods_writable_by(user) -> QuerySet[RamadanPeriod]:
    """Of those, the ones ``user`` may change: an institution (tree root) inside their scope;
    national rows only for superusers (the rule of :mod:`portal.services.calendar`)."""
    periods = ramadan_periods_visible_to(user)
    if getattr(user, "is_superuser", False):
        return periods
    return periods.filter(institution__in=units_visible_to(user).filter(parent__isnull=True))
