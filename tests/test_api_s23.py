"""The library's ranges are the command line's (s23 notebook tester): an infinite time limit solved and
then crashed every footer (OverflowError in the number format), and a work limit of 1e-9 returned the
list schedule's plan where `--work-limit` refuses anything below 0.01."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.solve import TIME_LIMIT_MAX, WORK_LIMIT_MIN, SolveOptions

runner = CliRunner()
SPEC = Path(__file__).resolve().parent.parent / "data" / "sweeps" / "readiness-risk.yaml"


@pytest.mark.parametrize("field, value", [("time_limit", math.inf), ("time_limit", 1e400), ("time_limit", TIME_LIMIT_MAX + 1),
                                          ("work_limit", 1e-9), ("work_limit", math.inf)])
def test_solve_options_refuse_what_the_command_line_refuses(field, value):
    with pytest.raises(ValueError, match=f"SolveOptions.{field} must be at least"):
        SolveOptions(**{field: value})


def test_the_limits_at_the_ends_of_their_ranges_are_taken():
    SolveOptions(time_limit=TIME_LIMIT_MAX, work_limit=WORK_LIMIT_MIN)


@pytest.mark.parametrize("command", [["solve"], ["sweep", str(SPEC), "--no-run"], ["compare", "-b", "data"],
                                     ["report"], ["check"], ["explain"]])
@pytest.mark.parametrize("limit", ["inf", "1e400", "86401"])
def test_an_infinite_time_limit_is_bad_usage_not_a_traceback(command, limit):
    result = runner.invoke(cli.app, [*command, "-t", limit])
    assert result.exit_code == 2, result.output
    assert "86400" in result.output and "Traceback" not in result.output


def test_a_baseline_with_no_plan_or_of_other_data_is_refused():
    # solve_replan against either answered "0 moved, proven" without a word
    from hpplan.solution import Assignment, Solution, Status
    from hpplan.loader import load_problem
    from hpplan.solve import Baseline, solve_replan

    tiny_problem = load_problem(Path(__file__).parent / "data" / "tiny")

    with pytest.raises(ValueError, match="the baseline has no plan"):
        Baseline(Solution(Status.infeasible))
    other = Solution(Status.feasible, plan=[Assignment("r300-m001", "M1", "municipality", "primary", None, None, False)])
    with pytest.raises(ValueError, match="shares no organisation with the data"):
        solve_replan(tiny_problem, SolveOptions(time_limit=5), Baseline(other))


def test_report_compare_with_a_plan_file_that_holds_no_plan_is_bad_input(tmp_path):
    from hpplan.solution import Solution, Status

    nothing = tmp_path / "infeasible.json"
    nothing.write_text(Solution(Status.infeasible).to_json(), encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(cli.app, ["report", "-d", str(Path(__file__).parent / "data" / "tiny"), "--compare",
                                     str(nothing), "-o", str(out), "-t", "5"])
    assert result.exit_code == 2, result.output
    assert "the compared plan has no plan (status infeasible)" in result.output and not out.exists()


def test_names_in_decomposed_letters_are_read_composed(tmp_path):
    # an å typed as a + combining ring (pasted from macOS) shifted the table's columns left
    import shutil
    import unicodedata

    from hpplan.loader import load_problem

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data)
    orgs = data / "organisations.yaml"
    text = orgs.read_text(encoding="utf-8")
    name = "Ålesund"  # (ø has no decomposed form; Å is A and a combining ring)
    orgs.write_text(text.replace(name, unicodedata.normalize("NFD", name)), encoding="utf-8")
    assert unicodedata.normalize("NFD", name) in orgs.read_text(encoding="utf-8") != text
    assert name in [o.name for o in load_problem(data).organisations]


def test_a_terminal_that_cannot_show_a_letter_gets_it_folded_and_json_stays_whole():
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONIOENCODING="ascii")
    tiny = str(Path(__file__).parent / "data" / "tiny")
    run = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()"]
    table = subprocess.run(run + ["solve", "-d", tiny, "-t", "5"], capture_output=True, env=env)
    assert table.returncode == 0, table.stderr.decode()
    # Ørsta as Orsta, Ålesund as Alesund (session 29; they were '?rsta', '?lesund': four names alike)
    assert b"Orsta" in table.stdout and b"?rsta" not in table.stdout and b"?lesund" not in table.stdout
    plan = subprocess.run(run + ["solve", "-d", tiny, "-t", "5", "-f", "json"], capture_output=True, env=env)
    assert plan.returncode == 0 and "Ørsta" in plan.stdout.decode("utf-8")


def test_a_bug_exits_70_not_the_1_of_violations(monkeypatch, capsys):
    from hpplan import cli as cli_module

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cli_module, "app", broken)
    with pytest.raises(SystemExit) as end:
        cli_module.main()
    assert end.value.code == 70
    err = capsys.readouterr().err
    assert "hpplan: internal error: RuntimeError: simulated bug" in err and "not in the data" in err


def test_hpplan_that_cannot_be_loaded_exits_70(tmp_path):
    import os
    import subprocess
    import sys

    fake = tmp_path / "ortools"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('broken ortools')\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    run = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()", "check"]
    result = subprocess.run(run, capture_output=True, env=env, text=True)
    assert result.returncode == 70, result.stderr
    assert "hpplan could not be loaded (ImportError: broken ortools)" in result.stderr


def test_columns_0_is_no_width_not_an_empty_table():
    import os
    import subprocess
    import sys

    env = dict(os.environ, COLUMNS="0")
    tiny = str(Path(__file__).parent / "data" / "tiny")
    run = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()"]
    table = subprocess.run(run + ["solve", "-d", tiny, "-t", "5"], capture_output=True, env=env, text=True)
    assert table.returncode == 0 and "Ørsta" in table.stdout and "Status: optimal" in table.stdout, table.stderr
