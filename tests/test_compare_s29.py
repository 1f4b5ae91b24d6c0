"""`compare` (session 29): a baseline that breaks rules of the data it is compared on is said so in every output a
board gets, not called "feasible", and those it left out though its data requires them are the baseline's repair,
not a gain of the scenario; a move later whose new earliest date is not what keeps it out of the windows after that
date (an exclude's return date beside a postponement) says what does."""

from __future__ import annotations

import json

import pytest
from helpers import MORE_WINDOWS, build, joined, org, solved
from test_compare_s22 import REPO, run

from hpplan.cli_compare import comparison_markdown, comparison_text, totals_lines
from hpplan.compare import compare
from hpplan.scenario import Exclude, Postpone, Scenario, SetFields, apply_scenario
from hpplan.solution import Assignment, Solution, Status
from hpplan.solve import Baseline, SolveOptions, solve

DATA = REPO / "data"
ADOPTED = DATA / "adopted-plan.yaml"
LEFT_OUT = {"aure", "averoy", "froya", "gjemnes"}  # opted out with a return date in the data: mandatory


def replanned(base_problem, other_problem, base=None):
    """The baseline (solved, unless given) and the other data re-planned against it, compared (`hpplan compare`)."""
    base = base if base is not None else solved(base_problem)
    other = solve(other_problem, SolveOptions(time_limit=20), Baseline(base))
    return compare(base, base_problem, other, other_problem)


def moved(comparison, ident):
    return next(m for m in comparison.moves if m.id == ident)


# ---- 1. a baseline that breaks rules of its data --------------------------------------------------------------


@pytest.fixture(scope="module")
def adopted_outputs(tmp_path_factory) -> dict[str, str]:
    """`hpplan compare -b data/adopted-plan.yaml -d data -s hmr-postponed.yaml` as JSON, Markdown and text."""
    folder = tmp_path_factory.mktemp("adopted")
    outputs = {}
    for suffix in ("json", "md", "txt"):
        out = folder / f"x.{suffix}"
        result = run("compare", "-b", str(ADOPTED), "-d", str(DATA), "-s", str(DATA / "scenarios" / "hmr-postponed.yaml"),
                     "-t", "10", "-o", str(out))
        assert result.exit_code == 0, result.output
        outputs[suffix] = out.read_text(encoding="utf-8")
    return outputs


def test_the_adopted_plans_json_says_it_breaks_four_rules_and_keeps_its_repairs_out_of_the_gain(adopted_outputs):
    report = json.loads(adopted_outputs["json"])
    # it was "feasible", with `notes: []`
    assert report["baseline_status"] == "violations"
    assert report["baseline_status_text"] == "plan file, not solved; breaks 4 rules or limits of this data"
    assert {v["rule"] for v in report["baseline_violations"]} == {"mandatory"}
    assert {a for v in report["baseline_violations"] for a in v["actors"]} == LEFT_OUT
    assert all(v["where"].startswith(f"{DATA}/organisations.yaml:") for v in report["baseline_violations"])
    [note] = report["notes"]
    assert note.startswith(f"the baseline {ADOPTED} breaks 4 rules or limits of the data in {DATA}, which it is "
                           "compared on (must go live, left out: gjemnes, averoy, froya, aure)"), note
    assert "a repair of the baseline and not an effect of the changes" in note
    assert note.endswith(f"to see what it breaks: hpplan check --data {DATA} --plan {ADOPTED}"), note
    # the four were "newly scheduled" and their 17 516 people a gain of the scenario
    totals = report["totals"]
    assert (totals["newly_scheduled"], totals["population_in"]) == (0, 0)
    assert (totals["repaired"], totals["population_repaired"]) == (4, 17516)
    repairs = [m for m in report["moves"] if m["id"] in LEFT_OUT]
    assert {m["change"] for m in repairs} == {"repaired"} and {m["cause"]["kind"] for m in repairs} == {"baseline"}
    assert repairs[0]["cause"]["text"].startswith("the baseline left it out, though its data says it must go live")
    # the scenario's own moves are as before
    assert totals["later"] == 10 and totals["population_months"] == 2037570


def test_the_adopted_plans_markdown_and_table_say_the_rules_it_breaks_and_no_gain(adopted_outputs):
    markdown = adopted_outputs["md"]
    assert "- Baseline status: plan file, not solved; breaks 4 rules or limits of this data; scenario status" in markdown
    assert "- Note: the baseline " in markdown and "breaks 4 rules or limits of the data in" in markdown
    text = joined(adopted_outputs["txt"])
    assert "(plan file, not solved; breaks 4 rules or limits of this data) ->" in text and "(feasible)" not in text
    assert "note: the baseline " in text and f"hpplan check --data {DATA} --plan {ADOPTED}" in text
    for said in (markdown, text):
        assert "Newly scheduled" not in said and "open-ended, a gain" not in said and "newly scheduled: 0" in said
        assert "Left out of the baseline against its data's rules, now scheduled (4)" in said
        assert ("4 organisations (17 516 people) left out of the baseline against its data's rules, now in the plan: "
                "a repair of the baseline, not a gain of the changes") in joined(said)


def test_a_capacity_cut_against_the_adopted_plan_brings_no_gain():
    result = run("compare", "-b", str(ADOPTED), "-d", str(DATA), "-s",
                 str(DATA / "scenarios" / "primary-capacity-cut.yaml"), "-t", "10", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["population_in"] == 0 and report["totals"]["population_repaired"] == 17516
    assert report["baseline_status"] == "violations" and len(report["notes"]) == 1


def test_one_left_out_against_its_data_is_a_repair_one_a_scenario_lets_in_is_a_gain():
    base = build([org("a", population=100), org("b", population=50), org("c", status="opted_out", population=7)])
    plan = solved(base)
    # the baseline leaves out b, which its data says must go live (a hand-edited plan file)
    broken = Solution(Status.feasible, plan=[Assignment(a.id, a.name, a.kind, a.sector, None, None, False)
                                             if a.id == "b" else a for a in plan.plan])
    other = apply_scenario(base, Scenario("s.yaml", "data", "c signs", [SetFields.model_validate(
        {"op": "set", "actor": "c", "fields": {"status": "signed"}})]))
    comparison = replanned(base, other, broken)
    assert [v.rule for v in comparison.base_violations] == ["mandatory"]
    assert comparison.base_status_text == "feasible as saved; breaks 1 rule or limit of this data"
    assert (moved(comparison, "b").change, moved(comparison, "c").change) == ("repaired", "scheduled")
    assert (comparison.population_in, comparison.population_repaired) == (7, 50)
    lines = totals_lines(comparison)
    assert lines[0].endswith("newly scheduled: 1; left out of the baseline against its data's rules, now scheduled: 1 "
                             "(a repair of the baseline, not an effect of the changes)"), lines[0]
    assert "1 organisation (7* people) newly in the plan: open-ended, a gain" in lines[1]
    assert "1 organisation (50* people) left out of the baseline against its data's rules" in lines[1]
    # a plan solved from the data breaks nothing: its status as it was
    fits = replanned(base, other)
    assert (fits.base_violations, fits.base_status_text, fits.to_json_dict()["baseline_status"]) == (
        [], "optimal", "optimal")
    assert moved(fits, "c").change == "scheduled"


# ---- 2. one organisation, two changes: what keeps it out of the windows after its new earliest date ------------


def two_changes(*changes):
    base = build([org("m1", earliest="2024-01-20"), org("m2")], windows=MORE_WINDOWS)
    other = apply_scenario(base, Scenario("two.yaml", "data", "m1 postponed and out", list(changes)))
    return replanned(base, other)


POSTPONE = Postpone.model_validate({"op": "postpone", "actor": "m1", "earliest": "2024-03-01"})
EXCLUDE = Exclude.model_validate({"op": "exclude", "actor": "m1", "returns": "2024-12-01"})
RETURNS = "status planned -> opted_out; returns none -> 2024-12-01* (scenario)"


def test_a_return_date_after_the_new_earliest_date_is_said_for_the_windows_it_bars():
    comparison = two_changes(POSTPONE, EXCLUDE)
    m1 = moved(comparison, "m1")
    assert (m1.window_before, m1.window_after) == ("w1", "w5")
    # the table said the postponement alone, though w2 to w4 lie after its 2024-03-01
    want = (f"earliest 2024-01-20* -> 2024-03-01* (scenario); and the first window after that, w2, and windows w3, w4 "
            f"would not take it: {RETURNS}")
    assert want in joined(comparison_text(comparison, 80, "c")), comparison_text(comparison, 80, "c")
    assert want in comparison_markdown(comparison)
    skipped = [c for c in m1.causes if c.skipped is not None]
    assert [(c.skipped, c.kind, c.rule, c.where) for c in skipped] == [("w2", "scenario", "returns", None)]


def test_with_the_exclude_alone_the_return_date_is_the_main_cause_and_nothing_is_added():
    m1 = moved(two_changes(EXCLUDE), "m1")
    assert m1.window_after == "w5" and m1.cause.text == RETURNS
    assert [c for c in m1.causes if c.skipped is not None] == []


def test_a_together_partners_return_date_is_said_for_the_windows_it_bars():
    base = build([org("t", kind="health_trust", earliest="2024-01-20"), org("h", kind="hospital", part_of="t"),
                  org("m2")], windows=MORE_WINDOWS, rules=[{"type": "together", "actors": ["t", "h"], "id": "tg"}])
    other = apply_scenario(base, Scenario("two.yaml", "data", "t postponed and out", [
        Postpone.model_validate({"op": "postpone", "actor": "t", "earliest": "2024-03-01"}),
        Exclude.model_validate({"op": "exclude", "actor": "t", "returns": "2024-12-01"})]))
    text = joined(comparison_text(replanned(base, other), 80, "c"))
    assert ("together rule tg: goes live with t, whose earliest 2024-01-20* -> 2024-03-01* (scenario); and the first "
            "window after that, w2, and windows w3, w4 would not take it: t's status planned -> opted_out; returns "
            "none -> 2024-12-01* (scenario)") in text, text  # (the rule clause not said again: the re-checker)


def test_orsta_postponed_and_excluded_in_the_shipped_data_says_its_return_date(tmp_path):
    base = tmp_path / "base.json"
    solved_ = run("solve", "--data", str(DATA), "-q", "-f", "json", "-o", str(base), "-t", "10")
    assert solved_.exit_code == 0, solved_.output
    scenario = tmp_path / "that.yaml"
    scenario.write_text("description: orsta postponed, then out until December\nbase: data\nchanges:\n"
                        "  - {op: postpone, actor: orsta, earliest: 2025-06-01}\n"
                        "  - {op: exclude, actor: orsta, returns: 2025-12-01}\n", encoding="utf-8")
    result = run("compare", "-t", "10", "--data", str(DATA), "--baseline", str(base), "--scenario", str(scenario))
    assert result.exit_code == 0, result.output
    text = joined(result.stdout)
    assert "orsta 2025-04-26* -> 2026-02-07* +287* days" in text, text
    assert ("why: earliest 2025-01-15* -> 2025-06-01* (scenario); and the first window after that, 2025-09, and "
            "window 2025-10 would not take it: status planned -> opted_out; returns none -> 2025-12-01* (scenario)"
            ) in text, text
