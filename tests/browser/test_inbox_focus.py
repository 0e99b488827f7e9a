"""In a real browser, a refused decision in the inbox lands the keyboard on the item it failed on:
its error is next to its card, announced, and focused."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status
from tests.browser.conftest import login, screenshot
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _next_monday_or_later(unit) -> dt.date:
    today = unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return workcalendar.working_days(unit, monday, monday + dt.timedelta(days=13))[0]


def test_a_missing_reason_and_a_refused_approval_take_the_focus_to_their_item(page, live_server, bidang_p2p,
                                                                             kabid, ani, budi):
    CoveragePolicy.objects.create(unit=bidang_p2p.parent, effective_from=dt.date(2025, 1, 1), min_office_share=60)
    extra = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(2)]
    day = _next_monday_or_later(ani.unit)
    asked = [services.request_submit(actor=p.user, kind=Kind.WFH, dates=[day]).days[0] for p in (ani, budi, extra[0])]
    login(page, live_server, "kabid")
    page.goto(f"{live_server.url}/persetujuan/")

    # Reject without a reason: the error sits on Budi's card and his reason field has the focus.
    budi_card = page.locator(f"#hari-{asked[1].pk}")
    with page.expect_navigation():
        budi_card.get_by_role("button", name="Tolak").click()
    reason = page.locator(f"#alasan-{asked[1].pk}")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#galat-{asked[1].pk}")).to_have_text("Alasan penolakan wajib diisi.")

    # Two approved meanwhile (from another page): approving the third is refused, on its card.
    for item in asked[:2]:
        services.request_day_approve(actor=kabid.user, day_id=item.pk)
    third = page.locator(f"#hari-{asked[2].pk}")
    with page.expect_navigation():
        third.get_by_role("button", name="Setujui").click()
    error = page.locator(f"#galat-{asked[2].pk}")
    expect(error).to_be_focused()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("Tidak dapat disetujui")
    expect(error).to_contain_text("2 dari 5 akan berada di kantor")
    screenshot(page, "inbox-refused-on-item")
    assert RequestDay.objects.get(pk=asked[2].pk).status == Status.PENDING
