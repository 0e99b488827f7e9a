"""Check-in writes only the punch; the day status follows after the commit (coalesced per
person-day), and the page the employee lands on never shows a status older than the punch."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from attendance.models import DayStatus, Punch
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
