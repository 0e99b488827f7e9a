"""Attendance reports and direct exports: a hand-built August 2026, read back from CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRules, Band, BandKind, Correction, CorrectionStatus, DayStatus, Punch, WorkMode
from attendance.selectors import reports
from attendance.services.day_status import recompute_day
from portal import exports
from portal.models import AuditEvent
from scheduling.models import RequestDay, Status, WorkRequest
from tests.factories import EmployeeFactory, UserFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
AUG = "2026-08"


@pytest.fixture(autouse=True)
def september(time_machine):
    # August 2026 is over: 19 working days, holidays on the 17th (Monday) and 25th (Tuesday).
    time_machine.move_to(dt.datetime(2026, 9, 10, 10, 0, tzinfo=WIB), tick=False)


@pytest.fixture(autouse=True)
def deductions(pemkot):
    """The institution's own table (the portal ships none): 0.5 / 1 / 1.25 / 1.5 %, no TK deduction."""
    rules = AttendanceRules.objects.create(institution=pemkot, effective_from=dt.date(2026, 1, 1),
                                           legal_basis="Perwali Contoh 7/2025")
    for kind in (BandKind.TL, BandKind.PSW):
        for level, low, high, pct in [(1, 1, 30, "0.5"), (2, 31, 60, "1"), (3, 61, 90, "1.25"), (4, 91, None, "1.5")]:
            Band.objects.create(rules=rules, kind=kind, level=level, from_minute=low, to_minute=high,
                                deduction_percent=Decimal(pct))
    return rules


def punch(person, day: int, check_in=(7, 30), check_out=(16, 0), *, zone=WIB, mode=WorkMode.WFO, **extra):
    date = dt.date(2026, 8, day)

    def at(hm):
        return dt.datetime.combine(date, dt.time(*hm), tzinfo=zone) if hm else None

    return Punch.objects.create(employee=person, unit=person.unit, date=date, check_in_at=at(check_in),
                                check_out_at=at(check_out), work_mode=mode, **extra)


def plan(person, day: int, kind: str):
    request = WorkRequest.objects.create(employee=person, kind=kind, created_by=person.user, location="Rumah")
    RequestDay.objects.create(request=request, employee=person, unit=person.unit, kind=kind,
                              date=dt.date(2026, 8, day), status=Status.APPROVED)


@pytest.fixture
def august(ani, budi):
    """Ani's month (one of everything); Budi never came (19 TK)."""
    punch(ani, 3, flagged=True, in_distance_m=350.4)  # on time, but far from the office
    punch(ani, 4, (7, 45))  # TL1, 15 min
    punch(ani, 5, (9, 15), (15, 0))  # TL4 105 min + PSW2 60 min
    punch(ani, 6, None)  # no check-in: TL4
    punch(ani, 7, (7, 30), None)  # Friday, no check-out: PSW4
    # 10: nothing at all -> TK
    plan(ani, 11, "CT")
    plan(ani, 12, "SAKIT")
    plan(ani, 13, "WFH")
    punch(ani, 13, mode=WorkMode.WFH)
    plan(ani, 14, "DL")
    punch(ani, 14, (7, 30), (16, 30))  # a punch on a DL day
    punch(ani, 17, (8, 0), (12, 0))  # Independence Day
    plan(ani, 18, "WFA")
    punch(ani, 18, (8, 10), mode=WorkMode.WFA)  # TL2, 40 min
    plan(ani, 19, "DIKLAT")
    plan(ani, 20, "IZIN")
    for day in (21, 24, 26, 27, 28, 31):
        punch(ani, day, (7, 30), (16, 30) if dt.date(2026, 8, day).weekday() == 4 else (16, 0))
    return ani, budi


def resolve(user, report=reports.MONTHLY_RECAP, **kwargs):
    kwargs.setdefault("month", AUG)
    selection = reports.report_resolve(user, report=report, **kwargs)
    reports.ensure_day_statuses(selection)
    return selection


def by_nip(selection) -> dict[str, list]:
    rows = list(reports.report_rows(selection))
    return {row[0]: row for row in rows[1:]}


def test_it_recaps_a_hand_built_month(hr, dinkes, august, deductions):
    ani, budi = august
    selection = resolve(hr, unit=dinkes.pk)
    rows = by_nip(selection)
    assert " " in ani.nip_display  # grouped as on a decree
    assert rows[ani.nip_display] == [
        ani.nip_display, "Ani Lestari", ani.jabatan, "Bidang P2P",
        19, 13, 11, 2,  # working days, present, WFO, WFH/WFA
        1, 1, 0, 2, 160,  # TL1..TL4, TL minutes
        0, 1, 0, 1, 60,  # PSW1..PSW4, PSW minutes
        1, 1,  # no check-in, no check-out
        1, 1, 1, 1,  # DL, TB/Diklat, izin, sakit
        1, 0, 0, 0, 0, 0,  # CT CB CS CM CAP CLTN
        1,  # TK
        0, 0, 0, 0, 1,  # partial permissions, implausible, to review, holiday duty, off schedule (17 August)
        Decimal("68.42"), Decimal("7.00"), f"A{deductions.pk} P·Perpres",
        "1 hari presensi di luar jadwal (hari libur/tidak dijadwalkan); 1 hari ada presensi pada hari izin/cuti",
    ]
    assert rows[budi.nip_display][4:8] == [19, 0, 0, 0]
    assert rows[budi.nip_display][30] == 19 and rows[budi.nip_display][36:38] == [Decimal("0.00"), Decimal("0.00")]
    # The holidays have rows (LIBUR) but are not working days.
    assert DayStatus.objects.filter(employee=budi, code="LIBUR").count() == 2


def test_it_caps_the_deduction_at_100_percent(hr, dinkes, budi):
    resolve(hr, unit=dinkes.pk)
    DayStatus.objects.filter(employee=budi).update(deduction_percent=Decimal("9.5"))
    assert by_nip(reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG))[
        budi.nip_display][37] == Decimal("100")


def test_it_does_not_recompute_fresh_rows(hr, dinkes, august):
    selection = resolve(hr, unit=dinkes.pk)
    assert reports.stale_employee_ids(selection) == []
    DayStatus.objects.filter(employee=august[0], date=dt.date(2026, 8, 4)).delete()
    assert reports.stale_employee_ids(selection) == [august[0].pk]


def test_it_summarises_each_unit(hr, dinkes, august, kadis):
    summary = {row[0]: row for row in list(reports.report_rows(resolve(hr, report=reports.UNIT_SUMMARY,
                                                                       unit=dinkes.pk)))[1:]}
    # kabid, ani and budi work in P2P; only ani ever came.
    assert summary["DINKES-P2P"] == ["DINKES-P2P", "Bidang P2P", 3, 57, 13, 11, 2, 4, 2, 39, 5,
                                     Decimal("22.81"), Decimal("2.33")]
    assert summary["DINKES"][2:5] == [1, 19, 0]


def test_it_lists_days_with_local_times_and_corrections(hr, dinkes, upt, august):
    ani = august[0]
    wita = EmployeeFactory(name="Wati WITA", unit=upt, user=UserFactory(username="wati"))
    punch(wita, 4, (7, 30), (16, 0), zone=WITA)  # 06:30 WIB
    Correction.objects.create(employee=ani, date=dt.date(2026, 8, 6), check_in_at=dt.datetime(
        2026, 8, 6, 7, 40, tzinfo=WIB), reason="Lupa", status=CorrectionStatus.APPROVED, created_by=ani.user,
        decided_at=timezone.now())
    recompute_day(ani, dt.date(2026, 8, 6))
    rows = list(reports.report_rows(resolve(hr, report=reports.DAILY, unit=dinkes.pk)))
    mine = {r[3]: r for r in rows[1:] if r[0] == ani.nip_display}
    assert mine[dt.date(2026, 8, 5)][4:] == ["TL_PSW", "WFO", "09:15:00", "15:00:00", "TL4", 105, "PSW2", 60,
                                             Decimal("2.50"), ""]
    assert mine[dt.date(2026, 8, 6)][4:9] == ["TL", "WFO", "07:40:00", "16:00:00", "TL1"]
    assert mine[dt.date(2026, 8, 17)][4] == "LUAR_JADWAL"
    wati = next(r for r in rows[1:] if r[0] == wita.nip_display and r[3] == dt.date(2026, 8, 4))
    assert wati[6:8] == ["07:30:00", "16:00:00"] and wati[4] == "HADIR"  # WITA clock, on time


def test_it_marks_the_pp94_thresholds_of_cumulative_tk(hr, dinkes, pemkot, august):
    ani, budi = august
    pemkot.attendance_from = dt.date(2026, 8, 1)  # went live in August: nothing counts before
    pemkot.save()
    rows = by_nip(resolve(hr, report=reports.TK_CUMULATIVE, unit=dinkes.pk, year=2026))
    # Budi: 19 working days of August and 7 of September (to the 9th) without a trace.
    assert rows[budi.nip_display][4:] == [
        26, 25, "pembebasan dari jabatannya menjadi jabatan pelaksana selama 12 bulan", 28, 26,
        "2026-08-03 – 2026-09-09",
        "26 hari kerja berturut-turut: pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS"]
    # Ani: 10 August, then nothing in September.
    assert rows[ani.nip_display][4:] == [8, 7, "pernyataan tidak puas secara tertulis", 11, 7,
                                         "2026-09-01 – 2026-09-09", ""]
    order = list(rows)
    assert order.index(budi.nip_display) < order.index(ani.nip_display)  # most TK first


def test_cumulative_tk_is_always_one_calendar_year(hr, dinkes):
    with pytest.raises(ValidationError) as refused:
        reports.report_resolve(hr, report=reports.TK_CUMULATIVE, unit=dinkes.pk, start="2026-12-01",
                               end="2027-01-31")
    assert "tahun kalender" in str(refused.value)


def test_december_tk_does_not_count_in_january(hr, dinkes, budi, pemkot, time_machine):
    pemkot.attendance_from = dt.date(2026, 12, 21)
    pemkot.save()
    time_machine.move_to(dt.datetime(2027, 1, 6, 10, 0, tzinfo=WIB), tick=False)
    last_year = by_nip(resolve(hr, report=reports.TK_CUMULATIVE, unit=dinkes.pk, year=2026))
    this_year = by_nip(resolve(hr, report=reports.TK_CUMULATIVE, unit=dinkes.pk, year=2027))
    # December: 21–23 and 28–31 (24th cuti bersama, 25th Christmas); January: the 4th (1st New Year,
    # 5th Isra Mikraj, 6th not over yet).
    assert rows_tk(last_year, budi) == 7 and rows_tk(this_year, budi) == 1
    # The run of eight crosses the new year and is reported with the year it ends in.
    assert this_year[budi.nip_display][8:10] == [8, "2026-12-21 – 2027-01-04"]


def rows_tk(rows, person):
    return rows[person.nip_display][4]


def test_it_reports_the_whole_year_for_cumulative_tk(hr, dinkes):
    selection = reports.report_resolve(hr, report=reports.TK_CUMULATIVE, unit=dinkes.pk, month=AUG)
    assert (selection.period.start, selection.period.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert selection.filename_stem == "tk-kumulatif_DINKES_2026"


def test_it_lists_planned_versus_actual(hr, bidang_p2p, august):
    ani, budi = august
    rows = list(reports.report_rows(resolve(hr, report=reports.PLANNED_VS_ACTUAL, unit=bidang_p2p.pk)))[1:]
    mine = {r[3].day: r[4:] for r in rows if r[0] == ani.nip_display}
    assert mine == {
        3: ["WFO", "HADIR", "presensi di luar radius kantor pada hari WFO", "jarak 350 m dari kantor"],
        10: ["WFO", "TK", "hari kantor tanpa presensi", ""],
        14: ["DL", "DL", "presensi pada hari izin/cuti/dinas", ""],
        17: ["LUAR_JADWAL", "LUAR_JADWAL", "presensi di luar jadwal kerja (hari libur atau tidak dijadwalkan)", ""],
    }
    assert sum(1 for r in rows if r[0] == budi.nip_display) == 19


def test_it_shows_a_supervisor_only_their_own_people(kabid, kadis, bidang_p2p, dinkes, august):
    people = {august[0].nip_display, august[1].nip_display, ""}  # "": the totals row
    assert set(by_nip(resolve(kabid.user))) == people
    assert set(by_nip(resolve(kabid.user, unit=bidang_p2p.pk))) == people
    assert set(by_nip(resolve(kadis.user))) == {kabid.nip_display, ""}
    with pytest.raises(Http404):
        reports.report_resolve(kabid.user, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    with pytest.raises(Http404):
        reports.report_resolve(kabid.user, report=reports.MONTHLY_RECAP, month=AUG, employee=kadis.pk)


def test_it_hides_the_page_from_people_without_reports(client, ani, august):
    client.force_login(ani.user)
    assert client.get(reverse("attendance-reports")).status_code == 404


def test_it_shows_the_report_table_on_the_page(client, hr, dinkes, august):
    client.force_login(hr)
    response = client.get(reverse("attendance-reports"), {"report": "monthly-recap", "unit": dinkes.pk,
                                                           "month": AUG})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ani Lestari" in body and ("68,42" in body or "68.42" in body)
    assert 'name="format" value="pdf"' in body


def test_it_answers_404_to_hr_of_another_opd(client, api_client_for, hr_other, dinkes, august):
    client.force_login(hr_other)
    params = {"report": "monthly-recap", "unit": dinkes.pk, "month": AUG}
    assert client.get(reverse("attendance-reports"), params).status_code == 404
    assert client.post(reverse("attendance-report-export"), {**params, "format": "csv"}).status_code == 404
    api = api_client_for(hr_other)
    response = api.post("/api/v1/exports/", {**params, "format": "csv"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return make


def _export(client, hr, dinkes, fmt):
    client.force_login(hr)
    return client.post(reverse("attendance-report-export"),
                       {"report": "monthly-recap", "unit": dinkes.pk, "month": AUG, "format": fmt})


def _as_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_it_exports_the_recap_as_csv_with_the_same_rows(client, hr, dinkes, august):
    response = _export(client, hr, dinkes, "csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rekap-bulanan_DINKES_2026-08.csv"'
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(content[1:])))
    expected = [[_as_text(v) for v in row] for row in reports.report_rows(
        reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG))]
    assert read == expected and len(read) == 6  # header + kadis, kabid, ani, budi + totals
    assert read[-1][1] == "Jumlah (4 pegawai)" and read[-1][4] == "76"  # 4 × 19 working days
    assert AuditEvent.objects.filter(verb="report.exported", actor=hr).exists()


def test_it_exports_the_recap_as_xlsx_with_the_same_rows(client, hr, dinkes, august):
    response = _export(client, hr, dinkes, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    read = [list(r) for r in sheet.iter_rows(values_only=True)]
    expected = list(reports.report_rows(
        reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)))
    def normalise(row):
        return [float(v) if isinstance(v, Decimal) else ("" if v is None else v) for v in row]

    assert [normalise(r) for r in read] == [normalise(r) for r in expected]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert 30 <= sheet.column_dimensions["B"].width < 31  # 30 characters plus the cell padding Excel adds


def test_it_exports_the_recap_as_a_pdf(client, hr, dinkes, august):
    response = _export(client, hr, dinkes, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('rekap-bulanan_DINKES_2026-08.pdf"')


@pytest.mark.parametrize("evil", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_it_neutralises_formula_injection(client, hr, dinkes, ani, evil):
    ani.name = evil + " Ani"
    ani.jabatan = evil
    ani.save()
    csv_rows = list(csv.reader(io.StringIO(b"".join(
        _export(client, hr, dinkes, "csv").streaming_content).decode()[1:])))
    row = next(r for r in csv_rows if r[0] == ani.nip_display)
    assert row[1] == "'" + evil + " Ani" and row[2] == "'" + evil
    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, hr, dinkes, "xlsx").content)).active
    cells = next(r for r in sheet.iter_rows(values_only=True) if r[0] == ani.nip_display)
    # XML readers normalise a stored CR to LF; XlsxWriter stores it escaped (_x000D_), as Excel reads it
    as_read = evil.replace("\r", "_x000D_")
    assert cells[1] == "'" + as_read + " Ani" and cells[2] == "'" + as_read
    assert cells[4] == 19  # numbers stay numbers


def test_it_keeps_numbers_and_dates_as_they_are():
    assert exports.safe_row([-5, Decimal("-1.5"), dt.date(2026, 8, 3), None, "-5", "a=b"]) == [
        -5, Decimal("-1.5"), dt.date(2026, 8, 3), "", "'-5", "a=b"]


# --- The page and the file are the same rows ----------------------------------------------------


def _page_table(client, params) -> list[list[str]]:
    response = client.get(reverse("attendance-reports"), params)
    assert response.status_code == 200
    context = response.context
    assert not context.get("preparing")
    shown = [[str(h) for h in context["header"]]] + [[_cell(v) for v in row] for row in context["rows"]]
    if context.get("totals") and (context.get("last_page") or context.get("page_number") == context.get("pages")):
        shown.append([_cell(v) for v in context["totals"]])  # the table's footer: the file's last row
    return shown


def _file_table(client, params) -> list[list[str]]:
    response = client.post(reverse("attendance-report-export"), {**params, "format": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(content)))


def _cell(value) -> str:
    return "" if value is None else _as_text(value)


@pytest.mark.parametrize("report", [reports.MONTHLY_RECAP, reports.UNIT_SUMMARY, reports.DAILY,
                                    reports.TK_CUMULATIVE, reports.PLANNED_VS_ACTUAL])
def test_it_shows_on_the_page_exactly_what_the_file_holds(client, hr, dinkes, august, report):
    client.force_login(hr)
    params = {"report": report, "unit": dinkes.pk, "month": AUG}
    page, file = _page_table(client, params), _file_table(client, params)
    assert len(page) > 1 and page == file[:len(page)]  # the page is the file's first rows, cell by cell
    assert len(file) - 1 <= 50 or len(page) == 51  # one page of 50, or everything


def test_it_never_shows_a_partial_table_while_statuses_are_recomputed(client, hr, dinkes, august, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    """A big stale selection: the page shows no numbers (a worker recomputes), then the same as the file."""
    from attendance.services import export_jobs

    client.force_login(hr)
    params = {"report": reports.MONTHLY_RECAP, "unit": dinkes.pk, "month": AUG}
    monkeypatch.setattr(export_jobs, "SYNC_MAX_RECOMPUTE", 0)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(reverse("attendance-reports"), params)
    assert first.context["preparing"] and first.context["rows"] == []
    assert "sedang dihitung ulang" in first.content.decode()
    monkeypatch.setattr(export_jobs, "SYNC_MAX_RECOMPUTE", 3000)
    assert _page_table(client, params) == _file_table(client, params)


def test_it_names_a_download_safely_whatever_the_unit_code(client, hr, dinkes, august):
    """A unit code with a quote (or any non-ASCII) cannot break the Content-Disposition header."""
    dinkes.code = 'DIN"KES;x=1 ☂'
    dinkes.save(update_fields=["code"])
    response = _export(client, hr, dinkes, "csv")
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename") and '"x=1' not in header
    assert "filename*=utf-8''" in header  # RFC 6266 encoding of the real name


def test_the_streamed_daily_list_is_the_sorted_query_row_for_row(monkeypatch):
    """A whole daily list is read a batch of people at a time through the (employee, date) index
    and put back in the file's order: the same rows, in the same order (unit path, name, id,
    date) as the one sorted query, across batch boundaries and units."""
    from portal.models import UnitKind
    from tests.factories import UnitFactory

    root = UnitFactory(code="R", name="Pemda Uji", time_zone="Asia/Jakarta")
    units = [UnitFactory(code=c, name=f"Dinas {c}", kind=UnitKind.UNIT_ORGANISASI, parent=root) for c in "BA"]
    # Names out of id order, repeated names, two units created in reverse path order.
    people = [EmployeeFactory(name=f"Pegawai {n % 3}", unit=units[n % 2]) for n in range(7)]
    DayStatus.objects.bulk_create([
        DayStatus(employee=p, unit=p.unit, date=dt.date(2026, 8, d), code="HADIR" if (n + d) % 4 else "TK",
                  work_mode="WFO", tl_level=d % 3, computed_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        for n, p in enumerate(people) for d in (5, 3, 4) if (n, d) != (2, 4)])
    selection = reports.Selection(reports.REPORTS[reports.DAILY], reports.period_from(month="2026-08"),
                                  reports.Employee.objects.filter(unit__in=units), None)
    monkeypatch.setattr(reports, "DAILY_BATCH", 2)
    streamed = list(reports.report_rows(selection, header=False))
    sorted_rows = [reports._daily_row(t, selection) for t in reports._daily_query(selection)]
    assert streamed == sorted_rows and len(streamed) == 20
    assert [r[3] for r in streamed[:3]] == [dt.date(2026, 8, 3), dt.date(2026, 8, 4), dt.date(2026, 8, 5)]
