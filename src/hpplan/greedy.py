"""A greedy list scheduler: what a careful spreadsheet planner does, as a baseline and a warm start.

Organisations are scheduled as *units*, one at a time, in priority order:
- a unit is a `together` group (or a single organisation), with its *satellites*: organisations that
  must go live with or before a member (`with_or_before`, e.g. every GP office of a municipality)
  and are bound by no other rule; they are placed right after the unit, in its window or earlier;
- a unit waits until every unit it depends on is decided: `order` and `after_live` put `then` after
  `first`, other `with_or_before` pairs put the target after the actor;
- among the units that are ready, one with a single window to go live in goes first (it has no other
  choice), then the one with the largest population (then the longest chain of work after it, then
  id): get the most people onto the platform early;
- a unit takes the cheapest window (by the objective's own coefficients, `engines.common`), earliest
  among equals, in which every member and mandatory satellite keeps every rule, window limit and pool
  capacity given the units placed before it. With the population objective that is the earliest
  feasible window; with preferred windows it weighs the preference the way the objective does; with the
  makespan objective it is the earliest feasible window (a serial schedule generation scheme).
An optional unit stays unscheduled when no window is cheaper than leaving it out. When a mandatory unit
fits nowhere the scheduler is stuck: the result has status `unknown`, and `GreedyPlan.stuck` says who.
Nothing is proven: a greedy plan is `feasible` at best, with no bound.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from typing import Callable

from .engines.common import DisjointSets, Flat, flatten, limit_weight, to_solution
from .problem import Problem
from .solution import Solution, SolveStats, Status


@dataclass
class GreedyPlan:
    """Slot choices (plannable org id -> index into `flat.slots`, or None), and who could not be placed."""

    flat: Flat
    chosen: dict[str, int | None]
    stuck: list[str] = field(default_factory=list)

    @property
    def windows(self) -> dict[str, str | None]:
        return {o: (self.flat.slots[k].id if k is not None else None) for o, k in self.chosen.items()}


@dataclass
class _Unit:
    members: list[str]
    satellites: list[str] = field(default_factory=list)
    after: set[int] = field(default_factory=set)  # units this one waits for
    population: int = 0
    tail: int = 0


class _State:
    """The plan so far: decisions, pool loads, window counts; with undo for tentative placements."""

    def __init__(self, flat: Flat):
        self.flat = flat
        problem = flat.problem
        self.chosen: dict[str, int | None] = {o: None for o, d in flat.domain.items() if not d}
        self.decided: set[str] = set(self.chosen)
        self.load = {p: list(v) for p, v in flat.pinned_load.items()}
        self.used: dict[tuple[int, int], int] = {}
        self.in_slot: dict[int, set[str]] = {}
        self.domain = {o: set(d) for o, d in flat.domain.items()}
        self.prec_then: dict[str, list] = {}
        self.prec_first: dict[str, list] = {}
        for p in flat.precedences:
            self.prec_then.setdefault(p.then, []).append(p)
            self.prec_first.setdefault(p.first, []).append(p)
        self.wob_actor: dict[str, list[str]] = {}
        self.wob_target: dict[str, list[str]] = {}
        for actor, target in flat.with_or_before:
            self.wob_actor.setdefault(actor, []).append(target)
            self.wob_target.setdefault(target, []).append(actor)
        self.not_same: dict[str, list[tuple[str, ...]]] = {}
        for group in flat.not_same:
            for a in group:
                self.not_same.setdefault(a, []).append(group)
        self.limits_at: dict[int, list[tuple[int, object]]] = {}
        for i, limit in enumerate(flat.limits):
            for k in limit.slots:
                self.limits_at.setdefault(k, []).append((i, limit))
        self.weight = {
            (o.id, i): limit_weight(problem, o, limit)
            for o in problem.organisations if o.id in flat.domain
            for i, limit in enumerate(flat.limits)
        }

    # the other side of a comparison: (position, month, date) or None (unscheduled / not decided)
    def _where(self, org_id: str):
        f = self.flat.fixed.get(org_id)
        if f is not None:
            return f.position, f.month, f.date
        k = self.chosen.get(org_id)
        if k is None:
            return None
        s = self.flat.slots[k]
        return s.position, s.month, s.date

    def fits(self, org_id: str, k: int) -> bool:
        flat = self.flat
        if k not in self.domain.get(org_id, ()):
            return False
        slot = flat.slots[k]
        for p in self.prec_then.get(org_id, ()):
            if p.first not in flat.fixed and p.first not in self.decided:
                return False  # its predecessor is not placed yet (a cycle of rules)
            other = self._where(p.first)
            if other is None or other[0] > slot.position - p.gap_windows or other[1] > slot.month - p.gap_months:
                return False
        for p in self.prec_first.get(org_id, ()):
            other = self._where(p.then)
            if other is not None and (slot.position > other[0] - p.gap_windows or slot.month > other[1] - p.gap_months):
                return False
        for target in self.wob_actor.get(org_id, ()):
            other = self._where(target)
            if other is not None and slot.date > other[2]:
                return False
        for actor in self.wob_target.get(org_id, ()):
            other = self._where(actor)
            if other is not None and other[2] > slot.date:
                return False
        there = self.in_slot.get(k, ())
        for group in self.not_same.get(org_id, ()):
            if any(a in there and a != org_id for a in group):
                return False
        for i, limit in self.limits_at.get(k, ()):
            if self.used.get((i, k), 0) + self.weight[org_id, i] > limit.bound:
                return False
        start, cap = flat.start_month, flat.capacity
        for load in flat.loads.get(org_id, ()):
            used, limit = self.load[load.pool], cap[load.pool]
            profile = load.profile
            for off in range(profile.first_offset, profile.last_offset + 1):
                i = slot.month + off - start
                if 0 <= i < len(used):
                    value = profile.load_at(off)
                    if value and used[i] + value > limit[i]:
                        return False
        return True

    def place(self, org_id: str, k: int | None, log: list) -> None:
        self.chosen[org_id] = k
        self.decided.add(org_id)
        log.append(("decided", org_id))
        if k is None:
            return
        flat = self.flat
        slot = flat.slots[k]
        self.in_slot.setdefault(k, set()).add(org_id)
        log.append(("slot", k, org_id))
        for i, limit in self.limits_at.get(k, ()):
            w = self.weight[org_id, i]
            self.used[i, k] = self.used.get((i, k), 0) + w
            log.append(("used", (i, k), w))
        for load in flat.loads.get(org_id, ()):
            used = self.load[load.pool]
            for off in range(load.profile.first_offset, load.profile.last_offset + 1):
                i = slot.month + off - flat.start_month
                value = load.profile.load_at(off)
                if 0 <= i < len(used) and value:
                    used[i] += value
                    log.append(("load", load.pool, i, value))

    def undo(self, log: list) -> None:
        for entry in reversed(log):
            if entry[0] == "decided":
                self.decided.discard(entry[1])
                self.chosen.pop(entry[1], None)
            elif entry[0] == "slot":
                self.in_slot[entry[1]].discard(entry[2])
            elif entry[0] == "used":
                self.used[entry[1]] -= entry[2]
            else:
                self.load[entry[1]][entry[2]] -= entry[3]
        log.clear()


def _units(flat: Flat) -> list[_Unit]:
    problem = flat.problem
    movable = [o for o in flat.domain]  # everyone not pinned (the never-scheduled have empty domains)
    sets = DisjointSets(movable)

    in_group = set()
    for group in flat.together:
        members = [a for a in group if a in sets]
        in_group.update(members)
        for a in members[1:]:
            sets.join(a, members[0])
    # satellites: with_or_before actors bound by nothing else
    bound = set(in_group)
    for p in flat.precedences:
        bound.update((p.first, p.then))
    for group in flat.not_same:
        bound.update(group)
    as_actor: dict[str, int] = {}
    for actor, _ in flat.with_or_before:
        as_actor[actor] = as_actor.get(actor, 0) + 1
    targets = {t for _, t in flat.with_or_before}
    satellite_of: dict[str, str] = {}
    for actor, target in flat.with_or_before:
        if (actor in sets and target in sets and actor not in bound and actor not in targets
                and as_actor[actor] == 1):
            satellite_of[actor] = target
    roots: dict[str, int] = {}
    units: list[_Unit] = []
    for o in movable:
        if o in satellite_of:
            continue
        r = sets.find(o)
        if r not in roots:
            roots[r] = len(units)
            units.append(_Unit([]))
        units[roots[r]].members.append(o)
    unit_of = {o: roots[sets.find(o)] for o in movable if o not in satellite_of}
    for actor, target in satellite_of.items():
        units[unit_of[target]].satellites.append(actor)
        unit_of[actor] = unit_of[target]
    # dependencies
    for p in flat.precedences:
        if p.first in unit_of and p.then in unit_of and unit_of[p.first] != unit_of[p.then]:
            units[unit_of[p.then]].after.add(unit_of[p.first])
    for actor, target in flat.with_or_before:
        if actor in satellite_of:
            continue
        if actor in unit_of and target in unit_of and unit_of[actor] != unit_of[target]:
            units[unit_of[target]].after.add(unit_of[actor])
    weight = problem.waves.objective.population_weight
    for u in units:
        u.population = sum(problem.population(problem.org[o]) * weight for o in u.members + u.satellites)
    # tail: months of work in the unit and after it, along the dependencies (longest chain)
    successors: dict[int, set[int]] = {}
    for i, u in enumerate(units):
        for j in u.after:
            successors.setdefault(j, set()).add(i)

    def span(o: str) -> int:
        return max((len(l.profile.before) + len(l.profile.after) for l in flat.loads.get(o, ())), default=0)

    indegree = {i: len(u.after) for i, u in enumerate(units)}
    order = [i for i, d in indegree.items() if d == 0]
    for i in order:  # Kahn's order; units on a cycle of rules are appended at the end
        for j in sorted(successors.get(i, ())):
            indegree[j] -= 1
            if indegree[j] == 0:
                order.append(j)
    order += [i for i in range(len(units)) if indegree[i] > 0]
    memo: dict[int, int] = {}
    for i in reversed(order):
        own = max((span(o) for o in units[i].members), default=0)
        memo[i] = own + max((memo.get(j, 0) for j in successors.get(i, ())), default=0)
    for i, u in enumerate(units):
        u.tail = memo.get(i, 0)
    return units


def schedule(problem: Problem, flat: Flat | None = None, *, noise: random.Random | None = None,
             rank: dict[str, float] | None = None, target: dict[str, int] | None = None) -> GreedyPlan:
    """The greedy plan (see the module docstring). With `noise`, each unit's priority is perturbed at
    random (a pass of `multi_pass`). With `rank` (org id -> number), units go in increasing rank of
    their first member (population and tail break ties), e.g. the LP's α-points (`engines.lp_rounding`).
    With `target` (org id -> slot index), a unit tries its first member's target slot before the others."""
    flat = flat or flatten(problem)
    state = _State(flat)
    plan = GreedyPlan(flat, state.chosen)
    if flat.impossible or flat.unsupported is not None:
        # the flat form without one of the rules (`Flat.unsupported`): no plan, never one without the rule
        plan.stuck = [o for o in flat.domain if o in flat.mandatory or flat.unsupported is not None]
        for o in flat.domain:
            state.chosen.setdefault(o, None)
        return plan
    units = _units(flat)
    makespan = flat.objective_kind == "makespan"

    jitter = {i: noise.random() for i in range(len(units))} if noise is not None else {}
    # a unit with one window to go live in goes first among the ready ones: placed later, it would find
    # that window taken (an organisation whose earliest and latest dates meet; `hpplan explain --actor`
    # asks about an organisation confined to one window)
    one_window = {i: len(set.intersection(*(set(flat.domain.get(o, ())) for o in u.members))) == 1
                  for i, u in enumerate(units) if u.members}

    def priority(i: int):
        u = units[i]
        first = 0 if one_window.get(i) else 1
        if rank is not None:
            return (first, min(rank.get(o, float("inf")) for o in u.members), -u.population, -u.tail, min(u.members), i)
        if noise is not None:  # a biased random priority: population and tail, scaled by up to 2x
            return (first, -u.population * (1 + jitter[i]), -u.tail * (1 + jitter[i]), min(u.members), i)
        return (first, -u.population, -u.tail, min(u.members), i)

    waiting = {i: set(u.after) for i, u in enumerate(units)}
    dependents: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        for j in u.after:
            dependents.setdefault(j, []).append(i)
    ready = [priority(i) for i, w in waiting.items() if not w]
    heapq.heapify(ready)
    done: set[int] = set()
    while len(done) < len(units):
        if not ready:  # a cycle of dependencies: take the best remaining unit anyway
            rest = min(priority(i) for i in range(len(units)) if i not in done)
            heapq.heappush(ready, rest)
        i = heapq.heappop(ready)[-1]
        if i in done:
            continue
        done.add(i)
        _place_unit(state, flat, units[i], makespan, plan, target)
        for j in dependents.get(i, ()):
            waiting[j].discard(i)
            if not waiting[j] and j not in done:
                heapq.heappush(ready, priority(j))
    return plan


def _place_unit(state: _State, flat: Flat, unit: _Unit, makespan: bool, plan: GreedyPlan,
                target: dict[str, int] | None = None) -> None:
    members = unit.members
    mandatory = any(o in flat.mandatory for o in members)
    common = set.intersection(*(state.domain.get(o, set()) for o in members)) if members else set()
    never = sum(flat.cost(o, None) for o in members)
    if makespan:  # optional organisations add nothing to a makespan: they stay out
        candidates = sorted(common) if mandatory else []
    else:
        costs = {k: sum(flat.cost(o, k) for o in members) for k in common}
        candidates = sorted(common, key=lambda k: (costs[k], k))
        if not mandatory:
            candidates = [k for k in candidates if costs[k] <= never]
    if target is not None and members:
        candidates = _first(candidates, target.get(min(members)))
    satellites = sorted(unit.satellites, key=lambda o: (-flat.problem.population(flat.problem.org[o]), o))
    log: list = []
    for k in candidates:
        if not all(_try(state, o, k, log) for o in members):
            state.undo(log)
            continue
        if all(_place_satellite(state, flat, s, k, log, makespan, target) for s in satellites):
            return
        state.undo(log)
    for o in members:
        state.place(o, None, [])
    for s in satellites:
        if not _place_satellite(state, flat, s, None, [], makespan, target):
            state.place(s, None, [])
    if mandatory:
        plan.stuck.extend(o for o in members if o in flat.mandatory)
    plan.stuck.extend(s for s in satellites if s in flat.mandatory and state.chosen.get(s) is None)


def _first(order: list[int], wanted: int | None) -> list[int]:
    """The slots in `order` with `wanted` (an LP-rounding target) moved to the front, if it is there."""
    return [wanted] + [k for k in order if k != wanted] if wanted in order else order


def _try(state: _State, org_id: str, k: int, log: list) -> bool:
    if not state.fits(org_id, k):
        return False
    state.place(org_id, k, log)
    return True


def _place_satellite(state: _State, flat: Flat, org_id: str, k: int | None, log: list, makespan: bool,
                     target: dict[str, int] | None = None) -> bool:
    """Place a satellite in the cheapest window that fits (latest among equals: with its unit); an
    optional one may stay out. False when a mandatory one fits nowhere."""
    ks = flat.domain.get(org_id, [])
    if makespan:
        order = sorted(ks)
    else:
        order = sorted(ks, key=lambda j: (flat.cost(org_id, j), -j))
    if target is not None:
        order = _first(order, target.get(org_id))
    optional = org_id not in flat.mandatory
    if optional and makespan:
        state.place(org_id, None, log)
        return True
    for j in order:
        if optional and not makespan and flat.cost(org_id, j) > flat.cost(org_id, None):
            break
        if state.fits(org_id, j):
            state.place(org_id, j, log)
            return True
    if optional:
        state.place(org_id, None, log)
        return True
    return False


def multi_pass(problem: Problem, passes: int = 30, seed: int = 0, flat: Flat | None = None,
               stopped: Callable[[], bool] | None = None) -> GreedyPlan:
    """The best of the plain greedy plan and `passes` plans with randomly perturbed priorities (a
    multi-pass list scheduler, seeded): a better hint and, for a makespan, a tighter cut-off. Not the
    baseline (a) of the benchmark, which is the single plain pass. `stopped` is asked between passes
    once there is a plan (a Ctrl-C: the 30 passes take seconds at national scale): true ends them."""
    from .engines.common import objective_terms

    flat = flat or flatten(problem)
    rng = random.Random(seed)
    best, best_value = None, None
    for i in range(passes + 1):
        if best is not None and stopped is not None and stopped():
            break
        plan = schedule(problem, flat, noise=None if i == 0 else rng)
        if plan.stuck:
            continue
        value = objective_terms(flat, {o: plan.chosen.get(o) for o in flat.plannable})["total"]
        if best_value is None or value < best_value:
            best, best_value = plan, value
    return best if best is not None else schedule(problem, flat)


def solve_greedy(problem: Problem, flat: Flat | None = None) -> Solution:
    """The greedy plan as a `Solution`: `feasible` (no bound, gap unknown) or `unknown` when stuck.
    `flat`: the problem's flat form when the caller has it (else flattened here)."""
    started = time.perf_counter()
    flat = flat or flatten(problem)
    build = time.perf_counter() - started
    plan = schedule(problem, flat)
    stats = SolveStats(engine="greedy", build_time=build, tie_break="skipped", phases=["greedy"])
    status = Status.unknown if plan.stuck else Status.feasible
    if status is Status.unknown:
        stats.wall_time = time.perf_counter() - started
        solution = Solution(status=status, stats=stats)
        solution.objective = {}
        return solution
    solution = to_solution(flat, {o: plan.chosen.get(o) for o in flat.plannable}, status, stats)
    stats.wall_time = time.perf_counter() - started
    return solution


__all__ = ["GreedyPlan", "multi_pass", "schedule", "solve_greedy"]
