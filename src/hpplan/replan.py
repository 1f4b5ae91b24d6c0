"""Re-planning around a change (docs/model.md "Re-planning around the change").

A re-plan against a baseline first changes as little as it can (fewest organisations moved). A change
(a postponement, a new rule, an exclusion) reaches as far as the rules carry it: the organisations the
rules tie to one the baseline can no longer keep as it is. Those are *free*; every other organisation
is *kept* in its baseline window (`kept_windows`), and the re-planning phases run on that much smaller
model. Whether that is the whole answer is then proven by a lower bound, not assumed (solve.py
`_around_change`):

- the **rules alone** (the model without window limits and pool capacity) fall apart into *parts*, the
  organisations the rules tie together; the stability terms (frozen horizon, moved) are sums over
  organisations, so their least value in that relaxation is the sum of each part's least value, and a
  part the baseline keeps as it is adds 0. With the kept organisations fixed, the rules-only model
  gives exactly that sum: a lower bound for the whole problem;
- when the model with the others kept reaches it (the capacity forced no move beyond the rules'), its
  value is the least of the whole problem. More: every plan of the whole problem at that value has each
  part at its own least, so a part whose least is 0 stays as the baseline has it. The plans left after
  those phases are exactly the kept model's, so its later phases (least movement, the objective, the
  tie-break) are the whole problem's too: the same plan, found in a fraction of the time (national
  scale, a trust postponed: 1 s instead of 30).

When the capacity forces more moves than the rules do (the bound is not reached), the whole model
re-plans, starting from the kept model's plan.
"""

from __future__ import annotations

from collections.abc import Mapping

from .engines.common import Flat, rule_ties, to_solution
from .model.objective import Anchor
from .problem import Problem
from .solution import SolveStats, Status

#: findings of the verifier that are not the rules' or the organisations' own: the capacity, the window
#: limits and the plan's own figures (a kept plan may break them; the kept model then has no plan)
NOT_RULES = ("capacity", "load_report", "objective")


def free_organisations(problem: Problem, flat: Flat, anchors: Mapping[str, Anchor]) -> set[str] | None:
    """The plannable organisations a re-plan frees: every one of a part (organisations the rules tie
    together, directly or through others) in which one organisation cannot stay as the baseline has it,
    because it is new to the data, must now go live where the baseline left it out, its baseline window
    is gone or is not one its data allows now, its window moved to another date, or the baseline breaks
    a rule or a restriction of its own in the changed data (the verifier says which, on the baseline as
    a plan of the changed data). None when the flat form cannot say which rules tie whom (a rule type it
    does not know) or the data cannot be planned at all: then the whole model re-plans."""
    if flat.impossible or flat.unsupported is not None:
        return None
    place = {slot.id: k for k, slot in enumerate(flat.slots)}
    changed: set[str] = set()
    chosen: dict[str, int | None] = {}
    for org_id, allowed in flat.domain.items():
        anchor = anchors.get(org_id)
        if anchor is None:
            changed.add(org_id)  # new to the data: free (it counts as no move)
        elif anchor.date is None:
            if org_id in flat.mandatory:
                changed.add(org_id)
        elif (k := place.get(anchor.window)) is None or k not in allowed or flat.slots[k].date != anchor.date:
            changed.add(org_id)
        else:
            chosen[org_id] = k
    kept = to_solution(flat, chosen, Status.feasible, SolveStats())
    from .verify import verify

    for violation in verify(problem, kept, check_objective=False):
        if violation.rule in NOT_RULES or violation.rule.startswith("limit."):
            continue
        changed.update(org_id for org_id in violation.actors if org_id in flat.domain)
    if not changed:
        return set()
    parts = rule_ties(flat, list(flat.domain))  # the rules' parts alone: the capacity is what the bound leaves out
    reached = {parts.find(org_id) for org_id in changed}
    return {org_id for org_id in flat.domain if parts.find(org_id) in reached}


def kept_windows(flat: Flat, anchors: Mapping[str, Anchor], free: set[str]) -> dict[str, list[str]]:
    """The window each organisation that is not free keeps (org id -> [its baseline window]; [] for one
    the baseline leaves out), for `build_model(within=...)`."""
    return {org_id: ([anchors[org_id].window] if anchors[org_id].date is not None else [])
            for org_id in flat.domain if org_id not in free}
