"""The attendance pages: check-in, history, corrections (employee, supervisor, HR), who sees what."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance.models import Correction, CorrectionStatus, DayStatus, Punch
from attendance.services.corrections import correction_submit
from attendance.services.presence import punch_check_in
from portal.models import Unit
from tests.factories import EmployeeFactory

WIB = ZoneInfo("Asia/Jakarta")
TUESDAY = dt.date(2026, 12, 1)
WEDNESDAY = dt.date(2026, 12, 2)
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(WEDNESDAY, 7, 12), tick=False) as clock:
        yield clock


def login(client, user):
    client.force_login(user)
    return client


def pending_correction(employee) -> Correction:
    return correction_submit(actor=employee.user, date=TUESDAY, check_in=dt.time(7, 25),
                             reason="Jaringan kantor putus.")


# --- Check-in page --------------------------------------------------------------------------


def test_it_shows_server_time_mode_and_office_hours_in_the_units_zone(client, ani):
    html = login(client, ani.user).get(reverse("attendance-checkin")).content.decode()
    assert "07:12:00" in html and ">WIB<" in html
    assert "WFO (di kantor)" in html
    assert "07:30–16:00 WIB" in html
    assert "Presensi masuk" in html
    assert 'action="/presensi/masuk/"' in html


def test_it_shows_a_wita_clock_to_a_wita_employee(client, upt):
    nurse = EmployeeFactory(unit=upt)
    html = login(client, nurse.user).get(reverse("attendance-checkin")).content.decode()
    assert "08:12:00" in html and ">WITA<" in html


def test_it_uses_no_inline_script_or_style(client, ani):
    html = login(client, ani.user).get(reverse("attendance-checkin")).content.decode()
    assert "/static/js/attendance.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_it_checks_in_without_javascript_and_flags_the_missing_location(client, ani):
    response = login(client, ani.user).post(reverse("attendance-checkin-post"), follow=True)
    html = response.content.decode()
    assert "Presensi masuk tercatat pukul 07:12 WIB." in html
    assert "Lokasi tidak diketahui pada hari WFO" in html
    assert "Presensi pulang" in html  # the button turned into check-out
    punch = Punch.objects.get(employee=ani)
    assert punch.flagged and punch.source == "web"


def test_it_answers_a_repeated_tap_with_the_existing_time(client, ani, _frozen):
    login(client, ani.user).post(reverse("attendance-checkin-post"), {"latitude": "", "longitude": ""}, **FETCH)
    _frozen.move_to(at(WEDNESDAY, 7, 20))
    response = client.post(reverse("attendance-checkin-post"), **FETCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anda sudah presensi masuk pukul 07:12 WIB." in html
    assert "<html" not in html  # the panel fragment only
    assert Punch.objects.filter(employee=ani).count() == 1


def test_it_checks_out_with_the_browsers_location(client, ani, dinkes, _frozen):
    Unit.objects.filter(pk=dinkes.pk).update(latitude=-6.2, longitude=106.816666, radius_m=100)
    login(client, ani.user).post(reverse("attendance-checkin-post"),
                                 {"latitude": "-6.2003", "longitude": "106.816666", "accuracy": "10"}, **FETCH)
    _frozen.move_to(at(WEDNESDAY, 16, 3))
    login(client, ani.user)  # sessions last 8 hours
    response = client.post(reverse("attendance-checkout-post"),
                           {"latitude": "-6.2002", "longitude": "106.816666", "accuracy": "8"}, **FETCH)
    html = response.content.decode()
    assert "Presensi pulang tercatat pukul 16:03 WIB." in html
    assert "07:12 WIB" in html and "16:03 WIB" in html
    assert "att-flag" not in html
    punch = Punch.objects.get(employee=ani)
    assert not punch.flagged and 20 < punch.out_distance_m < 25


def test_it_offers_no_check_in_after_a_check_out_without_one(client, ani):
    response = login(client, ani.user).post(reverse("attendance-checkout-post"), **FETCH)
    html = response.content.decode()
    assert "Presensi pulang tercatat pukul 07:12 WIB." in html
    assert "Perbarui presensi pulang" in html
    assert "/presensi/masuk/" not in html


def test_it_shows_the_flag_with_the_distance_when_far_from_the_office(client, ani, dinkes):
    Unit.objects.filter(pk=dinkes.pk).update(latitude=-6.2, longitude=106.816666, radius_m=100)
    response = login(client, ani.user).post(reverse("attendance-checkin-post"),
                                            {"latitude": "-6.22", "longitude": "106.816666"}, **FETCH)
    assert "Lokasi presensi sekitar 2,2 km dari kantor" in response.content.decode()


def test_it_reports_invalid_coordinates_and_records_nothing(client, ani):
    response = login(client, ani.user).post(reverse("attendance-checkin-post"),
                                            {"latitude": "200", "longitude": "106.8"}, **FETCH)
    assert response.status_code == 400
    assert "Koordinat lokasi di luar jangkauan." in response.content.decode()
    assert not Punch.objects.exists()


def test_it_hides_the_check_in_page_from_accounts_without_an_employee(client, hr):
    assert login(client, hr).get(reverse("attendance-checkin")).status_code == 404
    assert client.post(reverse("attendance-checkin-post")).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(reverse("attendance-checkin"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("attendance-checkin-post")).status_code == 302
    assert not Punch.objects.exists()


def test_it_refuses_get_on_the_punch_endpoints(client, ani):
    assert login(client, ani.user).get(reverse("attendance-checkin-post")).status_code == 405


# --- History --------------------------------------------------------------------------------


def test_it_lists_the_month_with_codes_bands_and_raw_punches(client, ani, _frozen):
    _frozen.move_to(at(TUESDAY, 8, 5))
    punch_check_in(actor=ani.user)
    pending_correction(ani)
    _frozen.move_to(at(WEDNESDAY, 10, 0))
    html = login(client, ani.user).get(reverse("attendance-history") + "?bulan=2026-12").content.decode()
    assert "Desember 2026" in html
    tuesday = html.split('id="hari-2026-12-01"')[1].split("</li>")[0]
    assert "Terlambat" in tuesday and "TL2" in tuesday and "35 menit" in tuesday
    assert "tidak presensi pulang" in tuesday and "PSW4" in tuesday
    assert "masuk 08:05" in tuesday
    assert "masuk 07:25" in tuesday and "menunggu persetujuan" in tuesday
    assert DayStatus.objects.get(employee=ani, date=WEDNESDAY).code == "BELUM"


def test_it_marks_a_past_working_day_without_punches_as_tk(client, ani):
    html = login(client, ani.user).get(reverse("attendance-history") + "?bulan=2026-11").content.decode()
    friday = html.split('id="hari-2026-11-27"')[1].split("</li>")[0]
    assert "Tanpa keterangan (TK)" in friday
    assert "?tanggal=2026-11-27" in friday  # offers a correction
    assert 'id="hari-2026-11-28"' not in html  # Saturday: no row


def test_it_shows_only_the_callers_own_history(client, ani, budi, _frozen):
    _frozen.move_to(at(WEDNESDAY, 7, 40))
    punch_check_in(actor=budi.user)
    html = login(client, ani.user).get(reverse("attendance-history")).content.decode()
    assert "07:40" not in html


# --- Corrections: employee ------------------------------------------------------------------


def test_it_submits_a_correction_with_evidence_and_lists_it(client, ani, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = SimpleUploadedFile("bukti.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, content_type="image/png")
    response = login(client, ani.user).post(reverse("attendance-correction-new"), {
        "date": "2026-12-01", "check_in": "07:25", "check_out": "", "reason": "Jaringan putus.",
        "evidence": evidence}, follow=True)
    html = response.content.decode()
    assert "Usul perbaikan presensi dikirim ke atasan Anda." in html
    correction = Correction.objects.get(employee=ani)
    assert correction.check_in_at == at(TUESDAY, 7, 25) and correction.check_out_at is None
    assert "Menunggu persetujuan" in html and "Tarik usul" in html
    download = client.get(reverse("attendance-correction-evidence", args=[correction.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_it_shows_service_errors_on_the_form(client, ani):
    fake = SimpleUploadedFile("bukti.pdf", b"GIF89a....", content_type="application/pdf")
    response = login(client, ani.user).post(reverse("attendance-correction-new"), {
        "date": "2026-12-03", "check_in": "07:25", "reason": "x", "evidence": fake})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Perbaikan hanya untuk hari yang sudah berjalan." in html
    assert not Correction.objects.exists()


def test_it_prefills_the_date_from_the_history_link(client, ani):
    html = login(client, ani.user).get(reverse("attendance-correction-new") + "?tanggal=2026-11-27").content.decode()
    assert 'value="2026-11-27"' in html


def test_it_withdraws_only_an_own_correction(client, ani, budi):
    correction = pending_correction(ani)
    url = reverse("attendance-correction-withdraw", args=[correction.pk])
    assert login(client, budi.user).post(url).status_code == 404
    login(client, ani.user).post(url)
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.WITHDRAWN


# --- Corrections: supervisor ----------------------------------------------------------------


def test_it_shows_the_supervisor_the_original_punch_beside_the_proposal(client, ani, kabid, _frozen):
    _frozen.move_to(at(TUESDAY, 9, 2))
    punch_check_in(actor=ani.user)
    _frozen.move_to(at(WEDNESDAY, 9, 0))
    pending_correction(ani)
    html = login(client, kabid.user).get(reverse("attendance-corrections-inbox")).content.decode()
    item = html.split('class="card att-corr inbox-item"')[1]
    assert "Ani Lestari" in item and "Jaringan kantor putus." in item
    assert "<td>09:02</td>" in item and "<td>07:25</td>" in item


def test_it_approves_and_rejects_from_the_inbox(client, ani, budi, kabid):
    first, second = pending_correction(ani), pending_correction(budi)
    login(client, kabid.user)
    response = client.post(reverse("attendance-correction-decide", args=[first.pk]), {"action": "approve"},
                           follow=True)
    assert "Perbaikan presensi Ani Lestari tanggal 1 Desember 2026 disetujui." in response.content.decode()
    response = client.post(reverse("attendance-correction-decide", args=[second.pk]), {"action": "reject"},
                           follow=True)
    assert "Alasan penolakan wajib diisi." in response.content.decode()
    client.post(reverse("attendance-correction-decide", args=[second.pk]), {"action": "reject", "reason": "Tidak."})
    assert Correction.objects.get(pk=first.pk).status == CorrectionStatus.APPROVED
    assert Correction.objects.get(pk=second.pk).status == CorrectionStatus.REJECTED
    again = client.post(reverse("attendance-correction-decide", args=[first.pk]), {"action": "reject",
                                                                                   "reason": "x"}, follow=True)
    assert "sudah diputus sebelumnya" in again.content.decode()


def test_it_shows_the_plh_the_corrections_they_decide(client, ani, plh):
    pending_correction(ani)
    html = login(client, plh.user).get(reverse("attendance-corrections-inbox")).content.decode()
    assert "Ani Lestari" in html and "Plh. Kepala Bidang P2P" in html


@pytest.mark.parametrize("who", ["ani", "hr", "outsider"])
def test_it_hides_the_inbox_from_non_supervisors(client, request, who, ani):
    correction = pending_correction(ani)
    person = request.getfixturevalue(who)
    login(client, getattr(person, "user", person))
    assert client.get(reverse("attendance-corrections-inbox")).status_code == 404
    assert client.post(reverse("attendance-correction-decide", args=[correction.pk]),
                       {"action": "approve"}).status_code == 404


def test_it_answers_404_to_another_supervisor(client, ani, kadis):
    correction = pending_correction(ani)
    response = login(client, kadis.user).post(reverse("attendance-correction-decide", args=[correction.pk]),
                                              {"action": "approve"})
    assert response.status_code == 404
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


def test_it_serves_evidence_only_to_those_who_may_see_the_correction(client, ani, kabid, hr, hr_other, outsider,
                                                                     settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    correction = correction_submit(actor=ani.user, date=TUESDAY, check_in=dt.time(7, 25), reason="x",
                                   evidence=SimpleUploadedFile("b.pdf", b"%PDF-1.4 test"))
    url = reverse("attendance-correction-evidence", args=[correction.pk])
    for user, code in [(kabid.user, 200), (hr, 200), (hr_other, 404), (outsider.user, 404)]:
        assert login(client, user).get(url).status_code == code


# --- Corrections: HR ------------------------------------------------------------------------


def test_it_lets_hr_correct_an_employee_by_nip(client, ani, hr):
    response = login(client, hr).post(reverse("attendance-correction-hr"), {
        "nip": ani.nip_display, "date": "2026-12-01", "check_in": "07:30", "check_out": "16:00",
        "reason": "Server padam."}, follow=True)
    assert "Presensi Ani Lestari dikoreksi." in response.content.decode()
    correction = Correction.objects.get(employee=ani)
    assert correction.status == CorrectionStatus.APPROVED and correction.created_by == hr
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).code == "HADIR"


def test_it_does_not_find_employees_outside_the_hr_scope(client, ani, hr_other):
    response = login(client, hr_other).post(reverse("attendance-correction-hr"), {
        "nip": ani.nip, "date": "2026-12-01", "check_in": "07:30", "reason": "x"})
    assert "tidak ditemukan dalam cakupan Anda" in response.content.decode()
    assert not Correction.objects.exists()


@pytest.mark.parametrize("who", ["ani", "kabid"])
def test_it_hides_the_hr_page_from_staff(client, request, who):
    assert login(client, request.getfixturevalue(who).user).get(reverse("attendance-correction-hr")).status_code \
        == 404
