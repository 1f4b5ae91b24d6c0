"""Session 27 re-check (t6) findings 2, 6 and 8: `check --plan` with changes applied says the plan's saved figures as
a note (never a failure blamed on the data's line); explain's and compare's window dates carry their own `*` marks;
a quick form's finding is no `file=` of a GitHub annotation."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from helpers import MORE_WINDOWS, build, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan.cli_compare import comparison_text
from hpplan.compare import compare
from hpplan.explain import explain_infeasible
from hpplan.scenario import apply_quick

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])




# ---- finding 2: saved figures under changes are a note ------------------------------------------------------------


def test_a_plan_checked_with_more_capacity_passes_with_a_note_on_its_saved_load(plan: Path):
    done = run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=120%")
    assert done.exit_code == 0, done.output
    assert "note: the plan's saved load is that of the data it was solved from, not of this data with the changes " \
           "applied: it was not compared under the changes and does not fail the check" in done.stdout, done.stdout
    assert "solve again" not in done.stdout and "waves.yaml" not in done.stdout and "changed since" not in done.stdout
    assert done.stdout.splitlines()[-1].endswith("its saved load is its own data's, not compared under the changes "
                                                  "(a note)")
    # JSON: ok, no finding, the note with the figures it is about
    report = json.loads(run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=120%", "-f", "json").stdout)
    assert report["status"] == "ok" and report["findings"] == []
    assert [(n["kind"], n["figures"]) for n in report["notes"]] == [("saved_figures_not_compared", ["load"])]
    # GitHub: a notice, no error; JUnit: no failure, the note in the suite's output
    github = run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=120%", "-f", "github").stdout
    assert "::error" not in github and "::notice title=hpplan%3A saved figures not compared::the plan's saved load" \
        in github, github
    junit = ET.fromstring(run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=120%", "-f",
                              "junit").stdout)
    assert junit.get("failures") == "0" and "note: the plan's saved load" in junit.find("testsuite/system-out").text


def test_an_objective_changed_by_a_scenario_never_blames_the_data_line(plan: Path, tmp_path: Path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: t\nchanges:\n  - {{op: set, actor: orsta, fields: "
                        "{population: 99999}}\n", encoding="utf-8")
    done = run("check", "-t", 5, "-p", plan, "-s", scenario, "-f", "json")
    report = json.loads(done.stdout)
    assert done.exit_code == 0 and report["status"] == "ok", done.stdout
    assert report["notes"][0]["figures"] == ["objective"] and "objective" in report["summary"]


def test_without_changes_stale_figures_still_fail(plan: Path, tmp_path: Path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(TINY, data)
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace("fte: 72", "fte: 80"), encoding="utf-8")
    done = run("check", "-d", data, "-t", 5, "-p", plan, "-f", "json")
    report = json.loads(done.stdout)
    assert done.exit_code == 1 and "notes" not in report and "solve again" in report["summary"]
    assert [f["rule"] for f in report["findings"]] == ["load_report"]


def test_known_saved_figures_are_not_said_gone_under_changes(plan: Path, tmp_path: Path):
    known = tmp_path / "known.json"
    known.write_text(json.dumps({"findings": [{"rule": "load_report", "owner": "pool primary", "pool": "primary",
                                               "month": None}]}), encoding="utf-8")
    done = run("check", "-d", TINY, "-t", 5, "-p", plan, "-k", known, "--capacity", "primary=120%")
    assert done.exit_code == 0 and "no longer found" not in done.stdout, done.stdout


# ---- finding 8: a quick form's finding is no file of an annotation ------------------------------------------------


def test_a_quick_forms_finding_is_a_plain_annotation_naming_its_option(plan: Path):
    github = run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=1", "-f", "github").stdout
    errors = [line for line in github.splitlines() if line.startswith("::error")]
    assert errors and not any("file=--" in line for line in errors), github
    assert any(line.startswith("::error title=") and "::--capacity: " in line for line in errors), github
    report = json.loads(run("check", "-d", TINY, "-t", 5, "-p", plan, "--capacity", "primary=1", "-f", "json").stdout)
    capacity = [f for f in report["findings"] if f["rule"] == "capacity"]
    assert capacity and all(f["file"] is None and f["option"] == "--capacity" for f in capacity), capacity
    # that JSON is still a file of known findings
    assert report["status"] == "violations"


# ---- finding 6: window dates marked by their own notes -------------------------------------------------------------


ESTIMATED = {"source": {"date": "estimate: test"}}


def test_explain_marks_each_window_date_by_its_own_note():
    windows = [{"id": "w1", "date": "2024-02-10"}, {"id": "w2", "date": "2024-04-27", **ESTIMATED}]
    problem = build([org("a", earliest="2024-03-01", latest="2024-03-15")], windows=windows)
    text = explain_infeasible(problem, time_limit=5).to_text()
    assert "the first window on or after it is window w2 (2024-04-27*)" in text, text
    assert "the last window on or before it is window w1 (2024-02-10)" in text, text
    assert "to 2024-04-27* (1 window later: window w2 (2024-04-27*))" in text, text
    assert "to 2024-02-10 (1 window earlier: window w1 (2024-02-10))" in text, text
    conflict = explain_infeasible(problem, time_limit=5).conflicts[0]
    flags = {r.kind: r.estimate for r in conflict.reasons}
    assert flags["earliest"] is True
    moves = {r.kind: r.to_json()["estimate"] for r in conflict.relaxations}
    assert moves["latest"] is True and moves["earliest"] is False


def test_compare_knock_on_marks_estimated_dates_as_its_rows_do():
    windows = [dict(w, **ESTIMATED) if w["id"] == "w4" else w for w in MORE_WINDOWS]
    rules = [{"type": "order", "id": "trusts", "actors": ["t1", "t2"], "min_gap_windows": 1}]
    base = build([org("t1", kind="health_trust", population=1000), org("t2", kind="health_trust", population=100),
                  org("m1", population=10, earliest="2025-01-01", latest="2025-03-01")],
                 windows=windows, rules=rules, limits=[{"max_actors": 1}])
    other = apply_quick(base, postpone=["t1=2024-10-01"])
    comparison = compare(solved(base), base, solved(other), other)
    t2 = next(m for m in comparison.moves if m.id == "t2")
    assert t2.cause.text.startswith("order rule trusts: t1 moved 2024-02-10 -> 2024-11-09*"), t2.causes
    assert t2.cause.estimate
    text = " ".join(comparison_text(comparison, 200, "c").split())
    assert "t1 moved 2024-02-10 -> 2024-11-09*;" in text, text
