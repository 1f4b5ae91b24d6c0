"""Session 26: the per-window summary's population shares count every organisation's population in its
sector, once (`formats.share_counted`), and the terminal's "not scheduled" group says when optional
organisations the objective is indifferent to were left out only because the tie-break did not finish
(`formats.left_to_the_tie_break`, `render.tie_break_note`)."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from helpers import build, joined, org, solved
from rich.console import Console
from test_tie_break import cp_sat_settles

from hpplan.formats import (
    SHARE_NOTE,
    left_to_the_tie_break,
    share_counted,
    to_markdown,
    window_summary,
)
from hpplan.problem import Problem
from hpplan.render import render_plan, tie_break_note
from hpplan.schema import Kind
from hpplan.solution import Assignment, Solution, SolveStats, Status

SOLVE = sys.modules["hpplan.solve"]


def terminal(problem: Problem, solution: Solution, width: int = 100) -> str:
    out = io.StringIO()
    render_plan(problem, solution, Console(width=width, file=out, color_system=None, legacy_windows=False))
    return out.getvalue()


def fact(entry: dict) -> dict:
    """An organisation whose figures are facts (no `*`)."""
    return {**entry, "source": {"all": "fact: test"}}


def plan_of(problem: Problem, windows: dict[str, str | None], **stats) -> Solution:
    """A plan by hand: organisation id -> window id (None: not scheduled)."""
    date = {w.id: w.date for w in problem.windows}
    entries = [Assignment(o.id, o.name, o.kind.value, o.effective_sector.value,
                          date[windows[o.id]] if windows[o.id] else None, windows[o.id], False)
               for o in problem.organisations if o.id in windows]
    return Solution(Status.optimal, plan=entries, stats=SolveStats(**stats))


def shares(problem: Problem, solution: Solution) -> dict[str, tuple]:
    return {s.window.id: (s.primary_share, s.specialist_share, s.primary_estimate, s.specialist_estimate)
            for s in window_summary(problem, solution) if not s.history}


# --------------------------------------------------------------------------------------------------
# finding 3: the shares count every population, once


def test_a_hospitals_population_counts_in_the_specialist_share_without_trusts():
    # a Danish region as hospitals: the objective weighs Rigshospitalet's population; the share showed n/a
    problem = build([fact(org("rh", kind="hospital", population=1_900_000)), org("herlev", kind="hospital",
                                                                                 population=0),
                     org("m1", population=0)])
    solution = solved(problem)
    summary = shares(problem, solution)
    live = {a.id: a.window for a in solution.plan}
    assert summary[live["rh"]][1] == 1.0
    assert summary[live["rh"]][0] is None  # no primary population at all: n/a
    assert all(s[1] == (1.0 if w >= live["rh"] else 0.0) for w, s in summary.items())
    row = next(line for line in terminal(problem, solution).splitlines() if line.startswith(live["rh"] + " "))
    assert row.rstrip().endswith("100.0%")


def test_an_other_units_population_counts_in_its_own_sectors_share_and_is_marked_an_estimate():
    # a private primary care unit (kind other, sector primary): 400 000 listed patients, an estimate
    problem = build([fact(org("m1", population=100_000)),
                     org("unit", kind="other", sector="primary", population=400_000, earliest="2024-09-01"),
                     fact(org("trust", kind="health_trust", population=500_000))])
    plan = plan_of(problem, {"m1": "w1", "unit": "w3", "trust": "w2"})
    summary = shares(problem, plan)
    assert summary["w1"][0] == pytest.approx(0.2) and summary["w3"][0] == 1.0
    assert summary["w1"][2] is True  # 100 000 of 500 000: the whole rests on the unit's estimate
    assert summary["w3"][2] is False  # everything live: exact
    assert summary["w1"][3] is False and summary["w2"][1] == 1.0
    assert [o.id for o in share_counted(problem)] == ["m1", "unit", "trust"]


def test_a_population_another_counted_organisation_covers_is_not_counted_twice():
    problem = build([
        fact(org("m1", population=1000)),
        org("g1", kind="gp_office", municipality="m1", population=400),  # m1 covers it: not counted
        fact(org("m2", population=0)),
        fact(org("g2", kind="gp_office", municipality="m2", population=200)),  # m2 gives none: counted
        fact(org("t1", kind="health_trust", population=5000)),
        org("h1", kind="hospital", part_of="t1", population=3000),  # t1 covers it
        fact(org("t2", kind="health_trust", population=0)),
        fact(org("h2", kind="hospital", part_of="t2", population=1000)),  # t2 gives none: counted
        fact(org("u1", kind="other", sector="primary", part_of="t1", population=50)),  # t1 covers it
    ])
    assert [o.id for o in share_counted(problem)] == ["m1", "g2", "t1", "h2"]
    plan = plan_of(problem, {"m1": "w1", "g1": "w1", "m2": "w2", "g2": "w2", "t1": "w1", "h1": "w1",
                             "t2": "w3", "h2": "w3", "u1": "w4"})
    summary = shares(problem, plan)
    assert summary["w1"][:2] == (pytest.approx(1000 / 1200), pytest.approx(5000 / 6000))
    assert summary["w2"][:2] == (1.0, pytest.approx(5000 / 6000))
    assert summary["w3"][:2] == (1.0, 1.0)
    # the estimates of g1 and h1 are covered, not counted: the shares rest on facts only, unmarked
    assert not any(s[2] or s[3] for s in summary.values())


def test_the_shares_follow_the_estimates_of_what_they_count():
    problem = build([org("m1", population=1000), fact(org("m2", population=1000)),
                     fact(org("h1", kind="hospital", population=10)), fact(org("h2", kind="hospital",
                                                                                  population=30))])
    plan = plan_of(problem, {"m1": "w1", "m2": "w2", "h1": "w1", "h2": "w2"})
    summary = shares(problem, plan)
    assert summary["w1"] == (0.5, 0.25, True, False)  # m1's figure is an estimate, the hospitals' facts


def test_the_shipped_data_shows_the_same_shares_as_counting_municipalities_and_trusts(shipped_optimum):
    # in the shipped data only municipalities and trusts give a population (the hospitals' is their
    # trust's): the shares and their marks are those of counting municipalities and trusts, as before
    problem, plan = shipped_optimum
    assert {o.kind for o in share_counted(problem)} == {Kind.municipality, Kind.health_trust}
    window_date = {w.id: w.date for w in problem.windows}

    def old_share(kind: Kind, after: dt.date) -> float:
        whole = [o for o in problem.organisations if o.kind is kind]
        live = {a.id for a in plan.plan if a.go_live is not None
                and (window_date[a.window] if a.window in window_date else a.go_live) <= after}
        return sum(o.population or 0 for o in whole if o.id in live) / sum(o.population or 0 for o in whole)

    summary = window_summary(problem, plan)
    for s in summary:
        assert s.primary_share == pytest.approx(old_share(Kind.municipality, s.window.date)), s.window.id
        assert s.specialist_share == pytest.approx(old_share(Kind.health_trust, s.window.date)), s.window.id
        assert s.primary_estimate == (0 < s.primary_share < 1)  # Os's and Bindal's populations are estimates
        assert s.specialist_estimate == (0 < s.specialist_share < 1)  # the trusts' are estimates


def test_the_notes_say_what_the_shares_count(shipped_optimum):
    problem, plan = shipped_optimum
    text = joined(terminal(problem, plan))
    assert f"Primary, Specialist: share of the population live so far, {SHARE_NOTE}." in text
    assert "(municipalities, trusts)" not in text
    markdown = joined(to_markdown(problem, plan))
    assert f"the population live over all of it, primary and specialist, {SHARE_NOTE}." in markdown
    assert "municipalities' population live over all" not in markdown


# --------------------------------------------------------------------------------------------------
# finding 4: "not scheduled" because the tie-break did not finish


def indifferent_instance() -> Problem:
    """One window a place (max_actors 1): m1 takes w1; m0 (no population) and the optional GP office g1
    (no population, w1 or w2 only) are worth nothing wherever they go, so g1 in w2 and m0 in w3 is as
    good as m0 in w2 and g1 out. The tie-break schedules g1; cut short, the first plan may leave it out."""
    return build([org("m1", population=100), org("m0", population=0),
                  org("g1", kind="gp_office", status="optional", population=0, municipality="m1",
                      latest="2024-04-30")],
                 limits=[{"max_actors": 1, "source": {"max_actors": "estimate: test"}}])


def test_the_not_scheduled_group_says_an_unfinished_tie_break_left_indifferent_optionals_out(monkeypatch):
    problem = indifferent_instance()
    whole = solved(problem, engine="cp-sat")
    assert whole.stats.tie_break == "complete" and whole.assignment("g1").window == "w2"
    monkeypatch.setattr(SOLVE, "run_solver", cp_sat_settles(None))  # every tie-break step cut short
    cut = solved(problem, engine="cp-sat")
    assert cut.stats.tie_break == "incomplete" and cut.assignment("g1").go_live is None
    assert cut.objective["total"] == whole.objective["total"]  # an equally good plan schedules g1
    assert [e.id for e in left_to_the_tie_break(problem, cut)] == ["g1"]
    lines = terminal(problem, cut).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("== not scheduled"))
    note = []
    for line in lines[at + 1:]:
        if line.startswith("G1 "):
            break
        note.append(line)
    assert joined(" ".join(note)) == (
        "It is optional, and the objective is indifferent to it (neither a population nor a preferred window "
        "counts for it): the tie-break did not finish, and an equally good plan may schedule it (hpplan "
        "explain --actor ID tells).")
    # the finished tie-break's plan has nothing to say
    assert "tie-break did not finish" not in terminal(problem, whole)


def optionals(**objective) -> Problem:
    return build([org("m1", population=100),
                  org("g1", kind="gp_office", status="optional", population=0),
                  org("g2", kind="gp_office", status="optional", population=0),
                  org("g3", kind="gp_office", status="optional", population=5),  # worth its population
                  org("g4", kind="gp_office", status="optional", population=0, preferred_window="w2"),
                  org("g5", kind="gp_office", population=0, status="signed")],  # mandatory
                 **({"objective": objective} if objective else {}))


NOT_SCHEDULED = {"m1": "w1", "g1": None, "g2": None, "g3": None, "g4": None, "g5": None}


def test_only_optionals_worth_nothing_are_named_and_only_after_an_unfinished_tie_break():
    problem = optionals()
    plan = plan_of(problem, NOT_SCHEDULED, tie_break="incomplete")
    assert [e.id for e in left_to_the_tie_break(problem, plan)] == ["g1", "g2"]
    assert tie_break_note(problem, plan).startswith("2 of them are optional, and the objective is indifferent "
                                                    "to them")
    assert "2 of them are optional" in joined(terminal(problem, plan))
    for stats in ({"tie_break": "complete"}, {"tie_break": "skipped"},
                  {"tie_break": "incomplete", "least_change": True}):  # a re-plan: scheduling one is a change
        other = plan_of(problem, NOT_SCHEDULED, **stats)
        assert left_to_the_tie_break(problem, other) == []
        assert "tie-break did not finish" not in terminal(problem, other)


def test_a_population_or_preference_the_objective_does_not_weigh_is_worth_nothing_too():
    problem = optionals(population_weight=0, preferred_window_penalty=0)
    plan = plan_of(problem, NOT_SCHEDULED, tie_break="incomplete")
    assert [e.id for e in left_to_the_tie_break(problem, plan)] == ["g1", "g2", "g3", "g4"]


def test_a_makespan_objective_says_nothing_of_the_optionals_it_leaves_out():
    problem = optionals(kind="makespan")  # scheduling one may lengthen the rollout: not indifferent
    assert left_to_the_tie_break(problem, plan_of(problem, NOT_SCHEDULED, tie_break="incomplete")) == []


def test_all_of_the_not_scheduled_are_named_as_all():
    problem = build([org("m1", population=100),
                     org("g1", kind="gp_office", status="optional", population=0),
                     org("g2", kind="gp_office", status="optional", population=0)])
    plan = plan_of(problem, {"m1": "w1", "g1": None, "g2": None}, tie_break="incomplete")
    assert tie_break_note(problem, plan).startswith("All 2 are optional, and the objective is indifferent to them")


def test_the_markdown_and_html_say_it_too():
    # the note was only in the terminal table; the Markdown and the HTML report are the forms that get shared
    from hpplan.formats import to_markdown
    from hpplan.report import report_html

    problem = optionals()
    plan = plan_of(problem, NOT_SCHEDULED, tie_break="incomplete")
    said = "the tie-break did not finish, and an equally good plan may schedule them"
    assert said in " ".join(to_markdown(problem, plan).split())
    assert said in " ".join(report_html(problem, plan).split())
    done = plan_of(problem, NOT_SCHEDULED, tie_break="complete")
    assert said not in " ".join(to_markdown(problem, done).split())
    assert said not in " ".join(report_html(problem, done).split())
