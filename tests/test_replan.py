"""Re-planning against a baseline (`hpplan solve --baseline`): fewest moved, then least movement, then the
objective; a frozen horizon keeps early go-lives; history is always frozen."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from helpers import MORE_WINDOWS, build, org, solved, windows_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan.scenario import Add, Scenario, apply_quick, apply_scenario
from hpplan.solution import Status, read_plan
from hpplan.solve import Baseline, SolveOptions, solve_replan
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
runner = CliRunner()


def replanned(problem, baseline, **fields):
    solution, replan = solve_replan(problem, SolveOptions(time_limit=20), Baseline(baseline, **fields))
    if solution.found:
        assert verify(problem, solution) == []
    return solution, replan


def test_an_unchanged_problem_moves_nothing():
    problem = build([org("a", population=100), org("b", earliest="2024-04-01"), org("c")], limits=[{"max_actors": 1}])
    base = solved(problem)
    again, replan = replanned(problem, base)
    assert windows_of(again) == windows_of(base)
    assert (replan.moved, replan.movement, replan.proven) == (0, 0, True)
    assert again.status is Status.optimal and again.objective == base.objective
    assert again.stats.phases[:2] == ["fewest moved", "least movement"]


def test_fewest_moved_beats_the_objective():
    # max one go-live per window: a (big) in w1, b in w2. a postponed to April: planned afresh, a takes
    # w2 and b moves to w1 (two moved); re-planned, a goes to w3 and b stays (one moved)
    problem = build([org("a", population=1000), org("b", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "b": "w2"}
    postponed = apply_quick(problem, postpone=["a=2024-04-01"])
    assert windows_of(solved(postponed)) == {"a": "w2", "b": "w1"}
    stable, replan = replanned(postponed, base)
    assert windows_of(stable) == {"a": "w3", "b": "w2"}
    assert (replan.moved, replan.movement) == (1, 217)  # days from 2024-02-10 to 2024-09-14


def test_least_movement_after_fewest_moved():
    # a must leave w1 (one move either way); it moves as few days as the rules allow
    problem = build([org("a", population=10), org("b", population=1, earliest="2024-04-01")],
                    limits=[{"max_actors": 1}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "b": "w2"}
    blocked = apply_quick(problem, postpone=["a=2024-03-01"])
    stable, replan = replanned(blocked, base)
    assert windows_of(stable) == {"a": "w3", "b": "w2"} and (replan.moved, replan.movement) == (1, 217)


def test_freeze_until_keeps_early_go_lives():
    # max one go-live per window: a in w1, b (ready from April, barred from September to November) in
    # w2. A big newcomer that must go live by May needs w1 or w2, so a or b moves: a to w3 (217 days)
    # or b to w5 (287 days): the least movement moves a, and the newcomer takes w1. Frozen until March,
    # a keeps w1 and b moves.
    problem = build([org("a", population=100), org("b", population=100, earliest="2024-04-01")],
                    limits=[{"max_actors": 1}], windows=MORE_WINDOWS,
                    blackouts=[{"from": "2024-09-01", "to": "2024-11-30", "reason": "test", "actors": ["b"]}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "b": "w2"}
    add = Add.model_validate({"op": "add", "organisation": org("c", population=1000, latest="2024-05-01")})
    newcomer = apply_scenario(problem, Scenario("c.yaml", "data", "newcomer", [add]))
    free, replan = replanned(newcomer, base)
    assert windows_of(free) == {"a": "w3", "b": "w2", "c": "w1"} and (replan.moved, replan.movement) == (1, 217)
    frozen, replan = replanned(newcomer, base, freeze_until=dt.date(2024, 3, 1))
    assert windows_of(frozen) == {"a": "w1", "b": "w5", "c": "w2"} and (replan.moved, replan.movement) == (1, 287)
    assert replan.frozen == 1 and replan.released == []


def test_nothing_new_goes_live_in_the_frozen_horizon():
    problem = build([org("a")])
    base = solved(problem)
    add = Add.model_validate({"op": "add", "organisation": org("c")})
    newcomer = apply_scenario(problem, Scenario("c.yaml", "data", "newcomer", [add]))
    assert windows_of(replanned(newcomer, base)[0]) == {"a": "w1", "c": "w1"}
    assert windows_of(replanned(newcomer, base, freeze_until=dt.date(2024, 3, 1))[0]) == {"a": "w1", "c": "w2"}


def test_a_frozen_go_live_the_data_no_longer_allows_is_released():
    problem = build([org("a"), org("b")])
    base = solved(problem)
    postponed = apply_quick(problem, postpone=["a=2024-04-01"])
    frozen, replan = replanned(postponed, base, freeze_until=dt.date(2024, 6, 1))
    # a leaves its frozen window (its own data changed), but may not go live in the frozen w2 either
    assert windows_of(frozen) == {"a": "w3", "b": "w1"}
    assert replan.released == ["a"] and replan.frozen == 1


def test_a_frozen_go_live_excluded_or_now_before_the_planning_date_is_named_released():
    # before, these were neither kept nor released: the report said only "1 go-lives kept"
    from hpplan.scenario import SetPlanningDate

    problem = build([org("a", population=100), org("b", population=50)], limits=[{"max_actors": 1}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "b": "w2"}
    excluded = apply_quick(problem, exclude=["b"])
    _, replan = replanned(excluded, base, freeze_until=dt.date(2024, 6, 1))
    assert replan.frozen == 1 and replan.released == ["b"]
    later = SetPlanningDate.model_validate({"op": "set_planning_date", "date": "2024-02-15"})
    moved_on = apply_scenario(problem, Scenario("later.yaml", "data", "a later planning date", [later]))
    _, replan = replanned(moved_on, base, freeze_until=dt.date(2024, 6, 1))
    assert replan.frozen == 1 and replan.released == ["a"]


def test_history_is_always_frozen():
    problem = build([org("old", status="live", live_since="2023-11-04"), org("m1")])
    base = solved(problem)
    again, replan = replanned(problem, base)
    assert again.assignment("old").pinned and again.assignment("old").window == "h1"
    assert replan.moved == 0


# ---- the command ----------------------------------------------------------------------------------


def run(*args: str):
    return runner.invoke(cli.app, list(args))


def test_solve_with_a_baseline_reports_what_moved_and_why(tmp_path):
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "-f", "json", "-o", str(plan)).exit_code == 0

    same = run("solve", "--data", str(TINY), "--baseline", str(plan), "-f", "json")
    assert same.exit_code == 0, same.output
    data = json.loads(same.stdout)
    assert data["baseline"]["moved"] == 0 and data["baseline"]["changes"] == []
    assert data["plan"] == json.loads(plan.read_text())["plan"]

    moved = run("solve", "--data", str(TINY), "--baseline", str(plan), "--postpone", "orsta=2024-09-01", "-f", "json")
    data = json.loads(moved.stdout)
    assert {"status", "objective", "plan", "load", "baseline"} <= set(data)
    changes = {c["id"]: c for c in data["baseline"]["changes"]}
    assert changes["orsta"]["cause"]["text"] == "earliest none -> 2024-09-01* (scenario)"
    assert data["baseline"]["moved"] == len(changes)

    table = run("solve", "--data", str(TINY), "--baseline", str(plan), "--postpone", "orsta=2024-09-01")
    assert table.exit_code == 0 and "Changes from the baseline" in table.stdout
    assert "why: earliest none -> 2024-09-01* (scenario)" in table.stdout


def test_freeze_until_needs_a_baseline_and_may_come_from_the_data(tmp_path):
    result = run("solve", "--data", str(TINY), "--freeze-until", "2024-06-01")
    assert result.exit_code == 2 and "give --baseline" in result.output

    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "-f", "json", "-o", str(plan)).exit_code == 0
    data = tmp_path / "data"
    data.mkdir()
    (data / "organisations.yaml").write_text((TINY / "organisations.yaml").read_text())
    (data / "waves.yaml").write_text((TINY / "waves.yaml").read_text().replace(
        "planning_date: 2024-01-15", "planning_date: 2024-01-15\nfreeze_until: 2024-05-01"))
    result = run("solve", "--data", str(data), "--baseline", str(plan), "--postpone", "orsta=2024-09-01", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["baseline"]
    assert report["freeze_until"] == "2024-05-01"
    # Ørsta's window (April) is frozen but its new earliest date rules it out: released
    assert report["released"] == ["orsta"]


def test_shipped_data_replanned_against_its_own_plan_moves_nothing(tmp_path):
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(REPO / "data"), "-t", "10", "-f", "json", "-o", str(plan)).exit_code == 0
    result = run("solve", "--data", str(REPO / "data"), "-t", "10", "--baseline", str(plan), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["baseline"]["moved"] == 0
    assert [a["go_live"] for a in data["plan"]] == [a.go_live.isoformat() if a.go_live else None
                                                    for a in read_plan(plan).plan]


def test_a_frozen_go_live_a_rule_moves_is_released_not_infeasible():
    # the hospital is frozen in w1 with its trust, but goes with it (together rule) when the trust is
    # postponed; nothing else enters the frozen horizon, so both go to the first window after it
    problem = build([org("t", kind="health_trust"), org("h", kind="hospital", population=0)],
                    rules=[{"type": "together", "actors": ["t", "h"]}])
    base = solved(problem)
    postponed = apply_quick(problem, postpone=["t=2024-04-01"])
    frozen, replan = replanned(postponed, base, freeze_until=dt.date(2024, 6, 1))
    assert windows_of(frozen) == {"t": "w3", "h": "w3"}
    assert replan.frozen == 0 and replan.released == ["t", "h"]


def test_an_organisation_the_rules_bring_into_the_frozen_horizon_is_named():
    # a together rule with a frozen go-live pulls its partner into the frozen window: the freeze's
    # "nothing else goes live there" cannot hold, and the report says who joined (it said nothing)
    problem = build([org("a", population=100), org("e", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "e": "w2"}
    tied = build([org("a", population=100), org("e", population=10)], limits=[{"max_actors": 2}],
                 rules=[{"type": "together", "actors": ["a", "e"]}])
    frozen, replan = replanned(tied, base, freeze_until=dt.date(2024, 3, 1))
    assert windows_of(frozen) == {"a": "w1", "e": "w1"}
    assert replan.frozen == 1 and replan.released == [] and replan.joined == ["e"]


LEAST = "optimal among the plans that change the baseline least"


def test_a_replan_s_optimum_says_it_is_among_the_plans_that_change_the_baseline_least(tmp_path):
    # its bound proves it best only among those plans: "optimal" alone read as the best plan of the data
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "-f", "json", "-o", str(plan)).exit_code == 0
    args = ["--data", str(TINY), "--baseline", str(plan), "--postpone", "orsta=2024-09-01"]
    data = json.loads(run("solve", *args, "-f", "json").stdout)
    assert (data["status"], data["baseline"]["status_text"]) == ("optimal", LEAST)  # the status stays the enum
    table = run("solve", *args)
    assert f"(the plan is {LEAST})" in " ".join(table.stdout.split())
    assert f"Status: {LEAST}" in table.stdout  # the plan's own status line (footer) says it too
    markdown = run("solve", *args, "-f", "markdown").stdout
    assert f"scenario status: **{LEAST}**" in markdown and f"- Status: **{LEAST}**" in markdown
    assert "Status: optimal\n" in run("solve", "--data", str(TINY)).stdout  # a plan of its own: optimal

    compared = run("compare", *args, "-f", "json")
    assert compared.exit_code == 0, compared.output
    report = json.loads(compared.stdout)
    assert (report["status"], report["status_text"]) == ("optimal", LEAST)
    assert f"with the changes ({LEAST})" in " ".join(run("compare", *args).stdout.split())
    fresh = json.loads(run("compare", *args, "--fresh", "-f", "json").stdout)
    assert (fresh["status"], fresh["status_text"]) == ("optimal", "optimal")  # planned afresh: the best plan


def test_an_organisation_the_baseline_leaves_out_goes_where_the_objective_puts_it():
    # the baseline has `b` opted out; signed now, it must go live. Its move is one whichever window it
    # gets, and no one else need move: the objective puts it first (w1). The least-movement phase
    # counted its distance from 'the day after the last window' and pushed it into the last (w4)
    out = build([org("a", population=100), org("b", population=50, status="opted_out")])
    base = solved(out)
    assert windows_of(base) == {"a": "w1", "b": None}
    signed = build([org("a", population=100), org("b", population=50, status="signed")])
    stable, replan = replanned(signed, base)
    assert windows_of(stable) == {"a": "w1", "b": "w1"} and (replan.moved, replan.movement) == (1, 0)
    assert stable.objective == solved(signed).objective  # no cost of its own from the re-plan


def test_the_library_s_compare_of_a_replan_says_it_as_the_command_line_does():
    # docs/scenarios.md "From Python" calls compare(base, base_problem, plan, problem): "optimal" alone
    from hpplan.compare import compare

    problem = build([org("a", population=1000), org("b", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    postponed = apply_quick(problem, postpone=["a=2024-04-01"])
    stable, _ = replanned(postponed, base)
    assert compare(base, problem, stable, postponed).other_status_text == LEAST
    assert compare(base, problem, solved(postponed), postponed).other_status_text == "optimal"


def test_a_saved_replan_reads_back_as_a_replan(tmp_path):
    # the JSON's status is "optimal": read back, report --plan called it optimal without the qualifier
    from hpplan.formats import status_text

    problem = build([org("a", population=1000), org("b", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    stable, _ = replanned(apply_quick(problem, postpone=["a=2024-04-01"]), base)
    saved = tmp_path / "replan.json"
    saved.write_text(stable.to_json(), encoding="utf-8")
    assert json.loads(saved.read_text())["solver"]["least_change"] is True
    assert status_text(read_plan(saved)) == LEAST
    assert "least_change" not in base.to_json_dict()["solver"]  # a plan of its own: the key is left out
