"""Scenario and sweep findings of the s23 testers (scenarist, notebook): a capacity `factor` is a share
of the data's capacity (two cuts compounded to 72 x 0.8 x 0.9 = 51.8 FTE where the docs say 64.8, and a
sweep's "x base = 1" axis left a spec scenario's cut in place); a rule removed twice was answered with
a "did you mean" naming the other trust's rule; the scenario functions' wrong arguments failed deep
inside with AttributeError; the sweep table's note named a By column it did not have, and an exact
fit showed an empty t."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from helpers import build, org, solved, windows_of
from test_scenario import write

from hpplan import load_problem
from hpplan.errors import InputError
from hpplan.scenario import apply_quick, apply_scenario, apply_scenarios

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
CUT = DATA / "scenarios" / "primary-capacity-cut.yaml"  # primary at 80 % from 2024-07
MUNI_HYPERCARE_4 = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]


def primary(fte: float = 10, changes: list | None = None) -> list[dict]:
    pool = {"id": "primary", "sector": "primary", "fte": fte, "source": {"fte": "estimate: test"}}
    if changes:
        pool["changes"] = changes
    return [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}}, pool]


def line(path: Path, text: str, nth: int = 1) -> int:
    found = [n for n, written in enumerate(path.read_text().splitlines(), 1) if text in written]
    return found[nth - 1]


# ---- 1. a capacity factor is a share of the data's capacity ---------------------------------------


def test_a_factor_after_an_earlier_cut_is_of_the_data_s_capacity_not_of_the_cut():
    changed = apply_quick(apply_scenarios(load_problem(DATA), CUT), capacity="primary=90%@2025-01")
    pool = changed.pool["primary"]
    assert [pool.fte_in(m) for m in ("2024-06", "2024-07", "2024-12", "2025-01", "2026-06")] == \
        [72, 57.6, 57.6, 64.8, 64.8]  # 90 % of the data's 72 from 2025-01, not 72 x 0.8 x 0.9 = 51.84
    # each applied line says the FTE it gives, and of what
    assert changed.applied[0].endswith("[capacity primary x0.8 from 2024-07: 57.6 FTE (0.8 x the data's 72)]")
    assert changed.applied[1] == "command line: capacity primary x0.9 from 2025-01: 64.8 FTE (0.9 x the data's 72)"


def test_two_factors_in_one_file_and_the_data_s_own_changes(tmp_path):
    # the data: 10 FTE, 20 from 2025-01; a cut to 50 % from 2024-06, then 80 % from 2024-09 (to 2025-06)
    base = build([org("m1")], pools=primary(10, [{"from": "2025-01", "fte": 20}]))
    path = write(tmp_path, [{"op": "capacity", "pool": "primary", "factor": 0.5, "from": "2024-06"},
                            {"op": "capacity", "pool": "primary", "factor": 0.8, "from": "2024-09", "to": "2025-06"}])
    pool = apply_scenarios(base, path).pool["primary"]
    months = ("2024-05", "2024-06", "2024-09", "2024-12", "2025-01", "2025-06", "2025-07")
    assert [pool.fte_in(m) for m in months] == [10, 5, 8, 8, 16, 16, 10]  # after 2025-06 the first cut's 50 % of 20
    applied = apply_scenarios(base, path).applied[0]
    assert "capacity primary x0.8 from 2024-09 to 2025-06: 8 FTE (0.8 x the data's 10), from 2025-01 16 FTE " \
           "(0.8 x the data's 20)" in applied
    # the same in two files, and the second file after a quick form: the data's capacity each time
    first = write(tmp_path, [{"op": "capacity", "pool": "primary", "factor": 0.5, "from": "2024-06"}], "a.yaml")
    second = write(tmp_path, [{"op": "capacity", "pool": "primary", "factor": 0.8, "from": "2024-09", "to": "2025-06"}],
                   "b.yaml")
    pool = apply_scenarios(base, [first, second]).pool["primary"]
    assert [pool.fte_in(m) for m in months] == [10, 5, 8, 8, 16, 16, 10]
    again = apply_scenarios(apply_quick(base, capacity="primary=50%@2024-06"), second).pool["primary"]
    assert [again.fte_in(m) for m in months] == [10, 5, 8, 8, 16, 16, 10]
    assert base.pool["primary"].fte_in("2024-09") == 10  # the base is untouched


def test_a_factor_restoring_the_capacity_lets_the_plan_use_it(tmp_path):
    # two municipalities of 4 FTE each fit a pool of 10 in w1; cut to 50 % they do not; 90 % of the
    # data's 10 (9 FTE) holds both again (90 % of the cut, 4.5 FTE, did not)
    base = build([org("m1"), org("m2")], profiles=MUNI_HYPERCARE_4, pools=primary(10))
    cut = apply_scenarios(base, write(tmp_path, [{"op": "capacity", "pool": "primary", "factor": 0.5}]))
    assert windows_of(solved(cut)) == {"m1": "w1", "m2": "w2"}
    restored = apply_quick(cut, capacity="primary=90%@2024-02")
    assert restored.pool["primary"].fte_in("2024-02") == 9
    assert windows_of(solved(restored)) == {"m1": "w1", "m2": "w1"}


def test_a_sweep_axis_factor_is_of_the_data_s_capacity_with_a_spec_scenario_before_it(tmp_path, monkeypatch):
    from hpplan.sweep import load_spec, resolve, scenario_problem
    from hpplan.sweep.sample import scenario_yaml
    from hpplan.sweep import spec as spec_module

    spec = tmp_path / "grid.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(DATA), "description": "cut, then restored?", "kind": "grid", "time_limit": 5,
        "scenarios": [str(CUT)], "grid": [{"capacity": {"pool": "primary", "factor": [1.0, 1.25], "from": "2025-01"}}],
    }, sort_keys=False), encoding="utf-8")
    context = resolve(load_spec(spec))
    assert context.problem.pool["primary"].fte_in("2025-01") == 57.6  # the spec's scenario
    assert context.spec.grid[0].label == "capacity primary (x the data's capacity from 2025-01)"
    for index, fte in ((0, 72), (1, 90)):
        problem, _ = scenario_problem(context, index)
        assert problem.pool["primary"].fte_in("2024-07") == 57.6 and problem.pool["primary"].fte_in("2025-01") == fte
    # --scenario-of's file, applied after the spec's scenario as its header says, gives the same data
    (tmp_path / "s1.yaml").write_text(scenario_yaml(context, 1), encoding="utf-8")
    replayed = apply_scenarios(load_problem(DATA), [CUT, tmp_path / "s1.yaml"])
    assert replayed.pool["primary"].fte_in("2025-01") == 90
    # a results file of such a sweep made before (its factors compounded) is not resumed: another hash
    now = context.digest()
    monkeypatch.setattr(spec_module, "_has_factor", lambda value: False)  # the hash as it was made before
    assert context.digest() != now


# ---- 2. a rule an earlier change removed ----------------------------------------------------------


def test_removing_a_removed_rule_by_id_names_the_change_that_removed_it(tmp_path):
    problem = load_problem(DATA)
    ids = [r.id for r in problem.waves.rules]
    number = ids.index("hmr-together") + 1
    path = write(tmp_path, [{"op": "remove_rule", "index": number}, {"op": "remove_rule", "id": "hmr-together"}])
    with pytest.raises(InputError) as error:
        apply_scenarios(problem, path)
    said = str(error.value)
    assert said == (f"{path}:{line(path, 'id: hmr-together')}: rule 'hmr-together' is no longer there: an earlier "
                    f"change removed it (remove_rule at {path}:{line(path, 'op: remove_rule')})")
    assert "did you mean" not in said and "hnt-together" not in said
    # a second file (or the same twice) names the first file's change
    once = write(tmp_path, [{"op": "remove_rule", "id": "hmr-together"}], "once.yaml")
    with pytest.raises(InputError, match=rf"once.yaml:{line(once, 'id:')}: rule 'hmr-together' is no longer there: "
                                         rf"an earlier change removed it \(remove_rule at {once}:{line(once, 'op:')}\)"):
        apply_scenarios(problem, [once, once])
    # and by number, after the id: which change, too
    by_index = write(tmp_path, [{"op": "remove_rule", "id": "hmr-together"}, {"op": "remove_rule", "index": number}],
                     "n.yaml")
    with pytest.raises(InputError, match=rf"rule #{number} is no longer there: an earlier change removed it "
                                         rf"\(remove_rule at {by_index}:{line(by_index, 'op: remove_rule')}\)"):
        apply_scenarios(problem, by_index)
    # an id that never was still gets its "did you mean"
    with pytest.raises(InputError, match=r"no rule has id 'hmr-togethr' \(did you mean 'hmr-together'\?\)"):
        apply_scenarios(problem, write(tmp_path, [{"op": "remove_rule", "id": "hmr-togethr"}], "typo.yaml"))


def test_a_rule_or_limit_that_went_with_an_organisation_or_a_window_says_which_change(tmp_path):
    rules = [{"type": "together", "id": "pair", "actors": ["m1", "m2"]}]
    limits = [{"windows": ["w2"], "max_actors": 1}]
    base = build([org("m1"), org("m2")], rules=rules, limits=limits)
    path = write(tmp_path, [{"op": "remove", "actor": "m2"}, {"op": "remove_window", "window": "w2"},
                            {"op": "remove_rule", "id": "pair"}, {"op": "remove_limit", "index": 1}])
    with pytest.raises(InputError) as error:
        apply_scenarios(base, path)
    said = str(error.value)
    assert f"rule 'pair' is no longer there: an earlier change removed it (remove m2 at {path}:{line(path, 'op: remove')})" \
        in said
    assert (f"limit #1 is no longer there: an earlier change removed it (remove_window w2 at "
            f"{path}:{line(path, 'op: remove_window')})") in said


def test_a_rule_added_again_after_its_removal_can_be_removed_again(tmp_path):
    base = build([org("m1"), org("m2")], rules=[{"type": "together", "id": "pair", "actors": ["m1", "m2"]}])
    path = write(tmp_path, [{"op": "remove_rule", "id": "pair"},
                            {"op": "add_rule", "rule": {"type": "together", "id": "pair", "actors": ["m1", "m2"]}},
                            {"op": "remove_rule", "id": "pair"}])
    assert apply_scenarios(base, path).waves.rules == []


# ---- 3. the scenario functions say what they take -------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda p: apply_quick(str(DATA), postpone="aure=2025-01-01"), "apply_quick takes a Problem .*got str"),
    (lambda p: apply_scenarios(str(DATA), str(CUT)), "apply_scenarios takes a Problem .*got str"),
    (lambda p: apply_scenarios(p, None), "apply_scenarios's paths is a scenario file's path or a list of them, got NoneType"),
    (lambda p: apply_scenarios(p, [CUT, 3]), "got int 3 in the list"),
    (lambda p: apply_quick(p, postpone=5), "apply_quick's postpone is a text ID=YYYY-MM-DD or a list of them, got int 5"),
    (lambda p: apply_quick(p, postpone=[("aure", "2025-01-01")]), r"got tuple \('aure', '2025-01-01'\) in the list"),
    (lambda p: apply_quick(p, exclude=None), "apply_quick's exclude is an organisation's id or a list of them"),
    (lambda p: apply_quick(p, capacity={"primary": 0.8}), "apply_quick's capacity is a text POOL=FTE"),
    (lambda p: apply_scenario(p, str(CUT)), "apply_scenario takes a Scenario .*got str"),
])
def test_a_wrong_argument_is_a_type_error_at_the_call(call, message):
    with pytest.raises(TypeError, match=message):
        call(load_problem(DATA))


def test_the_forms_the_docs_give_are_taken():
    problem = load_problem(DATA)
    assert apply_quick(problem, postpone=("aure=2025-01-01",)).org["aure"].earliest == dt.date(2025, 1, 1)
    assert apply_scenarios(problem, (CUT,)).pool["primary"].fte_in("2024-07") == 57.6
    assert apply_scenarios(problem, []) is problem and apply_quick(problem, [], [], []) is problem


# ---- 4. the sweep table ---------------------------------------------------------------------------


def test_the_sweep_table_names_no_by_column_it_lacks_and_calls_an_exact_fit_exact():
    from hpplan.sweep.aggregate import aggregate
    from hpplan.sweep.output import summary_json, summary_text
    from hpplan.sweep.run import Results
    from hpplan.sweep.sample import add_months

    # a grid over a's postponement (0, 3, 6 months) that moves c exactly 2 months per month: no scatter
    actors = [{"id": i, "name": i.upper(), "kind": "municipality", "status": "planned", "mandatory": True,
               "population": 10, "cost_per_month": None, "cost_is_estimate": None} for i in ("a", "c")]
    base = {"type": "base", "index": None, "status": "optimal", "go_live": {"a": "2024-02-10", "c": "2024-02-10"},
            "completion": "2024-02-10", "actors": actors}
    records, day = [], dt.date(2024, 2, 10)
    for index, months in enumerate((0, 3, 6)):
        go = {"a": add_months(day, months).isoformat(), "c": add_months(day, 2 * months).isoformat()}
        delay = {k: v for k, v in (("a", months), ("c", 2 * months)) if v}
        records.append({"type": "result", "index": index, "status": "optimal", "slips": {"a": months} if months else {},
                        "point": [months], "go_live": go, "completion": max(go.values()), "delay": delay,
                        "moved": len(delay), "population_months": 10 * 3 * months, "cost_mnok": 0,
                        "newly_unscheduled": [], "newly_scheduled": []})
    header = {"type": "header", "kind": "grid", "size": 3, "live_by": [],
              "axes": [{"label": "postpone a (months)", "values": [0, 3, 6]}]}
    summary = aggregate(Results(header, base, records))
    found = {f.id: f for f in summary.influence}
    assert found["a"].clear and found["a"].t is None and found["a"].stderr == 0
    text = summary_text(summary, 120)
    row = next(r for r in text.splitlines() if r.startswith("a ") and "|" in r and "exact" in r)
    assert row.rstrip().endswith("exact")
    assert "exact: no scatter about the slope" in " ".join(text.split())
    assert "By:" not in text and "Delay: mean months later." in " ".join(text.split())
    assert '"t": null' in summary_json(summary)
    with_dates = aggregate(Results(dict(header, live_by=["2024-12-31"]), base, records))
    assert "By: share live by the date." in " ".join(summary_text(with_dates, 120).split())
