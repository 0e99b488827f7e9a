"""Shifts and the roster (jadwal dinas).

HR defines a unit's shifts (start, end, over midnight or not, break; at most 24 hours). The
supervisor — or their Plh/Plt — and HR set the roster of their people a month at a time: a
shift or a day off per person per day. A month that is closed takes no roster change; a
change recomputes the days it touches that have already begun. Every save is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from attendance.models import RosterEntry, Shift
from attendance.models.audit import Verb
from attendance.selectors.roster import rosterable_employees, shifts_for_unit
from attendance.services.day_status import compute_day_statuses
from portal import rules as portal_rules
from portal.formatting import short_date
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.selectors.closures import closures_on_days, refuse_if_closed
from portal.services.audit import audit_record, snapshot

# --- Shifts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftData:
    code: str
    name: str
    start: dt.time | None
    end: dt.time | None
    ends_next_day: bool = False
    break_minutes: int = 0
    is_active: bool = True


def shift_clean(*, unit: Unit, data: ShiftData, pk: int | None = None) -> None:
    """The one validation of a shift: a code unique in the unit, a span of at most 24 hours."""
    errors: dict[str, str] = {}
    code = (data.code or "").strip()
    if not code:
        errors["code"] = _("Isi kode shift.")
    elif len(code) > 10:
        errors["code"] = _("Kode shift paling panjang 10 karakter.")
    elif Shift.objects.filter(unit=unit, code__iexact=code).exclude(pk=pk).exists():
        errors["code"] = _("Kode %(code)s sudah dipakai di unit ini.") % {"code": code}
    if not (data.name or "").strip():
        errors["name"] = _("Isi nama shift.")
    if data.start is None or data.end is None:
        errors["start"] = _("Isi jam mulai dan jam selesai.")
    else:
        problem = portal_rules.shift_span_error(data.start, data.end, data.ends_next_day)
        if problem == "end_before_start":
            errors["end"] = _("Jam selesai harus sesudah jam mulai; untuk shift yang melewati tengah malam, centang "
                              "“selesai keesokan hari”.")
        elif problem == "longer_than_day":
            errors["end"] = _("Shift paling lama 24 jam: shift yang selesai keesokan hari harus berakhir paling lambat "
                              "pada jam mulainya.")
        else:
            span = portal_rules.DayHours(data.start, data.end, 0, ends_next_day=data.ends_next_day).span_minutes
            if not 0 <= data.break_minutes < span:
                errors["break_minutes"] = _("Istirahat harus lebih singkat dari shift.")
    if errors:
        raise ValidationError(errors)


def _require_unit(actor, unit: Unit) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise Http404


def shift_save(*, actor, unit: Unit, shift: Shift | None, data: ShiftData) -> Shift:
    """Add a shift to a unit or change one. A shift already on a roster keeps its times for the
    days already worked only through their stored statuses: change the hours of a used shift by
    adding a new one (and retiring the old) when history matters."""
    _require_unit(actor, unit)
    if shift is not None and shift.unit_id != unit.pk:
        raise Http404
    shift_clean(unit=unit, data=data, pk=shift.pk if shift else None)
    with transaction.atomic():
        old = Shift.objects.select_for_update().filter(pk=shift.pk).first() if shift else None
        if old is not None and _times_changed(old, data) and old.entries.exists():
            raise ValidationError({"start": _("Shift ini sudah dipakai di jadwal dinas: jamnya tidak diubah agar "
                                              "riwayat tetap benar. Tambahkan shift baru dan nonaktifkan yang ini.")})
        row = old or Shift(unit=unit)
        row.code, row.name = data.code.strip(), data.name.strip()
        row.start, row.end, row.ends_next_day = data.start, data.end, data.ends_next_day
        row.break_minutes, row.is_active = data.break_minutes, data.is_active
        try:
            row.save()
        except IntegrityError:
            message = _("Kode %(code)s sudah dipakai di unit ini.") % {"code": row.code}
            raise ValidationError({"code": message}) from None
        audit_record(actor=actor, verb=Verb.SHIFT_UPDATED if old else Verb.SHIFT_CREATED, obj=row,
                     before=snapshot(old) if old else None, after=snapshot(row), unit=unit)
    return row


def _times_changed(old: Shift, data: ShiftData) -> bool:
    return (old.start, old.end, old.ends_next_day, old.break_minutes) != (
        data.start, data.end, data.ends_next_day, data.break_minutes)


# --- Roster ------------------------------------------------------------------------------------


OFF = "L"  # a day off in a submitted roster (libur)


@dataclass(frozen=True)
class RosterChange:
    employee_id: int
    date: dt.date
    shift_code: str | None  # a shift's code, OFF for a day off, None to clear the entry


def _month_days(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def roster_save(*, actor, unit: Unit, month: dt.date, changes: list[RosterChange]) -> int:
    """Apply a month of roster changes for the people of ``unit`` the actor may roster. All or
    nothing: one bad cell refuses the whole save, naming it. Returns the entries changed."""
    first, last = _month_days(month)
    people = {e.pk: e for e in rosterable_employees(actor, unit)}
    shifts = {s.code.upper(): s for s in shifts_for_unit(unit) if s.is_active}
    errors = _roster_errors(changes, people, shifts, first, last)
    if errors:
        raise ValidationError({"entries": errors})
    refuse_if_closed(closures_on_days(unit, [first]), "month")
    for employee in {people[c.employee_id] for c in changes}:
        refuse_if_closed(closures_on_days(employee.unit, [first]), "month")
    with transaction.atomic():
        existing = {(r.employee_id, r.date): r for r in RosterEntry.objects.select_for_update(of=("self",)).filter(
            employee_id__in=people, date__range=(first, last)).select_related("shift")}
        before, after, touched = {}, {}, set()
        for change in changes:
            key = (change.employee_id, change.date)
            old = existing.get(key)
            old_code = (old.shift.code if old.shift_id else OFF) if old else None
            new_code = None if change.shift_code is None else change.shift_code.upper()
            if old_code == new_code:
                continue
            label = f"{change.employee_id}:{change.date.isoformat()}"
            before[label], after[label] = old_code, new_code
            touched.add(key)
            if new_code is None:
                old.delete()
            else:
                RosterEntry.objects.update_or_create(employee_id=change.employee_id, date=change.date, defaults={
                    "shift": None if new_code == OFF else shifts[new_code], "updated_by": actor})
        if touched:
            audit_record(actor=actor, verb=Verb.ROSTER_UPDATED, obj=unit, unit=unit,
                         before={"month": first.isoformat(), "entries": before},
                         after={"month": first.isoformat(), "entries": after})
            _recompute_begun(people, touched)
    return len(touched)


def _roster_errors(changes, people, shifts, first, last) -> list[str]:
    errors = []
    for change in changes:
        if change.employee_id not in people:
            errors.append(_("Pegawai #%(id)s bukan pegawai yang dapat Anda jadwalkan di unit ini.") % {
                "id": change.employee_id})
        elif not first <= change.date <= last:
            errors.append(_("Tanggal %(date)s di luar bulan yang diubah.") % {"date": short_date(change.date)})
        elif change.shift_code is not None and change.shift_code.upper() != OFF \
                and change.shift_code.upper() not in shifts:
            errors.append(_("Shift %(code)s tidak dikenal atau tidak aktif di unit ini (%(name)s, %(date)s).") % {
                "code": change.shift_code, "name": people[change.employee_id].name, "date": short_date(change.date)})
    return errors


def _recompute_begun(people: dict, touched: set) -> None:
    """Days already begun get their status again now (the roster decides whether they worked)."""
    by_employee: dict[int, list[dt.date]] = {}
    for employee_id, day in touched:
        if day <= people[employee_id].unit.local_today():
            by_employee.setdefault(employee_id, []).append(day)
    for employee_id, days in by_employee.items():
        compute_day_statuses([people[employee_id]], min(days), max(days))
