"""Partial-day permissions (izin terlambat, pulang cepat, meninggalkan kantor): the employee's page,
the supervisor's inbox (also as Plh), the API, and what an approved permission does to the day."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from attendance.models import DayStatus, PartialPermission, PermissionStatus, Punch
from attendance.services.closing import month_close
from attendance.services.day_status import recompute_day
from attendance.services.permissions import permission_decide, permission_submit
from portal.models import AuditEvent, Delegation

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=WIB)  # Wednesday 2 December 2026, 09:00 WIB
TUESDAY = dt.date(2026, 12, 1)
THURSDAY = dt.date(2026, 12, 3)
FRIDAY = dt.date(2026, 12, 4)
PAGE = "/presensi/izin/"
INBOX = "/presensi/izin/persetujuan/"
API = "/api/v1/attendance/permissions/"

pytestmark = pytest.mark.now(NOW, tick=False)


def login(client, user):
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    return response.json()["error"]


def late(employee, day: dt.date = THURSDAY, until: dt.time = dt.time(9)) -> PartialPermission:
    return permission_submit(actor=employee.user, date=day, kind="TERLAMBAT", end_time=until,
                             reason="Mengantar anak ke rumah sakit.")


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<div class="field__error" id="id_{field}_error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


# --- The employee's page -----------------------------------------------------------------------


def test_it_shows_the_form_and_own_permissions(client, ani, budi):
    late(ani)
    late(budi)
    html = login(client, ani.user).get(PAGE).content.decode()
    assert "Izin terlambat / pulang cepat" in html
    assert 'type="radio" name="kind" value="PULANG_CEPAT"' in html and 'type="time" name="end_time"' in html
    assert "Izin saya" in html and "datang paling lambat 09:00 WIB" in html
    assert html.count('action="/presensi/izin/') == 1  # one withdraw button: hers, not Budi's
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html


@pytest.mark.parametrize("kind, start, end, stored", [
    ("TERLAMBAT", "", "09:15", (None, dt.time(9, 15))),
    ("PULANG_CEPAT", "14:00", "15:00", (dt.time(14), None)),  # only the start is kept
    ("KELUAR", "10:00", "11:30", (dt.time(10), dt.time(11, 30))),
])
def test_it_submits_each_kind_with_its_times(client, ani, kind, start, end, stored):
    response = login(client, ani.user).post(PAGE, {"date": THURSDAY.isoformat(), "kind": kind, "start_time": start,
                                                   "end_time": end, "reason": "Urusan keluarga."}, follow=True)
    assert "Permohonan izin dikirim ke atasan Anda." in response.content.decode()
    permission = PartialPermission.objects.get(employee=ani)
    assert (permission.kind, permission.start_time, permission.end_time) == (kind, *stored)
    assert permission.status == PermissionStatus.PENDING
    assert AuditEvent.objects.filter(verb="permission.submitted").count() == 1


@pytest.mark.parametrize("kind, start, end, field, message", [
    ("TERLAMBAT", "09:00", "", "end_time", "Isi sampai jam berapa Anda terlambat datang."),
    ("PULANG_CEPAT", "", "15:00", "start_time", "Isi jam berapa Anda pulang."),
    ("KELUAR", "10:00", "", "start_time", "Isi jam keluar dan jam kembali."),
    ("KELUAR", "11:00", "10:00", "end_time", "Jam kembali harus sesudah jam keluar."),
])
def test_it_shows_missing_times_beside_the_field_and_writes_nothing(client, ani, kind, start, end, field, message):
    response = login(client, ani.user).post(PAGE, {"date": THURSDAY.isoformat(), "kind": kind, "start_time": start,
                                                   "end_time": end, "reason": "Urusan keluarga."})
    assert response.status_code == 200
    assert field_error(response.content.decode(), field) == message
    assert not PartialPermission.objects.exists()


def test_it_requires_a_reason_and_a_known_kind(client, ani):
    html = login(client, ani.user).post(PAGE, {"date": THURSDAY.isoformat(), "kind": "CUTI",
                                               "end_time": "09:00", "reason": ""}).content.decode()
    assert field_error(html, "kind") and field_error(html, "reason")
    assert not PartialPermission.objects.exists()


def test_it_refuses_a_day_of_a_closed_month(client, hr, ani, dinkes):
    month_close(actor=hr, unit=dinkes, month=dt.date(2026, 11, 1))
    html = login(client, ani.user).post(PAGE, {"date": "2026-11-30", "kind": "TERLAMBAT", "end_time": "09:00",
                                               "reason": "Ban bocor."}).content.decode()
    assert "Bulan November 2026 sudah ditutup (tutup buku)" in field_error(html, "date")
    assert not PartialPermission.objects.exists()


def test_it_refuses_a_second_active_permission_of_the_same_kind(client, ani):
    late(ani)
    html = login(client, ani.user).post(PAGE, {"date": THURSDAY.isoformat(), "kind": "TERLAMBAT",
                                               "end_time": "10:00", "reason": "Lagi."}).content.decode()
    assert "Sudah ada izin jenis ini" in field_error(html, "kind")
    assert PartialPermission.objects.count() == 1


def test_it_withdraws_an_own_pending_permission_only(client, ani, budi, kabid):
    mine, decided, hers = late(ani), late(ani, FRIDAY), late(budi)
    permission_decide(actor=kabid.user, permission_id=decided.pk, approve=True)
    response = login(client, ani.user).post(f"/presensi/izin/{mine.pk}/tarik/", follow=True)
    assert "Permohonan izin ditarik." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == PermissionStatus.WITHDRAWN
    response = client.post(f"/presensi/izin/{decided.pk}/tarik/", follow=True)
    assert "Hanya izin yang menunggu yang dapat ditarik." in response.content.decode()
    decided.refresh_from_db()
    assert decided.status == PermissionStatus.APPROVED
    assert client.post(f"/presensi/izin/{hers.pk}/tarik/").status_code == 404
    assert client.get(f"/presensi/izin/{mine.pk}/tarik/").status_code == 405


def test_it_hides_the_page_from_accounts_without_an_employee(client, hr):
    assert login(client, hr).get(PAGE).status_code == 404


# --- The supervisor's inbox --------------------------------------------------------------------


def test_the_inbox_lists_pending_permissions_oldest_day_first(client, kabid, ani, budi):
    later, earlier = late(ani, FRIDAY), late(budi, THURSDAY)
    done = late(ani, THURSDAY)
    permission_decide(actor=kabid.user, permission_id=done.pk, approve=False, reason="Tidak.")
    html = login(client, kabid.user).get(INBOX).content.decode()
    ids = [int(i) for i in re.findall(r'id="izin-(\d+)"', html)]
    assert ids == [earlier.pk, later.pk]
    assert "Budi Santoso" in html and "Mengantar anak ke rumah sakit." in html and "datang paling lambat 09:00" in html


@pytest.mark.parametrize("who", ["ani", "outsider", "hr"])
def test_the_inbox_is_only_for_deciders(request, client, who):
    user = request.getfixturevalue(who)
    assert login(client, getattr(user, "user", user)).get(INBOX).status_code == 404


def test_the_supervisor_approves(client, kabid, ani):
    permission = late(ani)
    response = login(client, kabid.user).post(f"/presensi/izin/{permission.pk}/putuskan/",
                                              {"action": "approve", "reason": ""}, follow=True)
    assert "Izin terlambat Ani Lestari tanggal 3 Desember 2026 disetujui." in response.content.decode()
    permission.refresh_from_db()
    assert (permission.status, permission.decided_by, permission.acting_for) == ("approved", kabid.user, "")
    html = login(client, ani.user).get(PAGE).content.decode()
    assert "Diputus oleh Kepala Bidang P2P, 2 Desember 2026 09:00 WIB" in html


def test_a_rejection_needs_a_reason_shown_beside_the_item(client, kabid, ani, budi):
    first, permission = late(budi, THURSDAY), late(ani, FRIDAY)
    response = login(client, kabid.user).post(f"/presensi/izin/{permission.pk}/putuskan/",
                                              {"action": "reject", "reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    item = re.search(rf'<li class="card att-corr inbox-item" id="izin-{permission.pk}">(.*?)</li>', html, re.S)
    assert "Alasan penolakan wajib diisi." in item.group(1)
    other = re.search(rf'<li class="card att-corr inbox-item" id="izin-{first.pk}">(.*?)</li>', html, re.S)
    assert "wajib diisi" not in other.group(1)
    assert "wajib diisi" not in html.split('<ul class="att-corrs">')[0]  # not at the top of the page
    permission.refresh_from_db()
    assert permission.status == PermissionStatus.PENDING
    response = client.post(f"/presensi/izin/{permission.pk}/putuskan/",
                           {"action": "reject", "reason": "Ada rapat pagi itu."}, follow=True)
    assert "ditolak" in response.content.decode()
    permission.refresh_from_db()
    assert (permission.status, permission.decision_reason) == ("rejected", "Ada rapat pagi itu.")


def test_a_second_decision_changes_nothing(client, kabid, ani):
    permission = late(ani)
    permission_decide(actor=kabid.user, permission_id=permission.pk, approve=True)
    response = login(client, kabid.user).post(f"/presensi/izin/{permission.pk}/putuskan/",
                                              {"action": "reject", "reason": "Berubah pikiran."}, follow=True)
    assert "sudah diputus sebelumnya" in response.content.decode()
    permission.refresh_from_db()
    assert permission.status == PermissionStatus.APPROVED


def test_the_plh_decides_for_the_official_and_is_recorded_as_acting(client, plh, kabid, ani):
    permission = late(ani)
    title = Delegation.objects.get(delegate=plh).acting_title
    html = login(client, plh.user).get(INBOX).content.decode()
    assert f"Anda juga memutuskan sebagai: {title}" in html and f"Anda memutuskan sebagai {title}." in html
    client.post(f"/presensi/izin/{permission.pk}/putuskan/", {"action": "approve"})
    permission.refresh_from_db()
    assert permission.status == PermissionStatus.APPROVED and permission.decided_by == plh.user
    assert permission.acting_for == title
    event = AuditEvent.objects.get(verb="permission.approved")
    assert event.acting_for == permission.acting_for


def test_nobody_decides_their_own_permission(client, plh):
    own = late(plh)  # the Plh acts for her own supervisor: still not for herself
    assert f'id="izin-{own.pk}"' not in login(client, plh.user).get(INBOX).content.decode()
    assert client.post(f"/presensi/izin/{own.pk}/putuskan/", {"action": "approve"}).status_code == 404
    own.refresh_from_db()
    assert own.status == PermissionStatus.PENDING


@pytest.mark.parametrize("who", ["budi", "outsider", "kadis"])
def test_others_get_404_on_a_decision(request, client, ani, kabid, who):
    permission = late(ani)
    user = request.getfixturevalue(who).user
    assert login(client, user).post(f"/presensi/izin/{permission.pk}/putuskan/",
                                    {"action": "approve"}).status_code == 404
    permission.refresh_from_db()
    assert permission.status == PermissionStatus.PENDING


def test_a_decision_in_a_closed_month_is_refused_beside_the_item(client, hr, kabid, ani, dinkes):
    permission = late(ani, dt.date(2026, 11, 30))
    month_close(actor=hr, unit=dinkes, month=dt.date(2026, 11, 1), confirm_pending=True)
    html = login(client, kabid.user).post(f"/presensi/izin/{permission.pk}/putuskan/",
                                          {"action": "approve"}).content.decode()
    item = re.search(rf'id="izin-{permission.pk}">(.*?)</li>', html, re.S).group(1)
    assert "sudah ditutup (tutup buku)" in item
    permission.refresh_from_db()
    assert permission.status == PermissionStatus.PENDING


# --- What an approved permission does to the day -----------------------------------------------


def punch(employee, day: dt.date, check_in: dt.time, check_out: dt.time) -> Punch:
    return Punch.objects.create(employee=employee, unit=employee.unit, date=day,
                                check_in_at=dt.datetime.combine(day, check_in, tzinfo=WIB),
                                check_out_at=dt.datetime.combine(day, check_out, tzinfo=WIB))


def test_an_approved_izin_terlambat_exempts_the_lateness(ani, kabid):
    punch(ani, TUESDAY, dt.time(8, 30), dt.time(16, 5))
    recompute_day(ani, TUESDAY)
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).tl_level is not None  # an hour late

    permission = late(ani, TUESDAY, dt.time(9))
    recompute_day(ani, TUESDAY)
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).tl_level is not None  # pending: still late

    permission_decide(actor=kabid.user, permission_id=permission.pk, approve=True)
    recompute_day(ani, TUESDAY)
    status = DayStatus.objects.get(employee=ani, date=TUESDAY)
    assert status.tl_level is None and status.permission == "TERLAMBAT" and status.code == "HADIR"


def test_an_approved_izin_pulang_cepat_exempts_the_early_leave(ani, kabid):
    punch(ani, TUESDAY, dt.time(7, 20), dt.time(13, 0))
    permission = permission_submit(actor=ani.user, date=TUESDAY, kind="PULANG_CEPAT", start_time=dt.time(13),
                                   reason="Kontrol ke dokter.")
    recompute_day(ani, TUESDAY)
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).psw_level is not None
    permission_decide(actor=kabid.user, permission_id=permission.pk, approve=True)
    status = DayStatus.objects.get(employee=ani, date=TUESDAY)  # recomputed by the approval
    assert status.psw_level is None and status.permission == "PULANG_CEPAT"


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("body, stored", [
    ({"kind": "TERLAMBAT", "end_time": "09:00"}, (None, "09:00")),
    ({"kind": "PULANG_CEPAT", "start_time": "14:30", "end_time": "16:00"}, ("14:30", None)),
    ({"kind": "KELUAR", "start_time": "10:00", "end_time": "11:00"}, ("10:00", "11:00")),
])
def test_the_api_creates_each_kind(ani, body, stored):
    response = api(ani.user).post(API, {"date": THURSDAY.isoformat(), "reason": "Urusan keluarga.", **body},
                                  format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["start_time"], data["end_time"], data["status"]) == (*stored, "pending")
    assert data["employee"]["id"] == ani.pk and data["kind"] == body["kind"]
    assert PartialPermission.objects.get().pk == data["id"]


@pytest.mark.parametrize("body, field", [
    ({"kind": "TERLAMBAT", "reason": "x"}, "end_time"),
    ({"kind": "PULANG_CEPAT", "reason": "x"}, "start_time"),
    ({"kind": "KELUAR", "start_time": "11:00", "end_time": "10:00", "reason": "x"}, "end_time"),
    ({"kind": "TERLAMBAT", "end_time": "09:00", "reason": " "}, "reason"),
    ({"kind": "IZIN", "end_time": "09:00", "reason": "x"}, "kind"),
    ({"kind": "TERLAMBAT", "end_time": "25:00", "reason": "x"}, "end_time"),
])
def test_the_api_names_the_field_in_a_400(ani, body, field):
    error = error_of(api(ani.user).post(API, {"date": THURSDAY.isoformat(), **body}, format="json"), 400)
    assert field in error["fields"]
    assert not PartialPermission.objects.exists()


def test_the_api_refuses_a_closed_day_and_a_far_date(hr, ani, dinkes):
    month_close(actor=hr, unit=dinkes, month=dt.date(2026, 11, 1))
    body = {"date": "2026-11-30", "kind": "TERLAMBAT", "end_time": "09:00", "reason": "x"}
    assert "sudah ditutup" in error_of(api(ani.user).post(API, body, format="json"), 400)["fields"]["date"][0]
    body["date"] = "9999-12-31"
    assert "date" in error_of(api(ani.user).post(API, body, format="json"), 400)["fields"]
    assert not PartialPermission.objects.exists()


def test_the_api_refuses_accounts_without_an_employee(hr):
    body = {"date": THURSDAY.isoformat(), "kind": "TERLAMBAT", "end_time": "09:00", "reason": "x"}
    error_of(api(hr).post(API, body, format="json"), 403)


def test_the_api_lists_by_scope(ani, budi, kabid, hr, hr_other, outsider, plh):
    a, b = late(ani), late(budi, FRIDAY)
    c = late(plh)

    def ids(user, **params):
        return {row["id"] for row in api(user).get(API, params).json()["results"]}

    assert ids(ani.user) == {a.pk}
    assert ids(kabid.user) == {a.pk, b.pk, c.pk}
    assert ids(plh.user) == {a.pk, b.pk, c.pk}  # decides a and b as Plh; c is her own
    assert ids(hr) == {a.pk, b.pk, c.pk}
    assert ids(hr_other) == set() and ids(outsider.user) == set()
    assert ids(kabid.user, start=FRIDAY.isoformat()) == {b.pk}
    assert ids(kabid.user, end=THURSDAY.isoformat()) == {a.pk, c.pk}
    assert ids(kabid.user, employee=budi.pk) == {b.pk}
    permission_decide(actor=kabid.user, permission_id=a.pk, approve=True)
    assert ids(kabid.user, status="approved") == {a.pk}
    assert ids(kabid.user, status=["pending"]) == {b.pk, c.pk}
    assert "status" in error_of(api(kabid.user).get(API, {"status": "lost"}), 400)["fields"]
    assert api(ani.user).get(f"{API}{a.pk}/").json()["id"] == a.pk
    error_of(api(ani.user).get(f"{API}{b.pk}/"), 404)
    error_of(api(hr_other).get(f"{API}{a.pk}/"), 404)


def test_the_api_decides(kabid, ani, budi):
    a, b = late(ani), late(budi)
    response = api(kabid.user).post(f"{API}{a.pk}/decide/", {"approve": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "Kepala Bidang P2P"
    error = error_of(api(kabid.user).post(f"{API}{b.pk}/decide/", {"approve": False, "reason": ""}, format="json"),
                     400)
    assert error["fields"]["reason"] == ["Alasan penolakan wajib diisi."]
    assert "approve" in error_of(api(kabid.user).post(f"{API}{b.pk}/decide/", {}, format="json"), 400)["fields"]
    b.refresh_from_db()
    assert b.status == PermissionStatus.PENDING
    body = api(kabid.user).post(f"{API}{b.pk}/decide/", {"approve": False, "reason": "Rapat."}, format="json").json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "Rapat.")


def test_the_api_lets_the_plh_decide_but_never_for_herself(plh, ani):
    a, own = late(ani), late(plh)
    body = api(plh.user).post(f"{API}{a.pk}/decide/", {"approve": True}, format="json").json()
    assert body["status"] == "approved" and body["acting_for"]
    error_of(api(plh.user).post(f"{API}{own.pk}/decide/", {"approve": True}, format="json"), 404)
    error_of(api(ani.user).post(f"{API}{a.pk}/decide/", {"approve": True}, format="json"), 404)
    own.refresh_from_db()
    assert own.status == PermissionStatus.PENDING


def test_the_api_withdraws_own_pending_only(ani, budi, kabid):
    a, decided, b = late(ani), late(ani, FRIDAY), late(budi)
    permission_decide(actor=kabid.user, permission_id=decided.pk, approve=True)
    assert api(ani.user).post(f"{API}{a.pk}/withdraw/").json()["status"] == "withdrawn"
    assert "status" in error_of(api(ani.user).post(f"{API}{decided.pk}/withdraw/"), 400)["fields"]
    error_of(api(ani.user).post(f"{API}{b.pk}/withdraw/"), 404)
    error_of(api(kabid.user).post(f"{API}{b.pk}/withdraw/"), 404)  # the supervisor does not withdraw
    b.refresh_from_db()
    assert b.status == PermissionStatus.PENDING


def test_the_schema_documents_the_permission_endpoints(db):
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    for path in [API, f"{API}{{id}}/", f"{API}{{id}}/decide/", f"{API}{{id}}/withdraw/"]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths[API])
    assert {p["name"] for p in paths[API]["get"]["parameters"]} >= {"status", "start", "end", "employee"}
