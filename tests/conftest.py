"""Fixtures shared by the test files (a file's own fixture of the same name wins)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the tiny data set (tests/data/tiny) to edit."""
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    return folder


@pytest.fixture(autouse=True)
def _no_github_job_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in a GitHub job write nothing into its summary (`check --format github` appends to
    $GITHUB_STEP_SUMMARY); a test that wants one sets its own."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture(scope="session")
def shipped_optimum():
    """The shipped data (a Problem) and its optimal plan, solved once for the tests that only read them."""
    from hpplan.loader import load_problem
    from hpplan.solve import SolveOptions, solve
    from hpplan.verify import verify

    problem = load_problem(REPO / "data")
    plan = solve(problem, SolveOptions(time_limit=30))
    assert plan.status == "optimal" and verify(problem, plan) == []
    return problem, plan


@pytest.fixture(scope="session")
def plan(tmp_path_factory) -> Path:
    """The tiny data's plan (tests/data/tiny), saved as JSON once for the tests that only read it (three test
    files each solved and wrote their own)."""
    from typer.testing import CliRunner

    from hpplan import cli

    path = tmp_path_factory.mktemp("plan") / "plan.json"
    done = CliRunner().invoke(cli.app, ["solve", "--data", str(TINY), "-q", "-t", "10", "-f", "json", "-o", str(path)])
    assert done.exit_code == 0, done.output
    return path


@pytest.fixture(scope="session")
def region(tmp_path_factory) -> Path:
    """A generated `region` instance (100 organisations, seed 1): not proven in the first seconds (a stop, a
    Ctrl-C or a SIGTERM then finds a solve under way). A test file's own `region` fixture wins."""
    from hpplan.generate import write_instance

    folder = tmp_path_factory.mktemp("region")
    write_instance(folder, "region", 1)
    return folder
