"""Booking and approving a flexible day in a real browser, and seeing why a day is refused.

The live server runs in another thread with the real clock, so the dates are chosen
relative to today (next week's working days) instead of travelling in time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status
from tests.browser.conftest import PHONE, login, new_context, screenshot
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_week_working_days(unit) -> list[dt.date]:
    today = unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return workcalendar.working_days(unit, monday, monday + dt.timedelta(days=13))


def _choose_day(page, day: dt.date) -> None:
    page.get_by_label("Jenis").select_option(Kind.WFH.value)
    page.get_by_label("Satu hari").check()
    page.locator("#id_date").fill(day.isoformat())


def test_it_books_a_wfh_day_that_the_supervisor_approves(browser, live_server, ani, kabid):
    day = _next_week_working_days(ani.unit)[0]
    phone = new_context(browser, viewport=PHONE)
    try:
        page = phone.new_page()
        login(page, live_server, "ani")
        page.goto(f"{live_server.url}/rencana/ajukan/")
        expect(page.get_by_label("Lokasi kerja (WFA)")).to_be_hidden()  # only for WFA
        _choose_day(page, day)
        expect(page.locator("#preview .check--ok")).to_contain_text("Lolos")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "scheduling-request-phone")
        with page.expect_navigation():
            page.get_by_role("button", name="Ajukan", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("1 hari diajukan.")
        expect(page.locator(".request-item").first).to_contain_text("Menunggu persetujuan")
        page.goto(f"{live_server.url}/rencana/?bulan={day:%Y-%m}")
        expect(page.locator(f".cal__day:has(time[datetime='{day.isoformat()}'])")).to_contain_text("Menunggu")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "scheduling-calendar-phone")
    finally:
        phone.close()

    page = new_context(browser).new_page()
    login(page, live_server, "kabid")
    page.goto(f"{live_server.url}/persetujuan/")
    item = page.locator(".inbox-item", has_text="Ani Lestari")
    expect(item).to_contain_text("WFH")
    screenshot(page, "scheduling-inbox")
    with page.expect_navigation():
        item.get_by_role("button", name="Setujui").click()
    expect(page.get_by_role("status")).to_contain_text("Ani Lestari")
    expect(page.get_by_text("Tidak ada pengajuan yang menunggu keputusan Anda.")).to_be_visible()
    assert RequestDay.objects.get(employee=ani, date=day).status == Status.APPROVED
    page.goto(f"{live_server.url}/tim/?bulan={day:%Y-%m}")
    team_day = page.locator(f".team-day:has(time[datetime='{day.isoformat()}'])")
    expect(team_day.locator(".names--away")).to_have_text("Ani Lestari")
    screenshot(page, "scheduling-team")
    page.goto(f"{live_server.url}/rencana/?bulan={day:%Y-%m}")
    screenshot(page, "scheduling-calendar-desktop")
    page.context.close()


def test_it_shows_why_a_day_is_blocked_and_offers_the_nearest_free_day(page, live_server, team_of_five):
    ani, kabid, away = team_of_five
    days = _next_week_working_days(ani.unit)
    full = days[0]
    for person in away:  # 5 people, 60% must stay: two away fill the day
        (item,) = services.request_submit(actor=person.user, kind=Kind.WFH, dates=[full]).days
        services.request_day_approve(actor=kabid.user, day_id=item.pk)
    login(page, live_server, "ani")
    page.goto(f"{live_server.url}/rencana/ajukan/")
    _choose_day(page, full)
    blocked = page.locator("#preview .check--block")
    expect(blocked).to_contain_text("Tidak dapat diajukan")
    expect(blocked).to_contain_text("Bidang P2P: 2 dari 5 akan berada di kantor; minimal 3 (60%).")
    screenshot(page, "scheduling-preview-blocked")
    suggestion = blocked.locator("[data-pick-date]").first
    picked = suggestion.get_attribute("data-pick-date")
    suggestion.click()
    expect(page.locator("#id_date")).to_have_value(picked)
    expect(page.locator("#preview .check--ok")).to_contain_text("Lolos")


@pytest.fixture
def team_of_five(bidang_p2p, kabid, ani, budi):
    CoveragePolicy.objects.create(unit=bidang_p2p.parent, effective_from=dt.date(2025, 1, 1), min_office_share=60)
    extra = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(2)]
    return ani, kabid, [budi, extra[0]]
