"""The inbox reaches the approver's days through indexed branches (issue 15): the UNION of the
reports, the units led (keadaan khusus) and the official's step answers exactly what
:func:`approver_for` says, day by day, for every persona; nobody decides their own days; the
request list shows own ∪ decided ∪ HR subtree days and nothing else."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from portal.models import DelegationKind
from scheduling.models import Kind, RequestDay, Status, Step, WorkRequest
from scheduling.selectors import (
    approver_for,
    days_decidable_by,
    represented_approvers,
    request_days_visible_to,
)
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
