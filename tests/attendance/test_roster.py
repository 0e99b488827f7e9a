"""The roster (jadwal dinas): the month grid page and the API, saved through ``roster_save``.

Who may roster whom (a supervisor their direct reports, also as Plh; HR their subtree), all or
nothing on a refused cell, closed months, records windows, and what a rostered overnight shift
does to a day's status.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from attendance.models import DayStatus, Punch, RosterEntry
from attendance.services.closing import month_close
from attendance.services.day_status import recompute_day
from attendance.services.roster import RosterChange, ShiftData, roster_save, shift_save
from portal.models import AuditEvent, Employee
from tests.factories import EmployeeFactory, working_hours

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=WIB)  # Wednesday 2 December 2026, 09:00 WIB
DECEMBER = dt.date(2026, 12, 1)
NOVEMBER = dt.date(2026, 11, 1)
SATURDAY = dt.date(2026, 11, 28)
PAGE = "/presensi/jadwal-dinas/"
API = "/api/v1/attendance/roster/"

pytestmark = pytest.mark.now(NOW, tick=False)


@pytest.fixture
def shifts(hr, bidang_p2p):
    """Morning, afternoon and night shifts of Bidang P2P (the night one ends the next morning)."""
    made = {}
    for code, name, start, end, overnight in (("P", "Pagi", dt.time(7), dt.time(14), False),
                                              ("S", "Siang", dt.time(14), dt.time(21), False),
                                              ("M", "Malam", dt.time(21), dt.time(7), True)):
        made[code] = shift_save(actor=hr, unit=bidang_p2p, shift=None, data=ShiftData(
            code=code, name=name, start=start, end=end, ends_next_day=overnight, break_minutes=30))
    return made


def login(client, user):
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def grid(people, month: dt.date = DECEMBER, days: int = 31, **cells) -> dict:
    """The form as a browser sends it: every cell of every person (blank = no entry), with
    ``cells`` ("c-<id>-<day>": code) set; plus the unit and month fields."""
    data = {f"c-{p.pk}-{d}": "" for p in people for d in range(1, days + 1)}
    data.update(cells)
    data["bulan"] = f"{month:%Y-%m}"
    return data


def entries() -> dict:
    return {(e.employee_id, e.date): (e.shift.code if e.shift_id else "L")
            for e in RosterEntry.objects.select_related("shift")}


def selected(html: str, name: str) -> str:
    """The value the select ``name`` shows as chosen."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    option = re.search(r"<option(?: value=\"([^\"]*)\")? selected>([^<]*)</option>", select.group(1))
    return option.group(1) if option.group(1) is not None else option.group(2)


# --- The page ----------------------------------------------------------------------------------


def test_it_shows_the_month_grid_with_shifts_holidays_and_the_records_window(client, kabid, ani, budi, shifts,
                                                                           bidang_p2p):
    Employee.objects.filter(pk=ani.pk).update(records_start=dt.date(2026, 12, 10))
    response = login(client, kabid.user).get(PAGE, {"bulan": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jadwal dinas: Bidang P2P" in html
    assert "Ani Lestari" in html and "Budi Santoso" in html
    assert "Pagi, 07:00–14:00" in html and "Malam, 21:00–07:00 (selesai keesokan hari)" in html
    assert "Natal" in html  # 25 December is listed and marked in the header
    assert html.count('<select name="c-') == 2 * 31
    assert re.search(rf'<select name="c-{ani.pk}-9"[^>]*disabled', html)  # before her records start
    assert not re.search(rf'<select name="c-{ani.pk}-10"[^>]*disabled', html)
    assert re.search(r'<th scope="col" class="roster__day roster__day--weekend"><time datetime="2026-12-05">', html)
    assert 'name="csrfmiddlewaretoken"' in html and "/static/js/roster.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html
    assert response.context["roster"].first == DECEMBER


def test_it_saves_a_month_through_the_service(client, kabid, ani, budi, shifts):
    RosterEntry.objects.create(employee=budi, date=dt.date(2026, 12, 9), shift=shifts["S"], updated_by=kabid.user)
    data = grid([ani, budi], **{f"c-{ani.pk}-7": "P", f"c-{ani.pk}-8": "M", f"c-{ani.pk}-9": "L",
                                f"c-{budi.pk}-9": "S", f"c-{budi.pk}-10": "p"})
    data["unit"] = str(ani.unit_id)
    response = login(client, kabid.user).post(PAGE, data, follow=True)
    assert "Jadwal dinas disimpan: 4 perubahan." in response.content.decode()
    assert entries() == {(ani.pk, dt.date(2026, 12, 7)): "P", (ani.pk, dt.date(2026, 12, 8)): "M",
                         (ani.pk, dt.date(2026, 12, 9)): "L", (budi.pk, dt.date(2026, 12, 9)): "S",
                         (budi.pk, dt.date(2026, 12, 10)): "P"}
    event = AuditEvent.objects.get(verb="roster.updated")
    assert event.after["entries"][f"{ani.pk}:2026-12-08"] == "M"
    assert f"{budi.pk}:2026-12-09" not in event.after["entries"]  # unchanged cells are not sent
    html = response.content.decode()
    assert selected(html, f"c-{ani.pk}-8") == "M" and selected(html, f"c-{ani.pk}-1") == ""


def test_it_clears_an_entry_with_a_blank_cell(client, kabid, ani, budi, shifts):
    roster_save(actor=kabid.user, unit=ani.unit, month=DECEMBER,
                changes=[RosterChange(ani.pk, dt.date(2026, 12, 7), "P")])
    login(client, kabid.user).post(PAGE, grid([ani, budi]), follow=True)
    assert not RosterEntry.objects.exists()


def test_it_refuses_an_unknown_shift_writes_nothing_and_keeps_the_grid(client, kabid, ani, budi, shifts):
    data = grid([ani, budi], **{f"c-{ani.pk}-7": "P", f"c-{ani.pk}-8": "X"})
    response = login(client, kabid.user).post(PAGE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jadwal dinas tidak disimpan" in html
    assert "Shift X tidak dikenal atau tidak aktif di unit ini (Ani Lestari, 8 Desember 2026)." in html
    assert not RosterEntry.objects.exists() and not AuditEvent.objects.filter(verb="roster.updated").exists()
    assert selected(html, f"c-{ani.pk}-7") == "P" and selected(html, f"c-{ani.pk}-8") == "X"


def test_it_refuses_an_inactive_shift(client, kabid, hr, ani, budi, shifts, bidang_p2p):
    old = shifts["S"]
    shift_save(actor=hr, unit=bidang_p2p, shift=old, data=ShiftData(code="S", name="Siang", start=old.start,
                                                                       end=old.end, break_minutes=30, is_active=False))
    html = login(client, kabid.user).post(PAGE, grid([ani, budi], **{f"c-{ani.pk}-7": "S"})).content.decode()
    assert "Shift S tidak dikenal atau tidak aktif" in html and not RosterEntry.objects.exists()


def test_it_shows_a_closed_month_read_only_and_refuses_to_save_it(client, hr, kabid, ani, budi, shifts, dinkes):
    month_close(actor=hr, unit=dinkes, month=NOVEMBER)
    html = login(client, kabid.user).get(PAGE, {"bulan": "2026-11"}).content.decode()
    assert "Bulan November 2026 sudah ditutup (tutup buku) untuk Dinas Kesehatan" in html
    assert '<select name="c-' not in html and "Simpan jadwal dinas" not in html
    response = client.post(PAGE, grid([ani, budi], NOVEMBER, 30, **{f"c-{ani.pk}-28": "M"}))
    assert "sudah ditutup (tutup buku)" in response.content.decode()
    assert not RosterEntry.objects.exists()


def test_it_refuses_someone_elses_staff(client, kabid, ani, budi, outsider, kadis, shifts):
    data = grid([ani, budi], **{f"c-{outsider.pk}-7": "P", f"c-{kadis.pk}-7": "P", f"c-{ani.pk}-7": "P"})
    html = login(client, kabid.user).post(PAGE, data).content.decode()
    assert f"Pegawai #{outsider.pk} bukan pegawai yang dapat Anda jadwalkan di unit ini." in html
    assert f"Pegawai #{kadis.pk} bukan pegawai" in html
    assert not RosterEntry.objects.exists()


@pytest.mark.parametrize("unit_name", ["upt", "pemprov_lain", "dinkes"])
def test_it_answers_404_for_a_unit_the_supervisor_does_not_roster(request, client, kabid, ani, unit_name):
    unit = request.getfixturevalue(unit_name)
    assert login(client, kabid.user).get(PAGE, {"unit": unit.pk}).status_code == 404
    assert client.post(PAGE, {"unit": unit.pk, f"c-{ani.pk}-7": "L"}).status_code == 404
    assert not RosterEntry.objects.exists()


@pytest.mark.parametrize("who", ["ani", "outsider", "hr_other"])
def test_it_hides_the_page_from_those_who_roster_nobody_here(request, client, who, ani, bidang_p2p):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    assert login(client, user).get(PAGE, {"unit": bidang_p2p.pk}).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client, bidang_p2p):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_supervisor_rosters_their_reports_and_hr_the_whole_subtree(client, kabid, ani, budi, kadis, hr, plh,
                                                                       bidang_p2p, dinkes, upt):
    nurse = EmployeeFactory(unit=upt, name="Perawat UPT")

    def people(user, **params):
        return {row.employee.pk for row in login(client, user).get(PAGE, params).context["roster"].rows}

    assert people(kabid.user) == {ani.pk, budi.pk, plh.pk}
    assert people(plh.user) == {ani.pk, budi.pk}  # as Plh of the Kabid, never herself
    assert people(hr, unit=dinkes.pk) == {kadis.pk, kabid.pk, ani.pk, budi.pk, plh.pk, nurse.pk}
    assert people(hr, unit=upt.pk) == {nurse.pk}  # any unit of the subtree
    units = [u.pk for u, _label in login(client, hr).get(PAGE).context["units"]]
    assert units[0] == dinkes.pk and {bidang_p2p.pk, upt.pk} <= set(units)


def test_it_counts_unscheduled_days_in_a_shift_unit(client, kabid, ani, budi, bidang_p2p, shifts):
    for weekday in range(7):
        working_hours(bidang_p2p, weekday, dt.time(7), dt.time(14), 0, kind="shift", effective_from=NOVEMBER)
    html = login(client, kabid.user).get(PAGE, {"bulan": "2026-12"}).content.decode()
    assert "Belum dijadwalkan" in html
    month = client.get(PAGE, {"bulan": "2026-12"}).context["roster"]
    assert month.pattern_kind == "shift"


def test_it_pages_a_large_unit_to_stay_under_the_form_field_limit(client, kabid, ani, budi, shifts, settings,
                                                                 bidang_p2p):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20 + 31  # one person per page
    first = login(client, kabid.user).get(PAGE)
    assert first.content.decode().count('<select name="c-') == 31
    assert len(first.context["pages"]) == 2
    second = client.get(PAGE, {"hal": "2"}).content.decode()
    assert second.count('<select name="c-') == 31 and 'aria-current="page">Halaman 2<' in second


# --- A rostered overnight shift and the day's status ---------------------------------------------


def test_a_rostered_night_shift_makes_a_saturday_a_working_day_with_its_code(kabid, ani, shifts):
    check_in = dt.datetime(2026, 11, 28, 20, 55, tzinfo=WIB)
    Punch.objects.create(employee=ani, unit=ani.unit, date=SATURDAY, check_in_at=check_in,
                         check_out_at=check_in + dt.timedelta(hours=10, minutes=10))
    recompute_day(ani, SATURDAY)
    assert DayStatus.objects.get(employee=ani, date=SATURDAY).off_schedule  # a weekend: no schedule yet

    changed = roster_save(actor=kabid.user, unit=ani.unit, month=NOVEMBER,
                          changes=[RosterChange(ani.pk, SATURDAY, "M")])
    assert changed == 1
    status = DayStatus.objects.get(employee=ani, date=SATURDAY)  # recomputed by the save
    assert (status.code, status.shift_code, status.off_schedule) == ("HADIR", "M", False)
    assert status.tl_level is None and status.psw_level is None


def test_a_rostered_day_off_removes_a_weekday_from_the_schedule(kabid, ani, shifts):
    tuesday = dt.date(2026, 12, 1)
    recompute_day(ani, tuesday)
    assert DayStatus.objects.get(employee=ani, date=tuesday).code == "TK"  # no punch on a working day
    roster_save(actor=kabid.user, unit=ani.unit, month=DECEMBER, changes=[RosterChange(ani.pk, tuesday, "L")])
    assert not DayStatus.objects.filter(employee=ani, date=tuesday).exists()


# --- The API -----------------------------------------------------------------------------------


def test_the_api_answers_the_month_the_page_shows(client, kabid, ani, budi, shifts, bidang_p2p):
    roster_save(actor=kabid.user, unit=bidang_p2p, month=DECEMBER,
                changes=[RosterChange(ani.pk, dt.date(2026, 12, 7), "P"), RosterChange(budi.pk, dt.date(2026, 12, 8),
                                                                                        "L")])
    body = api(kabid.user).get(API, {"unit": bidang_p2p.pk, "month": "2026-12"}).json()
    assert body["unit"]["id"] == bidang_p2p.pk and body["month"] == "2026-12" and body["closed"] is None
    assert len(body["days"]) == 31 and body["days"][24]["holiday"]  # 25 December
    assert [s["code"] for s in body["shifts"]] == ["P", "S", "M"]
    assert body["entries"] == [{"employee": ani.pk, "date": "2026-12-07", "shift": "P"},
                               {"employee": budi.pk, "date": "2026-12-08", "shift": "L"}]
    page = login(client, kabid.user).get(PAGE, {"unit": bidang_p2p.pk, "bulan": "2026-12"}).context["roster"]
    on_page = {(r.employee.pk, c["day"].isoformat()): c["code"] for r in page.rows for c in r.cells}
    in_api = {(p["id"], c["date"]): c["code"] for p in body["people"] for c in p["cells"]}
    assert on_page == in_api


@pytest.mark.parametrize("method", ["put", "post"])
def test_the_api_saves_entries(method, kabid, ani, shifts, bidang_p2p):
    body = {"unit": bidang_p2p.pk, "month": "2026-12", "entries": [
        {"employee": ani.pk, "date": "2026-12-07", "shift": "p"}, {"employee": ani.pk, "date": "2026-12-08",
                                                                   "shift": "L"}]}
    response = getattr(api(kabid.user), method)(API, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"unit": bidang_p2p.pk, "month": "2026-12", "changed": 2}
    assert entries() == {(ani.pk, dt.date(2026, 12, 7)): "P", (ani.pk, dt.date(2026, 12, 8)): "L"}
    body["entries"] = [{"employee": ani.pk, "date": "2026-12-07", "shift": None}]
    assert api(kabid.user).put(API, body, format="json").json()["changed"] == 1
    assert entries() == {(ani.pk, dt.date(2026, 12, 8)): "L"}


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    return response.json()["error"]


def test_the_api_refuses_an_unknown_shift_and_writes_nothing(kabid, ani, shifts, bidang_p2p):
    body = {"unit": bidang_p2p.pk, "month": "2026-12", "entries": [
        {"employee": ani.pk, "date": "2026-12-07", "shift": "P"}, {"employee": ani.pk, "date": "2026-12-08",
                                                                   "shift": "Z"}]}
    error = error_of(api(kabid.user).put(API, body, format="json"), 400)
    assert "Shift Z tidak dikenal" in error["fields"]["entries"][0]
    assert not RosterEntry.objects.exists()


def test_the_api_refuses_a_closed_month(hr, kabid, ani, shifts, bidang_p2p, dinkes):
    month_close(actor=hr, unit=dinkes, month=NOVEMBER)
    body = {"unit": bidang_p2p.pk, "month": "2026-11",
            "entries": [{"employee": ani.pk, "date": "2026-11-28", "shift": "M"}]}
    assert "sudah ditutup" in error_of(api(kabid.user).put(API, body, format="json"), 400)["fields"]["month"][0]
    assert not RosterEntry.objects.exists()
    closed = api(kabid.user).get(API, {"month": "2026-11"}).json()["closed"]
    assert closed["unit"]["id"] == dinkes.pk and closed["month"] == "2026-11"


def test_the_api_refuses_other_staff_bad_cells_and_duplicates_with_field_errors(kabid, ani, outsider, shifts,
                                                                                bidang_p2p):
    def put(*cells):
        body = {"unit": bidang_p2p.pk, "month": "2026-12",
                "entries": [{"employee": e, "date": d, "shift": s} for e, d, s in cells]}
        return error_of(api(kabid.user).put(API, body, format="json"), 400)["fields"]

    assert "bukan pegawai yang dapat Anda jadwalkan" in put((outsider.pk, "2026-12-07", "P"))["entries"][0]
    assert "di luar bulan yang diubah" in put((ani.pk, "2027-01-04", "P"))["entries"][0]
    assert "lebih dari sekali" in put((ani.pk, "2026-12-07", "P"), (ani.pk, "2026-12-07", "L"))["entries"][0]
    assert "entries.0.date" in put((ani.pk, "2026-02-30", "P"))
    assert not RosterEntry.objects.exists()
    assert "month" in error_of(api(kabid.user).put(API, {"unit": bidang_p2p.pk, "month": "2026-13", "entries": []},
                                                   format="json"), 400)["fields"]


def test_the_api_answers_404_outside_the_callers_reach(kabid, ani, hr_other, upt, shifts, bidang_p2p):
    body = {"unit": upt.pk, "month": "2026-12", "entries": []}
    error_of(api(kabid.user).put(API, body, format="json"), 404)
    error_of(api(kabid.user).get(API, {"unit": upt.pk}), 404)
    error_of(api(hr_other).get(API, {"unit": bidang_p2p.pk}), 404)
    error_of(api(ani.user).get(API), 404)  # rosters nobody
    error_of(api(kabid.user).get(API, {"unit": 2**62}), 404)


def test_the_api_scopes_people_like_the_page(kabid, hr, ani, budi, kadis, dinkes):
    people = {p["id"] for p in api(kabid.user).get(API).json()["people"]}
    assert people == {ani.pk, budi.pk}
    assert {p["id"] for p in api(hr).get(API, {"unit": dinkes.pk}).json()["people"]} >= {kadis.pk, ani.pk, budi.pk}


def test_the_schema_documents_the_roster_endpoint(db):
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    assert {"get", "put", "post"} <= set(paths[API])
    assert {p["name"] for p in paths[API]["get"]["parameters"]} >= {"unit", "month"}
    assert {"200", "400", "404"} <= set(paths[API]["put"]["responses"])
