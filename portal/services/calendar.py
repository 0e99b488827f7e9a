"""Writes to the work calendar: holiday overrides, working hours and Ramadan periods, each audited.

Day statuses are derived from the calendar, so a change tells :data:`portal.hooks.calendar_changed`
which days it touches (attendance recomputes them after commit; portal never names attendance).
HR admins write only for the institutions (tree roots) inside their scope; national rows (no
institution) are for superusers. Anything else is a 404. The Django admin, the HR pages and the
API all save through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import hooks
from portal.models import CalendarOverride, RamadanPeriod, Unit, WorkingHours
from portal.models.audit import Verb
from portal.selectors import units_visible_to
from portal.services.audit import audit_record, snapshot

# Working hours apply "from now on"; a change reaches back over the window the nightly pass
# keeps fresh, never further (older months are left as they were computed).
RECENT_DAYS = 35


def institutions_writable_by(actor):
    """Tree roots whose calendar ``actor`` may change (all for a superuser)."""
    return units_visible_to(actor).filter(parent__isnull=True)


def _require_scope(actor, institution: Unit | None) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if institution is None or not institutions_writable_by(actor).filter(pk=institution.pk).exists():
        raise Http404


def _announce(institution_id: int | None, start: dt.date, end: dt.date) -> None:
    """Tell attendance which days to recompute; days after tomorrow have no status yet."""
    horizon = timezone.localdate() + dt.timedelta(days=1)
    if start <= horizon:
        hooks.calendar_changed.send(institution_id=institution_id, start=start, end=min(end, horizon))


def _recent(_row) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=RECENT_DAYS), today + dt.timedelta(days=1)


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
        row.save()
        audit_record(actor=actor, verb=updated if old else created, obj=row, before=snapshot(old) if old else None,
                     after=snapshot(row), unit=row.institution)
        for changed in {(r.institution_id, *span(r)) for r in (old, row) if r is not None}:
            _announce(*changed)
    return row


def _delete(actor, row: models.Model, *, verb: str, span: Callable) -> None:
    _require_scope(actor, row.institution)
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


# --- Working hours and Ramadan ---------------------------------------------------------------


def working_hours_save(*, actor, row: WorkingHours) -> WorkingHours:
    """An institution's hours for one weekday (applies from now on)."""
    if row.institution_id is None:
        raise ValidationError({"institution": _("Pilih instansi.")})
    return _save(actor, row, created=Verb.WORKING_HOURS_CREATED, updated=Verb.WORKING_HOURS_UPDATED, span=_recent)


def working_hours_delete(*, actor, row: WorkingHours) -> None:
    _delete(actor, row, verb=Verb.WORKING_HOURS_DELETED, span=_recent)


def _period(row: RamadanPeriod) -> tuple[dt.date, dt.date]:
    return row.start, row.end


def ramadan_period_save(*, actor, row: RamadanPeriod) -> RamadanPeriod:
    """Ramadan hours over a date range, nationally (superusers) or for one institution."""
    return _save(actor, row, created=Verb.RAMADAN_PERIOD_CREATED, updated=Verb.RAMADAN_PERIOD_UPDATED, span=_period)


def ramadan_period_delete(*, actor, row: RamadanPeriod) -> None:
    _delete(actor, row, verb=Verb.RAMADAN_PERIOD_DELETED, span=_period)
