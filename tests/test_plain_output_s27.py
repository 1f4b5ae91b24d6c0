"""s27 accessibility: FORCE_COLOR in CI, TERM=dumb, the Kind legend, minimal Markdown escapes, the engine
credit's note and the load chart's over-limit months without colour (tester t3's report)."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from helpers import solved
from markdown_it import MarkdownIt
from rich.console import Console
from typer.testing import CliRunner

from hpplan import cli
from hpplan.formats import md_text
from hpplan.loader import load_problem
from hpplan.progress import progress_enabled, solve_progress
from hpplan.render import Timeline, on_a_terminal, render_plan

REPO = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FANCY_GLYPHS = set("‹░█▒┊·─")


@pytest.fixture(scope="module")
def tiny():
    problem = load_problem(TINY)
    return problem, solved(problem)


def _shown(problem, solution, console: Console, out) -> str:
    render_plan(problem, solution, console)
    out.flush()
    return out.getvalue() if isinstance(out, io.StringIO) else Path(out.name).read_text(encoding="utf-8")


@pytest.fixture
def pty_file():
    """A file that is a real terminal (the slave end of a pseudo-terminal)."""
    master, slave = os.openpty()
    with os.fdopen(slave, "w", encoding="utf-8", closefd=True) as file:
        yield file
    os.close(master)


# ---- finding 2: FORCE_COLOR gives colour, not a live display or block glyphs in a pipe or a file -----------


def test_force_color_gives_no_progress_display_on_a_redirected_stderr(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    console = Console(file=io.StringIO())
    assert console.is_terminal  # rich takes it for a terminal: why its flag is not asked
    assert not on_a_terminal(console) and not progress_enabled(console)
    with solve_progress(console, delay=0) as progress:
        assert progress is None


def test_a_real_terminal_still_gets_the_live_display(monkeypatch, pty_file):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    console = Console(file=pty_file)
    assert on_a_terminal(console) and progress_enabled(console) and not progress_enabled(console, quiet=True)


def test_force_color_draws_ascii_glyphs_in_colour_into_a_file(monkeypatch, tiny):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    out = io.StringIO()
    text = _shown(*tiny, Console(file=out, width=100, highlight=False), out)
    assert ANSI.search(text)  # the colour FORCE_COLOR asks for
    plain = ANSI.sub("", text)
    assert not FANCY_GLYPHS & set(plain), FANCY_GLYPHS & set(plain)
    assert re.search(r"Legend: -+ preparation  #+ go-live  \++ hypercare", plain) and "\n== " in plain


# ---- finding 4: TERM=dumb on a terminal draws the ASCII form; one form of year label ---------------------------


def test_a_dumb_terminal_gets_the_ascii_gantt(monkeypatch, tiny, pty_file, tmp_path):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert "█" in ANSI.sub("", _render_to_tty(tiny, pty_file, tmp_path))  # a terminal: blocks
    monkeypatch.setenv("TERM", "dumb")
    text = ANSI.sub("", _render_to_tty(tiny, pty_file, tmp_path))
    assert not FANCY_GLYPHS & set(text) and "# go-live" in text


def _render_to_tty(tiny, pty_file, tmp_path) -> str:
    # rich writes to the terminal; a Console on the same file with `record` keeps what it wrote
    console = Console(file=pty_file, width=100, highlight=False, record=True)
    assert on_a_terminal(console)
    render_plan(*tiny, console)
    return console.export_text(styles=True)


@pytest.mark.parametrize("timeline", [
    Timeline(2023 * 12 + 9, 1, 40, 1),   # 80 columns: was `23 2024`
    Timeline(2021 * 12 + 9, 3, 25, 1),   # 60 columns, quarters: `'22 '23`, the last `2027`
    Timeline(2021 * 12 + 9, 1, 76, 2),   # 200 columns: was `'21 … 27`
    Timeline(2021 * 12 + 6, 6, 10, 2),
])
def test_year_labels_take_one_form(timeline):
    years, _ = timeline.header()
    labels = years.split()
    assert labels, years
    forms = {"full" if re.fullmatch(r"20\d\d", label) else "short" if re.fullmatch(r"'\d\d", label) else label
             for label in labels}
    assert len(forms) == 1 and forms <= {"full", "short"}, years


# ---- finding 5: the Kind column's short names in the legend, with the sector ----------------------------------


def test_the_legend_says_what_each_kind_shown_stands_for(tiny):
    problem, solution = tiny
    out = io.StringIO()
    text = _shown(problem, solution, Console(file=out, width=200, force_terminal=False), out)
    legend = " ".join(text.split("Legend:")[1].split("\n\n")[0].split())
    shown = {e.kind for e in solution.plan}
    assert "mun municipality (primary)" in legend
    for kind, short in (("health_trust", "trust health trust (specialist)"), ("hospital", "hosp hospital"),
                        ("gp_office", "GP GP office"), ("lab", "lab laboratory")):
        assert (short in legend) == (kind in shown), (kind, legend)


# ---- finding 7: Markdown escapes only what would be markup there ----------------------------------------------

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")

TRICKY = [
    "2025-10-25*", "2025-10-25*, 2025-09-06*", "5* of 6* (83%*)", "earliest 2024-04-01* -> 2024-09-01*",
    "[postpone helse-more-og-romsdal: earliest 2024-04-01 -> 2024-09-01]", "*x*", "a*b*", "**bold** text",
    "_y_", "population_delay", "foo_ bar _baz", "~~gone~~", "Legekontor <Bakke> & Søn", "AT&amp;T", "a | b",
    "`code`", "x\\*y", "ends\\", "[a](http://x)", "[a][b]", "<http://x>", "# title", "- item", "1. item",
    "> quote", "---", "[label]: http://x", "* after a number", "(*) x",
]


def _paragraph(text: str) -> str:
    return MD.render(md_text(text))


def _cell(text: str) -> str:
    page = MD.render(f"| a | b |\n|---|---|\n| x | {md_text(text, line_start=False)} |\n")
    return re.search(r"<td>x</td>\s*<td>(.*?)</td>", page, re.S).group(1)


@pytest.mark.parametrize("text", TRICKY)
def test_markdown_shows_the_text_as_written(text):
    import html

    assert _paragraph(text) == f"<p>{html.escape(text, quote=False)}</p>\n", md_text(text)
    assert _cell(text) == html.escape(text, quote=False), md_text(text, line_start=False)


def test_markdown_escapes_only_what_would_be_markup():
    assert md_text("earliest 2024-04-01* -> 2024-09-01*") == "earliest 2024-04-01* -> 2024-09-01*"
    assert md_text("[postpone hmr: earliest 2024-04-01 -> 2024-09-01]") == "[postpone hmr: earliest 2024-04-01 -> 2024-09-01]"
    assert md_text("2025-10-25*") == "2025-10-25*"
    assert md_text("*x* and 2*") == "\\*x* and 2*"  # a pair: the opener escaped
    assert md_text("- item") == "\\- item" and md_text("- item", line_start=False) == "- item"


def test_solve_markdown_writes_estimate_marks_bare(tiny):
    from hpplan.formats import to_markdown

    text = to_markdown(*tiny)
    assert "\\*" not in re.sub(r"(?m)^\\\* ", "", text), [l for l in text.splitlines() if "\\*" in l]
    assert "*" in text


# ---- findings 4 and 8: docs/solve.md -------------------------------------------------------------------------


def test_solve_docs_say_how_to_read_the_plan_without_the_chart_and_the_engine_credit():
    text = " ".join((REPO / "docs" / "solve.md").read_text(encoding="utf-8").split())
    assert "With a screen reader" in text and "-f markdown" in text and "TERM=dumb" in text
    assert "FORCE_COLOR" in text
    assert re.search(r"found by.{0,200}(vary|differ)", text), "the engine credit's note"


# ---- finding 3: the load chart's over-limit months without colour --------------------------------------------


@pytest.fixture(scope="module")
def over_limit(tmp_path_factory, tiny):
    problem, solution = tiny
    folder = tmp_path_factory.mktemp("over")
    data = folder / "data"
    shutil.copytree(TINY, data)
    waves = data / "waves.yaml"
    waves.write_text(waves.read_text(encoding="utf-8").replace("fte: 72,", "fte: 1,"), encoding="utf-8")
    plan = folder / "plan.json"
    plan.write_text(solution.to_json(), encoding="utf-8")
    return data, plan


def test_the_report_lists_every_month_over_the_limit_and_hatches_its_bars(over_limit, tmp_path):
    from hpplan.report import load_figure, load_series

    data, plan = over_limit
    out = tmp_path / "over.html"
    result = CliRunner().invoke(cli.app, ["report", "--data", str(data), "--plan", str(plan), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    problem = load_problem(data)
    from hpplan.solution import read_plan
    from hpplan.report import refresh_saved_plan

    solution = read_plan(plan)
    refresh_saved_plan(problem, solution)
    series = [s for s in load_series(problem, solution) if any(s.over)]
    assert series
    months = [f"{m:%Y-%m}" for s in series for m, o in zip(s.months, s.over) if o]
    assert len(months) > 1
    table = page.split("<h2>Months over the limit</h2>")[1].split("<h2>")[0]
    for month in months:
        assert f"<td>{month}</td>" in table, month
    fig = load_figure(problem, solution)
    bars = [t for t in fig.data if t.type == "bar"]
    for bar, s in zip(bars, load_series(problem, solution)):
        shapes = list(bar.marker.pattern.shape)
        assert [bool(x) for x in shapes] == s.over
        assert [w > 0 for w in bar.marker.line.width] == s.over


def test_the_static_load_chart_hatches_the_over_limit_bars(over_limit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hpplan.report import _static_load, load_series, refresh_saved_plan
    from hpplan.solution import read_plan

    data, plan = over_limit
    problem = load_problem(data)
    solution = read_plan(plan)
    refresh_saved_plan(problem, solution)
    series = load_series(problem, solution)
    fig, axes = plt.subplots(len(series), 1)
    axes = list(axes) if len(series) > 1 else [axes]
    _static_load(axes, problem, solution, None, ("plan", "compared"))
    for ax, s in zip(axes, series):
        bars = [p for p in ax.patches if p.get_height() or True][: len(s.over)]
        assert [bool(b.get_hatch()) for b in bars] == s.over
    plt.close(fig)
