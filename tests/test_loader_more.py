"""Bad input found by fuzzing (t-fuzz): each refused at its line, exit 2, no cascade, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, errors_of, line_of

from hpplan.loader import load_problem
from hpplan.yamlio import MAX_DEPTH




@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deep_nesting_is_refused_at_its_line_not_a_recursion_error(data: Path, depth: int):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\n    note: " + "[" * depth + "]" * depth + "\n")
    assert errors_of(data) == [f"{path}:{line_of(path, 'note: [')}: nested more than {MAX_DEPTH} levels deep (lists "
                               "or mappings within each other); hpplan's files need a few: check the brackets on this line"]


def test_nesting_within_the_bound_is_read(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\n    note: " + "[" * 10 + "]" * 10 + "\n")
    assert "note" in str(errors_of(data))  # read through to validation: a note is text, not a list


def test_an_empty_load_profile_list_loads_no_pool(data: Path):
    # said so, not refused: a milestone (PSPLIB's dummy activities) loads nothing
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\n    load_profile: []\n")
    problem = load_problem(data)
    assert problem.loads(problem.org["orsta"]) == []


def test_two_capacity_changes_for_one_month_are_refused_at_the_second(data: Path):
    path = data / "waves.yaml"
    edit(path, '  - {id: primary, sector: primary, fte: 72, source: {fte: "fact: seed 004"}}',
         '  - id: primary\n    sector: primary\n    fte: 72\n    source: {fte: "fact: seed 004"}\n    changes:\n'
         "      - {from: 2024-07, fte: 70}\n      - {from: 2024-08, fte: 60}\n      - {from: 2024-07, fte: 90}")
    first = line_of(path, "{from: 2024-07, fte: 70}")
    assert errors_of(data) == [f"{path}:{first + 2}: pool primary: a second capacity change from 2024-07 (first at "
                               f"line {first}); give one fte per month"]


def test_two_pools_of_one_sector_say_so_at_the_second_without_a_cascade(data: Path):
    path = data / "waves.yaml"
    edit(path, "{id: primary, sector: primary,", "{id: primary, sector: specialist,")
    messages = errors_of(data)
    assert messages == [
        f"{path}:{line_of(path, 'pools:')}: no pool in waves.yaml has sector primary, which 2 organisations load "
        "(alesund, orsta): give one pool `sector: primary`, or name a pool in their load profiles",
        f"{path}:{line_of(path, 'id: primary')}: pool 'primary': pool 'specialist' has sector specialist already "
        f"(first at line {line_of(path, 'id: specialist')}); one pool per sector (leave `sector` out where the load "
        "profiles name the pool)",
    ]


def test_a_planning_date_before_the_history_is_said_once_at_its_line(data: Path):
    orgs = data / "organisations.yaml"
    edit(orgs, "    status: planned\n", "    status: live\n    live_since: 2023-11-04\n")
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15", "planning_date: 2020-01-01")
    assert errors_of(data) == [
        f"{waves}:1: planning_date 2020-01-01 is not after the go-live of 2 live organisations (st-olavs 2023-11-04, "
        "orsta 2023-11-04): a live organisation's go-live is history, before the planning date. Give the day the plan "
        "starts from (after 2023-11-04), or check their live_since"]


def test_a_missing_planning_date_says_what_to_write(data: Path):
    edit(data / "waves.yaml", "planning_date: 2024-01-15\n", "")
    (message,) = errors_of(data)
    assert message.endswith("missing field 'planning_date'; write `planning_date: 2024-01-15`, the day the plan "
                            "starts from (windows before it are history)"), message


@pytest.mark.parametrize("written, read", [("0x10", "a hexadecimal number (16)"), ("1_000", "a number (1000)"),
                                           ("0b11", "a binary number (3)"), ("3_000.5", "a number (3000.5)")])
def test_numbers_in_other_forms_are_refused(data: Path, written: str, read: str):
    path = data / "organisations.yaml"
    edit(path, "population: 10958", f"population: {written}")
    assert errors_of(data) == [f"{path}:{line_of(path, 'population: ' + written)}: unquoted {written!r} would be read "
                               f"as {read}; write the number in decimal digits only ({read.split('(')[1]}, or quote "
                               "it where it is text (a name, an id)"]


def test_a_binary_tag_is_refused(data: Path):
    path = data / "organisations.yaml"
    edit(path, "name: Ørsta", "name: !!binary U2thdW4=")
    assert errors_of(data) == [f"{path}:{line_of(path, '!!binary')}: a !!binary value hides what it says (it is "
                               "base64); write the text out"]


def test_a_nul_byte_in_a_text_has_its_line_and_column(data: Path):
    path = data / "organisations.yaml"
    edit(path, "name: Ørsta", "name: Ør\x00sta")
    assert errors_of(data) == [f"{path}:{line_of(path, 'name: Ør')}: a control character (NUL, U+0000) at column 13; "
                               "remove it (text pasted from Word or Excel often brings these along)"]


def test_utf16_is_said_with_how_to_save_it_as_utf8(data: Path):
    path = data / "organisations.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    assert errors_of(data) == [f'{path}: UTF-16 text (Notepad calls it "Unicode"); save the file as UTF-8 '
                               "(in Notepad: Save as, Encoding: UTF-8)"]


def test_errors_of_one_file_are_in_the_order_of_their_lines(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n    users: 600\n", "    population: -1\n    users: -1\n")
    lines = [int(message.split(":")[1]) for message in errors_of(data)]
    assert lines == sorted(lines) and len(lines) == 2


def test_an_unclosed_quote_is_said_at_its_line_not_as_indentation(data: Path):
    path = data / "organisations.yaml"
    edit(path, "name: Ørsta", 'name: "Ørsta')
    line = line_of(path, 'name: "Ørsta')
    assert errors_of(data) == [f"{path}:{line}: invalid YAML: a quote \" that is not closed "
                               "on its line; close it (a value of several lines: use `|`)"]


def test_a_quoted_text_of_several_lines_is_still_read(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", '    users: 600\n    note: "one\n      two"\n')
    assert load_problem(data).org["orsta"].note == "one two"


@pytest.mark.parametrize("char, what", [("\r", "a line break no editor shows (U+000D"),
                                        ("\u00a0", "a non-breaking space (U+00A0: YAML reads it as a letter")])
def test_a_lone_carriage_return_or_a_non_breaking_space_is_refused_at_its_line(data: Path, char: str, what: str):
    path = data / "organisations.yaml"
    line = line_of(path, "population: 10958")
    path.write_bytes(path.read_bytes().replace(b"population: 10958", f"population:{char}10958".encode(), 1))
    (message,) = errors_of(data)
    assert message.startswith(f"{path}:{line}: {what}") and "at column 16" in message, message


def test_a_non_breaking_space_inside_text_is_text(data: Path):
    # only where YAML needs a space is it refused: "1 000 innbyggere" from a Word document is a note
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", '    users: 600\n    note: "1\u00a0000 innbyggere"\n')
    assert load_problem(data).org["orsta"].note == "1\u00a0000 innbyggere"
