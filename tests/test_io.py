"""Outputs are written atomically (a temporary file and a rename), except where a rename would do harm:
a named pipe or a device is written in place, a symbolic link is followed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hpplan.errors import InputError
from hpplan.io import write_atomic


def test_a_regular_file_is_replaced_whole(tmp_path: Path):
    out = tmp_path / "plan.csv"
    out.write_text("old")
    os.chmod(out, 0o600)
    write_atomic(out, "new")
    assert out.read_text() == "new" and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path):
    # before, the rename put a file where the pipe was (and `-o /dev/null` as root replaced the device)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    write_atomic(pipe, "a plan\n")
    reader.join(timeout=10)
    assert got == [b"a plan\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path):
    # was followed (the target replaced): a link committed in a pull request replaced any file (s27)
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    with pytest.raises(InputError, match="this is a symbolic link"):
        write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "old"


def test_a_missing_folder_or_a_folder_is_bad_input(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nowhere" / "plan.json", "x")
    with pytest.raises(InputError, match="this is a folder"):
        write_atomic(tmp_path, "x")


def test_write_stdout_writes_on_after_a_short_count_so_a_closed_pipe_is_said(monkeypatch):
    # Python's buffered stdout returned 65,536 of 5 MB when the pipe's reader closed (`| head -c 10`),
    # without an error, and the rest was dropped: exit 0 for a cut output instead of 141
    import io as std_io

    from hpplan.io import write_stdout

    class ClosingPipe(std_io.RawIOBase):
        calls = 0

        def writable(self):
            return True

        def write(self, data):
            ClosingPipe.calls += 1
            if ClosingPipe.calls == 1:
                return 10  # a short count: the reader took 10 bytes and closed
            raise BrokenPipeError(32, "Broken pipe")

    class Buffer:
        def __init__(self):
            self.raw = ClosingPipe()

        def write(self, data):
            return self.raw.write(data)

        def flush(self):
            pass

    class Stdout:
        encoding, errors = "utf-8", "strict"
        buffer = Buffer()

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Stdout())
    with pytest.raises(BrokenPipeError):
        write_stdout("x" * 100_000)
    assert ClosingPipe.calls == 2


def test_a_large_output_into_a_pipe_closed_early_exits_141(tmp_path):
    plan = tmp_path / "plan.json"
    hpplan = f"{sys.executable} -c \"import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()\""
    data = Path(__file__).resolve().parents[1] / "data"
    assert subprocess.run(f"{hpplan} solve --data {data} -q -f json -o {plan}", shell=True, timeout=300).returncode == 0
    done = subprocess.run(f"set -o pipefail; {hpplan} report --data {data} --plan {plan} -o - | head -c 10 >/dev/null",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=300)
    assert done.returncode == 141, done.stderr


def test_a_long_file_name_the_file_system_takes_is_written(tmp_path: Path):
    # the temporary name (.NAME.xxxxxxxx.tmp) was 14 characters longer than NAME: a 245-character name
    # failed with "File name too long", after the solve
    out = tmp_path / ("a" * 245 + ".json")
    write_atomic(out, "{}")
    assert out.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_new_file_gets_the_umask_s_permissions(tmp_path: Path):
    # new outputs were always 0644, under `umask 077` too
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "private.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600


def test_a_folder_link_into_a_data_folder_is_refused_like_a_file_link(tmp_path: Path):
    """`reports -> data`, then `-o reports/x.json`: the output went into the data folder through the
    folder's link, which only a link to the file itself was refused for."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("organisations.yaml", "waves.yaml"):
        (data / name).write_text(f"{name}\n")
    (data / "scenarios").mkdir()
    (tmp_path / "reports").symlink_to("data")  # the folder itself
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "scenarios").symlink_to(data / "scenarios")  # a folder below it
    for path in (tmp_path / "reports" / "organisations.yaml", tmp_path / "reports" / "x.json",
                 tmp_path / "out" / "scenarios" / "x.yaml"):
        with pytest.raises(InputError, match="is a link to .*data folder .*not written through a link into"):
            write_atomic(path, "x")
    assert sorted(p.name for p in data.iterdir()) == ["organisations.yaml", "scenarios", "waves.yaml"]
    assert (data / "organisations.yaml").read_text() == "organisations.yaml\n"
    assert list((data / "scenarios").iterdir()) == []
    with pytest.raises(InputError) as refused:
        write_atomic(tmp_path / "reports" / "x.json", "x")
    assert str(refused.value).startswith(f"{tmp_path / 'reports' / 'x.json'}: cannot write: folder "
                                         f"{tmp_path / 'reports'} is a link to the data folder data; an output")
    # a link into it (not to it) names where it leads, and the data folder
    with pytest.raises(InputError, match=f"folder {tmp_path / 'out' / 'scenarios'} is a link to {data / 'scenarios'}, "
                                         f"in the data folder {data};"):
        write_atomic(tmp_path / "out" / "scenarios" / "x.yaml", "x")
    # a folder link elsewhere is followed, and the data folder named as it is is written, as before
    (tmp_path / "plans").mkdir()
    (tmp_path / "latest").symlink_to(tmp_path / "plans")
    write_atomic(tmp_path / "latest" / "v3.json", "plan")
    assert (tmp_path / "plans" / "v3.json").read_text() == "plan"
    write_atomic(data / "plan.json", "named itself")
    assert (data / "plan.json").read_text() == "named itself"
