"""A real Celery worker process on the real broker: what eager tests cannot show.

The worker is a subprocess (``celery -A portal worker --pool=solo``) on the same database
and broker as this test process: SQLite file + filesystem broker in a temporary folder on
the embedded default, the test PostgreSQL database + Redis in CI's second run. This test
process publishes for real (eager off), the worker consumes, and the test reads the outcome
from the database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from attendance.models import StaffingSnapshot
from portal.celery import app as celery_app
from portal.models import EmailState, Notification
from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind
from tests.factories import EmployeeFactory
from tests.workers import eager, running_worker

# The worker subprocess runs on the real clock, so this process must too (tests/plugins/clock.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

COALESCE_KEY = "coalesce:staffing-refresh"  # scheduling's refresh, see portal.jobs.enqueue_on_commit


@pytest.fixture
def worker(transactional_db, tmp_path):
    with running_worker(tmp_path) as started:
        yield started


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


def test_it_derives_a_check_ins_day_status_on_the_worker(worker, ani):
    from attendance.models import DayStatus, Punch
    from attendance.services.presence import punch_check_in

    cache.delete("coalesce:day-status-due")  # an earlier test's check-in may still hold the window open
    with eager(False):
        punch, created = punch_check_in(actor=ani.user)
    assert created and Punch.objects.filter(pk=punch.pk, status_due_at__isnull=False).exists()

    def derived() -> bool:
        return (DayStatus.objects.filter(employee=ani, date=punch.date).exists()
                and Punch.objects.filter(pk=punch.pk, status_due_at__isnull=True).exists())

    worker.wait_for(derived, "the worker did not derive the day status of the check-in")
