"""The benchmark suite: instances x engines, same time limits, one table and one JSON (docs/benchmarks.md).

    python -m hpplan.bench                      # the default suite (about 15 minutes on 2 cores)
    python -m hpplan.bench --quick              # a smoke run (about a minute)
    python -m hpplan.bench --all                # every J30 instance (480) instead of 20
    python -m hpplan.bench --compare benchmarks/results/OLD.json

Instances: the shipped Midt-Norge data; synthetic `region`, `regional-300` and `national`
(`hpplan.generate`, seed 1); PSPLIB J30 instances converted by `hpplan.psplib` (20 by default, spread
over the 48 parameter groups; `--all` for all 480).
Engines: `greedy` (hpplan.greedy), `highs` (the MIP, hpplan.engines.highs), `cp-sat` (hpplan's model:
`hpplan.model.build_model` solved with `hpplan.solve.solver_for`, i.e. phase 1 of `hpplan.solve`, without
the tie-break), `cp-sat-interval` (the interval form, hpplan.engines.interval; `n/a` where it is not
exact), `hpplan` (the product: `hpplan.solve.solve` with engine `auto` as a user runs it, tie-break
included, on `--workers` threads in all: the race gives CP-SAT one fewer when HiGHS races beside it;
its stats say which engine found and which proved the plan) and, on
PSPLIB, `pyjobshop` (PyJobShop's CP-SAT interval model on the original file).
Re-plans (`--replan`, on by default for the synthetic sizes): the list schedule as the adopted plan, the
first trust of the data's first board order postponed six months, re-planned against it as `hpplan solve
--baseline` does: `replan` (around the change first, hpplan.replan) and `replan-whole` (the whole model
alone, as before the re-plan around the change); `replan-cut`: the primary pool cut to 95 % from the first
January after the planning date instead, which the whole model re-plans after a neighbourhood search
(hpplan.neighbourhood); their moves, days and proof in the summary.
Experimental engines for phase 2: `cp-sat-hint` (cp-sat with the greedy plan as a hint) and
`highs-start` (highs with the greedy plan as its starting solution), `cp-sat-chain[+hint][+cumulative]
[+portfolio]` (CP-SAT on the MIP's chain formulation, hpplan.engines.cpsat_flat).

Every run is a subprocess of its own: its peak memory is that process's peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss` at its end: the Python interpreter, the imports, the model
and the solver), and a crash or overrun does not stop the suite. Every plan found is checked by
`hpplan.verify.verify`; the table says how many violations (always 0 unless something is wrong).
Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .progress import RaceHook
from .progress import gap as relative_gap

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PSPLIB = ROOT.parent / "shared" / "benchmarks" / "psplib"
RESULTS = ROOT / "benchmarks" / "results"
ENGINES = ("greedy", "highs", "cp-sat", "cp-sat-interval", "hpplan")
#: a planner's re-plan against the adopted plan (`_replan`): around the change, on the whole model alone, and
#: a capacity cut (the whole model, after the neighbourhood search)
REPLAN_ENGINES = ("replan", "replan-whole", "replan-cut")
#: `replan-cut`'s change: the primary pool's capacity from the first January after the planning date
REPLAN_CUT = "primary=95%"
#: the engines that plan the flat form (`engines.common.Flat`), with the cp-sat-chain ones: "n/a" where it lacks a rule
FLAT_ENGINES = ("greedy", "highs", "highs-start")
EXPERIMENTAL = ("cp-sat-hint", "highs-start", "cp-sat-chain", "cp-sat-chain+hint", "cp-sat-chain+cumulative",
                "cp-sat-chain+hint+cumulative", "cp-sat-chain+portfolio", "cp-sat-chain+hint+portfolio",
                "cp-sat-chain+hint+cumulative+portfolio")


@dataclass
class Case:
    instance: str
    family: str  # real | synthetic | psplib
    data: str  # data folder
    time_limit: float
    engines: list[str]
    sm: str | None = None  # psplib: the original file
    published_lower: int | None = None
    published_upper: int | None = None
    published_note: str = ""


@dataclass
class Run:
    instance: str
    family: str
    engine: str
    time_limit: float
    actors: int | None = None
    windows: int | None = None
    status: str = "error"
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    load_time: float | None = None
    build_time: float | None = None
    solve_time: float | None = None
    wall_time: float | None = None
    first_solution_time: float | None = None
    peak_mb: float | None = None
    violations: int | None = None
    error: str | None = None
    published_lower: int | None = None
    published_upper: int | None = None
    extra: dict = field(default_factory=dict)


# ---- the child: one engine on one instance ------------------------------------------------------


def _cpsat(problem, time_limit: float, seed: int, workers: int, hint: bool):
    """Phase 1 of hpplan.solve (the core model and parameters), with a progress callback."""
    from ortools.sat.python import cp_model

    from .engines.common import flatten, to_solution
    from .model import build_model
    from .solution import SolveStats, Status
    from .solve import SolveOptions, cut_at_greedy_makespan, solver_for

    started = time.perf_counter()
    rollout = build_model(problem)
    if problem.waves.objective.kind == "makespan":
        # what `hpplan solve` does for a makespan: cut at a list schedule's makespan, hint it
        cut_at_greedy_makespan(rollout, problem, SolveStats())
    flat = flatten(problem)
    extra = {}
    if hint and flat.unsupported is None:  # (else the list schedule plans nothing: no hint)
        from .greedy import schedule

        plan = schedule(problem, flat)
        for (org_id, window_id), var in rollout.variables.go_live.items():
            k = plan.chosen.get(org_id)
            rollout.model.add_hint(var, int(k is not None and flat.slots[k].id == window_id))
        extra["hint_complete"] = not plan.stuck
    build_time = time.perf_counter() - started

    class Progress(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.first: float | None = None
            self.trace: list[tuple[float, float, float]] = []

        def on_solution_callback(self):
            now = time.perf_counter() - started
            if self.first is None:
                self.first = now
            self.trace.append((round(now, 3), self.objective_value, self.best_objective_bound))

    solver = solver_for(SolveOptions(time_limit=time_limit, seed=seed, workers=workers), time_limit - build_time)
    progress = Progress()
    code = solver.solve(rollout.model, progress)
    status = {cp_model.OPTIMAL: Status.optimal, cp_model.FEASIBLE: Status.feasible,
              cp_model.INFEASIBLE: Status.infeasible}.get(code, Status.unknown)
    stats = SolveStats(engine="cp-sat", build_time=build_time, seed=seed, workers=workers, time_limit=time_limit,
                       tie_break="skipped", phases=["objective"])
    stats.wall_time = time.perf_counter() - started
    extra.update(first_solution_time=progress.first, trace=progress.trace[-20:])
    if status not in (Status.optimal, Status.feasible):
        from .solution import Solution

        return Solution(status=status, stats=stats), extra
    slot_of = {s.id: k for k, s in enumerate(flat.slots)}
    chosen = {o: None for o in flat.plannable}
    for (org_id, window_id), var in rollout.variables.go_live.items():
        if solver.boolean_value(var):
            chosen[org_id] = slot_of[window_id]
    solution = to_solution(flat, chosen, status, stats)
    stats.best_bound = solver.best_objective_bound
    value = solution.objective["total"]
    stats.gap = abs(value - stats.best_bound) / max(1.0, abs(value))
    extra["cp_sat_objective"] = solver.objective_value
    return solution, extra


def _interval(problem, time_limit: float, seed: int, workers: int):
    """The interval form (hpplan.engines.interval); NotImplementedError (status n/a) where not exact."""
    from .engines.interval import solve_interval, to_solution

    started = time.perf_counter()
    result = solve_interval(problem, time_limit=time_limit, seed=seed, workers=workers)
    solution = to_solution(problem, result)
    solution.stats.wall_time = time.perf_counter() - started
    solution.stats.seed, solution.stats.workers, solution.stats.time_limit = seed, workers, time_limit
    extra = {"found_by": result.found_by, "greedy_makespan": result.greedy_objective}
    return solution, extra


#: relative gaps whose time `hpplan` reaches is recorded (`GapTrace`), as `hpplan solve --gap` would stop
GAP_MARKS = (0.01, 0.005)


class GapTrace(RaceHook):
    """A progress hook (`progress.RaceHook`) that records when the race's best plan is first proven
    within each of `GAP_MARKS` of its best bound (seconds from the start): how long `hpplan solve
    --gap 1` or `--gap 0.5` would take."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.reached: dict[float, float] = {}

    def update(self, *, objective: float | None = None, bound: float | None = None, solution: bool = False,
               phase: str | None = None, step: str | None = None) -> None:
        gap = relative_gap(objective, bound)
        if gap is None:
            return
        for mark in GAP_MARKS:
            if gap <= mark + 1e-12 and mark not in self.reached:
                self.reached[mark] = time.perf_counter() - self.started


def _product(problem, time_limit: float, seed: int, workers: int):
    """`hpplan.solve.solve` as a user calls it (engine "auto"), on as many threads as the other engines
    get: `workers` in all (the race gives CP-SAT those the engines beside it leave)."""
    from .solve import SolveOptions, solve

    trace = GapTrace()
    options = {"time_limit": time_limit, "seed": seed, "workers": workers, "engine": "auto", "progress": trace}
    started = time.perf_counter()
    solution = solve(problem, SolveOptions(**options))
    stats = solution.stats
    if not stats.wall_time:
        stats.wall_time = time.perf_counter() - started
    extra = {"first_solution_time": stats.first_plan_time, "engine": stats.engine, "found_by": stats.found_by,
             "proved_by": stats.proved_by, "phases": list(stats.phases), "tie_break": stats.tie_break,
             "time_to_gap": {f"{100 * mark:g}": round(trace.reached[mark], 2) for mark in GAP_MARKS
                             if mark in trace.reached}}
    return solution, extra


def _replan(problem, time_limit: float, seed: int, workers: int, whole: bool, cut: bool = False):
    """A planner's re-plan (`hpplan solve --baseline`): the list schedule is the adopted plan (the
    baseline), the first trust of the data's first board order (else the most populous organisation
    planned) is postponed to six months after its baseline go-live, and the changed data is re-planned
    against it; `whole`: on the whole model alone (`replan.free_organisations` answers None); `cut`: the
    change is `REPLAN_CUT` from the first January after the planning date instead (a capacity cut, which the
    whole model re-plans after the neighbourhood search). Returns the plan, what the re-plan did, and the
    changed data (the one the plan is verified against)."""
    from . import replan as around
    from .greedy import solve_greedy
    from .scenario import apply_quick
    from .solve import Baseline, SolveOptions, solve_replan

    base = solve_greedy(problem)
    if not base.found:
        raise NotImplementedError("the list schedule has no plan to re-plan against")
    went = {a.id: a.go_live for a in base.plan if a.go_live is not None and not a.pinned}
    orders = [r for r in problem.waves.rules if r.type == "order" and r.actors[0] in went]
    postponed = orders[0].actors[0] if orders else max(went, key=lambda o: (problem.population(problem.org[o]), o))
    day = went[postponed]
    day = day.replace(year=day.year + (day.month + 5) // 12, month=(day.month + 5) % 12 + 1, day=1)
    if cut:
        capacity = f"{REPLAN_CUT}@{problem.planning_date.year + 1}-01"
        changed = apply_quick(problem, capacity=[capacity])
    else:
        changed = apply_quick(problem, postpone=[f"{postponed}={day.isoformat()}"])
    options = SolveOptions(time_limit=time_limit, seed=seed, workers=workers, engine="auto")
    free = around.free_organisations
    if whole:
        around.free_organisations = lambda *args: None
    try:
        solution, replan = solve_replan(changed, options, Baseline(base))
    finally:
        around.free_organisations = free
    stats = solution.stats
    extra = {"postponed": postponed, "to": day.isoformat(), "found_by": stats.found_by, "phases": list(stats.phases),
             "tie_break": stats.tie_break}
    if cut:
        extra = {"capacity": capacity, **{k: v for k, v in extra.items() if k not in ("postponed", "to")}}
    if replan is not None:
        extra.update(moved=replan.moved, days_moved=replan.movement, least_change_proven=replan.proven)
    return solution, extra, changed


def run_child(spec: dict) -> dict:
    """Run one engine on one instance (in this process) and describe the result as a dict."""
    import resource

    run = Run(spec["instance"], spec["family"], spec["engine"], spec["time_limit"],
              published_lower=spec.get("published_lower"), published_upper=spec.get("published_upper"))
    started = time.perf_counter()
    try:
        if spec["engine"] == "pyjobshop":
            from .psplib import solve_pyjobshop

            result = solve_pyjobshop(spec["sm"], spec["time_limit"], workers=spec["workers"], seed=spec["seed"])
            run.status, run.objective, run.bound = result.status, result.objective, result.bound
            run.solve_time = run.wall_time = result.time
            if result.objective is not None and result.bound is not None:
                run.gap = abs(result.objective - result.bound) / max(1.0, abs(result.objective))
        else:
            from .loader import load_problem
            from .verify import verify

            problem = load_problem(spec["data"])
            run.load_time = time.perf_counter() - started
            run.actors = len(problem.organisations)
            run.windows = len(problem.future_windows)
            engine = spec["engine"]
            if engine in FLAT_ENGINES or engine.startswith("cp-sat-chain"):
                from .engines.common import flatten, require_exact

                require_exact(flatten(problem), engine)  # (NotImplementedError: "n/a", as the interval form)
            if engine == "greedy":
                from .greedy import solve_greedy

                solution, extra = solve_greedy(problem), {}
            elif engine == "highs":
                from .engines.highs import HighsOptions, solve_highs

                # baseline (b): the plain MIP, without hpplan's symmetry rows and window program (the
                # race's HiGHS has them)
                solution = solve_highs(problem, HighsOptions(time_limit=spec["time_limit"], seed=spec["seed"],
                                                             symmetry=False, window_program=False))
                extra = {}
            elif engine == "highs-start":
                from .engines.highs import HighsOptions, solve_highs
                from .greedy import schedule

                start = schedule(problem).chosen
                solution = solve_highs(problem, HighsOptions(time_limit=spec["time_limit"], seed=spec["seed"], start=start))
                extra = {}
            elif engine.startswith("cp-sat-chain"):
                from .engines.cpsat_flat import FlatOptions, solve_cpsat_flat

                parts = set(engine.split("+")[1:])
                solution, extra = solve_cpsat_flat(problem, FlatOptions(
                    time_limit=spec["time_limit"], seed=spec["seed"], workers=spec["workers"],
                    interleave="portfolio" not in parts, hint="hint" in parts, cumulative="cumulative" in parts))
            elif engine == "cp-sat-interval":
                solution, extra = _interval(problem, spec["time_limit"], spec["seed"], spec["workers"])
            elif engine == "hpplan":
                solution, extra = _product(problem, spec["time_limit"], spec["seed"], spec["workers"])
            elif engine in REPLAN_ENGINES:
                solution, extra, problem = _replan(problem, spec["time_limit"], spec["seed"], spec["workers"],
                                                   whole=engine == "replan-whole", cut=engine == "replan-cut")
            elif engine in ("cp-sat", "cp-sat-hint"):
                solution, extra = _cpsat(problem, spec["time_limit"], spec["seed"], spec["workers"], engine == "cp-sat-hint")
            else:
                raise ValueError(f"unknown engine {engine}")
            stats = solution.stats
            run.status = solution.status.value
            run.build_time = stats.build_time
            run.wall_time = stats.wall_time
            run.solve_time = max(0.0, stats.wall_time - stats.build_time)
            run.extra = {k: v for k, v in extra.items() if k != "first_solution_time"}
            run.first_solution_time = extra.get("first_solution_time")
            if engine == "greedy" and solution.found:
                run.first_solution_time = stats.wall_time
            if solution.found:
                run.objective = solution.objective.get("total")
                run.bound = stats.best_bound
                run.gap = stats.gap
                run.violations = len(verify(problem, solution))
    except NotImplementedError as exc:
        run.status, run.error = "n/a", str(exc)
    except Exception as exc:  # a benchmark records the failure and goes on
        run.status, run.error = "error", f"{type(exc).__name__}: {exc}"
    run.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return asdict(run)


# ---- the parent: cases, subprocesses, table, JSON -----------------------------------------------


def _psplib_cases(args, work: Path) -> list[Case]:
    from .psplib import instance_files, parse_sm, read_bounds, write_hpplan

    folder = Path(args.psplib) / args.psplib_set
    if not folder.is_dir():
        print(f"bench: no PSPLIB folder {folder}; skipping PSPLIB (give --psplib DIR)", file=sys.stderr)
        return []
    files = instance_files(folder)
    count = len(files) if args.all else min(args.psplib_count, len(files))
    if count < len(files):
        step = len(files) / count
        files = [files[int(i * step)] for i in range(count)]
    bounds = read_bounds(Path(args.psplib) / "makespans")
    cases = []
    for path in files:
        inst = parse_sm(path)
        out = write_hpplan(inst, work / "psplib" / inst.name)
        b = bounds.get(inst.name)
        cases.append(Case(inst.name, "psplib", str(out), args.psplib_time_limit or args.time_limit or 10.0,
                          [e for e in args.engines if e != "pyjobshop"] + ["pyjobshop"], str(path),
                          b.lower if b else None, b.upper if b else None, b.source if b else ""))
    return cases


def _not_psplib(engines: list[str]) -> list[str]:
    return [e for e in engines if e != "pyjobshop"]  # PyJobShop reads PSPLIB files only


def make_cases(args) -> list[Case]:
    from .generate import write_instance

    work = Path(args.work)
    cases: list[Case] = []
    limit = lambda default: args.time_limit or default  # noqa: E731
    if not args.no_real:
        cases.append(Case("midt-norge", "real", str(ROOT / "data"), limit(10.0), _not_psplib(args.engines)))
    sizes = args.sizes.split(",") if args.sizes else []
    for size in sizes:
        folder = work / f"{size}-seed{args.seed_instances}"
        write_instance(folder, size, args.seed_instances)
        default = 60.0 if size == "national" else 10.0
        cases.append(Case(f"{size} (seed {args.seed_instances})", "synthetic", str(folder), limit(default),
                          _not_psplib(args.engines)))
        if args.replan:
            cases.append(Case(f"{size} (seed {args.seed_instances}) re-plan", "replan", str(folder), limit(default),
                              list(REPLAN_ENGINES)))
    if args.psplib_count or args.all:
        cases += _psplib_cases(args, work)
    return cases


def run_case(case: Case, engine: str, args) -> dict:
    spec = {"instance": case.instance, "family": case.family, "data": case.data, "engine": engine,
            "time_limit": case.time_limit, "seed": args.seed, "workers": args.workers, "sm": case.sm,
            "published_lower": case.published_lower, "published_upper": case.published_upper}
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, "-m", "hpplan.bench", "--child", json.dumps(spec), "--child-out", out]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=case.time_limit * 3 + 120)
        text = Path(out).read_text() if Path(out).stat().st_size else ""
        if text:
            return json.loads(text)
        result = asdict(Run(case.instance, case.family, engine, case.time_limit))
        result["error"] = f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        return result
    except subprocess.TimeoutExpired:
        result = asdict(Run(case.instance, case.family, engine, case.time_limit))
        result["status"], result["error"] = "timeout", "killed after 3x the time limit + 120 s"
        return result
    finally:
        Path(out).unlink(missing_ok=True)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("ortools", "highspy", "pyjobshop", "hpplan"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def _git() -> dict:
    """The commit measured, and whether the work tree had changes (results then describe those too)."""
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(status) if status is not None else None}


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(runs: list[dict], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 190)
    table = Table(title="hpplan benchmark", show_lines=False)
    for name, justify in (("instance", "left"), ("engine", "left"), ("actors", "right"), ("windows", "right"),
                          ("build s", "right"), ("solve s", "right"), ("first s", "right"), ("status", "left"),
                          ("objective", "right"), ("best bound", "right"), ("gap %", "right"), ("peak MB", "right"),
                          ("viol.", "right"), ("published", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    for r in runs:
        published = "-"
        if r.get("published_upper") is not None:
            lo, up = r.get("published_lower"), r["published_upper"]
            published = f"{up}" if lo == up else f"{lo}..{up}"
        table.add_row(r["instance"], r["engine"], _fmt(r.get("actors")), _fmt(r.get("windows")),
                      _fmt(r.get("build_time")), _fmt(r.get("solve_time")), _fmt(r.get("first_solution_time")),
                      r["status"],
                      _fmt(r.get("objective")), _fmt(r.get("bound")),
                      _fmt(100 * r["gap"], 3) if r.get("gap") is not None else "-", _fmt(r.get("peak_mb"), 0),
                      _fmt(r.get("violations")), published)
    console.print(table)
    for r in runs:
        if r.get("error"):
            console.print(f"{r['instance']} / {r['engine']}: {r['status']}: {r['error']}")


def summary(runs: list[dict]) -> list[str]:
    """The targets the suite measures, in words (docs/benchmarks.md)."""
    lines = []
    by_instance: dict[str, dict[str, dict]] = {}
    for r in runs:
        if r["family"] != "replan":  # (a re-plan has no greedy or highs run beside it: its own lines below)
            by_instance.setdefault(r["instance"], {})[r["engine"]] = r
    ahead, behind = 0, []
    # the product (`hpplan solve`) when the run has it, else hpplan's CP-SAT model alone
    lead = "hpplan" if any(r["engine"] == "hpplan" for r in runs) else "cp-sat"
    for name, engines in by_instance.items():
        cp = engines.get(lead)
        if cp is None or cp.get("objective") is None:
            if cp is not None:
                behind.append(f"{name} ({lead}: {cp['status']})")
            continue
        others = [engines[e]["objective"] for e in ("greedy", "highs") if e in engines and engines[e].get("objective") is not None]
        if all(cp["objective"] <= o + 1e-6 for o in others):
            ahead += 1
        else:
            behind.append(name)
    lines.append(f"{lead} at least as good as greedy and highs: {ahead} of {len(by_instance)} instances"
                 + (f"; not on: {', '.join(behind[:12])}{' ...' if len(behind) > 12 else ''}" if behind else ""))
    ps = [r for r in runs if r["family"] == "psplib"]
    if ps:
        for engine in sorted({r["engine"] for r in ps}):
            mine = [r for r in ps if r["engine"] == engine]
            at = sum(1 for r in mine if r.get("objective") is not None and r.get("published_upper") is not None
                     and r.get("published_lower") == r["published_upper"] and round(r["objective"]) == r["published_upper"])
            proven = sum(1 for r in mine if r["status"] == "optimal")
            within = sum(1 for r in mine if r.get("wall_time") is not None and r["wall_time"] <= r["time_limit"] + 1
                         and r["status"] == "optimal")
            lines.append(f"PSPLIB {engine}: {at}/{len(mine)} at the published optimum, {proven} proven optimal"
                         f" ({within} within the time limit)")
    for engine in ("hpplan", "cp-sat-interval"):
        mine = [r for r in runs if r["engine"] == engine and r.get("objective") is not None]
        if not mine:
            continue
        for key in ("found_by", "proved_by"):
            counts: dict[str, int] = {}
            for r in mine:
                who = (r.get("extra") or {}).get(key)
                if who is not None or key == "found_by":
                    counts[str(who)] = counts.get(str(who), 0) + 1
            if counts:
                lines.append(f"{engine} {key.replace('_', ' ')}: "
                             + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    traced = [r for r in runs if r["engine"] == "hpplan" and r["family"] != "psplib" and r.get("objective") is not None]
    if traced:
        marks = " / ".join(f"{100 * m:g} %" for m in GAP_MARKS)
        times = []
        for r in traced:
            reached = (r.get("extra") or {}).get("time_to_gap") or {}
            times.append(f"{r['instance']} " + " / ".join(
                _fmt(reached.get(f"{100 * m:g}"), 1) if f"{100 * m:g}" in reached else "-" for m in GAP_MARKS) + " s")
        lines.append(f"hpplan: seconds to a plan proven within {marks} of the bound (- not in the time limit): "
                     + ", ".join(times))
    for r in runs:
        if r["engine"] not in REPLAN_ENGINES or r.get("objective") is None:
            continue
        x = r.get("extra") or {}
        how = {"replan": "around the change first", "replan-whole": "the whole model alone",
               "replan-cut": "the whole model, after a neighbourhood search"}[r["engine"]]
        change = (f"capacity {x.get('capacity')}" if "capacity" in x
                  else f"{x.get('postponed')} postponed to {x.get('to')}")
        lines.append(f"re-plan {r['instance'].removesuffix(' re-plan')}, {change} ({how}): {x.get('moved')} moved, {x.get('days_moved')} days, least change "
                     f"{'proven' if x.get('least_change_proven') else 'not proven'}, {r['status']}, "
                     f"{_fmt(r.get('wall_time'), 1)} s")
    na = [r for r in runs if r["engine"] == "cp-sat-interval" and r["status"] == "n/a"]
    if na:
        lines.append(f"cp-sat-interval not exact (n/a) on: {', '.join(r['instance'] for r in na)}")
    return lines


def compare(runs: list[dict], old_path: Path, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 190)
    old = {(r["instance"], r["engine"]): r for r in json.loads(Path(old_path).read_text())["runs"]}
    table = Table(title=f"compared with {old_path}")
    for name in ("instance", "engine", "status", "objective", "Δ objective", "solve s", "Δ solve s", "gap %", "Δ gap pp"):
        table.add_column(name, justify="left" if name in ("instance", "engine", "status") else "right", no_wrap=True)
    for r in runs:
        o = old.get((r["instance"], r["engine"]))
        if o is None:
            continue

        def delta(key, scale=1.0, digits=2):
            if r.get(key) is None or o.get(key) is None:
                return "-"
            d = (r[key] - o[key]) * scale
            return f"{d:+,.{digits}f}"

        table.add_row(r["instance"], r["engine"], f"{o['status']} → {r['status']}", _fmt(r.get("objective")),
                      delta("objective", digits=0), _fmt(r.get("solve_time")), delta("solve_time"),
                      _fmt(100 * r["gap"], 3) if r.get("gap") is not None else "-", delta("gap", 100, 3))
    console.print(table)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m hpplan.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: shipped data, region, 4 PSPLIB, short limits")
    ap.add_argument("--all", action="store_true", help="every instance of the PSPLIB set (480 for J30)")
    ap.add_argument("--sizes", default="region,regional-300,national", help="synthetic sizes (comma-separated; '' for none)")
    ap.add_argument("--seed-instances", type=int, default=1, help="generator seed of the synthetic instances")
    ap.add_argument("--no-real", action="store_true", help="leave out the shipped data")
    ap.add_argument("--replan", action=argparse.BooleanOptionalAction, default=True,
                    help="a re-plan of each synthetic size: its first trust postponed (default: on)")
    ap.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated: {', '.join(ENGINES + EXPERIMENTAL)}"
                    " (pyjobshop runs on PSPLIB instances whatever the list)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per run for every instance (default: 10; national 60)")
    ap.add_argument("--psplib", default=str(DEFAULT_PSPLIB), help="the PSPLIB folder (j30/, makespans/)")
    ap.add_argument("--psplib-set", default="j30", help="j30, j60 or j120")
    ap.add_argument("--psplib-count", type=int, default=20, help="PSPLIB instances, spread over the set (0: none)")
    ap.add_argument("--psplib-time-limit", type=float, default=None, help="seconds per PSPLIB run (default: 10)")
    ap.add_argument("--seed", type=int, default=0, help="solver seed")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers (the machine has 2 cores)")
    ap.add_argument("--out", default=None, help="results JSON (default: benchmarks/results/<timestamp>.json)")
    ap.add_argument("--compare", default=None, help="an earlier results JSON to show deltas against")
    ap.add_argument("--work", default=str(RESULTS / "instances"), help="where generated and converted instances go")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in args.engines if e not in ENGINES + EXPERIMENTAL + ("pyjobshop",)]
    if unknown:
        ap.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES + EXPERIMENTAL)}")
    from .solve import TIME_LIMIT_MIN

    for name in ("time_limit", "psplib_time_limit"):  # SolveOptions' range: refused here, not mid-run
        value = getattr(args, name)
        if value is not None and not value >= TIME_LIMIT_MIN:
            ap.error(f"--{name.replace('_', '-')} is seconds per run, at least {TIME_LIMIT_MIN:g}; got {value:g}")
    if args.quick:
        args.sizes = args.sizes if args.sizes != "region,regional-300,national" else "region"
        args.psplib_count = min(args.psplib_count, 4)
        args.time_limit = args.time_limit or 5.0
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child is not None:
        result = run_child(json.loads(args.child))
        Path(args.child_out).write_text(json.dumps(result))
        return 0
    if args.compare and not Path(args.compare).exists():
        print(f"error: {args.compare}: no such results file", file=sys.stderr)
        return 2
    started = dt.datetime.now()
    cases = make_cases(args)
    runs = []
    for case in cases:
        for engine in case.engines:
            print(f"[{time.strftime('%H:%M:%S')}] {case.instance} / {engine} (limit {case.time_limit:g} s) ...",
                  end="", flush=True, file=sys.stderr)
            result = run_case(case, engine, args)
            runs.append(result)
            print(f" {result['status']} {_fmt(result.get('objective'))} in {_fmt(result.get('wall_time'))} s",
                  file=sys.stderr)
    print_table(runs)
    for line in summary(runs):
        print(line)
    out = Path(args.out) if args.out else RESULTS / f"{started:%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"started": started.isoformat(timespec="seconds"), "cores": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.machine(), "versions": _versions(), "git": _git(),
            "args": {k: v for k, v in vars(args).items() if not k.startswith("child")}}
    out.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    print(f"results: {out}")
    if args.compare:
        compare(runs, Path(args.compare))
    return 0


if __name__ == "__main__":
    sys.exit(main())
