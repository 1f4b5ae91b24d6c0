"""Outputs are written atomically (a temporary file and a rename), except where a rename would do harm:
a named pipe or a device is written in place, a symbolic link is followed."""

from __future__ import annotations

import os
import stat
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


def test_a_symbolic_link_is_followed(tmp_path: Path):
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_missing_folder_or_a_folder_is_bad_input(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nowhere" / "plan.json", "x")
    with pytest.raises(InputError, match="this is a folder"):
        write_atomic(tmp_path, "x")
