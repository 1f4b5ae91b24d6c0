"""The objective terms (docs/rules.md "Objective"): each a linear expression, reported by name."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..problem import Problem
from .variables import GoLiveVariables


def unscheduled_months(problem: Problem) -> int:
    """How many months past the planning month an unscheduled organisation counts as."""
    return (problem.end_month - problem.start_month + 1) + problem.waves.objective.unscheduled_months


def population_delay(v: GoLiveVariables, problem: Problem) -> cp_model.LinearExprT:
    """Population x months from the planning month to go-live: people kept off the platform."""
    weight = problem.waves.objective.population_weight
    never = unscheduled_months(problem)
    terms = []
    for org in problem.plannable:
        people = problem.population(org) * weight
        if not people:
            continue
        months = sum((slot.month - problem.start_month) * v.go_live[org.id, slot.id] for slot in v.domain[org.id])
        terms.append(people * (months + never * (1 - v.scheduled(org.id))))
    return sum(terms)


def preference(v: GoLiveVariables, problem: Problem) -> cp_model.LinearExprT:
    """Windows between each organisation's go-live and its preferred window, times the penalty."""
    penalty = problem.waves.objective.preferred_window_penalty
    place = {slot.id: i for i, slot in enumerate(v.slots)}
    terms = []
    for org in problem.plannable:
        if org.preferred_window is None or not penalty:
            continue
        wanted = place[org.preferred_window]
        distance = sum(abs(place[slot.id] - wanted) * v.go_live[org.id, slot.id] for slot in v.domain[org.id])
        terms.append(penalty * (distance + len(v.slots) * (1 - v.scheduled(org.id))))
    return sum(terms)


TERMS = {"population_delay": population_delay, "preference": preference}


def objective_terms(v: GoLiveVariables, problem: Problem) -> dict[str, cp_model.LinearExprT]:
    return {name: build(v, problem) for name, build in TERMS.items()}


def tie_break_positions(v: GoLiveVariables, problem: Problem) -> list[tuple[str, cp_model.LinearExprT, int, int]]:
    """For the lexicographic tie-break: (org id, its window place among future windows with
    'unscheduled' as one past the last, smallest possible, largest possible), in id order."""
    place = {slot.id: i for i, slot in enumerate(v.slots)}
    never = len(v.slots)
    result = []
    for org in sorted(problem.plannable, key=lambda o: o.id):
        domain = v.domain[org.id]
        expr = sum(place[s.id] * v.go_live[org.id, s.id] for s in domain) + never * (1 - v.scheduled(org.id))
        low = min((place[s.id] for s in domain), default=never)
        high = never if not org.is_mandatory else max((place[s.id] for s in domain), default=never)
        result.append((org.id, expr, low, high))
    return result
