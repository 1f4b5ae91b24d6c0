"""Outputs and names (re-checker t6's report, session 27): `-o /dev/stdout >> FILE` appends (finding 4), a
folder link out of the repository is refused from a subfolder too (5), file and folder names in Markdown
(7), and a quick option given twice (8)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from hpplan import cli
from hpplan.cli import quick_options
from hpplan.errors import InputError
from hpplan.formats import md_code
from hpplan.io import open_file_descriptor, write_atomic, write_pair

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "data" / "tiny"
MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
runner = CliRunner()


def run(*args) -> object:
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "base.json"
    result = run("solve", "--data", TINY, "-t", "10", "-f", "json", "-o", path)
    assert result.exit_code == 0, result.output
    return path


# ---- finding 4: an open file's name is written in place -------------------------------------------------


@pytest.fixture
def appending(tmp_path: Path):
    """A file holding an earlier step's line, open to append on a descriptor, as `>> FILE` opens it."""
    path = tmp_path / "summary.md"
    path.write_text("previous step\n")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    yield path, fd
    os.close(fd)


def test_open_file_names_are_known_by_their_descriptor():
    assert open_file_descriptor("/dev/stdout") == 1
    assert open_file_descriptor("/dev/stderr") == 2
    assert open_file_descriptor("/dev/fd/7") == 7
    assert open_file_descriptor("/proc/self/fd/3") == 3
    assert open_file_descriptor(f"/proc/{os.getpid()}/fd/4") == 4
    for other in ("/dev/null", "plan.json", "/tmp/x", "/proc/1/fd/1"):
        assert open_file_descriptor(other) is None, other


@pytest.mark.parametrize("name", ["/dev/fd/{fd}", "/proc/self/fd/{fd}"])
def test_write_atomic_to_an_open_file_appends_as_the_shell_opened_it(appending, name: str):
    path, fd = appending
    write_atomic(name.format(fd=fd), "first\n")
    write_atomic(name.format(fd=fd), "second\n")
    assert path.read_text() == "previous step\nfirst\nsecond\n"


def test_an_open_file_opened_for_reading_only_is_refused_not_replaced(tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    fd = os.open(plan, os.O_RDONLY)
    try:
        with pytest.raises(InputError, match=f"file descriptor {fd} is open for reading only"):
            write_atomic(f"/dev/fd/{fd}", "x")
    finally:
        os.close(fd)
    assert plan.read_text() == "{}"


@pytest.mark.parametrize("command", [
    ["solve", "--data", TINY, "-t", "10", "-f", "markdown", "-o"],
    ["compare", "--data", TINY, "--baseline", "{plan}", "--exclude", "orsta", "-t", "10", "-f", "markdown", "-o"],
    ["report", "--data", TINY, "--plan", "{plan}", "-f", "html", "-o"],
    ["check", "--data", TINY, "-t", "10", "--junit"],
])
def test_every_command_appends_to_an_open_file(appending, plan_file: Path, command: list):
    path, fd = appending
    args = [str(a).format(plan=plan_file) for a in command]
    result = run(*args, f"/dev/fd/{fd}")
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith("previous step\n") and len(text) > 100


def test_sweep_summary_and_chart_append_to_open_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    sys.path.insert(0, str(REPO / "tests"))
    from test_sweep import spec_file

    spec = spec_file(tmp_path, samples=2)
    summary, chart = tmp_path / "summary.json", tmp_path / "chart.html"
    summary.write_text("previous\n")
    chart.write_text("previous\n")
    fds = [os.open(p, os.O_WRONLY | os.O_APPEND) for p in (summary, chart)]
    try:
        result = run("sweep", spec, "--out", tmp_path / "r.jsonl", "-f", "json", "-o", f"/dev/fd/{fds[0]}",
                     "--chart", f"/dev/fd/{fds[1]}")
    finally:
        for fd in fds:
            os.close(fd)
    assert result.exit_code == 0, result.output
    assert summary.read_text().startswith("previous\n{") and '"scenarios": 2' in summary.read_text()
    assert chart.read_text().startswith("previous\n<!DOCTYPE html>")


def test_write_pair_checks_the_second_before_writing_the_first_in_place(appending, tmp_path: Path):
    path, fd = appending
    with pytest.raises(InputError, match="does not exist"):
        write_pair(Path(f"/dev/fd/{fd}"), "summary\n", tmp_path / "nowhere" / "chart.html", "page")
    assert path.read_text() == "previous step\n"


def _hpplan(shell: str, cwd: Path) -> subprocess.CompletedProcess:
    code = "import sys; sys.argv[0] = 'hpplan'; from hpplan.cli import main; main()"
    command = shell.replace("HPPLAN", f"{sys.executable} -c \"{code}\"")
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_dev_stdout_appended_by_the_shell_keeps_what_the_file_held(tmp_path: Path):
    """`-o /dev/stdout >> "$GITHUB_STEP_SUMMARY"` erased the summaries of the earlier steps."""
    (tmp_path / "summary.md").write_text("previous step summary\n")
    done = _hpplan(f"HPPLAN solve --data {TINY} -t 10 -f markdown -o /dev/stdout >> summary.md && "
                   f"HPPLAN solve --data {TINY} -t 10 -f json -o /dev/stdout > plan.json && "
                   f"HPPLAN solve --data {TINY} -t 10 -f json -o - >> summary.md", tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "summary.md").read_text()
    assert text.startswith("previous step summary\n# Rollout plan\n") and text.rstrip().endswith("}")
    assert json.loads((tmp_path / "plan.json").read_text())["status"] == "optimal"  # `>` truncated


def test_dash_is_still_stdout():
    result = run("solve", "--data", TINY, "-t", "10", "-f", "csv", "-o", "-")
    assert result.exit_code == 0 and result.output.startswith("id,name,")


# ---- finding 5: the repository is the tree, from a subfolder too -----------------------------------------


def _repo_with_link(tmp_path: Path, git: bool) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    if git:
        (repo / ".git").mkdir()
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    return repo, outside


def test_a_folder_link_out_of_the_repository_is_refused_from_a_subfolder(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    repo, outside = _repo_with_link(tmp_path, git=True)
    monkeypatch.chdir(repo / "sub")
    with pytest.raises(InputError) as refused:
        write_atomic(Path("..") / "reports" / "x.xml", "x")
    assert (f"cannot write: folder ../reports is a link to {outside}, outside the repository {repo}; an output "
            "is not written through a link that leads out of the working tree") in str(refused.value)
    result = run("check", "--data", TINY, "-t", "10", "--junit", "../reports/fromsub.xml")
    assert result.exit_code == 2 and "outside the repository" in result.output
    assert list(outside.iterdir()) == []
    monkeypatch.chdir(repo)  # from the root, as before
    with pytest.raises(InputError, match="outside the repository"):
        write_atomic(Path("reports") / "x.xml", "x")


def test_without_a_repository_the_current_folder_is_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    repo, outside = _repo_with_link(tmp_path, git=False)
    monkeypatch.chdir(repo / "sub")  # the link is above the current folder: the machine's, not the tree's
    write_atomic(Path("..") / "reports" / "x.xml", "x")
    assert (outside / "x.xml").read_text() == "x"
    monkeypatch.chdir(repo)
    with pytest.raises(InputError, match=f"outside the current folder {repo};"):
        write_atomic(Path("reports") / "y.xml", "y")


# ---- finding 7: names in Markdown --------------------------------------------------------------------------


def _inline(markdown: str, line: int) -> list:
    tokens = [t for t in MD.parse(markdown) if t.type == "inline"]
    return tokens[line].children


@pytest.mark.parametrize("name", ["data", "my`da_t_a*x*", "``two", "end`", " lead", "*b*_[l](x)"])
def test_md_code_holds_any_name_whole(name: str):
    children = _inline(md_code(name), 0)
    assert [c.type for c in children] == ["code_inline"] and children[0].content == name


def test_solve_markdown_names_a_data_folder_with_backticks_whole(tmp_path: Path):
    folder = tmp_path / "my`da_t_a*x*"
    shutil.copytree(TINY, folder)
    result = run("solve", "--data", folder, "-t", "10", "-f", "markdown")
    assert result.exit_code == 0, result.output
    data_line = next(line for line in result.output.splitlines() if line.startswith("- Data: "))
    children = _inline(data_line, 0)
    assert [c.type for c in children] == ["text", "code_inline"] and children[1].content == "my`da_t_a*x*"


def test_compare_heading_names_the_baseline_file_as_written(tmp_path: Path, plan_file: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    name = "*b*_[l](x).json"
    shutil.copy(plan_file, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = run("compare", "--data", TINY, "--baseline", name, "--exclude", "orsta", "-t", "10", "-f", "markdown",
                 "-o", "c.md")
    assert result.exit_code == 0, result.output
    heading = (tmp_path / "c.md").read_text().splitlines()[0]
    children = _inline(heading, 0)
    assert {c.type for c in children} == {"text"}
    assert "".join(c.content for c in children).startswith(f"Comparison: baseline {name} (optimal) -> ")


# ---- finding 8: a quick option given twice -----------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["solve"], ["check"], ["explain", "--actor", "orsta"], ["compare", "--baseline", "{plan}"]])
def test_the_same_quick_option_twice_is_refused(plan_file: Path, command: list):
    args = [str(a).format(plan=plan_file) for a in command]
    result = run(*args, "--data", TINY, "-t", "10", "--exclude", "orsta", "--exclude", "orsta ",
                 "--capacity", "primary=80%", "--capacity", "primary=80%", "--capacity", "primary=90%")
    assert result.exit_code == 2, result.output
    assert "--exclude: 'orsta' is given twice; give each change once (one --exclude orsta)" in result.output
    assert "--capacity: 'primary=80%' is given twice" in result.output
    assert "primary=90%" not in result.output.replace("--capacity primary=90%", "")  # different ones are fine


def test_quick_options_keep_the_order_within_each_option():
    assert quick_options(["a=2025-01-01"], ["x", "y"], ["primary=5", "primary=50%"]) == [
        "--postpone", "a=2025-01-01", "--exclude", "x", "--exclude", "y",
        "--capacity", "primary=5", "--capacity", "primary=50%"]


def test_scenarios_doc_names_every_command_of_the_quick_forms():
    text = (REPO / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert "(`solve`, `compare`, `check` and `explain`;" in text
    assert "is given twice" in text
