"""Reads of attendance, scoped to an actor: the staffing dataset, its roll-ups, a day's presence.

Who may see a unit's staffing: the head of the unit or of an ancestor (and their active
Plh/Plt), whoever decides for somebody in the unit, HR admins over it, superusers. Anyone
else gets a 404, so the existence of a unit does not leak.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from attendance.models import ABSENCE_COLUMNS, StaffingSnapshot, StaffingStatus
from attendance.rules import staffing_status
from portal.models import Employee, Unit
from portal.selectors import employee_of, units_visible_to
from scheduling import selectors as scheduling
from scheduling.models import Kind

NUMBER_FIELDS = ["headcount", "in_office", "wfh", "wfa", "other_office", *ABSENCE_COLUMNS.values(), "pending",
                 "minimum"]
STATUS_RANK = {StaffingStatus.OK: 0, StaffingStatus.AT_RISK: 1, StaffingStatus.BELOW: 2}

# --- Scope ---------------------------------------------------------------------------


def staffing_units_visible_to(user) -> QuerySet[Unit]:
    """Units whose staffing the user may see (see the module docstring)."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.all()
    q = Q(pk__in=units_visible_to(user).values("pk"))
    me = employee_of(user)
    if me is not None and me.is_active:
        approver_ids = list(scheduling.represented_approvers(user))
        for headed in Unit.objects.filter(head_id__in=approver_ids).only("path"):
            q |= Q(path__startswith=headed.path)
        q |= Q(pk__in=Employee.objects.filter(supervisor_id__in=approver_ids, is_active=True).values("unit_id"))
    return Unit.objects.filter(q)


def staffing_unit_for(user, pk) -> Unit:
    """Fetch a unit the user may see the staffing of, or 404."""
    try:
        return staffing_units_visible_to(user).get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_kinds(user, unit: Unit) -> bool:
    """Why someone is away (leave, sick, ...) is personal: HR admins over the unit only."""
    return units_visible_to(user).filter(pk=unit.pk).exists()


# --- The dataset -----------------------------------------------------------------------


@dataclass
class StaffingRow:
    """One unit-day, or a subtree's totals for one date (``units``/``units_below`` set)."""

    date: dt.date
    headcount: int
    in_office: int
    wfh: int
    wfa: int
    other_office: int
    absences: dict[str, int]
    pending: int
    minimum: int
    status: str
    units: int = 1
    units_below: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def away(self) -> int:
        return self.headcount - self.in_office

    @property
    def status_label(self) -> str:
        return StaffingStatus(self.status).label


def _row(values: dict, status: str, **extra) -> StaffingRow:
    return StaffingRow(date=values["date"], headcount=values["headcount"], in_office=values["in_office"],
                       wfh=values["wfh"], wfa=values["wfa"], other_office=values["other_office"],
                       absences={kind: values[col] for kind, col in ABSENCE_COLUMNS.items()},
                       pending=values["pending"], minimum=values["minimum"], status=status, **extra)


def staffing_rows(unit: Unit, start: dt.date, end: dt.date, *, subtree: bool = False) -> list[StaffingRow]:
    """The unit's own snapshots, or with ``subtree`` the sums per date over the unit and every
    unit below it (one GROUP BY). A subtree's status is judged on its totals; ``units_below``
    says how many of its units are below their own minimum that day."""
    qs = StaffingSnapshot.objects.filter(date__range=(start, end)).order_by("date")
    if not subtree:
        return [_row(v, v["status"], units_below=int(v["status"] == StaffingStatus.BELOW))
                for v in qs.filter(unit=unit).values("date", "status", *NUMBER_FIELDS)]
    below = Case(When(status=StaffingStatus.BELOW, then=Value(1)), default=Value(0), output_field=IntegerField())
    totals = (qs.filter(unit__path__startswith=unit.path).values("date")
              .annotate(**{f: Sum(f) for f in NUMBER_FIELDS}, units=Count("id"), units_below=Sum(below)))
    return [_row(v, staffing_status(v["in_office"], v["minimum"], v["pending"]), units=v["units"],
                 units_below=v["units_below"]) for v in totals]


def unit_snapshots(unit: Unit, start: dt.date, end: dt.date, *, subtree: bool = False) -> QuerySet:
    """Per-unit snapshot rows (for exports): the unit, or every unit of its subtree."""
    units = Q(unit__path__startswith=unit.path) if subtree else Q(unit=unit)
    return (StaffingSnapshot.objects.filter(units, date__range=(start, end)).select_related("unit")
            .order_by("unit__path", "date"))


def export_header() -> list[str]:
    return [_("Kode unit"), _("Unit"), _("Tanggal"), _("Jumlah pegawai"), _("Di kantor"), "WFH", "WFA",
            _("Kantor lain"), *ABSENCE_COLUMNS, _("Menunggu persetujuan"), _("Minimal di kantor"), "status",
            _("Keterangan status")]


EXPORT_WIDTHS = [16, 40, 12, 10, 10, 7, 7, 10, *[7] * len(ABSENCE_COLUMNS), 12, 12, 9, 18]


def export_rows(snapshots) -> Iterator[list]:
    """The staffing dataset for :mod:`portal.exports`: the header, then one row per unit-day
    (``snapshots`` from :func:`unit_snapshots`, the formula guard is the writers')."""
    yield export_header()
    for s in snapshots:
        yield [s.unit.code, s.unit.name, s.date, s.headcount, s.in_office, s.wfh, s.wfa, s.other_office,
               *(getattr(s, col) for col in ABSENCE_COLUMNS.values()), s.pending, s.minimum, s.status,
               str(s.get_status_display())]


def worst(statuses) -> str | None:
    return max(statuses, key=lambda s: STATUS_RANK[s], default=None)


@dataclass
class ChildSummary:
    unit: Unit
    own_only: bool  # the parent's own staff (people placed directly in the parent unit)
    worst: str | None = None
    days_below: int = 0
    days_at_risk: int = 0

    @property
    def worst_label(self) -> str:
        return StaffingStatus(self.worst).label if self.worst else ""


def subtree_summary(unit: Unit, start: dt.date, end: dt.date) -> list[ChildSummary]:
    """The unit's own staff and each direct child's subtree, with the worst unit-day status
    in the range and how many unit-days were below / at risk. Proportional to units."""
    children = list(unit.children.filter(is_active=True).order_by("name"))
    out = [ChildSummary(unit, own_only=True)] + [ChildSummary(c, own_only=False) for c in children]
    by_prefix = {c.unit.path: c for c in out[1:]}
    rows = (StaffingSnapshot.objects.filter(unit__path__startswith=unit.path, date__range=(start, end))
            .values("unit_id", "unit__path", "status").annotate(n=Count("id")).order_by())
    for row in rows:
        summary = out[0] if row["unit_id"] == unit.pk else _owner(row["unit__path"], unit, by_prefix)
        if summary is None:
            continue
        summary.worst = worst([s for s in (summary.worst, row["status"]) if s])
        summary.days_below += row["n"] if row["status"] == StaffingStatus.BELOW else 0
        summary.days_at_risk += row["n"] if row["status"] == StaffingStatus.AT_RISK else 0
    return out


def _owner(path: str, parent: Unit, by_prefix: dict) -> ChildSummary | None:
    child_id = path[len(parent.path):].split("/", 1)[0]
    return by_prefix.get(f"{parent.path}{child_id}/")


def day_snapshots(unit: Unit, day: dt.date) -> list[StaffingSnapshot]:
    """Every unit of the subtree on one date, for the subtree drill-down."""
    return list(StaffingSnapshot.objects.filter(unit__path__startswith=unit.path, date=day)
                .select_related("unit").order_by("unit__path"))


# --- Who is in on a day ----------------------------------------------------------------


@dataclass
class DayPresence:
    in_office: list[dict]
    away: list[dict]


def day_presence(unit: Unit, day: dt.date, *, show_kinds: bool) -> DayPresence:
    """Active people of the unit in or out of the office on ``day`` by the approved plan.
    The kind of absence is filled in only with ``show_kinds`` (HR); a pending request is
    flagged on people still counted in."""
    people = list(Employee.objects.filter(unit=unit, is_active=True).order_by("name").values_list("pk", "name"))
    ids = [pk for pk, _name in people]
    plan = scheduling.approved_plan_for(ids, day, day)
    pending = set(scheduling.pending_days_on(day).filter(employee_id__in=ids).values_list("employee_id", flat=True))
    presence = DayPresence([], [])
    for pk, name in people:
        kind = plan.get((pk, day))
        if kind is None:
            presence.in_office.append({"name": name, "pending": pk in pending})
        else:
            presence.away.append({"name": name, "kind": Kind(kind).label if show_kinds else ""})
    return presence
