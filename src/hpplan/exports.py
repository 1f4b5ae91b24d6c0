"""A plan for calendars and spreadsheets: ICS (one event per go-live) and XLSX (a sheet per view).

- `to_ics(problem, solution)`: an iCalendar file with one all-day event per scheduled go-live, history
  included (marked CONFIRMED and categorised `history`; planned go-lives are TENTATIVE). Each event's
  UID is made from the organisation's id and a hash of the data folder's name (and of the scenarios
  applied), so importing the calendar of a later plan of the same data updates the events instead of
  adding duplicates, while a scenario's plan gets events of its own.
- `to_xlsx(problem, solution)`: a workbook with the sheets Plan, Load, Windows and About; dates are
  real date cells, the header row is bold and frozen, columns are sized to their content. With a
  `comparison` (a re-plan against a baseline, or a compared plan: `hpplan.compare.compare`), a Changes sheet
  too, its moves and `hpplan compare`'s totals, and the totals as numbers in the About sheet.

Both carry the time they were made (DTSTAMP, the workbook's created/modified properties); it is the
`stamp` argument, else `SOURCE_DATE_EPOCH` when set (reproducible files), else now. A malformed or
out-of-range `SOURCE_DATE_EPOCH` is an `InputError` (`source_date_epoch`: the command calls it before
solving, so a typo fails at once instead of after the solve, and never stamps the time of the run
into a file that was meant to be reproducible). Everything else is a function of the plan: the same
plan and stamp give the same bytes.

Both say whether the plan keeps every rule and limit of the data (`report.checked_status`): a saved
plan read against data that changed since is no longer "optimal" without a word. Both mark a users or
population figure that rests on an estimate (`formats.estimated`): the calendar with `*` and a note in
the event, the workbook with a `*` in the cell's number format (the cell stays a number, and the mark
goes along when the cell is copied into a document) and an `estimates` column naming the figures; the
workbook's Load sheet marks a limit that rests on an estimate (`formats.capacity_estimated`) alike. A
go-live date and a window's date that rest on an estimate (`formats.go_live_estimated`,
`formats.window_date_estimated`) are marked the same way: `*` after the date in the event's description
(with a sentence saying so), a date cell's format in the workbook; the About sheet's best bound, in the
objective's units, is marked where the total is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import zipfile
from pathlib import Path

from .errors import InputError
from .formats import (ESTIMATE_NOTE, FORMULA_START, NOT_IN_PLAN, PlanGroup, capacity_estimated, data_name,
                      checked_arguments, checked_plan, estimated, fmt_int, kind_noun, marked, marked_applied,
                      applied_estimated,
                      not_in_plan, objective_terms, objective_units, plan_groups, plan_source, solver_facts, window_before, window_of,
                      window_dates_estimated, window_summary, window_users_estimated, estimate_note,
                      estimated_loads, objective_estimated, date_estimated, entry_estimates_named,
                      go_live_estimated, window_date_estimated, window_title)
from .problem import Problem, applied_entry, parse_month
from .io import readable
from .report import (BROKEN_SHOWN, checked_status, comparison_estimated, comparison_totals, move_cost, named,
                     plan_violations)
from .solution import Solution
from .verify import broken_rules, stale_figures

PRODID = "-//hpplan//rollout plan//EN"

#: the latest time a file can carry: the end of the year 9999 (Python's dates, and Excel's, end there)
LATEST_STAMP = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)


def source_date_epoch() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` as a UTC time, or None when it is not set (or empty).

    The reproducible-builds convention: whole seconds since 1970-01-01 UTC, as `date +%s` prints.
    Anything else (`2024-01-01`, `1e9`, `-5`, a time after the year 9999) is an `InputError` rather
    than quietly taking the time of the run: whoever set it wants the same bytes every time. The
    command calls this before solving, so the mistake costs no solve."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not (epoch.isascii() and epoch.isdigit()):
        raise InputError(f"{epoch!r} is not a whole number of seconds since 1970-01-01 UTC (as `date +%s` "
                         "prints, e.g. 1704067200); unset it to stamp the time of the run", "SOURCE_DATE_EPOCH")
    seconds = int(epoch)
    latest = int(LATEST_STAMP.timestamp())
    if seconds > latest:
        raise InputError(f"{epoch} seconds since 1970 is after the year 9999; give at most {latest} "
                         f"({LATEST_STAMP:%Y-%m-%d %H:%M:%S} UTC)", "SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def export_stamp(stamp: dt.datetime | None = None) -> dt.datetime:
    """The time an export says it was made: `stamp`, else SOURCE_DATE_EPOCH (`source_date_epoch`:
    malformed is an `InputError`), else now (UTC, whole seconds)."""
    if stamp is None:
        stamp = source_date_epoch() or dt.datetime.now(dt.timezone.utc)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc).replace(microsecond=0)




def scenarios_named(problem: Problem) -> list[str]:
    """What was applied to the data, one name each: a scenario file by its name (so that editing its
    description keeps its events), a command-line what-if (`--postpone`, `--exclude`, `--capacity`) by
    the change itself ("postpone helse-more-og-romsdal: earliest 2024-04-01 -> 2024-09-01"): two
    different what-ifs are two calendars, the same what-if again the same one."""
    return [applied_entry(change).name for change in problem.applied]


def uid_namespace(problem: Problem) -> str:
    """Eight hex digits naming the plan's source: the data folder's name and what was applied to it
    (`scenarios_named`). Hashed as the names' bytes: a folder name that is not UTF-8 (`lat\\xe5`), which
    Python reads with surrogate escapes, is hashed as it is on disk, and so is `dåta` in any locale (an
    ASCII one reads it with escapes too): the same UIDs, not one per locale, and not the same UIDs for
    two folders whose names differ only where they are not UTF-8."""
    if problem.data_dir is None:
        folder = "data"
    else:
        folder = Path(problem.data_dir).resolve().name or "data"
    text = "\n".join([folder, *scenarios_named(problem)])
    return hashlib.sha256(_name_bytes(text)).hexdigest()[:8]


def _name_bytes(text: str) -> bytes:
    """`text` as UTF-8, where a surrogate escape (a byte of a file name that is not valid in the file system's
    encoding) is the byte it stands for."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "surrogatepass")


def event_uid(problem: Problem, org_id: str) -> str:
    """`go-live-<org-id>-<namespace>@hpplan`: stable across plans of the same data."""
    return f"go-live-{org_id}-{uid_namespace(problem)}@hpplan"


# --------------------------------------------------------------------------------------------------
# ICS


def _description(problem: Problem, solution: Solution, entry, status: str) -> str:
    org = problem.org.get(entry.id)
    window = window_of(problem, entry)
    lines = []
    if window is not None:
        lines.append("Window: " + window_title(window))
    else:  # live in no window: where it stands among the windows, as the other views say it (no window named)
        title = PlanGroup(None, True, True, after=window_before(problem, entry.go_live)).title
        lines.append(title[:1].upper() + title[1:] + ".")
    lines.append(f"Kind: {kind_noun(entry.kind, 1)} ({entry.sector} care)")
    if org is not None and org.users is not None:
        lines.append(f"Users: {marked(fmt_int(org.users), estimated([org], 'users'))}")
    if org is not None and org.population is not None:
        lines.append(f"Population: {marked(fmt_int(org.population), estimated([org], 'population'))}")
    if estimated([org], "users") or estimated([org], "population"):
        lines.append(ESTIMATE_NOTE)  # an event is read alone: its own note
    if entry.pinned:
        lines.append(f"History: live before the planning date {problem.planning_date.isoformat()}."
                     + (" Its date is an estimate or an inference, not a sourced go-live (see the data's source "
                        "notes)." if date_estimated(org) else ""))
    else:
        source = getattr(entry, "go_live_source", None)  # a plan file's note for the date: it marks the date
        lines.append(f"{_made_by(solution)} ({status}), planning date {problem.planning_date.isoformat()}."
                     + (f" Its date, as the plan file notes it: {' '.join(source.split())}"
                        + (" (an estimate or an inference)." if go_live_estimated(problem, entry) else ".")
                        if source is not None else
                        " Its date is its window's, an estimate (see the data's source notes)."
                        if go_live_estimated(problem, entry) else ""))
    if window is not None and window_date_estimated(window) and (entry.pinned or not go_live_estimated(problem, entry)):
        lines.append("* after the window's date: an estimate (see the data's source notes).")
    for change in problem.applied:
        lines.append(f"Scenario: {marked_applied(change)}")
    if applied_estimated(problem):
        lines.append("* in a scenario line: an estimate (see the data's source notes).")
    lines.append(f"Organisation id: {entry.id}")
    lines.append(f"Data: {data_name(problem)}")
    return "\n".join(lines)


def _made_by(solution: Solution) -> str:
    """Who made the plan's dates: hpplan's solver, or the plan file they were read from."""
    source = plan_source(solution)
    return f"From {source}" if source is not None else "Planned by hpplan"


def to_ics(problem: Problem, solution: Solution, stamp: dt.datetime | None = None,
           violations: list | None = None) -> str:
    """An iCalendar (RFC 5545) text: one all-day VEVENT per scheduled go-live, by date (then plan
    order). History is included (STATUS:CONFIRMED, category `history`); planned go-lives are
    TENTATIVE. Organisations not scheduled have no event (nor those the plan leaves out: the calendar's
    description names them). `violations`: the verifier's findings when the caller has them (else the
    plan is verified here); a plan that breaks rules of this data says so in the calendar's and every
    planned event's description. A solution without a plan is a ValueError (an empty calendar read as
    a plan of nothing)."""
    from icalendar import Calendar, Event

    checked_arguments("to_ics", problem, solution)
    checked_plan("to_ics", solution)
    stamp = export_stamp(stamp)
    status = checked_status(solution, plan_violations(problem, solution, violations))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = f"Rollout plan ({data_name(problem)})"
    if problem.applied:
        name += " with " + "; ".join(scenarios_named(problem))
    calendar.add("x-wr-calname", readable(name))  # a scenario file's name as UTF-8 holds it, as the folder's
    source = plan_source(solution)
    missing = [e.name for e in not_in_plan(problem, solution)]
    calendar.add("x-wr-caldesc", readable(f"Go-lives of {source if source is not None else 'the hpplan plan'} "
                                          f"({status}), planning date {problem.planning_date.isoformat()}"
                                          + (f"; {NOT_IN_PLAN} ({len(missing)}): {named(missing)}" if missing else "")))
    order = {e.id: i for i, e in enumerate(solution.plan)}
    scheduled = sorted((e for e in solution.plan if e.go_live is not None), key=lambda e: (e.go_live, order[e.id]))
    for entry in scheduled:
        event = Event()
        event.add("uid", event_uid(problem, entry.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.go_live)
        event.add("dtend", entry.go_live + dt.timedelta(days=1))
        event.add("summary", f"Go-live: {entry.name}")
        event.add("description", readable(_description(problem, solution, entry, status)))
        event.add("categories", ["go-live", f"{entry.sector} care", "history" if entry.pinned else "planned"])
        event.add("status", "CONFIRMED" if entry.pinned else "TENTATIVE")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


# --------------------------------------------------------------------------------------------------
# XLSX

DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "#,##0"
#: a figure with a fraction (an FTE of 57.6, an objective of a fractional weight), as `formats.fmt_number` shows
#: it: one to three decimals; a whole one is `INT_FORMAT` (168, not 168.0: `number_format`)
FRACTION_FORMAT = "#,##0.0##"
#: an FTE figure's format where it is not chosen by its value (`number_format`): the whole FTE's
FTE_FORMAT = INT_FORMAT
#: when the workbook was made (`export_stamp`: always UTC; a cell holds no time zone, the format says it)
STAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
#: an estimated count: shown with the mark, still a number (sums, sorting and filters work)
ESTIMATE_FORMAT = INT_FORMAT + '"*"'
#: an estimated whole FTE figure (a pool's limit of 168), alike (57.6: `number_format`)
FTE_ESTIMATE_FORMAT = FTE_FORMAT + '"*"'
#: a share that rests on an estimated figure (a share live), alike
PERCENT_ESTIMATE_FORMAT = PERCENT_FORMAT + '"*"'
#: an objective term that rests on an estimated population (`formats.objective_estimated`), alike: with the
#: thousands separator of the Plan sheet's figures (6,172,597*), a fraction as `number_format` shows it
OBJECTIVE_ESTIMATE_FORMAT = ESTIMATE_FORMAT


def number_format(value: object, estimate: bool = False) -> str:
    """The number format of a figure that is a whole number or not (an FTE, an objective term, a cost in
    MNOK), as every other output shows it (`formats.fmt_number`): 168 as `168`, 57.6 as `57.6`,
    6172597 as `6,172,597`; with `estimate`, a `*` after it (`168*`), the cell still a number."""
    whole = not isinstance(value, float) or not math.isfinite(value) or value == int(value)
    shown = INT_FORMAT if whole else FRACTION_FORMAT
    return shown + '"*"' if estimate else shown


def _number_formats(sheet, rows: list[list], marks: list[set[int]], columns: set[int]) -> None:
    """Give the numbers of `columns` (under the header) their `number_format`, marked where `marks` says."""
    for r, (row, marked_here) in enumerate(zip(rows, marks), start=2):
        for col in columns:
            value = row[col] if col < len(row) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.cell(row=r, column=col + 1).number_format = number_format(value, col in marked_here)
#: a go-live or window date that is an estimate or inference (`formats.go_live_estimated`), alike: still a date
DATE_ESTIMATE_FORMAT = DATE_FORMAT + '"*"'
#: months and days moved: later positive, with its sign
SIGNED_FORMAT = "+0;-0;0"
SIGNED_ESTIMATE_FORMAT = '+0"*";-0"*";0"*"'  # months or days between dates one of which is an estimate


def _text(value: str) -> str:
    """Text as a cell can hold it: the control characters the xlsx format cannot store (openpyxl
    refuses them with an exception) become U+FFFD, so a stray one in a name shows instead of failing
    the export."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def _append(sheet, row: list) -> None:
    """Append a row whose text stays text: openpyxl makes any str that starts with "=" a live formula
    (an organisation named `=1+1` would show 2, `=HYPERLINK(...)` would run), so every str is a string
    cell; one that starts like a formula is also quote-prefixed, as Excel marks text typed with a
    leading apostrophe, so that editing the cell keeps it text."""
    sheet.append([_text(readable(v)) if isinstance(v, str) else v for v in row])  # a file's name as XML holds it
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_START):
                cell.quotePrefix = True


def _sheet(workbook, title: str, header: list[str], rows: list[list], formats: dict[int, str] | None = None,
           widths: dict[int, int] | None = None):
    """A sheet with a bold, frozen header row, an autofilter, number formats by column and widths from
    the content. Text is written as text (`_append`), never as a formula."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    _append(sheet, header)
    for row in rows:
        _append(sheet, row)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    formats = formats or {}
    for col, fmt in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            if cell.value is not None:
                cell.number_format = fmt
    for col, name in enumerate(header):
        longest = len(str(name))
        for row in rows:
            value = row[col] if col < len(row) else None
            if value is None:
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                length = 10
            elif isinstance(value, float):
                length = len(f"{value:,.1f}")
            else:
                length = len(str(value))
            longest = max(longest, length)
        width = (widths or {}).get(col, min(longest, 60) + 2)
        sheet.column_dimensions[get_column_letter(col + 1)].width = width
    return sheet


#: the Plan sheet's columns; `users`, `population`, a history `go-live` (`live_since`), a planned `go-live` on an
#: estimated window date (`go_live`) and the `window date` (its own note: `formats.window_date_estimated`) are
#: marked where an estimate, and `estimates` names those figures (empty: every figure shown is a fact)
PLAN_COLUMNS = ["go-live", "window", "window date", "id", "name", "kind", "sector", "status", "history", "track",
                "users", "population", "estimates"]
#: the column of each figure `estimates_named` names, and how the Plan sheet shows it when an estimate
PLAN_ESTIMATE_COLUMNS = {"users": PLAN_COLUMNS.index("users"), "population": PLAN_COLUMNS.index("population"),
                         "live_since": PLAN_COLUMNS.index("go-live"), "go_live": PLAN_COLUMNS.index("go-live"),
                         "window date": PLAN_COLUMNS.index("window date")}
PLAN_ESTIMATE_FORMATS = {PLAN_COLUMNS.index("users"): ESTIMATE_FORMAT,
                         PLAN_COLUMNS.index("population"): ESTIMATE_FORMAT,
                         PLAN_COLUMNS.index("go-live"): DATE_ESTIMATE_FORMAT,
                         PLAN_COLUMNS.index("window date"): DATE_ESTIMATE_FORMAT}


def _plan_rows(problem: Problem, solution: Solution) -> tuple[list[list], list[set[int]]]:
    """The Plan sheet's rows, and per row the columns whose figure is an estimate."""
    rows, marks = [], []
    for group in plan_groups(problem, solution):
        for entry in group.entries:
            org = problem.org.get(entry.id)
            window = window_of(problem, entry)
            named = [name for name in entry_estimates_named(problem, entry) if name != "live_since" or entry.pinned]
            if window_date_estimated(window):
                named.append("window date")
            estimates = {}
            for name in named:  # one name per column: a planned go-live on its window's date names `go_live`
                estimates.setdefault(PLAN_ESTIMATE_COLUMNS[name], name)
            rows.append([
                entry.go_live,
                window.id if window is not None else NOT_IN_PLAN if group.missing else None,
                window.date if window is not None else None,
                entry.id,
                entry.name,
                entry.kind,
                entry.sector,
                org.status.value if org else None,
                "yes" if entry.pinned else "no",
                org.track if org else None,
                org.users if org else None,
                org.population if org else None,
                ", ".join(estimates.values()) or None,
            ])
            marks.append(set(estimates))
    return rows, marks


def _mark_estimates(sheet, marks: list[set[int]], number_format: str | dict[int, str] = ESTIMATE_FORMAT) -> None:
    """Show the estimated figures of a sheet's rows (under the header) with `number_format` (one for
    every column, or by column)."""
    for row, columns in enumerate(marks, start=2):
        for col in columns:
            shown = number_format[col] if isinstance(number_format, dict) else number_format
            sheet.cell(row=row, column=col + 1).number_format = shown


def _load_rows(problem: Problem, solution: Solution) -> tuple[list[str], list[list], dict[int, str], list[set[int]]]:
    """The Load sheet's header, rows and number formats, and per row the columns whose figure is an
    estimate (a limit: `capacity_estimated`; a load, and its use, from estimated load profiles:
    `estimated_loads`; a use also from an estimated limit)."""
    pools = [p.id for p in problem.waves.pools]
    pools += sorted({p.pool for p in solution.load} - set(pools))
    pools = [p for p in pools if any(q.pool == p for q in solution.load)]
    by_key = {(p.pool, p.month): p for p in solution.load}
    months = sorted({p.month for p in solution.load})
    header = ["month"]
    formats = {0: MONTH_FORMAT}
    for pool in pools:
        base = len(header)
        header += [f"{pool} used FTE", f"{pool} limit FTE", f"{pool} use"]
        formats |= {base: FTE_FORMAT, base + 1: FTE_FORMAT, base + 2: PERCENT_FORMAT}
    loads = estimated_loads(problem, solution)
    rows, marks = [], []
    for month in months:
        index = parse_month(month)
        row: list = [dt.date(index // 12, index % 12 + 1, 1)]
        estimates = set()
        for pool in pools:
            point = by_key.get((pool, month))
            if point is None:
                row += [None, None, None]
            else:
                limit_estimate = capacity_estimated(problem.pool.get(pool), month)
                used_estimate = bool(point.used) and (pool, month) in loads
                if limit_estimate:
                    estimates.add(len(row) + 1)  # the limit column
                if used_estimate:
                    estimates.add(len(row))  # the used column
                if used_estimate or (limit_estimate and point.used):
                    estimates.add(len(row) + 2)  # the use column
                row += [point.used, point.limit, point.used / point.limit if point.limit else None]
        rows.append(row)
        marks.append(estimates)
    return header, rows, formats, marks


WINDOW_COLUMNS = ["window", "date", "name", "history", "actors", "users", "primary live", "specialist live"]
#: how the Windows sheet shows an estimated figure: a users sum, a share live
WINDOW_ESTIMATE_FORMATS = {WINDOW_COLUMNS.index("users"): ESTIMATE_FORMAT,
                           WINDOW_COLUMNS.index("primary live"): PERCENT_ESTIMATE_FORMAT,
                           WINDOW_COLUMNS.index("specialist live"): PERCENT_ESTIMATE_FORMAT,
                           WINDOW_COLUMNS.index("date"): DATE_ESTIMATE_FORMAT}


def _window_rows(problem: Problem, solution: Solution) -> tuple[list[list], list[set[int]]]:
    """The Windows sheet's rows, and per row the columns whose figure is an estimate (its users, a
    share live: `formats.share_estimated`; a window's date by its own note: `formats.window_dates_estimated`)."""
    rows, marks = [], []
    estimates = window_users_estimated(problem, solution)
    dates = window_dates_estimated(problem, solution)
    for s in window_summary(problem, solution):
        flags = {"users": estimates.get(s.window.id, False), "primary live": s.primary_estimate,
                 "specialist live": s.specialist_estimate, "date": dates.get(s.window.id, False)}
        marks.append({WINDOW_COLUMNS.index(name) for name, estimate in flags.items() if estimate})
        rows.append([
            s.window.id,
            s.window.date,
            s.window.name,
            "yes" if s.history else "no",
            s.actors,
            s.users,
            s.primary_share,
            s.specialist_share,
        ])
    return rows, marks


#: the Changes sheet's columns (`comparison` given to `to_xlsx`): one row per organisation whose go-live differs
CHANGES_COLUMNS = ["id", "name", "kind", "change", "from", "to", "window from", "window to", "months later",
                   "days later", "population", "population-months", "cost per month MNOK", "cost MNOK", "cost note",
                   "main cause"]
#: how the Changes sheet shows an estimated figure: still a number (or a date)
CHANGES_ESTIMATE_FORMATS = {CHANGES_COLUMNS.index("from"): DATE_ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("to"): DATE_ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("population"): ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("population-months"): ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("months later"): SIGNED_ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("days later"): SIGNED_ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("cost per month MNOK"): OBJECTIVE_ESTIMATE_FORMAT,
                            CHANGES_COLUMNS.index("cost MNOK"): OBJECTIVE_ESTIMATE_FORMAT}


def _changes_rows(problem: Problem, comparison) -> tuple[list[list], list[set[int]]]:
    """The Changes sheet's rows (`compare.Move`s, in `hpplan compare`'s order), and per row the columns whose
    figure is an estimate."""
    col = {name: i for i, name in enumerate(CHANGES_COLUMNS)}
    rows, marks = [], []
    for m in comparison.moves:
        estimates = set()
        # a date that rests on an estimate (`compare.Move.before_estimate`), and the months and days between two
        # dates one of which does, as compare marks them
        if m.before_estimate:
            estimates.add(col["from"])
        if m.after_estimate:
            estimates.add(col["to"])
        if (m.before_estimate or m.after_estimate) and m.days is not None:
            estimates |= {col["months later"], col["days later"]}
        if m.population_estimate and m.population:
            estimates.add(col["population"])
            if m.population_months:
                estimates.add(col["population-months"])
        if m.cost_per_month is not None and m.cost_estimate:
            estimates.add(col["cost per month MNOK"])
            if m.cost is not None:
                estimates.add(col["cost MNOK"])
        note = None if m.cost is not None else move_cost(m) or None  # why there is no cost figure
        if m.cost_carried_by is not None:
            note = f"in {m.cost_carried_by}'s cost (a together rule makes them one go-live)"
        rows.append([m.id, m.name, m.kind, m.change, m.before, m.after, m.window_before, m.window_after, m.months,
                     m.days, m.population, m.population_months, m.cost_per_month, m.cost, note,
                     m.cause.text if m.cause is not None else None])
        marks.append(estimates)
    return rows, marks


def _changes_sheet(workbook, problem: Problem, comparison, baseline: str | None) -> bool:
    """The Changes sheet: each move from the baseline to this plan, then the totals line for line as `hpplan
    compare` words them (`report.comparison_totals`). Whether a figure on it is marked `*`."""
    rows, marks = _changes_rows(problem, comparison)
    col = {name: i for i, name in enumerate(CHANGES_COLUMNS)}
    sheet = _sheet(workbook, "Changes", CHANGES_COLUMNS, rows,
                   {col["from"]: DATE_FORMAT, col["to"]: DATE_FORMAT, col["population"]: INT_FORMAT,
                    col["population-months"]: INT_FORMAT, col["months later"]: SIGNED_FORMAT,
                    col["days later"]: SIGNED_FORMAT},
                   widths={col["main cause"]: 60})
    _mark_estimates(sheet, marks, CHANGES_ESTIMATE_FORMATS)
    # costs in MNOK: 250 as 250 and 12.5 as 12.5 (`*` where an estimate)
    _number_formats(sheet, rows, marks, {col["cost per month MNOK"], col["cost MNOK"]})
    _append(sheet, [])
    origin = f"from the baseline {baseline}" if baseline else "from the compared plan"
    _append(sheet, [f"Changes {origin} (months, days and costs later positive), as hpplan compare counts them:"])
    for line in comparison_totals(comparison):
        _append(sheet, [line])
    estimated_here = any(marks) or comparison_estimated(comparison)
    if estimated_here:
        _append(sheet, [ESTIMATE_NOTE])
    return estimated_here


def to_xlsx(problem: Problem, solution: Solution, stamp: dt.datetime | None = None,
            violations: list | None = None, comparison=None, baseline: str | None = None) -> bytes:
    """An Excel workbook: Plan (one row per organisation, by window), Load (one row per month: each
    pool's used FTE, limit and use), Windows (the per-window summary) and About (data, status,
    whether it keeps the data's rules, objective, solver). `violations`: the verifier's findings when
    the caller has them, else the plan is verified here. The data's organisations the plan leaves out
    are Plan rows too, their window "not in the plan". `comparison`: the `compare.Comparison` from a
    baseline (or a compared plan, named `baseline`) to this plan, as `hpplan compare` makes it: a Changes sheet
    lists its moves and totals, and the About sheet its headline figures (None: no such sheet, as before)."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    checked_arguments("to_xlsx", problem, solution)
    stamp = export_stamp(stamp)
    found = plan_violations(problem, solution, violations)
    broken = broken_rules(found)
    workbook = Workbook()
    workbook.remove(workbook.active)

    rows, marks = _plan_rows(problem, solution)
    plan = _sheet(workbook, "Plan", PLAN_COLUMNS, rows, {0: DATE_FORMAT, 2: DATE_FORMAT, 10: INT_FORMAT, 11: INT_FORMAT})
    _mark_estimates(plan, marks, PLAN_ESTIMATE_FORMATS)
    any_estimate = any(marks)

    header, rows, formats, marks = _load_rows(problem, solution)
    load = _sheet(workbook, "Load", header, rows, formats)
    used_columns = set(range(1, len(header), 3))
    _mark_estimates(load, marks, {col: PERCENT_ESTIMATE_FORMAT if col % 3 == 0 else FTE_ESTIMATE_FORMAT
                                  for col in range(1, len(header))})
    # used and limit FTE: 168 as 168 and 57.6 as 57.6 (`*` where an estimate), as every other output shows them
    _number_formats(load, rows, marks, {col for col in range(1, len(header)) if col % 3 != 0})
    limits_estimated = any(columns & set(range(2, len(header), 3)) for columns in marks)
    loads_estimated = any(columns & used_columns for columns in marks)
    if rows:
        red = PatternFill("solid", fgColor="F8D7DA")
        for col in range(3, len(header), 3):  # the `use` columns: over 100% red
            letter = get_column_letter(col + 1)
            load.conditional_formatting.add(f"{letter}2:{letter}{len(rows) + 1}",
                                            CellIsRule(operator="greaterThan", formula=["1"], fill=red,
                                                       font=Font(color="8E1B13", bold=True)))

    rows, marks = _window_rows(problem, solution)
    windows = _sheet(workbook, "Windows", WINDOW_COLUMNS, rows,
                     {1: DATE_FORMAT, 5: INT_FORMAT, 6: PERCENT_FORMAT, 7: PERCENT_FORMAT})
    _mark_estimates(windows, marks, WINDOW_ESTIMATE_FORMATS)
    any_estimate |= any(marks)
    shares = {WINDOW_COLUMNS.index("primary live"), WINDOW_COLUMNS.index("specialist live")}
    shares_estimated = any(columns & shares for columns in marks)
    changes_estimated = (_changes_sheet(workbook, problem, comparison, baseline)
                         if comparison is not None and solution.found else False)

    about = [
        ["data", str(problem.data_dir) if problem.data_dir else "data"],
        ["planning date", problem.planning_date],
        ["status", checked_status(solution, found)],
    ]
    about += [["broken", str(v)] for v in broken[:BROKEN_SHOWN]]
    if len(broken) > BROKEN_SHOWN:
        about.append(["broken", f"and {fmt_int(len(broken) - BROKEN_SHOWN)} more (hpplan check --plan lists them all)"])
    # figures saved with the plan that this data does not give: out of date, not a broken rule
    stale = stale_figures(found)
    about += [["saved figure", str(v)] for v in stale[:BROKEN_SHOWN]]
    if len(stale) > BROKEN_SHOWN:
        about.append(["saved figure", f"and {fmt_int(len(stale) - BROKEN_SHOWN)} more (hpplan check --plan lists them all)"])
    about += [["scenario", marked_applied(change)] for change in problem.applied]
    totals_at = len(about) + 2  # the About sheet's row of the first comparison total
    totals = _about_totals(comparison, baseline) if comparison is not None and solution.found else []
    about += [[name, value] for name, value, _ in totals]
    objective_estimate = objective_estimated(problem, solution)
    scenario_estimated = applied_estimated(problem)
    if (any_estimate or limits_estimated or loads_estimated or any(objective_estimate.values()) or changes_estimated
            or scenario_estimated):
        where = []
        if scenario_estimated:
            where.append("above, a date a scenario line names")
        if any_estimate:
            where.append("the Plan sheet's estimates column names them")
        if shares_estimated:
            where.append("in the Windows sheet, a share live that rests on one")
        if limits_estimated or loads_estimated:
            where.append("in the Load sheet, " + " and ".join(
                what for what, shown in (("a limit", limits_estimated), ("a load and its use", loads_estimated)) if shown))
        if any(objective_estimate.values()):
            where.append("below, an objective term that rests on an estimated population")
        if changes_estimated:
            where.append("in the Changes sheet and the changes above, a move's date, population or cost, or a total")
        about.append(["*", estimate_note(loads_estimated).removeprefix("* ") + f" ({'; '.join(where)})"])
    units = objective_units(problem, solution.objective)  # what the terms count, said once above them
    if units:
        about.append(["objective units", "; ".join(f"{term}: {unit}" for term, unit in units.items())
                      + " (lower is better)"])
    objective_at = len(about) + 2  # the About sheet's row of the first objective term (under its header)
    about += [[f"objective: {term}", value] for term, value in objective_terms(solution)]
    bound_at = len(about) + 2  # the About sheet's row of the first solver fact
    facts = solver_facts(solution, any(v.rule == "objective" for v in stale))
    about += [[name, value] for name, value in facts]
    about.append(["made", stamp.replace(tzinfo=None)])  # a cell holds no time zone: its format says UTC
    sheet = _sheet(workbook, "About", ["what", "value"], about, widths={1: 60})
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cell.value, dt.datetime):
            cell.number_format = STAMP_FORMAT
        elif isinstance(cell.value, dt.date):
            cell.number_format = DATE_FORMAT
    # figures with the thousands separator of the other sheets (6,172,597*), a fraction as it is (`number_format`)
    for row, (name, value, estimate) in enumerate(totals, start=totals_at):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.cell(row=row, column=2).number_format = number_format(value, estimate)
    for row, (term, value) in enumerate(objective_terms(solution), start=objective_at):
        sheet.cell(row=row, column=2).number_format = number_format(value, bool(objective_estimate.get(term)))
    for row, (name, value) in enumerate(facts, start=bound_at):
        # the bound is in the objective's units: an estimate where the total is one
        if name == "best bound" and isinstance(value, (int, float)):
            sheet.cell(row=row, column=2).number_format = number_format(value, bool(objective_estimate.get("total")))

    naive = stamp.replace(tzinfo=None)
    workbook.properties.creator = "hpplan"
    workbook.properties.title = f"Rollout plan ({data_name(problem)})"
    workbook.properties.created = naive
    out = io.BytesIO()
    workbook.save(out)
    return _reproducible_zip(out.getvalue(), naive)


def _about_totals(c, baseline: str | None) -> list[tuple[str, object, bool]]:
    """The comparison's headline figures for the About sheet: (what, value, whether it is an estimate); numbers
    stay numbers (an unknown cost of delay is said as text, never 0). The Changes sheet words them in full."""
    unknown = any(m.change == "later" for m in c.uncosted) and not c.costed_later
    totals: list[tuple[str, object, bool]] = [
        ("changes from", baseline or "the compared plan", False),
        *([("changes from: its status", c.base_status_text, False),
           ("changes from: it breaks", f"{c.base_broken_said} (a repair of it is no effect of the changes; hpplan "
                                       "check --plan lists them)", False)] if c.base_violations else []),
        ("changes: organisations moved", len(c.moved), False),
        ("changes: moved later", len(c.of("later")), False),
        ("changes: moved earlier", len(c.of("earlier")), False),
        ("changes: newly unscheduled", len(c.newly_unscheduled), False),
        ("changes: newly scheduled", len(c.of("scheduled")), False),
        ("changes: population-months of delay", c.population_months, c.population_months_is_estimate),
        ("changes: cost of delay MNOK", "unknown (the data gives no cost)" if unknown else c.cost_of_delay,
         c.cost_of_delay_is_estimate and not unknown),
    ]
    if c.newly_unscheduled:  # no number of months: the people apart, never summed as zero months
        totals.append(("changes: population newly out of the plan (open-ended)", c.population_out,
                       c.population_out_is_estimate))
    if c.of("scheduled"):
        totals.append(("changes: population newly in the plan (open-ended, a gain)", c.population_in,
                       c.population_in_is_estimate))
    if c.repaired:  # the baseline broke its own data's rules: a repair apart, never a gain of the changes
        totals.append(("changes: left out of the baseline against its data's rules, now scheduled (a repair)",
                       len(c.repaired), False))
        totals.append(("changes: population of those (a repair of the baseline, not a gain)", c.population_repaired,
                       c.population_repaired_is_estimate))
    if c.saving:
        totals.append(("changes: saving MNOK", c.saving, c.saving_is_estimate))
    totals += [(f"changes: open-ended cost MNOK a month, {m.id} (not scheduled)", m.cost_per_month, m.cost_estimate)
               for m in c.open_ended_costs]
    if c.uncosted:
        totals.append(("changes: no cost given", ", ".join(m.id for m in c.uncosted), False))
    return totals


def _reproducible_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with `stamp` as its modified time and as every member's time (openpyxl writes the
    time of saving there), so that the same plan and stamp give the same bytes. A ZIP member's time
    holds 1980 to 2107 only: a stamp outside is clamped there (the workbook's own properties keep it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    when = min(max(stamp, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58)).timetuple()[:6]
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _set_modified(content, modified)
            member = zipfile.ZipInfo(info.filename, date_time=when)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, content)
    return out.getvalue()


def _set_modified(core: bytes, modified: str) -> bytes:
    import re

    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                  lambda m: m.group(1) + modified.encode() + m.group(2), core)


__all__ = ["event_uid", "export_stamp", "source_date_epoch", "to_ics", "to_xlsx", "uid_namespace"]
