"""Reports HR can sign: totals, the Indonesian-Excel CSV, notes on closure and rule versions, the PDF's
letterhead and signature blocks; and the PP 94/2021 notices (once per threshold per year)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRules, DayStatus, Punch, TkNotice
from attendance.selectors import reports
from attendance.services import export_jobs
from attendance.services.day_status import compute_day_statuses
from attendance.services.tk_notices import check_tk_thresholds
from portal.models import MonthClosure, Notification
from tests.factories import HRAdminScopeFactory, UnitFactory, UserFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def september(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 10, 10, 0, tzinfo=WIB), tick=False)


@pytest.fixture
def august(ani, budi, pemkot):
    pemkot.attendance_from = dt.date(2026, 8, 1)
    pemkot.save()
    AttendanceRules.objects.create(institution=pemkot, effective_from=dt.date(2026, 1, 1),
                                   legal_basis="Perwali 7/2025", tk_deduction_percent=Decimal("2.5"))
    for day in range(3, 8):
        date = dt.date(2026, 8, day)
        Punch.objects.create(employee=ani, unit=ani.unit, date=date,
                             check_in_at=dt.datetime.combine(date, dt.time(7, 40), tzinfo=WIB),
                             check_out_at=dt.datetime.combine(date, dt.time(16, 0), tzinfo=WIB))
    return ani, budi


def recap(user, unit):
    selection = reports.report_resolve(user, report=reports.MONTHLY_RECAP, unit=unit.pk, month="2026-08")
    reports.ensure_day_statuses(selection)
    return selection


def test_the_recap_ends_with_a_totals_row(hr, dinkes, august):
    rows = list(reports.report_rows(recap(hr, dinkes)))
    totals = rows[-1]
    people = rows[1:-1]
    assert totals[1] == "Jumlah (4 pegawai)"
    assert totals[4] == sum(r[4] for r in people) and totals[30] == sum(r[30] for r in people)
    assert totals[36] == reports._pct(sum(r[5] for r in people), sum(r[4] for r in people))


def test_the_indonesian_csv_uses_semicolons_and_decimal_commas(client, hr, dinkes, august):
    client.force_login(hr)
    response = client.post(reverse("attendance-report-export"),
                           {"report": "monthly-recap", "unit": dinkes.pk, "month": "2026-08", "format": "csv-id"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('rekap-bulanan_DINKES_2026-08.csv"')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    ani = next(r for r in rows if r[1] == "Ani Lestari")
    assert ani[0] == august[0].nip_display and " " in ani[0]  # grouped: Excel keeps it as text
    assert ani[37] == "35,00"  # 14 TK days at 2.5 %; the five TL1 days cost nothing (no band deductions set)
    assert "." not in ani[36]


def test_the_notes_name_the_closure_and_the_rules_versions(hr, dinkes, pemkot, august):
    selection = recap(hr, dinkes)
    notes = reports.report_notes(selection)
    assert notes[0] == "Bulan Agustus 2026: belum ditutup: angka masih dapat berubah"
    version = AttendanceRules.objects.get()
    assert (f"A{version.pk}: aturan presensi Pemerintah Kota Contoh berlaku mulai 1 Januari 2026 (Perwali 7/2025)"
            in notes)
    assert "P·Perpres: hari dan jam kerja Perpres 21/2023 (Senin–Jumat)" in notes
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 8, 1), requested_by=hr, closed_at=timezone.now())
    assert reports.closure_status(selection)[0].state == "closed"
    assert reports.report_notes(selection)[0].startswith("Bulan Agustus 2026: ditutup (tutup buku)")


def test_the_xlsx_carries_the_notes_on_a_second_sheet(client, hr, dinkes, august):
    client.force_login(hr)
    response = client.post(reverse("attendance-report-export"),
                           {"report": "monthly-recap", "unit": dinkes.pk, "month": "2026-08", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1] == "Keterangan"
    lines = [r[0] for r in book["Keterangan"].iter_rows(values_only=True)]
    assert lines[0] == "Rekap presensi bulanan per pegawai"
    assert any("belum ditutup" in line for line in lines)


def test_the_pdf_is_headed_by_the_institution_and_signed_by_the_heads(hr, dinkes, pemkot, kadis, august):
    bkpsdm = UnitFactory(code="BKPSDM", name="Badan Kepegawaian dan Pengembangan SDM", parent=pemkot,
                         kind="unit_organisasi")
    pemkot.hr_office = bkpsdm
    pemkot.save()
    selection = recap(hr, dinkes)
    assert export_jobs.letterhead_of(selection) == ["PEMERINTAH KOTA CONTOH", "Dinas Kesehatan"]
    left, right = export_jobs.signatures_of(selection)
    assert (left.caption, left.office, left.name, left.nip) == (
        "Mengetahui,", kadis.jabatan, kadis.name, kadis.nip_display)
    assert (right.office, right.name) == ("Kepala Badan Kepegawaian dan Pengembangan SDM", "")  # no head yet: a line
    buffer = io.BytesIO()
    from portal import exports

    exports.write("pdf", reports.report_rows(selection), buffer, **export_jobs.export_options(selection))
    assert buffer.getvalue().startswith(b"%PDF") and len(buffer.getvalue()) > 2000


# --- PP 94/2021 notices -------------------------------------------------------------------------


def tk_days(person, dates):
    DayStatus.objects.bulk_create([DayStatus(employee=person, unit=person.unit, date=d, code="TK",
                                             computed_at=timezone.now()) for d in dates])


def working_days(start, count):
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.fixture
def hr_root(pemkot):
    user = UserFactory(username="bkpsdm")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def test_crossing_a_threshold_tells_the_supervisor_and_hr_once(budi, kabid, hr, hr_root):
    tk_days(budi, [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)])  # three, not in a row
    assert check_tk_thresholds(2026) == 1
    assert check_tk_thresholds(2026) == 0  # never twice
    told = Notification.objects.filter(kind="attendance.tk_threshold")
    assert set(told.values_list("recipient__username", flat=True)) == {kabid.user.username, hr.username, "bkpsdm"}
    assert "teguran lisan" in told.first().params["body"]
    tk_days(budi, [dt.date(2026, 4, 6)])
    assert check_tk_thresholds(2026) == 1  # 4 days: teguran tertulis, a new threshold
    assert list(TkNotice.objects.order_by("threshold").values_list("threshold", flat=True)) == [3, 4]


def test_ten_days_in_a_row_across_a_weekend_and_a_holiday_is_flagged(budi, kabid, hr):
    # 10–21 August 2026: the weekend of 15–16 and Independence Day (17th) inside.
    days = [d for d in working_days(dt.date(2026, 8, 10), 11) if d != dt.date(2026, 8, 17)]
    tk_days(budi, days)
    DayStatus.objects.create(employee=budi, unit=budi.unit, date=dt.date(2026, 8, 17), code="LIBUR",
                             computed_at=timezone.now())
    check_tk_thresholds(2026)
    notice = TkNotice.objects.get(kind="consecutive")
    assert (notice.threshold, notice.days) == (10, 10)
    body = Notification.objects.filter(kind="attendance.tk_threshold", params__kind="consecutive").first()
    assert "berturut-turut" in body.params["subject"]


def test_nine_in_a_row_is_not_flagged(budi, kabid):
    tk_days(budi, working_days(dt.date(2026, 8, 3), 9))
    check_tk_thresholds(2026)
    assert not TkNotice.objects.filter(kind="consecutive").exists()


def test_the_count_restarts_with_the_calendar_year(budi, kabid):
    tk_days(budi, [dt.date(2026, 12, 28), dt.date(2026, 12, 29), dt.date(2027, 1, 4)])
    assert check_tk_thresholds(2026) == 0 and check_tk_thresholds(2027) == 0  # 2 + 1: neither year reaches 3


def test_the_nightly_recompute_sends_the_notices(budi, kabid, pemkot, django_capture_on_commit_callbacks):
    from attendance.tasks import recompute_recent

    pemkot.attendance_from = dt.date(2026, 9, 1)
    pemkot.save()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_recent.apply(kwargs={"today": "2026-09-10"}).get()
    assert TkNotice.objects.filter(employee=budi, threshold=3).exists()  # 1–9 September: 7 TK days
    compute_day_statuses([budi], dt.date(2026, 9, 1), dt.date(2026, 9, 9))
