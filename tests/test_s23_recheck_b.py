"""After the s23 rechecker (its findings 4-7): a plan whose saved figures alone are stale is answered by
explain and told apart by check; a rule or limit a scenario added and a later change removed is named
as removed by index too; the verifier words an opted-out organisation that returns as explain does, and
counts an organisation the plan leaves out once."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import build, org, solved, windows_of
from test_scenario import write
from typer.testing import CliRunner

from hpplan import cli, load_problem
from hpplan.check import check_plan
from hpplan.errors import InputError
from hpplan.explain import PlanBreaksRules, why_not_earlier
from hpplan.scenario import apply_scenarios
from hpplan.solution import Assignment, Solution, Status
from hpplan.verify import broken_rules, stale_figures, verify

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


PROFILE = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]
POOLS = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
         {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}}]


def _three():
    """m3 one window earlier would overload January: only the objective and the pool hold it back."""
    p = build([org("m1", population=100), org("m2", population=1), org("m3", population=5)], profiles=PROFILE,
              pools=POOLS)
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w1", "m3": "w2", "m2": "w3"}
    return p, plan


# --------------------------------------------------------------------------------------------------
# 1. (rechecker #4) saved figures out of date are no broken rule: explain answers, check tells them apart


def test_the_library_answers_about_a_plan_whose_saved_figures_alone_are_stale():
    p, plan = _three()
    first = plan.load[0]
    stale = dataclasses.replace(plan, objective={**plan.objective, "total": plan.objective["total"] + 1},
                                load=[dataclasses.replace(first, used=first.used + 3)] + plan.load[1:])
    found = verify(p, stale)
    assert {v.rule for v in found} == {"load_report", "objective"} and not broken_rules(found)
    assert len(stale_figures(found)) == 2
    answer = why_not_earlier(p, "m3", stale)  # was PlanBreaksRules: "the plan breaks rules or limits"
    fresh = why_not_earlier(p, "m3", plan)
    assert (answer.verdict, answer.objective_change) == (fresh.verdict, fresh.objective_change) == \
        ("objective", answer.objective_change)
    assert answer.stale_figures == ["load", "objective"] and fresh.stale_figures == []
    assert "Note: the plan's saved load and objective are not this data's" in answer.to_text()
    assert "Note:" not in fresh.to_text()
    assert answer.to_json_dict()["stale_figures"] == ["load", "objective"]
    # a rule broken as well is refused, and only the broken rules are its violations
    m2 = next(a for a in stale.plan if a.id == "m2")
    broken = dataclasses.replace(stale, plan=[dataclasses.replace(a, go_live=m2.go_live, window=m2.window)
                                              if a.id == "m1" else a for a in stale.plan])
    with pytest.raises(PlanBreaksRules) as caught:
        why_not_earlier(p, "m3", broken)
    assert caught.value.violations and not stale_figures(caught.value.violations)


def _stale_tiny_plan(tmp_path: Path, drop: str | None = None) -> Path:
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["load"][0]["used"] += 3
    if drop is not None:
        data["plan"] = [a for a in data["plan"] if a["id"] != drop]
    out.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return out


def test_explain_answers_and_check_tells_stale_figures_from_broken_rules(tmp_path: Path):
    plan = _stale_tiny_plan(tmp_path)
    result = run("explain", "--data", TINY, "--actor", "orsta", "--plan", plan, "-t", 5)
    assert result.exit_code == 0, result.output
    assert "breaks rules" not in result.stdout and "not answered" not in result.stdout
    assert "Why does Ørsta go live in window" in result.stdout or "Ørsta goes live in" in result.stdout
    assert "Note: the plan's saved load is not this data's" in result.stdout
    report = json.loads(run("explain", "--data", TINY, "--actor", "orsta", "--plan", plan, "-t", 5, "-f",
                            "json").stdout)
    assert report["verdict"] != "plan_breaks_rules" and report["stale_figures"] == ["load"]

    checked = run("check", "--data", TINY, "--plan", plan)
    assert checked.exit_code == 1, checked.output  # the plan file is out of date: CI says so (docs/check.md)
    summary = checked.stdout.splitlines()[-1]
    assert summary == (f"hpplan check: plan {plan} keeps every rule and limit of {TINY}, but its saved load is not "
                       "this data's (1 finding): the data changed since the plan was saved, or the plan was edited; "
                       "solve again to bring it up to date")
    assert "breaks" not in summary


def test_check_counts_broken_rules_apart_from_stale_figures(tmp_path: Path):
    plan = _stale_tiny_plan(tmp_path, drop="alesund")
    result = check_plan(load_problem(TINY), plan)
    broken = broken_rules(result.findings)
    assert [f.rule for f in broken] == ["plan"]  # alesund left out: one finding
    stale = stale_figures(result.findings)
    assert stale and result.exit_code == 1
    assert result.summary == (f"hpplan check: plan {plan} breaks rules or limits of {TINY}: 1 violation; and its "
                              f"saved load and objective are not this data's ({len(stale)} findings)")
    # explain refuses it, counting the broken rule as the violation
    refused = run("explain", "--data", TINY, "--actor", "orsta", "--plan", plan, "-t", 5)
    assert refused.exit_code == 1, refused.output
    assert "the plan breaks rules or limits of the data: 1 violation; and its saved load and objective" in refused.stdout


# --------------------------------------------------------------------------------------------------
# 2. (rechecker #5) a rule or limit a scenario added, removed, named again by index


def _line(path: Path, text: str, nth: int = 1) -> int:
    return [n for n, written in enumerate(path.read_text().splitlines(), 1) if text in written][nth - 1]


def test_an_added_rule_removed_then_named_by_index_names_the_change_that_removed_it(tmp_path: Path):
    base = build([org("m1"), org("m2"), org("m3")], rules=[{"type": "together", "actors": ["m1", "m2"]}])
    path = write(tmp_path, [{"op": "add_rule", "rule": {"type": "together", "actors": ["m2", "m3"]}},
                                {"op": "remove_rule", "index": 2}, {"op": "remove_rule", "index": 2}])
    with pytest.raises(InputError) as error:
        apply_scenarios(base, path)
    assert str(error.value) == (f"{path}:{_line(path, 'index: 2', 2)}: rule #2 is no longer there: an earlier change "
                                f"removed it (remove_rule at {path}:{_line(path, 'op: remove_rule')}) (index counts "
                                "the rules of waves.yaml, 1 = the first)")  # was "index 2 is past the last"


def test_an_added_limit_that_went_with_its_window_names_the_change_and_one_past_the_last_is_said_singular(tmp_path):
    base = build([org("m1")], limits=[{"max_actors": 2}])
    path = write(tmp_path, [{"op": "add_limit", "limit": {"max_actors": 3, "windows": ["w2"]}},
                                {"op": "remove_window", "window": "w2"},
                                {"op": "set_limit", "index": 2, "max_actors": 4}])
    with pytest.raises(InputError, match=rf"limit #2 is no longer there: an earlier change removed it \(remove_window "
                                         rf"w2 at {path}:{_line(path, 'op: remove_window')}\)"):
        apply_scenarios(base, path)
    past = write(tmp_path, [{"op": "set_limit", "index": 2, "max_actors": 4}], "past.yaml")
    with pytest.raises(InputError, match=r"there is 1 limit in waves.yaml; index 2 is past the last"):
        apply_scenarios(base, past)  # was "there are 1 limits"


# --------------------------------------------------------------------------------------------------
# 3. and 4. (rechecker #6, #7a) the verifier's wording of a mandatory organisation, and one left out


def test_an_opted_out_organisation_that_returns_reads_as_explain_words_it():
    p = build([org("m1"), org("aure", name="Aure", status="opted_out", returns="2024-03-01")])
    plan = solved(p)
    left = dataclasses.replace(plan, plan=[dataclasses.replace(a, go_live=None, window=None) if a.id == "aure" else a
                                           for a in plan.plan])
    [finding] = [v for v in verify(p, left, check_objective=False) if v.rule == "mandatory"]
    assert finding.message == "Aure (aure) must go live (opted out, returns 2024-03-01*) but is unscheduled"
    assert "opted_out" not in finding.message and "must be scheduled" not in finding.message


def test_an_organisation_the_plan_leaves_out_is_one_finding():
    p = build([org("m1"), org("m2", status="signed"), org("m3", status="optional")])
    plan = solved(p)
    left = Solution(status=Status.feasible, plan=[a for a in plan.plan if a.id == "m1"])
    found = verify(p, left, check_objective=False)
    assert [(v.rule, v.actors) for v in found] == [("plan", ("m2",)), ("plan", ("m3",))]  # m2 was counted twice
    assert [v.message for v in found] == ["M2 (m2) is missing from the plan (it must go live: status signed)",
                                          "M3 (m3) is missing from the plan"]
    # listed as unscheduled, it is the mandatory finding (once)
    listed = Solution(status=Status.feasible, plan=left.plan + [Assignment("m2", "M2", "municipality", "primary", None,
                                                                           None, False)])
    assert [v.rule for v in verify(p, listed, check_objective=False) if "m2" in v.actors] == ["mandatory"]
