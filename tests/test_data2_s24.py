"""A re-check of session 24's loader changes: numbers written with a point or an exponent where a whole
number belongs, a live organisation's history in a scenario, and what `unpin` does with a preference."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, error_of, errors_of, line_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan.loader import load_problem
from hpplan.scenario import apply_scenarios




# ---- a whole number is written in digits ----------------------------------------------------------


@pytest.mark.parametrize("written, said", [
    # YAML reads 120.000 as 120.0, and pydantic took that for 120: no error, a population of 120
    ("120.000", "expected a whole number, found 120.000; write 120000 (digits only, no thousands separator), or "
                "120 if you meant that"),
    ("13.800", "expected a whole number, found 13.800; write 13800 (digits only, no thousands separator)"),  # 13.8
    ("2.500", "expected a whole number, found 2.500; write 2500 (digits only, no thousands separator)"),  # "2.5"
    ("120.0", "expected a whole number, found 120.0; write 120"),
    ("2.5", "expected a whole number, found 2.5; write 2 or 3"),
    ("'120.000'", "expected a whole number, found the text '120.000' in quotes; write 120000 (digits only, no "
                  "thousands separator, no quotes), or 120 if you meant that"),  # "write 120 (no quotes)"
    # an exponent: pydantic's "unable to parse string as an integer (got '1e2')"
    ("1e2", "expected a whole number in decimal digits, found 1e2, which YAML reads as text; write 100"),
    ("1.38e4", "expected a whole number in decimal digits, found 1.38e4, which YAML reads as text; write 13800"),
    ("138e2", "expected a whole number in decimal digits, found 138e2, which YAML reads as text; write 13800"),
    ('"1e2"', "expected a number, found the text '1e2' in quotes; write 100 (no quotes)"),
])
def test_a_whole_number_written_with_a_point_or_an_exponent_is_refused_with_the_digits(data: Path, written, said):
    path = data / "organisations.yaml"
    edit(path, "population: 10958", f"population: {written}")
    assert error_of(lambda: load_problem(data)) == \
        f"{path}:{line_of(path, 'population: ' + written)}: orsta: population: {said}"


def test_a_limit_written_with_a_thousands_dot_is_bad_input_not_an_infeasible_plan(data: Path):
    # `max_users: 17.000` was a limit of 17 users: "no plan ... raise limit #1 max_users from 17", exit 1
    waves = data / "waves.yaml"
    edit(waves, "    max_actors: 3\n", "    max_actors: 3\n    max_users: 17.000\n")
    assert error_of(lambda: load_problem(data)) == (
        f"{waves}:{line_of(waves, 'max_users: 17.000')}: limit #1: max_users: expected a whole number, found 17.000; "
        "write 17000 (digits only, no thousands separator), or 17 if you meant that")
    result = CliRunner().invoke(cli.app, ["check", "--data", str(data), "-t", "5"])
    assert result.exit_code == 2, result.output
    edit(waves, "max_users: 17.000", "max_users: 1e4")
    assert error_of(lambda: load_problem(data)) == (
        f"{waves}:{line_of(waves, 'max_users: 1e4')}: limit #1: max_users: expected a whole number in decimal digits, "
        "found 1e4, which YAML reads as text; write 10000")


def test_a_number_with_a_point_where_any_number_belongs_is_taken(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "fte: 72,", "fte: 72.000,")
    assert load_problem(data).pool["primary"].fte == 72


def test_a_quoted_exponent_is_said_to_be_in_quotes(data: Path):
    # it said "found 7.2e1, which YAML reads as text": the quotes made it text
    waves = data / "waves.yaml"
    edit(waves, "fte: 72,", 'fte: "7.2e1",')
    assert error_of(lambda: load_problem(data)) == (
        f"{waves}:{line_of(waves, '7.2e1')}: primary: fte: expected a number, found the text '7.2e1' in "
        "quotes; write 72 (no quotes)")


# ---- in a scenario's set --------------------------------------------------------------------------


def scenario(tmp_path: Path, changes: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"base: data\ndescription: test\nchanges:\n{changes}", encoding="utf-8")
    return path


@pytest.mark.parametrize("written, said", [
    ("270.000", "expected a whole number, found 270.000; write 270000 (digits only, no thousands separator), or 270 "
                "if you meant that"),
    ("1e3", "expected a whole number in decimal digits, found 1e3, which YAML reads as text; write 1000"),
])
def test_a_scenario_set_writes_a_whole_number_in_digits(data: Path, tmp_path: Path, written, said):
    path = scenario(tmp_path, "  - op: set\n    actor: orsta\n    fields:\n      users: 5\n"
                              f"      population: {written}\n")
    assert error_of(lambda: apply_scenarios(load_problem(data), path)) == f"{path}:8: orsta: population: {said}"


# ---- a live organisation's history, in a scenario ---------------------------------------------------


def test_a_set_that_makes_an_organisation_live_says_every_contradiction_in_the_sets_terms(data: Path, tmp_path: Path):
    # helse-more-og-romsdal has an earliest and a preferred window for its plan; the set made it live, and was
    # told "remove earliest", then, one run later, "remove preferred_window (organisations.yaml:N)": in the base data
    orgs = data / "organisations.yaml"
    edit(orgs, "    preferred_window: 2024-04\n", "    earliest: 2024-04-01\n    preferred_window: 2024-04\n")
    path = scenario(tmp_path, "  - op: set\n    actor: helse-more-og-romsdal\n    fields:\n      status: live\n"
                              "      live_since: 2023-11-04\n")
    assert errors_of(lambda: apply_scenarios(load_problem(data), path)) == [
        f"{path}:6: helse-more-og-romsdal: earliest 2024-04-01 is after live_since 2023-11-04: a live organisation's "
        "go-live is history, and earliest no longer applies; write earliest: null in this set's fields (earliest is "
        f"given at {orgs}:{line_of(orgs, 'earliest: 2024-04-01')})",
        f"{path}:6: helse-more-og-romsdal: preferred_window '2024-04' is not the window it went live in (window "
        "2023-11, live_since 2023-11-04): a live organisation's go-live is history, and a preference no longer "
        "applies; write preferred_window: null in this set's fields (preferred_window is given at "
        f"{orgs}:{line_of(orgs, 'preferred_window: 2024-04')})"]
    # what they say to write works
    path = scenario(tmp_path, "  - op: set\n    actor: helse-more-og-romsdal\n    fields:\n      status: live\n"
                              "      live_since: 2023-11-04\n      earliest: null\n      preferred_window: null\n")
    live = apply_scenarios(load_problem(data), path).org["helse-more-og-romsdal"]
    assert (live.earliest, live.preferred_window, live.live_since.isoformat()) == (None, None, "2023-11-04")


def test_a_set_bound_that_a_live_organisation_broke_is_said_at_its_line(data: Path, tmp_path: Path):
    path = scenario(tmp_path, "  - op: set\n    actor: st-olavs\n    fields:\n      users: 5\n"
                              "      latest: 2023-10-01\n")
    assert error_of(lambda: apply_scenarios(load_problem(data), path)) == (
        f"{path}:8: st-olavs: latest 2023-10-01 is before live_since 2023-11-04: a live organisation's go-live is "
        "history, and latest no longer applies; write latest: null in this set's fields")


# ---- unpin and a preference that is history ---------------------------------------------------------


def test_unpin_drops_the_preferred_window_a_live_organisation_went_live_in(data: Path, tmp_path: Path):
    # the data may keep a live organisation's own window as its preference; unpinned, that window is history,
    # and the unpin was refused: "preferred_window '2023-11' (2023-11-04) is before the planning date"
    edit(data / "organisations.yaml", "    live_since: 2023-11-04\n", "    live_since: 2023-11-04\n"
                                                                       "    preferred_window: 2023-11\n")
    problem = apply_scenarios(load_problem(data), scenario(tmp_path, "  - op: unpin\n    actor: st-olavs\n"))
    unpinned = problem.org["st-olavs"]
    assert (unpinned.status.value, unpinned.preferred_window) == ("signed", None)
    assert problem.applied[-1].endswith("[unpin st-olavs (live since 2023-11-04; now signed; its preferred_window "
                                        "2023-11 is history, dropped)]")
    # a back-test that moves the planning date before that window plans it again, preference and all
    back = apply_scenarios(load_problem(data), scenario(tmp_path, "  - op: set_planning_date\n    date: 2023-10-01\n"))
    assert (back.org["st-olavs"].status.value, back.org["st-olavs"].preferred_window) == ("signed", "2023-11")


# ---- words ----------------------------------------------------------------------------------------


def test_a_field_for_another_kind_names_the_kind_with_its_article(data: Path):
    path = data / "organisations.yaml"
    edit(path, "  - id: alesund\n    name: Ålesund\n    kind: municipality\n",
         "  - id: alesund\n    name: Ålesund\n    kind: other\n    sector: primary\n    municipality: orsta\n")
    assert error_of(lambda: load_problem(data)) == (
        f"{path}:{line_of(path, 'municipality: orsta')}: alesund: municipality is only for kind gp_office (the "
        "municipality it is located in), and this is an other; remove it")  # "a other"
