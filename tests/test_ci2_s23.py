"""`hpplan check` in CI, second round (session 23): an output linked into the data folder, a YAML
indentation error's entry, a suggested date move past the last window, and a plan file's changed line
named beside the data's line (docs/check.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import build, line_of, org
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import check_plan, read_known, split_known, to_github, to_json, to_text
from hpplan.errors import InputError
from hpplan.explain import explain_infeasible
from hpplan.io import write_atomic
from hpplan.loader import load_problem
from hpplan.yamlio import parse_yaml

REPO = Path(__file__).parent.parent
DATA = REPO / "data"
runner = CliRunner()


def data_copy(tmp_path: Path) -> Path:
    """A data repository: a copy of data/ (organisations, waves, the adopted plan) and a reports folder."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("organisations.yaml", "waves.yaml", "adopted-plan.yaml"):
        shutil.copy(DATA / name, data / name)
    (tmp_path / "reports").mkdir()
    return data


# ---- 7: an output that is a link into the data folder -----------------------------------------


def test_junit_through_a_link_to_a_data_file_the_check_does_not_read_is_refused(tmp_path: Path):
    data = data_copy(tmp_path)
    plan = data / "adopted-plan.yaml"
    before = plan.read_bytes()
    link = tmp_path / "reports" / "hpplan-data.xml"
    link.symlink_to(Path("..") / "data" / "adopted-plan.yaml")
    result = runner.invoke(cli.app, ["check", "--data", str(data), "--junit", str(link)])
    assert result.exit_code == 2, result.output
    assert f"{link}: cannot write: this is a link to ../data/adopted-plan.yaml, in the data folder" in result.output
    assert plan.read_bytes() == before and link.is_symlink()


def test_every_writer_refuses_a_link_into_a_data_folder_and_follows_others(tmp_path: Path):
    data = data_copy(tmp_path)
    (data / "scenarios").mkdir()
    scenario = data / "scenarios" / "hmr.yaml"
    scenario.write_text("base: ..\n", encoding="utf-8")
    for target in (data / "waves.yaml", scenario, data / "new.json"):  # below it too, and a file not there yet
        link = tmp_path / "reports" / f"to-{target.name}"
        link.symlink_to(target)
        with pytest.raises(InputError, match="not written through a link into a data folder"):
            write_atomic(link, "x")
    assert scenario.read_text(encoding="utf-8") == "base: ..\n" and not (data / "new.json").exists()
    elsewhere = tmp_path / "plans" / "v3.json"
    elsewhere.parent.mkdir()
    (tmp_path / "reports" / "latest.json").symlink_to(elsewhere)
    with pytest.raises(InputError, match="this is a symbolic link"):  # s27: a link elsewhere is refused too
        write_atomic(tmp_path / "reports" / "latest.json", "plan")
    assert not elsewhere.exists()
    write_atomic(data / "plan.json", "named itself")  # a file of the data folder named as it is: written
    assert (data / "plan.json").read_text() == "named itself"


# ---- 8: a YAML indentation error names the entry it broke ------------------------------------


def test_an_indentation_error_names_the_list_entry_it_is_in_not_the_first():
    path = DATA / "organisations.yaml"
    entry = line_of(path, "  - id: orsta")
    users = entry + next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines()[entry - 1:])
                         if text.startswith("    users:"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[users - 1] = lines[users - 1][2:]  # `users:` two spaces out of its organisation
    with pytest.raises(InputError) as caught:
        parse_yaml("".join(lines).encode("utf-8"), "organisations.yaml")
    assert caught.value.where.line == users
    assert f"the list entry above it begins at line {entry})" in caught.value.message
    assert "began at line 61" not in caught.value.message


def test_an_error_in_a_mapping_names_where_the_mapping_began():
    with pytest.raises(InputError) as caught:
        parse_yaml(b"a:\n  b: 1\n  c:\n    d: 1\n   e: 2\n", "waves.yaml")
    assert caught.value.where.line == 5 and "; the block began at line 2)" in caught.value.message


# ---- 9: a move counted from a date with no window ------------------------------------------------


@pytest.mark.parametrize("blocked, words", [
    (False, "(the last window: window w4 (2024-11-09))"),
    (True, "(1 window before the last one: window w3 (2024-09-14))"),
])
def test_an_earliest_date_after_the_last_window_counts_from_the_last_window(blocked: bool, words: str):
    orgs = [org("m1", status="signed", earliest="2025-06-01")]
    if blocked:  # m2 alone can go live in the last window, and the window takes one
        orgs.append(org("m2", status="signed", earliest="2024-11-01"))
    problem = build(orgs, limits=[{"max_actors": 1}] if blocked else None)
    relaxation = next(r for c in explain_infeasible(problem).conflicts for r in c.relaxations
                      if r.kind == "earliest" and "M1" in r.message)
    assert relaxation.message.startswith("move M1's earliest date from 2025-06-01 to ")
    assert relaxation.message.endswith(words)
    assert "earlier" not in relaxation.message


# ---- 6: a plan entry's changed date is named at the plan file's line ------------------------------


def test_a_finding_about_a_plan_entry_names_its_line_in_the_plan_file(tmp_path: Path):
    data = data_copy(tmp_path)
    plan = data / "adopted-plan.yaml"
    entry = line_of(plan, "- id: orsta")
    text = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    assert text[entry].strip().startswith("go_live:")
    text[entry] = "    go_live: 2024-09-14\n"  # before Ørsta's earliest date, a window's date
    plan.write_text("".join(text), encoding="utf-8")
    result = check_plan(load_problem(data), plan)
    finding = next(f for f in result.findings if f.rule == "earliest")
    orsta = line_of(data / "organisations.yaml", "  - id: orsta")
    data_line = orsta + next(n for n, t in enumerate((data / "organisations.yaml").read_text(
        encoding="utf-8").splitlines()[orsta - 1:]) if t.startswith("    earliest:"))
    assert (finding.where.file, finding.where.line) == (str(data / "organisations.yaml"), data_line)
    assert [(i, w.file, w.line) for i, w in finding.plan_entries] == [("orsta", str(plan), entry + 1)]
    assert f"{data / 'organisations.yaml'}:{data_line}: Ørsta (orsta) goes live 2024-09-14" in to_text(result)
    assert f"(the plan's entry: {plan}:{entry + 1})" in to_text(result)
    gh = to_github(result).splitlines()
    assert any(c.startswith(f"::error file={data / 'organisations.yaml'},line={data_line},") for c in gh)
    notice = next(c for c in gh if c.startswith(f"::notice file={plan},line={entry + 1},"))
    assert "this plan entry breaks a rule (earliest)" in notice and "before its earliest date" in notice
    found = next(f for f in json.loads(to_json(result))["findings"] if f["rule"] == "earliest")
    assert found["plan_entries"] == [{"id": "orsta", "file": str(plan), "line": entry + 1}]
    # its JSON is a file of known findings as it is, matched as before (on rule, owner, actors)
    known = tmp_path / "known.json"
    known.write_text(to_json(result), encoding="utf-8")
    new, matched, gone = split_known(result.findings, read_known(known))
    assert new == [] and gone == [] and len(matched) == len(result.findings)
    assert finding.key == ("earliest", "organisation orsta", ("orsta",), None, None, None)  # no pool, month, term


def test_limit_and_capacity_findings_name_no_plan_entries(tmp_path: Path):
    data = data_copy(tmp_path)
    waves = data / "waves.yaml"
    text = waves.read_text(encoding="utf-8")
    assert "    max_actors: 14\n" in text
    waves.write_text(text.replace("    max_actors: 14\n", "    max_actors: 6\n", 1), encoding="utf-8")
    result = check_plan(load_problem(data), data / "adopted-plan.yaml")
    limits = [f for f in result.findings if f.rule.startswith("limit.")]
    assert limits and all(f.plan_entries == () for f in limits)
    mandatory = [f for f in result.findings if f.rule == "mandatory"]  # the four left unscheduled: their null
    assert mandatory and all(len(f.plan_entries) == 1 for f in mandatory)


def test_a_sweep_results_file_that_links_into_a_data_folder_is_refused(tmp_path):
    # the library's results file had a link-following writer of its own
    from hpplan.sweep.run import ResultsFile

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data)
    (tmp_path / "reports").mkdir()
    link = tmp_path / "reports" / "r.jsonl"
    link.symlink_to(data / "organisations.yaml")
    before = (data / "organisations.yaml").read_bytes()
    with pytest.raises(InputError, match="in the data folder"):
        ResultsFile.open(link, {"type": "header"}, resume=False, overwrite=True)
    assert (data / "organisations.yaml").read_bytes() == before


def test_known_broken_rules_with_stale_figures_are_not_called_keeping_every_rule(tmp_path):
    # the summary said the plan "keeps every rule and limit" while a known finding was a broken rule
    plan = tmp_path / "plan.json"
    tiny = Path(__file__).parent / "data" / "tiny"
    assert CliRunner().invoke(cli.app, ["solve", "-d", str(tiny), "-f", "json", "-o", str(plan)]).exit_code == 0
    saved = json.loads(plan.read_text(encoding="utf-8"))
    saved["plan"] = [dict(a, go_live=None, window=None) if a["id"] == "orsta" else a for a in saved["plan"]]
    plan.write_text(json.dumps(saved), encoding="utf-8")  # orsta unscheduled: broken; its load: stale
    problem = load_problem(tiny)
    first = check_plan(problem, plan)
    known = tmp_path / "known.json"
    known.write_text(json.dumps({"findings": [f.to_json() for f in first.findings if f.rule not in
                                              ("load_report", "objective")]}), encoding="utf-8")
    result = check_plan(problem, plan, known=known)
    assert result.known and result.findings and all(f.rule in ("load_report", "objective") for f in result.findings)
    assert "keeps every rule" not in result.summary and "beyond the known findings" in result.summary
