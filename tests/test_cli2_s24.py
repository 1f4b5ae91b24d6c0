"""Session 24, a re-check of the day's command-line changes: known entries that lack a field are each told
of a finding of their own, known files written before findings had a `term` keep working, ..."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from rich.text import Text
from typer.testing import CliRunner

from hpplan import cli
from hpplan.io import check_writable, data_folder_around
from hpplan.render import pack
from hpplan.sweep import WorkersCannotStart, read_results
from test_check_known import _stale_plan, known_file
from test_sweep import spec_file

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])




# --------------------------------------------------------------------------------------------------
# check --known


def test_entries_that_lack_the_same_field_are_each_told_of_a_finding_of_their_own(plan: Path, tmp_path: Path):
    """Two capacity entries without `actors` and `month`, beside the findings of two months: each is told
    its own (both were told the first month's, and following the advice gave duplicate entries)."""
    scenario = tmp_path / "cut.yaml"
    scenario.write_text(f"base: {TINY}\ndescription: cut\nchanges:\n  - op: capacity\n    pool: primary\n"
                        "    fte: 0.1\n    from: 2024-01\n    to: 2025-12\n", encoding="utf-8")
    args = ("check", "--data", TINY, "--scenario", scenario, "--plan", plan)
    findings = json.loads(run(*args, "-f", "json").stdout)["findings"]
    months = [f["month"] for f in findings if f["rule"] == "capacity"]
    assert months[:2] == ["2024-01", "2024-02"], months
    short = [{"rule": "capacity", "owner": "pool primary", "pool": "primary"}] * 2
    rest = [f for f in findings if not (f["rule"] == "capacity" and f["month"] in months[:2])]
    known = known_file(tmp_path / "known.json",
                       "{\"findings\": [\n" + ",\n".join(json.dumps(e) for e in short + rest) + "\n]}\n")
    result = run(*args, "--known", known)
    assert result.exit_code == 2, result.output
    assert f"{known}:2: this known finding gives no actors and no month" in result.stderr, result.stderr
    assert [line.rsplit("month: ", 1)[1][:7] for line in result.stderr.splitlines() if "add actors" in line] == \
        ["2024-01", "2024-02"], result.stderr
    # following the advice gives a baseline that holds
    told = [f for f in findings if f["rule"] == "capacity"][:2]
    fixed = known_file(tmp_path / "fixed.json", json.dumps(
        {"findings": [dict(e, actors=f["actors"], month=f["month"]) for e, f in zip(short, told)] + rest}))
    assert run(*args, "--known", fixed).exit_code == 0


def _old_baseline(report: str, path: Path) -> Path:
    """A report of `check --format json` as it was written before findings had a `term`."""
    doc = json.loads(report)
    for f in doc["findings"]:
        del f["term"]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_a_known_file_written_before_findings_had_a_term_keeps_working(plan: Path, tmp_path: Path):
    """Its objective entries have no `term`: each matches one stale figure of the saved objective (as it
    did), is never told to add a term, and a stale figure beyond them is new. Refusing it (exit 2, "add
    term: population_delay" at two entries) failed every CI whose baseline knew a stale objective."""
    stale = _stale_plan(plan, tmp_path / "stale.json", population_delay=1, preference=1, total=1)
    args = ("check", "--data", TINY, "--plan", stale)
    report = run(*args, "-f", "json").stdout
    assert sorted(f["term"] for f in json.loads(report)["findings"]) == ["population_delay", "preference", "total"]
    old = _old_baseline(report, tmp_path / "old.json")
    result = run(*args, "--known", old)
    assert result.exit_code == 0, result.output
    assert "no new findings" in result.stdout and "3 known findings" in result.stdout
    # two of the three known: the third is new (exit 1), not invalid input
    two = json.loads(old.read_text(encoding="utf-8"))
    two["findings"] = two["findings"][1:]
    result = run(*args, "--known", known_file(tmp_path / "two.json", json.dumps(two)), "-f", "json")
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert len(out["findings"]) == 1 and len(out["known"]) == 2 and out["known_gone"] == []
    assert "add term" not in result.output
    # a figure no longer stale: its entry is no longer found, not told to add a term
    fewer = _stale_plan(plan, tmp_path / "fewer.json", preference=1, total=1)
    result = run("check", "--data", TINY, "--plan", fewer, "--known", old)
    assert result.exit_code == 0, result.output
    assert f"{old}:" in result.stdout and "known finding no longer found: objective, plan" in result.stdout
    assert "add term" not in result.output


# --------------------------------------------------------------------------------------------------
# generate --out through a link


def test_generate_force_writes_again_through_a_link_to_the_folder_it_wrote(tmp_path: Path):
    """Every folder generate writes is a data folder: writing it again through a link to it was refused as
    an output through a link into a data folder (with advice to "name the file itself"). --force still
    guards its files."""
    first = tmp_path / "gen" / "r1"
    assert run("generate", "--size", "region", "--out", first).exit_code == 0
    link = tmp_path / "linkgen"
    link.symlink_to(first, target_is_directory=True)
    again = run("generate", "--size", "region", "--seed", "2", "--out", link)
    assert again.exit_code == 2 and "give --force to overwrite" in again.stderr, again.output
    forced = run("generate", "--size", "region", "--seed", "2", "--out", link, "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == f"wrote {link / 'organisations.yaml'} and {link / 'waves.yaml'} (size region, seed 2)\n"
    assert "--seed 2`" in (first / "organisations.yaml").read_text(encoding="utf-8")
    assert link.is_symlink()
    # the library as the command: write_instance follows the link, and names the files under it
    from hpplan.generate import write_instance

    assert write_instance(link, "region", 3) == (link / "organisations.yaml", link / "waves.yaml")
    assert "--seed 3`" in (first / "organisations.yaml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# explain --plan: the advice's plan file is one hpplan writes


def _advised_output(stdout: str) -> str:
    """The `-o FILE` of explain's advice to solve again and save the plan."""
    return stdout.split("solve again and save the plan (`", 1)[1].split("`", 1)[0].rsplit(" -o ", 1)[1]


def test_explains_advice_saves_the_plan_outside_the_data_folder_and_never_through_a_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A plan named through a link to the data folder (`ld/adopted-plan.yaml`) was advised to be saved as
    `ld/adopted-plan-solved.json`, which hpplan then refuses (an output through a link into a data folder);
    one named in the data folder, to be saved into it. Both are advised into the current folder."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    (tmp_path / "ld").symlink_to("data", target_is_directory=True)
    (tmp_path / "plans").mkdir()
    shutil.copy(REPO / "data" / "adopted-plan.yaml", tmp_path / "plans" / "adopted-plan.yaml")
    (tmp_path / "lp").symlink_to("plans", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for plan, advised in [("ld/adopted-plan.yaml", "adopted-plan-solved.json"),
                          ("data/adopted-plan.yaml", "adopted-plan-solved.json"),
                          ("lp/adopted-plan.yaml", "lp/adopted-plan-solved.json"),  # a link to a plain folder
                          ("plans/adopted-plan.yaml", "plans/adopted-plan-solved.json")]:
        result = run("explain", "--actor", "skaun", "--plan", plan)
        assert result.exit_code == 1, result.output
        assert _advised_output(result.stdout) == advised, (plan, result.stdout)
        check_writable(advised)  # hpplan writes it (InputError if not)
        assert data_folder_around(Path(advised).resolve().parent) is None
    # run from inside the data folder (`--data .`): the current folder is no place for it either
    monkeypatch.chdir(tmp_path / "data")
    result = run("explain", "--data", ".", "--actor", "skaun", "--plan", "adopted-plan.yaml")
    assert result.exit_code == 1, result.output
    assert _advised_output(result.stdout) == "../adopted-plan-solved.json", result.stdout


def test_explain_from_the_command_line_says_whether_the_plan_it_solved_is_proven(tmp_path: Path):
    # the command solved the plan itself and handed it on as if given, so `plan_proven` was null and an
    # unproven plan was never said (the library said it)
    result = run("explain", "--actor", "orsta", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan_proven"] is True
    plan = tmp_path / "plan.json"
    assert run("solve", "--format", "json", "-o", plan).exit_code == 0
    given = run("explain", "--actor", "orsta", "--plan", plan, "--format", "json")
    assert given.exit_code == 0 and json.loads(given.stdout)["plan_proven"] is None, given.output


# --------------------------------------------------------------------------------------------------
# sweep: SIGTERM ends it as Ctrl-C does; workers do not outlive their parent

HPPLAN = [sys.executable, "-c", "import sys; from hpplan_command import main; sys.argv[0] = 'hpplan'; main()"]
BOUND = 120  # seconds: a sweep below that does not end in this time is stopped, and the test fails


def _workers(pid: int) -> list[int]:
    """The sweep worker processes (spawned, not the resource tracker) whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _ended(pids: list[int], seconds: float) -> list[int]:
    """Those of `pids` still alive after waiting up to `seconds` for them all to end."""
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [p for p in pids if _alive(p)]


@pytest.fixture()
def running_sweep(tmp_path: Path):
    """A sweep of the shipped data on 2 worker processes, once its first scenario is in the results file:
    (the process, its workers, the temporary folder it was given, the results file). Whatever is left
    running at the end is killed."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the worker processes")
    spec = tmp_path / "risk.yaml"
    fields = yaml.safe_load((REPO / "data" / "sweeps" / "readiness-risk.yaml").read_text(encoding="utf-8"))
    spec.write_text(yaml.safe_dump({**fields, "base": str(REPO / "data"), "samples": 200}), encoding="utf-8")
    temp, out = tmp_path / "temp", tmp_path / "risk.jsonl"
    temp.mkdir()
    proc = subprocess.Popen([*HPPLAN, "sweep", str(spec), "-j", "2", "-t", "5", "--out", str(out)], cwd=tmp_path,
                            env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 3:  # header, base, a result
                workers = _workers(proc.pid)
                if len(workers) == 2:
                    break
            time.sleep(0.2)
        assert proc.poll() is None and len(workers) == 2, "the sweep did not get going"
        assert len(list(temp.glob("hpplan-sweep-*.context"))) == 1
        yield proc, workers, temp, out
    finally:
        for pid in [proc.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=BOUND)


def test_a_sweep_ended_by_sigterm_stops_as_on_ctrl_c(running_sweep):
    """A CI job cancelled, or `timeout`, sends SIGTERM: the sweep was ended where it stood, its context
    file left in the temporary folder and its workers solving on. Now it stops as on Ctrl-C: what
    finished is kept, the workers end, the file is removed; exit 143 with the command to go on."""
    proc, workers, temp, out = running_sweep
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=BOUND)
    assert proc.returncode == 143, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("hpplan sweep: interrupted: ") and "(SIGTERM). Nothing finished is lost" in last, last
    assert last.endswith(f"--out {out} --resume"), last
    assert _ended(workers, 10) == []
    assert list(temp.iterdir()) == []
    assert read_results(out)[0].records  # the finished scenarios are kept


def test_sweep_workers_end_when_their_parent_is_killed(running_sweep):
    """`kill -9` of the sweep (nothing can take it): its workers, in sessions of their own, solved on as
    orphans. They see their parent gone, remove the context file and end."""
    proc, workers, temp, _ = running_sweep
    proc.kill()
    proc.wait(timeout=BOUND)
    assert _ended(workers, 20) == []
    assert list(temp.iterdir()) == []


def test_workers_that_cannot_start_are_said_without_a_scripts_advice_on_the_command_line(tmp_path: Path):
    """The command line's exit 4 for workers that die as they start spoke of a script's `__main__` guard and
    inline_backend(), which a command-line user has neither of; the library's error keeps that advice."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(  # every worker process dies as it starts; the command does not
        "import sys\nif '--multiprocessing-fork' in getattr(sys, 'orig_argv', []):\n    raise SystemExit(3)\n",
        encoding="utf-8")
    spec = spec_file(tmp_path, samples=4)
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    result = subprocess.run([*HPPLAN, "sweep", str(spec), "-j", "2", "-t", "5", "--out", "r.jsonl"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True, timeout=BOUND)
    assert result.returncode == 4, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last == ("hpplan sweep: the worker processes died as they started, before any of them could run a scenario "
                    "(their error is on stderr above); nothing ran, and r.jsonl was not made"), last
    assert not (tmp_path / "r.jsonl").exists()
    assert 'missing `if __name__ == "__main__":` guard' in str(WorkersCannotStart())  # from Python


# --------------------------------------------------------------------------------------------------
# cosmetic: compare's sources, the terminal footer; docs: outputs through a folder link


def test_one_data_folder_written_two_ways_is_one_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`compare --baseline $PWD/data --data data --scenario S`: the same folder, so the scenario's change is
    said `(scenario)`, not `(baseline data -> scenario)` as for two folders."""
    later = tmp_path / "later.yaml"
    later.write_text("base: data\ndescription: Ørsta later (assumption)\nchanges:\n  - op: set\n    actor: orsta\n"
                     "    fields: {earliest: 2024-10-01}\n", encoding="utf-8")
    monkeypatch.chdir(TINY.parent)
    result = run("compare", "--baseline", TINY, "--data", TINY.name, "--scenario", later, "-t", "5", "-f", "json")
    assert result.exit_code == 0, result.output
    cause = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == "orsta")["cause"]
    assert cause["text"] == "earliest none -> 2024-10-01* (scenario)", cause


def test_an_item_after_one_the_footer_broke_starts_a_line_of_its_own():
    """At 25 columns `0.63 s (set-up` / `0.02 s) | cp-sat`: the engine read as part of the time."""
    lines = [line.plain for line in pack("Solve:", [Text("0.63 s (set-up 0.02 s)"), Text("cp-sat")], " | ", 25)]
    assert lines == ["Solve: 0.63 s (set-up", "         0.02 s)", "       cp-sat"], lines
    # items that fit still share a line
    assert [line.plain for line in pack("Solve:", [Text("cp-sat"), Text("seed 0")], " | ", 25)] == \
        ["Solve: cp-sat | seed 0"]


def test_the_docs_say_an_output_through_a_folder_linked_into_a_data_folder_is_refused(tmp_path: Path):
    """The README said only that an output that "is a link into a data folder" is refused; solve.md, and
    the other commands' pages, said nothing of links. The example they give is refused as they say."""
    # (session 27: every output link is refused, a folder link into a data folder or out of the repository too)
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "a folder link into a data folder (`reports` linked to `data`, then `-o reports/x.json`)" in readme
    assert "`generate --out` writes a data folder by design and follows a link to it" in readme
    solve = " ".join((REPO / "docs" / "solve.md").read_text(encoding="utf-8").split())
    assert "a folder link into a data folder (`reports` linked to `data`, then `-o reports/plan.json`)" in solve
    for page in ("check.md", "report.md", "scenarios.md", "sweep.md"):
        text = " ".join((REPO / "docs" / page).read_text(encoding="utf-8").split())
        assert "folder link" in text, page
    shutil.copytree(TINY, tmp_path / "data")
    (tmp_path / "reports").symlink_to("data", target_is_directory=True)
    result = run("solve", "--data", tmp_path / "data", "-o", tmp_path / "reports" / "plan.json")
    assert result.exit_code == 2 and "is a link to the data folder data;" in result.stderr, result.output
