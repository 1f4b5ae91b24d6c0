"""The library as a notebook calls it: a wrong argument is a clear TypeError or ValueError at the call,
not an AttributeError deep inside, nor (gap=5) a quiet surprise."""

from __future__ import annotations

from pathlib import Path

import pytest

import hpplan
from hpplan.scenario import apply_quick, apply_scenarios

REPO = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"


@pytest.mark.parametrize("options, error, message", [
    (dict(gap=5), ValueError, "gap is a fraction of the objective"),
    (dict(gap=-0.1), ValueError, "gap must be at least 0"),
    (dict(time_limit="abc"), TypeError, "time_limit is a number"),
    (dict(time_limit=0), ValueError, "time_limit must be above 0"),
    (dict(work_limit=-1), ValueError, "work_limit must be above 0"),
    (dict(workers=0), ValueError, "workers must be at least 1 and at most 64"),
    (dict(workers=2.0), TypeError, "workers is an integer"),
    (dict(seed=-1), ValueError, "seed must be at least 0"),
    (dict(seed=True), TypeError, "seed is an integer"),
    (dict(engine="gurobi"), ValueError, "engine must be one of auto, cp-sat, highs"),
    (dict(stop="now"), TypeError, "stop is an hpplan.StopRequest"),
])
def test_solve_options_keep_the_command_line_s_ranges(options, error, message):
    with pytest.raises(error, match=message):
        hpplan.SolveOptions(**options)


def test_the_edges_of_the_ranges_are_accepted():
    options = hpplan.SolveOptions(time_limit=0.1, seed=2**31 - 1, workers=64, work_limit=0.5, gap=1.0,
                                  engine="cp-sat", stop=hpplan.StopRequest())
    assert options.gap == 1.0 and options.workers == 64
    assert hpplan.SolveOptions(seed=0, engine="highs").seed == 0


def test_the_verbs_say_what_they_take():
    problem = hpplan.load_problem(TINY)
    with pytest.raises(TypeError, match="solve takes a Problem"):
        hpplan.solve(str(TINY))
    with pytest.raises(TypeError, match="as hpplan.SolveOptions"):
        hpplan.solve(problem, {"time_limit": 5})
    with pytest.raises(TypeError, match="verify takes a Solution"):
        hpplan.verify(problem, "plan.json")
    with pytest.raises(TypeError, match="verify takes a Problem"):
        hpplan.verify(str(TINY), hpplan.Solution(status=hpplan.Status.unknown))
    with pytest.raises(TypeError, match="load_problem takes a folder"):
        hpplan.load_problem(None)
    with pytest.raises(hpplan.InputError, match="a folder, not a plan file"):
        hpplan.read_plan(TINY)


def test_one_scenario_or_one_quick_form_may_be_given_alone():
    problem = hpplan.load_problem(REPO / "data")
    scenario = REPO / "data" / "scenarios" / "hmr-postponed.yaml"
    assert apply_scenarios(problem, scenario).waves == apply_scenarios(problem, [scenario]).waves
    assert apply_scenarios(problem, str(scenario)).organisations == apply_scenarios(problem, [scenario]).organisations
    one = apply_quick(problem, postpone="aure=2025-01-01", exclude="froya")
    listed = apply_quick(problem, postpone=["aure=2025-01-01"], exclude=["froya"])
    assert one.organisations == listed.organisations
