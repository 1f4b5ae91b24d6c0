"""The library as a notebook uses it (session 25): a re-plan keeps the data's frozen horizon as the command
does; verify of no plan; the estimate flags of a plan's JSON; TypeErrors for wrong arguments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from helpers import MORE_WINDOWS, build, org, solved, windows_of
from typer.testing import CliRunner

import hpplan
from hpplan import check, cli
from hpplan.errors import InputError
from hpplan.formats import peak_loads
from hpplan.scenario import Add, Scenario, apply_quick, apply_scenario
from hpplan.solution import Solution, Status, read_plan
from hpplan.solve import NO_FREEZE, Baseline, SolveOptions, solve_replan
from hpplan.sweep import Results, aggregate, load_spec, resolve

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args))


# --------------------------------------------------------------------------------------------------
# 1. the data's freeze_until


def _newcomer(**waves):
    """test_replan's frozen-horizon case: a in w1, b in w2; a newcomer that must go live by May moves a
    (free) or b (frozen until March)."""
    problem = build([org("a", population=100), org("b", population=100, earliest="2024-04-01")],
                    limits=[{"max_actors": 1}], windows=MORE_WINDOWS,
                    blackouts=[{"from": "2024-09-01", "to": "2024-11-30", "reason": "test", "actors": ["b"]}], **waves)
    base = solved(problem)
    add = Add.model_validate({"op": "add", "organisation": org("c", population=1000, latest="2024-05-01")})
    return apply_scenario(problem, Scenario("c.yaml", "data", "newcomer", [add])), base


def test_a_replan_keeps_the_datas_freeze_until_unless_given_another_or_none():
    problem, base = _newcomer(freeze_until="2024-03-01")
    baseline = Baseline(base)
    frozen, replan = solve_replan(problem, SolveOptions(time_limit=20), baseline)
    assert windows_of(frozen) == {"a": "w1", "b": "w5", "c": "w2"} and replan.frozen == 1
    assert frozen.stats.freeze_until == dt.date(2024, 3, 1)  # what compare() can default to
    assert baseline.freeze_until is None  # the caller's Baseline as it was

    free, replan = solve_replan(problem, SolveOptions(time_limit=20), Baseline(base, freeze_until=NO_FREEZE))
    assert windows_of(free) == {"a": "w3", "b": "w2", "c": "w1"} and replan.frozen == 0
    assert free.stats.freeze_until is None

    given, _ = solve_replan(problem, SolveOptions(time_limit=20), Baseline(base, freeze_until=dt.date(2024, 2, 1)))
    assert given.stats.freeze_until == dt.date(2024, 2, 1)  # the one given wins
    assert hpplan.solve(problem, SolveOptions(time_limit=20)).stats.freeze_until is None  # no baseline, no freeze


def test_the_library_replans_as_solve_baseline_does_with_freeze_until_in_waves_yaml(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "organisations.yaml").write_text((TINY / "organisations.yaml").read_text())
    (data / "waves.yaml").write_text((TINY / "waves.yaml").read_text().replace(
        "planning_date: 2024-01-15", "planning_date: 2024-01-15\nfreeze_until: 2024-05-01"))
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(data), "-t", "10", "-f", "json", "-o", str(plan)).exit_code == 0
    result = run("solve", "--data", str(data), "-t", "10", "--baseline", str(plan), "--postpone",
                 "orsta=2024-09-01", "-f", "json")
    assert result.exit_code == 0, result.output
    command = json.loads(result.stdout)

    problem = apply_quick(hpplan.load_problem(data), postpone=["orsta=2024-09-01"])
    solution, replan = solve_replan(problem, SolveOptions(time_limit=10), Baseline(read_plan(plan)))
    assert {k: v for k, v in command.items() if k != "baseline"} == solution.to_json_dict()
    assert replan.released == command["baseline"]["released"] == ["orsta"]
    assert solution.stats.freeze_until.isoformat() == command["baseline"]["freeze_until"] == "2024-05-01"


# --------------------------------------------------------------------------------------------------
# 2. no plan to verify


@pytest.mark.parametrize("status", [Status.infeasible, Status.unknown])
def test_verify_of_a_solution_with_no_plan_is_a_value_error(status):
    problem = hpplan.load_problem(TINY)
    with pytest.raises(ValueError, match=f"the solution has no plan \\({status.value}\\)"):
        hpplan.verify(problem, Solution(status=status))


def test_a_saved_plan_with_no_plan_is_bad_input_for_check_explain_and_report(tmp_path):
    saved = tmp_path / "none.json"
    saved.write_text('{\n  "status": "infeasible",\n  "objective": {},\n  "plan": [],\n  "load": []\n}\n')
    with pytest.raises(InputError, match="has no plan \\(status infeasible") as error:
        check.check_plan(hpplan.load_problem(TINY), saved)
    assert error.value.where.line == 2  # the status
    for args in (["check", "--plan", str(saved)], ["explain", "--actor", "orsta", "--plan", str(saved)],
                 ["report", "--plan", str(saved), "-o", str(tmp_path / "r.html")]):
        result = run(*args, "--data", str(TINY))
        assert result.exit_code == 2, (args, result.output)
        assert f"{saved}:2: the plan file has no plan (status infeasible" in result.output
        assert "missing from the plan" not in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text("")  # an empty plan file keeps its own error
    result = run("check", "--data", str(TINY), "--plan", str(empty))
    assert result.exit_code == 2 and "file is empty" in result.output


# --------------------------------------------------------------------------------------------------
# 3. estimate flags in a plan's JSON


@pytest.fixture(scope="module")
def tiny_plan():
    problem = hpplan.load_problem(TINY)
    return problem, hpplan.solve(problem, SolveOptions(time_limit=10))


def test_the_plan_json_marks_estimated_objective_terms_and_loads(tiny_plan):
    problem, solution = tiny_plan
    data = json.loads(solution.to_json())
    # the populations are estimates; the preference counts windows; the tiny data's pools are facts, its
    # load profiles estimates
    assert data["objective_is_estimate"] == {"population_delay": True, "preference": False, "total": True}
    assert list(data)[:3] == ["status", "objective", "objective_is_estimate"]
    assert all(list(p) == ["pool", "month", "used", "used_is_estimate", "limit", "limit_is_estimate"]
               for p in data["load"])
    assert all(p["used_is_estimate"] is (p["used"] > 0) and p["limit_is_estimate"] is False for p in data["load"])
    for peak in peak_loads(problem, solution):  # as the terminal and Markdown mark them
        point = next(p for p in data["load"] if (p["pool"], p["month"]) == (peak.pool, peak.month))
        assert (point["used_is_estimate"], point["limit_is_estimate"]) == (peak.used_estimate, peak.limit_estimate)
    assert solution.objective_is_estimate["population_delay"] is True
    assert solution.load[0].used_is_estimate is (solution.load[0].used > 0)


def test_the_command_writes_the_flags_and_marks_an_estimated_limit(tmp_path):
    result = run("solve", "--data", str(REPO / "data"), "-t", "10", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["objective_is_estimate"] == {"population_delay": True, "preference": False, "total": True}
    assert {p["limit_is_estimate"] for p in data["load"]} == {True}  # 168* and 72* FTE: inferred
    assert {p["used_is_estimate"] for p in data["load"] if p["used"] == 0} == {False}  # a zero is no estimate


def test_read_plan_reads_plans_with_and_without_the_flags(tiny_plan, tmp_path):
    _, solution = tiny_plan
    path = tmp_path / "plan.json"
    path.write_text(solution.to_json())
    again = read_plan(path)
    assert again.to_json() == solution.to_json()  # the same bytes back
    assert again.objective_is_estimate == solution.objective_is_estimate and again.load == solution.load
    assert [(p.used_is_estimate, p.limit_is_estimate) for p in again.load] == \
        [(p.used_is_estimate, p.limit_is_estimate) for p in solution.load]
    data = json.loads(solution.to_json())
    del data["objective_is_estimate"]
    for point in data["load"]:
        del point["used_is_estimate"], point["limit_is_estimate"]
    path.write_text(json.dumps(data, indent=2))
    older = read_plan(path)
    assert older.objective_is_estimate is None and older.load[0].used_is_estimate is None
    assert older.plan == solution.plan and older.load == solution.load  # the figures compare equal
    assert json.loads(older.to_json()) == data  # and the flags are not said where the file did not say them


@pytest.mark.parametrize("edit, message, keys", [
    (lambda d: d.update(objective_is_estimate=[]), "objective_is_estimate: expected an object", ("objective_is_estimate",)),
    (lambda d: d["objective_is_estimate"].update(total="yes"), "objective_is_estimate: total is \"yes\"",
     ("objective_is_estimate", "total")),
    (lambda d: d["load"][1].update(limit_is_estimate=1), "load entry 2: limit_is_estimate is 1",
     ("load", 1, "limit_is_estimate")),
])
def test_a_flag_of_the_wrong_form_is_refused_at_its_line(tiny_plan, tmp_path, edit, message, keys):
    from hpplan.solution import JsonLines

    data = json.loads(tiny_plan[1].to_json())
    edit(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(InputError, match=message) as error:
        read_plan(path)
    assert error.value.where.line == JsonLines(path.read_text()).line(keys)


# --------------------------------------------------------------------------------------------------
# 4. wrong arguments: TypeError; a path where a path is natural


def test_check_functions_say_what_they_take(tiny_plan):
    problem, solution = tiny_plan
    with pytest.raises(TypeError, match="check_data takes a Problem .*got str"):
        check.check_data("data")
    with pytest.raises(TypeError, match="check_plan takes a Problem .*got str"):
        check.check_plan("data", TINY / "plan.yaml")
    with pytest.raises(TypeError, match="check_plan takes plan_path as the path of a plan file .*got Solution; "
                                        "a Solution is checked by hpplan.verify"):
        check.check_plan(problem, solution)
    with pytest.raises(TypeError, match="check_plan takes known as the path of a file of known findings"):
        check.check_plan(problem, REPO / "data" / "adopted-plan.yaml", known=3)
    for report in (check.to_text, check.to_json, check.to_junit, check.to_github):
        with pytest.raises(TypeError, match=f"{report.__name__} takes a CheckResult .*got NoneType"):
            report(None)


def test_check_plan_takes_a_str_path(tmp_path):
    problem = hpplan.load_problem(REPO / "data")
    by_str = check.check_plan(problem, str(REPO / "data" / "adopted-plan.yaml"))
    assert check.to_json(by_str) == check.to_json(check.check_plan(problem, REPO / "data" / "adopted-plan.yaml"))


def test_sweep_resolve_takes_a_spec_path_and_aggregate_says_what_it_takes(tmp_path):
    spec = tmp_path / "mc.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(REPO / "tests" / "data" / "sweep_tiny"), "description": "test", "kind": "monte_carlo", "samples": 2, "seed": 1,
        "time_limit": 5, "risks": [{"actor": "trust-a", "slip": {"discrete": {0: 0.5, 3: 0.5}}, "source": "estimate: test"}]}))
    by_path = resolve(str(spec))
    assert by_path.digest() == resolve(load_spec(spec)).digest() == resolve(spec).digest()
    with pytest.raises(TypeError, match="resolve takes the spec as load_spec\\(path\\) .*got int"):
        resolve(3)
    results = Results({"size": 0}, None, [])
    with pytest.raises(TypeError, match="got tuple: read_results\\(path\\) returns \\(Results, length\\); give "
                                        "read_results\\(path\\)\\[0\\]"):
        aggregate((results, 10))
    assert aggregate(results).scenarios == 0


# --------------------------------------------------------------------------------------------------
# 5. wording


def test_a_baseline_with_no_plan_is_named_once():
    with pytest.raises(ValueError, match="^the baseline has no plan \\(status unknown\\)"):
        Baseline(Solution(status=Status.unknown))
    with pytest.raises(ValueError, match="^the baseline plan.json has no plan"):
        Baseline(Solution(status=Status.infeasible), name="plan.json")
