"""The objective phase as a race between engines (docs/solve.md "Engines").

`hpplan solve --engine auto` (the default) runs hpplan's CP-SAT model and, where it pays, the same
model as a MIP in HiGHS (`engines.highs`) at the same time, each in its own thread, under one time
limit. They share what they find through a `Race`: the best plan's objective and the best proven
bound. As soon as a plan's objective meets a bound (from any engine), the plan is proven optimal
and all stop. A verified list-schedule plan (`greedy`) enters the race first, so the answer is never
worse than the spreadsheet planner's, and there is a plan even when neither engine has one in time.

While they race, CP-SAT's plans are also handed to HiGHS as they come (HiGHS's user-solution
callback, whenever one beats HiGHS's own incumbent): a cut-off for its branch and bound, from which its
heuristics often improve further (measured before HiGHS had the symmetry rows: regional-300 seed 1,
10 s: 21.446 M and gap 0.59 % without, 21.406 M and 0.41 % with, in three runs of three; region seed 1:
8.530–8.543 M against 8.542 M. With the rows, sharing still wins on region, 8.537–8.541 M against
8.544 M without, and loses 0.02–0.05 % on regional-300).

The result names the engine that found the plan and the one that proved it; phase 2 of `solve` (the
lexicographic tie-break on the CP-SAT model) then makes the reported plan the one optimal plan the
data defines, whichever engine found it.

Which engines race with `--engine auto` (`engines_for`; measurements in docs/benchmarks.md):
- for a makespan objective where it is exact (months identify windows), the **interval form** alone
  (`cp-sat-interval`, `engines.interval`): on PSPLIB J30 it proves all 20 (the time-indexed model 17),
  the hard ones in 1-5 s where HiGHS proves none of them in 10 s, so HiGHS would only take its core;
- a makespan the interval form cannot take (two windows in one month for organisations a rule or limit
  relates): CP-SAT (with its scheduling view and the list schedule's cut and hint) and HiGHS on the
  binary MIP up to `HIGHS_MAX_COLUMNS` window variables, LP rounding and HiGHS for its bound above
  (a makespan is never aggregated nor split into parts: docs/model.md "Solving");
- otherwise, when highspy is installed: hpplan's time-indexed **CP-SAT** model (`cp-sat`) and
  **HiGHS** (`highs`) on the MIP (GP offices aggregated, `MipModel(aggregate=True)`) when it has at
  most `HIGHS_MAX_COLUMNS` window variables; above that, where CP-SAT finds no plan in a planner's
  minute (national: 67,000 columns), HiGHS alone on the problem's **independent parts** on
  `RACE_THREADS` threads when it splits (`engines.decompose`; national seed 1, 60 s: 0.3–0.9 % from
  the summed bound of 212.2–213.4 M; `hpplan.solve` then builds no CP-SAT model for the race), else
  **LP rounding** (`lp-rounding`, `engines.lp_rounding`: the LP
  bound, LP-guided list schedules, neighbourhood MIP, time slices) and HiGHS's branch and bound on the
  aggregated MIP for its bound, started once LP rounding has its LP (national seed 1, 60 s: bound
  207.5 M against the LP's 202.3 M);
- re-planning against a baseline and `--work-limit` (HiGHS has no deterministic limit) leave CP-SAT
  alone; `--engine highs` runs HiGHS alone, `--engine cp-sat` CP-SAT alone.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .engines.common import Flat
from .problem import Problem
from .solution import Solution, Status
from .stopping import StopRequest

#: above this many window variables HiGHS's branch and bound stays out of `auto` (its root LP takes too
#: long), and a part of the problem (`engines.decompose`) is planned by LP rounding
HIGHS_MAX_COLUMNS = 20_000

#: threads the race runs on: one per engine, or the independent parts of one engine's problem
RACE_THREADS = 2

ENGINES = ("auto", "cp-sat", "highs")

#: beside LP rounding, HiGHS's branch and bound is given a time limit this share shorter: at national
#: scale it checks its limit only between rounds of root cuts, which take seconds
LATE_MIP_MARGIN = 0.1


def highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def mip_at_optimum_applies(flat: Flat) -> bool:
    """Whether HiGHS can choose among the optimal plans on hpplan's MIP held at the optimum
    (`engines.lexicographic.MipAtOptimum`: the tie-break's blocks, `hpplan explain`'s fewest moves): the
    population objective, HiGHS installed, a model within its branch and bound's reach."""
    return (flat.objective_kind != "makespan" and flat.unsupported is None
            and flat.window_variables <= HIGHS_MAX_COLUMNS and highs_available())


def within_gap(objective: float, bound: float, tolerance: float) -> bool:
    """A plan of `objective` is proven within `tolerance` (relative, `SolveOptions.gap`) of the optimum
    by `bound`: objective - bound <= tolerance * max(1, |objective|); with 0, a proof of optimality."""
    return objective - bound <= tolerance * max(1, abs(objective))


def engines_for(problem: Problem, engine: str, *, replanning: bool, work_limit: float | None,
                flat: Flat | None = None) -> list[str]:
    """The engines that race in the objective phase for `--engine engine` (module docstring).
    `flat`: the problem's flat form when the caller has it (else flattened here, if needed)."""
    if engine == "cp-sat" or replanning:
        return ["cp-sat"]
    if engine == "highs":
        return ["highs"]
    if engine != "auto":
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    from .engines.interval import unsupported

    if work_limit is not None:
        return ["cp-sat"]  # the only engine with a deterministic work limit
    if problem.waves.objective.kind == "makespan" and unsupported(problem) is None:
        return ["cp-sat-interval"]  # on PSPLIB it proves in under a second what HiGHS proves in 2-9 s, or never
    if not highs_available():
        return ["cp-sat"]
    if flat is None:
        from .engines.common import flatten

        flat = flatten(problem)
    if flat.unsupported is not None:
        return ["cp-sat"]  # a rule the flat form cannot hold: CP-SAT alone keeps it
    if flat.window_variables <= HIGHS_MAX_COLUMNS:
        return ["cp-sat", "highs"]
    # CP-SAT finds no plan of national size in a minute (docs/benchmarks.md)
    from .engines.decompose import components

    if len(components(flat)) > 1:
        return ["highs"]  # its parts apart on the race's threads: branch and bound or LP rounding each
    # LP rounding plans, and HiGHS's branch and bound on the aggregated MIP raises the bound
    return ["lp-rounding", "highs"]


def slot_indices(problem: Problem, chosen: dict[str, str | None]) -> dict[str, int | None]:
    """A plan (org id -> window id) as the MIP takes it: plannable organisation -> index of its future
    window (None: not scheduled)."""
    index = {w.id: k for k, w in enumerate(problem.future_windows)}
    return {org.id: index.get(chosen.get(org.id)) for org in problem.plannable}


@dataclass
class Entry:
    """One engine's result: its own status, the objective of its best plan, its bound (all in the
    objective's units; None when it has none) and, for engines other than CP-SAT, the plan itself."""

    engine: str
    status: Status
    objective: int | None = None
    bound: int | None = None
    solution: Solution | None = None
    tie_broken: bool = False  # the plan is already the lexicographic tie-break's (solve phase 2)
    error: str | None = None  # the engine failed with this error (it then has no plan and no bound)

    @property
    def found(self) -> bool:
        return self.objective is not None


@dataclass
class Race:
    """What the racing engines have found so far (thread-safe). `progress` (hpplan.progress) shows
    the race's best objective and bound."""

    progress: object | None = None
    objective: int | None = None
    bound: int | None = None
    bound_by: str | None = None  # the engine that gave the best bound
    #: the best plan CP-SAT has shared: (objective, org id -> window id or None), for HiGHS to take up
    plan: tuple[int, dict[str, str | None]] | None = None
    share_plans: bool = False
    first_plan_at: float | None = None  # time.perf_counter() of the first plan offered
    #: relative gap tolerance (`SolveOptions.gap`): the race is decided once a plan is this close to the bound
    gap: float = 0.0
    #: set once LP rounding has its LP (or has ended): HiGHS's branch and bound beside it waits for it
    lp_solved: threading.Event = field(default_factory=threading.Event)
    #: requested once the race is decided (or stopped from outside); engines poll `stopped.is_set()`
    stopped: StopRequest = field(default_factory=StopRequest)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_stop(self, stop) -> None:
        """Register a function that stops one engine; called once the race is decided."""
        self.stopped.on_request(stop)

    def offer(self, objective: float | None = None, bound: float | None = None, engine: str | None = None) -> None:
        """A plan's objective or a lower bound from one engine. Every objective coefficient is an
        integer, so a bound counts rounded up."""
        with self._lock:
            if objective is not None and self.first_plan_at is None:
                self.first_plan_at = time.perf_counter()
            if objective is not None and (self.objective is None or round(objective) < self.objective):
                self.objective = round(objective)
            if bound is not None and math.isfinite(bound):
                # every objective term is a sum of non-negative ones (docs/model.md): 0 is a bound too, and
                # a better one than CP-SAT's first negative bounds (a gap of 218 % reported)
                bound = max(math.ceil(bound - 1e-6), 0)
                if self.bound is None or bound > self.bound:
                    self.bound, self.bound_by = bound, engine
            decided = (self.objective is not None and self.bound is not None
                       and within_gap(self.objective, self.bound, self.gap))
            objective, bound = self.objective, self.bound
        if self.progress is not None:
            self.progress.update(objective=objective, bound=bound, solution=objective is not None)
        if decided:
            self.stop()

    def offer_plan(self, objective: float, chosen: dict[str, str | None]) -> None:
        """A whole plan (another engine may start from it), with its objective."""
        with self._lock:
            if self.plan is None or round(objective) < self.plan[0]:
                self.plan = (round(objective), chosen)

    def stop(self) -> None:
        self.stopped.request()


class CpSatListener(cp_model.CpSolverSolutionCallback):
    """Passes CP-SAT's plans and bounds to the race, and stops CP-SAT when the race is decided."""

    def __init__(self, race: Race, solver: cp_model.CpSolver, go_live: dict | None = None):
        super().__init__()
        self.race = race
        self.solver = solver
        self.go_live = go_live  # (org id, window id) -> its Boolean, to share whole plans when the race wants them
        solver.best_bound_callback = self.on_bound
        race.on_stop(solver.stop_search)

    def on_solution_callback(self) -> None:
        if self.race.share_plans and self.go_live is not None:
            chosen = {org_id: window for (org_id, window), var in self.go_live.items() if self.boolean_value(var)}
            self.race.offer_plan(self.objective_value, chosen)
        self.race.offer(objective=self.objective_value, bound=self.best_objective_bound, engine="cp-sat")

    def on_bound(self, bound: float) -> None:
        self.race.offer(bound=bound, engine="cp-sat")


def run_mip(engine: str, problem: Problem, race: Race, time_limit: float, seed: int,
            start: dict[str, int | None] | None, log: bool = False, wait_for_lp: bool = False,
            threads: int = 1, flat: Flat | None = None) -> Entry:
    """HiGHS (`highs`: the MIP, its interchangeable GP offices aggregated into integer units, its
    independent parts apart on `threads` threads (`engines.decompose`: a part too large for branch and
    bound by LP rounding); `lp-rounding`: its LP relaxation and LP-guided list schedules), sharing
    plans and bounds with the race and stopping when it is decided. With `wait_for_lp`, HiGHS builds
    its MIP and then waits for LP rounding's LP before it searches: two LP solves at once on two cores
    slow each other (national seed 1: LP rounding's LP 8 s alone, 15 s beside HiGHS's root LP)."""
    from .engines.highs import HighsOptions, solve_highs
    from .engines.lp_rounding import solve_lp_rounding

    def incumbent() -> tuple[float, dict[str, int | None]] | None:
        plan = race.plan
        return None if plan is None else (plan[0], slot_indices(problem, plan[1]))

    def progress(objective: float | None, bound: float | None) -> None:
        race.offer(objective, bound, engine)
        if engine == "lp-rounding" and bound is not None:
            race.lp_solved.set()

    if engine == "highs" and wait_for_lp:
        time_limit *= 1 - LATE_MIP_MARGIN
    options = HighsOptions(time_limit=time_limit, seed=seed, threads=threads, log=log, start=start,
                           on_progress=progress, stop=race.stopped,
                           start_after=race.lp_solved if engine == "highs" and wait_for_lp else None,
                           heuristics=not wait_for_lp,
                           # beside LP rounding HiGHS runs for its bound: no plans handed to it (on
                           # national seed 2 a handed plan kept it busy 10-40 s past its time limit)
                           # and no primal heuristics
                           incumbent=incumbent if engine == "highs" and race.share_plans and not wait_for_lp else None,
                           aggregate=True, counts=True, decompose=True, largest_mip=HIGHS_MAX_COLUMNS)
    try:
        solution = (solve_highs if engine == "highs" else solve_lp_rounding)(problem, options, flat)
    finally:
        if engine == "lp-rounding":
            race.lp_solved.set()
    bound = math.ceil(solution.stats.best_bound - 1e-6) if solution.stats.best_bound is not None else None
    if not solution.found:
        return Entry(engine, solution.status, bound=bound)
    objective = round(solution.objective["total"])
    race.offer(objective, bound, engine)
    return Entry(engine, solution.status, objective, bound, solution)


def run_interval(engine: str, problem: Problem, race: Race, time_limit: float, seed: int, workers: int,
                 tie_break: bool) -> Entry:
    """The interval form (`engines.interval`), stopping when the race is decided. With `tie_break`, once
    it proves the optimum it also breaks ties as solve's phase 2 would, where that gives the same plan."""
    from .engines.interval import solve_interval, to_solution

    result = solve_interval(problem, time_limit=time_limit, seed=seed, workers=workers, stop=race.stopped,
                            tie_break=tie_break)
    status = Status(result.status)
    if result.objective is None or result.found_by != engine:  # its fallback is the race's own
        return Entry(engine, status if status is Status.infeasible else Status.unknown, bound=result.bound)
    race.offer(result.objective, result.bound, engine)
    return Entry(engine, status, result.objective, result.bound, to_solution(problem, result),
                 tie_broken=result.tie_break == "complete")


def best_of(entries: list[Entry], race: Race) -> tuple[Entry | None, Status, int | None, str | None]:
    """The best plan of the race, its status, the best bound and the engine that proved it (None:
    not proven). A proof of infeasibility from any engine decides; no plan and no proof: unknown."""
    bound = race.bound
    planned = [e for e in entries if e.found]
    if not planned:
        infeasible = [e for e in entries if e.status is Status.infeasible]
        return None, (Status.infeasible if infeasible else Status.unknown), bound, infeasible[0].engine if infeasible else None
    best = min(planned, key=lambda e: e.objective)  # the first listed wins a tie: cp-sat, then the others
    proved_by = None
    for entry in entries:  # an engine that proved its own plan optimal, at the best objective
        if entry.status is Status.optimal and entry.objective == best.objective:
            proved_by = entry.engine
            break
    if proved_by is None and bound is not None and best.objective <= bound:
        holders = [e for e in entries if e.bound is not None and e.bound >= best.objective]
        proved_by = holders[0].engine if holders else race.bound_by
    if proved_by is not None:
        bound = best.objective
    return best, (Status.optimal if proved_by else Status.feasible), bound, proved_by
