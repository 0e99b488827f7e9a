"""Check-in writes only the punch, marked due; the day statuses of the punches due follow after
the commit, derived in batches by one run per coalescing window for everyone (not one task per
tap), and the page the employee lands on never shows a status older than the punch."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from attendance import tasks
from attendance.models import DayStatus, Punch
from attendance.services import presence
from attendance.services.day_status import compute_day_statuses, day_status_fresh
from attendance.services.presence import punch_check_in, punch_check_out

REAL_AFTER_COMMIT = True  # tests/attendance/conftest.py: keep the real after-commit derivation

TUESDAY = dt.date(2026, 12, 1)
WIB = ZoneInfo("Asia/Jakarta")
CHECK_IN = "/api/v1/attendance/check-in/"


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=WIB)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def stored(employee):
    return DayStatus.objects.filter(employee=employee, date=TUESDAY).values_list("code", "tl_level", "tl_minutes")


def shown_status(client) -> str:
    page = client.get(reverse("attendance-checkin")).content.decode()
    assert 'data-field="day-status"' in page
    return page.split('data-field="day-status"', 1)[1].split("</dd>", 1)[0]


def test_the_page_shows_the_punch_status_before_the_worker_runs_then_the_stored_one(
        ani, client, django_capture_on_commit_callbacks):
    client.force_login(ani.user)
    with time_machine.travel(at(7, 40), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            assert token_client(ani.user).post(CHECK_IN, {}, format="json").status_code == 201
        assert len(after_commit) == 1  # the derivation was enqueued, not run
        assert list(stored(ani)) == []  # the worker has not run
        assert "Terlambat" in shown_status(client)  # derived on the fly from the punch (TL1, 10 min)
        fresh = day_status_fresh(ani, TUESDAY, Punch.objects.get(employee=ani, date=TUESDAY))
        assert (fresh.code, fresh.tl_level, fresh.tl_minutes, fresh.pk) == ("TL", 1, 10, None)  # not written

        after_commit[0]()  # the worker runs
        assert list(stored(ani)) == [("TL", 1, 10)]
        assert "Terlambat" in shown_status(client)


def test_a_stored_status_older_than_the_punch_is_never_shown(ani, client, django_capture_on_commit_callbacks):
    client.force_login(ani.user)
    with time_machine.travel(at(6, 30), tick=False):
        compute_day_statuses([ani], TUESDAY, TUESDAY)
    assert [s[0] for s in stored(ani)] == ["BELUM"]
    with time_machine.travel(at(7, 25), tick=False):
        assert "Belum presensi" in shown_status(client)
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(reverse("attendance-checkin-post"), HTTP_X_REQUESTED_WITH="fetch")
        assert [s[0] for s in stored(ani)] == ["BELUM"]  # stale in the table...
        fragment = response.content.decode().split('data-field="day-status"', 1)[1].split("</dd>", 1)[0]
        assert "Hadir" in fragment  # ...but not on the panel the employee lands on
        assert "Hadir" in shown_status(client)


def test_a_check_in_and_check_out_in_one_window_derive_once_with_both(ani, django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 20), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True) as after_commit:
            punch, _ = punch_check_in(actor=ani.user)
            assert day_status_fresh(ani, TUESDAY, punch).code == "HADIR"
            clock.move_to(at(7, 21))
            punch_check_out(actor=ani.user)  # inside the coalescing window: no second derivation
        assert len(after_commit) == 2
    fields = ("code", "psw_level", "missing_out", "implausible", "computed_at")
    once = DayStatus.objects.filter(employee=ani, date=TUESDAY).values_list(*fields).get()
    assert once[-1] == at(7, 21)  # derived once, after both punches
    with time_machine.travel(at(7, 22), tick=False):
        compute_day_statuses([ani], TUESDAY, TUESDAY)  # what the whole day derives to
    again = DayStatus.objects.filter(employee=ani, date=TUESDAY).values_list(*fields).get()
    assert once[:-1] == again[:-1]
    assert once[0] != "HADIR"  # what the check-in alone gave: the check-out one minute later was seen


def test_a_first_check_in_is_one_insert_with_its_time(ani, django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 10), tick=False), django_capture_on_commit_callbacks(execute=False):
        punch, created = punch_check_in(actor=ani.user)
        again, created_again = punch_check_in(actor=ani.user)
    assert (created, created_again) == (True, False)
    assert Punch.objects.get(pk=punch.pk).check_in_at == again.check_in_at == at(7, 10)


def due(employee) -> list:
    return list(Punch.objects.filter(employee=employee, status_due_at__isnull=False).values_list("date", flat=True))


def test_a_morning_burst_is_derived_by_one_run_for_everyone(ani, budi, kabid, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    runs = []
    real = presence.derive_due_statuses
    monkeypatch.setattr(presence, "derive_due_statuses", lambda *a, **kw: runs.append(real(*a, **kw)) or runs[-1])
    with time_machine.travel(at(7, 20), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True) as after_commit:
            for n, person in enumerate((ani, budi, kabid)):
                clock.move_to(at(7, 20 + n))
                punch_check_in(actor=person.user)
    assert len(after_commit) == 3 and runs == [3]  # three taps, one run (the others coalesced into it)
    assert {code for (code, _l, _m) in stored(ani)} | {code for (code, _l, _m) in stored(budi)} == {"HADIR"}
    assert due(ani) == due(budi) == due(kabid) == []


def test_a_punch_tapped_again_while_its_status_is_derived_stays_due(ani, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 20), tick=False), django_capture_on_commit_callbacks(execute=False):
        punch_check_in(actor=ani.user)
    real = presence.recompute_employees

    def checked_out_meanwhile(*args):
        real(*args)
        with time_machine.travel(at(16, 30), tick=False), django_capture_on_commit_callbacks(execute=False):
            punch_check_out(actor=ani.user)  # after the run read its punch

    monkeypatch.setattr(presence, "recompute_employees", checked_out_meanwhile)
    with time_machine.travel(at(16, 30), tick=False):
        assert presence.derive_due_statuses() == 1
    assert due(ani) == [TUESDAY]  # the check-out still waits for its own derivation
    monkeypatch.setattr(presence, "recompute_employees", real)
    with time_machine.travel(at(16, 31), tick=False):
        assert presence.derive_due_statuses() == 1
    assert due(ani) == []
    assert [code for (code, _l, _m) in stored(ani)] == ["HADIR"]  # with the check-out: a full day


def test_what_a_lost_message_left_due_is_derived_by_the_beats_run(ani, django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 40), tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # the broker never got the message
            punch_check_in(actor=ani.user)
        assert due(ani) == [TUESDAY] and list(stored(ani)) == []
        assert tasks.derive_due_statuses() == 1  # the beat's row, every minute
    assert list(stored(ani)) == [("TL", 1, 10)] and due(ani) == []


def test_a_full_batch_sends_the_next_run_at_once(ani, budi, django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 20), tick=False), django_capture_on_commit_callbacks(execute=False):
        punch_check_in(actor=ani.user)
        punch_check_in(actor=budi.user)
    with time_machine.travel(at(7, 30), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert presence.derive_due_statuses(limit=1) == 1
    assert due(ani) == due(budi) == []  # the second run (eager here) took the rest
    assert list(stored(budi))


def test_one_persons_failing_derivation_holds_back_nobody_else(ani, budi, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    with time_machine.travel(at(7, 20), tick=False), django_capture_on_commit_callbacks(execute=False):
        punch_check_in(actor=ani.user)
        punch_check_in(actor=budi.user)
    real = presence.recompute_employees

    def fails_for_ani(employee_ids, start, end):
        if ani.pk in set(employee_ids):
            raise RuntimeError("a bug in one person's data")
        return real(employee_ids, start, end)

    monkeypatch.setattr(presence, "recompute_employees", fails_for_ani)
    with time_machine.travel(at(7, 30), tick=False):
        assert presence.derive_due_statuses() == 1
    assert list(stored(budi)) and due(budi) == []
    assert list(stored(ani)) == [] and due(ani) == [TUESDAY]  # tried again by the next run
    monkeypatch.setattr(presence, "recompute_employees", real)
    with time_machine.travel(at(7, 31), tick=False):
        assert presence.derive_due_statuses() == 1
    assert list(stored(ani)) and due(ani) == []
