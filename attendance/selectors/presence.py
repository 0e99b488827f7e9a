"""Attendance as each actor may see it: day statuses, punches, corrections, and today's state.

One read per question for the pages and the API: own rows; a supervisor's direct reports (also as
Plh/Plt); an HR admin's subtree; everything for a superuser. Outside that, "not found" (404).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from attendance.models import Correction, CorrectionStatus, DayStatus, Punch
from attendance.selectors import decisions
from portal.selectors import employee_of, hr_scope_units
from scheduling import selectors as scheduling

# --- Day statuses -------------------------------------------------------------------------


def people_scope(user) -> Q:
    """Rows the user may read: their own, their reports' (also as Plh/Plt), HR's subtree (by the
    unit the row was recorded in); everything for a superuser."""
    if getattr(user, "is_superuser", False):
        return Q()
    q = Q(pk__in=[])
    me = employee_of(user)
    if me is not None:
        q |= Q(employee=me)
        approver_ids = list(scheduling.represented_approvers(user))
        if approver_ids:
            q |= Q(employee__supervisor_id__in=approver_ids)
    for scope in hr_scope_units(user):
        q |= Q(unit__path__startswith=scope.path)
    return q


def day_statuses_visible_to(user) -> QuerySet[DayStatus]:
    punch = Punch.objects.filter(employee=OuterRef("employee"), date=OuterRef("date"))
    approved = Correction.objects.filter(employee=OuterRef("employee"), date=OuterRef("date"),
                                         status=CorrectionStatus.APPROVED).order_by("-decided_at")
    return (DayStatus.objects.filter(people_scope(user)).select_related("employee", "unit")
            .annotate(punch_in=Subquery(punch.values("check_in_at")[:1]),
                      punch_out=Subquery(punch.values("check_out_at")[:1]),
                      punch_flagged=Subquery(punch.values("flagged")[:1]),
                      corrected_in=Subquery(approved.values("check_in_at")[:1]),
                      corrected_out=Subquery(approved.values("check_out_at")[:1])))


@dataclass
class HistoryDay:
    """One date of an employee's own history: its status (with the punch and corrected times
    annotated by :func:`day_statuses_visible_to`), its punch, and the corrections asked for it."""

    date: dt.date
    status: DayStatus | None
    punch: Punch | None
    corrections: list[Correction] = field(default_factory=list)


def own_history(user, first: dt.date, last: dt.date) -> list[HistoryDay]:
    """The signed-in employee's days in [first, last], newest first (today first on a phone)."""
    me = employee_of(user)
    if me is None:
        return []
    span = {"employee": me, "date__range": (first, last)}
    statuses = {s.date: s for s in day_statuses_visible_to(user).filter(**span)}
    punches = {p.date: p for p in Punch.objects.filter(**span)}
    corrections = defaultdict(list)
    for c in Correction.objects.filter(**span).order_by("created_at"):
        corrections[c.date].append(c)
    dates = sorted(set(statuses) | set(punches) | set(corrections), reverse=True)
    return [HistoryDay(d, statuses.get(d), punches.get(d), corrections[d]) for d in dates]


# --- Corrections --------------------------------------------------------------------------


def corrections_decidable_by(user) -> QuerySet[Correction]:
    return decisions.decidable_by(Correction, user)


def correction_for_decision(user, pk) -> Correction:
    return decisions.for_decision(Correction, user, pk)


def corrections_visible_to(user) -> QuerySet[Correction]:
    """Own corrections, those the user decides (also as Plh/Plt), and HR's employees'."""
    return decisions.visible_to(Correction, user)


def with_originals(qs: QuerySet[Correction]) -> QuerySet[Correction]:
    punch = Punch.objects.filter(employee=OuterRef("employee"), date=OuterRef("date"))
    return qs.select_related("employee__unit", "decided_by").annotate(
        original_in=Subquery(punch.values("check_in_at")[:1]),
        original_out=Subquery(punch.values("check_out_at")[:1]))


def correction_with_evidence(user, pk) -> Correction:
    """A correction with an evidence file that ``user`` may see (its owner, whoever decides it,
    HR over the employee), or 404."""
    correction = corrections_visible_to(user).filter(pk=pk).exclude(evidence="").first()
    if correction is None:
        raise Http404
    return correction
