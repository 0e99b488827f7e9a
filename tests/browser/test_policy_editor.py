"""HR edits a unit's attendance rule on a phone: finds the unit, sees the start date it already
has, previews whom the change reaches, saves; the pages fit 390 px without sideways scrolling.

The live server runs on the real clock, so the dates are relative to today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from playwright.sync_api import expect

from portal.formatting import short_date
from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind
from tests.browser.conftest import PHONE, login, new_context, screenshot
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Elements of <main> that stick out of the viewport or scroll sideways inside it (a wide table in
# a scrolling wrapper fits the page but still makes the reader scroll): none may exist on a phone.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("main *")].filter((e) => {
    if (e.closest(".visually-hidden")) return false;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1;
    return e.getBoundingClientRect().right > width + 1 || scrolls;
  }).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
}"""


def assert_fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SIDEWAYS) == []


def _next_week_working_days(unit) -> list[dt.date]:
    today = unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return workcalendar.working_days(unit, monday, monday + dt.timedelta(days=13))


def test_hr_previews_whom_a_change_reaches_and_saves_it_on_a_phone(browser, live_server, hr, dinkes, bidang_p2p,
                                                                    kabid, ani, budi):
    start = bidang_p2p.local_today()
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=start, weekly_cap=2, note="SK Kadis 1/2026")
    first, second = _next_week_working_days(bidang_p2p)[:2]
    services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[first])
    services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[second])
    with translation.override("id"):
        expected = f"Perubahan ini berlaku untuk 3 pegawai dan 2 pengajuan yang menunggu mulai {short_date(start)}."

    phone = new_context(browser, viewport=PHONE)
    try:
        page = phone.new_page()
        page.set_default_timeout(10_000)
        login(page, live_server, "hr_dinkes")
        page.goto(f"{live_server.url}/hr/kebijakan/")
        expect(page.locator("details.policy-card__details[open]")).to_contain_text("Dinas Kesehatan")
        assert_fits_the_phone(page)

        page.get_by_label("Cari unit (nama atau kode)").fill("p2p")
        with page.expect_navigation():
            page.get_by_role("button", name="Tampilkan").click()
        card = page.locator(".policy-card:has(details[open])")
        expect(card).to_contain_text("Bidang P2P")
        expect(card).to_contain_text("ditetapkan sendiri sejak")
        with page.expect_navigation():
            card.get_by_role("link", name="Atur aturan Bidang P2P").click()
        with page.expect_navigation():
            page.locator(f"a[href$='/aturan/{row.pk}/']").click()

        date_field = page.get_by_label("Berlaku mulai")
        expect(date_field).to_have_value(start.isoformat())  # the date it has, not a blank field
        page.get_by_label("Minimal hadir di kantor (%)").fill("70")
        with page.expect_navigation():
            page.get_by_role("button", name="Pratinjau dampak").click()
        expect(page.locator(".policy-impact")).to_contain_text(expected)
        expect(date_field).to_have_value(start.isoformat())
        row.refresh_from_db()
        assert row.min_office_share is None  # a preview saves nothing
        assert_fits_the_phone(page)
        screenshot(page, "policy-impact-phone")

        with page.expect_navigation():
            page.get_by_role("button", name="Simpan aturan").click()
        expect(page.get_by_role("status").first).to_contain_text("tersimpan")
        row.refresh_from_db()
        assert (row.min_office_share, row.effective_from) == (70, start)
        assert_fits_the_phone(page)
    finally:
        phone.close()


def test_the_supervisor_check_fits_a_phone(browser, live_server, hr, bidang_p2p, kabid):
    EmployeeFactory(name="Tanpa Atasan", jabatan="Pengelola Data Kepegawaian Pertama", unit=bidang_p2p)
    phone = new_context(browser, viewport=PHONE)
    try:
        page = phone.new_page()
        page.set_default_timeout(10_000)
        login(page, live_server, "hr_dinkes")
        page.goto(f"{live_server.url}/hr/supervisor-check/")
        row = page.locator("tbody tr", has_text="Tanpa Atasan")
        expect(row).to_contain_text("Belum ada atasan langsung")
        expect(row.get_by_role("link", name="Perbaiki data Tanpa Atasan")).to_be_visible()
        assert_fits_the_phone(page)
        screenshot(page, "supervisor-check-phone")
    finally:
        phone.close()
