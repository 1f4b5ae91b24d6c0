"""`hpplan check` in CI (session 23): known findings (`--known`), the plain log of `--format github` that
GitHub must not read as workflow commands, and the GitHub Actions example (docs/github-actions-hpplan.yml)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import CheckResult, Finding, KnownFinding, split_known, to_github
from hpplan.errors import Location

REPO = Path(__file__).parent.parent
DATA = REPO / "data"
PLAN = DATA / "adopted-plan.yaml"
WORKFLOW = REPO / "docs" / "github-actions-hpplan.yml"
#: the four municipalities that left track KI2 (docs/check.md, "The adopted plan"): the adopted plan's findings
FOUR = ("gjemnes", "averoy", "froya", "aure")
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def known_file(path: Path, *extra: dict) -> Path:
    """A short file of known findings: the four municipalities, and `extra` entries."""
    entries = [{"rule": "mandatory", "owner": f"organisation {m}", "actors": [m]} for m in FOUR] + list(extra)
    path.write_text(json.dumps({"note": "test", "findings": entries}, indent=2) + "\n", encoding="utf-8")
    return path


def github_commands(output: str) -> list[str]:
    """The workflow commands GitHub acts on in a step's output: every line that starts with `::` (leading
    space aside), except those between `::stop-commands::TOKEN` and `::TOKEN::`."""
    acted, stopped = [], None
    for line in output.splitlines():
        line = line.lstrip()
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        elif line.startswith("::"):
            acted.append(line)
    return acted


# --------------------------------------------------------------------------------------------------
# --known: a baseline of known findings


def test_known_findings_of_the_adopted_plan_pass_and_are_still_shown(tmp_path: Path):
    known = known_file(tmp_path / "known.json")
    plain = run("check", "--data", DATA, "--plan", PLAN, "--format", "json")
    assert plain.exit_code == 1 and "known" not in json.loads(plain.stdout)  # without --known: as before
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", known, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "known" and report["exit_code"] == 0 and report["findings"] == []
    assert [f["actors"] for f in report["known"]] == [[m] for m in FOUR] and report["known_gone"] == []
    assert "no new findings" in report["summary"] and "4 known findings" in report["summary"]
    # the check's own JSON report is a known file as it is
    baseline = tmp_path / "baseline.json"
    baseline.write_text(plain.stdout, encoding="utf-8")
    text = run("check", "--data", DATA, "--plan", PLAN, "--known", baseline)
    assert text.exit_code == 0, text.output
    assert sum(": known finding: " in line for line in text.stdout.splitlines()) == 4
    github = run("check", "--data", DATA, "--plan", PLAN, "--known", known, "--format", "github").stdout
    assert [c.split(" ", 1)[0] for c in github_commands(github)] == ["::notice"] * 4


def test_a_new_finding_fails_a_known_one_no_longer_found_is_said(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    waves = data / "waves.yaml"
    text = waves.read_text(encoding="utf-8")
    assert text.count("\n    max_actors: 14\n") == 1
    waves.write_text(text.replace("\n    max_actors: 14\n", "\n    max_actors: 6\n"), encoding="utf-8")
    # matched on rule, owner and organisations, not on the message (its figures change with the data)
    gone = {"rule": "mandatory", "owner": "organisation orsta", "actors": ["orsta"]}
    known = known_file(tmp_path / "known.json", gone)
    entries = json.loads(known.read_text(encoding="utf-8"))
    entries["findings"][0]["message"] = "Gjemnes must go live (figures of an older run)"
    known.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    gone_line = [n for n, line in enumerate(known.read_text(encoding="utf-8").splitlines(), 1) if line == "    {"][-1]
    args = ("check", "--data", data, "--plan", data / "adopted-plan.yaml", "--known", known)
    report = json.loads(run(*args, "--format", "json").stdout)
    assert report["status"] == "violations" and report["exit_code"] == 1
    assert {f["rule"] for f in report["findings"]} == {"limit.max_actors"} and len(report["findings"]) == 5
    assert len(report["known"]) == 4
    assert report["known_gone"] == [dict(gone, pool=None, month=None, term=None, file=str(known), line=gone_line)]
    assert "5 violations; and 4 known findings" in report["summary"] and "1 known finding of" in report["summary"]
    result = run(*args, "--format", "github")
    assert result.exit_code == 1
    commands = github_commands(result.stdout)
    assert [c.split(" ", 1)[0] for c in commands] == ["::error"] + ["::notice"] * 4 + ["::warning"]
    assert commands[-1].startswith(f"::warning file={known},line={gone_line},")
    assert "remove it from" in commands[-1]
    root = ET.fromstring(run(*args, "--format", "junit").stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert root.get("failures") == "1" and cases["limit #1"].find("failure") is not None
    assert cases["organisation aure"].find("failure") is None
    assert "known finding" in cases["organisation aure"].find("system-out").text
    assert f"{known}:{gone_line}: known finding no longer found" in root.find("testsuite/system-out").text
    # a key known once does not hide it found twice
    f = Finding("mandatory", "m", Location("o.yaml", 1), "organisation a", ("a",))
    once = KnownFinding("mandatory", "organisation a", ("a",), None, None, Location("k.json", 3))
    assert split_known([f, f], [once]) == ([f], [f], [])


def test_known_files_that_are_wrong_are_refused_at_their_line(tmp_path: Path):
    known = known_file(tmp_path / "known.json")
    without_plan = run("check", "--data", DATA, "--known", known)
    assert without_plan.exit_code == 2 and "--known goes with --plan" in without_plan.stderr
    typo = tmp_path / "typo.json"
    typo.write_text('{"findings": [\n  {"rule": "mandatory",\n   "ownr": "organisation aure"}\n]}\n', encoding="utf-8")
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", typo)
    assert result.exit_code == 2 and f"{typo}:2:" in result.stderr and "did you mean 'owner'" in result.stderr
    written = tmp_path / "written.json"
    written.write_text(run("check", "--data", DATA, "--plan", PLAN, "--known", known, "-f", "json").stdout,
                       encoding="utf-8")
    again = run("check", "--data", DATA, "--plan", PLAN, "--known", written)
    assert again.exit_code == 2 and "a report written with --known" in again.stderr
    data_report = tmp_path / "data.json"
    data_report.write_text(run("check", "--data", DATA, "-f", "json").stdout, encoding="utf-8")
    assert "the report of a data check" in run("check", "--data", DATA, "--plan", PLAN, "--known", data_report).stderr
    # a bad plan is exit 2 with --known as without
    bad = tmp_path / "plan.yaml"
    bad.write_text("plan:\n  - id: orstaa\n    go_live: 2025-04-26\n    source: 'fact: x'\n", encoding="utf-8")
    assert run("check", "--data", DATA, "--plan", bad, "--known", known, "-f", "github").exit_code == 2


# --------------------------------------------------------------------------------------------------
# the plain log after the annotations


def test_data_text_in_the_plain_log_is_no_workflow_command():
    # a multi-line `reason: |` with a line `::error file=…::injected` became an annotation of its own
    injected = "order rule broken (reason: test PR\n::error file=data/organisations.yaml,line=1::injected\n::add-mask::x)"
    findings = [Finding("order", injected, Location("data/waves.yaml", 40), "rule #1")]
    findings += [Finding("mandatory", f"org {n} must go live", Location("data/organisations.yaml", 10 + n),
                         f"organisation o{n}") for n in range(11)]
    result = CheckResult("plan", "violations", "summary", findings=findings)
    output = to_github(result)
    assert output == to_github(result)  # the same report for the same data
    commands = github_commands(output)
    assert len(commands) == 10 and all(c.startswith("::error file=data/") for c in commands), commands
    # the whole report is still in the log, as it is
    assert "::error file=data/organisations.yaml,line=1::injected" in output.splitlines()
    assert "data/organisations.yaml:20: org 10 must go live" in output.splitlines()


# --------------------------------------------------------------------------------------------------
# the GitHub Actions example


def _steps() -> dict[str, dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {step.get("name", step.get("uses")): step for step in workflow["jobs"]["check"]["steps"]}


def test_the_workflow_fails_on_every_result_but_known_findings(tmp_path: Path):
    steps = _steps()
    assert all("continue-on-error" not in step for step in steps.values())
    data, plan = steps["The data admits a plan"], steps["The adopted plan keeps every rule and limit"]
    # the plan step is skipped when the data step found invalid input (it repeated the same annotations)
    assert data["id"] == "data" and 'echo "exit=${status:-0}" >> "$GITHUB_OUTPUT"' in data["run"]
    assert "steps.data.outputs.exit != '2'" in plan["if"]
    # the known-findings file it names is in the data, and with it the shipped adopted plan passes
    command = shlex.split(plan["run"])
    known = Path(command[command.index("--known") + 1])
    assert (REPO / known).is_file(), f"{known}: the workflow's file of known findings is missing"
    # run as the step runs it, from a checkout's root with the report folder made
    (tmp_path / "reports").mkdir()
    (tmp_path / "data").symlink_to(REPO / "data")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    done = subprocess.run([sys.executable, "-c", "from hpplan.cli import app; app()", *command[1:]], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [c.split(" ", 1)[0] for c in github_commands(done.stdout)] == ["::notice"] * 4


def test_the_scenarios_are_checked_one_job_each():
    # one loop in one step kept each check to 10 annotations, but GitHub's limit is the step's: the last
    # annotations (those that say how many more there are) were dropped
    text = WORKFLOW.read_text(encoding="utf-8")
    commented = text.split("\n  # Optional: each what-if scenario")[1].split("\n", 4)[4]
    assert "for scenario in" not in text
    jobs = yaml.safe_load(re.sub(r"^  # ?", "  ", commented, flags=re.M))
    assert jobs["scenario"]["strategy"]["matrix"]["file"] == "${{ fromJSON(needs.scenarios.outputs.files) }}"
    checks = [s for s in jobs["scenario"]["steps"] if "hpplan check" in s.get("run", "")]
    assert len(checks) == 1 and "--scenario \"$SCENARIO\"" in checks[0]["run"]
    assert "${{" not in checks[0]["run"]  # a file name reaches the script through the environment only
