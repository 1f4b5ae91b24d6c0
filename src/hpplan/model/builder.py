"""Build the CP-SAT model of a rollout: variables, then each group of constraints, then the objective."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..problem import Problem
from . import constraints
from .constraints import Switches
from .objective import objective_terms
from .scheduling import add_scheduling_view
from .variables import GoLiveVariables, add_go_live_variables


@dataclass
class RolloutModel:
    model: cp_model.CpModel
    variables: GoLiveVariables
    terms: dict[str, cp_model.LinearExprT]
    #: switchable models only: the switch of each constraint group
    switches: Switches | None = None

    @property
    def total(self) -> cp_model.LinearExprT:
        return sum(self.terms.values())


def build_model(problem: Problem, *, with_objective: bool = True, switchable: bool = False,
                scheduling_view: bool | None = None) -> RolloutModel:
    """The model of docs/model.md. With `switchable`, every constraint group (constraints.Group) holds
    only while its switch is on, and earliest/latest/returns/track/blackouts are constraints rather than
    a smaller domain: the model explain.py asks which groups cannot hold together."""
    model = cp_model.CpModel()
    model.name = "hpplan rollout" + (" (switchable)" if switchable else "")
    variables = add_go_live_variables(model, problem, every_window=switchable)
    switches = Switches(model) if switchable else None

    if switches is not None:
        constraints.add_domain_restrictions(model, variables, problem, switches)
    constraints.add_one_window_each(model, variables, problem, switches)
    constraints.add_rules(model, variables, problem, switches)
    constraints.add_window_limits(model, variables, problem, switches)
    constraints.add_pool_capacity(model, variables, problem, switches)
    if scheduling_view is None:  # measured (docs/model.md): it pays for makespan, not for population
        scheduling_view = problem.waves.objective.kind == "makespan"
    if scheduling_view and switches is None:
        add_scheduling_view(model, variables, problem)  # redundant: cumulative per pool

    terms = objective_terms(variables, problem)
    rollout = RolloutModel(model, variables, terms, switches)
    if with_objective:
        model.minimize(rollout.total)
    return rollout
