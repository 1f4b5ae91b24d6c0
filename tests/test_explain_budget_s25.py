"""The work budget of `hpplan explain` (docs/check.md, "Large conflicts"): a pool's extra capacity that was
already found and verified by a plan is suggested even when the budget runs out before its refinements
(fewest months, each month's own least) and their re-solve end."""
from __future__ import annotations

from pathlib import Path

from hpplan import explain
from hpplan.explain import explain_infeasible
from hpplan.loader import load_problem

DATA = Path(__file__).parent / "data"


def _spending_the_budget(monkeypatch) -> None:
    """Each month's own least is cut short by the budget: the work charged reaches it, undecided."""

    def least_each(self, months, most):
        self.board.work = self.board.budget
        return None

    monkeypatch.setattr(explain.Relaxer, "_least_each", least_each)


def test_capacity_found_before_the_budget_ran_out_is_suggested(monkeypatch):
    _spending_the_budget(monkeypatch)
    found = explain_infeasible(load_problem(DATA / "infeasible_capacity"))
    conflict = found.conflicts[0]
    capacity = [r for r in conflict.relaxations if r.kind == "capacity"]
    # the least extra in the month that needs it (+1 FTE, tests/test_explain.py), witnessed by the plan
    # that found it, not "not computed"; only whether less would do in a month is open
    assert [r.message for r in capacity] == [
        "+1 FTE in pool primary in 2024-02 (enough; whether less would do was not decided within the work limit)"]
    assert capacity[0].months == {"2024-02": 1.0}
    assert not [k for k in conflict.not_computed if k.startswith("capacity:")]
    # the changes after it (rules, organisations) were not computed: the budget is spent
    assert found.budget_spent and conflict.not_computed


def test_capacity_suggestion_unchanged_with_budget_enough():
    conflict = explain_infeasible(load_problem(DATA / "infeasible_capacity")).conflicts[0]
    assert [r.message for r in conflict.relaxations if r.kind == "capacity"] == ["+1 FTE in pool primary in 2024-02"]
    assert not conflict.not_computed
