"""The missing check-in reminder, run at each zone's local morning hour."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from attendance.models import Punch
from portal import workcalendar
from portal.models import Employee
from portal.selectors import local_today, units_in_time_zone
from portal.services.notify import notify
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS


def send_missing_checkin_reminders(*, tz: str, today: dt.date | None = None) -> int:
    """Remind people with no check-in yet on a working day, unless an approved absence
    (leave, sick, official travel...) covers the day. WFH/WFA days still need a check-in."""
    today = today or local_today(tz)
    units = [u for u in units_in_time_zone(tz) if workcalendar.is_working_day(u, today)]
    if not units:
        return 0
    people = Employee.objects.filter(unit__in=units, is_active=True).select_related("user")
    checked_in = set(Punch.objects.filter(date=today, check_in_at__isnull=False, unit__in=units)
                     .values_list("employee_id", flat=True))
    plan = scheduling.approved_plan_for([p.pk for p in people], today, today)
    sent = 0
    for person in people:
        if person.pk in checked_in or plan.get((person.pk, today)) in ABSENCE_KINDS:
            continue
        note = notify(recipient=person.user, key=f"checkin:{person.pk}:{today.isoformat()}",
                      kind="reminder.checkin",
                      subject=lambda p: _("Anda belum presensi masuk hari ini"),
                      body=lambda p: _("Sampai pagi ini belum ada presensi masuk Anda untuk %(date)s. Lakukan "
                                       "presensi, atau ajukan perbaikan bila ada gangguan.") % p,
                      params={"date": today.isoformat()}, link="/presensi/")
        sent += note is not None
    return sent
