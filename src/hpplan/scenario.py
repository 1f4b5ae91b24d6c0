"""What-if scenarios: small YAML files that change the base data before it is planned (docs/scenarios.md).

    problem = load_problem("data")
    postponed = apply_scenarios(problem, [Path("data/scenarios/hmr-postponed.yaml")])
    quick = apply_quick(problem, postpone=["helse-more-og-romsdal=2024-10-01"], exclude=["aure"])

A scenario file names its `base` (the data folder it was written for), says in `description` what it
models, and lists `changes`, each with an `op`:

    postpone, exclude, remove, add, set, unpin, set_planning_date, capacity,
    add_window, remove_window, move_window, add_rule, remove_rule,
    add_limit, remove_limit, set_limit, add_blackout

Scenarios never change the base: every function here returns a new `Problem` (with `applied` listing
what was applied) and leaves its argument and the files as they were. Every problem found is an
`InputError` with `file:line` and, for an unknown id, a "did you mean".
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, ValidationError, model_validator

from .errors import DataWarning, InputError, InputErrors, Location, did_you_mean, grouped, input_errors, numbers_grouped
from .loader import (DATA_FLAGS, ORGANISATIONS, WAVES, _digits_to_write, _each_id, _explain, _exponent, _line, _locate,
                     _number_read, _numbers_written_otherwise, _outside, _plain_number, check_references, field_limits,
                     flag_fields, history_preference, not_a_number, validate, validated_beside)
from .problem import (COMMAND_LINE, QUICK_OPTIONS, AppliedChange, Changed, NamedDate, Numbering, Problem, Removal,
                      checked_problem, month_label, parse_month)
from .schema import (
    HISTORY_BY_CALLER,
    ID_PATTERN,
    ID_RULE,
    MONTH_PATTERN,
    AfterLive,
    Blackout,
    CapacityChange,
    Date,
    Fte,
    Id,
    Limit,
    Month,
    Organisation,
    Rule,
    Status,
    Window,
    WindowId,
    date_meant,
    history_bounds,
    id_advice,
    id_meant,
    month_meant,
    slug,
)
from .yamlio import YamlDocument, load_yaml, quoted


# --------------------------------------------------------------------------------------------------
# the file format


class Change(BaseModel):
    """One change of a scenario. `note` says why (optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    op: str
    note: str | None = None

    _at: Location | None = PrivateAttr(default=None)
    _fields: dict[str, Location] = PrivateAttr(default_factory=dict)
    #: the text of its unquoted numbers whose reading loses how they were written (`YamlDocument.written`),
    #: by path from the change: ("fields", "population") -> "120.000"
    _written: dict[tuple, str] = PrivateAttr(default_factory=dict)
    #: the comment after a key the change left without a value (`YamlDocument.commented`: `name: #1 Ørsta`)
    _commented: dict[tuple, str] = PrivateAttr(default_factory=dict)
    #: written by a person (a scenario file's change, a quick form), not made by a program (a sweep's grid point,
    #: where a factor of 1 is one of the points): a change that changes nothing is then likely a typo, and said
    _typed: bool = PrivateAttr(default=False)

    #: what the op is for, in one line (shown in error messages and docs)
    HELP: ClassVar[str] = ""

    @property
    def at(self) -> Location | None:
        return self._at

    def where(self, field: str) -> Location | None:
        """The line of one of the change's fields (`fields.users`: a key in a field's mapping), else of the
        field that holds it, else the change's own line."""
        while field not in self._fields and "." in field:
            field = field.rsplit(".", 1)[0]
        return self._fields.get(field, self._at)


class Postpone(Change):
    HELP = "a new earliest go-live date for an organisation: postpone: {actor, earliest}"
    op: Literal["postpone"]
    actor: Id
    earliest: Date


class Exclude(Change):
    HELP = "opt an organisation out (it stays unscheduled, or is planned from `returns`)"
    op: Literal["exclude"]
    actor: Id
    returns: Date | None = None


class Remove(Change):
    HELP = "delete an organisation from the data, and from the rules and blackouts that name it"
    op: Literal["remove"]
    actor: Id


class Add(Change):
    HELP = "a new organisation, written as in organisations.yaml"
    op: Literal["add"]
    organisation: Organisation


class SetFields(Change):
    HELP = "change fields of an organisation: set: {actor, fields: {users: 500, ...}}; null removes a field"
    op: Literal["set"]
    actor: Id
    fields: dict[str, Any] = Field(min_length=1)


class Unpin(Change):
    HELP = "a live organisation becomes one to plan again (status signed unless given)"
    op: Literal["unpin"]
    actor: Id
    status: Literal["signed", "planned", "optional"] = "signed"
    earliest: Date | None = None


class SetPlanningDate(Change):
    HELP = ("move the plan's 'as of' date; with unpin (default true), what went live on or after it is planned "
            "again, with earliest_as_history no earlier than it actually went live")
    op: Literal["set_planning_date"]
    date: Date
    unpin: StrictBool = True  # true or false, as every flag of the data ('yes' and 1 are refused)
    earliest_as_history: StrictBool = False

    @model_validator(mode="after")
    def _needs_unpin(self):
        if self.earliest_as_history and not self.unpin:
            raise ValueError("earliest_as_history applies to the organisations unpinned; it needs unpin: true")
        return self


class Capacity(Change):
    HELP = "a pool's capacity from a month (to a month): fte (absolute) or factor (of the base capacity)"
    op: Literal["capacity"]
    pool: Id
    fte: Fte | None = None
    factor: float | None = Field(default=None, ge=0, le=10, allow_inf_nan=False)
    from_: Month | None = Field(default=None, alias="from")
    to: Month | None = None

    @model_validator(mode="after")
    def _one_value(self):
        if (self.fte is None) == (self.factor is None):
            raise ValueError("capacity needs exactly one of fte (FTE from that month) or factor (e.g. 0.8 for -20 %)")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(f"to {self.to} is before from {self.from_}")
        return self


class AddWindow(Change):
    HELP = "a new future go-live window, written as in waves.yaml"
    op: Literal["add_window"]
    window: Window


class RemoveWindow(Change):
    HELP = "remove a future window (and it from tracks, limits and preferred windows)"
    op: Literal["remove_window"]
    window: WindowId


class MoveWindow(Change):
    HELP = "give a future window a new date"
    op: Literal["move_window"]
    window: WindowId
    date: Date


class AddRule(Change):
    HELP = "a new rule, written as in waves.yaml"
    op: Literal["add_rule"]
    rule: Rule


class RemoveRule(Change):
    HELP = "remove a rule by its id, or by its number (1 = the first rule in waves.yaml)"
    op: Literal["remove_rule"]
    id: Id | None = None
    index: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _which(self):
        if (self.id is None) == (self.index is None):
            raise ValueError("remove_rule needs exactly one of id (the rule's id) or index (1 = the first rule)")
        return self


class AddLimit(Change):
    HELP = "a new per-window limit, written as in waves.yaml"
    op: Literal["add_limit"]
    limit: Limit


class RemoveLimit(Change):
    HELP = "remove a limit by its number (1 = the first limit in waves.yaml)"
    op: Literal["remove_limit"]
    index: int = Field(ge=1)


class SetLimit(Change):
    HELP = "override fields of a limit (by number, 1 = the first): max_actors, max_users, max_trusts, windows"
    op: Literal["set_limit"]
    index: int = Field(ge=1)
    max_actors: int | None = Field(default=None, ge=0)
    max_users: int | None = Field(default=None, ge=0)
    max_trusts: int | None = Field(default=None, ge=0)
    windows: list[WindowId] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _something(self):
        if not ({"max_actors", "max_users", "max_trusts", "windows"} & self.model_fields_set):
            raise ValueError("set_limit needs at least one of max_actors, max_users, max_trusts, windows")
        return self


class AddBlackout(Change):
    HELP = "a new blackout, written as in waves.yaml"
    op: Literal["add_blackout"]
    blackout: Blackout


CHANGES: dict[str, type[Change]] = {
    cls.model_fields["op"].annotation.__args__[0]: cls
    for cls in (Postpone, Exclude, Remove, Add, SetFields, Unpin, SetPlanningDate, Capacity, AddWindow,
                RemoveWindow, MoveWindow, AddRule, RemoveRule, AddLimit, RemoveLimit, SetLimit, AddBlackout)
}


class ScenarioHeader(BaseModel):
    """The top of a scenario file; `changes` are validated one by one (by their `op`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    base: str = Field(min_length=1, description="the data folder the scenario was written for, e.g. data")
    description: str = Field(min_length=1, description="what the scenario models, assumptions marked")
    changes: list[Any] = Field(min_length=1)
    note: str | None = None


#: the keys whose values are true or false, in a scenario's changes and in the data they write (`unpin`,
#: an added organisation's `private`): there an unquoted `yes` is answered with `true`, as in the data files
FLAGS = flag_fields(ScenarioHeader, *CHANGES.values()) | DATA_FLAGS


@dataclass
class Scenario:
    file: str  # as given (for messages)
    base: str
    description: str
    changes: list[Change]

    @property
    def name(self) -> str:
        return Path(self.file).stem


# --------------------------------------------------------------------------------------------------
# reading


def load_scenario(path: Path | str, windows: list[Window] | None = None, problem: Problem | None = None) -> Scenario:
    """Read and check one scenario file (format only; ids are checked when it is applied). `windows`: the
    windows of the data it is for, where known (a window written as its date is answered with its id);
    `problem`: that data, where known (a name written for an id is answered with one of its ids, a capacity
    with its pool's figures; its windows where `windows` is not given)."""
    if windows is None and problem is not None:
        windows = problem.windows
    doc = _scenario_yaml(path)
    try:
        header = validate(ScenarioHeader, doc)
    except InputError as error:
        raise _each_told(error, lambda message: _header_told(message, doc.data)) from None
    changes: list[Change] = []
    errors: list[InputError] = []
    for i, raw in enumerate(header.changes):
        try:
            changes.append(_read_change(doc, i, raw, windows, problem))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise input_errors(errors)
    return Scenario(doc.file, header.base, " ".join(header.description.split()), changes)


def _as_read(windows: list[Window] | None):
    """`windows` as `loader.validate` takes the data's windows (None: not known; no window is guessed)."""
    return lambda: None if windows is None else {"windows": [{"id": w.id, "date": w.date} for w in windows]}


def _scenario_yaml(path: Path | str) -> YamlDocument:
    """A scenario file as read (`yamlio.load_yaml`); an empty one is told what a scenario file holds, with the
    page that says it (docs/scenarios.md, not the data files' docs/data-format.md)."""
    try:
        return load_yaml(Path(path), str(path), FLAGS)
    except InputError as error:
        if not isinstance(error, InputErrors) and error.message.startswith("file is empty"):
            raise InputError("file is empty; expected a scenario, a YAML mapping with base, description and changes "
                             "(see docs/scenarios.md)", error.where) from None
        raise


def _each_told(error: InputError, told) -> InputError:
    """`error` (one, or `InputErrors`) with each message as `told(message)` says it, at its place."""
    if isinstance(error, InputErrors):
        return InputErrors([InputError(told(e.message), e.where) for e in error.errors], error.total)
    return InputError(told(error.message), error.where)


def _header_told(message: str, data: Any) -> str:
    """A scenario file's top-level error said with what would be right: `changes:` written as a mapping (one
    change without its '- ', or the changes as keys) is a list of changes, each an item."""
    if (message.startswith("changes: Input should be a valid list") and isinstance(data, dict)
            and isinstance(data.get("changes"), dict)):
        return ("changes: expected a list of changes, found a mapping (a change written without its '- '?); write "
                "each change as an item of the list, starting with '- ': `- op: postpone` with its other fields "
                "below it, indented as `op` is (docs/scenarios.md)")
    return message


def _known_ids(problem: Problem | None, earlier: list) -> dict[str, dict[str, str | None]] | None:
    """The ids a change's `actor` and `pool` are checked against, each with its name: the data's organisations
    (and those added by the `earlier` changes of the file) and pools; None where the data is not known."""
    if problem is None:
        return None
    orgs: dict[str, str | None] = {o.id: o.name for o in problem.organisations}
    for raw in earlier:
        added = raw.get("organisation") if isinstance(raw, dict) and raw.get("op") == "add" else None
        if isinstance(added, dict) and isinstance(added.get("id"), str):
            orgs.setdefault(added["id"], added.get("name") if isinstance(added.get("name"), str) else None)
    return {"actor": orgs, "pool": {p.id: p.name for p in problem.waves.pools}}


def _id_told(message: str, raw: dict, known: dict | None, each=None) -> str:
    """A field's "is not an id" said with one of the ids the value is checked against (`known`, where the data
    is known): 'Helse Nord-Trøndelag HF' suggested 'helse-nord-trondelag-hf', which is no organisation's id
    either, and 'primær' 'primaer', which is no pool."""
    for field, ids in (known or {}).items():
        value = raw.get(field)
        head = f"{field}: {value!r} is not an id: "
        if isinstance(value, str) and message.startswith(head):
            advice = id_advice(value, each, known=ids)
            if advice == ID_RULE:  # nothing is like it: what there is (the pools are few)
                advice += (f"; pools: {', '.join(ids)}" if field == "pool"
                           else "; no organisation's id or name is like it")
            return head + advice
    return message


def _real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


#: a percentage written where a number is expected (`factor: 80%`)
_PERCENT = re.compile(r"\s*(?P<value>[0-9]+(?:\.[0-9]+)?)\s*%\s*")


def _pool_capacity(problem: Problem | None, pool: Any, month: Any) -> float | None:
    """The capacity of `pool` in `month` (YYYY-MM; else at the start) in the data a change is read for, or None."""
    if problem is None or not isinstance(pool, str) or pool not in problem.pool:
        return None
    found = problem.pool[pool]
    return found.fte_in(month) if isinstance(month, str) and re.fullmatch(MONTH_PATTERN, month) else found.fte


def _capacity_told(message: str, raw: dict, problem: Problem | None) -> str:
    """A capacity change's `fte` or `factor` that pydantic refused (its words: "Input should be ..."), said
    with what would be right, as the command line's `--capacity` says it: a capacity is what the pool keeps,
    a factor a share of the data's capacity, not a percentage."""
    fte, factor = raw.get("fte"), raw.get("factor")
    share = "or a share of the data's capacity as factor (e.g. factor: 0.8 for 80 %)"
    if message.startswith("fte: Input should be greater than or equal to 0") and _real(fte) and fte < 0:
        cut = -fte
        capacity = _pool_capacity(problem, raw.get("pool"), raw.get("from"))
        month = f" in {raw['from']}" if isinstance(raw.get("from"), str) else ""
        keeps = (f"for {_plain_number(cut)} FTE fewer of its {_plain_number(capacity)}{month} write fte: "
                 f"{_plain_number(round(capacity - cut, 6))}" if capacity is not None and capacity >= cut else
                 f"for {_plain_number(cut)} FTE fewer write the FTE it keeps (e.g. fte: 148 for 20 fewer of 168)")
        return (f"fte: a capacity is not negative ({_plain_number(fte)} FTE); fte is the FTE the pool has from then on, "
                f"not a change: {keeps}, {share}")
    if message.startswith("factor: Input should be less than or equal to") and _real(factor) and factor > 0:
        return (f"factor: {_plain_number(factor)} is more than a factor may be (at most 10); a factor is a share of "
                f"the data's capacity (1 = all of it), not a percentage: for {_plain_number(factor)} % write factor: "
                f"{_plain_number(round(factor / 100, 6))}")
    if message.startswith("factor: Input should be greater than or equal to 0") and _real(factor) and factor < 0:
        cut = -factor
        right = (f"for a {_plain_number(round(cut * 100, 6))} % cut write factor: {_plain_number(round(1 - cut, 6))}"
                 if cut < 1 else f"for {_plain_number(cut)} % fewer write factor: "
                 f"{_plain_number(round((100 - cut) / 100, 6))}" if cut < 100 else "e.g. factor: 0.8 for a 20 % cut")
        return (f"factor: a factor is not negative ({_plain_number(factor)}); factor is the share of the data's "
                f"capacity the pool has from then on, not a change: {right}")
    for name, value in (("factor", factor), ("fte", fte)):
        percent = _PERCENT.fullmatch(value) if isinstance(value, str) else None
        if message.startswith(f"{name}: Input should be a valid number") and percent is not None:
            number = float(percent["value"])
            return (f"{name}: {value!r} is a percentage; a factor is a number, the share of the data's capacity "
                    f"(1 = all of it): for {_plain_number(number)} % write factor: "
                    f"{_plain_number(round(number / 100, 6))}"
                    + ("" if name == "factor" else " in place of fte (fte is the pool's FTE)"))
    return message


def _read_change(doc: YamlDocument, i: int, raw: Any, windows: list[Window] | None = None,
                 problem: Problem | None = None) -> Change:
    path = ("changes", i)
    if not isinstance(raw, dict):
        raise InputError(f"a change is a mapping with `op:` (one of {', '.join(CHANGES)}), found {type(raw).__name__}",
                         doc.where(path))
    op = raw.get("op")
    if op is None:
        raise InputError(f"a change needs `op:`, one of {', '.join(CHANGES)}", doc.where(path))
    if isinstance(op, (list, dict)):  # not hashable: `op not in CHANGES` would raise TypeError
        found = "a list" if isinstance(op, list) else "a mapping"
        raise InputError(f"op: expected one of {', '.join(CHANGES)}, found {found}", doc.where(path + ("op",)))
    if op not in CHANGES:
        raise InputError(f"unknown op {op!r}{did_you_mean(str(op), CHANGES)}; expected one of {', '.join(CHANGES)}",
                         doc.where(path + ("op",)))
    cls = CHANGES[op]
    sub = YamlDocument(doc.file, raw, {p[2:]: line for p, line in doc.lines.items() if p[:2] == path},
                       {p[2:]: text for p, text in doc.written.items() if p[:2] == path},
                       {p[2:]: text for p, text in doc.commented.items() if p[:2] == path})
    try:
        change = validate(cls, sub, _as_read(windows))
    except InputError as error:  # said with the data's ids and figures, where they are known
        known = _known_ids(problem, list(doc.data.get("changes") or [])[:i])
        told = (lambda message: _capacity_told(_id_told(message, raw, known), raw, problem)) if cls is Capacity else (
            lambda message: _id_told(message, raw, known))
        raise _each_told(error, told) from None
    change._typed = True
    for name, field in type(change).model_fields.items():  # nested data: an added organisation, window, rule ...
        key = field.alias or name
        _locate(getattr(change, name), sub, (key,))
    change._at = sub.where(())
    change._written = sub.written
    change._commented = sub.commented
    change._fields = {key: sub.where((key,)) for key in raw}
    for key, value in raw.items():  # `set`'s fields: {users: 500}: the line of users
        if isinstance(value, dict):
            change._fields.update({f"{key}.{name}": sub.where((key, name)) for name in value if isinstance(name, str)})
    if "from" in raw:
        change._fields["from_"] = sub.where(("from",))
    return change


# --------------------------------------------------------------------------------------------------
# applying


def apply_scenarios(problem: Problem, paths: list[Path] | Path | str) -> Problem:
    """The problem with each scenario file applied in order (a new Problem; the base is untouched); one
    file may be given alone. Raises InputError (InputErrors) with `file:line` for anything wrong, and
    TypeError for an argument of the wrong type."""
    checked_problem("apply_scenarios", problem)
    paths = _texts("apply_scenarios", "paths", paths, "a scenario file's path", (str, os.PathLike))
    for path in paths:
        scenario = load_scenario(path, problem.windows, problem)
        problem = apply_scenario(problem, scenario)
    return problem


def apply_scenario(problem: Problem, scenario: Scenario) -> Problem:
    """The problem with one read scenario (`load_scenario`) applied: a new Problem."""
    checked_problem("apply_scenario", problem)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"apply_scenario takes a Scenario (load_scenario(path)), got {type(scenario).__name__}; "
                        "apply_scenarios takes the files")
    draft = _Draft(problem, scenario.file)
    for change in scenario.changes:
        draft.apply(change)
    draft.raise_errors()
    try:
        return draft.problem([AppliedChange(scenario.name, tuple(draft.noted()), scenario.description,
                                            scenario.file)])
    except InputError as error:
        raise _at_the_change(problem, scenario, error) from None


def _at_the_change(problem: Problem, scenario: Scenario, error: InputError) -> InputError:
    """The checks of the changed data failed where the base data was fine: an error that points into
    the base files (`set_planning_date` leaves a preferred window before the new date, say) is told at
    the scenario's change after which it first appears, with the base's place in the message."""
    errors = error.errors if isinstance(error, InputErrors) else [error]
    foreign = [e for e in errors if e.where is None or e.where.file != scenario.file]
    if not foreign:
        return error
    cause: dict[int, Change] = {}
    draft = _Draft(problem, scenario.file)
    for change in scenario.changes:
        draft.apply(change)
        try:
            draft.problem([])
        except InputError as found:
            now = {str(e) for e in (found.errors if isinstance(found, InputErrors) else [found])}
            for e in foreign:
                if str(e) in now:
                    cause.setdefault(id(e), change)
    told = []
    for e in errors:
        change = cause.get(id(e))
        if change is None:
            told.append(e)
            continue
        where = f" ({e.where})" if e.where is not None else ""
        told.append(InputError(f"after this change ({change.op}): {e.message}{where}", change.at))
    return input_errors(told, error.total if isinstance(error, InputErrors) else None)


#: an organisation's dates whose source note the outputs show (check's findings and explain's reasons mark an
#: estimated one `*`): one a scenario moves is its assumption, noted as such (`_Draft.scenario_notes`)
DATE_FIELDS = ("earliest", "latest", "returns")

_QUICK_POSTPONE = re.compile(r"^(?P<id>[^=\s]+)=(?P<date>\d{4}-\d{2}-\d{2})$")
_QUICK_CAPACITY = re.compile(r"^(?P<pool>[^=\s]+)=(?P<value>[0-9]+(?:\.[0-9]+)?)(?P<pct>%)?(?:@(?P<month>\d{4}-\d{2}))?$")
#: a --capacity with a negative figure (`specialist=-5`: perhaps meant as a cut), told as such
_QUICK_NEGATIVE = re.compile(r"^(?P<pool>[^=\s]+)=-(?P<value>[0-9]+(?:\.[0-9]+)?)(?P<pct>%)?(?:@(?P<month>\d{4}-\d{2}))?$")
#: a --postpone whose id is written as a name (`Helse Nord-Trøndelag HF=2025-01-01`, spaces and all)
_QUICK_NAMED = re.compile(r"^(?P<key>[^=]*[^=\s])\s*=\s*(?P<date>\d{4}-\d{2}-\d{2})$")
#: a quick form that is neither of those, as KEY=VALUE: what its value says is told (`orsta=01.01.2026`)
_QUICK_LOOSE = re.compile(r"^(?P<key>[^=\s]+)\s*=\s*(?P<value>\S.*)$")


def apply_quick(problem: Problem, postpone: list[str] | tuple = (), exclude: list[str] | tuple = (),
                capacity: list[str] | tuple = ()) -> Problem:
    """The command line's quick forms, applied after any scenario files:
    `--postpone ID=YYYY-MM-DD` (new earliest date), `--exclude ID` (opts out),
    `--capacity POOL=FTE[@YYYY-MM]` or `POOL=80%[@YYYY-MM]` (from that month on; from the start without @).
    Each a list of such texts, or one text."""
    checked_problem("apply_quick", problem)
    postpone = _texts("apply_quick", "postpone", postpone, "a text ID=YYYY-MM-DD")
    exclude = _texts("apply_quick", "exclude", exclude, "an organisation's id")
    capacity = _texts("apply_quick", "capacity", capacity, "a text POOL=FTE[@YYYY-MM] or POOL=80%[@YYYY-MM]")
    errors: list[InputError] = []
    # the same change given twice (`--exclude meraker --exclude meraker`: a script's list with a repeat) is
    # refused, not taken and listed twice: each is applied once, as written; the repeat is not read again
    given = [(option, text) for option, texts in zip(QUICK_OPTIONS, (postpone, exclude, capacity))
             for text in _once(option, texts, errors)]
    # each read (None where it is malformed: said in `errors`, and nothing is applied), in the order typed
    changes = [_QUICK_READERS[option](problem, text, errors) for option, text in given]
    typed = [(option, text.strip()) for option, text in given]  # each change as typed, beside `changes`
    if not changes and not errors:
        return problem
    draft = _Draft(problem, "command line")
    draft.errors = errors  # report the malformed ones with what the others find
    for change in changes:
        draft.apply(change)
    draft.raise_errors()
    # no errors: each change was applied, in the order typed (`typed` beside `changes`)
    return draft.problem([AppliedChange(COMMAND_LINE, (item,), typed=as_typed)
                          for item, as_typed in zip(draft.noted(), typed, strict=True)])


def _quick_postpone(problem: Problem, text: str, errors: list[InputError]) -> Change | None:
    """`--postpone ID=YYYY-MM-DD`: the change, or None where it is malformed (said in `errors`)."""
    where = Location("--postpone")
    match = _QUICK_POSTPONE.match(text.strip())
    orgs = {o.id: o.name for o in problem.organisations}
    named_form = _QUICK_NAMED.fullmatch(text.strip())
    if not match and named_form is not None and not re.fullmatch(ID_PATTERN, named_form["key"]):
        # `Helse Nord-Trøndelag HF=2025-01-01`: the organisation's name for its id, said with the id it names
        name, day = named_form["key"], named_form["date"]
        exact, near = id_meant(name, orgs, near=False), id_meant(name, orgs)
        said = (f"write {exact}={day}" if exact else f"did you mean {near}={day}?" if near else
                "no organisation's id or name is like it")
        errors.append(InputError(f"{text!r}: expected ID=YYYY-MM-DD, found the name {name!r}, which is no id "
                                 f"({ID_RULE}); {said}", where))
        return None
    if not match:
        loose = _QUICK_LOOSE.match(text.strip())  # `orsta=01.01.2026`: the date written as in the data files
        meant = date_meant(loose["value"]) if loose else None
        ident = loose["key"] if loose else ""  # `Ørsta=01.01.2026`: the id said with the date, not after it
        named = ident if re.fullmatch(ID_PATTERN, ident) else id_meant(ident, orgs, near=False)
        found = (f"the date {loose['value']!r}" + ("" if named == ident else f" and the name {ident!r}")
                 if meant else "")
        errors.append(InputError(f"{text!r}: expected ID=YYYY-MM-DD, " + (
            f"found {found}; write {named}={meant}" if meant and named else
            f"found {found}; write the date as {meant}, and the id: {id_advice(ident)}" if meant else
            "e.g. helse-more-og-romsdal=2024-10-01"), where))
        return None
    return _quick(Postpone, where, errors, text, known=_known_ids(problem, []), actor=match["id"],
                  earliest=match["date"])


def _quick_exclude(problem: Problem, text: str, errors: list[InputError]) -> Change | None:
    """`--exclude ID`: the change, or None where the id is not one (said in `errors`). A name whose id-like
    form is no organisation's either (`ærøy`: 'aeroy') is said with the nearest real id, not that form."""
    ident = text.strip()
    # (a name with an invisible character or a wide letter, or ids joined by a comma: id_advice says what)
    plain = "," not in ident and unicodedata.normalize("NFKC", ident) == ident and not any(
        unicodedata.category(c) == "Cf" for c in ident)
    orgs = {o.id: o.name for o in problem.organisations}
    if not re.fullmatch(ID_PATTERN, ident) and plain and id_meant(ident, orgs, near=False) is None:
        # (a name that names one, 'Helse Nord-Trøndelag HF', is told that one's id below, as a name in a file is)
        near = id_meant(ident, orgs)
        errors.append(InputError(f"{text!r}: not an id ({ID_RULE}), and no organisation's id is "
                                 f"{slug(ident)!r} either" + (f" (did you mean {near!r}?)" if near else ""),
                                 Location("--exclude")))
        return None
    return _quick(Exclude, Location("--exclude"), errors, text, known=_known_ids(problem, []), actor=ident)


def _quick_capacity(problem: Problem, text: str, errors: list[InputError]) -> Change | None:
    """`--capacity POOL=FTE[@YYYY-MM]` or `POOL=80%[@YYYY-MM]`: the change, or None where it is malformed
    (said in `errors`, with the form to write)."""
    where = Location("--capacity")
    match = _QUICK_CAPACITY.match(text.strip())
    negative = _QUICK_NEGATIVE.match(text.strip())
    if negative is not None:  # `specialist=-5`: read as a cut of 5, perhaps; it is the pool's capacity
        unit = "%" if negative["pct"] else " FTE"
        at = f"@{negative['month']}" if negative["month"] else ""
        cut = float(negative["value"])
        pool = next((p for p in problem.waves.pools if p.id == negative["pool"]), None)
        known = pool is not None and not pool.changes and not negative["pct"] and pool.fte >= cut
        keeps = f"{_plain_number(round(pool.fte - cut, 6))}" if known else "FTE"  # 168 FTE less 5: 163
        # its share: of what the pool keeps (72 less 30: 42, 58 %, said as about that where it is not exact); a
        # fixed 80% was read as the same cut
        exact = known and round((pool.fte - cut) * 100 / pool.fte, 6) == round((pool.fte - cut) * 100 / pool.fte)
        share = (f"or its share ({negative['pool']}={_plain_number(100 - cut)}%{at})" if negative["pct"] and cut < 100
                 else f"or {'its' if exact else 'about its'} share ({negative['pool']}="
                 f"{_plain_number(round((pool.fte - cut) * 100 / pool.fte))}%{at})" if known and pool.fte > 0
                 else f"or a share of the data's capacity (e.g. {negative['pool']}=80%{at} for 80 %)")
        errors.append(InputError(
            f"{text!r}: a capacity is not negative (-{negative['value']}{unit}); --capacity gives the pool's "
            f"capacity from then on, not a change: for {negative['value']}{unit} fewer write the FTE it keeps "
            f"({negative['pool']}={keeps}{at}) {share}", where))
        pools = [p.id for p in problem.waves.pools]
        if pool is None and re.fullmatch(ID_PATTERN, negative["pool"]):
            errors.append(InputError(f"{negative['pool']!r} is not a pool{did_you_mean(negative['pool'], pools)}; "
                                     f"pools: {', '.join(pools)}", where))
        return None
    if not match:
        # `primary=57,6@07.2024`: the number and the month written as in the data files; the whole form to
        # write, as --postpone gives it, where each is read (else what is said of the number)
        loose = _QUICK_LOOSE.match(text.strip())
        value = (re.fullmatch(r"(?P<number>[^%@]+?)(?P<pct>%?)(?:@(?P<month>.*))?", loose["value"]) if loose
                 else None)
        said = "e.g. primary=57.6@2024-07 or primary=80%@2024-07"
        if value is not None:
            kind, number, month = "percentage" if value["pct"] else "FTE", value["number"].strip(), value["month"]
            limits = _capacity_limits(bool(value["pct"]))
            read = _number_read(number, whole=False, limits=limits)
            if read is None and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", number):  # as written
                refused = _outside(number, float(number), False, limits)
                read = ([], refused) if refused else ([float(number)], None)
            elif read is None and _exponent(number) is not None and math.isfinite(float(number)):
                # `primary=1e-3`: an exponent, refused as in a scenario file, with its decimal digits
                refused = _outside(number, float(number), False, limits)
                digits = _digits_to_write(number, float(number))
                read = (([], refused) if refused else ([Decimal(number)], "in decimal digits, not as an exponent")
                        if digits == _plain_number(Decimal(number)) else ([], digits))
            month_as = None if month is None else (
                month.strip() if re.fullmatch(MONTH_PATTERN, month.strip()) else month_meant(month))
            wrong = ([f"the {kind} {number!r}"] if read is None or read[1] is not None else []) + (
                [f"the month {month!r}"] if month is not None and month_as != month.strip() else [])
            if read is not None and len(read[0]) == 1 and (month is None or month_as):
                form = (f"{loose['key']}={_plain_number(read[0][0])}{value['pct']}"
                        f"{'@' + month_as if month_as else ''}")
                notes = ([f"the {kind} {read[1]}"] if read[1] is not None else []) + (
                    ["the month as YYYY-MM"] if month is not None and month_as != month.strip() else [])
                said = (f"found {' and '.join(wrong)}; write {form}: {', '.join(notes)}" if wrong else
                        f"write {form}")
            else:  # what is said of each: the number's range, or its two readings; a month not read
                told = ([f"the {kind} {number!r}: write {read[1]}"] if read is not None and read[1] else []) + (
                    [f"the month {month!r}: write a month as YYYY-MM (e.g. 2024-07)"] if month is not None
                    and not month_as else [])
                said = f"found {'; and '.join(told)}" if told else said
        errors.append(InputError(f"{text!r}: expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], {said}",
                                 where))
        return None
    value = float(match["value"])
    _, high = _capacity_limits(bool(match["pct"]))
    if high is not None and value > high:  # said in the form it was written
        most = f"{high:g}%" if match["pct"] else f"{grouped(round(high)) if high == round(high) else high} FTE"
        errors.append(InputError(f"{text!r}: {match['value']}{'%' if match['pct'] else ' FTE'} is more than a "
                                 f"pool may have here: at most {most}", where))
        return None
    fields = {"factor": value / 100} if match["pct"] else {"fte": value}
    fields["from"] = match["month"]  # the field's name in a scenario file, as its error says
    change = _quick(Capacity, where, errors, text, known=_known_ids(problem, []), pool=match["pool"], **fields)
    pools = [pool.id for pool in problem.waves.pools]
    if change is None and match["pool"] not in pools and re.fullmatch(ID_PATTERN, match["pool"]):
        # said with the month's error, not after it is mended (not an id at all: said by _quick)
        errors.append(InputError(f"{match['pool']!r} is not a pool{did_you_mean(match['pool'], pools)}; "
                                 f"pools: {', '.join(pools)}", where))
    return change


#: each quick option -> how its text is read into a change
_QUICK_READERS = {"--postpone": _quick_postpone, "--exclude": _quick_exclude, "--capacity": _quick_capacity}


def _once(option: str, texts: list[str], errors: list[InputError]) -> list[str]:
    """`texts` without their repeats (the same text, spaces around it apart), in their order; an error for
    each value given more than once."""
    seen: dict[str, int] = {}
    for text in texts:
        seen[text.strip()] = seen.get(text.strip(), 0) + 1
    for text, count in seen.items():
        if count > 1:
            times = "twice" if count == 2 else f"{count} times"
            errors.append(InputError(f"{text!r} is given {times}; give each change once (one {option} {text})",
                                     Location(option)))
    kept: list[str] = []
    for text in texts:
        if text.strip() not in (t.strip() for t in kept):
            kept.append(text)
    return kept


def _capacity_limits(percent: bool) -> tuple[float | None, float | None]:
    """The least and largest figure a `--capacity` takes: a capacity change's `fte`, or its `factor` as a
    percentage (a factor of 0.8 is 80%)."""
    low, high = field_limits(Capacity.model_fields["factor" if percent else "fte"])
    scale = 100 if percent else 1
    return (None if low is None else low * scale), (None if high is None else high * scale)


def _texts(function: str, name: str, value: object, one: str, kinds: tuple[type, ...] = (str,)) -> list:
    """An argument that is one `kinds` or a list (or tuple) of them, as a list; else a TypeError that
    names the argument and what it takes."""
    if isinstance(value, kinds):
        return [value]
    takes = f"{function}'s {name} is {one} or a list of them"
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{takes}, got {type(value).__name__} {value!r}")
    for item in value:
        if not isinstance(item, kinds):
            raise TypeError(f"{takes}, got {type(item).__name__} {item!r} in the list")
    return list(value)


def _quick(cls: type[Change], where: Location, errors: list[InputError], text: str, known: dict | None = None,
           **fields) -> Change | None:
    """The change a quick form gives, or None where its fields are refused (said in `errors`, as in a scenario
    file; a name for an id with one of `known`'s ids, `_known_ids`)."""
    data = {"op": cls.model_fields["op"].annotation.__args__[0], **fields}
    try:
        change = cls.model_validate(data)
    except ValidationError as exc:  # worded as in a scenario file (`'ørsta' is not an id: ... did you mean`)
        value = text.strip().partition("=")[2].strip()  # (ids joined by a comma: the option once per id)
        option = (lambda ident: f"{where} {ident}={value}") if value else (lambda ident: f"{where} {ident}")
        messages = "; ".join(_id_told(_explain(cls, YamlDocument(str(where), data), e, option=option).message, data,
                                      known, _each_id(data, (), option))
                             for e in exc.errors())
        errors.append(InputError(f"{text!r}: {messages}", where))
        return None
    change._at = where
    change._typed = True
    return change


class _Draft:
    """Mutable copies of the data's lists while changes are applied; `problem()` makes the new Problem."""

    def __init__(self, base: Problem, file: str):
        self.base = base
        self.file = file
        waves = base.waves
        self.orgs: list[Organisation] = list(base.organisations)
        self.planning_date = waves.planning_date
        self.windows: list[Window] = list(waves.windows)
        self.blackouts: list[Blackout] = list(waves.blackouts)
        self.tracks = list(waves.tracks)
        self.pools = list(waves.pools)
        self.limits: list[Limit] = list(waves.limits)
        self.rules = list(waves.rules)
        # each rule's and limit's number as `index` names it (`Numbering`), from the scenarios before on
        numbers = base.numbers
        self.rule_numbers, self.limit_numbers = list(numbers.rules), list(numbers.limits)
        self.rules_in_file, self.limits_in_file = numbers.rules_in_file, numbers.limits_in_file
        self.removed_rules, self.removed_limits = list(numbers.removed_rules), list(numbers.removed_limits)
        self.removed_windows = dict(base.removed_windows)
        self.done: list[Changed] = []  # each change applied, in words
        self.excluded: dict[str, int] = {}  # an organisation excluded for good -> its entry in `done`
        self.errors: list[InputError] = []

    # ---- lookups ----------------------------------------------------------------------------------

    def org_index(self, ident: str, change: Change, field: str = "actor") -> int:
        for i, o in enumerate(self.orgs):
            if o.id == ident:
                return i
        raise InputError(f"{ident!r} is not an organisation{did_you_mean(ident, [o.id for o in self.orgs])}",
                         change.where(field))

    def window_index(self, ident: str, change: Change, field: str = "window") -> int:
        for i, w in enumerate(self.windows):
            if w.id == ident:
                return i
        near = _windows_near(ident, self.windows)
        raise InputError(f"{ident!r} is not a window"
                         + (near if near is not None else did_you_mean(ident, [w.id for w in self.windows])),
                         change.where(field))

    def future_window(self, ident: str, change: Change, what: str) -> int:
        i = self.window_index(ident, change)
        w = self.windows[i]
        if w.date < self.planning_date:
            raise InputError(f"window {w.id} ({w.date}) is history (before the planning date {self.planning_date}); "
                             f"a scenario cannot {what} it", change.where("window"))
        return i

    # ---- applying ---------------------------------------------------------------------------------

    def apply(self, change: Change | None) -> None:
        if change is None:
            return
        try:
            said = getattr(self, "_" + change.op)(change)  # its words: a text, or texts and the dates it names
            self.done.append(Changed(change.op, said if isinstance(said, tuple) else (said,)))
        except InputErrors as exc:
            self.errors.extend(exc.errors)
        except InputError as exc:
            self.errors.append(exc)

    def raise_errors(self) -> None:
        if self.errors:
            raise input_errors(self.errors)

    def problem(self, applied: list[AppliedChange]) -> Problem:
        waves = self.base.waves.model_copy(update={
            "planning_date": self.planning_date, "windows": self.windows, "blackouts": self.blackouts,
            "tracks": self.tracks, "pools": self.pools, "limits": self.limits, "rules": self.rules,
        })
        result = Problem(
            organisations=self.orgs,
            waves=waves,
            data_dir=self.base.data_dir,
            org_file=self.base.org_file,
            waves_file=self.base.waves_file,
            applied=list(self.base.applied) + applied,
            numbering=Numbering(tuple(self.rule_numbers), tuple(self.limit_numbers), self.rules_in_file,
                                self.limits_in_file, tuple(self.removed_rules), tuple(self.removed_limits)),
            data_pools=self.base.data_pools or dict(self.base.pool),
            removed_windows=self.removed_windows,
        )
        check_references(result)
        return result

    def revalidate(self, org: Organisation, update: dict, change: Change, field: str) -> Organisation:
        """The organisation with `update` (None removes a field), checked as organisations.yaml is."""
        for path, comment in change._commented.items():
            if len(path) == 2 and path[0] == field and update.get(path[1], "") is None:
                # `fields: {name: #1 Ørsta}` removed the name ("missing field 'name'"), where a ' #' hid the value
                raise InputError(f"{org.id}: {path[1]}: set to nothing: in YAML ' #' starts a comment, so {comment!r} "
                                 f"is one, not the value; where it is the value, put it in quotes: "
                                 f"{path[1]}: {quoted(comment)} (to remove the field, write {path[1]}: null)",
                                 change.where(f"{field}.{path[1]}"))
        data = org.model_dump(by_alias=True, exclude_none=True)
        data.update(update)
        data = {k: v for k, v in data.items() if v is not None}
        # the text of the numbers the change wrote, by their path in `update` (`fields: {population: 120.000}`)
        written = {p[1:]: text for p, text in change._written.items() if p[0] == field and len(p) > 1}

        def where(key: object) -> Location | None:
            """The line of a field the change writes (`fields: {users: ...}`: the users line; an exclude's
            `returns:`, a key of the change itself: its line), else of `field`."""
            if key not in update:
                return change.where(field)
            inner = f"{field}.{key}"
            return change.where(key if inner not in change._fields and key in change._fields else inner)

        wrong: list[InputError] = []
        try:  # what a live organisation's go-live contradicts is said below, in the change's terms
            new = Organisation.model_validate(data, context=HISTORY_BY_CALLER)
        except ValidationError as exc:
            as_read = YamlDocument(self.file, data, written=written)
            wrong = [  # worded as for organisations.yaml, at the line of the field in the change
                InputError(f"{org.id}: {_explain(Organisation, as_read, e, _as_read(self.windows)).message}",
                           where(e["loc"][0] if e["loc"] else getattr(e.get("ctx", {}).get("error"), "field", None)))
                for e in exc.errors()]
            # and what else is wrong with the change, said with it: the rest of it checked with the fields
            # pydantic refused as the organisation had them
            beside = validated_beside(Organisation, data, exc.errors(), org.model_dump(by_alias=True, exclude_none=True),
                                      HISTORY_BY_CALLER)
            if beside is None:
                raise InputErrors(wrong) from None
            new, checked = beside[0], beside[1]
            update = {key: value for key, value in update.items() if key in checked and checked[key] is value}
        # as in organisations.yaml, true/false or text is no number (pydantic reads `users: true` as 1 and
        # `population: "2000"` as 2000)
        wrong += [InputError(f"{org.id}: {not_a_number(path, raw, number, written=written.get(path))}", where(path[0]))
                  for path, raw, number in _numbers_written_otherwise(new, update, (), written.get)]
        # a live organisation's earliest, latest or preferred_window that its go-live contradicts: each
        # undone in the change (a `set` that makes it live keeps the bounds the data gave it for its plan)
        wrong += [InputError(f"{org.id}: {broken}; write {name}: null in this {change.op}'s {field}"
                             + ("" if name in update else f" ({name} is given at {org.field_at(name)})"), where(name))
                  for name, broken in self.history_broken(new)]
        if wrong:
            raise InputErrors(sorted(wrong, key=_line))
        # the organisation stays where organisations.yaml has it, and so do the fields the change left
        # alone; a field the change wrote points at the change (`Located.field_at`)
        new._at = org.at
        new._fields_at = dict(org._fields_at) | {key: where(key) for key in update}
        return new

    def history_broken(self, org: Organisation) -> list[tuple[str, str]]:
        """(field, what is wrong) for each of `earliest`, `latest` and `preferred_window` that contradict
        the go-live of `org`, if it is live (`schema.history_bounds`, `loader.history_preference`), among
        the windows as the changes so far leave them."""
        if org.status is not Status.live or org.live_since is None:
            return []
        broken = history_bounds(org)
        if org.preferred_window in {w.id for w in self.windows}:  # (one that is no window: check_references)
            windows = Problem([], self.base.waves.model_copy(update={"windows": self.windows}))
            preference = history_preference(org, windows.history_window_of(org))
            broken += [("preferred_window", preference)] if preference is not None else []
        return broken

    def warn(self, c: Change, field: str, message: str) -> None:
        """A change that is valid but almost surely not what was meant, said on stderr (`DataWarning`) at the
        line of its `field` (on the command line: its option)."""
        at = c.where(field)
        warnings.warn(f"hpplan: warning: {f'{at}: ' if at else ''}{message}", DataWarning, stacklevel=3)

    def replace_org(self, i: int, org: Organisation) -> None:
        self.orgs[i] = org

    def scenario_notes(self, org: Organisation, update: dict) -> dict[str, str]:
        """`org`'s source notes after the change `update` (its new field values, without a `source` of its
        own): a number it gives (`NEEDS_SOURCE`), or a date it moves (`DATE_FIELDS`: a postponed `earliest`),
        is the scenario's assumption, `estimate: scenario FILE`, not the base data's note (a base `fact:`
        date moved would show as that fact); a field it clears (null) loses its note."""
        source = dict(org.source)
        for name in (*Organisation.NEEDS_SOURCE, *DATE_FIELDS):
            if name not in update:
                continue
            if update[name] is None:
                source.pop(name, None)
            elif name in Organisation.NEEDS_SOURCE or update[name] != getattr(org, name):
                source[name] = f"estimate: scenario {Path(self.file).name}"
        return source

    # ---- organisations ----------------------------------------------------------------------------

    def _postpone(self, c: Postpone) -> tuple[str | NamedDate, ...]:
        i = self.org_index(c.actor, c)
        org = self.orgs[i]
        if org.status is Status.live:
            raise InputError(f"{org.id} is live since {org.live_since} (history) and cannot be postponed; "
                             "to replay history use set_planning_date (docs/scenarios.md)", c.where("actor"))
        if not org.is_plannable:
            raise InputError(f"{org.id} is opted out without a return date, so it is not planned; postponing it "
                             "changes nothing (give it a date with exclude: {actor, returns} or set its status)",
                             c.where("actor"))
        old = NamedDate(str(org.earliest), org.is_estimate("earliest")) if org.earliest else NamedDate("none")
        if org.earliest is not None and c.earliest < org.earliest:  # (a typo in a date, often: said, not refused)
            at = c.where("earliest")
            warnings.warn(f"hpplan: warning: {f'{at}: ' if at else ''}postpone {org.id} to {c.earliest} brings it "
                          f"forward: its earliest is {org.earliest}, later; postpone gives a later date. If "
                          f"{org.id} is ready sooner, that is what is planned (a scenario's `op: set` of earliest says it plainly)",
                          DataWarning, stacklevel=2)
        elif org.earliest is not None and c.earliest == org.earliest and c._typed:  # (a typo, likely: said)
            self.warn(c, "earliest", f"postpone {org.id} to {c.earliest} changes nothing: its earliest is "
                      f"{org.earliest} already; postpone gives a later date (a typo in the date?)")
        update = {"earliest": c.earliest}
        new = self.revalidate(org, dict(update, source=self.scenario_notes(org, update)), c, "earliest")
        self.replace_org(i, new)
        return f"postpone {org.id}: earliest ", old, " -> ", NamedDate(str(c.earliest), new.is_estimate("earliest"))

    def _exclude(self, c: Exclude) -> str | tuple[str | NamedDate, ...]:
        i = self.org_index(c.actor, c)
        org = self.orgs[i]
        if org.status is Status.live:
            raise InputError(f"{org.id} is live since {org.live_since} (history) and cannot opt out",
                             c.where("actor"))
        update = {"status": Status.opted_out, "returns": c.returns}
        new = self.revalidate(org, dict(update, source=self.scenario_notes(org, update)), c, "actor")
        self.replace_org(i, new)
        if c.returns is None:  # the note on the rules that need it is written once all changes are in (`noted`)
            self.excluded[org.id] = len(self.done)
        else:
            self.excluded.pop(org.id, None)
        held = ""
        if c.returns is not None and org.earliest is not None and org.earliest > c.returns:
            # the return date lifts no earliest date: said, or "exclude ... until" reads as planned from then
            at = org.field_at("earliest")
            held = (f"; its earliest {org.earliest}{f' ({at})' if at else ''} still holds, later than that: "
                    "set it too to plan it sooner")
        if c.returns is None:
            return f"exclude {org.id} (opts out)"
        return f"exclude {org.id} until ", NamedDate(str(c.returns), new.is_estimate("returns")), held

    def stranded(self, ident: str) -> list[str]:
        """For each rule under which organisations still to be planned cannot go live without `ident`
        (the other members of its `together` rules, those after it in an `order` rule, the `then` of an
        `after_live` rule with it `first`): who, and what to do. Empty when nobody is left waiting (all
        of them excluded too, or removed)."""
        plannable = {o.id for o in self.orgs if o.is_plannable}
        found = []
        for n, rule in zip(self.rule_numbers, self.rules):
            if rule.type == "together" and ident in rule.actors:
                waiting = [a for a in rule.actors if a != ident]
            elif rule.type == "order" and ident in rule.actors[:-1]:
                waiting = rule.actors[rule.actors.index(ident) + 1:]
            elif isinstance(rule, AfterLive) and rule.first == ident:
                waiting = [rule.then]
            else:
                continue
            waiting = [a for a in waiting if a in plannable]
            if waiting:
                which = f"id: {rule.id}" if rule.id else f"index: {n}"
                found.append(f"under {rule.type} rule {rule.id or '#' + str(n)}, {', '.join(waiting)} cannot go live "
                             f"without it: exclude {'it' if len(waiting) == 1 else 'them'} too, or drop the rule "
                             f"(op: remove_rule, {which})")
        return found

    def noted(self) -> list[Changed]:
        """`done`, each exclude for good with a note of the rules that leave others unable to go live
        without it, judged once all changes are in: excluding a whole together group notes nothing."""
        done = list(self.done)
        for ident, i in self.excluded.items():
            org = next((o for o in self.orgs if o.id == ident), None)
            if org is None or org.is_plannable:
                continue  # removed, or brought back, by a later change
            notes = self.stranded(ident)
            if notes:
                done[i] = Changed(done[i].op, (*done[i].words, f" (note: {'; '.join(notes)})"))
        return done

    def _remove(self, c: Remove) -> str:
        i = self.org_index(c.actor, c)
        org = self.orgs[i]
        users = [o.id for o in self.orgs if org.id in (o.municipality, o.part_of)]
        if users:
            notes = self.stranded(org.id)  # excluded, it stays in its rules: said here, not found out later
            raise InputError(f"cannot remove {org.id}: {', '.join(users)} name(s) it as municipality or part_of; "
                             "remove or change them first, or exclude it instead"
                             + (f" (excluded, it stays in its rules: {'; '.join(notes)})" if notes else ""),
                             c.where("actor"))
        del self.orgs[i]
        dropped: list[str] = []
        rules, numbers = [], []
        for n, rule in zip(self.rule_numbers, self.rules):
            label = rule.id or f"#{n}"
            fields = {f for f, a in rule.named() if a == org.id}
            if fields == {"actors"}:  # a list of members: the others keep the rule, if two or more are left
                actors = [a for a in rule.actors if a != org.id]
                if len(actors) < 2:
                    dropped.append(f"{rule.type} {label}")
                    self.removed_rules.append(Removal(n, rule.id, c.at, f"remove {org.id}"))
                    continue
                rule = rule.model_copy(update={"actors": actors})
            elif fields:  # one side of a pair (actor/target, first/then): the rule goes with it
                dropped.append(f"{rule.type} {label}")
                self.removed_rules.append(Removal(n, rule.id, c.at, f"remove {org.id}"))
                continue
            rules.append(rule)
            numbers.append(n)
        self.rules, self.rule_numbers = rules, numbers
        blackouts = []
        for b in self.blackouts:
            if b.actors and org.id in b.actors:
                actors = [a for a in b.actors if a != org.id]
                if not actors and not b.kinds:
                    continue  # a blackout for no one would bar everyone
                b = b.model_copy(update={"actors": actors or None})
            blackouts.append(b)
        self.blackouts = blackouts
        return f"remove {org.id}" + (f" (and rules {', '.join(dropped)})" if dropped else "")

    def _add(self, c: Add) -> str:
        org = c.organisation
        if any(o.id == org.id for o in self.orgs):
            raise InputError(f"{org.id!r} is already an organisation; use `op: set` to change it", c.where("organisation"))
        self.orgs.append(org)
        return f"add {org.id} ({org.kind.value}, {org.status.value})"

    def _set(self, c: SetFields) -> str:
        i = self.org_index(c.actor, c)
        org = self.orgs[i]
        allowed = [f for f in Organisation.model_fields if f not in ("id",)]
        unknown = [k for k in c.fields if k not in allowed]
        if unknown:
            raise InputError(f"set: unknown field {unknown[0]!r}{did_you_mean(unknown[0], allowed)}; "
                             f"allowed: {', '.join(allowed)}", c.where("fields"))
        update = dict(c.fields)
        notes = update.get("source")
        if isinstance(notes, dict) and "all" not in notes:
            # `source` replaces all the notes: a figure it leaves without one was refused as "given without
            # a source note", with no word that the set's own `source` dropped the note it had
            missing = [name for name in Organisation.NEEDS_SOURCE if name not in notes
                       and (update[name] if name in update else getattr(org, name)) is not None]
            if missing:
                before = "; ".join(f"{name}: {org.source[name]!r}" for name in missing if name in org.source)
                error = InputError(
                    f"{org.id}: `source` in a set replaces all of the organisation's source notes, and it has none "
                    f"for {', '.join(missing)}; copy {'its note' if len(missing) == 1 else 'their notes'} into "
                    f"this `source` too" + (f" (before: {before})" if before else ""), c.where("fields.source"))
                # the other fields checked too, as if the notes had been copied (said together, not one by one)
                copied = {name: org.note_for(name) or "estimate: as before" for name in missing}
                try:
                    self.revalidate(org, dict(update, source=copied | notes), c, "fields")
                except InputErrors as others:
                    raise InputErrors(sorted([error, *others.errors], key=_line)) from None
                raise error
        if "source" not in update:
            update["source"] = self.scenario_notes(org, update)
        self.replace_org(i, self.revalidate(org, update, c, "fields"))
        shown = ", ".join(f"{k}={v}" for k, v in c.fields.items() if k != "source")
        return f"set {org.id}: {shown}"

    def _unpin(self, c: Unpin) -> str:
        i = self.org_index(c.actor, c)
        org = self.orgs[i]
        if org.status is not Status.live:
            raise InputError(f"{org.id} is not live (status {org.status.value}); only a live organisation can be unpinned",
                             c.where("actor"))
        unpinned = self._unpinned(org, c.status, c.earliest, c)
        self.replace_org(i, unpinned)
        dropped = (f"; its preferred_window {org.preferred_window} is history, dropped"
                   if unpinned.preferred_window != org.preferred_window else "")
        return f"unpin {org.id} (live since {org.live_since}; now {c.status}{dropped})"

    def _unpinned(self, org: Organisation, status: str, earliest: dt.date | None, c: Change) -> Organisation:
        """`org` to plan again. A preferred window before the planning date (the one it went live in, the only
        one a live organisation may keep) is dropped: that wish was met, and no plan can meet it again."""
        update = {"status": status, "live_since": None}
        if earliest is not None:
            update["earliest"] = earliest
        update["source"] = self.scenario_notes(org, update)
        preferred = next((w for w in self.windows if w.id == org.preferred_window), None)
        if preferred is not None and preferred.date < self.planning_date:
            update["preferred_window"] = None
        return self.revalidate(org, update, c, "actor")

    def _set_planning_date(self, c: SetPlanningDate) -> str:
        old = self.planning_date
        self.planning_date = c.date
        unpinned = []
        if c.unpin:
            for i, org in enumerate(self.orgs):
                if org.status is Status.live and org.live_since >= c.date:
                    earliest = org.live_since if c.earliest_as_history else None
                    self.replace_org(i, self._unpinned(org, "signed", earliest, c))
                    unpinned.append(org.id)
        text = f"planning date {old} -> {c.date}"
        if unpinned:
            text += f", {len(unpinned)} organisations live since then planned again"
            if c.earliest_as_history:
                text += " (no earlier than they went live)"
        return text

    # ---- capacity ---------------------------------------------------------------------------------

    def _capacity(self, c: Capacity) -> str:
        ids = [p.id for p in self.pools]
        if c.pool not in ids:
            raise InputError(f"{c.pool!r} is not a pool{did_you_mean(c.pool, ids)}; pools: {', '.join(ids)}",
                             c.where("pool"))
        i = ids.index(c.pool)
        pool = self.pools[i]
        # `factor` is a share of the data's own capacity in each month (docs/scenarios.md), not of what
        # earlier changes left: two cuts do not compound, a later change wins for its months
        data = self.base.data_pool(c.pool)

        def new(month: str | None) -> float:
            """The capacity the change gives a month in its span (None: the month before any change)."""
            if c.fte is not None:
                return round(c.fte, 3)
            return round((data.fte if month is None else data.fte_in(month)) * c.factor, 3)

        first, last = c.from_, c.to
        after = month_label(parse_month(last) + 1) if last else None

        def inside(month: str) -> bool:
            return (first is None or month >= first) and (last is None or month <= last)

        # the new capacity changes at every month where the pool or the data change, and where the
        # override begins and ends; months before the first change take `fte`. Its figures are the
        # scenario's what-if (noted as an estimate, as a `set` number is); the others keep their notes
        what_if = f"estimate: scenario {Path(self.file).name}"

        def note(month: str) -> dict:
            said = what_if if inside(month) else (pool.change_in(month) or pool).note_for("fte")
            return {"fte": said} if said else {}

        fte = new(None) if first is None else pool.fte
        points = sorted({ch.from_ for ch in (*pool.changes, *data.changes)} | ({first} if first else set())
                        | ({after} if after else set()))
        changes, previous = [], fte
        for month in points:
            value = new(month) if inside(month) else pool.fte_in(month)
            if value != previous:
                change = CapacityChange.model_validate({"from": month, "fte": value, "source": note(month)})
                # inside the change's months it points at the change; after them, where the base states
                # that month's capacity (a change of the data keeps its line, the pool's fte its own)
                change._at = c.at if inside(month) else pool.capacity_at(month) or c.at
                changes.append(change)
                previous = value
        changed = pool.model_copy(update={"fte": fte, "changes": changes,
                                          "source": dict(pool.source, fte=what_if) if first is None else pool.source})
        changed._fields_at = dict(pool._fields_at) | ({"fte": c.at} if first is None else {})
        if c._typed:
            self._capacity_slips(c, pool, changed, points)
        self.pools[i] = changed
        span = f" from {first}" if first else ""
        span += f" to {last}" if last else ""
        if c.fte is not None:
            return f"capacity {pool.id} {c.fte:g} FTE{span}"
        # the FTE it gives, with the data's capacity it is a share of: from the span's first month, and
        # from each month inside it where the data's capacity changes
        steps = [first] + [ch.from_ for ch in sorted(data.changes, key=lambda ch: ch.from_)
                           if inside(ch.from_) and (first is None or ch.from_ > first)]
        said = ", ".join((f"from {month} " if n else "")
                         + f"{new(month):g} FTE ({c.factor:g} x the data's {data.fte_in(month) if month else data.fte:g})"
                         for n, month in enumerate(steps))
        return f"capacity {pool.id} x{c.factor:g}{span}: {said}"

    def _capacity_slips(self, c: Capacity, pool, changed, points: list[str]) -> None:
        """Warnings for a capacity change written as it was almost surely not meant: an `fte` of at most 1 on a
        larger pool (`fte: 0.8` or `primary=0.8` for 80 %: the data then fits no plan, with no word of why),
        and one that leaves the pool's capacity as it was in every month (`factor: 1.0`)."""
        quick = self.file == "command line"
        month = f"@{c.from_}" if c.from_ else ""
        data = self.base.data_pool(c.pool)
        capacity = data.fte_in(c.from_) if c.from_ else data.fte
        if c.fte is not None and 0 < c.fte <= 1 < capacity:
            meant = (f"{c.pool}={_plain_number(round(c.fte * 100, 6))}%{month}" if quick
                     else f"factor: {_plain_number(c.fte)}")
            self.warn(c, "fte", f"capacity {c.pool} {_plain_number(c.fte)} FTE leaves the pool {_plain_number(c.fte)} "
                      f"of its {_plain_number(capacity)} FTE: did you mean {meant} "
                      f"({_plain_number(round(c.fte * 100, 6))} % of the data's capacity)?")
            return
        months = sorted(set(points) | {ch.from_ for ch in (*pool.changes, *changed.changes)})
        if changed.fte == pool.fte and all(changed.fte_in(m) == pool.fte_in(m) for m in months):
            what = f"x{c.factor:g}" if c.factor is not None else f"{_plain_number(c.fte)} FTE"
            self.warn(c, "factor" if c.factor is not None else "fte",
                      f"capacity {c.pool} {what} changes nothing: the pool has that capacity already in those months "
                      "(a typo in the figure?)")

    # ---- windows ----------------------------------------------------------------------------------

    def _add_window(self, c: AddWindow) -> str:
        w = c.window
        if any(x.id == w.id for x in self.windows):
            raise InputError(f"{w.id!r} is already a window; use move_window to change its date", c.where("window"))
        if w.date < self.planning_date:
            raise InputError(f"window {w.id} ({w.date}) is before the planning date {self.planning_date}; "
                             "history windows cannot be added", c.where("window"))
        self.windows.append(w)
        return f"add window {w.id} ({w.date})" + self._past_horizon(w.date)

    def _past_horizon(self, day: dt.date) -> str:
        """A note for a window a change puts past the data's `horizon_end`: the months of its go-lives are
        not checked against capacity (the data's horizon stands; docs/scenarios.md)."""
        end = self.base.waves.horizon_end
        if end is None or f"{day:%Y-%m}" <= f"{end:%Y-%m}":
            return ""
        return (f" (note: after horizon_end {end} in {Path(self.base.waves_file).name}: the load of the months "
                f"after {end:%Y-%m} is not checked against capacity)")

    def _remove_window(self, c: RemoveWindow) -> str:
        i = self.future_window(c.window, c, "remove")
        wid = self.windows[i].id
        del self.windows[i]
        self.removed_windows[wid] = c.where("window")
        self.tracks = [t.model_copy(update={"windows": [w for w in t.windows if w != wid]})
                       if t.windows and wid in t.windows else t for t in self.tracks]
        limits, numbers = [], []
        for n, limit in zip(self.limit_numbers, self.limits):
            if limit.windows and wid in limit.windows:
                rest = [w for w in limit.windows if w != wid]
                if not rest:  # an empty list would mean every window
                    self.removed_limits.append(Removal(n, None, c.at, f"remove_window {wid}"))
                    continue
                limit = limit.model_copy(update={"windows": rest})
            limits.append(limit)
            numbers.append(n)
        self.limits, self.limit_numbers = limits, numbers
        cleared = []
        for j, org in enumerate(self.orgs):
            if org.preferred_window == wid:
                self.replace_org(j, self.revalidate(org, {"preferred_window": None}, c, "window"))
                cleared.append(org.id)
        text = f"remove window {wid}"
        if cleared:
            text += f" (preferred by {len(cleared)}: preference dropped)"
        return text

    def _move_window(self, c: MoveWindow) -> str:
        i = self.future_window(c.window, c, "move")
        w = self.windows[i]
        if c.date < self.planning_date:
            raise InputError(f"{c.date} is before the planning date {self.planning_date}; a window cannot move into history",
                             c.where("date"))
        # its date is the scenario's what-if, not the base data's note (a window dated by a `fact:` moved showed
        # the new date as that fact), as a postponed date is (`scenario_notes`)
        source = dict(w.source) | {"date": f"estimate: scenario {Path(self.file).name}"}
        moved = w.model_copy(update={"date": c.date, "source": source})
        moved._fields_at = dict(w._fields_at) | {"date": c.where("date")}  # its date is the change's now
        self.windows[i] = moved
        return f"move window {w.id}: {w.date} -> {c.date}" + self._past_horizon(c.date)

    # ---- rules, limits, blackouts -----------------------------------------------------------------

    def _add_rule(self, c: AddRule) -> str:
        if c.rule.id and any(r.id == c.rule.id for r in self.rules):
            raise InputError(f"rule id {c.rule.id!r} is already used", c.where("rule"))
        self.rules.append(c.rule)
        self.rule_numbers.append(max(self.rule_numbers + [self.rules_in_file]) + 1)
        return f"add {c.rule.type} rule" + (f" {c.rule.id}" if c.rule.id else f" #{self.rule_numbers[-1]}")

    def _remove_rule(self, c: RemoveRule) -> str:
        if c.id is not None:
            ids = [r.id for r in self.rules if r.id]
            if c.id not in ids:
                # one an earlier change removed is told so (a "did you mean" would name another rule)
                gone = next((r for r in reversed(self.removed_rules) if r.id == c.id), None)
                if gone is not None:
                    raise InputError(gone.told(f"rule {c.id!r}"), c.where("id"))
                raise InputError(f"no rule has id {c.id!r}{did_you_mean(c.id, ids)}", c.where("id"))
            i = next(n for n, r in enumerate(self.rules) if r.id == c.id)
        else:
            i = _place(self.rule_numbers, self.rules_in_file, c, "rule", self.removed_rules)
        rule = self.rules.pop(i)
        number = self.rule_numbers.pop(i)
        self.removed_rules.append(Removal(number, rule.id, c.at, "remove_rule"))
        return f"remove {rule.type} rule {rule.id or '#' + str(number)}"

    def _limit_index(self, c: Change) -> int:
        return _place(self.limit_numbers, self.limits_in_file, c, "limit", self.removed_limits)

    def _add_limit(self, c: AddLimit) -> str:
        self.limits.append(c.limit)
        self.limit_numbers.append(max(self.limit_numbers + [self.limits_in_file]) + 1)
        return f"add limit #{self.limit_numbers[-1]}"

    def _remove_limit(self, c: RemoveLimit) -> str:
        i = self._limit_index(c)
        self.removed_limits.append(Removal(self.limit_numbers[i], None, c.at, "remove_limit"))
        del self.limits[i], self.limit_numbers[i]
        return f"remove limit #{c.index}"

    def _set_limit(self, c: SetLimit) -> str:
        i = self._limit_index(c)
        fields = {k: getattr(c, k) for k in ("max_actors", "max_users", "max_trusts", "windows") if k in c.model_fields_set}
        if fields.get("windows") == []:
            raise InputError("windows: [] would limit no window; leave windows out to limit every window",
                             c.where("windows"))
        data = self.limits[i].model_dump(by_alias=True, exclude_none=True)
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        try:
            limit = Limit.model_validate(data)
        except ValidationError as exc:  # said at the field that is wrong, as the loader says it in waves.yaml
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else None
            said = numbers_grouped(error["msg"].removeprefix("Value error, "))  # (100 000, as every message)
            if field in fields:
                said = f"{field}: {said} (got {error['input']})"
            raise InputError(f"limit #{c.index}: {said}", c.where(field) if field in fields else c.at) from None
        limit._at = c.at
        limit._fields_at = dict(self.limits[i]._fields_at) | {key: c.where(key) for key in fields}
        self.limits[i] = limit
        return f"limit #{c.index}: " + ", ".join(f"{k}={v}" for k, v in fields.items())

    def _add_blackout(self, c: AddBlackout) -> str:
        self.blackouts.append(c.blackout)
        return f"add blackout {c.blackout.from_} to {c.blackout.to}"


def _windows_near(ident: str, windows: list[Window]) -> str | None:
    """For a window id that reads as a month or a date (`2025-05`, no window's id), the windows nearest to it in
    time, as ' (did you mean ...?)': the one in that month (or on that day), else the last before it and the
    first after it (a "did you mean" by spelling proposed 2025-10 for 2025-05, five months off); None where
    `ident` reads as neither."""
    month = re.fullmatch(r"(\d{4})-(\d{2})", ident)
    day = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", ident)
    try:
        if month:
            start = dt.date(int(month[1]), int(month[2]), 1)
            end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1) - dt.timedelta(days=1)
        elif day:
            start = end = dt.date(int(day[1]), int(day[2]), int(day[3]))
        else:
            return None
    except ValueError:  # 2025-13: no month
        return None
    dated = sorted(windows, key=lambda w: w.date)
    inside = [w for w in dated if start <= w.date <= end]
    before = [w for w in dated if w.date < start][-1:]
    after = [w for w in dated if w.date > end][:1]
    near = inside[:1] or before + after
    if not near:
        return None
    named = " or ".join(f"{w.id!r} ({w.date})" for w in near)
    side = "" if inside or len(near) == 1 else f", the windows before and after {ident}"
    return f" (did you mean {named}{side}?)"


def _place(numbers: list[int], in_file: int, c: Change, what: str, removed: list[Removal]) -> int:
    """Where the rule or limit numbered `c.index` (its place in waves.yaml, or after the file's for one
    the scenario added) stands now; InputError when there is none (`removed`: which change removed it)."""
    if c.index in numbers:
        return numbers.index(c.index)
    # one removed is told so, also one a scenario added after the file's: once the last added is gone, it
    # lies past the highest number left ("index 5 is past the last")
    gone = next((r for r in reversed(removed) if r.number == c.index), None)
    if gone is not None or c.index <= max(numbers + [in_file]):
        told = (gone.told(f"{what} #{c.index}") if gone is not None else f"{what} #{c.index} is no longer there: "
                "an earlier change (of this scenario or one applied before it) removed it")
        raise InputError(f"{told} (index counts the {what}s of waves.yaml, 1 = the first)", c.where("index"))
    raise InputError(f"there {'is' if in_file == 1 else 'are'} {in_file} {what}{'' if in_file == 1 else 's'} in "
                     "waves.yaml" + (f" and {max(numbers) - in_file} added" if numbers and max(numbers) > in_file
                                     else "") + f"; index {c.index} is past the last", c.where("index"))


#: the files a data folder holds (`loader.load_problem`)
DATA_FILES = (ORGANISATIONS, WAVES)


@dataclass(frozen=True)
class Base:
    """The data folder a scenario file names as its `base`: the name as written, where it is written,
    and the data folder it names (relative to the working directory, else to the scenario file: the
    first that holds the data files), if any; `bare`: where it names none, the folder it names that
    lacks them (`base: .` beside the scenarios, or a folder with waves.yaml alone), if any."""

    name: str
    at: Location
    folder: Path | None
    bare: Path | None = None

    @property
    def missing(self) -> list[str]:
        """The data files that `bare` lacks (none where there is no such folder)."""
        return [] if self.bare is None else [name for name in DATA_FILES if not (self.bare / name).is_file()]

    @property
    def what(self) -> str:
        """What the name is here, where it names no data folder, said after it (`note: s.yaml was written for
        base 'halfdata', WHAT; applying it to data`): "which is no folder here", or "a folder (halfdata)
        without organisations.yaml, so no data folder"."""
        if self.bare is None:
            return "which is no folder here"
        return f"a folder ({self.bare}) without {' or '.join(self.missing)}, so no data folder"

    def error(self, scenario: Path | str) -> InputError:
        """The error for a `scenario` planned on its base (no --data) that names no data folder, at its
        `base:` line: what is there, and what to write."""
        if self.bare is None:
            found = f"here or beside {scenario}"
        else:
            has = [name for name in DATA_FILES if name not in self.missing]
            lacks = (f"neither {' nor '.join(self.missing)}" if not has else f"{has[0]} but no {self.missing[0]}")
            found = f"(the folder {self.bare} holds {lacks}; a data folder holds {' and '.join(DATA_FILES)})"
        return InputError(f"base: no data folder {self.name!r} {found}; correct the base (the folder that holds "
                          "the data this scenario changes), or give the data with --data DIR", self.at)


def scenario_base(path: Path | str) -> Base:
    """The `base` a scenario file names. Raises InputError when the file cannot be read: that error is
    the one to tell (planning ./data instead said "no such data folder" for a bad date in the file). A
    folder without the data files is no data folder (`Base.bare`): planned, it said "halfdata/
    organisations.yaml: no such file", without the scenario line that named it."""
    doc = _scenario_yaml(path)
    try:
        base = validate(ScenarioHeader, doc).base
    except InputError as error:
        raise _each_told(error, lambda message: _header_told(message, doc.data)) from None
    # normalised (`sc/../data` is `data`: every output names its files), relative where it was written so
    folders = [Path(os.path.normpath(c)) for c in (Path(base), Path(path).parent / base) if c.is_dir()]
    data = next((c for c in folders if all((c / name).is_file() for name in DATA_FILES)), None)
    return Base(base, doc.where(("base",)), data, None if data is not None or not folders else folders[0])


__all__ = ["CHANGES", "Scenario", "apply_quick", "apply_scenario", "apply_scenarios", "load_scenario", "scenario_base"]
