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
    main = ("pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there, up to 8* FTE in 2024-05; "
            "more load in 2024-05 now from m1 (+4* FTE)")
    assert m2.cause.text == main and m2.cause.kind == "knock-on" and m2.cause.actors == ("m1",)
    assert m2.roots == ("m1",)
    # the table, the Markdown and the JSON show it; the JSON keeps each month's cause behind it
    assert main in " ".join(comparison_text(comparison, 80, "c").split())
    assert main in comparison_markdown(comparison)  # s27: a lone mark cannot open emphasis: as written
    causes = comparison.to_json_dict()["moves"]
    causes = next(m for m in causes if m["id"] == "m2")["causes"]
    assert [c["text"].split(";")[0] for c in causes] == [
        "pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there, up to 8* FTE in 2024-05",
        "pool primary full in 2024-04: 6* of 5* FTE with it back there",
        "pool primary full in 2024-05: 8* of 5* FTE with it back there"]
    assert "in 2024-05" in causes[0]["detail"]  # the verifier's words for the worst month


def test_a_pool_over_in_one_month_keeps_its_one_month_cause():
    one = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=one, pools=PRIMARY_5)
    m2 = move(compared(base, apply_quick(base, postpone=["m1=2024-04-01"])), "m2")
    assert m2.cause.text == "pool primary full in 2024-04: 8* of 5* FTE with it back there; more load there now from m1 (+4* FTE)"
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
        assert peak["before"] == {"month": want.month, "used": want.used, "used_is_estimate": want.used_estimate,
                                  "limit": want.limit, "limit_is_estimate": want.limit_estimate, "fullest": None}
        assert peak["before"]["used_is_estimate"]  # the shipped load profiles are estimates


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


# ---- a capacity the scenario cut is said, not hidden behind a knock-on (analyst2 finding 1) -------------


def test_a_capacity_the_scenario_cut_is_the_cause_with_the_movers_load_as_an_addition():
    # primary-capacity-cut.yaml: Nærøysund was "over ... up to 61 FTE in 2025-04; more load in 2025-04 now
    # from steinkjer (+3 FTE)", a knock-on rooted in Steinkjer, when the scenario's 72 -> 57.6 cut is
    # what puts it over (Feb and Mar from the cut alone)
    rising = [{"id": "municipality", "hypercare": [3, 4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=rising,
                 pools=[PRIMARY_5[0], {**PRIMARY_5[1], "fte": 8}])
    comparison = compared(base, apply_quick(base, postpone=["m1=2024-04-01"], capacity=["primary=5"]))
    m2 = move(comparison, "m2")
    assert m2.cause.text == ("pool primary over its 5* FTE in 2024-04 to 2024-05 with it back there, up to 8* FTE "
                             "in 2024-05; capacity in 2024-05 8* -> 5* FTE (scenario); more load in 2024-05 now "
                             "from m1 (+4* FTE)")
    assert m2.cause.kind == "scenario" and m2.roots == ("m2",)  # not "started by m1"
    assert [c.kind for c in m2.causes] == ["scenario"] * 3
    assert m2.causes[1].text == ("pool primary full in 2024-04: 6* of 5* FTE with it back there; capacity 8* -> 5* FTE "
                                 "(scenario); more load there now from m1 (+3* FTE)")


def test_the_summary_says_a_cut_in_a_month_other_than_the_worst():
    # over in April (8 of 7, unchanged capacity, m1's load) and May (6 of 5, cut by the scenario): the
    # summary took the worst month's cause alone, a knock-on, and dropped May's cut
    falling = [{"id": "municipality", "hypercare": [4, 3], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=falling,
                 pools=[PRIMARY_5[0], {**PRIMARY_5[1], "fte": 7}])
    comparison = compared(base, apply_quick(base, postpone=["m1=2024-04-01"], capacity=["primary=5@2024-05"]))
    m2 = move(comparison, "m2")
    assert m2.cause.text == ("pool primary over its capacity in 2024-04 to 2024-05 with it back there, up to 8* of 7* "
                             "FTE in 2024-04; capacity in 2024-05 7* -> 5* FTE (scenario); more load in 2024-04 now "
                             "from m1 (+4* FTE)")
    assert m2.cause.kind == "scenario"
    # the month whose capacity the scenario left alone keeps its knock-on
    april = next(c for c in m2.causes if "full in 2024-04" in c.text)
    assert april.kind == "knock-on" and april.actors == ("m1",)


# ---- organisations moved later with no cost are said beside a total (analyst2 finding 3) ----------------


def test_the_cost_line_names_those_moved_later_with_no_cost_beside_the_others_sum():
    # HMR's cost set to null, HNT's given: the table said only "Estimated cost of delay: 435* MNOK", as if
    # that were the cost of every move, while the JSON listed HMR in no_cost_given
    base = build([org("a", population=100, postponement_cost_per_month=50.0), org("b", population=10),
                  org("c", population=10)])
    comparison = compared(base, apply_quick(base, postpone=["a=2024-04-01", "b=2024-04-01"]))
    said = "Estimated cost of delay: 100* MNOK; the data gives no cost for 1 of the 2 organisations moved later"
    from hpplan.cli_compare import totals_lines

    assert totals_lines(comparison)[2] == said
    assert said in " ".join(comparison_text(comparison, 80, "c").split())
    assert said in comparison_markdown(comparison)  # s27: the mark as written
    totals = comparison.to_json_dict()["totals"]
    assert (totals["cost_of_delay_mnok"], totals["no_cost_given"]) == (100.0, ["b"])


# ---- YAML baselines: history, and a date that is no window (analyst2 findings 6, 7) ----------------------


def test_a_live_organisation_at_its_windows_date_in_a_yaml_baseline_is_history_not_a_move(data, tmp_path):
    # Ålesund listed at its window's date (2023-04-29; live since 2023-04-28) showed as "Go-live earlier
    # alesund 2023-04-29 -> 2023-04-28 -1 days" and counted as a move: history cannot move
    edit(data / "organisations.yaml", "live_since: 2023-11-04", "live_since: 2023-11-03")
    plan = yaml_plan(tmp_path)
    entries = yaml.safe_load(plan.read_text(encoding="utf-8"))["plan"]
    entries.append({"id": "st-olavs", "go_live": "2023-11-04", "source": "fact: test"})
    plan.write_text(yaml.safe_dump({"plan": entries}, sort_keys=False), encoding="utf-8")
    problem = load_problem(data)
    st_olavs = next(a for a in read_plan_file(problem, plan).solution.plan if a.id == "st-olavs")
    assert (str(st_olavs.go_live), st_olavs.window, st_olavs.pinned) == ("2023-11-03", "2023-11", True)
    result = run("compare", "--baseline", str(plan), "--data", str(data), "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "st-olavs" not in [m["id"] for m in report["moves"]] and report["totals"]["actors_moved"] == 0
    assert "does not fit" not in result.stderr, result.stderr


def test_a_yaml_baseline_date_that_is_no_window_is_counted_once(tmp_path, capsys):
    # `compare --baseline y_nowin.yaml` said "7 problems" where `check --plan` says 6: the date was counted
    # again as the verifier's window finding
    from hpplan.check import check_plan
    from hpplan.cli_compare import check_baseline_fits, read_baseline

    plan = yaml_plan(tmp_path)
    edit(plan, "go_live: '2024-04-27'", "go_live: '2024-04-28'")
    problem = load_problem(TINY)
    expected = len(check_plan(problem, plan).findings)
    baseline, unplaced = read_baseline(plan, None, problem)
    check_baseline_fits(problem, baseline, unplaced)
    err = capsys.readouterr().err
    assert f"({expected} problem" in err and "not the date of any window" in err, (expected, err)


def test_the_markdown_escapes_a_moves_cost_mark_as_the_rest():
    # `| 250* |` in the MNOK column, `168\*` in the cause beside it: one way, as formats.md_text does
    base = build([org("a", population=100, postponement_cost_per_month=50.0), org("b", population=10)])
    text = comparison_markdown(compared(base, apply_quick(base, postpone=["a=2024-04-01"])))
    row = next(line for line in text.splitlines() if line.startswith("| a |"))
    assert "| 100* |" in row, row  # s27: as written, no backslash
