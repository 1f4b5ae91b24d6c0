"""The tie-break's hard steps settled by HiGHS in lexicographic blocks (`engines.lexicographic`,
docs/model.md "Solving", phase 2): the same plan as CP-SAT's step by step, on every instance."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import solved, windows_of
from ortools.sat.python import cp_model
from test_symmetry import capacity_bound_instance, known_instance

from hpplan import load_problem
from hpplan.engines.common import flatten
from hpplan.engines.lexicographic import MAX_BLOCK_OBJECTIVE, MipAtOptimum, block_of
from hpplan.generate import Size, dump, generate
from hpplan.solution import Status

DATA = Path(__file__).resolve().parent.parent / "data"
SOLVE = sys.modules["hpplan.solve"]


def generated(tmp_path: Path, municipalities: int, actors: int, years: int, seed: int):
    """A small synthetic instance (two trusts) with the generator's structure."""
    orgs, waves = generate(Size("tiny", regions=1, trusts=2, municipalities=municipalities, actors=actors,
                                years=years), seed)
    folder = tmp_path / f"tiny-{municipalities}-{seed}"
    folder.mkdir()
    (folder / "organisations.yaml").write_text(dump(orgs, ""), encoding="utf-8")
    (folder / "waves.yaml").write_text(dump(waves, ""), encoding="utf-8")
    return load_problem(folder)


def cp_sat_settles(steps: int | None):
    """`run_solver` with CP-SAT's tie-break steps not settled (as if out of time), the first `steps`
    of them (None: all); the other phases run as they are."""
    original = SOLVE.run_solver
    left = [steps]

    def run(solver, model, options, phase, *args, **kwargs):
        if phase == "tie-break" and (left[0] is None or left[0] > 0):
            if left[0] is not None:
                left[0] -= 1
            return cp_model.UNKNOWN
        return original(solver, model, options, phase, *args, **kwargs)

    return run


INSTANCES = {
    "known": lambda tmp_path: known_instance(),
    "capacity-bound": lambda tmp_path: capacity_bound_instance(),
    "shipped": lambda tmp_path: load_problem(DATA),
    # seed 2: HiGHS returns a start that its presolve changed (the second try, without presolve, is right)
    "generated-6-2": lambda tmp_path: generated(tmp_path, 6, 20, 2, 2),
    "generated-12-1": lambda tmp_path: generated(tmp_path, 12, 40, 3, 1),
}


@pytest.mark.parametrize("name", INSTANCES)
def test_highs_blocks_give_cp_sats_plan(name, tmp_path, monkeypatch):
    problem = INSTANCES[name](tmp_path)
    reference = solved(problem, engine="cp-sat")  # the tie-break in CP-SAT alone, step by step
    assert reference.status is Status.optimal and reference.stats.tie_break == "complete"
    monkeypatch.setattr(SOLVE, "run_solver", cp_sat_settles(None))
    blocks = solved(problem)
    assert blocks.status is Status.optimal and blocks.stats.tie_break == "complete"
    assert any("settled by HiGHS" in phase for phase in blocks.stats.phases)
    assert windows_of(blocks) == windows_of(reference)
    assert blocks.objective == reference.objective


def test_a_block_is_its_lexicographic_minimum_even_from_a_start_presolve_changes(tmp_path):
    problem = generated(tmp_path, 6, 20, 2, 2)
    flat = flatten(problem)
    reference = solved(problem, engine="cp-sat")
    slot_of = {slot.id: k for k, slot in enumerate(flat.slots)}
    plan = {org_id: None for org_id in flat.plannable}
    plan.update({a.id: slot_of[a.window] for a in reference.plan if a.id in plan and a.window in slot_of})
    order = sorted(flat.plannable)
    # an optional GP office with no cost that the reference plan schedules: leaving it out keeps the
    # plan optimal, and the lexicographic minimum puts it back in its window
    office = next(o for o in order if o not in flat.mandatory and plan[o] is not None
                  and problem.org[o].population == 0 and not problem.org[o].preferred_window)
    mip = MipAtOptimum(flat, round(reference.objective["total"]))
    for org_id in order[:order.index(office)]:
        mip.fix(org_id, plan[org_id])
    block = block_of(flat, order[order.index(office):])
    chosen, proven = mip.earliest(block, {**plan, office: None}, 20)
    assert proven
    assert {o: chosen[o] for o in block} == {o: plan[o] for o in block}


def test_a_block_is_as_long_as_its_weights_stay_exact():
    # places: windows, and one more for an optional organisation (not scheduled)
    flat = SimpleNamespace(domain={"a": list(range(16)), "b": list(range(9)), "c": [3], "d": []},
                           mandatory={"a", "c"})
    assert block_of(flat, ["a"] * 7 + ["b"]) == ["a"] * 7  # 16^7 = 2.7e8; 16^7 · 10 > 1e9
    assert block_of(flat, ["c"] * 100 + ["a"]) == ["c"] * 100 + ["a"]  # one place: weight 1
    assert block_of(flat, ["b"] * 9) == ["b"] * 9  # 10^9
    assert block_of(flat, ["b"] * 10) == ["b"] * 9
    assert block_of(flat, ["d"]) == ["d"]
    assert 16 ** 7 <= MAX_BLOCK_OBJECTIVE < 16 ** 7 * 10


def test_highs_giving_no_plan_leaves_the_steps_to_cp_sat(monkeypatch):
    problem = known_instance()
    reference = solved(problem, engine="cp-sat")
    monkeypatch.setattr(SOLVE, "run_solver", cp_sat_settles(1))
    monkeypatch.setattr(MipAtOptimum, "earliest", lambda self, block, start, time_limit: (None, False))
    plan = solved(problem)
    assert plan.stats.tie_break == "complete"
    assert "tie-break: HiGHS gave no plan: CP-SAT alone from then on" in plan.stats.phases
    assert windows_of(plan) == windows_of(reference)


@pytest.mark.parametrize("options", [{"engine": "cp-sat"}, {"work_limit": 5.0}])
def test_no_highs_in_the_tie_break_for_cp_sat_alone_or_a_work_limit(options, monkeypatch):
    # CP-SAT's steps not settled and no HiGHS to go to: the tie-break ends incomplete (the plan optimal)
    monkeypatch.setattr(SOLVE, "run_solver", cp_sat_settles(None))
    plan = solved(known_instance(), **options)
    assert plan.status is Status.optimal and plan.stats.tie_break == "incomplete"
    assert not any("HiGHS" in phase for phase in plan.stats.phases)


def test_highs_reporting_a_plan_other_than_its_optimum_is_not_taken_as_proven(monkeypatch):
    from hpplan.engines import highs

    flat = flatten(known_instance())
    assert highs._solve_flat(flat, highs.HighsOptions(), time.perf_counter()).status == "optimal"
    # as HiGHS 1.16 can do with a start its presolve changed: the objective of one plan, another plan
    monkeypatch.setattr(highs.MipModel, "plan", lambda self, values: {o: None for o in self.flat.plannable})
    assert highs._solve_flat(flat, highs.HighsOptions(), time.perf_counter()).status == "feasible"
