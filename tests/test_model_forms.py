"""The compact (integer) and cumulative (window) forms of the pairwise rules, and the redundant
scheduling view, give the same answers: the rule tests run under each form."""

from __future__ import annotations

import inspect

import pytest

import test_rules
from hpplan.model import builder, constraints


@pytest.fixture(params=["compact", "scheduling-view"])
def form(request, monkeypatch):
    if request.param == "compact":
        monkeypatch.setattr(constraints, "COMPACT_ABOVE", 0)
    else:
        original = builder.build_model
        monkeypatch.setattr(builder, "build_model",
                            lambda problem, **kw: original(problem, **{**kw, "scheduling_view": not kw.get("switchable")}))
        import sys
        monkeypatch.setattr(sys.modules["hpplan.solve"], "build_model", builder.build_model)
    return request.param


RULE_TESTS = [name for name in dir(test_rules)
              if name.startswith("test_") and not inspect.signature(getattr(test_rules, name)).parameters]


@pytest.mark.parametrize("name", RULE_TESTS)
def test_rule_under_each_form(form, name):
    getattr(test_rules, name)()
