"""Session 24, misc fixes: a conflict that rests on an opt-out offers the status changes and is annotated at
the opt-out's line; a known finding's `term` must be a term; sweep marks estimated population-months; a
refused date-time is echoed as written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from tests.helpers import edit, line_of

REPO = Path(__file__).resolve().parents[1]
DATA, PLAN = REPO / "data", REPO / "data" / "adopted-plan.yaml"
runner = CliRunner()

HNT = "  - id: helse-nord-trondelag\n    name: Helse Nord-Trøndelag HF\n    kind: health_trust\n"


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def hnt_opted_out(tmp_path: Path) -> tuple[Path, int]:
    """The shipped data with Helse Nord-Trøndelag opted out (a pull request's one-line change), and its line."""
    folder = tmp_path / "pr"
    shutil.copytree(DATA, folder)
    edit(folder / "organisations.yaml", HNT + "    status: signed\n", HNT + "    status: opted_out\n")
    return folder, line_of(folder / "organisations.yaml", "status: opted_out")


def test_an_opt_out_a_together_rule_rests_on_is_annotated_at_its_line_with_the_status_changes(tmp_path: Path):
    folder, line = hnt_opted_out(tmp_path)
    orgs = folder / "organisations.yaml"
    result = run("check", "--data", folder, "--format", "github", "-t", "10")
    assert result.exit_code == 1, result.output
    annotations = result.stdout.splitlines()
    # an error on the changed line itself (the pull request's diff shows it there), naming where it is reported
    at_line = [a for a in annotations if a.startswith(f"::error file={orgs},line={line},")]
    assert len(at_line) == 1 and "rule #3 'hnt-together'" in at_line[0] and "(reported at " in at_line[0], annotations
    # the changes the scenario docs offer besides dropping the rule, each verified
    notices = [a for a in annotations if a.startswith("::notice ")]
    assert any(a.startswith(f"::notice file={orgs},line={line},") and a.endswith(
        "::undo the opt-out of Helse Nord-Trøndelag HF: let it go live (status signed)") for a in notices), notices
    lines = orgs.read_text(encoding="utf-8").splitlines()
    start = line_of(orgs, "id: sykehuset-levanger")
    levanger = next(n for n, text in enumerate(lines[start:], start + 1) if text.strip().startswith("status:"))
    assert any(a.startswith(f"::notice file={orgs},line={levanger},") and a.endswith(
        "::opt Sykehuset Levanger, Sykehuset Namsos, DPS Stjørdal and DPS Kolvereid out too (status opted_out), "
        "as Helse Nord-Trøndelag HF is") for a in notices), notices
    assert any(a.endswith("::drop rule #3 'hnt-together'") for a in notices), notices
    # a program reads it from the fields
    report = json.loads(run("check", "--data", folder, "--format", "json", "-t", "10").stdout)
    rule = next(f for f in report["findings"] if f["owner"] == "rule #3")
    assert rule["rests_on"] == [{"id": "helse-nord-trondelag", "file": str(orgs), "line": line}]
    kinds = [(r["kind"], r["key"]) for r in report["explanation"]["conflicts"][0]["relaxations"]]
    assert ("status", "status:helse-nord-trondelag") in kinds and ("status", "status:sykehuset-levanger") in kinds


def test_a_plan_checks_json_report_with_rests_on_is_a_known_file(tmp_path: Path):
    report = run("check", "--data", DATA, "--plan", PLAN, "--format", "json")
    known = tmp_path / "known.json"
    known.write_text(report.stdout, encoding="utf-8")
    assert all("rests_on" in f for f in json.loads(report.stdout)["findings"])
    assert run("check", "--data", DATA, "--plan", PLAN, "--known", known).exit_code == 0


def test_a_known_finding_with_a_term_no_finding_has_is_refused_at_its_line(tmp_path: Path):
    known = tmp_path / "known.yaml"
    known.write_text("findings:\n  - rule: objective\n    owner: data\n    term: totl\n", encoding="utf-8")
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", known)
    assert result.exit_code == 2, result.output
    assert (f"{known}:4: finding #1: 'totl' is no objective term (did you mean 'total'?); the terms are "
            "population_delay, preference, makespan, total (or leave term out: any of them)") in result.stderr
    # a term on a finding of another rule: that finding failed as new, and the entry was said "no longer
    # found ... remove it" while the finding was still there
    known.write_text("findings:\n  - rule: mandatory\n    owner: organisation gjemnes\n    actors: [gjemnes]\n"
                     "    term: total\n", encoding="utf-8")
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", known)
    assert result.exit_code == 2, result.output
    assert (f"{known}:5: finding #1: only an objective finding has a term, and this is a mandatory finding: "
            "leave term out") in result.stderr, result.stderr


def test_a_sweep_marks_population_months_that_rest_on_estimated_populations_as_compare_does(tmp_path: Path):
    from hpplan.formats import ESTIMATE_NOTE
    from hpplan.sweep import aggregate, inline_backend, run_sweep
    from hpplan.sweep.output import summary_json, summary_text
    from tests.test_sweep import context_of, spec_file

    result = run_sweep(context_of(spec_file(tmp_path, samples=6)), tmp_path / "r.jsonl",
                       backend_factory=inline_backend())
    summary = aggregate(result.results)  # tests/data/sweep_tiny: every population an estimate
    data = json.loads(summary_json(summary))
    assert data["cost"]["mean_population_months"] > 0 and data["cost"]["population_months_is_estimate"] is True
    assert data["estimate_note"] == ESTIMATE_NOTE
    text = summary_text(summary, 160)
    said = f"{data['cost']['mean_population_months']:,.0f}".replace(",", " ")
    # s29: the mean rounded to its 95 % margin, the margin after the mark (`2 060 000* (±170 000)`)
    from hpplan.sweep.output import _margin
    said, margin = _margin(data["cost"]["mean_population_months"], data["cost"]["mean_population_months_stderr"])
    assert f"{said}* (±{margin}) population-months of delay" in " ".join(text.split()), text
    assert text.rstrip().endswith(ESTIMATE_NOTE), text
    # the same populations given as facts: nothing marked, no note
    for actor in result.results.base["actors"]:
        actor["population_is_estimate"] = False
    facts = aggregate(result.results)
    data = json.loads(summary_json(facts))
    assert data["cost"]["population_months_is_estimate"] is False and data["estimate_note"] is None
    assert "*" not in summary_text(facts, 160)


def test_a_refused_date_with_a_time_of_day_is_said_as_written(tmp_path: Path):
    from hpplan.errors import InputError
    from hpplan.loader import load_problem

    tiny = Path(__file__).parent / "data" / "tiny"
    for written in ("2025-01-15T10:00:00", "2025-01-15t10:00:00.5Z", "2025-01-15 10:00:00+01:00"):
        folder = tmp_path / f"d{len(written)}"
        shutil.copytree(tiny, folder)
        edit(folder / "organisations.yaml", "    users: 3500\n", f"    users: 3500\n    earliest: {written}\n")
        line = line_of(folder / "organisations.yaml", "earliest:")
        with pytest.raises(InputError) as refused:
            load_problem(folder)
        said = str(refused.value)
        assert (f"organisations.yaml:{line}: alesund: earliest: expected a date as YYYY-MM-DD without a time of day, "
                f"found {written}; write 2025-01-15") in said, said
