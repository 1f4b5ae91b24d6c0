"""What was applied to the data (`Problem.applied`) is recorded as structured entries (`AppliedChange`) where the
scenario code applies each change: where it came from, its changes in words, the op each came from and the dates
each names with whether each is an estimate. Readers take the fields, not the text apart: a scenario whose
name has a ':' in it, or whose description reads like a change, is read right. Each entry is still its text, so
every output stays as it was. And check's result carries the data's warnings itself (`CheckResult.warnings`)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import yaml
from helpers import build, org, solved

from hpplan.compare import compare
from hpplan.exports import scenarios_named, to_ics
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solution import read_plan

#: m1's earliest date is a fact (the board's minutes); everything else an estimate
FACT_EARLIEST = {"all": "estimate: test", "earliest": "fact: the board's minutes"}


def scenario(tmp_path: Path, name: str, changes: list[dict], description: str = "test") -> Path:
    path = tmp_path / name
    data = {"base": "data", "description": description, "changes": changes}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def base():
    return build([org("m1", earliest="2024-03-01", source=FACT_EARLIEST), org("m2")])


POSTPONE_M1 = [{"op": "postpone", "actor": "m1", "earliest": "2024-09-01"}]


# ---- the entries --------------------------------------------------------------------------------------------


def test_a_postponement_records_its_dates_and_which_is_an_estimate(tmp_path):
    from hpplan.problem import AppliedChange, NamedDate

    path = scenario(tmp_path, "late.yaml", [*POSTPONE_M1, {"op": "exclude", "actor": "m2", "returns": "2024-10-01"}])
    [entry] = apply_scenarios(base(), path).applied
    assert isinstance(entry, AppliedChange)
    assert (entry.source, entry.description, entry.file, entry.from_command_line) == ("late", "test", str(path),
                                                                                      False)
    assert [c.op for c in entry.changes] == ["postpone", "exclude"]
    # the old date is the data's fact; the new one the scenario's assumption; the return date too
    assert entry.changes[0].dates == (NamedDate("2024-03-01", False), NamedDate("2024-09-01", True))
    assert entry.changes[1].dates == (NamedDate("2024-10-01", True),)
    # its text is the text every output shows, as before
    assert entry == ("late: test [postpone m1: earliest 2024-03-01 -> 2024-09-01; exclude m2 until 2024-10-01]")
    assert str(entry) == entry.text and type(str(entry)) is str


def test_a_command_line_change_is_an_entry_of_its_own_with_its_option_s_op():
    from hpplan.problem import COMMAND_LINE, NamedDate

    changed = apply_quick(base(), postpone=["m1=2024-09-01"], exclude=["m2"])
    first, second = changed.applied
    assert (first.source, first.from_command_line, first.description, first.file) == (COMMAND_LINE, True, None, None)
    assert [c.op for c in first.changes] == ["postpone"] and [c.op for c in second.changes] == ["exclude"]
    assert first.dates == (NamedDate("2024-03-01", False), NamedDate("2024-09-01", True))
    assert first.name == "postpone m1: earliest 2024-03-01 -> 2024-09-01"
    assert list(changed.applied) == ["command line: postpone m1: earliest 2024-03-01 -> 2024-09-01",
                                     "command line: exclude m2 (opts out)"]


def test_an_entry_keeps_its_fields_when_pickled_as_a_sweep_s_workers_take_the_data(tmp_path):
    changed = apply_scenarios(base(), scenario(tmp_path, "late.yaml", POSTPONE_M1))
    again = pickle.loads(pickle.dumps(changed))
    assert again.applied == changed.applied
    assert [(e.source, e.file, e.dates) for e in again.applied] == [(e.source, e.file, e.dates) for e in changed.applied]


# ---- compare marks the recorded dates -----------------------------------------------------------------------


def test_compare_marks_the_estimated_date_of_the_change_and_not_a_description_that_reads_like_one(tmp_path):
    # the description says a postponement in the change's words: only the change's own dates are marked (a
    # regular expression over the whole text marked the description's date too)
    said = "as postpone m1: earliest 2024-03-01 -> 2024-09-01 in the trial"
    problem = base()
    changed = apply_scenarios(problem, scenario(tmp_path, "late.yaml", POSTPONE_M1, description=said))
    comparison = compare(solved(problem), problem, solved(changed), changed)
    assert comparison.shown_applied == [f"late: {said} [postpone m1: earliest 2024-03-01 -> 2024-09-01*]"]
    assert comparison.to_json_dict()["applied"] == [f"late: {said} [postpone m1: earliest 2024-03-01 -> 2024-09-01]"]


# ---- a ':' in a scenario's name -----------------------------------------------------------------------------


def test_a_scenario_named_with_a_colon_is_named_whole(tmp_path):
    problem = base()
    late, early = (apply_scenarios(problem, scenario(tmp_path, f"hmr: {when}.yaml", POSTPONE_M1))
                   for when in ("late", "early"))
    assert scenarios_named(late) == ["hmr: late"]  # split at ':', it was "hmr" (and so was "hmr: early")
    assert "with hmr: late applied>" in repr(late)
    calendar = to_ics(late, solved(late))
    assert "X-WR-CALNAME:Rollout plan (" in calendar and ") with hmr: late" in calendar
    # two scenarios, two calendars: the events of one do not update the other's
    assert to_ics(early, solved(early)).count("UID:") and _uids(calendar).isdisjoint(_uids(to_ics(early, solved(early))))


def _uids(calendar: str) -> set[str]:
    return {line for line in calendar.splitlines() if line.startswith("UID:")}


def test_a_scenario_file_named_command_line_is_not_taken_for_the_command_line_s_changes(tmp_path):
    from hpplan.cli_check import scenario_names

    path = scenario(tmp_path, "command line.yaml", POSTPONE_M1)
    changed = apply_quick(apply_scenarios(base(), path), exclude=["m2"])
    assert scenarios_named(changed) == ["command line", "exclude m2 (opts out)"]
    # check's label: the scenario file, then the quick form with the change it made (not the file's changes)
    assert scenario_names([path], {"exclude": ["m2"]}, changed) == [path, "--exclude m2 [exclude m2 (opts out)]"]


def test_a_saved_plan_made_with_a_scenario_named_with_a_colon_says_its_whole_name(tmp_path):
    from hpplan.cli_compare import scenario_notes

    problem = base()
    changed = apply_scenarios(problem, scenario(tmp_path, "hmr:late.yaml", POSTPONE_M1))
    made = tmp_path / "plan.json"
    made.write_text(solved(changed).to_json(), encoding="utf-8")
    plan = read_plan(made)
    # the plan file keeps the texts: read back, they are texts
    assert plan.applied == ["hmr:late: test [postpone m1: earliest 2024-03-01 -> 2024-09-01]"]
    assert json.loads(made.read_text())["applied"] == plan.applied
    [note] = scenario_notes(made, plan, problem)
    assert f"the baseline {made} was made with the scenario hmr:late, which" in note  # not "the scenario hmr"


# ---- check carries the data's warnings ----------------------------------------------------------------------


def test_check_s_result_carries_the_data_s_warnings_into_json_and_github():
    from hpplan.check import CheckResult, DataWarningSaid, to_github, to_json

    result = CheckResult(mode="data", status="ok", summary="ok: a plan exists", source="data")
    assert "warnings" not in json.loads(to_json(result))  # not carried: not said (the text and JUnit reports)
    warned = DataWarningSaid("data/waves.yaml", 12, "no organisation loads pool primary")
    carried = CheckResult(mode="data", status="ok", summary="ok: a plan exists", source="data", warnings=[warned])
    data = json.loads(to_json(carried))
    assert list(data)[-1] == "warnings"
    assert data["warnings"] == [{"file": "data/waves.yaml", "line": 12, "message": "no organisation loads pool primary"}]
    assert json.loads(to_json(CheckResult(mode="data", status="ok", summary="ok", warnings=[])))["warnings"] == []
    lines = to_github(carried).splitlines()
    assert lines[-2:] == ["::warning file=data/waves.yaml,line=12,title=hpplan%3A data warning::no organisation "
                          "loads pool primary", "ok: a plan exists"]
    nowhere = CheckResult(mode="data", status="ok", summary="ok", warnings=[DataWarningSaid(None, None, "x")])
    assert to_github(nowhere).splitlines()[-2] == "::warning title=hpplan%3A data warning::x"
