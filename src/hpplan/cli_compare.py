"""`hpplan compare`: what a scenario does to the plan, and the scenario and re-planning options of
`hpplan solve` (docs/scenarios.md).

    hpplan compare --baseline plan.json --scenario data/scenarios/hmr-postponed.yaml
    hpplan compare --baseline data --postpone helse-more-og-romsdal=2024-10-01 --format markdown
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shlex
import stat
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cli import (EXIT_INPUT, CapacityOption, ExcludeOption, GapOption, PostponeOption, SeedOption, WorkLimitOption,
                  app, check_command_line, check_output,
                  data_folder, fail_input, folder_if_known, format_of, inputs_of, scenario_problem, terminal,
                  time_limit_option, to_stdout, write_output)
from .check import is_yaml_plan, read_plan_file, said_at_the_plan
from .compare import LANDINGS_EXAMINED, AllowedEarlier, Cause, Comparison, Move, compare, costs_estimated, totals_text
from .errors import InputError, Location, some_of
from .formats import (PeakLoad, any_limit_estimated, any_load_estimated, estimate_note, fmt_int, fmt_number, marked,
                      md_text, rules_or_limits)
from .loader import ORGANISATIONS, WAVES
from .progress import solve_progress
from .problem import Problem
from .render import GLUE, glyphs_for, print_lines, say
from .solution import Solution, Status, read_plan
from .solve import Baseline, Replan, SolveOptions, solve_replan
from .stopping import ctrl_c, ends_on_ctrl_c
from .verify import verify
from .yamlio import unreadable

#: the terminal width from which moves are shown as one table (below it: a block per move)
WIDE = 120


class CompareFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


# --------------------------------------------------------------------------------------------------
# shared with `hpplan solve`


#: what --baseline takes, as its messages say it
SAVED_PLAN = "a saved plan (the JSON `hpplan solve --format json -o FILE` writes, or a YAML plan file)"


#: said where a plan option names stdin (`-`) or a pipe (`-p /dev/stdin`, `<(...)`): plans are read from files
SAVE_FIRST = ("a plan is read from a saved file, not from stdin or a pipe (a named pipe waits for a writer and is "
              "read once): save it first, `hpplan solve --format json -o plan.json`, and give plan.json")


def path_problem(path: Path | str, option: str, *, what: str = "plan file", give: str = "", missing: str = "",
                 folder_too: bool = False) -> InputError | None:
    """Why the file an `option` names (`--plan`, `--compare`, `--known`, `--baseline`) is none to read, named
    with the option (`--plan: PATH: no such plan file; ...`), so that a command given two such files says
    which one is wrong; by a look at it, before any work: an empty path, no such file, a folder, a device, a
    named pipe or socket (refused before it is read: /dev/zero never ends, a named pipe waits for a writer;
    `-` and a pipe are told to save the plan first, `SAVE_FIRST`); None: a file to read. `folder_too`: a
    data folder is one too (`compare --baseline`), and a folder without the data's files is said as such."""
    if str(path) == "":  # (a Path of '' is '.': only the text given says it was empty)
        return InputError(f"{option}: empty path; {give or f'give the path of a {what}'}")
    where = Location(f"{option}: {path}")
    if folder_too and Path(path).is_dir():
        lacking = [name for name in (ORGANISATIONS, WAVES) if not (Path(path) / name).exists()]
        if not lacking:
            return None
        return InputError(f"a folder without {' and '.join(lacking)}, so no data folder; {give}", where)
    if str(path) == "-" and not Path(path).exists():  # `-o -` is stdout; `-p -` is no stdin
        return InputError(f"stdin is not read here: {SAVE_FIRST}" if what == "plan file" else
                          f"stdin is not read here; {give or f'give the path of a {what}'}", where)
    problem = unreadable(path, what=what, give=give, missing=missing)
    if problem is None:
        return None
    try:
        piped = stat.S_ISFIFO(Path(path).stat().st_mode)
    except OSError:
        piped = False
    if piped and what == "plan file":
        problem = f"{problem.partition(';')[0]}; {SAVE_FIRST}"
    return InputError(problem, where)


def baseline_problem(path: Path | str, folder_too: bool = False) -> InputError | None:
    """Why the `--baseline` given is no saved plan to read, named with the option (`--baseline: PATH: a folder,
    not a plan file; ...`), as `path_problem` says it. `folder_too`: a data folder is a baseline too
    (`compare`), and a folder without the data's files is said as such."""
    give = f"give {SAVED_PLAN}" + (" or a data folder" if folder_too else "")
    return path_problem(path, "--baseline", give=give, missing="write one with `hpplan solve --format json -o FILE`",
                        folder_too=folder_too)


def plan_option_problem(path: Path | str | None, option: str) -> InputError | None:
    """`path_problem` of a saved plan an option other than --baseline names (`report --plan/--compare`, `check
    --plan`); None for none given."""
    if path is None:
        return None
    return path_problem(path, option, give=f"give {SAVED_PLAN}",
                        missing="write one with `hpplan solve --format json -o FILE`")


def read_baseline(path: Path, freeze_until: Optional[dt.date], problem: Problem) -> tuple[Baseline, list]:
    """A saved plan to compare or re-plan against: the JSON `hpplan solve` writes, or a YAML plan file as
    `check --plan` reads it (its dates are windows of `problem`, the baseline's data). Bad input: exit 2;
    so is a saved plan with no plan in it (infeasible, none in time): nothing to compare with or keep,
    and "no go-live moved" would be a wrong answer (`compare` refuses it too). A path that is no file to
    read is said with the option (`baseline_problem`)."""
    refused = baseline_problem(path)
    if refused is not None:
        fail_input(refused)
    try:
        if is_yaml_plan(path):
            read = read_plan_file(problem, path)
            plan, unplaced = read.solution, read.violations
        else:
            plan, unplaced = read_plan(path), []
        if not plan.found:
            raise InputError(f"the baseline has no plan (status {plan.status.value}), so there is nothing to compare "
                             "with or keep; give a plan that hpplan solve found (status optimal or feasible)",
                             Location(str(path)))
    except InputError as error:
        fail_input(error)
        raise
    return Baseline(plan, freeze_until=freeze_until, name=str(path)), unplaced


def check_baseline_fits(problem: Problem, baseline: Baseline, unplaced: list = (), scenarios: list[Path] = (),
                        role: str = "baseline") -> list:
    """A saved plan made from other data still works as a baseline; say so when it does not fit (with the
    dates of a YAML plan that are no window's, `unplaced`, first), naming the data it does not fit:
    `problem`'s folder, with the `scenarios` applied to it (compare's `--baseline-scenario`). `role`: what
    the plan is to the command ("compared plan" in `report --plan P --compare C`). Returns the findings, as
    `check --plan` lists them (the comparison's outputs say the rules broken: `baseline_rules_note`)."""
    # a date that is no window's is said once, as `check --plan` says it (not again as the verifier's)
    flagged = {org_id for v in unplaced for org_id in v.actors}
    violations = [*unplaced, *(v for v in verify(problem, baseline.plan, check_objective=False)
                               if not said_at_the_plan(v, flagged, baseline.plan))]
    violations = said_removed(violations, removed_by(scenarios))
    if violations:
        data = f"the data in {problem.data_dir if problem.data_dir is not None else 'data'}"
        if scenarios:
            data += f" with the scenario{'s' if len(scenarios) > 1 else ''} {', '.join(str(s) for s in scenarios)}"
        problems = f"{len(violations)} problem{'s' if len(violations) != 1 else ''}"
        typer.echo(f"note: the {role} {baseline.name} does not fit {data} ({problems}; first: {violations[0]}); "
                   "it is used as it is", err=True)
    return violations


#: what a finding of the verifier breaks, as `baseline_rules_note` names it briefly (else the rule's name)
def baseline_rules_note(c: Comparison, name: str, data: Path | str, check: str, scenarios: list[Path] = ()) -> str | None:
    """The note a comparison's outputs (terminal, text, Markdown, the JSON's `notes`) give of a baseline that breaks
    rules or limits of the data it is compared on (`Comparison.base_violations`): how many, what (briefly), how to
    see them (`check`: the `hpplan check --plan` command line), and that those it left out which the plan
    schedules are its repair, not an effect of the changes; None when it fits. `name`: the baseline as given;
    `scenarios`: those applied to its data (compare's `--baseline-scenario`)."""
    broken = c.base_violations
    if not broken:
        return None
    text = (f"the baseline {name} breaks {rules_or_limits(len(broken))} of the data "
            f"in {data}{with_scenarios(scenarios)}, which it is compared on ({c.base_broken_said})")
    if c.repaired:
        text += (f": the {fmt_int(len(c.repaired))} it leaves out though that data says they must go live, which the "
                 "plan schedules, are listed apart, a repair of the baseline and not an effect of the changes")
    if any(v.rule != "mandatory" for v in broken):
        text += (f"{'; a' if c.repaired else ': a'} move of an organisation named there may repair the baseline "
                 "rather than follow the changes")
    return f"{text}; to see what it breaks: {check}"


def with_scenarios(scenarios: list[Path]) -> str:
    """' with the scenario(s) A, B', or '' for none."""
    if not scenarios:
        return ""
    return f" with the scenario{'s' if len(scenarios) > 1 else ''} {', '.join(str(s) for s in scenarios)}"


def check_plan_command(data: Path, plan: Solution, path: Path, scenarios: list[Path] = ()) -> str:
    """`hpplan check --data DATA [--scenario S ...] [the command line's changes the plan records] --plan PATH`: how
    to see what a baseline breaks of the data it is compared on."""
    typed = [a for entry in plan.applied if getattr(entry, "typed", None) for a in entry.typed]
    return check_command_line(data, list(scenarios), *typed, "--plan", str(path))


def broken_baseline(findings: list) -> list:
    """The rules and limits a saved baseline breaks among `check_baseline_fits`'s findings: not its saved figures
    (load, objective), nor an organisation its data lacks (a scenario it was made with: `scenario_notes`)."""
    from .verify import broken_rules

    return [v for v in broken_rules(findings) if v.rule != "unknown_actor"]


def baseline_data(problem: Problem, plan: Solution, path: Path) -> tuple[Problem, str | None]:
    """The data a saved plan was made from: `problem` (the baseline's data folder, with any
    --baseline-scenario) with the command line's changes the plan records as typed (its JSON's
    `command_line`: `solve --exclude X -o plan.json`) applied again, in order, so that next week's re-plan
    against it reads its moves against the data it was planned with; and a note saying so. A change that
    no longer applies (its organisation gone from the data) is said and left out; the others are applied."""
    from .scenario import apply_quick

    typed = [entry.typed for entry in plan.applied if getattr(entry, "typed", None)]
    if not typed:
        return problem, None
    applied, failed = [], []
    for option, value in typed:
        try:
            problem = apply_quick(problem, **{option.removeprefix("--"): [value]})
            applied.append((option, value))
        except InputError as error:
            failed.append(f"{shlex.join((option, value))} ({error})")
    said = []
    if applied:
        said.append(f"was made with {'; '.join(shlex.join(t) for t in applied)}: applied to the baseline's data, "
                    "as the plan records")
    if failed:
        said.append(f"was made with {'; '.join(failed)}, which does not apply to the baseline's data here: its "
                    "moves are read against the data without it")
    return problem, f"the baseline {path} " + "; and ".join(said)


def scenario_notes(path: Path, plan: Solution, problem: Problem) -> list[str]:
    """A saved plan compared without --baseline-scenario that was made with scenarios (the plan JSON's `applied`,
    where it records them) or that names organisations the baseline's data lacks (a scenario added them): said on
    stdout with the comparison, since its moves and "may now go live earlier" read that data, not the plan's."""
    applied = plan.applied
    lacking = [a.id for a in plan.plan if a.id not in problem.org]
    if not applied and not lacking:
        return []
    lacks = (f"names {len(lacking)} organisation{'s' if len(lacking) != 1 else ''} the baseline's data lacks "
             f"({some_of(lacking)})")
    from .problem import applied_entry

    entries = [applied_entry(entry) for entry in applied]  # a plan file's: texts (`Solution.applied`)
    files = list(dict.fromkeys(entry.source for entry in entries if not entry.from_command_line))
    # those the plan records as typed are applied again (`baseline_data`): not said here
    typed = [entry.name for entry in entries if entry.from_command_line and entry.typed is None]
    if not files and not typed and not lacking:
        return []
    if files or typed:
        made = [f"the scenario{'s' if len(files) > 1 else ''} {', '.join(files)}"] if files else []
        made += [f"the command line's changes ({'; '.join(typed)})"] if typed else []
        head = (f"the baseline {path} was made with {' and '.join(made)}, which the baseline's data here was not "
                "given" + (f", and {lacks}" if lacking else ""))
    else:  # (the data may have lost them since: not only a scenario)
        head = (f"the baseline {path} {lacks}: it was made from data that had them (since removed) or with a "
                "scenario that added them")
    # (quick forms cannot be given to the baseline's side: write them into a scenario file for that)
    give = ("give it with --baseline-scenario FILE (the scenario files the plan was made with)" if files and not typed
            else "give them with --baseline-scenario FILE (the command line's changes written into a scenario file, "
                 "docs/scenarios.md)" if typed
            else "a scenario that added them is given with --baseline-scenario FILE")
    return [f"{head}; {give}, else its moves are read against data it was not planned with"]


def removed_by(scenarios: list[Path]) -> dict[str, tuple[Path, Location | None]]:
    """The organisations the `scenarios` remove (`op: remove`), each with the scenario and the line of the change
    that removes it (the last, where two do)."""
    from .scenario import Remove, load_scenario

    removed: dict[str, tuple[Path, Location | None]] = {}
    for path in scenarios:
        try:
            changes = load_scenario(path).changes
        except InputError:  # applied already, so read; were it not, it is not this note's to say
            continue
        removed |= {c.actor: (path, c.at) for c in changes if isinstance(c, Remove)}
    return removed


def said_removed(violations: list, removed: dict[str, tuple[Path, Location | None]]) -> list:
    """The violations, with a plan's organisation that a scenario removed said as such: the verifier's "the plan
    names 'namsos', which is not an organisation in organisations.yaml (did you mean ...)" was wrong where
    namsos is there and `--baseline-scenario rm.yaml` removed it."""
    from dataclasses import replace

    said = []
    for v in violations:
        if v.rule == "unknown_actor" and len(v.actors) == 1 and v.actors[0] in removed:
            path, at = removed[v.actors[0]]
            v = replace(v, message=f"the plan names {v.actors[0]!r}, which the scenario {path} removes "
                                   f"({at or path}: op: remove)")
        said.append(v)
    return said


def replan_json(solution: Solution, comparison: Comparison, baseline: Baseline, replan: Replan | None) -> str:
    """The solve JSON with a top-level `baseline` key (only in re-planning mode)."""
    data = solution.to_json_dict()
    data["baseline"] = replan_summary(comparison, baseline, replan)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def replan_summary(comparison: Comparison, baseline: Baseline, replan: Replan | None) -> dict:
    report = comparison.to_json_dict()
    return {
        "source": baseline.name,
        # the top-level status as a person reads it: a re-plan's optimum is among the least-change plans
        "status_text": comparison.other_status_text,
        "freeze_until": baseline.freeze_until.isoformat() if baseline.freeze_until else None,
        "moved": len(comparison.moved) + len(comparison.of("unscheduled", "scheduled", "repaired")),
        "days_moved": replan.movement if replan else None,
        "windows_moved": replan.windows if replan else None,  # (what the least movement counted until days)
        "least_change_proven": replan.proven if replan else None,
        # re-planned around the change (the others kept, proven the whole problem's answer), or on the whole model
        "around_change": ({"free": replan.free, "plannable": replan.plannable}
                          if replan is not None and replan.free is not None else None),
        # why the whole model re-planned after trying around the change (None: it did not, or did not try)
        "whole_model_because": replan.whole_because if replan is not None else None,
        "frozen": replan.frozen if replan else 0,
        "released": list(replan.released) if replan else [],
        "joined": list(replan.joined) if replan else [],
        "totals": report["totals"],
        "changes": report["moves"],
        "allowed_earlier": report["allowed_earlier"],
    }


def emit_replan(problem: Problem, solution: Solution, comparison: Comparison, baseline: Baseline,
                replan: Replan | None, fmt, output: Optional[Path]) -> None:
    """`hpplan solve --baseline`: the plan as usual, then how it differs from the baseline and why."""
    from .cli import Format, render

    if fmt is Format.json:
        text = replan_json(solution, comparison, baseline, replan) if solution.found else solution.to_json()
    elif fmt is Format.table:
        from .render import render_plan

        console, buffer = _console(output)
        render_plan(problem, solution, console)
        if solution.found:
            console.print()
            render_comparison(comparison, console, title=_replan_title(baseline, replan, comparison),
                              afresh=AFRESH_SOLVE)
        if buffer is None:
            return
        text = buffer.getvalue()
    elif fmt is Format.markdown:
        text = render(problem, solution, fmt)
        if solution.found:
            text += "\n" + comparison_markdown(comparison, title=_replan_title(baseline, replan, comparison), level=2,
                                                afresh=AFRESH_SOLVE)
    elif fmt is Format.xlsx and solution.found:  # with a Changes sheet: the moves and totals
        from .exports import to_xlsx

        text = to_xlsx(problem, solution, comparison=comparison, baseline=baseline.name)
    else:
        text = render(problem, solution, fmt)
    write_output(text, output, solution)


def replan_and_emit(problem: Problem, folder: Path, baseline: Path, freeze_until: Optional[dt.datetime],
                    options: SolveOptions, fmt, output: Optional[Path], quiet: bool = False) -> Solution:
    """`hpplan solve --baseline`: re-plan against the saved plan, show the plan and the changes."""
    freeze = freeze_until.date() if freeze_until else getattr(problem.waves, "freeze_until", None)
    base_problem = scenario_problem(folder, [], [], [], [])
    plan, unplaced = read_baseline(baseline, freeze, base_problem)
    base_problem, remade = baseline_data(base_problem, plan.plan, baseline)
    fits = check_baseline_fits(base_problem, plan, unplaced)
    with (solve_progress(Console(stderr=True), quiet=quiet) as options.progress,
          ctrl_c(options.stop, say=options.progress.say if options.progress else None)):
        if options.progress is not None:
            options.progress.gap_target = options.gap
        solution, replan = solve_replan(problem, options, plan)
    comparison = compare(plan.plan, base_problem, solution, problem, plan.freeze_until)
    comparison.base_violations = broken_baseline(fits)
    broken = baseline_rules_note(comparison, str(baseline), folder, check_plan_command(folder, plan.plan, baseline))
    comparison.notes = [note for note in (remade, broken) if note]
    emit_replan(problem, solution, comparison, plan, replan, fmt, output)
    return solution


def _replan_title(baseline: Baseline, replan: Replan | None, comparison: Comparison) -> str:
    title = f"Changes from the baseline {baseline.name}" + freeze_note(baseline, replan)
    if replan is not None and not replan.proven and replan.moved is not None:
        title += " (least change not proven within the time limit)"
    elif comparison.other_status == "optimal":  # the plan above says "optimal" alone
        title += f" (the plan is {comparison.other_status_text})"
    if replan is not None and replan.free is not None:  # which way it was found: docs/scenarios.md "Around the change"
        title += (f" (re-planned around the change: {fmt_int(replan.free)} of {fmt_int(replan.plannable)} "
                  "organisations free, the others kept)")
    elif replan is not None and replan.whole_because is not None:
        title += f" (re-planned on the whole data: {replan.whole_because})"
    return title


def freeze_note(baseline: Baseline, replan: Replan | None) -> str:
    """' (frozen until D: N go-lives kept, M could not be kept: ...)', or '' without a freeze."""
    if not baseline.freeze_until:
        return ""
    note = f" (frozen until {baseline.freeze_until}"
    if replan is not None:
        note += f": {replan.frozen} go-lives kept"
        if replan.released:
            note += f", {len(replan.released)} could not be kept: {', '.join(replan.released)}"
        if replan.joined:
            why = ("as the rules leave no other way" if replan.proven else
                   "not proven needed: the re-plan was cut short by the time limit")
            note += f"; {len(replan.joined)} new there, {why}: {', '.join(replan.joined)}"
    return note + ")"


def _console(output: Optional[Path]) -> tuple[Console, io.StringIO | None]:
    if output is None:
        return terminal(), None
    buffer = io.StringIO()
    return Console(file=buffer, width=160, force_terminal=False, highlight=False), buffer


# --------------------------------------------------------------------------------------------------
# rendering a comparison


def _day(day: Optional[dt.date]) -> str:
    return day.isoformat() if day else "not scheduled"


def _from(move: Move) -> str:
    """Its go-live in the baseline; one the baseline does not have is not 'not scheduled' there. A date that
    rests on an estimate (its window's date, or its live_since) is marked `*`."""
    absent = {"added": "not in the data", "not_in_baseline": "not in the baseline"}.get(move.change)
    return absent or marked(_day(move.before), move.before_estimate)


def _to(move: Move) -> str:
    return "not in the data" if move.change == "removed" else marked(_day(move.after), move.after_estimate)


def _days(move: Move) -> str:
    """The days moved, marked `*` where either date rests on an estimate (a difference of estimates is one)."""
    return marked(f"{move.days:+d}", move.before_estimate or move.after_estimate) if move.days is not None else ""


def cause_text(move: Move) -> str:
    return "; and ".join(c.text if k else _main_text(move) for k, c in enumerate(shown_causes(move)))


def shown_causes(move: Move) -> list[Cause]:
    """The causes `cause_text` says, the main one first: with a window that moved, what kept it from the
    window's new date too; the windows between its baseline window (or its new earliest date) and its new
    window that it skips (`compare._Explainer.skipped`); a freeze."""
    cause = move.cause
    if cause is None:
        return []
    shown = [cause]
    if cause.kind == "window" and move.window_after not in (None, move.window_before):
        # its window moved (or went), and it went further still: what kept it from the window's new date too
        further = next((c for c in move.causes if c.kind not in ("window", "objective", "freeze") and not c.told
                        and c.skipped is None), None)
        if further is not None:
            shown.append(further)
    # the main cause explains why it leaves its window; the windows it skips the rest (a freeze's at its first)
    shown += [c for c in move.causes if c.skipped is not None and c is not cause]
    frozen = next((c for c in move.causes if c.kind == "freeze" and c is not cause and c not in shown), None)
    if frozen is not None:  # part of the delay is the freeze's, not the main cause's: said beside it
        shown.append(frozen)
    return shown


def _main_text(move: Move) -> str:
    """The main cause's text, with where a knock-on chain starts (or that no move in it is forced)."""
    cause = move.cause
    text = cause.text
    if cause.kind == "knock-on":
        if not move.roots:
            text += "; a trade-off the objective chose (no move in this chain is forced)"
        elif not set(move.roots) <= set(cause.actors):
            text += f"; started by {', '.join(move.roots)}"
    return text


SECTIONS = (
    ("later", "Go-live later"),
    ("earlier", "Go-live earlier"),
    ("unscheduled", "Newly unscheduled"),
    ("scheduled", "Newly scheduled"),
    ("removed", "Removed by the scenario"),  # "from the data" / "to the data" without a scenario: `_heading`
    ("added", "Added by the scenario"),
    ("repaired", "Left out of the baseline against its data's rules, now scheduled"),
    ("not_in_baseline", "Not in the baseline plan"),
)


#: the headings of the sections when no scenario was applied (two data folders, or a saved plan and data):
#: the data itself changed
DATA_HEADINGS = {"removed": "Removed from the data", "added": "Added to the data"}


def sections(c: Comparison) -> list[tuple[str, str]]:
    """(change, heading) of each section, in order; without a scenario none speaks of one, nor does the
    section of organisations the baseline's own data lacks too (removed by the data, not by the scenario)."""
    def by_data(change: str) -> bool:
        moves = [m for m in c.moves if m.change == change]
        return bool(moves) and all(cause.kind == "gone" for m in moves for cause in m.causes)

    return [(change, heading if c.applied and not by_data(change) else DATA_HEADINGS.get(change, heading))
            for change, heading in SECTIONS]


def _changed(c: Comparison) -> str:
    """What the other plan is of, as the status line and a missing plan say it."""
    return "the scenario" if c.applied else "the changed data"


def totals_lines(c: Comparison) -> list[str]:
    """The totals under a comparison: `compare.totals_text`'s (moved, population-months, cost of delay),
    then each pool's peak load before and after."""
    lines = totals_text(c)

    def peak(x: PeakLoad | None) -> str:
        if x is None:
            return "n/a"
        said = (f"{marked(fmt_number(x.used), x.used_estimate)} of {marked(fmt_number(x.limit), x.limit_estimate)} "
                f"FTE in {x.month}")
        return said + (f" (fullest: {peak(x.fullest)})" if x.fullest is not None else "")

    lines += [f"Peak load {p.pool}: {peak(p.before)} -> {peak(p.after)}" for p in c.peaks]
    return lines


def _estimates_shown(c: Comparison) -> bool:
    """Whether the comparison shows a figure marked `*`: a move's cost, a capacity or a load in the causes
    shown for a move, a total, or a pool's limit or load in the peak loads."""
    return (costs_estimated(c) or any(m.cost_estimate for m in c.moves if m.cost is not None)
            or any(cause.estimate for m in c.moves for cause in shown_causes(m))
            or c.population_months_is_estimate or c.population_out_is_estimate or c.population_in_is_estimate
            or (bool(c.repaired) and c.population_repaired_is_estimate)
            or any_limit_estimated(_peaks_shown(c)) or _loads_shown(c))


def _peaks_shown(c: Comparison) -> list[PeakLoad]:
    return [x for p in c.peaks for x in (p.before, p.after) if x is not None]


def _loads_shown(c: Comparison) -> bool:
    """Whether a load (FTE) the comparison shows is marked `*`: a peak load, or one in the causes shown for a
    move, summed from estimated load profiles; the note then says what that mark means."""
    return any_load_estimated(_peaks_shown(c)) or any(cause.load_estimate for m in c.moves for cause in shown_causes(m))


def estimates_note(c: Comparison) -> str:
    """The note under a comparison that shows a figure marked `*` (`formats.estimate_note`)."""
    return estimate_note(_loads_shown(c))


@dataclass(frozen=True)
class Entry:
    """Moves shown as one: the same change, dates and cause, from the same file (a together group, a
    group moved by one cause), and costs that are all facts or all estimates (their sum is shown), or
    none given for any of them."""

    moves: tuple[Move, ...]

    @property
    def first(self) -> Move:
        return self.moves[0]

    @property
    def ids(self) -> str:
        return ", ".join(m.id for m in self.moves)

    @property
    def cost(self) -> str:
        """The moves' costs summed ('' when the data gives none: not 0); a known 0 (moved within a
        calendar month) is shown as 0."""
        costs = [m.cost for m in self.moves if m.cost is not None]
        if not costs:
            return ""
        estimate = any(m.cost_estimate for m in self.moves if m.cost is not None)
        return f"{fmt_number(round(sum(costs), 3))}{'*' if estimate else ''}"


def entries(moves: list[Move]) -> list[Entry]:
    """Moves with the same dates and cause, as one entry each, where the first of them is: the same
    cause text, from the same file (two scenario files postponing two organisations alike are two
    causes), and costs marked alike (a fact and an estimate summed under one mark would hide which is
    which), never one with no cost in the data (`Move.no_cost_given`) among costed ones (their sum would
    read as its cost). Not only next to each other: the partners of a together rule with a third
    organisation whose own cause differs (hareid, heroy, ulstein in id order) share a line too."""
    result: list[list[Move]] = []
    for move in moves:
        group = next((g for g in result if _same_entry(g, move)), None)
        if group is not None:
            group.append(move)
        else:
            result.append([move])
    return [Entry(tuple(group)) for group in result]


def _same_entry(group: list[Move], move: Move) -> bool:
    last = group[-1]
    if (last.before, last.after, cause_text(last)) != (move.before, move.after, cause_text(move)):
        return False
    if last.cause is not None and move.cause is not None and (
            (last.cause.kind, _file_of(last.cause.where)) != (move.cause.kind, _file_of(move.cause.where))):
        return False
    members = [*group, move]
    # an organisation with no cost in the data is not summed with costed ones: "0* MNOK" would cover it
    if len({m.no_cost_given for m in members}) > 1:
        return False
    return len({m.cost_estimate for m in members if m.cost is not None}) <= 1


def _file_of(where: Optional[str]) -> Optional[str]:
    """The file of a cause's `file:line` (the whole text when it has no line: a command-line option)."""
    if where is None:
        return None
    file, _, line = where.rpartition(":")
    return file if file and line.isdigit() else where


#: how the command that showed a least-change comparison plans afresh instead (`kept_line`)
AFRESH = "--fresh plans afresh"
#: ... for `hpplan solve --baseline`
AFRESH_SOLVE = "solve without --baseline plans afresh"


def kept_line(c: Comparison, afresh: str = AFRESH, every: bool = False) -> str | None:
    """A least-change comparison keeps the baseline where the changed data allows it, so a change that allows an
    earlier go-live moves nothing by itself: said where the changed data lets an organisation go live earlier
    by its own data than the re-plan keeps it (`Comparison.allowed_earlier`), else, when nothing moved, in
    general; None otherwise (or planned afresh). One the re-plan moved is said `(moved to W)`, not kept.
    `afresh`: how the command plans afresh instead. `every`: name them all (a Markdown file has room, as
    the JSON's `allowed_earlier` does); else the first three and how many more (the terminal's cut)."""
    if not c.least_change or not c.found:
        return None
    head = f"The comparison keeps the baseline where the changed data allows it ({afresh})"
    if not c.allowed_earlier:
        return f"{head}." if not c.moves else None

    def where(a: AllowedEarlier) -> str:  # one the re-plan moved was not kept: its move has its causes
        return f"({'moved to' if a.moved else 'kept in'} {a.window})"

    if len(c.allowed_earlier) == 1:
        a = c.allowed_earlier[0]
        return f"{head}: by its own data, {a.id} may now go live from {a.allowed} {where(a)}."
    said = [f"{a.id} from {a.allowed} {where(a)}" for a in c.allowed_earlier]
    each = ", ".join(said) if every else some_of(said)  # as some_of joins them, all named
    return f"{head}: by their own data, these may now go live earlier: {each}."


def landings_line(c: Comparison) -> str:
    """Where a large comparison left moves later without what keeps them out of the windows between."""
    return (f"What keeps a move later out of the windows between is said for the first {LANDINGS_EXAMINED} moves "
            f"later; {fmt_int(c.landings_not_examined)} more are not examined (the verifier runs once per such window "
            "and move): their main cause says why they left their window.")


def render_comparison(c: Comparison, console: Console, title: str = "Comparison", afresh: str = AFRESH) -> None:
    """The comparison for a terminal (or a file): moves with their causes, then the totals. `afresh`: how the
    command plans afresh (`kept_line`)."""
    fancy = glyphs_for(console).fancy  # (block glyphs only on a real terminal: not FORCE_COLOR into a file)
    say(console, title, 0, "bold")
    for change in c.shown_applied:
        say(console, f"scenario: {change}", 2, "italic")
    for note in c.notes:
        say(console, f"note: {note}", 2)
    if not c.found:
        say(console, f"No plan for {_changed(c)} ({c.other_status}): nothing to compare.", 0, "bold red")
        return
    if not c.moves:
        say(console, "No go-live moved.", 0, "green")
    for change, heading in sections(c):
        moves = c.of(change)
        if not moves:
            continue
        console.print()
        say(console, f"{heading} ({len(moves)})", 0, "bold")
        if console.width >= WIDE:
            print_lines(console, _moves_table(entries(moves), fancy))
        else:
            for entry in entries(moves):
                _move_block(entry, console)
    kept = kept_line(c, afresh)
    if kept is not None:
        console.print()
        say(console, kept, 0)
    if c.landings_not_examined:
        console.print()
        say(console, landings_line(c), 0)
    console.print()
    for line in totals_lines(c):
        say(console, units_glued(line), 0)
    if _estimates_shown(c):
        say(console, estimates_note(c), 0, "dim")


def _moves_table(rows: list[Entry], fancy: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD if fancy else box.ASCII, show_edge=False, pad_edge=False,
                  header_style="bold", safe_box=True)
    table.add_column("Organisations", max_width=36, overflow="fold")
    table.add_column("From", no_wrap=True)
    table.add_column("To", no_wrap=True)
    table.add_column("Days", justify="right", no_wrap=True)
    table.add_column("MNOK", justify="right", no_wrap=True)
    table.add_column("Cause", ratio=1, overflow="fold")
    for e in rows:
        m = e.first
        table.add_row(*(Text(cell) for cell in (e.ids, _from(m), _to(m), _days(m), e.cost, cause_text(m))))
    return table


#: a figure and the unit after it (`-250* MNOK`, `+28 days`, `168* FTE`), which the terminal's lines keep together
_FIGURE_UNIT = re.compile(r"(?<=[0-9*%]) (?=(?:MNOK|FTE|days?|months?|organisations?)\b)")


def units_glued(text: str) -> str:
    """`text` with each figure joined to its unit by `render.GLUE` (`-250*\xa0MNOK`), so that `say` never
    puts the unit on the next line; what is printed still reads a space there."""
    return _FIGURE_UNIT.sub(GLUE, text)


def _move_block(entry: Entry, console: Console) -> None:
    move = entry.first
    head = f"{entry.ids}  {_from(move)}{GLUE}->{GLUE}{_to(move)}"
    if move.days is not None:
        head += f"  {_days(move)}{GLUE}days"
    if entry.cost:
        head += f"  {entry.cost}{GLUE}MNOK"
    say(console, head, 2, "bold")
    if move.cause is not None:
        say(console, units_glued(f"why: {cause_text(move)}"), 4)


def comparison_text(c: Comparison, width: int, title: str, afresh: str = AFRESH) -> str:
    buffer = io.StringIO()
    render_comparison(c, Console(file=buffer, width=width, force_terminal=False, highlight=False), title=title,
                      afresh=afresh)
    return buffer.getvalue()


def comparison_markdown(c: Comparison, title: str = "Comparison", level: int = 1, afresh: str = AFRESH) -> str:
    h = "#" * level
    lines = [f"{h} {md_text(title, line_start=False)}", ""]  # the baseline's file and the data folder, as named
    lines += [f"- Scenario: {md_text(change)}" for change in c.shown_applied]
    lines += [f"- Note: {md_text(note)}" for note in c.notes]
    status = "scenario status" if c.applied else "status"
    lines.append(f"- Baseline status: {c.base_status_text}; {status}: **{c.other_status_text}**")
    if not c.found:
        lines += ["", f"No plan for {_changed(c)}: nothing to compare."]
        return "\n".join(lines) + "\n"
    for change, heading in sections(c):
        moves = c.of(change)
        if not moves:
            continue
        lines += ["", f"{h}# {heading} ({len(moves)})", "",
                  "| organisation | from | to | days | MNOK | cause |", "|---|---|---|---:|---:|---|"]
        lines += [f"| {md_text(e.ids)} | {md_text(_from(e.first))} | {md_text(_to(e.first))} | {md_text(_days(e.first))} | "
                  f"{md_text(e.cost)} | {md_text(cause_text(e.first))} |" for e in entries(moves)]
    if not c.moves:
        lines += ["", "No go-live moved."]
    kept = kept_line(c, afresh, every=True)
    if kept is not None:
        lines += ["", md_text(kept)]
    if c.landings_not_examined:
        lines += ["", md_text(landings_line(c))]
    lines += ["", f"{h}# Totals", ""] + [f"- {md_text(line)}" for line in totals_lines(c)]
    if _estimates_shown(c):
        lines.append("- `*` " + estimates_note(c).removeprefix("* "))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# the command


@app.command("compare")
@ends_on_ctrl_c  # a comparison with a plan cut short would mislead
def compare_command(
    baseline: Path = typer.Option(
        ..., "--baseline", "-b",
        help="A saved plan (hpplan solve --format json -o plan.json, or a YAML plan as check --plan reads) or a "
             "data folder (solved first)."),
    data: Optional[Path] = typer.Option(
        None, "--data", "-d",
        help="The data the scenarios change (default: the baseline folder, else the first scenario's base, else data)."),
    scenario: list[Path] = typer.Option([], "--scenario", "-s", help="A scenario file; repeat to apply several in order."),
    baseline_scenario: list[Path] = typer.Option(
        [], "--baseline-scenario",
        help="A scenario file applied to the baseline's data (with a saved plan: the scenarios it was made with)."),
    postpone: list[str] = PostponeOption,
    exclude: list[str] = ExcludeOption,
    capacity: list[str] = CapacityOption,
    fresh: bool = typer.Option(
        False, "--fresh",
        help="Plan the scenario from scratch; by default it is re-planned changing the baseline as little as possible."),
    freeze_until: Optional[dt.datetime] = typer.Option(
        None, "--freeze-until", formats=["%Y-%m-%d"],
        help="Keep the baseline's go-lives before this date (not with --fresh)."),
    time_limit: float = time_limit_option("Seconds of wall time for each solve."),
    seed: int = SeedOption,
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64, help="Solver threads."),
    work_limit: Optional[float] = WorkLimitOption,
    gap: float = GapOption,
    fmt: Optional[CompareFormat] = typer.Option(
        None, "--format", "-f",
        help="Output format; default: from -o's suffix (.json, .md), else table (a suffix of a format compare does not "
             "write, .xlsx or .csv: refused)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the comparison to this file (atomically)."),
) -> None:
    """Compare a baseline plan with the plan of changed data: who moves, why, and what it costs."""
    if fresh and freeze_until is not None:
        typer.echo("error: --freeze-until keeps go-lives of the baseline; it does not go with --fresh", err=True)
        raise typer.Exit(EXIT_INPUT)
    # before the data is read or anything solved (an empty path is refused as every option's: `cli.value_problem`)
    refused = baseline_problem(baseline, folder_too=True)
    if refused is not None:
        fail_input(refused)
    output = to_stdout(output)
    read = [baseline, *scenario, *baseline_scenario]
    folders = [f for f in (data, baseline if baseline.is_dir() else None) if f is not None]
    if data is None:  # a saved plan's data: the first scenario's base, else ./data (as data_folder below)
        folders += [f for f in [folder_if_known(None, scenario or baseline_scenario)] if f is not None]
    for folder in folders:
        read += inputs_of(folder, [])
    check_output(output, inputs=read)
    # after the output's own problems (`-o data/waves.yaml`: a file it reads), a suffix compare does not write
    fmt = fmt or format_of(output, CompareFormat, "compare")
    # --work-limit: each solve (the baseline folder's, the re-plan) cut short at the same point on every run
    options = SolveOptions(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit, gap=gap / 100)
    freeze = freeze_until.date() if freeze_until else None
    notes: list[str] = []  # said of the baseline with the comparison (`scenario_notes`)
    fits = None  # a saved plan's findings against its data (`check_baseline_fits`)
    if baseline.is_dir():
        base_problem = scenario_problem(baseline, baseline_scenario, [], [], [])
        base_solution, _ = solve_replan(base_problem, options)
        if not base_solution.found:
            typer.echo(f"hpplan: the baseline {baseline} has no plan ({base_solution.status.value}); nothing to compare",
                       err=True)
            raise typer.Exit(base_solution.exit_code)
        folder = data if data is not None else baseline
    else:
        folder = data_folder(data, scenario or baseline_scenario)
        base_problem = scenario_problem(folder, baseline_scenario, [], [], [])
        read, unplaced = read_baseline(baseline, None, base_problem)
        base_solution = read.plan
        base_problem, remade = baseline_data(base_problem, base_solution, baseline)
        fits = check_baseline_fits(base_problem, read, unplaced, baseline_scenario)
        notes = [remade] if remade else []
        if not baseline_scenario:
            notes += scenario_notes(baseline, base_solution, base_problem)
    source = str(baseline)
    other_problem = scenario_problem(folder, scenario, postpone, exclude, capacity)
    if freeze is None and not fresh:
        freeze = getattr(other_problem.waves, "freeze_until", None)
    plan_against = None if fresh else Baseline(base_solution, freeze_until=freeze, name=source)
    other_solution, replan = solve_replan(other_problem, options, plan_against)
    comparison = compare(base_solution, base_problem, other_solution, other_problem,
                         plan_against.freeze_until if plan_against is not None else None)
    if fits is not None:  # as `check --plan` counts them (a date that is no window's once)
        comparison.base_violations = broken_baseline(fits)
        broken = baseline_rules_note(comparison, source, folder,
                                     check_plan_command(folder, base_solution, baseline, baseline_scenario),
                                     baseline_scenario)
        notes += [broken] if broken else []
    comparison.notes = notes

    if not other_solution.found and other_solution.status is Status.infeasible:
        hint = check_command_line(folder, scenario, postpone=postpone, exclude=exclude, capacity=capacity)
        typer.echo(f"hpplan: no plan keeps every rule with these changes; to see why: {hint}", err=True)
    if not comparison.found:  # no plan: neither planned from scratch nor re-planned, whichever was asked
        other = comparison.other_status
    elif fresh:
        other = f"{comparison.other_status}, planned from scratch"
    elif comparison.least_change and comparison.other_status_text != comparison.other_status:
        other = comparison.other_status_text  # says the re-plan too
    else:
        other = f"{comparison.other_status}, re-planned changing the baseline as little as possible"
    changed = " with the changes" if other_problem.applied else ""
    title = f"Comparison: baseline {source} ({comparison.base_status_text}) -> {folder}{changed} ({other})"
    if plan_against is not None:
        title += freeze_note(plan_against, replan)
    if fmt is CompareFormat.json:
        report = comparison.to_json_dict()
        report = {"baseline": source, "data": str(folder), "replan": "fresh" if fresh else "stable",
                  "freeze_until": freeze.isoformat() if freeze else None, **report}
        if replan is not None:
            report["days_moved"] = replan.movement
            report["windows_moved"] = replan.windows
        if freeze is not None:
            report |= {"frozen": replan.frozen if replan else 0, "released": list(replan.released) if replan else [],
                       "joined": list(replan.joined) if replan else []}
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif fmt is CompareFormat.markdown:
        text = comparison_markdown(comparison, title=title)
    elif output is None:
        render_comparison(comparison, terminal(), title=title)
        raise typer.Exit(other_solution.exit_code)
    else:
        text = comparison_text(comparison, 160, title)
    write_output(text, output, other_solution)
    raise typer.Exit(other_solution.exit_code)
