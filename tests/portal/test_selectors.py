"""Roles and actor-scoped reads of the organisation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal import selectors
from portal.models import AuditEvent, Delegation, Employee, Unit
from portal.selectors import ROLE_EMPLOYEE, ROLE_HR_ADMIN, ROLE_SUPERUSER, ROLE_SUPERVISOR
from portal.services.org import employee_save
from tests.factories import EmployeeFactory, HRAdminScopeFactory


@pytest.fixture
def cast(kadis, kabid, ani, budi, plh, hr, outsider, hr_other, superuser, upt):
    """Everyone, plus an employee of the UPT so the subtree has a second branch."""
    return EmployeeFactory(name="Petugas UPT", unit=upt)


# --- roles ---------------------------------------------------------------------------


def test_it_gives_each_cast_member_their_roles(cast, kadis, kabid, ani, plh, hr, outsider, superuser):
    assert selectors.roles_of(ani.user) == [ROLE_EMPLOYEE]
    assert selectors.roles_of(outsider.user) == [ROLE_EMPLOYEE]
    assert selectors.roles_of(kabid.user) == [ROLE_EMPLOYEE, ROLE_SUPERVISOR]  # by reports
    assert selectors.roles_of(kadis.user) == [ROLE_EMPLOYEE, ROLE_SUPERVISOR]  # supervises kabid
    assert selectors.roles_of(plh.user) == [ROLE_EMPLOYEE, ROLE_SUPERVISOR]  # by active delegation
    assert selectors.roles_of(hr) == [ROLE_HR_ADMIN]
    assert selectors.roles_of(superuser) == [ROLE_SUPERUSER]
    assert selectors.roles_of(AnonymousUser()) == []


def test_it_combines_roles_of_one_person(kabid, ani):
    HRAdminScopeFactory(user=kabid.user, unit=kabid.unit)
    kabid.user.is_superuser = True
    assert selectors.roles_of(kabid.user) == [ROLE_EMPLOYEE, ROLE_SUPERVISOR, ROLE_HR_ADMIN, ROLE_SUPERUSER]


def test_it_drops_the_plh_role_once_the_delegation_ends(plh):
    delegation = Delegation.objects.get(delegate=plh)
    assert selectors.roles_of(plh.user, day=delegation.end) == [ROLE_EMPLOYEE, ROLE_SUPERVISOR]
    assert selectors.roles_of(plh.user, day=delegation.end + dt.timedelta(days=1)) == [ROLE_EMPLOYEE]
    assert selectors.roles_of(plh.user, day=delegation.start - dt.timedelta(days=1)) == [ROLE_EMPLOYEE]
    with time_machine.travel(delegation.end + dt.timedelta(days=2), tick=False):
        assert selectors.roles_of(plh.user) == [ROLE_EMPLOYEE]


def test_it_drops_the_plh_role_once_the_delegation_is_revoked(plh):
    Delegation.objects.filter(delegate=plh).update(revoked_at=timezone.now())
    assert selectors.roles_of(plh.user) == [ROLE_EMPLOYEE]
    assert not selectors.active_delegations_for(plh).exists()


def test_it_stops_counting_inactive_reports(kabid, ani, budi):
    Employee.objects.filter(pk__in=[ani.pk, budi.pk]).update(is_active=False)
    assert selectors.roles_of(kabid.user) == [ROLE_EMPLOYEE]


def test_it_gives_no_employee_roles_to_a_deactivated_employee(kabid, ani):
    kabid.is_active = False
    employee_save(actor=None, employee=kabid)
    assert selectors.roles_of(kabid.user) == []


# --- scoped reads --------------------------------------------------------------------


def test_it_shows_hr_their_subtree_of_units(cast, pemkot, dinkes, bidang_p2p, upt, pemprov_lain, hr, hr_other):
    assert set(selectors.units_visible_to(hr)) == {dinkes, bidang_p2p, upt}
    assert set(selectors.units_visible_to(hr_other)) == {pemprov_lain}


def test_it_shows_no_units_to_employees_and_all_to_superusers(cast, ani, kabid, superuser):
    assert not selectors.units_visible_to(ani.user).exists()
    assert not selectors.units_visible_to(kabid.user).exists()
    assert not selectors.units_visible_to(AnonymousUser()).exists()
    assert selectors.units_visible_to(superuser).count() == Unit.objects.count() == 5


def test_it_shows_hr_the_employees_of_their_subtree(cast, kadis, kabid, ani, budi, plh, outsider, hr, hr_other):
    assert set(selectors.employees_visible_to(hr)) == {kadis, kabid, ani, budi, plh, cast}
    assert set(selectors.employees_visible_to(hr_other)) == {outsider}


def test_it_shows_no_employees_to_employees_and_all_to_superusers(cast, ani, plh, superuser):
    assert not selectors.employees_visible_to(ani.user).exists()
    assert not selectors.employees_visible_to(plh.user).exists()
    assert selectors.employees_visible_to(superuser).count() == Employee.objects.count() == 7


def test_it_scopes_the_audit_trail(cast, pemkot, dinkes, ani, outsider, hr, hr_other, superuser):
    for employee in (ani, outsider):
        employee.jabatan = "Jabatan baru"
        employee_save(actor=superuser, employee=employee)

    seen_by_hr = selectors.audit_events_visible_to(hr)
    seen_by_other = selectors.audit_events_visible_to(hr_other)
    assert seen_by_hr.filter(verb="employee.updated", object_id=str(ani.pk)).exists()
    assert not seen_by_hr.filter(object_id=str(outsider.pk), object_type="portal.employee").exists()
    assert not seen_by_hr.filter(unit=pemkot).exists()  # the parent institution is outside dinkes
    assert {e.unit.code for e in seen_by_hr} == {"DINKES", "DINKES-P2P", "DINKES-UPT1"}
    assert {e.unit.code for e in seen_by_other} == {"PEMPROV-X"}
    assert not selectors.audit_events_visible_to(ani.user).exists()
    assert selectors.audit_events_visible_to(superuser).count() == AuditEvent.objects.count()
