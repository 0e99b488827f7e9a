"""The honest inbox: each card shows every verdict approving it would meet, and approving meets
exactly those (the card is blocked if and only if approval is refused, with the same verdicts); a
day missing its required document cannot be approved but can be rejected; a refused decision is
reported on its item, which takes the keyboard focus; a page of cards costs the reads of the
people on it, never one per day."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AsnType
from scheduling import rules, selectors, services
from scheduling.models import (
    CoveragePolicy,
    EssentialPosition,
    Evidence,
    Kind,
    LeaveSettings,
    Mode,
    RequestDay,
    Status,
    WorkRequest,
)
from scheduling.services.decisions import DecisionBlocked
from tests.factories import EmployeeFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB
MON = dt.date(2026, 12, 7)
TWO_WEEKS = [MON + dt.timedelta(days=7 * (i // 5) + i % 5) for i in range(10)]  # 7–11 and 14–18 December
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def pending(employee, kind, dates, *, status=Status.PENDING, evidence=False, special=False) -> list[RequestDay]:
    """Days as they might wait in an inbox, written directly (not through submit) so that some of
    them break the rules or lack their document the way old or changed data can."""
    request = WorkRequest.objects.create(employee=employee, kind=kind, created_by=employee.user,
                                         special_circumstance=special, reason="Alasan" if special else "",
                                         work_plan="Rencana" if special else "",
                                         expected_outputs="Keluaran" if special else "",
                                         location="Rumah orang tua" if kind == Kind.WFA else "")
    if evidence:
        Evidence.objects.create(request=request, file=f"evidence/{request.pk}/surat.pdf",
                                content_type="application/pdf", size=100)
    return RequestDay.objects.bulk_create([RequestDay(request=request, employee=employee, unit=employee.unit,
                                                      kind=kind, date=d, status=status) for d in dates])


class _Undo(Exception):
    pass


def attempt(actor, day: RequestDay, reason: str):
    """Approve and undo it: (the refusal, or None) and the decision taken before the undo."""
    try:
        with transaction.atomic():
            raise _Undo(services.request_day_approve(actor=actor, day_id=day.pk, reason=reason))
    except DecisionBlocked as refusal:
        return refusal, None
    except _Undo as undo:
        return None, undo.args[0]


def dicts(verdicts) -> list[dict]:
    return [v.as_dict() for v in verdicts]


# --- The card is what approval meets --------------------------------------------------------

def _generated_inbox(seed: int, unit, kabid, pemkot) -> None:
    """A unit under a random policy, some days already approved, and pending days of every kind:
    flexible days against the caps and the minimum, cuti against balance and service length,
    sick days and dinas luar with and without their letters, keadaan khusus, CLTN."""
    rng = random.Random(seed)
    CoveragePolicy.objects.create(unit=unit, effective_from=dt.date(2025, 1, 1), min_office_share=rng.choice([50, 70]),
                                  mode=(Mode.BLOCK, Mode.WARN)[seed % 2], weekly_cap=rng.choice([1, 2, None]),
                                  monthly_cap=rng.choice([3, None]), mandatory_weekdays=rng.choice([[], [0]]),
                                  min_months_since_placement=6)
    policy = CoveragePolicy.objects.get(unit=unit)
    if rng.random() < 0.5:
        EssentialPosition.objects.create(policy=policy, jabatan="Analis Kebijakan", min_in_office=2)
    if rng.random() < 0.5:
        sekda = EmployeeFactory(name="Sekretaris Daerah", unit=pemkot, user=UserFactory(username="sekda"))
        LeaveSettings.objects.create(institution=pemkot, official=sekda, first_year=2026)
    staff = [EmployeeFactory(unit=unit, supervisor=kabid, placement_date=rng.choice([dt.date(2020, 1, 1),
                                                                                    dt.date(2026, 10, 1)]),
                             service_start=rng.choice([None, dt.date(2010, 1, 1), dt.date(2026, 3, 1)]),
                             asn_type=rng.choice([AsnType.PNS, AsnType.PNS, AsnType.PPPK]))
             for _ in range(5)]
    crowded = rng.choice(TWO_WEEKS)  # a day others already took: the minimum is near
    for person in EmployeeFactory.create_batch(rng.randint(5, 7), unit=unit, supervisor=kabid):
        pending(person, Kind.WFH, [crowded], status=Status.APPROVED)
    kinds = [Kind.WFH, Kind.WFH, Kind.WFA, Kind.CT, Kind.SAKIT, Kind.DL, Kind.CLTN, Kind.CS]
    for person in staff:
        dates = rng.sample([d for d in TWO_WEEKS if d != crowded], 5)
        if rng.random() < 0.6:
            dates.insert(2, crowded)
        pending(person, Kind.WFH, dates[:rng.randint(0, 2)], status=Status.APPROVED)
        for d in dates[2:]:
            kind = Kind.WFH if d == crowded else rng.choice(kinds)
            span = [d] if kind not in (Kind.SAKIT, Kind.CS) or rng.random() < 0.5 else [d, d]
            pending(person, kind, sorted(set(span)), evidence=rng.random() < 0.5,
                    special=kind in (Kind.WFH, Kind.WFA) and rng.random() < 0.2)
        if rng.random() < 0.5:  # two-day sick leave: the letter is needed past the first day
            free = [x for x in TWO_WEEKS if not RequestDay.objects.filter(employee=person, date=x).exists()][:2]
            pending(person, Kind.SAKIT, free, evidence=rng.random() < 0.5)


@pytest.mark.parametrize("seed", range(6))
def test_a_card_is_blocked_exactly_when_approving_it_is_refused(seed, team, kabid, plh, bidang_p2p, pemkot):
    _generated_inbox(seed, bidang_p2p, kabid, pemkot)
    for actor in (kabid.user, plh.user):
        items = list(selectors.inbox(actor))
        assert len(items) >= 15
        for item in items:
            for reason in ("", "Sudah dibicarakan"):
                refusal, decision = attempt(actor, item.day, reason)
                expected = item.check.refused_by(reason)
                assert (refusal is not None) == bool(expected), (item.day, reason, dicts(item.check.verdicts))
                if refusal is not None:
                    assert dicts(refusal.verdicts) == dicts(expected)
                    assert dicts(refusal.shown) == dicts(item.check.verdicts)
                else:
                    assert decision.changed
                    forwarded = item.check.forwards_to
                    assert decision.day.status == (Status.PENDING if forwarded else Status.APPROVED)
                    assert decision.day.official_id == (forwarded.pk if forwarded else None)
                if reason:  # with a reason given only a BLOCK refuses: the card's "blocked"
                    assert item.check.blocked == (refusal is not None)


def test_the_generated_inboxes_meet_every_kind_of_verdict(team, kabid, plh, bidang_p2p, pemkot):
    """The property above means something only if the cards it checks are varied."""
    seen = set()
    for seed in range(6):
        with transaction.atomic():
            _generated_inbox(seed, bidang_p2p, kabid, pemkot)
            for actor in (kabid.user, plh.user):
                for item in selectors.inbox(actor):
                    seen |= {(v.rule, v.severity) for v in item.check.verdicts}
                    seen |= {("forwarded", "")} if item.check.forwards_to else set()
            transaction.set_rollback(True)
    for wanted in [("coverage", rules.BLOCK), ("coverage", rules.WARN), ("weekly_cap", rules.BLOCK),
                   ("document_missing", rules.BLOCK), ("reserved_to_definitive", rules.BLOCK),
                   ("new_placement", rules.BLOCK), ("mandatory_weekday", rules.BLOCK), ("forwarded", "")]:
        assert wanted in seen, (wanted, sorted(seen))


# --- Documents --------------------------------------------------------------------------------

def test_a_day_missing_its_required_document_cannot_be_approved_but_can_be_rejected(client, team, ani, kabid):
    monday, tuesday = pending(ani, Kind.SAKIT, TWO_WEEKS[:2])  # two sick days, no doctor's letter
    card = next(i for i in selectors.inbox(kabid.user) if i.day.pk == monday.pk)
    (missing,) = card.check.blocking
    assert missing.rule == "document_missing"
    assert missing.message == "Surat keterangan dokter belum dilampirkan (sakit lebih dari 1 hari)."

    client.force_login(kabid.user)
    html = client.get(reverse("scheduling:inbox")).content.decode()
    card_html = html.split(f'id="hari-{monday.pk}"')[1].split("</form>")[0]
    assert "Tidak dapat disetujui" in card_html and missing.message in card_html
    assert f'id="pilih-{monday.pk}" disabled' in card_html
    approve_button = card_html.split('value="approve"')[1].split(">")[0]
    assert "disabled" in approve_button
    reject_button = card_html.split('value="reject"')[1].split(">")[0]
    assert "disabled" not in reject_button

    with pytest.raises(DecisionBlocked) as refused:
        services.request_day_approve(actor=kabid.user, day_id=monday.pk, reason="Tetap saja")
    assert [v.rule for v in refused.value.verdicts] == ["document_missing"]
    assert services.request_day_reject(actor=kabid.user, day_id=monday.pk,
                                       reason="Lampirkan surat dokter").day.status == Status.REJECTED


def test_the_letter_lifts_the_block(team, ani, kabid):
    first, _ = pending(ani, Kind.SAKIT, TWO_WEEKS[:2], evidence=True)
    assert services.request_day_approve(actor=kabid.user, day_id=first.pk).day.status == Status.APPROVED


# --- Errors on the item, and the focus ---------------------------------------------------------

def _card_html(html: str, day_id: int) -> str:
    return html.split(f'id="hari-{day_id}"')[1].split("</form>")[0]


def _focused(html: str) -> str:
    """The opening tag of the one element the page gives focus to."""
    assert html.count(" autofocus") == 1
    return html.split(" autofocus")[0].rsplit("<", 1)[1]


@pytest.fixture
def crowded_monday(team, bidang_p2p):
    """Three of five ask for Monday; with 60 % in the office only two may go."""
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.BLOCK)
    return [pending(person, Kind.WFH, [MON])[0] for person in team[1:4]]


def test_a_refused_approval_is_reported_on_its_card_which_takes_the_focus(client, crowded_monday, kabid):
    first, second, third = crowded_monday
    client.force_login(kabid.user)
    for day in (first, second):  # approved from a page on which the third still looked fine
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    response = client.post(reverse("scheduling:inbox-decide", args=[third.pk]),
                           {"action": "approve", "reason": "", "halaman": "1"})
    html = response.content.decode()
    card = _card_html(html, third.pk)
    assert 'role="alert"' in card and "Tidak dapat disetujui: " in card and "2 dari 5" in card
    assert f'aria-describedby="keadaan-{third.pk} galat-{third.pk}"' in card
    assert f'id="galat-{third.pk}"' in _focused(html)
    assert RequestDay.objects.get(pk=third.pk).status == Status.PENDING


def test_a_missing_reason_is_reported_on_its_card_and_focuses_its_field(client, crowded_monday, kabid):
    day = crowded_monday[0]
    client.force_login(kabid.user)
    html = client.post(reverse("scheduling:inbox-decide", args=[day.pk]),
                       {"action": "reject", "reason": "  "}).content.decode()
    card = _card_html(html, day.pk)
    assert "Alasan penolakan wajib diisi." in card and 'aria-invalid="true"' in card
    assert f'id="alasan-{day.pk}"' in _focused(html)


def test_bulk_approval_reports_each_refused_item_on_its_card(client, crowded_monday, kabid):
    client.force_login(kabid.user)
    ids = [d.pk for d in crowded_monday]
    response = client.post(reverse("scheduling:inbox-bulk"),
                           {"action": "approve", "days": ids, "halaman": "1", "confirm": "1"})
    html = response.content.decode()
    assert "Keputusan massal: 2 berhasil, 1 gagal." in html
    (refused,) = RequestDay.objects.filter(status=Status.PENDING)
    card = _card_html(html, refused.pk)
    assert "Tidak dapat disetujui" in card and "2 dari 5 akan berada di kantor" in card
    assert f'id="galat-{refused.pk}"' in _focused(html)


def test_bulk_rejection_without_a_reason_marks_the_items_and_focuses_the_reason(client, crowded_monday, kabid):
    client.force_login(kabid.user)
    ids = [d.pk for d in crowded_monday[:2]]
    html = client.post(reverse("scheduling:inbox-bulk"),
                       {"action": "reject", "days": ids, "confirm": "1"}).content.decode()
    for pk in ids:
        card = _card_html(html, pk)
        assert "Alasan penolakan wajib diisi." in card
        assert f'id="pilih-{pk}" checked' in card  # still ticked: type the reason and send again
    assert 'id="bulk-reason"' in _focused(html)
    assert not RequestDay.objects.filter(status=Status.REJECTED).exists()


# --- The API says what the card says ----------------------------------------------------------

def test_the_api_answers_a_refused_approval_with_the_cards_verdicts(crowded_monday, kabid):
    first, second, third = crowded_monday
    for day in (first, second):
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    api = APIClient()
    api.force_authenticate(kabid.user)
    (item,) = api.get("/api/v1/inbox/").json()["results"]
    check = api.get(f"/api/v1/requests/{third.pk}/check/").json()
    assert item["check"] == check and check["blocked"] and check["can_reject"]
    response = api.post(f"/api/v1/requests/{third.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["verdicts"] == check["verdicts"]
    bulk = api.post("/api/v1/requests/decide/", {"ids": [third.pk], "action": "approve"}, format="json").json()
    assert bulk["results"][0]["verdicts"] == check["verdicts"]


# --- What a page costs ------------------------------------------------------------------------

def _queries(client, page: int = 1) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("scheduling:inbox"), {"halaman": page}).status_code == 200
    return len(ctx.captured_queries)


def _staff(kabid, unit, n: int):
    return [EmployeeFactory(unit=unit, supervisor=kabid) for _ in range(n)]


def test_sixty_days_of_six_people_cost_what_one_day_each_does(client, team, kabid, bidang_p2p,
                                                              django_assert_max_num_queries):
    client.force_login(kabid.user)
    staff = _staff(kabid, bidang_p2p, 6)
    first = [pending(person, Kind.WFH, TWO_WEEKS[:1])[0] for person in staff]
    one_each = _queries(client)
    RequestDay.objects.filter(pk__in=[d.pk for d in first]).delete()
    for person in staff:
        pending(person, Kind.WFH, TWO_WEEKS)
    with django_assert_max_num_queries(one_each):
        response = client.get(reverse("scheduling:inbox"))
    assert response.context["count"] == 60
    assert sum(len(cards) for _, cards in response.context["groups"]) == selectors.INBOX_PAGE_SIZE
    assert 'rel="next" href="?halaman=2"' in response.content.decode()
    second = client.get(reverse("scheduling:inbox"), {"halaman": 2})
    assert sum(len(cards) for _, cards in second.context["groups"]) == 10


PER_PERSON, PER_PAGE = 9, 30  # a person's caps, coverage and calendar; the page's own reads


def test_a_page_of_fifty_people_stays_within_its_budget(client, team, kabid, bidang_p2p,
                                                        django_assert_max_num_queries):
    client.force_login(kabid.user)
    for person in _staff(kabid, bidang_p2p, 60):
        pending(person, Kind.WFH, [MON])
    with django_assert_max_num_queries(selectors.INBOX_PAGE_SIZE * PER_PERSON + PER_PAGE):
        response = client.get(reverse("scheduling:inbox"))
    assert response.context["count"] == 60
