"""Month closings (tutup buku) an HR admin sees: the page and the API list the same rows.

A closure is *sedang ditutup* while the worker's final recompute runs (``closed_at`` empty),
*ditutup* once it is frozen, and *dibuka kembali* after HR reopened it with a reason (the row
stays, so the history of closings reads top to bottom). An HR admin sees the closures of their
subtrees and those of the units above them, which freeze their units too; they may reopen only
the ones of their own subtrees (the service checks again).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import MonthClosure, TimeZone, Unit
from portal.models.org import TZ_ABBREVIATION
from portal.selectors import hr_scope_units, units_visible_to


class ClosureState(models.TextChoices):
    CLOSING = "closing", _("sedang ditutup")
    CLOSED = "closed", _("ditutup")
    REOPENED = "reopened", _("dibuka kembali")


def closures_visible_to(user) -> QuerySet[MonthClosure]:
    """Closures in the HR admin's subtrees and on the units above them (all for a superuser),
    newest month first, each annotated with its ``state`` (:class:`ClosureState`)."""
    qs = (MonthClosure.objects.select_related("unit", "requested_by__employee", "reopened_by__employee")
          .annotate(state=Case(When(reopened_at__isnull=False, then=Value(ClosureState.REOPENED.value)),
                               When(closed_at__isnull=True, then=Value(ClosureState.CLOSING.value)),
                               default=Value(ClosureState.CLOSED.value), output_field=models.CharField()))
          .order_by("-month", "unit__path", "-requested_at", "-id"))
    if getattr(user, "is_superuser", False):
        return qs
    scopes = hr_scope_units(user)
    if not scopes:
        return qs.none()
    q = Q(unit_id__in={pk for unit in scopes for pk in unit.ancestor_ids})
    for unit in scopes:
        q |= Q(unit__path__startswith=unit.path)
    return qs.filter(q)


def closing_units(user) -> QuerySet[Unit]:
    """Units the HR admin may close a month for (their subtrees), tree order."""
    return units_visible_to(user).filter(is_active=True).order_by("path")


def can_reopen(user, closure: MonthClosure) -> bool:
    """In force, and on a unit of the user's own subtrees."""
    if closure.reopened_at is not None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(closure.unit.path.startswith(unit.path) for unit in hr_scope_units(user))


def reopenable_ids(user, closures) -> set[int]:
    """:func:`can_reopen` for a page of closures, with the scopes read once."""
    superuser = getattr(user, "is_superuser", False)
    paths = [] if superuser else [u.path for u in hr_scope_units(user)]
    return {c.pk for c in closures if c.reopened_at is None
            and (superuser or any(c.unit.path.startswith(p) for p in paths))}


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s: the month HR usually closes."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def unit_zones(units) -> dict[int, str]:
    """Effective time zone name of each unit, from one query over all their ancestors."""
    units = list({u.pk: u for u in units}.values())
    ancestor_ids = {pk for unit in units for pk in unit.ancestor_ids}
    own = dict(Unit.objects.filter(pk__in=ancestor_ids).exclude(time_zone="").values_list("pk", "time_zone"))
    zones = {}
    for unit in units:
        chain = [unit.time_zone] + [own.get(pk, "") for pk in reversed(unit.ancestor_ids)]
        zones[unit.pk] = next((tz for tz in chain if tz), TimeZone.WIB.value)
    return zones


def local_time(moment: dt.datetime | None, zone: str) -> str:
    """"2026-12-08 09:15 WIB" in the unit's zone; "" for no moment."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {TZ_ABBREVIATION.get(zone, 'WIB')}"


def person_name(user) -> str:
    """The employee's name behind an account, else its username ("" for the system)."""
    if user is None:
        return ""
    try:
        employee = user.employee
    except ObjectDoesNotExist:
        employee = None
    return employee.name if employee is not None else user.get_username()
