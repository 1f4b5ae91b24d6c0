"""s24 reviewer of data pull requests: `compare` of two data folders (or a saved plan and data) names a
change of the data as the data's, at its line, with one kind (`data-change`), and never speaks of a scenario
where there is none; a saved plan whose window the data moved is told so (docs/scenarios.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import line_of
from test_compare_s22 import TINY, run


def _copy(tmp_path: Path, name: str = "pr") -> Path:
    data = tmp_path / name
    shutil.copytree(TINY, data)
    return data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _moves(*args) -> dict[str, dict]:
    result = run("compare", *map(str, args), "-t", "5", "-f", "json")
    assert result.exit_code == 0, result.output
    return {m["id"]: m for m in json.loads(result.stdout)["moves"]}


def test_a_saved_plan_whose_window_the_data_moved_is_told_the_window_moved(tmp_path):
    # `compare --baseline main-plan.json --data pr4` said "not forced ... the objective preferred 2025-02" for
    # those still in 2025-02: the window's own date moved, at the data's `date:` line
    plan = tmp_path / "plan.json"
    assert run("solve", "--data", str(TINY), "-t", "5", "-f", "json", "-o", str(plan)).exit_code == 0
    data = _copy(tmp_path)
    _edit(data / "waves.yaml", "{id: 2024-04, date: 2024-04-27}", "{id: 2024-04, date: 2024-05-25}")
    orsta = _moves("--baseline", plan, "--data", data)["orsta"]
    assert (orsta["window_from"], orsta["window_to"], orsta["to"]) == ("2024-04", "2024-04", "2024-05-25"), orsta
    cause = orsta["cause"]
    assert (cause["kind"], cause["text"]) == (
        "window", "its window 2024-04 moved from 2024-04-27 to 2024-05-25 (baseline plan -> data)"), cause
    assert cause["where"] == f"{data / 'waves.yaml'}:{line_of(data / 'waves.yaml', '2024-05-25')}"


def test_a_window_moved_in_a_data_folder_points_at_its_new_date(tmp_path):
    data = _copy(tmp_path)
    _edit(data / "waves.yaml", "{id: 2024-04, date: 2024-04-27}", "{id: 2024-04, date: 2024-05-25}")
    cause = _moves("--baseline", TINY, "--data", data)["orsta"]["cause"]
    assert cause["text"] == "its window 2024-04 moved from 2024-04-27 to 2024-05-25 (baseline data -> data)"
    assert cause["where"] == f"{data / 'waves.yaml'}:{line_of(data / 'waves.yaml', '2024-05-25')}"


def test_a_blackout_new_in_the_data_is_a_data_change_at_its_line_one_cause_for_all(tmp_path):
    # pr10: a new blackout was "its own data unchanged" (kind data), and each organisation's cause carried
    # its name, so a trust and its hospitals could not share a line
    data = _copy(tmp_path)
    _edit(data / "waves.yaml", "pools:", "blackouts:\n  - {from: 2024-02-01, to: 2024-02-20, reason: upgrade}\n\npools:")
    moves = _moves("--baseline", TINY, "--data", data)
    where = f"{data / 'waves.yaml'}:{line_of(data / 'waves.yaml', 'reason: upgrade')}"
    held = [m for m in moves.values() if m["window_from"] == "2024-02"]
    assert len(held) >= 2, moves
    for m in held:
        assert m["cause"]["kind"] == "data-change", m
        assert m["cause"]["where"] == where
        assert m["cause"]["text"] == ("goes live 2024-02-10, inside the blackout 2024-02-01 to 2024-02-20: upgrade "
                                      f"(new in the data, {where})"), m


def test_a_limit_changed_in_the_data_says_from_what_to_what_and_where(tmp_path):
    data = _copy(tmp_path)
    _edit(data / "waves.yaml", "    max_actors: 3", "    max_actors: 2")
    moves = _moves("--baseline", TINY, "--data", data)
    causes = [c for m in moves.values() for c in m["causes"] if c["rule"] == "limit.max_actors"]
    assert causes, moves
    where = f"{data / 'waves.yaml'}:{line_of(data / 'waves.yaml', 'max_actors: 2')}"
    assert any(c["kind"] == "data-change" and c["text"].endswith(f"; max_actors 3 -> 2 (baseline data -> data, {where})")
               for c in causes), causes


def test_an_organisation_new_in_the_data_is_added_to_the_data_not_by_a_scenario(tmp_path):
    data = _copy(tmp_path)
    text = (data / "organisations.yaml").read_text(encoding="utf-8")
    block = text[text.index("  - id: alesund"):text.index("  - id: orsta\n")]
    (data / "organisations.yaml").write_text(text.rstrip("\n") + "\n\n" + block.replace("alesund", "giske")
                                             .replace("Ålesund", "Giske"), encoding="utf-8")
    giske = _moves("--baseline", TINY, "--data", data)["giske"]
    assert (giske["change"], giske["cause"]["kind"], giske["cause"]["text"]) == ("added", "added", "added to the data")
    assert giske["cause"]["where"] == f"{data / 'organisations.yaml'}:{line_of(data / 'organisations.yaml', 'id: giske')}"
    text = run("compare", "--baseline", str(TINY), "--data", str(data), "-t", "5").stdout
    markdown = run("compare", "--baseline", str(TINY), "--data", str(data), "-t", "5", "-f", "markdown").stdout
    assert "Added to the data (1)" in text and "scenario" not in text, text
    assert "## Added to the data (1)" in markdown and "scenario" not in markdown.lower(), markdown


def test_a_move_past_its_moved_window_says_what_kept_it_from_the_new_date_too(tmp_path):
    # pr4: steinkjer moved a year (2025-02 -> 2026-02) and its line gave only "its window 2025-02 moved ..."
    # (28 days); the pool that kept it out of the window's new date was in the JSON alone
    data = tmp_path / "pr4"
    shutil.copytree(TINY.parent.parent.parent / "data", data)
    _edit(data / "waves.yaml", "    date: 2025-02-08", "    date: 2025-03-08")
    text = " ".join(run("compare", "--baseline", str(TINY.parent.parent.parent / "data"), "--data", str(data),
                        "-t", "5").stdout.split())
    line = text[text.index("steinkjer "):]
    assert line.split("why: ")[1].startswith("its window 2025-02 moved from 2025-02-08 to 2025-03-08 "
                                              "(baseline data -> data); and pool primary over"), line


def test_a_new_earliest_date_says_what_keeps_it_out_of_the_first_window_after_it():
    # domain 10: HMR postponed to 2024-12-01 goes live 2025-09-06 (+497 days), and the only cause was its new
    # earliest date: not why it skips 2025-02, the first window after that date
    data = TINY.parent.parent.parent / "data"
    result = run("compare", "--baseline", str(data), "--data", str(data), "--postpone",
                 "helse-more-og-romsdal=2024-12-01", "-t", "5", "-f", "json")
    assert result.exit_code == 0, result.output
    hmr = next(m for m in json.loads(result.stdout)["moves"] if m["id"] == "helse-more-og-romsdal")
    assert hmr["cause"]["text"] == "earliest 2024-04-01* -> 2024-12-01* (scenario)", hmr["cause"]
    first = next(w for w in ("2025-02", "2025-04") if w != hmr["window_to"])
    skipped = [c for c in hmr["causes"] if c["text"].startswith(f"the first window after that, {first}, ")]
    assert len(skipped) == 1 and skipped[0]["where"], hmr["causes"]
    text = " ".join(run("compare", "--baseline", str(data), "--data", str(data), "--postpone",
                        "helse-more-og-romsdal=2024-12-01", "-t", "5").stdout.split())
    assert f"earliest 2024-04-01* -> 2024-12-01* (scenario); and {skipped[0]['text']}" in text, text
