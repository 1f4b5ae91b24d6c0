"""The planner's view of a plan in the terminal: a Gantt chart by window, a summary per window, the peak
load per pool and how the solve went.

Everything fits `console.width`: rows are never wrapped; the timeline gets what the name and kind
columns leave, one column per month when that fits, else per quarter (half-year, year). On a terminal
the chart uses block characters and colour; when the console is not a terminal (piped, a file) it is
plain ASCII (`-` preparation, `#` go-live, `+` hypercare, `.` nothing), so that it reads well in a log.
The figures come from `formats.py` (`plan_groups`, `window_summary`, `peak_loads`), shared with the
Markdown report.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .formats import (
    ESTIMATE_MARK,
    Detail,
    PlanGroup,
    by_kind,
    estimated,
    fmt_int,
    fmt_number,
    fmt_share,
    kind_noun,
    marked,
    marked_applied,
    objective_estimated,
    objective_terms,
    objective_units,
    any_limit_estimated,
    any_load_estimated,
    LOAD_NOTE,
    SHARE_NOTE,
    tie_break_note,
    data_name,
    peak_loads,
    peak_rows,
    plan_groups,
    resolved_detail,
    row_names,
    status_text,
    window_summary,
    window_dates_estimated,
    window_date_estimated,
    go_live_estimated,
    window_users_estimated,
)
from .pool_split import split_sentences
from .problem import Problem, applied_entry, month_index, month_label
from .schema import Status as OrgStatus
from .solution import Assignment, Solution, Status

# --------------------------------------------------------------------------------------------------
# glyphs and styles


@dataclass(frozen=True)
class Glyphs:
    prep: str
    live: str
    care: str
    empty: str
    january: str  # empty cells at the start of a year (a faint grid)
    today: str  # the planning month, in otherwise empty cells
    clip_left: str
    clip_right: str
    sep: str  # between items on one line
    ellipsis: str
    box: box.Box
    fancy: bool


FANCY = Glyphs("░", "█", "▒", " ", "·", "┊", "‹", "›", " · ", "…", box.SIMPLE_HEAD, True)
PLAIN = Glyphs("-", "#", "+", ".", ".", "|", "<", ">", " | ", "~", box.ASCII, False)

KIND_SHORT = {
    "health_trust": "trust",
    "hospital": "hosp",
    "municipality": "mun",
    "gp_office": "GP",
    "lab": "lab",
    "other": "other",
}
KIND_WIDTH = 5
SECTOR_STYLE = {"specialist": "cyan", "primary": "green"}
MONTH_LETTERS = "JFMAMJJASOND"
#: the forms of the timeline's year labels, the longest first: one form for every label (`Timeline.header`)
YEAR_FORMS = ("{0}", "'{1:02d}")
NAME_MIN, NAME_MAX = 12, 32

PREP, LIVE, CARE = 1, 3, 2  # cell marks; in a quarter the highest wins


def on_a_terminal(console: Console) -> bool:
    """Whether the console really writes to a terminal: its file's `isatty`, not rich's `is_terminal`,
    which `FORCE_COLOR` (and `TTY_COMPATIBLE`) set for a pipe or a file too: those ask for colour (rich
    still gives it), not for block glyphs or a live display in a CI log. A console made with
    `force_terminal` keeps what its maker said (a test's console, a program's own choice)."""
    forced = getattr(console, "_force_terminal", None)  # rich: the constructor's `force_terminal`
    if forced is not None:
        return bool(forced)
    if not console.is_terminal:
        return False
    isatty = getattr(console.file, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed file
        return False


def glyphs_for(console: Console) -> Glyphs:
    """Block glyphs on a terminal; the ASCII form (`-#+.|`, `==`/`[...]` group lines) when the output is
    not one (`on_a_terminal`: piped, a file, whatever `FORCE_COLOR` says) or is a dumb one (`TERM=dumb`:
    Emacs' shell, a screen reader's plain terminal: docs/solve.md "With a screen reader")."""
    return FANCY if on_a_terminal(console) and not is_dumb(console) else PLAIN


def is_dumb(console: Console) -> bool:
    """`TERM=dumb` (or `unknown`), whether or not rich takes the console for a terminal."""
    term = getattr(console, "_environ", os.environ).get("TERM", "")
    return term.lower() in ("dumb", "unknown")


def has_colour(console: Console) -> bool:
    """Whether the console shows colours: not piped, not `NO_COLOR`, not `TERM=dumb`."""
    return console.color_system is not None and not console.no_color


def truncate(text: str, width: int, g: Glyphs) -> str:
    if len(text) <= width:
        return text
    if width <= len(g.ellipsis):
        return text[:width]
    return text[: width - len(g.ellipsis)].rstrip() + g.ellipsis


def distinct_labels(names: list[str], width: int, g: Glyphs) -> dict[str, str]:
    """Each name cut to `width` (`truncate`); where two different names would read the same once cut
    ("Fastlegekontor i Trondheim (1, unnamed)" and "(2, unnamed)"), each keeps the part where it
    differs from the others at its end instead: "Fastlegekontor i~1, unnamed)"."""
    labels = {name: truncate(name, width, g) for name in dict.fromkeys(names)}
    clashes: dict[str, list[str]] = {}
    for name, label in labels.items():
        clashes.setdefault(label, []).append(name)
    keep = len(g.ellipsis)
    for same in clashes.values():
        if len(same) < 2 or width <= keep + 2:
            continue
        for name in same:
            # where it differs from the most alike of the others (from every other by then)
            differs = max(
                next((i for i, (a, b) in enumerate(zip(name, other)) if a != b), min(len(name), len(other)))
                for other in same if other != name
            )
            tail, half = name[differs:] or name[-1:], max(1, (width - keep) // 2)
            if len(tail) > half:  # a long tail: from where it differs, cut at its end too
                tail = tail[: max(1, half - keep)] + g.ellipsis
            head = name[: width - keep - len(tail)].rstrip()
            labels[name] = head + g.ellipsis + tail
    return labels


# --------------------------------------------------------------------------------------------------
# the timeline


@dataclass(frozen=True)
class Timeline:
    """`count` columns of `unit` months (1, 3, 6 or 12) each `cell` characters wide, from month index
    `start` (aligned to the unit)."""

    start: int
    unit: int
    count: int
    cell: int

    @property
    def width(self) -> int:
        return self.count * self.cell

    @property
    def end(self) -> int:
        """The last month shown."""
        return self.start + self.unit * self.count - 1

    @property
    def unit_name(self) -> str:
        return {1: "month", 3: "quarter", 6: "half-year", 12: "year"}[self.unit]

    def column(self, month: int) -> int | None:
        if self.start <= month <= self.end:
            return (month - self.start) // self.unit
        return None

    def header(self) -> tuple[str, str]:
        """Two lines as wide as the timeline: year labels at the column of each year's first unit, and
        the units (month initials, quarter or half-year numbers). The labels take one form (`YEAR_FORMS`:
        `2024`, else `'24`), the longest that a whole year has room for; a year too narrow for it (a
        few months at either end) has no label, not a shorter one (`23 2024` read as two numbers); where
        no year has room for one (half-years in one-character cells), the line gives the span of years
        (`2022-2026`, else `'22-'26`) from its start."""
        years = [" "] * self.width
        first_col: dict[int, int] = {}
        for col in range(self.count):
            first_col.setdefault((self.start + col * self.unit) // 12, col)
        year_list = sorted(first_col)
        rooms = {}
        for i, year in enumerate(year_list):
            begin = first_col[year] * self.cell
            stop = first_col[year_list[i + 1]] * self.cell if i + 1 < len(year_list) else self.width + 1
            rooms[year] = (begin, stop - begin - 1)  # one space before the next label
        whole = (12 // self.unit) * self.cell - 1  # the room of a whole year (but the last)
        form = next((f for f in YEAR_FORMS if len(f.format(2000, 0)) <= whole), None)
        for year, (begin, room) in rooms.items():
            label = form.format(year, year % 100) if form is not None else ""
            if label and len(label) <= room:
                years[begin : begin + len(label)] = label
        if form is None and year_list:  # no year has room for a label (half-years, narrow): the span instead
            first, last = year_list[0], year_list[-1]
            span = next((s for s in (f"{first}-{last}", f"'{first % 100:02d}-'{last % 100:02d}")
                         if len(s) <= self.width), "")
            years[: len(span)] = span
        units = []
        for col in range(self.count):
            month = (self.start + col * self.unit) % 12
            if self.unit == 1:
                label = MONTH_LETTERS[month]
            elif self.unit in (3, 6):
                label = str(month // self.unit + 1)
            else:
                label = ""
            units.append(label[: self.cell].ljust(self.cell))
        return "".join(years)[: self.width], "".join(units)


def _first_and_last(problem: Problem, entry: Assignment) -> tuple[int, int, int] | None:
    """(first marked month, go-live month, last marked month) of a scheduled entry."""
    if entry.go_live is None:
        return None
    org = problem.org.get(entry.id)
    live = month_index(entry.go_live)
    if org is None:
        return live, live, live
    profile = problem.profile(org)
    return live - len(profile.before), live, live + max(len(profile.after) - 1, 0)


def choose_timeline(problem: Problem, solution: Solution, room_min: int, room_max: int) -> Timeline:
    """The finest timeline that fits `room_min` characters: months before quarters (before half-years,
    years); with each, all of history first, else from the first month the future plan marks (its
    earliest preparation, or the planning month). Cells are two characters when `room_max` allows."""
    spans = [(e, _first_and_last(problem, e)) for e in solution.plan]
    spans = [(e, s) for e, s in spans if s is not None]
    future = min([problem.start_month] + [s[0] for e, s in spans if not e.pinned])
    full = min([future] + [s[0] for _, s in spans])
    end = max(problem.end_month, future)
    room_min = max(room_min, 1)
    for unit in (1, 3, 6, 12):
        for start in dict.fromkeys((full, future)):
            start -= start % unit
            last = end - end % unit + unit - 1
            count = (last - start) // unit + 1
            if count <= room_min:
                cell = 2 if 2 * count <= room_max else 1
                return Timeline(start, unit, count, cell)
    start = future - future % 12
    return Timeline(start, 12, room_min, 1)  # clipped at the right


def row_marks(problem: Problem, entry: Assignment, timeline: Timeline) -> tuple[list[int], bool, bool]:
    """The mark of each timeline column (0 none, PREP, LIVE, CARE) and whether marks fall before (left)
    or after (right) the timeline."""
    marks = [0] * timeline.count
    left = right = False
    span = _first_and_last(problem, entry)
    if span is None:
        return marks, left, right
    first, live, last = span
    for month in range(first, last + 1):
        mark = PREP if month < live else LIVE if month == live else CARE
        col = timeline.column(month)
        if col is None:
            left |= month < timeline.start
            right |= month > timeline.end
        elif mark > marks[col]:
            marks[col] = mark
    return marks, left, right


# --------------------------------------------------------------------------------------------------
# the Gantt chart


@dataclass(frozen=True)
class Layout:
    name: int
    timeline: Timeline
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # entry id -> name as shown

    @property
    def lead(self) -> int:
        """Characters before the timeline: name, space, kind, space, left clip marker."""
        return self.name + 1 + KIND_WIDTH + 1 + 1


def choose_layout(problem: Problem, solution: Solution, width: int, g: Glyphs = PLAIN) -> Layout:
    """The timeline first (the finest that leaves names `NAME_MIN` characters; cells of two characters
    when names up to `NAME_MAX` still fit beside them), then names as long as the room left allows."""
    names = row_names(solution.plan)  # two organisations of one name: each with its id
    longest = max((len(n) for n in names.values()), default=NAME_MIN)
    name_max = max(NAME_MIN, min(longest, NAME_MAX))
    fixed = 1 + KIND_WIDTH + 1 + 1 + 1  # spaces, both clip markers
    timeline = choose_timeline(problem, solution, width - fixed - NAME_MIN, width - fixed - name_max)
    name = max(1, min(max(longest, NAME_MIN), width - fixed - timeline.width))
    shown = distinct_labels(list(names.values()), name, g)
    return Layout(name, timeline, {entry_id: shown[n] for entry_id, n in names.items()})


def _mark_style(mark: int, sector: str) -> str:
    colour = SECTOR_STYLE.get(sector, "magenta")
    return {PREP: colour, LIVE: f"bold {colour}", CARE: colour}.get(mark, "")


def _timeline_text(problem: Problem, entry: Assignment, layout: Layout, g: Glyphs) -> Text:
    return _marks_text(problem, row_marks(problem, entry, layout.timeline), entry.sector, layout, g)


def _marks_text(problem: Problem, marked: tuple[list[int], bool, bool], sector: str, layout: Layout,
                g: Glyphs) -> Text:
    """A timeline of marks (`row_marks`) in glyphs, the planning month and the Januaries dim."""
    tl = layout.timeline
    marks, left, right = marked
    today = tl.column(problem.start_month)
    januaries = {col for col in range(tl.count) if (tl.start + col * tl.unit) % 12 == 0}
    text = Text()
    text.append(g.clip_left if left else " ", style="dim")
    for col, mark in enumerate(marks):
        if mark:
            glyph = {PREP: g.prep, LIVE: g.live, CARE: g.care}[mark]
            text.append(glyph * tl.cell, style=_mark_style(mark, sector))
        elif col == today:
            text.append((g.today + g.empty * tl.cell)[: tl.cell], style="dim")
        elif col in januaries:
            text.append((g.january + g.empty * tl.cell)[: tl.cell], style="dim")
        else:
            text.append(g.empty * tl.cell, style="dim")
    if right:
        text.append(g.clip_right, style="dim")
    return text


def _unscheduled_text(problem: Problem, entry: Assignment, layout: Layout) -> Text:
    org = problem.org.get(entry.id)
    if org is None:
        why = "not scheduled"
    elif org.status is OrgStatus.opted_out:
        why = "opted out" + (f", returns {org.returns.isoformat()} or later" if org.returns else "")
    elif org.status is OrgStatus.optional:
        why = "optional, stays out"
    else:
        why = f"{org.status.value}, not scheduled"
    return Text(" " + why[: layout.timeline.width + 1], style="dim italic")


def _labelled(name: str, kind: str, line: Text, layout: Layout, history: bool, g: Glyphs,
              timeline: bool = True, entry_id: str | None = None) -> Text:
    """A Gantt row: the name and kind columns (an entry's name as `layout` shows it), then `line` (a
    timeline, dimmed for history)."""
    text = Text()
    label = layout.labels.get(entry_id) if entry_id is not None else None
    label = label or truncate(name, layout.name, g)
    text.append(label.ljust(layout.name), style="dim" if history else "")
    text.append(" ")
    text.append(KIND_SHORT.get(kind, kind)[:KIND_WIDTH].ljust(KIND_WIDTH), style="dim")
    text.append(" ")
    if history and timeline:
        line.stylize("dim")
    text.append_text(line)
    return text


def _row(problem: Problem, entry: Assignment, layout: Layout, history: bool, g: Glyphs) -> Text:
    if entry.go_live is None:
        return _labelled(entry.name, entry.kind, _unscheduled_text(problem, entry, layout), layout, history, g, False,
                         entry_id=entry.id)
    return _labelled(entry.name, entry.kind, _timeline_text(problem, entry, layout, g), layout, history, g,
                     entry_id=entry.id)


def _kind_row(problem: Problem, entries: list[Assignment], layout: Layout, history: bool, g: Glyphs) -> Text:
    """One row for the organisations of one kind (and sector) in a window group: "26 municipalities",
    their marks together (in each cell the highest mark of any of them, as in a quarter)."""
    first = entries[0]
    name = f"{len(entries)} {kind_noun(first.kind, len(entries))}"
    if first.go_live is None:
        return _labelled(name, first.kind, Text(" not scheduled", style="dim italic"), layout, history, g, False)
    marks, left, right = [0] * layout.timeline.count, False, False
    for entry in entries:
        own, own_left, own_right = row_marks(problem, entry, layout.timeline)
        marks = [max(a, b) for a, b in zip(marks, own)]
        left, right = left or own_left, right or own_right
    line = _marks_text(problem, (marks, left, right), first.sector, layout, g)
    return _labelled(name, first.kind, line, layout, history, g)


#: a window's name is shown in its line when at least this many characters of it fit
GROUP_NAME_MIN = 4
#: the names of organisations live on a day of their own are listed up to this many (else counted)
OWN_DATE_NAMES = 3


def own_dates(group: PlanGroup, problem: Problem | None = None) -> list[tuple[str, str]]:
    """What the window line says of entries that went live on another day than their window's
    (docs/rules.md "Pinned": a live organisation's window is the one within 6 days of its
    `live_since`), or, in a group of no window, on their own day: one (long, short) note per date,
    "Ålesund, Haram live 2023-04-28" and "all live 2023-04-28" ("2 live 2023-04-28": some of them).
    With `problem`, each date is marked `*` where it is an estimate (`go_live_estimated`), and entries
    live on the window's day whose own date is an estimate while the window's is not (history: their
    `live_since`) are named too ("4 live 2023-11-04*"): the window line is where the terminal shows a date."""
    if not group.scheduled:
        return []
    day = group.window.date if group.window is not None else None
    day_estimate = window_date_estimated(group.window)
    by_date: dict = {}
    for entry in group.entries:
        estimate = problem is not None and go_live_estimated(problem, entry)
        if entry.go_live is not None and (entry.go_live != day or estimate != day_estimate):
            by_date.setdefault((entry.go_live, estimate), []).append(entry.name)
    notes = []
    for (date, estimate), names in sorted(by_date.items()):
        when = f"live {marked(date.isoformat(), estimate)}"
        if len(group.entries) == 1:
            short = when
        elif len(names) == len(group.entries):
            short = f"all {when}"
        else:
            short = f"{len(names)} {when}"
        long = f"{', '.join(names)} {when}" if len(names) <= OWN_DATE_NAMES else short
        notes.append((long, short))
    return notes


#: what a window line leaves out, in this order, where it is too narrow (after the window's name):
#: the names of organisations live on a day of their own (then counted), the window's date (the
#: summary table has it), the users, those days, "history", the actors
GROUP_DROPS = ("names", "date", "users", "own dates", "history", "actors")


def _group_header(problem: Problem, group: PlanGroup, width: int, g: Glyphs,
                  date_estimate: bool = False) -> Text:
    """`id date name` of the window and what goes live in it, and the days of entries live on another
    day than the window's, or on an estimated date of their own (`own_dates`); the date marked `*` with
    `date_estimate` (a window's date that rests on an estimate or inference, by its own note:
    `window_dates_estimated`). Where the line is too narrow, the name is cut, then left out,
    and then whole parts (`GROUP_DROPS`): a figure is never cut ("16 29" for 16 290*)."""
    actors = len(group.entries)
    count = f"{actors} actor{'s' if actors != 1 else ''}"
    users = None
    if group.scheduled:
        total = sum(problem.users(problem.org[e.id]) for e in group.entries if e.id in problem.org)
        users = f"{marked(fmt_int(total), estimated((problem.org.get(e.id) for e in group.entries), 'users'))} users"
    notes = own_dates(group, problem)
    window = group.window
    name = (window.name or "") if window is not None else ""
    before, after = (" ", " ") if g.fancy else ("== ", "")
    line = None
    for dropped in range(len(GROUP_DROPS) + 1):
        gone = set(GROUP_DROPS[:dropped])
        head = ([window.id] + ([] if "date" in gone else [marked(window.date.isoformat(), date_estimate)])
                if window is not None else [group.title])
        figures = ", ".join(part for part, drop in ((count, "actors"), (users, "users"))
                            if part is not None and drop not in gone)
        items = (["history"] if group.marked_history and "history" not in gone else []) + ([figures] if figures else [])
        if "own dates" not in gone:
            items += [short if "names" in gone else long for long, short in notes]
        tail = g.sep.join(items)
        if tail:
            tail = " " + tail if g.fancy else f" [{tail}]"
        label = " ".join(head)
        room = width - len(before) - len(label) - 1 - len(after) - len(tail)  # 1: the space before the name
        named = name and room >= GROUP_NAME_MIN and not dropped  # once left out, the name stays out
        line = (before + label + (" " + truncate(name, room, g) if named else "") + after, tail)
        if sum(len(part) for part in line) <= width:
            break
    title, tail = line
    if sum(len(part) for part in line) > width:  # not even the window's id (the group's title) fits: cut with a mark
        title, tail = truncate(title + tail, width, g), ""
    text = Text()
    if g.fancy:
        text.append(title, style="bold reverse dim" if group.history else "bold reverse")
        text.append(tail, style="dim italic")
    else:
        text.append(title + tail)
    return text


def _gantt_header(layout: Layout, g: Glyphs) -> list[Text]:
    years, units = layout.timeline.header()
    head = Text()
    head.append("Organisation".ljust(layout.name)[: layout.name] + " ", style="bold")
    head.append("Kind".ljust(KIND_WIDTH) + "  ", style="bold")
    head.append(years, style="bold")
    sub = Text(" " * (layout.lead), style="")
    sub.append(units, style="dim")
    return [head, sub]


def legend(problem: Problem, layout: Layout, g: Glyphs, width: int, colour: bool = True,
           entries: list[Assignment] | None = None) -> list[Text]:
    """The legend, packed into lines no wider than `width`; the sectors' colours only where there is
    `colour` (`has_colour`: without it, the Kind column tells them apart); then, with `entries` (the
    rows), what each kind's short name stands for and its sector (`kind_legend`)."""
    tl = layout.timeline
    items = [
        Text.assemble((g.prep * tl.cell, "cyan"), " preparation"),
        Text.assemble((g.live * tl.cell, "bold cyan"), " go-live"),
        Text.assemble((g.care * tl.cell, "cyan"), " hypercare"),
    ]
    if not g.fancy:
        items.append(Text(f"{g.empty} nothing"))
    items += [
        Text.assemble((g.today, "dim"), f" planning month {month_label(problem.start_month)}"),
        Text(f"{g.clip_left} {g.clip_right} more before/after"),
        Text(f"one column = one {tl.unit_name}"),
    ]
    if colour:
        items.append(Text.assemble(("specialist", "cyan"), " / ", ("primary", "green")))
    lines = pack("Legend:", items, "  ", width)
    kinds = kind_legend(entries or [], colour)
    if kinds:
        lines += pack("Kind:", kinds, g.sep, width)
    return lines


def kind_legend(entries: list[Assignment], colour: bool = False) -> list[Text]:
    """What the Kind column's short names stand for, with their sector (which the rows' colour shows, and
    a screen reader or a reader without colour does not get): `mun municipality (primary)`, one item per
    kind the rows show, in `KIND_SHORT`'s order."""
    sectors: dict[str, set[str]] = {}
    for entry in entries:
        sectors.setdefault(entry.kind, set()).add(entry.sector)
    order = list(KIND_SHORT)
    items = []
    for kind in sorted(sectors, key=lambda k: (order.index(k) if k in order else len(order), k)):
        item = Text(f"{KIND_SHORT.get(kind, kind)[:KIND_WIDTH]} {kind_noun(kind, 1)} (")
        for n, sector in enumerate(sorted(sectors[kind])):
            item.append(", " if n else "")
            item.append(sector, style=SECTOR_STYLE.get(sector, "magenta") if colour else "")
        items.append(item.append(")"))
    return items


def render_gantt(problem: Problem, solution: Solution, console: Console, g: Glyphs,
                 detail: Detail = Detail.auto) -> None:
    """The Gantt by window: a row per organisation, or with `detail` window (auto: above
    `DETAIL_AUTO_MAX` organisations) a row per kind of organisation in each window."""
    width = console.width
    layout = choose_layout(problem, solution, width, g)
    per_kind = resolved_detail(solution, detail) is Detail.window
    if per_kind:
        # a sentence: wrapped on a narrow terminal, not cut ("--detail organ")
        total = len(solution.plan)
        organisations = f"{fmt_int(total)} organisation{'s' if total != 1 else ''}"
        _print_wrapped(console, Text(f"A row per window and kind ({organisations}; --detail organisation: each)",
                                     style="dim italic"))
    for line in _gantt_header(layout, g):
        _print(console, line)
    dates = window_dates_estimated(problem, solution)
    for group in plan_groups(problem, solution):
        _print(console, _group_header(problem, group, width, g, dates.get(group.key, False)))
        if not group.scheduled and not group.missing:
            note = tie_break_note(problem, solution)
            if note is not None:
                _print_wrapped(console, Text(note, style="dim italic"))
        if per_kind:
            for entries in by_kind(group.entries):
                _print(console, _kind_row(problem, entries, layout, group.history, g))
            continue
        for entry in group.entries:
            _print(console, _row(problem, entry, layout, group.history, g))
    _print(console, Text(""))
    for line in legend(problem, layout, g, width, has_colour(console), solution.plan):
        _print(console, line)


# --------------------------------------------------------------------------------------------------
# tables: summary per window, peak load


def fitted_table(
    g: Glyphs,
    width: int,
    header: list[str],
    rows: list[list[Text]],
    right: set[int],
    flexible: int,
    row_styles: list[str] | None = None,
    drop_below: int = 0,
    at_least: int = 0,
    spare: tuple[int, ...] = (),
) -> Table:
    """A table no wider than `width` whose rows never wrap: every column is as wide as its widest cell
    except column `flexible`, which gets what the others leave (its cells truncated), and is left out
    when that is less than `drop_below` (kept at `at_least` characters, if that is more: then the table
    is wider than `width`). Where the table is still too wide, the `spare` columns are left out whole,
    in their order, until it fits."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible)
    room = width - fixed - 3 * (len(header) - 1)  # 3: padding and rule between columns
    room = min(max(room, at_least), widths[flexible])
    keep = room >= max(drop_below, 1)
    columns = [i for i in range(len(header)) if keep or i != flexible]
    natural = sum(room if i == flexible else widths[i] for i in columns) + 3 * (len(columns) - 1)
    for i in spare:
        if natural <= width:
            break
        columns.remove(i)
        natural -= widths[i] + 3
    # where even the fixed columns do not fit, the table keeps its width (`print_table` prints it wider
    # than the terminal, which wraps it) rather than let rich crop numbers: "11 80" for 11 800
    table = Table(box=g.box, show_edge=False, pad_edge=False, header_style="bold", safe_box=True,
                  width=natural if natural > width else None)
    overflow = "ellipsis" if g.fancy else "crop"
    for i in columns:
        table.add_column(
            header[i][: room] if i == flexible else header[i],
            justify="right" if i in right else "left",
            no_wrap=True,
            overflow=overflow,
            width=room if i == flexible else widths[i],
        )
    for n, row in enumerate(rows):
        cells = []
        for i in columns:
            cell = row[i].copy()
            if i == flexible and len(cell) > room:
                cell = Text(truncate(cell.plain, room, g), style=cell.style)
            cells.append(cell)
        table.add_row(*cells, style=row_styles[n] if row_styles else "")
    return table


def summary_table(problem: Problem, solution: Solution, g: Glyphs, width: int) -> Table:
    """Per window: actors and users going live, cumulative population shares (each marked where an
    estimate: `summary_notes` says so); the window name gets what the other columns leave, and where
    even without it the table is too wide, the date is left out."""
    summary = window_summary(problem, solution)
    estimates = window_users_estimated(problem, solution)
    dates = window_dates_estimated(problem, solution)
    rows = [
        [Text(s.window.id + ("*" if s.history else "")), Text(marked(s.window.date.isoformat(), dates.get(s.window.id, False))),
         Text(s.window.name or ""),
         Text(str(s.actors)), Text(marked(fmt_int(s.users), estimates.get(s.window.id, False))),
         Text(marked(fmt_share(s.primary_share), s.primary_estimate)),
         Text(marked(fmt_share(s.specialist_share), s.specialist_estimate))]
        for s in summary
    ]
    header = ["Window", "Date", "Name", "Actors", "Users", "Primary", "Specialist"]
    styles = ["dim" if s.history or not s.actors else "" for s in summary]
    # narrow, the name goes first, then the date (the window's id holds its month): 63 columns without
    # the name, which wrapped on a 60-column terminal
    return fitted_table(g, width, header, rows, {3, 4, 5, 6}, flexible=2, row_styles=styles, drop_below=6,
                        spare=(1,))


def summary_notes(problem: Problem, solution: Solution) -> list[str]:
    """The notes under the summary table: what its marks and shares mean, and what is not scheduled.
    One note for every estimated figure of the view (users in the Gantt's window lines, the table and
    the last line; a window's or a go-live's date there; a limit or a load in the peak load table below; the objective
    in the footer), as `hpplan compare` has one for its estimated costs."""
    notes = []
    if problem.history_windows:
        notes.append("* after a window id: history, before the planning date.")
    notes.append(f"Primary, Specialist: share of the population live so far, {SHARE_NOTE}.")
    unscheduled = [e for e in solution.plan if e.go_live is None]
    unscheduled_estimate = estimated((problem.org.get(e.id) for e in unscheduled), "users")
    peaks = peak_loads(problem, solution)
    loads = any_load_estimated(peaks)
    # a window's date (its own note) or a go-live's own date (the window line's "live DATE*") that is an estimate
    dates = (any(window_dates_estimated(problem, solution).values())
             or any(go_live_estimated(problem, e) for e in solution.plan)
             or any(d.estimate for change in problem.applied for d in applied_entry(change).dates))
    if unscheduled:
        users = sum(problem.users(problem.org[e.id]) for e in unscheduled if e.id in problem.org)
        count = len(unscheduled)
        notes.append(f"Not scheduled: {count} organisation{'s' if count != 1 else ''}, "
                     f"{marked(fmt_int(users), unscheduled_estimate)} users.")
    if (unscheduled_estimate or any(window_users_estimated(problem, solution).values())
            or any(s.primary_estimate or s.specialist_estimate for s in window_summary(problem, solution))
            or dates or any(objective_estimated(problem, solution).values())
            or any_limit_estimated(peaks) or loads):
        # the table marks history windows with the same `*`: the note says where each mark stands
        notes.append(f"{ESTIMATE_MARK} after a number{' or a date' if dates else ''}: an estimate (see the data's "
                     "source notes)" + (f"; {LOAD_NOTE}." if loads else "."))
    return notes


def load_table(problem: Problem, solution: Solution, g: Glyphs, width: int) -> Table | None:
    """Per pool: the highest load, its month, the limit there (marked where an estimate: `summary_notes`
    says so) and the utilisation; below it, the month the pool is fullest when that is another (a
    capacity that changes over time)."""
    peaks = peak_loads(problem, solution)
    if not peaks:
        return None
    rows = []
    for label, p in peak_rows(peaks):
        use = p.utilisation
        style = "" if use is None else "bold red" if use > 1 else "yellow" if use >= 0.9 else "green"
        rows.append([Text(label), Text(marked(fmt_number(p.used), p.used_estimate)), Text(p.month),
                     Text(marked(fmt_number(p.limit), p.limit_estimate)),
                     Text(marked(fmt_share(use), p.utilisation_estimate), style=style)])
    header = ["Pool", "Peak FTE", "Month", "Limit FTE", "Use"]
    # the pool column names the row: never left out, at least its id's length
    pool_ids = max(len(pool.id) for pool in problem.waves.pools)
    return fitted_table(g, width, header, rows, {1, 3, 4}, flexible=0, at_least=pool_ids + 1)


# --------------------------------------------------------------------------------------------------
# title and footer


def title(problem: Problem, solution: Solution, g: Glyphs) -> Text:
    where = data_name(problem)  # the folder's name, as the report, calendar and workbook name it
    text = Text("Rollout plan", style="bold")
    text.append(g.sep + where)
    text.append(g.sep + f"planning date {problem.planning_date.isoformat()}")
    text.append(g.sep)
    text.append(status_text(solution), style=_status_style(solution.status))
    for change in problem.applied:  # its dates marked as compare's scenario line marks them
        text.append(f"\nscenario: {marked_applied(change)}", style="italic")
    return text


def _status_style(status: Status) -> str:
    return {
        Status.optimal: "bold green",
        Status.feasible: "bold yellow",
        Status.infeasible: "bold red",
        Status.unknown: "bold red",
    }[status]


def pack(label: str, items: list[Text], sep: str, width: int) -> list[Text]:
    """`label item<sep>item ...` in lines no wider than `width`, continued under the first item. An item
    too wide for a line of its own goes on at its spaces in lines indented further (`pieces`): a figure
    is never cut, and only a word wider than such a line makes one wider than `width`. The item after
    one so broken starts a line of its own (beside the broken item's last piece it read as part of it)."""
    indent = " " * (len(label) + 1)
    room = width - len(indent)
    lines = [Text(label, style="bold")]
    broken = False  # the item before was broken into pieces
    for i, item in enumerate(items):
        line = lines[-1]
        if i and (broken or len(line) + len(sep) + len(item) > width):
            lines.append(Text(indent))
        elif i:
            line.append(sep)
        else:
            line.append(" ")
        first, *rest = pieces(item, room, room - len(CONTINUED))
        lines[-1].append_text(first)
        lines += [Text(indent + CONTINUED).append_text(piece) for piece in rest]
        broken = bool(rest)
    return lines


#: how much further the lines of an item that `pack` breaks go in than the items
CONTINUED = "  "


def pieces(item: Text, first: int, then: int) -> list[Text]:
    """`item` in pieces broken at its spaces, the first no wider than `first` and the rest than `then`
    (a word wider is a piece of its own); `[item]` where it fits. A space after a digit is no break: a
    figure stays whole ("359 383", "0.12 s")."""
    if len(item) <= first:
        return [item]
    breaks = [found.start() for found in re.finditer(r"(?<![0-9]) ", item.plain)]
    words = [item[start:end] for start, end in zip([0, *(b + 1 for b in breaks)], [*breaks, len(item)]) if end > start]
    parts: list[Text] = []
    for word in words:
        if parts and len(parts[-1]) + 1 + len(word) <= (then if len(parts) > 1 else first):
            parts[-1].append(" ").append_text(word)
        else:
            parts.append(word)
    return parts


#: joins a label and its figure in a sentence (`P10{GLUE}2026-04-25`, `orsta{GLUE}100%`): `wrap` breaks the
#: line between them only where the pair is wider than a line
GLUE = "\xa0"
#: a figure's thousands separator while `wrap` wraps (`2 055 476*`): never broken
FIGURE = "\u2007"
#: where `wrap` may fold a word wider than a line (`parts`): after a hyphen, slash or underscore that
#: follows a letter (`helse-more-og-` over `romsdal`, `sw/sweeps/` over `small.yaml`); never inside a
#: date or a figure
WORD_BREAKS = r"(?<=[^\W\d][-/_])"


#: letters with no decomposition to a base letter, as they are written without their own (Ørsta: Orsta), and
#: signs a terminal that cannot show them reads in ASCII (±: +/-)
FOLDED = {"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "Đ": "D", "đ": "d",
          "Ł": "L", "ł": "l", "Þ": "Th", "þ": "th", "–": "-", "—": "-", "·": ".", "×": "x", "…": "...",
          "±": "+/-", "≤": "<=", "≥": ">=", "→": "->", "←": "<-", "‘": "'", "’": "'", "“": '"', "”": '"',
          "█": "#", "•": "*"}


def folded(text: str) -> str:
    """`text` in ASCII for a terminal that cannot show more: each letter without its marks (Å: A, é: e),
    `FOLDED`'s as written there (Ø: O, Æ: AE, ±: +/-), else '?'."""
    import unicodedata

    def fold(char: str) -> str:
        if char.isascii():
            return char
        if char in FOLDED:
            return FOLDED[char]
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        return base if base.isascii() and base else "?"

    return "".join(fold(c) for c in text)


def shown_on(console: Console, text: str) -> str:
    """`text` as the console can show it: as it is, or where its encoding lacks a character (`LC_ALL=C
    PYTHONUTF8=0`), that character `folded` before the text is wrapped (folded after, `+/-` for `±` made a
    line wider than the console); GLUE and FIGURE, which wrapping reads, are kept."""
    encoding = getattr(console, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass

    def one(char: str) -> str:
        if char in (GLUE, FIGURE):
            return char
        try:
            char.encode(encoding)
            return char
        except (UnicodeEncodeError, LookupError):
            return folded(char)

    return "".join(one(c) for c in text)


def say(console: Console, text: str, indent: int = 0, style: str = "") -> None:
    """`text` wrapped into lines no wider than the console (`wrap`), each indented, none cut (the sweep's
    summary and `hpplan compare`'s sentences); letters the console cannot show folded first (`shown_on`)."""
    for line in wrap(shown_on(console, text), max(console.width - indent, 10)):
        console.print(Text(" " * indent + line, style=style), no_wrap=True, overflow="ignore", crop=False,
                      highlight=False)


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines no wider than `width`, broken at its spaces, none cut and none ending in blanks: a
    figure is never broken (`2 055 476*`), a label stays with its figure (GLUE) where the pair fits on a
    line, and a word wider than a line is folded (`word_pieces`)."""
    blanks = " \t\n\r\f\v"  # not \s: GLUE and FIGURE join words
    words = re.split(f"([{blanks}]+)", re.sub(r"(?<=\d) (?=\d{3}(?!\d))", FIGURE, text.strip(blanks)))
    lines = [""]
    for at in range(0, len(words), 2):
        space = " " * len(words[at - 1]) if at else ""  # the blanks between two words, as written
        for join, piece in word_pieces(words[at], width):
            gap = space + join if lines[-1] else ""
            if lines[-1] and len(lines[-1] + gap + piece) > width:
                lines.append(piece)
            else:
                lines[-1] += gap + piece
            space = ""
    return [line.replace(GLUE, " ").replace(FIGURE, " ") for line in lines]


def word_pieces(word: str, width: int) -> list[tuple[str, str]]:
    """A word in the pieces `wrap` may put on lines of their own, each with what joins it to the piece
    before: the word itself where it fits a line; else a label apart from its figure (at GLUE: an id
    stays whole where it fits), a part still too wide folded after a letter's hyphen, slash or underscore
    (WORD_BREAKS: `helse-more-og-` over `romsdal`, never inside a date or a figure), and only a part wider
    still is cut."""
    if len(word) <= width:
        return [("", word)]
    found = []
    for i, glued in enumerate(word.split(GLUE)):
        for j, part in enumerate(parts(glued, WORD_BREAKS) if len(glued) > width else [glued]):
            found += [(" " if i and not j and not at else "", part[at:at + width])
                       for at in range(0, len(part), width)]
    return found


def parts(key: str, breaks: str = r"(?<=-)") -> list[str]:
    """A key in the parts it may be folded between: after each hyphen (or at `breaks`)."""
    return re.split(breaks, key)


def print_lines(console: Console, renderable) -> None:
    """A renderable (a table) printed line by line at the console's width, no line ending in blanks (a
    table pads its last column; a folded cell's second line has empty cells after it)."""
    for line in console.render_lines(renderable, console.options.update(width=console.width), pad=False):
        text = Text.assemble(*((segment.text, segment.style) for segment in line if not segment.control))
        text.rstrip()
        console.print(text, no_wrap=True, overflow="ignore", crop=False, highlight=False)


def units_lines(units: dict[str, str], width: int) -> list[Text]:
    """`Units: population_delay in population-months; ...` (`formats.objective_units`, short) under the
    objective line, in lines no wider than `width`, each term with its unit where that fits a line, the lines
    after the first under the first unit, as the objective line's go on."""
    label = "Units:"
    indent = " " * (len(label) + 1)
    body = "; ".join(GLUE.join(f"{term} {'a' if unit.startswith('score') else 'in'} {unit}".split())
                     for term, unit in units.items())
    lines = wrap(body, max(width - len(indent), 10))
    return [Text.assemble((label, "bold"), " " + lines[0])] + [Text(indent + line) for line in lines[1:]]


def footer(solution: Solution, g: Glyphs, width: int, estimates: dict[str, bool] | None = None,
           units: dict[str, str] | None = None) -> list[Text]:
    """Status, objective terms (each marked `*` where `estimates`, `objective_estimated`, says it rests on
    an estimate; the best bound, in the objective's units, where the total is), what the terms count (`units`,
    `formats.objective_units`: a line `Units:` under them) and how the solve went."""
    estimates = estimates or {}
    stats = solution.stats
    status = [Text(status_text(solution), style=_status_style(solution.status))]
    if solution.status is Status.feasible and stats.best_bound is not None:
        # in the objective's units: marked where the total is
        status.append(Text(f"best bound {marked(fmt_number(stats.best_bound), estimates.get('total', False))}"))
    objective = [
        Text.assemble(f"{term} ", (marked(fmt_number(value), estimates.get(term, False)), "bold" if term == "total" else ""))
        for term, value in objective_terms(solution)
    ]
    solve = [
        f"{stats.wall_time:.2f} s (set-up {stats.build_time:.2f} s)",
        stats.engine,
        f"{stats.workers} worker{'s' if stats.workers != 1 else ''}",
        f"seed {stats.seed}",
    ]
    if stats.time_limit is not None:
        solve.append(f"time limit {fmt_number(stats.time_limit)} s")
    if stats.work_limit is not None:
        solve.append(f"work limit {fmt_number(stats.work_limit)}")
    if stats.gap_tolerance:
        solve.append(f"gap tolerance {100 * stats.gap_tolerance:g} %")
    if stats.stopped:
        solve.append("stopped on request")
    if stats.found_by is not None:
        solve.append(f"plan found by {stats.found_by}")
    if stats.proved_by is not None:
        verdict = "infeasible" if solution.status is Status.infeasible else "optimal"
        solve.append(f"proved {verdict} by {stats.proved_by}")
    if stats.tie_break != "complete":
        solve.append(f"tie-break {stats.tie_break}")
    lines = pack("Status:", status, g.sep, width)
    if objective:
        lines += pack("Objective:", objective, g.sep, width)
        if units:
            lines += units_lines(units, width)
    lines += pack("Solve:", [Text(part) for part in solve], g.sep, width)
    return lines


# --------------------------------------------------------------------------------------------------


def _print(console: Console, text: Text, crop: bool = True) -> None:
    """One line, never wrapped, without trailing blanks; cut at the console's width, or with `crop`
    False shown whole (the terminal wraps it) where it is wider."""
    text = text.copy()
    text.rstrip()
    console.print(text, no_wrap=True, overflow="crop" if crop else "ignore", crop=crop, highlight=False,
                  soft_wrap=False)


def _print_wrapped(console: Console, text: Text) -> None:
    """A sentence (or several lines of them), wrapped at the console's width, each line without
    trailing blanks."""
    for line in text.wrap(console, console.width):
        _print(console, line)


def print_table(console: Console, table: Table) -> None:
    """Print a `fitted_table`: at its own width where that is wider than the console (never cropped)."""
    console.print(table, width=max(console.width, table.width or 0), crop=False)


def render_plan(problem: Problem, solution: Solution, console: Console, detail: Detail = Detail.auto) -> None:
    """Print the plan for a planner: title, Gantt chart by window (`detail`: `render_gantt`),
    per-window summary, peak load per pool, status and solve statistics."""
    g = glyphs_for(console)
    _print_wrapped(console, title(problem, solution, g))
    console.print()
    if solution.plan:
        render_gantt(problem, solution, console, g, detail)
        console.print()
        _print(console, Text("Per window", style="bold"))
        print_table(console, summary_table(problem, solution, g, console.width))
        for note in summary_notes(problem, solution):
            _print_wrapped(console, Text(note, style="dim"))
        loads = load_table(problem, solution, g, console.width)
        if loads is not None:
            console.print()
            _print(console, Text("Peak load per pool", style="bold"))
            print_table(console, loads)
            for sentence in split_sentences(problem, solution):
                _print_wrapped(console, Text(sentence))
    else:
        console.print(Text(f"No plan to show ({solution.status.value}).", style="italic"))
    console.print()
    units = objective_units(problem, solution.objective, short=True)
    for line in footer(solution, g, console.width, objective_estimated(problem, solution), units):
        _print(console, line, crop=False)  # a word wider than the console (`pack`) is not cut
