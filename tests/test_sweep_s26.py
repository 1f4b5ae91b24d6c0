"""`hpplan sweep` in awkward environments (s26, tester t2): a data folder whose name is not UTF-8 is written
whole; a full disk mid-sweep keeps whole lines, says what is saved and how to go on (not a bug's exit
70); two sweeps started together on a new results file: the second is refused, no results are lost."""

from __future__ import annotations

import errno
import json
import os
import shlex
import shutil
import subprocess

import pytest
from test_sweep import TINY, context_of, run, spec_file

import hpplan.sweep as sw
import hpplan.sweep.run as sweep_run
from hpplan.errors import InputError
from hpplan.sweep import aggregate, header_record, inline_backend, read_results, resolve, load_spec, run_sweep
from hpplan.sweep.output import summary_csv, summary_json, summary_text, sweep_html
from hpplan.sweep.run import ResultsFile, ResultsUnwritable, dumps

#: a folder name in Latin-1: not UTF-8, read by Python with a surrogate escape ('lat\udce5')
LATIN = os.fsdecode(b"lat\xe5")


def latin_data(tmp_path):
    folder = tmp_path / LATIN
    shutil.copytree(TINY, folder)
    return folder


def test_a_sweep_of_a_folder_whose_name_is_not_utf8_is_written_whole_and_resumed(tmp_path):
    """t2 finding 1: sweep/run.py `_append` raised UnicodeEncodeError on the header (exit 70)."""
    data = latin_data(tmp_path)
    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    run_sweep(resolve(load_spec(spec), data), out, backend_factory=inline_backend())
    out.read_bytes().decode("utf-8")  # every line UTF-8
    found, _ = read_results(out)
    assert found.header["data"].endswith("lat\\udce5") and len(found.records) == 2
    # a resume of the same folder: the same header (no new one), the records go on
    more = resolve(load_spec(spec_file(tmp_path, "more.yaml", samples=3)), data)
    run_sweep(more, out, backend_factory=inline_backend(), resume=True, limit=1)
    assert len(read_results(out)[0].records) == 3
    summary = aggregate(read_results(out)[0])
    for text in (summary_text(summary), summary_json(summary), summary_csv(summary), sweep_html(summary)):
        text.encode("utf-8")
    assert json.loads(summary_json(summary))["data"].endswith("lat\\udce5")
    # a surrogate anywhere in a record (a path in a scenario's reason) is a JSON escape: read back as it was
    line = dumps({"type": "result", "index": 0, "reason": f"{LATIN}/organisations.yaml:3: bad"})
    line.encode("utf-8")
    assert json.loads(line)["reason"] == f"{LATIN}/organisations.yaml:3: bad"


def test_the_command_sweeps_a_folder_whose_name_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr(sw, "local_backend", lambda jobs: inline_backend())
    data = latin_data(tmp_path)
    out = tmp_path / "r.jsonl"
    result = run("sweep", str(spec_file(tmp_path, samples=2)), "-d", str(data), "--out", str(out), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"].endswith("lat\\udce5")


def test_a_resume_command_names_a_file_that_is_not_utf8_as_the_shell_reads_it():
    from hpplan.cli_sweep import _command, _shell_word

    assert _shell_word(LATIN) == "$'lat\\xe5'" and _shell_word("My data") == "'My data'"
    assert _shell_word("d\udcc3\udca5ta") == "$'d\\xc3\\xa5ta'"  # `dåta` read under LC_ALL=C
    command = _command(LATIN + "/risk.yaml", "r.jsonl")
    if shutil.which("bash"):
        said = subprocess.run(["bash", "-c", "printf '%s\\n' " + _shell_word(LATIN + "/x 'y'")], capture_output=True)
        assert said.stdout == b"lat\xe5/x 'y'\n"
    assert command.startswith("hpplan sweep $'lat\\xe5/risk.yaml' --out r.jsonl")


class FullDisk:
    """os.write in the sweep's results file: the disk full after `room` whole records (the next one cut
    short, as a full disk cuts a write). Only the writes to a results file count (`*.jsonl`, or the hidden
    temporary file it is made as): os.write is the process's, and a write of anything else (a thread an
    earlier test left) took the room of a record in one run of the full suite in three (s29)."""

    def __init__(self, monkeypatch, room: int):
        self.room, self.real = room, os.write
        monkeypatch.setattr(sweep_run.os, "write", self.write)

    @staticmethod
    def _results(fd) -> bool:
        try:
            name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            return True  # (no /proc: every write counts, as before)
        return ".jsonl" in name

    def write(self, fd, data):
        if not self._results(fd):
            return self.real(fd, data)
        if self.room <= 0:
            self.real(fd, bytes(data[:25]))
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= 1
        return self.real(fd, data)


def test_a_full_disk_mid_sweep_keeps_whole_lines_says_what_is_saved_and_how_to_go_on(tmp_path, monkeypatch):
    """t2 finding 2: exit 70 with a traceback, "outputs are written atomically, so none is half-written"
    over a file with a torn last line, and no --resume command."""
    monkeypatch.setattr(sw, "local_backend", lambda jobs: inline_backend())
    spec = spec_file(tmp_path, samples=5)
    out = tmp_path / "r.jsonl"
    disk = FullDisk(monkeypatch, room=4)  # the header, the base and 2 scenarios
    result = run("sweep", str(spec), "--out", str(out), "-j", "1")
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.split())
    assert f"cannot write {out}: No space left on device; 2 of 5 scenarios are saved in it" in text, text
    assert (f"then go on with: hpplan sweep {shlex.quote(str(spec))} --jobs 1 --out {shlex.quote(str(out))} --resume"
            in text)  # (the jobs the run was given, session 29)
    assert "internal error" not in text and "Traceback" not in result.output and "incomplete" not in text
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and len(read_results(out)[0].records) == 2  # the cut record taken back out
    disk.room = 100  # space freed: --resume finishes it
    again = run("sweep", str(spec), "--out", str(out), "--resume", "-f", "json")
    assert again.exit_code == 0, again.output
    assert len(read_results(out)[0].records) == 5


def test_a_record_the_full_disk_cut_that_cannot_be_taken_back_is_said_and_resume_drops_it(tmp_path, monkeypatch):
    spec = spec_file(tmp_path, samples=4)
    out = tmp_path / "r.jsonl"
    FullDisk(monkeypatch, room=3)

    def refused(fd, length):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(sweep_run.os, "ftruncate", refused)
    with pytest.raises(ResultsUnwritable) as error:
        run_sweep(context_of(spec), out, backend_factory=inline_backend())
    assert error.value.started and (error.value.done, error.value.total) == (1, 4) and error.value.torn
    said = error.value.said(sw.run.COMMAND_LINE)
    assert said.endswith("1 of 4 scenarios are saved in it; its last line, the record being written, is incomplete, "
                         "and --resume drops it"), said
    assert not out.read_bytes().endswith(b"\n")
    monkeypatch.undo()
    run_sweep(context_of(spec), out, backend_factory=inline_backend(), resume=True)
    assert len(read_results(out)[0].records) == 4


def test_a_full_disk_before_the_sweep_starts_leaves_nothing(tmp_path, monkeypatch):
    """The header of a new file does not fit: nothing ran, no file made, no temporary file left beside it."""
    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    FullDisk(monkeypatch, room=0)
    with pytest.raises(InputError, match="cannot write the results file \\(No space left on device\\)"):
        run_sweep(context_of(spec), out, backend_factory=inline_backend())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc.yaml"]


def test_two_sweeps_started_together_on_a_new_file_the_second_is_refused(tmp_path):
    """t2 finding 4: both exited 0 and said "results in FILE"; the second renamed its new file over the
    first's, whose records went on into a file no longer there."""
    context = context_of(spec_file(tmp_path, samples=2))
    other = context_of(spec_file(tmp_path, "other.yaml", samples=2, seed=9))
    out = tmp_path / "r.jsonl"
    first, _ = ResultsFile.open(out, header_record(context), resume=False, overwrite=False)
    second, _ = ResultsFile.open(out, header_record(other), resume=False, overwrite=False)  # no file yet: both open
    first.write({"type": "base", "status": "optimal"})
    with pytest.raises(InputError, match="another sweep is writing this file"):
        second.write({"type": "base", "status": "optimal"})
    second.close()
    first.write({"type": "result", "index": 0, "status": "optimal"})
    first.close()
    found, _ = read_results(out)
    assert found.header["hash"] == context.digest() and [r["index"] for r in found.records] == [0]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # the other made it and ended: not replaced either (as for a file that existed: --resume, --overwrite)
    third, _ = ResultsFile.open(tmp_path / "s.jsonl", header_record(other), resume=False, overwrite=False)
    done, _ = ResultsFile.open(tmp_path / "s.jsonl", header_record(context), resume=False, overwrite=False)
    done.write({"type": "base", "status": "optimal"})
    done.close()
    with pytest.raises(InputError, match="exists: another sweep made it while this one started; resume=True"):
        third.start()
    third.close()
    assert read_results(tmp_path / "s.jsonl")[0].header["hash"] == context.digest()


def test_an_overwrite_does_not_replace_a_file_another_sweep_put_there_since(tmp_path):
    context = context_of(spec_file(tmp_path, samples=2))
    out = tmp_path / "r.jsonl"
    out.write_text("old\n")
    mine, _ = ResultsFile.open(out, header_record(context), resume=False, overwrite=True)
    theirs = tmp_path / "theirs"
    theirs.write_text(dumps(header_record(context)) + "\n")
    os.replace(theirs, out)  # another sweep's --overwrite started first
    with pytest.raises(InputError, match="another sweep made it"):
        mine.start()
    mine.close()
    assert read_results(out)[0].header["type"] == "header"


def test_the_command_refuses_the_second_of_two_sweeps_on_a_new_file(tmp_path, monkeypatch):
    """As the command line says it: exit 2, the first sweep's file whole."""
    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    holder = {}

    def started_meanwhile(context):  # the other sweep starts while this one makes its backend
        other = context_of(spec_file(tmp_path, "other.yaml", samples=2, seed=9))
        holder["file"], _ = ResultsFile.open(out, header_record(other), resume=False, overwrite=False)
        holder["file"].write({"type": "base", "status": "optimal"})
        return inline_backend()(context)

    monkeypatch.setattr(sw, "local_backend", lambda jobs: started_meanwhile)
    result = run("sweep", str(spec), "--out", str(out))
    holder["file"].close()
    assert result.exit_code == 2, result.output
    assert "another sweep is writing this file" in " ".join(result.stderr.split())
    assert "results in" not in result.stderr
    assert [json.loads(line)["type"] for line in out.read_text().splitlines()] == ["header", "base"]
