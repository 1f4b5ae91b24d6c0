"""The `hpplan` command through typer's runner, and once as the installed console script."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.loader import load_problem
from hpplan.solution import Solution, Status, read_plan
from hpplan.verify import verify

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args))


def test_solve_prints_a_plan_table():
    result = run("solve", "--data", str(TINY))
    assert result.exit_code == 0, result.output
    for name in ("Helse Møre og Romsdal HF", "Ålesund", "Ørsta"):
        assert name in result.output
    assert "optimal" in result.output


def test_json_contract():
    result = run("solve", "--data", str(TINY), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"status", "objective", "plan", "load"} <= set(data)
    assert data["status"] == "optimal"
    assert set(data["objective"]) >= {"population_delay", "preference", "total"}
    for entry in data["plan"]:
        assert set(entry) == {"id", "name", "kind", "sector", "go_live", "window", "pinned", "go_live_is_estimate"}
    assert data["plan"][0] == {"id": "st-olavs", "name": "St. Olavs hospital HF", "kind": "health_trust",
                               "sector": "specialist", "go_live": "2023-11-04", "window": "2023-11", "pinned": True,
                               "go_live_is_estimate": True}  # (its live_since has no fact note here)
    for point in data["load"]:
        assert set(point) == {"pool", "month", "used", "used_is_estimate", "limit", "limit_is_estimate"}
        assert len(point["month"]) == 7 and point["month"][4] == "-"


def test_saved_json_plan_reads_back_and_verifies(tmp_path: Path):
    out = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "--format", "json", "-o", str(out)).exit_code == 0
    solution = read_plan(out)
    assert verify(load_problem(TINY), solution) == []


def test_csv_and_markdown():
    result = run("solve", "--data", str(TINY), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["st-olavs", "helse-more-og-romsdal", "alesund", "orsta", "orsta-legekontor"]
    markdown = run("solve", "--data", str(TINY), "--format", "markdown")
    assert markdown.exit_code == 0 and "| " in markdown.stdout and "Ålesund" in markdown.stdout


def test_same_data_seed_and_workers_give_the_same_bytes():
    first = run("solve", "--data", str(TINY), "--format", "json", "--seed", "3", "--workers", "2").stdout
    second = run("solve", "--data", str(TINY), "--format", "json", "--seed", "3", "--workers", "2").stdout
    assert first == second
    # the tie-break makes the optimum unique: another seed or worker count gives the same plan too
    other = json.loads(run("solve", "--data", str(TINY), "--format", "json", "--seed", "11").stdout)
    assert other["plan"] == json.loads(first)["plan"]


def test_bad_input_exit_2_without_traceback(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "waves.yaml").write_text("windows: [\n")
    out = tmp_path / "plan.json"
    out.write_text("previous plan\n")
    result = run("solve", "--data", str(data), "--format", "json", "-o", str(out))
    assert result.exit_code == 2
    assert "waves.yaml:2: invalid YAML" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text() == "previous plan\n"


def test_missing_data_folder_and_bad_usage(tmp_path: Path):
    result = run("solve", "--data", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "no such data folder" in result.stderr
    assert run("solve", "--data", str(TINY), "--format", "xml").exit_code == 2
    assert run("solve", "--data", str(TINY), "--workers", "0").exit_code == 2


def test_infeasible_exit_1_and_output_kept(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    text = (data / "organisations.yaml").read_text(encoding="utf-8")
    (data / "organisations.yaml").write_text(text.replace("    status: planned\n", "    status: planned\n    latest: 2024-01-20\n"),
                                             encoding="utf-8")
    out = tmp_path / "plan.json"
    out.write_text("previous plan\n")
    result = run("solve", "--data", str(data), "--format", "json", "-o", str(out))
    assert result.exit_code == 1
    assert out.read_text() == "previous plan\n"
    assert json.loads(run("solve", "--data", str(data), "--format", "json").stdout)["status"] == "infeasible"


def test_no_plan_in_time_exit_3(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(cli, "solve", lambda problem, options: Solution(status=Status.unknown))
    out = tmp_path / "plan.json"
    out.write_text("previous plan\n")
    result = run("solve", "--data", str(TINY), "--format", "json", "-o", str(out))
    assert result.exit_code == 3
    assert out.read_text() == "previous plan\n"


def test_output_is_written_atomically_over_an_old_file(tmp_path: Path):
    out = tmp_path / "plan.md"
    out.write_text("old\n")
    assert run("solve", "--data", str(TINY), "--format", "markdown", "-o", str(out)).exit_code == 0
    assert "Ålesund" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.md"]  # no temporary file left behind


def test_installed_console_script():
    script = Path(sys.executable).parent / "hpplan"
    if not script.exists():
        pytest.skip("hpplan console script not installed next to this Python (run through `make test`)")
    done = subprocess.run([str(script), "solve", "--data", str(TINY), "--format", "json"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("hpplan ")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_reader_that_closes_stdout_early_is_not_an_infeasible_exit(fmt: str):
    # `hpplan solve | head -1`: rich (the table) and click (text) ended with 1, which means infeasible
    command = [sys.executable, "-c", "import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()",
               "solve", "--data", str(TINY), "-q", "-f", fmt]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # no reader: the first write fails with EPIPE
    _, err = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_BROKEN_PIPE == 141, err.decode()
    assert b"Traceback" not in err


def test_a_plan_the_verifier_rejects_is_an_internal_error_not_a_plan(tmp_path: Path, monkeypatch, capsys):
    # solve checks its own plan with the independent verifier; were the model wrong, the command says so
    # (exit 70) and writes nothing, rather than calling a plan that breaks a rule optimal
    from hpplan.verify import Violation

    verify_module = sys.modules["hpplan.verify"]  # the modules: `hpplan.verify` and `.solve` are functions
    solve_module = sys.modules["hpplan.solve"]
    broken = [Violation("limit.max_actors", "window w1 has 3 organisations going live, more than max_actors 2",
                        ("a",), None)]
    monkeypatch.setattr(verify_module, "verify", lambda problem, solution, **kw: broken)
    problem = load_problem(TINY)
    with pytest.raises(solve_module.PlanBroken, match="breaks 1 rule"):
        solve_module.solve(problem, solve_module.SolveOptions(time_limit=10))
    out = tmp_path / "plan.json"
    out.write_text("before")
    monkeypatch.setattr(sys, "argv", ["hpplan", "solve", "--data", str(TINY), "-q", "-f", "json", "-o", str(out)])
    with pytest.raises(SystemExit) as end:
        cli.main()
    assert end.value.code == cli.EXIT_BUG == 70
    assert "internal error" in capsys.readouterr().err and out.read_text() == "before"


@pytest.mark.parametrize("module", ["cli_compare", "cli_report", "cli_check", "cli_sweep", "cli_generate", "cli"])
def test_each_command_module_imports_first(module: str):
    # the command modules import each other through hpplan.cli; importing one before hpplan.cli (a test,
    # a notebook) must not meet a half-initialised module (cli_report once took data_folder from cli_compare)
    done = subprocess.run([sys.executable, "-c", f"import hpplan.{module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_options_that_cannot_work_are_bad_usage_before_any_solve(tmp_path: Path, monkeypatch):
    # a seed past 2**31 - 1 crashed in OR-Tools (exit 1, "infeasible"); --engine highs ignored
    # --work-limit without a word (plans not reproducible); a -o into a missing folder, or xlsx for
    # a terminal, failed only after the whole solve
    import hpplan.cli_compare as cli_compare

    def no_solve(*args, **kwargs):
        raise AssertionError("the solve ran before the usage error")

    monkeypatch.setattr(cli_compare, "solve_replan", no_solve)
    monkeypatch.setattr(cli, "solve", no_solve)
    import hpplan.cli_report as cli_report
    monkeypatch.setattr(cli_report, "solve_for_report", no_solve)
    cases = {
        ("solve", "--seed", str(2**31)): "--seed",
        ("solve", "-e", "highs", "--work-limit", "1"): "--engine highs with --work-limit",
        ("solve", "-f", "json", "-o", str(tmp_path / "missing" / "p.json")): "folder",
        ("report", "-o", str(tmp_path / "missing" / "r.html")): "folder",
        ("report", "--seed", str(2**31)): "--seed",
        ("compare", "--baseline", "data", "--postpone", "aure=2026-01-01", "-o", str(tmp_path / "no" / "c.txt")): "folder",
        ("compare", "--baseline", "data", "--postpone", "aure=2026-01-01", "--seed", str(2**40)): "--seed",
    }
    for args, said in cases.items():
        result = run(*args)
        assert result.exit_code == 2 and said in result.output, (args, result.output)
    largest = run("solve", "--seed", str(2**31 - 1), "-t", "5", "-f", "json")  # taken: it gets to the solve
    assert isinstance(largest.exception, AssertionError) and "the solve ran" in str(largest.exception)
    assert not (tmp_path / "missing").exists()


def test_solve_options_are_checked_again_by_the_solve():
    from hpplan import SolveOptions, solve
    from hpplan.solve import SEED_MAX

    problem = load_problem(Path(__file__).resolve().parent.parent / "data")
    options = SolveOptions(time_limit=5)
    options.workers = 0  # changed after it was made: the solve ran with 1 and reported 0
    with pytest.raises(ValueError, match="workers must be at least 1"):
        solve(problem, options)
    with pytest.raises(ValueError, match=f"seed must be at least 0 and at most {SEED_MAX}, got {SEED_MAX + 1}"):
        SolveOptions(seed=SEED_MAX + 1)
    with pytest.raises(ValueError, match="HiGHS has none"):
        SolveOptions(engine="highs", work_limit=1.0)


def test_an_output_never_replaces_an_input_and_its_suffix_names_its_format(tmp_path: Path):
    # `report --plan plan.json -o plan.json` replaced the saved plan with an HTML page, `-o board.pdf`
    # wrote HTML, `solve -o data/waves.yaml` replaced the data; `solve -o plan.json` wrote the table
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(data), "-o", str(plan)).exit_code == 0
    assert json.loads(plan.read_text())["status"] == "optimal"  # JSON, from the suffix
    md = tmp_path / "plan.md"
    assert run("solve", "--data", str(data), "-o", str(md)).exit_code == 0
    assert md.read_text().startswith("# Rollout plan")
    saved, waves = plan.read_bytes(), (data / "waves.yaml").read_bytes()
    refused = [
        ("report", "--data", str(data), "--plan", str(plan), "-o", str(plan), "-f", "html"),
        ("report", "--data", str(data), "--plan", str(plan), "-o", str(tmp_path / "board.pdf")),
        ("solve", "--data", str(data), "-f", "json", "-o", str(data / "waves.yaml")),
        ("compare", "--baseline", str(plan), "--data", str(data), "--postpone", "orsta=2024-09-01", "-o", str(plan)),
    ]
    for args in refused:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
    assert plan.read_bytes() == saved and (data / "waves.yaml").read_bytes() == waves
    assert not (tmp_path / "board.pdf").exists()


def test_the_summary_hint_wraps_on_a_narrow_terminal():
    from rich.console import Console

    from hpplan.formats import Detail
    from hpplan.render import render_plan
    from hpplan.solve import SolveOptions, solve

    problem = load_problem(TINY)
    out = io.StringIO()
    render_plan(problem, solve(problem, SolveOptions(time_limit=10)), Console(width=40, file=out), Detail.window)
    text = out.getvalue()
    assert "--detail organisation: each)" in " ".join(text.split())  # whole, over two lines
    assert max(len(line) for line in text.splitlines()[:4]) <= 40


def test_a_bad_source_date_epoch_is_bad_usage_before_the_solve(tmp_path: Path, monkeypatch):
    # a huge value was a traceback after the whole solve; a malformed one was ignored (stamped now)
    import hpplan.cli_report as cli_report

    def no_solve(*args, **kwargs):
        raise AssertionError("the solve ran before the usage error")

    monkeypatch.setattr(cli, "solve", no_solve)
    monkeypatch.setattr(cli_report, "solve_for_report", no_solve)
    for value in ("abc", "2024-01-01", "99999999999999"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        for args in (("solve", "--data", str(TINY), "-o", str(tmp_path / "p.ics")),
                     ("report", "--data", str(TINY), "-o", str(tmp_path / "p.xlsx"))):
            result = run(*args)
            assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.output, (value, args, result.output)
    assert not list(tmp_path.iterdir())


def test_report_of_a_saved_plan_that_breaks_the_data_says_so_in_its_files(tmp_path: Path):
    # "hpplan: wrote low.xlsx (15 kB, optimal plan)" of a plan over this data's capacity
    import openpyxl

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(data), "-o", str(plan)).exit_code == 0
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace("fte: 72,", "fte: 1,"), encoding="utf-8")
    book = tmp_path / "r.xlsx"
    result = run("report", "--data", str(data), "--plan", str(plan), "-o", str(book))
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "optimal as saved; breaks" in flat and "optimal plan)" not in flat
    assert f"rules or limits of this data; `hpplan check --data {data} --plan {plan}` lists them" in flat
    about = {row[0]: row[1] for row in openpyxl.load_workbook(book)["About"].iter_rows(values_only=True)}
    assert "as saved; breaks" in about["status"]


def test_check_junit_is_checked_before_the_check_and_never_replaces_an_input(tmp_path: Path, monkeypatch):
    # `check --junit data/waves.yaml` replaced the data with JUnit XML (exit 0); a missing folder was
    # found after the whole check, its verdict printed
    import hpplan.cli_check as cli_check

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    before = (data / "waves.yaml").read_bytes()
    monkeypatch.setattr(cli_check, "check_data", lambda *a, **k: pytest.fail("the check ran"))
    for junit, said in ((data / "waves.yaml", "--junit"), (tmp_path / "nofolder" / "x.xml", "folder")):
        result = run("check", "--data", str(data), "--junit", str(junit))
        assert result.exit_code == 2 and said in result.output and "a plan exists" not in result.output
    assert (data / "waves.yaml").read_bytes() == before


def test_every_command_that_applies_a_scenario_to_other_data_says_so(tmp_path: Path):
    other = tmp_path / "other"
    shutil.copytree(TINY, other)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: x\nchanges:\n  - {{op: exclude, actor: orsta-legekontor}}\n")
    note = f"note: {scenario} was written for base '{TINY}'; applying it to {other}"
    for args in (("check",), ("explain",), ("solve", "-t", "5", "-f", "csv"),
                 ("report", "-t", "5", "-q", "-o", str(tmp_path / "r.svg"))):
        result = run(*args, "--data", str(other), "--scenario", str(scenario))
        assert result.exit_code == 0 and note in " ".join(result.output.split()), (args, result.output)


def test_outputs_agree_across_commands(tmp_path: Path, monkeypatch):
    # compare -o wrote over ./data when the baseline was a saved plan; compare ignored -o's suffix;
    # `-o -` wrote a file named '-' for solve and compare (stdout for report); check's invalid input
    # named ./data when the scenario's base was read
    monkeypatch.chdir(tmp_path)
    shutil.copytree(TINY, tmp_path / "data")
    before = (tmp_path / "data" / "waves.yaml").read_bytes()
    assert run("solve", "-o", "plan.json").exit_code == 0
    cmp = ("compare", "--baseline", "plan.json", "--postpone", "orsta=2024-09-01", "-t", "10")
    refused = run(*cmp, "-o", "data/waves.yaml")
    assert refused.exit_code == 2 and "this command reads that file" in refused.output
    assert (tmp_path / "data" / "waves.yaml").read_bytes() == before
    assert run(*cmp, "-o", "cmp.json").exit_code == 0 and json.loads(Path("cmp.json").read_text())["baseline"]
    assert Path("cmp.md").exists() is False and run(*cmp, "-o", "cmp.md").exit_code == 0
    assert Path("cmp.md").read_text().startswith("#")
    for args in (("solve", "-f", "json", "-o", "-"), (*cmp, "-f", "json", "-o", "-")):
        result = run(*args)
        assert result.exit_code == 0 and json.loads(result.stdout) and not Path("-").exists(), args
    junit = run("check", "--junit", "-")
    assert junit.exit_code == 2 and "--format junit" in junit.output
    shutil.copytree(TINY, tmp_path / "g1")
    Path("bad.yaml").write_text("base: g1\ndescription: x\nchanges:\n  - {op: exclude, actor: nosuch}\n")
    shutil.rmtree(tmp_path / "data")
    invalid = json.loads(run("check", "-s", "bad.yaml", "-f", "json").stdout)
    assert invalid["source"] == "g1 with scenario bad.yaml", invalid


def test_an_exit_after_a_handled_ctrl_c_is_not_said_twice_and_a_yaml_plan_is_named():
    # the sweep said "interrupted: ... saved" and main() added "hpplan: interrupted (Ctrl-C)"
    def handled():
        try:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                raise RuntimeError("saved what finished") from None
        except RuntimeError:
            raise SystemExit(130)

    with pytest.raises(SystemExit) as end:
        handled()
    assert not cli._caused_by(end.value, KeyboardInterrupt)
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemExit(130)
    except SystemExit as plain:
        assert cli._caused_by(plain, KeyboardInterrupt)
    # a YAML plan where a JSON plan belongs (the library's read_plan; every command reads both) says which
    # is which (it said "Expecting value" only)
    from hpplan.errors import InputError
    from hpplan.solution import read_plan

    adopted = Path(__file__).resolve().parents[1] / "data" / "adopted-plan.yaml"
    with pytest.raises(InputError, match="looks like a YAML plan, which the commands read against their data"):
        read_plan(adopted)


def test_dev_stdout_into_a_pipe_and_an_output_not_written_yet_under_an_input_s_name(tmp_path: Path, monkeypatch):
    # -o /dev/stdout into a pipe: "cannot write: /proc/PID/fd/pipe:[N]"; a sweep's -o naming its
    # results file before the first run wrote the summary over the results
    done = subprocess.run([sys.executable, "-c", "import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()",
                           "solve", "--data", str(TINY), "-q", "-f", "json", "-o", "/dev/stdout"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "optimal", done.stderr
    monkeypatch.chdir(tmp_path)
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", tmp_path / "data")
    result = run("sweep", "data/sweeps/readiness-risk.yaml", "-n", "2", "-t", "5", "-o", "readiness-risk.results.jsonl")
    assert result.exit_code == 2 and "this command reads that file" in result.output
    assert not (tmp_path / "readiness-risk.results.jsonl").exists()


def test_an_explicit_yaml_tag_it_cannot_follow_is_bad_input(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    orgs = data / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace("population: 58509", "population: !!bool maybe", 1),
                    encoding="utf-8")
    result = run("check", "--data", str(data))
    assert result.exit_code == 2 and "cannot read value 'maybe' as bool (its tag !!bool)" in result.output


@pytest.mark.parametrize("name", ["organisations.yaml", "plan.json"])
def test_an_output_through_a_folder_linked_to_the_data_is_refused(tmp_path: Path, name: str):
    """`reports -> data`: `-o reports/organisations.yaml` (the data file the solve reads) and `-o
    reports/plan.json` (one it does not) went into the data folder; refused before the solve, exit 2."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    (tmp_path / "reports").symlink_to("data")
    result = run("solve", "--data", str(data), "-t", "5", "-o", str(tmp_path / "reports" / name))
    assert result.exit_code == 2, result.output
    assert f"folder {tmp_path / 'reports'} is a link to the data folder data;" in result.stderr, result.stderr
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_hpplan_s_own_warnings_are_one_line_on_stderr(capsys, monkeypatch):
    # "hpplan: the highs engine failed (...); the race went on without it" came with Python's
    # "file:line: RuntimeWarning:" and the source line of the warn call
    import warnings

    from hpplan import cli

    monkeypatch.setattr(warnings, "showwarning", cli._show_warning)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("hpplan: the highs engine failed (OverflowError: x); the race went on without it", RuntimeWarning)
        warnings.warn("something else", UserWarning)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "hpplan: the highs engine failed (OverflowError: x); the race went on without it"
    assert "UserWarning: something else" in lines[1]  # others keep Python's form
