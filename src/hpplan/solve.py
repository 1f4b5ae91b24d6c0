"""Solve a rollout problem with CP-SAT and turn the answer into a `Solution`.

Two phases (docs/model.md "Solving"):
1. minimise the objective (sum of its terms);
2. if phase 1 proved an optimum: keep the objective at that value and break ties
   lexicographically — organisations in id order, each as early as the ones before it allow —
   so that the plan reported is the one optimal plan the data defines, whatever seed or worker
   count found it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model, cp_model_helper

from .model import RolloutModel, build_model
from .model.objective import tie_break_positions
from .problem import LOAD_SCALE, Problem, month_index, month_label
from .solution import Assignment, LoadPoint, Solution, SolveStats, Status

STATUS = {
    cp_model.OPTIMAL: Status.optimal,
    cp_model.FEASIBLE: Status.feasible,
    cp_model.INFEASIBLE: Status.infeasible,
    cp_model.UNKNOWN: Status.unknown,
}


@dataclass
class SolveOptions:
    time_limit: float = 60.0  # seconds of wall time for both phases together
    seed: int = 0
    workers: int = 1
    work_limit: float | None = None  # CP-SAT deterministic time: reproducible even when it runs out
    tie_break: bool = True
    log: bool = False


def solver_for(options: SolveOptions, time_left: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_left, 0.01)
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    if options.workers > 1:
        # CP-SAT's parallel portfolio is not deterministic; interleaved search is (OR-Tools #2159).
        params.interleave_search = True
    if options.work_limit is not None:
        params.max_deterministic_time = options.work_limit
    params.log_search_progress = options.log
    return solver


def solve(problem: Problem, options: SolveOptions | None = None) -> Solution:
    """Find the best plan. Never raises for infeasible data: the status says so."""
    options = options or SolveOptions()
    started = time.perf_counter()
    rollout = build_model(problem)
    build_time = time.perf_counter() - started
    deadline = started + options.time_limit

    solver = solver_for(options, deadline - time.perf_counter())
    code = solver.solve(rollout.model)
    status = STATUS.get(code)
    if status is None:  # MODEL_INVALID: a bug in the model builder, not in the data
        raise RuntimeError(f"CP-SAT rejected the model: {rollout.model.validate()}")

    stats = SolveStats(build_time=build_time, seed=options.seed, workers=options.workers,
                       time_limit=options.time_limit, phases=["objective"])
    if status not in (Status.optimal, Status.feasible):
        stats.wall_time = time.perf_counter() - started
        stats.tie_break = "skipped"
        return Solution(status=status, stats=stats)

    stats.best_bound = solver.best_objective_bound
    objective_value = solver.objective_value
    stats.gap = abs(objective_value - stats.best_bound) / max(1.0, abs(objective_value))
    values = _values(rollout, solver)

    if status is Status.optimal and options.tie_break:
        values, stats.tie_break = _break_ties(rollout, problem, options, values, round(objective_value), deadline)
        stats.phases.append("tie-break")
    else:
        stats.tie_break = "skipped"

    solution = _solution(problem, rollout, values, status, stats)
    stats.wall_time = time.perf_counter() - started
    return solution


class _Values(dict):
    """Go-live variable values by (org, window), with the same values by CP-SAT variable index."""

    def __init__(self, rollout: RolloutModel, solver: cp_model.CpSolver):
        super().__init__()
        self.by_index: dict[int, int] = {}
        for key, var in rollout.variables.go_live.items():
            value = int(solver.boolean_value(var))
            self[key] = bool(value)
            self.by_index[var.index] = value


def _values(rollout: RolloutModel, solver: cp_model.CpSolver) -> _Values:
    return _Values(rollout, solver)


def _break_ties(rollout: RolloutModel, problem: Problem, options: SolveOptions, values: "_Values",
                optimum: int, deadline: float) -> tuple["_Values", str]:
    """Lexicographic refinement with the objective held at its optimum: each organisation in id order
    is moved as early as the objective and the organisations before it allow, then fixed there.
    Returns the values and 'complete', or 'incomplete' when time ran out (the plan is still optimal)."""
    model = rollout.model
    model.add(rollout.total <= optimum).with_name("tie_break:objective_at_optimum")
    state = "complete"
    for org_id, position, low, _high in tie_break_positions(rollout.variables, problem):
        current = _evaluate(position, values)
        if current > low:
            time_left = deadline - time.perf_counter()
            if time_left <= 0:
                state = "incomplete"
                break
            model.clear_hints()
            for key, var in rollout.variables.go_live.items():
                model.add_hint(var, values[key])
            model.minimize(position)
            solver = solver_for(options, time_left)
            code = solver.solve(model)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = _values(rollout, solver)
                current = _evaluate(position, values)
            if code != cp_model.OPTIMAL:
                state = "incomplete"
                break
        model.add(position == current).with_name(f"tie_break:{org_id}")
    model.clear_objective()
    model.clear_hints()
    return values, state


def _evaluate(expr, values: "_Values") -> int:
    """The value of a linear expression over go-live variables, given their values."""
    if isinstance(expr, int):
        return expr
    flat = cp_model_helper.FlatIntExpr(expr)
    return flat.offset + sum(c * values.by_index[v.index] for v, c in zip(flat.vars, flat.coeffs))


def _solution(problem: Problem, rollout: RolloutModel, values, status: Status, stats: SolveStats) -> Solution:
    variables = rollout.variables
    chosen = {org_id: window_id for (org_id, window_id), on in values.items() if on}
    plan = []
    for org in problem.organisations:
        if org.id in variables.fixed:
            window = problem.history_window_of(org)
            go_live, window_id, pinned = org.live_since, window.id if window else None, True
        elif org.id in chosen:
            window_id = chosen[org.id]
            go_live, pinned = problem.window[window_id].date, False
        else:
            go_live, window_id, pinned = None, None, False
        plan.append(Assignment(org.id, org.name, org.kind.value, org.effective_sector.value, go_live, window_id, pinned))
    objective = {name: float(_evaluate(term, values)) for name, term in rollout.terms.items()}
    objective["total"] = sum(objective.values())
    return Solution(status=status, objective=objective, plan=plan, load=load_report(problem, plan), stats=stats)


def load_report(problem: Problem, plan: list[Assignment]) -> list[LoadPoint]:
    """Each pool's load and capacity, month by month over the horizon, for a plan."""
    months = list(problem.months)
    used = {(pool.sector.value, m): 0 for pool in problem.waves.pools for m in months}
    for entry in plan:
        if entry.go_live is None:
            continue
        org = problem.org[entry.id]
        profile = problem.profile(org)
        live = month_index(entry.go_live)
        for m in range(live + profile.first_offset, live + profile.last_offset + 1):
            key = (org.effective_sector.value, m)
            if key in used:
                used[key] += profile.load_at(m - live)
    return [
        LoadPoint(pool.id, month_label(m), used[pool.sector.value, m] / LOAD_SCALE, problem.capacity(pool, m) / LOAD_SCALE)
        for pool in problem.waves.pools
        for m in months
    ]
