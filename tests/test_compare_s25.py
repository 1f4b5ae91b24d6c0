"""s25 back-test of `compare` and `report` (docs/scenarios.md, docs/report.md): a knock-on move says what keeps it
out of each window between the one it leaves and the one it lands in, not only why it leaves; a least-change
comparison says when it keeps an organisation the changed data lets go live earlier (`--fresh` plans afresh);
a window moved into a blackout says the blackout once; `report --compare PLAN.yaml` shows the compared plan's
objective."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from helpers import MORE_WINDOWS, build, joined, line_of, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan.cli_compare import comparison_markdown, comparison_text, kept_line
from hpplan.compare import AllowedEarlier, compare
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solve import Baseline, SolveOptions, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
runner = CliRunner()


@pytest.fixture
def shipped(shipped_optimum):
    return shipped_optimum


def _replanned(shipped, other_problem):
    problem, plan = shipped
    other = solve(other_problem, SolveOptions(time_limit=30), Baseline(plan))
    assert other.found and verify(other_problem, other) == []
    return compare(plan, problem, other, other_problem)


# ---- a knock-on says where it could have landed, and why not there --------------------------------------------------


def _order_past_a_full_window():
    # t2 follows t1 by a window (order); postponing t1 to w4 bars t2 from w3 and w4 by that rule, w5 is full
    # (one go-live a window, m1's only window), so t2 lands in w6
    rules = [{"type": "order", "id": "trusts", "actors": ["t1", "t2"], "min_gap_windows": 1}]
    base = build([org("t1", kind="health_trust", population=1000), org("t2", kind="health_trust", population=100),
                  org("m1", population=10, earliest="2025-01-01", latest="2025-03-01")],
                 windows=MORE_WINDOWS, rules=rules, limits=[{"max_actors": 1}])
    return base, apply_quick(base, postpone=["t1=2024-10-01"])


def test_a_knock_on_says_what_keeps_it_out_of_the_first_window_its_rule_allows():
    base, other = _order_past_a_full_window()
    base_plan, other_plan = solved(base), solved(other)
    comparison = compare(base_plan, base, other_plan, other)
    t2 = next(m for m in comparison.moves if m.id == "t2")
    assert (t2.window_before, t2.window_after) == ("w2", "w6")
    assert t2.cause.kind == "knock-on" and t2.cause.rule == "order", t2.causes
    # w3 and w4 the order rule bars (its main cause); w5 it allows, and m1 fills it: before, only the rule was said
    skipped = [c for c in t2.causes if c.skipped is not None]
    assert [(c.skipped, c.rule, c.text) for c in skipped] == [
        ("w5", "limit.max_actors", "the first window the order rule allows, w5, is full (max_actors) with m1")]
    text = joined(comparison_text(comparison, 100, "c"))
    assert "order rule trusts: t1 moved 2024-02-10 -> 2024-11-09; and the first window the order rule allows, w5, " \
           "is full (max_actors) with m1" in text, text

    # planned one window later still, w7, with w6 open to it: the objective's choice, said for that window
    later = dataclasses.replace(other_plan, plan=[
        dataclasses.replace(a, window="w7", go_live=other.window["w7"].date) if a.id == "t2" else a
        for a in other_plan.plan])
    assert verify(other, later, check_objective=False) == []
    t2 = next(m for m in compare(base_plan, base, later, other).moves if m.id == "t2")
    assert [c.text for c in t2.causes if c.skipped is not None] == [
        "the first window the order rule allows, w5, is full (max_actors) with m1",
        "window w6 would take it with everyone else where the new plan has them: the objective preferred w7"]


def test_hnt_knocked_on_by_hmr_says_why_it_skips_february_and_april_2025(shipped):
    # backtest 1: HMR postponed to October 2024 moves HNT 2024-11 -> 2025-09 (+301 days, 435* MNOK) and the only
    # cause was the order rule, which allows 2025-02: the specialist pool bars 2025-02, max_actors 2025-04
    problem, _ = shipped
    other = apply_quick(apply_scenarios(problem, [DATA / "scenarios" / "hmr-postponed.yaml"]),
                        postpone=["helse-more-og-romsdal=2024-10-01"])
    comparison = _replanned(shipped, other)
    hnt = next(m for m in comparison.moves if m.id == "helse-nord-trondelag")
    assert (hnt.window_before, hnt.window_after, hnt.cause.rule) == ("2024-11", "2025-09", "order")
    skipped = {c.skipped: c for c in hnt.causes if c.skipped is not None}
    assert list(skipped) == ["2025-02", "2025-04"], hnt.causes
    assert skipped["2025-02"].rule == "capacity" and skipped["2025-02"].text.startswith(
        "the first window the order rule allows, 2025-02, would not take it: pool specialist full in 2024-11: "
        "223* of 168* FTE with its group there; more load there now from helse-more-og-romsdal (+100* FTE)")
    assert skipped["2025-04"].rule == "limit.max_actors" and skipped["2025-04"].where
    assert skipped["2025-04"].text.startswith("window 2025-04 is full (max_actors) with ")
    # its group shares the line, and the table says all three
    text = joined(comparison_text(comparison, 80, "c"))
    line = text[text.index("helse-nord-trondelag, sykehuset-levanger"):]
    assert line.split("why: ")[1].startswith(
        f"order rule trust-order: helse-more-og-romsdal moved 2024-04-27* -> 2024-11-09; and "
        f"{skipped['2025-02'].text}; and {skipped['2025-04'].text}"), line
    # each a cause of its own in the JSON, with its line
    causes = next(m for m in comparison.to_json_dict()["moves"] if m["id"] == "helse-nord-trondelag")["causes"]
    assert [c["text"] for c in causes if c["text"] in (skipped["2025-02"].text, skipped["2025-04"].text)] == [
        skipped["2025-02"].text, skipped["2025-04"].text]


# ---- a window moved into a blackout: the blackout said once ----------------------------------------------------------


def test_a_window_moved_into_a_blackout_says_the_blackout_once(shipped, tmp_path):
    scenario = tmp_path / "nov-xmas.yaml"
    scenario.write_text(yaml.safe_dump({"base": str(DATA), "description": "November 2024 moved to 21 December",
                                        "changes": [{"op": "move_window", "window": "2024-11", "date": "2024-12-21"}]}),
                        encoding="utf-8")
    comparison = _replanned(shipped, apply_scenarios(shipped[0], [scenario]))
    text = joined(comparison_text(comparison, 80, "c"))
    said = "inside the blackout 2024-12-15 to 2025-01-06: Christmas and New Year"
    for ident in ("helse-nord-trondelag", "heim"):
        m = next(m for m in comparison.moves if m.id == ident)
        assert m.cause.kind == "window" and m.cause.text.endswith(said), m.cause
        # the blackout stays a cause of its own in the JSON, with its line (and a together partner's in it)
        own = next(c for c in m.to_json()["causes"] if c["rule"] == "blackout")
        assert own["text"] == f"goes live 2024-12-21, {said}" and own["where"].endswith(
            f"waves.yaml:{line_of(DATA / 'waves.yaml', 'from: 2024-12-15')}"), own
    assert text.count(said) == 2, text  # once on the later group's line, once on the earlier one's


# ---- a least-change comparison that keeps what the change allows earlier ---------------------------------------------


def test_a_least_change_comparison_says_what_the_changed_data_lets_go_live_earlier(shipped, tmp_path):
    # backtest 4: Averøy signs and may go live from June 2025; the least-change re-plan keeps it in 2026-02 and said
    # only "No go-live moved."
    scenario = tmp_path / "averoy-returns.yaml"
    scenario.write_text(yaml.safe_dump({
        "base": str(DATA), "description": "Averøy signs after all (assumption)",
        "changes": [{"op": "set", "actor": "averoy",
                     "fields": {"status": "signed", "returns": None, "earliest": "2025-06-01"}}]}), encoding="utf-8")
    problem, plan = shipped
    other_problem = apply_scenarios(problem, [scenario])
    comparison = _replanned(shipped, other_problem)
    assert comparison.moves == [] and comparison.least_change
    assert comparison.allowed_earlier == [AllowedEarlier("averoy", "2026-02", "2025-09", "2026-02")]
    line = ("The comparison keeps the baseline where the changed data allows it (--fresh plans afresh): by its own "
            "data, averoy may now go live from 2025-09 (kept in 2026-02).")
    assert line in joined(comparison_text(comparison, 80, "c"))
    assert line in comparison_markdown(comparison)
    assert comparison.to_json_dict()["allowed_earlier"] == [{"id": "averoy", "window": "2026-02",
                                                             "first_window_allowed": "2025-09",
                                                             "first_window_allowed_before": "2026-02",
                                                             "moved": False}]
    # `solve --baseline` has no --fresh: it says how that command plans afresh
    result = runner.invoke(cli.app, ["solve", "--scenario", str(scenario), "--baseline", str(_saved(plan, tmp_path)),
                                     "-t", "10"])
    assert result.exit_code == 0, result.output
    assert "(solve without --baseline plans afresh): by its own data, averoy may now go live from 2025-09" \
        in joined(result.stdout), result.stdout

    # planned afresh: nothing to say (it moves, or it does not)
    fresh = solve(other_problem, SolveOptions(time_limit=30))
    afresh = compare(plan, problem, fresh, other_problem)
    assert afresh.allowed_earlier == [] and kept_line(afresh) is None
    assert "keeps the baseline" not in comparison_text(afresh, 80, "c")


def _saved(plan, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json(), encoding="utf-8")
    return path


def test_a_least_change_comparison_that_moves_nothing_says_it_keeps_the_baseline(shipped):
    # a change that opens nothing its own data shows (here: none at all): the general note, once
    problem, plan = shipped
    comparison = _replanned(shipped, problem)
    assert comparison.moves == [] and comparison.allowed_earlier == []
    assert kept_line(comparison) == ("The comparison keeps the baseline where the changed data allows it "
                                     "(--fresh plans afresh).")
    assert "No go-live moved.\n\nThe comparison keeps the baseline" in comparison_markdown(comparison)
    # with moves and nothing opened earlier, the moves say it
    other = apply_quick(problem, postpone=["helse-more-og-romsdal=2024-09-01"])
    assert kept_line(_replanned(shipped, other)) is None


# ---- report --compare PLAN.yaml: the compared plan's objective -------------------------------------------------------


def test_report_shows_the_objective_of_a_compared_yaml_plan(shipped, tmp_path):
    # backtest 6: `report --plan plan.json --compare data/adopted-plan.yaml` showed the adopted plan's objective as
    # "–", where `report --plan data/adopted-plan.yaml` works it out (7 938 065*)
    _, plan = shipped
    out = tmp_path / "vs.html"
    result = runner.invoke(cli.app, ["report", "--data", str(DATA), "--plan", str(_saved(plan, tmp_path)), "--compare",
                                     str(DATA / "adopted-plan.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    objective = re.sub(r"<[^>]+>", " ", html[html.index("<b>Objective</b>"):html.index("<b>Solver</b>")])
    row = " ".join(objective.split())
    assert "total 6 692 597* 7 938 065*" in row, row
    assert "–" not in row, row
