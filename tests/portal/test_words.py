"""Words and numbers as people read them: dates inside sentences in words, distances in m/km per
language, counted nouns through gettext plurals, one NIP format, one title pattern, and the small
courtesies of the shell (logging out says so, the favicon exists, the login page speaks Indonesian
until someone chooses English)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from portal import formatting
from scheduling import rules, services
from scheduling.models import Kind
from tests.conftest import PASSWORD
from tests.factories import EmployeeFactory

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB
MONDAY = dt.date(2026, 12, 7)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def _text(html: str) -> str:
    """What a reader sees: no tags, no attribute values (datetime="2026-12-07" is for machines)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def english_plurals():
    """Give the English catalog two-form entries for a few Indonesian msgids, as locale/ will once the
    lead translates them: a string rendered without ngettext / blocktranslate count finds no entry and
    stays Indonesian, so these tests fail unless the plural path is taken."""
    catalog = trans_real.translation("en")._catalog._catalogs[0]
    added = {}

    def add(msgid: str, one: str, other: str) -> None:
        for index, text in enumerate((one, other)):
            key = (msgid, index)
            added.setdefault(key, catalog.get(key))
            catalog[key] = text

    yield add
    for key, old in added.items():
        if old is None:
            catalog.pop(key, None)
        else:
            catalog[key] = old


# --- Dates inside sentences --------------------------------------------------------------------

@pytest.mark.parametrize(("language", "week", "last"), [
    ("id", "minggu mulai 7 Desember 2026", "Sabtu, 6 Maret 2027"),
    ("en", "7 December 2026", "Saturday, 6 March 2027"),
])
def test_verdicts_write_their_dates_in_words_in_the_active_language(language, week, last):
    with translation.override(language):
        cap = rules.render_message("weekly_cap", {"cap": 2, "used": 2, "week": "2026-12-07"})
        length = rules.render_message("leave_length", {"kind": "CB", "months": 3, "last": "2027-03-06",
                                                       "basis": "PP 11/2017"})
        blackout = rules.render_message("blackout", {"unit": "Bidang P2P", "date": "2026-12-24"})
    assert week in cap and last in length
    assert "24 " in blackout and ("Desember" if language == "id" else "December") in blackout
    assert not ISO_DATE.search(cap + length + blackout)


def test_a_verdict_keeps_its_iso_params_for_the_api():
    verdict = rules.Verdict("blackout", rules.BLOCK, {"date": "2026-12-24", "unit": "Bidang P2P"})
    with translation.override("id"):
        as_dict = verdict.as_dict()
    assert as_dict["params"]["date"] == "2026-12-24"
    assert "24 Desember 2026" in as_dict["message"]


def test_the_request_panel_names_a_taken_day_in_words(client, team, ani):
    with time_machine.travel(NOW, tick=False):
        services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY])
        client.force_login(ani.user)
        html = client.get(reverse("scheduling:request-preview"),
                          {"kind": Kind.WFH, "date_mode": "single", "date": MONDAY.isoformat()}).content.decode()
    assert "Sudah ada pengajuan aktif pada Senin, 7 Desember 2026." in html
    assert not ISO_DATE.search(_text(html))


def test_a_notification_subject_writes_its_date_in_words(team, ani, kabid):
    from portal.models import Notification

    with time_machine.travel(NOW, tick=False):
        (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY]).days
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    subject = Notification.objects.get(recipient=ani.user, kind="request.approved").params["subject"]
    assert "7 Desember 2026" in subject and not ISO_DATE.search(subject)


# --- Distances ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("metres", "indonesian", "english"), [
    (38.2, "38 m", "38 m"),
    (999.4, "999 m", "999 m"),
    (999.6, "1,0 km", "1.0 km"),
    (2224.4, "2,2 km", "2.2 km"),
    (325957, "326,0 km", "326.0 km"),
    (1234567, "1.234,6 km", "1,234.6 km"),
])
def test_distances_read_in_metres_under_a_kilometre_and_in_kilometres_above(metres, indonesian, english):
    with translation.override("id"):
        assert formatting.distance_text(metres) == indonesian
    with translation.override("en"):
        assert formatting.distance_text(metres) == english


def test_the_template_filter_writes_distances_the_same_way():
    template = Template("{% load portal_format %}{{ d|distance }}")
    with translation.override("en"):
        assert template.render(Context({"d": 325957})) == "326.0 km"
    assert template.render(Context({"d": None})) == ""


def test_the_check_in_flag_says_how_far_in_kilometres(client, ani, dinkes):
    from attendance.models import Punch
    from portal.models import Unit

    Unit.objects.filter(pk=dinkes.pk).update(latitude=-6.2, longitude=106.816666, radius_m=100)
    client.force_login(ani.user)
    with time_machine.travel(dt.datetime(2026, 12, 2, 0, 12, tzinfo=dt.UTC), tick=False):  # Wed 07:12 WIB
        response = client.post(reverse("attendance-checkin-post"), {"latitude": "-6.22", "longitude": "106.816666"},
                               HTTP_X_REQUESTED_WITH="fetch")
    assert Punch.objects.get(employee=ani).flagged
    assert "Lokasi presensi sekitar 2,2 km dari kantor" in response.content.decode()


# --- Plurals -----------------------------------------------------------------------------------

def test_counted_nouns_built_in_python_go_through_ngettext(english_plurals):
    english_plurals("%(n)d hari", "%(n)d day", "%(n)d days")
    with translation.override("en"):
        assert formatting.days(1) == "1 day" and formatting.days(2) == "2 days"
    with translation.override("id"):
        assert formatting.days(1) == "1 hari"


def test_the_request_panel_counts_days_with_plural_forms(client, team, ani, english_plurals):
    english_plurals("%(n)s hari lolos", "%(n)s day allowed", "%(n)s days allowed")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(ani.user)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("scheduling:request-preview"),
                          {"kind": Kind.WFH, "date_mode": "single", "date": MONDAY.isoformat()}).content.decode()
    assert "1 day allowed" in html and "1 days" not in html


def test_a_cap_verdict_counts_its_days_with_plural_forms(english_plurals):
    english_plurals("%(n)d hari", "%(n)d day", "%(n)d days")
    with translation.override("en"):
        message = rules.render_message("weekly_cap", {"cap": 1, "used": 1, "week": "2026-12-07"})
    assert message.count("1 day") == 2 and "1 days" not in message


# --- NIP -----------------------------------------------------------------------------------------

def test_the_nip_filter_groups_a_pns_nip_and_leaves_an_ni_pppk_as_issued(db):
    from portal.models import AsnType

    pns = EmployeeFactory.build(nip="198609262015051001", asn_type=AsnType.PNS)
    pppk = EmployeeFactory.build(nip="199001012022211001", asn_type=AsnType.PPPK)
    template = Template("{% load portal_format %}{{ a|nip }}|{{ b|nip }}|{{ raw|nip:'PNS' }}")
    rendered = template.render(Context({"a": pns, "b": pppk, "raw": "198609262015051001"}))
    assert rendered == "19860926 201505 1 001|199001012022211001|19860926 201505 1 001"
    assert pns.nip_display == "19860926 201505 1 001" and str(pns).endswith("(19860926 201505 1 001)")


def test_no_page_shows_a_pns_nip_ungrouped(client, hr, ani, kabid, bidang_p2p):
    client.force_login(hr)
    pages = [reverse("scheduling:leave-balances"), reverse("scheduling:leave-employee", args=[ani.pk]),
             reverse("hr-supervisor-check")]
    shown = 0
    for url in pages:
        text = _text(client.get(url).content.decode())
        assert ani.nip not in text, url
        shown += ani.nip_display in text
    client.force_login(ani.user)
    text = _text(client.get(reverse("home")).content.decode())
    assert ani.nip not in text and ani.nip_display in text
    assert shown >= 2  # the pages did show her NIP, grouped


# --- Titles ----------------------------------------------------------------------------------

TITLE = re.compile(r"<title>([^<]+)</title>")


@pytest.mark.parametrize(("who", "names"), [
    ("ani", ["home", "scheduling:my-calendar", "scheduling:request-new", "scheduling:my-requests",
             "scheduling:my-leave", "attendance-checkin", "notifications:list"]),
    ("kabid", ["scheduling:inbox", "scheduling:team", "staffing-dashboard"]),
    ("hr", ["hr-import", "hr-audit", "scheduling:policies", "scheduling:leave-settings", "hr-work-patterns"]),
])
def test_every_page_title_is_the_page_then_the_portal(client, ani, kabid, hr, who, names, request):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    for name in names:
        html = client.get(reverse(name)).content.decode()
        (title,) = TITLE.findall(html)
        page, _, portal = title.rpartition(" — ")
        assert portal == "Portal Kerja Fleksibel", (name, title)
        assert page.strip() and "Portal Kerja Fleksibel" not in page and " — " not in page, (name, title)


def test_the_login_page_has_a_title_of_its_own(client, db):
    assert "<title>Masuk — Portal Kerja Fleksibel</title>" in client.get(reverse("login")).content.decode()


# --- Logout, favicon, language ------------------------------------------------------------------

def test_logging_out_says_so_on_the_login_page(client, ani):
    client.force_login(ani.user)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Anda telah keluar." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_favicon_is_served_at_the_root(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO header
    assert "max-age" in response["Cache-Control"]


def test_the_login_page_stays_indonesian_until_english_is_chosen_and_remembers_it(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id"' in page and "Masuk ke portal" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in page and "Sign in to the portal" in page


def test_the_choice_on_the_login_page_carries_into_the_session(client, ani):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    client.post(reverse("login"), {"username": "ani", "password": PASSWORD})
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()


def test_the_saved_language_wins_after_login_over_the_browser(client, ani):
    ani.user.language = "en"
    ani.user.save(update_fields=["language"])
    assert '<html lang="id"' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    client.post(reverse("login"), {"username": "ani", "password": PASSWORD})
    assert '<html lang="en"' in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()


def test_the_api_still_follows_accept_language(client, db):
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"
