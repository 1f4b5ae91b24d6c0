"""The `hpplan` command: a thin shell over the library (load, solve, render, write).

Exit codes: 0 a plan was found; 1 infeasible; 2 invalid input or usage, or an output that cannot be
written (a full disk, a file or stdout alike: `-o /dev/full`, `> /dev/full`; a read-only file); 3 no plan
within the time limit; 130 stopped by Ctrl-C (`solve` and `report` first show or write the best plan found
so far); 141 the reader of stdout closed it early (`hpplan solve | head`); 70 an internal error (the
solver's plan failed the independent verifier: a bug, reported as such).
"""

from __future__ import annotations

import errno
import io
import math
import os
import re
import shlex
import signal
import shutil
import sys
import typing
import warnings
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
import typer.core
from rich.console import Console

from .errors import InputError
from .formats import DETAIL_AUTO_MAX, Detail
from .io import check_writable, silence_stdout, write_atomic, write_stdout
from .loader import load_problem
from .problem import QUICK_OPTIONS, Problem
from .solution import Solution
from .solution import Status as SolveStatus
from .solve import (SEED_MAX, TIME_LIMIT_MAX, TIME_LIMIT_MIN, WORK_LIMIT_MIN, WORK_LIMIT_NEEDS_CP_SAT, SolveOptions,
                    solve)
from .stopping import EXIT_INTERRUPTED, EXIT_TERMINATED, StopRequest, Terminated, ctrl_c, terminate_as_interrupt

#: metavars of options whose type says too little of what to give (a text, a number of seconds)
METAVARS = {"--data": "DIR", "--postpone": "ID=DATE", "--exclude": "ID", "--capacity": "POOL=FTE", "--actor": "ID",
            "--time-limit": "SECONDS", "--work-limit": "SECONDS", "--scheduler": "ADDRESS"}
#: metavars by type, for the rest (typer 0.29 shows `<list[Path]>`, `<%Y-%m-%d>`, `<float range>`)
TYPE_METAVARS = {Path: "PATH", datetime: "DATE", int: "N", float: "NUMBER", str: "TEXT"}


def metavar(param: "typer.core.TyperArgument | typer.core.TyperOption") -> str:
    """What `hpplan COMMAND --help` shows for the value of an option or argument: none for a flag, the
    choices of an enum, else a name for what to give (PATH, ID=DATE, SECONDS)."""
    if getattr(param, "is_flag", False):
        return ""
    if param.metavar is not None:
        return param.metavar
    if param.param_type_name == "argument":
        return param.name.upper()
    named = next((METAVARS[name] for name in param.opts if name in METAVARS), None)
    if named is not None:
        return named
    kind = value_type(param)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "|".join(member.value for member in kind)
    return TYPE_METAVARS.get(kind, "VALUE")


def value_type(param: "typer.core.TyperArgument | typer.core.TyperOption") -> object:
    """The type of one value of an option or argument (`Path` for `list[Path]` and `Optional[Path]`)."""
    kind = param.type_descriptor.annotation
    return (typing.get_args(kind) or (kind,))[0] if typing.get_origin(kind) is list else kind


def value_problem(param: "typer.core.TyperArgument | typer.core.TyperOption", value: object) -> str | None:
    """What is wrong with a value given on the command line that its type lets through, or None: an empty
    path (`-o "$OUT"` with OUT unset was the current folder: `generate -o ''` wrote a data set into it,
    `--data ''` read ./waves.yaml), or a number that is not one (`-t nan` passed the type, then failed
    its range as "should be less than or equal to 86400")."""
    if not isinstance(value, str):
        return None  # a default, not given on the command line
    kind = value_type(param)
    if kind is Path and value == "":
        return f"an empty path; give {'a folder' if param.metavar == 'DIR' else 'a file'}"
    if kind is datetime:
        return date_problem(value)
    if kind is float:
        try:
            number = float(value)
        except ValueError:
            return None  # the type says so
        if math.isnan(number):
            what = {"SECONDS": "a number of seconds", "PCT": "a percentage"}.get(param.metavar, "a number")
            return f"{value!r} is not a number; give {what}"
    return None


def date_problem(value: str) -> str | None:
    """What is wrong with a date option's value written as YYYY-MM-DD that names no day (`--freeze-until
    2024-02-30`, which click called "does not match the format"), said as `--postpone ID=2024-13-01` says it;
    None: a day, or not written so (click's message names the format)."""
    import datetime as dt

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) is None:
        return None
    try:
        dt.date.fromisoformat(value.strip())
    except ValueError as error:
        return f"{value!r} is no date ({error}); give a day of the calendar, as YYYY-MM-DD"
    return None


def checked(param: "typer.core.TyperArgument | typer.core.TyperOption", ctx, value) -> None:
    """The values of an option or argument given on the command line checked for what their type lets
    through (`value_problem`): a usage error (exit 2) naming the option."""
    for one in value if isinstance(value, (list, tuple)) else (value,):
        problem = value_problem(param, one)
        if problem is not None:
            raise typer.BadParameter(problem, ctx=ctx, param=param)


class CheckedOption(typer.core.TyperOption):
    """An option of `hpplan`, its values `checked`."""

    def process_value(self, ctx, value):
        checked(self, ctx, value)
        return super().process_value(ctx, value)


class ReadableArgument(typer.core.TyperArgument):
    """An argument shown as click shows it: its metavar in the usage line (`SPEC`, `[SPEC]` when it may be
    left out) and alone in the help's list, where typer 0.29 showed `{SPEC}` and `SPEC <path>`; its values
    `checked`."""

    def process_value(self, ctx, value):
        checked(self, ctx, value)
        return super().process_value(ctx, value)

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx) -> None:
        return None


class ReadableHelp:
    """The help of a command (or of `hpplan`) that reads well at any width: click's plain layout (typer's
    rich panels cut option names and ranges at 60 columns), the metavars of `metavar` (arguments as
    `ReadableArgument`), and each command's first paragraph whole as its summary in `hpplan --help` (click
    cut it at 45 characters). Options and arguments check their values (`checked`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.help and not self.short_help:
            self.short_help = " ".join(self.help.split("\n\n")[0].split())
        for param in self.params:
            param.metavar = metavar(param)
            if type(param) is typer.core.TyperArgument:
                param.__class__ = ReadableArgument  # made by typer from `typer.Argument`: its display and checks
            elif type(param) is typer.core.TyperOption:
                param.__class__ = CheckedOption  # made by typer from `typer.Option`: its checks only

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = metavar(option)
        return option


class ReadableCommand(ReadableHelp, typer.core.TyperCommand):
    """A command of `hpplan`, with `ReadableHelp`."""


class ReadableGroup(ReadableHelp, typer.core.TyperGroup):
    """`hpplan` itself, with `ReadableHelp`."""


class Hpplan(typer.Typer):
    """The `hpplan` app: every command it registers has `ReadableHelp`."""

    def command(self, *args, cls=ReadableCommand, **kwargs):
        return super().command(*args, cls=cls, **kwargs)


app = Hpplan(
    cls=ReadableGroup,
    rich_markup_mode=None,
    name="hpplan",
    help="Plan the staged rollout of a shared electronic health record across many organisations (health "
         "trusts, hospitals, municipalities, GP offices): which go-live window each takes, within the limits of "
         "the staff who carry it out.\n\nAny such rollout is described in two YAML files (docs/data-format.md); "
         "the example data shipped with hpplan is the rollout of Helseplattformen in Central Norway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 2


class Engine(str, Enum):
    auto = "auto"
    cp_sat = "cp-sat"
    highs = "highs"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    ics = "ics"
    xlsx = "xlsx"


SeedOption = typer.Option(0, "--seed", min=0, max=SEED_MAX, help="Random seed of the solver.")


def time_limit_option(help: str, default: float = 60.0):
    """`--time-limit`/`-t` in SolveOptions' range (TIME_LIMIT_MIN to TIME_LIMIT_MAX): the same for every
    command that solves, so that none takes a limit its solve then refuses with a traceback."""
    return typer.Option(default, "--time-limit", "-t", min=TIME_LIMIT_MIN, max=TIME_LIMIT_MAX, help=help)


WorkLimitOption = typer.Option(
    None, "--work-limit", min=WORK_LIMIT_MIN, max=TIME_LIMIT_MAX,
    help="Deterministic work limit (CP-SAT deterministic seconds): a plan cut short by it is still reproducible.",
)
GapOption = typer.Option(
    0.0, "--gap", min=0.0, max=100.0, metavar="PCT",
    help="Stop once a plan is proven within PCT percent of the best bound (e.g. 0.5); it is reported feasible, "
         "with its gap. Default 0: prove the optimum.",
)


#: the command line's quick scenario forms (`scenario.apply_quick`, after any --scenario files): the same options
#: for `solve`, `check` and `explain`
PostponeOption = typer.Option([], "--postpone", help="ID=YYYY-MM-DD: a new earliest go-live date.")
ExcludeOption = typer.Option([], "--exclude", help="ID: the organisation opts out (stays unscheduled).")
CapacityOption = typer.Option(
    [], "--capacity", help="POOL=FTE or POOL=80%, optionally @YYYY-MM: the capacity from that month on.")


def fail_input(error: InputError) -> None:
    """Report bad input as `file:line: message` lines on stderr and exit 2."""
    for line in str(error).splitlines():
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(EXIT_INPUT)


def load(data: Path) -> Problem:
    try:
        return load_problem(data)
    except InputError as error:
        fail_input(error)
        raise  # unreachable


def render(problem: Problem, solution: Solution, fmt: Format) -> str | bytes:
    """The plan in a machine format: text (json, csv, markdown, ics) or bytes (xlsx). A CSV or calendar
    of no plan is nothing (no header alone, no empty calendar that reads as a plan of nothing); the
    JSON, Markdown and spreadsheet say "no plan" themselves."""
    if fmt in (Format.csv, Format.ics) and not solution.found:
        return ""
    if fmt is Format.json:
        return solution.to_json()
    if fmt in (Format.ics, Format.xlsx):
        from .exports import to_ics, to_xlsx

        return to_ics(problem, solution) if fmt is Format.ics else to_xlsx(problem, solution)
    from .formats import to_csv, to_markdown

    if fmt is Format.csv:
        return to_csv(problem, solution)
    return to_markdown(problem, solution)


def write_output(data: str | bytes, output: Optional[Path], solution: Solution) -> None:
    """Print `data`, or write it to `output` atomically; a run without a plan never writes the file."""
    if output is None:
        write_stdout(data)  # xlsx too: `check_output` refused it for a terminal before the solve
        return
    if not solution.found:
        kept = f"{output} left as it was" if output.exists() else f"{output} not written"
        more = "; raise --time-limit" if solution.status is SolveStatus.unknown else ""
        typer.echo(f"hpplan: no plan ({solution.status.value}{more}); {kept}", err=True)
        return
    try:
        write_atomic(output, data)
    except InputError as error:
        fail_input(error)


def to_stdout(output: Optional[Path]) -> Optional[Path]:
    """`-o -` is stdout, as no output at all is (report, solve, compare, sweep alike)."""
    return None if output is not None and str(output) == "-" else output


def inputs_of(data: Path, scenarios: list[Path], *files: Optional[Path]) -> list[Path]:
    """The files a command reads: the data's two files, its scenario files and any others given."""
    return [data / "organisations.yaml", data / "waves.yaml", *scenarios, *(f for f in files if f is not None)]


#: formats that are binary files, never written to a terminal
BINARY_FORMATS = ("xlsx", "png")


def check_output(output: Optional[Path], fmt: Enum | None = None, inputs: list[Path] = (), option: str = "-o") -> None:
    """Before any work: an `-o` that cannot be written, or one of the files the command reads (`-o
    plan.json` beside `--plan plan.json`, `-o data/waves.yaml`), or a binary format for a terminal
    (`output` None: stdout), is bad usage now rather than after a solve of a minute (or a lost input)."""
    problem = output_problem(output, inputs, option)
    if problem is not None:
        fail_input(problem)
    if output is None and fmt is not None and fmt.value in BINARY_FORMATS and sys.stdout.isatty():
        typer.echo(f"error: {fmt.value} is a binary file; give -o FILE, or pipe the output into a program", err=True)
        raise typer.Exit(EXIT_INPUT)


def output_problem(output: Optional[Path], inputs: list[Path] = (), option: str = "-o") -> InputError | None:
    """Why `output` cannot be written (`io.check_writable`), or that it is one of the files the command reads
    (`inputs`), or None; `check` reports it in the format asked for (an annotation in GitHub's)."""
    if output is None:
        return None
    try:
        target = check_writable(output)
    except InputError as error:
        return error
    for read in inputs:
        # the same file, or one not written yet under the same name (a sweep's results file on its
        # first run: the summary would have taken its place)
        same = target.samefile(read) if read.exists() and target.exists() else target.resolve() == read.resolve()
        if same:
            also = f" (as {read})" if Path(read) != Path(output) else ""
            return InputError(f"{option} {output}: this command reads that file{also}; write the output elsewhere")
    return None


#: `-o NAME` without --format: the format its suffix names (else the table, as text; solve and compare refuse
#: a known format they do not write: `format_of`)
SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".ics": "ics",
                  ".xlsx": "xlsx"}


#: suffixes of formats some hpplan command writes, or none does, beyond SUFFIX_FORMATS: solve and compare refuse
#: them (`format_of`) rather than put their text table under a name that promises a picture or a workbook
OTHER_SUFFIXES = {".html": "html", ".htm": "html", ".png": "png", ".svg": "svg", ".pdf": "pdf", ".xls": "xls",
                  ".docx": "docx", ".pptx": "pptx", ".yaml": "yaml", ".yml": "yaml", ".tsv": "tsv"}
#: the commands that write each format a suffix names (an example to give in the message); none: no command
WRITERS = {"json": "hpplan solve -o plan.json",
           "csv": "hpplan solve -o plan.csv or hpplan report --plan P -o plan.csv (a plan's rows)",
           "markdown": "hpplan solve -o plan.md, hpplan report --plan P -o plan.md or hpplan compare -o changes.md",
           "ics": "hpplan solve -o plan.ics or hpplan report -o plan.ics",
           "xlsx": "hpplan solve -o plan.xlsx or hpplan report -o plan.xlsx (a plan's workbook)",
           "html": "hpplan report -o report.html", "png": "hpplan report -o plan.png",
           "svg": "hpplan report -o plan.svg",
           "yaml": "hpplan sweep SPEC --scenario-of N -o scenario.yaml (a scenario file; a plan to keep is JSON)"}


def format_of(output: Optional[Path], formats: type[Enum] = Format, command: str | None = None) -> Enum:
    """The format of `formats` (solve's, compare's) that `-o`'s suffix names (`-o plan.json`: json), else
    table (`-o plan.txt`, no suffix). With `command` (solve, compare), a suffix that names a format it does not
    write (`compare -o changes.xlsx`, `solve -o plan.png`) is bad usage before any work: it wrote its text
    table there, a file Excel or a viewer refuses; the message names what it writes and who writes that."""
    suffix = output.suffix.lower() if output is not None else ""
    written = {f.value for f in formats}
    name = SUFFIX_FORMATS.get(suffix)
    if name in written:
        return formats(name)
    named = name or OTHER_SUFFIXES.get(suffix)
    if command is not None and named is not None:
        own = ["the table (as text)"] + [f"{f.value} ({next(s for s, n in SUFFIX_FORMATS.items() if n == f.value)})"
                                         for f in formats if f.value != "table"]
        writer = WRITERS.get(named)
        other = (f"for {named}: {writer}" if writer is not None
                 else f"no hpplan command writes {named} (hpplan report -o plan.svg or .png makes a picture, "
                      "hpplan report -o report.html a page to print)" if named in ("pdf", "docx", "pptx")
                 else f"no hpplan command writes {named}")
        typer.echo(f"error: -o {output}: {command} writes {', '.join(own[:-1])} or {own[-1]}, and {suffix} names "
                   f"{named}; {other}. Name the file for one of {command}'s formats, or give --format table to write "
                   "the table under this name", err=True)
        raise typer.Exit(EXIT_INPUT)
    return formats("table")


def check_stamp() -> None:
    """Before any work, for a calendar or a workbook: a SOURCE_DATE_EPOCH that cannot be their stamp
    (`exports.source_date_epoch`) is bad usage now, not a traceback after the solve."""
    from .exports import source_date_epoch

    try:
        source_date_epoch()
    except InputError as error:
        fail_input(error)


def check_engine(engine: "Engine", work_limit: Optional[float]) -> None:
    """`--work-limit` is CP-SAT's: refused with `--engine highs` (a plan cut short would not be
    reproducible, which is what the option promises)."""
    if engine is Engine.highs and work_limit is not None:
        typer.echo(f"error: --engine highs with --work-limit: {WORK_LIMIT_NEEDS_CP_SAT}", err=True)
        raise typer.Exit(EXIT_INPUT)


def data_folder(data: Optional[Path], scenarios: list[Path]) -> Path:
    """`folder_to_plan`, with bad input reported and exit 2."""
    try:
        return folder_to_plan(data, scenarios)
    except InputError as error:
        fail_input(error)
        raise  # unreachable


def folder_to_plan(data: Optional[Path], scenarios: list[Path]) -> Path:
    """The data to plan: --data, else the folder the first scenario names as its `base`, else ./data.
    InputError when the first scenario cannot be read (its own error, not "no such data folder") or
    names a base that is no folder here (planning ./data instead would answer another question)."""
    if data is not None:
        return data
    from .scenario import scenario_base

    base = scenario_base(scenarios[0]) if scenarios else None
    if base is None:
        return Path("data")
    if base.folder is None:
        raise base.error(scenarios[0])
    return base.folder


def folder_if_known(data: Optional[Path], scenarios: list[Path]) -> Optional[Path]:
    """`folder_to_plan`, or None when the first scenario cannot be read (reported when it is read): for
    the checks of the outputs and the labels made before the data is read."""
    try:
        return folder_to_plan(data, scenarios)
    except InputError:
        return None


def check_command_line(data: Path, scenarios: list[Path], *more: str, verb: str = "check", postpone: list[str] = (),
                       exclude: list[str] = (), capacity: list[str] = ()) -> str:
    """`hpplan check --data DATA --scenario S ... [--postpone P --exclude E --capacity C ...] MORE` (or another
    verb that reads the same data: `explain`), quoted for a shell, for a message to paste."""
    return shlex.join(["hpplan", verb, "--data", str(data),
                       *(a for s in scenarios for a in ("--scenario", str(s))),
                       *quick_options(postpone, exclude, capacity), *more])


def quick_options(postpone: list[str] = (), exclude: list[str] = (), capacity: list[str] = ()) -> list[str]:
    """The quick forms as given on the command line (`--postpone P --exclude E --capacity C`), in the order
    they are applied: each kind in the user's order (two `--capacity` of one pool: the later one holds from its
    month on, so that order changes the result), the kinds in `scenario.apply_quick`'s fixed order, whatever
    their order on the command line (which the options' parser does not keep, and which changes nothing)."""
    return [a for name, values in zip(QUICK_OPTIONS, (postpone, exclude, capacity))
            for value in values for a in (name, value)]


def note_scenario_base(path: Path, data: Path) -> None:
    """A scenario applied to another folder than its `base` names: said on stderr (docs/scenarios.md),
    by every command that applies scenarios."""
    from .scenario import scenario_base

    base = scenario_base(path)  # a file that cannot be read raises its own error here, as it would next
    if base.folder is None:
        typer.echo(f"note: {path} was written for base {base.name!r}, {base.what}; applying it to {data}", err=True)
    elif base.folder.resolve() != data.resolve():
        typer.echo(f"note: {path} was written for base {base.name!r}; applying it to {data}", err=True)


def problem_with(data: Path, scenarios: list[Path], postpone: list[str] = (), exclude: list[str] = (),
                 capacity: list[str] = ()) -> Problem:
    """The data folder with the scenario files and quick forms applied (each scenario written for
    another base noted on stderr); InputError for bad input."""
    from .scenario import apply_quick, apply_scenarios

    problem = load_problem(data)
    for path in scenarios:
        note_scenario_base(path, data)
    problem = apply_scenarios(problem, list(scenarios))
    return apply_quick(problem, postpone=postpone, exclude=exclude, capacity=capacity)


def scenario_problem(data: Path, scenarios: list[Path], postpone: list[str], exclude: list[str],
                     capacity: list[str]) -> Problem:
    """`problem_with`; bad input exits 2."""
    try:
        return problem_with(data, scenarios, postpone, exclude, capacity)
    except InputError as error:
        fail_input(error)
        raise  # unreachable


def terminal() -> Console:
    """The console for what a command shows on stdout, as wide as the terminal (COLUMNS, else the
    terminal's own width), a dumb one too: rich took 80 columns for `TERM=dumb` (Emacs' shell, some CI
    runners) whatever COLUMNS or the terminal said."""
    console = Console(highlight=False)
    if console.is_dumb_terminal:
        console.size = shutil.get_terminal_size()
    return console


def emit(problem: Problem, solution: Solution, fmt: Format, output: Optional[Path],
         detail: Detail = Detail.auto) -> None:
    """Show the plan on the terminal, or print/write it in a format (`detail`: the table's Gantt rows)."""
    from .render import render_plan

    if fmt is Format.table and output is None:
        render_plan(problem, solution, terminal(), detail)
        return
    if fmt is Format.table:
        buffer = io.StringIO()
        render_plan(problem, solution, Console(file=buffer, width=160, force_terminal=False, highlight=False), detail)
        data: str | bytes = buffer.getvalue()
    else:
        data = render(problem, solution, fmt)
    write_output(data, output, solution)


@app.command("solve")
def solve_command(
    data: Optional[Path] = typer.Option(
        None, "--data", "-d",
        help="Folder holding organisations.yaml and waves.yaml (default: the first scenario's base, else data).",
    ),
    time_limit: float = time_limit_option("Seconds of wall time for the solver; an infeasible result is then explained on "
                                          "stderr within as long again, and at most 10 times this of deterministic "
                                          "work (docs/solve.md)."),
    seed: int = SeedOption,
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64, help="Solver threads (deterministic for any count)."),
    work_limit: Optional[float] = WorkLimitOption,
    engine: Engine = typer.Option(
        Engine.auto, "--engine", "-e",
        help="auto: engines race (CP-SAT with HiGHS; on large models LP rounding with HiGHS; the interval form for "
             "makespan); cp-sat or highs: that one alone. See docs/solve.md \"Engines\".",
    ),
    fmt: Optional[Format] = typer.Option(
        None, "--format", "-f",
        help="Output format; default: from -o's suffix (.json, .csv, .md, .ics, .xlsx), else table (a suffix of a "
             "format solve does not write, .png or .html: refused)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the plan to this file (atomically)."),
    scenario: list[Path] = typer.Option([], "--scenario", "-s", help="A scenario file (docs/scenarios.md); repeat to apply several in order."),
    postpone: list[str] = PostponeOption,
    exclude: list[str] = ExcludeOption,
    capacity: list[str] = CapacityOption,
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", "-b",
        help="A saved plan (JSON, or a YAML plan as check --plan reads): keep every rule, then change it as "
             "little as possible before optimising.",
    ),
    freeze_until: Optional[datetime] = typer.Option(
        None, "--freeze-until", formats=["%Y-%m-%d"],
        help="With --baseline: keep the baseline's go-lives before this date (default: waves.yaml freeze_until).",
    ),
    gap: float = GapOption,
    detail: Detail = typer.Option(
        Detail.auto, "--detail",
        help=f"The table's Gantt rows: one per organisation, or one per window and kind of organisation; auto: "
             f"per organisation up to {DETAIL_AUTO_MAX}."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display on the terminal."),
) -> None:
    """Find the best rollout plan for a data folder (with scenarios applied) and show it.

    Ctrl-C stops the search and shows the best plan found so far (exit 130); a second Ctrl-C aborts."""
    from .cli_compare import replan_and_emit
    from .portfolio import highs_available
    from .progress import solve_progress

    if freeze_until is not None and baseline is None:
        typer.echo("error: --freeze-until keeps go-lives of a baseline plan; give --baseline plan.json", err=True)
        raise typer.Exit(EXIT_INPUT)
    check_engine(engine, work_limit)
    output = to_stdout(output)
    folder = data_folder(data, scenario)
    # an output over a file it reads (`-o data/waves.yaml`) said first, then a suffix solve does not write
    check_output(output, fmt or format_of(output), inputs_of(folder, scenario, baseline))
    fmt = fmt or format_of(output, Format, "solve")
    if fmt in (Format.ics, Format.xlsx):
        check_stamp()
    problem = scenario_problem(folder, scenario, postpone, exclude, capacity)
    if engine is Engine.highs and not highs_available():
        typer.echo("error: --engine highs needs highspy (pip install highspy); or use --engine auto", err=True)
        raise typer.Exit(EXIT_INPUT)
    options = SolveOptions(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit,
                           engine=engine.value, gap=gap / 100, stop=StopRequest())
    if baseline is None:
        with (solve_progress(Console(stderr=True), quiet=quiet) as options.progress,
              ctrl_c(options.stop, say=options.progress.say if options.progress else None)):
            if options.progress is not None:
                options.progress.gap_target = options.gap
            solution = solve(problem, options)
        emit(problem, solution, fmt, output, detail)
    else:
        solution = replan_and_emit(problem, folder, baseline, freeze_until, options, fmt, output, quiet=quiet)
    exit_stopped(solution, output, options.stop)
    if solution.status is SolveStatus.infeasible:
        explain_on_stderr(problem, time_limit, work_limit)
    raise typer.Exit(solution.exit_code)


def exit_stopped(solution: Solution, output: Optional[Path], stop: StopRequest | None = None) -> None:
    """A solve stopped by Ctrl-C ends the command with exit code 130 (by SIGTERM, `stop.signal`: 143), after
    its best plan is shown (and written, with `-o`). With `stop`, only where this run's stop request was made: a
    plan read from a file saved by a stopped solve (`report --plan`) says `stopped` too, and nothing stopped now."""
    if not solution.stats.stopped or (stop is not None and not stop.is_set()):
        return
    terminated = stop is not None and stop.signal == signal.SIGTERM
    by = "SIGTERM" if terminated else "Ctrl-C"
    if solution.found:
        where = f"; written to {output}" if output is not None else ""
        typer.echo(f"hpplan: stopped by {by} after {solution.stats.wall_time:.1f} s: the best plan found so far "
                   f"({solution.status.value}){where}", err=True)
    else:
        typer.echo(f"hpplan: stopped by {by} after {solution.stats.wall_time:.1f} s, before any plan was found",
                   err=True)
    raise typer.Exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)


def explain_on_stderr(problem: Problem, time_limit: float, work_limit: Optional[float] = None) -> None:
    """Say which rules and limits cannot hold together (stderr: machine formats on stdout stay clean),
    within as long again as the solve's --time-limit (`wall_limit`; a run with --work-limit has none, so
    that its answer stays reproducible: the work budget alone bounds it)."""
    from .explain import Undecided, explain_infeasible

    try:
        wall = None if work_limit is not None else time_limit
        typer.echo(explain_infeasible(problem, time_limit=time_limit, wall_limit=wall).to_text(), err=True)
    except Undecided:
        typer.echo("hpplan: infeasible; no explanation within the time limit (try `hpplan explain`)", err=True)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Show the version and exit.", is_eager=True),
) -> None:
    if version:
        from . import __version__

        typer.echo(f"hpplan {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_INPUT)


# Further commands live in modules of their own and register themselves on `app` when imported.
from . import cli_commands  # noqa: E402,F401


def _folded(error: UnicodeEncodeError) -> tuple[str, int]:
    """A codec error handler (`hpplan-fold`): each character the encoding lacks as `render.folded` writes it
    (Ø: O, Å: A, ±: +/-; else '?'); written only where the terminal cannot show the letter."""
    from .render import folded

    return folded(error.object[error.start:error.end]), error.end


def _terminal_text() -> None:
    """The terminal table (rich) in a stdout whose encoding cannot hold every letter (`LC_ALL=C
    PYTHONUTF8=0`, a Latin-1 terminal): a letter it lacks is shown folded (Ørsta as Orsta, Ålesund as Alesund,
    `_folded`; else '?'), not a UnicodeEncodeError half-way through, nor '?rsta' and '?lesund'.
    Machine formats go out whole as UTF-8 (`io.write_stdout`). A width of 0 columns is no width."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    try:
        utf = encoding is None or codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        utf = False
    if not utf and hasattr(sys.stdout, "reconfigure"):
        try:
            codecs.lookup_error("hpplan-fold")
        except LookupError:
            codecs.register_error("hpplan-fold", _folded)
        sys.stdout.reconfigure(errors="hpplan-fold")
    # COLUMNS=0 (or junk) made rich's tables 0 wide: an empty output with exit 0. Without it rich asks
    # the terminal, else takes 80 columns
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (value.strip().isdigit() and int(value) > 0):
            del os.environ[name]


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """hpplan's own warnings (`hpplan: the highs engine failed ...; the race went on without it`) as one
    line on stderr, as its other messages are (Python's form adds the file, line and source line of the
    call); others in Python's form."""
    own = str(message).startswith("hpplan:")
    text = f"{message}\n" if own else warnings.formatwarning(message, category, filename, lineno, line)
    try:
        (file or sys.stderr).write(text)
    except OSError:  # stderr closed: a warning is not worth failing for
        pass


def _closed_streams() -> None:
    """A standard stream closed by whoever started hpplan (`>&-`, as some cron and daemon wrappers run it)
    is /dev/null: what would go there goes nowhere, and the rest of the run is as ever (the `-o` file
    written, the verdict's exit code). Python has no sys.stdout then, and a file opened later took file
    descriptor 1 (C++ output such as HiGHS's went into it); before, `solve -o plan.json >&-` ended with
    exit 70 and no plan written."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
            except OSError:
                continue
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


#: errors of a write that are not hpplan's: the disk is full or failing, a quota, a read-only mount
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _write_failed(error: OSError) -> str:
    """The message for a write that failed (`WRITE_ERRNOS`) outside `io`'s own writes (which name their
    file): the file the error names, else stdout, the one stream hpplan writes its output to that rich or
    click may have written (`hpplan solve > /dev/full`; `-o /dev/full` says the same; stderr full as well,
    no message is seen at all)."""
    reason = error.strerror or str(error)
    if error.filename:  # an I/O error may have been a read's
        return f"error: {error.filename}: {'' if error.errno == errno.EIO else 'cannot write: '}{reason}"
    return f"error: stdout: cannot write: {reason}"


def main() -> None:
    with terminate_as_interrupt():  # SIGTERM unwinds as Ctrl-C does (no temporary file left), exit 143
        _main()


def _main() -> None:
    from .solve import PlanBroken

    _closed_streams()
    _terminal_text()
    warnings.showwarning = _show_warning
    try:
        app()
    except PlanBroken as error:
        sys.stderr.write(f"hpplan: internal error: {error}. This is a bug in hpplan, not in the data; nothing "
                         "was written. Please report it with the data.\n")
        raise SystemExit(EXIT_BUG) from None
    except InputError as error:  # one no command caught (a write to stdout that failed: `io.write_stdout`)
        _say("".join(f"error: {line}\n" for line in str(error).splitlines()))
        raise SystemExit(EXIT_INPUT) from None
    except OSError as error:
        if error.errno not in WRITE_ERRNOS:
            _bug(error)
        message = _write_failed(error)
        silence_stdout()  # what is still buffered for it, and Python's last flush, go nowhere
        _say(message + "\n")
        raise SystemExit(EXIT_INPUT) from None
    except Exception as error:  # a bug: exit 70, not the 1 that means "infeasible" or "violations" to CI
        _bug(error)
    except KeyboardInterrupt as stopped:  # before click's own handling begins (typer reading the command's options)
        terminated = isinstance(stopped, Terminated)
        sys.stderr.write(f"hpplan: {'terminated (SIGTERM)' if terminated else 'interrupted (Ctrl-C)'}\n")
        raise SystemExit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED) from None
    except SystemExit as end:
        # a Ctrl-C outside the solve (reading the data; or writing, when an -o file is either as it
        # was or complete: written atomically): typer ends with 130 and says nothing
        if end.code == EXIT_INTERRUPTED and _caused_by(end, Terminated):
            sys.stderr.write("hpplan: terminated (SIGTERM)\n")
            raise SystemExit(EXIT_TERMINATED) from None
        if end.code == EXIT_INTERRUPTED and _caused_by(end, KeyboardInterrupt):
            sys.stderr.write("hpplan: interrupted (Ctrl-C)\n")
        # the reader of stdout went away (`hpplan solve | head`): rich and click end with 1, "infeasible"
        if end.code != EXIT_INTERRUPTED and (_caused_by(end, BrokenPipeError) or _stdout_pacified()):
            raise SystemExit(EXIT_BROKEN_PIPE) from None
        raise


def _bug(error: Exception) -> typing.NoReturn:
    """A bug: its traceback and a line that says so on stderr, exit 70."""
    import traceback

    traceback.print_exception(error)
    sys.stderr.write(f"hpplan: internal error: {type(error).__name__}: {error}. This is a bug in hpplan, not "
                     "in the data; outputs are written atomically, so none is half-written. Please report it "
                     "with the traceback above and the data.\n")
    raise SystemExit(EXIT_BUG) from None


def _say(text: str) -> None:
    """`text` on stderr, or nothing when stderr cannot take it (`2> /dev/full`): the exit code says it."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


#: the exit code when the reader of stdout closed it early (128 + SIGPIPE, as shells report it)
EXIT_BROKEN_PIPE = 141
#: the exit code of an internal error (EX_SOFTWARE): the solver's plan failed the independent verifier, or
#: hpplan failed (a bug) or could not be loaded (`hpplan_command`)
EXIT_BUG = 70


def _caused_by(end: BaseException, kind: type[BaseException]) -> bool:
    """Whether an exception of `kind` led to this exit (its chain of causes and contexts holds one). A
    context raised `from None` is not followed: the code that did so has dealt with it (the sweep's
    Ctrl-C says itself what was saved; a second "interrupted" line followed it)."""
    seen, error = set(), end
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return False


def _stdout_pacified() -> bool:
    """Whether click found stdout's reader gone (EPIPE): it then wraps stdout to keep quiet."""
    import click.core

    wrapper = getattr(click.core, "_PacifyFlushWrapper", None)
    return wrapper is not None and isinstance(sys.stdout, wrapper)


if __name__ == "__main__":
    main()
