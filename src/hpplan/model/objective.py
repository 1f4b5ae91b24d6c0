"""The objective terms (docs/rules.md "Objective"): each a linear expression, reported by name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    """How many future windows away each organisation's go-live is from its preferred window (the next
    window costs 1), times the penalty; not scheduled costs as many as there are future windows."""
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


def makespan(v: GoLiveVariables, problem: Problem) -> cp_model.LinearExprT:
    """Months from the planning month to the latest completion (go-live month + hypercare months) of
    any plannable organisation that goes live: finish the rollout as early as possible."""
    horizon = max((s.month for s in v.slots), default=problem.start_month) - problem.start_month
    longest = max((len(p.after) for p in problem.profiles.values()), default=0)
    finish = v.model.new_int_var(0, max(horizon + longest, 0), "makespan")
    for org in problem.plannable:
        hypercare = max((len(profile.after) for _, profile in problem.loads(org)), default=0)
        completion = sum((slot.month + hypercare - problem.start_month) * v.go_live[org.id, slot.id]
                         for slot in v.domain[org.id])
        if not isinstance(completion, int):
            v.model.add(finish >= completion).with_name(f"makespan[{org.id}]")
    return finish


TERMS = {"population_delay": population_delay, "preference": preference}


def objective_terms(v: GoLiveVariables, problem: Problem) -> dict[str, cp_model.LinearExprT]:
    """The objective's terms for the data's objective kind (docs/rules.md "Objective")."""
    if problem.waves.objective.kind == "makespan":
        return {"makespan": makespan(v, problem)}
    return {name: build(v, problem) for name, build in TERMS.items()}


def tie_break_positions(v: GoLiveVariables, problem: Problem) -> list[tuple[str, cp_model.LinearExprT, int]]:
    """For the lexicographic tie-break: (org id, its window place among future windows with
    'unscheduled' as one past the last, its smallest possible place), in id order."""
    place = {slot.id: i for i, slot in enumerate(v.slots)}
    never = len(v.slots)
    result = []
    for org in sorted(problem.plannable, key=lambda o: o.id):
        domain = v.domain[org.id]
        expr = sum(place[s.id] * v.go_live[org.id, s.id] for s in domain) + never * (1 - v.scheduled(org.id))
        low = min((place[s.id] for s in domain), default=never)
        result.append((org.id, expr, low))
    return result


# --------------------------------------------------------------------------------------------------
# re-planning against a baseline plan (docs/scenarios.md "Re-planning"): change as little as possible


@dataclass(frozen=True)
class Anchor:
    """Where an organisation stands in the baseline plan: its window (id) and go-live date, or neither
    when it was not scheduled."""

    window: str | None
    date: dt.date | None


def stability_terms(v: GoLiveVariables, problem: Problem, anchors: dict[str, Anchor]) -> dict[str, cp_model.LinearExprT]:
    """Two terms that measure change from a baseline, over the plannable organisations the baseline
    places (organisations new to the data are free):
    - `moved`: how many are not in their baseline window (a scheduled one in another window or not
      scheduled; an unscheduled one scheduled). One whose baseline window it can no longer use counts
      as moved, as a constant;
    - `movement`: the sum over them of the calendar days between the baseline's go-live date and the
      new window's date ('not scheduled' counts as the day after the last window). Measured from the
      baseline's date, not from its window's place in the changed calendar: a window a scenario moved
      later (into a blackout, say) does not make the windows after its new date the nearest. One the
      baseline leaves out has none: any window it gets is the one move `moved` counts, and the
      objective places it (counted from 'the day after the last window', it was pushed as late as the
      rules let it, whatever the objective)."""
    never = v.slots[-1].date + dt.timedelta(days=1) if v.slots else None
    moved, movement = [], []
    for org in problem.plannable:
        anchor = anchors.get(org.id)
        if anchor is None:
            continue
        domain = v.domain[org.id]
        scheduled = v.scheduled(org.id)
        if anchor.date is None:
            moved.append(scheduled)
            continue  # no movement: see above
        if (org.id, anchor.window) in v.go_live:
            moved.append(1 - v.go_live[org.id, anchor.window])
        else:
            moved.append(1)
        if never is None:
            continue  # no future window: nothing to choose
        movement.append(sum(_days(s.date, anchor.date) * v.go_live[org.id, s.id] for s in domain)
                        + _days(never, anchor.date) * (1 - scheduled))
    return {"moved": sum(moved), "movement": sum(movement)}


def _days(a: dt.date, b: dt.date) -> int:
    return abs((a - b).days)


def frozen_horizon(v: GoLiveVariables, problem: Problem, anchors: dict[str, Anchor],
                   until: dt.date) -> cp_model.LinearExprT:
    """A frozen horizon: the future windows dated before `until` keep the baseline's go-lives. The
    expression counts the deviations — a baseline go-live there that is not kept, a go-live there the
    baseline does not have — so that minimising it first keeps the horizon as far as the rules allow
    (zero when they allow all of it). A baseline go-live the organisation's own data no longer allows
    (a scenario's postponement) counts as a constant."""
    deviations = []
    for org in problem.plannable:
        anchor = anchors.get(org.id)
        keep = anchor is not None and anchor.date is not None and anchor.date < until
        for slot in v.slots:
            if slot.date >= until or (org.id, slot.id) not in v.go_live:
                continue
            x = v.go_live[org.id, slot.id]
            deviations.append(1 - x if keep and slot.id == anchor.window else x)
        if keep and (org.id, anchor.window) not in v.go_live:
            deviations.append(1)
    return sum(deviations)
