"""What a rule asks of a plan, as a few relations between organisations: the one translation of the rule
types that every planner reads.

Each rule class in `schema.py` says what it means in these terms (`RuleBase.relations(problem)`), once.
The CP-SAT model (`model.constraints.add_rules`), the flat form that HiGHS, the list schedule, LP
rounding, the window program and the parts read (`engines.common.flatten`), the interval form
(`engines.interval`) and symmetry breaking (`model.symmetry.rule_items`) all write or read these
relations, never the rule types. So a new rule type that reduces to them is one class (and its docs):
docs/model.md "Adding a rule type". The verifier (`verify.py`) is deliberately not among the readers:
it checks each rule type on its own, from docs/rules.md.

The relations (docs/rules.md gives each rule's meaning; docs/model.md how each relation is written):
- `NoLater(actor, target)`: if both go live, actor's go-live date is on or before target's (the same
  window or an earlier one). An organisation that does not go live keeps it.
- `Precedes(first, then, gap_windows, gap_months)`: if `then` goes live, `first` goes live too, at
  least `gap_windows` window positions and `gap_months` months before it. "then's preparation starts
  after first is live" is `preparation_after(problem, first, then)`: gaps 0 windows and then's
  preparation months.
- `SameWindow(members)`: all go live in one window, or none goes live.
- `DifferentWindows(members)`: no two go live in the same window.

Where a rule names a pinned (live) organisation, each reader decides what that means for its form
(`history`: a relation between pinned organisations only is never judged, docs/rules.md "Rules").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Hashable, Union

if TYPE_CHECKING:
    from .problem import Problem

Rename = Callable[[str], str]


def _same(name: str) -> str:
    return name


@dataclass(frozen=True)
class NoLater:
    """If both go live, `actor` goes live on or before `target`'s date."""

    actor: str
    target: str
    #: for a rule that stands for one rule per organisation (`with_or_before each: gp_office`): the one
    #: this relation is for. It is a constraint group of its own (its own switch in explanations)
    instance: str | None = None

    @property
    def organisations(self) -> tuple[str, ...]:
        return (self.actor, self.target)

    def key(self, rename: Rename = _same) -> Hashable:
        """The relation as a hashable item, equal for relations that mean the same, with the
        organisations renamed by `rename` (symmetry breaking compares rules before and after a swap)."""
        return ("no_later", rename(self.actor), rename(self.target))


@dataclass(frozen=True)
class Precedes:
    """If `then` goes live, `first` goes live too, at least `gap_windows` window positions and
    `gap_months` months before it (both ≥ 0)."""

    first: str
    then: str
    gap_windows: int
    gap_months: int
    instance: str | None = None

    @property
    def organisations(self) -> tuple[str, ...]:
        return (self.first, self.then)

    def key(self, rename: Rename = _same) -> Hashable:
        return ("precedes", rename(self.first), rename(self.then), self.gap_windows, self.gap_months)


@dataclass(frozen=True)
class _Group:
    """A relation among a set of organisations, `members` (in the rule's order)."""

    members: tuple[str, ...]
    instance: str | None = None

    @property
    def organisations(self) -> tuple[str, ...]:
        return self.members


@dataclass(frozen=True)
class SameWindow(_Group):
    """All `members` go live in one window, or none of them goes live."""

    def key(self, rename: Rename = _same) -> Hashable:
        return ("same_window", frozenset(map(rename, self.members)))


@dataclass(frozen=True)
class DifferentWindows(_Group):
    """No two of `members` go live in the same window."""

    def key(self, rename: Rename = _same) -> Hashable:
        # a member named twice is a different rule (it may not go live at all): count the names
        return ("different_windows", frozenset(Counter(map(rename, self.members)).items()))


Relation = Union[NoLater, Precedes, SameWindow, DifferentWindows]


def preparation_months(problem: Problem, org_id: str) -> int:
    """How many months an organisation prepares before its go-live month: its longest `before` (0 for
    an organisation the data does not hold)."""
    org = problem.org.get(org_id)
    return len(problem.profile(org).before) if org is not None else 0


def preparation_after(problem: Problem, first: str, then: str) -> Precedes:
    """`then`'s preparation starts no earlier than the month `first` goes live, and `then`'s window is
    not before `first`'s: month(then) − preparation(then) ≥ month(first) (docs/rules.md `after_live`)."""
    return Precedes(first, then, 0, preparation_months(problem, then))


def history(relation: Relation, pinned) -> bool:
    """Whether every organisation the relation names is pinned (live): history, never judged."""
    return all(o in pinned for o in relation.organisations)
