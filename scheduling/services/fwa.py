"""FWA windows: KemenPAN-RB flexible-work days opened by HR for many units at once.

WFH/WFA days inside a window are approved automatically, through the same race-safe approval
as a supervisor's, wherever every coverage rule of the unit still holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from portal.models import Unit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record
from scheduling.models import FwaWindow, Kind, RequestDay, Status
from scheduling.models.audit import Verb
from scheduling.services.decisions import DecisionBlocked, _approve


def _window_covers(window: FwaWindow, unit: Unit) -> bool:
    ids = set(window.units.values_list("pk", flat=True))
    if window.include_subunits:
        return bool(ids & set(unit.ancestor_ids))
    return unit.pk in ids


def auto_approve_in_fwa_windows(days: list[RequestDay]) -> None:
    flexible = [d for d in days if d.kind in (Kind.WFH, Kind.WFA) and d.status == Status.PENDING]
    if not flexible:
        return
    windows = list(FwaWindow.objects.filter(start__lte=max(d.date for d in flexible),
                                            end__gte=min(d.date for d in flexible)))
    for day in sorted(flexible, key=lambda d: d.date):
        for window in windows:
            if window.start <= day.date <= window.end and _window_covers(window, day.unit):
                try:
                    _approve(day.pk, actor=None, acting_for=_("Jendela FWA: %(n)s") % {"n": window.name},
                             reason="", auto=True)
                except DecisionBlocked:
                    pass  # stays pending for the supervisor, who sees why
                break


MAX_FWA_DAYS = 366
MAX_FWA_UNITS = 1000


def fwa_window_clean(*, name: str, start: dt.date, end: dt.date, units: list[Unit]) -> str:
    """The one validation of a window, for the page, the API and the admin. Returns the name."""
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Sebutkan dasarnya (surat edaran).")
    elif len(name) > 255:
        errors["name"] = _("Paling banyak 255 karakter.")
    if not units:
        errors["units"] = _("Pilih minimal satu unit.")
    elif len(units) > MAX_FWA_UNITS:
        errors["units"] = _("Paling banyak %(n)d unit sekali buka.") % {"n": MAX_FWA_UNITS}
    if end < start:
        errors["end"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    elif (end - start).days >= MAX_FWA_DAYS:
        errors["end"] = _("Rentang paling panjang %(n)d hari.") % {"n": MAX_FWA_DAYS}
    if errors:
        raise ValidationError(errors)
    return name


@dataclass
class FwaOpened:
    window: FwaWindow
    pending: int  # WFH/WFA days that were waiting inside the window
    auto_approved: int  # of those, approved now because every rule still holds


def _pending_inside(window: FwaWindow) -> list[RequestDay]:
    pending = RequestDay.objects.filter(status=Status.PENDING, date__range=(window.start, window.end),
                                        kind__in=[Kind.WFH, Kind.WFA]).select_related("unit")
    return [d for d in pending if _window_covers(window, d.unit)]


def fwa_window_open(*, actor, name: str, start: dt.date, end: dt.date, units: list[Unit],
                    include_subunits: bool = True) -> FwaOpened:
    """HR opens a window of flexible-work days for chosen units; pending WFH/WFA inside it
    are approved at once where every rule still holds. Units outside the actor's scope: 404."""
    allowed = set(units_visible_to(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    if allowed != {u.pk for u in units}:
        raise Http404
    name = fwa_window_clean(name=name, start=start, end=end, units=units)
    with transaction.atomic():
        window = FwaWindow.objects.create(name=name, start=start, end=end, include_subunits=include_subunits,
                                          created_by=actor)
        window.units.set(units)
        audit_record(actor=actor, verb=Verb.FWA_WINDOW_OPENED, obj=window, unit=units[0],
                     after={"name": name, "start": start, "end": end, "units": [u.pk for u in units]})
    waiting = _pending_inside(window)
    auto_approve_in_fwa_windows(waiting)
    approved = RequestDay.objects.filter(pk__in=[d.pk for d in waiting], status=Status.APPROVED).count()
    return FwaOpened(window, len(waiting), approved)


def fwa_window_delete(*, actor, window: FwaWindow) -> None:
    """Remove a window (superusers, from the admin). Days it approved stay approved: they were
    decided by the rules in force at the time, and each says so in its history."""
    if not getattr(actor, "is_superuser", False):
        raise Http404
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.FWA_WINDOW_DELETED, obj=window, unit=window.units.first(),
                     before={"name": window.name, "start": window.start, "end": window.end,
                             "units": list(window.units.values_list("pk", flat=True))})
        window.delete()
