"""The menu by role and the home page's panels, without a browser.

The menu is drawn from what each app registers (:mod:`portal.navigation`); these tests read it as
each persona does, as data and as the rendered header, and check that no page repeats it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.models import ExportJob, ExportStatus, Punch, StaffingSnapshot, StaffingStatus
from portal import navigation as nav
from portal.selectors import roles_of
from scheduling.models import Kind, RequestDay, Status, WorkRequest
from tests.factories import EmployeeFactory, UnitFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
TUESDAY = dt.date(2026, 8, 18)
MORNING = dt.datetime(2026, 8, 18, 9, 0, tzinfo=WIB)

SAYA, TIM, LAPORAN, KEPEGAWAIAN = "Saya", "Tim", "Laporan", "Kepegawaian"
GROUPS_OF = {
    "ani": [SAYA],
    "kabid": [SAYA, TIM, LAPORAN],
    "citra": [SAYA, TIM, LAPORAN],  # the Plh
    "kadis": [SAYA, TIM, LAPORAN],  # head of the dinas
    "hr_dinkes": [SAYA, TIM, LAPORAN, KEPEGAWAIAN],
    "root": [SAYA, TIM, LAPORAN, KEPEGAWAIAN],
}


@pytest.fixture
def personas(ani, kabid, plh, kadis, hr, superuser):
    return {"ani": ani.user, "kabid": kabid.user, "citra": plh.user, "kadis": kadis.user, "hr_dinkes": hr,
            "root": superuser}


def _menu(user, path=""):
    return nav.menu(roles_of(user), user, path)


def _nav_html(html: str) -> str:
    return html[html.index('<nav id="site-nav"'):html.index("</nav>", html.index('<nav id="site-nav"'))]


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- The menu -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GROUPS_OF))
def test_it_groups_the_menu_for_each_persona_without_repeats(personas, name):
    groups = _menu(personas[name])
    assert [str(g["label"]) for g in groups] == GROUPS_OF[name]
    links = [link for g in groups for link in g["links"]]
    labels = Counter(str(link["label"]) for link in links)
    urls = Counter(link["url"] for link in links)
    assert not [label for label, n in labels.items() if n > 1], labels
    assert not [url for url, n in urls.items() if n > 1], urls


@pytest.mark.parametrize("name", list(GROUPS_OF))
def test_it_draws_each_menu_link_once_in_the_header(client, personas, name):
    client.force_login(personas[name])
    html = _nav_html(client.get(reverse("home")).content.decode())
    hrefs = Counter(re.findall(r'<a [^>]*href="([^"]+)"', html))
    assert hrefs and all(n == 1 for n in hrefs.values()), hrefs
    summaries = re.findall(r'<summary class="nav-group__toggle"[^>]*>\s*([^<]+)', html)
    assert [s.strip() for s in summaries] == GROUPS_OF[name]


def test_it_keeps_hr_pages_for_hr_and_the_admin_for_staff(personas):
    kepegawaian = {g["key"]: g for g in _menu(personas["hr_dinkes"])}[nav.HR]
    labels = [str(link["label"]) for link in kepegawaian["links"]]
    assert "Cuti pegawai" in labels and "Jejak audit" in labels
    assert "Data induk (admin)" not in labels  # hr_dinkes is not staff
    root = {g["key"]: g for g in _menu(personas["root"])}[nav.HR]
    admin = next(link for link in root["links"] if link["url"] == reverse("admin:index"))
    assert admin["label"] == "Data induk (admin)" and "Plh/Plt" in str(admin["description"])
    assert root["links"][-1] is admin  # last: only for what the HR pages do not cover
    team = {g["key"]: g for g in _menu(personas["hr_dinkes"])}[nav.TEAM]
    assert [str(link["label"]) for link in team["links"]] == ["Kalender tim", "Rota unit", "Jadwal dinas"]


@pytest.mark.parametrize("path, label", [
    ("/rencana/", "Rencana kerja saya"),
    ("/rencana/ajukan/", "Rencana kerja saya"),  # a page of the plan, not in the menu itself
    ("/rencana/cuti/", "Cuti saya"),  # longer than /rencana/: its own entry
    ("/presensi/perbaikan/ajukan/", "Riwayat presensi"),  # asked from the history
    ("/presensi/izin/persetujuan/", "Persetujuan izin"),
])
def test_it_marks_the_current_page_for_the_employee_and_supervisor(kabid, ani, path, label):
    current = [(g, link) for g in _menu(kabid.user, path) for link in g["links"] if link["current"]]
    assert len(current) == 1
    group, link = current[0]
    assert link["label"] == label and group["current"]


@pytest.mark.parametrize("path, label", [
    ("/hr/cuti/saldo/12/", "Cuti pegawai"),  # a tab of the leave pages
    ("/hr/kebijakan/fwa/", "Kebijakan WFH/WFA"),
    ("/hr/presensi/shift/", "Aturan presensi & shift"),
    ("/hr/ramadan/", "Jam kerja & Ramadan"),
])
def test_it_marks_the_entry_of_a_tab_as_current(hr, path, label):
    current = [link for g in _menu(hr, path) for link in g["links"] if link["current"]]
    assert [link["label"] for link in current] == [label]


def test_it_marks_the_current_link_and_its_group_in_the_header(client, hr):
    client.force_login(hr)
    html = _nav_html(client.get(reverse("scheduling:leave-balances")).content.decode())
    assert html.count('aria-current="page"') == 1
    assert re.search(r'<a href="/hr/cuti/" aria-current="page">Cuti pegawai</a>', html)
    assert re.search(r'<details class="nav-group" name="site-nav-group" data-current>\s*'
                     r'<summary class="nav-group__toggle" aria-current="true">Kepegawaian', html)


PAGES_OF_THE_MENU = ["scheduling:my-calendar", "scheduling:request-new", "scheduling:my-requests",
                     "scheduling:my-leave", "scheduling:inbox", "scheduling:team", "attendance-checkin",
                     "attendance-history", "attendance-permissions", "attendance-correction-new",
                     "attendance-corrections-inbox", "attendance-permissions-inbox"]


@pytest.mark.parametrize("url_name", PAGES_OF_THE_MENU)
def test_it_shows_no_second_menu_inside_the_page(client, kabid, ani, url_name):
    """The old local tabs repeated the menu under other names ("Persetujuan" and "Persetujuan tim")."""
    client.force_login(kabid.user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    main = _main(response.content.decode())
    menu = {(link["url"], str(link["label"])) for g in _menu(kabid.user) for link in g["links"]}
    repeated = [(url, label) for url, label in menu
                if re.search(rf'<a [^>]*href="{re.escape(url)}"[^>]*>\s*{re.escape(label)}\s*</a>', main)]
    assert not repeated
    assert "subnav__list" not in main  # the old tabs, whatever their labels


# --- The home page --------------------------------------------------------------------------------


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _plan(person, day, status, kind=Kind.WFH):
    request = WorkRequest.objects.create(employee=person, kind=kind, created_by=person.user)
    return RequestDay.objects.create(request=request, employee=person, unit=person.unit, kind=kind, date=day,
                                     status=status)


@pytest.mark.now(MORNING, tick=False)
def test_it_tells_the_employee_to_check_in_and_what_comes_next(client, ani):
    _plan(ani, TUESDAY + dt.timedelta(days=2), Status.APPROVED)
    _plan(ani, TUESDAY + dt.timedelta(days=9), Status.PENDING)
    text = _text(_main(_home(client, ani.user)))
    assert "Belum presensi masuk" in text and "Presensi sekarang" in text
    assert "Rencana terdekat WFH (kerja dari rumah): Kamis, 20 Agustus 2026" in text
    assert "Pengajuan menunggu keputusan 1 hari" in text
    assert re.search(r"Sisa cuti tahunan 2026 \d+ hari dari \d+", text)
    assert "Menunggu keputusan Anda" not in text and "Perlu perhatian" not in text
    assert "Segera tersedia" not in text


@pytest.mark.now(MORNING, tick=False)
def test_it_shows_the_check_in_time_once_checked_in(client, ani):
    Punch.objects.create(employee=ani, unit=ani.unit, date=TUESDAY,
                         check_in_at=dt.datetime(2026, 8, 18, 7, 21, tzinfo=WIB))
    text = _text(_main(_home(client, ani.user)))
    assert "Sudah presensi masuk pukul 07:21 WIB" in text and "Presensi pulang" in text
    assert "Belum presensi masuk" not in text


@pytest.mark.now(dt.datetime(2026, 8, 17, 9, 0, tzinfo=WIB), tick=False)  # Hari Kemerdekaan
def test_it_asks_no_check_in_on_a_day_off(client, ani):
    text = _text(_main(_home(client, ani.user)))
    assert "tidak perlu presensi" in text and "Presensi sekarang" not in text


@pytest.mark.now(MORNING, tick=False)
def test_it_asks_no_check_in_on_leave(client, ani):
    _plan(ani, TUESDAY, Status.APPROVED, kind=Kind.CT)
    text = _text(_main(_home(client, ani.user)))
    assert "Cuti tahunan: tidak perlu presensi" in text and "Presensi sekarang" not in text
    assert "Cuti tahunan: Selasa, 18 Agustus 2026 hari ini" in text


@pytest.mark.now(MORNING, tick=False)
@pytest.mark.parametrize("who", ["kabid", "citra"])
def test_it_counts_the_decisions_waiting_for_the_supervisor_and_the_plh(client, ani, kabid, plh, who):
    user = {"kabid": kabid.user, "citra": plh.user}[who]
    assert "Tidak ada yang menunggu keputusan Anda." in _text(_main(_home(client, user)))
    _plan(ani, TUESDAY + dt.timedelta(days=1), Status.PENDING)
    _plan(ani, TUESDAY + dt.timedelta(days=2), Status.PENDING)
    html = _main(_home(client, user))
    assert "2 hari pengajuan menunggu persetujuan" in _text(html)
    assert f'href="{reverse("scheduling:inbox")}"' in html


@pytest.mark.now(MORNING, tick=False)
def test_it_shows_hr_the_units_below_minimum_and_the_ready_exports(client, hr, bidang_p2p, upt, pemprov_lain):
    def snapshot(unit, status, day=TUESDAY):
        StaffingSnapshot.objects.create(unit=unit, date=day, headcount=10, in_office=4, minimum=6, status=status,
                                        computed_at=timezone.now())

    snapshot(bidang_p2p, StaffingStatus.BELOW)
    snapshot(upt, StaffingStatus.OK)
    snapshot(pemprov_lain, StaffingStatus.BELOW)  # another institution: not HR's
    snapshot(upt, StaffingStatus.BELOW, day=TUESDAY - dt.timedelta(days=1))  # yesterday
    ExportJob.objects.create(user=hr, report="monthly-recap", format="csv", status=ExportStatus.DONE,
                             expires_at=timezone.now() + dt.timedelta(hours=1))
    ExportJob.objects.create(user=hr, report="monthly-recap", format="csv", status=ExportStatus.DONE,
                             expires_at=timezone.now() - dt.timedelta(hours=1))  # expired
    html = _main(_home(client, hr))
    text = _text(html)
    assert "Perlu perhatian" in text
    assert "Bidang P2P 4 di kantor, minimal 6" in text
    assert "UPT Puskesmas" not in text and "Pemerintah Provinsi Lain" not in text
    assert reverse("staffing-day", args=[bidang_p2p.pk, "2026-08-18"]) in html
    assert "1 berkas ekspor siap diunduh" in text
    assert "Belum tutup buku Juli 2026" in text
    assert "Rencana Anda" not in text and "Menunggu keputusan Anda" not in text


def test_it_leaves_a_panel_out_when_it_has_nothing_to_say(client, hr):
    text = _text(_main(_home(client, hr)))
    assert "berkas ekspor" not in text
    assert "semua unit memenuhi batas minimal" in text


def test_it_counts_no_further_than_the_cap(ani, kabid):
    for i in range(3):
        _plan(ani, dt.date(2026, 9, 1) + dt.timedelta(days=i), Status.PENDING)
    assert nav.capped_count(RequestDay.objects.all(), cap=2) == 2
    assert nav.capped_count(RequestDay.objects.all()) == 3


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def _grow(dinkes, kabid, units: int) -> None:
    """More units under Dinkes, each with people waiting for kabid and below its minimum today."""
    for _ in range(units):
        unit = UnitFactory(parent=dinkes)
        for _ in range(3):
            person = EmployeeFactory(unit=unit, supervisor=kabid)
            _plan(person, TUESDAY + dt.timedelta(days=1), Status.PENDING)
        StaffingSnapshot.objects.create(unit=unit, date=TUESDAY, headcount=3, in_office=0, minimum=2,
                                        status=StaffingStatus.BELOW, computed_at=timezone.now())


@pytest.mark.now(MORNING, tick=False)
@pytest.mark.parametrize("who", ["hr", "kabid", "ani"])
def test_it_costs_the_same_queries_whatever_the_size_of_the_institution(client, hr, kabid, ani, dinkes, who):
    user = {"hr": hr, "kabid": kabid.user, "ani": ani.user}[who]
    _grow(dinkes, kabid, 6)  # more than the units named on the page
    before = _queries(client, user)
    _grow(dinkes, kabid, 20)
    assert _queries(client, user) == before
    assert before <= 45  # small indexed reads; a new panel that loops over people shows up here


# --- Registry and admin ---------------------------------------------------------------------------


def test_it_refuses_a_panel_for_an_unknown_slot():
    with pytest.raises(ValueError):
        nav.register_panel("sidebar", 1, "x", "x.html", lambda user: None, "employee")


def test_it_brands_the_admin_and_names_its_sections(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Portal Kerja Fleksibel ASN · Data induk" in html
    assert "<title>Data induk | Data induk Portal Kerja Fleksibel</title>" in html
    assert "Administrasi Django" not in html and "Django administration" not in html
    for section in ("Organisasi dan pegawai", "Rencana kerja dan persetujuan", "Presensi dan kehadiran",
                    "Jadwal tugas otomatis"):
        assert section in html
    assert "Periodic Tasks" not in html and "Crontabs" not in html
    assert "css/admin.css" in html  # the portal's colours
