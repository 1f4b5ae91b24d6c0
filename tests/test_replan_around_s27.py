"""Re-planning around the change (`hpplan.replan`, solve.py `_around_change`): the organisations the rules
tie to a change are free, the others keep their baseline windows, and a rules-only lower bound proves
when that is the whole problem's answer. The answer must be the one the whole model gives: the same
plan, the same moves and days, the same proof, on random small instances and random changes."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

import pytest
from helpers import MORE_WINDOWS, build, org, solved, windows_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan import replan as around
from hpplan.scenario import Add, Scenario, apply_quick, apply_scenario
from hpplan.solution import Status
from hpplan.solve import Baseline, SolveOptions, solve_replan
from hpplan.verify import verify

SRC = {"all": "estimate: test"}
REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def shipped_plan(tmp_path_factory) -> Path:
    """The shipped data's plan, saved as JSON (the baseline of the command-line tests below)."""
    path = tmp_path_factory.mktemp("shipped") / "base.json"
    done = runner.invoke(cli.app, ["solve", "--data", str(REPO / "data"), "-t", "10", "-f", "json", "-o", str(path)])
    assert done.exit_code == 0, done.output
    return path
PROFILES = [{"id": "municipality", "before": [2, 2], "hypercare": [2], "source": SRC},
            {"id": "gp_office", "before": [1], "source": SRC},
            {"id": "hospital", "before": [3, 3], "hypercare": [3], "source": SRC}]


def _replan(problem, base, *, whole: bool, monkeypatch, freeze=None):
    """The re-plan around the change, or (`whole`) on the whole model alone."""
    with monkeypatch.context() as m:
        if whole:
            m.setattr(around, "free_organisations", lambda *args: None)
        solution, replan = solve_replan(problem, SolveOptions(time_limit=30),
                                        Baseline(base, freeze_until=freeze))
    if solution.found:
        assert verify(problem, solution) == []
    return solution, replan


def _instance(rng: random.Random):
    """A small region: municipalities (some optional), GP offices with or before theirs, a pair of
    hospitals in a board order, rules drawn at random, a primary pool that may bind, a window limit."""
    munis = [f"m{i}" for i in range(rng.randint(3, 5))]
    orgs = [org(m, population=rng.choice([5, 20, 80, 300]),
                status=rng.choice(["planned", "planned", "signed", "optional"])) for m in munis]
    gps = []
    for i in range(rng.randint(1, 4)):
        gp = f"g{i}"
        gps.append(gp)
        orgs.append(org(gp, kind="gp_office", population=0, municipality=rng.choice(munis),
                        status=rng.choice(["planned", "optional"])))
    orgs += [org("h1", kind="hospital", population=400), org("h2", kind="hospital", population=200)]
    rules = [{"type": "with_or_before", "each": "gp_office"}, {"type": "order", "actors": ["h1", "h2"]}]
    if rng.random() < 0.5:
        rules.append({"type": "together", "actors": rng.sample(munis, 2)})
    if rng.random() < 0.4:
        rules.append({"type": "after_live", "first": "h1", "then": rng.choice(munis)})
    if rng.random() < 0.4:
        rules.append({"type": "not_same_window", "actors": rng.sample(munis, 2)})
    pools = [{"id": "specialist", "sector": "specialist", "fte": rng.choice([6, 9, 1000]), "source": SRC},
             {"id": "primary", "sector": "primary", "fte": rng.choice([4, 5, 7, 1000]), "source": SRC}]
    limits = [{"max_actors": rng.choice([2, 3, 4])}] if rng.random() < 0.5 else []
    return orgs, rules, pools, limits


def _change(rng: random.Random, problem, orgs):
    """One random change of the data: a postponement, an exclusion, a capacity cut, a new organisation,
    or two of them."""
    plannable = [o["id"] for o in orgs]
    changed = problem
    for _ in range(rng.choice([1, 1, 2])):
        kind = rng.choice(["postpone", "postpone", "exclude", "capacity", "add"])
        if kind == "postpone":
            day = rng.choice(["2024-03-01", "2024-06-01", "2024-10-01", "2025-03-01"])
            changed = apply_quick(changed, postpone=[f"{rng.choice(plannable)}={day}"])
        elif kind == "exclude":
            out = rng.choice(plannable)
            plannable.remove(out)  # (postponing it later would be refused)
            changed = apply_quick(changed, exclude=[out])
        elif kind == "capacity":
            changed = apply_quick(changed, capacity=[f"primary={rng.choice([3, 4, 5])}"])
        else:
            new = org(f"n{rng.randint(0, 99)}", population=rng.choice([10, 500]),
                      latest=rng.choice([None, "2024-06-01"]) or None)
            if new["latest"] is None:
                del new["latest"]
            add = Add.model_validate({"op": "add", "organisation": new})
            changed = apply_scenario(changed, Scenario("n.yaml", "data", "newcomer", [add]))
    return changed


def _same(a, b):
    (sa, ra), (sb, rb) = a, b
    assert sa.status is sb.status
    if not sa.found:
        return
    assert (ra.moved, ra.movement, ra.proven) == (rb.moved, rb.movement, rb.proven)
    assert (ra.frozen, ra.released, ra.joined) == (rb.frozen, rb.released, rb.joined)
    if sa.status is Status.optimal:
        assert sa.objective == sb.objective
    if sa.stats.tie_break == sb.stats.tie_break == "complete":
        assert windows_of(sa) == windows_of(sb)


@pytest.mark.parametrize("seed", range(40))
def test_a_replan_around_the_change_is_the_whole_model_s_replan(seed, monkeypatch):
    rng = random.Random(seed)
    orgs, rules, pools, limits = _instance(rng)
    problem = build(orgs, rules=rules, pools=pools, limits=limits, profiles=PROFILES, windows=MORE_WINDOWS)
    base = solved(problem)
    if not base.found:
        pytest.skip("the drawn instance has no plan")
    changed = _change(rng, problem, orgs)
    freeze = rng.choice([None, None, dt.date(2024, 5, 1)])
    local = _replan(changed, base, whole=False, monkeypatch=monkeypatch, freeze=freeze)
    whole = _replan(changed, base, whole=True, monkeypatch=monkeypatch, freeze=freeze)
    _same(local, whole)


def test_a_postponed_hospital_frees_its_board_order_and_keeps_everyone_else(monkeypatch):
    # h1 postponed past h2's window: the order rule moves h2 too; the municipalities and GP offices, tied
    # to neither, keep their windows, and the rules alone prove that two moves are the least
    orgs = [org("m1", population=100), org("m2", population=50), org("g1", kind="gp_office", municipality="m1"),
            org("h1", kind="hospital", population=400), org("h2", kind="hospital", population=200)]
    problem = build(orgs, rules=[{"type": "with_or_before", "each": "gp_office"},
                                 {"type": "order", "actors": ["h1", "h2"]}], windows=MORE_WINDOWS)
    base = solved(problem)
    postponed = apply_quick(problem, postpone=["h1=2024-10-01"])
    solution, replan = _replan(postponed, base, whole=False, monkeypatch=monkeypatch)
    assert (replan.moved, replan.proven) == (2, True) and solution.status is Status.optimal
    assert {k: v for k, v in windows_of(solution).items() if k in ("m1", "m2", "g1")} == \
        {k: v for k, v in windows_of(base).items() if k in ("m1", "m2", "g1")}
    assert any("around the change (2 of 5 organisations free, the others kept): the rules alone move no fewer"
               in phase for phase in solution.stats.phases)
    flat = sys.modules["hpplan.solve"].flatten(postponed)
    assert around.free_organisations(postponed, flat, Baseline(base).anchors()) == {"h1", "h2"}


def test_when_the_capacity_moves_more_than_the_rules_the_whole_model_re_plans(monkeypatch):
    # one go-live a window (a limit, not a rule): a, which must go live by May, postponed into b's
    # window pushes b out (to w1: the earlier the better), which the rules alone do not see; the whole
    # model re-plans and moves both
    problem = build([org("a", population=100, latest="2024-05-01"), org("b", population=50)],
                    limits=[{"max_actors": 1}], windows=MORE_WINDOWS)
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "b": "w2"}
    postponed = apply_quick(problem, postpone=["a=2024-03-01"])
    solution, replan = _replan(postponed, base, whole=False, monkeypatch=monkeypatch)
    _same((solution, replan), _replan(postponed, base, whole=True, monkeypatch=monkeypatch))
    assert windows_of(solution) == {"a": "w2", "b": "w1"} and (replan.moved, replan.proven) == (2, True)
    assert any("the others cannot all keep their windows; the whole model re-plans" in phase
               for phase in solution.stats.phases)
    # the same where the kept model has a plan, with more moves than the rules alone need: a (before b
    # in the board order) postponed out of w1 would take w2 by the rules alone, but c keeps w2 in the
    # kept model, so b moves too there
    problem = build([org("a", population=100), org("b", population=10), org("c", population=50)],
                    limits=[{"max_actors": 1}], windows=MORE_WINDOWS, rules=[{"type": "order", "actors": ["a", "b"]}])
    base = solved(problem)
    assert windows_of(base) == {"a": "w1", "c": "w2", "b": "w3"}
    postponed = apply_quick(problem, postpone=["a=2024-03-01"])
    solution, replan = _replan(postponed, base, whole=False, monkeypatch=monkeypatch)
    _same((solution, replan), _replan(postponed, base, whole=True, monkeypatch=monkeypatch))
    assert replan.moved == 2 and replan.proven
    assert any("the capacity or a window limit moves more than the rules alone; the whole model re-plans" in phase
               for phase in solution.stats.phases)
    assert replan.free is None and replan.whole_because == "the capacity or a window limit moves more than the rules alone"


def test_a_rule_the_baseline_breaks_frees_the_organisations_it_ties(monkeypatch):
    # a new board order b before a, which the baseline (a in w1, b in w2) breaks: both are free
    problem = build([org("a", population=100), org("b", population=50), org("c", population=10)],
                    limits=[{"max_actors": 1}], windows=MORE_WINDOWS)
    base = solved(problem)
    reordered = build([org("a", population=100), org("b", population=50), org("c", population=10)],
                      limits=[{"max_actors": 1}], windows=MORE_WINDOWS,
                      rules=[{"type": "order", "actors": ["b", "a"]}])
    flat = sys.modules["hpplan.solve"].flatten(reordered)
    assert around.free_organisations(reordered, flat, Baseline(base).anchors()) == {"a", "b"}
    _same(_replan(reordered, base, whole=False, monkeypatch=monkeypatch),
          _replan(reordered, base, whole=True, monkeypatch=monkeypatch))


def test_the_bench_re_plans_a_postponed_trust_both_ways_and_says_so(tmp_path):
    # `make bench`'s re-plan cases: the same moves, days and proof around the change and on the whole
    # model; the summary says each; a re-plan is no instance of the "ahead of greedy and highs" count
    from hpplan.bench import run_child, summary
    from hpplan.generate import write_instance

    write_instance(tmp_path, "region", 1)
    spec = {"instance": "region (seed 1) re-plan", "family": "replan", "data": str(tmp_path), "time_limit": 30,
            "seed": 0, "workers": 1}
    runs = [run_child({**spec, "engine": engine}) for engine in ("replan", "replan-whole")]
    local, whole = (r["extra"] for r in runs)
    assert all(r["status"] == "optimal" and r["violations"] == 0 for r in runs)
    assert local["postponed"] == whole["postponed"] and local["least_change_proven"] and whole["least_change_proven"]
    assert (local["moved"], local["days_moved"]) == (whole["moved"], whole["days_moved"]) and local["moved"] >= 1
    assert any("the rules alone move no fewer" in phase for phase in local["phases"])
    assert not any("around the change" in phase for phase in whole["phases"])
    lines = summary(runs)
    assert lines[0].endswith("0 of 0 instances")
    assert sum(line.startswith("re-plan region (seed 1), ") for line in lines) == 2


def test_a_plan_made_with_a_scenario_says_so_in_its_json_and_compare_names_it(tmp_path, shipped_plan):
    # compare's note "made with the scenario ..., which the baseline's data here was not given" read an
    # `applied` key no plan had: solve writes it now (only with changes), and read_plan reads it back
    from hpplan.solution import read_plan

    repo = REPO
    made = tmp_path / "made.json"
    assert "applied" not in json.loads(shipped_plan.read_text())
    result = runner.invoke(cli.app, ["solve", "--data", str(repo / "data"), "-t", "10", "-f", "json", "-o", str(made),
                                     "--postpone", "orsta=2025-06-01"])
    assert result.exit_code == 0, result.output
    written = json.loads(made.read_text())["applied"]
    assert written == ["command line: postpone orsta: earliest 2025-01-15 -> 2025-06-01"]
    assert read_plan(made).applied == written
    shown = runner.invoke(cli.app, ["compare", "--data", str(repo / "data"), "--baseline", str(made), "-t", "10"])
    said = " ".join(shown.stdout.split())
    # (session 28) the plan records the change as typed (`command_line`): applied again to the baseline's data
    assert "was made with --postpone orsta=2025-06-01: applied to the baseline's data, as the plan records" in said
    # a plan written before `command_line` (or by hand): said, with what to do
    older = json.loads(made.read_text())
    del older["command_line"]
    made.write_text(json.dumps(older, indent=2))
    shown = runner.invoke(cli.app, ["compare", "--data", str(repo / "data"), "--baseline", str(made), "-t", "10"])
    said = " ".join(shown.stdout.split())
    assert ("was made with the command line's changes (postpone orsta: earliest 2025-01-15 -> 2025-06-01), which "
            "the baseline's data here was not given; give them with --baseline-scenario FILE (the command line's "
            "changes written into a scenario file") in said, said



def test_a_group_rule_whose_first_member_is_pinned_still_ties_the_others(monkeypatch):
    # not_same_window [p, a, b] with p live: a and b were not joined (each joined to p only, which joins
    # nothing), so b was kept and the rules-only bound was no bound: "3 moved, proven" where 2 is the least
    orgs = [org("p", status="live", live_since="2023-11-04"),
            org("a", population=500), org("b", population=5, earliest="2024-04-01"),
            org("e", population=100, earliest="2024-09-01"), org("e2", population=100, earliest="2024-11-01")]
    rules = [{"type": "not_same_window", "actors": ["p", "a", "b"]}, {"type": "order", "actors": ["a", "e", "e2"]}]
    problem = build(orgs, rules=rules, windows=MORE_WINDOWS)
    base = solved(problem)
    changed = apply_quick(problem, postpone=["a=2024-03-01"])
    flat = sys.modules["hpplan.solve"].flatten(changed)
    assert {"a", "b"} <= around.free_organisations(changed, flat, Baseline(base).anchors())
    local = _replan(changed, base, whole=False, monkeypatch=monkeypatch)
    _same(local, _replan(changed, base, whole=True, monkeypatch=monkeypatch))
    assert (local[1].moved, local[1].proven) == (2, True)


def test_the_problem_s_parts_keep_a_group_rule_s_members_together_when_its_first_cannot_go_live():
    # decompose.components joined each member to the first: with the first opted out (no window) a and b
    # fell into parts of their own, both planned w1, and the parts' plans did not fit together
    from hpplan.engines.decompose import components

    orgs = [org("x", status="opted_out"), org("a", population=50), org("b", population=40)]
    problem = build(orgs, rules=[{"type": "not_same_window", "actors": ["x", "a", "b"]}])
    flat = sys.modules["hpplan.solve"].flatten(problem)
    assert ["a", "b"] in components(flat)


def test_a_re_plan_says_when_it_was_found_around_the_change(shipped_plan):
    # the terminal and the JSON looked the same whichever way the re-plan was found (a re-checker could not
    # see the wrong proof above from the output)
    repo, base = REPO, shipped_plan
    args = ["solve", "--data", str(repo / "data"), "-t", "10", "--baseline", str(base),
            "--postpone", "helse-nord-trondelag=2025-06-01"]
    text = " ".join(runner.invoke(cli.app, args).stdout.split())
    assert "(re-planned around the change: 10 of 59 organisations free, the others kept)" in text, text
    data = json.loads(runner.invoke(cli.app, args + ["-f", "json"]).stdout)
    assert data["baseline"]["around_change"] == {"free": 10, "plannable": 59}
    assert data["baseline"]["whole_model_because"] is None
    # HMR postponed: the specialist pool pushes HNT further than the board order alone does; said why
    args = ["solve", "--data", str(repo / "data"), "-t", "10", "--baseline", str(base),
            "-s", str(repo / "data" / "scenarios" / "hmr-postponed.yaml")]
    text = " ".join(runner.invoke(cli.app, args).stdout.split())
    assert "(re-planned on the whole data: the capacity or a window limit moves more than the rules alone)" in text
    data = json.loads(runner.invoke(cli.app, args + ["-f", "json"]).stdout)
    assert data["baseline"]["around_change"] is None
    assert data["baseline"]["whole_model_because"] == "the capacity or a window limit moves more than the rules alone"


def test_report_of_a_saved_plan_under_a_scenario_does_not_send_to_a_check_that_lists_nothing(tmp_path, shipped_plan):
    # "(the data changed since it was saved, or the plan was edited) ... `hpplan check ...` lists the
    # differences": under a scenario the scenario changed them, and check (session 27) compares none there
    repo, base = REPO, shipped_plan
    shown = runner.invoke(cli.app, ["report", "--data", str(repo / "data"), "--plan", str(base), "-s",
                                    str(repo / "data" / "scenarios" / "primary-capacity-cut.yaml"), "-o",
                                    str(tmp_path / "r.html")])
    said = " ".join(shown.stderr.split())
    assert shown.exit_code == 0 and "not of this data with the scenario's changes" in said, said
    assert "lists the differences" not in said and "the data changed since" not in said
