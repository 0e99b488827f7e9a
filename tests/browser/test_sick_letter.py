"""Two days of cuti sakit in a real browser: the form says a doctor's letter is needed before
anything is sent, refuses the request without it, takes the PDF, and the supervisor finds the
letter on the inbox card and downloads it.

The live server runs with the real clock, so the days are next week's working days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.selectors import workcalendar
from scheduling.models import Kind, RequestDay, Status
from tests.browser.conftest import login, screenshot
from tests.factories import PDF_BYTES, EmployeeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LETTER = "surat-dokter.pdf"


def _next_week_working_days(unit) -> list[dt.date]:
    today = unit.local_today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return workcalendar.working_days(unit, monday, monday + dt.timedelta(days=13))


@pytest.fixture
def grantor(pemkot):
    """Cuti is granted by the head of the institution when no official is configured."""
    pemkot.head = EmployeeFactory(name="Sekretaris Daerah", unit=pemkot, user=UserFactory(username="sekda"))
    pemkot.save(update_fields=["head"])
    return pemkot.head


def test_a_two_day_sick_leave_carries_a_doctors_letter_to_the_supervisor(page, live_server, ani, kabid, grantor):
    first, second = _next_week_working_days(ani.unit)[:2]
    login(page, live_server, "ani")
    page.goto(f"{live_server.url}/rencana/ajukan/")
    page.get_by_label("Jenis").select_option(Kind.CS.value)
    page.get_by_label("Rentang tanggal").check()
    page.locator("#id_start").fill(first.isoformat())
    page.locator("#id_end").fill(second.isoformat())

    # Told before submitting: in the panel and next to the file field.
    expect(page.locator("#preview [data-document-required]")).to_contain_text("Surat keterangan dokter")
    hint = page.locator("#evidence-requirement")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Surat keterangan dokter")
    expect(hint).to_contain_text("cuti sakit lebih dari 1 hari")
    screenshot(page, "sick-letter-required")

    # Without it the request is refused, on the file field, and nothing is saved.
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan", exact=True).click()
    expect(page.locator("#id_evidence_error")).to_contain_text("Surat keterangan dokter wajib dilampirkan")
    assert not RequestDay.objects.filter(employee=ani).exists()

    page.locator("#id_evidence").set_input_files(
        files=[{"name": LETTER, "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("2 hari diajukan.")
    assert list(RequestDay.objects.filter(employee=ani, status=Status.PENDING).values_list("date", flat=True)) == [
        first, second]

    page.context.clear_cookies()
    login(page, live_server, "kabid")
    page.goto(f"{live_server.url}/persetujuan/")
    card = page.locator(".inbox-item", has_text="Ani Lestari").first
    expect(card).to_contain_text("Cuti sakit")
    link = card.get_by_role("link", name=LETTER)
    expect(link).to_be_visible()
    screenshot(page, "sick-letter-inbox")
    with page.expect_download() as download:
        link.click()
    saved = download.value
    assert saved.suggested_filename == LETTER
    assert open(saved.path(), "rb").read() == PDF_BYTES
