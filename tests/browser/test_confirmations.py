"""On a phone: withdrawing a pending day goes through its confirmation page, and the request form's
verdict panel sits right under the date fields it judges (not below the submit button)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import Kind, RequestDay, Status
from tests.browser.conftest import PHONE, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_working_day(unit) -> dt.date:
    today = unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return workcalendar.working_days(unit, monday, monday + dt.timedelta(days=13))[0]


@pytest.fixture
def phone(browser):
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_employee_withdraws_a_pending_day_after_confirming(phone, live_server, ani, kabid):
    day = _next_working_day(ani.unit)
    (asked,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[day]).days
    login(phone, live_server, "ani")
    phone.goto(f"{live_server.url}/rencana/pengajuan/")

    with phone.expect_navigation():
        phone.locator(f"#hari-{asked.pk}").get_by_role("button", name="Tarik pengajuan").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tarik pengajuan ini?")
    assert RequestDay.objects.get(pk=asked.pk).status == Status.PENDING  # asking changed nothing
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "withdraw-confirm-phone")

    with phone.expect_navigation():
        phone.get_by_role("button", name="Ya, tarik pengajuan").click()
    expect(phone.get_by_role("status")).to_contain_text("ditarik")
    expect(phone.locator(f"#hari-{asked.pk}")).to_contain_text("Ditarik")
    assert RequestDay.objects.get(pk=asked.pk).status == Status.WITHDRAWN


def test_the_verdict_panel_sits_under_the_dates_on_a_phone(phone, live_server, ani, kabid):
    login(phone, live_server, "ani")
    phone.goto(f"{live_server.url}/rencana/ajukan/")
    phone.get_by_label("Jenis").select_option(Kind.WFH.value)
    phone.get_by_label("Satu hari").check()
    date = phone.locator("#id_date")
    date.fill(_next_working_day(ani.unit).isoformat())
    expect(phone.locator("#preview .check")).to_have_count(1)

    date.scroll_into_view_if_needed()
    date_box = date.bounding_box()
    panel_box = phone.locator("#preview").bounding_box()
    submit_box = phone.get_by_role("button", name="Ajukan", exact=True).bounding_box()
    assert date_box["y"] + date_box["height"] <= panel_box["y"] < submit_box["y"]
    # Close enough to read together: the panel starts within a short scroll of the date it judges.
    assert panel_box["y"] - (date_box["y"] + date_box["height"]) < PHONE["height"] / 3
    expect(phone.locator("#preview .check").first).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "request-panel-phone")
