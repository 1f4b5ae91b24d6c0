"""Explanations of infeasibility and of "why not earlier?" (src/hpplan/explain.py, docs/check.md).

The crafted data sets in tests/data/infeasible_* have minimal conflicts known by construction (their
organisations.yaml says which); the explanation must name exactly those, each conflict must be minimal
(drop any one group and the rest can hold), and every suggested change must really make the data
feasible. Every plan produced here goes through the independent verifier (helpers.solved)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from helpers import build, line_of, org, solved, windows_of
from ortools.sat.python import cp_model

from hpplan.explain import (Explanation, Outcome, Switchboard, explain_infeasible, is_minimal_conflict,
                            plan_objective, why_not_earlier)
from hpplan.loader import load_problem
from hpplan.model import build_model
from hpplan.problem import Problem
from hpplan.schema import CapacityChange
from hpplan.solution import Assignment, Solution, Status

DATA = Path(__file__).parent / "data"

#: the minimal conflicts each crafted data set has, by construction
KNOWN_CONFLICTS = {
    "infeasible_gp_office": [
        {"rule#1:vanylven-legesenter", "mandatory:vanylven", "mandatory:vanylven-legesenter",
         "earliest:vanylven-legesenter", "latest:vanylven"},
    ],
    "infeasible_capacity": [
        {"mandatory:hareid", "mandatory:ulstein", "latest:hareid", "latest:ulstein", "capacity:primary@2024-02"},
    ],
    "infeasible_three": [
        {"rule#1"},
        {"mandatory:vanylven", "earliest:vanylven", "latest:vanylven", "blackout#1"},
        {"mandatory:helse-more-og-romsdal", "mandatory:helse-nord-trondelag", "latest:helse-more-og-romsdal",
         "latest:helse-nord-trondelag", "limit#1.max_trusts@2024-02"},
    ],
}


@functools.cache
def problem(name: str) -> Problem:
    return load_problem(DATA / name)


@functools.cache
def explanation(name: str) -> Explanation:
    return explain_infeasible(problem(name))


# --------------------------------------------------------------------------------------------------
# conflicts


@pytest.mark.parametrize("name", sorted(KNOWN_CONFLICTS))
def test_the_explanation_names_exactly_the_known_conflicts(name):
    assert solved(problem(name)).status is Status.infeasible  # the normal model agrees: no plan
    found = explanation(name)
    assert not found.feasible and found.complete
    assert {frozenset(c.keys) for c in found.conflicts} == {frozenset(k) for k in KNOWN_CONFLICTS[name]}


@pytest.mark.parametrize("name", sorted(KNOWN_CONFLICTS))
def test_each_conflict_is_minimal(name):
    for conflict in explanation(name).conflicts:
        assert is_minimal_conflict(problem(name), conflict.keys), conflict.keys


def test_the_explanation_is_deterministic():
    again = explain_infeasible(problem("infeasible_three"))
    assert again.to_json_dict() == explanation("infeasible_three").to_json_dict()
    assert again.to_text() == explanation("infeasible_three").to_text()


def test_each_rule_is_named_in_plain_words_with_its_line_actors_and_dates():
    folder = DATA / "infeasible_gp_office"
    reasons = {r.key: r for r in explanation("infeasible_gp_office").conflicts[0].reasons}
    rule = reasons["rule#1:vanylven-legesenter"]
    assert "Vanylven legesenter must go live with or before Vanylven" in rule.message
    assert rule.actors == ("vanylven-legesenter", "vanylven")
    assert (rule.where.file, rule.where.line) == (str(folder / "waves.yaml"), line_of(folder / "waves.yaml", "with_or_before"))
    earliest = reasons["earliest:vanylven-legesenter"]
    assert "2024-12-07" in earliest.message and "window 2025-02 (2025-02-08)" in earliest.message
    assert earliest.where.line == line_of(folder / "organisations.yaml", "earliest: 2024-12-07")
    latest = reasons["latest:vanylven"]
    assert "2024-11-16" in latest.message and "window 2024-11 (2024-11-09)" in latest.message
    assert latest.where.line == line_of(folder / "organisations.yaml", "latest: 2024-11-16")
    assert reasons["mandatory:vanylven"].where.line == line_of(folder / "organisations.yaml", "status: planned")
    # the report order: the rule first, then the organisations' own rules, in data order
    assert list(reasons) == ["rule#1:vanylven-legesenter", "mandatory:vanylven", "mandatory:vanylven-legesenter",
                             "earliest:vanylven-legesenter", "latest:vanylven"]


def test_limit_capacity_and_blackout_sentences():
    three = {r.key: r for c in explanation("infeasible_three").conflicts for r in c.reasons}
    limit = three["limit#1.max_trusts@2024-02"]
    # the limit has no `fact:` note: marked as an estimate, as a capacity without one is
    assert limit.message == "limit #1: at most 1* health trust may go live in window 2024-02 (2024-02-10)"
    assert limit.estimate and limit.to_json()["estimate"]
    assert limit.where.line == line_of(DATA / "infeasible_three" / "waves.yaml", "max_trusts: 1")
    blackout = three["blackout#1"]
    assert "2024-04-20 to 2024-04-30 (Easter (test data))" in blackout.message
    assert "window 2024-04 (2024-04-27) to Vanylven" in blackout.message and blackout.actors == ("vanylven",)
    capacity = {r.key: r for r in explanation("infeasible_capacity").conflicts[0].reasons}["capacity:primary@2024-02"]
    assert capacity.message.startswith("pool primary has 5* FTE in 2024-02")
    assert capacity.actors == ("hareid", "ulstein")


def test_pinned_history_is_named_but_never_part_of_the_conflict():
    conflict = next(c for c in explanation("infeasible_three").conflicts if c.keys == ["rule#1"])
    assert [g.key for g in conflict.given] == ["pinned:alesund"]
    assert conflict.given[0].message == "Ålesund went live on 2023-11-04"
    assert conflict.given[0].where.line == line_of(DATA / "infeasible_three" / "organisations.yaml", "live_since")
    assert [r.message for r in conflict.relaxations] == ["drop rule #1 'alesund-haram'"]


def test_feasible_data_has_nothing_to_explain():
    found = explain_infeasible(load_problem(DATA / "tiny"))
    assert found.feasible and found.conflicts == []
    assert found.to_text() == "A plan exists that satisfies every rule and limit.\n"


# --------------------------------------------------------------------------------------------------
# relaxations


def test_relaxations_smallest_first():
    conflict = explanation("infeasible_gp_office").conflicts[0]
    assert [r.message for r in conflict.relaxations] == [
        "move Vanylven legesenter's earliest date from 2024-12-07 to 2024-11-09 (1 window earlier: "
        "window 2024-11 (2024-11-09))",
        "move Vanylven's latest date from 2024-11-16 to 2025-02-08 (1 window later: window 2025-02 (2025-02-08))",
        "let Vanylven legesenter go live after Vanylven (an exception to rule #1 (with_or_before))",
        "let Vanylven stay unscheduled (status optional)",
        "let Vanylven legesenter stay unscheduled (status optional)",
    ]
    capacity = explanation("infeasible_capacity").conflicts[0].relaxations
    assert [r.kind for r in capacity] == ["latest", "latest", "capacity", "mandatory", "mandatory"]
    assert capacity[2].message == "+1 FTE in pool primary in 2024-02"
    limits = [r.message for c in explanation("infeasible_three").conflicts for r in c.relaxations if r.kind == "limit"]
    assert limits == ["raise limit #1 max_trusts in window 2024-02 (2024-02-10) from 1 to 2 (+1)"]
    blackouts = [r.message for c in explanation("infeasible_three").conflicts for r in c.relaxations
                 if r.kind == "blackout"]
    assert blackouts == ["let Vanylven go live in window 2024-04 (2024-04-27) despite the blackout 2024-04-20 to "
                         "2024-04-30 (Easter (test data))"]


def _with_org(problem: Problem, org_id: str, **changes) -> Problem:
    orgs = [o.model_copy(update=changes) if o.id == org_id else o for o in problem.organisations]
    return Problem(orgs, problem.waves, problem.data_dir)


def _with_primary_fte(problem: Problem, month: str, fte: float) -> Problem:
    """The problem with the primary pool at `fte` in one month only."""
    pools = []
    for pool in problem.waves.pools:
        if pool.id == "primary":
            after = pool.fte_in(f"{month[:4]}-{int(month[5:]) + 1:02d}")
            changes = [CapacityChange.model_validate({"from": month, "fte": fte}),
                       CapacityChange.model_validate({"from": f"{month[:4]}-{int(month[5:]) + 1:02d}", "fte": after})]
            pool = pool.model_copy(update={"changes": list(pool.changes) + changes})
        pools.append(pool)
    return Problem(problem.organisations, problem.waves.model_copy(update={"pools": pools}), problem.data_dir)


def test_suggested_changes_make_the_data_feasible_and_are_the_smallest():
    gp = problem("infeasible_gp_office")
    moved = solved(_with_org(gp, "vanylven-legesenter", earliest=dt.date(2024, 11, 9)))
    assert moved.status is Status.optimal
    assert windows_of(moved)["vanylven-legesenter"] == "2024-11"
    assert solved(_with_org(gp, "vanylven", latest=dt.date(2025, 2, 8))).status is Status.optimal
    capacity = problem("infeasible_capacity")
    assert solved(_with_primary_fte(capacity, "2024-02", 6)).status is Status.optimal
    assert solved(_with_primary_fte(capacity, "2024-02", 5.9)).status is Status.infeasible  # +1 is the least


# --------------------------------------------------------------------------------------------------
# the machinery


def test_a_core_that_names_something_else_is_checked_before_it_is_trusted():
    board = Switchboard(problem("infeasible_gp_office"))
    conflict = explanation("infeasible_gp_office").conflicts[0].keys
    # a core that lost a literal (OR-Tools #5141) and is not infeasible on its own: not used
    assert board.narrowed(board.keys, Outcome(False, ["mandatory:vanylven"], exact=False)) == board.keys
    # one that lost a literal but is infeasible: used
    assert board.narrowed(board.keys, Outcome(False, conflict, exact=False)) == conflict
    assert board.minimal(board.keys) == conflict


@pytest.mark.parametrize("name", sorted(KNOWN_CONFLICTS))
def test_quickxplain_without_cores_finds_a_known_conflict(name):
    # what the search falls back to when solves with assumptions take too long on large data
    board = Switchboard(problem(name))
    board.cores = False
    conflict = board.minimal(board.keys)
    assert set(conflict) in KNOWN_CONFLICTS[name] and not board.unproven
    assert is_minimal_conflict(problem(name), conflict)


def test_a_conflict_not_proven_minimal_says_so(monkeypatch):
    import hpplan.explain as explain

    monkeypatch.setattr(explain, "MAX_UNDECIDED", 0)  # every shrinking solve counts as undecided
    found = explain_infeasible(problem("infeasible_capacity"), relax=False)
    conflict = found.conflicts[0]
    assert set(conflict.unproven) == set(conflict.keys) >= KNOWN_CONFLICTS["infeasible_capacity"][0]
    assert "some may not be needed" in found.to_text() and "not proven minimal" in found.to_text()
    assert conflict.to_json()["minimal"] is False


@pytest.mark.parametrize("case", ["tiny", "rules"])
def test_the_switchable_model_with_every_switch_on_is_the_normal_model(case):
    if case == "tiny":
        p = load_problem(DATA / "tiny")
    else:
        p = build([org("m1", earliest="2024-03-01", track="KI2"), org("m2", latest="2024-10-01", population=50),
                   org("t1", kind="health_trust", population=90), org("t2", kind="health_trust", population=5),
                   org("back", status="opted_out", returns="2024-05-01")],
                  rules=[{"type": "order", "actors": ["t1", "t2"]}], limits=[{"max_trusts": 1, "max_actors": 2}],
                  tracks=[{"id": "KI2", "windows": ["w2", "w4"]}],
                  blackouts=[{"from": "2024-09-01", "to": "2024-09-30", "reason": "test", "kinds": ["municipality"]}])
    optimum = solved(p).objective["total"]
    rollout = build_model(p, switchable=True)
    for literal in rollout.switches.literal.values():
        rollout.model.add(literal == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(rollout.model) == cp_model.OPTIMAL
    assert solver.objective_value == optimum


# --------------------------------------------------------------------------------------------------
# why not earlier


def test_why_not_earlier_names_the_rules_that_forbid_it():
    p = build([org("m1", earliest="2024-03-01"), org("m2", population=1000)], rules=[{"type": "order", "actors": ["m1", "m2"]}])
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w2", "m2": "w3"}
    answer = why_not_earlier(p, "m2", plan)
    assert answer.verdict == "blocked" and (answer.window, answer.earlier) == ("w3", "w2")
    assert set(answer.conflict.keys) == {"rule#1", "earliest:m1"}

    def at_w2(rollout):
        rollout.model.add(rollout.variables.go_live["m2", "w2"] == 1)

    assert is_minimal_conflict(p, answer.conflict.keys, hypothesis=at_w2)
    assert "not one window earlier in window w2 (2024-04-27)" in answer.to_text()


def test_why_not_earlier_blocked_by_its_own_dates_track_or_blackout():
    # the question confines the organisation to the earlier window: its own restrictions still hold
    p = build([org("m1", earliest="2024-03-01"), org("m2", latest="2024-02-28", population=1),
               org("m3", track="KI2"), org("m4", kind="gp_office", status="signed", municipality="m9"),
               org("m9", population=1, earliest="2024-09-01")],
              tracks=[{"id": "KI2", "windows": ["w2", "w4"]}], rules=[{"type": "with_or_before", "each": "gp_office"}],
              blackouts=[{"from": "2024-02-01", "to": "2024-02-28", "reason": "test", "kinds": ["gp_office"]}])
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w2", "m2": "w1", "m3": "w2", "m4": "w2", "m9": "w3"}
    assert why_not_earlier(p, "m1", plan).conflict.keys == ["earliest:m1"]
    assert why_not_earlier(p, "m3", plan).conflict.keys == ["track:m3"]
    assert why_not_earlier(p, "m4", plan).conflict.keys == ["blackout#1"]


def test_why_not_earlier_when_only_the_objective_holds_it_back():
    profile = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}}]
    p = build([org("m1", population=100), org("m2", population=1), org("m3", population=5)], profiles=profile, pools=pools)
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w1", "m3": "w2", "m2": "w3"}
    assert plan_objective(p, plan) == {k: v for k, v in plan.objective.items() if k != "total"}
    answer = why_not_earlier(p, "m3", plan)
    assert answer.verdict == "objective" and answer.proven
    # m3 two months earlier (5 x 2 fewer person-months), m1 two months later (100 x 2 more)
    assert answer.objective_change == {"population_delay": 190.0, "preference": 0.0, "total": 190.0}
    assert answer.moves == ["M1 moves from window w1 (2024-02-10) to window w2 (2024-04-27)"]
    assert answer.alone.keys == ["capacity:primary@2024-01"]  # on its own it would overload January


def _only_the_objective() -> tuple[Problem, Solution]:
    """m3 one window earlier pushes m1 out of w1 (test_why_not_earlier_when_only_the_objective_holds_it_back)."""
    profile = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}}]
    p = build([org("m1", population=100), org("m2", population=1), org("m3", population=5)], profiles=profile, pools=pools)
    return p, solved(p)


def test_why_not_earlier_fewest_moves_by_highs_and_by_cp_sat_agree(monkeypatch):
    from hpplan import explain

    p, plan = _only_the_objective()
    by_highs = why_not_earlier(p, "m3", plan)
    assert by_highs.proven and by_highs.fewest_moves and by_highs.at_least is None
    monkeypatch.setattr(explain, "mip_at_optimum_applies", lambda flat: False)
    by_cp_sat = why_not_earlier(p, "m3", plan)
    assert by_cp_sat.to_json_dict() == by_highs.to_json_dict()
    assert by_highs.moves == ["M1 moves from window w1 (2024-02-10) to window w2 (2024-04-27)"]


def test_why_not_earlier_asks_about_that_window_when_another_has_the_same_date():
    # w1 and w1b share a date; one window before m3's w2 is w1b (windows by date, then id): the answer
    # must be about m3 in w1b, not in w1, which m3 prefers
    windows = [{"id": "h1", "date": "2023-11-04"}, {"id": "w1", "date": "2024-02-10"},
               {"id": "w1b", "date": "2024-02-10"}, {"id": "w2", "date": "2024-04-27"},
               {"id": "w3", "date": "2024-09-14"}]
    p = build([org("m1", population=100), org("m2", population=100), org("m3", population=5, preferred_window="w1")],
              windows=windows, limits=[{"max_actors": 1}], objective={"preferred_window_penalty": 1})
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w1", "m2": "w1b", "m3": "w2"}
    answer = why_not_earlier(p, "m3", plan)
    assert answer.earlier == "w1b" and answer.verdict == "objective"
    assert answer.moves == ["M2 moves from window w1b (2024-02-10) to window w2 (2024-04-27)"]


def test_why_not_earlier_when_the_switchable_model_does_not_decide(monkeypatch):
    # national scale: neither the list schedule nor the switchable model's feasibility solve settles
    # whether the move is possible; a plan of the solve on the confined data then says it is
    from hpplan import explain
    from hpplan.explain import Undecided

    p, plan = _only_the_objective()
    expected = why_not_earlier(p, "m3", plan).to_json_dict()
    real, calls = Switchboard.decide, []

    def first_undecided(self, keys):
        calls.append(keys)
        if len(calls) == 1:
            raise Undecided("no answer within the work limit")
        return real(self, keys)

    monkeypatch.setattr(explain, "plan_exists", lambda problem: False)
    monkeypatch.setattr(Switchboard, "decide", first_undecided)
    assert why_not_earlier(p, "m3", plan).to_json_dict() == expected
    assert len(calls) == 2  # the question's (undecided), then moving it alone
    # where no plan exists either, the answer is undecided
    blocked = build([org("m1", earliest="2024-03-01"), org("m2", population=1000)], rules=[{"type": "order", "actors": ["m1", "m2"]}])
    calls.clear()
    with pytest.raises(Undecided, match=r"no plan has M2 in window w2 .*, but what forbids it was not found"):
        why_not_earlier(blocked, "m2", solved(blocked))


def test_why_not_earlier_above_highs_reach_lists_the_best_plans_own_moves(monkeypatch):
    # national scale (above 20,000 window variables): no search for fewer moves (CP-SAT finds no plan
    # at that objective there); the moves are those of the best plan found, and the answer says so
    from hpplan import explain

    p, plan = _only_the_objective()
    monkeypatch.setattr(explain, "HIGHS_MAX_COLUMNS", 0)
    monkeypatch.setattr(explain, "mip_at_optimum_applies", lambda flat: False)
    monkeypatch.setattr(explain, "_fewest_moves_cp_sat", lambda *a: pytest.fail("searched at national scale"))
    monkeypatch.setattr(explain, "_least_change", lambda *a: None)  # none found in time (below: found)
    answer = why_not_earlier(p, "m3", plan)
    assert answer.verdict == "objective" and answer.proven and not answer.fewest_moves
    assert answer.objective_change["total"] == 190
    assert "in that plan (the fewest other moves found, not proven the fewest):" in answer.to_text()


def test_why_not_earlier_above_highs_reach_re_plans_for_the_least_change(monkeypatch):
    # national scale: the best plan found and the plan asked about are both cut short, so their
    # difference is hundreds of moves; re-planning the plan asked about (`solve --baseline`) with the
    # organisation there gives what the move takes at the least. Here it is as good as the best plan
    # found, so it is that plan, and its moves are proven the fewest (nothing was kept back: every
    # organisation goes live within the months re-planned)
    from hpplan import explain

    p, plan = _only_the_objective()
    monkeypatch.setattr(explain, "HIGHS_MAX_COLUMNS", 0)
    monkeypatch.setattr(explain, "mip_at_optimum_applies", lambda flat: False)
    monkeypatch.setattr(explain, "LEAST_CHANGE_MONTHS", 120)  # every go-live within reach: none kept
    answer = why_not_earlier(p, "m3", plan)
    assert answer.verdict == "objective" and answer.proven and answer.fewest_moves and answer.least_change is None
    assert answer.objective_change["total"] == 190
    assert answer.moves == ["M1 moves from window w1 (2024-02-10) to window w2 (2024-04-27)"]
    # with organisations kept back (none may move but those going live in the window's own month), the
    # same plan, but its moves are not proven the fewest of all
    monkeypatch.setattr(explain, "LEAST_CHANGE_MONTHS", 0)
    kept = why_not_earlier(p, "m3", plan)
    assert kept.moves == answer.moves and kept.objective_change == answer.objective_change
    assert not kept.fewest_moves


def test_least_change_keeps_the_organisations_far_from_the_window():
    # the neighbourhood re-planned: go-lives within the months given of the window asked about move,
    # the others are kept (their dates narrowed to their window), optional ones left out stay out
    from hpplan.explain import _kept_far_from

    windows = [{"id": f"w{i}", "date": day} for i, day in
               enumerate(["2024-02-10", "2024-04-27", "2024-09-14", "2025-02-08", "2026-02-07"], start=1)]
    p = build([org("a"), org("b"), org("c"), org("x"), org("o", status="optional", population=0)], windows=windows)
    plan = Solution(Status.feasible, plan=[
        Assignment(o, o, "municipality", "primary", p.window[w].date if w else None, w, False)
        for o, w in (("a", "w1"), ("b", "w3"), ("c", "w5"), ("x", "w4"), ("o", None))])
    kept, count = _kept_far_from(p, plan, "x", p.window["w3"], 9)
    assert count == 2  # c (17 months from w3) and o (optional, unscheduled)
    assert (kept.org["c"].earliest, kept.org["c"].latest) == (p.window["w5"].date, p.window["w5"].date)
    assert kept.org["o"].status.value == "opted_out" and not kept.org["o"].is_plannable
    assert kept.org["a"] == p.org["a"] and kept.org["b"] == p.org["b"] and kept.org["x"] == p.org["x"]


def test_the_least_change_is_shown_apart_when_the_best_plan_found_is_better():
    from hpplan.explain import LeastChange, WhyNotEarlier

    answer = WhyNotEarlier("x", "X", "undecided", "Why?", "w2", "w1", objective_change={"total": 5.0},
                           moves=[f"O{i} moves" for i in range(300)], proven=False, at_least=-3.0,
                           fewest_moves=False,
                           least_change=LeastChange(["A moves from w1 to w2"], {"total": 12.0}, True))
    text = answer.to_text()
    assert "in that plan 300 other organisations move (not proven the fewest; what it takes at the least follows)" in text
    assert "O1 moves" not in text  # the noise of two plans cut short is not listed
    assert "the least change to this plan with X there: 1 other organisation moves, the objective +12:\n" \
           "  - A moves from w1 to w2" in text
    assert answer.to_json_dict()["least_change"] == {"moves": ["A moves from w1 to w2"],
                                                     "objective_change": {"total": 12}, "fewest_moves": True}
    assert len(answer.to_json_dict()["moves"]) == 300


def test_why_not_earlier_when_the_plan_there_is_as_good():
    # one organisation a window, equal populations: m2 in w1 costs what m1 there does
    p = build([org("m1"), org("m2")], limits=[{"max_actors": 1}])
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w1", "m2": "w2"}  # the tie-break: m1 first, as early as possible
    answer = why_not_earlier(p, "m2", plan)
    assert answer.verdict == "objective" and answer.objective_change["total"] == 0
    assert "is as good: the objective does not prefer either" in answer.to_text()
    assert answer.moves == ["M1 moves from window w1 (2024-02-10) to window w2 (2024-04-27)"]


def unproven(monkeypatch, below: int) -> None:
    """hpplan.solve.solve reports its plans unproven, with a best bound `below` under their objective."""
    import sys

    module = sys.modules["hpplan.solve"]
    real = module.solve

    def solve(problem, options):
        solution = real(problem, options)
        solution.status = Status.feasible
        solution.stats.best_bound = solution.objective["total"] - below
        return solution

    monkeypatch.setattr(module, "solve", solve)


def test_why_not_earlier_without_a_proof_says_how_much_worse_at_least(monkeypatch):
    p, plan = _only_the_objective()
    unproven(monkeypatch, 50)  # the best plan with m3 in w2 is 190 worse; its bound: at least 140
    answer = why_not_earlier(p, "m3", plan)
    assert answer.verdict == "objective" and not answer.proven
    assert answer.at_least == 140 and answer.objective_change["total"] == 190
    # marked: the change rests on the test data's estimated populations (s27)
    assert "is worse by at least 140* (not proven within the time limit; the best one found is worse by 190*)" \
        in answer.to_text()
    assert answer.to_json_dict()["objective_change_at_least"] == 140


def test_why_not_earlier_undecided_when_the_bound_allows_a_plan_as_good(monkeypatch):
    p, plan = _only_the_objective()
    unproven(monkeypatch, 500)  # the bound allows a plan 310 better than this one: nothing is decided
    answer = why_not_earlier(p, "m3", plan)
    assert answer.verdict == "undecided" and answer.at_least == -310
    assert "not decided within the time limit whether a plan with M3 in window w1 (2024-02-10) is as good " \
           "as this one: the best one found is worse by 190*, and the bound does not rule out one better by " \
           "310* (raise --time-limit)" in answer.to_text()  # marked: estimated populations (s27)


def test_why_not_earlier_at_regional_scale_is_answered_and_proven(tmp_path: Path):
    # 100 organisations, 16 windows: the best plan with a municipality one window earlier was once asked
    # of CP-SAT alone on the switchable model, which did not prove it within 30 s ("undecided"); the
    # race of `hpplan solve` proves it, and HiGHS the fewest moves
    from hpplan.generate import write_instance
    from hpplan.solve import SolveOptions, solve

    write_instance(tmp_path, "region", 1)
    p = load_problem(tmp_path)
    plan = solve(p, SolveOptions(time_limit=120, tie_break=False))
    assert plan.status is Status.optimal
    first = p.future_windows[0].id
    municipalities = sorted((a for a in plan.plan if a.kind == "municipality" and a.window not in (None, first)
                             and not a.pinned), key=lambda a: (-p.org[a.id].population, a.id))
    for entry in municipalities:
        answer = why_not_earlier(p, entry.id, plan, time_limit=120)
        assert answer.verdict in ("blocked", "objective"), answer.to_text()
        if answer.verdict == "objective":
            break
    assert answer.verdict == "objective" and answer.proven and answer.fewest_moves
    assert answer.objective_change["total"] >= 0  # the plan is optimal
    assert answer.moves and answer.to_text().count(" moves from ") == len(answer.moves)


def test_why_not_earlier_for_an_unscheduled_organisation():
    p = build([org("m1", latest="2024-02-28"), org("g1", kind="gp_office", status="optional", earliest="2024-04-01")],
              rules=[{"type": "with_or_before", "each": "gp_office"}])
    plan = solved(p)
    answer = why_not_earlier(p, "g1", plan)
    assert answer.verdict == "blocked" and answer.earlier is None
    assert set(answer.conflict.keys) == {"rule#1:g1", "earliest:g1", "latest:m1", "mandatory:m1"}
    assert answer.to_text().startswith("Why is G1 not scheduled?")


def test_why_not_earlier_trivial_answers():
    p = build([org("m1"), org("old", status="live", live_since="2023-11-04")])
    plan = solved(p)
    first = why_not_earlier(p, "m1", plan)
    assert first.verdict == "first_window" and "on the first date with a window from the planning date on" in first.to_text()
    assert why_not_earlier(p, "old", plan).verdict == "pinned"
    from hpplan.errors import InputError

    with pytest.raises(InputError, match="did you mean 'm1'"):
        why_not_earlier(p, "m11", plan)


# --------------------------------------------------------------------------------------------------
# the model follows docs/rules.md (normal and switchable alike); every plan passes the verifier


def test_after_live_lets_preparation_start_in_the_first_go_live_month():
    profiles = [{"id": "municipality", "before": [1, 1], "source": {"all": "estimate: test"}}]
    windows = [{"id": "h1", "date": "2023-11-04"}, {"id": "w1", "date": "2024-02-10"},
               {"id": "w2", "date": "2024-04-06"}, {"id": "w3", "date": "2024-05-04"}]
    p = build([org("a", earliest="2024-02-01"), org("b", population=1000)], profiles=profiles, windows=windows,
              rules=[{"type": "after_live", "first": "a", "then": "b"}])
    # a in February; b's two months of preparation may start in February: b goes live in April
    assert windows_of(solved(p)) == {"a": "w1", "b": "w2"}


def test_a_limit_with_kinds_counts_only_those_kinds():
    p = build([org("m1"), org("m2"), org("g1", kind="gp_office", status="signed")],
              limits=[{"max_actors": 2, "kinds": ["municipality"]}])
    assert windows_of(solved(p)) == {"m1": "w1", "m2": "w1", "g1": "w1"}
    tight = build([org("m1"), org("m2"), org("g1", kind="gp_office", status="signed")],
                  limits=[{"max_actors": 1, "kinds": ["municipality"]}])
    assert sorted(windows_of(solved(tight)).values()) == ["w1", "w1", "w2"]


def test_a_profile_loads_the_pool_it_names():
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "trainers", "fte": 4, "source": {"fte": "estimate: test"}}]
    profiles = [{"id": "municipality", "hypercare": [1], "source": {"all": "estimate: test"}},
                {"id": "training", "pool": "trainers", "hypercare": [3], "source": {"all": "estimate: test"}}]
    p = build([org("m1", population=20, load_profile=["municipality", "training"]),
               org("m2", load_profile=["municipality", "training"])], pools=pools, profiles=profiles)
    # 3 + 3 trainers do not fit in 4: one window each
    assert windows_of(solved(p)) == {"m1": "w1", "m2": "w2"}
    # both in February: 3 + 3 trainers do not fit in 4, while the primary pool has room
    explained = explain_infeasible(build([org("m1", latest="2024-03-01", load_profile=["municipality", "training"]),
                                          org("m2", latest="2024-03-01", load_profile=["municipality", "training"])],
                                         pools=pools, profiles=profiles))
    assert [r.message for r in explained.conflicts[0].relaxations if r.kind == "capacity"] == \
        ["+2 FTE in pool trainers in 2024-02"]


def test_an_undecided_solve_says_what_to_do():
    from hpplan.explain import Undecided

    board = Switchboard(load_problem(Path(__file__).resolve().parent.parent / "data"), time_limit=1e-6)
    model = board.trial(board.keys)
    model.minimize(board.rollout.total)
    with pytest.raises(Undecided, match=r"within the work limit of 1e-06 s .*raise --time-limit"):
        board.run(model)


@pytest.mark.parametrize("before, says", [
    ([1, 1], "B's 2 months of preparation start only after A is live: it goes live at least 2 months after A's"),
    ([], "B goes live only once A is: in the same window or later"),
])
def test_an_after_live_conflict_says_the_gap_the_rule_needs(before, says):
    # docs/rules.md: month(B) - len(B's before) >= month(A); the text said one month more (3 for 2)
    windows = [{"id": "w1", "date": "2024-02-10"}, {"id": "w2", "date": "2024-03-09"}]
    profiles = [{"id": "health_trust", "before": before, "hypercare": [1], "source": {"all": "estimate: test"}}]
    p = build([org("a", kind="health_trust", earliest="2024-03-01"),
               org("b", kind="health_trust", latest="2024-02-10" if not before else "2024-03-09")],
              windows=windows, profiles=profiles, rules=[{"type": "after_live", "first": "a", "then": "b"}])
    text = explain_infeasible(p).to_text()
    assert says in text, text


def test_a_limit_on_some_kinds_says_so_and_names_only_those_it_counts():
    # max_users over municipalities only: a trust in the same window is not among those counted
    from hpplan.solution import Assignment, Solution, Status
    from hpplan.verify import verify

    windows = [{"id": "w1", "date": "2024-02-10"}]
    orgs = [org("a", users=10, latest="2024-02-10"), org("b", users=10, latest="2024-02-10"),
            org("t", kind="health_trust", users=100, latest="2024-02-10")]
    p = build(orgs, windows=windows, limits=[{"max_users": 15, "kinds": ["municipality"]}])
    text = explain_infeasible(p).to_text()
    assert "at most 15* users (municipality only) may go live in window w1" in text, text
    plan = Solution(status=Status.feasible, plan=[
        Assignment(o["id"], o["name"], o["kind"], "primary", dt.date(2024, 2, 10), "w1", False) for o in orgs])
    [violation] = [v for v in verify(p, plan, check_objective=False) if v.rule == "limit.max_users"]
    assert violation.actors == ("a", "b") and "20* users (municipality only)" in violation.message
    assert "more than max_users 15*" in violation.message and violation.estimate
    assert violation.message.endswith(": A (a), B (b)")


def test_an_optional_organisation_asked_about_goes_live_in_the_earlier_window_not_out():
    # the confined question let it drop out of the plan: "worse by" the cost of leaving it unscheduled,
    # where no plan has it in the earlier window (B, which must go live with or before it, cannot)
    windows = [{"id": "w1", "date": "2024-02-10"}, {"id": "w2", "date": "2024-04-27"},
               {"id": "w3", "date": "2024-09-14"}]
    p = build([org("x", status="optional", population=1000), org("b", population=1000, earliest="2024-04-27")],
              windows=windows, rules=[{"type": "with_or_before", "actor": "b", "target": "x"}])
    plan = solved(p)
    assert windows_of(plan)["x"] == "w2"
    answer = why_not_earlier(p, "x", plan)
    assert answer.verdict == "blocked", answer.to_text()


def test_with_more_conflicts_than_listed_each_listed_one_still_gets_its_changes(tmp_path):
    # four one-organisation conflicts (a latest date before the first window after the earliest):
    # with only the three listed set aside, the fourth kept every trial infeasible and each listed
    # conflict read "no single change of one of these resolves it on its own"
    import datetime as dt

    from hpplan.generate import write_instance

    write_instance(tmp_path, "region", 3)
    problem = load_problem(tmp_path)
    chosen = [o.id for o in problem.organisations if o.kind.value == "municipality" and o.status.value == "planned"][:4]
    squeezed = {"earliest": dt.date(2025, 1, 15), "latest": dt.date(2025, 2, 1)}
    organisations = [o.model_copy(update=squeezed) if o.id in chosen else o for o in problem.organisations]
    broken = Problem(organisations=organisations, waves=problem.waves)
    answer = explain_infeasible(broken, time_limit=10)
    assert not answer.feasible and len(answer.conflicts) == 3 and not answer.complete
    for conflict in answer.conflicts:
        assert any("latest date" in str(r) for r in conflict.relaxations), conflict.relaxations


def test_a_limit_too_low_in_several_windows_is_raised_as_a_whole():
    # four municipalities in two windows, capacity for two a month, at most one a window: raising the
    # limit in one window is not enough (three in a month overload the pool), raising it by one is;
    # the answer was "no single change of one of these resolves it"

    profile = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 8, "source": {"fte": "estimate: test"}}]
    problem = build([org(f"m{i}", latest="2024-04-30") for i in range(4)], profiles=profile, pools=pools,
                    limits=[{"max_actors": 1}])
    answer = explain_infeasible(problem, time_limit=10)
    assert not answer.feasible
    texts = [str(r) for c in answer.conflicts for r in c.relaxations]
    assert any("raise limit #1 max_actors from 1 to 2 (+1) in every window it applies to" in t for t in texts), texts


def test_a_spent_work_budget_stops_the_search_with_a_proven_conflict_not_proven_minimal(monkeypatch):
    # national data with a pool cut to 2 %: each solve had its work limit but nothing bounded how many
    # ran (1,600 for the changes of one conflict), and `check -t 3` gave no answer in 15 minutes. The
    # search now shares a budget; here each solve is charged one second (its model's load) and the
    # budget is six, without cores (as at national scale): the search stops shrinking part way
    import hpplan.explain as explain
    from hpplan.check import check_data

    p = problem("infeasible_capacity")
    proto = build_model(p, with_objective=False, switchable=True).model.proto
    monkeypatch.setattr(explain, "LOAD_SIZE", len(proto.variables) + len(proto.constraints))
    monkeypatch.setattr(explain, "CORE_WORK_LIMIT", 0.0)  # no cores: fixed switches and QuickXplain
    monkeypatch.setattr(explain, "WORK_BUDGET_FACTOR", 0.2)  # 6 s of a 30 s work limit
    found = explain_infeasible(p)
    assert not found.feasible and found.budget == 6 and found.budget_spent
    conflict = found.conflicts[0]
    known = KNOWN_CONFLICTS["infeasible_capacity"][0]
    assert set(conflict.keys) > known and set(conflict.unproven) == set(conflict.keys)  # larger, said so
    assert Switchboard(p).decide(conflict.keys).feasible is False  # but proven infeasible
    assert conflict.relaxations == [] and conflict.not_computed
    text = found.to_text()
    assert "not proven minimal: whether " in text and \
        "was not decided: the work budget of 6 s was spent; raise --time-limit" in text, text
    assert "  not computed: the smallest change of " in text and "no single change" not in text, text
    report = found.to_json_dict()
    assert report["work_budget_spent"] and report["conflicts"][0]["minimal"] is False
    assert report["conflicts"][0]["not_computed"] == conflict.not_computed
    assert explain_infeasible(p).to_json_dict() == report  # deterministic: counted in deterministic time
    result = check_data(p)
    assert result.status == "infeasible" and result.exit_code == 1


def test_a_conflict_found_is_kept_when_whether_there_are_more_is_not_decided(monkeypatch):
    # the decision after a conflict was found (is the rest feasible?) reached its work limit: the
    # answer was "undecided" (exit 3), the conflict proven infeasible thrown away
    from hpplan.explain import Undecided

    decide = Switchboard.decide
    calls = []

    def once(self, on):
        calls.append(on)
        if len(calls) > 1:
            raise Undecided("no answer within the work limit of 30 s")
        return decide(self, on)

    monkeypatch.setattr(Switchboard, "decide", once)
    found = explain_infeasible(problem("infeasible_three"))
    assert not found.feasible and len(found.conflicts) == 1 and not found.complete and found.more_undecided
    assert set(found.conflicts[0].keys) in map(set, KNOWN_CONFLICTS["infeasible_three"])
    assert "1 conflict; whether there are more was not decided within the work limit (raise --time-limit)." \
        in found.to_text()


def test_why_not_earlier_moves_its_together_group_with_it_when_it_asks_what_moving_alone_breaks():
    # t1 and t2 go live together; x and y (bigger) fill w1 under a limit of 2. Moving t1 alone with t2
    # kept in w2 only broke the together rule ("true by definition"); moved with t2, the limit is why
    p = build([org("x", population=1000), org("y", population=900), org("t1", population=10), org("t2", population=10)],
              rules=[{"type": "together", "actors": ["t1", "t2"]}], limits=[{"max_actors": 2}])
    plan = solved(p)
    assert windows_of(plan) == {"x": "w1", "y": "w1", "t1": "w2", "t2": "w2"}
    answer = why_not_earlier(p, "t1", plan, time_limit=5)
    assert answer.verdict == "objective" and answer.with_group == ["t2"]
    assert [r.kind for r in answer.alone.reasons] == ["limit"]
    assert "it cannot move with its together group (T2)" in answer.to_text()
    assert answer.to_json_dict()["alone_with"] == ["t2"]
    # a limit of 3 holds one more in w1, not the group of two: released and left free, t2 brought the
    # together rule back into the answer beside the limit; moved with t1, the limit alone is why
    p3 = build([org("x", population=1000), org("y", population=900), org("t1", population=10),
                org("t2", population=10)], rules=[{"type": "together", "actors": ["t1", "t2"]}],
               limits=[{"max_actors": 3}])
    answer = why_not_earlier(p3, "t1", solved(p3), time_limit=5)
    assert answer.verdict == "objective" and [r.kind for r in answer.alone.reasons] == ["limit"]


def test_a_rule_that_cannot_hold_because_a_member_opted_out_says_so():
    # the exclusion is data, not a rule of the conflict: the conflict named the together rule and the
    # signed member, and nothing of the opted-out one that neither can go live without
    p = build([org("t1", status="opted_out"), org("t2", status="signed")],
              rules=[{"type": "together", "actors": ["t1", "t2"]}])
    answer = explain_infeasible(p, time_limit=5)
    (conflict,) = answer.conflicts
    rule = next(r for r in conflict.reasons if r.kind == "rule")
    assert rule.message.endswith("; T1 does not go live (opted out)")


def test_the_library_s_explain_checks_its_arguments_as_solve_does():
    p = build([org("m1")])
    for call in (lambda **kw: explain_infeasible(p, **kw), lambda **kw: why_not_earlier(p, "m1", **kw)):
        with pytest.raises(TypeError, match="time_limit is a number of seconds, got str '3'"):
            call(time_limit="3")
        with pytest.raises(ValueError, match="time_limit must be at least 0.1, got 0"):
            call(time_limit=0)
    with pytest.raises(TypeError, match="takes a Problem"):
        explain_infeasible("data")
    assert Switchboard(p, time_limit=10).budget == 100.0 and isinstance(Switchboard(p, time_limit=10).budget, float)


def test_why_not_earlier_says_when_the_plan_it_solved_itself_is_not_proven(monkeypatch):
    # without --plan the answer is about hpplan solve's plan within the time limit; where that plan was
    # not proven optimal another run gave another plan and another answer (exit 0 or 3), and nothing said so
    import dataclasses
    import importlib

    from hpplan.solution import Status as SolveStatus

    solve_module = importlib.import_module("hpplan.solve")  # `hpplan.solve` is also the function

    p = build([org("m1", earliest="2024-03-01"), org("m2", population=1000)], rules=[{"type": "order", "actors": ["m1", "m2"]}])
    proven = why_not_earlier(p, "m2")
    assert proven.plan_proven is True and "not proven optimal" not in proven.to_text()
    assert proven.to_json_dict()["plan_proven"] is True
    assert why_not_earlier(p, "m2", solved(p)).to_json_dict()["plan_proven"] is None  # a plan given

    real = solve_module.solve
    calls = []

    def cut_short(problem, options):
        found = real(problem, options)
        calls.append(options)
        return dataclasses.replace(found, status=SolveStatus.feasible) if len(calls) == 1 else found

    monkeypatch.setattr(solve_module, "solve", cut_short)
    answer = why_not_earlier(p, "m2")
    assert answer.plan_proven is False and answer.to_json_dict()["plan_proven"] is False
    assert ("Note: the plan asked about is the best plan found within the time limit, not proven optimal"
            in answer.to_text())
