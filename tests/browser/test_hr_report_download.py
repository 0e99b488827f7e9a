"""HR opens the attendance reports, shows the monthly recap of their OPD and downloads it as CSV.

The live server runs with the real clock, so the month is last month (always finished)
and the punch is on its first working day.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from playwright.sync_api import expect

from attendance.models import Punch
from portal.selectors import workcalendar
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_month(unit) -> tuple[dt.date, dt.date]:
    last = unit.local_today().replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def test_it_lets_hr_download_the_monthly_recap(page, live_server, hr, dinkes, ani, budi):
    first, last = _last_month(ani.unit)
    day = workcalendar.working_days(ani.unit, first, last)[0]
    Punch.objects.create(employee=ani, unit=ani.unit, date=day,
                         check_in_at=dt.datetime.combine(day, dt.time(7, 20), tzinfo=ani.unit.tzinfo),
                         check_out_at=dt.datetime.combine(day, dt.time(16, 30), tzinfo=ani.unit.tzinfo))
    login(page, live_server, "hr_dinkes")
    page.goto(f"{live_server.url}/laporan/")
    page.get_by_role("combobox", name="Laporan").select_option("monthly-recap")
    page.get_by_label("Unit kerja (beserta sub-unit)").select_option(str(dinkes.pk))
    page.get_by_label("Bulan", exact=True).fill(f"{first:%Y-%m}")
    with page.expect_navigation():
        page.get_by_role("button", name="Tampilkan").click()
    table = page.locator("#report-table")
    expect(table).to_contain_text("Ani Lestari")
    expect(table).to_contain_text("Budi Santoso")
    screenshot(page, "hr-report-recap")
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    download = info.value
    assert download.suggested_filename == f"rekap-bulanan_DINKES_{first:%Y-%m}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:6] == ["NIP", "Nama", "Jabatan", "Unit kerja", "Hari kerja", "Hadir"]
    ani_row = next(r for r in rows if r[1] == "Ani Lestari")
    working = len(workcalendar.working_days(ani.unit, first, last))
    assert ani_row[0] == ani.nip_display and ani_row[4:6] == [str(working), "1"]  # the NIP grouped, as text
    budi_row = next(r for r in rows if r[1] == "Budi Santoso")
    assert budi_row[30] == str(working)  # never came: every working day is TK
