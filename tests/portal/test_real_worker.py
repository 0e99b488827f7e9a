"""A real Celery worker process on the real broker: what eager tests cannot show.

The worker is a subprocess (``celery -A portal worker --pool=solo``) on the same database
and broker as this test process: SQLite file + filesystem broker in a temporary folder on
the embedded default, the test PostgreSQL database + Redis in CI's second run. This test
process publishes for real (eager off), the worker consumes, and the test reads the outcome
from the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import pools as kombu_pools

from attendance.models import StaffingSnapshot
from portal.celery import app as celery_app
from portal.models import EmailState, Notification
from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind
from tests.factories import EmployeeFactory

# The worker subprocess runs on the real clock, so this process must too (tests/plugins/clock.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

WAIT_SECONDS = 40
COALESCE_KEY = "coalesce:staffing-refresh"  # scheduling's refresh, see portal.jobs.enqueue_on_commit


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def _reset_producer_pools() -> None:
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def _shared_broker(var_dir: Path):
    """Point this process's producer at the broker the worker will read.

    The filesystem transport's folders come from settings under PORTAL_VAR_DIR: both
    processes use the same temporary one, so no stale message from elsewhere is read.
    """
    conf = celery_app.conf
    saved = dict(conf.broker_transport_options or {})
    if conf.broker_url.startswith("filesystem"):
        folders = {name: var_dir / "broker" / name for name in ("in", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        conf.broker_transport_options = {"data_folder_in": str(folders["in"]), "data_folder_out": str(folders["in"]),
                                         "processed_folder": str(folders["processed"]),
                                         "control_folder": str(folders["control"]), "store_processed": False}
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_transport_options = saved
        _reset_producer_pools()


def _purge_default_queue() -> None:
    """Redis in CI is the tests' own database; drop what an earlier run may have left there."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@contextlib.contextmanager
def eager(enabled: bool):
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = enabled
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log_path = process, log

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, condition, what: str):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, f"the worker exited early:\n{self.log()[-4000:]}"
            time.sleep(0.25)
        pytest.fail(f"{what} within {WAIT_SECONDS} s; worker log:\n{self.log()[-4000:]}")


@pytest.fixture
def worker(transactional_db, tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CELERY_TASK_ALWAYS_EAGER": "0",
           "DATABASE_URL": _database_url(), "PORTAL_VAR_DIR": str(var_dir), "EMAIL_URL": "consolemail://",
           "PORTAL_ALLOW_DEV_SECRET": "1", "PYTHONPATH": str(settings.BASE_DIR), "PYTHONUNBUFFERED": "1"}
    if not celery_app.conf.broker_url.startswith("filesystem"):
        env["CELERY_BROKER_URL"] = celery_app.conf.broker_url
    celery = Path(sys.executable).parent / "celery"
    command = [str(celery), "-A", "portal", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery",
               "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    log = tmp_path / "worker.log"
    with _shared_broker(var_dir):
        if not celery_app.conf.broker_url.startswith("filesystem"):
            _purge_default_queue()
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out,
                                       stderr=subprocess.STDOUT)
        try:
            yield Worker(process, log)
        finally:
            # The test has read what it needed; a clean shutdown would cost seconds per test.
            process.terminate()
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_it_delivers_a_notification_on_a_real_worker(worker, ani):
    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    note = Notification.objects.create(recipient=ani.user, key="worker:1", kind="test",
                                       params={"subject": "Uji pekerja nyata", "body": "Isi pesan."})
    with eager(False):
        celery_app.send_task("portal.deliver_notification", args=[note.pk])

    def sent() -> bool:
        note.refresh_from_db()
        return note.email_state == EmailState.SENT

    worker.wait_for(sent, "the notification was not sent")
    assert note.email_attempts == 1 and note.email_sent_at is not None
    assert "Uji pekerja nyata" in worker.log()  # the console backend wrote it in the worker


def _working_day(unit) -> dt.date:
    start = unit.local_today() + dt.timedelta(days=14)
    return workcalendar.working_days(unit, start, start + dt.timedelta(days=30))[0]


def test_it_recomputes_staffing_on_the_worker_after_an_approval(worker, bidang_p2p, kabid, ani, budi):
    for _ in range(2):
        EmployeeFactory(unit=bidang_p2p, supervisor=kabid)
    CoveragePolicy.objects.create(unit=bidang_p2p.parent, effective_from=dt.date(2020, 1, 1), min_office_share=60)
    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    day = _working_day(bidang_p2p)
    cache.delete(COALESCE_KEY)  # an earlier test's refresh may still hold the window open
    (pending,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[day]).days  # eager: inline
    before = StaffingSnapshot.objects.get(unit=bidang_p2p, date=day)
    assert (before.pending, before.wfh) == (1, 0)
    cache.delete(COALESCE_KEY)  # the inline refresh above opened a coalescing window

    with eager(False):
        services.request_day_approve(actor=kabid.user, day_id=pending.pk)

    def refreshed() -> bool:
        snapshot = StaffingSnapshot.objects.filter(unit=bidang_p2p, date=day).first()
        return snapshot is not None and snapshot.wfh == 1 and snapshot.pending == 0

    worker.wait_for(refreshed, "the worker did not recompute the unit-day")
    snapshot = StaffingSnapshot.objects.get(unit=bidang_p2p, date=day)
    assert (snapshot.headcount, snapshot.in_office, snapshot.minimum) == (5, 4, 3)
    assert snapshot.computed_at > before.computed_at
    note = Notification.objects.get(recipient=ani.user, kind="request.approved")
    worker.wait_for(lambda: Notification.objects.filter(pk=note.pk, email_state=EmailState.SENT).exists(),
                    "the approval's email was not sent by the worker")
