"""The inbox checks a page at once (issue 15, item 2): what a unit has is read once for all the
units of the page, what people have in one query each for all the people on it. The page's
verdicts are exactly those of checking each card alone and of the request preview's own path
(eligibility, caps, coverage with a head's subtree, essential positions, leave, documents, the
chain, FWA windows and emergencies laid over the policy), and a page of fifty people in fifty
units costs no more queries than a page of five."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AsnType, DelegationKind
from scheduling import rules, selectors
from scheduling.models import (
    CoveragePolicy,
    Emergency,
    EmergencyProfile,
    EssentialPosition,
    FwaWindow,
    Kind,
    LeaveOpening,
    LeaveSettings,
    Mode,
    RequestDay,
    Status,
    Step,
)
from scheduling.selectors.preview import preview_days
from tests.factories import DelegationFactory, EmployeeFactory, UnitFactory, UserFactory
from tests.scheduling.test_inbox import MON, NOW, TWO_WEEKS, pending

pytestmark = pytest.mark.usefixtures("_frozen")
TUE, WED, THU = (MON + dt.timedelta(days=i) for i in (1, 2, 3))
CHAIN_RULES = {"document_missing", "no_official", "reserved_to_definitive"}


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def varied_page(team, pemkot, dinkes, bidang_p2p, upt, kadis, kabid):
    """Kepala Dinas decides for people in three units (and, as head, the keadaan khusus of the
    Dinas): a kabid who leads a subtree, a crowded Wednesday, a weekly cap already spent, an
    essential jabatan, cuti tahunan against a balance and forwarded to the Sekda, sick days without
    their letter, CLTN (reserved: the Plh leaves it), an FWA window that lifts the caps in the UPT
    and an emergency that keeps everyone of the UPT in the office on Thursday."""
    bidang_p2p.head = kabid
    bidang_p2p.save(update_fields=["head"])
    UnitFactory(code="P2P-S1", name="Seksi Surveilans", parent=bidang_p2p)  # kabid leads a subtree
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.BLOCK,
                                  weekly_cap=1, monthly_cap=3, min_months_since_placement=6)
    upt_policy = CoveragePolicy.objects.create(unit=upt, effective_from=dt.date(2025, 1, 1), mode=Mode.WARN,
                                               min_office_share=50, weekly_cap=1)
    EssentialPosition.objects.create(policy=upt_policy, jabatan="Perawat", min_in_office=2)
    sekda = EmployeeFactory(name="Sekretaris Daerah", unit=pemkot, user=UserFactory(username="sekda"))
    LeaveSettings.objects.create(institution=pemkot, official=sekda, first_year=2026)
    window = FwaWindow.objects.create(name="SE MenPAN-RB 2/2026", start=TUE, end=TUE, lifts_caps=True,
                                      created_by=kadis.user)
    window.units.add(upt)
    emergency = Emergency.objects.create(name="Banjir", legal_basis="SE Wali Kota 1/2026",
                                         profile=EmergencyProfile.ALL_IN_OFFICE, start=THU, end=THU,
                                         last_day=THU, created_by=kadis.user)
    emergency.units.add(upt)

    p2p = [EmployeeFactory(unit=bidang_p2p, supervisor=kadis, placement_date=placed)
           for placed in (dt.date(2020, 1, 1), dt.date(2020, 1, 1), dt.date(2026, 10, 1))]
    for person in EmployeeFactory.create_batch(4, unit=bidang_p2p, supervisor=kabid):
        pending(person, Kind.WFH, [WED], status=Status.APPROVED)  # Wednesday is crowded
    pending(p2p[0], Kind.WFH, [MON], status=Status.APPROVED)  # the week's one flexible day spent
    pending(p2p[0], Kind.WFH, [WED, TWO_WEEKS[5]])
    pending(p2p[1], Kind.WFA, [WED])
    pending(p2p[2], Kind.WFH, [TUE])  # placed two months ago
    pending(kabid, Kind.WFH, [WED, THU])  # counted with the subtree he leads
    pending(kabid, Kind.CT, [TWO_WEEKS[6]])

    nurses = [EmployeeFactory(unit=upt, supervisor=kadis, jabatan="Perawat", asn_type=asn)
              for asn in (AsnType.PNS, AsnType.PPPK, AsnType.PNS)]
    pending(EmployeeFactory(unit=upt, supervisor=kadis), Kind.WFH, [WED], status=Status.APPROVED)
    pending(nurses[2], Kind.WFH, [WED], status=Status.APPROVED)  # one nurse of three is out
    pending(nurses[0], Kind.WFH, [MON], status=Status.APPROVED)
    pending(nurses[0], Kind.WFH, [TUE, WED, THU])  # Tuesday is cap-free, Thursday everyone is in
    pending(nurses[1], Kind.WFA, [WED])
    pending(nurses[2], Kind.CLTN, [TWO_WEEKS[7]])

    staff = [EmployeeFactory(unit=dinkes, supervisor=kadis, service_start=start, asn_type=AsnType.PNS)
             for start in (dt.date(2010, 1, 1), dt.date(2026, 3, 1), dt.date(2012, 1, 1))]
    LeaveOpening.objects.create(employee=staff[0], year=2026, days=1, set_by=kadis.user)
    pending(staff[0], Kind.CT, [dt.date(2026, 11, 2)], status=Status.APPROVED)  # the one day is spent
    pending(staff[0], Kind.CT, [TWO_WEEKS[5], TWO_WEEKS[6]])  # none left
    pending(staff[1], Kind.CT, [TWO_WEEKS[8]])  # less than a year of service
    pending(staff[2], Kind.SAKIT, [TWO_WEEKS[5], TWO_WEEKS[6]])  # no doctor's letter
    pending(staff[2], Kind.WFH, [TWO_WEEKS[8]], special=True)  # keadaan khusus: the head decides
    pending(staff[0], Kind.WFA, [TWO_WEEKS[9]], special=True)
    cltn = pending(staff[1], Kind.CLTN, [TWO_WEEKS[9]])  # endorsed, waiting for the Kadis as official
    RequestDay.objects.filter(pk__in=[d.pk for d in cltn]).update(awaiting=Step.OFFICIAL, official=kadis)
    delegate = EmployeeFactory(name="Plh Kadis", unit=dinkes, supervisor=kadis, user=UserFactory(username="plhkadis"))
    DelegationFactory(kind=DelegationKind.PLH, delegator=kadis, delegate=delegate)
    return [kadis.user, delegate.user]


def _alone(actor, day: RequestDay):
    """The card's day checked alone, as the decision API and the approve service check it."""
    return selectors.decision_check(actor, selectors.day_for_decision(actor, day.pk))


def _previewed(day: RequestDay):
    """The request preview's own per-employee path (one ``_gather`` per day), as approval sees it."""
    return preview_days(day.employee, day.kind, [day.date], special_circumstance=day.request.special_circumstance,
                        for_approval_of=day.pk)[0]


def test_a_pages_verdicts_are_those_of_each_card_checked_alone(varied_page):
    seen, kinds, units = set(), set(), set()
    for actor in varied_page:
        items = list(selectors.inbox(actor))
        assert len(items) == 20
        for item in items:
            alone, preview = _alone(actor, item.day), _previewed(item.day)
            assert item.check.as_dict() == alone.as_dict(), item.day
            assert (item.check.forwards_to, item.check.reserved) == (alone.forwards_to, alone.reserved)
            plan = [v.as_dict() for v in item.check.verdicts if v.rule not in CHAIN_RULES]
            assert plan == [v.as_dict() for v in rules.by_severity(preview.verdicts)], item.day
            assert item.check.numbers == preview.numbers
            seen |= {(v.rule, v.severity) for v in item.check.verdicts}
            seen |= {("forwarded", "")} if item.check.forwards_to else set()
            kinds.add((item.day.kind, item.day.request.special_circumstance))
            units.add(item.day.employee.unit_id)
    # The comparison means something only if the page is varied.
    assert len(units) == 3
    assert {(Kind.CT, False), (Kind.CLTN, False), (Kind.SAKIT, False), (Kind.WFH, True)} <= kinds
    for wanted in [("weekly_cap", rules.BLOCK), ("coverage", rules.BLOCK), ("coverage", rules.WARN),
                   ("essential", rules.WARN), ("new_placement", rules.BLOCK), ("leave_balance", rules.BLOCK),
                   ("leave_service", rules.BLOCK), ("document_missing", rules.BLOCK),
                   ("reserved_to_definitive", rules.BLOCK), ("forwarded", "")]:
        assert wanted in seen, (wanted, sorted(seen))


def test_the_emergency_and_the_window_reach_the_page(varied_page, upt):
    """Thursday's emergency keeps the UPT in the office; Tuesday's window lifts its weekly cap."""
    items = {(i.day.employee.unit_id, i.day.kind, i.day.date): i for i in selectors.inbox(varied_page[0])
             if i.day.employee.jabatan == "Perawat"}
    thursday, tuesday = items[(upt.pk, Kind.WFH, THU)].check, items[(upt.pk, Kind.WFH, TUE)].check
    wednesday = items[(upt.pk, Kind.WFH, WED)].check
    assert "emergency_office" in {v.rule for v in thursday.verdicts}
    assert "emergency_office" not in {v.rule for v in wednesday.verdicts}
    assert "weekly_cap" not in {v.rule for v in tuesday.verdicts} and "fwa_day" in {v.rule for v in tuesday.verdicts}
    assert "weekly_cap" in {v.rule for v in wednesday.verdicts}


# --- What a page costs ------------------------------------------------------------------------


KINDS = (Kind.WFH, Kind.CT, Kind.WFA, Kind.SAKIT, Kind.DL)  # every read of the check runs on a page


def _people(kadis, dinkes, n: int, first: int = 0) -> None:
    """``n`` people, each in a unit of their own, each with one day waiting, of varied kinds."""
    for i in range(first, first + n):
        unit = UnitFactory(parent=dinkes, name=f"Seksi {i}")
        person = EmployeeFactory(unit=unit, supervisor=kadis, service_start=dt.date(2010, 1, 1))
        pending(person, KINDS[i % len(KINDS)], [TWO_WEEKS[i % len(TWO_WEEKS)]], special=i % 7 == 3)


def _distinct_people(cards) -> int:
    return len({card.day.employee_id for card in cards})


PAGE_BUDGET = 45  # the page's own reads (session, menu, count, days) and the checks' fixed set


def test_a_page_of_fifty_people_costs_what_a_page_of_five_does(client, team, kadis, dinkes, pemkot,
                                                               django_assert_max_num_queries):
    LeaveSettings.objects.create(institution=pemkot, official=kadis, first_year=2026)
    client.force_login(kadis.user)
    api = APIClient()
    api.force_authenticate(kadis.user)
    _people(kadis, dinkes, 5)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("scheduling:inbox"))
    assert _distinct_people(item for _, group in response.context["groups"] for item in group) == 5
    with CaptureQueriesContext(connection) as five_api:
        assert len(api.get("/api/v1/inbox/", {"page_size": 50}).json()["results"]) == 5
    assert max(len(five.captured_queries), len(five_api.captured_queries)) <= PAGE_BUDGET

    _people(kadis, dinkes, 50, first=5)  # 55 people in 55 units: a full page of 50 people
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(reverse("scheduling:inbox"))
    assert _distinct_people(item for _, group in response.context["groups"] for item in group) == 50
    with django_assert_max_num_queries(len(five_api.captured_queries)):
        response = api.get("/api/v1/inbox/", {"page_size": 50})
    assert len({row["item"]["employee"]["id"] for row in response.json()["results"]}) == 50


def test_the_request_lists_choice_filters_add_no_distinct(team, kabid, ani, budi):
    """``?status=…&status=…&kind=…`` filters the day's own columns: no SELECT DISTINCT."""
    pending(ani, Kind.WFH, [MON])
    pending(budi, Kind.CT, [TUE], status=Status.APPROVED)
    api = APIClient()
    api.force_authenticate(kabid.user)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get("/api/v1/requests/", {"status": ["pending", "approved"], "kind": ["WFH", "CT"]})
    assert response.status_code == 200 and response.json()["count"] == 2
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"] and "scheduling_requestday" in q["sql"]]


# --- The page's shared reads (issue 15, item 2: one read where the page asked twice) -----------


def test_the_page_reads_each_institutions_leave_settings_once(team, kadis, dinkes, pemkot):
    """Cuti forwarded to the official: the chain's read of the leave settings gives the balances
    their first year too (one read of the table), and the verdicts stay those of each card alone."""
    LeaveSettings.objects.create(institution=pemkot, official=EmployeeFactory(unit=pemkot),
                                 first_year=2026)
    person = EmployeeFactory(unit=dinkes, supervisor=kadis, service_start=dt.date(2010, 1, 1))
    LeaveOpening.objects.create(employee=person, year=2026, days=1, set_by=kadis.user)
    pending(person, Kind.CT, [dt.date(2026, 11, 2)], status=Status.APPROVED)
    pending(person, Kind.CT, [TUE, WED])
    with CaptureQueriesContext(connection) as ctx:
        items = list(selectors.inbox(kadis.user))
    reads = [q["sql"] for q in ctx.captured_queries if '"scheduling_leavesettings"' in q["sql"]]
    assert len(reads) == 1
    assert all(i.check.forwards_to is not None for i in items)
    for item in items:
        assert item.check.as_dict() == _alone(kadis.user, item.day).as_dict(), item.day
    balance = [v for i in items for v in i.check.verdicts if v.rule == "leave_balance"]
    assert len(balance) == 2  # the one day opened for 2026 is spent: each asked day is refused


def test_the_cuti_facts_of_a_page_count_per_year_in_one_read(team, kadis, dinkes):
    """Adjustments summed per year, openings, cuti tahunan used per year (an excluded day left
    out, pending counted only when asked) and the years with cuti besar, from two reads of days
    and HR's numbers."""
    from scheduling.models import LeaveAdjustment
    from scheduling.selectors.leave import annual_leave_facts_many

    person, other = (EmployeeFactory(unit=dinkes, supervisor=kadis) for _ in range(2))
    for year, days in ((2025, 2), (2025, -1), (2026, 3)):
        LeaveAdjustment.objects.create(employee=person, year=year, days=days, reason="Koreksi",
                                       created_by=kadis.user)
    LeaveOpening.objects.create(employee=person, year=2025, days=7, set_by=kadis.user)
    pending(person, Kind.CT, [dt.date(2025, 3, 3), dt.date(2025, 3, 4)], status=Status.APPROVED)
    asked = pending(person, Kind.CT, [dt.date(2026, 3, 3), dt.date(2026, 3, 4)])
    pending(person, Kind.CB, [dt.date(2024, 5, 6)], status=Status.APPROVED)
    pending(person, Kind.CB, [dt.date(2023, 5, 8)], status=Status.REJECTED)
    pending(other, Kind.CB, [dt.date(2026, 5, 4)])
    facts = annual_leave_facts_many([person, other], exclude_day_ids=[asked[0].pk])
    assert facts[person.pk].adjustments == {2025: 1, 2026: 3}
    assert facts[person.pk].openings == {2025: 7}
    assert facts[person.pk].used == {2025: 2, 2026: 1}
    assert facts[person.pk].cuti_besar_years == frozenset({2024})
    assert facts[other.pk].cuti_besar_years == frozenset({2026}) and facts[other.pk].used == {}
    approved = annual_leave_facts_many([person], approved_only=True)[person.pk]
    assert approved.used == {2025: 2}


def test_the_html_inbox_reads_the_users_roles_once(client, team, kadis, dinkes):
    """Whether the user decides for somebody and the menu ask the same roles: one read a request."""
    _people(kadis, dinkes, 2)
    client.force_login(kadis.user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("scheduling:inbox"))
    assert response.status_code == 200
    assert sum('FROM "portal_hradminscope"' in q["sql"] for q in ctx.captured_queries) == 1
