"""The HR API: unit and employee writes, Plh/Plt, HR scopes, calendar overrides, people
import, supervisor check and audit log. Same scope rules as the pages and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from portal.models import AuditEvent, CalendarOverride, Delegation, Employee, HRAdminScope, Unit, User
from portal.selectors import ROLE_SUPERVISOR, roles_of, workcalendar
from tests.factories import DelegationFactory, EmployeeFactory, HRAdminScopeFactory, UserFactory, make_nip

UNITS = "/api/v1/units/"
EMPLOYEES = "/api/v1/employees/"
DELEGATIONS = "/api/v1/delegations/"
SCOPES = "/api/v1/hr-scopes/"
CALENDAR = "/api/v1/calendar-overrides/"
IMPORT = "/api/v1/hr/import/"
CHECK = "/api/v1/hr/supervisor-check/"
AUDIT = "/api/v1/hr/audit/"


def client_for(user, language: str = "id") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status_code
    return body["error"]


def audit_count() -> int:
    return AuditEvent.objects.count()


@pytest.fixture
def hr_pemkot(pemkot):
    user = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


# --- Units -----------------------------------------------------------------------------------


def test_it_lets_hr_create_a_unit_below_their_scope_and_audits_it(hr, dinkes):
    response = client_for(hr).post(UNITS, {"code": "DINKES-KESMAS", "name": "Bidang Kesmas", "kind": "bidang",
                                           "parent": dinkes.pk}, format="json")
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(code="DINKES-KESMAS")
    assert unit.path.startswith(dinkes.path) and unit.depth == dinkes.depth + 1
    assert response.json()["time_zone"] == "Asia/Jakarta" and response.json()["time_zone_inherited"] is True
    event = AuditEvent.objects.get(verb="unit.created", object_id=str(unit.pk))
    assert event.actor == hr


def test_it_refuses_a_parent_outside_the_scope_as_unknown_and_writes_nothing(hr_other, dinkes):
    before = (Unit.objects.count(), audit_count())
    error = error_of(client_for(hr_other).post(UNITS, {"code": "X1", "name": "Sisipan", "kind": "bidang",
                                                       "parent": dinkes.pk}, format="json"), 400)
    assert list(error["fields"]) == ["parent"]
    assert (Unit.objects.count(), audit_count()) == before


def test_it_requires_hr_to_name_a_parent_and_only_a_superuser_creates_an_instansi(hr, superuser):
    error = error_of(client_for(hr).post(UNITS, {"code": "NEW", "name": "Instansi Baru", "kind": "instansi",
                                                 "time_zone": "Asia/Jayapura"}, format="json"), 400)
    assert "parent" in error["fields"]
    response = client_for(superuser).post(UNITS, {"code": "NEW", "name": "Instansi Baru", "kind": "instansi",
                                                  "time_zone": "Asia/Jayapura"}, format="json")
    assert response.status_code == 201 and Unit.objects.get(code="NEW").depth == 0


def test_it_reports_model_rules_and_a_taken_code_as_field_errors(hr, dinkes, bidang_p2p):
    client = client_for(hr)
    error = error_of(client.post(UNITS, {"code": "DINKES-P2P", "name": "Lagi", "kind": "bidang",
                                         "parent": dinkes.pk}, format="json"), 400)
    assert list(error["fields"]) == ["code"]
    error = error_of(client.post(UNITS, {"code": "BARU", "name": "Lagi", "kind": "instansi",
                                         "parent": dinkes.pk}, format="json"), 400)
    assert list(error["fields"]) == ["kind"]
    assert not Unit.objects.filter(name="Lagi").exists()


def test_it_answers_404_to_unit_writes_outside_the_scope(hr_other, ani, dinkes):
    for client in (client_for(hr_other), client_for(ani.user)):
        error_of(client.patch(f"{UNITS}{dinkes.pk}/", {"name": "Diretas"}, format="json"), 404)
        error_of(client.post(f"{UNITS}{dinkes.pk}/deactivate/"), 404)
    error_of(client_for(ani.user).post(UNITS, {"code": "Z", "name": "Z", "kind": "bidang",
                                               "parent": dinkes.pk}, format="json"), 404)
    dinkes.refresh_from_db()
    assert dinkes.name == "Dinas Kesehatan" and dinkes.is_active


def test_it_keeps_the_top_of_an_hr_scope_in_place(hr, dinkes, upt):
    error = error_of(client_for(hr).patch(f"{UNITS}{dinkes.pk}/", {"parent": upt.pk}, format="json"), 400)
    assert "parent" in error["fields"]
    response = client_for(hr).patch(f"{UNITS}{dinkes.pk}/", {"name": "Dinas Kesehatan Kota"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Dinas Kesehatan Kota"
    event = AuditEvent.objects.get(verb="unit.updated", object_id=str(dinkes.pk))
    assert (event.before["name"], event.after["name"]) == ("Dinas Kesehatan", "Dinas Kesehatan Kota")


def test_it_moves_a_unit_and_its_subtree_inside_the_scope(hr, dinkes, bidang_p2p, upt):
    response = client_for(hr).patch(f"{UNITS}{upt.pk}/", {"parent": bidang_p2p.pk}, format="json")
    assert response.status_code == 200, response.content
    upt.refresh_from_db()
    assert upt.path == f"{bidang_p2p.path}{upt.pk}/"


def test_it_deactivates_a_unit_once(hr, bidang_p2p):
    client = client_for(hr)
    assert client.post(f"{UNITS}{bidang_p2p.pk}/deactivate/").json()["is_active"] is False
    assert client.post(f"{UNITS}{bidang_p2p.pk}/deactivate/").status_code == 200
    assert AuditEvent.objects.filter(verb="unit.updated", object_id=str(bidang_p2p.pk)).count() == 1


# --- Employees -------------------------------------------------------------------------------


def test_it_creates_an_employee_with_an_account_from_a_grouped_nip(hr, bidang_p2p, kabid):
    nip = make_nip(born=dt.date(1990, 2, 3), tmt="201503", sex="2", serial=7)
    grouped = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    response = client_for(hr).post(EMPLOYEES, {"nip": grouped, "name": "Dewi", "jabatan": "Pranata Komputer",
                                               "unit": bidang_p2p.pk, "supervisor": kabid.pk,
                                               "email": "dewi@example.go.id"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nip"] == nip and body["username"] == nip and body["supervisor"]["id"] == kabid.pk
    employee = Employee.objects.get(nip=nip)
    assert employee.user.email == "dewi@example.go.id" and not employee.user.has_usable_password()
    assert set(AuditEvent.objects.filter(actor=hr).values_list("verb", flat=True)) == {
        "user.created", "employee.created"}


def test_it_reports_a_bad_nip_on_the_nip_field_and_creates_no_account(hr, bidang_p2p):
    users = User.objects.count()
    payload = {"nip": "19860926201505100", "name": "Eko", "jabatan": "Staf", "unit": bidang_p2p.pk}
    error = error_of(client_for(hr).post(EMPLOYEES, payload, format="json"), 400)
    assert error["fields"] == {"nip": ["NIP harus 18 digit; yang diisi 17 digit."]}
    assert error["message"] == "Data yang dikirim tidak valid."
    english = error_of(client_for(hr, "en").post(EMPLOYEES, payload, format="json"), 400)
    assert english["fields"] == {"nip": ["NIP must have 18 digits; 17 were entered."]}
    assert english["message"] == "The submitted data is not valid."
    assert User.objects.count() == users and not Employee.objects.filter(name="Eko").exists()


def test_it_reports_a_taken_nip_on_the_nip_field(hr, bidang_p2p, ani):
    users = User.objects.count()
    error = error_of(client_for(hr).post(EMPLOYEES, {"nip": ani.nip, "name": "Kembar", "jabatan": "Staf",
                                                     "unit": bidang_p2p.pk}, format="json"), 400)
    assert list(error["fields"]) == ["nip"]
    assert User.objects.count() == users


def test_it_refuses_a_supervisor_from_another_institution_and_a_loop(hr, bidang_p2p, ani, kabid, outsider):
    client = client_for(hr)
    error = error_of(client.patch(f"{EMPLOYEES}{ani.pk}/", {"supervisor": outsider.pk}, format="json"), 400)
    assert list(error["fields"]) == ["supervisor"]
    error = error_of(client.patch(f"{EMPLOYEES}{kabid.pk}/", {"supervisor": ani.pk}, format="json"), 400)
    assert list(error["fields"]) == ["supervisor"]
    kabid.refresh_from_db()
    assert kabid.supervisor_id != ani.pk


def test_it_answers_404_to_employee_writes_outside_the_scope(hr_other, ani, budi):
    for client in (client_for(hr_other), client_for(budi.user)):
        error_of(client.patch(f"{EMPLOYEES}{ani.pk}/", {"name": "Diganti"}, format="json"), 404)
        error_of(client.post(f"{EMPLOYEES}{ani.pk}/deactivate/"), 404)
    ani.refresh_from_db()
    assert ani.name == "Ani Lestari" and ani.is_active


def test_it_refuses_account_fields_on_update(hr, ani):
    error = error_of(client_for(hr).patch(f"{EMPLOYEES}{ani.pk}/", {"username": "baru"}, format="json"), 400)
    assert list(error["fields"]) == ["username"]


def test_it_deactivates_an_employee_who_then_stops_supervising(hr, kabid, ani):
    assert ROLE_SUPERVISOR in roles_of(kabid.user)
    response = client_for(hr).post(f"{EMPLOYEES}{kabid.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert roles_of(User.objects.get(pk=kabid.user_id)) == []  # fresh: user.employee is cached
    assert AuditEvent.objects.filter(verb="employee.updated", object_id=str(kabid.pk)).exists()


# --- Delegations -----------------------------------------------------------------------------


def test_it_lists_delegations_in_scope_only(hr, hr_other, plh, ani):
    assert client_for(hr).get(DELEGATIONS).json()["count"] == 1
    assert client_for(hr_other).get(DELEGATIONS).json()["count"] == 0
    error_of(client_for(ani.user).get(DELEGATIONS), 404)


def test_it_appoints_a_plh_who_then_decides(hr, kabid, budi):
    today = dt.date.today()
    response = client_for(hr).post(DELEGATIONS, {"kind": "plh", "delegator": kabid.pk, "delegate": budi.pk,
                                                 "start": today.isoformat(), "end": today.isoformat()},
                                   format="json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Plh. Kepala Bidang P2P"
    assert ROLE_SUPERVISOR in roles_of(budi.user)
    assert AuditEvent.objects.filter(verb="delegation.created", object_id=str(response.json()["id"])).exists()


def test_it_refuses_a_plt_over_three_months_and_writes_nothing(hr, kabid, budi):
    before = (Delegation.objects.count(), audit_count())
    error = error_of(client_for(hr, "en").post(DELEGATIONS, {"kind": "plt", "delegator": kabid.pk,
                                                             "delegate": budi.pk, "start": "2026-01-01",
                                                             "end": "2026-06-30"}, format="json"), 400)
    assert list(error["fields"]) == ["end"]
    assert (Delegation.objects.count(), audit_count()) == before


def test_it_refuses_delegations_outside_the_scope(hr_other, kabid, outsider):
    error = error_of(client_for(hr_other).post(DELEGATIONS, {"kind": "plh", "delegator": kabid.pk,
                                                             "delegate": outsider.pk, "start": "2026-01-05",
                                                             "end": "2026-01-06"}, format="json"), 400)
    assert list(error["fields"]) == ["delegator"]


def test_it_revokes_a_delegation_once_and_the_delegate_stops_deciding(hr, plh, hr_other, ani):
    delegation = Delegation.objects.get(delegate=plh)
    error_of(client_for(hr_other).post(f"{DELEGATIONS}{delegation.pk}/revoke/"), 404)
    error_of(client_for(ani.user).post(f"{DELEGATIONS}{delegation.pk}/revoke/"), 404)
    assert ROLE_SUPERVISOR in roles_of(plh.user)
    first = client_for(hr).post(f"{DELEGATIONS}{delegation.pk}/revoke/").json()
    again = client_for(hr).post(f"{DELEGATIONS}{delegation.pk}/revoke/").json()
    assert first["changed"] is True and first["item"]["revoked_at"]
    assert again["changed"] is False and again["item"]["revoked_at"] == first["item"]["revoked_at"]
    assert ROLE_SUPERVISOR not in roles_of(plh.user)
    assert AuditEvent.objects.filter(verb="delegation.revoked", object_id=str(delegation.pk)).count() == 1


def test_it_filters_delegations_active_on_a_day(hr, kabid, budi):
    DelegationFactory(delegator=kabid, delegate=budi, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 9))
    client = client_for(hr)
    assert client.get(DELEGATIONS, {"active_on": "2026-01-07"}).json()["count"] == 1
    assert client.get(DELEGATIONS, {"active_on": "2026-02-07"}).json()["count"] == 0
    error_of(client.get(DELEGATIONS, {"active_on": "kemarin"}), 400)


# --- HR scopes -------------------------------------------------------------------------------


def test_it_lets_only_superusers_grant_and_take_hr_scopes(superuser, hr, ani, dinkes):
    error_of(client_for(hr).get(SCOPES), 404)
    error_of(client_for(hr).post(SCOPES, {"user": ani.user.pk, "unit": dinkes.pk}, format="json"), 404)
    client = client_for(superuser)
    response = client.post(SCOPES, {"user": ani.user.pk, "unit": dinkes.pk}, format="json")
    assert response.status_code == 201, response.content
    assert "hr_admin" in roles_of(ani.user)
    error = error_of(client.post(SCOPES, {"user": ani.user.pk, "unit": dinkes.pk}, format="json"), 400)
    assert list(error["fields"]) == ["unit"]
    assert client.delete(f"{SCOPES}{response.json()['id']}/").status_code == 204
    assert not HRAdminScope.objects.filter(user=ani.user).exists()
    assert list(AuditEvent.objects.filter(object_type="portal.hradminscope").values_list("verb", flat=True)
                .order_by("id")) == ["hr_scope.created", "hr_scope.deleted"]


# --- Calendar overrides ----------------------------------------------------------------------


def test_it_adds_a_local_holiday_that_the_calendar_then_honours(hr_pemkot, pemkot, bidang_p2p):
    day = dt.date(2026, 12, 23)  # a Wednesday
    assert workcalendar.is_working_day(bidang_p2p, day)
    response = client_for(hr_pemkot).post(CALENDAR, {"institution": pemkot.pk, "date": day.isoformat(),
                                                     "kind": "holiday", "name": "Hari jadi kota"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["institution"]["id"] == pemkot.pk
    assert not workcalendar.is_working_day(bidang_p2p, day)
    assert AuditEvent.objects.filter(verb="calendar_override.created", unit=pemkot).exists()


def test_it_refuses_a_second_change_on_the_same_day(hr_pemkot, pemkot):
    client = client_for(hr_pemkot)
    payload = {"institution": pemkot.pk, "date": "2026-12-23", "kind": "holiday", "name": "Hari jadi"}
    assert client.post(CALENDAR, payload, format="json").status_code == 201
    before = audit_count()
    error = error_of(client.post(CALENDAR, {**payload, "kind": "working_day"}, format="json"), 400)
    assert list(error["fields"]) == ["date"]
    assert CalendarOverride.objects.count() == 1 and audit_count() == before


def test_it_keeps_calendar_writes_inside_the_institutions_of_the_scope(hr, hr_other, pemkot, ani):
    # hr administers dinkes, below pemkot: they read pemkot's calendar but do not change it.
    row = CalendarOverride.objects.create(institution=pemkot, date=dt.date(2026, 12, 23), kind="holiday",
                                          name="Hari jadi")
    error = error_of(client_for(hr).post(CALENDAR, {"institution": pemkot.pk, "date": "2026-12-24",
                                                    "kind": "holiday", "name": "X"}, format="json"), 400)
    assert list(error["fields"]) == ["institution"]
    assert [r["id"] for r in client_for(hr).get(CALENDAR).json()["results"]] == [row.pk]
    error_of(client_for(hr).delete(f"{CALENDAR}{row.pk}/"), 404)
    error_of(client_for(hr_other).delete(f"{CALENDAR}{row.pk}/"), 404)
    error_of(client_for(ani.user).get(CALENDAR), 404)
    assert CalendarOverride.objects.filter(pk=row.pk).exists()


def test_it_removes_a_calendar_change_with_an_audit_event(hr_pemkot, pemkot):
    row = CalendarOverride.objects.create(institution=pemkot, date=dt.date(2026, 12, 23), kind="holiday",
                                          name="Hari jadi")
    assert client_for(hr_pemkot).delete(f"{CALENDAR}{row.pk}/").status_code == 204
    assert not CalendarOverride.objects.exists()
    event = AuditEvent.objects.get(verb="calendar_override.deleted")
    assert event.before["name"] == "Hari jadi" and event.unit == pemkot


# --- People import ---------------------------------------------------------------------------


def _csv(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("pegawai.csv", ("\n".join(rows) + "\n").encode(), content_type="text/csv")


def test_it_checks_an_import_without_saving_then_commits_it(hr, bidang_p2p):
    nip = make_nip(born=dt.date(1991, 4, 5), tmt="201603", serial=11)
    rows = ["nip,name,jabatan,unit_code", f"{nip},Fajar,Analis,{bidang_p2p.code}"]
    client = client_for(hr)
    report = client.post(IMPORT, {"kind": "employees", "file": _csv(rows)}, format="multipart").json()
    assert report == {"kind": "employees", "dry_run": True, "committed": False, "rows": 1, "created": 1,
                      "updated": 0, "unchanged": 0, "errors": []}
    assert not Employee.objects.filter(nip=nip).exists()
    report = client.post(IMPORT, {"kind": "employees", "file": _csv(rows), "dry_run": "false"},
                         format="multipart").json()
    assert report["committed"] is True and Employee.objects.filter(nip=nip).exists()


def test_it_reports_import_rows_and_files_it_refuses(hr, bidang_p2p):
    client = client_for(hr)
    report = client.post(IMPORT, {"kind": "employees", "dry_run": "false", "file": _csv(
        ["nip,name,jabatan,unit_code", f"123,Gagal,Analis,{bidang_p2p.code}"])}, format="multipart").json()
    assert report["committed"] is False and report["errors"][0]["row"] == 2
    assert report["errors"][0]["column"] == "nip"
    assert not Employee.objects.filter(name="Gagal").exists()
    bad = SimpleUploadedFile("data.pdf", b"%PDF-1.4", content_type="application/pdf")
    error = error_of(client.post(IMPORT, {"kind": "employees", "file": bad}, format="multipart"), 400)
    assert list(error["fields"]) == ["file"]


def test_it_describes_the_import_columns_to_hr_only(hr, ani):
    columns = client_for(hr).get(IMPORT).json()
    assert columns["employees"][0] == {"name": "nip", "required": True, "help": columns["employees"][0]["help"]}
    error_of(client_for(ani.user).get(IMPORT), 404)
    error_of(client_for(ani.user).post(IMPORT, {"kind": "units"}, format="multipart"), 404)


# --- Supervisor check and audit --------------------------------------------------------------


@pytest.fixture
def orphan(bidang_p2p):
    return EmployeeFactory(name="Tanpa Atasan", unit=bidang_p2p)


def test_it_finds_employees_without_a_supervisor_in_scope_only(hr, hr_other, orphan, ani, kadis):
    body = client_for(hr).get(CHECK).json()
    rows = {r["employee"]["id"]: r for r in body["results"]}
    assert orphan.pk in rows and ani.pk not in rows
    assert rows[orphan.pk]["issues"] == ["none"] and rows[orphan.pk]["labels"] == ["Belum ada atasan langsung"]
    assert client_for(hr).get(CHECK, {"issue": "cycle"}).json()["count"] == 0
    error = error_of(client_for(hr).get(CHECK, {"issue": "bogus"}), 400)
    assert list(error["fields"]) == ["issue"]
    assert client_for(hr_other).get(CHECK).json()["count"] == 0
    error_of(client_for(ani.user).get(CHECK), 404)


def test_it_shows_the_audit_trail_of_the_scope_filtered(hr, hr_other, bidang_p2p, ani):
    client_for(hr).patch(f"{UNITS}{bidang_p2p.pk}/", {"name": "Bidang P2P Baru"}, format="json")
    body = client_for(hr).get(AUDIT, {"verb": "unit.updated"}).json()
    assert len(body["results"]) == 1 and body["next"] is None  # no count: the trail can be huge
    event = body["results"][0]
    assert event["actor"] == "hr_dinkes" and event["after"]["name"] == "Bidang P2P Baru"
    assert event["sentence"] == "hr_dinkes mengubah unit kerja Bidang P2P Baru"
    assert client_for(hr).get(AUDIT, {"verb": "unit.updated", "actor": "nobody"}).json()["results"] == []
    assert client_for(hr_other).get(AUDIT, {"verb": "unit.updated"}).json()["results"] == []
    error = error_of(client_for(hr).get(AUDIT, {"date_from": "2026-02-02", "date_to": "2026-02-01"}), 400)
    assert list(error["fields"]) == ["date_to"]
    error_of(client_for(ani.user).get(AUDIT), 404)


def test_it_asks_anonymous_callers_to_log_in(db):
    for url in (DELEGATIONS, CALENDAR, IMPORT, CHECK, AUDIT, SCOPES):
        assert error_of(APIClient().get(url), 401)["code"] == "not_authenticated"


# --- Records window of employees, go-live of institutions -----------------------------------------


def test_it_creates_an_employee_with_a_records_window(hr, bidang_p2p):
    nip = make_nip(born=dt.date(1992, 5, 6), tmt="201803", sex="1", serial=9)
    response = client_for(hr).post(EMPLOYEES, {"nip": nip, "name": "Fajar", "jabatan": "Analis", "unit": bidang_p2p.pk,
                                               "records_start": "2026-10-01", "records_end": "2026-12-31",
                                               "records_end_reason": "mutasi_keluar"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["records_start"], body["records_end"], body["records_end_reason"]) == (
        "2026-10-01", "2026-12-31", "mutasi_keluar")
    employee = Employee.objects.get(nip=nip)
    assert (employee.records_start, employee.records_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert AuditEvent.objects.get(verb="employee.created", object_id=str(employee.pk)).after["records_end_reason"] == \
        "mutasi_keluar"


def test_it_changes_and_shows_the_records_window_of_an_employee(hr, ani):
    client = client_for(hr)
    assert client.get(f"{EMPLOYEES}{ani.pk}/").json()["records_end"] is None
    response = client.patch(f"{EMPLOYEES}{ani.pk}/", {"records_end": "2026-11-30", "records_end_reason": "pensiun"},
                            format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["records_end"], response.json()["records_end_reason"]) == ("2026-11-30", "pensiun")
    ani.refresh_from_db()
    assert (ani.records_end, ani.records_end_reason) == (dt.date(2026, 11, 30), "pensiun")
    event = AuditEvent.objects.filter(verb="employee.updated", object_id=str(ani.pk)).latest("pk")
    assert event.after["records_end"] == "2026-11-30"
    response = client.patch(f"{EMPLOYEES}{ani.pk}/", {"records_end": None, "records_end_reason": ""}, format="json")
    assert response.status_code == 200 and response.json()["records_end"] is None


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"records_end_reason": "pensiun"}, "records_end", "Isi tanggal akhir presensi untuk alasan yang dipilih."),
    ({"records_start": "2026-06-01", "records_end": "2026-05-31"}, "records_end",
     "Tanggal akhir presensi tidak boleh sebelum tanggal mulainya."),
    ({"records_end": "2026-11-30", "records_end_reason": "cuti"}, "records_end_reason", None),
    ({"records_end": "9999-12-31"}, "records_end", None),
    ({"records_start": "kemarin"}, "records_start", None),
])
def test_it_refuses_a_bad_records_window_with_field_errors(hr, ani, payload, field, message):
    before = audit_count()
    error = error_of(client_for(hr).patch(f"{EMPLOYEES}{ani.pk}/", payload, format="json"), 400)
    assert list(error["fields"]) == [field]
    if message:
        assert error["fields"][field] == [message]
    ani.refresh_from_db()
    assert (ani.records_start, ani.records_end, ani.records_end_reason) == (None, None, "")
    assert audit_count() == before


def test_it_sets_the_go_live_date_of_an_institution_only(hr_pemkot, pemkot, dinkes):
    client = client_for(hr_pemkot)
    response = client.patch(f"{UNITS}{pemkot.pk}/", {"attendance_from": "2026-10-01"}, format="json")
    assert response.status_code == 200, response.content
    pemkot.refresh_from_db()
    assert pemkot.attendance_from == dt.date(2026, 10, 1)
    assert AuditEvent.objects.filter(verb="unit.updated", object_id=str(pemkot.pk), actor=hr_pemkot).exists()
    error = error_of(client.patch(f"{UNITS}{dinkes.pk}/", {"attendance_from": "2026-10-01"}, format="json"), 400)
    assert error["fields"] == {"attendance_from": ["Tanggal mulai presensi hanya diisi untuk instansi."]}
    dinkes.refresh_from_db()
    assert dinkes.attendance_from is None


def test_it_documents_the_records_fields_in_the_schema(db):
    schemas = APIClient().get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("EmployeeDetail", "EmployeeWrite", "PatchedEmployeeWrite"):
        assert {"records_start", "records_end", "records_end_reason"} <= set(schemas[name]["properties"]), name
    assert "attendance_from" in schemas["UnitWrite"]["properties"]
