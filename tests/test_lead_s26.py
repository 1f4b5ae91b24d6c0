"""The lead's tests of session 26."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

from helpers import MORE_WINDOWS, build, joined, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan.compare import compare
from hpplan.scenario import apply_quick
from hpplan.solve import Baseline, SolveOptions, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_a_freeze_from_waves_yaml_is_named_as_the_datas_not_as_the_option(tmp_path):
    # a goes live in w1; postponed to March, the frozen w2 would take it: the freeze came from waves.yaml's
    # freeze_until, and the cause said "(--freeze-until)", an option no one gave
    orgs = [org("a", population=1000), org("m1", earliest="2024-09-01", latest="2024-09-30"),
            org("m2", earliest="2024-11-01", latest="2024-11-30")]
    base = build(orgs, windows=MORE_WINDOWS, limits=[{"max_actors": 1}], freeze_until="2024-10-01")
    other = apply_quick(base, postpone=["a=2024-03-01"])
    planned = solved(base)
    replanned = solve(other, SolveOptions(time_limit=20), Baseline(planned))
    assert verify(other, replanned) == []
    a = next(m for m in compare(planned, base, replanned, other).moves if m.id == "a")
    freeze = next(c for c in a.causes if c.kind == "freeze")
    assert "is frozen (freeze_until, " in freeze.text and "--freeze-until" not in freeze.text, freeze.text
    # given as the option, the option is named
    replanned = solve(other, SolveOptions(time_limit=20), Baseline(planned, freeze_until=dt.date(2024, 10, 2)))
    a = next(m for m in compare(planned, base, replanned, other).moves if m.id == "a")
    assert "is frozen (--freeze-until)" in next(c for c in a.causes if c.kind == "freeze").text


def test_check_names_a_plan_or_known_file_that_is_a_folder_as_what_was_expected(tmp_path):
    # check -p FOLDER said "a folder, not a file" where report -p says "a folder, not a plan file; give ..."
    (tmp_path / "adir").mkdir()
    result = runner.invoke(cli.app, ["check", "--data", str(REPO / "data"), "--plan", str(tmp_path / "adir")])
    assert result.exit_code == 2 and "adir: a folder, not a plan file; give a" in result.output
    result = runner.invoke(cli.app, ["check", "--data", str(REPO / "data"), "--plan", str(REPO / "data" / "adopted-plan.yaml"),
                                     "--known", str(tmp_path / "adir")])
    assert result.exit_code == 2 and "adir: a folder, not a known-findings file; give the file" in result.output


def test_solve_explains_infeasible_data_within_its_time_limit_again_unless_a_work_limit_is_given(monkeypatch):
    # `solve -t 10` of infeasible data ran 3 minutes: its explanation had only the work budget (10 x -t)
    import hpplan.explain as explain_module

    given = []
    real = explain_module.explain_infeasible

    def spy(problem, **kwargs):
        given.append(kwargs.get("wall_limit"))
        return real(problem, **kwargs)

    monkeypatch.setattr(explain_module, "explain_infeasible", spy)
    data = REPO / "tests" / "data" / "infeasible_three"
    assert runner.invoke(cli.app, ["solve", "--data", str(data), "-t", "3"]).exit_code == 1
    assert runner.invoke(cli.app, ["solve", "--data", str(data), "-t", "3", "--work-limit", "2"]).exit_code == 1
    assert given == [3.0, None]


def test_a_scenario_base_without_the_data_files_is_said_at_its_base_line(tmp_path):
    (tmp_path / "halfdata").mkdir()
    shutil.copy(REPO / "data" / "waves.yaml", tmp_path / "halfdata" / "waves.yaml")
    spec = tmp_path / "b.yaml"
    spec.write_text(f"base: {tmp_path / 'halfdata'}\ndescription: x\nchanges:\n  - {{op: exclude, actor: aure}}\n",
                    encoding="utf-8")
    result = runner.invoke(cli.app, ["solve", "-s", str(spec), "-t", "2"])
    assert result.exit_code == 2, result.output
    assert f"{spec}:1: base: no data folder" in result.output and "holds waves.yaml but no organisations.yaml" in \
        joined(result.output), result.output


def test_a_library_replans_json_keeps_its_frozen_horizon_when_read_back(tmp_path):
    # `Solution.to_json()` of a library re-plan wrote no freeze (only the command's `baseline` report had it):
    # read back, compare() then explained its moves without the freeze
    from hpplan.solution import read_plan

    orgs = [org("a", population=1000), org("b", earliest="2024-09-01")]
    base = build(orgs, windows=MORE_WINDOWS, freeze_until="2024-10-01")
    other = apply_quick(base, postpone=["a=2024-03-01"])
    replanned = solve(other, SolveOptions(time_limit=20), Baseline(solved(base)))
    assert replanned.stats.freeze_until == dt.date(2024, 10, 1)
    path = tmp_path / "replan.json"
    path.write_text(replanned.to_json(), encoding="utf-8")
    assert json.loads(path.read_text())["solver"]["freeze_until"] == "2024-10-01"
    back = read_plan(path)
    assert (back.stats.least_change, back.stats.freeze_until) == (True, dt.date(2024, 10, 1))
    fresh = solved(other)  # no baseline: no freeze written
    assert "freeze_until" not in json.loads(fresh.to_json())["solver"]


def test_a_replan_out_of_time_before_a_plan_of_its_own_gives_the_baseline_repaired(monkeypatch):
    # national scale, a trust postponed: the re-plan's first phase found no plan in 30 s and the answer was
    # "no plan" (the baseline, which the postponement breaks, could not be given). The baseline repaired by the
    # list scheduler is its plan then: everyone else where the baseline has them, not proven least
    import sys

    from hpplan.solution import Status

    solve_module = sys.modules["hpplan.solve"]  # (hpplan.solve is also the function)

    orgs = [org("a", population=1000), org("b", population=10), org("c", population=5, earliest="2024-09-01")]
    base = build(orgs, limits=[{"max_actors": 1}])
    planned = solved(base)
    assert {a.id: a.window for a in planned.plan} == {"a": "w1", "b": "w2", "c": "w3"}
    postponed = apply_quick(base, postpone=["a=2024-04-01"])
    real = solve_module._stabilise
    monkeypatch.setattr(solve_module, "_stabilise",
                        lambda rollout, problem, baseline, options, deadline, stats, start=None:
                        (solve_module.Replan(), Status.unknown))
    stable, replan = solve_module.solve_replan(postponed, SolveOptions(time_limit=10), Baseline(planned))
    assert stable.status is Status.feasible and stable.stats.found_by == "baseline repair"
    assert verify(postponed, stable) == []
    # a keeps its order among the baseline's windows: it takes w4 (w2, w3 are b's and c's), the others stay
    assert {a.id: a.window for a in stable.plan} == {"a": "w4", "b": "w2", "c": "w3"}
    assert (replan.moved, replan.movement, replan.proven) == (1, 273, False)  # 2024-02-10 -> 2024-11-09
    assert "repaired by the list scheduler (1 moved)" in stable.stats.phases[-1]
    monkeypatch.setattr(solve_module, "_stabilise", real)
    proven, replan = solve_module.solve_replan(postponed, SolveOptions(time_limit=10), Baseline(planned))
    assert (replan.moved, replan.proven) == (1, True) and proven.status is Status.optimal


def test_the_frozen_horizon_is_reported_by_date_when_a_window_moves_out_of_it_or_into_it():
    # the freeze phase counts by date, the report counted by window id: a frozen go-live whose window moved past
    # the freeze date was "kept", and one whose window moved into the horizon was not "joined"
    from hpplan.scenario import Scenario, apply_scenario, MoveWindow

    orgs = [org("a", population=100), org("b", population=10, track="only-w3")]  # b can go live in w3 alone
    base = build(orgs, limits=[{"max_actors": 1}], tracks=[{"id": "only-w3", "windows": ["w3"]}])
    planned = solved(base)
    assert {a.id: a.window for a in planned.plan} == {"a": "w1", "b": "w3"}
    out = MoveWindow.model_validate({"op": "move_window", "window": "w1", "date": "2024-07-06"})
    into = MoveWindow.model_validate({"op": "move_window", "window": "w3", "date": "2024-05-04"})
    moved = apply_scenario(base, Scenario("m.yaml", "data", "windows moved", [out, into]))
    replanned, replan = solve_module().solve_replan(moved, SolveOptions(time_limit=20),
                                                    Baseline(planned, freeze_until=dt.date(2024, 6, 1)))
    assert {a.id: a.go_live for a in replanned.plan} == {"a": dt.date(2024, 7, 6), "b": dt.date(2024, 5, 4)}
    assert (replan.frozen, replan.released, replan.joined) == (0, ["a"], ["b"])


def solve_module():
    import sys

    return sys.modules["hpplan.solve"]


def test_a_replan_still_says_the_windows_it_moved_past_beside_the_days():
    # `windows_moved` (JSON) was the least-movement phase's value, in windows; the phase counts days now: the
    # windows are counted from the plan (a from w1 to w3 passes w2 and lands in w3: 2), the days beside them
    problem = build([org("a", population=1000), org("b", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    stable, replan = solve_module().solve_replan(apply_quick(problem, postpone=["a=2024-04-01"]),
                                                 SolveOptions(time_limit=20), Baseline(base))
    assert (replan.moved, replan.movement, replan.windows) == (1, 217, 2)


def test_check_github_annotates_a_change_not_computed(monkeypatch):
    # the text, JSON and step summary named "not computed: ..."; the annotations showed only the changes found
    monkeypatch.setattr("hpplan.check.not_computed_lines", lambda conflict: ["  not computed: the smallest change of X: why"])
    result = runner.invoke(cli.app, ["check", "--data", str(REPO / "tests" / "data" / "infeasible_three"),
                                     "--format", "github", "-t", "5"])
    assert result.exit_code == 1
    assert "a change not computed::not computed: the smallest change of X: why" in result.stdout, result.stdout


def test_the_replan_json_keeps_windows_moved_beside_days_moved(tmp_path):
    # b968be9 replaced windows_moved by days_moved in the JSON, which the contract says never loses a key
    plan = tmp_path / "plan.json"
    assert runner.invoke(cli.app, ["solve", "--data", str(REPO / "data"), "-f", "json", "-o", str(plan)]).exit_code == 0
    scenario = REPO / "data" / "scenarios" / "hmr-postponed.yaml"
    out = runner.invoke(cli.app, ["compare", "--baseline", str(plan), "--scenario", str(scenario), "-f", "json"])
    report = json.loads(out.stdout)
    assert (report["days_moved"], report["windows_moved"]) == (2205, 20)
    replan = tmp_path / "replan.json"
    assert runner.invoke(cli.app, ["solve", "--baseline", str(plan), "--scenario", str(scenario), "-f", "json",
                                   "-o", str(replan)]).exit_code == 0
    baseline = json.loads(replan.read_text())["baseline"]
    assert (baseline["days_moved"], baseline["windows_moved"]) == (2205, 20)


def test_a_replan_and_a_compared_report_as_a_spreadsheet_have_a_changes_sheet(tmp_path):
    # `solve --baseline -f xlsx` wrote no changes, and `report --compare -o x.xlsx` was refused ("holds one plan")
    import openpyxl

    plan = tmp_path / "plan.json"
    assert runner.invoke(cli.app, ["solve", "--data", str(REPO / "data"), "-f", "json", "-o", str(plan)]).exit_code == 0
    scenario = str(REPO / "data" / "scenarios" / "hmr-postponed.yaml")
    replan, report = tmp_path / "replan.xlsx", tmp_path / "report.xlsx"
    assert runner.invoke(cli.app, ["solve", "--baseline", str(plan), "-s", scenario, "-o", str(replan)]).exit_code == 0
    assert runner.invoke(cli.app, ["report", "-d", str(REPO / "data"), "-s", scenario, "--compare", str(plan), "-q",
                                   "-o", str(report)]).exit_code == 0
    for path in (replan, report):
        sheet = openpyxl.load_workbook(path)["Changes"]
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        assert "helse-nord-trondelag" in text and "Estimated cost of delay: 685* MNOK" in text, path
    ics = runner.invoke(cli.app, ["report", "-d", str(REPO / "data"), "--compare", str(plan), "-o",
                                  str(tmp_path / "x.ics")])
    assert ics.exit_code == 2 and "an ics file holds one plan" in ics.output


def test_the_repaired_baseline_keeps_the_freeze_and_leaves_out_what_the_baseline_left_out(monkeypatch):
    # the fallback scheduled every optional organisation the baseline had left out (171 moved where 11 is the
    # least) and put new go-lives into the frozen horizon, then said "new there, as the rules leave no other way"
    from hpplan.solution import Status

    orgs = [org("a", population=1000), org("b", population=10), org("c", population=5),
            org("o", population=0, status="optional")]
    base = build(orgs, limits=[{"max_actors": 1}])
    planned = solved(base)
    planned.plan = [replace(e, go_live=None, window=None) if e.id == "o" else e for e in planned.plan]
    assert {a.id: a.window for a in planned.plan} == {"a": "w1", "b": "w2", "c": "w3", "o": None}
    postponed = apply_quick(base, postpone=["a=2024-04-01"])
    monkeypatch.setattr(solve_module(), "_stabilise", lambda *args, **kwargs: (solve_module().Replan(), Status.unknown))
    stable, replan = solve_module().solve_replan(postponed, SolveOptions(time_limit=10),
                                                 Baseline(planned, freeze_until=dt.date(2024, 5, 1)))
    assert stable.stats.found_by == "baseline repair" and verify(postponed, stable) == []
    # a leaves the frozen w1 (its data no longer allows it) and does not take the frozen w2's place: w4; o stays out
    assert {a.id: a.window for a in stable.plan} == {"a": "w4", "b": "w2", "c": "w3", "o": None}
    assert (replan.frozen, replan.released, replan.joined) == (1, ["a"], [])


def test_a_compared_plan_is_fitted_to_the_data_without_the_scenarios(tmp_path):
    # `report --plan P -s S --compare B` said B "does not fit the data" (read against the scenario's data), where
    # compare and `report -s S --compare B` read it against the data without the scenarios and say nothing
    plan, replan = tmp_path / "plan.json", tmp_path / "replan.json"
    scenario = str(REPO / "data" / "scenarios" / "four-municipalities-stay-out.yaml")
    assert runner.invoke(cli.app, ["solve", "-d", str(REPO / "data"), "-f", "json", "-o", str(plan)]).exit_code == 0
    assert runner.invoke(cli.app, ["solve", "-b", str(plan), "-s", scenario, "-f", "json", "-o", str(replan)]).exit_code == 0
    result = runner.invoke(cli.app, ["report", "-d", str(REPO / "data"), "-s", scenario, "--plan", str(replan),
                                     "--compare", str(plan), "-q", "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0 and "does not fit" not in result.output, result.output


def test_a_move_the_replan_made_unforced_is_said_as_the_replans_not_to_be_avoided_by_replanning():
    # a move of the repaired baseline (a re-plan cut short) read "the objective preferred the move (re-plan against
    # the baseline to avoid such moves)", inside a re-plan against the baseline
    from hpplan.solution import Status

    problem = build([org("a", population=100), org("b", population=10)])
    fresh = solved(problem)
    assert {e.id: e.window for e in fresh.plan} == {"a": "w1", "b": "w1"}
    later = replace(fresh, plan=[replace(e, go_live=dt.date(2024, 4, 27), window="w2") if e.id == "b" else e
                                 for e in fresh.plan])
    cut = replace(fresh, status=Status.feasible, stats=replace(fresh.stats, least_change=True))
    move = next(m for m in compare(later, problem, cut, problem).moves if m.id == "b")
    assert move.cause.text.endswith("the re-plan made the move (its least change not proven: it was cut short)")
    afresh = next(m for m in compare(later, problem, fresh, problem).moves if m.id == "b")
    assert afresh.cause.text.endswith("(re-plan against the baseline to avoid such moves)")


def test_windows_moved_counts_no_window_for_one_that_stays_in_its_moved_window():
    # a window moved three weeks, its organisation in it still: windows_moved was 1 (counted between dates); the
    # least movement counted windows so until it counted days: 0 windows, 14 days
    from hpplan.scenario import Scenario, apply_scenario, MoveWindow

    base = build([org("a", population=100)])
    planned = solved(base)
    later = MoveWindow.model_validate({"op": "move_window", "window": "w1", "date": "2024-02-24"})
    moved = apply_scenario(base, Scenario("m.yaml", "data", "two weeks later", [later]))
    stable, replan = solve_module().solve_replan(moved, SolveOptions(time_limit=10), Baseline(planned))
    assert stable.assignment("a").window == "w1"
    assert (replan.moved, replan.movement, replan.windows) == (0, 14, 0)


def test_a_replan_whose_objective_phase_runs_out_gives_the_plan_of_its_phases(monkeypatch):
    # national, a trust postponed, -t 30: the re-planning phases proved 15 moved, the objective phase had no plan
    # of its own when the time ran out, and the answer was "no plan" (exit 3)
    from hpplan.solution import Status

    problem = build([org("a", population=1000), org("b", population=10)], limits=[{"max_actors": 1}])
    base = solved(problem)
    postponed = apply_quick(problem, postpone=["a=2024-04-01"])
    module = solve_module()
    monkeypatch.setattr(module, "_objective_phase",
                        lambda *args, **kwargs: module._Outcome(None, Status.unknown, None))
    stable, replan = module.solve_replan(postponed, SolveOptions(time_limit=10), Baseline(base))
    assert stable.status is Status.feasible and verify(postponed, stable) == []
    assert {a.id: a.window for a in stable.plan} == {"a": "w3", "b": "w2"}  # the least change, 1 moved
    assert (replan.moved, replan.movement, replan.proven) == (1, 217, True)
    assert "out of time in the objective phase" in stable.stats.phases[-1]
