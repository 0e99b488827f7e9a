"""The employee and supervisor pages: who sees what, and that forms call the services."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from portal.models import AuditEvent
from scheduling import services
from scheduling.models import CoveragePolicy, Kind, Mode, RequestDay, Status, WorkRequest

MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _wfh(person, day=MONDAY, kind=Kind.WFH):
    (item,) = services.request_submit(actor=person.user, kind=kind, dates=[day]).days
    return item


def _html(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _card(html: str, day_id: int) -> str:
    """One inbox card, from its heading to the end of its decision form."""
    return html.split(f'id="hari-{day_id}"')[1].split("</form>")[0]


def _focused(html: str) -> str:
    """The element the page gives keyboard focus to (autofocus)."""
    return html.split(" autofocus")[0].rsplit("<", 1)[1]


# --- Access ----------------------------------------------------------------------------

EMPLOYEE_PAGES = ["scheduling:my-calendar", "scheduling:request-new", "scheduling:my-requests",
                  "scheduling:request-preview"]
DECIDER_PAGES = ["scheduling:inbox", "scheduling:team"]


@pytest.mark.parametrize("name", EMPLOYEE_PAGES + DECIDER_PAGES)
def test_it_sends_anonymous_visitors_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", EMPLOYEE_PAGES)
def test_it_answers_404_to_accounts_without_an_employee(client, hr, name):
    client.force_login(hr)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", DECIDER_PAGES)
def test_it_answers_404_to_people_who_decide_for_nobody(client, team, ani, outsider, name):
    for person in (ani, outsider):
        client.force_login(person.user)
        assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("who", ["kabid", "plh", "superuser"])
def test_it_opens_the_inbox_for_deciders(client, team, plh, superuser, who, request):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    assert client.get(reverse("scheduling:inbox")).status_code == 200


def test_it_refuses_decisions_posted_by_someone_else(client, team, ani, budi):
    day = _wfh(ani)
    client.force_login(budi.user)
    response = client.post(reverse("scheduling:inbox-decide", args=[day.pk]), {"action": "approve"})
    assert response.status_code == 404
    assert RequestDay.objects.get(pk=day.pk).status == Status.PENDING


# --- Employee: calendar ----------------------------------------------------------------

def test_it_shows_the_month_with_holidays_slots_and_own_plan(client, team, ani):
    _wfh(ani)
    client.force_login(ani.user)
    html = _html(client.get(reverse("scheduling:my-calendar"), {"bulan": "2026-12"}))
    assert "Desember 2026" in html
    assert "Hari Raya Natal" in html and "Cuti Bersama Hari Raya Natal" in html
    assert "sisa 2 slot" in html
    assert "Menunggu persetujuan" in html
    assert 'href="?bulan=2027-01"' in html and 'href="?bulan=2026-11"' in html
    assert "cal__day--weekend" in html


def test_it_counts_approved_days_in_the_slots(client, team, ani, budi, kabid):
    services.request_day_approve(actor=kabid.user, day_id=_wfh(budi).pk)
    services.request_day_approve(actor=kabid.user, day_id=_wfh(ani).pk)
    client.force_login(ani.user)
    response = client.get(reverse("scheduling:my-calendar"), {"bulan": "2026-12"})
    monday = next(c for c in response.context["cells"] if c.date == MONDAY)
    assert monday.coverage.remaining == 0 and monday.slot_class == "slot--full"
    assert "slot penuh" in _html(response)


# --- Employee: request form ------------------------------------------------------------

def test_it_submits_a_range_through_the_form(client, team, ani):
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), {
        "kind": Kind.CT, "date_mode": "range", "start": "2026-12-10", "end": "2026-12-14", "reason": "Keluarga"})
    assert response.status_code == 302 and response.url == reverse("scheduling:my-requests")
    dates = list(RequestDay.objects.filter(employee=ani).values_list("date", flat=True))
    assert dates == [dt.date(2026, 12, 10), dt.date(2026, 12, 11), dt.date(2026, 12, 14)]  # weekend skipped
    assert "3 hari diajukan." in _messages(client.get(response.url))


def test_it_submits_a_weekday_pattern(client, team, ani):
    client.force_login(ani.user)
    client.post(reverse("scheduling:request-new"), {
        "kind": Kind.WFH, "date_mode": "pattern", "weekdays": ["4"], "start": "2026-12-01", "end": "2026-12-31"})
    dates = set(RequestDay.objects.filter(employee=ani).values_list("date", flat=True))
    assert dates == {dt.date(2026, 12, 4), dt.date(2026, 12, 11), dt.date(2026, 12, 18)}  # 25th is Christmas


def test_it_rerenders_a_blocked_day_with_its_reason_and_saves_nothing(client, team, kabid):
    first, second, third = team[1], team[2], team[3]
    for person in (first, second):
        services.request_day_approve(actor=kabid.user, day_id=_wfh(person).pk)
    client.force_login(third.user)
    response = client.post(reverse("scheduling:request-new"), {"kind": Kind.WFH, "date_mode": "single",
                                                               "date": MONDAY.isoformat()})
    html = _html(response)
    assert response.status_code == 200
    assert "Pengajuan tidak dapat disimpan: ada hari yang melanggar aturan." in html
    assert "Pengajuan tidak disimpan." not in html  # said once, not twice
    assert "Bidang P2P: 2 dari 5 akan berada di kantor; minimal 3 (60%)." in html
    assert 'data-pick-date="2026-12-08"' in html  # the nearest day that would pass
    assert not WorkRequest.objects.filter(employee=third).exists()


def test_it_saves_the_passing_days_when_told_to_skip_the_blocked_ones(client, team, ani):
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), {
        "kind": Kind.WFH, "date_mode": "range", "start": "2026-12-07", "end": "2026-12-09", "skip_blocked": "on"})
    assert response.status_code == 302
    assert RequestDay.objects.filter(employee=ani).count() == 2  # weekly cap 2
    assert any("dilewati" in m for m in _messages(client.get(response.url)))


def test_it_shows_service_errors_on_the_field(client, team, ani):
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), {"kind": Kind.WFA, "date_mode": "single",
                                                               "date": MONDAY.isoformat(), "location": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["location"] == ["Lokasi WFA wajib diisi."]
    assert not RequestDay.objects.exists()


def test_it_checks_without_saving_on_the_check_button(client, team, ani):
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), {"kind": Kind.WFH, "date_mode": "single",
                                                               "date": MONDAY.isoformat(), "check": "1"})
    assert "Pemeriksaan per hari" in _html(response) and "1 hari lolos" in _html(response)
    assert not RequestDay.objects.exists()


def test_it_accepts_evidence_by_content_only(client, team, ani):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ani.user)
    data = {"kind": Kind.WFH, "date_mode": "single", "date": MONDAY.isoformat(), "special_circumstance": "on",
            "reason": "Anak sakit", "work_plan": "Menyusun laporan", "expected_outputs": "Laporan selesai"}
    fake = SimpleUploadedFile("surat.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("scheduling:request-new"), {**data, "evidence": fake})
    assert response.status_code == 200
    assert "harus PDF, PNG atau JPEG" in str(response.context["form"].errors["evidence"])
    assert not WorkRequest.objects.exists()
    real = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    assert client.post(reverse("scheduling:request-new"), {**data, "evidence": real}).status_code == 302
    assert WorkRequest.objects.get().evidence.get().content_type == "application/pdf"


def test_it_previews_each_day_with_skipped_days_and_nearest_passing_days(client, team, ani):
    _wfh(ani, MONDAY)
    _wfh(ani, MONDAY + dt.timedelta(days=1))
    client.force_login(ani.user)
    response = client.get(reverse("scheduling:request-preview"), {
        "kind": Kind.WFH, "date_mode": "range", "start": "2026-12-09", "end": "2026-12-13"})
    html = _html(response)
    assert response.status_code == 200 and "<html" not in html  # a fragment
    assert "Batas 2 hari kerja fleksibel per minggu sudah tercapai" in html
    assert "akhir pekan" in html  # the 12th and 13th are skipped, and said so
    assert 'data-pick-date="2026-12-14"' in html


def test_it_asks_for_kind_and_dates_before_previewing(client, team, ani):
    client.force_login(ani.user)
    html = _html(client.get(reverse("scheduling:request-preview"), {"kind": Kind.WFH}))
    assert "Pilih jenis dan tanggal" in html


# --- Employee: own requests ------------------------------------------------------------

def test_it_lists_own_days_with_decider_and_history(client, team, ani, plh):
    day = _wfh(ani)
    services.request_day_approve(actor=plh.user, day_id=day.pk)
    client.force_login(ani.user)
    html = _html(client.get(reverse("scheduling:my-requests")))
    assert "Disetujui" in html
    assert "Diputus oleh Citra Plh" in html and "(Plh. Kepala Bidang P2P)" in html
    assert "Riwayat" in html and "Diajukan" in html


def test_it_withdraws_a_pending_day(client, team, ani):
    day = _wfh(ani)
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:day-withdraw", args=[day.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert RequestDay.objects.get(pk=day.pk).status == Status.WITHDRAWN
    assert AuditEvent.objects.filter(verb="request_day.withdrawn", object_id=str(day.pk)).exists()
    assert "Ditarik" in _html(client.get(reverse("scheduling:my-requests")))


def test_it_cancels_an_approved_future_day(client, team, ani, kabid):
    day = _wfh(ani)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    client.force_login(ani.user)
    client.post(reverse("scheduling:day-cancel", args=[day.pk]), {"reason": "Rapat mendadak", "confirm": "1"})
    day.refresh_from_db()
    assert day.status == Status.CANCELLED and day.decision_reason == "Rapat mendadak"


def test_it_explains_why_an_approved_day_cannot_be_withdrawn(client, team, ani, kabid):
    day = _wfh(ani)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:day-withdraw", args=[day.pk]), follow=True)
    assert "Hanya pengajuan yang menunggu persetujuan yang dapat ditarik." in _messages(response)
    assert RequestDay.objects.get(pk=day.pk).status == Status.APPROVED


def test_it_hides_other_peoples_days_from_withdraw(client, team, ani, budi):
    day = _wfh(ani)
    client.force_login(budi.user)
    assert client.post(reverse("scheduling:day-withdraw", args=[day.pk])).status_code == 404
    assert client.get(reverse("scheduling:day-withdraw", args=[day.pk])).status_code == 405


# --- Supervisor: inbox -----------------------------------------------------------------

def test_it_groups_the_inbox_by_date_with_presence(client, team, ani, budi, kabid):
    _wfh(ani, MONDAY)
    _wfh(budi, MONDAY + dt.timedelta(days=1))
    client.force_login(kabid.user)
    response = client.get(reverse("scheduling:inbox"))
    html = _html(response)
    assert [d for d, _ in response.context["groups"]] == [MONDAY, MONDAY + dt.timedelta(days=1)]
    assert "Ani Lestari" in html and "Budi Santoso" in html
    assert "<strong>5 → 4</strong> dari 5 orang; minimal 3" in html


def test_it_tells_the_plh_on_whose_behalf_they_decide(client, team, ani, plh):
    _wfh(ani)
    client.force_login(plh.user)
    html = _html(client.get(reverse("scheduling:inbox")))
    assert "Anda juga memutuskan sebagai: <strong>Plh. Kepala Bidang P2P</strong>" in html
    assert "Ani Lestari" in html


def test_it_approves_and_rejects_from_the_inbox(client, team, ani, budi, kabid):
    a, b = _wfh(ani), _wfh(budi)
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-decide", args=[a.pk]), {"action": "approve"}, follow=True)
    assert "Ani Lestari, Senin, 7 Desember 2026 disetujui." in _messages(response)
    response = client.post(reverse("scheduling:inbox-decide", args=[b.pk]), {"action": "reject"}, follow=True)
    card = _card(_html(response), b.pk)  # the error is on the item, its reason field takes the focus
    assert "Alasan penolakan wajib diisi." in card and 'aria-invalid="true"' in card
    assert f'id="alasan-{b.pk}"' in _focused(_html(response))
    assert RequestDay.objects.get(pk=b.pk).status == Status.PENDING
    client.post(reverse("scheduling:inbox-decide", args=[b.pk]), {"action": "reject", "reason": "Rapat tim"})
    assert list(RequestDay.objects.order_by("pk").values_list("status", flat=True)) == [Status.APPROVED,
                                                                                      Status.REJECTED]


def test_it_requires_a_reason_to_approve_a_warned_day(client, team, kabid, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.WARN)
    first, second, third = team[1], team[2], team[3]
    for person in (first, second):
        services.request_day_approve(actor=kabid.user, day_id=_wfh(person).pk)
    (day,) = services.request_submit(actor=third.user, kind=Kind.WFH, dates=[MONDAY],
                                     justification="Tenggat laporan").days
    client.force_login(kabid.user)
    assert "(wajib untuk menyetujui)" in _html(client.get(reverse("scheduling:inbox")))
    response = client.post(reverse("scheduling:inbox-decide", args=[day.pk]), {"action": "approve"}, follow=True)
    assert "isi alasan untuk tetap menyetujui" in _card(_html(response), day.pk)
    client.post(reverse("scheduling:inbox-decide", args=[day.pk]), {"action": "approve", "reason": "Disetujui kadis"})
    assert RequestDay.objects.get(pk=day.pk).status == Status.APPROVED


def test_it_bulk_approves_in_date_order_and_reports_failures(client, team, kabid):
    days = [_wfh(person) for person in team[1:4]]  # three ask for Monday, only two may go
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-bulk"), {"action": "approve", "days": [d.pk for d in days],
                                                              "confirm": "1"}, follow=True)
    assert "Keputusan massal: 2 berhasil, 1 gagal." in _messages(response)
    (refused,) = RequestDay.objects.filter(status=Status.PENDING)
    card = _card(_html(response), refused.pk)
    assert "Tidak dapat disetujui" in card and "2 dari 5 akan berada di kantor" in card
    assert RequestDay.objects.filter(status=Status.APPROVED).count() == 2


def test_it_bulk_rejects_with_a_reason(client, team, ani, budi, kabid):
    days = [_wfh(ani), _wfh(budi)]
    client.force_login(kabid.user)
    client.post(reverse("scheduling:inbox-bulk"), {"action": "reject", "reason": "Apel pagi", "confirm": "1",
                                                   "days": [d.pk for d in days]})
    assert set(RequestDay.objects.values_list("status", "decision_reason")) == {(Status.REJECTED, "Apel pagi")}


def test_it_asks_to_tick_something_before_a_bulk_decision(client, team, ani, kabid):
    _wfh(ani)
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-bulk"), {"action": "approve"}, follow=True)
    assert "Centang minimal satu pengajuan." in _html(response).split('id="bulk-form"')[1].split("</form>")[0]


# The inbox's query budget and the per-item errors: tests/scheduling/test_inbox.py.


# --- Supervisor: team calendar ---------------------------------------------------------

@pytest.fixture
def ani_sick(team, ani, kabid):
    day = _wfh(ani, MONDAY, kind=Kind.CS)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    return day


def test_it_shows_the_supervisor_presence_but_not_the_kind(client, ani_sick, kabid):
    client.force_login(kabid.user)
    response = client.get(reverse("scheduling:team"), {"bulan": "2026-12"})
    html = _html(response)
    monday = next(d for d in response.context["days"] if d.date == MONDAY)
    assert [p["name"] for p in monday.away] == ["Ani Lestari"]
    assert "Di kantor 4 dari 5; minimal 3" in html
    assert "sakit" not in html.lower()


def test_it_shows_hr_admins_the_kind(client, ani_sick, hr, bidang_p2p):
    client.force_login(hr)
    html = _html(client.get(reverse("scheduling:team"), {"bulan": "2026-12", "unit": bidang_p2p.pk}))
    assert "Ani Lestari" in html and "Cuti sakit" in html


def test_it_keeps_hr_of_another_institution_out_of_the_team_calendar(client, ani_sick, hr_other, bidang_p2p):
    client.force_login(hr_other)
    response = client.get(reverse("scheduling:team"), {"unit": bidang_p2p.pk})
    assert response.status_code == 404  # a unit outside their reach does not exist for them, as in the API
    own = client.get(reverse("scheduling:team"))
    assert own.status_code == 200 and own.context["unit"] != bidang_p2p and "Ani Lestari" not in _html(own)
