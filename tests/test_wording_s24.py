"""Wording that said something untrue (session 24): compare's cause called a baseline scenario's date a
scenario's delay, report's "wrote" message had a stray "plan", docs/check.md gave Ålesund a date the data
does not have, and explain's advice would save over the plan it was given."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.explain import plan_file_for

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def scenario(path: Path, description: str, changes: str) -> Path:
    path.write_text(f"base: data\ndescription: {description} (assumption)\nchanges:\n{changes}", encoding="utf-8")
    return path


# ---- compare: where each value of a change comes from -------------------------------------------------


@pytest.fixture()
def orsta_data(tmp_path: Path) -> Path:
    """The tiny data with Ørsta ready no earlier than 2024-09-01 (the data's own date)."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    orgs = data / "organisations.yaml"
    text = orgs.read_text(encoding="utf-8")
    assert text.count("    status: planned\n    population: 10958") == 1
    orgs.write_text(text.replace("    status: planned\n    population: 10958",
                                 "    status: planned\n    earliest: 2024-09-01\n    population: 10958"), encoding="utf-8")
    return data


def _cause(result, org_id: str) -> dict:
    assert result.exit_code == 0, result.output
    return next(m for m in json.loads(result.stdout)["moves"] if m["id"] == org_id)["cause"]


def test_a_baseline_scenarios_date_is_not_said_to_be_the_scenarios_delay(orsta_data: Path, tmp_path: Path):
    # `compare --baseline ki2.json --baseline-scenario four-municipalities-in-ki2.yaml` said "earliest
    # 2024-07-15 -> 2025-12-19 (scenario)": the later date is the data's own, the scenario gave the earlier
    early = scenario(tmp_path / "early.yaml", "Ørsta ready early",
                     "  - op: set\n    actor: orsta\n    fields: {earliest: 2024-01-01}\n")
    later = scenario(tmp_path / "later.yaml", "Ørsta later", "  - op: set\n    actor: orsta\n    fields: {earliest: 2024-10-01}\n")
    plan = tmp_path / "early.json"
    assert run("solve", "--data", orsta_data, "--scenario", early, "-f", "json", "-t", "5", "-o", plan).exit_code == 0
    on_early = ("compare", "--data", orsta_data, "--baseline", plan, "--baseline-scenario", early, "-t", "5", "-f", "json")
    cause = _cause(run(*on_early), "orsta")
    assert (cause["kind"], cause["text"]) == ("scenario", "earliest 2024-01-01* -> 2024-09-01* (baseline scenario -> data)")
    line = (orsta_data / "organisations.yaml").read_text(encoding="utf-8").splitlines().index("    earliest: 2024-09-01")
    assert cause["where"] == f"{orsta_data / 'organisations.yaml'}:{line + 1}"  # the data's line: what holds it back
    text = " ".join(run(*on_early[:-2]).stdout.split())
    assert "why: earliest 2024-01-01* -> 2024-09-01* (baseline scenario -> data)" in text, text
    # a scenario on each side
    cause = _cause(run(*on_early, "--scenario", later), "orsta")
    assert cause["text"] == "earliest 2024-01-01* -> 2024-10-01* (baseline scenario -> scenario)"
    # the usual what-if is said as before: the scenario wrote the new date over the data's
    cause = _cause(run("compare", "--baseline", orsta_data, "--scenario", later, "-t", "5", "-f", "json"), "orsta")
    assert (cause["kind"], cause["text"]) == ("scenario", "earliest 2024-09-01* -> 2024-10-01* (scenario)")


def test_a_window_a_baseline_scenario_moved_is_said_as_the_baselines(tmp_path: Path):
    early = scenario(tmp_path / "feb.yaml", "February a week early",
                     "  - op: move_window\n    window: 2024-02\n    date: 2024-02-03\n")
    plan = tmp_path / "feb.json"
    assert run("solve", "--data", TINY, "--scenario", early, "-f", "json", "-t", "5", "-o", plan).exit_code == 0
    cause = _cause(run("compare", "--data", TINY, "--baseline", plan, "--baseline-scenario", early, "-t", "5",
                       "-f", "json"), "alesund")
    assert cause["text"] == "its window 2024-02 moved from 2024-02-03 to 2024-02-10 (baseline scenario -> data)"
    cause = _cause(run("compare", "--baseline", TINY, "--scenario", early, "-t", "5", "-f", "json"), "alesund")
    assert cause["text"] == "its window 2024-02 moved from 2024-02-10 to 2024-02-03 (scenario)"


def test_two_data_folders_are_no_scenario(orsta_data: Path, tmp_path: Path):
    """`compare --baseline FOLDER --data OTHER`: a date that differs between the folders is the data's."""
    cause = _cause(run("compare", "--baseline", TINY, "--data", orsta_data, "-t", "5", "-f", "json"), "orsta")
    assert (cause["kind"], cause["text"]) == ("data-change", "earliest none -> 2024-09-01* (baseline data -> data)")


# ---- report: the "wrote" message ------------------------------------------------------------------------


def test_the_wrote_message_of_a_report_against_a_compared_plan_has_no_stray_word(tmp_path: Path):
    # "wrote hmr-postponed.html (5.0 MB, optimal among the plans that change the baseline least plan)"
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "-f", "json", "-t", "5", "-o", plan).exit_code == 0
    later = scenario(tmp_path / "later.yaml", "Ørsta later", "  - op: postpone\n    actor: orsta\n    earliest: 2024-09-01\n")
    page = tmp_path / "later.html"
    result = run("report", "--data", TINY, "--scenario", later, "--compare", plan, "-t", "5", "-o", page)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stderr.split())
    assert f"wrote {page} (" in flat and "optimal plan among the plans that change the baseline least)" in flat, flat
    assert "least plan" not in flat
    result = run("report", "--data", TINY, "-t", "5", "-o", tmp_path / "plan.html")
    assert "B, optimal plan)" in " ".join(result.stderr.split()), result.stderr


# ---- docs/check.md: the history a conflict names ---------------------------------------------------------


def test_check_md_names_alesunds_go_live_as_explain_prints_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the page said "Ålesund went live on 2023-11-04"; the data (and the tool) say 2023-04-28
    order = scenario(tmp_path / "order.yaml", "Volda before Ålesund",
                     "  - op: add_rule\n    rule: {type: order, actors: [volda, alesund]}\n")
    monkeypatch.chdir(REPO)
    result = run("explain", "--data", "data", "--scenario", order, "-t", "10")
    assert result.exit_code == 1, result.output
    given = next(line.strip() for line in result.stdout.splitlines() if "Ålesund went live" in line)
    lines = (REPO / "data" / "organisations.yaml").read_text(encoding="utf-8").splitlines()
    at = next(n for n in range(lines.index("  - id: alesund"), len(lines))  # (its line moves as notes are edited)
              if lines[n].strip().startswith("live_since:")) + 1
    assert given == f"- data/organisations.yaml:{at}: Ålesund went live on 2023-04-28", result.stdout
    page = " ".join((REPO / "docs" / "check.md").read_text(encoding="utf-8").split())
    assert f"`{given.removeprefix('- ')}`" in page and "2023-11-04" not in page


# ---- explain: where the advice saves the plan solved again -------------------------------------------


def test_the_plan_to_save_is_named_after_the_plan_and_the_scenarios_never_the_plan_itself():
    hmr = Path("data/scenarios/hmr-postponed.yaml")
    assert plan_file_for(Path("plan.json"), [hmr]) == Path("plan-hmr-postponed.json")
    assert plan_file_for(Path("plans/base.json"), [hmr, Path("cut.yaml")]) == Path("plans/base-hmr-postponed-cut.json")
    # a data folder's plan: in the current folder (test_cli2_s24: nor through a link to a data folder)
    assert plan_file_for(REPO / "data" / "adopted-plan.yaml", []) == Path("adopted-plan-solved.json")
    # a plan already named after the scenario (made with it, and breaking rules all the same)
    assert plan_file_for(Path("plan-hmr-postponed.json"), [hmr]) == Path("plan-hmr-postponed-solved.json")
    for plan, scenarios in [("plan.json", [hmr]), ("plan-hmr-postponed.json", [hmr]), ("plan-solved.json", []),
                            ("x.json", [Path("x.yaml")])]:
        assert plan_file_for(Path(plan), scenarios) != Path(plan)
