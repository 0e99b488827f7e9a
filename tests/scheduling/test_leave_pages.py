"""HR's leave pages (settings per institution, balances per employee, the import of openings), the
employee's "Cuti saya" and the balance block of the request form, the leave admin, and the
service_start column of the people import.

Every write goes through the leave services: the tests look at the rows and at the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent, Employee
from portal.services.people_import import people_import
from scheduling import services
from scheduling.models import DocumentRule, Kind, KindRule, LeaveAdjustment, LeaveOpening, LeaveSettings
from scheduling.selectors import leave
from scheduling.services.leave_hr import leave_openings_import
from tests.factories import EmployeeFactory, HRAdminScopeFactory, UserFactory, make_nip

NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 10:00 WIB
pytestmark = pytest.mark.now(NOW, tick=False)


@pytest.fixture
def hr_city(pemkot):
    """HR over the whole city government: the one who sets its leave."""
    user = UserFactory(username="hr_kota", is_staff=True)
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def institution_url(unit) -> str:
    return reverse("scheduling:leave-institution", kwargs={"institution_id": unit.pk})


def employee_url(employee) -> str:
    return reverse("scheduling:leave-employee", kwargs={"employee_id": employee.pk})


def settings_post(institution, official: str = "", first_year: int = 2026, **rows) -> dict:
    """The settings form as it stands, with ``rows`` (kind -> dict of fields) changed."""
    data = {"official": official, "first_year": str(first_year)}
    for s in leave.kind_settings(institution):
        row = {"needs_official": s.needs_official, "document": s.document, "document_label": s.document_label,
               **rows.get(s.kind, {})}
        if row["needs_official"]:
            data[f"{s.kind}-needs_official"] = "on"
        data[f"{s.kind}-document"] = row["document"]
        data[f"{s.kind}-document_label"] = row["document_label"]
    return data


LEAVE_VERBS = ("leave_settings.saved", "kind_rule.saved", "leave_opening.set", "leave.adjusted")


def leave_events():
    return AuditEvent.objects.filter(verb__in=LEAVE_VERBS)


def verbs() -> list[str]:
    """The leave events written (the fixtures' own unit and employee events left out)."""
    return list(leave_events().order_by("pk").values_list("verb", flat=True))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Pengaturan cuti ----------------------------------------------------------------------------


def test_it_lists_institutions_editable_and_above_the_scope(client, hr, hr_city, pemkot, dinkes):
    client.force_login(hr_city)
    page = text_of(client.get(reverse("scheduling:leave-settings")))
    assert pemkot.name in page and institution_url(pemkot) in page
    client.force_login(hr)  # HR of a dinas sees the city's settings, but cannot change them
    response = client.get(reverse("scheduling:leave-settings"))
    assert pemkot.name in text_of(response) and institution_url(pemkot) not in text_of(response)
    assert client.get(institution_url(pemkot)).status_code == 404


def test_it_answers_404_outside_the_scope_and_writes_nothing(client, hr, hr_other, pemkot, kadis):
    for user in (hr, hr_other):
        client.force_login(user)
        assert client.get(institution_url(pemkot)).status_code == 404
        assert client.post(institution_url(pemkot), settings_post(pemkot, official=kadis.nip)).status_code == 404
    client.force_login(kadis.user)  # an employee, not HR
    assert client.get(reverse("scheduling:leave-settings")).status_code == 404
    assert not LeaveSettings.objects.exists() and not leave_events().exists()


def test_it_saves_the_official_and_changed_kinds_through_the_services(client, hr_city, pemkot, kadis):
    client.force_login(hr_city)
    data = settings_post(pemkot, official=kadis.nip_display, CS={"document": DocumentRule.ALWAYS,
                                                                 "document_label": "  Surat   dokter "})
    response = client.post(institution_url(pemkot), data)
    assert response.status_code == 302
    row = LeaveSettings.objects.get(institution=pemkot)
    assert (row.official, row.first_year) == (kadis, 2026)
    rule = KindRule.objects.get(institution=pemkot)  # only the changed kind gets a row
    assert (rule.kind, rule.document, rule.document_label, rule.needs_official) == (
        Kind.CS, DocumentRule.ALWAYS, "Surat dokter", True)
    assert verbs() == ["leave_settings.saved", "kind_rule.saved"]
    event = AuditEvent.objects.get(verb="leave_settings.saved")
    assert (event.actor, event.unit_id, event.after["official"]) == (hr_city, pemkot.pk, kadis.pk)
    assert client.post(institution_url(pemkot), settings_post(pemkot, official=kadis.nip)).status_code == 302
    assert leave_events().count() == 2  # saving it unchanged writes nothing


def test_it_shows_a_document_rule_without_label_on_its_row_and_saves_nothing(client, hr_city, pemkot, kadis):
    client.force_login(hr_city)
    data = settings_post(pemkot, official=kadis.nip, DL={"document": DocumentRule.ALWAYS, "document_label": ""},
                         CB={"document": DocumentRule.ALWAYS, "document_label": "Surat permohonan"})
    response = client.post(institution_url(pemkot), data)
    assert response.status_code == 200
    rows = {f.setting.kind: f for f in response.context["rule_forms"]}
    assert rows[Kind.DL].errors["document_label"] == ["Sebutkan nama dokumennya, mis. Surat keterangan dokter."]
    assert not rows[Kind.CB].errors
    assert "Sebutkan nama dokumennya" in text_of(response)
    # All or nothing: neither the official, nor the good row, nor any audit event.
    assert not LeaveSettings.objects.exists() and not KindRule.objects.exists() and not leave_events().exists()


def test_it_refuses_a_chain_no_official_can_decide(client, hr_city, pemkot):
    client.force_login(hr_city)
    page = text_of(client.get(institution_url(pemkot)))
    assert "cuti diputus atasan langsung saja sampai pejabat ditetapkan" in page  # no official, no head
    data = settings_post(pemkot, CT={"document": DocumentRule.ALWAYS, "document_label": "Formulir cuti"})
    response = client.post(institution_url(pemkot), data)
    rows = {f.setting.kind: f for f in response.context["rule_forms"]}
    assert rows[Kind.CT].errors["needs_official"][0].startswith("Belum ada yang dapat memutus")
    assert not KindRule.objects.exists() and not leave_events().exists()


def test_it_saves_a_rule_needing_the_official_named_in_the_same_form(client, hr_city, pemkot, kadis):
    client.force_login(hr_city)
    data = settings_post(pemkot, official=kadis.nip, CT={"document": DocumentRule.ALWAYS,
                                                         "document_label": "Formulir cuti"})
    assert client.post(institution_url(pemkot), data).status_code == 302
    assert KindRule.objects.get(institution=pemkot, kind=Kind.CT).needs_official
    assert "cuti diputus atasan langsung saja" not in text_of(client.get(institution_url(pemkot)))


def test_it_never_lets_a_non_cuti_kind_need_the_official(client, hr_city, pemkot, kadis):
    client.force_login(hr_city)
    data = settings_post(pemkot, official=kadis.nip, IZIN={"needs_official": True})
    assert client.post(institution_url(pemkot), data).status_code == 302
    assert not KindRule.objects.filter(kind=Kind.IZIN).exists()  # the box is disabled: nothing changed


def test_it_picks_the_official_only_inside_the_institution(client, hr_city, pemkot, outsider):
    client.force_login(hr_city)
    response = client.post(institution_url(pemkot), settings_post(pemkot, official=outsider.nip))
    assert response.context["form"].errors["official"] == ["Pegawai dengan NIP ini tidak ditemukan di instansi ini."]
    assert not LeaveSettings.objects.exists()


def test_it_shows_the_services_message_for_a_first_year_out_of_range(client, hr_city, pemkot):
    client.force_login(hr_city)
    response = client.post(institution_url(pemkot), settings_post(pemkot, first_year=2030))
    assert response.context["form"].errors["first_year"] == ["Tahun antara 2000 dan 2027."]
    assert not LeaveSettings.objects.exists()


# --- Saldo cuti ----------------------------------------------------------------------------------


def test_it_lists_a_page_of_employees_without_counting_them_all(client, hr, dinkes, ani):
    for i in range(55):
        EmployeeFactory(name=f"Pegawai {i:02d}", unit=dinkes)
    client.force_login(hr)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scheduling:leave-balances"))
    assert len(response.context["employees"]) == 50 and response.context["has_next"]
    employee_counts = [q["sql"] for q in queries.captured_queries
                       if "COUNT(" in q["sql"].upper() and "portal_employee" in q["sql"]]
    assert not employee_counts  # a page reads its rows (and one more), never the size of the institution
    second = client.get(reverse("scheduling:leave-balances"), {"halaman": 2})
    assert len(second.context["employees"]) == 8 and not second.context["has_next"]  # 55 + ani, kabid, kadis
    found = client.get(reverse("scheduling:leave-balances"), {"q": "ani les"})
    assert [e.pk for e in found.context["employees"]] == [ani.pk]
    by_nip = client.get(reverse("scheduling:leave-balances"), {"q": ani.nip_display})
    assert [e.pk for e in by_nip.context["employees"]] == [ani.pk]


def test_it_keeps_the_list_and_the_employee_page_inside_the_scope(client, hr_other, ani, outsider):
    client.force_login(hr_other)
    listed = client.get(reverse("scheduling:leave-balances")).context["employees"]
    assert [e.pk for e in listed] == [outsider.pk]
    assert client.get(employee_url(ani)).status_code == 404
    post = {"form": "saldo-awal", "saldo-awal-year": "2026", "saldo-awal-days": "10"}
    assert client.post(employee_url(ani), post).status_code == 404
    assert not LeaveOpening.objects.exists()


def test_it_sets_an_opening_through_the_service_and_shows_the_year(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "saldo-awal", "saldo-awal-year": "2026",
                                               "saldo-awal-days": "15", "saldo-awal-note": "Buku cuti 2025"})
    assert response.status_code == 302
    assert LeaveOpening.objects.get(employee=ani, year=2026).days == 15
    assert verbs() == ["leave_opening.set"]
    page = client.get(employee_url(ani))
    assert page.context["data"].current.available == 15
    assert "Buku cuti 2025" in text_of(page)


def test_it_refuses_an_opening_for_a_year_not_yet_begun(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "saldo-awal", "saldo-awal-year": "2027",
                                               "saldo-awal-days": "12"})
    assert response.status_code == 200
    assert response.context["opening"].errors["year"] == [
        "Tahun antara 2000 dan 2026: saldo tahun yang belum tiba belum dapat ditetapkan."]
    assert not LeaveOpening.objects.exists() and not leave_events().exists()


def test_it_refuses_an_opening_for_a_year_before_the_portal_keeps_balances(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "saldo-awal", "saldo-awal-year": "2025",
                                               "saldo-awal-days": "12"})
    assert response.context["opening"].errors["year"] == [
        "Saldo cuti di portal dimulai tahun 2026; sisa tahun sebelumnya dimasukkan sebagai saldo awal 2026."]
    assert not LeaveOpening.objects.exists()


def test_it_adds_an_adjustment_with_its_reason_and_author(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "penyesuaian", "penyesuaian-year": "2026",
                                               "penyesuaian-days": "1",
                                               "penyesuaian-reason": "Bertugas pada cuti bersama 24 Desember"})
    assert response.status_code == 302
    row = LeaveAdjustment.objects.get(employee=ani)
    assert (row.days, row.created_by) == (1, hr)
    event = AuditEvent.objects.get(verb="leave.adjusted")
    assert (event.actor, event.after["remaining"]) == (hr, 13)
    page = text_of(client.get(employee_url(ani)))
    assert "Bertugas pada cuti bersama 24 Desember" in page and hr.username in page


def test_it_refuses_an_adjustment_below_zero_on_the_days_field(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "penyesuaian", "penyesuaian-year": "2026",
                                               "penyesuaian-days": "-13", "penyesuaian-reason": "Koreksi"})
    assert response.status_code == 200
    assert response.context["adjustment"].errors["days"] == [
        "Saldo 2026 tidak boleh di bawah nol: hak 12 hari, terpakai atau diajukan 0, sisa 12; pengurangan paling "
        "banyak 12 hari."]
    assert not LeaveAdjustment.objects.exists() and not leave_events().exists()


def test_it_asks_for_the_reason_of_an_adjustment(client, hr, ani):
    client.force_login(hr)
    response = client.post(employee_url(ani), {"form": "penyesuaian", "penyesuaian-year": "2026",
                                               "penyesuaian-days": "2", "penyesuaian-reason": "  "})
    assert response.context["adjustment"].errors["reason"] == ["Alasan penyesuaian wajib diisi."]
    assert not LeaveAdjustment.objects.exists()


# --- Import of openings -------------------------------------------------------------------------


def csv_upload(rows, name="saldo.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, name="saldo.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


HEADER = ["NIP", "tahun", "hari", "keterangan"]


def test_it_imports_openings_after_a_dry_run(client, hr, ani, budi):
    rows = [HEADER, [ani.nip_display, "2026", "15", "Buku cuti"], [budi.nip, "2026", "9", ""]]
    client.force_login(hr)
    dry = client.post(reverse("scheduling:leave-import"), {"file": csv_upload(rows), "dry_run": "on"})
    result = dry.context["result"]
    assert (result.dry_run, result.errors, result.created) == (True, [], 2)
    assert not LeaveOpening.objects.exists() and not leave_events().exists()  # ran the services, rolled back
    done = client.post(reverse("scheduling:leave-import"), {"file": csv_upload(rows)}).context["result"]
    assert done.committed and (done.created, done.updated) == (2, 0)
    assert dict(LeaveOpening.objects.values_list("employee__name", "days")) == {ani.name: 15, budi.name: 9}
    assert verbs() == ["leave_opening.set", "leave_opening.set"]


def test_it_refuses_the_whole_import_and_names_every_bad_row(hr, ani, budi, outsider):
    rows = [HEADER,
            [ani.nip, "2026", "15", ""],           # fine, but nothing may be saved
            [budi.nip, "2027", "12", ""],          # row 3: a year not yet begun
            [outsider.nip, "2026", "12", ""],      # row 4: outside the scope
            [budi.nip, "2026", "dua belas", ""],   # row 5: not a number
            [ani.nip, "2026", "10", ""]]           # row 6: the same employee and year again
    result = leave_openings_import(actor=hr, upload=csv_upload(rows), dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(3, "tahun"), (4, "nip"), (5, "hari"), (6, "tahun")]
    assert "belum tiba" in result.errors[0].message
    assert not result.committed and not LeaveOpening.objects.exists() and not leave_events().exists()


def test_it_reports_a_row_the_service_refuses_with_its_number(hr, ani):
    result = leave_openings_import(actor=hr, upload=xlsx_upload([HEADER, [ani.nip, 2026, 49, "x"]]), dry_run=True)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "hari", "Harus antara 0 dan 48 hari kerja.")]


def test_it_reads_openings_from_xlsx(hr, ani):
    result = leave_openings_import(actor=hr, upload=xlsx_upload([["nip", "nama", "tahun", "hari"],
                                                                 [ani.nip, ani.name, 2026, 14]]), dry_run=False)
    assert result.committed and LeaveOpening.objects.get(employee=ani).days == 14


def test_it_offers_the_import_template(client, hr):
    client.force_login(hr)
    response = client.get(reverse("scheduling:leave-import"), {"pola": "csv"})
    assert b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0] == "nip,tahun,hari,keterangan,name"


# --- The employee -------------------------------------------------------------------------------


def test_the_employee_sees_their_balance_before_asking(client, hr, ani, kabid):
    services.leave_opening_set(actor=hr, employee=ani, year=2026, days=14)
    services.leave_adjust(actor=hr, employee=ani, year=2026, days=1, reason="Bertugas pada cuti bersama")
    services.request_submit(actor=ani.user, kind=Kind.CT, dates=[dt.date(2026, 12, 7), dt.date(2026, 12, 8)])
    client.force_login(ani.user)
    form = text_of(client.get(reverse("scheduling:request-new")))
    assert "Sisa cuti tahunan 2026: 13 dari 15 hari" in form
    assert 'data-show-kind="CT"' in form and "terpakai atau sedang diajukan 2 hari" in form
    mine = client.get(reverse("scheduling:my-leave"))
    assert "Sisa cuti tahunan 2026: 13 dari 15 hari kerja." in text_of(mine)
    assert "Bertugas pada cuti bersama" in text_of(mine)


def test_a_new_employee_sees_they_are_not_yet_entitled(client, ani):
    Employee.objects.filter(pk=ani.pk).update(service_start=dt.date(2026, 3, 1))
    client.force_login(ani.user)
    response = client.get(reverse("scheduling:my-leave"))
    assert response.context["data"].current.available == 0
    assert "belum 1 tahun" in text_of(response)


def test_my_leave_is_for_employees_only(client, hr):
    client.force_login(hr)
    assert client.get(reverse("scheduling:my-leave")).status_code == 404


# --- Admin ------------------------------------------------------------------------------------------


def test_the_admin_saves_a_kind_rule_through_its_service(client, hr_city, pemkot):
    client.force_login(hr_city)
    url = reverse("admin:scheduling_kindrule_add")
    bad = client.post(url, {"institution": pemkot.pk, "kind": Kind.SAKIT, "document": DocumentRule.ALWAYS,
                            "document_label": ""})
    assert bad.status_code == 200 and not KindRule.objects.exists()
    assert "Sebutkan nama dokumennya" in text_of(bad)
    good = client.post(url, {"institution": pemkot.pk, "kind": Kind.SAKIT, "document": DocumentRule.ALWAYS,
                             "document_label": "Surat dokter"})
    assert good.status_code == 302
    assert KindRule.objects.get(institution=pemkot).document_label == "Surat dokter"
    assert verbs() == ["kind_rule.saved"]


def test_the_admin_only_reads_settings_openings_and_adjustments(rf, hr_city):
    from scheduling.models import LeaveAdjustment as Adj

    request = rf.get("/")
    request.user = hr_city
    for model in (LeaveSettings, LeaveOpening, Adj):
        model_admin = site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)


# --- service_start in the people import ---------------------------------------------------------


def test_the_people_import_reads_the_start_of_service(hr, ani):
    new = make_nip(born=dt.date(1990, 5, 1), tmt="201803", sex="2", serial=77)
    rows = [["nip", "name", "jabatan", "unit_code", "tmt_awal_masa_kerja"],
            [new, "Dewi", "Analis", "DINKES-P2P", "01/03/2018"],
            [ani.nip, ani.name, ani.jabatan, "DINKES-P2P", "2015-05-01"]]
    result = people_import(actor=hr, kind="employees", upload=csv_upload(rows), dry_run=False)
    assert result.committed, result.errors
    assert Employee.objects.get(nip=new).service_start == dt.date(2018, 3, 1)
    ani.refresh_from_db()
    assert ani.service_start == dt.date(2015, 5, 1)
    bad = people_import(actor=hr, kind="employees", dry_run=True, upload=csv_upload(
        [["nip", "name", "jabatan", "unit_code", "service_start"], [ani.nip, ani.name, "x", "DINKES-P2P", "kemarin"]]))
    assert [(e.column, e.message) for e in bad.errors] == [
        ("service_start", "Tanggal 'kemarin' tidak sah; gunakan TTTT-BB-HH atau HH/BB/TTTT.")]
