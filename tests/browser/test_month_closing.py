"""HR closes last month for their OPD on the tutup buku page, then the report of that month says so.

The live server runs with the real clock, so the month is last month (always finished). Celery runs
eagerly after the commit, inside the request, so the final recompute has run when the page answers.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from attendance.models import Punch
from portal.models import MonthClosure
from portal.selectors import workcalendar
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_month(unit) -> tuple[dt.date, dt.date]:
    last = unit.local_today().replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def test_it_lets_hr_close_last_month_and_shows_it_on_the_report(page, live_server, hr, dinkes, ani, budi):
    first, last = _last_month(ani.unit)
    day = workcalendar.working_days(ani.unit, first, last)[0]
    Punch.objects.create(employee=ani, unit=ani.unit, date=day,
                         check_in_at=dt.datetime.combine(day, dt.time(7, 20), tzinfo=ani.unit.tzinfo),
                         check_out_at=dt.datetime.combine(day, dt.time(16, 30), tzinfo=ani.unit.tzinfo))
    login(page, live_server, "hr_dinkes")
    page.goto(f"{live_server.url}/hr/presensi/tutup-buku/")
    expect(page.get_by_role("heading", name="Tutup buku presensi")).to_be_visible()
    page.get_by_label("Unit kerja (beserta sub-unit)").select_option(str(dinkes.pk))
    month = page.locator("#id_month")
    expect(month).to_have_value(f"{first:%Y-%m}")  # last month is the default
    page.get_by_label("Catatan (opsional)").fill("Rekap TPP")
    with page.expect_navigation():
        page.get_by_role("button", name="Tutup bulan").click()
    expect(page.locator(".messages")).to_contain_text("ditutup untuk Dinas Kesehatan")
    row = page.locator("[data-test=closure]").first
    expect(row).to_have_attribute("data-state", "closed")
    expect(row).to_contain_text("Rekap TPP")
    screenshot(page, "hr-month-closing")
    closure = MonthClosure.objects.get()
    assert (closure.unit_id, closure.month, closure.requested_by_id) == (dinkes.pk, first, hr.pk)
    assert closure.closed_at is not None

    page.goto(f"{live_server.url}/laporan/?report=monthly-recap&unit={dinkes.pk}&month={first:%Y-%m}")
    status = page.locator("[data-test=closure-status]")
    expect(status).to_contain_text(re.compile("ditutup", re.IGNORECASE))
    expect(status).not_to_contain_text(re.compile("sedang|belum", re.IGNORECASE))
    expect(page.locator("#report-table")).to_contain_text("Ani Lestari")
    screenshot(page, "hr-report-closed-month")
