"""LP rounding: the MIP's LP relaxation for a bound, LP-guided plans, and a MIP on the LP's neighbourhood.

For models too large for HiGHS's branch and bound within a planner's minute (national scale: 67,000
window variables; docs/benchmarks.md), the race (`hpplan.portfolio`) runs this engine instead:

1. the LP relaxation of the MIP of `engines.highs` (the same rows, every x[a,k] in [0, 1], the
   interchangeable GP offices aggregated: the same bound, a third of the time), solved by HiGHS's
   interior point method (with crossover: without it HiGHS may stop at an `unknown` status).
   Its optimum is a lower bound on every plan; it is reported less a relative safety margin of 1e-6
   for the solver's tolerances (so the LP alone never claims a proof);
2. plans from the LP values (after Hall, Schulz, Shmoys and Wein's LP-based list scheduling): every
   organisation's *target* is the window holding most of its LP mass and its *rank* its LP mean month
   (or its α-point: the first window by which α of its mass is live); the list scheduler
   (`greedy.schedule`) takes units in rank order and tries each one's target first (then the others,
   cheapest first), so every rule, limit and capacity holds by construction;
3. with the time left, the MIP restricted to the LP's neighbourhood (`neighbourhood_mip`: the slots
   with LP mass, the rounded plan's, and their neighbours; a relaxation-induced neighbourhood in the
   spirit of RINS), solved by HiGHS from the rounded plan (without a start when every rounding got
   stuck). Its plans are plans of the full problem; its bound is not a bound of the full problem and is
   never reported;
4. with the rest of the time, fix-and-resolve rounds over the calendar (`time_slices`): the
   organisations of a few months free to move, all others fixed, each round a small MIP.
Every plan is checked by the independent verifier; the best one is returned. An infeasible LP proves
the problem infeasible.

Measured on `national` seed 1 (docs/benchmarks.md): LP bound 202.3 M in about 9 s; the rounded plan
about 243 M, the neighbourhood MIP's 217.7 M after 20 s more and the time slices' about 217 M at
60 s, against 290.6 M for the plain list schedule and 271.7 M for the best CP-SAT plan in 60 s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

from ..problem import Problem
from ..solution import Solution, SolveStats
from .common import Flat, breaks_rules, flatten, objective_terms, require_exact
from .decompose import PartResult
from .highs import HighsOptions, MipModel, listen, load_highs, set_start

#: the LP bound is lowered by this share of its value (the interior point method's tolerances)
MARGIN = 1e-6
#: α-points tried besides the mean month
ALPHAS = (0.5,)
#: LP mass above which a slot is in the neighbourhood MIP
NEIGHBOURHOOD_MASS = 0.01
#: the neighbourhood MIP's share of the time left; the time slices get the rest. National in the race,
#: 60 s: seed 1 216.9-219.7 M with 0.4, 217.0 M (three runs) with 0.5; seed 2 201.7 M with 0.4,
#: 205.1-206.4 M with 0.5 (there the neighbourhood MIP stalls at 213.3 M and the slices do the work)
NEIGHBOURHOOD_SHARE = 0.4
#: time slices (`time_slices`): months a round frees, months around them its organisations may
#: move to, and seconds per round (national seed 1, 25 s from the 216.8 M plan: 9/6/3 s 215.2 M,
#: 6/6/3 s 215.5 M, 12/12/4 s 215.8 M, 24/3/6 s 216.6 M)
SLICE_MONTHS, SLICE_MARGIN, SLICE_SECONDS = 9, 6, 3.0


def solve_lp_rounding(problem: Problem, options: HighsOptions | None = None, flat: Flat | None = None) -> Solution:
    """The best verified LP-guided list schedule (`feasible`), with the LP bound as `best_bound`;
    `infeasible` when the LP is; `unknown` when the time limit (or `options.stop`) ends the LP first.
    `flat`: the problem's flat form when the caller has it (else flattened here)."""
    options = options or HighsOptions()
    started = time.perf_counter()
    flat = flat or flatten(problem)
    require_exact(flat, "lp-rounding")
    stats = SolveStats(engine="lp-rounding", seed=options.seed, workers=options.threads,
                       time_limit=options.time_limit, tie_break="skipped", phases=[])

    result = lp_rounding(flat, options, lambda chosen: not breaks_rules(flat, chosen), started, stats)  # its bound at most its plan's objective
    stats.wall_time = time.perf_counter() - started
    return result.as_solution(flat, stats)


def lp_rounding(flat: Flat, options: HighsOptions, accept: Callable[[dict[str, int | None]], bool],
                started: float | None = None, stats: SolveStats | None = None,
                reserved: Callable[[], dict] | None = None) -> PartResult:
    """Steps 1-4 of the module docstring on `flat` (the whole problem, or one independent part of it:
    `engines.decompose`): (status, best plan, LP bound). A plan is kept only if `accept` takes it
    (the independent verifier, for the whole problem); each kept improving plan goes to
    `options.on_progress` and `options.on_plan`. `reserved()`: what the other parts' best plans use of
    the window limits (`decompose._Tracker.reserved`), which changes as they improve; the plans are
    made within the rest, the LP bound without it. When the others' plans change, the time slices
    repair a plan that no longer fits (`time_slices`)."""
    import highspy

    from ..greedy import schedule
    from .decompose import lower_limits, over_limits

    def within() -> Flat:
        return flat if reserved is None else lower_limits(flat, reserved())

    def fits(plan: dict[str, int | None], planning: Flat) -> bool:
        return reserved is None or not over_limits(planning, plan)

    started = time.perf_counter() if started is None else started
    stats = stats or SolveStats()
    stats.phases.append("LP relaxation")
    # no symmetry rows: they leave the LP bound as it is, and on national seed 1 they cost the rounded
    # plans 7 points of gap (6.7 % -> 14.3 % at 60 s). Interchangeable GP offices aggregated: the same
    # LP bound, in 7 s instead of 21 s on national seed 1 (MipModel._aggregate)
    mip = MipModel(flat, symmetry=False, aggregate=True)
    if mip.infeasible:
        stats.build_time = time.perf_counter() - started
        return PartResult("infeasible", None, -math.inf)
    h = load_highs(mip, options, integer=False)
    h.setOptionValue("solver", "ipm")  # crossover on: without it HiGHS may end `unknown`, which bounds nothing
    stats.build_time = time.perf_counter() - started
    h.setOptionValue("time_limit", max(0.01, options.time_limit - stats.build_time))
    if options.stop is not None and options.stop.is_set():
        return PartResult("unknown", None, -math.inf)
    if options.stop is not None:
        listen(h, HighsOptions(stop=options.stop), lp=True)
    h.run()
    model_status = h.getModelStatus()
    MS = highspy.HighsModelStatus
    if model_status == MS.kInfeasible:
        return PartResult("infeasible", None, -math.inf)
    if model_status != MS.kOptimal:
        return PartResult("unknown", None, -math.inf)
    lp = float(h.getInfo().objective_function_value)
    bound = math.ceil(lp - MARGIN * max(1.0, abs(lp)) - 1e-6)
    if options.on_progress is not None:
        options.on_progress(None, float(bound))
    x = mip.fractions(h.getSolution().col_value)

    best: tuple[float, dict[str, int | None]] | None = None

    def keep(chosen: dict[str, int | None] | None) -> bool:
        """Take a plan if it is better than the best and accepted; tell the race."""
        nonlocal best
        if chosen is None:
            return False
        total = objective_terms(flat, chosen)["total"]
        # the cheaper plan, or a dearer one that fits within the others' best plans where the best
        # does not. Not "fitting first": a cheaper plan made within the others' older plans is worth
        # more, as the time slices repair it in a round or two (national seed 1, fitting first: the
        # neighbourhood MIP's 108.5 M dropped for an older fitting 112 M, and 218.0 M for the whole
        # instead of 214.1 M)
        if best is not None and total >= best[0]:
            planning = within()  # the others' use read once for both plans
            if fits(best[1], planning) or not fits(chosen, planning):
                return False
        if not accept(chosen):
            return False
        best = (total, chosen)
        if options.on_progress is not None:
            options.on_progress(total, None)
        if options.on_plan is not None:
            options.on_plan(total, chosen)
        return True

    rounded = []
    planning = within()
    for rank, target in guides(flat, x):
        plan = schedule(flat.problem, planning, rank=rank, target=target)
        if not plan.stuck:
            rounded.append((objective_terms(flat, plan.chosen)["total"], {o: plan.chosen.get(o) for o in flat.plannable}))
    stats.phases.append("rounding")
    for _, chosen in sorted(rounded, key=lambda r: r[0]):
        if keep(chosen):
            break

    def time_left() -> float:
        return options.time_limit - (time.perf_counter() - started)

    def stopped() -> bool:
        return options.stop is not None and options.stop.is_set()

    if best is None and time_left() > 1 and not stopped():
        # no rounded plan fits (the list scheduler got stuck: capacity too tight for its greedy order):
        # the LP's neighbourhood as a MIP without a start (national seed 1 with a tenth of the primary
        # pool until 2026: every rounding stuck; before, "unknown" at 9 of 30 s)
        keep(neighbourhood_mip(within(), x, {}, replace(options, time_limit=time_left() * NEIGHBOURHOOD_SHARE)))
        stats.phases.append("LP neighbourhood MIP (no rounded plan)")
    if best is None:
        return PartResult("unknown", None, float(bound))

    if time_left() > 1 and not stopped():
        keep(neighbourhood_mip(within(), x, best[1], replace(options, time_limit=time_left() * NEIGHBOURHOOD_SHARE)))
        stats.phases.append("LP neighbourhood MIP")
    if time_left() > 1 and not stopped():
        plan, rounds = time_slices(flat, best[1], replace(options, time_limit=time_left()), within=within, on_better=keep)
        stats.phases.append(f"time slices ({rounds} rounds)")
        keep(plan)
    return PartResult("feasible", best[1], float(min(bound, best[0])))


def neighbourhood_mip(flat: Flat, x: dict[tuple[str, int], float], start: dict[str, int | None],
                      options: HighsOptions) -> dict[str, int | None] | None:
    """The MIP restricted to the LP's neighbourhood: each organisation keeps the slots holding LP mass
    (over `NEIGHBOURHOOD_MASS`), the slot of the starting plan and the slots next to those in its
    domain; HiGHS solves it from the starting plan within the time limit (`restricted_mip`).
    Returns the best plan found (None: none)."""
    keep: dict[str, set[int]] = {}
    for org_id, ks in flat.domain.items():
        core = {k for k in ks if x.get((org_id, k), 0.0) > NEIGHBOURHOOD_MASS}
        if start.get(org_id) is not None:
            core.add(start[org_id])
        place = {k: i for i, k in enumerate(ks)}
        keep[org_id] = {ks[j] for k in core for j in range(max(0, place[k] - 1), min(len(ks), place[k] + 2))}
    return restricted_mip(flat, keep, start, options)


def time_slices(flat: Flat, start: dict[str, int | None], options: HighsOptions, *, months: int = SLICE_MONTHS,
                margin: int = SLICE_MARGIN, seconds: float = SLICE_SECONDS,
                within: Callable[[], Flat] | None = None,
                on_better: Callable[[dict[str, int | None]], object] | None = None) -> tuple[dict[str, int | None], int]:
    """Fix-and-resolve rounds over the calendar: in each round the organisations whose plan goes live
    in `months` consecutive months (with the GP offices and partners their rules tie to them) may move
    to any slot within `margin` months of that stretch, all others keep their slots; HiGHS solves that
    MIP from the plan for at most `seconds` (`restricted_mip`). The stretch slides by half its length,
    from the start again at the end, until the time limit (or `options.stop`). Returns the best plan
    and the number of rounds; `on_better` hears of each better plan as it comes. With `within()`,
    each round plans in that problem (window limits lowered by what other parts use now:
    `lp_rounding`); where the plan breaks those limits (the others' plans changed), the organisations
    going live in those slots may also move within `margin` months of their slot, and the round's plan,
    which keeps them, replaces the plan even at a higher cost. Measured on national seed 1: 216.8 M ->
    215.2 M in 25 s."""
    from .decompose import over_limits

    deadline = time.perf_counter() + options.time_limit
    plan = dict(start)
    total = objective_terms(flat, plan)["total"]
    first = min(s.month for s in flat.slots)
    last = max(s.month for s in flat.slots)
    never = last + 1  # an optional organisation left out counts at the end
    partners = _partners(flat)
    rounds, low = 0, first
    while not (options.stop is not None and options.stop.is_set()):
        time_left = deadline - time.perf_counter()
        if time_left < 1:
            break
        high = low + months
        free = {o for o in flat.plannable if flat.domain.get(o)
                and low <= (never if plan.get(o) is None else flat.slots[plan[o]].month) < high}
        keep = _free_to_move(flat, plan, free, low - margin, high + margin, partners)
        planning = flat if within is None else within()
        broken = over_limits(planning, plan) if within is not None else set()
        for k in sorted(broken):
            month = flat.slots[k].month
            repair = _free_to_move(flat, plan, {o for o, s in plan.items() if s == k}, month - margin,
                                   month + margin + 1, partners)
            for o, ks in repair.items():
                keep[o] = keep.get(o, set()) | ks
        chosen = restricted_mip(planning, keep, plan, replace(options, time_limit=min(seconds, time_left)))
        rounds += 1
        if chosen is not None:
            better = objective_terms(flat, chosen)["total"]
            if better < total or broken:
                plan, total = chosen, better
                if on_better is not None:
                    on_better(plan)
        low = first if high >= never else low + max(1, months // 2)
    return plan, rounds


def _partners(flat: Flat) -> dict[str, set[str]]:
    """Organisation -> the GP offices (with_or_before actors) and together partners its rules tie to it."""
    partners: dict[str, set[str]] = {}
    for actor, target in flat.with_or_before:
        partners.setdefault(target, set()).add(actor)
    for group in flat.together:
        for org_id in group:
            partners.setdefault(org_id, set()).update(group)
    return partners


def _free_to_move(flat: Flat, plan: dict[str, int | None], free: set[str], low: int, high: int,
                  partners: dict[str, set[str]]) -> dict[str, set[int]]:
    """Each organisation's slots for a restricted MIP: those of `free` (with their `partners`,
    `_partners`) any slot in months low .. high - 1, all others their plan's."""
    free = free | {p for o in free for p in partners.get(o, ())}
    keep = {o: ({k for k in ks if low <= flat.slots[k].month < high} if o in free else set())
            for o, ks in flat.domain.items()}
    for o, k in plan.items():
        if k is not None and o in keep:
            keep[o].add(k)
    return keep


def restricted_mip(flat: Flat, keep: dict[str, set[int]], start: dict[str, int | None],
                   options: HighsOptions) -> dict[str, int | None] | None:
    """The MIP with each organisation's domain cut down to `keep` (a `together` group to the union of
    its members'), solved by HiGHS from the starting plan, whose slots must be kept, within the time
    limit. Every plan of the restricted MIP is a plan of the full one. Returns the best plan found
    (None: none)."""
    keep = {o: set(ks) for o, ks in keep.items()}
    for group in flat.together:
        union = set().union(*(keep.get(o, set()) for o in group))
        for org_id in group:
            if org_id in keep:
                keep[org_id] = union & set(flat.domain[org_id])
    domain = {o: [k for k in ks if k in keep[o]] for o, ks in flat.domain.items()}
    slot_cost = {term: {o: [c for k, c in zip(flat.domain[o], costs) if k in keep[o]] for o, costs in per.items()}
                 for term, per in flat.slot_cost.items()}
    sub = replace(flat, domain=domain, slot_cost=slot_cost)
    # binary: HiGHS's heuristics found worse plans with aggregated GP offices (national seed 1, 30 s:
    # 222.7 M against 216.8 M); the neighbourhood differs between interchangeable members anyway
    mip = MipModel(sub, symmetry=False)
    if mip.infeasible:
        return None
    h = load_highs(mip, options, integer=True)
    if start:  # no start: HiGHS looks for a plan itself
        set_start(h, mip, {o: start.get(o) for o in sub.plannable})
    h.setOptionValue("time_limit", max(0.01, options.time_limit))
    if options.stop is not None:
        listen(h, HighsOptions(stop=options.stop))
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    return mip.plan(h.getSolution().col_value)


def guides(flat: Flat, x: dict[tuple[str, int], float]) -> list[tuple[dict[str, float], dict[str, int]]]:
    """(rank, target) pairs from LP values: the target is the slot with the most mass (the earliest
    among equals); the rank is the mean month (unscheduled mass counted one month past the horizon),
    then each α-point month of `ALPHAS`."""
    never = max((s.month for s in flat.slots), default=0) + 1
    target: dict[str, int] = {}
    mean: dict[str, float] = {}
    alpha_rank: list[dict[str, float]] = [{} for _ in ALPHAS]
    for org_id, ks in flat.domain.items():
        if not ks:
            continue
        mass = [x.get((org_id, k), 0.0) for k in ks]
        target[org_id] = ks[max(range(len(ks)), key=lambda i: (mass[i], -i))]
        mean[org_id] = sum(flat.slots[k].month * m for k, m in zip(ks, mass)) + never * max(0.0, 1.0 - sum(mass))
        for ranks, alpha in zip(alpha_rank, ALPHAS):
            live, point = 0.0, never
            for k, m in zip(ks, mass):
                live += m
                if live >= alpha - 1e-9:
                    point = flat.slots[k].month
                    break
            ranks[org_id] = point
    return [(mean, target)] + [(ranks, target) for ranks in alpha_rank]
