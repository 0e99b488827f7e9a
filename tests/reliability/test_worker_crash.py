"""Drills: a real worker killed with SIGKILL mid-job, then restarted; the database cut mid-batch.

The promises (docs/reliability.md): no export job stays pending or running for ever (it finishes
or fails with a message the user sees), and each notification is delivered once, whatever dies.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

import pytest
from django.db import connection

from attendance.models import ExportJob, ExportStatus
from attendance.services import export_jobs
from portal.celery import app as celery_app
from portal.models import EmailState, Notification
from portal.services import notify
from tests.factories import EmployeeFactory
from tests.reliability.mailrecorder import sent_subjects
from tests.workers import eager, running_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


def _wait(condition, what: str, seconds: float = 60, worker=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s" + (f"; worker log:\n{worker.log()[-3000:]}" if worker else ""))


# --- An export whose worker is killed -----------------------------------------------------------


@pytest.fixture
def big_unit(dinkes, bidang_p2p, kabid, hr):
    """Enough people that recomputing a month of statuses keeps the worker busy for a while."""
    EmployeeFactory.create_batch(600, unit=bidang_p2p, supervisor=kabid)
    return hr


def test_it_finishes_an_export_whose_worker_was_killed(big_unit, dinkes, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    hr = big_unit
    with running_worker(tmp_path, MEDIA_ROOT=str(tmp_path / "media")) as worker, eager(False):
        end = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        job = export_jobs.export_job_create(actor=hr, report="daily", unit_id=dinkes.pk, format="csv",
                                            start=end - dt.timedelta(days=180), end=end)
        _wait(lambda: ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING, "the job did not start",
              worker=worker)
        time.sleep(1.0)  # well inside the work
        worker.kill()
        killed = ExportJob.objects.get(pk=job.pk)
        assert killed.status == ExportStatus.RUNNING and killed.attempts == 1  # what a user would see stuck
        worker.start()
        monkeypatch.setattr(export_jobs, "HEARTBEAT_TIMEOUT", dt.timedelta(seconds=2))
        time.sleep(3)  # the dead worker's heartbeat is now older than the timeout
        swept = export_jobs.export_jobs_sweep()
        assert swept["restarted"] == 1, swept
        _wait(lambda: ExportJob.objects.get(pk=job.pk).status in (ExportStatus.DONE, ExportStatus.FAILED),
              "the restarted job did not end", seconds=120, worker=worker)
    done = ExportJob.objects.get(pk=job.pk)
    print("\nexport drill:", json.dumps({"status": done.status, "attempts": done.attempts, "rows": done.rows}))
    assert (done.status, done.attempts, done.error) == (ExportStatus.DONE, 2, "")
    assert done.rows > 0 and done.file


# --- Notifications whose worker is killed, or whose database connection is cut --------------------


def _pending_notes(recipient, count: int, prefix: str) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(recipient=recipient, key=f"{prefix}:{i}", kind="drill",
                     params={"subject": f"{prefix}-{i:03d}", "body": "Isi."}) for i in range(count))


@pytest.fixture
def mailbox(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def _mail_env(mailbox, delay: float) -> dict[str, str]:
    return {"EMAIL_BACKEND": "tests.reliability.mailrecorder.EmailBackend", "DRILL_MAIL_DIR": str(mailbox),
            "DRILL_MAIL_DELAY": str(delay), "EMAIL_TIMEOUT": "5"}


def test_it_delivers_each_notification_once_across_a_killed_worker(ani, mailbox, tmp_path):
    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    notes = _pending_notes(ani.user, 60, "kill")
    with running_worker(tmp_path, **_mail_env(mailbox, 0.05)) as worker, eager(False):
        celery_app.send_task("portal.sweep_outbox")
        _wait(lambda: len(sent_subjects(mailbox)) >= 20, "the batch did not start", worker=worker)
        worker.kill()
        in_flight = Notification.objects.filter(email_state=EmailState.SENDING).count()
        worker.start()
        # Time passes beyond the claim timeout (a couple of minutes): the dead worker's claim lapses.
        Notification.objects.filter(email_state=EmailState.SENDING).update(
            email_claimed_at=dt.datetime.now(dt.UTC) - notify.claim_timeout() - dt.timedelta(seconds=1))
        celery_app.send_task("portal.sweep_outbox")
        _wait(lambda: not Notification.objects.exclude(email_state=EmailState.SENT).exists(),
              "not every notification was sent", worker=worker)
    sent = Counter(sent_subjects(mailbox))
    duplicates = {subject: n for subject, n in sent.items() if n > 1}
    print("\nkill drill:", json.dumps({"notifications": len(notes), "emails": sum(sent.values()),
                                        "in_flight_at_kill": in_flight, "duplicates": len(duplicates)}))
    assert set(sent) == {n.params["subject"] for n in notes}
    # The one window left: a message the SMTP server accepted just before the process died.
    assert len(duplicates) <= in_flight <= 1


@pytest.mark.postgres
def test_it_sends_no_email_twice_when_the_database_cuts_the_workers_connections(ani, mailbox, tmp_path):
    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    notes = _pending_notes(ani.user, 80, "blip")
    with running_worker(tmp_path, **_mail_env(mailbox, 0.05)) as worker, eager(False):
        celery_app.send_task("portal.sweep_outbox")
        _wait(lambda: len(sent_subjects(mailbox)) >= 10, "the batch did not start", worker=worker)
        cuts = 0
        for _ in range(3):  # cut every connection but ours, three times during the batch
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                cuts += cursor.fetchone()[0]
            time.sleep(0.4)
        celery_app.send_task("portal.sweep_outbox")  # a later sweep, as beat would send
        _wait(lambda: not Notification.objects.exclude(email_state=EmailState.SENT).exists(),
              "not every notification was sent", seconds=90, worker=worker)
    sent = Counter(sent_subjects(mailbox))
    print("\nblip drill:", json.dumps({"notifications": len(notes), "emails": sum(sent.values()),
                                        "connections_cut": cuts,
                                        "duplicates": sum(1 for n in sent.values() if n > 1)}))
    assert set(sent) == {n.params["subject"] for n in notes}
    assert all(n == 1 for n in sent.values()), {s: n for s, n in sent.items() if n > 1}
