"""`verify.PlanTrials`: the findings of a plan with a few organisations put elsewhere, checked only where
the variant differs from the plan, are exactly those of a full `verify` of the variant less the plan's."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from hpplan.generate import write_instance
from hpplan.greedy import solve_greedy
from hpplan.loader import load_problem
from hpplan.solution import Solution, Status
from hpplan.verify import PlanTrials, verify


def _check(problem, plan):
    return verify(problem, Solution(status=Status.feasible, plan=plan), check_objective=False)


def _full(problem, plan, changes):
    """What PlanTrials answers, by full checks: (all the variant's findings, those the plan has not)."""
    clean = {(v.rule, v.message) for v in _check(problem, plan)}
    put = {a.id: a for a in changes}
    found = _check(problem, [put.get(a.id, a) for a in plan])
    return found, [v for v in found if (v.rule, v.message) not in clean]


def _variants(problem, plan, rng, count):
    """Random variants: one to four organisations each put in another window (history ones too), on a
    date that is no window's, or unscheduled; pinned ones moved as well."""
    windows = problem.waves.windows
    for _ in range(count):
        changes = []
        for a in rng.sample(plan, rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.7:
                w = rng.choice(windows)
                changes.append(replace(a, go_live=w.date, window=w.id))
            elif roll < 0.85 and a.go_live is not None:
                changes.append(replace(a, go_live=a.go_live.replace(day=1 if a.go_live.day != 1 else 2)))
            else:
                changes.append(replace(a, go_live=None, window=None))
        yield changes


def _agree(problem, plan, seed, count):
    trials = PlanTrials(problem, plan)
    rng = random.Random(seed)
    found = 0
    for changes in _variants(problem, plan, rng, count):
        every, new = _full(problem, plan, changes)
        assert trials.new_violations(changes) == new, [a.id for a in changes]
        assert trials.violations(changes) == every, [a.id for a in changes]
        found += bool(new)
    assert found > count // 2  # most variants break something: the comparison is not of empty lists


def test_trials_of_the_shipped_plan_find_what_a_full_check_finds(shipped_optimum):
    problem, plan = shipped_optimum
    _agree(problem, plan.plan, 1, 300)


def test_trials_of_a_plan_that_breaks_rules_find_only_the_new_findings(shipped_optimum):
    # a base plan with findings of its own: a third of the organisations crowded into one window (its limits
    # and the pools' months around it over, rules broken); a variant that moves some out of it changes those
    # findings (other members, other loads): they are new findings, as a full check says
    problem, plan = shipped_optimum
    rng = random.Random(7)
    crowded = problem.future_windows[3]
    broken = [replace(a, go_live=crowded.date, window=crowded.id) if rng.random() < 0.35 else a for a in plan.plan]
    rules = {v.rule for v in _check(problem, broken)}
    assert {"capacity", "limit.max_actors", "together"} <= rules, rules
    _agree(problem, broken, 2, 200)

    def out_of_the_crowd():  # variants that move members of the crowded window only
        members = [a for a in broken if a.window == crowded.id]
        for _ in range(150):
            w = rng.choice(problem.future_windows)
            yield [replace(a, go_live=w.date, window=w.id) for a in rng.sample(members, rng.randint(1, 3))]

    trials = PlanTrials(problem, broken)
    for changes in out_of_the_crowd():
        every, new = _full(problem, broken, changes)
        assert (trials.new_violations(changes), trials.violations(changes)) == (new, every), [a.id for a in changes]


@pytest.mark.parametrize("size", ["region", "regional-300"])
def test_trials_of_a_generated_plan_find_what_a_full_check_finds(size, tmp_path):
    # the greedy plan (no solve): GP offices under `each` rules, limits by kind, several pools
    write_instance(tmp_path, size, 3)
    problem = load_problem(tmp_path)
    plan = solve_greedy(problem)
    assert plan.found
    _agree(problem, plan.plan, 3, 150)


def test_a_change_of_an_organisation_the_data_lacks_is_found_as_verify_finds_it(shipped_optimum):
    # a plan made before a scenario removed an organisation: PlanTrials raised KeyError where verify finds it
    problem, plan = shipped_optimum
    w = problem.future_windows[0]
    ghost = replace(plan.plan[-1], id="ghost", name="Ghost")
    with_ghost = plan.plan + [ghost]
    trials = PlanTrials(problem, Solution(status=Status.feasible, plan=with_ghost))  # a Solution is taken too
    changes = [replace(ghost, go_live=w.date, window=w.id)]
    every, new = _full(problem, with_ghost, changes)
    assert (trials.violations(changes), trials.new_violations(changes)) == (every, new)
    assert any("'ghost'" in v.message for v in every)
