"""Machine-readable forms of a plan (CSV, Markdown) and the figures every view shares.

JSON is `Solution.to_json()`. The figures the terminal view (`render.py`) and the Markdown report both
show are computed here, once:

- `plan_groups`: the plan entries grouped by window (history first, "not scheduled" last);
- `window_summary`: per window, actors and users going live and the cumulative population shares (of
  `share_counted`'s organisations); `left_to_the_tie_break`: the optional organisations not scheduled
  that only an unfinished tie-break would have placed;
- `peak_loads`: per pool, the month of the highest load and the limit there;
- `estimated` and `marked`: a users or population figure that rests on an estimate, marked `*`;
  `capacity_estimated`: whether a pool's capacity (a limit) in a month does; `estimated_loads`: the
  pools and months whose load does (its load profiles); `share_estimated`: whether a share live does;
  `date_estimated`: whether a history go-live date does; `window_date_estimated`: whether a window's
  date does (its own note); `go_live_estimated`: whether a plan entry's go-live date does;
  `objective_estimated`: whether an objective term does;
- `not_in_plan`: the data's organisations a saved plan leaves out ("not in the plan");
- `plan_source`, `status_text`, `solver_facts`: how the plan was made (a solver, or a plan file);
- `checked_arguments`, `checked_plan`: what the library's exports take.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import math
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from .errors import grouped
from .problem import Problem, applied_entry, checked_problem, month_index, month_label
from .schema import Kind, Organisation, Pool, Sector, Status as OrgStatus, Window
from .solution import LEAST_CHANGE, Assignment, LoadPoint, Solution, Status

#: the order organisations are listed in within a window: trusts and hospitals first
KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


# --------------------------------------------------------------------------------------------------
# grouping by window


@dataclass
class PlanGroup:
    """Plan entries that go live in one window (`window`), live in no window (`window` None,
    `scheduled` True: before the first window when `after` is None, else after the window `after` and
    before the next), or not at all (`scheduled` False); with `missing`, the data's organisations the
    plan has no entry for (`not_in_plan`: a saved plan made before they were added, or edited)."""

    window: Window | None
    history: bool
    scheduled: bool
    entries: list[Assignment] = field(default_factory=list)
    after: Window | None = None  # live in no window: the last window dated before them
    missing: bool = False  # not in the plan at all (its entries are made from the data: `not_in_plan`)

    @property
    def marked_history(self) -> bool:
        """Whether the outputs mark the group as history ("(history)"): a history window's, and live
        organisations in no window after one (before the first window, the title says it)."""
        return self.history and self.scheduled and (self.window is not None or self.after is not None)

    @property
    def key(self) -> str:
        if self.window is not None:
            return self.window.id
        if self.missing:
            return "not-in-the-plan"
        if not self.scheduled:
            return "not-scheduled"
        return "before" if self.after is None else f"after-{self.after.id}"

    @property
    def title(self) -> str:
        """A plain one-line heading: `id date name` (`window_title`: the date marked `*` where an estimate)."""
        if self.window is not None:
            return window_title(self.window)
        if self.missing:
            return NOT_IN_PLAN
        if not self.scheduled:
            return "not scheduled"
        if self.after is None:
            return "live before the first window"
        return f"live after {self.after.id}, in no window"


def window_title(window: Window) -> str:
    """`id date name` of a window, its date marked `*` where it rests on an estimate (`window_date_estimated`):
    how every heading, hover and calendar event names a window."""
    return " ".join(p for p in (window.id, marked(window.date.isoformat(), window_date_estimated(window)),
                                window.name) if p)


def window_of(problem: Problem, entry: Assignment) -> Window | None:
    """The window an entry goes live in: the plan's, as the rules give it (docs/rules.md "Pinned": a
    live organisation's is the window within 6 days of `live_since`, else none); None when it is not
    scheduled or, live, in no window. A planned entry whose window is not in the data (a plan read
    against other data) is shown in the last window dated on or before its go-live."""
    if entry.go_live is None:
        return None
    if entry.window is not None and entry.window in problem.window:
        return problem.window[entry.window]
    if entry.pinned:
        return None
    return window_before(problem, entry.go_live)


def window_before(problem: Problem, day: dt.date) -> Window | None:
    """The last window dated on or before `day` (None: before every window): where a live
    organisation in no window stands among the windows (docs/rules.md "window position")."""
    earlier = [w for w in problem.windows if w.date <= day]
    return earlier[-1] if earlier else None


def _entry_order(problem: Problem):
    index = {o.id: i for i, o in enumerate(problem.organisations)}

    def key(entry: Assignment):
        org = problem.org.get(entry.id)
        kind = KIND_ORDER.get(org.kind, len(KIND_ORDER)) if org else len(KIND_ORDER)
        return (kind, index.get(entry.id, len(index)), entry.id)

    return key


class Detail(str, Enum):
    """A Gantt's rows (terminal, report): one per organisation, or one per window and kind of
    organisation (a national plan has 2,000 organisations: 2,000 lines, a 35,000-pixel PNG); `auto`
    picks by `DETAIL_AUTO_MAX`."""

    auto = "auto"
    organisation = "organisation"
    window = "window"


#: `Detail.auto`: one row per organisation up to this many organisations in the plan, else one per
#: window and kind
DETAIL_AUTO_MAX = 250


def choice(kind: type[Enum], value: object, name: str):
    """`value` as a member of the enum `kind` (its text too: `"window"` from a notebook), else a
    ValueError naming the choices (a plain string matched no `is` test and fell to another branch:
    `group_by="window"` grouped by track)."""
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name} is one of {', '.join(repr(m.value) for m in kind)}, got {value!r}") from None


def resolved_detail(solution, detail: Detail) -> Detail:
    """What `detail` auto comes to for this plan: window above `DETAIL_AUTO_MAX` organisations in the
    plan, scheduled or not, else organisation; the terminal and the report count alike (README: "above
    250 organisations"), so the table and the report of one plan never disagree."""
    detail = choice(Detail, detail, "detail")
    if detail is not Detail.auto:
        return detail
    return Detail.window if len(solution.plan) > DETAIL_AUTO_MAX else Detail.organisation


#: organisations of a kind, in the plural (a kind is a `schema.Kind` value)
KIND_PLURAL = {"health_trust": "health trusts", "hospital": "hospitals", "municipality": "municipalities",
               "gp_office": "GP offices", "lab": "laboratories", "other": "other organisations"}


#: one organisation of a kind, where it is not the kind's value with spaces ("1 lab" beside "2 laboratories")
KIND_SINGULAR = {"gp_office": "GP office", "lab": "laboratory", "other": "other organisation"}


def kind_noun(kind: str, count: int) -> str:
    """'municipality' / 'municipalities', 'GP office' / 'GP offices' (a `schema.Kind` value)."""
    if count != 1:
        return KIND_PLURAL.get(kind, kind.replace("_", " "))
    return KIND_SINGULAR.get(kind, kind.replace("_", " "))


def by_kind(entries: list[Assignment]) -> list[list[Assignment]]:
    """Plan entries by kind and sector, in the order the first of each appears (a window's rows with
    `Detail.window`)."""
    buckets: dict[tuple[str, str], list[Assignment]] = {}
    for entry in entries:
        buckets.setdefault((entry.kind, entry.sector), []).append(entry)
    return list(buckets.values())


#: what the outputs say of an organisation of the data that a plan has no entry for
NOT_IN_PLAN = "not in the plan"


def entry_of(org: Organisation, go_live: dt.date | None = None, window: str | None = None,
             pinned: bool = False) -> Assignment:
    """A plan entry for an organisation of the data (by default: not scheduled)."""
    return Assignment(org.id, org.name, org.kind.value, org.effective_sector.value, go_live, window, pinned)


def not_in_plan(problem: Problem, solution: Solution) -> list[Assignment]:
    """The data's organisations that the plan has no entry for, in data order, as entries that are not
    scheduled: a saved plan made before they were added (or edited) leaves them out, and every output
    shows them ("not in the plan"; the verifier reports each missing) rather than dropping them. None
    for a solution without a plan (infeasible, or none found): it leaves out nothing, it has nothing."""
    if not solution.found:
        return []
    listed = {e.id for e in solution.plan}
    return [entry_of(o) for o in problem.organisations if o.id not in listed]


def plan_groups(problem: Problem, solution: Solution) -> list[PlanGroup]:
    """The plan by window, in date order; empty windows are left out; a live organisation in no window
    comes after the last window dated on or before its go-live ("live after 2023-04, in no window");
    "not scheduled" comes last, then the data's organisations the plan leaves out ("not in the plan")."""
    before = PlanGroup(None, history=True, scheduled=True)
    by_window = {w.id: PlanGroup(w, history=w.date < problem.planning_date, scheduled=True) for w in problem.windows}
    between = {w.id: PlanGroup(None, history=True, scheduled=True, after=w) for w in problem.windows}
    unscheduled = PlanGroup(None, history=False, scheduled=False)
    for entry in solution.plan:
        window = window_of(problem, entry)
        if entry.go_live is None:
            unscheduled.entries.append(entry)
        elif window is not None:
            by_window[window.id].entries.append(entry)
        elif (after := window_before(problem, entry.go_live)) is None:
            before.entries.append(entry)
        else:
            between[after.id].entries.append(entry)
    missing = PlanGroup(None, history=False, scheduled=False, entries=not_in_plan(problem, solution), missing=True)
    groups = ([before] + [g for w in problem.windows for g in (by_window[w.id], between[w.id])]
              + [unscheduled, missing])
    order = _entry_order(problem)
    for group in groups:
        group.entries.sort(key=order)
    return [g for g in groups if g.entries]


# --------------------------------------------------------------------------------------------------
# per-window summary


@dataclass(frozen=True)
class WindowSummary:
    window: Window
    history: bool
    actors: int  # organisations going live in the window
    users: int  # their users
    #: the population live after the window / all of it, of the organisations the shares count
    #: (`share_counted`) of each sector: primary care, specialist care; None: no such population
    primary_share: float | None
    specialist_share: float | None
    users_live: int = 0  # the users of every organisation live after the window
    #: whether a share rests on an estimate (`share_estimated`): marked `*` where it is shown
    primary_estimate: bool = False
    specialist_estimate: bool = False
    users_live_estimate: bool = False  # the share of all users live after the window (users_live / all)


#: what the population shares live count (`share_counted`), in the words of the notes under the summary tables
SHARE_NOTE = ("each organisation's in its sector (a GP office's only where its municipality gives none, a "
              "hospital's, lab's or unit's only where its trust gives none)")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def share_estimated(part: int, whole: int, orgs: Iterable[Organisation | None], field: str) -> bool:
    """Whether a share `part / whole` of the `field` (users, population) of `orgs` (those the whole
    counts) rests on an estimate: one of them gives an estimated figure (`estimated`), and the share is
    neither 0 nor 100% (nothing or everything live: exact whatever the figures are)."""
    return 0 < part < whole and estimated(orgs, field)


def covered_by(problem: Problem, org: Organisation) -> Organisation | None:
    """The organisation of the data whose population already covers `org`'s people: a GP office's
    municipality, or the trust a hospital, lab or `other` unit is `part_of`, where that gives a
    population (the trust's catchment holds its hospitals' patients, the municipality its GP offices'
    patients). None: nothing does, and `org`'s own population counts."""
    above = org.municipality if org.kind is Kind.gp_office else org.part_of
    parent = problem.org.get(above) if above is not None else None
    return parent if parent is not None and Problem.population(parent) else None


def share_counted(problem: Problem) -> list[Organisation]:
    """The organisations whose population the shares live count (`window_summary`), in data order: every
    one that gives a population, in its sector's share (`effective_sector`: a hospital's in specialist,
    an `other` unit's in its own), except one another counted organisation covers (`covered_by`), so
    that no one is counted twice. The objective weighs every population (docs/rules.md "Objective");
    the shares say how many people are live."""
    return [o for o in problem.organisations if Problem.population(o) and covered_by(problem, o) is None]


def window_summary(problem: Problem, solution: Solution) -> list[WindowSummary]:
    """Every window (history and future, by date) with what goes live in it and the cumulative share of
    the population live after it. Shares count the population of `share_counted`'s organisations of
    each sector (primary, specialist) of the whole data, whether planned or not. A live organisation in
    no window goes live in none (it is no window's actor) and counts as live after each window dated on
    or after its go-live."""
    counted = share_counted(problem)
    counted_ids = {o.id for o in counted}
    by_sector = {sector: [o for o in counted if o.effective_sector is sector] for sector in Sector}

    def population(sector: Sector, orgs: Iterable[Organisation]) -> int:
        return sum(Problem.population(o) for o in orgs if o.id in counted_ids and o.effective_sector is sector)

    all_primary = population(Sector.primary, counted)
    all_specialist = population(Sector.specialist, counted)
    all_users = sum(Problem.users(o) for o in problem.organisations)

    position = {w.id: i for i, w in enumerate(problem.windows)}
    live_at: dict[int, list[Organisation]] = {}  # position of the first window it is live after -> orgs
    counts: dict[int, list[Assignment]] = {}  # window position -> the entries going live in it
    for entry in solution.plan:
        if entry.go_live is None:
            continue
        window = window_of(problem, entry)
        if window is not None:
            pos = position[window.id]
            counts.setdefault(pos, []).append(entry)
        else:  # in no window: live after the first window dated on or after its go-live
            pos = next((i for i, w in enumerate(problem.windows) if w.date >= entry.go_live), len(position))
        if entry.id in problem.org:
            live_at.setdefault(pos, []).append(problem.org[entry.id])

    live: list[Organisation] = []
    summary = []
    for pos, window in enumerate(problem.windows):
        live.extend(live_at.get(pos, []))
        entries = counts.get(pos, [])
        primary, specialist = population(Sector.primary, live), population(Sector.specialist, live)
        users_live = sum(Problem.users(o) for o in live)
        summary.append(
            WindowSummary(
                window=window,
                history=window.date < problem.planning_date,
                actors=len(entries),
                users=sum(Problem.users(problem.org[e.id]) for e in entries if e.id in problem.org),
                primary_share=_share(primary, all_primary),
                specialist_share=_share(specialist, all_specialist),
                users_live=users_live,
                primary_estimate=share_estimated(primary, all_primary, by_sector[Sector.primary], "population"),
                specialist_estimate=share_estimated(specialist, all_specialist, by_sector[Sector.specialist],
                                                    "population"),
                users_live_estimate=share_estimated(users_live, all_users, problem.organisations, "users"),
            )
        )
    return summary


def left_to_the_tie_break(problem: Problem, solution: Solution) -> list[Assignment]:
    """The optional organisations a plan does not schedule although the objective is indifferent to
    them, where only the tie-break would have placed them and it did not finish (`SolveStats.tie_break`
    "incomplete"): under the population objective, one with no population (or a `population_weight`
    of 0) and no preferred window (or a `preferred_window_penalty` of 0) is worth nothing scheduled or
    not, and only the tie-break schedules it, as early as it may (docs/model.md "Solving"). An equally
    good plan may schedule them (`hpplan explain --actor ID` tells). Empty for a makespan objective
    (scheduling one may lengthen the rollout) and for a re-plan (`least_change`: scheduling one changes
    the baseline)."""
    if (solution.stats.tie_break != "incomplete" or solution.stats.least_change
            or problem.waves.objective.kind != "population"):
        return []
    objective = problem.waves.objective
    left = []
    for entry in solution.plan:
        org = problem.org.get(entry.id)
        if entry.go_live is not None or org is None or org.status is not OrgStatus.optional:
            continue
        if Problem.population(org) * objective.population_weight:
            continue
        if org.preferred_window is not None and objective.preferred_window_penalty:
            continue
        left.append(entry)
    return left


def tie_break_note(problem: Problem, solution: Solution) -> str | None:
    """The line under the "not scheduled" organisations (the terminal's group, the Markdown's plan, the
    HTML's facts) where optional organisations the objective is indifferent to are among them and the
    tie-break, which would have placed them, did not finish (`left_to_the_tie_break`): their "not
    scheduled" is no decision of the objective. None: none such."""
    left = left_to_the_tie_break(problem, solution)
    if not left:
        return None
    unscheduled = sum(1 for e in solution.plan if e.go_live is None)
    one = len(left) == 1
    if len(left) < unscheduled:
        which = f"{len(left)} of them {'is' if one else 'are'}"
    else:
        which = "It is" if one else f"All {len(left)} are"
    them = "it" if one else "them"
    return (f"{which} optional, and the objective is indifferent to {them} (neither a population nor a "
            f"preferred window counts for {them}): the tie-break did not finish, and an equally good plan "
            f"may schedule {them} (hpplan explain --actor ID tells).")


# --------------------------------------------------------------------------------------------------
# estimates: every output marks a figure that rests on one (docs/data-format.md "Facts and estimates")

#: the mark after a users, population or capacity figure that rests on an estimate (`hpplan compare` and
#: `sweep` mark estimated costs the same way), and the one note that explains it
ESTIMATE_MARK = "*"
ESTIMATE_NOTE = "* estimate: see the data's source notes"


def estimated(orgs: Iterable[Organisation | None], field: str) -> bool:
    """Whether a `users` or `population` figure of these organisations (one's own, or their sum) rests
    on an estimate: one of them gives a value whose source note is not a fact (`Sourced.is_estimate`,
    as compare judges costs). A zero is never an estimate: nothing estimated adds to it (a hospital's
    population 0 says its trust carries the catchment)."""
    return any(org is not None and getattr(org, field) and org.is_estimate(field) for org in orgs)


def marked(text: str, estimate: bool) -> str:
    """A figure as shown, with `ESTIMATE_MARK` after it when it rests on an estimate."""
    return text + ESTIMATE_MARK if estimate else text


def marked_applied(entry: str) -> str:
    """A scenario change as every output's scenario line says it (compare's, solve's title, explain's, the
    reports'), the dates it names marked `*` as compare's causes say them: each by the source note the
    organisation had for it where the change read it (a postponement's old earliest date) or wrote it (the date
    it gives: `estimate: scenario FILE`), as recorded in its `AppliedChange`; an entry known by its text alone
    (a caller's) as it is."""
    return applied_entry(entry).said(lambda date: marked(date.value, bool(date.estimate)))


def applied_estimated(problem: Problem) -> bool:
    """Whether a scenario line marks a date (`marked_applied`): the output's note then says what `*` means."""
    return any(date.estimate for change in problem.applied for date in applied_entry(change).dates)


def window_users_estimated(problem: Problem, solution: Solution) -> dict[str, bool]:
    """Per window id: whether the users going live in it (`window_summary`'s `users`, summed over the
    same window groups) rest on an estimate."""
    return {g.window.id: estimated((problem.org.get(e.id) for e in g.entries), "users")
            for g in plan_groups(problem, solution) if g.window is not None}


def capacity_estimated(pool: Pool | None, month: str) -> bool:
    """Whether a pool's capacity in a month `YYYY-MM` (the limit its load is shown against) rests on an
    estimate: the source note of the capacity change in force that month (`Pool.change_in`), else of
    the pool's `fte`, is not a fact (`Sourced.is_estimate`); a change without a note counts as an
    estimate, as any figure without a `fact:` note does. A scenario's `capacity` change and `--capacity`
    note their figures `estimate: scenario FILE` (a what-if, as a number a scenario `set`s), and the
    base figures they return to keep the base's notes (scenario.py). A pool the data lacks (a saved
    plan's load of other data): False, nothing to mark it by."""
    if pool is None:
        return False
    change = pool.change_in(month)
    return (change if change is not None else pool).is_estimate("fte")


#: the note's words for a load marked `*` (peak load tables, load charts): said after `ESTIMATE_NOTE` where one is
LOAD_NOTE = "a load in FTE (and its use of the limit) marked * is summed from load profiles that are estimates"


def estimate_note(loads: bool) -> str:
    """`ESTIMATE_NOTE`, and with `loads` (a load figure is marked) what the mark means for a load."""
    return f"{ESTIMATE_NOTE}; {LOAD_NOTE}" if loads else ESTIMATE_NOTE


def date_estimated(org: Organisation | None) -> bool:
    """Whether a live organisation's go-live date (`live_since`), shown as history, rests on an estimate or
    an inference (its source note is not a fact: the November 2023 laboratories, Haram)."""
    return estimated([org], "live_since")


def window_date_estimated(window: Window | None) -> bool:
    """Whether a window's date rests on an estimate or an inference: its own `date` note is not a fact
    (`Sourced.is_estimate`). A window's date needs no note: without one it is the data's choice, not an
    estimate. A window's date is given in waves.yaml, never derived from what went live in it, so only its
    own note decides (history and planned windows alike: 2023-04 and the estimated Saturdays from 2024-02)."""
    return window is not None and window.note_for("date") is not None and window.is_estimate("date")


def window_dates_estimated(problem: Problem, solution: Solution) -> dict[str, bool]:
    """Per window (id) of the data, history or planned, whether its date rests on an estimate
    (`window_date_estimated`: its own note). An organisation live on another footing (a `live_since`
    that is an estimate) is marked on its own date (`go_live_estimated`), not the window's."""
    return {w.id: window_date_estimated(w) for w in problem.windows}  # those with nothing going live too


def note_is_estimate(note: str | None) -> bool:
    """Whether a source note ('fact: ...', 'estimate: ...', 'inferred: ...') marks its figure as an estimate:
    any kind but `fact:`, and no note at all (no note is no fact), as `Sourced.is_estimate` reads the data's."""
    from .schema import SOURCE_KIND

    kind = SOURCE_KIND.match(note or "")
    return kind is None or kind.group(1).lower() != "fact"


def go_live_estimated(problem: Problem, entry: Assignment) -> bool:
    """Whether a plan entry's go-live date rests on an estimate or an inference: an entry read from a plan
    file (a YAML plan such as data/adopted-plan.yaml) by the file's own source note for it
    (`Assignment.go_live_source`: HMR's 'fact: ...' 2024-04-27 is unmarked though its window's Saturday is
    inferred; an 'inferred:' or 'estimate:' note is marked whatever the window's note says); else a history
    go-live (pinned) is its own `live_since` (`date_estimated`: the November 2023 laboratories, Haram); a
    planned one is its window's date (`window_date_estimated`: the estimated Saturdays), a solver's plan on a
    window whose date is an estimate always marked. Not scheduled: no date."""
    if entry.go_live is None:
        return False
    source = getattr(entry, "go_live_source", None)
    if source is not None:
        return note_is_estimate(source)
    if entry.pinned:
        return date_estimated(problem.org.get(entry.id))
    window = problem.window.get(entry.window) if entry.window is not None else None
    return window is not None and window.date == entry.go_live and window_date_estimated(window)


def estimates_named(org: Organisation | None) -> list[str]:
    """The figures of an organisation that rest on an estimate, `users`, `population` then `live_since`:
    what the spreadsheet's and the CSV's `estimates` column name."""
    return [name for name in ("users", "population", "live_since") if estimated([org], name)]


def entry_estimates_named(problem: Problem, entry: Assignment) -> list[str]:
    """`estimates_named` for a plan entry's organisation, and `go_live` where its planned go-live is on a
    window date that is an estimate (`go_live_estimated`; a history go-live's own date is its `live_since`,
    named as such): what the CSV's and the spreadsheet's `estimates` column name."""
    names = estimates_named(problem.org.get(entry.id))
    if not entry.pinned and go_live_estimated(problem, entry):
        names.append("go_live")
    return names


def estimated_loads(problem: Problem, solution: Solution) -> set[tuple[str, str]]:
    """The (pool, month `YYYY-MM`) whose load in the plan rests on an estimate: a load profile adds to it
    there (an organisation of the plan, live or planned, loads the pool by it that month) and the profile's
    `before` (preparation) or `hypercare` month has a source note that is not a fact (`Sourced.is_estimate`;
    no note is no fact). A zero load is never an estimate, as a zero users figure is not."""
    sources = {p.id: p for p in problem.waves.load_profiles}
    marks = set()
    for entry in solution.plan:
        org = problem.org.get(entry.id)
        if org is None or entry.go_live is None:
            continue
        live = month_index(entry.go_live)
        for pool, profile in problem.loads(org):
            for offset in range(profile.first_offset, profile.last_offset + 1):
                if profile.load_at(offset) and sources[profile.id].is_estimate("before" if offset < 0 else "hypercare"):
                    marks.add((pool.id, month_label(live + offset)))
    return marks


def objective_estimated(problem: Problem, solution: Solution) -> dict[str, bool]:
    """Per objective term of the plan (`objective_terms`), whether it rests on an estimate, as `hpplan
    compare` judges its population-months: `population_delay` where an organisation that adds to it (it
    goes live after the planning month, or not at all) has an estimated population (`estimated`), a trust's
    catchment; `total` where a term it sums does. The preference and the makespan count windows and months."""
    counted = {e.id for e in solution.plan if e.go_live is None or month_index(e.go_live) > problem.start_month}
    delay = bool(problem.waves.objective.population_weight) and \
        estimated((o for o in problem.plannable if o.id in counted), "population")
    marks = {term: term == "population_delay" and delay for term, _ in objective_terms(solution)}
    if "total" in marks:
        marks["total"] = any(v for k, v in marks.items() if k != "total")
    return marks


# --------------------------------------------------------------------------------------------------
# peak load


@dataclass(frozen=True)
class PeakLoad:
    pool: str
    name: str | None
    month: str  # YYYY-MM: the first month with the highest load
    used: float  # FTE
    limit: float  # FTE in that month
    limit_estimate: bool = False  # the limit rests on an estimate (`capacity_estimated`): shown marked `*`
    #: the month the pool is fullest (the highest share of its limit), when that is another month: with a
    #: capacity that changes over time the highest load may not be where the pool is tight
    fullest: "PeakLoad | None" = None
    used_estimate: bool = False  # the load rests on an estimated profile (`estimated_loads`): shown marked `*`

    @property
    def utilisation(self) -> float | None:
        """used / limit (1.0 = full), None when the limit is zero."""
        return self.used / self.limit if self.limit else None

    @property
    def utilisation_estimate(self) -> bool:
        """Whether the utilisation rests on an estimate: the load or the limit does (a zero load's 0% does not)."""
        return self.used_estimate or (self.limit_estimate and bool(self.used))


def peak_loads(problem: Problem, solution: Solution) -> list[PeakLoad]:
    """Per pool (in data order), the highest load of the plan over the horizon, and whether the limit
    in that month rests on an estimate; and the month it is fullest (`PeakLoad.fullest`) when that is
    another month (a load over a zero limit is the fullest of all)."""
    pools = [p.id for p in problem.waves.pools]
    pools += sorted({p.pool for p in solution.load} - set(pools))
    loads = estimated_loads(problem, solution)
    peaks = []
    for pool_id in pools:
        points = sorted((p for p in solution.load if p.pool == pool_id), key=lambda p: p.month)
        if not points:
            continue
        pool = problem.pool.get(pool_id)
        top = max(points, key=lambda p: p.used)  # max keeps the first (earliest) of equal loads
        full = max(points, key=lambda p: (p.used / p.limit if p.limit else math.inf if p.used else 0, p.used))
        fullest = _peak_at(pool, full, loads) if full.month != top.month else None
        peaks.append(_peak_at(pool, top, loads, fullest))
    return peaks


def _peak_at(pool: Pool | None, point: LoadPoint, loads: set[tuple[str, str]],
             fullest: PeakLoad | None = None) -> PeakLoad:
    """A load report point of a pool (None: one the data lacks) as a PeakLoad, its limit and its load
    marked when an estimate (`loads`: `estimated_loads`)."""
    return PeakLoad(point.pool, pool.name if pool is not None else None, point.month, point.used, point.limit,
                    limit_estimate=capacity_estimated(pool, point.month), fullest=fullest,
                    used_estimate=bool(point.used) and (point.pool, point.month) in loads)


def peak_rows(peaks: list[PeakLoad]) -> list[tuple[str, PeakLoad]]:
    """The rows of a peak load table: each pool's peak (labelled with the pool and its name), and below
    it the month it is fullest when that is another ("POOL: fullest month")."""
    rows = []
    for peak in peaks:
        rows.append((peak.pool + (f" ({peak.name})" if peak.name else ""), peak))
        if peak.fullest is not None:
            rows.append((f"{peak.pool}: fullest month", peak.fullest))
    return rows


def fullest_said(peak: PeakLoad) -> str:
    """'; fullest 97.2% in 2025-02' for a chart's title, when the pool is fullest in another month."""
    full = peak.fullest
    return "" if full is None else f"; fullest {fmt_share(full.utilisation)} in {full.month}"


def any_limit_estimated(peaks: list[PeakLoad]) -> bool:
    """Whether a limit a peak load table shows (a peak's, a fullest month's) rests on an estimate."""
    return any(p.limit_estimate for _, p in peak_rows(peaks))


def any_load_estimated(peaks: list[PeakLoad]) -> bool:
    """Whether a load a peak load table shows (a peak's, a fullest month's) rests on an estimate."""
    return any(p.used_estimate for _, p in peak_rows(peaks))


# --------------------------------------------------------------------------------------------------
# small formatting helpers shared with render.py


def _not_finite(value: float) -> str | None:
    """How a number that is not finite shows (an infinite time limit, a NaN): '∞', '-∞' or 'n/a'; None
    for a finite one. `round` and `int` of it raised OverflowError or ValueError in a footer."""
    if math.isfinite(value):
        return None
    return "n/a" if math.isnan(value) else "∞" if value > 0 else "-∞"


def fmt_int(value: int | float) -> str:
    """12345 -> '12 345' (Norwegian thousands separator, an ordinary space)."""
    if isinstance(value, float) and (shown := _not_finite(value)) is not None:
        return shown
    return grouped(round(value))


def fmt_number(value: float) -> str:
    """An objective value or FTE: integers without decimals, else one to three."""
    if (shown := _not_finite(value)) is not None:
        return shown
    if value == int(value):
        return fmt_int(value)
    text = f"{value:,.3f}".rstrip("0").replace(",", " ")
    return text


def row_names(entries: list[Assignment]) -> dict[str, str]:
    """Per plan entry id, the name its Gantt row shows (terminal and report): its name, with its id
    after it where two or more entries share that name ("Legekontoret (gp-12)"), so that no two rows
    read the same."""
    count: dict[str, int] = {}
    for entry in entries:
        count[entry.name] = count.get(entry.name, 0) + 1
    return {e.id: f"{e.name} ({e.id})" if count[e.name] > 1 else e.name for e in entries}


def half_up(value: float, digits: int) -> decimal.Decimal:
    """`value` rounded to `digits` decimals (0 or fewer: to units, tens, hundreds, ...), halves up as a person
    (or a spreadsheet's ROUND) rounds the figure shown, not the binary value Python's `round` and `format` see
    (1.45 -> 1.5, 414.5 -> 415)."""
    return decimal.Decimal(repr(float(value))).quantize(decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_UP)


def fmt_fixed(value: float, digits: int, sign: bool = False) -> str:
    """A figure with `digits` decimals, halves rounded up (`half_up`): 1.45 -> '1.5', 1.25 -> '1.3' (`format`
    rounds the binary value: '1.4', '1.2'). `sign`: '+1.5'."""
    if (shown := _not_finite(value)) is not None:
        return shown
    fixed = half_up(value, digits)
    return f"{fixed:+}" if sign else str(fixed)


def fmt_share(share: float | None) -> str:
    return "n/a" if share is None else fmt_fixed(share * 100, 1) + "%"


#: `SolveStats.engine` of a plan read from a plan file (a YAML plan such as data/adopted-plan.yaml,
#: `check.read_plan_file`): no solver made it; its `found_by` names the file
PLAN_FILE = "plan file"


def rules_or_limits(n: int) -> str:
    """'1 rule or limit', '4 rules or limits': what a plan breaks of its data, as every output counts it."""
    return f"{fmt_int(n)} {'rule or limit' if n == 1 else 'rules or limits'}"


def with_findings(status: str, broken: int, plan_file: bool, stale: str = "") -> str:
    """A plan's status said with what the verifier found of it under this data: `broken` rules or limits
    ('optimal as saved; breaks 3 rules or limits of this data'; a plan file, which no solver made, has no
    status to have held: 'plan file, not solved; breaks 4 ...') and its `stale` saved figures."""
    if (broken or stale) and not plan_file:
        status += " as saved"
    if broken:
        status += f"; breaks {rules_or_limits(broken)} of this data"
    if stale:
        status += f"; {stale}"
    return status


def plan_source(solution: Solution) -> str | None:
    """The plan file a plan was read from when no solver made it (`PLAN_FILE`), else None: its outputs
    then say where it comes from instead of a status, engine, seed or tie-break it never had."""
    stats = solution.stats
    return (stats.found_by or "a plan file") if stats.engine == PLAN_FILE else None


#: the best bound of a saved plan whose objective this data does not give (its objective is shown as
#: this data gives it): a bound of other figures, not shown as a number beside a total it does not bound
STALE_BOUND = "– (the saved bound is of the saved objective, not of this data's)"


def solver_facts(solution: Solution, objective_stale: bool = False) -> list[tuple[str, object]]:
    """(setting, value) of how the plan was made, as the report and the spreadsheet list them: the
    solver's engine, seed, workers, tie-break, work limit (and best bound: `STALE_BOUND` with
    `objective_stale`); for a plan file (`plan_source`) the file, and that no solver made it. Not which
    engine of the race found or proved the plan: that depends on timing (docs/solve.md "Engines"), and
    the same plan gives the same file."""
    source = plan_source(solution)
    if source is not None:
        return [("source", f"{PLAN_FILE} {source}"), ("solver", "none: the dates are the file's, not solved")]
    stats = solution.stats
    facts: list[tuple[str, object]] = [("solver", stats.engine), ("seed", stats.seed), ("workers", stats.workers),
                                       ("tie-break", stats.tie_break)]
    if stats.work_limit is not None:
        facts.append(("work limit", stats.work_limit))
    if stats.best_bound is not None:
        facts.append(("best bound", STALE_BOUND if objective_stale else stats.best_bound))
    return facts


def status_text(solution: Solution) -> str:
    """'optimal', 'feasible (gap 1.20%)', 'infeasible' or 'unknown'; a re-plan's optimum is 'optimal
    among the plans that change the baseline least' (its bound proves no more); a plan read from a
    plan file, which no solver made, 'plan file, not solved'."""
    if plan_source(solution) is not None and solution.found:
        return f"{PLAN_FILE}, not solved"
    text = solution.status.value
    if solution.status is Status.optimal and solution.stats.least_change:
        text += " " + LEAST_CHANGE
    if solution.status is Status.feasible and solution.stats.gap is not None:
        text += f" (gap {solution.stats.gap * 100:.2f}%)"
    return text


def objective_units(problem: Problem, terms: Iterable[str], short: bool = False) -> dict[str, str]:
    """What each objective term counts (docs/model.md "Objective"), by term, for the terms named that have a
    unit: `population_delay` in population-months (people times the months before they go live; times the
    data's `population_weight` where it is not 1), `preference` in penalty points (windows away from the
    preferred window times `preferred_window_penalty`; `short`: without that), `makespan` in months, and the
    `total`, their sum, a score (in its one term's unit where it sums one). The outputs say it once beside the
    figures (the JSON's keys stay as they are)."""
    weights = problem.waves.objective
    terms = list(terms)
    units: dict[str, str] = {}
    for term in terms:
        if term == "population_delay":
            weight = weights.population_weight
            units[term] = "population-months" + ("" if weight == 1 else f" x {fmt_number(weight)}")
        elif term == "preference":
            units[term] = "penalty points" + (
                "" if short else f" (windows from the preferred x {fmt_int(weights.preferred_window_penalty)})")
        elif term == "makespan":
            units[term] = "months"
    if "total" in terms:
        own = [units.get(t) for t in terms if t != "total"]
        units["total"] = own[0] if len(own) == 1 and own[0] else "score" + ("" if short else ", the terms' sum")
    return units


def objective_terms(solution: Solution) -> list[tuple[str, float]]:
    """The objective terms in their order, `total` last."""
    terms = [(k, v) for k, v in solution.objective.items() if k != "total"]
    if "total" in solution.objective:
        terms.append(("total", solution.objective["total"]))
    return terms


# --------------------------------------------------------------------------------------------------
# the library's exports: what they take


def checked_arguments(function: str, problem: object, solution: object, **plans: object) -> None:
    """The exports and reports take (problem, solution) in that order, and further plans (`other`) as
    Solutions or None: anything else is a TypeError at the call that names the argument, as
    `hpplan.solve` and `hpplan.verify` say theirs (`to_csv(plan, problem)` was an AttributeError deep
    inside)."""
    checked_problem(function, problem, first=True)
    for name, value in (("solution", solution), *plans.items()):
        if not isinstance(value, Solution) and (value is not None or name == "solution"):
            raise TypeError(f"{function} takes {'its plan' if name == 'solution' else name} as a Solution (from "
                            f"hpplan.solve, or hpplan.read_plan(file)){'' if name == 'solution' else ' or None'}, "
                            f"got {type(value).__name__}")


def checked_plan(function: str, solution: Solution) -> None:
    """An export that is the plan itself (a CSV row per organisation, a calendar event per go-live) of a
    solution without one (infeasible, or none found in time) is a ValueError, not a file that reads as a
    plan of nothing: the command writes no file then either. (The Markdown, HTML and spreadsheet say
    "no plan" in the file.)"""
    if not solution.found:
        raise ValueError(f"{function}: the solution has no plan ({solution.status.value}), so there is nothing to "
                         "export; check `solution.found` first (the command writes no file in this case)")


# --------------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = ("id", "name", "kind", "sector", "status", "go_live", "window", "pinned", "users", "population",
               "estimates")

#: leading characters that make a spreadsheet read typed text as a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@")


def csv_text(value: object) -> object:
    """A CSV cell a spreadsheet may open: text that starts like a formula (`=1+2`, `@SUM(A1)`, a name
    `-Nord`) gets a leading apostrophe, so that Excel and LibreOffice show it as text and never run it
    (the spreadsheet export marks such a cell as text the same way); numbers and other text as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(problem: Problem, solution: Solution) -> str:
    """One row per plan entry, in plan order, after a header row. `status` is the organisation's
    status in the data; empty fields are unknown or not applicable. `users` and `population` are plain
    numbers; `estimates` names those of them that rest on an estimate, a live organisation's
    go-live date (`live_since`) that is an estimate or inference, and a planned go-live on a window date
    that is one (`go_live`) (`users`, `population`, `live_since`, `go_live`, comma-separated; empty: facts
    only: `entry_estimates_named`), as the spreadsheet's column does. Text that starts like a
    formula is written with a leading apostrophe (`csv_text`). A solution without a plan is a
    ValueError (`checked_plan`)."""
    checked_arguments("to_csv", problem, solution)
    checked_plan("to_csv", solution)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in solution.plan:
        org = problem.org.get(entry.id)
        row = [
            entry.id,
            entry.name,
            entry.kind,
            entry.sector,
            org.status.value if org else "",
            entry.go_live.isoformat() if entry.go_live else "",
            entry.window or "",
            "true" if entry.pinned else "false",
            "" if org is None or org.users is None else org.users,
            "" if org is None or org.population is None else org.population,
            ", ".join(entry_estimates_named(problem, entry)),
        ]
        writer.writerow([csv_text(cell) for cell in row])
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Markdown


#: ASCII punctuation, as CommonMark counts it for backslash escapes and for flanking delimiter runs
_MD_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
#: an entity or character reference (`&amp;`, `&#39;`): its `&` is escaped, a lone `&` is not
_MD_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
#: what a `<` starts as HTML or an autolink: a tag, `</`, `<!`, `<?` (`->` and `a < b` are text)
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
#: what opens a block at the start of a line: a heading, a quote, a list item, a thematic break, a
#: setext underline, a link reference or footnote definition (`[label]:`; `[postpone ...]` is text)
_MD_LINE_START = re.compile(r"(#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|[-*_=](?=[-*_= \t]*$)|\[(?=[^\]]*\]:))")
_MD_ORDERED = re.compile(r"([0-9]{1,9})([.)])(?=[ \t]|$)")


def _md_space(c: str) -> bool:
    return c == "" or c.isspace()


def _md_punct(c: str) -> bool:
    import unicodedata

    return c in _MD_PUNCTUATION or (c != "" and unicodedata.category(c).startswith(("P", "S")))


def _md_flanks(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the delimiter run `text[start:end]` (of `*`, `_` or `~`) can open and whether it can close
    emphasis (strikethrough), by CommonMark's rules: left-flanking to open (not followed by whitespace,
    and where followed by punctuation, preceded by whitespace or punctuation), right-flanking to close;
    `_` inside a word does neither (`population_delay`)."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    left = not _md_space(after) and (not _md_punct(after) or _md_space(before) or _md_punct(before))
    right = not _md_space(before) and (not _md_punct(before) or _md_space(after) or _md_punct(after))
    if text[start] == "_":
        return left and (not right or _md_punct(before)), right and (not left or _md_punct(after))
    return left, right


def md_text(text: object, line_start: bool = True) -> str:
    """Text as written, in a Markdown line or table cell (CommonMark, GitHub's tables): a backslash only
    before what Markdown would read as markup in that place, so that the raw text (a chat, a mail, a screen
    reader reading the .md file) keeps `->`, `[postpone ...]` and a date's `*` mark as written. Escaped: a
    `\\` before punctuation, `` ` ``, `|` (a table's cell), a run of `*`, `_` or `~` that could open
    emphasis with a run after it that could close it (`_md_flanks`), `<` that starts a tag (a name `Legekontor <Bakke>` lost it as HTML), `&` of an
    entity, `](` of a link, and, where the text may start a line (`line_start`; not in a table's cell or
    after a list item's label), what would open a block there (`# `, `> `, `- `, `1. `, `[label]:`). No
    line breaks."""
    text = " ".join(str(text).splitlines())
    escape = [False] * len(text)
    runs: list[tuple[int, int, bool, bool]] = []  # delimiter runs: start, end, can open, can close
    i = 0
    while i < len(text):
        c = text[i]
        if c in "*_~":
            end = i
            while end < len(text) and text[end] == c:
                end += 1
            runs.append((i, end, *_md_flanks(text, i, end)))
            i = end
            continue
        if c in "`|":
            escape[i] = True
        elif c == "\\":
            escape[i] = i + 1 == len(text) or text[i + 1] in _MD_PUNCTUATION
        elif c == "]":
            escape[i] = text[i + 1:i + 2] in ("(", "[")  # `[text](link)`, `[text][reference]`
        i += 1
    # a run that can open, with a run of its character after it that can close: the pair would be
    # emphasis (`*x*`); the opener is escaped. A closer alone, or an opener alone, is text
    # (`2025-10-25*` at a cell's end, `597*,`, `(83%*)`).
    for n, (start, end, opens, _) in enumerate(runs):
        if opens and any(text[later] == text[start] and closes for later, _, _, closes in runs[n + 1:]):
            escape[start:end] = [True] * (end - start)
    for found in (*_MD_ENTITY.finditer(text), *_MD_TAG.finditer(text)):
        escape[found.start()] = True
    lead = len(text) - len(text.lstrip(" "))
    if not line_start:
        pass
    elif (found := _MD_LINE_START.match(text, lead)) is not None:
        escape[found.start()] = True
    elif (found := _MD_ORDERED.match(text, lead)) is not None:
        escape[found.start(2)] = True
    return "".join("\\" + c if e else c for c, e in zip(text, escape))


def md_code(text: object) -> str:
    """Text as a Markdown code span that holds it whole (CommonMark): fenced by one backtick more than its
    longest run of backticks (a folder `my`data` ended a span of one and let the rest be read as markup), and
    padded with a space at each end where it starts or ends with a backtick or a space (which the span would
    take as part of its fence, or strip). No line breaks."""
    text = " ".join(str(text).splitlines())
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_table(header: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(md_text(c, line_start=False) for c in row) + " |" for row in rows]
    return lines


def data_name(problem: Problem) -> str:
    """The data folder's name, as every output names it (the terminal's and the Markdown's titles, the
    report's and the charts', the calendar's and the workbook's): 'fi' for `--data .` in `fi/`, 'data'
    when the problem was not read from a folder; as a UTF-8 output holds it (`io.readable`)."""
    from pathlib import Path

    from .io import readable

    if problem.data_dir is None:
        return "data"
    return readable(Path(problem.data_dir).resolve().name or "data")


def to_markdown(problem: Problem, solution: Solution, *, status: str | None = None) -> str:
    """A Markdown report: status and objective (each term with its unit: `objective_units`), the plan by
    window, the per-window summary and the peak load per pool; an estimated figure (users, a limit, a load, a
    share live, a go-live or window date that is an estimate or inference, the objective where it rests on
    estimated populations) marked `*`, with one note under the tables. `status`: the status to state instead
    of `status_text` (`hpplan report --plan` states what the verifier found: "optimal as saved; breaks 3
    rules or limits of this data", as its other formats do)."""
    checked_arguments("to_markdown", problem, solution)
    where = data_name(problem)
    lines = [
        "# Rollout plan",
        "",
        f"- Data: {md_code(where)}",
        f"- Planning date: {problem.planning_date.isoformat()}",
        f"- Status: **{md_text(status, line_start=False) if status is not None else status_text(solution)}**",
    ]
    lines += [f"- Scenario: {md_text(marked_applied(change), line_start=False)}" for change in problem.applied]
    stats = solution.stats
    if (source := plan_source(solution)) is not None:
        lines.append(f"- Source: {PLAN_FILE} {md_text(source, line_start=False)} (not solved)")
    else:
        workers = f"{stats.workers} worker{'s' if stats.workers != 1 else ''}"
        lines.append(f"- Solver: {stats.engine}, seed {stats.seed}, {workers}")

    marks = applied_estimated(problem)  # an estimated figure is shown: the note says what the mark means
    if solution.objective:
        lines += ["", "## Objective", ""]
        objective_estimate = objective_estimated(problem, solution)
        marks |= any(objective_estimate.values())
        units = objective_units(problem, solution.objective)
        lines += _md_table(["term", "value", "unit"], [[k, marked(fmt_number(v), objective_estimate[k]), units.get(k, "")]
                                                       for k, v in objective_terms(solution)], {1})

    lines += ["", "## Plan by window", ""]
    groups = plan_groups(problem, solution)
    if groups:
        rows = []
        for group in groups:
            label = group.window.id if group.window is not None else group.title
            if group.marked_history:
                label += " (history)"
            for entry in group.entries:
                org = problem.org.get(entry.id)
                date_estimate = go_live_estimated(problem, entry)  # its own live_since, or its window's date
                marks |= estimated([org], "users") or date_estimate
                rows.append(
                    [
                        label,
                        marked(entry.go_live.isoformat(), date_estimate) if entry.go_live else "",
                        entry.id,
                        entry.name,
                        entry.kind,
                        entry.sector,
                        org.status.value if org else "",
                        marked(fmt_int(org.users), estimated([org], "users")) if org and org.users is not None else "",
                    ]
                )
        lines += _md_table(
            ["window", "go-live", "id", "name", "kind", "sector", "status", "users"], rows, {7}
        )
        note = tie_break_note(problem, solution)
        if note is not None:  # (the not-scheduled rows end the table)
            lines += ["", f"Not scheduled: {md_text(note, line_start=False)}"]
    else:
        lines.append(f"No plan ({solution.status.value}).")

    summary = window_summary(problem, solution) if solution.plan else []
    if summary:
        lines += ["", "## Summary per window", ""]
        users_estimate = window_users_estimated(problem, solution)
        dates_estimate = window_dates_estimated(problem, solution)  # by the window's own note, as the terminal marks it
        marks |= (any(users_estimate.values()) or any(dates_estimate.values())
                  or any(s.primary_estimate or s.specialist_estimate for s in summary))
        rows = [
            [
                s.window.id + (" (history)" if s.history else ""),
                marked(s.window.date.isoformat(), dates_estimate.get(s.window.id, False)),
                s.window.name or "",
                s.actors,
                marked(fmt_int(s.users), users_estimate.get(s.window.id, False)),
                marked(fmt_share(s.primary_share), s.primary_estimate),
                marked(fmt_share(s.specialist_share), s.specialist_estimate),
            ]
            for s in summary
        ]
        lines += _md_table(
            ["window", "date", "name", "actors", "users", "primary live", "specialist live"], rows, {3, 4, 5, 6}
        )
        lines += [
            "",
            f"Shares are cumulative after each window: the population live over all of it, primary and "
            f"specialist, {SHARE_NOTE}.",
        ]

    peaks = peak_loads(problem, solution)
    if peaks:
        lines += ["", "## Peak load per pool", ""]
        marks |= any_limit_estimated(peaks) or any_load_estimated(peaks)
        rows = [[label, marked(fmt_number(p.used), p.used_estimate), p.month,
                 marked(fmt_number(p.limit), p.limit_estimate), marked(fmt_share(p.utilisation), p.utilisation_estimate)]
                for label, p in peak_rows(peaks)]
        lines += _md_table(["pool", "peak FTE", "month", "limit FTE", "utilisation"], rows, {1, 3, 4})
        from .pool_split import split_sentences  # (it reads this module's figures)

        # as written: ids (`schema.ID_PATTERN`), figures, months and code spans meant as code
        lines += [line for sentence in split_sentences(problem, solution) for line in ("", sentence)]
    if marks:  # under the tables; escaped: a line starting with `* ` would be a list item, its mark not shown
        lines += ["", "\\" + estimate_note(any_load_estimated(peaks)) + "."]
    return "\n".join(lines) + "\n"


__all__ = [
    "CSV_COLUMNS",
    "ESTIMATE_MARK",
    "ESTIMATE_NOTE",
    "FORMULA_START",
    "NOT_IN_PLAN",
    "PLAN_FILE",
    "PeakLoad",
    "PlanGroup",
    "WindowSummary",
    "capacity_estimated",
    "date_estimated",
    "estimate_note",
    "estimated_loads",
    "objective_estimated",
    "objective_units",
    "checked_arguments",
    "checked_plan",
    "csv_text",
    "entry_of",
    "not_in_plan",
    "peak_loads",
    "plan_groups",
    "plan_source",
    "share_estimated",
    "solver_facts",
    "to_csv",
    "to_markdown",
    "estimated",
    "estimates_named",
    "entry_estimates_named",
    "covered_by",
    "left_to_the_tie_break",
    "tie_break_note",
    "share_counted",
    "SHARE_NOTE",
    "marked",
    "marked_applied",
    "applied_estimated",
    "row_names",
    "window_before",
    "window_of",
    "window_summary",
    "window_date_estimated",
    "window_dates_estimated",
    "window_title",
    "go_live_estimated",
    "note_is_estimate",
    "window_users_estimated",
]
