"""The sweep spec file: what to vary and how (docs/sweep.md).

    spec = load_spec("data/sweeps/readiness-risk.yaml")     # format only: InputError with file:line
    context = resolve(spec)                                   # + ids checked against the data

A spec names its `base` data folder (and optionally `scenarios` applied to it first), says in
`description` what it models, and is one of two kinds:

- `grid`: every combination of the `grid` axes (postpone an organisation by a list or range of months;
  a pool's capacity as a list or range of FTE or factors from a month);
- `monte_carlo`: `samples` scenarios, each drawing every organisation's readiness slip (months) from
  the distribution its `risks` entry gives (`discrete`, `triangular`, `poisson`) and, for organisations
  not yet signed, whether signing is delayed (`delay_signing`). Seeded: sample i is a function of
  (spec, seed, i) alone (sample.py).

Every problem is an `InputError` at `file:line`, with a "did you mean" for unknown organisations,
kinds and pools.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from ..errors import InputError, InputErrors, Location, did_you_mean, grouped
from ..loader import flag_fields, load_problem, validate
from ..problem import Problem
from ..schema import FTE_MAX, Date, FieldError, Fte, Id, Kind, Month, Status, source_note_problem
from ..solve import SEED_MAX, TIME_LIMIT_MIN, WORK_LIMIT_NEEDS_CP_SAT, SolveOptions
from ..yamlio import YamlDocument, load_yaml

#: the statuses a risk may select by (`live` organisations are history and never slip)
RiskStatus = Literal["planned", "signed", "optional", "opted_out"]

MAX_SAMPLES = 1_000_000
MAX_GRID = 100_000
MAX_SLIP_MONTHS = 120
MAX_TIME_LIMIT = 86_400  # seconds per solve (at least solve.TIME_LIMIT_MIN, as --time-limit)
#: with `plan: replan`, the base plan's solve gets this many times `time_limit` unless `base_time_limit`
#: says otherwise: it runs once, and every scenario is re-planned from it (docs/sweep.md "Fresh or re-planned")
BASE_TIME_FACTOR = 4

#: a number on a grid axis: no .nan or .inf (refused at its line, as in the data, not when a scenario is built)
Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------------------------------
# distributions of a slip (whole months)


class Triangular(_Strict):
    min: float = Field(ge=0, le=MAX_SLIP_MONTHS)
    mode: float = Field(ge=0, le=MAX_SLIP_MONTHS)
    max: float = Field(ge=0, le=MAX_SLIP_MONTHS)

    @model_validator(mode="after")
    def _ordered(self):
        if not self.min <= self.mode <= self.max:
            raise ValueError(f"triangular needs min <= mode <= max, got min {self.min:g}, mode {self.mode:g}, "
                             f"max {self.max:g}")
        return self


class Poisson(_Strict):
    mean: float = Field(gt=0, le=60)


class Slip(_Strict):
    """A distribution of months: exactly one of `discrete`, `triangular`, `poisson`, `fixed`."""

    discrete: dict[int, float] | None = None  # months -> probability (summing to 1)
    triangular: Triangular | None = None  # drawn, then rounded to whole months (half up)
    poisson: Poisson | None = None
    fixed: int | None = Field(default=None, ge=0, le=MAX_SLIP_MONTHS)  # always this many months

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("discrete", "triangular", "poisson", "fixed") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a slip is exactly one of discrete: {months: probability, ...}, "
                             "triangular: {min, mode, max}, poisson: {mean} or fixed: months"
                             + (f"; found {', '.join(given)}" if given else ""))
        if self.discrete is not None:
            if not self.discrete:
                raise ValueError("discrete needs at least one months: probability pair")
            bad = [k for k in self.discrete if not 0 <= k <= MAX_SLIP_MONTHS]
            if bad:
                raise ValueError(f"discrete: months must be whole months 0..{MAX_SLIP_MONTHS}, got {bad[0]}")
            negative = [k for k, p in self.discrete.items() if p < 0]
            if negative:
                raise ValueError(f"discrete: the probability of {negative[0]} months is negative")
            total = sum(self.discrete.values())
            if abs(total - 1) > 1e-6:
                raise ValueError(f"discrete: the probabilities sum to {total:g}; they must sum to 1")
        return self

    @property
    def varies(self) -> bool:
        if self.fixed is not None:
            return False
        if self.discrete is not None:
            return sum(1 for p in self.discrete.values() if p > 0) > 1
        if self.triangular is not None:
            return self.triangular.min != self.triangular.max
        return True

    def months(self, u: float) -> int:
        """The slip for a uniform draw `u` in [0, 1): the inverse of the distribution function, so that
        a larger `u` never gives fewer months (the same `u` for two specs compares them fairly)."""
        if self.fixed is not None:
            return self.fixed
        if self.discrete is not None:
            cumulative = 0.0
            items = sorted(self.discrete.items())
            for months, p in items:
                cumulative = round(cumulative + p, 12)  # 0.6 + 0.2 + 0.15 is 0.95, not 0.9500000000000001
                if u < cumulative:
                    return months
            return max(m for m, p in items if p > 0)
        if self.triangular is not None:
            a, c, b = self.triangular.min, self.triangular.mode, self.triangular.max
            if a == b:
                x = a
            elif u < (c - a) / (b - a):
                x = a + math.sqrt(u * (b - a) * (c - a))
            else:
                x = b - math.sqrt((1 - u) * (b - a) * (b - c))
            return int(math.floor(x + 0.5))
        mean = self.poisson.mean
        p = math.exp(-mean)
        cumulative, k = p, 0
        while u >= cumulative and k < MAX_SLIP_MONTHS:
            k += 1
            p *= mean / k
            cumulative += p
        return k

    def describe(self) -> str:
        if self.fixed is not None:
            return f"fixed {self.fixed} month{'' if self.fixed == 1 else 's'}"
        if self.discrete is not None:
            return "discrete " + ", ".join(f"{m}: {p:g}" for m, p in sorted(self.discrete.items()))
        if self.triangular is not None:
            t = self.triangular
            return f"triangular min {t.min:g}, mode {t.mode:g}, max {t.max:g}"
        return f"poisson mean {self.poisson.mean:g}"


class DelaySigning(_Strict):
    """An organisation not yet signed delays signing, and so its readiness, by `months`."""

    probability: float = Field(ge=0, le=1)
    months: int = Field(ge=1, le=MAX_SLIP_MONTHS)


class Risk(_Strict):
    """Who (organisations by id, or by kind and status) slips how (a `slip` distribution and/or
    `delay_signing`). `source` says where the numbers come from (all of them are estimates)."""

    actor: Id | None = None
    actors: list[Id] | None = Field(default=None, min_length=1)
    kind: str | None = None
    kinds: list[str] | None = Field(default=None, min_length=1)
    status: list[RiskStatus] | None = Field(default=None, min_length=1)
    slip: Slip | None = None
    delay_signing: DelaySigning | None = None
    source: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        if self.actor is not None and self.actors is not None:
            raise ValueError("give actor (one id) or actors (a list), not both")
        if self.kind is not None and self.kinds is not None:
            raise ValueError("give kind (one) or kinds (a list), not both")
        if self.named and (self.kind or self.kinds or self.status):
            raise ValueError("a risk names organisations (actor/actors) or selects them (kind/kinds, status), "
                             "not both")
        if not self.named and not (self.kind or self.kinds or self.status):
            raise ValueError("a risk needs actor/actors, or kind/kinds and/or status, to say whom it applies to")
        if self.slip is None and self.delay_signing is None:
            raise ValueError("a risk needs slip (a distribution of months) and/or delay_signing")
        wrong = source_note_problem(self.source)  # (as the data's notes: a kind, and something after its colon)
        if wrong is not None:
            raise ValueError(f"source {wrong} (risk distributions are estimates: say how they were estimated)")
        return self

    @property
    def named(self) -> list[str]:
        return [self.actor] if self.actor else list(self.actors or [])

    @property
    def kind_list(self) -> list[str]:
        return [self.kind] if self.kind else list(self.kinds or [])


# --------------------------------------------------------------------------------------------------
# grid axes


class Range(_Strict):
    """`{from: 0, to: 12, step: 3}`: 0, 3, 6, 9, 12 (both ends included when the steps reach them)."""

    from_: Finite = Field(alias="from")
    to: Finite
    step: Finite = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.to < self.from_:
            raise ValueError(f"to {self.to:g} is below from {self.from_:g}")
        if (self.to - self.from_) / self.step > MAX_GRID:
            raise ValueError(f"more than {MAX_GRID} values; use a larger step")
        return self

    def values(self) -> list[float]:
        n = int(math.floor((self.to - self.from_) / self.step + 1e-9))
        return [round(self.from_ + i * self.step, 6) for i in range(n + 1)]


def _values(given: list[float] | Range, whole: bool, what: str) -> list[float]:
    values = given.values() if isinstance(given, Range) else list(given)
    if whole and any(v != int(v) for v in values):
        raise ValueError(f"{what} are whole months; got {next(v for v in values if v != int(v)):g}")
    if len(set(values)) != len(values):
        raise ValueError(f"{what}: a value is listed twice")
    return [int(v) if whole else v for v in values]


class PostponeAxis(_Strict):
    """Postpone an organisation's readiness by each of `months` (0 = as in the data)."""

    actor: Id
    months: list[Finite] | Range  # whole months (checked below, with a clearer message than a type error)
    note: str | None = None

    @field_validator("months")
    @classmethod
    def _months(cls, value):
        values = _values(value, True, "months")
        if not values:
            raise ValueError("months needs at least one value")
        if any(v < 0 or v > MAX_SLIP_MONTHS for v in values):
            raise ValueError(f"months must be 0..{MAX_SLIP_MONTHS}")
        return value

    def points(self) -> list[int]:
        return _values(self.months, True, "months")


class CapacityAxis(_Strict):
    """A pool's capacity from a month (to a month), at each of `fte` (absolute) or `factor` (of the
    base capacity)."""

    pool: Id
    fte: list[Fte] | Range | None = None  # each value as a pool's fte in the data (schema.Fte)
    factor: list[Finite] | Range | None = None
    from_: Month | None = Field(default=None, alias="from")
    to: Month | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.fte is None) == (self.factor is None):
            raise ValueError("a capacity axis needs exactly one of fte (a list or range of FTE) or factor "
                             "(of the base capacity, e.g. [0.8, 1.0, 1.2])")
        values = self.points()
        if not values:
            raise ValueError("a capacity axis needs at least one value")
        if any(v < 0 for v in values) or any(v > (10 if self.factor is not None else FTE_MAX) for v in values):
            raise ValueError(f"capacity values must be >= 0 (FTE at most {grouped(FTE_MAX)}, factors at most 10)")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(f"to {self.to} is before from {self.from_}")
        return self

    def points(self) -> list[float]:
        return _values(self.fte if self.fte is not None else self.factor, False, "capacity values")


class Axis(_Strict):
    postpone: PostponeAxis | None = None
    capacity: CapacityAxis | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.postpone is None) == (self.capacity is None):
            raise ValueError("a grid axis is exactly one of postpone: {actor, months} or "
                             "capacity: {pool, fte | factor, from}")
        return self

    @property
    def label(self) -> str:
        if self.postpone is not None:
            return f"postpone {self.postpone.actor} (months)"
        c = self.capacity
        # a factor is of the data's own capacity, not of what the spec's `scenarios` left (scenario.py)
        unit = "FTE" if c.fte is not None else "x the data's capacity"
        span = f" from {c.from_}" if c.from_ else ""
        span += f" to {c.to}" if c.to else ""
        return f"capacity {c.pool} ({unit}{span})"

    def points(self) -> list[float]:
        return self.postpone.points() if self.postpone is not None else self.capacity.points()


# --------------------------------------------------------------------------------------------------
# the file


class SweepSpec(_Strict):
    base: str = Field(min_length=1, description="the data folder, e.g. data")
    description: str = Field(min_length=1)
    kind: Literal["grid", "monte_carlo"]
    scenarios: list[str] = Field(default_factory=list)  # scenario files applied to the base first
    samples: int | None = Field(default=None, ge=1, le=MAX_SAMPLES)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    live_by: list[Date] = Field(default_factory=list)  # YYYY-MM-DD, as in the data (no number)
    time_limit: float = 30.0  # seconds per solve, TIME_LIMIT_MIN to MAX_TIME_LIMIT (checked below)
    #: seconds for the base plan's solve (None: `base_seconds`' default), in the range of time_limit
    base_time_limit: float | None = None
    work_limit: float | None = Field(default=None, gt=0, allow_inf_nan=False)  # CP-SAT deterministic seconds per solve
    gap: float = Field(default=0.0, ge=0, le=100)  # percent: a solve ends at a plan proven this close to its bound
    engine: Literal["auto", "cp-sat", "highs"] = "auto"  # as `hpplan solve --engine`
    workers: int = Field(default=1, ge=1, le=64)  # solver threads per solve
    solver_seed: int = Field(default=0, ge=0, le=SEED_MAX)  # as `hpplan solve --seed`: the solvers' seeds are 32-bit
    explain_failures: StrictBool = True  # an infeasible scenario's reason: the conflict (explain.py); 1 is no flag
    #: how each scenario is planned: `fresh`, from scratch (the best plan for that future); `replan`, as a
    #: re-plan of the base plan (the change planned around, the rest kept: `hpplan solve --baseline`)
    plan: Literal["fresh", "replan"] = "fresh"
    risks: list[Risk] = Field(default_factory=list)
    grid: list[Axis] = Field(default_factory=list)
    note: str | None = None

    @field_validator("time_limit", "base_time_limit")
    @classmethod
    def _time_limit(cls, value: float | None, info) -> float | None:
        """The range of `--time-limit` (hpplan solve's and the sweep's own): what the command line refuses is
        refused in the spec too, at its line (0.01 ran a sweep of plans cut short by the clock)."""
        if value is not None and not (TIME_LIMIT_MIN <= value <= MAX_TIME_LIMIT and math.isfinite(value)):
            what = "per solve" if info.field_name == "time_limit" else "for the base plan's solve"
            raise ValueError(f"{info.field_name} is seconds {what}, {TIME_LIMIT_MIN:g} to {grouped(MAX_TIME_LIMIT)} "
                             f"(as --time-limit), got {value:g}")
        return value

    @model_validator(mode="after")
    def _solver(self):
        """What `hpplan solve` refuses as bad usage is refused at the spec's line as the spec is read, not
        by the base plan's solve once the sweep has started (that said "the base data has no plan")."""
        if self.engine == "highs" and self.work_limit is not None:
            raise FieldError("work_limit", f"engine highs with work_limit: {WORK_LIMIT_NEEDS_CP_SAT}")
        return self

    @model_validator(mode="after")
    def _kind(self):
        # said at the key that does not fit the kind (one that is missing: at `kind:`)
        if self.kind == "monte_carlo":
            if self.grid:
                raise FieldError("grid", "grid axes are for kind grid; a monte_carlo sweep draws from risks")
            if self.samples is None:
                raise FieldError("kind", "kind monte_carlo needs samples: how many scenarios to draw")
            if not self.risks:
                raise FieldError("risks" if "risks" in self.model_fields_set else "kind",
                                 "kind monte_carlo needs risks: whose readiness slips, and how")
        else:
            if self.risks:
                raise FieldError("risks", "risks are for kind monte_carlo; a grid sweep has grid axes")
            if self.samples is not None:
                raise FieldError("samples", "samples is for kind monte_carlo; a grid runs every combination of its "
                                 "axes")
            if not self.grid:
                raise FieldError("grid" if "grid" in self.model_fields_set else "kind",
                                 "kind grid needs grid: a list of axes (postpone or capacity)")
            size = math.prod(len(a.points()) for a in self.grid)
            if size > MAX_GRID:
                raise FieldError("grid", f"the grid has {size} points; at most {MAX_GRID}")
        return self

    @property
    def size(self) -> int:
        """How many scenarios the sweep has."""
        if self.kind == "monte_carlo":
            return self.samples
        return math.prod(len(a.points()) for a in self.grid)

    @property
    def base_seconds(self) -> float:
        """The base plan's time limit: `base_time_limit`, or by default with `plan: replan` BASE_TIME_FACTOR
        times `time_limit` (the base runs once, and every scenario is re-planned from it), with `plan: fresh`
        `time_limit` (each scenario is planned from scratch in that time: a base plan given more would make
        their shortfall look like delay)."""
        if self.base_time_limit is not None:
            return self.base_time_limit
        if self.plan == "replan":
            return min(MAX_TIME_LIMIT, BASE_TIME_FACTOR * self.time_limit)
        return self.time_limit

    def options(self, base: bool = False) -> SolveOptions:
        """The solve's options: a scenario's, or the base plan's (`base`: its own time limit, `base_seconds`)."""
        return SolveOptions(time_limit=self.base_seconds if base else self.time_limit, seed=self.solver_seed,
                            workers=self.workers, work_limit=self.work_limit, gap=self.gap / 100, engine=self.engine)

    @property
    def threads(self) -> int:
        """The threads one scenario's solve runs on: CP-SAT's `workers`, and with `engine: auto` HiGHS racing
        it on a thread of its own (`RACE_THREADS` engines, taken out of `workers` beyond the first:
        solve.py); `engine: highs` the race's threads. A re-plan (`plan: replan`) and a `work_limit` leave
        CP-SAT alone (portfolio.engines_for), on `workers` threads. The base plan is solved as `plan: fresh`."""
        from ..portfolio import RACE_THREADS

        if self.plan == "replan" or self.work_limit is not None or self.engine == "cp-sat":
            return self.workers
        if self.engine == "highs":
            return RACE_THREADS
        return max(self.workers, RACE_THREADS)


@dataclass
class LoadedSpec:
    spec: SweepSpec
    doc: YamlDocument
    path: Path

    @property
    def file(self) -> str:
        return self.doc.file

    def where(self, *path) -> Location:
        return self.doc.where(tuple(path))


def load_spec(path: Path | str) -> LoadedSpec:
    """Read and check a spec file's format. InputError(s) with file:line."""
    doc = load_yaml(Path(path), str(path), flag_fields(SweepSpec))
    spec = validate(SweepSpec, doc)
    return LoadedSpec(spec, doc, Path(path))


# --------------------------------------------------------------------------------------------------
# resolving against the data


@dataclass(frozen=True)
class ActorRisk:
    """What may happen to one organisation in a Monte Carlo sweep."""

    id: str
    readiness: dt.date  # its earliest go-live in the (scenario-changed) base data; slips count from it
    slip: Slip | None
    signing: DelaySigning | None
    line: int | None  # the risk entry that applies (for messages)


@dataclass
class SweepContext:
    """Everything a task needs to run one scenario; sent once to every worker (pickled)."""

    spec: SweepSpec
    file: str  # the spec file as given
    problem: Problem  # the base data with the spec's scenarios applied
    data: str  # the data folder, as given
    scenario_files: list[str] = field(default_factory=list)  # the spec's scenarios, as found from here
    actors: list[ActorRisk] = field(default_factory=list)  # monte carlo, in data order
    axis_lines: list[int | None] = field(default_factory=list)  # grid: the line of each axis
    base: dict | None = None  # the base plan's record (set once it is solved)

    @property
    def size(self) -> int:
        return self.spec.size

    def digest(self) -> str:
        """A hash of everything the results depend on: the spec (less samples, description, live_by and
        notes, which results do not depend on), the data after scenarios, and the hpplan version. A
        results file from other inputs is not resumed."""
        from .. import __version__

        spec = self.spec.model_dump(mode="json", by_alias=True,
                                    exclude={"samples", "description", "live_by", "note", "base", "scenarios"})
        for risk in spec.get("risks", []):
            risk.pop("source", None)
        if spec.get("plan") == "fresh":  # the default, as before the key: a results file made then is resumed
            del spec["plan"]
        if spec.get("base_time_limit") is None:  # the default (before the key: a file made then is resumed)
            spec.pop("base_time_limit", None)
        spec = _without_notes(spec)
        data = {
            "format": 1,
            "hpplan": __version__,
            "spec": spec,
            "organisations": [o.model_dump(mode="json", by_alias=True, exclude={"note", "source"})
                              for o in self.problem.organisations],
            "waves": self.problem.waves.model_dump(mode="json", by_alias=True),
        }
        if _has_factor(spec):
            # a capacity factor was of what earlier changes left before it became a share of the data's own
            # capacity (the same spec and data gave other figures): results made before are not resumed
            data["capacity_factor"] = "of the data's capacity"
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _has_factor(value) -> bool:
    """Whether a spec (as JSON) gives a capacity `factor` anywhere."""
    if isinstance(value, dict):
        return value.get("factor") is not None or any(_has_factor(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_factor(v) for v in value)
    return False


def _without_notes(value):
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if k != "note"}
    if isinstance(value, list):
        return [_without_notes(v) for v in value]
    return value


def data_folder(loaded: LoadedSpec, override: Path | None) -> Path:
    """--data, else the spec's `base` (relative to the working folder, else to the spec's folder): the first
    of those that holds the data files. A base that names no such folder is the spec's error at its `base:`
    line, as a scenario's is (`scenario.Base.error`): what is there (no folder, or a folder without
    organisations.yaml, `base: .` beside the spec or a folder with waves.yaml alone) and what to write;
    planned, such a folder said "halfdata/organisations.yaml: no such file" without the line that named it."""
    from ..scenario import DATA_FILES

    if override is not None:
        return override
    base = loaded.spec.base
    folders = [c for c in (Path(base), loaded.path.parent / base) if c.is_dir()]
    data = next((c for c in folders if all((c / name).is_file() for name in DATA_FILES)), None)
    if data is not None:
        return data
    if not folders:
        found = f"here or beside {loaded.file}"
    else:
        bare = folders[0]
        missing = [name for name in DATA_FILES if not (bare / name).is_file()]
        has = [name for name in DATA_FILES if name not in missing]
        lacks = f"neither {' nor '.join(missing)}" if not has else f"{has[0]} but no {missing[0]}"
        found = f"(the folder {bare} holds {lacks}; a data folder holds {' and '.join(DATA_FILES)})"
    raise InputError(f"base: no data folder {base!r} {found}; correct the base (the folder that holds the data the "
                     "sweep plans, relative to the working folder or to the spec), or give the data with --data DIR",
                     loaded.where("base"))


def _scenario_path(loaded: LoadedSpec, index: int) -> Path:
    """The spec's scenario file number `index` (relative to the working folder, else to the spec's
    folder); a file in neither is the spec's error, at its line."""
    text = loaded.spec.scenarios[index]
    for candidate in (Path(text), loaded.path.parent / text):
        if candidate.is_file():
            return candidate
    raise InputError(f"scenario file {text!r} not found (looked in the working folder and next to the spec)",
                     loaded.where("scenarios", index))


def resolve(loaded: LoadedSpec | Path | str, data: Path | str | None = None) -> SweepContext:
    """The sweep's context: the base data (with the spec's scenarios), and every id the spec names
    checked against it. InputError(s) with file:line and did-you-mean. `loaded`: `load_spec(path)`, or
    the spec file's path (read by `load_spec`); `data`: the data folder instead of the spec's `base`."""
    from ..scenario import apply_scenarios

    if isinstance(loaded, (str, Path)):
        loaded = load_spec(loaded)
    if not isinstance(loaded, LoadedSpec):
        raise TypeError("resolve takes the spec as load_spec(path) or the spec file's path (str or Path), "
                        f"got {type(loaded).__name__}")
    if data is not None and not isinstance(data, (str, Path)):
        raise TypeError(f"resolve takes data as a data folder's path (str or Path) or None, got {type(data).__name__}")
    if data == "":  # (a Path of '' is '.') not the working folder: refused as load_problem('') refuses it
        raise InputError("empty path; give the data folder, the one that holds organisations.yaml and waves.yaml "
                         "(\".\" for the working folder), or None for the spec's base", "resolve: data")
    data = Path(data) if data is not None else None
    spec = loaded.spec
    folder = data_folder(loaded, data)
    problem = load_problem(folder)
    scenario_files = [_scenario_path(loaded, i) for i in range(len(spec.scenarios))]
    if scenario_files:
        problem = apply_scenarios(problem, scenario_files)
    context = SweepContext(spec=spec, file=loaded.file, problem=problem, data=str(folder),
                           scenario_files=[str(path) for path in scenario_files])
    errors: list[InputError] = []
    if spec.kind == "monte_carlo":
        context.actors = _actor_risks(loaded, problem, errors)
    else:
        context.axis_lines = [loaded.doc.line_of(("grid", i)) for i in range(len(spec.grid))]
        _check_axes(loaded, problem, errors)
    last = problem.future_windows[-1].date if problem.future_windows else None
    for i, day in enumerate(spec.live_by):
        if day < problem.planning_date:
            errors.append(InputError(f"live_by {day} is before the planning date {problem.planning_date}",
                                     loaded.where("live_by", i)))
        elif last is not None and day > dt.date(last.year + 5, 12, 31):
            errors.append(InputError(f"live_by {day} is years after the last window ({last})",
                                     loaded.where("live_by", i)))
    if errors:
        raise InputErrors(errors) if len(errors) > 1 else errors[0]
    return context


def readiness(problem: Problem, org) -> dt.date:
    """The earliest date an organisation may go live in the data: its `earliest`, its `returns` (opted
    out) or the planning date, whichever is latest. Slips and postponements count from it."""
    dates = [d for d in (org.earliest, org.returns) if d is not None]
    return max(dates + [problem.planning_date])


def _actor_risks(loaded: LoadedSpec, problem: Problem, errors: list[InputError]) -> list[ActorRisk]:
    kinds = [k.value for k in Kind]
    slips: dict[str, tuple[int, int]] = {}  # id -> (specificity, entry index) of the slip that applies
    signings: dict[str, tuple[int, int]] = {}
    for i, risk in enumerate(loaded.spec.risks):
        chosen: list[str] = []
        for j, ident in enumerate(risk.named):
            where = loaded.where("risks", i, "actor") if risk.actor else loaded.where("risks", i, "actors", j)
            org = problem.org.get(ident)
            if org is None:
                errors.append(InputError(f"{ident!r} is not an organisation{did_you_mean(ident, problem.org)}", where))
            elif org.status.value == "live":
                errors.append(InputError(f"{ident} is live since {org.live_since} (history); it cannot slip", where))
            elif not org.is_plannable:
                errors.append(InputError(f"{ident} is opted out without a return date, so it is not planned and "
                                         "cannot slip", where))
            elif risk.delay_signing is not None and org.status not in (Status.planned, Status.opted_out):
                errors.append(InputError(f"{ident} has status {org.status.value}: delay_signing is for organisations "
                                         "not yet signed (planned, or opted out with a return date)", where))
            else:
                chosen.append(ident)
        for j, kind in enumerate(risk.kind_list):
            if kind not in kinds:
                where = loaded.where("risks", i, "kind") if risk.kind else loaded.where("risks", i, "kinds", j)
                errors.append(InputError(f"{kind!r} is not a kind{did_you_mean(kind, kinds)}; kinds: "
                                         f"{', '.join(kinds)}", where))
        if not risk.named:
            wanted_kinds = set(risk.kind_list)
            wanted_status = set(risk.status or [])
            for org in problem.plannable:
                if wanted_kinds and org.kind.value not in wanted_kinds:
                    continue
                if wanted_status and org.status.value not in wanted_status:
                    continue
                chosen.append(org.id)
            if not chosen and not errors:
                errors.append(InputError("this risk selects no organisation still to be planned", loaded.where("risks", i)))
        rank = 1 if risk.named else 0  # naming an organisation beats selecting it by kind or status
        for ident in chosen:
            # a slip and a signing delay combine (the delay adds to the slip); two of one sort for the
            # same named organisation leave it unclear which the analyst meant
            for table, given, what in ((slips, risk.slip, "a slip"), (signings, risk.delay_signing, "a signing delay")):
                if given is None:
                    continue
                if ident in table and table[ident][0] == rank == 1:
                    other = table[ident][1]
                    errors.append(InputError(f"{ident} is named by two risks that both give {what} (also at line "
                                             f"{loaded.doc.line_of(('risks', other))}); name it in one of them",
                                             loaded.where("risks", i)))
                if ident not in table or rank >= table[ident][0]:
                    table[ident] = (rank, i)  # the same specificity: the later entry wins
    actors = []
    risks = loaded.spec.risks
    for org in problem.organisations:
        if org.id not in slips and org.id not in signings:
            continue
        signing = risks[signings[org.id][1]].delay_signing if org.id in signings else None
        if signing is not None and org.status not in (Status.planned, Status.opted_out):
            signing = None  # selected by kind: signing delays apply to those not yet signed only
        slip = risks[slips[org.id][1]].slip if org.id in slips else None
        if slip is None and signing is None:
            continue
        entry = slips.get(org.id, signings.get(org.id))[1]
        actors.append(ActorRisk(org.id, readiness(problem, org), slip, signing, loaded.doc.line_of(("risks", entry))))
    return actors


def _check_axes(loaded: LoadedSpec, problem: Problem, errors: list[InputError]) -> None:
    pools = [p.id for p in problem.waves.pools]
    seen: dict[str, int] = {}
    for i, axis in enumerate(loaded.spec.grid):
        if axis.postpone is not None:
            ident = axis.postpone.actor
            where = loaded.where("grid", i, "postpone", "actor")
            org = problem.org.get(ident)
            if org is None:
                errors.append(InputError(f"{ident!r} is not an organisation{did_you_mean(ident, problem.org)}", where))
            elif not org.is_plannable:
                errors.append(InputError(f"{ident} is not planned (status {org.status.value}); it cannot be postponed",
                                         where))
            key = f"postpone:{ident}"
        else:
            ident = axis.capacity.pool
            where = loaded.where("grid", i, "capacity", "pool")
            if ident not in pools:
                errors.append(InputError(f"{ident!r} is not a pool{did_you_mean(ident, pools)}; pools: "
                                         f"{', '.join(pools)}", where))
            key = f"capacity:{ident}:{axis.capacity.from_}:{axis.capacity.to}"
        if key in seen:
            errors.append(InputError(f"the same axis twice (also grid item {seen[key] + 1}); put all values in one",
                                     loaded.where("grid", i)))
        seen[key] = i


__all__ = [
    "ActorRisk", "Axis", "CapacityAxis", "DelaySigning", "LoadedSpec", "PostponeAxis", "Range", "Risk", "Slip",
    "SweepContext", "SweepSpec", "load_spec", "readiness", "resolve",
]

