"""The shipped Midt-Norge data: it loads, says what the sources say, and plans optimally and verifiably."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hpplan import SolveOptions, load_problem, solve, verify
from hpplan.schema import Kind, Status

DATA = Path(__file__).resolve().parent.parent / "data"

HISTORY = {
    "trondheim": "2022-05-07",
    "st-olavs": "2022-11-12",
    "orland": "2022-11-12",
    "afjord": "2022-11-12",
    "indre-fosen": "2022-11-12",
    "os": "2022-11-12",
    "roros": "2022-11-12",
    "holtalen": "2022-11-12",
    "verdal": "2023-02-11",
    "levanger": "2023-02-11",
    "alesund": "2023-04-28",
    "rindal": "2023-11-04",
    "molde": "2023-11-04",
    "kristiansund": "2023-11-04",
    "hustadvika": "2023-11-04",
    "aukra": "2023-11-04",
    "fjord": "2023-11-04",
    "sula": "2023-11-04",
    "vestnes": "2023-11-04",
    "rauma": "2023-11-04",
    "vanylven-legesenter": "2023-12-02",
}


@pytest.fixture(scope="module")
def problem():
    return load_problem(DATA)


@pytest.fixture(scope="module")
def solution(problem):
    return solve(problem, SolveOptions(time_limit=60))


def test_the_data_as_of_january_2024(problem):
    assert problem.planning_date.isoformat() == "2024-01-15"
    municipalities = [o for o in problem.organisations if o.kind is Kind.municipality]
    assert len(municipalities) == 67
    status = Counter(o.status for o in municipalities)
    assert status[Status.live] == 20  # seed 004: 20 live ...
    assert status[Status.signed] == 14  # ... and 14 signed by 2024-01-01
    for org_id, day in HISTORY.items():
        org = problem.org[org_id]
        assert org.status is Status.live and org.live_since.isoformat() == day, org_id
    trusts = {o.id: o.status for o in problem.organisations if o.kind is Kind.health_trust}
    assert trusts == {"st-olavs": Status.live, "helse-more-og-romsdal": Status.signed,
                      "helse-nord-trondelag": Status.signed}
    for quitter in ("gjemnes", "averoy", "froya", "aure"):
        assert problem.org[quitter].status is Status.opted_out


def test_estimates_are_marked(problem):
    for org in problem.organisations:
        for field in ("users", "population"):
            if getattr(org, field) is not None:
                assert field in org.source or "all" in org.source, (org.id, field)
    # the sources give no user counts for small municipalities: they must say estimate
    assert problem.org["tydal"].is_estimate("users")
    assert not problem.org["trondheim"].is_estimate("population")


def test_the_shipped_plan_is_optimal_and_keeps_every_rule(problem, solution):
    assert solution.status.value == "optimal"
    assert solution.stats.tie_break == "complete"
    assert verify(problem, solution) == []
    live = {a.id: a.go_live for a in solution.plan}
    # the trusts in the board's order (as of January 2024: HMR before HNT)
    assert live["st-olavs"] < live["helse-more-og-romsdal"] < live["helse-nord-trondelag"]
    # every mandatory organisation is planned; the opted-out ones only after their return
    for org in problem.plannable:
        if org.is_mandatory:
            assert live[org.id] is not None, org.id
        if org.returns is not None and live[org.id] is not None:
            assert live[org.id] >= org.returns


def test_same_plan_for_other_seeds_and_worker_counts(problem, solution):
    other = solve(problem, SolveOptions(time_limit=60, seed=7, workers=2))
    assert other.to_json() == solution.to_json().replace('"seed": 0', '"seed": 7').replace('"workers": 1', '"workers": 2')
