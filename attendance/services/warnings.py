"""Early warning: a unit forecast below its minimum within 14 days is reported to its head
and its HR admins once per unit-day, and again only if it gets worse."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import StaffingAlert, StaffingSnapshot, StaffingStatus
from portal.formatting import long_date
from portal.models import HRAdminScope
from portal.services.notify import notify

HORIZON_DAYS = 14


def _hr_users_for(unit, scopes) -> list:
    return [s.user for s in scopes if unit.path.startswith(s.unit.path)]


def _recipients(snapshot, scopes) -> list:
    users = _hr_users_for(snapshot.unit, scopes)
    head = snapshot.unit.head
    if head is not None and head.is_active:
        users.append(head.user)
    return list({u.pk: u for u in users}.values())


def _words(p: dict) -> dict:
    """The params with the date written out, in the recipient's language (the params keep ISO)."""
    return {**p, "date": long_date(p["date"])}


def _send(snapshot, scopes) -> None:
    params = {"unit": snapshot.unit.name, "date": snapshot.date.isoformat(), "in_office": snapshot.in_office,
              "headcount": snapshot.headcount, "minimum": snapshot.minimum}
    for user in _recipients(snapshot, scopes):
        notify(recipient=user, key=f"warn:{snapshot.unit_id}:{snapshot.date}:{snapshot.in_office}:{user.pk}",
               kind="staffing.below",
               subject=lambda p: _("Peringatan dini: %(unit)s di bawah minimum pada %(date)s") % _words(p),
               body=lambda p: _("%(unit)s: %(in_office)d dari %(headcount)d pegawai diperkirakan di kantor "
                                "pada %(date)s; minimal %(minimum)d. Tinjau persetujuan kerja fleksibel dan "
                                "cuti.") % _words(p),
               params=params, link=f"/staffing/?unit={snapshot.unit_id}")


def send_early_warnings(*, today: dt.date) -> int:
    """Notify for each below-minimum unit-day in [today, today+14] not yet reported at this
    level or worse. Safe to run twice: the alert row and notification keys dedupe."""
    below = (StaffingSnapshot.objects.filter(status=StaffingStatus.BELOW,
                                             date__range=(today, today + dt.timedelta(days=HORIZON_DAYS)))
             .select_related("unit__head__user").order_by("date", "unit_id"))
    scopes = list(HRAdminScope.objects.select_related("unit", "user"))
    sent = 0
    for snap in below:
        with transaction.atomic():
            alert, created = StaffingAlert.objects.select_for_update().get_or_create(
                unit_id=snap.unit_id, date=snap.date,
                defaults={"in_office": snap.in_office, "minimum": snap.minimum, "notified_at": timezone.now()})
            if not created and snap.in_office >= alert.in_office:
                continue  # already told at this level or a worse one
            if not created:
                StaffingAlert.objects.filter(pk=alert.pk).update(in_office=snap.in_office, minimum=snap.minimum,
                                                                 notified_at=timezone.now())
            _send(snap, scopes)
            sent += 1
    return sent
