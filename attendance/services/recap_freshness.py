"""Writing the per-month recap freshness markers (:class:`attendance.models.RecapFreshness`).

The nightly pass (:func:`attendance.services.recompute.recompute_recent`) recomputes every
employee of every institution; afterwards each institution's months say up to which finished day
their day statuses are final. A change that makes past rows stale pulls that day back; the report
selectors then check only the days after it, per employee (``reports.stale_employee_ids``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attendance.models import RecapFreshness
from portal.models import Employee, TimeZone, Unit


def finished_until() -> dt.date:
    """The last date already over in every Indonesian time zone (WIB is the westmost)."""
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(TimeZone.WIB)).date() - dt.timedelta(days=1)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    month, out = start.replace(day=1), []
    while month <= end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def recap_freshness_mark(*, institution_id: int, start: dt.date, end: dt.date, computed_at: dt.datetime) -> int:
    """After every employee of the institution was recomputed over [start, end] (started at
    ``computed_at``): its months are final up to the last finished day of that range. A month the
    range enters in its middle counts only if its earlier days were already final."""
    last = min(end, finished_until())
    written = 0
    with transaction.atomic():
        for month in month_starts(start, last):
            through = min(_month_end(month), last)
            if start > month:
                known = RecapFreshness.objects.filter(unit_id=institution_id, month=month,
                                                      through__gte=start - dt.timedelta(days=1)).exists()
                if not known:
                    continue
            RecapFreshness.objects.update_or_create(unit_id=institution_id, month=month,
                                                    defaults={"through": through, "computed_at": computed_at})
            written += 1
    return written


def recap_freshness_invalidate(*, start: dt.date, institution_ids=None, employee_ids=None) -> int:
    """Days from ``start`` on are no longer known final for these institutions (all when neither
    is given): months from ``start`` lose their marker, the month of ``start`` keeps the days before it."""
    roots = _roots(institution_ids, employee_ids)
    markers = RecapFreshness.objects.filter(through__gte=start)
    if roots is not None:
        markers = markers.filter(unit_id__in=roots)
    first = start.replace(day=1)
    cut = markers.filter(month=first).exclude(month=start).update(through=start - dt.timedelta(days=1))
    return cut + markers.filter(Q(month__gt=first) | Q(month=start)).delete()[0]


def _roots(institution_ids, employee_ids) -> set[int] | None:
    if institution_ids is not None:
        return {i for i in institution_ids if i is not None} or None
    if employee_ids is None:
        return None
    paths = Employee.objects.filter(pk__in=list(employee_ids)).values_list("unit__path", flat=True).distinct()
    return {int(p.strip("/").split("/")[0]) for p in paths if p}


def institution_ids() -> list[int]:
    return list(Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True))
