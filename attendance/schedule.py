"""The default beat schedule. HR edits it afterwards in the admin (django-celery-beat).

Reminders run per time zone at that zone's local hour: a WITA unit's 07:00 digest goes out
at 07:00 WITA because its crontab row carries the Asia/Makassar time zone.
"""

from __future__ import annotations

import json

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
ZONE_LABEL = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

# (name, task, crontab (minute, hour, day_of_week) or interval seconds, kwargs, per-zone?)
DEFAULTS = [
    ("Kirim email notifikasi tertunda", "portal.sweep_outbox", 60, {}, False),
    ("Perbarui tingkat kehadiran yang berubah", "attendance.refresh_staffing", 60, {}, False),
    ("Hitung kehadiran 28 hari & peringatan dini", "attendance.compute_staffing_window", ("0", "1", "*"), {}, False),
    ("Kedaluwarsakan pengajuan yang lewat", "scheduling.expire_pending", ("15", "0", "*"), {}, False),
    ("Ringkasan pagi pengajuan menunggu", "scheduling.pending_digest", ("0", "7", "1-5"), {}, True),
    ("Eskalasi pengajuan belum diputus", "scheduling.escalate_pending", ("0", "10", "1-5"), {}, True),
    ("Pengingat hari WFH/WFA besok", "scheduling.remind_upcoming", ("0", "15", "1-5"), {}, True),
    ("Pengingat belum presensi masuk", "attendance.missing_checkin_reminder", ("30", "8", "1-6"), {}, True),
    ("Hapus berkas ekspor kedaluwarsa", "attendance.purge_exports", ("5", "*", "*"), {}, False),
    ("Hitung ulang status presensi 35 hari", "attendance.recompute_recent", ("30", "1", "*"), {}, False),
]


def install_defaults(PeriodicTask, CrontabSchedule, IntervalSchedule) -> int:
    """Create the default rows that do not exist yet (by name). Returns how many were made."""
    made = 0
    for name, task, when, kwargs, per_zone in DEFAULTS:
        for zone in (ZONES if per_zone else ("Asia/Jakarta",)):
            full_name = f"{name} ({ZONE_LABEL[zone]})" if per_zone else name
            if PeriodicTask.objects.filter(name=full_name).exists():
                continue
            task_kwargs = {**kwargs, "tz": zone} if per_zone else kwargs
            schedule = {}
            if isinstance(when, int):
                schedule["interval"], _ = IntervalSchedule.objects.get_or_create(every=when, period="seconds")
            else:
                minute, hour, dow = when
                schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                    minute=minute, hour=hour, day_of_week=dow, day_of_month="*", month_of_year="*", timezone=zone)
            PeriodicTask.objects.create(name=full_name, task=task, kwargs=json.dumps(task_kwargs), **schedule)
            made += 1
    return made
