"""s25 re-check of `compare`'s "where it lands" (docs/scenarios.md): a move later says what keeps it out of every
window between its baseline date and its new window, whatever its main cause (a moved window, a capacity cut), frozen
windows too, and the first one after its new date is the one named so; a window open to it says the delay is the
(re-)plan's choice; a track that bars windows says so; a blackout the whole together group is in is said once; the
"keeps the baseline" line does not say "kept" of one the re-plan moved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from helpers import MORE_WINDOWS, build, joined, org, solved

from hpplan.cli_compare import comparison_text, entries, kept_line
from hpplan.compare import compare
from hpplan.scenario import apply_quick, apply_scenarios
from hpplan.solve import Baseline, SolveOptions, solve
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def _move(comparison, ident: str):
    return next(m for m in comparison.moves if m.id == ident)


def _skipped(move) -> list[tuple[str, str]]:
    return [(c.skipped, c.text) for c in move.causes if c.skipped is not None]


def _scenario(tmp_path: Path, name: str, description: str, changes: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"base": str(DATA), "description": description, "changes": changes}),
                    encoding="utf-8")
    return path


@pytest.fixture
def shipped(shipped_optimum):
    return shipped_optimum


def _replanned(shipped, other_problem, freeze_until: dt.date | None = None):
    problem, plan = shipped
    other = solve(other_problem, SolveOptions(time_limit=30), Baseline(plan, freeze_until=freeze_until))
    assert other.found and verify(other_problem, other) == []
    return compare(plan, problem, other, other_problem)


# ---- 1. a frozen window between: accounted for, and "the first window after that" is the first after the date ----


def test_a_frozen_window_that_would_not_take_it_gets_its_cause_and_the_first_window_is_the_first(shipped):
    # HMR postponed to 2024-12-01, frozen until 2025-03-01: "the first window after that, 2025-04, is full" where the
    # first after 2024-12-01 is 2025-02 (frozen, and full for max_users anyway), which got no cause at all
    other = apply_quick(shipped[0], postpone=["helse-more-og-romsdal=2024-12-01"])
    comparison = _replanned(shipped, other, dt.date(2025, 3, 1))
    for ident in ("helse-more-og-romsdal", "alesund-sjukehus"):
        hmr = _move(comparison, ident)
        assert hmr.window_after == "2025-09", hmr
        skipped = _skipped(hmr)
        assert [w for w, _ in skipped] == ["2025-02", "2025-04"], hmr.causes
        assert skipped[0][1].startswith("the first window after that, 2025-02, is full (max_users) with namsos"), skipped
        assert skipped[1][1].startswith("window 2025-04 is full (max_actors) with ulstein"), skipped
    text = joined(comparison_text(comparison, 100, "c"))
    assert "(scenario); and the first window after that, 2025-02, is full (max_users)" in text, text


def _frozen_between():
    # a goes live in w1; postponed to March it could take w2 (frozen), not w3 (frozen, m1 fills it) nor w4 (m2 fills
    # it): it lands in w5
    orgs = [org("a", population=1000), org("m1", earliest="2024-09-01", latest="2024-09-30"),
            org("m2", earliest="2024-11-01", latest="2024-11-30")]
    base = build(orgs, windows=MORE_WINDOWS, limits=[{"max_actors": 1}])
    return base, apply_quick(base, postpone=["a=2024-03-01"])


def test_each_frozen_window_between_is_said_in_the_order_of_the_windows():
    base, other = _frozen_between()
    planned = solved(base)
    freeze = dt.date(2024, 10, 1)
    replanned = solve(other, SolveOptions(time_limit=20), Baseline(planned, freeze_until=freeze))
    assert verify(other, replanned) == []
    a = _move(compare(planned, base, replanned, other, freeze), "a")
    assert (a.window_before, a.window_after) == ("w1", "w5")
    # w2 the freeze's (it would take it), w3 frozen and full anyway, w4 full: each said, in the windows' order; the
    # first after the new date is w2, so w3 and w4 are said by their ids
    assert [(c.kind, c.skipped) for c in a.causes] == [("scenario", None), ("freeze", "w2"), ("limit", "w3"),
                                                        ("limit", "w4")], a.causes
    assert a.causes[1].text.startswith("window w2 would take it, but the horizon before 2024-10-01 is frozen")
    assert [c.text for c in a.causes[2:]] == ["window w3 is full (max_actors) with m1",
                                              "window w4 is full (max_actors) with m2"]
    from hpplan.cli_compare import cause_text

    assert cause_text(a) == ("earliest none -> 2024-03-01* (scenario); and window w2 would take it, but the horizon "
                             "before 2024-10-01 is frozen (--freeze-until): the baseline's go-lives stay there and no "
                             "new ones go live; and window w3 is full (max_actors) with m1; and window w4 is full "
                             "(max_actors) with m2")


# ---- 2./3. whatever the main cause: a moved window, a capacity cut --------------------------------------------------


def test_a_window_moved_into_a_blackout_moves_its_organisations_the_fewest_days(shipped, tmp_path):
    # window 2024-11 moved into the summer blackout: the least-change re-plan counted windows in the changed
    # calendar, where 2024-11 now comes after 2025-04, and moved HNT to 2025-09 (+301 days, 435* MNOK) past the
    # open 2025-02; it counts days from the baseline's go-live now: 2025-02 (+91 days), as --fresh plans it
    scenario = _scenario(tmp_path, "mw2.yaml", "November window slips into the summer",
                         [{"op": "move_window", "window": "2024-11", "date": "2025-07-05"}])
    comparison = _replanned(shipped, apply_scenarios(shipped[0], [scenario]))
    hnt = _move(comparison, "helse-nord-trondelag")
    assert (hnt.window_after, hnt.days, hnt.cause.kind) == ("2025-02", 91, "window")
    assert _skipped(hnt) == []
    # the municipalities of that window go earlier, to 2024-09 (56 days), not past the full 2025-02 and 2025-04
    assert {m.id: m.window_after for m in comparison.moves if m.kind == "municipality"} == dict.fromkeys(
        ["heim", "hitra", "smola", "sunndal", "surnadal", "tingvoll"], "2024-09")
    text = joined(comparison_text(comparison, 100, "c"))
    assert "2024-11-09 -> 2025-02-08* +91* days" in text, text  # (2025-02-08 is an estimated window's date)


def test_a_move_for_a_capacity_cut_says_what_keeps_it_out_of_the_windows_it_skips(shipped):
    # primary-capacity-cut: Steinkjer 2025-02 -> 2025-09 for the cut pool, and 2025-04 was left unexplained
    comparison = _replanned(shipped, apply_scenarios(shipped[0], [DATA / "scenarios" / "primary-capacity-cut.yaml"]))
    steinkjer = _move(comparison, "steinkjer")
    assert (steinkjer.window_before, steinkjer.window_after, steinkjer.cause.kind) == ("2025-02", "2025-09", "scenario")
    skipped = [c for c in steinkjer.causes if c.skipped is not None]
    assert [(c.skipped, c.rule, c.kind) for c in skipped] == [("2025-04", "capacity", "scenario")], steinkjer.causes
    assert skipped[0].text.startswith("the next window, 2025-04, would not take it: pool primary full in 2025-")
    assert skipped[0].text.endswith("capacity 72* -> 57.6* FTE (scenario)"), skipped[0].text
    assert skipped[0].where and skipped[0].estimate


# ---- 4. "kept in" only for one the re-plan kept ----------------------------------------------------------------------


def test_the_allowed_earlier_line_says_moved_for_one_the_re_plan_moved(shipped, tmp_path):
    # Averøy signs (earliest 2025-06-01) and 2026-02 goes: it moves to 2026-04, and the line said "kept in 2026-04"
    scenario = _scenario(tmp_path, "averoy2.yaml", "Averoy signs after all, and February 2026 is dropped", [
        {"op": "set", "actor": "averoy", "fields": {"status": "signed", "returns": None, "earliest": "2025-06-01"}},
        {"op": "remove_window", "window": "2026-02"}])
    comparison = _replanned(shipped, apply_scenarios(shipped[0], [scenario]))
    assert _move(comparison, "averoy").change == "later"
    [allowed] = comparison.allowed_earlier
    assert (allowed.id, allowed.window, allowed.allowed, allowed.moved) == ("averoy", "2026-04", "2025-09", True)
    line = kept_line(comparison)
    assert line.endswith("by its own data, averoy may now go live from 2025-09 (moved to 2026-04)."), line
    assert "kept in" not in joined(comparison_text(comparison, 100, "c"))
    assert [(a["id"], a["moved"]) for a in comparison.to_json_dict()["allowed_earlier"]] == [("averoy", True)]


# ---- 5. a blackout the whole group is in: said once, not as a partner's ------------------------------------------------


def test_a_blackout_the_whole_group_is_in_is_its_own_not_a_partners():
    # t (with its hospital s) follows t0 by a window; t0 postponed to w3 bars t from w3 by the rule, w4 is in a
    # blackout for everyone: the cause was "together rule ...: goes live with s, which goes live ... inside the
    # blackout" (s, first in the data, was checked first), and s got a line of its own
    orgs = [org("s", kind="hospital", population=1), org("t0", kind="health_trust", population=1000),
            org("t", kind="health_trust", population=100)]
    rules = [{"type": "order", "id": "trusts", "actors": ["t0", "t"], "min_gap_windows": 1},
             {"type": "together", "id": "t-together", "actors": ["t", "s"]}]
    base = build(orgs, windows=MORE_WINDOWS, rules=rules,
                 blackouts=[{"from": "2024-11-01", "to": "2024-11-15", "reason": "budget close"}])
    other = apply_quick(base, postpone=["t0=2024-09-01"])
    comparison = compare(solved(base), base, solved(other), other)
    said = "the first window the order rule allows, w4, would not take it: goes live 2024-11-09, inside the " \
           "blackout 2024-11-01 to 2024-11-15: budget close"
    for ident in ("t", "s"):
        m = _move(comparison, ident)
        assert (m.window_after, m.cause.rule) == ("w5", "order"), m
        assert _skipped(m) == [("w4", said)], m.causes
    assert [e.ids for e in entries(comparison.of("later"))] == ["t0", "t, s"]


# ---- 6. a track that bars the windows between ------------------------------------------------------------------------


def test_windows_its_track_bars_are_said_with_the_track():
    # u on track T (windows w2, w6), earliest moved to May: +364 days, and only the new earliest date was said
    base = build([org("u", track="T")], windows=MORE_WINDOWS, tracks=[{"id": "T", "windows": ["w2", "w6"]}])
    other = apply_quick(base, postpone=["u=2024-05-01"])
    u = _move(compare(solved(base), base, solved(other), other), "u")
    assert (u.window_before, u.window_after) == ("w2", "w6")
    [track] = [c for c in u.causes if c.skipped is not None]
    assert (track.skipped, track.rule, track.text) == (
        "w3", "track", "windows w3, w4, w5 are not on its track T, which goes live only in windows w2, w6")
    from hpplan.cli_compare import cause_text

    assert cause_text(u) == f"{u.cause.text}; and {track.text}"


# ---- 7. what a date's `*` covers ------------------------------------------------------------------------------------


def test_the_docs_say_which_dates_are_marked_as_the_tool_marks_them(shipped, tmp_path):
    # docs/scenarios.md said a scenario's own dates "always" carry `*`; a moved window's new date and an added
    # blackout's dates never do (in compare, check and explain alike)
    scenario = _scenario(tmp_path, "mw.yaml", "November window slips into Christmas",
                         [{"op": "move_window", "window": "2024-11", "date": "2024-12-21"}])
    hnt = _move(_replanned(shipped, apply_scenarios(shipped[0], [scenario])), "helse-nord-trondelag")
    assert hnt.cause.text.startswith("its window 2024-11 moved from 2024-11-09 to 2024-12-21 (scenario)"), hnt.cause
    page = " ".join((REPO / "docs" / "scenarios.md").read_text(encoding="utf-8").split())
    assert "a scenario's own dates always do" not in page
    assert "A window's date and a blackout's dates are never marked" in page, page


def test_a_rule_that_is_the_main_cause_bars_its_windows_and_the_next_one_is_said():
    # the st-olavs back-test: an order rule the scenario wrote, with one that did not move, keeps HMR from its window;
    # the windows that rule bars were each said as "would not take it: order rule ... keeps it from window ..."
    orgs = [org("a", population=1000), org("b", earliest="2024-09-01", latest="2024-09-30"),
            org("m", earliest="2024-11-01", latest="2024-11-30")]
    base = build(orgs, windows=MORE_WINDOWS, limits=[{"max_actors": 1}])
    other = build(orgs, windows=MORE_WINDOWS, limits=[{"max_actors": 1}],
                  rules=[{"type": "order", "id": "b-first", "actors": ["b", "a"], "min_gap_windows": 1}])
    a = _move(compare(solved(base), base, solved(other), other), "a")
    assert (a.window_before, a.window_after, a.cause.kind, a.cause.rule) == ("w1", "w5", "rule", "order"), a
    assert _skipped(a) == [("w4", "the first window the order rule allows, w4, is full (max_actors) with m")]
