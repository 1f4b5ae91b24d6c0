"""`hpplan check` and `hpplan explain` through the CLI: exit codes and every report format, parsed."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import line_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import CheckResult, Finding, check_plan, to_github
from hpplan.errors import Location
from hpplan.formats import ESTIMATE_NOTE
from hpplan.loader import load_problem
from hpplan.solution import read_plan
from hpplan.verify import verify

TESTS = Path(__file__).parent
DATA = TESTS / "data"
TINY = DATA / "tiny"
THREE = DATA / "infeasible_three"
REPO = TESTS.parent
runner = CliRunner()

ERROR_LINE = re.compile(r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),title=(?P<title>[^:]+)::(?P<message>.+)$")
NOTICE_LINE = re.compile(r"^::notice file=(?P<file>[^,]+),line=(?P<line>\d+),title=(?P<title>[^:]+)::(?P<message>.+)$")


def run(*args: str):
    return runner.invoke(cli.app, [str(a) for a in args])


def junit(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    return root


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in root.iter("testcase")}


# --------------------------------------------------------------------------------------------------
# the data: is any plan possible?


def test_feasible_data_passes_in_every_format():
    text = run("check", "--data", TINY)
    assert text.exit_code == 0, text.output
    assert "a plan exists that satisfies every rule and limit" in text.stdout
    report = json.loads(run("check", "--data", TINY, "--format", "json").stdout)
    assert report["status"] == "ok" and report["exit_code"] == 0 and report["findings"] == []
    root = junit(run("check", "--data", TINY, "--format", "junit").stdout)
    # one test case per organisation, rule, limit and pool, and one for "a plan exists"
    assert root.get("tests") == str(1 + 5 + 2 + 1 + 2) and root.get("failures") == "0" and root.get("errors") == "0"
    alesund = cases(root)["organisation alesund"]
    assert alesund.get("file") == str(TINY / "organisations.yaml")
    assert alesund.get("line") == str(line_of(TINY / "organisations.yaml", "id: alesund"))
    github = run("check", "--data", TINY, "--format", "github")
    assert github.exit_code == 0 and "::error" not in github.stdout


def test_a_plan_of_the_list_scheduler_settles_feasible_data_without_a_solve(monkeypatch):
    from hpplan import explain

    def no_solve(*args, **kwargs):
        raise AssertionError("the switchable model was built although the list schedule is a plan")

    monkeypatch.setattr(explain, "Switchboard", no_solve)
    result = run("check", "--data", REPO / "data")
    assert result.exit_code == 0 and "a plan exists that satisfies every rule and limit" in result.stdout


def test_where_the_feasibility_solve_cannot_decide_a_plan_of_the_race_settles_it(monkeypatch):
    # national scale: the list schedule stuck (capacity too tight for its order) and the switchable
    # model undecided in its work limit; `hpplan solve`'s race finds a plan (stopping at the first)
    from hpplan import explain
    from hpplan.explain import Switchboard, Undecided

    def undecided(self, *args, **kwargs):
        raise Undecided("no answer within the work limit")

    monkeypatch.setattr(explain, "plan_exists", lambda problem: False)
    monkeypatch.setattr(Switchboard, "conflicts", undecided)
    monkeypatch.setattr(Switchboard, "decide", undecided)
    result = run("check", "--data", TINY)
    assert result.exit_code == 0 and "a plan exists that satisfies every rule and limit" in result.stdout
    assert explain.is_feasible(load_problem(TINY))
    # with no plan from the race either, still undecided (exit 3): no claim either way
    monkeypatch.setattr(explain, "solve_finds_plan", lambda problem, time_limit: False)
    assert run("check", "--data", TINY).exit_code == 3


def test_above_highs_reach_the_race_is_asked_before_the_switchable_model(monkeypatch):
    from hpplan import explain

    def no_board(*args, **kwargs):
        raise AssertionError("the switchable model was built although the race found a plan")

    monkeypatch.setattr(explain, "plan_exists", lambda problem: False)
    monkeypatch.setattr(explain, "HIGHS_MAX_COLUMNS", 0)
    monkeypatch.setattr(explain, "Switchboard", no_board)
    assert explain.explain_infeasible(load_problem(TINY)).feasible
    assert explain.is_feasible(load_problem(TINY))


def test_without_a_list_schedule_cp_sat_decides(monkeypatch):
    # the list scheduler can miss a plan that exists: then CP-SAT's feasibility solve says so
    import sys

    monkeypatch.setattr(sys.modules["hpplan.solve"], "list_schedule", lambda problem, flat=None: None)
    result = run("check", "--data", TINY)
    assert result.exit_code == 0 and "a plan exists that satisfies every rule and limit" in result.stdout
    assert run("check", "--data", THREE).exit_code == 1


def test_a_regional_instance_of_five_years_is_checked(tmp_path: Path):
    # 300 organisations, 20 future windows: the switchable model's with_or_before in its compact form
    # once ended the check with a traceback; the list schedule now settles it in about a second
    from hpplan.generate import write_instance

    write_instance(tmp_path, "regional-300", 1)
    result = run("check", "--data", tmp_path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "ok"


def test_infeasible_data_exit_1_and_the_text_names_each_rule_with_file_and_line():
    result = run("check", "--data", DATA / "infeasible_gp_office")
    assert result.exit_code == 1
    folder = DATA / "infeasible_gp_office"
    for where in (f"{folder / 'waves.yaml'}:19", f"{folder / 'organisations.yaml'}:27",
                  f"{folder / 'organisations.yaml'}:18"):
        assert where in result.stdout
    assert "Vanylven legesenter must go live with or before Vanylven" in result.stdout
    assert "move Vanylven's latest date from 2024-11-16 to 2025-02-08" in result.stdout
    assert result.stdout.rstrip().endswith("no plan satisfies every rule and limit: 1 conflict")


def test_json_report_of_an_infeasible_data_set():
    result = run("check", "--data", THREE, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "infeasible" and report["exit_code"] == 1 and report["mode"] == "data"
    conflicts = report["explanation"]["conflicts"]
    assert len(conflicts) == 3 and report["explanation"]["complete"] is True
    keys = {frozenset(r["key"] for r in c["rules"]) for c in conflicts}
    assert frozenset({"rule#1"}) in keys
    assert len(report["findings"]) == sum(len(c["rules"]) for c in conflicts) == 10
    for finding in report["findings"]:
        assert finding["file"].endswith(".yaml") and finding["line"] >= 1 and finding["message"]
    assert all(r["message"] for c in conflicts for r in c["relaxations"])


def test_junit_report_fails_exactly_the_objects_in_conflicts():
    result = run("check", "--data", THREE, "--format", "junit")
    assert result.exit_code == 1
    root = junit(result.stdout)
    by_name = cases(root)
    failed = {name for name, case in by_name.items() if case.find("failure") is not None}
    assert failed == {"a plan exists", "rule #1", "organisation vanylven", "blackout #1",
                      "organisation helse-more-og-romsdal", "organisation helse-nord-trondelag", "limit #1"}
    assert root.get("failures") == str(len(failed)) and root.get("tests") == str(len(by_name))
    vanylven = by_name["organisation vanylven"].find("failure")
    assert "Vanylven must go live (status planned)" in vanylven.text
    assert by_name["organisation vanylven"].get("file") == str(THREE / "organisations.yaml")
    assert "Conflict 1" in by_name["a plan exists"].find("failure").text


def test_github_annotations_point_at_the_yaml_lines():
    result = run("check", "--data", THREE, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [ERROR_LINE.match(line) for line in lines if line.startswith("::error")]
    notices = [NOTICE_LINE.match(line) for line in lines if line.startswith("::notice")]
    assert len(errors) == 10 and all(errors) and all(notices) and notices
    report = json.loads(run("check", "--data", THREE, "--format", "json").stdout)
    assert [(m["file"], int(m["line"])) for m in errors] == [(f["file"], f["line"]) for f in report["findings"]]
    assert {m["title"] for m in errors} == {f"hpplan%3A no plan possible (conflict {n})" for n in (1, 2, 3)}
    assert lines[-1].startswith("hpplan check: ") and not lines[-1].startswith("::")


def test_github_escaping():
    finding = Finding("x", "100% sure\nsecond line\r", Location("dir,a/f:1.yaml", 3), "data", title="a: b, c")
    text = to_github(CheckResult("data", "infeasible", "summary", findings=[finding]))
    assert text.splitlines()[0] == "::error file=dir%2Ca/f%3A1.yaml,line=3,title=a%3A b%2C c::100%25 sure%0Asecond line%0D"


def test_github_annotations_are_one_per_line_and_at_most_ten_of_each_kind():
    # GitHub shows 10 error and 10 notice annotations of a step: a limit too low in nine windows took
    # nine of them on one line, and the findings and suggested changes after the 10th never showed
    from hpplan.check import to_text
    from hpplan.explain import Conflict, Explanation, Reason, Relaxation

    waves = "data/waves.yaml"
    findings = [Finding("limit.max_actors", f"limit #1: at most 3 in window {n}", Location(waves, 5), "limit #1")
                for n in range(3)]
    findings += [Finding("mandatory", f"org {n} must go live", Location("data/organisations.yaml", 10 + n),
                         f"organisation o{n}") for n in range(11)]
    text = to_github(CheckResult("data", "violations", "summary", findings=findings))
    errors = [line for line in text.splitlines() if line.startswith("::error")]
    assert len(errors) == 10 and all(ERROR_LINE.match(line) for line in errors)
    assert errors[0].endswith("::limit #1: at most 3 in window 0%0Alimit #1: at most 3 in window 1%0A"
                              "limit #1: at most 3 in window 2")
    assert errors[9].startswith("::error file=data/organisations.yaml,line=18,")
    assert "(and 2 more errors on 2 other lines, which GitHub does not show as annotations" in errors[9]
    plain = text.splitlines()[len(errors):]
    # the full report, in which data text could read as a workflow command, with GitHub's commands stopped;
    # then the summary, the last line (a script's `tail -1`), as without the report
    token = plain[0].removeprefix("::stop-commands::")
    assert plain[0].startswith("::stop-commands::hpplan-") and plain[-2] == f"::{token}::"
    assert plain[1:-2] == to_text(CheckResult("data", "violations", "summary", findings=findings)).splitlines()
    assert all(str(f) in plain for f in findings) and plain[-3] == "summary" and plain[-1] == "summary"
    # the suggested changes likewise; up to ten lines, no note and no plain report
    reasons = [Reason(f"mandatory:o{n}", "mandatory", Location(waves, 20 + n), (f"o{n}",), f"o{n} must go live")
               for n in range(12)]
    relaxations = [Relaxation(r.key, "mandatory", f"let o{n} stay out", 1, r.where) for n, r in enumerate(reasons)]
    explanation = Explanation(False, [Conflict(reasons, relaxations=relaxations)])
    text = to_github(CheckResult("data", "infeasible", "summary", explanation=explanation))
    notices = [line for line in text.splitlines() if line.startswith("::notice")]
    assert len(notices) == 10 and all(NOTICE_LINE.match(line) for line in notices)
    assert "(and 2 more suggested changes on 2 other lines" in notices[9]
    assert "  - let o11 stay out (data/waves.yaml:31)" in text.splitlines()
    few = to_github(CheckResult("data", "violations", "summary", findings=findings[:12])).splitlines()
    assert len(few) == 11 and few[-1] == "summary" and "more errors" not in few[9]


def test_junit_file_alongside_another_format(tmp_path: Path):
    out = tmp_path / "check.xml"
    result = run("check", "--data", THREE, "--format", "github", "--junit", out)
    assert result.exit_code == 1 and result.stdout.startswith("::error")
    assert junit(out.read_text(encoding="utf-8")).get("failures") == "7"


# --------------------------------------------------------------------------------------------------
# invalid input: exit 2 in every format, never a traceback


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    text = (data / "waves.yaml").read_text(encoding="utf-8")
    (data / "waves.yaml").write_text(text.replace("max_trusts: 1", "max_trust: 1"), encoding="utf-8")
    return data


def test_invalid_data_exit_2_in_every_format(broken: Path, tmp_path: Path):
    line = next(i for i, t in enumerate((broken / "waves.yaml").read_text().splitlines(), 1) if "max_trust:" in t)
    text = run("check", "--data", broken)
    assert text.exit_code == 2 and text.exception is None or isinstance(text.exception, SystemExit)
    assert f"error: {broken / 'waves.yaml'}:{line}: " in text.stderr and "unknown field 'max_trust'" in text.stderr
    assert text.stdout == f"hpplan check: {broken}: invalid input (1 error)\n"  # the summary line, as always
    report = json.loads(run("check", "--data", broken, "--format", "json").stdout)
    assert report["status"] == "invalid" and report["exit_code"] == 2 and report["findings"][0]["line"] == line
    out = tmp_path / "invalid.xml"
    result = run("check", "--data", broken, "--format", "junit", "--junit", out)
    assert result.exit_code == 2
    for xml in (result.stdout, out.read_text(encoding="utf-8")):
        root = junit(xml)
        assert root.get("errors") == "1" and cases(root)["input"].find("error") is not None
        assert (cases(root)["input"].get("file"), cases(root)["input"].get("line")) == (str(broken / "waves.yaml"),
                                                                                        str(line))  # the first error's
    github = run("check", "--data", broken, "--format", "github")
    assert github.exit_code == 2
    match = ERROR_LINE.match(github.stdout.splitlines()[0])
    assert match and match["file"] == str(broken / "waves.yaml") and match["line"] == str(line)
    assert run("check", "--data", TESTS / "no-such-folder").exit_code == 2


def test_a_scenario_is_applied_before_the_check(tmp_path: Path):
    scenario = tmp_path / "late-gp-office.yaml"
    scenario.write_text(
        "base: tests/data/tiny\n"
        "description: The Ørsta GP office cannot make it in time (test)\n"
        "changes:\n"
        "  - op: set\n"
        "    actor: orsta\n"
        "    fields: {latest: 2024-03-01}\n"
        "  - op: set\n"
        "    actor: orsta-legekontor\n"
        "    fields: {status: signed, earliest: 2024-04-01}\n", encoding="utf-8")
    result = run("check", "--data", TINY, "--scenario", scenario, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert f"{TINY} with scenario {scenario}" in report["summary"]
    assert {f["owner"] for f in report["findings"]} == {"rule #1", "organisation orsta", "organisation orsta-legekontor"}
    # the fields the scenario changed point at its lines; the rest at the data's (Ørsta's status)
    file_of = {f["message"].split(" (")[0].split(";")[0]: f["file"] for f in report["findings"]}
    assert file_of["Ørsta must go live"] == str(TINY / "organisations.yaml")
    # dates a scenario sets without a `fact:` note are its assumptions: marked `*` (docs/check.md)
    assert file_of["Ørsta must go live by 2024-03-01*"] == str(scenario)
    assert file_of["Ørsta legekontor must go live"] == str(scenario)
    assert file_of["Ørsta legekontor may go live no earlier than 2024-04-01*"] == str(scenario)
    assert report["estimate_note"] == "* estimate: see the data's source notes"
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: tests/data/tiny\ndescription: x\nchanges:\n  - op: set\n    actor: orsat\n"
                   "    fields: {latest: 2024-03-01}\n", encoding="utf-8")
    invalid = run("check", "--data", TINY, "--scenario", bad)
    assert invalid.exit_code == 2 and f"error: {bad}:" in invalid.stderr


def _late_gp_office(path: Path, base: Path = TINY) -> Path:
    """A scenario under which TINY has no plan (Ørsta due before its GP office may go live)."""
    path.write_text(f"base: {base}\ndescription: late GP office\nchanges:\n  - op: set\n    actor: orsta\n"
                    "    fields: {latest: 2024-03-01}\n  - op: set\n    actor: orsta-legekontor\n"
                    "    fields: {status: signed, earliest: 2024-04-01}\n", encoding="utf-8")
    return path


def test_a_conflict_points_to_the_explain_command_of_the_same_data(tmp_path: Path):
    # it said "see `hpplan explain`", which explains ./data without the scenario: "A plan exists"
    import shlex

    data = tmp_path / "my data"
    shutil.copytree(TINY, data)
    scenario = _late_gp_office(tmp_path / "late.yaml", data)
    expected = shlex.join(["hpplan", "explain", "--data", str(data), "--scenario", str(scenario)])
    for given in (("--data", data, "--scenario", scenario), ("--scenario", scenario)):  # --data or the base
        report = json.loads(run("check", *given, "--format", "json").stdout)
        hints = {re.search(r"see `([^`]+)`\]$", f["message"])[1] for f in report["findings"]}
        assert hints == {expected}, hints
    explained = run(*shlex.split(expected)[1:])
    assert explained.exit_code == 1 and "Ørsta must go live by 2024-03-01" in explained.stdout


def test_the_source_names_the_scenario_files_for_a_check_and_for_invalid_input(tmp_path: Path):
    # every scenario's report said "data with 1 scenario": the JUnit files of a loop over
    # data/scenarios/ had the same suite name, and a dashboard could not tell which scenario failed
    first = _late_gp_office(tmp_path / "late.yaml")
    second = tmp_path / "out.yaml"
    second.write_text(f"base: {TINY}\ndescription: x\nchanges:\n  - {{op: exclude, actor: alesund}}\n")
    both = run("check", "--data", TINY, "--scenario", first, "--scenario", second, "--format", "junit")
    assert both.exit_code == 1
    suite = junit(both.stdout).find("testsuite")
    assert suite.get("name") == f"hpplan check {TINY} with scenarios {first}, {second}"
    one = json.loads(run("check", "--data", TINY, "--scenario", second, "--format", "json").stdout)
    assert one["source"] == f"{TINY} with scenario {second}" and f"{TINY} with scenario {second} (" in one["summary"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {TINY}\ndescription: x\nchanges:\n  - {{op: exclude, actor: nosuch}}\n")
    invalid = json.loads(run("check", "--data", TINY, "--scenario", bad, "--format", "json").stdout)
    assert invalid["status"] == "invalid" and invalid["source"] == f"{TINY} with scenario {bad}"
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    plan = json.loads(run("check", "--data", TINY, "--scenario", second, "--plan", out, "--format", "json").stdout)
    assert plan["source"] == f"{TINY} with scenario {second} with plan {out}"


# --------------------------------------------------------------------------------------------------
# a given plan


def write_plan(path: Path, entries: list[tuple[str, str | None]]) -> Path:
    lines = ["plan:"]
    for org_id, day in entries:
        lines += [f"  - id: {org_id}", f"    go_live: {day or 'null'}", "    source: 'estimate: test'"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_json_plan_from_solve_passes(tmp_path: Path):
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    assert verify(load_problem(TINY), read_plan(out)) == []
    result = run("check", "--data", TINY, "--plan", out)
    assert result.exit_code == 0 and "keeps every rule and limit" in result.stdout


def test_a_json_plan_of_other_data_is_invalid_input(tmp_path: Path):
    # as in a YAML plan: an unknown or repeated organisation is bad input (exit 2), for check and explain;
    # before, check listed hundreds of violations (exit 1) and explain answered about a foreign plan
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    plan = json.loads(out.read_text())
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(dict(plan, plan=[dict(a, id=a["id"] + "-x") for a in plan["plan"]])))
    result = run("check", "--data", TINY, "--plan", foreign)
    assert result.exit_code == 2 and f"{foreign}:1: organisation" in result.stderr and "is not in the data" in result.stderr
    result = run("explain", "--data", TINY, "--actor", "orsta", "--plan", foreign)
    assert result.exit_code == 2 and "give the --data (and --scenario) the plan was made from" in result.stderr
    # a malformed date in a JSON plan: the entry and its line, no Python exception name
    baddate = tmp_path / "baddate.json"
    entries = [dict(a, go_live="27/04/2024") if a["id"] == "orsta" else a for a in plan["plan"]]
    baddate.write_text(json.dumps(dict(plan, plan=entries), indent=2))
    line = next(n for n, text in enumerate(baddate.read_text().splitlines(), 1) if "27/04/2024" in text)
    result = run("check", "--data", TINY, "--plan", baddate)
    assert result.exit_code == 2, result.output
    assert f"{baddate}:{line}: plan entry" in result.stderr and "(orsta): go_live '27/04/2024' is not a date" in result.stderr
    assert "Error" not in result.stderr.replace("error:", "")
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps(dict(plan, plan=plan["plan"] + plan["plan"][:1])))
    result = run("check", "--data", TINY, "--plan", twice)
    assert result.exit_code == 2 and "is in the plan more than once" in result.stderr
    # report --compare takes a plan with organisations the data lacks (a scenario added them), not one
    # with none of its organisations
    result = run("report", "--data", TINY, "--plan", out, "--compare", foreign, "-o", tmp_path / "r.html")
    assert result.exit_code == 2 and "no organisation of this plan is in the data" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_yaml_plan_that_keeps_the_rules_passes(tmp_path: Path):
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-04-27"), ("alesund", "2024-02-10"),
                                              ("orsta", "2024-04-27"), ("orsta-legekontor", None)])
    result = run("check", "--data", TINY, "--plan", plan, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["status"] == "ok"


def test_a_yaml_plan_names_the_window_where_two_share_a_date(tmp_path: Path):
    # w1 and w1b are both on 2024-02-10, each with its own limit of one: a date alone cannot say which
    # (before, the last window of that date was taken, and a plan that keeps the limits failed them)
    from helpers import build, org

    from hpplan.errors import InputError

    windows = [{"id": "w1", "date": "2024-02-10"}, {"id": "w1b", "date": "2024-02-10"},
               {"id": "w2", "date": "2024-04-27"}]
    problem = build([org("m1"), org("m2")], windows=windows, limits=[{"max_actors": 1}])

    def plan(*entries: str) -> Path:
        path = tmp_path / "plan.yaml"
        path.write_text("plan:\n" + "".join(entries), encoding="utf-8")
        return path

    def entry(org_id: str, day: str, window: str | None = None) -> str:
        named = f"    window: {window}\n" if window else ""
        return f"  - id: {org_id}\n    go_live: {day}\n{named}    source: 'estimate: test'\n"

    kept = check_plan(problem, plan(entry("m1", "2024-02-10", "w1"), entry("m2", "2024-02-10", "w1b")))
    assert kept.findings == []
    broken = check_plan(problem, plan(entry("m1", "2024-02-10", "w1"), entry("m2", "2024-02-10", "w1")))
    assert [f.rule for f in broken.findings] == ["limit.max_actors"]
    with pytest.raises(InputError, match=r"plan.yaml:3: 2024-02-10 is the date of windows w1 and w1b: say which"):
        check_plan(problem, plan(entry("m1", "2024-02-10"), entry("m2", "2024-04-27")))
    with pytest.raises(InputError, match=r"plan.yaml:4: window w2 is on 2024-04-27, not 2024-02-10"):
        check_plan(problem, plan(entry("m1", "2024-02-10", "w2"), entry("m2", "2024-04-27")))
    with pytest.raises(InputError, match=r"plan.yaml:4: 'w3' is not a window"):
        check_plan(problem, plan(entry("m1", "2024-02-10", "w3"), entry("m2", "2024-04-27")))
    # one window on the date: no need to name it
    assert check_plan(problem, plan(entry("m1", "2024-04-27"), entry("m2", "2024-02-10", "w1"))).findings == []


def test_a_yaml_plan_that_breaks_rules_lists_each_violation(tmp_path: Path):
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-04-27"), ("alesund", "2024-03-02"),
                                              ("orsta", "2024-02-10"), ("orsta-legekontor", "2024-04-27")])
    result = run("check", "--data", TINY, "--plan", plan, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["window", "with_or_before"]
    window, rule = findings
    # a date that is no window points at the plan file's line; the broken rule at waves.yaml's
    assert (window["file"], window["line"]) == (str(plan), 6) and "nearest is 2024-02" in window["message"]
    assert rule["file"] == str(TINY / "waves.yaml") and rule["owner"] == "rule #1"
    assert "Ørsta legekontor (orsta-legekontor) must go live with or before Ørsta (orsta)" in rule["message"]
    text = run("check", "--data", TINY, "--plan", plan)
    assert text.exit_code == 1 and f"{plan}:6: Ålesund (alesund) goes live 2024-03-02" in text.stdout
    root = junit(run("check", "--data", TINY, "--plan", plan, "--format", "junit").stdout)
    failed = {name for name, case in cases(root).items() if case.find("failure") is not None}
    assert failed == {"plan", "rule #1"}


def test_a_plan_check_fails_the_organisation_or_limit_a_violation_is_about(tmp_path: Path):
    # the verifier reports at the field it breaks (Ørsta's `status:`, the limit's `max_actors:`), and
    # owners were looked up by each object's first line: the findings all fell to the "plan" test case
    crowded = write_plan(tmp_path / "crowded.yaml", [("helse-more-og-romsdal", "2024-04-27"),
                                                    ("alesund", "2024-04-27"), ("orsta", "2024-04-27"),
                                                    ("orsta-legekontor", "2024-04-27")])
    unscheduled = write_plan(tmp_path / "unscheduled.yaml", [("helse-more-og-romsdal", "2024-04-27"),
                                                            ("alesund", "2024-02-10"), ("orsta", None),
                                                            ("orsta-legekontor", None)])
    waves, orgs = TINY / "waves.yaml", TINY / "organisations.yaml"
    for plan, rule, where, owner in ((crowded, "limit.max_actors", (waves, line_of(waves, "max_actors:")), "limit #1"),
                                     (unscheduled, "mandatory", (orgs, line_of(orgs, "status: planned")),
                                      "organisation orsta")):
        report = json.loads(run("check", "--data", TINY, "--plan", plan, "--format", "json").stdout)
        assert [(f["rule"], f["file"], f["line"], f["owner"]) for f in report["findings"]] == [
            (rule, str(where[0]), where[1], owner)]
        root = junit(run("check", "--data", TINY, "--plan", plan, "--format", "junit").stdout)
        failed = {name for name, case in cases(root).items() if case.find("failure") is not None}
        assert failed == {owner} and root.get("failures") == "1"
    # a capacity a scenario sets is its pool's
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    scenario = tmp_path / "cut.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: cut\nchanges:\n  - op: capacity\n    pool: primary\n    fte: 1\n")
    report = json.loads(run("check", "--data", TINY, "--scenario", scenario, "--plan", out, "--format", "json").stdout)
    assert {f["owner"] for f in report["findings"] if f["rule"] == "capacity"} == {"pool primary"}


def test_a_together_rule_is_not_broken_by_the_one_date_that_is_no_window_s(tmp_path: Path):
    # after a window's date moved, a plan with the group on the old date got, besides the date finding
    # of each organisation, a "together" violation saying that all of them go live on that one date
    from helpers import build, org

    problem = build([org("m1"), org("m2"), org("m3")], rules=[{"type": "together", "actors": ["m1", "m2"]}])

    def rules(*entries: tuple[str, str | None]) -> list[str]:
        return [f.rule for f in check_plan(problem, write_plan(tmp_path / "plan.yaml", list(entries))).findings]

    assert rules(("m1", "2024-04-20"), ("m2", "2024-04-20"), ("m3", "2024-04-27")) == ["window", "window"]
    # apart, or one of them out: the rule is broken all the same
    assert sorted(rules(("m1", "2024-04-20"), ("m2", "2024-04-27"), ("m3", "2024-04-27"))) == ["together", "window"]
    assert sorted(rules(("m1", "2024-04-20"), ("m2", None), ("m3", "2024-04-27"))) == ["mandatory", "together",
                                                                                      "window"]


def test_an_organisation_left_out_of_the_plan_is_reported(tmp_path: Path):
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-04-27"), ("alesund", "2024-02-10")])
    findings = check_plan(load_problem(TINY), plan).findings
    assert [f.rule for f in findings] == ["plan", "plan"]  # one finding each
    assert {f.actors for f in findings} == {("orsta",), ("orsta-legekontor",)}


@pytest.mark.parametrize("entries, message", [
    ([("alesnd", "2024-02-10")], "'alesnd' is not an organisation in"),
    ([("alesund", "2024-02-10"), ("alesund", "2024-04-27")], "alesund is in the plan twice (first at line 2)"),
    ([("alesund", "10.02.2024")], "go_live"),
])
def test_a_bad_plan_file_is_invalid_input(tmp_path: Path, entries, message):
    plan = write_plan(tmp_path / "plan.yaml", entries)
    result = run("check", "--data", TINY, "--plan", plan)
    assert result.exit_code == 2
    assert f"error: {plan}:" in result.stderr and message in result.stderr
    missing = run("check", "--data", TINY, "--plan", tmp_path / "none.yaml")
    assert missing.exit_code == 2 and "no such plan file" in missing.stderr


def test_the_adopted_plan_is_checked_against_the_shipped_data():
    result = run("check", "--data", REPO / "data", "--plan", REPO / "data" / "adopted-plan.yaml", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "plan"
    for finding in report["findings"]:
        assert finding["file"] and finding["line"], finding


# --------------------------------------------------------------------------------------------------
# hpplan explain


def test_explain_infeasible_data():
    result = run("explain", "--data", DATA / "infeasible_capacity")
    assert result.exit_code == 1
    assert "pool primary has 5* FTE in 2024-02" in result.stdout and "+1 FTE in pool primary in 2024-02" in result.stdout
    report = json.loads(run("explain", "--data", DATA / "infeasible_capacity", "--format", "json").stdout)
    assert report["feasible"] is False and len(report["conflicts"]) == 1


def test_explain_an_actor():
    result = run("explain", "--data", TINY, "--actor", "orsta", "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["actor"] == "orsta" and answer["verdict"] in ("blocked", "objective", "first_window")
    assert run("explain", "--data", TINY).exit_code == 0
    unknown = run("explain", "--data", TINY, "--actor", "orsat")
    assert unknown.exit_code == 2 and "did you mean 'orsta'" in unknown.stderr
    assert run("explain", "--data", TINY, "--plan", TINY / "waves.yaml").exit_code == 2
    # on infeasible data an actor's question is answered with why there is no plan
    assert run("explain", "--data", THREE, "--actor", "haram").exit_code == 1


def test_explain_an_actor_undecided_exits_3_with_what_was_found(monkeypatch):
    from test_explain import unproven

    unproven(monkeypatch, 10**6)  # no solve proves anything: Ørsta one window earlier is not decided
    result = run("explain", "--data", TINY, "--actor", "orsta", "--format", "json")
    assert result.exit_code == 3, result.output
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "undecided" and answer["proven"] is False
    assert answer["objective_change"]["total"] == 47084 and answer["objective_change_at_least"] < 0


def test_explain_an_actor_in_a_given_plan(tmp_path: Path):
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-09-14"), ("alesund", "2024-02-10"),
                                              ("orsta", "2024-04-27"), ("orsta-legekontor", None)])
    result = run("explain", "--data", TINY, "--actor", "helse-more-og-romsdal", "--plan", plan)
    assert result.exit_code == 0, result.output
    assert "not one window earlier in window 2024-04 (2024-04-27)" in result.stdout


# --------------------------------------------------------------------------------------------------
# the CI example


def test_the_example_workflow_runs_hpplan_check_as_documented(tmp_path: Path, monkeypatch):
    import shlex

    import yaml

    workflow = yaml.safe_load((REPO / "docs" / "github-actions-hpplan.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["with"]["python-version"] == "3.11"
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps)
    # (the data step keeps its exit code for the plan step: its command is the first line's, before `||`)
    commands = [s["run"].splitlines()[0].split(" ||")[0] for s in steps if s.get("run", "").startswith("hpplan check")]
    assert len(commands) == 2
    # a data repository has no pyproject.toml: hpplan is installed from the git URL the user pins
    install = next(s for s in steps if s.get("name") == "Install hpplan")["run"]
    assert "$HPPLAN" in install and not re.search(r"install\s+\.(\s|$)", install), install
    assert workflow["env"]["HPPLAN"].startswith("hpplan @ git+https://") and "@v" in workflow["env"]["HPPLAN"]
    assert all("src/**" not in trigger["paths"] for trigger in (workflow[True]["push"], workflow[True]["pull_request"]))
    assert steps[1]["with"]["cache-dependency-path"] == ".github/workflows/hpplan-check.yml"
    monkeypatch.chdir(REPO)
    for command in commands:
        args = shlex.split(command.replace("reports/", f"{tmp_path}/"))[1:]
        assert "--format" in args and "--junit" in args
        result = run(*args)
        assert result.exit_code in (0, 1), result.output
        for line in result.stdout.splitlines()[:-1]:
            # and the note of the marked figures (the known findings' inferred return dates), before the summary
            assert ERROR_LINE.match(line) or NOTICE_LINE.match(line) or line == ESTIMATE_NOTE, line
        junit_file = Path(args[args.index("--junit") + 1])
        junit(junit_file.read_text(encoding="utf-8"))


def _findings_with(scenario: Path, changes: str) -> list[dict]:
    """`check --format json` of the shipped data with a scenario of these changes (YAML): it has no plan."""
    scenario.write_text(f"base: {REPO / 'data'}\ndescription: test\nchanges:\n{changes}", encoding="utf-8")
    result = run("check", "--scenario", scenario, "--format", "json")
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)["findings"]


def test_a_capacity_the_scenario_sets_points_at_the_scenario(tmp_path: Path):
    # the finding said "pool specialist has 130 FTE" at waves.yaml's `fte: 168` line
    scenario = tmp_path / "cut.yaml"
    findings = _findings_with(scenario, "  - op: capacity\n    pool: specialist\n    fte: 130\n    from: 2024-04\n"
                                        "    to: 2024-04\n  - op: set\n    actor: helse-more-og-romsdal\n"
                                        "    fields: {latest: 2024-04-27}\n")
    pool = [f for f in findings if "pool specialist has 130* FTE" in f["message"]]
    assert pool and all((f["file"], f["line"]) == (str(scenario), 4) for f in pool), pool


def test_a_pool_conflict_names_only_organisations_that_load_that_month(tmp_path: Path):
    # St. Olavs (live since 2022, hypercare to January 2023) was named among those loading 2024-08
    findings = _findings_with(tmp_path / "late.yaml",
                              "  - op: postpone\n    actor: helse-more-og-romsdal\n    earliest: 2024-09-01\n"
                              "  - op: set\n    actor: helse-nord-trondelag\n    fields: {latest: 2024-11-09}\n")
    pool = next(f for f in findings if f["message"].startswith("pool specialist has"))
    assert "Helse Nord-Trøndelag HF" in pool["message"] and "St. Olavs" not in pool["message"], pool
    # and the data's own fields of a changed organisation stay at the data's lines
    status = next(f for f in findings if "Helse Nord-Trøndelag HF must go live (status" in f["message"])
    assert status["file"].endswith("data/organisations.yaml")


@pytest.mark.parametrize("value", ["1714176000", "0", "20240427", "2024-04-27 00:00:00"])
def test_a_yaml_plan_date_is_yyyy_mm_dd(tmp_path: Path, value: str):
    # seconds since 1970 and a date-time were read as 2024-04-27 without a word; 0 as 1970-01-01 (violations)
    shipped = (REPO / "data" / "adopted-plan.yaml").read_text(encoding="utf-8")
    assert "    go_live: 2024-04-27\n" in shipped
    plan = tmp_path / "plan.yaml"
    plan.write_text(shipped.replace("    go_live: 2024-04-27\n", f"    go_live: {value}\n", 1), encoding="utf-8")
    line = line_of(plan, f"go_live: {value}")
    for command in (("check",), ("explain", "--actor", "helse-nord-trondelag")):
        result = run(*command, "--data", REPO / "data", "--plan", plan)
        assert result.exit_code == 2, result.output
        assert f"{plan}:{line}: " in result.stderr and "expected a date as YYYY-MM-DD" in result.stderr, result.stderr


@pytest.mark.parametrize("value", [0, False, ""])
def test_a_json_plan_go_live_is_unscheduled_only_when_null(tmp_path: Path, value):
    # 0, false and "" were read as null (not scheduled): the plan's violations instead of invalid input
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    plan = json.loads(out.read_text())
    edited = tmp_path / "edited.json"
    entries = [dict(a, go_live=value) if a["id"] == "orsta" else a for a in plan["plan"]]
    edited.write_text(json.dumps(dict(plan, plan=entries), indent=2))
    text = edited.read_text().splitlines()
    orsta = next(n for n, line in enumerate(text) if '"orsta"' in line)
    line = next(n for n, line in enumerate(text[orsta:], orsta + 1) if '"go_live"' in line)
    result = run("check", "--data", TINY, "--plan", edited)
    assert result.exit_code == 2, result.output
    assert f"{edited}:{line}: plan entry" in result.stderr, result.stderr
    shown = repr(value) if isinstance(value, str) else json.dumps(value)
    assert f"(orsta): go_live {shown} is not a date" in result.stderr, result.stderr
    # null is what not scheduled is: read, and reported by the verifier
    entries = [dict(a, go_live=None) if a["id"] == "orsta" else a for a in plan["plan"]]
    edited.write_text(json.dumps(dict(plan, plan=entries), indent=2))
    assert read_plan(edited).plan[[a["id"] for a in entries].index("orsta")].go_live is None


def test_a_json_plan_entry_without_go_live_is_invalid_not_unscheduled(tmp_path: Path):
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    plan = json.loads(out.read_text())
    entries = [{k: v for k, v in a.items() if k != "go_live"} if a["id"] == "orsta" else a for a in plan["plan"]]
    out.write_text(json.dumps(dict(plan, plan=entries), indent=2))
    result = run("check", "--data", TINY, "--plan", out)
    assert result.exit_code == 2 and "(orsta): expected an object with id, go_live (null: not scheduled)" in result.stderr


def test_check_plan_points_a_scenario_s_capacity_at_the_scenario(tmp_path: Path):
    # `check --plan` pointed at the pool's line in waves.yaml for a capacity only the scenario sets
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    scenario = tmp_path / "cut.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: cut\nchanges:\n  - op: capacity\n    pool: primary\n    fte: 1\n")
    result = run("check", "--data", TINY, "--scenario", scenario, "--plan", out, "--format", "json")
    pool = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "capacity" and "exceeds" in f["message"]]
    assert pool and all(f["file"] == str(scenario) and f["line"] == 4 for f in pool), pool
    # a program reads the pool and month from their fields, not the wording; other findings have null
    # (but the load report's: tests/test_check_reports.py)
    assert all(f["pool"] == "primary" and f["message"].startswith(f"pool primary in {f['month']}:") for f in pool)
    assert all(f["pool"] is None and f["month"] is None
               for f in json.loads(result.stdout)["findings"] if f["rule"] not in ("capacity", "load_report"))


def test_invalid_input_counts_every_error_not_only_those_listed(tmp_path: Path):
    # 45 errors were summed up as "invalid input (25 errors)": the list is cut at 25, the count is not
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace("planning_date: 2024-01-15", "planning_date: 2026-10-01"),
                     encoding="utf-8")
    report = json.loads(run("check", "--data", data, "--format", "json").stdout)
    total = int(report["summary"].split("invalid input (")[1].split(" errors")[0])
    assert total > 25 and report["summary"].endswith(f"({total} errors, the first 25 listed)"), report["summary"]
    assert len(report["findings"]) == 25

