"""Independent parts (hpplan.engines.decompose): which organisations form a part, the same optimum as
the whole MIP where the split is exact, a valid bound and plans that keep the window limits the parts
share where it is not."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from helpers import build, org, solved
from test_greedy import small_instances
from test_highs import highs

from hpplan import load_problem, verify
from hpplan.solution import Status

pytest.importorskip("highspy", reason="highspy is in the bench extras: pip install -e '.[bench]'")

from hpplan.engines.common import flatten  # noqa: E402
from hpplan.engines.decompose import (_Tracker, components, coupled, limit_use, lower_limits,  # noqa: E402
                                      over_limits, restrict, solve_by_parts)
from hpplan.engines.highs import HighsOptions, _solve_flat  # noqa: E402

TINY = Path(__file__).resolve().parent / "data" / "tiny"
#: the optimum of tests/data/tiny (HiGHS's whole MIP and CP-SAT agree): its trust and Ålesund both want
#: April, and their users (9,000 + 3,500) exceed the night's limit (10,000) together
TINY_OPTIMUM = 379_383

PROFILES = [
    {"id": "health_trust", "before": [4, 4], "hypercare": [4], "source": {"all": "estimate: test"}},
    {"id": "municipality", "before": [2], "hypercare": [2], "source": {"all": "estimate: test"}},
]
POOLS = [
    {"id": "specialist", "sector": "specialist", "fte": 5, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 3, "source": {"fte": "estimate: test"}},
]


def two_parts(**extra):
    """Two trusts in order on the specialist pool (room for one go-live at a time) and two
    municipalities with a GP office on the primary pool (room for one at a time): two parts."""
    orgs = [org("t1", kind="health_trust", population=500), org("t2", kind="health_trust", population=800),
            org("m1", population=300), org("m2", population=200),
            org("g1", kind="gp_office", status="signed", population=0, municipality="m2")]
    return build(orgs + extra.pop("orgs", []), profiles=PROFILES, pools=POOLS,
                 rules=[{"type": "order", "actors": ["t1", "t2"]}, {"type": "with_or_before", "each": "gp_office"}],
                 **extra)


def test_parts_are_the_groups_that_share_no_rule_and_no_pool():
    assert components(flatten(two_parts())) == [["t1", "t2"], ["g1", "m1", "m2"]]
    # without load profiles the municipalities share no pool: each is a part of its own
    no_load = build([org("m1"), org("m2"), org("g1", kind="gp_office", status="signed", population=0)],
                    rules=[{"type": "with_or_before", "each": "gp_office"}])
    assert components(flatten(no_load)) == [["m2"], ["g1", "m1"]]


def test_no_parts_for_a_makespan_or_a_mandatory_organisation_without_a_window():
    assert components(flatten(two_parts(objective={"kind": "makespan"}))) == []
    assert components(flatten(two_parts(orgs=[org("late", latest="2024-01-31")]))) == []


def test_a_shared_limit_couples_the_parts_only_where_it_can_bind():
    problem = two_parts(limits=[{"max_actors": 2}])
    flat = flatten(problem)
    assert coupled(flat, components(flat))
    assert not coupled(*(lambda f: (f, components(f)))(flatten(two_parts(limits=[{"max_actors": 5}]))))
    assert not coupled(*(lambda f: (f, components(f)))(flatten(two_parts(limits=[{"max_trusts": 1}]))))


def test_limits_are_lowered_slot_by_slot_and_measure_by_measure():
    problem = two_parts(limits=[{"max_actors": 3, "max_users": 100}])
    flat = flatten(problem)
    use = limit_use(flat, {"t1": 0, "m1": 0, "m2": 1})
    assert use == {(0, "max_actors", 0): 2, (0, "max_actors", 1): 1}  # no users given: users count 0
    lowered = lower_limits(flat, use)
    bounds = {(limit.measure, k): limit.bound for limit in lowered.limits for k in limit.slots}
    assert bounds[("max_actors", 0)] == 1 and bounds[("max_actors", 1)] == 2 and bounds[("max_actors", 2)] == 3
    assert bounds[("max_users", 0)] == 100


@pytest.mark.parametrize("threads", [1, 2])
def test_parts_apart_give_the_whole_mips_optimum_and_prove_it(threads):
    problem = two_parts(orgs=[org("late", status="optional", population=7, latest="2024-01-31")])
    whole = highs(problem)
    parts = highs(problem, decompose=True, threads=threads)
    cp = solved(problem, tie_break=False)
    assert whole.status is parts.status is cp.status is Status.optimal
    assert parts.objective == whole.objective == cp.objective
    assert parts.stats.best_bound == parts.objective["total"]
    assert "parts: 2 (2, 3 organisations)" in parts.stats.phases


@pytest.mark.parametrize("name", sorted(small_instances()))
def test_the_same_optimum_on_the_small_instances(name):
    problem = small_instances()[name]
    assert highs(problem, decompose=True).objective == highs(problem).objective


def test_a_coupled_problem_small_enough_is_solved_whole():
    problem = load_problem(TINY)
    solution = highs(problem, decompose=True, largest_mip=20_000)
    assert solution.status is Status.optimal and solution.objective["total"] == TINY_OPTIMUM
    assert not any(phase.startswith("parts") for phase in solution.stats.phases)


def test_parts_too_large_plan_within_what_the_others_use():
    # every part "too large" for branch and bound: LP rounding plans each, the later part within what
    # the earlier one's plan leaves of the users limit; the bound is the parts' relaxations summed
    problem = load_problem(TINY)
    solution = highs(problem, decompose=True, largest_mip=0)
    assert solution.status is Status.feasible
    assert solution.stats.best_bound <= TINY_OPTIMUM <= solution.objective["total"]


def test_plans_that_break_a_shared_limit_are_fitted_together():
    # the parts' optima both take April (12,500 users against 10,000): one part is planned again
    # within what the other leaves, which here gives the optimum of the whole
    problem = load_problem(TINY)
    flat = flatten(problem)
    parts = components(flat)

    def branch_and_bound(sub, seconds, on_plan, on_bound, incumbent, reserved):
        return _solve_flat(sub, HighsOptions(time_limit=seconds, aggregate=True, on_plan=on_plan), time.perf_counter())

    status, chosen, bound, notes = solve_by_parts(flat, parts, branch_and_bound, time_limit=20)
    assert status == "feasible" and "planned again" in notes[-1]
    from hpplan.engines.common import objective_terms, to_solution
    from hpplan.solution import SolveStats

    assert objective_terms(flat, chosen)["total"] == TINY_OPTIMUM and bound <= TINY_OPTIMUM
    assert verify(problem, to_solution(flat, chosen, Status.feasible, SolveStats())) == []


def test_the_race_takes_the_parts_apart_when_the_model_is_large(monkeypatch):
    portfolio = sys.modules["hpplan.portfolio"]
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 0)
    problem = load_problem(TINY)
    assert portfolio.engines_for(problem, "auto", replanning=False, work_limit=None) == ["highs"]
    solution = solved(problem, time_limit=10)
    assert solution.found and solution.stats.engine == "highs"
    assert solution.stats.best_bound <= TINY_OPTIMUM <= solution.objective["total"]


#: tests/data/tiny's parts alone both take February, when its trust and its three primary care
#: organisations are one more go-live than the night allows (3): the trust's optimum there, and the
#: primary part's optimum with Ørsta in April instead, make the whole's optimum
TRUST_IN_FEBRUARY = {"helse-more-og-romsdal": 0}
PRIMARY_ALONE = {"alesund": 0, "orsta": 0, "orsta-legekontor": 0}  # 72,467
PRIMARY_BESIDE_THE_TRUST = {"alesund": 0, "orsta": 1, "orsta-legekontor": 0}  # 94,383


def test_a_plan_that_breaks_what_the_others_now_use_is_repaired_even_at_a_higher_cost():
    """LP rounding's time slices plan within what the other parts' best plans use (`within`); when
    those change, the current plan may break a shared limit: the slices move it to fit (a plan of the
    whole), though the part alone pays more."""
    from hpplan.engines.common import objective_terms
    from hpplan.engines.lp_rounding import time_slices

    flat = flatten(load_problem(TINY))
    primary = restrict(flat, components(flat)[1])

    def within():
        return lower_limits(primary, limit_use(flat, TRUST_IN_FEBRUARY))

    assert over_limits(within(), PRIMARY_ALONE) == {0}  # February: 4 go-lives, 3 allowed
    plan, rounds = time_slices(primary, PRIMARY_ALONE, HighsOptions(time_limit=1.5), within=within)
    assert over_limits(within(), plan) == set() and rounds >= 1
    assert objective_terms(primary, plan)["total"] == 94_383 > objective_terms(primary, PRIMARY_ALONE)["total"]
    assert objective_terms(flat, {**plan, **TRUST_IN_FEBRUARY})["total"] == TINY_OPTIMUM


def test_the_plan_in_the_best_combination_is_kept_beside_the_best_few(monkeypatch):
    """Each part keeps its few best plans by its own objective, and also the one that makes the best
    plan of the whole with the others' (here the only one that fits)."""
    from hpplan.engines.common import objective_terms

    flat = flatten(load_problem(TINY))
    parts = components(flat)
    monkeypatch.setattr(_Tracker, "KEEP", 1)
    subs = [restrict(flat, part) for part in parts]
    tracker = _Tracker(flat, subs, 0.0, None)
    cost = {name: objective_terms(subs[i], plan)["total"]
            for i, name, plan in [(0, "trust", TRUST_IN_FEBRUARY), (1, "alone", PRIMARY_ALONE),
                                  (1, "beside", PRIMARY_BESIDE_THE_TRUST)]}
    tracker.plan(0, cost["trust"], TRUST_IN_FEBRUARY)
    tracker.plan(1, cost["alone"], PRIMARY_ALONE)
    assert tracker.best is None  # the two do not fit together
    assert tracker.reserved(1) == limit_use(flat, TRUST_IN_FEBRUARY)
    tracker.plan(1, cost["beside"], PRIMARY_BESIDE_THE_TRUST)
    assert [p[1] for p in tracker.plans[1]] == [PRIMARY_BESIDE_THE_TRUST]
    assert tracker.best == (TINY_OPTIMUM, {**TRUST_IN_FEBRUARY, **PRIMARY_BESIDE_THE_TRUST})
    tracker.plan(1, cost["alone"], PRIMARY_ALONE)  # cheaper alone, but no better whole: the fitting one stays
    assert [p[1] for p in tracker.plans[1]] == [PRIMARY_BESIDE_THE_TRUST]


def test_racing_threads_hand_the_gil_over_quickly_and_the_interval_is_restored():
    from hpplan.engines.common import GIL_TURN, short_gil_turns

    before = sys.getswitchinterval()
    with short_gil_turns():
        assert sys.getswitchinterval() == pytest.approx(min(before, GIL_TURN))
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("tie_break", [True, False])
def test_with_highs_racing_alone_the_cp_sat_model_is_built_only_for_the_tie_break(monkeypatch, tie_break):
    """At national scale building CP-SAT's model takes seconds the racing engine uses better: it is
    built after the race, and only when a proven optimum's ties are to be broken."""
    solve_module = sys.modules["hpplan.solve"]
    built = []

    def build_model(*args):
        built.append(args)
        return real_build(*args)

    real_build = solve_module._build
    monkeypatch.setattr(solve_module, "_build", build_model)
    # the whole (20 window variables) too large for branch and bound, each part (8, 12) not
    monkeypatch.setattr(sys.modules["hpplan.portfolio"], "HIGHS_MAX_COLUMNS", 15)
    solution = solved(two_parts(), tie_break=tie_break)
    assert solution.status is Status.optimal and solution.stats.engine == "highs"
    assert "highs: parts: 2 (2, 3 organisations)" in solution.stats.phases
    assert len(built) == (1 if tie_break else 0)
    assert solution.stats.tie_break == ("complete" if tie_break else "skipped")


def test_with_no_time_left_for_the_tie_break_the_optimum_is_reported_as_found(monkeypatch):
    """HiGHS proved the optimum but the time limit has passed: no CP-SAT model is built for the
    tie-break; the plan is reported optimal, its tie-break incomplete."""
    solve_module = sys.modules["hpplan.solve"]
    built = []
    real_build, real_race = solve_module._build, solve_module._objective_phase

    def late_race(*args):
        outcome = real_race(*args)
        time.sleep(1.0)  # the race ends past the 1 s time limit
        return outcome

    monkeypatch.setattr(solve_module, "_build", lambda *args: built.append(args) or real_build(*args))
    monkeypatch.setattr(solve_module, "_objective_phase", late_race)
    monkeypatch.setattr(sys.modules["hpplan.portfolio"], "HIGHS_MAX_COLUMNS", 15)
    solution = solved(two_parts(), time_limit=1)
    assert solution.status is Status.optimal and solution.stats.tie_break == "incomplete"
    assert built == []
