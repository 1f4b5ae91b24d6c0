"""Research experiment (session 25): can `regional-300` be proven optimal much faster than HiGHS's ~140 s?

Nothing here changes hpplan; it builds hpplan's own MIP (`engines/highs.py`, `MipModel(aggregate=True,
counts=True)`, symmetry rows) and changes only what HiGHS is told about it, or splits the search.

    .venv/bin/python benchmarks/proof_experiment.py mip DATA [--part whole|primary|specialist]
        [--variant base,chains,xcont,cum,cumonly] [--threads 1] [--limit 60] [--cutoff Z] [--log]

Variants (comma-separated):
  base     the race's MIP as it is (x and count columns integer; chain columns continuous)
  chains   every unit gets its chain columns c[a,L] (live by the L-th slot of its domain), declared integer:
           HiGHS may branch on "a live by L" (SOS-like dichotomy on the window order)
  xcont    with `chains`: the x columns continuous (integral anyway, x = c[L] - c[L-1]): HiGHS branches
           on the chains only
  cum      cumulative count columns N[p,k] = units of load profile p live by slot k, integer
  cumonly  with `cum`: the per-slot count columns continuous (HiGHS branches on the cumulative counts)
  xrelax   (a relaxation) every x continuous, only the count columns integer
  gpfluid  (a relaxation) the GP offices' columns and their counts continuous
  dom      (needs --no-users) dominance rows between municipalities (`dominance_pairs`)
  gpcum    integer column G[k] = GP offices (every unit with the gp_office profile) live by slot k
--cutoff Z: HiGHS's `objective_bound` = Z (a plan of value Z is known): only a proof that nothing is below
is left to do. Prints one JSON line: status, objective, bound, nodes, seconds, size.

    .venv/bin/python benchmarks/proof_experiment.py dw DATA --part primary --block 12 --stride 4
        [--plan PLAN.json] [--limit 300]
  A Dantzig-Wolfe (Lagrangian) bound that keeps the capacity exact on integer counts: the LP, plus for each
  block of `--block` consecutive months (every `--stride` months) conv{integer counts per load profile and
  slot of the slots loading the block: the block's capacity rows, the per-window count limits, the
  totals}; column generation, each block priced by a small MIP in HiGHS; the Lagrangian bound is valid
  at every round. `--block 61 --stride 61`: one block over the whole horizon, i.e. the assignment,
  with_or_before and symmetry rows relaxed, counts + capacity + limits kept exactly (idea 1 of the brief).
  `--plan`: a plan whose count vectors start the columns (convergence in ~120 s instead of > 200 s).

Findings (session 25, regional-300 seeds 1 and 2; docs/benchmarks.md "Where regional-300's gap is"): every count-level
relaxation equals the LP (12-month blocks: exactly the LP; the whole horizon: <= LP + 463); the optimum's
counts fixed leave an LP 0.027 % below the optimum and a MIP proven at its root; the primary part alone is
as hard as the whole (2 threads: 178 s / 195 s).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from hpplan.engines.common import flatten, objective_terms, breaks_rules
from hpplan.engines.decompose import components, restrict
from hpplan.engines.highs import HighsOptions, MipModel, load_highs
from hpplan.loader import load_problem


def part_of(flat, which: str):
    if which == "whole":
        return flat
    parts = components(flat)
    pools = {o: {load.pool for load in flat.loads.get(o, ())} for o in flat.domain}
    for part in parts:
        if any(which in pools.get(o, ()) for o in part):
            return restrict(flat, part)
    raise SystemExit(f"no part loads pool {which}")


def dominance_pairs(flat) -> list[tuple[str, str]]:
    """Pairs (a, b): a goes live no later than b in some optimal plan of the problem WITHOUT its users
    limits (`drop_users`). For a plan with b in slot k before a in slot k', the swap (a to k, b to k', and
    a's GP offices take n_a of b's GP offices' slots, b's take the rest and a's old ones) keeps every
    other row and does not raise the cost when:
    - a and b: municipalities (no precedence, together or not_same_window), mandatory, same load profiles;
    - for every k < k' with k in D(b), k' in D(a): k in D(a), k' in D(b) and
      cost[a,k] + cost[b,k'] <= cost[a,k'] + cost[b,k];
    - n_a <= n_b GP offices (with_or_before to them), all of the same domain when both have any;
    - no users limit (swapping unequal users could break it); window counts by kind are kept.
    Ties (the inequality always an equality both ways) are ordered by id, so the relation is acyclic; a
    plan breaking a pair is swapped to a lexicographically smaller one (by a linear extension), which
    ends: the optimum is kept."""
    problem = flat.problem
    kind = {o: problem.org[o].kind.value for o in flat.domain}
    gps: dict[str, list[str]] = {}
    for actor, target in flat.with_or_before:
        gps.setdefault(target, []).append(actor)
    busy = {o for g in flat.together for o in g} | {o for g in flat.not_same for o in g}
    busy |= {p.first for p in flat.precedences} | {p.then for p in flat.precedences}
    busy |= {a for a, _ in flat.with_or_before}
    cands = [o for o, ks in flat.domain.items() if ks and kind[o] == "municipality" and o not in busy
             and o in flat.mandatory]
    prof = {o: tuple(sorted((l.pool, l.profile.before, l.profile.after) for l in flat.loads.get(o, ())))
            for o in cands}
    gpdom = {o: {tuple(flat.domain[g]) for g in gps.get(o, ())} for o in cands}
    pairs = []
    for a in cands:
        for b in cands:
            if a == b or prof[a] != prof[b] or len(gps.get(a, ())) > len(gps.get(b, ())):
                continue
            if gpdom[a] and (len(gpdom[a] | gpdom[b]) > 1):
                continue
            da, db = set(flat.domain[a]), set(flat.domain[b])
            ok, strict = True, False
            for k in db:
                for k2 in da:
                    if k2 <= k:
                        continue
                    if k not in da or k2 not in db:
                        ok = False
                        break
                    gain = flat.cost(a, k2) + flat.cost(b, k) - flat.cost(a, k) - flat.cost(b, k2)
                    if gain < 0:
                        ok = False
                        break
                    strict |= gain > 0
                if not ok:
                    break
            if ok and (strict or a < b):
                pairs.append((a, b))
    return pairs


def drop_users(flat):
    """The problem without its users limits (a relaxation)."""
    from dataclasses import replace

    return replace(flat, limits=[l for l in flat.limits if l.measure != "max_users"])


class Variant:
    """The MIP with extra columns / integrality as the variants ask."""

    def __init__(self, flat, variants: set[str]):
        self.flat = flat
        self.mip = mip = MipModel(flat, symmetry=True, aggregate=True, counts=True)
        self.variants = variants
        units = [o for o, ks in flat.domain.items() if ks and o not in mip._leader]
        self.units = units
        integer = set(mip.integer)
        if "chains" in variants:
            for o in units:
                for c in mip.chain(o):
                    integer.add(c)
            if "xcont" in variants:
                for o in units:
                    for k in flat.domain[o]:
                        integer.discard(mip.x[o, k])
        if "cum" in variants or "gpcum" in variants:
            # profile key -> units
            kinds: dict[tuple, list[str]] = {}
            for o in units:
                loads = flat.loads.get(o, ())
                if loads:
                    key = tuple(sorted((load.pool, load.profile.before, load.profile.after) for load in loads))
                    kinds.setdefault(key, []).append(o)
            gp_key = None
            for key, us in kinds.items():
                if any(flat.problem.org[u].kind.value == "gp_office" for u in us):
                    gp_key = key
            for key, us in kinds.items():
                if "cum" not in variants and key != gp_key:
                    continue
                if len(us) < 2:
                    continue
                total = sum(mip.members(u) for u in us)
                slots = sorted({k for u in us for k in flat.domain[u]})
                for k in slots[:-1]:
                    col = mip._col(0.0, 0.0, float(total), True)
                    integer.add(col)
                    terms = {col: 1.0}
                    for u in us:
                        for k2 in flat.domain[u]:
                            if k2 <= k:
                                terms[mip.x[u, k2]] = terms.get(mip.x[u, k2], 0.0) - 1.0
                    mip.rows.add(terms, 0.0, 0.0)
            if "cumonly" in variants:
                for n in mip.counted:
                    integer.discard(n)
        if "xrelax" in variants:
            # a relaxation: only the count columns (per load profile and slot) integer
            integer = {c for c in integer if c in mip.counted or c not in set(mip.x.values())}
        if "gpfluid" in variants:
            # a relaxation: the GP offices' columns and counts continuous (they cost nothing)
            gp = {c for (o, k), c in mip.x.items() if flat.problem.org[o].kind.value == "gp_office"}
            integer -= gp
            integer -= {n for n, cols in mip.counted.items() if gp.intersection(cols)}
        if "dom" in variants:
            assert not any(l.measure == "max_users" for l in flat.limits), "dom needs --no-users"
            self.pairs = dominance_pairs(flat)
            for a, b in self.pairs:
                for d in sorted({flat.slots[k].date for k in flat.domain[b]})[:-1]:
                    tb, cb = mip.live_by(b, date=d)
                    ta, ca = mip.live_by(a, date=d)
                    terms, const = mip._sum((tb, cb), (ta, ca), signs=(1, -1))
                    mip._require(terms, const, -math.inf, 0.0, f"dominance[{a}<={b}]@{d}")
        mip.integer = sorted(integer)


def run(flat, variants, *, threads=1, limit=60.0, cutoff=None, log=False, seed=0, extra=None, fix=None,
        whole=False):
    """HiGHS on the variant MIP; `fix`: (col, lower, upper) bounds added (a branch)."""
    v = Variant(flat, variants)
    mip = v.mip
    if fix:
        for col, lo, hi in fix(v):
            mip.col_lower[col] = max(mip.col_lower[col], lo)
            mip.col_upper[col] = min(mip.col_upper[col], hi)
    h = load_highs(mip, HighsOptions(threads=threads, time_limit=limit, log=log, seed=seed), integer=True)
    h.setOptionValue("time_limit", float(limit))
    if threads > 1:
        h.setOptionValue("parallel", "on")
    if cutoff is not None:
        # a pruning bound (offset included); HiGHS still reports heuristic plans above it
        h.setOptionValue("objective_bound", float(cutoff))
    for k, val in (extra or {}).items():
        h.setOptionValue(k, val)
    trace = []
    started = time.perf_counter()

    def interrupt(event):
        b = float(event.data_out.mip_dual_bound)
        if math.isfinite(b) and (not trace or b > trace[-1][1] + 1):
            trace.append((round(time.perf_counter() - started, 2), round(b), int(event.data_out.mip_node_count)))

    h.cbMipInterrupt.subscribe(interrupt)
    h.run()
    seconds = time.perf_counter() - started
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2
    out = {"status": str(h.getModelStatus()).split(".")[-1], "seconds": round(seconds, 2),
           "nodes": int(info.mip_node_count), "bound": float(info.mip_dual_bound),
           "objective": float(info.objective_function_value) if has_plan else None,
           "lp_iterations": int(info.simplex_iteration_count), "size": mip.size,
           "integer_columns": len(mip.integer), "trace": trace[:3] + trace[-3:],
           "bound_at_nodes": {n: next((b for _, b, m in trace if m >= n), None) and
                              max((b for _, b, m in trace if m <= n), default=None)
                              for n in (500, 1000, 2000, 4000, 8000, 16000, 32000)}}
    if has_plan:
        chosen = mip.plan(h.getSolution().col_value)
        out["plan_objective"] = objective_terms(flat, chosen)["total"]
        if whole:  # the independent verifier (a part's plan is not a plan of the whole)
            out["verified"] = not breaks_rules(flat, chosen)
    return out


# ---- a Dantzig-Wolfe bound on the integer counts (blocks of months) ------------------------------------

def count_structure(flat, mip):
    """Units by load profile (key), and each (profile, slot)'s count as the x columns it sums (aggregated
    groups' x are counts already). Returns (profiles: key -> Profile-like (before, after)), count
    expressions: (key, k) -> [x columns], and upper bounds."""
    kinds: dict[tuple, list[str]] = {}
    for o, ks in flat.domain.items():
        if ks and o not in mip._leader and flat.loads.get(o):
            loads = flat.loads[o]
            assert len(loads) == 1, "one pool per unit in this experiment"
            key = (loads[0].pool, loads[0].profile.before, loads[0].profile.after)
            kinds.setdefault(key, []).append(o)
    expr, upper = {}, {}
    for key, units in kinds.items():
        for o in units:
            for k in flat.domain[o]:
                expr.setdefault((key, k), []).append(mip.x[o, k])
                upper[key, k] = upper.get((key, k), 0) + mip.members(o)
    totals = {key: sum(mip.members(o) for o in units) for key, units in kinds.items()}
    return kinds, expr, upper, totals


def load_of(key, offset):
    before, after = key[1], key[2]
    if offset < 0:
        i = len(before) + offset
        return before[i] if i >= 0 else 0
    return after[offset] if offset < len(after) else 0


def kind_counts_limits(flat, kinds):
    """Window limits that count units by kind only (max_actors with kinds): (bound, slots, keys counted)."""
    problem = flat.problem
    out = []
    for lim in flat.limits:
        if lim.measure != "max_actors":
            continue
        keys = [key for key, units in kinds.items()
                if all(lim.kinds is None or problem.org[o].kind in lim.kinds for o in units)]
        mixed = [key for key, units in kinds.items()
                 if any(lim.kinds is None or problem.org[o].kind in lim.kinds for o in units) and key not in keys]
        if mixed:
            continue  # not by profile: left out of the blocks (a relaxation)
        out.append((lim.bound, set(lim.slots), keys))
    return out


def dw_bound(flat, block_len=12, stride=4, rounds=200, log=print, time_cap=600.0, symmetry=True,
             debug=False, plans=()):
    """The LP relaxation strengthened by conv(integer counts of the slots touching a block of months that
    keep the block's capacity rows, the per-window count limits and the totals): column generation,
    pricing each block by a small MIP in HiGHS. Returns (bound, LP value, info). The bound is the
    Lagrangian bound (master value + each block's most negative reduced cost), valid at every round."""
    import highspy

    mip = MipModel(flat, symmetry=symmetry, aggregate=True, counts=True)
    kinds, expr, upper, totals = count_structure(flat, mip)
    months = flat.end_month - flat.start_month + 1
    limits = kind_counts_limits(flat, kinds)
    h = load_highs(mip, HighsOptions(threads=1), integer=False)
    h.setOptionValue("time_limit", 1e9)
    started = time.perf_counter()
    h.run()
    lp_value = h.getInfo().objective_function_value
    log(f"LP {lp_value:,.0f} in {time.perf_counter() - started:.1f} s")
    # blocks
    offs = {key: (-len(key[1]), len(key[2]) - 1) for key in kinds}
    blocks = []
    pools = sorted({key[0] for key in kinds})
    for pool in pools:
        free = [flat.capacity[pool][i] - flat.pinned_load[pool][i] for i in range(months)]
        start = 0
        while start < months:
            ms = list(range(start, min(months, start + block_len)))
            touching = sorted({(key, k) for (key, k) in expr if key[0] == pool and any(
                offs[key][0] <= i - (flat.slots[k].month - flat.start_month) <= offs[key][1] for i in ms)})
            if touching:
                blocks.append((pool, ms, touching, free))
            if start + block_len >= months:
                break
            start += stride
    log(f"{len(blocks)} blocks, count columns per block: {[len(b[2]) for b in blocks]}")
    # linking rows: sum x - sum_q q lambda + s+ - s- = 0, convexity sum lambda = 1
    BIG = 1e7
    link = []
    for b, (pool, ms, touching, free) in enumerate(blocks):
        rows = {}
        for pk in touching:
            cols = expr[pk]
            h.addRow(0.0, 0.0, len(cols), np.array(cols, dtype=np.int32), np.ones(len(cols)))
            r = h.getNumRow() - 1
            rows[pk] = r
            # artificial slacks
            h.addCol(BIG, 0.0, highspy.kHighsInf, 1, np.array([r], dtype=np.int32), np.array([1.0]))
            h.addCol(BIG, 0.0, highspy.kHighsInf, 1, np.array([r], dtype=np.int32), np.array([-1.0]))
        h.addRow(1.0, 1.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        conv = h.getNumRow() - 1
        # the zero count vector: always in the block's set, so the master is feasible from the start
        h.addCol(0.0, 0.0, highspy.kHighsInf, 1, np.array([conv], dtype=np.int32), np.array([1.0]))
        link.append((rows, conv))
    # pricing models: one per block, built once, objective changed per round
    pricers = []
    for b, (pool, ms, touching, free) in enumerate(blocks):
        p = highspy.Highs()
        p.setOptionValue("output_flag", False)
        p.setOptionValue("threads", 1)
        p.setOptionValue("mip_rel_gap", 0.0)
        p.setOptionValue("mip_abs_gap", 1e-6)
        n = len(touching)
        p.addCols(n, np.zeros(n), np.zeros(n), np.array([float(upper[pk]) for pk in touching]), 0,
                  np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        p.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
        for i in ms:
            idx, val = [], []
            for j, (key, k) in enumerate(touching):
                v = load_of(key, i - (flat.slots[k].month - flat.start_month))
                if v:
                    idx.append(j)
                    val.append(float(v))
            if idx:
                p.addRow(-highspy.kHighsInf, float(free[i]), len(idx), np.array(idx, dtype=np.int32), np.array(val))
        for bound, slots, keys in limits:
            for k in slots:
                idx = [j for j, (key, kk) in enumerate(touching) if kk == k and key in keys]
                if len(idx) > 1 or (idx and upper[touching[idx[0]]] > bound):
                    p.addRow(-highspy.kHighsInf, float(bound), len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
        for key in kinds:
            idx = [j for j, (kk, _) in enumerate(touching) if kk == key]
            if idx:
                p.addRow(-highspy.kHighsInf, float(totals[key]), len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
        pricers.append(p)
    def add_column(b, q):
        rows, conv = link[b]
        touching = blocks[b][2]
        idx = [rows[pk] for j, pk in enumerate(touching) if q[j] > 0.5] + [conv]
        val_ = [-float(q[j]) for j, pk in enumerate(touching) if q[j] > 0.5] + [1.0]
        h.addCol(0.0, 0.0, highspy.kHighsInf, len(idx), np.array(idx, dtype=np.int32), np.array(val_))

    # columns of known plans (org -> slot): each block's count vector in them (feasible points)
    from hpplan.engines.highs import start_values
    for plan in plans:
        values = start_values(mip, plan)
        for b, (pool, ms, touching, free) in enumerate(blocks):
            add_column(b, [round(sum(values[c] for c in expr[pk])) for pk in touching])
    def price(y, z):
        """Price every block at the master's duals y: (columns found, the Lagrangian bound z + the sum of
        the blocks' most negative reduced costs (valid when every pricing MIP is solved to optimality),
        [(block, count vector)])."""
        cols, lagr, added = [], 0.0, 0
        for b, (pool, ms, touching, free) in enumerate(blocks):
            rows, conv = link[b]
            p = pricers[b]
            c = np.array([y[rows[pk]] for pk in touching])
            p.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), c)
            p.run()
            assert p.getModelStatus() == highspy.HighsModelStatus.kOptimal, p.getModelStatus()
            q = np.round(p.getSolution().col_value)
            red = p.getInfo().objective_function_value - y[conv]
            lagr += min(0.0, red)
            if red < -1e-6:
                cols.append((b, q))
                added += 1
        return added, z + lagr, cols

    best = -math.inf
    history = []
    for rnd in range(rounds):
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.getModelStatus()
        z = h.getInfo().objective_function_value
        y = np.array(h.getSolution().row_dual)
        added, lagr, cols = price(y, z)
        best = max(best, lagr)
        for b, q in cols:
            add_column(b, q)
        history.append((rnd, round(z), round(lagr), added))
        if rnd % 10 == 0 or not added:
            log(f"round {rnd}: master {z:,.0f}, Lagrangian bound {lagr:,.0f} (best {best:,.0f}), {added} columns, "
                f"{time.perf_counter() - started:.1f} s")
        if not added or time.perf_counter() - started > time_cap:
            break
    return best, lp_value, {"rounds": len(history), "seconds": round(time.perf_counter() - started, 1),
                            "master": history[-1][1], "blocks": len(blocks)}


def read_plan_slots(flat, path):
    """A plan JSON as org -> slot index (None: not scheduled), for the organisations of `flat`'s domain."""
    from pathlib import Path
    from hpplan.solution import read_plan

    slot_of = {s.id: k for k, s in enumerate(flat.slots)}
    chosen = {o: None for o, ks in flat.domain.items() if ks}
    for a in read_plan(Path(path)).plan:
        if a.id in chosen and a.window is not None:
            chosen[a.id] = slot_of[a.window]
    return chosen



def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["mip", "dw"])
    ap.add_argument("--block", type=int, default=12, help="dw: months per block")
    ap.add_argument("--stride", type=int, default=4, help="dw: months between block starts")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--plan", action="append", default=[], help="dw: a plan JSON (hpplan solve -f json) whose "
                    "count vectors start the column generation")
    ap.add_argument("data")
    ap.add_argument("--part", default="whole")
    ap.add_argument("--variant", default="base")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--cutoff", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log", action="store_true")
    ap.add_argument("--no-users", action="store_true", help="drop the users limits (a relaxation)")
    ap.add_argument("--option", action="append", default=[], help="HiGHS option k=v")
    args = ap.parse_args(argv)
    problem = load_problem(args.data)
    flat = flatten(problem)
    if args.no_users:
        flat = drop_users(flat)
    flat = part_of(flat, args.part)
    extra = {}
    for kv in args.option:
        k, val = kv.split("=", 1)
        for cast in (int, float):
            try:
                val = cast(val)
                break
            except ValueError:
                pass
        extra[k] = val
    variants = set(args.variant.split(","))
    if args.command == "dw":
        plans = [read_plan_slots(flat, path) for path in args.plan]
        bound, lp, info = dw_bound(flat, args.block, args.stride, args.rounds, log=lambda m: print(m, file=sys.stderr),
                                   time_cap=args.limit, plans=plans)
        print(json.dumps({"dw_bound": round(bound), "lp": round(lp), **info, "block": args.block,
                          "stride": args.stride, "part": args.part, "data": args.data}))
        return 0
    out = run(flat, variants, threads=args.threads, limit=args.limit, cutoff=args.cutoff, log=args.log,
              seed=args.seed, extra=extra, whole=args.part == "whole")
    out.update(no_users=args.no_users, data=args.data, part=args.part, variant=args.variant, threads=args.threads, cutoff=args.cutoff)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
