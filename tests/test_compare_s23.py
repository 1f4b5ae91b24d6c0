"""`compare` against a YAML baseline that leaves out an organisation its data has: the organisation is
"not in the baseline plan", not "added by the scenario" (there may be no scenario at all)."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import yaml
from helpers import build, line_of, org, solved
from test_compare_s22 import TINY, run, yaml_plan

from hpplan.cli_compare import comparison_text, entries, totals_lines
from hpplan.compare import compare
from hpplan.loader import load_problem
from hpplan.scenario import Exclude, MoveWindow, Scenario, apply_quick, apply_scenario, apply_scenarios
from hpplan.solution import Solution, Status
from hpplan.solve import Baseline, SolveOptions, solve


def test_an_organisation_left_out_of_a_yaml_baseline_is_not_in_the_baseline_not_added(tmp_path):
    plan = yaml_plan(tmp_path)
    entries = yaml.safe_load(plan.read_text(encoding="utf-8"))["plan"]
    left_out = entries.pop()["id"]
    plan.write_text(yaml.safe_dump({"plan": entries}, sort_keys=False), encoding="utf-8")

    result = run("compare", "--baseline", str(plan), "--data", str(TINY), "-f", "json")
    assert result.exit_code == 0, result.output
    move = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == left_out)
    assert move["change"] == "not_in_baseline" and move["cause"]["kind"] == "baseline", move
    assert "scenario" not in move["cause"]["text"]

    text = run("compare", "--baseline", str(plan), "--data", str(TINY)).stdout
    assert "Added by the scenario" not in text and "Not in the baseline plan (1)" in text, text
    assert f"{left_out}  not in the baseline -> " in text, text


def test_an_organisation_a_scenario_adds_is_still_added(tmp_path):
    scenario = tmp_path / "add.yaml"
    scenario.write_text(yaml.safe_dump({"base": str(TINY), "description": "a new municipality", "changes": [
        {"op": "add", "organisation": org("new-kommune")}]}, sort_keys=False), encoding="utf-8")
    result = run("compare", "--baseline", str(TINY), "-s", str(scenario), "-f", "json")
    assert result.exit_code == 0, result.output
    move = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == "new-kommune")
    assert move["change"] == "added" and move["cause"]["kind"] == "added", move


# ---- s23 testers (scenarist, notebook): a baseline with no plan, arguments, a known 0, window causes, lines ----

def _replanned(base_problem, other_problem):
    """The comparison of the baseline's plan with the other data re-planned against it (as `hpplan compare`
    does by default)."""
    base = solved(base_problem)
    return compare(base, base_problem, solve(other_problem, SolveOptions(time_limit=20), Baseline(base)), other_problem)


def _moved(comparison, ident):
    return next(m for m in comparison.moves if m.id == ident)


def test_a_baseline_with_no_plan_is_refused_not_nothing_moved():
    # an infeasible baseline compared "No go-live moved ... 0 MNOK" although the new plan schedules everyone
    problem = load_problem(TINY)
    plan = solved(problem)
    for status in (Status.infeasible, Status.unknown):
        with pytest.raises(ValueError, match=f"the baseline has no plan \\(status {status.value}\\)"):
            compare(Solution(status=status), problem, plan, problem)
    # a baseline that has a plan with nobody in it is one: every organisation is not in it
    empty = compare(Solution(status=Status.feasible), problem, plan, problem)
    assert {m.change for m in empty.moves} == {"not_in_baseline"} and len(empty.moves) == len(plan.plan)


def test_compare_and_solve_refuse_a_saved_baseline_with_no_plan(tmp_path):
    infeasible = tmp_path / "infeasible.json"
    infeasible.write_text(Solution(status=Status.infeasible).to_json(), encoding="utf-8")
    out = tmp_path / "out.txt"
    out.write_text("old", encoding="utf-8")
    for command in (["compare", "--baseline", str(infeasible), "--data", str(TINY)],
                    ["solve", "--data", str(TINY), "--baseline", str(infeasible)]):
        result = run(*command, "-t", "5", "-o", str(out))
        assert result.exit_code == 2, result.output
        assert (f"error: {infeasible}: the baseline has no plan (status infeasible), so there is nothing to compare "
                "with or keep") in result.output, result.output
        assert "No go-live moved" not in result.output and out.read_text(encoding="utf-8") == "old"


def test_wrong_arguments_are_a_type_error_at_the_call():
    problem = load_problem(TINY)
    plan = solved(problem)
    with pytest.raises(TypeError, match=r"takes base as a Solution .*got Problem"):
        compare(problem, plan, problem, plan)  # the arguments swapped
    with pytest.raises(TypeError, match=r"takes base as a Solution .*got str"):
        compare("plan.json", problem, plan, problem)
    with pytest.raises(TypeError, match=r"takes other_problem as a Problem .*got str"):
        compare(plan, problem, plan, str(TINY))
    with pytest.raises(TypeError, match=r"freeze_until is a datetime.date .*got str '2025-01-01'"):
        compare(plan, problem, plan, problem, freeze_until="2025-01-01")
    with pytest.raises(TypeError, match=r"freeze_until is a datetime.date .*got datetime"):
        compare(plan, problem, plan, problem, freeze_until=dt.datetime(2025, 1, 1))
    assert compare(plan, problem, plan, problem, freeze_until=dt.date(2025, 1, 1)).moves == []


def test_a_costed_move_within_a_calendar_month_is_a_known_estimated_zero_not_unknown():
    # the window moves two weeks within February: the trust's cost (an estimate) is 0 months x 40 = 0*,
    # known; the line said "Cost of delay: unknown" and the JSON cost_of_delay_is_estimate false
    base = build([org("t", kind="health_trust", population=100, postponement_cost_per_month=40.0),
                  org("m", population=10)])
    change = MoveWindow.model_validate({"op": "move_window", "window": "w1", "date": "2024-02-24"})
    other = apply_scenario(base, Scenario("m.yaml", "data", "two weeks later", [change]))
    comparison = _replanned(base, other)
    t = _moved(comparison, "t")
    assert (t.change, t.days, t.months, t.cost, t.cost_estimate) == ("later", 14, 0, 0.0, True)
    assert totals_lines(comparison)[2] == ("Estimated cost of delay: 0* MNOK; the data gives no cost for 1 of the 2 "
                                           "organisations moved later")
    totals = comparison.to_json_dict()["totals"]
    assert totals["cost_of_delay_mnok"] == 0 and totals["cost_of_delay_is_estimate"] is True
    assert totals["cost_is_estimate"] is True and totals["no_cost_given"] == ["m"]
    assert "+14* days  0* MNOK" in comparison_text(comparison, 80, "c")  # its cost: 0, not left blank


def test_a_together_group_shares_a_line_across_a_partner_whose_own_cause_differs():
    # hareid and ulstein follow heroy (together rule); by id heroy comes between them, and they were two lines
    base = build([org(i) for i in ("hareid", "heroy", "ulstein")],
                 rules=[{"type": "together", "actors": ["ulstein", "hareid", "heroy"], "id": "group"}])
    other = apply_quick(base, postpone=["heroy=2024-04-01"])
    comparison = _replanned(base, other)
    assert [m.id for m in comparison.moves] == ["hareid", "heroy", "ulstein"]
    assert [e.ids for e in entries(comparison.moves)] == ["hareid, ulstein", "heroy"]
    text = comparison_text(comparison, 80, "c")
    assert "hareid, ulstein  2024-02-10 -> 2024-04-27" in text and text.count("why: together rule group") == 1


def test_an_exclude_with_a_return_date_says_the_status_it_sets_too():
    base = build([org("a", kind="health_trust", population=100), org("b")])
    change = Exclude.model_validate({"op": "exclude", "actor": "a", "returns": "2024-04-01"})
    other = apply_scenario(base, Scenario("x.yaml", "data", "out until April", [change]))
    a = _moved(_replanned(base, other), "a")
    assert a.cause.kind == "scenario"
    assert a.cause.text == "status planned -> opted_out; returns none -> 2024-04-01* (scenario)"


def test_an_infeasible_comparison_is_titled_infeasible_not_re_planned():
    result = run("compare", "--baseline", str(TINY), "--postpone", "orsta=2030-01-01", "-t", "5")
    assert result.exit_code == 1, result.output
    title = " ".join(result.stdout.split("  scenario:")[0].split())
    assert title.endswith(f"-> {TINY} with the changes (infeasible)"), title


def _tiny_with_a_blackout(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    with open(data / "waves.yaml", "a", encoding="utf-8") as waves:
        waves.write("\nblackouts:\n  - {from: 2024-05-01, to: 2024-05-31, reason: strike}\n")
    return data


def test_a_window_moved_into_a_blackout_says_so_in_the_main_cause(tmp_path):
    # "its window moved" alone: the blackout that closes the moved window was only among the other causes
    data = _tiny_with_a_blackout(tmp_path)
    scenario = tmp_path / "may.yaml"
    scenario.write_text(yaml.safe_dump({"base": str(data), "description": "April slips into May", "changes": [
        {"op": "move_window", "window": "2024-04", "date": "2024-05-18"}]}), encoding="utf-8")
    problem = load_problem(data)
    other = apply_scenarios(problem, scenario)
    orsta = _moved(_replanned(problem, other), "orsta")
    assert orsta.window_before == "2024-04" and orsta.window_after != "2024-04"
    assert orsta.cause.kind == "window"
    assert orsta.cause.text == ("its window 2024-04 moved from 2024-04-27 to 2024-05-18 (scenario), inside the "
                                "blackout 2024-05-01 to 2024-05-31: strike")
    blackout = next(c for c in orsta.causes if c.rule == "blackout")  # its line, as a cause of its own
    assert blackout.where == f"{data / 'waves.yaml'}:{line_of(data / 'waves.yaml', 'reason: strike')}"


def test_a_window_the_scenario_added_is_named_at_the_scenario_s_line(tmp_path):
    scenario = tmp_path / "march.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: a March window\nchanges:\n  - op: add_window\n    window:\n"
                        '      id: "2024-03"\n      date: 2024-03-16\n', encoding="utf-8")
    problem = load_problem(TINY)
    other = apply_scenarios(problem, scenario)
    orsta = _moved(compare(solved(problem), problem, solved(other), other), "orsta")
    assert (orsta.change, orsta.window_after) == ("earlier", "2024-03")
    assert orsta.cause.text == "its new window 2024-03 is not in the base data (added by the scenario)"
    assert orsta.cause.where == f"{scenario}:{line_of(scenario, 'date: 2024-03-16')}"


def test_a_moved_window_and_an_exclude_s_return_date_are_named_at_their_scenario_lines(tmp_path):
    # a moved window's cause had `where: null`; an exclude's return date pointed at its `actor:` line
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: later\nchanges:\n  - op: move_window\n    window: '2024-04'\n"
                        "    date: 2024-05-18\n  - op: exclude\n    actor: alesund\n    returns: 2024-11-01\n",
                        encoding="utf-8")
    problem = load_problem(TINY)
    comparison = _replanned(problem, apply_scenarios(problem, scenario))
    moved = [m for m in comparison.moves if m.cause is not None and m.cause.text.startswith("its window 2024-04 moved")]
    assert moved and all(m.cause.where == f"{scenario}:{line_of(scenario, 'date: 2024-05-18')}" for m in moved)
    returns = _moved(comparison, "alesund").cause
    assert returns.text.startswith("status ") and returns.where == f"{scenario}:{line_of(scenario, 'returns:')}"


def test_the_peak_loads_name_the_fullest_month_where_it_is_another():
    # with primary cut to 80 % for 2025-01..06, "56.5 of 72* FTE in 2025-10" hid 56 of 57.6* in 2025-02
    from hpplan.compare import Comparison, PeakChange, _peak_json
    from hpplan.formats import PeakLoad

    fullest = PeakLoad("primary", None, "2025-02", 56, 57.6, True)
    after = PeakLoad("primary", None, "2025-10", 56.5, 72, True, fullest)
    comparison = Comparison("optimal", "optimal", [])
    comparison.peaks = [PeakChange("primary", PeakLoad("primary", None, "2025-02", 72, 72, True), after)]
    assert totals_lines(comparison)[-1] == ("Peak load primary: 72 of 72* FTE in 2025-02 -> 56.5 of 72* FTE in 2025-10 "
                                            "(fullest: 56 of 57.6* FTE in 2025-02)")
    assert _peak_json(after)["fullest"] == {"month": "2025-02", "used": 56, "used_is_estimate": False, "limit": 57.6,
                                            "limit_is_estimate": True, "fullest": None}


def test_a_window_the_scenario_removed_is_named_at_the_scenario_s_line(tmp_path):
    # its cause had `where: null`: the changed data kept nothing of a removed window
    scenario = tmp_path / "gone.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: no April\nchanges:\n  - op: remove_window\n    window: '2024-04'\n",
                        encoding="utf-8")
    problem = load_problem(TINY)
    comparison = _replanned(problem, apply_scenarios(problem, scenario))
    gone = [m for m in comparison.moves if m.cause is not None and "removed by the scenario" in m.cause.text]
    assert gone and all(m.cause.where == f"{scenario}:{line_of(scenario, 'window:')}" for m in gone)
