"""The figures every view shares (formats.py) and the CSV and Markdown forms of a plan: estimates
marked as in the other outputs, and a live organisation's window as docs/rules.md gives it, in every
output."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from helpers import build, org, solved
from icalendar import Calendar
from openpyxl import load_workbook
from rich.console import Console

from hpplan.exports import to_ics, to_xlsx
from hpplan.formats import (CSV_COLUMNS, ESTIMATE_NOTE, plan_groups, row_names, to_csv, to_markdown, window_of,
                            window_summary)
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.report import coverage_series, gantt_rows, report_html
from hpplan.solution import Assignment, Solution

STAMP = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
FACT = {"all": "fact: test"}
#: the default pools of `helpers.build`, their capacity a fact: a plan of facts only has no estimated limit either
FACT_POOLS = [{"id": sector, "sector": sector, "fte": 1000, "source": {"fte": "fact: test"}}
              for sector in ("specialist", "primary")]


def _csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text))}


def _md_row(text: str, org_id: str) -> list[str]:
    line = next(line for line in text.splitlines() if f"| {org_id} |" in line)
    return [cell.strip() for cell in line.strip("|").split(" | ")]


# --------------------------------------------------------------------------------------------------
# estimates: CSV and Markdown say them as the table, HTML, xlsx and ics do


@pytest.fixture(scope="module")
def mixed_sources() -> tuple[Problem, Solution]:
    """A trust of facts, a municipality with a published population and estimated users, one whose
    figures are all estimates, and one of facts."""
    problem = build([
        org("trust-a", kind="health_trust", status="signed", population=200_000, users=8_000, source=FACT,
            name="Trust A HF"),
        org("m1", population=50_000, users=2_000, name="Møre kommune",
            source={"population": "fact: SSB", "users": "estimate: 4 % of population"}),
        org("m2", population=1_900, users=100, name="Os", source={"all": "estimate: not looked up"}),
        org("m3", population=20_000, users=700, source=FACT, name="Ørsta kommune"),
    ])
    return problem, solved(problem)


def test_csv_names_the_estimated_figures_and_keeps_numbers(mixed_sources):
    problem, solution = mixed_sources
    text = to_csv(problem, solution)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS) and CSV_COLUMNS[-1] == "estimates"
    rows = _csv_rows(text)
    assert {k: r["estimates"] for k, r in rows.items()} == {
        "trust-a": "", "m1": "users", "m2": "users, population", "m3": ""}
    assert (rows["m2"]["users"], rows["m2"]["population"]) == ("100", "1900")  # numbers, no mark
    assert '"users, population"' in text  # one field, quoted


def test_markdown_marks_estimated_users_with_one_note(mixed_sources):
    problem, solution = mixed_sources
    text = to_markdown(problem, solution)
    # s27: a lone `*` at a cell's end cannot open emphasis: written as it is, no backslash
    assert _md_row(text, "m1")[-1] == "2 000*" and _md_row(text, "m2")[-1] == "100*"
    assert _md_row(text, "m3")[-1] == "700" and _md_row(text, "trust-a")[-1] == "8 000"
    # the window summary: a window's users are marked when an organisation counted is estimated
    estimated = {e.window for e in solution.plan if e.id in ("m1", "m2")}
    summary = {s.window.id: s for s in window_summary(problem, solution)}
    for line in text.split("## Summary per window")[1].splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if cells[0] in summary:
            users = cells[4]
            assert users.endswith("*") == (cells[0] in estimated), line
    # one note, escaped so that Markdown shows the mark instead of starting a list
    assert text.count(ESTIMATE_NOTE) == 1 and "\n\\" + ESTIMATE_NOTE in text
    # facts only: no mark and no note
    facts = build([org(o.id, kind=o.kind.value, status=o.status.value, population=o.population, users=o.users,
                       source=FACT) for o in problem.organisations], pools=FACT_POOLS)
    plain = to_markdown(facts, solved(facts))
    assert ESTIMATE_NOTE not in plain and "*|" not in plain.replace(" ", "")


# --------------------------------------------------------------------------------------------------
# a live organisation's window: the nearest within 6 days of live_since, else none (docs/rules.md)

WINDOWS = [
    {"id": "h0", "date": "2023-04-29"},
    {"id": "h1", "date": "2023-11-04"},
    {"id": "w1", "date": "2024-02-10"},
    {"id": "w2", "date": "2024-04-27"},
]


@pytest.fixture(scope="module")
def live_between() -> tuple[Problem, Solution]:
    """`lab` went live on 2023-08-12, months from every window: in no window (the rules), although h0
    is the last window before it. `near` went live 3 days before h1: in h1."""
    problem = build([
        org("trust", kind="health_trust", status="live", live_since="2023-04-29", population=300_000,
            users=10_000, source=FACT, name="Trust HF"),
        org("lab", kind="lab", status="live", live_since="2023-08-12", population=0, users=600, source=FACT,
            name="Trust lab"),
        org("near", status="live", live_since="2023-11-01", population=20_000, users=500, source=FACT,
            name="Near kommune"),
        org("m1", population=50_000, users=2_000, source=FACT, name="Møre kommune"),
    ], windows=WINDOWS)
    return problem, solved(problem)


def test_a_live_organisation_in_no_window_is_in_none_in_every_output(live_between, tmp_path):
    """The table, Markdown, xlsx, ics and HTML put `lab` in h0, the last window before its go-live,
    where the rules (and the verifier, which passed this plan) give it none."""
    problem, solution = live_between
    lab = next(e for e in solution.plan if e.id == "lab")
    # the rule, as the model and the verifier apply it
    for entry in solution.plan:
        if entry.pinned:
            rule = problem.history_window_of(problem.org[entry.id])
            assert window_of(problem, entry) == rule, entry.id
    assert window_of(problem, lab) is None
    assert window_of(problem, next(e for e in solution.plan if e.id == "near")).id == "h1"

    groups = {g.key: g for g in plan_groups(problem, solution)}
    assert [e.id for e in groups["h0"].entries] == ["trust"]
    assert [e.id for e in groups["after-h0"].entries] == ["lab"]
    assert list(groups).index("after-h0") == list(groups).index("h0") + 1  # between h0 and h1

    # window summary: no window's actor; live after h1 (its first window after the go-live), not h0
    summary = {s.window.id: s for s in window_summary(problem, solution)}
    assert (summary["h0"].actors, summary["h0"].users) == (1, 10_000)
    assert summary["h0"].users_live == 10_000 and summary["h1"].users_live == 10_000 + 600 + 500
    users_share = {p.window.split()[0]: p.users_share for p in coverage_series(problem, solution)}
    assert users_share["h0"] == pytest.approx(10_000 / 13_100)

    # Markdown and CSV
    text = to_markdown(problem, solution)
    assert _md_row(text, "lab")[0] == "live after h0, in no window (history)"
    assert _md_row(text, "trust")[0] == "h0 (history)"
    rows = _csv_rows(to_csv(problem, solution))
    assert (rows["lab"]["go_live"], rows["lab"]["window"]) == ("2023-08-12", "")
    assert rows["near"]["window"] == "h1"

    # the terminal view: under its own heading, not h0's
    out = io.StringIO()
    render_plan(problem, solution, Console(file=out, width=120, color_system=None))
    lines = out.getvalue().splitlines()
    heading = next(i for i, line in enumerate(lines) if "live after h0, in no window" in line)
    assert "history" in lines[heading] and lines[heading + 1].startswith("Trust lab")  # marked as history
    assert not any(line.startswith("Trust lab") for line in lines[:heading])

    # the spreadsheet: no window, no window date
    book = load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))
    plan = [[c.value for c in row] for row in book["Plan"].iter_rows()]
    header = plan[0]
    row = next(r for r in plan[1:] if r[header.index("id")] == "lab")
    assert (row[header.index("window")], row[header.index("window date")]) == (None, None)
    windows = {r[0]: r for r in ([c.value for c in row] for row in book["Windows"].iter_rows(min_row=2))}
    assert windows["h0"][4] == 1  # actors

    # the calendar: no window named
    events = {str(e["UID"]).split("-")[2]: str(e["DESCRIPTION"])
              for e in Calendar.from_ical(to_ics(problem, solution, STAMP)).walk("VEVENT")}
    assert "Window:" not in events["lab"] and "Window: h0" in events["trust"]

    # the HTML report's Gantt: its own group, no window in the hover
    row = next(r for r in gantt_rows(problem, solution) if r.entry.id == "lab")
    assert row.group == "live after h0, in no window (history)" and row.window_title is None
    assert "live after h0, in no window" in report_html(problem, solution)


# --------------------------------------------------------------------------------------------------
# rows of one name


def test_row_names_add_the_id_where_names_are_shared():
    def entry(org_id: str, name: str) -> Assignment:
        return Assignment(org_id, name, "gp_office", "primary", None, None, False)

    names = row_names([entry("gp-1", "Legekontoret"), entry("gp-2", "Legekontoret"), entry("gp-3", "Annet")])
    assert names == {"gp-1": "Legekontoret (gp-1)", "gp-2": "Legekontoret (gp-2)", "gp-3": "Annet"}


def test_markdown_writes_names_as_they_are_not_as_markup():
    # `Legekontor <Bakke> & Søn` lost `<Bakke>` as an HTML tag on GitHub, `*x*` became emphasis
    from hpplan.formats import md_text

    # s27: only what would be markup there: the opener of `*x*` and `_y_`, not their closers, `>` or a lone `&`
    assert md_text("Legekontor <Bakke> & Søn *x* _y_ a|b") == "Legekontor \\<Bakke> & Søn \\*x* \\_y_ a\\|b"
    assert md_text("population_delay") == "population_delay" and md_text("two\nlines") == "two lines"


def test_one_of_a_kind_is_named_as_the_many_are():
    from hpplan.formats import kind_noun

    assert [kind_noun(k, 1) for k in ("lab", "other", "gp_office", "health_trust")] == [
        "laboratory", "other organisation", "GP office", "health trust"]  # was "1 lab" beside "2 laboratories"
    assert [kind_noun(k, 2) for k in ("lab", "other")] == ["laboratories", "other organisations"]
