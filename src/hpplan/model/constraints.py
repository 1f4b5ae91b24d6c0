"""The rules and limits of docs/rules.md as constraint groups, one function each.

Time-indexed rules are written in their cumulative ("at or before window k") form, which is the tight
formulation for precedence between window-assignment variables (see docs/model.md).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..problem import Problem
from ..schema import AfterLive, Kind, NotSameWindow, Order, Status, Together, WithOrBefore
from .variables import GoLiveVariables


def add_one_window_each(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    """A mandatory organisation goes live in exactly one window, an optional one in at most one."""
    for org in problem.plannable:
        scheduled = v.scheduled(org.id)
        if org.is_mandatory:
            require(m, scheduled == 1, f"mandatory[{org.id}]")
        else:
            require(m, scheduled <= 1, f"at_most_once[{org.id}]")


def add_with_or_before(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: WithOrBefore) -> None:
    """If both go live, the actor's date is on or before the target's."""
    if rule.each is not None:
        pairs = [
            (o.id, o.municipality)
            for o in problem.organisations
            if o.kind is rule.each and problem.org[o.municipality].status is not Status.live
        ]
    else:
        pairs = [(rule.actor, rule.target)]
    for actor, target in pairs:
        if actor in v.fixed and target in v.fixed:
            continue  # history
        dates = sorted({s.date for s in v.slots} | {f.date for k, f in v.fixed.items() if k in (actor, target)})
        for day in dates:
            # not (target on or before `day` and actor after `day`)
            target_by = v.at_or_before(target, date=day)
            actor_after = _after(v, actor, day)
            require(m, target_by + actor_after <= 1, f"with_or_before[{actor}<={target}]@{day}")


def _after(v: GoLiveVariables, org_id: str, day) -> cp_model.LinearExprT:
    """1 when the organisation goes live after `day` (0 when unscheduled)."""
    if org_id in v.fixed:
        return int(v.fixed[org_id].date > day)
    return sum(v.go_live[org_id, s.id] for s in v.domain.get(org_id, []) if s.date > day)


def add_together(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: Together) -> None:
    """All go live in the same window, or none does."""
    first, *others = rule.actors
    if any(a in v.fixed for a in rule.actors):
        pinned = [a for a in rule.actors if a in v.fixed]
        if len(pinned) < len(rule.actors):
            # a pinned member went live in history; the others cannot join it there
            m.add_bool_or([]).with_name(f"together[{','.join(rule.actors)}]:pinned_member")
        return
    for other in others:
        for slot in v.slots:
            require(m, v.x(first, slot) == v.x(other, slot), f"together[{first}={other}]@{slot.id}")


def add_precedence(m: cp_model.CpModel, v: GoLiveVariables, first: str, then: str, *,
                   min_gap_windows: int, min_gap_months: int, name: str) -> None:
    """If `then` goes live (at window w), `first` goes live no later than `min_gap_windows` windows and
    `min_gap_months` months before w. Cumulative form: for every window w,
    [then at or before w] <= [first at or before (position(w) - gap, month(w) - gap)]."""
    if first in v.fixed and then in v.fixed:
        return
    if then in v.fixed:
        f = v.fixed[then]
        required = v.at_or_before(first, position=f.position - min_gap_windows, month=f.month - min_gap_months)
        require(m, required >= 1, f"{name}:before_pinned")
        return
    for slot in v.domain.get(then, []):
        then_by = v.at_or_before(then, position=slot.position)
        first_by = v.at_or_before(first, position=slot.position - min_gap_windows, month=slot.month - min_gap_months)
        require(m, then_by <= first_by, f"{name}@{slot.id}")


def add_order(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: Order) -> None:
    for a, b in zip(rule.actors, rule.actors[1:]):
        add_precedence(m, v, a, b, min_gap_windows=rule.min_gap_windows, min_gap_months=rule.min_gap_months,
                       name=f"order[{a}<{b}]")


def add_after_live(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: AfterLive) -> None:
    """`then`'s preparation starts the month after `first` goes live, at the earliest."""
    preparation = len(problem.profile(problem.org[rule.then]).before)
    add_precedence(m, v, rule.first, rule.then, min_gap_windows=0, min_gap_months=preparation + 1,
                   name=f"after_live[{rule.first}<{rule.then}]")


def add_not_same_window(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: NotSameWindow) -> None:
    for slot in v.slots:
        members = [v.x(a, slot) for a in rule.actors]
        require(m, sum(members) <= 1, f"not_same_window[{','.join(rule.actors)}]@{slot.id}")


def require(m: cp_model.CpModel, constraint, name: str) -> None:
    """Add a constraint; a constant one (all its terms fixed) is dropped when true and kept as a
    named, unsatisfiable clause when false, so that infeasibility can be traced to its rule."""
    if isinstance(constraint, bool) or type(constraint).__name__ == "bool_":
        if not constraint:
            m.add_bool_or([]).with_name(name)
        return
    m.add(constraint).with_name(name)


RULES = {
    "with_or_before": add_with_or_before,
    "together": add_together,
    "order": add_order,
    "after_live": add_after_live,
    "not_same_window": add_not_same_window,
}


def add_rules(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    for rule in problem.waves.rules:
        RULES[rule.type](m, v, problem, rule)


def add_window_limits(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    """Per-window limits on actors, users and health trusts going live."""
    plannable = problem.plannable
    for i, limit in enumerate(problem.waves.limits):
        chosen = set(limit.windows) if limit.windows is not None else None
        for slot in v.slots:
            if chosen is not None and slot.id not in chosen:
                continue
            going = [(o, v.x(o.id, slot)) for o in plannable if (o.id, slot.id) in v.go_live]
            if limit.max_actors is not None:
                require(m, sum(x for _, x in going) <= limit.max_actors, f"limit{i}.max_actors@{slot.id}")
            if limit.max_users is not None:
                require(m, sum(problem.users(o) * x for o, x in going) <= limit.max_users, f"limit{i}.max_users@{slot.id}")
            if limit.max_trusts is not None:
                trusts = [x for o, x in going if o.kind is Kind.health_trust]
                require(m, sum(trusts) <= limit.max_trusts, f"limit{i}.max_trusts@{slot.id}")


def pool_load(v: GoLiveVariables, problem: Problem, pool_sector, month: int) -> tuple[cp_model.LinearExprT, int]:
    """A pool's load in a month: (the planned organisations' part, the pinned organisations' part)."""
    planned = []
    for org in problem.plannable:
        if org.effective_sector is not pool_sector:
            continue
        profile = problem.profile(org)
        for slot in v.domain[org.id]:
            load = profile.load_at(month - slot.month)
            if load:
                planned.append(load * v.go_live[org.id, slot.id])
    pinned = sum(
        problem.profile(org).load_at(month - v.fixed[org.id].month)
        for org in problem.pinned
        if org.effective_sector is pool_sector
    )
    return sum(planned), pinned


def add_pool_capacity(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    """Every month, each pool's load (preparation and hypercare of every go-live) fits its capacity."""
    for pool in problem.waves.pools:
        for month in problem.months:
            planned, pinned = pool_load(v, problem, pool.sector, month)
            capacity = problem.capacity(pool, month)
            require(m, planned + pinned <= capacity, f"capacity[{pool.id}]@{month}")
