"""Interchangeable organisations (hpplan.model.symmetry) and the symmetry rows of the model
(docs/model.md "Symmetry breaking"): the groups on a small instance with a known answer, and the same
objective and the same tie-broken plan with the rows as without them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import build, org, solved, windows_of
from ortools.sat.python import cp_model

from hpplan import load_problem
from hpplan.model import build_model
from hpplan.model.objective import Anchor
from hpplan.model.symmetry import canonical_plan, interchangeable_groups
from hpplan.solution import Status

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCE = {"all": "estimate: test"}
GP_PROFILE = [{"id": "gp_office", "before": [2], "hypercare": [2, 1], "source": SOURCE}]


def gp(id: str, municipality: str = "m1", users: int = 10, population: int = 0, **fields) -> dict:
    return org(id, kind="gp_office", status=fields.pop("status", "signed"), population=population,
               municipality=municipality, users=users, **fields)


def known_instance():
    organisations = [
        org("m1", population=100), org("m2", status="live", live_since="2023-11-04"), org("m3", population=50),
        # GP offices of m1 under `each: gp_office`: g1, g10, g2 alike (id order: "g1" < "g10" < "g2")
        gp("g1"), gp("g10"), gp("g2"),
        gp("g4", users=30),  # other users (limits count users)
        gp("g5", municipality="m3"),  # another target
        gp("g8", status="optional"),  # optional: not like the mandatory ones
        gp("g9", earliest="2024-04-01"),  # another domain
        gp("g11"), gp("g12"),  # named in an order: not interchangeable with each other or g1
        gp("g6", municipality="m2", status="optional"), gp("g7", municipality="m2", status="optional"),  # no rule
        # explicit with_or_before to the same target, and after_live from the same first: alike
        org("x1", population=7), org("x2", population=7), org("x3", population=8),
        org("q1", population=5), org("q2", population=5),
        # members of one not_same_window: alike (the set is the same after a swap)
        org("n1", population=3), org("n2", population=3),
    ]
    rules = [
        {"type": "with_or_before", "each": "gp_office"},
        {"type": "with_or_before", "actor": "x1", "target": "m3"},
        {"type": "with_or_before", "actor": "x2", "target": "m3"},
        {"type": "with_or_before", "actor": "x3", "target": "m3"},
        {"type": "order", "actors": ["g11", "g12"], "min_gap_windows": 0},
        {"type": "after_live", "first": "m3", "then": "q1"},
        {"type": "after_live", "first": "m3", "then": "q2"},
        {"type": "not_same_window", "actors": ["n1", "n2"]},
    ]
    return build(organisations, rules=rules, profiles=GP_PROFILE)


def test_groups_on_a_small_instance():
    assert interchangeable_groups(known_instance()) == [
        ["g1", "g10", "g2"],
        ["g6", "g7"],
        ["n1", "n2"],
        ["q1", "q2"],
        ["x1", "x2"],
    ]


def test_a_rule_on_one_side_only_breaks_a_group():
    problem = known_instance()
    problem.waves.rules.append(problem.waves.rules[4].model_copy(update={"actors": ["m1", "g10"]}))
    assert ["g1", "g2"] in interchangeable_groups(problem)
    # a precedence between two members: not symmetric either
    problem = known_instance()
    problem.waves.rules.append(problem.waves.rules[4].model_copy(update={"actors": ["g1", "g2"]}))
    assert not any("g1" in g and "g2" in g for g in interchangeable_groups(problem))


def test_anchors_split_groups():
    anchors = {"g1": Anchor("w1", None), "g10": Anchor("w2", None), "g2": Anchor("w1", None)}
    groups = interchangeable_groups(known_instance(), anchors)
    assert ["g1", "g2"] in groups and not any("g10" in g for g in groups)


def test_rows_only_in_the_normal_model_and_only_when_asked():
    problem = known_instance()
    assert build_model(problem).symmetry == []
    assert build_model(problem, symmetry=True).symmetry == interchangeable_groups(problem)
    assert build_model(problem, switchable=True, symmetry=True).symmetry == []
    assert build_model(problem, switchable=True, with_objective=False, symmetry=True).symmetry == []


def _feasible_with(problem, chosen: dict[str, str | None]) -> bool:
    rollout = build_model(problem, symmetry=True)
    for (org_id, window_id), var in rollout.variables.go_live.items():
        if org_id in chosen:
            rollout.model.add(var == int(chosen[org_id] == window_id))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(rollout.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_rows_order_the_members_and_canonical_plan_reorders_a_plan():
    problem = known_instance()
    backwards = {"g1": "w3", "g10": "w2", "g2": "w1", "g6": None, "g7": None}
    assert not _feasible_with(problem, backwards)
    place = {w.id: k for k, w in enumerate(problem.future_windows)}
    fixed = canonical_plan(interchangeable_groups(problem), backwards, place)
    assert fixed == {"g1": "w1", "g10": "w2", "g2": "w3", "g6": None, "g7": None}
    assert _feasible_with(problem, fixed)
    # optional members: 'not scheduled' is the latest choice
    assert not _feasible_with(problem, {"g6": None, "g7": "w1"})
    assert _feasible_with(problem, {"g6": "w1", "g7": None})


@pytest.fixture
def with_symmetry_rows(monkeypatch):
    """`hpplan.solve` building its model with the symmetry rows (CP-SAT alone, so that no other
    engine's plan is handed to the model)."""
    from hpplan.model import builder

    original = builder.build_model

    def patched(problem, **kw):
        return original(problem, **{**kw, "symmetry": not kw.get("switchable") and kw.get("with_objective", True)})

    monkeypatch.setattr(sys.modules["hpplan.solve"], "build_model", patched)


def _solve_both(problem, request):
    options = {"workers": 2}
    from hpplan.solve import SolveOptions

    if hasattr(SolveOptions(), "engine"):
        options["engine"] = "cp-sat"
    without = solved(problem, **options)
    request.getfixturevalue("with_symmetry_rows")
    with_rows = solved(problem, **options)
    return without, with_rows


def capacity_bound_instance():
    """Six alike GP offices (two optional) whose pool takes two go-lives a month: they spread over the
    windows, and one optional office stays out."""
    organisations = [org("m1", population=100)] + [gp(f"g{i}") for i in range(1, 5)] + [
        gp(f"o{i}", status="optional", population=40) for i in (1, 2, 3)]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 4, "source": {"fte": "estimate: test"}}]
    profiles = GP_PROFILE + [{"id": "municipality", "before": [], "hypercare": [], "source": SOURCE}]
    limits = [{"max_actors": 3, "kinds": ["gp_office"], "source": SOURCE}]
    return build(organisations, rules=[{"type": "with_or_before", "each": "gp_office"}], pools=pools,
                 profiles=profiles, limits=limits)


@pytest.mark.parametrize("make", [known_instance, capacity_bound_instance])
def test_same_objective_and_plan_with_the_rows(make, request):
    problem = make()
    assert interchangeable_groups(problem)
    without, with_rows = _solve_both(problem, request)
    assert without.status is Status.optimal and with_rows.status is Status.optimal
    assert with_rows.objective == without.objective
    assert windows_of(with_rows) == windows_of(without)
    assert with_rows.stats.tie_break == without.stats.tie_break == "complete"


def test_capacity_bound_instance_spreads_the_offices_in_id_order(request):
    _, plan = _solve_both(capacity_bound_instance(), request)
    windows = windows_of(plan)
    place = {None: 99, "w1": 1, "w2": 2, "w3": 3, "w4": 4}
    assert [windows[f"g{i}"] for i in range(1, 5)] == sorted((windows[f"g{i}"] for i in range(1, 5)), key=place.get)
    optional = [windows[f"o{i}"] for i in (1, 2, 3)]
    assert optional == sorted(optional, key=place.get)


def test_shipped_data_same_plan_with_the_rows(request):
    problem = load_problem(DATA)
    assert interchangeable_groups(problem) == [["trondheim-fastlegekontor-1", "trondheim-fastlegekontor-2"]]
    without, with_rows = _solve_both(problem, request)
    assert without.status is Status.optimal and with_rows.status is Status.optimal
    assert with_rows.objective == without.objective
    assert windows_of(with_rows) == windows_of(without)


# ---- interchangeable GP offices as one integer unit in the MIP (engines.highs, aggregate=True) ------


def _mip_rows_hold(mip, values) -> bool:
    rows = mip.rows
    for r in range(len(rows.lower)):
        end = rows.starts[r + 1] if r + 1 < len(rows.starts) else len(rows.index)
        activity = sum(values[rows.index[i]] * rows.value[i] for i in range(rows.starts[r], end))
        if not rows.lower[r] - 1e-9 <= activity <= rows.upper[r] + 1e-9:
            return False
    return True


def test_which_groups_the_mip_aggregates():
    from hpplan.engines.common import flatten
    from hpplan.engines.highs import MipModel

    mip = MipModel(flatten(known_instance()), aggregate=True)
    # with_or_before actors (GP offices of m1, x1/x2 to m3) and offices with no rule; not the
    # after_live successors q1/q2 or the not_same_window pair n1/n2 (their rules need each member)
    assert mip.aggregated == {"g1": ["g1", "g10", "g2"], "g6": ["g6", "g7"], "x1": ["x1", "x2"]}
    assert ["q1", "q2"] in mip.symmetry and ["n1", "n2"] in mip.symmetry
    assert not any(group[0] in mip.aggregated for group in mip.symmetry)
    assert MipModel(flatten(known_instance())).aggregated == {}  # only when asked
    makespan = build([org("m1"), gp("g1"), gp("g2")], rules=[{"type": "with_or_before", "each": "gp_office"}],
                     profiles=GP_PROFILE, objective={"kind": "makespan"})
    assert MipModel(flatten(makespan), aggregate=True).aggregated == {}  # z >= completion * x needs each


@pytest.mark.parametrize("make", [known_instance, capacity_bound_instance])
def test_aggregated_mip_same_optimum_lp_bound_and_a_plan_in_id_order(make, request):
    from hpplan.engines.common import flatten, objective_terms, to_solution
    from hpplan.engines.highs import HighsOptions, MipModel, load_highs, solve_highs, start_values
    from hpplan.solution import SolveStats
    from hpplan.verify import verify

    problem = make()
    core = solved(problem, engine="cp-sat")
    plain = solve_highs(problem, HighsOptions(time_limit=20, symmetry=False))
    aggregated = solve_highs(problem, HighsOptions(time_limit=20, aggregate=True))
    assert plain.status is aggregated.status is Status.optimal
    assert aggregated.objective["total"] == plain.objective["total"] == core.objective["total"]
    assert verify(problem, aggregated) == []

    flat = flatten(problem)
    lp = {}
    for flag in (False, True):
        mip = MipModel(flat, symmetry=False, aggregate=flag)
        h = load_highs(mip, HighsOptions(), integer=False)
        h.run()
        lp[flag] = h.getInfo().objective_function_value
    assert lp[True] == pytest.approx(lp[False], rel=1e-9)  # the same LP bound

    # a plan as counts and back: every row holds, the objective is the plan's, members in id order
    mip = MipModel(flat, aggregate=True)
    index = {s.id: k for k, s in enumerate(flat.slots)}
    chosen = {a.id: index.get(a.window) for a in core.plan if not a.pinned}
    values = start_values(mip, chosen)
    assert _mip_rows_hold(mip, values)
    assert sum(c * v for c, v in zip(mip.cost, values)) + mip.offset == core.objective["total"]
    back = mip.plan(values)
    assert objective_terms(flat, back) == objective_terms(flat, chosen)
    assert verify(problem, to_solution(flat, back, Status.feasible, SolveStats())) == []
    for members in mip.aggregated.values():
        slots = [back[o] for o in members]
        assert slots == sorted(slots, key=lambda k: len(flat.slots) if k is None else k)
    shares = mip.fractions(values)
    for leader, members in mip.aggregated.items():
        for k in flat.domain[leader]:
            count = sum(1 for o in members if chosen[o] == k)
            assert all(shares.get((o, k), 0.0) == pytest.approx(count / len(members)) for o in members)


# ---- integer counts per load profile in the MIP (engines.highs, counts=True) -------------------------


def municipalities_one_a_window(objective=None):
    """Three municipalities with one load profile and one with another; the pool takes one go-live a
    window: the largest populations first (or, for a makespan, all as soon as the pool allows)."""
    profiles = [{"id": "municipality", "before": [3], "hypercare": [3], "source": SOURCE},
                {"id": "big", "before": [4], "hypercare": [2], "source": SOURCE}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}}]
    return build([org("m1", population=5), org("m2", population=30), org("m3", population=10),
                  org("m4", population=20, load_profile="big")], profiles=profiles, pools=pools,
                 **({"objective": objective} if objective else {}))


def municipalities_makespan():
    return municipalities_one_a_window({"kind": "makespan"})


@pytest.mark.parametrize("make", [municipalities_one_a_window, municipalities_makespan, capacity_bound_instance])
def test_profile_counts_same_optimum_lp_bound_and_rows_in_counts(make):
    from hpplan.engines.common import flatten, objective_terms
    from hpplan.engines.highs import HighsOptions, MipModel, load_highs, solve_highs, start_values
    from hpplan.verify import verify

    problem = make()
    core = solved(problem, engine="cp-sat")
    counted = solve_highs(problem, HighsOptions(time_limit=20, aggregate=True, counts=True))
    assert counted.status is Status.optimal and counted.objective["total"] == core.objective["total"]
    assert verify(problem, counted) == []

    flat = flatten(problem)
    lp = {}
    for flag in (False, True):
        mip = MipModel(flat, symmetry=False, aggregate=True, counts=flag)
        h = load_highs(mip, HighsOptions(), integer=False)
        h.run()
        lp[flag] = h.getInfo().objective_function_value
    assert lp[True] == pytest.approx(lp[False], rel=1e-9)  # n is a sum of x: the same LP bound

    mip = MipModel(flat, aggregate=True, counts=True)
    assert mip.counted and MipModel(flat, aggregate=True).counted == {}  # only when asked
    assert MipModel(flatten(known_instance()), aggregate=True, counts=True).counted == {}  # no capacity binds
    rows = mip.rows
    in_rows: dict[int, int] = {}
    for col in rows.index:
        in_rows[col] = in_rows.get(col, 0) + 1
    for n, cols in mip.counted.items():
        assert len(cols) >= 2 and n in mip.integer
        assert in_rows[n] >= 2  # its link row and the capacity rows it is written in
        # the units it counts share their load profiles
        orgs = [org_id for (org_id, k), col in mip.x.items() if col in cols]
        assert len({tuple((load.pool, load.profile.before, load.profile.after) for load in flat.loads[o])
                    for o in orgs}) == 1
    # a plan's values hold every row, counts included, at the plan's objective
    index = {s.id: k for k, s in enumerate(flat.slots)}
    chosen = {a.id: index.get(a.window) for a in core.plan if not a.pinned}
    values = start_values(mip, chosen)
    assert _mip_rows_hold(mip, values)
    assert sum(c * v for c, v in zip(mip.cost, values)) + mip.offset == objective_terms(flat, chosen)["total"]
