"""FWA windows: KemenPAN-RB flexible-work days opened by HR for many units at once.

WFH/WFA days a circular opened (inside a window over the unit, or on a calendar FWA day of its
institution: :func:`scheduling.selectors.fwa.open_days`) are approved automatically, through the
same race-safe approval as a supervisor's, wherever every coverage rule of the unit still holds.
A window that lifts the caps (the default) also frees its days from the weekly and monthly caps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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
from scheduling.selectors.fwa import OpenDay, open_days
from scheduling.services.decisions import DecisionBlocked, _approve


def _window_covers(window: FwaWindow, unit: Unit, unit_ids: set[int]) -> bool:
    if window.include_subunits:
        return bool(unit_ids & set(unit.ancestor_ids))
    return unit.pk in unit_ids


def _opened(days: list[RequestDay]) -> list[tuple[RequestDay, OpenDay]]:
    """The days a circular opened for their unit, with that circular: one read per unit."""
    by_unit: dict[int, list[RequestDay]] = defaultdict(list)
    for day in days:
        by_unit[day.unit_id].append(day)
    found = []
    for unit_days in by_unit.values():
        opened = open_days(unit_days[0].unit, min(d.date for d in unit_days), max(d.date for d in unit_days))
        found += [(d, opened[d.date]) for d in unit_days if d.date in opened]
    return found


def auto_approve_in_fwa_windows(days: list[RequestDay], *, opened: dict | None = None) -> dict[int, RequestDay]:
    """Approve the pending WFH/WFA days a circular opened, in date order (each counts for the
    caps of the next), wherever every rule still holds; the rest wait for the supervisor.
    ``opened``: what opens each date, when the caller read it already (a submit's preview, one
    unit). Returns the days approved, as written, by id."""
    flexible = [d for d in days if d.kind in (Kind.WFH, Kind.WFA) and d.status == Status.PENDING]
    if opened is not None:
        found = [(d, opened[d.date]) for d in flexible if d.date in opened]
    else:
        found = _opened(flexible)
    approved = {}
    for day, why in sorted([p for p in found if p[1].auto_approves], key=lambda pair: pair[0].date):
        # an emergency may only lift caps (auto_approves false): such days wait for the supervisor
        label = _("Keadaan darurat: %(n)s") if why.emergency_id else _("Jendela FWA: %(n)s")
        try:
            decision = _approve(day.pk, actor=None, acting_for=label % {"n": why.name}, reason="", auto=True)
        except DecisionBlocked:
            continue  # stays pending for the supervisor, who sees why
        if decision.changed:
            approved[day.pk] = decision.day
    return approved


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
    unit_ids = set(window.units.values_list("pk", flat=True))
    return [d for d in pending if _window_covers(window, d.unit, unit_ids)]


def fwa_window_open(*, actor, name: str, start: dt.date, end: dt.date, units: list[Unit],
                    include_subunits: bool = True, lifts_caps: bool = True) -> FwaOpened:
    """HR opens a window of flexible-work days for chosen units; pending WFH/WFA inside it
    are approved at once where every rule still holds. With ``lifts_caps`` (the default) its days
    are free of the weekly and monthly caps. Units outside the actor's scope: 404."""
    allowed = set(units_visible_to(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    if allowed != {u.pk for u in units}:
        raise Http404
    name = fwa_window_clean(name=name, start=start, end=end, units=units)
    with transaction.atomic():
        window = FwaWindow.objects.create(name=name, start=start, end=end, include_subunits=include_subunits,
                                          lifts_caps=lifts_caps, created_by=actor)
        window.units.set(units)
        audit_record(actor=actor, verb=Verb.FWA_WINDOW_OPENED, obj=window, unit=units[0],
                     after={"name": name, "start": start, "end": end, "units": [u.pk for u in units],
                            "include_subunits": include_subunits, "lifts_caps": lifts_caps})
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
                             "units": list(window.units.values_list("pk", flat=True)),
                             "lifts_caps": window.lifts_caps})
        window.delete()
