"""Working patterns (jam kerja) per unit and Ramadan periods: the selectors, the HR pages and the API.

The pages and the API read :mod:`portal.selectors.patterns` and write through
:mod:`portal.services.calendar`; these tests go through the real stack (no mocks).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import AuditEvent, MonthClosure, RamadanPeriod, WorkPattern, WorkPatternDay
from portal.selectors.patterns import (
    DEFAULT_SOURCE,
    pattern_units_visible_to,
    patterns_overview,
    ramadan_periods_visible_to,
    ramadan_periods_writable_by,
    unit_patterns,
    work_patterns_visible_to,
)
from tests.factories import HRAdminScopeFactory, UserFactory, working_hours

NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)  # Tuesday 8 December 2026, 09:00 WIB
TODAY = dt.date(2026, 12, 8)
TOMORROW = TODAY + dt.timedelta(days=1)
T = dt.time
PATTERNS = "/api/v1/work-patterns/"
IN_FORCE = "/api/v1/work-patterns/in-force/"
RAMADAN = "/api/v1/ramadan-periods/"

pytestmark = pytest.mark.now(NOW, tick=False)


@pytest.fixture
def hr_pemkot(pemkot):
    user = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


@pytest.fixture
def dinkes_week(dinkes):
    """Dinkes works Monday–Saturday from 2026-01-01 with a flexible start until 08:30."""
    for weekday in range(5):
        working_hours(dinkes, weekday, T(7, 30), T(15, 0), 30, effective_from=dt.date(2026, 1, 1),
                      flex_until=T(8, 30))
    working_hours(dinkes, 5, T(7, 30), T(12, 0), 0, effective_from=dt.date(2026, 1, 1))
    return WorkPattern.objects.get(unit=dinkes)


def make_pattern(unit, effective_from: dt.date, days=range(5), start=T(8, 0), end=T(16, 0), **extra) -> WorkPattern:
    pattern = WorkPattern.objects.create(unit=unit, effective_from=effective_from, **extra)
    for weekday in days:
        WorkPatternDay.objects.create(pattern=pattern, weekday=weekday, start=start, end=end, break_minutes=60)
    return pattern


def pattern_post(**overrides) -> dict:
    """The unit page's form: Monday–Friday 07:00–15:30, from tomorrow."""
    data = {"effective_from": TOMORROW.isoformat(), "kind": "weekly", "flex_until": "", "note": "SK 800/1/2026"}
    for weekday in range(7):
        works = weekday < 5
        data.update({f"wd{weekday}_start": "07:00" if works else "", f"wd{weekday}_end": "15:30" if works else "",
                     f"wd{weekday}_break": "60"})
        if works:
            data[f"wd{weekday}_work"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def unit_url(unit) -> str:
    return reverse("hr-work-pattern-unit", kwargs={"unit_id": unit.pk})


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="id")
    client.force_authenticate(user)
    return client


def error_of(response, status_code: int) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status_code
    return body["error"]


def calendar_events():
    """Audit events of working patterns and Ramadan periods (the fixtures audit their units too)."""
    return AuditEvent.objects.filter(Q(verb__startswith="work_pattern.") | Q(verb__startswith="ramadan_period.")
                                     ).order_by("id")


def close_month(unit, month: dt.date, user) -> MonthClosure:
    return MonthClosure.objects.create(unit=unit, month=month, requested_by=user, closed_at=timezone.now())


API_WEEK = [{"weekday": d, "start": "07:30", "end": "16:00", "break_minutes": 60} for d in range(4)] + [
    {"weekday": 4, "start": "07:30", "end": "16:30", "break_minutes": 90}]


# --- Selectors ---------------------------------------------------------------------------------


def test_it_tells_which_week_each_unit_works_and_where_it_comes_from(hr, dinkes_week, pemkot, dinkes, bidang_p2p,
                                                                      upt):
    make_pattern(pemkot, dt.date(2026, 12, 10), days=range(6))
    make_pattern(upt, dt.date(2026, 12, 14), start=T(6, 0), end=T(14, 0))
    units = [pemkot, dinkes, bidang_p2p, upt]
    today = patterns_overview(units, TODAY)
    assert today[pemkot.pk].is_default and today[pemkot.pk].source is None
    assert today[pemkot.pk].version.weekdays == frozenset(range(5))
    assert today[dinkes.pk].own and today[dinkes.pk].version.id == dinkes_week.pk
    assert today[bidang_p2p.pk].inherited and today[bidang_p2p.pk].source == dinkes
    assert today[bidang_p2p.pk].version.flex_until == T(8, 30)
    assert [d.hours is not None for d in today[bidang_p2p.pk].week] == [True] * 6 + [False]
    assert today[upt.pk].source == dinkes
    later = patterns_overview(units, dt.date(2026, 12, 14))
    assert later[pemkot.pk].own and later[pemkot.pk].effective_from == dt.date(2026, 12, 10)
    assert later[dinkes.pk].own  # its own pattern wins over the parent's newer one
    assert later[upt.pk].own and later[upt.pk].version.week[0].start == T(6, 0)


def test_it_names_a_source_above_the_scope_in_three_queries(hr, pemkot, dinkes, bidang_p2p, upt,
                                                            django_assert_num_queries):
    make_pattern(pemkot, dt.date(2026, 1, 1))
    units = list(pattern_units_visible_to(hr))
    assert units == [dinkes, bidang_p2p, upt]
    with django_assert_num_queries(3):  # patterns, their days, and the source above the scope
        overview = patterns_overview(units, TODAY)
    assert {p.source.name for p in overview.values()} == {pemkot.name}


def test_it_narrows_units_to_the_scope(hr, dinkes, bidang_p2p, upt, pemkot, pemprov_lain):
    assert list(pattern_units_visible_to(hr, unit_id=dinkes.pk, subtree=True)) == [dinkes, bidang_p2p, upt]
    assert list(pattern_units_visible_to(hr, unit_id=dinkes.pk)) == [dinkes]
    for outside in (pemkot, pemprov_lain):
        with pytest.raises(Http404):
            pattern_units_visible_to(hr, unit_id=outside.pk)


def test_it_lists_a_units_own_versions_newest_first(hr, hr_other, dinkes, bidang_p2p):
    old = make_pattern(dinkes, dt.date(2025, 1, 1))
    new = make_pattern(dinkes, dt.date(2027, 1, 4), days=[0, 1, 2])
    other = make_pattern(bidang_p2p, dt.date(2026, 6, 1))
    assert list(unit_patterns(dinkes)) == [new, old]
    assert [d.weekday for d in unit_patterns(dinkes)[0].days.all()] == [0, 1, 2]
    assert set(work_patterns_visible_to(hr)) == {old, new, other}
    assert not work_patterns_visible_to(hr_other).exists()


def test_it_reads_national_and_own_ramadan_periods_and_writes_only_its_institutions(
        hr, hr_pemkot, hr_other, superuser, pemkot, pemprov_lain):
    national = RamadanPeriod.objects.create(start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    city = RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2026, 2, 18), end=dt.date(2026, 3, 19))
    province = RamadanPeriod.objects.create(institution=pemprov_lain, start=dt.date(2026, 2, 18),
                                            end=dt.date(2026, 3, 19))
    assert list(ramadan_periods_visible_to(hr)) == [national, city]
    assert list(ramadan_periods_visible_to(hr_other)) == [national, province]
    assert set(ramadan_periods_visible_to(superuser)) == {national, city, province}
    assert not ramadan_periods_writable_by(hr).exists()  # dinkes is below the institution
    assert list(ramadan_periods_writable_by(hr_pemkot)) == [city]
    assert set(ramadan_periods_writable_by(superuser)) == {national, city, province}


# --- Pages: access -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hr-work-patterns", "hr-ramadan"])
@pytest.mark.parametrize("who", ["ani", "kadis", "outsider"])
def test_it_answers_404_to_people_without_an_hr_scope(client, request, name, who):
    client.force_login(request.getfixturevalue(who).user)
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name), {}).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, dinkes):
    response = client.get(unit_url(dinkes))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_answers_404_for_units_and_versions_outside_the_scope(client, hr, hr_other, pemkot, dinkes, bidang_p2p):
    pattern = make_pattern(dinkes, dt.date(2026, 1, 1))
    client.force_login(hr_other)
    assert client.get(unit_url(dinkes)).status_code == 404
    assert client.post(unit_url(dinkes), pattern_post()).status_code == 404
    edit = reverse("hr-work-pattern-edit", kwargs={"unit_id": dinkes.pk, "pattern_id": pattern.pk})
    assert client.post(edit, pattern_post()).status_code == 404
    delete = reverse("hr-work-pattern-delete", kwargs={"pattern_id": pattern.pk})
    assert client.get(delete).status_code == 404 and client.post(delete).status_code == 404
    client.force_login(hr)
    assert client.get(unit_url(pemkot)).status_code == 404  # above the scope
    # A version of another unit under this unit's URL is not found either.
    assert client.get(reverse("hr-work-pattern-edit", kwargs={"unit_id": bidang_p2p.pk,
                                                             "pattern_id": pattern.pk})).status_code == 404
    assert WorkPattern.objects.get() == pattern and pattern.days.count() == 5
    assert not calendar_events().exists()


# --- Pages: the overview -----------------------------------------------------------------------


def test_it_shows_every_unit_with_its_week_and_where_it_comes_from(client, hr, dinkes_week, dinkes, bidang_p2p,
                                                                    upt):
    make_pattern(upt, dt.date(2026, 12, 14), start=T(6, 0), end=T(14, 0))
    client.force_login(hr)
    response = client.get(reverse("hr-work-patterns"))
    assert response.status_code == 200
    rows = {r["unit"].pk: r for r in response.context["rows"]}
    assert list(rows) == [dinkes.pk, bidang_p2p.pk, upt.pk]
    assert rows[dinkes.pk]["source"] == "ditetapkan sendiri"
    assert rows[bidang_p2p.pk]["source"] == "diwarisi dari Dinas Kesehatan"
    page = html(response)
    assert "Senin–Jumat 07:30–15:00 (istirahat 30 menit)" in page
    assert "Sabtu 07:30–12:00 (istirahat 0 menit)" in page
    assert "masuk paling lambat 08:30" in page
    assert 'class="table-wrap"' in page  # the wide table scrolls by itself on a phone
    assert f'href="{unit_url(upt)}"' in page
    later = client.get(reverse("hr-work-patterns"), {"tanggal": "2026-12-14"})
    assert later.context["day"] == dt.date(2026, 12, 14)
    assert {r["unit"].pk: r["source"] for r in later.context["rows"]}[upt.pk] == "ditetapkan sendiri"
    assert "Senin–Jumat 06:00–14:00 (istirahat 60 menit)" in html(later)


def test_it_shows_the_perpres_default_and_ignores_a_bad_date(client, hr_other, pemprov_lain):
    client.force_login(hr_other)
    response = client.get(reverse("hr-work-patterns"), {"tanggal": "9999-99-99"})
    assert response.status_code == 200
    assert response.context["day"] == TODAY
    assert response.context["rows"][0]["source"] == f"bawaan {DEFAULT_SOURCE}"
    assert "Senin–Kamis 07:30–16:00 (istirahat 60 menit)" in html(response)
    assert "Jumat 07:30–16:30 (istirahat 90 menit)" in html(response)


# --- Pages: a unit's versions and the form ------------------------------------------------------


def test_it_shows_a_units_versions_and_what_is_in_force(client, hr, dinkes_week, dinkes, bidang_p2p):
    make_pattern(bidang_p2p, dt.date(2027, 1, 4), days=[0, 1, 2, 3], note="Uji coba 4 hari")
    client.force_login(hr)
    response = client.get(unit_url(bidang_p2p))
    assert response.status_code == 200
    context = response.context
    assert context["in_force"].source == dinkes and context["in_force_source"] == "diwarisi dari Dinas Kesehatan"
    assert [v["pattern"].effective_from for v in context["versions"]] == [dt.date(2027, 1, 4)]
    assert context["versions"][0]["future"] and not context["versions"][0]["current"]
    page = html(response)
    assert "Uji coba 4 hari" in page and "Senin–Kamis 08:00–16:00 (istirahat 60 menit)" in page
    assert "Berlaku mulai tanggal ini; hari sebelumnya tetap dihitung dengan pola lama." in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page


def test_it_offers_the_week_in_force_from_the_units_local_tomorrow(client, hr, dinkes_week, dinkes, upt):
    client.force_login(hr)
    form = client.get(unit_url(dinkes)).context["form"]
    assert form["effective_from"].value() == TOMORROW
    assert f'value="{TOMORROW.isoformat()}"' in str(form["effective_from"])  # ISO for <input type="date">
    assert [form[f"wd{d}_work"].value() for d in range(7)] == [True] * 6 + [False]
    assert form["wd5_end"].value() == T(12, 0) and form["flex_until"].value() == T(8, 30)


@pytest.mark.now(dt.datetime(2026, 12, 8, 16, 30, tzinfo=dt.UTC), tick=False)  # 23:30 WIB, 00:30 WITA
def test_it_counts_tomorrow_in_the_units_time_zone(client, hr, dinkes, upt):
    client.force_login(hr)
    assert client.get(unit_url(dinkes)).context["form"]["effective_from"].value() == dt.date(2026, 12, 9)
    assert client.get(unit_url(upt)).context["form"]["effective_from"].value() == dt.date(2026, 12, 10)


def test_it_adds_a_version_from_a_future_date(client, hr, dinkes_week, bidang_p2p):
    client.force_login(hr)
    start = dt.date(2027, 1, 4)
    response = client.post(unit_url(bidang_p2p), pattern_post(effective_from=start.isoformat(), flex_until="08:00"))
    assert response.status_code == 302 and response.url == unit_url(bidang_p2p)
    pattern = WorkPattern.objects.get(unit=bidang_p2p)
    assert (pattern.effective_from, pattern.kind, pattern.flex_until, pattern.note) == (
        start, "weekly", T(8, 0), "SK 800/1/2026")
    assert [(d.weekday, d.start, d.end, d.break_minutes) for d in pattern.days.all()] == [
        (d, T(7, 0), T(15, 30), 60) for d in range(5)]
    event = AuditEvent.objects.get(verb="work_pattern.created")
    assert event.unit == bidang_p2p and event.after["effective_from"] == "2027-01-04"
    assert messages_of(client.get(response.url)) == ["Pola jam kerja Bidang P2P mulai 4 Januari 2027 tersimpan."]
    # Before that date the inherited week still applies; from it, the new one.
    overview = patterns_overview([bidang_p2p], start - dt.timedelta(days=1))[bidang_p2p.pk]
    assert overview.inherited
    assert patterns_overview([bidang_p2p], start)[bidang_p2p.pk].version.id == pattern.pk


def test_it_refuses_a_weekly_day_ending_before_it_starts(client, hr, dinkes):
    client.force_login(hr)
    response = client.post(unit_url(dinkes), pattern_post(wd0_start="15:00", wd0_end="07:00"))
    assert response.status_code == 200
    error = ("Jam pulang Senin harus sesudah jam masuknya (pola mingguan tidak melewati tengah malam; untuk itu "
             "pakai shift).")
    assert response.context["form"].errors["days"] == [error]
    assert error in html(response) and 'id="id_days_error"' in html(response)
    assert not WorkPattern.objects.exists() and not calendar_events().exists()


def test_it_refuses_two_versions_starting_the_same_day(client, hr, dinkes):
    make_pattern(dinkes, TOMORROW)
    client.force_login(hr)
    response = client.post(unit_url(dinkes), pattern_post())
    assert response.status_code == 200
    (error,) = response.context["form"].errors["effective_from"]
    assert "Dinas Kesehatan sudah punya pola yang berlaku mulai 9 Desember 2026" in error
    assert WorkPattern.objects.count() == 1 and not calendar_events().exists()


def test_it_refuses_a_flexible_window_ending_before_the_start(client, hr, dinkes):
    client.force_login(hr)
    response = client.post(unit_url(dinkes), pattern_post(flex_until="06:30"))
    assert response.status_code == 200
    errors = response.context["form"].errors["days"]
    assert "Batas jam masuk fleksibel 06:30 harus sesudah jam masuk Senin (07:00) dan sebelum jam pulangnya." in errors
    assert not WorkPattern.objects.exists()


def test_it_asks_for_the_hours_of_a_ticked_day(client, hr, dinkes):
    client.force_login(hr)
    response = client.post(unit_url(dinkes), pattern_post(wd5_work="on"))
    assert response.context["form"].errors["wd5_start"] == ["Isi jam masuk dan jam pulang hari kerja ini."]
    assert not WorkPattern.objects.exists()


def test_it_refuses_a_version_starting_in_a_closed_month(client, hr, dinkes, bidang_p2p):
    close_month(dinkes, dt.date(2026, 11, 1), hr)
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), pattern_post(effective_from="2026-11-16"))
    assert response.status_code == 200
    (error,) = response.context["form"].errors["effective_from"]
    assert "sudah ditutup (tutup buku) untuk Dinas Kesehatan" in error
    assert not WorkPattern.objects.exists() and not calendar_events().exists()
    # A start after the closed month is fine.
    assert client.post(unit_url(bidang_p2p), pattern_post(effective_from="2026-12-01")).status_code == 302


def test_it_prefills_and_changes_a_version(client, hr, dinkes):
    pattern = make_pattern(dinkes, dt.date(2027, 1, 4), days=[0, 1, 2, 3], note="Lama", kind="shift")
    edit = reverse("hr-work-pattern-edit", kwargs={"unit_id": dinkes.pk, "pattern_id": pattern.pk})
    client.force_login(hr)
    form = client.get(edit).context["form"]
    assert form["effective_from"].value() == dt.date(2027, 1, 4) and form["note"].value() == "Lama"
    assert form["kind"].value() == "shift" and form["wd4_work"].value() is False
    assert form["wd0_start"].value() == T(8, 0)
    response = client.post(edit, pattern_post(effective_from="2027-01-11", note="Baru"))
    assert response.status_code == 302
    pattern.refresh_from_db()
    assert (pattern.effective_from, pattern.kind, pattern.note, pattern.days.count()) == (
        dt.date(2027, 1, 11), "weekly", "Baru", 5)
    event = AuditEvent.objects.get(verb="work_pattern.updated")
    assert event.before["effective_from"] == "2027-01-04" and len(event.before["days"]) == 4


def test_it_deletes_a_version_only_after_confirmation(client, hr, dinkes):
    pattern = make_pattern(dinkes, dt.date(2027, 1, 4))
    delete = reverse("hr-work-pattern-delete", kwargs={"pattern_id": pattern.pk})
    client.force_login(hr)
    confirm = client.get(delete)
    assert confirm.status_code == 200 and "Ya, hapus pola ini" in html(confirm)
    assert WorkPattern.objects.filter(pk=pattern.pk).exists()
    response = client.post(delete)
    assert response.status_code == 302 and response.url == unit_url(dinkes)
    assert not WorkPattern.objects.exists()
    assert AuditEvent.objects.get(verb="work_pattern.deleted").before["effective_from"] == "2027-01-04"
    assert messages_of(client.get(response.url)) == ["Pola jam kerja Dinas Kesehatan mulai 4 Januari 2027 dihapus."]


def test_it_keeps_a_version_of_a_closed_month(client, hr, dinkes):
    pattern = make_pattern(dinkes, dt.date(2026, 11, 2))
    close_month(dinkes, dt.date(2026, 11, 1), hr)
    client.force_login(hr)
    response = client.post(reverse("hr-work-pattern-delete", kwargs={"pattern_id": pattern.pk}))
    assert response.status_code == 200
    assert any("sudah ditutup" in e for e in response.context["errors"]) and "sudah ditutup" in html(response)
    assert WorkPattern.objects.filter(pk=pattern.pk).exists()


# --- Pages: Ramadan ----------------------------------------------------------------------------


def ramadan_post(**overrides) -> dict:
    data = {"institution": "", "start": "2027-02-08", "end": "2027-03-09", "start_time": "08:00", "end_time": "15:00",
            "friday_end_time": "15:30", "break_minutes": "30", "friday_break_minutes": "60"}
    data.update(overrides)
    return data


def test_it_lists_ramadan_periods_and_adds_one_for_the_institution(client, hr_pemkot, pemkot):
    national = RamadanPeriod.objects.create(start=dt.date(2026, 2, 18), end=dt.date(2026, 3, 19))
    client.force_login(hr_pemkot)
    response = client.get(reverse("hr-ramadan"))
    assert response.status_code == 200
    assert [(p["period"], p["editable"]) for p in response.context["periods"]] == [(national, False)]
    field = response.context["form"].fields["institution"]
    assert list(field.queryset) == [pemkot] and field.required  # no national option for an HR admin
    assert response.context["form"]["institution"].value() == pemkot.pk
    response = client.post(reverse("hr-ramadan"), ramadan_post(institution=pemkot.pk))
    assert response.status_code == 302 and response.url == reverse("hr-ramadan")
    row = RamadanPeriod.objects.get(institution=pemkot)
    assert (row.start, row.end, row.friday_end_time) == (dt.date(2027, 2, 8), dt.date(2027, 3, 9), T(15, 30))
    assert AuditEvent.objects.filter(verb="ramadan_period.created", unit=pemkot).exists()
    assert messages_of(client.get(response.url)) == ["Periode Ramadan 8 Februari 2027–9 Maret 2027 tersimpan."]


def test_it_refuses_an_overlapping_ramadan_period(client, hr_pemkot, pemkot):
    RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    client.force_login(hr_pemkot)
    response = client.post(reverse("hr-ramadan"), ramadan_post(institution=pemkot.pk, start="2027-03-01",
                                                               end="2027-03-31"))
    assert response.status_code == 200
    (error,) = response.context["form"].errors["start"]
    assert error == ("Periode ini bertumpang tindih dengan periode Ramadan 8 Februari 2027–9 Maret 2027; "
                     "ubah periode itu atau pilih tanggal lain.")
    assert error in html(response)
    assert RamadanPeriod.objects.count() == 1 and not calendar_events().exists()


def test_it_refuses_a_ramadan_period_ending_before_it_starts(client, hr_pemkot, pemkot):
    client.force_login(hr_pemkot)
    response = client.post(reverse("hr-ramadan"), ramadan_post(institution=pemkot.pk, end="2027-01-01"))
    assert response.context["form"].errors["end"] == ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    assert not RamadanPeriod.objects.exists()


def test_it_edits_and_deletes_a_ramadan_period_after_confirmation(client, hr_pemkot, pemkot):
    row = RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    edit = reverse("hr-ramadan-edit", kwargs={"period_id": row.pk})
    client.force_login(hr_pemkot)
    assert client.get(edit).context["form"]["start"].value() == dt.date(2027, 2, 8)
    assert client.post(edit, ramadan_post(institution=pemkot.pk, end="2027-03-10")).status_code == 302
    row.refresh_from_db()
    assert row.end == dt.date(2027, 3, 10) and RamadanPeriod.objects.count() == 1
    delete = reverse("hr-ramadan-delete", kwargs={"period_id": row.pk})
    assert "Ya, hapus periode ini" in html(client.get(delete)) and RamadanPeriod.objects.exists()
    assert client.post(delete).status_code == 302
    assert not RamadanPeriod.objects.exists()
    assert list(calendar_events().values_list("verb", flat=True)) == [
        "ramadan_period.updated", "ramadan_period.deleted"]


def test_it_shows_ramadan_periods_read_only_below_the_institution(client, hr, hr_other, pemkot):
    row = RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    client.force_login(hr)  # dinkes, below pemkot: reads the city's period, cannot change it
    response = client.get(reverse("hr-ramadan"))
    assert response.context["form"] is None and [p["editable"] for p in response.context["periods"]] == [False]
    assert client.post(reverse("hr-ramadan"), ramadan_post(institution=pemkot.pk)).status_code == 404
    for name in ("hr-ramadan-edit", "hr-ramadan-delete"):
        assert client.post(reverse(name, kwargs={"period_id": row.pk}), ramadan_post()).status_code == 404
    client.force_login(hr_other)
    assert client.get(reverse("hr-ramadan")).context["periods"] == []
    assert client.get(reverse("hr-ramadan-edit", kwargs={"period_id": row.pk})).status_code == 404
    row.refresh_from_db()
    assert row.end == dt.date(2027, 3, 9) and not calendar_events().exists()


def test_it_lets_a_superuser_add_a_national_period(client, superuser, pemkot):
    client.force_login(superuser)
    form = client.get(reverse("hr-ramadan")).context["form"]
    assert not form.fields["institution"].required
    assert client.post(reverse("hr-ramadan"), ramadan_post()).status_code == 302
    assert RamadanPeriod.objects.get().institution is None


# --- API: working patterns ----------------------------------------------------------------------


def test_it_creates_changes_and_deletes_a_pattern_through_the_api(hr, dinkes, bidang_p2p):
    client = api(hr)
    payload = {"unit": bidang_p2p.pk, "effective_from": "2027-01-04", "kind": "weekly", "flex_until": "08:30",
               "note": "SK 800/7/2026", "days": API_WEEK}
    response = client.post(PATTERNS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == {"id": bidang_p2p.pk, "code": "DINKES-P2P", "name": "Bidang P2P"}
    assert body["days"] == API_WEEK and body["flex_until"] == "08:30" and body["effective_from"] == "2027-01-04"
    url = f"{PATTERNS}{body['id']}/"
    assert client.get(url).json() == body
    changed = {**payload, "effective_from": "2027-01-11", "kind": "shift", "flex_until": None,
               "days": API_WEEK[:2]}
    response = client.put(url, changed, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["kind"], response.json()["days"], response.json()["flex_until"]) == (
        "shift", API_WEEK[:2], None)
    pattern = WorkPattern.objects.get()
    assert pattern.effective_from == dt.date(2027, 1, 11) and pattern.unit == bidang_p2p
    assert client.delete(url).status_code == 204
    assert not WorkPattern.objects.exists() and not WorkPatternDay.objects.exists()
    assert list(calendar_events().values_list("verb", flat=True)) == [
        "work_pattern.created", "work_pattern.updated", "work_pattern.deleted"]


def test_it_answers_400_with_field_errors_and_writes_nothing(hr, dinkes, pemkot):
    make_pattern(dinkes, TOMORROW)
    client = api(hr)
    base = {"unit": dinkes.pk, "effective_from": "2027-01-04", "days": API_WEEK}
    cases = [
        ({"effective_from": TOMORROW.isoformat()}, "effective_from"),  # two versions on one day
        ({"days": [{"weekday": 0, "start": "16:00", "end": "07:30"}]}, "days"),
        ({"flex_until": "07:00"}, "days"),
        ({"days": [{"weekday": 7, "start": "07:30", "end": "16:00"}]}, "days.0.weekday"),
        ({"days": [{"weekday": 0, "start": "7 pagi", "end": "16:00"}]}, "days.0.start"),
        ({"days": [API_WEEK[0], API_WEEK[0]]}, "days"),
        ({"days": []}, "days"),  # a weekly pattern needs a working day
        ({"kind": "rotating"}, "kind"),
        ({"effective_from": "9999-01-01"}, "effective_from"),
        ({"unit": pemkot.pk}, "unit"),  # above the scope: as unknown as a missing unit
        ({"unit": 2**70}, "unit"),
    ]
    for change, field in cases:
        error = error_of(client.post(PATTERNS, {**base, **change}, format="json"), 400)
        assert field in error["fields"], (change, error)
    assert WorkPattern.objects.count() == 1 and not calendar_events().exists()


def test_it_refuses_an_api_version_in_a_closed_month(hr, dinkes, bidang_p2p):
    pattern = make_pattern(bidang_p2p, dt.date(2026, 11, 2))
    close_month(dinkes, dt.date(2026, 11, 1), hr)
    client = api(hr)
    error = error_of(client.post(PATTERNS, {"unit": bidang_p2p.pk, "effective_from": "2026-11-20", "days": API_WEEK},
                                 format="json"), 400)
    assert "tutup buku" in error["fields"]["effective_from"][0]
    error_of(client.delete(f"{PATTERNS}{pattern.pk}/"), 400)
    assert list(WorkPattern.objects.all()) == [pattern] and not calendar_events().exists()


def test_it_keeps_the_pattern_api_inside_the_scope(hr, hr_other, ani, dinkes, bidang_p2p, pemprov_lain):
    mine = make_pattern(bidang_p2p, dt.date(2026, 1, 1))
    parent = make_pattern(dinkes, dt.date(2026, 1, 1))
    theirs = make_pattern(pemprov_lain, dt.date(2026, 1, 1))
    assert [r["id"] for r in api(hr).get(PATTERNS).json()["results"]] == [parent.pk, mine.pk]
    assert [r["id"] for r in api(hr).get(PATTERNS, {"unit": bidang_p2p.pk}).json()["results"]] == [mine.pk]
    assert [r["id"] for r in api(hr).get(PATTERNS, {"unit": dinkes.pk, "subtree": "true"}).json()["results"]] == [
        parent.pk, mine.pk]
    assert api(hr).get(PATTERNS, {"unit": pemprov_lain.pk}).json()["results"] == []
    for method in ("get", "delete"):
        error_of(getattr(api(hr_other), method)(f"{PATTERNS}{mine.pk}/"), 404)
    error_of(api(hr_other).put(f"{PATTERNS}{mine.pk}/", {"effective_from": "2027-01-04", "days": API_WEEK},
                               format="json"), 404)
    error_of(api(ani.user).get(PATTERNS), 404)
    assert [r["id"] for r in api(hr_other).get(PATTERNS).json()["results"]] == [theirs.pk]
    assert WorkPattern.objects.count() == 3 and not calendar_events().exists()


def test_it_answers_the_week_in_force_as_the_page_does(client, hr, dinkes_week, dinkes, bidang_p2p, upt):
    make_pattern(upt, dt.date(2026, 12, 14), start=T(6, 0), end=T(14, 0))
    for day in ("2026-12-08", "2026-12-14"):
        client.force_login(hr)
        rows = client.get(reverse("hr-work-patterns"), {"tanggal": day}).context["rows"]
        on_page = {r["unit"].pk: (r["pattern"].version.id, getattr(r["pattern"].source, "pk", None),
                                  {wd: (h.start.strftime("%H:%M"), h.end.strftime("%H:%M"), h.break_minutes)
                                   for wd, h in r["pattern"].version.week.items()}) for r in rows}
        results = api(hr).get(IN_FORCE, {"date": day}).json()["results"]
        in_api = {r["unit"]["id"]: (r["pattern"], (r["source"] or {}).get("id"),
                                    {d["weekday"]: (d["start"], d["end"], d["break_minutes"]) for d in r["days"]})
                  for r in results}
        assert on_page == in_api
    assert in_api[upt.pk][1] == upt.pk and in_api[bidang_p2p.pk][1] == dinkes.pk
    # Without a date both answer for the same day: today where the top unit of the scope is.
    assert {r["date"] for r in api(hr).get(IN_FORCE).json()["results"]} == {
        client.get(reverse("hr-work-patterns")).context["day"].isoformat()}
    (only,) = api(hr).get(IN_FORCE, {"unit": bidang_p2p.pk, "date": "2026-12-08"}).json()["results"]
    assert only["flex_until"] == "08:30" and only["effective_from"] == "2026-01-01" and only["kind"] == "weekly"


def test_it_answers_the_default_week_and_bad_queries(hr, hr_other, pemkot, pemprov_lain):
    (row,) = api(hr_other).get(IN_FORCE).json()["results"]
    assert row["pattern"] is None and row["source"] is None and row["effective_from"] is None
    assert [d["weekday"] for d in row["days"]] == [0, 1, 2, 3, 4] and row["days"][4]["end"] == "16:30"
    assert "date" in error_of(api(hr).get(IN_FORCE, {"date": "2026-13-01"}), 400)["fields"]
    assert "unit" in error_of(api(hr).get(IN_FORCE, {"unit": "abc"}), 400)["fields"]
    error_of(api(hr).get(IN_FORCE, {"unit": pemkot.pk}), 404)


# --- API: Ramadan periods ----------------------------------------------------------------------

API_RAMADAN = {"start": "2027-02-08", "end": "2027-03-09", "start_time": "08:00", "end_time": "15:00",
               "friday_end_time": "15:30", "break_minutes": 30, "friday_break_minutes": 60}


def test_it_creates_changes_and_deletes_a_ramadan_period_through_the_api(hr_pemkot, pemkot):
    client = api(hr_pemkot)
    response = client.post(RAMADAN, {**API_RAMADAN, "institution": pemkot.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["institution"]["id"] == pemkot.pk and body["friday_end_time"] == "15:30"
    url = f"{RAMADAN}{body['id']}/"
    response = client.put(url, {**API_RAMADAN, "institution": pemkot.pk, "end": "2027-03-10"}, format="json")
    assert response.status_code == 200 and response.json()["end"] == "2027-03-10"
    assert client.delete(url).status_code == 204
    assert not RamadanPeriod.objects.exists()
    assert list(calendar_events().values_list("verb", flat=True)) == [
        "ramadan_period.created", "ramadan_period.updated", "ramadan_period.deleted"]


def test_it_refuses_overlaps_and_national_rows_with_field_errors(hr_pemkot, hr, superuser, pemkot):
    RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    error = error_of(api(hr_pemkot).post(RAMADAN, {**API_RAMADAN, "institution": pemkot.pk, "start": "2027-03-01",
                                                   "end": "2027-03-31"}, format="json"), 400)
    assert list(error["fields"]) == ["start"] and "bertumpang tindih" in error["fields"]["start"][0]
    assert list(error_of(api(hr_pemkot).post(RAMADAN, API_RAMADAN, format="json"), 400)["fields"]) == ["institution"]
    assert list(error_of(api(hr).post(RAMADAN, {**API_RAMADAN, "institution": pemkot.pk}, format="json"),
                         400)["fields"]) == ["institution"]  # below the institution: not writable
    error = error_of(api(hr_pemkot).post(RAMADAN, {**API_RAMADAN, "institution": pemkot.pk, "start": "2028-02-01",
                                                   "end": "2028-01-01"}, format="json"), 400)
    assert list(error["fields"]) == ["end"]
    assert RamadanPeriod.objects.count() == 1 and not calendar_events().exists()
    response = api(superuser).post(RAMADAN, {**API_RAMADAN, "start": "2028-01-20", "end": "2028-02-18"},
                                   format="json")
    assert response.status_code == 201 and response.json()["institution"] is None


def test_it_keeps_ramadan_writes_inside_the_institutions_of_the_scope(hr, hr_other, ani, pemkot):
    national = RamadanPeriod.objects.create(start=dt.date(2026, 2, 18), end=dt.date(2026, 3, 19))
    city = RamadanPeriod.objects.create(institution=pemkot, start=dt.date(2027, 2, 8), end=dt.date(2027, 3, 9))
    assert [r["id"] for r in api(hr).get(RAMADAN).json()["results"]] == [city.pk, national.pk]
    assert [r["id"] for r in api(hr).get(RAMADAN, {"national": "true"}).json()["results"]] == [national.pk]
    assert [r["id"] for r in api(hr).get(RAMADAN, {"active_on": "2027-02-10"}).json()["results"]] == [city.pk]
    assert api(hr).get(f"{RAMADAN}{city.pk}/").status_code == 200  # readable
    for row in (city, national):
        error_of(api(hr).delete(f"{RAMADAN}{row.pk}/"), 404)
        error_of(api(hr).put(f"{RAMADAN}{row.pk}/", {**API_RAMADAN, "institution": pemkot.pk}, format="json"), 404)
    error_of(api(hr_other).get(f"{RAMADAN}{city.pk}/"), 404)
    error_of(api(ani.user).get(RAMADAN), 404)
    assert RamadanPeriod.objects.count() == 2 and not calendar_events().exists()


def test_it_documents_the_endpoints_in_the_schema(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, methods in {PATTERNS: {"get", "post"}, f"{PATTERNS}{{id}}/": {"get", "put", "delete"},
                          IN_FORCE: {"get"}, RAMADAN: {"get", "post"},
                          f"{RAMADAN}{{id}}/": {"get", "put", "delete"}}.items():
        assert methods <= set(schema["paths"][path]), path
    create = schema["paths"][PATTERNS]["post"]["responses"]
    assert {"201", "400", "404"} <= set(create)
    # Wall-clock times are "HH:MM", not RFC 3339 times (those need seconds and an offset).
    start = schema["components"]["schemas"]["PatternDay"]["properties"]["start"]
    assert "format" not in start and start["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"
