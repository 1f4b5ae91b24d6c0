"""`hpplan check` reports of large conflicts and long error lists, and the pool and month of capacity
findings: what a CI report says must stay readable and count everything."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from hpplan import check, cli
from hpplan.errors import Location
from hpplan.explain import RELAX_EACH_MAX, Conflict, Explanation, Reason

TESTS = Path(__file__).parent
TINY = TESTS / "data" / "tiny"
CAPACITY = TESTS / "data" / "infeasible_capacity"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def municipalities(folder: Path, count: int, population: int = 1000, fte: float = 60) -> Path:
    """`count` planned municipalities and one window; each loads the primary pool 3 FTE in its go-live
    month: a pool of `fte` takes fte / 3 of them, and the rest make a conflict of that many + 2 groups."""
    folder.mkdir()
    orgs = ["organisations:"]
    for i in range(count):
        orgs += [f"  - id: m{i:02d}", f"    name: Municipality {i}", "    kind: municipality", "    status: planned",
                 f"    population: {population}", '    source: {all: "estimate: test data"}']
    (folder / "organisations.yaml").write_text("\n".join(orgs) + "\n", encoding="utf-8")
    (folder / "waves.yaml").write_text(
        "planning_date: 2024-01-15\nwindows:\n  - {id: 2024-02, date: 2024-02-10}\n"
        f'pools:\n  - {{id: primary, sector: primary, fte: {fte}, source: {{fte: "estimate: test data"}}}}\n'
        'load_profiles:\n  - id: municipality\n    hypercare: [3]\n    source: {all: "estimate: test data"}\n',
        encoding="utf-8")
    return folder


def test_a_finding_of_a_large_conflict_counts_the_other_rules_by_kind(tmp_path: Path):
    # each finding named every other key of its conflict: national data with the primary pool cut to
    # 2 % (a conflict of 5,672 groups) made a GitHub report of 250 MB and a JUnit file of 1.2 GB
    data = municipalities(tmp_path / "data", 25)  # the pool takes 20: 21 must go live, and the pool
    result = run("check", "--data", data, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    rules = report["explanation"]["conflicts"][0]["rules"]
    assert len(rules) == 22 > RELAX_EACH_MAX + 1  # 21 mandatory and the pool in 2024-02
    findings = report["findings"]
    assert len(findings) == 22
    for finding in findings:
        assert not re.search(r"mandatory:m\d\d", finding["message"]), finding["message"]
        rest = "[20 mandatory, 1 capacity]" if finding["rule"] == "mandatory" else "[21 mandatory]"
        assert f"cannot hold together with 21 other rules and limits {rest}; see `" in finding["message"]
    # the explanation itself still lists every rule (the text report, JUnit's "a plan exists")
    junit = ET.fromstring(run("check", "--data", data, "--format", "junit").stdout)
    plan_exists = next(c for c in junit.iter("testcase") if c.get("name") == "a plan exists")
    assert all(r["message"] in plan_exists.find("failure").text for r in rules)


def test_a_small_conflict_names_each_other_rule(tmp_path: Path):
    data = municipalities(tmp_path / "data", 4, fte=6)  # the pool takes 2: 3 must go live, and the pool
    findings = json.loads(run("check", "--data", data, "--format", "json").stdout)["findings"]
    keys = {f"Municipality {i} must go live" for i in range(4)} | {"pool primary in 2024-02"}  # in words
    for finding in findings:
        named = set(re.search(r"cannot hold together with ([^;]+);", finding["message"])[1].split(", "))
        assert len(named) == 3 and named < keys, finding["message"]


def test_the_summary_says_when_whether_there_are_more_conflicts_was_not_decided(monkeypatch):
    # it said "(and more)": a conflict was found, and whether others remain was not decided in the work limit
    reason = Reason("mandatory:orsta", "mandatory", Location("organisations.yaml", 3), ("orsta",),
                    "Ørsta must go live")
    undecided = Explanation(False, [Conflict([reason])], complete=False, more_undecided=True)
    monkeypatch.setattr(check, "explain_infeasible", lambda *args, **kwargs: undecided)
    result = run("check", "--data", TINY)
    assert result.exit_code == 1
    summary = result.stdout.rstrip().splitlines()[-1]
    assert summary.endswith("no plan satisfies every rule and limit: 1 conflict; whether there are more was not "
                            "decided within the work limit (raise --time-limit)"), summary
    assert "(and more)" not in result.stdout
    # conflicts found, and more known to remain: "(and more)" as before
    known = Explanation(False, [Conflict([reason])], complete=False)
    monkeypatch.setattr(check, "explain_infeasible", lambda *args, **kwargs: known)
    assert run("check", "--data", TINY).stdout.rstrip().endswith("1 conflict (and more)")


def test_a_data_check_s_capacity_finding_names_its_pool_and_month():
    report = json.loads(run("check", "--data", CAPACITY, "--format", "json").stdout)
    capacity = [f for f in report["findings"] if f["rule"] == "capacity"]
    assert [(f["pool"], f["month"]) for f in capacity] == [("primary", "2024-02")]
    assert all(f["pool"] is None and f["month"] is None for f in report["findings"] if f["rule"] != "capacity")


def test_every_input_error_is_counted_in_every_format(tmp_path: Path):
    # 30 errors: JUnit said "25 problems", and GitHub's 10th annotation "15 more errors" (5 never said)
    data = municipalities(tmp_path / "data", 30, population=-5)
    text = run("check", "--data", data)
    assert text.exit_code == 2 and "error: ... and 5 more errors not listed" in text.stderr
    report = json.loads(run("check", "--data", data, "--format", "json").stdout)
    assert report["input_errors"] == 30 and len(report["findings"]) == 25
    assert report["summary"].endswith("invalid input (30 errors, the first 25 listed)")
    junit = ET.fromstring(run("check", "--data", data, "--format", "junit").stdout)
    error = next(c for c in junit.iter("testcase") if c.get("name") == "input").find("error")
    assert error.get("message").startswith("30 problems (25 listed); the first: ")
    assert error.text.splitlines()[-1] == "... and 5 more errors not listed (fix these and run again)"
    github = run("check", "--data", data, "--format", "github").stdout.splitlines()
    errors = [line for line in github if line.startswith("::error")]
    assert len(errors) == 10
    assert errors[9].endswith("%0A(and 20 more errors: 15 on 15 other lines, which GitHub does not show as "
                              "annotations: read them all in this step's log, after the annotations, or in the "
                              "JUnit report; 5 not listed: fix these and run again)"), errors[9]
    assert "... and 5 more errors not listed (fix these and run again)" in github


def _plan_of_tiny(tmp_path: Path) -> Path:
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    return out


def test_a_plan_s_load_report_is_checked_against_the_capacity_a_scenario_sets(tmp_path: Path):
    # the load report's findings pointed at the pool's first line in waves.yaml, with pool and month null
    plan = _plan_of_tiny(tmp_path)
    scenario = tmp_path / "cut.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: cut\nchanges:\n  - op: capacity\n    pool: primary\n"
                        "    fte: 1\n    from: 2024-03\n    to: 2024-06\n", encoding="utf-8")
    result = run("check", "--data", TINY, "--scenario", scenario, "--plan", plan, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    # the plan's go-lives break the cut capacity, at the scenario's line; its saved load report is its own data's:
    # under the scenario a note, not a finding (session 27, t6 finding 2: tests/test_checks_s27.py)
    capacity = [f for f in report["findings"] if f["rule"] == "capacity"]
    assert capacity and all((f["file"], f["line"], f["pool"], f["owner"]) == (str(scenario), 4, "primary",
                                                                           "pool primary") for f in capacity), capacity
    assert not [f for f in report["findings"] if f["rule"] == "load_report"]
    assert report["notes"][0]["figures"] == ["load"]


def test_a_capacity_outside_a_scenario_s_months_points_at_the_data(tmp_path: Path):
    # a scenario that sets the primary pool in January only: the conflict's pool in February pointed at it
    scenario = tmp_path / "january.yaml"
    scenario.write_text(f"base: {CAPACITY}\ndescription: more in January\nchanges:\n  - op: capacity\n"
                        "    pool: primary\n    fte: 50\n    from: 2024-01\n    to: 2024-01\n", encoding="utf-8")
    report = json.loads(run("check", "--scenario", scenario, "--format", "json").stdout)
    fte = next(n for n, line in enumerate((CAPACITY / "waves.yaml").read_text().splitlines(), 1) if "fte: 5" in line)
    capacity = [f for f in report["findings"] if f["rule"] == "capacity"]
    assert [(f["file"], f["line"], f["month"]) for f in capacity] == [(str(CAPACITY / "waves.yaml"), fte, "2024-02")]


def test_a_junit_report_parses_whatever_characters_the_data_gives(tmp_path: Path):
    # YAML lets a quoted string give "\v": ElementTree wrote it as it is and no reader could parse the report
    result = check.CheckResult("data", "violations", "summary", "data", [check.Finding(
        "limit", "a reason\vwith a vertical tab\x07", Location("waves.yaml", 3), "limit #1")],
        [check.Checked("limit #1", Location("waves.yaml", 3))])
    report = check.to_junit(result)
    failure = ET.fromstring(report.split("\n", 1)[1]).find(".//failure")
    assert failure is not None and "a reason\\x0bwith a vertical tab\\x07" in failure.get("message")


def test_github_annotations_write_control_characters_out():
    # an escaped "\x1b" in a rule's reason went raw into the CI log
    result = check.CheckResult("data", "violations", "summary", "data", [check.Finding(
        "limit", "a reason\x1b[31m red", Location("waves.yaml", 3), "limit #1")],
        [check.Checked("limit #1", Location("waves.yaml", 3))])
    annotation = check.to_github(result).splitlines()[0]
    assert "\x1b" not in annotation and "a reason\\x1b[31m red" in annotation
