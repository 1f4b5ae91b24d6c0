"""The dynamic program over the windows (hpplan.engines.window_dp): the same optimum as HiGHS's MIP on
every small instance it applies to and on random trusts' parts (chains, together groups, gaps, pinned
heads, optional trusts, limits, tight capacity), plans the independent verifier accepts, no answer
where it does not apply or gives up, and the national trusts' part proven inside `solve`."""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time

import pytest
from helpers import build, org, solved
from test_decompose import TINY, two_parts
from test_greedy import small_instances

from hpplan import load_problem, verify
from hpplan.engines.common import flatten, objective_terms, to_solution
from hpplan.engines.decompose import components, restrict
from hpplan.engines.highs import HighsOptions, _solve_flat, solve_highs
from hpplan.engines.window_dp import _units, solve_window_dp
from hpplan.solution import SolveStats, Status


def highs_optimum(flat):
    result = _solve_flat(flat, HighsOptions(time_limit=60), time.perf_counter())
    assert result.status in ("optimal", "infeasible")
    return None if result.status == "infeasible" else objective_terms(flat, result.chosen)["total"]


def check_plan(problem, flat, result) -> None:
    """The program's plan keeps every rule (the independent verifier) and costs what it says."""
    solution = to_solution(flat, result.chosen, Status.optimal, SolveStats())
    assert verify(problem, solution) == []
    assert solution.objective["total"] == result.bound


def test_small_instances_where_it_applies_give_highs_optimum():
    applied = []
    for name, problem in small_instances().items():
        flat = flatten(problem)
        result = solve_window_dp(flat, 30)
        if _units(flat) is None:
            assert result is None, name
            continue
        applied.append(name)
        assert result is not None and result.status == "optimal", name
        assert result.bound == highs_optimum(flat), name
        check_plan(problem, flat, result)
    # every rule type but with_or_before (the program does not apply to it)
    assert {"together", "order-windows", "order-months", "after-live", "not-same-window", "max-actors",
            "max-trusts", "capacity", "pinned-load", "preference", "opted-out",
            "capacity-and-precedence"} <= set(applied)


WINDOW_DATES = [dt.date(2024, 2, 10) + dt.timedelta(days=61 * i) for i in range(9)]


def random_trusts(seed: int):
    """Trusts with their hospitals `together`, in one or two board orders (a pinned head sometimes),
    gaps in windows or months, an optional trust, limits and a specialist pool that rarely fits two."""
    rng = random.Random(seed)
    windows = [{"id": "h1", "date": "2023-11-04"}] + [{"id": f"w{i + 1}", "date": d.isoformat()}
                                                        for i, d in enumerate(WINDOW_DATES)]
    n = rng.randint(3, 6)
    orgs, rules = [], []
    trusts = [f"t{i}" for i in range(n)]
    for i, t in enumerate(trusts):
        fields = {}
        if rng.random() < 0.25:
            fields["earliest"] = rng.choice(WINDOW_DATES[:5]).isoformat()
        if rng.random() < 0.15:
            fields["latest"] = rng.choice(WINDOW_DATES[5:]).isoformat()
        status = "optional" if i == n - 1 and rng.random() < 0.3 else "planned"
        orgs.append(org(t, kind="health_trust", status=status, population=rng.randint(10, 500),
                        users=rng.randint(100, 900), **fields))
        hospitals = [f"{t}-h{j}" for j in range(rng.randint(0, 2))]
        orgs += [org(h, kind="hospital", status=status, population=0, part_of=t, users=rng.randint(50, 300))
                 for h in hospitals]
        if hospitals:
            rules.append({"type": "together", "actors": [t, *hospitals]})
    heads = []
    if rng.random() < 0.4:
        orgs.append(org("old", kind="health_trust", status="live", live_since="2023-11-04", population=50))
        heads = ["old"]
    cut = rng.randint(1, n)
    for chain in ([*heads, *trusts[:cut]], trusts[cut:]):
        if len(chain) > 1:
            rules.append({"type": "order", "actors": chain, "min_gap_windows": rng.choice([0, 1, 1]),
                          "min_gap_months": rng.choice([0, 0, 3])})
    if rng.random() < 0.3 and n >= 4:
        rules.append({"type": "not_same_window", "actors": [trusts[-1], trusts[-2]]})
    limits = []
    if rng.random() < 0.5:
        limits.append({"max_trusts": rng.choice([1, 2])})
    if rng.random() < 0.4:
        limits.append({"max_users": rng.randint(900, 1600)})
    profiles = [{"id": "health_trust", "before": [2, 3, 4], "hypercare": [3, 1], "source": {"all": "estimate: test"}},
                {"id": "hospital", "before": [1, 1], "hypercare": [1], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": rng.choice([6, 7, 9]), "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 10, "source": {"fte": "estimate: test"}}]
    return build(orgs, windows=windows, rules=rules, limits=limits, profiles=profiles, pools=pools)


@pytest.mark.parametrize("seed", range(24))
def test_random_trusts_parts_give_highs_optimum(seed):
    problem = random_trusts(seed)
    flat = flatten(problem)
    assert _units(flat) is not None
    expected = highs_optimum(flat)
    result = solve_window_dp(flat, 30)
    if expected is None:
        assert result is None  # no plan: HiGHS reports it, with the rule to blame
        return
    assert result is not None and result.status == "optimal"
    assert result.bound == expected
    check_plan(problem, flat, result)


def test_the_beam_only_prunes_the_exact_pass_never_changes_the_optimum():
    for seed in range(6):
        flat = flatten(random_trusts(seed))
        narrow, wide = solve_window_dp(flat, 30, beam=1), solve_window_dp(flat, 30, beam=500)
        assert (narrow is None) == (wide is None)
        if narrow is not None:
            assert narrow.bound == wide.bound


def test_a_known_plan_prunes_from_the_start_and_is_kept_when_optimal():
    flat = flatten(random_trusts(3))
    best = solve_window_dp(flat, 30)
    again = solve_window_dp(flat, 30, upper=(best.bound, best.chosen))
    assert again.status == "optimal" and again.bound == best.bound and again.chosen == best.chosen


def test_it_does_not_apply_to_with_or_before_a_makespan_or_a_precedence_tree():
    assert _units(flatten(small_instances()["gp-offices"])) is None
    assert _units(flatten(two_parts(objective={"kind": "makespan"}))) is None
    tree = build([org("a"), org("b"), org("c")],
                 rules=[{"type": "order", "actors": ["a", "c"]}, {"type": "order", "actors": ["b", "c"]}])
    assert _units(flatten(tree)) is None
    assert solve_window_dp(flatten(tree), 10) is None


def test_it_gives_up_beyond_its_states_or_its_time_keeping_the_beams_plan():
    problem = random_trusts(8)
    flat = flatten(problem)
    assert solve_window_dp(flat, 0.0) is None  # no time even for the beam: nothing
    optimum = highs_optimum(flat)
    gave_up = solve_window_dp(flat, 30, max_states=0)  # the exact pass stops at once
    assert gave_up.status == "feasible" and gave_up.bound == -math.inf
    solution = to_solution(flat, gave_up.chosen, Status.feasible, SolveStats())
    assert verify(problem, solution) == [] and solution.objective["total"] >= optimum


def test_the_beams_plan_is_handed_on_and_kept_when_highs_finds_none_better(monkeypatch):
    from hpplan.engines.decompose import PartResult

    problem = random_trusts(8)
    flat = flatten(problem)
    gave_up = solve_window_dp(flat, 30, max_states=0)
    highs_module = sys.modules["hpplan.engines.highs"]
    monkeypatch.setattr(sys.modules["hpplan.engines.window_dp"], "solve_window_dp", lambda *a, **k: gave_up)
    monkeypatch.setattr(highs_module, "_solve_flat", lambda *a, **k: PartResult("unknown", None, 1234.0))
    handed = []
    options = HighsOptions(time_limit=10, on_plan=lambda objective, plan: handed.append(objective))
    result = highs_module._window_program_or_mip(flat, options, time.perf_counter())
    objective = objective_terms(flat, gave_up.chosen)["total"]
    assert handed == [objective]
    assert (result.status, result.chosen, result.bound) == ("feasible", gave_up.chosen, 1234.0)
    assert "beam" in result.note
    # HiGHS's plan is kept when the beam's is no better
    proven = solve_window_dp(flat, 30)
    monkeypatch.setattr(highs_module, "_solve_flat", lambda *a, **k: PartResult("optimal", proven.chosen, proven.bound))
    result = highs_module._window_program_or_mip(flat, options, time.perf_counter())
    assert (result.status, result.chosen, result.note) == ("optimal", proven.chosen, None)


def test_the_trusts_part_of_two_parts_and_tiny_are_proven_by_it_inside_solve_highs():
    for problem in (two_parts(), load_problem(TINY)):
        flat = flatten(problem)
        parts = components(flat)
        trusts = restrict(flat, parts[0])
        expected = highs_optimum(trusts)
        result = solve_window_dp(trusts, 30)
        assert result.bound == expected
        largest = max(restrict(flat, part).window_variables for part in parts)  # split even where coupled
        solution = solve_highs(problem, HighsOptions(time_limit=20, decompose=True, largest_mip=largest), flat=flat)
        assert verify(problem, solution) == []
        assert any("proven by the window program" in phase for phase in solution.stats.phases)


def test_the_window_program_is_part_of_hpplan_solve_at_national_scale(monkeypatch):
    """solve_highs tries the program on each branch-and-bound part first; when it gives up, the part
    goes to HiGHS with the time left."""
    highs_module = sys.modules["hpplan.engines.highs"]
    calls = []

    def gives_up(flat, seconds, **kw):
        calls.append(seconds)
        return None

    monkeypatch.setattr(sys.modules["hpplan.engines.window_dp"], "solve_window_dp", gives_up)
    problem = two_parts()
    solution = solve_highs(problem, HighsOptions(time_limit=20, decompose=True))
    assert calls and all(0 < s <= 20 * highs_module.WINDOW_DP_SHARE for s in calls)
    assert solution.status is Status.optimal
    assert not any("window program" in phase for phase in solution.stats.phases)


def test_a_problem_of_trusts_alone_is_proven_by_it_in_the_race():
    """No split needed: HiGHS's side of the race tries the program on the whole problem first."""
    problem = random_trusts(3)
    flat = flatten(problem)
    alone = solve_highs(problem, HighsOptions(time_limit=20))
    assert alone.status is Status.optimal and "proven by the window program" in " ".join(alone.stats.phases)
    solution = solved(problem, time_limit=20)  # the race, then the tie-break; verified
    assert solution.status is Status.optimal
    assert solution.objective["total"] == highs_optimum(flat)


def test_it_leaves_a_problem_broken_whatever_the_plan_to_highs():
    """Organisations it does not place can make every plan fail: HiGHS then names the rule."""
    no_window = build([org("m1", earliest="2030-01-01"), org("m2")])  # mandatory, after the last window
    never_first = build([org("gone", status="opted_out"), org("old", status="live", live_since="2023-11-04"), org("m1")],
                        rules=[{"type": "order", "actors": ["gone", "old"]}])
    overloaded = build([org("old", status="live", live_since="2023-11-04"), org("m1")],
                       profiles=[{"id": "municipality", "before": [1], "hypercare": [9, 9, 9],
                                  "source": {"all": "estimate: test"}}],
                       pools=[{"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
                              {"id": "specialist", "sector": "specialist", "fte": 5, "source": {"fte": "estimate: test"}}])
    for problem in (no_window, never_first, overloaded):
        flat = flatten(problem)
        assert highs_optimum(flat) is None
        assert _units(flat) is None and solve_window_dp(flat, 10) is None


def test_a_plan_of_the_program_that_fails_the_verifier_is_never_handed_on(monkeypatch):
    """A safety net for a bug in the program: its plan of a whole problem is checked by the
    independent verifier, and HiGHS's branch and bound solves the problem when it fails."""
    problem = random_trusts(3)
    flat = flatten(problem)
    real = solve_window_dp(flat, 30)
    broken = {o: None for o in real.chosen}  # nothing live: every mandatory trust missing
    monkeypatch.setattr(sys.modules["hpplan.engines.window_dp"], "solve_window_dp",
                        lambda *a, **k: type(real)("optimal", broken, real.bound))
    solution = solve_highs(problem, HighsOptions(time_limit=20))
    assert "the window program's plan failed the verifier" in solution.stats.phases
    assert solution.status is Status.optimal and verify(problem, solution) == []
    assert solution.objective["total"] == real.bound


def test_when_it_gives_up_highs_runs_with_the_threads_it_was_given(monkeypatch):
    """Its LP asks HiGHS for the caller's number of threads: HiGHS fixes a thread's task scheduler at
    its first run, and a later run in that thread asking for another number fails."""
    import threading

    monkeypatch.setattr(sys.modules["hpplan.engines.highs"], "WINDOW_DP_SHARE", 0.0)  # LP, then gives up
    problem = random_trusts(3)
    results = []
    worker = threading.Thread(target=lambda: results.append(solve_highs(problem, HighsOptions(time_limit=20, threads=2))))
    worker.start()
    worker.join()
    assert results[0].status is Status.optimal
    assert not any("window program" in phase for phase in results[0].stats.phases)
    assert results[0].objective["total"] == solve_window_dp(flatten(problem), 30).bound


def test_the_benchmark_baseline_is_the_plain_mip_without_it():
    problem = random_trusts(3)
    plain = solve_highs(problem, HighsOptions(time_limit=20, symmetry=False, window_program=False))
    assert plain.status is Status.optimal
    assert not any("window program" in phase for phase in plain.stats.phases)
    assert plain.objective["total"] == solve_window_dp(flatten(problem), 30).bound
