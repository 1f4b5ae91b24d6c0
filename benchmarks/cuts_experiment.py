"""Experiment: valid inequalities for the monthly capacity rows of the HiGHS MIP (engines/highs.py).

Research question: do lifted multiple-choice (GUB) cover cuts on the monthly capacity rows, or on
aggregates of them over runs of consecutive months ("energy" rows), raise the LP bound enough for HiGHS
to prove the regional instances much faster?

The capacity row of pool s, month t, is a knapsack with one GUB per organisation a:
    sum_a sum_{k in D(a)} L_a(t, k) x[a,k] <= b_t,      sum_k x[a,k] <= 1 (= 1 if mandatory)
(L_a(t, k) = a's load in month t when it goes live in window k). An energy row over months t1..t2 is
the sum of those rows: load sum_{t=t1..t2} L_a(t, k), capacity sum b_t.

Cuts (for one such row; all loads divided by the row's gcd first):
  * cover: for a set C of organisations and a level l_a per member with sum l_a > b,
        sum_{a in C} sum_{k: L_a(k) >= l_a} x[a,k] <= |C| - 1;
    separated exactly from the LP point by a DP (a min-cost multiple-choice covering knapsack: each
    organisation picks a level, cost 1 - x*(a, load >= level); violated iff min cost < 1);
  * then lifted sequentially and exactly (a multiple-choice knapsack DP over the row's capacity):
    every organisation of the row, the cover's members included (re-lifted last), gets for each window
    the largest coefficient that keeps the inequality valid given the ones before it. The result is a
    valid inequality for conv{x binary: GUBs, this single row}.
Loop: solve the LP, separate on every capacity row and every energy row of length 2..max_len, add the
most violated cuts, re-solve, until the bound stops rising. Then the MIP with the cuts as extra rows is
given to HiGHS (one thread) and compared against the MIP without them.

Run (from /work/main):
    .venv/bin/python benchmarks/cuts_experiment.py root  benchmarks/results/instances/region-seed1
    .venv/bin/python benchmarks/cuts_experiment.py mip   benchmarks/results/instances/region-seed1 --limit 120
    .venv/bin/python benchmarks/cuts_experiment.py mip   ... --no-cuts          (the baseline)
    .venv/bin/python benchmarks/cuts_experiment.py root  ... --set-size 3   (also sums of 2-3 LP-tight months)
Options: --max-len N (energy rows up to N months; 1 = single rows only), --rounds N, --per-round N,
--cut-option k=v (HiGHS options for the MIP run), --symmetry/--no-symmetry.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from functools import reduce

import numpy as np

from hpplan.engines.common import flatten
from hpplan.engines.highs import HighsOptions, MipModel, load_highs
from hpplan.loader import load_problem

NEG = -10**9


# ---- the capacity rows as GUB knapsacks --------------------------------------------------------------

def capacity_rows(flat, mip):
    """pool -> list over months of (rhs, {org: {col: load}}) — the free capacity (capacity less pinned load)
    and each organisation's load by window column."""
    months = flat.end_month - flat.start_month + 1
    rows = {p: [dict() for _ in range(months)] for p in flat.pools}
    for (pool, i), per_org in mip.loads_by_row().items():  # loads in tenths of an FTE: whole numbers
        rows[pool][i] = {org: {col: round(v) for col, v in per_col.items()} for org, per_col in per_org.items()}
    out = {}
    for p in flat.pools:
        out[p] = [(flat.capacity[p][i] - flat.pinned_load[p][i], rows[p][i]) for i in range(months)]
    return out


def aggregate(rows, t1, t2):
    """The energy row over months t1..t2 of one pool."""
    rhs = 0
    terms: dict[str, dict[int, int]] = {}
    for i in range(t1, t2 + 1):
        b, r = rows[i]
        rhs += b
        for org, d in r.items():
            e = terms.setdefault(org, {})
            for col, v in d.items():
                e[col] = e.get(col, 0) + v
    return rhs, terms


def can_bind(rhs, terms):
    return sum(max(d.values()) for d in terms.values()) > rhs


# ---- separation: min-cost multiple-choice cover by DP -----------------------------------------------

def separate_cover(rhs, terms, xstar, eps=1e-6):
    """A cover (org -> level) with sum of levels > rhs minimising sum(1 - x*(org, load >= level)), or None
    when that minimum is not below 1 (no violated cover of this class)."""
    g = reduce(math.gcd, [v for d in terms.values() for v in d.values()], rhs)
    if g <= 0:
        return None
    B = rhs // g + 1  # need total level >= B (in units of g)
    cand = []  # (org, [(level units, cost)])
    for org, d in terms.items():
        items = [(v // g, xstar[c]) for c, v in d.items()]
        if sum(x for _, x in items) <= eps:
            continue
        levels = sorted({v for v, _ in items})
        opts = []
        for lv in levels:
            z = sum(x for v, x in items if v >= lv)
            if z > eps:
                opts.append((min(lv, B), 1.0 - z))
        # dominated levels: keep the pareto front (higher level, not higher cost)
        front = []
        for lv, cost in sorted(opts, key=lambda t: (-t[0], t[1])):
            if not front or cost < front[-1][1] - 1e-12:
                front.append((lv, cost))
        cand.append((org, front))
    if not cand:
        return None
    best, cover = _cover_backtrack(cand, B, g)
    return cover if best < 1.0 - eps else None


def _cover_backtrack(cand, B, g):
    INFC = 1e9
    tables = [np.full(B + 1, INFC)]
    tables[0][0] = 0.0
    args = []
    for org, front in cand:
        cost = tables[-1]
        new = cost.copy()
        arg = np.full(B + 1, -1, dtype=np.int64)
        src = np.arange(B + 1)
        srcs = np.full(B + 1, -1, dtype=np.int64)
        for j, (lv, c) in enumerate(front):
            shifted = np.full(B + 1, INFC)
            sfrom = np.full(B + 1, -1, dtype=np.int64)
            shifted[lv:] = cost[:B + 1 - lv] + c
            sfrom[lv:] = src[:B + 1 - lv]
            lo = max(0, B - lv)
            m = int(np.argmin(cost[lo:])) + lo
            if cost[m] + c < shifted[B]:
                shifted[B] = cost[m] + c
                sfrom[B] = m
            better = shifted < new - 1e-12
            new = np.where(better, shifted, new)
            arg = np.where(better, j, arg)
            srcs = np.where(better, sfrom, srcs)
        args.append((arg, srcs))
        tables.append(new)
    cover = {}
    w = B
    for idx in range(len(cand) - 1, -1, -1):
        arg, srcs = args[idx]
        j = int(arg[w])
        if j >= 0:
            org, front = cand[idx]
            cover[org] = front[j][0] * g
            w = int(srcs[w])
    return float(tables[-1][B]), cover


# ---- exact sequential lifting (multiple-choice knapsack DP) -------------------------------------------

def lift(rhs, terms, cover, xstar):
    """The cover inequality lifted over every organisation of the row: returns ({col: coef}, rhs) or None."""
    g = reduce(math.gcd, [v for d in terms.values() for v in d.values()], rhs)
    B = rhs // g
    # best[c] = max LHS over the organisations included so far with total load <= c (units of g)
    best = np.zeros(B + 1, dtype=np.int64)
    coef: dict[str, dict[int, int]] = {}

    def add(org, values):
        nonlocal best
        new = best.copy()
        for col, v in terms[org].items():
            w = v // g
            a = values.get(col, 0)
            if w > B:
                continue  # this window alone overloads the row: never chosen
            cand = np.full(B + 1, NEG, dtype=np.int64)
            cand[w:] = best[:B + 1 - w] + a
            new = np.maximum(new, cand)
        best = new

    # the cover's members with coefficient 1 at their level
    for org, level in cover.items():
        coef[org] = {col: int(v >= level) for col, v in terms[org].items()}
        add(org, coef[org])
    r = int(best[B])
    if r >= len(cover):
        return None  # not a cover after all
    # lift the others: those with LP mass first, by descending mass in heavy windows
    others = [o for o in terms if o not in cover]
    others.sort(key=lambda o: -sum(xstar[c] * v for c, v in terms[o].items()))
    for org in others:
        vals = {}
        for col, v in terms[org].items():
            w = v // g
            vals[col] = r if w > B else int(r - best[B - w])
        if any(vals.values()):
            coef[org] = vals
            add(org, vals)
    # re-lift the cover's members last, one at a time (each step keeps validity)
    for org in list(cover):
        # the DP without org: rebuild (rows are small)
        best = np.zeros(B + 1, dtype=np.int64)
        for o2, vals in coef.items():
            if o2 != org:
                add(o2, vals)
        vals = {}
        for col, v in terms[org].items():
            w = v // g
            vals[col] = r if w > B else int(r - best[B - w])
        coef[org] = vals
    out = {}
    for org, vals in coef.items():
        for col, a in vals.items():
            if a:
                out[col] = out.get(col, 0) + a
    return out, r


# ---- the loop ------------------------------------------------------------------------------------------

def separation_rows(flat, mip, max_len, binding=None, set_size=0, span=12):
    """Single rows and energy rows over runs of up to `max_len` months; with `binding` (pool -> months tight
    in the LP) also the sums of any 2..`set_size` tight months of a pool within `span` months."""
    from itertools import combinations

    rows = capacity_rows(flat, mip)
    out = []
    for pool, months in (binding or {}).items():
        for size in range(2, set_size + 1):
            for combo in combinations(sorted(months), size):
                if combo[-1] - combo[0] >= span or combo[-1] - combo[0] < size:  # runs are covered already
                    continue
                rhs = sum(rows[pool][i][0] for i in combo)
                terms: dict[str, dict[int, int]] = {}
                for i in combo:
                    for org, d in rows[pool][i][1].items():
                        e = terms.setdefault(org, {})
                        for col, v in d.items():
                            e[col] = e.get(col, 0) + v
                if terms and can_bind(rhs, terms):
                    out.append((f"{pool}@{'+'.join(map(str, combo))}", rhs, terms))
    for pool, per_month in rows.items():
        n = len(per_month)
        for t1 in range(n):
            for t2 in range(t1, min(n, t1 + max_len)):
                rhs, terms = aggregate(per_month, t1, t2) if t2 > t1 else per_month[t1]
                if terms and can_bind(rhs, terms):
                    out.append((f"{pool}@{t1}..{t2}", rhs, terms))
    return out


def row_activity(rhs, terms, xstar):
    return sum(v * xstar[c] for d in terms.values() for c, v in d.items())


def tight_months(flat, mip, xstar):
    out = {}
    for pool, per_month in capacity_rows(flat, mip).items():
        for i, (rhs, terms) in enumerate(per_month):
            if terms and row_activity(rhs, terms, xstar) > rhs - 1e-6:
                out.setdefault(pool, []).append(i)
    return out


def cut_loop(flat, mip, h, *, max_len=6, rounds=30, per_round=40, log=print, time_cap=120.0, set_size=0):
    """Adds cuts to the LP `h` in rounds; returns the list of cuts ({col: coef}, rhs) and the bound trace."""
    h.run()
    binding = tight_months(flat, mip, np.array(h.getSolution().col_value)) if set_size > 1 else None
    srows = separation_rows(flat, mip, max_len, binding, set_size)
    log(f"  separation rows: {len(srows)} (energy rows up to {max_len} months; tight-month sets up to {set_size})")
    bound = h.getInfo().objective_function_value
    trace = [(0, 0, bound, 0.0)]
    cuts = []
    seen = set()
    started = time.perf_counter()
    for rnd in range(1, rounds + 1):
        xstar = np.array(h.getSolution().col_value)
        found = []
        for name, rhs, terms in srows:
            act = row_activity(rhs, terms, xstar)
            if act < rhs - 0.5 * min(min(d.values()) for d in terms.values()):
                continue  # far from tight: a violated cover is unlikely
            cover = separate_cover(rhs, terms, xstar)
            if not cover:
                continue
            lifted = lift(rhs, terms, cover, xstar)
            if lifted is None:
                continue
            coefs, r = lifted
            lhs = sum(a * xstar[c] for c, a in coefs.items())
            viol = lhs - r
            if viol <= 1e-4:
                continue
            key = (tuple(sorted(coefs.items())), r)
            if key in seen:
                continue
            seen.add(key)
            norm = math.sqrt(sum(a * a for a in coefs.values()))
            found.append((viol / norm, name, coefs, r))
        if not found:
            log(f"  round {rnd}: no violated cut")
            break
        found.sort(key=lambda t: -t[0])
        chosen = found[:per_round]
        for _, name, coefs, r in chosen:
            cols = np.array(list(coefs), dtype=np.int32)
            vals = np.array([float(coefs[c]) for c in coefs], dtype=np.float64)
            h.addRow(-np.inf, float(r), len(cols), cols, vals)
            cuts.append((coefs, r, name))
        h.run()
        new = h.getInfo().objective_function_value
        elapsed = time.perf_counter() - started
        log(f"  round {rnd}: {len(found)} violated, added {len(chosen)} (total {len(cuts)}), "
            f"bound {new:,.1f} ({elapsed:.1f} s)  e.g. {chosen[0][1]}")
        trace.append((rnd, len(cuts), new, elapsed))
        if new <= bound + 1e-6 * abs(bound) and rnd > 3:
            bound = new
            break
        bound = new
        if elapsed > time_cap:
            break
    return cuts, trace


# ---- the MIP runs ------------------------------------------------------------------------------------

def run_mip(flat, mip, cuts, limit, options, log=print, optimum=None):
    h = load_highs(mip, HighsOptions(threads=1, time_limit=limit), integer=True)
    for k, v in options.items():
        h.setOptionValue(k, v)
    h.setOptionValue("time_limit", float(limit))
    for coefs, r, _ in cuts:
        cols = np.array(list(coefs), dtype=np.int32)
        vals = np.array([float(coefs[c]) for c in coefs], dtype=np.float64)
        h.addRow(-np.inf, float(r), len(cols), cols, vals)
    marks = {10.0: None, 30.0: None, 60.0: None}
    root = [None]
    started = time.perf_counter()

    def interrupt(event):
        t = time.perf_counter() - started
        d = event.data_out
        if root[0] is None and math.isfinite(d.mip_dual_bound):
            root[0] = (t, d.mip_dual_bound)
        for m in marks:
            if t <= m:
                marks[m] = (float(d.mip_dual_bound), float(d.mip_primal_bound))

    h.cbMipInterrupt.subscribe(interrupt)
    h.run()
    elapsed = time.perf_counter() - started
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    res = {"status": status, "time": elapsed, "primal": info.objective_function_value,
           "dual": info.mip_dual_bound, "gap": info.mip_gap, "nodes": info.mip_node_count}
    for m, v in marks.items():
        if v is not None and elapsed > m:
            dual, primal = v
            res[f"gap@{int(m)}"] = (primal - dual) / max(1.0, abs(primal)) if math.isfinite(primal) else math.inf
            res[f"dual@{int(m)}"] = dual
    return res


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["root", "mip", "lpinfo"])
    ap.add_argument("path")
    ap.add_argument("--max-len", type=int, default=6)
    ap.add_argument("--set-size", type=int, default=0, help="also sums of 2..N LP-tight months")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--per-round", type=int, default=40)
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--no-cuts", action="store_true")
    ap.add_argument("--no-symmetry", action="store_true")
    ap.add_argument("--optimum", type=float, default=None)
    ap.add_argument("--option", action="append", default=[], help="HiGHS option k=v for the MIP")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    problem = load_problem(args.path)
    flat = flatten(problem)
    mip = MipModel(flat, symmetry=not args.no_symmetry)
    print(f"{args.path}: {mip.size}, built in {time.perf_counter() - t0:.1f} s")
    lp = load_highs(mip, HighsOptions(threads=1), integer=False)
    cuts = []
    if not args.no_cuts:
        t1 = time.perf_counter()
        cuts, trace = cut_loop(flat, mip, lp, max_len=args.max_len, rounds=args.rounds, per_round=args.per_round,
                              set_size=args.set_size)
        root0, root1 = trace[0][2], trace[-1][2]
        print(f"LP bound {root0:,.1f} -> {root1:,.1f} (+{100 * (root1 - root0) / root0:.3f} %), "
              f"{len(cuts)} cuts, {time.perf_counter() - t1:.1f} s")
        if args.optimum:
            print(f"  gap to optimum: {100 * (args.optimum - root0) / args.optimum:.3f} % -> "
                  f"{100 * (args.optimum - root1) / args.optimum:.3f} %; closed "
                  f"{100 * (root1 - root0) / (args.optimum - root0):.1f} % of the gap")
        nnz = sum(len(c[0]) for c in cuts)
        print(f"  cut nonzeros {nnz}")
    else:
        lp.run()
        print(f"LP bound {lp.getInfo().objective_function_value:,.1f}")
    if args.what == "mip":
        opts = {}
        for kv in args.option:
            k, v = kv.split("=", 1)
            try:
                v = int(v)
            except ValueError:
                try:
                    v = float(v)
                except ValueError:
                    v = {"true": True, "false": False}.get(v, v)
            opts[k] = v
        res = run_mip(flat, mip, cuts, args.limit, opts)
        print("MIP", {k: (round(v, 6) if isinstance(v, float) else v) for k, v in res.items()})


if __name__ == "__main__":
    sys.exit(main())
