"""bench/_million_seed.py: the million bench's copies of the demo institution and its month of
attendance (PostgreSQL only: it reads the catalogue and writes with set-based SQL)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from attendance.models import AttendanceRules, Band, DayStatus, Punch
from bench import _million_seed
from portal.models import Employee, HRAdminScope, Unit, User
from portal.selectors import workcalendar
from scheduling.models import ABSENCE_KINDS, RequestDay, Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _quiet(_message: str) -> None:
    pass


def _seed_demo() -> None:
    call_command("seed_demo", "--employees", "200", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())


def _indexes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes "
                       "WHERE tablename IN ('attendance_daystatus', 'attendance_punch')")
        return cursor.fetchone()[0]


def test_each_copy_is_a_whole_institution_with_its_own_people_plans_and_settings():
    _seed_demo()
    per = Employee.objects.count()
    sizes = _million_seed.clone_institution(2, log=_quiet)

    assert sizes == {"PEMKOT": per, "PEMKOT.D1": per, "PEMKOT.D2": per}
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("code"))
    for unit in Unit.objects.select_related("parent").filter(parent__isnull=False):
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
    for root in roots:
        people = Employee.objects.filter(unit__path__startswith=root.path)
        assert not people.filter(supervisor__isnull=False).exclude(supervisor__unit__path__startswith=root.path)
        days = RequestDay.objects.filter(employee__unit__path__startswith=root.path)
        assert days.count() == RequestDay.objects.filter(employee__unit__path__startswith=roots[0].path).count() > 0
        assert not days.exclude(unit__path__startswith=root.path)
        rules = AttendanceRules.objects.get(institution=root)
        assert Band.objects.filter(rules=rules).count() == Band.objects.filter(rules__institution=roots[0]).count() > 0
    copy = User.objects.get(username="hr.bkpsdm.1")
    assert HRAdminScope.objects.filter(user=copy, unit__code="PEMKOT.D1").exists()
    assert all(len(nip) == 18 for nip in Employee.objects.values_list("nip", flat=True))


def test_a_month_of_attendance_follows_the_approved_plans_and_keeps_the_indexes():
    _seed_demo()
    today = timezone.localdate()
    root = Unit.objects.get(code="PEMKOT")
    days = workcalendar.working_days(root, today - dt.timedelta(days=14), today - dt.timedelta(days=1))
    indexes = _indexes()
    with connection.cursor() as cursor:
        # The bench runs in autocommit; inside the test's transaction the seed's deferred foreign-key
        # checks are still pending, and PostgreSQL refuses to rebuild an index under them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    out = _million_seed.seed_month(days, plans_from=today - dt.timedelta(days=14), log=_quiet)

    active = Employee.objects.filter(is_active=True).count()
    assert out["day_statuses"] == DayStatus.objects.filter(date__in=days).count() == active * len(days)
    plans = RequestDay.objects.filter(date__in=days, status=Status.APPROVED)
    absences = {(d.employee_id, d.date): d.kind for d in plans.filter(kind__in=ABSENCE_KINDS)}
    assert absences
    statuses = {(s.employee_id, s.date): s for s in DayStatus.objects.filter(date__in=days)}
    assert all(statuses[key].code == kind for key, kind in absences.items())
    for day in plans.filter(kind="WFH"):
        assert statuses[(day.employee_id, day.date)].work_mode == "WFH"
    codes = {s.code for s in statuses.values()}
    assert {"HADIR", "TL"} <= codes
    punches = Punch.objects.filter(date__in=days)
    assert punches.count() == out["punches"] == sum(
        s.code in ("HADIR", "TL", "PSW", "TL_PSW") for s in statuses.values())
    for punch in punches.filter(check_in_at__isnull=True):
        assert statuses[(punch.employee_id, punch.date)].missing_in
    assert _indexes() == indexes
