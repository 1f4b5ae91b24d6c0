"""`compare`: who moved, the knock-on cause of each move, totals and cost; and `hpplan compare`
on the tiny data and on the shipped scenarios."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import build, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan import compare as compare_module
from hpplan.compare import compare
from hpplan.formats import fmt_int
from hpplan.scenario import apply_quick
from hpplan.solve import Baseline, SolveOptions, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
runner = CliRunner()

MUNI_HYPERCARE_4 = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
PRIMARY_5 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
]


def compared(base_problem, other_problem, *, stable: bool = False):
    base = solved(base_problem)
    if stable:
        other = solve(other_problem, SolveOptions(time_limit=20), Baseline(base))
        assert verify(other_problem, other) == []
    else:
        other = solved(other_problem)
    return compare(base, base_problem, other, other_problem)


def move(comparison, ident):
    return next(m for m in comparison.moves if m.id == ident)


def test_nothing_changed_nothing_moved():
    problem = build([org("a"), org("b", earliest="2024-04-01")])
    comparison = compared(problem, problem)
    assert comparison.moves == [] and comparison.population_months == 0 and comparison.cost_of_delay == 0


def test_the_postponed_actor_and_its_knock_on_through_an_order_rule():
    base = build([org("a", kind="health_trust", population=100, postponement_cost_per_month=50.0),
                  org("b", kind="health_trust", population=10)],
                 rules=[{"type": "order", "actors": ["a", "b"], "id": "trusts"}])
    other = apply_quick(base, postpone=["a=2024-04-01"])
    comparison = compared(base, other)
    a, b = move(comparison, "a"), move(comparison, "b")
    assert (a.window_before, a.window_after, a.change) == ("w1", "w2", "later")
    assert a.cause.kind == "scenario" and a.cause.text == "earliest none -> 2024-04-01* (scenario)"
    assert (b.window_before, b.window_after) == ("w2", "w3")
    assert b.cause.kind == "knock-on" and b.cause.actors == ("a",) and "order rule trusts" in b.cause.text
    assert b.roots == ("a",)
    # February -> April is 2 months, April -> September 5: cost and population-months
    assert a.days == 77 and a.months == 2 and a.cost == 100.0 and a.cost_estimate
    assert comparison.cost_of_delay == 100.0 and comparison.cost_is_estimate
    assert comparison.population_months == 100 * 2 + 10 * 5


def test_a_full_window_names_who_moved_in():
    base = build([org("a", population=1000), org("b", population=100, earliest="2024-04-01"), org("c", population=10)],
                 limits=[{"max_actors": 1}])
    other = apply_quick(base, postpone=["a=2024-04-01"])
    comparison = compared(base, other)
    b = move(comparison, "b")
    assert (b.window_before, b.window_after) == ("w2", "w3")
    assert b.cause.kind == "knock-on" and b.cause.rule == "limit.max_actors" and b.cause.actors == ("a",)
    assert b.cause.text == "window w2 is full (max_actors): a moved in"
    # c moves earlier: pushed out of w3 by b, and into w1, which a left
    c = move(comparison, "c")
    assert c.change == "earlier" and [cause.text for cause in c.causes] == [
        "window w3 is full (max_actors): b moved in",
        "window w1 was full in the baseline (max_actors); freed by a moving out",
    ]
    assert c.roots == ("a",)


def test_a_full_pool_names_who_loads_it_now():
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=MUNI_HYPERCARE_4,
                 pools=PRIMARY_5)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    comparison = compared(base, other)
    m2 = move(comparison, "m2")
    assert (m2.window_before, m2.window_after) == ("w2", "w3")
    assert m2.cause.kind == "knock-on" and m2.cause.rule == "capacity" and m2.cause.actors == ("m1",)
    # the load and each mover's part marked too: the test profile's notes are estimates
    assert m2.cause.text.startswith("pool primary full in 2024-04: 8* of 5* FTE with it back there; more load there "
                                    "now from m1 (+4* FTE)")


def test_each_month_a_pool_is_full_is_a_cause_of_its_own():
    # a hypercare of two months: back in its window, m2 overloads both; the cause named the first
    # month only (raising it alone did not bring m2 back)
    two_months = [{"id": "municipality", "hypercare": [4, 4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=two_months,
                 pools=PRIMARY_5)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    m2 = move(compared(base, other), "m2")
    assert (m2.window_before, m2.window_after) == ("w2", "w3")
    # the main cause says both months at once; each month stays a cause of its own behind it
    assert m2.cause.text.startswith("pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there"), m2.cause
    months = [c.text.split(":")[0] for c in m2.causes[1:] if c.rule == "capacity"]
    assert months == ["pool primary full in 2024-04", "pool primary full in 2024-05"], m2.causes


def test_the_month_of_a_capacity_cause_comes_from_the_violation_s_fields_not_its_wording(monkeypatch):
    # the verifier's wording may change: a message that names no pool or month at all still gives each
    # month over capacity a cause of its own, from the violation's pool and month
    two_months = [{"id": "municipality", "hypercare": [4, 4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=two_months,
                 pools=PRIMARY_5)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    check = compare_module._check

    def reworded(problem, entries):
        return [dataclasses.replace(v, message=f"too much load: {', '.join(v.actors)}") if v.rule == "capacity" else v
                for v in check(problem, entries)]

    monkeypatch.setattr(compare_module, "_check", reworded)
    m2 = move(compared(base, other), "m2")
    months = [c.text.split(":")[0] for c in m2.causes[1:] if c.rule == "capacity"]
    assert months == ["pool primary full in 2024-04", "pool primary full in 2024-05"], m2.causes


def test_a_capacity_cut_is_the_scenario_s_cause():
    base = build([org("m1", population=100), org("m2")], profiles=MUNI_HYPERCARE_4,
                 pools=[PRIMARY_5[0], {**PRIMARY_5[1], "fte": 10}])
    other = apply_quick(base, capacity=["primary=5@2024-02"])
    m2 = move(compared(base, other), "m2")
    # the pool's 10 FTE is an estimate of the data, the what-if 5 FTE (no source note) one too: both marked
    assert m2.cause.kind == "scenario" and m2.cause.text.endswith("capacity 10* -> 5* FTE (scenario)")


def test_a_together_group_follows_its_postponed_member():
    base = build([org("t", kind="health_trust", population=100), org("h1", kind="hospital", population=0),
                  org("h2", kind="hospital", population=0)],
                 rules=[{"type": "together", "actors": ["t", "h1", "h2"], "id": "group"}])
    other = apply_quick(base, postpone=["t=2024-09-01"])
    comparison = compared(base, other)
    assert move(comparison, "t").cause.kind == "scenario"
    for ident in ("h1", "h2"):
        cause = move(comparison, ident).cause
        assert cause.kind == "knock-on" and cause.actors == ("t",)
        assert cause.text == "together rule group: goes live with t, whose earliest none -> 2024-09-01* (scenario)"
        assert move(comparison, ident).roots == ("t",)


def test_an_unforced_move_is_the_objective_s_choice():
    # without its preferred window nothing holds m1 in w3: it moves to w1 because the objective prefers it
    base = build([org("m1", population=1, preferred_window="w3")])
    changed = build([org("m1", population=1)])
    m1 = move(compared(base, changed), "m1")
    assert m1.change == "earlier" and m1.cause.kind == "objective" and m1.cause.text.startswith("not forced")


def test_newly_unscheduled_removed_and_added():
    base = build([org("a"), org("b"), org("c")])
    other = build([org("a", status="opted_out"), org("b"), org("d")])
    comparison = compared(base, other)
    changes = {m.id: m.change for m in comparison.moves}
    assert changes == {"a": "unscheduled", "c": "removed", "d": "added"}
    a = move(comparison, "a")
    assert a.cause.kind == "scenario" and a.cause.text == "status planned -> opted_out (scenario)"
    assert [m.id for m in comparison.newly_unscheduled] == ["a"]


def test_an_organisation_that_no_longer_returns_is_the_scenario_s_cause():
    # opted out with a return date in the baseline, excluded (no return) in the scenario: its status is
    # the same, its return date is the cause (before: kind "data" with the verifier's sentence)
    base = build([org("a", status="opted_out", returns="2024-03-01"), org("b")])
    other = apply_quick(base, exclude=["a"])
    a = move(compared(base, other), "a")
    assert a.change == "unscheduled"
    assert a.cause.kind == "scenario" and a.cause.text == "returns 2024-03-01* -> none (scenario)"


def test_a_moved_window_moves_its_organisations():
    from hpplan.scenario import MoveWindow, Scenario, apply_scenario

    base = build([org("a")])
    change = MoveWindow.model_validate({"op": "move_window", "window": "w1", "date": "2024-03-02"})
    other = apply_scenario(base, Scenario("m.yaml", "data", "move", [change]))
    a = move(compared(base, other, stable=True), "a")
    assert a.days == 21 and a.cause.kind == "window" and "moved from 2024-02-10 to 2024-03-02" in a.cause.text


def test_peak_loads_before_and_after():
    base = build([org("m1", population=100), org("m2")], profiles=MUNI_HYPERCARE_4,
                 pools=[PRIMARY_5[0], {**PRIMARY_5[1], "fte": 10}])
    other = apply_quick(base, capacity=["primary=5"])
    comparison = compared(base, other)
    primary = next(p for p in comparison.peaks if p.pool == "primary")
    assert (primary.before.used, primary.before.limit) == (8, 10)
    assert (primary.after.used, primary.after.limit) == (4, 5)
    report = comparison.to_json_dict()
    assert report["totals"]["actors_moved"] == 1
    assert report["peak_load"][1] == {
        "pool": "primary",
        "before": {"month": "2024-02", "used": 8, "used_is_estimate": True, "limit": 10, "limit_is_estimate": True,
                   "fullest": None},
        "after": {"month": "2024-02", "used": 4, "used_is_estimate": True, "limit": 5, "limit_is_estimate": True,
                  "fullest": None}}


# ---- the command ----------------------------------------------------------------------------------


def run(*args: str, **env):
    return runner.invoke(cli.app, list(args), env=env or None)


def test_compare_a_data_folder_with_a_postponement_in_every_format(tmp_path):
    result = run("compare", "--baseline", str(TINY), "--postpone", "helse-more-og-romsdal=2024-09-01")
    assert result.exit_code == 0, result.output
    assert "Go-live later (1)" in result.output
    assert "earliest none -> 2024-09-01* (scenario)" in result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    wide = run("compare", "--baseline", str(TINY), "--postpone", "helse-more-og-romsdal=2024-09-01", COLUMNS="160")
    assert wide.exit_code == 0 and "| Cause" in wide.stdout
    assert all(len(line) <= 160 for line in wide.stdout.splitlines())

    result = run("compare", "--baseline", str(TINY), "--postpone", "helse-more-og-romsdal=2024-09-01", "-f", "json")
    data = json.loads(result.stdout)
    assert data["totals"]["actors_moved"] == 1 and data["replan"] == "stable"
    hmr = data["moves"][0]
    assert (hmr["id"], hmr["from"], hmr["to"], hmr["days"]) == ("helse-more-og-romsdal", "2024-02-10", "2024-09-14", 217)
    assert hmr["cause"]["kind"] == "scenario" and hmr["cause"]["where"] == "--postpone"

    out = tmp_path / "cmp.md"
    result = run("compare", "--baseline", str(TINY), "--postpone", "helse-more-og-romsdal=2024-09-01",
                 "-f", "markdown", "-o", str(out))
    assert result.exit_code == 0 and out.read_text().startswith("# Comparison")
    assert "| helse-more-og-romsdal | 2024-02-10 | 2024-09-14 | +217 |" in out.read_text()


def test_compare_a_saved_plan_and_a_failed_run_leaves_the_output(tmp_path):
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "-f", "json", "-o", str(plan)).exit_code == 0
    out = tmp_path / "cmp.json"
    out.write_text("old")
    result = run("compare", "--baseline", str(plan), "--data", str(TINY), "--postpone", "orsta=2030-01-01",
                 "-f", "json", "-o", str(out))
    assert result.exit_code == 1 and out.read_text() == "old"
    result = run("compare", "--baseline", str(plan), "--data", str(TINY), "--exclude", "orsta-legekontr")
    assert result.exit_code == 2
    assert "error: --exclude: 'orsta-legekontr' is not an organisation (did you mean 'orsta-legekontor'?)" in result.output


# ---- the shipped scenarios ------------------------------------------------------------------------

SHIPPED = sorted((REPO / "data" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped_plan(tmp_path_factory) -> Path:
    plan = tmp_path_factory.mktemp("plan") / "plan.json"
    result = run("solve", "--data", str(REPO / "data"), "-t", "10", "-f", "json", "-o", str(plan))
    assert result.exit_code == 0, result.output
    return plan


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_solve_and_compare(scenario: Path, shipped_plan: Path):
    solved_ = run("solve", "--data", str(REPO / "data"), "--scenario", str(scenario), "-t", "10", "-f", "json")
    assert solved_.exit_code == 0, solved_.output
    # the back-test and the counterfactual are compared planned afresh (docs/scenarios.md)
    fresh = ["--fresh"] if scenario.stem in ("st-olavs-2022-backtest", "four-municipalities-in-ki2") else []
    result = run("compare", "--baseline", str(shipped_plan), "--data", str(REPO / "data"), "--scenario",
                 str(scenario), "-t", "10", "-f", "json", *fresh)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["moves"], "a shipped scenario should change the plan"
    for m in data["moves"]:
        assert m["cause"] and m["cause"]["text"], m


def test_the_hmr_postponement_pushes_hnt_and_costs(shipped_plan: Path):
    result = run("compare", "--baseline", str(shipped_plan), "--data", str(REPO / "data"), "--scenario",
                 str(REPO / "data" / "scenarios" / "hmr-postponed.yaml"), "-t", "10", "-f", "json")
    data = json.loads(result.stdout)
    moves = {m["id"]: m for m in data["moves"]}
    assert moves["helse-more-og-romsdal"]["cause"]["kind"] == "scenario"
    hnt = moves["helse-nord-trondelag"]
    assert hnt["change"] == "later" and hnt["cause"]["kind"] == "knock-on"
    assert "helse-more-og-romsdal" in hnt["roots"]
    assert data["totals"]["cost_of_delay_mnok"] > 0 and data["totals"]["cost_is_estimate"] is True


def test_a_blackout_the_scenario_adds_is_the_scenario_s_cause(tmp_path):
    # the cause was kind "data" (a blackout of the data) though the scenario file added it
    import yaml

    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    tiny = Path(__file__).parent / "data" / "tiny"
    problem = load_problem(tiny)
    base = solved(problem)
    alesund = base.assignment("alesund")
    day = alesund.go_live.isoformat()
    scenario = tmp_path / "strike.yaml"
    scenario.write_text(yaml.safe_dump({"base": str(tiny), "description": "a strike", "changes": [
        {"op": "add_blackout", "blackout": {"from": day, "to": day, "reason": "strike", "actors": ["alesund"]}}]}))
    changed = apply_scenarios(problem, scenario)
    other = solved(changed)
    cause = move(compare(base, problem, other, changed), "alesund").cause
    assert cause.kind == "scenario" and cause.where.startswith(f"{scenario}:"), cause
    assert "strike" in cause.text and cause.text.endswith(f"(scenario, {cause.where})")


def test_a_rule_cause_names_the_window_it_keeps_the_organisation_from():
    # "keeps it from that window" left open which one: the baseline's (it moved away from it)
    base = build([org("a", population=100), org("c", population=10)])
    ruled = build([org("a", population=100), org("c", population=10)],
                  rules=[{"type": "not_same_window", "actors": ["a", "c"], "id": "apart"}])
    c = move(compared(base, ruled), "c")
    assert (c.window_before, c.window_after) == ("w1", "w2")
    assert c.cause.kind == "rule"
    assert c.cause.text == "not_same_window rule apart with a keeps it from its baseline window w1"


def test_a_limit_the_scenario_lowers_below_the_baseline_window_is_the_cause_even_with_newcomers(tmp_path):
    # the shipped April 2024 window has 9 588 users; at most 9 500 forces one out (Rennebu), and the
    # fresh plan moves a GP office in: the cause was "a trade-off the objective chose" via the GP office
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    problem = load_problem(REPO / "data")
    base = solved(problem)
    scenario = tmp_path / "u9500.yaml"
    scenario.write_text(f"base: {REPO / 'data'}\ndescription: at most 9500 users\nchanges:\n"
                        "  - op: set_limit\n    index: 1\n    max_users: 9500\n")
    changed = apply_scenarios(problem, scenario)
    comparison = compare(base, problem, solved(changed), changed)
    rennebu = move(comparison, "rennebu")
    assert rennebu.change == "later"
    first = rennebu.causes[0]
    assert (first.kind, first.rule, first.where) == ("scenario", "limit.max_users", f"{scenario}:6"), rennebu.causes  # max_users
    assert rennebu.roots == ("rennebu",)
    # a newcomer that the window could not take with Rennebu back is still named, for max_actors
    newcomers = [m.id for m in comparison.moves if m.window_after == rennebu.window_before]
    assert all(c.kind != "knock-on" or c.rule != "limit.max_users" for c in rennebu.causes)
    assert newcomers and any(c.kind == "knock-on" and set(c.actors) <= set(newcomers) for c in rennebu.causes)


def test_compare_with_a_freeze_says_what_it_kept_and_let_go(shipped_plan: Path):
    # the table and JSON were those of a run without the freeze
    args = ["compare", "--baseline", str(shipped_plan), "--scenario", str(REPO / "data" / "scenarios" / "hmr-postponed.yaml"),
            "--data", str(REPO / "data"), "--freeze-until", "2024-06-01"]
    table = runner.invoke(cli.app, args)
    assert table.exit_code == 0, table.output
    flat = " ".join(table.stdout.split())
    assert "(frozen until 2024-06-01: 9 go-lives kept, 5 could not be kept: helse-more-og-romsdal," in flat
    report = json.loads(runner.invoke(cli.app, args + ["-f", "json"]).stdout)
    assert (report["freeze_until"], report["frozen"], report["joined"]) == ("2024-06-01", 9, [])
    assert report["released"][0] == "helse-more-og-romsdal" and len(report["released"]) == 5
    unfrozen = json.loads(runner.invoke(cli.app, args[:-2] + ["-f", "json"]).stdout)
    assert "frozen" not in unfrozen and unfrozen["freeze_until"] is None


def test_a_frozen_horizon_that_keeps_a_postponed_organisation_out_is_named():
    # postponed from w1 to April, frozen until October: it goes to November (w4); the cause named only
    # the postponement, as if w2 and w3 could not take it
    import datetime as dt

    base = build([org("a", population=100), org("b", population=10, earliest="2024-09-01")])
    other = apply_quick(base, postpone=["a=2024-04-01"])
    planned = solved(base)
    freeze = dt.date(2024, 10, 1)
    replanned = solve(other, SolveOptions(time_limit=20), Baseline(planned, freeze_until=freeze))
    assert verify(other, replanned) == []
    a = move(compare(planned, base, replanned, other, freeze), "a")
    assert (a.window_before, a.window_after) == ("w1", "w4")
    kinds = [c.kind for c in a.causes]
    assert kinds == ["scenario", "freeze"], a.causes
    assert a.causes[1].text.startswith("windows w2, w3 would take it, but the horizon before 2024-10-01 is frozen")
    # not given, the freeze is the one the re-plan kept (as the command says it); without one (NO_FREEZE)
    # nothing is said of it; the table says both
    from hpplan.solve import NO_FREEZE

    assert move(compare(planned, base, replanned, other), "a").causes == a.causes
    assert all(c.kind != "freeze" for c in move(compare(planned, base, replanned, other, NO_FREEZE), "a").causes)
    from hpplan.cli_compare import cause_text

    assert cause_text(a).startswith("earliest none -> 2024-04-01* (scenario); and windows w2, w3 would take it")


def test_organisations_newly_out_of_the_plan_are_open_ended_not_zero_delay():
    # a opts out for good: its people never get the platform; the totals said "Population-months of
    # delay: 0", the same as nothing moved
    from hpplan.cli_compare import totals_lines

    base = build([org("a", population=1000), org("b", population=10)])
    other = apply_quick(base, exclude=["a"])
    comparison = compared(base, other)
    assert (comparison.population_months, comparison.population_out, comparison.population_in) == (0, 1000, 0)
    assert totals_lines(comparison)[1] == (
        "Population-months of delay: 0 for the organisations moved (population x calendar months moved, later "
        "positive); 1 organisation (1 000* people) newly out of the plan: open-ended")  # the tests' estimates
    totals = comparison.to_json_dict()["totals"]
    assert (totals["population_months"], totals["population_out"], totals["population_in"]) == (0, 1000, 0)
    # the reverse: newly in the plan
    back = compared(other, base)
    assert (back.population_out, back.population_in) == (0, 1000)
    assert totals_lines(back)[1].endswith("; 1 organisation (1 000* people) newly in the plan: open-ended, a gain")


def test_a_comparison_with_only_moves_keeps_its_totals_line():
    from hpplan.cli_compare import totals_lines

    base = build([org("a", population=100), org("b", population=10)])
    comparison = compared(base, apply_quick(base, postpone=["a=2024-04-01"]))
    assert totals_lines(comparison)[1] == ("Population-months of delay: 200* (population x calendar months moved, "
                                           "later positive)")
    totals = comparison.to_json_dict()["totals"]
    assert (totals["population_months"], totals["population_out"], totals["population_in"]) == (200, 0, 0)


def test_the_shipped_stay_out_scenario_says_who_is_out_and_how_many_people(shipped_plan: Path):
    # the four municipalities that never come back were totalled as "Population-months of delay: 0"
    from hpplan.loader import load_problem

    four = ("aure", "averoy", "froya", "gjemnes")
    people = sum(load_problem(REPO / "data").org[ident].population for ident in four)
    args = ["compare", "--baseline", str(shipped_plan), "--data", str(REPO / "data"), "--scenario",
            str(REPO / "data" / "scenarios" / "four-municipalities-stay-out.yaml"), "-t", "10"]
    data = json.loads(run(*args, "-f", "json").stdout)
    totals = data["totals"]
    assert (totals["newly_unscheduled"], totals["population_out"], totals["population_in"]) == (4, people, 0)
    assert sorted(m["id"] for m in data["moves"] if m["change"] == "unscheduled") == list(four)
    table = run(*args)
    assert table.exit_code == 0, table.output
    flat = " ".join(table.stdout.split())  # wrapped to the terminal's width
    assert (f"Population-months of delay: 0 for the organisations moved (population x calendar months moved, later "
            f"positive); 4 organisations ({fmt_int(people)} people) newly out of the plan: open-ended") in flat
    # nor is their cost "0 MNOK" without a word: the data has none for them
    # (no cost is given, so none is an estimate: not "Estimated"; the municipalities' populations are facts)
    assert "Cost of delay: 0 MNOK; the data gives no cost for the 4 organisations newly out of the plan" in flat
    # the only marks: their return dates (inferred in the shipped data) where the scenario drops them, their
    # baseline go-live date (an estimated window's, 2026-02-07), and the pools' capacities (inferred too)
    assert "returns 2024-12-19* -> none (scenario)" in flat
    assert "2026-02-07* -> not scheduled" in flat
    assert "*" not in flat[:flat.index("Peak load")].replace("2024-12-19*", "").replace("2026-02-07*", "")
    assert "of 168* FTE" in flat


def test_a_delay_the_data_gives_no_cost_for_is_unknown_not_zero():
    # the four municipalities of four-municipalities-in-ki2.yaml move a year later and have no cost per
    # month in the data: the totals said "Estimated cost of delay: 0 MNOK", as if their delay cost nothing
    from hpplan.cli_compare import totals_lines

    base = build([org("a", population=100), org("b", population=10)])
    comparison = compared(base, apply_quick(base, postpone=["a=2024-04-01"]))
    assert [m.id for m in comparison.uncosted] == ["a"] and comparison.cost_of_delay == 0
    assert totals_lines(comparison)[2] == ("Cost of delay: unknown (the data gives no cost for the "
                                           "1 organisation moved later)")
    # one given as 0 by the data: a known 0 (the total is its sum); the other is still counted
    base = build([org("a", population=100, postponement_cost_per_month=0.0), org("b", population=10)])
    comparison = compared(base, apply_quick(base, postpone=["a=2024-04-01", "b=2024-04-01"]))
    assert totals_lines(comparison)[2] == ("Cost of delay: 0 MNOK; the data gives no cost for 1 of the "
                                           "2 organisations moved later")  # a zero is no estimate
    # where the data gives a cost, the total is its sum, and the one without a cost is still said
    base = build([org("a", population=100, postponement_cost_per_month=50.0), org("b", population=10)])
    comparison = compared(base, apply_quick(base, postpone=["a=2024-04-01", "b=2024-04-01"]))
    assert totals_lines(comparison)[2] == ("Estimated cost of delay: 100* MNOK; the data gives no cost for 1 of the "
                                           "2 organisations moved later")


def test_the_shipped_four_municipalities_delay_has_no_cost_in_the_data():
    from hpplan.cli_compare import comparison_markdown
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    ki2 = apply_scenarios(load_problem(REPO / "data"), [REPO / "data" / "scenarios" / "four-municipalities-in-ki2.yaml"])
    base = load_problem(REPO / "data")
    before = solved(ki2)
    comparison = compare(before, ki2, solve(base, SolveOptions(time_limit=20), Baseline(before)), base)
    assert sorted(m.id for m in comparison.of("later")) == ["aure", "averoy", "froya", "gjemnes"]
    text = comparison_markdown(comparison)
    assert "Cost of delay: unknown (the data gives no cost for the 4 organisations moved later)" in text
    assert "0 MNOK" not in text
    totals = comparison.to_json_dict()["totals"]  # a program reading 0 MNOK learns it is not "free"
    assert totals["cost_of_delay_mnok"] == 0 and totals["no_cost_given"] == ["aure", "averoy", "froya", "gjemnes"]
