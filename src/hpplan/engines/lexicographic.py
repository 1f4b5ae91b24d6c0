"""The tie-break's hard steps in HiGHS (docs/model.md "Solving", phase 2).

The tie-break looks for the lexicographically smallest optimal plan: organisations in id order, each
in the earliest window the objective (held at its proven optimum z*) and the organisations before it
allow. CP-SAT settles most steps in milliseconds by propagation, but a step whose answer needs a proof
(no optimal plan puts this organisation earlier) can take it minutes (`region` seed 1: five steps of
9-190 s). HiGHS proves such a step in about the time of the optimum's own proof, and a **block** of
the next organisations in one MIP at about the same cost: each organisation's place is the rank of its
window in its domain D(a) (0..|D(a)|-1; not scheduled: |D(a)|), and the MIP minimises
Σ_i W_i · place_i over the block, with W_last = 1 and W_i = W_{i+1} · (number of places of i+1), so
that an earlier organisation's place outweighs every later one's: the MIP's optimum is the block's
lexicographic minimum. A block is the longest run of organisations whose numbers of places multiply to
at most `MAX_BLOCK_OBJECTIVE` (exact in floating point).

The MIP is hpplan's (`MipModel`: symmetry rows, counts per load profile; not aggregated, since each
organisation is fixed in turn) with the population objective as a row, Σ cost · x = z*, and every
organisation decided so far fixed by its column bounds.

The same MIP at the optimum answers `hpplan explain --actor`'s "who else would move" (docs/check.md):
among the best plans with the organisation one window earlier, one that keeps the most others in the
plan asked about (`MipAtOptimum.fewest_changes`, without the symmetry rows: that plan may have
interchangeable organisations in any order).
"""

from __future__ import annotations

import time
from typing import Callable

from .common import Flat, breaks_rules, objective_terms
from .highs import HighsOptions, MipModel, listen, load_highs, set_start

#: the largest value a block's objective may take: the weights are exact integers in a double, and
#: HiGHS's absolute gap (below 1) stays far above its floating-point error
MAX_BLOCK_OBJECTIVE = 1e9


def places(flat: Flat, org_id: str) -> int:
    """How many places an organisation can take: its windows, and 'not scheduled' if it is optional."""
    return len(flat.domain.get(org_id, ())) + (0 if org_id in flat.mandatory else 1)


def _rank(flat: Flat, org_id: str, k: int | None) -> int:
    """An organisation's place: the rank of window `k` in its domain; not scheduled: one past the last."""
    domain = flat.domain.get(org_id, [])
    return len(domain) if k is None else domain.index(k)


def block_of(flat: Flat, order: list[str]) -> list[str]:
    """The longest start of `order` (at least one organisation) whose numbers of places multiply to at
    most `MAX_BLOCK_OBJECTIVE`: 7 to 9 organisations of 10-16 windows each."""
    block, product = [], 1
    for org_id in order:
        product *= max(1, places(flat, org_id))
        if block and product > MAX_BLOCK_OBJECTIVE:
            break
        block.append(org_id)
    return block


class MipAtOptimum:
    """hpplan's MIP with the objective held at its optimum z* (a row: Σ cost · x = z*, valid as no plan
    costs less), to choose among the optimal plans by another objective: the tie-break's lexicographic
    blocks (`earliest`), or the plan nearest a given one (`fewest_changes`, for `hpplan explain`).
    Built once; `fix` narrows it as the tie-break decides organisations. `symmetry`: the symmetry rows
    (interchangeable organisations in id order, as the tie-break's plan has them; off when the plan to
    be near may have them in any order)."""

    def __init__(self, flat: Flat, optimum: int, seed: int = 0, symmetry: bool = True, stop=None):
        self.flat = flat
        self.optimum = optimum
        if flat.unsupported is not None:  # the flat form lacks a rule (`Flat.unsupported`): no MIP, no plans
            self.mip = None
            return
        self.mip = MipModel(flat, symmetry=symmetry, aggregate=False, counts=True)
        self.mip.rows.add({col: cost for col, cost in enumerate(self.mip.cost) if cost},
                          optimum - self.mip.offset - 0.5, optimum - self.mip.offset + 0.5)  # = z*
        self.highs = load_highs(self.mip, HighsOptions(seed=seed), integer=True)
        if stop is not None:  # `stop` (an event, hpplan.stopping.StopRequest) ends a search it sees set
            listen(self.highs, HighsOptions(stop=stop))
        self.columns = len(self.mip.cost)

    def fix(self, org_id: str, k: int | None) -> None:
        """Keep `org_id` in window `k` (a future-window index; None: not scheduled) from now on."""
        if self.mip is None:
            return
        for slot in self.flat.domain.get(org_id, []):
            value = 1.0 if slot == k else 0.0
            self.highs.changeColBounds(self.mip.x[org_id, slot], value, value)

    def earliest(self, block: list[str], start: dict[str, int | None],
                 time_limit: float) -> tuple[dict[str, int | None] | None, bool]:
        """The block's lexicographic minimum (`block_of`), from the optimal plan `start` (org id ->
        window index or None): (a plan, proven). The plan is None when HiGHS has none that the
        independent verifier accepts at the optimum, so the caller can go on without it."""
        flat, mip = self.flat, self.mip
        if mip is None:
            return None, False
        weights, weight = {}, 1
        for org_id in reversed(block):
            weights[org_id] = weight
            weight *= max(1, places(flat, org_id))
        cost, offset = {}, 0.0
        for org_id, weight in weights.items():
            domain = flat.domain.get(org_id, [])
            mandatory = org_id in flat.mandatory
            for rank, k in enumerate(domain):
                # place = Σ rank·x if mandatory; |D| + Σ (rank - |D|)·x if optional
                cost[mip.x[org_id, k]] = weight * (rank if mandatory else rank - len(domain))
            if not mandatory:
                offset += weight * len(domain)
        return self._minimise(cost, offset, start, time_limit,
                              lambda chosen: sum(weight * _rank(flat, o, chosen[o]) for o, weight in weights.items()))

    def fewest_changes(self, reference: dict[str, int | None], time_limit: float,
                       start: dict[str, int | None] | None = None) -> tuple[dict[str, int | None] | None, bool]:
        """An optimal plan that keeps the most organisations scheduled in `reference` (org id -> window
        index; others are not counted) in their window there: (a plan, proven the fewest changes). None
        when HiGHS has no plan that the verifier accepts at the optimum. Without a `start` the answer
        depends on the data alone."""
        if self.mip is None:
            return None, False
        cost, offset = {}, 0.0
        counted = {o: k for o, k in reference.items() if k is not None}
        for org_id, k in counted.items():
            offset += 1  # a change, unless it keeps its window
            if (org_id, k) in self.mip.x:
                cost[self.mip.x[org_id, k]] = -1.0
        return self._minimise(cost, offset, start, time_limit,
                              lambda chosen: sum(chosen.get(o) != k for o, k in counted.items()))

    def _minimise(self, cost: dict[int, float], offset: float, start: dict[str, int | None] | None,
                  time_limit: float, value: Callable[[dict[str, int | None]], float]
                  ) -> tuple[dict[str, int | None] | None, bool]:
        """Minimise Σ cost · x + offset at the optimum: (a plan the verifier accepts, proven) or (None,
        False). `value` computes the objective from a plan, to check HiGHS's answer against."""
        import highspy
        import numpy as np

        started = time.perf_counter()
        mip, h = self.mip, self.highs
        costs = np.zeros(self.columns)
        for col, coef in cost.items():
            costs[col] = coef
        h.changeColsCost(self.columns, np.arange(self.columns, dtype=np.int32), costs)
        h.changeObjectiveOffset(offset)
        for presolve in ("choose", "off"):
            # HiGHS 1.16 can take a start that its presolve changed ("MIP start solution is feasible in
            # the reduced space") as its incumbent with the changed objective, yet return the start
            # itself: then the MIP is solved again without presolve
            h.setOptionValue("presolve", presolve)
            if start is not None:
                set_start(h, mip, start)
            h.setOptionValue("time_limit", max(0.01, time_limit - (time.perf_counter() - started)))
            h.run()
            info = h.getInfo()
            if info.primal_solution_status != 2:
                break
            chosen = mip.plan(h.getSolution().col_value)
            if value(chosen) == round(info.objective_function_value):
                h.setOptionValue("presolve", "choose")
                if objective_terms(self.flat, chosen)["total"] != self.optimum or breaks_rules(self.flat, chosen):
                    return None, False
                return chosen, h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        h.setOptionValue("presolve", "choose")
        return None, False
