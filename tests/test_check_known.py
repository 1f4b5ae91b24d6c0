"""`hpplan check --plan P --known FILE`: an entry of the known file that leaves out a field it is matched
on, beside the finding it names but for that field, is bad input at its line (exit 2), not a known
finding "no longer found" above the same finding failing as new."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from hpplan import cli

REPO = Path(__file__).resolve().parents[1]
DATA, PLAN = REPO / "data", REPO / "data" / "adopted-plan.yaml"
TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def known_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


OTHERS = """  - {rule: mandatory, owner: organisation gjemnes, actors: [gjemnes]}
  - {rule: mandatory, owner: organisation averoy, actors: [averoy]}
  - {rule: mandatory, owner: organisation froya, actors: [froya]}
"""


def test_an_entry_without_its_actors_beside_its_finding_is_refused_at_its_line(tmp_path: Path):
    known = known_file(tmp_path / "known.yaml", "findings:\n  - rule: mandatory\n    owner: organisation aure\n" + OTHERS)
    for fmt in ("text", "json", "github"):
        result = run("check", "--data", DATA, "--plan", PLAN, "--known", known, "--format", fmt)
        assert result.exit_code == 2, result.output
        assert "no longer found" not in result.output, result.output
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", known)
    assert (f"error: {known}:2: this known finding gives no actors, and so matches no finding; the one it names but "
            "for that is mandatory, organisation aure (at ") in result.stderr, result.stderr
    assert "add actors: [aure]" in result.stderr
    report = json.loads(run("check", "--data", DATA, "--plan", PLAN, "--known", known, "-f", "json").stdout)
    assert report["status"] == "invalid" and [(f["file"], f["line"]) for f in report["findings"]] == [(str(known), 2)]
    # given whole, it is known, as the shipped list (which leaves pool and month out: null) is
    whole = known_file(tmp_path / "whole.yaml", "findings:\n  - {rule: mandatory, owner: organisation aure, "
                                                "actors: [aure]}\n" + OTHERS)
    assert run("check", "--data", DATA, "--plan", PLAN, "--known", whole).exit_code == 0
    assert run("check", "--data", DATA, "--plan", PLAN, "--known", DATA / "adopted-plan-known.json").exit_code == 0


def test_an_entry_that_leaves_a_field_out_and_names_no_finding_is_no_longer_found(tmp_path: Path):
    """Only an entry that names a finding but for what it leaves out is refused: one of a finding fixed
    is said as no longer found, as before."""
    known = known_file(tmp_path / "known.yaml", "findings:\n  - {rule: mandatory, owner: organisation orkland}\n"
                                                "  - {rule: mandatory, owner: organisation aure, actors: [aure]}\n"
                                                + OTHERS)
    result = run("check", "--data", DATA, "--plan", PLAN, "--known", known)
    assert result.exit_code == 0, result.output
    assert f"{known}:2: known finding no longer found: mandatory, organisation orkland" in result.stdout


def test_an_entry_without_the_pool_and_month_of_its_finding_is_refused(tmp_path: Path):
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-t", "5", "-o", plan).exit_code == 0
    # the capacity cut in the data itself: under a scenario the plan's saved load is a note, never a finding
    # (tests/test_checks_s27.py)
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    waves = data / "waves.yaml"
    pool = '  - {id: primary, sector: primary, fte: 72, source: {fte: "fact: seed 004"}}'
    assert pool in waves.read_text(encoding="utf-8")
    waves.write_text(waves.read_text(encoding="utf-8").replace(
        pool, pool[:-1] + ", changes: [{from: 2024-03, fte: 1}, {from: 2024-07, fte: 72}]}"), encoding="utf-8")
    args = ("check", "--data", data, "--plan", plan)
    findings = json.loads(run(*args, "-f", "json").stdout)["findings"]
    found = [f for f in findings if f["rule"] == "load_report"]
    assert [(f["owner"], f["pool"], f["month"]) for f in found] == [("pool primary", "primary", "2024-03")]
    known = known_file(tmp_path / "known.json", '{"findings": [\n  {"rule": "load_report", "owner": "pool primary",'
                                                ' "actors": []}\n]}\n')
    result = run(*args, "--known", known)
    assert result.exit_code == 2, result.output
    assert f"{known}:2: this known finding gives no pool and no month" in result.stderr, result.stderr
    assert "add pool: primary, month: 2024-03" in result.stderr
    whole = known_file(tmp_path / "whole.json", json.dumps({"findings": findings}))
    assert run(*args, "--known", whole).exit_code == 0


def _stale_plan(plan: Path, path: Path, **more: int) -> Path:
    """The solved `plan` with its saved objective's terms (and total) raised by `more`: stale figures."""
    doc = json.loads(plan.read_text(encoding="utf-8"))
    for term, by in more.items():
        doc["objective"][term] += by
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_known_stale_total_does_not_hide_a_new_stale_term(tmp_path: Path):
    """The objective's total and its terms are findings of one rule, owner and line: their `term` tells
    them apart, so a known stale total (or term) never stands for another stale term."""
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-t", "5", "-o", plan).exit_code == 0
    args = ("check", "--data", TINY, "--plan")
    # the baseline: the saved total and preference stale; a report of it is a known file
    first = _stale_plan(plan, tmp_path / "first.json", preference=1, total=1)
    report = run(*args, first, "-f", "json").stdout
    assert sorted(f["term"] for f in json.loads(report)["findings"]) == ["preference", "total"]
    known = known_file(tmp_path / "known.json", report)
    assert run(*args, first, "--known", known).exit_code == 0
    # then the population delay is stale instead of the preference: new, and the preference no longer found
    later = _stale_plan(plan, tmp_path / "later.json", population_delay=1, total=1)
    result = run(*args, later, "--known", known, "-f", "json")
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert [f["term"] for f in out["findings"]] == ["population_delay"]
    assert [f["term"] for f in out["known"]] == ["total"]
    assert [(k["rule"], k["term"]) for k in out["known_gone"]] == [("objective", "preference")]
    # a known file written before findings had a term: its objective entry stands for the total
    old = known_file(tmp_path / "old.yaml", "findings:\n  - {rule: objective, owner: plan, pool: null, month: null}\n")
    result = run(*args, later, "--known", old, "-f", "json")
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert ([f["term"] for f in out["findings"]], [f["term"] for f in out["known"]]) == (["population_delay"], ["total"])
    assert run(*args, _stale_plan(plan, tmp_path / "total.json", total=1), "--known", old).exit_code == 0
