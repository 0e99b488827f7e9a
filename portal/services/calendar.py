"""Writes to the work calendar: holiday overrides, working patterns and Ramadan periods, each audited.

Day statuses are derived from the calendar, so a change tells :data:`portal.hooks.calendar_changed`
which days it touches (attendance recomputes them after commit; portal never names attendance).
HR admins write only for the institutions (tree roots) inside their scope; national rows (no
institution) are for superusers; a working pattern may be set on any unit in scope. Anything else
is a 404. The Django admin, the HR pages and the API all save through here.

Every rule here applies from a date: a change recomputes the days from that date on (never the
days before it), and a change that would begin inside a closed month (tutup buku) is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import hooks, rules
from portal.formatting import short_date
from portal.models import WEEKDAYS, CalendarOverride, PatternKind, RamadanPeriod, Unit, WorkPattern, WorkPatternDay
from portal.models.audit import Verb
from portal.selectors import units_visible_to
from portal.selectors.closures import closures_touching, refuse_change_from, refuse_if_closed
from portal.services.audit import audit_record, snapshot


def institutions_writable_by(actor):
    """Tree roots whose calendar ``actor`` may change (all for a superuser)."""
    return units_visible_to(actor).filter(parent__isnull=True)


def _require_scope(actor, institution: Unit | None) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if institution is None or not institutions_writable_by(actor).filter(pk=institution.pk).exists():
        raise Http404


def _horizon() -> dt.date:
    """Days after tomorrow (server date; a unit east of it is a day ahead at most) have no status."""
    return timezone.localdate() + dt.timedelta(days=1)


def _announce(institution_id: int | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> None:
    """Tell attendance which days to recompute (for one unit's subtree, or the institution)."""
    horizon = _horizon()
    if start <= horizon:
        hooks.calendar_changed.send(institution_id=institution_id, start=start, end=min(end, horizon),
                                    unit_id=unit_id)


def _refuse_closed(row, span: Callable) -> None:
    """A calendar row may not change days of a closed month (national rows: of any unit)."""
    start, end = span(row)
    institution = row.institution
    closures = closures_touching([institution], start, end) if institution is not None else \
        closures_touching(Unit.objects.filter(parent__isnull=True), start, end)
    refuse_if_closed(closures, "date" if isinstance(row, CalendarOverride) else "start")


def _save(actor, row: models.Model, *, created: str, updated: str, span: Callable, validate=None) -> models.Model:
    """Save one institution row (or a national one), audit it, announce the days it touches."""
    _require_scope(actor, row.institution)
    if row.institution is not None and row.institution.parent_id:
        raise ValidationError({"institution": _("Hanya untuk instansi (unit akar).")})
    with transaction.atomic():
        old = type(row).objects.select_for_update().filter(pk=row.pk).first() if row.pk else None
        if old is not None:
            _require_scope(actor, old.institution)
        if validate is not None:
            validate(row)
        row.full_clean(validate_constraints=False)
        for changed in (old, row):
            if changed is not None:
                _refuse_closed(changed, span)
        row.save()
        audit_record(actor=actor, verb=updated if old else created, obj=row, before=snapshot(old) if old else None,
                     after=snapshot(row), unit=row.institution)
        for changed in {(r.institution_id, *span(r)) for r in (old, row) if r is not None}:
            _announce(*changed)
    return row


def _delete(actor, row: models.Model, *, verb: str, span: Callable) -> None:
    _require_scope(actor, row.institution)
    _refuse_closed(row, span)
    with transaction.atomic():
        audit_record(actor=actor, verb=verb, obj=row, before=snapshot(row), unit=row.institution)
        row.delete()
        _announce(row.institution_id, *span(row))


# --- Holidays and other calendar days --------------------------------------------------------


def _one_per_day(override: CalendarOverride) -> None:
    clash = CalendarOverride.objects.filter(institution=override.institution, date=override.date)
    if override.institution_id is None:
        clash = CalendarOverride.objects.filter(institution__isnull=True, date=override.date)
    if clash.exclude(pk=override.pk).exists():
        raise ValidationError({"date": _("Tanggal ini sudah punya penyesuaian kalender; hapus dulu yang lama.")})


def _one_day(override) -> tuple[dt.date, dt.date]:
    return override.date, override.date


def calendar_override_save(*, actor, override: CalendarOverride) -> CalendarOverride:
    """Create or change one institution's (or, for superusers, the nation's) calendar day."""
    override.name = (override.name or "").strip()
    return _save(actor, override, created=Verb.CALENDAR_OVERRIDE_CREATED, updated=Verb.CALENDAR_OVERRIDE_UPDATED,
                 span=_one_day, validate=_one_per_day)


def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Remove a calendar change; the day falls back to the national calendar."""
    _delete(actor, override, verb=Verb.CALENDAR_OVERRIDE_DELETED, span=_one_day)


# --- Ramadan ----------------------------------------------------------------------------------


def _ramadan_clean(row: RamadanPeriod) -> None:
    """Hours that make a day, and one Ramadan period at a time per institution (and nationally):
    two would leave the hours of the days they share to chance."""
    errors = {}
    for end_field, break_field in (("end_time", "break_minutes"), ("friday_end_time", "friday_break_minutes")):
        start, end, pause = row.start_time, getattr(row, end_field), getattr(row, break_field)
        if start is None or end is None:
            continue
        if rules.shift_span_error(start, end, False):
            errors[end_field] = _("Jam pulang harus sesudah jam masuk.")
        elif pause is not None and pause >= rules.DayHours(start, end, 0).span_minutes:
            errors[break_field] = _("Istirahat harus lebih singkat dari jam kerjanya.")
    if errors:
        raise ValidationError(errors)
    if not (row.start and row.end):
        return
    same = RamadanPeriod.objects.filter(start__lte=row.end, end__gte=row.start).exclude(pk=row.pk)
    same = same.filter(institution__isnull=True) if row.institution_id is None else \
        same.filter(institution_id=row.institution_id)
    clash = same.first()
    if clash is not None:
        raise ValidationError({"start": _("Periode ini bertumpang tindih dengan periode Ramadan %(start)s–%(end)s; "
                                          "ubah periode itu atau pilih tanggal lain.") % {
            "start": short_date(clash.start), "end": short_date(clash.end)}})


def _period(row: RamadanPeriod) -> tuple[dt.date, dt.date]:
    return row.start, row.end


def ramadan_period_save(*, actor, row: RamadanPeriod) -> RamadanPeriod:
    """Ramadan hours over a date range, nationally (superusers) or for one institution."""
    return _save(actor, row, created=Verb.RAMADAN_PERIOD_CREATED, updated=Verb.RAMADAN_PERIOD_UPDATED, span=_period,
                 validate=_ramadan_clean)


def ramadan_period_delete(*, actor, row: RamadanPeriod) -> None:
    _delete(actor, row, verb=Verb.RAMADAN_PERIOD_DELETED, span=_period)


# --- Working patterns --------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternDayData:
    weekday: int
    start: dt.time
    end: dt.time
    break_minutes: int = 60


def _day_name(weekday: int) -> str:
    return str(dict(WEEKDAYS).get(weekday, weekday))


def _day_errors(days: list[PatternDayData], flex_until: dt.time | None) -> list[str]:
    errors, seen = [], set()
    for day in days:
        name = _day_name(day.weekday)
        if day.weekday in seen or not 0 <= day.weekday <= 6:
            errors.append(_("%(day)s tercantum lebih dari sekali.") % {"day": name})
        seen.add(day.weekday)
        if rules.shift_span_error(day.start, day.end, False):
            errors.append(_("Jam pulang %(day)s harus sesudah jam masuknya (pola mingguan tidak melewati tengah "
                            "malam; untuk itu pakai shift).") % {"day": name})
            continue
        hours = rules.DayHours(day.start, day.end, day.break_minutes)
        if day.break_minutes < 0 or day.break_minutes >= hours.span_minutes:
            errors.append(_("Istirahat %(day)s harus lebih singkat dari jam kerjanya.") % {"day": name})
        if flex_until is not None and not day.start < flex_until < day.end:
            errors.append(_("Batas jam masuk fleksibel %(flex)s harus sesudah jam masuk %(day)s (%(start)s) dan "
                            "sebelum jam pulangnya.") % {"flex": f"{flex_until:%H:%M}", "day": name,
                                                         "start": f"{day.start:%H:%M}"})
    return errors


def work_pattern_clean(*, unit: Unit, effective_from: dt.date | None, kind: str, flex_until: dt.time | None,
                       days: list[PatternDayData], pk: int | None = None) -> None:
    """The one validation of a working pattern (forms, API and the service call it)."""
    errors: dict[str, list[str]] = {}
    if effective_from is None:
        errors["effective_from"] = [_("Isi tanggal mulai berlaku.")]
    elif not rules.date_in_range(effective_from):
        errors["effective_from"] = [rules.date_range_message()]
    elif WorkPattern.objects.filter(unit=unit, effective_from=effective_from).exclude(pk=pk).exists():
        errors["effective_from"] = [_("%(unit)s sudah punya pola yang berlaku mulai %(date)s: ubah pola itu, atau "
                                      "pilih tanggal lain (dua pola tidak boleh mulai pada hari yang sama).") % {
            "unit": unit.name, "date": short_date(effective_from)}]
    if kind not in PatternKind.values:
        errors["kind"] = [_("Jenis pola tidak dikenal.")]
    elif kind == PatternKind.WEEKLY and not days:
        errors["days"] = [_("Pilih paling sedikit satu hari kerja.")]
    day_errors = _day_errors(days, flex_until)
    if day_errors:
        errors.setdefault("days", []).extend(day_errors)
    if errors:
        raise ValidationError(errors)


def _pattern_span(unit: Unit, starts: list[dt.date]) -> tuple[dt.date, dt.date]:
    """From the earliest start to the day before the unit's next version (or the horizon)."""
    first, last = min(starts), max(starts)
    following = (WorkPattern.objects.filter(unit=unit, effective_from__gt=last)
                 .order_by("effective_from").values_list("effective_from", flat=True).first())
    return first, (following - dt.timedelta(days=1)) if following else _horizon()


def _pattern_snapshot(pattern: WorkPattern) -> dict:
    data = snapshot(pattern, ["unit_id", "effective_from", "kind", "flex_until", "note"])
    data["days"] = [snapshot(d, ["weekday", "start", "end", "break_minutes"]) for d in pattern.days.all()]
    return data


def _require_unit_scope(actor, unit: Unit) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise Http404


def work_pattern_save(*, actor, unit: Unit, pattern: WorkPattern | None, effective_from: dt.date, kind: str,
                      flex_until: dt.time | None, note: str, days: list[PatternDayData]) -> WorkPattern:
    """Add a working pattern to a unit from a date, or change one (its days are replaced)."""
    _require_unit_scope(actor, unit)
    if pattern is not None and pattern.unit_id != unit.pk:
        raise Http404
    work_pattern_clean(unit=unit, effective_from=effective_from, kind=kind, flex_until=flex_until, days=days,
                       pk=pattern.pk if pattern else None)
    with transaction.atomic():
        old = WorkPattern.objects.select_for_update().filter(pk=pattern.pk).first() if pattern else None
        before = _pattern_snapshot(old) if old else None
        starts = [effective_from] + ([old.effective_from] if old else [])
        for start in starts:
            refuse_change_from([unit], start)
        row = old or WorkPattern(unit=unit)
        row.effective_from, row.kind, row.flex_until, row.note = effective_from, kind, flex_until, (note or "").strip()
        row.save()
        row.days.all().delete()
        WorkPatternDay.objects.bulk_create([WorkPatternDay(pattern=row, weekday=d.weekday, start=d.start, end=d.end,
                                                           break_minutes=d.break_minutes) for d in days])
        audit_record(actor=actor, verb=Verb.WORK_PATTERN_UPDATED if old else Verb.WORK_PATTERN_CREATED, obj=row,
                     before=before, after=_pattern_snapshot(row), unit=unit)
        _announce(unit.ancestor_ids[0], *_pattern_span(unit, starts), unit_id=unit.pk)
    return row


def work_pattern_delete(*, actor, pattern: WorkPattern) -> None:
    """Remove a version: its days fall back to the version before it (or the parent's pattern)."""
    unit = pattern.unit
    _require_unit_scope(actor, unit)
    refuse_change_from([unit], pattern.effective_from)
    with transaction.atomic():
        span = _pattern_span(unit, [pattern.effective_from])
        audit_record(actor=actor, verb=Verb.WORK_PATTERN_DELETED, obj=pattern, before=_pattern_snapshot(pattern),
                     unit=unit)
        pattern.delete()
        _announce(unit.ancestor_ids[0], *span, unit_id=unit.pk)
