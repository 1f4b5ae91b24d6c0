"""The MIP engine (hpplan.engines.highs): the same optimum as hpplan's CP-SAT model, plans that verify,
and statuses that mean what they say."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build, org, solved
from test_greedy import small_instances

from hpplan import load_problem, verify
from hpplan.solution import Status

highspy = pytest.importorskip("highspy", reason="highspy is in the bench extras: pip install -e '.[bench]'")

from hpplan.engines.highs import HighsOptions, solve_highs  # noqa: E402
from hpplan.greedy import schedule  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"


def highs(problem, **options):
    options.setdefault("time_limit", 20)
    solution = solve_highs(problem, HighsOptions(**options))
    if solution.found:
        assert verify(problem, solution) == []
    return solution


@pytest.mark.parametrize("name", sorted(small_instances()))
def test_same_optimum_as_cp_sat_on_small_instances(name):
    problem = small_instances()[name]
    mip = highs(problem)
    cp = solved(problem, tie_break=False)
    assert mip.status is Status.optimal and cp.status is Status.optimal
    assert mip.objective == cp.objective
    assert mip.stats.best_bound == mip.objective["total"] and mip.stats.gap == 0


def test_same_optimum_as_cp_sat_on_the_shipped_data():
    problem = load_problem(DATA)
    mip = highs(problem)
    cp = solved(problem, tie_break=False, workers=2)
    assert mip.status is Status.optimal and cp.status is Status.optimal
    assert mip.objective["total"] == cp.objective["total"] == 6_692_597
    assert mip.stats.engine == "highs"


def test_infeasible_data_is_reported_infeasible():
    assert highs(build([org("m1", latest="2024-01-31")])).status is Status.infeasible
    before_pinned = build([org("a"), org("b", status="live", live_since="2023-11-04")],
                          rules=[{"type": "order", "actors": ["a", "b"]}])
    assert highs(before_pinned).status is Status.infeasible
    tight = build([org("m1", latest="2024-03-01"), org("m2", latest="2024-03-01")], limits=[{"max_actors": 1}])
    assert highs(tight).status is Status.infeasible


def test_a_starting_plan_is_accepted_and_the_optimum_is_unchanged():
    problem = load_problem(DATA)
    start = schedule(problem).chosen
    solution = highs(problem, start=start)
    assert solution.status is Status.optimal and solution.objective["total"] == 6_692_597


def test_limits_by_kind_count_only_those_kinds():
    # three GP offices and a municipality; at most one municipality and one GP office per window
    problem = build([org("m1", population=100), *(org(f"g{i}", kind="gp_office", status="signed", population=0)
                                                  for i in (1, 2, 3))],
                    limits=[{"kinds": ["gp_office"], "max_actors": 1}, {"kinds": ["municipality"], "max_actors": 1}],
                    rules=[{"type": "with_or_before", "each": "gp_office"}])
    solution = highs(problem)
    assert solution.status is Status.optimal
    windows = {a.id: a.window for a in solution.plan}
    assert len({windows[g] for g in ("g1", "g2", "g3")}) == 3 and windows["m1"] == "w3"


def test_profile_counts_prove_a_generated_region(tmp_path):
    # `hpplan generate --size region --seed 1`: 47 GP offices, 40 municipalities, three trusts; the
    # plain MIP proves 8,529,778 in about a minute, with the counts per load profile in seconds
    # (docs/benchmarks.md); here with room to spare, since tests do not time
    from hpplan.generate import write_instance

    write_instance(tmp_path, "region", 1)
    solution = highs(load_problem(tmp_path), time_limit=300, aggregate=True, counts=True)
    assert solution.status is Status.optimal and solution.objective["total"] == 8_529_778
