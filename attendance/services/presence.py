"""Check-in, check-out and the derived day status.

Server time is authoritative: the punch time is ``timezone.now()`` and the date is the
unit's local date. A repeated tap never creates a second record (one row per employee
and date, unique in the database); a second check-in keeps the first time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import rules
from attendance.models import (
    MODE_BY_KIND,
    Band,
    BandKind,
    Correction,
    CorrectionStatus,
    DayStatus,
    Punch,
    Source,
    WorkMode,
)
from attendance.models.audit import Verb
from portal.models import Employee, Unit
from portal.selectors import employee_of, workcalendar
from portal.services.audit import audit_record
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS, FLEXIBLE_KINDS

# --- Location -------------------------------------------------------------------------

def _office_of(unit: Unit) -> Unit | None:
    """The nearest unit up the tree (itself first) with an office location."""
    if unit.latitude is not None and unit.longitude is not None:
        return unit
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids, latitude__isnull=False, longitude__isnull=False)
    return max(ancestors, key=lambda u: u.depth, default=None)


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

def _work_mode(employee: Employee, day: dt.date) -> str:
    kind = scheduling.approved_plan_for([employee.pk], day, day).get((employee.pk, day))
    return MODE_BY_KIND.get(kind, WorkMode.WFO)


def _punch_for_today(employee: Employee, day: dt.date) -> tuple[Punch, bool]:
    try:
        with transaction.atomic():
            return Punch.objects.get_or_create(employee=employee, date=day,
                                               defaults={"unit": employee.unit,
                                                         "work_mode": _work_mode(employee, day)})
    except IntegrityError:  # two taps raced: the other one created it
        return Punch.objects.get(employee=employee, date=day), False


def _actor_employee(actor) -> Employee:
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat melakukan presensi."))
    return employee


def punch_check_in(*, actor, latitude=None, longitude=None, accuracy=None, source: str = Source.WEB):
    """Record the check-in time now (first tap wins). Returns (punch, created_now)."""
    employee = _actor_employee(actor)
    location = _validate_location(latitude, longitude, accuracy)
    now = timezone.now()
    day = timezone.localtime(now, employee.unit.tzinfo).date()
    punch, _created = _punch_for_today(employee, day)
    if punch.check_in_at is not None:
        return punch, False
    loc = _locate(employee.unit, location, punch.work_mode)
    with transaction.atomic():
        changed = Punch.objects.filter(pk=punch.pk, check_in_at__isnull=True).update(
            check_in_at=now, in_latitude=loc.get("lat"), in_longitude=loc.get("lon"), in_accuracy_m=loc.get("acc"),
            in_distance_m=loc["distance"], flagged=loc["flagged"], source=source)
        punch.refresh_from_db()
        if changed:
            audit_record(actor=actor, verb=Verb.PUNCH_CHECKED_IN, obj=punch, unit=employee.unit,
                         after={"at": now, "mode": punch.work_mode, "distance_m": loc["distance"],
                                "flagged": loc["flagged"], "source": source})
            recompute_day(employee, day)
    return punch, bool(changed)


def punch_check_out(*, actor, latitude=None, longitude=None, accuracy=None, source: str = Source.WEB):
    """Record the check-out time now; a later tap moves it later (people keep working)."""
    employee = _actor_employee(actor)
    location = _validate_location(latitude, longitude, accuracy)
    now = timezone.now()
    day = timezone.localtime(now, employee.unit.tzinfo).date()
    punch, _created = _punch_for_today(employee, day)
    loc = _locate(employee.unit, location, punch.work_mode)
    with transaction.atomic():
        before = punch.check_out_at
        Punch.objects.filter(pk=punch.pk).update(
            check_out_at=now, out_latitude=loc.get("lat"), out_longitude=loc.get("lon"),
            out_accuracy_m=loc.get("acc"), out_distance_m=loc["distance"], flagged=punch.flagged or loc["flagged"])
        punch.refresh_from_db()
        audit_record(actor=actor, verb=Verb.PUNCH_CHECKED_OUT, obj=punch, unit=employee.unit,
                     before={"at": before}, after={"at": now, "distance_m": loc["distance"], "source": source})
        recompute_day(employee, day)
    return punch, True


# --- Day status ---------------------------------------------------------------------------

def _band_table(institution_id: int) -> tuple[tuple, tuple]:
    rows = list(Band.objects.filter(institution_id=institution_id))
    tl = tuple(rules.BandRule(b.level, b.from_minute, b.to_minute, b.deduction_percent)
               for b in rows if b.kind == BandKind.TL) or rules.DEFAULT_TL
    psw = tuple(rules.BandRule(b.level, b.from_minute, b.to_minute, b.deduction_percent)
                for b in rows if b.kind == BandKind.PSW) or rules.DEFAULT_PSW
    return tl, psw


def _aware(unit: Unit, day: dt.date, t: dt.time | None) -> dt.datetime | None:
    return dt.datetime.combine(day, t, tzinfo=unit.tzinfo) if t is not None else None


def _effective_times(punch: Punch | None, correction: Correction | None):
    check_in = punch.check_in_at if punch else None
    check_out = punch.check_out_at if punch else None
    if correction is not None:
        check_in = correction.check_in_at or check_in
        check_out = correction.check_out_at or check_out
    return check_in, check_out


def compute_day_statuses(employees: list[Employee], start: dt.date, end: dt.date) -> int:
    """Derive and upsert DayStatus for employees over [start, end] (never beyond today).

    Reads punches, approved corrections and approved plans in bulk; one upsert per batch.
    """
    if not employees:
        return 0
    ids = [e.pk for e in employees]
    punches = {(p.employee_id, p.date): p for p in Punch.objects.filter(employee_id__in=ids, date__range=(start, end))}
    corrections = {(c.employee_id, c.date): c for c in Correction.objects.filter(
        employee_id__in=ids, date__range=(start, end), status=CorrectionStatus.APPROVED).order_by("decided_at")}
    plan = scheduling.approved_plan_for(ids, start, end)
    rows, now, calendars, bands, hours, units = [], timezone.now(), {}, {}, {}, {}
    for employee in employees:
        # One Unit object per unit id, so its time zone is looked up once, not per employee.
        unit = employee.unit = units.setdefault(employee.unit_id, employee.unit)
        inst = unit.ancestor_ids[0]
        if inst not in calendars:
            calendars[inst] = _calendar(unit, start, end)
            bands[inst] = _band_table(inst)
        working, holidays = calendars[inst]
        today = unit.local_today()
        for day in _days(start, min(end, today)):
            if day not in working and day not in holidays:
                continue  # weekends: no row
            if (inst, day) not in hours:  # office hours depend on the institution and date only
                hours[inst, day] = workcalendar.hours_on(unit, day) if day in working else None
            rows.append(_status_row(employee, day, working, holidays, punches.get((employee.pk, day)),
                                    corrections.get((employee.pk, day)), plan.get((employee.pk, day)),
                                    bands[inst], today, now, hours[inst, day]))
    for i in range(0, len(rows), 2000):
        DayStatus.objects.bulk_create(rows[i:i + 2000], update_conflicts=True, unique_fields=["employee", "date"],
                                      update_fields=["unit", "code", "work_mode", "absence_kind", "tl_level",
                                                     "tl_minutes", "psw_level", "psw_minutes", "missing_in",
                                                     "missing_out", "deduction_percent", "note", "computed_at"])
    return len(rows)


def _calendar(unit: Unit, start: dt.date, end: dt.date):
    return set(workcalendar.working_days(unit, start, end)), workcalendar.holidays_between(unit, start, end)


def _days(start: dt.date, end: dt.date):
    for i in range((end - start).days + 1):
        yield start + dt.timedelta(days=i)


def _status_row(employee, day, working, holidays, punch, correction, kind, bands, today, now, hours) -> DayStatus:
    unit = employee.unit
    check_in, check_out = _effective_times(punch, correction)
    holiday = holidays.get(day)
    result = rules.derive_day(rules.DayInput(
        date=day, working=day in working, holiday_kind=holiday.kind if holiday else None,
        holiday_name=holiday.name if holiday else "",
        absence_kind=kind if kind in ABSENCE_KINDS else None,
        flexible_kind=kind if kind in FLEXIBLE_KINDS else None,
        start=_aware(unit, day, hours.start if hours else None), end=_aware(unit, day, hours.end if hours else None),
        check_in=check_in, check_out=check_out, finished=day < today), *bands)
    return DayStatus(employee=employee, unit=unit, date=day, code=result.code, work_mode=result.work_mode,
                     absence_kind=result.absence_kind, tl_level=result.tl_level, tl_minutes=result.tl_minutes,
                     psw_level=result.psw_level, psw_minutes=result.psw_minutes, missing_in=result.missing_in,
                     missing_out=result.missing_out, deduction_percent=Decimal(result.deduction), note=result.note,
                     computed_at=now)


def recompute_day(employee: Employee, day: dt.date) -> None:
    compute_day_statuses([employee], day, day)


def recompute_units(unit_ids, start: dt.date, end: dt.date) -> int:
    """Recompute every active employee of the given units (plan change, holiday, band table)."""
    people = list(Employee.objects.filter(unit_id__in=list(unit_ids), is_active=True).select_related("unit"))
    return compute_day_statuses(people, start, end)
