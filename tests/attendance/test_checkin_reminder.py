"""The missing check-in reminder: working days only, per zone, not for approved absences,
but yes for WFH/WFA (they check in too); once per person and day, also through the task."""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core import mail

from attendance.models import Punch
from attendance.services.reminders import send_missing_checkin_reminders
from attendance.tasks import missing_checkin_reminder
from portal.models import Notification, User
from scheduling import services
from scheduling.models import Kind
from tests.factories import EmployeeFactory, UserFactory, pdf_upload

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
TUE = dt.date(2026, 12, 8)
SAT = dt.date(2026, 12, 12)
CHRISTMAS = dt.date(2026, 12, 25)


def at(day: dt.date, hour: int = 9, minute: int = 0, tz=WIB):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz), tick=False)


def approved(employee, kind, day, approver):
    with at(dt.date(2026, 12, 1)):
        # Dinas luar carries its surat tugas.
        evidence = [pdf_upload()] if kind == Kind.DL else []
        (created,) = services.request_submit(actor=employee.user, kind=kind, dates=[day],
                                             reason="Keperluan keluarga", evidence=evidence).days
        services.request_day_approve(actor=approver.user, day_id=created.pk)


def punch_in(employee, day, *, unit=None, hour=7):
    return Punch.objects.create(employee=employee, unit=unit or employee.unit, date=day,
                                check_in_at=dt.datetime.combine(day, dt.time(hour, 20), tzinfo=WIB))


def reminded():
    return Counter(Notification.objects.filter(kind="reminder.checkin").values_list("recipient__username", flat=True))


@pytest.fixture
def office(bidang_p2p, upt, kadis, kabid, ani, budi):
    """Bidang P2P (WIB) with people in every situation on Tuesday 8 December 2026."""
    people = {name: EmployeeFactory(unit=bidang_p2p, supervisor=kabid, user=UserFactory(username=name))
              for name in ("cuti", "sakit", "dinas", "wfa")}
    approved(people["cuti"], Kind.CT, TUE, kabid)
    approved(people["sakit"], Kind.SAKIT, TUE, kabid)
    approved(people["dinas"], Kind.DL, TUE, kabid)
    approved(budi, Kind.WFH, TUE, kabid)
    with at(dt.date(2026, 12, 1)):
        (wfa,) = services.request_submit(actor=people["wfa"].user, kind=Kind.WFA, dates=[TUE],
                                         location="Rumah orang tua, Bogor").days
        services.request_day_approve(actor=kabid.user, day_id=wfa.pk)
    punch_in(ani, TUE)
    punch_in(kadis, TUE, unit=upt)  # visiting the UPT (a WITA office) and checked in there
    return people


@pytest.fixture
def upt_nurse(upt):
    return EmployeeFactory(unit=upt, user=UserFactory(username="perawat"))


def test_it_reminds_those_without_a_check_in_and_spares_the_absent(office, upt_nurse, outsider):
    with at(TUE, 8, 30):  # 08:30 WIB; today comes from the zone's clock
        assert send_missing_checkin_reminders(tz="Asia/Jakarta") == 3
    # kabid has nothing; budi is on WFH and wfa on WFA: both still check in.
    assert reminded() == {"kabid": 1, "budi": 1, "wfa": 1}


def test_it_sends_nothing_new_the_second_time(office):
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=TUE) == 3
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=TUE) == 0
    assert sum(reminded().values()) == 3


def test_it_still_reminds_someone_whose_punch_has_no_check_in(office, kabid):
    Punch.objects.create(employee=kabid, unit=kabid.unit, date=TUE)  # a row, but no check-in yet
    send_missing_checkin_reminders(tz="Asia/Jakarta", today=TUE)
    assert "kabid" in reminded()


def test_it_sends_nothing_on_weekends_and_holidays(office):
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=SAT) == 0
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=CHRISTMAS) == 0
    assert reminded() == {}


def test_it_reminds_each_zone_in_its_own_run(ani, kabid, kadis, upt_nurse, outsider):
    for person in (ani, kabid, kadis):
        punch_in(person, TUE)
    # 08:30 WITA is 07:30 WIB: the WITA run reminds the UPT (under a WIB Dinas) and the
    # other province, and the WIB run, later, nobody else.
    with at(TUE, 8, 30, tz=zoneinfo.ZoneInfo("Asia/Makassar")):
        assert send_missing_checkin_reminders(tz="Asia/Makassar") == 2
    assert reminded() == {"perawat": 1, "luar": 1}
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=TUE) == 0


def test_it_mails_each_person_once_through_the_task(office, django_capture_on_commit_callbacks):
    for user in User.objects.all():
        user.email = f"{user.username}@contoh.go.id"
        user.save(update_fields=["email"])
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            missing_checkin_reminder.apply(kwargs={"tz": "Asia/Jakarta", "today": TUE.isoformat()}).get()
    assert Counter(to for m in mail.outbox for to in m.to) == {
        "kabid@contoh.go.id": 1, "budi@contoh.go.id": 1, "wfa@contoh.go.id": 1}
    assert all("presensi masuk" in m.subject for m in mail.outbox)


def test_it_reminds_the_same_people_when_a_zone_spans_many_chunks(office, monkeypatch):
    from attendance.services import reminders

    monkeypatch.setattr(reminders, "CHUNK", 2)  # 8 people in the zone: four chunks
    assert send_missing_checkin_reminders(tz="Asia/Jakarta", today=TUE) == 3
    assert reminded() == {"kabid": 1, "budi": 1, "wfa": 1}
