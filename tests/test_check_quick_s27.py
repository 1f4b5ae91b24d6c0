"""`hpplan check` and `hpplan explain` take solve's quick scenario forms (`--postpone ID=DATE`, `--exclude ID`,
`--capacity POOL=FTE[@YYYY-MM]`), applied after the scenario files, named in every report of check; compare's
"to see why" gives the check command with them (finding 6 of a coordinator's report: they had to be written into
a scenario file to see why a quick-form scenario was infeasible)."""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hpplan import cli

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args, env: dict | None = None):
    return runner.invoke(cli.app, [str(a) for a in args], env=env)


def together(tmp_path: Path) -> Path:
    """A scenario of TINY: Ålesund and Ørsta go live together (a cooperation), as the coordinator's Værnes one."""
    path = tmp_path / "coop.yaml"
    path.write_text(f"base: {TINY}\ndescription: Ålesund and Ørsta go live together (test)\nchanges:\n"
                    "  - op: add_rule\n    rule: {id: coop, type: together, actors: [alesund, orsta], "
                    "reason: shared legevakt}\n", encoding="utf-8")
    return path


EXCLUDE_LABEL = "--exclude orsta [exclude orsta (opts out)"


def test_check_exclude_of_a_together_partner_explains_the_conflict(tmp_path: Path):
    coop = together(tmp_path)
    assert run("check", "-t", 5, "--data", TINY, "--scenario", coop).exit_code == 0  # without the opt-out: a plan
    result = run("check", "-t", 5, "--data", TINY, "--scenario", coop, "--exclude", "orsta")
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert "rule #3 'coop'" in text and "Ørsta does not go live (opted out, --exclude)" in text
    assert "undo the opt-out of Ørsta" in text
    # the summary (the last line) says the quick form was applied, after the scenario file, with its change
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"hpplan check: {TINY} with scenarios {coop}, {EXCLUDE_LABEL}"), summary
    assert "no plan satisfies every rule and limit: 1 conflict" in summary


def test_every_report_of_check_names_the_quick_forms(tmp_path: Path):
    coop = together(tmp_path)
    given = ("check", "-t", 5, "--data", TINY, "--scenario", coop, "--exclude", "orsta")
    report = json.loads(run(*given, "--format", "json").stdout)
    assert report["source"].startswith(f"{TINY} with scenarios {coop}, {EXCLUDE_LABEL}")
    assert report["summary"].startswith(f"hpplan check: {report['source']} (")
    # each conflict's finding points to the explain command with the same quick forms, which explains it
    expected = shlex.join(["hpplan", "explain", "--data", str(TINY), "--scenario", str(coop), "--exclude", "orsta"])
    assert {re.search(r"see `([^`]+)`\]$", f["message"])[1] for f in report["findings"]} == {expected}
    explained = run(*shlex.split(expected)[1:], "-t", 5)
    assert explained.exit_code == 1 and "'coop'" in explained.stdout and "--exclude" in explained.stdout
    junit_file = tmp_path / "check.xml"
    summary_file = tmp_path / "summary.md"
    github = run(*given, "--format", "github", "--junit", junit_file, env={"GITHUB_STEP_SUMMARY": str(summary_file)})
    assert github.exit_code == 1
    assert github.stdout.strip().splitlines()[-1].startswith(f"hpplan check: {report['source']} (")
    assert report["source"] in summary_file.read_text(encoding="utf-8")
    suite = ET.fromstring(junit_file.read_text(encoding="utf-8")).find("testsuite")
    assert suite.get("name") == f"hpplan check {report['source']}"
    junit = ET.fromstring(run(*given, "--format", "junit").stdout).find("testsuite")
    assert junit.get("name") == f"hpplan check {report['source']}"


def test_quick_forms_apply_after_the_scenario_files(tmp_path: Path):
    later = tmp_path / "later.yaml"
    later.write_text(f"base: {TINY}\ndescription: x\nchanges:\n  - {{op: postpone, actor: orsta, earliest: 2025-01-01}}\n",
                     encoding="utf-8")
    assert run("check", "-t", 5, "--data", TINY, "--scenario", later).exit_code == 1  # no window that late
    # the command line's postponement comes after the file's: Ørsta can go live again
    result = run("check", "-t", 5, "--data", TINY, "--scenario", later, "--postpone", "orsta=2024-09-01",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == (
        f"{TINY} with scenarios {later}, --postpone orsta=2024-09-01 [postpone orsta: earliest 2025-01-01 -> "
        "2024-09-01]")


def test_check_plan_with_quick_forms(tmp_path: Path):
    plan = tmp_path / "plan.json"
    assert run("solve", "-t", 5, "--data", TINY, "--format", "json", "-o", plan).exit_code == 0
    moved = run("check", "--data", TINY, "--plan", plan, "--capacity", "primary=0")
    assert moved.exit_code == 1, moved.output
    assert (f"of {TINY} with scenario --capacity primary=0 [capacity primary" in
            " ".join(moved.stdout.split()))


def test_explain_postpone_answers_for_the_postponed_data():
    assert run("explain", "-t", 5, "--data", TINY).exit_code == 0
    none = run("explain", "-t", 5, "--data", TINY, "--postpone", "orsta=2025-01-01")
    assert none.exit_code == 1, none.output
    assert "--postpone: Ørsta may go live no earlier than 2025-01-01*" in " ".join(none.stdout.split())
    why = run("explain", "-t", 5, "--data", TINY, "--actor", "orsta", "--postpone", "orsta=2024-09-01")
    assert why.exit_code == 0, why.output
    text = " ".join(why.stdout.split())
    assert "Why does Ørsta go live in window 2024-09" in text
    assert "--postpone: Ørsta may go live no earlier than 2024-09-01*" in text


def test_explain_actor_twice_gives_each_command_with_the_quick_forms():
    result = run("explain", "--data", TINY, "--exclude", "orsta-legekontor", "-a", "aure", "-a", "orsta")
    assert result.exit_code == 2
    expected = shlex.join(["hpplan", "explain", "--data", str(TINY), "--exclude", "orsta-legekontor", "--actor",
                           "orsta"])
    assert expected in " ".join(result.stderr.split())


@pytest.mark.parametrize("option, value", [
    ("--postpone", "orsta=2024-13-01"),
    ("--postpone", "orsta"),
    ("--exclude", "orsat"),
    ("--capacity", "primary=-5"),
    ("--capacity", "nopool=10"),
])
def test_a_bad_quick_form_is_refused_as_solve_refuses_it(option: str, value: str):
    solve = run("solve", "-t", 5, "--data", TINY, option, value)
    assert solve.exit_code == 2 and solve.stderr.startswith(f"error: {option}:"), solve.output
    for command in ("check", "explain"):
        refused = run(command, "-t", 5, "--data", TINY, option, value)
        assert refused.exit_code == 2, (command, refused.output)
        assert refused.stderr == solve.stderr, command
    # in check's machine formats: the report of invalid input, at the option
    report = json.loads(run("check", "--data", TINY, option, value, "--format", "json").stdout)
    assert report["status"] == "invalid" and report["exit_code"] == 2
    assert report["source"] == f"{TINY} with scenario {option} {value}"


def test_the_options_are_solves_own():
    group = typer.main.get_command(cli.app)
    ctx = typer.Context(group)

    def options(command: str) -> dict:
        params = {p.name: p for p in group.get_command(ctx, command).params}
        return {name: (params[name].opts, params[name].metavar, params[name].help, params[name].multiple)
                for name in ("postpone", "exclude", "capacity")}

    assert options("check") == options("solve") == options("explain")
    assert options("check")["postpone"][:2] == (["--postpone"], "ID=DATE")
    assert options("check")["capacity"][1] == "POOL=FTE"
    for command in ("check", "explain"):
        shown = " ".join(run(command, "--help").stdout.split())
        assert "--postpone ID=DATE ID=YYYY-MM-DD: a new earliest go-live date." in shown
        assert "--exclude ID ID: the organisation opts out (stays unscheduled)." in shown
        assert "--capacity POOL=FTE POOL=FTE or POOL=80%, optionally @YYYY-MM" in shown


def test_compare_gives_the_check_command_with_the_quick_forms(tmp_path: Path):
    coop = together(tmp_path)
    result = run("compare", "-t", 5, "--baseline", TINY, "--baseline-scenario", coop, "--scenario", coop,
                 "--exclude", "orsta")
    assert result.exit_code == 1, result.output
    expected = shlex.join(["hpplan", "check", "--data", str(TINY), "--scenario", str(coop), "--exclude", "orsta"])
    said = " ".join(result.stderr.split())
    assert f"to see why: {expected}" in said and "scenario file" not in said
    check = run(*shlex.split(expected)[1:], "-t", 5)
    assert check.exit_code == 1 and "'coop'" in check.stdout


def test_the_docs_list_the_quick_forms_of_check_and_explain():
    repo = Path(__file__).parent.parent
    page = " ".join((repo / "docs" / "check.md").read_text(encoding="utf-8").split())
    assert "| `--postpone ID=DATE`, `--exclude ID`, `--capacity POOL=FTE[@YYYY-MM]` | none |" in page
    assert "applied after the `--scenario` files" in page
    assert "its \"to see why\" is this `hpplan check` command with the same quick forms" in page
    readme = " ".join((repo / "README.md").read_text(encoding="utf-8").split())
    assert "both take `--scenario` and solve's quick forms `--postpone`, `--exclude`, `--capacity`" in readme
