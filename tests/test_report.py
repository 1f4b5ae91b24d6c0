"""The plan report (report.py, `hpplan report`): chart data equal to the plan, a self-contained and
deterministic HTML page that renders in headless Chromium without console errors, and static charts.

The browser tests need Debian's `chromium`: the `chromium` fixture finds it (or $HPPLAN_CHROMIUM), else
installs it with `apt-get install -y chromium` when running as root with apt, else skips with the reason.
It drives the browser over the DevTools protocol on a pipe (`--remote-debugging-pipe`), no extra
packages. `HPPLAN_DOCS_SCREENSHOT=1` also writes the shipped plan's screenshot to docs/img/report.png.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import fcntl
import io
import json
import os
import queue
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import build, org, solved
from typer.testing import CliRunner

from hpplan import cli
from hpplan.formats import plan_groups, window_summary
from hpplan.loader import load_problem
from hpplan.problem import Problem, month_index
from hpplan.report import (
    DIV_IDS,
    broken_rules,
    Chart,
    Detail,
    GanttRow,
    GroupBy,
    coverage_figure,
    coverage_series,
    gantt_figure,
    gantt_rows,
    load_figure,
    load_series,
    report_html,
    row_hover,
    static_chart,
)
from hpplan.solution import Solution, Status, read_plan
from hpplan.verify import verify

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
SHIPPED = ROOT / "data"
runner = CliRunner()

SRC = {"all": "estimate: test"}

#: the default pools of `helpers.build`, their capacity a fact: a plan of facts only has no estimated limit either
FACT_POOLS = [{"id": sector, "sector": sector, "fte": 1000, "source": {"fte": "fact: test"}}
              for sector in ("specialist", "primary")]


def rollout_problem() -> Problem:
    """History (a live trust), two tracks, an opted-out municipality (never scheduled) and profiles with
    preparation and hypercare."""
    return build(
        [
            org("trust-a", kind="health_trust", status="live", live_since="2023-11-04", population=300_000,
                users=10_000, name="Trust A HF"),
            org("trust-b", kind="health_trust", status="signed", population=200_000, users=8_000, track="t1",
                name="Trust B HF"),
            org("m1", population=50_000, users=2_000, track="t1", name="Møre kommune"),
            org("m2", population=20_000, users=700, track="t2", name="Ørsta kommune"),
            org("m3", status="opted_out", population=5_000, users=100, name="Utenfor kommune"),
            org("gp1", kind="gp_office", municipality="m1", status="optional", users=15, population=None,
                name="Møre legekontor"),
        ],
        tracks=[{"id": "t1", "name": "Track one", "source": SRC}, {"id": "t2", "source": SRC}],
        profiles=[
            {"id": "health_trust", "before": [20, 40], "hypercare": [40, 20], "source": SRC},
            {"id": "municipality", "before": [5], "hypercare": [10, 5], "source": SRC},
            {"id": "gp_office", "hypercare": [1], "source": SRC},
        ],
        limits=[{"max_trusts": 1, "source": SRC}],
        rules=[{"type": "with_or_before", "each": "gp_office", "source": SRC}],
    )


@pytest.fixture(scope="module")
def rollout() -> tuple[Problem, Solution]:
    problem = rollout_problem()
    return problem, solved(problem)


@pytest.fixture(scope="module")
def tiny() -> tuple[Problem, Solution]:
    problem = load_problem(TINY)
    return problem, solved(problem)


def shows(page: str, text: str) -> bool:
    """The text is in the page: as HTML, or inside a chart's data (JSON escapes non-ASCII)."""
    return text in page or json.dumps(text)[1:-1] in page


def as_json(solution: Solution) -> dict:
    """The plan as `hpplan solve --format json` writes it: what the charts must equal."""
    return json.loads(solution.to_json())


# --------------------------------------------------------------------------------------------------
# chart data equals the plan


def test_gantt_rows_equal_the_plan(rollout):
    problem, solution = rollout
    assert solution.status is Status.optimal
    plan = {e["id"]: e for e in as_json(solution)["plan"]}
    rows = gantt_rows(problem, solution)
    scheduled = [i for i, e in plan.items() if e["go_live"]]
    assert sorted(r.entry.id for r in rows) == sorted(scheduled)
    assert "m3" not in {r.entry.id for r in rows}  # opted out: no row
    for row in rows:
        assert row.go_live.isoformat() == plan[row.entry.id]["go_live"]
        assert row.history == plan[row.entry.id]["pinned"]
    # rows follow plan_groups: by window in date order, history first
    expected = [e.id for g in plan_groups(problem, solution) for e in g.entries if e.go_live]
    assert [r.entry.id for r in rows] == expected
    assert rows[0].entry.id == "trust-a" and rows[0].group == "h1 (history)"


def test_gantt_spans_follow_the_load_profiles(rollout):
    problem, solution = rollout
    rows = {r.entry.id: r for r in gantt_rows(problem, solution)}
    trust = rows["trust-b"]
    live = month_index(trust.go_live)
    # two months of preparation before the go-live month, hypercare the go-live month and the next
    assert month_index(trust.preparation[0]) == live - 2 and trust.preparation[0].day == 1
    assert trust.preparation[1] == trust.go_live == trust.hypercare[0]
    assert month_index(trust.hypercare[1]) == live + 2 and trust.hypercare[1].day == 1
    gp = rows.get("gp1")
    if gp is not None:  # hypercare only
        assert gp.preparation is None and month_index(gp.hypercare[1]) == month_index(gp.go_live) + 1


def test_window_rows_sum_up_each_window_by_kind(tiny):
    # a national plan has 2,000 organisations: one row per window and kind of organisation instead
    from hpplan.report import window_rows

    problem, solution = tiny
    rows = window_rows(problem, solution)
    per_org = gantt_rows(problem, solution)
    for row in rows:
        members = [r for r in per_org if r.group == row.group and r.entry.kind == row.entry.kind
                   and r.sector == row.sector]
        assert members and row.label.startswith(f"{len(members)} ")
        assert {r.go_live for r in members} == {row.go_live}
        assert row.users == sum(r.users or 0 for r in members)
        assert row.population == sum(r.population or 0 for r in members)
        starts = [r.preparation[0] for r in members if r.preparation]
        ends = [r.hypercare[1] for r in members if r.hypercare]
        assert row.preparation == ((min(starts), row.go_live) if starts else None)
        assert row.hypercare == ((row.go_live, max(ends)) if ends else None)
    assert sum(int(r.label.split()[0]) for r in rows) == len(per_org)  # every scheduled organisation once
    assert list(dict.fromkeys(r.group for r in rows)) == list(dict.fromkeys(r.group for r in per_org))


def test_gantt_detail_auto_switches_above_the_row_limit(tiny, monkeypatch):
    from hpplan import formats, report

    problem, solution = tiny
    assert gantt_rows(problem, solution, detail=report.Detail.auto) == gantt_rows(problem, solution)
    monkeypatch.setattr(formats, "DETAIL_AUTO_MAX", 3)
    assert gantt_rows(problem, solution, detail=report.Detail.auto) == report.window_rows(problem, solution)
    page = report_html(problem, solution, verify_plan=False)
    assert "One row per go-live window and kind of organisation" in page
    svg = static_chart(problem, solution, "svg", Chart.gantt).decode("utf-8")
    assert "one row per window and kind of organisation" in svg
    # asked for, one row per organisation whatever the count
    assert gantt_rows(problem, solution, detail=report.Detail.organisation) == gantt_rows(problem, solution)


def test_report_detail_option(tmp_path):
    out = tmp_path / "plan.svg"
    result = runner.invoke(cli.app, ["report", "--data", str(TINY), "-q", "--detail", "window", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "one row per window and kind of organisation" in out.read_text(encoding="utf-8")


def test_gantt_rows_by_track(rollout):
    problem, solution = rollout
    rows = gantt_rows(problem, solution, GroupBy.track)
    groups = list(dict.fromkeys(r.group for r in rows))
    assert groups[:2] == ["t1", "t2"] and groups[-1] == "no track"
    assert {r.entry.id for r in rows if r.group == "t1"} == {"trust-b", "m1"}
    assert rows[0].group_title == "t1 Track one"
    t1 = [r.go_live for r in rows if r.group == "t1"]
    assert t1 == sorted(t1)


def test_window_rows_by_track(rollout):
    # the summary rows keep --group-by track: per track, a row per window and kind, named by window
    from hpplan.report import window_rows

    problem, solution = rollout
    per_org = gantt_rows(problem, solution, GroupBy.track)
    rows = window_rows(problem, solution, group_by=GroupBy.track)
    assert list(dict.fromkeys(r.group for r in rows)) == list(dict.fromkeys(r.group for r in per_org))
    for row in rows:
        members = [r for r in per_org if r.group == row.group and r.go_live == row.go_live
                   and r.entry.kind == row.entry.kind and r.sector == row.sector]
        where = row.entry.window or row.go_live.isoformat()
        assert members and row.label.startswith(f"{where}: {len(members)} ")
    assert sum(int(r.label.split(": ")[1].split()[0]) for r in rows) == len(per_org)
    assert len({r.entry.id for r in rows}) == len(rows)
    assert gantt_rows(problem, solution, GroupBy.track, detail=Detail.window) == rows
    # by window, the rows do not repeat the window in their label
    assert all(":" not in r.label for r in window_rows(problem, solution))


def test_load_series_equal_the_plan_load(rollout):
    problem, solution = rollout
    load = as_json(solution)["load"]
    series = {s.pool: s for s in load_series(problem, solution)}
    assert list(series) == ["specialist", "primary"]
    for point in load:
        s = series[point["pool"]]
        i = [m.strftime("%Y-%m") for m in s.months].index(point["month"])
        assert s.used[i] == point["used"] and s.limit[i] == point["limit"]
    assert sum(len(s.months) for s in series.values()) == len(load)
    assert max(series["specialist"].used) > 0


def test_coverage_series(rollout):
    problem, solution = rollout
    points = coverage_series(problem, solution)
    summary = window_summary(problem, solution)
    assert [p.date for p in points] == [w.date for w in problem.windows]
    assert [p.primary for p in points] == [s.primary_share for s in summary]
    assert [p.specialist for p in points] == [s.specialist_share for s in summary]
    # users: cumulative over every organisation's users in the data
    all_users = sum(o.users or 0 for o in problem.organisations)
    plan = as_json(solution)["plan"]
    last_window = max(e["go_live"] for e in plan if e["go_live"])
    live_users = sum(problem.org[e["id"]].users or 0 for e in plan if e["go_live"])
    assert points[-1].users_share == pytest.approx(live_users / all_users)
    assert points[0].users_share == pytest.approx(10_000 / all_users)  # history: Trust A
    shares = [p.users_share for p in points]
    assert shares == sorted(shares) and last_window <= points[-1].date.isoformat()


def test_figures_have_their_traces(rollout):
    problem, solution = rollout
    gantt = gantt_figure(problem, solution)
    names = {t.name for t in gantt.data}
    assert {"preparation", "go-live", "hypercare"} <= names
    go_live = [t for t in gantt.data if t.name == "go-live"]
    assert sum(len(t.x) for t in go_live) == sum(1 for e in solution.plan if e.go_live)
    assert gantt.layout.yaxis.type == "multicategory"
    assert any(s.x1 == problem.planning_date.isoformat() and s.type == "rect" for s in gantt.layout.shapes)
    load = load_figure(problem, solution)
    assert sum(t.type == "bar" for t in load.data) == 2  # a panel per pool
    limits = [t for t in load.data if t.name.endswith(": limit")]
    assert all(max(t.y) == 1000 for t in limits)
    coverage = coverage_figure(problem, solution)
    assert len(coverage.data) == 3 and max(coverage.data[0].y) <= 1


# --------------------------------------------------------------------------------------------------
# the HTML report


def test_html_is_self_contained_and_deterministic(rollout):
    problem, solution = rollout
    first = report_html(problem, solution)
    assert first == report_html(problem, solution)  # fixed div ids: the same bytes
    assert not re.search(r"<script[^>]+src=", first, re.I)  # plotly.js inline, no CDN
    assert not re.search(r"<link[^>]+href=[\"']?https?://", first, re.I)
    assert first.count("<script>/**") == 1  # the plotly.js bundle, inline, once for three charts
    assert first.count("Plotly.newPlot") == 3
    for div in DIV_IDS.values():
        assert f'id="{div}"' in first
    assert "Plotly.newPlot" in first
    for name in ("Trust A HF", "Trust B HF", "Møre kommune", "Ørsta kommune"):
        assert shows(first, name)
    assert "checked: every rule and limit holds" in first
    assert "Utenfor kommune" in first  # in the "Not scheduled" table
    assert "population_delay" in first and solution.status.value in first


def test_html_is_the_same_whichever_engine_found_or_proved_the_plan(rollout):
    # docs/report.md: the same plan, the same file; which engine of the race found and proved the plan
    # depends on timing (docs/solve.md "Engines"), and the Solver table showed it
    problem, solution = rollout
    pages = {report_html(problem, replace(solution, stats=replace(solution.stats, found_by=found, proved_by=proved)))
             for found, proved in (("cp-sat", "cp-sat"), ("highs", "highs"), ("greedy", "cp-sat"), (None, None))}
    assert len(pages) == 1


def test_names_show_as_written_in_the_charts():
    # Plotly reads its labels as HTML: a name with `<b>` showed bold on the Gantt's axis, `&amp;` as `&`
    problem = build([
        org("trust-a", kind="health_trust", status="live", live_since="2023-11-04", population=300_000,
            users=10_000, name="Trust <b>A</b> & Co"),
        org("m1", population=50_000, users=2_000, name="AT&amp;T kommune"),
        org("m2", population=20_000, users=700, name="A < B"),
    ])
    solution = solved(problem)
    fig = gantt_figure(problem, solution, other=solution, labels=("plan", "<i>old</i>"))
    axis = fig.data[0].y
    assert list(axis[1]) == [html.escape(r.label, quote=False) for r in gantt_rows(problem, solution)]
    assert "Trust &lt;b&gt;A&lt;/b&gt; &amp; Co" in axis[1] and "AT&amp;amp;T kommune" in axis[1]
    assert all("<" not in str(t.name) for t in fig.data if t.name)
    assert all("<" not in str(t.name) for f in (load_figure(problem, solution, solution, ("plan", "<i>old</i>")),
                                                 coverage_figure(problem, solution, solution, ("plan", "<i>old</i>")))
               for t in f.data if t.name)


def test_html_compare_shows_both_plans(rollout):
    problem, solution = rollout
    moved_id = "m2"
    entry = solution.assignment(moved_id)
    later = next(w for w in problem.windows if w.date > entry.go_live)
    other = replace(solution, plan=[replace(e, go_live=later.date, window=later.id) if e.id == moved_id else e
                                    for e in solution.plan])
    page = report_html(problem, solution, other=other, label="base", other_label="scenario")
    assert "Compared with <b>scenario</b>" in page
    moved = page[page.index("<h2>Moved from scenario</h2>"):]
    assert shows(moved, "Ørsta kommune") and later.date.isoformat() in moved
    fig = gantt_figure(problem, solution, other=other, labels=("base", "scenario"))
    marks = [t for t in fig.data if t.name == "scenario: go-live where it differs"]
    assert len(marks) == 1 and list(marks[0].x) == [later.date.isoformat()]
    # dashed coverage lines and dotted load lines of the compared plan
    assert any(t.line.dash == "dash" for t in coverage_figure(problem, solution, other).data)
    assert any(t.name == "primary: compared" for t in load_figure(problem, solution, other).data)


def _moved_rows(page: str, heading: str) -> dict[str, list[str]]:
    """The "Moved from ..." table: organisation name -> its dates, months and days as shown (the cost column,
    session 26, is tested in test_report_changes_s26)."""
    table = page[page.index(f"<h2>Moved from {heading}</h2>"):]
    table = table[:table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]:
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        rows[cells[0]] = cells[1:5]
    return rows


def test_moved_months_and_days_follow_compare_s_sign(rollout):
    # the table and the hover counted from the report's plan to the compared one: a go-live postponed
    # 5 months showed -5, where `hpplan compare` (the compared plan as the baseline) shows +5
    from hpplan.compare import compare

    problem, baseline = rollout
    entry = baseline.assignment("m2")
    later = next(w for w in problem.windows if w.date > entry.go_live)
    postponed = replace(baseline, plan=[replace(e, go_live=later.date, window=later.id) if e.id == "m2" else e
                                        for e in baseline.plan])
    move = next(m for m in compare(baseline, problem, postponed, problem).moves if m.id == "m2")
    assert move.months > 0 and move.days > 0  # later positive
    page = report_html(problem, postponed, other=baseline, label="postponed", other_label="adopted")
    row = _moved_rows(page, "adopted")["Ørsta kommune"]
    assert row == [entry.go_live.isoformat(), later.date.isoformat(), f"+{move.months}", f"+{move.days}"]
    assert "months later in postponed" in page  # the heading says which way is positive
    hover = row_hover(next(r for r in gantt_rows(problem, postponed, other=baseline) if r.entry.id == "m2"),
                      "postponed", "adopted")
    assert f"adopted: go-live {entry.go_live.isoformat()} (postponed +{move.months} months: later)" in hover
    # the other way round: earlier, negative
    page = report_html(problem, baseline, other=postponed, label="adopted", other_label="postponed")
    assert _moved_rows(page, "postponed")["Ørsta kommune"][2:] == [f"-{move.months}", f"-{move.days}"]


def _mixed_sources() -> Problem:
    """A trust and a municipality with published figures, a municipality whose users are estimated and
    one (opted out, never scheduled) whose population is inferred."""
    fact = {"all": "fact: test"}
    return build(
        [
            org("trust-a", kind="health_trust", status="signed", population=300_000, users=10_000, source=fact,
                name="Trust A HF"),
            org("m1", population=50_000, users=2_000, name="Møre kommune",
                source={"population": "fact: SSB", "users": "estimate: 4 % of population"}),
            org("m2", population=20_000, users=700, source=fact, name="Ørsta kommune"),
            org("m3", status="opted_out", population=5_000, users=100, name="Utenfor kommune",
                source={"population": "inferred: test", "users": "estimate: test"}),
        ],
    )


def test_html_marks_estimated_users_and_population():
    # the docs promise that no estimate is shown as a fact; the report showed estimated users and
    # populations exactly as the published ones
    from hpplan.report import ESTIMATE_NOTE

    problem = _mixed_sources()
    solution = solved(problem)
    page = report_html(problem, solution)
    hovers = {r.entry.id: row_hover(r) for r in gantt_rows(problem, solution)}
    assert "users 2 000* · population 50 000<br>" in hovers["m1"] and html.escape(ESTIMATE_NOTE) in hovers["m1"]
    assert "users 10 000 · population 300 000" in hovers["trust-a"] and "*" not in hovers["trust-a"]
    assert "users 700 · population 20 000" in hovers["m2"] and "*" not in hovers["m2"]
    # the per-window table: a window's users are an estimate when one of them is
    summary = page[page.index("<h2>Per window</h2>"):page.index("<h2>Peak load")]
    users = {cells[0]: cells[4] for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row)
                                              for row in re.findall(r"<tr[^>]*>(.*?)</tr>", summary)) if cells}
    m1 = solution.assignment("m1").window
    for s in window_summary(problem, solution):
        shown = f"{s.users:,}".replace(",", " ")
        assert users[s.window.id] == (shown + "*" if s.window.id == m1 else shown)
    # not scheduled: the opted-out municipality's estimated users
    assert re.search(r"<td>Utenfor kommune</td>.*?<td class=\"num\">100\*</td>", page)
    # one note on the page for every mark (the hovers carry their own)
    assert page.count(f'<p class="caption">{html.escape(ESTIMATE_NOTE)}') == 1
    # a plan of facts only: no mark, no note
    facts = build([org(o.id, kind=o.kind.value, status=o.status.value, population=o.population, users=o.users,
                       source={"all": "fact: test"}) for o in problem.organisations], pools=FACT_POOLS)
    page = report_html(facts, solved(facts))
    assert html.escape(ESTIMATE_NOTE) not in page
    assert not re.search(r"\d\*", page[page.index("<h2>Per window</h2>"):])


def _broken(problem, solution):
    """The plan with its GP office after its municipality: it breaks with_or_before."""
    first, last = problem.future_windows[0], problem.future_windows[-1]
    moves = {"m1": first, "gp1": last}
    return replace(solution, plan=[replace(e, go_live=moves[e.id].date, window=moves[e.id].id) if e.id in moves else e
                                   for e in solution.plan])


def test_html_reports_a_broken_plan(rollout):
    problem, solution = rollout
    broken = _broken(problem, solution)
    assert verify(problem, broken) != []
    page = report_html(problem, broken)
    assert "The independent verifier found broken rules" in page and "checked: every rule" not in page


# --------------------------------------------------------------------------------------------------
# static charts


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_is_a_chart_of_the_plan(rollout):
    problem, solution = rollout
    data = static_chart(problem, solution, "png")
    width, height = png_size(data)
    assert width >= 1200 and height > width * 0.6  # three charts stacked
    assert data == static_chart(problem, solution, "png")  # deterministic
    gantt = static_chart(problem, solution, "png", Chart.gantt)
    assert png_size(gantt)[1] < height


def test_svg_is_a_chart_of_the_plan(rollout):
    problem, solution = rollout
    data = static_chart(problem, solution, "svg")
    assert data == static_chart(problem, solution, "svg")  # deterministic: no date, fixed ids
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    for expected in ("Go-live plan", "Trust B HF", "Møre kommune", "Share of the population", "FTE",
                     "planning date 2024-01-15"):
        assert expected in text, expected
    assert "Utenfor kommune" not in text  # not scheduled: no row
    coverage = ET.fromstring(static_chart(problem, solution, "svg", Chart.coverage))
    assert "Go-live plan" not in " ".join(coverage.itertext())


# --------------------------------------------------------------------------------------------------
# `hpplan report`


def run(*args: str):
    return runner.invoke(cli.app, ["report", *args])


def test_report_command_writes_html(tmp_path: Path):
    out = tmp_path / "plan.html"
    result = run("--data", str(TINY), "-o", str(out), "--time-limit", "20")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and shows(page, "Helse Møre og Romsdal HF")
    assert f"wrote {out}" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["plan.html"]  # written atomically, nothing left over


def test_report_of_a_saved_plan_and_a_comparison(tmp_path: Path, tiny):
    problem, solution = tiny
    plan = tmp_path / "base.json"
    plan.write_text(solution.to_json(), encoding="utf-8")
    saved = read_plan(plan)
    assert verify(problem, saved) == []
    out = tmp_path / "report.html"
    result = run("--data", str(TINY), "--plan", str(plan), "--compare", str(plan), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # quiet
    page = out.read_text(encoding="utf-8")
    assert "Compared with <b>base (compared)</b>" in page
    assert "Every organisation goes live on the same day in both plans." in page
    for entry in as_json(solution)["plan"]:
        assert shows(page, entry["name"])


def test_a_saved_plan_is_reported_with_its_own_solver_block_and_this_data_s_load(tmp_path: Path, tiny):
    # before: a saved plan's report showed engine cp-sat, seed 0, tie-break complete whatever the file said,
    # and drew the file's load list even where the data's capacity had changed since
    import openpyxl

    from hpplan.solution import SolveStats

    problem, solution = tiny
    stats = SolveStats(engine="cp-sat + highs", seed=3, workers=2, tie_break="incomplete", best_bound=1234)
    plan = tmp_path / "plan.json"
    plan.write_text(replace(solution, stats=stats).to_json(), encoding="utf-8")
    back = read_plan(plan).stats
    assert (back.engine, back.seed, back.workers, back.tie_break, back.best_bound) == ("cp-sat + highs", 3, 2,
                                                                                     "incomplete", 1234)
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace("fte: 72,", "fte: 1,"), encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    result = run("--data", str(data), "--plan", str(plan), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "breaks" in result.stderr and "hpplan check --data" in result.stderr and " --plan " in result.stderr
    book = openpyxl.load_workbook(out)
    about = dict(row for row in book["About"].iter_rows(values_only=True))
    assert (about["solver"], about["seed"], about["workers"], about["tie-break"]) == ("cp-sat + highs", 3, 2,
                                                                                       "incomplete")
    header = next(book["Load"].iter_rows(values_only=True))
    limits = [row[header.index("primary limit FTE")] for row in list(book["Load"].iter_rows(values_only=True))[1:]]
    assert set(limits) == {1}  # this data's capacity, not the file's 72


def test_report_format_from_the_output_name(tmp_path: Path, tiny):
    problem, solution = tiny
    plan = tmp_path / "plan.json"
    plan.write_text(solution.to_json(), encoding="utf-8")
    for name, check in (("slides.png", lambda b: png_size(b)), ("slides.svg", lambda b: ET.fromstring(b))):
        out = tmp_path / name
        result = run("--data", str(TINY), "--plan", str(plan), "-o", str(out), "--chart", "gantt")
        assert result.exit_code == 0, result.output
        check(out.read_bytes())
    assert ET.fromstring((tmp_path / "slides.svg").read_bytes()) is not None
    assert "Ørsta" in (tmp_path / "slides.svg").read_text(encoding="utf-8")


def test_report_exports_calendar_and_spreadsheet(tmp_path: Path, tiny):
    from icalendar import Calendar
    from openpyxl import load_workbook

    problem, solution = tiny
    plan = tmp_path / "plan.json"
    plan.write_text(solution.to_json(), encoding="utf-8")
    result = run("--data", str(TINY), "--plan", str(plan), "-o", str(tmp_path / "rollout.ics"))
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical((tmp_path / "rollout.ics").read_bytes())
    starts = sorted(e.decoded("DTSTART").isoformat() for e in calendar.walk("VEVENT"))
    assert starts == sorted(e["go_live"] for e in as_json(solution)["plan"] if e["go_live"])
    result = run("--data", str(TINY), "--plan", str(plan), "--format", "xlsx", "-o", str(tmp_path / "rollout"))
    assert result.exit_code == 0, result.output
    book = load_workbook(io.BytesIO((tmp_path / "rollout").read_bytes()))  # --format wins over the name
    assert book.sheetnames == ["Plan", "Load", "Windows", "About"]
    assert book["Plan"].max_row == 1 + len(solution.plan)
    result = run("--data", str(TINY), "--plan", str(plan), "--compare", str(plan), "-o", str(tmp_path / "x.ics"))
    assert result.exit_code == 2 and "--compare" in result.stderr


def test_report_with_a_scenario(tmp_path: Path):
    scenario = tmp_path / "later.yaml"
    scenario.write_text(
        "base: tiny\n"
        "description: Ørsta waits for the autumn (estimate)\n"
        "changes:\n"
        "  - {op: postpone, actor: orsta, earliest: 2024-09-01}\n",
        encoding="utf-8",
    )
    out = tmp_path / "scenario.html"
    result = run("--data", str(TINY), "--scenario", str(scenario), "-o", str(out), "--time-limit", "20")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Scenario: later: Ørsta waits for the autumn" in page
    assert "scenario plan" in page


def test_report_of_a_scenario_against_a_plan_re_plans_it_as_compare_does(tmp_path: Path, tiny):
    # the report solved the scenario from scratch and said nothing: for the HMR postponement it showed
    # 14 moves where `hpplan compare --baseline plan.json` (re-planned against the plan) shows 10
    from hpplan.solve import load_report

    problem, solution = tiny
    # a baseline that is not what a fresh solve gives: Ålesund later than it needs to be
    window = next(w for w in problem.windows if w.id == "2024-11")
    plan = [replace(e, go_live=window.date, window=window.id) if e.id == "alesund" else e for e in solution.plan]
    base = tmp_path / "base.json"
    base.write_text(replace(solution, plan=plan, load=load_report(problem, plan)).to_json(), encoding="utf-8")
    scenario = tmp_path / "later.yaml"
    scenario.write_text("base: tiny\ndescription: Ørsta waits (test)\nchanges:\n"
                        "  - {op: postpone, actor: orsta, earliest: 2024-09-01}\n", encoding="utf-8")
    args = ("--data", str(TINY), "--scenario", str(scenario), "--compare", str(base), "-t", "20", "-q")
    names = {o.id: o.name for o in problem.organisations}

    compared = runner.invoke(cli.app, ["compare", "--baseline", str(base), "--data", str(TINY), "--scenario",
                                       str(scenario), "--format", "json", "-t", "20"])
    assert compared.exit_code == 0, compared.output
    moves = {names[m["id"]]: m for m in json.loads(compared.stdout)["moves"]}
    assert "Ålesund" not in moves and "Ørsta" in moves

    out = tmp_path / "stable.html"
    result = run(*args, "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert (f"Scenario plan: re-planned changing {html.escape(str(base))} as little as possible, as hpplan compare "
            "does (--fresh: from scratch)") in page
    rows = _moved_rows(page, "base")
    assert set(rows) == set(moves)  # the same moves as `hpplan compare`, with its numbers
    for name, move in moves.items():
        assert rows[name] == [move["from"], move["to"], f"{move['months']:+d}", f"{move['days']:+d}"]

    fresh = tmp_path / "fresh.html"
    result = run(*args, "--fresh", "-o", str(fresh))
    assert result.exit_code == 0, result.output
    page = fresh.read_text(encoding="utf-8")
    assert "Scenario plan: planned from scratch (--fresh)" in page
    assert "Ålesund" in _moved_rows(page, "base")  # the best plan for the scenario moves it back

    svg = tmp_path / "stable.svg"
    assert run(*args, "-o", str(svg), "--chart", "gantt").exit_code == 0
    assert "re-planned changing" in " ".join(ET.fromstring(svg.read_bytes()).itertext())

    # --fresh only means something when the report plans against a compared plan
    for bad in (("--fresh",), ("--fresh", "--plan", str(base), "--compare", str(base))):
        result = run("--data", str(TINY), *bad, "-o", str(tmp_path / "x.html"))
        assert result.exit_code == 2 and "--fresh" in result.stderr, result.output
    assert not (tmp_path / "x.html").exists()


def test_bad_input_exit_2_and_output_kept(tmp_path: Path, tiny):
    out = tmp_path / "plan.html"
    out.write_text("previous report\n")
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "waves.yaml").write_text("windows: [\n")
    result = run("--data", str(data), "-o", str(out))
    assert result.exit_code == 2
    assert "waves.yaml:2: invalid YAML" in result.stderr and "Traceback" not in result.output
    # a plan file that is not a plan, and one made from other data
    bad = tmp_path / "bad.json"
    bad.write_text('{"status": "optimal",\n "plan": [}\n')
    result = run("--data", str(TINY), "--plan", str(bad), "-o", str(out))
    assert result.exit_code == 2 and f"{bad}:2: not a JSON plan" in result.stderr
    # a folder given as the plan (`solve --baseline` reads it the same way)
    result = run("--data", str(TINY), "--plan", str(data), "-o", str(out))
    assert result.exit_code == 2 and f"{data}: a folder, not a plan file" in result.stderr
    result = runner.invoke(cli.app, ["solve", "--data", str(TINY), "--baseline", str(data), "-q"])
    assert result.exit_code == 2 and f"{data}: a folder, not a plan file" in result.stderr
    problem, solution = tiny
    other = tmp_path / "other.json"
    other.write_text(solution.to_json().replace('"orsta"', '"orsta-x"'), encoding="utf-8")
    result = run("--data", str(TINY), "--plan", str(other), "-o", str(out))
    assert result.exit_code == 2
    assert re.search(rf"{re.escape(str(other))}:\d+: organisation 'orsta-x' \(did you mean 'orsta'\?\) is not in "
                     "the data", result.stderr), result.stderr
    # a scenario with an unknown organisation
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("base: tiny\ndescription: x (estimate)\nchanges:\n  - {op: postpone, actor: orstaa, earliest: 2024-09-01}\n")
    result = run("--data", str(TINY), "--scenario", str(scenario), "-o", str(out))
    assert result.exit_code == 2 and f"{scenario}:4" in result.stderr
    # usage: --chart is for static charts
    result = run("--data", str(TINY), "--chart", "gantt", "-o", str(out))
    assert result.exit_code == 2 and "--chart" in result.stderr
    assert run("--data", str(TINY), "--format", "pdf").exit_code == 2
    # a folder that does not exist
    result = run("--data", str(TINY), "--plan", str(tmp_path / "base.json"), "-o", str(tmp_path / "nope" / "r.html"))
    assert result.exit_code == 2
    assert out.read_text() == "previous report\n"


def test_no_plan_leaves_the_output(monkeypatch, tmp_path: Path):
    import importlib

    monkeypatch.setattr(importlib.import_module("hpplan.solve"), "solve_replan",
                        lambda problem, options, baseline=None: (Solution(status=Status.infeasible), None))
    out = tmp_path / "plan.html"
    out.write_text("previous report\n")
    result = run("--data", str(TINY), "-o", str(out))
    assert result.exit_code == 1
    assert "no plan (infeasible)" in result.stderr
    assert out.read_text() == "previous report\n"


# --------------------------------------------------------------------------------------------------
# the report in headless Chromium

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_chromium_cache: dict[str, str | None] = {}


def find_or_install_chromium() -> tuple[str | None, str]:
    """The path of a Chromium, installing Debian's package when possible; else None and why not."""
    if "path" in _chromium_cache:
        return _chromium_cache["path"], _chromium_cache.get("why", "")
    path = os.environ.get("HPPLAN_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    why = ""
    if path is None:
        if not shutil.which("apt-get"):
            why = "no chromium on PATH and no apt-get to install it (set HPPLAN_CHROMIUM to a Chromium binary)"
        elif os.geteuid() != 0:
            why = "no chromium on PATH; install it with `sudo apt-get install -y chromium` (not root here)"
        else:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            install = ["apt-get", "install", "-y", "chromium"]
            done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
            if done.returncode != 0:  # the package lists may be missing or stale
                subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env, timeout=600)
                done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
            path = shutil.which("chromium")
            if path is None:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
                why = f"chromium could not be installed with apt-get ({tail[0]})"
    _chromium_cache.update(path=path, why=why)
    return path, why


@pytest.fixture(scope="session")
def chromium() -> str:
    path, why = find_or_install_chromium()
    if path is None:
        pytest.skip(why)
    return path


TRAMPOLINE = ("import os, sys; a, b = int(sys.argv[1]), int(sys.argv[2]); os.dup2(a, 3); os.dup2(b, 4); "
              "os.close(a); os.close(b); os.execv(sys.argv[3], sys.argv[3:])")


class Browser:
    """Headless Chromium over the DevTools protocol on a pipe (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, executable: str):
        self.profile = tempfile.mkdtemp(prefix="hpplan-chromium-")
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        # the child's ends become its fds 3 and 4 through a small Python trampoline (no preexec_fn: this
        # process has threads); first moved to high numbers, so that they cannot clash with 3 and 4
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child, from_child)]
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}", "about:blank"]
        self.process = subprocess.Popen([sys.executable, "-c", TRAMPOLINE, *map(str, high), executable, *args],
                                        pass_fds=high, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in high:
            os.close(fd)
        os.close(to_child)
        os.close(from_child)
        self._out = os.fdopen(from_parent, "wb", buffering=0)
        self._in = os.fdopen(to_parent, "rb", buffering=0)
        self._next = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self._in.read(1 << 16):
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                data = json.loads(message)
                if "id" in data and data["id"] in self._replies:
                    self._replies[data["id"]].put(data)
                else:
                    self.events.append(data)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        with self._lock:
            self._next += 1
            number = self._next
            reply = self._replies[number] = queue.Queue()
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        data = reply.get(timeout=timeout)
        if "error" in data:
            raise RuntimeError(f"{method}: {data['error']}")
        return data["result"]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab: load a file, evaluate JavaScript, collect console errors and network requests."""

    def __init__(self, browser: Browser, width: int = 1400, height: int = 1000):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def open(self, path: Path, ready: str, timeout: float = 30) -> None:
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        deadline = time.monotonic() + timeout
        while not self.evaluate(ready):
            if time.monotonic() > deadline:
                raise AssertionError(f"the page did not get ready ({ready}) within {timeout} s")
            time.sleep(0.1)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def mouse(self, x: float, y: float) -> None:
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of this tab."""
        found = []
        for event in list(self.browser.events):
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append("log: " + params["entry"].get("text", ""))
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in list(self.browser.events)
                if e.get("sessionId") == self.session and e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, full: bool = True, max_height: int = 20_000) -> bytes:
        params: dict = {"format": "png"}
        if full:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height),
                                "scale": 1}}
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        path.write_bytes(data)
        return data


@pytest.fixture(scope="module")
def browser(chromium):
    browser = Browser(chromium)
    try:
        browser.send("Browser.getVersion", timeout=60)
    except Exception as exc:  # a Chromium that is there but does not work is a failure, not a skip
        browser.close()
        pytest.fail(f"{chromium} does not answer on the DevTools pipe: {exc!r}")
    yield browser
    browser.close()


CHARTS_READY = ("document.querySelectorAll('.js-plotly-plot').length >= 3 && "
                "[...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('svg.main-svg'))")


def check_rendered(page: Page, solution: Solution) -> None:
    """Three Plotly charts with their SVG; the Gantt chart shows a diamond on each go-live day of the JSON
    plan, and bars for the preparation and hypercare spans."""
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot').length") == 3
    for key, div in DIV_IDS.items():
        assert page.evaluate(f"!!document.querySelector('#{div}.js-plotly-plot svg.main-svg')"), key
    go_lives = sorted(e["go_live"] for e in as_json(solution)["plan"] if e["go_live"])
    shown = page.evaluate(f"document.getElementById('{DIV_IDS['gantt']}').data"
                          ".filter(t => t.name === 'go-live').flatMap(t => t.x)")
    assert sorted(shown) == go_lives  # the chart's data in the browser is the plan
    diamonds = page.evaluate(f"[...document.querySelectorAll('#{DIV_IDS['gantt']} .scatterlayer .trace .points path')]"
                             ".filter(p => p.style.opacity !== '0').length")
    assert diamonds == len(go_lives)  # drawn: one visible diamond per go-live
    bars = page.evaluate(f"document.querySelectorAll('#{DIV_IDS['gantt']} .barlayer .point').length")
    assert bars >= len(go_lives)
    assert page.evaluate(f"document.querySelectorAll('#{DIV_IDS['load']} .barlayer .point').length") > 0
    assert page.evaluate(f"document.querySelectorAll('#{DIV_IDS['coverage']} .scatterlayer .trace').length") >= 3


def test_report_renders_in_chromium(browser, rollout, tmp_path: Path):
    problem, solution = rollout
    path = tmp_path / "plan.html"
    path.write_text(report_html(problem, solution), encoding="utf-8")
    page = Page(browser)
    page.open(path, CHARTS_READY)
    check_rendered(page, solution)
    assert page.evaluate("document.title").startswith("Rollout plan")
    # interactive: hovering a go-live shows its organisation
    box = page.evaluate(
        f"(() => {{ const p = [...document.querySelectorAll('#{DIV_IDS['gantt']} .scatterlayer .trace .points path')]"
        ".filter(e => getComputedStyle(e).opacity !== '0' && e.style.opacity !== '0').pop();"
        "p.scrollIntoView({block: 'center'}); const r = p.getBoundingClientRect();"
        "return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
    )
    page.mouse(box["x"], box["y"])
    deadline = time.monotonic() + 5
    while not (hover := page.evaluate("[...document.querySelectorAll('.hoverlayer .hovertext')].map(e => e.textContent).join(' ')")):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "go-live" in hover and any(o.name in hover for o in problem.organisations), hover
    shot = page.screenshot(tmp_path / "report.png")
    assert png_size(shot)[0] == 1400 and len(shot) > 20_000
    assert page.errors() == []
    offline = [u for u in page.requests() if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert offline == [], "the report must not load anything from the network"


def test_names_on_the_gantt_axis_read_as_written_in_chromium(browser, tmp_path: Path):
    # a name with `<b>` showed bold without its tags, and two of one name were told apart only by the
    # second's id
    problem = build([
        org("trust-a", kind="health_trust", status="live", live_since="2023-11-04", population=300_000,
            users=10_000, name="Trust <b>A</b> & Co"),
        org("m1", population=50_000, users=2_000, name="Legekontoret"),
        org("m2", population=20_000, users=700, name="Legekontoret"),
    ])
    path = tmp_path / "names.html"
    path.write_text(report_html(problem, solved(problem)), encoding="utf-8")
    page = Page(browser)
    page.open(path, CHARTS_READY)
    shown = page.evaluate(f"[...document.querySelectorAll('#{DIV_IDS['gantt']} .yaxislayer-above text')]"
                          ".map(e => e.textContent)")
    assert {"Trust <b>A</b> & Co", "Legekontoret (m1)", "Legekontoret (m2)"} <= set(shown), shown
    assert page.errors() == []


def test_shipped_plan_report_renders_and_docs_screenshot(browser, tmp_path: Path, monkeypatch):
    """The shipped data's report: renders without errors; its screenshot is the one in docs/report.md
    (written there when HPPLAN_DOCS_SCREENSHOT=1)."""
    monkeypatch.chdir(ROOT)  # the report names the data folder as given: `data`
    problem = load_problem(Path("data"))
    solution = solved(problem, time_limit=60)
    assert solution.found
    path = tmp_path / "plan.html"
    path.write_text(report_html(problem, solution), encoding="utf-8")
    page = Page(browser, width=1400, height=1100)
    page.open(path, CHARTS_READY)
    check_rendered(page, solution)
    assert page.errors() == []
    shot = page.screenshot(tmp_path / "report.png", full=False)  # the first screen: header and Gantt chart
    assert png_size(shot) == (1400, 1100)
    if os.environ.get("HPPLAN_DOCS_SCREENSHOT"):
        (ROOT / "docs" / "img").mkdir(exist_ok=True)
        (ROOT / "docs" / "img" / "report.png").write_bytes(shot)
        page.screenshot(ROOT / "docs" / "img" / "report-full.png")


# --------------------------------------------------------------------------------------------------
# one `--detail auto` rule, a broken saved plan said so, date labels that fit


def test_detail_auto_counts_the_organisations_in_the_plan_as_the_terminal_does(rollout, monkeypatch):
    """The terminal Gantt counts every organisation in the plan (render.py); the report counted only the
    scheduled rows, so a plan between the two counts got a row per organisation in one and a summary in
    the other (README: "above 250 organisations", both)."""
    from rich.console import Console

    from hpplan import formats, render, report
    from hpplan.formats import resolved_detail

    problem, solution = rollout
    total = len(solution.plan)
    live = sum(1 for e in solution.plan if e.go_live is not None)
    assert live < total  # the opted-out municipality: not scheduled
    for limit in range(total, live - 2, -1):
        monkeypatch.setattr(formats, "DETAIL_AUTO_MAX", limit)  # the one rule (formats.resolved_detail)
        out = io.StringIO()
        render.render_plan(problem, solution, Console(file=out, width=160))
        terminal = "A row per window and kind" in out.getvalue()
        summarised = resolved_detail(solution, Detail.auto) is Detail.window
        assert summarised == terminal == (total > limit), limit
        assert (gantt_rows(problem, solution, detail=Detail.auto) == report.window_rows(problem, solution)) == summarised
        svg = static_chart(problem, solution, "svg", Chart.gantt).decode("utf-8")
        assert (f"one row per window and kind of organisation: {live} of {total} organisations go live" in svg) \
            == summarised


def test_counts_of_one_are_singular_and_kinds_spelt_as_the_docs():
    from hpplan.report import summary_count
    from hpplan.solution import Assignment

    one = Assignment("gp1", "Legekontoret", "gp_office", "primary", dt.date(2025, 3, 1), "w1", False)
    assert summary_count(Solution(status=Status.optimal, plan=[one])) == "1 organisation"
    row = GanttRow(one, one.name, "w1", "w1", False, None, None, 15, None, None)
    assert "GP office · primary" in row_hover(row)  # as docs/data-format.md spells it, not "gp office"
    page = report_html(*_rollout_unscheduled_gp())
    assert "<td>GP office</td>" in page and "gp office" not in page


def _rollout_unscheduled_gp() -> tuple[Problem, Solution]:
    """The rollout with its optional GP office left out: it is in the "Not scheduled" table."""
    problem = rollout_problem()
    solution = solved(problem)
    return problem, replace(solution, plan=[replace(e, go_live=None, window=None) if e.id == "gp1" else e
                                            for e in solution.plan])


def test_summary_count_groups_thousands_as_the_other_outputs():
    from hpplan.report import summary_count
    from hpplan.solution import Assignment

    planned = Assignment("m0", "M0", "municipality", "primary", dt.date(2025, 3, 1), "w1", False)
    plan = [replace(planned, id=f"m{i}") for i in range(2100)]
    assert summary_count(Solution(status=Status.optimal, plan=plan)) == "2 100 organisations"
    plan[-1] = replace(plan[-1], go_live=None, window=None)
    assert summary_count(Solution(status=Status.optimal, plan=plan)) == "2 099 of 2 100 organisations go live"


def test_static_title_says_a_saved_plan_breaks_this_data(rollout):
    """A plan over this data's limits was titled "· optimal" on a slide, its note only on stderr."""
    problem, solution = rollout
    broken = _broken(problem, solution)
    found = verify(problem, broken)
    n = len(broken_rules(found))  # (the others are its saved load, stale: said apart)
    says = f"optimal as saved; breaks {n} rule{'s' if n != 1 else ''} or limit{'s' if n != 1 else ''} of this data"
    svg = " ".join(ET.fromstring(static_chart(problem, broken, "svg", Chart.load)).itertext())
    assert says in svg
    assert says not in " ".join(ET.fromstring(static_chart(problem, broken, "svg", Chart.load, violations=[])).itertext())
    good = " ".join(ET.fromstring(static_chart(problem, solution, "svg", Chart.load)).itertext())
    assert "· optimal" in good and "breaks" not in good


def overlapping_date_labels(fig) -> list[tuple[str, str]]:
    """Neighbouring date labels of any axis whose drawn boxes touch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = sorted((t.get_window_extent(renderer).x0, t.get_window_extent(renderer).x1, t.get_text())
                       for t in labels)
        found += [(a[2], b[2]) for a, b in zip(boxes, boxes[1:]) if a[1] >= b[0]]
    return found


def test_static_date_labels_never_run_into_each_other(rollout):
    """Over ten years (a national rollout, 2023 to 2032) the Gantt's half-year labels ran together:
    "Jul 2025Jan 2026"; the labels thin out to whole years where the axis has no room for them."""
    from hpplan.report import static_figure

    long_names = [org(f"m{i}", name=f"Kommune med et svært langt navn nummer {i}", population=1000)
                  for i in range(1, 4)]
    windows = [{"id": "h1", "date": "2023-11-04"}] + [{"id": f"w{y}", "date": f"{y}-03-04"} for y in range(2024, 2033)]
    decade = build([org("trust-a", kind="health_trust", status="live", live_since="2023-11-04"), *long_names],
                   windows=windows, profiles=[{"id": "municipality", "before": [5], "hypercare": [10], "source": SRC}])
    plans = {"decade": (decade, solved(decade)), "rollout": rollout}
    for name, (problem, solution) in plans.items():
        fig = static_figure(problem, solution, Chart.all)
        assert overlapping_date_labels(fig) == [], name
    # a short rollout keeps its half-year labels
    labels = [t.get_text() for t in static_figure(*rollout, Chart.gantt).axes[0].get_xticklabels()]
    assert any(label.startswith("Jul ") for label in labels), labels


def test_the_library_takes_group_by_detail_and_chart_as_text_and_refuses_other_text():
    # `group_by="window"` (a notebook's text, not GroupBy.window) fell to the track branch without a word
    from hpplan.report import report_bytes

    problem = load_problem(TINY)
    solution = solved(problem)
    assert gantt_rows(problem, solution, "window") == gantt_rows(problem, solution, GroupBy.window)
    assert gantt_rows(problem, solution, "window", detail="window") == gantt_rows(
        problem, solution, GroupBy.window, detail=Detail.window)
    assert "grouped by track" not in report_html(problem, solution, group_by="window")
    for call, message in ((lambda: report_html(problem, solution, group_by="bogus"), "group_by is one of 'window', 'track'"),
                          (lambda: gantt_rows(problem, solution, detail="rows"), "detail is one of 'auto'"),
                          (lambda: report_bytes(problem, solution, "png", chart="pie"), "chart is one of"),
                          (lambda: report_bytes(problem, solution, "pdf"), "a report is html, png or svg")):
        with pytest.raises(ValueError, match=message):
            call()


def test_report_reads_a_yaml_plan_as_check_does(tmp_path):
    # report --plan took only the JSON solve writes; the adopted plan (data/adopted-plan.yaml) is what a
    # board looks at
    from typer.testing import CliRunner

    from hpplan import cli

    data = Path(__file__).resolve().parents[1] / "data"
    out = tmp_path / "adopted.html"
    result = CliRunner().invoke(cli.app, ["report", "--data", str(data), "--plan", str(data / "adopted-plan.yaml"),
                                          "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Helse Nord-Trøndelag" in page and "2024-11-09" in page
