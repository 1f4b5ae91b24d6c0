"""Build the CP-SAT model of a rollout: variables, then each group of constraints, then the objective."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..problem import Problem
from . import constraints
from .objective import objective_terms
from .variables import GoLiveVariables, add_go_live_variables


@dataclass
class RolloutModel:
    model: cp_model.CpModel
    variables: GoLiveVariables
    terms: dict[str, cp_model.LinearExprT]

    @property
    def total(self) -> cp_model.LinearExprT:
        return sum(self.terms.values())


def build_model(problem: Problem, *, with_objective: bool = True) -> RolloutModel:
    model = cp_model.CpModel()
    model.name = "hpplan rollout"
    variables = add_go_live_variables(model, problem)

    constraints.add_one_window_each(model, variables, problem)
    constraints.add_rules(model, variables, problem)
    constraints.add_window_limits(model, variables, problem)
    constraints.add_pool_capacity(model, variables, problem)

    terms = objective_terms(variables, problem)
    rollout = RolloutModel(model, variables, terms)
    if with_objective:
        model.minimize(rollout.total)
    return rollout
