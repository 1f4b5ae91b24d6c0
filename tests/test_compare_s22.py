"""`compare` after the January 2024 back-test (docs/scenarios.md): a capacity cause says every month the
pool is over and how far at the worst; the baseline's peak load comes from its go-lives, not from a
stale `load`; the YAML plan files `check --plan` reads are baselines too; a hospital whose trust carries
its cost is not "no cost given"; a together knock-on names the together rule and its line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import yaml
from helpers import build, edit, line_of, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import read_plan_file
from hpplan.cli_compare import comparison_markdown, comparison_text
from hpplan.compare import _months_span, compare
from hpplan.formats import peak_loads
from hpplan.loader import load_problem
from hpplan.scenario import apply_quick
from hpplan.solution import LoadPoint, Solution
from hpplan.solve import load_report

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
runner = CliRunner()

PRIMARY_5 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
]


def run(*args: str):
    return runner.invoke(cli.app, list(args))


def compared(base_problem, other_problem):
    return compare(solved(base_problem), base_problem, solved(other_problem), other_problem)


def move(comparison, ident):
    return next(m for m in comparison.moves if m.id == ident)


# ---- a capacity cause: all the months over, and the worst ------------------------------------------


def test_a_pool_over_in_several_months_says_how_far_at_the_worst_not_the_first_month_alone():
    # back in its window m2 overloads April (6 of 5 FTE) and May (8 of 5): the cause said "full in
    # 2024-04: 6 of 5 FTE", and a reader took 1 more FTE to be enough when 3 are needed
    rising = [{"id": "municipality", "hypercare": [3, 4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=rising, pools=PRIMARY_5)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    comparison = compared(base, other)
    m2 = move(comparison, "m2")
    assert (m2.window_before, m2.window_after) == ("w2", "w3")
    main = ("pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there, up to 8 FTE in 2024-05; "
            "more load in 2024-05 now from m1 (+4 FTE)")
    assert m2.cause.text == main and m2.cause.kind == "knock-on" and m2.cause.actors == ("m1",)
    assert m2.roots == ("m1",)
    # the table, the Markdown and the JSON show it; the JSON keeps each month's cause behind it
    assert main in " ".join(comparison_text(comparison, 80, "c").split())
    assert main.replace("*", "\\*") in comparison_markdown(comparison)  # the mark escaped in Markdown
    causes = comparison.to_json_dict()["moves"]
    causes = next(m for m in causes if m["id"] == "m2")["causes"]
    assert [c["text"].split(";")[0] for c in causes] == [
        "pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there, up to 8 FTE in 2024-05",
        "pool primary full in 2024-04: 6 of 5* FTE with it back there",
        "pool primary full in 2024-05: 8 of 5* FTE with it back there"]
    assert "in 2024-05" in causes[0]["detail"]  # the verifier's words for the worst month


def test_a_pool_over_in_one_month_keeps_its_one_month_cause():
    one = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=one, pools=PRIMARY_5)
    m2 = move(compared(base, apply_quick(base, postpone=["m1=2024-04-01"])), "m2")
    assert m2.cause.text == "pool primary full in 2024-04: 8 of 5* FTE with it back there; more load there now from m1 (+4 FTE)"
    assert len([c for c in m2.causes if c.rule == "capacity"]) == 1


def test_months_over_not_in_a_row_are_counted():
    assert _months_span(["2024-07", "2024-08"]) == "2024-07 to 2024-08"
    assert _months_span(["2024-07", "2024-08", "2024-12"]) == "3 months from 2024-07 to 2024-12"


# ---- the baseline's peak load ---------------------------------------------------------------------


def test_the_baseline_peak_comes_from_its_go_lives_not_from_a_stale_load():
    # a saved plan whose `load` does not match its go-lives (edited by hand, or of other data): its
    # stated peak was shown as "before"
    profile = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2")], profiles=profile,
                 pools=[PRIMARY_5[0], {**PRIMARY_5[1], "fte": 10}])
    plan = solved(base)
    stale = dataclasses.replace(plan, load=[LoadPoint("primary", "2024-09", 99.0, 10.0)])
    other = apply_quick(base, capacity=["primary=5"])
    comparison = compare(stale, base, solved(other), other)
    primary = next(p for p in comparison.peaks if p.pool == "primary")
    assert (primary.before.month, primary.before.used, primary.before.limit) == ("2024-02", 8, 10)


# ---- YAML plan files as baselines -----------------------------------------------------------------


def yaml_plan(tmp_path: Path) -> Path:
    """The tiny data's plan, written as a YAML plan file (docs/check.md)."""
    solved_ = run("solve", "--data", str(TINY), "-f", "json")
    assert solved_.exit_code == 0, solved_.output
    entries = [{"id": a["id"], "go_live": a["go_live"], "source": "estimate: test"}
               for a in json.loads(solved_.stdout)["plan"] if a["id"] != "st-olavs"]  # history may be left out
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"plan": entries}, sort_keys=False), encoding="utf-8")
    return path


def test_compare_and_solve_take_a_yaml_plan_as_baseline(tmp_path):
    plan = yaml_plan(tmp_path)
    result = run("compare", "--baseline", str(plan), "--data", str(TINY), "--postpone",
                 "helse-more-og-romsdal=2024-09-01", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["baseline"] == str(plan) and data["baseline_status"] == "feasible"
    hmr = next(m for m in data["moves"] if m["id"] == "helse-more-og-romsdal")
    assert hmr["change"] == "later" and hmr["cause"]["kind"] == "scenario"
    # a YAML plan states no load: the peak before is its go-lives' against the data
    assert all(p["before"] is not None for p in data["peak_load"])

    replanned = run("solve", "--baseline", str(plan), "--data", str(TINY), "-f", "json")
    assert replanned.exit_code == 0, replanned.output
    assert json.loads(replanned.stdout)["baseline"]["moved"] == 0


def test_a_yaml_baseline_with_a_typo_is_bad_input_at_its_line(tmp_path):
    plan = yaml_plan(tmp_path)
    edit(plan, "id: helse-more-og-romsdal", "id: helse-more-og-romsdl")
    line = line_of(plan, "helse-more-og-romsdl")
    for command in (("compare", "--postpone", "alesund=2024-09-01"), ("solve",)):
        result = run(*command, "--baseline", str(plan), "--data", str(TINY))
        assert result.exit_code == 2, result.output
        assert (f"{plan}:{line}: 'helse-more-og-romsdl' is not an organisation in "
                in result.output), result.output


def test_the_adopted_plan_compares_directly():
    adopted = REPO / "data" / "adopted-plan.yaml"
    result = run("compare", "--baseline", str(adopted), "--data", str(REPO / "data"), "-t", "10", "-f", "json")
    assert result.exit_code == 0, result.output
    problem = load_problem(REPO / "data")
    read = read_plan_file(problem, adopted).solution
    expected = {p.pool: p for p in peak_loads(problem, Solution(read.status, plan=read.plan,
                                                                load=load_report(problem, read.plan)))}
    for peak in json.loads(result.stdout)["peak_load"]:
        want = expected[peak["pool"]]
        assert peak["before"] == {"month": want.month, "used": want.used, "limit": want.limit,
                                  "limit_is_estimate": want.limit_estimate}


# ---- a trust carries its hospitals' cost; a together knock-on names the rule ------------------------


def with_a_hospital(folder: Path) -> Path:
    """The tiny data with a hospital of HMR that goes live with it, and HMR's cost of postponement."""
    edit(folder / "organisations.yaml", "    preferred_window: 2024-04\n",
         "    preferred_window: 2024-04\n    postponement_cost_per_month: 50.0\n")
    with (folder / "organisations.yaml").open("a", encoding="utf-8") as f:
        f.write("\n  - id: molde-sjukehus\n    name: Molde sjukehus\n    kind: hospital\n"
                "    part_of: helse-more-og-romsdal\n    status: signed\n    population: 0\n    users: 900\n"
                "    source: {all: \"estimate: test data\"}\n")
    with (folder / "waves.yaml").open("a", encoding="utf-8") as f:
        f.write("  - id: hmr-together\n    type: together\n    actors: [helse-more-og-romsdal, molde-sjukehus]\n"
                "    reason: one go-live\n")
    return folder


def test_a_hospital_whose_trust_carries_its_cost_is_not_no_cost_given(data):
    folder = with_a_hospital(data)
    result = run("compare", "--baseline", str(folder), "--postpone", "helse-more-og-romsdal=2024-09-01", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    moves = {m["id"]: m for m in report["moves"]}
    assert moves["molde-sjukehus"]["change"] == "later" and moves["molde-sjukehus"]["cost_carried_by"] == (
        "helse-more-og-romsdal")
    assert report["totals"]["no_cost_given"] == []
    # the totals are the trust's cost alone, as before
    assert report["totals"]["cost_of_delay_mnok"] == 50.0 * moves["helse-more-og-romsdal"]["months"]
    assert moves["molde-sjukehus"]["cost_mnok"] is None

    out = run("compare", "--baseline", str(folder), "--exclude", "helse-more-og-romsdal", "--exclude", "molde-sjukehus")
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "open-ended (not scheduled) for helse-more-og-romsdal" in text and "gives no cost" not in text


def test_a_together_knock_on_names_the_together_rule_and_its_line(data):
    folder = with_a_hospital(data)
    result = run("compare", "--baseline", str(folder), "--postpone", "helse-more-og-romsdal=2024-09-01", "-f", "json")
    moves = {m["id"]: m for m in json.loads(result.stdout)["moves"]}
    cause = moves["molde-sjukehus"]["cause"]
    assert cause["text"].startswith("together rule hmr-together: goes live with helse-more-og-romsdal")
    assert cause["rule"] == "together"
    assert cause["where"] == f"{folder / 'waves.yaml'}:{line_of(folder / 'waves.yaml', 'id: hmr-together')}"
    assert moves["molde-sjukehus"]["roots"] == ["helse-more-og-romsdal"]


def test_a_partner_that_is_not_part_of_the_trust_still_has_no_cost_given():
    # only the organisation a member is `part_of` carries its cost: a municipality in a together group
    # with a trust is not covered by the trust's cost
    base = build([org("t", kind="health_trust", population=100, postponement_cost_per_month=50.0),
                  org("h", kind="hospital", population=0, part_of="t"), org("m", population=5)],
                 rules=[{"type": "together", "actors": ["t", "h", "m"], "id": "group"}])
    comparison = compared(base, apply_quick(base, postpone=["t=2024-09-01"]))
    assert [m.id for m in comparison.uncosted] == ["m"]
    assert move(comparison, "h").cost_carried_by == "t" and move(comparison, "m").cost_carried_by is None
