"""The approval chain as the people in it see it: the atasan langsung's card says the leave will go
on to the official, the official's card names who agreed and when, the employee's plan says whose
decision the day waits for, a Plh/Plt's card says a reserved kind waits for the definitive official
(and the service refuses it with the same verdict), bulk approval counts a forwarded day as done."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AuditEvent, DelegationKind
from scheduling import selectors, services
from scheduling.models import Kind, KindRule, LeaveSettings, RequestDay, Status, Step
from scheduling.services.decisions import DecisionBlocked
from tests.factories import DelegationFactory, EmployeeFactory, UserFactory, pdf_upload

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB
MON = dt.date(2026, 12, 7)
pytestmark = pytest.mark.usefixtures("_frozen", "_media")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sekda(pemkot):
    return EmployeeFactory(name="Sekretaris Daerah", jabatan="Sekretaris Daerah", unit=pemkot,
                           user=UserFactory(username="sekda"))


@pytest.fixture
def official(pemkot, sekda):
    """The institution names its pejabat yang berwenang memberikan cuti; cuti needs them by default."""
    LeaveSettings.objects.create(institution=pemkot, official=sekda, first_year=2026)
    return sekda


def ct(employee, day=MON) -> RequestDay:
    (item,) = services.request_submit(actor=employee.user, kind=Kind.CT, dates=[day]).days
    return item


def cltn(employee, day=MON) -> RequestDay:
    employee.service_start = dt.date(2015, 1, 1)  # CLTN needs five years of service
    employee.save(update_fields=["service_start"])
    (item,) = services.request_submit(actor=employee.user, kind=Kind.CLTN, dates=[day],
                                      evidence=[pdf_upload()]).days
    return item


def card_of(user, day: RequestDay) -> selectors.InboxItem | None:
    return next((i for i in selectors.inbox(user) if i.day.pk == day.pk), None)


def html_card(client, user, day: RequestDay) -> str:
    client.force_login(user)
    html = client.get(reverse("scheduling:inbox")).content.decode()
    return html.split(f'id="hari-{day.pk}"')[1].split("</form>")[0]


# --- Forwarded to the official -------------------------------------------------------------

def test_the_atasan_langsung_forwards_cuti_tahunan_to_the_official_who_then_grants_it(client, team, ani, kabid,
                                                                                     official):
    day = ct(ani)
    card = card_of(kabid.user, day)
    assert card.check.forwards_to == official and not card.check.blocked
    assert "akan diteruskan ke Sekretaris Daerah" in html_card(client, kabid.user, day)

    decision = services.request_day_approve(actor=kabid.user, day_id=day.pk)

    assert decision.changed
    assert (decision.day.status, decision.day.awaiting, decision.day.official_id) == (
        Status.PENDING, Step.OFFICIAL, official.pk)
    event = AuditEvent.objects.get(verb="request_day.endorsed", object_id=str(day.pk))
    assert event.after["official"] == official.pk
    assert card_of(kabid.user, day) is None  # the atasan langsung's part is done
    waiting = card_of(official.user, day)
    assert waiting is not None and waiting.check.forwards_to is None  # the official grants
    assert waiting.endorsed["name"] == "Kepala Bidang P2P"
    assert "Disetujui atasan langsung Kepala Bidang P2P pada 1 Desember 2026" in html_card(client, official.user, day)

    granted = services.request_day_approve(actor=official.user, day_id=day.pk)
    assert (granted.day.status, granted.day.decided_by) == (Status.APPROVED, official.user)


def test_the_employee_sees_whose_decision_the_day_waits_for(client, team, ani, kabid, official):
    day = ct(ani)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    client.force_login(ani.user)
    html = client.get(reverse("scheduling:my-requests")).content.decode()
    assert "Menunggu keputusan Sekretaris Daerah (disetujui atasan langsung Kepala Bidang P2P)" in html
    api = APIClient()
    api.force_authenticate(ani.user)
    item = api.get(f"/api/v1/requests/{day.pk}/").json()
    assert (item["awaiting"], item["official_name"], item["endorsed_by_name"]) == (
        "official", "Sekretaris Daerah", "Kepala Bidang P2P")


def test_bulk_approval_counts_a_forwarded_day_as_done(team, ani, budi, kabid, official):
    leave, wfh = ct(ani), services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[MON]).days[0]
    results = {r["id"]: r for r in services.requests_decide_bulk(actor=kabid.user, day_ids=[leave.pk, wfh.pk],
                                                                 action="approve")}
    assert results[leave.pk]["ok"] and results[leave.pk]["awaiting"] == Step.OFFICIAL
    assert results[wfh.pk]["ok"] and results[wfh.pk]["status"] == Status.APPROVED


def test_a_chain_left_without_an_official_blocks_approval_but_not_rejection(team, ani, kabid, pemkot, official):
    day = ct(ani)
    KindRule.objects.create(institution=pemkot, kind=Kind.CT, needs_official=True, document="none")
    LeaveSettings.objects.filter(institution=pemkot).update(official=None)  # and pemkot has no head
    card = card_of(kabid.user, day)
    assert [v.rule for v in card.check.blocking] == ["no_official"]
    with pytest.raises(DecisionBlocked) as exc:
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert "Belum ada pejabat yang berwenang" in str(exc.value)
    rejected = services.request_day_reject(actor=kabid.user, day_id=day.pk, reason="Tidak ada pejabat")
    assert rejected.day.status == Status.REJECTED


# --- Reserved to the definitive official ----------------------------------------------------

def test_a_plh_trying_to_grant_cltn_is_refused_and_the_day_waits_for_the_definitive_official(client, team, ani,
                                                                                            kabid, plh):
    day = cltn(ani)  # no official configured: the atasan langsung grants, so his Plh may not
    card = card_of(plh.user, day)
    assert card.check.reserved is not None and card.check.blocked and card.check.reject_refused_by
    html = html_card(client, plh.user, day)
    assert "Menunggu pejabat definitif" in html and "SE BKN 1/SE/I/2021" in html
    assert f'id="pilih-{day.pk}" disabled' in html
    assert html.count("disabled") >= 3  # the box, Setujui and Tolak

    with pytest.raises(DecisionBlocked) as exc:
        services.request_day_approve(actor=plh.user, day_id=day.pk)
    assert [v.rule for v in exc.value.verdicts] == ["reserved_to_definitive"]
    assert exc.value.verdicts == card.check.blocking
    with pytest.raises(DecisionBlocked):
        services.request_day_reject(actor=plh.user, day_id=day.pk, reason="Tidak")

    day.refresh_from_db()
    assert (day.status, day.awaiting) == (Status.PENDING, Step.SUPERVISOR)
    assert not AuditEvent.objects.filter(verb__in=["request_day.approved", "request_day.rejected"]).exists()
    definitive = card_of(kabid.user, day)
    assert definitive is not None and not definitive.check.blocked
    assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED


def test_a_plh_of_the_official_does_not_grant_cltn_but_the_plh_of_the_atasan_langsung_forwards_it(
        team, ani, kabid, plh, pemkot, official):
    day = cltn(ani)
    plh_sekda = EmployeeFactory(name="Plh Sekda", unit=pemkot, user=UserFactory(username="plh_sekda"))
    DelegationFactory(kind=DelegationKind.PLH, delegator=official, delegate=plh_sekda, start=dt.date(2026, 11, 1),
                      end=dt.date(2026, 12, 31))
    assert card_of(plh.user, day).check.forwards_to == official  # considering is not granting
    services.request_day_approve(actor=plh.user, day_id=day.pk)
    day.refresh_from_db()
    assert (day.awaiting, day.endorsed_acting_for) == (Step.OFFICIAL, "Plh. Kepala Bidang P2P")
    waiting = card_of(plh_sekda.user, day)
    assert waiting.check.reserved is not None
    with pytest.raises(DecisionBlocked):
        services.request_day_approve(actor=plh_sekda.user, day_id=day.pk)
    assert card_of(official.user, day).check.reserved is None
    assert services.request_day_approve(actor=official.user, day_id=day.pk).day.status == Status.APPROVED
