"""s26 (testers' r2 findings 4, 5 and smaller points; r1 finding 4's smaller points): the plan files of
`report --plan/--compare` and `check --plan/--known` named with their option; a sweep spec's base that is no
data folder said at its `base:` line; `load_problem('')` refused; check's JSON and GitHub reports carry the
data's warnings; a plan piped in told to be saved first; a `--baseline-scenario` that removes an organisation
said as such; `compare --work-limit`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import line_of, without_load_profiles
from typer.testing import CliRunner

from hpplan import cli, load_problem
from hpplan.errors import InputError
from hpplan.sweep import load_spec, resolve

TESTS = Path(__file__).parent
TINY = TESTS / "data" / "tiny"
SWEEP_TINY = TESTS / "data" / "sweep_tiny"
REPO = TESTS.parent
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])




# ---- r2 #4: each plan file named with its option --------------------------------------------------------


@pytest.mark.parametrize("option", ["--plan", "--compare"])
def test_report_names_the_option_of_a_missing_plan_file(tmp_path: Path, plan: Path, option: str):
    """`report -p nope.json` and `report -c nope.json` said the same line: which option was wrong?"""
    nope = tmp_path / "nope.json"
    other = ["--plan", plan] if option == "--compare" else []
    done = run("report", "-d", TINY, "-o", tmp_path / "r.html", *other, option, nope)
    assert done.exit_code == 2
    assert done.stderr == (f"error: {option}: {nope}: no such plan file; write one with "
                           "`hpplan solve --format json -o FILE`\n")
    assert not (tmp_path / "r.html").exists()


def test_report_names_both_options_when_both_files_are_wrong(tmp_path: Path):
    done = run("report", "-d", TINY, "-o", tmp_path / "r.html", "-p", tmp_path, "-c", tmp_path / "nope.json")
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"error: --plan: {tmp_path}: a folder, not a plan file; give a saved plan (the JSON `hpplan solve --format "
        "json -o FILE` writes, or a YAML plan file)",
        f"error: --compare: {tmp_path / 'nope.json'}: no such plan file; write one with `hpplan solve --format json "
        "-o FILE`"]


def test_check_names_the_plan_option(tmp_path: Path):
    done = run("check", "-d", TINY, "-p", tmp_path)
    assert done.exit_code == 2
    assert done.stderr == (f"error: --plan: {tmp_path}: a folder, not a plan file; give a saved plan (the JSON "
                           "`hpplan solve --format json -o FILE` writes, or a YAML plan file)\n")


def test_check_names_the_known_option(tmp_path: Path, plan: Path):
    done = run("check", "-d", TINY, "-p", plan, "-k", "/dev/null")
    assert done.exit_code == 2
    assert done.stderr == ("error: --known: /dev/null: not a regular file but a device; give the file `hpplan check "
                           "--plan P --format json` wrote, or a YAML list of known findings\n")
    missing = run("check", "-d", TINY, "-p", plan, "-k", tmp_path / "known.json", "-f", "json")
    assert missing.exit_code == 2
    report = json.loads(missing.stdout)
    assert report["status"] == "invalid"
    assert [(f["file"], f["message"]) for f in report["findings"]] == [
        (f"--known: {tmp_path / 'known.json'}", "no such known-findings file; write one with `hpplan check --plan "
                                                 "PLAN --format json > known.json`")]


def test_the_plan_files_are_looked_at_before_the_data_is_read(tmp_path: Path):
    """Checked before any work: a plan that is a folder is said, not the data's own errors."""
    done = run("check", "-d", tmp_path / "nodata", "-p", tmp_path)
    assert done.exit_code == 2 and done.stderr.startswith(f"error: --plan: {tmp_path}: a folder"), done.stderr


# ---- r2 smaller: a plan piped in, `-p -` --------------------------------------------------------------------


@pytest.mark.parametrize("command", [["check", "-d", TINY], ["report", "-d", TINY, "-o", "x.html"]])
def test_a_plan_from_stdin_is_told_to_be_saved_first(command: list, tmp_path: Path, monkeypatch):
    """`-p -` said "no such plan file" (while `-o -` is stdout); the pipe is refused with what to do instead."""
    monkeypatch.chdir(tmp_path)
    done = run(*command, "-p", "-")
    assert done.exit_code == 2
    assert done.stderr == ("error: --plan: -: stdin is not read here: a plan is read from a saved file, not from stdin "
                           "or a pipe (a named pipe waits for a writer and is read once): save it first, `hpplan solve "
                           "--format json -o plan.json`, and give plan.json\n")


def test_check_md_says_plans_are_files_not_pipes():
    text = " ".join((REPO / "docs" / "check.md").read_text(encoding="utf-8").split())
    assert "**Plan files, not pipes.**" in text
    assert "hpplan solve --format json -o plan.json && hpplan check --plan plan.json" in text


# ---- r2 #5: a sweep spec's base that is no data folder ------------------------------------------------------


def _spec(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({
        "base": base, "description": "test", "kind": "monte_carlo", "samples": 2, "seed": 1,
        "live_by": ["2025-06-30"], "time_limit": 5,
        "risks": [{"kind": "municipality", "slip": {"triangular": {"min": 0, "mode": 1, "max": 4}},
                   "source": "estimate: test"}]}, sort_keys=False), encoding="utf-8")
    return path


def test_a_sweep_base_with_waves_alone_is_said_at_its_line(tmp_path: Path):
    """It said "halfdata/organisations.yaml: no such file", without the spec's line that named it."""
    half = tmp_path / "halfdata"
    half.mkdir()
    (half / "waves.yaml").write_text((TINY / "waves.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    spec = _spec(tmp_path, str(half))
    with pytest.raises(InputError) as caught:
        resolve(load_spec(spec))
    assert str(caught.value) == (
        f"{spec}:{line_of(spec, 'base:')}: base: no data folder {str(half)!r} (the folder {half} holds waves.yaml but "
        "no organisations.yaml; a data folder holds organisations.yaml and waves.yaml); correct the base (the folder "
        "that holds the data the sweep plans, relative to the working folder or to the spec), or give the data with "
        "--data DIR")


def test_a_sweep_base_of_the_specs_own_folder_is_said_at_its_line(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path, ".")
    done = run("sweep", spec, "-n", "2")
    assert done.exit_code == 2
    assert done.stderr.startswith(
        f"error: {spec}:{line_of(spec, 'base:')}: base: no data folder '.' (the folder . holds neither "
        "organisations.yaml nor waves.yaml;"), done.stderr


def test_a_sweep_base_that_is_no_folder_is_worded_as_a_scenarios(tmp_path: Path):
    spec = _spec(tmp_path, "nosuch")
    with pytest.raises(InputError) as caught:
        resolve(load_spec(spec))
    assert str(caught.value).startswith(f"{spec}:{line_of(spec, 'base:')}: base: no data folder 'nosuch' here or "
                                        f"beside {spec}; correct the base")


def test_a_sweep_base_that_is_a_data_folder_still_resolves(tmp_path: Path):
    assert resolve(load_spec(_spec(tmp_path, str(SWEEP_TINY)))).data == str(SWEEP_TINY)


# ---- r2 smaller: load_problem('') ---------------------------------------------------------------------------


def test_load_problem_of_an_empty_path_says_so(tmp_path: Path, monkeypatch):
    """It read the working folder: "organisations.yaml: no such file / waves.yaml: no such file"."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        load_problem("")
    assert str(caught.value) == ("load_problem: data_dir: empty path; give the data folder, the one that holds "
                                 "organisations.yaml and waves.yaml (\".\" for the working folder)")
    with pytest.raises(InputError) as sweep:
        resolve(load_spec(_spec(tmp_path, str(SWEEP_TINY))), "")
    assert str(sweep.value).startswith("resolve: data: empty path;")


# ---- r2 smaller: check's machine formats carry the data's warnings -------------------------------------------


WARNING = ("no organisation to plan loads any pool (waves.yaml has no load_profiles): the pools' capacity plays no "
           "part in this plan; where it is to, add load profiles, each named after the kind it is for (municipality, "
           "gp_office, ...) or named in an organisation's load_profile (docs/data-format.md)")


def test_check_json_lists_the_data_warnings(data: Path):
    waves = without_load_profiles(data)
    done = run("check", "-d", data, "-f", "json", "-t", "10")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["warnings"] == [{"file": str(waves), "line": line_of(waves, "pools:"), "message": WARNING}]
    assert "warning" not in done.stderr  # in the report, not said twice


def test_check_json_has_an_empty_warnings_list_without_any():
    done = run("check", "-d", TINY, "-f", "json", "-t", "10")
    assert done.exit_code == 0 and json.loads(done.stdout)["warnings"] == []


def test_check_github_annotates_the_data_warnings(data: Path):
    waves = without_load_profiles(data)
    done = run("check", "-d", data, "-f", "github", "-t", "10")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[-2] == (f"::warning file={waves},line={line_of(waves, 'pools:')},title=hpplan%3A data warning::"
                         f"{WARNING}")
    assert lines[-1].startswith("hpplan check: ")  # the summary stays the last line


def test_check_github_says_the_errors_first_and_the_warning_before_the_summary():
    """Data with conflicts and no load profiles: the errors' annotations first, as ever; the warning after them."""
    done = run("check", "-d", TESTS / "data" / "infeasible_three", "-f", "github", "-t", "10")
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("::error") and lines[-2].startswith("::warning file=") and "data warning" in lines[-2]
    assert lines[-1].startswith("hpplan check: ")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_says_the_warning_on_stderr_in_text_only(data: Path, fmt: str):
    """As the command runs (its own warning display, not pytest's): text on stderr, JSON in the report alone."""
    waves = without_load_profiles(data)
    hpplan = Path(sys.executable).parent / "hpplan"
    done = subprocess.run([str(hpplan), "check", "-d", str(data), "-t", "10", "-f", fmt], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    said = f"hpplan: warning: {waves}:{line_of(waves, 'pools:')}: {WARNING}\n"
    assert done.stderr == (said if fmt == "text" else "")


# ---- r1 #4 smaller: --baseline-scenario that removes an organisation; compare --work-limit -------------------


def test_a_baseline_scenario_that_removes_an_organisation_is_said_as_the_removal(tmp_path: Path, plan: Path):
    """The note said "the plan names 'alesund', which is not an organisation in organisations.yaml" (with a
    did-you-mean) of an organisation that is there, and that the scenario removed."""
    remove = tmp_path / "rm.yaml"
    remove.write_text(f"base: {TINY}\ndescription: remove one\nchanges:\n  - op: remove\n    actor: alesund\n"
                      "    note: 'estimate: test'\n", encoding="utf-8")
    done = run("compare", "-b", plan, "-d", TINY, "--baseline-scenario", remove, "-t", "10", "-f", "json")
    assert done.exit_code == 0, done.stderr
    assert (f"first: the plan names 'alesund', which the scenario {remove} removes ({remove}:4: op: remove)"
            in done.stderr), done.stderr
    assert "is not an organisation in" not in done.stderr


def test_compare_takes_a_work_limit_and_passes_it_to_each_solve(plan: Path, monkeypatch):
    import hpplan.cli_compare as cli_compare

    limits = []
    real = cli_compare.solve_replan

    def recording(problem, options, baseline=None):
        limits.append(options.work_limit)
        return real(problem, options, baseline)

    monkeypatch.setattr(cli_compare, "solve_replan", recording)
    done = run("compare", "-b", TINY, "-d", TINY, "--work-limit", "5", "-f", "json")
    assert done.exit_code == 0, done.stderr
    assert limits == [5.0, 5.0]
    again = run("compare", "-b", plan, "-d", TINY, "--work-limit", "5", "-f", "json")
    assert again.exit_code == 0, again.stderr and limits[-1] == 5.0


def test_a_plan_checks_json_with_a_data_warning_is_still_a_file_of_known_findings(data: Path, tmp_path: Path):
    """The JSON of `check --plan` is read back as `--known`: a `warnings` key in it must not make it invalid."""
    without_load_profiles(data)
    plan = tmp_path / "p.json"
    assert run("solve", "-d", data, "-q", "-t", "10", "-f", "json", "-o", plan).exit_code == 0
    doc = json.loads(plan.read_text(encoding="utf-8"))
    doc["objective"]["total"] += 1  # a finding to know
    plan.write_text(json.dumps(doc), encoding="utf-8")
    report = run("check", "-d", data, "-p", plan, "-f", "json")
    assert report.exit_code == 1, report.output
    known = tmp_path / "known.json"
    known.write_text(report.stdout, encoding="utf-8")
    again = run("check", "-d", data, "-p", plan, "-k", known)
    assert again.exit_code == 0, again.output
