"""Figures that rest on estimates are marked `*` in every output (docs/data-format.md "Facts and
estimates"), as users, populations and limits already were: a pool's load (its load profiles are
estimates), solve's objective (it rests on estimated populations, as compare's population-months do),
and a live organisation's go-live date that the data estimates or infers (the laboratories, Haram)."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console

from hpplan.check import read_plan_file
from hpplan.exports import to_xlsx
from hpplan.formats import (ESTIMATE_NOTE, LOAD_NOTE, estimated_loads, objective_estimated, peak_loads, to_csv,
                            to_markdown, window_dates_estimated)
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.report import gantt_figure, load_figure, report_html
from hpplan.solution import Solution
from hpplan.solve import load_report

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
FACT = {"all": "fact: test"}
#: the organisations whose live_since is an estimate or inference in the shipped data
ESTIMATED_DATES = {"st-olavs-laboratorier", "helse-more-og-romsdal-laboratorier", "helse-nord-trondelag-laboratorier",
                   "haram"}


@pytest.fixture(scope="module")
def shipped() -> Problem:
    return load_problem(DATA)


def adopted(problem: Problem) -> Solution:
    """The adopted plan (data/adopted-plan.yaml) with this data's load and objective: no solve needed."""
    read = read_plan_file(problem, DATA / "adopted-plan.yaml").solution
    objective = {"population_delay": 1_000, "preference": 20, "total": 1_020}  # figures of the plan's kind
    return Solution(status=read.status, plan=read.plan, load=load_report(problem, read.plan), objective=objective,
                    stats=read.stats)


@pytest.fixture(scope="module")
def plan(shipped) -> Solution:
    return adopted(shipped)


def facts(problem: Problem, profiles: bool = False, orgs: bool = False) -> Problem:
    """The problem with its load profiles' (`profiles`) or organisations' (`orgs`) source notes all facts."""
    waves = problem.waves
    if profiles:
        waves = waves.model_copy(update={"load_profiles": [p.model_copy(update={"source": FACT})
                                                           for p in waves.load_profiles]})
    organisations = [o.model_copy(update={"source": FACT}) for o in problem.organisations] if orgs else \
        problem.organisations
    return dataclasses.replace(problem, organisations=organisations, waves=waves)


def terminal(problem: Problem, solution: Solution) -> str:
    buffer = io.StringIO()
    render_plan(problem, solution, Console(file=buffer, width=160, force_terminal=False, highlight=False))
    return buffer.getvalue()


def test_ids_of_the_estimated_dates_are_the_shipped_ones(shipped):
    # the test's premise: these and only these live organisations have a live_since that is no fact
    assert {o.id for o in shipped.pinned if o.is_estimate("live_since")} == ESTIMATED_DATES


# ---- 1. loads ------------------------------------------------------------------------------------------


def test_a_load_from_estimated_profiles_is_marked_and_one_from_facts_is_not(shipped, plan):
    peaks = peak_loads(shipped, plan)
    assert peaks and all(p.used_estimate and p.utilisation_estimate for p in peaks)
    plain = facts(shipped, profiles=True)
    assert not any(p.used_estimate for p in peak_loads(plain, plan))
    # a month without load is no estimate
    empty = next(p for p in plan.load if not p.used)
    assert (empty.pool, empty.month) not in estimated_loads(shipped, plan)


def test_the_terminal_and_markdown_mark_the_peak_load_and_say_what_it_means(shipped, plan):
    for text, cell in ((terminal(shipped, plan), r"\|\s+(\d+)\* \|"), (to_markdown(shipped, plan), r"\| (\d+)\* \|")):
        peaks = text[text.index("eak load per pool"):]
        rows = [line for line in peaks.splitlines() if line.startswith(("specialist", "| specialist"))]
        assert rows and re.search(cell, rows[0]) and re.search(r"\d%\\?\*", rows[0]), rows
        assert LOAD_NOTE in " ".join(text.split())
    plain = facts(shipped, profiles=True)
    for text in (terminal(plain, plan), to_markdown(plain, plan)):
        assert LOAD_NOTE not in " ".join(text.split())


def test_the_html_and_the_spreadsheet_mark_the_load(shipped, plan):
    page = report_html(shipped, plan)
    peaks = page[page.index("<h2>Peak load per pool</h2>"):]
    assert re.search(r'<td class="num">\d+\*</td><td>\d{4}-\d\d</td>', peaks)
    assert html.escape(LOAD_NOTE) in page
    titles = [a.text for a in load_figure(shipped, plan).layout.annotations]
    assert titles and all(re.search(r"peak \d+\* FTE", t) for t in titles), titles
    book = load_workbook(io.BytesIO(to_xlsx(shipped, plan)))
    load = book["Load"]
    header = [c.value for c in load[1]]
    used = header.index("specialist used FTE") + 1
    formats = {load.cell(r, used).number_format for r in range(2, load.max_row + 1) if load.cell(r, used).value}
    assert formats and formats <= {'#,##0"*"', '#,##0.0##"*"'}  # 140* and 57.6* (s29: was 0.0"*", 140.0*)
    plain = load_workbook(io.BytesIO(to_xlsx(facts(shipped, profiles=True), plan)))["Load"]
    assert all(plain.cell(r, used).number_format in ("#,##0", "#,##0.0##") for r in range(2, plain.max_row + 1)
               if plain.cell(r, used).value is not None)


# ---- 2. the objective ----------------------------------------------------------------------------------


def test_the_objective_is_marked_where_it_rests_on_estimated_populations(shipped, plan):
    assert objective_estimated(shipped, plan) == {"population_delay": True, "preference": False, "total": True}
    assert not any(objective_estimated(facts(shipped, orgs=True), plan).values())
    text = terminal(shipped, plan)
    assert re.search(r"population_delay 1 000\* \| preference 20 \| total 1 020\*", text)
    assert "| population_delay | 1 000* |" in to_markdown(shipped, plan)  # s27: no backslash
    page = report_html(shipped, plan)
    assert "<td>population_delay</td><td class=\"num\">1 000*</td>" in page
    plain = facts(shipped, orgs=True, profiles=True)
    assert "1 000*" not in terminal(plain, plan) and "1 000*" not in to_markdown(plain, plan)


# ---- 3. estimated history dates ------------------------------------------------------------------------


def test_an_estimated_go_live_date_is_marked_and_named_in_estimates(shipped, plan):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(to_csv(shipped, plan)))}
    named = {i for i, r in rows.items() if "live_since" in r["estimates"]}
    assert named == ESTIMATED_DATES
    markdown = to_markdown(shipped, plan)
    assert re.search(r"\| 2023-11 \(history\) \| 2023-11-04\* \| helse-more-og-romsdal-laboratorier \|", markdown)
    assert re.search(r"\| 2023-11 \(history\) \| 2023-11-04 \| rindal \|", markdown)  # a fact: no mark
    dates = window_dates_estimated(shipped, plan)
    # a window's date is marked by its own note alone (session 26): 2023-11-04 and 2022-11-12 are facts; the
    # organisation live that night whose live_since is an estimate is marked on its own
    assert not dates["2023-11"] and not dates["2022-11"] and dates["2023-04"] and not dates["2022-05"]
    text = terminal(shipped, plan)
    assert "2023-11 2023-11-04 The ni" in text and "Nord-Trøndelag live 2023-11-04*" in text
    assert "2022-05 2022-05-07 Trondheim" in text
    assert "after a number or a date: an estimate" in text
    book = load_workbook(io.BytesIO(to_xlsx(shipped, plan)))
    sheet = book["Plan"]
    header = [c.value for c in sheet[1]]
    for r in range(2, sheet.max_row + 1):
        org = sheet.cell(r, header.index("id") + 1).value
        estimate = org in ESTIMATED_DATES
        assert ("live_since" in (sheet.cell(r, header.index("estimates") + 1).value or "")) == estimate
        if estimate:
            assert sheet.cell(r, 1).number_format == 'yyyy-mm-dd"*"'


def test_the_html_gantt_hover_marks_an_estimated_date(shipped, plan):
    hovers = [h for trace in gantt_figure(shipped, plan).data for h in (trace.hovertext or [])
              if isinstance(h, str)]
    lab = [h for h in hovers if "go-live 2023-11-04*" in h]
    assert lab and all(ESTIMATE_NOTE in html.unescape(h) for h in lab)
    plain = facts(shipped, orgs=True)
    assert not any(h for trace in gantt_figure(plain, plan).data for h in (trace.hovertext or [])
                   if isinstance(h, str) and "2023-11-04*" in h)


def test_the_calendar_says_an_estimated_history_date_is_one(shipped, plan):
    from hpplan.exports import to_ics
    events = " ".join(to_ics(shipped, plan).replace("\r\n ", "").split("BEGIN:VEVENT")[1:])
    text = events.replace("\\,", ",").replace("\\n", "\n")
    said = [e for e in text.split("END:VEVENT") if "Its date is an estimate or an inference" in e]
    assert len(said) == len(ESTIMATED_DATES)
    assert all(any(f"go-live-{org}-" in e for e in said) for org in ESTIMATED_DATES)
