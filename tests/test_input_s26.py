"""Session 26's input fixes: a scenario's `base` that names a folder without the data files, one rule for
numbers written with an exponent (scenario files, the command line's --capacity and the data files), what
to write for a plan entry without `source`, a GP office whose `municipality` names a hospital, a warning
where no organisation loads any pool, and what the data format says of figures without a source note."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from helpers import edit, error_of, errors_of, line_of, without_load_profiles
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import DataWarning
from hpplan.loader import _plain_number, load_problem
from hpplan.scenario import apply_quick, apply_scenarios, load_scenario, scenario_base

REPO = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"


def scenario(folder: Path, changes: str, base: str = "data", name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(f"base: {base}\ndescription: test\nchanges:\n{changes}", encoding="utf-8")
    return path


# ---- 1. a base that is a folder without the data files ---------------------------------------------------


def test_a_base_folder_without_the_data_files_is_no_data_folder(tmp_path: Path, monkeypatch):
    # `base: halfdata` (waves.yaml alone) was planned, and said "halfdata/organisations.yaml: no such file",
    # without the scenario line that named it
    monkeypatch.chdir(tmp_path)
    (tmp_path / "halfdata").mkdir()
    shutil.copy(TINY / "waves.yaml", tmp_path / "halfdata" / "waves.yaml")
    (tmp_path / "fx").mkdir()
    path = scenario(tmp_path / "fx", "  - {op: exclude, actor: aure}\n", base="halfdata")
    base = scenario_base(path)
    assert base.folder is None and base.bare == Path("halfdata") and base.missing == ["organisations.yaml"]
    assert str(base.error(path)) == (
        f"{path}:1: base: no data folder 'halfdata' (the folder halfdata holds waves.yaml but no organisations.yaml; "
        "a data folder holds organisations.yaml and waves.yaml); correct the base (the folder that holds the data "
        "this scenario changes), or give the data with --data DIR")
    assert base.what == "a folder (halfdata) without organisations.yaml, so no data folder"
    result = CliRunner().invoke(cli.app, ["solve", "-q", "-t", "5", "--scenario", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:1: base: no data folder 'halfdata'" in result.stderr
    assert "no such file" not in result.stderr


def test_base_dot_beside_the_scenarios_is_no_data_folder(tmp_path: Path, monkeypatch):
    # `base: .` said "waves.yaml: no such file"
    monkeypatch.chdir(tmp_path)
    path = scenario(tmp_path, "  - {op: exclude, actor: aure}\n", base=".")
    base = scenario_base(path)
    assert base.folder is None and base.missing == ["organisations.yaml", "waves.yaml"]
    assert "(the folder . holds neither organisations.yaml nor waves.yaml;" in str(base.error(path))
    result = CliRunner().invoke(cli.app, ["solve", "-q", "-t", "5", "--scenario", str(path)])
    assert result.exit_code == 2 and f"{path}:1: base: no data folder '.'" in result.stderr, result.output


def test_of_the_two_places_a_base_may_name_the_data_folder_is_taken(tmp_path: Path, monkeypatch):
    # `data` here (the working directory) holds waves.yaml alone; beside the scenario it is a data folder
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(TINY / "waves.yaml", tmp_path / "data" / "waves.yaml")
    shutil.copytree(TINY, tmp_path / "project" / "data")
    path = scenario(tmp_path / "project", "  - {op: exclude, actor: orsta}\n")
    assert scenario_base(path).folder == tmp_path / "project" / "data"


# ---- 2. numbers written with an exponent: one rule ---------------------------------------------------------


FACTOR = [
    # YAML 1.1 reads `2.5e-1` as a number, and it was taken; `1e-3` as text, and it was refused
    ("2.5e-1", "factor: expected a number in decimal digits, found 2.5e-1, a number with an exponent; write 0.25"),
    ("5.E-1", "factor: expected a number in decimal digits, found 5.E-1, a number with an exponent; write 0.5"),
    ("1e-3", "factor: expected a number in decimal digits, found 1e-3, which YAML reads as text; write 0.001"),
    ("1e-7", "factor: expected a number in decimal digits, found 1e-7, which YAML reads as text; write 0.0000001"),
    # "write 0.": a tiny factor made zero capacity, and no number either
    ("1e-300", "factor: expected a number in decimal digits, found 1e-300, which YAML reads as text; write 0.000…1 in "
               "full, with 299 zeros after the point before the 1 (is the exponent a slip?)"),
    # beyond the range: pydantic's "Input should be less than or equal to 10 (got '1.5e2')"
    ("1.5e2", "factor: expected a number in decimal digits, found 1.5e2, which YAML reads as text; write a number "
              "from 0 to 10 (in decimal digits; 1.5e2 is more than that)"),
    ("1e3", "factor: expected a number in decimal digits, found 1e3, which YAML reads as text; write a number from 0 "
            "to 10 (in decimal digits; 1e3 is more than that)"),
    ("1.5e+2", "factor: expected a number in decimal digits, found 1.5e+2, a number with an exponent; write a number "
               "from 0 to 10 (in decimal digits; 1.5e+2 is more than that)"),
    ("-1e-3", "factor: expected a number in decimal digits, found -1e-3, which YAML reads as text; write a number "
              "from 0 to 10 (in decimal digits; no negative number is taken here)"),
    ("'1e3'", "factor: expected a number, found the text '1e3' in quotes; write a number from 0 to 10 (in decimal "
              "digits, no quotes; 1e3 is more than that)"),
    # "expected a finite number, found '1e400'" (a float), or ".inf" (YAML's reading of 1.0e+400)
    ("1e400", "factor: expected a number in decimal digits, found 1e400, which YAML reads as text, too large to be "
              "held as a number; write the number in decimal digits (is the exponent a slip?)"),
    ("1.0e+400", "factor: expected a number in decimal digits, found 1.0e+400, a number with an exponent, too large "
                 "to be held as a number; write the number in decimal digits (is the exponent a slip?)"),
]


@pytest.mark.parametrize("written, said", FACTOR)
def test_a_scenario_factor_with_an_exponent_is_refused_in_every_form(tmp_path: Path, written: str, said: str):
    path = scenario(tmp_path, f"  - {{op: capacity, pool: primary, factor: {written}}}\n")
    assert error_of(lambda: load_scenario(path)) == f"{path}:4: {said}"


def test_a_decimal_to_write_is_never_zero_for_a_number_that_is_not():
    assert _plain_number(1e-7) == "0.0000001"  # was "0." from `{:.12f}`
    assert _plain_number(2.5e-13) == "0.00000000000025"


@pytest.mark.parametrize("value, said", [
    ("1e-3", "found the FTE '1e-3'; write primary=0.001: the FTE in decimal digits, not as an exponent"),
    ("2.5e-1@2024-05", "found the FTE '2.5e-1'; write primary=0.25@2024-05: the FTE in decimal digits, not as an "
                       "exponent"),
    ("1e-300", "found the FTE '1e-300': write 0.000…1 in full, with 299 zeros after the point before the 1 (is the "
               "exponent a slip?)"),
    ("1e6", "found the FTE '1e6': write a number from 0 to 100000 (in decimal digits; 1e6 is more than that)"),
])
def test_a_capacity_on_the_command_line_with_an_exponent_gets_its_decimal(value: str, said: str):
    # it said only "expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], e.g. primary=57.6@2024-07 ..."
    problem = load_problem(TINY)
    assert error_of(lambda: apply_quick(problem, capacity=[f"primary={value}"])) == (
        f"--capacity: 'primary={value}': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], {said}")


@pytest.mark.parametrize("old, new, said", [
    # YAML's numbers with an exponent were taken in the data files, as in scenarios
    ("fte: 72,", "fte: 7.2e+1,", "primary: fte: expected a number in decimal digits, found 7.2e+1, a number with an "
                                 "exponent; write 72"),
    ("    users: 600\n", "    users: 1.5e+3\n", "orsta: users: expected a whole number in decimal digits, found 1.5e+3, "
                                               "a number with an exponent; write 1500"),
    ("    users: 600\n", "    users: 2.5e-1\n", "orsta: users: expected a whole number in decimal digits, found 2.5e-1, "
                                               "a number with an exponent; write 0 or 1"),
    ("    users: 600\n", "    users: 1.5e+9\n", "orsta: users: expected a whole number in decimal digits, found 1.5e+9, "
                                               "a number with an exponent; write a whole number from 0 to 10000000 (in "
                                               "decimal digits; 1.5e+9 is more than that)"),
    ("fte: 72,", "fte: 1e-300,", "primary: fte: expected a number in decimal digits, found 1e-300, which YAML reads "
                                 "as text; write 0.000…1 in full, with 299 zeros after the point before the 1 (is the "
                                 "exponent a slip?)"),
    ("fte: 72,", "fte: -2.5e-3,", "primary: fte: expected a number in decimal digits, found -2.5e-3, a number with an "
                                  "exponent; write a number from 0 to 100000 (in decimal digits; no negative number "
                                  "is taken here)"),
])
def test_a_data_file_number_with_an_exponent_follows_the_same_rule(data: Path, old: str, new: str, said: str):
    path = data / ("waves.yaml" if "fte" in old else "organisations.yaml")
    edit(path, old, new)
    assert error_of(data) == f"{path}:{line_of(path, new.strip().rstrip(','))}: {said}"


def test_a_set_with_an_exponent_is_told_once_at_its_organisation(data: Path, tmp_path: Path):
    # `fields` takes any value: its numbers are checked as the organisation's, when the set is applied (not
    # also at the top of the file, as a number of `changes`)
    path = scenario(tmp_path, "  - op: set\n    actor: orsta\n    fields: {postponement_cost_per_month: 2.5e-1, "
                              "source: {all: \"estimate: x\"}}\n")
    load_scenario(path)
    assert error_of(lambda: apply_scenarios(load_problem(data), path)) == (
        f"{path}:6: orsta: postponement_cost_per_month: expected a number in decimal digits, found 2.5e-1, a number "
        "with an exponent; write 0.25")


# ---- 3a. a plan entry without `source` ---------------------------------------------------------------------


def test_a_plan_entry_without_source_is_told_what_to_write(tmp_path: Path):
    from hpplan.check import read_plan_file

    path = tmp_path / "plan.yaml"
    path.write_text("plan:\n  - {id: helse-more-og-romsdal, go_live: 2024-04-27}\n", encoding="utf-8")
    assert error_of(lambda: read_plan_file(load_problem(TINY), path)) == (
        f"{path}:2: helse-more-og-romsdal: missing field 'source'; add `source: \"estimate: how it was estimated\"` "
        "(or 'fact: where it is from')")


# ---- 3b. a municipality or trust named by an organisation of another kind ----------------------------------


def test_a_gp_office_whose_municipality_is_a_hospital_is_told_its_name_and_the_municipality(data: Path):
    path = data / "organisations.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "\n  - id: orsta-sjukehus\n    name: Ørsta sjukehus\n    kind: hospital\n    part_of: helse-more-og-romsdal\n"
        "    status: signed\n    users: 20\n    source: {all: \"estimate: test\"}\n"), encoding="utf-8")
    edit(path, "    municipality: orsta\n", "    municipality: orsta-sjukehus\n")
    assert error_of(data) == (
        f"{path}:{line_of(path, 'municipality: orsta-sjukehus')}: municipality 'orsta-sjukehus' is a hospital, expected "
        "a municipality (the municipality that orsta-legekontor is located in); did you mean 'orsta'?")


def test_a_hospital_part_of_a_hospital_is_offered_that_hospitals_trust(data: Path):
    path = data / "organisations.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "".join(
        f"\n  - id: {ident}\n    name: {ident}\n    kind: hospital\n    part_of: {trust}\n    status: signed\n"
        for ident, trust in (("volda-sjukehus", "helse-more-og-romsdal"), ("orsta-dps", "volda-sjukehus"))),
        encoding="utf-8")
    assert error_of(data) == (
        f"{path}:{line_of(path, 'part_of: volda-sjukehus')}: part_of 'volda-sjukehus' is a hospital, expected a "
        "health_trust (the health trust that orsta-dps belongs to); did you mean 'helse-more-og-romsdal'?")


def test_with_no_municipality_alike_the_municipalities_are_listed(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    municipality: orsta\n", "    municipality: helse-more-og-romsdal\n")
    edit(path, "  - id: orsta-legekontor\n", "  - id: kvalitetslegene\n")
    assert error_of(data).endswith(
        "municipality 'helse-more-og-romsdal' is a health_trust, expected a municipality (the municipality that "
        "kvalitetslegene is located in); write the id of a municipality: alesund, orsta")


# ---- 3c. no organisation loads any pool: a warning ---------------------------------------------------------


def test_data_where_no_organisation_loads_a_pool_is_planned_with_a_warning(data: Path):
    waves = without_load_profiles(data)
    with pytest.warns(DataWarning) as caught:
        load_problem(data)
    assert [str(w.message) for w in caught] == [
        f"hpplan: warning: {waves}:{line_of(waves, 'pools:')}: no organisation to plan loads any pool (waves.yaml has "
        "no load_profiles): the pools' capacity plays no part in this plan; where it is to, add load profiles, each "
        "named after the kind it is for (municipality, gp_office, ...) or named in an organisation's load_profile "
        "(docs/data-format.md)"]


@pytest.mark.parametrize("how, why", [
    ("none", "each has `load_profile: []`"),
    ("zero", "the load profiles they use have no FTE in any month"),
    ("misnamed", "no load profile is named after their kind (gp_office, health_trust, municipality)"),
])
def test_profiles_that_load_nothing_are_warned_of_too(data: Path, how: str, why: str):
    waves, orgs = data / "waves.yaml", data / "organisations.yaml"
    if how == "none":
        orgs.write_text(orgs.read_text(encoding="utf-8").replace("    status: ", "    load_profile: []\n    status: "),
                        encoding="utf-8")
    elif how == "zero":
        text = waves.read_text(encoding="utf-8")
        for old in ("[40, 60, 80]", "[80, 40]", "[5, 10]", "[10, 5]"):
            text = text.replace(old, "[0, 0]")
        waves.write_text(text, encoding="utf-8")
    else:  # each named for a kind with no organisation to plan (a profile named after a kind is never misspelt)
        edit(waves, "  - id: health_trust\n", "  - id: lab\n")
        edit(waves, "  - id: municipality\n", "  - id: hospital\n")
    with pytest.warns(DataWarning) as caught:
        load_problem(data)
    assert [str(w.message) for w in caught] == [
        f"hpplan: warning: {waves}:{line_of(waves, 'load_profiles:')}: no organisation to plan loads any pool ({why}): "
        "the pools' capacity plays no part in this plan; where it is to, add load profiles, each named after the kind "
        "it is for (municipality, gp_office, ...) or named in an organisation's load_profile (docs/data-format.md)"]


def test_data_where_an_organisation_loads_a_pool_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_problem(TINY)


def test_the_warning_is_one_line_on_stderr_and_the_plan_is_made(data: Path):
    waves = without_load_profiles(data)
    hpplan = Path(sys.executable).parent / "hpplan"
    result = subprocess.run([str(hpplan), "solve", "--data", str(data), "-q", "-t", "10", "-f", "csv"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"hpplan: warning: {waves}:{line_of(waves, 'pools:')}: no organisation to plan loads any pool (waves.yaml has "
        "no load_profiles): the pools' capacity plays no part in this plan; where it is to, add load profiles, each "
        "named after the kind it is for (municipality, gp_office, ...) or named in an organisation's load_profile "
        "(docs/data-format.md)"]
    assert result.stdout.startswith("id,name,kind")


# ---- 3d. the data format says which figures must have a note ---------------------------------------------


def test_the_data_format_says_which_figures_are_refused_without_a_note_and_which_are_estimates(data: Path):
    text = " ".join((REPO / "docs" / "data-format.md").read_text(encoding="utf-8").split())
    assert "**or that has no note at all**" not in text  # it said so of `users` and `population` too
    assert "must have a source note (its own or `all`); the loader refuses one without" in text
    assert ("Every other figure may go without a note, and is then read as an estimate (no note is no fact): an "
            "organisation's `earliest`, `latest` and `returns`, a capacity change's `fte`, a load profile's `before` "
            "and `hypercare`, a limit's `max_users`, `max_actors` and `max_trusts`") in text
    # as the loader does: users without a note is refused, a limit without one is taken (and marked)
    path = data / "organisations.yaml"
    edit(path, '    population: 10958\n    users: 600\n    source: {all: "estimate: test data"}\n',
         "    population: 10958\n    users: 600\n")
    assert [e.split(": ", 1)[1] for e in errors_of(data)] == [
        "orsta: users is given without a source note; add `source: {users: \"estimate: how it was estimated\"}` (or "
        "'fact: where it is from')"]
    edit(path, "    users: 600\n", "    users: 600\n    source: {all: \"estimate: test data\"}\n")
    limit = load_problem(data).waves.limits[0]  # (tests/data/tiny's limit has no note)
    assert not limit.source and limit.is_estimate("max_actors")
