"""A neighbourhood search for a re-plan that the whole model re-plans (docs/model.md "Re-planning around
the change", "The neighbourhood search").

When the capacity carries a change beyond the rules (a capacity cut), the whole model's re-planning
phases start from a whole plan (the baseline repaired by the list scheduler, or the plan around the
change). At national scale that plan moves hundreds of organisations where tens are the least, and the
whole model's presolve alone takes about 14 s a phase, so within a short time limit the start itself was
the answer. This search improves the start first, within a share of the time: each round frees whole
rule parts (`engines.common.rule_ties`) and keeps every other organisation in the current plan's window,
and runs the re-planning phases (`solve._stabilise`: frozen horizon, fewest moved, and once the moved
count stops falling the least movement) on that small model from the current plan, without CP-SAT's
presolve. A round's plan replaces the current one only when its terms are lexicographically smaller and
the verifier accepts it. Two kinds of round:

- **moved**: the parts of organisations the current plan moves (or brings into the frozen horizon),
  drawn at random;
- **crowd**: the parts of a few such organisations and of the organisations whose load, in the current
  plan, shares the pool-months each would load in its baseline window, the tightest of those months
  first: the unmoved organisations that stand in a moved one's way, which the first kind never frees.

A round keeps its kind while the moved count falls, and takes the other when it does not. Its size (the
organisations it frees) starts at `FIRST_SIZE` and grows after a round that ended proven within its
limit, shrinks after one cut short. The draws follow the solve's seed; under a work limit each phase of
a round has `ROUND_WORK` deterministic seconds and the number of rounds is a share of the work limit, so
that the same data, seed and workers give the same plan. The search proves nothing: the whole model (or
the rules-only bound) still does."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .engines.common import Flat, rule_ties
from .model import build_model
from .model.objective import Anchor
from .problem import Problem
from .solution import Solution, SolveStats, Status
# (bound here, not looked up in `solve` at each round: a stand-in for the whole model's phases, as tests
# put one in place of `solve._stabilise`, leaves the search's rounds as they are)
from .solve import _stabilise, phase_solution
from .stopping import requested
from .verify import verify

#: the share of the time left (of the work limit, under one) the search may take before the whole model's phases
SHARE = 0.7
#: a round's wall-clock limit in seconds (its phases together)
ROUND_SECONDS = 8.0
#: under a work limit: each phase of a round's deterministic time (CP-SAT's `max_deterministic_time`)
ROUND_WORK = 4.0
#: organisations the first round frees (whole rule parts); a round whose phases all end proven within its
#: limit makes the next one `GROW` times larger, one cut short `SHRINK` times (between `SMALLEST` and all)
FIRST_SIZE = 700
GROW, SHRINK, SMALLEST = 1.5, 0.6, 50
#: moved organisations a round of the "crowd" kind draws, each with those in its way
CROWD_PICK = 6
#: rounds in a row without an improvement after which the search ends (the whole model gets the rest)
STALL = 4


@dataclass
class SearchResult:
    """The search's best plan, its phases' terms (phase -> value), and what it did."""

    plan: Solution
    values: dict[str, int]
    rounds: int
    improved: int
    seconds: float


def search(problem: Problem, flat: Flat, baseline, start: Solution, values: dict[str, int],
           values_of: Callable[[Solution], dict[str, int]], options, deadline: float) -> SearchResult:
    """Improve `start` (a whole plan that keeps every rule; `values`: its phases' terms) by rounds over
    neighbourhoods until the search's share of the time (`SHARE` of what is left before `deadline`, or of
    the work limit) is spent, or `STALL` rounds in a row find nothing better. `values_of` gives a plan's
    terms as the whole model counts them; `baseline` and `options` are solve's Baseline and SolveOptions."""
    began = time.perf_counter()
    ends = began + SHARE * max(0.0, deadline - began)
    work = options.work_limit
    most_rounds = max(1, int(SHARE * work / ROUND_WORK)) if work is not None else None
    # (the progress display shows each round's phases, "fewest moved in neighbourhood round N": a planner watching a
    # minute's solve sees it work)
    round_options = replace(options, log=False, work_limit=ROUND_WORK if work is not None else None)
    anchors = baseline.anchors()
    parts = rule_ties(flat, list(flat.domain))
    members: dict[str, list[str]] = {}
    for org_id in flat.domain:  # (in the data's order: the order a part's members are freed in is fixed)
        members.setdefault(parts.find(org_id), []).append(org_id)
    ways = _Ways(flat, anchors, members, parts, random.Random(options.seed))
    best, best_values = start, dict(values)
    size = FIRST_SIZE
    rounds = improved = stalled = 0
    kind, settled = "moved", False  # settled: the last round moved no fewer (then its days are minimised too)
    while time.perf_counter() < ends and stalled < STALL and not requested(options.stop):
        if most_rounds is not None and rounds >= most_rounds:
            break
        current = _windows(flat, best)
        off = _off(flat, anchors, current, baseline.freeze_until)
        if not off:
            break
        free = ways.neighbourhood(kind, off, current, size)
        rounds += 1
        kept = {org_id: ([current[org_id]] if current[org_id] is not None else [])
                for org_id in flat.domain if org_id not in free}
        local = build_model(problem, with_objective=False, within=kept)
        round_ends = ends if work is not None else min(ends, time.perf_counter() + ROUND_SECONDS)
        # without presolve: on the model with most organisations kept it took longer than the search
        # (national scale, 700 free: 1.5 s a phase of 2-4 s)
        replan, status = _stabilise(local, problem, baseline, round_options, round_ends, SolveStats(), best,
                                    presolve=False, last=None if settled else "moved",
                                    step=f"in neighbourhood round {rounds}")
        finished = status is Status.optimal and replan.proven
        size = min(len(flat.domain), round(size * GROW)) if finished else max(SMALLEST, round(size * SHRINK))
        stalled += 1
        terms = values_of(plan := phase_solution(problem, flat, replan)) if replan.phase_plan else None
        fewer = terms is not None and _first(terms) < _first(best_values)
        if terms is not None and tuple(terms.values()) < tuple(best_values.values()) and not verify(problem, plan):
            best, best_values = plan, terms
            improved += 1
            stalled = 0
        # while rounds move fewer: the same kind, fewest moved alone; then the other kind, all phases
        settled = not fewer
        kind = kind if fewer else ("crowd" if kind == "moved" else "moved")
    return SearchResult(best, best_values, rounds, improved, time.perf_counter() - began)


def _first(values: Mapping[str, int]) -> tuple[int, ...]:
    """The terms before the least movement (frozen horizon, fewest moved)."""
    return tuple(value for phase, value in values.items() if phase != "movement")


def _windows(flat: Flat, plan: Solution) -> dict[str, str | None]:
    """The plan's window of each plannable organisation (None: not scheduled)."""
    chosen = {a.id: (a.window if a.go_live is not None else None) for a in plan.plan}
    return {org_id: chosen.get(org_id) for org_id in flat.domain}


def _off(flat: Flat, anchors: Mapping[str, Anchor], current: Mapping[str, str | None], frozen) -> list[str]:
    """The organisations that add to the phases' terms in the current plan, in id order: those moved from
    (or scheduled where the baseline left them out of) their baseline window, and, with a frozen horizon,
    a newcomer going live in it."""
    date = {slot.id: slot.date for slot in flat.slots}
    off = []
    for org_id in sorted(flat.domain):
        anchor, window = anchors.get(org_id), current[org_id]
        if anchor is None:
            if frozen is not None and window is not None and date[window] < frozen:
                off.append(org_id)
        elif (window if anchor.date is not None else None) != (anchor.window if anchor.date is not None else None):
            off.append(org_id)
    return off


class _Ways:
    """The neighbourhoods: which organisations a round frees."""

    def __init__(self, flat: Flat, anchors: Mapping[str, Anchor], members: Mapping[str, list[str]], parts,
                 rng: random.Random):
        self.flat, self.anchors, self.members, self.parts, self.rng = flat, anchors, members, parts, rng
        self.cells = _Cells(flat)

    def neighbourhood(self, kind: str, off: list[str], current: Mapping[str, str | None], size: int) -> set[str]:
        """Whole rule parts, about `size` organisations (the first part drawn whatever its size): for
        "moved", those of organisations in `off` drawn at random; for "crowd", those of `CROWD_PICK` of them
        and, for each, of the organisations in its way (`_in_way`), an equal share of `size` each."""
        rng = self.rng
        free: set[str] = set()

        def add(org_id: str, cap: int) -> bool:
            part = self.members[self.parts.find(org_id)]
            if free and len(free) + len(part) > cap:
                return False
            free.update(part)
            return True

        if kind == "moved":
            for org_id in rng.sample(off, len(off)):
                if not add(org_id, size) and len(free) >= size:
                    break
            return free
        picked = rng.sample(off, min(len(off), CROWD_PICK))
        slack = self.cells.slack(current)
        for n, org_id in enumerate(picked, 1):
            cap = size * n // len(picked)
            if org_id in free or not add(org_id, cap + len(self.members[self.parts.find(org_id)])):
                continue
            for other in self._in_way(org_id, current, slack, free):
                if len(free) >= cap or not add(other, cap):
                    break
        return free

    def _in_way(self, org_id: str, current: Mapping[str, str | None], slack, free: set[str]) -> list[str]:
        """The organisations not yet free whose load in the current plan shares a pool-month with the load
        `org_id` would have in its baseline window, the tightest shared month (least capacity left) first,
        ties drawn at random."""
        anchor = self.anchors.get(org_id)
        wanted = self.cells.load(org_id, anchor.window) if anchor is not None and anchor.date is not None else {}
        if not wanted:
            return []
        ranked = []
        for other in self.flat.domain:
            if other in free or current[other] is None:
                continue
            shared = [slack[cell] for cell in self.cells.load(other, current[other]) if cell in wanted]
            if shared:
                ranked.append((min(shared), self.rng.random(), other))
        ranked.sort()
        return [other for _tight, _draw, other in ranked]


class _Cells:
    """The pool-months (pool, month) an organisation loads in a window, and the room each has left."""

    def __init__(self, flat: Flat):
        self.flat = flat
        self.month = {slot.id: slot.month for slot in flat.slots}
        self._load: dict[tuple[str, str], dict[tuple[str, int], int]] = {}

    def load(self, org_id: str, window: str | None) -> dict[tuple[str, int], int]:
        """(pool, month) -> load of `org_id` going live in `window` ({} for None or a window not dated)."""
        key = (org_id, window)
        if key not in self._load:
            at: dict[tuple[str, int], int] = {}
            live = self.month.get(window)
            if live is not None:
                for load in self.flat.loads.get(org_id, []):
                    profile = load.profile
                    for offset in range(profile.first_offset, profile.last_offset + 1):
                        amount = profile.load_at(offset)
                        if amount:
                            cell = (load.pool, live + offset)
                            at[cell] = at.get(cell, 0) + amount
            self._load[key] = at
        return self._load[key]

    def slack(self, current: Mapping[str, str | None]) -> dict[tuple[str, int], int]:
        """(pool, month) -> capacity left in the current plan (negative: none, or a month not checked)."""
        used: dict[tuple[str, int], int] = {}
        for org_id, window in current.items():
            for cell, amount in self.load(org_id, window).items():
                used[cell] = used.get(cell, 0) + amount
        flat = self.flat
        room = {}
        for (pool, month), amount in used.items():
            index = month - flat.start_month
            capacity = flat.capacity.get(pool, [])
            if 0 <= index < len(capacity):
                room[pool, month] = capacity[index] - flat.pinned_load[pool][index] - amount
            else:
                room[pool, month] = 0
        return room
