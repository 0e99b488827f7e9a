"""The missing check-in reminder, run at each zone's local morning hour."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Punch
from attendance.selectors.schedule import Schedules
from portal.formatting import long_date
from portal.models import Employee
from portal.selectors import local_today, units_in_time_zone
from portal.services.notify import notify
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS

CHUNK = 1000


def _remind(person, today: dt.date):
    return notify(recipient=person.user, key=f"checkin:{person.pk}:{today.isoformat()}", kind="reminder.checkin",
                  subject=lambda p: _("Anda belum presensi masuk hari ini"),
                  body=lambda p: _("Sampai pagi ini belum ada presensi masuk Anda untuk %(date)s. Lakukan presensi, "
                                   "atau ajukan perbaikan bila ada gangguan.") % {"date": long_date(p["date"])},
                  params={"date": today.isoformat()}, link="/presensi/")


def send_missing_checkin_reminders(*, tz: str, today: dt.date | None = None) -> int:
    """Remind people whose working day (their roster's shift, else their unit's pattern) has
    begun with no check-in yet, unless an approved absence (leave, sick, official travel...)
    covers the day. WFH/WFA days still need a check-in."""
    actual_today = local_today(tz)
    today = today or actual_today
    zone = zoneinfo.ZoneInfo(tz)
    # A run for today reminds only those whose day has begun (not the night shift at 08:30);
    # a catch-up run for another date reminds everyone scheduled that day.
    now = timezone.now() if today == actual_today else None
    people = Employee.objects.filter(unit__in=units_in_time_zone(tz), is_active=True).select_related(
        "user", "unit").order_by("pk")
    sent = 0
    # In chunks: a zone can hold tens of thousands of people, more than one IN (...) may list.
    for start in range(0, people.count(), CHUNK):
        chunk = list(people[start:start + CHUNK])
        ids = [p.pk for p in chunk]
        # By employee, not by the punch's unit: a check-in made at another office still counts.
        checked_in = set(Punch.objects.filter(date=today, check_in_at__isnull=False, employee_id__in=ids)
                         .values_list("employee_id", flat=True))
        plan = scheduling.approved_plan_for(ids, today, today)
        schedules = Schedules(chunk, today, today)
        for person in chunk:
            if person.pk in checked_in or plan.get((person.pk, today)) in ABSENCE_KINDS:
                continue
            if not schedules.counts(person.pk, today):
                continue
            schedule = schedules.planned(person.pk, person.unit, today).schedule(today, zone)
            if schedule is None or (now is not None and schedule.start > now):
                continue
            sent += _remind(person, today) is not None
    return sent
