"""The pure rota planner: every plan it proposes passes the approval's rules, preferences are
honoured, and history moves the scarce days to whoever got fewer."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from scheduling import rules
from scheduling.rota_rules import (
    OFFICE,
    WFH,
    Person,
    PlanDay,
    PlanInput,
    fairness,
    plan,
    violations,
)

JANUARY = [dt.date(2027, 1, d) for d in range(4, 30) if dt.date(2027, 1, d).weekday() < 5]


def _unit(rng: random.Random, n: int) -> PlanInput:
    """A random unit: shares and headcounts, mandatory days, a blackout, an essential post,
    monthly caps, absences and existing flexible days, uneven preferences and history."""
    policy = rules.Policy(
        min_office_share=rng.choice([None, 50, 60, 70, 80]),
        min_office_headcount=rng.choice([None, 1, 3]),
        weekday_min_share={rng.randrange(5): 90} if rng.random() < 0.5 else {},
        weekly_cap=rng.choice([1, 2]),
        monthly_cap=rng.choice([None, 3, 5]),
        mandatory_weekdays=frozenset({rng.randrange(5)}) if rng.random() < 0.5 else frozenset(),
        blackout_dates=frozenset({rng.choice(JANUARY)}),
        essential=(("Pranata Komputer", rng.choice([1, 2])),),
        mode=rng.choice(["block", "warn"]))
    jabatan = ["Pranata Komputer" if i % 4 == 0 else "Analis" for i in range(n)]
    people = []
    for i in range(n):
        preferred = frozenset(rng.sample(range(5), rng.randint(0, 3)))
        impossible = frozenset(rng.sample([d for d in range(5) if d not in preferred], rng.randint(0, 1)))
        absent = frozenset(rng.sample(JANUARY, rng.randint(0, 3)))
        flexible = tuple(sorted(rng.sample([d for d in JANUARY if d not in absent], rng.randint(0, 1))))
        people.append(Person(i + 1, jabatan[i], preferred, impossible, busy=absent | set(flexible),
                             own_flexible=flexible,
                             disciplinary=frozenset(JANUARY) if rng.random() < 0.05 else frozenset(),
                             history_granted=rng.randint(0, 6), history_wanted=rng.randint(6, 12)))
    away = {d: sum(1 for p in people if d in p.busy) for d in JANUARY}
    ess_away = {d: {"Pranata Komputer": sum(1 for p in people if d in p.busy and p.jabatan == "Pranata Komputer")}
                for d in JANUARY}
    days = tuple(PlanDay(d, policy, away[d], ess_away[d]) for d in JANUARY)
    holders = {j: jabatan.count(j) for j in set(jabatan)}
    return PlanInput("Bidang Uji", n, holders, tuple(people), days)


def _independent_checks(inp: PlanInput, assignment) -> None:
    """The same rules counted by hand (not through the planner's helpers): what a reviewer checks."""
    by_id = {p.id: p for p in inp.people}
    for day in inp.days:
        on = [pid for pid, cells in assignment.items() if day.date in cells]
        policy = day.policy
        assert day.date.weekday() not in policy.mandatory_weekdays or not on
        assert day.date not in policy.blackout_dates or not on
        required = rules.required_in_office(policy, day.date.weekday(), inp.headcount)
        # A day already below the minimum (absences) gets nobody flexible; otherwise the minimum holds.
        assert not on or inp.headcount - day.away - len(on) >= required, day.date
        for jabatan, minimum in policy.essential:
            holders = inp.holders.get(jabatan, 0)
            mine = sum(1 for pid in on if by_id[pid].jabatan == jabatan)
            away = day.essential_away.get(jabatan, 0) + mine
            assert not mine or holders - away >= min(minimum, holders), (day.date, jabatan)
    for pid, cells in assignment.items():
        person = by_id[pid]
        days = sorted(set(cells) | set(person.own_flexible))
        policy = inp.days[0].policy
        for d in cells:
            assert d.weekday() in person.preferred and d.weekday() not in person.impossible
            assert d not in person.busy and d not in person.disciplinary
            week = [o for o in days if rules.week_start(o) == rules.week_start(d)]
            assert len(week) <= policy.weekly_cap, (pid, d)
        if policy.monthly_cap is not None:
            assert len(days) <= policy.monthly_cap


@pytest.mark.parametrize("seed", range(12))
def test_it_never_proposes_a_cell_the_rules_refuse(seed):
    rng = random.Random(seed)
    inp = _unit(rng, rng.randint(3, 40))
    assignment = plan(inp)
    assert violations(inp, assignment) == []
    _independent_checks(inp, assignment)


def test_it_finds_a_cell_the_rules_refuse_in_an_adjusted_plan():
    policy = rules.Policy(min_office_share=50, mandatory_weekdays=frozenset({0}))
    people = tuple(Person(i, "Analis", frozenset({0, 4})) for i in range(1, 5))
    inp = PlanInput("Bidang", 4, {"Analis": 4}, people, tuple(PlanDay(d, policy) for d in JANUARY))
    friday = dt.date(2027, 1, 8)
    monday = dt.date(2027, 1, 11)
    bad = {1: {friday: WFH}, 2: {friday: WFH}, 3: {friday: WFH}, 4: {monday: WFH}}
    found = {(v.person_id, v.date): {x.rule for x in v.verdicts} for v in violations(inp, bad)}
    assert "coverage" in found[(3, friday)] and "coverage" in found[(1, friday)]
    assert found[(4, monday)] == {"mandatory_weekday"}


def test_it_gives_everyone_their_preferred_days_when_there_is_room():
    policy = rules.Policy(min_office_share=20, weekly_cap=2)
    people = (Person(1, "A", frozenset({0, 4}), frozenset({2})), Person(2, "A", frozenset({1}), frozenset()),
              Person(3, "A", frozenset(), frozenset()))
    inp = PlanInput("Bidang", 10, {"A": 3}, people, tuple(PlanDay(d, policy) for d in JANUARY))
    assignment = plan(inp)
    assert sorted(assignment[1]) == [d for d in JANUARY if d.weekday() in (0, 4)]
    assert sorted(assignment[2]) == [d for d in JANUARY if d.weekday() == 1]
    assert 3 not in assignment  # nobody is sent home who did not ask
    assert fairness(inp, assignment).spread == 0


def test_it_gives_the_scarce_day_to_whoever_got_fewer_before():
    """Four want every Friday, only one may go: the one with the least history gets the most."""
    policy = rules.Policy(min_office_headcount=3)
    people = tuple(Person(i, "A", frozenset({4}), history_granted=g, history_wanted=12)
                   for i, g in ((1, 9), (2, 6), (3, 3), (4, 0)))
    inp = PlanInput("Bidang", 4, {"A": 4}, people, tuple(PlanDay(d, policy) for d in JANUARY))
    assignment = plan(inp)
    fridays = {pid: len(cells) for pid, cells in assignment.items()}
    assert sum(fridays.values()) == 4  # every Friday is used
    assert fridays.get(4, 0) >= fridays.get(3, 0) >= fridays.get(2, 0) >= fridays.get(1, 0)
    assert fridays.get(4, 0) > fridays.get(1, 0)


def test_the_spread_narrows_month_after_month():
    """Run the planner three months in a row on the same crowded Friday, carrying the history:
    the spread of granted preferences does not grow, and ends lower than it started."""
    policy = rules.Policy(min_office_headcount=4)
    history = {i: (g, 12) for i, g in ((1, 12), (2, 8), (3, 0), (4, 0), (5, 4))}
    spreads = []
    for _month in range(3):
        people = tuple(Person(i, "A", frozenset({4}), history_granted=g, history_wanted=w)
                       for i, (g, w) in history.items())
        inp = PlanInput("Bidang", 5, {"A": 5}, people, tuple(PlanDay(d, policy) for d in JANUARY))
        assignment = plan(inp)
        fair = fairness(inp, assignment)
        spreads.append(fair.spread)
        history = {p.person_id: (p.granted, p.wanted) for p in fair.people}
    assert spreads[0] >= spreads[1] >= spreads[2]
    assert spreads[2] < spreads[0]


def test_a_day_freed_by_a_circular_does_not_count_towards_the_caps():
    policy = rules.Policy(weekly_cap=1, min_office_share=0)
    week = [dt.date(2027, 1, d) for d in range(4, 9)]
    days = tuple(PlanDay(d, policy, cap_free="SE 2/2026" if d.weekday() == 0 else "") for d in week)
    inp = PlanInput("Bidang", 3, {"A": 1}, (Person(1, "A", frozenset({0, 4})),), days)
    assignment = plan(inp)
    assert sorted(assignment[1]) == [week[0], week[4]]
    assert violations(inp, assignment) == []


def test_office_is_never_a_stored_cell():
    inp = PlanInput("Bidang", 1, {"A": 1}, (Person(1, "A", frozenset()),),
                    tuple(PlanDay(d, rules.Policy()) for d in JANUARY))
    assert plan(inp) == {}
    assert OFFICE not in {v for cells in plan(inp).values() for v in cells.values()}
