"""A plan as the solver (or a file) gives it, and its stable JSON form.

The JSON contract (docs/solve.md "The JSON contract"): top-level keys `status`, `objective`, `plan`, `load`, plus
`solver` (engine settings) and, where known, which figures rest on estimates (`objective_is_estimate`, each
plan entry's `go_live_is_estimate`, and each load point's `used_is_estimate` and `limit_is_estimate`). Nothing time-dependent is written, so the same data, seed and worker count
give the same bytes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from .errors import MAX_ERRORS, InputError, Location, grouped, input_errors
from .schema import Date, Id, id_advice, source_note_problem
from .yamlio import read_regular_file, shown_text, text_problem, utf8_text


#: the largest plan file read: a national plan's JSON is about 0.5 MB, a national re-plan's some 40 MB (its
#: `baseline` report holds the causes of every move: the next week's baseline); a file far larger is not a plan
#: (a device such as /dev/zero is refused before it is read)
MAX_PLAN_BYTES = 256 * 1024 * 1024
#: how a plan file is made, as the messages about one say it
_WRITE_ONE = "`hpplan solve --format json -o FILE`"


class Status(str, Enum):
    optimal = "optimal"  # proven optimal
    feasible = "feasible"  # a plan, but the time limit stopped the proof
    infeasible = "infeasible"  # proven: no plan satisfies every rule and limit
    unknown = "unknown"  # no plan found within the time limit, nothing proven


EXIT_CODES = {Status.optimal: 0, Status.feasible: 0, Status.infeasible: 1, Status.unknown: 3}


@dataclass(frozen=True)
class Assignment:
    """One organisation's place in the plan."""

    id: str
    name: str
    kind: str
    sector: str
    go_live: dt.date | None  # None: not scheduled (optional, or opted out)
    window: str | None
    pinned: bool  # history: went live before the planning date
    #: whether the go-live date rests on an estimate or an inference (`formats.go_live_estimated`: a history
    #: go-live's own `live_since` note, a planned one's window `date` note), shown `*`; None: not known (a
    #: plan read from a file that does not say, or made by hand); not compared: the date is the point
    go_live_is_estimate: bool | None = field(default=None, compare=False)
    #: the source note of the go-live date in the plan file it was read from (a YAML plan such as
    #: data/adopted-plan.yaml: 'fact: ...', 'inferred: ...'; `check.read_plan_file`), which marks that date
    #: (`formats.go_live_estimated`); None: planned by a solver, or not said (a JSON plan written before the
    #: field, history): marked by the data's notes. Not compared: the date is the point
    go_live_source: str | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        d = asdict(self)
        d["go_live"] = self.go_live.isoformat() if self.go_live else None
        if self.go_live_is_estimate is None:  # not known: as before the flag
            del d["go_live_is_estimate"]
        if self.go_live_source is None:  # a solver's plan: as before the field
            del d["go_live_source"]
        return d


@dataclass(frozen=True)
class LoadPoint:
    pool: str
    month: str  # YYYY-MM
    used: float  # FTE
    limit: float  # FTE
    #: the load is summed from load profiles that are estimates (`formats.estimated_loads`), shown `*`;
    #: None: not known (a plan read from a file that does not say); not compared: the figures are the point
    used_is_estimate: bool | None = field(default=None, compare=False)
    #: the limit rests on an estimate (`formats.capacity_estimated`), shown `*`; None: not known
    limit_is_estimate: bool | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        d = {"pool": self.pool, "month": self.month, "used": _number(self.used)}
        if self.used_is_estimate is not None:
            d["used_is_estimate"] = self.used_is_estimate
        d["limit"] = _number(self.limit)
        if self.limit_is_estimate is not None:
            d["limit_is_estimate"] = self.limit_is_estimate
        return d


#: what a re-plan's status means (docs/solve.md "Status and exit codes"): the phases before the objective
#: fix the least change first, so `optimal` is the best plan among those, and the bound proves no more
LEAST_CHANGE = "among the plans that change the baseline least"


@dataclass
class SolveStats:
    """How the solve went. Not part of the JSON contract (wall times differ run to run)."""

    engine: str = "cp-sat"
    wall_time: float = 0.0
    #: set-up: reading the problem into the engines' form, choosing them and building their models
    #: (at national scale the CP-SAT model is built after the race, for the tie-break, and counts here)
    build_time: float = 0.0
    best_bound: float | None = None
    gap: float | None = None
    tie_break: str = "complete"  # complete | incomplete | skipped
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None
    #: SolveOptions.work_limit: CP-SAT's deterministic work budget, what makes a cut-short plan reproducible
    work_limit: float | None = None
    gap_tolerance: float = 0.0  # SolveOptions.gap: the solve ends once a plan is proven this close to the bound
    phases: list[str] = field(default_factory=list)
    found_by: str | None = None  # the engine whose plan is reported (greedy, cp-sat, highs)
    proved_by: str | None = None  # the engine whose bound proved it optimal (None: not proven)
    first_plan_time: float | None = None  # seconds from the start of the solve to the first verified plan
    stopped: bool = False  # stopped on request (`SolveOptions.stop`: Ctrl-C) before its time limit
    #: a re-plan against a baseline: its status and bound hold among the plans that change it least
    least_change: bool = False
    #: a re-plan against a baseline: the date before which it kept the baseline's go-lives (the
    #: Baseline's `freeze_until`, else the data's), None for no frozen horizon (and without a baseline)
    freeze_until: dt.date | None = None


@dataclass
class Solution:
    status: Status
    objective: dict[str, float] = field(default_factory=dict)  # term -> value; "total" is their sum
    plan: list[Assignment] = field(default_factory=list)
    load: list[LoadPoint] = field(default_factory=list)
    stats: SolveStats = field(default_factory=SolveStats)
    #: per objective term (and `total`), whether it rests on an estimate (`formats.objective_estimated`:
    #: an estimated population), as the terminal and Markdown mark it `*`; None: not known (a plan read
    #: from a file that does not say, or made by hand); `mark_estimates` sets it and the load's flags
    objective_is_estimate: dict[str, bool] | None = field(default=None, compare=False)
    #: the scenario changes the plan was made with: `Problem.applied`'s entries (`AppliedChange`s, each its text:
    #: "NAME: description [changes]", "command line: change") as `hpplan.solve` records them; the JSON's
    #: `applied` (their texts), only when there are any; a plan read back from its file has the texts
    #: (`problem.applied_entry` reads one): a plan compared later without them is said to be (`hpplan compare`
    #: without --baseline-scenario)
    applied: list[str] = field(default_factory=list, compare=False)

    @property
    def found(self) -> bool:
        return self.status in (Status.optimal, Status.feasible)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def assignment(self, org_id: str) -> Assignment | None:
        for a in self.plan:
            if a.id == org_id:
                return a
        return None

    def mark_estimates(self, problem) -> None:
        """Say which of the plan's figures rest on an estimate under `problem`'s data (its source notes):
        each objective term (`objective_is_estimate`), each load point's load and limit
        (`used_is_estimate`, `limit_is_estimate`) and each plan entry's go-live date
        (`go_live_is_estimate`, false when not scheduled), as the terminal view and the Markdown mark them
        `*`. `hpplan.solve` does this for every solution it returns."""
        from .formats import capacity_estimated, estimated_loads, go_live_estimated, objective_estimated
        from .problem import checked_problem

        checked_problem("Solution.mark_estimates", problem)
        self.plan = [replace(a, go_live_is_estimate=go_live_estimated(problem, a)) for a in self.plan]
        loads = estimated_loads(problem, self)
        self.objective_is_estimate = objective_estimated(problem, self)
        self.load = [replace(p, used_is_estimate=bool(p.used) and (p.pool, p.month) in loads,
                             limit_is_estimate=capacity_estimated(problem.pool.get(p.pool), p.month))
                     for p in self.load]

    def to_json_dict(self) -> dict:
        solver = {
            "engine": self.stats.engine,
            "seed": self.stats.seed,
            "workers": self.stats.workers,
            "tie_break": self.stats.tie_break,
            "best_bound": _number(self.stats.best_bound) if self.stats.best_bound is not None else None,
        }
        if self.stats.gap_tolerance:  # only when asked for: the usual output stays as it was
            solver["gap_tolerance"] = _number(100 * self.stats.gap_tolerance)  # percent, as --gap
        if self.stats.work_limit is not None:  # with the seed and workers, how to make the same plan again
            solver["work_limit"] = _number(self.stats.work_limit)
        if self.stats.stopped:
            solver["stopped"] = True  # by Ctrl-C or a StopRequest: the best plan found so far
        if self.stats.least_change:
            solver["least_change"] = True  # re-planned against a baseline: its status holds among those plans
            if self.stats.freeze_until is not None:  # its frozen horizon, read back (`compare` defaults to it)
                solver["freeze_until"] = self.stats.freeze_until.isoformat()
        data = {"status": self.status.value, "objective": {k: _number(v) for k, v in self.objective.items()}}
        if self.objective_is_estimate is not None:  # known (`mark_estimates`): said; else as before
            data["objective_is_estimate"] = dict(self.objective_is_estimate)
        data.update(plan=[a.to_json() for a in self.plan], load=[p.to_json() for p in self.load], solver=solver)
        if self.applied:  # made with scenario changes: which (a plain plan's JSON stays as it was)
            data["applied"] = [str(change) for change in self.applied]
            typed = [list(change.typed) for change in self.applied if getattr(change, "typed", None)]
            if typed:  # the command line's changes as typed, in order: the plan's data can be made again
                data["command_line"] = typed
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, indent=2) + "\n"

    def __repr__(self) -> str:
        """One line for a notebook (the dataclass's own repr lists every assignment and load point)."""
        planned = sum(1 for a in self.plan if a.go_live is not None and not a.pinned)
        history = sum(1 for a in self.plan if a.pinned)
        total = self.objective.get("total")
        return (f"<Solution {getattr(self.status, 'value', self.status)}"
                f"{f', objective {_number(total):,}' if total is not None else ''}: {planned} go-lives planned, "
                f"{history} history, {len(self.plan) - planned - history} not scheduled"
                f"{', stopped early' if self.stats.stopped else ''}>")


def _number(value: float) -> float | int:
    value = round(float(value), 3)
    return int(value) if value == int(value) else value


def read_plan(path: Path) -> Solution:
    """Read a plan written by `hpplan solve --format json`. A file that is no such plan, or contradicts
    itself (an organisation twice, a window on two dates, an id that is no id), is an InputError at the
    line of the entry or field; whether it fits some data is for its reader to check (`check --plan`
    refuses an organisation the data lacks, a re-plan's baseline may come from other data)."""
    # a regular file of at most MAX_PLAN_BYTES: a device (/dev/zero) or a named pipe is refused before it is read
    raw = read_regular_file(path, str(path), what="plan file", give=f"give the JSON file {_WRITE_ONE} wrote",
                            missing=f"write one with {_WRITE_ONE}", max_bytes=MAX_PLAN_BYTES,
                            size_note=f" ({MAX_PLAN_BYTES // 2 ** 20} MiB: a national plan's file is about 0.5 MB, "
                                      "a national re-plan's with the causes of its moves some 40 MB)")
    try:
        # saved by Notepad: a byte order mark is read past, another encoding said at its line (`utf8_text`)
        text = utf8_text(raw, str(path), f"the JSON {_WRITE_ONE} writes")
        data = json.loads(text, object_pairs_hook=_no_key_twice)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        from .check import is_yaml_plan  # here only: check reads plans with this module

        yaml_plan = is_yaml_plan(path)
        hint = ("; this looks like a YAML plan, which the commands read against their data (`hpplan check --plan`, "
                "`report --plan`, `--baseline`) and `hpplan.check.read_plan_file(problem, path)` reads: `read_plan` "
                "reads the JSON `hpplan solve --format json -o FILE` writes" if yaml_plan else
                "; expected the JSON `hpplan solve --format json -o FILE` writes")
        raise InputError(f"not a JSON plan ({getattr(exc, 'msg', exc)}){hint}", Location(str(path), line))
    except RecursionError:
        raise InputError("not an hpplan plan: lists or objects nested too deeply; expected the JSON "
                         "`hpplan solve --format json -o FILE` writes", Location(str(path)))
    except _KeyTwice:
        data = None  # said below, at its line
    except ValueError as exc:  # an integer Python does not convert (more than 4,300 digits): json.loads says no place
        line, digits = _long_number(text)
        what = f"a number of {grouped(digits)} digits; a plan's numbers have a few" if digits else str(exc)
        raise InputError(f"not an hpplan plan: {what} (expected the JSON {_WRITE_ONE} writes)",
                         Location(str(path), line)) from None
    at = JsonLines(text)

    def where(*keys) -> Location:
        return Location(str(path), at.line(keys))

    if at.twice:
        keys, key, second = at.twice[0]
        inside = ("the plan file" if not keys else f"plan entry {keys[1] + 1}" if keys[0] == "plan" and len(keys) == 2
                  else ".".join(str(k) for k in keys))
        raise InputError(f"{inside}: key {key!r} is given twice (first at line {at.line(keys + (key,))}); keep one",
                         Location(str(path), second))
    if not isinstance(data, dict) or not isinstance(data.get("plan"), list):
        raise InputError("not an hpplan plan: expected an object with keys status, objective, plan, load "
                         "(`hpplan solve --format json -o FILE` writes one)", where("plan") if isinstance(data, dict)
                         and "plan" in data else Location(str(path)))
    errors: list[InputError] = []
    bad = 0  # entries that could not be read: the first MAX_ERRORS listed, the others only counted
    read: list[tuple[int, Assignment]] = []  # (its place in the file's plan list, the entry)
    for i, entry in enumerate(data["plan"]):
        try:
            read.append((i, _entry(i, entry)))
        except _Fault as fault:
            bad += 1
            if len(errors) < MAX_ERRORS:
                errors.append(InputError(fault.make(), where(*fault.keys)))
    contradictions = _contradictions(read, where)
    if errors or contradictions:
        raise input_errors((errors + contradictions)[:MAX_ERRORS], bad + len(contradictions))
    plan = [a for _, a in read]
    try:
        status = Status(data.get("status", "feasible"))
    except ValueError:
        raise InputError(f"status {data.get('status')!r} is not a plan's status; expected one of "
                         f"{', '.join(s.value for s in Status)}", where("status"))
    objective = data.get("objective", {})
    if not isinstance(objective, dict):
        raise InputError(f"objective: expected an object of terms and their values, got {_shown(objective)}",
                         where("objective"))
    objective = {str(k): float(v) for k, v in objective.items() if isinstance(v, (int, float))}
    marks = data.get("objective_is_estimate")  # optional: a plan written before the flags still reads
    if marks is not None and not isinstance(marks, dict):
        raise InputError(f"objective_is_estimate: expected an object of terms, each true or false, got {_shown(marks)}",
                         where("objective_is_estimate"))
    for term, mark in (marks or {}).items():
        if not isinstance(mark, bool):
            raise InputError(f"objective_is_estimate: {term} is {_shown(mark)}; expected true or false",
                             where("objective_is_estimate", term))
    applied = data.get("applied", [])  # optional: the scenario changes the plan was made with
    if not isinstance(applied, list) or not all(isinstance(a, str) for a in applied):
        raise InputError(f"applied: expected a list of the scenario changes the plan was made with (texts), got "
                         f"{_shown(applied)}", where("applied"))
    applied = _with_typed(applied, data.get("command_line", []), where)
    load = data.get("load", [])
    if not isinstance(load, list):
        raise InputError(f"load: expected a list of pool months, got {_shown(load)}", where("load"))
    points = []
    for i, p in enumerate(load):
        try:
            point = LoadPoint(str(p["pool"]), str(p["month"]), float(p["used"]), float(p["limit"]))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"load entry {i + 1}: expected an object with pool, month, used and limit (numbers), "
                             f"got {_shown(p)}", where("load", i))
        for key in ("used_is_estimate", "limit_is_estimate"):  # optional, as objective_is_estimate
            if p.get(key) is not None and not isinstance(p[key], bool):
                raise InputError(f"load entry {i + 1}: {key} is {_shown(p[key])}; expected true or false",
                                 where("load", i, key))
        points.append(replace(point, used_is_estimate=p.get("used_is_estimate"),
                              limit_is_estimate=p.get("limit_is_estimate")))
    return Solution(status=status, objective=objective, plan=plan, load=points,
                    stats=_stats(data.get("solver"), status, objective, data.get("baseline")),
                    objective_is_estimate=dict(marks) if marks is not None else None, applied=list(applied))


def _with_typed(applied: list[str], typed, where) -> list:
    """A plan file's `applied` texts as entries (`problem.applied_entry`), its command-line ones (in order)
    with the options they were typed as, from its `command_line` ([option, value] pairs, one per command-line
    entry of `applied`; optional: a plan written before it, or by hand, has none)."""
    from .problem import COMMAND_LINE, QUICK_OPTIONS, applied_entry

    if not isinstance(typed, list) or not all(isinstance(t, list) and len(t) == 2 and t[0] in QUICK_OPTIONS
                                              and isinstance(t[1], str) for t in typed):
        raise InputError(f"command_line: expected a list of [option, value] pairs (option one of "
                         f"{', '.join(QUICK_OPTIONS)}), got {_shown(typed)}", where("command_line"))
    said = [a for a in applied if a.startswith(f"{COMMAND_LINE}: ")]
    if typed and len(typed) != len(said):
        raise InputError(f"command_line: {len(typed)} change{'s' if len(typed) != 1 else ''} as typed, but applied "
                         f"has {len(said)} of the command line; give one [option, value] for each, in order",
                         where("command_line"))
    pairs = iter(tuple(t) for t in typed)
    return [applied_entry(a, next(pairs, None) if a in said else None) for a in applied]


#: a run of digits longer than Python converts to an integer (sys.get_int_max_str_digits: 4,300 by default)
_LONG_NUMBER = re.compile(r"(?<![\w.\"])-?(\d{4301,})")


def _long_number(text: str) -> tuple[int | None, int]:
    """The line of the first number in a JSON `text` too long to read as an integer, and its digits
    (None and 0 when there is none: the error was another)."""
    found = _LONG_NUMBER.search(text)
    if found is None:
        return None, 0
    return text.count("\n", 0, found.start()) + 1, len(found.group(1))


class _KeyTwice(ValueError):
    """A JSON object with a key twice (json.loads keeps the last, silently): found again, with its line,
    by JsonLines."""


def _no_key_twice(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _KeyTwice()
    return dict(pairs)


#: JSON's white space, as JsonLines skips it
_SPACE = re.compile(r"[ \t\r\n]*")


class JsonLines:
    """Where each value of a valid JSON text starts (its line, by its path of keys and indexes), and the
    keys given twice in one object (path of the object, key), in the order of the text."""

    def __init__(self, text: str):
        self.text = text
        self.starts: dict[tuple, int] = {}
        self.twice: list[tuple[tuple, str, int]] = []  # (the object's path, the key, the line of its second)
        self._decoder = json.JSONDecoder()
        self._ends: list[int] | None = None  # offsets of the newlines, made when a line is first asked for
        try:
            self._value(0, ())
        except (RecursionError, ValueError, IndexError):  # json.loads read it; this only adds lines
            pass

    def line(self, keys: tuple) -> int | None:
        start = self.starts.get(tuple(keys))
        return self.line_at(start) if start is not None else None

    def line_at(self, offset: int) -> int:
        """The line of the character at `offset`: looked up in a table of the text's line ends, made once
        (counting the newlines before it, for each entry of a plan with 400,000 bad entries, took minutes)."""
        if self._ends is None:
            self._ends = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._ends, offset) + 1

    def _space(self, i: int) -> int:
        return _SPACE.match(self.text, i).end()

    def _value(self, i: int, keys: tuple) -> int:
        i = self._space(i)
        self.starts.setdefault(keys, i)  # of a key given twice: its first
        opener = self.text[i]
        if opener not in "[{":
            return self._decoder.raw_decode(self.text, i)[1]
        i, index, seen = self._space(i + 1), 0, set()
        while self.text[i] not in "]}":
            if opener == "{":
                key, end = self._decoder.raw_decode(self.text, i)
                if key in seen:
                    self.twice.append((keys, key, self.line_at(i)))
                i = end
                seen.add(key)
                i = self._value(self._space(i) + 1, keys + (key,))  # after the ':'
            else:
                i = self._value(i, keys + (index,))
                index += 1
            i = self._space(i)
            if self.text[i] == ",":
                i = self._space(i + 1)
        return i + 1


def _shown(value) -> str:
    """A JSON value as a message shows it: its kind for a list or an object, else as the file has it."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return json.dumps(value, ensure_ascii=False)


def _stats(solver, status: Status, objective: dict[str, float], baseline=None) -> SolveStats:
    """The solver block of a saved plan (how it was found: engine, seed, workers, tie-break, bound) as
    SolveStats (a re-plan's frozen horizon from the `baseline` report `solve --baseline` writes beside it); a
    field missing or of the wrong type keeps its default (a hand-edited file still reads)."""
    stats = SolveStats()
    if not isinstance(solver, dict):
        return stats

    def get(key: str, kinds: tuple, default):
        value = solver.get(key)
        return value if isinstance(value, kinds) and not isinstance(value, bool) else default

    stats.engine = get("engine", (str,), stats.engine)
    stats.seed = get("seed", (int,), stats.seed)
    stats.workers = get("workers", (int,), stats.workers)
    tie_break = get("tie_break", (str,), stats.tie_break)
    stats.tie_break = tie_break if tie_break in ("complete", "incomplete", "skipped") else stats.tie_break
    stats.best_bound = get("best_bound", (int, float), None)
    stats.gap_tolerance = get("gap_tolerance", (int, float), 0.0) / 100  # written in percent, as --gap
    stats.work_limit = get("work_limit", (int, float), None)
    stats.stopped = solver.get("stopped") is True
    stats.least_change = solver.get("least_change") is True
    # a re-plan's frozen horizon, which the solver block gives (`to_json`) and `solve --baseline` writes in its
    # `baseline` report too (a file written before the solver block had it: the report's); compare defaults to it
    freeze = solver.get("freeze_until") if stats.least_change else None
    if freeze is None and isinstance(baseline, dict) and stats.least_change:
        freeze = baseline.get("freeze_until")
    if isinstance(freeze, str):
        try:
            stats.freeze_until = dt.date.fromisoformat(freeze)
        except ValueError:  # hand-edited: kept at its default, as any other field of the wrong form
            pass
    total = objective.get("total")
    if status is Status.feasible and stats.best_bound is not None and total is not None:
        stats.gap = abs(total - stats.best_bound) / max(1.0, abs(total))
    return stats


#: a JSON plan's go_live reads by the data's rule for a date (schema.Date), its id as the data's (schema.Id)
_DATE = TypeAdapter(Date)
_ID = TypeAdapter(Id)


class _Fault(Exception):
    """A plan entry that cannot be read: its message, made only when it is listed (`make`: a plan with
    400,000 bad entries lists 25 of them, and formatting the others' messages took seconds), and the
    keys of the field at fault."""

    def __init__(self, make, *keys):
        super().__init__()
        self.make = make
        self.keys = keys


def _assignment(where, i: int, entry) -> Assignment:
    """Plan entry `i` of a JSON plan; bad input names the entry and its line (`where(*keys)`)."""
    try:
        return _entry(i, entry)
    except _Fault as fault:
        raise InputError(fault.make(), where(*fault.keys)) from None


def _entry(i: int, entry) -> Assignment:
    """Plan entry `i` of a JSON plan, or _Fault: what is wrong with it (said by `_assignment`)."""
    ident = entry.get("id") if isinstance(entry, dict) else None
    try:
        _ID.validate_python(ident, strict=True)
        label = f"plan entry {i + 1} ({ident})"
    except ValidationError:
        label = f"plan entry {i + 1}"
        if ident is not None and "go_live" in entry:
            def make():
                shown = _shown(ident)
                return (f"{label}: id {shown if len(shown) <= 80 else shown[:80] + '...'} is not an "
                        f"organisation's id: {id_advice(ident)}")
            raise _Fault(make, "plan", i, "id")
    if not isinstance(entry, dict) or ident is None or "go_live" not in entry:
        # a missing go_live is no "not scheduled" (that is null): an entry cut short or mistyped
        raise _Fault(lambda: f"{label}: expected an object with id, go_live (null: not scheduled), window, pinned"
                             f"{'' if isinstance(entry, dict) else f', got {_shown(entry)}'}", "plan", i)
    day = entry.get("go_live")
    try:
        # only null is unscheduled: 0, false or "" is no date (not "not scheduled"), and a date is
        # YYYY-MM-DD as in the data (schema.Date: no number, no time of day, no 20240427)
        go_live = None if day is None else _DATE.validate_python(day)
    except ValidationError:
        # false, as the file has it
        raise _Fault(lambda: f"{label}: go_live {repr(day) if isinstance(day, str) else json.dumps(day)} is not a "
                             "date; expected YYYY-MM-DD, or null for not scheduled", "plan", i, "go_live") from None
    window = entry.get("window")
    if window is not None and not isinstance(window, str):
        raise _Fault(lambda: f"{label}: window {_shown(window)} is not a window's id; expected its id as text, or null",
                     "plan", i, "window")
    pinned = entry.get("pinned", False)
    if not isinstance(pinned, bool):
        raise _Fault(lambda: f"{label}: pinned {_shown(pinned)} is not true or false", "plan", i, "pinned")
    for key in ("name", "kind", "sector", "window"):  # shown as they are (`compare --baseline` names the plan's)
        text = entry.get(key)
        problem = text_problem(text, one_line=True, yaml_escape=False) if isinstance(text, str) else None
        if problem is not None:
            raise _Fault(lambda key=key, text=text, problem=problem: f"{label}: {key} {shown_text(text)} has {problem}; "
                         "a plan's texts are one line without control characters", "plan", i, key)
    estimate = entry.get("go_live_is_estimate")  # optional: a plan written before the flag still reads
    if estimate is not None and not isinstance(estimate, bool):
        raise _Fault(lambda: f"{label}: go_live_is_estimate {_shown(estimate)} is not true or false; expected true, "
                             "false, or no such key", "plan", i, "go_live_is_estimate")
    source = entry.get("go_live_source")  # optional: a plan file's note for the date (`Assignment.go_live_source`)
    if source is not None:
        wrong = ("is no text" if not isinstance(source, str) else
                 f"has {control}" if (control := text_problem(source, yaml_escape=False)) is not None else
                 source_note_problem(source))
        if wrong is not None:
            raise _Fault(lambda: f"{label}: go_live_source {wrong}; expected a source note ('fact: ...', "
                                 "'estimate: ...' or 'inferred: ...'), or no such key", "plan", i, "go_live_source")
    return Assignment(
        id=ident,
        name=str(entry.get("name", ident)),
        kind=str(entry.get("kind", "")),
        sector=str(entry.get("sector", "")),
        go_live=go_live,
        window=window,
        pinned=pinned,
        go_live_is_estimate=estimate,
        go_live_source=source,
    )


def _line(where: Location) -> str:
    return f", line {where.line}" if where.line else ""


def _contradictions(read: list[tuple[int, Assignment]], where) -> list[InputError]:
    """What a plan says twice, differently: an organisation in two entries, a window on two dates. `read`:
    the entries read, each with its place in the file (an entry that could not be read leaves a gap)."""
    errors: list[InputError] = []
    first: dict[str, int] = {}
    dated: dict[str, tuple[dt.date, int]] = {}
    by_place = dict(read)
    for i, a in read:
        if a.id in first:
            errors.append(InputError(
                f"plan entry {i + 1}: organisation {a.id!r} is in the plan more than once (first as plan entry "
                f"{first[a.id] + 1}{_line(where('plan', first[a.id], 'id'))}); keep one", where("plan", i, "id")))
            continue
        first[a.id] = i
        if a.window is None or a.go_live is None or a.pinned:
            continue  # a live organisation's go_live is its own date, near its window's (docs/rules.md)
        day, j = dated.setdefault(a.window, (a.go_live, i))
        if day != a.go_live:
            errors.append(InputError(
                f"plan entry {i + 1} ({a.id}): window {a.window} is on {a.go_live} here, but on {day} in plan entry "
                f"{j + 1} ({by_place[j].id}{_line(where('plan', j, 'go_live'))}); a window has one date: correct the "
                "entry that is wrong", where("plan", i, "go_live")))
    return errors
