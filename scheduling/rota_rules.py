"""The fair rota planner, pure: who works flexibly on which day of a month, and how fair that is.

No database here. :mod:`scheduling.selectors.rota` gathers plain values (people with their weekday
preferences, the days each is already away or already flexible, per day the policy in force and who
is already away, the history of granted preferences) into a :class:`PlanInput`. :func:`plan` returns
the flexible days per person; :func:`violations` checks any plan (the planner's, or one a supervisor
adjusted).

Both ask the approval's own rule function, :func:`scheduling.rules.evaluate_day`, with a
:class:`~scheduling.rules.DayContext` built from the whole plan: there is no second copy of the
coverage, cap, essential-position, mandatory-day or blackout arithmetic. A cell is allowed only when
that function returns nothing but notes (an FWA day, an emergency that relaxes the rules); a
coverage *warning* (a policy in ``warn`` mode) is a refusal too, because a plan carries no
justification, and so is the minimum of a unit that only informs.

The algorithm (docs/decisions.md, "Fair rota planner"): water-filling by deficit. The person with
the lowest share of granted preferences so far (history plus this plan) takes one more preferred
day, the feasible one with the most room left above the office minimum; then the next lowest, and
so on. Someone who finds no feasible day tries one exchange (a colleague holding one of their days
moves to another day the colleague prefers) before leaving the queue. It is deterministic, runs in
about a second for three hundred people, and a scarce day goes to whoever has had least of what
they asked for, this month and the three before.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from scheduling import rules

OFFICE, WFH, WFA = "office", "WFH", "WFA"
FLEXIBLE = (WFH, WFA)
CELL_VALUES = (OFFICE, WFH, WFA)
# A note (an FWA day, an emergency that relaxes the rules) lets a cell through; a block or a warning
# does not, nor does the office minimum or an essential position even where a unit only informs.
ALWAYS_REFUSED = frozenset({"coverage", "essential"})


@dataclass(frozen=True)
class Person:
    id: int
    jabatan: str
    preferred: frozenset[int] = frozenset()  # weekdays the person would like to work flexibly
    impossible: frozenset[int] = frozenset()  # weekdays the person cannot work flexibly (always in office)
    busy: frozenset[dt.date] = frozenset()  # days with a live request already (absence or flexible)
    own_flexible: tuple[dt.date, ...] = ()  # live flexible days around the month (the caps count them)
    disciplinary: frozenset[dt.date] = frozenset()  # days under a disciplinary sentence
    months_since_placement: dict[dt.date, int] = field(default_factory=dict)
    history_granted: int = 0  # preferred days granted over the previous months
    history_wanted: int = 0  # preferred working days over the previous months


@dataclass(frozen=True)
class PlanDay:
    date: dt.date
    policy: rules.Policy
    away: int = 0  # people of the unit already away (not counting this plan)
    essential_away: dict[str, int] = field(default_factory=dict)  # of them, per jabatan
    cap_free: str = ""  # the circular that freed the day from the caps ("" = not freed)


@dataclass(frozen=True)
class PlanInput:
    unit_name: str
    headcount: int
    holders: dict[str, int]  # people of the unit per jabatan
    people: tuple[Person, ...]
    days: tuple[PlanDay, ...]


Assignment = dict[int, dict[dt.date, str]]  # person -> date -> WFH/WFA (office is the absence of a cell)


def wanted_days(person: Person, days: tuple[PlanDay, ...]) -> list[dt.date]:
    """The plan days the person would like flexible and is free to take."""
    return [d.date for d in days if d.date.weekday() in person.preferred
            and d.date.weekday() not in person.impossible and d.date not in person.busy]


class _State:
    """The plan being built: who is flexible each day, and each person's flexible days per week
    and month (existing days included, days freed by a circular excluded, as the approval counts)."""

    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.days = {d.date: d for d in inp.days}
        self.people = {p.id: p for p in inp.people}
        self.on_day: dict[dt.date, set[int]] = defaultdict(set)
        self.ess_on_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.week: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        self.month: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
        self.cells: Assignment = defaultdict(dict)
        cap_free = {d.date for d in inp.days if d.cap_free}
        for p in inp.people:
            for o in p.own_flexible:
                if o not in cap_free:
                    self._count(p.id, o, +1)

    def _count(self, pid: int, day: dt.date, step: int) -> None:
        self.week[pid][rules.week_start(day)] += step
        self.month[pid][(day.year, day.month)] += step

    def context(self, person: Person, day: PlanDay, *, planned: bool) -> rules.DayContext:
        """The day as the approval would see it for ``person``, the rest of the plan in place.
        ``planned``: the person is already in the plan that day (checking), else being added."""
        others = len(self.on_day[day.date]) - (1 if planned else 0)
        own_week = self.week[person.id][rules.week_start(day.date)]
        own_month = self.month[person.id][(day.date.year, day.date.month)]
        if planned and not day.cap_free:
            own_week, own_month = own_week - 1, own_month - 1
        essential = None
        if person.jabatan in self.inp.holders:
            ess_others = self.ess_on_day[day.date][person.jabatan] - (1 if planned else 0)
            essential = rules.EssentialCount(person.jabatan, self.inp.holders[person.jabatan],
                                             day.essential_away.get(person.jabatan, 0) + ess_others)
        return rules.DayContext(
            date=day.date, flexible=True, unit_name=self.inp.unit_name, headcount=self.inp.headcount,
            away_others=day.away + others, own_flexible_week=own_week, own_flexible_month=own_month,
            essential=essential, disciplinary=day.date in person.disciplinary,
            months_since_placement=person.months_since_placement.get(day.date),
            cap_free=bool(day.cap_free), cap_free_basis=day.cap_free)

    def refusals(self, person: Person, day: PlanDay, *, planned: bool) -> list[rules.Verdict]:
        """What :func:`rules.evaluate_day` says against this cell, beyond the informational notes."""
        verdicts = rules.evaluate_day(day.policy, self.context(person, day, planned=planned))
        return [v for v in verdicts if v.severity != rules.INFO or v.rule in ALWAYS_REFUSED]

    def room(self, person: Person, day: PlanDay) -> int:
        """People the office minimum can still spare that day, were the person added."""
        numbers = rules.coverage_numbers(day.policy, self.context(person, day, planned=False))
        return numbers["in_office_after"] - numbers["required"]

    def add(self, pid: int, day: dt.date, kind: str = WFH) -> None:
        self.on_day[day].add(pid)
        self.ess_on_day[day][self.people[pid].jabatan] += 1
        self.cells[pid][day] = kind
        if not self.days[day].cap_free:
            self._count(pid, day, +1)

    def remove(self, pid: int, day: dt.date) -> str:
        self.on_day[day].discard(pid)
        self.ess_on_day[day][self.people[pid].jabatan] -= 1
        if not self.days[day].cap_free:
            self._count(pid, day, -1)
        return self.cells[pid].pop(day)


def _candidates(state: _State, person: Person) -> list[dt.date]:
    return [d for d in wanted_days(person, state.inp.days) if d not in state.cells[person.id]]


def _best_day(state: _State, person: Person) -> dt.date | None:
    """The feasible wanted day with the most room left (ties: the earliest)."""
    best, best_room = None, None
    for d in _candidates(state, person):
        day = state.days[d]
        if state.refusals(person, day, planned=False):
            continue
        room = state.room(person, day)
        if best_room is None or room > best_room:
            best, best_room = d, room
    return best


EXCHANGE_TRIES = 40  # colleagues asked per person who found no day: bounds the time on a crowded unit


def _only_room(verdicts: list[rules.Verdict]) -> bool:
    """Refused only for want of room (coverage, an essential position), not the person's own limits."""
    return bool(verdicts) and all(v.rule in ("coverage", "essential") for v in verdicts)


def _exchange(state: _State, person: Person) -> bool:
    """Give ``person`` a wanted day held by a colleague who can move to another of their own
    wanted days instead (an augmenting path of length one). True when it worked."""
    tries = EXCHANGE_TRIES
    for d in _candidates(state, person):
        day = state.days[d]
        if not _only_room(state.refusals(person, day, planned=False)):
            continue
        for other_id in sorted(state.on_day[d]):
            if tries == 0:
                return False
            tries -= 1
            other = state.people[other_id]
            kind = state.remove(other_id, d)
            if not state.refusals(person, day, planned=False):
                state.add(person.id, d)
                moved = _best_day(state, other)
                if moved is not None:
                    state.add(other_id, moved, kind)
                    return True
                state.remove(person.id, d)
            state.add(other_id, d, kind)
    return False


def share(granted: int, wanted: int) -> float | None:
    return granted / wanted if wanted else None


def _priority(state: _State, person: Person, wanted: int) -> tuple:
    granted = sum(1 for d in state.cells[person.id] if d.weekday() in person.preferred)
    total = share(person.history_granted + granted, person.history_wanted + wanted) or 0.0
    return (total, granted, person.id)


def plan(inp: PlanInput) -> Assignment:
    """Flexible days per person: always the person with the lowest share so far takes their best
    feasible day (one exchange before giving up), until nobody can take one."""
    state = _State(inp)
    wanted = {p.id: len(wanted_days(p, inp.days)) for p in inp.people}
    people = {p.id: p for p in inp.people}
    queue = [(_priority(state, p, wanted[p.id]), p.id) for p in inp.people if wanted[p.id]]
    heapq.heapify(queue)
    while queue:
        _key, pid = heapq.heappop(queue)
        person = people[pid]
        d = _best_day(state, person)
        if d is not None:
            state.add(pid, d)
        elif not _exchange(state, person):
            continue  # nothing feasible left for this person: they leave the queue
        heapq.heappush(queue, (_priority(state, person, wanted[pid]), pid))
    return {pid: dict(cells) for pid, cells in state.cells.items() if cells}


@dataclass(frozen=True)
class Violation:
    person_id: int
    date: dt.date
    verdicts: tuple[rules.Verdict, ...]


def violations(inp: PlanInput, assignment: Assignment) -> list[Violation]:
    """Every flexible cell the rules refuse, the whole plan in place (the approval's checks), plus
    cells on a weekday the person cannot work flexibly, on a day they are already away, or outside
    the plan's days."""
    state = _State(inp)
    out = []
    for pid, cells in assignment.items():
        person = state.people.get(pid)
        for d, kind in cells.items():
            if person is None or d not in state.days or d in person.busy or kind not in FLEXIBLE:
                out.append(Violation(pid, d, (rules.Verdict("not_in_plan", rules.BLOCK, {}),)))
                continue
            state.add(pid, d, kind)
    for pid, cells in assignment.items():
        person = state.people.get(pid)
        for d in sorted(cells):
            if person is None or d not in state.cells[pid]:
                continue
            found = list(state.refusals(person, state.days[d], planned=True))
            if d.weekday() in person.impossible:
                found.insert(0, rules.Verdict("impossible_weekday", rules.BLOCK, {"weekday": d.weekday()}))
            if found:
                out.append(Violation(pid, d, tuple(found)))
    return out


# --- Fairness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonShare:
    person_id: int
    granted: int  # history plus this plan
    wanted: int

    @property
    def share(self) -> float | None:
        return share(self.granted, self.wanted)

    @property
    def percent(self) -> int | None:
        s = self.share
        return None if s is None else round(100 * s)


@dataclass(frozen=True)
class Fairness:
    """The spread of granted preferences: the highest share of a person's preferred days granted
    minus the lowest, in percentage points, over the history window plus this plan (0 = everyone
    got the same share; people with no preferred day are left out)."""

    people: tuple[PersonShare, ...]

    @property
    def spread(self) -> int | None:
        shares = [p.share for p in self.people if p.share is not None]
        if not shares:
            return None
        return round(100 * (max(shares) - min(shares)))

    @property
    def mean(self) -> int | None:
        shares = [p.share for p in self.people if p.share is not None]
        return round(100 * sum(shares) / len(shares)) if shares else None

    def as_dict(self) -> dict:
        return {"spread": self.spread, "mean": self.mean,
                "people": {str(p.person_id): {"granted": p.granted, "wanted": p.wanted, "percent": p.percent}
                           for p in self.people}}


def fairness(inp: PlanInput, assignment: Assignment) -> Fairness:
    """Each person's share of preferred days granted (history + plan + days already flexible)."""
    days = {d.date for d in inp.days}
    out = []
    for p in inp.people:
        wanted = wanted_days(p, inp.days)
        already = [o for o in p.own_flexible if o in days and o.weekday() in p.preferred]
        granted = [d for d in assignment.get(p.id, {}) if d.weekday() in p.preferred]
        out.append(PersonShare(p.id, p.history_granted + len(granted) + len(already),
                               p.history_wanted + len(wanted) + len(already)))
    return Fairness(tuple(out))
