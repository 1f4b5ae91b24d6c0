"""A scenario writer's mistakes, told with what would be right (session 29): a name for an id suggests an id that
exists, capacity figures are said in the pool's terms, a change that changes nothing (or a capacity that reads as
a factor) is warned, a base path is normalised, an unknown month-like window suggests the nearest in time."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import DataWarning, InputError
from hpplan.loader import load_problem
from hpplan.scenario import Capacity, Scenario, apply_quick, apply_scenario, apply_scenarios, scenario_base

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "data"
RULE = "ids are ASCII letters, digits, '-', '_' and '.', the first a letter or digit"


@pytest.fixture(scope="module")
def shipped():
    return load_problem(SHIPPED)


def scenario(tmp_path: Path, changes: str, name: str = "s.yaml", base: str = "data") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {base}\ndescription: test\nchanges:\n{changes}", encoding="utf-8")
    return path


def error_of(call) -> str:
    with pytest.raises(InputError) as error:
        call()
    return str(error.value)


def quiet(call):
    """`call()`, failing on any DataWarning (a change that is what it says is not warned)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        return call()


# ---- 1: "did you mean" names an id that exists --------------------------------------------------------------


@pytest.mark.parametrize("written, meant", [
    ("Helse Nord-Trøndelag HF", "helse-nord-trondelag"),  # was 'helse-nord-trondelag-hf', no organisation's id
    ("Helse Møre og Romsdal HF", "helse-more-og-romsdal"),
    ("helse nord-trøndelag", "helse-nord-trondelag"),
])
def test_a_name_for_an_actor_in_a_scenario_file_suggests_the_organisation_s_id(tmp_path, shipped, written, meant):
    path = scenario(tmp_path, f"  - {{op: postpone, actor: {written}, earliest: 2025-01-01}}\n")
    message = error_of(lambda: apply_scenarios(shipped, path))
    assert message == f"{path}:4: actor: {written!r} is not an id: {RULE}; did you mean {meant!r}?"
    assert meant in shipped.org


def test_a_name_for_a_pool_suggests_a_pool_in_a_file_and_on_the_command_line(tmp_path, shipped):
    path = scenario(tmp_path, "  - {op: capacity, pool: primær, factor: 0.8}\n")
    assert error_of(lambda: apply_scenarios(shipped, path)) == (
        f"{path}:4: pool: 'primær' is not an id: {RULE}; did you mean 'primary'?")  # was 'primaer', no pool
    assert error_of(lambda: apply_quick(shipped, capacity=["primær=80%"])) == (
        f"--capacity: 'primær=80%': pool: 'primær' is not an id: {RULE}; did you mean 'primary'?")
    # nothing like it: the pools there are, not an id-like form that is none of them
    path = scenario(tmp_path, "  - {op: capacity, pool: Ørkesløs, factor: 0.8}\n")
    assert error_of(lambda: apply_scenarios(shipped, path)).endswith(f"{RULE}; pools: specialist, primary")


def test_a_name_with_its_date_in_a_quick_postpone_is_told_the_id(shipped):
    # it said only "expected ID=YYYY-MM-DD, e.g. helse-more-og-romsdal=2024-10-01"
    told = error_of(lambda: apply_quick(shipped, postpone=["Helse Nord-Trøndelag HF=2025-01-01"]))
    assert told == ("--postpone: 'Helse Nord-Trøndelag HF=2025-01-01': expected ID=YYYY-MM-DD, found the name "
                    f"'Helse Nord-Trøndelag HF', which is no id ({RULE}); write helse-nord-trondelag=2025-01-01")
    near = error_of(lambda: apply_quick(shipped, postpone=["Helse Nord-Tr=2025-01-01"]))
    assert near.endswith("; did you mean helse-nord-trondelag=2025-01-01?")
    told = error_of(lambda: apply_quick(shipped, exclude=["Helse Nord-Trøndelag HF"]))
    assert told.endswith(f"{RULE}; did you mean 'helse-nord-trondelag'?"), told


# ---- 2: the share of a negative --capacity is computed --------------------------------------------------------


def test_a_negative_quick_capacity_gives_the_share_it_keeps(shipped):
    told = error_of(lambda: apply_quick(shipped, capacity=["primary=-30"]))
    # 42 of 72 is 58.3 %: not the fixed "(primary=80%)", which read as the same cut
    assert told.endswith("for 30 FTE fewer write the FTE it keeps (primary=42) or about its share (primary=58%)"), told
    told = error_of(lambda: apply_quick(shipped, capacity=["primary=-36@2025-01"]))
    assert told.endswith("(primary=36@2025-01) or its share (primary=50%@2025-01)"), told
    told = error_of(lambda: apply_quick(shipped, capacity=["primary=-20%"]))
    assert told.endswith("(primary=FTE) or its share (primary=80%)"), told


# ---- 3: capacity figures in a file, said as the quick forms say them -------------------------------------------


@pytest.mark.parametrize("written, told", [
    ("fte: -20", "fte: a capacity is not negative (-20 FTE); fte is the FTE the pool has from then on, not a "
                 "change: for 20 FTE fewer of its 168 in 2025-01 write fte: 148, or a share of the data's capacity "
                 "as factor (e.g. factor: 0.8 for 80 %)"),
    ("factor: 80", "factor: 80 is more than a factor may be (at most 10); a factor is a share of the data's capacity "
                   "(1 = all of it), not a percentage: for 80 % write factor: 0.8"),
    ("factor: 80%", "factor: '80%' is a percentage; a factor is a number, the share of the data's capacity (1 = all "
                    "of it): for 80 % write factor: 0.8"),
    ("factor: -0.2", "factor: a factor is not negative (-0.2); factor is the share of the data's capacity the pool "
                     "has from then on, not a change: for a 20 % cut write factor: 0.8"),
    ("fte: 80%", "fte: '80%' is a percentage; a factor is a number, the share of the data's capacity (1 = all of "
                 "it): for 80 % write factor: 0.8 in place of fte (fte is the pool's FTE)"),
])
def test_a_capacity_figure_in_a_file_is_told_what_is_right(tmp_path, shipped, written, told):
    path = scenario(tmp_path, f"  - {{op: capacity, pool: specialist, {written}, from: \"2025-01\"}}\n")
    assert error_of(lambda: apply_scenarios(shipped, path)) == f"{path}:4: {told}"


def test_changes_written_as_a_mapping_are_told_to_be_a_list(tmp_path, shipped):
    path = scenario(tmp_path, "  op: postpone\n  actor: orsta\n  earliest: 2026-01-01\n")
    message = error_of(lambda: apply_scenarios(shipped, path))
    assert message.startswith(f"{path}:3: changes: expected a list of changes, found a mapping"), message
    assert "`- op: postpone`" in message and "Input should be" not in message


# ---- 4: an fte that reads as a factor --------------------------------------------------------------------------


def test_an_fte_of_at_most_one_on_a_larger_pool_is_warned_as_a_factor(tmp_path, shipped):
    path = scenario(tmp_path, "  - {op: capacity, pool: primary, fte: 0.8}\n")
    with pytest.warns(DataWarning, match=rf"^hpplan: warning: {path}:4: capacity primary 0.8 FTE leaves the pool 0.8 "
                                         r"of its 72 FTE: did you mean factor: 0.8 \(80 % of the data's capacity\)\?"):
        apply_scenarios(shipped, path)
    with pytest.warns(DataWarning, match=r"^hpplan: warning: --capacity: .*did you mean primary=80%@2025-01 "):
        apply_quick(shipped, capacity=["primary=0.8@2025-01"])
    quiet(lambda: apply_quick(shipped, capacity=["primary=0"]))  # a pool closed is said as such, not a slip
    quiet(lambda: apply_quick(shipped, capacity=["primary=40"]))


# ---- 5: a change that changes nothing --------------------------------------------------------------------------


def test_a_change_that_changes_nothing_is_warned(tmp_path, shipped):
    assert str(shipped.org["orsta"].earliest) == "2025-01-15"
    path = scenario(tmp_path, "  - {op: postpone, actor: orsta, earliest: 2025-01-15}\n"
                              "  - {op: capacity, pool: primary, factor: 1.0}\n")
    with pytest.warns(DataWarning) as said:
        apply_scenarios(shipped, path)
    told = [str(w.message) for w in said]
    assert f"hpplan: warning: {path}:4: postpone orsta to 2025-01-15 changes nothing: its earliest is 2025-01-15 " \
           "already; postpone gives a later date (a typo in the date?)" in told
    assert f"hpplan: warning: {path}:5: capacity primary x1 changes nothing: the pool has that capacity already " \
           "in those months (a typo in the figure?)" in told
    with pytest.warns(DataWarning, match="capacity primary 72 FTE changes nothing"):
        apply_quick(shipped, capacity=["primary=72"])
    quiet(lambda: apply_quick(shipped, capacity=["primary=90%"], postpone=["orsta=2025-02-01"]))
    # a program's change (a sweep's grid point of factor 1) is one of its points, not a typo: not warned
    grid = Capacity.model_validate({"op": "capacity", "pool": "primary", "factor": 1.0})
    quiet(lambda: apply_scenario(shipped, Scenario("sweep.yaml", "data", "grid", [grid])))
    # and the capacity back to the data's after a cut is a change
    cut = apply_quick(shipped, capacity=["primary=80%"])
    quiet(lambda: apply_quick(cut, capacity=["primary=100%@2025-01"]))


# ---- 6: the base path is normalised ----------------------------------------------------------------------------


def test_a_base_written_through_dot_dot_is_named_without_it(tmp_path, monkeypatch):
    shutil.copytree(SHIPPED, tmp_path / "data", ignore=shutil.ignore_patterns("scenarios", "sweeps"))
    (tmp_path / "sc").mkdir()
    path = scenario(tmp_path / "sc", "  - {op: postpone, actor: helse-more-og-romsdal, earliest: 2030-01-01}\n",
                    base="../data")
    monkeypatch.chdir(tmp_path)
    assert scenario_base(Path("sc/s.yaml")).folder == Path("data")  # relative as written, not sc/../data
    assert scenario_base(path).folder == tmp_path / "data"
    result = CliRunner().invoke(cli.app, ["check", "--scenario", "sc/s.yaml", "-t", "5"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "sc/../data" not in result.output and "data/organisations.yaml:" in result.output


# ---- 7: a window id that reads as a month ----------------------------------------------------------------------


def test_an_unknown_month_window_suggests_the_windows_nearest_in_time(tmp_path, shipped):
    path = scenario(tmp_path, '  - {op: remove_window, window: "2025-05"}\n')
    assert error_of(lambda: apply_scenarios(shipped, path)) == (
        f"{path}:4: '2025-05' is not a window (did you mean '2025-04' (2025-04-26) or '2025-09' (2025-09-06), "
        "the windows before and after 2025-05?)")  # was '2025-10', five months off
    path = scenario(tmp_path, '  - {op: move_window, window: "2025-4", date: 2025-05-03}\n')
    assert error_of(lambda: apply_scenarios(shipped, path)).endswith("(did you mean '2025-04'?)")  # spelling


# ---- 8: an empty scenario file ---------------------------------------------------------------------------------


def test_an_empty_scenario_file_points_at_the_scenario_docs(tmp_path, shipped):
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    told = (f"{path}:1: file is empty; expected a scenario, a YAML mapping with base, description and changes "
            "(see docs/scenarios.md)")
    assert error_of(lambda: apply_scenarios(shipped, path)) == told
    assert error_of(lambda: scenario_base(path)) == told  # (`solve --scenario` without --data reads it first)
    result = CliRunner().invoke(cli.app, ["solve", "--scenario", str(path), "-t", "5"])
    assert result.exit_code == 2 and "see docs/scenarios.md" in result.output
