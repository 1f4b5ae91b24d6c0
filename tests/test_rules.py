"""Each rule and limit type on a tiny instance whose answer is known (docs/rules.md).

Every plan found here is also checked by the independent verifier (helpers.solved)."""

from __future__ import annotations

import dataclasses

from helpers import WINDOWS, build, org, solved, windows_of

from hpplan.solution import Status

MUNI_PROFILE = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
PRIMARY_5 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
]


def test_everyone_goes_live_in_the_first_window_when_nothing_binds():
    solution = solved(build([org("m1"), org("m2")]))
    assert solution.status is Status.optimal
    assert windows_of(solution) == {"m1": "w1", "m2": "w1"}
    # population 10 each, one month from January to February
    assert solution.objective["population_delay"] == 20


def test_earliest_and_latest():
    solution = solved(build([org("m1", earliest="2024-03-01"), org("m2", latest="2024-12-31", earliest="2024-10-01")]))
    assert windows_of(solution) == {"m1": "w2", "m2": "w4"}


def test_latest_before_every_window_is_infeasible():
    solution = solved(build([org("m1", latest="2024-01-31")]))
    assert solution.status is Status.infeasible
    assert solution.plan == []


def test_optional_actor_may_stay_out_and_mandatory_may_not():
    # the GP office can only go live after its municipality's last possible window: it stays out
    problem = build([org("m1", latest="2024-02-28"), org("g1", kind="gp_office", status="optional", earliest="2024-04-01")],
                    rules=[{"type": "with_or_before", "each": "gp_office"}])
    assert windows_of(solved(problem)) == {"m1": "w1", "g1": None}
    mandatory = build([org("m1", latest="2024-02-28"), org("g1", kind="gp_office", status="signed", earliest="2024-04-01")],
                      rules=[{"type": "with_or_before", "each": "gp_office"}])
    assert solved(mandatory).status is Status.infeasible


def test_with_or_before_holds_the_municipality_back_to_its_gp_office():
    problem = build([org("m1", population=100), org("g1", kind="gp_office", status="signed", population=1, earliest="2024-04-01")],
                    rules=[{"type": "with_or_before", "actor": "g1", "target": "m1"}])
    assert windows_of(solved(problem)) == {"m1": "w2", "g1": "w2"}


def test_each_gp_office_skips_municipalities_already_live():
    problem = build([org("m1", status="live", live_since="2023-11-04"),
                     org("g1", kind="gp_office", status="signed", municipality="m1")],
                    rules=[{"type": "with_or_before", "each": "gp_office"}])
    assert windows_of(solved(problem)) == {"m1": "h1", "g1": "w1"}


def test_together_moves_the_group_to_its_latest_earliest_date():
    problem = build([org("m1", earliest="2024-09-01"), org("m2"), org("m3")],
                    rules=[{"type": "together", "actors": ["m1", "m2"]}])
    assert windows_of(solved(problem)) == {"m1": "w3", "m2": "w3", "m3": "w1"}


def test_together_with_optional_members_all_or_none():
    problem = build([org("g1", status="optional", latest="2024-01-31"), org("g2", status="optional")],
                    rules=[{"type": "together", "actors": ["g1", "g2"]}])
    assert windows_of(solved(problem)) == {"g1": None, "g2": None}


def test_order_with_a_gap_in_windows():
    problem = build([org("a", earliest="2024-03-01"), org("b", population=1000)],
                    rules=[{"type": "order", "actors": ["a", "b"]}])
    assert windows_of(solved(problem)) == {"a": "w2", "b": "w3"}


def test_order_with_a_gap_in_months():
    problem = build([org("a", earliest="2024-03-01"), org("b")],
                    rules=[{"type": "order", "actors": ["a", "b"], "min_gap_windows": 0, "min_gap_months": 6}])
    # a in April 2024; b no earlier than October 2024: the November window
    assert windows_of(solved(problem)) == {"a": "w2", "b": "w4"}


def test_order_after_a_pinned_actor_and_before_one_is_infeasible():
    after = build([org("a", status="live", live_since="2023-11-04"), org("b")],
                  rules=[{"type": "order", "actors": ["a", "b"]}])
    assert windows_of(solved(after)) == {"a": "h1", "b": "w1"}
    before = build([org("a"), org("b", status="live", live_since="2023-11-04")],
                   rules=[{"type": "order", "actors": ["a", "b"]}])
    assert solved(before).status is Status.infeasible


def test_after_live_waits_for_the_preparation_months():
    profiles = [{"id": "municipality", "before": [1, 1, 1], "source": {"all": "estimate: test"}}]
    problem = build([org("a", earliest="2024-03-01"), org("b")], profiles=profiles,
                    rules=[{"type": "after_live", "first": "a", "then": "b"}])
    # a goes live in April (month 4); b's three preparation months start in month 5 at the earliest,
    # so b goes live in month 8 or later: the September window
    assert windows_of(solved(problem)) == {"a": "w2", "b": "w3"}


def test_not_same_window_and_the_lexicographic_tie_break():
    problem = build([org("m2"), org("m1")], rules=[{"type": "not_same_window", "actors": ["m1", "m2"]}])
    # equal populations: either order is optimal; the tie-break puts the smaller id first
    assert windows_of(solved(problem)) == {"m1": "w1", "m2": "w2"}


def test_max_actors_per_window_spreads_by_population():
    problem = build([org("small", population=1), org("big", population=100), org("mid", population=10)],
                    limits=[{"max_actors": 1}])
    assert windows_of(solved(problem)) == {"big": "w1", "mid": "w2", "small": "w3"}


def test_max_users_on_a_listed_window_only():
    problem = build([org("a", users=60, source={"all": "estimate: test"}), org("b", users=60, source={"all": "estimate: test"})],
                    limits=[{"windows": ["w1"], "max_users": 100}])
    plan = windows_of(solved(problem))
    assert sorted(plan.values()) == ["w1", "w2"]


def test_max_trusts_per_window():
    problem = build([org("t1", kind="health_trust", population=50), org("t2", kind="health_trust", population=10)],
                    limits=[{"max_trusts": 1}])
    assert windows_of(solved(problem)) == {"t1": "w1", "t2": "w2"}


def test_pool_capacity_spreads_the_load():
    # each go-live loads 3 FTE the month before and 3 in its month; the pool has 5
    problem = build([org("m1", population=20), org("m2")], profiles=MUNI_PROFILE, pools=PRIMARY_5)
    assert windows_of(solved(problem)) == {"m1": "w1", "m2": "w2"}


def test_pinned_history_loads_the_pool():
    profiles = [{"id": "municipality", "before": [3], "hypercare": [3, 3, 3], "source": {"all": "estimate: test"}}]
    problem = build([org("old", status="live", live_since="2023-11-04"), org("m1")], profiles=profiles, pools=PRIMARY_5)
    # the pinned go-live's hypercare runs Nov, Dec, Jan: January has 3 of 5 FTE left, not enough for m1's 3 + ...
    solution = solved(problem)
    assert windows_of(solution)["m1"] == "w2"
    january = next(p for p in solution.load if p.pool == "primary" and p.month == "2024-01")
    assert january.used == 3 and january.limit == 5


def test_capacity_change_from_a_month():
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 0, "changes": [{"from": "2024-08", "fte": 10}],
              "source": {"fte": "estimate: test"}}]
    problem = build([org("m1")], profiles=MUNI_PROFILE, pools=pools)
    assert windows_of(solved(problem)) == {"m1": "w3"}


def test_a_capacity_between_two_tenths_holds_the_tenth_below():
    # fte 5.95 was rounded to 6.0 (model and verifier alike): two go-lives of 3.0 in one window fit a pool
    # that has 5.95; the loads are whole tenths, so the pool holds 5.9
    from hpplan.verify import verify

    profiles = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 5.95, "source": {"fte": "estimate: test"}}]
    problem = build([org("m1", population=20), org("m2", population=20)], profiles=profiles, pools=pools)
    solution = solved(problem)
    windows = windows_of(solution)
    assert windows["m1"] != windows["m2"], windows
    assert max(p.used for p in solution.load if p.pool == "primary") == 3
    together = [a if a.id != "m2" else dataclasses.replace(a, window=windows["m1"], go_live=next(
        b.go_live for b in solution.plan if b.id == "m1")) for a in solution.plan]
    broken = verify(problem, dataclasses.replace(solution, plan=together, load=[]))
    assert any(v.rule == "capacity" and "exceeds capacity 5.9* FTE" in v.message for v in broken), broken


def test_a_live_organisation_s_window_among_two_on_its_date_is_the_first_by_id():
    # the model took the first listed, the verifier the first by id: the plan's history disagreed
    windows = [{"id": "hb", "date": "2023-11-04"}, {"id": "ha", "date": "2023-11-04"}, *WINDOWS[1:]]
    problem = build([org("old", status="live", live_since="2023-11-03"), org("m1")], windows=windows)
    assert problem.history_window_of(problem.org["old"]).id == "ha"
    assert windows_of(solved(problem))["old"] == "ha"  # solved(): the verifier agrees


def test_blackouts_for_everyone_and_by_kind():
    everyone = build([org("m1")], blackouts=[{"from": "2024-02-01", "to": "2024-02-29", "reason": "test"}])
    assert windows_of(solved(everyone)) == {"m1": "w2"}
    by_kind = build([org("m1"), org("t1", kind="health_trust")],
                    blackouts=[{"from": "2024-02-01", "to": "2024-04-30", "reason": "test", "kinds": ["health_trust"]}])
    assert windows_of(solved(by_kind)) == {"m1": "w1", "t1": "w3"}


def test_track_windows_restrict_members():
    problem = build([org("m1", track="KI2"), org("m2")], tracks=[{"id": "KI2", "windows": ["w4"]}])
    assert windows_of(solved(problem)) == {"m1": "w4", "m2": "w1"}


def test_opted_out_returns_or_stays_out():
    problem = build([org("back", status="opted_out", returns="2024-06-01"), org("out", status="opted_out")])
    assert windows_of(solved(problem)) == {"back": "w3", "out": None}


def test_preferred_window_pulls_against_population():
    problem = build([org("m1", population=1, preferred_window="w3")])
    solution = solved(problem)
    assert windows_of(solution) == {"m1": "w3"}
    assert solution.objective["preference"] == 0


def test_makespan_objective_finishes_as_early_as_possible():
    # one pool of 3 FTE; each organisation needs 3 FTE for its go-live month and the month after
    profiles = [{"id": "municipality", "hypercare": [3, 3], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 0, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 3, "source": {"fte": "estimate: test"}}]
    problem = build([org("m1"), org("m2", earliest="2024-04-01")], profiles=profiles, pools=pools,
                    objective={"kind": "makespan"})
    solution = solved(problem)
    # m2 cannot go before April; m1 in February keeps the pool free for m2: done after May 2024
    assert windows_of(solution) == {"m1": "w1", "m2": "w2"}
    assert solution.objective == {"makespan": 5.0, "total": 5.0}  # months January .. May, end exclusive


def test_a_plan_from_the_list_scheduler_when_cp_sat_finds_none_in_time(monkeypatch):
    import sys

    from ortools.sat.python import cp_model

    solve_module = sys.modules["hpplan.solve"]
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: cp_model.UNKNOWN)
    problem = build([org("m1", population=20), org("m2")], profiles=MUNI_PROFILE, pools=PRIMARY_5)
    solution = solved(problem, engine="cp-sat")  # the verifier checks the fallback plan too
    assert solution.status is Status.feasible
    assert solution.stats.found_by == "greedy" and solution.stats.proved_by is None
    assert set(windows_of(solution).values()) <= {"w1", "w2", "w3", "w4"}
