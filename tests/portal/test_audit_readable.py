"""The audit trail HR reads: each event a sentence with names, NIPs and dates in words, filters by
person, unit, kind of action and date, a CSV of the filtered view, keyset pages, bounded queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from attendance.models import Punch
from portal.models import AuditEvent, CalendarOverride, DelegationKind, OverrideKind, UnitKind
from portal.selectors import audit_events_visible_to, describe_event
from portal.selectors.audit import AuditFilters, audit_page
from portal.services.audit import audit_record
from portal.services.org import delegation_save, employee_save, hr_scope_grant, hr_scope_revoke
from scheduling import services
from scheduling.models import Kind, RequestDay
from tests.factories import DelegationFactory, EmployeeFactory, UnitFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB, 10:00 WITA
MONDAY = dt.date(2026, 12, 14)
AUDIT_URL = reverse("hr-audit")
SENTENCE = "Yoga Kurniawan (Plh. Kepala Bidang Aptika) menyetujui WFH Rizky Nur Wijaya untuk Senin, 14 Desember 2026"

pytestmark = pytest.mark.now(NOW, tick=False)


@pytest.fixture
def aptika(dinkes):
    return UnitFactory(code="DINKES-APTIKA", name="Bidang Aptika", kind=UnitKind.BIDANG, parent=dinkes)


@pytest.fixture
def kabid_aptika(aptika, kadis):
    return EmployeeFactory(name="Kepala Bidang Aptika", jabatan="Kepala Bidang Aptika", unit=aptika,
                           supervisor=kadis, user=UserFactory(username="kabid_aptika"))


@pytest.fixture
def rizky(aptika, kabid_aptika):
    return EmployeeFactory(name="Rizky Nur Wijaya", unit=aptika, supervisor=kabid_aptika,
                           user=UserFactory(username="rizky"))


@pytest.fixture
def yoga(aptika, kabid_aptika):
    """Pranata komputer, Plh. of the head of Bidang Aptika this week."""
    yoga = EmployeeFactory(name="Yoga Kurniawan", jabatan="Pranata Komputer Ahli Muda", unit=aptika,
                           supervisor=kabid_aptika, user=UserFactory(username="yoga"))
    DelegationFactory(kind=DelegationKind.PLH, delegator=kabid_aptika, delegate=yoga)
    return yoga


@pytest.fixture
def approved(rizky, yoga) -> RequestDay:
    (day,) = services.request_submit(actor=rizky.user, kind=Kind.WFH, dates=[MONDAY]).days
    services.request_day_approve(actor=yoga.user, day_id=day.pk)
    return day


def approval() -> AuditEvent:
    return AuditEvent.objects.get(verb="request_day.approved")


def shown(client, user, query: str = "") -> list[str]:
    client.force_login(user)
    response = client.get(AUDIT_URL + query)
    assert response.status_code == 200
    return [row.sentence for row in response.context["rows"]]


# --- Sentences ---------------------------------------------------------------------------------


def test_it_tells_an_approval_by_a_plh_as_a_sentence_with_names_and_the_date_in_words(approved):
    sentence = describe_event(approval())
    assert sentence == SENTENCE
    # Not what the stored repr says ("2026-12-14 WFH 97 pending"), nor the row's type and id.
    assert "pending" not in sentence and "requestday" not in sentence and "#" not in sentence


def test_it_tells_the_same_event_in_english_with_english_dates(approved):
    with translation.override("en"):
        sentence = describe_event(approval())
    assert sentence.startswith("Yoga Kurniawan (Plh. Kepala Bidang Aptika) ")
    assert "WFH Rizky Nur Wijaya" in sentence and sentence.endswith("Monday, 14 December 2026")
    assert "Senin" not in sentence and "Desember" not in sentence


def test_it_leaves_out_the_name_of_people_acting_on_their_own_requests(approved, rizky):
    (day,) = services.request_submit(actor=rizky.user, kind=Kind.WFH, dates=[MONDAY + dt.timedelta(days=1)]).days
    services.request_day_withdraw(actor=rizky.user, day_id=day.pk)
    withdrawn = AuditEvent.objects.get(verb="request_day.withdrawn")
    assert describe_event(withdrawn) == "Rizky Nur Wijaya menarik WFH untuk Selasa, 15 Desember 2026"
    submitted = AuditEvent.objects.filter(verb="request.submitted").order_by("id").first()
    assert describe_event(submitted) == "Rizky Nur Wijaya mengajukan WFH untuk Senin, 14 Desember 2026"


def test_it_names_a_person_who_is_the_object_with_their_nip(hr, rizky, yoga, kabid_aptika):
    rizky.jabatan = "Pranata Komputer Ahli Pertama"
    employee_save(actor=hr, employee=rizky)
    event = AuditEvent.objects.get(verb="employee.updated")
    assert describe_event(event) == f"hr_dinkes mengubah data pegawai Rizky Nur Wijaya (NIP {rizky.nip_display})"
    delegation = DelegationFactory.build(kind=DelegationKind.PLT, delegator=kabid_aptika, delegate=yoga,
                                         start=dt.date(2026, 12, 21), end=dt.date(2026, 12, 31))
    delegation_save(actor=hr, delegation=delegation)
    event = AuditEvent.objects.get(verb="delegation.created")
    assert describe_event(event) == (f"hr_dinkes menetapkan Yoga Kurniawan (NIP {yoga.nip_display}) sebagai "
                                     "Plt. Kepala Bidang Aptika, 21 Desember 2026 – 31 Desember 2026")


def test_it_reads_a_deleted_object_from_what_the_event_stored(superuser, hr, aptika):
    scope = hr_scope_grant(actor=superuser, user=hr, unit=aptika)
    hr_scope_revoke(actor=superuser, scope=scope)  # the row is gone; the snapshot names account and unit
    event = AuditEvent.objects.get(verb="hr_scope.deleted")
    assert describe_event(event) == "root mencabut cakupan admin kepegawaian hr_dinkes atas Bidang Aptika"


def test_it_names_a_downloaded_report_its_period_and_unit(hr, dinkes):
    params = {"report": "monthly-recap", "unit": dinkes.pk, "start": "2026-11-01", "end": "2026-11-30"}
    event = audit_record(actor=hr, verb="report.exported", obj=dinkes, unit=dinkes,
                         after={"params": params, "format": "xlsx"})
    assert describe_event(event) == ("hr_dinkes mengunduh laporan Rekap presensi bulanan per pegawai November 2026, "
                                     "Dinas Kesehatan (XLSX)")


# --- The page ----------------------------------------------------------------------------------


def test_it_shows_hr_the_sentence_and_keeps_the_raw_data_one_click_away(client, hr, approved):
    client.force_login(hr)
    html = client.get(AUDIT_URL).content.decode()
    assert SENTENCE in html
    assert "<details" in html and "&quot;status&quot;: &quot;approved&quot;" in html
    assert "(scheduling.requestday #" not in html


def test_it_offers_the_kinds_of_action_by_name_grouped_by_app(client, hr, approved):
    client.force_login(hr)
    response = client.get(AUDIT_URL)
    groups = dict(response.context["form"].fields["verb"].choices[1:])
    assert ("request_day.approved", "Pengajuan disetujui") in groups["Rencana kerja dan persetujuan"]
    assert ("punch.checked_in", "Presensi masuk") in groups["Presensi dan kehadiran"]
    assert ("employee.updated", "Data pegawai diubah") in groups["Organisasi dan pegawai"]
    html = response.content.decode()
    assert '<optgroup label="Rencana kerja dan persetujuan">' in html
    assert 'name="object_type"' not in html


def test_it_finds_events_by_the_person_who_acted_or_whom_they_are_about(client, hr, approved, rizky, yoga, ani):
    employee_save(actor=hr, employee=ani)
    about_rizky = shown(client, hr, "?person=rizky+wijaya")
    assert SENTENCE in about_rizky  # Yoga acted, the day is Rizky's
    assert not any("Ani Lestari" in s for s in about_rizky)
    assert shown(client, hr, "?" + urlencode({"person": yoga.nip_display})) == [SENTENCE]  # grouped, spaces
    assert shown(client, hr, "?person=hr_dinkes") == [
        f"hr_dinkes mengubah data pegawai Ani Lestari (NIP {ani.nip_display})"]
    assert shown(client, hr, "?person=nobody+at+all") == []


def test_it_filters_by_unit_subtree_kind_of_action_and_local_dates(client, hr, approved, ani, bidang_p2p, aptika):
    employee_save(actor=hr, employee=ani)
    in_aptika = shown(client, hr, f"?unit={aptika.pk}")
    assert SENTENCE in in_aptika and not any("Ani Lestari" in s for s in in_aptika)
    assert shown(client, hr, f"?unit={aptika.parent_id}&verb=request_day.approved") == [SENTENCE]
    # 09:00 WIB on 1 December: that local day, not the day before.
    assert SENTENCE in shown(client, hr, "?date_from=2026-12-01&date_to=2026-12-01")
    assert shown(client, hr, "?date_to=2026-11-30") == []


def test_it_refuses_a_unit_outside_the_scope_and_a_reversed_range(client, hr, approved, pemprov_lain):
    client.force_login(hr)
    response = client.get(AUDIT_URL + f"?unit={pemprov_lain.pk}")
    assert "unit" in response.context["form"].errors and response.context["rows"] == []
    response = client.get(AUDIT_URL + "?date_from=2026-12-05&date_to=2026-12-01")
    assert "date_to" in response.context["form"].errors and response.context["rows"] == []


def test_it_pages_by_cursor_without_counting_the_trail(client, hr, ani):
    for _ in range(55):  # all at the same frozen instant: the id breaks the tie
        audit_record(actor=hr, verb="employee.updated", obj=ani, unit=ani.unit)
    client.force_login(hr)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(AUDIT_URL + "?verb=employee.updated")
    assert not any("COUNT(" in q["sql"].upper() and "auditevent" in q["sql"] for q in queries.captured_queries)
    first_ids = [r.event.pk for r in first.context["rows"]]
    assert len(first_ids) == 50 and first_ids == sorted(first_ids, reverse=True)
    older = first.context["page"].older
    assert f"verb=employee.updated&amp;older={older}" in first.content.decode()
    second = client.get(AUDIT_URL + f"?verb=employee.updated&older={older}")
    second_ids = [r.event.pk for r in second.context["rows"]]
    assert len(second_ids) == 5 and set(second_ids).isdisjoint(first_ids) and second.context["page"].older is None
    back = client.get(AUDIT_URL + f"?verb=employee.updated&newer={second.context['page'].newer}")
    assert [r.event.pk for r in back.context["rows"]] == first_ids


# --- Bounded queries ---------------------------------------------------------------------------


@pytest.fixture
def fifty_mixed(hr, approved, rizky, yoga, ani, aptika, kabid_aptika, pemkot):
    """Fifty events of eight object types, from three apps."""
    delegation = kabid_aptika.delegations_given.get()
    day_off = CalendarOverride.objects.create(institution=pemkot, date=dt.date(2026, 12, 24), kind=OverrideKind.HOLIDAY,
                                              name="Libur daerah")
    punch = Punch.objects.create(employee=rizky, unit=aptika, date=dt.date(2026, 12, 1), check_in_at=NOW)
    objects = [("request_day.approved", approved), ("request.submitted", approved.request),
               ("employee.updated", ani), ("unit.updated", aptika), ("delegation.updated", delegation),
               ("calendar_override.updated", day_off), ("punch.checked_in", punch), ("user.updated", yoga.user)]
    existing = audit_events_visible_to(hr).count()  # the submission, the approval, units made in scope
    for n in range(50 - existing):
        verb, obj = objects[n % len(objects)]
        audit_record(actor=hr, verb=verb, obj=obj, after={"status": "approved", "dates": [MONDAY.isoformat()],
                                                          "date": "2026-12-24", "name": "Libur daerah"}, unit=aptika)
    assert audit_events_visible_to(hr).count() == 50
    return len(objects)


def test_it_describes_a_page_of_fifty_mixed_events_in_a_query_per_object_type(hr, fifty_mixed,
                                                                             django_assert_max_num_queries):
    # The reader's scope and its time zone, the scope again for the visible events, the events with
    # their actors and units, the units' time zones, then one lookup per object type but calendar
    # days (they read their snapshot): never one per row. The time zones are a rule fact: their
    # version is read first (portal.facts).
    with django_assert_max_num_queries(3 + 1 + 1 + 1 + fifty_mixed - 1):
        page = audit_page(hr, AuditFilters())
    assert len(page.rows) == 50
    assert all("#" not in row.sentence and "." not in row.sentence.split()[0] for row in page.rows)
    assert any("Libur daerah pada Kamis, 24 Desember 2026" in row.sentence for row in page.rows)
    assert any("presensi masuk Rizky Nur Wijaya untuk Selasa, 1 Desember 2026" in row.sentence for row in page.rows)


def test_it_serves_the_page_of_fifty_mixed_events_in_bounded_queries(client, hr, fifty_mixed,
                                                                    django_assert_max_num_queries):
    client.force_login(hr)
    client.get(AUDIT_URL)  # warm the session and the per-request caches
    with django_assert_max_num_queries(30):
        response = client.get(AUDIT_URL)
    assert len(response.context["rows"]) == 50


# --- CSV ---------------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "jejak-audit-" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_exports_the_filtered_view_as_csv_in_the_units_local_time(client, superuser, approved, yoga,
                                                                    outsider):
    outsider.jabatan = "Analis"
    employee_save(actor=superuser, employee=outsider)  # in the other institution, WITA
    client.force_login(superuser)
    header, *rows = rows_of(client.get(AUDIT_URL + "?verb=request_day.approved&format=csv"))
    assert header == ["Waktu", "Pelaku", "NIP pelaku", "Sebagai", "Kejadian", "Unit", "Aksi (kode)"]
    assert rows == [["2026-12-01 09:00 WIB", "Yoga Kurniawan", yoga.nip_display, "Plh. Kepala Bidang Aptika",
                     SENTENCE, "Bidang Aptika", "request_day.approved"]]
    (row,) = rows_of(client.get(AUDIT_URL + "?verb=employee.updated&format=csv"))[1:]
    assert row[0] == "2026-12-01 10:00 WITA" and row[1] == "root" and row[5] == "Pemerintah Provinsi Lain"


def test_it_streams_every_filtered_event_across_batches_newest_first(client, hr, bidang_p2p, monkeypatch):
    monkeypatch.setattr("portal.selectors.audit.EXPORT_CHUNK", 2)  # five batches for nine events
    people = [EmployeeFactory(name=f"Pegawai Urut {n}", unit=bidang_p2p) for n in range(9)]
    for person in people:
        audit_record(actor=hr, verb="employee.updated", obj=person, unit=bidang_p2p)
    client.force_login(hr)
    rows = rows_of(client.get(AUDIT_URL + "?verb=employee.updated&format=csv"))[1:]
    assert [r[4].split(" (NIP")[0].rsplit(" ", 1)[-1] for r in rows] == [str(n) for n in reversed(range(9))]


def test_it_neutralises_formulas_in_the_csv(client, hr, ani):
    hr.first_name = "=HYPERLINK(\"http://x\")"
    hr.save()
    audit_record(actor=hr, verb="employee.updated", obj=ani, unit=ani.unit)
    client.force_login(hr)
    (row,) = rows_of(client.get(AUDIT_URL + "?verb=employee.updated&format=csv"))[1:]
    assert row[1].startswith("'=HYPERLINK") and row[4].startswith("'=HYPERLINK")


def test_it_exports_in_the_readers_language(client, hr, approved):
    client.force_login(hr)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(AUDIT_URL + "?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = rows_of(response)
    approval_row = next(r for r in rows if r[-1] == "request_day.approved")
    assert approval_row[4].endswith("Monday, 14 December 2026")


# --- API ---------------------------------------------------------------------------------------


def test_the_api_answers_from_the_same_selector_with_cursor_links(client, hr, approved):
    api = APIClient()
    api.force_authenticate(hr)
    body = api.get("/api/v1/hr/audit/", {"person": "Rizky", "page_size": 1}).json()
    assert "count" not in body and body["previous"] is None
    (event,) = body["results"]
    assert event["verb"] == "request.submitted" or event["sentence"] == SENTENCE
    following = api.get(body["next"]).json()
    sentences = {event["sentence"], *(e["sentence"] for e in following["results"])}
    assert SENTENCE in sentences
    assert sentences <= set(shown(client, hr, "?person=Rizky"))
    approval_json = next(e for e in [event, *following["results"]] if e["sentence"] == SENTENCE)
    assert approval_json["actor_name"] == "Yoga Kurniawan" and approval_json["time_zone"] == "WIB"
    assert approval_json["local_time"] == "2026-12-01T09:00:00+07:00"
