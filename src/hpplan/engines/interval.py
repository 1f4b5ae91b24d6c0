"""The interval form: the same rollout problem as a CP-SAT scheduling model, where it is exact.

hpplan's core model (`hpplan.model`, docs/model.md) is time-indexed: one Boolean per organisation and
window. For scheduling-shaped problems (PSPLIB, docs/benchmarks.md) CP-SAT does much better on the
classic interval formulation, which this module writes for the same data:

- one integer **go-live month** G_a per plannable organisation, its domain exactly the months of the
  windows the core allows it (`model.variables.allowed_slots`), narrowed by unary rules against pinned
  organisations; optional organisations also get a presence literal p_a (mandatory: p_a = 1);
- **pool capacity**: every profile of a on pool s, split into runs of equal non-zero load, is one
  (optional) interval of fixed size starting at G_a + offset with that load as demand; one
  `add_cumulative` per pool. Capacity that varies by month, and the load of pinned organisations, are
  fixed "blocking" intervals taking up the difference to the cumulative's capacity. The core checks
  load only in `problem.months` (planning month .. horizon month): when some run could fall outside
  them, the cumulative's capacity is raised above anything that can load an unchecked month, and the
  checked months are blocked down to their real capacity, so exactly the checked months bind;
- **rules** on months, each rule read as its relations (`hpplan.relations`): precedences (after_live,
  order: then present => first present, G_then - G_first >= gap, positions through a (month, position)
  table when `min_gap_windows` >= 2), no-later pairs (with_or_before) and same-window sets (together)
  on months, when both go live, different-windows sets (not_same_window: a no-overlap of one-month
  optional intervals),
  earliest/latest/returns/track/blackouts (the domain); rules against a pinned organisation restrict
  the other side's domain, using the window's own position, month and date;
- **window limits**: per limit and measure, one-month optional intervals at G_a with the organisation's
  weight (1, users, trust) in a cumulative whose capacity is blocked down to the bound in the months
  of the windows the limit applies to;
- **objective**: `makespan` exactly as the core term (z >= G_a + longest hypercare - planning month for
  every organisation that goes live), or population_delay + preference with the coefficients of
  `engines.common` (the MIP's and the greedy scheduler's, equal to the core's), per organisation as a
  (month, cost) table.

Exactness needs months to identify windows. An organisation whose domain holds two windows of one
month is fine when no rule or limit relates it to others (it takes the cheaper window of the month,
the earlier among equals: loads and the makespan depend on the month only); otherwise, when two
organisations that a rule or limit relates could use different windows of one month, the problem is
**unsupported** (`unsupported(problem)` says why, in words) and `solve_interval` raises
`NotImplementedError`.

For a makespan objective a multi-pass list schedule (`greedy.multi_pass`), once the independent
verifier accepts it, bounds the makespan from above (z <= its makespan) and is the hint, as
`solve.cut_at_greedy_makespan` does for the core model; if CP-SAT finds no plan in time that plan is
returned (`found_by = "greedy"`).

Solving: CP-SAT with `seed` and `workers`; with more than one worker the search is interleaved
(deterministic, as `hpplan.solve.solver_for`). Interleaved search lets the other tasks of a batch run
out their time after one has proved the optimum, so the search is stopped as soon as CP-SAT logs that
it is done (`_DoneStop`; J30 j3013_1: 10.0 s -> 4.1 s). `stop` (an Event or a callable) ends the search
from another thread.

Measured on PSPLIB J30 (the bench's 20 instances, 10 s, 2 workers; docs/benchmarks.md): 20/20 proven
optimal, the slowest in about 5 s; PyJobShop 19-20/20 in the same run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from ..model.scheduling import add_blocked_cumulative
from ..model.variables import Fixed, Slot, allowed_slots, window_calendar
from ..problem import Problem
from ..relations import DifferentWindows, NoLater, Precedes, SameWindow, history
from ..stopping import cp_solver, stop_check, stopping_search

ENGINE = "cp-sat-interval"

STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


@dataclass
class IntervalResult:
    status: str  # optimal | feasible | infeasible | unknown
    objective: int | None  # the objective's total (the core's terms summed), None without a plan
    bound: int | None  # proven lower bound on the objective
    chosen: dict[str, str]  # plannable org id -> window id, for those that go live
    build_time: float  # seconds: data to model, greedy cut-off included
    solve_time: float  # seconds in CP-SAT
    found_by: str | None = None  # "cp-sat-interval", or "greedy" when CP-SAT found no plan in time
    greedy_objective: int | None = None  # the list schedule's makespan used as a cut-off (makespan only)
    stopped: bool = False  # the search was stopped from outside (`stop`)
    #: the lexicographic tie-break (`solve_interval(tie_break=True)`): complete | incomplete | skipped
    tie_break: str = "skipped"


# ---- analysis: what the model needs, and whether it is exact -------------------------------------


@dataclass
class _Analysis:
    problem: Problem
    slots: list[Slot]
    fixed: dict[str, Fixed]
    #: plannable org id -> allowed slots, narrowed by unary rules against pinned organisations
    domain: dict[str, list[Slot]]
    must_go_live: set[str]  # mandatory, or required by a rule against a pinned organisation
    must_stay_out: set[str] = field(default_factory=set)
    impossible: list[str] = field(default_factory=list)  # rules no plan can keep (named)
    precedences: list[Precedes] = field(default_factory=list)
    with_or_before: list[tuple[str, str]] = field(default_factory=list)
    together: list[tuple[str, ...]] = field(default_factory=list)
    not_same: list[tuple[str, ...]] = field(default_factory=list)
    #: (limit index, measure, bound, window ids it applies to, org id -> weight > 0)
    limits: list[tuple[int, str, int, set[str], dict[str, int]]] = field(default_factory=list)
    #: organisations whose month must identify their window (related to others by a rule or limit)
    related: dict[str, str] = field(default_factory=dict)  # org id -> what relates it (for messages)
    reason: str | None = None  # why the interval form is not exact here


def _restrict(a: _Analysis, org_id: str, keep: Callable[[Slot], bool]) -> None:
    a.domain[org_id] = [s for s in a.domain.get(org_id, []) if keep(s)]


def _analyse(problem: Problem) -> _Analysis:
    _, slots, fixed = window_calendar(problem)
    domain = {o.id: allowed_slots(problem, o, slots) for o in problem.plannable}
    a = _Analysis(problem, slots, fixed, domain, {o.id for o in problem.plannable if o.is_mandatory})
    for index, rule in enumerate(problem.waves.rules):
        label = rule.id or f"rule #{problem.rule_number(index)} ({rule.type})"
        relations = rule.relations(problem)
        if relations is None:  # a rule type this form does not know
            a.reason = f"{label}: rule type {rule.type!r} is not in the interval form"
            return a
        for relation in relations:
            if isinstance(relation, DifferentWindows):
                members = tuple(x for x in relation.members if x in domain)
                if len(members) >= 2:
                    a.not_same.append(members)
                    for x in members:
                        a.related.setdefault(x, label)
            elif history(relation, fixed):
                continue  # two pinned organisations: history, never judged
            elif isinstance(relation, NoLater):
                _no_later(a, relation, label)
            elif isinstance(relation, SameWindow):
                pinned = [x for x in relation.members if x in fixed]
                if pinned:
                    a.impossible.append(f"{label}: together with {', '.join(pinned)}, who went live in history")
                    continue
                a.together.append(relation.members)
                for x in relation.members:
                    a.related.setdefault(x, label)
            elif isinstance(relation, Precedes):
                _precedes(a, relation, label)
            else:
                raise TypeError(f"the interval form has no place for {type(relation).__name__}")

    _limits(a)
    a.reason = _month_clash(a)
    return a


def _no_later(a: _Analysis, relation: NoLater, label: str) -> None:
    """A pinned side narrows the other's domain; two planned ones are related on months."""
    actor, target = relation.actor, relation.target
    if any(o not in a.fixed and o not in a.domain for o in (actor, target)):
        return  # opted out for good: never goes live, nothing to compare
    if target in a.fixed:
        day = a.fixed[target].date
        _restrict(a, actor, lambda s: s.date <= day)
    elif actor in a.fixed:
        day = a.fixed[actor].date
        _restrict(a, target, lambda s: s.date >= day)
    else:
        a.with_or_before.append((actor, target))
        a.related.setdefault(actor, label)
        a.related.setdefault(target, label)


def _precedes(a: _Analysis, p: Precedes, label: str) -> None:
    """A pinned side narrows the other's domain (a pinned `then` makes `first` go live); a `first` that
    never goes live keeps `then` out; two planned ones are related on months and positions."""
    first, then, g, m = p.first, p.then, p.gap_windows, p.gap_months
    if then in a.fixed:
        f = a.fixed[then]
        if first not in a.domain:  # never goes live (opted out for good)
            a.impossible.append(f"{label}: {first} never goes live but {then} is live")
            return
        _restrict(a, first, lambda s: s.position <= f.position - g and s.month <= f.month - m)
        a.must_go_live.add(first)
    elif first in a.fixed:
        f = a.fixed[first]
        _restrict(a, then, lambda s: f.position <= s.position - g and f.month <= s.month - m)
    elif first not in a.domain:  # `first` never goes live, so neither may `then`
        a.must_stay_out.add(then)
    else:
        a.precedences.append(p)
        a.related.setdefault(first, label)
        a.related.setdefault(then, label)


def _limits(a: _Analysis) -> None:
    from .common import WindowLimit, limit_weight

    problem = a.problem
    future = {s.id for s in a.slots}
    for index, limit in enumerate(problem.waves.limits):
        windows = set(limit.windows) & future if limit.windows is not None else set(future)
        if not windows:
            continue
        for measure in ("max_actors", "max_users", "max_trusts"):
            bound = getattr(limit, measure)
            if bound is None:
                continue
            probe = WindowLimit(index, measure, bound, (), frozenset(limit.kinds) if limit.kinds is not None else None)
            weights = {o.id: w for o in problem.plannable if (w := limit_weight(problem, o, probe)) > 0}
            if not weights:
                continue
            a.limits.append((index, measure, bound, windows, weights))
            for org_id in weights:
                a.related.setdefault(org_id, f"limit #{index + 1} ({measure})")


def _month_clash(a: _Analysis) -> str | None:
    """Months identify windows for every organisation a rule or limit relates to another: among those
    organisations' domains, no month may offer two different windows."""
    seen: dict[int, tuple[str, str]] = {}  # month -> (window id, org id)
    for org_id in sorted(a.related):
        for s in a.domain.get(org_id, []):
            other = seen.setdefault(s.month, (s.id, org_id))
            if other[0] != s.id:
                month = f"{s.month // 12:04d}-{s.month % 12 + 1:02d}"
                return (f"windows {other[0]} and {s.id} are both in {month}, open to {other[1]} and {org_id}, "
                        f"which {a.related[org_id]} relates to others: the interval form decides months, not "
                        f"windows, so it cannot tell them apart")
    return None


def unsupported(problem: Problem) -> str | None:
    """Why the interval form is not exact for this problem (a sentence), or None when it is."""
    return _analyse(problem).reason


# ---- the model -----------------------------------------------------------------------------------


@dataclass
class _Built:
    model: cp_model.CpModel
    analysis: _Analysis
    month: dict[str, cp_model.IntVar]  # org id -> go-live month (meaningful while present)
    present: dict[str, object]  # org id -> literal or constant 1/0
    #: org id -> month -> the window taken in that month
    window_of: dict[str, dict[int, Slot]]
    objective: object
    makespan: cp_model.IntVar | None = None


def _slot_costs(a: _Analysis) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Population objective: cost of each org in each slot (by window id) and when unscheduled,
    summed over the terms, with the coefficients of engines.common (the core's)."""
    from .common import flatten

    flat = flatten(a.problem)
    per_slot: dict[str, dict[str, int]] = {}
    never: dict[str, int] = {}
    for org_id in a.domain:
        ks = flat.domain[org_id]
        costs = {flat.slots[k].id: 0 for k in ks}
        never[org_id] = 0
        for term, per_org in flat.slot_cost.items():
            if org_id in per_org:
                for i, k in enumerate(ks):
                    costs[flat.slots[k].id] += per_org[org_id][i]
                never[org_id] += flat.never_cost[term][org_id]
        per_slot[org_id] = costs
    return per_slot, never


def _interval(m: cp_model.CpModel, start, size: int, presence, name: str):
    """A fixed-size interval, optional only when its organisation may stay out."""
    if isinstance(presence, int):
        return m.new_fixed_size_interval_var(start, size, name)
    return m.new_optional_fixed_size_interval_var(start, size, presence, name)


def _build(a: _Analysis, *, symmetry: bool = True) -> _Built:
    """The interval form of the analysed problem (module docstring), in its constraint groups' order:
    variables, rules, window limits, pool capacity, symmetry breaking, objective."""
    form = _IntervalForm(a)
    form.variables()
    form.rules()
    form.window_limits()
    form.pool_capacity()
    if symmetry:
        _break_symmetry(form.m, a, form.month, form.present, form.window_of)
    return form.objective()


class _IntervalForm:
    """The interval form's model being built: each organisation's go-live month (`month`, over the months
    of its cheapest window each), whether it goes live (`present`: 1, 0 or a literal) and which window
    each month stands for (`window_of`); `position` is made where a rule needs window positions."""

    def __init__(self, a: _Analysis) -> None:
        self.a = a
        self.problem = a.problem
        self.m = cp_model.CpModel()
        self.m.name = "hpplan rollout (interval form)"
        self.makespan_kind = self.problem.waves.objective.kind == "makespan"
        self.costs, self.never = ({}, {}) if self.makespan_kind else _slot_costs(a)
        self.month: dict[str, cp_model.IntVar] = {}
        self.present: dict[str, object] = {}
        self.window_of: dict[str, dict[int, Slot]] = {}
        self.position_var: dict[str, cp_model.IntVar] = {}

    def lit(self, org_id: str):
        return self.present.get(org_id, 0)

    def enforce(self, constraint, *orgs: str) -> None:
        literals = [self.lit(o) for o in orgs]
        if any(isinstance(x, int) and x == 0 for x in literals):
            return
        c = self.m.add(constraint)
        live = [x for x in literals if not isinstance(x, int)]
        if live:
            c.only_enforce_if(live)

    def position(self, org_id: str) -> cp_model.IntVar:
        if org_id not in self.position_var:
            table = [(mo, s.position) for mo, s in self.window_of[org_id].items()]
            var = self.m.new_int_var_from_domain(cp_model.Domain.from_values(sorted({p for _, p in table})),
                                                 f"position[{org_id}]")
            self.m.add_allowed_assignments([self.month[org_id], var], table)
            self.position_var[org_id] = var
        return self.position_var[org_id]

    def variables(self) -> None:
        """Each organisation's month and presence; the analysis's impossibilities as empty clauses."""
        a, problem = self.a, self.problem
        for org in problem.plannable:
            dom = a.domain[org.id]
            if not dom or org.id in a.must_stay_out:
                if org.id in a.must_go_live:
                    self.m.add_bool_or([]).with_name(f"no_window[{org.id}]")
                self.present[org.id] = 0
                continue
            best: dict[int, Slot] = {}
            for s in dom:  # the cheapest window of each month, the earliest among equals (dates sorted)
                cost = self.costs.get(org.id, {}).get(s.id, 0)
                if s.month not in best or cost < self.costs.get(org.id, {}).get(best[s.month].id, 0):
                    best[s.month] = s
            self.window_of[org.id] = best
            self.month[org.id] = self.m.new_int_var_from_domain(cp_model.Domain.from_values(sorted(best)),
                                                                f"month[{org.id}]")
            if org.id in a.must_go_live:
                self.present[org.id] = 1
            else:
                self.present[org.id] = self.m.new_bool_var(f"present[{org.id}]")

        for reason in a.impossible:
            self.m.add_bool_or([]).with_name(reason[:200])

    def rules(self) -> None:
        """The rules' relations (`_analyse`): precedences, with_or_before pairs, together and
        not_same_window groups."""
        a = self.a
        for p in a.precedences:
            self._precedence(p)
        for actor, target in a.with_or_before:
            if actor in self.month and target in self.month:
                self.enforce(self.month[actor] <= self.month[target], actor, target)
        for group in a.together:
            self._together(group)
        for group in a.not_same:
            intervals = [_interval(self.m, self.month[x], 1, self.lit(x), f"window[{x}]")
                         for x in group if x in self.month]
            if len(intervals) >= 2:
                self.m.add_no_overlap(intervals)

    def _precedence(self, p) -> None:
        then, first = self.lit(p.then), self.lit(p.first)
        if isinstance(then, int) and then == 0:
            return
        if isinstance(first, int) and first == 0:
            if isinstance(then, int):
                self.m.add_bool_or([]).with_name(f"precedence[{p.first}<{p.then}]:first_never")
            else:
                self.m.add(then == 0)
            return
        if not isinstance(then, int) and not isinstance(first, int):
            self.m.add_implication(then, first)
        elif isinstance(then, int) and not isinstance(first, int):
            self.m.add(first == 1)
        # one window per month among related organisations: position order = month order
        gap = max(p.gap_months, min(p.gap_windows, 1))
        self.enforce(self.month[p.then] >= self.month[p.first] + gap, p.then)
        if p.gap_windows >= 2:
            self.enforce(self.position(p.then) >= self.position(p.first) + p.gap_windows, p.then)

    def _together(self, group) -> None:
        live = [x for x in group if x in self.month]
        if len(live) < len(group):  # a member never goes live: none may
            for x in live:
                if isinstance(self.lit(x), int):
                    self.m.add_bool_or([]).with_name(f"together[{x}]:member_never")
                else:
                    self.m.add(self.lit(x) == 0)
            return
        first, *others = group
        lead = self.lit(first)
        for x in others:
            other = self.lit(x)
            if isinstance(lead, int) or isinstance(other, int):
                if not (isinstance(lead, int) and isinstance(other, int)):
                    var, const = (other, lead) if isinstance(lead, int) else (lead, other)
                    self.m.add(var == const)
            else:
                self.m.add(lead == other)
            self.enforce(self.month[first] == self.month[x], first)

    def window_limits(self) -> None:
        """One-month intervals at the go-live month, capacity blocked down to the bound."""
        a = self.a
        for index, measure, bound, windows, weights in a.limits:
            live = {o: w for o, w in weights.items() if o in self.month}
            total = sum(live.values())
            if total <= bound:
                continue
            # the months whose window (the one window of that month open to related organisations) is limited
            months = {mo for o in live for mo, s in self.window_of[o].items() if s.id in windows}
            intervals, demands = [], []
            for o, w in live.items():
                intervals.append(_interval(self.m, self.month[o], 1, self.lit(o), f"limit{index}.{measure}[{o}]"))
                demands.append(w)
            for mo in sorted(months):
                intervals.append(self.m.new_fixed_size_interval_var(mo, 1, f"limit{index}.{measure}@{mo}"))
                demands.append(total - bound)
            self.m.add_cumulative(intervals, demands, total).with_name(f"limit{index}.{measure}")


    def pool_capacity(self) -> None:
        """Each pool's load profiles as intervals on a cumulative blocked down to the monthly capacity."""
        problem = self.problem
        first_month, last_month = problem.start_month, problem.end_month
        for pool in problem.waves.pools:
            runs = []  # (org id, start offset, length, load)
            for org in problem.plannable:
                if org.id not in self.month:
                    continue
                for pool_of, profile in problem.loads(org):
                    if pool_of.id == pool.id:
                        runs.extend((org.id, off, length, load) for off, length, load in profile.runs())
            capacity = {t: problem.capacity(pool, t) for t in range(first_month, last_month + 1)}
            pinned = problem.pinned_load(pool)
            top = max(capacity.values(), default=0)
            # the load that could fall on a month the core does not check: such months must never bind
            outside = 0
            for org_id, off, length, load in runs:
                low, high = min(self.window_of[org_id]), max(self.window_of[org_id])
                if low + off < first_month or high + off + length - 1 > last_month:
                    outside += load
            cap = max(top, outside)
            intervals, demands = [], []
            for org_id, off, length, load in runs:
                low, high = min(self.window_of[org_id]), max(self.window_of[org_id])
                if high + off + length - 1 < first_month or low + off > last_month:
                    continue  # always outside the checked months
                intervals.append(_interval(self.m, self.month[org_id] + off, length, self.lit(org_id),
                                           f"load[{org_id},{pool.id},{off}]"))
                demands.append(load)
            if not intervals:
                if any(pinned[t] > capacity[t] for t in capacity):
                    self.m.add_bool_or([]).with_name(f"capacity[{pool.id}]:pinned_over")
                continue
            add_blocked_cumulative(self.m, pool.id, intervals, demands, capacity, pinned, cap)


    def objective(self) -> _Built:
        """The makespan, or each organisation's cost of its month (or of never going live)."""
        a, problem = self.a, self.problem
        built = _Built(self.m, a, self.month, self.present, self.window_of, 0)
        t0 = problem.start_month
        if self.makespan_kind:
            horizon = max((s.month for s in a.slots), default=t0) - t0
            longest = max((len(p.after) for p in problem.profiles.values()), default=0)
            z = self.m.new_int_var(0, max(horizon + longest, 0), "makespan")
            for org in problem.plannable:
                if org.id not in self.month:
                    continue
                hypercare = max((len(profile.after) for _, profile in problem.loads(org)), default=0)
                self.enforce(z >= self.month[org.id] + hypercare - t0, org.id)
            built.objective = z
            built.makespan = z
        else:
            terms = []
            for org in problem.plannable:
                if org.id not in self.month:
                    terms.append(self.never[org.id])
                    continue
                table = [(mo, self.costs[org.id][s.id]) for mo, s in self.window_of[org.id].items()]
                values = sorted({c for _, c in table})
                if len(values) == 1:
                    slot_cost = values[0]
                else:
                    slot_cost = self.m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"cost[{org.id}]")
                    self.m.add_allowed_assignments([self.month[org.id], slot_cost], table)
                p = self.lit(org.id)
                if isinstance(p, int):
                    terms.append(slot_cost)
                else:
                    never = self.never[org.id]
                    cost = self.m.new_int_var(min(values + [never]), max(values + [never]), f"total_cost[{org.id}]")
                    self.m.add(cost == slot_cost).only_enforce_if(p)
                    self.m.add(cost == self.never[org.id]).only_enforce_if(~p)
                    terms.append(cost)
            built.objective = sum(terms)
        self.m.minimize(built.objective)
        return built


def _break_symmetry(m: cp_model.CpModel, a: _Analysis, month, present, window_of) -> int:
    """Interchangeable mandatory organisations (same data apart from id and name, same domain, the
    same rules with the same partners, counted alike by every limit) go live in id order: any plan is
    the same plan with such organisations swapped, so one ordering keeps an optimum."""
    problem = a.problem
    partners: dict[str, list] = {o: [] for o in month}
    for p in a.precedences:
        partners.setdefault(p.first, []).append(("before", p.then, p.gap_windows, p.gap_months))
        partners.setdefault(p.then, []).append(("after", p.first, p.gap_windows, p.gap_months))
    for x, y in a.with_or_before:
        partners.setdefault(x, []).append(("wob-actor", y))
        partners.setdefault(y, []).append(("wob-target", x))
    involved = {x for g in a.together + a.not_same for x in g}
    groups: dict[tuple, list[str]] = {}
    for org in problem.plannable:
        if org.id not in month or not isinstance(present[org.id], int) or org.id in involved:
            continue
        data = org.model_dump(exclude={"id", "name", "at", "source", "note"}) if hasattr(org, "model_dump") else None
        key = (repr(data), tuple(sorted(window_of[org.id])), tuple(sorted(map(repr, partners.get(org.id, [])))),
               tuple(sorted((i, meas, w.get(org.id, 0)) for i, meas, _, _, w in a.limits)))
        groups.setdefault(key, []).append(org.id)
    rows = 0
    for members in groups.values():
        members.sort()
        # partners naming a member of the same group would make the swap change the rules: skip
        if any(other in members for x in members for item in partners.get(x, []) for other in item[1:2]):
            continue
        for x, y in zip(members, members[1:]):
            m.add(month[x] <= month[y])
            rows += 1
    return rows


# ---- solving -------------------------------------------------------------------------------------


def _greedy_cut(a: _Analysis):
    """The multi-pass list schedule as (makespan, chosen org -> window id), if the verifier accepts it."""
    from ..greedy import flatten, multi_pass, to_solution
    from ..solution import SolveStats, Status
    from ..verify import verify

    problem = a.problem
    flat = flatten(problem)
    plan = multi_pass(problem, flat=flat)
    if plan.stuck:
        return None
    greedy = to_solution(flat, {o: plan.chosen.get(o) for o in flat.plannable}, Status.feasible, SolveStats())
    if verify(problem, greedy, check_objective=False):
        return None  # never cut with a plan that breaks a rule
    return round(greedy.objective["makespan"]), {x.id: x.window for x in greedy.plan if x.window and not x.pinned}


class _DoneStop:
    """Ends the search as soon as a subsolver has finished it. With interleaved search CP-SAT proves
    the optimum in one subsolver's task and then lets the other tasks of the batch run out their
    deterministic time (J30 j3013_1: proven at 6.2 s, returned at the 10 s limit). CP-SAT says so only
    in its log ("#Done"), so the log is read through `log_callback` (not printed unless `log`). A
    solution callback is no help: the bound it sees is not updated at the proof, and with a hint that
    presolve proves optimal it aborts the process (OR-Tools 9.15: "solution->size() ==
    postsolve_mapping.size()")."""

    def __init__(self, solver: cp_model.CpSolver, echo: bool):
        self.solver = solver
        self.echo = echo
        self.done = False

    def __call__(self, line: str) -> None:
        if self.echo:
            print(line, flush=True)
        if not self.done and line.startswith("#Done"):
            self.done = True
            self.solver.stop_search()


def solve_interval(problem: Problem, *, time_limit: float, seed: int = 0, workers: int = 1, log: bool = False,
                   stop=None, symmetry: bool = True, cut: bool = True, params: dict | None = None,
                   proof_stop: bool = True, tie_break: bool = False) -> IntervalResult:
    """Minimise the data's objective with the interval form (module docstring).

    `stop`: a `threading.Event`, or a callable returning True, that another thread sets when the search
    should end (polled every 20 ms; the solve then returns its best plan so far). With `workers` > 1 the
    search is interleaved (deterministic, as `hpplan.solve.solver_for`). `params`: extra CP-SAT
    parameters (experiments). Raises NotImplementedError when `unsupported(problem)` gives a reason.

    `tie_break`: after a proven optimum, the lexicographic tie-break of `hpplan.solve` (organisations in
    id order, each as early as the ones before it allow) in this model, where it is the same one: when
    every organisation's windows lie in distinct months, month order is window order, and the two
    models have the same plans (`tie_break_equivalent`). Within the time limit; else `incomplete`."""
    started = time.perf_counter()
    check = stop_check(stop)
    a = _analyse(problem)
    if a.reason is not None:
        raise NotImplementedError(f"interval form: {a.reason}")
    built = _build(a, symmetry=symmetry)
    m = built.model
    greedy = None
    if cut and built.makespan is not None:
        greedy = _greedy_cut(a)
        if greedy is not None:
            value, chosen = greedy
            m.add(built.makespan <= value).with_name("makespan:greedy_cut")
            slot_month = {s.id: s.month for s in a.slots}
            for org_id, var in built.month.items():
                window = chosen.get(org_id)
                if window is not None:
                    m.add_hint(var, slot_month[window])
                if not isinstance(built.present[org_id], int):
                    m.add_hint(built.present[org_id], window is not None)
            m.add_hint(built.makespan, value)
    build_time = time.perf_counter() - started

    def new_solver(time_left: float) -> cp_model.CpSolver:
        solver = cp_solver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(time_left, 0.01)
        prm.random_seed = seed
        prm.num_workers = max(1, workers)
        if workers > 1:
            prm.interleave_search = True  # deterministic (OR-Tools #2159), as hpplan.solve
        done_stop = _DoneStop(solver, log) if proof_stop else None
        prm.log_search_progress = log or done_stop is not None
        if done_stop is not None:
            prm.log_to_stdout = False
            solver.log_callback = done_stop
        for key, value in (params or {}).items():
            if isinstance(value, list):
                getattr(prm, key).extend(value)
            else:
                setattr(prm, key, value)
        return solver

    deadline = started + time_limit
    solver = new_solver(time_limit - build_time)
    if check is not None and check():  # stopped before the search began: nothing to run
        result = IntervalResult("unknown", None, None, {}, build_time, 0.0,
                                greedy_objective=greedy[0] if greedy else None, stopped=True)
        if greedy is not None:
            result.status, result.objective, result.chosen, result.found_by = "feasible", greedy[0], dict(greedy[1]), "greedy"
        return result
    solve_started = time.perf_counter()
    with stopping_search(solver, stop) as stopped:
        code = solver.solve(m)
    bound = solver.best_objective_bound if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else -math.inf
    # CP-SAT's interleaved search (workers > 1) can end well before its time limit without a proof (J30
    # j3013_1 now and then at 2.5 of 4.7 s, bound 48 where the optimum 58 is proven at 3.3 s): the search
    # goes on from its best plan for the time left, the best bound of the runs kept
    while (code in (cp_model.FEASIBLE, cp_model.UNKNOWN) and workers > 1 and not stopped.stopped and not params
           and deadline - time.perf_counter() > RESUME_MIN_SECONDS):
        found = code == cp_model.FEASIBLE
        if found:
            _hint_solution(built, solver)  # (else the hints it started from)
        again = new_solver(deadline - time.perf_counter())
        with stopping_search(again, stop) as stopped:
            resumed = again.solve(m)
        if resumed not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (found and again.objective_value > solver.objective_value):
            break  # (with the hint, a plan of the model, never worse: unless stopped at once)
        solver, code, bound = again, resumed, max(bound, again.best_objective_bound)
    solve_time = time.perf_counter() - solve_started
    status = STATUS.get(code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the interval model: {m.validate()}")
    result = IntervalResult(status, None, None, {}, build_time, solve_time,
                            greedy_objective=greedy[0] if greedy else None, stopped=stopped.stopped)
    if status in ("optimal", "feasible"):
        result.objective = round(solver.objective_value)
        result.bound = math.ceil(max(bound, solver.best_objective_bound) - 1e-6)
        if result.bound >= result.objective:
            result.status = "optimal"  # a plan at the proven bound is optimal, however the search ended
        result.found_by = ENGINE
        result.chosen = _chosen(built, solver)
        if tie_break and result.status == "optimal" and not stopped.stopped and tie_break_equivalent(a):
            result.tie_break = _break_ties(built, result, new_solver, deadline, check)
    elif greedy is not None:
        # CP-SAT found nothing in time (or, impossibly, claimed infeasible): the verified list schedule
        bound = solver.best_objective_bound
        result.status, result.objective, result.chosen, result.found_by = "feasible", greedy[0], dict(greedy[1]), "greedy"
        result.bound = math.ceil(bound - 1e-6) if status == "unknown" and math.isfinite(bound) and bound <= greedy[0] else None
        if result.bound is not None and result.bound >= result.objective:
            result.status = "optimal"
    return result


#: the least time left for which an interleaved search that ended early without a proof is resumed
RESUME_MIN_SECONDS = 0.5


def _hint_solution(built: _Built, solver: cp_model.CpSolver) -> None:
    """The solver's solution as the model's hint (every go-live month and presence), to resume from."""
    m = built.model
    m.clear_hints()
    for org_id, var in built.month.items():
        m.add_hint(var, solver.value(var))
        present = built.present[org_id]
        if not isinstance(present, int):
            m.add_hint(present, solver.boolean_value(present))


def _chosen(built: _Built, solver: cp_model.CpSolver) -> dict[str, str]:
    """The windows of the organisations that go live in the solver's solution."""
    chosen = {}
    for org_id, var in built.month.items():
        p = built.present[org_id]
        if (isinstance(p, int) and p == 1) or (not isinstance(p, int) and solver.boolean_value(p)):
            chosen[org_id] = built.window_of[org_id][solver.value(var)].id
    return chosen


def tie_break_equivalent(a: _Analysis) -> bool:
    """Every plannable organisation's windows lie in distinct months: then ordering its go-live months
    orders its windows, and the lexicographic tie-break here picks the core's plan."""
    return all(len({s.month for s in slots}) == len(slots) for slots in a.domain.values())


def _break_ties(built: _Built, result: IntervalResult, new_solver, deadline: float, check) -> str:
    """`hpplan.solve`'s lexicographic tie-break on this model: objective held at its optimum, each
    organisation in id order as early as possible ('not scheduled' after every month), then fixed."""
    m = built.model
    m.add(built.objective <= result.objective).with_name("tie_break:objective_at_optimum")
    never = max((s.month for s in built.analysis.slots), default=0) + 1
    for org_id in sorted(built.month):
        month, present = built.month[org_id], built.present[org_id]
        if isinstance(present, int):
            rank = month if present else never
        else:
            rank = m.new_int_var(0, never, f"tie_break_rank[{org_id}]")
            m.add(rank == month).only_enforce_if(present)
            m.add(rank == never).only_enforce_if(present.Not())
        time_left = deadline - time.perf_counter()
        if time_left <= 0 or (check is not None and check()):
            return "incomplete"
        m.clear_hints()
        for other, var in built.month.items():  # the plan so far
            window = result.chosen.get(other)
            if window is not None:
                m.add_hint(var, next(mo for mo, s in built.window_of[other].items() if s.id == window))
            if not isinstance(built.present[other], int):
                m.add_hint(built.present[other], window is not None)
        m.minimize(rank)
        solver = new_solver(time_left)
        code = solver.solve(m)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "incomplete"
        result.chosen = _chosen(built, solver)
        if code != cp_model.OPTIMAL:
            return "incomplete"
        m.add(rank == round(solver.objective_value)).with_name(f"tie_break:{org_id}")
    return "complete"


def to_solution(problem: Problem, result: IntervalResult):
    """The result as a `Solution` (plan, load report, objective terms computed as the core's), with
    its status; stats name the engine that found the plan."""
    from ..solution import Solution, SolveStats, Status
    from .common import flatten, to_solution as flat_solution

    stats = SolveStats(engine=ENGINE, build_time=result.build_time, wall_time=result.build_time + result.solve_time,
                       best_bound=result.bound, tie_break=result.tie_break, phases=["objective (interval form)"])
    if result.objective is not None and result.bound is not None:
        stats.gap = abs(result.objective - result.bound) / max(1.0, abs(result.objective))
    status = Status(result.status)
    if result.objective is None:
        return Solution(status=status, stats=stats)
    flat = flatten(problem)
    index = {s.id: k for k, s in enumerate(flat.slots)}
    chosen = {o: (index[result.chosen[o]] if o in result.chosen else None) for o in flat.plannable}
    return flat_solution(flat, chosen, status, stats)


__all__ = ["ENGINE", "IntervalResult", "solve_interval", "to_solution", "unsupported"]
