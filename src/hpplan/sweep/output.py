"""A sweep's summary as a terminal table, JSON, CSV, and an HTML page with its charts (Plotly).

The table fits an 80- and a 160-column terminal (dates as YYYY-MM below 120 columns) and is plain
ASCII when piped. The charts: the completion-date distribution (scenarios by quarter, the cumulative
share done, the base plan, the median and P10/P90, and the `live_by` dates), and the go-live range
(P10 to P90, median, base) of every organisation whose go-live varies.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
import shlex

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..formats import ESTIMATE_NOTE, csv_text, fmt_fixed, fmt_int, fmt_number, half_up, marked
from ..render import GLUE, glyphs_for, pack, parts, print_lines, say
from .aggregate import MIN_SLIPPED, Z95, SweepSummary

WIDE = 120


def _pct(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:.0f}%" if value in (0, 1) else fmt_fixed(value * 100, 1) + "%"


def _pct_range(value: float | None, span: list[float] | None) -> str:
    """A share and, where some scenarios' answer is not known, its range over every scenario after `all`
    (`82.1%; all 76.7%-83.3%`: not in brackets, which read as a confidence interval; the range alone where
    no answer is known)."""
    if not span or span[0] == span[1]:
        return _pct(value)
    both = f"{_pct(span[0])}-{_pct(span[1])}"
    return f"all {both}" if value is None else f"{_pct(value)}; all {both}"


def _ci(ci: list[float] | None) -> str:
    """A share's 95 % Wilson interval as the text gives it: `(95% CI 20.0%-32.0%)` ("" without one)."""
    return f"(95% CI {_pct(ci[0])}-{_pct(ci[1])})" if ci else ""


def _margin(mean: float, stderr: float | None) -> tuple[str, str]:
    """A mean as the text gives it, and its 95 % margin (± 1.96 standard errors; "" where it has none:
    one scenario, or no scatter): the margin to two significant figures and the mean rounded to the same
    place (330 and 37; 2 060 000 and 170 000), so no digit is shown that the sample does not fix."""
    if stderr is None or not stderr > 0 or not math.isfinite(mean):
        return fmt_number(mean), ""
    margin = Z95 * stderr
    places = 1 - math.floor(math.log10(margin))
    if places <= 0:  # (halves up, as `fmt_fixed`: Python's round sent 414.5 to 414)
        return fmt_int(float(half_up(mean, places))), fmt_int(float(half_up(margin, places)))
    return fmt_fixed(mean, places), fmt_fixed(margin, places)


def _with_margin(mean: float, stderr: float | None, unit: str = "", estimate: bool = False) -> str:
    """`330 MNOK (±37)`: a mean (`_margin`), marked `*` where an estimate, its unit, and its margin."""
    shown, margin = _margin(mean, stderr)
    return marked(shown, estimate) + (f" {unit}" if unit else "") + (f" (±{margin})" if margin else "")


def _on_step(steps: list[dict] | None, q: float, said: str, shown) -> str:
    """Why a quantile is given as a range: `on a step: the share at or below 217.5 is 51.0%, within sampling
    error of 50%` (`said`: "at or below", "done by"; `shown`: how a value is written)."""
    shares = " and ".join(f"{said} {shown(j['at_or_below'])} is {_pct(j['share'])}" for j in steps or ())
    return f"on a step: the share {shares}, within sampling error of {q * 100:g}%"


def _precision(n: int) -> str:
    """How precise a share of n scenarios is: `at 200 scenarios a share is known to about ±7 points (95%; ±4
    near 10% or 90%)`."""
    middle, edge = (round(Z95 * math.sqrt(p * (1 - p) / n) * 100) for p in (0.5, 0.1))
    return (f"at {n} {_scenarios(n)} a share is known to about ±{middle} points (95%; ±{edge} near 10% or 90%)")


def _apart(shares: list[float], n: int) -> int:
    """About how many points two shares of n scenarios must differ by to be told apart (95 %): the margin of
    a difference of two independent shares, at the share of `shares` nearest 50 % (0: none varies)."""
    p = min(shares, key=lambda x: abs(x - 0.5), default=0)
    return round(Z95 * math.sqrt(2 * p * (1 - p) / n) * 100) if n else 0


def _tied(shares: list[float], n: int) -> str:
    """The sentence under a ranking whose shares differ by less than sampling error ("" where none do)."""
    apart = _apart(shares, n)
    if not apart or not any(abs(a - b) * 100 < apart for a, b in zip(shares, shares[1:])):
        return ""
    return (f"Shares that differ by less than about {apart} points are not told apart at {n} "
            f"{_scenarios(n)} (95%): their order among them is chance.")


def _t(influence) -> str:
    """An influence's t statistic as the table shows it: "exact" where the slope fits without scatter
    (its standard error 0: t is infinite, and null in JSON), as a grid's axis often does."""
    if influence.t is not None:
        return f"{influence.t:.1f}"
    return "exact" if influence.clear else ""


def _day(text: str | None, short: bool) -> str:
    if text is None:
        return "never"
    return text[:7] if short else text


def _table(fancy: bool) -> Table:
    return Table(box=box.SIMPLE_HEAD if fancy else box.ASCII, show_edge=False, pad_edge=False,
                 header_style="bold", safe_box=True)


#: a column of a table: its header, right-justified or not, its cells (one per row)
Column = tuple[str, bool, list[str]]


def _width(key: Column, columns: list[Column]) -> int:
    """The width of a table of the `key` column (the organisations' ids, an axis's values) and these
    columns, no cell wrapped."""
    return sum(max(map(cell_len, [header, *cells])) for header, _, cells in [key, *columns]) + 3 * len(columns)


def _fitted_table(console: Console, fancy: bool, key: Column, layouts: list[list[Column]]) -> list[Column]:
    """Print the first layout (columns beside `key`) whose table fits the console with every key on one
    line: a layout leaves out a whole column, never a part of a figure. Where none fits, the first that
    fits with the keys folded after their hyphens into the room its figures leave (`trondheim-` over
    `fastlegekontor-1`); where none does, one block per row: the key, then each figure after its header
    (as `hpplan compare` shows a move below 120 columns), with the columns of the first layout. A
    figure is never cut. Returns the columns shown."""
    header, right, keys = key
    room = None
    chosen = next((columns for columns in layouts if _width(key, columns) <= console.width), None)
    if chosen is None:
        widest = max(map(cell_len, [header, *(part for k in keys for part in parts(k))]))
        for columns in layouts:
            room = console.width - _width((header, right, []), columns) + cell_len(header)
            if room >= widest:
                chosen = columns
                break
        else:
            _blocks(console, key, layouts[0])
            return layouts[0]
    t = _table(fancy)
    if room is None:
        t.add_column(header, justify="right" if right else "left", no_wrap=True)
    else:
        keys = [_fold(k, room) for k in keys]
        room = max(cell_len(line) for k in [header, *keys] for line in k.splitlines())
        t.add_column(header, justify="right" if right else "left", width=room, overflow="fold")
    for name, right_justified, _ in chosen:
        t.add_column(name, justify="right" if right_justified else "left", no_wrap=True)
    for i, ident in enumerate(keys):
        t.add_row(*(Text(x) for x in [ident] + [cells[i] for _, _, cells in chosen]))
    print_lines(console, t)  # a folded key's second line has empty cells after it: no blanks at the line's end
    return chosen


def _fold(key: str, room: int) -> str:
    """A key in lines no wider than `room`, broken after hyphens only (each part fits: `_fitted_table`)."""
    lines = [""]
    for part in parts(key):
        if lines[-1] and cell_len(lines[-1] + part) > room:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)


def _blocks(console: Console, key: Column, columns: list[Column]) -> None:
    """Each row as a block: its key (bold; a number, an axis's value, after its header), then `header
    figure` pairs packed into the lines below, none of them broken (render.pack)."""
    header, number, keys = key
    for i, ident in enumerate(keys):
        say(console, f"{header} {ident}" if number else ident, 0, "bold")
        items = [Text(f"{name} {cells[i]}") for name, _, cells in columns if cells[i]]
        for line in pack(" ", items, "  ", console.width):
            line.rstrip()
            console.print(line, no_wrap=True, overflow="ignore", crop=False, highlight=False)


def _without_by(columns: list[Column]) -> list[Column]:
    """The columns less P(live by): the first to leave out of a table too wide for the terminal."""
    return [column for column in columns if not column[0].startswith("By ")]


def _has_by(columns: list[Column]) -> bool:
    return any(header.startswith("By ") for header, _, _ in columns)


def _date_columns(names: tuple[str, ...], rows: list[dict], short: bool) -> list[Column]:
    """The date columns; a quantile on a step (`row[name + "?"]`, its range) marked `?` (`STEP_NOTE`)."""
    return [(name, False, [_day(row[name], short) + ("?" if row.get(name + "?") else "") for row in rows])
            for name in names]


def _quantile_row(a, p10: bool = False) -> dict:
    """An organisation's dates for `_date_columns`, each quantile with its range where it is on a step."""
    row = {"Base": a.base, "Median": a.median, "Median?": a.median_range, "P90": a.p90, "P90?": a.p90_range}
    if p10:
        row.update({"P10": a.p10, "P10?": a.p10_range})
    return row


#: the note under a table with a date marked `?`
STEP_NOTE = ("?: a quantile on a step: the share of scenarios live by that date is within sampling error of its "
             "level (10%, 50%, 90%), so the next or previous date is about as likely (JSON p10_range, median_range, "
             "p90_range).")


def _stepped(columns: list[Column]) -> bool:
    return any(cell.endswith("?") for header, _, cells in columns if header in ("P10", "Median", "P90")
               for cell in cells)


def _by_columns(dates: list[str], actors: list, short: bool) -> list[Column]:
    """P(live by) each date, with its range where some scenarios' answer is not known."""
    return [(f"By {d[:7] if short else d}", True, [_pct_range(a.p_live_by.get(d), a.p_live_by_range.get(d))
                                                   for a in actors]) for d in dates]


def _ranged(spans) -> bool:
    """Whether a share has a range: some scenarios without a plan whose answer is not known."""
    return any(low != high for low, high in spans)


def _by_range_note(actors: list) -> str:
    """What a P(live by) with a range in brackets means, where a row of the table has one."""
    if not _ranged(span for a in actors for span in a.p_live_by_range.values()):
        return ""
    return ("By: the share live by the date of the scenarios whose answer is known (with a plan, or without one "
            "because the organisation is ready only after the last window); after `all`, the share of every "
            "scenario, the other scenarios without a plan counted as not live and as live: what they would answer, "
            "not a confidence interval.")


def _done_by_note(s: SweepSummary) -> str:
    """How P(done by) counts the scenarios without a plan, where they change it."""
    late, other = s.ready_after_last_window, s.failed - s.ready_after_last_window
    said = []
    if late:
        said.append(f"{late} {_scenarios(late)} in which an organisation that must go live is ready only after the "
                    "last window count as not done (no window for it)")
    if other and s.completion is not None and _ranged(s.completion.p_by_range.values()):
        ci = "" if s.kind == "grid" else " (and its 95% CI)"  # (a grid's share is of the values chosen: exact)
        said.append(f"the {other} other {_scenarios(other)} without a plan may go either way: P{ci} is of the "
                    f"{s.scenarios - other} whose answer is known, and the range after it counts "
                    f"those {other} as none done and as all done (a bound, not a confidence interval)")
    return ("P(done by): " + "; ".join(said) + ".") if said else ""


def _scenarios(n: int) -> str:
    return "scenario" if n == 1 else "scenarios"


def render_summary(s: SweepSummary, console: Console, top: int = 10) -> None:
    """The summary for a reader, section by section (with a work limit, the warning about unproven plans
    says they are reproducible instead of advising one)."""
    fancy = glyphs_for(console).fancy  # a real terminal (not FORCE_COLOR alone), not TERM=dumb
    short = console.width < WIDE
    _summary_header(s, console)
    c = s.completion
    note = _done_by_note(s)
    if not s.with_plan:
        if c is not None and any(p is not None for p in c.p_by.values()):  # known without a plan: not done
            console.print()
            say(console, "Rollout complete (the last go-live of the organisations that must go live)", 0, "bold")
            _done_by_lines(s, console, note)
        _failures(s, console)
        return
    _completion_section(s, console, fancy, note)
    _cost_section(s, console)
    _at_risk_section(s, console, fancy, short, top)
    _influence_section(s, console, fancy, short, top)
    _axis_sections(s, console, fancy)
    _organisations_section(s, console, fancy, short)
    _failures(s, console)
    if s.estimated:
        console.print()
        say(console, ESTIMATE_NOTE, 0, "dim")


def _summary_header(s: SweepSummary, console: Console) -> None:
    """The sweep, its description, how many scenarios have a plan, how they were planned and whether
    their plans are proven."""
    seed = f", {_glued(f'seed {s.seed}')}" if s.seed is not None else ""
    say(console, f"Sweep {s.spec}: {s.kind.replace('_', ' ')}, {s.scenarios} of {s.size} scenarios{seed}", 0, "bold")
    say(console, s.description, 2, "italic")
    line = f"{s.with_plan} with a plan, {s.failed} without"
    if s.failed:
        line += " (reasons below)"
    if s.missing:
        line += f"; {s.missing} not run yet (resume the sweep to run them)"
    if s.completion is not None:
        line += f". Base plan: {_base_quality(s)}, rollout complete {s.completion.base}."
    say(console, line, 2)
    if s.plan == "replan":
        say(console, "Each scenario re-planned from the base plan, changing it as little as possible (as hpplan "
                     "solve --baseline): the moves a slip forces, not a fresh plan of that future.", 2)
    base = _base_note(s)
    if base:
        say(console, base, 2, "yellow")
    if s.unproven and s.work_limit is not None:
        say(console, f"{s.unproven} {_plans(s.unproven)} not proven optimal (cut short by the work limit "
                      f"({s.work_limit:g}) or the gap tolerance): reproducible, the same on any machine; raise "
                      "work_limit (and lower gap) for plans nearer the optimum (docs/sweep.md).", 2, "yellow")
    elif s.unproven:
        say(console, f"{s.unproven} {_plans(s.unproven)} not proven optimal (cut short by the time limit or the gap "
                      "tolerance): they differ run to run, even on this machine, and their delays against the "
                      "base plan can be the solver's, not the future's; raise time_limit (and lower gap), set "
                      "work_limit to make them reproducible" + ("" if s.plan == "replan" else
                      ", or plan: replan (--replan) to re-plan each from the base plan") +
            " (docs/sweep.md \"Reproducible\").", 2, "yellow")
    if s.tie_break_cut:
        one = s.tie_break_cut == 1
        which = ("which of the equally good plans it is, is the same on every run (the work limit)"
                 if s.work_limit is not None else
                 "which of the equally good plans it is may differ run to run (a work_limit makes it the same)")
        say(console, f"{s.tie_break_cut} {'plan' if one else 'plans'} proven optimal, {'its' if one else 'their'} "
                      f"tie-break cut short by the {'work' if s.work_limit is not None else 'time'} limit: as good as "
                      f"any plan of {'its' if one else 'their'} future; {which}.", 2, "dim")


def _base_quality(s: SweepSummary) -> str:
    """The base plan's status and, where it has one, its gap: `optimal` or `feasible, 9.4% from its bound`."""
    if s.base_gap is None or s.base_proven:
        return s.base_status or "none"
    return f"{s.base_status}, {_glued(f'{s.base_gap:.1f}%')} from its bound"


def _base_note(s: SweepSummary) -> str:
    """What rests on a base plan whose objective is not proven, and what to do about it ("" where it is
    proven, or a results file made before the base record said so)."""
    if s.completion is None or s.base_proven is None or s.base_proven:
        return ""
    rests = ("every scenario is re-planned from it, so every date and P(done by) below rests on that "
             "one plan" if s.plan == "replan" else
             "every delay, Later and cost below is measured against it")
    given = f" (it had {s.base_time_limit:g} s)" if s.base_time_limit is not None else ""
    budget = (f"raise work_limit ({s.work_limit:g})" if s.work_limit is not None else
              f"give its solve more time with base_time_limit{given}, or set work_limit for the same base plan on "
              "every run")
    return (f"The base plan is not proven optimal ({_glued(f'{s.base_gap:.1f}%')} from its bound, cut short): "
            f"{rests}, and another run can give another base plan and other figures; {budget} "
            "(docs/sweep.md \"Fresh or re-planned\").") if s.base_gap is not None else (
            f"The base plan is not proven optimal (cut short): {rests}; {budget} (docs/sweep.md).")


def _completion_section(s: SweepSummary, console: Console, fancy: bool, note: str) -> None:
    """Rollout complete: base, quantiles, P(done by), the histogram by quarter, who goes live last."""
    c = s.completion
    console.print()
    say(console, "Rollout complete (the last go-live of the organisations that must go live)", 0, "bold")
    said = []
    for label, day, span, steps, q in (("base", c.base, None, None, 0), ("P10", c.p10, c.p10_range, c.p10_steps, 0.1),
                                       ("median", c.median, c.median_range, c.median_steps, 0.5),
                                       ("P90", c.p90, c.p90_range, c.p90_steps, 0.9),
                                       ("latest", c.latest, None, None, 0)):
        if span:  # on a step: both dates, and why
            said.append(f"{_glued(f'{label} {_day(span[0], False)}')} {_glued(f'to {_day(span[1], False)}')} "
                        f"({_on_step(steps, q, 'done by', lambda d: _day(d, False))})")
        else:
            said.append(_glued(f"{label} {_day(day, False)}"))
    say(console, "  ".join(said), 2)
    _done_by_lines(s, console, note)
    if s.with_plan and s.kind != "grid":  # (a grid's shares are of the values chosen: exact)
        say(console, f"Sampling error: {_precision(s.with_plan)}; each P(done by) with its 95% CI (Wilson).", 2, "dim")
    if c.by_quarter:
        for line in _histogram(c.by_quarter, console.width, "█" if fancy else "#"):
            console.print(Text(line), no_wrap=True, overflow="ignore", crop=False, highlight=False)

    setters = s.completion_setters()
    if setters:
        text = ", ".join(_glued(f"{s.label(a)} {_pct(a.p_last)}") for a in setters)
        tied = _tied([a.p_last for a in setters], s.with_plan) if s.kind != "grid" else ""
        say(console, f"Last to go live (sets the completion date; share of scenarios): {text}"
                     + (f". {tied}" if tied else ""), 2)


def _cost_section(s: SweepSummary, console: Console) -> None:
    """Cost of delay (or Delay, where the data has no costs), and the organisations out of or into the plan."""
    if s.cost is not None:
        k = s.cost
        console.print()
        moved = (f"on average {_with_margin(k.mean_moved, k.mean_moved_stderr)} organisations go live later than "
                 "in the base plan, "
                 + _pop_months(k.mean_population_months, k.mean_population_months_stderr,
                               k.population_months_is_estimate)
                 + " population-months of delay (an earlier go-live counts 0; compare nets it)")
        if k.scenarios_newly_unscheduled:
            moved += " (of the organisations both plans have)"
        if k.actors:
            estimate = " (estimate: from estimated postponement costs per month)" if k.is_estimate else ""
            say(console, f"Cost of delay of {', '.join(k.actors)}{estimate}", 0, "bold")
            shown, margin = _margin(k.mean, k.mean_stderr)
            figures = [_glued(f"mean {shown} MNOK") + (f" (±{margin})" if margin else "")]
            for label, value, span, steps, q in (("median", k.p50, k.median_range, k.median_steps, 0.5),
                                                 ("P90", k.p90, k.p90_range, k.p90_steps, 0.9)):
                figures.append(_glued(f"{label} {fmt_number(span[0])}-{fmt_number(span[1])}")
                               + f" ({_on_step(steps, q, 'at or below', fmt_number)})" if span
                               else _glued(f"{label} {fmt_number(value)}"))
            figures.append(_glued(f"max {fmt_number(k.max)}"))
            say(console, f"{', '.join(figures)}; {moved}", 2)
        else:  # "mean 0 MNOK" would read as "delay costs nothing"
            say(console, "Delay", 0, "bold")
            say(console, f"{moved}; no cost of delay: no organisation in the data has a "
                          "postponement_cost_per_month", 2)
        for line in _out_of_plan(k, s.with_plan):
            say(console, line, 2)
        if any(x is not None and x > 0 for x in (k.mean_stderr, k.mean_moved_stderr, k.mean_population_months_stderr)):
            say(console, "(±...): a mean's 95% sampling margin (1.96 standard errors), the mean rounded to it."
                + (" A range on a step: the share at a jump of the values is within sampling error of the quantile's "
                   "level, so another sample would as likely give the other value." if k.median_range or k.p90_range
                   else ""), 2, "dim")


def _pop_months(mean: float, stderr: float | None, estimate: bool) -> str:
    """Population-months as a sentence gives them: `2 060 000* (±170 000)`, the figure glued to its mark."""
    shown, margin = _margin(mean, stderr)
    return marked(shown if margin else fmt_int(mean), estimate) + (f" (±{margin})" if margin else "")


def _at_risk_section(s: SweepSummary, console: Console, fancy: bool, short: bool, top: int) -> None:
    """Most at risk: the go-lives least likely live by the first live_by date (`SweepSummary.at_risk`)."""
    at_risk = s.at_risk(top)
    console.print()
    say(console, f"Most at risk: go-lives least likely live by {s.live_by[0]}" if s.live_by
        else "Most at risk: go-lives most often later than in the base plan", 0, "bold")
    if at_risk:
        rows = [_quantile_row(a) for a in at_risk]
        fixed = _date_columns(("Base", "Median", "P90"), rows, short) + [
            ("Later", True, [_pct(a.p_later) for a in at_risk]),
            ("Delay", True, ["" if a.mean_delay_months is None else fmt_fixed(a.mean_delay_months, 1, sign=True) for a in at_risk])]
        layouts = [fixed + _by_columns(s.live_by[:1], at_risk, True)]
        if not short:  # every live_by date; if that is too wide, the first one, then YYYY-MM dates
            layouts = [fixed + _by_columns(s.live_by, at_risk, False),
                       fixed + _by_columns(s.live_by[:1], at_risk, False),
                       _date_columns(("Base", "Median", "P90"), rows, True) + fixed[3:]
                       + _by_columns(s.live_by[:1], at_risk, True)]
        layouts.append(_without_by(layouts[-1]))  # narrower still: no P(live by), said below
        groups = {a.id: s.group_of(a.id) for a in at_risk if s.group_of(a.id)}
        key = ("Organisation", False, [s.label(a) for a in at_risk])
        chosen = _fitted_table(console, fancy, key, layouts)
        out = any(a.unscheduled and a.base for a in at_risk)
        if not s.live_by:
            by = "."
        elif _has_by(chosen):
            by = "; By: share live by the date."
        else:
            by = (f"; the share live by {s.live_by[0]} is left out here: a terminal of "
                  f"{_width(key, layouts[-2])} columns shows it.")
        ranked = (f"Ranked by the share not live by {s.live_by[0]}"
                  + (" (ties: by the later dates)" if len(s.live_by) > 1 else "")
                  + ", then by Later; only the go-lives the base plan has by that date. " if s.live_by else "")
        together = "".join(f" {g['id']} ({len(g['members'])}): the {len(g['members'])} organisations of that "
                           f"`together` rule ({', '.join(g['members'])}), which go live as one: one row."
                           for g in groups.values())
        ranking = [s.not_live_by_first(a) if s.live_by else (a.p_later or 0) for a in at_risk]
        tied = _tied(ranking, s.with_plan) if s.kind != "grid" else ""
        say(console, ranked + "Later: share of scenarios with the go-live later than in the base plan"
                      + (" (or out of the plan: never)" if out else "") + "; Delay: mean months later"
                      + (" where the scenario plans it" if out else "") + by + together + (f" {tied}" if tied else ""),
            2, "dim")
        if _stepped(chosen):
            say(console, STEP_NOTE, 2, "dim")
        if _has_by(chosen) and _by_range_note(at_risk):
            say(console, _by_range_note(at_risk), 2, "dim")
    elif s.live_by:
        say(console, f"No go-live the base plan has by {s.live_by[0]} misses it, or is later than in the base plan, "
                      "in any scenario.", 2)
    else:
        say(console, "No go-live is later than in the base plan in any scenario.", 2)
    after = s.planned_after()
    if after:
        more = (f", and {fmt_int(len(after) - top)} more (--format json lists them: planned_after)"
                if len(after) > top else "")
        say(console, f"Planned after {s.live_by[0]} in the base plan (a plan, not a risk; the go-live table has "
                      "their shares): " + ", ".join(_glued(f"{s.label(a)} {_day(a.base, True)}")
                                                   for a in after[:top]) + more + ".", 2)
    never = s.never_planned()
    if never:
        say(console, f"{fmt_int(len(never))} optional {'organisation' if len(never) == 1 else 'organisations'} "
                      "the base plan leaves out (no go-live, so none at risk) "
                      f"{'is' if len(never) == 1 else 'are'} not listed.", 2, "dim")


def _influence_section(s: SweepSummary, console: Console, fancy: bool, short: bool, top: int) -> None:
    """Whose delay moves others most: the clear least-squares effects."""
    clear = [f for f in s.influence if (f.clear or f.others_moved_clear)
             and (f.others_population_months > 0 or f.others_moved > 0)]
    if s.influence:
        console.print()
        say(console, "Whose delay moves others most (per month of its own readiness slip)", 0, "bold")
    if s.influence and not clear:
        say(console, f"No organisation's slip has a clear effect on the others at {s.with_plan} scenarios "
                      f"({_clear_rule(s)}); more samples may show one. --format json lists every estimate.", 2)
    if clear:
        shown = clear[:top]
        own, others, pop = ("Own", "Others", "Pop-months") if short else (
            "Pass-through", "Others moved", "Others' pop.-months")
        columns = [("Slipped", True, [_pct(f.slipped) for f in shown]),
                   (own, True, ["" if f.pass_through is None else fmt_fixed(f.pass_through, 2) for f in shown]),
                   (others, True, [_unclear(fmt_fixed(f.others_moved, 2), f.others_moved_clear) for f in shown]),
                   (pop, True,
                    [_unclear(marked(fmt_int(f.others_population_months), f.others_population_months_is_estimate),
                              f.clear) for f in shown]),
                   ("t", True, [_t(f) for f in shown])]
        _fitted_table(console, fancy, ("Organisation", False, [f.id for f in shown]), [columns])
        hidden = len(s.influence) - len(clear[:top])
        unclear = any(not f.clear or not f.others_moved_clear for f in shown)
        say(console, "Least-squares slopes over the scenarios with a plan, per month of the organisation's own slip: "
                      f"{own}: its own go-live delay; {others}: other organisations (not of its together rule) later than the base plan; "
                      f"{pop}: their population-months of delay; t: "
                      f"the {pop} slope over its standard error (the {others} slope's: others_moved_t in --format "
                      "json)"
                      + ("; exact: no scatter about the slope (standard error 0, as in a grid)"
                         if any(f.t is None for f in clear[:top]) else "")
                      + f". Only clear effects are shown ({_clear_rule(s)})"
                      + ("; a slope in brackets is not clear: not told apart from noise" if unclear else "")
                      + (f"; {hidden} more organisations' slopes in --format json" if hidden > 0 else "")
                      + ". A slope is a straight line through the slip levels drawn: \"per month\" is an average, "
                        "and an effect that is a step (any slip moves others, more months add little) shows as one "
                        "(docs/sweep.md).", 2, "dim")
        for f in shown:
            if f.by_slip and len(f.by_slip) > 1:
                levels = ", ".join(_glued(f"slip {level}: " + " ±".join(filter(None, _margin(
                    v["others_moved_mean"], v.get("others_moved_stderr"))))) + f" ({v['scenarios']})"
                    for level, v in f.by_slip.items())
                say(console, f"{f.id}, other organisations later on average by its slip (months; scenarios): "
                              f"{levels}.", 2, "dim")


def _unclear(text: str, clear: bool) -> str:
    """A slope as the influence table shows it: in brackets where it is not clear (not told apart from noise)."""
    return text if clear else f"({text})"


def _clear_rule(s: SweepSummary) -> str:
    """When an influence counts as clear, for this summary's organisations tested and scenarios."""
    threshold = f"{s.clear_threshold:.1f}" if s.clear_threshold is not None else "?"
    tested = f"{len(s.influence)} {'organisation' if len(s.influence) == 1 else 'organisations'}"
    return (f"{_glued(f'|t| >= {threshold}')} for {tested} tested at {s.with_plan} {_scenarios(s.with_plan)}"
            + ("" if s.kind == "grid" else f", and a slip in at least {MIN_SLIPPED} scenarios"))


def _axis_sections(s: SweepSummary, console: Console, fancy: bool) -> None:
    """A grid's table per axis."""
    costs = s.cost is not None and bool(s.cost.actors)  # no costs in the data: no column of zeros
    for axis in s.axes:
        console.print()
        say(console, f"Axis: {axis.label}", 0, "bold")
        values = axis.values
        columns = [("Plans", True, [f"{v.with_plan}/{v.scenarios}" for v in values]),
                   ("Median done", False, [_day(v.completion_median, False) if v.with_plan else "" for v in values])]
        columns += [(f"By {d[:7]}", True, [_pct_range(v.p_done_by.get(d), v.p_done_by_range.get(d)) for v in values])
                    for d in s.live_by[:1]]
        if costs:
            columns.append(("Cost MNOK", True, ["" if v.mean_cost is None else fmt_number(v.mean_cost)
                                                for v in values]))
        columns += [("Moved", True, ["" if v.mean_moved is None else fmt_number(round(v.mean_moved, 1))
                                     for v in values]),
                    ("Pop-months", True, ["" if v.mean_population_months is None else
                                          marked(fmt_int(v.mean_population_months), v.population_months_is_estimate)
                                          for v in values])]
        out = any(v.mean_newly_unscheduled for v in values)
        if out:
            columns.append(("Out", True, ["" if v.mean_newly_unscheduled is None
                                          else fmt_number(round(v.mean_newly_unscheduled, 1)) for v in values]))
        key = ("Value", True, [f"{v.value:g}" for v in values])
        chosen = _fitted_table(console, fancy, key, [columns, _without_by(columns)])
        if s.live_by and not _has_by(chosen):
            say(console, f"The share done by {s.live_by[0]} is left out here: a terminal of {_width(key, columns)} "
                          "columns shows it.", 2, "dim")
        if out:
            say(console, "Out: organisations the base plan has that the scenario's plan leaves out (mean): open-ended, "
                          "not in Moved or Pop-months.", 2, "dim")


def _organisations_section(s: SweepSummary, console: Console, fancy: bool, short: bool) -> None:
    """Go-live per organisation: those whose go-live varies most, as wide as the terminal allows."""
    console.print()
    actors, hidden = _organisations_shown(s)
    say(console, "Go-live per organisation (scenarios with a plan)"
                  + (f", the {len(actors)} whose go-live varies most" if hidden else ""), 0, "bold")
    rows = [_quantile_row(a, p10=True) for a in actors]
    later = [("Later", True, [_pct(a.p_later) for a in actors])]
    three = ("Base", "Median", "P90")
    brief = _date_columns(three, rows, True) + later + _by_columns(s.live_by[:1], actors, True)
    full = _date_columns(("Base", "P10", "Median", "P90"), rows, False) + later + _by_columns(s.live_by, actors, False)
    layouts = [brief] if short else [  # P10 and every live_by date; where that is too wide, fewer
        full, _date_columns(three, rows, False) + later + _by_columns(s.live_by, actors, False),
        _date_columns(three, rows, False) + later + _by_columns(s.live_by[:1], actors, False), brief]
    layouts.append(_without_by(brief))  # narrower still: no P(live by), said below
    key = ("Organisation", False, [a.id for a in actors])
    chosen = _fitted_table(console, fancy, key, layouts)
    if hidden:
        say(console, f"... and {fmt_int(hidden)} more organisations, whose go-live varies less or not at all "
                      "(--format csv or json lists every one).", 2, "dim")
    wide = max(WIDE, _width(key, full))
    every = " and every live_by date" if s.live_by else ""
    if s.live_by and not _has_by(chosen):
        say(console, f"The share live by {s.live_by[0]} is left out here: a terminal of {_width(key, brief)} columns "
                      f"shows it, one of {wide} columns P10{every}.", 2, "dim")
    elif chosen is not full and (len(s.live_by) > 1 or not short):
        say(console, f"A wider terminal ({wide} columns) shows P10{every}.", 2, "dim")
    if _stepped(chosen):
        say(console, STEP_NOTE, 2, "dim")
    if _has_by(chosen) and _by_range_note(actors):
        say(console, _by_range_note(actors), 2, "dim")


def _done_by_lines(s: SweepSummary, console: Console, note: str) -> None:
    """P(done by) each `live_by` date (with its range where some scenarios' answer is not known), and how
    the scenarios without a plan count in it."""
    c = s.completion
    if c.p_by:
        other = s.failed - s.ready_after_last_window
        said = []
        for d, p in c.p_by.items():
            span, ci = c.p_by_range.get(d), c.p_by_ci.get(d)
            text = _glued(f"P(done by {d}) {_pct(p)}") if p is not None else _glued(f"P(done by {d})")
            if ci:
                text += " " + _glued(_ci(ci))
            if span and span[0] != span[1]:  # the unknown answers' bound, in words: no confidence interval
                text += ("; " if p is not None else " ") + f"{_glued(f'{_pct(span[0])}-{_pct(span[1])}')} whatever " \
                        f"the {other} {_scenarios(other)} without a plan would answer"
            said.append(text)
        say(console, "  ".join(said), 2)
        if note:
            say(console, note, 2, "dim")


def _glued(text: str) -> str:
    """A label and its figure (`P(done by 2026-02-28) 25.5%`) as one word for `say`: on one line where it fits."""
    return text.replace(" ", GLUE)


def _histogram(by_quarter: list[dict], width: int, mark: str) -> list[str]:
    """The scenarios by quarter of completion, a line per quarter: the quarter, a bar (`mark`s, the most
    frequent quarter's the full room), the count and the share. The bar is 40 characters wide from 70
    columns and 10 from 34; narrower, the figures take only the room they need and the bar what is left
    (none below 5 characters); where not even the quarter and its figures fit on a line, the figures go
    on the line below it. A figure is never cut, and no line ends in blanks."""
    counts = [str(q["count"]) for q in by_quarter]
    shares = [_pct(q["share"]) for q in by_quarter]
    most = max(q["count"] for q in by_quarter) or 1
    tight = (max(map(len, counts)), max(map(len, shares)))
    wide = (max(5, tight[0]), max(6, tight[1]))
    room = max(10, min(40, width - 30))
    if len("  2026-Q2  ") + room + 2 + sum(wide) > width:  # narrower: the bar has what the figures leave
        wide, room = tight, min(10, width - len("  2026-Q2  ") - 2 - sum(tight))
        room = room if room >= 5 else 0
    lines = []
    for q, count, share in zip(by_quarter, counts, shares):
        figures = f"{count:>{wide[0]}} {share:>{wide[1]}}"
        if room:
            lines.append(f"  {q['quarter']}  {mark * round(room * q['count'] / most):<{room}} {figures}")
        elif len(f"  {q['quarter']}  {figures}") <= width:
            lines.append(f"  {q['quarter']}  {figures}")
        else:
            lines += [f"  {q['quarter']}", f"    {figures}"]
    return lines


def _failures(s: SweepSummary, console: Console, top: int = 8) -> None:
    if not s.failures:
        return
    console.print()
    say(console, f"Scenarios without a plan ({s.failed})", 0, "bold")
    for f in s.failures[:top]:
        more = ", ..." if f.count > len(f.indices) else ""
        say(console, f"{f.count} x {f.status}: {f.reason} [scenario {', '.join(map(str, f.indices))}{more}]", 2)
    if len(s.failures) > top:
        say(console, f"... and {len(s.failures) - top} other reasons (--format json lists them all)", 2)
    # the commands to paste into a shell, each on a line of its own: the spec's path quoted (`Mine data/...`)
    first = s.failures[0].indices[0] if s.failures[0].indices else 0
    seed = ["--seed", str(s.seed)] if s.seed is not None else []  # the seed a `--seed` may have set
    say(console, f"See scenario {first} on its own, and why it has no plan, with:", 2, "dim")
    scenario = shlex.join(["hpplan", "sweep", s.spec or "SPEC", *seed, "--scenario-of", str(first)])
    for command in (f"{scenario} > scenario.yaml", "hpplan explain --scenario scenario.yaml"):
        console.print(Text(f"    {command}", style="dim"), no_wrap=True, overflow="ignore", crop=False, highlight=False)


def _out_of_plan(k, n: int) -> list[str]:
    """What the scenarios leave out of the plan, or bring into it, that the base plan has otherwise: open-ended,
    said apart with the population, as `hpplan compare` says it (no number of months to sum)."""
    lines = []
    if k.scenarios_newly_unscheduled:
        cost = (f"; the cost of delay of {', '.join(k.open_ended_cost)} is open-ended there, not in the cost above"
                if k.open_ended_cost else "")
        lines.append(f"In {k.scenarios_newly_unscheduled} of {n} scenarios organisations the base plan has are out of "
                     "the plan: open-ended, not counted as months (on average "
                     f"{fmt_number(k.mean_newly_unscheduled)} organisations, "
                     f"{marked(fmt_int(k.mean_population_out), k.population_out_is_estimate)} people "
                     f"per scenario){cost}.")
    if k.scenarios_newly_scheduled:
        lines.append(f"In {k.scenarios_newly_scheduled} of {n} scenarios organisations the base plan leaves out are in "
                     f"the plan: an open-ended gain (on average {fmt_number(k.mean_newly_scheduled)} organisations, "
                     f"{marked(fmt_int(k.mean_population_in), k.population_in_is_estimate)} people per scenario).")
    return lines


#: the most organisations the terminal's "Go-live per organisation" lists (national scale has 2,100: the
#: files list them all)
ORGANISATIONS_SHOWN = 50


def _organisations_shown(s: SweepSummary) -> tuple[list, int]:
    """The organisations the per-organisation table lists, in the summary's order, and how many it leaves
    out: every one up to ORGANISATIONS_SHOWN, else those whose go-live varies most (the widest P10 to P90,
    then the largest share later, then the largest mean delay; a tie by id)."""
    if len(s.actors) <= ORGANISATIONS_SHOWN:
        return list(s.actors), 0

    def spread(a) -> tuple:
        low, high = (dt.date.fromisoformat(x) if x else None for x in (a.p10, a.p90))
        days = (high - low).days if low and high else 0
        return -days, -(a.p_later or 0), -abs(a.mean_delay_months or 0), a.id

    chosen = {a.id for a in sorted(s.actors, key=spread)[:ORGANISATIONS_SHOWN]}
    return [a for a in s.actors if a.id in chosen], len(s.actors) - ORGANISATIONS_SHOWN


def _plans(n: int) -> str:
    return "plan was" if n == 1 else "plans were"


def summary_text(s: SweepSummary, width: int = 160) -> str:
    buffer = io.StringIO()
    render_summary(s, Console(file=buffer, width=width, force_terminal=False, highlight=False, color_system=None))
    return buffer.getvalue()


def summary_json(s: SweepSummary) -> str:
    return json.dumps(s.to_json_dict(), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["id", "name", "kind", "base_go_live", "p10", "median", "p90", "unscheduled", "p_later",
               "mean_delay_months", "slip_share"]


def summary_csv(s: SweepSummary) -> str:
    """One row per organisation still to plan, and a first row `completion` for the rollout's completion
    date (kind `rollout`). An empty cell has no data (no scenario with a plan, or none whose answer is
    known); `p_live_by_<date>_low` and `_high` are the share's range over every scenario, and
    `with_plan`, `without_plan` how many scenarios each row sums up. Text that starts like a formula (a
    name `=SUM(A1:A2) Skaun`) gets a leading apostrophe, as in `hpplan solve --format csv` (`csv_text`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = [CSV_COLUMNS + [f"p_live_by_{d}" for d in s.live_by]
            + [f"p_live_by_{d}_{end}" for d in s.live_by for end in ("low", "high")] + ["with_plan", "without_plan"]]

    def by(shares: dict, spans: dict) -> list:
        return [shares.get(d) for d in s.live_by] + [(spans.get(d) or [None, None])[i] for d in s.live_by
                                                     for i in (0, 1)] + [s.with_plan, s.failed]

    if s.completion is not None:
        c = s.completion
        rows.append(["completion", "rollout complete", "rollout", c.base, c.p10, c.median, c.p90, "", "", "", ""]
                    + by(c.p_by, c.p_by_range))
    for a in s.actors:
        rows.append([a.id, a.name, a.kind, a.base, a.p10, a.median, a.p90, a.unscheduled, a.p_later,
                     a.mean_delay_months, a.slip_share] + by(a.p_live_by, a.p_live_by_range))
    writer.writerows([csv_text(cell) for cell in row] for row in rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# charts (plotly)


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
BAR_COLOUR = "#0e7c86"
LINE_COLOUR = "#2e8b3e"
BASE_COLOUR = "#6a3d9a"
LIVE_BY_COLOUR = "#c0392b"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def require_plotly():
    """plotly.graph_objects, or RuntimeError saying how to install it (checked before a sweep runs)."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise RuntimeError("the sweep charts need plotly: pip install 'hpplan[sweep]'") from None
    return go


def _quarter_start(label: str) -> dt.date:
    year, q = label.split("-Q")
    return dt.date(int(year), 3 * (int(q) - 1) + 1, 1)


def _quarter_end(label: str) -> dt.date:
    start = _quarter_start(label)
    year, month = (start.year + 1, 1) if start.month == 10 else (start.year, start.month + 3)
    return dt.date(year, month, 1)


def _ms(a: dt.date, b: dt.date) -> int:
    return (b - a).days * 86_400_000


def completion_figure(s: SweepSummary):
    """The completion-date distribution: scenarios by quarter of completion (bars, left axis), the share
    of scenarios done by each date (step line, right axis: read P(done by a date) off it), and vertical
    lines for the base plan, the median, P10 and P90 and each `live_by` date (named in the legend)."""
    go = require_plotly()
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    c = s.completion
    if c is None or not c.by_quarter:
        fig.update_layout(title="No scenario with a plan: no completion date")
        return fig
    starts = [_quarter_start(q["quarter"]) for q in c.by_quarter]
    fig.add_trace(go.Bar(x=[d.isoformat() for d in starts], y=[q["share"] * 100 for q in c.by_quarter],
                         width=[_ms(d, _quarter_end(q["quarter"])) * 0.96 for d, q in zip(starts, c.by_quarter)],
                         offset=0, name="scenarios completing in the quarter",
                         marker_color=BAR_COLOUR, opacity=0.55,
                         customdata=[[q["quarter"], q["count"]] for q in c.by_quarter],
                         hovertemplate="%{customdata[0]}: %{customdata[1]} scenarios (%{y:.1f}%)<extra></extra>"),
                  secondary_y=False)
    first, last = starts[0], _quarter_end(c.by_quarter[-1]["quarter"])
    dates = [dt.date.fromisoformat(d) for d in s.live_by]
    left = min([first] + dates) - dt.timedelta(days=31)
    right = max([last] + dates) + dt.timedelta(days=31)
    xs, ys = [left.isoformat()], [0.0]
    for day, share in c.steps:
        xs.append(day)
        ys.append(share * 100)
    xs.append(right.isoformat())
    ys.append(ys[-1])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": LINE_COLOUR, "shape": "hv", "width": 2.5},
                             name="scenarios done by the date (cumulative)",
                             hovertemplate="done by %{x|%Y-%m-%d}: %{y:.1f}%<extra></extra>"),
                  secondary_y=True)
    marks = [(f"base plan {c.base}", c.base, BASE_COLOUR, "solid"), (f"median {c.median}", c.median, "#222222", "dash"),
             (f"P10 {c.p10}", c.p10, "#888888", "dot"), (f"P90 {c.p90}", c.p90, "#888888", "dot")]
    marks += [(f"live by {d}: {_pct_range(p, c.p_by_range.get(d))} of scenarios", d, LIVE_BY_COLOUR, "dashdot")
              for d, p in c.p_by.items()]
    for label, day, colour, dash in marks:
        if day:
            fig.add_trace(go.Scatter(x=[day, day], y=[0, 100], mode="lines", name=label,
                                     line={"color": colour, "dash": dash, "width": 1.5},
                                     hovertemplate=f"{html.escape(label)}<extra></extra>"),
                          secondary_y=True)
    title = f"When is the rollout complete? {s.with_plan} scenarios with a plan"
    if s.failed:
        title += f" ({s.failed} without, left out)"
    fig.update_layout(title=title, font={"family": FONT, "size": 13}, height=520, plot_bgcolor="white",
                      legend={"orientation": "h", "y": -0.2, "x": 0}, margin={"l": 70, "r": 70, "t": 60, "b": 150},
                      hovermode="closest")
    fig.update_xaxes(title_text="completion date (the last go-live of the organisations that must go live)",
                     range=[left.isoformat(), right.isoformat()], showgrid=True, gridcolor="#eeeeee", dtick="M3",
                     tickformat="%b %Y")
    # one scale for both: per cent of the scenarios with a plan
    ticks = {"tickvals": [0, 25, 50, 75, 100], "range": [0, 103]}
    fig.update_yaxes(title_text="% of scenarios completing in the quarter (bars)", secondary_y=False,
                     gridcolor="#eeeeee", **ticks)
    fig.update_yaxes(title_text="% of scenarios done by the date (line)", secondary_y=True, showgrid=False, **ticks)
    return fig


def golive_figure(s: SweepSummary):
    """Each organisation whose go-live varies, in the order of its base go-live (top first): P10 to P90
    (bar), median (dot), base plan (open diamond), and the `live_by` dates."""
    go = require_plotly()
    rows = [a for a in s.actors if (a.p_later or 0) > 0 or a.p10 != a.p90]  # None: no scenario with a plan
    rows = sorted(rows, key=lambda a: (a.base or "9999", a.median or "9999", a.id))
    fig = go.Figure()
    if not rows:
        fig.update_layout(title="No go-live varies across the scenarios")
        return fig
    latest = max((a.p90 for a in rows if a.p90), default=None)
    for a in rows:
        start, end = a.p10 or latest, a.p90 or latest
        fig.add_trace(go.Scatter(x=[start, end], y=[a.id, a.id], mode="lines", line={"color": BAR_COLOUR, "width": 8},
                                 showlegend=a is rows[0], name="P10 to P90",
                                 hovertemplate=f"{html.escape(a.name)}: P10 {a.p10}, P90 {a.p90 or 'never'}; "
                                               f"later than the base plan in {_pct(a.p_later)}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[a.median for a in rows], y=[a.id for a in rows], mode="markers", name="median",
                             marker={"color": "#222222", "size": 8}))
    fig.add_trace(go.Scatter(x=[a.base for a in rows], y=[a.id for a in rows], mode="markers", name="base plan",
                             marker={"color": BASE_COLOUR, "size": 10, "symbol": "diamond-open", "line": {"width": 2}}))
    for d in s.live_by:
        fig.add_trace(go.Scatter(x=[d, d], y=[rows[0].id, rows[-1].id], mode="lines", name=f"live by {d}",
                                 line={"color": LIVE_BY_COLOUR, "dash": "dashdot", "width": 1.2}))
    fig.update_layout(title="Go-live per organisation, where it varies (P10 to P90, median, base plan)",
                      font={"family": FONT, "size": 12}, height=max(320, 18 * len(rows) + 170), plot_bgcolor="white",
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                      margin={"l": 200, "r": 40, "t": 90, "b": 40})
    fig.update_yaxes(categoryorder="array", categoryarray=[a.id for a in reversed(rows)])
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee", dtick="M3", tickformat="%b %Y")
    return fig


def sweep_html(s: SweepSummary) -> str:
    """One self-contained HTML page (plotly.js inline, fixed div ids: the same summary gives the same bytes)."""
    import plotly.io as pio

    require_plotly()
    parts = [pio.to_html(completion_figure(s), include_plotlyjs=True, full_html=False, div_id="hpplan-sweep-completion",
                         config=PLOTLY_CONFIG),
             pio.to_html(golive_figure(s), include_plotlyjs=False, full_html=False, div_id="hpplan-sweep-golive",
                         config=PLOTLY_CONFIG)]
    esc = html.escape
    text = esc(summary_text(s, 160))
    seed = f", seed {s.seed}" if s.seed is not None else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>hpplan sweep: {esc(s.spec)}</title>\n"
        f"<style>body{{font-family:{FONT};margin:2em;max-width:1200px}} pre{{font-size:12px;background:#f6f6f6;"
        "padding:1em;overflow-x:auto}}</style>\n</head>\n<body>\n"
        f"<h1>Sweep {esc(s.spec)}</h1>\n<p>{esc(s.description)}</p>\n"
        f"<p>{esc(s.kind.replace('_', ' '))}, {s.scenarios} of {s.size} scenarios{seed}: {s.with_plan} with a plan, "
        f"{s.failed} without.</p>\n" + "\n".join(parts) +
        f"\n<h2>Summary</h2>\n<pre>{text}</pre>\n</body>\n</html>\n"
    )


__all__ = ["completion_figure", "golive_figure", "render_summary", "summary_csv", "summary_json", "summary_text",
           "sweep_html"]
