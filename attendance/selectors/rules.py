"""Attendance rules versions and shifts as HR sees them: the one read behind the HR pages and the API.

An institution (a tree root) sets its rules; an HR admin whose scope holds the root may change them,
one whose scope lies below it sees the version in force for their people but cannot change it. The
version in force is the one the day-status computation uses (:class:`RulesVersions`), so "deductions
not set" here means exactly what the monthly recap shows as 0 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from attendance import rules
from attendance.models import AttendanceRules, Band, BandKind, Shift
from attendance.services.day_status import RulesVersions
from portal.models import Unit
from portal.selectors import hr_scope_units, units_visible_to

# --- Rules versions -------------------------------------------------------------------------------


def rules_institutions_for(user) -> QuerySet[Unit]:
    """Institutions (tree roots) whose rules ``user`` may set: roots inside their HR scope."""
    return units_visible_to(user).filter(parent__isnull=True).order_by("name", "pk")


def ordered_bands(bands: QuerySet[Band]) -> QuerySet[Band]:
    """TL before PSW (the order of :class:`BandKind`), then by level."""
    rank = Case(*(When(kind=kind, then=Value(i)) for i, kind in enumerate(BandKind)), output_field=IntegerField())
    return bands.order_by(rank, "level")


def _with_bands(versions: QuerySet[AttendanceRules]) -> QuerySet[AttendanceRules]:
    return versions.select_related("institution").prefetch_related(
        Prefetch("bands", queryset=ordered_bands(Band.objects.all())))


def rules_versions_visible_to(user) -> QuerySet[AttendanceRules]:
    """Every rules version of the institutions ``user`` may set, with their bands."""
    return _with_bands(AttendanceRules.objects.filter(institution__in=rules_institutions_for(user))).order_by(
        "institution__name", "institution_id", "-effective_from")


def rules_versions(institution: Unit) -> list[AttendanceRules]:
    """An institution's versions, newest first, with their bands (TL then PSW, by level)."""
    return list(_with_bands(AttendanceRules.objects.filter(institution=institution)).order_by("-effective_from"))


def band_rows(version: AttendanceRules, kind: str) -> list[Band]:
    return [b for b in version.bands.all() if b.kind == kind]


@dataclass
class InstitutionRules:
    """One institution's rules as of its local today."""

    institution: Unit
    today: dt.date
    rules: rules.DayRules  # what the day statuses are computed with today
    version: AttendanceRules | None  # the row in force; None = the built-in rules
    upcoming: AttendanceRules | None  # the next version that starts after today, if any
    editable: bool  # the user may change this institution's rules

    @property
    def deductions_set(self) -> bool:
        return self.rules.deductions_set


def institutions_with_rules(user) -> list[InstitutionRules]:
    """The institutions of ``user``'s HR scope with the version in force today in each (its local
    date): those they may change, then the ones above a scope that lies inside an institution."""
    editable = list(rules_institutions_for(user))
    editable_ids = {u.pk for u in editable}
    above = sorted({u.ancestor_ids[0] for u in hr_scope_units(user)} - editable_ids)
    institutions = editable + list(Unit.objects.filter(pk__in=above).order_by("name", "pk"))
    if not institutions:
        return []
    versions = RulesVersions([u.pk for u in institutions])
    todays = {u.pk: u.local_today() for u in institutions}
    in_force = {u.pk: versions.on(u.pk, todays[u.pk]) for u in institutions}
    wanted = Q(pk__in=[r.version for r in in_force.values() if r.version is not None])
    for unit in institutions:
        wanted |= Q(institution=unit, effective_from__gt=todays[unit.pk])
    rows = list(AttendanceRules.objects.filter(wanted).order_by("effective_from"))
    by_pk = {r.pk: r for r in rows}
    out = []
    for unit in institutions:
        day_rules = in_force[unit.pk]
        upcoming = next((r for r in rows if r.institution_id == unit.pk and r.effective_from > todays[unit.pk]), None)
        out.append(InstitutionRules(institution=unit, today=todays[unit.pk], rules=day_rules,
                                    version=by_pk.get(day_rules.version), upcoming=upcoming,
                                    editable=unit.pk in editable_ids))
    return out


def institution_rules(user, institution: Unit) -> InstitutionRules:
    """:func:`institutions_with_rules` for one institution the user may change."""
    today = institution.local_today()
    day_rules = RulesVersions([institution.pk]).on(institution.pk, today)
    version = AttendanceRules.objects.filter(pk=day_rules.version).first() if day_rules.version else None
    upcoming = AttendanceRules.objects.filter(institution=institution, effective_from__gt=today).order_by(
        "effective_from").first()
    return InstitutionRules(institution=institution, today=today, rules=day_rules, version=version,
                            upcoming=upcoming, editable=True)


def version_deductions_set(version: AttendanceRules) -> bool:
    """The version's TK deduction and every band's deduction are set (as :attr:`DayRules.deductions_set`:
    a kind without bands falls back to the built-in edges, which carry none)."""
    bands = list(version.bands.all())
    kinds = {b.kind for b in bands}
    return (version.tk_deduction_percent is not None and len(kinds) == 2
            and all(b.deduction_percent is not None for b in bands))


# --- Shifts ---------------------------------------------------------------------------------------


def shift_units_for(user) -> QuerySet[Unit]:
    """Units whose shifts ``user`` may define (their HR scope), in tree order, with how many
    shifts each defines itself."""
    return units_visible_to(user).annotate(
        own_shifts=Count("shifts", filter=Q(shifts__is_active=True))).order_by("path")


def shifts_visible_to(user) -> QuerySet[Shift]:
    """Shifts defined on the units of ``user``'s HR scope."""
    return Shift.objects.filter(unit__in=units_visible_to(user)).select_related("unit").order_by(
        "unit__path", "start", "code")
