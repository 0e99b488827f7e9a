"""Safer actions: withdrawing or cancelling a day and deciding many days at once ask first, on a
page of its own that works without JavaScript; nothing changes until its button is pressed. A single
decision on an inbox card needs no second step."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from portal.models import AuditEvent
from scheduling import services
from scheduling.models import Kind, RequestDay, Status, WorkRequest
from tests.factories import EmployeeFactory

MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _wfh(person, day=MONDAY):
    (item,) = services.request_submit(actor=person.user, kind=Kind.WFH, dates=[day]).days
    return item


def _status(day) -> str:
    return RequestDay.objects.get(pk=day.pk).status


def _hidden(html: str, name: str) -> list[str]:
    """The values of the hidden inputs called ``name`` (what the confirm button sends again)."""
    marker = f'type="hidden" name="{name}" value="'
    return [part.split('"', 1)[0] for part in html.split(marker)[1:]]


# --- Withdraw and cancel -------------------------------------------------------------------

def test_withdraw_without_confirmation_changes_nothing_and_asks(client, team, ani):
    day = _wfh(ani)
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:day-withdraw", args=[day.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tarik pengajuan ini?" in html and "Senin, 7 Desember 2026" in html and "WFH" in html
    assert f'action="{reverse("scheduling:day-withdraw", args=[day.pk])}"' in html
    assert _hidden(html, "confirm") == ["1"]
    assert f'href="{reverse("scheduling:my-requests")}#hari-{day.pk}"' in html  # "No": back to the day
    assert _status(day) == Status.PENDING
    assert not AuditEvent.objects.filter(verb="request_day.withdrawn").exists()


def test_withdraw_with_confirmation_withdraws(client, team, ani):
    day = _wfh(ani)
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:day-withdraw", args=[day.pk]), {"confirm": "1"}, follow=True)
    assert _status(day) == Status.WITHDRAWN
    assert "Pengajuan Senin, 7 Desember 2026 ditarik." in [str(m) for m in response.context["messages"]]


def test_cancel_asks_first_and_keeps_the_reason_typed(client, team, ani, kabid):
    day = _wfh(ani)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    client.force_login(ani.user)
    html = client.post(reverse("scheduling:day-cancel", args=[day.pk]), {"reason": "Rapat mendadak"}).content.decode()
    assert "Batalkan hari yang sudah disetujui?" in html
    assert 'name="reason" maxlength="500" value="Rapat mendadak"' in html
    assert _status(day) == Status.APPROVED
    client.post(reverse("scheduling:day-cancel", args=[day.pk]), {"reason": "Rapat mendadak", "confirm": "1"})
    day.refresh_from_db()
    assert day.status == Status.CANCELLED and day.decision_reason == "Rapat mendadak"


def test_a_day_the_action_no_longer_fits_is_explained_without_a_confirmation(client, team, ani, kabid):
    day = _wfh(ani)
    services.request_day_approve(actor=kabid.user, day_id=day.pk)
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:day-withdraw", args=[day.pk]), follow=True)
    assert "Tarik pengajuan ini?" not in response.content.decode()
    assert "Hanya pengajuan yang menunggu persetujuan yang dapat ditarik." in [
        str(m) for m in response.context["messages"]]


def test_the_confirmation_of_someone_elses_day_is_not_found(client, team, ani, budi):
    day = _wfh(ani)
    client.force_login(budi.user)
    for name in ("scheduling:day-withdraw", "scheduling:day-cancel"):
        assert client.post(reverse(name, args=[day.pk])).status_code == 404
    assert _status(day) == Status.PENDING


def test_the_list_still_posts_to_the_confirmation(client, team, ani):
    day = _wfh(ani)
    client.force_login(ani.user)
    html = client.get(reverse("scheduling:my-requests")).content.decode()
    form = html.split(f'action="{reverse("scheduling:day-withdraw", args=[day.pk])}"')[1].split("</form>")[0]
    assert "Tarik pengajuan" in form and 'name="confirm"' not in form


# --- Bulk decisions ------------------------------------------------------------------------

def test_a_bulk_decision_without_confirmation_lists_the_days_and_decides_nothing(client, team, ani, budi, kabid):
    days = [_wfh(ani), _wfh(budi)]
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-bulk"),
                           {"action": "reject", "reason": "Apel pagi", "days": [d.pk for d in days], "halaman": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tolak 2 hari?" in html
    assert "Ani Lestari" in html and "Budi Santoso" in html and "Senin, 7 Desember 2026" in html
    assert sorted(_hidden(html, "days")) == sorted(str(d.pk) for d in days)
    assert _hidden(html, "action") == ["reject"] and _hidden(html, "confirm") == ["1"]
    assert 'id="bulk-reason" name="reason" maxlength="2000" value="Apel pagi"' in html
    assert {_status(d) for d in days} == {Status.PENDING}


def test_a_confirmed_bulk_decision_decides(client, team, ani, budi, kabid):
    days = [_wfh(ani), _wfh(budi)]
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-bulk"), {"action": "reject", "reason": "Apel pagi",
                                                              "days": [d.pk for d in days], "confirm": "1"})
    assert response.status_code == 302
    assert set(RequestDay.objects.values_list("status", "decision_reason")) == {(Status.REJECTED, "Apel pagi")}


def test_the_bulk_confirmation_names_only_days_the_user_decides(client, team, ani, kabid, upt):
    stranger = EmployeeFactory(name="Orang Lain", unit=upt)  # decided by someone else
    request = WorkRequest.objects.create(employee=stranger, kind=Kind.WFH, created_by=stranger.user)
    theirs = RequestDay.objects.create(request=request, employee=stranger, unit=upt, kind=Kind.WFH, date=MONDAY)
    mine = _wfh(ani)
    client.force_login(kabid.user)
    html = client.post(reverse("scheduling:inbox-bulk"),
                       {"action": "approve", "days": [mine.pk, theirs.pk]}).content.decode()
    assert "Ani Lestari" in html and "Orang Lain" not in html
    assert "1 pengajuan lain yang tidak lagi ada di kotak persetujuan Anda" in html


def test_nothing_ticked_needs_no_confirmation(client, team, ani, kabid):
    _wfh(ani)
    client.force_login(kabid.user)
    html = client.post(reverse("scheduling:inbox-bulk"), {"action": "approve"}).content.decode()
    assert "Centang minimal satu pengajuan." in html and "Setujui 0 hari?" not in html


def test_a_single_decision_on_a_card_needs_no_confirmation(client, team, ani, kabid):
    day = _wfh(ani)
    client.force_login(kabid.user)
    response = client.post(reverse("scheduling:inbox-decide", args=[day.pk]), {"action": "approve"})
    assert response.status_code == 302 and _status(day) == Status.APPROVED
