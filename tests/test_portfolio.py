"""The objective phase as a race of engines (hpplan.portfolio, `solve --engine`): the same plan from
every engine, the engine that found and the one that proved it, and the rules for who races."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli, portfolio
from hpplan.loader import load_problem
from hpplan.portfolio import Entry, Race, best_of, engines_for
from hpplan.solution import Solution, SolveStats, Status
from hpplan.solve import SolveOptions, solve

from helpers import build, org, solved, windows_of

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
MUNI_PROFILE = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
PRIMARY_5 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
]


def capacity_bound():
    """Three municipalities, room for one a window: the largest first, then by population."""
    return build([org("m1", population=5), org("m2", population=30), org("m3", population=10)],
                 profiles=MUNI_PROFILE, pools=PRIMARY_5)


# ---- the race ------------------------------------------------------------------------------------


def test_the_race_keeps_the_best_objective_and_bound_and_stops_when_they_meet():
    stopped = []
    race = Race()
    race.on_stop(lambda: stopped.append("cp-sat"))
    race.offer(objective=120.0)
    race.offer(objective=130.0)  # worse: ignored
    race.offer(bound=99.2)  # objective coefficients are integers: a bound counts rounded up
    assert (race.objective, race.bound) == (120, 100) and not stopped
    race.offer(objective=110.0, bound=float("-inf"))
    race.offer(bound=110.0)
    assert stopped == ["cp-sat"] and race.stopped.is_set()
    race.on_stop(lambda: stopped.append("highs"))  # registered after the race is decided: stops at once
    assert stopped == ["cp-sat", "highs"]


def test_a_negative_bound_counts_as_zero():
    # every objective term is a sum of non-negative ones: CP-SAT's early -33 616 699 read as a 218 % gap
    race = Race()
    race.offer(objective=21_000_000.0, bound=-33_616_699.0, engine="cp-sat")
    assert race.bound == 0 and race.bound_by == "cp-sat"


def test_best_of_names_the_engine_that_found_and_the_one_that_proved():
    race = Race()
    race.offer(objective=100, bound=100)
    entries = [Entry("cp-sat", Status.feasible, 100, 90), Entry("highs", Status.feasible, 105, 100)]
    best, status, bound, proved_by = best_of(entries, race)
    assert (best.engine, status, bound, proved_by) == ("cp-sat", Status.optimal, 100, "highs")

    race = Race()  # the greedy plan proven by a bound the stopped engine did not keep
    race.offer(objective=100)
    race.offer(bound=100, engine="cp-sat")
    entries = [Entry("cp-sat", Status.unknown), Entry("greedy", Status.feasible, 100)]
    best, status, bound, proved_by = best_of(entries, race)
    assert (best.engine, status, bound, proved_by) == ("greedy", Status.optimal, 100, "cp-sat")

    race = Race()
    race.offer(objective=100, bound=95)
    entries = [Entry("cp-sat", Status.feasible, 101, 95), Entry("greedy", Status.feasible, 100)]
    best, status, bound, proved_by = best_of(entries, race)
    assert (best.engine, status, bound, proved_by) == ("greedy", Status.feasible, 95, None)

    best, status, _, proved_by = best_of([Entry("cp-sat", Status.unknown), Entry("highs", Status.infeasible)], Race())
    assert (best, status, proved_by) == (None, Status.infeasible, "highs")
    best, status, _, _ = best_of([Entry("cp-sat", Status.unknown)], Race())
    assert (best, status) == (None, Status.unknown)


def test_who_races():
    problem = capacity_bound()
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["cp-sat", "highs"]
    assert engines_for(problem, "cp-sat", replanning=False, work_limit=None) == ["cp-sat"]
    assert engines_for(problem, "highs", replanning=False, work_limit=None) == ["highs"]
    # re-planning phases are CP-SAT's; HiGHS has no deterministic work limit
    assert engines_for(problem, "auto", replanning=True, work_limit=None) == ["cp-sat"]
    assert engines_for(problem, "highs", replanning=True, work_limit=None) == ["cp-sat"]
    assert engines_for(problem, "auto", replanning=False, work_limit=5.0) == ["cp-sat"]
    with pytest.raises(ValueError, match="unknown engine 'gurobi'"):
        engines_for(problem, "gurobi", replanning=False, work_limit=None)


def test_large_models_race_lp_rounding_and_without_highspy_cp_sat_is_alone(monkeypatch):
    problem = capacity_bound()
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 2)
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["lp-rounding", "highs"]
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 20_000)
    monkeypatch.setattr(portfolio, "highs_available", lambda: False)
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["cp-sat"]


# ---- the same plan from every engine ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "cp-sat", "highs"])
def test_every_engine_gives_the_one_optimal_plan(engine):
    solution = solved(capacity_bound(), engine=engine)
    assert solution.status is Status.optimal
    assert windows_of(solution) == {"m2": "w1", "m3": "w2", "m1": "w3"}
    assert solution.stats.tie_break == "complete"
    assert 0 < solution.stats.first_plan_time <= solution.stats.wall_time
    assert solution.stats.found_by in {"cp-sat", "highs", "greedy"}
    assert solution.stats.proved_by in ({"highs"} if engine == "highs" else {"cp-sat", "highs"})
    if engine == "highs":
        assert solution.stats.found_by in {"highs", "greedy"}


def test_a_highs_plan_goes_through_the_tie_break():
    """Two equally good plans: whichever the MIP finds, the tie-break reports the same one."""
    problem = build([org("m1", population=10), org("m2", population=10)], profiles=MUNI_PROFILE, pools=PRIMARY_5)
    plans = {json.dumps(windows_of(solved(problem, engine=e))) for e in ("highs", "cp-sat", "auto")}
    assert plans == {json.dumps({"m1": "w1", "m2": "w2"})}


def test_highs_found_plan_without_tie_break_is_reported_as_found():
    solution = solved(capacity_bound(), engine="highs", tie_break=False)
    assert solution.status is Status.optimal and solution.stats.tie_break == "skipped"
    assert solution.objective["total"] == solved(capacity_bound(), engine="cp-sat").objective["total"]


def test_makespan_with_every_engine():
    profiles = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
    problem = build([org("m1"), org("m2", earliest="2024-04-01")], profiles=profiles, pools=PRIMARY_5,
                    objective={"kind": "makespan"})
    plans = set()
    for engine in ("auto", "cp-sat", "highs"):
        solution = solved(problem, engine=engine)
        assert solution.status is Status.optimal and solution.objective["makespan"] == 4.0  # January .. April
        plans.add(json.dumps(windows_of(solution)))
    assert len(plans) == 1


def test_infeasible_with_every_engine():
    problem = build([org("m1", latest="2024-01-31")])
    for engine in ("auto", "cp-sat", "highs"):
        assert solve(problem, SolveOptions(time_limit=10, engine=engine)).status is Status.infeasible


def test_shipped_data_same_plan_bytes_from_every_engine():
    problem = load_problem(ROOT / "data")
    outputs = set()
    for engine in ("auto", "cp-sat", "highs"):
        solution = solved(problem, engine=engine)
        assert solution.status is Status.optimal and solution.stats.tie_break == "complete"
        data = solution.to_json_dict()
        del data["solver"]["engine"]
        outputs.add(json.dumps(data))
    assert len(outputs) == 1


# ---- the command line -------------------------------------------------------------------------------


def test_cli_engine_option_and_footer():
    runner = CliRunner()
    result = runner.invoke(cli.app, ["solve", "--data", str(TINY), "--engine", "highs", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "proved optimal by highs" in result.output
    result = runner.invoke(cli.app, ["solve", "--data", str(TINY), "--engine", "gurobi"])
    assert result.exit_code == 2
    assert "gurobi" in result.output


def test_cli_engine_highs_without_highspy(monkeypatch):
    monkeypatch.setattr(portfolio, "highs_available", lambda: False)
    result = CliRunner().invoke(cli.app, ["solve", "--data", str(TINY), "--engine", "highs"])
    assert result.exit_code == 2
    assert "needs highspy" in result.output


def test_json_keeps_its_contract():
    result = CliRunner().invoke(cli.app, ["solve", "--data", str(TINY), "--format", "json"])
    data = json.loads(result.stdout)
    # which engine found or proved the plan depends on timing; the JSON (a plan) does not
    assert set(data["solver"]) == {"engine", "seed", "workers", "tie_break", "best_bound"}
    assert data["solver"]["engine"] == "cp-sat + highs"


def test_no_plan_from_any_engine_gives_the_list_schedule(monkeypatch):
    from ortools.sat.python import cp_model

    solve_module = sys.modules["hpplan.solve"]
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: cp_model.UNKNOWN)
    monkeypatch.setattr(solve_module, "run_mip", lambda engine, problem, race, *args: Entry(engine, Status.unknown))
    solution = solved(capacity_bound(), engine="auto")
    assert solution.status is Status.feasible and solution.stats.found_by == "greedy"
    assert isinstance(solution, Solution) and solution.plan


def test_cp_sat_ending_early_without_a_proof_leaves_highs_racing(monkeypatch):
    # CP-SAT's interleaved search can end before its time limit (`region` seed 2, 10 s: at 6.9 s);
    # the race once stopped there and HiGHS with it, short of the proof it would have found
    from ortools.sat.python import cp_model

    solve_module = sys.modules["hpplan.solve"]
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: cp_model.UNKNOWN)
    solution = solve(load_problem(ROOT / "data"), SolveOptions(time_limit=30, engine="auto", tie_break=False))
    assert solution.status is Status.optimal and solution.stats.proved_by == "highs"
    assert solution.objective["total"] == 6_692_597


def test_the_engines_beside_cp_sat_take_their_threads_out_of_the_workers(monkeypatch):
    solve_module = sys.modules["hpplan.solve"]
    real = solve_module.solver_for
    seen = []
    monkeypatch.setattr(solve_module, "solver_for", lambda options, seconds: seen.append(options.workers) or real(options, seconds))
    problem = load_problem(ROOT / "data")
    for engine, workers, cp_sat_workers in [("auto", 2, 1), ("auto", 3, 2), ("auto", 1, 1), ("cp-sat", 2, 2)]:
        seen.clear()
        solution = solve(problem, SolveOptions(time_limit=30, engine=engine, workers=workers, tie_break=False))
        assert solution.status is Status.optimal and solution.stats.workers == workers
        assert seen[0] == cp_sat_workers, (engine, workers)


def test_interleaved_cp_sat_runs_a_task_per_worker_a_batch_and_stays_reproducible(tmp_path):
    # CP-SAT's default batches (three tasks per worker) ended `region` seed 2 at 7.7 of 10 s
    from hpplan.generate import write_instance
    from hpplan.solve import solver_for

    params = solver_for(SolveOptions(workers=3), 10).parameters
    assert params.interleave_search and params.interleave_batch_size == 3
    assert not solver_for(SolveOptions(workers=1), 10).parameters.interleave_search
    write_instance(tmp_path, "region", 1)
    problem = load_problem(tmp_path)
    runs = [solve(problem, SolveOptions(engine="cp-sat", workers=2, work_limit=1.0, tie_break=False))
            for _ in range(2)]
    assert runs[0].status is runs[1].status is Status.feasible  # cut short by the work limit
    assert [a.window for a in runs[0].plan] == [a.window for a in runs[1].plan]


# ---- the racing engines beyond CP-SAT and HiGHS ----------------------------------------------------------


def makespan_problem():
    profiles = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
    return build([org("m1"), org("m2", earliest="2024-04-01"), org("m3")], profiles=profiles, pools=PRIMARY_5,
                 objective={"kind": "makespan"})


def test_makespan_races_the_interval_form_and_gives_the_same_plan():
    problem = makespan_problem()
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["cp-sat-interval"]
    auto, cp_sat = solved(problem, engine="auto"), solved(problem, engine="cp-sat")
    assert auto.status is cp_sat.status is Status.optimal
    assert auto.stats.engine == "cp-sat-interval"
    assert auto.stats.proved_by == "cp-sat-interval"
    assert (auto.objective, windows_of(auto)) == (cp_sat.objective, windows_of(cp_sat))


def test_lp_rounding_gives_a_verified_plan_and_a_bound():
    from hpplan.engines.highs import HighsOptions
    from hpplan.engines.lp_rounding import solve_lp_rounding
    from hpplan.verify import verify

    problem = capacity_bound()
    optimum = solved(problem, engine="cp-sat").objective["total"]
    solution = solve_lp_rounding(problem, HighsOptions(time_limit=5))  # its time slices run to the limit
    assert solution.status is Status.feasible and verify(problem, solution) == []
    assert solution.stats.best_bound <= optimum <= solution.objective["total"]
    assert solve_lp_rounding(build([org("m1", latest="2024-01-31")])).status is Status.infeasible


def test_lp_rounding_without_a_rounded_plan_searches_the_lps_neighbourhood(monkeypatch):
    # where every LP-guided list schedule gets stuck (capacity too tight for its greedy order; national
    # with a tenth of the primary pool), the MIP on the LP's neighbourhood, without a start, finds a
    # plan; before, the engine gave up ("unknown") with most of its time left
    from hpplan import greedy
    from hpplan.engines.highs import HighsOptions
    from hpplan.engines.lp_rounding import solve_lp_rounding
    from hpplan.verify import verify

    real = greedy.schedule

    def stuck(problem, flat=None, **kw):
        plan = real(problem, flat, **kw)
        plan.stuck = list(plan.chosen)
        return plan

    monkeypatch.setattr(greedy, "schedule", stuck)
    problem = capacity_bound()
    solution = solve_lp_rounding(problem, HighsOptions(time_limit=5))
    assert solution.status is Status.feasible and verify(problem, solution) == []
    assert "LP neighbourhood MIP (no rounded plan)" in solution.stats.phases


def test_large_models_race_with_lp_rounding(monkeypatch):
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 2)
    solution = solved(capacity_bound(), engine="auto")
    assert solution.stats.engine == "lp-rounding + highs"
    assert solution.status is Status.optimal and solution.stats.tie_break == "complete"
    assert windows_of(solution) == {"m2": "w1", "m3": "w2", "m1": "w3"}


def test_highs_beside_lp_rounding_waits_for_the_lp_and_runs_for_its_bound(monkeypatch):
    """At national scale HiGHS's branch and bound starts once LP rounding has its LP (two LP solves at
    once slow each other), without primal heuristics or handed plans."""
    seen = []
    solve_highs = sys.modules["hpplan.engines.highs"].solve_highs

    def spy(problem, options, flat=None):
        seen.append((options.start_after is not None, options.heuristics, options.incumbent, options.aggregate))
        return solve_highs(problem, options, flat)

    monkeypatch.setattr(sys.modules["hpplan.engines.highs"], "solve_highs", spy)
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 2)
    solution = solved(capacity_bound(), engine="auto")
    assert solution.status is Status.optimal
    assert seen == [(True, False, None, True)]


def test_race_threads_outlive_their_engines_until_released():
    """HiGHS shuts a thread's scheduler down when the thread ends, which can hang a HiGHS run in
    another thread: each racing engine's thread waits for the whole race to be done."""
    import threading

    from hpplan.solve import _Thread

    started = threading.Event()

    def engine(name):
        started.set()
        return Entry(name, Status.unknown)

    thread = _Thread(engine, "highs")
    assert thread.result().engine == "highs"
    assert thread.is_alive()  # done, still waiting
    thread.release()
    assert not thread.is_alive()


def test_time_slices_never_return_a_worse_plan():
    from hpplan.engines.common import flatten, objective_terms, to_solution
    from hpplan.engines.highs import HighsOptions
    from hpplan.engines.lp_rounding import time_slices
    from hpplan.greedy import schedule
    from hpplan.verify import verify

    problem = capacity_bound()
    flat = flatten(problem)
    start = schedule(problem, flat, rank={"m1": 0, "m2": 2, "m3": 1}).chosen  # a poor order to start from
    start = {o: start.get(o) for o in flat.plannable}
    plan, rounds = time_slices(flat, start, HighsOptions(time_limit=3), months=2, margin=3, seconds=1)
    assert rounds >= 1
    assert objective_terms(flat, plan)["total"] <= objective_terms(flat, start)["total"]
    assert verify(problem, to_solution(flat, plan, Status.feasible, SolveStats())) == []
    # a slice that frees all three and lets them move anywhere finds the optimum
    plan, _ = time_slices(flat, start, HighsOptions(time_limit=3), months=36, margin=36, seconds=1)
    assert objective_terms(flat, plan)["total"] == solved(problem, engine="cp-sat").objective["total"]


def test_the_interval_form_breaks_ties_as_the_core_does(tmp_path):
    """Many optimal plans: the interval form's own tie-break and the core's pick the same one."""
    from hpplan.psplib import parse_sm, write_hpplan

    from test_psplib import TINY

    sm = tmp_path / "tiny.sm"
    sm.write_text(TINY)
    cases = [load_problem(write_hpplan(parse_sm(sm), tmp_path / "tiny"))]
    profiles = [{"id": "municipality", "before": [2, 3], "hypercare": [1], "source": {"all": "estimate: test"}}]
    pools = [PRIMARY_5[0], {**PRIMARY_5[1], "fte": 6}]
    cases.append(build([org(f"m{i}", population=i) for i in range(1, 6)], profiles=profiles, pools=pools,
                       objective={"kind": "makespan"}))
    for problem in cases:
        auto, core = solved(problem, engine="auto"), solved(problem, engine="cp-sat")
        assert auto.status is core.status is Status.optimal
        assert auto.stats.tie_break == core.stats.tie_break == "complete"
        assert "tie-break (interval form)" in auto.stats.phases
        assert windows_of(auto) == windows_of(core) and auto.objective == core.objective


def test_shared_plans_keep_the_best_and_become_a_complete_mip_solution():
    from hpplan.engines.common import flatten
    from hpplan.engines.highs import MipModel, start_values

    race = Race()
    race.offer_plan(120.0, {"m1": "w2"})
    race.offer_plan(130.0, {"m1": "w3"})  # worse: kept out
    assert race.plan == (120, {"m1": "w2"})

    problem = capacity_bound()
    plan = solved(problem, engine="cp-sat")
    flat = flatten(problem)
    mip = MipModel(flat)
    index = {s.id: k for k, s in enumerate(flat.slots)}
    values = start_values(mip, {a.id: index.get(a.window) for a in plan.plan if not a.pinned})
    rows = mip.rows
    for r in range(len(rows.lower)):  # every row of the MIP holds for the plan's column values
        end = rows.starts[r + 1] if r + 1 < len(rows.starts) else len(rows.index)
        activity = sum(values[rows.index[i]] * rows.value[i] for i in range(rows.starts[r], end))
        assert rows.lower[r] - 1e-9 <= activity <= rows.upper[r] + 1e-9
    assert sum(c * v for c, v in zip(mip.cost, values)) + mip.offset == plan.objective["total"]


def test_an_engine_that_fails_leaves_the_race_and_says_so(monkeypatch):
    solve_module = sys.modules["hpplan.solve"]

    def broken(engine, *args):
        raise RuntimeError("highspy exploded")

    monkeypatch.setattr(solve_module, "run_mip", broken)
    with pytest.warns(RuntimeWarning, match="the highs engine failed .*highspy exploded"):
        solution = solved(capacity_bound(), engine="auto")
    assert solution.status is Status.optimal and solution.stats.proved_by == "cp-sat"
    assert "highs failed: RuntimeError: highspy exploded" in solution.stats.phases


def test_the_lp_neighbourhood_mip_never_returns_a_worse_plan():
    from hpplan.engines.common import flatten, objective_terms, to_solution
    from hpplan.engines.highs import HighsOptions
    from hpplan.engines.lp_rounding import neighbourhood_mip
    from hpplan.greedy import schedule
    from hpplan.verify import verify

    problem = capacity_bound()
    flat = flatten(problem)
    start = schedule(problem, flat).chosen
    start = {o: start.get(o) for o in flat.plannable}
    chosen = neighbourhood_mip(flat, {}, start, HighsOptions(time_limit=10))  # no LP mass: start and neighbours
    assert chosen is not None
    assert objective_terms(flat, chosen)["total"] <= objective_terms(flat, start)["total"]
    assert verify(problem, to_solution(flat, chosen, Status.feasible, SolveStats())) == []


def test_the_mip_holds_the_symmetry_rows_and_reorders_starts(monkeypatch):
    from hpplan.engines.common import flatten
    from hpplan.engines.highs import MipModel

    problem = build([org(f"m{i}", population=10) for i in (1, 2, 3)], profiles=MUNI_PROFILE, pools=PRIMARY_5)
    mip = MipModel(flatten(problem))
    assert mip.symmetry == [["m1", "m2", "m3"]]
    assert mip.canonical({"m1": 2, "m2": None, "m3": 0}) == {"m1": 0, "m2": 2, "m3": None}
    # the MIP's own plan: no window program first (it would prove this one), no tie-break
    monkeypatch.setattr(sys.modules["hpplan.engines.window_dp"], "solve_window_dp", lambda *a, **k: None)
    solution = solved(problem, engine="highs", tie_break=False)
    assert windows_of(solution) == {"m1": "w1", "m2": "w2", "m3": "w3"}
    assert MipModel(flatten(problem), symmetry=False).symmetry == []


@pytest.mark.parametrize("columns", [20_000, 2])  # the regional race, and the national one
def test_the_race_with_aggregated_gp_offices_gives_the_core_plan(monkeypatch, columns):
    """GP offices of one municipality under `each: gp_office` are one integer unit in HiGHS's MIP and
    LP rounding's LP: the race still ends at the core model's optimum and tie-broken plan."""
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", columns)
    gp_profile = {"id": "gp_office", "before": [2], "hypercare": [2, 1], "source": {"all": "estimate: test"}}
    organisations = [org("m1", population=100), org("m2", population=60)] + [
        org(f"g{i}", kind="gp_office", status="signed", population=0, users=10) for i in range(1, 5)]
    problem = build(organisations, rules=[{"type": "with_or_before", "each": "gp_office"}],
                    profiles=MUNI_PROFILE + [gp_profile], pools=PRIMARY_5)
    auto, core = solved(problem, engine="auto"), solved(problem, engine="cp-sat")
    assert auto.status is core.status is Status.optimal
    assert auto.stats.engine == ("cp-sat + highs" if columns > 2 else "lp-rounding + highs")
    assert (auto.objective, windows_of(auto)) == (core.objective, windows_of(core))
