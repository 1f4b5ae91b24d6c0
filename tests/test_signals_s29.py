"""SIGTERM and inherited ignored signals on the command line, and no temporary file left by a signal during a
write (an operations engineer's findings, session 29)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hpplan import io as hpio
from hpplan.loader import load_problem
from hpplan.solution import read_plan
from hpplan.stopping import EXIT_INTERRUPTED, EXIT_TERMINATED, StopRequest, ctrl_c
from hpplan.verify import verify

HPPLAN = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()"]


def _signalled(args: list[str], after: float, signum: int, ignore_sigint: bool = False) -> subprocess.CompletedProcess:
    """Run the hpplan command (`ignore_sigint`: started with SIGINT ignored, as a script's `cmd &`), send it
    `signum` after `after` seconds, wait for it to end."""
    def started():
        signal.signal(signal.SIGINT, signal.SIG_IGN if ignore_sigint else signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    process = subprocess.Popen(HPPLAN + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=started)
    try:
        time.sleep(after)
        process.send_signal(signum)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def test_sigterm_in_hpplan_solve_writes_the_best_plan_so_far_and_exits_143(region: Path, tmp_path: Path):
    """`timeout`, a cancelled CI job or a service stop send SIGTERM: the solve was ended by the system's
    default without a word and without its plan (exit -15); now it is taken as a Ctrl-C."""
    out = tmp_path / "plan.json"
    done = _signalled(["solve", "--data", str(region), "-t", "300", "-q", "-f", "json", "-o", str(out)], 6,
                      signal.SIGTERM)
    assert done.returncode == EXIT_TERMINATED, done.stderr
    assert "stopped by SIGTERM" in done.stderr and f"written to {out}" in done.stderr
    assert "Traceback" not in done.stderr
    written = json.loads(out.read_text())
    assert written["solver"]["stopped"] is True
    assert verify(load_problem(region), read_plan(out)) == []


def test_sigterm_before_the_solve_says_so_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "plan.json"
    out.write_text("old")
    done = _signalled(["solve", "--data", str(Path(__file__).parent / "data" / "tiny"), "-f", "json", "-o", str(out)],
                      0.2, signal.SIGTERM)
    assert done.returncode == EXIT_TERMINATED, done.stderr
    assert "terminated (SIGTERM)" in done.stderr and "Traceback" not in done.stderr
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_a_sigint_ignored_at_the_start_stays_ignored(region: Path, tmp_path: Path):
    """A script's `hpplan solve ... &` starts it with SIGINT ignored: a Ctrl-C meant for the foreground stopped
    the background solve (solve and report put their handler over the ignored one; sweep and generate did not)."""
    out = tmp_path / "plan.json"
    done = _signalled(["solve", "--data", str(region), "-t", "8", "-q", "-f", "json", "-o", str(out)], 5,
                      signal.SIGINT, ignore_sigint=True)
    assert done.returncode in (0, 2), done.stderr  # (2: the time limit before a proof is no error either)
    assert "Ctrl-C" not in done.stderr
    assert json.loads(out.read_text())["solver"].get("stopped") is not True


def test_ctrl_c_leaves_an_ignored_sigint_alone_and_takes_sigterm_for_a_command():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        stop = StopRequest()
        with ctrl_c(stop, say=lambda text: None):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)
            deadline = time.monotonic() + 10
            while not stop.is_set() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert stop.is_set() and stop.signal == signal.SIGTERM
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_second_sigterm_ends_the_process_with_143():
    script = ("import os, signal, time\n"
              "from hpplan.stopping import StopRequest, ctrl_c\n"
              "with ctrl_c(StopRequest()):\n"
              "    for _ in range(2):\n"
              "        os.kill(os.getpid(), signal.SIGTERM)\n"
              "        time.sleep(0.5)\n"
              "    time.sleep(30)\n"
              "print('not ended')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_TERMINATED
    assert "terminated (SIGTERM); nothing written" in done.stderr and "not ended" not in done.stdout


@pytest.mark.parametrize("where", ["chmod", "fsync"])
def test_a_signal_during_an_atomic_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch, where: str):
    """A KeyboardInterrupt (Ctrl-C, or SIGTERM taken as one) while the temporary file was being set up
    (its permissions) came before the write's cleanup began: a hidden `.NAME.xxxx.tmp` stayed beside it."""
    target = tmp_path / "plan.json"
    target.write_text("old")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hpio.os, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        hpio.write_atomic(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    assert not hpio.UNFINISHED


def test_a_process_that_ends_at_once_removes_the_writes_under_way(tmp_path: Path):
    """A second Ctrl-C ends the process at once (`os._exit`, no unwinding): the temporary files of writes
    under way are removed first."""
    made: list[Path] = []
    fd, temp = hpio.temp_file_beside(tmp_path / "x.html", None, made)
    os.close(fd)
    assert temp.exists() and made == [temp] and temp in hpio.UNFINISHED
    hpio.remove_unfinished()
    assert not temp.exists() and not hpio.UNFINISHED


def test_the_exit_codes_are_the_shells():
    assert (EXIT_INTERRUPTED, EXIT_TERMINATED) == (130, 143)


def test_generate_interrupted_or_failing_leaves_no_folder_it_made_and_names_the_folder_as_given(tmp_path, monkeypatch):
    """`generate -o g` on a full disk said `/abs/path/g/organisations.yaml: cannot write: ...` and left an empty
    `g/`; the same after Ctrl-C or SIGTERM."""
    from hpplan import generate
    from hpplan.errors import InputError, Location

    monkeypatch.chdir(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(generate, "write_pair", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate.write_instance(Path("new") / "g", "region", 1)
    assert not (tmp_path / "new").exists()

    def full(first, first_text, second, second_text):
        raise InputError("cannot write: No space left on device", Location(str(first)))

    monkeypatch.setattr(generate, "write_pair", full)
    (tmp_path / "kept").mkdir()
    with pytest.raises(InputError) as caught:
        generate.write_instance(Path("kept"), "region", 1)
    assert str(caught.value) == "kept/organisations.yaml: cannot write: No space left on device"
    assert (tmp_path / "kept").is_dir()  # (not made by it: left as it was)


@pytest.mark.parametrize("raised, code, said", [("KeyboardInterrupt", 130, "interrupted (Ctrl-C)"),
                                                ("Terminated", 143, "terminated (SIGTERM)")])
def test_a_signal_before_click_handles_it_gives_no_traceback(raised: str, code: int, said: str):
    """A Ctrl-C while typer reads the command's options (under load, 0.8 s after the start) came before click's
    own handling: a KeyboardInterrupt traceback."""
    script = ("import sys\n"
              "from hpplan import cli\n"
              "from hpplan.stopping import Terminated\n"
              "def starting(*args, **kwargs):\n"
              f"    raise {raised}\n"
              "cli.app = starting\n"
              "sys.argv = ['hpplan', 'solve']\n"
              "cli.main()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (code, f"hpplan: {said}\n")


def test_sigterm_in_hpplan_report_writes_the_report_of_the_best_plan_so_far(region: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    done = _signalled(["report", "--data", str(region), "-t", "300", "-q", "-o", str(out)], 6, signal.SIGTERM)
    assert done.returncode == EXIT_TERMINATED, done.stderr
    assert "stopped by SIGTERM" in done.stderr and f"written to {out}" in done.stderr and "Traceback" not in done.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
