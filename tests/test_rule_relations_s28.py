"""A rule type's meaning written once (`RuleBase.relations`, `hpplan.relations`): each rule type's
relations on small instances (known answers), and new rule types defined here, with nothing but their
class (and, for the verifier, its own independent check), planned right by CP-SAT, the flat form's
engines (the list schedule, HiGHS), the interval form and symmetry breaking (docs/model.md "Adding a
rule type")."""

from __future__ import annotations

import importlib
from typing import Annotated, Literal, Union

import pytest
from pydantic import Field

from helpers import build, org

from hpplan.engines import interval
from hpplan.engines.common import flatten
from hpplan.engines.highs import HighsOptions, solve_highs
from hpplan.greedy import solve_greedy
from hpplan.model.builder import build_model
from hpplan.model.symmetry import interchangeable_groups, rule_items
from hpplan.problem import Problem
from hpplan.relations import DifferentWindows, NoLater, Precedes, SameWindow
from hpplan.schema import RULE_CLASSES, Id, RuleBase, WavesFile
from hpplan.solution import Solution, Status
from hpplan.solve import SolveOptions, plan_entries, solve

VERIFIER = importlib.import_module("hpplan.verify")  # (`hpplan.verify` is also the function)

PROFILES = [
    {"id": "municipality", "before": [1, 1], "hypercare": [1], "source": {"all": "estimate: test"}},
    {"id": "gp_office", "before": [1], "hypercare": [1], "source": {"all": "estimate: test"}},
    {"id": "extra", "pool": "primary", "before": [1, 1, 1, 1], "source": {"all": "estimate: test"}},
]


# ---- 1. each rule type's relations -------------------------------------------------------------------


def test_each_rule_type_gives_its_relations():
    problem = build([org("m1"), org("m2"), org("m3", load_profile=["municipality", "extra"]),
                     org("live", status="live", live_since="2023-11-04"),
                     org("g1", kind="gp_office", municipality="m1"), org("g2", kind="gp_office", municipality="live"),
                     org("g3", kind="gp_office", municipality="m2")],
                    profiles=PROFILES, rules=[
                        {"type": "with_or_before", "actor": "m1", "target": "m2"},
                        {"type": "with_or_before", "each": "gp_office"},
                        {"type": "together", "actors": ["m1", "m2", "m3"]},
                        {"type": "order", "actors": ["m1", "m2", "m3"], "min_gap_windows": 2, "min_gap_months": 3},
                        {"type": "order", "actors": ["m1", "m2"]},
                        {"type": "after_live", "first": "m1", "then": "m3"},
                        {"type": "after_live", "first": "m3", "then": "m1"},
                        {"type": "not_same_window", "actors": ["m2", "m1"]},
                    ])
    assert [rule.relations(problem) for rule in problem.waves.rules] == [
        [NoLater("m1", "m2")],
        # one per GP office whose municipality is not live yet, each its own constraint group
        [NoLater("g1", "m1", instance="g1"), NoLater("g3", "m2", instance="g3")],
        [SameWindow(("m1", "m2", "m3"))],
        [Precedes("m1", "m2", 2, 3), Precedes("m2", "m3", 2, 3)],
        [Precedes("m1", "m2", 1, 0)],  # the defaults: one window, no months
        [Precedes("m1", "m3", 0, 4)],  # m3's longest `before` (of two profiles): 4 months
        [Precedes("m3", "m1", 0, 2)],
        [DifferentWindows(("m2", "m1"))],
    ]


def test_a_rule_type_that_says_no_relations_gives_none_and_the_readers_step_aside():
    class Unsaid(RuleBase):
        type: Literal["unsaid"] = "unsaid"

        def named(self):
            return []

    problem = build([org("m1"), org("m2")])
    problem.waves.rules.append(Unsaid())
    assert Unsaid().relations(problem) is None
    assert flatten(problem).unsupported == "unsaid#1: rule type 'unsaid' is not in the flat form"
    assert interval.unsupported(problem) == "rule #1 (unsaid): rule type 'unsaid' is not in the interval form"
    assert rule_items(problem) is None and interchangeable_groups(problem) == []
    with pytest.raises(NotImplementedError, match="unsaid.*Adding a rule type"):
        build_model(problem)


def test_the_model_names_each_constraint_after_the_rule_type_and_groups_it_by_rule():
    problem = build([org("m1"), org("m2"), org("m3"), org("g1", kind="gp_office", municipality="m3")],
                    profiles=PROFILES, rules=[
                        {"type": "after_live", "first": "m1", "then": "m2"},
                        {"type": "order", "actors": ["m1", "m2", "m3"], "min_gap_windows": 0},
                        {"type": "with_or_before", "each": "gp_office"},
                        {"type": "not_same_window", "actors": ["m1", "m3"]}])
    built = build_model(problem, with_objective=False, switchable=True)
    names = [c.name for c in built.model.Proto().constraints]
    assert "after_live[m1<m2]@w1" in names and "order[m2<m3]@w4" in names
    assert "with_or_before[g1<=m3]@2024-02-10" in names and "not_same_window[m1,m3]@w2" in names
    groups = {key: group.actors for key, group in built.switches.groups.items() if group.kind == "rule"}
    assert groups == {"rule#1": ("m1", "m2"), "rule#2": ("m1", "m2", "m3"), "rule#3:g1": ("g1", "m3"),
                      "rule#4": ("m1", "m3")}


# ---- 2. new rule types: the class is all the planners need ----------------------------------------------


class SameOrAfter(RuleBase):
    """`actor` goes live in the same window as `target` or later (if both go live): with_or_before
    the other way round."""

    type: Literal["test_only_same_or_after"] = "test_only_same_or_after"
    actor: Id
    target: Id

    def named(self):
        return [("actor", self.actor), ("target", self.target)]

    def relations(self, problem: Problem):
        return [NoLater(self.target, self.actor)]


class Phase(RuleBase):
    """`actors` go live together, at least `months` months after `after` is live."""

    type: Literal["phase"] = "phase"
    actors: list[Id]
    after: Id
    months: int

    def named(self):
        return [("after", self.after)] + [("actors", a) for a in self.actors]

    def relations(self, problem: Problem):
        return [SameWindow(tuple(self.actors)), Precedes(self.after, self.actors[0], 0, self.months)]


def _check_same_or_after(verifier, rule: SameOrAfter, label: str) -> None:
    """The verifier's own check (as a contributor writes it in verify.py), from the dates alone."""
    ga, gt = verifier.go[rule.actor], verifier.go[rule.target]
    if ga.scheduled and gt.scheduled and ga.date < gt.date:
        verifier.add("test_only_same_or_after", f"{label}: {rule.actor} goes live before {rule.target}",
                     (rule.actor, rule.target), rule.at)


def _check_phase(verifier, rule: Phase, label: str) -> None:
    dates = {verifier.go[a].date for a in rule.actors}
    if len(dates) > 1:
        verifier.add("phase", f"{label}: not together", tuple(rule.actors), rule.at)
    after = verifier.go[rule.after]
    for a in rule.actors:
        go = verifier.go[a]
        if go.scheduled and (not after.scheduled or go.month - after.month < rule.months):
            verifier.add("phase", f"{label}: {a} too soon after {rule.after}", (rule.after, a), rule.at)


@pytest.fixture
def verifier_knows_the_new_types(monkeypatch):
    monkeypatch.setitem(VERIFIER._RULE_CHECKS, SameOrAfter, _check_same_or_after)
    monkeypatch.setitem(VERIFIER._RULE_CHECKS, Phase, _check_phase)


def _with(orgs: list[dict], *rules: RuleBase) -> Problem:
    """The data with the new rules (appended after loading, as the file format would read them once the
    class is in schema.RULE_CLASSES: test_the_file_format_reads_a_new_type_once_it_is_registered)."""
    problem = build(orgs, profiles=PROFILES[:1])
    problem.waves.rules.extend(rules)
    return problem


#: m1 (many people) would go live first; m2 may not before 2024-09
SAME_OR_AFTER_ORGS = [org("m1", population=1000), org("m2", population=10, earliest="2024-09-01"), org("m3")]


def _same_or_after_data() -> Problem:
    # the rule holds m1 back to m2's window, w3
    return _with(SAME_OR_AFTER_ORGS, SameOrAfter(actor="m1", target="m2"))


def _phase_data() -> Problem:
    # t1 went live 2023-11-04; m1 and m2 at least 9 months later (2024-08 or later: w3), together
    return _with([org("t1", kind="health_trust", status="live", live_since="2023-11-04"),
                  org("m1", population=1000), org("m2", population=10), org("m3")],
                 Phase(actors=["m1", "m2"], after="t1", months=9))


def _plans(problem: Problem) -> dict[str, dict[str, str | None]]:
    """The plan of each engine that reads the rules: CP-SAT, the list schedule, HiGHS, the interval form."""
    plans = {}
    cp_sat = solve(problem, SolveOptions(time_limit=20, engine="cp-sat"))
    # proven by CP-SAT on its model (the list schedule, first in the race, may find the plan first)
    assert cp_sat.status is Status.optimal and cp_sat.stats.proved_by == "cp-sat"
    plans["cp-sat"] = cp_sat
    plans["greedy"] = solve_greedy(problem)
    plans["highs"] = solve_highs(problem, HighsOptions(time_limit=20))
    assert plans["highs"].status is Status.optimal
    result = interval.solve_interval(problem, time_limit=20)
    assert result.status == "optimal"
    plans["interval"] = interval.to_solution(problem, result)
    for engine, plan in plans.items():
        assert VERIFIER.verify(problem, plan) == [], engine
    return {engine: {a.id: a.window for a in plan.plan} for engine, plan in plans.items()}


def test_a_new_rule_type_that_reduces_to_no_later_is_planned_by_every_engine(verifier_knows_the_new_types):
    problem = _same_or_after_data()
    # every reader has it, as the relation it reduces to
    flat = flatten(problem)
    assert flat.unsupported is None and flat.with_or_before == [("m2", "m1")]
    assert interval.unsupported(problem) is None and interval._analyse(problem).with_or_before == [("m2", "m1")]
    assert rule_items(problem) == [NoLater("m2", "m1")]
    names = [c.name for c in build_model(problem).model.Proto().constraints]
    assert "test_only_same_or_after[m2<=m1]@2024-09-14" in names
    # without the rule m1 goes live first; with it, every engine puts it in m2's window (w3) at the earliest
    alone = solve(_with(SAME_OR_AFTER_ORGS), SolveOptions(time_limit=20, engine="cp-sat"))
    assert {a.id: a.window for a in alone.plan}["m1"] == "w1"
    for engine, windows in _plans(problem).items():
        assert (windows["m1"], windows["m2"]) == ("w3", "w3"), engine


def test_a_new_rule_type_of_two_relations_and_a_pinned_side_is_planned_by_every_engine(verifier_knows_the_new_types):
    problem = _phase_data()
    flat = flatten(problem)
    assert flat.unsupported is None and flat.together == [("m1", "m2")]
    assert [(p.first, p.then, p.gap_windows, p.gap_months) for p in flat.precedences] == [("t1", "m1", 0, 9)]
    # the pinned `after` narrows m1's domain in the interval form, as it does for after_live
    assert [s.id for s in interval._analyse(problem).domain["m1"]] == ["w3", "w4"]
    for engine, windows in _plans(problem).items():
        assert (windows["m1"], windows["m2"]) == ("w3", "w3"), engine


def test_symmetry_breaking_reads_a_new_rule_type_by_its_relations():
    # m2 and m3 are alike, and the new rules name both the same way: interchangeable; one named alone: not
    orgs = [org("m1"), org("m2"), org("m3"), org("m4")]
    both = _with(orgs, SameOrAfter(actor="m2", target="m1"), SameOrAfter(actor="m3", target="m1"))
    assert interchangeable_groups(both) == [["m2", "m3"]]
    one = _with(orgs, SameOrAfter(actor="m2", target="m1"))
    assert interchangeable_groups(one) == [["m3", "m4"]]
    # a same-window set: its members are interchangeable, and the one it follows is not
    phase = _with(orgs, Phase(actors=["m2", "m3", "m4"], after="m1", months=0))
    assert rule_items(phase) == [SameWindow(("m2", "m3", "m4")), Precedes("m1", "m2", 0, 0)]
    assert interchangeable_groups(phase) == [["m3", "m4"]]


def _breaking_plan(problem: Problem) -> Solution:
    return Solution(status=Status.feasible, plan=plan_entries(problem, {"m1": "w1", "m2": "w3", "m3": "w1"}))


def test_the_verifier_checks_a_new_rule_type_only_by_its_own_check():
    # the verifier is the model's independent check: it does not read relations
    problem = _same_or_after_data()
    with pytest.raises(TypeError, match="test_only_same_or_after"):
        VERIFIER.verify(problem, _breaking_plan(problem))


def test_the_verifier_finds_a_plan_that_breaks_a_new_rule_type(verifier_knows_the_new_types):
    problem = _same_or_after_data()
    assert [v.rule for v in VERIFIER.verify(problem, _breaking_plan(problem))] == ["test_only_same_or_after"]


def test_the_file_format_reads_a_new_type_once_it_is_registered():
    # registering is adding the class to schema.RULE_CLASSES: the `type:` union of waves.yaml is built from it
    # (here the same union, built with the new class, on a copy of the waves file's model)
    class Waves(WavesFile):
        rules: list[Annotated[Union[(*RULE_CLASSES, SameOrAfter)], Field(discriminator="type")]] = []

    waves = Waves.model_validate({
        "planning_date": "2024-01-15", "windows": [{"id": "w1", "date": "2024-02-10"}],
        "pools": [{"id": "p", "sector": "primary", "fte": 1, "source": {"fte": "estimate: test"}}],
        "rules": [{"type": "test_only_same_or_after", "actor": "m1", "target": "m2"},
                  {"type": "together", "actors": ["m1", "m2"]}]})
    assert waves.rules == [SameOrAfter(actor="m1", target="m2"), waves.rules[1]]
    assert waves.rules[0].relations(None) == [NoLater("m2", "m1")]
