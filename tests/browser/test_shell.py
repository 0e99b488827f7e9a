"""Each persona signs in with a real browser and finds their way from the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nav_hrefs(page) -> set[str]:
    return set(page.locator("#site-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))"))


def _cards(page):
    return page.locator(".role-cards")


def test_it_greets_the_employee_with_their_data(page, live_server, ani):
    login(page, live_server, "ani")
    expect(page.locator("h1")).to_contain_text("Ani Lestari")
    expect(page.locator(".nip")).to_have_text(ani.nip_display)
    expect(page.locator("#profile-title + .facts")).to_contain_text("Kepala Bidang P2P")
    assert "/" in _nav_hrefs(page) and not {h for h in _nav_hrefs(page) if h.startswith(("/hr/", "/admin/"))}
    expect(_cards(page).get_by_text("Rencana kerja saya")).to_be_visible()
    expect(_cards(page).get_by_text("Persetujuan pengajuan")).to_have_count(0)


def test_it_shows_the_supervisor_the_team_card(page, live_server, kabid, ani):
    login(page, live_server, "kabid")
    expect(page.locator("h1")).to_contain_text("Kepala Bidang P2P")
    expect(_cards(page).get_by_text("Persetujuan pengajuan")).to_be_visible()
    assert "/hr/import/" not in _nav_hrefs(page)


def test_it_shows_the_plh_their_assignment(page, live_server, plh):
    login(page, live_server, "citra")
    expect(page.locator("h1")).to_contain_text("Citra Plh")
    expect(page.locator("#delegation-title")).to_be_visible()
    expect(page.get_by_text("Plh. Kepala Bidang P2P")).to_be_visible()
    expect(_cards(page).get_by_text("Persetujuan pengajuan")).to_be_visible()


def test_it_gives_hr_admins_their_tools(page, live_server, hr):
    login(page, live_server, "hr_dinkes")
    expect(page.locator("h1")).to_contain_text("hr_dinkes")
    assert {"/hr/import/", "/hr/supervisor-check/", "/hr/audit/"} <= _nav_hrefs(page)
    assert "/admin/" not in _nav_hrefs(page)
    expect(page.locator(".role-card a[href='/hr/audit/']")).to_be_visible()


def test_it_gives_the_superuser_admin_and_api_docs(page, live_server, superuser):
    login(page, live_server, "root")
    hrefs = _nav_hrefs(page)
    assert {"/admin/", "/api/docs/", "/hr/import/"} <= hrefs


def test_it_accepts_a_nip_typed_with_spaces(page, live_server, budi):
    login(page, live_server, f"  {budi.nip_display} ")
    expect(page.locator("h1")).to_contain_text("Budi Santoso")


def test_it_explains_a_wrong_password_in_indonesian(page, live_server, ani):
    login(page, live_server, "ani", "bukan-sandinya")
    expect(page.get_by_role("alert")).to_contain_text("kata sandi salah")
    screenshot(page, "shell-login-error")
    assert page.locator("html").get_attribute("lang") == "id"
    expect(page.locator("#id_username")).to_have_value("ani")


def test_it_switches_to_english_and_remembers_it(browser, page, live_server, ani):
    login(page, live_server, "ani")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Employment details")).to_be_visible()
    screenshot(page, "shell-desktop-en")
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # A new browser has no cookie: the choice comes back from the account.
    fresh = new_context(browser)
    try:
        other = fresh.new_page()
        login(other, live_server, "ani")
        assert other.locator("html").get_attribute("lang") == "en"
    finally:
        fresh.close()


def test_it_switches_language_before_signing_in(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in to the portal")).to_be_visible()
    expect(page.get_by_label("NIP or username")).to_be_visible()


@pytest.mark.parametrize("width", [390, 360])
def test_it_keeps_the_menu_usable_on_a_phone(browser, live_server, hr, width):
    ctx = new_context(browser, viewport={**PHONE, "width": width})
    try:
        page = ctx.new_page()
        login(page, live_server, "hr_dinkes")
        toggle = page.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        expect(page.locator("#site-nav")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"shell-phone-{width}")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.locator("#site-nav summary", has_text="Kepegawaian").click()
        audit = page.locator("#site-nav").get_by_role("link", name="Jejak audit")
        expect(audit).to_be_visible()
        assert audit.bounding_box()["height"] >= 44
        screenshot(page, f"shell-phone-{width}-menu")
        page.keyboard.press("Escape")
        expect(page.locator("#site-nav")).to_be_hidden()
    finally:
        ctx.close()


def test_it_lets_keyboard_users_skip_to_the_content(page, live_server, ani):
    login(page, live_server, "ani")
    screenshot(page, "shell-desktop")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke konten utama")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
