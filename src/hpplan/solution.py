"""A plan as the solver (or a file) gives it, and its stable JSON form.

The JSON contract (docs/solve.md "The JSON contract"): top-level keys `status`, `objective`, `plan`, `load`, plus
`solver` (engine settings). Nothing time-dependent is written, so the same data, seed and worker count
give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from .errors import InputError, Location
from .schema import Date


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

    def to_json(self) -> dict:
        d = asdict(self)
        d["go_live"] = self.go_live.isoformat() if self.go_live else None
        return d


@dataclass(frozen=True)
class LoadPoint:
    pool: str
    month: str  # YYYY-MM
    used: float  # FTE
    limit: float  # FTE


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
    gap_tolerance: float = 0.0  # SolveOptions.gap: the solve ends once a plan is proven this close to the bound
    phases: list[str] = field(default_factory=list)
    found_by: str | None = None  # the engine whose plan is reported (greedy, cp-sat, highs)
    proved_by: str | None = None  # the engine whose bound proved it optimal (None: not proven)
    first_plan_time: float | None = None  # seconds from the start of the solve to the first verified plan
    stopped: bool = False  # stopped on request (`SolveOptions.stop`: Ctrl-C) before its time limit
    #: a re-plan against a baseline: its status and bound hold among the plans that change it least
    least_change: bool = False


@dataclass
class Solution:
    status: Status
    objective: dict[str, float] = field(default_factory=dict)  # term -> value; "total" is their sum
    plan: list[Assignment] = field(default_factory=list)
    load: list[LoadPoint] = field(default_factory=list)
    stats: SolveStats = field(default_factory=SolveStats)

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
        if self.stats.stopped:
            solver["stopped"] = True  # by Ctrl-C or a StopRequest: the best plan found so far
        if self.stats.least_change:
            solver["least_change"] = True  # re-planned against a baseline: its status holds among those plans
        return {
            "status": self.status.value,
            "objective": {k: _number(v) for k, v in self.objective.items()},
            "plan": [a.to_json() for a in self.plan],
            "load": [
                {"pool": p.pool, "month": p.month, "used": _number(p.used), "limit": _number(p.limit)}
                for p in self.load
            ],
            "solver": solver,
        }

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
    """Read a plan written by `hpplan solve --format json`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise InputError("no such plan file; write one with `hpplan solve --format json -o FILE`", Location(str(path)))
    except IsADirectoryError:
        raise InputError("a folder, not a plan file; give the JSON file `hpplan solve --format json -o FILE` wrote",
                         Location(str(path)))
    except OSError as exc:
        raise InputError(f"cannot read the plan file ({exc.strerror or exc})", Location(str(path)))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        yaml_plan = Path(path).suffix.lower() in (".yaml", ".yml")  # the plan files `check --plan` reads
        hint = ("; this looks like a YAML plan, which `hpplan check --plan` and `explain --plan` read: here a JSON "
                "plan is needed, as `hpplan solve --format json -o FILE` writes" if yaml_plan else
                "; expected the JSON `hpplan solve --format json -o FILE` writes")
        raise InputError(f"not a JSON plan ({getattr(exc, 'msg', exc)}){hint}", Location(str(path), line))
    if not isinstance(data, dict) or not isinstance(data.get("plan"), list):
        raise InputError("not an hpplan plan: expected an object with keys status, objective, plan, load "
                         "(`hpplan solve --format json -o FILE` writes one)", Location(str(path)))
    plan = [_assignment(path, text, i, a) for i, a in enumerate(data["plan"])]
    try:
        load = [LoadPoint(str(p["pool"]), str(p["month"]), float(p["used"]), float(p["limit"])) for p in data.get("load", [])]
        status = Status(data.get("status", "feasible"))
        objective = {str(k): float(v) for k, v in data.get("objective", {}).items() if isinstance(v, (int, float))}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"not an hpplan plan ({what}); expected keys status, objective, plan, load",
                         Location(str(path)))
    return Solution(status=status, objective=objective, plan=plan, load=load,
                    stats=_stats(data.get("solver"), status, objective))


def _stats(solver, status: Status, objective: dict[str, float]) -> SolveStats:
    """The solver block of a saved plan (how it was found: engine, seed, workers, tie-break, bound) as
    SolveStats; a field missing or of the wrong type keeps its default (a hand-edited file still reads)."""
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
    stats.stopped = solver.get("stopped") is True
    stats.least_change = solver.get("least_change") is True
    total = objective.get("total")
    if status is Status.feasible and stats.best_bound is not None and total is not None:
        stats.gap = abs(total - stats.best_bound) / max(1.0, abs(total))
    return stats


#: a JSON plan's go_live reads by the data's rule for a date (schema.Date)
_DATE = TypeAdapter(Date)


def _assignment(path: Path, text: str, i: int, entry) -> Assignment:
    """Plan entry `i` of a JSON plan; bad input names the entry and, where it can be found, its line."""
    ident = entry.get("id") if isinstance(entry, dict) else None
    label = f"plan entry {i + 1}" + (f" ({ident})" if ident is not None else "")
    if not isinstance(entry, dict) or ident is None or "go_live" not in entry:
        # a missing go_live is no "not scheduled" (that is null): an entry cut short or mistyped
        raise InputError(f"{label}: expected an object with id, go_live (null: not scheduled), window, pinned",
                         Location(str(path)))
    day = entry.get("go_live")
    try:
        # only null is unscheduled: 0, false or "" is no date (not "not scheduled"), and a date is
        # YYYY-MM-DD as in the data (schema.Date: no number, no time of day, no 20240427)
        go_live = None if day is None else _DATE.validate_python(day)
    except ValidationError:
        near = text.find(json.dumps(str(ident)))
        at = text.find('"go_live"', max(near, 0))  # its key: a value like 0 would match too early
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
        shown = repr(day) if isinstance(day, str) else json.dumps(day)  # false, as the file has it
        raise InputError(f"{label}: go_live {shown} is not a date; expected YYYY-MM-DD, or null for not scheduled",
                         Location(str(path), line))
    return Assignment(
        id=str(ident),
        name=str(entry.get("name", ident)),
        kind=str(entry.get("kind", "")),
        sector=str(entry.get("sector", "")),
        go_live=go_live,
        window=entry.get("window"),
        pinned=bool(entry.get("pinned", False)),
    )
