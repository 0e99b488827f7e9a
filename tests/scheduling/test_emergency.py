"""Emergency mode (issue 14.2): HR declares an emergency over units and dates with a profile; it is
an overlay on the normal rules, in force at once, told to everyone affected once, shown on every
page of those units, ending by itself (or early) and leaving the normal rules exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent, Notification
from scheduling import rules, selectors, services
from scheduling.models import CoveragePolicy, Emergency, EssentialPosition, Kind, RequestDay, Status
from scheduling.selectors.emergency import banner_emergencies, emergencies_by_state
from scheduling.services import emergency as emergency_services
from tests.factories import EmployeeFactory, UserFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MON, TUE, WED, THU, FRI = (dt.date(2026, 12, 7) + dt.timedelta(days=i) for i in range(5))
NEXT_MON = dt.date(2026, 12, 14)
FLOOD, SE = "Banjir Jakarta Timur", "SE Sekda No. 800/123/2026"

pytestmark = pytest.mark.now(dt.datetime(2026, 12, 7, 8, 0, tzinfo=WIB), tick=False)


def declare(hr, profile, start=MON, end=FRI, units=None, name=FLOOD, **kwargs):
    return services.emergency_declare(actor=hr, name=name, legal_basis=SE, profile=profile, start=start, end=end,
                                      units=units, **kwargs)


def submit(person, days, kind=Kind.WFH, **kwargs):
    return services.request_submit(actor=person.user, kind=kind, dates=days, location="Rumah", **kwargs)


def day_of(person, day) -> RequestDay:
    return RequestDay.objects.get(employee=person, date=day, status__in=[Status.PENDING, Status.APPROVED])


def rules_in(verdicts) -> set[str]:
    return {v["rule"] if isinstance(v, dict) else v.rule for v in verdicts}


def on(day: dt.date, hour: int = 8):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=WIB), tick=False)


@pytest.fixture
def five(team):
    """Bidang P2P: kabid, ani, budi and two more (5); Dinkes keeps 60% (3) in the office; two
    flexible days a week (the Permen's default)."""
    return team


# --- The drill ----------------------------------------------------------------------------------


def test_drill_declare_use_end_early_and_nothing_outlives_it(five, hr, dinkes, bidang_p2p, kabid, ani, budi, client,
                                                             django_capture_on_commit_callbacks):
    extra1, extra2 = five[3], five[4]
    normal = {d: selectors.effective_policy(bidang_p2p, d) for d in (MON, TUE, WED, THU, FRI)}
    assert normal[TUE].min_office_share == 60 and normal[TUE].emergency is None

    with django_capture_on_commit_callbacks(execute=True):
        emergency = declare(hr, rules.ESSENTIAL_ONLY, units=[dinkes])

    # In force at once: the overlay, not a policy row.
    assert CoveragePolicy.objects.count() == 1
    under = selectors.effective_policy(bidang_p2p, TUE)
    assert under.min_office_share is None and under.emergency.id == emergency.pk
    # Three flexible days in a week and three of five people away on Tuesday: all approved at once.
    submit(ani, [MON, TUE, WED])
    submit(budi, [TUE])
    submit(extra1, [TUE])
    for person, day in [(ani, MON), (ani, TUE), (ani, WED), (budi, TUE), (extra1, TUE)]:
        decided = day_of(person, day)
        assert decided.status == Status.APPROVED and decided.auto_approved
        assert decided.emergency_id == emergency.pk
        assert "emergency" in rules_in(decided.verdicts)
        assert FLOOD in decided.acting_for
    assert SE in [v for v in day_of(budi, TUE).verdicts if v["rule"] == "emergency"][0]["message"]
    # Told once, and shown on every page.
    assert Notification.objects.filter(recipient=ani.user, kind="emergency.declared").count() == 1
    client.force_login(ani.user)
    assert "Keadaan darurat: Banjir Jakarta Timur" in client.get("/").content.decode()

    with on(WED):
        services.emergency_end(actor=hr, emergency=emergency)
        emergency.refresh_from_db()
        assert emergency.last_day == TUE and emergency.ended_early_at is not None

        # Nothing outlives it: the rules from today on are the normal ones, exactly.
        for d in (WED, THU, FRI):
            assert selectors.effective_policy(bidang_p2p, d) == normal[d]
        assert selectors.emergency_for(bidang_p2p, WED) is None
        # New requests meet the normal rules: a supervisor decides, coverage holds again.
        submit(budi, [THU])
        submit(extra1, [THU])
        submit(extra2, [THU])
        assert {day_of(p, THU).status for p in (budi, extra1, extra2)} == {Status.PENDING}
        services.request_day_approve(actor=kabid.user, day_id=day_of(budi, THU).pk)
        services.request_day_approve(actor=kabid.user, day_id=day_of(extra1, THU).pk)
        with pytest.raises(services.DecisionBlocked) as refused:
            services.request_day_approve(actor=kabid.user, day_id=day_of(extra2, THU).pk)
        assert "coverage" in rules_in(refused.value.verdicts)
        assert day_of(budi, THU).emergency_id is None
        # Banner gone.
        assert "Keadaan darurat" not in client.get("/").content.decode()

    # What was decided under it keeps its decision and says so.
    assert day_of(budi, TUE).status == Status.APPROVED and day_of(budi, TUE).emergency_id == emergency.pk
    verbs = list(AuditEvent.objects.filter(verb__startswith="emergency.").values_list("verb", flat=True))
    assert sorted(verbs) == ["emergency.declared", "emergency.ended"]


def test_it_ends_by_itself_on_its_last_day(five, hr, dinkes, bidang_p2p, kabid, ani, client):
    normal_next_week = selectors.effective_policy(bidang_p2p, NEXT_MON)
    emergency = declare(hr, rules.CAPS_LIFTED, start=MON, end=TUE, units=[dinkes])
    submit(ani, [MON, TUE])
    for day in (MON, TUE):
        services.request_day_approve(actor=kabid.user, day_id=day_of(ani, day).pk)
        assert day_of(ani, day).emergency_id == emergency.pk

    with on(WED):
        client.force_login(ani.user)
        assert "Keadaan darurat" not in client.get("/").content.decode()
        assert selectors.effective_policy(bidang_p2p, WED).emergency is None
        assert selectors.effective_policy(bidang_p2p, NEXT_MON) == normal_next_week
        # Its two days counted towards no cap; from Wednesday the Permen's two a week apply again.
        previews = selectors.preview_days(ani, Kind.WFH, [WED, THU, FRI])
        assert [p.blocked for p in previews] == [False, False, True]
        assert "weekly_cap" in rules_in(previews[2].verdicts)
        assert not any("emergency" in rules_in(p.verdicts) for p in previews)
    emergency.refresh_from_db()
    assert emergency.ended_early_at is None  # nothing ran: the date did it


# --- Each profile -------------------------------------------------------------------------------


def test_caps_lifted_frees_the_caps_but_the_supervisor_still_decides(five, hr, dinkes, kabid, ani):
    declare(hr, rules.CAPS_LIFTED, units=[dinkes])
    result = submit(ani, [MON, TUE, WED])
    assert not result.blocked
    assert {d.status for d in result.days} == {Status.PENDING}
    # The inbox card and the month calendar read the same overlay.
    card = {item.day.date: item.check for item in selectors.inbox(kabid.user)}
    assert all("emergency" in rules_in(c.verdicts) and not c.blocked for c in card.values()) and len(card) == 3
    month = selectors.own_month(ani, MON.replace(day=1))
    assert {c.date: c.fwa for c in month.cells if c.date in (THU, FRI)} == {THU: FLOOD, FRI: FLOOD}
    verdicts = selectors.preview_days(ani, Kind.WFH, [THU])[0].verdicts
    assert "weekly_cap" not in rules_in(verdicts) and "emergency" in rules_in(verdicts)


def test_wfh_auto_approves_while_coverage_still_holds(five, hr, dinkes, ani, budi):
    extra1, extra2 = five[3], five[4]
    emergency = declare(hr, rules.WFH_AUTO, units=[dinkes])
    for person in (ani, budi):
        submit(person, [TUE])
        assert day_of(person, TUE).status == Status.APPROVED
    # 5 people, 3 must stay in: the third is refused with the unit's coverage, as without the emergency.
    with pytest.raises(services.RequestBlocked) as refused:
        submit(extra1, [TUE])
    assert "coverage" in rules_in(refused.value.previews[0].verdicts)
    assert RequestDay.objects.filter(emergency=emergency, auto_approved=True).count() == 2
    assert not RequestDay.objects.filter(employee=extra2).exists()


def test_essential_only_keeps_the_essential_positions(five, hr, dinkes, bidang_p2p, ani, budi):
    policy = CoveragePolicy.objects.get(unit=dinkes)
    EssentialPosition.objects.create(policy=policy, jabatan=ani.jabatan, min_in_office=5)
    budi.jabatan = "Pengelola Data"
    budi.save(update_fields=["jabatan"])
    declare(hr, rules.ESSENTIAL_ONLY, units=[bidang_p2p])
    submit(budi, [TUE])
    assert day_of(budi, TUE).status == Status.APPROVED
    previews = selectors.preview_days(ani, Kind.WFH, [TUE])
    assert "essential" in rules_in(previews[0].verdicts)
    assert "coverage" not in rules_in(previews[0].verdicts)


def test_everyone_in_office_refuses_flexible_days_naming_the_emergency_but_never_absences(
        five, hr, dinkes, kabid, ani, budi):
    submit(budi, [WED])  # asked before the national event was declared
    emergency = declare(hr, rules.ALL_IN_OFFICE, start=TUE, end=WED, units=[dinkes], name="Sidang Umum MPR")
    opened = services.fwa_window_open(actor=hr, name="SE MenPAN-RB 9/2026", start=TUE, end=WED, units=[dinkes])
    assert (opened.pending, opened.auto_approved) == (1, 0)

    with pytest.raises(services.RequestBlocked) as blocked:
        submit(ani, [TUE])
    refused = blocked.value.previews[0].verdicts
    office = [v for v in refused if v.rule == "emergency_office"][0]
    assert office.severity == rules.BLOCK and "Sidang Umum MPR" in office.message and SE in office.message
    # The FWA window's days are closed by the emergency: nothing was approved automatically.
    assert day_of(budi, WED).status == Status.PENDING
    with pytest.raises(services.DecisionBlocked):
        services.request_day_approve(actor=kabid.user, day_id=day_of(budi, WED).pk)
    # Absences are never refused by it.
    for kind in (Kind.DL, Kind.SAKIT):
        preview = selectors.preview_days(ani, kind, [TUE])[0]
        assert "emergency_office" not in rules_in(preview.verdicts) and not preview.blocked
    # Rejecting a day under it records it too.
    services.request_day_reject(actor=kabid.user, day_id=day_of(budi, WED).pk, reason="Sidang umum.")
    assert RequestDay.objects.get(employee=budi, date=WED).emergency_id == emergency.pk


def test_the_staffing_minimum_follows_the_overlay(five, hr, dinkes, bidang_p2p):
    from attendance.models import StaffingSnapshot
    from attendance.services.staffing import compute_staffing

    declare(hr, rules.ESSENTIAL_ONLY, start=TUE, end=TUE, units=[dinkes])
    compute_staffing(MON, TUE, unit_ids=[bidang_p2p.pk])
    minimum = dict(StaffingSnapshot.objects.filter(unit=bidang_p2p).values_list("date", "minimum"))
    assert minimum[MON] == 3 and minimum[TUE] == 0


def test_declaring_and_ending_mark_the_staffing_days_they_change(five, hr, dinkes, bidang_p2p, upt, pemprov_lain):
    from scheduling.models import UnitDay

    def changed():
        return set(UnitDay.objects.exclude(changed_at=None).values_list("unit_id", "date"))

    UnitDay.objects.update(changed_at=None)
    emergency = declare(hr, rules.CAPS_LIFTED, start=TUE, end=THU, units=[bidang_p2p])
    assert changed() == {(bidang_p2p.pk, day) for day in (TUE, WED, THU)}  # its subtree, its days only

    UnitDay.objects.update(changed_at=None)
    with on(WED):
        emergency_services.emergency_end(actor=hr, emergency=emergency)
    assert changed() == {(bidang_p2p.pk, day) for day in (WED, THU)}  # the days given back to normal rules


# --- Telling everyone once, the banner -----------------------------------------------------------


def test_everyone_affected_is_told_once_in_batches(five, hr, dinkes, upt, kadis, outsider, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    in_upt = EmployeeFactory(unit=upt)
    monkeypatch.setattr(emergency_services, "NOTIFY_BATCH", 2)
    with django_capture_on_commit_callbacks(execute=True):
        emergency = declare(hr, rules.WFH_AUTO, units=[dinkes])
    emergency_services.emergency_notify(emergency.pk)  # a second run (a retried task) tells nobody twice
    told = list(Notification.objects.filter(kind="emergency.declared").values_list("recipient_id", flat=True))
    expected = {p.user_id for p in [*five, kadis, in_upt]}
    assert sorted(told) == sorted(expected)
    assert outsider.user_id not in told
    body = Notification.objects.filter(recipient=in_upt.user).get().params["body"]
    assert FLOOD in body and SE in body


def test_the_banner_asks_the_units_zone_only_when_the_zones_disagree_on_the_date(hr, dinkes, upt, bidang_p2p):
    """16:30 UTC on Monday is Monday 23:30 WIB and Tuesday 00:30 WITA: an emergency from Tuesday
    shows in the WITA puskesmas and not yet in WIB Jakarta."""
    declare(hr, rules.CAPS_LIFTED, start=TUE, end=FRI, units=[dinkes])
    wita = EmployeeFactory(unit=upt, user=UserFactory(username="upt2"))
    wib = EmployeeFactory(unit=bidang_p2p, user=UserFactory(username="p2p2"))
    with time_machine.travel(dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC), tick=False):
        assert [e.name for e in banner_emergencies(wita.user)] == [FLOOD]
        assert banner_emergencies(wib.user) == []


def test_the_banner_reaches_the_units_people_and_their_supervisors_only(five, hr, bidang_p2p, kadis, upt, client):
    declare(hr, rules.CAPS_LIFTED, units=[bidang_p2p])
    in_upt = EmployeeFactory(unit=upt, user=UserFactory(username="upt1"))
    assert [e.name for e in banner_emergencies(five[1].user)] == [FLOOD]
    assert [e.name for e in banner_emergencies(kadis.user)] == [FLOOD]  # kabid reports to him
    assert banner_emergencies(in_upt.user) == []
    user = type(five[1].user).objects.get(pk=five[1].user_id)
    user.employee  # noqa: B018 - loaded as the context processor loads it (nav_employee)
    with CaptureQueriesContext(connection) as queries:
        assert [e.name for e in banner_emergencies(user)] == [FLOOD]
    assert len(queries) == 1
    client.force_login(in_upt.user)
    assert "Keadaan darurat" not in client.get("/").content.decode()


# --- Bad input: translated errors, nothing written ----------------------------------------------


def _nothing_written(before: tuple[int, int]):
    assert (Emergency.objects.count(), AuditEvent.objects.filter(verb__startswith="emergency.").count()) == before


def _counts():
    return Emergency.objects.count(), AuditEvent.objects.filter(verb__startswith="emergency.").count()


@pytest.mark.parametrize("other_unit", ["dinkes", "bidang_p2p", "upt"])
def test_an_overlap_over_the_same_subtree_is_refused(hr, dinkes, bidang_p2p, upt, other_unit, request):
    declare(hr, rules.ESSENTIAL_ONLY, start=MON, end=WED, units=[dinkes if other_unit != "dinkes" else bidang_p2p])
    before = _counts()
    with pytest.raises(ValidationError) as error:
        declare(hr, rules.CAPS_LIFTED, start=WED, end=FRI, units=[request.getfixturevalue(other_unit)],
                name="Kabut asap")
    assert "Bertumpang tindih" in error.value.message_dict["units"][0] and FLOOD in error.value.message_dict["units"][0]
    _nothing_written(before)


def test_no_overlap_when_dates_or_trees_are_apart(hr, dinkes, bidang_p2p, upt, superuser, pemprov_lain):
    declare(hr, rules.ESSENTIAL_ONLY, start=MON, end=TUE, units=[bidang_p2p])
    declare(hr, rules.CAPS_LIFTED, start=WED, end=FRI, units=[dinkes], name="Kabut asap")
    declare(superuser, rules.ALL_IN_OFFICE, start=MON, end=FRI, units=[pemprov_lain], name="Acara")
    assert Emergency.objects.count() == 3


def test_ending_early_frees_the_remaining_days_for_another(hr, dinkes):
    first = declare(hr, rules.ESSENTIAL_ONLY, start=MON, end=FRI, units=[dinkes])
    with on(WED):
        services.emergency_end(actor=hr, emergency=first)
        declare(hr, rules.ALL_IN_OFFICE, start=WED, end=FRI, units=[dinkes], name="Kunjungan Presiden")
        with pytest.raises(ValidationError):
            services.emergency_end(actor=hr, emergency=Emergency.objects.get(pk=first.pk))


def test_an_upcoming_emergency_ended_never_applies(hr, dinkes, bidang_p2p):
    upcoming = declare(hr, rules.ALL_IN_OFFICE, start=NEXT_MON, end=NEXT_MON + dt.timedelta(days=4), units=[dinkes])
    services.emergency_end(actor=hr, emergency=upcoming)
    upcoming.refresh_from_db()
    assert upcoming.last_day < upcoming.start
    assert selectors.effective_policy(bidang_p2p, NEXT_MON).emergency is None


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"end": MON - dt.timedelta(days=1)}, "end", "Tanggal selesai tidak boleh sebelum tanggal mulai."),
    ({"units": []}, "units", "Pilih minimal satu unit."),
    ({"units": "outside"}, "units", "Ada unit di luar cakupan kepegawaian Anda."),
    ({"name": "  "}, "name", "Sebutkan keadaan daruratnya"),
    ({"legal_basis": ""}, "legal_basis", "Sebutkan dasar hukumnya"),
    ({"profile": "holiday"}, "profile", "Pilih salah satu profil"),
])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_written(hr, dinkes, pemprov_lain, change, field,
                                                                     message):
    values = {"name": FLOOD, "legal_basis": SE, "profile": rules.WFH_AUTO, "start": MON, "end": FRI,
              "units": [dinkes], **change}
    if values["units"] == "outside":
        values["units"] = [dinkes, pemprov_lain]
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.emergency_declare(actor=hr, **values)
    assert message in error.value.message_dict[field][0]
    _nothing_written(before)


def test_the_rules_are_pure_and_name_the_emergency():
    base = rules.Policy(min_office_share=60, weekly_cap=2, mandatory_weekdays=frozenset({0}),
                        essential=(("Dokter", 1),))
    flood = rules.EmergencyRule(7, FLOOD, SE, rules.ESSENTIAL_ONLY)
    under = rules.under_emergency(base, flood)
    assert (under.min_office_share, under.mandatory_weekdays, under.essential) == (None, frozenset(), base.essential)
    assert rules.under_emergency(base, None) is base
    ctx = rules.DayContext(date=MON, flexible=True, unit_name="P2P", headcount=5, away_others=3, own_flexible_week=2)
    assert rules_in(rules.evaluate_day(under, ctx)) == {"emergency"}
    office = rules.under_emergency(base, rules.EmergencyRule(8, "Sidang Umum", SE, rules.ALL_IN_OFFICE))
    refused = rules.evaluate_day(office, ctx)
    assert refused[0].rule == "emergency_office" and "Sidang Umum" in refused[0].message
    absence = rules.DayContext(date=TUE, flexible=False, unit_name="P2P", headcount=5, away_others=0)
    assert rules.evaluate_day(office, absence) == []


def test_the_policy_page_says_an_emergency_changes_its_values_while_in_force(hr, dinkes, bidang_p2p, client):
    from django.urls import reverse

    emergency = declare(hr, rules.CAPS_LIFTED, start=TUE, end=THU, units=[dinkes])
    client.force_login(hr)
    url = reverse("scheduling:policy_unit", kwargs={"unit_id": bidang_p2p.pk})
    assert FLOOD in client.get(url, {"tanggal": WED.isoformat()}).content.decode()  # inherited from dinkes
    assert FLOOD not in client.get(url, {"tanggal": MON.isoformat()}).content.decode()
    with on(WED):
        emergency_services.emergency_end(actor=hr, emergency=emergency)
    assert FLOOD not in client.get(url, {"tanggal": WED.isoformat()}).content.decode()


def test_the_page_lists_reads_only_the_latest_ended_emergencies(superuser, dinkes):
    def made(name, start, last_day):
        emergency = Emergency.objects.create(name=name, legal_basis="SE 2/2026", profile="wfh_auto", start=start,
                                             end=max(start, last_day), last_day=last_day, created_by=superuser)
        emergency.units.add(dinkes)
        return emergency

    old = [made(f"Lama {i}", dt.date(2026, 1 + i, 1), dt.date(2026, 1 + i, 5)) for i in range(3)]
    ended_early = made("Diakhiri", TUE, MON - dt.timedelta(days=1))  # ended before it began
    active, upcoming = made("Sekarang", MON, FRI), made("Nanti", NEXT_MON, NEXT_MON)
    lists = emergencies_by_state(superuser, WED, ended_shown=2)
    assert lists.active == [active] and lists.upcoming == [upcoming]
    assert lists.ended == [ended_early, old[2]]
