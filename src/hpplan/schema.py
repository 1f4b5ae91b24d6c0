"""The data format: what `organisations.yaml` and `waves.yaml` may say.

Every class here is a pydantic v2 model that rejects unknown fields. These classes describe the data as
a planner writes it; derived facts (window order, months, loads in model units) live in `problem.py`.
Each object remembers where it was written (`at`, a `Location`) so that errors and rule violations can
point at `file:line`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Callable, ClassVar, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import Location, a_or_an, closest, did_you_mean, grouped
from .relations import DifferentWindows, NoLater, Precedes, Relation, SameWindow, preparation_after
from .yamlio import text_problem

if TYPE_CHECKING:
    from .problem import Problem

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _not_a_date(value: object) -> object:
    """A month written as a date (`from: 2025-09-01`, which YAML reads as a date): say which month."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        raise PydanticCustomError("month_date", "a date where a month is expected: write the month as {month} "
                                  "(YYYY-MM)", {"month": f"{value:%Y-%m}"})
    return value


Month = Annotated[str, BeforeValidator(_not_a_date), Field(pattern=MONTH_PATTERN, description="a month as YYYY-MM")]
#: the most FTE a pool (or a capacity change) may have
FTE_MAX = 100_000
#: the largest population an organisation may serve: the largest figure any field of the data allows
POPULATION_MAX = 100_000_000
Fte = Annotated[float, Field(ge=0, le=FTE_MAX, allow_inf_nan=False)]
#: the most windows a waves.yaml may have: weekly windows for 19 years (a PSPLIB J120 instance, a window a
#: period, has at most 745; a national instance some 35); beyond it every check and solve is slow, and
#: `check` in CI ran past its time limit for minutes
MAX_WINDOWS = 1_000
#: the most organisations a limit may count (`max_actors`, `max_trusts`): far above any rollout's (a
#: national one has some 2,000)
COUNT_MAX = 1_000_000


def _in_tenths(value: float) -> float:
    """A load is counted in tenths of an FTE (the model's integers): 0.15 would have to be rounded, up or
    down, and either would change which plans fit; the data says which."""
    tenths = value * 10
    if abs(tenths - round(tenths)) > 1e-6:
        raise PydanticCustomError(
            "fte_tenths", "{found} FTE: loads are counted in tenths of an FTE; give {low} or {high}",
            {"found": f"{value:g}", "low": f"{int(tenths) / 10:g}", "high": f"{(int(tenths) + 1) / 10:g}"})
    return value


#: a load profile's value: FTE in tenths (a pool's capacity may have more decimals: it counts down to
#: the tenth below, which is exact for loads in tenths)
LoadFte = Annotated[Fte, AfterValidator(_in_tenths)]

ID_RULE = "ids are ASCII letters, digits, '-', '_' and '.', the first a letter or digit"


#: the words a display name ends with that its id leaves out: `Helse Nord-Trøndelag HF` is helse-nord-trondelag,
#: `Trondheim kommune` trondheim
NAME_SUFFIXES = frozenset({"hf", "ihf", "rhf", "sf", "as", "asa", "kommune"})


def _folded(text: str) -> str:
    """`text` as an id is written, case, diacritics and punctuation aside: 'Helse Nord-Trøndelag HF' ->
    'helse-nord-trondelag-hf', 'Sør-Varanger' and 'sor_varanger' alike (NFKD: é -> e, a fullwidth ｏ -> o)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return slug(plain)


def _core(folded: str) -> str:
    """A folded name without the words an id leaves out at its end (`NAME_SUFFIXES`): 'helse-nord-trondelag-hf'
    -> 'helse-nord-trondelag'; never empty ('hf' stays 'hf')."""
    parts = folded.split("-")
    while len(parts) > 1 and parts[-1] in NAME_SUFFIXES:
        parts.pop()
    return "-".join(parts)


def id_meant(text: object, known, near: bool = True) -> str | None:
    """The one of `known` ids (a list, or a mapping of id -> display name or None) that `text` means, or None:
    `text` itself where it is one; else the id whose id or name is `text` but for case, diacritics and a suffix
    such as 'HF' or 'kommune' ('Helse Nord-Trøndelag HF' -> helse-nord-trondelag, where the id-like form of the
    name, 'helse-nord-trondelag-hf', is no id); with `near`, else the nearest by spelling (`errors.closest`).
    Only an id of `known` is ever returned: a suggestion the data then refuses sends the reader round twice."""
    if not isinstance(text, str):
        return None
    names = dict(known) if hasattr(known, "items") else {ident: None for ident in known}
    if text in names:
        return text
    plain = "".join(c for c in text if unicodedata.category(c) != "Cf")  # a soft hyphen pasted with it
    folded = _folded(plain)
    if not folded:
        return None
    ids = {ident: _folded(ident) for ident in names if isinstance(ident, str)}
    named = {ident: _folded(name) for ident, name in names.items() if isinstance(ident, str) and isinstance(name, str)}
    for wanted, form in ((folded, lambda f: f), (_core(folded), _core)):
        for found in (ids, named):  # an id before a name, in the order given
            match = next((ident for ident, key in found.items() if key and form(key) == wanted), None)
            if match is not None:
                return match
    if not near:
        return None
    match = closest(_core(folded), list(ids.values())) or closest(folded, list(ids.values()))
    if match is not None:
        return next(ident for ident, key in ids.items() if key == match)
    match = closest(_core(folded), [_core(key) for key in named.values()])
    return next((ident for ident, key in named.items() if _core(key) == match), None) if match else None


def id_advice(text: object, each: Callable[[list[str]], str] | None = None, known=None) -> str:
    """What an id may hold, and the id `text` (a name, say 'Ørsta') most likely meant; where `text` holds what
    no one sees or means in an id, what that is: a soft hyphen or a zero-width space (pasted from Word: left
    out), a fullwidth letter (its ASCII letter), a comma between two ids (one id each, not one id of both).
    `each`: what to write for those ids where `text` was written (in a list: the list with each an item of its
    own; on the command line: the option once per id); None: where one id belongs, one of them. `known`: the
    ids the value is checked against, where known (a list, or a mapping of id -> name: `id_meant`); then only
    one of them is suggested, and none where none is like it (the id-like form of 'Helse Nord-Trøndelag HF',
    helse-nord-trondelag-hf, is no organisation's id)."""
    if not isinstance(text, str):
        return ID_RULE
    unseen = list(dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf"))  # soft hyphen, ...
    wide = list(dict.fromkeys(c for c in text if unicodedata.normalize("NFKC", c) != c
                              and unicodedata.normalize("NFKC", c).isascii()))  # ｏ: a fullwidth o
    plain = "".join(unicodedata.normalize("NFKC", c) if c in wide else c for c in text if c not in unseen)
    why = [f"an invisible {character_name(c)}" for c in unseen]
    if wide:
        first = f"{character_name(wide[0])} for the ASCII {unicodedata.normalize('NFKC', wide[0])!r}"
        why.append(f"a wide form of a letter, {first}" if len(wide) == 1 else
                   f"{len(wide)} wide forms of letters, the first {first}")
    holds = f"{text!r} holds {' and '.join(why)}" if why else ""
    parts = [part.strip() for part in plain.split(",")]  # (a part with a space in it: a name, `Ørsta, Volda kommune`)
    ids = [id_meant(part, known, near=False) if known is not None else part if re.fullmatch(ID_PATTERN, part)
           else slug(part) for part in parts]
    if len(ids) > 1 and all(ids) and not any(re.search(r"\s", part) for part in parts):
        how = each(ids) if each is not None else f"one id only belongs here: write one of them ({' or '.join(ids)})"
        return ID_RULE + f"; {text!r} is {len(ids)} ids separated by a comma{f' ({holds})' if holds else ''}: {how}"
    if known is not None:  # one of the ids it is checked against, or none
        exact = id_meant(plain, known, near=False)
        if holds and exact:
            return ID_RULE + f"; {holds}: write {exact!r}"
        meant = exact or id_meant(plain, known)
        return ID_RULE + (f"; {holds}" if holds else "") + (f"; did you mean {meant!r}?" if meant else "")
    meant = plain if re.fullmatch(ID_PATTERN, plain) else slug(plain)
    if holds and meant:
        return ID_RULE + f"; {holds}: write {meant!r}"
    return ID_RULE + (f"; did you mean {meant!r}?" if meant and meant != text else "")


def character_name(char: str) -> str:
    """A character as a message names it: `soft hyphen (U+00AD)`."""
    return f"{unicodedata.name(char, 'character').lower()} (U+{ord(char):04X})"


def _a_date(value: object) -> dt.date:
    """A date as YAML reads 2024-01-15, or as text in that form. pydantic would also take a number (as
    seconds since 1970: `earliest: 0` was 1970-01-01) and a date with a time of day."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD without a time of day, found {found}; "
                                  "write {meant}", {"found": str(value), "meant": value.date().isoformat()})
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise PydanticCustomError("date_text", "{found} is no date ({problem}); expected YYYY-MM-DD",
                                      {"found": repr(value), "problem": str(exc)}) from None
    if isinstance(value, str):  # 2025-1-5, or 2025-01-15 10:00 (a time YAML does not read as one): the day
        loose = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?P<time>[T ]+\d{1,2}:\d{2}(?::\d{2})?)?", value.strip())
        meant = _day(int(loose[1]), int(loose[2]), int(loose[3])) if loose else None
        if meant is not None:
            timed = " without a time of day" if loose["time"] else ""
            raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD{timed}, found {found}; write {meant}",
                                      {"timed": timed, "found": repr(value), "meant": meant.isoformat()})
        # 01.09.2025, as Norwegians write it: day, month, year
        day_first = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value.strip())
        if day_first:
            meant = _day(int(day_first[3]), int(day_first[2]), int(day_first[1]))
            if meant is not None:
                raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD, found {found}; write {meant}",
                                          {"found": repr(value), "meant": meant.isoformat()})
    if isinstance(value, str) and re.fullmatch(MONTH_PATTERN, value.strip()):  # `earliest: 2025-12`
        raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD, found the month {found}; write a "
                                  "day of that month, e.g. {meant}", {"found": repr(value),
                                                                     "meant": f"{value.strip()}-01"})
    found = (repr(value) if isinstance(value, str) else "a list" if isinstance(value, list) else
             "a mapping" if isinstance(value, dict) else "null" if value is None else str(value).lower())
    raise PydanticCustomError("date_text", "expected a date as YYYY-MM-DD, found {found}", {"found": found})


def date_meant(text: str) -> str | None:
    """The day, as YYYY-MM-DD, that `text` writes otherwise (`01.09.2025`: 2025-09-01; `2025-1-5`; with a time
    of day), as a date field's error says it; None: no such day (a month names none of its days)."""
    try:
        _a_date(text)
    except PydanticCustomError as exc:
        return None if re.fullmatch(MONTH_PATTERN, text.strip()) else (exc.context or {}).get("meant")
    return None


def month_meant(text: str) -> str | None:
    """The month, as YYYY-MM, that `text` writes otherwise (`07.2024`, `7/2024`, `2024-7`, or a day of it:
    `2024-07-01`, `01.07.2024`); None: no such month, or `text` is one as written."""
    text = text.strip()
    if re.fullmatch(MONTH_PATTERN, text):
        return None
    parts = re.fullmatch(r"(?P<month>\d{1,2})[./-](?P<year>\d{4})|(?P<year2>\d{4})[./-](?P<month2>\d{1,2})", text)
    if parts is not None:
        month = int(parts["month"] or parts["month2"])
        return f"{parts['year'] or parts['year2']}-{month:02d}" if 1 <= month <= 12 else None
    day = date_meant(text)
    if day is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and _day(*map(int, text.split("-"))):
        day = text  # a day as written: its month
    return day[:7] if day is not None else None


def _day(year: int, month: int, day: int) -> dt.date | None:
    """The calendar day of `year`, `month`, `day`, or None where there is none (2025-02-30)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


#: a calendar day, written YYYY-MM-DD
Date = Annotated[dt.date, BeforeValidator(_a_date)]


def _window_not_date(value: object) -> object:
    """A window is named by its id; its date (`preferred_window: 2025-10-04`, which YAML reads as a date)
    is said as such, and the loader names the window of that date (`loader._explain`)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        raise PydanticCustomError("window_date", "a date where a window id is expected", {"date": value.isoformat()})
    return value


#: the id of a window in waves.yaml
WindowId = Annotated[Id, BeforeValidator(_window_not_date)]

def _one_line(value: str) -> str:
    """A name is shown on one line (a Gantt row, a window's heading): a line break in it split the row,
    a tab shifted it, and an escaped control character ("\\a" in a quoted string) went into every output."""
    if value and value.splitlines() != [value]:  # a break within, or at its end (`name: |`)
        raise PydanticCustomError("one_line", "a name is one line, and this one has a line break: write it on "
                                  "one line (a `note:` may say more)")
    control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise PydanticCustomError("one_line", "a name has no control characters, and this one has U+{code} (a "
                                  "tab or an escape like \"\\a\" in quotes): write it with letters and spaces",
                                  {"code": f"{ord(control):04X}"})
    problem = text_problem(value, one_line=True)  # a right-to-left override (U+202E): the name shown reversed
    if problem is not None:
        raise PydanticCustomError("one_line", "a name has no control characters, and this one has {problem}: "
                                  "write it with letters and spaces", {"problem": problem})
    return value


#: a name or title shown to people: one line
Name = Annotated[str, AfterValidator(_one_line)]


def _reason_line(value: str) -> str:
    """A reason is shown inside a finding's line (`no go-live from ... (REASON); ...`, a rule's `(REASON)`):
    a line break in it made lines of check's and explain's text, and of the job summary, that read as
    findings of their own; a control character (an escape like "\\e" in quotes) went to the terminal. A
    reason written over several lines (`reason: >` or `|`, whose last line break YAML keeps; a Windows
    `\\r\\n`) is one line, its lines joined by a space, as YAML's folded form reads them."""
    lines = value.splitlines()
    if len(lines) > 1 or value.endswith(("\n", "\r")):
        value = " ".join(line.strip() for line in lines if line.strip())
    problem = text_problem(value, one_line=True)
    if problem is not None:
        raise PydanticCustomError("one_line", "a reason has no control characters, and this one has {problem}: write "
                                  "it with letters and spaces", {"problem": problem})
    return value


def _plain_text(value: str) -> str:
    """A note (of several lines, if need be) holds no control character but the tab and the line break:
    one written as an escape in quotes ("\\e", "\\a", "\\r") went into the outputs as it was. A Windows line
    end (`\\r\\n`, as `yaml.safe_dump` writes a text that has one) is a line break."""
    value = value.replace("\r\n", "\n")
    problem = text_problem(value)
    if problem is not None:
        raise PydanticCustomError("text", "a text has no control characters, and this one has {problem}: remove it",
                                  {"problem": problem})
    return value


#: a reason: one line without control characters (`_reason_line`)
Reason = Annotated[str, AfterValidator(_reason_line)]
#: a free text (a note, a source note): line breaks and tabs, but no other control character (`_plain_text`)
Text = Annotated[str, AfterValidator(_plain_text)]

#: a source note's kind: its prefix and a colon ("fact: seed 004"; `Fact :` is read as `fact:` too, and
#: "factored from ..." is no fact), after which the note says where the value comes from (`_check_sources`)
SOURCE_KIND = re.compile(r"\s*(fact|estimate|inferred)\s*:", re.IGNORECASE)


class Kind(str, Enum):
    health_trust = "health_trust"
    hospital = "hospital"
    municipality = "municipality"
    gp_office = "gp_office"
    lab = "lab"
    other = "other"


class Sector(str, Enum):
    specialist = "specialist"
    primary = "primary"


class Status(str, Enum):
    live = "live"  # live since `live_since`: history, pinned
    planned = "planned"  # expected to join, not yet signed: must be planned
    signed = "signed"  # service agreement signed: must be planned
    optional = "optional"  # may join or stay out (e.g. private GP offices)
    opted_out = "opted_out"  # out; planned from `returns` when that is known


DEFAULT_SECTOR = {
    Kind.health_trust: Sector.specialist,
    Kind.hospital: Sector.specialist,
    Kind.lab: Sector.specialist,
    Kind.municipality: Sector.primary,
    Kind.gp_office: Sector.primary,
}


#: the kinds that are part of no health trust (`part_of` is for hospitals, labs and `other` units, a DPS)
NOT_PART_OF = (Kind.health_trust, Kind.municipality, Kind.gp_office)


class FieldError(ValueError):
    """A check of several fields that one of them fails: the error points at that field's line, not at
    the start of the object (`loader._explain` reads `field`)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Located(BaseModel):
    """A piece of data that knows the file and line it was written on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    _at: Location | None = PrivateAttr(default=None)
    _fields_at: dict[str, Location] = PrivateAttr(default_factory=dict)

    @property
    def at(self) -> Location | None:
        return self._at

    def field_at(self, key: str) -> Location | None:
        """Where one of its fields (as written in the file) is given; else where the object is."""
        return self._fields_at.get(key, self._at)


def _check_sources(source: dict[str, str], allowed: set[str], named: set[str] = frozenset()) -> dict[str, str]:
    """Each note names a field (or `all`) and says its kind; an error is at the note's own line. `allowed`:
    the fields as the file writes them (`from`), said in the message; `named`: other names taken too
    (`from_`, the Python name, which files written before notes took `from` have)."""
    for key, note in source.items():
        if key != "all" and key not in allowed and key not in named:
            raise FieldError(key,
                f"source names unknown field {key!r}{did_you_mean(key, allowed)}; use 'all' or one of: "
                f"{', '.join(sorted(allowed))}"
            )
        wrong = source_note_problem(note)
        if wrong is not None:
            raise FieldError(key, f"source note for {key!r} {wrong}")
    return source


def source_note_problem(note: str) -> str | None:
    """What is wrong with a source note, said after its name (`source note for 'users' ...`), or None: it
    starts with its kind (`fact:`, `estimate:` or `inferred:`; `Fact :` is read as `fact:`) and says
    something after it: `fact:` alone names no source, and is no fact (nor is `fact:` and a character no one
    sees, a zero-width space)."""
    kind = SOURCE_KIND.match(note)
    if not kind:
        return (f"must start with 'fact:', 'estimate:' or 'inferred:' (e.g. 'fact: seed 004' or 'estimate: scaled "
                f"from population'), got {note!r}")
    if not "".join(c for c in note[kind.end():] if unicodedata.category(c) != "Cf").strip():
        return (f"is {note!r}, with nothing after the colon; a note says where the value comes from or how it was "
                f"estimated: write e.g. {_NOTE_EXAMPLE[kind.group(1).lower()]!r}")
    return None


#: a source note of each kind, for a message that asks for one
_NOTE_EXAMPLE = {"fact": "fact: SSB 2024-01-01", "estimate": "estimate: 5.5 % of population",
                 "inferred": "inferred: the track's window"}


class Sourced(Located):
    """Data with a `source` note: field name (or `all`) -> 'fact: ...' / 'estimate: ...' / 'inferred: ...'."""

    source: dict[str, Text] = Field(default_factory=dict)

    #: numeric fields that must carry a source note when they are given
    NEEDS_SOURCE: ClassVar[tuple[str, ...]] = ()

    @field_validator("source")
    @classmethod
    def _valid_source(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_sources(value, {cls.written_name(name) for name in cls.model_fields} - {"source"},
                              set(cls.model_fields) - {"source"})

    @classmethod
    def written_name(cls, key: str) -> str:
        """A field's name as a file writes it: `from` for `from_` (a note may name either)."""
        field = cls.model_fields.get(key)
        return field.alias or key if field is not None else key

    @model_validator(mode="after")
    def _numbers_have_sources(self):
        for name in self.NEEDS_SOURCE:
            if getattr(self, name, None) is not None and name not in self.source and "all" not in self.source:
                raise FieldError(
                    name,
                    f"{name} is given without a source note; add `source: {{{name}: "
                    f"\"estimate: how it was estimated\"}}` (or 'fact: where it is from')"
                )
        return self

    def note_for(self, field: str) -> str | None:
        """The source note of a field: its own, else the entry's `all` note (None: none)."""
        return self.source.get(field, self.source.get("all"))

    def is_estimate(self, field: str) -> bool:
        kind = SOURCE_KIND.match(self.note_for(field) or "")
        return kind is None or kind.group(1).lower() != "fact"


# --------------------------------------------------------------------------------------------------
# organisations.yaml


class Organisation(Sourced):
    id: Id
    name: Name = Field(min_length=1, max_length=200)
    kind: Kind
    sector: Sector | None = None  # defaults from kind; required for kind `other`
    users: int | None = Field(default=None, ge=0, le=10_000_000, description="users to train")
    population: int | None = Field(default=None, ge=0, le=POPULATION_MAX, description="population served")
    municipality: Id | None = None  # the municipality a GP office is located in
    part_of: Id | None = None  # the trust a hospital or lab belongs to
    private: StrictBool | None = None  # GP offices: privately run
    status: Status
    live_since: Date | None = None
    returns: Date | None = None  # opted out: the date it returns, where known
    earliest: Date | None = None
    latest: Date | None = None
    preferred_window: WindowId | None = None
    track: Id | None = None
    load_profile: Id | list[Id] | None = None  # one or more profiles; defaults to the kind's name
    # .inf and .nan are YAML numbers too: refused, as for every number here (a cost of delay of .inf
    # broke compare's sums)
    postponement_cost_per_month: float | None = Field(default=None, ge=0, allow_inf_nan=False,
                                                      description="MNOK per month")
    note: Text | None = None

    NEEDS_SOURCE = ("users", "population", "postponement_cost_per_month", "live_since")

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        if self.sector is None and self.kind not in DEFAULT_SECTOR:
            raise ValueError(f"kind {self.kind.value} needs a sector: specialist or primary")
        if self.status is Status.live and self.live_since is None:
            raise FieldError("status", "status live needs live_since: the date it went live (YYYY-MM-DD)")
        if self.status is not Status.live and self.live_since is not None:
            raise FieldError("live_since", f"live_since is only for status live (status is {self.status.value})")
        if self.returns is not None and self.status is not Status.opted_out:
            raise FieldError("returns", "returns is only for status opted_out")
        if self.earliest and self.latest and self.earliest > self.latest:
            raise FieldError("latest", f"earliest {self.earliest} is after latest {self.latest}")
        broken = [] if info.context == HISTORY_BY_CALLER else history_bounds(self)
        if broken:
            (bound, what), *_ = broken
            raise FieldError(bound, f"{what}; remove {bound} (or, if it has not gone live yet, give status signed or "
                             "planned and remove live_since)")
        if self.kind is Kind.gp_office and self.municipality is None:
            raise ValueError("a gp_office needs municipality: the id of the municipality it is located in")
        if self.municipality is not None and self.kind is not Kind.gp_office:
            raise FieldError("municipality", f"municipality is only for kind gp_office (the municipality it is "
                             f"located in), and this is {a_or_an(self.kind.value)}; remove it")
        if self.part_of is not None and self.kind in NOT_PART_OF:
            raise FieldError("part_of", f"part_of is only for a hospital, lab or other unit of a health trust (the "
                             f"trust it belongs to), and this is {a_or_an(self.kind.value)}; remove it")
        if self.private is not None and self.kind is not Kind.gp_office:
            raise FieldError("private", "private is only for kind gp_office")
        return self

    @property
    def effective_sector(self) -> Sector:
        return self.sector or DEFAULT_SECTOR[self.kind]

    @property
    def profile_ids(self) -> list[str]:
        """The load profiles it charges: those named, else the one named like its kind."""
        if self.load_profile is None:
            return [self.kind.value]
        return [self.load_profile] if isinstance(self.load_profile, str) else list(self.load_profile)

    @property
    def is_plannable(self) -> bool:
        """True when the plan has to place (or may place) this organisation in a window."""
        if self.status is Status.live:
            return False
        if self.status is Status.opted_out:
            return self.returns is not None
        return True

    @property
    def is_mandatory(self) -> bool:
        return self.is_plannable and self.status is not Status.optional


#: the validation context in which an Organisation leaves `history_bounds` to its caller, who says them in
#: its own terms, with the rest of what a live organisation's go-live contradicts (a scenario's `set`)
HISTORY_BY_CALLER = {"history": "checked by the caller"}


def history_bounds(org: Organisation) -> list[tuple[str, str]]:
    """(field, what is wrong) for the `earliest` or `latest` of a live organisation that its live_since
    breaks: a pinned go-live is history, and a bound it breaks is left over from when it was planned."""
    if org.status is not Status.live or org.live_since is None:
        return []
    return [(bound, f"{bound} {day} is {broken} live_since {org.live_since}: a live organisation's go-live is "
                    f"history, and {bound} no longer applies")
            for bound, day, broken in (("earliest", org.earliest, "after"), ("latest", org.latest, "before"))
            if day is not None and (day > org.live_since if broken == "after" else day < org.live_since)]


class OrganisationsFile(Located):
    organisations: list[Organisation] = Field(min_length=1)


# --------------------------------------------------------------------------------------------------
# waves.yaml


class Window(Sourced):
    id: Id
    date: Date  # the go-live night's date (usually a Saturday; not checked)
    name: Name | None = None
    note: Text | None = None


class Blackout(Sourced):
    from_: Date = Field(alias="from")
    to: Date
    reason: Reason = Field(min_length=1)
    # only these kinds / organisations are barred; everyone when both are omitted (an empty list is
    # refused: "none" and "every" would both be readings of it)
    kinds: list[Kind] | None = Field(default=None, min_length=1)
    actors: list[Id] | None = Field(default=None, min_length=1)
    note: Text | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self):
        if self.from_ > self.to:
            raise FieldError("to", f"from {self.from_} is after to {self.to}; swap them (from is the first day "
                             "barred, to the last)")
        return self


class Track(Sourced):
    id: Id
    name: Name | None = None
    # members may go live only in these windows (all when omitted); an empty list is refused, as for a limit
    windows: list[WindowId] | None = Field(default=None, min_length=1)
    note: Text | None = None


class CapacityChange(Sourced):
    from_: Month = Field(alias="from")
    fte: Fte
    note: Text | None = None
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Pool(Sourced):
    id: Id
    name: Name | None = None
    sector: Sector | None = None  # the pool that organisations of this sector load by default
    fte: Fte
    changes: list[CapacityChange] = Field(default_factory=list)
    note: Text | None = None

    NEEDS_SOURCE = ("fte",)

    def change_in(self, month: str) -> CapacityChange | None:
        """The capacity change in force in a month `YYYY-MM`: the last at or before it (None: `fte`)."""
        in_force = [change for change in sorted(self.changes, key=lambda c: c.from_) if change.from_ <= month]
        return in_force[-1] if in_force else None

    def fte_in(self, month: str) -> float:
        """Capacity in a month `YYYY-MM`: the change in force, else `fte`."""
        change = self.change_in(month)
        return change.fte if change is not None else self.fte

    def capacity_at(self, month: str) -> Location | None:
        """Where the capacity in a month `YYYY-MM` is stated: the change in force (the data's, or a
        scenario's), else the pool's `fte`."""
        change = self.change_in(month)
        return change.at if change is not None and change.at else self.field_at("fte")


class LoadProfile(Sourced):
    id: Id
    pool: Id | None = None  # the pool it loads; default: the pool of the organisation's sector
    before: list[LoadFte] = Field(default_factory=list, max_length=60)  # FTE per month, last = month before go-live
    hypercare: list[LoadFte] = Field(default_factory=list, max_length=60)  # FTE per month from the go-live month
    note: Text | None = None


class Limit(Sourced):
    # the windows it applies to (all planned windows when omitted), the kinds it counts (max_actors,
    # max_users; all when omitted); an empty list is refused, as for a blackout
    windows: list[WindowId] | None = Field(default=None, min_length=1)
    kinds: list[Kind] | None = Field(default=None, min_length=1)
    # bounded as every other number here (beyond them a limit limits nothing; past 2^63 - 1 one reached
    # CP-SAT, which takes 64-bit integers, and crashed the solve)
    max_actors: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    max_users: int | None = Field(default=None, ge=0, le=POPULATION_MAX)
    max_trusts: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    note: Text | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.max_actors is None and self.max_users is None and self.max_trusts is None:
            raise ValueError("a limit needs at least one of max_actors, max_users, max_trusts")
        if self.kinds is not None and self.max_actors is None and self.max_users is None:
            # kinds would be read and then ignored: max_trusts counts health trusts whatever `kinds` says
            raise FieldError("kinds", "kinds says whom max_actors and max_users count, and this limit has neither "
                             "(max_trusts counts the health trusts); add max_actors or max_users, or leave kinds out")
        return self


class RuleBase(Sourced):
    id: Id | None = None
    reason: Reason | None = None

    def named(self) -> list[tuple[str, str]]:
        """The organisations this rule names, each with the field that names it, in the rule's order:
        `[("actor", "g1"), ("target", "m1")]`; empty for `with_or_before` with `each` (it names a kind).
        Every rule type says this itself: a type that does not is a programming error, never a guess."""
        raise NotImplementedError(f"rule type {getattr(self, 'type', type(self).__name__)!r} does not say "
                                  "which organisations it names (RuleBase.named)")

    def named_ids(self) -> list[str]:
        """The ids of the organisations this rule names (`named`), in the rule's order."""
        return [ident for _, ident in self.named()]

    def relations(self, problem: Problem) -> list[Relation] | None:
        """What this rule asks of a plan, as relations between organisations (`hpplan.relations`): the one
        translation the CP-SAT model, the flat form's engines, the interval form and symmetry breaking
        read (docs/model.md "Adding a rule type"). None (this default): the type does not reduce to
        them; then it needs a CP-SAT writer of its own (`model.constraints.RULES`), and the engines that
        read only relations do not plan with it (`Flat.unsupported`, `engines.interval.unsupported`)."""
        return None


class WithOrBefore(RuleBase):
    """`actor` goes live in the same window as `target` or earlier; with `each: gp_office`, every
    organisation of that kind with its `municipality`."""

    type: Literal["with_or_before"]
    actor: Id | None = None
    target: Id | None = None
    each: Kind | None = None

    @model_validator(mode="after")
    def _form(self):
        if self.each is None and (self.actor is None or self.target is None):
            raise ValueError("with_or_before needs actor and target, or each: gp_office")
        if self.each is not None and (self.actor is not None or self.target is not None):
            raise ValueError("with_or_before takes either each, or actor and target, not both")
        if self.each is not None and self.each is not Kind.gp_office:
            raise ValueError("each: only gp_office is supported (a GP office with its municipality)")
        return self

    def named(self) -> list[tuple[str, str]]:
        return [(f, a) for f, a in (("actor", self.actor), ("target", self.target)) if a is not None]

    def relations(self, problem: Problem) -> list[Relation]:
        """actor no later than target; with `each: gp_office`, each GP office no later than its
        municipality, for every municipality not live yet (each pair its own constraint group)."""
        if self.each is not None:
            return [NoLater(o.id, o.municipality, instance=o.id) for o in problem.organisations
                    if o.kind is self.each and problem.org[o.municipality].status is not Status.live]
        return [NoLater(self.actor, self.target)]


class Together(RuleBase):
    """All `actors` go live in the same window (or, if all are optional, none of them)."""

    type: Literal["together"]
    actors: list[Id] = Field(min_length=2)

    def named(self) -> list[tuple[str, str]]:
        return [("actors", a) for a in self.actors]

    def relations(self, problem: Problem) -> list[Relation]:
        return [SameWindow(tuple(self.actors))]


class Order(RuleBase):
    """`actors` go live in this order, each at least `min_gap_windows` windows and `min_gap_months`
    months after the one before it."""

    type: Literal["order"]
    actors: list[Id] = Field(min_length=2)
    min_gap_windows: int = Field(default=1, ge=0, le=100)
    min_gap_months: int = Field(default=0, ge=0, le=600)

    def named(self) -> list[tuple[str, str]]:
        return [("actors", a) for a in self.actors]

    def relations(self, problem: Problem) -> list[Relation]:
        """Each actor precedes the next by the gaps."""
        return [Precedes(a, b, self.min_gap_windows, self.min_gap_months) for a, b in zip(self.actors, self.actors[1:])]


class AfterLive(RuleBase):
    """`then`'s preparation (its load profile's `before` months) starts only after `first` is live."""

    type: Literal["after_live"]
    first: Id
    then: Id

    def named(self) -> list[tuple[str, str]]:
        return [("first", self.first), ("then", self.then)]

    def relations(self, problem: Problem) -> list[Relation]:
        return [preparation_after(problem, self.first, self.then)]


class NotSameWindow(RuleBase):
    """No two of `actors` go live in the same window."""

    type: Literal["not_same_window"]
    actors: list[Id] = Field(min_length=2)

    def named(self) -> list[tuple[str, str]]:
        return [("actors", a) for a in self.actors]

    def relations(self, problem: Problem) -> list[Relation]:
        return [DifferentWindows(tuple(self.actors))]


#: every rule class, in the order of docs/rules.md (and of the verifier's findings). A new rule type is
#: registered here, and only here (the file format's `type:` values and `RULE_CLASS` follow):
#: docs/model.md "Adding a rule type"
RULE_CLASSES: tuple[type[RuleBase], ...] = (WithOrBefore, Together, Order, AfterLive, NotSameWindow)
Rule = Annotated[Union[RULE_CLASSES], Field(discriminator="type")]
#: rule type (the `type:` a file writes) -> its class, in the order of `RULE_CLASSES`
RULE_CLASS: dict[str, type[RuleBase]] = {get_args(cls.model_fields["type"].annotation)[0]: cls
                                         for cls in RULE_CLASSES}
RULE_TYPES = tuple(RULE_CLASS)


class ObjectiveWeights(Located):
    """What the plan optimises and the weights of its terms (see docs/model.md).

    kind `population` (default): people onto the platform early, plus preferred windows.
    kind `makespan`: finish the rollout as early as possible (the last month any go-live loads a pool).
    """

    kind: Literal["population", "makespan"] = "population"

    population_weight: int = Field(default=1, ge=0, le=1000)  # per person-month before go-live
    preferred_window_penalty: int = Field(default=20_000, ge=0, le=10**9)  # per window away from preferred
    unscheduled_months: int = Field(default=12, ge=0, le=600)  # months past the horizon an unplanned actor counts as

    #: the weights of kind `population`'s terms: kind `makespan` has one term, and no weight
    POPULATION_WEIGHTS: ClassVar[tuple[str, ...]] = ("population_weight", "preferred_window_penalty",
                                                     "unscheduled_months")

    @model_validator(mode="after")
    def _weights_of_its_kind(self):
        given = [name for name in self.POPULATION_WEIGHTS if name in self.model_fields_set]
        if self.kind == "makespan" and given:
            raise FieldError(given[0], f"{given[0]} weighs a term of kind population, and this objective is kind "
                             "makespan (its one term, no weights); remove it, or write kind: population")
        return self


class WavesFile(Sourced):
    planning_date: Date  # the plan's "as of": windows before it are history
    horizon_end: Date | None = None  # last date the load is checked to; default: the last month any go-live loads
    # re-planning against a baseline plan keeps its go-lives before this date (docs/scenarios.md)
    freeze_until: Date | None = None
    windows: list[Window] = Field(min_length=1)
    blackouts: list[Blackout] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)
    pools: list[Pool] = Field(min_length=1)
    load_profiles: list[LoadProfile] = Field(default_factory=list)
    limits: list[Limit] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    objective: ObjectiveWeights = Field(default_factory=ObjectiveWeights)
    note: Text | None = None

    @field_validator("windows")
    @classmethod
    def _not_too_many(cls, windows: list[Window]) -> list[Window]:
        if len(windows) > MAX_WINDOWS:
            raise ValueError(f"{grouped(len(windows))} windows; at most {grouped(MAX_WINDOWS)} are planned (the model has a choice "
                             "for each organisation and window, and a check of 10 000 windows ran for minutes "
                             "whatever its time limit): keep the windows the rollout may use")
        return windows


def slug(text: str) -> str:
    """A lower-case id from a display name (æ→ae, ø→o, å→a)."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")
