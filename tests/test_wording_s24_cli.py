"""Session 24, the wording in the commands' own modules: explain's advice never saves over the plan it was
given (`cli_check.py`), and an unknown cost of delay is not called estimated (`cli_compare.py`)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hpplan import cli

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def test_explain_about_a_plan_that_breaks_rules_never_advises_saving_over_it(tmp_path: Path):
    # `explain --actor orsta --plan plan.json --scenario hmr-postponed.yaml` advised `hpplan solve ... -o
    # plan.json`: followed, it overwrote the baseline every later `compare --baseline plan.json` reads
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", TINY, "-f", "json", "-t", "5", "-o", plan).exit_code == 0
    later = tmp_path / "hmr-postponed.yaml"
    later.write_text("base: data\ndescription: HMR later (assumption)\nchanges:\n  - op: postpone\n"
                     "    actor: helse-more-og-romsdal\n    earliest: 2024-09-01\n", encoding="utf-8")
    args = ("explain", "--data", TINY, "--scenario", later, "--actor", "orsta", "--plan", plan, "-t", "5")
    result = run(*args)
    assert result.exit_code == 1, result.output
    flat = " ".join(result.stdout.split())
    saved = tmp_path / "plan-hmr-postponed.json"
    assert f"--format json -o {saved}`" in flat, flat
    assert f"-o {plan}`" not in flat
    report = json.loads(run(*args, "-f", "json").stdout)
    assert report["verdict"] == "plan_breaks_rules" and f"-o {saved}`" in report["summary"]


def test_an_unknown_cost_of_delay_is_not_called_estimated(tmp_path: Path):
    # "Estimated cost of delay: unknown: the data gives no cost for ...; earlier go-lives save 1 076.5* MNOK"
    from helpers import build, org

    from hpplan.cli_compare import totals_lines
    from hpplan.compare import compare
    from hpplan.scenario import apply_quick
    from hpplan.solve import Baseline, SolveOptions, solve

    base = build([org("t", kind="health_trust", population=1000, postponement_cost_per_month=40.0),
                  org("m", population=10)])
    other = apply_quick(base, exclude=["t"], postpone=["m=2024-04-01"])
    before = solve(base, SolveOptions(time_limit=5))
    comparison = compare(before, base, solve(other, SolveOptions(time_limit=5), Baseline(before)), other)
    line = totals_lines(comparison)[2]
    assert line.startswith("Cost of delay: unknown (the data gives no cost for the 1 organisation moved later); "), line
    assert "(40* MNOK a month)" in line and "Estimated" not in line
