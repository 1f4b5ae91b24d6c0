"""Where a rule type lives, held together: a rule type a place does not know is an error there (the
verifier, explain) or keeps the engines that do not know it from planning (the flat form), never a
silent check of another type or a plan without the rule; the list of rule types and "which
organisations does a rule name" come from schema.py; rule labels follow a scenario's numbering."""

from __future__ import annotations

import importlib
import warnings
from types import SimpleNamespace
from typing import Literal

import pytest

from helpers import build, org

from hpplan import compare, loader, problem as problem_module, psplib, schema
from hpplan.engines import common, interval
from hpplan.engines.common import flatten
from hpplan.explain import Describer
from hpplan.problem import Numbering
from hpplan.schema import RULE_CLASSES, RULE_TYPES, RuleBase
from hpplan.solution import Solution, Status

VERIFIER = importlib.import_module("hpplan.verify")  # (`hpplan.verify` is also the function)
CHECK = importlib.import_module("hpplan.check")


class MaxGap(RuleBase):
    """A rule type nothing but this test knows (as a contributor's new type before every place has it)."""

    type: Literal["test_only_max_gap"] = "test_only_max_gap"
    actors: list[str]

    def named(self) -> list[tuple[str, str]]:
        return [("actors", a) for a in self.actors]


def _with_new_rule(*rules: dict):
    problem = build([org("m1"), org("m2"), org("m3")], rules=list(rules))
    problem.waves.rules.append(MaxGap(actors=["m1", "m2"]))  # after the loader: as if the schema had it
    return problem


def _plan(problem, windows: dict[str, str]) -> Solution:
    from hpplan.solve import plan_entries

    return Solution(status=Status.feasible, plan=plan_entries(problem, windows))


# ---- 1. the verifier and explain: an unknown rule type is an error, not a check of another type ---------


def test_the_verifier_raises_on_a_rule_type_it_has_no_check_for():
    problem = _with_new_rule()
    # m1 and m2 in one window: the old fall-through checked test_only_max_gap as not_same_window
    with pytest.raises(TypeError, match="test_only_max_gap"):
        VERIFIER.verify(problem, _plan(problem, {"m1": "w1", "m2": "w1", "m3": "w1"}))


def test_the_verifier_has_a_check_for_every_rule_class_and_nothing_else():
    assert set(VERIFIER._RULE_CHECKS) == set(RULE_CLASSES)


def test_explain_raises_on_a_rule_type_it_has_no_text_for():
    problem = _with_new_rule()
    rule = problem.waves.rules[-1]
    group = SimpleNamespace(subject=rule, number=1, actors=["m1", "m2"])
    with pytest.raises(TypeError, match="test_only_max_gap"):
        Describer(problem)._rule(group, None, set())


# ---- 2. the flat form: an unknown rule type keeps the flat engines from planning ---------------------------


def test_the_flat_form_names_a_rule_type_it_does_not_translate():
    assert flatten(build([org("m1"), org("m2")])).unsupported is None
    flat = flatten(_with_new_rule({"type": "order", "actors": ["m2", "m3"]}))
    assert flat.unsupported == "test_only_max_gap#2: rule type 'test_only_max_gap' is not in the flat form"


def test_the_flat_engines_plan_nothing_without_the_rule():
    from hpplan.engines.highs import HighsOptions, MipModel, solve_highs
    from hpplan.engines.lexicographic import MipAtOptimum
    from hpplan.engines.lp_rounding import solve_lp_rounding
    from hpplan.engines.window_dp import _units
    from hpplan.greedy import multi_pass, schedule, solve_greedy

    problem = _with_new_rule()
    flat = flatten(problem)
    # the list schedule (solve's first plan, the repair of a baseline): stuck, no plan
    assert schedule(problem, flat).stuck
    assert multi_pass(problem, passes=2, flat=flat).stuck
    assert solve_greedy(problem, flat).status is Status.unknown
    # HiGHS, LP rounding and the MIP itself: an error, as the interval form's (NotImplementedError)
    for run in (lambda: solve_highs(problem, HighsOptions(time_limit=5), flat),
                lambda: solve_lp_rounding(problem, HighsOptions(time_limit=5), flat),
                lambda: MipModel(flat)):
        with pytest.raises(NotImplementedError, match="test_only_max_gap"):
            run()
    assert _units(flat) is None  # the window program gives up
    # the tie-break's and explain's MIP at the optimum: no plan (CP-SAT goes on alone)
    mip = MipAtOptimum(flat, 0)
    mip.fix("m1", 0)
    assert mip.earliest(["m1"], {}, 1.0) == (None, False)
    assert mip.fewest_changes({"m1": 0}, 1.0) == (None, False)


def test_bench_calls_a_flat_engine_not_applicable(tmp_path, monkeypatch):
    from hpplan import bench

    problem = _with_new_rule()
    monkeypatch.setattr("hpplan.loader.load_problem", lambda data: problem)
    run = bench.run_child({"instance": "x", "family": "test", "engine": "greedy", "time_limit": 5,
                           "data": str(tmp_path), "seed": 0, "workers": 1})
    assert run["status"] == "n/a" and "test_only_max_gap" in run["error"]


# ---- 3. the list of rule types: one source, in schema.py -------------------------------------------------


def test_the_rule_types_come_from_the_rule_classes_in_their_order():
    assert RULE_TYPES == ("with_or_before", "together", "order", "after_live", "not_same_window")
    assert tuple(schema.RULE_CLASS) == RULE_TYPES
    assert [schema.RULE_CLASS[t] for t in RULE_TYPES] == list(RULE_CLASSES)
    assert compare.RELATIONS is RULE_TYPES
    assert set(RULE_TYPES) <= set(CHECK._ENTRY_DATE_RULES)
    order = VERIFIER._RULE_ORDER
    at = order.index("blackout") + 1
    assert order[at:at + len(RULE_TYPES)] == RULE_TYPES


# ---- 4. which organisations a rule names: one method per class -------------------------------------------


def test_each_rule_class_says_which_organisations_it_names():
    waves = build([org("m1")], rules=[
        {"type": "with_or_before", "actor": "g1", "target": "m1"},
        {"type": "with_or_before", "each": "gp_office"},
        {"type": "together", "actors": ["a", "b"]},
        {"type": "order", "actors": ["a", "b", "c"]},
        {"type": "after_live", "first": "a", "then": "b"},
        {"type": "not_same_window", "actors": ["a", "b"]},
    ]).waves
    assert [r.named() for r in waves.rules] == [
        [("actor", "g1"), ("target", "m1")], [], [("actors", "a"), ("actors", "b")],
        [("actors", "a"), ("actors", "b"), ("actors", "c")], [("first", "a"), ("then", "b")],
        [("actors", "a"), ("actors", "b")]]
    assert waves.rules[4].named_ids() == ["a", "b"]


def test_a_rule_class_that_does_not_say_whom_it_names_is_an_error():
    class Unsaid(RuleBase):
        type: Literal["unsaid"] = "unsaid"
        earlier: str
        later: str

    with pytest.raises(NotImplementedError, match="unsaid"):
        Unsaid(earlier="a", later="b").named()
    # the loader's reference check asks the rule itself (it once guessed `first`/`then`: AttributeError)
    problem = build([org("m1"), org("m2")])
    problem.waves.rules.append(Unsaid(earlier="m1", later="m2"))
    with pytest.raises(NotImplementedError, match="unsaid"):
        loader._reference_errors(problem)


def test_the_loader_names_an_unknown_organisation_of_a_new_rule_type_by_its_field():
    problem = _with_new_rule()
    problem.waves.rules[-1] = MaxGap(actors=["m1", "nobody"])
    errors = loader._reference_errors(problem)
    assert any("test_only_max_gap rule #1: actor" in str(e) and "nobody" in str(e) for e in errors)


# ---- 5. rule labels in the engines follow a scenario's numbering -----------------------------------------


def test_the_engines_label_a_rule_by_its_number_after_a_scenario_removed_one():
    problem = build([org("t1", kind="health_trust", status="live", live_since="2023-11-04"), org("m1")],
                    rules=[{"type": "together", "actors": ["t1", "m1"]}])
    problem.numbering = Numbering(rules=(2,), limits=(), rules_in_file=2, limits_in_file=0)  # rule #1 removed
    assert flatten(problem).impossible == ["together#2: together with t1, who went live in history"]
    assert interval._analyse(problem).impossible == ["rule #2 (together): together with t1, who went live in history"]


# ---- 6. dead code is gone ------------------------------------------------------------------------------


@pytest.mark.parametrize("owner, name", [
    (psplib, "makespan_of_plan"), (loader, "problem_from_documents"), (problem_module.Problem, "is_trust"),
    (common.Flat, "month_of"), (common, "AFTER_LIVE_EXTRA_MONTHS")])
def test_dead_code_is_gone(owner, name):
    assert not hasattr(owner, name)


def test_a_rule_type_only_the_model_and_the_verifier_know_is_never_planned_without(monkeypatch):
    # a contributor's new type, written in the model and the verifier but not in the flat form: HiGHS and
    # the list schedule step aside (HiGHS with an error the race reports), CP-SAT plans with the rule
    from hpplan.model import constraints
    from hpplan.solve import SolveOptions, solve

    monkeypatch.setitem(constraints.RULES, "test_only_max_gap", constraints.RULES["not_same_window"])
    monkeypatch.setitem(VERIFIER._RULE_CHECKS, MaxGap, VERIFIER._Verifier.check_not_same_window)
    problem = _with_new_rule()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = solve(problem, SolveOptions(time_limit=20, engine="auto"))
    # (while `portfolio.engines_for` still races HiGHS here, its NotImplementedError is reported)
    assert all("test_only_max_gap" in str(w.message) for w in caught if issubclass(w.category, RuntimeWarning))
    assert solution.found and solution.stats.found_by == "cp-sat"
    windows = {a.id: a.window for a in solution.plan}
    assert windows["m1"] != windows["m2"]
    assert VERIFIER.verify(problem, solution) == []
