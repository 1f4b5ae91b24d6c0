"""A dynamic program over the windows: exact plans for small parts whose ordering rules are chains.

The trusts' part of a national instance (`engines.decompose`) is 19 trusts, each with its hospitals
`together`, in four regional `order` chains on one pool: 76 organisations, but only 19 go-lives to
place, in order, on 32 windows. HiGHS's LP bound there is 2-5 % below the optimum and its branch and
bound needs 40-80 s to close it (docs/benchmarks.md); this program proves seed 2's optimum in a few
seconds on one core. It applies to a problem (or part) whose objective is a sum over organisations
(population), with no `with_or_before` rule, and whose precedences (`order`, `after_live`) form chains
once `together` groups are merged into units: every unit has at most one predecessor and one successor.

**The search.** Windows are decided in date order. A *state* after windows 0..k-1 holds, per chain,
how many of its units are live (a prefix: a unit is never live before its predecessor), the window of
the chain's last go-live while a gap rule (`min_gap_windows`, `min_gap_months`) still restricts the
next, and each pool's load in the *open* months m(k) - P .. m(k) + H (P, H: the longest preparation and
hypercare): months before them can no longer change, since every later go-live is at month m(k) or
after. A transition at window k puts the next units of some chains live in k, checking their allowed
windows, the gaps, the window limits, `not_same_window` and each month's capacity as the load is
added. States with the same key keep the cheapest cost (the cost of a unit in a window is separable),
so the search is exact: a dynamic program whose stages are the windows.

**The bound that prunes.** A state is dropped when its cost plus a lower bound on the cost of the rest
reaches the best plan known (`upper`). The bound is Lagrangian: the capacity rows and the window limits
are priced by the optimal duals of the LP relaxation on the units (λ per pool and month, μ per limit and
window). With the prices, the rest splits into the chains, each a shortest path over the windows
(`_ChainTables`), and

    rest >= Σ_chains T_c(next unit, k) + Σ_{open months i} λ_i (load_i - capacity_i) - Σ_{limits, windows >= k} μ bound,

valid for any prices >= 0 since every priced row holds; at the root it is the LP bound. Without a good
`upper` the states multiply (seed 2: millions), so a *beam* pass first keeps the `beam` most promising
states per window (cost plus bound) and gives a plan; the exact pass then prunes with it. National
seed 2's trusts' part: LP bound 92.5 M, beam plan = the optimum 97,949,724, exact pass proves it with
at most ~10,000 states per window.

The exact pass gives up when it has stored more than `max_states` states or the time runs out: the
part then goes to HiGHS's branch and bound with the time left, the beam's plan (not proven) handed on
(`engines.highs._window_program_or_mip`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .common import DisjointSets, Flat, limit_weight, objective_terms
from .decompose import PartResult

INF = math.inf
#: states kept per window in the beam pass; states (all windows together, each kept for the plan's
#: way back) at most in the exact pass, else it gives up: about 300 MB. National seed 2's trusts'
#: part: beam 200 finds the optimum in 0.13 s (2,000: the same, 1.8 s), the exact pass proves it with
#: about 50,000 states in 0.3 s
BEAM, MAX_STATES = 200, 400_000
#: chains at most: a window's choices are a subset of the chains (each puts its next unit live or not)
MAX_CHAINS = 10


class _GiveUp(Exception):
    """The exact pass exceeded its states or its time."""


@dataclass
class _Units:
    """The part as units (merged `together` groups) in chains, with everything the search checks."""

    flat: Flat
    members: list[tuple[str, ...]]
    allowed: list[set[int]]
    cost: list[dict[int, int]]
    #: the cost when not scheduled; None for a unit that must be
    never: list[int | None]
    #: per unit: (pool index, month offset from go-live, load)
    load: list[list[tuple[int, int, int]]]
    #: per unit: (limit index, weight) for the limits it counts on
    weight: list[list[tuple[int, int]]]
    #: per unit: the not_same_window groups of its members
    apart: list[tuple[int, ...]]
    #: chains of unit indices; gaps[u]: (min windows, min months) after u's predecessor in its chain
    chains: list[list[int]]
    gaps: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def free(self) -> list[list[int]]:
        """Per pool and month index: the capacity the pinned organisations leave."""
        flat = self.flat
        return [[cap - pinned for cap, pinned in zip(flat.capacity[pool], flat.pinned_load[pool])]
                for pool in flat.pools]


def _units(flat: Flat) -> _Units | None:
    """The part as units, or None when the program does not apply (module docstring; at most
    `MAX_CHAINS` chains)."""
    planned = [o for o, ks in flat.domain.items() if ks]
    if (flat.objective_kind != "population" or flat.impossible or flat.unsupported is not None or not planned
            or any(flat.domain.get(a) or flat.domain.get(t) for a, t in flat.with_or_before)
            or _constantly_broken(flat)):
        return None
    sets = DisjointSets(planned)
    for group in flat.together:
        for other in group[1:]:
            if group[0] in sets and other in sets:
                sets.join(group[0], other)
            elif (group[0] in sets) != (other in sets):
                return None  # a member with no window: the group never goes live (left to HiGHS)
    groups: dict[str, list[str]] = {}
    for org_id in planned:
        groups.setdefault(sets.find(org_id), []).append(org_id)
    members = [tuple(g) for g in groups.values()]
    unit_of = {o: u for u, group in enumerate(members) for o in group}
    problem = flat.problem
    pool_index = {p: i for i, p in enumerate(flat.pools)}
    allowed, cost, never, load, weight, apart = [], [], [], [], [], []
    for group in members:
        slots = set(flat.domain[group[0]])
        for org_id in group[1:]:
            slots &= set(flat.domain[org_id])
        allowed.append(slots)
        cost.append({k: sum(flat.cost(o, k) for o in group) for k in slots})
        never.append(None if any(o in flat.mandatory for o in group) else sum(flat.cost(o, None) for o in group))
        total: dict[tuple[int, int], int] = {}
        for org_id in group:
            for item in flat.loads.get(org_id, ()):
                profile = item.profile
                for off in range(profile.first_offset, len(profile.after)):
                    value = profile.load_at(off)
                    if value:
                        key = (pool_index[item.pool], off)
                        total[key] = total.get(key, 0) + value
        load.append([(p, off, v) for (p, off), v in sorted(total.items())])
        weights = [(j, sum(limit_weight(problem, problem.org[o], limit) for o in group))
                   for j, limit in enumerate(flat.limits)]
        weight.append([(j, w) for j, w in weights if w])
        in_groups = [g for g, group_ids in enumerate(flat.not_same) for o in group if o in group_ids]
        if len(in_groups) != len(set(in_groups)):
            allowed[-1] = set()  # two members that may not share a window, yet must
        apart.append(tuple(in_groups))
    units = _Units(flat, members, allowed, cost, never, load, weight, apart, [])
    return units if _chains(units, unit_of) else None


def _constantly_broken(flat: Flat) -> bool:
    """Whether a rule or capacity is broken whatever the plan, by organisations the program does not
    place: a mandatory one with no window, a pinned `then` whose `first` never goes live, a month whose
    pinned load alone exceeds its capacity. HiGHS names the cause; the program leaves it to HiGHS."""
    if any(not ks for o, ks in flat.domain.items() if o in flat.mandatory):
        return True
    if any(p.then in flat.fixed and p.first not in flat.fixed and not flat.domain.get(p.first)
           for p in flat.precedences):
        return True
    return any(load > cap for pool in flat.pools for load, cap in zip(flat.pinned_load[pool], flat.capacity[pool]))


def _chains(units: _Units, unit_of: dict[str, int]) -> bool:
    """Fill `units.chains` and `units.gaps` from the precedences; False when they are not chains."""
    flat = units.flat
    n = len(units.members)
    pred: list[int | None] = [None] * n
    succ: list[int | None] = [None] * n
    gaps: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for p in flat.precedences:
        a, b = unit_of.get(p.first), unit_of.get(p.then)
        if b is None:
            fixed = flat.fixed.get(p.then)
            if a is not None and fixed is not None:  # `then` went live: `first` live in time, for sure
                units.allowed[a] = {k for k in units.allowed[a]
                                    if flat.slots[k].position <= fixed.position - p.gap_windows
                                    and flat.slots[k].month <= fixed.month - p.gap_months}
                units.never[a] = None
            continue
        if a is None:
            fixed = flat.fixed.get(p.first)
            units.allowed[b] = set() if fixed is None else {
                k for k in units.allowed[b] if fixed.position <= flat.slots[k].position - p.gap_windows
                and fixed.month <= flat.slots[k].month - p.gap_months}
            continue
        if a == b:
            if p.gap_windows > 0 or p.gap_months > 0:
                units.allowed[a] = set()
            continue
        if (pred[b] is not None and pred[b] != a) or (succ[a] is not None and succ[a] != b):
            return False
        pred[b], succ[a] = a, b
        gaps[b].append((p.gap_windows, p.gap_months))
    chains = []
    for u in range(n):
        if pred[u] is None:
            chain = [u]
            while succ[chain[-1]] is not None:
                chain.append(succ[chain[-1]])
            chains.append(chain)
    if sum(map(len, chains)) != n or len(chains) > MAX_CHAINS:
        return False  # a cycle, or too many chains to choose among in a window
    units.chains, units.gaps = chains, gaps
    return True


@dataclass
class _Prices:
    """Lagrangian prices: capacity[pool][month index], limit[limit index][slot]."""

    capacity: list[list[float]]
    limit: list[dict[int, float]]


def _lp_prices(units: _Units, threads: int = 1) -> _Prices | None:
    """The optimal duals of the capacity and window-limit rows of the LP relaxation on the units
    (x[u,k] in [0,1], each unit once or never, the chains' precedences in cumulative form); None when
    the LP is infeasible or not solved (the part then goes to HiGHS). `threads`: as the caller's HiGHS
    runs ask (HiGHS fixes a thread's task scheduler at its first run; a later run in the same thread
    asking for another number fails)."""
    import highspy
    import numpy as np

    from .highs import new_highs

    flat = units.flat
    months = flat.end_month - flat.start_month + 1
    col: dict[tuple[int, int], int] = {}
    cost: list[float] = []
    for u, slots in enumerate(units.allowed):
        for k in sorted(slots):
            col[u, k] = len(cost)
            cost.append(float(units.cost[u][k]))
    never_col = {}
    for u, value in enumerate(units.never):
        if value is not None:
            never_col[u] = len(cost)
            cost.append(float(value))
    rows: list[tuple[dict[int, float], float, float]] = []
    for u, slots in enumerate(units.allowed):
        terms = {col[u, k]: 1.0 for k in slots}
        if u in never_col:
            terms[never_col[u]] = 1.0
        rows.append((terms, 1.0, 1.0))
    for chain in units.chains:
        for a, b in zip(chain, chain[1:]):
            for g, m in units.gaps[b]:
                for k in sorted(units.allowed[b]):
                    s = flat.slots[k]
                    terms = {col[b, k2]: 1.0 for k2 in units.allowed[b] if k2 <= k}
                    for k2 in units.allowed[a]:
                        if flat.slots[k2].position <= s.position - g and flat.slots[k2].month <= s.month - m:
                            terms[col[a, k2]] = terms.get(col[a, k2], 0.0) - 1.0
                    rows.append((terms, -INF, 0.0))
    priced: list[tuple[str, int, int, int]] = []  # (capacity/limit, pool/limit, month/slot, row)
    per_month: dict[tuple[int, int], dict[int, float]] = {}
    for (u, k), c in col.items():
        base = flat.slots[k].month - flat.start_month
        for p, off, v in units.load[u]:
            if 0 <= base + off < months:
                terms = per_month.setdefault((p, base + off), {})
                terms[c] = terms.get(c, 0.0) + v
    free = units.free
    for (p, i), terms in sorted(per_month.items()):
        if sum(terms.values()) > free[p][i]:
            priced.append(("capacity", p, i, len(rows)))
            rows.append((terms, -INF, float(free[p][i])))
    for j, limit in enumerate(flat.limits):
        for k in limit.slots:
            terms = {col[u, k]: float(w) for u in range(len(units.members)) if (u, k) in col
                     for j2, w in units.weight[u] if j2 == j}
            if sum(terms.values()) > limit.bound:
                priced.append(("limit", j, k, len(rows)))
                rows.append((terms, -INF, float(limit.bound)))
    h = new_highs()
    h.setOptionValue("threads", int(threads))
    inf = highspy.kHighsInf
    n = len(cost)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost))
    for terms, lower, upper in rows:
        idx = np.array(list(terms), dtype=np.int32)
        h.addRow(max(lower, -inf), min(upper, inf), len(idx), idx, np.array(list(terms.values())))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    duals = h.getSolution().row_dual
    prices = _Prices([[0.0] * months for _ in flat.pools], [{} for _ in flat.limits])
    for kind, a, b, row in priced:
        value = max(0.0, -duals[row])
        if kind == "capacity":
            prices.capacity[a][b] = value
        else:
            prices.limit[a][b] = value
    return prices


class _ChainTables:
    """T[c][i][k]: the least priced cost of putting chain c's units i.. live in windows k.. in order
    (or never, when all of them may be left out), capacity and limits priced instead of checked."""

    def __init__(self, units: _Units, prices: _Prices):
        flat = units.flat
        K = len(flat.slots)
        months = flat.end_month - flat.start_month + 1
        self.tables = []
        for chain in units.chains:
            n = len(chain)
            t = [[INF] * (K + 1) for _ in range(n)] + [[0.0] * (K + 1)]
            for i in range(n - 1, -1, -1):
                u = chain[i]
                rest_never = [units.never[v] for v in chain[i:]]
                never = INF if None in rest_never else float(sum(rest_never))
                strict = i + 1 < n and any(g > 0 or m > 0 for g, m in units.gaps[chain[i + 1]])
                row = t[i]
                row[K] = never
                for k in range(K - 1, -1, -1):
                    best = min(row[k + 1], never)
                    if k in units.allowed[u]:
                        base = flat.slots[k].month - flat.start_month
                        priced = float(units.cost[u][k])
                        for p, off, v in units.load[u]:
                            if 0 <= base + off < months:
                                priced += prices.capacity[p][base + off] * v
                        for j, w in units.weight[u]:
                            priced += prices.limit[j].get(k, 0.0) * w
                        best = min(best, priced + t[i + 1][k + 1 if strict else k])
                    row[k] = best
            self.tables.append(t)


class WindowProgram:
    """The search of the module docstring on one problem or part (`flat`)."""

    def __init__(self, units: _Units, prices: _Prices):
        self.units = units
        flat = self.flat = units.flat
        self.K = len(flat.slots)
        self.months = flat.end_month - flat.start_month + 1
        self.npools = len(flat.pools)
        self.P = max((-off for load in units.load for _, off, _ in load if off < 0), default=0)
        H = max((off for load in units.load for _, off, _ in load), default=0)
        self.W = self.P + max(H, 0) + 1
        self.free = units.free
        self.prices = prices
        self.T = _ChainTables(units, prices).tables
        self.month = [s.month - flat.start_month for s in flat.slots]
        # the priced rows' right-hand sides still ahead of window k: capacity from month m(k) - P on
        # (the open months and later) and the limits of windows k..
        self.ahead = []
        for k in range(self.K + 1):
            first = self.month[k] - self.P if k < self.K else self.months
            value = sum(prices.capacity[p][i] * self.free[p][i] for p in range(self.npools)
                        for i in range(max(0, first), self.months))
            value += sum(price * flat.limits[j].bound for j, per in enumerate(prices.limit)
                         for k2, price in per.items() if k2 >= k)
            self.ahead.append(value)
        self.limits_at = [[(j, limit.bound) for j, limit in enumerate(flat.limits) if k in limit.slots]
                          for k in range(self.K)]

    def bound_ahead(self, idx: tuple[int, ...], loads: tuple[int, ...], k: int) -> float:
        """A lower bound on the cost of deciding windows k.. from a state (module docstring)."""
        value = -self.ahead[k]
        for c, i in enumerate(idx):
            value += self.T[c][i][k]
        if k < self.K and value < INF:
            base = self.month[k] - self.P
            W = self.W
            for p in range(self.npools):
                prices = self.prices.capacity[p]
                for r in range(W):
                    v = loads[p * W + r]
                    if v:
                        i = base + r
                        if 0 <= i < self.months:
                            value += prices[i] * v
        return value

    def search(self, upper: float, beam: int | None, deadline: float,
               max_states: int = MAX_STATES) -> tuple[int, dict[str, int | None]] | None:
        """The cheapest plan that costs less than `upper` (cost, org id -> slot or None), or None when
        there is none. With `beam`, at most that many states per window (a heuristic); without, exact
        (or _GiveUp). Costs are integers: a state whose bound exceeds `upper` - 1 (plus a margin for
        the prices' floating point) cannot lead to such a plan."""
        units, flat = self.units, self.flat
        chains = units.chains
        nchains = len(chains)
        W, K, P = self.W, self.K, self.P
        limit = upper - 1 + 1e-9 * max(1.0, abs(upper)) if math.isfinite(upper) else INF
        start_key = (tuple([0] * nchains), tuple([-1] * nchains), tuple([0] * (self.npools * W)))
        layers: list[dict] = [{start_key: (0, None, ())}]
        stored = 1
        for k in range(K):
            layer = layers[-1]
            nxt: dict = {}
            scored: dict = {}
            mk = self.month[k]
            base = mk - P
            shift = (self.month[k + 1] - mk) if k + 1 < K else W
            slot = flat.slots[k]
            for count, (key, (cost, _, _)) in enumerate(layer.items()):
                if count % 1024 == 0 and time.perf_counter() > deadline:
                    raise _GiveUp
                idx, last, loads = key
                # each chain's choices: how many of its next units go live in window k
                options = []
                for c, chain in enumerate(chains):
                    i, n = idx[c], 0
                    choice = [0]
                    while i + n < len(chain):
                        u = chain[i + n]
                        if k not in units.allowed[u]:
                            break
                        if n == 0 and last[c] >= 0:
                            before = flat.slots[last[c]]
                            if any(slot.position - before.position < g or slot.month - before.month < m
                                   for g, m in units.gaps[u]):
                                break
                        if n > 0 and any(g > 0 or m > 0 for g, m in units.gaps[u]):
                            break
                        n += 1
                        choice.append(n)
                    options.append(choice)
                for placed, add, new_loads in self._moves(k, idx, options, loads, base):
                    new_idx = tuple(i + n for i, n in zip(idx, placed))
                    new_last = []
                    for c, n in enumerate(placed):
                        at = k if n else last[c]
                        if at >= 0 and k + 1 < K and new_idx[c] < len(chains[c]):
                            later, before = flat.slots[k + 1], flat.slots[at]
                            if all(later.position - before.position >= g and later.month - before.month >= m
                                   for g, m in units.gaps[chains[c][new_idx[c]]]):
                                at = -1
                        else:
                            at = -1
                        new_last.append(at)
                    shifted = tuple(v for p in range(self.npools)
                                    for v in (new_loads[p * W + shift:p * W + W] + [0] * min(shift, W)))
                    new_key = (new_idx, tuple(new_last), shifted)
                    new_cost = cost + add
                    old = nxt.get(new_key)
                    if old is not None and old[0] <= new_cost:
                        continue
                    f = new_cost + self.bound_ahead(new_idx, shifted, k + 1)
                    if f == INF or f > limit:
                        continue
                    nxt[new_key] = (new_cost, key, placed)
                    scored[new_key] = f
            if beam is not None and len(nxt) > beam:
                kept = sorted(nxt, key=scored.__getitem__)[:beam]
                nxt = {key: nxt[key] for key in kept}
            stored += len(nxt)
            if beam is None and stored > max_states:
                raise _GiveUp
            layers.append(nxt)
        best = None
        for key, (cost, _, _) in layers[-1].items():
            idx = key[0]
            rest = [units.never[u] for c, chain in enumerate(chains) for u in chain[idx[c]:]]
            if None in rest:
                continue
            total = cost + sum(rest)
            if total < upper and (best is None or total < best[0]):
                best = (total, key)
        if best is None:
            return None
        return best[0], self._plan(layers, best[1])

    def _moves(self, k: int, idx, options, loads, base):
        """Every choice of units for window k that keeps the limits, not_same_window and capacity:
        (units placed per chain, their cost, the loads after them)."""
        units = self.units
        chains = units.chains
        W = self.W
        limits = self.limits_at[k]
        months, free, mk = self.months, self.free, self.month[k]
        result = []

        def place(c: int, placed: list[int], add: int, cur: list[int], used: dict[int, int], apart: set[int]):
            if c == len(chains):
                result.append((tuple(placed), add, cur))
                return
            for n in options[c]:
                if n == 0:
                    place(c + 1, placed + [0], add, cur, used, apart)
                    continue
                ok = True
                new = list(cur)
                new_used = dict(used)
                new_apart = set(apart)
                cost = add
                for u in chains[c][idx[c]:idx[c] + n]:
                    for j, w in units.weight[u]:
                        new_used[j] = new_used.get(j, 0) + w
                    if any(g in new_apart for g in units.apart[u]):
                        ok = False
                        break
                    new_apart.update(units.apart[u])
                    for p, off, v in units.load[u]:
                        i = mk + off
                        if 0 <= i < months:
                            r = p * W + i - base
                            new[r] += v
                            if new[r] > free[p][i]:
                                ok = False
                    cost += units.cost[u][k]
                if ok and all(new_used.get(j, 0) <= bound for j, bound in limits):
                    place(c + 1, placed + [n], cost, new, new_used, new_apart)

        place(0, [], 0, list(loads), {}, set())
        return result

    def _plan(self, layers: list[dict], key) -> dict[str, int | None]:
        units = self.units
        chosen: dict[str, int | None] = {o: None for group in units.members for o in group}
        for k in range(len(layers) - 1, 0, -1):
            _, parent, placed = layers[k][key]
            idx = parent[0]
            for c, n in enumerate(placed):
                for u in units.chains[c][idx[c]:idx[c] + n]:
                    for org_id in units.members[u]:
                        chosen[org_id] = k - 1
            key = parent
        return chosen


def solve_window_dp(flat: Flat, time_limit: float, *, upper: tuple[float, dict[str, int | None]] | None = None,
                    beam: int = BEAM, max_states: int = MAX_STATES, threads: int = 1) -> PartResult | None:
    """The optimal plan of `flat` (a problem or part) by the dynamic program over the windows, as
    PartResult("optimal", plan, its objective); when the exact pass gives up (states or time:
    `time_limit`) after the beam found a plan, PartResult("feasible", that plan, -inf) (not proven);
    None when the program does not apply, the LP is not solved, or there is no plan.
    `upper`: a known plan's (objective, plan), to prune with from the start; `threads`: for its LP
    (`_lp_prices`), the number the caller's HiGHS runs use."""
    deadline = time.perf_counter() + time_limit
    units = _units(flat)
    if units is None:
        return None
    prices = _lp_prices(units, threads)
    if prices is None:
        return None
    program = WindowProgram(units, prices)
    # the objective of the organisations that never go live (the program's costs leave them out)
    fixed = sum(flat.never_cost[term][o] for term, per_org in flat.slot_cost.items() for o in per_org
                if not flat.domain.get(o))
    best = None if upper is None else (upper[0] - fixed, upper[1])
    beam_plan = None

    def result(status: str, plan: dict[str, int | None]) -> PartResult:
        chosen = {o: plan.get(o) for o, ks in flat.domain.items() if ks}
        return PartResult(status, chosen, objective_terms(flat, chosen)["total"] if status == "optimal" else -INF)

    try:
        if best is None:
            best = program.search(INF, beam, deadline)
            beam_plan = best
        found = program.search(best[0] if best else INF, None, deadline, max_states)
    except _GiveUp:
        return result("feasible", beam_plan[1]) if upper is None and beam_plan is not None else None
    if found is not None:
        best = found
    if best is None:
        return None  # no plan at all: HiGHS says so, with the rule to blame
    return result("optimal", best[1])
