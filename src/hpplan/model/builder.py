"""Build the CP-SAT model of a rollout: variables, then each group of constraints, then the objective."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Collection
from typing import Callable, Hashable, Mapping

from ortools.sat.python import cp_model

from ..problem import Problem
from . import constraints
from .constraints import Switches
from .objective import objective_terms
from .scheduling import add_scheduling_view
from .symmetry import interchangeable_groups
from .variables import GoLiveVariables, add_go_live_variables


@dataclass
class RolloutModel:
    model: cp_model.CpModel
    variables: GoLiveVariables
    terms: dict[str, cp_model.LinearExprT]
    #: switchable models only: the switch of each constraint group
    switches: Switches | None = None
    #: the interchangeable groups whose symmetry rows the model holds (model.symmetry; empty: none)
    symmetry: list[list[str]] = field(default_factory=list)

    @property
    def total(self) -> cp_model.LinearExprT:
        return sum(self.terms.values())


class BuildStopped(Exception):
    """`build_model` was asked to stop (its `stopped` returned true between two constraint groups)."""


def build_model(problem: Problem, *, with_objective: bool = True, switchable: bool = False,
                scheduling_view: bool | None = None, symmetry: bool = False,
                anchors: Mapping[str, Hashable] | None = None,
                stopped: Callable[[], bool] | None = None,
                within: Mapping[str, Collection[str]] | None = None, rules_only: bool = False) -> RolloutModel:
    """The model of docs/model.md. With `switchable`, every constraint group (constraints.Group) holds
    only while its switch is on, and earliest/latest/returns/track/blackouts are constraints rather than
    a smaller domain: the model explain.py asks which groups cannot hold together.

    `symmetry`: add the symmetry-breaking rows (interchangeable organisations in id order, docs/model.md
    "Symmetry breaking"; `RolloutModel.symmetry` lists the groups). Off unless asked for: with the rows
    the model rejects a plan that has two interchangeable organisations the other way round, so a caller
    that fixes or hints a plan from elsewhere (another engine, a list schedule) first reorders it with
    `symmetry.canonical_plan`. When the caller sets an objective of its own (re-planning against a
    baseline) it passes the baseline's `anchors` (org id -> objective.Anchor), so that only organisations
    with the same anchor count as interchangeable. Never in a switchable model (ignored there).

    `stopped`: asked between the constraint groups (at national scale the build takes seconds, each
    group a second at most); when it returns true the build ends with BuildStopped (a Ctrl-C).

    `within`: org id -> the window ids the organisation is kept to (its domain cut to them; the others
    keep theirs). `rules_only`: without the window limits and the pool capacity (and the scheduling
    view), a relaxation in which only the rules tie organisations together (a re-plan's lower bounds,
    `hpplan.replan`)."""

    def check() -> None:
        if stopped is not None and stopped():
            raise BuildStopped()

    model = cp_model.CpModel()
    model.name = "hpplan rollout" + (" (switchable)" if switchable else "")
    variables = add_go_live_variables(model, problem, every_window=switchable, within=within)
    switches = Switches(model) if switchable else None

    if switches is not None:
        constraints.add_domain_restrictions(model, variables, problem, switches)
    check()
    constraints.add_one_window_each(model, variables, problem, switches)
    check()
    constraints.add_rules(model, variables, problem, switches)
    check()
    if not rules_only:
        constraints.add_window_limits(model, variables, problem, switches)
        check()
        constraints.add_pool_capacity(model, variables, problem, switches)
        check()
    if scheduling_view is None:  # measured (docs/model.md): it pays for makespan, not for population
        scheduling_view = problem.waves.objective.kind == "makespan"
    if scheduling_view and switches is None and not rules_only:
        add_scheduling_view(model, variables, problem)  # redundant: cumulative per pool
        check()

    groups: list[list[str]] = []
    if symmetry and switches is None:
        groups = interchangeable_groups(problem, anchors)
        check()
        constraints.add_symmetry_breaking(model, variables, problem, groups)
        check()

    terms = objective_terms(variables, problem)
    rollout = RolloutModel(model, variables, terms, switches, groups)
    if with_objective:
        model.minimize(rollout.total)
    return rollout
