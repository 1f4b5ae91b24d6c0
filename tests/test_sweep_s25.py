"""`hpplan sweep` (docs/sweep.md), from a Norwegian data maintainer's findings: the summary's CSV guards
a name that starts like a formula as `solve --format csv` does, the tables keep every figure whole on a
narrow terminal (a column left out whole and said so, an id folded only where no narrower table fits,
else a block per organisation), and the commands it prints for a spec in a folder with spaces paste
into a shell as they are."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shlex

import pytest
import yaml
from rich.console import Console
from test_sweep import TINY, context_of, run, spec_file

from hpplan.sweep import aggregate
from hpplan.sweep.aggregate import AxisEffect, AxisValue, Failure, Influence
from hpplan.sweep.output import render_summary, summary_csv, summary_text
from hpplan.sweep.run import Results
from hpplan.sweep.sample import scenario_yaml

LONG = "trondheim-fastlegekontor-1"  # the longest id of the shipped data
IDS = ["helse-more-og-romsdal", "orsta", LONG, "skaun"]
NAMES = {"skaun": "=SUM(A1:A2) Skaun", "orsta": "-Ørsta | Volda", "helse-more-og-romsdal": "@Helse Møre",
         LONG: "Trondheim legekontor"}
SPEC = "Mine data/Helseplattformen – plan/sweeps/liten.yaml"


def summary(spec: str = SPEC):
    """Three Monte Carlo scenarios as the maintainer's: orsta later in one (+5 months: a mean delay of +1.7),
    one live_by date; with a clear influence, a grid axis with costs and a failure added."""
    actors = [{"id": i, "name": NAMES[i], "kind": "municipality", "mandatory": True, "population": 10_958}
              for i in IDS]
    base_go_live = {i: "2025-04-26" for i in IDS}
    base = {"type": "base", "status": "optimal", "completion": "2025-04-26", "actors": actors,
            "go_live": base_go_live}
    records = [{"type": "result", "index": i, "status": "optimal", "tie_break": "complete",
                "go_live": dict(base_go_live, orsta="2025-09-13" if i == 2 else "2025-04-26"),
                "completion": "2025-09-13" if i == 2 else "2025-04-26", "delay": {"orsta": 5} if i == 2 else {},
                "moved": 1 if i == 2 else 0, "population_months": 54_790 if i == 2 else 0, "cost_mnok": 0}
               for i in range(3)]
    header = {"type": "header", "spec": spec, "description": "Liten prøve", "kind": "monte_carlo", "seed": 7,
              "size": 3, "live_by": ["2026-02-28"], "axes": []}
    s = aggregate(Results(header, base, records))
    clear = Influence(id="helse-more-og-romsdal", name="@Helse Møre", n=3, slipped=0.49, mean_slip=2.5,
                      pass_through=0.94, others_moved=0.68, others_population_months=93_570, correlation=0.9,
                      stderr=5_700, t=16.4, clear=True, others_population_months_is_estimate=True)
    values = [AxisValue(value=v, scenarios=4, with_plan=4, completion_median="2026-04-25",
                        p_done_by={"2026-02-28": 0.25}, mean_cost=123.75, mean_moved=20.9,
                        mean_population_months=2_055_476, population_months_is_estimate=True) for v in (0, 12)]
    cost = dataclasses.replace(s.cost, actors=["helse-more-og-romsdal"])  # a cost column in the axis table
    return dataclasses.replace(s, cost=cost, influence=[clear], failed=1,
                               axes=[AxisEffect("helse-more-og-romsdal postponed (months)", values)],
                               failures=[Failure("infeasible", "ready after the last window", 1, [2])])


WIDTHS = [40, 50, 60, 70, 80, 100, 120, 160]


def tokens(text: str) -> set[str]:
    return set(re.split(r"[\s|│]+", text))


@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_tables_keep_every_figure_and_every_id_whole(width):
    # at 60 columns the Delay column showed `+1` for +1.7 and `By ` lost its values; at 40 the
    # Organisation column was gone and every date read `202…`; the folded rows ended in blanks
    for fancy in (False, True):
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, force_terminal=fancy, color_system=None, highlight=False)
        render_summary(summary(), console)
        text = buffer.getvalue()
        lines = text.splitlines()
        # the command to see a scenario is one line to paste, however long: the rest fits
        assert max(len(line) for line in lines if not line.startswith("    hpplan")) <= width, text
        assert all(line == line.rstrip() for line in lines), text
        assert "…" not in text and "~" not in text  # nothing cropped
        found = tokens(text)
        # at risk: orsta's figures; the influence table's; the axis table's
        assert {"+1.7", "33.3%", "2025-09" if width < 120 else "2025-09-13"} <= found, text
        assert {"0.94", "0.68", "93", "570*", "16.4", "49.0%"} <= found, text
        assert {"12", "4/4", "2026-04-25", "123.75", "20.9", "2", "055", "476*"} <= found, text
        for header, share in (("By 2026-02", "100%"), ("By 2026-02", "25.0%")):  # shown whole, or said left out
            assert (header in text and share in found) or "2026-02-28 is left out here" in " ".join(text.split())
        # every id whole on a line of its own (a block, or a table row) unless folded after a hyphen
        for ident in IDS:
            whole = any(line.split(" ")[0] == ident for line in lines)
            folded = ident == LONG and any(line.startswith("trondheim-  ") or line.startswith("trondheim- ")
                                           for line in lines)
            assert whole or folded, (ident, text)
        if width >= 70:  # a narrower table (without P(live by)) fits every id on one line
            assert sum(line.startswith(LONG + " ") for line in lines) == 1, text


def test_a_column_left_out_is_said_with_the_width_that_shows_it():
    text = " ".join(summary_text(summary(), 70).split())
    # at risk, and go-live per organisation (the id of 26 characters): without the share live by
    assert "the share live by 2026-02-28 is left out here: a terminal of 71 columns shows it" in text
    assert "The share live by 2026-02-28 is left out here: a terminal of 77 columns shows it" in text
    assert "left out" not in " ".join(summary_text(summary(), 80).split()).split("Go-live per organisation")[1]


def test_sweep_csv_guards_a_name_that_starts_like_a_formula_as_solve_does():
    # `sweep -o x.csv` wrote `=SUM(A1:A2) Skaun` raw; `solve -f csv` writes `'=SUM(A1:A2) Skaun`
    rows = {row[0]: row for row in csv.reader(io.StringIO(summary_csv(summary())))}
    assert rows["skaun"][1] == "'=SUM(A1:A2) Skaun"
    assert rows["orsta"][1] == "'-Ørsta | Volda" and rows["helse-more-og-romsdal"][1] == "'@Helse Møre"
    assert rows[LONG][1] == "Trondheim legekontor"  # other text as it is
    assert rows["orsta"][9] == "1.667"  # numbers as they are (a negative delay is a number, not text)


def test_scenario_of_header_pastes_into_a_shell_and_replays_the_scenario(tmp_path, monkeypatch):
    folder = tmp_path / "Mine data" / "Helseplattformen – plan"
    folder.mkdir(parents=True)
    spec = spec_file(folder, "liten prøve.yaml")
    monkeypatch.chdir(tmp_path)
    relative = spec.relative_to(tmp_path)
    text = scenario_yaml(context_of(relative), 1)
    command = text.splitlines()[1].removeprefix("#   ")
    argv = shlex.split(command)
    assert argv[:3] == ["hpplan", "sweep", str(relative)], command  # one argument, not three
    assert argv[3:] == ["--seed", "7", "--scenario-of", "1"]
    replayed = run(*argv[1:])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.stdout == text
    # a --seed given on the command line is in the command, so that it gives this scenario again
    other = run("sweep", str(relative), "--seed", "8", "--scenario-of", "1").stdout
    assert shlex.split(other.splitlines()[1].removeprefix("#   "))[3:5] == ["--seed", "8"]
    assert yaml.safe_load(text)["base"] == str(TINY)


def test_the_hint_for_a_scenario_without_a_plan_pastes_into_a_shell():
    # "See one with: hpplan sweep SPEC --scenario-of N": neither SPEC nor N pasted, nor a path with spaces
    for width in (60, 160):
        lines = summary_text(summary(), width).splitlines()
        at = next(i for i, line in enumerate(lines) if "on its own" in line)
        command = lines[at + 1].strip()
        argv = shlex.split(command)
        assert argv == ["hpplan", "sweep", SPEC, "--seed", "7", "--scenario-of", "2", ">", "scenario.yaml"], command
        assert lines[at + 2].strip() == "hpplan explain --scenario scenario.yaml"
