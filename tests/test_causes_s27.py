"""Session 27: compare's causes of a changed `together` rule (one-way rules, removed rules), a private GP
office that holds back its municipality, a saved plan compared without its scenario, marked dates in the
scenario line, and explain's estimate marks and units."""

from __future__ import annotations

from pathlib import Path

import yaml
from helpers import build, org, solved, windows_of

from hpplan.cli_compare import comparison_text, scenario_notes
from hpplan.compare import compare
from hpplan.explain import why_not_earlier
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solve import Baseline, SolveOptions, solve_replan

GP_RULE = {"id": "gp", "type": "with_or_before", "each": "gp_office", "reason": "GP offices first"}


def write(tmp_path: Path, changes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    data = {"base": "data", "description": "test", "changes": changes}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def cooperation(**gp):
    """m1, m2, m3 go live together; m3 not before 2024-09 (w3); g1, m1's GP office, prefers w3."""
    return build([org("m1"), org("m2"), org("m3", earliest="2024-09-01"),
                  org("g1", kind="gp_office", municipality="m1", population=0, preferred_window="w3", **gp)],
                 rules=[GP_RULE, {"id": "coop", "type": "together", "actors": ["m1", "m2", "m3"], "reason": "x"}],
                 objective={"preferred_window_penalty": 1})


def test_a_together_rule_replaced_is_the_scenarios_cause_never_the_gp_office(tmp_path):
    base_problem = cooperation()
    base = solved(base_problem)
    assert windows_of(base) == {"m1": "w3", "m2": "w3", "m3": "w3", "g1": "w3"}
    path = write(tmp_path, [{"op": "remove_rule", "id": "coop"},
                            {"op": "add_rule", "rule": {"id": "coop-2", "type": "together", "actors": ["m1", "m2"],
                                                        "reason": "x"}}])
    other_problem = apply_scenarios(base_problem, [path])
    other = solved(other_problem)
    assert windows_of(other) == {"m1": "w1", "m2": "w1", "m3": "w3", "g1": "w1"}
    moves = {m.id: m for m in compare(base, base_problem, other, other_problem).moves}
    m1 = moves["m1"]
    # the scenario's rule change, at its line; never the GP office (which follows it), never the removed rule
    # as a knock-on that binds
    assert m1.cause.kind == "scenario" and m1.cause.where == f"{path}:4", m1.causes
    assert "removed it (remove_rule" in m1.cause.text and "now together rule coop-2 [m1, m2]" in m1.cause.text
    assert not any("g1" in c.actors for c in m1.causes), m1.causes
    assert not any(c.kind == "knock-on" and c.rule == "together" for c in m1.causes), m1.causes
    # the GP office is pulled earlier by its municipality: the direction the rule forces
    g1 = moves["g1"]
    assert g1.cause.kind == "knock-on" and g1.cause.rule == "with_or_before" and g1.cause.actors == ("m1",)
    assert g1.roots == ("m1",)


def test_a_gp_office_moved_earlier_never_frees_its_municipality(tmp_path):
    """A municipality moved earlier by the objective (its population now outweighs its and its GP office's
    preferred window): its GP office, which followed it, is not what held it back."""
    base_problem = build([org("m1", preferred_window="w3"), org("g1", kind="gp_office", municipality="m1",
                                                                population=0, preferred_window="w3")],
                         rules=[GP_RULE])
    base = solved(base_problem)
    assert windows_of(base) == {"m1": "w3", "g1": "w3"}
    path = write(tmp_path, [{"op": "set", "actor": "m1", "fields": {"population": 100000}}])
    other_problem = apply_scenarios(base_problem, [path])
    other = solved(other_problem)
    assert windows_of(other) == {"m1": "w1", "g1": "w1"}
    m1 = next(m for m in compare(base, base_problem, other, other_problem).moves if m.id == "m1")
    assert not any("g1" in c.actors for c in m1.causes), m1.causes
    assert m1.cause.kind == "objective" and "never pulls it earlier" in m1.cause.text


def test_a_private_gp_office_postponed_is_named_as_what_holds_its_municipality_back():
    base_problem = cooperation(private=True)
    base = solved(base_problem)
    other_problem = apply_quick(base_problem, postpone=["g1=2024-11-01"])
    other = solved(other_problem)
    assert windows_of(other)["m1"] == "w4"
    moves = {m.id: m for m in compare(base, base_problem, other, other_problem).moves}
    text = moves["m1"].cause.text
    assert "g1 is a private GP office (private: true) postponed by its own date (earliest" in text, text
    assert "holds back its municipality" in text
    # not said of a GP office that is not private
    base_problem = cooperation()
    other_problem = apply_quick(base_problem, postpone=["g1=2024-11-01"])
    moves = {m.id: m for m in compare(solved(base_problem), base_problem, solved(other_problem), other_problem).moves}
    assert "private" not in moves["m1"].cause.text


def test_a_saved_plan_of_a_scenario_lists_no_organisation_the_baseline_data_lacks(tmp_path):
    base_problem = build([org("m1"), org("m2", earliest="2024-04-01")])
    path = write(tmp_path, [{"op": "add", "organisation": org("g9", kind="gp_office", municipality="m1",
                                                               earliest="2024-09-01")}])
    with_gp = apply_scenarios(base_problem, [path])
    saved = solved(with_gp)  # the plan was made with the scenario ...
    # g9 may now go live earlier by its own data, where the re-plan keeps it: but the baseline's data lacks it
    other_problem = apply_quick(with_gp, postpone=["m2=2024-05-01", "g9=2024-01-20"])
    other, _ = solve_replan(other_problem, SolveOptions(time_limit=20), Baseline(saved, name="plan.json"))
    c = compare(saved, base_problem, other, other_problem)  # ... and compared against the data without it
    assert "g9" not in {a.id for a in c.allowed_earlier}, c.allowed_earlier
    notes = scenario_notes(Path("plan.json"), saved, base_problem)
    assert notes and "g9" in notes[0] and "--baseline-scenario FILE" in notes[0]
    c.notes = notes
    text = " ".join(comparison_text(c, 200, "Comparison").split())
    # the plan says which scenario it was made with (its `applied`, session 27) and what it names the data lacks
    assert ("note: the baseline plan.json was made with the scenario s, which the baseline's data here was not "
            "given, and names 1 organisation the baseline's data lacks (g9)") in text


def test_the_scenario_line_marks_dates_as_the_cause_does():
    base_problem = build([org("m1", earliest="2024-01-20")])  # the helpers' notes are estimates
    base = solved(base_problem)
    other_problem = apply_quick(base_problem, postpone=["m1=2024-05-01"])
    c = compare(base, base_problem, solved(other_problem), other_problem)
    text = " ".join(comparison_text(c, 200, "Comparison").split())
    assert "postpone m1: earliest 2024-01-20* -> 2024-05-01*" in text, text
    assert "earliest 2024-01-20* -> 2024-05-01* (scenario)" in text


def test_explain_marks_estimated_dates_and_objective_changes_and_says_the_units():
    windows = [{"id": "h1", "date": "2023-11-04"}, {"id": "w1", "date": "2024-02-10"},
               {"id": "w2", "date": "2024-04-27", "source": {"date": "estimate: a Saturday"}},
               {"id": "w3", "date": "2024-09-14", "source": {"date": "estimate: a Saturday"}}]
    problem = build([org("m1", population=1450, preferred_window="w3")], windows=windows)
    plan = solved(problem)
    assert windows_of(plan) == {"m1": "w3"}
    answer = why_not_earlier(problem, "m1", plan, time_limit=20)
    text = answer.to_text()
    assert "in window w3 (2024-09-14*), not one window earlier in window w2 (2024-04-27*)?" in text, text
    assert "worse by 12750*" in text  # 20000 - 1450 x 5 months: the population is an estimate
    assert "  - population_delay: -7250* (7 250* person-months less waiting" in text
    assert "  - preference: +20000 (1 window further from the preferred windows × 20 000 a window" in text
    assert ("In plain words: M1 could go live in window w2 (2024-04-27*), one window earlier; it is kept in window "
            "w3 (2024-09-14*) because that is its preferred window (penalty 20 000 a window), which outweighs "
            "7 250* person-months.") in text
    assert text.rstrip().endswith("* estimate: see the data's source notes")
    data = answer.to_json_dict()
    assert data["objective_change"] == {"population_delay": -7250, "preference": 20000, "total": 12750}
    assert data["objective_change_is_estimate"] == {"population_delay": True, "preference": False, "total": True}
    assert data["window_date_is_estimate"] and data["earlier_date_is_estimate"]
    assert data["objective_change_units"]["population_delay"] == {"person_months": -7250, "population_weight": 1}
    assert data["objective_change_units"]["preference"] == {"windows": 1, "penalty_per_window": 20000}



def test_a_full_window_s_cause_names_its_first_members_and_how_many_more():
    # a national week listed some 150 organisations in one cause line ("window 2028-04 is full (max_users)
    # with ..."): the text names eight and how many more; the JSON's actors keep them all
    from hpplan.compare import SHOWN

    orgs = ([org(f"a{i:02d}", population=100 - i) for i in range(12)]
            + [org(f"b{i:02d}", population=50 - i, earliest="2024-04-01") for i in range(12)])
    problem = build(orgs, limits=[{"max_actors": 12}])
    base = solved(problem)
    moved = apply_quick(problem, postpone=["a00=2024-03-01"])
    other, _ = solve_replan(moved, SolveOptions(time_limit=20), Baseline(base))
    c = compare(base, problem, other, moved)
    causes = [cause for m in c.moves for cause in m.causes if "full" in cause.text]
    assert causes, [cause.text for m in c.moves for cause in m.causes]
    assert all("b11" not in cause.text for cause in causes), [cause.text for cause in causes]
    assert any(f"b{SHOWN - 1:02d} and 4 more" in cause.text and len(cause.actors) == 12 for cause in causes), \
        [cause.text for cause in causes]
