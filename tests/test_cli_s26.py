"""s26 (tester's r3 report, findings 2, 7, 8, 9, 10): `-o` with a suffix that solve or compare does not write
is refused before any work (it wrote the text table there, exit 0); compare's narrow text keeps a figure with
its unit (`-250* MNOK` was broken over two lines); a date option naming no day and a negative --capacity say
so; compare's Markdown names every organisation the changed data allows earlier (the terminal cuts the list);
the walkthrough and scenarios.md show today's output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.cli_compare import comparison_markdown, comparison_text, kept_line
from hpplan.compare import AllowedEarlier, Cause, Comparison, Move

TESTS = Path(__file__).parent
TINY = TESTS / "data" / "tiny"
REPO = TESTS.parent
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


# ---------------------------------------------------------------------------------------------------------
# finding 2: -o with a suffix of a format the command does not write


@pytest.mark.parametrize("args, name, writer", [
    (["solve", "--data", TINY], "plan.png", "hpplan report -o plan.png"),
    (["solve", "--data", TINY], "plan.html", "hpplan report -o report.html"),
    (["solve", "--data", TINY], "plan.svg", "hpplan report -o plan.svg"),
    (["solve", "--data", TINY], "plan.pdf", "no hpplan command writes pdf"),
    (["compare", "--baseline", TINY], "cmp.xlsx", "hpplan report -o plan.xlsx"),
    (["compare", "--baseline", TINY], "cmp.csv", "hpplan solve -o plan.csv"),
    (["compare", "--baseline", TINY], "cmp.html", "hpplan report -o report.html"),
])
def test_o_with_a_format_the_command_does_not_write_is_refused_before_any_work(tmp_path, args, name, writer):
    out = tmp_path / name
    out.write_text("kept\n")
    result = run(*args, "-t", "5", "-o", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    command = args[0]
    said = " ".join(result.output.split())
    assert f"-o {out}: {command} writes the table (as text), json (.json)" in said, said
    assert writer in said and "--format table" in said, said
    assert out.read_text() == "kept\n"  # nothing overwritten


@pytest.mark.parametrize("command", [["solve", "--data", TINY, "-q"], ["compare", "--baseline", TINY]])
@pytest.mark.parametrize("name", ["plan.txt", "plan"])
def test_o_with_no_known_suffix_is_still_the_table(tmp_path, command, name):
    out = tmp_path / name
    result = run(*command, "-t", "5", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(("Comparison", "Plan", "hpplan")) or out.read_text()[:1].isalpha()


def test_o_with_an_unwritten_suffix_and_format_table_writes_the_table(tmp_path):
    out = tmp_path / "plan.png"
    result = run("solve", "--data", TINY, "-q", "-t", "5", "-f", "table", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text()[:1].isalpha()


def test_format_of_keeps_the_formats_it_writes():
    assert cli.format_of(Path("p.json"), cli.Format, "solve") is cli.Format.json
    assert cli.format_of(Path("p.XLSX"), cli.Format, "solve") is cli.Format.xlsx
    assert cli.format_of(Path("p.txt"), cli.Format, "solve") is cli.Format.table
    assert cli.format_of(None, cli.Format, "solve") is cli.Format.table
    assert cli.format_of(Path("p.png"), cli.Format) is cli.Format.table  # no command given: as before (sweep)


# ---------------------------------------------------------------------------------------------------------
# finding 9: what is wrong with a date option or a --capacity


@pytest.mark.parametrize("value, why", [("2024-02-30", "day is out of range for month"),
                                        ("2023-02-29", "day is out of range for month"),
                                        ("2024-13-01", "month must be in 1..12")])
@pytest.mark.parametrize("command", [["compare", "--baseline", TINY], ["solve", "--data", TINY, "--baseline", "x.json"]])
def test_a_date_option_that_names_no_day_says_so(command, value, why):
    result = run(*command, "--freeze-until", value)
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert f"'{value}' is no date ({why})" in said, said
    assert "does not match the format" not in said


def test_every_date_option_says_so_sweeps_live_by_too(tmp_path):
    result = run("sweep", tmp_path / "spec.yaml", "--live-by", "2024-02-30")
    assert result.exit_code == 2
    assert "'2024-02-30' is no date (day is out of range for month)" in " ".join(result.output.split())


def test_a_date_option_in_another_form_still_names_the_format():
    result = run("compare", "--baseline", TINY, "--freeze-until", "1.2.2024")
    assert result.exit_code == 2
    assert "does not match the format" in " ".join(result.output.split())


def test_a_negative_capacity_is_said_to_be_negative():
    result = run("compare", "--baseline", TINY, "--capacity", "x=-5")
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "a capacity is not negative (-5 FTE)" in said, said
    assert "expected POOL=FTE" not in said


def test_a_negative_capacity_suggests_what_to_write(shipped_problem):
    from hpplan.errors import InputError
    from hpplan.scenario import apply_quick

    with pytest.raises(InputError) as error:
        apply_quick(shipped_problem, capacity=["specialist=-5", "primary=-25%@2024-07", "nopool=-3"])
    said = " ".join(str(error.value).split())
    assert "'specialist=-5': a capacity is not negative (-5 FTE)" in said
    assert "(specialist=163)" in said  # 168 FTE less 5
    assert "(primary=75%@2024-07)" in said
    assert "'nopool' is not a pool" in said


@pytest.fixture(scope="module")
def shipped_problem():
    from hpplan.loader import load_problem

    return load_problem(REPO / "data")


# ---------------------------------------------------------------------------------------------------------
# finding 8: a figure stays with its unit; finding 10: Markdown names them all


def _move(id: str, before: str, after: str, cost: float | None = None, **more) -> Move:
    return Move(id=id, name=id, kind="hospital", change="earlier" if after < before else "later",
                before=dt.date.fromisoformat(before), after=dt.date.fromisoformat(after), window_before=before[:7],
                window_after=after[:7], population=1000, cost_per_month=cost, cost_estimate=True, **more)


def _backtest_like() -> Comparison:
    why = Cause(kind="history", text="window 2023-11 is history in the baseline (before its planning date "
                                     "2024-01-15); planning date 2024-01-15 -> 2022-06-09 (scenario)")
    ids = ["helse-more-og-romsdal", "alesund-sjukehus", "kristiansund-sjukehus", "molde-sjukehus", "volda-sjukehus"]
    moves = [_move(i, "2024-04-27", "2023-11-04", 50.0 if i == ids[0] else None, causes=(why,),
                   cost_carried_by=None if i == ids[0] else ids[0]) for i in ids]
    return Comparison(base_status="optimal", other_status="optimal", applied=["st-olavs-2022-backtest"],
                      moves=moves)


def test_the_move_blocks_keep_each_figure_with_its_unit_at_every_width():
    c = _backtest_like()
    blocks = comparison_text(c, 119, "Comparison")  # below cli_compare.WIDE a move is a block of lines
    assert "-250* MNOK" in blocks  # 5 months earlier at 50 MNOK a month (the trust carries its hospitals)
    for width in range(40, 120):
        text = comparison_text(c, width, "Comparison")
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), width
        for line in lines:
            assert not re.match(r"\s*(MNOK|days|FTE)\b", line), (width, text)  # no unit starts a line
        for figure in ("-250* MNOK", "-175 days", "2024-04-27 -> 2023-11-04"):
            assert figure in text, (width, figure, text)


def test_at_80_columns_the_cost_is_on_one_line_with_mnok():
    text = comparison_text(_backtest_like(), 80, "Comparison")
    assert any(line.rstrip().endswith("-250* MNOK") for line in text.splitlines()), text


def _allowed(n: int) -> Comparison:
    allowed = [AllowedEarlier(id=f"org-{i}", window="2026-02", allowed="2024-09", allowed_before="2026-02")
               for i in range(n)]
    return Comparison(base_status="optimal", other_status="optimal", applied=["x"], least_change=True,
                      allowed_earlier=allowed)


def test_markdown_names_every_organisation_allowed_earlier_the_terminal_cuts_the_list():
    c = _allowed(4)
    markdown = comparison_markdown(c)
    assert "and 1 more" not in markdown
    assert all(f"org-{i} from 2024-09 (kept in 2026-02)" in markdown for i in range(4)), markdown
    assert "and 1 more" in kept_line(c)
    assert "and 1 more" in " ".join(comparison_text(c, 100, "Comparison").split())


def test_a_list_of_three_reads_alike_in_markdown_and_on_the_terminal():
    c = _allowed(3)
    assert kept_line(c) == kept_line(c, every=True)


# ---------------------------------------------------------------------------------------------------------
# finding 7: the docs show today's output


def test_walkthrough_step_6_lists_allowed_earlier_and_names_objective_is_estimate():
    text = (REPO / "docs" / "walkthrough-hmr-postponement.md").read_text()
    assert '"allowed_earlier": []' in text
    assert "objective_is_estimate" in text


def test_scenarios_md_marks_the_population_months_as_an_estimate():
    text = (REPO / "docs" / "scenarios.md").read_text()
    assert "Population-months of delay: 2 722 020 " not in text
    assert "Population-months of delay: 2 722 020*" in text


def test_docs_say_solve_and_compare_refuse_a_format_they_do_not_write():
    text = " ".join((REPO / "docs" / "scenarios.md").read_text().split())
    assert "does not write" in text and "hpplan report -o" in text
