"""Session 25, a Norwegian data maintainer's slips (nordic report items 6, 7, 9, 10): a name that starts with a
character YAML reads otherwise, numbers as a word processor writes them, ids pasted with what no one sees, a
UTF-16 file, an empty source note and the command line's quick forms: each said at its line with what to write,
and what it says to write is then taken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import edit, error_of, line_of

from hpplan.errors import InputError
from hpplan.loader import load_problem
from hpplan.scenario import apply_quick

# ---- item 6: a name that starts with a character YAML gives a meaning -----------------------------------


@pytest.mark.parametrize("name, means", [
    ("*Ørsta", "an alias (a reference to an anchor)"),
    ("&Ørsta", "an anchor"),
    ("!Ørsta", "a tag (a type)"),
    ("!Orsta", "a tag (a type)"),  # (ASCII: PyYAML reads the tag, and had no constructor for it)
    ("| Ørsta", "a block of text (on the lines below)"),
    (">Ørsta", "a folded block of text (on the lines below)"),
    ("@Ørsta", "refused ('@' is reserved)"),
    ("`Ørsta`", "refused ('`' is reserved)"),
    ("%Ørsta", "refused ('%' is reserved for directives)"),
    ("- Ørsta", "a list entry"),
    ("? Ørsta", "a mapping key"),
])
def test_a_name_that_starts_with_a_yaml_character_is_told_the_quotes_to_write(data: Path, name: str, means: str):
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", f"    name: {name}  # kommune\n")
    assert error_of(data) == (f"{path}:{line_of(path, f'name: {name}')}: invalid YAML: an unquoted value that "
                              f"starts with {name[0]!r} is {means} in YAML; where it is text, put it in quotes: "
                              f"name: \"{name}\"")
    edit(path, f"    name: {name}  # kommune\n", f"    name: \"{name}\"  # kommune\n")  # as it says
    assert load_problem(data).org["orsta"].name == name


def test_an_ascii_alias_for_a_name_is_told_the_quotes_too(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", "    name: *Orsta\n")
    message = error_of(data)
    assert message.startswith(f"{path}:{line_of(path, 'name: *Orsta')}: YAML anchors and aliases")
    assert message.endswith("where it is text, put it in quotes: name: \"*Orsta\"")


def test_a_name_after_a_hash_is_said_to_be_a_comment(data: Path):
    # `name: #1 Ørsta` said "expected text, found nothing (null)": nothing of the comment
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", "    name: #1 Ørsta \"legevakt\"\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'name: #1')}: orsta: name: expected text, found nothing: in YAML "
                              "' #' starts a comment, so '#1 Ørsta \"legevakt\"' is one, not the value; where it is "
                              "the value, put it in quotes: name: '#1 Ørsta \"legevakt\"'")
    edit(path, "    name: #1 Ørsta \"legevakt\"\n", "    name: '#1 Ørsta \"legevakt\"'\n")
    assert load_problem(data).org["orsta"].name == "#1 Ørsta \"legevakt\""


# ---- item 7: numbers as a word processor writes them ----------------------------------------------------


@pytest.mark.parametrize("written, said, meant", [
    ("10958,0", "'10958,0'; write 10958 (a whole number, in digits only: no decimal comma)", 10958),
    ("10\u2009958", "'10\\u2009958'; write 10958 (digits only, no spaces)", 10958),
    ("10\u202f958", "'10\\u202f958'; write 10958 (digits only, no spaces)", 10958),
    ("10\u00a0958", "'10\\xa0958'; write 10958 (digits only, no spaces)", 10958),
    ("10958 innbyggere", "'10958 innbyggere'; write 10958 (the number alone, without 'innbyggere')", 10958),
    ("10.958.0", "'10.958.0'; write 10958 (digits only, no thousands dot)", 10958),
    ("10 958,5", "'10 958,5'; write 10958 or 10959 (a whole number; 10958,5 is 10958.5)", 10958),
    ("−5", "'−5'; write a whole number from 0 to 100000000 (in decimal digits; no negative number is taken here; "
           "a minus is '-', not '−' U+2212)", None),
])
def test_a_population_written_by_hand_is_told_its_digits(data: Path, written: str, said: str, meant: int | None):
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n", f"    population: {written}\n")
    assert error_of(data) == (f"{path}:{line_of(path, f'population: {written}')}: orsta: population: expected a "
                              f"whole number, found {said}")
    if meant is not None:
        edit(path, f"    population: {written}\n", f"    population: {meant}\n")
        assert load_problem(data).org["orsta"].population == meant


@pytest.mark.parametrize("written, said, meant", [
    ("72 FTE", "'72 FTE'; write 72 (the number alone, without 'FTE')", 72),
    ("57,6", "'57,6'; write 57.6 (a decimal point, not a comma)", 57.6),
    ("72.0.0", "'72.0.0'; write the number with one decimal point at most: 72.0.0 has 2 (72, if '.0' at its end "
               "is a slip)", 72),
    ("1\u2009000,5", "'1\\u2009000,5'; write 1000.5 (a decimal point, not a comma, and no spaces)", 1000.5),
    ("−5.5", "'−5.5'; write a number from 0 to 100000 (in decimal digits; no negative number is taken here; a minus "
             "is '-', not '−' U+2212)", None),
])
def test_a_pools_fte_written_by_hand_is_told_its_digits(data: Path, written: str, said: str, meant: float | None):
    path = data / "waves.yaml"
    edit(path, "  - {id: primary, sector: primary, fte: 72, source: {fte: \"fact: seed 004\"}}\n",
         f"  - id: primary\n    sector: primary\n    fte: {written}\n    source: {{fte: \"fact: seed 004\"}}\n")
    assert error_of(data) == f"{path}:{line_of(path, f'fte: {written}')}: primary: fte: expected a number, found {said}"
    if meant is not None:
        edit(path, f"    fte: {written}\n", f"    fte: {meant}\n")
        assert load_problem(data).waves.pools[1].fte == meant


def test_a_number_and_an_unquoted_thin_space_is_not_said_to_be_in_quotes(data: Path):
    # `users: 600` and a thin space (U+2009) said "found the text '600\u2009' in quotes": there are none
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\u2009\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'users: 600')}: orsta: users: expected a whole number in decimal "
                              "digits, found '600\\u2009' with a thin space (U+2009), which YAML reads as text; "
                              "write 600")
    edit(path, "    users: 600\u2009\n", "    users: \"600\u2009\"\n")  # in quotes it is said so
    assert "found the text '600\\u2009' in quotes; write 600 (no quotes)" in error_of(data)


# ---- item 9: an id pasted with what no one sees -----------------------------------------------------


@pytest.mark.parametrize("written, told", [
    ("ors\u00adta", "'ors\\xadta' holds an invisible soft hyphen (U+00AD): write 'orsta'"),
    ("orsta\u200b", "'orsta\\u200b' holds an invisible zero width space (U+200B): write 'orsta'"),
    ("\uff4frsta", "'\uff4frsta' holds a wide form of a letter, fullwidth latin small letter o (U+FF4F) for the "
                   "ASCII 'o': write 'orsta'"),
    ("orsta,alesund", "'orsta,alesund' is 2 ids separated by a comma: give the option once per id: --exclude orsta "
                      "--exclude alesund"),
])
def test_an_id_on_the_command_line_is_told_the_id_it_is(data: Path, written: str, told: str):
    # 'ors\xadta' was "did you mean 'ors-ta'?", 'ｏrsta' "did you mean 'rsta'?", 'orsta,alesund' 'orsta-alesund'
    problem = load_problem(data)
    with pytest.raises(InputError) as error:
        apply_quick(problem, exclude=[written])
    message = str(error.value)
    assert message.endswith(told), message
    assert all(named in problem.org for named in re.findall(r"write '([^']+)'", told))


def test_an_id_in_the_data_pasted_with_a_soft_hyphen_is_told_the_id(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    municipality: orsta\n", "    municipality: ors\u00adta\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'municipality: ors')}: orsta-legekontor: municipality: "
                              "'ors\\xadta' is not an id: ids are ASCII letters, digits, '-', '_' and '.', the first a "
                              "letter or digit; 'ors\\xadta' holds an invisible soft hyphen (U+00AD): write 'orsta'")


def test_a_name_with_a_comma_where_an_id_belongs_is_no_list_of_ids(data: Path):
    path = data / "organisations.yaml"
    edit(path, "  - id: orsta\n", "  - id: Ørsta, Volda kommune\n")
    assert error_of(data).endswith("did you mean 'orsta-volda-kommune'?")


# ---- item 10: a UTF-16 file, an empty source note, the quick forms -----------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_told_to_be_saved_as_utf8(data: Path, encoding: str):
    path = data / "waves.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    assert error_of(data) == (f"{path}: UTF-16 text (Notepad calls it \"Unicode\"); save the file as UTF-8 (in "
                              "Notepad: Save as, Encoding: UTF-8)")


def test_a_picture_is_still_binary_data(data: Path):
    (data / "waves.yaml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "binary data" in error_of(data) and "UTF-16" not in error_of(data)


@pytest.mark.parametrize("note", ["fact:", "Fact :  ", "estimate:", "inferred: "])
def test_an_empty_source_note_is_no_source(data: Path, note: str):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n    source: {all: \"estimate: test data\"}\n",
         f"    users: 600\n    source:\n      all: \"{note}\"\n")
    kind = note.split(":")[0].strip().lower()
    example = {"fact": "fact: SSB 2024-01-01", "estimate": "estimate: 5.5 % of population",
               "inferred": "inferred: the track's window"}[kind]
    line = line_of(path, f"all: \"{note}\"")
    assert error_of(data) == (f"{path}:{line}: orsta: source note for 'all' is {note!r}, "
                              "with nothing after the colon; a note says where the value comes from or how it was "
                              f"estimated: write e.g. {example!r}")


def test_a_source_note_in_capitals_is_its_kind(data: Path):
    # docs/data-format.md: the kind is read in upper or lower case and with spaces before the colon
    path = data / "waves.yaml"
    edit(path, "fte: 72, source: {fte: \"fact: seed 004\"}", "fte: 72, source: {fte: \"Fact : seed 004\"}")
    assert not load_problem(data).waves.pools[1].is_estimate("fte")


def test_the_quick_forms_say_what_to_write(data: Path):
    problem = load_problem(data)
    with pytest.raises(InputError) as error:
        apply_quick(problem, postpone=["orsta=01.01.2026", "orsta=2026"], capacity=["primary=57,6", "primary=80,5%"])
    assert str(error.value).splitlines() == [
        "--postpone: 'orsta=01.01.2026': expected ID=YYYY-MM-DD, found the date '01.01.2026'; write orsta=2026-01-01",
        "--postpone: 'orsta=2026': expected ID=YYYY-MM-DD, e.g. helse-more-og-romsdal=2024-10-01",
        "--capacity: 'primary=57,6': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the FTE '57,6'; "
        "write primary=57.6: the FTE 57.6 (a decimal point, not a comma)",
        "--capacity: 'primary=80,5%': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the percentage "
        "'80,5'; write primary=80.5%: the percentage 80.5 (a decimal point, not a comma)"]
    # what they say to write is taken
    changed = apply_quick(problem, postpone=["orsta=2026-01-01"], capacity=["primary=57.6"])
    assert str(changed.org["orsta"].earliest) == "2026-01-01" and changed.waves.pools[1].fte == 57.6
    assert apply_quick(problem, capacity=["primary=80.5%"]).waves.pools[1].fte == pytest.approx(72 * 0.805)


# ---- recheck-l items 2 and 6: what a message says to write is taken ----------------------------------------
# (each advice followed literally led to the next error: `write -5` to "greater than or equal to 0", digits
# beyond the range to "less than or equal to", "a list, [a, b]" inside a list to "takes one value, not a list")


@pytest.mark.parametrize("line, written, said", [
    ("    population: 10958\n", "−10958", "population: expected a whole number, found '−10958'; write a whole "
     "number from 0 to 100000000 (in decimal digits; no negative number is taken here; a minus is '-', not '−' "
     "U+2212)"),
    ("    users: 600\n", "−5", "users: expected a whole number, found '−5'; write a whole number from 0 to 10000000 "
     "(in decimal digits; no negative number is taken here; a minus is '-', not '−' U+2212)"),
    ("    population: 10958\n", "1.000.000.000", "population: expected a whole number, found '1.000.000.000'; "
     "write a whole number from 0 to 100000000 (in decimal digits; 1.000.000.000 is more than that)"),
    ("    population: 10958\n", "1 000 000 000", "population: expected a whole number, found '1 000 000 000'; "
     "write a whole number from 0 to 100000000 (in decimal digits; 1 000 000 000 is more than that)"),
    ("    population: 10958\n", "99999999999999999999,0", "population: expected a whole number, found "
     "'99999999999999999999,0'; write a whole number from 0 to 100000000 (in decimal digits; "
     "99999999999999999999,0 is more than that)"),
    ("    population: 10958\n", "12345678901234567,0", "population: expected a whole number, found "
     "'12345678901234567,0'; write a whole number from 0 to 100000000 (in decimal digits; 12345678901234567,0 is "
     "more than that)"),
    ("    users: 600\n", "1.000.000.000", "users: expected a whole number, found '1.000.000.000'; write a whole "
     "number from 0 to 10000000 (in decimal digits; 1.000.000.000 is more than that)"),
])
def test_a_number_the_field_refuses_is_told_the_fields_range_not_digits(data: Path, line: str, written: str,
                                                                         said: str):
    path = data / "organisations.yaml"
    field = line.split(":")[0].strip()
    edit(path, line, f"    {field}: {written}\n")
    assert error_of(data) == f"{path}:{line_of(path, f'{field}: {written}')}: orsta: {said}"


@pytest.mark.parametrize("written, said", [
    ("−5", "'−5'; write a number from 0 to 100000 (in decimal digits; no negative number is taken here; a minus "
           "is '-', not '−' U+2212)"),
    ("1e30 FTE", "'1e30 FTE'; write a number from 0 to 100000 (in decimal digits; 1e30 is more than that; the "
                 "number alone, without 'FTE')"),  # (was "the largest: a population of at most 100000000")
    ("1.000.000", "'1.000.000'; write a number from 0 to 100000 (in decimal digits; 1.000.000 is more than that)"),
    ("172,000", "'172,000'; write 172 (a decimal point, not a comma)"),  # 172000 is more than a pool takes
])
def test_a_pools_fte_beyond_its_range_is_told_the_range(data: Path, written: str, said: str):
    path = data / "waves.yaml"
    edit(path, "  - {id: primary, sector: primary, fte: 72, source: {fte: \"fact: seed 004\"}}\n",
         f"  - id: primary\n    sector: primary\n    fte: {written}\n    source: {{fte: \"fact: seed 004\"}}\n")
    assert error_of(data) == f"{path}:{line_of(path, f'fte: {written}')}: primary: fte: expected a number, found {said}"


def test_a_scenarios_capacity_with_a_typographic_minus_is_told_the_range(data: Path):
    from hpplan.scenario import apply_scenarios

    scenario = data / "cut.yaml"
    scenario.write_text("base: data\ndescription: cut\nchanges:\n  - op: capacity\n    pool: primary\n    fte: −5\n"
                        "    from: 2024-07\n    note: \"estimate: test\"\n", encoding="utf-8")
    message = error_of(lambda: apply_scenarios(load_problem(data), scenario))
    assert message.startswith(f"{scenario}:6:") and "write -5" not in message
    assert "write a number from 0 to 100000 (in decimal digits; no negative number is taken here" in message


def test_a_thousands_dot_and_a_decimal_comma_of_a_whole_number_is_no_decimal_point(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n", "    population: 10.958,0\n")
    assert error_of(data).endswith("found '10.958,0'; write 10958 (digits only, no thousands dot, no decimal comma)")


def test_two_ids_joined_by_a_comma_in_a_list_are_told_the_list_with_both(data: Path):
    path = data / "waves.yaml"
    edit(path, "    actors: [st-olavs, helse-more-og-romsdal]\n",
         "    actors: [st-olavs, \"helse-more-og-romsdal,orsta\"]\n")
    assert error_of(data).endswith("'helse-more-og-romsdal,orsta' is 2 ids separated by a comma: write each as an "
                                   "item of its own: [st-olavs, helse-more-og-romsdal, orsta]")
    edit(path, "    actors: [st-olavs, \"helse-more-og-romsdal,orsta\"]\n",
         "    actors: [st-olavs, helse-more-og-romsdal, orsta]\n")  # as it says
    assert load_problem(data).waves.rules[1].actors == ["st-olavs", "helse-more-og-romsdal", "orsta"]


@pytest.mark.parametrize("line, written, one", [
    ("  - id: orsta\n", "  - id: orsta,volda\n", "orsta or volda"),
    ("    preferred_window: 2024-04\n", "    preferred_window: \"2024-04,2024-09\"\n", "2024-04 or 2024-09"),
])
def test_two_ids_joined_by_a_comma_where_one_belongs_are_told_to_give_one(data: Path, line: str, written: str,
                                                                         one: str):
    path = data / "organisations.yaml"
    edit(path, line, written)
    message = error_of(data)
    assert message.endswith(f"is 2 ids separated by a comma: one id only belongs here: write one of them ({one})")
    assert "[" not in message.split("separated by a comma")[1]  # no list where one value belongs


def test_a_capacity_with_a_decimal_comma_and_a_dotted_month_is_told_the_whole_form(data: Path):
    problem = load_problem(data)
    with pytest.raises(InputError) as error:
        apply_quick(problem, capacity=["primary=57,6@07.2024", "primary=57.6@07.2024", "primary=−5",
                                       "primary=57,6@2024-13"])
    assert str(error.value).splitlines() == [
        "--capacity: 'primary=57,6@07.2024': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the FTE "
        "'57,6' and the month '07.2024'; write primary=57.6@2024-07: the FTE 57.6 (a decimal point, not a comma), "
        "the month as YYYY-MM",
        "--capacity: 'primary=57.6@07.2024': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the month "
        "'07.2024'; write primary=57.6@2024-07: the month as YYYY-MM",
        "--capacity: 'primary=−5': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the FTE '−5': write "
        "a number from 0 to 100000 (in decimal digits; no negative number is taken here; a minus is '-', not '−' "
        "U+2212)",
        "--capacity: 'primary=57,6@2024-13': expected POOL=FTE[@YYYY-MM] or POOL=PERCENT%[@YYYY-MM], found the FTE "
        "'57,6': write 57.6 (a decimal point, not a comma); and the month '2024-13': write a month as YYYY-MM (e.g. "
        "2024-07)"]
    apply_quick(problem, capacity=["primary=57.6@2024-07"])  # as it says: taken


def test_two_pools_joined_by_a_comma_are_one_error_with_the_option_once_per_pool(data: Path):
    # it was two errors, the second "not a pool (did you mean 'specialist'?)"
    problem = load_problem(data)
    with pytest.raises(InputError) as error:
        apply_quick(problem, capacity=["primary,specialist=80%"])
    assert str(error.value).endswith("'primary,specialist' is 2 ids separated by a comma: give the option once per "
                                     "id: --capacity primary=80% --capacity specialist=80%")
    assert "\n" not in str(error.value)


def test_a_postpone_with_a_name_and_a_dotted_date_is_told_both_at_once(data: Path):
    # `Ørsta=01.01.2026` was told `write Ørsta=2026-01-01`, then refused for its id on the next run
    problem = load_problem(data)
    with pytest.raises(InputError) as error:
        apply_quick(problem, postpone=["Ørsta=01.01.2026"])
    assert str(error.value) == ("--postpone: 'Ørsta=01.01.2026': expected ID=YYYY-MM-DD, found the date '01.01.2026' "
                                "and the name 'Ørsta'; write orsta=2026-01-01")
    assert str(apply_quick(problem, postpone=["orsta=2026-01-01"]).org["orsta"].earliest) == "2026-01-01"


def test_a_source_note_with_only_a_zero_width_space_after_the_colon_is_no_source(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n    source: {all: \"estimate: test data\"}\n",
         "    users: 600\n    source:\n      all: \"fact:\u200b\"\n")
    line = line_of(path, 'all: "fact:')
    assert error_of(data) == (f"{path}:{line}: orsta: source note for 'all' is "
                              "'fact:\\u200b', with nothing after the colon; a note says where the value comes from or "
                              "how it was estimated: write e.g. 'fact: SSB 2024-01-01'")
