"""An institution's TL/PSW band table: the lateness and early-leave bands and their deductions.

One validation (:func:`band_clean`) for the admin form and the service; every save or delete is
audited and recomputes the recent day statuses of the institution once committed (a band applies
from now on: the window the nightly pass keeps fresh, never older months).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Band
from attendance.models.audit import Verb
from attendance.services.recompute import NIGHTLY_DAYS
from portal.jobs import enqueue_on_commit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record, snapshot


def band_clean(*, from_minute: int | None, to_minute: int | None, deduction_percent) -> None:
    errors = {}
    if from_minute is not None and from_minute < 1:
        errors["from_minute"] = _("Pita dimulai paling awal pada menit ke-1.")
    if from_minute is not None and to_minute is not None and to_minute < from_minute:
        errors["to_minute"] = _("Batas atas tidak boleh lebih kecil dari batas bawah.")
    if deduction_percent is not None and not 0 <= deduction_percent <= 100:
        errors["deduction_percent"] = _("Potongan harus antara 0 dan 100%.")
    if errors:
        raise ValidationError(errors)


def _require_scope(actor, institution_id: int) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not units_visible_to(actor).filter(pk=institution_id, parent__isnull=True).exists():
        raise Http404


def _recompute_recent(institution_ids) -> None:
    today = timezone.localdate()
    for institution_id in set(institution_ids):
        enqueue_on_commit("attendance.recompute_institution", kwargs={
            "institution_id": institution_id, "start": (today - dt.timedelta(days=NIGHTLY_DAYS)).isoformat(),
            "end": (today + dt.timedelta(days=1)).isoformat()})


def band_save(*, actor, row: Band) -> Band:
    _require_scope(actor, row.institution_id)
    band_clean(from_minute=row.from_minute, to_minute=row.to_minute, deduction_percent=row.deduction_percent)
    with transaction.atomic():
        old = Band.objects.select_for_update().filter(pk=row.pk).first() if row.pk else None
        if old is not None:
            _require_scope(actor, old.institution_id)
        row.full_clean(validate_constraints=False)
        row.save()
        audit_record(actor=actor, verb=Verb.BAND_UPDATED if old else Verb.BAND_CREATED, obj=row,
                     before=snapshot(old) if old else None, after=snapshot(row), unit=row.institution)
        _recompute_recent([row.institution_id] + ([old.institution_id] if old else []))
    return row


def band_delete(*, actor, row: Band) -> None:
    _require_scope(actor, row.institution_id)
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.BAND_DELETED, obj=row, before=snapshot(row), unit=row.institution)
        row.delete()
        _recompute_recent([row.institution_id])
