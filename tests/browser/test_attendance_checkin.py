"""An employee checks in with one tap on a phone, the browser sending its location.

The live server runs in another thread with the real clock, so the test asserts the
time the server recorded rather than a fixed one.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import Punch
from portal.models import Unit
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = {"latitude": -6.2, "longitude": 106.816666}
NEAR_OFFICE = {"latitude": -6.2003, "longitude": 106.8167, "accuracy": 12}  # about 35 m away


def test_it_checks_in_with_one_tap_on_a_phone(browser, live_server, ani, dinkes):
    Unit.objects.filter(pk=dinkes.pk).update(radius_m=100, **OFFICE)
    phone = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta",
                                geolocation=NEAR_OFFICE, permissions=["geolocation"])
    try:
        page = phone.new_page()
        page.set_default_timeout(10_000)
        login(page, live_server, "ani")
        page.goto(f"{live_server.url}/presensi/")
        expect(page.locator("#server-clock")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
        expect(page.locator(".att-clock abbr")).to_have_text("WIB")
        button = page.get_by_role("button", name="Presensi masuk", exact=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "attendance-checkin-phone")

        button.click()

        expect(page.get_by_role("status").filter(has_text="Presensi masuk tercatat pukul")).to_be_visible()
        punch = Punch.objects.get(employee=ani)
        local = timezone.localtime(punch.check_in_at, ani.unit.tzinfo).strftime("%H:%M")
        expect(page.locator("[data-field='check-in']")).to_have_text(f"{local} WIB")
        expect(page.get_by_role("button", name="Presensi pulang", exact=True)).to_be_visible()
        expect(page.locator(".att-flag")).to_have_count(0)
        assert not punch.flagged and 25 < punch.in_distance_m < 50
        assert punch.in_accuracy_m == 12 and punch.source == "web"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "attendance-checked-in-phone")

        page.get_by_role("button", name="Menu").click()  # the menu opens on its only group, Saya
        page.locator("#site-nav").get_by_role("link", name="Riwayat presensi").click()
        expect(page.locator(f"#hari-{punch.date.isoformat()}")).to_contain_text(f"masuk {local}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "attendance-history-phone")
    finally:
        phone.close()
