"""Emergencies as the rules, the pages and the banner see them.

An emergency is an overlay: :func:`emergency_days` tells, for a unit and a span of dates, which
emergency (if any) is in force on each day, and :mod:`scheduling.selectors.policies` and
:mod:`scheduling.selectors.fwa` lay it over the normal rules when they are read. Nothing here
writes, and nothing needs to run when an emergency ends: from its ``last_day`` on it simply is
no longer found. Declarations never overlap for a unit (``emergency_clean``), so a unit has at
most one emergency on a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from portal import facts
from portal.models import Employee, Unit
from portal.selectors import employee_of, units_visible_to
from scheduling import rules
from scheduling.models import Emergency

EARLIEST_ZONE, LATEST_ZONE = "Asia/Jakarta", "Asia/Jayapura"  # WIB and WIT: the dates a day can have here


def rule_of(emergency: Emergency) -> rules.EmergencyRule:
    return rules.EmergencyRule(emergency.pk, emergency.name, emergency.legal_basis, emergency.profile)


def emergencies_covering(unit: Unit, start: dt.date, end: dt.date) -> list[Emergency]:
    """Emergencies in force on some day of [start, end] for the unit (named, or an ancestor
    named): one indexed query, once per change of the rule facts (portal.facts)."""
    ids = tuple(unit.ancestor_ids or [unit.pk])
    return list(facts.remembered("emergencies.covering", (ids, start, end), lambda: tuple(
        Emergency.objects.filter(units__in=ids, start__lte=end, last_day__gte=start).distinct()
        .order_by("start", "pk"))))


def _on(emergencies: list[Emergency], day: dt.date) -> Emergency | None:
    return next((e for e in emergencies if e.start <= day <= e.last_day), None)


def emergency_days(unit: Unit, start: dt.date, end: dt.date) -> dict[dt.date, Emergency]:
    """Each day of [start, end] an emergency is in force for the unit, with that emergency."""
    found = emergencies_covering(unit, start, end)
    days = {}
    for emergency in found:
        first, last = max(emergency.start, start), min(emergency.last_day, end)
        for i in range((last - first).days + 1):
            days.setdefault(first + dt.timedelta(days=i), emergency)
    return days


def emergency_for(unit: Unit, day: dt.date) -> Emergency | None:
    """The emergency in force for the unit on ``day`` (what a decision of that day records)."""
    return _on(emergencies_covering(unit, day, day), day)


def with_emergencies(unit: Unit, policies: dict[dt.date, rules.Policy], *,
                     days: dict[dt.date, Emergency] | None = None) -> dict[dt.date, rules.Policy]:
    """``policies`` (per day) with the emergency in force on each day laid over them (one query;
    none when the caller read :func:`emergency_days` over these days already: ``days``)."""
    if not policies:
        return policies
    if days is None:
        days = emergency_days(unit, min(policies), max(policies))
    if not days:
        return policies
    return {d: rules.under_emergency(p, rule_of(days[d])) if d in days else p for d, p in policies.items()}


# --- Many units at once (staffing) ------------------------------------------------------------

def emergencies_between(start: dt.date, end: dt.date) -> list[Emergency]:
    """Every emergency in force on some day of [start, end], with its units' ids (two queries, once
    per change of the rule facts: portal.facts)."""
    return list(facts.remembered("emergencies.between", (start, end), lambda: tuple(
        Emergency.objects.filter(start__lte=end, last_day__gte=start).prefetch_related("units"))))


def emergency_applied(unit: Unit, day: dt.date, policy: rules.Policy, emergencies: list[Emergency]) -> rules.Policy:
    """``policy`` of ``unit`` on ``day`` under the emergency of ``emergencies`` (preloaded by
    :func:`emergencies_between`) that covers it, if any."""
    ancestors = set(unit.ancestor_ids)
    for emergency in emergencies:
        if emergency.start <= day <= emergency.last_day and any(u.pk in ancestors for u in emergency.units.all()):
            return rules.under_emergency(policy, rule_of(emergency))
    return policy


# --- Overlaps (the validation reads here) ----------------------------------------------------

def overlapping(units: list[Unit], start: dt.date, end: dt.date, *, exclude_pk: int | None = None) -> QuerySet:
    """Emergencies in force on a day of [start, end] whose subtrees meet those of ``units``: one
    names a unit above (or equal to) one of ``units``, or a unit below one of them."""
    if not units:
        return Emergency.objects.none()
    meets = Q(units__in={a for u in units for a in u.ancestor_ids})
    for unit in units:
        meets |= Q(units__path__startswith=unit.path)
    found = Emergency.objects.filter(meets, start__lte=end, last_day__gte=start)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.distinct().order_by("start", "pk")


# --- HR pages and API ---------------------------------------------------------------------------

def emergencies_visible_to(user) -> QuerySet[Emergency]:
    """Emergencies naming a unit in ``user``'s HR scope (all for a superuser), newest first."""
    found = Emergency.objects.all()
    if not getattr(user, "is_superuser", False):
        # A subquery, not a join: a join would repeat emergencies naming several units.
        found = found.filter(pk__in=Emergency.objects.filter(units__in=units_visible_to(user)).values("pk"))
    return found.prefetch_related("units").select_related("created_by", "ended_by").order_by("-start", "-pk")


def state_of(emergency: Emergency, today: dt.date) -> str:
    """"active", "upcoming" or "ended" on ``today``."""
    if emergency.last_day < today or emergency.last_day < emergency.start:
        return "ended"
    return "upcoming" if emergency.start > today else "active"


@dataclass
class EmergencyList:
    active: list[Emergency]
    upcoming: list[Emergency]
    ended: list[Emergency]


def emergencies_by_state(user, today: dt.date, *, ended_shown: int = 50) -> EmergencyList:
    """The HR page's three lists: in force today, declared for later, ended (latest first)."""
    out = EmergencyList([], [], [])
    # Ended ones pile up over the years: read only the latest ``ended_shown`` of them (the same
    # test as state_of, in SQL), and every one that is not ended.
    ended = Q(last_day__lt=today) | Q(last_day__lt=F("start"))
    visible = emergencies_visible_to(user)
    for emergency in visible.exclude(ended):
        getattr(out, state_of(emergency, today)).append(emergency)
    out.ended.extend(visible.filter(ended)[:ended_shown])
    return out


def affected_employees(emergency: Emergency) -> QuerySet[Employee]:
    """Active employees of the emergency's units and every unit below them."""
    return Employee.objects.active().filter(unit__in=Unit.objects.subtrees_of(list(emergency.units.all())))


# --- The banner -----------------------------------------------------------------------------------

def banner_emergencies(user) -> list[Emergency]:
    """Emergencies in force today (in the employee's unit's time zone) over the user's own unit,
    or over a unit of someone they supervise: one query after the employee.

    Indonesia's zones (UTC+7 to UTC+9) disagree on the date only two hours a day; the query asks
    for the dates of every zone, and only then is the unit's own zone looked up."""
    employee = employee_of(user)
    if employee is None or not employee.is_active:
        return []
    earliest, latest = (timezone.localtime(timezone=ZoneInfo(z)).date() for z in (EARLIEST_ZONE, LATEST_ZONE))
    own = Exists(Unit.objects.filter(pk=employee.unit_id, path__startswith=OuterRef("path")))
    supervised = Exists(Employee.objects.active().filter(supervisor=employee, unit__path__startswith=OuterRef("path")))
    found = list(Emergency.objects.filter(units__in=Unit.objects.filter(own | supervised), start__lte=latest,
                                          last_day__gte=earliest).distinct().order_by("start", "pk"))
    if found and earliest != latest:
        today = employee.unit.local_today()
        found = [e for e in found if e.start <= today <= e.last_day]
    return found


def emergency_banners(user) -> list:
    """The banner every page shows while an emergency is in force over the user's unit (or a unit
    of someone they supervise): its name, legal basis, profile and last day."""
    from django.utils.translation import gettext as _

    from portal.banners import Banner
    from portal.formatting import long_date

    return [Banner(_("Keadaan darurat: %(name)s.") % {"name": e.name},
                   _("%(profile)s, berlaku sampai %(last)s (%(basis)s).") % {
                       "profile": e.get_profile_display(), "last": long_date(e.last_day), "basis": e.legal_basis})
            for e in banner_emergencies(user)]
