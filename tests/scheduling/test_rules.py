"""Pure tests of scheduling.rules: inheritance, the minimum arithmetic and every verdict.

No database: the rules only see plain numbers gathered by the services.
"""

import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format

from scheduling import rules
from scheduling.rules import BLOCK, INFO, WARN, DayContext, EssentialCount, Policy, evaluate_day, merge_policies

MON_NOV_30 = dt.date(2026, 11, 30)  # its week runs to Fri 4 December
TUE_DEC_1 = dt.date(2026, 12, 1)
FRI_DEC_4 = dt.date(2026, 12, 4)
MON_DEC_7 = dt.date(2026, 12, 7)


def ctx(**overrides) -> DayContext:
    """Bidang Anggaran, 12 people, nobody else away, a Monday, nothing used yet."""
    values = {"date": MON_DEC_7, "flexible": True, "unit_name": "Bidang Anggaran", "headcount": 12,
              "away_others": 0}
    values.update(overrides)
    return DayContext(**values)


def rules_of(verdicts) -> list[str]:
    return [v.rule for v in verdicts]


def only(verdicts, rule: str) -> rules.Verdict:
    (found,) = [v for v in verdicts if v.rule == rule]
    return found


# --- merge_policies -------------------------------------------------------------------

def test_it_uses_the_national_defaults_without_layers():
    policy = merge_policies([])
    assert policy.weekly_cap == 2
    assert policy.mode == BLOCK
    assert policy.min_office_share is None and policy.monthly_cap is None
    assert policy.exclude_disciplinary is True and policy.count_pending is False


def test_it_inherits_field_by_field_down_the_tree():
    root = {"min_office_share": 70, "weekly_cap": 2, "mode": "block"}
    child = {"weekly_cap": 1, "min_office_share": None}
    grandchild = {"mode": "warn", "weekly_cap": None, "monthly_cap": None}
    policy = merge_policies([root, child, grandchild])
    assert (policy.min_office_share, policy.weekly_cap, policy.mode) == (70, 1, "warn")
    assert policy.monthly_cap is None


def test_it_treats_blank_mode_as_inherit():
    policy = merge_policies([{"mode": "inform"}, {"mode": ""}])
    assert policy.mode == "inform"


def test_it_lets_a_child_override_with_zero_and_false():
    policy = merge_policies([{"min_office_share": 70, "exclude_disciplinary": True, "weekly_cap": 2},
                             {"min_office_share": 0, "exclude_disciplinary": False, "weekly_cap": 0}])
    assert policy.min_office_share == 0
    assert policy.exclude_disciplinary is False
    assert policy.weekly_cap == 0


def test_it_replaces_lists_but_inherits_them_when_none():
    root = {"mandatory_weekdays": [0], "blackout_dates": ["2026-12-31"], "weekday_min_share": {"4": 50}}
    assert merge_policies([root, {"mandatory_weekdays": None}]).mandatory_weekdays == frozenset({0})
    child = merge_policies([root, {"mandatory_weekdays": [], "blackout_dates": [dt.date(2026, 12, 30)],
                                   "weekday_min_share": {"0": 90}}])
    assert child.mandatory_weekdays == frozenset()
    assert child.blackout_dates == frozenset({dt.date(2026, 12, 30)})
    assert child.weekday_min_share == {0: 90}


def test_it_parses_json_keys_and_iso_dates():
    policy = merge_policies([{"weekday_min_share": {"0": "90", "4": 60}, "mandatory_weekdays": ["2"],
                              "blackout_dates": ["2026-12-31"]}])
    assert policy.weekday_min_share == {0: 90, 4: 60}
    assert policy.mandatory_weekdays == frozenset({2})
    assert policy.blackout_dates == frozenset({dt.date(2026, 12, 31)})


def test_it_accumulates_essential_positions_and_lets_a_child_raise_one():
    root = {"essential": [("Petugas Loket", 1)]}
    child = {"essential": [("Dokter", 2), ("Petugas Loket", 3)]}
    grandchild = {"essential": []}
    policy = merge_policies([root, child, grandchild])
    assert policy.essential == (("Dokter", 2), ("Petugas Loket", 3))


# --- required_in_office ---------------------------------------------------------------

@pytest.mark.parametrize(("share", "headcount", "required"), [
    (70, 12, 9),  # 8.4 rounds up
    (70, 10, 7),  # exact: no float drift up to 8
    (50, 3, 2),
    (100, 7, 7),
    (1, 5, 1),
    (70, 0, 0),
])
def test_it_rounds_the_share_up(share, headcount, required):
    assert rules.required_in_office(Policy(min_office_share=share), 0, headcount) == required


def test_it_takes_the_stricter_of_share_and_headcount():
    assert rules.required_in_office(Policy(min_office_share=50, min_office_headcount=8), 0, 12) == 8
    assert rules.required_in_office(Policy(min_office_share=90, min_office_headcount=2), 0, 12) == 11


def test_it_never_requires_more_than_the_headcount():
    assert rules.required_in_office(Policy(min_office_headcount=15), 0, 12) == 12


def test_it_lets_a_weekday_minimum_override_the_share():
    policy = Policy(min_office_share=70, weekday_min_share={0: 90, 4: 50})
    assert rules.required_in_office(policy, 0, 10) == 9  # Monday
    assert rules.required_in_office(policy, 1, 10) == 7  # Tuesday: general share
    assert rules.required_in_office(policy, 4, 10) == 5  # Friday


@pytest.mark.parametrize("policy", [Policy(), Policy(min_office_share=0), Policy(min_office_headcount=0),
                                    Policy(min_office_share=None, min_office_headcount=None)])
def test_it_requires_nobody_without_a_minimum(policy):
    assert rules.required_in_office(policy, 0, 12) == 0


def test_it_keeps_the_headcount_minimum_when_a_weekday_share_is_zero():
    policy = Policy(min_office_share=70, min_office_headcount=2, weekday_min_share={4: 0})
    assert rules.required_in_office(policy, 4, 12) == 2


# --- coverage -------------------------------------------------------------------------

def test_it_passes_while_the_minimum_holds():
    # 12 people, 70% -> 9 must stay; 2 already away, this one makes 3: 9 remain.
    assert evaluate_day(Policy(min_office_share=70), ctx(away_others=2)) == []


def test_it_blocks_the_day_one_below_the_minimum_with_the_numbers():
    (verdict,) = evaluate_day(Policy(min_office_share=70), ctx(away_others=3))
    assert (verdict.rule, verdict.severity) == ("coverage", BLOCK)
    assert verdict.params == {"unit": "Bidang Anggaran", "headcount": 12, "in_office_before": 9,
                              "in_office_after": 8, "required": 9, "share": 70}
    assert verdict.message == "Bidang Anggaran: 8 dari 12 akan berada di kantor; minimal 9 (70%)."


def test_it_names_no_share_when_the_minimum_is_a_headcount():
    (verdict,) = evaluate_day(Policy(min_office_headcount=10), ctx(away_others=2))
    assert verdict.message == "Bidang Anggaran: 9 dari 12 akan berada di kantor; minimal 10."


def test_it_uses_the_weekday_share_in_the_verdict():
    policy = Policy(min_office_share=50, weekday_min_share={0: 90})
    (verdict,) = evaluate_day(policy, ctx(away_others=1))  # Monday: 90% of 12 -> 11
    assert verdict.params["required"] == 11 and verdict.params["share"] == 90
    assert evaluate_day(policy, ctx(date=TUE_DEC_1, away_others=1)) == []


@pytest.mark.parametrize(("mode", "severity"), [("block", BLOCK), ("warn", WARN), ("inform", INFO)])
def test_it_grades_coverage_by_the_unit_mode(mode, severity):
    (verdict,) = evaluate_day(Policy(min_office_share=70, mode=mode), ctx(away_others=5))
    assert verdict.severity == severity
    assert rules.worst([verdict]) == severity


@pytest.mark.parametrize("mode", ["block", "warn", "inform"])
def test_it_never_refuses_an_absence_for_coverage(mode):
    verdicts = evaluate_day(Policy(min_office_share=100, mode=mode), ctx(flexible=False, away_others=5))
    assert [(v.rule, v.severity) for v in verdicts] == [("coverage", INFO)]
    assert verdicts[0].params["in_office_after"] == 6


def test_it_checks_no_caps_or_calendar_rules_for_absences():
    policy = Policy(weekly_cap=0, monthly_cap=0, mandatory_weekdays=frozenset({0}),
                    blackout_dates=frozenset({MON_DEC_7}))
    verdicts = evaluate_day(policy, ctx(flexible=False, own_flexible_week=5, own_flexible_month=9,
                                        disciplinary=True, months_since_placement=0))
    assert verdicts == []


# --- caps -----------------------------------------------------------------------------

def test_it_allows_up_to_the_weekly_cap():
    assert evaluate_day(Policy(), ctx(own_flexible_week=1)) == []


def test_it_blocks_past_the_weekly_cap_across_a_month_boundary():
    # Mon 30 Nov and Tue 1 Dec are already taken (the service counts by ISO week, not by
    # month): Friday 4 December is the third flexible day of that week.
    verdict = only(evaluate_day(Policy(), ctx(date=FRI_DEC_4, own_flexible_week=2, own_flexible_month=1)),
                   "weekly_cap")
    assert verdict.severity == BLOCK
    assert verdict.params == {"used": 2, "cap": 2, "week": "2026-11-30"}
    assert "2 hari kerja fleksibel per minggu" in verdict.message
    assert "minggu mulai 30 November 2026" in verdict.message  # the params keep ISO, the sentence words


def test_it_finds_the_week_start_across_month_and_year_boundaries():
    assert rules.week_start(FRI_DEC_4) == MON_NOV_30
    assert rules.week_start(TUE_DEC_1) == MON_NOV_30
    assert rules.week_start(dt.date(2027, 1, 1)) == dt.date(2026, 12, 28)
    assert rules.week_start(MON_NOV_30) == MON_NOV_30


def test_it_respects_a_unit_weekly_cap_of_one():
    verdicts = evaluate_day(Policy(weekly_cap=1), ctx(own_flexible_week=1))
    assert only(verdicts, "weekly_cap").params["cap"] == 1


def test_it_blocks_past_the_monthly_cap():
    policy = Policy(weekly_cap=5, monthly_cap=4)
    assert evaluate_day(policy, ctx(own_flexible_month=3)) == []
    verdict = only(evaluate_day(policy, ctx(own_flexible_month=4)), "monthly_cap")
    assert verdict.severity == BLOCK and verdict.params == {"used": 4, "cap": 4}
    assert "4 hari kerja fleksibel per bulan" in verdict.message


def test_it_exempts_keadaan_khusus_from_both_caps():
    policy = Policy(weekly_cap=2, monthly_cap=4)
    verdicts = evaluate_day(policy, ctx(own_flexible_week=4, own_flexible_month=10, special_circumstance=True))
    assert verdicts == []


def test_it_still_applies_coverage_to_keadaan_khusus():
    verdicts = evaluate_day(Policy(min_office_share=70), ctx(away_others=3, special_circumstance=True))
    assert rules_of(verdicts) == ["coverage"]


# --- calendar rules -------------------------------------------------------------------

def test_it_blocks_a_mandatory_weekday():
    policy = Policy(mandatory_weekdays=frozenset({0}))
    verdict = only(evaluate_day(policy, ctx()), "mandatory_weekday")
    assert verdict.severity == BLOCK
    assert verdict.message == "Bidang Anggaran: hari Senin adalah hari wajib di kantor."
    assert evaluate_day(policy, ctx(date=TUE_DEC_1)) == []


def test_it_blocks_a_blackout_date_even_in_inform_mode():
    policy = Policy(blackout_dates=frozenset({MON_DEC_7}), mode="inform")
    verdict = only(evaluate_day(policy, ctx()), "blackout")
    assert verdict.severity == BLOCK
    assert verdict.message == "Bidang Anggaran: tanggal 7 Desember 2026 ditetapkan wajib di kantor."
    assert evaluate_day(policy, ctx(date=TUE_DEC_1)) == []


# --- eligibility ----------------------------------------------------------------------

def test_it_blocks_an_employee_under_a_disciplinary_sentence():
    verdict = only(evaluate_day(Policy(), ctx(disciplinary=True)), "disciplinary")
    assert verdict.severity == BLOCK
    assert "hukuman disiplin" in verdict.message


def test_it_allows_disciplinary_cases_when_the_unit_does_not_exclude_them():
    assert evaluate_day(Policy(exclude_disciplinary=False), ctx(disciplinary=True)) == []


def test_it_blocks_a_new_placement_until_the_months_have_passed():
    policy = Policy(min_months_since_placement=6)
    verdict = only(evaluate_day(policy, ctx(months_since_placement=5)), "new_placement")
    assert verdict.params == {"months": 5, "limit": 6}
    assert verdict.message == "Penempatan baru 5 bulan; kerja fleksibel baru dapat setelah 6 bulan."
    assert evaluate_day(policy, ctx(months_since_placement=6)) == []
    assert evaluate_day(policy, ctx(months_since_placement=None)) == []  # unknown placement date
    assert evaluate_day(Policy(), ctx(months_since_placement=0)) == []  # no limit set


# --- essential positions --------------------------------------------------------------

def test_it_keeps_an_essential_position_in_the_office():
    policy = Policy(essential=(("Petugas Loket", 1),))
    assert evaluate_day(policy, ctx(essential=EssentialCount("Petugas Loket", holders=2, away=0))) == []
    verdict = only(evaluate_day(policy, ctx(essential=EssentialCount("Petugas Loket", holders=2, away=1))),
                   "essential")
    assert verdict.severity == BLOCK
    assert verdict.params == {"jabatan": "Petugas Loket", "in_office_after": 0, "required": 1,
                              "unit": "Bidang Anggaran"}
    assert verdict.message == ("Bidang Anggaran: jabatan Petugas Loket harus tetap 1 orang di kantor; "
                               "tersisa 0.")


def test_it_ignores_jabatan_the_policy_does_not_mark_essential():
    policy = Policy(essential=(("Petugas Loket", 1),))
    assert evaluate_day(policy, ctx(essential=EssentialCount("Analis", holders=1, away=0))) == []


def test_it_caps_an_essential_minimum_at_the_holders():
    # Policy says 3 counter staff, the unit has only 2: both must stay, so nobody may go.
    policy = Policy(essential=(("Petugas Loket", 3),))
    verdict = only(evaluate_day(policy, ctx(essential=EssentialCount("Petugas Loket", holders=2, away=0))),
                   "essential")
    assert verdict.params["in_office_after"] == 1


@pytest.mark.parametrize(("mode", "flexible", "severity"), [
    ("block", True, BLOCK), ("warn", True, WARN), ("inform", True, INFO), ("block", False, INFO)])
def test_it_grades_essential_positions_like_coverage(mode, flexible, severity):
    policy = Policy(essential=(("Petugas Loket", 1),), mode=mode)
    verdicts = evaluate_day(policy, ctx(flexible=flexible, essential=EssentialCount("Petugas Loket", 1, 0)))
    assert only(verdicts, "essential").severity == severity


# --- ordering and worst ---------------------------------------------------------------

def test_it_orders_verdicts_most_serious_first():
    policy = Policy(min_office_share=70, mode="inform", mandatory_weekdays=frozenset({0}))
    verdicts = evaluate_day(policy, ctx(away_others=5))
    assert [(v.rule, v.severity) for v in verdicts] == [("mandatory_weekday", BLOCK), ("coverage", INFO)]
    assert rules.worst(verdicts) == BLOCK


def test_it_reports_no_worst_for_a_clean_day():
    assert rules.worst([]) is None


def test_it_serialises_a_verdict_with_its_message():
    (verdict,) = evaluate_day(Policy(min_office_share=70), ctx(away_others=3))
    data = verdict.as_dict()
    assert data["rule"] == "coverage" and data["severity"] == BLOCK
    assert data["message"] == verdict.message


# --- messages -------------------------------------------------------------------------

ALL_MESSAGES = [
    ("coverage", {"unit": "Bidang Anggaran", "in_office_after": 7, "headcount": 12, "required": 9, "share": 70}),
    ("coverage", {"unit": "Bidang Anggaran", "in_office_after": 7, "headcount": 12, "required": 9, "share": None}),
    ("weekly_cap", {"cap": 2, "used": 2, "week": "2026-11-30"}),
    ("monthly_cap", {"cap": 8, "used": 8}),
    ("mandatory_weekday", {"unit": "Bidang Anggaran", "weekday": 4}),
    ("blackout", {"unit": "Bidang Anggaran", "date": "2026-12-31"}),
    ("essential", {"unit": "UPT Puskesmas", "jabatan": "Petugas Loket", "required": 1, "in_office_after": 0}),
    ("disciplinary", {}),
    ("new_placement", {"months": 2, "limit": 6}),
    ("not_working_day", {"date": "2026-12-25", "why": "Hari Raya Natal"}),
    ("duplicate", {"date": "2026-12-07"}),
    ("past", {"date": "2026-11-02"}),
]


@pytest.mark.parametrize(("rule", "params"), ALL_MESSAGES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(ALL_MESSAGES)])
@pytest.mark.parametrize("language", ["id", "en"])
def test_it_renders_every_message_with_its_numbers(rule, params, language):
    with translation.override(language):
        text = rules.render_message(rule, params)
    assert text and text != rule
    for key in ("unit", "jabatan"):
        if params.get(key):
            assert params[key] in text
    for key in ("date", "week"):  # ISO in the params, in words in the sentence
        if params.get(key):
            with translation.override(language):
                assert date_format(dt.date.fromisoformat(params[key]), "j F Y") in text
            assert params[key] not in text
    for key in ("cap", "used", "months", "limit", "headcount", "required", "in_office_after"):
        if key in params:
            assert str(params[key]) in text


def test_it_renders_the_coverage_rule_in_plain_indonesian():
    text = rules.render_message("coverage", ALL_MESSAGES[0][1])
    assert text == "Bidang Anggaran: 7 dari 12 akan berada di kantor; minimal 9 (70%)."


def test_it_names_the_weekday_in_the_active_language():
    with translation.override("id"):
        assert "Jumat" in rules.render_message("mandatory_weekday", {"unit": "X", "weekday": 4})


def test_it_renders_the_coverage_rule_in_english():
    with translation.override("en"):
        text = rules.render_message("coverage", ALL_MESSAGES[0][1])
        day = rules.render_message("mandatory_weekday", {"unit": "X", "weekday": 4})
    assert text == "Bidang Anggaran: 7 of 12 would be in the office; the minimum is 9 (70%)."
    assert "Friday" in day
