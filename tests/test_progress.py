"""The solve progress display (progress.py): shown on a terminal, silent when piped or quiet."""

from __future__ import annotations

import io
import re

from ortools.sat.python import cp_model
from rich.console import Console

from hpplan.progress import SolveProgress, gap, progress_enabled, solve_progress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal(width: int = 120) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=width, color_system="standard"), out


def piped() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=False, width=120), out


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_line_shows_elapsed_best_bound_and_gap():
    console, _ = terminal()
    clock = Clock()
    progress = SolveProgress(console, clock=clock)
    progress.started = clock.now
    assert progress.line().plain == "solving (solve) 0.0 s · no plan yet"
    clock.now += 12.34
    progress.update(objective=6_692_597, bound=6_500_000, solution=True, phase="objective")
    assert progress.line().plain == (
        "solving (objective) 12.3 s · best 6 692 597 · bound 6 500 000 · gap 2.88% · 1 solution"
    )
    progress.update(bound=6_692_597)
    progress.update(objective=6_692_597, solution=True)
    assert progress.line().plain.endswith("gap 0.00% · 2 solutions")
    # a phase of several solver runs (the tie-break: one per organisation) counts them
    solver = cp_model.CpSolver()
    for _ in range(3):
        progress.attach(solver, "tie-break")
    assert progress.line().plain == "solving (tie-break, run 3) 12.3 s · searching"
    assert solver.best_bound_callback == progress.on_bound
    assert gap(None, 1.0) is None and gap(10.0, 10.0) == 0.0
    # a run that says where it is in its phase: the step, not a count (HiGHS's blocks come between)
    progress.attach(solver, "tie-break", "12/77")
    assert progress.line().plain == "solving (tie-break 12/77) 12.3 s · searching"
    progress.update(phase="tie-break (HiGHS)", step="13-20/77")
    assert progress.line().plain.startswith("solving (tie-break (HiGHS) 13-20/77) 12.3 s")
    progress.update(phase="objective")
    assert progress.line().plain.startswith("solving (objective) 12.3 s")
    # with --gap: where the solve stops
    progress.gap_target = 0.005
    progress.update(objective=6_692_597, bound=6_600_000, solution=True, phase="objective")
    assert "gap 1.38% (stops at 0.5%)" in progress.line().plain


def test_line_fits_the_terminal_leaving_out_the_least_first():
    clock = Clock()
    progress = SolveProgress(terminal()[0], clock=clock)
    progress.started = clock.now
    progress.gap_target = 0.005
    progress.update(objective=6_692_597, bound=6_600_000, solution=True, phase="objective")
    full = progress.line().plain
    assert full == "solving (objective) 0.0 s · best 6 692 597 · bound 6 600 000 · gap 1.38% (stops at 0.5%) · 1 solution"
    assert progress.line(len(full)).plain == full
    assert progress.line(len(full) - 1).plain == full.replace(" · 1 solution", "")
    assert progress.line(72).plain == "solving (objective) 0.0 s · best 6 692 597 · bound 6 600 000 · gap 1.38%"
    assert progress.line(71).plain == "solving (objective) 0.0 s · best 6 692 597 · gap 1.38%"
    assert progress.line(20).plain == "solving (objective)…"  # cut with a mark, never "best 8 564"
    # drawn on a 60-column terminal: one line of at most 60 characters
    console, out = terminal(60)
    with solve_progress(console, delay=0) as shown:
        shown.update(objective=6_692_597, bound=6_600_000, solution=True, phase="tie-break (HiGHS)",
                     step="13-20/77")
        shown.refresh()
    drawn = [line for line in ANSI.sub("", out.getvalue()).replace("\r", "\n").splitlines() if line.strip()]
    assert drawn and all(len(line) <= 60 for line in drawn), drawn


def test_live_display_on_a_terminal_then_removed():
    console, out = terminal()
    clock = Clock()
    with solve_progress(console, delay=0) as progress:
        assert isinstance(progress, SolveProgress) and progress.showing
        progress.clock = clock
        progress.started = clock.now
        clock.now += 3.5
        progress.update(objective=120, bound=100, solution=True, phase="objective")
        progress.refresh()
    text = ANSI.sub("", out.getvalue())
    assert "solving (objective) 3.5 s · best 120 · bound 100 · gap 16.67% · 1 solution" in text
    assert not progress.showing
    # transient: the display ends by moving back over its line and erasing it
    assert out.getvalue().rstrip("\n").endswith("\x1b[2K")


def test_a_message_stays_above_the_live_line():
    # Ctrl-C's "stopping" message: printed around the live display it would be wiped at the next redraw
    console, out = terminal()
    with solve_progress(console, delay=0) as progress:
        progress.update(objective=120, bound=100, solution=True, phase="objective")
        progress.say("hpplan: stopping (Ctrl-C)")
        progress.refresh()
    raw = out.getvalue()
    after = raw.split("hpplan: stopping (Ctrl-C)\n", 1)[1]
    # the live display never moves the cursor up past its own lines: the message line stays on screen
    assert after.count("\x1b[1A") <= after.count("\n")


def test_quiet_when_piped_or_asked():
    console, out = piped()
    assert not progress_enabled(console)
    with solve_progress(console, delay=0) as progress:
        assert progress is None
    assert out.getvalue() == ""
    console, out = terminal()
    assert progress_enabled(console) and not progress_enabled(console, quiet=True)
    with solve_progress(console, quiet=True, delay=0) as progress:
        assert progress is None
    with solve_progress(console, enabled=False, delay=0) as progress:
        assert progress is None
    assert out.getvalue() == ""


def test_short_solves_show_nothing():
    console, out = terminal()
    with solve_progress(console, delay=30) as progress:
        progress.update(objective=1, bound=1, solution=True)
        assert not progress.showing
    assert out.getvalue() == ""


def _model() -> cp_model.CpModel:
    """A small knapsack-like model with a few improving solutions."""
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{i}") for i in range(12)]
    weights = [3, 5, 7, 2, 9, 4, 6, 8, 1, 5, 7, 3]
    values = [4, 6, 9, 3, 11, 5, 7, 10, 1, 6, 8, 4]
    model.add(sum(w * x for w, x in zip(weights, xs)) <= 25)
    model.maximize(sum(v * x for v, x in zip(values, xs)))
    return model


def test_callback_follows_a_real_solve_through_phases():
    console, out = terminal()
    model = _model()
    with solve_progress(console, delay=0) as progress:
        for phase in ("objective", "tie-break"):
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            status = solver.solve(model, progress.attach(solver, phase))
            assert status == cp_model.OPTIMAL
            assert progress.phase == phase
            assert progress.solutions >= 1
            assert progress.objective == solver.objective_value
            assert progress.bound is not None and gap(progress.objective, progress.bound) == 0
            progress.refresh()
    assert solver.best_bound_callback is not None
    assert "solving (tie-break)" in ANSI.sub("", out.getvalue())


def test_the_callback_does_not_change_the_result():
    model = _model()
    plain = cp_model.CpSolver()
    plain.parameters.num_workers = 1
    plain.solve(model)
    console, _ = terminal()
    with solve_progress(console, delay=0) as progress:
        watched = cp_model.CpSolver()
        watched.parameters.num_workers = 1
        watched.solve(model, progress.attach(watched))
    assert watched.objective_value == plain.objective_value
