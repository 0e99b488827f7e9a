"""Services re-check permissions: admin actions, Celery tasks and the shell call them
directly, with no view in front, so the wrong actor must get Http404/PermissionDenied
(out of scope: 404) and nothing may be written.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from attendance.models import Correction, CorrectionStatus, ExportJob
from attendance.services.corrections import (
    correction_decide,
    correction_hr_apply,
    correction_submit,
    correction_withdraw,
)
from attendance.services.export_jobs import export_job_create, export_job_for_download, export_job_for_owner
from attendance.services.presence import punch_check_in
from portal.models import AuditEvent, Delegation, Employee, HRAdminScope, Unit, UnitKind
from portal.services.notify import notifications_mark_read, notify
from portal.services.org import (
    delegation_revoke,
    delegation_save,
    employee_save,
    hr_scope_grant,
    hr_scope_revoke,
    unit_save,
)
from scheduling.models import CoveragePolicy, FwaWindow, RequestDay, Status
from scheduling.services import (
    coverage_policy_save,
    fwa_window_open,
    request_day_approve,
    request_day_cancel,
    request_day_reject,
    request_day_withdraw,
    request_submit,
    requests_decide_bulk,
)
from tests.factories import EmployeeFactory, UserFactory
from tests.security.conftest import FUTURE_WORKING_DAY, NOW, PAST_WORKING_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def other_sup(upt, kadis):
    """A supervisor in another unit of the same institution: decides, but not for ani."""
    boss = EmployeeFactory(name="Dedi", unit=upt, supervisor=kadis, user=UserFactory(username="dedi"))
    EmployeeFactory(unit=upt, supervisor=boss)
    return boss


@pytest.fixture
def ani_day(ani):
    return request_submit(actor=ani.user, kind="WFH", dates=[FUTURE_WORKING_DAY]).days[0]


@pytest.fixture
def ani_correction(ani):
    return correction_submit(actor=ani.user, date=PAST_WORKING_DAY, check_in=dt.time(7, 25), reason="Putus.")


def audit_count() -> int:
    return AuditEvent.objects.count()


# --- Requests -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_sup", "budi", "hr", "hr_other", "kadis"])
def test_it_refuses_a_decision_on_a_day_the_actor_does_not_decide(request, who, ani_day, plh):
    actor = request.getfixturevalue(who)
    user = getattr(actor, "user", actor)
    before = audit_count()
    with pytest.raises(Http404):
        request_day_approve(actor=user, day_id=ani_day.pk)
    with pytest.raises(Http404):
        request_day_reject(actor=user, day_id=ani_day.pk, reason="Tidak.")
    assert RequestDay.objects.get(pk=ani_day.pk).status == Status.PENDING and audit_count() == before


def test_it_refuses_an_employee_deciding_their_own_day_even_as_plh(ani_day, ani, kabid):
    from tests.factories import DelegationFactory

    DelegationFactory(delegator=kabid, delegate=ani)  # ani is Plh of her own supervisor
    with pytest.raises(Http404):
        request_day_approve(actor=ani.user, day_id=ani_day.pk)


def test_it_reports_out_of_scope_days_in_a_bulk_decision_without_deciding_them(ani_day, other_sup):
    results = requests_decide_bulk(actor=other_sup.user, day_ids=[ani_day.pk], action="approve")
    assert [r["ok"] for r in results] == [False]
    assert RequestDay.objects.get(pk=ani_day.pk).status == Status.PENDING


def test_it_lets_only_the_owner_withdraw_or_cancel(ani_day, kabid, hr, superuser):
    for user in (kabid.user, hr, superuser):
        with pytest.raises(Http404):
            request_day_withdraw(actor=user, day_id=ani_day.pk)
        with pytest.raises(Http404):
            request_day_cancel(actor=user, day_id=ani_day.pk)
    assert RequestDay.objects.get(pk=ani_day.pk).status == Status.PENDING


def test_it_refuses_a_request_from_an_account_without_an_employee(hr):
    with pytest.raises(PermissionDenied):
        request_submit(actor=hr, kind="WFH", dates=[FUTURE_WORKING_DAY])


# --- HR: FWA windows, policies ----------------------------------------------------------------


def test_it_refuses_an_fwa_window_over_another_institution(hr_other, dinkes, bidang_p2p):
    with pytest.raises(Http404):
        fwa_window_open(actor=hr_other, name="Libur Natal", start=dt.date(2026, 12, 28),
                        end=dt.date(2026, 12, 31), units=[dinkes, bidang_p2p])
    assert not FwaWindow.objects.exists()


def test_it_refuses_an_fwa_window_mixing_in_and_out_of_scope_units(hr, bidang_p2p, pemprov_lain):
    with pytest.raises(Http404):
        fwa_window_open(actor=hr, name="Campur", start=dt.date(2026, 12, 28), end=dt.date(2026, 12, 31),
                        units=[bidang_p2p, pemprov_lain])
    assert not FwaWindow.objects.exists()


@pytest.mark.parametrize("who", ["hr_other", "kabid"])
def test_it_refuses_a_coverage_policy_out_of_scope(request, who, bidang_p2p):
    actor = request.getfixturevalue(who)
    with pytest.raises(Http404):
        coverage_policy_save(actor=getattr(actor, "user", actor), unit=bidang_p2p,
                             data={"effective_from": dt.date(2027, 1, 1), "min_office_share": 50})
    assert not CoveragePolicy.objects.exists()


def test_it_refuses_to_move_a_policy_to_another_unit(hr, bidang_p2p, upt):
    policy = coverage_policy_save(actor=hr, unit=upt, data={"effective_from": dt.date(2027, 1, 1)})
    with pytest.raises(Http404):
        coverage_policy_save(actor=hr, unit=bidang_p2p, policy=policy, data={"effective_from": dt.date(2027, 2, 1)})
    assert CoveragePolicy.objects.get(pk=policy.pk).unit_id == upt.pk


# --- Attendance: corrections, exports, check-in ----------------------------------------------


@pytest.mark.parametrize("who", ["hr_other", "kabid"])
def test_it_refuses_an_hr_correction_out_of_scope(request, who, ani):
    actor = request.getfixturevalue(who)
    before = audit_count()
    with pytest.raises(Http404):
        correction_hr_apply(actor=getattr(actor, "user", actor), employee_id=ani.pk, date=PAST_WORKING_DAY,
                            check_in=dt.time(7, 30), reason="Server padam.")
    assert not Correction.objects.exists() and audit_count() == before


@pytest.mark.parametrize("who", ["other_sup", "hr", "hr_other", "budi"])
def test_it_refuses_a_correction_decision_out_of_scope(request, who, ani_correction):
    actor = request.getfixturevalue(who)
    with pytest.raises(Http404):
        correction_decide(actor=getattr(actor, "user", actor), correction_id=ani_correction.pk, approve=True)
    assert Correction.objects.get(pk=ani_correction.pk).status == CorrectionStatus.PENDING


def test_it_lets_only_the_owner_withdraw_a_correction(ani_correction, kabid, hr):
    for user in (kabid.user, hr):
        with pytest.raises(Http404):
            correction_withdraw(actor=user, correction_id=ani_correction.pk)
    assert Correction.objects.get(pk=ani_correction.pk).status == CorrectionStatus.PENDING


@pytest.mark.parametrize("who", ["hr_other", "ani", "other_sup"])
def test_it_refuses_an_export_job_out_of_scope(request, who, bidang_p2p, kabid):
    actor = request.getfixturevalue(who)
    with pytest.raises(Http404):
        export_job_create(actor=getattr(actor, "user", actor), report="monthly-recap", unit_id=bidang_p2p.pk,
                          month="2026-11", format="csv")
    assert not ExportJob.objects.exists()


def test_it_hides_an_export_job_from_everyone_but_its_owner(hr, hr_other, superuser, dinkes):
    job = export_job_create(actor=hr, report="monthly-recap", unit_id=dinkes.pk, month="2026-11", format="csv")
    for user in (hr_other, superuser):
        with pytest.raises(Http404):
            export_job_for_owner(user, job.pk)
        with pytest.raises(Http404):
            export_job_for_download(user, job.pk)


def test_it_refuses_a_download_once_the_owner_lost_the_scope(hr, dinkes):
    from attendance.services.export_jobs import export_job_run

    job = export_job_create(actor=hr, report="monthly-recap", unit_id=dinkes.pk, month="2026-11", format="csv")
    export_job_run(job_id=job.pk)
    HRAdminScope.objects.filter(user=hr).delete()
    with pytest.raises(Http404):
        export_job_for_download(hr, job.pk)


def test_it_refuses_a_check_in_from_an_account_without_an_employee(hr):
    with pytest.raises(PermissionDenied):
        punch_check_in(actor=hr)


# --- Notifications, organisation -----------------------------------------------------------


def test_it_marks_nobody_elses_notifications_read(ani, kabid):
    note = notify(recipient=ani.user, key="k", kind="test", subject=lambda p: "S", body=lambda p: "B")
    assert notifications_mark_read(actor=kabid.user, ids=[note.pk]) == 0
    note.refresh_from_db()
    assert note.read_at is None


def test_it_refuses_a_delegation_revoke_out_of_scope(hr_other, kabid, plh):
    delegation = Delegation.objects.get(delegate=plh)
    with pytest.raises(Http404):
        delegation_revoke(actor=hr_other, delegation=delegation)
    with pytest.raises(Http404):
        delegation_revoke(actor=kabid.user, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None


def test_it_lets_only_a_superuser_grant_or_revoke_hr_scopes(hr, hr_other, dinkes):
    with pytest.raises(Http404):
        hr_scope_grant(actor=hr, user=hr_other, unit=dinkes)
    scope = HRAdminScope.objects.get(user=hr)
    with pytest.raises(Http404):
        hr_scope_revoke(actor=hr_other, scope=scope)
    assert HRAdminScope.objects.filter(pk=scope.pk).exists()


def test_it_refuses_an_employee_change_by_hr_of_another_institution(hr_other, ani):
    ani.jabatan = "Diubah dari luar"
    with pytest.raises(Http404):
        employee_save(actor=hr_other, employee=ani)
    assert Employee.objects.get(pk=ani.pk).jabatan != "Diubah dari luar"


def test_it_refuses_moving_an_employee_out_of_the_hr_scope(hr, ani, pemprov_lain):
    ani.unit = pemprov_lain
    with pytest.raises(Http404):
        employee_save(actor=hr, employee=ani)


def test_it_refuses_a_unit_change_out_of_scope(hr_other, hr, bidang_p2p, pemprov_lain):
    bidang_p2p.name = "Diubah dari luar"
    with pytest.raises(Http404):
        unit_save(actor=hr_other, unit=bidang_p2p)
    with pytest.raises(Http404):
        unit_save(actor=hr, unit=Unit(code="X-1", name="Di luar", kind=UnitKind.BIDANG, parent=pemprov_lain))
    assert Unit.objects.get(pk=bidang_p2p.pk).name == "Bidang P2P"


def test_it_refuses_a_delegation_out_of_scope(hr_other, kabid, budi):
    with pytest.raises(Http404):
        delegation_save(actor=hr_other, delegation=Delegation(kind="plh", delegator=kabid, delegate=budi,
                                                              start=dt.date(2026, 12, 14), end=dt.date(2026, 12, 18)))
    assert not Delegation.objects.filter(delegate=budi).exists()
