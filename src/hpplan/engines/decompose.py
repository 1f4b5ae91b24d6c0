"""Independent parts: a problem whose organisations fall into groups that share no rule and no pool.

Two organisations are in one *part* when a rule names both (with_or_before, together, order, after_live,
not_same_window) or both load one pool; the parts are the connected groups of that relation. Between
parts only the window limits remain (a limit on users counts trusts and municipalities alike). With
a population objective, a sum of each organisation's cost, the problem then splits:

- **bound**: every part solved alone, a window limit counting only the part's own organisations (the
  others' share dropped: a relaxation), is a lower bound for its organisations' share of the
  objective; the sum over the parts is a lower bound of the whole (docs/model.md "Independent parts");
- **plan**: the parts' plans together are a plan of the whole when they keep the shared window limits
  between them: the best combination of the parts' plans that does is the plan of the whole, and a
  part planned by LP rounding plans within what the others' plans leave (`solve_by_parts`).

At national scale the specialist part (trusts and their hospitals: 76 organisations, a few large
go-lives on one pool, where the LP relaxation is weakest) and the primary part (municipalities and GP
offices) are solved apart: national seed 1, one HiGHS run per part, plan and bound within 1 % where
the whole MIP's bound stayed 4-6 % below its plan (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..solution import Solution, SolveStats, Status
from .common import Flat, limit_weight, require_exact, rule_ties, short_gil_turns, to_solution


def components(flat: Flat) -> list[list[str]]:
    """The parts of the problem (module docstring), each a list of organisation ids (those with a
    domain: the others have a fixed cost), smallest part first (ties: by first id). One part or none
    when the problem does not split, and for a makespan objective (the largest completion is not a sum
    over organisations), or when a mandatory organisation has no window (the whole MIP reports it)."""
    if flat.objective_kind == "makespan":
        return []
    if any(not ks and o in flat.mandatory for o, ks in flat.domain.items()):
        return []
    planned = [o for o, ks in flat.domain.items() if ks]
    sets = rule_ties(flat, planned)
    first_on_pool: dict[str, str] = {}
    for org_id in planned:
        for load in flat.loads.get(org_id, ()):
            sets.join(org_id, first_on_pool.setdefault(load.pool, org_id))
    parts: dict[str, list[str]] = {}
    for org_id in planned:
        parts.setdefault(sets.find(org_id), []).append(org_id)
    return sorted((sorted(part) for part in parts.values()), key=lambda part: (len(part), part[0]))


def restrict(flat: Flat, part: list[str] | set[str]) -> Flat:
    """The problem of one part: the other organisations without windows and without cost, so every
    window limit counts only the part's own (a relaxation of the whole for the part)."""
    keep = set(part)
    return replace(
        flat,
        domain={o: (ks if o in keep else []) for o, ks in flat.domain.items()},
        mandatory=flat.mandatory & keep,
        slot_cost={term: {o: c for o, c in per.items() if o in keep} for term, per in flat.slot_cost.items()},
        never_cost={term: {o: c for o, c in per.items() if o in keep} for term, per in flat.never_cost.items()},
    )


def lower_limits(flat: Flat, used: dict[LimitSlot, int]) -> Flat:
    """`flat` with each window limit lowered in each slot by what `used` says others use there."""
    if not used:
        return flat
    limits = []
    for limit in flat.limits:
        lowered = [k for k in limit.slots if used.get((limit.index, limit.measure, k), 0)]
        rest = tuple(k for k in limit.slots if k not in lowered)
        if rest:
            limits.append(replace(limit, slots=rest))
        limits += [replace(limit, bound=limit.bound - used[limit.index, limit.measure, k], slots=(k,))
                   for k in lowered]
    return replace(flat, limits=limits)


#: a window limit's bound in one slot: (limit index, measure, slot)
LimitSlot = tuple[int, str, int]


def limit_bounds(flat: Flat) -> dict[LimitSlot, int]:
    """Each window limit's bound in each of its slots."""
    return {(limit.index, limit.measure, k): limit.bound for limit in flat.limits for k in limit.slots}


def over_limits(flat: Flat, chosen: dict[str, int | None]) -> set[int]:
    """The slots in which a plan breaks a window limit of `flat` (e.g. one lowered by `lower_limits`)."""
    bound = limit_bounds(flat)
    return {key[2] for key, value in limit_use(flat, chosen).items() if value > bound[key]}


def limit_use(flat: Flat, chosen: dict[str, int | None]) -> dict[LimitSlot, int]:
    """What a plan (org id -> slot index or None) puts on each window limit in each slot."""
    problem = flat.problem
    use: dict[LimitSlot, int] = {}
    for limit in flat.limits:
        slots = set(limit.slots)
        for org_id, k in chosen.items():
            if k is not None and k in slots:
                w = limit_weight(problem, problem.org[org_id], limit)
                if w:
                    key = (limit.index, limit.measure, k)
                    use[key] = use.get(key, 0) + w
    return use


def coupled(flat: Flat, parts: list[list[str]]) -> bool:
    """Whether a window limit could bind on organisations of more than one part: then the parts' sum
    of bounds is a relaxation (weaker than the whole MIP's), and their plans may not fit together."""
    problem = flat.problem
    part_of = {o: i for i, part in enumerate(parts) for o in part}
    for limit in flat.limits:
        for k in limit.slots:
            weights = {o: limit_weight(problem, problem.org[o], limit) for o in part_of if k in flat.domain[o]}
            counted = {part_of[o] for o, w in weights.items() if w}
            if len(counted) > 1 and sum(weights.values()) > limit.bound:
                return True
    return False


def fixed_cost(flat: Flat, parts: list[list[str]]) -> float:
    """The objective's share of the organisations in no part (no window: their cost when unscheduled)."""
    inside = {o for part in parts for o in part}
    return float(sum(flat.cost(o, None) for o in flat.domain if o not in inside
                     and o in flat.never_cost.get("population_delay", {})))


@dataclass
class PartResult:
    """One part's solve: its status ("optimal", "feasible", "infeasible" or "unknown"), best plan
    (org id -> slot index or None, the part's organisations) and lower bound on its share."""

    status: str
    chosen: dict[str, int | None] | None
    bound: float
    #: how the part was solved, for the solve's phases (e.g. "proven by the window program")
    note: str | None = None

    def as_solution(self, flat: Flat, stats: SolveStats) -> Solution:
        """The result of solving the whole problem `flat` as a Solution, its bound and gap in `stats`
        (no bound for an infeasible problem or an infinite one)."""
        status = Status(self.status)
        if self.chosen is None:
            if status is not Status.infeasible and math.isfinite(self.bound):
                stats.best_bound = self.bound
            return Solution(status=status, stats=stats)
        solution = to_solution(flat, self.chosen, status, stats)
        objective = solution.objective["total"]
        stats.best_bound = min(self.bound, objective) if status is Status.optimal else self.bound
        stats.gap = abs(objective - stats.best_bound) / max(1.0, abs(objective))
        return solution


#: solve_part(sub-flat, time limit, on_plan(objective, plan), on_bound(bound), incumbent, reserved) -> PartResult,
#: where reserved() gives what the other parts' best plans use of the window limits (`_Tracker.reserved`)
PartSolver = Callable[..., PartResult]


class _Tracker:
    """The parts' plans and bounds as they come (from several threads). Each part keeps its best few
    plans with what each puts on the window limits; a plan of the whole is the best combination of
    the parts' plans that keeps the limits they share, offered as soon as it improves."""

    #: plans kept per part (the best ones): the whole is sought among their combinations
    KEEP = 8

    def __init__(self, flat: Flat, subs: list[Flat], constant: float,
                 on_progress: Callable[[float | None, float | None], None] | None):
        from .highs import trivial_bound

        self.flat, self.constant, self.on_progress = flat, constant, on_progress
        #: per part: (objective, plan, limit use), best first
        self.plans: list[list[tuple[float, dict[str, int | None], dict[LimitSlot, int]]]] = [[] for _ in subs]
        self.bounds = [trivial_bound(sub) for sub in subs]
        self.best: tuple[float, dict[str, int | None]] | None = None
        self._bound_of = limit_bounds(flat)
        self._lock = threading.Lock()

    def _fits(self, uses) -> bool:
        total: dict[LimitSlot, int] = {}
        for use in uses:
            for key, value in use.items():
                total[key] = total.get(key, 0) + value
        return all(value <= self._bound_of[key] for key, value in total.items())

    def _combinations(self, fixed: dict[int, tuple] | None = None):
        """The parts' plans combined (a part in `fixed` with that one plan), best total first."""
        import itertools

        choices = [[fixed[i]] if fixed and i in fixed else plans for i, plans in enumerate(self.plans)]
        combos = sorted(itertools.product(*choices), key=lambda combo: sum(p[0] for p in combo))
        return (combo for combo in combos if self._fits(p[2] for p in combo))

    def plan(self, i: int, objective: float, chosen: dict[str, int | None]) -> None:
        with self._lock:
            plans = self.plans[i]
            if any(p[0] <= objective and p[1] == chosen for p in plans):
                return
            plans.append((objective, chosen, limit_use(self.flat, chosen)))
            plans.sort(key=lambda p: p[0])
            combo = next(self._combinations(), None)
            # the best few, and the plan in the best combination even when it is not among them (a
            # part's plan made to fit the others' best may cost that part more than its own best)
            kept = plans[:self.KEEP]
            if combo is not None and not any(p is combo[i] for p in kept):
                kept[-1] = combo[i]
            plans[:] = kept
            if combo is None:
                return
            total = sum(p[0] for p in combo) + self.constant
            if self.best is not None and total >= self.best[0]:
                return
            self.best = (total, {o: k for p in combo for o, k in p[1].items()})
        if self.on_progress is not None:
            self.on_progress(total, None)

    def reserved(self, i: int) -> dict[LimitSlot, int]:
        """What the other parts use of the window limits in the best combination of their own plans,
        for part i to plan within the rest (its plans then fit with the others' best)."""
        with self._lock:
            if any(not plans for j, plans in enumerate(self.plans) if j != i):
                return {}
            combo = next(self._combinations({i: (0.0, {}, {})}), None)
        used: dict[LimitSlot, int] = {}
        for j, p in enumerate(combo or ()):
            if j != i:
                for key, value in p[2].items():
                    used[key] = used.get(key, 0) + value
        return used

    def bound(self, i: int, bound: float) -> None:
        if not math.isfinite(bound):
            return
        bound = math.ceil(bound - 1e-6)  # every objective coefficient is an integer
        with self._lock:
            if bound <= self.bounds[i]:
                return
            self.bounds[i] = bound
            total = sum(self.bounds) + self.constant
        if self.on_progress is not None:
            self.on_progress(None, total)

    @property
    def total_bound(self) -> float:
        return sum(self.bounds) + self.constant


def solve_by_parts(flat: Flat, parts: list[list[str]], solve_part: PartSolver, *, time_limit: float,
                   threads: int = 1, on_progress=None, incumbent=None, stop: threading.Event | None = None
                   ) -> tuple[str, dict[str, int | None] | None, float, list[str]]:
    """Solve each part alone (module docstring) within `time_limit`: with one thread one after the
    other, smallest first, each but the last with at least a quarter of the time left (or its share
    of the organisations left, if larger) and the time it leaves unused passed on; with more, that
    many parts at once. `incumbent` (a whole plan from elsewhere, as in `HighsOptions`) is handed to
    each part as its share. Returns (status, plan of the whole or None, bound of the whole, notes)."""
    from .common import objective_terms

    require_exact(flat, "the parts")
    subs = [restrict(flat, part) for part in parts]
    deadline = time.perf_counter() + time_limit
    tracker = _Tracker(flat, subs, fixed_cost(flat, parts), on_progress)
    results: list[PartResult | None] = [None] * len(parts)

    def part_incumbent(i: int):
        if incumbent is None:
            return None

        def offer():
            whole = incumbent()
            if whole is None:
                return None
            chosen = {o: whole[1].get(o) for o in parts[i]}
            return objective_terms(subs[i], chosen)["total"], chosen
        return offer

    def own(i: int, chosen: dict[str, int | None]) -> dict[str, int | None]:
        return {o: chosen.get(o) for o in parts[i]}

    def run(i: int, seconds: float) -> None:
        result = solve_part(subs[i], max(0.01, seconds), lambda obj, plan: tracker.plan(i, obj, own(i, plan)),
                            lambda b: tracker.bound(i, b), part_incumbent(i),
                            lambda: tracker.reserved(i))
        results[i] = replace(result, chosen=None if result.chosen is None else own(i, result.chosen))
        tracker.bound(i, results[i].bound)
        if results[i].chosen is not None:
            tracker.plan(i, objective_terms(subs[i], results[i].chosen)["total"], results[i].chosen)

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    if threads <= 1 or len(parts) == 1:
        left_orgs = sum(len(p) for p in parts)
        for i, part in enumerate(parts):
            left = deadline - time.perf_counter()
            share = left if i == len(parts) - 1 else left * max(0.25, len(part) / left_orgs)
            if not stopped():
                run(i, share)
            else:
                results[i] = PartResult("unknown", None, tracker.bounds[i])
            left_orgs -= len(part)
    else:
        _in_threads([lambda i=i: run(i, deadline - time.perf_counter()) for i in range(len(parts))], threads)

    notes = [f"parts: {len(parts)} ({', '.join(str(len(p)) for p in parts)} organisations)"]
    notes += [f"part {i + 1}: {r.note}" for i, r in enumerate(results) if r is not None and r.note]
    statuses = [r.status for r in results]
    if "infeasible" in statuses:
        return "infeasible", None, tracker.total_bound, notes
    if any(r.chosen is None for r in results):
        return "unknown", None, tracker.total_bound, notes
    status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    if tracker.best is not None:
        whole = tracker.best[1]
        if status == "optimal" and tracker.best[0] > tracker.total_bound:
            status = "feasible"  # the parts' optima do not fit together
    else:
        whole = _fit_together(flat, parts, subs, tracker, solve_part, deadline, stopped)
        status = "unknown" if whole is None else "feasible"
        notes.append("the parts' plans broke a window limit they share: "
                     + ("one part planned again within what the others use" if whole else "no plan in the time left"))
    return status, whole, tracker.total_bound, notes


def _fit_together(flat: Flat, parts: list[list[str]], subs: list[Flat], tracker: _Tracker, solve_part: PartSolver,
                  deadline: float, stopped: Callable[[], bool]) -> dict[str, int | None] | None:
    """A plan of the whole when no combination of the parts' plans keeps the window limits they share:
    each part in turn (the largest first) solved again within what the others' best plans leave,
    in the time left; the best such plan (a plan, not a bound), or None."""
    from .common import objective_terms

    best: tuple[float, dict[str, int | None]] | None = None
    order = list(reversed(range(len(parts))))
    for n, j in enumerate(order):
        left = deadline - time.perf_counter()
        if left <= 0.05 or stopped() or any(not tracker.plans[i] for i in range(len(parts)) if i != j):
            continue
        others = {o: k for i in range(len(parts)) if i != j for o, k in tracker.plans[i][0][1].items()}
        within = lower_limits(subs[j], limit_use(flat, others))
        result = solve_part(within, left / (len(order) - n), lambda obj, plan: None, lambda b: None, None,
                            lambda: {})
        if result.chosen is not None:
            whole = {**others, **{o: result.chosen.get(o) for o in parts[j]}}
            total = objective_terms(flat, whole)["total"]
            if best is None or total < best[0]:
                best = (total, whole)
    return None if best is None else best[1]


def _in_threads(jobs: list[Callable[[], None]], threads: int) -> None:
    """Run the jobs on `threads` threads, in order. Every thread lives until all jobs are done: HiGHS
    shuts down a thread's task scheduler when the thread ends, which can leave a HiGHS run in another
    thread hanging (hpplan.solve._Thread)."""
    queue = list(jobs)
    lock = threading.Lock()
    finished = threading.Barrier(min(threads, len(jobs)))
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        break
                    job = queue.pop(0)
                job()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            errors.append(error)
        finally:
            finished.wait()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(min(threads, len(jobs)))]
    with short_gil_turns():
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    if errors:
        raise errors[0]
