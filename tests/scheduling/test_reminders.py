"""Reminders, escalation and expiry: the services at each zone's local hour, and the Celery
tasks run eagerly, twice, counting the emails that really leave.

Calendar used (2026): Mon 7 - Fri 11 December is a plain week; Thu 24 December is cuti
bersama and Fri 25 December Christmas, so the working day after Wed 23 December is Mon 28.
"""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core import mail

import attendance.tasks  # noqa: F401 - registers the staffing refresh that decisions enqueue
from portal.models import AuditEvent, Delegation, Notification, User
from portal.services import notify
from scheduling import services, tasks
from scheduling.models import Kind, RequestDay, Status
from scheduling.services import reminders
from tests.factories import EmployeeFactory, UserFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
THU = dt.date(2026, 12, 3)
FRI = dt.date(2026, 12, 4)
SAT = dt.date(2026, 12, 5)
MON = dt.date(2026, 12, 7)
TUE = dt.date(2026, 12, 8)
HOLIDAY_EVE = dt.date(2026, 12, 23)  # Wednesday; Thu 24 and Fri 25 are off
CUTI_BERSAMA = dt.date(2026, 12, 24)
AFTER_CHRISTMAS = dt.date(2026, 12, 28)


def at(day: dt.date, hour: int = 9, tz=WIB):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=tz), tick=False)


def submit(employee, kind, day, *, now=dt.date(2026, 12, 1)):
    location = "Rumah orang tua, Bandung" if kind == Kind.WFA else ""
    with at(now):
        (created,) = services.request_submit(actor=employee.user, kind=kind, dates=[day], location=location).days
    return created


def approve(day, approver):
    with at(dt.date(2026, 12, 1), 10):
        services.request_day_approve(actor=approver.user, day_id=day.pk)


def reject(day, approver):
    with at(dt.date(2026, 12, 1), 10):
        services.request_day_reject(actor=approver.user, day_id=day.pk, reason="Rapat tim")


def notes(kind):
    return Counter(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def mailed():
    return Counter(to for m in mail.outbox for to in m.to)


@pytest.fixture
def emails(db):
    """Gives every user made so far an address, so deliveries reach mail.outbox."""

    def give():
        for user in User.objects.filter(email=""):
            user.email = f"{user.username}@contoh.go.id"
            user.save(update_fields=["email"])

    return give


@pytest.fixture
def plh_in_december(plh):
    Delegation.objects.filter(delegate=plh).update(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 4))
    return plh


@pytest.fixture
def upt_team(upt):
    """A WITA unit: a head and one nurse who reports to her."""
    head = EmployeeFactory(name="Kepala UPT", unit=upt, user=UserFactory(username="kapus"))
    upt.head = head
    upt.save(update_fields=["head"])
    nurse = EmployeeFactory(name="Perawat", unit=upt, supervisor=head, user=UserFactory(username="perawat"))
    return head, nurse


# --- Morning digest -------------------------------------------------------------------

def test_it_sends_one_digest_to_the_supervisor_and_the_active_plh(ani, kabid, plh_in_december):
    submit(ani, Kind.WFH, MON)
    submit(ani, Kind.WFH, TUE)
    with at(THU, 7):  # 07:00 WIB; today comes from the zone's clock
        assert reminders.send_pending_digests(tz="Asia/Jakarta") == 2
        assert reminders.send_pending_digests(tz="Asia/Jakarta") == 0
    assert notes("digest.pending") == {"kabid": 1, "citra": 1}
    digest = Notification.objects.get(kind="digest.pending", recipient=kabid.user)
    assert digest.params["subject"] == "2 pengajuan menunggu persetujuan Anda"
    assert digest.params["first"] == MON.isoformat()


def test_it_keeps_the_plh_out_of_the_digest_after_the_delegation_ends(ani, kabid, plh_in_december):
    submit(ani, Kind.WFH, MON)
    assert reminders.send_pending_digests(tz="Asia/Jakarta", today=MON) == 1
    assert notes("digest.pending") == {"kabid": 1}


def test_it_does_not_count_the_plhs_own_request_in_her_digest(ani, kabid, plh_in_december):
    submit(ani, Kind.WFH, MON)
    submit(plh_in_december, Kind.WFH, TUE)
    reminders.send_pending_digests(tz="Asia/Jakarta", today=THU)
    counts = dict(Notification.objects.filter(kind="digest.pending").values_list("recipient__username",
                                                                                 "params__count"))
    assert counts == {"kabid": 2, "citra": 1}


def test_it_sends_the_digest_in_the_supervisors_own_zone(ani, kabid, upt_team):
    head, nurse = upt_team
    submit(nurse, Kind.WFH, MON)
    submit(ani, Kind.WFH, MON)
    with at(THU, 7, WITA):  # 07:00 WITA is 06:00 WIB: only the WITA run is due
        assert reminders.send_pending_digests(tz="Asia/Makassar") == 1
    assert notes("digest.pending") == {"kapus": 1}
    with at(THU, 7, WIB):
        assert reminders.send_pending_digests(tz="Asia/Jakarta") == 1
    assert notes("digest.pending") == {"kapus": 1, "kabid": 1}


def test_it_counts_reports_in_other_zones_in_one_digest_at_the_supervisors_hour(kadis, upt_team, kabid):
    head, _nurse = upt_team
    head.supervisor = kadis  # the WITA head of the UPT reports to the WIB head of the Dinas
    head.save(update_fields=["supervisor"])
    submit(head, Kind.WFH, MON)
    submit(kabid, Kind.WFH, TUE)
    assert reminders.send_pending_digests(tz="Asia/Makassar", today=THU) == 0
    assert reminders.send_pending_digests(tz="Asia/Jakarta", today=THU) == 1
    digest = Notification.objects.get(kind="digest.pending")
    assert (digest.recipient, digest.params["count"]) == (kadis.user, 2)


def test_it_sends_no_digest_on_a_holiday(ani, kabid):
    submit(ani, Kind.WFH, AFTER_CHRISTMAS)
    assert reminders.send_pending_digests(tz="Asia/Jakarta", today=CUTI_BERSAMA) == 0
    assert reminders.send_pending_digests(tz="Asia/Jakarta", today=HOLIDAY_EVE) == 1


# --- Reminder the working day before ----------------------------------------------------

def test_it_reminds_on_friday_of_an_approved_wfh_on_monday(ani, budi, kabid, bidang_p2p):
    approve(submit(ani, Kind.WFH, MON), kabid)
    submit(budi, Kind.WFH, MON)  # still pending
    cici = EmployeeFactory(unit=bidang_p2p, supervisor=kabid, user=UserFactory(username="cici"))
    reject(submit(cici, Kind.WFH, MON), kabid)
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=THU) == 0  # Friday is next
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=SAT) == 0
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=FRI) == 1
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=FRI) == 0
    note = Notification.objects.get(kind="reminder.flexible")
    assert note.recipient == ani.user and note.params["date"] == MON.isoformat()
    assert "Senin, 7 Desember 2026" in note.params["subject"]  # not "besok": it is Friday


def test_it_reminds_before_a_holiday_bridge_for_the_next_working_day(ani, budi, kabid):
    approve(submit(ani, Kind.WFH, AFTER_CHRISTMAS), kabid)
    approve(submit(budi, Kind.WFA, AFTER_CHRISTMAS + dt.timedelta(days=1)), kabid)
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=CUTI_BERSAMA) == 0
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=HOLIDAY_EVE) == 1
    assert notes("reminder.flexible") == {"ani": 1}


def test_it_reminds_a_wita_unit_only_in_the_wita_run(upt_team):
    head, nurse = upt_team
    approve(submit(nurse, Kind.WFH, MON), head)
    assert reminders.send_upcoming_reminders(tz="Asia/Jakarta", today=FRI) == 0
    assert reminders.send_upcoming_reminders(tz="Asia/Makassar", today=FRI) == 1


# --- Escalation -------------------------------------------------------------------------

def test_it_escalates_to_the_supervisors_supervisor_and_the_units_hr(ani, kabid, kadis, hr, hr_other):
    submit(ani, Kind.WFH, MON)
    submit(ani, Kind.WFH, TUE)  # not yet: two working days away
    assert reminders.escalate_pending(tz="Asia/Jakarta", today=FRI) == 2
    assert reminders.escalate_pending(tz="Asia/Jakarta", today=FRI) == 0
    assert notes("request.escalated") == {"kadis": 1, "hr_dinkes": 1}
    roles = dict(Notification.objects.filter(kind="request.escalated").values_list("recipient__username",
                                                                                  "params__role"))
    assert roles == {"kadis": "atasan", "hr_dinkes": "hr"}


def test_it_does_not_escalate_a_decided_day(ani, budi, kabid, kadis, hr):
    approve(submit(ani, Kind.WFH, MON), kabid)
    reject(submit(budi, Kind.WFH, MON), kabid)
    assert reminders.escalate_pending(tz="Asia/Jakarta", today=FRI) == 0


def test_it_escalates_before_a_holiday_bridge_and_not_on_the_holiday(ani, kabid, kadis, hr):
    submit(ani, Kind.WFH, AFTER_CHRISTMAS)
    assert reminders.escalate_pending(tz="Asia/Jakarta", today=CUTI_BERSAMA) == 0
    assert reminders.escalate_pending(tz="Asia/Jakarta", today=HOLIDAY_EVE) == 2


# --- Expiry ------------------------------------------------------------------------------

def test_it_expires_pending_days_whose_date_passed(ani, budi, kabid):
    pending = submit(ani, Kind.WFH, MON)
    approved = submit(budi, Kind.WFH, MON)
    approve(approved, kabid)
    later = submit(ani, Kind.WFH, dt.date(2026, 12, 9))
    with at(TUE):
        assert services.request_days_expire(today=TUE) == 1
        assert services.request_days_expire(today=TUE) == 0
    statuses = dict(RequestDay.objects.values_list("pk", "status"))
    assert statuses == {pending.pk: Status.EXPIRED, approved.pk: Status.APPROVED, later.pk: Status.PENDING}
    assert AuditEvent.objects.filter(verb="request_day.expired", object_id=str(pending.pk)).count() == 1
    assert notes("request.expired") == {"ani": 1}


# --- The tasks, eagerly, twice: one email per recipient and event ----------------------

def run_twice(task, django_capture_on_commit_callbacks, **kwargs):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            task.apply(kwargs=kwargs).get()


def test_it_mails_each_digest_once_from_the_task(ani, kabid, plh_in_december, emails,
                                                 django_capture_on_commit_callbacks):
    submit(ani, Kind.WFH, MON)
    emails()
    mail.outbox.clear()
    run_twice(tasks.pending_digest, django_capture_on_commit_callbacks, tz="Asia/Jakarta", today=THU.isoformat())
    assert mailed() == {"kabid@contoh.go.id": 1, "citra@contoh.go.id": 1}
    assert "1 pengajuan menunggu" in mail.outbox[0].subject


def test_it_mails_each_upcoming_reminder_once_from_the_task(ani, kabid, emails,
                                                            django_capture_on_commit_callbacks):
    approve(submit(ani, Kind.WFH, MON), kabid)
    emails()
    mail.outbox.clear()
    run_twice(tasks.remind_upcoming, django_capture_on_commit_callbacks, tz="Asia/Jakarta", today=FRI.isoformat())
    assert mailed() == {"ani@contoh.go.id": 1}


def test_it_mails_each_escalation_once_from_the_task(ani, kabid, kadis, hr, hr_other, emails,
                                                     django_capture_on_commit_callbacks):
    submit(ani, Kind.WFH, MON)
    emails()
    mail.outbox.clear()
    run_twice(tasks.escalate_pending, django_capture_on_commit_callbacks, tz="Asia/Jakarta", today=FRI.isoformat())
    assert mailed() == {"kadis@contoh.go.id": 1, "hr_dinkes@contoh.go.id": 1}


def test_it_mails_each_expiry_once_from_the_task(ani, kabid, emails, django_capture_on_commit_callbacks):
    submit(ani, Kind.WFH, MON)
    emails()
    mail.outbox.clear()
    run_twice(tasks.expire_pending, django_capture_on_commit_callbacks, today=TUE.isoformat())
    assert mailed() == {"ani@contoh.go.id": 1}
    assert RequestDay.objects.get(employee=ani).status == Status.EXPIRED


def test_it_expires_by_the_earliest_local_date_when_no_date_is_given(ani, kabid):
    submit(ani, Kind.WFH, MON)
    # 23:30 WIB on Monday is already Tuesday in WITA and WIT: Monday has not passed everywhere.
    with at(MON, 23):
        assert tasks.expire_pending.apply().get() == 0
    with time_machine.travel(dt.datetime(2026, 12, 8, 0, 15, tzinfo=WIB), tick=False):
        assert tasks.expire_pending.apply().get() == 1


def test_it_delivers_what_the_outbox_holds_once_from_the_sweep(ani, kabid, kadis, hr, emails,
                                                               django_capture_on_commit_callbacks):
    from portal.tasks import sweep_outbox

    submit(ani, Kind.WFH, MON)
    emails()
    mail.outbox.clear()
    # The broker was down: the escalation rows were written but nothing was enqueued.
    with django_capture_on_commit_callbacks(execute=False):
        tasks.escalate_pending.apply(kwargs={"tz": "Asia/Jakarta", "today": FRI.isoformat()}).get()
    assert mail.outbox == []
    run_twice(sweep_outbox, django_capture_on_commit_callbacks)
    assert mailed() == {"kadis@contoh.go.id": 1, "hr_dinkes@contoh.go.id": 1}
    assert notify.outbox_sweep() == 0
