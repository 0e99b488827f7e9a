"""The default beat schedule (installed by attendance's migration 0002), its time zones,
HR editing it in the admin, and the retry policy of every task."""

import datetime as dt
import json
import zoneinfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.utils import IntegrityError, OperationalError
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from attendance.tasks import DEFAULTS
from attendance.tasks import install_default_schedule as install_defaults
from portal.celery import app
from portal.models import TimeZone
from tests.conftest import PASSWORD
from tests.factories import UserFactory

ZONES = TimeZone.values

OUR_APPS = ("portal.", "scheduling.", "attendance.")
DIGEST_WITA = "Ringkasan pagi pengajuan menunggu (WITA)"
DIGEST_WIB = "Ringkasan pagi pengajuan menunggu (WIB)"


@pytest.fixture(scope="module")
def registry():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every tasks.py
    return app.tasks


def our_tasks(registry):
    return {name: task for name, task in registry.items() if name.startswith(OUR_APPS)}


def next_run(task: PeriodicTask, now: dt.datetime) -> dt.datetime:
    schedule = task.crontab.schedule
    return now + schedule.remaining_estimate(now)


def test_it_installs_the_defaults_by_migration_and_only_once(db):
    expected = sum(len(ZONES) if per_zone else 1 for *_rest, per_zone in DEFAULTS)
    assert PeriodicTask.objects.count() == expected
    assert install_defaults(PeriodicTask, CrontabSchedule, IntervalSchedule) == 0
    assert PeriodicTask.objects.count() == expected


def test_it_schedules_only_registered_tasks(db, registry):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert names, "the migration installed no schedule"
    assert names <= set(registry), names - set(registry)


def test_it_gives_each_zone_its_own_row_time_zone_and_kwarg(db):
    per_zone = [task for _name, task, _when, _kw, per_zone in DEFAULTS if per_zone]
    for task in per_zone:
        rows = PeriodicTask.objects.filter(task=task).select_related("crontab")
        got = {(str(r.crontab.timezone), json.loads(r.kwargs)["tz"]) for r in rows}
        assert got == {(z, z) for z in ZONES}, task


@pytest.mark.now(dt.datetime(2026, 12, 8, 0, 30, tzinfo=dt.UTC), tick=False)  # Tue 08:30 WITA
def test_it_runs_the_wita_digest_at_seven_wita(db):
    now = dt.datetime.now(dt.UTC)
    wita = next_run(PeriodicTask.objects.get(name=DIGEST_WITA), now)
    assert wita == dt.datetime(2026, 12, 9, 7, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Makassar"))
    assert wita.astimezone(dt.UTC) == dt.datetime(2026, 12, 8, 23, 0, tzinfo=dt.UTC)
    wib = next_run(PeriodicTask.objects.get(name=DIGEST_WIB), now)
    assert wib.astimezone(dt.UTC) == dt.datetime(2026, 12, 9, 0, 0, tzinfo=dt.UTC)


@pytest.mark.now(dt.datetime(2026, 12, 11, 23, 0, tzinfo=dt.UTC), tick=False)  # Sat 07:00 WITA
def test_it_skips_the_weekend_for_the_digest(db):
    now = dt.datetime.now(dt.UTC)
    wita = next_run(PeriodicTask.objects.get(name=DIGEST_WITA), now)
    assert wita.astimezone(dt.UTC) == dt.datetime(2026, 12, 13, 23, 0, tzinfo=dt.UTC)  # Mon 07:00 WITA


@pytest.mark.now(dt.datetime(2026, 12, 8, 23, 0, 30, tzinfo=dt.UTC), tick=False)
def test_it_lets_the_database_scheduler_load_the_wita_digest_at_its_hour(db):
    scheduler = DatabaseScheduler(app=app, lazy=True)
    names = set(scheduler.enabled_models_qs().values_list("name", flat=True))
    assert DIGEST_WITA in names
    task = PeriodicTask.objects.get(name=DIGEST_WITA)
    due, _next = task.crontab.schedule.is_due(dt.datetime(2026, 12, 7, 23, 0, tzinfo=dt.UTC))
    assert due


def test_it_registers_the_beat_models_in_the_admin():
    assert PeriodicTask in admin.site._registry
    assert CrontabSchedule in admin.site._registry


def test_it_lets_hr_with_the_permission_move_the_digest_hour(client, hr):
    hr.is_staff = True
    hr.save(update_fields=["is_staff"])
    hr.user_permissions.add(*Permission.objects.filter(content_type__app_label="django_celery_beat"))
    client.login(username=hr.username, password=PASSWORD)
    task = PeriodicTask.objects.get(name=DIGEST_WITA)
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    later, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="7", day_of_week="1-5", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Makassar")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update(name=task.name, task=task.task, regtask=task.task, kwargs=task.kwargs, args="[]",
                crontab=later.pk, enabled="on", headers="{}", priority="", expire_seconds="")
    data.pop("interval", None)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.crontab_id == later.pk


def test_it_keeps_a_staff_account_without_the_permission_out(client, db):
    user = UserFactory(username="staf_biasa", is_staff=True)
    client.login(username=user.username, password=PASSWORD)
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403


def test_it_retries_only_transient_database_errors_with_backoff(registry):
    tasks = our_tasks(registry)
    assert {"portal.deliver_notification", "portal.sweep_outbox", "scheduling.pending_digest",
            "scheduling.remind_upcoming", "scheduling.escalate_pending", "scheduling.expire_pending",
            "attendance.refresh_staffing", "attendance.compute_staffing_window",
            "attendance.missing_checkin_reminder"} <= set(tasks)
    for name in ("portal.deliver_notification", "portal.sweep_outbox", "scheduling.pending_digest",
                 "scheduling.remind_upcoming", "scheduling.escalate_pending", "scheduling.expire_pending",
                 "attendance.refresh_staffing", "attendance.compute_staffing_window",
                 "attendance.missing_checkin_reminder"):
        task = tasks[name]
        assert tuple(task.autoretry_for) == (OperationalError,), name
        assert not issubclass(IntegrityError, tuple(task.autoretry_for)), name  # a bug is not retried
        assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (True, 300, 5), name
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit, name
