"""`compare` against a YAML baseline that leaves out an organisation its data has: the organisation is
"not in the baseline plan", not "added by the scenario" (there may be no scenario at all)."""

from __future__ import annotations

import json

import yaml
from helpers import org
from test_compare_s22 import TINY, run, yaml_plan


def test_an_organisation_left_out_of_a_yaml_baseline_is_not_in_the_baseline_not_added(tmp_path):
    plan = yaml_plan(tmp_path)
    entries = yaml.safe_load(plan.read_text(encoding="utf-8"))["plan"]
    left_out = entries.pop()["id"]
    plan.write_text(yaml.safe_dump({"plan": entries}, sort_keys=False), encoding="utf-8")

    result = run("compare", "--baseline", str(plan), "--data", str(TINY), "-f", "json")
    assert result.exit_code == 0, result.output
    move = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == left_out)
    assert move["change"] == "not_in_baseline" and move["cause"]["kind"] == "baseline", move
    assert "scenario" not in move["cause"]["text"]

    text = run("compare", "--baseline", str(plan), "--data", str(TINY)).stdout
    assert "Added by the scenario" not in text and "Not in the baseline plan (1)" in text, text
    assert f"{left_out}  not in the baseline -> " in text, text


def test_an_organisation_a_scenario_adds_is_still_added(tmp_path):
    scenario = tmp_path / "add.yaml"
    scenario.write_text(yaml.safe_dump({"base": str(TINY), "description": "a new municipality", "changes": [
        {"op": "add", "organisation": org("new-kommune")}]}, sort_keys=False), encoding="utf-8")
    result = run("compare", "--baseline", str(TINY), "-s", str(scenario), "-f", "json")
    assert result.exit_code == 0, result.output
    move = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == "new-kommune")
    assert move["change"] == "added" and move["cause"]["kind"] == "added", move
