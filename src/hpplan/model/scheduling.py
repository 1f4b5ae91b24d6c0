"""A redundant scheduling view of the same model, for CP-SAT's scheduling propagators.

The window-assignment model (variables.py, constraints.py) is complete on its own. This module adds,
on top of it and implied by it, what CP-SAT reasons about best for resource-constrained scheduling:
- the go-live month of each organisation (GoLiveVariables.timing), equal to the month of its window;
- for each pool, its load profile split into constant runs, each an (optional) interval variable at a
  fixed offset from the go-live month, and one cumulative constraint per pool (capacity that varies by
  month is expressed as fixed intervals taking up the difference to the largest capacity);
None of this removes a plan the window model allows: runs that could fall outside the months the
capacity is checked for are left out of the cumulative (docs/model.md "The redundant scheduling view").
Pairwise rules on large domains use the same timing views (docs/model.md "The compact form of pairwise
rules")."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..problem import Problem
from .variables import GoLiveVariables


def add_pool_cumulatives(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    first, last = problem.start_month, problem.end_month
    for pool in problem.waves.pools:
        intervals, demands = [], []
        for org in problem.plannable:
            if not v.domain.get(org.id):
                continue
            timing = v.timing(org.id)
            month, present, low, high = timing.month, timing.present, timing.earliest_month, timing.latest_month
            for pool_of, profile in problem.loads(org):
                if pool_of.id != pool.id:
                    continue
                for offset, length, load in profile.runs():
                    if low + offset < first or high + offset + length - 1 > last:
                        continue  # could leave the checked months: not implied, so left out
                    start = m.new_int_var(low + offset, high + offset, f"load_start[{org.id},{pool.id},{offset}]")
                    m.add(start == month + offset)
                    intervals.append(m.new_optional_fixed_size_interval_var(
                        start, length, present, f"load[{org.id},{pool.id},{offset}]"))
                    demands.append(load)
        if not intervals:
            continue
        capacity = {t: problem.capacity(pool, t) for t in range(first, last + 1)}
        top = max(capacity.values())
        pinned = problem.pinned_load(pool)
        add_blocked_cumulative(m, pool.id, intervals, demands, capacity, pinned, top)


def add_blocked_cumulative(m: cp_model.CpModel, pool_id: str, intervals: list, demands: list,
                           capacity: dict[int, int], pinned: dict[int, int], top: int) -> None:
    """One cumulative of capacity `top` for a pool: in every month where less is free (a lower
    capacity, pinned load) a fixed one-month interval takes up the difference."""
    for t in capacity:
        taken = top - capacity[t] + pinned[t]
        if taken > 0:
            intervals.append(m.new_fixed_size_interval_var(t, 1, f"taken[{pool_id},{t}]"))
            demands.append(taken)
    m.add_cumulative(intervals, demands, top).with_name(f"cumulative[{pool_id}]")


def add_scheduling_view(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem) -> None:
    """Redundant cumulative constraints per pool (the precedence rules get the same integer view in
    constraints.py when their domains are large)."""
    add_pool_cumulatives(m, v, problem)
