"""A saved JSON plan (`hpplan solve --format json`) read back: a file that contradicts itself (an
organisation twice, a window on two dates, an id that is no id, a key twice) is bad input at the line of
the entry or field, the same for `check --plan` and a re-plan's `--baseline` (solve and compare), and its
messages hold no Python error text. An organisation the data lacks is data drift: `check --plan`
refuses it, a baseline takes it with a note (docs/scenarios.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import line_of
from test_replan import TINY, run

from hpplan.errors import InputError, InputErrors
from hpplan.solution import read_plan


KEY = '"%s"'  # a key or text as JSON writes it


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    assert run("solve", "--data", str(TINY), "-t", "5", "--format", "json", "-o", str(out)).exit_code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def written(tmp_path: Path, plan: dict, text: str | None = None) -> Path:
    path = tmp_path / "edited.json"
    path.write_text(text if text is not None else json.dumps(plan, indent=2), encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputError) as error:
        read_plan(path)
    return str(error.value)


def planned(plan: dict) -> list[int]:
    return [i for i, a in enumerate(plan["plan"]) if a["go_live"] and not a["pinned"] and a["window"]]


def test_an_organisation_twice_is_refused_at_its_second_entry(tmp_path, saved):
    path = written(tmp_path, dict(saved, plan=saved["plan"] + saved["plan"][:1]))
    first = saved["plan"][0]["id"]
    message = refused(path)
    assert message.startswith(f"{path}:{line_of(path, json.dumps(first), 2)}: plan entry {len(saved['plan']) + 1}: "
                              f"organisation {first!r} is in the plan more than once (first as plan entry 1, line "
                              f"{line_of(path, json.dumps(first))}); keep one"), message


@pytest.mark.parametrize("ident, shown", [(5, "id 5 is not"), ("orsta\u0000", 'id "orsta\\u0000" is not'),
                                          ("h" * 200, 'id "' + "h" * 79 + "...")])
def test_an_id_that_is_no_id_is_refused_at_its_line(tmp_path, saved, ident, shown):
    entries = [dict(a, id=ident) if k == 1 else a for k, a in enumerate(saved["plan"])]
    path = written(tmp_path, dict(saved, plan=entries))
    message = refused(path)
    line = line_of(path, '"id": ' + json.dumps(ident)[:20])
    assert message.startswith(f"{path}:{line}: plan entry 2: {shown}"), message


def test_a_window_on_two_dates_is_refused(tmp_path, saved):
    i = planned(saved)[0]
    j = next(k for k in planned(saved) if saved["plan"][k]["go_live"] != saved["plan"][i]["go_live"])
    a, b = saved["plan"][i], saved["plan"][j]
    entries = [dict(e, window=a["window"]) if k == j else e for k, e in enumerate(saved["plan"])]
    path = written(tmp_path, dict(saved, plan=entries))
    message = refused(path)
    text = path.read_text().splitlines()
    go_live_line = lambda k: next(n for n, t in enumerate(text, 1) if n > line_of(path, json.dumps(entries[k]["id"]))  # noqa: E731
                                  and '"go_live"' in t)
    assert message.startswith(f"{path}:{go_live_line(j)}: plan entry {j + 1} ({b['id']}): window {a['window']} is on "
                              f"{b['go_live']} here, but on {a['go_live']} in plan entry {i + 1} ({a['id']}, line "
                              f"{go_live_line(i)}); a window has one date"), message


def test_a_key_twice_is_refused_not_the_last_taken(tmp_path, saved):
    text = json.dumps(saved, indent=2).replace('"status": "optimal",', '"status": "optimal",\n  "status": "unknown",', 1)
    path = written(tmp_path, saved, text)
    assert refused(path) == f"{path}:3: the plan file: key 'status' is given twice (first at line 2); keep one"
    text = json.dumps(saved, indent=2).replace('"pinned": ', '"pinned": true, "pinned": ', 1)
    path = written(tmp_path, saved, text)
    line = line_of(path, '"pinned": true, "pinned"')
    assert refused(path) == f"{path}:{line}: plan entry 1: key 'pinned' is given twice (first at line {line}); keep one"


def test_a_wrong_part_is_said_at_its_line_without_python_error_text(tmp_path, saved):
    path = written(tmp_path, dict(saved, objective="low"))
    assert refused(path) == (f"{path}:{line_of(path, KEY % 'objective')}: objective: expected an object of terms and "
                             'their values, got "low"')
    path = written(tmp_path, dict(saved, plan=["orsta"] + saved["plan"][1:]))
    assert refused(path) == (f"{path}:{line_of(path, KEY % 'orsta')}: plan entry 1: expected an object with id, go_live "
                             '(null: not scheduled), window, pinned, got "orsta"')
    entries = [{k: v for k, v in a.items() if k != "go_live"} if k == 1 else a for k, a in enumerate(saved["plan"])]
    path = written(tmp_path, dict(saved, plan=entries))
    entry = saved["plan"][1]["id"]
    message = refused(path)
    assert message.startswith(f"{path}:{line_of(path, json.dumps(entry)) - 1}: plan entry 2 ({entry}): expected"), message
    path = written(tmp_path, dict(saved, load=[{"pool": "primary"}]))
    assert f"{path}:{line_of(path, KEY % 'load') + 1}: load entry 1: expected an object with pool" in refused(path)
    path = written(tmp_path, dict(saved, status="great"))
    assert refused(path).startswith(f"{path}:{line_of(path, 'great')}: status 'great' is not a plan's status")


@pytest.mark.parametrize("command", ["solve", "compare", "check"])
def test_a_plan_that_contradicts_itself_is_refused_as_a_baseline_too(tmp_path, saved, command):
    # solve/compare --baseline took such a file with a note ("it is used as it is") and exit 0
    path = written(tmp_path, dict(saved, plan=saved["plan"] + saved["plan"][:1]))
    out = tmp_path / "out.json"
    args = {"solve": ["solve", "--data", str(TINY), "--baseline", str(path)],
            "compare": ["compare", "--data", str(TINY), "--baseline", str(path), "--postpone",
                        f"{saved['plan'][planned(saved)[0]]['id']}=2025-06-01"],
            "check": ["check", "--data", str(TINY), "--plan", str(path)]}[command]
    result = run(*args, "-t", "5", *(["-o", str(out)] if command != "check" else []))
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.stderr and "is in the plan more than once" in result.stderr, result.stderr
    assert "used as it is" not in result.stderr and not out.exists()


def test_an_organisation_the_data_lacks_is_a_note_for_a_baseline(tmp_path, saved):
    # a baseline made from other data (docs/scenarios.md): an id the data lacks is drift, not a bad file
    entries = [dict(a, id="gone-since") if k == 1 else a for k, a in enumerate(saved["plan"])]
    path = written(tmp_path, dict(saved, plan=entries))
    result = run("solve", "--data", str(TINY), "--baseline", str(path), "-t", "5", "-o", str(tmp_path / "o.json"))
    assert result.exit_code == 0 and f"does not fit the data in {TINY}" in result.stderr, result.output


def test_a_window_on_two_dates_names_the_entries_by_their_place_in_the_file(tmp_path: Path):
    # an entry that could not be read shifted the numbers: the second date's entry was named one too early
    plan = tmp_path / "plan.json"
    entries = [{"id": "x1", "go_live": "someday"},
               {"id": "a", "go_live": "2024-02-10", "window": "w1"},
               {"id": "b", "go_live": "2024-02-17", "window": "w1"}]
    plan.write_text(json.dumps({"status": "optimal", "objective": {}, "plan": entries, "load": []}, indent=1))
    with pytest.raises(InputErrors) as caught:
        read_plan(plan)
    messages = [e.message for e in caught.value.errors]
    assert messages[0].startswith("plan entry 1 (x1): go_live 'someday' is not a date")
    assert messages[1].startswith("plan entry 3 (b): window w1 is on 2024-02-17 here, but on 2024-02-10 in plan "
                                  "entry 2 (a")


def test_two_live_organisations_a_day_apart_in_one_window_are_no_contradiction(tmp_path: Path):
    # docs/rules.md: a live organisation belongs to the nearest window within 6 days; its go_live is its
    # own live_since date. read_plan took two such dates for "a window on two dates" and refused the plan
    # `solve` had just written (check --plan, solve/compare --baseline: exit 2)
    data = tmp_path / "data"
    data.mkdir()
    (data / "organisations.yaml").write_text("""organisations:
  - {id: pa, name: PA, kind: municipality, status: live, population: 1, source: {all: "estimate: t"}, live_since: 2023-12-01}
  - {id: pb, name: PB, kind: municipality, status: live, population: 1, source: {all: "estimate: t"}, live_since: 2023-12-02}
  - {id: r, name: R, kind: municipality, status: planned, population: 10, source: {all: "estimate: t"}}
""", encoding="utf-8")
    (data / "waves.yaml").write_text("""planning_date: 2024-01-15
windows:
  - {id: h2, date: 2023-12-02}
  - {id: w1, date: 2024-02-10}
pools:
  - {id: primary, sector: primary, fte: 10, source: {fte: "fact: t"}}
""", encoding="utf-8")
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(data), "-t", "5", "-f", "json", "-o", str(plan)).exit_code == 0
    assert {a["window"] for a in json.loads(plan.read_text())["plan"] if a["pinned"]} == {"h2"}
    read_plan(plan)
    checked = run("check", "--data", str(data), "--plan", str(plan))
    assert checked.exit_code == 0, checked.output
    again = run("solve", "--data", str(data), "-t", "5", "--baseline", str(plan))
    assert again.exit_code == 0, again.output
