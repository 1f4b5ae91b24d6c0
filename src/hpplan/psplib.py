"""PSPLIB single-mode RCPSP instances as hpplan data: an external yardstick no one here wrote.

Reading: `parse_sm(path)` reads a PSPLIB `.sm` file (own small parser, `file:line` errors);
`read_bounds(folder)` reads the published makespans (`j30opt.sm`: proven optima; `*hrs.sm`: best
known upper bounds; `*lb.sm`: lower bounds, `*` where LB = UB).

Conversion (`to_hpplan`, docs/benchmarks.md "PSPLIB"): activity j with duration d_j and demand r_jk of
resource k becomes an organisation whose load profiles (one per resource it uses, each naming the pool
`R<k>` of capacity R_k) have `before: [r_jk] * d_j` and no hypercare; each period t is a window on the
1st of month t after the epoch 2000-01 (the planning date is the epoch, so every window is a future
window and month t is period t); a precedence i -> j is `after_live(first: i, then: j)`; the objective
is `{kind: makespan}`.

The arithmetic, exactly. With go-live month G_j (months since the epoch), the `before` months of j are
G_j - d_j .. G_j - 1, so j is busy in periods S_j .. F_j - 1 with S_j = G_j - d_j and F_j = G_j: the
go-live month is the finish time. `after_live(i, j)` requires G_j - d_j >= G_i, i.e. S_j >= F_i, the
finish-to-start precedence (its position condition follows from the months, one window a month). The
makespan term is max_j (G_j + len(hypercare_j)) - planning month = max_j F_j, the PSPLIB makespan, which
the dummy sink (d = 0) attains. Pool capacity R_k in every month is the renewable resource constraint;
loads are whole FTE, so the model's tenths lose nothing. Every `earliest` is the month of j's earliest
start plus d_j (critical-path head, so S_j >= 0: no preparation falls before the planning month, where
load is not checked) and every `latest` is the horizon less the critical-path tail after j (no plan
with makespan <= horizon, and no other plan exists, is cut off). Horizon: the sum of all durations
(PSPLIB's own), or a smaller upper bound when given.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Location

EPOCH = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Activity:
    number: int  # 1-based, as in the file (1: the dummy source, n+2: the dummy sink)
    duration: int
    demands: tuple[int, ...]
    successors: tuple[int, ...]


@dataclass
class RcpspInstance:
    name: str  # e.g. j301_1
    path: Path
    capacities: tuple[int, ...]
    activities: list[Activity]

    @property
    def horizon(self) -> int:
        return sum(a.duration for a in self.activities)

    def by_number(self) -> dict[int, Activity]:
        return {a.number: a for a in self.activities}


@dataclass(frozen=True)
class Bound:
    lower: int | None
    upper: int | None
    source: str

    @property
    def optimal(self) -> int | None:
        return self.upper if self.lower is not None and self.lower == self.upper else None


# ---- reading ------------------------------------------------------------------------------------


def parse_sm(path: Path | str) -> RcpspInstance:
    """Read a single-mode PSPLIB `.sm` file. Raises InputError with file:line on bad input: a library
    user converting a hand-edited or truncated file needs to know which line to look at, not an
    IndexError from inside the parser."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="latin-1").splitlines()
    except FileNotFoundError:
        raise InputError("no such PSPLIB file", Location(str(path)))
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", Location(str(path)))
    where = lambda i: Location(str(path), i + 1)  # noqa: E731

    def find(prefix: str) -> int:
        for i, line in enumerate(lines):
            if line.strip().upper().startswith(prefix):
                return i
        raise InputError(f"not a PSPLIB .sm file: no '{prefix}' section", Location(str(path)))

    def numbers(i: int, section: str, first: int, rows: int, what: str) -> list[int]:
        """Row i of `section` (its rows start at line index `first`; `rows` of them are expected) as
        whole numbers >= 0. A row past the end of the file, or a separator or header where a row
        belongs, says how far the section got."""
        after = f" after {i - first} of {rows} rows (line {jobs_line + 1} says {n_jobs} jobs)" if rows > 1 else ""
        if i >= len(lines):
            raise InputError(f"file ends inside the {section} section{after}; expected {what}", where(len(lines) - 1))
        text = lines[i].strip()
        if not text or text.startswith(("**", "--")) or text[0].isalpha():
            cut = f"ends{after}" if rows > 1 else "has no row"
            raise InputError(f"{section} {cut}; expected {what}, got {text!r}", where(i))
        try:
            row = [int(v) for v in text.split()]
        except ValueError:
            raise InputError(f"{section}: expected whole numbers ({what}), got {text!r}", where(i))
        if any(v < 0 for v in row):
            raise InputError(f"{section}: expected whole numbers >= 0 ({what}), got {text!r}", where(i))
        return row

    def rows_end(section: str, i: int, rows: int) -> None:
        """A section with more rows than jobs: the job count is wrong (or rows are duplicated)."""
        if i < len(lines) and lines[i].strip()[:1].isdigit():
            raise InputError(f"{section} has more than {rows} rows (line {jobs_line + 1} says {n_jobs} jobs)", where(i))

    jobs_line = next((i for i, l in enumerate(lines) if l.lower().startswith("jobs (incl. supersource/sink")), None)
    if jobs_line is None:
        raise InputError("not a PSPLIB .sm file: no 'jobs (incl. supersource/sink )' line", Location(str(path)))
    value = lines[jobs_line].partition(":")[2].strip()
    if not value.isdigit():
        raise InputError(f"jobs: expected a whole number (the jobs, dummy source and sink included), got {value!r}",
                         where(jobs_line))
    n_jobs = int(value)
    if n_jobs < 2:
        raise InputError(f"jobs: expected at least 2 (the dummy source and sink are counted), got {n_jobs}",
                         where(jobs_line))
    successors: dict[int, tuple[int, ...]] = {}
    precedence_line: dict[int, int] = {}
    section = "PRECEDENCE RELATIONS"
    start = find(section) + 2
    for i in range(start, start + n_jobs):
        row = numbers(i, section, start, n_jobs, "job, modes, count and that many successors")
        if len(row) < 3 or len(row) != 3 + row[2]:
            raise InputError(f"precedence row: expected job, modes, count and that many successors, got {lines[i].strip()!r}", where(i))
        if row[1] != 1:
            raise InputError(f"job {row[0]} has {row[1]} modes; only single-mode instances (.sm) are supported", where(i))
        if row[0] in successors:
            raise InputError(f"job {row[0]} has a second precedence row (the first is line {precedence_line[row[0]] + 1})", where(i))
        successors[row[0]] = tuple(row[3:])
        precedence_line[row[0]] = i
    rows_end(section, start + n_jobs, n_jobs)
    section = "REQUESTS/DURATIONS"
    start = find(section) + 3
    activities = []
    n_resources = None
    request_line: dict[int, int] = {}
    for i in range(start, start + n_jobs):
        row = numbers(i, section, start, n_jobs, "job, mode, duration and demands")
        if len(row) < 3:
            raise InputError(f"request row: expected job, mode, duration and demands, got {lines[i].strip()!r}", where(i))
        demands = tuple(row[3:])
        n_resources = n_resources if n_resources is not None else len(demands)
        if len(demands) != n_resources:
            raise InputError(f"job {row[0]}: {len(demands)} demands, expected {n_resources} (as on line {start + 1})", where(i))
        if row[0] not in successors:
            raise InputError(f"job {row[0]} has no precedence row", where(i))
        if row[0] in request_line:
            raise InputError(f"job {row[0]} has a second request row (the first is line {request_line[row[0]] + 1})", where(i))
        request_line[row[0]] = i
        activities.append(Activity(row[0], row[2], demands, successors[row[0]]))
    rows_end(section, start + n_jobs, n_jobs)
    section = "RESOURCEAVAILABILITIES"
    cap_line = find(section) + 2
    capacities = tuple(numbers(cap_line, section, cap_line, 1, f"a row of {n_resources} resource availabilities"))
    if len(capacities) != n_resources:
        raise InputError(f"{len(capacities)} resource availabilities, expected {n_resources} (one per demand column)", where(cap_line))
    for a in activities:
        for s in a.successors:
            if s not in request_line:
                raise InputError(f"job {a.number} names successor {s}, which is not a job (jobs: "
                                 f"{min(request_line)}..{max(request_line)})", where(precedence_line[a.number]))
    return RcpspInstance(path.stem, path, capacities, activities)


_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)(.*)$")


def read_bounds(folder: Path | str) -> dict[str, Bound]:
    """Published makespans by instance name (`j301_1`): proven optima, best known upper bounds, lower
    bounds. Later files refine earlier ones: *opt > *lb > *hrs."""
    folder = Path(folder)
    bounds: dict[str, Bound] = {}
    for set_name in ("j30", "j60", "j90", "j120"):
        for kind in ("hrs", "lb", "opt"):
            path = folder / f"{set_name}{kind}.sm"
            if not path.exists():
                continue
            for line in path.read_text(encoding="latin-1").splitlines():
                m = _ROW.match(line)
                if not m:
                    continue
                par, inst, value, rest = int(m[1]), int(m[2]), int(m[3]), m[4]
                name = f"{set_name}{par}_{inst}"
                old = bounds.get(name, Bound(None, None, ""))
                if kind == "opt":
                    bounds[name] = Bound(value, value, f"{path.name}: proven optimum")
                elif kind == "hrs":
                    bounds[name] = Bound(old.lower, value, f"{path.name}: best known")
                else:
                    parts = rest.split()
                    lower = int(parts[0]) if parts and parts[0].isdigit() else None
                    star = len(parts) > 1 and parts[1] == "*"
                    upper = min(v for v in (value, old.upper) if v is not None)
                    note = f"{path.name}: " + ("LB = UB, proven" if star else "lower bound")
                    bounds[name] = Bound(lower, upper, note)
    return bounds


def instance_files(folder: Path | str) -> list[Path]:
    """The `.sm` files of a set folder in PSPLIB order (parameter group, then instance)."""
    def key(p: Path):
        m = re.match(r"^j(30|60|90|120)(\d+)_(\d+)$", p.stem)  # j301_1: set 30, parameter group 1, instance 1
        return (int(m[2]), int(m[3]), p.stem) if m else (10**9, 0, p.stem)

    return sorted(Path(folder).glob("*.sm"), key=key)


# ---- conversion ---------------------------------------------------------------------------------


def _heads_tails(inst: RcpspInstance) -> tuple[dict[int, int], dict[int, int]]:
    """Earliest start (critical path from the source) and the longest path after each activity's
    finish to the end of the project, ignoring resources."""
    acts = inst.by_number()
    preds: dict[int, list[int]] = {a.number: [] for a in inst.activities}
    for a in inst.activities:
        for s in a.successors:
            preds[s].append(a.number)
    order: list[int] = []
    indegree = {n: len(p) for n, p in preds.items()}
    ready = sorted(n for n, d in indegree.items() if d == 0)
    while ready:
        n = ready.pop(0)
        order.append(n)
        for s in acts[n].successors:
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    if len(order) != len(acts):
        raise InputError("the precedence relations have a cycle", Location(str(inst.path)))
    head = {n: 0 for n in acts}
    for n in order:
        for s in acts[n].successors:
            head[s] = max(head[s], head[n] + acts[n].duration)
    tail = {n: 0 for n in acts}
    for n in reversed(order):
        for s in acts[n].successors:
            tail[n] = max(tail[n], acts[s].duration + tail[s])
    return head, tail


def month_date(t: int) -> dt.date:
    return dt.date(EPOCH.year + t // 12, t % 12 + 1, 1)


def to_hpplan(inst: RcpspInstance, *, horizon: int | None = None, source_note: str | None = None) -> tuple[dict, dict]:
    """(organisations.yaml, waves.yaml) data for an RCPSP instance (see the module docstring)."""
    horizon = inst.horizon if horizon is None else horizon
    note = source_note or f"fact: PSPLIB {inst.name} (Kolisch and Sprecher 1996)"
    source = {"all": note}
    head, tail = _heads_tails(inst)
    if any(head[a.number] + a.duration + tail[a.number] > horizon for a in inst.activities):
        raise InputError(f"horizon {horizon} is shorter than the critical path", Location(str(inst.path)))
    profiles: dict[str, dict] = {}
    organisations = []
    for a in inst.activities:
        ids = []
        for k, r in enumerate(a.demands):
            if r and a.duration:
                pid = f"r{k + 1}-{r}x{a.duration}"
                profiles.setdefault(pid, {"id": pid, "pool": f"R{k + 1}", "before": [r] * a.duration, "source": source})
                ids.append(pid)
        if a.duration and not ids:  # no demand: a profile of zeros still says how long it takes
            pid = f"idle-{a.duration}"
            profiles.setdefault(pid, {"id": pid, "pool": "R1", "before": [0] * a.duration, "source": source})
            ids.append(pid)
        org = {"id": f"a{a.number:03d}", "name": f"Activity {a.number}", "kind": "other", "sector": "specialist",
               "status": "planned", "load_profile": ids,
               "earliest": month_date(head[a.number] + a.duration),
               "latest": month_date(horizon - tail[a.number]), "source": source}
        organisations.append(org)
    windows = [{"id": f"t{t:04d}", "date": month_date(t)} for t in range(horizon + 1)]
    rules = [{"type": "after_live", "first": f"a{a.number:03d}", "then": f"a{s:03d}"}
             for a in inst.activities for s in a.successors]
    waves = {
        "planning_date": EPOCH,
        "windows": windows,
        "pools": [{"id": f"R{k + 1}", "name": f"Renewable resource {k + 1}", "fte": c, "source": source}
                  for k, c in enumerate(inst.capacities)],
        "load_profiles": sorted(profiles.values(), key=lambda p: p["id"]),
        "rules": rules,
        "objective": {"kind": "makespan"},
        "note": f"PSPLIB {inst.name}: period t = month t after 2000-01; go-live month = finish time",
        "source": source,
    }
    return {"organisations": organisations}, waves


def write_hpplan(inst: RcpspInstance, out: Path | str, *, horizon: int | None = None) -> Path:
    from .generate import dump
    from .io import write_pair

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    orgs, waves = to_hpplan(inst, horizon=horizon)
    header = f"# PSPLIB {inst.name} as hpplan data (hpplan.psplib.to_hpplan); see docs/benchmarks.md.\n"
    write_pair(out / "organisations.yaml", dump(orgs, header), out / "waves.yaml", dump(waves, header))
    return out


# ---- PyJobShop on the same instance ---------------------------------------------------------------


@dataclass
class ExternalResult:
    status: str
    objective: float | None
    bound: float | None
    time: float
    extra: dict = field(default_factory=dict)


def solve_pyjobshop(path: Path | str, time_limit: float, workers: int = 2, seed: int = 0) -> ExternalResult:
    """PyJobShop (OR-Tools CP-SAT interval model) on the original `.sm` file. Its CP-SAT solver is made
    by PyJobShop: it gets `stopping.cp_solver`'s Ctrl-C settings as parameters, and SIGINT's handler is
    kept as it was (`keep_sigint`), as for every CP-SAT solve hpplan runs."""
    import time

    import pyjobshop

    from .stopping import keep_sigint, sigint_parameters

    started = time.perf_counter()
    data = pyjobshop.read(str(path), instance_format="psplib")
    with keep_sigint():
        result = pyjobshop.solve(data, time_limit=time_limit, display=False, num_workers=workers, random_seed=seed,
                                 **sigint_parameters())
    status = {"Optimal": "optimal", "Feasible": "feasible", "Infeasible": "infeasible"}.get(result.status.value, "unknown")
    if status == "unknown" and result.objective != float("inf"):
        status = "feasible"
    objective = None if result.objective == float("inf") else float(result.objective)
    return ExternalResult(status, objective, float(result.lower_bound), time.perf_counter() - started)
