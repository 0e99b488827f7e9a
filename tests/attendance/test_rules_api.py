"""The HR API for attendance rules versions (nested bands) and shifts: round trips, scope (404 and
"does not exist"), the services' refusals as 400 with field errors and nothing written, the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.models import AttendanceRules, Band, RosterEntry, Shift
from portal.models import AuditEvent, MonthClosure
from tests.factories import HRAdminScopeFactory, UserFactory

# Tuesday 8 December 2026, 09:00 WIB.
pytestmark = pytest.mark.now(dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC), tick=False)

RULES = "/api/v1/attendance/rules/"
SHIFTS = "/api/v1/attendance/shifts/"
BANDS = [{"kind": "TL", "level": 1, "from_minute": 1, "to_minute": 30, "deduction_percent": "0.50"},
         {"kind": "TL", "level": 2, "from_minute": 31, "to_minute": None, "deduction_percent": "1.00"},
         {"kind": "PSW", "level": 1, "from_minute": 1, "to_minute": 30, "deduction_percent": "0.50"},
         {"kind": "PSW", "level": 2, "from_minute": 31, "to_minute": None, "deduction_percent": "1.00"}]


@pytest.fixture
def hr_city(pemkot):
    user = UserFactory(username="hr_kota")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    return response.json()["error"]


def rules_body(institution, **overrides) -> dict:
    body = {"institution": institution.pk, "effective_from": "2026-12-09", "min_stay_minutes": 60,
            "latest_check_in_minutes": 240, "implausible_status": "TK", "tk_deduction_percent": "3.00",
            "daily_cap_percent": None, "legal_basis": "Perwali No. 12 Tahun 2026", "note": "", "bands": BANDS}
    body.update(overrides)
    return body


def shift_body(unit, **overrides) -> dict:
    body = {"unit": unit.pk, "code": "M", "name": "Shift malam", "start": "21:00", "end": "07:00",
            "ends_next_day": True, "break_minutes": 30, "is_active": True}
    body.update(overrides)
    return body


# --- Rules versions ---------------------------------------------------------------------------------


def test_it_creates_lists_retrieves_updates_and_deletes_a_version(hr_city, pemkot):
    api = as_user(hr_city)
    created = api.post(RULES, rules_body(pemkot), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["institution"]["id"] == pemkot.pk and body["effective_from"] == "2026-12-09"
    assert body["deductions_set"] is True and body["tk_deduction_percent"] == "3.00"
    assert [(b["kind"], b["level"], b["to_minute"]) for b in body["bands"]] == [
        ("TL", 1, 30), ("TL", 2, None), ("PSW", 1, 30), ("PSW", 2, None)]

    listed = api.get(RULES, {"institution": pemkot.pk}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert api.get(f"{RULES}{body['id']}/").json() == body

    changed = api.put(f"{RULES}{body['id']}/", rules_body(pemkot, tk_deduction_percent=None, bands=BANDS[:2]),
                      format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["deductions_set"] is False and len(changed.json()["bands"]) == 2
    assert Band.objects.count() == 2

    assert api.delete(f"{RULES}{body['id']}/").status_code == 204
    assert not AttendanceRules.objects.exists()
    assert list(AuditEvent.objects.filter(verb__startswith="attendance_rules").order_by("id").values_list(
        "verb", flat=True)) == ["attendance_rules.created", "attendance_rules.updated", "attendance_rules.deleted"]


def test_it_fills_in_the_common_band_edges_when_bands_are_left_out(hr_city, pemkot):
    body = rules_body(pemkot)
    del body["bands"]
    created = as_user(hr_city).post(RULES, body, format="json").json()
    assert [(b["kind"], b["level"], b["from_minute"], b["to_minute"], b["deduction_percent"])
            for b in created["bands"] if b["kind"] == "TL"] == [
        ("TL", 1, 1, 30, None), ("TL", 2, 31, 60, None), ("TL", 3, 61, 90, None), ("TL", 4, 91, None, None)]
    assert created["deductions_set"] is False


@pytest.mark.parametrize(("bands", "message"), [
    ([{**BANDS[0]}, {**BANDS[1], "from_minute": 20}], "TL2 harus dimulai sesudah tingkat sebelumnya berakhir."),
    ([{**BANDS[0], "to_minute": 0, "from_minute": 5}], "Batas atas TL1 lebih kecil dari batas bawahnya."),
    ([{**BANDS[0], "deduction_percent": "101"}], "Potongan TL1 harus antara 0 dan 100%."),
    ([{**BANDS[0]}, {**BANDS[0]}], "Tingkat TL harus berurutan mulai dari 1."),
])
def test_it_refuses_a_bad_band_table_with_field_errors(hr_city, pemkot, bands, message):
    error = error_of(as_user(hr_city).post(RULES, rules_body(pemkot, bands=bands), format="json"), 400)
    assert message in error["fields"]["bands"]
    assert not AttendanceRules.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="attendance_rules").exists()


def test_it_refuses_the_same_date_twice_and_a_closed_month(hr_city, pemkot):
    api = as_user(hr_city)
    assert api.post(RULES, rules_body(pemkot), format="json").status_code == 201
    error = error_of(api.post(RULES, rules_body(pemkot), format="json"), 400)
    assert "Sudah ada aturan yang berlaku mulai 9 Desember 2026" in error["fields"]["effective_from"][0]
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 11, 1), requested_by=hr_city,
                                closed_at=timezone.now())
    error = error_of(api.post(RULES, rules_body(pemkot, effective_from="2026-11-20"), format="json"), 400)
    assert "sudah ditutup (tutup buku)" in error["fields"]["effective_from"][0]
    assert AttendanceRules.objects.count() == 1


@pytest.mark.parametrize("overrides", [
    {"tk_deduction_percent": "150"}, {"effective_from": "9999-12-31"}, {"min_stay_minutes": 100000},
    {"implausible_status": "X"}, {"bands": [{"kind": "XX", "level": 1, "from_minute": 1}]},
    {"bands": [None]}, {"institution": 2**70}, {"tk_deduction_percent": "NaN"},
])
def test_it_answers_400_to_bad_input(hr_city, pemkot, overrides):
    response = as_user(hr_city).post(RULES, {**rules_body(pemkot), **overrides}, format="json")
    error = error_of(response, 400)
    assert {key.split(".")[0] for key in error["fields"]} == set(overrides)
    assert not AttendanceRules.objects.exists()


def test_it_keeps_versions_inside_the_scope(hr_city, hr_other, hr, pemkot, pemprov_lain):
    own = as_user(hr_city).post(RULES, rules_body(pemkot), format="json").json()
    other = as_user(hr_other)
    assert other.get(RULES).json()["results"] == []
    assert error_of(other.get(f"{RULES}{own['id']}/"), 404)
    assert error_of(other.put(f"{RULES}{own['id']}/", rules_body(pemkot), format="json"), 404)
    assert error_of(other.delete(f"{RULES}{own['id']}/"), 404)
    refused = error_of(other.post(RULES, rules_body(pemkot), format="json"), 400)
    assert "institution" in refused["fields"]
    # An HR admin below the root does not set the institution's rules.
    assert error_of(as_user(hr).post(RULES, rules_body(pemkot, effective_from="2027-01-01"), format="json"), 400)
    assert AttendanceRules.objects.count() == 1


def test_it_answers_404_to_callers_without_an_hr_scope(ani, pemkot):
    assert error_of(as_user(ani.user).get(RULES), 404)
    assert error_of(as_user(ani.user).get(SHIFTS), 404)


# --- Shifts -------------------------------------------------------------------------------------


def test_it_creates_an_overnight_shift_and_changes_and_deactivates_it(hr, upt):
    api = as_user(hr)
    created = api.post(SHIFTS, shift_body(upt), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["unit"]["id"], body["start"], body["end"], body["ends_next_day"]) == (upt.pk, "21:00", "07:00",
                                                                                       True)
    assert api.get(f"{SHIFTS}{body['id']}/").json() == body
    replaced = api.put(f"{SHIFTS}{body['id']}/", {**shift_body(upt), "name": "Malam"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["name"] == "Malam"
    deactivated = api.patch(f"{SHIFTS}{body['id']}/", {"is_active": False}, format="json")
    assert deactivated.status_code == 200, deactivated.content
    assert deactivated.json() == {**replaced.json(), "is_active": False}
    assert api.delete(f"{SHIFTS}{body['id']}/").status_code == 405
    assert Shift.objects.get().is_active is False
    assert AuditEvent.objects.filter(verb__startswith="shift.").count() == 3


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ends_next_day": False}, "Jam selesai harus sesudah jam mulai"),
    ({"start": "07:00", "end": "09:00"}, "Shift paling lama 24 jam"),
])
def test_it_refuses_a_shift_that_is_not_a_day_or_less(hr, upt, overrides, message):
    error = error_of(as_user(hr).post(SHIFTS, shift_body(upt, **overrides), format="json"), 400)
    assert message in error["fields"]["end"][0]
    assert not Shift.objects.exists()


def test_it_refuses_a_patch_that_would_make_a_shift_end_before_it_starts(hr, upt):
    shift = Shift.objects.create(unit=upt, code="M", name="Malam", start=dt.time(21), end=dt.time(7),
                                 ends_next_day=True)
    error = error_of(as_user(hr).patch(f"{SHIFTS}{shift.pk}/", {"ends_next_day": False}, format="json"), 400)
    assert "Jam selesai harus sesudah jam mulai" in error["fields"]["end"][0]
    shift.refresh_from_db()
    assert shift.ends_next_day is True


def test_it_keeps_the_hours_of_a_shift_on_a_roster(hr, upt, ani):
    shift = Shift.objects.create(unit=upt, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    RosterEntry.objects.create(employee=ani, date=dt.date(2026, 12, 1), shift=shift, updated_by=hr)
    error = error_of(as_user(hr).patch(f"{SHIFTS}{shift.pk}/", {"start": "08:00"}, format="json"), 400)
    assert "sudah dipakai di jadwal dinas" in error["fields"]["start"][0]


def test_it_lists_shifts_in_scope_and_the_usable_ones_of_a_unit(hr, pemkot, dinkes, upt, pemprov_lain):
    city = Shift.objects.create(unit=pemkot, code="PG", name="Pagi kota", start=dt.time(7), end=dt.time(14))
    own = Shift.objects.create(unit=upt, code="M", name="Malam", start=dt.time(21), end=dt.time(7),
                               ends_next_day=True)
    Shift.objects.create(unit=pemprov_lain, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    api = as_user(hr)
    assert [r["id"] for r in api.get(SHIFTS).json()["results"]] == [own.pk]
    assert [r["id"] for r in api.get(SHIFTS, {"unit": upt.pk}).json()["results"]] == [city.pk, own.pk]
    assert api.get(SHIFTS, {"unit": pemprov_lain.pk}).json()["results"] == []
    assert error_of(api.get(f"{SHIFTS}{city.pk}/"), 404)  # usable, but defined above the scope
    assert error_of(api.get(SHIFTS, {"unit": "x"}), 400)


def test_it_keeps_shift_writes_inside_the_scope(hr, hr_other, upt):
    shift = Shift.objects.create(unit=upt, code="M", name="Malam", start=dt.time(21), end=dt.time(7),
                                 ends_next_day=True)
    other = as_user(hr_other)
    assert "unit" in error_of(other.post(SHIFTS, shift_body(upt, code="X"), format="json"), 400)["fields"]
    assert error_of(other.patch(f"{SHIFTS}{shift.pk}/", {"is_active": False}, format="json"), 404)
    assert Shift.objects.get().is_active is True and Shift.objects.count() == 1


# --- Schema -------------------------------------------------------------------------------------


def test_the_schema_lists_the_rules_and_shift_paths(db):
    paths = APIClient().get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths[RULES]) and {"get", "put", "delete"} <= set(paths[RULES + "{id}/"])
    assert {"get", "post"} <= set(paths[SHIFTS]) and {"get", "put", "patch"} <= set(paths[SHIFTS + "{id}/"])
    assert "delete" not in paths[SHIFTS + "{id}/"]
    assert {p["name"] for p in paths[RULES]["get"]["parameters"]} >= {"institution"}
    assert {p["name"] for p in paths[SHIFTS]["get"]["parameters"]} >= {"unit", "is_active"}


def test_decimal_values_come_back_as_strings(hr_city, pemkot):
    created = as_user(hr_city).post(RULES, rules_body(pemkot, daily_cap_percent="2.5"), format="json").json()
    assert created["daily_cap_percent"] == "2.50"
    assert AttendanceRules.objects.get().daily_cap_percent == Decimal("2.5")
