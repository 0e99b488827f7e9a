"""HR pages (import, audit log) and the Django admin: access, scoping, audited saves."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import AuditEvent, Employee, Unit
from portal.services.audit import audit_record
from portal.services.org import employee_save
from tests.factories import UserFactory, make_nip

IMPORT_URL = reverse("hr-import")
AUDIT_URL = reverse("hr-audit")
NEW_NIP = make_nip(born=dt.date(1992, 5, 6), tmt="201803", sex="2", serial=601)


def csv_file(*rows, name="pegawai.csv"):
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def employee_file(unit_code="DINKES-P2P"):
    return csv_file(["nip", "name", "jabatan", "unit_code"], [NEW_NIP, "Dewi Anggraini", "Analis", unit_code])


# --- Import page ------------------------------------------------------------------------


def test_it_shows_the_import_form_with_dry_run_ticked(client, hr):
    client.force_login(hr)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert response.context["form"]["dry_run"].value() is True
    assert 'name="dry_run"' in response.content.decode()


@pytest.mark.parametrize("url", [IMPORT_URL, AUDIT_URL])
@pytest.mark.parametrize("who", ["ani", "kadis", "outsider"])
def test_it_answers_404_to_people_without_an_hr_scope(client, request, url, who):
    client.force_login(request.getfixturevalue(who).user)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("url", [IMPORT_URL, AUDIT_URL])
def test_it_sends_anonymous_visitors_to_login(client, db, url):
    assert client.get(url).status_code == 302


def test_it_runs_a_dry_run_from_the_page_and_writes_nothing(client, hr, bidang_p2p):
    client.force_login(hr)
    response = client.post(IMPORT_URL, {"kind": "employees", "file": employee_file(), "dry_run": "on"})
    result = response.context["result"]
    assert result.dry_run and not result.errors and result.created == 1
    assert not Employee.objects.filter(nip=NEW_NIP).exists()
    assert "Uji coba berhasil" in response.content.decode()


def test_it_commits_from_the_page_when_dry_run_is_unticked(client, hr, bidang_p2p):
    client.force_login(hr)
    response = client.post(IMPORT_URL, {"kind": "employees", "file": employee_file()})
    assert response.context["result"].committed
    assert Employee.objects.get(nip=NEW_NIP).unit == bidang_p2p
    assert AuditEvent.objects.filter(verb="employee.created", actor=hr).count() == 1


def test_it_shows_row_errors_for_units_outside_the_scope(client, hr, bidang_p2p, pemprov_lain):
    client.force_login(hr)
    response = client.post(IMPORT_URL, {"kind": "employees", "file": employee_file("PEMPROV-X")})
    html = response.content.decode()
    assert "<td>2</td><td>unit_code</td>" in html and "di luar cakupan" in html
    assert not Employee.objects.filter(nip=NEW_NIP).exists()


def test_it_lets_a_superuser_import_anywhere(client, superuser, pemprov_lain):
    client.force_login(superuser)
    client.post(IMPORT_URL, {"kind": "employees", "file": employee_file("PEMPROV-X")})
    assert Employee.objects.get(nip=NEW_NIP).unit == pemprov_lain


def test_it_explains_a_refused_file_type(client, hr):
    client.force_login(hr)
    upload = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n")
    response = client.post(IMPORT_URL, {"kind": "employees", "file": upload, "dry_run": "on"})
    assert response.context["result"] is None
    assert "CSV" in " ".join(response.context["form"].errors["file"])


def test_it_serves_a_csv_template_of_the_columns(client, hr):
    client.force_login(hr)
    response = client.get(IMPORT_URL + "?template=units")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="pola-units.csv"'
    # UTF-8 with a BOM, like every CSV the portal writes, so Excel reads it as UTF-8.
    assert b"".join(response.streaming_content).decode("utf-8-sig").strip() == (
        "code,name,kind,parent_code,time_zone,attendance_from")


# --- Audit log page ---------------------------------------------------------------------


@pytest.fixture
def events(hr, hr_other, ani, outsider):
    """One employee change in dinkes (by hr) and one in the other institution (by hr_other)."""
    with time_machine.travel(dt.datetime(2025, 3, 1, 20, 0, tzinfo=dt.UTC), tick=False):  # 2 March, 03:00 WIB
        ani.jabatan = "Epidemiolog"
        employee_save(actor=hr, employee=ani)
    with time_machine.travel(dt.datetime(2025, 3, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        outsider.jabatan = "Analis"
        employee_save(actor=hr_other, employee=outsider)


def listed(client, user, query=""):
    client.force_login(user)
    response = client.get(AUDIT_URL + query)
    assert response.status_code == 200
    return [(row.event.verb, row.event.object_repr) for row in response.context["rows"]]


def test_it_shows_hr_only_the_events_of_their_scope(client, hr, hr_other, events, ani, outsider):
    mine = listed(client, hr)
    assert ("employee.updated", str(ani)) in mine
    assert all(repr_ != str(outsider) for _verb, repr_ in mine)
    assert listed(client, hr_other, "?verb=employee.updated") == [("employee.updated", str(outsider))]


def test_it_filters_by_verb_and_person(client, superuser, events, ani, outsider):
    assert {r for _v, r in listed(client, superuser, "?verb=employee.updated")} == {str(ani), str(outsider)}
    assert listed(client, superuser, "?verb=employee.updated&person=hr_lain") == [
        ("employee.updated", str(outsider))
    ]
    assert all(v == "unit.created" for v, _r in listed(client, superuser, "?verb=unit.created"))


def test_it_filters_by_local_dates(client, hr, events, ani):
    # The change happened on 1 March in UTC but on 2 March in Jakarta.
    assert listed(client, hr, "?verb=employee.updated&date_from=2025-03-02&date_to=2025-03-02") == [
        ("employee.updated", str(ani))
    ]
    assert listed(client, hr, "?verb=employee.updated&date_to=2025-03-01") == []


def test_it_refuses_a_reversed_date_range(client, hr, events):
    client.force_login(hr)
    response = client.get(AUDIT_URL + "?date_from=2025-03-05&date_to=2025-03-01")
    assert "date_to" in response.context["form"].errors
    assert list(response.context["rows"]) == []


def test_it_paginates_and_keeps_the_filter(client, hr, ani):
    for _ in range(55):
        audit_record(actor=hr, verb="employee.updated", obj=ani, unit=ani.unit)
    client.force_login(hr)
    first = client.get(AUDIT_URL + "?verb=employee.updated")
    assert len(first.context["rows"]) == 50
    older = first.context["page"].older
    assert f"verb=employee.updated&amp;older={older}" in first.content.decode()
    assert len(client.get(AUDIT_URL + f"?verb=employee.updated&older={older}").context["rows"]) == 5


# --- Admin -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["employee", "unit", "delegation", "hradminscope", "user", "auditevent",
                                   "calendaroverride", "workpattern", "monthclosure", "ramadanperiod"])
def test_it_loads_every_admin_changelist_for_a_superuser(client, superuser, ani, plh, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:portal_{model}_changelist")).status_code == 200


def test_it_finds_an_employee_by_grouped_nip_in_the_admin(client, superuser, ani, budi):
    client.force_login(superuser)
    grouped = f"{ani.nip[:8]} {ani.nip[8:14]} {ani.nip[14]} {ani.nip[15:]}"
    response = client.get(reverse("admin:portal_employee_changelist"), {"q": grouped})
    assert [e.pk for e in response.context["cl"].result_list] == [ani.pk]


def employee_form(employee, **changes):
    data = {
        "user": employee.user_id or "", "nip": employee.nip, "asn_type": employee.asn_type, "name": employee.name,
        "jabatan": employee.jabatan, "position_kind": employee.position_kind, "unit": employee.unit_id,
        "supervisor": employee.supervisor_id or "", "placement_date": "2020-01-01", "disciplinary_until": "",
        "is_active": "on", "_save": "Simpan",
    }
    data.update(changes)
    return data


def test_it_writes_an_audit_event_when_the_admin_saves(client, superuser, ani, kadis):
    client.force_login(superuser)
    url = reverse("admin:portal_employee_change", args=[ani.pk])
    response = client.post(url, employee_form(ani, supervisor=kadis.pk))
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="employee.updated", object_id=str(ani.pk))
    assert event.actor == superuser and event.after["supervisor_id"] == kadis.pk


def test_it_creates_an_account_for_an_employee_added_in_the_admin(client, superuser, bidang_p2p):
    client.force_login(superuser)
    draft = Employee(nip=NEW_NIP, name="Dewi", jabatan="Analis", unit=bidang_p2p)
    response = client.post(reverse("admin:portal_employee_add"), employee_form(draft))
    assert response.status_code == 302
    assert Employee.objects.get(nip=NEW_NIP).user.username == NEW_NIP
    assert AuditEvent.objects.filter(verb__in=["user.created", "employee.created"], actor=superuser).count() == 2


def test_it_writes_an_audit_event_for_a_unit_saved_in_the_admin(client, superuser, dinkes):
    client.force_login(superuser)
    data = {"code": "DINKES-SEK", "name": "Sekretariat", "kind": "bidang", "parent": dinkes.pk, "time_zone": "",
            "head": "", "address": "", "latitude": "", "longitude": "", "radius_m": 100, "is_active": "on"}
    assert client.post(reverse("admin:portal_unit_add"), data).status_code == 302
    unit = Unit.objects.get(code="DINKES-SEK")
    assert unit.path == f"{dinkes.path}{unit.pk}/"
    assert AuditEvent.objects.filter(verb="unit.created", object_id=str(unit.pk), actor=superuser).exists()


def test_it_keeps_the_audit_trail_read_only_in_the_admin(client, superuser, ani):
    event = audit_record(actor=superuser, verb="employee.updated", obj=ani, unit=ani.unit)
    client.force_login(superuser)
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    change_url = reverse("admin:portal_auditevent_change", args=[event.pk])
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"verb": "forged"}).status_code == 403
    assert client.post(reverse("admin:portal_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.verb == "employee.updated"


@pytest.fixture
def staff_hr(hr):
    hr.is_staff = True
    hr.save(update_fields=["is_staff"])
    return hr


def test_it_shows_hr_only_their_subtree_in_the_admin(client, staff_hr, ani, kadis, outsider, pemkot):
    client.force_login(staff_hr)
    people = client.get(reverse("admin:portal_employee_changelist")).context["cl"].result_list
    assert {e.name for e in people} == {"Ani Lestari", "Kepala Bidang P2P", "Kepala Dinas"}
    units = client.get(reverse("admin:portal_unit_changelist")).context["cl"].result_list
    assert "PEMKOT" not in {u.code for u in units} and "DINKES" in {u.code for u in units}
    outside = client.get(reverse("admin:portal_employee_change", args=[outsider.pk]))
    assert outside.status_code == 302  # "does not exist", back to the list


def test_it_lets_hr_fix_a_supervisor_in_the_admin_within_their_scope_only(client, staff_hr, ani, kadis, outsider):
    client.force_login(staff_hr)
    url = reverse("admin:portal_employee_change", args=[ani.pk])
    data = employee_form(ani, supervisor=kadis.pk)
    data.pop("user")  # HR admins never pick accounts
    assert client.post(url, data).status_code == 302
    ani.refresh_from_db()
    assert ani.supervisor == kadis
    assert AuditEvent.objects.filter(verb="employee.updated", actor=staff_hr, object_id=str(ani.pk)).exists()
    refused = client.post(url, {**data, "supervisor": outsider.pk})
    assert refused.status_code == 200 and "supervisor" in refused.context["adminform"].form.errors


def test_it_keeps_hr_from_moving_the_top_of_their_scope(client, staff_hr, dinkes):
    client.force_login(staff_hr)
    response = client.get(reverse("admin:portal_unit_change", args=[dinkes.pk]))
    assert response.status_code == 200
    assert "parent" not in response.context["adminform"].form.fields


def test_it_shows_a_staff_account_without_scope_nothing(client, ani, outsider):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_employee"))
    client.force_login(clerk)
    response = client.get(reverse("admin:portal_employee_changelist"))
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []
