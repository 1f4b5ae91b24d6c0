"""PSPLIB as an external yardstick (hpplan.psplib): reading `.sm` files and published makespans, and a
conversion to hpplan data whose makespan is exactly the PSPLIB makespan."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpplan import load_problem, verify
from hpplan.errors import InputError
from hpplan.greedy import schedule, solve_greedy
from hpplan.psplib import parse_sm, read_bounds, to_hpplan, write_hpplan
from hpplan.solution import Status

PSPLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason=f"PSPLIB data not found at {PSPLIB}")

# 4 activities and one resource of capacity 2 (plus the dummy source 1 and sink 6). Activities 2 and 3
# each take the whole resource for 2 periods; 5 (3 periods) and 4 (1 period) take half. The resource
# work is 12 = 6 periods, but 5 can share only one period with 4: the optimum is 7.
TINY = """\
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  6
horizon                       :  8
RESOURCES
  - renewable                 :  1   R
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          3           2   3   4
   2        1          1           5
   3        1          1           6
   4        1          1           6
   5        1          1           6
   6        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     2       2
  3      1     2       2
  4      1     1       1
  5      1     3       1
  6      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    2
************************************************************************
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.sm"
    path.write_text(TINY)
    return parse_sm(path)


def _highs():
    pytest.importorskip("highspy", reason="highspy is in the bench extras: pip install -e '.[bench]'")
    from hpplan.engines.highs import HighsOptions, solve_highs

    return lambda problem: solve_highs(problem, HighsOptions(time_limit=20))


@needs_psplib
def test_parse_a_j30_instance():
    inst = parse_sm(PSPLIB / "j30" / "j301_1.sm")
    assert inst.name == "j301_1"
    assert len(inst.activities) == 32 and inst.capacities == (12, 13, 4, 12)
    acts = inst.by_number()
    assert acts[1].duration == 0 and acts[1].successors == (2, 3, 4)
    assert acts[2].duration == 8 and acts[2].demands == (4, 0, 0, 0) and acts[2].successors == (6, 11, 15)
    assert acts[32].successors == () and inst.horizon == 158


@needs_psplib
def test_published_bounds():
    bounds = read_bounds(PSPLIB / "makespans")
    assert bounds["j301_1"].optimal == 43 and bounds["j3013_1"].optimal == 58
    assert len([n for n in bounds if n.startswith("j30")]) == 480
    assert bounds["j601_1"].optimal == 77  # j60lb.sm marks LB = UB
    assert bounds["j1201_1"].upper == 105 and bounds["j1201_1"].optimal is None or bounds["j1201_1"].lower <= 105


def test_conversion_maps_periods_to_months_and_precedences_to_after_live(tiny, tmp_path):
    orgs, waves = to_hpplan(tiny)
    acts = {o["id"]: o for o in orgs["organisations"]}
    assert set(acts) == {f"a{i:03d}" for i in range(1, 7)}
    assert acts["a005"]["load_profile"] == ["r1-1x3"]
    profile = next(p for p in waves["load_profiles"] if p["id"] == "r1-1x3")
    assert profile == {"id": "r1-1x3", "pool": "R1", "before": [1, 1, 1], "source": profile["source"]}
    assert waves["objective"] == {"kind": "makespan"}
    assert {"type": "after_live", "first": "a002", "then": "a005"} in waves["rules"]
    assert len(waves["windows"]) == tiny.horizon + 1 == 9
    problem = load_problem(write_hpplan(tiny, tmp_path / "tiny"))
    assert [p.id for p in problem.waves.pools] == ["R1"] and problem.pool["R1"].fte == 2


def test_tiny_instance_optimum_is_its_makespan(tiny, tmp_path):
    solve = _highs()
    problem = load_problem(write_hpplan(tiny, tmp_path / "tiny"))
    solution = solve(problem)
    assert solution.status is Status.optimal and solution.objective == {"makespan": 7, "total": 7}
    assert verify(problem, solution) == []  # the verifier recomputes the makespan from the plan
    go_live = {a.id: a.go_live for a in solution.plan}
    # go-live month = finish time: the sink goes live in month 7 after the epoch
    assert go_live["a006"].year == 2000 and go_live["a006"].month == 8


@needs_psplib
def test_j30_instance_reaches_the_published_optimum(tmp_path):
    solve = _highs()
    inst = parse_sm(PSPLIB / "j30" / "j301_1.sm")
    # the greedy plan's makespan is an upper bound: a horizon that short loses no optimal plan
    full = load_problem(write_hpplan(inst, tmp_path / "full"))
    greedy = solve_greedy(full)
    assert greedy.status is Status.feasible and verify(full, greedy) == []
    upper = int(greedy.objective["makespan"])
    assert upper >= 43
    problem = load_problem(write_hpplan(inst, tmp_path / "short", horizon=upper))
    solution = solve(problem)
    assert solution.objective["makespan"] == 43 == read_bounds(PSPLIB / "makespans")["j301_1"].optimal
    assert verify(problem, solution) == []


@needs_psplib
def test_cp_sat_model_reaches_the_published_optimum(tmp_path):
    from hpplan import SolveOptions, solve
    from hpplan.model import build_model

    inst = parse_sm(PSPLIB / "j30" / "j301_1.sm")
    upper = 46  # the greedy plan's makespan on this instance
    problem = load_problem(write_hpplan(inst, tmp_path / "short", horizon=upper))
    if "makespan" not in build_model(problem).terms:
        pytest.skip("the core CP-SAT model has no `objective: {kind: makespan}` yet (announced core change)")
    solution = solve(problem, SolveOptions(time_limit=20, workers=2))
    assert solution.status is Status.optimal and solution.objective["makespan"] == 43
    assert verify(problem, solution) == []


def test_greedy_is_a_serial_schedule_generation_scheme(tiny, tmp_path):
    problem = load_problem(write_hpplan(tiny, tmp_path / "tiny"))
    plan = schedule(problem)
    assert not plan.stuck
    solution = solve_greedy(problem)
    assert verify(problem, solution) == [] and solution.objective["makespan"] >= 7


def test_bad_files_say_file_and_line(tmp_path):
    bad = tmp_path / "bad.sm"
    bad.write_text(TINY.replace("  2      1     2       2", "  2      1     two     2"))
    with pytest.raises(InputError) as error:
        parse_sm(bad)
    assert str(error.value).startswith(f"{bad}:21:")
    multi = tmp_path / "multi.sm"
    multi.write_text(TINY.replace("   2        1          1           5", "   2        2          1           5"))
    with pytest.raises(InputError, match="only single-mode"):
        parse_sm(multi)
    with pytest.raises(InputError, match="no such PSPLIB file"):
        parse_sm(tmp_path / "missing.sm")


@pytest.mark.parametrize("edit, line, message", [
    (lambda t: t.replace("sink ):  6", "sink ):  six"), 3, "jobs: expected a whole number"),
    (lambda t: t.replace("sink ):  6", "sink ):  -3"), 3, "jobs: expected a whole number"),
    (lambda t: t.replace("sink ):  6", "sink ):  1"), 3, "jobs: expected at least 2"),
    (lambda t: t.replace("sink ):  6", "sink ):"), 3, "jobs: expected a whole number"),
    (lambda t: "\n".join(t.splitlines()[:13]), 13, "file ends inside the PRECEDENCE RELATIONS section after 4 of 6"),
    (lambda t: "\n".join(t.splitlines()[:28]), 28, "file ends inside the RESOURCEAVAILABILITIES section"),
    (lambda t: t.replace("sink ):  6", "sink ):  8"), 16, "PRECEDENCE RELATIONS ends after 6 of 8 rows"),
    (lambda t: t.replace("sink ):  6", "sink ):  5"), 15, "PRECEDENCE RELATIONS has more than 5 rows"),
    (lambda t: t.replace("  5      1     3       1", "  5      1     -3      1"), 24, "expected whole numbers >= 0"),
    (lambda t: t.replace("  5      1     3       1", "  5      1     3"), 24, "job 5: 0 demands, expected 1"),
    (lambda t: t.replace("  5      1     3       1", "  4      1     3       1"), 24, "job 4 has a second request row"),
    (lambda t: t.replace("   5        1          1           6", "   5        1          1           9"), 14,
     "job 5 names successor 9, which is not a job"),
    (lambda t: t.replace("    2\n****", "****"), 29, "RESOURCEAVAILABILITIES has no row"),
])
def test_malformed_files_are_input_errors_at_their_line(tmp_path, edit, line, message):
    """A truncated or hand-edited `.sm` file: an InputError naming the line and what belongs there,
    never a ValueError or IndexError from inside the parser (docs/benchmarks.md)."""
    bad = tmp_path / "bad.sm"
    bad.write_text(edit(TINY))
    with pytest.raises(InputError) as error:
        parse_sm(bad)
    assert str(error.value).startswith(f"{bad}:{line}: ") and message in str(error.value)
    assert "None" not in str(error.value)


def test_the_pyjobshop_solve_leaves_ctrl_c_as_it_found_it(tmp_path):
    # PyJobShop makes its own CP-SAT solver, which caught SIGINT and left it at the system default: the
    # next Ctrl-C ended the process without a word (exit -2), and a handler of the caller's never ran
    import subprocess
    import sys

    pytest.importorskip("pyjobshop", reason="pyjobshop is in the bench extras: pip install -e '.[bench]'")
    path = tmp_path / "tiny.sm"
    path.write_text(TINY)
    script = """
import os, signal, sys, time
from hpplan.psplib import solve_pyjobshop

got = []
if sys.argv[2] == "own":
    signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
print(solve_pyjobshop(sys.argv[1], 10, workers=1).objective, flush=True)
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(2)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
print("own handler ran", got == [signal.SIGINT], flush=True)
"""
    for handler, says in (("python", ["7.0", "KeyboardInterrupt", "own handler ran False"]),
                          ("own", ["7.0", "own handler ran True"])):
        done = subprocess.run([sys.executable, "-c", script, str(path), handler], capture_output=True, text=True,
                              timeout=120)
        assert (done.returncode, done.stdout.split("\n")[:-1]) == (0, says), (done.returncode, done.stdout, done.stderr)
