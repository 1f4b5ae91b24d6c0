"""The neighbourhood search before the whole model's re-planning phases (`hpplan.neighbourhood`,
solve.py `_searched`): its plan keeps every rule, its phase terms are never worse than its start's, it
is the same for the same seed under a work limit, it is the answer when the whole model finds nothing
in time, and where the whole model proves, the re-plan's answer is the one it gives without the search."""

from __future__ import annotations

import random
import sys
import time

import pytest
from helpers import MORE_WINDOWS, build, solved, windows_of
from test_replan_around_s27 import PROFILES, _change, _instance, _same

from hpplan import neighbourhood
from hpplan.engines.common import flatten, rule_ties
from hpplan.generate import _problem, generate
from hpplan.scenario import apply_quick
from hpplan.solution import Status
from hpplan.solve import Baseline, SolveOptions, solve_replan
from hpplan.verify import verify

S = sys.modules["hpplan.solve"]


@pytest.fixture(scope="module")
def cut_region():
    """`region` seed 1 (100 organisations), its list schedule as the baseline, the primary pool cut to
    90 % from January 2025: the repaired baseline moves 23 organisations, the least is fewer."""
    problem = _problem(*generate("region", 1))
    baseline = S.with_data_freeze(problem, Baseline(S.list_schedule(problem)))
    changed = apply_quick(problem, capacity=["primary=90%@2025-01"])
    start = S._repaired(changed, baseline, flatten(changed))
    assert start is not None
    return changed, baseline, start


def _search(changed, baseline, start, seed: int, work_limit: float = 30.0):
    flat = flatten(changed)
    rollout = S._build(changed, baseline, None)

    def values_of(plan):
        return S._stability_values(rollout, changed, baseline, plan)

    return neighbourhood.search(changed, flat, baseline, start, values_of(start), values_of,
                                SolveOptions(time_limit=60, work_limit=work_limit, seed=seed),
                                time.perf_counter() + 60), values_of


@pytest.fixture
def small_rounds(monkeypatch):
    """Neighbourhoods of about 15 organisations (of 100): rounds of both kinds, none the whole model."""
    monkeypatch.setattr(neighbourhood, "FIRST_SIZE", 15)
    monkeypatch.setattr(neighbourhood, "GROW", 1.0)


def test_the_search_keeps_every_rule_and_never_has_worse_terms_than_its_start(cut_region, small_rounds):
    changed, baseline, start = cut_region
    for seed in (0, 1, 2):
        found, values_of = _search(changed, baseline, start, seed)
        assert verify(changed, found.plan) == []
        before = values_of(start)
        assert found.values == values_of(found.plan)
        assert tuple(found.values.values()) <= tuple(before.values())
        assert found.rounds >= 2
    assert before["moved"] == 23 and found.improved and found.values["moved"] < 23


def test_the_same_seed_gives_the_same_plan_under_a_work_limit(cut_region, small_rounds):
    changed, baseline, start = cut_region
    first, _ = _search(changed, baseline, start, seed=3)
    again, _ = _search(changed, baseline, start, seed=3)
    assert windows_of(first.plan) == windows_of(again.plan) and first.values == again.values
    assert (first.rounds, first.improved) == (again.rounds, again.improved)


def test_its_rounds_free_whole_rule_parts_of_about_the_size_asked(cut_region):
    changed, baseline, start = cut_region
    flat = flatten(changed)
    anchors = baseline.anchors()
    parts = rule_ties(flat, list(flat.domain))
    members: dict[str, list[str]] = {}
    for org_id in flat.domain:
        members.setdefault(parts.find(org_id), []).append(org_id)
    current = neighbourhood._windows(flat, start)
    off = neighbourhood._off(flat, anchors, current, None)
    assert len(off) == 23
    ways = neighbourhood._Ways(flat, anchors, members, parts, random.Random(0))
    for kind in ("moved", "crowd"):
        free = ways.neighbourhood(kind, off, current, 20)
        assert free & set(off) and len(free) <= 20 + max(map(len, members.values()))
        for org_id in free:  # a part is freed whole
            assert set(members[parts.find(org_id)]) <= free
    # the crowd kind also frees organisations that have not moved: those in a moved one's way
    assert free - set(off)


def test_the_answer_is_the_search_s_plan_when_the_whole_model_finds_none(cut_region, monkeypatch):
    changed, baseline, start = cut_region
    # the whole model's phases find nothing (the search's rounds keep the real ones: bound in its module)
    monkeypatch.setattr(S, "_stabilise", lambda *args, **kwargs: (S.Replan(proven=False), Status.unknown))
    monkeypatch.setattr(S, "_around_change", lambda *args: S._Around())
    solution, replan = solve_replan(changed, SolveOptions(time_limit=60, work_limit=30), baseline)
    assert solution.status is Status.feasible and verify(changed, solution) == []
    assert solution.stats.found_by == "neighbourhood search" and not replan.proven
    assert 0 < replan.moved < 23
    searched = [p for p in solution.stats.phases if p.startswith("neighbourhood search: 23 -> ")]
    assert searched and searched[0].startswith(f"neighbourhood search: 23 -> {replan.moved} moved, 3199 -> "
                                               f"{replan.movement} days in ")
    assert solution.stats.phases[-1] == ("out of time before a plan of its own: the baseline repaired by the list "
                                         f"scheduler, improved by a neighbourhood search ({replan.moved} moved)")
    # without the search: the repaired baseline, 23 moved
    monkeypatch.setattr(S, "NEIGHBOURHOOD_SEARCH", False)
    solution, replan = solve_replan(changed, SolveOptions(time_limit=60, work_limit=30), baseline)
    assert (solution.stats.found_by, replan.moved) == ("baseline repair", 23)


def test_a_first_phase_s_plan_is_the_answer_when_a_later_phase_finds_none(cut_region, monkeypatch):
    # the fewest-moved phase of the whole model finds a plan, the least movement none in time: the answer
    # is that plan, not the start the phases began from (national scale, a 5 % primary cut, -t 60: the
    # answer was the repair's 702 moved)
    changed, baseline, start = cut_region
    real = S._stabilise

    def movement_finds_nothing(rollout, problem, baseline, options, deadline, stats, start=None, presolve=True,
                               last=None):
        replan, status = real(rollout, problem, baseline, options, deadline, stats, start, presolve, "moved")
        return replan, Status.unknown

    monkeypatch.setattr(S, "_stabilise", movement_finds_nothing)
    monkeypatch.setattr(S, "_around_change", lambda *args: S._Around())
    monkeypatch.setattr(S, "NEIGHBOURHOOD_SEARCH", False)
    solution, replan = solve_replan(changed, SolveOptions(time_limit=60, work_limit=30), baseline)
    assert solution.status is Status.feasible and verify(changed, solution) == []
    assert solution.stats.found_by == "cp-sat" and replan.moved < 23
    assert solution.stats.phases[-1] == ("out of time before a plan of its own: the plan of the whole model's "
                                         f"first phases ({replan.moved} moved)")


@pytest.mark.parametrize("seed", range(16))
def test_where_the_whole_model_proves_the_answer_is_the_one_without_the_search(seed, monkeypatch):
    rng = random.Random(1000 + seed)
    orgs, rules, pools, limits = _instance(rng)
    problem = build(orgs, rules=rules, pools=pools, limits=limits, profiles=PROFILES, windows=MORE_WINDOWS)
    base = solved(problem)
    if not base.found:
        pytest.skip("the drawn instance has no plan")
    changed = apply_quick(_change(rng, problem, orgs), capacity=[f"primary={rng.choice([3, 4])}"])
    answers = []
    for on in (True, False):
        with monkeypatch.context() as m:
            m.setattr(S, "NEIGHBOURHOOD_SEARCH", on)
            answers.append(solve_replan(changed, SolveOptions(time_limit=30), Baseline(base)))
    with_search, without = answers
    if with_search[0].found:
        assert verify(changed, with_search[0]) == []
    if with_search[1] is not None and with_search[1].proven:
        _same(with_search, without)


def test_the_bench_re_plans_a_capacity_cut_and_says_so(tmp_path):
    # `make bench`'s `replan-cut`: the primary pool cut to 95 % from the January after the planning date,
    # re-planned against the list schedule (the whole model, after the neighbourhood search)
    from hpplan.bench import REPLAN_ENGINES, run_child, summary
    from hpplan.generate import write_instance

    assert "replan-cut" in REPLAN_ENGINES
    write_instance(tmp_path, "region", 1)
    run = run_child({"instance": "region (seed 1) re-plan", "family": "replan", "data": str(tmp_path),
                     "time_limit": 30, "seed": 0, "workers": 1, "engine": "replan-cut"})
    extra = run["extra"]
    assert run["status"] in ("optimal", "feasible") and run["violations"] == 0
    assert extra["capacity"] == "primary=95%@2025-01" and "postponed" not in extra and extra["moved"] >= 1
    assert any(phase.startswith("neighbourhood search: ") for phase in extra["phases"])
    line = [line for line in summary([run]) if line.startswith("re-plan region (seed 1), ")]
    assert line == [f"re-plan region (seed 1), capacity primary=95%@2025-01 (the whole model, after a neighbourhood "
                    f"search): {extra['moved']} moved, {extra['days_moved']} days, least change "
                    f"{'proven' if extra['least_change_proven'] else 'not proven'}, {run['status']}, "
                    f"{run['wall_time']:.1f} s"]
