"""Interchangeable organisations: which plannable organisations the model cannot tell apart.

Two plannable organisations a and b are *interchangeable* when swapping them (a takes b's window and b
takes a's, everyone else stays) maps every plan to a plan that keeps exactly the same rules, limits and
pool capacities and has the same value of every objective term. That holds when
- everything the model reads about each of them alone is equal (`profile`): kind, mandatory or optional,
  users, population, preferred window, the load profiles with the pools they load, the domain (the
  future windows that earliest, latest, returns, track and blackouts leave them), and, when re-planning
  against a baseline, their anchor (baseline window);
- and the rules are the same set after the swap: each rule is read as its relations (`rule_items`,
  `hpplan.relations`: a no-later pair, a precedence with its gaps, a same-window or different-windows
  set), and the multiset of those relations must be unchanged when a and b trade names. Two GP offices of
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
from ..relations import Relation
from ..schema import Organisation
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


def rule_items(problem: Problem) -> list[Relation] | None:
    """Every rule's relations (`RuleBase.relations`), in rule order. None when a rule is of a type that
    does not reduce to relations (then nothing is called interchangeable)."""
    items: list[Relation] = []
    for rule in problem.waves.rules:
        relations = rule.relations(problem)
        if relations is None:
            return None
        items += relations
    return items


def _swapper(a: str, b: str):
    return lambda name: b if name == a else a if name == b else name


def _swap_keeps_rules(a: str, b: str, items: list[Relation], touching: Mapping[str, list[int]]) -> bool:
    """Is the multiset of rule items unchanged when a and b trade names? Only items naming a or b
    can change, so only those are compared."""
    mine = [items[i] for i in sorted(set(touching.get(a, ())) | set(touching.get(b, ())))]
    swap = _swapper(a, b)
    return Counter(item.key() for item in mine) == Counter(item.key(swap) for item in mine)


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
        for name in set(item.organisations):
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
            sharing = {class_of[name] for i in touching.get(org_id, ()) for name in items[i].organisations
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


def _signature(org_id: str, items: list[Relation], touching: Mapping[str, list[int]]) -> frozenset:
    """The rule items naming the organisation, its own name replaced by a placeholder. Two
    organisations that share no item are interchangeable in the rules exactly when their signatures
    are equal (the swap turns the one's items into the other's and touches nothing else)."""
    swap = _swapper(org_id, "")
    mine = Counter(items[i].key(swap) for i in touching.get(org_id, ()))
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
