"""The terminal view (render.py) and the machine formats (formats.py) on a tiny hand-made plan."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from rich.console import Console

from hpplan.formats import CSV_COLUMNS, peak_loads, plan_groups, to_csv, to_markdown, window_summary
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.schema import Organisation, WavesFile
from hpplan.solution import Assignment, LoadPoint, Solution, SolveStats, Status

SRC = {"all": "fact: test data"}
LONG_NAME = "Verdal kommune - helse og omsorg, legevakt, sykehjem og hjemmetjenester"


def _org(**fields) -> Organisation:
    if any(k in fields for k in ("users", "population", "live_since")):
        fields.setdefault("source", SRC)
    return Organisation.model_validate(fields)


ORGS = [
    dict(id="hmr", name="Helse Møre og Romsdal HF", kind="health_trust", status="live",
         live_since="2023-04-28", users=9000, population=270_000),
    dict(id="hnt", name="Helse Nord-Trøndelag HF", kind="health_trust", status="signed",
         users=4500, population=135_000),
    dict(id="alesund", name="Ålesund kommune", kind="municipality", status="live",
         live_since="2023-04-28", users=2000, population=67_000),
    dict(id="steinkjer", name="Steinkjer kommune", kind="municipality", status="planned",
         users=800, population=24_000),
    dict(id="levanger", name="Levanger kommune", kind="municipality", status="planned",
         users=600, population=20_000),
    dict(id="verdal", name=LONG_NAME, kind="municipality", status="planned", users=500, population=15_000),
    dict(id="gp-privat", name="Legesenteret Privat AS", kind="gp_office", status="optional",
         municipality="steinkjer", private=True, users=12),
    dict(id="gp-levanger", name="Levanger legesenter", kind="gp_office", status="optional",
         municipality="levanger", users=20),
    dict(id="nordmore", name="Nordmøre kommune", kind="municipality", status="opted_out",
         users=300, population=10_000),
]

WAVES = {
    "planning_date": "2025-03-01",
    "windows": [
        {"id": "W0", "date": "2023-04-29", "name": "Møre og Romsdal"},
        {"id": "W1", "date": "2025-06-07", "name": "Steinkjer"},
        {"id": "W2", "date": "2025-11-08", "name": "Nord-Trøndelag"},
        {"id": "W3", "date": "2026-05-02"},
    ],
    "pools": [
        {"id": "spes", "name": "Specialist support", "sector": "specialist", "fte": 40, "source": SRC},
        {"id": "prim", "sector": "primary", "fte": 20, "source": SRC},
    ],
    "load_profiles": [
        {"id": "health_trust", "before": [5, 10, 20], "hypercare": [30, 10], "source": SRC},
        {"id": "municipality", "before": [1, 2], "hypercare": [4], "source": SRC},
        {"id": "gp_office", "before": [], "hypercare": [1], "source": SRC},
    ],
}

# (id, go-live, window, pinned)
PLAN = [
    ("hmr", "2023-04-28", "W0", True),
    ("hnt", "2025-11-08", "W2", False),
    ("alesund", "2023-04-28", "W0", True),
    ("steinkjer", "2025-06-07", "W1", False),
    ("levanger", "2025-11-08", "W2", False),
    ("verdal", "2026-05-02", "W3", False),
    ("gp-privat", None, None, False),
    ("gp-levanger", "2025-11-08", "W2", False),
    ("nordmore", None, None, False),
]


def make_problem() -> Problem:
    return Problem(organisations=[_org(**o) for o in ORGS], waves=WavesFile.model_validate(WAVES))


def _loads(problem: Problem) -> list[LoadPoint]:
    """A made-up load with a known peak: spes 35 FTE in 2025-10 (limit 40), prim 7.5 in 2025-11."""
    points = []
    for month in problem.months:
        label = f"{month // 12:04d}-{month % 12 + 1:02d}"
        spes = {"2025-09": 5.0, "2025-10": 35.0, "2025-11": 30.0, "2025-12": 35.0}.get(label, 0.0)
        prim = {"2025-05": 2.0, "2025-11": 7.5}.get(label, 1.0)
        points.append(LoadPoint("spes", label, spes, 40.0))
        points.append(LoadPoint("prim", label, prim, 20.0))
    return points


def make_solution(problem: Problem, status: Status = Status.feasible) -> Solution:
    plan = []
    for org_id, go_live, window, pinned in PLAN:
        org = problem.org[org_id]
        plan.append(
            Assignment(
                id=org_id,
                name=org.name,
                kind=org.kind.value,
                sector=org.effective_sector.value,
                go_live=dt.date.fromisoformat(go_live) if go_live else None,
                window=window,
                pinned=pinned,
            )
        )
    return Solution(
        status=status,
        objective={"population_delay": 1_234_567, "preference": 20_000, "total": 1_254_567},
        plan=plan,
        load=_loads(problem),
        stats=SolveStats(wall_time=1.234, build_time=0.056, gap=0.0125, best_bound=1_200_000, seed=7, workers=8),
    )


@pytest.fixture
def problem() -> Problem:
    return make_problem()


@pytest.fixture
def solution(problem: Problem) -> Solution:
    return make_solution(problem)
