"""HR reads the audit trail in a real browser: an approval by a Plh as one sentence, the stored data
one click away, on a desktop and on a phone.

The live server runs with the real clock: the day is next week's first working day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from playwright.sync_api import expect

from portal.models.audit import long_date
from portal.selectors import workcalendar
from scheduling import services
from scheduling.models import Kind
from tests.browser.conftest import PHONE, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_reads_a_plh_approval_as_a_sentence(browser, live_server, hr, ani, plh):
    today = ani.unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    day = workcalendar.working_days(ani.unit, monday, monday + dt.timedelta(days=13))[0]
    (request_day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[day]).days
    services.request_day_approve(actor=plh.user, day_id=request_day.pk)
    with translation.override("id"):
        sentence = f"Citra Plh (Plh. Kepala Bidang P2P) menyetujui WFH Ani Lestari untuk {long_date(day)}"

    page = new_context(browser).new_page()
    login(page, live_server, "hr_dinkes")
    page.goto(f"{live_server.url}/hr/audit/?person=Ani+Lestari")
    event = page.locator(".audit-event", has_text=sentence)
    expect(event).to_have_count(1)
    expect(event.locator(".audit-event__json").last).to_be_hidden()
    event.get_by_text("Data tersimpan").click()
    expect(event.locator(".audit-event__json").last).to_contain_text('"status": "approved"')
    expect(event).to_contain_text("request_day.approved")
    screenshot(page, "audit-trail-desktop")
    page.context.close()

    phone = new_context(browser, viewport=PHONE).new_page()
    login(phone, live_server, "hr_dinkes")
    phone.goto(f"{live_server.url}/hr/audit/")
    expect(phone.locator(".audit-event__sentence", has_text=sentence)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "audit-trail-phone")
    phone.context.close()
