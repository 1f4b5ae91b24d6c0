"""Decision variables: one boolean per (organisation, window it may go live in).

`go_live[org, window]` is true when the organisation goes live in that future window. Which windows an
organisation may use (its *domain*) follows from earliest/latest/returns, its track and blackouts; the
domain is the first place a rule is enforced, before any constraint is written.
Pinned (live) organisations get no variables: they are constants in the rules that mention them.

A *switchable* model (`build_model(..., switchable=True)`, used to explain infeasibility) gives every
plannable organisation a variable for every future window instead, and enforces each restriction of
`domain_restrictions` as a constraint that its switch can turn off (see constraints.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..problem import Problem, month_index
from ..schema import Organisation, Window


@dataclass
class Slot:
    """A window as the model sees it: its position among all windows and its go-live month."""

    window: Window
    position: int  # place in the date-sorted list of all windows (history included)
    month: int  # month_index of its date

    @property
    def id(self) -> str:
        return self.window.id

    @property
    def date(self) -> dt.date:
        return self.window.date


@dataclass
class Fixed:
    """A pinned organisation's go-live, as a constant."""

    position: int
    month: int
    date: dt.date


@dataclass
class GoLiveVariables:
    model: cp_model.CpModel
    slots: list[Slot]  # future windows, by date
    all_positions: dict[str, int]  # window id -> position among all windows
    go_live: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    domain: dict[str, list[Slot]] = field(default_factory=dict)  # plannable org id -> allowed slots
    fixed: dict[str, Fixed] = field(default_factory=dict)  # pinned org id -> its go-live
    _timing: dict[str, "Timing"] = field(default_factory=dict, repr=False)
    _by_window: dict[str, list[tuple[str, cp_model.IntVar]]] | None = field(default=None, repr=False)

    def x(self, org_id: str, slot: Slot):
        """The variable, or 0 when the organisation cannot use that window."""
        return self.go_live.get((org_id, slot.id), 0)

    def going_live_in(self, window_id: str) -> list[tuple[str, cp_model.IntVar]]:
        """(org id, variable) of every organisation that may go live in the window, in the order the
        variables were made (problem.plannable's). Indexed once, on first use."""
        if self._by_window is None:
            self._by_window = {slot.id: [] for slot in self.slots}
            for (org_id, window_id_), var in self.go_live.items():
                self._by_window[window_id_].append((org_id, var))
        return self._by_window[window_id]

    def scheduled(self, org_id: str) -> cp_model.LinearExprT:
        return sum(self.go_live[org_id, s.id] for s in self.domain.get(org_id, []))

    def at_or_before(self, org_id: str, *, position: int | None = None, month: int | None = None,
                     date: dt.date | None = None) -> cp_model.LinearExprT:
        """1 when the organisation goes live in a window no later than all given bounds (a linear
        expression for a planned organisation, a constant for a pinned one)."""

        def fits(pos: int, mon: int, day: dt.date) -> bool:
            return (position is None or pos <= position) and (month is None or mon <= month) and (
                date is None or day <= date
            )

        if org_id in self.fixed:
            f = self.fixed[org_id]
            return int(fits(f.position, f.month, f.date))
        return sum(self.go_live[org_id, s.id] for s in self.domain.get(org_id, []) if fits(s.position, s.month, s.date))

    def timing(self, org_id: str) -> "Timing":
        """Integer views of a planned organisation's go-live (made once, on first use): whether it goes
        live, and its window's month, position and date rank, each channelled to the window variables."""
        if org_id not in self._timing:
            domain = self.domain[org_id]
            m = self.model
            if not domain:
                raise ValueError(f"{org_id} has no window to go live in")
            scheduled = self.scheduled(org_id)
            present = m.new_bool_var(f"goes_live[{org_id}]")
            m.add(present == scheduled)
            rank = {day: i for i, day in enumerate(sorted({s.date for s in self.slots}))}

            def view(name: str, value) -> cp_model.IntVar:
                values = sorted({value(s) for s in domain})
                var = m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"{name}[{org_id}]")
                for slot in domain:
                    m.add(var == value(slot)).only_enforce_if(self.go_live[org_id, slot.id])
                return var

            self._timing[org_id] = Timing(
                present,
                view("go_live_month", lambda s: s.month),
                view("go_live_position", lambda s: s.position),
                view("go_live_date_rank", lambda s: rank[s.date]),
                min(s.month for s in domain),
                max(s.month for s in domain),
            )
        return self._timing[org_id]


@dataclass(frozen=True)
class Timing:
    """A planned organisation's go-live as integers (see GoLiveVariables.timing); the month, position
    and rank mean something only while `present` is true."""

    present: cp_model.IntVar
    month: cp_model.IntVar
    position: cp_model.IntVar
    date_rank: cp_model.IntVar
    earliest_month: int
    latest_month: int


#: why a window is closed to an organisation: (restriction, index of the blackout in waves.yaml or None)
Restriction = tuple[str, int | None]
#: the restrictions in the order they are reported
RESTRICTIONS = ("earliest", "latest", "returns", "track", "blackout")


def barring_blackouts(problem: Problem, org: Organisation) -> list[int]:
    """Indexes (in waves.yaml) of the blackouts that name this organisation, its kind, or everyone."""
    return [
        i
        for i, b in enumerate(problem.waves.blackouts)
        if (b.actors is None and b.kinds is None)
        or (b.actors is not None and org.id in b.actors)
        or (b.kinds is not None and org.kind in b.kinds)
    ]


def domain_restrictions(problem: Problem, org: Organisation, slots: list[Slot]) -> dict[Restriction, list[Slot]]:
    """The future windows each of the organisation's own restrictions closes to it: earliest, latest,
    returns, its track, each blackout that bars it. Restrictions that close no window are left out."""
    tracks = {t.id: t for t in problem.waves.tracks}
    track_windows = None
    if org.track is not None and tracks[org.track].windows is not None:
        track_windows = set(tracks[org.track].windows)
    blackouts = problem.waves.blackouts
    barring = barring_blackouts(problem, org)
    closed: dict[Restriction, list[Slot]] = {}
    for slot in slots:
        day = slot.date
        reasons: list[Restriction] = []
        if org.earliest is not None and day < org.earliest:
            reasons.append(("earliest", None))
        if org.latest is not None and day > org.latest:
            reasons.append(("latest", None))
        if org.returns is not None and day < org.returns:
            reasons.append(("returns", None))
        if track_windows is not None and slot.id not in track_windows:
            reasons.append(("track", None))
        reasons += [("blackout", i) for i in barring if blackouts[i].from_ <= day <= blackouts[i].to]
        for reason in reasons:
            closed.setdefault(reason, []).append(slot)
    return closed


def allowed_slots(problem: Problem, org: Organisation, slots: list[Slot]) -> list[Slot]:
    """The future windows an organisation may go live in: earliest, latest, returns, track, blackouts."""
    closed = {slot.id for barred in domain_restrictions(problem, org, slots).values() for slot in barred}
    return [slot for slot in slots if slot.id not in closed]


def pinned_position(problem: Problem, org: Organisation, positions: dict[str, int]) -> int:
    window = problem.history_window_of(org)
    if window is not None:
        return positions[window.id]
    earlier = [positions[w.id] for w in problem.windows if w.date <= org.live_since]
    return max(earlier, default=-1)


def window_calendar(problem: Problem) -> tuple[dict[str, int], list[Slot], dict[str, Fixed]]:
    """What every model reads of the calendar: each window's position (history included), the future
    windows as slots, and each pinned organisation's go-live."""
    positions = {w.id: i for i, w in enumerate(problem.windows)}
    slots = [Slot(w, positions[w.id], month_index(w.date)) for w in problem.future_windows]
    fixed = {org.id: Fixed(pinned_position(problem, org, positions), month_index(org.live_since), org.live_since)
             for org in problem.pinned}
    return positions, slots, fixed


def add_go_live_variables(model: cp_model.CpModel, problem: Problem, *, every_window: bool = False,
                          within: Mapping[str, Collection[str]] | None = None) -> GoLiveVariables:
    """One variable per organisation and window of its domain; with `every_window`, per future window
    (the switchable model, whose domain restrictions are constraints). `within`: org id -> the window ids
    it is kept to (a re-plan around a change keeps the organisations it does not free in their baseline
    windows: `hpplan.replan`); an organisation not named has its whole domain."""
    positions, slots, fixed = window_calendar(problem)
    variables = GoLiveVariables(model, slots, positions)
    variables.fixed.update(fixed)
    for org in problem.plannable:
        domain = list(slots) if every_window else allowed_slots(problem, org, slots)
        if within is not None and org.id in within:
            kept = within[org.id]
            domain = [slot for slot in domain if slot.id in kept]
        variables.domain[org.id] = domain
        for slot in domain:
            variables.go_live[org.id, slot.id] = model.new_bool_var(f"go_live[{org.id},{slot.id}]")
    return variables
