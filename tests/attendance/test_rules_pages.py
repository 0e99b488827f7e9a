"""HR pages for attendance rules versions (with the TL/PSW band table) and shifts: what each HR admin
sees, saving through the services, refusals shown next to the fields with nothing written, scope."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceRules, Band, RosterEntry, Shift
from attendance.services.attendance_rules import BandData, RulesData, attendance_rules_save
from portal.models import AuditEvent, MonthClosure
from tests.factories import HRAdminScopeFactory, UserFactory

# Tuesday 8 December 2026, 09:00 WIB.
pytestmark = pytest.mark.now(dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC), tick=False)

WARNING = "Potongan TL/PSW/TK belum diatur: rekap menampilkan 0 % sampai Anda mengisinya beserta dasar hukumnya."
FULL_BANDS = [BandData("TL", 1, 1, 30, Decimal("0.5")), BandData("TL", 2, 31, None, Decimal("1")),
              BandData("PSW", 1, 1, 30, Decimal("0.5")), BandData("PSW", 2, 31, None, Decimal("1"))]


@pytest.fixture
def hr_city(pemkot):
    """HR admin of the whole city government: the one who sets its attendance rules."""
    user = UserFactory(username="hr_kota")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def login(client, user):
    client.force_login(user)
    return client


def institution_url(unit) -> str:
    return reverse("attendance-rules-institution", kwargs={"institution_id": unit.pk})


def edit_url(version) -> str:
    return reverse("attendance-rules-edit", kwargs={"institution_id": version.institution_id,
                                                    "version_id": version.pk})


def shifts_url(unit) -> str:
    return reverse("attendance-shifts-unit", kwargs={"unit_id": unit.pk})


def save_version(actor, institution, day: dt.date, *, tk="3", bands=None, legal_basis="Perwali No. 12 Tahun 2026"):
    data = RulesData(effective_from=day, min_stay_minutes=60, latest_check_in_minutes=None, implausible_status="TK",
                     tk_deduction_percent=None if tk is None else Decimal(tk), daily_cap_percent=None,
                     legal_basis=legal_basis)
    return attendance_rules_save(actor=actor, institution=institution, version=None, data=data,
                                 bands=FULL_BANDS if bands is None else bands)


def rules_post(bands=None, **overrides) -> dict:
    """The form as a browser sends it: four TL and PSW rows plus the two blank extra rows."""
    rows = bands if bands is not None else [
        ("TL", 1, 1, 30, "0.5"), ("TL", 2, 31, 60, "1"), ("TL", 3, 61, "", "1.25"),
        ("PSW", 1, 1, 30, "0.5"), ("PSW", 2, 31, 60, "1"), ("PSW", 3, 61, "", "1.25")]
    rows = [*rows, ("", "", "", "", ""), ("", "", "", "", "")]
    data = {"effective_from": "2026-12-09", "min_stay_minutes": "60", "latest_check_in_minutes": "240",
            "implausible_status": "TK", "tk_deduction_percent": "3", "daily_cap_percent": "3",
            "legal_basis": "Perwali No. 12 Tahun 2026", "note": "",
            "pita-TOTAL_FORMS": str(len(rows)), "pita-INITIAL_FORMS": "0", "pita-MIN_NUM_FORMS": "0",
            "pita-MAX_NUM_FORMS": "1000"}
    for i, (kind, level, lo, hi, deduction) in enumerate(rows):
        data.update({f"pita-{i}-kind": kind, f"pita-{i}-level": str(level), f"pita-{i}-from_minute": str(lo),
                     f"pita-{i}-to_minute": str(hi), f"pita-{i}-deduction_percent": deduction})
    data.update(overrides)
    return data


def shift_post(**overrides) -> dict:
    data = {"code": "M", "name": "Shift malam", "start": "21:00", "end": "07:00", "ends_next_day": "on",
            "break_minutes": "30", "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_errors(html: str, name: str) -> str:
    """The error block rendered right before the field's widget (portal/partials/field.html)."""
    match = re.search(rf'id="id_{name}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


# --- Access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["attendance-rules", "attendance-shifts"])
def test_it_answers_404_to_people_without_an_hr_scope(client, ani, name):
    assert login(client, ani.user).get(reverse(name)).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, pemkot):
    response = client.get(institution_url(pemkot))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_answers_404_to_hr_of_another_institution(client, hr_city, hr_other, pemkot, dinkes):
    version = save_version(hr_city, pemkot, dt.date(2026, 1, 1))
    login(client, hr_other)
    assert client.get(institution_url(pemkot)).status_code == 404
    assert client.post(institution_url(pemkot), rules_post()).status_code == 404
    assert client.get(edit_url(version)).status_code == 404
    delete = reverse("attendance-rules-delete", kwargs={"version_id": version.pk})
    assert client.get(delete).status_code == 404 and client.post(delete).status_code == 404
    assert client.get(shifts_url(dinkes)).status_code == 404
    assert client.post(shifts_url(dinkes), shift_post()).status_code == 404
    assert AttendanceRules.objects.count() == 1 and not Shift.objects.exists()


def test_it_keeps_the_institution_page_from_an_hr_admin_below_the_root(client, hr, pemkot):
    """The city's rules are set by the city's HR: a department's HR reads them but cannot change them."""
    html = login(client, hr).get(reverse("attendance-rules")).content.decode()
    assert "Pemerintah Kota Contoh" in html and "Ditetapkan oleh HR instansi" in html
    assert institution_url(pemkot) not in html
    assert client.get(institution_url(pemkot)).status_code == 404


def test_it_answers_404_for_a_version_of_another_institution(client, superuser, pemkot, pemprov_lain):
    other = save_version(superuser, pemprov_lain, dt.date(2026, 1, 1))
    url = reverse("attendance-rules-edit", kwargs={"institution_id": pemkot.pk, "version_id": other.pk})
    assert login(client, superuser).get(url).status_code == 404


# --- The list ---------------------------------------------------------------------------------------


def test_it_warns_that_deductions_are_not_set_under_the_built_in_rules(client, hr_city, pemkot, pemprov_lain):
    response = login(client, hr_city).get(reverse("attendance-rules"))
    html = response.content.decode()
    assert response.status_code == 200
    assert WARNING in html
    assert "Bawaan: instansi ini belum menetapkan aturan presensi." in html
    assert institution_url(pemkot) in html
    assert "Pemerintah Provinsi Lain" not in html


def test_it_shows_the_version_in_force_with_its_legal_basis_and_no_warning(client, hr_city, pemkot):
    save_version(hr_city, pemkot, dt.date(2026, 1, 1), legal_basis="Perwali No. 7 Tahun 2025")
    save_version(hr_city, pemkot, dt.date(2027, 1, 1), tk=None)  # upcoming, incomplete: not in force yet
    html = login(client, hr_city).get(reverse("attendance-rules")).content.decode()
    assert "Berlaku sejak 1 Januari 2026." in html
    assert "Perwali No. 7 Tahun 2025" in html
    assert WARNING not in html
    assert "Versi berikutnya berlaku mulai 1 Januari 2027." in html


def test_it_warns_when_a_version_leaves_a_deduction_unset(client, hr_city, pemkot):
    save_version(hr_city, pemkot, dt.date(2026, 1, 1), bands=[
        BandData("TL", 1, 1, None, Decimal("1")), BandData("PSW", 1, 1, None, None)])
    assert WARNING in login(client, hr_city).get(reverse("attendance-rules")).content.decode()


def test_it_renders_without_inline_script_or_style(client, hr_city, pemkot):
    login(client, hr_city)
    for url in (reverse("attendance-rules"), institution_url(pemkot), reverse("attendance-shifts"),
                shifts_url(pemkot)):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html, url


# --- The institution page ------------------------------------------------------------------------


def test_it_prefills_a_new_version_from_tomorrow_with_the_built_in_band_edges(client, hr_city, pemkot):
    response = login(client, hr_city).get(institution_url(pemkot))
    html = response.content.decode()
    assert response.status_code == 200
    assert WARNING in html
    assert 'type="date" name="effective_from" value="2026-12-09"' in html
    assert "Berlaku mulai tanggal ini; hari sebelumnya tidak dihitung ulang." in html
    formset = response.context["formset"]
    assert [(f.initial["kind"], f.initial["level"], f.initial["from_minute"], f.initial["to_minute"])
            for f in formset.forms[:8]] == [
        ("TL", 1, 1, 30), ("TL", 2, 31, 60), ("TL", 3, 61, 90), ("TL", 4, 91, None),
        ("PSW", 1, 1, 30), ("PSW", 2, 31, 60), ("PSW", 3, 61, 90), ("PSW", 4, 91, None)]
    assert "Perlu ditinjau (tidak dihitung hadir maupun TK sampai diperbaiki)" in html


def test_it_uses_the_institutions_local_tomorrow(client, superuser, pemprov_lain):
    # 23:30 WIB on 8 December is already 00:30 on 9 December in WITA: tomorrow there is the 10th.
    with_wita = dt.datetime(2026, 12, 8, 16, 30, tzinfo=dt.UTC)
    with time_machine.travel(with_wita, tick=False):
        html = login(client, superuser).get(institution_url(pemprov_lain)).content.decode()
    assert 'name="effective_from" value="2026-12-10"' in html


def test_it_prefills_a_new_version_from_the_one_in_force(client, hr_city, pemkot):
    save_version(hr_city, pemkot, dt.date(2026, 1, 1))
    response = login(client, hr_city).get(institution_url(pemkot))
    assert response.context["form"].initial["tk_deduction_percent"] == Decimal("3")
    assert response.context["form"].initial["effective_from"] == dt.date(2026, 12, 9)
    assert [f.initial["deduction_percent"] for f in response.context["formset"].forms[:4]] == [
        Decimal("0.5"), Decimal("1"), Decimal("0.5"), Decimal("1")]


def test_it_saves_a_version_with_its_bands_and_shows_it(client, hr_city, pemkot):
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(), follow=True)
    html = response.content.decode()
    version = AttendanceRules.objects.get(institution=pemkot)
    assert (version.effective_from, version.latest_check_in_minutes, version.tk_deduction_percent) == (
        dt.date(2026, 12, 9), 240, Decimal("3"))
    assert list(version.bands.order_by("kind", "level").values_list("kind", "level", "from_minute", "to_minute",
                                                                      "deduction_percent")) == [
        ("PSW", 1, 1, 30, Decimal("0.5")), ("PSW", 2, 31, 60, Decimal("1")), ("PSW", 3, 61, None, Decimal("1.25")),
        ("TL", 1, 1, 30, Decimal("0.5")), ("TL", 2, 31, 60, Decimal("1")), ("TL", 3, 61, None, Decimal("1.25"))]
    assert AuditEvent.objects.filter(verb="attendance_rules.created").count() == 1
    assert "Aturan presensi Pemerintah Kota Contoh mulai 9 Desember 2026 tersimpan." in html
    assert "Berlaku mulai 9 Desember 2026" in html and "akan berlaku" in html
    assert "Perwali No. 12 Tahun 2026" in html
    assert "61 menit ke atas" in html and "1,25 %" in html


@pytest.mark.parametrize(("bands", "message"), [
    ([("TL", 1, 1, 30, "0.5"), ("TL", 2, 20, 60, "1"), ("PSW", 1, 1, "", "1")],
     "TL2 harus dimulai sesudah tingkat sebelumnya berakhir."),
    ([("TL", 1, 1, 30, "0.5"), ("TL", 3, 31, "", "1"), ("PSW", 1, 1, "", "1")],
     "Tingkat TL harus berurutan mulai dari 1."),
    ([("TL", 1, 30, 10, "0.5"), ("PSW", 1, 1, "", "1")], "Batas atas TL1 lebih kecil dari batas bawahnya."),
    ([("TL", 1, 1, "", "0.5"), ("PSW", 1, 1, "", "120")], "Potongan PSW1 harus antara 0 dan 100%."),
])
def test_it_refuses_a_bad_band_table_and_writes_nothing(client, hr_city, pemkot, bands, message):
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(bands=bands))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in response.context["formset"].non_form_errors()
    assert not AttendanceRules.objects.exists() and not Band.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="attendance_rules").exists()


def test_it_shows_a_percent_over_100_next_to_its_field(client, hr_city, pemkot):
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(tk_deduction_percent="150"))
    assert "Persentase harus antara 0 dan 100." in field_errors(response.content.decode(), "tk_deduction_percent")
    assert not AttendanceRules.objects.exists()


def test_it_asks_for_the_rest_of_a_half_filled_band_row(client, hr_city, pemkot):
    bands = [("TL", 1, 1, "", "1"), ("PSW", "", "", "", "2")]
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(bands=bands))
    assert "Isi jenis, tingkat dan menit awal pita ini" in response.content.decode()
    assert not AttendanceRules.objects.exists()


def test_it_refuses_a_second_version_on_the_same_date(client, hr_city, pemkot):
    save_version(hr_city, pemkot, dt.date(2026, 12, 9))
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(tk_deduction_percent="5"))
    assert "Sudah ada aturan yang berlaku mulai 9 Desember 2026" in field_errors(response.content.decode(),
                                                                            "effective_from")
    assert AttendanceRules.objects.get().tk_deduction_percent == Decimal("3")


def test_it_refuses_a_version_that_starts_in_a_closed_month(client, hr_city, pemkot):
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 11, 1), requested_by=hr_city,
                                closed_at=timezone.now())
    response = login(client, hr_city).post(institution_url(pemkot), rules_post(effective_from="2026-11-15"))
    assert "sudah ditutup (tutup buku)" in field_errors(response.content.decode(), "effective_from")
    assert not AttendanceRules.objects.exists()


def test_it_prefills_and_changes_a_version(client, hr_city, pemkot):
    version = save_version(hr_city, pemkot, dt.date(2026, 1, 1))
    login(client, hr_city)
    response = client.get(edit_url(version))
    assert response.context["form"].initial["effective_from"] == dt.date(2026, 1, 1)
    assert 'name="effective_from" value="2026-01-01"' in response.content.decode()
    assert len([f for f in response.context["formset"].forms if f.initial]) == 4
    client.post(edit_url(version), rules_post(effective_from="2026-01-01", tk_deduction_percent="2.5"))
    version.refresh_from_db()
    assert version.tk_deduction_percent == Decimal("2.5") and version.bands.count() == 6
    assert AuditEvent.objects.filter(verb="attendance_rules.updated").count() == 1


def test_it_deletes_a_version_after_confirmation(client, hr_city, pemkot):
    save_version(hr_city, pemkot, dt.date(2026, 1, 1))
    later = save_version(hr_city, pemkot, dt.date(2027, 1, 1))
    url = reverse("attendance-rules-delete", kwargs={"version_id": later.pk})
    login(client, hr_city)
    confirm = client.get(url).content.decode()
    assert "Hapus aturan mulai 1 Januari 2027?" in confirm and "aturan mulai 1 Januari 2026" in confirm
    assert AttendanceRules.objects.count() == 2
    html = client.post(url, follow=True).content.decode()
    assert "Aturan presensi mulai 1 Januari 2027 dihapus" in html
    assert list(AttendanceRules.objects.values_list("effective_from", flat=True)) == [dt.date(2026, 1, 1)]
    assert AuditEvent.objects.filter(verb="attendance_rules.deleted").count() == 1


def test_it_refuses_to_delete_a_version_that_starts_in_a_closed_month(client, hr_city, pemkot):
    version = save_version(hr_city, pemkot, dt.date(2026, 11, 1))
    MonthClosure.objects.create(unit=pemkot, month=dt.date(2026, 11, 1), requested_by=hr_city,
                                closed_at=timezone.now())
    url = reverse("attendance-rules-delete", kwargs={"version_id": version.pk})
    html = login(client, hr_city).post(url, follow=True).content.decode()
    assert "sudah ditutup (tutup buku)" in html
    assert AttendanceRules.objects.filter(pk=version.pk).exists()


# --- Shifts -------------------------------------------------------------------------------------


def test_it_lists_the_units_of_the_scope_to_choose_from(client, hr, dinkes, bidang_p2p, upt, pemprov_lain):
    html = login(client, hr).get(reverse("attendance-shifts")).content.decode()
    for unit in (dinkes, bidang_p2p, upt):
        assert shifts_url(unit) in html
    assert "Pemerintah Provinsi Lain" not in html


def test_it_shows_own_and_inherited_shifts_with_where_each_is_defined(client, hr, pemkot, dinkes, upt):
    Shift.objects.create(unit=pemkot, code="PG", name="Pagi kota", start=dt.time(7), end=dt.time(14))
    Shift.objects.create(unit=dinkes, code="S", name="Siang dinas", start=dt.time(14), end=dt.time(21))
    own = Shift.objects.create(unit=upt, code="M", name="Malam UPT", start=dt.time(21), end=dt.time(7),
                               ends_next_day=True)
    response = login(client, hr).get(shifts_url(upt))
    html = response.content.decode()
    assert [r["shift"].code for r in response.context["rows"]] == ["PG", "S", "M"]
    assert "diwarisi dari Pemerintah Kota Contoh" in html and "diwarisi dari Dinas Kesehatan" in html
    assert "unit ini" in html and "(keesokan hari)" in html
    assert reverse("attendance-shift-edit", kwargs={"unit_id": upt.pk, "shift_id": own.pk}) in html
    assert f"/hr/presensi/shift/unit/{pemkot.pk}/" not in html  # above the scope: not editable here
    assert "WITA" in html


def test_it_adds_an_overnight_shift(client, hr, upt):
    response = login(client, hr).post(shifts_url(upt), shift_post(), follow=True)
    shift = Shift.objects.get(unit=upt)
    assert (shift.code, shift.start, shift.end, shift.ends_next_day, shift.break_minutes) == (
        "M", dt.time(21), dt.time(7), True, 30)
    assert "Shift M (Shift malam) di UPT Puskesmas Kota tersimpan." in response.content.decode()
    assert AuditEvent.objects.filter(verb="shift.created").count() == 1


def test_it_refuses_a_shift_that_ends_before_it_starts(client, hr, upt):
    response = login(client, hr).post(shifts_url(upt), shift_post(ends_next_day=None))
    assert "Jam selesai harus sesudah jam mulai" in field_errors(response.content.decode(), "end")
    assert not Shift.objects.exists()


def test_it_refuses_a_shift_longer_than_a_day(client, hr, upt):
    response = login(client, hr).post(shifts_url(upt), shift_post(start="07:00", end="09:00"))
    assert "Shift paling lama 24 jam" in field_errors(response.content.decode(), "end")
    assert not Shift.objects.exists()


def test_it_prefills_edits_and_deactivates_a_shift(client, hr, upt):
    shift = Shift.objects.create(unit=upt, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    url = reverse("attendance-shift-edit", kwargs={"unit_id": upt.pk, "shift_id": shift.pk})
    login(client, hr)
    html = client.get(url).content.decode()
    assert 'name="code" value="P"' in html and 'name="start" value="07:00"' in html
    client.post(url, shift_post(code="P", name="Pagi", start="07:00", end="14:00", ends_next_day=None,
                                break_minutes="0", is_active=None))
    shift.refresh_from_db()
    assert shift.is_active is False and Shift.objects.count() == 1
    assert AuditEvent.objects.filter(verb="shift.updated").count() == 1


def test_it_keeps_the_hours_of_a_shift_already_on_a_roster(client, hr, upt, ani):
    shift = Shift.objects.create(unit=upt, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    RosterEntry.objects.create(employee=ani, date=dt.date(2026, 12, 1), shift=shift, updated_by=hr)
    url = reverse("attendance-shift-edit", kwargs={"unit_id": upt.pk, "shift_id": shift.pk})
    response = login(client, hr).post(url, shift_post(code="P", name="Pagi", start="08:00", end="15:00",
                                                      ends_next_day=None, break_minutes="0"))
    assert "sudah dipakai di jadwal dinas" in field_errors(response.content.decode(), "start")
    shift.refresh_from_db()
    assert shift.start == dt.time(7)


def test_it_answers_404_for_a_shift_of_another_unit(client, hr, dinkes, upt):
    shift = Shift.objects.create(unit=dinkes, code="P", name="Pagi", start=dt.time(7), end=dt.time(14))
    url = reverse("attendance-shift-edit", kwargs={"unit_id": upt.pk, "shift_id": shift.pk})
    assert login(client, hr).get(url).status_code == 404
