"""The outputs of s29's testers (a financial controller, a scenario author): the static charts name the
scenarios applied; `hpplan report` writes Markdown and CSV of the plan it has (solved, a JSON plan, a YAML
plan file); the objective's units are said once in every output; the spreadsheet's figures have the number
formats of the other outputs; and a plan file's own source note marks the go-live dates it gives."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from hpplan import cli
from hpplan.check import read_plan_file
from hpplan.errors import InputError
from hpplan.exports import to_ics, to_xlsx
from hpplan.formats import go_live_estimated, objective_units, to_csv, to_markdown
from hpplan.loader import load_problem
from hpplan.render import render_plan
from hpplan.report import (SCENARIO_LINES, TITLE_WIDTH, checked_status, plan_objective, refresh_saved_plan,
                           report_html, scenario_title_lines, static_figure)
from hpplan.scenario import apply_scenarios
from hpplan.solution import Solution, SolveStats, Status, read_plan
from hpplan.solve import load_report

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
ADOPTED = DATA / "adopted-plan.yaml"
SCENARIOS = DATA / "scenarios"
HMR = SCENARIOS / "hmr-postponed.yaml"
runner = CliRunner()


def hpplan(*args: object):
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(scope="module")
def shipped():
    return load_problem(DATA)


@pytest.fixture(scope="module")
def base_plan(tmp_path_factory) -> Path:
    """The shipped data's plan as `hpplan solve -f json` writes it."""
    path = tmp_path_factory.mktemp("s29") / "plan.json"
    result = hpplan("solve", "--data", DATA, "-t", 5, "-q", "-f", "json", "-o", path)
    assert result.exit_code == 0, result.output
    return path


def adopted(problem) -> Solution:
    """data/adopted-plan.yaml read against `problem`, with its load and objective (as `report --plan`)."""
    solution = read_plan_file(problem, ADOPTED).solution
    refresh_saved_plan(problem, solution)
    return solution


def svg_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------------------
# 1. the PNG/SVG charts name the scenario


def test_the_static_chart_names_the_scenario_with_its_dates_marked(base_plan, tmp_path):
    """Before: the SVG of hmr-postponed (also with --compare) had the base plan's title, no scenario."""
    plain, scenario = tmp_path / "plain.svg", tmp_path / "hmr.svg"
    assert hpplan("report", "--data", DATA, "--plan", base_plan, "-o", plain, "-q").exit_code == 0
    result = hpplan("report", "--data", DATA, "--scenario", HMR, "--compare", base_plan, "-t", 5, "-o", scenario,
                    "-q")
    assert result.exit_code == 0, result.output
    assert "Scenario:" not in svg_text(plain)
    text = " ".join(svg_text(scenario).split())
    assert "Scenario: hmr-postponed: Helse Møre og Romsdal postpones its go-live" in text
    # the dates as formats.marked_applied marks them (the HTML header's line), and what the mark means
    assert "[postpone helse-more-og-romsdal: earliest 2024-04-01* -> 2024-09-01*]" in text
    assert "(* estimate: see the data's source notes)" in text
    # before the plan note and the comparison's totals, as in the HTML header
    assert text.index("Scenario: hmr-postponed") < text.index("re-planned changing") < text.index("Changes from")


def test_a_long_scenario_line_is_wrapped_and_shortened_to_fit_the_title(shipped):
    files = [SCENARIOS / "four-municipalities-in-ki2.yaml", HMR]
    problem = apply_scenarios(shipped, files)
    lines = scenario_title_lines(problem)
    assert all(len(line) <= TITLE_WIDTH for line in lines), lines
    starts = [i for i, line in enumerate(lines) if line.startswith("Scenario: ")]
    assert len(starts) == 2 and starts[1] - starts[0] <= SCENARIO_LINES, lines
    four = " ".join(lines[:starts[1]])
    # what it models, shortened, then the changes that fit and how many more (the HTML lists them all)
    assert four.startswith("Scenario: four-municipalities-in-ki2: Counterfactual:") and "more change" in four
    assert "set gjemnes: status=signed" in four
    # the title drawn fits the figure's width
    figure = static_figure(problem, adopted(problem), verify_plan=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    title = figure._suptitle
    assert "Scenario: hmr-postponed" in title.get_text()
    assert title.get_window_extent(renderer).x1 <= figure.bbox.width


# --------------------------------------------------------------------------------------------------
# 2. report writes Markdown and CSV


def test_report_writes_markdown_and_csv_of_a_plan_file(shipped, tmp_path):
    """Before: `report -o x.md` and `-o x.csv` were refused, and a plan file had no Markdown or CSV at all."""
    md, table = tmp_path / "adopted.md", tmp_path / "adopted.csv"
    for out in (md, table):
        result = hpplan("report", "--data", DATA, "--plan", ADOPTED, "-o", out)
        assert result.exit_code == 0, result.output
        assert f"wrote {out}" in result.stderr
    solution = adopted(shipped)
    found = refresh_saved_plan(shipped, solution)
    assert md.read_text(encoding="utf-8") == to_markdown(shipped, solution, status=checked_status(solution, found))
    assert "- Status: **plan file, not solved; breaks 4 rules or limits of this data**" in md.read_text(encoding="utf-8")
    assert table.read_text(encoding="utf-8") == to_csv(shipped, solution)
    # by --format too, to stdout
    result = hpplan("report", "--data", DATA, "--plan", ADOPTED, "--format", "markdown", "-o", "-", "-q")
    assert result.exit_code == 0 and result.stdout == md.read_text(encoding="utf-8")


def test_report_markdown_of_a_json_plan_is_solve_s(base_plan, tmp_path):
    solved = tmp_path / "solved.md"
    assert hpplan("solve", "--data", DATA, "-t", 5, "-q", "-f", "markdown", "-o", solved).exit_code == 0
    reported = tmp_path / "reported.md"
    assert hpplan("report", "--data", DATA, "--plan", base_plan, "-o", reported, "-q").exit_code == 0
    assert reported.read_bytes() == solved.read_bytes()
    csv_out = tmp_path / "plan.csv"
    assert hpplan("report", "--data", DATA, "--plan", base_plan, "-f", "csv", "-o", csv_out, "-q").exit_code == 0
    assert csv_out.read_text(encoding="utf-8") == to_csv(load_problem(DATA), read_plan(base_plan))


def test_report_markdown_with_compare_is_refused_naming_compare(base_plan, tmp_path):
    out = tmp_path / "x.md"
    out.write_text("kept\n", encoding="utf-8")
    result = hpplan("report", "--data", DATA, "--scenario", HMR, "--compare", base_plan, "-o", out)
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "a markdown file holds one plan" in said
    assert f"hpplan compare --baseline {base_plan} --data {DATA} --scenario {HMR} -o {out}" in said
    assert out.read_text(encoding="utf-8") == "kept\n"  # nothing written
    result = hpplan("report", "--data", DATA, "--plan", ADOPTED, "--compare", base_plan, "-f", "csv")
    assert result.exit_code == 2 and "a csv file holds one plan" in result.stderr


def test_the_formats_report_writes_are_listed(tmp_path):
    result = hpplan("report", "--data", DATA, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2
    assert "report writes html, png, svg, ics, xlsx, markdown (.md) or csv" in result.stderr


# --------------------------------------------------------------------------------------------------
# 3. the objective's units


def test_the_objective_s_units_are_said_in_every_output(shipped, base_plan):
    solution = read_plan(base_plan)
    assert objective_units(shipped, solution.objective, short=True) == {
        "population_delay": "population-months", "preference": "penalty points", "total": "score"}
    md = to_markdown(shipped, solution)
    assert "| term | value | unit |" in md
    assert "| population_delay | 6 172 597* | population-months |" in md
    assert "| preference | 520 000 | penalty points (windows from the preferred x 20 000) |" in md
    assert "| total | 6 692 597* | score, the terms' sum |" in md
    console = Console(width=80, record=True, force_terminal=False, color_system=None)
    render_plan(shipped, solution, console)
    lines = console.export_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Objective:"))
    # the objective line as it was; the units under it, within 80 columns
    assert lines[at] == "Objective: population_delay 6 172 597* | preference 520 000 | total 6 692 597*"
    assert lines[at + 1].startswith("Units: population_delay in population-months; preference in penalty points")
    assert "total a score" in lines[at + 1] + lines[at + 2]
    assert all(len(line) <= 80 for line in lines[at:at + 4])
    page = report_html(shipped, solution)
    assert "<th>unit</th>" in page and "population-months" in page and "penalty points" in page
    about = dict(load_workbook(io.BytesIO(to_xlsx(shipped, solution)))["About"].iter_rows(min_row=2, values_only=True))
    assert about["objective units"].startswith("population_delay: population-months; preference: penalty points")
    assert json.loads(solution.to_json())["objective"].keys() == {"population_delay", "preference", "total"}


# --------------------------------------------------------------------------------------------------
# 4. the spreadsheet's number formats


def test_the_spreadsheet_shows_figures_as_the_other_outputs(shipped, base_plan):
    """Before: the About sheet's objective `General"*"` (6172597*) and the Load sheet's `0.0"*"` (168.0*)."""
    book = load_workbook(io.BytesIO(to_xlsx(shipped, read_plan(base_plan))))
    about = {row[0].value: row[1] for row in book["About"].iter_rows(min_row=2)}
    assert about["objective: total"].number_format == '#,##0"*"'
    assert about["objective: preference"].number_format == "#,##0"
    load = book["Load"]
    header = [c.value for c in load[1]]
    limit = header.index("specialist limit FTE") + 1
    assert {load.cell(r, limit).number_format for r in range(2, load.max_row + 1)} == {'#,##0"*"'}  # 168*
    cut = apply_scenarios(shipped, [SCENARIOS / "primary-capacity-cut.yaml"])
    solution = adopted(cut)
    book = load_workbook(io.BytesIO(to_xlsx(cut, solution)))
    load = book["Load"]
    header = [c.value for c in load[1]]
    limit = header.index("primary limit FTE") + 1
    formats = {load.cell(r, limit).value: load.cell(r, limit).number_format for r in range(2, load.max_row + 1)}
    assert formats[57.6] == '#,##0.0##"*"' and formats[72] == '#,##0"*"'  # 57.6* and 72*


# --------------------------------------------------------------------------------------------------
# 5. a plan file's own notes mark its dates


def test_a_plan_file_s_note_marks_its_go_live_dates(shipped):
    solution = read_plan_file(shipped, ADOPTED).solution
    hmr = solution.assignment("helse-more-og-romsdal")
    ulstein = solution.assignment("ulstein")
    assert hmr.go_live_source.startswith("fact:") and ulstein.go_live_source.startswith("inferred:")
    assert not go_live_estimated(shipped, hmr)  # a fact, though the 2024-04 window's Saturday is inferred
    assert go_live_estimated(shipped, ulstein)
    # history is marked by the data's live_since notes, as before
    assert go_live_estimated(shipped, solution.assignment("helse-more-og-romsdal-laboratorier"))
    # a solver's plan on the same window is marked by the window's date, as before (conservative)
    assert go_live_estimated(shipped, dataclasses.replace(hmr, go_live_source=None))
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(to_csv(shipped, solution)))}
    assert rows["helse-more-og-romsdal"]["estimates"] == "users, population"
    assert rows["ulstein"]["estimates"] == "users, go_live"
    md = to_markdown(shipped, solution)
    assert "| 2024-04 | 2024-04-27 | helse-more-og-romsdal |" in md and "| 2025-04 | 2025-04-26* | ulstein |" in md
    events = to_ics(shipped, solution)
    assert "as the plan file notes it: fact: helseplattformen.no" in " ".join(events.replace("\r\n ", "").split())


def test_compare_against_the_plan_file_takes_its_fact(tmp_path):
    """Before: compare marked HMR's 2024-04-27 as 2024-04-27* (its window's note), against the file's fact."""
    out = tmp_path / "hmr.md"
    result = hpplan("compare", "--baseline", ADOPTED, "--data", DATA, "--scenario", HMR, "-t", 5, "-o", out)
    assert result.exit_code == 0, result.output
    row = next(line for line in out.read_text(encoding="utf-8").splitlines()
               if line.startswith("| helse-more-og-romsdal |"))
    assert "| 2024-04-27 | 2024-09-14* |" in row


def test_the_note_goes_through_a_json_plan_and_old_plans_read_as_before(shipped, tmp_path):
    solution = read_plan_file(shipped, ADOPTED).solution
    solution.objective = plan_objective(shipped, solution)
    solution.load = load_report(shipped, solution.plan)
    path = tmp_path / "adopted.json"
    path.write_text(solution.to_json(), encoding="utf-8")
    back = read_plan(path)
    assert back.assignment("helse-more-og-romsdal").go_live_source == \
        solution.assignment("helse-more-og-romsdal").go_live_source
    assert not go_live_estimated(shipped, back.assignment("helse-more-og-romsdal"))
    # a plan without the key (every solver's plan, and those written before it) reads as before
    plain = Solution(status=Status.optimal, plan=[dataclasses.replace(a, go_live_source=None) for a in solution.plan],
                     stats=SolveStats(engine="cp-sat"))
    assert "go_live_source" not in plain.to_json()
    path.write_text(plain.to_json(), encoding="utf-8")
    assert read_plan(path).assignment("helse-more-og-romsdal").go_live_source is None
    data = json.loads(solution.to_json())
    data["plan"][0]["go_live_source"] = "from the board"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="go_live_source must start with 'fact:'"):
        read_plan(path)
