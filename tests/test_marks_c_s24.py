"""Estimate marks, session 24 (c): compare marks a load summed from estimated load profiles, as solve's
peak load table does; a date a scenario moves is the scenario's estimate, not the base data's fact."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from hpplan.cli_compare import comparison_markdown, comparison_text, totals_lines
from hpplan.compare import compare
from hpplan.formats import ESTIMATE_NOTE, LOAD_NOTE
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solution import Assignment, Solution, Status
from hpplan.verify import verify
from helpers import build, org, solved

FACT = {"all": "fact: test"}
FACT_POOLS = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "fact: test"}},
              {"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "fact: test"}}]


def postponed(profile_note: str):
    """Two municipalities, every figure a fact but the load profile's (`profile_note`): m1 postponed into
    m2's window, where the primary pool (5 FTE, a fact) is too small for both, so m2 moves for capacity."""
    profiles = [{"id": "municipality", "hypercare": [3, 4], "source": {"all": profile_note}}]
    base = build([org("m1", population=100, source=FACT), org("m2", earliest="2024-04-01", source=FACT)],
                 profiles=profiles, pools=FACT_POOLS)
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    return compare(solved(base), base, solved(other), other)


@pytest.fixture(scope="module")
def estimated_loads():
    return postponed("estimate: test")


def test_compare_marks_a_load_from_estimated_profiles_and_says_what_the_mark_means(estimated_loads):
    comparison = estimated_loads
    m2 = next(m for m in comparison.moves if m.id == "m2")
    assert m2.cause.rule == "capacity" and m2.cause.estimate and m2.cause.load_estimate
    # the load marked, the limit (a fact) not; each mover's extra load marked too
    assert m2.cause.text.startswith("pool primary over its 5 FTE in 2024-04 to 2024-05 with it back there, "
                                    "up to 8* FTE in 2024-05;"), m2.cause.text
    assert re.search(r"m1 \(\+\d+\* FTE\)", m2.cause.text), m2.cause.text
    # each month's cause behind it: "6* of 5 FTE"
    months = [c.text.split(";")[0] for c in m2.causes[1:] if c.rule == "capacity"]
    assert months and all(re.search(r": \d+\* of 5 FTE with it back there$", t) for t in months), months
    peaks = [line for line in totals_lines(comparison) if line.startswith("Peak load primary")]
    assert peaks and re.fullmatch(r"Peak load primary: \d+\* of 5 FTE in \S+ -> \d+\* of 5 FTE in \S+", peaks[0]), peaks
    # the only marks are loads: the note is shown, and says what a marked load is
    text = " ".join(comparison_text(comparison, 100, "c").split())
    assert ESTIMATE_NOTE in text and LOAD_NOTE in text
    assert LOAD_NOTE in comparison_markdown(comparison)
    # the JSON says which load is an estimate, beside the limit's flag
    report = next(p for p in comparison.to_json_dict()["peak_load"] if p["pool"] == "primary")
    assert report["before"]["used_is_estimate"] is True and report["before"]["limit_is_estimate"] is False


def test_compare_leaves_a_load_from_fact_profiles_unmarked():
    comparison = postponed("fact: test")
    m2 = next(m for m in comparison.moves if m.id == "m2")
    assert m2.cause.rule == "capacity" and not m2.cause.estimate and "*" not in m2.cause.text
    assert not any("*" in line for line in totals_lines(comparison))
    # the one mark is m1's postponed date, the scenario's what-if (noted `estimate: scenario ...`), not a load;
    # the scenario line marks it as the cause does (session 27)
    marks = [line for line in comparison_text(comparison, 100, "c").splitlines() if "*" in line]
    assert marks == ["  scenario: command line: postpone m1: earliest none -> 2024-04-01*",
                     "    why: earliest none -> 2024-04-01* (scenario)", ESTIMATE_NOTE]
    report = next(p for p in comparison.to_json_dict()["peak_load"] if p["pool"] == "primary")
    assert report["before"]["used_is_estimate"] is False


# ---- a date a scenario moves -------------------------------------------------------------------------------


def scenario(tmp_path: Path, change: str) -> Path:
    path = tmp_path / "what-if.yaml"
    path.write_text(f"base: data\ndescription: test\nchanges:\n  - {change}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("change, field, day", [
    ("{op: postpone, actor: m1, earliest: 2024-09-01}", "earliest", "2024-09-01"),
    ("{op: set, actor: m1, fields: {earliest: 2024-09-01}}", "earliest", "2024-09-01"),
    ("{op: set, actor: m1, fields: {latest: 2024-03-01}}", "latest", "2024-03-01"),
    ("{op: exclude, actor: m1, returns: 2024-09-01}", "returns", "2024-09-01"),
])
def test_a_date_a_scenario_moves_is_its_estimate_not_the_base_fact(tmp_path, change, field, day):
    base = build([org("m1", earliest="2024-02-01", latest="2026-01-01", source=FACT)])
    assert not base.org["m1"].is_estimate(field)
    changed = apply_scenarios(base, scenario(tmp_path, change))
    m1 = changed.org["m1"]
    assert str(getattr(m1, field)) == day
    assert m1.note_for(field) == "estimate: scenario what-if.yaml"
    assert not m1.is_estimate("population")  # the figures it did not touch keep their notes
    # check's findings and explain's reasons state the moved date marked `*`
    go_live = dt.date(2024, 4, 27) if field != "latest" else dt.date(2024, 6, 1)
    plan = Solution(status=Status.feasible, plan=[Assignment("m1", "m1", "municipality", "primary", go_live, None, False)])
    found = [v for v in verify(changed, plan, check_objective=False) if v.rule == field]
    assert found and found[0].estimate and f"{day}*" in found[0].message, [v.message for v in found]


def test_a_date_a_scenario_sets_to_the_same_value_or_clears_keeps_no_wrong_note(tmp_path):
    base = build([org("m1", earliest="2024-02-01", source={"all": "fact: test", "earliest": "fact: board"})])
    same = apply_scenarios(base, scenario(tmp_path, "{op: set, actor: m1, fields: {earliest: 2024-02-01}}"))
    assert same.org["m1"].note_for("earliest") == "fact: board"
    cleared = apply_scenarios(base, scenario(tmp_path, "{op: set, actor: m1, fields: {earliest: null}}"))
    assert cleared.org["m1"].earliest is None and "earliest" not in cleared.org["m1"].source
