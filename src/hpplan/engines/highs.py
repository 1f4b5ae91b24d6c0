"""The time-indexed model of docs/model.md as a MIP, solved by HiGHS (`highspy`).

Variables: x[a,k] in {0,1} for each plannable organisation a and slot k of its domain (the future
windows its earliest/latest/returns/track/blackouts allow: `engines.common.flatten`). For the
organisations that appear in a with_or_before, order or after_live rule, continuous *cumulative*
variables c[a,L] = x[a,d_0] + ... + x[a,d_{L-1}] ("a is live by the L-th window of its domain") are
defined by the chain c[a,1] = x[a,d_0], c[a,L] = c[a,L-1] + x[a,d_{L-1}]. Every bound "live by
position p / month m / date d" is a prefix of the date-sorted domain, so it is one c variable, and
the cumulative rules of docs/model.md become two- or three-term rows (sparse even at national scale):

1. one window each: sum_k x[a,k] = 1 (mandatory) or <= 1 (optional);
2. with_or_before(a, t): for every window date d of t's domain, c[t; <= d] + S(a) - c[a; <= d] <= 1;
3. together: x[a1,k] = x[ai,k] for every slot k;
4. precedence(f -> t, g windows, m months) (order; after_live with g = 0, m = longest `before`):
   for the i-th slot s of t's domain, c[t,i+1] <= c[f; position <= p(s) - g, month <= month(s) - m];
5. not_same_window: sum_i x[ai,k] <= 1;
6. window limits: sum_a w_a x[a,k] <= bound;
7. pool capacity: for every pool and month t, sum_{a,k} L_a(t - month(k)) x[a,k] <= C(t) - pinned load.

Objective: the same coefficients as the greedy scheduler and the CP-SAT model (`engines.common`):
sum_{a,k} (cost[a,k] - never[a]) x[a,k] + sum_a never[a]; with `kind: makespan`, minimise an integer z
with z >= sum_k (month(k) + hypercare_a - t0) x[a,k] for every a.

All objective coefficients are integers, so HiGHS is asked for an absolute gap below 1 (and a relative
gap of 0): "optimal" from this engine is a proof, as from CP-SAT.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..problem import Problem
from ..solution import Solution, SolveStats
from .common import Flat, breaks_rules, flatten, limit_weight, objective_terms, require_exact
from .decompose import PartResult

#: below 1: every objective coefficient is an integer (docs/model.md)
ABSOLUTE_GAP = 1 - 1e-6
#: the share of its time the window program (`engines.window_dp`) may take on a problem or part before
#: it goes to HiGHS's branch and bound (national trusts' parts: proven in 0.3-1.4 s of a minute)
WINDOW_DP_SHARE = 0.25


@dataclass
class HighsOptions:
    time_limit: float = 60.0
    seed: int = 0
    threads: int = 1
    log: bool = False
    #: a starting plan (plannable org -> slot index or None), e.g. the greedy plan; with a makespan
    #: objective it also cuts off every slot that completes after the plan's makespan (MipModel.cut_off)
    start: dict[str, int | None] | None = None
    #: called from HiGHS's thread with (objective, None) for every improving plan and (None, bound) as the
    #: dual bound rises (values in the objective's own units); used by `hpplan.portfolio` to share them
    on_progress: Callable[[float | None, float | None], None] | None = None
    #: set by another thread to stop the search (the best plan so far is kept): anything with `is_set()`
    #: (a `threading.Event`, the race's `hpplan.stopping.StopRequest`)
    stop: threading.Event | None = None
    #: returns another engine's best plan as (objective, org id -> slot index or None), or None; offered
    #: to HiGHS as a user solution whenever it beats HiGHS's own incumbent (a cut-off for its search)
    incumbent: Callable[[], tuple[float, dict[str, int | None]] | None] | None = None
    #: the symmetry rows (`MipModel._break_symmetry`); off: the plain MIP, the benchmark's baseline (b)
    symmetry: bool = True
    #: interchangeable GP offices as one integer unit each (`MipModel._aggregate`)
    aggregate: bool = False
    #: an integer count per load profile and slot that the capacity rows are written in
    #: (`MipModel._count_profiles`)
    counts: bool = False
    #: HiGHS's primal heuristics (off: `mip_heuristic_effort` 0, a MIP run for its bound)
    heuristics: bool = True
    #: built, the MIP waits for this event (or `stop`) before it starts its search
    start_after: threading.Event | None = None
    #: solve independent parts apart (`engines.decompose`); off: one MIP, the benchmark's baseline (b)
    decompose: bool = False
    #: with `decompose`: a part with more window variables than this is planned by LP rounding
    #: (`engines.lp_rounding`, its LP for the part's bound) instead of HiGHS's branch and bound
    largest_mip: int | None = None
    #: called from HiGHS's thread with (objective, plan: org id -> slot index or None) for every
    #: improving plan
    on_plan: Callable[[float, dict[str, int | None]], None] | None = None
    #: the window program (`engines.window_dp`) first, where it applies; off: HiGHS's branch and bound
    #: only, the benchmark's baseline (b)
    window_program: bool = True


@dataclass
class _Rows:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def add(self, terms: dict[int, float], lower: float, upper: float) -> None:
        self.starts.append(len(self.index))
        for col, coef in terms.items():
            if coef:
                self.index.append(col)
                self.value.append(coef)
        self.lower.append(lower)
        self.upper.append(upper)


INF = float("inf")


class MipModel:
    """The MIP, as arrays for highspy, with the column of every x[a,k]."""

    def __init__(self, flat: Flat, symmetry: bool = True, aggregate: bool = False, counts: bool = False):
        require_exact(flat, "the MIP")  # a MIP without one of the rules would plan without it
        self.flat = flat
        #: interchangeable groups whose symmetry rows the MIP holds (docs/model.md "Symmetry breaking")
        self.symmetry: list[list[str]] = []
        #: aggregated groups (`_aggregate`): leader (the first member in id order) -> all members; the
        #: leader's x[a,k] column is an integer count of the members going live in slot k
        self.aggregated: dict[str, list[str]] = {}
        self._leader: dict[str, str] = {}  # every other member of an aggregated group -> its leader
        self.cost: list[float] = []
        self.col_lower: list[float] = []
        self.col_upper: list[float] = []
        self.integer: list[int] = []
        self.x: dict[tuple[str, int], int] = {}
        self.rows = _Rows()
        self.offset = 0.0
        self.infeasible: list[str] = list(flat.impossible)
        self._chain: dict[str, list[int]] = {}
        #: with `counts` (`_count_profiles`): count column -> the x columns it counts
        self.counted: dict[int, list[int]] = {}
        self._count_of: dict[int, int] = {}  # x column -> its count column
        self._counts = counts
        if aggregate:
            self._aggregate()
        self._build()
        if symmetry:
            self._break_symmetry()

    # ---- columns --------------------------------------------------------------------------------

    def _col(self, cost: float, lower: float, upper: float, integer: bool) -> int:
        self.cost.append(cost)
        self.col_lower.append(lower)
        self.col_upper.append(upper)
        if integer:
            self.integer.append(len(self.cost) - 1)
        return len(self.cost) - 1

    def chain(self, org_id: str) -> list[int]:
        """Columns c[a,1..n] (n = domain size): c[a,L] = 1 when a goes live in its first L slots."""
        if org_id not in self._chain:
            cols = []
            previous = None
            for k in self.flat.domain[org_id]:
                c = self._col(0.0, 0.0, float(self.members(org_id)), False)
                terms = {c: 1.0, self.x[org_id, k]: -1.0}
                if previous is not None:
                    terms[previous] = -1.0
                self.rows.add(terms, 0.0, 0.0)
                cols.append(c)
                previous = c
            self._chain[org_id] = cols
        return self._chain[org_id]

    def members(self, org_id: str) -> int:
        """How many organisations the columns of org_id count: its group's size for a leader, else 1."""
        return len(self.aggregated.get(org_id, (org_id,)))

    def _aggregate(self) -> None:
        """Groups of interchangeable organisations (model/symmetry.py) that become one integer unit:
        x[a,k] of the leader a counts the members going live in slot k (0..n), the other members have
        no columns. Exact for integer plans (any counts are handed out again to the members in id
        order, earliest first: `plan`), and the LP bound is the same as the binary model's (averaging
        an LP solution over the group's permutations gives a symmetric one with the same value).
        Only groups whose members are in no rule but with_or_before as its first side (GP offices
        of one municipality, or with no rule at all) and share their domain; never for a makespan
        (z >= completion * x is not linear in a count). Measured in docs/benchmarks.md."""
        from ..model.symmetry import interchangeable_groups

        flat = self.flat
        if flat.objective_kind == "makespan":
            return
        in_rules = {o for group in flat.together for o in group} | {o for group in flat.not_same for o in group}
        in_rules |= {p.first for p in flat.precedences} | {p.then for p in flat.precedences}
        in_rules |= {target for _, target in flat.with_or_before}
        targets: dict[str, list[str]] = {}
        for actor, target in flat.with_or_before:
            targets.setdefault(actor, []).append(target)
        for group in interchangeable_groups(flat.problem):
            if (in_rules.intersection(group) or not flat.domain.get(group[0])
                    or len({tuple(flat.domain.get(o, ())) for o in group}) != 1
                    or len({tuple(sorted(targets.get(o, ()))) for o in group}) != 1):
                continue
            self.aggregated[group[0]] = list(group)
            self._leader.update({o: group[0] for o in group[1:]})

    def _count_profiles(self, in_capacity_rows: set[int]) -> None:
        """Organisations (units) with the same load profiles load every pool alike from a slot: for each
        such set and slot where at least two of their x are in capacity rows that can bind
        (`in_capacity_rows`), an integer column n counts the organisations going live there (n = the sum
        of their x), and the capacity rows are written in these counts. The LP bound is unchanged (n is
        a sum of x), but HiGHS branches and cuts on the counts, the few numbers the capacity rows see:
        `region` seed 1 is proven in 6 s instead of 52 s (docs/benchmarks.md)."""
        flat = self.flat
        kinds: dict[tuple, list[str]] = {}
        for org_id, ks in flat.domain.items():
            loads = flat.loads.get(org_id, ())
            if ks and loads and org_id not in self._leader:
                key = tuple(sorted((load.pool, load.profile.before, load.profile.after) for load in loads))
                kinds.setdefault(key, []).append(org_id)
        for units in kinds.values():
            for k in sorted({k for org_id in units for k in flat.domain[org_id]}):
                cols = [self.x[org_id, k] for org_id in units if (org_id, k) in self.x]
                if len(cols) < 2 or not in_capacity_rows.intersection(cols):
                    continue
                n = self._col(0.0, 0.0, sum(self.col_upper[c] for c in cols), True)
                self.rows.add({n: 1.0, **{c: -1.0 for c in cols}}, 0.0, 0.0)
                self.counted[n] = cols
                self._count_of.update({c: n for c in cols})

    def plan(self, values) -> dict[str, int | None]:
        """The plan (plannable org id -> slot index or None) in column values of an integer solution:
        an aggregated group's counts handed out to its members in id order, earliest slot first."""
        flat = self.flat
        chosen: dict[str, int | None] = {o: None for o in flat.plannable}
        for (org_id, k), col in self.x.items():
            if org_id not in self.aggregated and values[col] > 0.5:
                chosen[org_id] = k
        for leader, members in self.aggregated.items():
            queue = iter(members)
            for k in flat.domain[leader]:
                for _ in range(round(values[self.x[leader, k]])):
                    chosen[next(queue)] = k
        return chosen

    def fractions(self, values, floor: float = 1e-6) -> dict[tuple[str, int], float]:
        """x[a,k] for every organisation from column values (of the LP relaxation): an aggregated
        group's count shared equally by its members. Values at or below `floor` are left out."""
        x: dict[tuple[str, int], float] = {}
        for (org_id, k), col in self.x.items():
            members = self.aggregated.get(org_id, (org_id,))
            share = values[col] / len(members)
            if share > floor:
                x.update({(member, k): share for member in members})
        return x

    def loads_by_row(self) -> dict[tuple[str, int], dict[str, dict[int, float]]]:
        """The capacity rows' terms: (pool, month index from the start month) -> organisation (a unit:
        an aggregated group's leader) -> its x column -> the load it puts on that month."""
        flat = self.flat
        months = flat.end_month - flat.start_month + 1
        rows: dict[tuple[str, int], dict[str, dict[int, float]]] = {}
        for org_id, ks in flat.domain.items():
            if org_id in self._leader:
                continue
            for load in flat.loads.get(org_id, ()):
                profile = load.profile
                for k in ks:
                    col = self.x[org_id, k]
                    base = flat.slots[k].month - flat.start_month
                    for off in range(profile.first_offset, profile.last_offset + 1):
                        i = base + off
                        value = profile.load_at(off)
                        if value and 0 <= i < months:
                            terms = rows.setdefault((load.pool, i), {}).setdefault(org_id, {})
                            terms[col] = terms.get(col, 0.0) + value
        return rows

    def live_by(self, org_id: str, *, position: int | None = None, month: int | None = None,
                date=None) -> tuple[dict[int, float], float]:
        """'org is live by then' as (terms, constant): a constant for pinned or never-live
        organisations, else one cumulative column (or nothing when no slot qualifies)."""
        flat = self.flat
        f = flat.fixed.get(org_id)
        if f is not None:
            ok = ((position is None or f.position <= position) and (month is None or f.month <= month)
                  and (date is None or f.date <= date))
            return {}, float(ok)
        count = 0
        for k in flat.domain.get(org_id, []):
            s = flat.slots[k]
            if ((position is not None and s.position > position) or (month is not None and s.month > month)
                    or (date is not None and s.date > date)):
                break
            count += 1
        if count == 0:
            return {}, 0.0
        return {self.chain(org_id)[count - 1]: 1.0}, 0.0

    def scheduled(self, org_id: str) -> tuple[dict[int, float], float]:
        if org_id in self.flat.fixed:
            return {}, 1.0
        n = len(self.flat.domain.get(org_id, []))
        return ({self.chain(org_id)[n - 1]: 1.0}, 0.0) if n else ({}, 0.0)

    # ---- rows -----------------------------------------------------------------------------------

    def _require(self, terms: dict[int, float], constant: float, lower: float, upper: float, name: str) -> None:
        """lower <= terms + constant <= upper; a constant row is checked here."""
        terms = {c: v for c, v in terms.items() if v}
        if not terms:
            if not (lower - 1e-9 <= constant <= upper + 1e-9):
                self.infeasible.append(name)
            return
        self.rows.add(terms, lower - constant, upper - constant)

    @staticmethod
    def _sum(*parts: tuple[dict[int, float], float], signs=None) -> tuple[dict[int, float], float]:
        terms: dict[int, float] = {}
        constant = 0.0
        for i, (t, c) in enumerate(parts):
            sign = 1.0 if signs is None else signs[i]
            for col, v in t.items():
                terms[col] = terms.get(col, 0.0) + sign * v
            constant += sign * c
        return terms, constant

    def _build(self) -> None:
        flat = self.flat
        makespan = flat.objective_kind == "makespan"
        units = {o: ks for o, ks in flat.domain.items() if o not in self._leader}  # one per aggregated group
        for org_id, ks in flat.domain.items():
            if org_id in units:
                n = float(self.members(org_id))
                for k in ks:
                    cost = 0.0 if makespan else float(flat.cost(org_id, k) - flat.cost(org_id, None))
                    self.x[org_id, k] = self._col(cost, 0.0, n, True)
            if not makespan and org_id in flat.never_cost.get("population_delay", {}):
                self.offset += flat.cost(org_id, None)
        # 1. one window each (an aggregated group: n of them)
        for org_id, ks in units.items():
            if org_id not in flat.mandatory and not ks:
                continue
            terms = {self.x[org_id, k]: 1.0 for k in ks}
            n = float(self.members(org_id))
            self._require(terms, 0.0, n if org_id in flat.mandatory else 0.0, n, f"mandatory[{org_id}]")
        # 2. with_or_before (an aggregated group once, as n·t_by + S - a_by <= n)
        for actor, target in flat.with_or_before:
            if actor in self._leader:
                continue
            n = float(self.members(actor))
            dates = sorted({flat.slots[k].date for k in flat.domain.get(target, [])}
                           | ({flat.fixed[target].date} if target in flat.fixed else set()))
            for day in dates:
                t_by = self.live_by(target, date=day)
                a_by = self.live_by(actor, date=day)
                a_all = self.scheduled(actor)
                terms, constant = self._sum(t_by, a_all, a_by, signs=(n, 1, -1))
                self._require(terms, constant, -INF, n, f"with_or_before[{actor}<={target}]@{day}")
        # 3. together
        for group in flat.together:
            first, *others = group
            for other in others:
                for k in range(len(flat.slots)):
                    a, b = self.x.get((first, k)), self.x.get((other, k))
                    terms = {}
                    if a is not None:
                        terms[a] = 1.0
                    if b is not None:
                        terms[b] = terms.get(b, 0.0) - 1.0
                    self._require(terms, 0.0, 0.0, 0.0, f"together[{first}={other}]@{k}")
        # 4. precedences
        for p in flat.precedences:
            if p.then in flat.fixed:
                f = flat.fixed[p.then]
                need = self.live_by(p.first, position=f.position - p.gap_windows, month=f.month - p.gap_months)
                self._require(*need, 1.0, INF, f"{p.rule}:{p.first}<{p.then}")
                continue
            for i, k in enumerate(flat.domain.get(p.then, [])):
                s = flat.slots[k]
                then_by = ({self.chain(p.then)[i]: 1.0}, 0.0)
                first_by = self.live_by(p.first, position=s.position - p.gap_windows, month=s.month - p.gap_months)
                terms, constant = self._sum(then_by, first_by, signs=(1, -1))
                self._require(terms, constant, -INF, 0.0, f"{p.rule}:{p.first}<{p.then}@{s.id}")
        # 5. not_same_window
        for group in flat.not_same:
            for k in range(len(flat.slots)):
                terms = {self.x[a, k]: 1.0 for a in group if (a, k) in self.x}
                if len(terms) > 1:
                    self._require(terms, 0.0, -INF, 1.0, f"not_same_window@{k}")
        # 6. window limits
        problem = flat.problem
        for limit in flat.limits:
            for k in limit.slots:
                terms = {}
                for org_id in flat.domain:
                    col = self.x.get((org_id, k))
                    if col is not None:
                        w = limit_weight(problem, problem.org[org_id], limit)
                        if w:
                            terms[col] = float(w)
                if sum(v * self.col_upper[c] for c, v in terms.items()) > limit.bound:
                    self._require(terms, 0.0, -INF, float(limit.bound), f"limit#{limit.index + 1}.{limit.measure}@{k}")
        # 7. pool capacity (rows that can never bind left out)
        months = flat.end_month - flat.start_month + 1
        per_row = {row: {col: value for per_col in per_org.values() for col, value in per_col.items()}
                   for row, per_org in self.loads_by_row().items()}
        binding = {}
        for pool in flat.pools:
            for i in range(months):
                terms = per_row.get((pool, i), {})
                free = flat.capacity[pool][i] - flat.pinned_load[pool][i]
                if not terms or sum(v * self.col_upper[c] for c, v in terms.items()) > free:
                    binding[pool, i] = terms
        if self._counts:
            self._count_profiles({col for terms in binding.values() for col in terms})
            # the units a count column counts put the same load on the month: it becomes its coefficient
            binding = {row: {self._count_of.get(col, col): value for col, value in terms.items()}
                       for row, terms in binding.items()}
        for (pool, i), terms in binding.items():
            self._require(terms, float(flat.pinned_load[pool][i]), -INF, float(flat.capacity[pool][i]),
                          f"capacity[{pool}]@{i}")
        # makespan
        if makespan:
            z = self._col(1.0, 0.0, float(flat.end_month - flat.start_month + 1 + max(flat.tail_months.values(), default=0)), True)
            for org_id, ks in flat.domain.items():
                if not ks:
                    continue
                terms = {z: 1.0}
                for k in ks:
                    terms[self.x[org_id, k]] = -float(flat.slots[k].month + flat.tail_months[org_id] - flat.start_month)
                self._require(terms, 0.0, 0.0, INF, f"makespan[{org_id}]")
            self.z = z

    def _break_symmetry(self) -> None:
        """8. the core model's symmetry rows (model/symmetry.py): for consecutive a < b of a group of
        interchangeable organisations, c[b,L] <= c[a,L] for every L (b is not live before a); the last
        L only for optional ones (a mandatory pair is live by the end anyway). Measured on `region`
        seed 1: HiGHS proves the optimum in 76 s instead of 131 s."""
        from ..model.symmetry import interchangeable_groups

        flat = self.flat
        for group in interchangeable_groups(flat.problem):
            if group[0] in self.aggregated:
                continue  # one unit: nothing to break
            if len({tuple(flat.domain.get(o, ())) for o in group}) != 1 or not flat.domain.get(group[0]):
                continue  # not the same domain here (a restricted copy): no rows for this group
            self.symmetry.append(group)
            for a, b in zip(group, group[1:]):
                ca, cb = self.chain(a), self.chain(b)
                for L in range(len(ca) - 1 if a in flat.mandatory else len(ca)):
                    self.rows.add({cb[L]: 1.0, ca[L]: -1.0}, -INF, 0.0)

    def canonical(self, start: dict[str, int | None]) -> dict[str, int | None]:
        """A plan (org id -> slot index or None) with each symmetry group's slots handed out again in
        id order: the same plan up to swaps, and one the symmetry rows accept."""
        from ..model.symmetry import canonical_plan

        return canonical_plan(self.symmetry, start, {k: k for k in range(len(self.flat.slots))})

    def cut_off(self, start: dict[str, int | None]) -> int | None:
        """Makespan only: with a plan of makespan U in hand, no slot whose completion lies after U can be
        in a better plan, so those x are fixed to 0 and z <= U (every optimal plan is kept). Returns U."""
        if getattr(self, "z", None) is None:
            return None
        flat = self.flat
        upper = max((flat.slots[k].month + flat.tail_months[o] - flat.start_month
                     for o, k in start.items() if k is not None), default=0)
        for (org_id, k), col in self.x.items():
            if flat.slots[k].month + flat.tail_months[org_id] - flat.start_month > upper:
                self.col_upper[col] = 0.0
        self.col_upper[self.z] = float(upper)
        return upper

    @property
    def size(self) -> dict[str, int]:
        return {"columns": len(self.cost), "rows": len(self.rows.lower), "nonzeros": len(self.rows.index)}


def solve_highs(problem: Problem, options: HighsOptions | None = None, flat: Flat | None = None) -> Solution:
    """Solve with HiGHS. Status optimal / feasible / infeasible / unknown as docs/model.md maps them.
    With `options.decompose`, a problem that splits into independent parts (`engines.decompose`) is
    solved part by part, the parts' bounds summed: when no window limit can bind on two parts at once
    (then it is exact), or when the whole has more window variables than `options.largest_mip`.
    `flat`: the problem's flat form when the caller has it (else flattened here)."""
    from .decompose import components, coupled, solve_by_parts

    options = options or HighsOptions()
    started = time.perf_counter()
    flat = flat or flatten(problem)
    require_exact(flat, "highs")
    stats = SolveStats(engine="highs", seed=options.seed, workers=options.threads, time_limit=options.time_limit,
                       tie_break="skipped", phases=["objective"])
    parts = components(flat) if options.decompose else []
    too_large = options.largest_mip is not None and flat.window_variables > options.largest_mip
    if len(parts) > 1 and (too_large or not coupled(flat, parts)):
        stats.build_time = time.perf_counter() - started

        def solve_part(sub: Flat, seconds: float, on_plan, on_bound, incumbent, reserved) -> PartResult:
            part_options = replace(options, time_limit=seconds, threads=1, start=None, incumbent=incumbent,
                                   on_plan=on_plan, on_progress=lambda objective, bound: (
                                       on_bound(bound) if bound is not None else None))
            if options.largest_mip is not None and sub.window_variables > options.largest_mip:
                from .lp_rounding import lp_rounding

                return lp_rounding(sub, part_options, lambda chosen: True, reserved=reserved)
            return _window_program_or_mip(sub, part_options, time.perf_counter())

        status, chosen, bound, notes = solve_by_parts(
            flat, parts, solve_part, time_limit=options.time_limit - stats.build_time, threads=options.threads,
            on_progress=options.on_progress, incumbent=options.incumbent, stop=options.stop)
        stats.phases += notes
        if chosen is not None and breaks_rules(flat, chosen):
            # the parts' plans together break a rule: never handed on (the bound stands)
            stats.phases.append("the parts' plan failed the verifier")
            status, chosen = "unknown", None
        result = PartResult(status, chosen, bound)
    else:
        def verified(chosen: dict[str, int | None]) -> bool:
            # never hand on a plan that breaks a rule (the parts' plans are checked together above)
            if breaks_rules(flat, chosen):
                stats.phases.append("the window program's plan failed the verifier")
                return False
            return True

        result = _window_program_or_mip(flat, options, started, stats, accept=verified)
        if result.note:
            stats.phases.append(result.note)
    stats.wall_time = time.perf_counter() - started
    return result.as_solution(flat, stats)


def _window_program_or_mip(flat: Flat, options: HighsOptions, started: float, stats: SolveStats | None = None,
                           accept: Callable[[dict[str, int | None]], bool] | None = None) -> PartResult:
    """The window program (`engines.window_dp`: exact, where it applies) within `WINDOW_DP_SHARE` of
    the time; else, or when it gives up, HiGHS's branch and bound in the time left (`_solve_flat`),
    its beam's plan (if any) handed on at once and kept if HiGHS finds none better. The program's plans
    are taken only if `accept` takes them (the verifier, for a whole problem)."""
    from .window_dp import solve_window_dp

    found = (solve_window_dp(flat, options.time_limit * WINDOW_DP_SHARE, threads=options.threads)
             if options.window_program else None)
    if found is not None and accept is not None and not accept(found.chosen):
        found = None
    if found is not None:
        objective = objective_terms(flat, found.chosen)["total"]
        if options.on_plan is not None:
            options.on_plan(objective, found.chosen)
        if options.on_progress is not None:
            options.on_progress(objective, None)
        if found.status == "optimal":
            seconds = time.perf_counter() - started
            if stats is not None:
                stats.build_time = seconds
            return replace(found, note=f"proven by the window program in {seconds:.1f} s")
    result = _solve_flat(flat, options, started, stats)
    if found is None or result.status == "infeasible":
        return result
    if result.chosen is None or objective < objective_terms(flat, result.chosen)["total"]:
        # HiGHS's bound still holds for the beam's plan
        return PartResult("feasible", found.chosen, result.bound,
                          note="plan by the window program's beam (it gave up before a proof)")
    return result


def _solve_flat(flat: Flat, options: HighsOptions, started: float, stats: SolveStats | None = None) -> PartResult:
    """HiGHS on the MIP of `flat`: (status, plan, bound). The bound is HiGHS's dual bound rounded up
    (every objective coefficient is an integer), at least the trivial bound (before HiGHS has a root
    bound it reports -inf or less), and the plan's objective when HiGHS proved it optimal."""
    import highspy
    import numpy as np

    mip = MipModel(flat, symmetry=options.symmetry, aggregate=options.aggregate, counts=options.counts)
    trivial = trivial_bound(flat)
    if mip.infeasible:
        if stats is not None:
            stats.build_time = time.perf_counter() - started
        return PartResult("infeasible", None, trivial)

    h = load_highs(mip, options, integer=True)
    if not options.heuristics:
        h.setOptionValue("mip_heuristic_effort", 0.0)
    n = len(mip.cost)
    if options.start is not None:
        mip.cut_off(options.start)
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), np.array(mip.col_lower, dtype=np.float64),
                           np.array(mip.col_upper, dtype=np.float64))
        set_start(h, mip, options.start)
    if stats is not None:
        stats.build_time = time.perf_counter() - started
    if options.start_after is not None:
        while not options.start_after.wait(0.05) and not (options.stop is not None and options.stop.is_set()):
            if time.perf_counter() - started > options.time_limit:
                break
    h.setOptionValue("time_limit", max(0.01, options.time_limit - (time.perf_counter() - started)))
    if options.stop is not None and options.stop.is_set():  # decided while the MIP was built
        return PartResult("unknown", None, trivial)
    if (options.on_progress is not None or options.stop is not None or options.incumbent is not None
            or options.on_plan is not None):
        listen(h, options, mip)
    h.run()

    model_status = h.getModelStatus()
    info = h.getInfo()
    MS = highspy.HighsModelStatus
    has_plan = info.primal_solution_status == 2
    # HiGHS's dual bound is -inf (or below -1e18) before its root bound, and +inf once it has proven the
    # MIP infeasible in its search (not in presolve): neither bounds anything here
    dual = float(info.mip_dual_bound)
    bound = max(float(math.ceil(dual - 1e-6)), trivial) if math.isfinite(dual) else trivial
    if model_status == MS.kOptimal and has_plan:
        status = "optimal"
    elif model_status == MS.kInfeasible:
        return PartResult("infeasible", None, bound)
    elif has_plan:
        status = "feasible"
    else:
        return PartResult("unknown", None, bound)
    chosen = mip.plan(h.getSolution().col_value)
    if status == "optimal" and objective_terms(flat, chosen)["total"] != round(info.objective_function_value):
        # HiGHS 1.16 can take a start that presolve changes as its incumbent, with the changed (better)
        # objective, yet return the start itself: the plan is not the proven one; the bound stands
        status = "feasible"
    if status == "optimal":
        bound = min(bound, float(info.objective_function_value))
    return PartResult(status, chosen, bound)


def load_highs(mip: MipModel, options: HighsOptions, *, integer: bool):
    """A `highspy.Highs` holding the model (its LP relaxation when not `integer`), options set."""
    import numpy as np

    h = new_highs(log=bool(options.log))
    h.setOptionValue("log_to_console", bool(options.log))
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", ABSOLUTE_GAP)
    n = len(mip.cost)
    h.addCols(n, np.array(mip.cost, dtype=np.float64), np.array(mip.col_lower, dtype=np.float64),
              np.array(mip.col_upper, dtype=np.float64), 0, np.zeros(0, dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
    if mip.integer and integer:
        ints = np.array(mip.integer, dtype=np.int32)
        h.changeColsIntegrality(len(ints), ints, np.ones(len(ints), dtype=np.uint8))
    rows = mip.rows
    if rows.lower:
        h.addRows(len(rows.lower), np.array(rows.lower, dtype=np.float64), np.array(rows.upper, dtype=np.float64),
                  len(rows.index), np.array(rows.starts, dtype=np.int32), np.array(rows.index, dtype=np.int32),
                  np.array(rows.value, dtype=np.float64))
    h.changeObjectiveOffset(mip.offset)
    return h


def listen(h, options: HighsOptions, mip: MipModel | None = None, *, lp: bool = False) -> None:
    """Report improving plans and bounds to `options.on_progress`; stop when `options.stop` is set
    (checked at the MIP search's interrupt points, or with `lp` the simplex's and the interior point
    method's); hand HiGHS `options.incumbent`'s plans when they beat its own (needs the `mip`)."""
    import highspy

    mip_interrupt = highspy.cb.HighsCallbackType.kCallbackMipInterrupt
    last_bound = [-math.inf]
    given = [math.inf]  # the objective of the last plan handed over

    def user_solution(event) -> None:
        offer = options.incumbent()
        if offer is None:
            return
        objective, start = offer
        if objective >= min(given[0], float(event.data_out.mip_primal_bound)) - 0.5:
            return
        given[0] = objective
        event.data_in.setSolution(start_values(mip, start))
        event.data_in.user_has_solution = True

    if options.incumbent is not None and mip is not None:
        h.cbMipUserSolution.subscribe(user_solution)

    def improving(event) -> None:
        if options.on_progress is not None:
            options.on_progress(float(event.data_out.objective_function_value), None)
        if options.on_plan is not None and mip is not None:
            options.on_plan(float(event.data_out.objective_function_value), mip.plan(event.data_out.mip_solution))

    def interrupt(event) -> None:
        if options.on_progress is not None and event.callback_type == mip_interrupt:
            bound = float(event.data_out.mip_dual_bound)
            if math.isfinite(bound) and bound > last_bound[0]:
                last_bound[0] = bound
                options.on_progress(None, bound)
        if options.stop is not None and options.stop.is_set():
            event.interrupt()

    h.cbMipImprovingSolution.subscribe(improving)
    # a MIP is stopped at its own interrupt points only: the simplex's come every few iterations of
    # every LP of the search, and each call into Python takes the GIL from the other racing thread
    # (national seed 1: LP rounding's LP 8 s alone, 15 s beside a MIP listening to its simplex)
    for event in (h.cbSimplexInterrupt, h.cbIpmInterrupt) if lp else (h.cbMipInterrupt,):
        event.subscribe(interrupt)


#: held while the first `highspy.Highs` of the process is constructed (`new_highs`)
_FIRST_HIGHS = threading.Lock()
_banner_printed = False


def new_highs(*, log: bool = False):
    """A new `highspy.Highs`, its output off (on with `log`). Every `Highs` hpplan makes comes from here.

    HiGHS prints a banner on file descriptor 1 (C++ output, past `sys.stdout`) at the first `Highs` a
    process constructs, and never again (highspy 1.16). Only that first construction, under a lock,
    points fd 1 at /dev/null, so that JSON on stdout stays clean; later ones leave fd 1 alone. Pointing
    fd 1 elsewhere at every construction lost stdout when two threads did it at once (one restored
    the other's /dev/null: `hpplan solve -f json` wrote nothing, exit 0), and loses whatever another
    thread writes meanwhile; `solve` therefore makes its first one before the race's threads start."""
    global _banner_printed
    import highspy

    if not _banner_printed:
        with _FIRST_HIGHS:
            if not _banner_printed:
                with _quiet_stdout(not log):
                    h = highspy.Highs()
                    h.setOptionValue("output_flag", log)
                _banner_printed = True
                return h
    h = highspy.Highs()
    h.setOptionValue("output_flag", log)
    return h


@contextlib.contextmanager
def _quiet_stdout(quiet: bool):
    """Silence file descriptor 1 (C++ output bypasses sys.stdout) for the first `Highs` (`new_highs`) only:
    fd 1 is the process's, not the thread's. A closed stdout (`hpplan solve -o plan.json >&-`, as some cron
    and daemon wrappers run it: Python's sys.stdout is None and fd 1 is closed) stays without output: fd 1
    is then left on /dev/null, so that no file opened later takes fd 1 and C++ output into it; before,
    `sys.stdout.flush()` and `os.dup(1)` failed there and the solve ended with exit 70, no plan written."""
    if not quiet:
        yield
        return
    if sys.stdout is not None and not sys.stdout.closed:
        sys.stdout.flush()
    try:
        saved: int | None = os.dup(1)
    except OSError:  # fd 1 is closed
        saved = None
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if devnull != 1:
            os.dup2(devnull, 1)
        yield
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
        if devnull != 1:
            os.close(devnull)


def trivial_bound(flat: Flat) -> float:
    """A lower bound no plan beats: every organisation in its cheapest allowed slot (or out, when
    optional); for a makespan, the latest completion among the mandatory in their earliest slots."""
    if flat.objective_kind == "makespan":
        ends = [flat.slots[ks[0]].month + flat.tail_months[o] - flat.start_month
                for o, ks in flat.domain.items() if ks and o in flat.mandatory]
        return float(max(ends, default=0))
    total = 0
    for org_id, ks in flat.domain.items():
        if org_id not in flat.never_cost.get("population_delay", {}):
            continue
        options = [flat.cost(org_id, k) for k in ks]
        if org_id not in flat.mandatory or not ks:
            options.append(flat.cost(org_id, None))
        total += min(options)
    return float(total)


def start_values(mip: MipModel, start: dict[str, int | None]):
    """Every column's value for a plan (org id -> slot index or None): x, the chains, the counts and z; the plan
    first reordered within symmetry groups (`MipModel.canonical`)."""
    import numpy as np

    start = mip.canonical(start)
    values = np.zeros(len(mip.cost), dtype=np.float64)
    for org_id, k in start.items():
        col = mip.x.get((mip._leader.get(org_id, org_id), k))
        if col is not None:
            values[col] += 1.0
    for org_id, cols in mip._chain.items():
        live = 0.0
        for i, k in enumerate(mip.flat.domain[org_id]):
            live += values[mip.x[org_id, k]]
            values[cols[i]] = live
    for n, cols in mip.counted.items():
        values[n] = values[cols].sum()
    if getattr(mip, "z", None) is not None:
        ends = [mip.flat.slots[k].month + mip.flat.tail_months[o] - mip.flat.start_month
                for o, k in start.items() if k is not None]
        values[mip.z] = float(max(ends, default=0))
    return values


def set_start(h, mip: MipModel, start: dict[str, int | None]) -> None:
    import highspy

    values = start_values(mip, start)
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    h.setSolution(solution)
