"""A plan path that is no regular file (t3 findings 1 and 3, s26): a device (/dev/zero, /dev/null, a `.json`
link to one) or a named pipe given as a plan is refused before it is read, a JSON plan file over its size
limit too; a folder, a device and a missing file are each said as what they are, in one wording for the YAML
and the JSON readers; `--baseline` names itself."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from hpplan import solution, yamlio
from hpplan.errors import InputError, grouped
from hpplan.solution import read_plan
from hpplan.yamlio import MAX_BYTES, load_yaml

TINY = Path(__file__).parent / "data" / "tiny"
#: the command line, run as a process: a regression reads /dev/zero until memory runs out, or waits on a
#: named pipe for ever; the process is capped (memory, time) so that neither takes the suite with it
HPPLAN = [sys.executable, "-c", "import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()"]
MEMORY = 3 * 2 ** 30
TIMEOUT = 60

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
needs_dev = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def hpplan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([*HPPLAN, *args], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd,
                              preexec_fn=_capped, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hpplan {' '.join(args)} did not end in {TIMEOUT} s (reading a named pipe or a device?)")


@pytest.fixture
def paths(tmp_path: Path) -> Path:
    """zero.json (a link to /dev/zero), fifo.json and fifo.yaml (named pipes), adir (a folder)."""
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.json")
        os.mkfifo(tmp_path / "fifo.yaml")
    if Path("/dev/zero").exists():
        (tmp_path / "zero.json").symlink_to("/dev/zero")
    (tmp_path / "adir").mkdir()
    return tmp_path


PLAN_OPTIONS = [
    ("check", "-p"),
    ("solve", "-b"),
    ("report", "-p"),
    ("report-compare", "-c"),
    ("compare", "-b"),
]


def _command(command: str, option: str, path: Path | str) -> list[str]:
    return [command, "-d", str(TINY), "-t", "5", *(["-q"] if command == "solve" else []), option, str(path)]


@needs_dev
@pytest.mark.parametrize("command,option", PLAN_OPTIONS)
def test_a_json_plan_that_is_a_device_is_refused_before_it_is_read(paths: Path, command: str, option: str):
    """`zero.json -> /dev/zero` was read without end: MemoryError, exit 70 (or all the machine's memory)."""
    if command == "report-compare":  # --compare is read after --plan: give a plan that reads
        plan = paths / "plan.json"
        done = hpplan("solve", "-d", str(TINY), "-q", "-f", "json", "-o", str(plan))
        assert done.returncode == 0, done.stderr
        args = ["report", "-d", str(TINY), "-p", str(plan), "-c", str(paths / "zero.json")]
    else:
        args = _command(command, option, paths / "zero.json")
    done = hpplan(*args)
    assert done.returncode == 2, done.stderr
    assert "not a regular file but a device" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


@needs_fifo
@pytest.mark.parametrize("name", ["fifo.json", "fifo.yaml"])
@pytest.mark.parametrize("command,option", [o for o in PLAN_OPTIONS if o[0] != "report-compare"])
def test_a_plan_that_is_a_named_pipe_is_refused_not_waited_on(paths: Path, command: str, option: str, name: str):
    """`mkfifo plan.json`: check -p, report -p, compare -b and solve -b waited for a writer for ever."""
    done = hpplan(*_command(command, option, paths / name))
    assert done.returncode == 2, done.stderr
    assert "not a regular file but a named pipe (FIFO)" in done.stderr, done.stderr


@needs_fifo
def test_read_plan_refuses_a_named_pipe_in_the_library(paths: Path):
    """`hpplan.read_plan` itself (the library's reader), in a process of its own: a regression waits."""
    script = ("import sys\nfrom hpplan import read_plan, InputError\n"
              "try:\n    read_plan(sys.argv[1])\nexcept InputError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", script, str(paths / "fifo.json")], capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_capped)
    assert done.stdout.strip() == (f"{paths / 'fifo.json'}: not a regular file but a named pipe (FIFO); give the "
                                   "JSON file `hpplan solve --format json -o FILE` wrote"), done.stderr


@needs_fifo
def test_a_path_swapped_for_a_named_pipe_after_the_look_is_not_waited_on(paths: Path):
    """The kind is asked again of what was opened (opened without waiting): a path that was a regular file when
    looked at and a named pipe when opened is refused, not waited on."""
    script = ("import sys\nfrom hpplan import yamlio\nfrom hpplan.errors import InputError\n"
              "yamlio.unreadable = lambda *a, **k: None  # the look said: a regular file\n"
              "try:\n    yamlio.read_regular_file(sys.argv[1])\nexcept InputError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", script, str(paths / "fifo.yaml")], capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_capped)
    assert "not a regular file but a named pipe (FIFO)" in done.stdout, (done.stdout, done.stderr)


def test_a_json_plan_over_its_limit_is_refused_saying_the_limit(tmp_path: Path):
    """A 40 MB "plan" was read whole; a national plan is about 0.5 MB. (A sparse file: no disk used.)"""
    plan, MAX_PLAN_BYTES = tmp_path / "huge.json", solution.MAX_PLAN_BYTES
    with open(plan, "wb") as handle:
        handle.truncate(MAX_PLAN_BYTES + 1)
    with pytest.raises(InputError) as caught:
        read_plan(plan)
    assert str(caught.value) == (f"{plan}: file is {grouped(MAX_PLAN_BYTES + 1)} bytes; at most {grouped(MAX_PLAN_BYTES)} are read "
                                 "(256 MiB: a national plan's file is about 0.5 MB, a national re-plan's with the causes "
                                 "of its moves some 40 MB); is this the right file?")
    assert MAX_PLAN_BYTES >= 100 * 2 ** 20  # room for any real plan: a national re-plan's JSON was 41 MB, refused at 32


def test_a_plan_at_the_limit_is_read_and_a_yaml_file_keeps_its_own_limit(tmp_path: Path):
    """The limit is of the file: one of at most MAX_BYTES bytes is read whole (here: refused as what it holds)."""
    text = tmp_path / "big.yaml"
    with open(text, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match=f"at most {grouped(MAX_BYTES)} are read"):
        load_yaml(text)
    small = tmp_path / "small.json"
    small.write_text("{}")
    assert yamlio.read_regular_file(small, max_bytes=2) == b"{}"
    with pytest.raises(InputError, match="file is 2 bytes; at most 1 are read"):
        yamlio.read_regular_file(small, max_bytes=1)


@needs_dev
def test_dev_null_is_a_device_not_a_folder_in_both_readers(tmp_path: Path):
    """The YAML reader called /dev/null "not a file (a folder?)"; the JSON reader read it: "not a JSON plan"."""
    with pytest.raises(InputError) as yaml_error:
        load_yaml(Path("/dev/null"))
    assert str(yaml_error.value) == "/dev/null: not a regular file but a device; give the path of a file"
    with pytest.raises(InputError) as json_error:
        read_plan(Path("/dev/null"))
    assert str(json_error.value) == ("/dev/null: not a regular file but a device; give the JSON file "
                                     "`hpplan solve --format json -o FILE` wrote")


def test_a_folder_and_a_missing_file_are_said_as_what_they_are(tmp_path: Path):
    """One wording in both readers: "a folder, not a ..." (the YAML reader asked "(a folder?)"), "no such ..."."""
    with pytest.raises(InputError) as folder:
        load_yaml(tmp_path)
    assert str(folder.value) == f"{tmp_path}: a folder, not a file"
    with pytest.raises(InputError) as plan_folder:
        read_plan(tmp_path)
    assert str(plan_folder.value) == (f"{tmp_path}: a folder, not a plan file; give the JSON file "
                                      "`hpplan solve --format json -o FILE` wrote")
    with pytest.raises(InputError) as missing:
        load_yaml(tmp_path / "nosuch.yaml")
    assert str(missing.value) == f"{tmp_path / 'nosuch.yaml'}: no such file"
    with pytest.raises(InputError) as missing_plan:
        read_plan(tmp_path / "nosuch.json")
    assert str(missing_plan.value) == (f"{tmp_path / 'nosuch.json'}: no such plan file; write one with "
                                       "`hpplan solve --format json -o FILE`")


def test_read_plan_of_an_empty_path_says_so():
    """`read_plan('')` (a library caller's unset variable) read the current folder as the plan."""
    with pytest.raises(InputError) as caught:
        read_plan("")
    assert str(caught.value) == "'': empty path; give the JSON file `hpplan solve --format json -o FILE` wrote"


@needs_dev
@pytest.mark.parametrize("command", ["solve", "compare"])
def test_baseline_that_is_no_file_names_the_option(paths: Path, command: str):
    """`solve -b /dev/null` said "/dev/null:1: not a JSON plan"; now the option, the path and what it is."""
    done = hpplan(*_command(command, "-b", "/dev/null"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: --baseline: /dev/null: not a regular file but a device; give a saved plan"), \
        done.stderr


def test_compare_baseline_folder_without_data_names_the_option(paths: Path):
    """`compare -b adir` said "adir/waves.yaml: no such file" (and `-b ''`: "waves.yaml: no such file")."""
    done = hpplan(*_command("compare", "-b", paths / "adir"))
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"error: --baseline: {paths / 'adir'}: a folder without organisations.yaml and waves.yaml, "
                           "so no data folder; give a saved plan (the JSON `hpplan solve --format json -o FILE` "
                           "writes, or a YAML plan file) or a data folder\n")


def test_compare_empty_baseline_is_refused_naming_the_option(tmp_path: Path):
    """`compare -b ''` took '' for the current folder: run in a data folder, it compared that data with itself."""
    for name in ("organisations.yaml", "waves.yaml"):
        (tmp_path / name).write_bytes((TINY / name).read_bytes())
    done = hpplan("compare", "-d", str(TINY), "-t", "5", "-b", "", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--baseline" in done.stderr and "empty path" in done.stderr, done.stderr
