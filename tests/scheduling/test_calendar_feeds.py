"""Calendar feeds: the iCalendar of one's own plan and of a team's presence, behind a random,
revocable token that opens that feed and nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from portal.models import AuditEvent
from scheduling import services
from scheduling.models import FeedKind, FeedToken, Kind, RequestDay, Status, WorkRequest
from scheduling.selectors.feeds import feed_range
from scheduling.services.feeds import feed_token_reset, feed_token_revoke
from tests.factories import EmployeeFactory, UserFactory

MONDAY = dt.date(2026, 12, 7)
TUESDAY = dt.date(2026, 12, 8)
WEDNESDAY = dt.date(2026, 12, 9)
THURSDAY = dt.date(2026, 12, 10)
CHRISTMAS = dt.date(2026, 12, 25)

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-12-01 09:00")]


def _issue(person_or_user, kind=FeedKind.OWN, **kwargs):
    user = getattr(person_or_user, "user", person_or_user)
    return feed_token_reset(actor=user, kind=kind, **kwargs)


def _url(secret: str) -> str:
    return reverse("scheduling:calendar-feed", kwargs={"token": secret})


def _feed(client, secret: str) -> Calendar:
    response = client.get(_url(secret))
    assert response.status_code == 200, response.content
    return Calendar.from_ical(response.content)


def _events(cal: Calendar) -> dict[tuple[dt.date, str], object]:
    return {(e.decoded("dtstart"), str(e["summary"])): e for e in cal.walk("VEVENT")}


def _submit(person, kind, day, **kwargs):
    (item,) = services.request_submit(actor=person.user, kind=kind, dates=[day], **kwargs).days
    return item


def _approve(day, by):
    services.request_day_approve(actor=by.user, day_id=day.pk, reason="Disetujui.")


# --- Content ----------------------------------------------------------------------------------


def test_own_feed_is_valid_icalendar_in_the_units_zone(client, upt, kadis):
    """A WITA unit: the feed names Asia/Makassar, as X-WR-TIMEZONE and as a VTIMEZONE."""
    eka = EmployeeFactory(name="Eka Perawat", unit=upt, supervisor=kadis)
    issued = _issue(eka)
    response = client.get(_url(issued.secret))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "private" in response["Cache-Control"]
    assert response["ETag"]
    cal = Calendar.from_ical(response.content)
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Makassar"
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Makassar"
    assert "Eka Perawat" in str(cal["X-WR-CALNAME"])
    for event in cal.walk("VEVENT"):  # RFC 5545: UID and DTSTAMP are required in every VEVENT
        assert event["UID"] and event["DTSTAMP"]
        assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(days=1)


def test_own_feed_shows_the_plan_pending_as_tentative_and_holidays(client, ani, kabid):
    _approve(_submit(ani, Kind.WFH, MONDAY), kabid)
    _submit(ani, Kind.IZIN, TUESDAY, reason="Mengurus surat keluarga.")
    events = _events(_feed(client, _issue(ani).secret))
    wfh = events[(MONDAY, "WFH")]
    assert str(wfh["STATUS"]) == "CONFIRMED"
    (pending,) = [e for (d, _), e in events.items() if d == TUESDAY]
    assert str(pending["STATUS"]) == "TENTATIVE"
    assert "Izin" in str(pending["summary"]) and "menunggu persetujuan" in str(pending["summary"])
    assert str(pending["TRANSP"]) == "OPAQUE"  # an absence blocks the day
    assert (WEDNESDAY, "Di kantor") in events  # a working day without a plan
    holidays = [s for (d, s) in events if d == CHRISTMAS]
    assert holidays and holidays[0].startswith("Libur: ")
    assert not [d for (d, s) in events if s == "Di kantor" and d.weekday() >= 5]


def test_a_day_keeps_its_uid_when_the_plan_changes(client, ani, kabid):
    """Phones update the event in place instead of adding a second one."""
    issued = _issue(ani)
    before = {d: str(e["UID"]) for (d, _), e in _events(_feed(client, issued.secret)).items() if d == MONDAY}
    _submit(ani, Kind.WFH, MONDAY)
    after = {d: str(e["UID"]) for (d, _), e in _events(_feed(client, issued.secret)).items() if d == MONDAY}
    assert before == after
    uids = [str(e["UID"]) for e in _feed(client, issued.secret).walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_the_feed_is_in_the_owners_language(client, ani):
    ani.user.language = "en"
    ani.user.save(update_fields=["language"])
    events = _events(_feed(client, _issue(ani).secret))
    assert (WEDNESDAY, "In the office") in events
    assert (WEDNESDAY, "Di kantor") not in events


def test_the_range_is_bounded_whole_months():
    assert feed_range(dt.date(2026, 12, 15)) == (dt.date(2026, 9, 1), dt.date(2027, 6, 30))
    assert feed_range(dt.date(2026, 1, 31)) == (dt.date(2025, 10, 1), dt.date(2026, 7, 31))


def test_team_feed_shows_presence_never_the_kind(client, ani, budi, kabid):
    _approve(_submit(budi, Kind.SAKIT, MONDAY, reason="Demam tinggi."), kabid)
    _approve(_submit(ani, Kind.WFH, MONDAY), kabid)
    response = client.get(_url(_issue(kabid, FeedKind.TEAM).secret))
    text = response.content.decode()
    events = _events(Calendar.from_ical(response.content))
    assert (MONDAY, "Budi Santoso: tidak di kantor") in events
    assert (MONDAY, "Ani Lestari: tidak di kantor") in events
    assert any(d == MONDAY and s.startswith("Di kantor 1 dari 3") for (d, s) in events)
    for leak in ("Sakit", "SAKIT", "Demam", "WFH", "Cuti"):
        assert leak not in text


# --- The token: scope, refusals, reset ------------------------------------------------------


def test_only_a_hash_of_the_secret_is_stored(ani):
    issued = _issue(ani)
    token = FeedToken.objects.get()
    assert token.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert len(issued.secret) >= 43
    assert not FeedToken.objects.filter(secret_hash=issued.secret).exists()


def test_a_feed_token_authenticates_nothing_else(client, ani):
    issued = _issue(ani)
    sessions = Session.objects.count()
    response = client.get(_url(issued.secret))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert Session.objects.count() == sessions
    for scheme in ("Token", "Bearer"):
        api = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"{scheme} {issued.secret}")
        assert api.status_code == 401
    page = client.get(reverse("scheduling:my-calendar"))
    assert page.status_code == 302  # still anonymous: to the login page


def test_a_token_opens_its_own_feed_only(client, ani, budi, kabid):
    _approve(_submit(budi, Kind.WFH, MONDAY), kabid)
    cal = _feed(client, _issue(ani).secret)
    assert "Ani Lestari" in str(cal["X-WR-CALNAME"])
    assert (MONDAY, "WFH") not in _events(cal)


@pytest.mark.parametrize("state", ["garbage", "revoked", "expired", "too_long"])
def test_refused_tokens_answer_404_and_write_nothing(client, ani, state):
    issued = _issue(ani)
    secret = issued.secret
    if state == "garbage":
        secret = "x" * 43
    elif state == "revoked":
        feed_token_revoke(actor=ani.user, kind=FeedKind.OWN)
    elif state == "expired":
        FeedToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    elif state == "too_long":
        secret = "a" * 500
    events, rows = AuditEvent.objects.count(), list(FeedToken.objects.values())
    response = client.get(_url(secret))
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Kalender tidak ditemukan" in response.content.decode()
    assert AuditEvent.objects.count() == events
    assert list(FeedToken.objects.values()) == rows


def test_a_revoked_address_reads_exactly_like_one_that_never_existed(client, ani):
    """No 410, no other wording: nothing tells that the token once existed."""
    issued = _issue(ani)
    feed_token_revoke(actor=ani.user, kind=FeedKind.OWN)
    revoked, unknown = client.get(_url(issued.secret)), client.get(_url("z" * 43))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    assert sorted(revoked.headers) == sorted(unknown.headers)


def test_head_is_answered_like_get(client, ani):
    response = client.head(_url(_issue(ani).secret))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")


def test_reset_invalidates_the_old_address_and_audits(client, ani):
    old = _issue(ani)
    new = _issue(ani)
    assert client.get(_url(old.secret)).status_code == 404
    assert client.get(_url(new.secret)).status_code == 200
    assert FeedToken.objects.live().filter(owner=ani.user).count() == 1
    verbs = list(AuditEvent.objects.filter(object_type="scheduling.feedtoken").values_list("verb", flat=True)
                 .order_by("pk"))
    assert verbs == ["calendar_feed.created", "calendar_feed.revoked", "calendar_feed.created"]


def test_a_team_feed_stops_when_its_owner_no_longer_leads_the_team(client, ani, budi, kabid, kadis):
    issued = _issue(kabid, FeedKind.TEAM)
    assert client.get(_url(issued.secret)).status_code == 200
    ani.supervisor = budi.supervisor = kadis
    ani.save(update_fields=["supervisor"])
    budi.save(update_fields=["supervisor"])
    assert client.get(_url(issued.secret)).status_code == 404


def test_an_inactive_owner_has_no_feed(client, ani):
    issued = _issue(ani)
    ani.user.is_active = False
    ani.user.save(update_fields=["is_active"])
    assert client.get(_url(issued.secret)).status_code == 404


def test_reads_are_marked_at_most_hourly(client, ani):
    issued = _issue(ani)
    client.get(_url(issued.secret))
    first = FeedToken.objects.get().last_used_at
    assert first is not None
    with time_machine.travel(first + dt.timedelta(minutes=30), tick=False):
        client.get(_url(issued.secret))
    assert FeedToken.objects.get().last_used_at == first
    with time_machine.travel(first + dt.timedelta(minutes=61), tick=False):
        client.get(_url(issued.secret))
    assert FeedToken.objects.get().last_used_at > first


def test_an_unchanged_feed_answers_304(client, ani):
    issued = _issue(ani)
    etag = client.get(_url(issued.secret))["ETag"]
    assert client.get(_url(issued.secret), HTTP_IF_NONE_MATCH=etag).status_code == 304


def _queries(client, secret: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(secret)).status_code == 200
    return len(queries)


def test_the_feed_costs_a_fixed_number_of_queries(client, ani, kabid, budi):
    """The same count with no plan and with 80 plan days over ten weeks (measured: own 10, team 17)."""
    own, team = _issue(ani), _issue(kabid, FeedKind.TEAM)
    client.get(_url(own.secret))
    client.get(_url(team.secret))  # the first reads mark the tokens used
    before = _queries(client, own.secret), _queries(client, team.secret)
    assert before[0] <= 12 and before[1] <= 20
    # Many plan days (written directly: the caps are not what this measures), for both feeds.
    for person in (ani, budi):
        request = WorkRequest.objects.create(employee=person, kind=Kind.WFH, created_by=person.user)
        RequestDay.objects.bulk_create([
            RequestDay(request=request, employee=person, unit=person.unit, kind=Kind.WFH, date=day,
                       status=Status.APPROVED if i % 2 else Status.PENDING)
            for i, day in enumerate(MONDAY + dt.timedelta(days=7 * w + d) for w in range(10) for d in range(4))])
    assert (_queries(client, own.secret), _queries(client, team.secret)) == before


# --- The page -----------------------------------------------------------------------------------


def test_the_page_shows_a_new_address_once(client, ani):
    client.force_login(ani.user)
    page = reverse("scheduling:calendar-feeds")
    assert client.get(page).status_code == 200
    response = client.post(page, {"action": "reset", "kind": "own"})
    html = response.content.decode()
    token = FeedToken.objects.get(owner=ani.user)
    secret = html.split("/kalender/")[1].split(".ics")[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert "webcal://" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert secret not in client.get(page).content.decode()
    client.post(page, {"action": "revoke", "kind": "own"})
    assert not FeedToken.objects.live().exists()


def test_the_page_offers_the_team_feed_to_supervisors_only(client, ani, kabid):
    client.force_login(ani.user)
    assert 'id="feed-team"' not in client.get(reverse("scheduling:calendar-feeds")).content.decode()
    response = client.post(reverse("scheduling:calendar-feeds"), {"action": "reset", "kind": "team"})
    assert "tidak tersedia" in response.content.decode()
    assert not FeedToken.objects.exists()
    client.force_login(kabid.user)
    assert 'id="feed-team"' in client.get(reverse("scheduling:calendar-feeds")).content.decode()


def test_hr_only_accounts_have_no_page(client, hr):
    client.force_login(hr)
    assert client.get(reverse("scheduling:calendar-feeds")).status_code == 404


# --- The API --------------------------------------------------------------------------------------


def test_api_lists_creates_resets_and_revokes(client, kabid, ani):
    client.force_login(kabid.user)
    listed = client.get(reverse("api-calendar-feeds")).json()
    assert [c["kind"] for c in listed] == ["own", "team"]
    assert all(c["active"] is None for c in listed)
    created = client.post(reverse("api-calendar-feeds"), {"kind": "team", "expires_in_days": 30},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"].endswith(".ics") and body["webcal_url"].startswith("webcal://")
    assert body["unit"]["id"] == ani.unit_id and body["expires_at"]
    listed = client.get(reverse("api-calendar-feeds")).json()
    assert listed[1]["active"]["unit"]["id"] == ani.unit_id
    assert "url" not in listed[1]["active"]
    again = client.post(reverse("api-calendar-feeds"), {"kind": "team"}, content_type="application/json").json()
    old_path = "/" + body["url"].split("/", 3)[3]
    assert client.get(old_path).status_code == 404
    assert again["url"] != body["url"]
    revoke = reverse("api-calendar-feed-revoke", kwargs={"kind": "team"})
    assert client.post(revoke).status_code == 204
    assert client.post(revoke).status_code == 404


def test_api_refuses_bad_input_writing_nothing(client, ani, bidang_p2p, upt):
    client.force_login(ani.user)
    url = reverse("api-calendar-feeds")
    for body, field in (({"kind": "team"}, "kind"), ({"kind": "semua"}, "kind"),
                        ({"kind": "own", "expires_in_days": 0}, "expires_in_days")):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"]
    assert not FeedToken.objects.exists()
    assert not AuditEvent.objects.filter(object_type="scheduling.feedtoken").exists()
    assert client.post(reverse("api-calendar-feed-revoke", kwargs={"kind": "lain"})).status_code == 404


def test_api_team_unit_must_be_one_the_caller_leads(client, kabid, ani, upt):
    client.force_login(kabid.user)
    response = client.post(reverse("api-calendar-feeds"), {"kind": "team", "unit": upt.pk},
                           content_type="application/json")
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    assert not FeedToken.objects.exists()


def test_an_account_without_a_plan_may_not_have_an_own_feed(client):
    user = UserFactory(username="tanpa-pegawai")
    client.force_login(user)
    assert client.get(reverse("api-calendar-feeds")).json() == []
    response = client.post(reverse("api-calendar-feeds"), {"kind": "own"}, content_type="application/json")
    assert response.status_code == 400


def test_page_and_api_list_the_same_feeds(client, kabid, ani):
    """One read (``feed_choices``) for both: the same kinds, units and live token."""
    issued = _issue(kabid, FeedKind.TEAM)
    client.force_login(kabid.user)
    choices = client.get(reverse("scheduling:calendar-feeds")).context["choices"]
    listed = client.get(reverse("api-calendar-feeds")).json()
    assert [(c.kind, [u.pk for u in c.units], c.token.pk if c.token else None) for c in choices] == [
        (c["kind"], [u["id"] for u in c["units"]], issued.token.pk if c["active"] else None) for c in listed]
    assert [c.kind for c in choices] == ["own", "team"]


def test_the_audit_trail_tells_it_as_a_sentence(ani, kabid, bidang_p2p):
    from portal.selectors import describe_event

    _issue(kabid, FeedKind.TEAM)
    _issue(ani)
    feed_token_revoke(actor=ani.user, kind=FeedKind.OWN)
    team, own, revoked = AuditEvent.objects.filter(object_type="scheduling.feedtoken").order_by("pk")
    assert team.unit_id == bidang_p2p.pk and own.unit_id == ani.unit_id
    assert "membuat tautan kalender kehadiran tim Bidang P2P" in describe_event(team)
    assert "membuat tautan kalender rencana kerja" in describe_event(own)
    assert "mencabut tautan kalender rencana kerja" in describe_event(revoked)
