"""s23 re-check (report and compare): a compared plan that leaves organisations out, a together partner a
saved baseline leaves out, a best bound beside a recomputed objective, and costed moves merged with
uncosted ones."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import replace
from pathlib import Path

from helpers import build, org, solved

from hpplan.cli_compare import entries
from hpplan.compare import Cause, Move, compare
from hpplan.formats import NOT_IN_PLAN, entry_of
from hpplan.report import refresh_saved_plan, report_html
from hpplan.solution import Solution, Status

ORGS = [org("m1"), org("m2"), org("m3")]


def _moved_section(page: str) -> str:
    """The text of the report's "Moved from ..." section, cells separated by ' | ', rows by newlines."""
    start = page.index("<h2>Moved from")
    end = page.find("<h2>", start + 1)
    part = page[start:end if end > 0 else None]
    part = part.replace("<tr", "\n<tr").replace("</td>", " | ").replace("</th>", " | ")
    return html.unescape(re.sub(r"<[^>]+>", "", part))


def _without(solution: Solution, ident: str) -> Solution:
    return replace(solution, plan=[a for a in solution.plan if a.id != ident])


def test_report_compare_says_an_organisation_the_compared_plan_leaves_out_is_not_in_it():
    problem = build(ORGS)
    plan = solved(problem)
    left = _without(plan, "m2")
    day = plan.assignment("m2").go_live.isoformat()

    # the compared plan leaves m2 out: not "the same day in both plans"
    section = _moved_section(report_html(problem, plan, other=left, other_label="left"))
    assert "same day in both plans" not in section, section
    assert f"M2 | {NOT_IN_PLAN} | {day} |" in section, section
    assert "left has no entry for 1 of the data's organisations" in section, section

    # the other way round: m2 is not in the report's plan, not "not scheduled" there
    section = _moved_section(report_html(problem, left, label="left", other=plan, other_label="full"))
    assert f"M2 | {day} | {NOT_IN_PLAN} |" in section, section
    assert "not scheduled" not in section, section

    # the same plan on both sides: nothing differs
    assert "same day in both plans" in _moved_section(report_html(problem, plan, other=plan))


def test_a_together_partner_the_baseline_leaves_out_is_put_back_with_its_group_not_a_knock_on():
    rules = [{"id": "pair", "type": "together", "actors": ["t", "h"]}]
    base_problem = build([org("t"), org("h"), org("x")], rules=rules)
    other_problem = build([org("t", earliest="2024-04-01"), org("h"), org("x")], rules=rules)
    at = {"w1": dt.date(2024, 2, 10), "w2": dt.date(2024, 4, 27)}

    def plan(problem, where: dict[str, str]) -> Solution:
        return Solution(Status.feasible, plan=[entry_of(problem.org[i], at[w], w) for i, w in where.items()])

    # a saved baseline that lists only t of the pair (h left out); the new plan has both in w2
    base = plan(base_problem, {"t": "w1", "x": "w1"})
    other = plan(other_problem, {"t": "w2", "h": "w2", "x": "w1"})
    result = compare(base, base_problem, other, other_problem)
    move = next(m for m in result.moves if m.id == "t")
    assert move.change == "later"
    assert move.cause.kind == "scenario" and "earliest" in move.cause.text, move.cause
    # h did not move: it is not the knock-on that holds its own group back
    assert all(c.kind != "knock-on" and "unscheduled ->" not in c.text for c in move.causes), move.causes
    assert next(m for m in result.moves if m.id == "h").change == "not_in_baseline"


def test_the_solver_table_shows_no_saved_bound_beside_a_recomputed_objective():
    problem = build(ORGS)
    plan = solved(problem)
    plan.stats.best_bound = plan.objective["total"]
    bound = "best bound</td><td>"

    fresh = report_html(problem, plan)
    assert re.search(bound + r"[0-9]", fresh), "a plan solved here shows its bound"

    # the same plan saved with an objective this data does not give: the report shows this data's total
    stale = replace(plan, objective={**plan.objective, "total": plan.objective["total"] + 7}, stats=plan.stats)
    found = refresh_saved_plan(problem, stale)
    assert any(v.rule == "objective" for v in found)
    page = report_html(problem, stale, violations=found)
    cell = page[page.index(bound) + len(bound):].split("<", 1)[0]
    assert "saved bound" in html.unescape(cell) and not re.match(r"[0-9]", cell), cell
    # the spreadsheet's About sheet alike
    import io

    from openpyxl import load_workbook

    from hpplan.exports import to_xlsx

    about = dict(load_workbook(io.BytesIO(to_xlsx(problem, stale, violations=found)))["About"].iter_rows(
        min_row=2, values_only=True))
    assert "saved bound" in str(about["best bound"])


def _move(ident: str, cost: float | None, cause: Cause) -> Move:
    day = dt.date(2024, 11, 9)
    return Move(ident, ident, "municipality", "later", day, day + dt.timedelta(days=21), "w", "w", 10,
                cost_per_month=cost, cost_estimate=cost is not None, causes=(cause,), roots=(ident,))


def test_a_move_with_no_cost_never_shares_a_line_with_costed_ones():
    cause = Cause("window", "its window 2024-11 moved from 2024-11-09 to 2024-11-30 (scenario)")
    costed, free, other_free = _move("hnt", 12.5, cause), _move("heim", None, cause), _move("hitra", None, cause)
    lines = entries([costed, free, other_free])
    assert [[m.id for m in e.moves] for e in lines] == [["hnt"], ["heim", "hitra"]]
    assert lines[0].cost == "0*" and lines[1].cost == ""


def test_report_says_on_stderr_when_the_compared_plan_does_not_fit_the_data(tmp_path):
    from typer.testing import CliRunner

    from hpplan import cli
    from hpplan.solution import read_plan

    tiny = Path(__file__).parent / "data" / "tiny"
    full, left = tmp_path / "full.json", tmp_path / "left.json"
    assert CliRunner().invoke(cli.app, ["solve", "-d", str(tiny), "-f", "json", "-o", str(full)]).exit_code == 0
    plan = read_plan(full)
    left.write_text(replace(plan, plan=[a for a in plan.plan if a.id != "orsta"]).to_json(), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["report", "-d", str(tiny), "--plan", str(full), "--compare", str(left),
                                          "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert f"note: the compared plan {left} does not fit the data" in result.stderr and "orsta" in result.stderr
