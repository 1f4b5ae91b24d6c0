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
    (dict(time_limit=0), ValueError, "time_limit must be at least 0.1"),
    (dict(time_limit=0.05), ValueError, r"time_limit must be at least 0.1 and at most 86400, got 0.05"),  # the command line's -t too
    (dict(work_limit=-1), ValueError, "work_limit must be at least 0.01"),
    (dict(workers=0), ValueError, "workers must be at least 1 and at most 64"),
    (dict(workers=2.0), TypeError, "workers is an integer"),
    (dict(seed=-1), ValueError, "seed must be at least 0"),
    (dict(seed=True), TypeError, "seed is an integer"),
    (dict(engine="gurobi"), ValueError, "engine must be one of auto, cp-sat, highs"),
    (dict(stop="now"), TypeError, "stop is an hpplan.StopRequest"),
    (dict(tie_break="no"), TypeError, "tie_break is True or False, got 'no'"),
    (dict(log=1), TypeError, "log is True or False"),
    (dict(progress=5), TypeError, "progress is a progress display"),
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


def test_a_baseline_is_checked_as_the_problem_and_the_options_are():
    from hpplan.solve import Baseline

    problem = hpplan.load_problem(TINY)
    solution = hpplan.solve(problem, hpplan.SolveOptions(time_limit=5))
    options = hpplan.SolveOptions(time_limit=5)
    with pytest.raises(TypeError, match=r"solve takes its baseline as Baseline\(plan\).*got Solution"):
        hpplan.solve(problem, options, baseline=solution)
    with pytest.raises(TypeError, match="solve takes its baseline as Baseline.*got str"):
        hpplan.solve(problem, options, baseline="plan.json")
    with pytest.raises(TypeError, match="Baseline takes the plan to keep as a Solution.*got Problem"):
        Baseline(problem)
    with pytest.raises(TypeError, match="Baseline.freeze_until is a datetime.date.*got str '2024-06-01'"):
        Baseline(solution, freeze_until="2024-06-01")
    changed = Baseline(solution)
    changed.plan = problem  # changed since: checked again by solve
    with pytest.raises(TypeError, match="Baseline takes the plan to keep as a Solution"):
        hpplan.solve(problem, options, baseline=changed)


def test_the_documented_library_names_resolve():
    # `hpplan.solve` is the function, so `hpplan.solve.PlanBroken` in an except clause was an AttributeError
    import importlib
    import re

    assert hpplan.PlanBroken is importlib.import_module("hpplan.solve").PlanBroken and "PlanBroken" in hpplan.__all__
    for doc in ("solve.md", "benchmarks.md"):
        for name in set(re.findall(r"`(hpplan(?:\.\w+)+)", (REPO / "docs" / doc).read_text(encoding="utf-8"))):
            parts = name.split(".")
            for i in range(2, len(parts) + 1):  # what `import hpplan.a.b` would import
                try:
                    importlib.import_module(".".join(parts[:i]))
                except ModuleNotFoundError:  # not a module: a name in the one before
                    break
            value = hpplan
            for part in parts[1:]:  # as the name reads after those imports
                assert hasattr(value, part), f"docs/{doc}: {name} does not resolve ({value!r} has no {part})"
                value = getattr(value, part)


def test_solves_overlapping_in_threads_put_the_switch_interval_back():
    import sys
    import threading

    from hpplan.engines.common import short_gil_turns

    before = sys.getswitchinterval()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with short_gil_turns():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        first_in.wait(10)
        with short_gil_turns():
            second_in.set()
            first_out.wait(10)  # the first leaves while this one is still in

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sys.getswitchinterval() == before


def test_a_problem_and_a_solution_show_as_one_line():
    problem = hpplan.load_problem(REPO / "data")
    solution = hpplan.solve(problem, hpplan.SolveOptions(time_limit=10))
    shown = repr(problem)
    assert len(shown) < 200 and "\n" not in shown and f"{len(problem.organisations)} organisations" in shown
    shown = repr(solution)
    assert len(shown) < 200 and "\n" not in shown and shown.startswith(f"<Solution {solution.status.value}, objective ")
    planned = sum(1 for a in solution.plan if a.go_live is not None and not a.pinned)
    assert f"{planned} go-lives planned" in shown
    # equality is the dataclasses' still: field by field
    assert hpplan.load_problem(REPO / "data") == problem
    fields = ("status", "objective", "plan", "load", "stats")
    assert hpplan.Solution(**{name: getattr(solution, name) for name in fields}) == solution
    assert hpplan.Solution(status=solution.status) != solution
