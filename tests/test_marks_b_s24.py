"""Figures that rest on estimates are marked `*` in check's findings and explain's reasons (s24, domain
report finding 2): estimated users, limits (max_users, max_actors) and earliest/latest dates, as the
capacities already were; a figure whose note is a fact, and a count of organisations, are not."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from hpplan import cli
from hpplan.explain import explain_infeasible, why_not_earlier
from hpplan.formats import ESTIMATE_NOTE
from hpplan.solution import Assignment, Solution, Status
from hpplan.verify import verify
from helpers import build, org, solved

DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args):
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def _ki3_in_april(tmp_path: Path) -> tuple[Path, Path]:
    """The shipped data with the adopted plan's KI3 moved to 2024-04-27 (the report's repro)."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    plan = data / "adopted-plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "go_live: 2025-04-26" in text
    plan.write_text(text.replace("go_live: 2025-04-26", "go_live: 2024-04-27"), encoding="utf-8")
    return data, plan


def test_check_marks_estimated_users_limits_and_earliest_dates_in_every_format(tmp_path: Path):
    data, plan = _ki3_in_april(tmp_path)
    text = run("check", "--data", data, "--plan", plan)
    assert text.exit_code == 1, text.output
    out = text.stdout
    # Ulstein's earliest is `estimate: planning date + 12 months`; the users are 5.5 % estimates, and the
    # limits' notes are estimates: all marked; the number of organisations is a count, not marked
    assert "Ulstein (ulstein) goes live 2024-04-27, before its earliest date 2025-01-15* " in out
    assert "has 13323* users going live, more than max_users 10000*: " in out
    assert "has 22 organisations going live, more than max_actors 14*: " in out
    assert out.count(ESTIMATE_NOTE) == 1
    report = json.loads(run("check", "--data", data, "--plan", plan, "-f", "json").stdout)
    assert report["estimate_note"] == ESTIMATE_NOTE
    by_rule = {(f["rule"], f["owner"]): f for f in report["findings"]}
    assert by_rule[("earliest", "organisation ulstein")]["estimate"] is True
    # Aure's return date, inferred, is marked where the finding says why Aure must go live (fixer-final)
    aure = by_rule[("mandatory", "organisation aure")]
    assert aure["estimate"] is True and "(opted out, returns 2024-12-19*)" in aure["message"], aure
    assert all(f["estimate"] for f in report["findings"] if f["rule"].startswith("limit."))
    # a report saved as a known file is read as it is (its `estimate` and `estimate_note` are for the reader)
    known = tmp_path / "known.json"
    known.write_text(json.dumps(report), encoding="utf-8")
    assert run("check", "--data", data, "--plan", plan, "--known", known).exit_code == 0
    junit = ET.fromstring(run("check", "--data", data, "--plan", plan, "-f", "junit").stdout)
    failure = next(c for c in junit.iter("testcase") if c.get("name") == "organisation ulstein").find("failure")
    assert failure.text.endswith(f"\n{ESTIMATE_NOTE}")
    github = run("check", "--data", data, "--plan", plan, "-f", "github").stdout
    assert ESTIMATE_NOTE in github and "before its earliest date 2025-01-15*" in github


def test_a_date_or_limit_noted_as_a_fact_is_not_marked():
    fact = {"all": "estimate: test", "earliest": "fact: test", "latest": "fact: test"}
    orgs = [org("a", users=10, earliest="2024-04-27", source=fact), org("b", users=10, latest="2024-02-10")]
    limits = [{"max_users": 15, "max_actors": 1, "source": {"all": "fact: test"}}]
    p = build(orgs, limits=limits)
    plan = Solution(status=Status.feasible, plan=[  # both in w1: a before its earliest date
        Assignment(o["id"], o["name"], o["kind"], "primary", dt.date(2024, 2, 10), "w1", False) for o in orgs])
    found = {v.rule: v for v in verify(p, plan, check_objective=False)}
    assert found["earliest"].message.endswith("before its earliest date 2024-04-27") and not found["earliest"].estimate
    assert "more than max_actors 1:" in found["limit.max_actors"].message and not found["limit.max_actors"].estimate
    # the users (`estimate: test`) are marked; the limit, a fact, is not
    assert "has 20* users going live, more than max_users 15:" in found["limit.max_users"].message
    assert found["limit.max_users"].estimate


def test_explain_marks_an_estimated_earliest_date_and_not_a_fact():
    for note, mark in (("estimate: planning date + 12 months", "*"), ("fact: test", "")):
        p = build([org("a", earliest="2024-04-27", source={"all": "estimate: test", "earliest": note})])
        answer = why_not_earlier(p, "a", solved(p), time_limit=5)
        [reason] = answer.conflict.reasons
        assert reason.message.startswith(f"A may go live no earlier than 2024-04-27{mark} (its earliest date)")
        assert reason.estimate is bool(mark) and reason.to_json()["estimate"] is bool(mark)
        assert (ESTIMATE_NOTE in answer.to_text()) is bool(mark)


def test_explain_marks_an_estimated_latest_date_and_limit_in_a_conflict():
    p = build([org("a", users=10, latest="2024-02-10"), org("b", users=10, latest="2024-02-10")],
              limits=[{"max_actors": 1, "source": {"max_actors": "estimate: test"}}])
    text = explain_infeasible(p, time_limit=5).to_text()
    assert "limit #1: at most 1* organisation may go live in window w1 (2024-02-10)" in text, text
    assert "must go live by 2024-02-10* (its latest date)" in text, text
    assert text.endswith(f"\n{ESTIMATE_NOTE}\n")


def test_a_capacity_finding_marks_a_load_built_from_estimated_profiles_and_not_from_facts():
    # the domain report's finding 1 in `check --plan`: the load, not only the capacity, rests on estimates
    plan = solved(build([org("m1", latest="2024-02-28")]))  # m1 in w1 (2024-02), loading nothing here
    for note, mark in (("estimate: test", "*"), ("fact: test", "")):
        profile = [{"id": "municipality", "before": [], "hypercare": [8], "source": {"all": note}}]
        p = build([org("m1", latest="2024-02-28")], profiles=profile,
                  pools=[{"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "fact: test"}}])
        [capacity] = [v for v in verify(p, plan, check_objective=False) if v.rule == "capacity"]
        assert f"load 8.0{mark} FTE exceeds capacity 5.0 FTE" in capacity.message, capacity.message
        assert capacity.estimate is bool(mark)
