"""Import of units and employees from CSV / XLSX through portal.services.people_import."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import AuditEvent, Employee, Unit, User
from portal.services.people_import import ImportFileError, people_import
from tests.factories import HRAdminScopeFactory, UserFactory, make_nip

EMPLOYEE_HEADER = ["nip", "name", "jabatan", "unit_code", "supervisor_nip", "placement_date"]
NEW_1 = make_nip(born=dt.date(1990, 1, 2), tmt="201503", sex="2", serial=501)
NEW_2 = make_nip(born=dt.date(1991, 3, 4), tmt="201603", sex="1", serial=502)


def csv_upload(rows, name="data.csv", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, name="data.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(actor, kind, upload, dry_run=False, **kwargs):
    return people_import(actor=actor, kind=kind, upload=upload, dry_run=dry_run, **kwargs)


def test_it_imports_employees_from_csv_with_supervisor_later_in_file(hr, kabid):
    rows = [EMPLOYEE_HEADER,
            [NEW_1, "Dewi", "Analis", "DINKES-P2P", NEW_2, "2024-02-01"],
            [NEW_2, "Eko", "Kepala Seksi", "DINKES-P2P", kabid.nip, "15/01/2024"]]
    result = run(hr, "employees", csv_upload(rows))
    assert result.committed and (result.created, result.updated) == (2, 0)
    dewi = Employee.objects.select_related("supervisor", "user").get(nip=NEW_1)
    assert dewi.supervisor.nip == NEW_2
    assert dewi.supervisor.supervisor_id == kabid.pk
    assert dewi.placement_date == dt.date(2024, 2, 1)
    assert dewi.user.username == NEW_1 and not dewi.user.has_usable_password()
    assert AuditEvent.objects.filter(verb="employee.created", actor=hr).count() == 2


def test_it_imports_employees_from_xlsx_with_initial_password(hr, kabid):
    rows = [["NIP", "Nama", "Jabatan", "Kode Unit", "NIP Atasan", "email"],
            [NEW_1, "Dewi", "Analis", "DINKES-P2P", kabid.nip, "dewi@example.go.id"]]
    result = run(hr, "employees", xlsx_upload(rows), initial_password="Awal-Rahasia-2025")
    assert result.committed, result.errors
    user = User.objects.get(employee__nip=NEW_1)
    assert user.check_password("Awal-Rahasia-2025") and user.email == "dewi@example.go.id"


def test_it_updates_an_existing_employee_by_nip(hr, ani, kabid):
    rows = [EMPLOYEE_HEADER, [ani.nip, ani.name, "Epidemiolog Ahli Muda", "DINKES-P2P", "", ""]]
    result = run(hr, "employees", csv_upload(rows, delimiter=";"))
    assert (result.created, result.updated) == (0, 1)
    ani.refresh_from_db()
    assert ani.jabatan == "Epidemiolog Ahli Muda"
    assert ani.supervisor_id == kabid.pk, "an empty optional cell keeps the current value"
    assert AuditEvent.objects.filter(verb="employee.updated", object_id=str(ani.pk)).exists()


def test_it_counts_an_identical_row_as_unchanged_and_writes_no_event(hr, ani, kabid):
    rows = [EMPLOYEE_HEADER, [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", kabid.nip, "2020-01-01"]]
    before = AuditEvent.objects.count()
    result = run(hr, "employees", csv_upload(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.count() == before


def bad_rows(ani, kabid):
    """One good row, then one bad row per reason. Returns rows and the expected (row, column)."""
    bad_date = "19861326" + "201505" + "1" + "001"
    bad_sex = "19860926" + "201505" + "3" + "001"
    rows = [EMPLOYEE_HEADER,
            [NEW_1, "Baik", "Analis", "DINKES-P2P", kabid.nip, ""],                    # 2: fine
            [bad_date, "Tanggal Salah", "Analis", "DINKES-P2P", "", ""],               # 3
            [bad_sex, "Kelamin Salah", "Analis", "DINKES-P2P", "", ""],                # 4
            [NEW_2, "Unit Salah", "Analis", "TIDAK-ADA", "", ""],                      # 5
            [make_nip(serial=777), "Atasan Hilang", "Analis", "DINKES-P2P", make_nip(serial=778), ""],  # 6
            [NEW_1, "Ganda", "Analis", "DINKES-P2P", "", ""],                          # 7
            [make_nip(serial=779), "Luar Cakupan", "Analis", "PEMPROV-X", "", ""]]     # 8
    expected = {(3, "nip"), (4, "nip"), (5, "unit_code"), (6, "supervisor_nip"), (7, "nip"), (8, "unit_code")}
    return rows, expected


@pytest.mark.parametrize("dry_run", [True, False])
def test_it_reports_every_bad_row_and_writes_nothing(hr, ani, kabid, pemprov_lain, dry_run):
    rows, expected = bad_rows(ani, kabid)
    counts = (Employee.objects.count(), User.objects.count(), AuditEvent.objects.count())
    result = run(hr, "employees", csv_upload(rows), dry_run=dry_run)
    assert {(e.row, e.column) for e in result.errors} == expected
    messages = {e.row: e.message for e in result.errors}
    assert "tanggal lahir" in messages[3]
    assert "jenis kelamin" in messages[4]
    assert "TIDAK-ADA" in messages[5] and "tidak ditemukan" in messages[5]
    assert "tidak ditemukan" in messages[6]
    assert "baris 2" in messages[7]
    assert "di luar cakupan" in messages[8]
    assert not result.committed
    assert (Employee.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts


def test_it_reports_the_same_bad_rows_from_xlsx(hr, ani, kabid, pemprov_lain):
    rows, expected = bad_rows(ani, kabid)
    result = run(hr, "employees", xlsx_upload(rows))
    assert {(e.row, e.column) for e in result.errors} == expected
    assert not Employee.objects.filter(nip=NEW_1).exists()


def test_it_writes_nothing_on_a_valid_dry_run_but_predicts_the_counts(hr, ani, kabid):
    rows = [EMPLOYEE_HEADER, [NEW_1, "Dewi", "Analis", "DINKES-P2P", kabid.nip, ""],
            [ani.nip, ani.name, "Jabatan Baru", "DINKES-P2P", "", ""]]
    before = AuditEvent.objects.count()
    result = run(hr, "employees", csv_upload(rows), dry_run=True)
    assert not result.errors and not result.committed
    assert (result.created, result.updated) == (1, 1)
    assert not Employee.objects.filter(nip=NEW_1).exists()
    ani.refresh_from_db()
    assert ani.jabatan != "Jabatan Baru"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "second_row, column",
    [
        ([NEW_2, "Eko", "Analis", "DINKES-P2P", "hr_dinkes", ""], "username"),  # another person's account
        ([NEW_2, "Eko", "Analis", "DINKES-P2P", "dewi", ""], "username"),       # same as row 2
        ([NEW_2, "Eko", "Analis", "DINKES-P2P", "eko bersih", ""], "username"),  # space not allowed
        ([NEW_2, "Eko", "Analis", "DINKES-P2P", "", "bukan-surel"], "email"),
    ],
)
def test_it_checks_the_account_columns(hr, bidang_p2p, second_row, column):
    header = ["nip", "name", "jabatan", "unit_code", "username", "email"]
    rows = [header, [NEW_1, "Dewi", "Analis", "DINKES-P2P", "dewi", ""], second_row]
    result = run(hr, "employees", csv_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert not User.objects.filter(username="dewi").exists()


def test_it_refuses_a_supervisor_loop_made_by_the_file(hr, kabid, kadis):
    rows = [EMPLOYEE_HEADER, [kadis.nip, kadis.name, kadis.jabatan, "DINKES", kabid.nip, ""]]
    result = run(hr, "employees", csv_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "supervisor_nip")]
    assert "lingkaran" in result.errors[0].message
    kadis.refresh_from_db()
    assert kadis.supervisor_id is None


def test_it_refuses_to_update_an_employee_outside_the_scope(hr, outsider, dinkes):
    rows = [EMPLOYEE_HEADER, [outsider.nip, outsider.name, "Pindah", "DINKES", "", ""]]
    result = run(hr, "employees", csv_upload(rows))
    assert (2, "nip") in {(e.row, e.column) for e in result.errors}
    outsider.refresh_from_db()
    assert outsider.unit.code == "PEMPROV-X"


def test_it_refuses_an_nip_that_excel_stored_as_a_number(hr, bidang_p2p):
    rows = [EMPLOYEE_HEADER, [float(NEW_1), "Dewi", "Analis", "DINKES-P2P", "", ""]]
    result = run(hr, "employees", xlsx_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "nip")]
    assert "Teks" in result.errors[0].message


def test_it_imports_units_with_a_parent_later_in_the_file(hr, dinkes):
    rows = [["code", "name", "kind", "parent_code", "time_zone"],
            ["DINKES-P2P-S1", "Seksi Surveilans", "seksi", "DINKES-YANKES", ""],
            ["DINKES-YANKES", "Bidang Pelayanan", "bidang", "DINKES", "WITA"]]
    result = run(hr, "units", csv_upload(rows))
    assert result.committed and result.created == 2, result.errors
    seksi = Unit.objects.get(code="DINKES-P2P-S1")
    assert seksi.parent.code == "DINKES-YANKES"
    assert seksi.path.startswith(dinkes.path) and seksi.depth == 3
    assert seksi.effective_time_zone == "Asia/Makassar"
    assert AuditEvent.objects.filter(verb="unit.created", actor=hr).count() == 2


@pytest.mark.parametrize(
    "row, column",
    [
        (["B-LUAR", "Bidang Luar", "bidang", "PEMPROV-X", ""], "parent_code"),
        (["INSTANSI-BARU", "Kota Baru", "instansi", "", "WIB"], "kind"),
        (["PEMPROV-X", "Diganti", "instansi", "", "WITA"], "code"),
        (["DINKES", "Dinas Dipindah", "unit_organisasi", "PEMPROV-X", ""], "parent_code"),
        (["B-X", "Bidang", "bidang", "TIDAK-ADA", ""], "parent_code"),
        (["B-Y", "Bidang", "jenis-aneh", "DINKES", ""], "kind"),
    ],
)
def test_it_refuses_unit_rows_outside_the_scope_or_invalid(hr, dinkes, pemprov_lain, row, column):
    result = run(hr, "units", csv_upload([["code", "name", "kind", "parent_code", "time_zone"], row]))
    assert (2, column) in {(e.row, e.column) for e in result.errors}
    assert not AuditEvent.objects.filter(actor=hr).exists()


def test_it_lets_a_superuser_create_an_instansi(superuser):
    rows = [["code", "name", "kind", "parent_code", "time_zone"], ["KAB-X", "Kabupaten X", "instansi", "", "WIT"]]
    result = run(superuser, "units", xlsx_upload(rows))
    assert result.committed, result.errors
    assert Unit.objects.get(code="KAB-X").effective_time_zone == "Asia/Jayapura"


def test_it_flags_unknown_and_missing_columns(hr, dinkes):
    result = run(hr, "employees", csv_upload([["nip", "nama", "jabtan"], [NEW_1, "Dewi", "Analis"]]))
    columns = {(e.row, e.column) for e in result.errors}
    assert columns == {(1, "jabtan"), (1, "jabatan"), (1, "unit_code")}, "no noise from data rows"


def test_it_numbers_rows_as_the_spreadsheet_does_despite_blank_rows(hr, bidang_p2p):
    rows = [[], EMPLOYEE_HEADER, [NEW_1, "Dewi", "Analis", "DINKES-P2P", "", ""], [],
            [NEW_2, "Eko", "Analis", "TIDAK-ADA", "", ""]]
    result = run(hr, "employees", xlsx_upload(rows), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(5, "unit_code")]
    assert result.rows == 2


def test_it_rejects_a_file_with_too_many_rows(hr, settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 2
    rows = [EMPLOYEE_HEADER] + [[NEW_1, "Dewi", "Analis", "DINKES-P2P", "", ""]] * 3
    with pytest.raises(ImportFileError, match="lebih dari 2 baris"):
        run(hr, "employees", csv_upload(rows))


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("foto.png", b"\x89PNG\r\n\x1a\n", "CSV"),
        ("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "bukan teks"),
        ("data.xlsx", b"nip,name\n1,2\n", "bukan XLSX"),
        ("data.xlsx", b"PK\x03\x04rusak", "tidak dapat dibaca"),
        ("lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
        ("kosong.csv", b"", "kosong"),
    ],
)
def test_it_rejects_files_that_are_not_csv_or_xlsx(hr, name, content, words):
    with pytest.raises(ImportFileError, match=words):
        run(hr, "employees", SimpleUploadedFile(name, content))


def test_it_rejects_a_file_over_the_size_limit(hr, settings):
    settings.PORTAL_IMPORT_MAX_BYTES = 64
    rows = [EMPLOYEE_HEADER] + [[NEW_1, "Dewi", "Analis", "DINKES-P2P", "", ""]] * 5
    with pytest.raises(ImportFileError, match="terlalu besar"):
        run(hr, "employees", csv_upload(rows))


# --- Records window (TMT presensi, akhir presensi) and the institution's go-live ----------------------

RECORDS_HEADER = ["nip", "nama", "jabatan", "kode_unit", "tmt_presensi", "akhir_presensi", "alasan_akhir"]


def test_it_imports_the_records_window_under_indonesian_headers(hr, ani, bidang_p2p):
    rows = [RECORDS_HEADER,
            [NEW_1, "Dewi", "Analis", "DINKES-P2P", "2026-03-01", "31/10/2026", "Pensiun"],
            [NEW_2, "Eko", "Analis", "DINKES-P2P", "15-04-2026", "", ""],
            [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", "", "2026-11-30", "MUTASI_KELUAR"]]
    result = run(hr, "employees", csv_upload(rows))
    assert result.committed, result.errors
    dewi, eko = Employee.objects.get(nip=NEW_1), Employee.objects.get(nip=NEW_2)
    assert (dewi.records_start, dewi.records_end, dewi.records_end_reason) == (
        dt.date(2026, 3, 1), dt.date(2026, 10, 31), "pensiun")
    assert (eko.records_start, eko.records_end, eko.records_end_reason) == (dt.date(2026, 4, 15), None, "")
    ani.refresh_from_db()
    assert (ani.records_start, ani.records_end, ani.records_end_reason) == (None, dt.date(2026, 11, 30),
                                                                            "mutasi_keluar")
    event = AuditEvent.objects.get(verb="employee.updated", object_id=str(ani.pk))
    assert event.after["records_end"] == "2026-11-30"


def test_it_counts_an_identical_records_window_as_unchanged(hr, ani):
    Employee.objects.filter(pk=ani.pk).update(records_start=dt.date(2026, 1, 5), records_end=dt.date(2026, 9, 30),
                                              records_end_reason="meninggal")
    rows = [RECORDS_HEADER, [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", "2026-01-05", "2026-09-30",
                             "Meninggal dunia"]]
    result = run(hr, "employees", csv_upload(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1), result.errors


@pytest.mark.parametrize(
    "cells, column, words",
    [
        (["2026-05-01", "2026-04-30", ""], "records_end", "sebelum tanggal mulainya"),
        (["", "", "pensiun"], "records_end", "Isi tanggal akhir presensi"),
        (["", "2026-10-31", "cuti panjang"], "records_end_reason", "tidak dikenal"),
        (["31-31-2026", "", ""], "records_start", "tidak sah"),
        (["", "kemarin", "pensiun"], "records_end", "tidak sah"),
    ],
)
def test_it_refuses_a_bad_records_window_and_writes_nothing(hr, bidang_p2p, cells, column, words):
    rows = [RECORDS_HEADER, [NEW_1, "Dewi", "Analis", "DINKES-P2P", "", "", ""],
            [NEW_2, "Eko", "Analis", "DINKES-P2P", *cells]]
    result = run(hr, "employees", xlsx_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert words in result.errors[0].message
    assert not Employee.objects.filter(nip__in=[NEW_1, NEW_2]).exists()


def test_it_checks_the_records_window_against_the_stored_values(hr, ani):
    Employee.objects.filter(pk=ani.pk).update(records_start=dt.date(2026, 6, 1))
    rows = [RECORDS_HEADER, [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", "", "2026-05-31", "berhenti"]]
    result = run(hr, "employees", csv_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "records_end")]
    Employee.objects.filter(pk=ani.pk).update(records_end=dt.date(2026, 12, 31))
    rows = [RECORDS_HEADER, [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", "", "", "Berhenti / diberhentikan"]]
    result = run(hr, "employees", csv_upload(rows))
    assert result.committed, result.errors  # the stored end date goes with the new reason
    ani.refresh_from_db()
    assert (ani.records_end, ani.records_end_reason) == (dt.date(2026, 12, 31), "berhenti")


def test_it_imports_an_institutions_go_live_date(pemkot, dinkes):
    hr_pemkot = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=hr_pemkot, unit=pemkot)
    header = ["kode", "nama", "jenis", "kode_induk", "zona_waktu", "mulai_presensi"]
    rows = [header, ["PEMKOT", pemkot.name, "instansi", "", "WIB", "01/10/2026"],
            ["DINKES", dinkes.name, "unit_organisasi", "PEMKOT", "", ""]]
    result = run(hr_pemkot, "units", csv_upload(rows))
    assert result.committed and (result.updated, result.unchanged) == (1, 1), result.errors
    pemkot.refresh_from_db()
    assert pemkot.attendance_from == dt.date(2026, 10, 1)
    assert AuditEvent.objects.filter(verb="unit.updated", object_id=str(pemkot.pk), actor=hr_pemkot).exists()
    result = run(hr_pemkot, "units", csv_upload(rows[:2]))
    assert (result.updated, result.unchanged) == (0, 1)


def test_it_refuses_a_go_live_date_below_the_institution(hr, dinkes):
    rows = [["code", "name", "kind", "parent_code", "time_zone", "attendance_from"],
            ["DINKES-BARU", "Bidang Baru", "bidang", "DINKES", "", "2026-10-01"],
            ["DINKES-LAIN", "Bidang Lain", "bidang", "DINKES", "", "1 Oktober"]]
    result = run(hr, "units", csv_upload(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "attendance_from"), (3, "attendance_from")]
    assert "hanya diisi untuk instansi" in result.errors[0].message
    assert not Unit.objects.filter(code__startswith="DINKES-").exists()


def test_it_lists_the_new_columns_in_the_template(client, hr):
    client.force_login(hr)
    for kind, columns in (("employees", ["records_start", "records_end", "records_end_reason"]),
                          ("units", ["attendance_from"])):
        body = b"".join(client.get(reverse("hr-import"), {"template": kind}).streaming_content).decode("utf-8-sig")
        header = body.splitlines()[0].split(",")
        assert set(columns) <= set(header), header
