"""Notifications: written once per event, in the recipient's language; emails delivered exactly
once (also under racing workers, failing SMTP, dead workers and a broker outage); the
notification centre page, the unread count in the navigation and the API."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu import pools as kombu_pools
from rest_framework.test import APIClient

from portal import jobs
from portal.celery import app as celery_app
from portal.models import EmailState, Notification
from portal.services.notify import MAX_ATTEMPTS, claim_timeout, notification_deliver, notify, outbox_sweep
from scheduling import services
from scheduling.models import Kind, RequestDay

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday
MONDAY = dt.date(2026, 12, 7)
API = "/api/v1/notifications/"


def note_for(user, key: str = "test:1", subject: str = "Subjek uji", **extra) -> Notification | None:
    return notify(recipient=user, key=key, kind="test", subject=lambda p: subject, body=lambda p: "Isi pesan.",
                  **extra)


def pending_row(user, key: str = "row:1", **fields) -> Notification:
    """An outbox row as notify() leaves it, without enqueueing anything."""
    return Notification.objects.create(recipient=user, key=key, kind="test",
                                       params={"subject": "Subjek", "body": "Isi"}, **fields)


@pytest.fixture
def mailed(ani):
    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    return ani.user


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server tidak dapat dihubungi")


# --- Writing ---------------------------------------------------------------------------

def test_it_writes_one_notification_per_key(mailed):
    first = note_for(mailed, key="event:7")
    again = note_for(mailed, key="event:7", subject="Lain")
    assert first is not None and again is None
    (row,) = Notification.objects.filter(key="event:7")
    assert row.params["subject"] == "Subjek uji" and row.email_state == EmailState.PENDING


def test_it_skips_the_email_of_a_recipient_without_an_address(ani):
    assert note_for(ani.user).email_state == EmailState.SKIPPED
    assert outbox_sweep() == 0 and mail.outbox == []


@pytest.mark.now(NOW, tick=False)
def test_it_writes_each_message_in_the_recipients_language(team, ani, budi, kabid):
    ani.user.language = "en"
    ani.user.save(update_fields=["language"])
    for person in (ani, budi):
        (day,) = services.request_submit(actor=person.user, kind=Kind.WFH, dates=[MONDAY]).days
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    english = Notification.objects.get(recipient=ani.user, kind="request.approved").params
    indonesian = Notification.objects.get(recipient=budi.user, kind="request.approved").params
    assert "disetujui" in indonesian["subject"] and "Senin" in indonesian["body"]
    assert "approved" in english["subject"] and "Monday" in english["body"]
    assert "disetujui" not in english["subject"]


# --- Delivery ----------------------------------------------------------------------------

def test_it_sends_the_email_after_commit_and_only_once(mailed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = note_for(mailed)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ani@example.go.id"]
    assert mail.outbox[0].subject == "Subjek uji"
    assert notification_deliver(note.pk) == "not-claimed"
    assert outbox_sweep() == 0
    note.refresh_from_db()
    assert len(mail.outbox) == 1 and note.email_state == EmailState.SENT and note.email_attempts == 1


def _race(target, args_per_thread) -> list:
    results, errors = [], []
    barrier = threading.Barrier(len(args_per_thread))

    def body(*args):
        try:
            barrier.wait(timeout=30)
            results.append(target(*args))
        except BaseException as exc:  # the main thread fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=args) for args in args_per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_it_sends_one_email_when_workers_race_for_the_same_notification(mailed):
    notes = [pending_row(mailed, key=f"race:{i}") for i in range(5)]
    for note in notes:
        results = _race(notification_deliver, [(note.pk,)] * 4)
        assert sorted(results) == ["not-claimed"] * 3 + ["sent"]
    assert len(mail.outbox) == len(notes)
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


@override_settings(EMAIL_BACKEND="tests.portal.test_notifications.FailingBackend")
def test_it_keeps_a_failing_email_pending_then_gives_up(mailed):
    note = pending_row(mailed)
    assert notification_deliver(note.pk) == "failed"
    note.refresh_from_db()
    assert note.email_state == EmailState.PENDING and note.email_attempts == 1
    assert "ConnectionRefusedError" in note.email_error
    for _ in range(MAX_ATTEMPTS - 1):
        outbox_sweep()
    note.refresh_from_db()
    assert note.email_state == EmailState.FAILED and note.email_attempts == MAX_ATTEMPTS
    assert notification_deliver(note.pk) == "not-claimed"
    note.refresh_from_db()
    assert note.email_attempts == MAX_ATTEMPTS


def test_it_reclaims_a_stale_sending_claim_but_not_a_fresh_one(mailed):
    now = timezone.now()
    stale = pending_row(mailed, key="stale", email_state=EmailState.SENDING,
                        email_claimed_at=now - claim_timeout() - dt.timedelta(minutes=1))
    fresh = pending_row(mailed, key="fresh", email_state=EmailState.SENDING,
                        email_claimed_at=now - dt.timedelta(minutes=1))
    assert outbox_sweep() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.email_state == EmailState.SENT and fresh.email_state == EmailState.SENDING
    assert len(mail.outbox) == 1


# --- Broker outage -------------------------------------------------------------------------

def _reset_producer_pools() -> None:
    """Forget pooled broker connections so the next send connects to the configured URL."""
    kombu_pools.reset()  # closes and forgets every pool (they are global, keyed by URL)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_unreachable():
    """Real sends (not eager) to a Redis port nobody listens on, with short timeouts."""
    conf = celery_app.conf
    names = ["broker_url", "broker_write_url", "broker_transport_options", "broker_connection_retry",
             "broker_connection_max_retries", "task_always_eager"]
    saved = {name: conf.get(name) for name in names}
    # broker_write_url: Celery prefers the CELERY_BROKER_URL environment variable (set in
    # CI) over conf.broker_url, but an explicit write URL over both.
    conf.update(broker_url="redis://127.0.0.1:1/0", broker_write_url="redis://127.0.0.1:1/0",
                broker_transport_options={"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0},
                broker_connection_retry=False, broker_connection_max_retries=0, task_always_eager=False)
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.update(saved)
        _reset_producer_pools()


@pytest.mark.django_db(transaction=True)
def test_it_approves_quickly_with_the_broker_down_and_the_sweep_delivers_later(team, mailed, ani, kabid):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[_next_monday()]).days
    mail.outbox.clear()
    client = APIClient()
    client.force_authenticate(kabid.user)
    with broker_unreachable():
        assert jobs.send_now("portal.sweep_outbox") is False
        started = time.monotonic()
        response = client.post(f"/api/v1/requests/{day.pk}/approve/", {}, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < 5
    assert RequestDay.objects.get(pk=day.pk).status == "approved"
    note = Notification.objects.get(recipient=ani.user, kind="request.approved")
    assert note.email_state == EmailState.PENDING and mail.outbox == []
    assert celery_app.conf.task_always_eager  # restored: the sweep task runs inline again
    assert celery_app.tasks["portal.sweep_outbox"].delay().get() == 1
    note.refresh_from_db()
    assert note.email_state == EmailState.SENT and len(mail.outbox) == 1


def _next_monday() -> dt.date:
    """A Monday two weeks out that is a working day (real time: this test cannot freeze it,
    the approval's rules read the clock in the same way as in production)."""
    from portal.models import Unit
    from portal.selectors import workcalendar

    unit = Unit.objects.get(code="DINKES-P2P")
    start = unit.local_today() + dt.timedelta(days=14)
    return next(d for d in workcalendar.working_days(unit, start, start + dt.timedelta(days=60)) if d.weekday() == 0)


# --- Pages -----------------------------------------------------------------------------------

def test_it_lists_only_my_own_notifications_newest_first_with_unread_marked(client, ani, budi):
    older = note_for(ani.user, key="a:1", subject="Pesan lama untuk Ani")
    note_for(ani.user, key="a:2", subject="Pesan baru untuk Ani")
    note_for(budi.user, key="b:1", subject="Pesan untuk Budi")
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(hours=1),
                                                    read_at=timezone.now())
    client.force_login(ani.user)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pesan untuk Budi" not in html
    assert html.index("Pesan baru untuk Ani") < html.index("Pesan lama untuk Ani")
    assert [n.params["subject"] for n in response.context["notes"]] == ["Pesan baru untuk Ani",
                                                                      "Pesan lama untuk Ani"]
    assert html.count("notification--unread") == 1


def test_it_paginates_the_list(client, ani):
    for i in range(30):
        note_for(ani.user, key=f"p:{i}", subject=f"Pesan {i}")
    client.force_login(ani.user)
    first = client.get(reverse("notifications:list"))
    second = client.get(reverse("notifications:list"), {"page": 2})
    assert len(first.context["notes"]) == 25 and len(second.context["notes"]) == 5


def test_it_marks_one_and_all_read_by_post(client, ani):
    one, two, three = (note_for(ani.user, key=f"r:{i}") for i in range(3))
    client.force_login(ani.user)
    response = client.post(reverse("notifications:read", args=[one.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert client.get(reverse("notifications:read", args=[two.pk])).status_code == 405
    client.post(reverse("notifications:read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_it_needs_the_csrf_token_to_mark_read(ani):
    from django.test import Client

    note = note_for(ani.user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ani.user)
    assert client.post(reverse("notifications:read", args=[note.pk])).status_code == 403
    assert client.post(reverse("notifications:read-all")).status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_it_answers_404_for_someone_elses_notification(client, ani, budi):
    theirs = note_for(budi.user)
    client.force_login(ani.user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_a_notification_read_when_its_link_is_followed(client, ani):
    note = note_for(ani.user, link="/rencana/pengajuan/")
    evil = note_for(ani.user, key="evil", link="https://evil.example.com/")
    client.force_login(ani.user)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/rencana/pengajuan/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse("notifications:list")


def test_it_shows_the_unread_count_in_the_navigation_with_one_query(client, ani):
    for i in range(3):
        note_for(ani.user, key=f"n:{i}")
    Notification.objects.filter(key="n:0").update(read_at=timezone.now())
    client.force_login(ani.user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("home")).content.decode()
    assert "2 belum dibaca" in html
    counting = [q["sql"] for q in queries.captured_queries if "portal_notification" in q["sql"]]
    assert len(counting) == 1 and "COUNT" in counting[0].upper()
    Notification.objects.update(read_at=timezone.now())
    assert "belum dibaca" not in client.get(reverse("home")).content.decode()


# --- API --------------------------------------------------------------------------------------

def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_my_notifications_in_the_api_with_an_unread_filter(ani, budi):
    read = note_for(ani.user, key="a:1", subject="Sudah dibaca")
    note_for(ani.user, key="a:2", subject="Belum dibaca")
    note_for(budi.user, key="b:1", subject="Milik Budi")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    body = api_for(ani.user).get(API).json()
    assert body["count"] == 2
    assert {n["subject"] for n in body["results"]} == {"Sudah dibaca", "Belum dibaca"}
    unread = api_for(ani.user).get(API, {"unread": "true"}).json()
    assert [(n["subject"], n["unread"]) for n in unread["results"]] == [("Belum dibaca", True)]
    paged = api_for(ani.user).get(API, {"page_size": 1}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["next"]


def test_it_marks_read_through_the_api_and_hides_others(ani, budi):
    mine = note_for(ani.user, key="a:1")
    note_for(ani.user, key="a:2")
    theirs = note_for(budi.user, key="b:1")
    client = api_for(ani.user)
    response = client.post(f"{API}{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.post(f"{API}{theirs.pk}/read/").json()["error"]["code"] == "not_found"
    assert client.post(f"{API}read-all/").json() == {"marked": 1}
    assert client.post(f"{API}read-all/").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_refuses_anonymous_api_calls(db):
    assert APIClient().get(API).status_code == 401


def test_it_documents_the_notification_endpoints(client, superuser):
    client.force_login(superuser)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert {"/api/v1/notifications/", "/api/v1/notifications/{id}/read/",
            "/api/v1/notifications/read-all/"} <= set(schema["paths"])
    assert "404" in schema["paths"]["/api/v1/notifications/{id}/read/"]["post"]["responses"]



def test_it_releases_a_dead_workers_claim_minutes_after_the_smtp_timeout(settings):
    settings.EMAIL_TIMEOUT = 30
    assert dt.timedelta(minutes=1) < claim_timeout() < dt.timedelta(minutes=3)


def test_it_marks_a_sent_message_sent_through_a_database_blip(ani, monkeypatch):
    """The SMTP server accepted the message, then the database connection dropped: the worker that
    sent retries the update instead of leaving the message to be sent again by the sweep."""
    from django.db.models import QuerySet
    from django.db.utils import OperationalError

    from portal.services import notify as notify_service

    ani.user.email = "ani@example.go.id"
    ani.user.save(update_fields=["email"])
    note = Notification.objects.create(recipient=ani.user, key="blip:1", kind="test",
                                       params={"subject": "S", "body": "B"})
    real_update, failures = QuerySet.update, []

    def flaky_update(qs, **kwargs):
        if kwargs.get("email_state") == EmailState.SENT and len(failures) < 2:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(qs, **kwargs)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr(notify_service, "SENT_UPDATE_DELAYS", (0, 0, 0))
    monkeypatch.setattr(notify_service.connection, "close", lambda: None)  # the test's transaction stays
    assert notification_deliver(note.pk) == "sent"
    note.refresh_from_db()
    assert note.email_state == EmailState.SENT and len(failures) == 2 and len(mail.outbox) == 1
