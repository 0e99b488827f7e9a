"""Coverage policies against the database: effective dates, inheritance, holidays,
essential positions, the three modes end to end, FWA windows and cancellation."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from portal.models import AuditEvent
from scheduling import rules, selectors, services
from scheduling.models import CoveragePolicy, EssentialPosition, Kind, Mode, RequestDay, Status
from tests.factories import EmployeeFactory, UnitFactory, pdf_upload

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # Friday 20 November, 09:00 WIB
MON = dt.date(2026, 12, 7)
TUE, WED, THU, FRI = (MON + dt.timedelta(days=i) for i in range(1, 5))

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(bidang_p2p, kabid, ani, budi):
    """Bidang P2P: kabid, ani, budi and two more = 5; dinkes sets at least 60% in (3 stay)."""
    extra = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(2)]
    CoveragePolicy.objects.create(unit=bidang_p2p.parent, effective_from=dt.date(2025, 1, 1), min_office_share=60)
    return [ani, budi, *extra]


def submit(employee, day, **kwargs):
    (created,) = services.request_submit(actor=employee.user, kind=kwargs.pop("kind", Kind.WFH), dates=[day],
                                         **kwargs).days
    return created


def blocked_rules(employee, day, kind=Kind.WFH) -> list[str]:
    (preview,) = selectors.preview_days(employee, kind, [day])
    return [v.rule for v in preview.verdicts if v.severity == rules.BLOCK]


# --- effective dates and inheritance ---------------------------------------------------

def test_it_applies_a_new_policy_only_from_its_date(team, kabid, dinkes):
    ani, budi, third = team[0], team[1], team[2]
    CoveragePolicy.objects.create(unit=dinkes, effective_from=WED, min_office_share=80)  # 4 of 5 stay
    for day in (TUE, WED):
        services.request_day_approve(actor=kabid.user, day_id=submit(ani, day).pk)
    # Tuesday still runs on 60%: a second person may go. From Wednesday only one may.
    assert blocked_rules(budi, TUE) == []
    assert blocked_rules(budi, WED) == ["coverage"]
    assert blocked_rules(third, MON) == []
    assert selectors.effective_policy(dinkes, TUE).min_office_share == 60
    assert selectors.effective_policy(dinkes, WED).min_office_share == 80


def test_it_ignores_a_policy_that_starts_in_the_future(dinkes):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2027, 1, 1), weekly_cap=1)
    assert selectors.effective_policy(dinkes, MON).weekly_cap == rules.DEFAULT_WEEKLY_CAP
    assert selectors.effective_policy(dinkes, dt.date(2027, 1, 4)).weekly_cap == 1


def test_it_inherits_through_the_unit_tree(pemkot, dinkes, bidang_p2p, upt):
    start = dt.date(2025, 1, 1)
    CoveragePolicy.objects.create(unit=pemkot, effective_from=start, min_office_share=70, weekly_cap=2)
    CoveragePolicy.objects.create(unit=dinkes, effective_from=start, weekly_cap=1)
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=start, mode=Mode.WARN)
    p2p = selectors.effective_policy(bidang_p2p, MON)
    assert (p2p.min_office_share, p2p.weekly_cap, p2p.mode) == (70, 1, "warn")
    sibling = selectors.effective_policy(upt, MON)
    assert (sibling.min_office_share, sibling.weekly_cap, sibling.mode) == (70, 1, "block")
    assert selectors.effective_policy(pemkot, MON).weekly_cap == 2


def test_it_lets_an_older_child_policy_override_a_newer_parent_one(dinkes, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), min_office_share=50)
    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2026, 1, 1), min_office_share=80)
    assert selectors.effective_policy(bidang_p2p, MON).min_office_share == 50
    assert selectors.effective_policy(dinkes, MON).min_office_share == 80


def test_it_accumulates_essential_positions_down_the_tree(dinkes, upt):
    start = dt.date(2025, 1, 1)
    parent = CoveragePolicy.objects.create(unit=dinkes, effective_from=start)
    EssentialPosition.objects.create(policy=parent, jabatan="Petugas Loket", min_in_office=1)
    child = CoveragePolicy.objects.create(unit=upt, effective_from=start)
    EssentialPosition.objects.create(policy=child, jabatan="Dokter", min_in_office=2)
    assert selectors.effective_policy(upt, MON).essential == (("Dokter", 2), ("Petugas Loket", 1))
    assert selectors.effective_policy(dinkes, MON).essential == (("Petugas Loket", 1),)


# --- holidays and the weekly cap across a month boundary -------------------------------

def test_it_skips_holidays_inside_a_range_with_their_names(bidang_p2p):
    days, skipped = selectors.expand_dates(bidang_p2p, start=dt.date(2026, 12, 21), end=dt.date(2026, 12, 31))
    assert days == [dt.date(2026, 12, d) for d in (21, 22, 23, 28, 29, 30, 31)]
    reasons = {s.date: s.reason for s in skipped}
    assert set(reasons) == {dt.date(2026, 12, d) for d in (24, 25, 26, 27)}
    assert "Natal" in reasons[dt.date(2026, 12, 25)]
    assert "Natal" in reasons[dt.date(2026, 12, 24)]  # cuti bersama
    assert reasons[dt.date(2026, 12, 26)] == "akhir pekan"


def test_it_skips_holidays_of_a_weekday_pattern(bidang_p2p):
    days, skipped = selectors.expand_dates(bidang_p2p, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31),
                                          weekdays=[4])
    assert days == [dt.date(2026, 12, 4), dt.date(2026, 12, 11), dt.date(2026, 12, 18)]
    assert [s.date for s in skipped] == [dt.date(2026, 12, 25)]


def test_it_counts_november_days_against_the_cap_of_a_december_day(team):
    ani = team[0]
    submit(ani, dt.date(2026, 11, 30))
    submit(ani, dt.date(2026, 12, 1))
    assert blocked_rules(ani, dt.date(2026, 12, 2)) == ["weekly_cap"]
    assert blocked_rules(ani, dt.date(2026, 12, 7)) == []  # next week starts afresh


def test_it_counts_two_days_of_august_against_a_september_day(team):
    ani = team[0]
    result = services.request_submit(actor=ani.user, kind=Kind.WFH, start=dt.date(2027, 8, 30),
                                     end=dt.date(2027, 9, 1), skip_blocked=True)
    assert [d.date for d in result.days] == [dt.date(2027, 8, 30), dt.date(2027, 8, 31)]
    (blocked,) = result.blocked
    assert blocked.date == dt.date(2027, 9, 1)
    assert blocked.verdicts[0].params == {"used": 2, "cap": 2, "week": "2027-08-30"}


def test_it_exempts_keadaan_khusus_from_the_weekly_cap(team):
    ani = team[0]
    result = services.request_submit(actor=ani.user, kind=Kind.WFH, start=MON, end=FRI, special_circumstance=True,
                                     reason="Merawat orang tua", work_plan="Menyusun laporan",
                                     expected_outputs="Laporan triwulan", evidence=[pdf_upload()])
    assert len(result.days) == 5


# --- essential positions ----------------------------------------------------------------

def test_it_keeps_one_petugas_loket_in_a_front_line_unit(upt, kadis):
    policy = CoveragePolicy.objects.create(unit=upt, effective_from=dt.date(2025, 1, 1))
    EssentialPosition.objects.create(policy=policy, jabatan="Petugas Loket", min_in_office=1)
    first, second = (EmployeeFactory(unit=upt, jabatan="Petugas Loket", supervisor=kadis) for _ in range(2))
    analyst = EmployeeFactory(unit=upt, jabatan="Analis", supervisor=kadis)
    services.request_day_approve(actor=kadis.user, day_id=submit(first, MON).pk)
    with pytest.raises(services.RequestBlocked) as exc:
        submit(second, MON)
    (preview,) = exc.value.previews
    assert [v.rule for v in preview.verdicts] == ["essential"]
    assert "Petugas Loket harus tetap 1 orang" in preview.verdicts[0].message
    assert submit(analyst, MON).status == Status.PENDING  # other jabatan are free to go
    assert submit(second, TUE).status == Status.PENDING


def test_it_lets_an_essential_holder_take_sick_leave(upt, kadis):
    policy = CoveragePolicy.objects.create(unit=upt, effective_from=dt.date(2025, 1, 1))
    EssentialPosition.objects.create(policy=policy, jabatan="Petugas Loket", min_in_office=1)
    (only_one,) = [EmployeeFactory(unit=upt, jabatan="Petugas Loket", supervisor=kadis)]
    day = submit(only_one, MON, kind=Kind.SAKIT)
    assert [(v["rule"], v["severity"]) for v in day.verdicts] == [("essential", rules.INFO)]


# --- the three modes, end to end --------------------------------------------------------

def test_it_blocks_in_block_mode_and_saves_nothing(team, kabid):
    for person in team[:2]:
        services.request_day_approve(actor=kabid.user, day_id=submit(person, MON).pk)
    with pytest.raises(services.RequestBlocked):
        submit(team[2], MON)
    assert not RequestDay.objects.filter(employee=team[2]).exists()
    assert not AuditEvent.objects.filter(verb="request.submitted", actor=team[2].user).exists()


def test_it_requires_a_justification_in_warn_mode(team, kabid, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.WARN)
    for person in team[:2]:
        services.request_day_approve(actor=kabid.user, day_id=submit(person, MON).pk)
    with pytest.raises(ValidationError) as exc:
        submit(team[2], MON)
    assert "justification" in exc.value.message_dict
    day = submit(team[2], MON, justification="Rapat daring dengan kementerian")
    assert day.status == Status.PENDING
    assert day.request.justification == "Rapat daring dengan kementerian"
    assert [(v["rule"], v["severity"]) for v in day.verdicts] == [("coverage", rules.WARN)]
    with pytest.raises(services.DecisionBlocked):
        services.request_day_approve(actor=kabid.user, day_id=day.pk)  # a warning needs a reason
    decision = services.request_day_approve(actor=kabid.user, day_id=day.pk, reason="Rapat penting")
    assert decision.day.status == Status.APPROVED
    event = AuditEvent.objects.get(verb="request_day.approved", object_id=str(day.pk))
    assert event.after["reason"] == "Rapat penting"


def test_it_only_informs_in_inform_mode(team, kabid, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), mode=Mode.INFORM)
    for person in team[:2]:
        services.request_day_approve(actor=kabid.user, day_id=submit(person, MON).pk)
    day = submit(team[2], MON)
    assert [(v["rule"], v["severity"]) for v in day.verdicts] == [("coverage", rules.INFO)]
    decision = services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert decision.day.status == Status.APPROVED
    assert RequestDay.objects.filter(unit=day.unit, date=MON, status=Status.APPROVED).count() == 3


def test_it_never_refuses_leave_for_coverage(team, kabid):
    for person in team[:2]:
        services.request_day_approve(actor=kabid.user, day_id=submit(person, MON).pk)
    day = submit(team[2], MON, kind=Kind.CT)
    assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED


def test_it_refuses_approval_once_the_slot_is_taken(team, kabid):
    # Pending days do not count by default, so three may ask; only two may be approved.
    days = [submit(person, MON) for person in team[:3]]
    for day in days[:2]:
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    with pytest.raises(services.DecisionBlocked) as exc:
        services.request_day_approve(actor=kabid.user, day_id=days[2].pk)
    assert "2 dari 5" in str(exc.value)
    assert RequestDay.objects.get(pk=days[2].pk).status == Status.PENDING


def test_it_counts_pending_days_when_the_policy_says_so(team, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), count_pending=True)
    for person in team[:2]:
        submit(person, MON)
    assert blocked_rules(team[2], MON) == ["coverage"]


# --- FWA windows ----------------------------------------------------------------------

def test_it_auto_approves_pending_days_in_an_fwa_window_while_rules_hold(team, hr, bidang_p2p):
    days = [submit(person, MON) for person in team[:3]]
    opened = services.fwa_window_open(actor=hr, name="SE MenPAN-RB 9/2026", start=MON, end=TUE,
                                      units=[bidang_p2p])
    window = opened.window
    assert (opened.pending, opened.auto_approved) == (3, 2)
    statuses = sorted(RequestDay.objects.get(pk=d.pk).status for d in days)
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.PENDING]  # the third would break 60%
    approved = RequestDay.objects.filter(pk__in=[d.pk for d in days], status=Status.APPROVED)
    assert all(d.auto_approved and d.decided_by is None for d in approved)
    assert {d.acting_for for d in approved} == {"Jendela FWA: SE MenPAN-RB 9/2026"}
    assert AuditEvent.objects.filter(verb="fwa_window.opened", object_id=str(window.pk)).count() == 1
    assert AuditEvent.objects.filter(verb="request_day.approved", actor=None).count() == 2


def test_it_auto_approves_a_later_submission_inside_the_window(team, hr, dinkes):
    services.fwa_window_open(actor=hr, name="Libur Natal", start=MON, end=FRI, units=[dinkes])
    day = submit(team[0], TUE)  # bidang P2P is a sub-unit of dinkes
    assert day.status == Status.APPROVED and day.auto_approved
    outside = submit(team[0], dt.date(2026, 12, 14))
    assert outside.status == Status.PENDING


def test_it_leaves_leave_requests_to_the_supervisor_in_a_window(team, hr, bidang_p2p):
    services.fwa_window_open(actor=hr, name="FWA", start=MON, end=FRI, units=[bidang_p2p])
    assert submit(team[0], MON, kind=Kind.CT).status == Status.PENDING


def test_it_does_not_cover_sub_units_when_asked_not_to(team, hr, dinkes):
    services.fwa_window_open(actor=hr, name="FWA", start=MON, end=FRI, units=[dinkes], include_subunits=False)
    assert submit(team[0], MON).status == Status.PENDING


def test_it_hides_other_institutions_units_from_an_fwa_window(team, hr_other, bidang_p2p):
    with pytest.raises(Http404):
        services.fwa_window_open(actor=hr_other, name="FWA", start=MON, end=TUE, units=[bidang_p2p])
    assert not AuditEvent.objects.filter(verb="fwa_window.opened").exists()


def test_it_refuses_an_fwa_window_that_ends_before_it_starts(hr, bidang_p2p):
    with pytest.raises(ValidationError):
        services.fwa_window_open(actor=hr, name="FWA", start=TUE, end=MON, units=[bidang_p2p])


# --- cancelling frees the slot ----------------------------------------------------------

def test_it_frees_the_slot_when_an_approved_day_is_cancelled(team, kabid):
    first, second, third = team[:3]
    approved = [submit(p, MON) for p in (first, second)]
    for day in approved:
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    with pytest.raises(services.RequestBlocked):
        submit(third, MON)
    services.request_day_cancel(actor=first.user, day_id=approved[0].pk, reason="Rapat mendadak di kantor")
    day = submit(third, MON)
    assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED
    assert AuditEvent.objects.filter(verb="request_day.cancelled", object_id=str(approved[0].pk)).count() == 1


def test_it_frees_the_slot_for_approval_of_a_waiting_day(team, kabid):
    days = [submit(p, MON) for p in team[:3]]
    for day in days[:2]:
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    services.request_day_cancel(actor=team[1].user, day_id=days[1].pk)
    assert services.request_day_approve(actor=kabid.user, day_id=days[2].pk).day.status == Status.APPROVED


def test_it_counts_coverage_per_unit_only(team, kabid, upt, kadis):
    # A different unit's absences never eat into Bidang P2P's minimum.
    for _ in range(3):
        person = EmployeeFactory(unit=upt, supervisor=kadis)
        services.request_day_approve(actor=kadis.user, day_id=submit(person, MON, kind=Kind.CT).pk)
    assert blocked_rules(team[0], MON) == []


def test_it_reports_the_coverage_projection(team, kabid, bidang_p2p):
    services.request_day_approve(actor=kabid.user, day_id=submit(team[0], MON).pk)
    by_date = {c.date: c for c in selectors.coverage(bidang_p2p, MON, MON + dt.timedelta(days=6))}
    assert (by_date[MON].headcount, by_date[MON].in_office, by_date[MON].minimum, by_date[MON].remaining) == \
        (5, 4, 3, 1)
    assert by_date[TUE].remaining == 2
    assert by_date[MON + dt.timedelta(days=5)].status == "off"


def test_it_scopes_nothing_to_a_unit_without_policy(pemprov_lain, outsider):
    unit = UnitFactory(parent=pemprov_lain)
    assert selectors.effective_policy(unit, MON) == rules.Policy()
