"""`hpplan check`: does the data admit a plan, or does a given plan keep every rule and limit? For CI.

    result = check_data(problem)                  # feasibility only, no optimisation
    result = check_plan(problem, Path("data/adopted-plan.yaml"))
    print(to_github(result)); sys.exit(result.exit_code)

Exit codes (docs/check.md): 0 all good, 1 violations or no plan possible, 2 invalid input or usage,
3 undecided within the time limit. Reports: text, json, junit (JUnit XML: one test case per data object
checked), github (GitHub Actions `::error file=…,line=…::` annotations on the YAML lines involved).
With a file of known findings (`check_plan(..., known=Path("known.json"))`: the JSON of an earlier
`check --plan --format json`, or a short list), a plan's findings that match a known one are reported as
known and do not fail; only new ones do, and known ones no longer found are said (docs/check.md).

A plan to check is either JSON written by `hpplan solve --format json`, or a hand-editable YAML file:

    plan:
      - id: helse-more-og-romsdal
        go_live: 2024-04-27         # a window's date; null: not scheduled
        source: "fact: helseplattformen.no ..."
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .errors import InputError, InputErrors, Location, did_you_mean, each_of, input_errors
from .explain import (MORE_UNDECIDED, RELAX_EACH_MAX, SOLVE_TIME_LIMIT, Conflict, Explanation, Undecided,
                      counted, explain_infeasible, kind_counts, named, not_computed_lines, rests_on_json)
from .formats import ESTIMATE_NOTE, PLAN_FILE, entry_of, md_text
from .loader import validate
from .model.objective import TERMS as OBJECTIVE_WEIGHTED_TERMS
from .problem import Problem, checked_problem
from .schema import ID_PATTERN, RULE_TYPES, Date, Located, Status, source_note_problem
from .solution import Assignment, JsonLines, SolveStats, Solution, Status as PlanStatus, read_plan
from .verify import Violation, broken_rules, stale_figures, stale_names, stale_text, verify
from .yamlio import load_yaml

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_UNDECIDED = 0, 1, 2, 3


# --------------------------------------------------------------------------------------------------
# the hand-editable plan file


class PlanEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, max_length=80)
    go_live: Date | None  # a window's date, YYYY-MM-DD as in the data (no number, no time); null: not scheduled
    window: str | None = None  # the window's id: needed only where two windows share the date
    source: str = Field(min_length=1)  # where the date comes from: 'fact: ...', 'estimate: ...', 'inferred: ...'
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _sourced(cls, value: str) -> str:
        wrong = source_note_problem(value)  # (as the data's notes: a kind, and something after its colon)
        if wrong is not None:
            raise ValueError(f"source {wrong}")
        return value


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note: str | None = None
    plan: list[PlanEntry] = Field(min_length=1)


@dataclass
class PlanRead:
    """A plan file as a Solution, with what is wrong in the file itself (a date that is no window)."""

    solution: Solution
    violations: list[Violation] = field(default_factory=list)
    #: where each organisation's entry gives its date (`go_live`), by id: a YAML plan's lines (a JSON plan's
    #: are found when a finding needs them, `entry_lines`)
    entry_at: dict[str, Location] = field(default_factory=dict)


#: the suffixes of the hand-editable YAML plan files (data/adopted-plan.yaml); a JSON plan is what
#: `hpplan solve --format json` writes
YAML_PLAN = (".yaml", ".yml")


def is_yaml_plan(path: Path | str) -> bool:
    return Path(path).suffix.lower() in YAML_PLAN


def read_plan_file(problem: Problem, path: Path) -> PlanRead:
    """Read a plan: JSON from `hpplan solve --format json`, else the YAML plan format. Raises InputError."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return PlanRead(plan_of(problem, read_plan(path), path))
    return _read_yaml_plan(problem, path)


def plan_of(problem: Problem, solution: Solution, path: Path) -> Solution:
    """A saved plan (`read_plan`: none twice, one date per window), checked to be one of this data: a
    plan (status optimal or feasible; a saved solve that found none has nothing to check), every
    organisation in it known; else InputError naming the file and the line of the status or of the first
    unknown id (it was made from other data, or the id was mistyped)."""
    if not solution.found:
        raise InputError(f"the plan file has no plan (status {solution.status.value}: the solve that wrote it found "
                         "none); give a plan that hpplan solve found (status optimal or feasible)",
                         _json_line(path, ("status",)))
    unknown = [(i, a.id) for i, a in enumerate(solution.plan) if a.id not in problem.org]
    if unknown:
        first, org_id = unknown[0]
        raise InputError(
            f"organisation {org_id!r}{did_you_mean(org_id, problem.org)} is not in the data "
            f"({problem.org_file or 'organisations.yaml'})"
            + (f" ({len(unknown)} organisations are not)" if len(unknown) > 1 else "")
            + "; give the --data (and --scenario) the plan was made from", _json_line(path, ("plan", first, "id")))
    return solution


def entry_lines(read: PlanRead, path: Path) -> dict[str, Location]:
    """Where each organisation's entry in the plan file gives its date, by id: a YAML plan's from its
    reading, a JSON plan's from its text (read once; an entry of history the file left out has none)."""
    if is_yaml_plan(path):  # (`read_plan_file`)
        return read.entry_at
    lines = _json_lines(path)
    if lines is None:
        return {}
    return {a.id: Location(str(path), lines.line(("plan", i, "go_live"))) for i, a in enumerate(read.solution.plan)}


def _json_line(path: Path, keys: tuple) -> Location:
    """The file and line of a value in a JSON plan `read_plan` read (`plan` entries keep the file's order)."""
    lines = _json_lines(path)
    return Location(str(path), lines.line(keys) if lines is not None else None)


def _json_lines(path: Path) -> JsonLines | None:
    """The lines of a JSON plan's values (None: the file cannot be read again)."""
    try:
        return JsonLines(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _read_yaml_plan(problem: Problem, path: Path) -> PlanRead:
    doc = load_yaml(path, str(path), what="plan file",
                    give="give a plan file: the JSON `hpplan solve --format json -o FILE` writes, or a YAML plan")
    data: PlanFile = validate(PlanFile, doc)
    errors: list[InputError] = []
    listed: dict[str, tuple[PlanEntry, int]] = {}
    for i, entry in enumerate(data.plan):
        where = doc.where(("plan", i, "id"))
        if entry.id not in problem.org:
            errors.append(InputError(f"{entry.id!r} is not an organisation in {problem.org_file}"
                                     f"{did_you_mean(entry.id, problem.org)}", where))
        elif entry.id in listed:
            first = doc.line_of(("plan", listed[entry.id][1], "id"))
            errors.append(InputError(f"{entry.id} is in the plan twice (first at line {first})", where))
        else:
            listed[entry.id] = (entry, i)
    windows_on: dict[dt.date, list] = {}
    for w in problem.windows:
        windows_on.setdefault(w.date, []).append(w)
    by_id = {w.id: w for w in problem.windows}
    chosen: dict[str, object] = {}  # org id -> the window an entry names, or the one window on its date
    for entry, i in listed.values():
        org = problem.org[entry.id]
        if _history_date(problem, org, entry.go_live):
            continue  # history: its window comes from organisations.yaml
        if entry.window is not None:
            window = by_id.get(entry.window)
            if window is None:
                errors.append(InputError(f"{entry.window!r} is not a window in {problem.waves_file}"
                                         f"{did_you_mean(entry.window, by_id)}", doc.where(("plan", i, "window"))))
            elif entry.go_live != window.date:
                errors.append(InputError(f"window {window.id} is on {window.date}, not {entry.go_live}; give its date "
                                         "as go_live", doc.where(("plan", i, "window"))))
            else:
                chosen[entry.id] = window
        elif entry.go_live is not None and len(windows_on.get(entry.go_live, ())) > 1:
            ids = " and ".join(w.id for w in windows_on[entry.go_live])
            errors.append(InputError(f"{entry.go_live} is the date of windows {ids}: say which with `window:`",
                                     doc.where(("plan", i, "go_live"))))
        elif entry.go_live in windows_on:
            chosen[entry.id] = windows_on[entry.go_live][0]
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)

    plan: list[Assignment] = []
    # no solver made it: its outputs say it comes from this file (formats.plan_source), not a status,
    # engine or seed it never had; `feasible`, for it is a plan (`Solution.found`)
    read = PlanRead(Solution(status=PlanStatus.feasible, plan=plan,
                             stats=SolveStats(engine=PLAN_FILE, found_by=str(path), tie_break="skipped")))
    for org in problem.organisations:
        pinned = org.status is Status.live
        if org.id not in listed:
            if pinned:  # history may be left out of a plan file
                window = problem.history_window_of(org)
                plan.append(entry_of(org, org.live_since, window.id if window else None, True))
            continue  # anyone else left out: verify reports it missing
        entry, i = listed[org.id]
        read.entry_at[org.id] = doc.where(("plan", i, "go_live"))
        day = entry.go_live
        if day is None:
            plan.append(entry_of(org, None, None, pinned))
            continue
        source = None  # the entry's note for its date, where the date shown is the file's own
        if pinned and _history_date(problem, org, day):
            # its go-live is its live_since: the date of its history window names the same go-live (marked by
            # the data's note for live_since, as every output marks history)
            day, window = org.live_since, problem.history_window_of(org)
        else:
            source = entry.source  # 'fact: ...': the date is marked by it (`formats.go_live_estimated`)
            window = chosen.get(org.id)
            if window is None and not pinned:
                read.violations.append(Violation(
                    "window", f"{org.name} ({org.id}) goes live {day}, which is not the date of any window in "
                    f"{problem.waves_file}{_nearest_window(problem, day)}", (org.id,),
                    doc.where(("plan", i, "go_live"))))
        plan.append(replace(entry_of(org, day, window.id if window else None, pinned), go_live_source=source))
    return read


def _history_date(problem: Problem, org, day: dt.date | None) -> bool:
    """Whether a plan file's date for an organisation is its history: it is live, and the date is its
    `live_since` or the date of the window it went live in (`Problem.history_window_of`)."""
    if org.status is not Status.live or day is None:
        return False
    window = problem.history_window_of(org)
    return day == org.live_since or (window is not None and day == window.date)


def _nearest_window(problem: Problem, day: dt.date) -> str:
    best = min(problem.windows, key=lambda w: (abs((w.date - day).days), w.date))
    return f" (the nearest is {best.id} on {best.date})"


# --------------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Finding:
    """One thing a check found wrong, at the YAML line to fix, owned by a data object (a test case)."""

    rule: str  # verify's rule name (earliest, limit.max_actors, ...) or the conflict group's kind
    message: str
    where: Location | None
    owner: str  # the test case: "organisation orsta", "rule #2", "pool primary", "plan", "data"
    actors: tuple[str, ...] = ()
    title: str = ""
    # a finding about one pool in one month ("YYYY-MM"): capacity and load report findings of a plan, a
    # conflict's capacity rule; for programs (never to be read from the wording); else None
    pool: str | None = None
    month: str | None = None
    #: a plan check's finding about its organisations' dates, reported at the data's line (`where`): the
    #: plan file's entries of those organisations (id, where the entry gives its date), the lines a pull
    #: request that moves a date changes; not part of `key`
    plan_entries: tuple[tuple[str, Location], ...] = ()
    #: a finding about the plan's saved objective: the figure that is stale (`total`, `population_delay`,
    #: ...; `verify.Violation.term`), for the total and its terms are findings of one rule, owner and line;
    #: else None
    term: str | None = None
    #: the message states a figure that rests on an estimate, marked `*` (`verify.Violation.estimate`: a
    #: capacity, a sum of users, a limit, an earliest, return or latest date); not part of `key`
    estimate: bool = False
    #: a conflict's rule that cannot hold because members opted out (`explain.Reason.rests_on`): (id, the
    #: line of their `status`), the line a pull request that opts one out changes; not part of `key`
    rests_on: tuple[tuple[str, Location | None], ...] = ()

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return text + (f" ({self.in_the_plan()})" if self.plan_entries else "")

    def in_the_plan(self) -> str:
        """'the plan's entry: data/adopted-plan.yaml:125' (or entries), for a finding with plan entries."""
        return f"the plan's entr{'y' if len(self.plan_entries) == 1 else 'ies'}: " + ", ".join(
            str(where) for _, where in self.plan_entries)

    @property
    def key(self) -> tuple:
        """What identifies the finding from one run to the next (a known finding is matched on it): its rule,
        owner, organisations, pool, month and objective term; never its message, whose figures change with
        the data."""
        return finding_key(self.rule, self.owner, self.actors, self.pool, self.month, self.term)

    def to_json(self) -> dict:
        option = option_of(self.where)
        data = {"rule": self.rule, "owner": self.owner, "file": self.where.file if self.where and not option else None,
                "line": self.where.line if self.where else None, "actors": list(self.actors),
                "pool": self.pool, "month": self.month, "term": self.term, "message": self.message,
                "estimate": self.estimate, "plan_entries": [{"id": org_id, "file": where.file, "line": where.line}
                                 for org_id, where in self.plan_entries],
                "rests_on": rests_on_json(self.rests_on)}
        if option:  # a quick form's finding: the option it came from, which is no file (`option_of`)
            data["option"] = option
        return data


#: a place that is a command-line option, not a file: a quick form's (`--postpone`, `--exclude`, `--capacity`)
_OPTION = re.compile(r"--[a-z][a-z-]*")


def option_of(where: Location | None) -> str | None:
    """The option a finding comes from when its place is one (`--capacity`: a quick form's change, which has
    no file nor line), else None: said as the option, never as a `file` (GitHub cannot attach it to one)."""
    return where.file if _option_led(where) and _OPTION.fullmatch(where.file) else None


def finding_key(rule: str, owner: str, actors, pool: str | None, month: str | None, term: str | None = None) -> tuple:
    """`Finding.key` of these fields (the organisations in any order)."""
    return rule, owner, tuple(sorted(actors)), pool, month, term


#: the term of the saved objective's finding that a known entry without `term` is matched with first
#: (`split_known`): the objective's total, which any stale term makes stale too
OBJECTIVE_TERM = "total"
#: the terms a saved objective's finding may name (`verify.Violation.term`): the weighted sum's, the
#: makespan's, and the total
OBJECTIVE_TERMS = (*OBJECTIVE_WEIGHTED_TERMS, "makespan", OBJECTIVE_TERM)


@dataclass(frozen=True)
class KnownFinding:
    """A finding listed in a file of known findings (`--known`), at its entry's line there."""

    rule: str
    owner: str
    actors: tuple[str, ...]
    pool: str | None
    month: str | None
    where: Location
    #: the fields it is matched on that its entry leaves out and that are taken as empty (`actors` [],
    #: `pool` and `month` null); never `term` (`any_term`)
    left_out: tuple[str, ...] = ()
    term: str | None = None
    #: its entry leaves out `term`: it matches a finding of any term (only the saved objective's findings
    #: have one), as every known file written before findings had a term does
    any_term: bool = False

    @property
    def key(self) -> tuple:
        """What it is matched on (`Finding.key`); without the term for an entry of any term (`any_term`)."""
        key = finding_key(self.rule, self.owner, self.actors, self.pool, self.month, self.term)
        return key[:-1] if self.any_term else key

    def missing_for(self, finding: Finding) -> dict[str, Any]:
        """The fields this entry leaves out that `finding` has (`{"actors": ("aure",)}`), where it names
        `finding` but for them; {} where it differs in a field it gives, or matches as it is."""
        filled = {name: getattr(finding, name) for name in self.left_out}
        key = finding_key(self.rule, self.owner, filled.get("actors", self.actors), filled.get("pool", self.pool),
                          filled.get("month", self.month), finding.term if self.any_term else self.term)
        return {name: value for name, value in filled.items() if value} if key == finding.key else {}

    def __str__(self) -> str:
        """'mandatory, organisation aure, actors aure': the fields it is matched on."""
        parts = [self.rule, self.owner] + ([f"actors {', '.join(self.actors)}"] if self.actors else [])
        return ", ".join(parts + [f"{name} {value}" for name, value in (("pool", self.pool), ("month", self.month),
                                                                         ("term", self.term))
                                  if value is not None and f"{name} {value}" != self.owner])

    def to_json(self) -> dict:
        return {"rule": self.rule, "owner": self.owner, "actors": list(self.actors), "pool": self.pool,
                "month": self.month, "term": self.term, "file": self.where.file, "line": self.where.line}


class KnownEntry(BaseModel):
    """A known finding: the fields of a finding in `check --format json` that identify it (`Finding.key`);
    `file`, `line`, `option`, `message`, `estimate`, `plan_entries` and `rests_on`, which that JSON has too, and a `note`
    are for the reader, not matched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    actors: list[str] = []
    pool: str | None = None
    month: str | None = None
    term: str | None = None
    file: str | None = None
    line: int | None = None
    option: str | None = None
    message: str | None = None
    estimate: bool | None = None
    plan_entries: list[dict[str, Any]] = []
    rests_on: list[dict[str, Any]] = []
    note: str | None = None

    @field_validator("rule")
    @classmethod
    def _not_input(cls, value: str) -> str:
        if value == "input":
            raise ValueError("an input error is never a known finding: the check cannot run past it; fix it")
        return value

    @field_validator("term")
    @classmethod
    def _a_term(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A term no finding has would match none, and be said "no longer found" on every run (a typo); so
        would a term on a finding of another rule than `objective` (only those have one), while the finding
        itself failed as new."""
        if value is None:
            return value
        if value not in OBJECTIVE_TERMS:
            raise ValueError(f"{value!r} is no objective term{did_you_mean(value, OBJECTIVE_TERMS)}; the terms are "
                             f"{', '.join(OBJECTIVE_TERMS)} (or leave term out: any of them)")
        rule = info.data.get("rule")
        if rule is not None and rule != "objective":
            raise ValueError(f"only an objective finding has a term, and this is a {rule} finding: leave term out")
        return value


class KnownFile(BaseModel):
    """A file of known findings: `findings` (and a `note`), or the whole report of `hpplan check --plan P
    --format json` as it is (its other keys are read past)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    note: str | None = None
    findings: list[KnownEntry]
    mode: str | None = None
    status: str | None = None
    exit_code: int | None = None
    source: str | None = None
    summary: str | None = None
    input_errors: int | None = None
    estimate_note: str | None = None
    explanation: Any = None
    warnings: Any = None  # the data's warnings (`hpplan check --format json`): read past
    notes: Any = None  # a plan check's notes under changes (`CheckResult.figures_note`): read past

    @field_validator("mode")
    @classmethod
    def _of_a_plan(cls, value: str | None) -> str | None:
        if value not in (None, "plan"):  # a data check's findings are conflicts, never a plan's
            raise ValueError(f"the report of a {value} check; known findings are those of "
                             "`hpplan check --plan PLAN --format json` (mode plan)")
        return value


def read_known(path: Path) -> list[KnownFinding]:
    """The known findings of a file (JSON or YAML), each at its line. Raises InputError at the line of
    what is wrong."""
    doc = load_yaml(Path(path), str(path), what="known-findings file",
                    give="give the file `hpplan check --plan P --format json` wrote, or a YAML list of known findings")
    if isinstance(doc.data, dict):
        written = [key for key in ("known", "known_gone", "known_file") if key in doc.data]
        if written:
            raise InputError(f"a report written with --known (key {written[0]!r}): its `findings` are the new ones "
                             "only; write the known findings with `hpplan check --plan PLAN --format json`, without "
                             "--known", doc.where((written[0],)))
    data: KnownFile = validate(KnownFile, doc)
    return [KnownFinding(e.rule, e.owner, tuple(e.actors), e.pool, e.month, doc.where(("findings", i)),
                         tuple(name for name in ("actors", "pool", "month") if name not in e.model_fields_set),
                         e.term, "term" not in e.model_fields_set)
            for i, e in enumerate(data.findings)]


def check_left_out(gone: list[KnownFinding], new: list[Finding]) -> None:
    """InputError at each known entry that matched no finding only for a field it leaves out (`{rule:
    mandatory, owner: organisation aure}` beside Aure's finding, whose actors are [aure]): said as "no
    longer found" while its finding failed as new, it is an entry to complete, not a finding fixed. Each
    entry is told of a finding no entry before it was told of (two entries without `month` beside the
    findings of two months: one month each)."""
    errors = []
    told: set[int] = set()  # the findings an entry was told to complete itself with, by their place in `new`
    for k in gone:
        for n, f in enumerate(new):
            if n not in told and (missing := k.missing_for(f)):
                told.add(n)
                add = ", ".join(f"{name}: [{', '.join(value)}]" if name == "actors" else f"{name}: {value}"
                                for name, value in missing.items())
                errors.append(InputError(
                    f"this known finding gives no {' and no '.join(missing)}, and so matches no finding; the one it "
                    f"names but for that is {f.rule}, {f.owner} (at {f.where or 'the plan'}): add {add} (a known "
                    "finding is matched on its rule, owner, actors, pool, month and term; docs/check.md)", k.where))
                break
    if errors:
        raise input_errors(errors)


def split_known(findings: list[Finding], known: list[KnownFinding]
                ) -> tuple[list[Finding], list[Finding], list[KnownFinding]]:
    """(the new findings, those that match a known one, the known ones no longer found), each in its own
    order. A known entry matches one finding: a key listed once does not hide the same key found twice.
    Entries that give a term are matched first; then each entry of any term (`KnownFinding.any_term`)
    with one finding left, the objective's total first."""
    unused: dict[tuple, list[int]] = {}
    for n, k in enumerate(known):
        unused.setdefault(k.key, []).append(n)
    known_at: set[int] = set()  # the findings that match, by their place in `findings`
    in_order = range(len(findings))
    total_first = sorted(in_order, key=lambda n: findings[n].term != OBJECTIVE_TERM)
    for order, key_of in ((in_order, lambda f: f.key), (total_first, lambda f: f.key[:-1])):  # (`KnownFinding.key`)
        for n in order:
            entries = unused.get(key_of(findings[n])) if n not in known_at else None
            if entries:
                entries.pop(0)
                known_at.add(n)
    left = sorted(n for entries in unused.values() for n in entries)
    return ([f for n, f in enumerate(findings) if n not in known_at],
            [f for n, f in enumerate(findings) if n in known_at], [known[n] for n in left])


@dataclass(frozen=True)
class Checked:
    """A data object the check judged: one JUnit test case."""

    name: str  # "organisation orsta", "rule #2", ...
    where: Location | None


@dataclass(frozen=True)
class DataWarningSaid:
    """A data warning as check's report says it: its file and line (None where it names none) and message."""

    file: str | None
    line: int | None
    message: str

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}

    def github_place(self) -> str:
        """`file=F,line=L,` of its GitHub annotation (empty where it names no file)."""
        if not self.file:
            return ""
        return f"file={escape_property(self.file)}," + (f"line={self.line}," if self.line else "")


@dataclass
class CheckResult:
    mode: str  # "data": does any plan exist; "plan": does this plan keep every rule and limit
    status: str  # ok | known (only findings known: `known`) | infeasible | violations | undecided | invalid
    summary: str
    source: str = "data"  # the data folder (and plan file) checked
    findings: list[Finding] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)
    explanation: Explanation | None = None
    errors: list[InputError] = field(default_factory=list)  # invalid input: those listed (errors.MAX_ERRORS)
    input_errors: int = 0  # invalid input: how many errors were found, all counted (listed or not)
    #: a finding states a figure that rests on an estimate (marked `*`: `Finding.estimate`): the text says
    #: what `*` is
    estimated: bool = False
    #: with a file of known findings (`check_plan(..., known=)`): its name, the findings that match a known
    #: one (not in `findings`, they do not fail), and the known ones no longer found
    known_file: str | None = None
    known: list[Finding] = field(default_factory=list)
    known_gone: list[KnownFinding] = field(default_factory=list)
    #: a plan check's plan, as read from its file (`read_plan_file`)
    plan: Solution | None = None
    #: a plan check with changes applied (a scenario, a quick form): the verifier's findings on the figures
    #: saved with the plan (its load, its objective), which are its own data's and so not compared under the
    #: changes: said as a note (`figures_note`), never failing the check; empty without changes
    not_compared: list[Finding] = field(default_factory=list)
    #: the data's warnings (`errors.DataWarning`: valid data almost surely not meant), where the report says them
    #: itself (`hpplan check --format json|github`: the JSON's `warnings`, GitHub's `::warning`s); None: the
    #: report does not (they are said on stderr), and the JSON has no `warnings`
    warnings: list[DataWarningSaid] | None = None

    def figures_note(self) -> str | None:
        """'the plan's saved load is its own data's …' for `not_compared`, else None."""
        names = stale_names(self.not_compared)
        if not names:
            return None
        what = " and ".join(names)
        one = len(names) == 1
        it = "it" if one else "they"
        return (f"the plan's saved {what} {'is that' if one else 'are those'} of the data it was solved from, not of "
                f"this data with the changes applied: {it} {'was' if one else 'were'} not compared under the changes "
                f"and {'does' if one else 'do'} not fail the check (check the plan without the changes to compare "
                f"{'it' if one else 'them'})")

    @property
    def unlisted(self) -> int:
        """Input errors found but not listed (beyond errors.MAX_ERRORS)."""
        return max(0, self.input_errors - len(self.errors))

    def input_error_lines(self) -> list[str]:
        """Each input error listed, `file:line: message`, and how many more were not listed."""
        return str(InputErrors(self.errors, self.input_errors)).splitlines() if self.errors else []

    @property
    def exit_code(self) -> int:
        return {"ok": EXIT_OK, "known": EXIT_OK, "infeasible": EXIT_FAILED, "violations": EXIT_FAILED, "invalid": EXIT_INPUT,
                "undecided": EXIT_UNDECIDED}[self.status]


def _data_objects(problem: Problem) -> list[tuple[str, Located]]:
    """Every data object a rule or limit comes from, named as its test case, in file order:
    organisations, then waves.yaml's blackouts, rules, limits and pools."""
    waves = problem.waves
    objects: list[tuple[str, Located]] = [(f"organisation {o.id}", o) for o in problem.organisations]
    objects += [(f"blackout #{i + 1}", b) for i, b in enumerate(waves.blackouts)]
    objects += [(f"rule #{problem.rule_number(i)}", r) for i, r in enumerate(waves.rules)]
    objects += [(f"limit #{problem.limit_number(i)}", limit) for i, limit in enumerate(waves.limits)]
    objects += [(f"pool {p.id}", p) for p in waves.pools]
    return objects


def checked_objects(problem: Problem) -> list[Checked]:
    """Every data object a rule or limit comes from, in file order, with its first line."""
    return [Checked(name, obj.at) for name, obj in _data_objects(problem)]


def _owners_by_line(problem: Problem) -> dict[Location, str]:
    """Each line that states a data object or one of its fields (in the data or a scenario that set it),
    with the object's test case: the verifier reports a violation at the field it breaks (a limit's
    `max_actors:`), not at the object's first line."""
    owners: dict[Location, str] = {}
    for name, obj in _data_objects(problem):
        lines = [obj.at] + [obj.field_at(f.alias or key) for key, f in type(obj).model_fields.items()]
        for where in lines:
            if where is not None:
                owners.setdefault(where, name)
    return owners


def source_label(data: Path | str | None, scenarios: Sequence[Path | str] = (), applied: int = 0) -> str:
    """What was checked, for the summary and the JUnit suite: the data folder and the scenario files
    applied to it, by name (`data with scenario data/scenarios/x.yaml`), so that the reports of several
    scenarios can be told apart. `applied` counts scenarios applied whose files are not known (a
    problem a program built): then only their number is said."""
    label = str(data) if data else "data"
    if scenarios:
        label += f" with scenario{'s' if len(scenarios) != 1 else ''} {', '.join(str(s) for s in scenarios)}"
    elif applied:
        label += f" with {applied} scenario{'s' if applied != 1 else ''}"
    return label


def _where_label(problem: Problem, scenarios: Sequence[Path | str]) -> str:
    return source_label(problem.data_dir, scenarios, len(problem.applied))


def check_data(problem: Problem, *, time_limit: float = SOLVE_TIME_LIMIT, relax: bool = True,
               scenarios: Sequence[Path | str] = (), explain: str = "hpplan explain") -> CheckResult:
    """Does any plan satisfy every rule and limit? No optimisation; if none does, the explanation.
    `scenarios`: the files applied to the data, for the label; `explain`: the `hpplan explain` command
    that gives the same explanation (with the check's --data and --scenario), for the findings to name."""
    checked_problem("check_data", problem)
    source = _where_label(problem, scenarios)
    checked = [Checked("a plan exists", None)] + checked_objects(problem)
    try:
        explanation = explain_infeasible(problem, time_limit=time_limit, relax=relax)
    except Undecided as exc:
        return CheckResult("data", "undecided", f"hpplan check: {source}: undecided: {exc}", source, checked=checked)
    size = f"{counted(len(problem.organisations), 'organisation')}, {counted(len(problem.windows), 'window')}"
    if explanation.feasible:
        return CheckResult("data", "ok", f"hpplan check: {source} ({size}): a plan exists that satisfies every "
                           "rule and limit", source, checked=checked, explanation=explanation)
    findings = []
    for n, conflict in enumerate(explanation.conflicts, 1):
        others = _others(conflict)
        for i, reason in enumerate(conflict.reasons):
            pool, month = _pool_month(reason.kind, reason.key)
            findings.append(Finding(
                reason.kind, f"{reason.message} [conflict {n}: cannot hold together with {others(i)}; see "
                f"`{explain}`]", reason.where, reason.owner, reason.actors, f"hpplan: no plan possible (conflict {n})",
                pool, month, estimate=reason.estimate, rests_on=reason.rests_on))
    count = len(explanation.conflicts)
    if explanation.complete:
        more = ""
    elif explanation.more_undecided:
        more = f"; {MORE_UNDECIDED}"
    else:
        more = " (and more)"
    summary = (f"hpplan check: {source} ({size}): no plan satisfies every rule and limit: "
               f"{count} conflict{'s' if count != 1 else ''}{more}")
    return CheckResult("data", "infeasible", summary, source, findings, checked, explanation,
                       estimated=any(f.estimate for f in findings))


def _others(conflict: Conflict):
    """What the i-th rule of a conflict cannot hold together with, for its finding: the other rules and
    limits in words (`explain.named`: 'Aarhus Kommune must go live, limit #2 (max_users) in windows
    v02..v14'; their keys, the JSON's, read `limit#2.max_users@v02`), or past RELAX_EACH_MAX of them how many
    of each kind (a conflict of 5,672 groups that listed every other key in each finding made a JUnit report
    of 1.2 GB). The count depends only on the rule's kind: computed once per kind."""
    reasons = conflict.reasons
    if len(reasons) - 1 <= RELAX_EACH_MAX:
        return lambda i: named(reasons[:i] + reasons[i + 1:]) or "the history"
    kinds = [reason.kind for reason in conflict.reasons]
    by_kind: dict[str, str] = {}
    for i, kind in enumerate(kinds):
        if kind not in by_kind:
            rest = kind_counts(kinds[:i] + kinds[i + 1:])
            by_kind[kind] = f"{len(kinds) - 1} other rules and limits {rest}"
    return lambda i: by_kind[kinds[i]]


def _pool_month(kind: str, key: str) -> tuple[str | None, str | None]:
    """The pool and month of a conflict's capacity rule, from its key `capacity:POOL@YYYY-MM`
    (docs/check.md; a pool id has no `@`); (None, None) for any other rule."""
    if kind != "capacity":
        return None, None
    pool, _, month = key.removeprefix("capacity:").rpartition("@")
    return pool, month


def check_plan(problem: Problem, plan_path: Path, *, scenarios: Sequence[Path | str] = (),
               known: Path | None = None) -> CheckResult:
    """Does the plan in `plan_path` keep every rule and limit? Raises InputError for a bad plan file (or
    known file). `scenarios`: the files applied to the data, for the label; `known`: a file of known
    findings (`read_known`), which are then reported apart and do not fail. The paths may be str."""
    checked_problem("check_plan", problem)
    for name, what, value in (("plan_path", "a plan file", plan_path), ("known", "a file of known findings", known)):
        if isinstance(value, (str, Path)) or (value is None and name == "known"):
            continue
        optional = " or None" if name == "known" else ""
        verify_it = "; a Solution is checked by hpplan.verify(problem, solution)" if isinstance(value, Solution) else ""
        raise TypeError(f"check_plan takes {name} as the path of {what} (str or Path){optional}, "
                        f"got {type(value).__name__}{verify_it}")
    plan_path, known = Path(plan_path), Path(known) if known is not None else None
    read, baseline = each_of(lambda: read_plan_file(problem, plan_path),
                             lambda: read_known(known) if known is not None else None)
    flagged = {org_id for v in read.violations for org_id in v.actors}  # on a date that is no window's
    violations = [v for v in verify(problem, read.solution) if not said_at_the_plan(v, flagged, read.solution)]
    owners = _owners_by_line(problem)
    entries = entry_lines(read, plan_path) if any(v.rule in _ENTRY_DATE_RULES for v in violations) else {}
    findings = [_finding(v, owners, plan_path, entries) for v in read.violations + violations]
    # with changes applied (a scenario, a quick form) the plan's saved load and objective are its own data's,
    # never the changed data's: "does the plan survive this change?" is asked of its go-lives; its saved figures
    # are a note, not findings (they blamed the data's line, and said "solve again", for the change itself)
    not_compared = stale_figures(findings) if problem.applied else []
    if not_compared:
        findings = broken_rules(findings)
        violations = broken_rules(violations)
    data = _where_label(problem, scenarios)
    checked = [Checked("plan", Location(str(plan_path)))] + checked_objects(problem)
    estimated = any(v.estimate for v in violations)
    if baseline is None:
        result = _plan_result(findings, plan_path, data, checked, estimated, not_compared=not_compared)
        result.plan = read.solution
        return result
    new, matched, gone = split_known(findings, baseline)
    if problem.applied:  # known findings on the saved figures are not looked for under changes: not "gone"
        gone = broken_rules(gone)
    check_left_out(gone, new)
    result = _plan_result(new, plan_path, data, checked, estimated, known_broken=len(broken_rules(matched)),
                          not_compared=not_compared)
    result.plan = read.solution
    result.known_file, result.known, result.known_gone = str(known), matched, gone
    result.estimated = estimated and bool(new or matched)  # the known findings are listed too
    if matched and result.status == "ok":
        result.status = "known"
        result.summary = (f"hpplan check: plan {plan_path}: no new findings against {data}; "
                          f"{counted(len(matched), 'known finding')} ({known}), which do not fail the check")
    elif matched:
        result.summary += f"; and {counted(len(matched), 'known finding')} ({known}), which do not fail the check"
    if gone:
        result.summary += (f"; {counted(len(gone), 'known finding')} of {known} no longer found: remove "
                           f"{'it' if len(gone) == 1 else 'them'} from {known}")
    return result


def _plan_result(findings: list[Finding], plan_path: Path, data: str, checked: list[Checked],
                 estimated: bool, known_broken: int = 0, not_compared: list[Finding] | None = None) -> CheckResult:
    """A plan check's result with these findings: ok, or violations with a summary that tells rules
    broken from figures saved with the plan that are out of date. `known_broken`: rules it breaks that
    are known findings (not among `findings`): it does not keep every rule then, whatever else it says.
    `not_compared`: with changes applied, the saved figures' findings, said as a note (`CheckResult.not_compared`)."""
    result = _plan_status(findings, plan_path, data, checked, estimated, known_broken)
    result.not_compared = list(not_compared or [])
    names = stale_names(result.not_compared)
    if names:
        result.summary += (f"; its saved {' and '.join(names)} {'is its' if len(names) == 1 else 'are its'} own "
                           "data's, not compared under the changes (a note)")
    return result


def _plan_status(findings: list[Finding], plan_path: Path, data: str, checked: list[Checked],
                 estimated: bool, known_broken: int = 0) -> CheckResult:
    """`_plan_result` but for the note of figures not compared."""
    if not findings:
        return CheckResult("plan", "ok", f"hpplan check: plan {plan_path} keeps every rule and limit of "
                           f"{data}", f"{data} with plan {plan_path}", checked=checked)
    broken = broken_rules(findings)
    if broken:
        summary = (f"hpplan check: plan {plan_path} breaks rules or limits of {data}: "
                   f"{counted(len(broken), 'violation')}{stale_note(findings, '; and ')}")
    elif known_broken:  # no new rule broken, but known ones are: not "keeps every rule"
        summary = (f"hpplan check: plan {plan_path} breaks no rule or limit of {data} beyond the known findings, "
                   f"but{stale_note(findings, ' ')}: the data changed since the plan was saved, or the plan was "
                   "edited; solve again to bring it up to date")
    else:  # its go-lives keep every rule and limit: only figures saved with it are out of date (exit 1 all the same)
        summary = (f"hpplan check: plan {plan_path} keeps every rule and limit of {data}, but"
                   f"{stale_note(findings, ' ')}: the data changed since the plan was saved, or the plan was "
                   "edited; solve again to bring it up to date")
    return CheckResult("plan", "violations", summary, f"{data} with plan {plan_path}", findings, checked,
                       estimated=estimated)


def stale_note(findings: list, lead: str) -> str:
    """`lead` + 'its saved load is not this data's (1 finding)' for the findings about figures saved with a
    plan (`verify.stale_figures`), told apart from rules it breaks; '' when there are none."""
    stale = stale_figures(findings)
    return f"{lead}{stale_text(stale)} ({counted(len(stale), 'finding')})" if stale else ""


def said_at_the_plan(v: Violation, flagged: set[str], plan: Solution) -> bool:
    """A verifier's violation that only repeats that the plan file gives the `flagged` organisations a
    date that is no window's (reported once, at the plan file's line): an organisation's own `window`
    finding, and a `together` rule whose organisations all go live on that one date (they are together;
    only the date is wrong, as after a window's date moved)."""
    if v.rule == "window":
        return bool(v.actors) and set(v.actors) <= flagged
    if v.rule == "together" and flagged & set(v.actors):
        go_live = {a.id: a.go_live for a in plan.plan}
        days = {go_live.get(org_id) for org_id in v.actors}
        return len(days) == 1 and None not in days
    return False


#: the verifier's findings about one organisation's own fields (status, dates, track, its plan entry)
_ORGANISATION_RULES = ("mandatory", "earliest", "latest", "returns", "track", "pinned", "not_plannable", "window",
                       "plan")


#: the verifier's findings about the dates of one or a few organisations' plan entries (their own
#: fields, a blackout, a rule between organisations), not about a window's or a month's totals (limits,
#: capacity) nor the plan's saved figures: the plan file's entries are named beside the data's line
_ENTRY_DATE_RULES = ("mandatory", "earliest", "latest", "returns", "track", "pinned", "not_plannable", "window",
                     "blackout", *RULE_TYPES)


def _finding(v: Violation, owners: dict[Location, str], plan_path: Path,
             entries: dict[str, Location] | None = None) -> Finding:
    """The violation as a finding of the object it breaks: the organisation it is about, the pool that
    is short, else the rule, limit or blackout whose line it is reported at; "plan" for what is wrong
    in the plan file itself (a date that is no window's, its objective). A finding about organisations'
    dates at the data's line also names their `entries` in the plan file (`_ENTRY_DATE_RULES`)."""
    if v.where is None or v.where.file == str(Path(plan_path)):
        owner = "plan"
    elif v.rule in _ORGANISATION_RULES and len(v.actors) == 1:
        owner = f"organisation {v.actors[0]}"
    elif v.pool is not None:
        owner = f"pool {v.pool}"
    else:
        owner = owners.get(v.where, "plan")
    named = tuple((a, entries[a]) for a in v.actors if a in entries) if (
        entries and owner != "plan" and v.rule in _ENTRY_DATE_RULES) else ()
    return Finding(v.rule, v.message, v.where, owner, v.actors, f"hpplan: {v.rule}", v.pool, v.month, named, v.term,
                   v.estimate)


def invalid(error: InputError, source: str, mode: str = "data") -> CheckResult:
    """A result for input that cannot be read: each error with its file:line. `mode`: what was to be
    checked, `data` or (`--plan`) `plan`, as a result of that check says it."""
    errors = list(error.errors) if isinstance(error, InputErrors) else [error]
    total = error.total if isinstance(error, InputErrors) else 1
    findings = [Finding("input", e.message, e.where, "input", title="hpplan: invalid input") for e in errors]
    listed = f", the first {len(errors)} listed" if total > len(errors) else ""
    return CheckResult(mode, "invalid", f"hpplan check: {source}: invalid input ({total} "
                       f"error{'s' if total != 1 else ''}{listed})", source, findings,
                       [Checked("input", errors[0].where if errors else None)], errors=errors, input_errors=total)


# --------------------------------------------------------------------------------------------------
# reports


def checked_result(function: str, result: object) -> None:
    """The reports take a CheckResult (`check_data`, `check_plan`): anything else is a TypeError at the
    call that says so, not an AttributeError inside."""
    if not isinstance(result, CheckResult):
        raise TypeError(f"{function} takes a CheckResult (from hpplan.check.check_data(problem) or "
                        f"check_plan(problem, path)), got {type(result).__name__}")


def to_text(result: CheckResult) -> str:
    checked_result("to_text", result)
    lines: list[str] = []
    if result.status == "infeasible" and result.explanation is not None:
        lines.append(result.explanation.to_text().rstrip("\n"))
        lines.append("")
    elif result.status == "invalid" and result.errors:
        lines += result.input_error_lines()  # and how many more were not listed
        lines.append("")
    else:
        listed = [str(f) for f in result.findings] if result.status in ("violations", "invalid") else []
        listed += _known_lines(result)
        if listed:
            lines += listed + ([ESTIMATE_NOTE] if result.estimated else [])
        note = result.figures_note()
        if note:
            lines.append(f"note: {note}")
        if listed or note:
            lines.append("")
    lines.append(result.summary)
    return "\n".join(lines) + "\n"


def _known_lines(result: CheckResult) -> list[str]:
    """`file:line: known finding: message` for each finding that matches a known one, and `KNOWN:line:
    known finding no longer found: ...` for each known one not found, at its entry in the known file."""
    return [_known_line(f) for f in result.known] + [_gone_line(k, result.known_file) for k in result.known_gone]


def _known_line(f: Finding) -> str:
    return f"{f.where}: known finding: {f.message}" if f.where else f"known finding: {f.message}"


def _gone_line(k: KnownFinding, known_file: str | None) -> str:
    return f"{k.where}: {_gone_message(k, known_file)}"


def _known_message(f: Finding, known_file: str | None) -> str:
    return f"{f.message} (a known finding, listed in {known_file}: it does not fail the check)"


def _gone_message(k: KnownFinding, known_file: str | None) -> str:
    return f"known finding no longer found: {k}; remove it from {known_file}"


def to_json(result: CheckResult) -> str:
    checked_result("to_json", result)
    data = {
        "status": result.status,
        "exit_code": result.exit_code,
        "mode": result.mode,
        "source": result.source,
        "summary": result.summary,
        "input_errors": result.input_errors,
        "findings": [f.to_json() for f in result.findings],
        # what a finding's `*` means, when one is marked (listed or known): as the text's note
        "estimate_note": ESTIMATE_NOTE if result.estimated else None,
        "explanation": result.explanation.to_json_dict() if result.explanation is not None else None,
    }
    if result.known_file is not None:  # only with --known: without, the report is as it always was
        data.update(known_file=result.known_file, known=[f.to_json() for f in result.known],
                    known_gone=[k.to_json() for k in result.known_gone])
    note = result.figures_note()
    if note:  # only with changes applied and saved figures they change: without, the report is as it always was
        data["notes"] = [{"kind": "saved_figures_not_compared", "figures": stale_names(result.not_compared),
                          "message": note}]
    if result.warnings is not None:  # the data's warnings, where the report carries them (an empty list: none)
        data["warnings"] = [w.to_json() for w in result.warnings]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_junit(result: CheckResult) -> str:
    """JUnit XML: one test case per data object judged; a failure per object with findings (an error
    for input that cannot be read, or a check that could not decide). Known findings (`--known`) do not
    fail their test case: they are its `system-out`, and known ones no longer found the suite's."""
    checked_result("to_junit", result)
    by_owner, known_of = _by_owner(result.findings), _by_owner(result.known)
    checked = list(result.checked)
    names = {c.name for c in checked}
    checked += [Checked(owner, None) for owner in dict.fromkeys([*by_owner, *known_of]) if owner not in names]
    suite = ET.Element("testsuite", name=f"hpplan check {result.source}")
    for case in checked:
        element = ET.SubElement(suite, "testcase", name=case.name, classname=_classname(case))
        if case.where is not None:
            element.set("file", case.where.file)
            if case.where.line:
                element.set("line", str(case.where.line))
        found = by_owner.get(case.name, [])
        if found:
            tag = "error" if result.status == "invalid" else "failure"
            # invalid input: every error counted, also those not listed
            count = result.input_errors if case.name == "input" and result.input_errors else len(found)
            listed = f" ({len(found)} listed)" if count > len(found) else ""
            message = found[0].message if count == 1 else f"{count} problems{listed}; the first: {found[0].message}"
            child = ET.SubElement(element, tag, message=message, type=found[0].rule)
            child.text = "\n".join(result.input_error_lines() if case.name == "input" and result.errors
                                   else [str(f) for f in found] + ([ESTIMATE_NOTE] if any(f.estimate for f in found)
                                                                    else []))
        elif case.name == "a plan exists" and result.status == "infeasible" and result.explanation is not None:
            child = ET.SubElement(element, "failure", message=result.summary, type="infeasible")
            child.text = result.explanation.to_text()
        elif case.name == "a plan exists" and result.status == "undecided":
            ET.SubElement(element, "error", message=result.summary, type="undecided")
        if case.name in known_of:
            ET.SubElement(element, "system-out").text = "\n".join(_known_line(f) for f in known_of[case.name])
    said = [_gone_line(k, result.known_file) for k in result.known_gone]
    note = result.figures_note()
    said += [f"note: {note}"] if note else []  # under changes: the saved figures not compared, no failure
    if said:
        ET.SubElement(suite, "system-out").text = "\n".join(said)
    counts = {"tests": str(len(checked)), "failures": str(len(suite.findall("testcase/failure"))),
              "errors": str(len(suite.findall("testcase/error")))}
    suite.attrib.update(counts, skipped="0")
    suites = ET.Element("testsuites", name="hpplan check", **counts)
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _printable(ET.tostring(suites, encoding="unicode")) + "\n"


#: control characters but tab and line breaks (which XML 1.0 cannot hold even escaped, and a terminal
#: acts on); YAML lets a quoted string give them ("\v", "\u0007")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _printable(text: str) -> str:
    """`text` with each control character written as `\\xNN`: ElementTree wrote them as they are (a JUnit
    report no reader could parse), and so did the GitHub annotations (an escape into the CI log)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _classname(case: Checked) -> str:
    if case.where is None:
        return "hpplan"
    return "hpplan." + Path(case.where.file).name.replace(".", "_")


def escape_data(text: str) -> str:
    """GitHub workflow command data: %, CR and LF are escaped, control characters written out."""
    return _printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub workflow command properties: also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _properties(where, title: str) -> str:
    """`file=F,line=L,title=T` of a GitHub workflow command (file and line when known; never a place that is
    a command-line option, `--capacity`, which GitHub cannot attach to a file: `_option_led`)."""
    props = []
    if where is not None and not _option_led(where):
        props.append(f"file={escape_property(where.file)}")
        if where.line:
            props.append(f"line={where.line}")
    props.append(f"title={escape_property(title)}")
    return ",".join(props)


def _option_led(where: Location | None) -> bool:
    """A place named by a command-line option, with no line: a quick form's (`--capacity`: `option_of`), or an
    option's file that cannot be read (`--known: PATH`): no file GitHub can attach an annotation to."""
    return where is not None and not where.line and where.file.startswith("--")


#: GitHub shows at most this many error annotations of a step, and as many notices (actions/toolkit
#: docs/problem-matchers.md, "Limitations"); the rest are not shown on the pull request
GITHUB_ANNOTATIONS = 10


Annotation = tuple[Location | None, str, str]  # where, title, message


def _by_line(items: list[Annotation]) -> list[list[Annotation]]:
    """The items grouped by their file:line, in the order they first appear (those without one alone)."""
    groups: dict[object, list[Annotation]] = {}
    for n, item in enumerate(items):
        groups.setdefault(item[0] if item[0] is not None else n, []).append(item)
    return list(groups.values())


def _annotations(command: str, groups: list[list[Annotation]], what: tuple[str, str], unlisted: int = 0) -> list[str]:
    """`::command` lines, one per group (a file:line; its messages each on a line of their own), at most
    GITHUB_ANNOTATIONS: the last then says how many more there are and where to read them. `what`: the
    singular and plural of what an item is; `unlisted`: items found but not listed at all (input errors
    beyond errors.MAX_ERRORS), which the last annotation counts too. Where there are more lines than that,
    those with the most items come first (the pool or limit a pull request lowered is in every conflict it
    causes; the rules it meets in each only once), each in the order the lines first appear."""
    lines = []
    if len(groups) > GITHUB_ANNOTATIONS:
        groups = sorted(groups, key=len, reverse=True)  # (stable: of equal ones, the first to appear first)
    shown = groups[:GITHUB_ANNOTATIONS]
    for k, group in enumerate(shown, 1):
        titles = dict.fromkeys(title for _, title, _ in group)
        message = "\n".join(m for _, _, m in group)
        if _option_led(group[0][0]):  # no file to attach it to: the option named in the message
            message = f"{group[0][0].file}: {message}"
        if k == len(shown):
            message += _more_note(groups[k:], unlisted, what)
        lines.append(f"::{command} {_properties(group[0][0], '; '.join(titles))}::{escape_data(message)}")
    return lines


def _more_note(hidden: list[list[Annotation]], unlisted: int, what: tuple[str, str]) -> str:
    """The last annotation's note of the items it does not show: those on the `hidden` lines (in the
    step's log), and those `unlisted` anywhere (fix the others and run again); "" when there are none."""
    in_log = sum(len(g) for g in hidden)
    more = in_log + unlisted
    if not more:
        return ""
    note = f"\n(and {more} more {what[0] if more == 1 else what[1]}"
    if in_log:
        other = len(hidden)
        note += (f"{f': {in_log}' if unlisted else ''} on {other} other line{'s' if other != 1 else ''}, which "
                 "GitHub does not show as annotations: read them all in this step's log, after the annotations, "
                 "or in the JUnit report")
    if unlisted:
        note += (f"; {unlisted}" if in_log else "") + " not listed: fix these and run again"
    return note + ")"


def _by_owner(findings: list[Finding]) -> dict[str, list[Finding]]:
    """The findings by the object they are about (`Finding.owner`), in order."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.owner, []).append(f)
    return grouped


def to_github(result: CheckResult) -> str:
    """GitHub Actions workflow commands: an `::error file=F,line=L,title=T::message` per YAML line with
    findings, a `::notice` per line with suggested changes (with --known: per line with known findings,
    and a `::warning` at each known one no longer found), and the summary as a plain line. GitHub
    shows only GITHUB_ANNOTATIONS of each in a step: beyond that the last one says how many more there
    are, and the whole report (every finding and change) follows as plain lines, so that none is lost;
    GitHub does not act on workflow commands in those lines (`_as_plain_log`)."""
    checked_result("to_github", result)
    errors: list[Annotation] = [(f.where, f.title or "hpplan", f.message) for f in result.findings]
    # and at the status of an organisation whose opt-out a conflict's rule rests on: the line a pull request
    # that opts it out changes
    errors += [(where, f.title or "hpplan", f"{f.message} (reported at {f.where})")
               for f in result.findings for _, where in f.rests_on if where is not None]
    if result.status == "undecided":
        errors.append((None, "hpplan check", result.summary))
    notices: list[Annotation] = []
    if result.explanation is not None:
        for n, conflict in enumerate(result.explanation.conflicts, 1):
            notices += [(r.where, f"hpplan: a change that resolves conflict {n}", r.message)
                        for r in conflict.relaxations]
            # a change not computed (budget spent, or not decided) is said too: a fix tried and not decided
            # vanished from the pull request, where the text and JSON name it
            notices += [(None, f"hpplan: conflict {n}: a change not computed", line.strip())
                        for line in not_computed_lines(conflict)]
    notices += [(f.where, f"hpplan: known finding ({f.rule})", _known_message(f, result.known_file))
                for f in result.known]  # a plan check's: it has no suggested changes
    # and at the plan file's entries a finding names: the lines a pull request that moves a date changes
    entry_notices = [(where, f"hpplan: this plan entry breaks a rule ({f.rule})",
                      f"{f.message} (reported at {f.where})") for f in result.findings for _, where in f.plan_entries]
    notice_words = (("notice", "notices") if entry_notices and notices else
                    ("plan entry note", "plan entry notes") if entry_notices else
                    ("known finding", "known findings") if result.known else ("suggested change", "suggested changes"))
    notices += entry_notices
    warnings: list[Annotation] = [(k.where, "hpplan: known finding no longer found", _gone_message(k, result.known_file))
                                  for k in result.known_gone]
    error_groups, notice_groups, warning_groups = _by_line(errors), _by_line(notices), _by_line(warnings)
    lines = (_annotations("error", error_groups, ("error", "errors"), result.unlisted)
             + _annotations("notice", notice_groups, notice_words)
             + _annotations("warning", warning_groups, ("known finding no longer found",
                                                        "known findings no longer found")))
    note = result.figures_note()
    if note:  # under changes: the saved figures not compared, a notice of the plan (no file:line to blame)
        lines.append(f"::notice title={escape_property('hpplan: saved figures not compared')}::{escape_data(note)}")
    cut = max(len(error_groups), len(notice_groups), len(warning_groups)) > GITHUB_ANNOTATIONS
    # the data's warnings, each at its file and line: after the findings' annotations and any plain report
    data_warnings = [f"::warning {w.github_place()}title={escape_property('hpplan: data warning')}::"
                     f"{escape_data(w.message)}" for w in result.warnings or ()]
    # the summary is the last line either way (a script's `tail -1`), after the plain report where it follows
    said = "\n".join(([_as_plain_log(to_text(result).rstrip("\n"))] if cut else [])
                      + ([ESTIMATE_NOTE] if result.estimated and not cut else []) + data_warnings + [result.summary])
    return "\n".join(lines + [said]) + "\n"


def _as_plain_log(text: str) -> str:
    """`text` between `::stop-commands::TOKEN` and `::TOKEN::`: GitHub acts on no workflow command in it
    (a `reason: |` of the data with a line `::error file=…::x` made an annotation of its own, or could
    `::add-mask::`). The token is a hash of the text: the report stays the same for the same data, and
    the text cannot hold the line that ends the pause."""
    token = "hpplan-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"::stop-commands::{token}\n{text}\n::{token}::"


def to_step_summary(result: CheckResult) -> str:
    """The report as Markdown for a GitHub job's summary page (`$GITHUB_STEP_SUMMARY`): the summary as a
    heading, then the whole text report (every finding, conflict and suggested change: the annotations show
    ten of each) in a code block, whose fence is longer than any run of backticks in the data's text."""
    checked_result("to_step_summary", result)
    text = to_text(result).rstrip("\n")
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"### {md_text(result.summary)}\n\n{fence}text\n{text}\n{fence}\n\n"


FORMATS = {"text": to_text, "json": to_json, "junit": to_junit, "github": to_github}
