"""Writes to the work calendar: per-institution holiday overrides, each audited.

Day statuses are derived from the calendar, so after a change commits attendance recomputes
the days it touches (enqueued by task name: portal never imports attendance). The same
rules as :mod:`portal.admin`: HR admins write only for the institutions (tree roots) inside
their scope; national rows (no institution) are for superusers. Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.jobs import enqueue_on_commit
from portal.models import CalendarOverride, Unit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record, snapshot

RECOMPUTE_TASK = "attendance.recompute_institution"


def institutions_writable_by(actor):
    """Tree roots whose calendar ``actor`` may change (all for a superuser)."""
    return units_visible_to(actor).filter(parent__isnull=True)


def _require_scope(actor, institution: Unit | None) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if institution is None or not institutions_writable_by(actor).filter(pk=institution.pk).exists():
        raise Http404


def _recompute_on_commit(override: CalendarOverride) -> None:
    # Days after tomorrow have no status yet; they are computed when they come.
    if override.date <= timezone.localdate() + dt.timedelta(days=1):
        day = override.date.isoformat()
        enqueue_on_commit(RECOMPUTE_TASK, kwargs={"institution_id": override.institution_id, "start": day,
                                                  "end": day})


def _refuse_duplicate_day(override: CalendarOverride) -> None:
    clash = CalendarOverride.objects.filter(institution=override.institution, date=override.date)
    if override.institution_id is None:
        clash = CalendarOverride.objects.filter(institution__isnull=True, date=override.date)
    if clash.exclude(pk=override.pk).exists():
        raise ValidationError({"date": _("Tanggal ini sudah punya penyesuaian kalender; hapus dulu yang lama.")})


def calendar_override_save(*, actor, override: CalendarOverride) -> CalendarOverride:
    """Create or change one institution's (or, for superusers, the nation's) calendar day."""
    _require_scope(actor, override.institution)
    if override.institution is not None and override.institution.parent_id:
        raise ValidationError({"institution": _("Penyesuaian kalender hanya untuk instansi (unit akar).")})
    override.name = (override.name or "").strip()
    with transaction.atomic():
        _refuse_duplicate_day(override)
        override.full_clean(validate_constraints=False)
        old = CalendarOverride.objects.select_for_update().filter(pk=override.pk).first() if override.pk else None
        if old is not None:
            _require_scope(actor, old.institution)
        override.save()
        audit_record(actor=actor, verb="calendaroverride.updated" if old else "calendaroverride.created",
                     obj=override, before=snapshot(old) if old else None, after=snapshot(override),
                     unit=override.institution)
        for row in {(r.institution_id, r.date): r for r in (old, override) if r is not None}.values():
            _recompute_on_commit(row)
    return override


def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Remove a calendar change; the day falls back to the national calendar."""
    _require_scope(actor, override.institution)
    with transaction.atomic():
        audit_record(actor=actor, verb="calendaroverride.deleted", obj=override, before=snapshot(override),
                     unit=override.institution)
        override.delete()
        _recompute_on_commit(override)
