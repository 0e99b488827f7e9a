"""Check-in and check-out.

Server time is authoritative: the punch time is ``timezone.now()``. The date a punch belongs to
is the day of the work it opens or closes, in the unit's local time: usually today; the day
before for a check-in during an overnight shift that began then, or a check-out after midnight
that closes a presence still open from the day before; tomorrow for a check-in shortly before a
shift that starts at midnight. A repeated tap never creates a second record (one row per
employee and date, unique in the database); a second check-in keeps the first time.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import rules
from attendance.models import MODE_BY_KIND, Punch, Source, WorkMode
from attendance.models.audit import Verb
from attendance.selectors.schedule import Schedules
from attendance.services.recompute import recompute_employees
from portal import facts
from portal.jobs import enqueue_on_commit
from portal.models import Employee, TimeZone, Unit
from portal.resilience import count
from portal.selectors import ancestors_of
from portal.services.audit import audit_record
from scheduling import selectors as scheduling

log = logging.getLogger(__name__)

# --- Location -------------------------------------------------------------------------

def _office_of(unit: Unit) -> Unit | None:
    """The nearest unit up the tree (itself first) with an office location; the ancestors were
    read with the employee (:func:`_actor_employee`), so this costs no query."""
    chain = unit.__dict__.get("ancestors")
    if chain is None:
        chain = [*ancestors_of(unit), unit]
    return next((u for u in reversed(chain) if u.latitude is not None and u.longitude is not None), None)


def _validate_location(latitude, longitude, accuracy):
    if latitude is None and longitude is None:
        return None
    try:
        lat, lon = float(latitude), float(longitude)
        acc = float(accuracy) if accuracy not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationError({"location": _("Koordinat lokasi tidak valid.")}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (acc is not None and not 0 <= acc <= 100_000):
        raise ValidationError({"location": _("Koordinat lokasi di luar jangkauan.")})
    return lat, lon, acc


def _locate(unit: Unit, location, mode: str) -> dict:
    """Distance to the office and whether to flag it (never blocks the punch)."""
    if location is None:
        return {"distance": None, "flagged": mode == WorkMode.WFO}
    lat, lon, acc = location
    office = _office_of(unit)
    if office is None:
        return {"lat": lat, "lon": lon, "acc": acc, "distance": None, "flagged": False}
    distance = rules.distance_m(lat, lon, float(office.latitude), float(office.longitude))
    flagged = mode == WorkMode.WFO and distance > office.radius_m + (acc or 0)
    return {"lat": lat, "lon": lon, "acc": acc, "distance": round(distance, 1), "flagged": flagged}


# --- Punching -------------------------------------------------------------------------
#
# A punch writes only the punch (marked due: status_due_at) and its audit event, in one
# transaction; the day statuses of the punches due are derived after the commit in batches by one
# task coalesced for everyone (attendance.derive_due_statuses), as the staffing refresh is for
# plans: a morning peak sends one message per window, not one per tap, and a lost message leaves
# the punches due for the next run or the beat's. Pages that show the status read it through
# attendance.services.day_status.day_status_fresh, which derives it on the fly while the stored
# row is older than the punch. docs/decisions.md, "Check-in at the speed of a read".

STATUS_COALESCE_SECONDS = 5
DUE_BATCH = 2000  # punches derived per run; a longer queue sends the next run at once


def _work_mode(employee: Employee, day: dt.date) -> str:
    kind = scheduling.approved_plan_for([employee.pk], day, day).get((employee.pk, day))
    return MODE_BY_KIND.get(kind, WorkMode.WFO)


def _actor_employee(actor) -> Employee:
    """The actor's employee with their unit; the unit's ancestors (zone, institution, office) are
    rule facts, read once per change of the unit tree (portal.selectors.ancestors_of): joining them
    to the employee made Django build a statement of ~150 columns on every tap."""
    user_id = getattr(actor, "pk", None)
    try:  # get(), not first(): user is unique, and first() would compile an ORDER BY
        employee = Employee.objects.select_related("unit").get(user_id=user_id) if user_id is not None else None
    except Employee.DoesNotExist:
        employee = None
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat melakukan presensi."))
    unit = employee.unit
    chain = [*ancestors_of(unit), unit]
    zones = [u.time_zone for u in chain if u.time_zone]
    unit.__dict__.update(ancestors=chain, institution=chain[0],
                         effective_time_zone=zones[-1] if zones else TimeZone.WIB)
    return employee


def _derive_status_after_commit(punch: Punch) -> None:
    """The punch is marked due (its status_due_at, written with it): one derivation for every
    punch of the window follows the commit."""
    enqueue_on_commit("attendance.derive_due_statuses", coalesce_key="day-status-due",
                      coalesce_seconds=STATUS_COALESCE_SECONDS)


def derive_due_statuses(limit: int = DUE_BATCH) -> int:
    """Derive the day statuses of the punches due, oldest first, a date's people at once; each
    punch is cleared only if no tap marked it again meanwhile (that tap's derivation is still to
    come). Returns how many punches were derived; a full batch sends the next run at once."""
    due = list(Punch.objects.filter(status_due_at__isnull=False).order_by("status_due_at")
               .values_list("pk", "employee_id", "date", "status_due_at")[:limit])
    by_date: dict[dt.date, set[int]] = {}
    for _pk, employee_id, day, _at in due:
        by_date.setdefault(day, set()).add(employee_id)
    failed = {(day, e) for day, employee_ids in sorted(by_date.items()) for e in _derive(day, employee_ids)}
    with transaction.atomic():
        for pk, employee_id, day, marked_at in due:
            if (day, employee_id) not in failed:  # a failed one stays due: the next run tries it again
                Punch.objects.filter(pk=pk, status_due_at=marked_at).update(status_due_at=None)
    if len(due) == limit:
        enqueue_on_commit("attendance.derive_due_statuses")
    return len(due) - len(failed)


def _derive(day: dt.date, employee_ids: set[int]) -> set[int]:
    """Derive a date's statuses for these people at once; if that fails, each person alone, so one
    person's failure never holds back the others' statuses. Returns whose derivation failed."""
    try:
        with transaction.atomic():
            recompute_employees(employee_ids, day, day)
        return set()
    except Exception:  # noqa: BLE001 - logged and counted; the punch stays due and is tried again
        if len(employee_ids) > 1:
            return {e for one in employee_ids for e in _derive(day, {one})}
        count("attendance.derive_errors")
        log.exception("deriving the day status of employee %s on %s failed; it stays due", *employee_ids, day)
        return set(employee_ids)


# A check-in this long before a shift that starts tomorrow (at or just after midnight) opens it.
EARLY_CHECK_IN = dt.timedelta(hours=2)


class _Around:
    """Yesterday, today and tomorrow of one person: their schedules and punches."""

    def __init__(self, employee: Employee, now: dt.datetime):
        self.tz = tz = employee.unit.tzinfo
        self.now, self.today = now, timezone.localtime(now, tz).date()
        self.yesterday, self.tomorrow = self.today - dt.timedelta(days=1), self.today + dt.timedelta(days=1)
        plans = Schedules([employee], self.yesterday, self.tomorrow)
        self.schedule = {d: plans.planned(employee.pk, employee.unit, d).schedule(d, tz)
                         for d in (self.yesterday, self.today, self.tomorrow)}
        self.punch = {p.date: p for p in Punch.objects.filter(employee=employee,
                                                              date__range=(self.yesterday, self.today))}

    def overnight(self, day: dt.date) -> bool:
        s = self.schedule[day]
        return s is not None and s.end.date() > day

    def check_in_day(self) -> dt.date:
        prev, today, nxt = (self.schedule[d] for d in (self.yesterday, self.today, self.tomorrow))
        opened = self.punch.get(self.yesterday)
        if self.overnight(self.yesterday) and self.now < prev.end and not (opened and opened.check_in_at):
            return self.yesterday  # late into a shift that began yesterday evening
        if nxt is not None and nxt.start - EARLY_CHECK_IN <= self.now and (today is None or self.now > today.end):
            return self.tomorrow
        return self.today

    def check_out_day(self) -> dt.date:
        own = self.punch.get(self.today)
        if own is not None and own.check_in_at is not None:
            return self.today
        prev = self.punch.get(self.yesterday)
        if prev is None or prev.check_in_at is None:
            return self.today
        still_open = prev.check_out_at is None or timezone.localtime(prev.check_out_at, self.tz).date() > self.yesterday
        today = self.schedule[self.today]
        if still_open and (self.overnight(self.yesterday) or today is None or self.now < today.start):
            return self.yesterday  # closes the presence opened yesterday
        return self.today


def _in_fields(now, loc: dict, source: str) -> dict:
    return {"check_in_at": now, "in_latitude": loc.get("lat"), "in_longitude": loc.get("lon"),
            "in_accuracy_m": loc.get("acc"), "in_distance_m": loc["distance"], "flagged": loc["flagged"],
            "source": source, "status_due_at": now}


def _out_fields(now, loc: dict) -> dict:
    return {"check_out_at": now, "out_latitude": loc.get("lat"), "out_longitude": loc.get("lon"),
            "out_accuracy_m": loc.get("acc"), "out_distance_m": loc["distance"], "status_due_at": now}


def _create_punch(employee: Employee, day: dt.date, location, fields_of, audit) -> Punch | None:
    """The day's first punch, written with its time in one INSERT (no empty row then an UPDATE),
    with its audit event, in one transaction. None if another tap created the row first."""
    mode = _work_mode(employee, day)
    loc = _locate(employee.unit, location, mode)
    punch = Punch(employee=employee, unit=employee.unit, date=day, work_mode=mode, **fields_of(loc))
    try:
        with transaction.atomic():
            punch.save(force_insert=True)
            audit(punch, loc)
            _derive_status_after_commit(punch)
    except IntegrityError:  # two taps raced: the other one created it
        return None
    return punch


def _existing_punch(employee: Employee, around: _Around, day: dt.date) -> Punch:
    punch = around.punch.get(day)
    punch = punch if punch is not None else Punch.objects.get(employee=employee, date=day)
    if punch.unit_id == employee.unit_id:
        punch.unit = employee.unit  # its zone is known: the response reads it without a query
    return punch


@facts.pinned()  # the rule facts (patterns, holidays, Ramadan) of one version for the whole tap
def punch_check_in(*, actor, latitude=None, longitude=None, accuracy=None, source: str = Source.WEB):
    """Record the check-in time now (first tap wins). Returns (punch, created_now)."""
    employee = _actor_employee(actor)
    location = _validate_location(latitude, longitude, accuracy)
    now = timezone.now()
    around = _Around(employee, now)
    day = around.check_in_day()

    def audit(punch, loc):
        audit_record(actor=actor, verb=Verb.PUNCH_CHECKED_IN, obj=punch, unit=employee.unit,
                     after={"at": now, "mode": punch.work_mode, "distance_m": loc["distance"],
                            "flagged": loc["flagged"], "source": source})

    if day not in around.punch:
        punch = _create_punch(employee, day, location, lambda loc: _in_fields(now, loc, source), audit)
        if punch is not None:
            return punch, True
    punch = _existing_punch(employee, around, day)
    if punch.check_in_at is not None:
        return punch, False
    loc = _locate(employee.unit, location, punch.work_mode)
    fields = _in_fields(now, loc, source)
    with transaction.atomic():
        changed = Punch.objects.filter(pk=punch.pk, check_in_at__isnull=True).update(**fields)
        if changed:
            for name, value in fields.items():
                setattr(punch, name, value)
            audit(punch, loc)
            _derive_status_after_commit(punch)
    if not changed:  # another tap checked in between the read and the update: its time stands
        punch.refresh_from_db()
    return punch, bool(changed)


@facts.pinned()  # the rule facts (patterns, holidays, Ramadan) of one version for the whole tap
def punch_check_out(*, actor, latitude=None, longitude=None, accuracy=None, source: str = Source.WEB):
    """Record the check-out time now; a later tap moves it later (people keep working)."""
    employee = _actor_employee(actor)
    location = _validate_location(latitude, longitude, accuracy)
    now = timezone.now()
    around = _Around(employee, now)
    day = around.check_out_day()

    def audit(punch, loc, before=None):
        audit_record(actor=actor, verb=Verb.PUNCH_CHECKED_OUT, obj=punch, unit=employee.unit,
                     before={"at": before}, after={"at": now, "distance_m": loc["distance"], "source": source})

    if day not in around.punch:
        punch = _create_punch(employee, day, location, lambda loc: _out_fields(now, loc), audit)
        if punch is not None:
            return punch, True
    punch = _existing_punch(employee, around, day)
    loc = _locate(employee.unit, location, punch.work_mode)
    fields = {**_out_fields(now, loc), "flagged": punch.flagged or loc["flagged"]}
    with transaction.atomic():
        before = punch.check_out_at
        Punch.objects.filter(pk=punch.pk).update(**fields)
        for name, value in fields.items():
            setattr(punch, name, value)
        audit(punch, loc, before)
        _derive_status_after_commit(punch)
    return punch, True
