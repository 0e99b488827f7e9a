"""Day statuses follow what they are derived from: a punch, a plan decision, a holiday,
working hours, a Ramadan period, a band table; and the nightly pass catches ended days."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

import attendance.tasks  # noqa: F401 - registers the recompute tasks by name, as a worker would
from attendance.models import AttendanceRules, BandKind, DayStatus
from attendance.services import recompute, staffing
from attendance.services.attendance_rules import BandData, RulesData, attendance_rules_delete, attendance_rules_save
from attendance.services.day_status import compute_day_statuses
from attendance.services.presence import punch_check_in, punch_check_out
from portal.celery import app
from portal.models import AuditEvent, CalendarOverride, OverrideKind, RamadanPeriod
from portal.services.calendar import PatternDayData, work_pattern_delete, work_pattern_save
from scheduling import services as scheduling
from scheduling.models import Kind
from tests.factories import EmployeeFactory, HRAdminScopeFactory, UserFactory

MONDAY = dt.date(2026, 12, 7)
TUESDAY = MONDAY + dt.timedelta(days=1)


def local(unit, day, hh, mm, ss=0):
    return dt.datetime.combine(day, dt.time(hh, mm, ss), tzinfo=unit.tzinfo)


def status(employee, day=MONDAY):
    return DayStatus.objects.get(employee=employee, date=day)


@pytest.fixture
def late_monday(ani, outsider):
    """Ani (WIB) and the outsider (WITA, another institution) both came in at 07:50 local."""
    for person in (ani, outsider):
        with time_machine.travel(local(person.unit, MONDAY, 7, 50), tick=False):
            punch_check_in(actor=person.user)
        with time_machine.travel(local(person.unit, MONDAY, 16, 0), tick=False):
            punch_check_out(actor=person.user)
    assert (status(ani).code, status(ani).tl_minutes) == ("TL", 20)
    return ani


@pytest.fixture
def on_tuesday():
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def admin_client(on_tuesday, client, superuser):
    client.force_login(superuser)  # inside the travelled time, or the session has expired
    return client


def post_admin(client, capture, url, data):
    with capture(execute=True) as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "login" not in response.url
    return callbacks


def test_it_registers_the_tasks_by_name():
    assert {"attendance.recompute_institution", "attendance.recompute_recent"} <= set(app.tasks)


def test_it_recomputes_on_a_punch(ani):
    with time_machine.travel(local(ani.unit, MONDAY, 7, 30), tick=False):
        punch_check_in(actor=ani.user)
    assert status(ani).code == "HADIR"
    with time_machine.travel(local(ani.unit, MONDAY, 15, 0), tick=False):
        punch_check_out(actor=ani.user)
    assert (status(ani).code, status(ani).psw_level) == ("PSW", 2)


def test_it_recomputes_today_when_a_plan_is_approved_late(ani, kabid):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        (day,) = scheduling.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY]).days
    with time_machine.travel(local(ani.unit, MONDAY, 7, 45), tick=False):
        punch_check_in(actor=ani.user)
    assert status(ani).work_mode == "WFO"  # still pending at check-in
    with time_machine.travel(local(ani.unit, MONDAY, 9, 0), tick=False):
        scheduling.request_day_approve(actor=kabid.user, day_id=day.pk)
        staffing.refresh_changed()
    assert (status(ani).code, status(ani).work_mode, status(ani).tl_level) == ("TL", "WFH", 1)


def test_it_recomputes_a_past_day_when_leave_is_approved_after_it(ani, kabid):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        (day,) = scheduling.request_submit(actor=ani.user, kind=Kind.CAP, dates=[MONDAY],
                                           reason="Keluarga sakit keras").days
    with time_machine.travel(local(ani.unit, TUESDAY, 8, 0), tick=False):
        compute_day_statuses([ani], MONDAY, MONDAY)
        assert status(ani).code == "TK"  # the supervisor had not decided yet
        scheduling.request_day_approve(actor=kabid.user, day_id=day.pk)
        staffing.refresh_changed()
    assert (status(ani).code, status(ani).absence_kind) == ("CAP", "CAP")


def test_it_recomputes_the_institution_when_hr_adds_and_removes_a_holiday(
        late_monday, outsider, pemkot, admin_client, django_capture_on_commit_callbacks, on_tuesday):
    outsider_before = status(outsider).computed_at
    post_admin(admin_client, django_capture_on_commit_callbacks, reverse("admin:portal_calendaroverride_add"),
               {"institution": pemkot.pk, "date": "2026-12-07", "kind": OverrideKind.HOLIDAY,
                "name": "Hari jadi kota"})
    assert (status(late_monday).code, status(late_monday).note) == ("LUAR_JADWAL", "Hari jadi kota")
    assert status(outsider).computed_at == outsider_before  # another institution: untouched
    override = CalendarOverride.objects.get()
    post_admin(admin_client, django_capture_on_commit_callbacks,
               reverse("admin:portal_calendaroverride_delete", args=[override.pk]), {"post": "yes"})
    assert (status(late_monday).code, status(late_monday).tl_level) == ("TL", 1)


def test_it_recomputes_both_dates_when_a_holiday_moves(
        ani, pemkot, admin_client, django_capture_on_commit_callbacks, on_tuesday):
    compute_day_statuses([ani], MONDAY - dt.timedelta(days=7), MONDAY)
    override = CalendarOverride.objects.create(institution=pemkot, date=MONDAY, kind=OverrideKind.HOLIDAY,
                                               name="Libur daerah")
    post_admin(admin_client, django_capture_on_commit_callbacks,
               reverse("admin:portal_calendaroverride_add"),
               {"institution": pemkot.pk, "date": "2026-11-30", "kind": OverrideKind.HOLIDAY, "name": "Libur lain"})
    assert status(ani, dt.date(2026, 11, 30)).code == "LIBUR"
    post_admin(admin_client, django_capture_on_commit_callbacks,
               reverse("admin:portal_calendaroverride_change", args=[override.pk]),
               {"institution": pemkot.pk, "date": "2026-12-02", "kind": OverrideKind.HOLIDAY, "name": "Libur daerah"})
    assert status(ani, MONDAY).code == "TK"  # the old date is a working day again
    assert status(ani, dt.date(2026, 12, 2)).code == "LIBUR"


def test_it_does_not_enqueue_for_a_future_holiday(pemkot, admin_client, django_capture_on_commit_callbacks,
                                                  on_tuesday):
    callbacks = post_admin(admin_client, django_capture_on_commit_callbacks,
                           reverse("admin:portal_calendaroverride_add"),
                           {"institution": pemkot.pk, "date": "2027-01-20", "kind": OverrideKind.HOLIDAY,
                            "name": "Libur nanti"})
    assert callbacks == []


def test_it_recomputes_from_the_date_a_working_pattern_applies(late_monday, pemkot, superuser,
                                                                django_capture_on_commit_callbacks, on_tuesday):
    days = [PatternDayData(0, dt.time(8, 0), dt.time(16, 0), 60)]
    with django_capture_on_commit_callbacks(execute=True):
        pattern = work_pattern_save(actor=superuser, unit=pemkot, pattern=None, effective_from=MONDAY,
                                    kind="weekly", flex_until=None, note="", days=days)
    assert (status(late_monday).code, status(late_monday).tl_level) == ("HADIR", None)
    assert AuditEvent.objects.filter(verb="work_pattern.created", object_id=str(pattern.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        work_pattern_delete(actor=superuser, pattern=pattern)
    assert status(late_monday).tl_minutes == 20


def test_it_recomputes_every_institution_for_a_national_ramadan_period(
        late_monday, outsider, admin_client, django_capture_on_commit_callbacks, on_tuesday):
    post_admin(admin_client, django_capture_on_commit_callbacks, reverse("admin:portal_ramadanperiod_add"),
               {"start": "2026-12-01", "end": "2026-12-31", "start_time": "08:00:00", "end_time": "15:00:00",
                "friday_end_time": "15:30:00", "break_minutes": 30, "friday_break_minutes": 60})
    assert RamadanPeriod.objects.get().institution is None
    assert status(late_monday).code == "HADIR"
    assert status(outsider).code == "HADIR"  # the WITA institution too


def rules_data(**kw):
    base = dict(effective_from=dt.date(2026, 12, 1), min_stay_minutes=60, latest_check_in_minutes=None,
                implausible_status="TK", tk_deduction_percent=None, daily_cap_percent=None,
                legal_basis="Perwali 1/2026")
    return RulesData(**{**base, **kw})


def tl_band(from_minute=1, deduction="2.50"):
    return [BandData(BandKind.TL, 1, from_minute, None, Decimal(deduction))]


def test_it_recomputes_and_audits_when_hr_edits_the_rules_version(
        late_monday, pemkot, django_capture_on_commit_callbacks, on_tuesday):
    hr_pemkot = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=hr_pemkot, unit=pemkot)
    with django_capture_on_commit_callbacks(execute=True):
        version = attendance_rules_save(actor=hr_pemkot, institution=pemkot, version=None, data=rules_data(),
                                        bands=tl_band())
    assert (status(late_monday).tl_level, status(late_monday).deduction_percent) == (1, Decimal("2.50"))
    with django_capture_on_commit_callbacks(execute=True):
        attendance_rules_save(actor=hr_pemkot, institution=pemkot, version=version, data=rules_data(),
                              bands=tl_band(from_minute=21, deduction="0.30"))
    assert (status(late_monday).code, status(late_monday).deduction_percent) == ("HADIR", 0)  # 20 < 21: grace
    pk = version.pk
    with django_capture_on_commit_callbacks(execute=True):
        attendance_rules_delete(actor=hr_pemkot, version=version)
    assert (status(late_monday).deduction_percent, status(late_monday).rules_version) == (0, None)  # built-in
    events = AuditEvent.objects.filter(object_type="attendance.attendancerules",
                                       object_id=str(pk)).order_by("pk")
    assert [e.verb for e in events] == ["attendance_rules.created", "attendance_rules.updated",
                                        "attendance_rules.deleted"]
    assert events[1].before["bands"][0]["from_minute"] == 1 and events[1].after["bands"][0]["from_minute"] == 21
    assert all(e.actor == hr_pemkot and e.unit == pemkot for e in events)


def test_it_keeps_other_institutions_out_of_the_rules(pemkot, pemprov_lain, on_tuesday):
    hr_lain = UserFactory(username="hr_lain_staff")
    HRAdminScopeFactory(user=hr_lain, unit=pemprov_lain)
    with pytest.raises(Http404):
        attendance_rules_save(actor=hr_lain, institution=pemkot, version=None, data=rules_data(), bands=tl_band())
    assert not AttendanceRules.objects.exists()


def test_it_refuses_a_band_that_ends_before_it_starts(pemkot, superuser, on_tuesday):
    with pytest.raises(ValidationError) as refused:
        attendance_rules_save(actor=superuser, institution=pemkot, version=None, data=rules_data(),
                              bands=[BandData(BandKind.TL, 1, 31, 5, Decimal(1))])
    assert "bands" in refused.value.message_dict
    assert not AttendanceRules.objects.exists()


def test_it_recomputes_one_institution_in_batches(pemkot, dinkes, bidang_p2p, upt, outsider, monkeypatch):
    people = [EmployeeFactory(unit=unit) for unit in (pemkot, dinkes, bidang_p2p, upt, upt)]
    monkeypatch.setattr(recompute, "BATCH", 2)
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC), tick=False):
        written = recompute.recompute_institution(pemkot.pk, MONDAY, dt.date(2026, 12, 31))
    assert written == 2 * len(people)  # Monday and Tuesday; later days are not over or begun
    assert set(DayStatus.objects.values_list("employee", flat=True)) == {p.pk for p in people}
    assert set(DayStatus.objects.filter(date=MONDAY).values_list("code", flat=True)) == {"TK"}
    assert set(DayStatus.objects.filter(date=TUESDAY).values_list("code", flat=True)) == {"BELUM"}


def test_it_recomputes_the_last_35_days_nightly(ani, outsider, django_capture_on_commit_callbacks):
    with (time_machine.travel(dt.datetime(2026, 12, 7, 18, 30, tzinfo=dt.UTC), tick=False),  # 01:30 WIB Tuesday
          django_capture_on_commit_callbacks(execute=True)):  # the batches are enqueued after commit
        app.tasks["attendance.recompute_recent"].delay()
    rows = DayStatus.objects.filter(employee=ani)
    assert rows.earliest("date").date == dt.date(2026, 11, 3)  # 35 days back: a Tuesday
    assert rows.latest("date").date == TUESDAY
    assert status(ani).code == "TK" and status(ani, TUESDAY).code == "BELUM"
    assert status(outsider).code == "TK"
    assert not rows.filter(date=dt.date(2026, 11, 7)).exists()  # a Saturday: no row
