"""An independent plan verifier: does a plan satisfy every rule and limit of docs/rules.md?

What is its own: every check. It shares no constraint code with the optimisation model (`hpplan.model`)
and uses none of `Problem`'s derived helpers (window order and positions, months, domains, loads by
pool and month, capacity in tenths, horizon). From the loaded data (`problem.organisations`,
`problem.waves`) it works out every rule, limit, monthly load sum and objective term itself, so that a
mistake in the model or in `problem.py` cannot hide a broken plan.

What it shares with the model (docs/rules.md): the data model's readers in `schema.py`, which
`problem.py` and the model call too. These are `Organisation.is_plannable` and `Organisation.is_mandatory`
(who is planned, who must go live), `Organisation.profile_ids` (the profiles it charges: those named,
else the kind's) and `Organisation.effective_sector` (the sector given, else the kind's: the pool of a
profile that names none), and `Pool.fte_in`, through `Pool.change_in` (the capacity in force in a
month; the rounding to tenths is its own). A mistake in one of these would be made by both alike and
the verifier would pass the plan: tests/test_docs_s25.py states how each reads the data. The rest it
takes from `problem.py`, `schema.py` and `formats.py` only for what its findings say: rule numbers and
file names (`Problem.numbering`, `org_file`, `waves_file`) and the `*` of an estimate
(`Sourced.is_estimate`, `formats`).

    violations = verify(problem, solution)
    print(format_violations(violations))
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import combinations

from .errors import Location, did_you_mean
# how a figure that rests on an estimate is shown (`72*`), and which do: a capacity, a sum of users
from .formats import capacity_estimated, estimated, marked
from .problem import Problem
from .schema import (RULE_TYPES, AfterLive, Kind, NotSameWindow, Order, Organisation, Status, Together, WithOrBefore,
                     Window)
from .solution import Assignment, Solution
from .solution import Status as PlanStatus

#: profile values and capacities are compared in tenths of an FTE (docs/rules.md, Capacity)
_TENTHS = 10
#: a reported load or limit may differ this much (FTE) from the recomputed one
_LOAD_TOLERANCE = 0.05 + 1e-9
#: a reported objective term may differ this much from the recomputed one
_OBJECTIVE_TOLERANCE = 0.01
#: a live organisation's window is the nearest window within this many days of `live_since`
_PINNED_WINDOW_DAYS = 6


@dataclass(frozen=True)
class Violation:
    """One broken rule or limit (or an inconsistency in the plan itself).

    `message` is for people; what a program needs to know about the violation is in the fields, so that
    no caller has to parse the wording (which may change): a capacity or load report violation names
    its `pool` and its `month` ("YYYY-MM", as in the plan's load report; a load report month that is no
    YYYY-MM leaves `month` None); other violations leave them None. `estimate`: the message states a
    figure that rests on an estimate, marked `*` (the outputs then say what the mark means): a pool's
    capacity or load (a load profile month whose note is not a fact adds to it), a sum of users, a
    limit (`max_users`, `max_actors`, `max_trusts`), an earliest, return or latest date, each whose
    source note is not a fact. `term`:
    a saved objective's finding names the figure that is stale (`total`, `population_delay`,
    `preference`, `makespan`), for each is a finding of its own at the same line; else None.
    """

    rule: str
    message: str
    actors: tuple[str, ...] = ()
    where: Location | None = None
    pool: str | None = None
    month: str | None = None
    estimate: bool = False
    term: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


#: an organisation's dates that `dated` says (each may rest on an estimate)
DATED = ("earliest", "returns", "latest")


def dated(org: Organisation, field: str) -> str:
    """An organisation's `earliest`, `returns` or `latest` date as a finding (or explain's reason) states
    it: marked `*` when its source note is not a fact (`Sourced.is_estimate`: an estimate, an inference,
    or no note)."""
    return marked(str(getattr(org, field)), org.is_estimate(field))


def format_violations(violations) -> str:
    """One line per violation: `file:line: message`, or just the message when the place is unknown."""
    return "\n".join(str(v) for v in violations)


#: the verifier's findings about figures saved with a plan (its load report, its objective), by the name
#: of the figure: out of date once the data changed (or the plan was edited), not a rule the plan's
#: go-lives break
SAVED_FIGURES = {"load_report": "load", "objective": "objective"}


def broken_rules(violations: list) -> list:
    """The findings about rules and limits the plan breaks (not its saved figures: `stale_figures`)."""
    return [v for v in violations if getattr(v, "rule", None) not in SAVED_FIGURES]


def stale_figures(violations: list) -> list:
    """The findings about figures saved with the plan (load, objective) that this data does not give."""
    return [v for v in violations if getattr(v, "rule", None) in SAVED_FIGURES]


def stale_names(violations: list) -> list[str]:
    """The saved figures the findings say are stale, by name in SAVED_FIGURES order: ['load', 'objective']."""
    rules = {getattr(v, "rule", None) for v in violations}
    return [name for rule, name in SAVED_FIGURES.items() if rule in rules]


def saved_figures_text(names: list[str]) -> str | None:
    """'saved load and objective are not this data's', for the names of stale figures; None for none."""
    if not names:
        return None
    return f"saved {' and '.join(names)} {'is' if len(names) == 1 else 'are'} not this data's"


def stale_text(violations: list) -> str | None:
    """'its saved load and objective are not this data's', for the stale figures among the findings;
    None when there are none."""
    text = saved_figures_text(stale_names(violations))
    return f"its {text}" if text else None


def why_mandatory(org: Organisation) -> str:
    """Why an organisation must go live, in words: 'status signed', or 'opted out, returns 2024-12-19'
    ("status opted_out ... must be scheduled" read as a contradiction), the return date marked as
    `dated` marks it wherever else it is stated (`mandatory_estimated` says when)."""
    if org.status is Status.opted_out and org.returns is not None:
        return f"opted out, returns {dated(org, 'returns')}"
    return f"status {org.status.value}"


def mandatory_estimated(org: Organisation) -> bool:
    """Whether `why_mandatory` marks a figure `*`: an opted-out organisation's return date that is not a fact."""
    return org.status is Status.opted_out and org.returns is not None and org.is_estimate("returns")


# --------------------------------------------------------------------------------------------------
# small, self-contained time helpers (deliberately not problem.month_index & co.)


def _month(day: dt.date) -> int:
    return day.year * 12 + (day.month - 1)


def _month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _parse_month(label: str) -> int | None:
    try:
        year, month = str(label).split("-")
        y, m = int(year), int(month)
    except ValueError:
        return None
    if not 1 <= m <= 12 or len(year) != 4:
        return None
    return y * 12 + (m - 1)


def _tenths(value: float) -> int:
    return round(value * _TENTHS)


def _fte(tenths: int) -> str:
    return f"{tenths / _TENTHS:.1f}"


@dataclass(frozen=True)
class _Go:
    """Where an organisation stands in the plan, as this verifier sees it."""

    date: dt.date | None  # None: unscheduled ("never")
    window: str | None  # window id (pinned: the nearest window within 6 days, or None)
    position: int | None  # place in the (date, id)-sorted list of all windows
    pinned: bool

    @property
    def scheduled(self) -> bool:
        return self.date is not None

    @property
    def month(self) -> int | None:
        return _month(self.date) if self.date is not None else None


_UNSCHEDULED = _Go(None, None, None, False)


@dataclass(frozen=True)
class _Scope:
    """Where a plan that differs from a base plan in some organisations' go-lives can have other
    findings than the base plan: those organisations' own entries, the rules that name them, the limits
    of the windows they leave or enter, and the pool months their loads leave or enter. Everywhere else
    the two plans are alike, and so are their findings."""

    orgs: frozenset[str]
    windows: frozenset[str]
    months: frozenset[tuple[str, int]]  # (pool id, month)

    @staticmethod
    def of(verifier: _Verifier, base: _Verifier, changed: frozenset[str]) -> _Scope:
        windows = {v.go[i].window for v in (base, verifier) for i in changed if i in v.go}
        months = {(pool, m) for v in (base, verifier) for i in changed if i in v.go
                  for pool, m, _, _ in v.org_loads(i)}
        return _Scope(changed, frozenset(windows - {None}), frozenset(months))


class _Verifier:
    """The checks of one plan. With `base` (the verifier of a plan this one differs from in the
    organisations `changed` only, run already): only the findings that can differ from the base plan's
    are looked for (`_Scope`); see `PlanTrials`."""

    def __init__(self, problem: Problem, solution: Solution, check_objective: bool,
                 base: _Verifier | None = None, changed: frozenset[str] = frozenset(), scope: _Scope | None = None):
        self.problem = problem
        self.solution = solution
        self.check_objective = check_objective
        self.waves = problem.waves
        self.orgs: dict[str, Organisation] = {}
        for org in problem.organisations:
            self.orgs.setdefault(org.id, org)
        self.planning_date: dt.date = self.waves.planning_date
        # all windows sorted by (date, id): the positions of docs/rules.md
        self.all_windows: list[Window] = sorted(self.waves.windows, key=lambda w: (w.date, w.id))
        self.window: dict[str, Window] = {w.id: w for w in self.all_windows}
        self.position: dict[str, int] = {w.id: i for i, w in enumerate(self.all_windows)}
        self.future: list[Window] = [w for w in self.all_windows if w.date >= self.planning_date]
        self.profiles = {p.id: p for p in self.waves.load_profiles}
        self.tracks = {t.id: t for t in self.waves.tracks}
        self.start_month = _month(self.planning_date)
        if self.waves.horizon_end is not None:
            self.end_month = _month(self.waves.horizon_end)
        else:
            longest = max((len(p.hypercare) for p in self.waves.load_profiles), default=0)
            self.end_month = _month(self.all_windows[-1].date) + max(longest - 1, 0)
        #: (violation, sequence): the sequence orders violations of one rule (rule index, month, ...)
        self.violations: list[tuple[Violation, tuple]] = []
        self._seq: tuple = ()  # the default sequence of `add` (the rule being checked)
        self.entries: dict[str, list[Assignment]] = {}
        for a in solution.plan:
            self.entries.setdefault(a.id, []).append(a)
        self.base = base
        self.scope: _Scope | None = None
        if base is None:
            self.go: dict[str, _Go] = {org_id: self._go(org) for org_id, org in self.orgs.items()}
        else:
            self.go = dict(base.go)
            for org_id in changed:
                if org_id in self.orgs:
                    self.go[org_id] = self._go(self.orgs[org_id])
            self.scope = scope or _Scope.of(self, base, changed)

    # ---- helpers --------------------------------------------------------------------------------

    def add(self, rule: str, message: str, actors=(), where: Location | None = None, seq: tuple = (), *,
            pool: str | None = None, month: str | None = None, estimate: bool = False,
            term: str | None = None) -> None:
        self.violations.append((Violation(rule, message, tuple(actors), where, pool, month, estimate, term),
                                seq or self._seq))

    def who(self, org_id: str) -> str:
        org = self.orgs.get(org_id)
        return f"{org.name} ({org.id})" if org else org_id

    def where_window(self, window_id: str | None) -> str:
        if window_id is None:
            return "no window"
        w = self.window.get(window_id)
        return f"window {window_id} ({w.date.isoformat()})" if w else f"unknown window {window_id}"

    def describe(self, org_id: str) -> str:
        go = self.go[org_id]
        if not go.scheduled:
            return "unscheduled"
        what = "live since" if go.pinned else "goes live"
        window = f" in window {go.window}" if go.window else (" (no window)" if go.pinned else "")
        return f"{what} {go.date.isoformat()}{window}"

    def pinned_window(self, day: dt.date) -> str | None:
        best = min(self.all_windows, key=lambda w: (abs((w.date - day).days), w.date, w.id))
        return best.id if abs((best.date - day).days) <= _PINNED_WINDOW_DAYS else None

    def position_by_date(self, day: dt.date) -> int:
        """The position of the last window dated on or before `day` (-1: before every window)."""
        pos = -1
        for i, w in enumerate(self.all_windows):
            if w.date <= day:
                pos = i
        return pos

    def _go(self, org: Organisation) -> _Go:
        if org.status is Status.live:
            assert org.live_since is not None
            window = self.pinned_window(org.live_since)
            pos = self.position[window] if window else self.position_by_date(org.live_since)
            return _Go(org.live_since, window, pos, True)
        entries = self.entries.get(org.id)
        if not entries or entries[0].go_live is None:
            return _UNSCHEDULED
        a = entries[0]
        pos = self.position[a.window] if a.window in self.position else self.position_by_date(a.go_live)
        return _Go(a.go_live, a.window, pos, False)

    def org_profiles(self, org: Organisation) -> list[tuple[str | None, object]]:
        """(pool id, raw load profile) for each profile the organisation charges."""
        result = []
        for profile_id in org.profile_ids:
            profile = self.profiles.get(profile_id)
            if profile is None:
                continue
            if profile.pool is not None:
                result.append((profile.pool, profile))
            else:
                sector_pools = [p.id for p in self.waves.pools if p.sector is not None and p.sector == org.effective_sector]
                result.extend((pool_id, profile) for pool_id in sector_pools)
        return result

    def before_len(self, org: Organisation) -> int:
        return max((len(profile.before) for _, profile in self.org_profiles(org)), default=0)

    def completion(self, org: Organisation, month: int) -> int:
        """The month after its hypercare ends (its go-live month when it has none), going live in `month`."""
        return month + max((len(profile.hypercare) for _, profile in self.org_profiles(org)), default=0)

    @staticmethod
    def rule_label(rule, number: int) -> str:
        label = f"{rule.type} rule {rule.id!r}" if rule.id else f"{rule.type} rule #{number}"
        return f"{label} ({rule.reason})" if rule.reason else label

    # ---- the checks -----------------------------------------------------------------------------

    def run(self) -> list[Violation]:
        return [v for v, _ in sorted(self.findings(), key=_sort_key)]

    def findings(self) -> list[tuple[Violation, tuple]]:
        """The violations found, each once, with its sequence (`_sort_key`), unsorted."""
        self.check_plan()
        self.check_rules()
        self.check_limits()
        loads = self.compute_loads()
        self.check_capacity(loads)
        self.check_load_report(loads)
        if self.check_objective:
            self.check_objective_terms()
        return list(dict.fromkeys(self.violations))

    def check_plan(self) -> None:
        scope = self.scope
        for org_id, entries in self.entries.items():
            if scope is not None and org_id not in scope.orgs:
                continue
            if org_id not in self.orgs:
                self.add(
                    "unknown_actor",
                    f"the plan names {org_id!r}, which is not an organisation in "
                    f"{self.problem.org_file}{did_you_mean(org_id, self.orgs)}",
                    (org_id,),
                )
        for org in self.orgs.values() if scope is None else [self.orgs[i] for i in scope.orgs if i in self.orgs]:
            entries = self.entries.get(org.id, [])
            if not entries:
                # one finding: left out, it is unscheduled too, and a mandatory one's "must go live" said again
                # counted each organisation left out twice
                must = f" (it must go live: {why_mandatory(org)})" if org.is_mandatory else ""
                self.add("plan", f"{self.who(org.id)} is missing from the plan{must}", (org.id,), org.at,
                         estimate=bool(must) and mandatory_estimated(org))
                continue
            if len(entries) > 1:
                self.add("plan", f"{self.who(org.id)} appears {len(entries)} times in the plan", (org.id,), org.at)
            self.check_organisation(org, entries[0])

    def check_organisation(self, org: Organisation, a: Assignment) -> None:
        who = self.who(org.id)
        # where the field the rule reads is written (a scenario's change, if one set it), else the organisation
        field = {"earliest": "earliest", "returns": "returns", "latest": "latest", "track": "track",
                 "mandatory": "status", "not_plannable": "status", "pinned": "live_since"}
        add = lambda rule, msg, estimate=False: self.add(  # noqa: E731
            rule, msg, (org.id,), org.field_at(field.get(rule, "id")), estimate=estimate)
        if org.status is Status.live:
            window = self.go[org.id].window
            if not a.pinned:
                add("pinned", f"{who} is live since {org.live_since} but the plan does not mark it pinned")
            if a.go_live != org.live_since:
                add("pinned", f"{who} is live since {org.live_since} but the plan says go-live "
                    f"{a.go_live.isoformat() if a.go_live else 'none'}")
            if a.window != window:
                add("pinned", f"{who} went live in {self.where_window(window)} (nearest window within "
                    f"{_PINNED_WINDOW_DAYS} days of {org.live_since}) but the plan says {self.where_window(a.window)}")
            return
        if a.pinned:
            add("pinned", f"{who} is marked pinned but is not live (status {org.status.value})")
        scheduled = a.go_live is not None
        if not org.is_plannable:
            if scheduled or a.window is not None:
                add("not_plannable", f"{who} is opted out with no return date and must stay unscheduled, "
                    f"but the plan has it go live {a.go_live or '(no date)'} in {self.where_window(a.window)}")
            return
        if not scheduled:
            if a.window is not None:
                add("window", f"{who} has {self.where_window(a.window)} but no go-live date")
            if org.is_mandatory:
                add("mandatory", f"{who} must go live ({why_mandatory(org)}) but is unscheduled",
                    mandatory_estimated(org))
            return
        go_live = a.go_live
        if a.window is None:
            add("window", f"{who} goes live {go_live} without a window")
        elif a.window not in self.window:
            add("window", f"{who} goes live in window {a.window!r}, which is not in "
                f"{self.problem.waves_file}{did_you_mean(a.window, self.window)}")
        else:
            w = self.window[a.window]
            if w.date < self.planning_date:
                add("window", f"{who} is planned in {self.where_window(w.id)}, a history window "
                    f"(before the planning date {self.planning_date})")
            if go_live != w.date:
                add("window", f"{who} goes live {go_live} but its {self.where_window(w.id)} is dated {w.date}")
        if org.earliest is not None and go_live < org.earliest:
            add("earliest", f"{who} goes live {go_live}, before its earliest date {dated(org, 'earliest')}",
                org.is_estimate("earliest"))
        if org.returns is not None and go_live < org.returns:
            add("returns", f"{who} goes live {go_live}, before it returns from opting out on "
                f"{dated(org, 'returns')}", org.is_estimate("returns"))
        if org.latest is not None and go_live > org.latest:
            add("latest", f"{who} goes live {go_live}, after its latest date {dated(org, 'latest')}",
                org.is_estimate("latest"))
        track = self.tracks.get(org.track) if org.track else None
        if track is not None and track.windows is not None and a.window not in track.windows:
            add("track", f"{who} is on track {track.id}, which goes live only in windows "
                f"{', '.join(track.windows) or '(none)'}, but it goes live in {self.where_window(a.window)}")
        day = self.window[a.window].date if a.window in self.window else go_live
        for b in self.waves.blackouts:
            if not b.from_ <= day <= b.to:
                continue
            names_none = b.actors is None and b.kinds is None
            barred = names_none or org.id in (b.actors or ()) or org.kind in (b.kinds or ())
            if barred:
                self.add("blackout", f"{who} goes live {day}, inside the "
                         f"blackout {b.from_} to {b.to}: {b.reason}", (org.id,), b.at)

    # ---- rules ----------------------------------------------------------------------------------

    def check_rules(self) -> None:
        # rules are named by their number in waves.yaml, kept by scenarios that removed others (data)
        numbers = self.problem.numbering
        if numbers is not None and len(numbers.rules) != len(self.waves.rules):
            numbers = None
        for index, rule in enumerate(self.waves.rules):
            self._seq = (index,)
            label = self.rule_label(rule, numbers.rules[index] if numbers is not None else index + 1)
            check = _RULE_CHECKS.get(type(rule))
            if check is None:  # a rule type added without its check here: never checked as another type
                raise TypeError(f"the verifier has no check for rule type {rule.type!r} ({type(rule).__name__}); "
                                "add one to verify._RULE_CHECKS")
            named = rule.named_ids()
            if self.scope is not None and named and self.scope.orgs.isdisjoint(named):
                continue  # (an `each` rule's pairs are scoped one by one)
            unknown = [n for n in named if n not in self.orgs]
            if unknown:
                self.add("unknown_actor", f"{label} names {', '.join(map(repr, unknown))}, not an organisation in "
                         f"{self.problem.org_file}{did_you_mean(unknown[0], self.orgs)}", tuple(unknown), rule.at)
                continue
            check(self, rule, label)
        self._seq = ()

    def both_pinned(self, *ids: str) -> bool:
        return all(self.go[i].pinned for i in ids)

    def check_with_or_before(self, rule: WithOrBefore, label: str) -> None:
        if rule.each is None:
            pairs = [(rule.actor, rule.target)]
        else:
            pairs = []
            for org in self.orgs.values():
                if org.kind is not Kind.gp_office or org.municipality not in self.orgs:
                    continue
                if self.orgs[org.municipality].status is Status.live:
                    continue  # municipalities already live: the GP office joins when ready
                pairs.append((org.id, org.municipality))
        for actor, target in pairs:
            if self.both_pinned(actor, target):
                continue
            if self.scope is not None and actor not in self.scope.orgs and target not in self.scope.orgs:
                continue
            ga, gt = self.go[actor], self.go[target]
            if ga.scheduled and gt.scheduled and ga.date > gt.date:
                self.add("with_or_before", f"{label}: {self.who(actor)} must go live with or before "
                         f"{self.who(target)}, but {self.who(actor)} {self.describe(actor)} and "
                         f"{self.who(target)} {self.describe(target)}", (actor, target), rule.at)

    def check_together(self, rule: Together, label: str) -> None:
        def key(org_id: str):
            go = self.go[org_id]
            if not go.scheduled:
                return None
            return ("window", go.window) if go.window is not None else ("date", go.date)

        broken = any(
            key(a) != key(b) or (key(a) is not None and key(a)[0] == "date")
            for a, b in combinations(rule.actors, 2)
            if not self.both_pinned(a, b)
        )
        if broken:
            states = "; ".join(f"{self.who(a)} {self.describe(a)}" for a in rule.actors)
            self.add("together", f"{label}: these must go live in the same window, or none of them: {states}",
                     rule.actors, rule.at)

    def check_order(self, rule: Order, label: str) -> None:
        for a, b in zip(rule.actors, rule.actors[1:]):
            if self.both_pinned(a, b):
                continue
            ga, gb = self.go[a], self.go[b]
            if not gb.scheduled:
                continue
            if not ga.scheduled:
                self.add("order", f"{label}: {self.who(b)} {self.describe(b)}, but {self.who(a)}, which must go "
                         f"live before it, is unscheduled", (a, b), rule.at)
                continue
            problems = []
            gap_windows = gb.position - ga.position
            if gap_windows < rule.min_gap_windows:
                problems.append(f"{gap_windows} window(s) apart, at least {rule.min_gap_windows} required")
            gap_months = gb.month - ga.month
            if gap_months < rule.min_gap_months:
                problems.append(f"{gap_months} month(s) apart, at least {rule.min_gap_months} required")
            if problems:
                self.add("order", f"{label}: {self.who(b)} must go live after {self.who(a)}, but "
                         f"{self.who(a)} {self.describe(a)} and {self.who(b)} {self.describe(b)}: "
                         f"{'; '.join(problems)}", (a, b), rule.at)

    def check_after_live(self, rule: AfterLive, label: str) -> None:
        first, then = rule.first, rule.then
        if self.both_pinned(first, then):
            return
        gf, gt = self.go[first], self.go[then]
        if not gt.scheduled:
            return
        if not gf.scheduled:
            self.add("after_live", f"{label}: {self.who(then)} {self.describe(then)}, but {self.who(first)}, "
                     f"which must be live before its preparation starts, is unscheduled", (first, then), rule.at)
            return
        if gt.position < gf.position:
            self.add("after_live", f"{label}: {self.who(then)} {self.describe(then)}, before {self.who(first)}, "
                     f"which {self.describe(first)} and must be live before {self.who(then)} prepares",
                     (first, then), rule.at)
            return
        k = self.before_len(self.orgs[then])
        prep_start = gt.month - k
        if prep_start < gf.month:
            self.add("after_live", f"{label}: {self.who(then)}'s preparation ({k} month(s) before its go-live "
                     f"{gt.date}) starts {_month_label(prep_start)}, before {self.who(first)}'s go-live month "
                     f"{_month_label(gf.month)}; it must start {_month_label(gf.month)} or later",
                     (first, then), rule.at)

    def check_not_same_window(self, rule, label: str) -> None:
        for a, b in combinations(rule.actors, 2):
            if a == b or self.both_pinned(a, b):
                continue
            ga, gb = self.go[a], self.go[b]
            if ga.scheduled and gb.scheduled and ga.window is not None and ga.window == gb.window:
                self.add("not_same_window", f"{label}: {self.who(a)} and {self.who(b)} must not go live in the "
                         f"same window, but both go live in {self.where_window(ga.window)}", (a, b), rule.at)

    # ---- limits ---------------------------------------------------------------------------------

    def check_limits(self) -> None:
        goers: dict[str, list[str]] = {}
        for org_id, go in self.go.items():
            if go.scheduled and go.window is not None:
                goers.setdefault(go.window, []).append(org_id)
        for index, limit in enumerate(self.waves.limits):
            if limit.windows is not None:
                windows = [self.window[w] for w in dict.fromkeys(limit.windows) if w in self.window]
                windows = [w for w in windows if w.date >= self.planning_date]  # history is never judged
            else:
                windows = self.future
            for w in windows:
                if self.scope is not None and w.id not in self.scope.windows:
                    continue
                ids = goers.get(w.id, [])
                if not ids or self.both_pinned(*ids):
                    continue
                orgs = [self.orgs[i] for i in ids]
                counted = [o for o in orgs if limit.kinds is None or o.kind in limit.kinds]
                trusts = [o for o in orgs if o.kind is Kind.health_trust]
                only = f" ({', '.join(k.value for k in limit.kinds)} only)" if limit.kinds is not None else ""
                # (name, bound, value, whether the value rests on an estimate, unit, members): a count of
                # organisations is exact; a sum of users is an estimate where one of them is (`estimated`)
                checks = [
                    ("max_actors", limit.max_actors, len(counted), False, f"organisations{only}", counted),
                    ("max_users", limit.max_users, sum(o.users or 0 for o in counted), estimated(counted, "users"),
                     f"users{only}", counted),
                    ("max_trusts", limit.max_trusts, len(trusts), False, "health trusts", trusts),
                ]
                for name, bound, value, value_estimate, unit, members in checks:
                    if bound is not None and value > bound:
                        names = ", ".join(self.who(o.id) for o in members)  # those the limit counts
                        bound_estimate = limit.is_estimate(name)
                        self.add(f"limit.{name}", f"{self.where_window(w.id)} has {marked(str(value), value_estimate)} "
                                 f"{unit} going live, more than {name} {marked(str(bound), bound_estimate)}: {names}",
                                 tuple(o.id for o in members), limit.field_at(name), (index, self.position[w.id]),
                                 estimate=value_estimate or bound_estimate)

    # ---- capacity -------------------------------------------------------------------------------

    def compute_loads(self) -> dict[str, dict[int, dict[str, int]]]:
        """pool id -> month -> organisation id -> load in tenths of an FTE (every month with load; scoped:
        the months of the scope, the base plan's loads with the changed organisations' own)."""
        loads: dict[str, dict[int, dict[str, int]]] = {p.id: {} for p in self.waves.pools}
        #: (pool id, month) -> the organisations whose load there rests on an estimate: a profile month
        #: adds to it whose source note (`before` or `hypercare`) is not a fact; a capacity finding marks
        #: such a load `*`
        self.estimated_by: dict[tuple[str, int], set[str]] = {}
        if self.scope is None:
            for org_id in self.go:
                self._add_load(loads, org_id)
        else:
            base = self.base
            for pool_id, month in self.scope.months:
                if month in base.loads[pool_id]:
                    loads[pool_id][month] = {i: t for i, t in base.loads[pool_id][month].items()
                                             if i not in self.scope.orgs}
                if (pool_id, month) in base.estimated_by:
                    self.estimated_by[pool_id, month] = base.estimated_by[pool_id, month] - self.scope.orgs
            for org_id in self.scope.orgs & self.go.keys():  # (an id the data lacks loads nothing: no `go`)
                self._add_load(loads, org_id, self.scope.months)
        self.estimated_loads = {key for key, ids in self.estimated_by.items() if ids}
        self.loads = loads
        return loads

    def org_loads(self, org_id: str) -> list[tuple[str, int, int, bool]]:
        """(pool id, month, tenths of an FTE, rests on an estimate) of each load month of an organisation
        where the plan has it (none: unscheduled)."""
        go = self.go[org_id]
        if not go.scheduled:
            return []
        result = []
        month = go.month
        for pool_id, profile in self.org_profiles(self.orgs[org_id]):
            values = [(month - len(profile.before) + i, v, "before") for i, v in enumerate(profile.before)]
            values += [(month + j, v, "hypercare") for j, v in enumerate(profile.hypercare)]
            for m, v, part in values:
                t = _tenths(v)
                if t:
                    result.append((pool_id, m, t, profile.is_estimate(part)))
        return result

    def _add_load(self, loads, org_id: str, months: set[tuple[str, int]] | None = None) -> None:
        for pool_id, m, t, estimate in self.org_loads(org_id):
            if pool_id not in loads or (months is not None and (pool_id, m) not in months):
                continue
            per_org = loads[pool_id].setdefault(m, {})
            per_org[org_id] = per_org.get(org_id, 0) + t
            if estimate:
                self.estimated_by.setdefault((pool_id, m), set()).add(org_id)

    def capacity(self, pool, month: int) -> int:
        # loads are whole tenths (the data's rule), so a capacity between two tenths holds the lower one
        return math.floor(round(pool.fte_in(_month_label(month)) * _TENTHS, 6))

    def check_capacity(self, loads) -> None:
        for pool in self.waves.pools:
            for month in range(self.start_month, self.end_month + 1):
                if self.scope is not None and (pool.id, month) not in self.scope.months:
                    continue
                per_org = loads[pool.id].get(month, {})
                used, cap = sum(per_org.values()), self.capacity(pool, month)
                if used > cap:
                    parts = ", ".join(f"{self.who(i)} {_fte(t)}" for i, t in sorted(per_org.items()))
                    label = _month_label(month)
                    estimate = capacity_estimated(pool, label)
                    load_estimate = (pool.id, month) in self.estimated_loads
                    self.add("capacity", f"pool {pool.id} in {label}: load {marked(_fte(used), load_estimate)} FTE "
                             f"exceeds capacity {marked(_fte(cap), estimate)} FTE ({parts})", tuple(sorted(per_org)),
                             pool.capacity_at(label), (pool.id, month), pool=pool.id, month=label,
                             estimate=estimate or load_estimate)

    def check_load_report(self, loads) -> None:
        pools = {p.id: p for p in self.waves.pools}
        limits: list[tuple] = []  # the months whose reported limit is not the capacity: said in runs, below
        for index, point in enumerate(self.solution.load):
            self._seq = (index,)
            pool = pools.get(point.pool)
            month = _parse_month(point.month)
            if pool is None:
                self.add("load_report", f"the load report names pool {point.pool!r}, which is not in "
                         f"{self.problem.waves_file}{did_you_mean(point.pool, pools)}")
                continue
            if month is None:
                self.add("load_report", f"the load report for pool {pool.id} has month {point.month!r}; "
                         f"expected YYYY-MM", where=pool.at, pool=pool.id)
                continue
            used = sum(loads[pool.id].get(month, {}).values()) / _TENTHS
            cap = self.capacity(pool, month) / _TENTHS
            label = _month_label(month)
            if abs(point.used - used) > _LOAD_TOLERANCE:
                self.add("load_report", f"the load report says pool {pool.id} uses {point.used:g} FTE in "
                         f"{point.month}, but the plan's load is {used:.1f} FTE", where=pool.at, pool=pool.id,
                         month=label)
            if abs(point.limit - cap) > _LOAD_TOLERANCE:
                limits.append((index, pool, month, point.limit, cap))
        # a capacity changed since the plan was saved differs in every month it covers: one finding per run
        # of months with the same figures (at the line that states the capacity), not one per month
        runs: list[list[tuple]] = []
        for item in limits:
            last = runs[-1][-1] if runs else None
            if (last is not None and last[1] is item[1] and last[2] + 1 == item[2] and last[3:] == item[3:]
                    and last[1].capacity_at(_month_label(last[2])) == item[1].capacity_at(_month_label(item[2]))):
                runs[-1].append(item)
            else:
                runs.append([item])
        for run in runs:
            index, pool, month, reported, cap = run[0]
            first, end = _month_label(month), _month_label(run[-1][2])
            months = f"in {first}" if len(run) == 1 else f"in {first} to {end} ({len(run)} months)"
            estimate = capacity_estimated(pool, first)  # the run has one line, one note
            self.add("load_report", f"the load report says pool {pool.id} has {reported:g} FTE {months}, but its "
                     f"capacity {'is' if len(run) == 1 else 'there is'} {marked(f'{cap:.1f}', estimate)} FTE",
                     where=pool.capacity_at(first), seq=(index,), pool=pool.id, month=first, estimate=estimate)
        self._seq = ()

    # ---- objective ------------------------------------------------------------------------------

    def objective_terms(self) -> dict[str, int]:
        weights = self.waves.objective
        horizon_months = self.end_month - self.start_month + 1
        delay = 0
        preference = 0
        future_index = {w.id: i for i, w in enumerate(self.future)}
        for org in self.orgs.values():
            if not org.is_plannable:
                continue
            go = self.go[org.id]
            months = go.month - self.start_month if go.scheduled else horizon_months + weights.unscheduled_months
            delay += (org.population or 0) * months
            if org.preferred_window is None or org.preferred_window not in self.window:
                continue
            if not go.scheduled:
                distance = len(self.future)
            elif go.window in future_index and org.preferred_window in future_index:
                distance = abs(future_index[go.window] - future_index[org.preferred_window])
            else:
                # a history (or unknown) window on either side: count the future windows between them,
                # the later one included
                low, high = sorted((go.position, self.position[org.preferred_window]))
                distance = sum(1 for w in self.future if low < self.position[w.id] <= high)
            preference += weights.preferred_window_penalty * distance
        delay *= weights.population_weight
        if weights.kind == "makespan":
            finish = max((self.completion(self.orgs[i], go.month) for i, go in self.go.items()
                          if go.scheduled and not go.pinned), default=self.start_month)
            makespan = finish - self.start_month
            return {"makespan": makespan, "total": makespan}
        return {"population_delay": delay, "preference": preference, "total": delay + preference}

    def check_objective_terms(self) -> None:
        reported = self.solution.objective
        if not any(k in reported for k in ("population_delay", "preference", "makespan", "total")):
            return
        expected = self.objective_terms()
        where = self.waves.objective.at
        for key, value in expected.items():
            if key in reported and abs(float(reported[key]) - value) > _OBJECTIVE_TOLERANCE:
                self.add("objective", f"the plan reports objective {key} = {_exact(float(reported[key]))}, but "
                         f"the plan's {key} is {_exact(value)} with this data: the plan was solved from other data "
                         "(a population, a cost or the objective's weights changed since) or its go-lives were "
                         "edited after it was written; solve again to bring the plan up to date", where=where,
                         term=key)


def _exact(value: float) -> str:
    """A number in full (6692597, 6692597.5): `:g` rounds to six digits, so 6692598 showed as 6.6926e+06."""
    return str(int(value)) if value == int(value) else repr(value)


#: each rule class -> its check (`_Verifier.check_rules`): a rule type missing here is an error, not a check of
#: another type. Written here, not taken from the model: the verifier is the model's independent check
_RULE_CHECKS = {
    WithOrBefore: _Verifier.check_with_or_before,
    Together: _Verifier.check_together,
    Order: _Verifier.check_order,
    AfterLive: _Verifier.check_after_live,
    NotSameWindow: _Verifier.check_not_same_window,
}

_RULE_ORDER = (
    "unknown_actor", "plan", "pinned", "not_plannable", "mandatory", "window", "earliest", "returns",
    "latest", "track", "blackout", *RULE_TYPES,
    "limit.max_actors", "limit.max_users", "limit.max_trusts", "capacity", "load_report", "objective",
)
_RANK = {rule: i for i, rule in enumerate(_RULE_ORDER)}


def _sort_key(item: tuple[Violation, tuple]):
    v, seq = item
    return (_RANK.get(v.rule, len(_RANK)), v.rule, v.where is None, str(v.where.file) if v.where else "",
            (v.where.line or 0) if v.where else 0, seq, v.actors, v.message)


def verify(problem: Problem, solution: Solution, *, check_objective: bool = True) -> list[Violation]:
    """Check `solution.plan` (and its load report and objective) against docs/rules.md.

    Returns the violations, sorted by kind of rule, place and actors; an empty list means the plan
    satisfies every rule and limit. A solution with no plan (infeasible, or none found in time) is a
    ValueError, as `to_csv` and `to_ics` say it: a list of every organisation "missing from the plan"
    would read as a broken plan the solver returned.
    """
    if not isinstance(problem, Problem):  # (its own check: the verifier takes no helper of problem.py)
        raise TypeError(f"verify takes a Problem (hpplan.load_problem(folder)), got {type(problem).__name__}")
    if not isinstance(solution, Solution):
        raise TypeError(f"verify takes a Solution (from hpplan.solve, or hpplan.read_plan(file)), "
                        f"got {type(solution).__name__}")
    if not solution.found:
        raise ValueError(f"verify: the solution has no plan ({solution.status.value}), so there is nothing to "
                         "verify; check `solution.found` first")
    return _Verifier(problem, solution, check_objective).run()


class PlanTrials:
    """Many variants of one plan, each with a few organisations put elsewhere ("what breaks with them
    in window w?": the causes of `hpplan compare`), checked as `verify` checks the go-lives of a plan
    (no load report, no objective). The plan is checked in full once; a variant only where it differs
    from it (`_Scope`), so a variant at national scale takes milliseconds, not a full check's tenth of a
    second. A change naming an organisation the plan does not have is not put in."""

    def __init__(self, problem: Problem, plan: Solution | list[Assignment]):
        if not isinstance(problem, Problem):
            raise TypeError(f"PlanTrials takes a Problem, got {type(problem).__name__}")
        self.problem = problem
        self.plan = list(plan.plan if isinstance(plan, Solution) else plan)
        self._ids = {a.id for a in self.plan}
        self._base = _Verifier(problem, Solution(status=PlanStatus.feasible, plan=self.plan), False)
        self._findings = self._base.findings()
        self._found = {(v.rule, v.message) for v, _ in self._findings}

    def _variant(self, changes: list[Assignment]) -> _Verifier:
        put = {a.id: a for a in changes if a.id in self._ids}
        entries = [put.get(a.id, a) for a in self.plan]
        return _Verifier(self.problem, Solution(status=PlanStatus.feasible, plan=entries), False, self._base,
                         frozenset(put))

    def new_violations(self, changes: list[Assignment]) -> list[Violation]:
        """The findings of the plan with `changes` put in place of those organisations' entries, less the
        plan's own findings, sorted as `verify` sorts them."""
        found = self._variant(changes).findings()
        return [v for v, seq in sorted(found, key=_sort_key) if (v.rule, v.message) not in self._found]

    def violations(self, changes: list[Assignment]) -> list[Violation]:
        """All the findings of the plan with `changes` put in, as `verify` of it gives them: the plan's own
        outside the variant's scope, and the variant's inside it."""
        variant = self._variant(changes)
        inside = _Verifier(self.problem, Solution(status=PlanStatus.feasible, plan=self.plan), False, self._base,
                           variant.scope.orgs, variant.scope)
        before = set(inside.findings())
        found = dict.fromkeys([f for f in self._findings if f not in before] + variant.findings())
        return [v for v, _ in sorted(found, key=_sort_key)]


def plan_objective(problem: Problem, solution: Solution) -> dict[str, int]:
    """The objective terms and total of a plan's go-lives under `problem`, worked out as the verifier
    checks a plan's stated objective (docs/model.md "Objective"), whether or not the plan keeps every
    rule: what a saved plan's objective is under today's data."""
    return _Verifier(problem, solution, False).objective_terms()
