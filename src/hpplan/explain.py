"""Why a data set has no plan, and why an organisation does not go live earlier, in the planner's words.

    explanation = explain_infeasible(problem)   # minimal conflicts and the smallest changes that help
    print(explanation.to_text())
    answer = why_not_earlier(problem, "orsta")  # a feasible data set: what holds Ørsta where it is

How a conflict is found (docs/check.md, "How the explanation is found"):

0. First the list scheduler (`solve.list_schedule`, a fraction of a second even at national scale): a
   plan of it that the independent verifier accepts proves that the data admits a plan, and nothing
   more is built or solved. Only when it finds none is the question put to CP-SAT.
1. The switchable model (`build_model(problem, with_objective=False, switchable=True)`) has one Boolean
   switch per constraint group (`model.constraints.Group`): an organisation's mandatory-ness, earliest,
   latest, returns or track; a blackout; a rule; a limit in a window; a pool in a month. A pure
   feasibility solve (no objective, one worker) with the switches as assumptions answers, when
   infeasible, with assumptions sufficient for the infeasibility (a core).
2. What comes back is checked: literals that are not switches that were on are dropped (with presolve a
   core may hold another literal, OR-Tools #5141), and a core that lost a literal is re-solved before it
   is trusted.
3. The core is shrunk by deletion: each group in turn is switched off; if the rest is still infeasible
   the group stays out (and the new core narrows the set further), else it is needed. What remains is
   minimal: drop any one of its groups and the rest can hold. When solves with assumptions are too slow
   (large data: assumptions keep presolve from simplifying), solves fix the switches instead and
   QuickXplain shrinks the set; a solve that cannot decide in time never makes the answer wrong, only
   possibly not minimal, and the conflict then says which groups were not decided.
4. More conflicts are found the same way with the groups of those already found switched off, so that
   they are disjoint.
5. For each group of a conflict, the smallest change of that group alone that lets the data hold (the
   other conflicts set aside) is found by an optimisation over a relaxation variable, then verified by
   a feasibility re-solve with exactly that change.

Pinned history (organisations already live) is a constant of the model: it is never part of a conflict
and never relaxed, but a conflict names it (`given`) when one of its groups involves it.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from ortools.sat.python import cp_model

from .errors import InputError, Location, did_you_mean, grouped
from .formats import (ESTIMATE_NOTE, KIND_PLURAL, capacity_estimated, estimated, fmt_int, marked,
                      window_date_estimated)
from .io import data_folder_around
from .engines.common import Flat
from .portfolio import HIGHS_MAX_COLUMNS, mip_at_optimum_applies
from .model import RolloutModel, build_model
from .model.constraints import GROUP_KINDS, Group
from .model.variables import Slot
from .problem import LOAD_SCALE, Problem, checked_problem, month_index, month_label
from .progress import RaceHook
from .schema import (ID_PATTERN, AfterLive, Located, NotSameWindow, Order, Organisation, Status, Together, Track,
                     WithOrBefore, id_advice)
from .solution import Solution
from .solution import Status as SolveStatus
from .stopping import cp_solver
from .verify import broken_rules, dated, mandatory_estimated, saved_figures_text, stale_names, verify, why_mandatory

#: work limit of one solve, in CP-SAT deterministic seconds (reproducible, unlike wall time); a solve
#: that reaches it is "undecided". Wall time is capped at a multiple of it (and of loading the model,
#: Switchboard.load) as a guard.
SOLVE_TIME_LIMIT = 30.0
_WALL_FACTOR = 4
#: the work a solve with assumptions may take to return a core before the search falls back to
#: solves with the switches fixed (which presolve well) and QuickXplain
CORE_WORK_LIMIT = 2.0
#: while a conflict is shrunk: the work limit of one solve, and how many solves may end undecided
#: before the rest is taken as it is (sound: the set stays proven infeasible, but maybe not minimal)
SHRINK_WORK_LIMIT = 1.0
MAX_UNDECIDED = 6
#: the work limit of one relaxation solve; and the conflict size above which only the changes that
#: act on many organisations at once (a pool's capacity, a limit, a rule, a track, a blackout) are
#: looked for, not one per organisation's date or status
RELAX_WORK_LIMIT = 10.0
RELAX_EACH_MAX = 20
#: why not earlier, where HiGHS does not apply: the work limit of CP-SAT's search, without a hint, for
#: the best plan there that moves the fewest other organisations (then one more from the best plan
#: found, with the question's work limit)
MOVES_WORK_LIMIT = 5.0
#: organisation-level kinds of change (see RELAX_EACH_MAX)
_PER_ORGANISATION = ("mandatory", "earliest", "latest", "returns")
#: how many disjoint conflicts are looked for
MAX_CONFLICTS = 3
#: the work budget of a whole search (every conflict, its shrinking and its changes), as a multiple of
#: the work limit of one solve: each solve's limit bounds that solve, not how many run, and on national
#: data with a pool cut to 2 % a conflict of 5,538 groups made 1,600 solves for its changes, over 15
#: minutes. A solve starts only while some of the budget is left (the solves that decide whether the
#: data admits a plan excepted: they are the answer); the rest is reported as not decided or not
#: computed. Counted in deterministic time, so the same data stops at the same place on any machine.
WORK_BUDGET_FACTOR = 10
#: what a solve costs the budget besides its deterministic time: loading and presolving its model,
#: which CP-SAT does not count (at national scale, 280,000 variables and constraints, 0.6-5 s of wall
#: time at 0.00 deterministic seconds): 1 s per this many variables and constraints of the model
LOAD_SIZE = 250_000
#: an upper bound for relaxation variables (users, tenths of an FTE)
_BIG = 10**9


#: conflicts found, and whether more remain not decided (`Explanation.more_undecided`), as check says it too
MORE_UNDECIDED = "whether there are more was not decided within the work limit (raise --time-limit)"


class Undecided(Exception):
    """A solve ran out of time before it could say feasible or infeasible."""


class PlanBreaksRules(ValueError):
    """The plan a why-not-earlier question is asked about does not keep every rule and limit of the data
    it is asked against (the independent verifier's `violations`, those about rules and limits): it breaks
    some, leaves organisations out, has no go-lives at all (an infeasible solve's), or was made from other
    data (a scenario's changes). An answer about it would weigh the move against what the plan already
    breaks, so none is given (docs/check.md, "Why not earlier?"). Figures saved with the plan that this
    data does not give (its load, its objective) are no reason: the answer does not read them."""

    def __init__(self, name: str, plan: Solution, violations: list):
        self.violations = violations
        count = counted(len(violations), "violation")
        if not plan.plan:
            what = f"the plan has no go-lives at all (status {plan.status.value}): there is no plan to ask about"
        else:
            shown = "; ".join(str(v) for v in violations[:3]) + ("; …" if len(violations) > 3 else "")
            what = f"the plan breaks rules or limits of this data ({count}: {shown})"
        super().__init__(
            f"{what}; why {name} does not go live earlier is not answered for it. Ask about a plan that keeps "
            "every rule and limit: the optimal plan (leave out the plan), one solved again from this data "
            "(hpplan.solve), or load the data and scenarios the plan was made from.")


class OutOfBudget(Exception):
    """The work budget of the search (WORK_BUDGET_FACTOR) was spent before a solve could start (`Switchboard.run`).
    Not an Undecided: what no solve was started for is "not computed" (`Relaxer.for_conflict`), never
    "not decided within the work limit"."""


# --------------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Reason:
    """One rule or limit of a conflict (or a piece of history it involves), in plain words."""

    key: str  # the constraint group: "earliest:orsta", "rule#2", "capacity:primary@2024-03", "pinned:x"
    kind: str  # mandatory, earliest, ..., capacity (model.constraints.GROUP_KINDS), or pinned
    where: Location | None
    actors: tuple[str, ...]
    message: str
    owner: str = ""  # the data object that states it: "organisation orsta", "rule #2", "pool primary", ...
    #: the figure it states rests on an estimate (a pool's capacity: `formats.capacity_estimated`): the
    #: message marks it `*`, and the text it is shown in ends with formats.ESTIMATE_NOTE
    estimate: bool = False
    #: a rule's members that opted out and tie the others to them (`out_of_plan`): (id, the line of their
    #: `status`), the data the rule cannot hold with, which is no rule of its own (a pull request's opt-out)
    rests_on: tuple[tuple[str, Location | None], ...] = ()
    #: what it is, in a few words, where a message names it among others ("limit #2 (max_users) in window
    #: v01", "Aarhus Kommune must go live"); the key is the JSON's, never said to a user ("": the key)
    label: str = ""
    #: a limit in one window, a pool in one month: (what, its place in the order of windows or months, the
    #: window id or month, 'window' or '') so that a run of them is named once: "… in windows v01..v14"
    series: tuple[str, int, str, str] | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "owner": self.owner,
                "file": self.where.file if self.where else None, "line": self.where.line if self.where else None,
                "actors": list(self.actors), "message": self.message, "estimate": self.estimate,
                "rests_on": rests_on_json(self.rests_on)}


def rests_on_json(rests_on: Iterable[tuple[str, Location | None]]) -> list[dict]:
    """`Reason.rests_on` in the JSON: [{"id", "file", "line"}]."""
    return [{"id": org_id, "file": where.file if where else None, "line": where.line if where else None}
            for org_id, where in rests_on]


def owner_of(group: Group) -> str:
    """The data object a constraint group comes from, named as check reports name it."""
    if group.kind in ("mandatory", "earliest", "latest", "returns", "track"):
        return f"organisation {group.subject.id}"
    if group.kind == "capacity":
        return f"pool {group.subject.id}"
    return f"{group.kind} #{group.number if group.number is not None else group.index + 1}"


#: kinds of change, from the most local (one date) to the broadest (drop a rule, let an organisation out)
_CHANGE_RANK = {"earliest": 0, "latest": 0, "returns": 0, "track": 1, "blackout": 1, "limit": 2,
                "capacity": 3, "rule": 4, "mandatory": 5, "status": 5}


@dataclass(frozen=True)
class Relaxation:
    """The smallest change of one rule or limit that resolves a conflict, verified by a re-solve."""

    key: str  # the group it changes (capacity: the first month it adds FTE to)
    kind: str
    message: str
    #: windows moved, +N on a limit, +FTE (capacity: the most in one month), exceptions made; 1 for dropping a rule
    amount: float
    where: Location | None
    #: capacity: the FTE it adds in each month it changes ("YYYY-MM" -> FTE), each month's own figure
    months: dict[str, float] | None = None
    #: verified with no conflict set aside: with this change alone the data has a plan
    resolves_all: bool = False
    #: it states a window date that rests on an estimate, marked `*` (`Describer.window`)
    estimate: bool = False

    @property
    def order(self) -> tuple:
        return (_CHANGE_RANK[self.kind], self.amount, self.key)

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "message": self.message, "amount": _number(self.amount),
                "months": {m: _number(v) for m, v in self.months.items()} if self.months is not None else None,
                "resolves_all": self.resolves_all, "estimate": self.estimate,
                "file": self.where.file if self.where else None, "line": self.where.line if self.where else None}


@dataclass
class Conflict:
    """Rules and limits that cannot all hold; drop any one of them and the rest can."""

    reasons: list[Reason]
    given: list[Reason] = field(default_factory=list)  # pinned history involved (never relaxed)
    relaxations: list[Relaxation] = field(default_factory=list)
    #: groups not proven needed (a solve reached its work limit): the set is then not proven minimal
    unproven: list[str] = field(default_factory=list)
    #: groups whose smallest change was not computed: the work budget (seconds) was spent, or (those also
    #: in `not_decided`) the change was tried and its solve not decided within the work limit of one solve
    not_computed: list[str] = field(default_factory=list)
    budget: float = 0.0
    untried: bool = False  # some unproven group was not tried: the work budget was spent
    #: of `not_computed`, those whose change was tried and not decided within the work limit (a limit raised
    #: in every window that CP-SAT could not decide in `-t 2`: it vanished, as if no raise could help)
    not_decided: list[str] = field(default_factory=list)
    time_limit: float = 0.0  # the work limit of one solve (seconds), for what `not_decided` says
    #: the wall time the explanation was given (`explain_infeasible(wall_limit=)`) when it ran out before the
    #: work budget: what was not computed or not proven was stopped by the clock; None: by the work budget
    wall_limit: float | None = None
    #: keys named in `not_computed` that are no rule of the conflict (a status a rule rests on), in words
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def budget_spent(self) -> bool:
        return self.untried or bool(set(self.not_computed) - set(self.not_decided))

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.reasons]

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(a for r in self.reasons + self.given for a in r.actors))

    def to_json(self) -> dict:
        return {"rules": [r.to_json() for r in self.reasons], "given": [g.to_json() for g in self.given],
                "relaxations": [r.to_json() for r in self.relaxations], "minimal": not self.unproven,
                "unproven": self.unproven, "not_computed": self.not_computed, "not_decided": self.not_decided,
                "work_budget_spent": self.budget_spent}


@dataclass
class Explanation:
    """Whether any plan satisfies all rules and limits, and if not, why."""

    feasible: bool
    conflicts: list[Conflict] = field(default_factory=list)
    complete: bool = True  # False: more conflicts remain beyond those listed (or may: more_undecided)
    solves: int = 0
    #: whether conflicts remain beyond those listed was not decided within the work limit
    more_undecided: bool = False
    work: float = 0.0  # the work the search was charged (deterministic seconds, see Switchboard)
    budget: float | None = None  # its work budget (None: no conflict search ran)
    #: the wall time it was given (`explain_infeasible(wall_limit=)`; None: none, the work budget alone)
    wall_limit: float | None = None
    wall_limit_reached: bool = False  # the search stopped because that time ran out

    @property
    def budget_spent(self) -> bool:
        return self.budget is not None and self.work >= self.budget or self.wall_limit_reached

    def to_text(self) -> str:
        if self.feasible:
            return "A plan exists that satisfies every rule and limit.\n"
        more = "" if self.complete else f"; {self._more_undecided()}" if self.more_undecided else \
            " found, and there are more"
        lines = [f"No plan satisfies every rule and limit: {counted(len(self.conflicts), 'conflict')}{more}."]
        for n, conflict in enumerate(self.conflicts, 1):
            lines += ["", f"Conflict {n}: {_cannot_hold(len(conflict.reasons), not conflict.unproven)}"
                      f"{_by_kind(conflict)}:"]
            lines += _conflict_lines(conflict)
            if conflict.relaxations:
                aside = "" if len(self.conflicts) == 1 and self.complete else ", the other conflicts set aside"
                lines.append(f"  smallest changes that resolve it (each verified by re-solving{aside}):")
                lines += [f"  - {relaxation}" for relaxation in conflict.relaxations]
            elif conflict.not_computed:
                pass  # said below
            elif self.complete:
                lines.append("  no single change of one of these resolves it on its own.")
            else:  # conflicts beyond those found may still bar every trial
                lines.append("  no single change of one of these was found to resolve it with the other conflicts "
                             "found set aside.")
            lines += not_computed_lines(conflict)
        return "\n".join(lines + _estimate_note(self.conflicts)) + "\n"

    def _more_undecided(self) -> str:
        if self.wall_limit_reached:
            return (f"whether there are more was not decided: the {self.wall_limit:g} s of wall time given to the "
                    "explanation ran out (raise --time-limit)")
        return MORE_UNDECIDED

    def to_json_dict(self) -> dict:
        return {"feasible": self.feasible, "complete": self.complete, "more_undecided": self.more_undecided,
                "work_budget": self.budget, "work_budget_spent": self.budget_spent,
                "wall_limit": self.wall_limit, "wall_limit_reached": self.wall_limit_reached,
                "conflicts": [c.to_json() for c in self.conflicts]}


def not_computed_lines(conflict: Conflict) -> list[str]:
    """'not computed: the smallest change of …: why', once for the changes the budget left untried and once
    for those tried and not decided within the work limit of a solve."""
    lines = []
    decided = set(conflict.not_decided)
    skipped = [k for k in conflict.not_computed if k not in decided]
    if skipped:
        lines.append(f"  not computed: the smallest change of {_some(conflict, skipped)}: {_budget_spent(conflict)}")
    if conflict.not_decided:
        lines.append(f"  not computed: the smallest change of {_some(conflict, conflict.not_decided)}: tried, and not "
                     f"decided within the work limit of {conflict.time_limit:g} s; raise --time-limit")
    return lines


def _estimate_note(conflicts: Iterable[Conflict | None]) -> list[str]:
    """The note under a text whose conflicts state a figure marked `*` (Reason.estimate), else none."""
    shown = any(r.estimate for c in conflicts if c is not None for r in c.reasons + c.given + c.relaxations)
    return ["", ESTIMATE_NOTE] if shown else []


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 conflict', '3 conflicts' (`many`: an irregular plural)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _by_kind(conflict: Conflict) -> str:
    """For a large conflict, how many of each kind: ' [47 mandatory, 47 earliest, 10 capacity]'."""
    if len(conflict.reasons) <= RELAX_EACH_MAX:
        return ""
    return " " + kind_counts(reason.kind for reason in conflict.reasons)


def kind_counts(kinds: Iterable[str]) -> str:
    """'[47 mandatory, 47 earliest, 10 capacity]', in the order the kinds first come."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return "[" + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + "]"


def _some(conflict: Conflict, keys: list[str]) -> str:
    """Some groups of a conflict in words (`named`), or past RELAX_EACH_MAX how many of each kind (a
    conflict of 5,538 groups listed each in one line of text). Keys that are no rule of the conflict (a
    status change a rule rests on: `Conflict.labels`) are named after them."""
    if len(keys) <= RELAX_EACH_MAX:
        wanted = set(keys)
        return named([r for r in conflict.reasons if r.key in wanted] +
                     [Reason(k, "status", None, (), "", label=conflict.labels.get(k, k))
                      for k in keys if k not in {r.key for r in conflict.reasons}])
    kind = {r.key: r.kind for r in conflict.reasons}
    return f"{len(keys)} of them {kind_counts(kind.get(k, 'status') for k in keys)}"


def named(reasons: Iterable[Reason]) -> str:
    """Rules and limits in words, as a message names them among others (never by their keys, which are
    the JSON's): 'Aarhus Kommune must go live, limit #2 (max_users) in windows v01..v14'. A run of one
    limit in consecutive windows, or of one pool in consecutive months, is named once."""
    items: list[str] = []
    runs: dict[str, list] = {}  # a series' head -> its last run [first place, last place, first id, last id, unit]
    for reason in reasons:
        series = reason.series
        if series is None:
            items.append(reason.label or reason.key)
            continue
        head, place, ident, unit = series
        run = runs.get(head)
        if run is not None and run[1] == place - 1 and items[-1] is run:
            run[1], run[3] = place, ident
            continue
        run = [place, place, ident, ident, unit, head]
        runs[head] = run
        items.append(run)  # type: ignore[arg-type]  # made a text below
    return ", ".join(item if isinstance(item, str) else _run_text(item) for item in items)


def _run_text(run: list) -> str:
    first, last, first_id, last_id, unit, head = run
    if first == last:
        return f"{head} in {unit + ' ' if unit else ''}{first_id}"
    return f"{head} in {unit + 's ' if unit else ''}{first_id}..{last_id}"


def _budget_spent(conflict: Conflict) -> str:
    """Why the search stopped before it was done: the work budget, or the wall time it was given."""
    if conflict.wall_limit is not None:
        return (f"the {conflict.wall_limit:g} s of wall time given to the explanation ran out (before its work budget "
                f"of {conflict.budget:g} s); raise --time-limit, or ask `hpplan explain`, which only the work budget "
                "bounds")
    return f"the work budget of {conflict.budget:g} s was spent; raise --time-limit"


def _cannot_hold(n: int, proven_minimal: bool = True) -> str:
    if n == 1:
        return "this rule or limit cannot hold"
    if not proven_minimal:
        return f"these {n} rules and limits cannot all hold (some may not be needed, see below)"
    return f"these {n} rules and limits cannot all hold (drop any one of them and the rest can)"


def _number_of(value: float) -> float | int:
    """`_number` (its name where a local one shadows it)."""
    return _number(value)


def _number(value: float) -> float | int:
    value = round(float(value), 3)
    return int(value) if value == int(value) else value


# --------------------------------------------------------------------------------------------------
# feasibility solves with switches


@dataclass
class Outcome:
    feasible: bool | None  # None: undecided within the work limit
    core: list[str] | None = None  # infeasible: the groups the solver named
    exact: bool = True  # the core held nothing but switches that were on
    skipped: bool = False  # undecided because the work budget was spent: no solve ran


class Switchboard:
    """The switchable model of a problem, solved for feasibility with a chosen set of groups on.

    A solve first uses the switches as assumptions, which gives a core when infeasible. Assumptions keep
    presolve from simplifying the switched constraints, and on large data the proof can then take long:
    when such a solve reaches CORE_WORK_LIMIT, this and every later solve fixes the switches instead
    (no core, but as fast as the normal model), and conflicts are shrunk by QuickXplain.

    `hypothesis`, when given, adds hard constraints to the model (for example "Ørsta goes live in
    window 2025-02"); the groups are then asked whether they can hold together with it.

    Every solve is charged to the board's work `budget` (default WORK_BUDGET_FACTOR times the work
    limit): its deterministic time and the cost of loading the model (`load`). Once the budget is spent,
    shrinking probes are undecided at once and `run` raises OutOfBudget; `decide` always solves."""

    def __init__(self, problem: Problem, *, time_limit: float = SOLVE_TIME_LIMIT,
                 hypothesis: Callable[[RolloutModel], None] | None = None, budget: float | None = None,
                 deadline: tuple[float, float] | None = None):
        self.problem = problem
        self.time_limit = time_limit
        self.budget = float(budget if budget is not None else WORK_BUDGET_FACTOR * time_limit)
        self.work = 0.0  # charged so far: deterministic seconds, and `load` per solve
        #: (the wall time given, the `time.perf_counter()` it ends at): past it no optional solve starts, as
        #: when the budget is spent (`hpplan solve -t` bounds the explanation of an infeasible result so);
        #: None: the work budget alone, and the answer the same on any machine
        self.deadline = deadline
        self.out_of_time = False  # the deadline, not the budget, stopped the search
        self.rollout = build_model(problem, with_objective=False, switchable=True)
        proto = self.rollout.model.proto
        self.load = (len(proto.variables) + len(proto.constraints)) / LOAD_SIZE
        self.switches = self.rollout.switches
        if hypothesis is not None:
            hypothesis(self.rollout)
        groups = self.switches.groups
        made = {key: i for i, key in enumerate(groups)}
        #: every group, in report order: by kind (GROUP_KINDS), then data order
        self.keys: list[str] = sorted(groups, key=lambda k: (GROUP_KINDS.index(groups[k].kind), made[k]))
        self.rank = {key: i for i, key in enumerate(self.keys)}
        self.key_of_variable = {literal.index: key for key, literal in self.switches.literal.items()}
        self.solves = 0
        self.cores = True  # solves use assumptions and return cores (until one takes too long)
        self.undecided = 0  # probes that reached their work limit
        self.unproven: set[str] = set()  # groups of a conflict not proven needed (see minimal)
        self.unproven_by_budget: set[str] = set()  # those of them not tried: the budget was spent
        self.more_undecided = False  # conflicts: whether more remain was not decided (see conflicts)

    def group(self, key: str) -> Group:
        return self.switches.groups[key]

    def ordered(self, keys: Iterable[str]) -> list[str]:
        return sorted(set(keys), key=self.rank.__getitem__)

    def solver(self, work_limit: float | None = None) -> cp_model.CpSolver:
        solver = cp_solver()
        params = solver.parameters
        params.num_workers = 1  # cores come back only from a single-worker feasibility solve
        params.random_seed = 0
        params.max_deterministic_time = work_limit if work_limit is not None else self.time_limit
        # the guard leaves room for loading the model, which the work limit does not count: with -t 1
        # a national model's presolve alone could reach 4 s on a busy machine ("undecided" by wall time)
        params.max_time_in_seconds = (self.time_limit + self.load) * _WALL_FACTOR
        if self.deadline is not None:  # and no solve runs past the wall time given (one of 2 det s took 16 s)
            params.max_time_in_seconds = max(0.001, min(params.max_time_in_seconds,
                                                        self.deadline[1] - time.perf_counter()))
        return solver

    def charged_solve(self, model: cp_model.CpModel, work_limit: float | None = None
                      ) -> tuple[cp_model.CpSolver, int]:
        """Solve `model` (see `solver`), counted and charged to the budget: the solver and the status."""
        solver = self.solver(work_limit)
        status = solver.solve(model)
        self.solves += 1
        self.work += solver.deterministic_time + self.load
        return solver, status

    @property
    def spent(self) -> bool:
        """Whether the work budget is spent, or the wall time given ran out (no further optional solve
        starts)."""
        return self.work >= self.budget or self.past_deadline

    @property
    def past_deadline(self) -> bool:
        """Whether the wall time given (`deadline`) ran out; remembered in `out_of_time`."""
        if self.deadline is not None and time.perf_counter() >= self.deadline[1]:
            self.out_of_time = True
        return self.out_of_time

    def _within_budget(self) -> None:
        """Raise OutOfBudget when the budget is spent (or the wall time given ran out): what would be solved
        next is not computed."""
        if self.work >= self.budget:
            raise OutOfBudget(f"the work budget of {self.budget:g} s was spent (raise --time-limit)")
        if self.past_deadline:
            raise OutOfBudget(f"the {self.deadline[0]:g} s of wall time given were spent (raise --time-limit)")

    def solve(self, on: Iterable[str], work_limit: float | None = None) -> Outcome:
        """Is the problem feasible with exactly the groups `on` enforced (and the hypothesis)? `feasible`
        is None when that is not decided within the work limit (default: the board's)."""
        on = self.ordered(on)
        if self.cores:
            outcome = self._solve_with_assumptions(on)
            if outcome is not None:
                return outcome
            self.cores = False
        solver, status = self.charged_solve(self.trial(on), work_limit)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Outcome(True)
        return Outcome(False if status == cp_model.INFEASIBLE else None)

    def _solve_with_assumptions(self, on: list[str]) -> Outcome | None:
        """A solve with the switches `on` as assumptions; None when it reached CORE_WORK_LIMIT."""
        model = self.rollout.model
        model.clear_assumptions()
        model.add_assumptions([self.switches.literal[key] for key in on])
        solver, status = self.charged_solve(model, min(CORE_WORK_LIMIT, self.time_limit))
        model.clear_assumptions()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Outcome(True)
        if status != cp_model.INFEASIBLE:
            return None
        wanted = set(on)
        named = [self.key_of_variable.get(index) for index in solver.sufficient_assumptions_for_infeasibility()]
        core = self.ordered(key for key in named if key in wanted)
        return Outcome(False, core, exact=bool(core) and all(key in wanted for key in named))

    def decide(self, on: Iterable[str]) -> Outcome:
        """A solve that must decide; raises Undecided at the work limit."""
        outcome = self.solve(on)
        if outcome.feasible is None and self.past_deadline:
            raise Undecided(f"no answer within the {self.deadline[0]:g} s of wall time given (raise --time-limit)")
        if outcome.feasible is None:
            raise Undecided(f"no answer within the work limit of {self.time_limit:g} s (raise --time-limit)")
        return outcome

    def probe(self, on: Iterable[str]) -> Outcome:
        """A solve while a conflict is shrunk, with the smaller SHRINK_WORK_LIMIT. Once MAX_UNDECIDED
        probes were undecided, or the work budget is spent, every further one is undecided at once (the
        search stops shrinking)."""
        if self.undecided >= MAX_UNDECIDED:
            return Outcome(None)
        if self.spent:
            return Outcome(None, skipped=True)
        outcome = self.solve(on, min(SHRINK_WORK_LIMIT, self.time_limit))
        if outcome.feasible is None and self.past_deadline:  # cut short by the clock: as if not started
            return Outcome(None, skipped=True)
        if outcome.feasible is None:
            self.undecided += 1
        return outcome

    def narrowed(self, on: list[str], outcome: Outcome) -> list[str]:
        """The smaller infeasible set a core names, once it is sure to be one; else `on`."""
        core = outcome.core
        if core is None or len(core) >= len(on):
            return on
        if outcome.exact or self.probe(core).feasible is False:
            return core
        return on

    def minimal(self, infeasible: Iterable[str]) -> list[str]:
        """Shrink a set of groups proven infeasible to one where every group is needed: by deletion with
        cores while solves return them, else QuickXplain first. A group whose removal cannot be decided
        within the work limit (or is not tried: the work budget is spent) is kept and listed in
        `self.unproven`: the set returned is always proven infeasible, and minimal when none of its groups
        is unproven."""
        current = self.ordered(infeasible)
        if not self.cores:
            current = self.quickxplain(current)
        examined: set[str] = set()
        unsure: set[str] = set()
        untried: set[str] = set()
        i = 0
        while i < len(current):
            key = current[i]
            trial = current[:i] + current[i + 1:]
            outcome = self.probe(trial)
            examined.add(key)
            if outcome.feasible is False:
                examined.discard(key)
                current = self.narrowed(trial, outcome)
                # groups found needed stay in any smaller infeasible set and come first in report order
                i = sum(1 for k in current if k in examined)
                continue
            if outcome.feasible is None:
                unsure.add(key)
                if outcome.skipped:
                    untried.add(key)
            i += 1
        self.unproven |= {k for k in current if k in unsure}
        self.unproven_by_budget |= {k for k in current if k in untried}
        return current

    def quickxplain(self, candidates: list[str]) -> list[str]:
        """Junker's QuickXplain (AAAI 2004): a minimal infeasible subset of an infeasible set of groups,
        preferring groups early in report order, in O(k log(n/k)) solves for a conflict of k of n. A probe
        that is undecided counts as feasible, which keeps the result proven infeasible (maybe larger)."""

        def explain(background: list[str], added: bool, rest: list[str]) -> list[str]:
            if added and self.probe(background).feasible is False:
                return []
            if len(rest) == 1:
                return rest
            first, second = rest[:len(rest) // 2], rest[len(rest) // 2:]
            needed_second = explain(background + first, bool(first), second)
            needed_first = explain(background + needed_second, bool(needed_second), first)
            return needed_first + needed_second

        return self.ordered(explain([], False, sorted(candidates, key=self._cluster)))

    def _cluster(self, key: str) -> tuple:
        """QuickXplain's order: groups of one pool together (an organisation's groups and rules with the
        pool it loads, capacity with its pool), then limits and blackouts, then report order. A conflict
        inside one pool's part of the data is then found with few, easy solves."""
        group = self.group(key)
        pools = [p.id for p in self.problem.waves.pools]
        if group.kind == "capacity":
            place = pools.index(group.subject.id)
        elif group.actors and group.actors[0] in self.problem.org:
            loaded = [p.id for p, _ in self.problem.loads(self.problem.org[group.actors[0]])]
            place = pools.index(loaded[0]) if loaded else len(pools)
        else:
            place = len(pools)
        return (place, self.rank[key])

    def conflicts(self, limit: int = MAX_CONFLICTS, found: list[list[str]] | None = None
                  ) -> tuple[list[list[str]], bool]:
        """Up to `limit` disjoint minimal conflicts (going on from those `found` already); and True when
        setting them aside leaves a feasible problem (no conflict is left unlisted). Raises Undecided
        when feasibility itself is not decided. Once a conflict is found, whether more remain not being
        decided (in the work limit) stops the search with False and `more_undecided` set: the conflicts
        found are proven all the same. Once the work budget is spent, no further conflict is shrunk."""
        found = list(found or [])
        aside: set[str] = {key for conflict in found for key in conflict}
        while True:
            on = [key for key in self.keys if key not in aside]
            if found and self.past_deadline:  # the wall time given ran out: what remains is not decided
                self.more_undecided = True
                return found, False
            try:
                outcome = self.decide(on)
            except Undecided:
                if not found:
                    raise
                self.more_undecided = True
                return found, False
            if outcome.feasible:
                return found, True
            if len(found) >= limit:
                return found, False
            if found and self.spent:  # another conflict would be all the rest, not shrunk
                return found, False
            conflict = self.minimal(self.narrowed(on, outcome))
            if not conflict:
                raise RuntimeError("conflict search went wrong: an empty set of groups is infeasible")
            found.append(conflict)
            aside.update(conflict)

    # ---- trial models for relaxations -----------------------------------------------------------

    def trial(self, on: Iterable[str]) -> cp_model.CpModel:
        """A copy of the model with exactly the groups `on` enforced, to add a relaxation to."""
        on = set(on)
        model = self.rollout.model.clone()
        model.clear_assumptions()
        for key, literal in self.switches.literal.items():
            model.add_bool_and([literal if key in on else ~literal])
        return model

    def run(self, model: cp_model.CpModel, work_limit: float | None = None) -> cp_model.CpSolver | None:
        """Solve a trial model: the solver when it found a solution (optimal where it has an objective),
        None when infeasible. Raises Undecided at the work limit, OutOfBudget (before solving) when the
        work budget is spent."""
        self._within_budget()
        solver, status = self.charged_solve(model, work_limit)
        if status == cp_model.OPTIMAL or (status == cp_model.FEASIBLE and not model.has_objective()):
            return solver
        if status == cp_model.INFEASIBLE:
            return None
        if self.past_deadline:  # cut short by the wall time given: not computed, not "not decided"
            raise OutOfBudget(f"the {self.deadline[0]:g} s of wall time given were spent (raise --time-limit)")
        if status == cp_model.FEASIBLE:  # an optimisation with a plan but no proof
            raise Undecided(f"the best plan was not proven within the work limit of {self.time_limit:g} s "
                            "(raise --time-limit)")
        raise Undecided(f"no answer within the work limit of {self.time_limit:g} s (raise --time-limit)")


# --------------------------------------------------------------------------------------------------
# plain words


class Describer:
    """Sentences for constraint groups, with the file:line of the field that states each."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.future = problem.future_windows
        #: each organisation's place in the data (a scan per call took 180 s for a national conflict)
        self.order: dict[str, int] = {}
        for i, o in enumerate(problem.organisations):
            self.order.setdefault(o.id, i)
        #: a window date was marked `*` since it was last reset (`window`): the sentence states an estimate
        self.marks = False

    # ---- names ----------------------------------------------------------------------------------

    def name(self, org_id: str) -> str:
        org = self.problem.org.get(org_id)
        return org.name if org else org_id

    def names(self, ids: Iterable[str]) -> str:
        names = [self.name(i) for i in ids]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def window(self, window) -> str:
        """'window 2026-04 (2026-04-25*)': its date marked `*` by its own source note, as solve marks it
        (`formats.window_date_estimated`); a mark made is remembered in `marks` (the sentence's `estimate`)."""
        return f"window {window.id} ({self.window_date(window)})"

    def window_date(self, window) -> str:
        """A window's (or its slot's) date, marked `*` where the window's own `date` note is not a fact."""
        data = self.problem.window.get(window.id)
        estimate = data is not None and data.date == window.date and window_date_estimated(data)
        self.marks = self.marks or estimate
        return marked(window.date.isoformat(), estimate)

    def windows(self, windows) -> str:
        return ", ".join(self.window(w) for w in windows) or "no window"

    @staticmethod
    def rule_label(rule, number: int) -> str:
        """"rule #2 'hmr-together'" (`number`: as waves.yaml and scenarios number it)."""
        return f"rule #{number}" + (f" '{rule.id}'" if rule.id else f" ({rule.type})")

    # ---- where ----------------------------------------------------------------------------------

    @staticmethod
    def field_at(obj, name: str) -> Location | None:
        """The line of one field of a data object (e.g. an organisation's `earliest`; the scenario's
        change, where one wrote it), else the object's."""
        return obj.field_at(name) if isinstance(obj, Located) else getattr(obj, "at", None)

    # ---- sentences ------------------------------------------------------------------------------

    def reason(self, group: Group, switches, involved: set[str]) -> Reason:
        """The plain-language form of a constraint group. `involved`: the organisations of its conflict."""
        self.marks = False
        text, where, actors = getattr(self, f"_{group.kind}")(group, switches, involved)
        rests_on = tuple((o.id, self.field_at(o, "status")) for o in out_of_plan(self.problem, group.subject)) \
            if group.kind == "rule" else ()
        return Reason(group.key, group.kind, where, tuple(actors), text, owner_of(group),
                      self.estimated(group) or self.marks,
                      rests_on, *self.label(group))

    def label(self, group: Group) -> tuple[str, tuple[str, int, str, str] | None]:
        """A group in a few words where a message names it among others (`Reason.label`), and its series
        (`Reason.series`): a limit in one window, a pool in one month."""
        kind, subject = group.kind, group.subject
        if kind == "mandatory":
            return f"{subject.name} must go live", None
        if kind in ("earliest", "returns", "latest"):
            what = {"earliest": "earliest date", "returns": "return date", "latest": "latest date"}[kind]
            return f"{subject.name}'s {what}", None
        if kind == "track":
            return f"{subject.name}'s track {subject.track}", None
        if kind == "blackout":
            return f"blackout #{group.index + 1} ({subject.from_} to {subject.to})", None
        if kind == "rule":
            label = self.rule_label(subject, group.number)
            if isinstance(subject, WithOrBefore) and subject.each is not None:
                label += f" for {self.name(group.actors[0])}"
            return label, None
        if kind == "limit":
            head = f"limit #{group.number} ({group.measure})"
            place = next((i for i, w in enumerate(self.future) if w.id == group.window), len(self.future))
            return f"{head} in window {group.window}", (head, place, group.window, "window")
        if kind == "capacity":
            head = f"pool {subject.id}"
            return f"{head} in {month_label(group.month)}", (head, group.month, month_label(group.month), "")
        return group.key, None  # pragma: no cover - GROUP_KINDS are those above

    @staticmethod
    def estimated(group: Group) -> bool:
        """Whether the figure a reason states rests on an estimate (its sentence marks it `*`): a pool's
        capacity (`capacity_estimated`), a limit, or an earliest, return or latest date whose source note
        is not a fact (`Sourced.is_estimate`), also where a mandatory organisation's return date is said."""
        if group.kind == "capacity":
            return capacity_estimated(group.subject, month_label(group.month))
        if group.kind == "limit":
            return group.subject.is_estimate(group.measure)
        if group.kind in ("earliest", "returns", "latest"):
            return group.subject.is_estimate(group.kind)
        if group.kind == "mandatory":  # "must go live (opted out, returns 2024-12-19*)"
            return mandatory_estimated(group.subject)
        return False

    def _mandatory(self, group: Group, switches, involved):
        org = group.subject
        return f"{org.name} must go live ({why_mandatory(org)})", self.field_at(org, "status"), [org.id]

    def _first_open(self, group: Group, switches) -> list:
        closed = {s.id for _, s in switches.closed.get(group.key, [])}
        return [w for w in self.future if w.id not in closed]

    def _first_window_after(self, group: Group, switches) -> str:
        open_ = self._first_open(group, switches)
        return f"; the first window on or after it is {self.window(open_[0])}" if open_ else "; no window is that late"

    def _earliest(self, group: Group, switches, involved):
        org = group.subject
        then = self._first_window_after(group, switches)
        return (f"{org.name} may go live no earlier than {dated(org, 'earliest')} (its earliest date){then}",
                self.field_at(org, "earliest"), [org.id])

    def _returns(self, group: Group, switches, involved):
        org = group.subject
        then = self._first_window_after(group, switches)
        return (f"{org.name} opted out and returns on {dated(org, 'returns')}, so it goes live no earlier than "
                f"that{then}",
                self.field_at(org, "returns"), [org.id])

    def _latest(self, group: Group, switches, involved):
        org = group.subject
        open_ = self._first_open(group, switches)
        then = (f"; the last window on or before it is {self.window(open_[-1])}" if open_
                else "; no window from the planning date on is that early")
        return (f"{org.name} must go live by {dated(org, 'latest')} (its latest date){then}",
                self.field_at(org, "latest"), [org.id])

    def _track(self, group: Group, switches, involved):
        org = group.subject
        track = next(t for t in self.problem.waves.tracks if t.id == org.track)
        windows = [self.problem.window[w] for w in track.windows or [] if w in self.problem.window]
        future = [w for w in windows if w.date >= self.problem.planning_date]
        return (f"{org.name} is on track {track.id}, which goes live only in {self.windows(future)}"
                + ("" if len(future) == len(windows) else " from the planning date on"),
                self.field_at(org, "track"), [org.id])

    def _blackout(self, group: Group, switches, involved):
        b = group.subject
        if b.actors is None and b.kinds is None:
            whom = ""
        else:
            parts = []
            if b.kinds:
                parts.append(", ".join(KIND_PLURAL[k.value] for k in b.kinds))
            if b.actors:
                parts.append(self.names(b.actors))
            whom = " of " + " or ".join(parts)
        closed = switches.closed.get(group.key, [])
        barred = [org_id for org_id in dict.fromkeys(o for o, _ in closed) if org_id in involved] or \
            list(dict.fromkeys(o for o, _ in closed))
        windows = list({s.id: s for o, s in closed if o in barred}.values())
        text = (f"no go-live{whom} from {b.from_} to {b.to} ({b.reason}); this closes "
                f"{self.windows(sorted(windows, key=lambda s: s.date))} to {self.names(barred[:6])}"
                + (f" and {len(barred) - 6} more" if len(barred) > 6 else ""))
        return text, b.at, barred

    def _rule(self, group: Group, switches, involved):
        rule, label = group.subject, self.rule_label(group.subject, group.number)
        a = group.actors
        if isinstance(rule, WithOrBefore):
            text = f"{self.name(a[0])} must go live with or before {self.name(a[1])}"
        elif isinstance(rule, Together):
            text = f"{self.names(a)} must go live in the same window, or none of them"
        elif isinstance(rule, Order):
            gap = counted(rule.min_gap_windows, "window")
            if rule.min_gap_months:
                gap += f" and {counted(rule.min_gap_months, 'month')}"
            text = f"{self.names(a)} go live in this order, each at least {gap} after the one before"
        elif isinstance(rule, AfterLive):
            # docs/rules.md: month(then) - its longest `before` >= month(first), and not in an earlier window
            months = len(self.problem.profile(self.problem.org[rule.then]).before)  # all profiles summed
            if months:
                text = (f"{self.name(rule.then)}'s {counted(months, 'month')} of preparation start only after "
                        f"{self.name(rule.first)} is live: it goes live at least {counted(months, 'month')} after "
                        f"{self.name(rule.first)}'s go-live month")
            else:
                text = (f"{self.name(rule.then)} goes live only once {self.name(rule.first)} is: in the same "
                        "window or later")
        elif isinstance(rule, NotSameWindow):
            text = f"no two of {self.names(a)} may go live in the same window"
        else:  # a rule type added without its text here: an error, never a bare type name
            raise TypeError(f"explain has no text for rule type {rule.type!r} ({type(rule).__name__}); "
                            "add one to explain's _rule")
        if rule.reason:
            text += f" ({rule.reason})"
        text += self._out_of_plan(rule)
        return f"{label}: {text}", rule.at, list(a)

    def _out_of_plan(self, rule) -> str:
        """'; Helse Nord-Trøndelag HF does not go live (opted out, sc/hnt-out.yaml:5)': a member of a rule
        that ties others to it and that the plan cannot place. Its status is data, not a rule a conflict
        can name, yet it is what the rule cannot hold with (an exclusion by a scenario went unsaid)."""
        out = out_of_plan(self.problem, rule)
        return "".join(f"; {self.name(o.id)} does not go live (opted out"
                       + (f", {where}" if (where := self.field_at(o, "status")) else "") + ")" for o in out)

    def _limit(self, group: Group, switches, involved):
        limit = group.subject
        bound = getattr(limit, group.measure)
        shown = marked(grouped(bound), self.estimated(group))  # `10 000*` where an estimate
        unit = f"{shown} " + {"max_actors": "organisation" if bound == 1 else "organisations", "max_users": "users",
                              "max_trusts": "health trust" if bound == 1 else "health trusts"}[group.measure]
        if group.measure != "max_trusts" and limit.kinds is not None:
            unit += f" ({', '.join(k.value for k in limit.kinds)} only)"  # a kind outside it does not count
        window = self.problem.window[group.window]
        return (f"limit #{group.number}: at most {unit} may go live in {self.window(window)}",
                self.field_at(limit, group.measure), sorted(involved, key=self._data_order))

    def _capacity(self, group: Group, switches, involved):
        pool = group.subject
        label = month_label(group.month)
        _, pinned, capacity = switches.bounds[group.key]
        text = f"pool {pool.id} has {marked(_fte(capacity), capacity_estimated(pool, label))} FTE in {label}"
        if pinned:
            text += f", of which {_fte(pinned)} FTE goes to organisations already live (their hypercare)"
        where = pool.capacity_at(label)
        actors = [o for o in sorted(involved, key=self._data_order)
                  if o in self.problem.org and self._may_load(self.problem.org[o], pool.id, group.month)]
        if actors:
            shown = self.names(actors) if len(actors) <= 6 else f"{', '.join(map(self.name, actors[:5]))} and " \
                f"{len(actors) - 5} more"
            text += f" ({shown} among those that load it)"
        return text, where, actors

    def _may_load(self, org: Organisation, pool_id: str, month: int) -> bool:
        """Whether the organisation loads the pool in that month: an organisation already live by its
        history's profile (St. Olavs, live since 2022, loads nothing in 2024), one still to plan when
        it loads the pool at all (in some window it would)."""
        profiles = [profile for pool, profile in self.problem.loads(org) if pool.id == pool_id]
        if org.live_since is None:
            return bool(profiles)
        live = month_index(org.live_since)
        return any(profile.load_at(month - live) > 0 for profile in profiles)

    def _data_order(self, org_id: str) -> int:
        return self.order.get(org_id, len(self.problem.organisations))

    def given(self, org: Organisation) -> Reason:
        return Reason(f"pinned:{org.id}", "pinned", self.field_at(org, "live_since"), (org.id,),
                      f"{org.name} went live on {org.live_since}", f"organisation {org.id}")


def out_of_plan(problem: Problem, rule) -> list[Organisation]:
    """The members of a `together`, `order` or `after_live` rule that opted out (without a return date)
    and that the rule ties others to: the plan cannot place them, so those others cannot go live."""
    if not isinstance(rule, (Together, Order, AfterLive)):
        return []
    members = rule.actors if isinstance(rule, (Together, Order)) else [rule.first]
    return [problem.org[m] for m in members if m in problem.org
            and problem.org[m].status is Status.opted_out and not problem.org[m].is_plannable]


def waiting_on(problem: Problem, rule, out: list[Organisation]) -> list[Organisation]:
    """The organisations that must go live and cannot under `rule` while `out` stay out: the other
    members of a `together` rule, those after the first of them in an `order` rule, the `then` of an
    `after_live` rule (as `scenario` notes for an exclude)."""
    gone = {o.id for o in out}
    if isinstance(rule, Together):
        ids = [a for a in rule.actors if a not in gone]
    elif isinstance(rule, Order):
        first = min(rule.actors.index(o.id) for o in out)
        ids = [a for a in rule.actors[first + 1:] if a not in gone]
    elif isinstance(rule, AfterLive):
        ids = [rule.then]
    else:
        return []
    return [problem.org[a] for a in ids if a in problem.org and problem.org[a].is_mandatory]


def _fte(tenths: int) -> str:
    return f"{tenths / LOAD_SCALE:g}"


#: a capacity change with more runs of months of one figure than this gives its range in the text
#: (each month's figure is in the JSON, `months`)
EXTRA_RUNS_SHOWN = 6


def _extra_text(pool_id: str, extra: dict[int, int]) -> str:
    """Extra FTE in a pool by month (tenths): '+20 FTE in pool p in 2025-03..2025-04' where each month
    gets the same, else each run of months with its figure ('+7 FTE in pool p in 2025-03, +20 FTE in
    2025-04, +6 FTE in 2026-02'), past EXTRA_RUNS_SHOWN runs the range."""
    runs: list[tuple[int, list[int]]] = []
    for month in sorted(extra):
        if runs and runs[-1][0] == extra[month] and runs[-1][1][-1] == month - 1:
            runs[-1][1].append(month)
        else:
            runs.append((extra[month], [month]))
    figures = sorted(set(extra.values()))
    if len(figures) == 1:
        return f"+{_fte(figures[0])} FTE in pool {pool_id} in {_months_text(list(extra))}"
    if len(runs) <= EXTRA_RUNS_SHOWN:
        parts = [f"+{_fte(amount)} FTE in {_months_text(months)}" for amount, months in runs]
        return parts[0].replace(" FTE in ", f" FTE in pool {pool_id} in ", 1) + "".join(f", {p}" for p in parts[1:])
    return (f"+{_fte(figures[0])} to +{_fte(figures[-1])} FTE in pool {pool_id} in {_months_text(list(extra))}, "
            f"each of the {len(extra)} months its own figure (`months` in the JSON)")


def _months_text(months: list[int]) -> str:
    """[m, m+1, m+2, m+5] -> '2024-03..2024-05, 2024-08'."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(month_label(r[0]) if len(r) == 1 else f"{month_label(r[0])}..{month_label(r[-1])}" for r in runs)


# --------------------------------------------------------------------------------------------------
# relaxations


#: `Relaxer.pools`: whether extra capacity in a pool gives the whole data a plan was not decided
UNDECIDED = object()


class Relaxer:
    """The smallest change of one group of a conflict that lets the data hold, verified by re-solving.

    `on` is every group but those of the other conflicts (set aside). `pools`: what a pool's extra
    capacity against the whole data came to, per pool id (a Relaxation, None: none suffices, or
    UNDECIDED), shared by the relaxers of one explanation (`_capacity`: computed once)."""

    def __init__(self, board: Switchboard, describer: Describer, on: set[str],
                 pools: dict[str, object] | None = None):
        self.board = board
        self.words = describer
        self.on = on
        self.x = board.rollout.variables.go_live
        self.switches = board.switches
        self.pools = pools if pools is not None else {}
        #: nothing is set aside: a change verified here gives the whole data a plan
        self.whole = on >= set(board.keys)

    def for_conflict(self, conflict: list[str]) -> tuple[list[Relaxation], list[str]]:
        """The changes found, smallest first; and the groups whose change was not computed: the work budget
        was spent before it was tried, or (also in `self.not_decided`) it was tried and a solve was not
        decided within the work limit, which says nothing about whether it helps (`-t 2` left out a limit's
        raise that `-t 5` found, and said nothing). A status change a rule rests on is not computed under
        its own key (`status:ID`, named in `self.labels`). Tried in the order they are listed (dates first,
        dropping a rule and letting an organisation out last), so that a budget spent on a large conflict's
        hundreds of rules leaves its pool's capacity and limits computed; with budget enough the order
        changes nothing (each is found on its own)."""
        found: list[Relaxation] = []
        self.skipped: list[str] = []
        self.not_decided: list[str] = []
        self.labels: dict[str, str] = {}
        pools_done: set[str] = set()
        limits_done: set[tuple] = set()  # (limit number, measure) raised in every window at once
        for key in sorted(conflict, key=lambda k: _CHANGE_RANK[self.board.group(k).kind]):
            group = self.board.group(key)
            if len(conflict) > RELAX_EACH_MAX and group.kind in _PER_ORGANISATION:
                continue
            if group.kind == "capacity":
                if group.subject.id in pools_done:
                    continue
                pools_done.add(group.subject.id)
            if group.kind == "limit" and (group.number, group.measure) in limits_done:
                continue
            if self.board.spent:  # before its trial model is built (0.1 s to copy at national scale)
                self.skipped.append(key)
                continue
            self.words.marks = False  # a window date its change marks `*` (`Describer.window`)
            try:
                relaxation = getattr(self, f"_{group.kind}")(group)
            except (OutOfBudget, Undecided) as exc:
                (self.skipped if isinstance(exc, OutOfBudget) else self.not_decided).append(key)
                continue
            if relaxation is None and group.kind == "limit":
                limits_done.add((group.number, group.measure))  # its other windows: by the raise in every one
                try:
                    relaxation = self._whole_limit(group)
                except (OutOfBudget, Undecided) as exc:
                    # the raise in every window stands for each window of the limit in this conflict (but
                    # those raised alone already)
                    raised = {r.key for r in found}
                    (self.skipped if isinstance(exc, OutOfBudget) else self.not_decided).extend(
                        k for k in conflict if self._same_limit(k, group) and k not in raised)
            if relaxation is not None:
                found.append(replace(relaxation, resolves_all=relaxation.resolves_all or self.whole,
                                     estimate=relaxation.estimate or self.words.marks))
            if group.kind == "rule":
                found += [replace(r, resolves_all=self.whole) for r in self._statuses(group)]
        # a key both skipped and not decided (a limit's window tried alone and not decided, then the raise in
        # every window not started) is said not decided
        undecided = set(self.not_decided)
        order = self.board.ordered([k for k in self.skipped + self.not_decided if k in self.board.rank])
        statuses = [k for k in dict.fromkeys(self.skipped + self.not_decided) if k not in self.board.rank]
        self.not_decided = [k for k in order + statuses if k in undecided]
        return sorted(found, key=lambda r: r.order), order + statuses

    def _same_limit(self, key: str, group: Group) -> bool:
        other = self.board.group(key)
        return other.kind == "limit" and (other.number, other.measure) == (group.number, group.measure)

    def feasible_with(self, off: Iterable[str], add: Callable[[cp_model.CpModel], None] | None = None) -> bool:
        """The verification: a feasibility re-solve with groups `off` switched off and a change added."""
        model = self.board.trial(self.on - set(off))
        if add is not None:
            add(model)
        return self.run(model) is not None

    def run(self, model: cp_model.CpModel) -> cp_model.CpSolver | None:
        return self.board.run(model, min(RELAX_WORK_LIMIT, self.board.time_limit))

    def _closed(self, group: Group) -> list[tuple[str, Slot]]:
        return self.switches.closed[group.key]

    # ---- an organisation's dates ----------------------------------------------------------------

    def _move(self, group: Group, later: bool) -> Relaxation | None:
        """earliest/returns (later=False: open windows before the date) or latest (later=True)."""
        org = group.subject
        slots = sorted((s for _, s in self._closed(group)), key=lambda s: s.date, reverse=not later)
        distance = {s.id: i + 1 for i, s in enumerate(slots)}  # windows beyond the date, nearest first
        model = self.board.trial(self.on - {group.key})
        model.minimize(sum(distance[s.id] * self.x[org.id, s.id] for s in slots))
        solver = self.run(model)
        used = [s for s in slots if solver is not None and solver.boolean_value(self.x[org.id, s.id])]
        if not used:
            return None
        slot = used[0]
        still_closed = [s for s in slots if distance[s.id] > distance[slot.id]]
        if not self.feasible_with([group.key], lambda m: m.add(sum(self.x[org.id, s.id] for s in still_closed) <= 0)):
            return None
        field_name = {"earliest": "earliest", "returns": "returns", "latest": "latest"}[group.kind]
        what = {"earliest": "earliest date", "returns": "return date", "latest": "latest date"}[group.kind]
        date = getattr(org, field_name)
        beyond = distance[slot.id] - 1  # windows between the nearest closed one and the one suggested
        if not any(s.date <= date if later else s.date >= date for s in self.board.rollout.variables.slots):
            # no window on the date's side to count from (an earliest date after the last window): count
            # from the window nearest to it, the first or the last
            end = "first" if later else "last"
            moved = (f"the {end} window" if beyond == 0 else
                     f"{counted(beyond, 'window')} {'after' if later else 'before'} the {end} one")
        else:
            moved = counted(distance[slot.id], "window") + (" later" if later else " earlier")
        return Relaxation(group.key, group.kind,
                          f"move {org.name}'s {what} from {date} to {self.words.window_date(slot)} ({moved}: "
                          f"{self.words.window(slot)})",
                          distance[slot.id], self.words.field_at(org, field_name))

    def _earliest(self, group: Group) -> Relaxation | None:
        return self._move(group, later=False)

    def _returns(self, group: Group) -> Relaxation | None:
        return self._move(group, later=False)

    def _latest(self, group: Group) -> Relaxation | None:
        return self._move(group, later=True)

    def _exceptions(self, group: Group) -> list[tuple[str, Slot]] | None:
        """The fewest (organisation, window) pairs a track or blackout must let through."""
        closed = self._closed(group)
        place = {s.id: i for i, s in enumerate(self.board.rollout.variables.slots)}
        model = self.board.trial(self.on - {group.key})
        # fewest exceptions first, then the earliest windows
        weight = len(place) + 1
        model.minimize(sum((weight + place[s.id]) * self.x[o, s.id] for o, s in closed))
        solver = self.run(model)
        if solver is None:
            return None
        used = [(o, s) for o, s in closed if solver.boolean_value(self.x[o, s.id])]
        still_closed = [(o, s) for o, s in closed if (o, s) not in used]
        if not used or not self.feasible_with(
                [group.key], lambda m: m.add(sum(self.x[o, s.id] for o, s in still_closed) <= 0)):
            return None
        return used

    def _track(self, group: Group) -> Relaxation | None:
        used = self._exceptions(group)
        if used is None:
            return None
        org = group.subject
        _, slot = used[0]
        return Relaxation(group.key, "track", f"let {org.name} go live in {self.words.window(slot)}, outside its "
                          f"track {org.track}", len(used), self.words.field_at(org, "track"))

    def _blackout(self, group: Group) -> Relaxation | None:
        used = self._exceptions(group)
        if used is None:
            return None
        b = group.subject
        pairs = " and ".join(f"{self.words.name(o)} go live in {self.words.window(s)}" for o, s in used)
        return Relaxation(group.key, "blackout", f"let {pairs} despite the blackout {b.from_} to {b.to} "
                          f"({b.reason})", len(used), b.at)

    # ---- limits and capacity --------------------------------------------------------------------

    def _least_raise(self, keys: list[str]) -> int | None:
        """The least raise of the bounds of the limit groups `keys`, all by the same amount, that lets the
        data hold (verified by a re-solve with it), or None."""
        model = self.board.trial(self.on - set(keys))
        extra = model.new_int_var(0, _BIG, "extra")
        for k in keys:
            expr, constant, bound = self.switches.bounds[k]
            model.add(expr + constant <= bound + extra)
        model.minimize(extra)
        solver = self.run(model)
        if solver is None:
            return None
        more = int(solver.value(extra))

        def add(m: cp_model.CpModel) -> None:
            for k in keys:
                expr, constant, bound = self.switches.bounds[k]
                m.add(expr + constant <= bound + more)

        return more if self.feasible_with(keys, add) else None

    def _limit(self, group: Group) -> Relaxation | None:
        more = self._least_raise([group.key])
        if more is None:
            return None
        bound = self.switches.bounds[group.key][2]
        window = self.board.problem.window[group.window]
        return Relaxation(group.key, "limit", f"raise limit #{group.number} {group.measure} in "
                          f"{self.words.window(window)} from {bound} to {bound + more} (+{more})",
                          more, self.words.field_at(group.subject, group.measure))

    def _whole_limit(self, group: Group) -> Relaxation | None:
        """Where raising the limit in one window is not enough (too low in several): the least raise of
        the limit's bound in every window it applies to, as one change of its line (a limit of 2
        municipalities per window that 3 would fix read "no single change resolves it")."""
        keys = [k for k in self.board.keys if k in self.on and self.board.group(k).kind == "limit"
                and (self.board.group(k).number, self.board.group(k).measure) == (group.number, group.measure)]
        more = self._least_raise(keys) if len(keys) > 1 else None
        if more is None:
            return None
        bound = getattr(group.subject, group.measure)
        return Relaxation(group.key, "limit", f"raise limit #{group.number} {group.measure} from {bound} to "
                          f"{bound + more} (+{more}) in every window it applies to", more,
                          self.words.field_at(group.subject, group.measure))

    def _capacity(self, group: Group) -> Relaxation | None:
        """Extra FTE in the group's pool. Where other conflicts are set aside, first against the whole data
        (every month of the pool, nothing set aside): with a pool cut to a tenth, the months of the other
        conflicts set aside left "+0.3 FTE in 2025-02" of a pool short by tens of FTE, which a planner reads
        as the shortfall. Only where no extra in the pool gives the whole data a plan (or that is not
        decided) is the extra with the other conflicts set aside given, and said to be that."""
        pool = group.subject
        if self.whole:
            return self._pool_extra(pool)
        if pool.id not in self.pools:
            try:
                self.pools[pool.id] = Relaxer(self.board, self.words, set(self.board.keys))._pool_extra(
                    pool, "; with it the whole data has a plan, every conflict resolved")
            except Undecided:
                self.pools[pool.id] = UNDECIDED
        whole = self.pools[pool.id]
        if isinstance(whole, Relaxation):
            return whole
        why = ("whether extra in the pool alone gives the whole data a plan was not decided within the work limit"
               if whole is UNDECIDED else "no extra in the pool alone gives the whole data a plan")
        return self._pool_extra(pool, f", enough with the other conflicts set aside ({why})")

    def _pool_extra(self, pool, scope: str = "") -> Relaxation | None:
        """The least extra FTE in a pool's months (those on) that lets the data hold: first the least
        that suffices in every month that needs any, then the fewest months that need that much, then in
        each of them its own least (`_least_each`: "+20 FTE in 2025-03..2025-04, 2026-02" added 20 where
        2025-03 needed 7 and 2026-02 needed 6); verified by a re-solve with exactly those figures. When the
        work budget is spent before those steps end, the least figure found in the months its plan needs
        it, which that plan verifies (said to be enough, not proven least). `scope`: said after the figures
        (what was set aside)."""
        months = [k for k in self.board.keys if k in self.on and self.board.group(k).kind == "capacity"
                  and self.board.group(k).subject.id == pool.id]
        least = self._least_extra(months)
        if least is None:
            return None
        more, proven, plan = least
        # `more` in the months where `plan` is over the capacity: `plan` itself keeps every rule and limit
        # with that change, so it stands verified when the refinements below are cut short by the budget
        # (on regional data with a pool cut to 30 %, the budget ran out at the verifying re-solve and the
        # change already found was dropped, "not computed")
        witnessed = {key: more for key in self._over(months, plan)}
        try:
            needed = self._fewest_months(months, more) or list(witnessed)
            each = self._least_each(needed, more) if needed else None
            if each is None:  # not decided: the same figure in each month, which is enough
                each = {key: more for key in needed}
            each = {key: extra for key, extra in each.items() if extra > 0}
            if not each or not self._holds_with_extra(each):
                return None
        except OutOfBudget:
            each, proven = witnessed, False
            if not each:
                return None
        by_month = {self.board.group(key).month: extra for key, extra in each.items()}
        first = min(each, key=lambda key: self.board.group(key).month)
        unsure = "" if proven else " (enough; whether less would do was not decided within the work limit)"
        return Relaxation(first, "capacity", f"{_extra_text(pool.id, by_month)}{scope}{unsure}",
                          max(by_month.values()) / LOAD_SCALE, pool.capacity_at(month_label(min(by_month))),
                          {month_label(m): by_month[m] / LOAD_SCALE for m in sorted(by_month)},
                          resolves_all=self.whole)

    def _holds_with_extra(self, each: dict[str, int]) -> bool:
        """The verification of extra capacity: each month `each` names may hold that much more."""

        def add(m: cp_model.CpModel) -> None:
            for key, extra in each.items():
                expr, constant, capacity = self.switches.bounds[key]
                m.add(expr + constant <= capacity + extra)

        return self.feasible_with(each, add)

    def _least_each(self, months: list[str], most: int) -> dict[str, int] | None:
        """In each of these months the least extra (tenths of an FTE, at most `most`) that lets the data
        hold with the others': the least sum, so that no month's figure can be lowered without raising
        another's. None when not decided within the work limit."""
        model = self.board.trial(self.on - set(months))
        extra = {}
        for key in months:
            expr, constant, capacity = self.switches.bounds[key]
            extra[key] = model.new_int_var(0, most, f"extra[{key}]")
            model.add(expr + constant <= capacity + extra[key])
        model.minimize(sum(extra.values()))
        try:
            solver = self.run(model)
        except Undecided:
            return None
        return None if solver is None else {key: int(solver.value(var)) for key, var in extra.items()}

    def _with_extra(self, months: list[str], extra=None) -> tuple[cp_model.CpModel, object]:
        """A trial model where the pool's months may use `extra` (a number, or a new variable) on top."""
        model = self.board.trial(self.on - set(months))
        if extra is None:
            extra = model.new_int_var(0, _BIG, "extra")
        for key in months:
            expr, constant, capacity = self.switches.bounds[key]
            model.add(expr + constant <= capacity + extra)
        return model, extra

    def _least_extra(self, months: list[str]) -> tuple[int, bool, cp_model.CpSolver] | None:
        """The least extra (tenths of an FTE) that lets the data hold, whether that is proven the least,
        and a solution with it. By optimisation; when that is not decided in time, by doubling and
        bisection over feasibility solves (an undecided one counts as 'not enough')."""
        model, extra = self._with_extra(months)
        model.minimize(extra)
        try:
            solver = self.run(model)
            return None if solver is None else (int(solver.value(extra)), True, solver)
        except Undecided:
            pass

        def enough(more: int) -> tuple[bool | None, cp_model.CpSolver | None]:
            try:
                solver = self.board.run(self._with_extra(months, more)[0], min(SHRINK_WORK_LIMIT * 2, self.board.time_limit))
            except Undecided:
                return None, None
            return solver is not None, solver

        high, (ok, plan) = LOAD_SCALE, enough(LOAD_SCALE)
        while ok is not True:
            high *= 2
            if high > _BIG // 4:
                return None
            ok, plan = enough(high)
        low, low_decided = 0, True  # no extra at all is infeasible: that is the conflict
        while high - low > 1:
            middle = (low + high) // 2
            ok, solver = enough(middle)
            if ok:
                high, plan = middle, solver
            else:
                low, low_decided = middle, ok is False
        return high, low_decided, plan

    def _fewest_months(self, months: list[str], more: int) -> list[str] | None:
        """The fewest months that need the extra, by optimisation; None when not decided in time."""
        model = self.board.trial(self.on - set(months))
        over = {}
        for key in months:
            expr, constant, capacity = self.switches.bounds[key]
            over[key] = model.new_bool_var(f"over[{key}]")
            model.add(expr + constant <= capacity + more * over[key])
        model.minimize(sum(over.values()))
        try:
            solver = self.run(model)
        except Undecided:
            return None
        return None if solver is None else [key for key in months if solver.boolean_value(over[key])]

    def _over(self, months: list[str], plan: cp_model.CpSolver) -> list[str]:
        """The months in which a solution's load is above the capacity."""
        over = []
        for key in months:
            expr, constant, capacity = self.switches.bounds[key]
            if plan.value(expr) + constant > capacity:
                over.append(key)
        return over

    # ---- an opt-out a rule rests on ---------------------------------------------------------------

    def _statuses(self, group: Group) -> list[Relaxation]:
        """For a rule that ties organisations to members that opted out (`out_of_plan`), the changes of
        status that resolve it, each verified: undo the opt-out (status signed), or opt out those that
        wait on them too (docs/scenarios.md, exclude). A status is data, not a group: each is verified on
        the data changed, the other conflicts still set aside."""
        problem = self.board.problem
        out = out_of_plan(problem, group.subject)
        if not out:
            return []
        names = self.words.names([o.id for o in out])
        found = []
        undo = {o.id: o.model_copy(update={"status": Status.signed}) for o in out}
        if self._status_holds(f"status:{out[0].id}", f"the opt-out of {names}", undo):
            found.append(Relaxation(f"status:{out[0].id}", "status", f"undo the opt-out of {names}: let "
                                    f"{'it' if len(out) == 1 else 'them'} go live (status signed)", len(out),
                                    self.words.field_at(out[0], "status")))
        waiting = waiting_on(problem, group.subject, out)
        others = self.words.names([o.id for o in waiting]) if waiting else ""
        if waiting and self._status_holds(f"status:{waiting[0].id}", f"the status of {others}",
                                          {o.id: o.model_copy(update={"status": Status.opted_out, "returns": None})
                                           for o in waiting}):
            found.append(Relaxation(f"status:{waiting[0].id}", "status",
                                    f"opt {others} out too (status opted_out), "
                                    f"as {names} {'is' if len(out) == 1 else 'are'}",
                                    len(waiting), self.words.field_at(waiting[0], "status")))
        return found

    def _status_holds(self, key: str, label: str, changed: dict[str, Organisation]) -> bool:
        """`_holds_with`, where a change not decided (or not started: the budget is spent) is said as not
        computed under its own key (`status:ID`, named `label`), never read as "it does not help"."""
        try:
            return self._holds_with(changed)
        except (Undecided, OutOfBudget) as exc:
            (self.not_decided if isinstance(exc, Undecided) else self.skipped).append(key)
            self.labels[key] = label
            return False

    def _holds_with(self, changed: dict[str, Organisation]) -> bool:
        """Whether the data has a plan with some organisations changed and the other conflicts set aside:
        a board of the changed data, its solve charged to this one's work budget. Raises Undecided when
        that is not decided within the work limit (it read as "no", and the change went unsaid), OutOfBudget
        when the budget is spent."""
        self.board._within_budget()
        other = Switchboard(_with_organisations(self.board.problem, changed, []), time_limit=self.board.time_limit,
                            budget=self.board.budget - self.board.work, deadline=self.board.deadline)
        aside = set(self.board.keys) - self.on
        try:
            model = other.trial(k for k in other.keys if k not in aside)
            return other.run(model, min(RELAX_WORK_LIMIT, self.board.time_limit)) is not None
        finally:
            self.board.work += other.work
            self.board.solves += other.solves
            self.board.out_of_time |= other.out_of_time

    # ---- dropping -------------------------------------------------------------------------------

    def _rule(self, group: Group) -> Relaxation | None:
        if not self.feasible_with([group.key]):
            return None
        rule = group.subject
        label = self.words.rule_label(rule, group.number)
        if isinstance(rule, WithOrBefore) and rule.each is not None:
            gp, municipality = group.actors
            text = (f"let {self.words.name(gp)} go live after {self.words.name(municipality)} "
                    f"(an exception to {label})")
        else:
            text = f"drop {label}"
        return Relaxation(group.key, "rule", text, 1, rule.at)

    def _mandatory(self, group: Group) -> Relaxation | None:
        if not self.feasible_with([group.key]):
            return None
        org = group.subject
        return Relaxation(group.key, "mandatory", f"let {org.name} stay unscheduled (status optional)", 1,
                          self.words.field_at(org, "status"))


# --------------------------------------------------------------------------------------------------
# infeasibility


def conflict_of(board: Switchboard, words: Describer, keys: list[str], also: Iterable[str] = ()) -> Conflict:
    """A conflict in plain words, with the pinned history its groups involve. `also`: organisations
    involved other than through the groups (the one a why-not-earlier question moves)."""
    groups = [board.group(k) for k in keys]
    involved = {a for g in groups for a in g.actors} | set(also)
    reasons = [words.reason(g, board.switches, involved) for g in groups]
    pinned = [board.problem.org[a] for a in dict.fromkeys(a for r in reasons for a in r.actors)
              if a in board.problem.org and board.problem.org[a].status is Status.live]
    return Conflict(reasons, [words.given(org) for org in pinned], unproven=[k for k in keys if k in board.unproven],
                    budget=board.budget, untried=any(k in board.unproven_by_budget for k in keys),
                    time_limit=board.time_limit)


#: conflicts beyond those listed that are looked for to set them aside while a listed one's changes
#: are tried (past these, a change is tried with conflicts still in the data, and may not be found)
MORE_CONFLICTS_TO_RELAX = 6


def _checked(problem: object, time_limit: object, verb: str) -> None:
    """The library's arguments, as `hpplan.solve` checks its own (a text time limit failed deep inside
    with "'<' not supported", and 0 was taken on feasible data). `verb`: the function called."""
    from .solve import TIME_LIMIT_MIN, checked_number

    checked_problem(verb, problem)
    checked_number("time_limit", time_limit, TIME_LIMIT_MIN, unit=" of seconds")


def explain_infeasible(problem: Problem, *, max_conflicts: int = MAX_CONFLICTS, relax: bool = True,
                       time_limit: float = SOLVE_TIME_LIMIT, wall_limit: float | None = None) -> Explanation:
    """Whether any plan satisfies every rule and limit; if none does, up to `max_conflicts` disjoint
    minimal conflicts, each with the smallest changes that resolve it (`relax`). Raises Undecided when
    whether the data admits a plan is not decided in the work limit. The whole search shares a work
    budget (WORK_BUDGET_FACTOR times `time_limit`, in deterministic seconds): once it is spent, the
    conflicts found are reported as they are (proven infeasible; what was not proven needed listed) and
    the changes not computed are said to be. `wall_limit` (seconds, None: none) bounds the search's wall
    time as well: once that much has passed since the call, no further optional solve starts, as when
    the budget is spent, and the report says which of the two stopped it (`hpplan solve -t` explains an
    infeasible result so: within its time limit again, not ten times it in deterministic seconds, which
    took 3 minutes of wall time on 325 organisations with -t 10). A solve started runs to its own work
    limit; the solves that decide whether the data admits a plan run as they do past the budget. What it
    finds then depends on the machine's speed: `hpplan check` and `hpplan explain` give none."""
    from .solve import checked_number

    started = time.perf_counter()
    _checked(problem, time_limit, "explain_infeasible")
    checked_number("max_conflicts", max_conflicts, 1, integer=True)
    if not isinstance(relax, bool):  # "no" would be true
        raise TypeError(f"relax is True or False, got {relax!r}")
    if wall_limit is not None:
        checked_number("wall_limit", wall_limit, 0.0, unit=" of seconds")
    if plan_exists(problem):
        return Explanation(True)
    large = _large(problem)
    if large and solve_finds_plan(problem, time_limit):
        return Explanation(True)
    deadline = (float(wall_limit), started + wall_limit) if wall_limit is not None else None
    board = Switchboard(problem, time_limit=time_limit, deadline=deadline)
    try:
        found, complete = board.conflicts(max_conflicts)
    except Undecided:
        # (not once the wall time given ran out: the race would run for `time_limit` more seconds)
        if not large and not board.past_deadline and solve_finds_plan(problem, time_limit):
            return Explanation(True, solves=board.solves)
        raise
    if not found:
        return Explanation(True, solves=board.solves)
    more_undecided = board.more_undecided
    words = Describer(problem)
    conflicts = []
    every = found
    if relax and not complete and not more_undecided and not board.spent:
        # a change resolves a conflict when the data holds with it and every other conflict set aside:
        # the unlisted ones too (with only the listed ones aside, a fourth kept every trial infeasible
        # and each listed conflict read "no single change resolves it")
        try:
            every, _ = board.conflicts(max_conflicts + MORE_CONFLICTS_TO_RELAX, found)
        except Undecided:
            pass
    pools: dict[str, object] = {}  # a pool's extra against the whole data, once (Relaxer._capacity)
    for keys in found:
        conflict = conflict_of(board, words, keys)
        if relax:
            aside = {k for other in every if other is not keys for k in other}
            relaxer = Relaxer(board, words, set(board.keys) - aside, pools)
            conflict.relaxations, conflict.not_computed = relaxer.for_conflict(keys)
            conflict.not_decided, conflict.labels = relaxer.not_decided, relaxer.labels
        conflicts.append(conflict)
    # stopped by the clock, not by the work budget: said so wherever the search stopped short
    timed_out = board.out_of_time and board.work < board.budget
    if timed_out:
        for conflict in conflicts:
            conflict.wall_limit = deadline[0]
    return Explanation(False, conflicts, complete, board.solves, more_undecided, board.work, board.budget,
                       wall_limit=deadline[0] if deadline else None, wall_limit_reached=timed_out)


def is_feasible(problem: Problem, *, time_limit: float = SOLVE_TIME_LIMIT) -> bool:
    """Does any plan satisfy every rule and limit? (The list schedule, else a feasibility solve; raises
    Undecided on a timeout.)"""
    _checked(problem, time_limit, "is_feasible")
    if plan_exists(problem):
        return True
    large = _large(problem)
    if large and solve_finds_plan(problem, time_limit):
        return True
    board = Switchboard(problem, time_limit=time_limit)
    try:
        return board.decide(board.keys).feasible
    except Undecided:
        if not large and solve_finds_plan(problem, time_limit):
            return True
        raise


def _large(problem: Problem) -> bool:
    """Above HiGHS's reach (national scale): the switchable model, CP-SAT's, rarely decides there in
    its work limit, and `hpplan solve`'s race is asked first."""
    from .engines.common import flatten

    return flatten(problem).window_variables > HIGHS_MAX_COLUMNS


class _FirstPlan(RaceHook):
    """A progress hook (`progress.RaceHook`) that stops the solve at the race's first plan."""

    def __init__(self, stop) -> None:
        self.stop = stop

    def update(self, *, objective: float | None = None, bound: float | None = None, solution: bool = False,
               phase: str | None = None, step: str | None = None) -> None:
        if objective is not None:
            self.stop.request()


def solve_finds_plan(problem: Problem, time_limit: float) -> bool:
    """Whether `hpplan solve`'s race finds a plan in `time_limit` seconds (verified, as every plan it
    returns; it stops at the first): where the list schedule gets stuck and the switchable model cannot
    decide in its work limit (national scale: LP rounding's MIP on the LP's neighbourhood finds one), a
    plan is still the proof that one exists. False when it finds none."""
    from .solve import SolveOptions, solve
    from .stopping import StopRequest

    stop = StopRequest()
    return solve(problem, SolveOptions(time_limit=time_limit, tie_break=False, stop=stop,
                                       progress=_FirstPlan(stop))).found


def plan_exists(problem: Problem) -> bool:
    """True when the list scheduler finds a plan that the independent verifier accepts: proof that the
    data admits a plan (deterministic; 0.2 s at national scale, where CP-SAT's feasibility solve of the
    switchable model does not decide within its 30 s of work). False says nothing."""
    from .solve import list_schedule

    return list_schedule(problem) is not None


def known_actor(problem: Problem, actor: str, option: str | None = None) -> Organisation:
    """The organisation with this id; InputError with a did-you-mean when there is none, and what an id is
    when `actor` is none ('', a name: 'Ørsta'). `option`: the command-line option that gave it (`--actor`),
    which the error names first, as `solve --exclude` does (`--actor: 'aur' is not an organisation …`)."""
    if actor in problem.org:
        return problem.org[actor]
    if not re.fullmatch(ID_PATTERN, actor):
        each = (lambda ids: "one organisation a run: " + " or ".join(f"{option} {i}" for i in ids)) if option else None
        # one of the data's ids, by its id or name ('Helse Nord-Trøndelag HF': helse-nord-trondelag, where the
        # name's id-like form is no organisation's id)
        what = f"{actor!r} is not an id: {id_advice(actor, each, known={o.id: o.name for o in problem.organisations})}"
    else:
        what = f"{actor!r} is not an organisation in {problem.org_file}{did_you_mean(actor, problem.org)}"
    if option is None:
        raise InputError(what)
    raise InputError(what, option)


def plan_file_for(plan: Path, scenarios: Iterable[Path] = ()) -> Path:
    """Where to save the plan solved again for `explain --actor` when the plan asked about (`--plan PLAN`)
    breaks rules of the data: beside PLAN, named after it and the scenarios applied (`plan.json` with
    `hmr-postponed.yaml`: `plan-hmr-postponed.json`; without scenarios `plan-solved.json`), JSON as
    `solve --format json` writes. Never PLAN itself: it is often the baseline plan the scenario is
    compared with (`compare --baseline plan.json`), and the advice followed would overwrite it. In the
    current folder when PLAN's folder is in a data folder (`data/adopted-plan.yaml`, or through a link to
    one, which an output is refused through: `io.check_writable`): a scratch plan is no data; and when
    the current folder is in a data folder too, beside that data folder (`../adopted-plan-solved.json`)."""
    plan = Path(plan)
    tag = "-".join(Path(s).stem for s in scenarios) or "solved"
    # a name longer than PLAN's own, so never PLAN; plan-hmr-postponed.json with hmr-postponed.yaml (made
    # with it, and breaking rules all the same) gives plan-hmr-postponed-solved.json
    name = f"{plan.stem}-solved" if plan.stem.endswith(f"-{tag}") else f"{plan.stem}-{tag}"
    if data_folder_around(plan.parent.resolve()) is None:
        return plan.with_name(f"{name}.json")
    here = data_folder_around(Path.cwd().resolve())
    if here is None:
        return Path(f"{name}.json")
    # the current folder is a data folder too (`--data .`): beside the data folder it is in
    return Path(os.path.relpath(here.parent / f"{name}.json"))


def is_minimal_conflict(problem: Problem, keys: list[str], *, hypothesis=None) -> bool:
    """True when the groups `keys` cannot all hold and every set of them minus one can (for tests)."""
    board = Switchboard(problem, hypothesis=hypothesis)
    if board.decide(keys).feasible:
        return False
    return all(board.decide([k for k in keys if k != key]).feasible for key in keys)


# --------------------------------------------------------------------------------------------------
# why not earlier


@dataclass
class WhyNotEarlier:
    """Why an organisation goes live where it does, and not one window earlier."""

    actor: str
    name: str
    verdict: str  # pinned | not_planned | first_window | blocked | objective | undecided
    summary: str
    window: str | None = None  # where it goes live in the plan (None: unscheduled)
    earlier: str | None = None  # the window asked about (None: "scheduled at all")
    conflict: Conflict | None = None  # blocked: the rules and limits that forbid it
    objective_change: dict[str, float] = field(default_factory=dict)  # objective: best plan there - this plan
    moves: list[str] = field(default_factory=list)  # objective: who else moves in that best plan
    alone: Conflict | None = None  # objective: what it would break with everyone else kept in place
    #: the members of its `together` rules that go live with it in the plan: they move with it there
    with_group: list[str] = field(default_factory=list)
    group_names: list[str] = field(default_factory=list)  # their names, for the text
    #: objective: whether the best plan there was proven best; when not, `objective_change` is the best
    #: plan found and `at_least` the least change in the total that the solve's bound allows
    proven: bool = True
    at_least: float | None = None
    fewest_moves: bool = True  # objective: `moves` proven the fewest among such plans
    #: objective, when `moves` are not proven the fewest and the best plan found is not the least change:
    #: the plan that changes this one least with the organisation there (`LeastChange`)
    least_change: "LeastChange | None" = None
    #: the figures saved with the plan asked about that this data does not give ('load', 'objective': the
    #: data changed since it was saved); the answer rests on its go-lives, which keep every rule and limit
    stale_figures: list[str] = field(default_factory=list)
    #: the stale figures are those of a plan asked about with changes applied (a scenario, a quick form): its
    #: own data's, not compared under the changes (not "the data changed since")
    under_changes: bool = False
    #: without a plan given, whether the plan explained (`hpplan solve`'s, within the time limit) was
    #: proven optimal: when not, another run may find another plan, and another answer; None: a plan given
    plan_proven: bool | None = None
    #: the dates of `window` and `earlier` rest on an estimate (`formats.window_date_estimated`): shown `*`
    window_date_is_estimate: bool = False
    earlier_date_is_estimate: bool = False
    #: per term of `objective_change`, whether its change rests on an estimate (a population of an organisation
    #: that moves, as solve's `objective_is_estimate`): shown `*`
    objective_change_is_estimate: dict[str, bool] = field(default_factory=dict)
    #: the objective's weights (waves.yaml `objective`) the terms are counted in: `population_weight`,
    #: `preferred_window_penalty`; the text says each term in its unit (person-months, windows)
    weights: dict[str, int] = field(default_factory=dict)
    #: objective: one plain sentence of where it could go and what keeps it where it is
    plain: str = ""

    @property
    def marks_shown(self) -> bool:
        """Whether the answer's own text (not its conflicts) shows a figure or date marked `*`."""
        return (self.window_date_is_estimate or self.earlier_date_is_estimate
                or any(v for v in self.objective_change_is_estimate.values()))

    def units(self) -> dict[str, dict]:
        """Each objective term's change in its unit: population_delay in person-months (the change over
        `population_weight`), preference in windows away from the preferred ones (over the penalty a window)."""
        return _term_units(self.objective_change, self.weights)

    def to_text(self) -> str:
        lines = [self.summary]
        if self.conflict is not None:
            lines += _conflict_lines(self.conflict)
        if self.objective_change:
            lines += [_term_line(term, v, self.objective_change_is_estimate.get(term, False), self.weights)
                      for term, v in self.objective_change.items()]
        if self.plain:
            lines.append(f"  {self.plain}")
        if self.moves and self.least_change is not None:
            # the best plan found and this one are both cut short: their difference is mostly noise
            lines.append(f"  in that plan {len(self.moves)} other organisations move (not proven the fewest; "
                         "what it takes at the least follows)")
        elif self.moves:
            lines.append("  in that plan:" if self.fewest_moves else
                         "  in that plan (the fewest other moves found, not proven the fewest):")
            lines += [f"  - {move}" for move in self.moves]
        if self.least_change is not None:
            lines += self.least_change.lines(self.name)
        if self.alone is not None:
            group = (f" with its together group ({', '.join(self.group_names)})" if self.with_group
                     else " on its own")
            lines.append(f"  it cannot move{group}: with everyone else kept where they are, "
                         f"{_cannot_hold(len(self.alone.reasons))}:")
            lines += _conflict_lines(self.alone)
        if self.stale_figures and self.under_changes:
            lines.append(f"Note: the plan's saved {' and '.join(self.stale_figures)} "
                         f"{'is' if len(self.stale_figures) == 1 else 'are'} its own data's, not compared under the "
                         "changes applied; the answer rests on its go-lives, which keep every rule and limit of this "
                         "data with the changes")
        elif self.stale_figures:
            lines.append(f"Note: the plan's {saved_figures_text(self.stale_figures)} (the data changed since it was "
                         "saved, or the plan was edited); the answer rests on its go-lives, which keep every rule and "
                         "limit of this data")
        if self.plan_proven is False:
            lines.append("Note: the plan asked about is the best plan found within the time limit, not proven "
                         "optimal: another run may find another plan, and answer otherwise; raise --time-limit, or "
                         "ask about a saved plan (--plan)")
        note = _estimate_note([self.conflict, self.alone])
        if not note and self.marks_shown:
            note = ["", ESTIMATE_NOTE]
        return "\n".join(lines + note) + "\n"

    def to_json_dict(self) -> dict:
        return {"actor": self.actor, "verdict": self.verdict, "summary": _sentence(self.summary),
                "window": self.window, "earlier": self.earlier,
                "conflict": self.conflict.to_json() if self.conflict else None,
                "objective_change": {k: _number(v) for k, v in self.objective_change.items()},
                "moves": self.moves, "alone": self.alone.to_json() if self.alone else None,
                "alone_with": self.with_group,
                "proven": self.proven, "objective_change_at_least": _number(self.at_least)
                if self.at_least is not None else None, "fewest_moves": self.fewest_moves,
                "least_change": self.least_change.to_json() if self.least_change else None,
                "stale_figures": self.stale_figures, "plan_proven": self.plan_proven,
                "window_date_is_estimate": self.window_date_is_estimate,
                "earlier_date_is_estimate": self.earlier_date_is_estimate,
                "objective_change_is_estimate": dict(self.objective_change_is_estimate),
                "objective_change_at_least_is_estimate": bool(self.objective_change_is_estimate.get("total"))
                if self.at_least is not None else None,
                "objective_change_units": self.units(), "plain": self.plain or None}


@dataclass
class LeastChange:
    """The plan that changes the plan asked about least with the organisation where the question puts
    it (`hpplan solve --baseline`'s re-planning: fewest organisations moved, then the fewest days moved,
    then the best objective): what the move takes at the least, where the best plan found is cut short."""

    moves: list[str]  # the other organisations that move
    objective_change: dict[str, float]  # that plan - the plan asked about, by term and total
    fewest: bool  # the moves proven the fewest (and the days moved the fewest among those)

    def lines(self, name: str) -> list[str]:
        proof = "" if self.fewest else " (not proven the least)"
        total = self.objective_change["total"]
        head = (f"  the least change to this plan with {name} there{proof}: "
                f"{len(self.moves) or 'no'} other organisation{'' if len(self.moves) == 1 else 's'} "
                f"move{'s' if len(self.moves) == 1 else ''}, the objective {'+' if total > 0 else ''}{_number(total)}"
                + (":" if self.moves else ""))
        return [head] + [f"  - {move}" for move in self.moves]

    def to_json(self) -> dict:
        return {"moves": self.moves, "objective_change": {k: _number(v) for k, v in self.objective_change.items()},
                "fewest_moves": self.fewest}


def _term_units(change: dict[str, float], weights: dict[str, int]) -> dict[str, dict]:
    """`WhyNotEarlier.units`."""
    units: dict[str, dict] = {}
    weight, penalty = weights.get("population_weight", 0), weights.get("preferred_window_penalty", 0)
    for term, v in change.items():
        if term == "population_delay" and weight:
            units[term] = {"person_months": _number(v / weight), "population_weight": weight}
        elif term == "preference" and penalty:
            units[term] = {"windows": _number(v / penalty), "penalty_per_window": penalty}
        elif term == "makespan":
            units[term] = {"months": _number(v)}
    return units


def _term_line(term: str, v: float, estimate: bool, weights: dict[str, int]) -> str:
    """An objective term's change with what it counts, in words and units: `population_delay: -1450* (1 450*
    person-months less waiting: population × months until go-live)`, `preference: +20000 (1 window further from
    the preferred windows × 20 000 a window, preferred_window_penalty)`."""
    shown = marked(f"{'+' if v > 0 else ''}{_number(v)}", estimate)
    unit = _term_units({term: v}, weights).get(term)
    said = ""
    if term == "population_delay" and unit:
        weight = unit["population_weight"]
        said = (f"{marked(fmt_int(abs(unit['person_months'])), estimate)} person-months "
                f"{'more' if v > 0 else 'less'} waiting: population × months until go-live"
                + (f", × population_weight {weight}" if weight != 1 else ""))
    elif term == "preference" and unit:
        n = abs(unit["windows"])
        said = (f"{_number(n)} window{'' if n == 1 else 's'} {'further from' if v > 0 else 'nearer to'} the "
                f"preferred windows × {fmt_int(unit['penalty_per_window'])} a window, preferred_window_penalty")
    elif term == "makespan" and unit:
        n = abs(unit["months"])
        said = f"the rollout ends {_number(n)} month{'' if n == 1 else 's'} {'later' if v > 0 else 'sooner'}"
    elif term == "total":
        said = "the sum; lower is better"
    return f"  - {term}: {shown}" + (f" ({said})" if said and v else "")


def _plain(org: Organisation, current, earlier, change: dict[str, float], marks: dict[str, bool],
           weights: dict[str, int], at: Callable[[object], str]) -> str:
    """One plain sentence where only the objective keeps an organisation where it is: where it could go, and
    which term keeps it (in its unit) against which it gains (`Bindal could go live in 2025-09 (2025-09-06*),
    one window earlier; it is kept in 2025-10 (2025-10-25*) because that is its preferred window (penalty 20 000
    a window), which outweighs 1 450* person-months`)."""
    units = _term_units(change, weights)

    def phrase(term: str, v: float, cost: bool) -> str | None:
        unit = units.get(term)
        if term == "population_delay" and unit:
            months = marked(fmt_int(abs(unit["person_months"])), marks.get(term, False))
            return f"others would wait {months} person-months more" if cost else f"{months} person-months"
        if term == "preference" and unit:
            n = abs(unit["windows"])
            penalty = fmt_int(unit["penalty_per_window"])
            if cost and n == 1 and current is not None and org.preferred_window == current.id:
                return f"that is its preferred window (penalty {penalty} a window)"
            return (f"organisations would go live {_number(n)} window{'' if n == 1 else 's'} "
                    f"{'further from' if cost else 'nearer to'} their preferred windows (penalty {penalty} a window)")
        if term == "makespan" and unit:
            n = abs(unit["months"])
            return f"the rollout would end {_number(n)} month{'' if n == 1 else 's'} {'later' if cost else 'sooner'}"
        return None

    costs = [p for t, v in change.items() if t != "total" and v > 0 and (p := phrase(t, v, True))]
    gains = [p for t, v in change.items() if t != "total" and v < 0 and (p := phrase(t, v, False))]
    if not costs:
        return ""
    if earlier is None:
        head = f"{org.name} could be scheduled; it is left out"
    else:
        head = (f"{org.name} could go live in {at(earlier)}, one window earlier; it is kept in "
                f"{at(current)}")
    text = f"{head} because {' and '.join(costs)}"
    if gains:
        text += f", which outweighs {' and '.join(gains)}"
    return f"In plain words: {text}."


def _sentence(summary: str) -> str:
    """A summary as a sentence of its own (JSON): the text's colon before its list made a full stop."""
    return summary[:-1] + "." if summary.endswith(":") else summary


def _conflict_lines(conflict: Conflict) -> list[str]:
    lines = [f"  - {r}" for r in conflict.reasons]
    if conflict.given:
        lines.append("  given (history, never moved):")
        lines += [f"  - {g}" for g in conflict.given]
    if conflict.unproven:
        needed = f"{_some(conflict, conflict.unproven)} {'is' if len(conflict.unproven) == 1 else 'are'} needed"
        if not conflict.untried:
            lines.append(f"  not proven minimal: within the work limit it was not decided whether {needed}")
        else:
            lines.append(f"  not proven minimal: whether {needed} was not decided: {_budget_spent(conflict)}")
    return lines


def why_not_earlier(problem: Problem, actor: str, plan: Solution | None = None, *,
                    time_limit: float = SOLVE_TIME_LIMIT) -> WhyNotEarlier:
    """Why `actor` does not go live one window earlier than in `plan` (default: the optimal plan of
    `hpplan solve`): the minimal set of rules and limits that forbids it with everyone else free to
    move; or, when nothing forbids it, what the objective says against it, who else would move, and
    what it would break if it moved alone (verdict `undecided` when the best plan found there is worse
    but the time limit left a plan as good not ruled out). Raises InputError for an unknown actor or a
    plan that places it outside every future window, PlanBreaksRules for a plan that does not keep every
    rule and limit of `problem` (checked first, by the independent verifier, as `hpplan check --plan`
    checks it; a plan whose saved load or objective alone is stale is answered, with `stale_figures`),
    Undecided when no plan is found or a feasibility solve runs out of time."""
    _checked(problem, time_limit, "why_not_earlier")
    if not isinstance(actor, str):
        raise TypeError(f"why_not_earlier takes the organisation as its id, a str ('orsta'), got "
                        f"{type(actor).__name__}")
    if plan is not None and not isinstance(plan, Solution):
        raise TypeError("why_not_earlier takes the plan as a Solution (from hpplan.solve, or "
                        f"hpplan.read_plan(file)) or None (the optimal plan), got {type(plan).__name__}")
    org = known_actor(problem, actor)
    stale: list[str] = []
    if plan is not None:
        # figures saved with the plan that this data does not give (its load, its objective: the data
        # changed since) break no rule, and the answer does not read them: it is answered, and says so
        found = verify(problem, plan) if plan.found else []  # (verify refuses a solution with no plan)
        broken = broken_rules(found)
        if not plan.found or broken:
            raise PlanBreaksRules(org.name, plan, broken)
        stale = stale_names(found)
    answer = _why_not_earlier(problem, org, plan, time_limit)
    answer.stale_figures = stale
    answer.under_changes = bool(stale) and bool(problem.applied)
    return answer


def _why_not_earlier(problem: Problem, org: Organisation, plan: Solution | None, time_limit: float) -> WhyNotEarlier:
    """`why_not_earlier` of a known organisation and a plan that keeps every rule and limit (or None)."""
    actor = org.id
    if org.status is Status.live:
        return WhyNotEarlier(actor, org.name, "pinned", f"{org.name} went live on {org.live_since}: that is "
                             "history, not planned.")
    if not org.is_plannable:
        return WhyNotEarlier(actor, org.name, "not_planned", f"{org.name} opted out with no return date: it is "
                             "not planned (give it a `returns` date to plan it).")
    if plan is None:
        from .solve import SolveOptions, solve

        plan = solve(problem, SolveOptions(time_limit=time_limit))
        if not plan.found:
            raise Undecided(f"no plan to explain ({plan.status.value}); run `hpplan check` to see why")
        answer = _why_not_earlier(problem, org, plan, time_limit)
        answer.plan_proven = plan.status is SolveStatus.optimal
        return answer
    entry = plan.assignment(actor)
    future = {w.id: w for w in problem.future_windows}
    at = _marked_window  # a window with its date, marked `*` where the date is an estimate
    if entry is None or entry.go_live is None:
        current = earlier = None
        question = f"Why is {org.name} not scheduled?"
        there = "scheduled"
    else:
        if entry.window not in future:
            raise InputError(f"the plan has {actor} go live {entry.go_live} in {entry.window or 'no window'}, "
                             "which is not a window from the planning date on")
        current = future[entry.window]
        before = [w for w in future.values() if w.date < current.date]
        if not before:
            answer = WhyNotEarlier(actor, org.name, "first_window", f"{org.name} goes live in "
                                   f"{at(current)}, on the first date with a window from the planning date on.",
                                   current.id, window_date_is_estimate=window_date_estimated(current))
            return answer
        earlier = before[-1]
        question = (f"Why does {org.name} go live in {at(current)}, not one window earlier in {at(earlier)}?")
        there = f"in {at(earlier)}"
    window_id = current.id if current is not None else None
    earlier_id = earlier.id if earlier is not None else None
    dates = {"window_date_is_estimate": window_date_estimated(current),
             "earlier_date_is_estimate": window_date_estimated(earlier)}
    words = Describer(problem)

    def moved(rollout: RolloutModel) -> None:
        if earlier is None:
            rollout.model.add(rollout.variables.scheduled(actor) == 1).with_name(f"hypothesis:{actor}")
        else:
            rollout.model.add(rollout.variables.go_live[actor, earlier.id] == 1).with_name(f"hypothesis:{actor}")

    # Can it go there? A list schedule of the data with it confined there that the verifier accepts says
    # yes at once; otherwise the switchable model decides, and names the conflict when it cannot. If that
    # is not decided in time (national scale), a plan from the solve below still says yes.
    confined = _confined(problem, org, earlier)
    boards: list[Switchboard] = []

    def board() -> Switchboard:
        if not boards:
            boards.append(Switchboard(problem, time_limit=time_limit, hypothesis=moved))
        return boards[0]

    if not plan_exists(confined):
        try:
            outcome = board().decide(board().keys)
        except Undecided:
            outcome = Outcome(None)
        if outcome.feasible is False:
            keys = board().minimal(board().narrowed(board().keys, outcome))
            summary = f"{question}\nWith {org.name} {there}, {_cannot_hold(len(keys))}:"
            return WhyNotEarlier(actor, org.name, "blocked", summary, window_id, earlier_id,
                                 conflict_of(board(), words, keys, [actor]), **dates)

    # Nothing forbids it: the best plan with it there, against this plan. hpplan's own solve (the race
    # of docs/solve.md) on the confined data finds and proves it where a CP-SAT solve of the switchable
    # model alone would not (regional scale); unproven, its bound still says how much worse at least.
    from .solve import SolveOptions, solve

    best = solve(confined, SolveOptions(time_limit=time_limit, tie_break=False))
    if best.status is SolveStatus.infeasible:
        raise Undecided(f"no plan has {org.name} {there}, but what forbids it was not found within the "
                        "time limit (raise --time-limit)")
    if not best.found:
        raise Undecided(f"neither a plan with {org.name} {there} nor what forbids it was found within the "
                        "time limit (raise --time-limit)")
    proven = best.status is SolveStatus.optimal
    best_total = round(best.objective["total"])
    this_plan = plan_objective(problem, plan, time_limit=time_limit)
    chosen, terms, fewest = _fewest_moves(board, confined, actor, plan, best, best_total, time_limit)
    least = None
    if not fewest:
        # the moves are the difference between two plans cut short, at national scale hundreds: what the
        # move takes at the least, by re-planning this plan (it may also beat the best plan found)
        least = _least_change(confined, actor, plan, earlier, time_limit)
        if least is not None and sum(least[1].values()) <= sum(terms.values()):
            chosen, terms, fewest = least
            least = None
    change = _change(terms, this_plan)
    at_least = None
    if not proven:
        bound = best.stats.best_bound
        at_least = float(math.ceil(bound - 1e-6) - sum(this_plan.values())) if bound is not None else None
    if earlier is None:
        there = f"in {at(future[chosen[actor]])}"
    moves = _moves(problem, actor, plan, chosen)
    least_change = None if least is None else LeastChange(_moves(problem, actor, plan, least[0]),
                                                          _change(least[1], this_plan), least[2])
    marks = _change_estimated(problem, actor, plan, chosen, change)
    weights = {"population_weight": problem.waves.objective.population_weight,
               "preferred_window_penalty": problem.waves.objective.preferred_window_penalty}
    verdict, text = _objective_verdict(org.name, there, change["total"], proven, at_least, marks.get("total", False))
    plain = (_plain(org, current, earlier, change, marks, weights, at)
             if verdict == "objective" and change["total"] > 0 else "")
    summary = f"{question}\nNo rule or limit forbids {org.name} {there}; {text}"

    # Could it move on its own? Everyone else kept where the plan has them, but for the members of its
    # together rules that go live with it: they move with it (kept, they would only say that the rule
    # holds them together; left free, the rule still came up where the group could not all move)
    group = _together_group(problem, actor, plan)

    def alone(rollout: RolloutModel) -> None:
        moved(rollout)
        kept = {(a.id, a.window) for a in plan.plan if a.go_live is not None and a.id != actor}
        for (o, w), var in rollout.variables.go_live.items():
            if o in group:
                rollout.model.add(var == int(w == earlier.id)).with_name(f"hypothesis:{o}")
            elif o != actor:
                rollout.model.add(var == int((o, w) in kept))

    alone_board = Switchboard(problem, time_limit=time_limit, hypothesis=alone)
    alone_outcome = alone_board.decide(alone_board.keys)
    stuck = None
    if not alone_outcome.feasible:
        keys = alone_board.minimal(alone_board.narrowed(alone_board.keys, alone_outcome))
        stuck = conflict_of(alone_board, words, keys, [actor])
    return WhyNotEarlier(actor, org.name, verdict, summary, window_id, earlier_id, objective_change=change,
                         moves=moves, alone=stuck, with_group=group,
                         group_names=[problem.org[o].name for o in group], proven=proven, at_least=at_least,
                         fewest_moves=fewest, least_change=least_change, objective_change_is_estimate=marks,
                         weights=weights, plain=plain, **dates)


def _marked_window(window) -> str:
    """`Describer.window` with the window's date marked `*` where it rests on an estimate (as solve marks it)."""
    return f"window {window.id} ({marked(window.date.isoformat(), window_date_estimated(window))})"


def _change_estimated(problem: Problem, actor: str, plan: Solution, chosen: dict[str, str],
                      change: dict[str, float]) -> dict[str, bool]:
    """Per term of an objective change, whether it rests on an estimate (as solve's `objective_is_estimate`):
    population_delay where an organisation that moves (the one asked about, or another whose window differs)
    has an estimated population, total where a term it sums does. A term that does not change is no estimate."""
    moved = [problem.org.get(actor)] + [problem.org.get(a.id) for a in plan.plan
                                        if a.id != actor and (a.window if a.go_live else None) != chosen.get(a.id)]
    delay = bool(problem.waves.objective.population_weight) and estimated(moved, "population")
    marks = {term: term == "population_delay" and delay and bool(v) for term, v in change.items()}
    if "total" in marks:
        marks["total"] = any(v for k, v in marks.items() if k != "total")
    return marks


def _together_group(problem: Problem, actor: str, plan: Solution) -> list[str]:
    """The members of the organisation's `together` rules that go live in its window in `plan` (they
    go live as one), in data order."""
    entry = plan.assignment(actor)
    if entry is None or entry.go_live is None:
        return []
    members = {ident for rule in problem.waves.rules if rule.type == "together" and actor in rule.actors
               for ident in rule.actors if ident != actor}
    return [a.id for a in plan.plan if a.id in members and a.go_live is not None and a.window == entry.window
            and a.id in problem.org and problem.org[a.id].status is not Status.live]


def _change(terms: dict[str, int], this_plan: dict[str, int]) -> dict[str, float]:
    """Objective terms of another plan less those of the plan asked about, and the total."""
    change = {name: float(terms[name] - this_plan[name]) for name in this_plan}
    change["total"] = sum(change.values())
    return change


def _moves(problem: Problem, actor: str, plan: Solution, chosen: dict[str, str]) -> list[str]:
    """The other organisations whose window in `chosen` differs from `plan`'s, as sentences."""
    plannable = {o.id for o in problem.plannable}
    return [_move_text(problem, a.id, a.window if a.go_live else None, chosen.get(a.id))
            for a in plan.plan if a.id != actor and a.id in plannable
            and (a.window if a.go_live else None) != chosen.get(a.id)]


#: `_least_change` above HiGHS's reach: the organisations that may move are first those going live within
#: this many months of the window asked about (the load profiles reach 6 months before a go-live and 3
#: after), then within twice as many, then all. National seed 1, three municipalities: 6 months gave
#: the answers 9 did (the same moves and objective, proven there) in 5-6 s instead of 8-20 s
LEAST_CHANGE_MONTHS = 6


def _least_change(confined: Problem, actor: str, plan: Solution, earlier,
                  time_limit: float) -> tuple[dict[str, str], dict[str, int], bool] | None:
    """The plan of `confined` that changes `plan` least (`hpplan solve --baseline`: fewest organisations
    moved, then fewest windows, then the objective): (organisation -> window, objective terms, the
    changes proven least), None when the re-planning finds no plan in time. Above HiGHS's reach
    (national: CP-SAT found no plan of the whole in 30 s) the others may first move only near the
    window asked about (`earlier`), the rest kept where `plan` has them: the least change found there
    is not proven the least of all."""
    from .engines.common import flatten
    from .solve import TIME_LIMIT_MIN, Baseline, SolveOptions, solve_replan

    deadline = time.perf_counter() + time_limit
    radii: list[int | None] = [None]
    if earlier is not None and flatten(confined).window_variables > HIGHS_MAX_COLUMNS:
        radii = [LEAST_CHANGE_MONTHS, 2 * LEAST_CHANGE_MONTHS, None]
    plannable = {o.id for o in confined.plannable}
    for radius in radii:
        left = deadline - time.perf_counter()
        if left < TIME_LIMIT_MIN:  # what a solve may be given at the least (SolveOptions)
            return None
        problem, kept = (confined, 0) if radius is None else _kept_far_from(confined, plan, actor, earlier, radius)
        solution, replan = solve_replan(problem, SolveOptions(time_limit=left, tie_break=False), Baseline(plan))
        if solution.found:
            chosen = {a.id: a.window for a in solution.plan if a.go_live is not None and a.id in plannable}
            terms = {name: round(value) for name, value in solution.objective.items() if name != "total"}
            return chosen, terms, kept == 0 and replan is not None and replan.proven
        if kept == 0:
            return None  # the whole problem was tried
    return None


def _kept_far_from(problem: Problem, plan: Solution, actor: str, window, months: int) -> tuple[Problem, int]:
    """`problem` with every plannable organisation but `actor` that `plan` has go live more than
    `months` from `window` kept there (its dates narrowed to that window), and how many were kept;
    those `plan` leaves unscheduled are kept out if they are optional (and counted)."""
    centre = month_index(window.date)
    changed, tracks = {}, []
    for entry in plan.plan:
        org = problem.org.get(entry.id)
        if org is None or entry.id == actor or not org.is_plannable or entry.pinned:
            continue
        if entry.go_live is None:
            if not org.is_mandatory:
                changed[org.id] = org.model_copy(update={"status": Status.opted_out, "returns": None})
            continue
        kept = problem.window.get(entry.window)
        if kept is None or abs(month_index(kept.date) - centre) <= months:
            continue
        changed[org.id], track = _narrowed(problem, org, kept)
        if track is not None:
            tracks.append(track)
    return _with_organisations(problem, changed, tracks), len(changed)


def _confined(problem: Problem, org: Organisation, window) -> Problem:
    """The problem with `org` confined to `window` (its earliest and latest dates narrowed to the window's
    date; a track of that window alone if another window has the same date), or, with window None, made
    mandatory (it must be scheduled): the hypothesis of a why-not-earlier question as data that
    `hpplan.solve` takes. Its own restrictions stay: a window they close stays closed."""
    if window is None:
        return _with_organisations(problem, {org.id: org.model_copy(update={"status": Status.signed})}, [])
    changed, track = _narrowed(problem, org, window)
    return _with_organisations(problem, {org.id: changed}, [track] if track else [])


def _narrowed(problem: Problem, org: Organisation, window) -> tuple[Organisation, Track | None]:
    """`org` with its earliest and latest dates narrowed to `window`'s date (and, if optional, made
    mandatory: going live there is the question), and the track of that window alone it needs when
    another window has the same date (None: it needs none)."""
    day = window.date
    update = {"earliest": max(org.earliest or day, day), "latest": min(org.latest or day, day)}
    if org.status is Status.optional:
        update["status"] = Status.signed  # in that window: scheduled, not left out (which the dates allow)
    changed = org.model_copy(update=update)
    if not any(w.date == day and w.id != window.id for w in problem.windows):
        return changed, None
    own = next((t for t in problem.waves.tracks if t.id == org.track), None)
    allowed = own is None or own.windows is None or window.id in own.windows
    track = Track(id=f"explain-{org.id}-in-{window.id}", windows=[window.id] if allowed else [])
    return changed.model_copy(update={"track": track.id}), track


def _with_organisations(problem: Problem, changed: dict[str, Organisation], tracks: list[Track]) -> Problem:
    """The problem with some organisations replaced (by id) and some tracks added."""
    waves = problem.waves
    if tracks:
        waves = waves.model_copy(update={"tracks": [*waves.tracks, *tracks]})
    organisations = [changed.get(o.id, o) for o in problem.organisations]
    return replace(problem, organisations=organisations, waves=waves)


def _fewest_moves(board: Callable[[], Switchboard], confined: Problem, actor: str, plan: Solution, best: Solution,
                  best_total: int, time_limit: float) -> tuple[dict[str, str], dict[str, int], bool]:
    """Among the plans of `confined` (the actor where the question puts it) with the objective at
    `best_total` (`best` is one), one that moves the fewest other organisations of `plan`:
    (organisation -> window, objective terms, proven the fewest). HiGHS's MIP at that objective where
    it applies (`engines.lexicographic.MipAtOptimum`), else CP-SAT on the switchable model with the
    question's hypothesis (`board()`); first without `best` as a start, so that the answer depends on
    the data alone. Above HiGHS's reach (national scale: CP-SAT finds no plan there either), or when
    neither finds a plan with fewer moves in time, `best`'s own stand."""
    from .engines.common import flatten

    plannable = {o.id for o in confined.plannable}
    kept = {a.id: a.window for a in plan.plan if a.go_live is not None and a.id != actor and a.id in plannable}
    best_plan = {a.id: a.window for a in best.plan if a.go_live is not None and a.id in plannable}
    flat = flatten(confined)
    if mip_at_optimum_applies(flat):
        found = _fewest_moves_highs(flat, kept, best_plan, best_total, time_limit)
    elif flat.window_variables <= HIGHS_MAX_COLUMNS:
        found = _fewest_moves_cp_sat(board(), actor, plan, best, best_total)
    else:  # national seed 1: CP-SAT found no plan at that objective in 54 s
        found = None
    if found is not None and (found[2] or _changes(kept, found[0]) < _changes(kept, best_plan)):
        return found
    return best_plan, {name: round(value) for name, value in best.objective.items() if name != "total"}, False


def _changes(kept: dict[str, str], chosen: dict[str, str]) -> int:
    return sum(chosen.get(o) != w for o, w in kept.items())


def _fewest_moves_highs(flat: Flat, kept: dict[str, str], best_plan: dict[str, str], best_total: int,
                        time_limit: float) -> tuple[dict[str, str], dict[str, int], bool] | None:
    """`_fewest_moves` by HiGHS on the confined problem's `flat`: half the time limit without a start,
    then, if that found no plan, from `best_plan`. None when it finds no plan."""
    from .engines.common import objective_terms
    from .engines.lexicographic import MipAtOptimum
    from .portfolio import slot_indices

    confined = flat.problem
    reference = {o: k for o, k in slot_indices(confined, kept).items() if o in kept}
    mip = MipAtOptimum(flat, best_total, symmetry=False)
    chosen, proven = mip.fewest_changes(reference, time_limit / 2)
    if chosen is None:
        chosen, proven = mip.fewest_changes(reference, time_limit / 2, start=slot_indices(confined, best_plan))
    if chosen is None:
        return None
    terms = objective_terms(flat, chosen)
    del terms["total"]
    windows = confined.future_windows
    return ({o: windows[k].id for o, k in chosen.items() if k is not None},
            {name: round(value) for name, value in terms.items()}, proven)


def _fewest_moves_cp_sat(board: Switchboard, actor: str, plan: Solution, best: Solution,
                         best_total: int) -> tuple[dict[str, str], dict[str, int], bool] | None:
    """`_fewest_moves` by CP-SAT on the board's model: without a hint (MOVES_WORK_LIMIT), then from
    `best` for the rest of the board's work limit. None when it finds no plan."""
    rollout = board.rollout
    go_live = rollout.variables.go_live
    mine = _plan_values(rollout, plan)
    start = _plan_values(rollout, best)
    found, proven = None, False
    for hint, work in ((False, min(MOVES_WORK_LIMIT, board.time_limit)), (True, board.time_limit)):
        model = board.trial(board.keys)
        model.add(rollout.total == best_total)
        model.minimize(sum(1 - var for (o, _), var in go_live.items() if o != actor and mine[var.index]))
        if hint:
            for var in go_live.values():
                model.add_hint(var, start[var.index])
        solver, status = board.charged_solve(model, work)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
                found is None or solver.objective_value < found.objective_value):
            found, proven = solver, status == cp_model.OPTIMAL
        if proven:
            break
    if found is None:
        return None
    chosen = {o: w for (o, w), var in go_live.items() if found.boolean_value(var)}
    return chosen, {name: found.value(term) for name, term in rollout.terms.items()}, proven


def _objective_verdict(name: str, there: str, total: float, proven: bool,
                       at_least: float | None, estimate: bool = False) -> tuple[str, str]:
    """The verdict and its sentence when only the objective can hold an organisation back; `estimate`: the
    change rests on an estimate (an estimated population), its figures marked `*`."""
    def _number(value: float) -> str:
        return marked(str(_number_of(value)), estimate)

    if total > 0 and proven:
        return "objective", (f"only the objective keeps it where it is: the best plan with {name} {there} is "
                             f"worse by {_number(total)}:")
    if total > 0 and at_least is not None and at_least > 0:
        return "objective", (f"only the objective keeps it where it is: the best plan with {name} {there} is "
                             f"worse by at least {_number(at_least)} (not proven within the time limit; the "
                             f"best one found is worse by {_number(total)}):")
    if total > 0:
        ruled_out = ""
        if at_least is not None:
            ruled_out = ", and the bound does not rule out one " + (
                f"better by {_number(-at_least)}" if at_least < 0 else "as good")
        return "undecided", (f"not decided within the time limit whether a plan with {name} {there} is as "
                             f"good as this one: the best one found is worse by {_number(total)}{ruled_out} "
                             "(raise --time-limit):")
    if total == 0:
        return "objective", (f"and the best plan with {name} {there} is as good: the objective does not "
                             "prefer either (of equally good plans `hpplan solve` reports the one its "
                             "tie-break picks: organisations in id order, each as early as possible):")
    return "objective", (f"and the best plan with {name} {there} is better by {_number(-total)}: this plan "
                         "is not optimal:")


def _move_text(problem: Problem, org_id: str, before: str | None, after: str | None) -> str:
    def where(window_id: str | None) -> str:
        return _marked_window(problem.window[window_id]) if window_id else "unscheduled"

    return f"{problem.org[org_id].name} moves from {where(before)} to {where(after)}"


def _plan_values(rollout: RolloutModel, plan: Solution) -> dict[int, int]:
    """Go-live variable values (by variable index) of a plan, for the switchable model's variables."""
    chosen = {(a.id, a.window) for a in plan.plan if a.go_live is not None}
    return {var.index: int(key in chosen) for key, var in rollout.variables.go_live.items()}


def plan_objective(problem: Problem, plan: Solution, *, time_limit: float = SOLVE_TIME_LIMIT) -> dict[str, int]:
    """The objective terms of a plan (as the model counts them), whether or not it keeps the rules: the
    model with every switch off and the go-lives fixed to the plan's, its objective minimised over any
    auxiliary variables the terms use."""
    rollout = build_model(problem, with_objective=True, switchable=True)
    model = rollout.model
    for literal in rollout.switches.literal.values():
        model.add(literal == 0)
    mine = _plan_values(rollout, plan)
    for var in rollout.variables.go_live.values():
        model.add(var == mine[var.index])
    solver = cp_solver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = time_limit
    if solver.solve(model) != cp_model.OPTIMAL:
        raise Undecided("the plan's objective could not be evaluated")
    return {name: int(solver.value(term)) for name, term in rollout.terms.items()}
