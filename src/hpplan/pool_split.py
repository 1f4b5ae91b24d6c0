"""Where the split between the pools binds: one pool full while another has room (docs/rules.md Capacity).

The shipped data models the platform company's staff as two separate, hard pools (70/30 of 240 FTE,
waves.yaml's capacity notes say why that is our inference, not a figure of the sources). A plan whose
primary pool is full in months where the specialist pool stands idle (the trusts are live) says that
the split, not the staff, holds the rollout back there; whether staff can move between the sectors is
the planner's question, and `--capacity` answers what more staff in the full pool would bring. This
module finds those months in a plan's load report; the outputs say them (`render.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .formats import capacity_estimated, estimated_loads, fmt_number, marked
from .problem import Problem, parse_month
from .solution import LoadPoint, Solution

#: a pool is full in a month when its load is at least this share of its limit
FULL = 0.95
#: another pool has room worth saying when its spare FTE are at least this share of the full pool's limit
ROOM = 0.25


@dataclass(frozen=True)
class SplitBinds:
    """`full` is full (`FULL`) in `months` while `spare` has room (`ROOM`) in each of them: the months
    (YYYY-MM, in order), the full pool's fullest point, its point in the first of those months, and the
    spare pool's least room among them."""

    full: str
    spare: str
    months: tuple[str, ...]
    fullest: LoadPoint
    least_room: LoadPoint
    first: LoadPoint

    @property
    def room(self) -> float:
        """The spare pool's least room in those months, in FTE."""
        return self.least_room.limit - self.least_room.used

    @property
    def extra(self) -> int:
        """The FTE a what-if would add to the full pool: what the other has spare, at most a quarter of the
        full pool's limit (`ROOM`), at least 1."""
        return max(1, int(min(self.room, ROOM * self.fullest.limit)))

    @property
    def what_if(self) -> float:
        """The full pool's capacity in the what-if, from the first of those months on: its limit then and
        `extra` more."""
        return self.first.limit + self.extra


def split_binds(problem: Problem, solution: Solution) -> list[SplitBinds]:
    """Each pair of pools (full, spare) in data order with the months the plan has the first full
    (`FULL` of its limit, a limit above zero) while the second has room (`ROOM` of the first's limit
    spare); empty with fewer than two pools or no load report."""
    points: dict[str, dict[str, LoadPoint]] = {}
    for point in solution.load:
        points.setdefault(point.pool, {})[point.month] = point
    pools = [p.id for p in problem.waves.pools if p.id in points]
    found = []
    for full in pools:
        for spare in pools:
            if spare == full:
                continue
            months = tuple(month for month, p in sorted(points[full].items())
                           if p.limit > 0 and p.used >= FULL * p.limit and (other := points[spare].get(month))
                           is not None and other.limit - other.used >= ROOM * p.limit)
            if months:
                fullest = max((points[full][m] for m in months), key=lambda p: (p.used / p.limit, p.used))
                least = min((points[spare][m] for m in months), key=lambda p: p.limit - p.used)
                found.append(SplitBinds(full, spare, months, fullest, least, points[full][months[0]]))
    return found


def month_spans(months: tuple[str, ...]) -> str:
    """'2025-02, 2025-10 to 2025-12': consecutive months (YYYY-MM, in order) as spans."""
    spans: list[list[str]] = []
    for month in months:
        if spans and parse_month(month) == parse_month(spans[-1][-1]) + 1:
            spans[-1].append(month)
        else:
            spans.append([month])
    return ", ".join(s[0] if len(s) == 1 else f"{s[0]} to {s[-1]}" for s in spans)


def split_sentences(problem: Problem, solution: Solution) -> list[str]:
    """A sentence for each `split_binds` pair: where the full pool is full, its fullest month, the other's
    least room, and the `hpplan compare` command of the what-if that shows what more staff in the full pool
    would bring (figures marked `*` where they rest on estimates, as the load table marks them)."""
    loads = estimated_loads(problem, solution)
    sentences = []
    for binds in split_binds(problem, solution):
        top, room = binds.fullest, binds.least_room
        used = marked(fmt_number(top.used), (top.pool, top.month) in loads)
        limit = marked(fmt_number(top.limit), capacity_estimated(problem.pool.get(top.pool), top.month))
        spare_estimate = (room.pool, room.month) in loads or capacity_estimated(problem.pool.get(room.pool),
                                                                                   room.month)
        many = len(binds.months) > 1
        start = binds.months[0]
        pool = problem.pool.get(binds.full)
        # `--capacity` holds from that month on, in place of the data's later changes of the pool
        later = pool is not None and any(change.from_ > start for change in pool.changes)
        sentences.append(
            f"Pool {binds.full} is full in {month_spans(binds.months)} "
            f"({'fullest ' if many else ''}{used} of {limit} FTE{f' in {top.month}' if many else ''}) while pool "
            f"{binds.spare} has {'at least ' if many else ''}{marked(fmt_number(binds.room), spare_estimate)} FTE "
            f"spare {'in those months' if many else 'then'}: the pools are separate (waves.yaml `pools`). If staff "
            f"can move between them, {_code(what_if_command(problem, binds))} shows what {binds.extra} more FTE in "
            f"{binds.full} from {start} would bring ({fmt_number(binds.what_if)} FTE from then on"
            f"{', in place of its later changes' if later else ''}), beside the plan as it is.")
    return sentences


def _code(command: str) -> str:
    """The command in backticks, its own remark (after " (") outside them."""
    code, paren, rest = command.partition(" (")
    return f"`{code}`" + (f" ({rest}" if paren else "")


def what_if_command(problem: Problem, binds: SplitBinds) -> str:
    """The what-if of `binds`: `hpplan compare -b DATA --fresh --capacity POOL=FTE@YYYY-MM` on the problem's
    data folder as it was given, with the scenario files it was made with on both sides; made with changes
    on the command line (which compare's baseline side does not take), the option to add to that command."""
    import shlex

    from .problem import applied_entry

    option = ["--capacity", f"{binds.full}={fmt_number(binds.what_if)}@{binds.months[0]}"]
    entries = [applied_entry(e) for e in problem.applied]
    if any(e.from_command_line for e in entries):
        return f"{shlex.join(option)} (added to this plan's command, with hpplan compare --fresh)"
    folder = str(problem.data_dir) if problem.data_dir is not None else "data"
    files = list(dict.fromkeys(e.file for e in entries if e.file))
    scenarios = [w for f in files for w in ("--baseline-scenario", f, "-s", f)]
    return shlex.join(["hpplan", "compare", "-b", folder, *scenarios, "--fresh", *option])
