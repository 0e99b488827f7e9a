"""The recap read per employee (issue 15.3): pages by keyset are the file's rows, the totals row is
summed while streaming and equals one aggregate over the selection, and the grouped-first read
gives the numbers the single grouped query gave."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from attendance.selectors import reports
from attendance.views import reports as report_views
from portal import exports
from tests.attendance.test_reports import AUG, _cell, _file_table, august, deductions, september  # noqa: F401
from tests.factories import EmployeeFactory


def _walk(client, params) -> tuple[list[list[str]], int]:
    """Every page from the first, following "Berikutnya"; the totals row under the last one."""
    shown, pages, after = [], 0, None
    while True:
        response = client.get(reverse("attendance-reports"), {**params, **({"setelah": after} if after else {})})
        assert response.status_code == 200 and not response.context.get("preparing")
        context = response.context
        pages += 1
        shown += [[_cell(v) for v in row] for row in context["rows"]]
        after = context["next_after"]
        if after is None:
            assert context["last_page"] and context["totals"]
            shown.append([_cell(v) for v in context["totals"]])
            return shown, pages
        assert context["totals"] is None  # only under the last page, as in the file
        assert f"setelah={after}" in response.content.decode()


def test_the_pages_walked_by_keyset_are_the_file(client, hr, dinkes, august, monkeypatch):  # noqa: F811 - the fixture imported above
    for n in range(5):  # same names: the keyset must break ties by id
        EmployeeFactory(name="Sama Nama", unit=august[0].unit)
    monkeypatch.setattr(report_views, "PAGE_SIZE", 2)
    client.force_login(hr)
    params = {"report": reports.MONTHLY_RECAP, "unit": dinkes.pk, "month": AUG}
    shown, pages = _walk(client, params)
    file = _file_table(client, params)
    assert shown == file[1:] and len(file) == 1 + 9 + 1  # kadis, kabid, ani, budi, five namesakes + totals
    assert pages == 5


def test_an_unknown_keyset_position_is_not_found(client, hr, dinkes, august):  # noqa: F811 - the fixture imported above
    client.force_login(hr)
    response = client.get(reverse("attendance-reports"), {"report": reports.MONTHLY_RECAP, "unit": dinkes.pk,
                                                           "month": AUG, "setelah": 999999})
    assert response.status_code == 404


def test_the_streamed_totals_equal_one_aggregate_over_the_selection(hr, dinkes, august):  # noqa: F811 - the fixture imported above
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    reports.ensure_day_statuses(selection)
    rows = list(reports.report_rows(selection))
    assert rows[-1] == reports.report_totals(selection)
    assert rows[-1][1] == "Jumlah (4 pegawai)" and rows[-1][4] == 76


def test_grouping_first_gives_the_numbers_of_the_single_grouped_query(hr, dinkes, august):  # noqa: F811 - the fixture imported above
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    reports.ensure_day_statuses(selection)
    old = {r["employee__nip"]: reports._recap_counts(r) + [r["deduction"]]
           for r in reports._recap_query(selection)}
    new = {item[0][1]: list(item[1][:reports.N_COUNTS + 1])
           for item in reports._recap_items(selection, None, None)}
    assert new == old and len(new) == 4


def test_a_page_reads_a_bounded_number_of_queries_whatever_the_selection(client, hr, dinkes, august,  # noqa: F811 - the fixture imported above
                                                                         django_assert_max_num_queries):
    for n in range(30):
        EmployeeFactory(name=f"Pegawai {n:02d}", unit=august[0].unit)
    client.force_login(hr)
    params = {"report": reports.MONTHLY_RECAP, "unit": dinkes.pk, "month": AUG}
    client.get(reverse("attendance-reports"), params)  # computes the day statuses once
    with django_assert_max_num_queries(40):
        assert client.get(reverse("attendance-reports"), params).status_code == 200


def test_xlsx_cells_keep_their_type_and_text_never_becomes_a_formula_or_a_link():
    buffer = io.BytesIO()
    exports.write_xlsx([["a", "b", "c", "d"], ["http://contoh.go.id", "=1+2", "007", 7]], buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert cells == ("http://contoh.go.id", "'=1+2", "007", 7)
    assert not sheet["A2"].hyperlink and sheet["C2"].data_type == "s" and sheet["D2"].data_type == "n"


@pytest.mark.parametrize("fmt", ["csv", "csv-id"])
def test_the_export_job_counts_the_rows_it_wrote(hr, dinkes, august, fmt, django_capture_on_commit_callbacks):  # noqa: F811 - the fixture imported above
    from attendance.models import ExportStatus
    from attendance.services import export_jobs

    with django_capture_on_commit_callbacks(execute=True):
        job = export_jobs.export_job_create(actor=hr, report=reports.MONTHLY_RECAP, unit_id=dinkes.pk, month=AUG,
                                            format=fmt)
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == (ExportStatus.DONE, 100, 4)
    content = job.file.open("rb").read().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(content), delimiter=";" if fmt == "csv-id" else ","))) == 1 + 4 + 1


def test_an_offset_slice_of_the_recap_is_the_same_rows_as_the_whole(hr, dinkes, august):  # noqa: F811 - the fixture imported above
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    reports.ensure_day_statuses(selection)
    whole = list(reports.report_rows(selection, header=False))
    assert list(reports.report_rows(selection, offset=1, limit=2, header=False)) == whole[1:3]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_next_batch_is_grouped_while_this_one_is_written(monkeypatch):
    """PostgreSQL, autocommit (as in the export worker): a thread groups batch n+1 while batch n is
    written; the rows, their order and the totals are those of the serial read."""
    import datetime as dt
    import threading

    from django.db import transaction

    from attendance.models import DayStatus
    from portal.models import UnitKind
    from tests.factories import UnitFactory

    root = UnitFactory(code="R", name="Pemda Uji", time_zone="Asia/Jakarta")
    unit = UnitFactory(code="U", name="Dinas Uji", kind=UnitKind.UNIT_ORGANISASI, parent=root)
    people = [EmployeeFactory(name=f"Pegawai {n % 7}", unit=unit) for n in range(23)]
    DayStatus.objects.bulk_create([
        DayStatus(employee=p, unit=unit, date=dt.date(2026, 8, d), code="HADIR" if (n + d) % 5 else "TK",
                  work_mode="WFO", computed_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        for n, p in enumerate(people) for d in (3, 4, 5)])
    selection = reports.Selection(reports.REPORTS[reports.MONTHLY_RECAP], reports.period_from(month=AUG),
                                  reports.Employee.objects.filter(unit=unit), unit)
    threads = []
    monkeypatch.setattr(reports, "_batch_size", lambda: 4)
    real = reports._recap_sums
    monkeypatch.setattr(reports, "_recap_sums", lambda s, ids: threads.append(threading.current_thread().name)
                        or real(s, ids))
    overlapped = list(reports.report_rows(selection, header=False))
    assert set(threads) == {"recap-sums"} and len(threads) == 6  # 23 people in batches of 4
    threads.clear()
    with transaction.atomic():
        serial = list(reports.report_rows(selection, header=False))
    assert threads and "recap-sums" not in threads
    assert overlapped == serial and len(serial) == 24 and serial[-1][1] == "Jumlah (23 pegawai)"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_long_report_is_read_by_a_thread_with_the_same_rows(monkeypatch):
    """PostgreSQL, autocommit: the daily list is read on a thread's own connection a batch of people
    at a time while the rows are written; the same rows in the same order as inside a transaction
    and as the one sorted query, and a reader that stops early does not leave the thread hanging."""
    import datetime as dt
    import threading

    from django.db import transaction

    from attendance.models import DayStatus
    from portal.models import UnitKind
    from tests.factories import UnitFactory

    root = UnitFactory(code="R", name="Pemda Uji", time_zone="Asia/Jakarta")
    unit = UnitFactory(code="U", name="Dinas Uji", kind=UnitKind.UNIT_ORGANISASI, parent=root)
    people = [EmployeeFactory(name=f"Pegawai {n % 4}", unit=unit) for n in range(9)]
    DayStatus.objects.bulk_create([
        DayStatus(employee=p, unit=unit, date=dt.date(2026, 8, d), code="HADIR", work_mode="WFO", tl_level=d % 3,
                  computed_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC)) for p in people for d in range(3, 8)])
    selection = reports.Selection(reports.REPORTS[reports.DAILY], reports.period_from(month=AUG),
                                  reports.Employee.objects.filter(unit=unit), unit)
    monkeypatch.setattr(reports, "DAILY_BATCH", 4)
    threads = []
    real = reports._daily_of
    monkeypatch.setattr(reports, "_daily_of", lambda s, ids: threads.append(threading.current_thread().name)
                        or real(s, ids))
    threaded = list(reports.report_rows(selection, header=False))
    assert set(threads) == {"report-batches"} and len(threads) == 3  # 9 people in batches of 4
    with transaction.atomic():
        serial = list(reports.report_rows(selection, header=False))
        ordered = [reports._daily_row(t, selection) for t in reports._daily_query(selection)]
    assert threaded == serial == ordered and len(serial) == 45
    assert serial[0][8] in ("", "TL1", "TL2")
    early = reports.report_rows(selection, header=False)
    next(early)
    early.close()
    assert not any(t.name == "report-batches" for t in threading.enumerate())
