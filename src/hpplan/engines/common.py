"""The rollout problem in flat form, for the engines that do not build hpplan's CP-SAT model.

`Flat` holds what a scheduler needs, computed once from a `Problem`: the future windows (slots), each
organisation's domain (indices of the slots it may use, from `hpplan.model.variables.allowed_slots`),
the pinned go-lives, the load profiles per pool, every pool's capacity per month, and the rules in a
normalised form read from each rule's relations (`hpplan.relations`: with_or_before pairs, together
groups, precedences, not_same_window groups), and the window limits. It also holds the objective's
coefficients: the cost of each organisation in each slot and when unscheduled, one term at a time, so
that the greedy scheduler and the MIP compute the objective with the same function (`objective_terms`)
as docs/model.md defines it.

Semantics follow docs/rules.md; constraint code lives in the engines, not here.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from dataclasses import dataclass, field

from ..model.variables import Fixed, Slot, allowed_slots, window_calendar
from ..problem import Problem, Profile
from ..relations import DifferentWindows, NoLater, Precedes, SameWindow, history
from ..schema import Kind, Organisation
from ..solution import Solution, SolveStats, Status as PlanStatus

@dataclass(frozen=True)
class Load:
    """One load profile of an organisation and the pool it loads."""

    pool: str
    profile: Profile


@dataclass(frozen=True)
class Precedence:
    """`then` goes live only if `first` does, at least `gap_windows` window positions and `gap_months`
    months after it (a rule's `relations.Precedes`: order, after_live; `rule` labels the rule; docs/model.md
    constraint 4)."""

    first: str
    then: str
    gap_windows: int
    gap_months: int
    rule: str


@dataclass(frozen=True)
class WindowLimit:
    """One bound of one limit (`measure` is max_actors, max_users or max_trusts) over some slots;
    `kinds`: only organisations of these kinds count for max_actors and max_users."""

    index: int
    measure: str
    bound: int
    slots: tuple[int, ...]
    kinds: frozenset | None = None


class DisjointSets:
    """Union-find over organisation ids (path halving): `join` puts two in one set, `find` names it."""

    def __init__(self, items):
        self.parent = {item: item for item in items}

    def __contains__(self, item) -> bool:
        return item in self.parent

    def find(self, item: str) -> str:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(self, a: str, b: str) -> None:
        """a's set into b's (both must be items)."""
        self.parent[self.find(a)] = self.find(b)


def rule_ties(flat: "Flat", orgs: list[str]) -> DisjointSets:
    """`orgs` joined where a rule names two of them (with_or_before, together, not_same_window, order,
    after_live); one not among `orgs` (a pinned organisation: a constant) joins nothing. The parts of the
    problem add the pools (`decompose.components`); a re-plan's parts are the rules' alone (`replan`)."""
    sets = DisjointSets(orgs)

    def join(a: str, b: str) -> None:
        if a in sets and b in sets:
            sets.join(a, b)

    for actor, target in flat.with_or_before:
        join(actor, target)
    for group in list(flat.together) + list(flat.not_same):
        members = [o for o in group if o in sets]  # (a pinned first member still ties the others together)
        for other in members[1:]:
            join(members[0], other)
    for p in flat.precedences:
        join(p.first, p.then)
    return sets


#: seconds a thread holding the GIL runs before it hands it to a waiting one, while engines race
GIL_TURN = 1e-4
_gil_lock = threading.Lock()
_gil_users = 0  # the blocks of `short_gil_turns` running now, in any thread
_gil_before = 0.005  # the switch interval the first of them found


@contextlib.contextmanager
def short_gil_turns():
    """Engines racing in threads call into Python from their solvers (HiGHS's interrupt callback at
    every node of its search, CP-SAT's solution callbacks); each call waits for the GIL, by default
    up to 5 ms while another thread runs Python code (LP rounding's list schedules). Within this
    block the interpreter hands the GIL over after `GIL_TURN` instead. Measured (national seed 1's
    specialist part, HiGHS branch and bound beside a busy Python thread, 40 s): bound 100.7 M with
    the default turn, 103.2 M with 0.1 ms, 104.1 M alone.

    The interval is the interpreter's, not the solve's: with solves overlapping in threads, the first
    to enter sets it and the last to leave puts back what the first found."""
    global _gil_users, _gil_before
    with _gil_lock:
        if _gil_users == 0:
            _gil_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_gil_before, GIL_TURN))
        _gil_users += 1
    try:
        yield
    finally:
        with _gil_lock:
            _gil_users -= 1
            if _gil_users == 0:
                sys.setswitchinterval(_gil_before)


@dataclass
class Flat:
    problem: Problem
    slots: list[Slot]
    #: org id -> indices into `slots` it may use (plannable organisations; others: empty)
    domain: dict[str, list[int]]
    fixed: dict[str, Fixed]
    mandatory: set[str]
    loads: dict[str, list[Load]]
    pools: list[str]
    start_month: int
    end_month: int
    #: pool id -> capacity per month (index: month - start_month), in tenths of an FTE
    capacity: dict[str, list[int]]
    #: pool id -> load of the pinned organisations per month (index: month - start_month)
    pinned_load: dict[str, list[int]]
    with_or_before: list[tuple[str, str]] = field(default_factory=list)
    together: list[tuple[str, ...]] = field(default_factory=list)
    precedences: list[Precedence] = field(default_factory=list)
    not_same: list[tuple[str, ...]] = field(default_factory=list)
    limits: list[WindowLimit] = field(default_factory=list)
    #: why the data cannot be planned at all, whatever the plan (e.g. together with a pinned member)
    impossible: list[str] = field(default_factory=list)
    #: why this flat form is not the problem (a rule type it does not translate, named), else None: the
    #: flat engines (HiGHS, greedy, LP rounding, parts, window program) then plan nothing (`require_exact`)
    unsupported: str | None = None
    #: objective: term -> org id -> cost per domain slot (aligned with `domain[org]`) and when unscheduled
    slot_cost: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    never_cost: dict[str, dict[str, int]] = field(default_factory=dict)
    #: objective kind: "population" (population_delay + preference) or "makespan"
    objective_kind: str = "population"
    #: makespan: completion = go-live month + tail_months (its longest hypercare)
    tail_months: dict[str, int] = field(default_factory=dict)

    @property
    def window_variables(self) -> int:
        """The number of x[a, k]: every organisation's domain size summed."""
        return sum(map(len, self.domain.values()))

    @property
    def plannable(self) -> list[str]:
        return [o.id for o in self.problem.plannable]

    def cost(self, org_id: str, k: int | None) -> int:
        """The separable objective cost of placing an organisation in slot k (None: unscheduled)."""
        if not hasattr(self, "_costs"):
            self._costs: dict[str, dict[int | None, int]] = {}
        costs = self._costs.get(org_id)
        if costs is None:
            ks = self.domain.get(org_id, [])
            costs = {k2: 0 for k2 in ks}
            costs[None] = 0
            for term, per_org in self.slot_cost.items():
                if org_id not in per_org:
                    continue
                for i, k2 in enumerate(ks):
                    costs[k2] += per_org[org_id][i]
                costs[None] += self.never_cost[term][org_id]
            self._costs[org_id] = costs
        return costs[k]


def org_loads(problem: Problem, org: Organisation) -> list[Load]:
    """The profiles an organisation loads and their pools (docs/rules.md Capacity)."""
    return [Load(pool.id, profile) for pool, profile in problem.loads(org)]


def flatten(problem: Problem) -> Flat:
    """The flat form of a problem (see the module docstring)."""
    _, slots, fixed = window_calendar(problem)
    slot_of = {s.id: k for k, s in enumerate(slots)}
    domain: dict[str, list[int]] = {}
    for o in problem.organisations:
        if o.is_plannable:
            domain[o.id] = [slot_of[s.id] for s in allowed_slots(problem, o, slots)]
        elif o.id not in fixed:
            domain[o.id] = []  # opted out for good: never goes live
    start, end = problem.start_month, problem.end_month
    pools = [p.id for p in problem.waves.pools]
    capacity = {p.id: [problem.capacity(p, m) for m in range(start, end + 1)] for p in problem.waves.pools}
    loads = {o.id: org_loads(problem, o) for o in problem.organisations}
    pinned_load = {p.id: list(problem.pinned_load(p).values()) for p in problem.waves.pools}  # start .. end
    flat = Flat(problem, slots, domain, fixed, {o.id for o in problem.plannable if o.is_mandatory}, loads, pools,
                start, end, capacity, pinned_load)
    _rules(flat)
    _limits(flat)
    _objective(flat)
    return flat


def _rules(flat: Flat) -> None:
    """The rules' relations (`hpplan.relations`) in the flat form's lists; a rule type with no relations
    leaves the flat form `unsupported`."""
    problem = flat.problem
    for index, rule in enumerate(problem.waves.rules):
        label = rule.id or f"{rule.type}#{problem.rule_number(index)}"
        relations = rule.relations(problem)
        if relations is None:  # a rule type the flat form does not translate: its engines must not plan without it
            flat.unsupported = f"{label}: rule type {rule.type!r} is not in the flat form"
            return
        for relation in relations:
            if isinstance(relation, DifferentWindows):
                flat.not_same.append(relation.members)
            elif history(relation, flat.fixed):
                continue  # two pinned organisations: history, never judged
            elif isinstance(relation, NoLater):
                flat.with_or_before.append((relation.actor, relation.target))
            elif isinstance(relation, Precedes):
                flat.precedences.append(Precedence(relation.first, relation.then, relation.gap_windows,
                                                   relation.gap_months, label))
            elif isinstance(relation, SameWindow):
                pinned = [a for a in relation.members if a in flat.fixed]
                if pinned:
                    flat.impossible.append(f"{label}: together with {', '.join(pinned)}, who went live in history")
                else:
                    flat.together.append(relation.members)
            else:
                raise TypeError(f"the flat form has no place for {type(relation).__name__}")


def require_exact(flat: Flat, engine: str) -> None:
    """Raise NotImplementedError when `flat` is not the problem (`Flat.unsupported`): a flat engine never
    plans without a rule (as `engines.interval.solve_interval` for its form)."""
    if flat.unsupported is not None:
        raise NotImplementedError(f"{engine}: {flat.unsupported}")


def _limits(flat: Flat) -> None:
    slot_of = {s.id: k for k, s in enumerate(flat.slots)}
    for index, limit in enumerate(flat.problem.waves.limits):
        if limit.windows is not None:
            chosen = tuple(sorted({slot_of[w] for w in limit.windows if w in slot_of}))
        else:
            chosen = tuple(range(len(flat.slots)))
        for measure in ("max_actors", "max_users", "max_trusts"):
            bound = getattr(limit, measure)
            if bound is not None and chosen:
                flat.limits.append(WindowLimit(index, measure, bound, chosen,
                                           frozenset(limit.kinds) if limit.kinds is not None else None))


def limit_weight(problem: Problem, org: Organisation, limit: WindowLimit) -> int:
    """What one organisation counts for under a limit."""
    if limit.measure == "max_trusts":
        return int(org.kind is Kind.health_trust)
    if limit.kinds is not None and org.kind not in limit.kinds:
        return 0
    return 1 if limit.measure == "max_actors" else problem.users(org)


def objective_kind(problem: Problem) -> str:
    return "makespan" if problem.waves.objective.kind == "makespan" else "population"


def _objective(flat: Flat) -> None:
    """The separable objective coefficients of docs/model.md (Objective)."""
    problem = flat.problem
    flat.objective_kind = objective_kind(problem)
    for org_id in flat.domain:
        flat.tail_months[org_id] = max((len(load.profile.after) for load in flat.loads.get(org_id, [])), default=0)
    if flat.objective_kind == "makespan":
        return
    weights = problem.waves.objective
    never_months = (flat.end_month - flat.start_month + 1) + weights.unscheduled_months
    delay: dict[str, list[int]] = {}
    delay_never: dict[str, int] = {}
    pref: dict[str, list[int]] = {}
    pref_never: dict[str, int] = {}
    slot_of = {s.id: k for k, s in enumerate(flat.slots)}
    for org in problem.plannable:
        people = problem.population(org) * weights.population_weight
        ks = flat.domain[org.id]
        delay[org.id] = [people * (flat.slots[k].month - flat.start_month) for k in ks]
        delay_never[org.id] = people * never_months
        penalty = weights.preferred_window_penalty
        if org.preferred_window is not None and penalty and org.preferred_window in slot_of:
            wanted = slot_of[org.preferred_window]
            pref[org.id] = [penalty * abs(k - wanted) for k in ks]
            pref_never[org.id] = penalty * len(flat.slots)
        else:
            pref[org.id] = [0] * len(ks)
            pref_never[org.id] = 0
    flat.slot_cost = {"population_delay": delay, "preference": pref}
    flat.never_cost = {"population_delay": delay_never, "preference": pref_never}


def makespan_of(flat: Flat, chosen: dict[str, int | None]) -> int:
    """The latest completion month of a scheduled plannable organisation (go-live month + its longest
    hypercare: the month after its load ends), less the planning month; 0 when none is scheduled."""
    ends = [flat.slots[k].month + flat.tail_months.get(o, 0) - flat.start_month
            for o, k in chosen.items() if k is not None]
    return max(ends, default=0)


def objective_terms(flat: Flat, chosen: dict[str, int | None]) -> dict[str, float]:
    """The objective's terms and total for a plan (`chosen`: plannable org -> slot index or None)."""
    if flat.objective_kind == "makespan":
        terms = {"makespan": float(makespan_of(flat, chosen))}
    else:
        terms = {}
        for term, per_org in flat.slot_cost.items():
            total = 0
            for org_id in per_org:
                k = chosen.get(org_id)
                if k is None:
                    total += flat.never_cost[term][org_id]
                else:
                    total += per_org[org_id][flat.domain[org_id].index(k)]
            terms[term] = float(total)
    terms["total"] = sum(terms.values())
    return terms


def breaks_rules(flat: Flat, chosen: dict[str, int | None]) -> bool:
    """Whether a plan (slot choices) breaks a rule or limit, by the independent verifier (`hpplan.verify`):
    an engine never hands such a plan on."""
    from ..verify import verify

    return bool(verify(flat.problem, to_solution(flat, chosen, PlanStatus.feasible, SolveStats())))


def to_solution(flat: Flat, chosen: dict[str, int | None], status: PlanStatus, stats: SolveStats) -> Solution:
    """A `Solution` (plan, objective terms, load report) from slot choices."""
    from ..solve import load_report, plan_entries

    problem = flat.problem
    plan = plan_entries(problem, {org_id: flat.slots[k].id for org_id, k in chosen.items() if k is not None})
    return Solution(status=status, objective=objective_terms(flat, chosen), plan=plan,
                    load=load_report(problem, plan), stats=stats)
