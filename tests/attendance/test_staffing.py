"""Daily staffing against a hand-computed week, refreshes after decisions, early warnings,
roll-ups and the task bodies.

The week of 21 December 2026: Mon 21, Tue 22 and Wed 23 are working days; Thu 24 is cuti
bersama (Natal) and Fri 25 is Natal, so the dataset has no row for them, nor for the weekend.
Bidang P2P has 10 active people (plus one deactivated) and a 70% policy: minimum ceil(7.0) = 7.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from celery.signals import task_prerun
from django.core.cache import cache
from django.db import connection

from attendance import tasks
from attendance.models import StaffingAlert, StaffingSnapshot
from attendance.selectors.staffing import staffing_rows
from attendance.services.staffing import compute_staffing, refresh_changed
from attendance.services.warnings import send_early_warnings
from portal.models import Notification
from scheduling import services
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status, UnitDay
from tests.factories import EmployeeFactory, pdf_upload

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB, three weeks before the week
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2026, 12, 21) + dt.timedelta(days=i) for i in range(7))

COLUMNS = ("date", "headcount", "in_office", "wfh", "wfa", "other_office", "cuti_ct", "sakit", "dinas_luar",
           "izin", "pending", "minimum", "status")
# Worked out by hand from the plan in `week` below.
#   Mon: WFH ani+budi, WFA e1, CT e2, SAKIT e3 approved (5 away); e4 WFH pending; e5 WFH rejected.
#   Tue: other office ani, DL e6 approved; e8's WFH approved but e8 is deactivated; budi WFA and
#        e1 WFH pending -> 8 in, and 8 - 2 pending < 7 puts it at risk.
#   Wed: WFH e7 approved.
EXPECTED = [
    (MON, 10, 5, 2, 1, 0, 1, 1, 0, 0, 1, 7, "below"),
    (TUE, 10, 8, 0, 0, 1, 0, 0, 1, 0, 2, 7, "at_risk"),
    (WED, 10, 9, 1, 0, 0, 0, 0, 0, 0, 0, 7, "ok"),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the coalescing key lives in the (process-wide) cache
    yield
    cache.clear()


def submit(person, kind, day, **extra):
    if kind == Kind.WFA:
        extra.setdefault("location", "Rumah orang tua, Bogor")
    if kind == Kind.DL:
        extra.setdefault("evidence", [pdf_upload("surat-tugas.pdf")])
    if kind == Kind.CM:
        extra.setdefault("child_order", 1)
    (item,) = services.request_submit(actor=person.user, kind=kind, dates=[day], **extra).days
    return item


@pytest.fixture
def week(bidang_p2p, dinkes, kadis, kabid, ani, budi):
    """Bidang P2P (head: kabid) with 10 active people and the plan described above."""
    bidang_p2p.head = kabid
    bidang_p2p.save(update_fields=["head"])
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), min_office_share=70)
    e = [None] + [EmployeeFactory(unit=bidang_p2p, supervisor=kabid, name=f"Pegawai E{i}") for i in range(1, 9)]
    # Everything is submitted before anything is approved, so no submission meets a full day.
    approve = [submit(ani, Kind.WFH, MON), submit(budi, Kind.WFH, MON), submit(e[1], Kind.WFA, MON),
               submit(e[2], Kind.CT, MON), submit(e[3], Kind.SAKIT, MON),
               submit(ani, Kind.OTHER_OFFICE, TUE, other_office=dinkes), submit(e[6], Kind.DL, TUE),
               submit(e[8], Kind.WFH, TUE), submit(e[7], Kind.WFH, WED)]
    pending = [submit(e[4], Kind.WFH, MON), submit(budi, Kind.WFA, TUE), submit(e[1], Kind.WFH, TUE)]
    rejected = submit(e[5], Kind.WFH, MON)
    for day in approve:
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    services.request_day_reject(actor=kabid.user, day_id=rejected.pk, reason="Rapat koordinasi.")
    e[8].is_active = False  # retired after approval: neither in headcount nor away
    e[8].save(update_fields=["is_active"])
    return SimpleNamespace(unit=bidang_p2p, e=e, kabid=kabid, ani=ani, budi=budi, pending=pending)


def table(unit, start=MON, end=SUN):
    return list(StaffingSnapshot.objects.filter(unit=unit, date__range=(start, end)).order_by("date")
                .values_list(*COLUMNS))


def dirty(unit):
    return set(UnitDay.objects.filter(unit=unit, changed_at__isnull=False).values_list("date", flat=True))


# --- The numbers -------------------------------------------------------------------------


def test_it_computes_the_hand_computed_week(week):
    compute_staffing(MON, SUN)
    assert table(week.unit) == EXPECTED


def test_it_writes_no_row_for_the_holidays_or_the_weekend(week):
    compute_staffing(MON, SUN)
    dates = set(StaffingSnapshot.objects.filter(date__range=(MON, SUN)).values_list("date", flat=True))
    assert dates == {MON, TUE, WED}
    assert not dates & {THU, FRI, SAT, SUN}


def test_it_counts_each_absence_kind_in_its_own_column(week):
    others = [EmployeeFactory(unit=week.unit, supervisor=week.kabid) for _ in range(3)]
    for person, kind in zip(others, [Kind.CM, Kind.DIKLAT, Kind.IZIN], strict=True):
        services.request_day_approve(actor=week.kabid.user, day_id=submit(person, kind, WED).pk)
    compute_staffing(WED, WED)
    snap = StaffingSnapshot.objects.get(unit=week.unit, date=WED)
    assert (snap.headcount, snap.cuti_cm, snap.diklat, snap.izin, snap.wfh, snap.in_office) == (13, 1, 1, 1, 1, 9)
    assert snap.minimum == 10  # ceil(13 * 0.7) = ceil(9.1)
    assert snap.status == "below"


def test_it_upserts_the_same_rows_when_run_twice(week):
    assert compute_staffing(MON, SUN) == compute_staffing(MON, SUN)
    first = list(StaffingSnapshot.objects.order_by("pk").values_list("pk", "unit_id", *COLUMNS))
    compute_staffing(MON, SUN)
    assert list(StaffingSnapshot.objects.order_by("pk").values_list("pk", "unit_id", *COLUMNS)) == first
    assert StaffingSnapshot.objects.filter(unit=week.unit).count() == 3


def test_it_replaces_a_stale_row_on_recompute(week):
    compute_staffing(MON, SUN)
    StaffingSnapshot.objects.filter(unit=week.unit, date=WED).update(in_office=0, status="below")
    compute_staffing(MON, SUN)
    assert table(week.unit) == EXPECTED


def test_it_follows_a_policy_version_and_a_weekday_share_within_the_range(week):
    """The minimum is merged once per unit and policy version: a row from Tuesday on (with its own
    Wednesday share) must still apply from Tuesday on, and the weekday share only on Wednesday."""
    CoveragePolicy.objects.create(unit=week.unit, effective_from=TUE, min_office_share=50,
                                  weekday_min_share={"2": 90})
    compute_staffing(MON, SUN)
    minimum = dict(StaffingSnapshot.objects.filter(unit=week.unit).values_list("date", "minimum"))
    assert minimum == {MON: 7, TUE: 5, WED: 9}  # ceil(10 × 70 %), ceil(10 × 50 %), ceil(10 × 90 %)


def test_its_status_in_sql_is_the_rule(week):
    """The upsert writes the status as a CASE; it must say what attendance.rules does."""
    from attendance.rules import staffing_status

    compute_staffing(MON, SUN)
    rows = StaffingSnapshot.objects.values_list("in_office", "minimum", "pending", "status")
    assert {status for *_n, status in rows} == {"below", "at_risk", "ok"}
    assert all(staffing_status(i, m, p) == status for i, m, p, status in rows)


# --- Refresh after decisions -----------------------------------------------------------


def test_it_refreshes_just_the_changed_unit_day_and_clears_its_flag(week):
    compute_staffing(MON, SUN)
    refresh_changed()  # the fixture's own changes
    assert dirty(week.unit) == set()
    StaffingSnapshot.objects.filter(unit=week.unit, date=TUE).update(in_office=99)  # a marker, not recomputed
    services.request_day_approve(actor=week.kabid.user, day_id=submit(week.e[2], Kind.WFH, WED).pk)
    assert dirty(week.unit) == {WED}

    assert refresh_changed() == 1

    assert dirty(week.unit) == set()
    wed = StaffingSnapshot.objects.get(unit=week.unit, date=WED)
    assert (wed.wfh, wed.in_office, wed.status) == (2, 8, "ok")
    assert StaffingSnapshot.objects.get(unit=week.unit, date=TUE).in_office == 99


def test_it_keeps_the_flag_of_a_unit_day_changed_during_the_refresh(week):
    compute_staffing(MON, SUN)
    refresh_changed()
    services.request_day_approve(actor=week.kabid.user, day_id=submit(week.e[2], Kind.WFH, WED).pk)
    bumped = []

    def concurrent_change(execute, sql, params, many, context):
        # Another decision commits while the snapshot upsert runs: bump the unit-day once.
        result = execute(sql, params, many, context)
        if not bumped and sql.lstrip().upper().startswith('INSERT INTO "ATTENDANCE_STAFFINGSNAPSHOT"'):
            bumped.append(True)
            UnitDay.objects.filter(unit=week.unit, date=WED).update(changed_at=NOW + dt.timedelta(seconds=1))
        return result

    with connection.execute_wrapper(concurrent_change):
        refresh_changed()
    assert bumped and dirty(week.unit) == {WED}
    refresh_changed()
    assert dirty(week.unit) == set()


@pytest.fixture
def refresh_runs():
    runs = []

    def count(sender=None, **kwargs):
        if sender.name == "attendance.refresh_staffing":
            runs.append(1)

    task_prerun.connect(count, weak=False)
    yield runs
    task_prerun.disconnect(count)


def test_it_coalesces_a_burst_of_decisions_into_one_refresh(week, refresh_runs,
                                                            django_capture_on_commit_callbacks):
    compute_staffing(MON, SUN)
    with django_capture_on_commit_callbacks(execute=True):
        for day in week.pending:
            services.request_day_reject(actor=week.kabid.user, day_id=day.pk, reason="Ada rapat.")
    assert len(refresh_runs) == 1
    assert dirty(week.unit) == set()
    assert [r[10] for r in table(week.unit)] == [0, 0, 0]  # pending gone everywhere, in one refresh

    with django_capture_on_commit_callbacks(execute=True):  # still inside the coalescing window
        submit(week.e[5], Kind.IZIN, WED)
    assert len(refresh_runs) == 1
    assert dirty(week.unit) == {WED}  # waits for the next refresh, it is not lost

    cache.delete("coalesce:staffing-refresh")  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        submit(week.e[7], Kind.IZIN, TUE)
    assert len(refresh_runs) == 2
    assert dirty(week.unit) == set()
    assert StaffingSnapshot.objects.get(unit=week.unit, date=WED).pending == 1


# --- Early warnings ----------------------------------------------------------------------


def warnings_sent():
    return sorted(Notification.objects.filter(kind="staffing.below").values_list("recipient__username",
                                                                                 "params__in_office"))


def test_it_warns_the_head_and_hr_once_per_unit_day(week, hr, hr_other, kadis):
    compute_staffing(MON, SUN)
    assert send_early_warnings(today=dt.date(2026, 12, 10)) == 1
    assert warnings_sent() == [("hr_dinkes", 5), ("kabid", 5)]
    note = Notification.objects.get(kind="staffing.below", recipient=week.kabid.user)
    assert "Bidang P2P" in note.params["subject"] and f"unit={week.unit.pk}" in note.link

    assert send_early_warnings(today=dt.date(2026, 12, 10)) == 0
    assert send_early_warnings(today=dt.date(2026, 12, 11)) == 0
    assert len(warnings_sent()) == 2


def test_it_warns_again_when_the_day_gets_worse(week, hr):
    compute_staffing(MON, SUN)
    send_early_warnings(today=dt.date(2026, 12, 10))
    services.request_day_approve(actor=week.kabid.user, day_id=submit(week.e[6], Kind.IZIN, MON).pk)
    compute_staffing(MON, MON)
    assert send_early_warnings(today=dt.date(2026, 12, 10)) == 1
    assert warnings_sent() == [("hr_dinkes", 4), ("hr_dinkes", 5), ("kabid", 4), ("kabid", 5)]
    assert StaffingAlert.objects.get(unit=week.unit, date=MON).in_office == 4


def test_it_does_not_warn_again_when_the_day_improves(week, hr):
    compute_staffing(MON, SUN)
    send_early_warnings(today=dt.date(2026, 12, 10))
    ct = RequestDay.objects.get(employee=week.e[2], date=MON, status=Status.APPROVED)
    services.request_day_cancel(actor=week.e[2].user, day_id=ct.pk)  # leave cancelled: 6 in
    compute_staffing(MON, MON)
    assert send_early_warnings(today=dt.date(2026, 12, 10)) == 0
    assert len(warnings_sent()) == 2


def test_it_warns_only_within_fourteen_days(week, hr):
    compute_staffing(MON, SUN)
    assert send_early_warnings(today=dt.date(2026, 12, 6)) == 0  # 21 Dec is 15 days away
    assert send_early_warnings(today=dt.date(2026, 12, 7)) == 1  # exactly 14 days
    assert send_early_warnings(today=dt.date(2026, 12, 22)) == 0  # in the past now, and already told


# --- Roll-ups ----------------------------------------------------------------------------


def test_it_sums_a_subtree_per_date(week, dinkes, upt):
    EmployeeFactory.create_batch(2, unit=upt)
    compute_staffing(MON, SUN)
    rows = staffing_rows(dinkes, MON, SUN, subtree=True)
    got = [(r.date, r.headcount, r.in_office, r.wfh, r.wfa, r.other_office, r.absences["CT"], r.absences["SAKIT"],
            r.absences["DL"], r.pending, r.minimum, r.status, r.units, r.units_below) for r in rows]
    # dinkes itself (kadis: 1 in, min 0) + Bidang P2P (EXPECTED) + UPT (2 in, min 0).
    assert got == [
        (MON, 13, 8, 2, 1, 0, 1, 1, 0, 1, 7, "ok", 3, 1),
        (TUE, 13, 11, 0, 0, 1, 0, 0, 1, 2, 7, "ok", 3, 0),
        (WED, 13, 12, 1, 0, 0, 0, 0, 0, 0, 7, "ok", 3, 0),
    ]
    for row in rows:  # and equal to the sums of the units' own snapshots
        own = StaffingSnapshot.objects.filter(unit__path__startswith=dinkes.path, date=row.date)
        assert row.in_office == sum(s.in_office for s in own)
        assert row.headcount == sum(s.headcount for s in own)


def test_it_reads_a_single_unit_without_its_subtree(week, dinkes):
    compute_staffing(MON, SUN)
    (mon, *_rest) = staffing_rows(dinkes, MON, SUN)
    assert (mon.headcount, mon.in_office, mon.minimum, mon.status) == (1, 1, 0, "ok")


# --- Task bodies -------------------------------------------------------------------------


def test_it_runs_the_nightly_task_eagerly_and_safely_twice(week, hr):
    first = tasks.compute_staffing_window.delay(today="2026-12-10").get()
    assert first > 0
    assert table(week.unit) == EXPECTED
    assert len(warnings_sent()) == 2  # the window includes 21 Dec, 11 days ahead
    assert tasks.compute_staffing_window.delay(today="2026-12-10").get() == first
    assert table(week.unit) == EXPECTED
    assert len(warnings_sent()) == 2


def test_it_runs_the_refresh_task_eagerly_and_safely_twice(week):
    assert tasks.refresh_staffing.delay().get() == 3  # Mon, Tue, Wed were touched by the plan
    assert table(week.unit) == EXPECTED
    assert dirty(week.unit) == set()
    assert tasks.refresh_staffing.delay().get() == 0
    assert table(week.unit) == EXPECTED


@pytest.mark.now(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_it_recounts_a_unit_when_its_staff_changes(team, bidang_p2p, hr, django_capture_on_commit_callbacks):
    """Someone joins (as an import would add them): the unit's snapshots follow at the next refresh,
    not at the nightly pass."""
    from portal.models import Employee
    from portal.services.org import employee_save
    from tests.factories import UserFactory, unique_nip

    monday = dt.date(2026, 12, 7)
    compute_staffing(monday, monday, unit_ids=[bidang_p2p.pk])
    assert StaffingSnapshot.objects.get(unit=bidang_p2p, date=monday).headcount == 5
    with django_capture_on_commit_callbacks(execute=True):
        employee_save(actor=hr, employee=Employee(user=UserFactory(), nip=unique_nip(), name="Pegawai Baru",
                                                  jabatan="Analis", unit=bidang_p2p, supervisor=team[0]))
    assert StaffingSnapshot.objects.get(unit=bidang_p2p, date=monday).headcount == 6
