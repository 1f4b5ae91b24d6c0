"""The objective phase as a race between engines (docs/solve.md "Engines").

`hpplan solve --engine auto` (the default) runs hpplan's CP-SAT model and, where it pays, the same
model as a MIP in HiGHS (`engines.highs`) at the same time, each in its own thread, under one time
limit. They share what they find through a `Race`: the best plan's objective and the best proven
bound. As soon as a plan's objective meets a bound (from either engine), the plan is proven optimal
and both stop. A verified list-schedule plan (`greedy`) enters the race first, so the answer is never
worse than the spreadsheet planner's, and there is a plan even when neither engine has one in time.

The result names the engine that found the plan and the one that proved it; phase 2 of `solve` (the
lexicographic tie-break on the CP-SAT model) then makes the reported plan the one optimal plan the
data defines, whichever engine found it.

Which engines race (`engines_for`):
- `cp-sat`: always (it also runs the re-planning phases and the tie-break);
- `highs`: with `--engine auto` when highspy is installed, the solve is not re-planning against a
  baseline (those phases are CP-SAT's), no deterministic work limit is set (HiGHS has none), and the
  MIP has at most `HIGHS_MAX_COLUMNS` window variables: above that, HiGHS's root LP alone outlasts a
  minute (national: 67,000 columns, 25 s for the LP; docs/benchmarks.md);
- `--engine highs` runs HiGHS alone, `--engine cp-sat` CP-SAT alone.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .problem import Problem
from .solution import Solution, Status

#: above this many window variables HiGHS stays out of `auto` (its root LP takes too long)
HIGHS_MAX_COLUMNS = 20_000

ENGINES = ("auto", "cp-sat", "highs")


def highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def engines_for(problem: Problem, engine: str, *, replanning: bool, work_limit: float | None) -> list[str]:
    """The engines that race in the objective phase for `--engine engine`."""
    if engine == "cp-sat" or replanning:
        return ["cp-sat"]
    if engine == "highs":
        return ["highs"]
    if engine != "auto":
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if work_limit is not None or not highs_available():
        return ["cp-sat"]
    from .engines.common import flatten

    columns = sum(len(slots) for slots in flatten(problem).domain.values())
    return ["cp-sat", "highs"] if columns <= HIGHS_MAX_COLUMNS else ["cp-sat"]


@dataclass
class Entry:
    """One engine's result: its own status, the objective of its best plan, its bound (all in the
    objective's units; None when it has none) and, for engines other than CP-SAT, the plan itself."""

    engine: str
    status: Status
    objective: int | None = None
    bound: int | None = None
    solution: Solution | None = None

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
    stopped: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stops: list = field(default_factory=list)

    def on_stop(self, stop) -> None:
        """Register a function that stops one engine; called once the race is decided."""
        with self._lock:
            self._stops.append(stop)
        if self.stopped.is_set():
            stop()

    def offer(self, objective: float | None = None, bound: float | None = None) -> None:
        """A plan's objective or a lower bound from one engine. Every objective coefficient is an
        integer, so a bound counts rounded up."""
        with self._lock:
            if objective is not None and (self.objective is None or round(objective) < self.objective):
                self.objective = round(objective)
            if bound is not None and math.isfinite(bound):
                bound = math.ceil(bound - 1e-6)
                if self.bound is None or bound > self.bound:
                    self.bound = bound
            decided = self.objective is not None and self.bound is not None and self.objective <= self.bound
            objective, bound = self.objective, self.bound
        if self.progress is not None:
            self.progress.update(objective=objective, bound=bound, solution=objective is not None)
        if decided:
            self.stop()

    def stop(self) -> None:
        self.stopped.set()
        with self._lock:
            stops = list(self._stops)
        for stop in stops:
            stop()


class CpSatListener(cp_model.CpSolverSolutionCallback):
    """Passes CP-SAT's plans and bounds to the race, and stops CP-SAT when the race is decided."""

    def __init__(self, race: Race, solver: cp_model.CpSolver):
        super().__init__()
        self.race = race
        self.solver = solver
        solver.best_bound_callback = self.on_bound
        race.on_stop(solver.stop_search)

    def on_solution_callback(self) -> None:
        self.race.offer(objective=self.objective_value, bound=self.best_objective_bound)

    def on_bound(self, bound: float) -> None:
        self.race.offer(bound=bound)


def run_highs(problem: Problem, race: Race, time_limit: float, seed: int, start: dict[str, int | None] | None,
              log: bool = False) -> Entry:
    """HiGHS on the MIP, sharing its plans and bounds with the race and stopping when it is decided."""
    from .engines.highs import HighsOptions, solve_highs

    options = HighsOptions(time_limit=time_limit, seed=seed, threads=1, log=log, start=start,
                           on_progress=lambda objective, bound: race.offer(objective, bound), stop=race.stopped)
    solution = solve_highs(problem, options)
    stats = solution.stats
    if not solution.found:
        return Entry("highs", solution.status)
    objective = round(solution.objective["total"])
    bound = math.ceil(stats.best_bound - 1e-6) if stats.best_bound is not None else None
    race.offer(objective, bound)
    return Entry("highs", solution.status, objective, bound, solution)


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
        proved_by = holders[0].engine if holders else "race"
    if proved_by is not None:
        bound = best.objective
    return best, (Status.optimal if proved_by else Status.feasible), bound, proved_by
