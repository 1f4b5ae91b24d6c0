"""What an untrusted pull request can make `hpplan check` do in CI (security review t1, session 27): outputs
through symbolic links, a slow and a crashing JSON plan, limits past int64, control characters written as
escapes, a huge data file's wording, and a waves.yaml of 10,000 windows."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import yaml
from helpers import edit, error_of, errors_of, line_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import MAX_ERRORS, InputError, InputErrors, grouped
from hpplan.io import check_writable, write_atomic
from hpplan.loader import load_problem
from hpplan.schema import MAX_WINDOWS, Blackout
from hpplan.solution import JsonLines, read_plan
from hpplan.yamlio import parse_yaml

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
runner = CliRunner()


def run(*args) -> object:
    return runner.invoke(cli.app, [str(a) for a in args])


# ---- finding 1: an output never goes through a symbolic link ---------------------------------------------


def test_junit_through_a_link_committed_in_the_pull_request_is_refused_and_nothing_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: Path):
    """`reports/hpplan-data.xml` linked to a `.pth` file elsewhere: the link's target was replaced by the
    JUnit XML (whose lines the data's reasons wrote), and Python ran its `import` lines."""
    outside = tmp_path / "site" / "evil.pth"
    outside.parent.mkdir()
    outside.write_text("")
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    link = repo / "reports" / "hpplan-data.xml"
    link.symlink_to(outside)
    monkeypatch.chdir(repo)
    result = run("check", "--data", data, "--junit", "reports/hpplan-data.xml", "-t", "5")
    assert result.exit_code == 2, result.output
    assert ("reports/hpplan-data.xml: cannot write: this is a symbolic link (to "
            f"{outside}); an output is never written through a link") in result.output
    assert "remove the link (rm reports/hpplan-data.xml)" in result.output
    assert outside.read_text() == "" and link.is_symlink()
    # the same for every writer, a link to a file not there yet too
    (repo / "reports" / "new.json").symlink_to(tmp_path / "site" / "new.json")
    for path in ("reports/hpplan-data.xml", "reports/new.json"):
        with pytest.raises(InputError, match="this is a symbolic link"):
            write_atomic(path, "x")
    assert not (tmp_path / "site" / "new.json").exists() and outside.read_text() == ""


def test_a_folder_link_in_the_working_tree_that_leads_out_of_it_is_refused(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch):
    """`reports -> /anywhere`: the output went wherever the link led."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = tmp_path / "repo"
    (repo / "out").mkdir(parents=True)
    (repo / "reports").symlink_to(elsewhere, target_is_directory=True)
    (repo / "latest").symlink_to("out", target_is_directory=True)  # a link within the tree: followed
    monkeypatch.chdir(repo)
    with pytest.raises(InputError) as refused:
        write_atomic(Path("reports") / "x.xml", "x")
    assert str(refused.value).startswith(f"reports/x.xml: cannot write: folder reports is a link to {elsewhere}, "
                                         f"outside the current folder {repo}; an output is not written through a "
                                         "link that leads out of the working tree")
    assert list(elsewhere.iterdir()) == []
    result = run("solve", "--data", TINY, "-t", "5", "-o", "reports/plan.json")
    assert result.exit_code == 2 and "is a link to" in result.output and list(elsewhere.iterdir()) == []
    write_atomic(Path("latest") / "x.json", "in the tree")
    assert (repo / "out" / "x.json").read_text() == "in the tree"
    # named as it is (no link on the path), the folder outside is written
    write_atomic(elsewhere / "y.json", "named itself")
    assert (elsewhere / "y.json").read_text() == "named itself"


def test_dev_stdout_is_still_an_output(tmp_path: Path):
    """/dev/stdout is a link (to /proc/self/fd/1): the system's name of an open file, not a repository's."""
    assert check_writable("/dev/stdout") is not None


def test_the_workflow_removes_and_makes_the_reports_folder_again():
    workflow = yaml.safe_load((REPO / "docs" / "github-actions-hpplan.yml").read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in workflow["jobs"]["check"]["steps"]}
    assert steps["Prepare the report folder"]["run"] == "rm -rf reports && mkdir reports"


# ---- finding 2: a plan of many bad entries answers at once -----------------------------------------------


def _bad_plan(path: Path, n: int) -> Path:
    path.write_text('{"status":"optimal","plan":[\n' + ",\n".join(["1"] * n) + "\n]}\n", encoding="utf-8")
    return path


def test_a_plan_of_many_bad_entries_lists_the_first_and_counts_the_rest(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """Every bad entry's message was made, and its line counted from the start of the text: quadratic
    (400,000 entries, 1.2 MB: 70 s). Only the listed ones are made now, and lines come from a table."""
    import hpplan.solution as solution

    made = []
    shown = solution._shown
    monkeypatch.setattr(solution, "_shown", lambda value: made.append(value) or shown(value))
    plan = _bad_plan(tmp_path / "p.json", 2000)
    with pytest.raises(InputErrors) as caught:
        read_plan(plan)
    assert caught.value.total == 2000 and len(caught.value.errors) == MAX_ERRORS
    assert str(caught.value.errors[0]) == (f"{plan}:2: plan entry 1: expected an object with id, go_live (null: "
                                           "not scheduled), window, pinned, got 1")
    assert str(caught.value.errors[-1]).startswith(f"{plan}:{MAX_ERRORS + 1}: plan entry {MAX_ERRORS}:")
    assert len(made) == MAX_ERRORS  # was 2,000: a message for every entry


def test_a_plan_of_400000_bad_entries_answers_in_seconds(tmp_path: Path):
    plan = _bad_plan(tmp_path / "p400k.json", 400_000)
    start = time.perf_counter()
    with pytest.raises(InputErrors) as caught:
        read_plan(plan)
    took = time.perf_counter() - start
    assert caught.value.total == 400_000
    assert took < 15, took  # about 1 s alone on the machine; 70 s before


def test_json_lines_finds_lines_from_a_table():
    text = '{\n "a": [\n  1,\n  2\n ],\n "b": {"c": 3}\n}\n'
    at = JsonLines(text)
    assert [at.line(keys) for keys in [(), ("a",), ("a", 0), ("a", 1), ("b",), ("b", "c")]] == [1, 2, 3, 4, 6, 6]
    assert at.line(("nothing",)) is None


# ---- finding 4: a number too long to read is bad input at its line ----------------------------------------


def test_a_json_plan_with_an_integer_of_5000_digits_is_bad_input_at_its_line(tmp_path: Path):
    plan = tmp_path / "pint.json"
    plan.write_text('{"status": "optimal",\n "plan": [{"id": "aure", "go_live": null,\n  "x": ' + "9" * 5000 + "}]}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(plan)
    assert str(caught.value) == (f"{plan}:3: not an hpplan plan: a number of 5 000 digits; a plan's numbers have a "
                                 "few (expected the JSON `hpplan solve --format json -o FILE` writes)")
    for args in (["check", "--data", TINY, "--plan", plan, "--format", "github"],
                 ["compare", "--data", TINY, "--baseline", plan], ["report", "--data", TINY, "--plan", plan]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "a number of 5 000 digits" in result.output and "Traceback" not in result.output


def test_a_yaml_integer_of_5000_digits_is_said_shortly(data: Path):
    path = data / "organisations.yaml"
    edit(path, "population: 10958", "population: " + "9" * 5000)
    message = error_of(data)
    assert message.startswith(f"{path}:{line_of(path, 'population: 999')}: a number of 5 000 digits (")
    assert len(message) < 300 and "set_int_max_str_digits" not in message


# ---- finding 5: limits past int64 -------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("max_users", 10 ** 29), ("max_actors", 2 ** 63), ("max_trusts", 2 ** 64)])
def test_a_limit_past_its_bound_is_refused_at_its_line(data: Path, field: str, value: int):
    """`max_users: 10**29` passed validation and crashed the solve (TypeError, exit 70)."""
    waves = data / "waves.yaml"
    old = {"max_users": "    max_actors: 3\n", "max_actors": "    max_actors: 3\n", "max_trusts": "  - max_trusts: 1\n"}
    new = {"max_users": f"    max_actors: 3\n    max_users: {value}\n", "max_actors": f"    max_actors: {value}\n",
           "max_trusts": f"  - max_trusts: {value}\n"}
    edit(waves, old[field], new[field])
    (message,) = errors_of(data)
    assert message.startswith(f"{waves}:{line_of(waves, str(value))}: limit #1: {field}: Input should be less than "
                              "or equal to "), message
    result = run("solve", "--data", data, "-t", "5")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_limits_up_to_their_bounds_are_read(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "  - max_trusts: 1\n", "  - max_trusts: 1\n    max_users: 100000000\n")
    assert load_problem(data).waves.limits[0].max_users == 100_000_000


# ---- findings 6 and 8: control characters written as escapes ----------------------------------------------

BLACKOUT = "pools:\n"
REASON = 'reason: "Summer'


def _blackout(data: Path, reason: str) -> Path:
    waves = data / "waves.yaml"
    edit(waves, BLACKOUT, f"blackouts:\n  - from: 2024-06-15\n    to: 2024-08-15\n    reason: {reason}\n\n{BLACKOUT}")
    return waves


@pytest.mark.parametrize("escape, named", [(r"\e", 'escape (U+001B, "\\e" in quotes)'),
                                           (r"\a", 'bell (U+0007, "\\a" in quotes)'),
                                           (r"\r", 'carriage return (U+000D, "\\r" in quotes)'),
                                           (r"\x9b", 'control character, '),
                                           (r"\u202e", "right-to-left override (U+202E")])
def test_an_escaped_control_character_in_a_reason_is_refused_at_its_line(data: Path, escape: str, named: str):
    """Accepted before: it went into check's text, explain and the job summary as it was (terminal escapes,
    lines that read as findings)."""
    waves = _blackout(data, f'"Summer{escape}]0;title"')
    message = error_of(data)
    assert message.startswith(f"{waves}:{line_of(waves, REASON)}: a "), message
    assert named in message and "remove it" in message
    assert "\x1b" not in message and "\x07" not in message and "\u202e" not in message


def test_a_reason_of_several_lines_is_one_line_and_a_note_may_have_several_lines(data: Path):
    # a line break in a reason made lines of check's text and the job summary that read as findings: the
    # lines are joined by a space (as YAML's folded form); refusing it (this session, first) refused every
    # `reason: >` too, whose last line break YAML keeps
    waves = _blackout(data, r'"Summer\n::error file=README.md,line=1::PWNED"')
    assert load_problem(data).waves.blackouts[0].reason == "Summer ::error file=README.md,line=1::PWNED"
    edit(waves, r'reason: "Summer\n::error file=README.md,line=1::PWNED"', "reason: >\n      Summer\n      holidays")
    assert load_problem(data).waves.blackouts[0].reason == "Summer holidays"
    edit(waves, "reason: >\n      Summer\n      holidays", "reason: |\n      Summer\n      holidays")
    assert load_problem(data).waves.blackouts[0].reason == "Summer holidays"
    edit(waves, "reason: |\n      Summer\n      holidays",
         'reason: Summer holidays\n    note: |\n      Two lines\n      \tof a note')
    problem = load_problem(data)
    assert problem.waves.blackouts[0].note == "Two lines\n\tof a note\n"
    # a Windows line end inside a quoted note (as yaml.safe_dump writes one) is a line break, not a control
    edit(waves, 'note: |\n      Two lines\n      \tof a note', r'note: "Two lines\r\nof a note"')
    assert load_problem(data).waves.blackouts[0].note == "Two lines\nof a note"


def test_a_rule_reason_and_a_name_with_a_control_character_are_refused(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "reason: GP offices go live with or before their municipality", r'reason: "GP offices\tgo live"')
    assert "a reason has no control characters, and this one has a control character, tab" in error_of(data)
    edit(waves, r'reason: "GP offices\tgo live"', "reason: GP offices go live")
    orgs = data / "organisations.yaml"
    first = next(line for line in orgs.read_text(encoding="utf-8").splitlines() if line.strip().startswith("name:"))
    edit(orgs, first, first.split("name:")[0] + r'name: "Evil \u202egnp.exe"')
    assert "a bidirectional control character, right-to-left override (U+202E" in error_of(data)


def test_a_raw_bidirectional_control_is_refused_anywhere_in_a_file(data: Path):
    path = data / "organisations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# a comment \u202e reversed\n" + text, encoding="utf-8")
    assert error_of(data).startswith(f"{path}:1: a bidirectional control character (right-to-left override, "
                                     "U+202E")


def test_the_schema_refuses_control_characters_from_the_library_too():
    with pytest.raises(ValueError, match="a reason has no control characters"):
        Blackout.model_validate({"from": "2024-06-15", "to": "2024-08-15", "reason": "Summer\x1b]0;t\x07"})
    with pytest.raises(ValueError, match="a text has no control characters"):
        Blackout.model_validate({"from": "2024-06-15", "to": "2024-08-15", "reason": "Summer", "note": "a\x1bb"})


def test_a_json_plan_s_name_with_a_control_character_is_refused(tmp_path: Path):
    plan = tmp_path / "p.json"
    plan.write_text(json.dumps({"status": "optimal", "plan": [{"id": "aure", "name": "A\x1b]0;x\x07",
                                                                "go_live": None}]}), encoding="utf-8")
    with pytest.raises(InputError, match=r"plan entry 1 \(aure\): name 'A\\x1b\]0;x\\x07' has a control character, "
                                         r"escape \(U\+001B\)"):
        read_plan(plan)


def test_check_s_text_holds_no_control_character_from_the_data(data: Path, tmp_path: Path):
    """End to end, as the review did it: nothing of the escapes reaches stdout, exit 2 at the line."""
    _blackout(data, r'"Summer\e]0;t\a"')
    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        result = run("check", "--data", data, "--format", "github", "-t", "5")
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert not summary.exists() or "\x1b" not in summary.read_text(encoding="utf-8")


# ---- finding 9: a huge data file is no "plan file" --------------------------------------------------------


def test_a_data_file_of_too_many_values_is_called_a_data_file(monkeypatch: pytest.MonkeyPatch):
    import hpplan.yamlio as yamlio

    monkeypatch.setattr(yamlio, "MAX_NODES", 10)
    raw = b"organisations: [" + b",".join([b"1"] * 20) + b"]\n"
    with pytest.raises(InputError) as caught:
        parse_yaml(raw, "data/organisations.yaml")
    assert str(caught.value) == ("data/organisations.yaml:1: more than 10 values; far more than a data file (a "
                                 "national instance's organisations.yaml has some 45 000) holds; is this the right file?")
    assert "plan file" not in str(caught.value)
    with pytest.raises(InputError, match="far more than an hpplan file holds"):
        parse_yaml(raw, "data/scenarios/x.yaml")


# ---- finding 3: at most MAX_WINDOWS windows ---------------------------------------------------------------


def test_a_waves_file_of_more_windows_than_the_bound_is_refused_at_once(data: Path):
    waves = data / "waves.yaml"
    many = "".join(f"  - {{id: x{i}, date: 2030-01-01}}\n" for i in range(MAX_WINDOWS))
    edit(waves, "  - {id: 2024-11, date: 2024-11-09}\n", "  - {id: 2024-11, date: 2024-11-09}\n" + many)
    start = time.perf_counter()
    assert error_of(data) == (f"{waves}:{line_of(waves, 'windows:')}: {grouped(MAX_WINDOWS + 5)} windows; at most "
                              f"{grouped(MAX_WINDOWS)} are planned (the model has a choice for each organisation and window, "
                              "and a check of 10 000 windows ran for minutes whatever its time limit): keep the "
                              "windows the rollout may use")
    assert time.perf_counter() - start < 30


def test_no_psplib_instance_has_more_windows_than_the_bound():
    from hpplan.psplib import parse_sm

    files = sorted(Path("/work/shared/benchmarks/psplib").glob("j*/*.sm"))
    if not files:
        pytest.skip("the PSPLIB instances are not on this machine")
    assert max(parse_sm(f).horizon for f in files) + 1 <= MAX_WINDOWS  # a window a period, 0 to the horizon


def test_a_sweep_results_file_with_a_number_too_long_to_read_is_refused_at_its_line(tmp_path):
    # (a JSON number of more than 4,300 digits: a ValueError that is no JSONDecodeError, exit 70 before)
    from hpplan.sweep.run import read_results

    path = tmp_path / "r.jsonl"
    path.write_text('{"type": "header", "hash": "x"}\n{"type": "result", "index": ' + "9" * 5000 + "}\n")
    with pytest.raises(InputError) as error:
        read_results(path)
    assert "r.jsonl:2: not a sweep results line (a number too long to read)" in str(error.value)
