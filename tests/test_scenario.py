"""Scenario files and quick forms (docs/scenarios.md): each operation on a tiny instance with a known
effect, composition, and errors with file:line and "did you mean". Every plan is verified
(helpers.solved)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from helpers import build, org, solved, windows_of

from hpplan.errors import InputError
from hpplan.loader import load_problem
from hpplan.scenario import CHANGES, apply_quick, apply_scenarios, load_scenario
from hpplan.solution import Status

REPO = Path(__file__).resolve().parent.parent
MUNI_HYPERCARE_4 = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
PRIMARY_10 = [
    {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
    {"id": "primary", "sector": "primary", "fte": 10, "source": {"fte": "estimate: test"}},
]


def write(tmp_path: Path, changes, name: str = "s.yaml", **top) -> Path:
    path = tmp_path / name
    data = {"base": "data", "description": "test", "changes": changes, **top}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def applied(problem, tmp_path, changes):
    return apply_scenarios(problem, [write(tmp_path, changes)])


# ---- organisations --------------------------------------------------------------------------------


def test_postpone_moves_the_actor_and_leaves_the_base_alone(tmp_path):
    base = build([org("m1"), org("m2")])
    changed = applied(base, tmp_path, [{"op": "postpone", "actor": "m1", "earliest": "2024-09-01"}])
    assert windows_of(solved(changed)) == {"m1": "w3", "m2": "w1"}
    assert base.org["m1"].earliest is None and base.applied == []
    assert changed.org["m1"].earliest.isoformat() == "2024-09-01"
    assert len(changed.applied) == 1 and "postpone m1" in changed.applied[0]
    # the field the change wrote points at its line; the organisation and its other fields stay put
    lines = (tmp_path / "s.yaml").read_text().splitlines()
    line = lines.index("  earliest: '2024-09-01'") + 1
    assert str(changed.org["m1"].field_at("earliest")) == f"{tmp_path / 's.yaml'}:{line}"
    assert changed.org["m1"].at == base.org["m1"].at and changed.org["m1"].field_at("status") == base.org["m1"].at


def test_exclude_opts_out_or_until_a_date(tmp_path):
    base = build([org("m1"), org("m2")])
    out = applied(base, tmp_path, [{"op": "exclude", "actor": "m2"}])
    assert windows_of(solved(out)) == {"m1": "w1", "m2": None}
    until = applied(base, tmp_path, [{"op": "exclude", "actor": "m2", "returns": "2024-10-01"}])
    assert windows_of(solved(until)) == {"m1": "w1", "m2": "w4"}


def test_exclude_warns_when_a_rule_needs_the_actor(tmp_path):
    base = build([org("a"), org("b")], rules=[{"type": "order", "actors": ["a", "b"]}])
    out = applied(base, tmp_path, [{"op": "exclude", "actor": "a"}])
    assert ("under order rule #1, b cannot go live without it: exclude it too, or drop the rule "
            "(op: remove_rule, index: 1)") in out.applied[0]
    assert solved(out).status is Status.infeasible  # b must go live and needs a before it
    # what the note says works: b excluded too, or the rule dropped
    for fix in ({"op": "exclude", "actor": "b"}, {"op": "remove_rule", "index": 1}):
        mended = applied(base, tmp_path, [{"op": "exclude", "actor": "a"}, fix])
        assert solved(mended).found and "note" not in mended.applied[0]


def test_excluding_a_whole_together_group_notes_nothing(tmp_path):
    # each exclude of the five of a together rule said "others cannot go live without it; use remove":
    # five times, for a plan that is feasible and strands nobody
    group = ["t", "h1", "h2"]
    base = build([org("t", kind="health_trust"), org("h1", kind="hospital", part_of="t"),
                  org("h2", kind="hospital", part_of="t"), org("m1")],
                 rules=[{"type": "together", "actors": group, "id": "group"}])
    out = applied(base, tmp_path, [{"op": "exclude", "actor": a} for a in group])
    assert "note" not in out.applied[0]
    assert windows_of(solved(out)) == {"t": None, "h1": None, "h2": None, "m1": "w1"}
    # the same from the command line (one draft: noted once all are in)
    assert "note" not in " ".join(apply_quick(base, exclude=group).applied)
    # one left to plan: named, with what works (not "use remove", which is refused for a trust with hospitals)
    one_left = applied(base, tmp_path, [{"op": "exclude", "actor": a} for a in group[:2]])
    assert one_left.applied[0].count("note") == 2
    assert ("exclude t (opts out) (note: under together rule group, h2 cannot go live without it: exclude it too, "
            "or drop the rule (op: remove_rule, id: group))") in one_left.applied[0]
    assert "use remove" not in one_left.applied[0]


def test_remove_refused_says_what_excluding_instead_leaves_in_the_rules(tmp_path):
    # "cannot remove t: ... (or exclude it instead)", while excluding t alone left its hospitals unable to
    # go live and the exclude's note said "use remove": the two messages sent the user round in a circle
    base = build([org("t", kind="health_trust"), org("h1", kind="hospital", part_of="t")],
                 rules=[{"type": "together", "actors": ["t", "h1"], "id": "group"}])
    with pytest.raises(InputError) as error:
        applied(base, tmp_path, [{"op": "remove", "actor": "t"}])
    assert str(error.value).endswith(
        "cannot remove t: h1 name(s) it as municipality or part_of; remove or change them first, or exclude it "
        "instead (excluded, it stays in its rules: under together rule group, h1 cannot go live without it: "
        "exclude it too, or drop the rule (op: remove_rule, id: group))")


def test_remove_drops_the_actor_from_rules(tmp_path):
    base = build([org("a"), org("b"), org("c", earliest="2024-09-01")],
                 rules=[{"type": "order", "actors": ["a", "b", "c"]},
                        {"type": "together", "actors": ["b", "c"], "id": "bc"}])
    changed = applied(base, tmp_path, [{"op": "remove", "actor": "b"}])
    assert [o.id for o in changed.organisations] == ["a", "c"]
    assert [r.type for r in changed.waves.rules] == ["order"]  # together [c] alone is dropped
    assert changed.waves.rules[0].actors == ["a", "c"]
    assert windows_of(solved(changed)) == {"a": "w1", "c": "w3"}
    assert "together bc" in changed.applied[0]


def test_remove_refuses_a_municipality_with_gp_offices(tmp_path):
    base = build([org("m1"), org("g1", kind="gp_office", municipality="m1", status="optional")])
    with pytest.raises(InputError, match="g1 name"):
        applied(base, tmp_path, [{"op": "remove", "actor": "m1"}])


def test_add_an_organisation(tmp_path):
    base = build([org("m1")])
    changed = applied(base, tmp_path, [{"op": "add", "organisation": org("m9", earliest="2024-04-01")}])
    assert windows_of(solved(changed)) == {"m1": "w1", "m9": "w2"}
    with pytest.raises(InputError, match="already an organisation"):
        applied(base, tmp_path, [{"op": "add", "organisation": org("m1")}])


def test_set_fields_and_their_source_notes(tmp_path):
    base = build([org("m1", users=10)])
    changed = applied(base, tmp_path, [{"op": "set", "actor": "m1", "fields": {"users": 500, "latest": "2024-03-01"}}])
    m1 = changed.org["m1"]
    assert m1.users == 500 and m1.source["users"] == "estimate: scenario s.yaml"
    assert windows_of(solved(changed)) == {"m1": "w1"}
    with pytest.raises(InputError, match=r"unknown field 'usrs' \(did you mean 'users'\?\)"):
        applied(base, tmp_path, [{"op": "set", "actor": "m1", "fields": {"usrs": 500}}])
    with pytest.raises(InputError, match="earliest 2024-09-01 is after latest 2024-03-01"):
        applied(changed, tmp_path, [{"op": "postpone", "actor": "m1", "earliest": "2024-09-01"}])


def test_a_set_with_source_replaces_every_note_and_says_so(tmp_path):
    # marking one figure a fact failed with "users is given without a source note": the set's `source`
    # had replaced the note users had, which the message did not say
    base = build([org("m1", users=10, population=200, source={"users": "estimate: 5 %", "population": "fact: SSB"})])
    path = write(tmp_path, [{"op": "set", "actor": "m1", "fields": {
        "postponement_cost_per_month": 2.0, "source": {"postponement_cost_per_month": "fact: minutes"}}}])
    with pytest.raises(InputError) as error:
        apply_scenarios(base, [path])
    line = path.read_text().splitlines().index("    source:") + 1
    assert str(error.value) == (
        f"{path}:{line}: m1: `source` in a set replaces all of the organisation's source notes, and it has none "
        "for users, population; copy their notes into this `source` too (before: users: 'estimate: 5 %'; "
        "population: 'fact: SSB')")
    # as it says: with the notes copied in, the one figure is a fact and the others keep theirs
    changed = applied(base, tmp_path, [{"op": "set", "actor": "m1", "fields": {
        "postponement_cost_per_month": 2.0, "source": {"postponement_cost_per_month": "fact: minutes",
                                                       "users": "estimate: 5 %", "population": "fact: SSB"}}}])
    m1 = changed.org["m1"]
    assert not m1.is_estimate("postponement_cost_per_month") and m1.is_estimate("users")


def test_unpin_plans_a_live_organisation_again(tmp_path):
    base = build([org("old", status="live", live_since="2023-11-04"), org("m1")])
    changed = applied(base, tmp_path, [{"op": "unpin", "actor": "old", "earliest": "2024-04-01"}])
    assert windows_of(solved(changed)) == {"old": "w2", "m1": "w1"}


def test_set_planning_date_replays_history(tmp_path):
    base = build([org("old", status="live", live_since="2023-11-04"), org("m1", earliest="2024-04-01")])
    assert windows_of(solved(base)) == {"old": "h1", "m1": "w2"}
    replay = applied(base, tmp_path, [{"op": "set_planning_date", "date": "2023-10-01"}])
    assert replay.planning_date.isoformat() == "2023-10-01" and [w.id for w in replay.future_windows][0] == "h1"
    assert windows_of(solved(replay)) == {"old": "h1", "m1": "w2"}  # first window again
    ready = applied(base, tmp_path, [{"op": "set_planning_date", "date": "2023-10-01", "earliest_as_history": True},
                                     {"op": "postpone", "actor": "old", "earliest": "2024-02-01"}])
    assert windows_of(solved(ready)) == {"old": "w1", "m1": "w2"}
    with pytest.raises(InputError, match="not before the planning date"):
        applied(base, tmp_path, [{"op": "set_planning_date", "date": "2023-10-01", "unpin": False}])


# ---- capacity -------------------------------------------------------------------------------------


def test_capacity_cut_by_factor_spreads_the_go_lives(tmp_path):
    base = build([org("m1", population=20), org("m2")], profiles=MUNI_HYPERCARE_4, pools=PRIMARY_10)
    assert windows_of(solved(base)) == {"m1": "w1", "m2": "w1"}  # 8 of 10 FTE
    cut = applied(base, tmp_path, [{"op": "capacity", "pool": "primary", "factor": 0.5}])  # 5 FTE from the start
    assert windows_of(solved(cut)) == {"m1": "w1", "m2": "w2"}
    later = applied(base, tmp_path, [{"op": "capacity", "pool": "primary", "fte": 5, "from": "2024-03"}])
    assert windows_of(solved(later)) == {"m1": "w1", "m2": "w1"}  # February still has 10


def test_capacity_from_and_to_keeps_later_base_changes(tmp_path):
    pools = [PRIMARY_10[0], {**PRIMARY_10[1], "changes": [{"from": "2025-01", "fte": 20}]}]
    base = build([org("m1")], pools=pools)
    changed = applied(base, tmp_path, [{"op": "capacity", "pool": "primary", "fte": 5, "from": "2024-06", "to": "2024-08"}])
    pool = changed.waves.pools[1]
    assert [pool.fte_in(m) for m in ("2024-05", "2024-06", "2024-08", "2024-09", "2025-01")] == [10, 5, 5, 10, 20]
    assert base.waves.pools[1].fte_in("2024-06") == 10


# ---- windows --------------------------------------------------------------------------------------


def test_add_window(tmp_path):
    base = build([org("m1", earliest="2024-03-01")])
    assert windows_of(solved(base)) == {"m1": "w2"}
    changed = applied(base, tmp_path, [{"op": "add_window", "window": {"id": "w1b", "date": "2024-03-09"}}])
    assert windows_of(solved(changed)) == {"m1": "w1b"}


def test_remove_window_cleans_tracks_limits_and_preferences(tmp_path):
    base = build([org("m1", preferred_window="w1", track="T")], tracks=[{"id": "T", "windows": ["w1", "w3"]}],
                 limits=[{"windows": ["w1"], "max_actors": 5}, {"windows": ["w1", "w2"], "max_actors": 5}])
    changed = applied(base, tmp_path, [{"op": "remove_window", "window": "w1"}])
    assert "w1" not in changed.window and changed.org["m1"].preferred_window is None
    assert changed.waves.tracks[0].windows == ["w3"]
    assert [lim.windows for lim in changed.waves.limits] == [["w2"]]  # an emptied limit is dropped, not "every window"
    assert windows_of(solved(changed)) == {"m1": "w3"}
    with pytest.raises(InputError, match="history"):
        applied(base, tmp_path, [{"op": "remove_window", "window": "h1"}])


def test_move_window(tmp_path):
    base = build([org("m1")])
    changed = applied(base, tmp_path, [{"op": "move_window", "window": "w1", "date": "2024-03-02"}])
    solution = solved(changed)
    assert solution.assignment("m1").go_live.isoformat() == "2024-03-02"
    with pytest.raises(InputError, match="into history"):
        applied(base, tmp_path, [{"op": "move_window", "window": "w1", "date": "2024-01-01"}])


# ---- rules, limits, blackouts ---------------------------------------------------------------------


def test_add_and_remove_rules(tmp_path):
    base = build([org("a"), org("b")])
    ordered = applied(base, tmp_path, [{"op": "add_rule", "rule": {"type": "order", "actors": ["b", "a"], "id": "b-before-a"}}])
    assert windows_of(solved(ordered)) == {"a": "w2", "b": "w1"}
    assert windows_of(solved(applied(ordered, tmp_path, [{"op": "remove_rule", "id": "b-before-a"}]))) == {"a": "w1", "b": "w1"}
    assert windows_of(solved(applied(ordered, tmp_path, [{"op": "remove_rule", "index": 1}]))) == {"a": "w1", "b": "w1"}
    with pytest.raises(InputError, match=r"no rule has id 'b-befor-a' \(did you mean 'b-before-a'\?\)"):
        applied(ordered, tmp_path, [{"op": "remove_rule", "id": "b-befor-a"}])


def test_add_set_and_remove_limits(tmp_path):
    base = build([org("a", population=100), org("b")])
    one = applied(base, tmp_path, [{"op": "add_limit", "limit": {"max_actors": 1}}])
    assert windows_of(solved(one)) == {"a": "w1", "b": "w2"}
    two = applied(one, tmp_path, [{"op": "set_limit", "index": 1, "max_actors": 2}])
    assert windows_of(solved(two)) == {"a": "w1", "b": "w1"}
    gone = applied(one, tmp_path, [{"op": "remove_limit", "index": 1}])
    assert gone.waves.limits == []
    # the first scenario added limit #1 after waves.yaml's none
    with pytest.raises(InputError, match="there are 0 limits in waves.yaml and 1 added; index 2 is past the last"):
        applied(one, tmp_path, [{"op": "set_limit", "index": 2, "max_actors": 2}])


def test_add_blackout(tmp_path):
    base = build([org("m1")])
    changed = applied(base, tmp_path, [{"op": "add_blackout", "blackout": {"from": "2024-02-01", "to": "2024-02-29",
                                                                          "reason": "winter holiday"}}])
    assert windows_of(solved(changed)) == {"m1": "w2"}


# ---- composing, quick forms -----------------------------------------------------------------------


def test_scenarios_compose_in_order(tmp_path):
    base = build([org("m1")])
    first = write(tmp_path, [{"op": "add", "organisation": org("m9")},
                             {"op": "postpone", "actor": "m1", "earliest": "2024-09-01"}], "a.yaml")
    second = write(tmp_path, [{"op": "postpone", "actor": "m9", "earliest": "2024-04-01"},
                              {"op": "postpone", "actor": "m1", "earliest": "2024-10-01"}], "b.yaml")
    changed = apply_scenarios(base, [first, second])
    assert windows_of(solved(changed)) == {"m1": "w4", "m9": "w2"}
    assert [a.split(":")[0] for a in changed.applied] == ["a", "b"]


def test_quick_forms():
    base = build([org("m1"), org("m2")], profiles=MUNI_HYPERCARE_4, pools=PRIMARY_10)
    changed = apply_quick(base, postpone=["m1=2024-04-01"], exclude=["m2"], capacity=["primary=50%@2024-02"])
    assert windows_of(solved(changed)) == {"m1": "w2", "m2": None}
    assert changed.waves.pools[1].fte_in("2024-02") == 5 and changed.waves.pools[1].fte_in("2024-01") == 10
    assert apply_quick(base, capacity=["primary=7"]).waves.pools[1].fte == 7
    assert len(changed.applied) == 3 and changed.applied[0].startswith("command line: postpone m1")
    with pytest.raises(InputError) as error:
        apply_quick(base, postpone=["m1=2024"], exclude=["m3"], capacity=["primry=5"])
    text = str(error.value)
    assert "--postpone: 'm1=2024': expected ID=YYYY-MM-DD" in text
    assert "--exclude: 'm3' is not an organisation" in text
    assert "--capacity: 'primry' is not a pool (did you mean 'primary'?)" in text
    assert apply_quick(base) is base
    # a bad month and a bad pool at once: both said (the pool was looked at only once the month was
    # mended), the month as a scenario file names it (it said "from_")
    with pytest.raises(InputError) as error:
        apply_quick(base, capacity=["primry=80%@2024-13"])
    text = str(error.value)
    assert "from: expected a month as YYYY-MM" in text and "from_" not in text
    assert "'primry' is not a pool (did you mean 'primary'?)" in text


# ---- errors ---------------------------------------------------------------------------------------


def test_unknown_ids_point_at_the_line_with_a_suggestion(tmp_path):
    base = build([org("helse-more-og-romsdal", kind="health_trust")])
    path = tmp_path / "bad.yaml"
    path.write_text(
        "base: data\n"
        "description: typos\n"
        "changes:\n"
        "  - op: postpone\n"
        "    actor: helse-more-og-romsdl\n"
        "    earliest: 2024-09-01\n"
        "  - op: capacity\n"
        "    pool: primry\n"
        "    fte: 3\n"
        "  - op: remove_window\n"
        "    window: ww1\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        apply_scenarios(base, [path])
    lines = str(error.value).splitlines()
    assert lines == [
        f"{path}:5: 'helse-more-og-romsdl' is not an organisation (did you mean 'helse-more-og-romsdal'?)",
        f"{path}:8: 'primry' is not a pool (did you mean 'primary'?); pools: specialist, primary",
        f"{path}:11: 'ww1' is not a window (did you mean 'w1'?)",
    ]


def test_format_errors(tmp_path):
    base = build([org("m1")])
    cases = [
        ("base: data\ndescription: x\nchanges:\n  - op: postpne\n    actor: m1\n",
         ":4: unknown op 'postpne' (did you mean 'postpone'?)"),
        ("base: data\ndescription: x\nchanges:\n  - op: postpone\n    actor: m1\n    earliest: 2024-09-01\n    when: now\n",
         ":7: unknown field 'when'; allowed here: actor, earliest, note, op"),
        ("base: data\nchanges:\n  - {op: exclude, actor: m1}\n", ":1: missing field 'description'"),
        ("base: data\ndescription: x\nchanges:\n  - {op: capacity, pool: primary}\n",
         ":4: capacity needs exactly one of fte"),
        ("base: data\ndescription: x\nchanges:\n  - op: add_rule\n    rule: {type: ordr, actors: [m1, m2]}\n",
         ":5: unknown rule type 'ordr' (did you mean 'order'?)"),
        ("base: data\ndescription: x\nchanges:\n  - op: add_rule\n    rule: {type: order, actors: [m1, m9]}\n",
         ":5: order rule #1: actor 'm9' is not an organisation"),
        ("base: data\ndescription: x\nchanges:\n  - {op: postpone, actor: m1, earliest: NO}\n",
         ":4: unquoted 'NO' is a boolean"),
    ]
    for text, expected in cases:
        path = tmp_path / "bad.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as error:
            apply_scenarios(base, [path])
        assert expected in str(error.value), (expected, str(error.value))


def test_history_cannot_be_postponed_or_excluded(tmp_path):
    base = build([org("old", status="live", live_since="2023-11-04")])
    with pytest.raises(InputError, match="history"):
        applied(base, tmp_path, [{"op": "postpone", "actor": "old", "earliest": "2024-09-01"}])
    with pytest.raises(InputError, match="history"):
        applied(base, tmp_path, [{"op": "exclude", "actor": "old"}])


def test_every_op_is_documented():
    docs = (REPO / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for op in CHANGES:
        assert f"`{op}`" in docs, op


# ---- the shipped scenarios ------------------------------------------------------------------------

SHIPPED = sorted((REPO / "data" / "scenarios").glob("*.yaml"))


def test_shipped_scenarios_apply_to_the_shipped_data_without_touching_it():
    files = [REPO / "data" / "organisations.yaml", REPO / "data" / "waves.yaml"]
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    problem = load_problem(REPO / "data")
    assert len(SHIPPED) >= 4
    for path in SHIPPED:
        scenario = load_scenario(path)
        assert scenario.base == "data" and scenario.description
        changed = apply_scenarios(problem, [path])
        assert changed is not problem and changed.applied
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before
    assert problem.applied == []


def test_a_base_that_names_no_folder_is_bad_input_without_data(tmp_path: Path, monkeypatch):
    # before, `solve --scenario` quietly planned ./data when the scenario's base named no folder
    from typer.testing import CliRunner

    from hpplan import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()  # a ./data that is not the base
    scenario = tmp_path / "nobase.yaml"
    scenario.write_text("description: x\nbase: nowhere\nchanges:\n  - {op: exclude, actor: aure}\n")
    runner = CliRunner()
    for command in (["solve"], ["report", "-o", str(tmp_path / "r.html")]):
        result = runner.invoke(cli.app, [*command, "--scenario", str(scenario), "-q", "-t", "5"])
        assert result.exit_code == 2, result.output
        assert f"{scenario}:2: base: no data folder 'nowhere'" in result.stderr
    assert not (tmp_path / "r.html").exists()
    # with --data the scenario is applied there, and a note says its base is no folder
    result = runner.invoke(cli.app, ["solve", "--data", str(REPO / "data"), "--scenario", str(scenario), "-q",
                                     "-t", "5", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "written for base 'nowhere', which is no folder here" in result.stderr


def test_every_command_plans_the_scenario_s_base_and_tells_its_own_errors(tmp_path: Path, monkeypatch):
    # a scenario file with an error read as "data: no such data folder" without --data; check and
    # explain planned ./data, not the scenario's base
    import shutil

    from typer.testing import CliRunner

    from hpplan import cli

    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "data", tmp_path / "mydata")
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: mydata\ndescription: x\nchanges:\n  - {op: postpone, actor: helse-more-og-romsdal, "
                   "earliest: 2024-09-31}\n")
    good = tmp_path / "good.yaml"
    good.write_text("base: mydata\ndescription: x\nchanges:\n  - {op: exclude, actor: aure}\n")
    runner = CliRunner()
    for command in (["solve", "-t", "5"], ["check"], ["explain"], ["report", "-o", str(tmp_path / "r.html")]):
        result = runner.invoke(cli.app, [*command, "--scenario", str(bad)])
        assert result.exit_code == 2 and f"{bad}:4: cannot read value '2024-09-31'" in result.stderr, result.output
    checked = runner.invoke(cli.app, ["check", "--scenario", str(good)])
    assert checked.exit_code == 0 and f"mydata with scenario {good}" in checked.stdout, checked.output


def test_an_error_a_change_causes_in_the_base_data_points_at_the_change(tmp_path: Path):
    # a later planning date leaves the base's preferred windows behind it: the error is the scenario's,
    # told at its set_planning_date line with the base's line in the message (it pointed at organisations.yaml)
    problem = load_problem(REPO / "data")
    path = write(tmp_path, [{"op": "postpone", "actor": "aure", "earliest": "2025-01-01"},
                            {"op": "set_planning_date", "date": "2025-06-01"}])
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "set_planning_date" in text)
    with pytest.raises(InputError) as error:
        apply_scenarios(problem, [path])
    lines = str(error.value).splitlines()
    assert lines and all(re.match(rf"{re.escape(str(path))}:{line}: after this change \(set_planning_date\): "
                                  r"[a-z0-9-]+: preferred_window", text) for text in lines), lines
    assert "is before the planning date 2025-06-01" in lines[0] and "organisations.yaml:" in lines[0]


def test_an_index_names_the_rule_or_limit_of_waves_yaml_after_earlier_removals(tmp_path: Path):
    # before, an index counted the list as it stood after the scenario's earlier changes: removing rule
    # r-order and then index 3 removed the fourth rule of waves.yaml
    rules = [{"type": "order", "actors": ["a", "b"], "id": "r-order"},
             {"type": "together", "actors": ["b", "c"], "id": "r-tog"},
             {"type": "not_same_window", "actors": ["a", "c"], "id": "r-nsw"}]
    limits = [{"max_actors": 5}, {"max_actors": 6}, {"max_actors": 7}]
    problem = build([org("a"), org("b"), org("c")], rules=rules, limits=limits)
    changed = applied(problem, tmp_path, [{"op": "remove_rule", "id": "r-order"}, {"op": "remove_rule", "index": 2},
                                          {"op": "remove_limit", "index": 1},
                                          {"op": "set_limit", "index": 2, "max_actors": 9}])
    assert [r.id for r in changed.waves.rules] == ["r-nsw"]
    assert [limit.max_actors for limit in changed.waves.limits] == [9, 7]
    with pytest.raises(InputError, match="rule #1 is no longer there"):
        applied(problem, tmp_path, [{"op": "remove_rule", "id": "r-order"}, {"op": "remove_rule", "index": 1}])
    with pytest.raises(InputError, match="there are 3 limits in waves.yaml; index 4 is past the last"):
        applied(problem, tmp_path, [{"op": "remove_limit", "index": 4}])
    added = applied(problem, tmp_path, [{"op": "add_limit", "limit": {"max_actors": 1}},
                                        {"op": "remove_limit", "index": 4}])
    assert [limit.max_actors for limit in added.waves.limits] == [5, 6, 7]


def test_an_index_names_the_same_rule_or_limit_in_a_scenario_applied_after_another(tmp_path: Path):
    # `--scenario a.yaml --scenario b.yaml`: b's index 3 removed waves.yaml's 4th rule once a had removed the 1st
    from hpplan.check import check_data

    rules = [{"type": "order", "actors": ["a", "b"], "id": "r-order"},
             {"type": "together", "actors": ["b", "c"], "id": "r-tog"},
             {"type": "not_same_window", "actors": ["a", "c"], "id": "r-nsw"},
             {"type": "not_same_window", "actors": ["b", "d"], "id": "r-nsw2"}]
    limits = [{"max_actors": 5}, {"max_users": 6}]
    problem = build([org("a"), org("b"), org("c"), org("d", users=10, source={"all": "estimate: test"})],
                    rules=rules, limits=limits)
    first = write(tmp_path, [{"op": "remove_rule", "index": 1}, {"op": "remove_limit", "index": 1}], "a.yaml")
    second = write(tmp_path, [{"op": "remove_rule", "index": 3}, {"op": "set_limit", "index": 2, "max_users": 9}],
                   "b.yaml")
    changed = apply_scenarios(problem, [first, second])
    assert [r.id for r in changed.waves.rules] == ["r-tog", "r-nsw2"]
    assert [limit.max_users for limit in changed.waves.limits] == [9]
    with pytest.raises(InputError, match="limit #1 is no longer there: an earlier change"):
        apply_scenarios(problem, [first, write(tmp_path, [{"op": "set_limit", "index": 1, "max_actors": 2}], "c.yaml")])
    # messages number them as waves.yaml does: the one limit left is limit #2, the rules #2 and #4
    broken = apply_scenarios(changed, [write(tmp_path, [{"op": "set_limit", "index": 2, "max_users": 5},
                                                        {"op": "set", "actor": "d", "fields": {"latest": "2024-02-10"}}],
                                             "d.yaml")])
    report = check_data(broken, time_limit=10)
    owners = {f.owner for f in report.findings}
    assert "limit #2" in owners and "limit #1" not in owners, owners
    assert changed.rule_number(0) == 2 and changed.rule_number(1) == 4 and changed.limit_number(0) == 2


# ---- bad input found by fuzzing -------------------------------------------------------------------


def scenario_error(base, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        apply_scenarios(base, [path])
    return str(error.value)


def test_an_op_that_is_a_list_or_a_mapping_is_bad_input(tmp_path):
    # `op not in CHANGES` raised TypeError (unhashable): a traceback and exit 1 ("infeasible")
    base = build([org("m1")])
    path = tmp_path / "s.yaml"
    for op, found in (("[postpone]", "a list"), ("{a: 1}", "a mapping")):
        message = scenario_error(base, path, f"base: data\ndescription: x\nchanges:\n  - op: {op}\n    actor: m1\n")
        assert message.startswith(f"{path}:4: op: expected one of postpone, exclude, ") and f"found {found}" in message


def test_errors_after_a_change_point_at_the_field_that_is_wrong(tmp_path):
    # they pointed at the change's `- op:` line (or at `organisation:`), not at the value to correct
    base = build([org("m1"), org("old", status="live", live_since="2023-11-04")], limits=[{"max_actors": 3}])
    path = tmp_path / "s.yaml"
    message = scenario_error(base, path, "base: data\ndescription: x\nchanges:\n  - op: set\n    actor: m1\n"
                             "    fields:\n      users: 5\n      status: live\n      live_since: 2025-11-04\n")
    assert message.startswith(f"{path}:9: m1: live_since 2025-11-04 is not before the planning date"), message
    message = scenario_error(base, path, "base: data\ndescription: x\nchanges:\n  - op: add\n    organisation:\n"
                             "      id: g9\n      name: G9\n      kind: gp_office\n      municipality: nowhere\n"
                             "      status: optional\n")
    assert message.startswith(f"{path}:9: municipality 'nowhere' is not an organisation"), message
    message = scenario_error(base, path, "base: data\ndescription: x\nchanges:\n  - op: set_limit\n    index: 1\n"
                             "    windows: [nowhere]\n")
    assert message.startswith(f"{path}:6: limit window 'nowhere' is not a window"), message
    message = scenario_error(base, path, "base: data\ndescription: x\nchanges:\n  - op: set\n    actor: m1\n"
                             "    fields:\n      users: 5\n      population: many\n")
    assert message.startswith(f"{path}:8: m1: population: Input should be a valid integer"), message


def test_flags_numbers_and_dates_are_read_as_strictly_as_in_the_data(tmp_path):
    # `users: true` was 1, `unpin: 'yes'` true, `earliest: 0` 1970-01-01, and `.inf` a cost of delay
    # that compare could not print
    base = build([org("m1"), org("old", status="live", live_since="2023-11-04")])
    path = tmp_path / "s.yaml"
    head = "base: data\ndescription: x\nchanges:\n"
    message = scenario_error(base, path, head + "  - op: set\n    actor: m1\n    fields:\n      users: true\n")
    assert message == f"{path}:7: m1: users: expected a number, found true"
    # and text where a number belongs, as in organisations.yaml (`population: "2000"` was 2000)
    message = scenario_error(base, path, head + "  - op: set\n    actor: m1\n    fields:\n      population: '2000'\n")
    assert message == f"{path}:7: m1: population: expected a number, found the text '2000' in quotes; write 2000 (no quotes)"
    for flag, shown in (("'yes'", "'yes'"), ("1", "1")):
        message = scenario_error(base, path, head + f"  - {{op: set_planning_date, date: 2023-10-01, unpin: {flag}}}\n")
        assert message == f"{path}:4: unpin: expected true or false, got {shown}"
    message = scenario_error(base, path, head + "  - {op: postpone, actor: m1, earliest: 0}\n")
    assert message == f"{path}:4: earliest: expected a date as YYYY-MM-DD, found 0"
    message = scenario_error(base, path, head + "  - op: set\n    actor: m1\n    fields:\n"
                             "      postponement_cost_per_month: .inf\n")
    assert message == f"{path}:7: m1: postponement_cost_per_month: expected a finite number, found .inf"


def test_a_quick_form_with_a_name_for_an_id_suggests_the_id():
    base = build([org("orsta")])
    with pytest.raises(InputError) as error:
        apply_quick(base, exclude=["ørsta"])
    assert str(error.value) == ("--exclude: 'ørsta': actor: 'ørsta' is not an id: ids are ASCII letters, digits, "
                                "'-', '_' and '.', the first a letter or digit; did you mean 'orsta'?")


def test_the_base_of_a_scenario_file_that_cannot_be_read_is_its_error(tmp_path):
    # scenario_base returned None, and `solve --scenario s.yaml` then said "data: no such data folder"
    from hpplan.scenario import scenario_base

    path = tmp_path / "s.yaml"
    path.write_text("base: mydata\ndescription: later\nchanges:\n"
                    "  - {op: postpone, actor: helse-more-og-romsdal, earliest: 2024-09-31}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:4: cannot read value '2024-09-31'"):
        scenario_base(path)
    path.write_text("base: mydata\nchanges:\n  - {op: exclude, actor: aure}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:1: missing field 'description'"):
        scenario_base(path)
    (tmp_path / "mydata").mkdir()
    path.write_text("base: mydata\ndescription: x\nchanges:\n  - {op: exclude, actor: aure}\n", encoding="utf-8")
    assert (scenario_base(path).folder, scenario_base(path).bare) == (None, tmp_path / "mydata")  # no data in it
    for name in ("organisations.yaml", "waves.yaml"):
        (tmp_path / "mydata" / name).write_text("", encoding="utf-8")
    assert scenario_base(path).folder == tmp_path / "mydata"


def test_a_capacity_change_s_figures_are_the_scenario_s_what_if_the_base_s_keep_their_notes(tmp_path):
    # --capacity primary=5 (no month) kept the pool's `fact:` note on the what-if figure (shown as a fact),
    # and the base figure a bounded change returns to after its last month had no note (shown as an estimate)
    from hpplan.formats import capacity_estimated

    pools = [{**p, "source": {"fte": "fact: test"}} for p in PRIMARY_10]
    base = build([org("m1")], pools=pools)
    whole = applied(base, tmp_path, [{"op": "capacity", "pool": "primary", "fte": 5}]).waves.pools[1]
    assert capacity_estimated(whole, "2024-03") and whole.source["fte"].startswith("estimate: scenario")
    bounded = applied(base, tmp_path, [{"op": "capacity", "pool": "primary", "fte": 5, "from": "2024-06",
                                        "to": "2024-08"}]).waves.pools[1]
    assert [capacity_estimated(bounded, m) for m in ("2024-05", "2024-06", "2024-08", "2024-09")] == \
        [False, True, True, False]
