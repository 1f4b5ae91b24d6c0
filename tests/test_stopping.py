"""Stopping a solve early: on request (`SolveOptions.stop`), at a gap tolerance (`SolveOptions.gap`,
`--gap`), and by Ctrl-C on the command line and in a library call (`hpplan.stopping`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from hpplan import StopRequest, load_problem
from hpplan.solution import Solution, Status, read_plan
from hpplan.solve import Baseline, SolveOptions, solve, solve_replan
from hpplan.stopping import EXIT_INTERRUPTED, cp_solver, ctrl_c, requested
from hpplan.verify import verify

from helpers import solved

SHIPPED = Path(__file__).resolve().parents[1] / "data"
HPPLAN = [sys.executable, "-c", "import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()"]


def assert_verified(problem, solution) -> None:
    assert solution.found
    violations = verify(problem, solution)
    assert violations == [], "\n".join(v.message for v in violations)


def test_a_stop_request_ends_the_solve_with_its_best_plan_so_far(region: Path):
    problem = load_problem(region)
    stop = StopRequest()
    timer = threading.Timer(2.0, stop.request)
    timer.start()
    solution = solve(problem, SolveOptions(time_limit=300, stop=stop))
    timer.cancel()
    assert solution.stats.stopped
    assert_verified(problem, solution)
    assert solution.stats.tie_break != "complete"  # a stopped tie-break is not the canonical plan
    assert solution.stats.wall_time < 150  # ended by the request, not by the time limit


def test_a_stop_requested_before_the_solve_still_gives_a_plan(region: Path):
    problem = load_problem(region)
    stop = StopRequest()
    stop.request()
    solution = solve(problem, SolveOptions(time_limit=300, stop=stop))
    assert solution.stats.stopped and solution.status is Status.feasible
    assert_verified(problem, solution)
    assert solution.stats.wall_time < 150


def test_a_stopped_replan_keeps_every_rule():
    problem = load_problem(SHIPPED)
    base = solved(problem)
    stop = StopRequest()
    stop.request()  # before the phases "fewest moved" and "least movement": they are not run
    solution, replan = solve_replan(problem, SolveOptions(time_limit=60, stop=stop), Baseline(base))
    assert solution.stats.stopped and not replan.proven
    assert_verified(problem, solution)


def test_no_stop_request_no_stop():
    solution = solved(load_problem(SHIPPED))
    assert solution.status is Status.optimal and not solution.stats.stopped


def test_the_gap_tolerance_ends_the_race_at_a_plan_that_close_to_the_bound(region: Path):
    problem = load_problem(region)
    solution = solve(problem, SolveOptions(time_limit=300, gap=0.05))
    assert_verified(problem, solution)
    objective, bound = solution.objective["total"], solution.stats.best_bound
    assert objective - bound <= 0.05 * objective
    assert solution.stats.wall_time < 150  # ended by the tolerance (region's optimum takes seconds to prove)
    if solution.status is Status.feasible:
        assert "stopped at the gap tolerance (5 %)" in solution.stats.phases
        assert solution.stats.tie_break == "skipped"


def test_cp_sat_at_its_gap_limit_is_not_called_optimal_and_is_reproducible(region: Path):
    # CP-SAT answers OPTIMAL when it stops at `relative_gap_limit`; hpplan reports it as feasible. Under
    # a work limit CP-SAT stops there itself (not the race's callback, on the wall clock): the same plan
    problem = load_problem(region)
    options = SolveOptions(time_limit=300, gap=0.05, engine="cp-sat", work_limit=60)
    solution = solve(problem, options)
    assert_verified(problem, solution)
    assert (solution.status is Status.optimal) == (solution.stats.best_bound >= solution.objective["total"])
    assert solution.objective["total"] - solution.stats.best_bound <= 0.05 * solution.objective["total"]
    assert solve(problem, options).to_json() == solution.to_json()


def test_ctrl_c_requests_the_stop_and_leaves_the_handler_as_it_was():
    before = signal.getsignal(signal.SIGINT)
    stop = StopRequest()
    assert cp_solver().parameters.catch_sigint_signal  # CP-SAT's default outside: a notebook relies on it
    with ctrl_c(stop, say=lambda text: None):
        assert not cp_solver().parameters.catch_sigint_signal  # ours while the command runs
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stop.is_set()
    assert signal.getsignal(signal.SIGINT) is before
    assert cp_solver().parameters.catch_sigint_signal


@pytest.mark.parametrize("stop, presses", [("None", 1), ("StopRequest()", 2)])
def test_ctrl_c_without_a_stop_or_twice_ends_the_process(stop: str, presses: int):
    script = ("import os, signal, time\n"
              "from hpplan.stopping import StopRequest, ctrl_c\n"
              f"with ctrl_c({stop}):\n"
              f"    for _ in range({presses}):\n"
              "        os.kill(os.getpid(), signal.SIGINT)\n"
              "        time.sleep(0.5)\n"
              "    time.sleep(30)\n"
              "print('not ended')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_INTERRUPTED
    assert "interrupted (Ctrl-C); nothing written" in done.stderr and "not ended" not in done.stdout


def _interrupt(args: list[str], after: float, command: list[str] = HPPLAN) -> subprocess.CompletedProcess:
    """Run the hpplan command, press Ctrl-C once after `after` seconds, wait for it to end."""
    process = subprocess.Popen(command + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(after)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def test_ctrl_c_in_hpplan_solve_writes_the_best_plan_so_far(region: Path, tmp_path: Path):
    out = tmp_path / "plan.json"
    done = _interrupt(["solve", "--data", str(region), "-t", "300", "-q", "-f", "json", "-o", str(out)], after=6)
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert "stopped by Ctrl-C" in done.stderr and f"written to {out}" in done.stderr
    assert "Traceback" not in done.stderr
    problem = load_problem(region)
    written = json.loads(out.read_text())
    assert written["status"] in ("feasible", "optimal") and written["solver"]["stopped"] is True
    assert_verified(problem, read_plan(out))


def test_ctrl_c_in_hpplan_explain_ends_it_with_nothing_said(region: Path):
    problem = load_problem(region)
    actor = next(o.id for o in problem.organisations if o.kind.value == "municipality" and o.live_since is None)
    done = _interrupt(["explain", "--data", str(region), "--actor", actor, "-t", "120"], after=6)
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert "interrupted (Ctrl-C); nothing written" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_hpplan_solve_gap_option(region: Path, tmp_path: Path):
    out = tmp_path / "plan.txt"
    done = subprocess.run(HPPLAN + ["solve", "--data", str(region), "-q", "--gap", "5", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "gap tolerance 5 %" in out.read_text(encoding="utf-8")
    as_json = subprocess.run(HPPLAN + ["solve", "--data", str(region), "-q", "--gap", "5", "-f", "json"],
                             capture_output=True, text=True, timeout=300)
    solver = json.loads(as_json.stdout)["solver"]
    assert solver["gap_tolerance"] == 5 and "stopped" not in solver
    wrong = subprocess.run(HPPLAN + ["solve", "--data", str(region), "--gap", "150"], capture_output=True, text=True,
                           timeout=60)
    assert wrong.returncode == 2 and "--gap" in wrong.stderr and "Traceback" not in wrong.stderr


def test_a_sweep_spec_gives_its_gap_and_engine_to_each_solve(tmp_path: Path):
    from test_sweep import context_of, spec_file

    from hpplan.sweep.run import header_record

    context = context_of(spec_file(tmp_path, gap=0.5, engine="highs"))
    assert (context.spec.options().gap, context.spec.options().engine) == (0.005, "highs")
    assert header_record(context)["solver"]["gap"] == 0.5 and header_record(context)["solver"]["engine"] == "highs"
    default = context_of(spec_file(tmp_path, "defaults.yaml")).spec.options()
    assert (default.gap, default.engine) == (0, "auto")


def test_hpplan_compare_takes_a_gap(region: Path):
    from test_compare import run

    problem = load_problem(region)
    actor = next(o.id for o in problem.organisations if o.kind.value == "municipality" and o.live_since is None)
    result = run("compare", "--baseline", str(region), "--postpone", f"{actor}=2026-01-01", "--gap", "5", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] in ("feasible", "optimal")


def test_hpplan_sweep_gap_overrides_the_specs(tmp_path: Path):
    from test_sweep import read_results, run, spec_file

    spec, out = spec_file(tmp_path, samples=2), tmp_path / "r.jsonl"
    result = run("sweep", str(spec), "--out", str(out), "-j", "1", "--gap", "2")
    assert result.exit_code == 0, result.output
    assert read_results(out)[0].header["solver"]["gap"] == 2
    assert run("sweep", str(spec), "--out", str(tmp_path / "x.jsonl"), "--gap", "-1").exit_code == 2


def test_ctrl_c_before_the_solve_begins_says_it_was_interrupted(monkeypatch, capsys, tmp_path: Path):
    # reading the data: typer turns the KeyboardInterrupt into exit 130 with no word; main() says it
    import typer

    from hpplan import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "scenario_problem", interrupted)
    out = tmp_path / "plan.json"
    out.write_text("before")
    monkeypatch.setattr(sys, "argv", ["hpplan", "solve", "-q", "-f", "json", "-o", str(out)])
    with pytest.raises(SystemExit) as end:
        cli.main()
    assert end.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "hpplan: interrupted (Ctrl-C)\n"
    assert out.read_text() == "before"
    # a solve stopped by Ctrl-C says so itself and exits 130 (cli.exit_stopped): no second message

    def stopped(*args, **kwargs):
        raise typer.Exit(EXIT_INTERRUPTED)

    monkeypatch.setattr(cli, "scenario_problem", stopped)
    with pytest.raises(SystemExit) as end:
        cli.main()
    assert end.value.code == EXIT_INTERRUPTED and capsys.readouterr().err == ""


@pytest.mark.parametrize("raised", ["KeyboardInterrupt", "ImportError('initialization failed') from KeyboardInterrupt()"])
def test_ctrl_c_while_the_command_imports_hpplan_says_it_was_interrupted(raised: str):
    # the entry point (`hpplan_command.main`, what the installed `hpplan` script calls) imports hpplan
    # inside its handler: a Ctrl-C during that second of imports is a message and exit 130, no traceback
    # (in an extension module's initialisation it comes as an ImportError from the KeyboardInterrupt)
    script = ("import sys\n"
              "class Interrupt:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'hpplan.solve':\n"
              f"            raise {raised}\n"
              "sys.meta_path.insert(0, Interrupt())\n"
              "sys.argv = ['hpplan', 'solve']\n"
              "from hpplan_command import main\n"
              "main()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (EXIT_INTERRUPTED, "hpplan: interrupted (Ctrl-C)\n", "")
    # any other import error is not hidden: its traceback, and exit 70 (an internal error; 1 is "infeasible")
    done = subprocess.run([sys.executable, "-c", script.replace(raised, "ImportError('broken')")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 70 and "ImportError: broken" in done.stderr


@pytest.mark.parametrize("after", [0.3, 0.8])
def test_ctrl_c_right_after_the_command_starts_gives_no_traceback(after: float, tmp_path: Path):
    out = tmp_path / "plan.json"
    out.write_text("before")
    script = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()"]
    done = _interrupt(["solve", "--data", str(SHIPPED), "-q", "-f", "json", "-o", str(out)], after, script)
    err = done.stderr
    # wherever the Ctrl-C lands (importing, reading the data, solving, writing): no traceback, and the
    # file is either as it was or the whole plan (the shipped data may be solved by then)
    assert "Traceback" not in err, err
    if done.returncode == EXIT_INTERRUPTED:
        assert "interrupted" in err or "stopped by Ctrl-C" in err
    else:
        assert done.returncode == 0, err
    assert out.read_text() == "before" or json.loads(out.read_text())["status"] in ("optimal", "feasible")


def _python(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=240)


def test_a_library_solve_leaves_ctrl_c_as_it_found_it():
    # CP-SAT catches SIGINT while it solves and leaves it at the system default: the next Ctrl-C ended a
    # notebook's process (exit -2) instead of raising KeyboardInterrupt, and a handler of its own never ran
    script = f"""
import os, signal, threading, time
from ortools.sat.python import cp_model
import hpplan
from hpplan.stopping import cp_solver

def interrupted():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(2)
    except KeyboardInterrupt:
        return True
    return False

problem = hpplan.load_problem({str(SHIPPED)!r})
for engine in ("auto", "cp-sat", "highs"):
    hpplan.solve(problem, hpplan.SolveOptions(time_limit=20, engine=engine))
    print(engine, interrupted(), flush=True)
model = cp_model.CpModel()  # as explain and check solve: their own models, with `cp_solver()`
x = model.new_int_var(0, 10, "x")
model.maximize(x)
assert cp_solver().solve(model) == cp_model.OPTIMAL
print("cp_solver", interrupted(), flush=True)
thread = threading.Thread(target=hpplan.solve, args=(problem, hpplan.SolveOptions(time_limit=20)))
thread.start()
thread.join()
print("thread", interrupted(), flush=True)
got = []
signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
hpplan.solve(problem, hpplan.SolveOptions(time_limit=20))
os.kill(os.getpid(), signal.SIGINT)
time.sleep(1)
print("own handler", got == [signal.SIGINT], flush=True)
"""
    done = _python(script)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert done.stdout.split("\n") == ["auto True", "cp-sat True", "highs True", "cp_solver True", "thread True",
                                       "own handler True", ""]


LIBRARY_CTRL_C = """
import json, os, signal, sys, threading, time
import io
import hpplan
from hpplan.progress import SolveProgress
from rich.console import Console
problem = hpplan.load_problem(sys.argv[1])
pressing = threading.Event()


class PressAfterTheFirstPlan(SolveProgress):
    # the presses come once the solve has a plan (seconds after it): timed from the start, a slow
    # machine had none yet and the first press raised KeyboardInterrupt, the second then hit Python's own
    def update(self, **values):
        super().update(**values)
        if values.get("solution") and not pressing.is_set():
            pressing.set()
            threading.Timer(float(sys.argv[3]), os.kill, (os.getpid(), signal.SIGINT)).start()


if sys.argv[4:] == ["again"]:  # the second press as the first one's stop is requested: the solve runs on
    request = hpplan.stopping.StopRequest.request

    def press_again(self):
        os.kill(os.getpid(), signal.SIGINT)
        request(self)

    hpplan.stopping.StopRequest.request = press_again


started = time.monotonic()
try:
    progress = PressAfterTheFirstPlan(Console(file=io.StringIO()), delay=3600)
    solution = hpplan.solve(problem, hpplan.SolveOptions(time_limit=120, engine=sys.argv[2], progress=progress))
    result = dict(seconds=time.monotonic() - started, status=solution.status.value, stopped=solution.stats.stopped,
                  json=json.loads(solution.to_json())["solver"].get("stopped"),
                  violations=len(hpplan.verify(problem, solution)))
except KeyboardInterrupt:
    result = dict(seconds=time.monotonic() - started, interrupted=True)
time.sleep(1)  # a second KeyboardInterrupt would come here
result["handler"] = signal.getsignal(signal.SIGINT) is signal.default_int_handler
print(json.dumps(result))
"""


@pytest.mark.parametrize("engine", ["auto", "cp-sat", "highs"])
def test_ctrl_c_stops_a_library_solve_with_its_best_plan_so_far(region: Path, engine: str):
    # as on the command line: the whole solve (race, HiGHS, tie-break) stops at the first Ctrl-C; it
    # was CP-SAT's search alone (auto ran on to the time limit, highs raised, cp-sat said nothing)
    done = _python(LIBRARY_CTRL_C, str(region), engine, "0.2")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["seconds"] < 30, result  # the time limit is 120 s
    assert result["status"] in ("feasible", "optimal") and result["stopped"] and result["json"] is True, result
    assert result["violations"] == 0 and result["handler"], result


def test_a_second_ctrl_c_raises_keyboard_interrupt_once(region: Path):
    # two presses in a row, while CP-SAT's C++ search holds the main thread: Python runs its handler once.
    # The second comes before the first's stop is requested: timed (20 ms apart), the solve had sometimes
    # ended in between, and the second press then rightly raised in the script's own sleep
    done = _python(LIBRARY_CTRL_C, str(region), "auto", "0.2", "again")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["interrupted"] and result["seconds"] < 30 and result["handler"], result


def test_ctrl_c_before_the_first_plan_raises_keyboard_interrupt(monkeypatch):
    import importlib

    from hpplan.solution import Solution, SolveStats

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's default here")
    solve_module = importlib.import_module("hpplan.solve")  # `hpplan.solve` is the function
    seen = []

    def no_plan_yet(problem, options, baseline):
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 10
        while options.stop is not None and not options.stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(requested(options.stop))
        return Solution(status=Status.unknown, stats=SolveStats()), None

    monkeypatch.setattr(solve_module, "_solve", no_plan_yet)
    with pytest.raises(KeyboardInterrupt):
        solve(load_problem(SHIPPED), SolveOptions(time_limit=5))
    assert seen == [True]  # the Ctrl-C stopped the solve; `solve` raised, not Python's handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_library_solve_with_a_stop_request_or_a_handler_of_the_caller_s_takes_no_ctrl_c():
    from hpplan.stopping import stop_on_ctrl_c

    stop = StopRequest()
    with stop_on_ctrl_c(stop) as given:
        assert given is stop and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    own = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        handler = signal.getsignal(signal.SIGINT)
        with stop_on_ctrl_c(None) as given:
            assert given is None and signal.getsignal(signal.SIGINT) is handler
            assert not cp_solver().parameters.catch_sigint_signal  # CP-SAT leaves it to that handler too
    finally:
        signal.signal(signal.SIGINT, own)


def test_a_stop_while_cp_sat_s_model_is_built_gives_the_list_schedule_without_a_search(monkeypatch):
    # the build is Python and runs to its end (6-9 s at national scale); after it, CP-SAT was still run
    # from the list schedule (a second more, for the same plan) before the stop took effect
    import importlib

    solve_module = importlib.import_module("hpplan.solve")  # `hpplan.solve` is the function
    stop = StopRequest()
    build, searches = solve_module._build, []

    def build_then_ctrl_c(problem, baseline, given_stop):
        rollout = build(problem, baseline, None)
        stop.request()  # as a Ctrl-C in the build's last step
        return rollout

    monkeypatch.setattr(solve_module, "_build", build_then_ctrl_c)
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: searches.append(args) or 0)
    problem = load_problem(SHIPPED)
    solution = solve(problem, SolveOptions(time_limit=30, engine="cp-sat", stop=stop))
    assert searches == [] and solution.stats.stopped
    assert solution.stats.found_by == "greedy" and solution.status is Status.feasible
    assert "race skipped: stopped before it began" in solution.stats.phases
    assert_verified(problem, solution)


def test_a_stop_during_cp_sat_s_model_build_ends_the_build_at_its_next_constraint_group(monkeypatch):
    # national, --engine cp-sat: the build took 6-9 s of Python and a Ctrl-C waited for its end; now the
    # build asks the stop between its constraint groups and the list schedule is the plan at once
    import importlib

    from hpplan.model import constraints

    solve_module = importlib.import_module("hpplan.solve")
    stop = StopRequest()
    add_rules, later = constraints.add_rules, []

    def rules_then_ctrl_c(*args, **kwargs):
        add_rules(*args, **kwargs)
        stop.request()  # as a Ctrl-C while the rules are written

    monkeypatch.setattr(constraints, "add_rules", rules_then_ctrl_c)
    monkeypatch.setattr(constraints, "add_window_limits", lambda *args, **kwargs: later.append("limits"))
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: later.append("search") or 0)
    problem = load_problem(SHIPPED)
    solution = solve(problem, SolveOptions(time_limit=30, engine="cp-sat", stop=stop))
    assert later == []  # neither the next constraint group nor a search
    assert solution.stats.stopped and solution.status is Status.feasible
    assert solution.stats.found_by == "greedy"
    assert "stopped while CP-SAT's model was built" in solution.stats.phases
    assert_verified(problem, solution)


def test_build_model_raises_build_stopped_between_constraint_groups():
    from hpplan.model import BuildStopped, build_model

    problem = load_problem(SHIPPED)
    asked = []

    def stopped():
        asked.append(True)
        return len(asked) == 3

    with pytest.raises(BuildStopped):
        build_model(problem, symmetry=True, stopped=stopped)
    assert len(asked) == 3
    assert build_model(problem, symmetry=True, stopped=lambda: False).model.proto.constraints


def test_a_re_plan_s_build_is_not_stopped_it_has_no_plan_without_the_model():
    problem = load_problem(SHIPPED)
    base = solved(problem)
    stop = StopRequest()
    stop.request()
    solution, replan = solve_replan(problem, SolveOptions(time_limit=60, engine="cp-sat", stop=stop), Baseline(base))
    assert solution.found and "stopped while CP-SAT's model was built" not in solution.stats.phases
    assert_verified(problem, solution)


def test_a_sweep_ctrl_c_before_any_scenario_is_said_once(monkeypatch, capsys, tmp_path):
    # "interrupted before any scenario finished; to go on: ..." was followed by main()'s
    # "hpplan: interrupted (Ctrl-C)"
    from hpplan import cli, sweep

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep, "run_sweep", interrupted)
    spec = SHIPPED / "sweeps" / "readiness-risk.yaml"
    monkeypatch.setattr(sys, "argv", ["hpplan", "sweep", str(spec), "-n", "2", "--out", str(tmp_path / "r.jsonl")])
    with pytest.raises(SystemExit) as end:
        cli.main()
    assert end.value.code == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "interrupted before any scenario finished" in err and "hpplan: interrupted (Ctrl-C)" not in err, err


def test_a_re_plan_stopped_before_a_plan_of_its_own_gives_the_baseline_when_it_keeps_every_rule(monkeypatch):
    # regional-300 and national: CP-SAT's second from the baseline's hints found no plan, so a Ctrl-C in a
    # re-plan gave none at all; the baseline itself is a plan that changes nothing
    import importlib

    solve_module = importlib.import_module("hpplan.solve")
    problem = load_problem(SHIPPED)
    base = solved(problem)
    stop = StopRequest()
    stop.request()
    monkeypatch.setattr(solve_module, "run_solver", lambda *args, **kwargs: cp_model.UNKNOWN)
    solution, replan = solve_replan(problem, SolveOptions(time_limit=60, engine="cp-sat", stop=stop), Baseline(base))
    assert solution.status is Status.feasible and solution.stats.found_by == "baseline"
    assert {a.id: a.window for a in solution.plan} == {a.id: a.window for a in base.plan}
    assert (replan.moved, replan.movement) == (0, 0)
    assert_verified(problem, solution)
    # a baseline this data does not take (an organisation it leaves out is mandatory): it was no plan; now the
    # baseline repaired by the list scheduler (session 26), orkland placed, everyone else kept
    partial = Solution(status=base.status, plan=[a for a in base.plan if a.id != "orkland"])
    solution, replan = solve_replan(problem, SolveOptions(time_limit=60, engine="cp-sat", stop=stop),
                                    Baseline(partial))
    assert (solution.status, solution.stats.found_by) == (Status.feasible, "baseline repair")
    assert solution.assignment("orkland").go_live is not None and replan.proven is False
    assert_verified(problem, solution)
