"""`hpplan report`: the plan as an HTML report with interactive charts, or as static charts (PNG, SVG)
for slides (docs/report.md).

    hpplan report                                   # plan ./data, write plan.html
    hpplan report --plan plan.json -o board.html    # report a saved plan
    hpplan report --scenario data/scenarios/x.yaml --compare plan.json -o scenario.html   # re-planned against plan.json
    hpplan report --plan plan.json --format png --chart gantt -o gantt.png
    hpplan report --plan plan.json -o rollout.ics      # or rollout.xlsx: the exports of exports.py
    hpplan report --plan data/adopted-plan.yaml -o adopted.md   # or .csv: as solve -f markdown|csv writes them
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console

from .cli import (EXIT_INPUT, GapOption, SeedOption, WorkLimitOption, app, check_command_line, check_output,
                  check_stamp, data_folder, exit_stopped, fail_input, inputs_of, scenario_problem, time_limit_option,
                  to_stdout)
from .errors import InputError, InputErrors, Location
from .formats import plan_source, rules_or_limits
from .io import write_atomic, write_stdout
from .problem import Problem
from .report import DETAIL_AUTO_MAX, Chart, Detail, GroupBy, plan_objective
from .solution import Solution, read_plan
from .stopping import StopRequest, ctrl_c

if TYPE_CHECKING:
    from .solve import Baseline, Replan


class ReportFormat(str, Enum):
    html = "html"
    png = "png"
    svg = "svg"
    ics = "ics"
    xlsx = "xlsx"
    markdown = "markdown"
    csv = "csv"


SUFFIXES = {".html": ReportFormat.html, ".htm": ReportFormat.html, ".png": ReportFormat.png, ".svg": ReportFormat.svg,
            ".ics": ReportFormat.ics, ".xlsx": ReportFormat.xlsx, ".md": ReportFormat.markdown,
            ".markdown": ReportFormat.markdown, ".csv": ReportFormat.csv}
STATIC = (ReportFormat.png, ReportFormat.svg)
#: the formats of one plan in text, as `hpplan solve -f markdown|csv` writes them (`formats.to_markdown`, `to_csv`)
TEXT = (ReportFormat.markdown, ReportFormat.csv)
#: the default output's suffix of each format (`-o` not given): plan.html, plan.md, ...
DEFAULT_SUFFIX = {ReportFormat.markdown: "md"}


def report_format(fmt: Optional[ReportFormat], output: Optional[Path]) -> ReportFormat:
    """--format, else the output file's suffix, else html; an output name with another suffix
    (`-o plan.json`, `-o board.pdf`) and no --format is bad usage: it wrote an HTML page there."""
    if fmt is not None:
        return fmt
    if output is None or str(output) == "-":
        return ReportFormat.html
    suffix = output.suffix.lower()
    if suffix not in SUFFIXES:
        said = (f"{suffix} is none of them; name the file so (report.html) or give --format" if suffix
                else f"a name without a suffix does not say which; give --format (-o {output} --format html) or "
                     "name the file so (report.html)")
        typer.echo(f"error: {output}: report writes html, png, svg, ics, xlsx, markdown (.md) or csv, and {said}",
                   err=True)
        raise typer.Exit(EXIT_INPUT)
    return SUFFIXES[suffix]


def read_report_plan(path: Path, problem: Problem, *, strict: bool) -> Solution:
    """A saved plan; with `strict`, every organisation in it must be in the data (it was planned from
    this data), else `file:line: ...` and exit 2; it is as saved: `report.refresh_saved_plan` checks it
    and gives it this data's load and objective (the file's own could say otherwise: the data changed
    since, or the plan was edited). A compared plan (not strict: it may come from a scenario's data)
    keeps the load and objective it was saved with, but a YAML plan file's, which has neither, are this
    data's (`report.plan_objective`, marked `*` where they rest on estimates, as for `--plan`)."""
    from .check import is_yaml_plan, plan_of, read_plan_file
    from .solve import load_report

    try:
        yaml_plan = is_yaml_plan(path)  # a YAML plan file (data/adopted-plan.yaml): its dates are this data's windows
        if yaml_plan:
            solution = read_plan_file(problem, path).solution
        else:
            solution = read_plan(path)
            if strict:
                plan_of(problem, solution, path)
            elif solution.plan and not any(a.id in problem.org for a in solution.plan):
                raise InputError(f"no organisation of this plan is in the data {problem.data_dir or 'data'}: it was "
                                 "made from other data", Location(str(path)))
        if not strict and not solution.found:  # "nothing moved" against nothing would be a wrong answer
            raise InputError(f"the compared plan has no plan (status {solution.status.value}), so there is nothing to "
                             "compare with; give a plan that hpplan solve found (status optimal or feasible)",
                             Location(str(path)))
        if yaml_plan and not strict:  # a compared plan file of this data: its load and objective are this data's
            solution.load = load_report(problem, solution.plan)
            solution.objective = plan_objective(problem, solution)
    except InputError as error:
        fail_input(error)
        raise  # unreachable
    return solution


def solve_for_report(problem: Problem, time_limit: float, seed: int, workers: int, work_limit: Optional[float],
                     quiet: bool, gap: float = 0.0,
                     baseline: Baseline | None = None,
                     stop: StopRequest | None = None) -> tuple[Solution, Replan | None]:
    """Solve with progress on the terminal (stderr) unless quiet or not a terminal; Ctrl-C (or SIGTERM) stops
    the search with the best plan so far (`hpplan.stopping`; `stop`: the request they make, which says which
    came, else a new one). `gap` in percent, as `--gap`. With `baseline` (a `solve.Baseline`), re-plan against
    it as `hpplan compare` does; returns the plan and what re-planning did (`solve.Replan`, None without a
    baseline)."""
    from dataclasses import fields

    from .progress import solve_progress
    from .solve import SolveOptions, solve_replan

    options = SolveOptions(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit, gap=gap / 100,
                           stop=stop if stop is not None else StopRequest())
    with (solve_progress(Console(stderr=True), quiet=quiet) as progress,
          ctrl_c(options.stop, say=progress.say if progress else None)):
        if progress is not None and "progress" in {f.name for f in fields(SolveOptions)}:
            options.progress = progress  # solve.py's progress hook (docs/report.md)
            progress.gap_target = options.gap
        return solve_replan(problem, options, baseline)


def compared_baseline(problem: Problem, folder: Path, compare: Path, other: Solution) -> Baseline:
    """The compared plan as the baseline the report's plan is re-planned against, as `hpplan compare
    --baseline` takes it: the data's `freeze_until` kept, and a note when it does not fit the data
    without the scenarios (`check_baseline_fits`)."""
    from .cli_compare import check_baseline_fits
    from .solve import Baseline

    baseline = Baseline(other, freeze_until=getattr(problem.waves, "freeze_until", None), name=str(compare))
    check_baseline_fits(scenario_problem(folder, [], [], [], []), baseline)
    return baseline


def plan_note(compare: Path, baseline: Baseline | None, replan: Replan | None) -> str:
    """How the report's plan was made, in one line, as `hpplan compare` says it in its title."""
    from .cli_compare import freeze_note

    if baseline is None:
        return (f"planned from scratch (--fresh), not re-planned against {compare} as hpplan compare does by "
                "default")
    note = (f"re-planned changing {compare} as little as possible, as hpplan compare does (--fresh: from scratch)"
            + freeze_note(baseline, replan))
    if replan is not None and not replan.proven and replan.moved is not None:
        note += " (least change not proven within the time limit)"
    return note


def compare_command(data: Optional[Path], scenarios: list[Path], compare: Path, output: Optional[Path]) -> str:
    """The `hpplan compare` command that writes the changes from the compared plan as Markdown: the report's
    data and scenarios, the compared plan as the baseline, `-o` the report's output named `.md`."""
    import shlex

    parts = ["hpplan", "compare", "--baseline", str(compare)]
    if data is not None:
        parts += ["--data", str(data)]
    for file in scenarios:
        parts += ["--scenario", str(file)]
    named = output if output is not None and str(output) != "-" else Path("changes.md")
    parts += ["-o", str(named.with_suffix(".md"))]
    return " ".join(shlex.quote(part) for part in parts)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


@app.command("report")
def report_command(
    data: Optional[Path] = typer.Option(
        None, "--data", "-d",
        help="Folder holding organisations.yaml and waves.yaml (default: the first scenario's base, else data).",
    ),
    scenario: list[Path] = typer.Option([], "--scenario", "-s", help="A scenario file (docs/scenarios.md); repeat to apply several in order."),
    plan: Optional[Path] = typer.Option(None, "--plan", "-p", help="Report this saved plan (JSON, or a YAML plan as check --plan reads) instead of solving."),
    compare: Optional[Path] = typer.Option(
        None, "--compare", "-c",
        help="A second saved plan (JSON or YAML) to show beside the first; a plan solved here is re-planned against it "
             "(changing it as little as possible), as hpplan compare does."),
    fresh: bool = typer.Option(
        False, "--fresh",
        help="With --compare and no --plan: plan from scratch instead of re-planning against the compared plan."),
    time_limit: float = time_limit_option("Seconds of wall time for the solver."),
    seed: int = SeedOption,
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64, help="Solver threads (deterministic for any count)."),
    work_limit: Optional[float] = WorkLimitOption,
    gap: float = GapOption,
    fmt: Optional[ReportFormat] = typer.Option(
        None, "--format", "-f",
        help="html (interactive report), png or svg (static charts), ics (calendar), xlsx (spreadsheet), markdown "
             "or csv (as solve -f markdown|csv); default: from -o, else html.",
    ),
    chart: Chart = typer.Option(Chart.all, "--chart", help="png/svg: which chart (all three stacked by default)."),
    group_by: GroupBy = typer.Option(GroupBy.window, "--group-by", help="Gantt rows grouped by go-live window or by track."),
    detail: Detail = typer.Option(
        Detail.auto, "--detail",
        help=f"Gantt rows: one per organisation, or one per window and kind of organisation; auto: per "
             f"organisation up to {DETAIL_AUTO_MAX} organisations in the plan."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The file to write (atomically); default plan.<format>; - for stdout."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q",
        help="No progress display and no 'wrote' message; notes about the input (a plan that breaks the data) and "
             "errors still show."),
) -> None:
    """Write the plan as a report people look at: an HTML page with a Gantt chart, the load of each FTE
    pool and the share live over time; the same charts as PNG or SVG; or a calendar (ics), spreadsheet
    (xlsx), Markdown or CSV (as solve writes them)."""
    from .report import checked_status, refresh_saved_plan, report_bytes
    from .verify import broken_rules, stale_figures, stale_text

    fmt = report_format(fmt, output)
    if fmt not in STATIC and chart is not Chart.all:
        typer.echo(f"error: --chart picks one chart for --format png or svg, not {fmt.value}", err=True)
        raise typer.Exit(EXIT_INPUT)
    if compare is not None and fmt is ReportFormat.ics:
        typer.echo("error: --compare shows two plans in html, png or svg, and their changes in xlsx (a Changes "
                   "sheet); an ics file holds one plan", err=True)
        raise typer.Exit(EXIT_INPUT)
    if compare is not None and fmt in TEXT:
        typer.echo(f"error: --compare shows two plans in html, png or svg, and their changes in xlsx (a Changes "
                   f"sheet); a {fmt.value} file holds one plan. For the changes as Markdown, "
                   f"`{compare_command(data, scenario, compare, output)}` writes them"
                   + (" (compare plans the changed data itself: it takes no --plan)" if plan is not None else "")
                   + f"; without --compare, report -o FILE.{DEFAULT_SUFFIX.get(fmt, fmt.value)} writes this plan",
                   err=True)
        raise typer.Exit(EXIT_INPUT)
    if fresh and (compare is None or plan is not None):
        why = ("with --plan nothing is planned: the report shows the saved plan" if plan is not None else
               "without --compare the plan is always planned from scratch")
        typer.echo(f"error: --fresh plans from scratch instead of re-planning against the --compare plan; {why}",
                   err=True)
        raise typer.Exit(EXIT_INPUT)
    # before any work, each named with its option: `-p nope.json` and `-c nope.json` said the same line
    from .cli_compare import plan_option_problem

    problems = [p for p in (plan_option_problem(plan, "--plan"), plan_option_problem(compare, "--compare")) if p]
    if problems:
        fail_input(problems[0] if len(problems) == 1 else InputErrors(problems))
    if output is None:
        output = Path(f"plan.{DEFAULT_SUFFIX.get(fmt, fmt.value)}")
    folder = data_folder(data, scenario)
    check_output(to_stdout(output), fmt, inputs_of(folder, scenario, plan, compare))
    if fmt in (ReportFormat.ics, ReportFormat.xlsx):
        check_stamp()
    problem = scenario_problem(folder, scenario, [], [], [])
    other = read_report_plan(compare, problem, strict=False) if compare is not None else None
    # the compared plan read against the data without the scenarios, as `compare --baseline` reads a baseline
    compared_problem = scenario_problem(folder, [], [], [], []) if other is not None and problem.applied else None
    note = None
    stop = StopRequest()  # Ctrl-C's or SIGTERM's, while it plans (`exit_stopped` says which)
    if plan is not None:
        solution = read_report_plan(plan, problem, strict=True)
        label = plan.stem
        if other is not None:  # compared as it is, not re-planned against: said when it does not fit the data
            from .cli_compare import check_baseline_fits
            from .solve import Baseline

            check_baseline_fits(compared_problem or problem, Baseline(other, name=str(compare)), role="compared plan")
        # checked as saved, then shown with this data's load and objective; every format says what the
        # check found too (the HTML in boxes, the others in their title or notes)
        found = refresh_saved_plan(problem, solution)
        check = check_command_line(folder, scenario, "--plan", str(plan))
        if broken := broken_rules(found):
            typer.echo(f"note: {plan} breaks {rules_or_limits(len(broken))} of this data; "
                       f"`{check}` lists them", err=True)
        if stale_figures(found) and problem.applied:  # the scenario's changes, not the data: check compares none
            typer.echo(f"note: {plan}: {stale_text(found)}: the plan's saved figures are those of the data it was "
                       "solved from, not of this data with the scenario's changes; the report shows this data's",
                       err=True)
        elif stale_figures(found):  # the data changed since the plan was saved: no rule broken by that
            typer.echo(f"note: {plan}: {stale_text(found)} (the data changed since it was saved, or the plan was edited); the report shows "
                       f"this data's; `{check}` lists the differences", err=True)
    else:
        # against a compared plan, plan as `hpplan compare` does: re-planned changing it as little as
        # possible (a fresh solve answers the same question with other moves), unless --fresh
        baseline = compared_baseline(problem, folder, compare, other) if other is not None and not fresh else None
        solution, replan = solve_for_report(problem, time_limit, seed, workers, work_limit, quiet, gap, baseline,
                                            stop)
        label = "scenario plan" if problem.applied else "plan"
        note = plan_note(compare, baseline, replan) if compare is not None else None
        found = []  # solve verified it (hpplan.solve)
    if not solution.found:
        exit_stopped(solution, None, stop)
        where = "stdout" if str(output) == "-" else str(output)
        typer.echo(f"hpplan: no plan ({solution.status.value}); nothing written to {where}", err=True)
        raise typer.Exit(solution.exit_code)
    other_label = compare.stem if compare is not None else "compared"
    if other_label == label:
        other_label += " (compared)"
    if fmt is ReportFormat.ics:
        from .exports import to_ics

        content = to_ics(problem, solution, violations=found).encode("utf-8")
    elif fmt is ReportFormat.markdown:  # as `solve -f markdown` writes it, with the status as checked here
        from .formats import to_markdown

        content = to_markdown(problem, solution, status=checked_status(solution, found)).encode("utf-8")
    elif fmt is ReportFormat.csv:  # as `solve -f csv` writes it (a plan that breaks rules: the note on stderr)
        from .formats import to_csv

        content = to_csv(problem, solution).encode("utf-8")
    elif fmt is ReportFormat.xlsx:
        from .exports import to_xlsx

        from .report import comparison_of

        content = to_xlsx(problem, solution, violations=found,
                          comparison=comparison_of(problem, solution, other, compared_problem),
                          baseline=str(compare) if compare is not None else None)
    else:
        content = report_bytes(problem, solution, fmt.value, chart=chart, group_by=group_by, detail=detail, other=other,
                               label=label, other_label=other_label, violations=found, plan_note=note,
                               compared_problem=compared_problem)
    if str(output) == "-":
        write_stdout(content)
        exit_stopped(solution, None, stop)
        raise typer.Exit(0)
    try:
        write_atomic(output, content)
    except InputError as error:
        fail_input(error)
    if not quiet:
        status = checked_status(solution, found)
        if plan_source(solution) is None:  # "plan optimal as saved; breaks ..."; the plan after its status word:
            # "optimal plan", "feasible plan (gap 1.20%)", "optimal plan among the plans that change the baseline least"
            word, _, rest = status.partition(" ")
            status = f"plan {status}" if found else " ".join(part for part in (word, "plan", rest) if part)
        typer.echo(f"hpplan: wrote {output} ({_size(len(content))}, {status})", err=True)
    exit_stopped(solution, output, stop)
    raise typer.Exit(solution.exit_code)
