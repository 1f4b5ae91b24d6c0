"""A data maintainer's slips (session 24): each is refused at its line with what would be right, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, error_of, errors_of, line_of
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import MAX_ERRORS, InputErrors
from hpplan.loader import load_problem




# ---- a live organisation's bounds and preference are history -------------------------------------


@pytest.mark.parametrize("bound, day, broken", [("earliest", "2024-01-01", "after"),
                                                 ("latest", "2023-11-01", "before")])
def test_a_live_organisations_bound_that_its_live_since_breaks_is_refused_at_the_bound(data: Path, bound, day,
                                                                                        broken):
    # st-olavs went live 2023-11-04; an `earliest` left over from when it was signed contradicted that,
    # and check passed
    path = data / "organisations.yaml"
    edit(path, "    live_since: 2023-11-04\n", f"    live_since: 2023-11-04\n    {bound}: {day}\n")
    assert error_of(data) == (
        f"{path}:{line_of(path, f'{bound}: {day}')}: st-olavs: {bound} {day} is {broken} live_since 2023-11-04: a live "
        f"organisation's go-live is history, and {bound} no longer applies; remove {bound} (or, if it has not gone "
        "live yet, give status signed or planned and remove live_since)")


def test_a_live_organisations_bounds_that_hold_for_its_live_since_are_taken(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    live_since: 2023-11-04\n", "    live_since: 2023-11-04\n    earliest: 2023-10-01\n"
                                               "    latest: 2023-11-04\n")
    assert load_problem(data).org["st-olavs"].earliest.isoformat() == "2023-10-01"


def test_a_live_organisation_preferring_a_window_it_did_not_go_live_in_is_refused(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    live_since: 2023-11-04\n", "    live_since: 2023-11-04\n    preferred_window: 2024-09\n")
    assert error_of(data) == (
        f"{path}:{line_of(path, 'preferred_window: 2024-09')}: st-olavs: preferred_window '2024-09' is not the window "
        "it went live in (window 2023-11, live_since 2023-11-04): a live organisation's go-live is history, and a "
        "preference no longer applies; remove preferred_window")  # without the `st-olavs:` the others have
    # its own window is no contradiction (it was told "before the planning date; choose a window on or after it")
    edit(path, "    preferred_window: 2024-09\n", "    preferred_window: 2023-11\n")
    assert load_problem(data).org["st-olavs"].preferred_window == "2023-11"


# ---- empty lists and lists where one value belongs ------------------------------------------------


def test_a_tracks_empty_windows_is_bad_input_not_infeasible(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "\npools:\n", "\ntracks:\n  - id: KI5\n    windows: []\n\npools:\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, 'windows: []')}: KI5: windows: an empty list; name at least "
                              "one, or leave 'windows' out (then it means all)")
    result = CliRunner().invoke(cli.app, ["check", "--data", str(data), "-t", "5"])
    assert result.exit_code == 2, result.output  # not 1, which CI reads as "infeasible"


def test_an_empty_organisations_list_says_the_file_needs_one(data: Path):
    path = data / "organisations.yaml"
    path.write_text("organisations: []\n", encoding="utf-8")
    assert error_of(data) == (f"{path}:1: organisations: an empty list; organisations.yaml needs at least one "
                              "organisation")  # not "or leave 'organisations' out", which is refused in turn
    path.write_text("organisations:\n", encoding="utf-8")
    assert error_of(data) == (f"{path}:1: organisations: expected a list, found nothing; write its entries below "
                              "it, each starting with '- '")


def test_a_rules_empty_actors_is_not_told_to_leave_them_out(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    actors: [st-olavs, helse-more-og-romsdal]\n", "    actors: []\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, 'actors: []')}: rule #2: actors: an order rule needs at least "
                              "two actors, and names 0; name them all (`actors: [a, b]`)")  # "(then it means all)"


def test_a_one_actor_field_written_as_a_list_is_told_the_one_value(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    actors: [st-olavs, helse-more-og-romsdal]\n",
         "    actors: [st-olavs, helse-more-og-romsdal]\n  - type: after_live\n    first: [st-olavs]\n"
         "    then: helse-more-og-romsdal\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, 'first: [st-olavs]')}: rule #3: first: takes one value, not a "
                              "list: write first: st-olavs")  # it said "put it in quotes"


def test_a_list_field_written_as_one_value_is_told_the_list(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    actors: [st-olavs, helse-more-og-romsdal]\n", "    actors: st-olavs\n")
    assert error_of(data) == f"{waves}:{line_of(waves, 'actors: st-olavs')}: rule #2: actors: expected a list, found " \
                             "'st-olavs'; write [st-olavs]"


# ---- numbers are written as numbers ---------------------------------------------------------------


@pytest.mark.parametrize("file, old, new, said", [
    ("organisations.yaml", "population: 10958", "population: '10_958'",
     "orsta: population: expected a number, found the text '10_958' in quotes; write 10958 (no quotes)"),
    ("organisations.yaml", "population: 10958", 'population: "010958"',
     "orsta: population: expected a number, found the text '010958' in quotes; write 10958 (no quotes)"),
    ("waves.yaml", "fte: 72,", 'fte: "72.0",',
     "primary: fte: expected a number, found the text '72.0' in quotes; write 72 (no quotes)"),
    ("waves.yaml", "    max_actors: 3\n", '    max_actors: "3"\n',
     "limit #1: max_actors: expected a number, found the text '3' in quotes; write 3 (no quotes)"),
    ("waves.yaml", "hypercare: [10, 5]", 'hypercare: ["10", 5]',
     "municipality: hypercare #1: expected a number, found the text '10' in quotes; write 10 (no quotes)"),
    ("waves.yaml", "fte: 72,", "fte: 7.2e1,",
     "primary: fte: expected a number in decimal digits, found 7.2e1, which YAML reads as text; write 72"),
    ("waves.yaml", "fte: 72,", "fte: 1e2,",
     "primary: fte: expected a number in decimal digits, found 1e2, which YAML reads as text; write 100"),
])
def test_text_where_a_number_belongs_is_refused_with_the_number(data: Path, file, old, new, said):
    # they were read as numbers, silently, while unquoted 1_360 was refused with "or quote it for text"
    path = data / file
    edit(path, old, new)
    assert error_of(data) == f"{path}:{line_of(path, new.strip().rstrip(','))}: {said}"


@pytest.mark.parametrize("written, said", [
    ("1,360", "expected a whole number, found '1,360'; write 1360 (digits only, no thousands separator)"),
    ("10.958", "expected a whole number, found 10.958; write 10958 (digits only, no thousands separator)"),
])
def test_a_whole_number_with_a_thousands_separator_is_told_the_digits(data: Path, written, said):
    path = data / "organisations.yaml"
    edit(path, "population: 10958", f"population: {written}")
    assert error_of(data) == f"{path}:{line_of(path, 'population: ' + written)}: orsta: population: {said}"


def test_infinity_written_as_text_is_shown_as_written(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "fte: 72,", 'fte: "inf",')
    assert error_of(data).endswith("primary: fte: expected a finite number, found 'inf'")  # it said .inf


# ---- a duplicate id is said first, and is not what a missing id is told to be ---------------------


def test_a_duplicate_id_is_listed_before_the_errors_it_causes_and_past_the_cap(data: Path):
    # a profile renamed to another's id: 30 organisations lose theirs, and the duplicate was error 31 of 31
    path, waves = data / "organisations.yaml", data / "waves.yaml"
    extra = "".join(f"\n  - id: m{i:02}\n    name: M{i:02}\n    kind: municipality\n    status: planned\n"
                    f"    load_profile: municipality-small\n" for i in range(30))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    edit(waves, "limits:\n", "  - id: municipality\n    before: [1]\n\nlimits:\n")  # was municipality-small
    with pytest.raises(InputErrors) as info:
        load_problem(data)
    errors = [str(e) for e in info.value.errors]
    assert len(errors) == MAX_ERRORS and info.value.total == 31
    first = line_of(waves, "id: municipality")
    assert errors[0] == (f"{waves}:{line_of(waves, 'id: municipality', 2)}: duplicate load profile id 'municipality' "
                         f"(first at line {first}); each id may be used once")
    assert errors[1] == (f"{path}:{line_of(path, 'load_profile: municipality-small')}: load_profile "
                         "'municipality-small' is not in waves.yaml load_profiles (the load profile id 'municipality' is "
                         "given twice: was one of the two 'municipality-small'?)")  # not "did you mean 'municipality'?"


# ---- rule messages name the field and the rule ----------------------------------------------------


def test_an_unknown_target_or_then_is_named_as_that_field_of_that_rule(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    actors: [st-olavs, helse-more-og-romsdal]\n",
         "    actors: [st-olavs, helse-more-og-romsdal]\n  - type: after_live\n    first: alesund\n    then: orstaa\n"
         "  - type: with_or_before\n    id: gp-first\n    actor: alesund\n    target: orstaa\n")
    assert errors_of(data) == [
        f"{waves}:{line_of(waves, 'then: orstaa')}: after_live rule #3: then 'orstaa' is not an organisation in "
        "organisations.yaml (did you mean 'orsta'?)",
        f"{waves}:{line_of(waves, 'target: orstaa')}: with_or_before rule 'gp-first': target 'orstaa' is not an "
        "organisation in organisations.yaml (did you mean 'orsta'?)"]  # both said "actor 'orstaa'"


# ---- fields for other kinds are refused, not ignored ----------------------------------------------


@pytest.mark.parametrize("old, new, said", [
    ("    users: 3500\n", "    users: 3500\n    municipality: orsta\n",
     "alesund: municipality is only for kind gp_office (the municipality it is located in), and this is a "
     "municipality; remove it"),
    ("    users: 3500\n", "    users: 3500\n    part_of: st-olavs\n",
     "alesund: part_of is only for a hospital, lab or other unit of a health trust (the trust it belongs to), and "
     "this is a municipality; remove it"),
    ("    users: 20\n", "    users: 20\n    part_of: st-olavs\n",
     "orsta-legekontor: part_of is only for a hospital, lab or other unit of a health trust (the trust it belongs "
     "to), and this is a gp_office; remove it"),
])
def test_an_organisation_field_for_another_kind_is_refused(data: Path, old, new, said):
    path = data / "organisations.yaml"
    edit(path, old, new)
    assert error_of(data) == f"{path}:{line_of(path, new.strip().splitlines()[-1])}: {said}"


def test_a_population_weight_on_a_makespan_objective_is_refused(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "\npools:\n", "\nobjective:\n  kind: makespan\n  preferred_window_penalty: 5\n\npools:\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, 'preferred_window_penalty: 5')}: preferred_window_penalty "
                              "weighs a term of kind population, and this objective is kind makespan (its one term, "
                              "no weights); remove it, or write kind: population")
    edit(waves, "  preferred_window_penalty: 5\n", "")
    assert load_problem(data).waves.objective.kind == "makespan"


def test_a_source_note_for_a_field_given_as_null_is_refused(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n    source: {all: \"estimate: test data\"}\n",
         "    users: ~\n    source: {users: \"estimate: test data\", population: \"estimate: test data\"}\n")
    assert error_of(data).startswith(f"{path}:{line_of(path, 'source: {users:')}: orsta: source names 'users', a "
                                     "field this entry does not give")


# ---- messages say what would be right -------------------------------------------------------------


@pytest.mark.parametrize("written, said", [
    ("2025-1-5", "expected a date as YYYY-MM-DD, found '2025-1-5'; write 2025-01-05"),
    ("2025-01-15T10:00:00", "expected a date as YYYY-MM-DD without a time of day, found 2025-01-15T10:00:00; "
                            "write 2025-01-15"),
    ("2025-01-15 10:00", "expected a date as YYYY-MM-DD without a time of day, found '2025-01-15 10:00'; "
                         "write 2025-01-15"),
])
def test_a_date_written_loosely_is_told_the_date_to_write(data: Path, written, said):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", f"    users: 600\n    earliest: {written}\n")
    assert error_of(data) == f"{path}:{line_of(path, 'earliest: ' + written)}: orsta: earliest: {said}"


def test_a_missing_field_with_a_fixed_set_of_values_lists_them(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    status: planned\n", "")
    assert error_of(data) == (f"{path}:{line_of(path, 'id: orsta')}: orsta: missing field 'status'; write status: one "
                              "of live, planned, signed, optional, opted_out")


def test_an_id_that_differs_only_in_case_is_suggested(data: Path):
    path, waves = data / "organisations.yaml", data / "waves.yaml"
    edit(waves, "\npools:\n", "\ntracks:\n  - id: KI5\n\npools:\n")
    edit(path, "    users: 600\n", "    users: 600\n    track: ki5\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'track: ki5')}: track 'ki5' is not a track in waves.yaml (did "
                              "you mean 'KI5'?)")


def test_a_tab_before_a_comment_is_said_as_such(data: Path):
    path = data / "organisations.yaml"
    edit(path, "population: 10958\n", "population: 10958\t# SSB\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'population: 10958')}: invalid YAML: found character '\\t' that "
                              "cannot start any token (a tab before a comment, where YAML needs spaces: write spaces, "
                              "not tabs)")  # it said "in the indentation, or after a key's colon"
