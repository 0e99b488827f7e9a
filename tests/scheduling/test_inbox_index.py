"""The inbox reaches the approver's days through indexed branches (issue 15): the UNION of the
reports, the units led (keadaan khusus) and the official's step answers exactly what
:func:`approver_for` says, day by day, for every persona; nobody decides their own days; the
request list shows own ∪ decided ∪ HR subtree days and nothing else."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.http import Http404
from django.urls import reverse

from portal.models import DelegationKind, Employee
from scheduling.models import Kind, RequestDay, Status, Step, WorkRequest
from scheduling.selectors import (
    approver_for,
    day_for_decision,
    days_decidable_by,
    inbox,
    represented_approvers,
    request_days_visible_to,
)
from scheduling.selectors.requests import _AmongIds
from tests.factories import DelegationFactory, EmployeeFactory, HRAdminScopeFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
MON = dt.date(2026, 12, 7)
_week = itertools.count()


def days_of(employee, *, special=False, kind=Kind.WFH, awaiting=Step.SUPERVISOR, official=None):
    """One day per status, waiting at ``awaiting`` (each call a week of its own)."""
    start = MON + dt.timedelta(weeks=next(_week))
    request = WorkRequest.objects.create(employee=employee, kind=kind, created_by=employee.user,
                                         special_circumstance=special)
    return RequestDay.objects.bulk_create([
        RequestDay(request=request, employee=employee, unit=employee.unit, kind=kind, date=start + dt.timedelta(i),
                   status=status, awaiting=awaiting, official=official)
        for i, status in enumerate([Status.PENDING, Status.APPROVED, Status.REJECTED])])


@pytest.fixture
def org():
    """A unit with a head who is also the kabid's atasan; a kabid with two staff; a unit without a
    head; a staff member who heads their own unit; an official; a Plh for the kabid and a Plh
    who stands in for their own supervisor."""
    bidang = UnitFactory()
    kadis = EmployeeFactory(unit=bidang)
    bidang.head = kadis
    bidang.save()
    kabid = EmployeeFactory(unit=bidang, supervisor=kadis)
    ani, budi = (EmployeeFactory(unit=bidang, supervisor=kabid) for _ in range(2))
    headless = UnitFactory()
    cici = EmployeeFactory(unit=headless, supervisor=kabid)
    own_unit = UnitFactory()
    dedi = EmployeeFactory(unit=own_unit, supervisor=kabid)
    own_unit.head = dedi
    own_unit.save()
    sekda = EmployeeFactory(unit=UnitFactory())
    plh = EmployeeFactory(unit=bidang, supervisor=kadis)
    DelegationFactory(kind=DelegationKind.PLH, delegator=kabid, delegate=plh)
    DelegationFactory(kind=DelegationKind.PLH, delegator=kabid, delegate=budi)  # Plh of their own atasan
    hr = UserFactory()
    HRAdminScopeFactory(user=hr, unit=headless)
    people = dict(kadis=kadis, kabid=kabid, ani=ani, budi=budi, cici=cici, dedi=dedi, sekda=sekda, plh=plh)
    for person in (ani, budi, cici, dedi, kabid):
        days_of(person)
        days_of(person, special=True)
    days_of(ani, kind=Kind.CT, awaiting=Step.OFFICIAL, official=sekda)
    days_of(kabid, kind=Kind.CT, awaiting=Step.OFFICIAL, official=sekda)
    days_of(sekda, kind=Kind.CT, awaiting=Step.OFFICIAL, official=sekda)  # never their own
    return people, hr


def expected(user, status=None):
    """What approver_for says, day by day, minus the user's own days."""
    approvers = represented_approvers(user)
    days = RequestDay.objects.select_related("employee__unit__head", "employee__supervisor", "request", "official")
    return {d.pk for d in days if (status is None or d.status == status) and d.employee.user_id != user.pk
            and (a := approver_for(d)) is not None and a.pk in approvers}


@pytest.mark.parametrize("who", ["kadis", "kabid", "ani", "budi", "cici", "dedi", "sekda", "plh"])
def test_every_persona_decides_exactly_what_approver_for_says(org, who):
    people, _hr = org
    user = people[who].user
    decided = set(days_decidable_by(user).values_list("pk", flat=True))
    assert decided == expected(user)
    pending = set(days_decidable_by(user, status=Status.PENDING).values_list("pk", flat=True))
    assert pending == expected(user, Status.PENDING) == {
        pk for pk in decided if RequestDay.objects.get(pk=pk).status == Status.PENDING}


@pytest.mark.parametrize("who", ["kadis", "kabid", "ani", "budi", "cici", "dedi", "sekda", "plh", "hr"])
def test_one_day_is_judged_by_the_rule_the_lists_use(org, who):
    """day_for_decision (the decision's scope: one day, judged by approver_for) finds exactly the
    days days_decidable_by lists (the inbox's SQL), and answers 404 for every other day."""
    people, hr = org
    user = hr if who == "hr" else people[who].user
    decided = set(days_decidable_by(user).values_list("pk", flat=True))
    for pk in RequestDay.objects.values_list("pk", flat=True):
        try:
            found = day_for_decision(user, pk).pk == pk
        except Http404:
            found = False
        assert found == (pk in decided), (who, pk)
    assert bool(decided) == (who in ("kadis", "kabid", "budi", "sekda", "plh"))  # not vacuous


def test_the_branches_reach_every_way_of_deciding(org):
    people, _hr = org
    pending = {who: set(days_decidable_by(p.user, status=Status.PENDING)
                        .values_list("employee__name", "request__special_circumstance", "awaiting"))
               for who, p in people.items()}
    ani, cici, dedi, budi = (people[n].name for n in ("ani", "cici", "dedi", "budi"))
    # The atasan langsung: ordinary days, and keadaan khusus where no other head decides.
    assert {(ani, False, Step.SUPERVISOR), (cici, True, Step.SUPERVISOR),
            (dedi, True, Step.SUPERVISOR)} <= pending["kabid"]
    # Keadaan khusus in a headed unit goes to the head, not the atasan langsung.
    assert (ani, True, Step.SUPERVISOR) in pending["kadis"] and (ani, True, Step.SUPERVISOR) not in pending["kabid"]
    assert (ani, False, Step.SUPERVISOR) not in pending["kadis"]
    # The official's step, never their own day.
    assert (ani, False, Step.OFFICIAL) in pending["sekda"]
    assert people["sekda"].name not in {name for name, *_ in pending["sekda"]}
    # A Plh decides the kabid's days, and a Plh of their own atasan still not their own.
    assert pending["plh"] == pending["kabid"]
    assert (budi, False, Step.SUPERVISOR) not in pending["budi"] and (ani, False, Step.SUPERVISOR) in pending["budi"]


def test_a_superuser_decides_everything_and_nobody_else_decides_without_an_employee(org):
    boss = UserFactory(is_superuser=True)
    assert days_decidable_by(boss).count() == RequestDay.objects.count()
    assert days_decidable_by(boss, status=Status.PENDING).count() == RequestDay.objects.filter(
        status=Status.PENDING).count()
    assert not days_decidable_by(UserFactory()).exists()


@pytest.mark.parametrize("who", ["kadis", "kabid", "ani", "budi", "sekda", "plh", "hr"])
def test_the_request_list_is_own_decided_and_hr_days(org, who):
    people, hr = org
    user = hr if who == "hr" else people[who].user
    own = set(RequestDay.objects.filter(employee__user=user).values_list("pk", flat=True))
    hr_days = (set(RequestDay.objects.filter(employee=people["cici"]).values_list("pk", flat=True))
               if who == "hr" else set())
    shown = set(request_days_visible_to(user).values_list("pk", flat=True))
    assert shown == own | expected(user) | hr_days
    assert len(shown) == request_days_visible_to(user).count()  # no row twice


def test_an_acting_head_decides_the_units_keadaan_khusus_days_and_sees_them_in_the_inbox(org, client):
    """The units led are found through the delegator too: a Plt of the head (from another unit)
    decides the keadaan khusus days of the head's unit and the head's reports' ordinary days, and
    the inbox lists them, each decided under the Plt title."""
    people, _hr = org
    acting = EmployeeFactory(unit=UnitFactory())
    DelegationFactory(kind=DelegationKind.PLT, delegator=people["kadis"], delegate=acting)
    pending = days_decidable_by(acting.user, status=Status.PENDING)
    ids = set(pending.values_list("pk", flat=True))
    assert ids == expected(acting.user, Status.PENDING)
    shown = set(pending.values_list("employee__name", "request__special_circumstance"))
    assert {(people[n].name, True) for n in ("ani", "budi", "kabid")} <= shown  # the unit's keadaan khusus
    assert (people["kabid"].name, False) in shown  # the head's report, as their atasan langsung
    assert (people["ani"].name, False) not in shown  # the kabid's report: the kabid's, not the head's
    items = list(inbox(acting.user))
    assert {item.day.pk for item in items} == ids
    assert {item.check.acting_for for item in items} == {f"Plt. {people['kadis'].jabatan}"}
    client.force_login(acting.user)
    page = client.get(reverse("scheduling:inbox"))
    assert {card.day.pk for _date, cards in page.context["groups"] for card in cards} == ids
    assert page.content.decode().count('class="tag tag--special"') == 3


def test_a_report_who_heads_another_unit_leaves_their_keadaan_khusus_days_to_its_head(org):
    """The atasan langsung's keadaan khusus days stop where a unit has another head, whichever
    unit the report is in: moving ani under the head of a unit of her own is moving the day."""
    people, _hr = org
    other = UnitFactory()
    other_head = EmployeeFactory(unit=other)
    other.head = other_head
    other.save()
    ani = people["ani"]
    ani.unit = other
    ani.save()
    kabid, mine = people["kabid"].user, people["ani"].pk
    decided = set(days_decidable_by(kabid, status=Status.PENDING).values_list("employee_id",
                                                                              "request__special_circumstance"))
    assert (mine, False) in decided and (mine, True) not in decided
    assert (mine, True) in set(days_decidable_by(other_head.user, status=Status.PENDING)
                               .values_list("employee_id", "request__special_circumstance"))
    for user in (kabid, other_head.user):
        assert set(days_decidable_by(user).values_list("pk", flat=True)) == expected(user)


def test_the_ids_filter_answers_what_in_does(org):
    """``_AmongIds`` (``= ANY(ARRAY(...))`` on PostgreSQL) keeps the meaning of ``__in``, an empty
    subquery included."""
    people, _hr = org
    for supervisor in (people["kabid"], people["sekda"]):
        reports = Employee.objects.filter(supervisor=supervisor).order_by().values("pk")
        among = RequestDay.objects.filter(_AmongIds("employee_id", reports))
        assert set(among.values_list("pk", flat=True)) == set(
            RequestDay.objects.filter(employee_id__in=reports).values_list("pk", flat=True))
    assert not RequestDay.objects.filter(_AmongIds("employee_id", Employee.objects.none().values("pk"))).exists()
