"""Interchangeable organisations: which plannable organisations the model cannot tell apart.

Two plannable organisations a and b are *interchangeable* when swapping them (a takes b's window and b
takes a's, everyone else stays) maps every plan to a plan that keeps exactly the same rules, limits and
pool capacities and has the same value of every objective term. That holds when
- everything the model reads about each of them alone is equal (`profile`): kind, mandatory or optional,
  users, population, preferred window, the load profiles with the pools they load, the domain (the
  future windows that earliest, latest, returns, track and blackouts leave them), and, when re-planning
  against a baseline, their anchor (baseline window);
- and the rules are the same set after the swap: each rule is read as the constraints the model writes
  for it (`rule_items`: a with_or_before pair, a precedence with its gaps, a together or not_same_window
  set), and the multiset of those items must be unchanged when a and b trade names. Two GP offices of
  the same municipality under `with_or_before each: gp_office` pass; so do two actors of explicit
  with_or_before rules with the same target, or two members of the same together set. An organisation
  named in an order, or as one side of an after_live, passes only with a partner named the same way.
Window limits count by kind and users only (and trusts by kind), so equal kind and users cover them.

Swaps compose: if a~b and b~c then (a c) = (a b)(b c)(a b) is a swap that keeps the problem too, so
being interchangeable is an equivalence and the groups are its classes (of two or more members).

`interchangeable_groups` is pure data analysis (no solver). Each group is sorted by id, the order in
which solve's tie-break (`solve._break_ties`) moves organisations earliest: see docs/model.md "Symmetry
breaking" for why the rows built on this order keep the tie-break's plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Hashable, Iterable, Mapping

from ..problem import Problem
from ..schema import Organisation
from .constraints import with_or_before_pairs
from .variables import Slot, allowed_slots, window_calendar




def profile(problem: Problem, org: Organisation, slots: list[Slot], anchors: Mapping[str, Hashable] | None = None) -> tuple:
    """Everything the model reads about one organisation on its own (its id and name aside)."""
    loads = tuple(sorted((pool.id, p.before, p.after) for pool, p in problem.loads(org)))
    anchor = anchors.get(org.id) if anchors is not None else None
    return (
        org.kind,
        org.is_mandatory,
        problem.users(org),
        problem.population(org),
        org.preferred_window,
        loads,
        tuple(s.id for s in allowed_slots(problem, org, slots)),
        anchor,
    )


def rule_items(problem: Problem) -> list[tuple] | None:
    """Each rule as the constraints the model writes for it, one hashable item each:
    ("with_or_before", actor, target), ("precedence", first, then, gap windows, gap months),
    ("together", members), ("not_same_window", members with multiplicity). None when a rule is of a
    type this analysis does not know (then nothing is called interchangeable)."""
    items: list[tuple] = []
    for rule in problem.waves.rules:
        if rule.type == "with_or_before":
            items += [("with_or_before", actor, target) for actor, target in with_or_before_pairs(problem, rule)]
        elif rule.type == "order":
            items += [("precedence", a, b, rule.min_gap_windows, rule.min_gap_months)
                      for a, b in zip(rule.actors, rule.actors[1:])]
        elif rule.type == "after_live":
            then = problem.org.get(rule.then)
            preparation = len(problem.profile(then).before) if then is not None else 0
            items.append(("precedence", rule.first, rule.then, 0, preparation))
        elif rule.type == "together":
            items.append(("together", frozenset(rule.actors)))
        elif rule.type == "not_same_window":
            items.append(("not_same_window", frozenset(Counter(rule.actors).items())))
        else:
            return None
    return items


def _members(item: tuple) -> set[str]:
    kind = item[0]
    if kind in ("with_or_before", "precedence"):
        return {item[1], item[2]}
    if kind == "together":
        return set(item[1])
    if kind == "not_same_window":
        return {name for name, _ in item[1]}
    return set()


def _swap(item: tuple, a: str, b: str) -> tuple:
    def s(name):
        return b if name == a else a if name == b else name

    kind = item[0]
    if kind in ("with_or_before", "precedence"):
        return (kind, s(item[1]), s(item[2]), *item[3:])
    if kind == "together":
        return (kind, frozenset(s(n) for n in item[1]))
    if kind == "not_same_window":
        return (kind, frozenset((s(n), c) for n, c in item[1]))
    return item


def _swap_keeps_rules(a: str, b: str, items: list[tuple], touching: Mapping[str, list[int]]) -> bool:
    """Is the multiset of rule items unchanged when a and b trade names? Only items naming a or b
    can change, so only those are compared."""
    mine = [items[i] for i in sorted(set(touching.get(a, ())) | set(touching.get(b, ())))]
    return Counter(mine) == Counter(_swap(item, a, b) for item in mine)


def interchangeable_groups(problem: Problem, anchors: Mapping[str, Hashable] | None = None) -> list[list[str]]:
    """Groups (two or more, each sorted by id; groups by their first id) of plannable organisations
    that are interchangeable in every rule, limit, pool and objective term (module docstring).
    `anchors` (org id -> its place in a baseline plan, any hashable value, e.g. objective.Anchor):
    when re-planning against a baseline, only organisations with the same anchor are interchangeable.
    With a rule of a type this analysis does not know, there are no groups."""
    _, slots, _ = window_calendar(problem)
    items = rule_items(problem)
    if items is None:
        return []
    touching: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        for name in _members(item):
            touching[name].append(i)
    by_profile: dict[tuple, list[str]] = defaultdict(list)
    for org in sorted(problem.plannable, key=lambda o: o.id):
        by_profile[profile(problem, org, slots, anchors)].append(org.id)
    groups: list[list[str]] = []
    for candidates in by_profile.values():
        classes: list[list[str]] = []
        class_of: dict[str, int] = {}  # org id -> its class (an index into classes)
        by_signature: dict[frozenset, list[int]] = defaultdict(list)
        for org_id in candidates:  # in id order: each class stays sorted
            signature = _signature(org_id, items, touching)
            # The only classes it can join: one whose first member shares no rule item with it must
            # have its signature; one that shares an item is among the classes of its items' members.
            sharing = {class_of[name] for i in touching.get(org_id, ()) for name in _members(items[i])
                       if name in class_of}
            for k in sorted(set(by_signature[signature]) | sharing):
                if _swap_keeps_rules(classes[k][0], org_id, items, touching):
                    classes[k].append(org_id)
                    class_of[org_id] = k
                    break
            else:
                class_of[org_id] = len(classes)
                by_signature[signature].append(len(classes))
                classes.append([org_id])
        groups += [members for members in classes if len(members) > 1]
    return sorted(groups, key=lambda g: g[0])


def _signature(org_id: str, items: list[tuple], touching: Mapping[str, list[int]]) -> frozenset:
    """The rule items naming the organisation, its own name replaced by a placeholder. Two
    organisations that share no item are interchangeable in the rules exactly when their signatures
    are equal (the swap turns the one's items into the other's and touches nothing else)."""
    mine = Counter(_swap(items[i], org_id, "") for i in touching.get(org_id, ()))
    return frozenset(mine.items())


def canonical_plan(groups: Iterable[list[str]], chosen: Mapping[str, object], place: Mapping[object, int]) -> dict[str, object]:
    """A plan (`chosen`: org id -> window id, or None for not scheduled) with each group's windows
    handed out again in id order, earliest first and 'not scheduled' last: the same plan up to swaps
    of interchangeable organisations (so it keeps every rule and has the same objective) that also
    keeps the symmetry rows — e.g. to turn a heuristic plan into a hint the model accepts.
    `place`: window id -> its index among the future windows."""
    result = dict(chosen)
    never = len(place)
    for group in groups:
        if not all(o in chosen for o in group):
            continue  # a partial plan: leave a group it does not cover whole as it is
        windows = sorted((chosen.get(o) for o in group), key=lambda w: never if w is None else place[w])
        for org_id, window in zip(group, windows):
            result[org_id] = window
    return result
