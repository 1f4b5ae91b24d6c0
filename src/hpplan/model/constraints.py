"""The rules and limits of docs/rules.md as constraint groups, one function each.

Time-indexed rules are written in their cumulative ("at or before window k") form, which is the tight
formulation for precedence between window-assignment variables; a pair whose domains multiply to more than
`COMPACT_ABOVE` is written in the compact form instead (integer month / position / date-rank views, rules
enforced when both go live: a weaker LP, far fewer rows), docs/model.md "The compact form of pairwise rules".

The rules are written from their relations (`hpplan.relations`: each rule class says once what it asks
of a plan), one function per kind of relation; a constraint is named after the rule type that states it
(`order[a<b]@w`, `after_live[a<b]@w`).

Every constraint belongs to a *constraint group* (`Group`): one organisation's mandatory-ness, earliest,
latest, returns or track; one blackout; one rule (an `each: gp_office` rule: one per GP office); one limit
in one window; one pool in one month. In the normal model the groups only name the constraints. In a
switchable model (`Switches` given) each group is enforced only while its Boolean switch is on, so that
a solve with the switches as assumptions can name the groups that cannot hold together (explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ..errors import Location
from ..problem import Problem, Profile, month_label
from ..relations import DifferentWindows, NoLater, Precedes, Relation, SameWindow, history
from ..schema import RULE_CLASS, Kind, Limit, Organisation, Pool, RuleBase
from .variables import GoLiveVariables, Slot, domain_restrictions

#: the kinds of constraint group, in the order they are reported
GROUP_KINDS = ("rule", "mandatory", "earliest", "latest", "returns", "track", "blackout", "limit", "capacity",
               "symmetry")


@dataclass(frozen=True)
class Group:
    """A rule or limit as one unit that can hold or be dropped (see the module docstring)."""

    key: str  # stable and readable: "earliest:orsta", "rule#2", "limit#1.max_trusts@2024-04", ...
    kind: str  # one of GROUP_KINDS ("symmetry": never in a switchable model, see add_symmetry_breaking)
    subject: Any  # the data object that states it: Organisation, Blackout, Rule, Limit or Pool
    actors: tuple[str, ...] = ()  # the organisations it names
    index: int | None = None  # rules, limits, blackouts: the place in `problem.waves` (0-based)
    number: int | None = None  # rules, limits: as messages and scenarios name it (`Problem.rule_number`)
    window: str | None = None  # limits: the window
    month: int | None = None  # capacity: the month (problem.month_index)
    measure: str | None = None  # limits: max_actors, max_users or max_trusts

    @property
    def where(self) -> Location | None:
        return getattr(self.subject, "at", None)


def organisation_group(kind: str, org) -> Group:
    return Group(f"{kind}:{org.id}", kind, org, (org.id,))


def symmetry_group(problem: Problem, group: list[str]) -> Group:
    return Group(f"symmetry:{group[0]}..{group[-1]}", "symmetry", problem.org[group[0]], tuple(group))


def blackout_group(problem: Problem, index: int) -> Group:
    return Group(f"blackout#{index + 1}", "blackout", problem.waves.blackouts[index], index=index)


def rule_group(problem: Problem, index: int, actors: tuple[str, ...], pair: str | None = None) -> Group:
    """`problem.waves.rules[index]` as one unit; an `each: gp_office` rule once per GP office (`pair`)."""
    number = problem.rule_number(index)
    key = f"rule#{number}" + (f":{pair}" if pair else "")
    return Group(key, "rule", problem.waves.rules[index], actors, index=index, number=number)


def limit_group(problem: Problem, index: int, measure: str, slot: Slot) -> Group:
    number = problem.limit_number(index)
    return Group(f"limit#{number}.{measure}@{slot.id}", "limit", problem.waves.limits[index], index=index,
                 number=number, window=slot.id, measure=measure)


def capacity_group(pool, month: int) -> Group:
    return Group(f"capacity:{pool.id}@{month_label(month)}", "capacity", pool, month=month)


@dataclass
class Switches:
    """The switch (a Boolean variable) of each constraint group of a switchable model, made when the
    group's first constraint is written; groups in the order they were made (deterministic)."""

    model: cp_model.CpModel
    groups: dict[str, Group] = field(default_factory=dict)
    literal: dict[str, cp_model.IntVar] = field(default_factory=dict)
    #: domain groups: the (organisation, window) pairs the group closes
    closed: dict[str, list[tuple[str, Slot]]] = field(default_factory=dict)
    #: limit and capacity groups: (expression, constant part, bound) of `expression + constant <= bound`
    bounds: dict[str, tuple[cp_model.LinearExprT, int, int]] = field(default_factory=dict)

    def literal_for(self, group: Group) -> cp_model.IntVar:
        if group.key not in self.literal:
            self.groups[group.key] = group
            self.literal[group.key] = self.model.new_bool_var(f"switch[{group.key}]")
        return self.literal[group.key]


def require(m: cp_model.CpModel, constraint, name: str, group: Group | None = None,
            switches: Switches | None = None) -> None:
    """Add a constraint; a constant one (all its terms fixed) is dropped when true and kept as a
    named, unsatisfiable clause when false, so that infeasibility can be traced to its rule.
    With `switches`, the constraint holds only while its group's switch is on."""
    if isinstance(constraint, bool) or type(constraint).__name__ == "bool_":
        if constraint:
            return
        added = m.add_bool_or([]).with_name(name)
    else:
        added = m.add(constraint).with_name(name)
    if switches is not None and group is not None:
        added.only_enforce_if(switches.literal_for(group))


def add_domain_restrictions(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, switches: Switches) -> None:
    """Switchable model only: earliest, latest, returns, track and blackouts close windows by constraint
    (the normal model leaves those windows out of the organisation's domain instead)."""
    for org in problem.plannable:
        for (kind, index), slots in domain_restrictions(problem, org, v.slots).items():
            group = blackout_group(problem, index) if kind == "blackout" else organisation_group(kind, org)
            require(m, sum(v.x(org.id, s) for s in slots) <= 0, f"{kind}[{org.id}]", group, switches)
            switches.closed.setdefault(group.key, []).extend((org.id, s) for s in slots)


def add_one_window_each(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem,
                        switches: Switches | None = None) -> None:
    """A mandatory organisation goes live in exactly one window, an optional one in at most one."""
    for org in problem.plannable:
        scheduled = v.scheduled(org.id)
        if switches is not None:
            require(m, scheduled <= 1, f"at_most_once[{org.id}]")
            if org.is_mandatory:
                require(m, scheduled >= 1, f"mandatory[{org.id}]", organisation_group("mandatory", org), switches)
        elif org.is_mandatory:
            require(m, scheduled == 1, f"mandatory[{org.id}]")
        else:
            require(m, scheduled <= 1, f"at_most_once[{org.id}]")


#: above this many (window, window) pairs, a pairwise rule is written in its compact form on the
#: organisations' go-live integers (Timing) instead of the cumulative form, which grows quadratically
COMPACT_ABOVE = 256


def require_if(m: cp_model.CpModel, constraint, literals: list, name: str, group: Group | None = None,
               switches: Switches | None = None) -> None:
    """A constraint that holds while all `literals` are true (and, in a switchable model, its switch)."""
    added = m.add(constraint).with_name(name)  # (`only_enforce_if` returns None: not chained)
    if switches is not None and group is not None:
        literals = [*literals, switches.literal_for(group)]
    added.only_enforce_if(literals)


def _compact(v: GoLiveVariables, a: str, b: str) -> bool:
    return len(v.domain.get(a, [])) * len(v.domain.get(b, [])) > COMPACT_ABOVE


def add_no_later(m: cp_model.CpModel, v: GoLiveVariables, rule_type: str, relation: NoLater, group: Group,
                 switches: Switches | None = None) -> None:
    """If both go live, the actor's date is on or before the target's."""
    actor, target = relation.actor, relation.target
    name = f"{rule_type}[{actor}<={target}]"
    if target in v.fixed:  # the actor may not go live after the pinned target
        late = _after(v, actor, v.fixed[target].date)
        require(m, late <= 0, name, group, switches)
    elif actor in v.fixed:  # the target may not go live before the pinned actor
        day = v.fixed[actor].date
        early = sum(v.go_live[target, s.id] for s in v.domain.get(target, []) if s.date < day)
        require(m, early <= 0, name, group, switches)
    elif not v.domain.get(actor) or not v.domain.get(target):
        return  # one of them never goes live: nothing to compare
    elif _compact(v, actor, target):
        a, t = v.timing(actor), v.timing(target)
        require_if(m, a.date_rank <= t.date_rank, [a.present, t.present], name, group, switches)
    else:
        for day in sorted({s.date for s in v.slots}):
            # not (target on or before `day` and actor after `day`)
            target_by = v.at_or_before(target, date=day)
            require(m, target_by + _after(v, actor, day) <= 1, f"{name}@{day}", group, switches)


def _after(v: GoLiveVariables, org_id: str, day) -> cp_model.LinearExprT:
    """1 when the organisation goes live after `day` (0 when unscheduled)."""
    if org_id in v.fixed:
        return int(v.fixed[org_id].date > day)
    return sum(v.go_live[org_id, s.id] for s in v.domain.get(org_id, []) if s.date > day)


def add_same_window(m: cp_model.CpModel, v: GoLiveVariables, rule_type: str, relation: SameWindow, group: Group,
                    switches: Switches | None = None) -> None:
    """All go live in the same window, or none does."""
    members = relation.members
    if any(a in v.fixed for a in members):
        # a pinned member went live in history; the others cannot join it there (all pinned: history,
        # not written)
        require(m, False, f"{rule_type}[{','.join(members)}]:pinned_member", group, switches)
        return
    first, *others = members
    for other in others:
        for slot in v.slots:
            require(m, v.x(first, slot) == v.x(other, slot), f"{rule_type}[{first}={other}]@{slot.id}", group, switches)


def add_precedes(m: cp_model.CpModel, v: GoLiveVariables, rule_type: str, relation: Precedes, group: Group,
                 switches: Switches | None = None) -> None:
    """If `then` goes live (at window w), `first` goes live no later than `gap_windows` windows and
    `gap_months` months before w. Cumulative form: for every window w,
    [then at or before w] <= [first at or before (position(w) - gap, month(w) - gap)]."""
    first, then = relation.first, relation.then
    gap_windows, gap_months = relation.gap_windows, relation.gap_months
    name = f"{rule_type}[{first}<{then}]"
    if then in v.fixed:
        f = v.fixed[then]
        required = v.at_or_before(first, position=f.position - gap_windows, month=f.month - gap_months)
        require(m, required >= 1, f"{name}:before_pinned", group, switches)
        return
    if first not in v.fixed and v.domain.get(first) and _compact(v, first, then):
        a, b = v.timing(first), v.timing(then)
        require_if(m, a.present >= 1, [b.present], f"{name}:first_goes_live", group, switches)
        require_if(m, b.position >= a.position + gap_windows, [b.present], f"{name}:windows", group, switches)
        require_if(m, b.month >= a.month + gap_months, [b.present], f"{name}:months", group, switches)
        return
    for slot in v.domain.get(then, []):
        then_by = v.at_or_before(then, position=slot.position)
        first_by = v.at_or_before(first, position=slot.position - gap_windows, month=slot.month - gap_months)
        require(m, then_by <= first_by, f"{name}@{slot.id}", group, switches)


def add_different_windows(m: cp_model.CpModel, v: GoLiveVariables, rule_type: str, relation: DifferentWindows,
                          group: Group, switches: Switches | None = None) -> None:
    """No two go live in the same window."""
    for slot in v.slots:
        members = [v.x(a, slot) for a in relation.members]
        require(m, sum(members) <= 1, f"{rule_type}[{','.join(relation.members)}]@{slot.id}", group, switches)


#: each kind of relation -> how the model writes it (a relation between pinned organisations only is
#: history, and not written: `relations.history`)
RELATION_WRITERS = {
    NoLater: add_no_later,
    SameWindow: add_same_window,
    Precedes: add_precedes,
    DifferentWindows: add_different_windows,
}


def add_relations(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: RuleBase, index: int,
                  relations: list[Relation], switches: Switches | None = None) -> None:
    """A rule's relations as constraints, all in the rule's constraint group (naming the organisations
    they tie), except a relation of one `instance` (an `each` rule's GP office), a group of its own."""
    tied = dict.fromkeys(o for relation in relations if relation.instance is None for o in relation.organisations)
    whole = rule_group(problem, index, tuple(tied))
    for relation in relations:
        if history(relation, v.fixed):
            continue  # two pinned organisations: history, never judged
        group = whole if relation.instance is None else \
            rule_group(problem, index, relation.organisations, relation.instance)
        RELATION_WRITERS[type(relation)](m, v, rule.type, relation, group, switches)


def relations_writer(cls: type[RuleBase]):
    """How the model writes a rule of class `cls`: its relations (`cls.relations`)."""

    def write(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, rule: RuleBase, index: int = 0,
              switches: Switches | None = None) -> None:
        relations = cls.relations(rule, problem)
        if relations is None:
            raise NotImplementedError(
                f"rule type {rule.type!r} ({type(rule).__name__}) says neither its relations (RuleBase.relations) "
                "nor how the model writes it (model.constraints.RULES): docs/model.md \"Adding a rule type\"")
        add_relations(m, v, problem, rule, index, relations, switches)

    return write


#: rule type -> how the model writes it: each registered rule class by its relations. A rule type that
#: does not reduce to relations (its class's `relations` gives None) puts its own writer here, with this
#: signature; the engines that read only relations then do not plan with it (`Flat.unsupported`)
RULES = {rule_type: relations_writer(cls) for rule_type, cls in RULE_CLASS.items()}


def add_rules(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem, switches: Switches | None = None) -> None:
    for index, rule in enumerate(problem.waves.rules):
        write = RULES.get(rule.type) or relations_writer(type(rule))
        write(m, v, problem, rule, index, switches)


def limit_terms(v: GoLiveVariables, problem: Problem, limit: Limit, measure: str, slot: Slot) -> cp_model.LinearExprT:
    """What a limit counts in a window: organisations (max_actors), their users (max_users) or
    health trusts (max_trusts) going live in it; a limit with `kinds` counts only those kinds for
    max_actors and max_users."""
    going = [(problem.org[org_id], x) for org_id, x in v.going_live_in(slot.id)]
    if measure != "max_trusts" and limit.kinds is not None:
        going = [(o, x) for o, x in going if o.kind in limit.kinds]
    if measure == "max_actors":
        return sum(x for _, x in going)
    if measure == "max_users":
        return sum(problem.users(o) * x for o, x in going)
    return sum(x for o, x in going if o.kind is Kind.health_trust)


LIMIT_MEASURES = ("max_actors", "max_users", "max_trusts")


def add_window_limits(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem,
                      switches: Switches | None = None) -> None:
    """Per-window limits on actors, users and health trusts going live."""
    for i, limit in enumerate(problem.waves.limits):
        chosen = set(limit.windows) if limit.windows is not None else None
        for slot in v.slots:
            if chosen is not None and slot.id not in chosen:
                continue
            for measure in LIMIT_MEASURES:
                bound = getattr(limit, measure)
                if bound is None:
                    continue
                counted = limit_terms(v, problem, limit, measure, slot)
                group = limit_group(problem, i, measure, slot)
                require(m, counted <= bound, f"limit{i}.{measure}@{slot.id}", group, switches)
                if switches is not None:
                    switches.bounds[group.key] = (counted, 0, bound)


def pool_loaders(problem: Problem, pool: Pool, organisations: list[Organisation]) -> list[tuple[Organisation, Profile]]:
    """The organisations that load a pool, each with the profile it loads it by (docs/rules.md, Capacity)."""
    return [(org, profile) for org in organisations for loaded, profile in problem.loads(org) if loaded.id == pool.id]


def pool_loads(v: GoLiveVariables, problem: Problem, pool: Pool) -> dict[int, tuple[cp_model.LinearExprT, int]]:
    """A pool's load in each month of problem.months: (the planned organisations' part, the pinned
    organisations' part). One pass over each organisation's windows and the months its profile loads
    (at national scale a pass per month over every organisation's windows took seconds)."""
    months = set(problem.months)
    go_lives: dict[int, list] = {month: [] for month in problem.months}
    loads: dict[int, list[int]] = {month: [] for month in problem.months}
    for org, profile in pool_loaders(problem, pool, problem.plannable):
        profile_loads = [(offset, profile.load_at(offset))
                         for offset in range(profile.first_offset, profile.last_offset + 1)]
        for slot in v.domain[org.id]:
            for offset, load in profile_loads:
                if load and slot.month + offset in months:
                    go_lives[slot.month + offset].append(v.go_live[org.id, slot.id])
                    loads[slot.month + offset].append(load)
    pinned = dict.fromkeys(problem.months, 0)
    for org, profile in pool_loaders(problem, pool, problem.pinned):
        for offset in range(profile.first_offset, profile.last_offset + 1):
            if v.fixed[org.id].month + offset in months:
                pinned[v.fixed[org.id].month + offset] += profile.load_at(offset)
    # a month no planned organisation loads is the constant 0, as `require` expects of a constant row
    return {month: (cp_model.LinearExpr.weighted_sum(go_lives[month], loads[month]) if go_lives[month] else 0,
                    pinned[month]) for month in problem.months}


def add_pool_capacity(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem,
                      switches: Switches | None = None) -> None:
    """Every month, each pool's load (preparation and hypercare of every go-live) fits its capacity."""
    for pool in problem.waves.pools:
        for month, (planned, pinned) in pool_loads(v, problem, pool).items():
            capacity = problem.capacity(pool, month)
            group = capacity_group(pool, month)
            require(m, planned + pinned <= capacity, f"capacity[{pool.id}]@{month}", group, switches)
            if switches is not None:
                switches.bounds[group.key] = (planned, pinned, capacity)


def add_symmetry_breaking(m: cp_model.CpModel, v: GoLiveVariables, problem: Problem,
                          groups: list[list[str]]) -> int:
    """Interchangeable organisations (model.symmetry) go live in id order: for consecutive a, b of a
    group and every window k of their (common) domain, [b live by k] <= [a live by k]; for optional
    ones also [b scheduled] <= [a scheduled] ('not scheduled' is the latest choice). Redundant for
    the optimum and for the tie-break's plan (docs/model.md "Symmetry breaking"), so it is only for the
    normal model: never in a switchable one, whose hypotheses (an organisation fixed to a window) it
    could contradict. Returns the number of rows."""
    rows = 0
    for members in groups:
        group = symmetry_group(problem, members)
        for a, b in zip(members, members[1:]):
            domain = v.domain[a]
            if [s.id for s in domain] != [s.id for s in v.domain[b]]:
                raise ValueError(f"symmetry: {a} and {b} do not share a domain")
            mandatory = problem.org[a].is_mandatory
            x_a = [v.go_live[a, s.id] for s in domain]
            x_b = [v.go_live[b, s.id] for s in domain]
            for k, slot in enumerate(domain):
                if k == len(domain) - 1 and mandatory:
                    break  # both are live by the last window
                by_a = sum(x_a[:k + 1])
                by_b = sum(x_b[:k + 1])
                name = f"symmetry[{b}<={a}]@{slot.id}" if k < len(domain) - 1 else f"symmetry[{b}<={a}]:scheduled"
                require(m, by_b <= by_a, name, group)
                rows += 1
    return rows
