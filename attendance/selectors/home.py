"""What the home page says about attendance, for the signed-in user only (registered in ``apps.py``).

Each read costs a fixed handful of indexed queries: the user's own punch and plan, their inbox
counted no further than :data:`portal.navigation.COUNT_CAP`, today's below-minimum snapshots of
their HR scope (the ``date, status`` index) and their own export jobs. None of them walks the
employees of an institution.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from attendance.models import (
    CorrectionStatus,
    ExportJob,
    ExportStatus,
    PermissionStatus,
    Punch,
    StaffingSnapshot,
    StaffingStatus,
)
from attendance.selectors.closing import previous_month
from attendance.selectors.permissions import permissions_decidable_by
from attendance.selectors.presence import corrections_decidable_by
from attendance.selectors.schedule import planned_day
from portal.models import MonthClosure, Unit
from portal.navigation import COUNT_CAP, capped_count
from portal.selectors import employee_of, hr_scope_units
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS, Kind

BELOW_SHOWN = 5  # units named on the home page; the rest are counted


@dataclass(frozen=True)
class TodayPresence:
    """Today's check-in state of one employee, in their unit's local time."""

    date: dt.date
    tz: str
    working: bool  # the roster's shift or the unit's pattern has hours today
    check_in: str  # "07:21", "" before checking in
    check_out: str
    plan_kind: str | None  # the approved plan of the day (WFH, cuti, ...)

    @property
    def absent(self) -> bool:
        """Away on an approved absence (cuti, sakit, dinas luar): nothing to check in."""
        return self.plan_kind in ABSENCE_KINDS

    @property
    def plan_label(self) -> str:
        return Kind(self.plan_kind).label if self.plan_kind else ""


def _clock(moment: dt.datetime | None, unit: Unit) -> str:
    return timezone.localtime(moment, unit.tzinfo).strftime("%H:%M") if moment else ""


def today_panel(user) -> TodayPresence | None:
    """Checked in at HH:MM, not yet, or nothing to do today (no shift, holiday, on leave)."""
    me = employee_of(user)
    if me is None or not me.is_active:
        return None
    day = me.unit.local_today()  # the user's cached row: its unit is read once for every panel
    punch = Punch.objects.filter(employee=me, date=day).only("check_in_at", "check_out_at").first()
    plan = scheduling.approved_plan_for([me.pk], day, day).get((me.pk, day))
    return TodayPresence(date=day, tz=me.unit.tz_abbreviation, working=planned_day(me, day).hours is not None,
                         check_in=_clock(punch.check_in_at if punch else None, me.unit),
                         check_out=_clock(punch.check_out_at if punch else None, me.unit), plan_kind=plan)


def _count(qs) -> dict:
    n = capped_count(qs)
    return {"n": n, "more": n >= COUNT_CAP}


def decisions_panel(user) -> dict | None:
    """Corrections and partial-day permissions waiting for this user's decision; None for none."""
    corrections = _count(corrections_decidable_by(user).filter(status=CorrectionStatus.PENDING))
    permissions = _count(permissions_decidable_by(user).filter(status=PermissionStatus.PENDING))
    if not corrections["n"] and not permissions["n"]:
        return None
    return {"corrections": corrections, "permissions": permissions}


def exports_panel(user) -> dict | None:
    """The user's own finished exports still to download; None for none."""
    ready = _count(ExportJob.objects.filter(user=user, status=ExportStatus.DONE, expires_at__gt=timezone.now()))
    return ready if ready["n"] else None


def _below_today(user, scopes: list[Unit]) -> Q:
    """Today's below-minimum snapshots of the user's units, today in each scope's own zone."""
    if getattr(user, "is_superuser", False):
        return Q(date=timezone.localdate())
    q = Q(pk__in=[])
    for unit in scopes:
        q |= Q(date=unit.local_today(), unit__path__startswith=unit.path)
    return q


def _open_months(scopes: list[Unit]) -> list[dict]:
    """Each scope whose last month is not closed yet (by a closure on it or a unit above it),
    once attendance was counted in that month."""
    wanted = {unit.pk: previous_month(unit.local_today()) for unit in scopes}
    ids = {pk for unit in scopes for pk in unit.ancestor_ids}
    closed = set(MonthClosure.objects.filter(unit_id__in=ids, month__in=set(wanted.values()),
                                             reopened_at__isnull=True).values_list("unit_id", "month"))
    go_live = dict(Unit.objects.filter(pk__in={u.ancestor_ids[0] for u in scopes}).values_list("pk", "attendance_from"))
    out = []
    for unit in scopes:
        month = wanted[unit.pk]
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        start = go_live.get(unit.ancestor_ids[0])
        if start and start > month_end:
            continue
        if not any((pk, month) in closed for pk in unit.ancestor_ids):
            out.append({"unit": unit, "month": month})
    return out


def watch_panel(user) -> dict:
    """For HR: units below their minimum today (a few named, the rest counted) and the months of
    their scope not closed yet."""
    scopes = [] if getattr(user, "is_superuser", False) else hr_scope_units(user)
    below = (StaffingSnapshot.objects.filter(_below_today(user, scopes), status=StaffingStatus.BELOW)
             .select_related("unit").order_by("unit__path"))
    shown = list(below[:BELOW_SHOWN])
    count = len(shown) if len(shown) < BELOW_SHOWN else capped_count(below)
    return {"below": shown, "below_count": count, "below_more": count >= COUNT_CAP,
            "below_hidden": count - len(shown), "open_months": _open_months(scopes)}
