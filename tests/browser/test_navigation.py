"""The grouped menu in a real browser: on a phone per persona, and as dropdowns on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = {
    "ani": ["Saya"],
    "kabid": ["Saya", "Tim", "Laporan"],
    "hr_dinkes": ["Saya", "Tim", "Laporan", "Kepegawaian"],
}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("username", list(GROUPS))
def test_it_opens_the_grouped_menu_on_a_phone(browser, live_server, ani, kabid, hr, username):
    ctx = new_context(browser, viewport=PHONE)
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        login(page, live_server, username)
        nav = page.locator("#site-nav")
        expect(nav).to_be_hidden()
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Menu").click()
        groups = nav.locator("summary")
        expect(groups).to_have_text(GROUPS[username])
        _no_sideways_scroll(page)
        if len(GROUPS[username]) == 1:  # a single group opens with the menu
            expect(nav.locator("details[open] summary")).to_have_text(GROUPS[username])
        # Every group opens in place, one at a time, and its links fit the phone.
        for name in GROUPS[username]:
            if nav.locator("details[open] summary", has_text=name).count() == 0:
                nav.locator("summary", has_text=name).click()
            links = nav.locator("details[open] .nav-group__links a")
            expect(links.first).to_be_visible()
            assert nav.locator("details[open]").count() == 1
            assert all(box["height"] >= 44 for box in
                       links.evaluate_all("links => links.map(a => a.getBoundingClientRect().toJSON())"))
            _no_sideways_scroll(page)
        screenshot(page, f"nav-phone-{username}")
    finally:
        ctx.close()


def test_it_opens_the_phone_menu_on_the_current_group(browser, live_server, ani, kabid):
    ctx = new_context(browser, viewport=PHONE)
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        login(page, live_server, "kabid")
        page.goto(f"{live_server.url}/presensi/izin/persetujuan/")
        page.get_by_role("button", name="Menu").click()
        current = page.locator("#site-nav a[aria-current='page']")
        expect(current).to_have_text("Persetujuan izin")
        expect(current).to_be_visible()  # its group, Tim, opened with the menu
        page.locator("#site-nav summary", has_text="Saya").click()
        with page.expect_navigation():
            page.locator("#site-nav").get_by_role("link", name="Riwayat presensi").click()
        expect(page.locator("h1")).to_contain_text("Riwayat")
        _no_sideways_scroll(page)
    finally:
        ctx.close()


def test_it_shows_the_groups_as_dropdowns_on_a_desktop(page, live_server, hr):
    login(page, live_server, "hr_dinkes")
    nav = page.locator("#site-nav")
    expect(nav.locator("summary")).to_have_text(GROUPS["hr_dinkes"])
    audit = nav.get_by_role("link", name="Jejak audit")
    expect(audit).to_be_hidden()
    nav.locator("summary", has_text="Kepegawaian").click()
    expect(audit).to_be_visible()
    nav.locator("summary", has_text="Laporan").click()  # one open at a time
    expect(audit).to_be_hidden()
    page.keyboard.press("Escape")
    expect(nav.locator("details[open]")).to_have_count(0)
    expect(nav.locator("summary", has_text="Laporan")).to_be_focused()
    nav.locator("summary", has_text="Kepegawaian").click()
    page.mouse.click(1250, 780)  # a click elsewhere closes the dropdown
    expect(nav.locator("details[open]")).to_have_count(0)
    nav.locator("summary", has_text="Kepegawaian").click()
    screenshot(page, "nav-desktop-hr")
    with page.expect_navigation():
        audit.click()
    expect(nav.locator("a[aria-current='page']")).to_have_text("Jejak audit")
    expect(nav.locator("summary[aria-current='true']")).to_have_text("Kepegawaian")
