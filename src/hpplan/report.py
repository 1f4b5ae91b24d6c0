"""Plan reports people look at: one self-contained HTML file with interactive charts, and static charts
(PNG, SVG) for slides (docs/report.md).

Three charts, each computed once from the plan and shown in two ways:

- the **Gantt chart**: one row per organisation, grouped by go-live window (or by track), with its
  preparation months, go-live day and hypercare months; history (before the planning date) shaded;
- the **load chart**: each FTE pool's monthly load against its limit;
- the **coverage chart**: the cumulative share of the population (primary and specialist care) and of
  the users live over time.

`gantt_rows`, `load_series` and `coverage_series` compute what the charts show (from `formats.py`:
`plan_groups`, `window_summary`, `peak_loads`, `window_of`; nothing is recomputed here that those
give). `gantt_figure`, `load_figure` and `coverage_figure` turn them into Plotly figures for the HTML
report (`report_html`: plotly.js embedded once, inline, so the file opens without a network; fixed div
ids, so the same plan gives the same bytes). `static_chart` draws the same series with matplotlib for
`--format png|svg`: it needs no browser, which Plotly's own image export (kaleido) does.

A second plan (`other`, e.g. a scenario's) is shown beside the first: its go-lives as open diamonds in
the Gantt chart, its load and coverage as dashed lines; the changes from it (`comparison_of`, by
`hpplan.compare.compare`) as `hpplan compare` words its totals (`comparison_totals`: moved later and earlier,
population-months, cost of delay) under the header and in the PNG/SVG title, each move's cost in the table.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import textwrap
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from .formats import (
    data_name,
    DETAIL_AUTO_MAX,
    ESTIMATE_NOTE,
    NOT_IN_PLAN,
    tie_break_note,
    Detail,
    by_kind,
    capacity_estimated,
    checked_arguments,
    choice,
    estimated,
    fmt_int,
    fmt_number,
    fmt_share,
    estimate_note,
    kind_noun,
    estimated_loads,
    marked,
    marked_applied,
    applied_estimated,
    rules_or_limits,
    with_findings,
    objective_units,
    not_in_plan,
    objective_estimated,
    objective_terms,
    fullest_said,
    peak_loads,
    peak_rows,
    plan_groups,
    plan_source,
    resolved_detail,
    row_names,
    solver_facts,
    status_text,
    window_of,
    window_summary,
    window_dates_estimated,
    window_date_estimated,
    window_title,
    window_users_estimated,
    go_live_estimated,
)
from .io import readable
from .pool_split import split_sentences
from .problem import AppliedChange, Problem, applied_entry, month_index, parse_month
from .solution import Assignment, Solution
from .verify import broken_rules, stale_figures, stale_text, verify
from .verify import plan_objective as verified_objective

# --------------------------------------------------------------------------------------------------
# colours: the terminal view's cyan (specialist) and green (primary), as web colours


SECTOR_COLOURS = {"specialist": "#0e7c86", "primary": "#2e8b3e"}
OTHER_SECTOR_COLOUR = "#a23b72"
SECTOR_TITLES = {"specialist": "Specialist care", "primary": "Primary care"}
USERS_COLOUR = "#6a3d9a"
LIMIT_COLOUR = "#c0392b"
#: a month over the limit in the load chart: red, and hatched and outlined dark as well, a cue that does
#: not rest on colour (red next to green is close to lost under red-green colour blindness)
OVER_HATCH = "/"
OVER_OUTLINE = "#222222"
OVER_OUTLINE_WIDTH = 1.5
COMPARE_COLOUR = "#d35400"
HISTORY_FILL = "rgba(120, 120, 120, 0.13)"
PREP_ALPHA, CARE_ALPHA, HISTORY_ALPHA = 0.35, 0.75, 0.45
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: the div ids of the report's charts: fixed, so that the same plan gives the same HTML bytes
DIV_IDS = {"gantt": "hpplan-gantt", "load": "hpplan-load", "coverage": "hpplan-coverage"}


class GroupBy(str, Enum):
    window = "window"
    track = "track"


class Chart(str, Enum):
    all = "all"
    gantt = "gantt"
    load = "load"
    coverage = "coverage"


def sector_colour(sector: str) -> str:
    return SECTOR_COLOURS.get(sector, OTHER_SECTOR_COLOUR)


def rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------------------------------
# whether the plan keeps the data's rules: every output says so


#: broken rules listed in a report (the HTML's red box, the spreadsheet's About sheet); the rest counted
BROKEN_SHOWN = 20


def plan_violations(problem: Problem, solution: Solution, violations: list | None = None) -> list:
    """The rules and limits of this data the plan breaks: `violations` when the caller has them (the
    command verified a saved plan already), else the independent verifier's finding (a plan solved
    here has none; one read with `--plan` may: the data changed since, or the file was edited)."""
    if violations is not None:
        return list(violations)
    if not solution.found:
        return []
    return verify(problem, solution)


def checked_status(solution: Solution, violations: list) -> str:
    """`status_text`, and for a plan that breaks rules or limits of this data, that it does: 'optimal
    as saved; breaks 3 rules or limits of this data'. The status is what the solver proved of the plan
    when it was made; under data that changed since, it no longer holds, and a title or an About sheet
    that said "optimal" alone would contradict the over-limit months the same file shows. Figures saved
    with the plan that this data does not give (`stale_figures`: the data changed, the plan did not)
    are said apart: 'optimal as saved; its saved objective is not this data's'. A plan file, which no
    solver made, has no status to have held: 'plan file, not solved; breaks 4 rules or limits ...'."""
    return with_findings(status_text(solution), len(broken_rules(violations)), plan_source(solution) is not None,
                         stale_text(violations))


def plan_objective(problem: Problem, solution: Solution) -> dict[str, float]:
    """The objective terms and total of a plan's go-lives under this data, as the independent verifier
    works them out (`hpplan check --plan` compares a saved plan's figures with these), whether or not
    the plan keeps every rule."""
    return {term: float(value) for term, value in verified_objective(problem, solution).items()}


def refresh_saved_plan(problem: Problem, solution: Solution) -> list:
    """A saved plan of this data (`--plan`), checked as saved and then given this data's figures: its
    load and its objective worked out from its go-lives (the file's own may be from before the data
    changed; a plan file has none). Returns the verifier's findings on the plan as saved: the rules it
    breaks and the saved figures that are out of date (`broken_rules`, `stale_figures`)."""
    from .solve import load_report

    checked_arguments("refresh_saved_plan", problem, solution)
    if not solution.found:  # (the command refuses such a file first: `check.plan_of`)
        raise ValueError(f"refresh_saved_plan: the plan has no go-lives (status {solution.status.value}); give a "
                         "plan that places the organisations (hpplan.solve, or hpplan.read_plan of a solved file)")
    violations = verify(problem, solution)
    solution.load = load_report(problem, solution.plan)
    solution.objective = plan_objective(problem, solution)
    return violations


# --------------------------------------------------------------------------------------------------
# the Gantt chart's rows


@dataclass(frozen=True)
class GanttRow:
    """One organisation's row: where it goes live and the months it loads a pool around that."""

    entry: Assignment
    label: str  # the row's name (unique within its group)
    group: str  # the group's short label: a window id, a track id, "not scheduled"
    group_title: str  # the group's long label, for hovers and the static chart
    history: bool  # went live before the planning date
    preparation: tuple[dt.date, dt.date] | None  # first day of the first preparation month, go-live day
    hypercare: tuple[dt.date, dt.date] | None  # go-live day, first day after the last hypercare month
    users: int | None
    population: int | None
    window_title: str | None  # `id date name` of its window
    other: Assignment | None = None  # the same organisation in the compared plan
    users_estimate: bool = False  # `users` rests on an estimate (`estimated`)
    population_estimate: bool = False  # `population` rests on an estimate
    #: the row's go-live date rests on an estimate or inference (`go_live_estimated`: a history go-live's own
    #: `live_since`, a planned go-live's window date)
    date_estimate: bool = False
    #: its window's date rests on an estimate (`window_date_estimated`): marked in `window_title`
    window_date_estimate: bool = False
    other_date_estimate: bool = False  # the compared plan's go-live date does (`go_live_estimated`)

    @property
    def go_live(self) -> dt.date | None:
        return self.entry.go_live

    @property
    def sector(self) -> str:
        return self.entry.sector

    @property
    def start(self) -> dt.date | None:
        """The first day the row marks (its preparation, else its go-live)."""
        return self.preparation[0] if self.preparation else self.go_live

    @property
    def end(self) -> dt.date | None:
        """The last day the row marks (the end of its hypercare, else its go-live)."""
        return self.hypercare[1] if self.hypercare else self.go_live

    @property
    def moved(self) -> bool:
        """The compared plan has it on another day (or schedules it where this one does not)."""
        return self.other is not None and self.other.go_live != self.entry.go_live


def _spans(problem: Problem, entry: Assignment) -> tuple[tuple | None, tuple | None]:
    """(preparation, hypercare) of a scheduled entry, from its load profiles (summed over pools)."""
    org = problem.org.get(entry.id)
    if entry.go_live is None or org is None:
        return None, None
    profile = problem.profile(org)
    live = month_index(entry.go_live)
    preparation = (month_start(live - len(profile.before)), entry.go_live) if profile.before else None
    hypercare = (entry.go_live, month_start(live + len(profile.after))) if profile.after else None
    return preparation, hypercare


def _window_title(problem: Problem, entry: Assignment) -> str | None:
    window = window_of(problem, entry)
    if window is None:
        return None
    return window_title(window)


def _group_labels(problem: Problem, solution: Solution, group_by: GroupBy) -> list[tuple[str, str, list[Assignment]]]:
    """(short label, long label, entries) per group, in the order shown; unscheduled entries last, then
    the data's organisations the plan leaves out (`not_in_plan`)."""
    groups = []
    if group_by is GroupBy.window:
        for group in plan_groups(problem, solution):
            history = " (history)" if group.marked_history else ""
            short = (group.window.id if group.window is not None else group.title) + history
            title = group.title + history
            groups.append((short, title, group.entries))
        return groups
    # by track: tracks in data order, then organisations without one; each by go-live, then as by window
    order = {e.id: i for i, e in enumerate(e for g in plan_groups(problem, solution) for e in g.entries)}
    tracks = {t.id: t for t in problem.waves.tracks}
    members: dict[str | None, list[Assignment]] = {}
    unscheduled = []
    for entry in solution.plan:
        if entry.go_live is None:
            unscheduled.append(entry)
            continue
        org = problem.org.get(entry.id)
        members.setdefault(org.track if org else None, []).append(entry)
    keys = [t.id for t in problem.waves.tracks if t.id in members]
    keys += sorted(k for k in members if k is not None and k not in tracks)
    keys += [None] if None in members else []
    for key in keys:
        entries = sorted(members[key], key=lambda e: (e.go_live, order.get(e.id, 0)))
        if key is None:
            groups.append(("no track", "no track", entries))
        else:
            name = tracks[key].name if key in tracks else None
            groups.append((key, f"{key} {name}" if name else key, entries))
    if unscheduled:
        groups.append(("not scheduled", "not scheduled", sorted(unscheduled, key=lambda e: order.get(e.id, 0))))
    missing = not_in_plan(problem, solution)
    if missing:
        groups.append((NOT_IN_PLAN, NOT_IN_PLAN, missing))
    return groups


def gantt_rows(problem: Problem, solution: Solution, group_by: GroupBy = GroupBy.window,
               other: Solution | None = None, detail: Detail = Detail.organisation) -> list[GanttRow]:
    """The Gantt chart's rows, in the order shown. Organisations the plan does not schedule have no
    row, unless the compared plan schedules them (then they come last, under "not scheduled"). With
    `detail` window (or auto, above `DETAIL_AUTO_MAX` organisations: `resolved_detail`): `window_rows`
    instead."""
    group_by = choice(GroupBy, group_by, "group_by")
    if resolved_detail(solution, detail) is Detail.window:
        return window_rows(problem, solution, other, group_by)
    return _organisation_rows(problem, solution, group_by, other)


def summary_count(solution: Solution) -> str:
    """How many organisations a summarised Gantt stands for: '2 100 organisations', or '226 of 300
    organisations go live' when some are not scheduled (the rows add up to those that go live)."""
    total = len(solution.plan)
    live = sum(1 for e in solution.plan if e.go_live is not None)
    if live == total:
        return f"{fmt_int(total)} organisation{'s' if total != 1 else ''}"
    return f"{fmt_int(live)} of {fmt_int(total)} organisations go live"


def window_rows(problem: Problem, solution: Solution, other: Solution | None = None,
                group_by: GroupBy = GroupBy.window) -> list[GanttRow]:
    """One row per go-live window and kind of organisation (and sector), in the plan's window order:
    "11 municipalities", its preparation from the earliest member's start, its hypercare to the latest
    member's end, users and population summed. By track (`group_by`), the same rows within each
    track, labelled with their window ("2025-02: 11 municipalities"). With `other`, the label says how
    many of them go live on another day in the compared plan (the rows carry no compared go-live of
    their own)."""
    group_by = choice(GroupBy, group_by, "group_by")
    others = {a.id: a for a in other.plan} if other is not None else {}
    rows: list[GanttRow] = []
    for short, title, by_window, named in _summary_groups(problem, solution, group_by):
        for entries in by_window:
            for members in by_kind(entries):
                rows.append(_kind_row(problem, short, title, members, others, named))
    return rows


def _summary_groups(problem: Problem, solution: Solution, group_by: GroupBy
                    ) -> list[tuple[str, str, list[list[Assignment]], bool]]:
    """The scheduled go-lives as (short label, long label, entries per window, whether a row names
    its window) per group of the chart (`_group_labels`): a window each (history before any window is
    one group), or a track each with its windows in date order."""
    by_window = group_by is GroupBy.window
    groups = []
    for short, title, entries in _group_labels(problem, solution, group_by):
        scheduled = [e for e in entries if e.go_live is not None]
        if not scheduled:
            continue
        if by_window:
            runs = [scheduled]
        else:  # a track's entries come by go-live: a run per window (or day, for history before any)
            keyed: dict[object, list[Assignment]] = {}
            for entry in scheduled:
                window = window_of(problem, entry)
                keyed.setdefault(window.id if window is not None else entry.go_live, []).append(entry)
            runs = list(keyed.values())
        groups.append((short, title, runs, not by_window))
    return groups


def _kind_row(problem: Problem, short: str, title: str, entries: list[Assignment],
              others: dict[str, Assignment], named: bool) -> GanttRow:
    """The row of `window_rows` for the organisations of one kind going live in one window."""
    first = entries[0]
    kind, sector = first.kind, first.sector
    spans = [_spans(problem, e) for e in entries]
    starts = [preparation[0] for preparation, _ in spans if preparation]
    ends = [hypercare[1] for _, hypercare in spans if hypercare]
    go_live = max(e.go_live for e in entries)  # the window's date (history before any window: the last)
    label = f"{len(entries)} {kind_noun(kind, len(entries))}"
    key = f"{short}:{kind}:{sector}"
    if named:
        window = window_of(problem, first)
        where = window.id if window is not None else go_live.isoformat()
        label, key = f"{where}: {label}", f"{short}:{where}:{kind}:{sector}"
    moved = sum(1 for e in entries if e.id in others and others[e.id].go_live != e.go_live)
    if moved:
        label += f" ({moved} elsewhere in the compared plan)"
    orgs = [problem.org[e.id] for e in entries if e.id in problem.org]
    return GanttRow(
        entry=Assignment(key, label, kind, sector, go_live, first.window, first.pinned),
        label=label,
        group=short,
        group_title=title,
        history=go_live < problem.planning_date,
        preparation=(min(starts), go_live) if starts else None,
        hypercare=(go_live, max(ends)) if ends else None,
        users=sum(o.users or 0 for o in orgs),
        population=sum(o.population or 0 for o in orgs),
        window_title=_window_title(problem, first),
        users_estimate=estimated(orgs, "users"),
        population_estimate=estimated(orgs, "population"),
        date_estimate=any(e.go_live == go_live and go_live_estimated(problem, e) for e in entries),
        window_date_estimate=window_date_estimated(window_of(problem, first)),
    )


def _organisation_rows(problem: Problem, solution: Solution, group_by: GroupBy,
                       other: Solution | None) -> list[GanttRow]:
    """`gantt_rows` with one row per organisation."""
    others = {a.id: a for a in other.plan} if other is not None else {}
    rows: list[GanttRow] = []
    groups = _group_labels(problem, solution, group_by)
    shown = [e for _, _, entries in groups for e in entries]
    names = row_names(shown)
    for short, title, entries in groups:
        for entry in entries:
            if entry.go_live is None and (entry.id not in others or others[entry.id].go_live is None):
                continue
            label = names[entry.id]
            org = problem.org.get(entry.id)
            preparation, hypercare = _spans(problem, entry)
            rows.append(
                GanttRow(
                    entry=entry,
                    label=label,
                    group=short,
                    group_title=title,
                    history=entry.go_live is not None and entry.go_live < problem.planning_date,
                    preparation=preparation,
                    hypercare=hypercare,
                    users=org.users if org else None,
                    population=org.population if org else None,
                    window_title=_window_title(problem, entry),
                    other=others.get(entry.id),
                    users_estimate=estimated([org], "users"),
                    population_estimate=estimated([org], "population"),
                    date_estimate=go_live_estimated(problem, entry),
                    window_date_estimate=window_date_estimated(window_of(problem, entry)),
                    other_date_estimate=entry.id in others and go_live_estimated(problem, others[entry.id]),
                )
            )
    # organisations only the compared plan has (a scenario added them)
    known = {e.id for e in shown}
    extra = [a for a in (other.plan if other is not None else []) if a.id not in known and a.go_live is not None]
    for entry in extra:
        rows.append(GanttRow(Assignment(entry.id, entry.name, entry.kind, entry.sector, None, None, False),
                             entry.name, "not scheduled", "not scheduled", False, None, None, None, None, None,
                             other=entry, other_date_estimate=go_live_estimated(problem, entry)))
    return rows


def chart_range(problem: Problem, rows: list[GanttRow]) -> tuple[dt.date, dt.date]:
    """From the month before the first mark to the month after the last (and the load horizon)."""
    starts = [r.start for r in rows if r.start] + [r.other.go_live for r in rows if r.other and r.other.go_live]
    ends = [r.end for r in rows if r.end] + [r.other.go_live for r in rows if r.other and r.other.go_live]
    first = month_index(min(starts + [problem.planning_date]))
    last = max(ends + [month_start(problem.end_month + 1)])
    # two months before the first quarter's start: room for its tick label
    return month_start(first - first % 3 - 2), month_start(month_index(last) + 1)


def _months_between(a: dt.date, b: dt.date) -> int:
    return month_index(b) - month_index(a)


def row_hover(row: GanttRow, label: str = "plan", other_label: str = "compared") -> str:
    """The hover text of a row (HTML as Plotly shows it). An estimated users or population figure, and a
    go-live or window date that is an estimate or inference (`go_live_estimated`, `window_date_estimated`),
    is marked, and the hover says what the mark means: it is read alone, away from the page's note."""
    e = row.entry
    lines = [f"<b>{html.escape(e.name)}</b>", html.escape(f"{kind_noun(e.kind, 1)} · {e.sector}")]
    if e.go_live is not None:
        when = f"go-live {marked(e.go_live.isoformat(), row.date_estimate)}"
        if row.window_title:
            when += f" (window {row.window_title})"
        lines.append(html.escape(when) + (" · history" if row.history else ""))
    elif row.group == NOT_IN_PLAN:
        lines.append(f"not in the {html.escape(label)}: the data has it, the plan has no entry for it")
    else:
        lines.append(f"not scheduled in the {html.escape(label)}")
    if row.preparation:
        lines.append(f"preparation from {row.preparation[0]:%Y-%m}")
    if row.hypercare:
        last = month_start(month_index(row.hypercare[1]) - 1)
        lines.append(f"hypercare to {last:%Y-%m} (incl.)")
    sizes = []
    if row.users is not None:
        sizes.append(marked(f"users {fmt_int(row.users)}", row.users_estimate))
    if row.population is not None:
        sizes.append(marked(f"population {fmt_int(row.population)}", row.population_estimate))
    if sizes:
        lines.append(" · ".join(sizes))
    if row.other is not None:
        lines.append(html.escape(_other_text(row, label, other_label)))
    if ((row.users_estimate and row.users is not None) or (row.population_estimate and row.population is not None)
            or (row.date_estimate and e.go_live is not None) or (row.window_date_estimate and row.window_title)
            or (row.other_date_estimate and row.other is not None and row.other.go_live is not None)):
        lines.append(html.escape(ESTIMATE_NOTE))
    return "<br>".join(lines)


def moved_by(row: GanttRow) -> tuple[int, int] | None:
    """(calendar months, days) from the compared plan's go-live to this plan's, later positive: the
    compared plan is the baseline, as `hpplan compare --baseline` counts them (`compare.Move.months`,
    `Move.days`); None when one of the two does not schedule it."""
    o = row.other
    if o is None or o.go_live is None or row.go_live is None:
        return None
    return _months_between(o.go_live, row.go_live), (row.go_live - o.go_live).days


def _other_text(row: GanttRow, label: str, other_label: str) -> str:
    o = row.other
    if o is None or o.go_live is None:
        return f"{other_label}: not scheduled"
    text = f"{other_label}: go-live {marked(o.go_live.isoformat(), row.other_date_estimate)}"
    moved = moved_by(row)
    if moved is not None and moved[1]:
        months, days = moved
        by = f"{months:+d} months" if months else f"{days:+d} days"
        text += f" ({label} {by}: {'later' if days > 0 else 'earlier'})"
    elif row.go_live is not None:
        text += " (same)"
    return text


# --------------------------------------------------------------------------------------------------
# the load chart's series


@dataclass(frozen=True)
class PoolSeries:
    pool: str
    title: str  # id (name)
    sector: str | None
    months: list[dt.date]  # first day of each month
    used: list[float]
    limit: list[float]
    other_used: list[float] | None = None  # the compared plan's load in the same months
    #: per month, whether the limit rests on an estimate (`capacity_estimated`): marked `*` in the hover
    limit_estimate: list[bool] = field(default_factory=list)
    #: per month, whether the load rests on an estimated load profile (`estimated_loads`): marked `*` in the hover
    used_estimate: list[bool] = field(default_factory=list)

    @property
    def over(self) -> list[bool]:
        return [u > l + 1e-9 for u, l in zip(self.used, self.limit)]


def load_series(problem: Problem, solution: Solution, other: Solution | None = None) -> list[PoolSeries]:
    """Each pool's load and limit by month, from the plan's load report (pools in data order)."""
    pools = {p.id: p for p in problem.waves.pools}
    order = [p.id for p in problem.waves.pools] + sorted({p.pool for p in solution.load} - set(pools))
    loads = estimated_loads(problem, solution)
    series = []
    for pool_id in order:
        points = sorted((p for p in solution.load if p.pool == pool_id), key=lambda p: p.month)
        if not points:
            continue
        months = [month_start(parse_month(p.month)) for p in points]
        other_used = None
        if other is not None:
            theirs = {p.month: p.used for p in other.load if p.pool == pool_id}
            if theirs:
                other_used = [theirs.get(p.month, 0.0) for p in points]
        pool = pools.get(pool_id)
        name = pool.name if pool and pool.name else None
        series.append(
            PoolSeries(
                pool=pool_id,
                title=f"{pool_id} ({name})" if name else pool_id,
                sector=pool.sector.value if pool and pool.sector else None,
                months=months,
                used=[p.used for p in points],
                limit=[p.limit for p in points],
                other_used=other_used,
                limit_estimate=[capacity_estimated(pool, p.month) for p in points],
                used_estimate=[bool(p.used) and (pool_id, p.month) in loads for p in points],
            )
        )
    return series


# --------------------------------------------------------------------------------------------------
# the coverage chart's series


@dataclass(frozen=True)
class CoveragePoint:
    date: dt.date
    window: str  # `id date name`
    history: bool
    actors: int
    users: int
    primary: float | None  # population share (`formats.share_counted`) of primary care live after the window
    specialist: float | None  # population share (`formats.share_counted`) of specialist care live after it
    users_share: float | None  # share of all users live after the window
    users_estimate: bool = False  # `users` rests on an estimate (`estimated`)
    #: whether each share rests on an estimate (`formats.share_estimated`): marked `*` in the hover
    primary_estimate: bool = False
    specialist_estimate: bool = False
    users_share_estimate: bool = False
    date_estimate: bool = False  # the window's date rests on an estimate (`window_date_estimated`): `*` in `window`


def coverage_series(problem: Problem, solution: Solution) -> list[CoveragePoint]:
    """After each window (by date): the cumulative shares live, from `window_summary` (population) and
    its users going live (users; all organisations' users in the data are the whole)."""
    all_users = sum(Problem.users(o) for o in problem.organisations)
    users_estimate = window_users_estimated(problem, solution)
    points = []
    for s in window_summary(problem, solution):
        w = s.window
        points.append(
            CoveragePoint(
                date=w.date,
                window=window_title(w),  # its date marked where an estimate
                history=s.history,
                actors=s.actors,
                users=s.users,
                primary=s.primary_share,
                specialist=s.specialist_share,
                users_share=s.users_live / all_users if all_users else None,
                users_estimate=users_estimate.get(w.id, False),
                primary_estimate=s.primary_estimate,
                specialist_estimate=s.specialist_estimate,
                users_share_estimate=s.users_live_estimate,
                date_estimate=window_date_estimated(w),
            )
        )
    return points


COVERAGE_LINES = (
    ("primary", "Population, primary care", SECTOR_COLOURS["primary"]),
    ("specialist", "Population, specialist care", SECTOR_COLOURS["specialist"]),
    ("users_share", "Users", USERS_COLOUR),
)


def coverage_lines(problem: Problem, solution: Solution, other: Solution | None, labels: tuple[str, str],
                   styles: tuple[str, str]):
    """The coverage lines both chart libraries draw: (plan label, line style, points, COVERAGE_LINES
    entry, values, whether each value rests on an estimate) for each plan (the compared one second)
    and each measure it has values for."""
    plans = [(solution, labels[0], styles[0])] + ([(other, labels[1], styles[1])] if other is not None else [])
    for plan, label, style in plans:
        points = coverage_series(problem, plan)
        for line in COVERAGE_LINES:
            values = [getattr(p, line[0]) for p in points]
            if points and any(v is not None for v in values):
                yield label, style, points, line, values, [getattr(p, f"{line[0]}_estimate") for p in points]


# --------------------------------------------------------------------------------------------------
# Plotly figures


def _plotly():
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    return go, make_subplots


def _ms(a: dt.date, b: dt.date) -> int:
    """A bar's length on a date axis: milliseconds."""
    return (b - a).days * 86_400_000


def has_history(rows: list[GanttRow]) -> bool:
    """Whether a chart of these rows shows history: an organisation live before the planning date. Data
    without any has no grey "history" band (the months before the planning date hold only the
    preparation of what is planned), only the planning date's line."""
    return any(r.history for r in rows)


def _history_shapes(problem: Problem, start: dt.date, yref: str = "paper",
                    history: bool = True) -> tuple[list[dict], list[dict]]:
    """The planning-date line with its label and, with `history`, the shaded history before it."""
    planning = problem.planning_date.isoformat()
    shapes = [
        dict(type="line", xref="x", yref=yref, x0=planning, x1=planning, y0=0, y1=1,
             line=dict(color="#555", width=1, dash="dot")),
    ]
    notes = [
        dict(x=planning, y=1, xref="x", yref=yref, yanchor="bottom", xanchor="left", showarrow=False,
             text=f" planning date {planning}", font=dict(size=11, color="#444")),
    ]
    if history:
        shapes.insert(0, dict(type="rect", xref="x", yref=yref, x0=start.isoformat(), x1=planning, y0=0, y1=1,
                              fillcolor=HISTORY_FILL, line=dict(width=0), layer="below"))
        notes.insert(0, dict(x=planning, y=1, xref="x", yref=yref, yanchor="bottom", xanchor="right",
                             showarrow=False, text="◀ history", font=dict(size=11, color="#666")))
    return shapes, notes


def _base_layout(title: str | None, height: int) -> dict:
    return dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)) if title else None,
        height=height,
        font=dict(family=FONT, size=12, color="#222"),
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel=dict(align="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left"),
    )


def _plotly_text(text: str) -> str:
    """Text for Plotly, which reads `<b>`, `<br>` and `&amp;` in labels, legend names and titles as
    HTML: escaped, so that a name shows as written ("A <b>" or "AT&amp;T" in the data)."""
    return html.escape(text, quote=False)


def _gantt_y(rows: list[GanttRow]) -> list[list[str]]:
    """The Gantt's two-level category axis for these rows: (group, row label), as Plotly text."""
    return [[_plotly_text(r.group) for r in rows], [_plotly_text(r.label) for r in rows]]


def gantt_figure(problem: Problem, solution: Solution, group_by: GroupBy = GroupBy.window,
                 other: Solution | None = None, labels: tuple[str, str] = ("plan", "compared"),
                 detail: Detail = Detail.auto):
    """The Gantt chart: rows by window (or track); preparation, go-live and hypercare; history shaded."""
    go, _ = _plotly()
    rows = gantt_rows(problem, solution, group_by, other, detail)
    start, end = chart_range(problem, rows)
    fig = go.Figure()
    # an invisible first trace with every row, in order: the rows' order on the axis (categoryorder "trace")
    fig.add_trace(go.Scatter(x=[start.isoformat()] * len(rows), y=_gantt_y(rows),
                             mode="markers", marker=dict(opacity=0), hoverinfo="skip", showlegend=False))
    sectors = list(dict.fromkeys(["specialist", "primary"] + [r.sector for r in rows]))
    for sector in sectors:
        mine = [r for r in rows if r.sector == sector and r.go_live is not None]
        if not mine:
            continue
        colour = sector_colour(sector)
        group = dict(legendgroup=sector, legendgrouptitle_text=SECTOR_TITLES.get(sector, sector.title()))
        for phase, span, alpha in (("preparation", "preparation", PREP_ALPHA), ("hypercare", "hypercare", CARE_ALPHA)):
            with_span = [r for r in mine if getattr(r, span)]
            if not with_span:
                continue
            fig.add_trace(go.Bar(
                orientation="h",
                name=phase,
                y=_gantt_y(with_span),
                base=[getattr(r, span)[0].isoformat() for r in with_span],
                x=[_ms(*getattr(r, span)) for r in with_span],
                marker=dict(color=rgba(colour, alpha), opacity=[HISTORY_ALPHA if r.history else 1 for r in with_span],
                            line=dict(width=0)),
                hovertext=[row_hover(r, *labels) for r in with_span],
                hoverinfo="text",
                width=0.7,
                **group,
            ))
            group.pop("legendgrouptitle_text", None)
        fig.add_trace(go.Scatter(
            mode="markers",
            name="go-live",
            y=_gantt_y(mine),
            x=[r.go_live.isoformat() for r in mine],
            marker=dict(symbol="diamond", size=10, color=colour, line=dict(color="#1b1b1b", width=1),
                        opacity=[HISTORY_ALPHA + 0.2 if r.history else 1 for r in mine]),
            hovertext=[row_hover(r, *labels) for r in mine],
            hoverinfo="text",
            **group,
        ))
    if other is not None:
        theirs = [r for r in rows if r.moved and r.other.go_live is not None]
        if theirs:
            fig.add_trace(go.Scatter(
                mode="markers",
                name=_plotly_text(f"{labels[1]}: go-live where it differs"),
                y=_gantt_y(theirs),
                x=[r.other.go_live.isoformat() for r in theirs],
                marker=dict(symbol="diamond-open", size=13, line=dict(width=2), color=COMPARE_COLOUR),
                hovertext=[row_hover(r, *labels) for r in theirs],
                hoverinfo="text",
                legendgroup="compared",
                legendgrouptitle_text="Compared plan",
            ))
    history = has_history(rows)
    if history:  # the history's legend entry (the shading itself is a shape)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers",
                                 name=f"history: before {problem.planning_date.isoformat()}",
                                 marker=dict(symbol="square", size=14, color=HISTORY_FILL), hoverinfo="skip",
                                 legendgroup="history", legendgrouptitle_text="History"))
    shapes, notes = _history_shapes(problem, start, history=history)
    plot_height = 22 * max(len(rows), 3)
    top = 150
    fig.update_layout(
        **_base_layout(None, plot_height + top + 50),
        barmode="overlay",
        shapes=shapes,
        annotations=[dict(n, y=0, yanchor="top") for n in notes],
        margin=dict(l=10, r=20, t=top, b=50),
        xaxis=dict(type="date", range=[start.isoformat(), end.isoformat()], showgrid=True, gridcolor="#eee",
                   dtick="M3", tickformat="%b\n%Y", ticks="outside", side="top", showline=True, linecolor="#ccc"),
        yaxis=dict(type="multicategory", range=[len(rows) - 0.5, -0.5], autorange=False, categoryorder="trace",
                   showgrid=False, showdividers=True, dividercolor="#bbb", tickfont=dict(size=11), fixedrange=True),
        updatemenus=[dict(
            type="buttons", direction="left", x=1, xanchor="right", y=1 + 42 / plot_height, yanchor="bottom",
            showactive=True, active=0,
            buttons=[
                dict(label="whole rollout", method="relayout",
                     args=[{"xaxis.range": [start.isoformat(), end.isoformat()]}]),
                dict(label="from the planning date", method="relayout",
                     args=[{"xaxis.range": [month_start(problem.start_month - 1).isoformat(), end.isoformat()]}]),
            ],
        )],
    )
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1 + 42 / plot_height, x=0, xanchor="left",
                                  groupclick="toggleitem"))
    return fig


def over_limit_rows(series: list[PoolSeries]) -> list[list[str]]:
    """Each month a pool is over its limit, as text (`pool`, `YYYY-MM`, load, limit, use; marked `*` as
    the chart's hover marks them): the page lists them all, not only the peak, so that neither the bars'
    colour nor the hover (which a keyboard and a screen reader do not reach) is the only place they are."""
    rows = []
    for s in series:
        for m, u, l, over, e, ue in zip(s.months, s.used, s.limit, s.over, s.limit_estimate or [False] * len(s.months),
                                        s.used_estimate or [False] * len(s.months)):
            if over:
                rows.append([s.title, f"{m:%Y-%m}", marked(fmt_number(u), ue), marked(fmt_number(l), e),
                             marked(fmt_share(u / l), ue or (e and bool(u))) if l else ""])
    return rows


def load_figure(problem: Problem, solution: Solution, other: Solution | None = None,
                labels: tuple[str, str] = ("plan", "compared")):
    """Each FTE pool's load by month against its limit (one panel per pool); months over the limit red,
    hatched and outlined (a cue that is not colour: `OVER_HATCH`), and listed in the page (`over_limit_rows`).
    A limit that rests on an estimate is marked `*` in the panel's title and in the hover (which then
    says what the mark means: it is read alone)."""
    go, make_subplots = _plotly()
    series = load_series(problem, solution, other)
    peaks = {p.pool: p for p in peak_loads(problem, solution)}
    titles = []
    for s in series:
        peak = peaks.get(s.pool)
        text = s.title
        if peak is not None:
            limit = marked(fmt_number(peak.limit), peak.limit_estimate)
            text += (f": peak {marked(fmt_number(peak.used), peak.used_estimate)} FTE in {peak.month} (limit {limit}, "
                     f"{marked(fmt_share(peak.utilisation), peak.utilisation_estimate)})" + fullest_said(peak))
        titles.append(html.escape(text))
    rows = max(len(series), 1)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, subplot_titles=titles or None, vertical_spacing=0.12 / rows + 0.04)
    for i, s in enumerate(series, start=1):
        colour = sector_colour(s.sector) if s.sector else OTHER_SECTOR_COLOUR
        months = [m.isoformat() for m in s.months]
        hover = [
            f"{m:%Y-%m}: {marked(fmt_number(u), ue)} of {marked(fmt_number(l), e)} FTE"
            + (f" ({marked(fmt_share(u / l), ue or (e and bool(u)))})" if l else "")
            + (f"<br>{html.escape(labels[1])}: {fmt_number(o)} FTE" if s.other_used is not None else "")
            + (f"<br>{html.escape(estimate_note(ue))}" if e or ue else "")
            for m, u, l, o, e, ue in zip(s.months, s.used, s.limit, s.other_used or s.used,
                                         s.limit_estimate or [False] * len(s.months),
                                         s.used_estimate or [False] * len(s.months))
        ]
        fig.add_trace(go.Bar(
            x=months, y=s.used, name=f"{s.pool}: load", xperiod="M1", xperiodalignment="middle",
            # over the limit: red, and (for a reader who cannot tell red from green) hatched and outlined
            marker=dict(color=[LIMIT_COLOUR if over else colour for over in s.over],
                        pattern=dict(shape=[OVER_HATCH if over else "" for over in s.over], fillmode="overlay",
                                     fgcolor="#ffffff", solidity=0.35),
                        line=dict(width=[OVER_OUTLINE_WIDTH if over else 0 for over in s.over], color=OVER_OUTLINE)),
            hovertext=hover, hoverinfo="text", legendgroup=s.pool, showlegend=True,
        ), row=i, col=1)
        end = month_start(month_index(s.months[-1]) + 1).isoformat()
        fig.add_trace(go.Scatter(
            x=months + [end], y=s.limit + s.limit[-1:], name=f"{s.pool}: limit", mode="lines", line_shape="hv",
            line=dict(color=LIMIT_COLOUR, width=2, dash="dash"), hoverinfo="skip", legendgroup=s.pool,
        ), row=i, col=1)
        if s.other_used is not None:
            fig.add_trace(go.Scatter(
                x=months, y=s.other_used, name=_plotly_text(f"{s.pool}: {labels[1]}"), mode="lines+markers",
                xperiod="M1", xperiodalignment="middle", line=dict(color=COMPARE_COLOUR, width=2, dash="dot"),
                marker=dict(size=4), hoverinfo="skip", legendgroup=s.pool,
            ), row=i, col=1)
        fig.update_yaxes(title_text="FTE", rangemode="tozero", gridcolor="#eee", row=i, col=1)
    fig.update_xaxes(type="date", dtick="M3", tickformat="%b\n%Y", gridcolor="#eee", showline=True, linecolor="#ccc")
    fig.update_layout(**_base_layout(None, 110 + 260 * rows), bargap=0.08, margin=dict(l=60, r=20, t=80, b=50))
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1 + 40 / (260 * rows), x=0, xanchor="left"))
    return fig


def coverage_figure(problem: Problem, solution: Solution, other: Solution | None = None,
                    labels: tuple[str, str] = ("plan", "compared")):
    """The cumulative share of the population (primary, specialist) and of users live, by window."""
    go, _ = _plotly()
    rows = gantt_rows(problem, solution, other=other)
    start, end = chart_range(problem, rows)
    fig = go.Figure()
    lines = coverage_lines(problem, solution, other, labels, ("solid", "dash"))
    for label, dash, points, (attr, name, colour), values, estimates in lines:
        x = [p.date.isoformat() for p in points] + [end.isoformat()]
        y = [v if v is not None else 0 for v in values]
        hover = [
            f"<b>{html.escape(name)}: {marked(fmt_share(v), e)}</b><br>after {html.escape(p.window)}"
            + (" (history)" if p.history else "")
            + f"<br>going live: {p.actors} actor{'s' if p.actors != 1 else ''}, "
            + marked(fmt_int(p.users), p.users_estimate) + " users"
            + (f"<br>{html.escape(label)}" if other is not None else "")
            + (f"<br>{html.escape(ESTIMATE_NOTE)}" if p.users_estimate or e or p.date_estimate else "")
            for p, v, e in zip(points, values, estimates)
        ]
        fig.add_trace(go.Scatter(
            x=x, y=y + y[-1:], mode="lines+markers", line_shape="hv",
            name=_plotly_text(name + (f" ({label})" if other is not None else "")),
            line=dict(color=colour if dash == "solid" else COMPARE_COLOUR if attr == "users_share" else colour,
                      width=2.5 if dash == "solid" else 2, dash=dash),
            marker=dict(size=[7] * len(points) + [0], color=colour),
            hovertext=hover + [""], hoverinfo="text",
        ))
    shapes, notes = _history_shapes(problem, start, history=has_history(rows))
    fig.update_layout(
        **_base_layout(None, 480),
        shapes=shapes,
        annotations=notes,
        margin=dict(l=60, r=20, t=90, b=50),
        xaxis=dict(type="date", range=[start.isoformat(), end.isoformat()], dtick="M3", tickformat="%b\n%Y",
                   gridcolor="#eee", showline=True, linecolor="#ccc"),
        yaxis=dict(range=[0, 1.04], tickformat=".0%", gridcolor="#eee", title="live"),
    )
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0, xanchor="left"))
    return fig


# --------------------------------------------------------------------------------------------------
# the HTML report

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}

CSS = """
body { font-family: %s; color: #222; margin: 0; background: #f6f7f8; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 34px 0 6px; }
p.meta { margin: 4px 0; color: #444; }
p.caption { margin: 4px 0 10px; color: #555; max-width: 70em; }
section.card { background: white; border: 1px solid #e1e4e8; border-radius: 8px; padding: 14px 18px; margin-top: 18px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; font-size: 13px; }
.optimal { background: #d8f3dc; color: #1b5e20; } .feasible { background: #fff3cd; color: #7a5b00; }
.infeasible, .unknown, .broken { background: #fde2e1; color: #8e1b13; } .checked { background: #e3eefc; color: #1d4f91; }
.file { background: #ececec; color: #333; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { padding: 4px 12px 4px 0; text-align: left; border-bottom: 1px solid #eee; vertical-align: top; }
th { font-weight: 600; border-bottom: 1px solid #ccc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.history td { color: #777; }
.grid { display: flex; flex-wrap: wrap; gap: 18px 48px; }
footer { margin-top: 36px; color: #777; font-size: 13px; }
""" % FONT


def _with_code(text: str) -> str:
    """The text escaped for HTML, its `code` spans (a command, a file's key) as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _esc(text))


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: list[str], rows: list[list[object]], numeric: Iterable[int] = (),
           row_classes: list[str] | None = None) -> str:
    numeric = set(numeric)
    head = "".join(f'<th class="num">{_esc(h)}</th>' if i in numeric else f"<th>{_esc(h)}</th>"
                   for i, h in enumerate(header))
    body = []
    for n, row in enumerate(rows):
        cls = f' class="{row_classes[n]}"' if row_classes and row_classes[n] else ""
        cells = "".join(f'<td class="num">{_esc(c)}</td>' if i in numeric else f"<td>{_esc(c)}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(fig, div_id: str, with_js: bool) -> str:
    import plotly.io as pio

    return pio.to_html(fig, include_plotlyjs=with_js, full_html=False, div_id=div_id, config=PLOTLY_CONFIG,
                       default_width="100%", validate=True)


@dataclass
class ReportPlan:
    """A plan as the report shows it."""

    solution: Solution
    label: str = "plan"
    violations: list = field(default_factory=list)  # from the independent verifier: the rules it breaks
    verified: bool = False  # the verifier ran on it
    note: str | None = None  # how the command planned it: against the compared plan, or from scratch
    stale: list = field(default_factory=list)  # the verifier's findings on figures saved with it (`stale_figures`)


def _header(problem: Problem, main: ReportPlan, other: ReportPlan | None) -> str:
    solution = main.solution
    where = data_name(problem)
    parts = ["<h1>Rollout plan</h1>",
             f'<p class="meta">Data <code>{_esc(where)}</code> · planning date '
             f"<b>{problem.planning_date.isoformat()}</b> · {_esc(main.label)}: {_badge(solution)}"]
    if main.verified:
        if main.violations:
            parts.append(f' <span class="badge broken">{len(main.violations)} rule'
                         f'{"s" if len(main.violations) != 1 else ""} broken</span>')
        else:
            parts.append(' <span class="badge checked">checked: every rule and limit holds</span>')
        if main.stale:
            parts.append(' <span class="badge feasible">saved figures out of date</span>')
    parts.append("</p>")
    for change in problem.applied:
        parts.append(f'<p class="meta">Scenario: {_esc(marked_applied(change))}</p>')
    if main.note:
        parts.append(f'<p class="meta">{_esc(main.label[:1].upper() + main.label[1:])}: {_esc(main.note)}</p>')
    if other is not None:
        parts.append(f'<p class="meta">Compared with <b>{_esc(other.label)}</b>: {_badge(other.solution)} '
                     "(open orange diamonds where a go-live differs; dashed lines)</p>")
    if main.violations:
        parts.append(f'<section class="card"><b>The independent verifier found broken rules:</b>'
                     f"{_listed(main.violations)}</section>")
    if main.stale:
        parts.append('<section class="card"><b>Figures saved with the plan that this data does not give</b> (the data '
                     "changed since the plan was saved, or the plan was edited; these figures break no rule): this "
                     f"report shows the load and the objective as this data gives them.{_listed(main.stale)}</section>")
    return "\n".join(parts)


def _listed(violations: list) -> str:
    """The verifier's findings as an HTML list: the first BROKEN_SHOWN, then how many more."""
    items = "".join(f"<li>{_esc(v.message if hasattr(v, 'message') else v)}</li>" for v in violations[:BROKEN_SHOWN])
    more = len(violations) - BROKEN_SHOWN
    if more > 0:
        items += f"<li>and {fmt_int(more)} more (<code>hpplan check --plan</code> lists them all)</li>"
    return f"<ul>{items}</ul>"


def _badge(solution: Solution) -> str:
    """The plan's status as a badge: the solver's, or for a plan file (`plan_source`) where it comes from."""
    kind = "file" if plan_source(solution) is not None and solution.found else solution.status.value
    return f'<span class="badge {kind}">{_esc(status_text(solution))}</span>'


def _facts(problem: Problem, main: ReportPlan, other: ReportPlan | None) -> str:
    """Counts, objective terms and solver settings, side by side."""
    plans = [main] + ([other] if other is not None else [])
    header = ["", *[p.label for p in plans]]

    def count(plan: ReportPlan, pinned: bool | None) -> int:
        entries = plan.solution.plan
        if pinned is None:
            return sum(e.go_live is None for e in entries)
        return sum(e.go_live is not None and e.pinned == pinned for e in entries)

    def last(plan: ReportPlan) -> str:
        planned = [e for e in plan.solution.plan if e.go_live is not None and not e.pinned]
        if not planned:
            return "–"
        day = max(e.go_live for e in planned)  # marked where that date is an estimate (`go_live_estimated`)
        return marked(day.isoformat(), any(e.go_live == day and go_live_estimated(problem, e) for e in planned))

    rows = [
        ["live before the planning date", *[count(p, True) for p in plans]],
        ["planned go-lives", *[count(p, False) for p in plans]],
        ["not scheduled", *[count(p, None) for p in plans]],
    ]
    missing = [len(not_in_plan(problem, p.solution)) for p in plans]
    if any(missing):  # the data's organisations the plan leaves out: the counts add up to the data's
        rows.append([NOT_IN_PLAN, *missing])
    rows.append(["last go-live", *[last(p) for p in plans]])
    facts = _table(header, rows, numeric=range(1, len(header)))
    note = tie_break_note(problem, main.solution)  # the optionals an unfinished tie-break left out
    if note is not None:
        facts += f'<p class="caption">Not scheduled: {_esc(note)}</p>'
    terms = list(dict.fromkeys(t for p in plans for t, _ in objective_terms(p.solution)))
    objective = ""
    if terms:
        marks = [objective_estimated(problem, p.solution) for p in plans]
        units = objective_units(problem, terms)  # what each term counts: said once, beside the figures
        orows = [[t, *[marked(fmt_number(p.solution.objective[t]), m.get(t, False)) if t in p.solution.objective
                       else "–" for p, m in zip(plans, marks)], units.get(t, "")]
                 for t in terms]
        objective = ('<div><b>Objective</b> (lower is better)'
                     + _table(["term", *[p.label for p in plans], "unit"], orows, numeric=range(1, len(header)))
                     + "</div>")
    stale = any(v.rule == "objective" for v in main.stale)
    # the bound is in the objective's units: marked where the plan's total is (`objective_estimated`)
    bound_estimate = objective_estimated(problem, main.solution).get("total", False)
    solver = [[name, marked(fmt_number(value), bound_estimate) if name == "best bound" and not stale else value]
              for name, value in solver_facts(main.solution, objective_stale=stale)]
    heading = "Source" if plan_source(main.solution) is not None else "Solver"
    solver_html = f"<div><b>{heading}</b> ({_esc(main.label)}){_table(['setting', 'value'], solver)}</div>"
    return (f'<section class="card grid"><div><b>Organisations</b>{facts}</div>{objective}{solver_html}</section>')


def _tables(problem: Problem, main: ReportPlan, other: ReportPlan | None, comparison=None) -> str:
    solution = main.solution
    out = []
    summary = window_summary(problem, solution)
    users_estimate = window_users_estimated(problem, solution)
    dates = window_dates_estimated(problem, solution)
    rows, classes = [], []
    for s, point in zip(summary, coverage_series(problem, solution)):
        rows.append([s.window.id, marked(s.window.date.isoformat(), dates.get(s.window.id, False)),
                     s.window.name or "", s.actors,
                     marked(fmt_int(s.users), users_estimate.get(s.window.id, False)),
                     marked(fmt_share(s.primary_share), s.primary_estimate),
                     marked(fmt_share(s.specialist_share), s.specialist_estimate),
                     marked(fmt_share(point.users_share), point.users_share_estimate)])
        classes.append("history" if s.history else "")
    out.append("<h2>Per window</h2>")
    out.append('<p class="caption">What goes live in each window and the share live after it: the population of '
               "every organisation in its sector (primary, specialist; a GP office's or a trust's unit's counted with "
               "its municipality or trust where that gives one), and all users."
               + (" Grey: history." if any(classes) else "") + "</p>")
    out.append(_table(["window", "date", "name", "actors", "users", "primary live", "specialist live", "users live"],
                      rows, numeric={3, 4, 5, 6, 7}, row_classes=classes))
    # one note for every mark the page shows: users here, in "Not scheduled" and in the hovers, the
    # population of the Gantt chart's rows, a share live here and in the coverage chart's hover, and a
    # limit or a load in the peak load table, the load chart's titles and hover, a window's or a go-live's date
    # here and in the Gantt's and the coverage chart's hover (and the static chart's headings), the objective
    # and its best bound above
    missing = not_in_plan(problem, solution)
    orgs = [problem.org.get(e.id) for e in solution.plan + missing]
    scheduled = [problem.org.get(e.id) for e in solution.plan if e.go_live is not None]
    series = load_series(problem, solution)
    loads = any(any(s.used_estimate) for s in series)
    if (estimated(orgs, "users") or estimated(scheduled, "population")
            or any(s.primary_estimate or s.specialist_estimate or s.users_live_estimate for s in summary)
            or any(any(s.limit_estimate) for s in series) or loads or any(dates.values())
            or any(go_live_estimated(problem, e) for e in solution.plan)
            or any(objective_estimated(problem, solution).values()) or applied_estimated(problem)):
        where = "the scenario lines, " if applied_estimated(problem) else ""
        out.append(f'<p class="caption">{_esc(estimate_note(loads))} (in {where}the tables and the charts\' hover)</p>')
    peaks = peak_loads(problem, solution)
    if peaks:
        out.append("<h2>Peak load per pool</h2>")
        prow = [[label, marked(fmt_number(p.used), p.used_estimate), p.month,
                 marked(fmt_number(p.limit), p.limit_estimate),
                 marked(fmt_share(p.utilisation), p.utilisation_estimate)] for label, p in peak_rows(peaks)]
        out.append(_table(["pool", "peak FTE", "month", "limit FTE", "use"], prow, numeric={1, 3, 4}))
        out += [f'<p class="caption">{_with_code(sentence)}</p>' for sentence in split_sentences(problem, solution)]
    over = over_limit_rows(series)
    if over:
        out.append("<h2>Months over the limit</h2>")
        out.append('<p class="caption">Every month a pool\'s load is over its limit (the load chart\'s red, hatched '
                   "bars).</p>")
        out.append(_table(["pool", "month", "load FTE", "limit FTE", "use"], over, numeric={2, 3, 4}))
    unscheduled = [e for e in solution.plan if e.go_live is None]
    if unscheduled:
        out.append("<h2>Not scheduled</h2>")
        urow = [_unscheduled_row(problem, e) for e in unscheduled]
        out.append(_table(["organisation", "kind", "status in the data", "users"], urow, numeric={3}))
    if missing:
        out.append("<h2>Not in the plan</h2>")
        out.append(f'<p class="caption">The data has these organisations, but {_esc(main.label)} has no entry for '
                   "them (it was made before they were added, or edited): they are neither scheduled nor counted "
                   "live. <code>hpplan check --plan</code> reports each; re-plan to place them.</p>")
        out.append(_table(["organisation", "kind", "status in the data", "users"],
                          [_unscheduled_row(problem, e) for e in missing], numeric={3}))
    if other is not None:
        out.append(_moved_table(problem, main, other, comparison))
    return "\n".join(out)


def _unscheduled_row(problem: Problem, entry: Assignment) -> list:
    """A row of the "Not scheduled" (and "Not in the plan") table: name, kind, status in the data, users."""
    org = problem.org.get(entry.id)
    return [entry.name, kind_noun(entry.kind, 1), org.status.value if org else "",
            marked(fmt_int(org.users), estimated([org], "users")) if org and org.users is not None else ""]


def _moved_table(problem: Problem, main: ReportPlan, other: ReportPlan, comparison=None) -> str:
    """Every organisation whose go-live differs between the plans: from the compared plan (the
    baseline) to this one, months and days later positive, as `hpplan compare` counts them. An
    organisation of the data that one plan leaves out (`not_in_plan`) is "not in the plan" in its column,
    as `hpplan compare` lists one its baseline leaves out: never "the same day", nor "not scheduled". With the
    `comparison` (`compare.Comparison`), each row's cost in MNOK (`move_cost`), as `hpplan compare` gives it."""
    solution, compared = main.solution, other.solution
    names = {m.id: m.name for m in comparison.moves} if comparison is not None else {}
    costs = {m.id: move_cost(m, names) for m in comparison.moves} if comparison is not None else None
    missing_here = not_in_plan(problem, solution)
    missing = {e.id for e in missing_here}
    left_out = not_in_plan(problem, compared)

    def when(entry: Assignment | None, absent: bool) -> str:
        if absent or entry is None:
            return NOT_IN_PLAN
        # a date marked where it rests on an estimate (`go_live_estimated`), as in the hovers
        if entry.go_live is None:
            return "not scheduled"
        return marked(entry.go_live.isoformat(), go_live_estimated(problem, entry))

    moved = [r for r in gantt_rows(problem, solution, other=compared) if r.moved]
    mrow, ids = [], []
    for r in moved:
        by = moved_by(r)
        ids.append(r.entry.id)
        # the months and days between two dates one of which rests on an estimate are marked, as compare marks them
        guessed = by is not None and (go_live_estimated(problem, r.entry) or go_live_estimated(problem, r.other))
        mrow.append([r.entry.name, when(r.other, False), when(r.entry, r.entry.id in missing),
                     marked(f"{by[0]:+d}", guessed) if by is not None else "",
                     marked(f"{by[1]:+d}", guessed) if by is not None else ""])
    known = {r.entry.id for r in moved}
    for e in solution.plan:  # scheduled here, not in the compared plan's dates (`gantt_rows` has no row)
        o = compared.assignment(e.id)
        if e.go_live is not None and o is not None and o.go_live is None and e.id not in known:
            ids.append(e.id)
            mrow.append([e.name, "not scheduled", when(e, False), "", ""])
            known.add(e.id)
    for e in missing_here:  # left out here, not scheduled in the compared plan
        o = compared.assignment(e.id)
        if o is not None and o.go_live is None and e.id not in known:
            ids.append(e.id)
            mrow.append([e.name, "not scheduled", NOT_IN_PLAN, "", ""])
            known.add(e.id)
    for e in left_out:  # the compared plan has no entry for it: whatever this plan says, it differs
        if e.id not in missing and e.id not in known:
            ids.append(e.id)
            mrow.append([e.name, NOT_IN_PLAN, when(solution.assignment(e.id), False), "", ""])
    out = [f"<h2>Moved from {_esc(other.label)}</h2>"]
    if not mrow:
        out.append("<p>Every organisation goes live on the same day in both plans.</p>")
        return "\n".join(out)
    caption = (f"Each go-live that differs, from {_esc(other.label)} (the baseline) to {_esc(main.label)}: months "
               f"and days later in {_esc(main.label)} are positive, as <code>hpplan compare</code> counts them.")
    if left_out:
        caption += (f" {_esc(other.label)} has no entry for {fmt_int(len(left_out))} of the data's organisations "
                    f"({_esc(NOT_IN_PLAN)}): it was made before they were added, from other data, or edited.")
    out.append(f'<p class="caption">{caption}</p>')
    header = ["organisation", other.label, main.label, f"months later in {main.label}", "days later"]
    numeric = {3, 4}
    if costs is not None:  # each move's cost, later positive, as `hpplan compare` gives it
        header.append(f"cost MNOK (later in {main.label} positive)")
        mrow = [[*row, costs.get(ident, "")] for row, ident in zip(mrow, ids)]
        numeric.add(5)
        if any(m.cost is not None and m.cost_estimate for m in comparison.moves):
            out.append(f'<p class="caption">Cost: the data\'s postponement cost per month × the calendar months '
                       f"moved; {_esc(ESTIMATE_NOTE)}.</p>")
        else:
            out.append('<p class="caption">Cost: the data\'s postponement cost per month × the calendar months '
                       "moved.</p>")
    out.append(_table(header, mrow, numeric=numeric))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# the comparison's totals: the board's headline figures, as `hpplan compare` words them


def comparison_of(problem: Problem, solution: Solution, other: Solution | None,
                  compared_problem: Problem | None = None):
    """What `hpplan compare` finds from the compared plan `other` (the baseline, of `compared_problem`: the
    data without the scenarios, as `compare --baseline` reads it; default `problem`) to `solution` (of
    `problem`): a `compare.Comparison`, or None when there is nothing to compare (no compared plan, or
    one of the two has no plan). Its `freeze_until` is the one `solution`'s re-plan kept, as `compare` takes
    it."""
    if other is None or not solution.found or not other.found:
        return None
    from .compare import compare

    return compare(other, compared_problem if compared_problem is not None else problem, solution, problem)


def comparison_totals(c) -> list[str]:
    """The totals of a comparison (`compare.Comparison`) in `hpplan compare`'s words, line for line
    (`compare.totals_text`: its table's, Markdown's and `solve --baseline`'s, the peak loads apart). The HTML
    report's header and the spreadsheet's Changes sheet say them so."""
    from .compare import totals_text

    return totals_text(c)


def comparison_estimated(c) -> bool:
    """Whether a figure of the totals (`comparison_totals`) or a move's cost is marked `*`."""
    return (c.cost_is_estimate or any(m.cost_estimate for m in c.open_ended_costs)
            or any(m.cost_estimate for m in c.moves if m.cost is not None)
            or c.population_months_is_estimate or c.population_out_is_estimate or c.population_in_is_estimate)


def move_cost(move, names: dict[str, str] | None = None) -> str:
    """A move's cost in MNOK as the report and the spreadsheet show it: its cost per month × months moved
    (later positive), marked `*` where the cost per month is an estimate; where the data gives none, why:
    its trust's cost covers it (`Move.cost_carried_by`, said by its name in `names`), or no cost is given
    (unknown, not 0)."""
    if move.cost is not None:
        return marked(fmt_number(move.cost), move.cost_estimate)
    if move.cost_carried_by is not None:
        return f"in {(names or {}).get(move.cost_carried_by, move.cost_carried_by)}'s cost"
    if move.change in ("later", "unscheduled") and move.no_cost_given:
        return "no cost given"
    if move.cost_per_month is not None and move.change == "unscheduled":  # open-ended: no number of months
        return f"{marked(fmt_number(move.cost_per_month), move.cost_estimate)} a month, open-ended"
    return ""


def _changes_card(comparison, main: ReportPlan, other: ReportPlan) -> str:
    """The comparison's totals under the header: the board's headline figures, as `hpplan compare` says them."""
    lines = "".join(f"<li>{_esc(line)}</li>" for line in comparison_totals(comparison))
    note = (f'<p class="caption">{_esc(ESTIMATE_NOTE)} (costs per month, populations)</p>'
            if comparison_estimated(comparison) else "")
    if comparison.base_violations:  # (a plan file such as the adopted plan): its repairs are no effect of the changes
        note = (f'<p class="caption"><b>{_esc(other.label)} breaks {rules_or_limits(len(comparison.base_violations))}'
                f" of this data</b> ({_esc(comparison.base_broken_said)}): what the plan does about them is a repair "
                "of it, not an effect of the changes; <code>hpplan check --plan</code> on it lists them.</p>") + note
    return (f'<section class="card" id="changes"><b>Changes from {_esc(other.label)} to {_esc(main.label)}</b> '
            f"(as <code>hpplan compare</code> counts them; why each moved: <code>hpplan compare</code>)"
            f"<ul>{lines}</ul>{note}</section>")


#: the Gantt's caption with one row per window and kind (`Detail.window`)
WINDOW_ROWS_CAPTION = (
    "One row per go-live window and kind of organisation{by_track} ({count}{why}; `hpplan report --detail "
    "organisation` draws a row each). Light bars: preparation, from the first "
    "member's start; diamond: the go-live day; darker bars: hypercare, to the last member's end. Cyan: "
    "specialist care, green: primary care.{history} Hover a row for its users and population.")

CAPTIONS = {
    "gantt": "One row per organisation, grouped by {group}. Light bars: preparation months; diamond: the "
             "go-live day; darker bars: hypercare months (from the load profiles). Cyan: specialist care, "
             "green: primary care.{history} Hover a row for "
             "its details; drag to zoom, double-click to zoom out.",
    "load": "Each pool's load in FTE by month (bars) against its limit (dashed red line); a red bar, hatched "
            "and outlined, is a month over the limit (the table \"Months over the limit\" below lists each). The load counts the preparation and hypercare of every organisation the "
            "pool supports.",
    "coverage": "The cumulative share live after each window: the population of every organisation in its sector "
                "(primary care, specialist care; a GP office's or a hospital's counted with its municipality or trust "
                "where that gives one), and the users of all organisations.",
}


def report_html(problem: Problem, solution: Solution, *, label: str = "plan", other: Solution | None = None,
                other_label: str = "compared", group_by: GroupBy = GroupBy.window, verify_plan: bool = True,
                detail: Detail = Detail.auto, violations: list | None = None, plan_note: str | None = None,
                compared_problem: Problem | None = None) -> str:
    """The whole report as one self-contained HTML page (plotly.js inline, no network needed).
    Deterministic: the same problem and plans give the same bytes. `violations`: the verifier's
    findings when the caller has them (else, with `verify_plan`, the plan is verified here): the rules
    it breaks in a red box, figures saved with it that this data does not give in a box of their own
    (`stale_figures`). `plan_note`: how the plan was made (re-planned against the compared plan, or
    from scratch), one line under the header, as `hpplan compare` says it in its title. With `other`, the
    comparison's totals (`comparison_totals`: moved later and earlier, population-months, cost of delay) stand
    under the header and each move's cost in the "Moved from" table, as `hpplan compare` finds them from `other`
    (the baseline, of `compared_problem`: the data without the scenarios; default `problem`) to `solution`."""
    from . import __version__

    checked_arguments("report_html", problem, solution, other=other)
    group_by = choice(GroupBy, group_by, "group_by")
    # plan files' names (`--plan`, `--compare`) as UTF-8 can hold them; the page as a whole below
    label, other_label = readable(label), readable(other_label)
    plan_note = readable(plan_note) if plan_note is not None else None
    main = ReportPlan(solution, label, note=plan_note)
    if verify_plan and solution.found:
        found = plan_violations(problem, solution, violations)
        main.violations, main.stale = broken_rules(found), stale_figures(found)
        main.verified = True
    second = ReportPlan(other, other_label) if other is not None else None
    comparison = comparison_of(problem, solution, other, compared_problem)
    labels = (label, other_label)
    other_solution = other
    if solution.plan:
        charts = [
            ("gantt", "Go-live plan", gantt_figure(problem, solution, group_by, other_solution, labels, detail)),
            ("load", "Load on the FTE pools", load_figure(problem, solution, other_solution, labels)),
            ("coverage", "Population and users live", coverage_figure(problem, solution, other_solution, labels)),
        ]
    else:
        charts = []
    body = [_header(problem, main, second)]
    if comparison is not None:
        body.append(_changes_card(comparison, main, second))
    body.append(_facts(problem, main, second))
    # the grey band is drawn where the plan has history (`has_history`), and said only then
    history = (" Grey background: history, before the planning date."
               if has_history(gantt_rows(problem, solution, group_by, other_solution, detail)) else "")
    for i, (key, heading, fig) in enumerate(charts):
        caption = CAPTIONS[key].format(group="go-live window" if group_by is GroupBy.window else "track",
                                       history=history)
        if key == "gantt" and resolved_detail(solution, detail) is Detail.window:
            why = (f": more than {fmt_int(DETAIL_AUTO_MAX)} in the plan, too many for a row each"
                   if detail is Detail.auto else "")
            caption = WINDOW_ROWS_CAPTION.format(count=summary_count(solution), why=why, history=history,
                                                 by_track="" if group_by is GroupBy.window else ", grouped by track")
        body.append(f'<h2>{_esc(heading)}</h2>\n<p class="caption">{_esc(caption)}</p>')
        body.append(f'<section class="card chart" id="{key}">{_figure_html(fig, DIV_IDS[key], i == 0)}</section>')
    if not charts:
        body.append(f"<p>No plan to show ({_esc(solution.status.value)}).</p>")
    else:
        body.append(_tables(problem, main, second, comparison))
    where = data_name(problem)
    body.append(f"<footer>Made by hpplan {__version__} from <code>{_esc(where)}</code>. Every chart works "
                "offline: this file holds everything it shows.</footer>")
    title = f"Rollout plan · {where} · {problem.planning_date.isoformat()}"
    return readable(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------------------------------
# static charts (matplotlib): PNG and SVG for slides


def _matplotlib():
    from matplotlib.figure import Figure

    return Figure


def _draw_history(ax, problem: Problem, start: dt.date, history: bool = True) -> None:
    """The planning date's line and, with `history` (`has_history`), the grey history band before it."""
    if history:
        ax.axvspan(start, problem.planning_date, color="#777", alpha=0.13, lw=0, zorder=0)
    ax.axvline(problem.planning_date, color="#555", lw=0.8, ls=":", zorder=1)


#: the months between labelled dates on a static chart's axis: the first that leaves room for the labels
DATE_TICK_MONTHS = (6, 12, 24, 60)


def _date_ticks():
    """A matplotlib locator and formatter for a date axis: a labelled tick on the first of January and
    July ("Jul 2025"), or where the axis is too narrow for that many labels (a national rollout over
    ten years, or a Gantt whose long organisation names leave it little width) every January ("2026"),
    every other one, or every fifth. The step is chosen when the chart is drawn, from the axis's width
    and its labels' font size, so labels never run into each other ("Jul 2025Jan 2026")."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import Formatter, Locator

    class Ticks(Locator):
        step = DATE_TICK_MONTHS[0]

        def __call__(self):
            low, high = self.axis.get_view_interval()
            return self.tick_values(low, high)

        def tick_values(self, vmin, vmax):
            first, last = mdates.num2date(vmin).date(), mdates.num2date(vmax).date()
            months = max(month_index(last) - month_index(first), 1)
            axes = self.axis.axes
            inches = axes.bbox.width / axes.figure.dpi
            em = self.axis.get_major_ticks(1)[0].label1.get_fontsize() / 72  # the labels' font size, inches
            for step in DATE_TICK_MONTHS:
                # "Jan 2026" is 4.4 em wide in DejaVu Sans, "2026" 2.4 em; and a gap of 0.6 em
                label = em * ((4.4 if step < 12 else 2.4) + 0.6)
                if inches * step / months >= label:
                    break
            self.step = step
            index = -(-month_index(first) // step) * step  # the first multiple of step: January (and July)
            return [mdates.date2num(month_start(i)) for i in range(index, month_index(last) + 1, step)]

    class Labels(Formatter):
        def __call__(self, x, pos=None):
            return mdates.num2date(x).strftime("%b %Y" if ticks.step < 12 else "%Y")

    ticks = Ticks()
    return ticks, Labels()


def _date_axis(ax, start: dt.date, end: dt.date) -> None:
    import matplotlib.dates as mdates

    ax.set_xlim(start, end)
    locator, formatter = _date_ticks()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(axis="x", which="major", color="#e5e5e5", lw=0.8)


def _static_gantt(ax, problem: Problem, rows: list[GanttRow], start: dt.date, end: dt.date,
                  other: bool, labels: tuple[str, str], heading: str = "Go-live plan") -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    history = has_history(rows)
    _draw_history(ax, problem, start, history)
    ticks, names = [], []
    y = 0.0
    last_group = None
    for row in rows:
        if row.group != last_group:
            if last_group is not None:
                ax.axhline(y - 0.1, color="#bbb", lw=0.6)
            ax.text(start, y + 0.35, " " + row.group_title, fontsize=8, fontweight="bold", va="center",
                    color="#333", clip_on=True)
            y += 1
            last_group = row.group
        colour = sector_colour(row.sector)
        fade = HISTORY_ALPHA if row.history else 1.0
        for span, alpha in ((row.preparation, PREP_ALPHA), (row.hypercare, CARE_ALPHA)):
            if span:
                ax.barh(y, (span[1] - span[0]).days, left=span[0], height=0.7, color=colour, alpha=alpha * fade, lw=0)
        if row.go_live is not None:
            ax.plot([row.go_live], [y], marker="D", ms=5, color=colour, mec="#1b1b1b", mew=0.6, alpha=fade)
        if other and row.moved and row.other.go_live is not None:
            ax.plot([row.other.go_live], [y], marker="D", ms=8, mfc="none", mec=COMPARE_COLOUR, mew=1.4)
        ticks.append(y)
        names.append(row.label)
        y += 1
    ax.set_ylim(y - 0.3, -0.7)
    ax.set_yticks(ticks, names, fontsize=7)
    ax.tick_params(axis="y", length=0)
    _date_axis(ax, start, end)
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    for side in ("right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    handles = []
    for sector in [s for s in SECTOR_COLOURS if any(r.sector == s for r in rows)]:
        colour = SECTOR_COLOURS[sector]
        title = SECTOR_TITLES[sector].lower()
        handles += [Patch(color=colour, alpha=PREP_ALPHA, label=f"{title}: preparation"),
                    Line2D([], [], ls="", marker="D", color=colour, mec="#1b1b1b", label=f"{title}: go-live"),
                    Patch(color=colour, alpha=CARE_ALPHA, label=f"{title}: hypercare")]
    if other:
        handles.append(Line2D([], [], ls="", marker="D", mfc="none", mec=COMPARE_COLOUR, label=f"{labels[1]}: go-live where it differs"))
    if history:
        handles.append(Patch(color="#777", alpha=0.13, label=f"history (before {problem.planning_date.isoformat()})"))
    if any(r.window_date_estimate for r in rows if r.window_title and r.group_title.startswith(r.window_title)):
        # a heading's window date marked `*` (`window_title`): the legend says what the mark means
        handles.append(Line2D([], [], ls="", label="* after a window's date: an estimate (see the data's source notes)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), ncol=-(-len(handles) // 3), fontsize=7,
              frameon=False)  # a column per sector: preparation, go-live, hypercare
    ax.set_title(heading, loc="left", fontsize=12, fontweight="bold")


def _static_load(axes, problem: Problem, solution: Solution, other: Solution | None, labels,
                 span: tuple[dt.date, dt.date] | None = None, history: bool = False) -> None:
    """Each pool's load in a panel of its own; `span`: the time axis's limits, those of the charts stacked
    with it (a go-live in the Gantt above is over its months here), else the pools' own months; there, the
    months before the planning date (no load is counted for them) are shaded as history where the Gantt's
    are (`history`), and the planning date's line is drawn."""
    series = load_series(problem, solution, other)
    peaks = {p.pool: p for p in peak_loads(problem, solution)}
    for n, (ax, s) in enumerate(zip(axes, series)):
        colour = sector_colour(s.sector) if s.sector else OTHER_SECTOR_COLOUR
        lefts = s.months
        widths = [(month_start(month_index(m) + 1) - m).days * 0.9 for m in lefts]
        bars = ax.bar(lefts, s.used, width=widths, align="edge", color=[LIMIT_COLOUR if o else colour for o in s.over],
                      lw=0, label=f"{s.pool}: load")
        for bar, over in zip(bars, s.over):  # over the limit: hatched and outlined too, a cue that is not colour
            if over:
                bar.set_hatch(OVER_HATCH * 3)
                bar.set_edgecolor(OVER_OUTLINE)
                bar.set_linewidth(0.8)
        if any(s.over):
            ax.fill_between([], [], facecolor=LIMIT_COLOUR, hatch=OVER_HATCH * 3, edgecolor=OVER_OUTLINE, lw=0.8,
                            label="over the limit")  # the legend's entry (an empty bar's took the default colour)
        edges = lefts + [month_start(month_index(lefts[-1]) + 1)]
        ax.step(edges, s.limit + s.limit[-1:], where="post", color=LIMIT_COLOUR, ls="--", lw=1.5, label="limit")
        if s.other_used is not None:
            mids = [m + dt.timedelta(days=14) for m in lefts]
            ax.plot(mids, s.other_used, color=COMPARE_COLOUR, ls=":", lw=1.6, marker=".", label=labels[1])
        peak = peaks.get(s.pool)
        title = s.title
        if peak is not None:
            title += (f": peak {marked(fmt_number(peak.used), peak.used_estimate)} FTE in {peak.month} "
                      f"({marked(fmt_share(peak.utilisation), peak.utilisation_estimate)} of the limit)"
                      + fullest_said(peak))
            if peak.used_estimate or peak.utilisation_estimate:  # the title's marks: the legend says what they mean
                ax.plot([], [], ls="", label=estimate_note(peak.used_estimate))
        ax.set_title(title, loc="left", fontsize=9, fontweight="bold" if n == 0 else "normal")
        if span is not None:
            _draw_history(ax, problem, span[0], history)
        ax.set_ylabel("FTE", fontsize=8)
        ax.set_ylim(0, max(s.limit + s.used + (s.other_used or [])) * 1.12 or 1)
        _date_axis(ax, *(span or (lefts[0] - dt.timedelta(days=15), edges[-1] + dt.timedelta(days=15))))
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="upper right", frameon=False, ncol=3)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)


def _static_coverage(ax, problem: Problem, solution: Solution, other: Solution | None, start: dt.date,
                     end: dt.date, labels, history: bool = True) -> None:
    from matplotlib.ticker import PercentFormatter

    _draw_history(ax, problem, start, history)
    lines = coverage_lines(problem, solution, other, labels, ("-", "--"))
    marks = False
    for label, style, points, (_, name, colour), values, estimates in lines:
        y = [v or 0 for v in values]
        x = [p.date for p in points]
        marks |= any(estimates)
        # the chart shows no figure, but its shares rest on estimated figures: the legend says so
        ax.step(x + [end], y + y[-1:], where="post", color=colour, ls=style, lw=2 if style == "-" else 1.5,
                label=marked(name, any(estimates)) + (f" ({label})" if other is not None else ""))
        if style == "-":
            ax.plot(x, y, ls="", marker="o", ms=3, color=colour)
    if marks:
        ax.plot([], [], ls="", label=ESTIMATE_NOTE)
    ax.set_ylim(0, 1.04)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _date_axis(ax, start, end)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#eee")
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.set_title("Share of the population and of users live", loc="left", fontsize=12, fontweight="bold")
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)


def static_figure(problem: Problem, solution: Solution, chart: Chart = Chart.all, **options):
    """A matplotlib Figure of one chart, or of all three stacked (Gantt, load, coverage). The title
    says the plan's status and, with `verify_plan`, whether it breaks rules or limits of this data
    (`violations` when the caller has them, else the verifier runs here): a slide must not call a
    plan over this data's limits "optimal". `plan_note` (how the plan was made) ends the title, and
    the data's organisations the plan leaves out (`not_in_plan`) are named under it. Every text is
    drawn as written: a name or folder with `$...$` in it is no formula (matplotlib's mathtext read
    `Leka 5$ og 10$` as one, or failed on it), whatever the caller's `text.parse_math`."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):  # (each text keeps it from its creation on)
        return _static_figure(problem, solution, chart, **options)


def _static_figure(problem: Problem, solution: Solution, chart: Chart = Chart.all, *,
                   group_by: GroupBy = GroupBy.window, other: Solution | None = None, detail: Detail = Detail.auto,
                   labels: tuple[str, str] = ("plan", "compared"), verify_plan: bool = True,
                   violations: list | None = None, plan_note: str | None = None,
                   compared_problem: Problem | None = None):
    Figure = _matplotlib()
    checked_arguments("static_figure", problem, solution, other=other)
    chart = choice(Chart, chart, "chart")
    # plan files' names as a font can draw them (matplotlib failed on a name that is not UTF-8: `readable`)
    labels = (readable(labels[0]), readable(labels[1]))
    plan_note = readable(plan_note) if plan_note is not None else None
    rows = gantt_rows(problem, solution, group_by, other, detail)
    start, end = chart_range(problem, rows)
    pools = max(len(load_series(problem, solution)), 1)
    groups = len({r.group for r in rows})
    heights = {
        Chart.gantt: 1.4 + 0.17 * (len(rows) + groups),
        Chart.load: 0.6 + 2.0 * pools,
        Chart.coverage: 3.6,
    }
    parts = [Chart.gantt, Chart.load, Chart.coverage] if chart is Chart.all else [chart]
    ratios = []
    for part in parts:
        ratios += [heights[part] / pools] * pools if part is Chart.load else [heights[part]]
    fig = Figure(figsize=(12, sum(heights[p] for p in parts) + 0.4 * (len(parts) - 1)), dpi=110, layout="constrained")
    axes = fig.subplots(len(ratios), 1, gridspec_kw={"height_ratios": ratios}, squeeze=False)[:, 0]
    i = 0
    for part in parts:
        if part is Chart.gantt:
            heading = "Go-live plan"
            if resolved_detail(solution, detail) is Detail.window:
                heading += f" (one row per window and kind of organisation: {summary_count(solution)})"
            _static_gantt(axes[i], problem, rows, start, end, other is not None, labels, heading)
            i += 1
        elif part is Chart.load:
            # stacked under the Gantt (or over the coverage chart): the same time axis, so that a go-live
            # lines up with its load
            _static_load(list(axes[i : i + pools]), problem, solution, other, labels,
                         (start, end) if len(parts) > 1 else None, has_history(rows))
            i += pools
        else:
            _static_coverage(axes[i], problem, solution, other, start, end, labels, has_history(rows))
            i += 1
    where = data_name(problem)
    found = plan_violations(problem, solution, violations) if verify_plan else []
    missing = [e.name for e in not_in_plan(problem, solution)]
    # the comparison's totals, as the HTML report's header and `hpplan compare` say them
    comparison = comparison_of(problem, solution, other, compared_problem)
    changes = ""
    if comparison is not None:
        changes = f"\nChanges from {labels[1]} to {labels[0]}:\n" + "\n".join(comparison_totals(comparison))
        if comparison_estimated(comparison):
            changes += f" ({ESTIMATE_NOTE})"
    # the scenarios applied, as the HTML header names them (docs/scenarios.md: "shown in every report")
    scenarios = "".join(f"\n{line}" for line in scenario_title_lines(problem))
    fig.suptitle(readable(f"Rollout plan · {where} · planning date {problem.planning_date.isoformat()} · "
                          f"{checked_status(solution, found)}" + scenarios
                          + (f"\n{labels[0]}: {plan_note}" if plan_note else "")
                          + changes
                          + (f"\n{NOT_IN_PLAN} ({len(missing)}): {named(missing)}" if missing else "")),
                 x=0.01, ha="left", fontsize=10,
                 color=LIMIT_COLOUR if broken_rules(found) else "#444")
    return fig


#: names listed in a line (a chart's title, a calendar's description); the rest counted
NAMES_SHOWN = 10

#: a static chart's title line, in characters: the 12-inch figure's title at 10 points holds about 150 of
#: them (tests/test_outputs_s29.py measures it), so a scenario's line is wrapped at this width
TITLE_WIDTH = 130
#: the lines of a static chart's title one scenario takes at most: a longer one is shortened (`scenario_said`)
SCENARIO_LINES = 3


def scenario_title_lines(problem: Problem, width: int = TITLE_WIDTH, most: int = SCENARIO_LINES) -> list[str]:
    """The scenario lines of a static chart's title, as the HTML header says them ("Scenario: NAME:
    DESCRIPTION [CHANGE; ...]", dates marked `*` as `formats.marked_applied` marks them), each wrapped at
    `width` in at most `most` lines (`scenario_said`), and where a date is marked the note that says what
    the mark means."""
    lines: list[str] = []
    for change in problem.applied:
        lines += scenario_said(applied_entry(change), width, most)
    if applied_estimated(problem):
        note = f"({ESTIMATE_NOTE})"
        if lines and len(lines[-1]) + 1 + len(note) <= width:
            lines[-1] += " " + note
        else:
            lines.append(note)
    return lines


def scenario_said(entry: AppliedChange, width: int = TITLE_WIDTH, most: int = SCENARIO_LINES) -> list[str]:
    """One scenario line wrapped at `width` (at spaces: a date and its mark stay whole), in at most `most`
    lines: where the whole line takes more, its description is shortened (to its first sentence, then to
    a few words and `…`), then its changes are counted after the first ones ("and 3 more": the HTML
    report and `hpplan compare` list them all); a change's dates keep their marks."""
    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)

    said = wrapped(f"Scenario: {marked_applied(entry)}")
    if len(said) <= most:
        return said
    if entry.read_as is None and entry.description is not None and entry.changes:
        changes = [c.said(lambda date: marked(date.value, bool(date.estimate))) for c in entry.changes]
        description = " ".join(entry.description.split())
        sentence = description.split(". ")[0].rstrip(".") + "."
        short = textwrap.shorten(sentence, max(width // 2, 20), placeholder=" …")
        every = len(changes)
        # what it models first (shortened), then as many changes as fit; the description left out last
        tries = [(words, every) for words in dict.fromkeys((description, sentence, short))]
        tries += [(short, shown) for shown in range(every - 1, 0, -1)] + [(None, shown) for shown in range(every, 0, -1)]
        for words, shown in tries:
            more = every - shown
            listed = "; ".join(changes[:shown]) + (f"; and {more} more change{'s' if more != 1 else ''}" if more else "")
            text = f"Scenario: {entry.source}: " + (f"{words} " if words else "") + f"[{listed}]"
            if len(lines := wrapped(text)) <= most:
                return lines
    cut, last = said[:most], said[most - 1]  # (a text alone, or changes that take the lines themselves)
    if len(last) + 2 > width:
        last = last[:max(last.rfind(" ", 0, width - 2), 0)] or last[:width - 2]
    cut[-1] = last + " …"
    return cut


def named(names: list[str]) -> str:
    """'Melhus, Tydal' or, past NAMES_SHOWN, the first of them 'and 12 more'."""
    more = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + (f" and {fmt_int(more)} more" if more > 0 else "")


def static_chart(problem: Problem, solution: Solution, fmt: str, chart: Chart = Chart.all, **options) -> bytes:
    """The chart(s) as PNG or SVG bytes. Deterministic: no date or software stamp, fixed SVG ids."""
    import matplotlib

    if fmt not in ("png", "svg"):
        raise ValueError(f"static charts are png or svg, not {fmt!r}")
    with matplotlib.rc_context({"svg.hashsalt": "hpplan", "svg.fonttype": "none",
                                "font.family": ["DejaVu Sans", "sans-serif"]}):
        fig = static_figure(problem, solution, chart, **options)
        out = io.BytesIO()
        metadata = {"Date": None, "Creator": "hpplan"} if fmt == "svg" else {"Software": "hpplan"}
        fig.savefig(out, format=fmt, metadata=metadata, facecolor="white")
    return out.getvalue()


def report_bytes(problem: Problem, solution: Solution, fmt: str, *, chart: Chart = Chart.all, **options) -> bytes:
    """The report in a format: `html` (the whole report), `png` or `svg` (static charts)."""
    if fmt not in ("html", "png", "svg"):
        raise ValueError(f"a report is html, png or svg, not {fmt!r}")
    if fmt == "html":
        return report_html(problem, solution, **options).encode("utf-8")
    label, other_label = options.pop("label", "plan"), options.pop("other_label", "compared")
    return static_chart(problem, solution, fmt, chart, labels=(label, other_label), **options)


__all__ = [
    "Chart",
    "Detail",
    "GanttRow",
    "GroupBy",
    "coverage_figure",
    "coverage_series",
    "gantt_figure",
    "gantt_rows",
    "load_figure",
    "load_series",
    "report_bytes",
    "report_html",
    "static_chart",
    "static_figure",
    "window_rows",
]
