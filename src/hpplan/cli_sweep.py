"""`hpplan sweep`: run many scenarios (a grid, or Monte Carlo samples) and sum them up (docs/sweep.md).

    hpplan sweep data/sweeps/readiness-risk.yaml --samples 50
    hpplan sweep data/sweeps/readiness-risk.yaml --out risk.jsonl --resume --format json -o risk.json
    hpplan sweep data/sweeps/hmr-postponement-x-primary-capacity.yaml --scheduler tcp://10.0.0.5:8786
    hpplan sweep data/sweeps/readiness-risk.yaml --chart risk.html

Exit codes: 0 the sweep is complete (scenarios without a plan are results, not failures); 1 the base
data has no plan; 2 invalid input or usage, or an output that cannot be written (the results file on
a full disk: what is in it is kept, --resume goes on); 4 the cluster could not be used; 70 the base
plan's solve failed (a bug, said so); 130 interrupted, 143 ended by SIGTERM (what finished is saved:
run the same command with --resume).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli import EXIT_INPUT, app, check_output, fail_input, format_of, inputs_of, terminal, to_stdout
from .errors import InputError, Location
from .io import write_atomic, write_pair, write_stdout
from .solve import TIME_LIMIT_MAX, TIME_LIMIT_MIN

EXIT_NO_BASE = 1
EXIT_BACKEND = 4
#: the results file took no more (a full disk): as for any output that cannot be written, not a bug
EXIT_UNWRITABLE = EXIT_INPUT
EXIT_INTERRUPTED = 130


class SweepFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _say(text: str) -> None:
    typer.echo(f"hpplan sweep: {text}", err=True)


def _command(spec: Path, out: Path, options: tuple[str, ...] = ()) -> str:
    """The command that goes on with this sweep (with `--resume`): the same spec, data and overrides,
    which the results file's inputs must match, and the same jobs, dates and outputs (summary, chart), to paste
    into a shell (`_shell_word`)."""
    return " ".join(_shell_word(str(part)) for part in ("hpplan", "sweep", spec, *options, "--out", out))


def _shell_word(word: str) -> str:
    """`word` quoted for a POSIX shell. A file name that is not valid in the file system's encoding (Python
    reads it with surrogate escapes: a Latin-1 folder `lat\\xe5`, or any non-ASCII name under `LC_ALL=C`)
    is written as its bytes in the shell's `$'...'` quoting (`$'lat\\xe5'`), which bash, zsh and ksh
    read back as that name: pasted, the command names the same file."""
    import shlex

    from .report import readable

    if readable(word) == word:
        return shlex.quote(word)
    escaped = "".join(chr(b) if 32 <= b < 127 and chr(b) not in "'\\" else f"\\x{b:02x}"
                      for b in word.encode("utf-8", "surrogateescape"))
    return f"$'{escaped}'"


@app.command("sweep")
def sweep_command(
    spec: Path = typer.Argument(..., help="The sweep spec, a YAML file, e.g. data/sweeps/readiness-risk.yaml."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="The data folder (default: the spec's base)."),
    out: Optional[Path] = typer.Option(
        None, "--out",
        help="The results file (JSON Lines), one record per finished scenario (default: SPEC-NAME.results.jsonl here)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the sweep in --out: run only the scenarios not in it."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Start again, replacing an existing --out."),
    no_run: bool = typer.Option(False, "--no-run", help="Run nothing: sum up what --out holds (e.g. an interrupted sweep)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, max=1024,
                                       help="Worker processes on this machine, each solving one scenario at a time (default: its cores divided by the threads of one solve, at least 1)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="Run on an existing Dask cluster: its scheduler, tcp://HOST:PORT."),
    dask: bool = typer.Option(False, "--dask", help="Run on a Dask LocalCluster started here (--jobs workers)."),
    samples: Optional[int] = typer.Option(None, "--samples", "-n", min=1, help="Monte Carlo: this many samples instead of the spec's."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**63 - 1,
                                      help="Monte Carlo: this seed instead of the spec's."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", "-t", min=TIME_LIMIT_MIN,
                                              max=TIME_LIMIT_MAX, help="Seconds per solve instead of the spec's."),
    gap: Optional[float] = typer.Option(None, "--gap", min=0.0, max=100.0, metavar="PCT",
                                        help="Each solve ends at a plan proven within PCT percent, instead of the spec's gap."),
    replan: Optional[bool] = typer.Option(
        None, "--replan/--fresh",
        help="Re-plan each scenario from the base plan, changing it as little as possible (--replan), or plan it "
             "from scratch (--fresh), instead of the spec's `plan`."),
    live_by: list[dt.datetime] = typer.Option([], "--live-by", formats=["%Y-%m-%d"],
                                               help="A date to give P(live by) for (repeat; instead of the spec's)."),
    fmt: Optional[SweepFormat] = typer.Option(
        None, "--format", "-f", help="Summary format; default: from -o's suffix (.json, .csv), else table."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the summary to this file (atomically)."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Also write the charts (completion date, go-lives) as an HTML page."),
    base_plan: Optional[Path] = typer.Option(
        None, "--base-plan", metavar="PATH",
        help="Write the base plan of the results file (--out) as a plan (JSON), to re-plan a scenario against by "
             "hand (hpplan solve --scenario S --baseline PATH), and exit."),
    scenario_of: Optional[int] = typer.Option(None, "--scenario-of", min=0,
                                              help="Print scenario N as a scenario file (to solve, compare or explain it) and exit."),
) -> None:
    """Run many scenarios, a grid or Monte Carlo samples of readiness slips, and show how likely the
    rollout is done by a date and which go-lives are most at risk."""
    from . import sweep as sw

    if scheduler and dask:
        _usage("--scheduler uses an existing cluster and --dask starts a local one: give one of them")
    if scheduler and not _scheduler_address(scheduler):
        _usage(f"--scheduler {scheduler}: not a scheduler address; give tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)")
    if resume and overwrite:
        _usage("--resume continues the results file and --overwrite replaces it: give one of them")
    out = out or Path(f"{spec.stem}.results.jsonl")
    output = to_stdout(output)  # `-o -`: stdout, as in the other commands
    if scenario_of is None:
        _check_chart(chart)
        _check_results_file(out)
    try:
        loaded = sw.load_spec(spec)
        loaded = _override(loaded, samples, seed, time_limit, gap, None if replan is None else
                           "replan" if replan else "fresh")
        context = sw.resolve(loaded, data)
    except InputError as error:
        fail_input(error)
        raise
    _check_outputs_are_not_inputs(context, spec, out, output, chart, scenario_of is not None, no_run)
    if base_plan is not None:
        _write_base_plan(sw, context, out, base_plan, spec)
        raise typer.Exit(0)
    if scenario_of is not None:
        if scenario_of >= context.size:
            _usage(f"--scenario-of {scenario_of}: the sweep has scenarios 0..{context.size - 1}")
        text = sw.scenario_yaml(context, scenario_of)
        _emit(text, output)
        raise typer.Exit(0)

    dates = [d.date() for d in live_by] or list(context.spec.live_by)
    try:
        given = (("--data", data), ("--samples", samples), ("--seed", seed), ("--time-limit", time_limit),
                 ("--gap", gap), ("--scheduler", scheduler))
        options = tuple(str(part) for name, value in given if value is not None for part in (name, value))
        options += ("--dask",) if dask else ()
        options += () if replan is None else ("--replan",) if replan else ("--fresh",)
        # what the command that goes on writes, and how many workers it runs, as this one
        options += ("--jobs", str(jobs)) if jobs is not None else ()
        options += tuple(part for day in dates if live_by for part in ("--live-by", day.isoformat()))
        options += ("--format", fmt.value) if fmt is not None else ()
        options += ("--output", str(output)) if output is not None else ()
        options += ("--chart", str(chart)) if chart is not None else ()
        results = _run(sw, context, spec, out, resume=resume, overwrite=overwrite, no_run=no_run, jobs=jobs,
                       scheduler=scheduler, dask=dask, options=options)
        summary = sw.aggregate(results, live_by=dates, size=context.size)
    except InputError as error:
        fail_input(error)
        raise
    page = None
    if chart is not None:
        from .sweep.output import sweep_html

        page = sweep_html(summary)
    text = _report(summary, fmt or format_of(output, SweepFormat), output)
    try:
        if output is not None and page is not None:
            write_pair(output, text, chart, page)  # both or neither: a failed run overwrites nothing
        elif output is not None:
            write_atomic(output, text)
        else:
            if text is not None:
                write_stdout(text)
            if page is not None:
                write_atomic(chart, page)
    except InputError as error:
        fail_input(error)
    if page is not None:
        _say(f"charts written to {chart}")
    raise typer.Exit(0)


def _check_results_file(out: Path) -> None:
    """Before any work: --out names a file (whether this run can write it: `_check_outputs_are_not_inputs`)."""
    from .sweep.run import COMMAND_LINE, check_results_path

    try:
        check_results_path(out, COMMAND_LINE)
    except InputError as error:
        fail_input(error)


def _check_outputs_are_not_inputs(context, spec: Path, out: Path, output: Optional[Path], chart: Optional[Path],
                                  scenario_only: bool, no_run: bool) -> None:
    """Before any work, once the spec names what the sweep reads: every output can be written (a wrong
    path costs no sweep, and nothing is written) and none replaces an input (the spec, its scenario
    files, the data; and for -o and --chart, the results file they sum up). A mistyped path lost the
    spec, the data or hours of results."""
    reads = inputs_of(Path(context.data), [Path(f) for f in context.scenario_files], spec)
    if scenario_only:  # --scenario-of writes -o alone, from the spec and the data
        check_output(output, inputs=reads)
        return
    check_output(output, inputs=[*reads, out])
    check_output(chart, inputs=[*reads, out], option="--chart")
    if output is not None and chart is not None and output.resolve() == chart.resolve():
        _usage(f"-o {output} and --chart {chart} name one file: the chart would replace the summary; give two")
    if not no_run:  # --no-run only reads --out
        check_output(out, inputs=reads, option="--out")


def _write_base_plan(sw, context, out: Path, path: Path, spec: Path) -> None:
    """`--base-plan PATH`: the results file's base plan (`sample.base_solution`), checked by the verifier,
    written atomically; the results file must be this sweep's (its inputs' hash), with a base plan."""
    from .verify import verify

    check_output(path, inputs=[*inputs_of(Path(context.data), [Path(f) for f in context.scenario_files], spec), out],
                 option="--base-plan")
    try:
        if not out.exists():
            raise InputError("no such results file: --base-plan reads the base plan of a sweep already run; run the "
                             "sweep first, or give its results file with --out", Location(str(out)))
        found, _ = sw.read_results(out)
        if found.header.get("hash") != context.digest():
            raise InputError("was written for other inputs: the spec, the data or the hpplan version changed since"
                             f"{sw.changed_inputs(found.header, sw.header_record(context))}; give the options the "
                             "file was run with", Location(str(out)))
        if found.base is None or found.base.get("status") not in ("optimal", "feasible"):
            raise InputError("holds no base plan (the sweep's base solve did not finish or found none)",
                             Location(str(out)))
        plan = sw.base_solution(context, found.base)
        broken = verify(context.problem, plan, check_objective=False)
        if broken:  # (not expected: the sweep checked it when it was made)
            raise InputError(f"its base plan breaks a rule of the data: {broken[0]}", Location(str(out)))
        write_atomic(path, plan.to_json())
    except InputError as error:
        fail_input(error)
    _say(f"base plan written to {path}: re-plan a scenario against it with hpplan solve --scenario S --baseline "
         f"{path}")


def _check_chart(chart: Optional[Path]) -> None:
    """Before any work: --chart needs plotly (its path: `_check_outputs_are_not_inputs`)."""
    if chart is None:
        return
    from .sweep.output import require_plotly

    try:
        require_plotly()
    except RuntimeError as error:  # plotly missing
        _say(str(error))
        raise typer.Exit(EXIT_INPUT)


def _scheduler_address(address: str) -> bool:
    """Whether `address` names a host and a port (tcp://HOST:PORT, or HOST:PORT), as Dask needs."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        return bool(parts.hostname) and parts.port is not None
    except ValueError:  # a port that is not a number, or out of range
        return False


def _usage(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT)


def _override(loaded, samples: Optional[int], seed: Optional[int], time_limit: Optional[float],
              gap: Optional[float] = None, plan: Optional[str] = None):
    from pydantic import ValidationError

    from .sweep.spec import LoadedSpec, SweepSpec

    spec = loaded.spec
    if (samples is not None or seed is not None) and spec.kind != "monte_carlo":
        _usage("--samples and --seed are for Monte Carlo sweeps; a grid runs every combination of its axes")
    update = {k: v for k, v in (("samples", samples), ("seed", seed), ("time_limit", time_limit), ("gap", gap),
                                ("plan", plan)) if v is not None}
    if not update:
        return loaded
    data = spec.model_dump(by_alias=True, exclude_none=True)
    data.update(update)
    try:
        new = SweepSpec.model_validate(data)
    except ValidationError as error:  # an option out of the spec's range (--seed 2^64): said as the option's
        names = {"samples": "--samples", "seed": "--seed", "time_limit": "--time-limit", "gap": "--gap",
                 "plan": "--replan/--fresh"}
        problems = []
        for err in error.errors():
            field = err["loc"][0] if err["loc"] else None
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{names[field]} {update[field]}: {msg[:1].lower()}{msg[1:]}" if field in update
                            else f"the options make an invalid spec: {msg}")
        _usage("; ".join(problems))
    return LoadedSpec(new, loaded.doc, loaded.path)


def _other_plan(context, found) -> str:
    """How to sum up a results file made in the other `plan` mode (`run.other_plan`), in the command's words."""
    from .sweep.run import COMMAND_LINE, other_plan

    return other_plan(context, found.header, COMMAND_LINE)


def _run(sw, context, spec: Path, out: Path, *, resume: bool, overwrite: bool, no_run: bool, jobs, scheduler, dask,
         options: tuple[str, ...] = ()):
    """Run the sweep (or not), and return the results file's records."""
    if no_run:
        if not out.exists():
            raise InputError("no such results file: --no-run sums up the results file of a sweep already run; "
                             "run the sweep first (the same command without --no-run), or give its file with --out",
                             Location(str(out)))
        found, _ = sw.read_results(out)
        if found.header.get("hash") != context.digest():
            raise InputError("was written for other inputs: the spec, the data or the hpplan version changed since"
                             f"{sw.changed_inputs(found.header, sw.header_record(context))}, and --no-run sums up "
                             f"only the results of this sweep. {_other_plan(context, found)}Give the options the "
                             "file was run with, or run this sweep without --no-run (into another --out, or "
                             "--overwrite it)", Location(str(out)))
        return found
    if out.exists() and not resume and not overwrite and out.stat().st_size > 0:
        found, _ = sw.read_results(out)
        done = {r["index"] for r in found.records if 0 <= r["index"] < context.size}
        if found.header.get("hash") != context.digest():
            raise InputError("exists and was written for other inputs: the spec, the data or the hpplan version "
                             f"changed since{sw.changed_inputs(found.header, sw.header_record(context))}; "
                             f"{_other_plan(context, found)}--overwrite replaces it, or give another --out",
                             Location(str(out)))
        if len(done) == context.size and found.base is not None:
            _say(f"all {context.size} scenarios are already in {out}; summing them up (--overwrite runs them again)")
            return found
        raise InputError(f"exists with {len(done)} of {context.size} scenarios: --resume continues it, --overwrite "
                         "starts again, or give another --out", Location(str(out)))
    jobs = jobs or sw.default_jobs(context.spec)
    if scheduler or dask:
        factory = sw.dask_backend(scheduler, jobs)
    else:
        factory = sw.local_backend(jobs)
    from .sweep.run import COMMAND_LINE, EXIT_TERMINATED, BaseFailed, Stop, default_progress, sigterm_as_ctrl_c

    existed = out.exists()
    stop_signal = Stop()
    try:
        with sigterm_as_ctrl_c(stop_signal):  # a SIGTERM (CI cancelled, `timeout`) stops it as Ctrl-C does
            result = sw.run_sweep(context, out, backend_factory=factory, resume=resume, overwrite=overwrite,
                                  progress=default_progress(), wording=COMMAND_LINE)
    except sw.Interrupted as stop:
        # stopped before it started, an --overwrite left the old file: the same command goes on
        again = "--overwrite" if overwrite and not stop.started else "--resume"
        _say(f"{stop}{' (SIGTERM)' if stop_signal.terminated else ''}. Nothing finished is lost; to go on: "
             f"{_command(spec, out, options)} {again}")
        # said: main() adds no "interrupted" line
        raise typer.Exit(EXIT_TERMINATED if stop_signal.terminated else EXIT_INTERRUPTED) from None
    except KeyboardInterrupt:
        _say(f"interrupted{' (SIGTERM)' if stop_signal.terminated else ''} before any scenario finished; to go on: "
             f"{_command(spec, out, options)} --resume")
        raise typer.Exit(EXIT_TERMINATED if stop_signal.terminated else EXIT_INTERRUPTED) from None
    except sw.ResultsUnwritable as error:  # a full disk: what is in the file is kept, --resume goes on
        if error.started:
            _say(f"{error.said(COMMAND_LINE)}. Free space (or mend the cause), then go on with: "
                 f"{_command(spec, out, options)} --resume")
        else:
            _say(f"cannot write {out}: {error.reason}; nothing ran, and {out} "
                 f"{'is as it was' if existed else 'was not made'}")
        raise typer.Exit(EXIT_UNWRITABLE)
    except BaseFailed as error:  # the base's task failed: a bug, not the data
        from .cli import EXIT_BUG  # defined after the commands are registered

        _say(str(error))
        raise typer.Exit(EXIT_BUG)
    except sw.NoBasePlan as error:
        _say(str(error))
        raise typer.Exit(EXIT_NO_BASE)
    except sw.SweepError as error:
        if error.started:
            _say(f"{error}; finished scenarios are in {out} (--resume goes on)")
        else:
            _say(f"{error}; nothing ran, and {out} {'is as it was' if existed else 'was not made'}")
        raise typer.Exit(EXIT_BACKEND)
    records = result.results.records
    failed = sum(1 for r in records if r.get("status") not in ("optimal", "feasible"))
    if result.ran:
        resumed = f" ({result.skipped} were already in the file)" if result.skipped else ""
        _say(f"ran {result.ran} scenario{'s' if result.ran != 1 else ''} on {result.backend} in "
             f"{result.seconds:.0f} s{resumed}; "
             f"{failed} of {len(records)} without a plan; results in {out}")
    return result.results


def _report(summary, fmt: SweepFormat, output: Optional[Path]) -> Optional[str]:
    """The summary's text in `fmt`, or None when it went to the terminal as a table already."""
    from .sweep.output import render_summary, summary_csv, summary_json, summary_text

    if fmt is SweepFormat.json:
        return summary_json(summary)
    if fmt is SweepFormat.csv:
        return summary_csv(summary)
    if output is None:
        render_summary(summary, terminal())
        return None
    return summary_text(summary, 160)


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        write_stdout(text)
        return
    try:
        write_atomic(output, text)
    except InputError as error:
        fail_input(error)

