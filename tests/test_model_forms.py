"""The compact (integer) and cumulative (window) forms of the pairwise rules, the redundant
scheduling view and the symmetry rows (docs/model.md "Symmetry breaking") give the same answers: the
rule tests run under each form."""

from __future__ import annotations

import inspect

import pytest

import test_rules
from hpplan.model import builder, constraints


@pytest.fixture(params=["compact", "scheduling-view", "symmetry"])
def form(request, monkeypatch):
    if request.param == "compact":
        monkeypatch.setattr(constraints, "COMPACT_ABOVE", 0)
    else:
        original = builder.build_model
        if request.param == "scheduling-view":
            def patched(problem, **kw):
                return original(problem, **{**kw, "scheduling_view": not kw.get("switchable")})
        else:  # the symmetry rows wherever the model's own objective is solved
            def patched(problem, **kw):
                return original(problem, **{**kw, "symmetry": kw.get("with_objective", True)})
        monkeypatch.setattr(builder, "build_model", patched)
        import sys
        monkeypatch.setattr(sys.modules["hpplan.solve"], "build_model", builder.build_model)
        if request.param == "symmetry":
            # CP-SAT alone: a plan another engine wins the race with is handed to the model as it is,
            # and the rows reject it when its interchangeable members are the other way round (until
            # solve reorders it with model.symmetry.canonical_plan, docs/model.md "Symmetry breaking")
            monkeypatch.setattr(sys.modules["hpplan.solve"], "engines_for", lambda *args, **kw: ["cp-sat"],
                                raising=False)
    return request.param


RULE_TESTS = [name for name in dir(test_rules)
              if name.startswith("test_") and not inspect.signature(getattr(test_rules, name)).parameters]


@pytest.mark.parametrize("name", RULE_TESTS)
def test_rule_under_each_form(form, name):
    getattr(test_rules, name)()


@pytest.mark.parametrize("name", ["infeasible_gp_office", "tiny"])
def test_explanations_under_the_compact_form(monkeypatch, name):
    # the switchable model (check, explain) writes with_or_before in the compact form too once the
    # domains are long (both over 16 windows: regional instances of five years); it once failed there
    from pathlib import Path

    from hpplan.explain import explain_infeasible
    from hpplan.loader import load_problem

    problem = load_problem(Path(__file__).parent / "data" / name)
    cumulative = explain_infeasible(problem)
    monkeypatch.setattr(constraints, "COMPACT_ABOVE", 0)
    compact = explain_infeasible(problem)
    assert compact.feasible == cumulative.feasible == (name == "tiny")
    assert [c.keys for c in compact.conflicts] == [c.keys for c in cumulative.conflicts]
