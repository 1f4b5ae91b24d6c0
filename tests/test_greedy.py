"""The greedy list scheduler (hpplan.greedy): every plan it makes keeps every rule (checked by the
independent verifier), it places units the way a careful planner would, and says when it is stuck."""

from __future__ import annotations

from pathlib import Path

from helpers import build, org, windows_of

from hpplan import load_problem, verify
from hpplan.greedy import schedule, solve_greedy
from hpplan.solution import Status

DATA = Path(__file__).resolve().parent.parent / "data"
PROFILE = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
PRIMARY_5 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
]


def small_instances():
    """Small instances, one or two rules each, that every engine must solve to the same optimum
    (imported by test_highs)."""
    return {
        "nothing-binds": build([org("m1"), org("m2")]),
        "earliest-latest": build([org("m1", earliest="2024-03-01"), org("m2", latest="2024-12-31", earliest="2024-10-01")]),
        "with-or-before": build([org("m1", population=100), org("g1", kind="gp_office", status="signed", population=1,
                                                                earliest="2024-04-01")],
                                rules=[{"type": "with_or_before", "actor": "g1", "target": "m1"}]),
        "gp-offices": build([org("m1", population=100, earliest="2024-04-01"),
                             org("g1", kind="gp_office", status="signed", population=0),
                             org("g2", kind="gp_office", status="optional", population=0, earliest="2024-10-01")],
                            rules=[{"type": "with_or_before", "each": "gp_office"}]),
        "together": build([org("m1", earliest="2024-09-01"), org("m2"), org("m3")],
                          rules=[{"type": "together", "actors": ["m1", "m2"]}]),
        "order-windows": build([org("a", earliest="2024-03-01"), org("b", population=1000)],
                               rules=[{"type": "order", "actors": ["a", "b"]}]),
        "order-months": build([org("a", earliest="2024-03-01"), org("b")],
                              rules=[{"type": "order", "actors": ["a", "b"], "min_gap_windows": 0, "min_gap_months": 6}]),
        "after-live": build([org("a", earliest="2024-03-01"), org("b")],
                            profiles=[{"id": "municipality", "before": [1, 1, 1], "source": {"all": "estimate: test"}}],
                            rules=[{"type": "after_live", "first": "a", "then": "b"}]),
        "not-same-window": build([org("m2"), org("m1", population=11)],
                                 rules=[{"type": "not_same_window", "actors": ["m1", "m2"]}]),
        "max-actors": build([org("small", population=1), org("big", population=100), org("mid", population=10)],
                            limits=[{"max_actors": 1}]),
        "max-trusts": build([org("t1", kind="health_trust", population=50), org("t2", kind="health_trust", population=10)],
                            limits=[{"max_trusts": 1}]),
        "capacity": build([org("m1", population=20), org("m2"), org("m3", population=5)], profiles=PROFILE, pools=PRIMARY_5),
        "pinned-load": build([org("old", status="live", live_since="2023-11-04"), org("m1")],
                             profiles=[{"id": "municipality", "before": [3], "hypercare": [3, 3, 3],
                                        "source": {"all": "estimate: test"}}], pools=PRIMARY_5),
        "blackout": build([org("m1"), org("t1", kind="health_trust")],
                          blackouts=[{"from": "2024-02-01", "to": "2024-04-30", "reason": "test", "kinds": ["health_trust"]}]),
        "preference": build([org("m1", population=1, preferred_window="w3"), org("m2", population=10**6, preferred_window="w3")]),
        "opted-out": build([org("back", status="opted_out", returns="2024-06-01"), org("out", status="opted_out")]),
        "capacity-and-precedence": build(
            [org("a", population=5), org("b", population=50), org("c", population=30, earliest="2024-04-01")],
            profiles=PROFILE, pools=PRIMARY_5,
            rules=[{"type": "order", "actors": ["a", "b"], "min_gap_windows": 1}]),
    }


def test_every_small_plan_verifies():
    for name, problem in small_instances().items():
        solution = solve_greedy(problem)
        assert solution.status is Status.feasible, name
        assert verify(problem, solution) == [], name


def test_shipped_data_plan_verifies_and_is_no_better_than_the_optimum():
    problem = load_problem(DATA)
    solution = solve_greedy(problem)
    assert solution.status is Status.feasible
    assert verify(problem, solution) == []
    assert solution.stats.engine == "greedy" and solution.stats.best_bound is None
    # the CP-SAT optimum of the shipped data is 6,692,597 (docs/benchmarks.md); the greedy plan is close
    assert 6_692_597 <= solution.objective["total"] <= 1.05 * 6_692_597
    # the trusts go live with their hospitals and in the decided order
    plan = windows_of(solution)
    assert plan["helse-more-og-romsdal"] == plan["volda-sjukehus"] == plan["molde-sjukehus"]
    assert plan["helse-nord-trondelag"] == plan["sykehuset-levanger"]
    assert plan["helse-more-og-romsdal"] < plan["helse-nord-trondelag"]


def test_largest_population_first_and_earliest_feasible_window():
    problem = build([org("small", population=1), org("big", population=100), org("mid", population=10)],
                    limits=[{"max_actors": 1}])
    assert schedule(problem).windows == {"big": "w1", "mid": "w2", "small": "w3"}


def test_gp_offices_go_live_with_their_municipality_or_before():
    problem = small_instances()["gp-offices"]
    plan = schedule(problem).windows
    # the mandatory office joins its municipality's window; the optional one (earliest after it) stays out
    assert plan == {"m1": "w2", "g1": "w2", "g2": None}


def test_together_and_order_are_kept():
    plan = schedule(small_instances()["together"]).windows
    assert plan["m1"] == plan["m2"] == "w3" and plan["m3"] == "w1"
    plan = schedule(small_instances()["order-windows"]).windows
    assert plan == {"a": "w2", "b": "w3"}


def test_stuck_when_a_mandatory_organisation_fits_nowhere():
    problem = build([org("m1", latest="2024-01-31")])
    plan = schedule(problem)
    assert plan.stuck == ["m1"]
    solution = solve_greedy(problem)
    assert solution.status is Status.unknown and solution.plan == []


def test_multi_pass_is_seeded_no_worse_than_one_pass_and_verifies():
    from hpplan.engines.common import flatten, objective_terms
    from hpplan.greedy import multi_pass

    problem = small_instances()["capacity-and-precedence"]
    flat = flatten(problem)
    one = schedule(problem, flat)
    best = multi_pass(problem, passes=10, seed=3, flat=flat)
    again = multi_pass(problem, passes=10, seed=3, flat=flat)
    assert best.windows == again.windows
    value = lambda plan: objective_terms(flat, {o: plan.chosen.get(o) for o in flat.plannable})["total"]  # noqa: E731
    assert value(best) <= value(one)
    from hpplan.engines.common import to_solution
    from hpplan.solution import SolveStats

    solution = to_solution(flat, {o: best.chosen.get(o) for o in flat.plannable}, Status.feasible, SolveStats())
    assert verify(problem, solution) == []


def test_a_unit_with_one_window_goes_first():
    # one organisation a window; m2 can only go live in w1 (its earliest and latest dates meet): placed
    # after the larger m1 it would find w1 taken and the scheduler stuck
    p = build([org("m1", population=100), org("m2", population=1, earliest="2024-02-10", latest="2024-02-10")],
              limits=[{"max_actors": 1}])
    plan = schedule(p)
    assert plan.stuck == []
    assert plan.windows == {"m1": "w2", "m2": "w1"}
    solution = solve_greedy(p)
    assert verify(p, solution) == []


def test_multi_pass_ends_its_passes_at_a_stop_once_it_has_a_plan(monkeypatch):
    # a Ctrl-C during a makespan solve's list schedule waited for all 30 passes (2.65 s at national scale)
    import hpplan.greedy as greedy
    from hpplan.engines.common import flatten

    problem = small_instances()["capacity-and-precedence"]
    passes = []
    real = greedy.schedule

    def counted(*args, **kwargs):
        passes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(greedy, "schedule", counted)
    plan = greedy.multi_pass(problem, passes=10, seed=3, flat=flatten(problem), stopped=lambda: True)
    assert len(passes) == 1 and not plan.stuck  # the first pass, which it keeps
    passes.clear()
    greedy.multi_pass(problem, passes=10, seed=3, flat=flatten(problem), stopped=lambda: False)
    assert len(passes) == 11
