"""Usul perbaikan presensi: submit, decide (also as Plh), HR direct correction, scope, audit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from attendance.models import Correction, CorrectionStatus, DayStatus, Punch
from attendance.services.corrections import (
    correction_decide,
    correction_hr_apply,
    correction_submit,
    correction_withdraw,
)
from attendance.services.presence import punch_check_in, punch_check_out
from portal.models import AuditEvent
from tests.factories import EmployeeFactory

WIB = ZoneInfo("Asia/Jakarta")
TUESDAY = dt.date(2026, 12, 1)
WEDNESDAY = dt.date(2026, 12, 2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _frozen():
    """Wednesday morning; created before the cast so the Plh's delegation covers it."""
    with time_machine.travel(at(WEDNESDAY, 9, 0), tick=False):
        yield


@pytest.fixture
def late_tuesday(ani):
    """Ani checked in at 09:02 on Tuesday (TL4) and out at 16:05."""
    with time_machine.travel(at(TUESDAY, 9, 2), tick=False) as clock:
        punch_check_in(actor=ani.user)
        clock.move_to(at(TUESDAY, 16, 5))
        punch, _ = punch_check_out(actor=ani.user)
    return punch


def submit(employee, day=TUESDAY, **kwargs) -> Correction:
    values = {"check_in": dt.time(7, 25), "reason": "Jaringan kantor putus pagi itu.", **kwargs}
    return correction_submit(actor=employee.user, date=day, **values)


def test_it_recomputes_the_day_from_the_approved_times_and_keeps_the_original_punch(ani, kabid, late_tuesday):
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).tl_level == 4
    correction = submit(ani)
    assert correction.status == CorrectionStatus.PENDING
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).tl_level == 4  # pending changes nothing

    decided = correction_decide(actor=kabid.user, correction_id=correction.pk, approve=True)

    assert decided.status == CorrectionStatus.APPROVED and decided.decided_by == kabid.user
    status = DayStatus.objects.get(employee=ani, date=TUESDAY)
    assert (status.code, status.tl_level, status.tl_minutes) == ("HADIR", None, 0)
    punch = Punch.objects.get(pk=late_tuesday.pk)
    assert punch.check_in_at == at(TUESDAY, 9, 2)  # the original stays
    assert correction.check_in_at == at(TUESDAY, 7, 25)


def test_it_writes_an_audit_trail_for_every_step(ani, kabid, late_tuesday):
    correction = submit(ani)
    correction_decide(actor=kabid.user, correction_id=correction.pk, approve=True)
    events = list(AuditEvent.objects.filter(object_type="attendance.correction", object_id=str(correction.pk))
                  .order_by("id"))
    assert [e.verb for e in events] == ["correction.submitted", "correction.approved"]
    assert events[0].actor == ani.user and events[0].after["check_in"] == "2026-12-01T07:25:00+07:00"
    assert events[1].actor == kabid.user and events[1].before == {"status": "pending"}
    assert events[1].unit_id == ani.unit_id


def test_it_requires_a_reason_to_reject(ani, kabid, late_tuesday):
    correction = submit(ani)
    with pytest.raises(ValidationError) as exc:
        correction_decide(actor=kabid.user, correction_id=correction.pk, approve=False, reason="  ")
    assert "reason" in exc.value.message_dict
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING
    rejected = correction_decide(actor=kabid.user, correction_id=correction.pk, approve=False,
                                 reason="Tidak ada gangguan jaringan.")
    assert rejected.status == CorrectionStatus.REJECTED
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).tl_level == 4


def test_it_decides_only_once_on_a_double_click(ani, kabid, late_tuesday):
    correction = submit(ani)
    correction_decide(actor=kabid.user, correction_id=correction.pk, approve=True)
    again = correction_decide(actor=kabid.user, correction_id=correction.pk, approve=False, reason="berubah pikiran")
    assert again.status == CorrectionStatus.APPROVED
    assert AuditEvent.objects.filter(verb__in=["correction.approved", "correction.rejected"]).count() == 1


def test_it_lets_the_plh_decide_and_records_whom_they_act_for(ani, kabid, plh, late_tuesday):
    correction = submit(ani)
    decided = correction_decide(actor=plh.user, correction_id=correction.pk, approve=True)
    assert decided.acting_for == "Plh. Kepala Bidang P2P"
    event = AuditEvent.objects.get(verb="correction.approved")
    assert event.actor == plh.user and event.acting_for == "Plh. Kepala Bidang P2P"


@pytest.mark.parametrize("who", ["outsider", "budi", "kadis"])
def test_it_hides_the_correction_from_anyone_but_the_supervisor(request, who, ani, late_tuesday):
    """A colleague, the supervisor's own boss and someone of another institution all get 404."""
    correction = submit(ani)
    user = request.getfixturevalue(who).user
    with pytest.raises(Http404):
        correction_decide(actor=user, correction_id=correction.pk, approve=True)
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


def test_it_never_lets_a_plh_decide_their_own_correction(plh):
    correction = submit(plh)
    with pytest.raises(Http404):
        correction_decide(actor=plh.user, correction_id=correction.pk, approve=True)


def test_it_lets_hr_correct_directly_and_withdraws_a_pending_proposal(ani, hr, late_tuesday):
    pending = submit(ani)
    applied = correction_hr_apply(actor=hr, employee_id=ani.pk, date=TUESDAY, check_in=dt.time(7, 30),
                                  reason="Server presensi padam 07.00–08.30.")
    assert applied.status == CorrectionStatus.APPROVED and applied.decided_by == hr
    assert Correction.objects.get(pk=pending.pk).status == CorrectionStatus.WITHDRAWN
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).code == "HADIR"
    assert Punch.objects.get(pk=late_tuesday.pk).check_in_at == at(TUESDAY, 9, 2)
    event = AuditEvent.objects.get(verb="correction.applied")
    assert event.actor == hr and event.after["reason"] == "Server presensi padam 07.00–08.30."


def test_it_hides_employees_of_another_institution_from_hr(ani, hr_other, late_tuesday):
    with pytest.raises(Http404):
        correction_hr_apply(actor=hr_other, employee_id=ani.pk, date=TUESDAY, check_in=dt.time(7, 30),
                            reason="x")
    assert not Correction.objects.exists()


def test_it_corrects_a_day_without_any_punch(ani, hr):
    """A missed day (TK) becomes present once HR records both times."""
    correction_hr_apply(actor=hr, employee_id=ani.pk, date=TUESDAY, check_in=dt.time(7, 20),
                        check_out=dt.time(16, 10), reason="Gangguan server sepanjang hari.")
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).code == "HADIR"
    assert not Punch.objects.exists()


@pytest.mark.parametrize(("day", "kwargs", "field"), [
    (WEDNESDAY + dt.timedelta(days=1), {}, "date"),
    (WEDNESDAY - dt.timedelta(days=40), {}, "date"),
    (TUESDAY, {"check_in": None}, "check_in"),
    (TUESDAY, {"check_in": dt.time(16, 0), "check_out": dt.time(8, 0)}, "check_out"),
    (TUESDAY, {"reason": "   "}, "reason"),
])
def test_it_refuses_a_correction_that_makes_no_sense(ani, day, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        submit(ani, day, **kwargs)
    assert field in exc.value.message_dict
    assert not Correction.objects.exists()


def test_it_allows_one_pending_correction_per_day(ani):
    submit(ani)
    with pytest.raises(ValidationError) as exc:
        submit(ani, check_in=dt.time(7, 0))
    assert "date" in exc.value.message_dict


def test_it_lets_only_the_owner_withdraw_a_pending_correction(ani, budi):
    correction = submit(ani)
    with pytest.raises(Http404):
        correction_withdraw(actor=budi.user, correction_id=correction.pk)
    assert correction_withdraw(actor=ani.user, correction_id=correction.pk).status == CorrectionStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        correction_withdraw(actor=ani.user, correction_id=correction.pk)
    assert AuditEvent.objects.filter(verb="correction.withdrawn").count() == 1


def test_it_keeps_evidence_checked_by_content(ani, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    good = submit(ani, evidence=SimpleUploadedFile("bukti.png", PNG, content_type="image/png"))
    assert good.evidence.read() == PNG
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        submit(ani, WEDNESDAY, evidence=fake)
    assert "evidence" in exc.value.message_dict
    big = SimpleUploadedFile("besar.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError):
        submit(ani, WEDNESDAY, evidence=big)
    assert Correction.objects.count() == 1


def test_it_lets_an_employee_of_a_wita_unit_correct_in_local_time(upt, kabid):
    """The proposed 07:25 is 07:25 WITA, i.e. 23:25 UTC the day before."""
    nurse = EmployeeFactory(unit=upt, supervisor=kabid)
    correction = submit(nurse)
    assert correction.check_in_at == dt.datetime(2026, 11, 30, 23, 25, tzinfo=dt.UTC)
