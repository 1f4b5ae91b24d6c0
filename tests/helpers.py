"""Small instances built in Python, and a solve that always runs the independent verifier."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from hpplan.errors import InputError, InputErrors
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.schema import OrganisationsFile, WavesFile
from hpplan.solution import Solution
from hpplan.solve import SolveOptions, solve
from hpplan.verify import verify

WINDOWS = [
    {"id": "h1", "date": "2023-11-04"},
    {"id": "w1", "date": "2024-02-10"},
    {"id": "w2", "date": "2024-04-27"},
    {"id": "w3", "date": "2024-09-14"},
    {"id": "w4", "date": "2024-11-09"},
]
#: WINDOWS and three more, to 2025-09: room for a move to pass several windows
MORE_WINDOWS = WINDOWS + [
    {"id": "w5", "date": "2025-02-08"},
    {"id": "w6", "date": "2025-04-26"},
    {"id": "w7", "date": "2025-09-06"},
]


def joined(text: str) -> str:
    """Text as one line, the terminal's wrapping undone."""
    return " ".join(text.split())


def org(id: str, kind: str = "municipality", status: str = "planned", population: int = 10, **fields) -> dict:
    data = {"id": id, "name": fields.pop("name", id.upper()), "kind": kind, "status": status,
            "population": population, "source": {"all": "estimate: test"}}
    if kind == "gp_office":
        data.setdefault("municipality", fields.pop("municipality", "m1"))
    data.update(fields)
    return data


def build(orgs: list[dict], *, windows: list[dict] | None = None, rules: list[dict] | None = None,
          pools: list[dict] | None = None, profiles: list[dict] | None = None, limits: list[dict] | None = None,
          **waves) -> Problem:
    """A Problem from plain dicts; pools default to ample capacity and profiles to none."""
    organisations = OrganisationsFile.model_validate({"organisations": orgs}).organisations
    data = {
        "planning_date": "2024-01-15",
        "windows": windows or WINDOWS,
        "pools": pools or [
            {"id": "specialist", "sector": "specialist", "fte": 1000, "source": {"fte": "estimate: test"}},
            {"id": "primary", "sector": "primary", "fte": 1000, "source": {"fte": "estimate: test"}},
        ],
        "load_profiles": profiles or [],
        "limits": limits or [],
        "rules": rules or [],
    }
    data.update(waves)
    return Problem(organisations, WavesFile.model_validate(data))


def solved(problem: Problem, **options) -> Solution:
    """Solve and check the plan with the independent verifier (every plan the tests produce)."""
    options.setdefault("time_limit", 20)
    solution = solve(problem, SolveOptions(**options))
    if solution.found:
        violations = verify(problem, solution)
        assert violations == [], "\n".join(v.message for v in violations)
    return solution


def windows_of(solution: Solution) -> dict[str, str | None]:
    return {a.id: a.window for a in solution.plan}


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a text file by `new` (asserting it is there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The 1-based line of the `nth` line of a file that contains `needle`."""
    hits = [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    if len(hits) < nth:
        raise AssertionError(needle)
    return hits[nth - 1]


def errors_of(source: Path | Callable[[], object]) -> list[str]:
    """The messages of the bad input that loading `source` is refused for: a data folder (`load_problem`),
    or a function that loads (a scenario applied, a spec read)."""
    load = source if callable(source) else (lambda: load_problem(source))
    with pytest.raises(InputError) as info:
        load()
    error = info.value
    return [str(e) for e in error.errors] if isinstance(error, InputErrors) else [str(error)]


def error_of(source: Path | Callable[[], object]) -> str:
    """The one message of `errors_of`."""
    errors = errors_of(source)
    assert len(errors) == 1, errors
    return errors[0]


def without_load_profiles(data: Path) -> Path:
    """A copy of a data folder's waves.yaml with its `load_profiles` section removed (no organisation loads
    any pool: the loader's warning); its path."""
    waves = data / "waves.yaml"
    text = waves.read_text(encoding="utf-8")
    start = text.index("load_profiles:")
    end = text.find("\n\n", start)
    waves.write_text(text[:start] + (text[end + 2:] if end != -1 else ""), encoding="utf-8")
    assert "load_profiles" not in waves.read_text(encoding="utf-8")
    return waves
