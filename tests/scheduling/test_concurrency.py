"""Racing approvals with real threads, each on its own database connection.

Twenty people of one unit ask for WFH on the same day; with at least 70% in the office
only six may go. Several supervisors' clicks race to approve all twenty in different
orders: exactly six must end approved, each with one audit event, every time.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import connections

from portal.models import AuditEvent
from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status
from tests.factories import EmployeeFactory, UnitFactory

HEADCOUNT = 20
SHARE = 70
REQUIRED = 14  # 70% of 20
MAY_GO = HEADCOUNT - REQUIRED


@pytest.fixture
def crowd():
    """An institution whose head supervises a bidang of 20, none of them heads of anything."""
    root = UnitFactory(name="Pemkot Uji")
    unit = UnitFactory(parent=root, name="Bidang Uji")
    CoveragePolicy.objects.create(unit=root, effective_from=dt.date(2020, 1, 1), min_office_share=SHARE,
                                  weekly_cap=5)
    boss = EmployeeFactory(unit=root, name="Kepala")
    staff = [EmployeeFactory(unit=unit, supervisor=boss) for _ in range(HEADCOUNT)]
    return unit, boss, staff


def future_days(unit, count: int) -> list[dt.date]:
    """``count`` working days, a week apart, starting two weeks from today."""
    start = unit.local_today() + dt.timedelta(days=14)
    days = workcalendar.working_days(unit, start, start + dt.timedelta(days=7 * count + 14))
    picked = []
    for d in days:
        if not picked or (d - picked[-1]).days >= 7:
            picked.append(d)
    return picked[:count]


def run_threads(target, args_per_thread: list[tuple]) -> list[BaseException]:
    """Start every thread at once (barrier), wait for all, return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_per_thread))

    def body(*args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except BaseException as exc:  # reported to the main thread, which fails the test
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=body, args=args) for args in args_per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def approve_all(user, day_ids: list[int]) -> None:
    for day_id in day_ids:
        try:
            services.request_day_approve(actor=user, day_id=day_id)
        except services.DecisionBlocked:
            pass  # the unit is full: expected for all but six


def race_for_one_day(crowd, day: dt.date, threads: int) -> None:
    unit, boss, staff = crowd
    ids = [services.request_submit(actor=p.user, kind=Kind.WFH, dates=[day]).days[0].pk for p in staff]
    orders = [random.sample(ids, len(ids)) for _ in range(threads)]
    errors = run_threads(approve_all, [(boss.user, order) for order in orders])
    assert errors == []
    approved = list(RequestDay.objects.filter(pk__in=ids, status=Status.APPROVED).values_list("pk", flat=True))
    assert len(approved) == MAY_GO
    assert RequestDay.objects.filter(pk__in=ids, status=Status.PENDING).count() == HEADCOUNT - MAY_GO
    events = AuditEvent.objects.filter(verb="request_day.approved", object_id__in=[str(i) for i in ids])
    assert sorted(int(e) for e in events.values_list("object_id", flat=True)) == sorted(approved)


def race_same_item(crowd, day: dt.date, threads: int) -> None:
    unit, boss, staff = crowd
    (item,) = services.request_submit(actor=staff[0].user, kind=Kind.WFH, dates=[day]).days
    decisions = []

    def approve(user):
        decisions.append(services.request_day_approve(actor=user, day_id=item.pk).changed)

    assert run_threads(approve, [(boss.user,)] * threads) == []
    assert sorted(decisions) == [False] * (threads - 1) + [True]
    assert AuditEvent.objects.filter(verb="request_day.approved", object_id=str(item.pk)).count() == 1
    assert RequestDay.objects.get(pk=item.pk).status == Status.APPROVED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_never_approves_past_the_minimum_under_racing_threads(crowd):
    for day in future_days(crowd[0], 5):
        race_for_one_day(crowd, day, threads=8)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_approves_an_item_clicked_twice_at_once_only_once(crowd):
    for day in future_days(crowd[0], 5):
        race_same_item(crowd, day, threads=2)


@pytest.mark.django_db(transaction=True)
def test_it_serializes_racing_approvals_on_any_engine(crowd):
    # On SQLite, IMMEDIATE transactions serialize writers; fewer threads keep it quick.
    (first, second) = future_days(crowd[0], 2)
    race_for_one_day(crowd, first, threads=3)
    race_same_item(crowd, second, threads=3)
