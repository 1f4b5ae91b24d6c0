"""`hpplan sweep` from Python (docs/sweep.md "From Python"): worker processes that die as they start end
the sweep with a clear error in bounded time (a script without the `__main__` guard waited for ever);
a worker killed mid-sweep does not hang it; the results file is refused through a folder linked into a
data folder, as the command line refuses it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from test_sweep import REPO, TINY, context_of, crashing_run, spec_file

from hpplan.errors import InputError
from hpplan.sweep import SweepError, inline_backend, local_backend, read_results, run_sweep
from hpplan.sweep.run import LocalBackend

PYTHON = sys.executable
BOUND = 120  # seconds: each script below takes a few; one that waits for ever is stopped here


def run_script(tmp_path: Path, text: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(text, encoding="utf-8")
    try:
        return subprocess.run([PYTHON, str(script), *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=BOUND, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script.name} was still running after {BOUND} s (the sweep waited for workers that had died)")


def test_a_script_without_the_main_guard_ends_with_a_clear_error_not_a_hang(tmp_path):
    # the docs/sweep.md example without `if __name__ == "__main__":`, on the shipped data (its context,
    # about 100 kB, was sent down the pipe to each new worker: the worker died before reading it, and
    # the parent waited for ever to write the rest)
    spec = tmp_path / "risk.yaml"
    data = yaml.safe_load((REPO / "data" / "sweeps" / "readiness-risk.yaml").read_text(encoding="utf-8"))
    spec.write_text(yaml.safe_dump({**data, "base": str(REPO / "data"), "samples": 2}), encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    script = (
        "from pathlib import Path\n"
        "from hpplan.sweep import load_spec, local_backend, resolve, run_sweep\n"
        "\n"
        "context = resolve(load_spec('risk.yaml'))\n"
        "run_sweep(context, Path('risk.jsonl'), backend_factory=local_backend(jobs=2))\n"
    )
    started = time.monotonic()
    result = run_script(tmp_path, script, env={"TMPDIR": str(temp)})
    assert time.monotonic() - started < BOUND
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("hpplan.sweep.run.WorkersCannotStart: the worker processes died as they started"), last
    assert 'missing `if __name__ == "__main__":` guard' in last
    assert "bootstrapping phase" in result.stderr  # the workers' own error, which the message points to
    assert not (tmp_path / "risk.jsonl").exists()  # nothing ran: no results file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["risk.yaml", "script.py", "temp"]
    assert list(temp.iterdir()) == []  # the workers' context file is removed


def test_the_docs_from_python_example_runs_as_a_script(tmp_path):
    text = (REPO / "docs" / "sweep.md").read_text(encoding="utf-8")
    example = re.search(r"## From Python\n```python\n(.*?)```", text, re.S).group(1)
    assert 'if __name__ == "__main__":' in example
    spec = spec_file(tmp_path, samples=2)
    example = example.replace('"data/sweeps/readiness-risk.yaml"', repr(str(spec)))
    result = run_script(tmp_path, example)
    assert result.returncode == 0, result.stderr[-3000:]
    results, _ = read_results(tmp_path / "risk.jsonl")
    assert sorted(r["index"] for r in results.records) == [0, 1]
    assert result.stdout.strip()  # the median and P(done by)


def test_workers_that_cannot_start_after_a_worker_died_stop_the_sweep_and_keep_what_finished(tmp_path, monkeypatch):
    # scenario 2 kills its worker; the pool started again cannot start its workers (a Python that does not
    # start: PYTHONHOME wrong). Each scenario was run alone, died at the start and was recorded as
    # "the worker process died while it ran": the sweep "finished" with every remaining scenario failed.
    class BrokenAfterRestart(LocalBackend):
        task = staticmethod(crashing_run)

        def restart(self):
            monkeypatch.setenv("PYTHONHOME", str(tmp_path / "no-python-here"))
            super().restart()

    context = context_of(spec_file(tmp_path, samples=6))
    out = tmp_path / "r.jsonl"
    with pytest.raises(SweepError, match="worker processes died as they started") as caught:
        run_sweep(context, out, backend_factory=lambda c: BrokenAfterRestart(c, 2))
    assert type(caught.value).__name__ == "WorkersCannotStart" and caught.value.started
    kept, _ = read_results(out)
    assert kept.base is not None and all(r["status"] == "optimal" for r in kept.records)
    assert 2 not in {r["index"] for r in kept.records}
    monkeypatch.delenv("PYTHONHOME")
    resumed = run_sweep(context_of(spec_file(tmp_path, samples=6)), out, backend_factory=local_backend(2), resume=True)
    assert resumed.skipped == len(kept.records)
    assert sorted(r["index"] for r in resumed.results.records) == list(range(6))
    assert all(r["status"] == "optimal" for r in resumed.results.records)


def test_a_worker_killed_mid_sweep_does_not_hang_it(tmp_path):
    # a worker that has started and is killed from outside (the out-of-memory killer, `kill -9`) is no
    # start-up failure: the scenarios it held run again, alone, and the sweep ends complete
    spec = spec_file(tmp_path, samples=6)
    script = (
        "import json, os, signal, sys\n"
        "from pathlib import Path\n"
        "from hpplan.sweep import load_spec, resolve, run_sweep\n"
        "from hpplan.sweep.run import LocalBackend, NoProgress\n"
        "\n"
        "class KillOne(NoProgress):\n"
        "    backend, killed = None, None\n"
        "    def advance(self, record):\n"
        "        if self.killed is None:\n"
        "            worker = next(p for p in self.backend.pool._processes.values() if p.is_alive())\n"
        "            self.killed = worker.pid\n"
        "            os.kill(worker.pid, signal.SIGKILL)\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    progress = KillOne()\n"
        "    def make(context):\n"
        "        progress.backend = LocalBackend(context, 2)\n"
        "        return progress.backend\n"
        "    result = run_sweep(resolve(load_spec(sys.argv[1])), Path('r.jsonl'), backend_factory=make,\n"
        "                       progress=progress)\n"
        "    print(json.dumps({'killed': progress.killed,\n"
        "                      'status': {r['index']: r['status'] for r in result.results.records}}))\n"
    )
    result = run_script(tmp_path, script, str(spec))
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)
    assert found["killed"] is not None
    assert found["status"] == {str(i): "optimal" for i in range(6)}


def test_the_library_refuses_a_results_file_through_a_folder_linked_into_a_data_folder(tmp_path):
    # the command line refused `--out reports/r.jsonl` with `reports` linked to a data folder; run_sweep
    # checked only a results file that was itself a link, and wrote into the data folder
    data = tmp_path / "data"
    data.mkdir()
    for name in ("organisations.yaml", "waves.yaml"):
        (data / name).write_bytes((TINY / name).read_bytes())
    (tmp_path / "reports").symlink_to(data, target_is_directory=True)
    context = context_of(spec_file(tmp_path, samples=2))
    through = tmp_path / "reports" / "r.jsonl"
    with pytest.raises(InputError, match=r"cannot write: folder .*reports is a link to the data folder "):
        run_sweep(context, through, backend_factory=inline_backend())
    assert sorted(p.name for p in data.iterdir()) == ["organisations.yaml", "waves.yaml"]
    # resuming a results file that is in the data folder, through the link: refused too, the file as it was
    run_sweep(context, tmp_path / "r.jsonl", backend_factory=inline_backend(), limit=1)
    (data / "r.jsonl").write_bytes((tmp_path / "r.jsonl").read_bytes())
    for options in ({"resume": True}, {"overwrite": True}):
        with pytest.raises(InputError, match="is a link to"):
            run_sweep(context, through, backend_factory=inline_backend(), **options)
        assert (data / "r.jsonl").read_bytes() == (tmp_path / "r.jsonl").read_bytes()


# ---- docs/walkthrough-hmr-postponement.md (this session's page): what it pastes is what the tool gives ----


def test_the_walkthrough_pastes_the_figures_the_tool_gives(tmp_path, monkeypatch):
    # step 1's table lacked the estimate mark of the shares live; "What the answer rests on" gave HNT's own
    # 652.5 MNOK for removing window 2025-09 where the other figures of that list are totals (902.5)
    import io

    from rich.console import Console

    from hpplan.compare import compare
    from hpplan.loader import load_problem
    from hpplan.render import render_plan
    from hpplan.scenario import apply_scenarios
    from hpplan.solve import Baseline, SolveOptions, solve
    from hpplan.verify import verify

    page = (REPO / "docs" / "walkthrough-hmr-postponement.md").read_text(encoding="utf-8")
    monkeypatch.chdir(REPO)  # run from the repository, as the walkthrough is: the data folder is `data`
    data = Path("data")
    problem = load_problem(data)
    plan = solve(problem, SolveOptions(time_limit=30))
    assert plan.status == "optimal" and verify(problem, plan) == []
    console = Console(file=io.StringIO(), width=80, color_system=None)
    render_plan(problem, plan, console)
    printed = console.file.getvalue().splitlines()
    step1 = re.search(r"## 1\. .*?```console.*?```.*?```\n(.*?)```", page, re.S).group(1)
    pasted = [line for line in step1.splitlines() if line != "..."]
    assert "2024-04  | 2024-04-27* | April 2024 (~ |     14 |  9 588* |  66.8%* |     81.9%*" in pasted
    assert [line for line in pasted if line not in printed] == []

    # step 3's comparison (its title aside, which names the command's files): the loads came to be marked
    # estimates in the tool, not on the page, and the note under it gained the load sentence
    from hpplan.cli_compare import comparison_text

    postponed = apply_scenarios(problem, [data / "scenarios" / "hmr-postponed.yaml"])
    other = solve(postponed, SolveOptions(time_limit=30), Baseline(plan))
    assert other.status == "optimal" and verify(postponed, other) == []
    compared = comparison_text(compare(plan, problem, other, postponed), 80, "c").splitlines()
    step3 = re.search(r"## 3\. .*?```console\n\$ hpplan compare [^\n]*\n(.*?)```", page, re.S).group(1)
    pasted = step3.splitlines()[2:]
    assert "    back there, up to 239* FTE in 2024-09; more load in 2024-09 now from" in pasted
    assert [line for line in pasted if line not in compared] == []
    assert [line for line in compared if line != line.rstrip()] == []

    no_window = tmp_path / "no-2025-09.yaml"
    no_window.write_text(yaml.safe_dump({"base": "data", "description": "without window 2025-09 (assumption)",
                                         "changes": [{"op": "remove_window", "window": "2025-09"}]}),
                         encoding="utf-8")
    changed = apply_scenarios(problem, [data / "scenarios" / "hmr-postponed.yaml", no_window])
    replanned = solve(changed, SolveOptions(time_limit=30), Baseline(plan))
    assert replanned.status == "optimal" and verify(changed, replanned) == []
    moves = compare(plan, problem, replanned, changed).to_json_dict()
    hnt = next(m for m in moves["moves"] if m["id"] == "helse-nord-trondelag")
    total = moves["totals"]["cost_of_delay_mnok"]
    assert (hnt["to"], hnt["months"], hnt["cost_mnok"], total) == ("2026-02-07", 15, 652.5, 902.5)
    assert "February 2026: 15 months later, not ten, and the cost of delay is 902.5* MNOK in all (652.5 of it" \
        in " ".join(page.split())
