"""Outputs in awkward surroundings (session 26): names in bytes that are not UTF-8, a full disk (stdout
too), a closed stdout, a read-only output file; and values the option types let through (an empty path,
nan)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import InputError
from hpplan.io import check_writable, write_atomic, write_stdout

TINY = Path(__file__).parent / "data" / "tiny"
SWEEP_TINY = Path(__file__).parent / "data" / "sweep_tiny"
HPPLAN = str(Path(sys.executable).parent / "hpplan")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli.app, list(args))


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`command` in a POSIX shell (for `>&-` and `> /dev/full`), `$H` the installed hpplan."""
    return subprocess.run(command, shell=True, cwd=cwd, capture_output=True, timeout=300,
                          env={**os.environ, "H": HPPLAN, **env})


# --- 1. a name in bytes that are not UTF-8 (surrogate escapes), or not ASCII under LC_ALL=C ---------------

def test_write_atomic_writes_a_name_in_bytes_that_are_not_utf8_as_its_escape(tmp_path: Path):
    # Python reads the folder b"lat\xe5" as "lat\udce5"; a strict encode raised UnicodeEncodeError (exit 70)
    out = tmp_path / "plan.md"
    write_atomic(out, "Data: `lat\udce5` and Ørland\n")
    text = out.read_bytes().decode("utf-8")  # still valid UTF-8: the byte 0xE5 alone is not
    assert text == "Data: `lat\\udce5` and Ørland\n"


def test_a_utf8_name_read_in_an_ascii_locale_is_written_as_its_letters(tmp_path: Path):
    # `dåta` read with an ASCII file system encoding (LC_ALL=C PYTHONUTF8=0) is "d\udcc3\udca5ta"
    out = tmp_path / "plan.md"
    write_atomic(out, b"d\xc3\xa5ta \xc3\xb8".decode("ascii", "surrogateescape"))
    assert out.read_text(encoding="utf-8") == "dåta ø"


def test_the_escape_reads_back_as_the_same_name_in_json(tmp_path: Path):
    out = tmp_path / "plan.json"
    write_atomic(out, json.dumps({"data": "lat\udce5"}, ensure_ascii=False))
    assert os.fsencode(json.loads(out.read_text(encoding="utf-8"))["data"]) == b"lat\xe5"


class FakeStdout:
    """A stdout of `encoding` whose bytes are kept, or whose writes fail with `fail` (an errno)."""

    def __init__(self, encoding: str = "utf-8", fail: int | None = None):
        self.encoding, self.errors, self.fail, self.got = encoding, "strict", fail, bytearray()
        self.buffer = self

    def write(self, data) -> int:
        if self.fail is not None:
            raise OSError(self.fail, os.strerror(self.fail))
        self.got += bytes(data)
        return len(data)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_write_stdout_writes_a_name_in_bytes_that_are_not_utf8(monkeypatch, encoding):
    fake = FakeStdout(encoding)
    monkeypatch.setattr(sys, "stdout", fake)
    write_stdout("# Plan of lat\udce5, d\udcc3\udca5ta and dåta ø\n")
    assert fake.got.decode("utf-8") == "# Plan of lat\\udce5, dåta and dåta ø\n"


@pytest.mark.skipif(sys.platform != "linux", reason="a name in bytes that are not UTF-8: Linux file systems")
def test_solve_and_check_of_a_folder_whose_name_is_not_utf8(tmp_path: Path):
    folder = os.fsencode(tmp_path) + b"/lat\xe5"
    shutil.copytree(TINY, os.fsdecode(folder))
    name = os.fsdecode(folder)
    out = tmp_path / "plan.md"
    done = subprocess.run([HPPLAN, "solve", "-d", name, "-t", "20", "-q", "-f", "markdown", "-o", str(out)],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "lat\\udce5" in out.read_text(encoding="utf-8")
    done = subprocess.run([HPPLAN, "check", "-d", name, "-t", "20", "-f", "json"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert json.loads(done.stdout)  # whole, and valid UTF-8


def test_check_in_an_ascii_locale_writes_a_norwegian_folder_name(tmp_path: Path):
    folder = tmp_path / "dåta ø"
    shutil.copytree(TINY, folder)
    done = shell(f'"$H" check -d "{folder}" -t 20 -f json', tmp_path, LC_ALL="C", LANG="C", PYTHONUTF8="0")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "dåta ø" in done.stdout.decode("utf-8")


# --- 2. a write that fails: stdout and files alike, exit 2, no traceback ---------------------------------

def test_write_stdout_that_fails_is_input_error_naming_stdout(monkeypatch):
    monkeypatch.setattr(sys, "stdout", FakeStdout(fail=errno.ENOSPC))
    with pytest.raises(InputError, match=r"^stdout: cannot write: No space left on device$"):
        write_stdout("a plan\n")


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_write_atomic_failing_at_any_step_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch, step):
    out = tmp_path / "plan.json"
    out.write_text("old")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if step == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                full()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, step, full)
    with pytest.raises(InputError, match="plan.json: cannot write: No space left on device"):
        write_atomic(out, "new")
    monkeypatch.undo()
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", ["solve -q", "solve -q -f json", "check", "generate --size region -o gen"])
def test_a_full_stdout_is_one_line_and_exit_2_as_a_full_output_file(tmp_path: Path, args):
    data = "" if args.startswith("generate") else f" -d {TINY} -t 20"
    done = shell(f'"$H" {args}{data} > /dev/full', tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err == "error: stdout: cannot write: No space left on device\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_output_file_is_exit_2_too(tmp_path: Path):
    done = shell(f'"$H" solve -q -d {TINY} -t 20 -o /dev/full', tmp_path)
    assert done.returncode == 2 and done.stderr.decode() == "error: /dev/full: cannot write: No space left on device\n"


# --- 3. a closed stdout (`>&-`) ---------------------------------------------------------------------------

@pytest.mark.parametrize("command, code", [("solve -q -o plan.json", 0), ("report -q -o plan.html", 0),
                                           ("check", 0), ("explain -a orsta", 0)])
def test_a_closed_stdout_writes_the_output_file_and_ends_with_the_verdict(tmp_path: Path, command, code):
    done = shell(f'"$H" {command} -d {TINY} -t 20 >&-', tmp_path)
    assert done.returncode == code, done.stderr.decode()
    assert "internal error" not in done.stderr.decode()
    if "-o " in command:
        assert (tmp_path / command.split("-o ")[1]).stat().st_size > 0


def sweep_spec(tmp_path: Path) -> Path:
    """A small Monte Carlo sweep of tests/data/sweep_tiny (as tests/test_sweep.py writes them)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps({
        "base": str(SWEEP_TINY), "description": "test sweep", "kind": "monte_carlo", "samples": 2, "seed": 7,
        "live_by": ["2024-12-31"], "time_limit": 5,
        "risks": [{"actor": "trust-a", "slip": {"discrete": {0: 0.5, 3: 0.5}}, "source": "estimate: test"}]}))
    return spec


def test_a_closed_sweep_stdout_keeps_the_results(tmp_path: Path):
    done = shell(f'"$H" sweep {sweep_spec(tmp_path)} --out res.jsonl -j 1 >&-', tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert len((tmp_path / "res.jsonl").read_text().splitlines()) >= 2


def test_highs_quiet_stdout_with_fd_1_closed_and_no_sys_stdout():
    # as a library (no `hpplan.cli.main` to put /dev/null on fd 1): flush of None and dup(1) failed
    script = ("import os, sys\n"
              "os.close(1)\n"
              "sys.stdout = None\n"
              "from hpplan.engines.highs import _quiet_stdout\n"
              "with _quiet_stdout(True):\n"
              "    pass\n"
              "os.fstat(1)  # /dev/null: no file opened later takes fd 1\n"
              "sys.stderr.write('ok')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stderr == b"ok", done.stderr.decode()


# --- 4. a read-only output file ------------------------------------------------------------------------------

def test_check_writable_refuses_a_read_only_file_even_for_root(tmp_path: Path):
    out = tmp_path / "adopted plan.json"
    out.write_text("old")
    out.chmod(0o444)
    with pytest.raises(InputError, match=r"cannot write: the file is read-only; make it writable "
                                         r"\(chmod u\+w '.*adopted plan.json'\) or write elsewhere"):
        check_writable(out)
    with pytest.raises(InputError, match="read-only"):
        write_atomic(out, "new")
    assert out.read_text() == "old"


def test_a_read_only_link_target_is_refused(tmp_path: Path):
    target = tmp_path / "target.json"
    target.write_text("old")
    target.chmod(0o444)
    (tmp_path / "latest.json").symlink_to(target)
    with pytest.raises(InputError, match="this is a symbolic link"):  # s27: no output through a link at all
        check_writable(tmp_path / "latest.json")


@pytest.mark.parametrize("args", [["solve", "-o", "{ro}"], ["check", "--junit", "{ro}"],
                                  ["report", "-o", "{ro}.html"]])
def test_every_command_refuses_a_read_only_output_before_any_work(tmp_path: Path, args):
    ro = tmp_path / "ro.json"
    for path in (ro, Path(f"{ro}.html")):
        path.write_text("old")
        path.chmod(0o444)
    result = run(*[a.format(ro=ro) for a in args], "-d", str(TINY), "-t", "20")
    assert result.exit_code == 2, result.output
    assert "is read-only; make it writable" in result.output
    assert "plan exists" not in result.output and "optimal" not in result.output  # no work done
    assert ro.read_text() == "old"


def test_sweep_refuses_a_read_only_results_file(tmp_path: Path):
    ro = tmp_path / "res.jsonl"
    ro.write_text("old")
    ro.chmod(0o444)
    result = run("sweep", str(sweep_spec(tmp_path)), "--out", str(ro))
    assert result.exit_code == 2 and "read-only" in result.output, result.output
    assert ro.read_text() == "old"


def test_a_writable_file_is_still_replaced(tmp_path: Path):
    out = tmp_path / "plan.json"
    out.write_text("old")
    out.chmod(0o644)
    write_atomic(out, "new")
    assert out.read_text() == "new" and stat.S_IMODE(out.stat().st_mode) == 0o644


# --- 5. an empty path; generate -o - --------------------------------------------------------------------------

@pytest.mark.parametrize("args, option, what", [
    (["generate", "--size", "region", "-o", ""], "'--out' / '-o'", "a folder"),
    (["solve", "-d", ""], "'--data' / '-d'", "a folder"),
    (["solve", "-d", str(TINY), "-s", ""], "'--scenario' / '-s'", "a file"),
    (["solve", "-d", str(TINY), "-o", ""], "'--output' / '-o'", "a file"),
    (["check", "-d", str(TINY), "-p", ""], "'--plan' / '-p'", "a file"),
    (["compare", "-b", ""], "'--baseline' / '-b'", "a file"),
    (["sweep", ""], "'SPEC'", "a file"),
])
def test_an_empty_path_is_refused_naming_the_option(tmp_path: Path, monkeypatch, args, option, what):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: an empty path; give {what}" in result.output
    assert list(tmp_path.iterdir()) == []  # generate -o '' wrote into the current folder


def test_generate_refuses_dash_as_out(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("generate", "--size", "region", "-o", "-")
    assert result.exit_code == 2
    assert "--out -: generate writes a folder (organisations.yaml and waves.yaml), not stdout" in result.output
    assert list(tmp_path.iterdir()) == []


# --- 6. nan for a number ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, option, what", [
    (["solve", "-t", "nan"], "'--time-limit' / '-t'", "a number of seconds"),
    (["solve", "--gap", "NaN"], "'--gap'", "a percentage"),
    (["solve", "--work-limit", "nan"], "'--work-limit'", "a number of seconds"),
    (["check", "-t", " nan"], "'--time-limit' / '-t'", "a number of seconds"),
])
def test_nan_is_not_a_number(args, option, what):
    result = run(*args, "-d", str(TINY))
    assert result.exit_code == 2
    assert f"Invalid value for {option}: {args[-1]!r} is not a number; give {what}" in result.output
    assert "less than or equal" not in result.output


# --- 7. what the tool is ----------------------------------------------------------------------------------------

def test_help_describes_any_rollout_not_one_region():
    result = run("--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "(Helseplattformen, Midt-Norge)" not in text
    assert "Plan the staged rollout of a shared electronic health record across many organisations" in text
