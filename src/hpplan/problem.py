"""The planning problem: validated data plus what follows from it (window order, months, loads).

`Problem` is what the model builder, the renderer and the reports read. The plan verifier
(`verify.py`) deliberately reads only the raw data (`problem.organisations`, `problem.waves`) and
recomputes everything it checks, so that a mistake here cannot hide a broken plan.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from .errors import Location
from .schema import LoadProfile, Organisation, Pool, Sector, Status, WavesFile, Window

#: load is handled in tenths of an FTE inside the model (CP-SAT works on integers)
LOAD_SCALE = 10


def checked_problem(function: str, value: object, first: bool = False) -> None:
    """A TypeError at the call when a library function (`function`) is not given a Problem (a path, a
    plan, the arguments swapped; `first`: it is the first argument), not an AttributeError deep inside."""
    if not isinstance(value, Problem):
        raise TypeError(f"{function} takes a Problem{' first' if first else ''} (hpplan.load_problem(folder)), "
                        f"got {type(value).__name__}")


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


@dataclass(frozen=True)
class Profile:
    """A load profile in model units: `before[i]` for month go-live - len(before) + i, `after[i]` for
    month go-live + i (go-live month is after[0])."""

    id: str
    before: tuple[int, ...]
    after: tuple[int, ...]

    @classmethod
    def from_data(cls, data: LoadProfile) -> "Profile":
        return cls(
            data.id,
            tuple(round(v * LOAD_SCALE) for v in data.before),
            tuple(round(v * LOAD_SCALE) for v in data.hypercare),
        )

    def load_at(self, offset: int) -> int:
        """Load `offset` months after the go-live month (negative: before it)."""
        if offset < 0:
            i = len(self.before) + offset
            return self.before[i] if i >= 0 else 0
        return self.after[offset] if offset < len(self.after) else 0

    @property
    def first_offset(self) -> int:
        return -len(self.before)

    @property
    def last_offset(self) -> int:
        return len(self.after) - 1

    def runs(self) -> list[tuple[int, int, int]]:
        """(first offset, length, load) for each maximal run of equal non-zero load: one interval
        each in the scheduling views (model/scheduling.py, engines/interval.py)."""
        runs: list[tuple[int, int, int]] = []
        offset = self.first_offset
        while offset <= self.last_offset:
            load = self.load_at(offset)
            length = 1
            while offset + length <= self.last_offset and self.load_at(offset + length) == load:
                length += 1
            if load > 0:
                runs.append((offset, length, load))
            offset += length
        return runs


EMPTY_PROFILE = Profile("none", (), ())


@dataclass(frozen=True)
class Removal:
    """A rule or limit a scenario's change removed: its number (as `index` names it), its id (rules), and
    the change that removed it (where, and which op), for a later change that names it again."""

    number: int
    id: str | None
    by: Location | None
    op: str

    def told(self, what: str) -> str:
        """"... is no longer there: an earlier change removed it (remove_rule at s.yaml:4)"."""
        at = f" at {self.by}" if self.by is not None else ""
        return f"{what} is no longer there: an earlier change removed it ({self.op}{at})"


@dataclass(frozen=True)
class Numbering:
    """The number of each rule and limit (in the order of `waves.rules` / `waves.limits`) as a
    scenario's `index` and the messages name it: its place in waves.yaml (1 = the first), kept when
    scenarios remove others before it; those a scenario adds are numbered after the file's. With the
    rules and limits the scenarios removed (`Removal`)."""

    rules: tuple[int, ...]
    limits: tuple[int, ...]
    rules_in_file: int  # how many waves.yaml itself has
    limits_in_file: int
    removed_rules: tuple[Removal, ...] = ()
    removed_limits: tuple[Removal, ...] = ()

    @staticmethod
    def of(waves: WavesFile) -> "Numbering":
        rules, limits = len(waves.rules), len(waves.limits)
        return Numbering(tuple(range(1, rules + 1)), tuple(range(1, limits + 1)), rules, limits)


#: where a change typed on the command line (`--postpone`, `--exclude`, `--capacity`) comes from, as
#: `Problem.applied` says it ("command line: CHANGE")
COMMAND_LINE = "command line"
#: the command line's quick forms, in the order `scenario.apply_quick` applies them (each is its keyword
#: argument without the dashes)
QUICK_OPTIONS = ("--postpone", "--exclude", "--capacity")


@dataclass(frozen=True)
class NamedDate:
    """A date a change names (a postponement's earliest dates, before and after; an exclusion's return), and
    whether it is an estimate by the source note the organisation had for it where the change read or wrote
    it (None: not a date, "none"). `hpplan compare` marks an estimated one `*`."""

    value: str  # as the change says it: YYYY-MM-DD, or "none"
    estimate: bool | None = None

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Changed:
    """One change in words, as a scenario's `[...]` or a command-line entry says it: its `op` (the scenario's
    op; a quick form's is the op it stands for: `--postpone` is `postpone`) and its words, texts and the
    dates it names (`NamedDate`), in order."""

    op: str | None  # None: not known (a change read back from its text)
    words: tuple[str | NamedDate, ...]

    def said(self, date: Callable[[NamedDate], str] = str) -> str:
        """The change in words, each date as `date` shows it (as it is, by default)."""
        return "".join(date(w) if isinstance(w, NamedDate) else w for w in self.words)

    @property
    def dates(self) -> tuple[NamedDate, ...]:
        return tuple(w for w in self.words if isinstance(w, NamedDate))

    def __str__(self) -> str:
        return self.said()


@dataclass(frozen=True, eq=False, repr=False)
class AppliedChange(str):
    """What was applied to the data, one entry of `Problem.applied`: a scenario file's changes (`source`: the
    scenario's name, its file's stem; `file` as given; its `description`) or one change typed on the command
    line (`source` is `COMMAND_LINE`), recorded where it was applied (`scenario.py`). It is its text, as every
    output shows it ("NAME: DESCRIPTION [CHANGE; CHANGE]", "command line: CHANGE"), so that it is written and
    compared as a text (a plan's JSON `applied`); readers take its fields, not the text apart."""

    source: str
    changes: tuple[Changed, ...]
    description: str | None = None  # a scenario file's; None: a change of the command line
    file: str | None = None  # the scenario file as given; None: the command line's, or not known (read back)
    #: an entry known by its text alone (`applied_entry`: a plan file's): that text, kept as it was given
    read_as: str | None = None
    #: a command-line change as typed, (option, value): ("--exclude", "orsta"); a plan's JSON keeps them
    #: (`command_line`) so that the plan's data can be made again (`cli_compare.baseline_data`); None: a
    #: scenario file's, or not known
    typed: tuple[str, str] | None = None

    def __new__(cls, source: str, changes: tuple[Changed, ...], description: str | None = None,
                file: str | None = None, read_as: str | None = None, typed: tuple[str, str] | None = None):
        return super().__new__(cls, read_as if read_as is not None else
                               _applied_text(source, changes, description, str))

    def __getnewargs__(self):  # pickled (a sweep's workers) and copied by its fields, not its text
        return self.source, self.changes, self.description, self.file, self.read_as, self.typed

    @property
    def from_command_line(self) -> bool:
        return self.description is None

    @property
    def name(self) -> str:
        """The one name of what was applied: a scenario by its name (its description may be edited), a
        command-line change by the change itself (`exports.scenarios_named`)."""
        return "; ".join(map(str, self.changes)) if self.from_command_line else self.source

    @property
    def text(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return self.text

    def said(self, date: Callable[[NamedDate], str] = str) -> str:
        """The entry's text with each date it names as `date` shows it (`compare` marks estimated ones `*`)."""
        if self.read_as is not None:
            return self.read_as
        return _applied_text(self.source, self.changes, self.description, date)

    @property
    def dates(self) -> tuple[NamedDate, ...]:
        return tuple(d for c in self.changes for d in c.dates)


def _applied_text(source: str, changes: tuple[Changed, ...], description: str | None,
                  date: Callable[[NamedDate], str]) -> str:
    said = [c.said(date) for c in changes]
    if description is None:
        return f"{source}: {'; '.join(said)}"
    return f"{source}: {description} [{'; '.join(said)}]"


def applied_entry(entry: str, typed: tuple[str, str] | None = None) -> AppliedChange:
    """An entry of `applied` as an `AppliedChange`: as it is, or, given as a text (a plan file's JSON
    `applied`, which keeps texts; a caller's own), read as far as its text tells: "command line: CHANGE" a
    command-line change (`typed`: as it was typed, where the plan file says), else a scenario named up to
    the first ": " (a scenario whose name has ": " in it is told apart only by the entry `scenario.py`
    recorded) with the rest its words, no dates marked."""
    if isinstance(entry, AppliedChange):
        return entry
    source, colon, rest = str(entry).partition(": ")
    if source == COMMAND_LINE and colon:
        return AppliedChange(COMMAND_LINE, (Changed(None, (rest,)),), typed=typed)
    return AppliedChange(source, (Changed(None, (rest,)),), rest, read_as=str(entry))


@dataclass
class Problem:
    organisations: list[Organisation]
    waves: WavesFile
    data_dir: Path | None = None
    org_file: str = "organisations.yaml"
    waves_file: str = "waves.yaml"
    #: the changes applied on top of the data, in order: each scenario file's, then each of the command line's
    #: (`AppliedChange`, recorded by `scenario.py`; a text put here is read by `applied_entry`)
    applied: list[AppliedChange | str] = field(default_factory=list)
    #: rules' and limits' numbers after scenarios (None: waves.yaml's own, 1..n)
    numbering: Numbering | None = None
    #: the pools as the data folder has them, before any scenario's `capacity` change (None: `waves.pools`):
    #: a scenario's `factor` is a share of these, whatever scenarios came before
    data_pools: dict[str, Pool] | None = None
    #: windows the scenarios removed, each with the line of the change that removed it
    removed_windows: dict[str, Location] = field(default_factory=dict)

    def __repr__(self) -> str:
        """One line for a notebook (the dataclass's own repr lists every organisation: 90 KB)."""
        waves = self.waves
        future = sum(1 for w in waves.windows if w.date >= waves.planning_date)
        # each scenario file once (its changes are one entry), and the command line's quick forms once
        names = dict.fromkeys(applied_entry(entry).source for entry in self.applied)
        applied = f", with {', '.join(names)} applied" if names else ""
        return (f"<Problem {self.data_dir if self.data_dir is not None else '(no folder)'}: "
                f"{len(self.organisations)} organisations, {len(waves.windows)} windows ({future} from the "
                f"planning date {waves.planning_date}), {len(waves.pools)} pools, {len(waves.rules)} rules{applied}>")

    # ---- lookups --------------------------------------------------------------------------------

    def data_pool(self, pool_id: str) -> Pool:
        """A pool as the data folder has it (`data_pools`), before the scenarios' capacity changes."""
        given = self.data_pools or {}
        return given[pool_id] if pool_id in given else self.pool[pool_id]

    @cached_property
    def org(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def numbers(self) -> Numbering:
        """Each rule's and limit's number (`Numbering`)."""
        given = self.numbering
        if given is not None and (len(given.rules), len(given.limits)) == (len(self.waves.rules),
                                                                           len(self.waves.limits)):
            return given
        return Numbering.of(self.waves)

    def rule_number(self, index: int) -> int:
        """The number of `waves.rules[index]`: "rule #N" in messages, `index: N` in a scenario."""
        return self.numbers.rules[index]

    def limit_number(self, index: int) -> int:
        """The number of `waves.limits[index]`: "limit #N" in messages, `index: N` in a scenario."""
        return self.numbers.limits[index]

    @cached_property
    def windows(self) -> list[Window]:
        """All windows, by date (then id)."""
        return sorted(self.waves.windows, key=lambda w: (w.date, w.id))

    @cached_property
    def window(self) -> dict[str, Window]:
        return {w.id: w for w in self.waves.windows}

    @property
    def planning_date(self) -> dt.date:
        return self.waves.planning_date

    @cached_property
    def future_windows(self) -> list[Window]:
        """Windows a plan may use: on or after the planning date, by date."""
        return [w for w in self.windows if w.date >= self.planning_date]

    @cached_property
    def history_windows(self) -> list[Window]:
        return [w for w in self.windows if w.date < self.planning_date]

    @cached_property
    def pool_of_sector(self) -> dict[Sector, Pool]:
        return {p.sector: p for p in self.waves.pools if p.sector is not None}

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        return {p.id: Profile.from_data(p) for p in self.waves.load_profiles}

    @cached_property
    def pool(self) -> dict[str, Pool]:
        return {p.id: p for p in self.waves.pools}

    def loads(self, org: Organisation) -> list[tuple[Pool, Profile]]:
        """The pools an organisation loads, each with the profile it loads it by."""
        result = []
        for profile_id in org.profile_ids:
            data = self.profiles.get(profile_id)
            if data is None:
                continue
            source = next(p for p in self.waves.load_profiles if p.id == profile_id)
            pool = self.pool.get(source.pool) if source.pool else self.pool_of_sector.get(org.effective_sector)
            if pool is not None:
                result.append((pool, data))
        return result

    def profile(self, org: Organisation) -> Profile:
        """All of an organisation's load, summed over pools: its preparation and hypercare months."""
        parts = [profile for _, profile in self.loads(org)]
        if not parts:
            return EMPTY_PROFILE
        if len(parts) == 1:
            return parts[0]
        first = min(p.first_offset for p in parts)
        last = max(p.last_offset for p in parts)
        before = tuple(sum(p.load_at(d) for p in parts) for d in range(first, 0))
        after = tuple(sum(p.load_at(d) for p in parts) for d in range(0, last + 1))
        return Profile("+".join(p.id for p in parts), before, after)

    @cached_property
    def plannable(self) -> list[Organisation]:
        """Organisations the plan places (mandatory) or may place (optional), in data order."""
        return [o for o in self.organisations if o.is_plannable]

    @cached_property
    def pinned(self) -> list[Organisation]:
        return [o for o in self.organisations if o.status is Status.live]

    def history_window_of(self, org: Organisation) -> Window | None:
        """The history window a live organisation went live in: the nearest window within 6 days (of two
        as near, the earlier; of two on one date, the first by id, as windows are ordered)."""
        assert org.live_since is not None
        best = min(self.windows, key=lambda w: (abs((w.date - org.live_since).days), w.date, w.id))
        return best if abs((best.date - org.live_since).days) <= 6 else None

    # ---- time -----------------------------------------------------------------------------------

    @property
    def start_month(self) -> int:
        """The first month whose load the plan answers for: the planning date's month."""
        return month_index(self.planning_date)

    @cached_property
    def end_month(self) -> int:
        """The last month whose load is checked."""
        if self.waves.horizon_end is not None:
            return month_index(self.waves.horizon_end)
        last = month_index(self.windows[-1].date)
        longest = max((p.last_offset for p in self.profiles.values()), default=0)
        return last + max(longest, 0)

    @property
    def months(self) -> range:
        return range(self.start_month, self.end_month + 1)

    def capacity(self, pool: Pool, month: int) -> int:
        """A pool's capacity in a month, in model units: the tenths of an FTE it holds, counted down
        (10.15 FTE holds 10.1 of loads, which are in tenths: rounding up would let 10.2 through)."""
        return math.floor(round(pool.fte_in(month_label(month)) * LOAD_SCALE, 6))

    def pinned_load(self, pool: Pool) -> dict[int, int]:
        """The load the live (pinned) organisations put on a pool, month by month over the horizon
        (planning month .. last month), in model units."""
        load = {m: 0 for m in self.months}
        for org in self.pinned:
            live = month_index(org.live_since)
            for pool_of, profile in self.loads(org):
                if pool_of.id == pool.id:
                    for off in range(profile.first_offset, profile.last_offset + 1):
                        if live + off in load:
                            load[live + off] += profile.load_at(off)
        return load

    # ---- sizes ----------------------------------------------------------------------------------

    @staticmethod
    def population(org: Organisation) -> int:
        return org.population or 0

    @staticmethod
    def users(org: Organisation) -> int:
        return org.users or 0

    def describe(self) -> str:
        where = str(self.data_dir) if self.data_dir else "data"
        return f"{where}: {len(self.organisations)} organisations, {len(self.windows)} windows"
