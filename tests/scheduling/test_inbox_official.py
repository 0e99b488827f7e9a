"""The official's inbox (issue 15): the cards of forwarded days name the official and the atasan
langsung who agreed, read for the whole page (prefetched), not once per card; a page without any
forwarded day reads nothing for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal import facts
from scheduling import services
from scheduling.models import Kind, LeaveSettings
from tests.factories import EmployeeFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 09:00 WIB
MON = dt.date(2026, 12, 7)
pytestmark = pytest.mark.now(NOW, tick=False)  # tests/plugins/clock.py: fixtures included


@pytest.fixture
def official(pemkot):
    sekda = EmployeeFactory(name="Sekretaris Daerah", jabatan="Sekretaris Daerah", unit=pemkot,
                            user=UserFactory(username="sekda"))
    LeaveSettings.objects.create(institution=pemkot, official=sekda, first_year=2026)
    return sekda


def forwarded(employee, atasan, day):
    (item,) = services.request_submit(actor=employee.user, kind=Kind.CT, dates=[day]).days
    services.request_day_approve(actor=atasan.user, day_id=item.pk)
    return item


def inbox_page(user) -> tuple[list[dict], int]:
    api = APIClient()
    api.force_authenticate(user)
    facts.forget()  # each page reads the rule facts afresh: two counts compare the same work
    with CaptureQueriesContext(connection) as queries:
        results = api.get("/api/v1/inbox/", {"page_size": 50}).json()["results"]
    return results, len(queries.captured_queries)


def test_the_officials_cards_name_who_forwarded_them_at_a_cost_per_page(team, ani, budi, kabid, official):
    forwarded(ani, kabid, MON)
    one, one_cost = inbox_page(official.user)
    assert [(r["item"]["official_name"], r["item"]["endorsed_by_name"], r["item"]["awaiting"]) for r in one] == [
        ("Sekretaris Daerah", "Kepala Bidang P2P", "official")]
    forwarded(budi, kabid, MON + dt.timedelta(days=1))
    forwarded(ani, kabid, MON + dt.timedelta(days=2))
    three, three_cost = inbox_page(official.user)
    assert {(r["item"]["official_name"], r["item"]["endorsed_by_name"]) for r in three} == {
        ("Sekretaris Daerah", "Kepala Bidang P2P")}
    assert len(three) == 3 and three_cost <= one_cost


def test_a_page_without_forwarded_days_reads_nothing_for_them(team, ani, budi, kabid, official):
    services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MON])
    _results, without = inbox_page(kabid.user)
    forwarded(budi, kabid, MON + dt.timedelta(days=1))  # now at the official's step: off the kabid's page
    services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[MON + dt.timedelta(days=2)])
    results, still = inbox_page(kabid.user)
    assert {r["item"]["official_name"] for r in results} == {None} and len(results) == 2
    assert still == without
