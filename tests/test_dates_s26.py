"""Dates that rest on estimates, one rule in every form (docs/data-format.md "Facts and estimates"): a
window's date is marked `*` by its own `date` note (history and planned windows alike), an organisation's
go-live by its own footing (a history go-live's `live_since`, a planned one's window date); the JSON plan
says it per entry (`go_live_is_estimate`); the best bound is marked where the objective's total is."""

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

from hpplan.check import read_plan_file
from hpplan.exports import to_ics, to_xlsx
from hpplan import formats
from hpplan.formats import ESTIMATE_NOTE, to_csv, to_markdown, window_dates_estimated
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.report import coverage_figure, gantt_figure, plan_objective, report_html, static_chart
from hpplan.solution import Solution, SolveStats, Status, read_plan
from hpplan.solve import load_report

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
#: windows whose date waves.yaml gives as a fact, and ones it estimates or infers
FACT_WINDOWS = {"2022-05", "2022-11", "2023-02", "2023-11", "2023-12", "2024-11"}
BOUND = 7_000_000
ESTIMATED_WINDOWS = {"2023-04", "2024-02", "2024-04", "2024-09", "2025-02", "2025-04", "2025-09", "2025-10"}


@pytest.fixture(scope="module")
def shipped() -> Problem:
    return load_problem(DATA)


@pytest.fixture(scope="module")
def plan(shipped) -> Solution:
    """The adopted plan (data/adopted-plan.yaml) with this data's load; an objective that rests on estimated
    populations, with a bound (a plan cut short): no solve needed."""
    read = read_plan_file(shipped, DATA / "adopted-plan.yaml").solution
    objective = plan_objective(shipped, read)  # this data's: not stale, so the bound is shown
    # as a solver's plan (s29): without the plan file's notes for its dates, which would mark them instead
    solved = [dataclasses.replace(e, go_live_source=None) for e in read.plan]
    return Solution(status=Status.feasible, plan=solved, load=load_report(shipped, read.plan), objective=objective,
                    stats=SolveStats(engine="cp-sat", best_bound=BOUND))


def _planned_in(plan: Solution, window: str):
    return next(e for e in plan.plan if e.window == window and not e.pinned and e.go_live is not None)


def test_the_premise_fact_and_estimated_windows(shipped):
    for w in shipped.windows:
        if w.id in FACT_WINDOWS:
            assert not formats.window_date_estimated(w), w.id
        if w.id in ESTIMATED_WINDOWS:
            assert formats.window_date_estimated(w), w.id


def test_a_window_date_is_marked_by_its_own_note_only(shipped, plan):
    dates = window_dates_estimated(shipped, plan)
    # planned windows too (2024-04, 2024-09), and one nothing goes live in (2024-02)
    assert all(dates[w] for w in ESTIMATED_WINDOWS)
    # 2022-11 and 2023-11 are facts: a laboratory's estimated live_since does not mark them
    assert not any(dates[w] for w in FACT_WINDOWS)


def test_go_live_is_marked_by_its_own_footing(shipped, plan):
    go_live_estimated = formats.go_live_estimated
    by_id = {e.id: e for e in plan.plan}
    assert go_live_estimated(shipped, by_id["st-olavs-laboratorier"])  # its own live_since: an estimate
    assert not go_live_estimated(shipped, by_id["st-olavs"])  # 2022-11-12 is a fact
    assert go_live_estimated(shipped, by_id["haram"]) and not go_live_estimated(shipped, by_id["alesund"])
    assert go_live_estimated(shipped, _planned_in(plan, "2024-04"))  # a planned go-live: its window's date
    assert not go_live_estimated(shipped, _planned_in(plan, "2024-11"))  # a published date


def _terminal(problem: Problem, solution: Solution) -> str:
    buffer = io.StringIO()
    render_plan(problem, solution, Console(file=buffer, width=160, force_terminal=False, highlight=False))
    return buffer.getvalue()


def test_terminal_marks_planned_window_dates_and_own_dates(shipped, plan):
    text = _terminal(shipped, plan)
    assert "2024-04 2024-04-27* " in text and "2024-11 2024-11-09 " in text
    assert "2022-11 2022-11-12 " in text and "2022-11 2022-11-12*" not in text
    assert "Laboratoriene ved St. Olavs hospital live 2022-11-12*" in text  # the lab's own date, on its line
    assert re.search(r"\n2024-04 +\| 2024-04-27\* ", text) and re.search(r"\n2024-02 +\| 2024-02-10\* ", text)
    assert re.search(r"\n2022-11\* +\| 2022-11-12 ", text)  # history id marked, its fact date not
    assert "* after a window id: history" in text and "after a number or a date: an estimate" in text


def test_markdown_csv_and_xlsx_mark_planned_go_lives(shipped, plan):
    entry = _planned_in(plan, "2024-04")
    markdown = to_markdown(shipped, plan)
    assert f"| 2024-04 | 2024-04-27* | {entry.id} |" in markdown  # s27: no backslash
    assert re.search(r"\| 2024-04 \| 2024-04-27\* \| ", markdown)  # the per-window table
    assert re.search(r"\| 2022-11 \(history\) \| 2022-11-12 \| ", markdown)  # a fact date
    fact = _planned_in(plan, "2024-11")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(to_csv(shipped, plan)))}
    assert "go_live" in rows[entry.id]["estimates"].split(", ")
    assert "go_live" not in rows[fact.id]["estimates"]
    assert "go_live" not in rows["haram"]["estimates"] and "live_since" in rows["haram"]["estimates"]
    book = load_workbook(io.BytesIO(to_xlsx(shipped, plan)))
    sheet = book["Plan"]
    header = [c.value for c in sheet[1]]
    found = {}
    for r in range(2, sheet.max_row + 1):
        found[sheet.cell(r, header.index("id") + 1).value] = (
            sheet.cell(r, header.index("go-live") + 1).number_format,
            sheet.cell(r, header.index("window date") + 1).number_format,
            sheet.cell(r, header.index("estimates") + 1).value or "")
    assert found[entry.id][:2] == ('yyyy-mm-dd"*"', 'yyyy-mm-dd"*"') and "go_live" in found[entry.id][2]
    assert found[fact.id][:2] == ("yyyy-mm-dd", "yyyy-mm-dd")
    assert found["alesund"][:2] == ("yyyy-mm-dd", 'yyyy-mm-dd"*"')  # a fact go-live in an estimated window
    windows = book["Windows"]
    dates = {windows.cell(r, 1).value: windows.cell(r, 2).number_format for r in range(2, windows.max_row + 1)}
    assert dates["2024-09"] == 'yyyy-mm-dd"*"' and dates["2022-11"] == "yyyy-mm-dd"


def test_xlsx_about_marks_the_best_bound_as_the_total(shipped, plan):
    about = load_workbook(io.BytesIO(to_xlsx(shipped, plan)))["About"]
    cells = {about.cell(r, 1).value: about.cell(r, 2) for r in range(2, about.max_row + 1)}
    assert cells["objective: total"].number_format == '#,##0"*"'  # 7,938,065* (s29: was General"*")
    assert cells["best bound"].value == BOUND and cells["best bound"].number_format == '#,##0"*"'


def test_html_marks_dates_and_the_best_bound(shipped, plan):
    page = report_html(shipped, plan)
    assert "<td>2024-04-27*</td>" in page and "<td>2022-11-12</td>" in page
    assert re.search(r"<td>best bound</td><td[^>]*>7 000 000\*</td>", page)
    hovers = [html.unescape(h) for trace in gantt_figure(shipped, plan).data for h in (trace.hovertext or [])
              if isinstance(h, str)]
    planned = [h for h in hovers if "go-live 2024-04-27*" in h]
    assert planned and all(ESTIMATE_NOTE in h for h in planned)
    assert any("go-live 2022-11-12 (window 2022-11 2022-11-12 " in h for h in hovers)  # St. Olavs: facts
    coverage = [html.unescape(h) for trace in coverage_figure(shipped, plan).data for h in (trace.hovertext or [])
                if isinstance(h, str)]
    assert any("after 2023-04 2023-04-29* Ålesund (history)" in h for h in coverage)
    assert any("after 2024-09 2024-09-14* " in h for h in coverage)


def test_svg_gantt_headings_mark_estimated_window_dates(shipped, plan):
    svg = html.unescape(static_chart(shipped, plan, "svg").decode("utf-8"))
    assert "2023-04-29* Ålesund" in svg and "2024-04-27* " in svg
    assert "2022-11-12 " in svg and "2022-11-12*" not in svg
    assert "* after a window's date: an estimate" in svg


def test_calendar_marks_a_planned_date_in_an_estimated_window(shipped, plan):
    text = to_ics(shipped, plan).replace("\r\n ", "").replace("\\,", ",").replace("\\n", "\n").replace("\\;", ";")
    events = {re.search(r"Organisation id: ([\w-]+)", e).group(1): e
              for e in text.split("BEGIN:VEVENT")[1:]}
    entry, fact = _planned_in(plan, "2024-04"), _planned_in(plan, "2024-11")
    assert "Window: 2024-04 2024-04-27* " in events[entry.id]
    assert "Its date is its window's, an estimate" in events[entry.id]
    assert "Window: 2024-11 2024-11-09 " in events[fact.id] and "estimate (see" not in events[fact.id].split(
        "Users")[0]
    assert "Window: 2023-04 2023-04-29* " in events["alesund"]
    assert "* after the window's date: an estimate" in events["alesund"]


def test_json_plan_says_go_live_is_estimate_and_reads_back(shipped, plan, tmp_path):
    solution = dataclasses.replace(plan, plan=list(plan.plan))
    solution.mark_estimates(shipped)
    data = json.loads(solution.to_json())
    entries = {e["id"]: e for e in data["plan"]}
    assert entries[_planned_in(plan, "2024-04").id]["go_live_is_estimate"] is True
    assert entries[_planned_in(plan, "2024-11").id]["go_live_is_estimate"] is False
    assert entries["haram"]["go_live_is_estimate"] is True and entries["st-olavs"]["go_live_is_estimate"] is False
    path = tmp_path / "plan.json"
    path.write_text(solution.to_json(), encoding="utf-8")
    read = read_plan(path)
    assert {a.id: a.go_live_is_estimate for a in read.plan} == {k: v["go_live_is_estimate"] for k, v in entries.items()}
    assert json.loads(read.to_json())["plan"] == data["plan"]  # written back as read
    # a file written before the flag reads, and writes none back
    for e in data["plan"]:
        del e["go_live_is_estimate"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert all(a.go_live_is_estimate is None for a in read_plan(old).plan)
    assert "go_live_is_estimate" not in read_plan(old).to_json()


def test_json_plan_go_live_is_estimate_of_the_wrong_type_is_refused_at_its_line(shipped, plan, tmp_path):
    from hpplan.errors import InputError

    solution = dataclasses.replace(plan, plan=list(plan.plan))
    solution.mark_estimates(shipped)
    text = solution.to_json().replace('"go_live_is_estimate": true', '"go_live_is_estimate": "yes"', 1)
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    line = text[:text.index('"yes"')].count("\n") + 1
    message = str(caught.value)
    assert f"plan.json:{line}:" in message and "go_live_is_estimate \"yes\" is not true or false" in message
