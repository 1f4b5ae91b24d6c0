"""`hpplan check` (for CI) and `hpplan explain`, registered on `hpplan.cli.app` (docs/check.md)."""

from __future__ import annotations

import os
import re
import shlex
import sys
import warnings
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .check import (EXIT_FAILED, EXIT_OK, EXIT_UNDECIDED, FORMATS, CheckResult, DataWarningSaid, check_data, check_plan,
                    invalid, source_label, stale_note, to_junit, to_step_summary)
from .cli import (EXIT_INPUT, CapacityOption, ExcludeOption, PostponeOption, app, check_command_line, fail_input,
                  folder_if_known, folder_to_plan, inputs_of, output_problem, problem_with, quick_options)
from .errors import DataWarning, InputError, InputErrors
from .explain import (SOLVE_TIME_LIMIT, WORK_BUDGET_FACTOR, Explanation, Undecided, counted, explain_infeasible,
                      is_feasible, known_actor, plan_file_for, why_not_earlier)
from .formats import ESTIMATE_NOTE, marked_applied
from .io import write_atomic, write_stdout
from .problem import Problem
from .solve import TIME_LIMIT_MAX, TIME_LIMIT_MIN
from .schema import Organisation
from .stopping import ends_on_ctrl_c
from .verify import broken_rules


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


DataOption = typer.Option(
    None, "--data", "-d",
    help="Folder holding organisations.yaml and waves.yaml (default: the first scenario's base, else data).")
ScenarioOption = typer.Option(
    [], "--scenario", "-s", help="A scenario file applied on top of the data (repeatable, in order).")
TimeLimitOption = typer.Option(
    SOLVE_TIME_LIMIT, "--time-limit", "-t", min=TIME_LIMIT_MIN, max=TIME_LIMIT_MAX,
    help="Work limit of each solve, in CP-SAT deterministic seconds (about seconds; reproducible); the whole "
         f"explanation of data with no plan shares a work budget of {WORK_BUDGET_FACTOR} times it, which bounds "
         "the work, not the wall time (docs/check.md).")
ExplainTimeLimitOption = typer.Option(
    SOLVE_TIME_LIMIT, "--time-limit", "-t", min=TIME_LIMIT_MIN, max=TIME_LIMIT_MAX,
    help="Work limit of each solve, in CP-SAT deterministic seconds (about seconds; reproducible); the whole "
         f"explanation of data with no plan shares a work budget of {WORK_BUDGET_FACTOR} times it; for "
         "--actor's best plan with it moved, wall seconds of hpplan solve's race.")


#: the quick forms as given (`--postpone`, `--exclude`, `--capacity`): keyword arguments of `problem_with` and
#: `check_command_line`
Quick = dict


def load_with_scenarios(data: Optional[Path], scenarios: list[Path], quick: Quick | None = None) -> Problem:
    """The data (--data, else the first scenario's base, else ./data: as `solve`) with the scenarios, and after
    them the quick forms (`--postpone`, `--exclude`, `--capacity`), as `solve` applies them."""
    return problem_with(folder_to_plan(data, scenarios), scenarios, **(quick or {}))


def scenario_names(scenarios: list[Path], quick: Quick | None, problem: Optional[Problem] = None) -> list:
    """What was applied to the data, for the labels of check's reports (`check.source_label`: the summary, the
    JSON's `source`, the JUnit suite, GitHub's summary line and job summary): the scenario files, then the quick
    forms as given, with the changes they made as compare names them (`--exclude meraker [exclude meraker (opts
    out)]`); without `problem` (input that could not be read) the quick forms alone."""
    given = quick_options(**(quick or {}))
    if not given:
        return list(scenarios)
    from .problem import applied_entry

    entries = [applied_entry(change) for change in (problem.applied if problem is not None else ())]
    changes = [entry.name for entry in entries if entry.from_command_line]
    return [*scenarios, shlex.join(given) + (f" [{'; '.join(changes)}]" if changes else "")]


@app.command("check")
@ends_on_ctrl_c
def check_command(
    data: Optional[Path] = DataOption,
    scenario: List[Path] = ScenarioOption,
    postpone: List[str] = PostponeOption,
    exclude: List[str] = ExcludeOption,
    capacity: List[str] = CapacityOption,
    plan: Optional[Path] = typer.Option(
        None, "--plan", "-p",
        help="Check this plan (YAML plan file, or JSON from `hpplan solve --format json`) instead of asking "
             "whether any plan exists."),
    known: Optional[Path] = typer.Option(
        None, "--known", "-k",
        help="With --plan: the plan's known findings (the JSON `hpplan check --plan PLAN --format json` wrote, or a "
             "short list: docs/check.md); findings that match one are reported as known and do not fail, new ones "
             "fail, and known ones no longer found are said."),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="Report format on stdout."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write the report as JUnit XML to this file."),
    time_limit: float = TimeLimitOption,
) -> None:
    """Check the data (is any plan possible?) or a plan (does it keep every rule and limit?) for CI.

    Exit codes: 0 all good (with --known: no new findings); 1 violations, or no plan possible; 2 invalid
    input or usage; 3 undecided within the time limit."""
    if junit is not None and str(junit) == "-":
        typer.echo("error: --junit -: the JUnit report on stdout is --format junit", err=True)
        raise typer.Exit(EXIT_INPUT)
    folder = folder_if_known(data, scenario) or data or Path("data")  # what is read: the junit check, labels, explain
    quick = {"postpone": postpone, "exclude": exclude, "capacity": capacity}  # applied after the scenario files
    if junit is not None:  # before any work, and never over a file the check reads
        _unwritable(output_problem(junit, inputs_of(folder, scenario, plan, known), "--junit"), fmt, folder,
                    scenario_names(scenario, quick), plan)
    caught: list = []
    finished = False
    try:
        with warnings.catch_warnings(record=True) as caught:  # the data's warnings: `CheckResult.warnings`
            result, error = _checked(data, scenario, plan, known, time_limit, folder, quick)
        finished = True
    finally:  # said once the recording ends (inside it, they would be recorded again); cut short: on stderr
        said = _said_warnings(caught, fmt if finished and _carries_warnings(fmt, result) else CheckFormat.text)
    if error is not None and fmt is CheckFormat.text:  # the errors on stderr, as every command writes them; the
        _write_junit(junit, result, fmt, folder, scenario_names(scenario, quick), plan)  # summary as always
        sys.stdout.write(result.summary + "\n")
        sys.stdout.flush()
        fail_input(error)
    if _carries_warnings(fmt, result):  # the report says the data's warnings itself (none: an empty list)
        result = replace(result, warnings=said)
    write_stdout(FORMATS[fmt.value](result))
    _write_junit(junit, result, fmt, folder, scenario_names(scenario, quick), plan)
    _job_summary(result, fmt)
    raise typer.Exit(result.exit_code)


def _checked(data: Optional[Path], scenario: List[Path], plan: Optional[Path], known: Optional[Path],
             time_limit: float, folder: Path, quick: Quick) -> tuple[CheckResult, InputError | None]:
    """The check's result, and the input error that made it invalid (None: the input was read). `quick`: the
    quick forms, applied after the scenario files."""
    try:
        if known is not None and plan is None:
            raise InputError("--known goes with --plan: known findings are a plan's (data with no plan has no plan "
                             "at all); give the plan they were found in", str(known))
        _check_paths(plan, known)
        problem = load_with_scenarios(data, scenario, quick)
        named = scenario_names(scenario, quick, problem)
        if plan is not None:
            result = check_plan(problem, plan, scenarios=named, known=known)
        else:
            result = check_data(problem, time_limit=time_limit, scenarios=named,
                                explain=check_command_line(folder, scenario, verb="explain", **quick))
    except InputError as error:
        return _invalid(error, folder, scenario_names(scenario, quick), plan), error
    return result, None


#: a data warning as the loader says it (`errors.DataWarning`): `hpplan: warning: FILE:LINE: message`
_WARNING = re.compile(r"(?:hpplan: )?(?:warning: )?(?:(?P<file>.+?):(?P<line>\d+): )?(?P<message>.*)", re.DOTALL)


def _carries_warnings(fmt: CheckFormat, result: CheckResult) -> bool:
    """Whether the report says the data's warnings itself: GitHub's and JSON's (a plan check's JSON is also a
    file of known findings: `check.KnownFile` reads its `warnings` past)."""
    return fmt in (CheckFormat.github, CheckFormat.json)


def _said_warnings(caught: list, fmt: CheckFormat) -> list[DataWarningSaid]:
    """The data's warnings (`errors.DataWarning`: valid data almost surely not meant, "no organisation loads
    any pool") among the warnings `caught`, each as `DataWarningSaid`, in the order said; they go into
    the JSON (`warnings`) and GitHub (`::warning`) reports, where CI reads them (stderr alone it never saw).
    In text and JUnit they are said on stderr, as every command says them; other warnings are said as ever."""
    found: list[DataWarningSaid] = []
    for w in caught:
        if issubclass(w.category, DataWarning) and fmt in (CheckFormat.json, CheckFormat.github):
            match = _WARNING.fullmatch(str(w.message))
            entry = DataWarningSaid(match["file"], int(match["line"]) if match["line"] else None, match["message"])
            if entry not in found:
                found.append(entry)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    caught.clear()  # said once
    return found


def _check_paths(plan: Optional[Path], known: Optional[Path]) -> None:
    """The --plan and --known files, before any work, each said with its option (`--plan: PATH: no such plan
    file; ...`, `--known: PATH: ...`): the reader's line named the path alone, and `-p x -k x` left the user
    to guess which option was wrong. InputError(s)."""
    from .cli_compare import path_problem, plan_option_problem

    problems = [plan_option_problem(plan, "--plan")]
    if known is not None:
        problems.append(path_problem(
            known, "--known", what="known-findings file",
            give="give the file `hpplan check --plan P --format json` wrote, or a YAML list of known findings",
            missing="write one with `hpplan check --plan PLAN --format json > known.json`"))
    problems = [p for p in problems if p is not None]
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)


def _write_junit(path: Optional[Path], result, fmt: CheckFormat = CheckFormat.text, folder: Optional[Path] = None,
                 scenario: List[Path] = (), plan: Optional[Path] = None) -> None:
    if path is None:
        return
    try:
        write_atomic(path, to_junit(result))
    except InputError as error:
        _unwritable(error, fmt, folder, scenario, plan)


def _job_summary(result, fmt: CheckFormat) -> None:
    """With --format github in a GitHub Actions job (`$GITHUB_STEP_SUMMARY` names its summary file): the whole
    report appended there as Markdown (`check.to_step_summary`), for the annotations show ten of each kind.
    A summary that cannot be written is a warning annotation; the check's own result stands."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt is not CheckFormat.github or not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as summary:  # GitHub's file, shared by the job's steps: appended
            summary.write(to_step_summary(result))
    except OSError as exc:
        sys.stdout.write(f"::warning title=hpplan check::cannot write the job summary {target} "
                         f"({exc.strerror or exc})\n")
        sys.stdout.flush()


def _unwritable(error: InputError | None, fmt: CheckFormat, folder: Optional[Path], scenario: List[Path],
                plan: Optional[Path] = None) -> None:
    """A --junit file that cannot be written is bad input (exit 2), said as the report's format says a finding:
    in GitHub's an `::error` annotation (a plain stderr line fails the job with none), in JSON or JUnit the
    report of invalid input; in text on stderr."""
    if error is None:
        return
    if fmt is CheckFormat.text:
        fail_input(error)
    write_stdout(FORMATS[fmt.value](_invalid(error, folder or Path("data"), scenario, plan)))
    raise typer.Exit(EXIT_INPUT)


def _invalid(error: InputError, folder: Path, scenario: List[Path], plan: Optional[Path]) -> CheckResult:
    """The check's result for input it cannot read: of the data, or of the data with the plan it checks."""
    label = source_label(folder, scenario) + (f" with plan {plan}" if plan is not None else "")
    return invalid(error, label, "plan" if plan is not None else "data")


@app.command("explain")
@ends_on_ctrl_c
def explain_command(
    data: Optional[Path] = DataOption,
    scenario: List[Path] = ScenarioOption,
    postpone: List[str] = PostponeOption,
    exclude: List[str] = ExcludeOption,
    capacity: List[str] = CapacityOption,
    actors: List[str] = typer.Option(
        [], "--actor", "-a", help="Explain why this organisation (id) does not go live one window earlier (one "
                                  "organisation a run)."),
    plan: Optional[Path] = typer.Option(
        None, "--plan", "-p", help="With --actor: the plan to ask about (default: the optimal plan); one that "
                                   "breaks rules or limits (as `hpplan check --plan` finds) is refused; one whose "
                                   "saved load or objective alone is stale is answered, with a note."),
    fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", "-f", help="Output format."),
    time_limit: float = ExplainTimeLimitOption,
) -> None:
    """Why the data has no plan (the rules and limits that cannot hold together, and the smallest changes
    that help); with --actor, why an organisation does not go live earlier."""
    folder = folder_if_known(data, scenario) or data or Path("data")
    quick = {"postpone": postpone, "exclude": exclude, "capacity": capacity}  # applied after the scenario files
    try:
        actor = one_actor(actors, folder, scenario, plan, quick)
        problem = load_with_scenarios(data, scenario, quick)
        if plan is not None and actor is None:
            raise InputError("--plan goes with --actor (the plan whose organisation to explain)", str(plan))
        org = known_actor(problem, actor, "--actor") if actor is not None else None
        given = None
        if plan is not None:
            # first checked as `hpplan check --plan` reads and checks it: an answer about a plan that breaks
            # rules blamed the move on what the plan already broke (figures saved with it that are stale break
            # none, and the answer does not read them: it is answered, and says so)
            checked = check_plan(problem, plan, scenarios=scenario_names(scenario, quick, problem))
            if broken_rules(checked.findings):
                _refuse_plan(checked, org, plan, folder, scenario, fmt, quick)
            given = checked.plan
    except InputError as error:
        fail_input(error)
        return
    try:
        # a plan that keeps every rule proves that the data has one
        if actor is None or (given is None and not is_feasible(problem, time_limit=time_limit)):
            answer = explain_infeasible(problem, time_limit=time_limit)
            code = EXIT_OK if answer.feasible else EXIT_FAILED
        else:
            # without --plan the library solves the plan to ask about, and says whether it is proven
            answer = why_not_earlier(problem, actor, given, time_limit=time_limit)
            # not decided: the best plan found with it earlier is worse, but a bound allows one as good
            code = EXIT_UNDECIDED if answer.verdict == "undecided" else EXIT_OK
    except Undecided as exc:
        typer.echo(f"hpplan explain: undecided: {exc}", err=True)
        raise typer.Exit(EXIT_UNDECIDED)
    except InputError as error:
        fail_input(error)
        return
    unanswered = org is not None and isinstance(answer, Explanation) and not answer.feasible
    summary = (f"Why {org.name} does not go live earlier is not answered: the data has no plan to ask about (no "
               "plan keeps every rule and limit; resolve the conflicts below, then ask again)" if unanswered else None)
    if fmt is ExplainFormat.json:
        import json

        report = answer.to_json_dict()
        if unanswered:  # a program reads that the question was not answered from `verdict`
            report = {"actor": actor, "verdict": "no_plan", "summary": summary + ".", **report}
        if problem.applied:  # the changes the answer is about, as a plan's JSON records them
            report["applied"] = [str(change) for change in problem.applied]
        write_stdout(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        # the changes the answer is about, first, as solve's title and compare's scenario line say them
        applied = "".join(f"scenario: {marked_applied(change)}\n" for change in problem.applied)
        write_stdout(applied + ("\n" if applied else "") + (summary + ".\n\n" if unanswered else "")
                     + answer.to_text())
    raise typer.Exit(code)


def one_actor(actors: list[str], folder: Path, scenarios: list[Path], plan: Optional[Path],
              quick: Quick | None = None) -> Optional[str]:
    """The organisation `explain --actor` asks about; None without the option. Given more than once, usage
    error (the last one was explained and the others dropped without a word: `-a aure -a averoy`), with the
    command for each, with the same --data, --scenario, quick forms and --plan."""
    if len(actors) > 1:
        given = ("--plan", str(plan)) if plan is not None else ()
        quick = quick or {}
        runs = ", ".join(f"`{check_command_line(folder, scenarios, '--actor', a, *given, verb='explain', **quick)}`"
                         for a in dict.fromkeys(actors))
        raise InputError(f"given {len(actors)} times ({', '.join(map(repr, actors))}); explain answers about one "
                         f"organisation a run: run it once for each, {runs}", "--actor")
    return actors[0] if actors else None


def _refuse_plan(checked: CheckResult, org: Organisation, plan: Path, folder: Path, scenarios: list[Path],
                 fmt: ExplainFormat, quick: Quick | None = None) -> None:
    """`explain --actor --plan` about a plan that does not keep every rule and limit: its findings as
    `hpplan check --plan` gives them (file:line), that the question is not answered, and what to do;
    exit 1, as check's for a plan that breaks rules (docs/check.md)."""
    head = (f"hpplan explain: {checked.source}: the plan breaks rules or limits of the data: "
            f"{counted(len(broken_rules(checked.findings)), 'violation')}{stale_note(checked.findings, '; and ')}, "
            "as `hpplan check --plan` lists them")
    # saved beside the plan under a name of its own (`plan_file_for`): never over the plan given, often the baseline
    solve_again = check_command_line(folder, scenarios, "--format", "json", "-o", str(plan_file_for(plan, scenarios)),
                                     verb="solve", **(quick or {}))
    advice = (f"Why {org.name} does not go live earlier is not answered for this plan: the answer would weigh the "
              "move against what the plan already breaks. Ask about a plan that keeps every rule and limit: leave "
              f"out --plan (the optimal plan), solve again and save the plan (`{solve_again}`), or give the --data "
              "and --scenario the plan was made with")
    if fmt is ExplainFormat.json:
        import json

        report = {"actor": org.id, "verdict": "plan_breaks_rules", "summary": f"{head}; {advice}.",
                  "findings": [f.to_json() for f in checked.findings],
                  "estimate_note": ESTIMATE_NOTE if checked.estimated else None}
        write_stdout(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        lines = [str(f) for f in checked.findings] + ([ESTIMATE_NOTE] if checked.estimated else [])
        write_stdout("\n".join(lines + ["", head + ".", advice + "."]) + "\n")
    raise typer.Exit(EXIT_FAILED)
