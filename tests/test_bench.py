"""The benchmark runner's own bookkeeping (benchmarks measure speed; these tests only check what they record)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpplan import load_problem
from hpplan.bench import GAP_MARKS, GapTrace, _product, summary

SHIPPED = Path(__file__).resolve().parents[1] / "data"


def test_gap_trace_records_the_first_time_each_gap_is_reached():
    trace = GapTrace()
    trace.update(objective=110.0)  # a plan without a bound: no gap yet
    trace.update(objective=110.0, bound=100.0)  # 9.1 %
    assert trace.reached == {}
    trace.update(objective=100.8, bound=100.0)  # 0.79 %: within 1 %, not 0.5 %
    first = trace.reached[0.01]
    trace.update(objective=100.4, bound=100.0)
    assert set(trace.reached) == set(GAP_MARKS) and trace.reached[0.01] == first <= trace.reached[0.005]


def test_the_product_run_records_its_time_to_each_gap():
    solution, extra = _product(load_problem(SHIPPED), 60, 0, 1)
    assert solution.status.value == "optimal"  # proven: every gap reached, at most at the end
    assert set(extra["time_to_gap"]) == {"1", "0.5"}
    assert all(0 <= t <= solution.stats.wall_time + 0.5 for t in extra["time_to_gap"].values())
    run = {"instance": "midt-norge", "family": "real", "engine": "hpplan", "objective": 1, "status": "optimal",
           "time_limit": 60, "extra": {"time_to_gap": {"1": 0.25}}}
    assert "hpplan: seconds to a plan proven within 1 % / 0.5 % of the bound (- not in the time limit): " \
           "midt-norge 0.2 / - s" in summary([run])


def test_bench_refuses_a_time_limit_hpplan_solve_would_refuse(capsys):
    # SolveOptions takes at least 0.1 s: the bench refused nothing and failed at its first run
    from hpplan.bench import parse_args

    for option in ("--time-limit", "--psplib-time-limit"):
        with pytest.raises(SystemExit) as stopped:
            parse_args([option, "0.05"])
        assert stopped.value.code == 2
        assert f"{option} is seconds per run, at least 0.1; got 0.05" in capsys.readouterr().err
    assert parse_args(["--time-limit", "0.1"]).time_limit == 0.1
