"""Calendar feeds: which feed a secret opens (if any), the feeds a person may have, and the events of
a feed, as plain values the feed view writes as iCalendar.

A secret opens exactly one feed and nothing else: :func:`live_token` answers ``None`` for an
unknown, revoked or expired secret alike, and for a token whose owner no longer has the feed (an
inactive account or employee, a supervisor who no longer decides for anybody in the team's unit).
Every feed reads a fixed number of queries whatever the length of its range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.forms import month_bounds
from portal.models import Employee, Unit
from portal.selectors import employee_of, workcalendar
from scheduling.models import ACTIVE_STATUSES, FeedKind, FeedToken, Kind, RequestDay, Status
from scheduling.models.feeds import hash_secret
from scheduling.selectors.office import supervised_units, team_presence

MONTHS_BACK = 3  # a phone shows the recent past...
MONTHS_AHEAD = 6  # ...and the plan ahead; at most ten calendar months (~300 days) per feed
SECRET_MAX_LENGTH = 128  # token_urlsafe(32) is 43 characters; anything much longer is not ours
UID_DOMAIN = "kalender.portal-kerja-fleksibel"


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event. ``tentative``: waiting for a decision; ``busy``: blocks the day in
    free/busy views (an absence), where office days and holidays are shown as free."""

    uid: str
    date: dt.date
    summary: str
    description: str = ""
    tentative: bool = False
    busy: bool = False
    stamp: dt.datetime | None = None  # when the fact last changed, if the database knows it


@dataclass
class Feed:
    token: FeedToken
    name: str
    time_zone: str  # IANA name of the unit's zone
    first: dt.date
    last: dt.date
    stamp: dt.datetime  # for events whose change time is not stored: the range's start
    events: list[FeedEvent]


@dataclass(frozen=True)
class FeedChoice:
    """A feed the user may have (the page's and the API's list) with its live token, if any."""

    kind: str
    label: str
    units: tuple[Unit, ...]  # team feed: the units the user may choose; own feed: empty
    token: FeedToken | None


def feed_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first day of the month three months back to the last day of the month six months
    ahead: whole months, so the feed (and its ETag) only moves when the plan does or a month turns."""
    back = _add_months(today.replace(day=1), -MONTHS_BACK)
    ahead = _add_months(today.replace(day=1), MONTHS_AHEAD)
    return back, month_bounds(ahead)[1]


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def live_token(secret: str, now: dt.datetime | None = None) -> FeedToken | None:
    """The live token of ``secret`` whose owner may still read its feed, else None (never saying why)."""
    if not secret or len(secret) > SECRET_MAX_LENGTH:
        return None
    token = (FeedToken.objects.live(now).select_related("owner", "unit")
             .filter(secret_hash=hash_secret(secret)).first())
    if token is None or not token.owner.is_active:
        return None
    if token.kind == FeedKind.OWN:
        return token if _own_employee(token.owner) is not None else None
    return token if token.unit_id in {u.pk for u in supervised_units(token.owner)} else None


def _own_employee(user) -> Employee | None:
    me = employee_of(user)
    if me is None or not me.is_active:
        return None
    return Employee.objects.select_related("unit").get(pk=me.pk)


def feed_choices(user) -> list[FeedChoice]:
    """The feeds ``user`` may have: their own plan (active employees) and their team's presence
    (whoever decides for somebody: own reports, as Plh/Plt, as unit head), each with its live token."""
    live = {t.kind: t for t in FeedToken.objects.live().filter(owner=user).select_related("unit")}
    out = []
    if _own_employee(user) is not None:
        out.append(FeedChoice(FeedKind.OWN, str(FeedKind.OWN.label), (), live.get(FeedKind.OWN)))
    units = tuple(supervised_units(user))
    if units:
        out.append(FeedChoice(FeedKind.TEAM, str(FeedKind.TEAM.label), units, live.get(FeedKind.TEAM)))
    return out


def feed_for(token: FeedToken, today: dt.date | None = None) -> Feed:
    """The events of ``token``'s feed over :func:`feed_range`, in the active language (the caller
    activates the owner's)."""
    if token.kind == FeedKind.OWN:
        employee = _own_employee(token.owner)
        unit = employee.unit
    else:
        employee, unit = None, token.unit
    first, last = feed_range(today or unit.local_today())
    stamp = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    if employee is not None:
        name = _("Rencana kerja %(name)s") % {"name": employee.name}
        events = own_events(employee, first, last)
    else:
        name = _("Kehadiran tim %(unit)s") % {"unit": unit.name}
        events = team_events(unit, first, last)
    return Feed(token, name, unit.effective_time_zone, first, last, stamp, events)


# --- The employee's own plan -------------------------------------------------------------------


def _plan_summary(day: RequestDay) -> str:
    label = {Kind.WFH: "WFH", Kind.WFA: "WFA", Kind.OTHER_OFFICE: _("Kerja di kantor lain")}.get(
        day.kind, str(Kind(day.kind).label) if day.kind in Kind.values else day.kind)
    if day.status == Status.PENDING:
        return _("%(plan)s (menunggu persetujuan)") % {"plan": label}
    return str(label)


def own_events(employee: Employee, first: dt.date, last: dt.date) -> list[FeedEvent]:
    """Per day the employee's active plan (pending ones tentative), else an office day on the unit's
    working days; and the holidays and cuti bersama of the unit's calendar. One UID per person and
    date for the plan, so a withdrawn WFH followed by a cuti updates the same phone event."""
    unit = employee.unit
    plan = {d.date: d for d in RequestDay.objects.filter(
        employee=employee, date__range=(first, last), status__in=list(ACTIVE_STATUSES)
    ).select_related("request").only("date", "kind", "status", "decided_at", "request__created_at")}
    events = [FeedEvent(_uid("plan", employee.pk, d), d, _plan_summary(day), tentative=day.status == Status.PENDING,
                        busy=not day.is_flexible, stamp=day.decided_at or day.request.created_at)
              for d, day in plan.items()]
    events += [FeedEvent(_uid("plan", employee.pk, d), d, _("Di kantor"))
               for d in workcalendar.working_days(unit, first, last) if d not in plan]
    events += holiday_events(unit, first, last)
    return sorted(events, key=lambda e: (e.date, e.uid))


def holiday_events(unit: Unit, first: dt.date, last: dt.date) -> list[FeedEvent]:
    institution = unit.ancestor_ids[0] if unit.path else unit.pk
    out = []
    for d, holiday in workcalendar.holidays_between(unit, first, last).items():
        if holiday.kind == workcalendar.DayKind.CUTI_BERSAMA:
            summary = _("Cuti bersama: %(name)s") % {"name": holiday.name}
        else:
            summary = _("Libur: %(name)s") % {"name": holiday.name}
        out.append(FeedEvent(_uid("holiday", institution, d), d, summary))
    return out


# --- The team's presence -------------------------------------------------------------------------


def team_events(unit: Unit, first: dt.date, last: dt.date) -> list[FeedEvent]:
    """Presence only, as the team calendar shows it to a supervisor: per working day one event with
    how many are in the office (who, in its description), and one per person away. Never the kind
    of absence: :func:`team_presence` is asked without it."""
    events = []
    for day in team_presence(unit, first, last, show_kinds=False):
        present = ", ".join(p["name"] for p in day.present)
        away = ", ".join(p["name"] for p in day.away)
        description = "\n".join(filter(None, [
            _("Di kantor: %(names)s") % {"names": present} if present else "",
            _("Tidak di kantor: %(names)s") % {"names": away} if away else "",
            _("Minimum di kantor: %(n)d") % {"n": day.minimum},
        ]))
        summary = _("Di kantor %(in_office)d dari %(headcount)d") % {"in_office": day.in_office,
                                                                     "headcount": day.headcount}
        events.append(FeedEvent(_uid("team", unit.pk, day.date), day.date, summary, description))
        events += [FeedEvent(_uid(f"team-{unit.pk}-away", person["employee_id"], day.date), day.date,
                             _("%(name)s: tidak di kantor") % {"name": person["name"]}) for person in day.away]
    return events


def _uid(scope: str, key: int, day: dt.date) -> str:
    return f"{scope}-{key}-{day:%Y%m%d}@{UID_DOMAIN}"
