"""Progress of a long solve on the terminal: elapsed time, best objective, bound and gap (docs/report.md).

    with solve_progress(Console(stderr=True), quiet=quiet) as progress:
        solution = solve(problem, SolveOptions(..., progress=progress))

`solve_progress` yields a `SolveProgress` (a CP-SAT solution callback with a live one-line display on
the console) when the console is a terminal and `quiet` is not set, else None: piped output, CI logs and
`--quiet` stay silent and the solver runs without a callback. `solve.py` passes it to each solver run:

    code = solver.solve(model, progress.attach(solver, "objective") if progress else None)

`attach` names the phase and registers the bound callback on that solver; the callback receives every
improving solution (`on_solution_callback`) and every better bound. What the display heard before any
phase was named stays with the first phase: in a race (hpplan.portfolio) that is the list schedule's
verified plan, which enters the race before the engines start, so the line shows its objective
(`best 28 316 157 (list schedule)`) until an engine beats it, not `searching`. Nothing is shown for solves shorter
than `delay` seconds, and the line is removed when the solve ends (`transient`), so that the plan
printed afterwards is all that stays on the screen.

The display never changes the search: callbacks only read the solver's values.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from ortools.sat.python import cp_model
from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from .formats import fmt_number
from .render import on_a_terminal

#: seconds before the display appears: short solves show nothing
DEFAULT_DELAY = 0.5


def progress_enabled(console: Console, quiet: bool = False) -> bool:
    """Show progress only on an interactive terminal (its file's `isatty`, as `hpplan sweep` decides:
    `FORCE_COLOR`, which CI sets for colour, makes rich take a pipe or a file for a terminal, and a CI
    log got a spinner frame 4 times a second), not a dumb one, and not when asked to be quiet."""
    return not quiet and on_a_terminal(console) and not console.is_dumb_terminal


def gap(objective: float | None, bound: float | None) -> float | None:
    """The relative gap between the best objective and the bound (as solve.py computes it)."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


class RaceHook:
    """A `SolveOptions.progress` hook that only hears the race's best objective and bound (`update`;
    `Race.offer` calls it) and follows no CP-SAT run of its own (`attach` returns None). It only reads:
    the plan is the same. Subclasses override `update`."""

    def attach(self, solver: cp_model.CpSolver, phase: str = "objective", step: str | None = None) -> None:
        return None

    def update(self, *, objective: float | None = None, bound: float | None = None, solution: bool = False,
               phase: str | None = None, step: str | None = None) -> None:
        pass


class SolveProgress(cp_model.CpSolverSolutionCallback):
    """A CP-SAT solution callback that shows how the solve goes on a live line of the console."""

    def __init__(self, console: Console, *, delay: float = DEFAULT_DELAY, refresh_per_second: float = 4,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.console = console
        self.delay = delay
        self.refresh_per_second = refresh_per_second
        self.clock = clock
        self.started = clock()
        self.phase = "solve"
        self.objective: float | None = None
        self.bound: float | None = None
        self.solutions = 0
        self.runs = 0  # solver runs in this phase, counted where they name no step of their own
        self.step: str | None = None  # where a phase of many runs is ("12/77")
        self.found = False  # a solution in any phase so far
        self.named = False  # a phase named yet (`attach`, `update(phase=...)`)
        #: the objective heard before any phase was named: the list schedule's, shown as such while it is the best
        self.list_schedule: float | None = None
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._timer: threading.Timer | None = None
        self._stopped = False
        self._spinner = Spinner("dots", text=Text(""), style="cyan")
        #: the gap at which the solve stops (`SolveOptions.gap`, `--gap`; 0: none), shown beside the gap
        self.gap_target = 0.0

    # ---- what the solver calls ------------------------------------------------------------------

    def attach(self, solver: cp_model.CpSolver, phase: str = "objective", step: str | None = None) -> "SolveProgress":
        """Prepare for one solver run: name its phase and, in a phase of many runs, its `step` (its values
        start afresh) and register the bound callback. Returns self, for
        `solver.solve(model, progress.attach(solver, phase))`."""
        with self._lock:
            self.runs = self.runs + 1 if phase == self.phase else 1
            self.phase, self.step = phase, step
            if self.named:  # else the values heard so far (the list schedule's plan) are this phase's
                self.objective = None
                self.bound = None
                self.solutions = 0
                self.list_schedule = None
            self.named = True
        solver.best_bound_callback = self.on_bound
        return self

    def on_solution_callback(self) -> None:  # CP-SAT: a better solution
        self.update(objective=self.objective_value, bound=self.best_objective_bound, solution=True)

    def on_bound(self, bound: float) -> None:  # CP-SAT: a better bound
        self.update(bound=bound)

    # ---- state ----------------------------------------------------------------------------------

    def update(self, *, objective: float | None = None, bound: float | None = None, solution: bool = False,
               phase: str | None = None, step: str | None = None) -> None:
        """Record new values (thread-safe: the solver calls from its own threads); a new `phase` comes
        with its `step`, if any."""
        with self._lock:
            if phase is not None:
                if phase != self.phase:
                    self.runs = 0  # the phase's first solver run (`attach`) counts 1
                self.phase, self.step = phase, step
                self.named = True
            if objective is not None:
                if not self.named and solution and self.list_schedule is None:  # the race's first plan
                    self.list_schedule = objective
                self.objective = objective
            if bound is not None:
                self.bound = bound
            if solution:
                self.solutions += 1
                self.found = True

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def line(self, width: int | None = None) -> Text:
        """`solving (objective) 12.3 s · best 6 692 597 · bound 6 500 000 · gap 2.87% · 14 solutions`; a
        phase of several runs says where it is (`solving (tie-break 12/77) ...`: the 12th of 77 steps) or
        counts them (`run 3`); a best that is still the list schedule's says so (`(list schedule)`).
        Within `width` characters: the solution count, then where the best comes from, where `--gap`
        stops and the bound are left out first, and what still does not fit is cut (one line, never
        two)."""
        with self._lock:
            phase, step, objective, bound, solutions = self.phase, self.step, self.objective, self.bound, self.solutions
            runs, found, first = self.runs, self.found, self.list_schedule
        where = f" {step}" if step else f", run {runs}" if runs > 1 else ""
        parts: list[tuple[str, str, int]] = [  # (text, style, which to leave out first: higher first)
            (f"solving ({phase}{where}) ", "bold", 0),
            (f"{self.elapsed:.1f} s", "", 0),
        ]
        if objective is None:
            parts.append((" · searching" if found else " · no plan yet", "dim", 0))
        else:
            parts += [(" · best ", "", 0), (fmt_number(round(objective, 3)), "bold", 0)]
            if first is not None and objective == first:
                parts.append((" (list schedule)", "dim", 3))
        if bound is not None:
            parts.append((f" · bound {fmt_number(round(bound, 3))}", "", 1))
        value = gap(objective, bound)
        if value is not None:
            parts.append((f" · gap {value * 100:.2f}%", "green" if value == 0 else "yellow", 0))
            if self.gap_target:
                parts.append((f" (stops at {self.gap_target * 100:g}%)", "dim", 2))
        if solutions:
            parts.append((f" · {solutions} solution{'s' if solutions != 1 else ''}", "dim", 4))
        for level in (4, 3, 2, 1):
            if width is None or sum(len(t) for t, _, _ in parts) <= width:
                break
            parts = [part for part in parts if part[2] < level]
        text = Text()
        for part, style, _ in parts:
            text.append(part, style=style)
        if width is not None:  # cut with a mark: "best 8 564" would read as a number
            text.truncate(max(width, 1), overflow="ellipsis")
        return text

    def __rich__(self) -> Spinner:
        self._spinner.update(text=self.line(self.console.width - 2))  # the spinner's frame and a space
        return self._spinner

    # ---- the display ----------------------------------------------------------------------------

    def start(self) -> None:
        """Show the live line (after `delay` seconds)."""
        self.started = self.clock()
        if self.delay <= 0:
            self._show()
        else:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._stopped or self._live is not None:
                return
            self._live = Live(self, console=self.console, transient=True, refresh_per_second=self.refresh_per_second,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start()

    def refresh(self) -> None:
        """Redraw now (the display also redraws by itself, `refresh_per_second` times a second)."""
        live = self._live
        if live is not None:
            live.refresh()

    def stop(self) -> None:
        """Remove the live line; nothing of it stays on the screen."""
        with self._lock:
            self._stopped = True
            timer, live, self._live = self._timer, self._live, None
        if timer is not None:
            timer.cancel()
        if live is not None:
            live.stop()

    @property
    def showing(self) -> bool:
        return self._live is not None

    def say(self, text: str) -> None:
        """A message above the live line (printed elsewhere, the next redraw would wipe it); from any
        thread (Ctrl-C's watcher: `hpplan.stopping.ctrl_c`)."""
        self.console.print(Text(text), highlight=False)

    def __enter__(self) -> "SolveProgress":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def solve_progress(console: Console | None = None, enabled: bool | None = None, *, quiet: bool = False,
                   delay: float = DEFAULT_DELAY) -> Iterator[SolveProgress | None]:
    """A `SolveProgress` on `console` (default: stderr) while the block runs, or None when progress is
    not to be shown: `enabled` False, or (`enabled` None) the console is not a terminal or `quiet`."""
    console = console or Console(stderr=True)
    if enabled is None:
        enabled = progress_enabled(console, quiet)
    if not enabled or quiet:
        yield None
        return
    with SolveProgress(console, delay=delay) as progress:
        yield progress


__all__ = ["SolveProgress", "gap", "progress_enabled", "solve_progress"]
