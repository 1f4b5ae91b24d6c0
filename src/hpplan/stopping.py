"""Stopping a solve before its time limit: on request (a notebook, a timer, another thread) or by
Ctrl-C on the command line.

`StopRequest` is the library's side: pass one in `SolveOptions(stop=...)` and call `request()` from
any thread; the solve stops every engine, skips what it has not started, and returns the best plan it
has found so far (`Solution.stats.stopped`). `ctrl_c(stop)` is the command line's side: while it is
active, a first Ctrl-C requests the stop (or, for a command without one, ends it: exit 130, nothing
written) and a second ends the process at once.

Why a socket pair and a watcher thread: Python runs a signal handler only in the main thread, between two
bytecodes, and the main thread may sit in CP-SAT's C++ search for the whole time limit. CPython's own C
handler writes each signal's number to the file descriptor given to `signal.set_wakeup_fd` as it
arrives; a thread reading the other end acts at once. CP-SAT must then not install its own SIGINT handler
(`catch_sigint_signal`, on by default), which would replace ours and leave SIGINT at the system default
after the search: `cp_solver()` creates every CP-SAT solver accordingly (PyJobShop's, made by PyJobShop,
gets the same `sigint_parameters`).

The library takes Ctrl-C the same way (`stop_on_ctrl_c`, docs/solve.md "From Python"): a solve called
from the main thread with Python's own SIGINT handler and no `SolveOptions.stop` is stopped as a whole
by the first Ctrl-C and returns its best plan so far; a second raises KeyboardInterrupt. A SIGINT handled
otherwise (a handler of the caller's, an ignored SIGINT) is left alone, and every CP-SAT solve leaves
SIGINT's handler as it found it (`keep_sigint`): a notebook's next Ctrl-C still interrupts it.
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import os
import signal
import socket
import sys
import threading
from typing import Callable, Iterator

from ortools.sat.python import cp_model

#: the exit code of a command ended by Ctrl-C (128 + SIGINT, as shells report it)
EXIT_INTERRUPTED = 130
#: the exit code of a command ended by SIGTERM (128 + 15, as shells report a process it ended)
EXIT_TERMINATED = 128 + signal.SIGTERM


class StopRequest:
    """Ask a running solve to stop and return its best plan so far. Thread-safe; once requested it
    stays requested. `is_set()` lets it serve where an event is polled (HiGHS's interrupt callback)."""

    def __init__(self) -> None:
        #: the signal that requested the stop on the command line (`ctrl_c`: SIGTERM), else None (a Ctrl-C,
        #: a caller's request): the command's exit code and its words follow it
        self.signal: int | None = None
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._stops: list[Callable[[], None]] = []

    def request(self) -> None:
        """Stop whatever the solve is running, and let it start nothing more."""
        self._event.set()
        with self._lock:
            stops = list(self._stops)
        for stop in stops:
            stop()

    def is_set(self) -> bool:
        return self._event.is_set()

    def on_request(self, stop: Callable[[], None]) -> None:
        """A request calls `stop` (at once if it came already)."""
        with self._lock:
            self._stops.append(stop)
        if self._event.is_set():
            stop()

    @contextlib.contextmanager
    def watching(self, stop: Callable[[], None]) -> Iterator[None]:
        """`on_request(stop)` while the block runs."""
        self.on_request(stop)
        try:
            yield
        finally:
            with self._lock:
                self._stops.remove(stop)


def requested(stop: StopRequest | None) -> bool:
    return stop is not None and stop.is_set()


@contextlib.contextmanager
def watching(stop: StopRequest | None, fn: Callable[[], None]) -> Iterator[None]:
    """`stop.watching(fn)`, or nothing when there is no stop request."""
    if stop is None:
        yield
    else:
        with stop.watching(fn):
            yield


def stop_check(stop) -> Callable[[], bool] | None:
    """`stop` as a function that says whether to stop: anything with `is_set()` (a `threading.Event`,
    a `StopRequest`) or a callable; None: never."""
    if stop is None:
        return None
    return stop.is_set if hasattr(stop, "is_set") else stop


class SearchStop:
    """What `stopping_search` did: `stopped` once it stopped the search."""

    stopped = False


@contextlib.contextmanager
def stopping_search(solver: cp_model.CpSolver, stop) -> Iterator[SearchStop]:
    """While the block runs CP-SAT's search, polls `stop` (`stop_check`) every 20 ms and stops the
    search once it says so, again at each poll: a `stop_search` before CP-SAT has begun is lost."""
    watch = SearchStop()
    check = stop_check(stop)
    if check is None:
        yield watch
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.02):
            if check():
                watch.stopped = True
                solver.stop_search()

    thread = threading.Thread(target=poll, name="cp-sat-stop", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        done.set()
        thread.join()


@contextlib.contextmanager
def keep_sigint() -> Iterator[None]:
    """SIGINT's handler after the block as it was before it. CP-SAT installs its own while it solves
    (`catch_sigint_signal`) and leaves SIGINT at the system default afterwards, while Python still
    reports its handler: the next Ctrl-C would end the process without a word (a notebook's kernel,
    a sweep's workers left running). Only the main thread can set a handler, so elsewhere nothing
    (`_CpSolver.solve` keeps CP-SAT's off there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        if handler is not None:  # None: not installed from Python, nothing to put back
            signal.signal(signal.SIGINT, handler)


def python_ctrl_c() -> bool:
    """Whether Ctrl-C is Python's own here: in the main thread (only there does Python run a handler),
    with the handler that raises KeyboardInterrupt. Anything else is someone's choice, left alone: the
    command line's `ctrl_c`, a handler of the caller's, an ignored SIGINT (a sweep's workers)."""
    return (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler)


def sigint_parameters() -> dict[str, bool]:
    """CP-SAT's parameters for Ctrl-C in a solve started here: its own SIGINT handler only where Ctrl-C is
    Python's own (`python_ctrl_c`). For `cp_solver`, and by keyword for a solver made elsewhere
    (PyJobShop's, `psplib.solve_pyjobshop`), run under `keep_sigint`."""
    return {} if python_ctrl_c() else {"catch_sigint_signal": False}


class _CpSolver(cp_model.CpSolver):
    """CP-SAT's solver, every solve of it leaving SIGINT as it found it (`keep_sigint`), and taking
    Ctrl-C over only where it is Python's own (`sigint_parameters`; checked again as it starts: the
    solver may have been made elsewhere)."""

    def solve(self, model: cp_model.CpModel, solution_callback: cp_model.CpSolverSolutionCallback | None = None):
        for name, value in sigint_parameters().items():
            setattr(self.parameters, name, value)
        with keep_sigint():
            return super().solve(model, solution_callback)


def cp_solver() -> cp_model.CpSolver:
    """A CP-SAT solver for every solve hpplan runs; each solve leaves SIGINT as it was (`_CpSolver`).
    CP-SAT takes Ctrl-C over while it searches (its default: Ctrl-C stops the search, where Python's
    KeyboardInterrupt would come only after it) only where Ctrl-C is Python's own (`python_ctrl_c`):
    `explain` and `check` called from a notebook rely on it (`hpplan.solve` has `stop_on_ctrl_c`). Not
    under `ctrl_c`, nor over a handler of the caller's, nor outside the main thread (its handler would
    stop one search of many, and nothing there could put Python's back)."""
    solver = _CpSolver()
    for name, value in sigint_parameters().items():
        setattr(solver.parameters, name, value)
    return solver


@contextlib.contextmanager
def stop_on_ctrl_c(stop: StopRequest | None) -> Iterator[StopRequest | None]:
    """Ctrl-C for a solve the library runs (`hpplan.solve`; docs/solve.md "From Python"): without a
    stop request of its own (`SolveOptions.stop`) and where Ctrl-C is Python's own (`python_ctrl_c`),
    the block is run under `ctrl_c` with a new stop request: the first Ctrl-C stops the whole solve at
    once, as the command line's does, and a second raises KeyboardInterrupt. Yields the stop request
    the solve is to use (`stop` itself when Ctrl-C is left to whoever handles it)."""
    if stop is not None or not python_ctrl_c():
        yield stop
        return
    stop = StopRequest()
    with ctrl_c(stop, say=lambda text: None, keep_process=True):
        yield stop


@contextlib.contextmanager
def ctrl_c(stop: StopRequest | None, say: Callable[[str], None] | None = None, *,
           keep_process: bool = False) -> Iterator[None]:
    """Handle Ctrl-C for a command while the block runs. With `stop`, the first Ctrl-C requests it
    and says so; without, or at the second, the process ends with `EXIT_INTERRUPTED` (outputs are
    written atomically, so nothing is left half-written; a temporary file being written is removed:
    `io.remove_unfinished`). A command's (not `keep_process`) SIGTERM (a CI job cancelled, `timeout`, a
    service stopped) is taken as a Ctrl-C, its exit code `EXIT_TERMINATED` (`StopRequest.signal` says which
    came). A SIGINT or SIGTERM the process was started with ignored (a script's `hpplan solve ... &`) stays
    ignored. With `keep_process` (the library's, `stop_on_ctrl_c`), KeyboardInterrupt is raised in the main
    thread instead, as soon as it runs Python again: the caller (a notebook's kernel) lives on; SIGTERM is
    left alone. Outside the main thread: nothing (Python takes signals there only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    signals = [signum for signum in (signal.SIGINT, *(() if keep_process else (signal.SIGTERM,)))
               if signal.getsignal(signum) is not signal.SIG_IGN]
    if not signals:
        yield
        return
    read_end, write_end = socket.socketpair()  # a socket: `set_wakeup_fd` takes no pipe on Windows
    write_end.setblocking(False)
    presses = [0]
    terminated = [False]

    def abort() -> None:
        # written here, not through `say`: the progress display would draw its line again below the
        # message, and the process ends before it could clear it (the shell's prompt came after it)
        from .io import remove_unfinished

        remove_unfinished()
        message = f"hpplan: {'terminated (SIGTERM)' if terminated[0] else 'interrupted (Ctrl-C)'}; nothing written\n"
        if sys.stderr.isatty():  # clear the progress line, show the cursor it hides
            message = "\r\x1b[2K\x1b[?25h" + message
        sys.stderr.write(message)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(EXIT_TERMINATED if terminated[0] else EXIT_INTERRUPTED)

    def watch() -> None:
        while True:
            try:
                data = read_end.recv(64)
            except OSError:
                return
            if not data:  # the write end is closed: the block is over
                return
            for number in data:
                if number not in signals:
                    continue
                presses[0] += 1
                terminated[0] = terminated[0] or number == signal.SIGTERM
                if stop is None or presses[0] > 1:
                    if not keep_process:
                        abort()
                    if presses[0] == (1 if stop is None else 2):  # once: its own byte comes back here
                        # Python's handler may have run for this press before it was counted here, and
                        # two presses while the main thread is in a solver's C++ call reach it as one
                        _thread.interrupt_main()
                    continue
                if number == signal.SIGTERM:
                    stop.signal = number
                    say("hpplan: stopping (SIGTERM): the best plan found so far is kept; a second signal aborts")
                else:
                    say("hpplan: stopping (Ctrl-C): the best plan found so far is kept; Ctrl-C again aborts")
                stop.request()

    raised = [False]

    def interrupt(signum, frame) -> None:
        """Python's handler: the watcher acts; with `keep_process`, KeyboardInterrupt (once) where the
        command would end the process."""
        if keep_process and not raised[0] and (stop is None or presses[0] > 1):
            raised[0] = True
            raise KeyboardInterrupt

    previous_handlers = {signum: signal.signal(signum, interrupt) for signum in signals}
    previous_fd = signal.set_wakeup_fd(write_end.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="hpplan-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        raised[0] = True  # the block is over: no KeyboardInterrupt from `interrupt` now
        signal.set_wakeup_fd(previous_fd)
        write_end.close()
        watcher.join()
        # ours until the watcher has ended: a nudge of its (`interrupt_main`) still pending runs
        # `interrupt` at the next Python call (this one), not the previous handler
        read_end.close()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)


class Terminated(KeyboardInterrupt):
    """A SIGTERM outside a solve (`terminate_as_interrupt`): unwound as a Ctrl-C is (a write under way
    removes its temporary file), the command ending with `EXIT_TERMINATED`."""


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the command line's run lasts (`cli.main`): SIGTERM raises `Terminated` in the main thread, where
    the system's default would end the process at once (a temporary file left beside an output, no word on
    stderr). Not where the process was started with SIGTERM ignored, nor outside the main thread. A solve's
    `ctrl_c` and a sweep's `sweep.run.sigterm_as_ctrl_c` take it over while they run. After the block the
    handler is the one before it: a SIGTERM as the interpreter shuts down ended the process with a traceback
    ("Exception ignored in: <module 'threading'>"), the command's work done."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        yield
        return

    def terminate(signum, frame) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ends_on_ctrl_c(command: Callable) -> Callable:
    """A command that Ctrl-C ends at once (exit 130, nothing written): one whose answer would mislead
    if a search in it were cut short (`explain`, `check`, `compare`)."""

    @functools.wraps(command)  # typer reads the options from the wrapped signature
    def run(*args, **kwargs):
        with ctrl_c(None):
            return command(*args, **kwargs)

    return run
