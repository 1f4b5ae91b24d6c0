"""s25: `hpplan compare`'s text wraps its sentences as the sweep's summary does (render.say / render.wrap, one
wrapper for both): at any width from 20 to 200 columns no line is wider than the terminal or ends in blanks, no
figure is broken ("2 722 020*"), no word is cut (an id too long for a line is folded after a hyphen), and the words
are those of a wide terminal. A narrow terminal cropped compare's lines and cut words mid-word before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hpplan.cli_compare import WIDE, comparison_text
from hpplan.compare import compare
from hpplan.render import wrap
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solve import Baseline, SolveOptions, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
TITLE = "Comparison: baseline plan.json (optimal) -> data with the changes (optimal among the plans that change the " \
        "baseline least)"
#: a figure with thousands separators as the text writes it
FIGURE = re.compile(r"\d{1,3}(?: \d{3})+")


def _replanned(shipped, other_problem):
    problem, plan = shipped
    other = solve(other_problem, SolveOptions(time_limit=30), Baseline(plan))
    assert other.found and verify(other_problem, other) == []
    return compare(plan, problem, other, other_problem)


@pytest.fixture(scope="module")
def comparisons(shipped_optimum):
    problem = shipped_optimum[0]
    hmr = apply_scenarios(problem, REPO / "data" / "scenarios" / "hmr-postponed.yaml")
    cut = apply_quick(problem, capacity=["primary=50%@2024-01"])
    found = {"hmr-postponed": _replanned(shipped_optimum, hmr), "primary cut": _replanned(shipped_optimum, cut)}
    assert all(c.moves for c in found.values())
    return found


def _unfolded(text: str) -> str:
    """The words of a text, whitespace collapsed, an id folded after a hyphen joined again."""
    return re.sub(r"(?<=[^\W\d][-/_]) ", "", " ".join(text.split()))


@pytest.mark.parametrize("name", ["hmr-postponed", "primary cut"])
def test_compare_text_fits_every_width_and_keeps_its_words_and_figures(comparisons, name):
    c = comparisons[name]
    wide = comparison_text(c, 200, TITLE)
    blocks = comparison_text(c, WIDE - 1, TITLE)  # below WIDE a move is a block of lines, not a table row
    figures = set(FIGURE.findall(wide))
    assert figures, wide  # the population-months of delay at least
    for width in range(20, 201):
        text = comparison_text(c, width, TITLE)
        for line in text.splitlines():
            assert len(line) <= width, (width, line)
            assert line == line.rstrip(), (width, line)
        for figure in figures:
            assert figure in text, (width, figure, text)
        if width < WIDE:
            assert _unfolded(text) == _unfolded(blocks), (width, text)
        else:  # a table's cells wrap at their spaces: no word of it is cut
            words = {w for w in text.split() if not set(w) <= set("-+|")}
            assert words <= set(wide.split()), (width, sorted(words - set(wide.split())))


def test_a_long_id_is_folded_after_its_hyphens_at_20_columns(comparisons):
    text = comparison_text(comparisons["hmr-postponed"], 20, TITLE)
    lines = [line.strip() for line in text.splitlines()]
    assert "helse-more-og-romsdal" not in text.replace("\n", "")  # no room for it on a line of 20
    assert any(line.endswith(("helse-", "helse-more-", "helse-more-og-")) for line in lines), text
    assert all(not line.startswith(("-og", "-romsdal", "omsdal", "sdal")) for line in lines), text


def test_wrap_keeps_a_figure_and_its_label_and_fits_the_width():
    text = "the population 181 940 moves later with helse-more-og-romsdal-and-others"
    for width in range(10, 80):
        lines = wrap(text, width)
        assert all(len(line) <= width and line == line.strip() for line in lines), (width, lines)
        assert any("181 940" in line for line in lines), (width, lines)
        assert " ".join(lines).replace("- ", "-") == text, (width, lines)
