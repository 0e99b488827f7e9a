"""The fair rota planner against the database: preferences, proposals, adjustments and publishing
through the race-safe approval, as services, pages and API."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import AuditEvent, Employee, Notification
from portal.selectors import workcalendar
from scheduling import rules, selectors
from scheduling.models import (
    CoveragePolicy,
    EssentialPosition,
    Kind,
    RequestDay,
    RotaPlan,
    Status,
    WeekdayPreference,
    WorkRequest,
)
from scheduling.services import rota as rota_services
from tests.conftest import PASSWORD
from tests.factories import EmployeeFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-12-07 09:00")]

JANUARY = dt.date(2027, 1, 1)
FRIDAY = 4


def _prefer(employee, preferred, impossible=()):
    WeekdayPreference.objects.update_or_create(employee=employee, defaults={
        "preferred": list(preferred), "impossible": list(impossible)})


def _rota_days(plan):
    return list(RequestDay.objects.filter(request__rota_plan=plan).select_related("employee__unit", "request"))


def _assert_every_rule_holds(days):
    """Each approved rota day, re-checked by the approval's own check (approved days only, the
    day itself excluded): nothing blocks and nothing warns. And per unit-day, presence stays at the
    minimum the effective policy asks."""
    assert days
    for day in days:
        assert day.status == Status.APPROVED
        check = selectors.preview_days(day.employee, day.kind, [day.date], for_approval_of=day.pk)[0]
        assert not [v for v in check.verdicts if v.severity in (rules.BLOCK, rules.WARN)], (day, check.verdicts)
    for unit in {d.unit for d in days}:
        dates = sorted({d.date for d in days if d.unit_id == unit.pk})
        for c in selectors.coverage(unit, dates[0], dates[-1]):
            if c.working and c.date in dates:
                assert c.in_office >= c.minimum, (unit, c)
    weeks = Counter((d.employee_id, rules.week_start(d.date)) for d in days)
    assert max(weeks.values()) <= 2


# --- Preferences -----------------------------------------------------------------------------------


def test_it_saves_preferences_and_audits_them(ani):
    rota_services.weekday_preference_save(actor=ani.user, preferred=[4, 0], impossible=[2])
    pref = WeekdayPreference.objects.get(employee=ani)
    assert (pref.preferred, pref.impossible) == ([0, 4], [2])
    assert AuditEvent.objects.filter(verb="weekday_preference.saved").count() == 1


def test_a_preference_for_a_non_working_day_is_refused_and_nothing_is_written(ani):
    with pytest.raises(ValidationError) as exc:
        rota_services.weekday_preference_save(actor=ani.user, preferred=[5], impossible=[])
    assert "Sabtu bukan hari kerja unit Anda." in exc.value.message_dict["preferred"]
    with pytest.raises(ValidationError) as exc:
        rota_services.weekday_preference_save(actor=ani.user, preferred=[1], impossible=[1])
    assert "impossible" in exc.value.message_dict
    assert not WeekdayPreference.objects.exists()
    assert not AuditEvent.objects.filter(verb="weekday_preference.saved").exists()


def test_the_preference_page_refuses_sunday_with_a_form_error(ani):
    ani.user.language = "en"
    ani.user.save()
    client = Client()
    client.force_login(ani.user)
    response = client.post("/rencana/preferensi/", {"preferred": ["6"]})
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert not WeekdayPreference.objects.exists()
    assert client.post("/rencana/preferensi/", {"preferred": ["0", "4"], "impossible": ["2"]}).status_code == 302
    assert WeekdayPreference.objects.get(employee=ani).preferred == [0, 4]


def test_the_preference_api(ani):
    client = APIClient()
    client.force_authenticate(ani.user)
    bad = client.put("/api/v1/rota/preferences/", {"preferred": [5], "impossible": []}, format="json")
    assert bad.status_code == 400
    assert "preferred" in bad.json()["error"]["fields"]
    ok = client.put("/api/v1/rota/preferences/", {"preferred": [4], "impossible": [0]}, format="json")
    assert ok.status_code == 200 and ok.json() == {"preferred": [4], "impossible": [0]}
    assert client.get("/api/v1/rota/preferences/").json()["preferred"] == [4]


# --- Proposals -------------------------------------------------------------------------------------


def test_a_unit_with_no_eligible_staff_is_refused_and_nothing_is_written(hr, dinkes):
    empty = UnitFactory(parent=dinkes, name="Seksi Kosong")
    with pytest.raises(ValidationError) as exc:
        rota_services.rota_plan_propose(actor=hr, unit_id=empty.pk, month=JANUARY)
    assert "unit" in exc.value.message_dict
    assert not RotaPlan.objects.exists()
    assert not AuditEvent.objects.filter(verb="rota_plan.proposed").exists()


def test_a_past_month_is_refused(hr, team, bidang_p2p):
    with pytest.raises(ValidationError) as exc:
        rota_services.rota_plan_propose(actor=hr, unit_id=bidang_p2p.pk, month=dt.date(2026, 11, 1))
    assert "month" in exc.value.message_dict
    assert not RotaPlan.objects.exists()


def test_a_unit_outside_the_actor_s_reach_is_404(hr_other, team, bidang_p2p):
    from django.http import Http404

    with pytest.raises(Http404):
        rota_services.rota_plan_propose(actor=hr_other, unit_id=bidang_p2p.pk, month=JANUARY)


def test_a_proposal_honours_preferences_and_impossible_days(kabid, team, bidang_p2p, ani, budi):
    _prefer(ani, [0], impossible=[4])
    _prefer(budi, [2])
    plan = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    cells = selectors.rota.assignment_of(plan)
    assert cells[ani.pk] and all(d.weekday() == 0 for d in cells[ani.pk])
    assert cells[budi.pk] and all(d.weekday() == 2 for d in cells[budi.pk])
    # Room for both on their days: every wanted Monday and Wednesday is granted.
    mondays = [d for d in workcalendar.working_days(bidang_p2p, JANUARY, dt.date(2027, 1, 31)) if d.weekday() == 0]
    assert sorted(cells[ani.pk]) == mondays
    assert plan.fairness["spread"] == 0
    assert AuditEvent.objects.filter(verb="rota_plan.proposed", object_id=str(plan.pk)).count() == 1


# --- Publishing ------------------------------------------------------------------------------------


def test_publishing_approves_through_the_approval_and_tells_each_person_once(kabid, team, bidang_p2p):
    for e in team[1:]:
        _prefer(e, [FRIDAY, 0])
    plan = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    planned = sum(len(c) for c in plan.cells.values())
    plan = rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)
    days = _rota_days(plan)
    assert len(days) == planned and plan.outcome["refused"] == []
    _assert_every_rule_holds(days)
    notes = Counter(Notification.objects.filter(kind="rota.published").values_list("recipient_id", flat=True))
    assert set(notes.values()) == {1} and len(notes) == len({d.employee_id for d in days})
    assert not Notification.objects.filter(kind="request.approved").exists()
    assert AuditEvent.objects.filter(verb="request_day.approved").count() == len(days)
    assert AuditEvent.objects.filter(verb="rota_plan.published", object_id=str(plan.pk)).count() == 1
    with pytest.raises(ValidationError):
        rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)  # once only
    assert RequestDay.objects.count() == len(days)


def test_a_publish_that_stops_part_way_resumes_without_doing_a_day_twice(kabid, team, bidang_p2p, monkeypatch):
    for e in team[1:]:
        _prefer(e, [FRIDAY, 0])
    plan = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    planned = sum(len(c) for c in plan.cells.values())
    real, calls = rota_services._publish_days, []

    def dies_on_the_second_person(*args, **kwargs):
        calls.append(args[2].pk)
        if len(set(calls)) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(rota_services, "_publish_days", dies_on_the_second_person)
    with pytest.raises(RuntimeError):
        rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)
    plan.refresh_from_db()
    first = _rota_days(plan)
    assert plan.status == "publishing" and first and len(first) < planned  # the first person's days stand
    assert not Notification.objects.filter(kind="rota.published").exists()
    with pytest.raises(ValidationError, match="sedang diterbitkan"):  # a second click at once waits
        rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)

    monkeypatch.setattr(rota_services, "_publish_days", real)
    RotaPlan.objects.filter(pk=plan.pk).update(published_at=timezone.now() - rota_services.PUBLISH_STALE)
    plan = rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)
    days = _rota_days(plan)
    assert plan.status == "published" and len(days) == planned and plan.outcome["refused"] == []
    assert sum(len(v) for v in plan.outcome["granted"].values()) == planned  # the first run's days counted
    assert RequestDay.objects.count() == planned  # nothing approved twice
    _assert_every_rule_holds(days)
    notes = Counter(Notification.objects.filter(kind="rota.published").values_list("recipient_id", flat=True))
    assert set(notes.values()) == {1}


def test_a_rule_changed_before_publishing_refuses_those_days_and_reports_them(kabid, team, bidang_p2p):
    for e in team[1:]:
        _prefer(e, [FRIDAY, 1])
    plan = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    fridays = [d for c in selectors.rota.assignment_of(plan).values() for d in c if d.weekday() == FRIDAY]
    assert fridays
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 12, 1), mandatory_weekdays=[FRIDAY])
    plan = rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)
    assert not RequestDay.objects.filter(date__week_day=6).exists()  # Django: Friday is 6
    refused = plan.outcome["refused"]
    assert len(refused) == len(fridays)
    assert {v["rule"] for r in refused for v in r["verdicts"]} == {"mandatory_weekday"}
    _assert_every_rule_holds(_rota_days(plan))
    assert not WorkRequest.objects.filter(days__isnull=True).exists()  # nothing half-written
    body = Notification.objects.filter(kind="rota.published").first().params["body"]
    assert "Tidak dapat disetujui" in body
    client = Client()
    client.force_login(kabid.user)
    page = client.get(f"/tim/rota/{plan.pk}/").content.decode()
    assert "Hari yang ditolak saat diterbitkan" in page and "hari wajib di kantor" in page


def test_nobody_approves_their_own_day_by_publishing(hr, kabid, team, bidang_p2p):
    _prefer(kabid, [FRIDAY])
    plan = rota_services.rota_plan_propose(actor=hr, unit_id=bidang_p2p.pk, month=JANUARY)
    assert plan.cells[str(kabid.pk)]
    plan = rota_services.rota_plan_publish(actor=kabid.user, plan_id=plan.pk)
    assert not RequestDay.objects.filter(employee=kabid).exists()
    assert {r["employee"] for r in plan.outcome["refused"]} == {kabid.pk}


@pytest.fixture
def generated_units(dinkes, hr):
    """Several generated units (seeded): sizes, shares, mandatory days, an essential post, caps,
    existing approved leave, random preferences."""
    rng = random.Random(14)
    boss = EmployeeFactory(unit=dinkes, name="Sekretaris")
    units = []
    for i in range(4):
        unit = UnitFactory(parent=dinkes, name=f"Seksi {i}")
        policy = CoveragePolicy.objects.create(
            unit=unit, effective_from=dt.date(2026, 1, 1), min_office_share=rng.choice([40, 60, 75]),
            min_office_headcount=rng.choice([None, 2]), weekly_cap=rng.choice([1, 2]),
            monthly_cap=rng.choice([None, 4]), mandatory_weekdays=[rng.randrange(5)] if i % 2 else [],
            blackout_dates=["2027-01-13"] if i == 1 else None)
        EssentialPosition.objects.create(policy=policy, jabatan="Pranata Komputer", min_in_office=1)
        staff = [EmployeeFactory(unit=unit, supervisor=boss,
                                 jabatan="Pranata Komputer" if j % 3 == 0 else "Analis Kebijakan")
                 for j in range(rng.randint(4, 9))]
        for e in staff:
            _prefer(e, rng.sample(range(5), rng.randint(1, 3)))
        leaver = staff[-1]
        request = WorkRequest.objects.create(employee=leaver, kind=Kind.CT, created_by=leaver.user)
        RequestDay.objects.create(request=request, employee=leaver, unit=unit, kind=Kind.CT,
                                  date=dt.date(2027, 1, 15), status=Status.APPROVED)
        units.append(unit)
    return units


def test_no_published_plan_breaks_a_rule_over_generated_units(hr, generated_units):
    for unit in generated_units:
        plan = rota_services.rota_plan_propose(actor=hr, unit_id=unit.pk, month=JANUARY)
        plan = rota_services.rota_plan_publish(actor=hr, plan_id=plan.pk)
        assert plan.outcome["refused"] == [], plan.outcome["refused"]
    days = [d for d in RequestDay.objects.filter(kind=Kind.WFH).select_related("employee__unit")]
    _assert_every_rule_holds(days)
    assert not RequestDay.objects.filter(kind=Kind.WFH, date=dt.date(2027, 1, 13), unit=generated_units[1]).exists()


def test_a_subtree_plan_plans_each_unit_on_its_own_rules(hr, dinkes, generated_units):
    plan = rota_services.rota_plan_propose(actor=hr, unit_id=dinkes.pk, month=JANUARY, include_subunits=True)
    planned = {int(pk) for pk in plan.cells}
    assert {e.unit_id for e in Employee.objects.filter(pk__in=planned)} <= {
        u.pk for u in generated_units}
    plan = rota_services.rota_plan_publish(actor=hr, plan_id=plan.pk)
    _assert_every_rule_holds(_rota_days(plan))


def _fridays(unit, first):
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    return [d for d in workcalendar.working_days(unit, first, last) if d.weekday() == FRIDAY]


def test_fairness_improves_over_months(kabid, bidang_p2p, kadis):
    """As many people want every Friday as January and February have Fridays, and one may go each
    Friday: February goes to exactly those January left out, so the spread closes to nothing."""
    january_fridays, february_fridays = _fridays(bidang_p2p, JANUARY), _fridays(bidang_p2p, dt.date(2027, 2, 1))
    n = len(january_fridays) + len(february_fridays)
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), min_office_headcount=n)
    staff = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(n)]
    for e in staff:
        _prefer(e, [FRIDAY])
    january = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    january = rota_services.rota_plan_publish(actor=kabid.user, plan_id=january.pk)
    got = {e.pk: len(january.outcome["granted"].get(str(e.pk), [])) for e in staff}
    assert sorted(got.values()) == [0] * len(february_fridays) + [1] * len(january_fridays)
    february = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=dt.date(2027, 2, 1))
    february_got = {e.pk: len(february.cells.get(str(e.pk), {})) for e in staff}
    assert {pk: got[pk] + february_got[pk] for pk in got} == dict.fromkeys(got, 1)
    assert january.fairness["spread"] > 0
    assert february.fairness["spread"] == 0


# --- Adjusting -------------------------------------------------------------------------------------


def test_an_adjustment_that_breaks_a_rule_is_refused_and_nothing_is_written(kabid, team, bidang_p2p):
    for e in team[1:]:
        _prefer(e, [FRIDAY])
    plan = rota_services.rota_plan_propose(actor=kabid.user, unit_id=bidang_p2p.pk, month=JANUARY)
    friday = dt.date(2027, 1, 8)
    before = dict(plan.cells)
    crowd = {(e.pk, friday): "WFH" for e in team[1:]}  # 4 of 5 away: the 60% minimum breaks
    with pytest.raises(ValidationError) as exc:
        rota_services.rota_plan_adjust(actor=kabid.user, plan_id=plan.pk, changes=crowd)
    assert "cells" in exc.value.message_dict
    plan.refresh_from_db()
    assert plan.cells == before
    assert not AuditEvent.objects.filter(verb="rota_plan.adjusted").exists()
    someone = team[1]
    change = {(someone.pk, friday): "office"}
    plan = rota_services.rota_plan_adjust(actor=kabid.user, plan_id=plan.pk, changes=change)
    assert friday.isoformat() not in plan.cells.get(str(someone.pk), {})
    assert AuditEvent.objects.filter(verb="rota_plan.adjusted").count() == 1


# --- Pages and API ---------------------------------------------------------------------------------


def test_the_pages_propose_adjust_and_publish(kabid, team, bidang_p2p, ani):
    _prefer(ani, [FRIDAY])
    client = Client()
    assert client.login(username="kabid", password=PASSWORD)
    assert client.get("/tim/rota/").status_code == 200
    response = client.post("/tim/rota/", {"unit": bidang_p2p.pk, "month": "2027-01"})
    plan = RotaPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tim/rota/{plan.pk}/"
    page = client.get(f"/tim/rota/{plan.pk}/").content.decode()
    assert "Sebaran" in page and f'name="c-{ani.pk}-2027-01-08"' in page
    bad = client.post(f"/tim/rota/{plan.pk}/ubah/", {f"c-{e.pk}-2027-01-08": "WFH" for e in team[1:]})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert client.post(f"/tim/rota/{plan.pk}/ubah/", {f"c-{ani.pk}-2027-01-15": "office"}).status_code == 302
    assert client.post(f"/tim/rota/{plan.pk}/terbitkan/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "published"
    published = client.get(f"/tim/rota/{plan.pk}/").content.decode()
    assert "Diterbitkan" in published and f'name="c-{ani.pk}-' not in published  # no longer editable
    assert not RequestDay.objects.filter(employee=ani, date=dt.date(2027, 1, 15)).exists()
    assert RequestDay.objects.filter(employee=ani, date=dt.date(2027, 1, 8), status=Status.APPROVED).exists()


def test_the_propose_page_refuses_an_empty_unit_with_a_form_error(hr, dinkes):
    empty = UnitFactory(parent=dinkes, name="Seksi Kosong")
    client = Client()
    client.force_login(hr)
    response = client.post("/tim/rota/", {"unit": empty.pk, "month": "2027-01"})
    assert response.status_code == 200 and "Tidak ada pegawai aktif" in response.content.decode()
    assert not RotaPlan.objects.exists()


def test_the_api_proposes_adjusts_and_publishes(hr, team, bidang_p2p, ani):
    _prefer(ani, [FRIDAY])
    client = APIClient()
    client.force_authenticate(hr)
    created = client.post("/api/v1/rota/plans/", {"unit": bidang_p2p.pk, "month": "2027-01"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["fairness"]["spread"] == 0
    pk = body["id"]
    refused = client.post(f"/api/v1/rota/plans/{pk}/cells/", {"cells": [
        {"employee": e.pk, "date": "2027-01-08", "value": "WFH"} for e in team[1:]]}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["fields"]["cells"]
    published = client.post(f"/api/v1/rota/plans/{pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["outcome"]["granted"][str(ani.pk)]
    assert [p["id"] for p in client.get("/api/v1/rota/plans/").json()] == [pk]
    empty = UnitFactory(parent=bidang_p2p.parent, name="Kosong")
    bad = client.post("/api/v1/rota/plans/", {"unit": empty.pk, "month": "2027-01"}, format="json")
    assert bad.status_code == 400 and "unit" in bad.json()["error"]["fields"]
    assert RotaPlan.objects.count() == 1
