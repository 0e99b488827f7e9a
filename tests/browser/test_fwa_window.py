"""Booking a whole national FWA window (SE MenPAN-RB 2/2026: Wed 25 – Fri 27 March 2026) in one
request: three flexible days in one week, past the Permen's two, because the window lifts the cap.

The clock plugin sets "today" to Monday 16 March 2026 for the test, its fixtures and the live
server's thread (time-machine patches the process clock).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from scheduling import services
from scheduling.models import CoveragePolicy, RequestDay, Status
from tests.browser.conftest import login, screenshot
from tests.factories import EmployeeFactory

WIB = dt.timezone(dt.timedelta(hours=7))
SE = "SE MenPAN-RB 2/2026"
WINDOW = [dt.date(2026, 3, 25), dt.date(2026, 3, 26), dt.date(2026, 3, 27)]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.now(dt.datetime(2026, 3, 16, 10, 0, tzinfo=WIB))]


@pytest.fixture
def window_open(dinkes, bidang_p2p, kabid, ani, budi, hr):
    """Five in Bidang P2P, two flexible days a week, 60% in the office; HR opened the window."""
    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2025, 1, 1), weekly_cap=2,
                                  min_office_share=60)
    for _ in range(2):
        EmployeeFactory(unit=bidang_p2p, supervisor=kabid)
    return services.fwa_window_open(actor=hr, name=SE, start=WINDOW[0], end=WINDOW[-1], units=[dinkes]).window


def test_an_employee_books_the_whole_fwa_window_in_one_request(page, live_server, window_open, ani):
    login(page, live_server, "ani")
    page.goto(f"{live_server.url}/rencana/ajukan/")
    page.get_by_label("Jenis").select_option("WFH")
    page.get_by_label("Rentang tanggal").check()
    page.locator("#id_start").fill("2026-03-25")
    page.locator("#id_end").fill("2026-03-27")
    checks = page.locator("#preview .check")
    expect(checks).to_have_count(3)
    expect(page.locator("#preview .check--block")).to_have_count(0)
    for i in range(3):
        expect(checks.nth(i)).to_contain_text(f"Hari kerja fleksibel menurut {SE}")
    expect(page.locator("#preview .preview__summary")).to_contain_text("3 hari lolos")
    screenshot(page, "fwa-window-request")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan", exact=True).click()
    status = page.get_by_role("status")
    expect(status.filter(has_text="3 hari diajukan.")).to_have_count(1)
    expect(status.filter(has_text="3 hari langsung disetujui (jendela FWA).")).to_have_count(1)
    items = page.locator(".request-item")
    expect(items).to_have_count(3)
    for i in range(3):
        expect(items.nth(i)).to_contain_text("Disetujui")
    page.goto(f"{live_server.url}/rencana/?bulan=2026-03")
    for day in WINDOW:
        expect(page.locator(f".cal__day:has(time[datetime='{day.isoformat()}'])")).to_contain_text("Disetujui")
    screenshot(page, "fwa-window-calendar")
    days = RequestDay.objects.filter(employee=ani).order_by("date")
    assert [(d.date, d.status, d.auto_approved) for d in days] == [(d, Status.APPROVED, True) for d in WINDOW]
