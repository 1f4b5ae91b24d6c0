"""The shipped data's source notes say what the seeds say (fact-check of session 29: W1-W4, M1-M3, S1-S5, X1, X3, D1-D2).

Only notes, comments and descriptions were corrected; the values the solver uses are pinned here too, so that
a note fix cannot pass for a value change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hpplan import load_problem
from hpplan.schema import Status

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DOCS = ROOT / "docs" / "data-sources.md"
SHIPPED = sorted([DATA / "organisations.yaml", DATA / "waves.yaml", DATA / "adopted-plan.yaml",
                  *(DATA / "scenarios").glob("*.yaml"), *(DATA / "sweeps").glob("*.yaml")])
FOUR = ("gjemnes", "averoy", "froya", "aure")


@pytest.fixture(scope="module")
def problem():
    return load_problem(DATA)


def _kind(note: str) -> str:
    return note.split(":", 1)[0].strip().lower()


def _flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").replace("#", " ").split())


def test_the_gp_rule_is_our_reading_of_a_priority(problem):
    # seed 002: "Styret i Helseplattformen slutter seg til denne prioriteringen": a priority, not a binding rule
    rule = next(r for r in problem.waves.rules if r.id == "gp-offices-with-or-before-municipality")
    assert _kind(rule.source["all"]) == "inferred" and rule.is_estimate("all")
    assert "seed 002" in rule.source["all"] and "priority" in rule.source["all"]
    assert rule.type == "with_or_before" or getattr(rule.type, "value", None) == "with_or_before"


def test_opted_out_is_our_reading_of_leaving_the_track(problem):
    # seed 004: "trer ut av innføringsløp KI2"; `opted_out` with a return date is the model's reading
    for org_id in FOUR:
        org = problem.org[org_id]
        assert org.status is Status.opted_out and org.returns.isoformat() == "2024-12-19", org_id  # values unchanged
        assert _kind(org.source["status"]) == "inferred", (org_id, org.source["status"])
        assert "trer ut av innføringsløp KI2" in org.source["status"], org_id


def test_no_shipped_note_says_all_four_delayed_signing():
    # seed 004 states the one-year signing delay for Gjemnes only; the four "only" left track KI2
    wrong = [
        r"four of the ten KI2 municipalities delayed signing",
        r"(Gjemnes, )?Averøy, Frøya and Aure (have )?(already )?delayed signing",
        r"left (track )?KI2 in December 2023 for a year",
        r"restores the plan as it stood before December 2023",
    ]
    for path in SHIPPED:
        text = _flat(path)
        for pattern in wrong:
            assert not re.search(pattern, text), (path.name, pattern)
    risk = _flat(DATA / "sweeps" / "readiness-risk.yaml")
    assert "Gjemnes delayed signing by a year" in risk and "one in ten" in risk


def test_hnt_is_not_said_to_have_been_postponed_only_once():
    risk = _flat(DATA / "sweeps" / "readiness-risk.yaml")
    assert "once already" not in risk and "Vedtok ny utsettelse" in risk


def test_the_capacity_pressure_is_our_assumption_not_seed_004s():
    sweep = _flat(DATA / "sweeps" / "hmr-postponement-x-primary-capacity.yaml")
    assert "is under budget pressure" not in sweep and "opp til 240 FTE" in sweep and "our assumption" in sweep


def test_the_two_published_plan_dates_follow_one_rule(problem):
    # fact when a named source publishes the day as the plan; inferred when only the month is (2024-04-27)
    april, november = problem.window["2024-04"], problem.window["2024-11"]
    assert (april.date.isoformat(), november.date.isoformat()) == ("2024-04-27", "2024-11-09")  # values unchanged
    assert april.is_estimate("date") and _kind(april.source["date"]) == "inferred"
    assert not november.is_estimate("date") and "planned day" in november.source["date"]
    hnt = problem.org["helse-nord-trondelag"]
    assert _kind(hnt.source["preferred_window"]) == _kind(november.source["date"]) == "fact"


def test_live_since_of_november_2022_rests_on_the_go_live_not_the_plan(problem):
    # seed 001 gives the plan; the go-live is in seed 000 (and for St. Olavs seed 004)
    assert "seed 004" in problem.org["st-olavs"].source["live_since"]
    for org_id in ("st-olavs", "orland", "afjord", "indre-fosen", "os", "roros", "holtalen"):
        note = problem.org[org_id].source["live_since"]
        assert _kind(note) == "fact" and "seed 000" in note and "seed 000, seed 001" not in note, org_id
    window = problem.window["2022-11"].source["date"]
    assert "seed 000, seed 001" not in window and "seed 004" in window


def test_hmr_and_the_trusts_status_say_what_seed_004_adds(problem):
    organisations = _flat(DATA / "organisations.yaml")
    assert "Styret i Helse Midt-Norge skal onsdag i neste uke" in organisations
    assert "Risikoarbeidet er intensivert i januar" in organisations
    for org_id in ("helse-more-og-romsdal", "helse-nord-trondelag"):
        assert "siden mai 2022" in problem.org[org_id].source["status"], org_id


def test_hindsight_is_said_in_the_notes_and_the_docs(problem):
    # S1: KI1's members come from the go-live of 2024-04-27
    for org in problem.organisations:
        if org.track == "KI1":
            assert "hindsight" in org.source["track"] and "hindsight" in org.source["earliest"], org.id
    waves = yaml.safe_load((DATA / "waves.yaml").read_text(encoding="utf-8"))
    limits = waves["limits"][0]["source"]
    assert "hindsight" in limits["max_actors"] and "hindsight" in limits["max_users"]  # S3
    assert "twice a year" in _flat(DATA / "waves.yaml")  # S4
    risk = yaml.safe_load((DATA / "sweeps" / "readiness-risk.yaml").read_text(encoding="utf-8"))
    hmr = next(r for r in risk["risks"] if r.get("actor") == "helse-more-og-romsdal")
    assert "HINDSIGHT" in hmr["source"]  # S5
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "## Hindsight in the base data" in docs and "Four a year is stale as a rule" in docs
    assert "put together in February 2024 at the earliest" in docs  # D1
