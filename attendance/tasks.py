"""Thin Celery tasks of attendance (ids and ISO dates in, one service call, safe to run twice),
and the default beat schedule of the whole portal.

The schedule lives here, in the top layer, because it names every app's tasks; a data migration
installs it (:func:`install_default_schedule`) and HR edits it afterwards in the admin
(django-celery-beat). Reminders run per time zone at that zone's local hour: a WITA unit's 07:00
digest goes out at 07:00 WITA because its crontab row carries the Asia/Makassar time zone.
"""

from __future__ import annotations

import datetime as dt
import json

from celery import shared_task
from django.utils import timezone

from attendance.services import closing, export_jobs, presence, recompute, staffing, tk_notices
from portal.jobs import enqueue_on_commit
from portal.models import TimeZone
from portal.models.org import TZ_ABBREVIATION
from portal.tasks import RETRY_TRANSIENT


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- Staffing -----------------------------------------------------------------------------


@shared_task(name="attendance.refresh_staffing", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def refresh_staffing() -> int:
    """Recompute the unit-days whose plans changed (coalesced after decisions)."""
    return staffing.refresh_changed()


@shared_task(name="attendance.compute_staffing_window", time_limit=1800, soft_time_limit=1750,
             **RETRY_TRANSIENT)
def compute_staffing_window(today: str | None = None) -> int:
    """Nightly: the past 28 and the next 28 days for every unit, then early warnings."""
    from attendance.services import warnings

    day = _day(today) or timezone.localdate()
    written = staffing.compute_window(day)
    warnings.send_early_warnings(today=day)
    return written


@shared_task(name="attendance.missing_checkin_reminder", time_limit=600, soft_time_limit=580,
             **RETRY_TRANSIENT)
def missing_checkin_reminder(tz: str = TimeZone.WIB, today: str | None = None) -> int:
    from attendance.services import reminders

    return reminders.send_missing_checkin_reminders(tz=tz, today=_day(today))


# --- Day statuses ---------------------------------------------------------------------------


@shared_task(name="attendance.recompute_institution", time_limit=1800, soft_time_limit=1750, **RETRY_TRANSIENT)
def recompute_institution(institution_id: int | None, start: str, end: str, unit_id: int | None = None) -> int:
    """Recompute one institution (None = all), or one unit's subtree, over [start, end]; safe to
    run twice."""
    return recompute.recompute_institution(institution_id, dt.date.fromisoformat(start),
                                           dt.date.fromisoformat(end), unit_id=unit_id)


@shared_task(name="attendance.recompute_employees", time_limit=600, soft_time_limit=580, **RETRY_TRANSIENT)
def recompute_employees(employee_ids: list[int], start: str, end: str) -> int:
    return recompute.recompute_employees(employee_ids, dt.date.fromisoformat(start), dt.date.fromisoformat(end))


@shared_task(name="attendance.derive_due_statuses", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def derive_due_statuses() -> int:
    """The day statuses of the punches tapped since the last run, in batches (coalesced after
    check-ins and check-outs; every minute from beat too, for whatever a lost message left)."""
    return presence.derive_due_statuses()


@shared_task(name="attendance.recompute_day", time_limit=60, soft_time_limit=55, **RETRY_TRANSIENT)
def recompute_day(employee_id: int, day: str) -> int:
    """One person-day after a check-in or check-out (coalesced per person-day); safe to run twice."""
    return recompute.recompute_employees([employee_id], dt.date.fromisoformat(day), dt.date.fromisoformat(day))


@shared_task(name="attendance.recompute_recent", time_limit=600, soft_time_limit=580, **RETRY_TRANSIENT)
def recompute_recent(today: str | None = None, days: int = recompute.NIGHTLY_DAYS) -> int:
    """Nightly: plan the last 35 days of every institution as batches of employees and enqueue
    them (ended days become TK / PSW4); the last batch to finish triggers the PP 94/2021
    thresholds check. Returns the number of batches."""
    return recompute.recompute_recent(today=_day(today), days=days)


@shared_task(name="attendance.recompute_nightly_batch", time_limit=900, soft_time_limit=870, **RETRY_TRANSIENT)
def recompute_nightly_batch(batch_id: int) -> int:
    """One batch of the nightly pass (5,000 employees × 35 days: well under a minute); safe to run twice."""
    return recompute.nightly_batch_run(batch_id)


@shared_task(name="attendance.nightly_tk_check", time_limit=1800, soft_time_limit=1750, **RETRY_TRANSIENT)
def nightly_tk_check(run_id: int) -> int:
    """Once per night, after its last batch: the PP 94/2021 TK thresholds crossed."""
    day = recompute.nightly_tk_claim(run_id)
    return tk_notices.check_tk_thresholds(today=day) if day else 0


@shared_task(name="attendance.sweep_nightly", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def sweep_nightly() -> dict:
    """Nightly batches lost (a broker outage) or whose worker died are sent again."""
    return recompute.nightly_sweep()


@shared_task(name="attendance.close_month", time_limit=3600, soft_time_limit=3550, **RETRY_TRANSIENT)
def close_month(closure_id: int) -> int:
    """The final recompute of a month being closed, then the freeze; then the TK thresholds."""
    written = closing.close_month_run(closure_id)
    tk_notices.check_tk_thresholds()
    return written


@shared_task(name="attendance.sweep_closings", time_limit=300, soft_time_limit=280)
def sweep_closings() -> int:
    """Closings requested and never finished are run again (a lost message, a dead worker)."""
    return closing.closings_sweep()


# --- Exports --------------------------------------------------------------------------------


@shared_task(name="attendance.run_export", time_limit=3600, soft_time_limit=3540)
def run_export(job_id: int) -> str:
    """Write one export file; a soft time limit ends the job as failed, never half-done."""
    return export_jobs.export_job_run(job_id=job_id)


@shared_task(name="attendance.prepare_report", time_limit=1800, soft_time_limit=1750, **RETRY_TRANSIENT)
def prepare_report(user_id: int, params: dict) -> int:
    """Make a report's day statuses fresh, so its page can show the whole table."""
    return export_jobs.report_prepare_run(user_id=user_id, params=params)


@shared_task(name="attendance.sweep_exports", time_limit=300, soft_time_limit=280, **RETRY_TRANSIENT)
def sweep_exports() -> dict:
    """Every minute: no export job stays pending or running for ever (see export_jobs_sweep)."""
    return export_jobs.export_jobs_sweep()


@shared_task(name="attendance.purge_exports", time_limit=600, soft_time_limit=580)
def purge_exports() -> int:
    """Delete export files past their 24-hour expiry."""
    return export_jobs.export_jobs_purge_expired()


# --- Receivers of what portal and scheduling announce (registered in AttendanceConfig.ready) ---


def recompute_after_calendar_change(*, institution_id: int | None, start: dt.date, end: dt.date,
                                    unit_id: int | None = None) -> None:
    """A holiday, a working pattern or a Ramadan period changed: recompute those days (of the
    unit's subtree, or the institution) after commit."""
    recompute.enqueue_recompute(institution_id=institution_id, start=start, end=end, unit_id=unit_id)


def recompute_after_records_change(*, employee_ids, start: dt.date, end: dt.date) -> None:
    """Someone's records window changed (TMT, end date, go-live): their days from ``start``."""
    from attendance.services.recap_freshness import recap_freshness_invalidate

    recap_freshness_invalidate(start=start, employee_ids=employee_ids)  # not final until recomputed
    enqueue_on_commit("attendance.recompute_employees", kwargs={
        "employee_ids": sorted(employee_ids), "start": start.isoformat(), "end": end.isoformat()})


def refresh_staffing_after_people_change(*, unit_ids) -> None:
    """Staff joined, left or moved: mark the units (in the caller's transaction) for the refresh."""
    staffing.units_mark_changed(unit_ids)
    enqueue_on_commit("attendance.refresh_staffing", coalesce_key="staffing-refresh", countdown=2)


def refresh_staffing_after_plan_change(*, pairs) -> None:
    """Plans changed on some unit-days (already marked): one coalesced staffing refresh."""
    enqueue_on_commit("attendance.refresh_staffing", coalesce_key="staffing-refresh", countdown=2)


# --- The default beat schedule ----------------------------------------------------------------

# (name, task, crontab (minute, hour, day_of_week) or interval seconds, kwargs, per-zone?)
DEFAULTS = [
    ("Kirim email notifikasi tertunda", "portal.sweep_outbox", 60, {}, False),
    # Also installed by portal's migration 0007 (by name; whichever runs first).
    ("Titik periksa rantai audit", "portal.audit_checkpoint", ("50", "23", "*"), {}, False),
    ("Perbarui tingkat kehadiran yang berubah", "attendance.refresh_staffing", 60, {}, False),
    ("Turunkan status presensi yang tertunda", "attendance.derive_due_statuses", 60, {}, False),
    ("Hitung kehadiran 28 hari & peringatan dini", "attendance.compute_staffing_window", ("0", "1", "*"), {}, False),
    ("Kedaluwarsakan pengajuan yang lewat", "scheduling.expire_pending", ("15", "0", "*"), {}, False),
    ("Ringkasan pagi pengajuan menunggu", "scheduling.pending_digest", ("0", "7", "1-5"), {}, True),
    ("Eskalasi pengajuan belum diputus", "scheduling.escalate_pending", ("0", "10", "1-5"), {}, True),
    ("Pengingat hari WFH/WFA besok", "scheduling.remind_upcoming", ("0", "15", "1-5"), {}, True),
    # Every day: six-day units and shift rosters work on weekends; the task asks each person's schedule.
    ("Pengingat belum presensi masuk", "attendance.missing_checkin_reminder", ("30", "8", "*"), {}, True),
    ("Hapus berkas ekspor kedaluwarsa", "attendance.purge_exports", ("5", "*", "*"), {}, False),
    ("Pulihkan ekspor yang terhenti", "attendance.sweep_exports", 60, {}, False),
    ("Pulihkan tutup buku yang terhenti", "attendance.sweep_closings", 300, {}, False),
    ("Hitung ulang status presensi 35 hari", "attendance.recompute_recent", ("30", "1", "*"), {}, False),
    ("Pulihkan hitung ulang malam yang terhenti", "attendance.sweep_nightly", 300, {}, False),
]


def install_default_schedule(PeriodicTask, CrontabSchedule, IntervalSchedule) -> int:
    """Create the default rows that do not exist yet (by name). Returns how many were made."""
    made = 0
    for name, task, when, kwargs, per_zone in DEFAULTS:
        for zone in (TimeZone.values if per_zone else (TimeZone.WIB,)):
            full_name = f"{name} ({TZ_ABBREVIATION[zone]})" if per_zone else name
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
