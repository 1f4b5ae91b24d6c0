"""A pool's capacity that rests on an estimate is marked `*` in every output that shows it, as users and
populations are (docs/data-format.md "Facts and estimates"): the shipped pools (168 and 72 FTE) are
`inferred:`. And a baseline that does not fit says which data it does not fit."""

from __future__ import annotations

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
from hpplan.cli_compare import check_baseline_fits, comparison_markdown, comparison_text, totals_lines
from hpplan.compare import compare
from hpplan.exports import to_xlsx
from hpplan.formats import ESTIMATE_NOTE, capacity_estimated, peak_loads, to_markdown
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.report import load_figure, report_html
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.schema import CapacityChange
from hpplan.solution import Solution
from hpplan.solve import Baseline, SolveOptions, load_report, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
ADOPTED = DATA / "adopted-plan.yaml"
FACT = {"all": "fact: test"}
runner = CliRunner()


@pytest.fixture(scope="module")
def shipped() -> Problem:
    return load_problem(DATA)


@pytest.fixture(scope="module")
def planned(shipped) -> Solution:
    """The plan of the shipped data (`hpplan solve`; under a second): the walkthrough's baseline."""
    solution = solve(shipped, SolveOptions(time_limit=20))
    assert solution.found and verify(shipped, solution) == []
    return solution


def adopted(problem: Problem) -> Solution:
    """The adopted plan (data/adopted-plan.yaml) with its load against `problem`: no solve needed."""
    read = read_plan_file(problem, ADOPTED).solution
    return Solution(status=read.status, plan=read.plan, load=load_report(problem, read.plan),
                    objective=read.objective, stats=read.stats)


def with_sources(problem: Problem, orgs: dict | None = None, pools: dict | None = None,
                 profiles: dict | None = None, windows: dict | None = None) -> Problem:
    """The shipped problem with every organisation's (`orgs`), pool's (`pools`), load profile's
    (`profiles`) or window's (`windows`) source notes replaced."""
    organisations = [o.model_copy(update={"source": orgs}) for o in problem.organisations] if orgs else \
        problem.organisations
    waves = problem.waves
    if pools:
        waves = waves.model_copy(update={"pools": [p.model_copy(update={"source": pools}) for p in waves.pools]})
    if profiles:
        waves = waves.model_copy(update={"load_profiles": [p.model_copy(update={"source": profiles})
                                                           for p in waves.load_profiles]})
    if windows:
        waves = waves.model_copy(update={"windows": [w.model_copy(update={"source": windows}) for w in waves.windows]})
    return dataclasses.replace(problem, organisations=organisations, waves=waves)


@pytest.fixture(scope="module")
def facts_but_pools(shipped, planned) -> tuple[Problem, Solution]:
    """Every organisation's figures facts, the pools as shipped (inferred): the only estimates shown are
    the capacities, so the note must come from them (the same plan: source notes do not change it)."""
    return with_sources(shipped, orgs=FACT, profiles=FACT), planned


@pytest.fixture(scope="module")
def all_facts(shipped, planned) -> tuple[Problem, Solution]:
    return with_sources(shipped, orgs=FACT, pools=FACT, profiles=FACT, windows=FACT), planned


# ---- which capacity is an estimate -----------------------------------------------------------------


def test_the_shipped_capacities_are_estimates(shipped):
    pools = {p.id: p for p in shipped.waves.pools}
    assert {p.id: p.source["fte"].split(":")[0] for p in shipped.waves.pools} == {
        "specialist": "inferred", "primary": "inferred"}
    assert capacity_estimated(pools["specialist"], "2024-04") and capacity_estimated(pools["primary"], "2025-02")
    # a pool the data lacks (a saved plan's load of other data): nothing to mark it by
    assert capacity_estimated(None, "2024-04") is False


def test_the_capacity_change_in_force_decides_else_the_pool_fte(shipped):
    pool = next(p for p in shipped.waves.pools if p.id == "primary")
    fact_from_2025 = CapacityChange.model_validate({"from": "2025-01", "fte": 80, "source": {"fte": "fact: test"}})
    changed = pool.model_copy(update={"changes": [fact_from_2025]})
    assert capacity_estimated(changed, "2024-12")  # before the change: the pool's inferred fte
    assert not capacity_estimated(changed, "2025-01") and not capacity_estimated(changed, "2026-06")
    # a pool of fact with an estimated change: marked only while the change is in force
    estimated_change = fact_from_2025.model_copy(update={"source": {"fte": "estimate: test"}})
    fact_pool = pool.model_copy(update={"source": FACT, "changes": [estimated_change]})
    assert not capacity_estimated(fact_pool, "2024-12") and capacity_estimated(fact_pool, "2025-01")


def test_a_what_if_capacity_counts_as_an_estimate(shipped):
    # `--capacity` and a scenario's `capacity` change are noted `estimate: scenario FILE` (scenario.py), as a
    # number a scenario `set`s is: a what-if figure is no fact of the sources
    base = with_sources(shipped, pools=FACT)
    other = apply_quick(base, capacity=["primary=60@2025-01"])
    pool = next(p for p in other.waves.pools if p.id == "primary")
    assert pool.change_in("2025-03").source["fte"].startswith("estimate: scenario")
    assert not capacity_estimated(pool, "2024-12") and capacity_estimated(pool, "2025-03")
    # a change without a note (written by hand in waves.yaml) is no fact either
    assert capacity_estimated(pool.model_copy(update={"changes": [CapacityChange.model_validate(
        {"from": "2025-01", "fte": 60})]}), "2025-03")


def test_a_peak_load_says_whether_its_limit_is_an_estimate(shipped, planned, all_facts):
    peaks = peak_loads(shipped, planned)
    assert [(p.pool, p.limit, p.limit_estimate) for p in peaks] == [("specialist", 168, True), ("primary", 72, True)]
    assert [p.limit_estimate for p in peak_loads(*all_facts)] == [False, False]


# ---- the plan's outputs --------------------------------------------------------------------------------


def terminal(problem: Problem, solution: Solution) -> str:
    buffer = io.StringIO()
    render_plan(problem, solution, Console(file=buffer, width=140, force_terminal=False, highlight=False))
    return buffer.getvalue()


def test_the_terminal_marks_an_estimated_limit_and_says_what_the_mark_means(facts_but_pools, all_facts):
    text = terminal(*facts_but_pools)
    loads = text[text.index("Peak load per pool"):]
    assert re.search(r"\| 2024-04 \|\s+168\* \|\s+83\.3%", loads) and re.search(r"\|\s+72\* \| 100\.0%", loads)
    # and after a date: window 2023-04's date is inferred (history)
    assert "* after a number or a date: an estimate (see the data's source notes)." in text
    plain = terminal(*all_facts)
    assert "168*" not in plain and "an estimate" not in plain


def test_markdown_marks_an_estimated_limit_with_the_note_under_the_tables(facts_but_pools, all_facts):
    text = to_markdown(*facts_but_pools)
    peaks = text[text.index("## Peak load per pool"):]
    assert "| 140 | 2024-04 | 168* | 83.3%* |" in peaks and "| 72* | 100.0%* |" in peaks  # s27: no backslash
    assert peaks.rstrip().endswith("\\" + ESTIMATE_NOTE + ".") and text.count(ESTIMATE_NOTE) == 1
    plain = to_markdown(*all_facts)
    assert "168*" not in plain and ESTIMATE_NOTE not in plain


def test_the_html_report_marks_an_estimated_limit_in_the_table_titles_and_hover(facts_but_pools, all_facts):
    problem, solution = facts_but_pools
    page = report_html(problem, solution)
    peaks = page[page.index("<h2>Peak load per pool</h2>"):]
    assert '<td class="num">168*</td>' in peaks and '<td class="num">72*</td>' in peaks
    assert f'<p class="caption">{html.escape(ESTIMATE_NOTE)}' in page  # the page's one note
    fig = load_figure(problem, solution)
    titles = [a.text for a in fig.layout.annotations]
    assert any("(limit 168*, 83.3%*)" in t for t in titles) and any("(limit 72*, 100.0%*)" in t for t in titles)
    hover = fig.data[0].hovertext[0]  # a month's bar: read alone, so it says what the mark means
    assert " of 168* FTE" in hover and html.escape(ESTIMATE_NOTE) in hover
    plain = report_html(*all_facts)
    tables = plain[plain.index("<h2>Per window</h2>"):]  # (plotly.js, inline, has "168*" of its own)
    assert html.escape(ESTIMATE_NOTE) not in plain and not re.search(r"\d\*", tables)
    fig = load_figure(*all_facts)
    assert not any("*" in a.text for a in fig.layout.annotations) and "*" not in fig.data[0].hovertext[0]


def test_the_spreadsheet_marks_an_estimated_limit_and_keeps_it_a_number(facts_but_pools, all_facts):
    book = load_workbook(io.BytesIO(to_xlsx(*facts_but_pools)))
    load = book["Load"]
    header = [c.value for c in load[1]]
    limit = header.index("specialist limit FTE") + 1
    cells = [load.cell(row=r, column=limit) for r in range(2, load.max_row + 1)]
    assert cells and all(isinstance(c.value, (int, float)) and c.number_format in ('#,##0"*"', '#,##0.0##"*"')
                         for c in cells)  # 168* (s29: was 0.0"*", 168.0*)
    used = header.index("specialist used FTE") + 1
    assert load.cell(row=2, column=used).number_format in ("#,##0", "#,##0.0##")  # the plan's load, no estimate
    about = {r[0].value: r[1].value for r in book["About"].iter_rows(min_row=2)}
    assert about["*"].startswith("estimate: see the data's source notes") and "Load sheet" in about["*"]
    plain = load_workbook(io.BytesIO(to_xlsx(*all_facts)))
    assert all('"*"' not in c.number_format for row in plain["Load"].iter_rows() for c in row)
    assert "*" not in {r[0].value for r in plain["About"].iter_rows(min_row=2)}


# ---- hpplan compare ----------------------------------------------------------------------------------------


def test_compare_marks_the_peak_load_limits_and_says_what_the_mark_means(facts_but_pools):
    problem, plan = facts_but_pools
    comparison = compare(plan, problem, plan, problem)  # nothing moves: only the peaks carry marks
    peaks = [line for line in totals_lines(comparison) if line.startswith("Peak load")]
    assert peaks == ["Peak load specialist: 140 of 168* FTE in 2024-04 -> 140 of 168* FTE in 2024-04",
                     "Peak load primary: 72 of 72* FTE in 2025-02 -> 72 of 72* FTE in 2025-02"]
    assert ESTIMATE_NOTE in comparison_text(comparison, 100, "c")
    assert "`*` " + ESTIMATE_NOTE.removeprefix("* ") in comparison_markdown(comparison)
    # the JSON keeps the numbers and says which are estimates, beside them
    report = comparison.to_json_dict()["peak_load"]
    assert report[0]["before"] == {"month": "2024-04", "used": 140, "limit": 168, "limit_is_estimate": True,
                                   "fullest": None, "used_is_estimate": False}


@pytest.fixture(scope="module")
def hmr_postponed(shipped, planned):
    """The walkthrough's comparison (docs/walkthrough-hmr-postponement.md): the plan re-planned with HMR
    postponed; HNT moves for the specialist pool's capacity."""
    base = planned
    other_problem = apply_scenarios(shipped, [DATA / "scenarios" / "hmr-postponed.yaml"])
    other = solve(other_problem, SolveOptions(time_limit=20), Baseline(base))
    assert other.found and verify(other_problem, other) == []
    return compare(base, shipped, other, other_problem)


def test_a_capacity_cause_marks_the_estimated_capacity(hmr_postponed):
    hnt = next(m for m in hmr_postponed.moves if m.id == "helse-nord-trondelag")
    assert hnt.cause.rule == "capacity" and hnt.cause.estimate
    assert hnt.cause.text.startswith("pool specialist over its 168* FTE in 2024-07 to 2024-10"), hnt.cause.text
    # each month's cause behind it too, in the JSON
    causes = next(m for m in hmr_postponed.to_json_dict()["moves"] if m["id"] == "helse-nord-trondelag")["causes"]
    assert all(" of 168* FTE" in c["text"] for c in causes[1:] if c["rule"] == "capacity")
    assert "over its 168* FTE" in " ".join(comparison_text(hmr_postponed, 80, "c").split())


def test_a_capacity_the_scenario_changed_is_marked_on_both_sides(shipped, planned):
    # the primary pool cut to 66 FTE from 2025-01: the move's cause names both capacities, each marked
    # (72: inferred in the data; 66: the what-if's, without a source note)
    base = planned
    other_problem = apply_quick(shipped, capacity=["primary=66@2025-01"])
    other = solve(other_problem, SolveOptions(time_limit=20), Baseline(base))
    assert other.found
    comparison = compare(base, shipped, other, other_problem)
    scenario = [c for m in comparison.moves for c in m.causes if c.kind == "scenario" and c.rule == "capacity"]
    assert scenario, [m.cause for m in comparison.moves]
    assert all(re.search(r" of 66\* FTE .*; capacity( in \d{4}-\d\d)? 72\* -> 66\* FTE \(scenario\)$", c.text)
               and c.estimate for c in scenario), scenario
    assert ESTIMATE_NOTE in comparison_text(comparison, 100, "c")


# ---- a baseline that does not fit: which data ---------------------------------------------------------------


def misfit_plan(problem: Problem, tmp_path: Path) -> Path:
    """The adopted plan as JSON with one organisation the data lacks: it does not fit the data."""
    plan = adopted(problem)
    entries = [dataclasses.replace(a, id="gone-since") if k == 1 else a for k, a in enumerate(plan.plan)]
    path = tmp_path / "plan.json"
    path.write_text(dataclasses.replace(plan, plan=entries).to_json(), encoding="utf-8")
    return path


def test_solve_with_a_baseline_names_the_data_it_does_not_fit(shipped, tmp_path):
    # `solve --data FOLDER --baseline plan.json` plans that folder, no scenario: "the base data" said nothing
    path = misfit_plan(shipped, tmp_path)
    result = runner.invoke(cli.app, ["solve", "--data", str(DATA), "--baseline", str(path), "-t", "5",
                                     "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    assert f"note: the baseline {path} does not fit the data in {DATA} (" in result.stderr, result.stderr
    assert "base data" not in result.stderr


def test_compare_names_the_baseline_scenarios_it_applies(shipped, tmp_path, capsys):
    path = misfit_plan(shipped, tmp_path)
    scenario = DATA / "scenarios" / "hmr-postponed.yaml"
    base = apply_scenarios(shipped, [scenario])
    check_baseline_fits(base, Baseline(adopted(shipped), name=str(path)), [], [scenario])
    err = capsys.readouterr().err
    assert f"does not fit the data in {DATA} with the scenario {scenario} (" in err, err
    # the command passes its --baseline-scenario
    result = runner.invoke(cli.app, ["compare", "--baseline", str(path), "--data", str(DATA),
                                     "--baseline-scenario", str(scenario), "-t", "5", "-f", "json",
                                     "-o", str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    assert f"does not fit the data in {DATA} with the scenario {scenario} (" in result.stderr, result.stderr
    assert json.loads((tmp_path / "c.json").read_text())["baseline"] == str(path)


def test_the_summary_of_several_months_marks_the_capacity_it_quotes():
    # the pool's 5 FTE an estimate until April, a fact from May (a `changes` entry noted `fact:`): over in
    # April (6 of 5*) and worst in May (8 of 5); the summary said "over its 5* FTE ..., up to 8 FTE in
    # 2024-05", a mark the figure it quotes does not carry
    from helpers import build, org, solved

    rising = [{"id": "municipality", "hypercare": [3, 4], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"},
              "changes": [{"from": "2024-05", "fte": 5, "source": {"fte": "fact: test"}}]}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=rising, pools=pools)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    comparison = compare(solved(base), base, solved(other), other)
    m2 = next(m for m in comparison.moves if m.id == "m2")
    assert m2.cause.text.startswith("pool primary over its capacity in 2024-04 to 2024-05 with it back there, "
                                    "up to 8* of 5 FTE in 2024-05;"), m2.cause.text  # the profile is an estimate
    assert [c.text.split(";")[0] for c in m2.causes[1:]] == ["pool primary full in 2024-04: 6* of 5* FTE with it back there",
                                                             "pool primary full in 2024-05: 8* of 5 FTE with it back there"]


def test_a_capacity_change_is_a_fact_by_its_source_note_as_the_docs_say(shipped):
    # docs/data-format.md said a change's `note` decides its mark: `note: "fact: contract extension"` still
    # showed `195 of 215* FTE`; the code reads `source: {fte: ...}` (or `all`)
    pool = next(p for p in shipped.waves.pools if p.id == "primary")
    noted = CapacityChange.model_validate({"from": "2025-01", "fte": 80, "note": "fact: contract extension"})
    sourced = CapacityChange.model_validate({"from": "2025-01", "fte": 80, "source": {"fte": "fact: contract"}})
    assert capacity_estimated(pool.model_copy(update={"changes": [noted]}), "2025-03")
    assert not capacity_estimated(pool.model_copy(update={"changes": [sourced]}), "2025-03")
    docs = " ".join((REPO / "docs" / "data-format.md").read_text(encoding="utf-8").split())
    assert "`changes: [{from: YYYY-MM, fte: N, note, source: {fte: \"fact: ...\"}}]`" in docs
    assert "a `changes` entry's `source: {fte: ...}`" in docs and "when the note of the capacity in force" not in docs
