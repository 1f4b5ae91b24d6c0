"""Running a sweep: many scenarios in parallel, streamed to a results file that a resume continues.

    records = run_sweep(context, Path("results.jsonl"), backend_factory=local_backend(jobs=2))

Backends run the same task function, `sample.run_scenario(context, index)`:

- `InlineBackend`: in this process, one at a time (`--jobs 1`);
- `LocalBackend`: a `concurrent.futures.ProcessPoolExecutor` on this machine's cores (the default);
- `DaskBackend`: a Dask distributed cluster, an existing one (`--scheduler tcp://HOST:PORT`) or a
  `LocalCluster` on the loopback address (`--dask`). The context is scattered to the workers once.

The results file is JSON Lines: a `header` record (the spec, and a hash of everything the results depend
on; a resume with more samples appends one, and the last counts), the `base` record (the plan of the unchanged data, that delays are measured against), then one
`result` record per finished scenario in the order they finish, each flushed and fsync'ed before the
next. `--resume` reads it back, refuses it when the hash differs, drops a torn last line, and runs only
the scenarios not in it. No scenario that finished is lost, and none is run twice into the file. The file
changes only once the run has started (its backend is made and has solved the base plan; resuming, once it
is made): a new file (or one `--overwrite` replaces) is written beside it and renamed over it then, so a
sweep that cannot start, or whose base has no plan, leaves the old one as it was. A file another sweep
holds is refused, and so is one another sweep made since (two sweeps started together on a new file:
the second to start is refused, `ResultsFile._place`). A full disk stops the sweep with
`ResultsUnwritable`, the file holding whole records (the one cut short taken back out where it can be).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import signal
import stat
import sys
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import InputError, Location
from ..io import check_writable, temp_file_beside
from ..io import readable
from .. import stopping
from ..stopping import keep_sigint
from .sample import add_delays, base_plan, run_scenario
from .spec import SweepContext, SweepSpec

FORMAT = 1


class SweepError(Exception):
    """The sweep cannot run (not a scenario's failure: those are records). `started`, set by `run_sweep`:
    whether the run had started, and so changed the results file, before it stopped (False: the file is
    as it was, or was not made)."""

    started: bool = False


class NoBasePlan(SweepError):
    def __init__(self, record: dict):
        self.record = record
        super().__init__(f"the base data has no plan ({record.get('status')}: {record.get('reason')}); "
                         "a sweep measures delays against it: fix the data first (hpplan check)")


class BaseFailed(NoBasePlan):
    """The base plan's task failed (status `error`: an exception in it, or a plan the verifier rejected).
    That is a bug in hpplan (or a resource problem), not a fault of the data that `hpplan check` would
    find: said so, rather than "the base data has no plan"."""

    def __init__(self, record: dict):
        self.record = record
        SweepError.__init__(self, f"internal error: the base plan failed ({record.get('reason')}). This is a bug in "
                                  "hpplan, not in the data; please report it with the spec and the data")


class ResultsUnwritable(SweepError):
    """The results file took no more (a full disk, a quota, an I/O error) while the sweep ran: the sweep
    stops, keeping what is in the file. `done`: the scenarios saved in it; `torn`: whether a record cut
    short by the error could not be taken back out (its line is incomplete: `--resume` drops it)."""

    def __init__(self, path: Path, reason: str, torn: bool = False):
        self.path, self.reason, self.torn = Path(path), reason, torn
        self.done, self.total = 0, 0
        super().__init__(f"cannot write {path}: {reason}")

    def said(self, wording: "Wording") -> str:
        """What happened and what is kept, for whoever runs the sweep."""
        if not self.started:
            return f"cannot write {self.path}: {self.reason}; nothing ran, and it is as it was"
        kept = (f"{self.done} of {self.total} scenarios are saved in it" if self.total
                else "the scenarios that finished are saved in it")
        torn = (f"; its last line, the record being written, is incomplete, and {wording.resume} drops it"
                if self.torn else "")
        return f"cannot write {self.path}: {self.reason}; {kept}{torn}"


class Interrupted(SweepError):
    def __init__(self, done: int, total: int, path: Path, started: bool = True):
        self.done, self.total, self.path, self.started = done, total, path, started
        super().__init__(f"interrupted: {done} of {total} scenarios are done and saved in {path}" if started or done
                         else f"interrupted before the sweep started: nothing ran, and {path} was not changed")


@dataclass(frozen=True)
class Wording:
    """How the sweep's messages name the arguments that choose the results file: `run_sweep`'s (`PYTHON`)
    or the command's options (`COMMAND_LINE`); and the likely cause of worker processes that cannot start
    (`WorkersCannotStart`), said after the error, or "" where there is none to name."""

    out: str
    resume: str
    overwrite: str
    workers_cannot_start: str = ""
    #: how to ask for each `plan` mode (a results file made in the other one says it)
    replan: str = "plan: replan in the spec"
    fresh: str = "plan: fresh in the spec"


PYTHON = Wording(out="out=", resume="resume=True", overwrite="overwrite=True", workers_cannot_start=(
    "In a script that runs a sweep, the likely cause is a missing `if __name__ == \"__main__\":` guard around it: "
    "worker processes are started with spawn and import the script again (docs/sweep.md \"From Python\"); "
    "inline_backend() runs without them"))
#: the command line has no script to guard: the workers' own error (on stderr) says why they could not start
COMMAND_LINE = Wording(out="--out", resume="--resume", overwrite="--overwrite", replan="add --replan",
                       fresh="add --fresh")


# --------------------------------------------------------------------------------------------------
# the results file


def header_record(context: SweepContext) -> dict:
    spec = context.spec
    return {
        "type": "header", "format": FORMAT, "hash": context.digest(),
        # the paths as the summaries show them (`readable`: a folder name that is not UTF-8, `lat\\xe5`);
        # not in the hash, which the data's content makes
        "hpplan": _version(), "spec": readable(context.file), "data": readable(context.data),
        "description": " ".join(spec.description.split()), "kind": spec.kind,
        "seed": spec.seed if spec.kind == "monte_carlo" else None, "size": spec.size,
        "scenarios": [readable(s) for s in spec.scenarios],
        "axes": [{"label": a.label, "values": a.points()} for a in spec.grid],
        "risks": [{"actor": r.id, "slip": r.slip.describe() if r.slip else None,
                   "signing": r.signing.model_dump() if r.signing else None} for r in context.actors],
        "live_by": [d.isoformat() for d in spec.live_by],
        "solver": {"time_limit": spec.time_limit, "base_time_limit": spec.base_seconds, "work_limit": spec.work_limit,
                   "gap": spec.gap,
                   "engine": spec.engine, "workers": spec.workers, "seed": spec.solver_seed, "plan": spec.plan},
    }


def changed_inputs(found: dict, header: dict) -> str:
    """What differs between a results file's header and this sweep's, for a refusal: " (seed: 7 -> 8)";
    empty when no field shown in the header differs (the data's content, say). Not the size: more or
    fewer samples go on with a file (a grid's size is its axes)."""
    fields = [("spec", "spec"), ("kind", "kind"), ("seed", "seed"), ("hpplan", "hpplan"), ("data", "data"),
              ("scenarios", "scenarios"), ("axes", "axes"), ("risks", "risks")]
    fields += [(f"solver.{k}", k) for k in ("time_limit", "base_time_limit", "work_limit", "gap", "engine", "workers",
                                            "seed", "plan")]

    def get(header: dict, key: str):
        record = header
        for part in key.split("."):
            record = record.get(part) if isinstance(record, dict) else None
        if key == "solver.plan" and record is None:
            return "fresh"  # a file made before the key: every scenario planned from scratch
        if key == "solver.base_time_limit" and record is None:
            return get(header, "solver.time_limit")  # a file made before the key: the base had time_limit
        return record

    differs = [f"{name}: {get(found, name)} -> {get(header, name)}" for name, _ in fields
               if get(found, name) != get(header, name)]
    return f" ({'; '.join(differs)})" if differs else ""


def other_plan(context: SweepContext, found: dict, wording: Wording = PYTHON) -> str:
    """For a results file this sweep refuses (`found`: its header): where it was made in the other `plan`
    mode and is otherwise this sweep's (its hash is this sweep's in that mode), how to sum it up or go on with
    it: "It was made with plan: replan: add --replan to sum it up or go on with it. "; else ""."""
    made = (found.get("solver") or {}).get("plan") or "fresh"
    if made == context.spec.plan or made not in ("fresh", "replan"):
        return ""
    other = dataclasses.replace(context, spec=context.spec.model_copy(update={"plan": made}))
    if other.digest() != found.get("hash"):
        return ""
    return (f"It was made with plan: {made}: {wording.replan if made == 'replan' else wording.fresh} to sum it up "
            "or go on with it. ")


def _version() -> str:
    from .. import __version__

    return __version__


_ESCAPED = re.compile("[\ud800-\udfff]")


def dumps(record: dict) -> str:
    """A record as one JSON line. A surrogate escape (a file name's byte that is not valid in the file system's
    encoding, in a scenario's reason) is written as the JSON escape `\\udce5`, which reads back as it was:
    every line is UTF-8, and whole."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class Results:
    header: dict
    base: dict | None
    records: list[dict]  # result records, as read (the first of any index repeated)


def read_results(path: Path | str) -> tuple[Results, int]:
    """A results file's records, and the byte length of its whole lines (a torn last line, from a
    sweep stopped while writing, is left out). The last header counts (a resume that added samples
    appended one). InputError for a file that is not a results file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such results file; run the sweep first", Location(str(path))) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a sweep results file", Location(str(path))) from None
    except OSError as error:
        raise InputError(f"cannot read the results file ({error.strerror or error})", Location(str(path))) from None
    good = raw.rfind(b"\n") + 1
    header, base, records, seen = None, None, [], set()
    for number, line in enumerate(raw[:good].splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a sweep results line ({exc.msg}); was the file edited?", Location(str(path), number))
        except ValueError:  # a number longer than Python reads (4,300 digits): no line hpplan wrote
            raise InputError("not a sweep results line (a number too long to read); was the file edited?",
                             Location(str(path), number)) from None
        kind = record.get("type") if isinstance(record, dict) else None
        if number == 1 and kind != "header":
            raise InputError("not an hpplan sweep results file (no header record)", Location(str(path), 1))
        if kind == "header":
            header = record
        elif kind == "base":
            base = record
        elif kind == "result" and isinstance(record.get("index"), int):
            if record["index"] not in seen:
                seen.add(record["index"])
                records.append(record)
        else:
            raise InputError(f"unexpected record type {kind!r}", Location(str(path), number))
    if header is None:
        raise InputError("empty sweep results file (no header record)", Location(str(path)))
    if header.get("format") != FORMAT:
        raise InputError(f"results format {header.get('format')} is not {FORMAT}; this hpplan cannot read it",
                         Location(str(path), 1))
    return Results(header, base, records), good


def check_results_path(path: Path | str, wording: Wording = PYTHON) -> None:
    """InputError when `path` names a folder, not a results file."""
    if Path(path).is_dir():
        raise InputError(f"is a folder; give a file name as {wording.out} (e.g. results.jsonl)", Location(str(path)))


class ResultsFile:
    """The open results file: append one record at a time, durably. Locked while open, so that two sweeps
    do not write one file. Nothing in it changes before `start()` (the run has started: its backend is
    made): a resume cuts a torn last line and adds a new header then, and a new file (or the one that
    `overwrite` replaces) is written beside it and renamed over it then. `close()` before `start()`
    leaves the file as it was (and makes none)."""

    def __init__(self, path: Path, handle, *, keep: int | None = None, header: dict | None = None,
                 temp: tuple[Path, Path] | None = None, old=None, wording: Wording = PYTHON):
        self.path = path
        self.handle = handle  # unbuffered: a record is written by `_append` or not at all
        self.wording = wording
        self.started = False
        self._keep = keep  # resume: the length of the whole lines, cut to at start
        self._header = header  # written at start
        self._temp = temp  # (the new file, the file it replaces at start)
        self._old = old  # the file a new one replaces, open and locked until then

    @classmethod
    def open(cls, path: Path, header: dict, *, resume: bool, overwrite: bool,
             wording: Wording = PYTHON, hint=None) -> tuple["ResultsFile", Results]:
        """The results file to write (`hint(found_header)`: text for a refusal of a file made for other
        inputs, `other_plan`)."""
        path = Path(path)
        check_results_path(path, wording)
        # a missing folder, a symbolic link, or a folder link into a data folder (`reports` linked to `data`) or
        # out of the working tree, is refused as for every other output (`check_writable`)
        target = check_writable(path)
        if path.exists() and resume and path.stat().st_size > 0:
            found, good = read_results(path)
            if found.header.get("hash") != header["hash"]:
                raise InputError(
                    "was written for other inputs: the spec, the data or the hpplan version changed since"
                    f"{changed_inputs(found.header, header)}; its results would not mix with new ones. "
                    f"{hint(found.header) if hint else ''}Give "
                    f"another file as {wording.out}, or {wording.overwrite} replaces it", Location(str(path)))
            handle = cls._opened(path, "r+b", wording)
            cls._lock(handle, path, wording)
            # the same inputs, but more samples (or another description, live_by): a new header, which
            # counts from here on (read_results takes the last), so that the file says the sweep it holds;
            # never a smaller size than the records in it
            header = dict(header, size=max(header["size"], found.header.get("size", 0)))
            if header == found.header:
                return cls(path, handle, keep=good, wording=wording), found
            return (cls(path, handle, keep=good, header=header, wording=wording),
                    Results(header, found.base, found.records))
        if path.exists() and not overwrite and not resume:
            raise InputError(f"exists: {wording.resume} continues that sweep, {wording.overwrite} starts it again, "
                             f"or give another file as {wording.out}", Location(str(path)))
        if target.exists() and not target.is_file():  # a device or a pipe (/dev/null): written in place
            return (cls(path, cls._opened(path, "wb", wording), header=header, wording=wording),
                    Results(header, None, []))
        old = None
        if target.exists():  # locked: the file of a sweep that is writing it is not replaced under it
            old = cls._opened(target, "rb", wording)
            cls._lock(old, path, wording)
        try:
            fd, temp = temp_file_beside(target, os.fstat(old.fileno()).st_mode if old is not None else None)
        except OSError as error:
            if old is not None:
                old.close()
            raise InputError(f"cannot write the results file ({error.strerror or error}); give another file as "
                             f"{wording.out}", Location(str(path))) from None
        made = cls(path, os.fdopen(fd, "wb", buffering=0), temp=(temp, target), old=old, wording=wording)
        try:
            cls._lock(made.handle, path, wording)
            made._append(header)  # the new file's header, before the file is in place
        except BaseException as error:  # (a full disk): the new file removed, an old one as it was
            made.close()
            if isinstance(error, ResultsUnwritable):
                raise InputError(f"cannot write the results file ({error.reason}); give another file as "
                                 f"{wording.out}", Location(str(path))) from None
            raise
        return made, Results(header, None, [])

    @staticmethod
    def _opened(path: Path, mode: str, wording: Wording):
        try:
            return open(path, mode, buffering=0)
        except OSError as error:
            raise InputError(f"cannot write the results file ({error.strerror or error}); give another file as "
                             f"{wording.out}", Location(str(path))) from None

    @staticmethod
    def _lock(handle, path: Path, wording: Wording = PYTHON) -> None:
        if not ResultsFile._locked(handle):
            handle.close()
            raise InputError(ResultsFile._busy(wording), Location(str(path)))

    @staticmethod
    def _locked(handle) -> bool:
        """Whether this process now holds `handle`'s file alone (False: another sweep holds it)."""
        try:
            import fcntl
        except ImportError:  # not on this platform: no lock
            return True
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    @staticmethod
    def _busy(wording: Wording) -> str:
        return (f"another sweep is writing this file; wait for it to end, then {wording.resume} continues it, or "
                f"give another file as {wording.out}")

    def start(self) -> None:
        """The run has started: from here on the file at `path` is this sweep's. InputError when another
        sweep made that file meanwhile (two sweeps started on one new file: the first to start has it);
        ResultsUnwritable (`started` False) when the new file cannot be put in place."""
        if self.started:
            return
        if self._temp is not None:
            temp, target = self._temp
            try:
                self._place(temp, target)
            except OSError as error:
                raise ResultsUnwritable(self.path, error.strerror or str(error)) from None
            self._temp = None
            _sync_folder(target.parent)
        self.started = True
        if self._old is not None:
            self._old.close()
            self._old = None
        if self._keep is not None:
            try:
                self.handle.truncate(self._keep)
                self.handle.seek(self._keep)
            except OSError as error:
                raise ResultsUnwritable(self.path, error.strerror or str(error)) from None
        if self._header is not None:
            self._append(self._header)
            self._header = None

    def _place(self, temp: Path, target: Path) -> None:
        """The new file renamed to `target`, unless another sweep made or replaced that file since `open`
        (each sweep locks its own new file, so the lock alone did not keep two sweeps started together on a
        new file apart: the second renamed its file over the first's, whose records went on into a file
        no longer there). A new file is put in place with a hard link, which no existing file is replaced
        by; the file `overwrite` replaces must still be the one locked at `open`."""
        if self._old is not None:
            try:
                now = os.stat(target)
            except FileNotFoundError:
                now = None
            was = os.fstat(self._old.fileno())
            if now is not None:
                if (now.st_dev, now.st_ino) != (was.st_dev, was.st_ino):
                    raise self._taken(target)
                os.replace(temp, target)
                return
        try:
            os.link(temp, target)
        except FileExistsError:
            raise self._taken(target) from None
        except OSError:  # a file system without hard links (FAT): renamed, where nothing is there yet
            if os.path.lexists(target):
                raise self._taken(target) from None
            os.replace(temp, target)
            return
        os.unlink(temp)

    def _taken(self, target: Path) -> InputError:
        """The refusal when another sweep made the file this one was to make: writing it still, or done."""
        try:
            handle = open(target, "rb")
        except OSError:
            handle = None
        try:
            busy = handle is not None and not self._locked(handle)
        finally:
            if handle is not None:
                handle.close()
        w = self.wording
        if busy:
            return InputError(self._busy(w), Location(str(self.path)))
        return InputError(f"exists: another sweep made it while this one started; {w.resume} continues that sweep, "
                          f"{w.overwrite} starts it again, or give another file as {w.out}", Location(str(self.path)))

    def write(self, record: dict) -> None:
        self.start()
        self._append(record)

    def _append(self, record: dict) -> None:
        """One record, as a whole line, made durable; or ResultsUnwritable (a full disk, an I/O error),
        the line cut short by it taken back out where the file allows (else `torn`: `--resume` drops it)."""
        data = memoryview((dumps(record) + "\n").encode("utf-8"))
        fd = self.handle.fileno()
        # where the record starts, to take it back from: in a file (a device or a pipe keeps nothing)
        at = os.lseek(fd, 0, os.SEEK_CUR) if stat.S_ISREG(os.fstat(fd).st_mode) else None
        try:
            while data:
                written = os.write(fd, data)
                if not written:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                data = data[written:]
            try:
                os.fsync(fd)
            except OSError as error:  # a device or a pipe (/dev/null) has nothing to make durable
                if error.errno != errno.EINVAL:
                    raise
        except BaseException as error:  # (a Ctrl-C between two parts of a write, too: the part taken back)
            torn = False
            if at is not None:
                try:
                    os.ftruncate(fd, at)
                    os.lseek(fd, at, os.SEEK_SET)
                except OSError:
                    torn = True
            if isinstance(error, OSError):
                raise ResultsUnwritable(self.path, error.strerror or str(error), torn) from None
            raise

    def close(self) -> None:
        """Closed; a file not started is left as it was (the new one beside it removed)."""
        if self._temp is not None:
            try:
                os.unlink(self._temp[0])
            except FileNotFoundError:
                pass
            self._temp = None
        for handle in (self.handle, self._old):
            if handle is not None and not handle.closed:
                handle.close()


def _sync_folder(folder: Path) -> None:
    """A rename in `folder` made durable, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------------
# backends


class Backend(Protocol):
    name: str

    @property
    def slots(self) -> int: ...  # how many scenarios to keep in flight
    def submit(self, index: int) -> Any: ...
    def wait(self, handles: set) -> set: ...  # at least one finished handle
    # (`plan: replan` only) the base plan (`sample.base_plan`) that the tasks submitted from now on re-plan from
    def use_base(self, base: dict) -> None: ...
    def result(self, handle) -> dict: ...  # the record, or raises
    def close(self, cancel: bool = False) -> None: ...


class WorkerDied(SweepError):
    """The process running a scenario died (crash, out of memory)."""


class WorkersCannotStart(SweepError):
    """The local backend's worker processes die as they start, before any of them is ready to run a
    scenario: the sweep cannot run here (each scenario would fail the same way), so it stops, keeping
    what finished. The usual cause is a script without the `if __name__ == "__main__":` guard (a spawned
    worker imports the script again, which starts a sweep of its own there, and Python refuses): said
    where the sweep runs from Python (`wording`: `run_sweep`'s)."""

    def __init__(self, wording: Wording = PYTHON):
        cause = f". {wording.workers_cannot_start}" if wording.workers_cannot_start else ""
        super().__init__("the worker processes died as they started, before any of them could run a scenario (their "
                         f"error is on stderr above){cause}")


class InlineBackend:
    """In this process, one scenario at a time (for tests and notebooks). A Ctrl-C here stops the running
    scenario's solve (`hpplan.solve` takes it in the main thread) and the sweep ends as `Interrupted`,
    without recording the cut-short scenario; the command line runs scenarios in worker processes."""

    name = "this process"

    def __init__(self, context: SweepContext):
        self.context = context

    @property
    def slots(self) -> int:
        return 1

    def submit(self, index: int):
        return _Inline(index)

    def use_base(self, base: dict) -> None:
        pass  # the context is the sweep's own, which has the base record (`run_sweep`)

    def wait(self, handles: set) -> set:
        handle = min(handles, key=lambda h: -1 if h.index is None else h.index)
        with keep_sigint():
            handle.record = run_scenario(self.context, handle.index)
        return {handle}

    def result(self, handle) -> dict:
        return handle.record

    def close(self, cancel: bool = False) -> None:
        pass


class _Inline:
    def __init__(self, index: int):
        self.index = index
        self.record = None


_CONTEXT: SweepContext | None = None


def _write_context(context: SweepContext) -> Path:
    """The context pickled to a new temporary file, for the worker processes to read as they start. Not
    handed to them as the pool's `initargs`: those go down a pipe to a new process in `submit` (in the
    calling thread), and one larger than the pipe holds (the shipped data's is about 100 kB) waited for
    ever when the process died before reading it (a script without the `__main__` guard)."""
    import pickle
    import tempfile

    fd, name = tempfile.mkstemp(prefix="hpplan-sweep-", suffix=".context")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(context, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return Path(name)


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _init_worker(context_file: str, ready, parent: int | None = None) -> None:
    """A worker process's start: the context read from `context_file` (`_write_context`), Ctrl-C left to
    the parent, the worker ended once its `parent` (a process id; default: the process that started it)
    is gone (`_end_with_parent`), and `ready` (an Event of the pool) set, so the parent can tell a worker
    that died as it started from one that died running a scenario."""
    import pickle

    global _CONTEXT
    _end_with_parent(os.getppid() if parent is None else parent, Path(context_file))
    with open(context_file, "rb") as handle:
        _CONTEXT = pickle.load(handle)
    # Ctrl-C is the parent's to handle: it stops submitting, keeps what is finished and ends the workers.
    # A session of its own keeps the terminal's Ctrl-C from this process, whose solver would otherwise
    # take it as "stop searching" and return a cut-short plan. SIGINT and SIGTERM came blocked from the
    # parent (`_ctrl_c_held`): a SIGINT sent while this process started is delivered as it is unblocked,
    # and ignored; a SIGTERM (the parent ending its workers: `LocalBackend.close`) ends it, as always.
    if hasattr(os, "setsid"):
        try:
            os.setsid()
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_SIGNALS)
    ready.set()


#: how often a worker looks whether its parent is still there, in seconds
PARENT_POLL = 1.0


def _end_with_parent(parent: int, context_file: Path) -> None:
    """End this worker process as soon as `parent` is no longer its parent (it died: `kill -9`, or a
    SIGTERM where nothing took it), and remove the `context_file` its parent could not: a worker has a
    session of its own and holds both ends of the pool's call queue, so it never saw its parent go and
    solved on, an orphan. A daemon thread looks every PARENT_POLL seconds (the solvers let it run while
    they search)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        _remove(context_file)
        os._exit(1)

    threading.Thread(target=watch, name="hpplan-sweep-parent", daemon=True).start()


def _run_index(index: int | None, base: dict | None = None) -> dict:
    try:
        return run_scenario(_CONTEXT, index, base)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # CP-SAT leaves it at the default after a solve


#: the signals held back while a worker starts (`_ctrl_c_held`): Ctrl-C, and SIGTERM, which the command
#: takes as one (`sigterm_as_ctrl_c`)
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _ctrl_c_held():
    """Ctrl-C (and SIGTERM: HELD_SIGNALS) held back while the pool may start a worker (`submit` starts them
    as needed), and raised after. They are blocked in this thread meanwhile, and a spawned worker keeps
    that mask from its first instruction (through fork and exec) until its initializer has put it in a
    session of its own and ignores SIGINT (`_init_worker`): a Ctrl-C in the terminal while it imports and
    unpickles (a fraction of a second) cannot end it with a KeyboardInterrupt traceback. Threads the pool
    starts here (its manager and queue feeder) inherit the mask too. A signal the system hands to another
    thread of this process meanwhile (the progress display's) runs Python's handler in this thread, which
    is then ours: it records it, and the handler of before is called as the block ends. So the parent's
    KeyboardInterrupt cannot fall between a worker's start and the pool's record of it (an orphan that
    fails once the parent is gone), and no press is lost."""
    import threading

    block = getattr(signal, "pthread_sigmask", None)
    if block is None or threading.current_thread() is not threading.main_thread():
        yield  # (Windows: no masks; outside the main thread Python's handler is not ours to set)
        return
    presses: list[int] = []
    mask = block(signal.SIG_BLOCK, HELD_SIGNALS)
    handlers = {signum: signal.signal(signum, lambda signum, frame: presses.append(signum))
                for signum in sorted(HELD_SIGNALS)}
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        block(signal.SIG_SETMASK, mask)  # one sent to this thread meanwhile arrives now, to its handler
        for signum in dict.fromkeys(presses):
            handler = handlers[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


@dataclass
class Stop:
    """Whether a SIGTERM came (`sigterm_as_ctrl_c`)."""

    terminated: bool = False


EXIT_TERMINATED = stopping.EXIT_TERMINATED  # a sweep ended by SIGTERM (128 + 15, as shells report it)


@contextmanager
def sigterm_as_ctrl_c(stop: Stop | None = None):
    """SIGTERM (a CI job cancelled, `timeout`, `kill`) taken as a Ctrl-C while a sweep runs in it: a
    KeyboardInterrupt, so that `run_sweep` stops as on Ctrl-C (what finished is kept, the worker processes
    are ended, their context file removed) and raises `Interrupted`. Ended by default, the command left
    the context file in the temporary folder and its workers solving. `stop` (yielded; a new one if not
    given) says whether a SIGTERM came; one after the first is ignored (the stop is under way). In the
    main thread only (a signal handler is not set elsewhere); it sets none outside the block."""
    import threading

    stop = stop if stop is not None else Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def terminate(signum, frame) -> None:
        if not stop.terminated:
            stop.terminated = True
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


class LocalBackend:
    """A process pool on this machine's cores (spawned processes: nothing of the parent's solver state
    is inherited). A worker that dies running a scenario is the scenario's failure (`WorkerDied`: the
    pool is started again); workers that die as they start, before any is ready, end the sweep
    (`WorkersCannotStart`), rather than every scenario failing alike."""

    def __init__(self, context: SweepContext, jobs: int):
        import weakref

        self.context = context
        self.jobs = max(1, jobs)
        self.base: dict | None = None  # `use_base`: sent with each task (the workers' context has none)
        self.name = f"{self.jobs} local process{'es' if self.jobs != 1 else ''}"
        self._context_file = _write_context(context)
        self._remove_context_file = weakref.finalize(self, _remove, self._context_file)  # at close, else at exit
        self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        spawn = multiprocessing.get_context("spawn")
        self._ready = spawn.Event()  # set by each worker of this pool once it has started
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=spawn, initializer=_init_worker,
                                        initargs=(str(self._context_file), self._ready, os.getpid()))

    @property
    def slots(self) -> int:
        return 2 * self.jobs

    #: the function a worker runs (module level, so that it pickles by name)
    task = staticmethod(_run_index)

    def submit(self, index: int):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        try:
            with _ctrl_c_held():
                return self.pool.submit(self.task, index, *(() if self.base is None else (self.base,)))
        except BrokenProcessPool as exc:  # a worker died since the last wait: fail it like the ones in flight
            future = Future()
            future.set_exception(exc)
            return future

    def wait(self, handles: set) -> set:
        from concurrent.futures import FIRST_COMPLETED, wait

        return wait(handles, return_when=FIRST_COMPLETED).done

    def result(self, handle) -> dict:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return handle.result()
        except BrokenProcessPool as exc:
            if not self._ready.is_set():
                raise WorkersCannotStart() from exc
            raise WorkerDied(str(exc) or "a worker process died") from exc

    def use_base(self, base: dict) -> None:
        self.base = base

    def restart(self) -> None:
        self._stop(cancel=True)
        self._start()

    def close(self, cancel: bool = False) -> None:
        self._stop(cancel)
        self._remove_context_file()

    def _stop(self, cancel: bool) -> None:
        processes = list(getattr(self.pool, "_processes", {}).values()) if cancel else []
        manager = getattr(self.pool, "_executor_manager_thread", None)  # shutdown forgets it
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
        for process in processes:  # scenarios still solving: stop them now rather than at their time limit
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        if cancel and manager is not None:
            # the pool's manager thread closes its wake-up pipe as it sees the workers gone; at exit
            # Python 3.11 writes to that pipe unguarded, and where the two met the exit printed
            # "OSError: [Errno 9] Bad file descriptor": the thread ends first
            manager.join(timeout=5)


def _worker_version() -> str:
    import hpplan

    return hpplan.__version__


class DaskBackend:
    """A Dask distributed cluster: an existing scheduler (`address`), or a LocalCluster on the loopback
    address started here (`address` None; `jobs` worker processes of one thread each)."""

    def __init__(self, context: SweepContext, address: str | None = None, jobs: int = 2):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise SweepError("Dask is not installed: pip install 'hpplan[sweep]' (or dask[distributed]) on this "
                             "machine and on every worker") from None
        self.cluster = None
        try:
            if address is None:
                self.cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None)
                self.client = Client(self.cluster)
                self.name = f"a local Dask cluster ({max(1, jobs)} worker{'s' if max(1, jobs) != 1 else ''})"
            else:
                self.client = Client(address)  # waits distributed.comm.timeouts.connect (dask config, 30 s)
                self.name = f"the Dask cluster at {address}"
        except (OSError, TimeoutError) as exc:
            self._shutdown()
            raise SweepError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        mine = _version()
        try:
            versions = self.client.run(_worker_version)
        except Exception as exc:
            self._shutdown()
            raise SweepError(f"the Dask workers cannot import hpplan ({type(exc).__name__}: {exc}); install hpplan "
                             "on every worker") from None
        wrong = {w: v for w, v in versions.items() if v != mine}
        if wrong:
            self._shutdown()
            first = next(iter(wrong.items()))
            raise SweepError(f"{len(wrong)} Dask workers run another hpplan (e.g. {first[0]}: {first[1]}; here: {mine}); "
                             "install the same version everywhere")
        self.context = self.client.scatter(context, broadcast=True, hash=False)
        self.base = None  # `use_base`: scattered once, like the context
        self.tag = f"hpplan-sweep-{context.digest()[:10]}"

    @property
    def slots(self) -> int:
        threads = sum(self.client.nthreads().values())  # a cluster that grows gets more in flight
        return max(2, 2 * threads)

    def submit(self, index: int):
        return self.client.submit(run_scenario, self.context, index, self.base, pure=False,
                                  key=f"{self.tag}-{index}-{time.monotonic_ns()}")

    def use_base(self, base: dict) -> None:
        self.base = self.client.scatter(base, broadcast=True, hash=False)

    def wait(self, handles: set) -> set:
        from dask.distributed import wait

        return set(wait(list(handles), return_when="FIRST_COMPLETED").done)

    def result(self, handle) -> dict:
        try:
            return handle.result()
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                raise WorkerDied(f"Dask workers died running it ({exc})") from exc
            raise

    def close(self, cancel: bool = False) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            try:
                client.close()
            except Exception:
                pass
        if self.cluster is not None:
            try:
                self.cluster.close()
            except Exception:
                pass


# --------------------------------------------------------------------------------------------------
# progress


class Progress(Protocol):
    def start(self, total: int, done: int, failed: int, where: str) -> None: ...
    def advance(self, record: dict) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int, done: int, failed: int, where: str) -> None:
        pass

    def advance(self, record: dict) -> None:
        pass

    def stop(self) -> None:
        pass


class RichProgress:
    """A progress bar on stderr: scenarios done, failed, elapsed and time left."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
                            TextColumn("left"), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = None
        self.failed = 0

    def start(self, total: int, done: int, failed: int, where: str) -> None:
        self.failed = failed
        self.bar.start()
        self.task = self.bar.add_task(f"sweep on {where}", total=total, completed=done, failed=failed)

    def advance(self, record: dict) -> None:
        if record.get("status") not in ("optimal", "feasible"):
            self.failed += 1
        self.bar.update(self.task, advance=1, failed=self.failed)

    def stop(self) -> None:
        self.bar.stop()


def default_progress() -> Progress:
    return RichProgress() if sys.stderr.isatty() else NoProgress()


# --------------------------------------------------------------------------------------------------
# the loop


@dataclass
class RunResult:
    results: Results  # everything in the file once the run ends
    ran: int  # scenarios run now
    skipped: int  # already in the file (resumed)
    seconds: float
    backend: str


def _ok(record: dict) -> bool:
    return record.get("status") in ("optimal", "feasible")


def run_sweep(context: SweepContext, out: Path, *, backend_factory, resume: bool = False, overwrite: bool = False,
              progress: Progress | None = None, limit: int | None = None, wording: Wording = PYTHON) -> RunResult:
    """Run every scenario of the sweep not yet in `out`, streaming each record as it finishes.
    `backend_factory(context)` makes the backend (`local_backend(jobs)`, `inline_backend()`,
    `dask_backend(address, jobs)`); `out` changes only once it is made and the base plan (the data without
    changes, that delays are measured against) is solved, on the backend, and saved (resuming from a saved
    base: once it is made). `limit`: stop
    after that many new scenarios (for tests, and for running a sweep in pieces). `wording`: how messages
    name `out`, `resume` and `overwrite` (the command line passes `COMMAND_LINE`). Raises `Interrupted` on
    Ctrl-C (what finished is saved), `NoBasePlan` (`BaseFailed` when the base's task failed: a bug),
    `SweepError` (`.started` False: `out` is as it was), `InputError`."""
    if not callable(backend_factory):
        raise TypeError("run_sweep takes backend_factory, a function that makes the backend from the context "
                        "(local_backend(jobs), inline_backend(), dask_backend(address, jobs)), "
                        f"got {type(backend_factory).__name__}")
    progress = progress or NoProgress()
    started = time.perf_counter()
    results_file, found = ResultsFile.open(out, header_record(context), resume=resume, overwrite=overwrite,
                                           wording=wording, hint=lambda found: other_plan(context, found, wording))
    backend = None
    records = list(found.records)
    done = {r["index"] for r in found.records if 0 <= r["index"] < context.size}
    todo = deque(i for i in range(context.size) if i not in done)
    if limit is not None:
        todo = deque(list(todo)[:limit])
    try:
        base = found.base
        if base is not None and base.get("status") == "error":
            base = None  # a failure of the task, not a fact of the inputs: solved again (the last base record counts)
        if base is None or todo:
            backend = backend_factory(context)
        if base is not None:  # resuming from a saved base plan: the run starts here
            results_file.start()
        else:
            handle = backend.submit(None)
            backend.wait({handle})
            base = backend.result(handle)
            if base.get("status") in ("optimal", "feasible"):
                # the file changes once there is a base plan to measure against: a base without one (or a
                # Ctrl-C while it is solved) leaves the file as it was, a complete earlier sweep too
                results_file.write(base)
        if base.get("status") == "error":
            raise BaseFailed(base)
        if base.get("status") not in ("optimal", "feasible"):
            raise NoBasePlan(base)
        context.base = base
        if todo and context.spec.plan == "replan":  # each scenario is re-planned from the base plan
            backend.use_base(base_plan(base))
        if todo:
            failed = sum(1 for r in found.records if r["index"] in done and not _ok(r))
            progress.start(context.size, len(done), failed, backend.name)
            try:
                _loop(context, backend, todo, results_file, progress, records)
            finally:
                progress.stop()
    except KeyboardInterrupt:
        if backend is not None:
            backend.close(cancel=True)
            backend = None
        finished = len({r["index"] for r in records if 0 <= r["index"] < context.size})
        raise Interrupted(finished, context.size, Path(out), results_file.started) from None
    except ResultsUnwritable as error:  # a full disk: the sweep stops at once, keeping what is in the file
        if backend is not None:
            backend.close(cancel=True)
            backend = None
        error.started = results_file.started
        error.done = len({r["index"] for r in records if 0 <= r["index"] < context.size})
        error.total = context.size
        raise
    except WorkersCannotStart as error:  # said for who runs the sweep: a script, or the command line
        worded = WorkersCannotStart(wording)
        worded.started = results_file.started
        raise worded from error.__cause__
    except SweepError as error:
        error.started = results_file.started
        raise
    finally:
        name = backend.name if backend is not None else "none (all done)"
        if backend is not None:
            backend.close()
        results_file.close()
    ran = len(records) - len(found.records)
    return RunResult(Results(found.header, base, records), ran, len(done), time.perf_counter() - started, name)


def _loop(context: SweepContext, backend, todo: deque, results_file: ResultsFile, progress: Progress,
          records: list[dict]) -> None:
    """Keep the backend's slots full, write each record as it comes. When a worker process dies (a crash,
    out of memory) every scenario that was in flight is a suspect: each is run again alone, so that the
    one that kills its worker is recorded as failed and the others are not."""
    pending: dict[Any, int] = {}
    suspects: deque[int] = deque()
    alone: int | None = None  # the suspect running by itself
    while todo or pending or suspects:
        if suspects:
            if not pending:
                alone = suspects.popleft()
                pending[backend.submit(alone)] = alone
        else:
            while todo and len(pending) < backend.slots:
                index = todo.popleft()
                pending[backend.submit(index)] = index
        finished = backend.wait(set(pending))
        lost: list[int] = []
        died = False
        for handle in sorted(finished, key=lambda h: pending[h]):
            index = pending.pop(handle)
            try:
                record = add_delays(context, backend.result(handle))
            except WorkerDied as exc:
                died = True
                if index != alone:
                    lost.append(index)
                    continue
                record = {"type": "result", "index": index, "status": "error",
                          "reason": f"the worker process died while it ran, alone ({exc})"}
            except SweepError:  # the backend cannot run scenarios at all (WorkersCannotStart): the sweep stops
                raise
            except Exception as exc:  # the task itself never raises; this is the transport
                record = {"type": "result", "index": index, "status": "error",
                          "reason": f"the task failed outside the solver: {type(exc).__name__}: {exc}"}
            if index == alone:
                alone = None
            results_file.write(record)
            records.append(record)
            progress.advance(record)
        if died:
            if hasattr(backend, "restart"):
                # a dead worker process breaks a process pool: start a new one; what was in it runs again
                lost += list(pending.values())
                pending.clear()
                backend.restart()
            suspects.extend(i for i in sorted(set(lost)) if i not in suspects)


def local_backend(jobs: int):
    """The default: a pool of `jobs` worker processes on this machine."""
    def make(context: SweepContext):
        return LocalBackend(context, jobs)
    return make


def inline_backend():
    """Scenarios in this process, one at a time (tests, notebooks; see InlineBackend)."""
    def make(context: SweepContext):
        return InlineBackend(context)
    return make


def dask_backend(address: str | None, jobs: int):
    def make(context: SweepContext):
        return DaskBackend(context, address, jobs)
    return make


def default_jobs(spec: SweepSpec | None = None) -> int:
    """The worker processes a local sweep runs by default: this machine's cores (those this process may
    use) divided by the threads each scenario's solve runs on (`SweepSpec.threads`: 2 with `engine: auto`,
    CP-SAT and HiGHS racing; `workers` for a re-plan), at least 1. More would run more solver threads than
    cores, and solves cut short by the time limit would get less of a core than the base plan, solved
    alone, had: worse plans, which the sweep counts as delay. `spec` None: a spec's defaults (2 threads)."""
    return max(1, _cores() // (spec.threads if spec is not None else SweepSpec.model_construct().threads))


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


__all__ = [
    "BaseFailed", "COMMAND_LINE", "DaskBackend", "InlineBackend", "Interrupted", "LocalBackend", "NoBasePlan", "PYTHON",
    "Results", "ResultsFile", "ResultsUnwritable", "RunResult", "SweepError", "Wording", "WorkersCannotStart", "changed_inputs",
    "check_results_path", "dask_backend", "default_jobs", "header_record", "inline_backend", "local_backend",
    "other_plan", "read_results", "run_sweep",
]
