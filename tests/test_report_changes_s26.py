"""s26 r3 finding 4: the board's headline figures of a re-plan or a comparison (moved later and earlier,
population-months, the estimated cost of delay with its `*` marks and the "no cost given" caveat) are in the
HTML report with `--compare` (its header and its "Moved from" table), the PNG/SVG title, and the spreadsheet's
Changes sheet (`to_xlsx(..., comparison=...)`), worded and counted as `hpplan compare` has them."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hpplan import cli
from hpplan.cli_compare import totals_lines
from hpplan.compare import compare
from hpplan.exports import to_xlsx
from hpplan.loader import load_problem
from hpplan.report import comparison_of, comparison_totals, report_html, static_figure
from hpplan.solution import read_plan

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
HMR = DATA / "scenarios" / "hmr-postponed.yaml"
STAMP = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
runner = CliRunner()


@pytest.fixture(scope="module")
def hmr(tmp_path_factory):
    """The shipped plan (plan.json), its re-plan for the HMR postponement (replan.json, `solve --baseline`)
    and `hpplan compare`'s JSON of the same (compare.json)."""
    folder = tmp_path_factory.mktemp("hmr")
    plan, replan, compared = folder / "plan.json", folder / "replan.json", folder / "compare.json"
    assert runner.invoke(cli.app, ["solve", "--data", str(DATA), "-f", "json", "-o", str(plan), "-q"]).exit_code == 0
    assert runner.invoke(cli.app, ["solve", "--data", str(DATA), "--baseline", str(plan), "--scenario", str(HMR),
                                   "-f", "json", "-o", str(replan), "-q"]).exit_code == 0
    out = runner.invoke(cli.app, ["compare", "--data", str(DATA), "--baseline", str(plan), "--scenario", str(HMR),
                                  "-f", "json", "-o", str(compared)])
    assert out.exit_code == 0, out.output
    return folder


def _problems():
    from hpplan.cli import problem_with

    return load_problem(DATA), problem_with(DATA, [HMR])


def test_compare_json_is_the_board_figures(hmr):
    totals = json.loads((hmr / "compare.json").read_text())["totals"]
    assert (totals["cost_of_delay_mnok"], totals["population_months"], totals["later"]) == (685, 2722020, 10)


def test_report_html_compare_has_the_totals_of_compare(hmr, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709296200")
    totals = json.loads((hmr / "compare.json").read_text())["totals"]
    page = hmr / "r.html"
    args = ["report", "--data", str(DATA), "--scenario", str(HMR), "--compare", str(hmr / "plan.json"), "-o", str(page),
            "-q"]
    assert runner.invoke(cli.app, args).exit_code == 0
    text = page.read_text()
    header = text[text.index('id="changes"'):text.index("</section>", text.index('id="changes"'))]
    assert f"Organisations moved: {totals['actors_moved']} ({totals['later']} later, {totals['earlier']} earlier)" in header
    assert "Population-months of delay: 2 722 020* (population x calendar months moved, later positive)" in header
    assert "Estimated cost of delay: 685* MNOK" in header
    assert "* estimate: see the data" in header
    # each move's cost in the "Moved from" table: HMR 50* MNOK a month x 5, HNT 43.5* x 10; hospitals in the trust's
    moved = text[text.index("<h2>Moved from plan</h2>"):]
    assert "cost MNOK (later in scenario plan positive)" in moved
    assert ('<td>Helse Møre og Romsdal HF</td><td>2024-04-27*</td><td>2024-09-14*</td><td class="num">+5*</td>'
            '<td class="num">+140*</td><td class="num">250*</td>') in moved
    assert '<td class="num">+301*</td><td class="num">435*</td>' in moved
    assert "in Helse Møre og Romsdal HF&#x27;s cost" in moved
    # the same bytes again (SOURCE_DATE_EPOCH as today)
    again = hmr / "r2.html"
    assert runner.invoke(cli.app, args[:-3] + ["-o", str(again), "-q"]).exit_code == 0
    assert again.read_bytes() == page.read_bytes()


def test_report_plan_compare_saved_plans(hmr):
    """`report --plan replan.json --compare plan.json`: the same figures from two saved plans."""
    base, problem = _problems()
    new, old = read_plan(hmr / "replan.json"), read_plan(hmr / "plan.json")
    text = report_html(problem, new, other=old, label="replan", other_label="plan", compared_problem=base)
    assert "Changes from plan to replan" in text
    assert "Estimated cost of delay: 685* MNOK" in text and "2 722 020*" in text
    saved = json.loads((hmr / "replan.json").read_text())["baseline"]["totals"]
    c = comparison_of(problem, new, old, base)
    assert (c.cost_of_delay, c.population_months) == (saved["cost_of_delay_mnok"], saved["population_months"])


def test_totals_worded_as_compare(hmr):
    base, problem = _problems()
    c = compare(read_plan(hmr / "plan.json"), base, read_plan(hmr / "replan.json"), problem)
    assert comparison_totals(c) == totals_lines(c)[:3]


def _moved_later(plan, ident: str, window: str, day: dt.date):
    return replace(plan, plan=[replace(e, go_live=day, window=window) if e.id == ident else e for e in plan.plan])


def test_no_cost_given_caveat_as_compare(hmr):
    """A municipality moved later (the data gives it no cost): compare's caveat, in the header and the table."""
    base = load_problem(DATA)
    old = read_plan(hmr / "plan.json")
    skaun = old.assignment("skaun")
    later = next(w for w in base.waves.windows if w.date > skaun.go_live)
    new = _moved_later(old, "skaun", later.id, later.date)
    c = compare(old, base, new, base)
    lines = comparison_totals(c)
    assert lines == totals_lines(c)[:3]
    assert lines[2] == "Cost of delay: unknown (the data gives no cost for the 1 organisation moved later)"
    text = report_html(base, new, other=old, label="new", other_label="old", verify_plan=False)
    assert "Cost of delay: unknown (the data gives no cost for the 1 organisation moved later)" in text
    assert '<td class="num">no cost given</td>' in text
    workbook = load_workbook(io.BytesIO(to_xlsx(base, new, STAMP, violations=[], comparison=c, baseline="old")))
    about = dict(row for row in workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["changes: cost of delay MNOK"] == "unknown (the data gives no cost)"
    assert about["changes: no cost given"] == "skaun"
    changes = [r for r in workbook["Changes"].iter_rows(values_only=True)]
    assert changes[1][0] == "skaun" and changes[1][14] == "no cost given"


def test_xlsx_changes_sheet_agrees_with_compare_json(hmr):
    base, problem = _problems()
    new, old = read_plan(hmr / "replan.json"), read_plan(hmr / "plan.json")
    c = compare(old, base, new, problem)
    data = to_xlsx(problem, new, STAMP, comparison=c, baseline="plan.json")
    assert data == to_xlsx(problem, new, STAMP, comparison=c, baseline="plan.json")  # deterministic
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Plan", "Load", "Windows", "Changes", "About"]
    report = json.loads((hmr / "compare.json").read_text())
    rows = list(workbook["Changes"].iter_rows(values_only=True))
    header = rows[0]
    moves = [dict(zip(header, r)) for r in rows[1:1 + len(report["moves"])]]
    assert [m["id"] for m in moves] == [m["id"] for m in report["moves"]]
    for mine, theirs in zip(moves, report["moves"]):
        assert (mine["days later"], mine["months later"], mine["cost MNOK"], mine["population-months"]) == (
            theirs["days"], theirs["months"], theirs["cost_mnok"], theirs["population_months"])
        assert mine["from"].date().isoformat() == theirs["from"] and mine["to"].date().isoformat() == theirs["to"]
    hmr_row = 1 + [m["id"] for m in moves].index("helse-more-og-romsdal")
    cells = workbook["Changes"][hmr_row + 1]
    assert cells[header.index("cost MNOK")].number_format == '#,##0"*"'  # 250* (s29: was General"*")
    assert cells[header.index("to")].number_format == 'yyyy-mm-dd"*"'
    text = [r[0] for r in rows[1 + len(moves):] if r[0]]
    assert "Estimated cost of delay: 685* MNOK" in text
    assert "Population-months of delay: 2 722 020* (population x calendar months moved, later positive)" in text
    about = dict(row for row in workbook["About"].iter_rows(min_row=2, values_only=True))
    totals = report["totals"]
    assert about["changes: cost of delay MNOK"] == totals["cost_of_delay_mnok"] == 685
    assert about["changes: population-months of delay"] == totals["population_months"] == 2722020
    assert (about["changes: moved later"], about["changes: moved earlier"]) == (totals["later"], totals["earlier"])


def test_xlsx_without_comparison_unchanged(hmr):
    """No comparison: the workbook as before (no Changes sheet, no changes rows)."""
    problem = load_problem(DATA)
    plan = read_plan(hmr / "plan.json")
    workbook = load_workbook(io.BytesIO(to_xlsx(problem, plan, STAMP)))
    assert workbook.sheetnames == ["Plan", "Load", "Windows", "About"]
    assert not any(str(r[0]).startswith("changes") for r in workbook["About"].iter_rows(values_only=True))


def test_static_title_has_the_totals(hmr):
    base, problem = _problems()
    new, old = read_plan(hmr / "replan.json"), read_plan(hmr / "plan.json")
    fig = static_figure(problem, new, "gantt", other=old, labels=("replan", "plan"), compared_problem=base)
    title = fig._suptitle.get_text()
    assert "Changes from plan to replan:" in title
    assert "Estimated cost of delay: 685* MNOK (* estimate: see the data's source notes)" in title
    assert "2 722 020*" in title
