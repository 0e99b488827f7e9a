"""The nightly day-status pass fanned out into batches that several workers share: the same rows
as one pass, a batch run twice changes nothing, an institution's recap freshness only after its
last batch, a lost batch sent again by the sweep, the TK thresholds checked once a night."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connections

import attendance.tasks  # noqa: F401 - registers the tasks by name, as a worker would
from attendance.models import DayStatus, NightlyBatch, NightlyRun, RecapFreshness
from attendance.services import recompute, tk_notices
from attendance.services.presence import punch_check_in, punch_check_out
from portal.celery import app
from tests.factories import EmployeeFactory

MONDAY = dt.date(2026, 12, 7)
NIGHT = dt.datetime(2026, 12, 8, 18, 30, tzinfo=dt.UTC)  # 01:30 WIB Wednesday 9 December
TODAY = dt.date(2026, 12, 9)
FIELDS = ["employee_id", "date", "code", "work_mode", "tl_level", "tl_minutes", "psw_level", "psw_minutes",
          "absence_kind", "missing_in", "missing_out", "deduction_percent", "unit_id", "note"]


@pytest.fixture
def people(pemkot, dinkes, bidang_p2p, upt, ani, budi, outsider):
    """Nine people over two institutions; Ani came late on Monday and left early."""
    extra = [EmployeeFactory(unit=unit) for unit in (pemkot, dinkes, upt, upt, bidang_p2p)]
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(7, 50), tzinfo=ani.unit.tzinfo), tick=False):
        punch_check_in(actor=ani.user)
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(15, 0), tzinfo=ani.unit.tzinfo), tick=False):
        punch_check_out(actor=ani.user)
    return [ani, budi, outsider, *extra]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(recompute, "NIGHTLY_BATCH", 2)


@pytest.fixture
def tk_checks(monkeypatch):
    calls = []
    real = tk_notices.check_tk_thresholds
    monkeypatch.setattr(tk_notices, "check_tk_thresholds", lambda **kw: calls.append(kw) or real(**kw))
    return calls


def rows() -> set[tuple]:
    return set(DayStatus.objects.values_list(*FIELDS))


def plan(capture) -> list:
    """Tonight's plan, its batch messages held back (as if no worker had picked them up yet)."""
    with time_machine.travel(NIGHT, tick=False), capture() as callbacks:
        assert recompute.recompute_recent() > 0
    return callbacks


def run_batch(pk: int) -> int:
    with time_machine.travel(NIGHT + dt.timedelta(minutes=5), tick=False):
        return recompute.nightly_batch_run(pk)


def test_the_batches_write_the_same_rows_as_one_pass(people, small_batches, pemkot, pemprov_lain,
                                                     django_capture_on_commit_callbacks, tk_checks):
    with time_machine.travel(NIGHT, tick=False):
        recompute.recompute_institution(None, TODAY - dt.timedelta(days=35), TODAY + dt.timedelta(days=1))
    single = rows()
    assert len(single) > 100 and "TL_PSW" in {r[2] for r in single}
    DayStatus.objects.all().delete()
    RecapFreshness.objects.all().delete()
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        app.tasks["attendance.recompute_recent"].delay()
    assert rows() == single
    batches = NightlyBatch.objects.all()
    assert batches.count() == 6 and not batches.filter(done_at=None).exists()  # pemkot 9 by 2, lain 1
    assert sum(b.rows for b in batches) == len(single)
    assert set(RecapFreshness.objects.values_list("unit_id", flat=True)) == {pemkot.pk, pemprov_lain.pk}
    assert len(tk_checks) == 1 and NightlyRun.objects.get().tk_checked_at is not None


def test_a_batch_run_twice_changes_nothing(people, small_batches, django_capture_on_commit_callbacks, tk_checks):
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        recompute.recompute_recent()
    before = set(DayStatus.objects.values_list(*FIELDS, "computed_at"))
    marks = set(RecapFreshness.objects.values_list("unit_id", "month", "through", "computed_at"))
    with django_capture_on_commit_callbacks(execute=True):
        for batch in NightlyBatch.objects.all():
            assert app.tasks["attendance.recompute_nightly_batch"].delay(batch.pk).get() == 0
        app.tasks["attendance.nightly_tk_check"].delay(NightlyRun.objects.get().pk)
    assert set(DayStatus.objects.values_list(*FIELDS, "computed_at")) == before
    assert set(RecapFreshness.objects.values_list("unit_id", "month", "through", "computed_at")) == marks
    assert len(tk_checks) == 1
    with time_machine.travel(NIGHT + dt.timedelta(hours=1), tick=False):
        assert recompute.recompute_recent() == 0  # a second beat the same night plans nothing


def test_freshness_waits_for_the_last_batch_of_its_institution(people, small_batches, pemkot, pemprov_lain,
                                                               django_capture_on_commit_callbacks, tk_checks):
    plan(django_capture_on_commit_callbacks)
    mine = list(NightlyBatch.objects.filter(institution=pemkot).order_by("pk"))
    for batch in mine[:-1]:
        with django_capture_on_commit_callbacks(execute=True):
            run_batch(batch.pk)
        assert not RecapFreshness.objects.filter(unit=pemkot).exists()
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(mine[-1].pk)
    assert set(RecapFreshness.objects.values_list("unit_id", flat=True)) == {pemkot.pk}
    assert tk_checks == [] and NightlyRun.objects.get().finished_at is None  # the other institution is pending
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(NightlyBatch.objects.get(institution=pemprov_lain).pk)
    assert RecapFreshness.objects.filter(unit=pemprov_lain).exists()
    assert len(tk_checks) == 1 and tk_checks[0]["today"] == TODAY


def test_the_sweep_sends_a_lost_batch_again(people, small_batches, pemkot, django_capture_on_commit_callbacks,
                                           tk_checks):
    plan(django_capture_on_commit_callbacks)  # every message lost: the broker was down
    lost, *others = NightlyBatch.objects.order_by("pk")
    for batch in others:
        with django_capture_on_commit_callbacks(execute=True):
            run_batch(batch.pk)
    with time_machine.travel(NIGHT + dt.timedelta(minutes=20), tick=False):
        assert recompute.nightly_sweep() == {"resent": 0, "tk_checks": 0}  # it may still be queued
    assert not RecapFreshness.objects.filter(unit=pemkot).exists() and tk_checks == []
    with time_machine.travel(NIGHT + dt.timedelta(minutes=31), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert recompute.nightly_sweep() == {"resent": 1, "tk_checks": 0}
    lost.refresh_from_db()
    assert lost.done_at is not None and lost.attempts == 1 and lost.rows > 0
    assert RecapFreshness.objects.filter(unit=pemkot).exists() and len(tk_checks) == 1
    with time_machine.travel(NIGHT + dt.timedelta(hours=2), tick=False):
        assert recompute.nightly_sweep() == {"resent": 0, "tk_checks": 0}


def test_the_sweep_restarts_a_batch_whose_worker_died(people, small_batches, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    plan(django_capture_on_commit_callbacks)
    busy, dead, *others = NightlyBatch.objects.order_by("pk")
    NightlyBatch.objects.filter(pk=busy.pk).update(started_at=NIGHT + dt.timedelta(minutes=35), attempts=1)
    NightlyBatch.objects.filter(pk=dead.pk).update(started_at=NIGHT + dt.timedelta(minutes=1), attempts=1)
    sent = []
    monkeypatch.setattr(recompute, "send_now", lambda name, args: sent.append(args[0]) or True)
    with time_machine.travel(NIGHT + dt.timedelta(minutes=40), tick=False):
        assert recompute.nightly_sweep()["resent"] == 1 + len(others)
    assert busy.pk not in sent and dead.pk in sent  # busy: running within its time limit
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(dead.pk)
    dead.refresh_from_db()
    assert dead.done_at is not None and dead.attempts == 2
    NightlyBatch.objects.filter(pk=dead.pk).update(done_at=None, attempts=recompute.NIGHTLY_MAX_ATTEMPTS)
    sent.clear()
    monkeypatch.setattr(recompute, "send_now", lambda name, args: sent.append(args[0]) or True)
    with time_machine.travel(NIGHT + dt.timedelta(hours=3), tick=False):
        recompute.nightly_sweep()
    assert dead.pk not in sent  # failed too often: the next night covers its days


def test_the_sweep_sends_a_lost_tk_check(people, django_capture_on_commit_callbacks, tk_checks):
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        recompute.recompute_recent()
    NightlyRun.objects.update(tk_checked_at=None)  # as if its message was lost
    tk_checks.clear()
    with time_machine.travel(NIGHT + dt.timedelta(hours=1), tick=False):
        assert recompute.nightly_sweep() == {"resent": 0, "tk_checks": 1}
    assert len(tk_checks) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_last_batches_finishing_at_once_mark_once(small_batches, monkeypatch, pemkot, dinkes, upt):
    """Real threads, each on its own connection: the run row lock orders the completions, so
    exactly one of them sees nothing pending and finishes the run."""
    for unit in (pemkot, dinkes, upt, upt):
        EmployeeFactory(unit=unit)
    finished = []
    monkeypatch.setattr(recompute, "_nightly_finish", lambda run: finished.append(run.pk))
    with time_machine.travel(NIGHT, tick=False):
        recompute.recompute_recent()  # no test transaction: committed; eager messages ran already
    NightlyBatch.objects.update(done_at=None, attempts=0)
    RecapFreshness.objects.all().delete()
    finished.clear()
    barrier = threading.Barrier(2)

    def finish(pk):
        try:
            barrier.wait(timeout=30)
            recompute._nightly_batch_done(NightlyBatch.objects.get(pk=pk), 1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(b.pk,)) for b in NightlyBatch.objects.all()]
    assert len(threads) == 2
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(finished) == 1 and not NightlyBatch.objects.filter(done_at=None).exists()
    assert RecapFreshness.objects.filter(unit=pemkot).exists()
