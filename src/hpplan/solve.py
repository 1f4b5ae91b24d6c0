"""Solve a rollout problem with CP-SAT and turn the answer into a `Solution`.

Two phases (docs/model.md "Solving"):
1. minimise the objective (sum of its terms);
2. if phase 1 proved an optimum: keep the objective at that value and break ties
   lexicographically — organisations in id order, each as early as the ones before it allow —
   so that the plan reported is the one optimal plan the data defines, whatever seed or worker
   count found it.

Re-planning against a baseline plan (`solve(..., baseline=Baseline(plan))`, docs/scenarios.md) keeps
every rule and first changes as little as possible: phase "fewest moved" minimises the number of
organisations not in their baseline window and fixes it, phase "least movement" minimises the calendar days
they move and fixes that, then the two phases above run as usual. A frozen horizon (`freeze_until`: the
Baseline's, else the data's) comes first: phase "frozen horizon" keeps the baseline's go-lives in the
windows before that date (and lets nothing else in) as far as the rules allow. History is always frozen.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
import warnings
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model, cp_model_helper

from .engines.common import Flat, flatten, short_gil_turns, to_solution
from .errors import InputError
from .model import BuildStopped, RolloutModel, build_model
from .model.objective import Anchor, frozen_horizon, stability_terms, tie_break_positions
from .model.symmetry import canonical_plan
from .portfolio import (ENGINES, RACE_THREADS, CpSatListener, Entry, Race, best_of, engines_for,
                        mip_at_optimum_applies, run_interval, run_mip, slot_indices, within_gap)
from .problem import LOAD_SCALE, Problem, checked_problem, month_index, month_label
from .schema import Status as OrgStatus
from .solution import Assignment, LoadPoint, Solution, SolveStats, Status
from .stopping import StopRequest, cp_solver, requested, stop_on_ctrl_c, stopping_search, watching

STATUS = {
    cp_model.OPTIMAL: Status.optimal,
    cp_model.FEASIBLE: Status.feasible,
    cp_model.INFEASIBLE: Status.infeasible,
    cp_model.UNKNOWN: Status.unknown,
}


#: the largest seed the solvers take (CP-SAT's and HiGHS's seeds are 32-bit integers)
SEED_MAX = 2**31 - 1
#: the shortest time limit (seconds) a solve takes: the command line's `--time-limit` and `SolveOptions` alike
TIME_LIMIT_MIN = 0.1
#: the longest (a day): a finite number, shown in every footer; for a proof that takes longer, `--gap`
TIME_LIMIT_MAX = 86_400
#: the smallest work limit (CP-SAT deterministic seconds): the command line's `--work-limit` and `SolveOptions`
WORK_LIMIT_MIN = 0.01
WORK_LIMIT_NEEDS_CP_SAT = ("a work limit is CP-SAT's deterministic time and HiGHS has none: with engine highs "
                           "a plan cut short would not be reproducible; use engine auto or cp-sat with the work "
                           "limit, or highs with a time limit alone")


@dataclass
class SolveOptions:
    time_limit: float = 60.0  # seconds of wall time for both phases together, TIME_LIMIT_MIN to TIME_LIMIT_MAX
    seed: int = 0
    workers: int = 1
    work_limit: float | None = None  # CP-SAT deterministic time: reproducible even when it runs out
    tie_break: bool = True
    log: bool = False
    #: a live progress display (hpplan.progress.SolveProgress) or None; it only reads, the plan is the same
    progress: object | None = None
    #: which engines race in the objective phase: auto | cp-sat | highs (hpplan.portfolio)
    engine: str = "auto"
    #: relative gap tolerance: the objective phase ends once a plan is proven within this fraction of
    #: the best bound (0.005: 0.5 %); the plan is then reported `feasible` with its gap (0: prove the optimum)
    gap: float = 0.0
    #: `request()` it from any thread (Ctrl-C on the command line) to end the solve with its best plan so far
    stop: StopRequest | None = None

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """The command line's ranges, for a notebook too: a wrong option is an error, not a quiet surprise
        (`gap=5` would be 500 %, and a solve ended at the list schedule's plan). Checked when made and
        again by `solve` (a field changed since, `options.workers = 0`)."""
        def number(name: str, value, low: float, high: float = math.inf, *, integer: bool = False,
                   above: bool = False) -> None:
            checked_number(f"SolveOptions.{name}", value, low, high, integer=integer, above=above)

        number("time_limit", self.time_limit, TIME_LIMIT_MIN, TIME_LIMIT_MAX)
        number("seed", self.seed, 0, SEED_MAX, integer=True)
        number("workers", self.workers, 1, 64, integer=True)
        if self.work_limit is not None:
            number("work_limit", self.work_limit, WORK_LIMIT_MIN, TIME_LIMIT_MAX)
        if isinstance(self.gap, (int, float)) and not isinstance(self.gap, bool) and self.gap > 1:
            raise ValueError(f"SolveOptions.gap is a fraction of the objective (0.005 for 0.5 %), got {self.gap!r}; "
                             "the command line's --gap takes percent")
        number("gap", self.gap, 0, 1)
        if self.engine not in ENGINES:
            raise ValueError(f"SolveOptions.engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.engine == "highs" and self.work_limit is not None:
            raise ValueError(WORK_LIMIT_NEEDS_CP_SAT)
        if self.stop is not None and not isinstance(self.stop, StopRequest):
            raise TypeError(f"SolveOptions.stop is an hpplan.StopRequest, got {type(self.stop).__name__}")
        for name in ("tie_break", "log"):  # "no" would be true
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"SolveOptions.{name} is True or False, got {getattr(self, name)!r}")
        if self.progress is not None and not all(callable(getattr(self.progress, method, None))
                                                 for method in ("attach", "update")):
            raise TypeError("SolveOptions.progress is a progress display (hpplan.progress.SolveProgress, or a "
                            f"hpplan.progress.RaceHook) or None, got {type(self.progress).__name__}")


def checked_number(name: str, value, low: float, high: float = math.inf, *, integer: bool = False,
                   above: bool = False, unit: str = "") -> None:
    """A library argument in its range, as the command line's options are: TypeError for a value that
    is no number (a bool neither; `unit`, e.g. " of seconds", says what it counts), ValueError out of
    range (NaN too)."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name} is {'an integer' if integer else 'a number'}{unit}, "
                        f"got {type(value).__name__} {value!r}")
    if not (value > low if above else value >= low) or value > high or math.isnan(value):
        span = f"{'above' if above else 'at least'} {low:g}"
        if high < math.inf:
            span += f" and at most {high if integer else format(high, 'g')}"
        raise ValueError(f"{name} must be {span}, got {value!r}")


def run_solver(solver: cp_model.CpSolver, model: cp_model.CpModel, options: SolveOptions, phase: str,
               race: Race | None = None, go_live: dict | None = None, step: str | None = None) -> int:
    """`solver.solve(model)`, showing progress when `options.progress` is set (hpplan.progress; `step`:
    where a phase of many runs is); in a race (hpplan.portfolio), its plans and bounds go to the race,
    which shows the race's best."""
    progress = options.progress.attach(solver, phase, step) if options.progress is not None else None
    stop = options.stop
    if requested(stop):
        # stopped before it began: only the plan it starts from (its hints), if it has one, and no stop
        # during that second (it would cut it short before the first plan)
        solver.parameters.max_time_in_seconds = min(solver.parameters.max_time_in_seconds, 1.0)
        solver.parameters.stop_after_first_solution = True
        stop = None
    with stopping_search(solver, stop):
        if race is not None:
            return solver.solve(model, CpSatListener(race, solver, go_live))
        return solver.solve(model) if progress is None else solver.solve(model, progress)


def solver_for(options: SolveOptions, time_left: float) -> cp_model.CpSolver:
    solver = cp_solver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_left, 0.01)
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    if options.workers > 1:
        # CP-SAT's parallel portfolio is not deterministic; interleaved search is (OR-Tools #2159).
        params.interleave_search = True
        # batches of one task per worker instead of CP-SAT's three: with batches of six tasks (up to a
        # deterministic second each) it ended `region` seed 2 at 7.7 of 10 s without a proof, with
        # batches of two at 10.0 s, with a better plan and bound (regional-300 seed 1: 8.7 s instead
        # of 9.3 s, but plan 21.63 M instead of 21.84 M)
        params.interleave_batch_size = params.num_workers
    if options.work_limit is not None:
        params.max_deterministic_time = options.work_limit
    params.log_search_progress = options.log
    return solver


#: `Baseline(plan, freeze_until=NO_FREEZE)`: no frozen horizon, whatever the data's `freeze_until` says (a
#: freeze before every window keeps none of them)
NO_FREEZE = dt.date.min


@dataclass
class Baseline:
    """A plan to re-plan against: keep as much of it as the rules allow. `freeze_until`: keep the
    baseline's go-lives in the windows before this date (`--freeze-until`); None takes the data's
    (`freeze_until` in waves.yaml), as `hpplan solve --baseline` does; `NO_FREEZE`: none."""

    plan: Solution
    freeze_until: dt.date | None = None  # keep the baseline's go-lives in windows before this date
    name: str = "baseline"  # where it came from (a file name), for reports

    @property
    def label(self) -> str:
        """'the baseline', or 'the baseline FILE' where it came from a file (its `name`)."""
        return "the baseline" if self.name == "baseline" else f"the baseline {self.name}"

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Wrong fields are a TypeError here, not an AttributeError deep in the solve (`Baseline(problem)`
        for `Baseline(solution)`, a date as text). Checked when made and again by `solve`."""
        if not isinstance(self.plan, Solution):
            raise TypeError("Baseline takes the plan to keep as a Solution (hpplan.solve(...) or "
                            f"hpplan.read_plan(file)), got {type(self.plan).__name__}")
        if self.freeze_until is not None and (not isinstance(self.freeze_until, dt.date)
                                              or isinstance(self.freeze_until, dt.datetime)):
            raise TypeError("Baseline.freeze_until is a datetime.date (datetime.date(2025, 6, 1)) or None, "
                            f"got {type(self.freeze_until).__name__} {self.freeze_until!r}")
        if not isinstance(self.name, str):
            raise TypeError(f"Baseline.name is a str, got {type(self.name).__name__}")
        if not self.plan.found:  # "0 moved, proven" against nothing would be a wrong answer
            raise ValueError(f"{self.label} has no plan (status {self.plan.status.value}), so there is "
                             "nothing to keep; re-plan against a plan that was found (status optimal or feasible), "
                             "or solve without a baseline")

    def anchors(self) -> dict[str, Anchor]:
        return {a.id: Anchor(a.window if a.go_live else None, a.go_live) for a in self.plan.plan}


@dataclass
class Replan:
    """What re-planning against a baseline did (None values: the phase did not run to a result)."""

    moved: int | None = None  # organisations not in their baseline window
    movement: int | None = None  # calendar days moved in all (from each baseline go-live date)
    #: the places they moved among the future windows, in all (`windows_moved`): what `movement` counted
    #: before it counted days (the JSON's `windows_moved`, kept beside `days_moved`)
    windows: int | None = None
    proven: bool = False  # both values proven minimal
    frozen: int = 0  # baseline go-lives in the frozen horizon that the plan keeps
    released: list[str] = field(default_factory=list)  # those it could not keep (the rules or changed data moved them)
    #: organisations going live in the frozen horizon where the baseline did not have them (only when
    #: the rules leave no other way: a scenario's together rule with a frozen go-live, say)
    joined: list[str] = field(default_factory=list)
    #: the windows of the last re-planning phase's plan (org id -> window id): the plan when the objective
    #: phase after it finds none in time (its least change stands; its objective is not optimised)
    phase_plan: dict[str, str] | None = field(default=None, repr=False, compare=False)
    #: each re-planning phase's value as it was fixed (phase -> value: "frozen", "moved", "movement")
    phase_values: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: re-planned around the change (`_around_change`): how many organisations were free, of how many plannable
    #: (the others kept in their baseline windows, proven the whole problem's answer); None: the whole model
    free: int | None = None
    plannable: int | None = None
    #: why a re-plan tried around the change went to the whole model ("the capacity moves more than the rules
    #: alone", "the others cannot all keep their windows", "no plan in time"); None: it did not, or was not tried
    whole_because: str | None = None


def solve(problem: Problem, options: SolveOptions | None = None, baseline: Baseline | None = None) -> Solution:
    """Find the best plan (with a baseline: the best of the plans that change it least). Never raises
    for infeasible data: the status says so. Called from the main thread without `options.stop`, a
    Ctrl-C stops it with its best plan so far (`stats.stopped`; KeyboardInterrupt before the first),
    unless the caller handles SIGINT itself (`stopping.stop_on_ctrl_c`)."""
    return solve_replan(problem, options, baseline)[0]


def solve_replan(problem: Problem, options: SolveOptions | None = None,
                 baseline: Baseline | None = None) -> tuple[Solution, Replan | None]:
    """`solve`, also returning what re-planning against the baseline did (None without a baseline)."""
    checked_problem("solve", problem)
    if options is not None and not isinstance(options, SolveOptions):
        raise TypeError(f"solve takes its options as hpplan.SolveOptions(...), got {type(options).__name__}")
    if baseline is not None and not isinstance(baseline, Baseline):
        raise TypeError("solve takes its baseline as Baseline(plan) (from hpplan.solve import Baseline), "
                        f"got {type(baseline).__name__}")
    options = options or SolveOptions()
    options.check()
    if baseline is not None:
        baseline.check()
        baseline = with_data_freeze(problem, baseline)
        if baseline.plan.plan and not any(a.id in problem.org for a in baseline.plan.plan):
            raise ValueError(f"{baseline.label} shares no organisation with the data (a plan of other "
                             "data?): re-planning against it would keep nothing; give a plan of this data")
    with stop_on_ctrl_c(options.stop) as stop:  # a notebook's Ctrl-C: the best plan so far
        by_ctrl_c = stop is not options.stop
        if by_ctrl_c:
            options = replace(options, stop=stop)
        solution, replan = _solve(problem, options, baseline)
    if replan is not None and solution.found:
        replan.windows = windows_moved(problem, baseline, solution)
    solution.stats.stopped = requested(options.stop)
    solution.stats.least_change = baseline is not None
    solution.stats.freeze_until = baseline.freeze_until if baseline is not None else None
    if by_ctrl_c and solution.stats.stopped and solution.status is Status.unknown:
        raise KeyboardInterrupt  # no plan yet: the caller's Ctrl-C, as without a solve
    _verified(problem, solution)
    solution.mark_estimates(problem)  # which figures rest on estimates (the JSON's `*_is_estimate`)
    solution.applied = list(problem.applied)  # the scenario changes it was made with (the JSON's `applied`)
    return solution, replan


def windows_moved(problem: Problem, baseline: Baseline, solution: Solution) -> int:
    """The windows the plan's organisations moved, in all, as the least-movement phase counted them until it
    counted days (the JSON's `windows_moved`, kept): for each one the baseline scheduled, how many places its
    new window is from its baseline window among the changed data's future windows, by date (a baseline
    window that is gone or now history: the place of the first future window after its date); not
    scheduled is one past the last. One still in its window has moved none, whatever a scenario did to
    the window's date."""
    place = {w.id: i for i, w in enumerate(problem.future_windows)}
    never = len(place)
    total = 0
    for org_id, anchor in baseline.anchors().items():
        entry = solution.assignment(org_id)
        if anchor.date is None or entry is None or entry.pinned:
            continue
        at = place[anchor.window] if anchor.window in place else sum(
            1 for w in problem.future_windows if w.date < anchor.date)
        now = place.get(entry.window, never) if entry.go_live is not None else never
        total += abs(now - at)
    return total


def with_data_freeze(problem: Problem, baseline: Baseline) -> Baseline:
    """The baseline with the freeze the re-plan keeps: its own `freeze_until`, else the data's
    (waves.yaml `freeze_until`, as `hpplan solve --baseline` takes it); `NO_FREEZE` is none (None). A
    copy: the caller's Baseline is left as it was."""
    freeze = baseline.freeze_until if baseline.freeze_until is not None else problem.waves.freeze_until
    freeze = None if freeze == NO_FREEZE else freeze
    return baseline if freeze == baseline.freeze_until else replace(baseline, freeze_until=freeze)


class PlanBroken(RuntimeError):
    """The plan a solve found breaks rules the independent verifier checks (`hpplan.verify`): a bug in
    the model or an engine, never the data's fault. Raised rather than a plan that is not one."""

    def __init__(self, violations: list):
        self.violations = violations
        shown = "; ".join(v.message for v in violations[:3]) + (" ..." if len(violations) > 3 else "")
        super().__init__(f"the solver's plan breaks {len(violations)} rule(s) the verifier checks: {shown}")


def _verified(problem: Problem, solution: Solution) -> None:
    """Every plan `solve` returns is checked by the independent verifier (0.04 s at national scale)."""
    from .verify import verify

    if solution.found:
        violations = verify(problem, solution)
        if violations:
            raise PlanBroken(violations)


def _solve(problem: Problem, options: SolveOptions, baseline: Baseline | None) -> tuple[Solution, Replan | None]:
    """Every solve, re-plan or not: (with a baseline) the re-planning phases, the objective phase (the
    race), the tie-break; a plan of the fallbacks when a phase runs out of time before a plan."""
    started = time.perf_counter()
    flat = flatten(problem) if baseline is None else None
    if flat is not None and flat.unsupported is not None and options.engine == "highs":
        _engine_cannot_plan(problem, flat)
    engines = engines_for(problem, options.engine, replanning=baseline is not None, work_limit=options.work_limit,
                          flat=flat)
    rollout = None
    build_stopped = False
    if baseline is None and ("cp-sat" in engines or problem.waves.objective.kind == "makespan"):
        try:
            rollout = _build(problem, baseline, options.stop)
        except BuildStopped:  # stopped while the model was built (seconds at national scale): no CP-SAT
            build_stopped = True
    # else the CP-SAT model waits until the race needs it (a tie-break): at national scale building it
    # takes about 3 s that the racing engines use better (docs/solve.md "Engines"); a re-plan builds the
    # model around the change first, the whole one when that is not the answer (`_replan_phases`)
    deadline = started + options.time_limit
    stats = SolveStats(build_time=time.perf_counter() - started, seed=options.seed, workers=options.workers,
                       time_limit=options.time_limit, work_limit=options.work_limit, gap_tolerance=options.gap,
                       phases=[])
    if build_stopped:
        stats.phases.append("stopped while CP-SAT's model was built")
    if flat is not None and flat.unsupported is not None:  # (said: the plan may be proven later, or not at all)
        stats.phases.append(f"CP-SAT alone (HiGHS, the list schedule and symmetry breaking step aside): "
                            f"{flat.unsupported}")

    replan = start = None
    if baseline is not None:
        rollout, replan, status, start = _replan_phases(problem, baseline, options, deadline, stats)
        if status not in (Status.optimal, Status.feasible):
            stats.wall_time = time.perf_counter() - started
            stats.tie_break = "skipped"
            return (_unchanged(problem, baseline, options, stats)
                    or _start_result(problem, rollout, baseline, start, options, stats)
                    or (Solution(status=status, stats=stats), replan))
        rollout.model.minimize(rollout.total)

    with short_gil_turns():  # the racing engines' callbacks wait less for the GIL
        outcome = _objective_phase(problem, flat, engines, rollout, options, deadline, stats, baseline is not None,
                                   started)
    status = outcome.status
    if status not in (Status.optimal, Status.feasible):
        stats.wall_time = time.perf_counter() - started
        stats.tie_break = "skipped"
        if baseline is None:
            return Solution(status=status, stats=stats), replan
        # the re-planning phases found their plan, the objective phase none in time: that plan (its least
        # change stands), else the baseline as it is, else the plan the phases started from
        return (_phase_result(problem, baseline, replan, options, stats) or _unchanged(problem, baseline, options, stats)
                or _start_result(problem, rollout, baseline, start, options, stats)
                or (Solution(status=status, stats=stats), replan))
    stats.best_bound = outcome.bound  # never below 0: `Race.offer`
    objective_value = outcome.best.objective
    stats.gap = (abs(objective_value - outcome.bound) / max(1.0, abs(objective_value))
                 if outcome.bound is not None else None)
    tie_broken = outcome.best.tie_broken and status is Status.optimal
    # no time left to build CP-SAT's model for the tie-break (national scale), or stopped: the plan as it
    # is (with CP-SAT's model, taking another engine's plan into it is a CP-SAT solve of its own)
    no_time = (rollout is None and time.perf_counter() >= deadline) or requested(options.stop)
    as_it_is = tie_broken or no_time or not (status is Status.optimal and options.tie_break)
    if outcome.best.solution is not None and rollout is None and not as_it_is:
        build_started = time.perf_counter()
        try:
            rollout = _build(problem, baseline, options.stop)
        except BuildStopped:  # stopped while the tie-break's model was built: the plan as it is
            no_time = as_it_is = True
        stats.build_time += time.perf_counter() - build_started
    if outcome.best.solution is not None and as_it_is:
        # another engine's plan, reported as it is (its objective terms are computed as the model's);
        # the interval form may have broken the ties itself, on the same plans in the same order
        solution = outcome.best.solution
        if tie_broken:
            stats.tie_break = "complete"
        elif no_time and status is Status.optimal and options.tie_break:
            stats.tie_break = "incomplete"  # still optimal, as when time runs out during the tie-break
        else:
            stats.tie_break = "skipped"
        if tie_broken:
            stats.phases.append("tie-break (interval form)")
        stats.wall_time = time.perf_counter() - started
        return Solution(status=status, objective=solution.objective, plan=solution.plan, load=solution.load,
                        stats=stats), replan
    values = outcome.values if outcome.best.solution is None else _complete(rollout, outcome.best.solution, options)

    if status is Status.optimal and options.tie_break:
        stats.phases.append("tie-break")
        values, stats.tie_break = _break_ties(rollout, problem, options, values, round(objective_value), deadline,
                                              flat if _highs_tie_break(options, flat) else None, stats)
    else:
        stats.tie_break = "skipped"

    if replan is not None and not replan.proven:
        status = Status.feasible  # the least change was not proven least: the plan is not proven best
    solution = _solution(problem, rollout, values, status, stats)
    if replan is not None and baseline.freeze_until is not None:
        replan.frozen, replan.released, replan.joined = _frozen_result(problem, baseline, solution)
    stats.wall_time = time.perf_counter() - started
    return solution, replan


def _engine_cannot_plan(problem: Problem, flat: Flat) -> None:
    """`engine: highs` asked for data with a rule HiGHS's form cannot hold (`Flat.unsupported`: a rule type
    that does not reduce to relations, docs/model.md "Adding a rule type"): bad usage at the rule's line,
    not a plan without the rule, nor an engine failure."""
    rule = next((r for r in problem.waves.rules if r.relations(problem) is None), None)
    raise InputError(f"engine highs cannot plan this data: {flat.unsupported} (HiGHS plans the rules that reduce "
                     "to relations, docs/model.md \"Adding a rule type\"); give --engine cp-sat or auto",
                     rule.at if rule is not None else None)


def _replan_phases(problem: Problem, baseline: Baseline, options: SolveOptions, deadline: float,
                   stats: SolveStats) -> tuple[RolloutModel, Replan, Status, "_Start | None"]:
    """The re-planning phases: around the change when that is proven the answer (`_around_change`),
    else on the whole model, starting from the better (by the phases' terms, in their order) of the plan
    around the change and the repaired baseline: national scale, a trust postponed against a list
    schedule, the plan around the change moved 22 where the repair moved 7 (the least), and from it the
    phase took 84 s instead of 20. Returns the model the objective phase goes on with, what the phases
    did, their status, and the plan they started from (None: none; it is the answer when they find none
    of their own in time)."""
    flat = flatten(problem)  # (once: the change's parts, then the repair, read it)
    around = _around_change(problem, flat, baseline, options, deadline, stats)
    if around.rollout is not None:
        return around.rollout, around.replan, Status.optimal, None
    build_started = time.perf_counter()
    rollout = _build(problem, baseline, options.stop)
    stats.build_time += time.perf_counter() - build_started
    starts = [_Start(plan, found_by, what) for plan, found_by, what in (
        (around.start, "cp-sat", "the plan around the change"),
        (_repaired(problem, baseline, flat), "baseline repair", "the baseline repaired by the list scheduler"))
        if plan is not None]
    for candidate in starts:
        candidate.values = _stability_values(rollout, problem, baseline, candidate.plan)
    start = min(starts, key=lambda c: tuple(c.values.values()), default=None)  # (the first of equals)
    if start is not None and NEIGHBOURHOOD_SEARCH:
        start = _searched(problem, flat, rollout, baseline, start, options, deadline, stats)
    replan, status = _stabilise(rollout, problem, baseline, options, deadline, stats,
                                start.plan if start is not None else None)
    if replan is not None:  # (a test's stand-in for the phases may give none)
        replan.whole_because = around.whole_because
        if status not in (Status.optimal, Status.feasible) and replan.phase_plan:
            # a phase found a plan, a later one none in time: that plan, when it beats the start
            plan = phase_solution(problem, flat, replan)
            values = _stability_values(rollout, problem, baseline, plan)
            if start is None or tuple(values.values()) < tuple(start.values.values()):
                start = _Start(plan, "cp-sat", "the plan of the whole model's first phases", values)
    return rollout, replan, status, start


def phase_solution(problem: Problem, flat: Flat, replan: "Replan", stats: SolveStats | None = None) -> Solution:
    """The plan the re-planning phases fixed (`Replan.phase_plan`) as a whole plan of `flat`'s problem:
    status feasible (its objective not optimised), its objective and load worked out."""
    return to_solution(flat, slot_indices(problem, replan.phase_plan), Status.feasible,
                       stats if stats is not None else SolveStats())


#: improve the whole model's start by a neighbourhood search first (`hpplan.neighbourhood`); off: as before
NEIGHBOURHOOD_SEARCH = True


def _searched(problem: Problem, flat: Flat, rollout: RolloutModel, baseline: Baseline, start: "_Start",
              options: SolveOptions, deadline: float, stats: SolveStats) -> "_Start":
    """The start improved by the neighbourhood search (`hpplan.neighbourhood`) within its share of the time
    left; the start itself when it finds nothing better (or there is nothing to improve)."""
    from .neighbourhood import search

    if not any(start.values.values()) or requested(options.stop):
        return start
    found = search(problem, flat, baseline, start.plan, start.values,
                   lambda plan: _stability_values(rollout, problem, baseline, plan), options, deadline)
    before, after = start.values, found.values
    stats.phases.append(f"neighbourhood search: {before['moved']} -> {after['moved']} moved, {before['movement']} -> "
                        f"{after['movement']} days in {found.rounds} round{'' if found.rounds == 1 else 's'} "
                        f"({found.improved} better), {found.seconds:.0f} s")
    if not found.improved:
        return start
    return _Start(found.plan, "neighbourhood search", f"{start.what}, improved by a neighbourhood search",
                  found.values)


@dataclass
class _Start:
    """A whole plan the re-planning phases start from (and give when they find none of their own in time):
    its plan, who found it (`SolveStats.found_by`), what it is in words, and the phases' terms on it."""

    plan: Solution
    found_by: str
    what: str
    values: dict[str, int] = field(default_factory=dict)


def _stability_values(rollout: RolloutModel, problem: Problem, baseline: Baseline, plan: Solution) -> dict[str, int]:
    """The re-planning phases' terms (phase -> value, in the phases' order) on a whole plan."""
    chosen = {a.id: a.window for a in plan.plan}
    values = [0] * len(rollout.model.proto.variables)  # (the stability terms read go-live variables only)
    for (org_id, window_id), var in rollout.variables.go_live.items():
        values[var.index] = int(chosen.get(org_id) == window_id)
    return {phase: _evaluate(expr, values) for phase, _name, expr in _stability_phases(rollout.variables, problem,
                                                                                         baseline)}


@dataclass
class _Around:
    """What re-planning around the change gave: the model with the others kept and its phases' result
    when the rules-only bound proves them the whole problem's; else its plan (None: none), for the whole
    model to start from, and why the whole model re-plans (None: around the change was not tried)."""

    rollout: RolloutModel | None = None
    replan: Replan | None = None
    start: Solution | None = None
    whole_because: str | None = None


def _around_change(problem: Problem, flat: Flat, baseline: Baseline, options: SolveOptions, deadline: float,
                   stats: SolveStats) -> _Around:
    """The re-planning phases on the model in which the organisations the change does not reach keep
    their baseline windows (`hpplan.replan`), proven the whole problem's answer when each phase before
    the least movement (frozen horizon, fewest moved) reaches the least value the rules alone allow."""
    from .replan import free_organisations, kept_windows

    anchors = baseline.anchors()
    free = free_organisations(problem, flat, anchors)
    if free is None or requested(options.stop):
        return _Around()
    kept = kept_windows(flat, anchors, free)
    build_started = time.perf_counter()
    bound = build_model(problem, with_objective=False, within=kept, rules_only=True)
    stats.build_time += time.perf_counter() - build_started
    floors = _floors(bound, problem, baseline, options, deadline)
    if floors is None:
        return _Around()
    build_started = time.perf_counter()
    local = build_model(problem, with_objective=False, within=kept)
    stats.build_time += time.perf_counter() - build_started
    replan, status = _stabilise(local, problem, baseline, options, deadline, stats)
    where = f"around the change ({len(free)} of {len(flat.domain)} organisations free, the others kept)"
    if requested(options.stop):  # stopped: the plan around the change so far, if any (least change not proven)
        stats.phases.append(f"{where}: stopped")
        return _Around(local, replan) if replan.phase_plan is not None else _Around()
    if status not in (Status.optimal, Status.feasible):
        why = "the others cannot all keep their windows" if status is Status.infeasible else "no plan in time"
        stats.phases.append(f"{where}: {why}; the whole model re-plans")
        return _Around(whole_because=why)
    if all(replan.phase_values.get(phase) == value for phase, value in floors.items()):
        stats.phases.append(f"{where}: the rules alone move no fewer, the whole problem's least change")
        replan.free, replan.plannable = len(free), len(flat.domain)
        return _Around(local, replan)
    why = "the capacity or a window limit moves more than the rules alone"
    stats.phases.append(f"{where}: {why}; the whole model re-plans")
    return _Around(start=phase_solution(problem, flat, replan), whole_because=why)


def _floors(bound: RolloutModel, problem: Problem, baseline: Baseline, options: SolveOptions,
            deadline: float) -> dict[str, int] | None:
    """The least values of the phases before the least movement (frozen horizon, fewest moved) in the
    rules-only model `bound`, each fixed for the next; None when one is not proven in time."""
    floors = {}
    for phase, name, expr in _stability_phases(bound.variables, problem, baseline)[:-1]:
        if isinstance(expr, int):
            floors[phase] = expr
            continue
        if requested(options.stop):
            return None
        bound.model.minimize(expr)
        solver = solver_for(options, deadline - time.perf_counter())
        if run_solver(solver, bound.model, options, f"{name} (the rules alone)") != cp_model.OPTIMAL:
            return None
        floors[phase] = round(solver.objective_value)
        bound.model.add(expr <= floors[phase])
    return floors


def _stability_phases(variables, problem: Problem, baseline: Baseline) -> list[tuple[str, str, object]]:
    """The re-planning phases in order, (phase, name, expression to minimise): the frozen horizon (with
    a freeze), fewest moved, least movement."""
    anchors = baseline.anchors()
    terms = stability_terms(variables, problem, anchors)
    phases = [("moved", "fewest moved", terms["moved"]), ("movement", "least movement", terms["movement"])]
    if baseline.freeze_until is not None:
        phases.insert(0, ("frozen", "frozen horizon",
                          frozen_horizon(variables, problem, anchors, baseline.freeze_until)))
    return phases


def _unchanged(problem: Problem, baseline: Baseline, options: SolveOptions,
               stats: SolveStats) -> tuple[Solution, Replan] | None:
    """A re-plan stopped, or out of time, before it had a plan of its own (national scale: CP-SAT's
    re-plan phases start from the baseline, and 10 s may not see their first plan): the baseline itself,
    unchanged, when it keeps every rule of this data (it changes nothing: the least change there is), else
    None (no plan)."""
    from .verify import verify

    chosen = slot_indices(problem, {a.id: a.window for a in baseline.plan.plan if not a.pinned and a.go_live})
    flat = flatten(problem)
    if any(k is not None and k not in flat.domain.get(org_id, ()) for org_id, k in chosen.items()):
        return None  # a window its changed data no longer allows (a postponement): the baseline breaks a rule
    solution = to_solution(flat, chosen, Status.feasible, stats)
    if verify(problem, solution):
        return None
    stats.found_by = "baseline"
    stats.phases.append(f"{'stopped' if requested(options.stop) else 'out of time'} before a plan of its own: "
                        "the baseline, unchanged")
    replan = Replan(moved=0, movement=0, proven=True)
    if baseline.freeze_until is not None:
        replan.frozen, replan.released, replan.joined = _frozen_result(problem, baseline, solution)
    return solution, replan


def _repaired(problem: Problem, baseline: Baseline, flat: Flat) -> Solution | None:
    """The baseline repaired by the list scheduler (`greedy.schedule`): the organisations in the order
    of their baseline windows, those whose data no longer allows theirs last, each in its baseline window
    where that keeps every rule given those placed before it, else in the window the scheduler picks (the
    earliest that keeps them; 0.5 s at national scale). The re-planning phases start from it (a whole plan
    that keeps every rule: the baseline alone, which the changed data breaks, is no plan to CP-SAT), and it
    is their plan when they find none of their own in time. None: the scheduler is stuck, or the verifier
    rejects its plan."""
    from .greedy import schedule
    from .verify import verify

    kept = slot_indices(problem, {a.id: a.window for a in baseline.plan.plan if not a.pinned and a.go_live})
    target = {org_id: k for org_id, k in kept.items() if k is not None}
    # as the phases would have it: what the baseline leaves out stays out (unless it must go live), and no
    # new go-live in the frozen horizon (unless an organisation has no other window)
    anchors = baseline.anchors()
    frozen = {k for k, slot in enumerate(flat.slots)
              if baseline.freeze_until is not None and slot.date < baseline.freeze_until}
    domain = dict(flat.domain)
    for org_id, allowed in flat.domain.items():
        anchor = anchors.get(org_id)
        if anchor is not None and anchor.date is None and org_id not in flat.mandatory:
            domain[org_id] = []
        elif frozen:
            outside = [k for k in allowed if k not in frozen or k == target.get(org_id)]
            domain[org_id] = outside or allowed
    limited = replace(flat, domain=domain)
    # those whose baseline window their data still allows first, in its order; those it no longer allows
    # (a postponement) after them, so that they take what is left rather than push the others out
    late = len(flat.slots)
    rank = {org_id: float(k if k in flat.domain.get(org_id, ()) else k + late) for org_id, k in target.items()}
    plan = schedule(problem, limited, rank=rank, target=target)
    if plan.stuck:
        return None
    solution = to_solution(flat, plan.chosen, Status.feasible, SolveStats())
    return None if verify(problem, solution) else solution


def _start_result(problem: Problem, rollout: RolloutModel, baseline: Baseline, start: _Start | None,
                  options: SolveOptions, stats: SolveStats) -> tuple[Solution, Replan] | None:
    """A re-plan stopped, or out of time, before a plan of its own, whose baseline the changed data breaks
    (a postponement: `_unchanged` cannot give it): the plan its phases started from (`_replan_phases`: the
    plan around the change or the repaired baseline), its moves and days as the phases count them, not
    proven least. None: no such plan."""
    if start is None:
        return None
    replan = Replan(moved=start.values["moved"], movement=start.values["movement"], proven=False)
    if baseline.freeze_until is not None:
        replan.frozen, replan.released, replan.joined = _frozen_result(problem, baseline, start.plan)
    stats.found_by = start.found_by
    stats.phases.append(f"{'stopped' if requested(options.stop) else 'out of time'} before a plan of its own: "
                        f"{start.what} ({replan.moved} moved)")
    plan = start.plan
    return Solution(status=Status.feasible, objective=plan.objective, plan=plan.plan, load=plan.load,
                    stats=stats), replan


def _phase_result(problem: Problem, baseline: Baseline, replan: Replan, options: SolveOptions,
                  stats: SolveStats) -> tuple[Solution, Replan] | None:
    """The objective phase out of time (or stopped) before a plan of its own, after the re-planning phases
    found theirs: that plan, as it is (its moves and days as the phases fixed them, its objective not
    optimised: status feasible). National scale, a trust postponed, `-t 30`: the phases proved 15 moved and
    the objective phase had no plan when the time ran out; the answer was "no plan". None: no such plan."""
    from .verify import verify

    if replan is None or not replan.phase_plan:
        return None
    flat = flatten(problem)
    solution = phase_solution(problem, flat, replan, stats)
    if verify(problem, solution):
        return None
    stats.found_by = "cp-sat"
    stats.phases.append(f"{'stopped' if requested(options.stop) else 'out of time'} in the objective phase: the "
                        "plan of the re-planning phases, its objective not optimised")
    if baseline.freeze_until is not None:
        replan.frozen, replan.released, replan.joined = _frozen_result(problem, baseline, solution)
    return solution, replan


def _build(problem: Problem, baseline: Baseline | None, stop: StopRequest | None) -> RolloutModel:
    """hpplan's CP-SAT model of the problem: with its objective, or re-planning against a baseline.
    Without a baseline, BuildStopped when `stop` is requested before it is built (the list schedule is
    then the plan); a re-plan has no plan without the model (its first comes from the baseline's hints
    in CP-SAT), so its build runs to the end."""
    return build_model(problem, with_objective=baseline is None, symmetry=True,
                       anchors=baseline.anchors() if baseline is not None else None,
                       stopped=stop.is_set if stop is not None and baseline is None else None)


def _frozen_result(problem: Problem, baseline: Baseline, solution: Solution) -> tuple[int, list[str], list[str]]:
    """How many of the baseline's go-lives in the frozen horizon the plan keeps, which it could not
    keep (the rules, or the organisation's changed data, moved them; or its window moved past the freeze
    date), and which organisations go live there that the baseline did not have there (a window moved
    into the horizon brings its go-lives: new there). By date, as the freeze phase counts them
    (`objective.frozen_horizon`): the horizon is the windows dated before the freeze date."""
    kept, released = 0, []
    anchors = baseline.anchors()
    until = baseline.freeze_until

    def was_there(a: Assignment) -> bool:
        anchor = anchors.get(a.id)
        return anchor is not None and anchor.date is not None and anchor.date < until and anchor.window == a.window

    joined = [a.id for a in solution.plan
              if not a.pinned and a.go_live is not None and problem.planning_date <= a.go_live < until
              and not was_there(a)]
    for org_id, anchor in anchors.items():
        if anchor.date is None or anchor.date >= baseline.freeze_until:
            continue
        org = problem.org.get(org_id)
        if org is not None and org.status is OrgStatus.live:
            continue  # history of the changed data: not the plan's to keep
        entry = solution.assignment(org_id)
        if (org is not None and org.is_plannable and entry is not None and entry.window == anchor.window
                and entry.go_live is not None and entry.go_live < until):
            kept += 1
        else:  # moved, or excluded, removed, or its window now before the planning date
            released.append(org_id)
    return kept, released, joined


def _status(code, rollout: RolloutModel) -> Status:
    status = STATUS.get(code)
    if status is None:  # MODEL_INVALID: a bug in the model builder, not in the data
        raise RuntimeError(f"CP-SAT rejected the model: {rollout.model.validate()}")
    return status


def _stabilise(rollout: RolloutModel, problem: Problem, baseline: Baseline, options: SolveOptions,
               deadline: float, stats: SolveStats, start: Solution | None = None,
               presolve: bool = True, last: str | None = None, step: str | None = None) -> tuple[Replan, Status]:
    """The re-planning phases: keep the frozen horizon, then fewest moved, then least movement, each
    fixed as an upper bound for the phases after it. The model is left without an objective, with
    hints. `start`: a plan to start from (the repaired baseline, `_repaired`), else the baseline where
    the data allows it. `presolve`: CP-SAT's; `last`: the last phase to run (None: all); `step`: where
    the progress display says the phases run (a round of the neighbourhood search); all three for the
    neighbourhood search's small models (`hpplan.neighbourhood`)."""
    model = rollout.model
    variables = rollout.variables
    anchors = baseline.anchors()
    replan = Replan(proven=True)
    if start is not None:
        _hint(rollout, start)
    else:  # start from the baseline where the data allows it
        for org_id, anchor in anchors.items():
            for slot in variables.domain.get(org_id, []):
                model.add_hint(variables.go_live[org_id, slot.id],
                               int(slot.id == anchor.window and anchor.date is not None))
    for phase, name, expr in _stability_phases(variables, problem, baseline):
        if requested(options.stop):  # stopped: the phases left are not run (their values stay None)
            replan.proven = False
            break
        if isinstance(expr, int):  # nothing to choose (no organisation of the baseline is planned)
            replan.phase_values[phase] = expr
            if phase != "frozen":
                setattr(replan, phase, expr)
            continue
        model.minimize(expr)
        solver = solver_for(options, deadline - time.perf_counter())
        solver.parameters.cp_model_presolve = presolve
        code = run_solver(solver, model, options, name, step=step)
        stats.phases.append(name)
        phase_status = _status(code, rollout)
        if phase_status not in (Status.optimal, Status.feasible):
            replan.proven = False
            return replan, phase_status
        value = round(solver.objective_value)
        replan.phase_values[phase] = value
        if phase != "frozen":
            setattr(replan, phase, value)
        replan.proven = replan.proven and phase_status is Status.optimal
        model.add(expr <= value).with_name(f"baseline:{phase}")
        model.clear_hints()
        for var in variables.go_live.values():
            model.add_hint(var, solver.boolean_value(var))
        replan.phase_plan = {org_id: window_id for (org_id, window_id), var in variables.go_live.items()
                             if solver.boolean_value(var)}
        if phase == last:
            break
    model.clear_objective()
    return replan, Status.optimal


class _Values(dict):
    """Go-live variable values by (org, window); `by_index` holds every model variable's value
    (auxiliary ones such as the makespan too) by CP-SAT variable index."""

    def __init__(self, rollout: RolloutModel, solver: cp_model.CpSolver):
        super().__init__()
        self.by_index: list[int] = list(solver.response_proto.solution)
        for key, var in rollout.variables.go_live.items():
            self[key] = bool(self.by_index[var.index])


TUNE_POPULATION = True
SHARE_PLANS = True
WAIT_FOR_LP = True


@dataclass
class _Outcome:
    """The objective phase's result: the best plan's entry (None: no plan), its status, the best bound
    and CP-SAT's values when its plan is the best."""

    best: Entry | None
    status: Status
    bound: int | None
    values: _Values | None = None


def list_schedule(problem: Problem, flat: Flat | None = None, stop: StopRequest | None = None) -> Solution | None:
    """The list scheduler's plan if the verifier accepts it (else None): a multi-pass schedule for a
    makespan (a tighter cut-off; a `stop` requested ends its passes at the best so far), one pass for
    the population objective (0.2 s at national scale). `flat`: the problem's flat form when the caller
    has it (else flattened here)."""
    from .greedy import multi_pass, solve_greedy, to_solution
    from .verify import verify

    flat = flat or flatten(problem)
    if problem.waves.objective.kind == "makespan":
        plan = multi_pass(problem, flat=flat, stopped=stop.is_set if stop is not None else None)
        if plan.stuck:
            return None
        solution = to_solution(flat, {o: plan.chosen.get(o) for o in flat.plannable}, Status.feasible, SolveStats())
    else:
        solution = solve_greedy(problem, flat)
    if not solution.found or verify(problem, solution):
        return None  # a plan that breaks a rule is never used, not even as a cut or hint
    return solution


def cut_at_greedy_makespan(rollout: RolloutModel, problem: Problem, stats: SolveStats,
                           incumbent: Solution | None = None) -> Solution | None:
    """Makespan objective: a (verified) multi-pass list schedule bounds the optimum from above, so
    every plan finishing later can go (presolve then drops most window variables), and it is the
    first hint. Measured on PSPLIB J30 (docs/benchmarks.md): the proven share rises from 3/10 to 8/10.
    Returns the list schedule used (None: none found)."""
    incumbent = incumbent or list_schedule(problem)
    if incumbent is None:
        return None
    rollout.model.add(rollout.terms["makespan"] <= round(incumbent.objective["makespan"])).with_name("makespan:greedy_cut")
    _hint(rollout, incumbent)
    stats.phases.append("greedy cut-off")
    return incumbent


def _hint(rollout: RolloutModel, plan: Solution) -> None:
    """Hint a plan from elsewhere, its interchangeable organisations reordered to keep the symmetry rows."""
    chosen = _canonical(rollout, plan)
    rollout.model.clear_hints()
    for (org_id, window_id), var in rollout.variables.go_live.items():
        rollout.model.add_hint(var, int(chosen.get(org_id) == window_id))


def _objective_phase(problem: Problem, flat: Flat | None, engines: list[str], rollout: RolloutModel | None,
                     options: SolveOptions, deadline: float, stats: SolveStats, replanning: bool,
                     started: float) -> _Outcome:
    """Phase 1: `engines` (`portfolio.engines_for`) race on the objective, with the verified
    list-schedule plan as the first entry (not when re-planning: its phases come first). `rollout`
    (the CP-SAT model) is None when no engine of the race needs it; `flat` is None when re-planning."""
    stats.engine = " + ".join(engines)
    # CP-SAT alone stops at the tolerance itself (relative_gap_limit, below): deterministic under a work
    # limit, where a stop from the race's callback would not be
    race = Race(progress=options.progress, share_plans=SHARE_PLANS and "highs" in engines and "cp-sat" in engines,
                gap=0.0 if engines == ["cp-sat"] else options.gap)
    incumbent = None
    if not replanning:
        incumbent = list_schedule(problem, flat, options.stop)
    if incumbent is not None:
        stats.phases.append("list schedule")
        race.offer(objective=incumbent.objective["total"])
        if problem.waves.objective.kind == "makespan":  # the tie-break on this model profits too
            if rollout is not None:  # None: stopped while it was built
                cut_at_greedy_makespan(rollout, problem, stats, incumbent)
        elif "highs" not in engines and not requested(options.stop):
            # measured (docs/benchmarks.md): the hint gets CP-SAT to its first plan sooner, with less
            # memory, where it has none of its own for long (national); where HiGHS's branch and bound
            # races (regional), a poor hint only holds CP-SAT back
            _hint(rollout, incumbent)
    if incumbent is not None and requested(options.stop):
        # stopped before the race (while CP-SAT's model was built: seconds at national scale): the list
        # schedule is the best plan so far; a CP-SAT run from it would take a second more for nothing
        entries, values = [], None
        stats.phases.append("race skipped: stopped before it began")
    else:
        with watching(options.stop, race.stop):
            entries, values = _race(problem, flat, engines, rollout, options, deadline, stats, race, incumbent)
    stats.phases.append("objective")
    if incumbent is not None:
        entries.append(Entry("greedy", Status.feasible, round(incumbent.objective["total"]), None, incumbent))
    best, status, bound, proved_by = best_of(entries, race)
    if (options.gap > 0 and status is Status.feasible and bound is not None
            and within_gap(best.objective, bound, options.gap)):
        stats.phases.append(f"stopped at the gap tolerance ({100 * options.gap:g} %)")
    stats.found_by = best.engine if best is not None else None
    stats.proved_by = proved_by
    stats.first_plan_time = race.first_plan_at - started if race.first_plan_at is not None else None
    return _Outcome(best, status, bound, values if best is not None and best.engine == "cp-sat" else None)


def _race(problem: Problem, flat: Flat | None, engines: list[str], rollout: RolloutModel | None,
          options: SolveOptions, deadline: float, stats: SolveStats, race: Race,
          incumbent: Solution | None) -> tuple[list[Entry], "_Values | None"]:
    """The racing engines' entries (CP-SAT's in this thread, the others' in threads of their own) and
    CP-SAT's values (None: it has no plan or did not race)."""
    entries: list[Entry] = []
    threads = []
    values = None
    if "highs" in engines or "lp-rounding" in engines:
        from .engines.highs import new_highs

        # the process's first HiGHS prints its banner on fd 1, silenced by pointing fd 1 elsewhere
        # for a moment: here, before the race's threads start (engines.highs.new_highs)
        new_highs(log=options.log)
    for engine in engines:
        if engine in ("highs", "lp-rounding"):
            # a start helps HiGHS on a makespan (it cuts every slot finishing later) and hurts it on the
            # population objective (region seed 1, 10 s: gap 0.55 % without, 0.87 % with)
            makespan = problem.waves.objective.kind == "makespan"
            start = (slot_indices(problem, {a.id: a.window for a in incumbent.plan if not a.pinned})
                     if incumbent is not None and makespan else None)
            threads.append(_Thread(run_mip, engine, problem, race, deadline - time.perf_counter(), options.seed,
                                   start, options.log, WAIT_FOR_LP and "lp-rounding" in engines,
                                   RACE_THREADS if len(engines) == 1 else 1, flat))
        elif engine == "cp-sat-interval":
            threads.append(_Thread(run_interval, engine, problem, race, deadline - time.perf_counter(), options.seed,
                                   options.workers, options.tie_break))
    try:
        if "cp-sat" in engines and rollout is not None:  # None: stopped while its model was built
            # the engines beside CP-SAT have a thread each out of `workers` (at least one left to CP-SAT):
            # HiGHS with a core of its own proves `region` seed 1 at 10 s, beside two CP-SAT workers not
            cp_options = replace(options, workers=max(1, options.workers - len(threads)))
            solver = solver_for(cp_options, deadline - time.perf_counter())
            if TUNE_POPULATION and problem.waves.objective.kind != "makespan" and cp_options.workers == 1:
                # measured on region / regional-300 (docs/benchmarks.md): the full LP relaxation, its rows
                # all in from the start, give a single worker better bounds on the population objective
                solver.parameters.linearization_level = 2
                solver.parameters.add_lp_constraints_lazily = False
            if options.gap > 0:
                solver.parameters.relative_gap_limit = options.gap  # CP-SAT then says OPTIMAL: corrected below
            code = run_solver(solver, rollout.model, options, "objective", race, rollout.variables.go_live)
            cp_status = _status(code, rollout)
            if cp_status is Status.infeasible:
                race.stop()  # decided; a proven optimum decides the race through the offer below
            # else the others go on to the deadline: CP-SAT's interleaved search (2+ workers) can end
            # before its time limit (docs/model.md); stopping there once stopped HiGHS at 5.7 of 10 s
            entry = Entry("cp-sat", cp_status)
            if cp_status in (Status.optimal, Status.feasible):
                entry.objective = round(solver.objective_value)
                entry.bound = math.ceil(solver.best_objective_bound - 1e-6)
                if entry.bound < entry.objective:  # ended at the gap tolerance, not proven
                    entry.status = Status.feasible
                values = _values(rollout, solver)
                race.offer(entry.objective, entry.bound, "cp-sat")
            entries.append(entry)
        elif options.progress is not None:
            options.progress.update(phase="objective")
        entries += [thread.result() for thread in threads]
    except BaseException:  # e.g. Ctrl-C in CP-SAT: stop the other engines too
        race.stop()
        raise
    finally:
        for thread in threads:
            thread.release()
    failed = [thread for thread in threads if thread.error is not None]
    if failed and incumbent is None and not any(e.found or e.status is Status.infeasible for e in entries):
        # no plan and no proof from anyone: not `unknown` (out of time), but the bug it is (exit 70)
        raise RuntimeError(f"the {failed[0].engine} engine failed ({failed[0].error_text}) and no other "
                           "engine answered") from failed[0].error
    for entry in entries:
        if entry.error is not None:
            stats.phases.append(f"{entry.engine} failed: {entry.error}")
            warnings.warn(f"hpplan: the {entry.engine} engine failed ({entry.error}); the race went on without it",
                          RuntimeWarning, stacklevel=2)
    for entry in entries:  # what the other engines did (e.g. "highs: parts: 2 (76, 1973 organisations)")
        if entry.solution is not None:
            stats.phases += [f"{entry.engine}: {note}" for note in entry.solution.stats.phases if note != "objective"]
    return entries, values


class _Thread(threading.Thread):
    """Runs one racing engine; `result()` returns its entry. An engine that fails (a bug, a broken
    install) leaves the race with status unknown and the error noted (`error`); the others go on, and
    where none of them answers (a plan, a proof of infeasibility) `_race` raises it.

    The thread outlives its engine until `release()`: HiGHS shuts down a thread's task scheduler when
    the thread ends, and one HiGHS run ending that way while another runs in a second thread left the
    other hanging past its time limit (highspy 1.16, LP rounding beside HiGHS at national scale)."""

    def __init__(self, target, engine: str, *args):
        super().__init__(daemon=True)
        self._target_call, self._engine, self._args = target, engine, args
        self._result: Entry | None = None
        self.error: Exception | None = None  # the engine's own, with its traceback
        self._done = threading.Event()
        self._release = threading.Event()
        self.start()

    def run(self) -> None:
        try:
            self._result = self._target_call(self._engine, *self._args)
        except Exception as error:  # noqa: BLE001 - reported by the caller, the race goes on
            self.error = error
            self._result = Entry(self._engine, Status.unknown, error=self.error_text)
        finally:
            self._done.set()
            self._release.wait()

    @property
    def engine(self) -> str:
        return self._engine

    @property
    def error_text(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"

    def result(self) -> Entry:
        self._done.wait()
        return self._result

    def release(self) -> None:
        """Let the thread end (once every engine of the race is done)."""
        self._release.set()
        self.join()


def _canonical(rollout: RolloutModel, plan: Solution) -> dict[str, str | None]:
    """A plan's windows (org id -> window id), interchangeable organisations in id order (symmetry rows)."""
    place = {slot.id: k for k, slot in enumerate(rollout.variables.slots)}
    return canonical_plan(rollout.symmetry, {a.id: a.window for a in plan.plan}, place)


def _complete(rollout: RolloutModel, plan: Solution, options: SolveOptions) -> _Values:
    """CP-SAT's values for another engine's plan (every go-live fixed to the plan; the model's
    auxiliary variables follow), for the tie-break to start from."""
    _hint(rollout, plan)
    solver = solver_for(replace(options, workers=1), 60.0)
    solver.parameters.fix_variables_to_their_hinted_value = True
    code = solver.solve(rollout.model)
    rollout.model.clear_hints()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"the CP-SAT model rejects a verified plan (status {solver.status_name(code)}): a model bug")
    return _values(rollout, solver)


def _values(rollout: RolloutModel, solver: cp_model.CpSolver) -> _Values:
    return _Values(rollout, solver)


#: a tie-break step that CP-SAT has not settled in this many seconds goes to HiGHS, with the organisations
#: after it as one lexicographic block (`engines.lexicographic`): CP-SAT settles most steps in hundredths
#: of a second, but `region` seed 1's tie-break took it 163-493 s (five steps of 9-190 s)
TIE_BREAK_CP_SAT_SECONDS = 1.0


def _break_ties(rollout: RolloutModel, problem: Problem, options: SolveOptions, values: "_Values",
                optimum: int, deadline: float, flat: Flat | None = None,
                stats: SolveStats | None = None) -> tuple["_Values", str]:
    """Lexicographic refinement with the objective held at its optimum: each organisation in id order
    is moved as early as the objective and the organisations before it allow, then fixed there.
    With `flat` (`_highs_tie_break` says when), a step CP-SAT does not settle within
    `TIE_BREAK_CP_SAT_SECONDS` is settled by HiGHS for a block of organisations at once; the result
    is the same plan. Returns the values and 'complete', or 'incomplete' when time ran out (the plan
    is still optimal)."""
    model = rollout.model
    model.add(rollout.total <= optimum).with_name("tie_break:objective_at_optimum")
    steps = tie_break_positions(rollout.variables, problem)
    blocks = _HighsBlocks(flat, optimum, options) if flat is not None else None
    state = "complete"
    i = 0
    while i < len(steps):
        _org_id, position, low = steps[i]
        decided = steps[i:i + 1]
        if _evaluate(position, values) > low:
            time_left = 0.0 if requested(options.stop) else deadline - time.perf_counter()
            if time_left <= 0:
                state = "incomplete"
                break
            model.clear_hints()
            for key, var in rollout.variables.go_live.items():
                model.add_hint(var, values[key])
            model.minimize(position)
            escalate = blocks is not None and blocks.usable
            solver = solver_for(options, min(time_left, TIE_BREAK_CP_SAT_SECONDS) if escalate else time_left)
            code = run_solver(solver, model, options, "tie-break", step=f"{i + 1}/{len(steps)}")
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = _values(rollout, solver)
            if code != cp_model.OPTIMAL and escalate:
                settled = blocks.settle(rollout, problem, steps, i, values, deadline)
                if settled is None:  # HiGHS gave no plan to go on from: CP-SAT alone from here
                    continue
                values, proven, decided = settled
                if not proven:
                    state = "incomplete"
                    break
            elif code != cp_model.OPTIMAL:
                state = "incomplete"
                break
        for decided_id, expr, _low in decided:
            place = _evaluate(expr, values)
            model.add(expr == place).with_name(f"tie_break:{decided_id}")
            if blocks is not None:
                blocks.fix(decided_id, place)
        i += len(decided)
    model.clear_objective()
    model.clear_hints()
    note = blocks.note() if blocks is not None else None
    if stats is not None and note is not None:
        stats.phases.append(note)
    return values, state


def _highs_tie_break(options: SolveOptions, flat: Flat | None) -> bool:
    """Whether the tie-break may hand its hard steps to HiGHS (`portfolio.mip_at_optimum_applies`),
    without a baseline (`flat` is None when re-planning; the MIP's objective is then the model's); not
    with `--engine cp-sat` (that engine alone) nor `--work-limit` (a step cut short on the wall clock
    would make a cut-short run depend on the machine)."""
    return (flat is not None and options.engine != "cp-sat" and options.work_limit is None
            and mip_at_optimum_applies(flat))


class _HighsBlocks:
    """The tie-break's escalation to HiGHS (`engines.lexicographic`), its MIP built at the first use."""

    def __init__(self, flat: Flat, optimum: int, options: SolveOptions):
        self.flat, self.optimum, self.options = flat, optimum, options
        self.mip = None
        self.fixed: dict[str, int | None] = {}  # org id -> window index (None: not scheduled)
        self.sizes: list[int] = []  # organisations in each block settled
        self.usable = True  # False once HiGHS gave no plan: CP-SAT alone from then on

    def note(self) -> str | None:
        """What HiGHS did in the tie-break, for the phases (None: nothing)."""
        notes = []
        if self.sizes:
            blocks = f"{len(self.sizes)} block{'s' if len(self.sizes) != 1 else ''}"
            notes.append(f"{blocks} of {min(self.sizes)}-{max(self.sizes)} organisations settled by HiGHS")
        if not self.usable:
            notes.append("HiGHS gave no plan: CP-SAT alone from then on")
        return "tie-break: " + "; ".join(notes) if notes else None

    def fix(self, org_id: str, place: int) -> None:
        """Keep an organisation at its place (future-window index; one past the last: not scheduled)."""
        k = place if place < len(self.flat.slots) else None
        self.fixed[org_id] = k
        if self.mip is not None:
            self.mip.fix(org_id, k)

    def settle(self, rollout: RolloutModel, problem: Problem, all_steps: list, first: int, values: "_Values",
               deadline: float) -> tuple["_Values", bool, list] | None:
        """The lexicographic minimum of the next block of the steps from `all_steps[first]` on, from the
        optimal plan in `values`: (its values, proven, the steps it decided), or None when HiGHS has no
        plan to give."""
        from .engines.lexicographic import MipAtOptimum, block_of

        if self.mip is None:
            self.mip = MipAtOptimum(self.flat, self.optimum, self.options.seed, stop=self.options.stop)
            for org_id, k in self.fixed.items():
                self.mip.fix(org_id, k)
        steps = all_steps[first:]
        block = block_of(self.flat, [org_id for org_id, _, _ in steps])
        if self.options.progress is not None:
            self.options.progress.update(phase="tie-break (HiGHS)",
                                         step=f"{first + 1}-{first + len(block)}/{len(all_steps)}")
        start = slot_indices(problem, {org_id: window_id for (org_id, window_id), live in values.items() if live})
        chosen, proven = self.mip.earliest(block, start, deadline - time.perf_counter())
        if chosen is None:
            self.usable = False
            return None
        self.sizes.append(len(block))
        plan = Solution(status=Status.feasible, plan=plan_entries(
            problem, {org_id: self.flat.slots[k].id for org_id, k in chosen.items() if k is not None}))
        return _complete(rollout, plan, self.options), proven, steps[:len(block)]


def _evaluate(expr, values: "_Values | list[int]") -> int:
    """The value of a linear expression over go-live variables, given their values (`_Values`, or every
    model variable's value by index)."""
    if isinstance(expr, int):
        return expr
    by_index = values.by_index if isinstance(values, _Values) else values
    flat = cp_model_helper.FlatIntExpr(expr)
    return flat.offset + sum(c * by_index[v.index] for v, c in zip(flat.vars, flat.coeffs))


def plan_entries(problem: Problem, chosen: dict[str, str]) -> list[Assignment]:
    """The plan, in data order, from the window each planned organisation goes live in (`chosen`,
    org id -> window id); pinned organisations at their history, the rest unscheduled."""
    plan = []
    for org in problem.organisations:
        if org.live_since is not None:  # status live: pinned history
            window = problem.history_window_of(org)
            go_live, window_id, pinned = org.live_since, window.id if window else None, True
        elif org.id in chosen:
            window_id = chosen[org.id]
            go_live, pinned = problem.window[window_id].date, False
        else:
            go_live, window_id, pinned = None, None, False
        plan.append(Assignment(org.id, org.name, org.kind.value, org.effective_sector.value, go_live, window_id, pinned))
    return plan


def _solution(problem: Problem, rollout: RolloutModel, values, status: Status, stats: SolveStats) -> Solution:
    plan = plan_entries(problem, {org_id: window_id for (org_id, window_id), on in values.items() if on})
    objective = {name: float(_evaluate(term, values)) for name, term in rollout.terms.items()}
    objective["total"] = sum(objective.values())
    return Solution(status=status, objective=objective, plan=plan, load=load_report(problem, plan), stats=stats)


def load_report(problem: Problem, plan: list[Assignment]) -> list[LoadPoint]:
    """Each pool's load and capacity, month by month over the horizon, for a plan."""
    return load_points(problem, load_sums(problem, plan))


def entry_loads(problem: Problem, entry: Assignment):
    """(pool id, month index, load in LOAD_SCALE units) of each month an entry's go-live loads a pool
    (nothing when it is unscheduled)."""
    if entry.go_live is None:
        return
    live = month_index(entry.go_live)
    for pool, profile in problem.loads(problem.org[entry.id]):
        for m in range(live + profile.first_offset, live + profile.last_offset + 1):
            yield pool.id, m, profile.load_at(m - live)


def load_sums(problem: Problem, plan: list[Assignment]) -> dict[tuple[str, int], int]:
    """(pool id, month index) -> the plan's load there in LOAD_SCALE units, every month of the horizon."""
    used = {(pool.id, m): 0 for pool in problem.waves.pools for m in problem.months}
    for entry in plan:
        for pool_id, m, load in entry_loads(problem, entry):
            if (pool_id, m) in used:
                used[pool_id, m] += load
    return used


def load_points(problem: Problem, used: dict[tuple[str, int], int], pools: set[str] | None = None) -> list[LoadPoint]:
    """The load report of `load_sums` (of the pools `pools`, else all)."""
    return [
        LoadPoint(pool.id, month_label(m), used[pool.id, m] / LOAD_SCALE, problem.capacity(pool, m) / LOAD_SCALE)
        for pool in problem.waves.pools if pools is None or pool.id in pools
        for m in problem.months
    ]
