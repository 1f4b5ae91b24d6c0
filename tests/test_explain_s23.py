"""`hpplan explain` after the s23 testers (explainer, notebook): a plan asked about is checked first; a
capacity change says each month's own figure, against the whole data where conflicts share a pool;
estimated capacities are marked `*`; the library's arguments are checked at the call."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from helpers import build, line_of, org, solved, windows_of
from test_check import write_plan
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import check_plan, to_github, to_text
from hpplan.explain import PlanBreaksRules, explain_infeasible, is_feasible, why_not_earlier
from hpplan.formats import ESTIMATE_NOTE
from hpplan.loader import load_problem
from hpplan.solution import Solution, Status
from hpplan.verify import verify

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"
THREE = DATA / "infeasible_three"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])




PROFILE = [{"id": "municipality", "before": [3], "hypercare": [3], "source": {"all": "estimate: test"}}]


def pools(primary: float, source: str = "estimate: test") -> list[dict]:
    return [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
            {"id": "primary", "sector": "primary", "fte": primary, "source": {"fte": source}}]


def _three() -> tuple:
    """m3 one window earlier would overload January (tests/test_explain.py's objective case)."""
    p = build([org("m1", population=100), org("m2", population=1), org("m3", population=5)], profiles=PROFILE,
              pools=pools(5))
    plan = solved(p)
    assert windows_of(plan) == {"m1": "w1", "m3": "w2", "m2": "w3"}
    return p, plan


# --------------------------------------------------------------------------------------------------
# 1. the plan asked about is checked first (library and command alike)


def test_the_library_refuses_a_plan_that_breaks_rules():
    # m1 moved into m3's window: the primary pool is over in that window's months. The answer blamed the
    # move on that breach ("cannot move on its own: pool primary has 5 FTE"), which the plan already had
    p, plan = _three()
    w2 = next(a for a in plan.plan if a.id == "m3")
    broken = dataclasses.replace(plan, plan=[dataclasses.replace(a, go_live=w2.go_live, window=w2.window)
                                             if a.id == "m1" else a for a in plan.plan])
    assert verify(p, broken)
    with pytest.raises(PlanBreaksRules, match="why M2 does not go live earlier is not answered") as caught:
        why_not_earlier(p, "m2", broken)
    assert {v.rule for v in caught.value.violations} >= {"capacity"}
    assert isinstance(caught.value, ValueError)


def test_the_library_refuses_an_empty_plan_and_a_plan_of_other_data():
    p, plan = _three()
    with pytest.raises(PlanBreaksRules, match=r"no go-lives at all \(status infeasible\)"):
        why_not_earlier(p, "m3", Solution(status=Status.infeasible))
    other = build([org("x1"), org("m3", population=5)])  # made from other data: x1 is not in p
    with pytest.raises(PlanBreaksRules, match="not an organisation"):
        why_not_earlier(p, "m3", solved(other))
    assert why_not_earlier(p, "m3", plan).verdict == "objective"  # a plan that keeps every rule is answered


def test_explain_refuses_a_plan_that_breaks_a_rule_with_its_findings_and_exit_1(tmp_path: Path):
    # the GP office after its municipality breaks the with_or_before rule of tiny's waves.yaml
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-09-14"), ("alesund", "2024-02-10"),
                                               ("orsta", "2024-04-27"), ("orsta-legekontor", "2024-09-14")])
    result = run("explain", "--data", TINY, "--actor", "helse-more-og-romsdal", "--plan", plan, "-t", 5)
    assert result.exit_code == 1, result.output
    rule_line = line_of(TINY / "waves.yaml", "with_or_before")
    assert f"{TINY / 'waves.yaml'}:{rule_line}: " in result.stdout
    assert "Why Helse Møre og Romsdal HF does not go live earlier is not answered for this plan" in result.stdout
    assert "hpplan solve --data" in result.stdout and "not one window earlier" not in result.stdout
    report = json.loads(run("explain", "--data", TINY, "--actor", "orsta", "--plan", plan, "-f", "json").stdout)
    assert report["verdict"] == "plan_breaks_rules" and report["actor"] == "orsta"
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("with_or_before", rule_line)]


def test_explain_refuses_a_plan_made_before_a_scenario(tmp_path: Path):
    out = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "--format", "json", "-o", out).exit_code == 0
    scenario = tmp_path / "later.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: Ørsta later\nchanges:\n  - op: postpone\n    actor: orsta\n"
                        "    earliest: 2024-11-01\n", encoding="utf-8")
    assert run("explain", "--data", TINY, "--actor", "orsta", "--plan", out, "-t", 5).exit_code == 0
    result = run("explain", "--data", TINY, "--scenario", scenario, "--actor", "alesund", "--plan", out, "-t", 5)
    assert result.exit_code == 1, result.output
    assert f"{scenario}:" in result.stdout and "before its earliest date 2024-11-01" in result.stdout
    assert f"--scenario {scenario}" in result.stdout  # the solve to run again, with the scenario


def test_a_plan_date_in_no_window_is_reported_at_the_plan_file_s_line_with_the_nearest_window(tmp_path: Path):
    plan = write_plan(tmp_path / "plan.yaml", [("helse-more-og-romsdal", "2024-09-14"), ("alesund", "2024-02-10"),
                                               ("orsta", "2024-04-28"), ("orsta-legekontor", None)])
    result = run("explain", "--data", TINY, "--actor", "orsta", "--plan", plan)
    assert result.exit_code == 1, result.output
    assert f"{plan}:{line_of(plan, 'go_live: 2024-04-28')}: " in result.stdout
    assert "(the nearest is 2024-04 on 2024-04-27)" in result.stdout


# --------------------------------------------------------------------------------------------------
# 5. a question on data with no plan says it was not answered


def test_an_actor_on_data_with_no_plan_is_said_not_to_be_answered():
    result = run("explain", "--data", THREE, "--actor", "haram", "-t", 5)
    assert result.exit_code == 1
    assert result.stdout.startswith("Why Haram does not go live earlier is not answered: the data has no plan")
    assert "No plan satisfies every rule and limit" in result.stdout
    report = json.loads(run("explain", "--data", THREE, "--actor", "haram", "-t", 5, "-f", "json").stdout)
    assert (report["actor"], report["verdict"], report["feasible"]) == ("haram", "no_plan", False)


# --------------------------------------------------------------------------------------------------
# 3. and 4. capacity changes: each month's own figure, against the whole data


def test_extra_capacity_is_each_month_s_own_need():
    # m1 must go live in w1 (February) and loads 8 FTE then and 6 in March, of 5: +3 and +1, not +3 in both
    profile = [{"id": "municipality", "before": [], "hypercare": [8, 6], "source": {"all": "estimate: test"}}]
    p = build([org("m1", latest="2024-02-28")], profiles=profile, pools=pools(5))
    (conflict,) = explain_infeasible(p, time_limit=5).conflicts
    (capacity,) = [r for r in conflict.relaxations if r.kind == "capacity"]
    assert capacity.months == {"2024-02": 3, "2024-03": 1}
    assert capacity.message == "+3 FTE in pool primary in 2024-02, +1 FTE in 2024-03"
    assert capacity.key == "capacity:primary@2024-02" and capacity.amount == 3
    assert capacity.to_json()["months"] == {"2024-02": 3, "2024-03": 1}


def test_extra_capacity_of_a_pool_shared_by_conflicts_is_what_the_whole_data_needs():
    # two conflicts of one pool, in February and in September: each one's change, the other set aside,
    # was +3 FTE in its own month alone, which leaves the data without a plan
    profile = [{"id": "municipality", "before": [], "hypercare": [8], "source": {"all": "estimate: test"}}]
    p = build([org("m1", latest="2024-02-28"), org("m2", earliest="2024-09-01", latest="2024-09-30")],
              profiles=profile, pools=pools(5))
    explanation = explain_infeasible(p, time_limit=5)
    assert len(explanation.conflicts) == 2
    for conflict in explanation.conflicts:
        (capacity,) = [r for r in conflict.relaxations if r.kind == "capacity"]
        assert capacity.months == {"2024-02": 3, "2024-09": 3} and capacity.resolves_all
        assert "with it the whole data has a plan, every conflict resolved" in capacity.message
        assert not [r for r in conflict.relaxations if r.kind != "capacity" and r.resolves_all]
    raised = dataclasses.replace(p, waves=p.waves.model_copy(update={"pools": [
        p.waves.pools[0], p.waves.pools[1].model_copy(update={"fte": 8})]}))
    assert is_feasible(raised, time_limit=5)


def test_extra_capacity_that_cannot_give_the_whole_data_a_plan_says_what_was_set_aside():
    # a rule that cannot hold (m2 before m1, m1 before m2) stays whatever the pool: the capacity change
    # is for its conflict with the other set aside, and says so
    profile = [{"id": "municipality", "before": [], "hypercare": [8], "source": {"all": "estimate: test"}}]
    p = build([org("m1", latest="2024-02-28"), org("m2"), org("m3")], profiles=profile, pools=pools(5),
              rules=[{"type": "order", "actors": ["m2", "m3"]}, {"type": "order", "actors": ["m3", "m2"]}])
    explanation = explain_infeasible(p, time_limit=5)
    (capacity,) = [r for c in explanation.conflicts for r in c.relaxations if r.kind == "capacity"]
    assert capacity.message == ("+3 FTE in pool primary in 2024-02, enough with the other conflicts set aside (no "
                                "extra in the pool alone gives the whole data a plan)")
    assert not capacity.resolves_all


# --------------------------------------------------------------------------------------------------
# 6. estimated capacities marked as everywhere else; 8. the wording


def test_an_estimated_capacity_is_marked_and_a_fact_is_not():
    profile = [{"id": "municipality", "before": [], "hypercare": [8], "source": {"all": "estimate: test"}}]
    plan = solved(build([org("m1", latest="2024-02-28")], profiles=profile, pools=pools(100)))  # m1 in w1: 8 FTE
    dated = {"all": "estimate: test", "latest": "fact: test"}  # its latest date a fact: only the capacity marked
    for source, mark in (("estimate: test", "*"), ("fact: seed 004", "")):
        p = build([org("m1", latest="2024-02-28", source=dated)], profiles=profile, pools=pools(5, source))
        explanation = explain_infeasible(p, time_limit=5)
        reason = next(r for r in explanation.conflicts[0].reasons if r.kind == "capacity")
        assert reason.message.startswith(f"pool primary has 5{mark} FTE in 2024-02"), reason.message
        assert reason.estimate is bool(mark) and reason.to_json()["estimate"] is bool(mark)
        assert explanation.to_text().endswith(f"\n{ESTIMATE_NOTE}\n") is bool(mark)
        [capacity] = [v for v in verify(p, plan) if v.rule == "capacity"]
        assert f"load 8.0* FTE exceeds capacity 5.0{mark} FTE" in capacity.message, capacity.message


def test_an_opted_out_organisation_that_returns_reads_as_such_and_json_summaries_are_sentences():
    p = build([org("m1", status="opted_out", returns="2024-03-01", latest="2024-02-28")])
    reasons = {r.key: r for r in explain_infeasible(p, time_limit=5).conflicts[0].reasons}
    assert reasons["mandatory:m1"].message == "M1 must go live (opted out, returns 2024-03-01*)"
    assert reasons["mandatory:m1"].estimate  # the test's notes are estimates: the mark and the flag agree
    p, plan = _three()
    answer = why_not_earlier(p, "m3", plan)
    assert answer.summary.endswith(":") and answer.to_json_dict()["summary"].endswith("worse by 190*.")


# --------------------------------------------------------------------------------------------------
# 7. the library's arguments


def test_why_not_earlier_and_explain_infeasible_say_what_they_take():
    p, plan = _three()
    with pytest.raises(TypeError, match=r"why_not_earlier takes the plan as a Solution .*got str"):
        why_not_earlier(p, "m3", "plan.json")
    with pytest.raises(TypeError, match="why_not_earlier takes the organisation as its id, a str.*got list"):
        why_not_earlier(p, ["m3"], plan)
    with pytest.raises(TypeError, match="why_not_earlier takes a Problem.*got str"):
        why_not_earlier("data", "m3", plan)
    with pytest.raises(TypeError, match="max_conflicts is an integer"):
        explain_infeasible(p, max_conflicts="3")
    with pytest.raises(ValueError, match="max_conflicts must be at least 1"):
        explain_infeasible(p, max_conflicts=0)
    with pytest.raises(TypeError, match="relax is True or False"):
        explain_infeasible(p, relax="no")



def test_check_says_what_the_mark_on_an_estimated_capacity_means(tmp_path):
    # the verifier marks an estimated capacity `72*`; check's text and GitHub outputs said nothing of it
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace('source: {fte: "fact: seed 004"}',
                                                               'source: {fte: "estimate: test"}'), encoding="utf-8")
    out = tmp_path / "plan.json"
    assert CliRunner().invoke(cli.app, ["solve", "-d", str(data), "-f", "json", "-o", str(out)]).exit_code == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    for point in plan["load"]:
        point["limit"] = point["limit"] + 1  # a load report that states other capacities than the data's
    out.write_text(json.dumps(plan), encoding="utf-8")
    result = check_plan(load_problem(data), out)
    assert result.status == "violations" and result.estimated
    assert any("but its capacity" in f.message and "*" in f.message for f in result.findings)
    assert ESTIMATE_NOTE in to_text(result) and ESTIMATE_NOTE in to_github(result)
