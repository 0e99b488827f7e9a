"""manage.py seed_demo: the demo city, its people, its logins and its guards."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal import demo, rules
from portal.models import AsnType, AuditEvent, Delegation, Employee, HRAdminScope, PositionKind, Unit, UnitKind, User
from portal.selectors import roles_of
from portal.services.audit import audit_record

pytestmark = pytest.mark.django_db

MAIN_ROLES = {
    "superadmin": "superuser", "hr.bkpsdm": "hr_admin", "kadis.kominfo": "supervisor", "kabid.aptika": "supervisor",
    "pegawai.aptika": "employee", "plh.aptika": "supervisor", "pegawai.upt": "employee",
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, verbosity=0, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_builds_about_200_employees_with_valid_identifiers():
    seed()
    employees = list(Employee.objects.all())
    assert len(employees) == 200
    for e in employees:
        check = rules.validate_nip if e.asn_type == AsnType.PNS else rules.validate_ni_pppk
        assert check(e.nip) == e.nip
        assert e.placement_date >= dt.date(int(e.nip[8:12]), 1, 1), e  # placed after appointment
    assert any(e.asn_type != AsnType.PNS for e in employees)
    assert any((timezone.localdate() - e.placement_date).days <= 90 for e in employees)  # newly placed


def test_it_builds_a_wib_unit_tree_with_heads_and_offices():
    seed()
    root = Unit.objects.get(code="PEMKOT")
    assert root.name == "Pemerintah Kota Harapan Jaya" and root.parent is None
    units = list(Unit.objects.select_related("parent", "head"))
    for unit in units:
        assert unit.path.startswith(root.path)
        if unit.parent:
            assert unit.path == f"{unit.parent.path}{unit.pk}/" and unit.depth == unit.parent.depth + 1
            assert unit.head is not None and unit.head.unit_id == unit.pk
        assert unit.effective_time_zone == "Asia/Jakarta"
    opds = [u for u in units if u.kind == UnitKind.UNIT_ORGANISASI]
    assert {"BKPSDM", "DISKOMINFO", "DISDUKCAPIL", "SETDA"} <= {u.code for u in opds}
    assert all(u.latitude and u.longitude and u.radius_m == 100 for u in opds)
    puskesmas = Unit.objects.get(code=demo.UPT_PUSKESMAS_CODE)
    assert puskesmas.kind == UnitKind.UPT and puskesmas.address and puskesmas.latitude
    assert (puskesmas.latitude, puskesmas.longitude) != (puskesmas.parent.latitude, puskesmas.parent.longitude)


def test_it_creates_the_main_logins_with_their_roles():
    seed("--password", "Coba-Demo-1")
    for username, role in MAIN_ROLES.items():
        user = authenticate(username=username, password="Coba-Demo-1")
        assert user is not None, username
        assert role in roles_of(user), username
    assert User.objects.get(username="superadmin").is_staff
    hr = User.objects.get(username="hr.bkpsdm")
    assert hr.is_staff and hr.employee.unit.code.startswith("BKPSDM")
    assert HRAdminScope.objects.get(user=hr).unit.code == "PEMKOT"
    kabid = Employee.objects.get(user__username="kabid.aptika")
    assert kabid.reports.count() >= 5
    assert Employee.objects.get(user__username="pegawai.aptika").supervisor == kabid
    upt_staff = Employee.objects.get(user__username="pegawai.upt")
    assert upt_staff.unit.kind == UnitKind.UPT and upt_staff.supervisor == upt_staff.unit.head


def test_it_links_every_employee_up_to_the_sekda_without_cycles():
    seed()
    boss = dict(Employee.objects.values_list("pk", "supervisor_id"))
    tops = [pk for pk, sup in boss.items() if sup is None]
    assert len(tops) == 1
    assert Employee.objects.get(pk=tops[0]).jabatan == "Sekretaris Daerah"
    for pk in boss:
        seen = set()
        while boss[pk] is not None:
            assert pk not in seen
            seen.add(pk)
            pk = boss[pk]
        assert pk == tops[0]


def test_it_gives_positions_matching_the_level():
    seed()
    assert Employee.objects.get(user__username="kadis.kominfo").position_kind == PositionKind.JPT
    assert Employee.objects.get(user__username="kabid.aptika").position_kind == PositionKind.ADMINISTRATOR
    for e in Employee.objects.select_related("unit"):
        if e.jabatan.startswith("Kepala Seksi"):
            assert e.position_kind == PositionKind.PENGAWAS
        if e.unit.head_id != e.pk:
            assert e.position_kind in {PositionKind.PELAKSANA, PositionKind.FUNGSIONAL_AHLI,
                                       PositionKind.FUNGSIONAL_TERAMPIL}


def test_it_makes_the_plh_active_today():
    seed()
    today = timezone.localdate()
    delegation = Delegation.objects.active_on(today).get()
    assert delegation.delegator.user.username == "kabid.aptika"
    assert delegation.delegate.user.username == "plh.aptika"
    assert delegation.start == today - dt.timedelta(days=1) and delegation.end == today + dt.timedelta(days=14)


def test_it_prints_only_json_listing_every_account():
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out, stderr=io.StringIO())
    rows = json.loads(out.getvalue())
    by_name = {r["username"]: r for r in rows}
    assert len(rows) == 201  # 200 employees + superadmin
    assert [r["username"] for r in rows[:7]] == list(demo.MAIN_LOGINS)
    assert {u: by_name[u]["role"] for u in MAIN_ROLES} == MAIN_ROLES
    assert by_name["pegawai.aptika"]["supervisor_username"] == "kabid.aptika"
    assert by_name["pegawai.aptika"]["unit_code"] == demo.APTIKA_CODE
    assert set(rows[1]) == {"username", "role", "unit_code", "supervisor_username", "nip"}


def test_it_records_one_summary_audit_event():
    seed()
    events = list(AuditEvent.objects.all())
    assert [e.verb for e in events] == ["demo.seeded"]
    assert events[0].after["employees"] == 200


def test_it_refuses_a_second_run():
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Employee.objects.count() == 200


def test_it_resets_and_rebuilds_when_nothing_refers_to_the_demo():
    seed()
    seed("--reset", "--employees", "150")
    assert Employee.objects.count() == 150
    assert Unit.objects.filter(code="PEMKOT").count() == 1
    assert User.objects.filter(username="superadmin").count() == 1
    verbs = sorted(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs == ["demo.reset", "demo.seeded", "demo.seeded"]


def test_it_refuses_a_reset_once_the_audit_trail_points_into_the_demo():
    seed()
    unit = Unit.objects.get(code=demo.APTIKA_CODE)
    audit_record(actor=User.objects.get(username="kabid.aptika"), verb="unit.updated", obj=unit, unit=unit)
    with pytest.raises(CommandError, match="jejak audit"):
        seed("--reset")
    assert Employee.objects.count() == 200


def test_it_scales_units_with_employees():
    seed("--employees", "2000")
    assert Employee.objects.count() == 2000
    fixed = len(demo.plan_fixed_units(random.Random(0)))
    assert Unit.objects.count() == fixed + 2000 // demo.EMPLOYEES_PER_EXTRA_UNIT
    assert Unit.objects.filter(kind=UnitKind.UPT).count() > 3
    assert not Unit.objects.filter(parent__isnull=False, head__isnull=True).exists()


def test_it_refuses_fewer_employees_than_posts():
    with pytest.raises(CommandError, match="paling sedikit"):
        seed("--employees", "20")
    assert not Unit.objects.exists()


def test_it_plans_the_same_city_from_the_same_seed():
    def plan():
        ctx = demo.SeedContext(employees=300, password_hash="x", rng=random.Random(7), today=dt.date(2026, 3, 2))
        demo.plan_units(ctx)
        demo.plan_people(ctx)
        return [(p.username, p.nip, p.unit.code) for p in ctx.people]

    assert plan() == plan()


def test_it_refuses_when_a_main_login_is_taken():
    User.objects.create(username="superadmin")
    with pytest.raises(CommandError, match="superadmin"):
        seed()
    assert not Unit.objects.exists()


def test_it_starts_counting_attendance_two_months_back_with_records_windows():
    seed()
    today = timezone.localdate()
    go_live = Unit.objects.get(code="PEMKOT").attendance_from
    assert go_live == demo.go_live_date(today) and go_live.day == 1
    assert (today.year * 12 + today.month) - (go_live.year * 12 + go_live.month) == 2
    assert not Unit.objects.filter(parent__isnull=False, attendance_from__isnull=False).exists()
    recent = list(Employee.objects.filter(placement_date__gt=go_live))
    assert recent and all(e.records_start == e.placement_date for e in recent)
    assert not Employee.objects.filter(placement_date__lte=go_live, records_start__isnull=False).exists()
    retired = list(Employee.objects.filter(is_active=False))
    assert len(retired) == demo.RETIRED
    month_ends = {today.replace(day=1) - dt.timedelta(days=1),
                  (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)}
    for e in retired:
        assert e.records_end_reason == "pensiun" and e.records_end in month_ends and e.records_end >= go_live, e
        assert not e.reports.exists() and e.user.username not in MAIN_ROLES
    assert not Employee.objects.filter(is_active=True, records_end__isnull=False).exists()


@pytest.mark.parametrize(("today", "go_live"), [
    (dt.date(2026, 12, 8), dt.date(2026, 10, 1)),
    (dt.date(2027, 1, 31), dt.date(2026, 11, 1)),
    (dt.date(2028, 2, 29), dt.date(2027, 12, 1)),
    (dt.date(2026, 3, 1), dt.date(2026, 1, 1)),
])
def test_it_puts_the_go_live_on_the_first_of_the_month_two_months_before(today, go_live):
    assert demo.go_live_date(today) == go_live
