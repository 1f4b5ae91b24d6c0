"""A re-check of session 24's number checks (recheck-c findings 2, 3 and 5): every problem of one entry or
one change said at once, digits to write that the loader then takes, and numbers named as they were written."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, errors_of, line_of

from hpplan.loader import load_problem
from hpplan.scenario import apply_scenarios



def scenario(tmp_path: Path, changes: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"base: data\ndescription: test\nchanges:\n{changes}", encoding="utf-8")
    return path


# ---- every problem at once ---------------------------------------------------------------------------

POPULATION_270 = ("population: expected a whole number, found 270.000; write 270000 (digits only, no thousands "
                  "separator), or 270 if you meant that")
USERS_1E3 = "users: expected a whole number in decimal digits, found 1.5e3, which YAML reads as text; write 1500"


def test_a_thousands_dot_beside_a_value_pydantic_refuses_is_said_with_it_in_organisations_yaml(data: Path):
    # `population: 270.000` (YAML's 270.0, which pydantic takes) was said one run after `users: 1.5e3`
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n    users: 600\n", "    population: 270.000\n    users: 1.5e3\n")
    assert errors_of(lambda: load_problem(data)) == [
        f"{path}:{line_of(path, 'population: 270.000')}: orsta: {POPULATION_270}",
        f"{path}:{line_of(path, 'users: 1.5e3')}: orsta: {USERS_1E3}"]


def test_a_thousands_dot_is_said_beside_another_entrys_missing_field(data: Path):
    # an entry left without a required field cannot be validated; the others still are
    path = data / "organisations.yaml"
    edit(path, "    kind: health_trust\n    status: signed\n", "    status: signed\n")
    edit(path, "    population: 10958\n", "    population: 270.000\n")
    errors = errors_of(lambda: load_problem(data))
    assert len(errors) == 2, errors
    assert "helse-more-og-romsdal: missing field 'kind'" in errors[0]
    assert errors[1] == f"{path}:{line_of(path, 'population: 270.000')}: orsta: {POPULATION_270}"


def test_a_scenario_set_says_every_number_of_the_change_at_once(data: Path, tmp_path: Path):
    path = scenario(tmp_path, "  - op: set\n    actor: orsta\n    fields: {population: 270.000, users: 1.5e3}\n")
    assert sorted(errors_of(lambda: apply_scenarios(load_problem(data), path))) == sorted([
        f"{path}:6: orsta: {USERS_1E3}", f"{path}:6: orsta: {POPULATION_270}"])


def test_a_scenario_add_says_every_number_of_the_organisation_at_once(data: Path, tmp_path: Path):
    path = scenario(tmp_path, "  - op: add\n    organisation:\n      id: newgp\n      name: New GP\n"
                              "      kind: gp_office\n      municipality: orsta\n      status: optional\n"
                              "      users: 1.5e1\n      population: 2.000\n"
                              "      source: {all: 'estimate: test'}\n")
    assert errors_of(lambda: apply_scenarios(load_problem(data), path)) == [
        f"{path}:11: organisation.users: expected a whole number in decimal digits, found 1.5e1, which YAML reads "
        "as text; write 15",
        f"{path}:12: organisation.population: expected a whole number, found 2.000; write 2000 (digits only, no "
        "thousands separator), or 2 if you meant that"]


def test_a_set_making_an_organisation_live_says_its_history_beside_a_refused_number(data: Path, tmp_path: Path):
    # `users: 1.500` (1.5, refused by pydantic) hid the earliest and preferred_window its go-live contradicts
    orgs = data / "organisations.yaml"
    edit(orgs, "    preferred_window: 2024-04\n", "    earliest: 2024-04-01\n    preferred_window: 2024-04\n")
    path = scenario(tmp_path, "  - op: set\n    actor: helse-more-og-romsdal\n"
                              "    fields: {status: live, live_since: 2023-11-04, users: 1.500}\n")
    errors = errors_of(lambda: apply_scenarios(load_problem(data), path))
    assert errors[0] == (f"{path}:6: helse-more-og-romsdal: users: expected a whole number, found 1.500; write 1500 "
                         "(digits only, no thousands separator)")
    assert [e.split(": ")[2].split(" ")[0] for e in errors[1:]] == ["earliest", "preferred_window"], errors
    assert all("write" in e and "null in this set's fields" in e for e in errors[1:]), errors


# ---- the digits to write are a number the loader takes -----------------------------------------------


@pytest.mark.parametrize("written, write", [("0.500", "write 500 (digits only, no thousands separator)"),
                                            ("0.000", "write 0 (digits only, no thousands separator)"),
                                            ("'0,500'", "write 500 (digits only, no thousands separator)")])
def test_the_digits_to_write_have_no_leading_zero(data: Path, written: str, write: str):
    # "write 0500", which is then refused as an octal number
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", f"    users: {written}\n")
    errors = errors_of(lambda: load_problem(data))
    assert len(errors) == 1 and errors[0].endswith(write), errors
    digits = write.split()[1]
    edit(path, f"    users: {written}\n", f"    users: {digits}\n")
    assert load_problem(data).org["orsta"].users == int(digits)


# ---- wording ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, said", [
    ("1e400", "users: expected a whole number in decimal digits, found 1e400, which YAML reads as text, too large "
              "to be held as a number; write the number in decimal digits (is the exponent a slip?)"),
    ("13.800,5", "users: expected a whole number, found '13.800,5'; write 13800 or 13801 (a whole number; 13.800,5 "
                 "is 13800.5: digits only, no thousands dot)"),
    ("13.800,0", "users: expected a whole number, found '13.800,0'; write 13800 (digits only, no thousands dot, no "
                 "decimal comma)"),
    ("-1.000", "users: Input should be greater than or equal to 0 (got -1.000)"),  # not "(got -1.0)"
])
def test_users_written_otherwise_are_answered_with_what_to_write(data: Path, written: str, said: str):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", f"    users: {written}\n")
    assert errors_of(lambda: load_problem(data)) == [f"{path}:{line_of(path, 'users: ' + written)}: orsta: {said}"]


def test_a_comma_before_three_digits_is_read_both_ways(data: Path):
    # "write 72.000 (a decimal point)": the form docs/data-format.md calls a thousands dot
    path = data / "waves.yaml"
    edit(path, "fte: 72,", "fte: '72,000',")
    assert errors_of(lambda: load_problem(data)) == [
        f"{path}:{line_of(path, '72,000')}: primary: fte: expected a number, found '72,000'; write 72 if the comma is "
        "a decimal comma (a decimal point, not a comma), or 72000 if it separates thousands (digits only)"]


def test_a_comma_before_three_digits_in_a_flow_mapping_is_read_both_ways(data: Path):
    path = data / "waves.yaml"
    edit(path, "fte: 72,", "fte: 72,000,")
    assert errors_of(lambda: load_problem(data)) == [
        f"{path}:{line_of(path, '72,000')}: fte: 72,000 reads as the number 72 and a key 000 (a comma separates the "
        "entries of a mapping); a decimal comma? write 72.000 (a decimal point), or 72000 if it separates thousands "
        "(digits only)"]


def test_the_objectives_weights_are_named_alike(data: Path):
    # `objective.population_weight` for one, plain `preferred_window_penalty` for the other
    path = data / "waves.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "objective:\n  population_weight: 1e0\n  preferred_window_penalty: 20.000\n", encoding="utf-8")
    assert errors_of(lambda: load_problem(data)) == [
        f"{path}:{line_of(path, 'population_weight')}: objective.population_weight: expected a whole number in "
        "decimal digits, found 1e0, which YAML reads as text; write 1",
        f"{path}:{line_of(path, 'preferred_window_penalty')}: objective.preferred_window_penalty: expected a whole "
        "number, found 20.000; write 20000 (digits only, no thousands separator), or 20 if you meant that"]
