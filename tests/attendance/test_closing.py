"""Tutup buku: closing a finished month freezes its day statuses; reopening needs a reason and tells
whoever downloaded its reports. The service, the HR page and the API, as HR admins in and out of scope."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import Correction, DayStatus, PartialPermission, Punch
from attendance.services.closing import month_close, month_reopen
from attendance.services.corrections import correction_hr_apply, correction_submit
from attendance.services.day_status import compute_day_statuses
from attendance.services.permissions import permission_submit
from portal.models import AuditEvent, MonthClosure, Notification
from portal.services.audit import audit_record
from tests.factories import working_hours

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=WIB)  # a Tuesday
NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
CLOSED_DAY = dt.date(2026, 11, 24)  # a Tuesday in November
OPEN_DAY = dt.date(2026, 12, 1)  # a Tuesday in December

pytestmark = pytest.mark.now(NOW, tick=False)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=WIB)


def punch(employee, day, hh, mm) -> Punch:
    return Punch.objects.create(employee=employee, unit=employee.unit, date=day, check_in_at=at(day, hh, mm),
                                check_out_at=at(day, 16, 30))


def status(employee, day) -> DayStatus:
    return DayStatus.objects.get(employee=employee, date=day)


def close(capture, actor, unit, month=NOVEMBER, **kwargs) -> MonthClosure:
    with capture(execute=True):
        closure = month_close(actor=actor, unit=unit, month=month, **kwargs)
    closure.refresh_from_db()
    return closure


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def late_ani(ani):
    """Ani came in at 08:10 on a November and a December day: TL on both."""
    for day in (CLOSED_DAY, OPEN_DAY):
        punch(ani, day, 8, 10)
    compute_day_statuses([ani], CLOSED_DAY, OPEN_DAY)
    assert status(ani, CLOSED_DAY).code == status(ani, OPEN_DAY).code == "TL"
    return ani


# --- The service ---------------------------------------------------------------------------------


def test_it_closes_a_past_month_and_freezes_it_after_the_final_pass(hr, dinkes, late_ani,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        closure = month_close(actor=hr, unit=dinkes, month=dt.date(2026, 11, 17), note="Rekap TPP")
    closure.refresh_from_db()
    assert (closure.month, closure.note, closure.requested_by, closure.closed_at) == (NOVEMBER, "Rekap TPP", hr, None)
    assert AuditEvent.objects.filter(verb="month.close_requested", actor=hr, unit=dinkes).count() == 1
    assert not AuditEvent.objects.filter(verb="month.closed").exists()
    for callback in callbacks:
        callback()  # the broker hand-off: the final recompute runs eagerly in tests
    closure.refresh_from_db()
    assert closure.closed_at is not None and closure.in_force
    event = AuditEvent.objects.get(verb="month.closed")
    assert event.actor is None and event.unit == dinkes and event.after["month"] == "2026-11-01"


def test_it_keeps_a_closed_months_statuses_through_punch_pattern_and_recompute_changes(
        hr, dinkes, pemkot, late_ani, django_capture_on_commit_callbacks):
    close(django_capture_on_commit_callbacks, hr, dinkes)
    for day in (CLOSED_DAY, OPEN_DAY):
        Punch.objects.filter(employee=late_ani, date=day).update(check_in_at=at(day, 6, 50))
    working_hours(pemkot, 1, dt.time(7, 0), dt.time(16, 0), effective_from=NOVEMBER)  # an earlier start
    compute_day_statuses([late_ani], NOVEMBER, OPEN_DAY)
    frozen = status(late_ani, CLOSED_DAY)
    assert (frozen.code, frozen.tl_minutes) == ("TL", 40)
    assert status(late_ani, OPEN_DAY).code == "HADIR"  # December is still open: it follows the change


def test_it_recomputes_the_month_again_once_reopened(hr, dinkes, late_ani, django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, hr, dinkes)
    Punch.objects.filter(employee=late_ani, date=CLOSED_DAY).update(check_in_at=at(CLOSED_DAY, 7, 20))
    month_reopen(actor=hr, closure=closure, reason="SK cuti bersama terlambat diterima.")
    compute_day_statuses([late_ani], CLOSED_DAY, CLOSED_DAY)
    assert status(late_ani, CLOSED_DAY).code == "HADIR"


def test_it_refuses_corrections_and_permissions_for_a_closed_day(hr, dinkes, ani,
                                                                 django_capture_on_commit_callbacks):
    close(django_capture_on_commit_callbacks, hr, dinkes)
    attempts = [
        lambda: correction_submit(actor=ani.user, date=CLOSED_DAY, check_in=dt.time(7, 25), reason="Lupa."),
        lambda: correction_hr_apply(actor=hr, employee_id=ani.pk, date=CLOSED_DAY, check_in=dt.time(7, 25),
                                    reason="Server padam."),
        lambda: permission_submit(actor=ani.user, date=CLOSED_DAY, kind="TERLAMBAT", end_time=dt.time(9, 0),
                                  reason="Antar anak ke dokter."),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "sudah ditutup (tutup buku)" in " ".join(refused.value.messages)
    assert not Correction.objects.exists() and not PartialPermission.objects.exists()
    # A day of the next month is still open.
    correction_submit(actor=ani.user, date=OPEN_DAY, check_in=dt.time(7, 25), reason="Lupa presensi.")


def test_it_refuses_to_close_a_month_that_has_not_ended(hr, dinkes):
    with pytest.raises(ValidationError) as refused:
        month_close(actor=hr, unit=dinkes, month=DECEMBER)
    assert refused.value.message_dict["month"] == [
        "Bulan Desember 2026 belum berakhir; tutup buku sesudah hari terakhirnya."]
    assert not MonthClosure.objects.exists()


def test_it_refuses_to_close_a_month_twice_or_below_a_closed_unit(hr, superuser, pemkot, dinkes, bidang_p2p,
                                                                  django_capture_on_commit_callbacks):
    close(django_capture_on_commit_callbacks, hr, dinkes)
    for unit in (dinkes, bidang_p2p):
        with pytest.raises(ValidationError) as refused:
            month_close(actor=hr, unit=unit, month=NOVEMBER)
        assert refused.value.message_dict["month"] == ["Bulan November 2026 sudah ditutup untuk Dinas Kesehatan."]
    assert MonthClosure.objects.count() == 1
    close(django_capture_on_commit_callbacks, superuser, pemkot, month=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError):
        month_close(actor=hr, unit=dinkes, month=dt.date(2026, 10, 1))


def test_it_needs_a_confirmation_while_items_of_the_month_are_pending(hr, dinkes, ani,
                                                                      django_capture_on_commit_callbacks):
    correction_submit(actor=ani.user, date=CLOSED_DAY, check_in=dt.time(7, 25), reason="Jaringan putus.")
    with pytest.raises(ValidationError) as refused:
        month_close(actor=hr, unit=dinkes, month=NOVEMBER)
    assert "Masih ada 1 usul perbaikan dan 0 izin" in refused.value.message_dict["confirm_pending"][0]
    assert not MonthClosure.objects.exists()
    closure = close(django_capture_on_commit_callbacks, hr, dinkes, confirm_pending=True)
    assert closure.closed_at is not None
    assert AuditEvent.objects.get(verb="month.close_requested").after["pending"] == {"corrections": 1,
                                                                                      "permissions": 0}


def test_it_reopens_only_with_a_reason_audited_and_tells_who_exported(hr, kadis, dinkes,
                                                                      django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, hr, dinkes)
    audit_record(actor=kadis.user, verb="report.exported", obj=dinkes, unit=dinkes, after={
        "params": {"report": "monthly-recap", "start": "2026-11-01", "end": "2026-11-30", "unit": dinkes.pk},
        "format": "csv"})
    with pytest.raises(ValidationError) as refused:
        month_reopen(actor=hr, closure=closure, reason="  ")
    assert refused.value.message_dict["reason"] == ["Alasan membuka kembali wajib diisi."]
    reopened = Notification.objects.filter(kind="attendance.month_reopened")
    assert MonthClosure.objects.get().in_force and not reopened.exists()
    month_reopen(actor=hr, closure=closure, reason="Koreksi SK cuti bersama.")
    closure.refresh_from_db()
    assert (closure.reopened_by, closure.reopen_reason) == (hr, "Koreksi SK cuti bersama.")
    event = AuditEvent.objects.get(verb="month.reopened")
    assert event.actor == hr and event.after["notified"] == [kadis.user.pk]
    note = reopened.get()
    assert note.recipient == kadis.user and "Koreksi SK cuti bersama." in note.params["reason"]
    with pytest.raises(ValidationError):
        month_reopen(actor=hr, closure=closure, reason="Lagi.")


# --- The page ----------------------------------------------------------------------------------------


def page(client, user):
    client.force_login(user)
    return client


def test_the_page_offers_last_month_and_the_units_in_scope(client, hr, dinkes, bidang_p2p, upt, pemprov_lain):
    response = page(client, hr).get(reverse("attendance-closing"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="month"' in html and 'value="2026-11"' in html
    assert f'<option value="{dinkes.pk}"' in html and f'<option value="{upt.pk}"' in html
    assert f'<option value="{pemprov_lain.pk}"' not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Belum ada bulan yang ditutup dalam cakupan Anda." in html


def test_the_page_closes_a_month_and_lists_it(client, hr, dinkes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = page(client, hr).post(reverse("attendance-closing"), {
            "unit": dinkes.pk, "month": "2026-11", "note": "Rekap TPP"}, follow=True)
        html = response.content.decode()  # before the commit: the worker has not run yet
        assert "Tutup buku November 2026 untuk Dinas Kesehatan dimulai" in html
        assert 'data-state="closing"' in html and "sedang ditutup" in html
    closure = MonthClosure.objects.get()
    assert closure.closed_at is not None and closure.note == "Rekap TPP"
    html = client.get(reverse("attendance-closing")).content.decode()
    assert 'data-state="closed"' in html and "Rekap TPP" in html and "hr_dinkes" in html
    assert reverse("attendance-closing-reopen", args=[closure.pk]) in html


def test_the_page_shows_the_services_error_and_writes_nothing(client, hr, dinkes):
    response = page(client, hr).post(reverse("attendance-closing"), {"unit": dinkes.pk, "month": "2026-12"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bulan Desember 2026 belum berakhir; tutup buku sesudah hari terakhirnya." in html
    assert 'id="id_month_error"' in html
    response = client.post(reverse("attendance-closing"), {"unit": dinkes.pk, "month": "2026/11"})
    assert "Isi bulan dengan format TTTT-BB, mis. 2026-11." in response.content.decode()
    assert not MonthClosure.objects.exists()


def test_the_page_asks_to_confirm_pending_items_then_closes(client, hr, dinkes, ani,
                                                           django_capture_on_commit_callbacks):
    correction_submit(actor=ani.user, date=CLOSED_DAY, check_in=dt.time(7, 25), reason="Jaringan putus.")
    data = {"unit": dinkes.pk, "month": "2026-11"}
    html = page(client, hr).post(reverse("attendance-closing"), data).content.decode()
    assert "1 usul perbaikan presensi" in html and "0 izin" in html
    assert 'name="confirm_pending"' in html
    assert "Centang konfirmasi untuk tetap menutup." in html
    assert not MonthClosure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attendance-closing"), {**data, "confirm_pending": "on"})
    assert response.status_code == 302
    assert MonthClosure.objects.get().closed_at is not None


def test_the_page_reopens_with_a_reason_and_a_confirmation(client, hr, dinkes, django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, hr, dinkes)
    url = reverse("attendance-closing-reopen", args=[closure.pk])
    html = page(client, hr).post(url, {"reason": "", "confirm": "on"}).content.decode()
    assert "Alasan membuka kembali wajib diisi." in html and f"id_reopen{closure.pk}_reason" in html
    html = client.post(url, {"reason": "Koreksi SK."}).content.decode()
    assert "Centang konfirmasi untuk membuka kembali bulan ini." in html
    assert MonthClosure.objects.get().in_force
    response = client.post(url, {"reason": "Koreksi SK.", "confirm": "on"}, follow=True)
    html = response.content.decode()
    assert "Bulan November 2026 untuk Dinas Kesehatan dibuka kembali." in html
    assert 'data-state="reopened"' in html and "Koreksi SK." in html
    assert AuditEvent.objects.filter(verb="month.reopened", actor=hr).count() == 1


def test_the_page_answers_404_outside_the_scope(client, hr, hr_other, ani, dinkes,
                                                django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, hr, dinkes)
    html = page(client, hr_other).get(reverse("attendance-closing")).content.decode()
    assert "Dinas Kesehatan" not in html
    url = reverse("attendance-closing-reopen", args=[closure.pk])
    assert client.post(url, {"reason": "Iseng.", "confirm": "on"}).status_code == 404
    response = client.post(reverse("attendance-closing"), {"unit": dinkes.pk, "month": "2026-10"})
    assert "Masukkan pilihan yang valid." in response.content.decode()
    assert page(client, ani.user).get(reverse("attendance-closing")).status_code == 404
    assert MonthClosure.objects.get().in_force and MonthClosure.objects.count() == 1


def test_the_page_shows_a_closure_above_the_scope_without_a_reopen_form(client, hr, superuser, pemkot,
                                                                         django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, superuser, pemkot)
    html = page(client, hr).get(reverse("attendance-closing")).content.decode()
    assert "Pemerintah Kota Contoh" in html and 'data-state="closed"' in html
    assert reverse("attendance-closing-reopen", args=[closure.pk]) not in html
    response = client.post(reverse("attendance-closing-reopen", args=[closure.pk]),
                           {"reason": "Bukan wewenang.", "confirm": "on"})
    assert response.status_code == 404


# --- The API ---------------------------------------------------------------------------------------

API = "/api/v1/attendance/month-closures/"


def test_the_api_closes_lists_and_reopens(hr, kadis, dinkes, django_capture_on_commit_callbacks):
    client = api(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"unit": dinkes.pk, "month": "2026-11", "note": "Rekap TPP"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unit"]["code"] == "DINKES" and body["month"] == "2026-11"
    assert (body["state"], body["note"], body["can_reopen"], body["time_zone"]) == ("closing", "Rekap TPP", True,
                                                                                    "WIB")
    assert body["requested_at"] == "2026-12-08T09:00:00+07:00" and body["closed_at"] is None
    body = client.get(f"{API}{body['id']}/").json()  # the worker's final pass has run since
    assert (body["state"], body["state_label"]) == ("closed", "ditutup") and body["closed_at"] is not None
    listed = client.get(API).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert client.get(API, {"state": "reopened"}).json()["count"] == 0
    response = client.post(f"{API}{body['id']}/reopen/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["reason"] == ["Alasan membuka kembali wajib diisi."]
    response = client.post(f"{API}{body['id']}/reopen/", {"reason": "Koreksi SK."}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["reopen_reason"]) == ("reopened", "Koreksi SK.")
    assert client.get(API, {"state": "reopened", "month": "2026-11"}).json()["count"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"month": "2026-11"}, "unit"),
    ({"unit": 0, "month": "2026-11"}, "unit"),
    ({"unit": "x", "month": "2026-11"}, "unit"),
    ({"month": "2026-13"}, "month"),
    ({"month": "9999-01"}, "month"),
    ({"month": "2026-12"}, "month"),  # not over yet: the service's refusal
    ({"month": "2026-11", "note": "x" * 256}, "note"),
])
def test_the_api_answers_400_with_field_errors(hr, dinkes, body, field):
    body = {"unit": dinkes.pk, **body} if field != "unit" else body
    response = api(hr).post(API, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not MonthClosure.objects.exists()


def test_the_api_keeps_other_institutions_out(hr, hr_other, ani, dinkes, django_capture_on_commit_callbacks):
    closure = close(django_capture_on_commit_callbacks, hr, dinkes)
    other = api(hr_other)
    assert other.get(API).json()["count"] == 0
    assert other.get(f"{API}{closure.pk}/").status_code == 404
    assert other.post(f"{API}{closure.pk}/reopen/", {"reason": "Iseng."}, format="json").status_code == 404
    response = other.post(API, {"unit": dinkes.pk, "month": "2026-10"}, format="json")
    assert response.status_code == 400 and "unit" in response.json()["error"]["fields"]
    assert api(ani.user).get(API).status_code == 404
    assert APIClient().get(API).status_code in (401, 403)
    assert MonthClosure.objects.get().in_force


def test_the_schema_documents_the_endpoints(db):
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/attendance/month-closures/"])
    assert "get" in paths["/api/v1/attendance/month-closures/{id}/"]
    assert "post" in paths["/api/v1/attendance/month-closures/{id}/reopen/"]


def test_it_closes_in_the_units_own_time_zone(hr, upt, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=WIB), tick=False):  # 1 December in WITA
        closure = close(django_capture_on_commit_callbacks, hr, upt)
    assert closure.month == NOVEMBER
