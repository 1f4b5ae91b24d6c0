"""Writing outputs atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import shlex
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import InputError, Location


def _names_from_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """The encoding error handler of `encode_text`, for a run of characters the encoding lacks: the bytes
    they stand for when they are escaped bytes that make UTF-8 (Python reads the name `dåta` as
    `d\\udcc3\\udca5ta` when its locale is ASCII, `LC_ALL=C`), else each as its backslash escape (a Latin-1
    folder `lat\\xe5`, read as `lat\\udce5`, is written `lat\\udce5`: its byte alone would make the output
    invalid UTF-8, unreadable to the next reader: `compare --baseline`, jq, an XML parser; a JSON reader
    reads the escape back as the same name)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start:error.end]
    if all(0xDC80 <= ord(char) <= 0xDCFF for char in run):
        raw = bytes(ord(char) - 0xDC00 for char in run)
        try:
            raw.decode("utf-8")
            return raw, error.end
        except UnicodeDecodeError:
            pass
    return run.encode("ascii", "backslashreplace"), error.end


codecs.register_error("hpplan.names", _names_from_bytes)


def encode_text(text: str, encoding: str = "utf-8") -> bytes:
    """`text` in `encoding`, whole and without an error (a strict encoding stopped the output with a
    UnicodeEncodeError, exit 70, nothing written): a name the file system gave in bytes that Python could
    not decode (`-d $'lat\\xe5'`, or `-d dåta` in an ASCII locale; every output that names the data folder
    carries it) as those bytes where they are UTF-8, else as backslash escapes (`_names_from_bytes`), so
    that a UTF-8 output stays valid UTF-8."""
    return text.encode(encoding, "hpplan.names")


def readable(text: str) -> str:
    """`text` (a path, or text that holds one) as a UTF-8 output holds it (`encode_text`), as text: for the
    outputs built as text before they are written (a report's page, a chart's title, a calendar's fields,
    a sweep's header), so that a folder name that is not UTF-8 is named alike in every output. Text
    without such names is returned as it is."""
    return encode_text(text).decode("utf-8")


def write_stdout(data: str | bytes) -> None:
    """Write a whole output to stdout. Python's buffered stdout returns a short count when the reader of
    a pipe closes it during a large write (`| head -c 10`: 65,536 of 5 MB written, no error) and its
    text layer drops that count: the output ended cut short with exit 0. Written here until all of it
    is out, so that the next write raises BrokenPipeError (exit 141, hpplan_command). Text goes out in
    stdout's encoding, or as UTF-8 where that cannot hold it (`LC_ALL=C`, a Latin-1 terminal), a name
    the file system gave in bytes Python could not decode too (`encode_text`): the data's names are
    whole, as in a file, never replaced or a crash. A closed stdout (`>&-`: Python has none) takes
    nothing, as /dev/null would. A write that fails otherwise (`> /dev/full`: no space left, an I/O error) is InputError
    `stdout: cannot write: REASON`, as for a file (`write_atomic`): exit 2, not a bug's 70."""
    stream = sys.stdout
    if stream is None:
        return
    if isinstance(data, bytes):
        raw = data
    else:
        try:
            raw = data.encode(getattr(stream, "encoding", None) or "utf-8")
        except UnicodeEncodeError:
            raw = encode_text(data)
    try:
        stream.flush()
        out = stream.buffer
        view = memoryview(raw)
        while view:
            written = out.write(view)
            if not written:
                raise BrokenPipeError(errno.EPIPE, "stdout took no more")
            view = view[written:]
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise stdout_failed(error) from None


def stdout_failed(error: OSError) -> InputError:
    """`stdout: cannot write: REASON` for a write to stdout that failed (not a closed pipe: exit 141)."""
    return InputError(f"cannot write: {error.strerror or error}", Location("stdout"))


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null (for a command line whose stdout failed: a full disk), so that
    whatever is still written to it, and Python's last flush at the exit, go nowhere without a second
    error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    if devnull == 1:  # fd 1 was closed: /dev/null is on it now
        return
    try:
        os.dup2(devnull, 1)
    except OSError:
        pass
    finally:
        os.close(devnull)


def check_writable(path: Path | str) -> Path:
    """The file `write_atomic` would write for `path`, or InputError when it cannot be written: its folder
    is missing or it is a folder, or it is a symbolic link, or it is reached through a link into a data
    folder (a folder's on its path: `reports` linked to `data`, then `-o reports/x.json`) or through a
    link in the working tree (the repository around the current folder: `working_tree`) that leads out of
    it (`reports` linked to `/home/runner/.config`). An output is never written through a link of its own
    (`reports/x.xml` linked to `../data/adopted-plan.yaml`, or to a `.pth` file that Python runs, in a pull
    request: written through, the link's target was replaced, wherever it was); the system's names of this
    process's open files, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N`, are the
    exception: written in place through that open file (`open_file_descriptor`), so that `>> FILE` appends and
    `> FILE` truncates as the shell set it up; one not open for writing is refused. A device or a named pipe
    is written in place. A command checks its outputs with this before it works, so that a wrong `-o` costs
    no solve."""
    path = Path(path)
    descriptor = open_file_descriptor(path)
    if descriptor is not None:
        _check_open_for_writing(descriptor, path)
        if path.exists() and not path.is_file():
            return path  # a pipe or a terminal: written in place
        return Path(os.path.realpath(path))  # the file the shell opened (`> FILE`), written in place (write_atomic)
    if path.is_symlink() and not _names_an_open_file(path):
        pass  # refused below (after a link into a data folder, which is said as such)
    elif path.exists() and not path.is_file() and not path.is_dir():
        return path  # a device or a named pipe: written in place
    elif path.is_symlink():
        return Path(os.path.realpath(path))  # a system's link in /dev or /proc to a file, as before
    through = link_into_data_folder(path)
    if through is not None:
        link, data = through
        what = "this" if link == path else f"folder {link}"
        target = os.readlink(link)
        where = (f"the data folder {target}" if Path(os.path.realpath(link)) == data
                 else f"{target}, in the data folder {data}")
        raise InputError(f"cannot write: {what} is a link to {where}; an "
                         "output is not written through a link into a data folder (one committed to a data "
                         "repository would overwrite its data): name the file itself (not through the link), or "
                         "another file", Location(str(path)))
    if path.is_symlink():
        raise InputError(f"cannot write: this is a symbolic link (to {os.readlink(path)}); an output is never "
                         "written through a link (one committed in a pull request would replace whatever file it "
                         f"points to): remove the link (rm {shlex.quote(str(path))}) and write again, or name "
                         "another file", Location(str(path)))
    leaving = link_out_of_tree(path)
    if leaving is not None:
        link, tree = leaving
        where = "the repository" if (tree / ".git").exists() else "the current folder"
        raise InputError(f"cannot write: folder {link} is a link to {os.readlink(link)}, outside {where} "
                         f"{tree}; an output is not written through a link that leads out of the working "
                         "tree (one committed in a pull request would put it anywhere): name the folder itself "
                         "(not through the link), or another folder", Location(str(path)))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write: folder {folder} does not exist", Location(str(path)))
    if path.is_dir():
        raise InputError("cannot write: this is a folder; give a file name", Location(str(path)))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write: folder {folder} is not writable", Location(str(path)))
    if read_only(path):
        raise InputError(f"cannot write: the file is read-only; make it writable (chmod u+w "
                         f"{shlex.quote(str(path))}) or write elsewhere", Location(str(path)))
    return path


#: the folders of the system's names for open files (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`): links
#: no repository holds, which `-o` may name
_OPEN_FILE_FOLDERS = (Path("/dev"), Path("/proc"))


def _names_an_open_file(link: Path) -> bool:
    """Whether `link` is one of the system's names of an open file (`/dev/stdout`), by where it is."""
    where = Path(os.path.realpath(link.parent if str(link.parent) else ".")) / link.name
    return any(where.is_relative_to(folder) for folder in _OPEN_FILE_FOLDERS)


def _current_folder() -> Path | None:
    try:
        return Path(os.path.realpath(os.getcwd()))
    except OSError:  # the current folder was removed
        return None


def working_tree() -> Path | None:
    """The working tree outputs stay in: the repository around the current folder (the nearest folder at or
    above it that holds `.git`, a folder or a worktree's file: a CI step with `working-directory: sub` runs in
    the checkout's subfolder), else the current folder; None when the current folder was removed."""
    here = _current_folder()
    if here is None:
        return None
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def link_out_of_tree(path: Path) -> tuple[Path, Path] | None:
    """The first folder on `path` as written that is a symbolic link in the working tree (`working_tree`: the
    repository around the current folder, or the current folder outside one; the link in it or below it: a
    folder a checkout holds) that leads out of it, and the tree; None when there is none (a link outside the
    tree, such as a system's `/tmp`, is the machine's, not a repository's)."""
    tree = working_tree()
    if tree is None:  # the current folder was removed: no tree to leave
        return None
    parts = path.parts
    for end in range(1, len(parts)):  # the folders; the file itself is refused as a link (check_writable)
        step = Path(*parts[:end])
        if not step.is_symlink():
            continue
        at = Path(os.path.realpath(step.parent if str(step.parent) else ".")) / step.name
        if at.is_relative_to(tree) and not Path(os.path.realpath(step)).is_relative_to(tree):
            return step, tree
    return None


#: `/dev/stdout` and `/dev/stderr` by their descriptors; `/dev/fd/N` and `/proc/self/fd/N` (and
#: `/proc/PID/fd/N` of this process) name descriptor N
_STANDARD_NAMES = {"/dev/stdout": 1, "/dev/stderr": 2}
_DESCRIPTOR_NAME = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|(?P<pid>[0-9]+))/fd)/(?P<fd>[0-9]+)")


def open_file_descriptor(path: Path | str) -> int | None:
    """The file descriptor of this process that `path` names (`/dev/stdout`: 1, `/dev/stderr`: 2,
    `/dev/fd/N` and `/proc/self/fd/N`: N), following the system's links in /dev and /proc to it; None for
    any other name (a file, a named pipe, `/dev/null`). Such an output is written in place, to that
    descriptor (`write_atomic`): `-o /dev/stdout >> FILE` appends to FILE, as the shell opened it, where a
    rename of a new file over it (or opening it again, at its start) lost what FILE held."""
    name = os.path.abspath(str(path))
    for _ in range(8):  # /dev/stdout -> /proc/self/fd/1: a few links at most
        if name in _STANDARD_NAMES:
            return _STANDARD_NAMES[name]
        found = _DESCRIPTOR_NAME.fullmatch(name)
        if found is not None:
            if found["pid"] is not None and int(found["pid"]) != os.getpid():
                return None  # another process's open file
            return int(found["fd"])
        if not any(name.startswith(f"{folder}/") for folder in map(str, _OPEN_FILE_FOLDERS)):
            return None
        parent, leaf = os.path.split(name)
        real_parent = os.path.realpath(parent)  # /dev/fd -> /proc/self/fd -> /proc/PID/fd
        if real_parent != parent:
            name = os.path.join(real_parent, leaf)
            continue
        try:
            target = os.readlink(name)
        except OSError:
            return None  # no link (a device, a file), or not there
        name = os.path.normpath(os.path.join(parent, target))
    return None


def _check_open_for_writing(descriptor: int, path: Path) -> None:
    """InputError when `descriptor` (named by `path`) is not open, or open only for reading (`/dev/fd/0`
    of `< plan.json`: a rename over that name replaced the input)."""
    import fcntl

    try:
        flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
    except OSError:
        raise InputError(f"cannot write: file descriptor {descriptor} is not open", Location(str(path))) from None
    if flags & os.O_ACCMODE == os.O_RDONLY:
        raise InputError(f"cannot write: file descriptor {descriptor} is open for reading only",
                         Location(str(path)))


def write_in_place(descriptor: int, raw: bytes, path: Path | str) -> None:
    """Write `raw` whole to the open file `descriptor` (named by `path`: `/dev/stdout`), where it stands (its
    offset, or its end when the shell opened it to append): what Python holds for stdout and stderr goes out
    first. A closed pipe raises BrokenPipeError (exit 141, as on stdout); another failure is InputError
    `PATH: cannot write: REASON`."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.fileno() == descriptor:
                stream.flush()
        except (OSError, ValueError, AttributeError):  # not a real file (a test's capture): nothing to order
            pass
    view = memoryview(raw)
    try:
        while view:
            written = os.write(descriptor, view)
            if not written:
                raise BrokenPipeError(errno.EPIPE, "the output took no more")
            view = view[written:]
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", Location(str(path))) from None


def read_only(path: Path) -> bool:
    """Whether `path` is a file that is not to be written: its owner's write permission is off (`chmod 444`:
    a plan write-protected once adopted), or this user may not write it. The permission bits are read, not
    only `os.access`, which says yes to root whatever they are; a rename over the file (`write_atomic`)
    needs only the folder's permission and replaced it without a word."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # a new file
    return stat.S_ISREG(mode) and (not mode & stat.S_IWUSR or not os.access(path, os.W_OK))


def link_into_data_folder(path: Path) -> tuple[Path, Path] | None:
    """The first symbolic link on `path` as written (one of its folders, or the file itself) that leads
    into a data folder (to it, or to something in or below it), and that data folder; None when there is
    none."""
    parts = path.parts
    for end in range(1, len(parts) + 1):
        step = Path(*parts[:end])
        if step.is_symlink():
            data = data_folder_around(Path(os.path.realpath(step)))
            if data is not None:
                return step, data
    return None


def data_folder_around(path: Path) -> Path | None:
    """The data folder `path` is (a folder holding organisations.yaml and waves.yaml), is in, or is below
    (its scenarios/), the nearest; None when it is in none."""
    for folder in (path, *path.parents):
        if (folder / "organisations.yaml").is_file() and (folder / "waves.yaml").is_file():
            return folder
    return None


#: the temporary files `write_atomic` is writing (`temp_file_beside`'s, when told to track them): where the
#: process ends at once, without unwinding (a second Ctrl-C, `stopping.ctrl_c`), `remove_unfinished` removes
#: them as the writer's own cleanup would have
UNFINISHED: set[Path] = set()


def remove_unfinished() -> None:
    """Remove the temporary files of writes still under way (`UNFINISHED`): the process is ending at once."""
    for temp in list(UNFINISHED):
        try:
            os.unlink(temp)
        except OSError:
            pass
    UNFINISHED.clear()


def write_atomic(path: Path | str, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and an atomic rename. A
    symbolic link is refused, not followed (`check_writable`), and so is a folder link into a data folder or
    out of the working tree, and a read-only file; a name of an open file of this process (`-o /dev/stdout`,
    `/dev/fd/N`: `open_file_descriptor`) is written to that open file (`>> FILE` appends, `> FILE`
    truncated it), and a device or a named pipe (a FIFO) is opened and written in place, as a rename would
    replace it with a file (the rename itself replaces a name, never follows a link there). Text is UTF-8 (`encode_text`: a name
    in bytes Python could not decode too). A write that fails (no space left, an I/O error,
    at any step: the temporary file, its writing, its sync, the rename) is InputError `PATH: cannot write:
    REASON`; the temporary file is removed and the old file is as it was."""
    descriptor = open_file_descriptor(path)
    written = path
    path = check_writable(path)
    raw = encode_text(data) if isinstance(data, str) else data
    if descriptor is not None:  # `/dev/stdout` and the like: the open file, as the shell set it up
        write_in_place(descriptor, raw, written)
        return
    if path.exists() and not path.is_file() and not path.is_dir():
        try:
            with open(path, "wb") as handle:
                handle.write(raw)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", Location(str(path))) from None
        return
    made: list[Path] = []  # the temporary file, once it exists: removed whatever ends the write (a signal too)
    try:
        try:
            fd, tmp = temp_file_beside(path, path.stat().st_mode if path.exists() else None, made)
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            for temp in made:
                try:
                    os.unlink(temp)
                except FileNotFoundError:
                    pass
            raise
        finally:
            UNFINISHED.difference_update(made)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", Location(str(path))) from None


def temp_file_beside(path: Path, mode: int | None, made: list[Path] | None = None) -> tuple[int, Path]:
    """A new hidden temporary file in `path`'s folder (`.NAME.xxxx.tmp`, NAME cut to 200 characters: a
    long name the file system takes would not fit with the affixes), to be renamed over `path` once
    written (a rename within a folder is atomic): its descriptor and path. It gets the permissions
    `mode` (those of the file it replaces), else those a new file gets (0666 less the umask). OSError
    when the folder takes no new file. `made`: the file is added to it, and to `UNFINISHED`, as it is made,
    with Ctrl-C and SIGTERM held meanwhile (`held_signals`): no signal comes between the file and its record,
    so the caller's cleanup finds every file it made."""
    folder = path.parent if str(path.parent) else Path(".")
    with held_signals(made is not None):
        fd, temp = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=folder)
        if made is not None:
            made.append(Path(temp))
            UNFINISHED.add(Path(temp))
    if mode is None:
        umask = os.umask(0)  # read it (there is no other way) and put it back at once
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(temp, mode & 0o777)
    except OSError:
        os.close(fd)
        os.unlink(temp)
        raise
    return fd, Path(temp)


@contextlib.contextmanager
def held_signals(hold: bool = True) -> Iterator[None]:
    """SIGINT and SIGTERM held (blocked for this thread) while the block runs, delivered as it ends."""
    if not hold or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_pair(first: Path, first_text: str, second: Path, second_text: str) -> None:
    """Write two files that only make sense together (an instance's organisations.yaml and waves.yaml,
    a sweep's summary and its chart), each atomically, and the pair all or nothing: when the second
    cannot be written the first is put back as it was (or removed, if it was new), so a failed run
    leaves nothing half replaced."""
    previous = check_writable(first)
    check_writable(second)  # before the first is written: a second that cannot be written costs nothing
    in_place = open_file_descriptor(first) is not None or (previous.exists() and not previous.is_file())
    old = previous.read_bytes() if previous.is_file() and not in_place else None
    existed = previous.exists()
    write_atomic(first, first_text)
    try:
        write_atomic(second, second_text)
    except BaseException:
        if in_place:  # written to an open file, a pipe or a device: nothing to put back
            raise
        if old is not None:
            write_atomic(first, old)
        elif not existed:
            previous.unlink(missing_ok=True)
        raise
