"""Phase-2 experiments on hpplan's CP-SAT model WITHOUT editing it (docs/benchmarks.md "Phase 2").

Builds the core model (`hpplan.model.build_model`), then adds one or more candidate improvements on top
of it, solves with the core parameters (`hpplan.solve.solver_for`) plus any overrides, checks the plan
with the verifier and prints one JSON line:

    .venv/bin/python benchmarks/experiments.py DATA_DIR --time-limit 10 --variant hint,symmetry,lp2

Variants (comma-separated, combinable):
  base        nothing added (the core model and parameters)
  hint        the greedy plan (hpplan.greedy) as a complete hint
  symmetry    interchangeable GP offices (same municipality, status, users, profiles, domain, no other
              rule) go live in id order: for consecutive a, b and every window k, b live by k => a live by k
  lp2         linearization_level = 2 (the full LP relaxation of the time-indexed model)
  portfolio   2 workers without interleave_search (CP-SAT's parallel portfolio: not deterministic)
  workers1    one worker (deterministic, no interleaving)
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path


def symmetry_groups(problem, flat) -> list[list[str]]:
    """Interchangeable GP offices: same municipality and everything the rules and objective look at."""
    from hpplan.schema import Kind

    named = set()
    for rule in problem.waves.rules:
        if rule.type == "with_or_before" and rule.each is not None:
            continue
        for attr in ("actors",):
            named.update(getattr(rule, attr, None) or [])
        for attr in ("actor", "target", "first", "then"):
            if getattr(rule, attr, None):
                named.add(getattr(rule, attr))
    for b in problem.waves.blackouts:
        named.update(b.actors or [])
    groups = defaultdict(list)
    for o in problem.plannable:
        if o.kind is not Kind.gp_office or o.id in named:
            continue
        key = (o.municipality, o.is_mandatory, o.users or 0, tuple(o.profile_ids), tuple(flat.domain[o.id]),
               o.population or 0, o.preferred_window, o.track, o.sector)
        groups[key].append(o.id)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def add_symmetry(rollout, problem, flat) -> int:
    v = rollout.variables
    added = 0
    for group in symmetry_groups(problem, flat):
        for a, b in zip(group, group[1:]):
            ks = flat.domain[a]
            for k in ks:
                pos = flat.slots[k].position
                rollout.model.add(v.at_or_before(b, position=pos) <= v.at_or_before(a, position=pos))
                added += 1
            rollout.model.add(v.scheduled(b) <= v.scheduled(a))
    return added


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--time-limit", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variant", default="base")
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
    rollout = build_model(problem)
    flat = flatten(problem)
    info = {}
    if "symmetry" in variants:
        info["symmetry_rows"] = add_symmetry(rollout, problem, flat)
    if "hint" in variants:
        from hpplan.greedy import schedule

        plan = schedule(problem, flat)
        for (org_id, window_id), var in rollout.variables.go_live.items():
            k = plan.chosen.get(org_id)
            rollout.model.add_hint(var, int(k is not None and flat.slots[k].id == window_id))
        info["hint_stuck"] = len(plan.stuck)
    build = time.perf_counter() - started
    solver = solver_for(SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=args.workers),
                        args.time_limit - build)
    p = solver.parameters
    if "lp2" in variants:
        p.linearization_level = 2
    if "portfolio" in variants:
        p.interleave_search = False
    if "workers1" in variants:
        p.num_workers = 1
        p.interleave_search = False

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
    out = {"data": args.data, "variant": args.variant, "status": status, "build": round(build, 2),
           "wall": round(wall, 2), "first": cb.first and round(cb.first, 2)}
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
