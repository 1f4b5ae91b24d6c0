"""The terminal view at narrow widths and without colour, and the progress line while the list schedule's
plan is the best (session 23, terminal tester: findings 5, 6, 7, 8, 10, 11)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model
from rich.console import Console

from hpplan.formats import fmt_int, plan_groups, window_summary
from hpplan.progress import SolveProgress
from hpplan.render import own_dates, render_plan
from test_render import WAVES, make_problem, make_solution, render

#: the tiny plan of test_render with window ids as the shipped data has them ("2023-04"): the per-window
#: table's fixed columns are then as wide as the shipped data's
IDS = {"W0": "2023-04", "W1": "2025-06", "W2": "2025-11", "W3": "2026-05"}


@pytest.fixture
def problem():
    windows = [dict(w, id=IDS[w["id"]]) for w in WAVES["windows"]]
    return make_problem(windows=windows)


@pytest.fixture
def solution(problem):
    plan = make_solution(make_problem())
    return replace(plan, plan=[replace(a, window=IDS.get(a.window)) for a in plan.plan])


def _window_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r"\d actors?\b", line)]


@pytest.mark.parametrize("terminal", [False, True])
def test_a_window_line_never_cuts_a_figure(problem, solution, terminal):
    # at 40 columns the line was cut: "== 2022-11 2~ [history | 8 actors, 16 29" for 16 290* users
    users = {s.window.id: f"{fmt_int(s.users)} users" for s in window_summary(problem, solution)}
    for width in range(24, 121):
        lines = _window_lines(render(problem, solution, width, terminal))
        assert len(lines) >= 4, (width, lines)  # four windows (and "not scheduled", down to its title)
        for line in lines:
            assert len(line) <= width, (width, line)
            assert not re.search(r"\d[~…]", line), (width, line)  # no figure cut with a mark
            for date in re.findall(r"\d{4}-[\d-]*", line):  # window ids and dates: whole
                assert re.fullmatch(r"\d{4}-\d\d(-\d\d)?", date), (width, line)
            window = next((w for w in IDS.values() if w in line), None)
            if window is not None and "users" in line:
                assert users[window] in line, (width, line)


def test_a_narrow_window_line_leaves_whole_parts_out(problem, solution):
    lines = _window_lines(render(problem, solution, 44))
    assert lines[1] == "== 2025-06 2025-06-07 [1 actor, 800 users]"  # the window's name left out whole
    wide = _window_lines(render(problem, solution, 120))
    assert wide[1] == "== 2025-06 2025-06-07 Steinkjer [1 actor, 800 users]"


def test_a_window_line_says_the_day_its_organisations_went_live_on(problem, solution):
    # Helse Møre og Romsdal and Ålesund went live 2023-04-28, their window is dated 2023-04-29: the table
    # showed only the window's date, where JSON, CSV and Markdown give 2023-04-28
    wide = _window_lines(render(problem, solution, 160))
    assert wide[0] == ("== 2023-04 2023-04-29 Møre og Romsdal [history | 2 actors, 11 000 users | "
                       "Helse Møre og Romsdal HF, Ålesund kommune live 2023-04-28]")
    for width in (60, 80):  # narrower: the names give way first
        assert _window_lines(render(problem, solution, width))[0].endswith("| all live 2023-04-28]")
    assert all("live 20" not in line for line in wide[1:])  # planned: on their window's day
    assert "all live 2023-04-28" in _window_lines(render(problem, solution, 80, terminal=True))[0]


def test_own_dates_says_which_of_a_window_went_live_on_another_day(problem, solution):
    groups = {g.key: g for g in plan_groups(problem, solution)}
    assert own_dates(groups["2025-06"]) == []
    group = groups["2023-04"]
    hmr = group.entries[0]
    group.entries[0] = replace(hmr, go_live=problem.window["2023-04"].date)  # one of two on the window's day
    assert own_dates(group) == [("Ålesund kommune live 2023-04-28", "1 live 2023-04-28")]
    group.entries = group.entries[1:]
    assert own_dates(group) == [("Ålesund kommune live 2023-04-28", "live 2023-04-28")]


@pytest.mark.parametrize("terminal", [False, True])
def test_the_per_window_table_fits_60_columns(problem, solution, terminal):
    # 63 wide without its Name column: it wrapped on a 60-column terminal; the date goes next
    text = render(problem, solution, 60, terminal)
    assert max(len(line) for line in text.splitlines()) <= 60
    header = next(line for line in text.splitlines() if line.startswith("Window"))
    assert "Date" not in header and "Specialist" in header and "Users" in header
    assert "Date" in next(line for line in render(problem, solution, 80).splitlines() if line.startswith("Window"))


def _tty(problem, solution, **console) -> str:
    out = io.StringIO()
    render_plan(problem, solution, Console(width=120, file=out, force_terminal=True, legacy_windows=False, **console))
    return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())


def test_the_legend_names_the_sector_colours_only_where_there_are_colours(problem, solution):
    assert "specialist / primary" in _tty(problem, solution, color_system="standard")
    for no_colour in (dict(color_system="standard", no_color=True), dict(color_system=None)):  # NO_COLOR, TERM=dumb
        text = _tty(problem, solution, **no_colour)
        assert "Legend:" in text and "go-live" in text
        assert "specialist / primary" not in text


@pytest.mark.parametrize("terminal", [False, True])
def test_wrapped_title_and_scenario_lines_have_no_trailing_blanks(problem, solution, terminal):
    problem.applied.append("four-municipalities-stay-out: Gjemnes, Averøy, Frøya and Aure stay out (they left "
                           "track KI2 in December 2023, seed 004; that none returns is an assumption)")
    text = render(problem, solution, 60, terminal)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("scenario: four-municipalities-stay-out:"))
    assert "that none returns is an assumption" in " ".join(lines[first:first + 3])  # wrapped, not cut
    assert [line for line in lines if line.endswith(" ")] == []


def test_progress_shows_the_list_schedules_plan_once_it_is_in():
    # the race offers the list schedule's verified plan before CP-SAT starts; CP-SAT's run then said
    # "searching", no best, for seconds (regional-300), though Ctrl-C returned "plan found by greedy"
    progress = SolveProgress(Console(file=io.StringIO(), force_terminal=True, width=120))
    progress.update(objective=28_316_157, solution=True)  # Race.offer of the list schedule
    solver = cp_model.CpSolver()
    progress.attach(solver, "objective")  # CP-SAT joins the race
    assert re.fullmatch(r"solving \(objective\) \d+\.\d s · best 28 316 157 \(list schedule\) · 1 solution",
                        progress.line().plain)
    progress.update(bound=21_313_762)
    assert "best 28 316 157 (list schedule) · bound 21 313 762 · gap 24.73%" in progress.line().plain
    assert "(list schedule)" in progress.line(95).plain  # the solution count gives way first
    progress.update(objective=23_522_249, bound=21_319_704, solution=True)  # an engine beats it
    assert "best 23 522 249 · bound" in progress.line().plain
    assert "list schedule" not in progress.line().plain
    progress.attach(solver, "tie-break", "1/77")  # a phase of its own: its values start afresh
    assert progress.line().plain.endswith("· searching")
