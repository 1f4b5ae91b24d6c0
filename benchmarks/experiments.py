"""Phase-2 experiments on hpplan's CP-SAT model WITHOUT editing it (docs/benchmarks.md "Phase 2").

Builds the core model (`hpplan.model.build_model`), then adds one or more candidate improvements on top
of it, solves with the core parameters (`hpplan.solve.solver_for`) plus any overrides, checks the plan
with the verifier and prints one JSON line:

    .venv/bin/python benchmarks/experiments.py DATA_DIR --time-limit 10 --variant hint,symmetry,lp2

Variants (comma-separated, combinable):
  base        nothing added (the core model and parameters; no symmetry rows)
  symmetry    the core model's symmetry rows (build_model(..., symmetry=True), hpplan.model.symmetry):
              interchangeable organisations go live in id order
  agg         symmetry rows plus, per interchangeable group and window, a redundant count variable
              n[g,k] = sum of the members' x[a,k] (0..|g|), channelled; measured as a cheap stand-in
              for the aggregated model (see docs/model.md "Symmetry breaking")
  hint        the greedy plan (hpplan.greedy) as a complete hint (reordered within the groups when
              the symmetry rows are on, so that the hint keeps them)
  lp2         linearization_level = 2 (the full LP relaxation of the time-indexed model)
  portfolio   2 workers without interleave_search (CP-SAT's parallel portfolio: not deterministic)
  workers1    one worker (deterministic, no interleaving)
  p:NAME=VAL  any CP-SAT parameter, e.g. p:symmetry_level=4, p:optimize_with_lb_tree_search=true,
              p:use_objective_lb_search=true, p:add_lp_constraints_lazily=false
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def add_counts(rollout) -> int:
    """Per interchangeable group and window: an integer n = sum of the members' go-live variables."""
    v = rollout.variables
    added = 0
    for group in rollout.symmetry:
        for slot in v.domain[group[0]]:
            n = rollout.model.new_int_var(0, len(group), f"count[{group[0]},{slot.id}]")
            rollout.model.add(n == sum(v.go_live[a, slot.id] for a in group))
            added += 1
    return added


def set_parameter(params, name: str, value: str) -> None:
    """params.name = value, converted to the parameter's type (bool, int, float or enum member name)."""
    current = getattr(params, name)
    if isinstance(current, bool):
        setattr(params, name, value.lower() in ("1", "true", "yes"))
    elif isinstance(current, int) and type(current) is int:
        setattr(params, name, int(value))
    elif isinstance(current, float):
        setattr(params, name, float(value))
    else:  # an enum
        setattr(params, name, getattr(type(current), value))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variant", default="base")
    ap.add_argument("--work-limit", type=float, default=None,
                    help="CP-SAT deterministic time (max_deterministic_time): reproducible whatever else runs")
    args = ap.parse_args()
    variants = set(args.variant.split(","))

    from ortools.sat.python import cp_model

    from hpplan import load_problem, verify
    from hpplan.engines.common import flatten, to_solution
    from hpplan.model import build_model
    from hpplan.solution import SolveStats, Status
    from hpplan.solve import SolveOptions, solver_for

    problem = load_problem(args.data)
    started = time.perf_counter()
    symmetry = bool(variants & {"symmetry", "agg"})
    rows_before = len(build_model(problem).model.proto.constraints) if symmetry else 0
    rollout = build_model(problem, symmetry=symmetry)
    flat = flatten(problem)
    info = {}
    if symmetry:
        info["symmetry_groups"] = len(rollout.symmetry)
        info["symmetry_members"] = sum(len(g) for g in rollout.symmetry)
        info["symmetry_rows"] = len(rollout.model.proto.constraints) - rows_before
    if "agg" in variants:
        info["count_vars"] = add_counts(rollout)
    if "hint" in variants:
        from hpplan.greedy import schedule
        from hpplan.model.symmetry import canonical_plan

        plan = schedule(problem, flat)
        chosen = {o: (flat.slots[k].id if k is not None else None) for o, k in plan.chosen.items()}
        chosen = canonical_plan(rollout.symmetry, chosen, {s.id: k for k, s in enumerate(flat.slots)})
        for (org_id, window_id), var in rollout.variables.go_live.items():
            rollout.model.add_hint(var, int(chosen.get(org_id) == window_id))
        info["hint_stuck"] = len(plan.stuck)
    build = time.perf_counter() - started
    solver = solver_for(SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=args.workers,
                                     work_limit=args.work_limit),
                        args.time_limit - build)
    p = solver.parameters
    if "lp2" in variants:
        p.linearization_level = 2
    if "portfolio" in variants:
        p.interleave_search = False
    if "workers1" in variants:
        p.num_workers = 1
        p.interleave_search = False
    for variant in variants:
        if variant.startswith("p:"):
            name, value = variant[2:].split("=", 1)
            set_parameter(p, name, value)

    class CB(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.first = None
            self.trace = []

        def on_solution_callback(self):
            t = time.perf_counter() - started
            self.first = self.first if self.first is not None else t
            self.trace.append((round(t, 2), self.objective_value))

    cb = CB()
    code = solver.solve(rollout.model, cb)
    wall = time.perf_counter() - started
    status = solver.status_name(code)
    out = {"data": args.data, "variant": args.variant, "workers": args.workers, "seed": args.seed,
           "work_limit": args.work_limit, "status": status, "build": round(build, 2), "wall": round(wall, 2),
           "deterministic_time": round(solver.response_proto.deterministic_time, 2),
           "first": cb.first and round(cb.first, 2)}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj, bound = solver.objective_value, solver.best_objective_bound
        out.update(objective=obj, bound=bound, gap=round(abs(obj - bound) / max(1, abs(obj)) * 100, 3))
        slot_of = {s.id: k for k, s in enumerate(flat.slots)}
        chosen = {o: None for o in flat.plannable}
        for (org_id, window_id), var in rollout.variables.go_live.items():
            if solver.boolean_value(var):
                chosen[org_id] = slot_of[window_id]
        sol = to_solution(flat, chosen, Status.feasible, SolveStats())
        out["violations"] = len(verify(problem, sol))
        out["trace"] = cb.trace[:3] + cb.trace[-3:]
    out.update(info)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
