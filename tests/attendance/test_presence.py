"""Check-in and check-out services: first tap wins, local dates, location flags, work mode, audit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from attendance.models import DayStatus, Punch, WorkMode
from attendance.services.presence import punch_check_in, punch_check_out
from portal.models import AuditEvent, Unit
from scheduling import services as scheduling
from scheduling.models import Kind
from tests.factories import EmployeeFactory

TUESDAY = dt.date(2026, 12, 1)
WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
OFFICE = (-6.2, 106.816666)  # Dinas Kesehatan's office
NEAR = (-6.2004, 106.816666)  # about 44 m north
FAR = (-6.22, 106.816666)  # about 2.2 km


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0, tz=WIB) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


@pytest.fixture
def office(dinkes):
    """The office location lives on the OPD; its bidang inherit it (nearest ancestor with one)."""
    Unit.objects.filter(pk=dinkes.pk).update(latitude=OFFICE[0], longitude=OFFICE[1], radius_m=100)
    return dinkes


def approve_plan(employee, approver, kind: str, day: dt.date) -> None:
    (request_day,) = scheduling.request_submit(actor=employee.user, kind=kind, dates=[day]).days
    scheduling.request_day_approve(actor=approver.user, day_id=request_day.pk)


def test_it_keeps_the_first_check_in_and_never_makes_a_second_record(ani):
    with time_machine.travel(at(TUESDAY, 7, 10), tick=False) as clock:
        first, created = punch_check_in(actor=ani.user)
        clock.move_to(at(TUESDAY, 7, 25))
        again, created_again = punch_check_in(actor=ani.user)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.check_in_at == at(TUESDAY, 7, 10)
    assert Punch.objects.filter(employee=ani).count() == 1
    assert AuditEvent.objects.filter(verb="punch.checked_in").count() == 1


def test_it_moves_the_check_out_later_on_a_later_tap(ani):
    with time_machine.travel(at(TUESDAY, 7, 20), tick=False) as clock:
        punch_check_in(actor=ani.user)
        clock.move_to(at(TUESDAY, 15, 50))
        punch_check_out(actor=ani.user)
        clock.move_to(at(TUESDAY, 16, 5))
        punch, changed = punch_check_out(actor=ani.user)
    assert changed
    assert punch.check_out_at == at(TUESDAY, 16, 5)
    assert punch.check_in_at == at(TUESDAY, 7, 20)
    status = DayStatus.objects.get(employee=ani, date=TUESDAY)
    assert (status.code, status.psw_level) == ("HADIR", None)
    assert AuditEvent.objects.filter(verb="punch.checked_out").count() == 2


def test_it_dates_the_punch_in_the_units_own_time_zone(ani, upt):
    """23:30 WIB on the 1st is 00:30 WITA on the 2nd: a WITA office is already on the next day."""
    ani.unit = upt
    ani.save(update_fields=["unit"])
    wib_colleague = EmployeeFactory(unit=ani.supervisor.unit)
    with time_machine.travel(at(TUESDAY, 23, 30), tick=False):
        wita, _ = punch_check_in(actor=ani.user)
        wib, _ = punch_check_in(actor=wib_colleague.user)
    assert wita.date == TUESDAY + dt.timedelta(days=1)
    assert wib.date == TUESDAY
    assert wita.check_in_at.astimezone(WITA).time() == dt.time(0, 30)


def test_it_records_the_distance_and_does_not_flag_a_punch_near_the_office(ani, office):
    with time_machine.travel(at(TUESDAY, 7, 15), tick=False):
        punch, _ = punch_check_in(actor=ani.user, latitude=NEAR[0], longitude=NEAR[1], accuracy=12)
    assert 40 < punch.in_distance_m < 50
    assert punch.in_accuracy_m == 12
    assert float(punch.in_latitude) == pytest.approx(NEAR[0])
    assert not punch.flagged
    event = AuditEvent.objects.get(verb="punch.checked_in")
    assert event.after["flagged"] is False and event.after["distance_m"] == punch.in_distance_m
    assert event.actor == ani.user and event.unit_id == ani.unit_id


def test_it_flags_but_records_a_far_away_punch_on_an_office_day(ani, office):
    with time_machine.travel(at(TUESDAY, 7, 15), tick=False):
        punch, created = punch_check_in(actor=ani.user, latitude=FAR[0], longitude=FAR[1], accuracy=20)
    assert created and punch.check_in_at is not None
    assert punch.in_distance_m > 2000
    assert punch.flagged
    assert punch.work_mode == WorkMode.WFO


def test_it_gives_the_benefit_of_the_devices_accuracy(ani, office):
    """150 m away with ±60 m accuracy may well be inside the 100 m radius."""
    lat = OFFICE[0] - 150 / 111_320
    with time_machine.travel(at(TUESDAY, 7, 15), tick=False):
        punch, _ = punch_check_in(actor=ani.user, latitude=lat, longitude=OFFICE[1], accuracy=60)
    assert 145 < punch.in_distance_m < 155
    assert not punch.flagged


def test_it_flags_a_punch_without_location_on_an_office_day(ani, office):
    with time_machine.travel(at(TUESDAY, 7, 15), tick=False):
        punch, created = punch_check_in(actor=ani.user)
    assert created and punch.flagged and punch.in_distance_m is None


def test_it_never_flags_a_wfh_day_and_takes_the_mode_from_the_approved_plan(ani, kabid, office):
    with time_machine.travel(at(TUESDAY, 7, 0), tick=False) as clock:
        approve_plan(ani, kabid, Kind.WFH, TUESDAY)
        clock.move_to(at(TUESDAY, 7, 20))
        punch, _ = punch_check_in(actor=ani.user, latitude=FAR[0], longitude=FAR[1], accuracy=15)
        clock.move_to(at(TUESDAY, 16, 10))
        punch, _ = punch_check_out(actor=ani.user)  # and no location at all
    assert punch.work_mode == WorkMode.WFH
    assert punch.in_distance_m > 2000
    assert not punch.flagged
    assert DayStatus.objects.get(employee=ani, date=TUESDAY).work_mode == "WFH"


@pytest.mark.parametrize("location", [
    {"latitude": 91, "longitude": 106.8},
    {"latitude": -6.2, "longitude": 181},
    {"latitude": "abc", "longitude": "106.8"},
    {"latitude": -6.2},
    {"latitude": -6.2, "longitude": 106.8, "accuracy": -5},
])
def test_it_refuses_invalid_coordinates_and_writes_nothing(ani, office, location):
    with time_machine.travel(at(TUESDAY, 7, 15), tick=False):
        with pytest.raises(ValidationError) as exc:
            punch_check_in(actor=ani.user, **location)
    assert "location" in exc.value.message_dict
    assert not Punch.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="punch.").exists()


def test_it_refuses_accounts_without_an_active_employee(hr, ani):
    with pytest.raises(PermissionDenied):
        punch_check_in(actor=hr)
    ani.is_active = False
    ani.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        punch_check_out(actor=ani.user)
    assert not Punch.objects.exists()


def test_it_derives_lateness_from_the_check_in_to_the_second(ani):
    with time_machine.travel(at(TUESDAY, 8, 0, 1), tick=False) as clock:
        punch_check_in(actor=ani.user)
        clock.move_to(at(TUESDAY, 16, 0))
        punch_check_out(actor=ani.user)
    status = DayStatus.objects.get(employee=ani, date=TUESDAY)
    assert (status.code, status.tl_level, status.tl_minutes) == ("TL", 2, 31)
