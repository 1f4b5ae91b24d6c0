"""Phase-2 prototype: CP-SAT on the MIP's formulation (engines.highs.MipModel), for measurements.

The core model (hpplan.model) writes every cumulative rule as sums over window prefixes: a precedence
between two organisations with W windows each costs O(W^2) terms, a with_or_before O(W^2) as well. The
MIP defines each organisation's cumulative "live by its L-th window" once, as a chain of 0/1 variables
c[a,L] = c[a,L-1] + x[a,L-1], and writes every rule on those: O(W) terms. This engine hands exactly that
formulation to CP-SAT (same solver parameters as `hpplan.solve`) so that docs/benchmarks.md can say
what the chain formulation buys before anyone changes the core model. Optional extras:
- `hint`: the greedy plan (hpplan.greedy) as a complete hint (with a makespan objective also as a
  cut-off: no slot completing after the greedy makespan, `MipModel.cut_off`);
- `cumulative`: a redundant `add_cumulative` per pool for profiles that are constant over their
  months (PSPLIB activities): an interval of fixed size from (go-live month - len(before)) whose start
  is channelled to the x variables, so CP-SAT's scheduling propagators and cuts see the resource.
Not a supported engine: `hpplan solve` does not use it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..problem import Problem
from ..stopping import cp_solver
from ..solution import Solution, SolveStats, Status
from .common import flatten, to_solution
from .highs import MipModel


@dataclass
class FlatOptions:
    time_limit: float = 60.0
    seed: int = 0
    workers: int = 2
    interleave: bool = True  # as hpplan.solve: deterministic with several workers
    hint: bool = False
    cumulative: bool = False
    log: bool = False


def _int(value: float) -> int:
    r = round(value)
    if abs(r - value) > 1e-9:
        raise ValueError(f"non-integer coefficient {value}")
    return int(r)


def solve_cpsat_flat(problem: Problem, options: FlatOptions | None = None) -> tuple[Solution, dict]:
    options = options or FlatOptions()
    started = time.perf_counter()
    flat = flatten(problem)
    mip = MipModel(flat)
    stats = SolveStats(engine="cp-sat-chain", seed=options.seed, workers=options.workers,
                       time_limit=options.time_limit, tie_break="skipped", phases=["objective"])
    extra: dict = {"size": mip.size}
    if mip.infeasible:
        stats.build_time = stats.wall_time = time.perf_counter() - started
        return Solution(status=Status.infeasible, stats=stats), extra
    plan = None
    if options.hint:
        from ..greedy import schedule

        plan = schedule(problem, flat)
        if not plan.stuck:
            extra["cutoff"] = mip.cut_off(plan.chosen)
    model = cp_model.CpModel()
    cols = [model.new_int_var(_int(lo) if lo > -1e18 else -(2**40), _int(up) if up < 1e18 else 2**40, f"c{i}")
            for i, (lo, up) in enumerate(zip(mip.col_lower, mip.col_upper))]
    rows = mip.rows
    starts = rows.starts + [len(rows.index)]
    for r in range(len(rows.lower)):
        terms = [(cols[rows.index[j]], _int(rows.value[j])) for j in range(starts[r], starts[r + 1])]
        expr = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
        lo, up = rows.lower[r], rows.upper[r]
        if lo == up:
            model.add(expr == _int(lo))
        else:
            if lo > -1e18:
                model.add(expr >= _int(lo))
            if up < 1e18:
                model.add(expr <= _int(up))
    costs = [(v, _int(c)) for v, c in zip(cols, mip.cost) if c]
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in costs], [c for _, c in costs]) + _int(mip.offset))
    if options.cumulative:
        extra["cumulative_intervals"] = _add_cumulative(model, flat, mip, cols)
    if plan is not None:
        for (org_id, k), col in mip.x.items():
            model.add_hint(cols[col], int(plan.chosen.get(org_id) == k))
        for org_id, chain in mip._chain.items():
            live = 0
            for i, k in enumerate(flat.domain[org_id]):
                live = live or int(plan.chosen.get(org_id) == k)
                model.add_hint(cols[chain[i]], live)
        if getattr(mip, "z", None) is not None:
            model.add_hint(cols[mip.z], int(mip.col_upper[mip.z]))
    stats.build_time = time.perf_counter() - started
    solver = cp_solver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, options.time_limit - stats.build_time)
    p.random_seed = options.seed
    p.num_workers = options.workers
    p.interleave_search = options.interleave and options.workers > 1
    p.log_search_progress = options.log
    first: list[float] = []

    class First(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            if not first:
                first.append(time.perf_counter() - started)

    code = solver.solve(model, First())
    stats.wall_time = time.perf_counter() - started
    extra["first_solution_time"] = first[0] if first else None
    status = {cp_model.OPTIMAL: Status.optimal, cp_model.FEASIBLE: Status.feasible,
              cp_model.INFEASIBLE: Status.infeasible}.get(code, Status.unknown)
    if status not in (Status.optimal, Status.feasible):
        return Solution(status=status, stats=stats), extra
    chosen: dict[str, int | None] = {o: None for o in flat.plannable}
    for (org_id, k), col in mip.x.items():
        if solver.value(cols[col]):
            chosen[org_id] = k
    solution = to_solution(flat, chosen, status, stats)
    stats.best_bound = solver.best_objective_bound
    value = solution.objective["total"]
    stats.gap = abs(value - stats.best_bound) / max(1.0, abs(value))
    return solution, extra


def _add_cumulative(model: cp_model.CpModel, flat, mip: MipModel, cols) -> int:
    """Redundant cumulative per pool for organisations whose profile on that pool is one constant value
    over `before` and has no hypercare (PSPLIB's activities), when the pool's capacity is constant and
    nothing pinned loads it."""
    count = 0
    for pool in flat.pools:
        if len(set(flat.capacity[pool])) != 1 or any(flat.pinned_load[pool]):
            continue
        intervals, demands = [], []
        for org_id, ks in flat.domain.items():
            if org_id not in flat.mandatory or not ks:
                continue
            for load in flat.loads.get(org_id, ()):
                if load.pool != pool or load.profile.after or not load.profile.before:
                    continue
                values = set(load.profile.before)
                if len(values) != 1 or 0 in values:
                    continue
                d = len(load.profile.before)
                months = [flat.slots[k].month - flat.start_month for k in ks]
                start = model.new_int_var(min(months) - d, max(months) - d, f"start[{org_id},{pool}]")
                model.add(start == sum((m - d) * cols[mip.x[org_id, k]] for m, k in zip(months, ks)))
                intervals.append(model.new_fixed_size_interval_var(start, d, f"busy[{org_id},{pool}]"))
                demands.append(values.pop())
                count += 1
        if intervals:
            model.add_cumulative(intervals, demands, flat.capacity[pool][0])
    return count
