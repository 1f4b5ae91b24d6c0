"""Where the split between the pools binds (`hpplan.pool_split`): a pool full while another has room is
said under the load table, with the `--capacity` what-if that shows what more staff there would bring."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from hpplan import cli
from hpplan.loader import load_problem
from hpplan.pool_split import FULL, ROOM, month_spans, split_binds, split_sentences
from hpplan.solution import LoadPoint, Solution, Status
from hpplan.solve import SolveOptions, solve


def _with_primary(data: Path, fte: int) -> Path:
    waves = data / "waves.yaml"
    text = waves.read_text()
    waves.write_text(text.replace("{id: primary, sector: primary, fte: 72,", f"{{id: primary, sector: primary, fte: {fte},"))
    assert f"fte: {fte}," in waves.read_text()
    return data


def _plan(problem, points: list[tuple[str, str, float, float]]) -> Solution:
    return Solution(status=Status.optimal, objective=0, plan=[],
                    load=[LoadPoint(pool, month, used, limit) for pool, month, used, limit in points])


def test_full_pool_beside_an_idle_one_is_found_month_by_month(data):
    problem = load_problem(data)  # pools: specialist 168, primary 72
    plan = _plan(problem, [
        ("specialist", "2025-01", 160, 168), ("primary", "2025-01", 72, 72),   # both full: no room
        ("specialist", "2025-02", 0, 168), ("primary", "2025-02", 70, 72),     # 97 %: full, specialist idle
        ("specialist", "2025-03", 10, 168), ("primary", "2025-03", 72, 72),
        ("specialist", "2025-04", 0, 168), ("primary", "2025-04", 60, 72),     # 83 %: not full
        ("specialist", "2025-05", 150, 168), ("primary", "2025-05", 72, 72),   # 18 spare: at least 18 = 25 % of 72
        ("specialist", "2025-06", 155, 168), ("primary", "2025-06", 72, 72),   # 13 spare: too little to say
    ])
    (binds,) = split_binds(problem, plan)
    assert (binds.full, binds.spare) == ("primary", "specialist")
    assert binds.months == ("2025-02", "2025-03", "2025-05")
    assert binds.fullest.month == "2025-03"  # 100 % (2025-05 too: the first of equals)
    assert binds.least_room.month == "2025-05" and binds.room == 18
    assert binds.extra == 18  # what the other has spare, at most a quarter of 72
    assert month_spans(binds.months) == "2025-02 to 2025-03, 2025-05"
    assert FULL == 0.95 and ROOM == 0.25


def test_the_what_if_adds_at_most_a_quarter_and_at_least_one_fte(data):
    problem = load_problem(data)
    idle = _plan(problem, [("specialist", "2025-02", 0, 168), ("primary", "2025-02", 72, 72)])
    (binds,) = split_binds(problem, idle)
    assert binds.extra == 18  # 168 spare, a quarter of 72
    (sentence,) = split_sentences(problem, idle)
    assert sentence.startswith("Pool primary is full in 2025-02 (72 of 72 FTE) while pool specialist has 168 FTE "
                               "spare then")
    assert f"`hpplan compare -b {data} --fresh --capacity primary=90@2025-02`" in sentence
    assert "18 more FTE in primary from 2025-02 would bring (90 FTE from then on)" in sentence
    # the specialist pool full beside a primary pool with 42 of 72 spare (25 % of 168): one FTE at least
    tight = _plan(problem, [("specialist", "2025-02", 168, 168), ("primary", "2025-02", 30, 72)])
    (binds,) = split_binds(problem, tight)
    assert (binds.full, binds.spare, binds.extra) == ("specialist", "primary", 42)


def test_nothing_is_said_without_a_full_pool_or_with_one_pool(data):
    problem = load_problem(data)
    assert split_binds(problem, _plan(problem, [("specialist", "2025-02", 0, 168),
                                                ("primary", "2025-02", 68, 72)])) == []  # 94 %: not full
    assert split_binds(problem, _plan(problem, [("primary", "2025-02", 72, 72)])) == []  # one pool's load only
    assert split_binds(problem, _plan(problem, [("specialist", "2025-02", 0, 0),
                                                ("primary", "2025-02", 0, 0)])) == []  # a zero limit is not full


def test_a_plan_whose_primary_pool_is_full_says_so_and_the_what_if_runs(data):
    data = _with_primary(data, 10)  # one municipality's hypercare month fills it
    problem = load_problem(data)
    plan = solve(problem, SolveOptions(time_limit=10))
    assert plan.status is Status.optimal
    found = split_binds(problem, plan)
    assert [(b.full, b.spare) for b in found] == [("primary", "specialist")]
    months = found[0].months
    assert all(p.used >= 9.5 for p in plan.load if p.pool == "primary" and p.month in months)
    runner = CliRunner()
    shown = runner.invoke(cli.app, ["solve", "--data", str(data), "-t", "10"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    said = re.search(r"Pool primary is full in .*?beside the plan as it is\.", " ".join(shown.output.split()))
    assert said is not None, shown.output
    assert "*" in said.group(0).split(" FTE")[0]  # the tiny data's load profiles are estimates: the load is marked
    command = shlex.split(re.search(r"`(hpplan compare [^`]+)`", said.group(0)).group(1))  # run as printed
    option = command[command.index("--capacity") + 1]
    what_if = runner.invoke(cli.app, command[1:] + ["-t", "10"], env={"COLUMNS": "200"})
    assert what_if.exit_code == 0, what_if.output
    assert f"capacity primary {option.split('=')[1].split('@')[0]} FTE from {months[0]}" in what_if.output


def test_the_shipped_plan_says_the_idle_specialist_pool(shipped_optimum):
    problem, plan = shipped_optimum
    (binds,) = split_binds(problem, plan)  # the trusts are live by 2025: the specialist pool stands idle
    assert (binds.full, binds.spare) == ("primary", "specialist")
    assert binds.room == 168


def test_the_markdown_and_the_html_report_say_it_too(data, tmp_path):
    data = _with_primary(data, 10)
    runner = CliRunner()
    md = runner.invoke(cli.app, ["solve", "--data", str(data), "-t", "10", "-f", "markdown"])
    assert md.exit_code == 0, md.output
    assert "\nPool primary is full in " in md.stdout and "--fresh --capacity primary=" in md.stdout
    page = tmp_path / "r.html"
    html = runner.invoke(cli.app, ["report", "--data", str(data), "-t", "10", "-q", "-o", str(page)])
    assert html.exit_code == 0, html.output
    assert '<p class="caption">Pool primary is full in ' in page.read_text()


def test_the_what_if_adds_to_the_first_full_months_limit_and_says_it_replaces_later_changes(data):
    problem = load_problem(data)
    # primary 34 FTE, 37 from 2026-01 (as a generated instance's): full in 2025-09 and 2026-02
    plan = _plan(problem, [("specialist", "2025-09", 0, 168), ("primary", "2025-09", 34, 34),
                           ("specialist", "2026-02", 0, 168), ("primary", "2026-02", 37, 37)])
    (binds,) = split_binds(problem, plan)
    assert binds.first.month == "2025-09" and binds.extra == 9 and binds.what_if == 43  # 34 + 9, not 37 + 9
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text().replace(
        "{id: primary, sector: primary, fte: 72,",
        "{id: primary, sector: primary, fte: 72, changes: [{from: 2026-01, fte: 80}],"))
    (sentence,) = split_sentences(load_problem(data), plan)
    assert "--capacity primary=43@2025-09` shows what 9 more FTE in primary from 2025-09 would bring (43 FTE from " \
           "then on, in place of its later changes)" in sentence


def test_made_with_command_line_changes_the_what_if_is_the_option_to_add(data):
    from hpplan.scenario import apply_quick

    problem = apply_quick(load_problem(data), postpone=["orsta=2024-09-01"])
    (sentence,) = split_sentences(problem, _plan(problem, [("specialist", "2025-02", 0, 168),
                                                           ("primary", "2025-02", 72, 72)]))
    assert "`--capacity primary=90@2025-02` (added to this plan's command, with hpplan compare --fresh)" in sentence
