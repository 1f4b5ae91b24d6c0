"""Bad input gets a clear `file:line: what is wrong` error, never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import edit, line_of

from hpplan.errors import InputError, InputErrors
from hpplan.loader import load_problem

TINY = Path(__file__).parent / "data" / "tiny"


def error_of(folder: Path) -> str:
    with pytest.raises(InputError) as info:
        load_problem(folder)
    return str(info.value)


def test_the_tiny_data_loads():
    problem = load_problem(TINY)
    assert [o.id for o in problem.plannable] == ["helse-more-og-romsdal", "alesund", "orsta", "orsta-legekontor"]
    assert problem.org["alesund"].at.line == line_of(TINY / "organisations.yaml", "id: alesund")


def test_missing_folder_and_missing_file(tmp_path: Path, data: Path):
    assert "no such data folder" in error_of(tmp_path / "nowhere")
    (data / "waves.yaml").unlink()
    assert error_of(data) == f"{data / 'waves.yaml'}: no such file"


def test_empty_file(data: Path):
    (data / "waves.yaml").write_text("# nothing here\n")
    assert "waves.yaml:1: file is empty" in error_of(data)


def test_binary_garbage(data: Path):
    (data / "organisations.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    assert "binary data" in error_of(data)
    (data / "organisations.yaml").write_bytes(b"organisations:\n  - id: \xff\xfe\n")
    assert "organisations.yaml:2: not UTF-8" in error_of(data)


def test_absurd_size(data: Path):
    (data / "organisations.yaml").write_text("organisations:\n" + "  - x\n" * 1_000_000)
    assert "at most 5 242 880 are read" in error_of(data)


def test_duplicate_key(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", "    name: Ørsta\n    name: Orsta\n")
    line = line_of(path, "name: Orsta")
    assert error_of(data) == f"{path}:{line}: duplicate key 'name' (first at line {line - 1}); a key may appear once per mapping"


def test_billion_laughs_is_refused(data: Path):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    (data / "waves.yaml").write_text(bomb)
    assert "waves.yaml:1: YAML anchors and aliases" in error_of(data)


def test_unquoted_norway_is_refused(data: Path):
    path = data / "organisations.yaml"
    edit(path, "id: orsta\n", "id: NO\n")
    line = line_of(path, "id: NO")
    message = error_of(data)
    assert message.startswith(f"{path}:{line}: unquoted 'NO' is a boolean in YAML 1.1")
    edit(path, "id: NO\n", "id: 'NO'\n")
    # quoted, it is text, and then the GP office's municipality 'orsta' no longer exists
    assert "municipality 'orsta' is not an organisation" in error_of(data)


def test_unknown_field_with_did_you_mean(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n", "    populaton: 10958\n")
    message = error_of(data)
    assert f"{path}:{line_of(path, 'populaton')}: orsta: unknown field 'populaton' (did you mean 'population'?)" in message


def test_unknown_id_with_did_you_mean(data: Path):
    path = data / "waves.yaml"
    edit(path, "actors: [st-olavs, helse-more-og-romsdal]", "actors: [st-olavs, helse-more-og-romsdl]")
    message = error_of(data)
    assert f"{path}:{line_of(path, 'actors: [st-olavs, helse-more-og-romsdl]')}:" in message  # the line of the id
    assert "'helse-more-og-romsdl' is not an organisation in organisations.yaml (did you mean 'helse-more-og-romsdal'?)" in message


def test_unknown_rule_type(data: Path):
    path = data / "waves.yaml"
    edit(path, "type: order", "type: ordr")
    assert "unknown rule type 'ordr' (did you mean 'order'?)" in error_of(data)


def test_wrong_types_and_values(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: many\n")
    assert f"{path}:{line_of(path, 'users: many')}: orsta: users: Input should be a valid integer" in error_of(data)


def test_true_or_false_is_not_a_number(data: Path):
    # pydantic reads true as 1: `population: true` planned a municipality of one person
    path = data / "organisations.yaml"
    edit(path, "population: 58509", "population: true")
    # named with its organisation, as the other value errors are ("orsta: users: ...")
    assert f"{path}:{line_of(path, 'population: true')}: alesund: population: expected a number, found true" in \
        error_of(data)
    shutil.copy(TINY / "organisations.yaml", path)
    waves = data / "waves.yaml"
    edit(waves, "  - max_trusts: 1", "  - max_trusts: false")
    edit(waves, "fte: 72,", "fte: true,")
    message = error_of(data)
    assert f"{waves}:{line_of(waves, 'max_trusts: false')}: limit #1: max_trusts: expected a number, found false" in message
    assert f"{waves}:{line_of(waves, 'fte: true')}: primary: fte: expected a number, found true" in message


def test_a_horizon_before_the_planning_date(data: Path):
    # it checked no month's load at all: a plan without capacity, and `check` said OK
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", "planning_date: 2024-01-15\nhorizon_end: 2023-01-01\n")
    assert (f"{waves}:{line_of(waves, 'horizon_end')}: horizon_end 2023-01-01 is before the planning date "
            "2024-01-15") in error_of(data)


@pytest.mark.parametrize("entry", [
    "limits:\n  - {max_actors: 2, windows: []}\n",
    "limits:\n  - {max_actors: 2, kinds: []}\n",
    "blackouts:\n  - {from: 2024-04-01, to: 2024-05-01, reason: test, actors: []}\n",
    "blackouts:\n  - {from: 2024-04-01, to: 2024-05-01, reason: test, kinds: []}\n",
])
def test_an_empty_list_of_windows_kinds_or_actors_is_refused(data: Path, entry: str):
    # the model read `windows: []` as no window and the verifier as every window: solve called a plan
    # optimal that check then failed. Leaving the field out means all; an empty list means nothing clear
    waves = data / "waves.yaml"
    key = entry.split(":")[0]
    text = waves.read_text(encoding="utf-8")
    if f"\n{key}:\n" in text:
        text = text.replace(f"\n{key}:\n", "\n" + entry, 1)
    else:
        text += "\n" + entry
    waves.write_text(text, encoding="utf-8")
    message = error_of(data)
    assert "an empty list; name at least one, or leave" in message and f"{waves}:" in message, message


def test_history_in_a_window_on_or_after_the_planning_date_is_refused(tmp_path: Path):
    # live since the day before a window that is on the planning date: the model counted it as history
    # (outside the window's limits), the verifier as a go-live in that window; solve then ended with an
    # internal error. Such data is now refused at the organisation's line
    from helpers import build, org

    from hpplan.loader import check_references

    windows = [{"id": "h", "date": "2023-11-04"}, {"id": "w0", "date": "2024-01-15"},
               {"id": "w1", "date": "2024-02-10"}]
    with pytest.raises(InputError, match=r"p: live_since 2024-01-12 puts it in window w0 \(2024-01-15\), which is "
                                         r"not before the planning date 2024-01-15"):
        check_references(build([org("p", status="live", live_since="2024-01-12"), org("a")], windows=windows))
    check_references(build([org("p", status="live", live_since="2023-11-04"), org("a")], windows=windows))


def test_impossible_date(data: Path):
    path = data / "waves.yaml"
    edit(path, "date: 2024-02-10", "date: 2024-02-30")
    assert f"{path}:{line_of(path, '2024-02-30')}: cannot read value '2024-02-30'" in error_of(data)


def test_numbers_need_a_source_note(data: Path):
    path = data / "organisations.yaml"
    text = path.read_text(encoding="utf-8").replace('    source: {all: "estimate: test data"}\n', "", 1)
    path.write_text(text, encoding="utf-8")
    assert "users is given without a source note" in error_of(data) or "population is given without a source note" in error_of(data)


def test_source_notes_say_fact_estimate_or_inferred(data: Path):
    edit(data / "organisations.yaml", '{all: "estimate: test data"}', '{all: "guess"}')
    assert "must start with 'fact:', 'estimate:' or 'inferred:'" in error_of(data)


def test_a_note_that_starts_with_the_letters_of_fact_is_no_fact(data: Path):
    # "factored from the population: our estimate" was taken as a fact: no estimate mark anywhere
    edit(data / "organisations.yaml", '{all: "estimate: test data"}', '{all: "factored from the population"}')
    assert "must start with 'fact:', 'estimate:' or 'inferred:'" in error_of(data)
    from hpplan.schema import Organisation

    org = Organisation.model_validate({"id": "a", "name": "A", "kind": "municipality", "status": "planned",
                                       "population": 5, "source": {"all": "Fact : SSB", "users": "estimate: x"}})
    assert not org.is_estimate("population") and org.is_estimate("users")


def test_live_needs_a_date_and_the_date_is_history(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    live_since: 2023-11-04\n", "    live_since: 2024-03-01\n")
    assert "is not before the planning date" in error_of(data)
    edit(path, "    live_since: 2024-03-01\n", "")
    assert "status live needs live_since" in error_of(data)


def test_several_errors_are_reported_together(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    kind: municipality\n", "    kind: kommune\n")
    edit(path, "    status: planned\n", "    status: maybe\n")
    message = error_of(data)
    assert message.count("\n") >= 1
    assert "kind" in message and "status" in message


def test_preferred_window_must_be_a_future_window(data: Path):
    edit(data / "organisations.yaml", "preferred_window: 2024-04", "preferred_window: 2023-11")
    assert "is before the planning date" in error_of(data)


def test_a_control_character_is_refused_at_its_line_even_in_a_comment(data: Path):
    # PyYAML refuses them before parsing, without a line: a traceback and exit 1 ("infeasible") for a
    # form feed from Excel in a comment, or Word's manual line break (a vertical tab) in a name
    waves = data / "waves.yaml"
    lines = len(waves.read_text(encoding="utf-8").splitlines())
    waves.write_text(waves.read_text(encoding="utf-8") + "# exported from Excel\x0c\n", encoding="utf-8")
    assert error_of(data).startswith(f"{waves}:{lines + 1}: a control character (form feed, U+000C) at column 22; "
                                     "remove it")
    shutil.copy(TINY / "waves.yaml", waves)
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", "    name: Ørsta\x0bkommune\n")
    assert error_of(data).startswith(f"{path}:{line_of(path, 'name: Ørsta')}: a control character (vertical tab, "
                                     "Word's manual line break, U+000B) at column 16")


@pytest.mark.parametrize("char", ["\u0085", "\u2028", "\u2029"])
def test_a_line_break_no_editor_shows_is_refused(data: Path, char: str):
    # YAML counts a line at NEL and the Unicode separators: accepted, they put every later file:line off
    path = data / "organisations.yaml"
    line = line_of(path, "name: Ørsta")
    edit(path, "    name: Ørsta\n", f'    name: "Ør{char}sta"\n')
    said = error_of(data)
    assert said.startswith(f"{path}:{line}: a line break no editor shows (U+{ord(char):04X}"), said


def test_a_cost_of_delay_must_be_a_finite_number(data: Path):
    # `.inf` was accepted, and `hpplan compare` then failed with OverflowError
    path = data / "organisations.yaml"
    for written, shown in ((".inf", ".inf"), (".nan", ".nan")):
        shutil.copy(TINY / "organisations.yaml", path)
        edit(path, "    users: 600\n", f"    users: 600\n    postponement_cost_per_month: {written}\n")
        line = line_of(path, "postponement_cost_per_month")
        assert error_of(data) == f"{path}:{line}: orsta: postponement_cost_per_month: expected a finite number, found {shown}"
    shutil.copy(TINY / "organisations.yaml", path)
    waves = data / "waves.yaml"
    edit(waves, "fte: 72,", "fte: .nan,")  # it said "should be less than or equal to 100000"
    assert f"{waves}:{line_of(waves, 'fte: .nan')}: primary: fte: expected a finite number, found .nan" in error_of(data)


@pytest.mark.parametrize("file, old, new, message", [
    ("organisations.yaml", "    preferred_window: 2024-04\n", "    preferred_window: 2024-4\n",
     "helse-more-og-romsdal: preferred_window '2024-4' is not a window in waves.yaml (did you mean '2024-04'?)"),
    ("organisations.yaml", "    municipality: orsta\n", "    municipality: orstaa\n",
     "municipality 'orstaa' is not an organisation"),
    ("organisations.yaml", "    kind: health_trust\n    status: signed\n",
     "    kind: hospital\n    status: signed\n    part_of: orsta\n",
     "part_of 'orsta' is a municipality, expected a health_trust"),
    ("organisations.yaml", "    users: 600\n", "    users: 600\n    track: fast\n", "track 'fast' is not a track"),
    ("organisations.yaml", "    users: 600\n", "    users: 600\n    load_profile: municipalty\n",
     "load_profile 'municipalty' is not in waves.yaml load_profiles"),
    ("organisations.yaml", "    live_since: 2023-11-04\n", "    live_since: 2024-11-04\n",
     "st-olavs: live_since 2024-11-04 is not before the planning date"),
    ("organisations.yaml", "    users: 600\n", "    users: 600\n    postponement_cost_per_month: 2\n    earliest: 2024-02-01\n",
     "orsta: postponement_cost_per_month is given without a source note"),
    ("organisations.yaml", "    users: 600\n", "    users: 600\n    earliest: 2024-05-01\n    latest: 2024-04-01\n",
     "orsta: earliest 2024-05-01 is after latest 2024-04-01"),
    ("waves.yaml", "actors: [st-olavs, helse-more-og-romsdal]", "actors: [st-olavs, helse-more-og-romsdl]",
     "order rule #2: actor 'helse-more-og-romsdl' is not an organisation"),
])
def test_a_reference_error_points_at_the_wrong_value_not_at_the_id(data: Path, file, old, new, message):
    # they all pointed at the `- id:` line of the organisation (or at a rule's first line)
    path = data / file
    if "source note" in message:
        edit(path, '    source: {all: "estimate: test data"}\n\n  - id: orsta-',
             '    source: {users: "estimate: test data", population: "estimate: test data"}\n\n  - id: orsta-')
    edit(path, old, new)
    wrong = new.strip().splitlines()[-1] if "source note" not in message else "postponement_cost_per_month"
    if "part_of" in message:
        wrong = "part_of: orsta"
    assert error_of(data).startswith(f"{path}:{line_of(path, wrong)}: {message}"), (wrong, error_of(data))


def test_a_duplicate_id_says_where_the_first_is(data: Path):
    path = data / "organisations.yaml"
    edit(path, "  - id: orsta-legekontor\n", "  - id: alesund\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'name: Ørsta legekontor') - 1}: duplicate organisation id "
                              f"'alesund' (first at line {line_of(path, 'id: alesund')}); each id may be used once")


def test_items_without_an_id_are_counted_from_one(data: Path):
    # they were named by their list index: "waves.yaml:100: 0: from ... is after to ..."
    waves = data / "waves.yaml"
    edit(waves, "\nwindows:\n", "\nblackouts:\n  - {from: 2024-08-15, to: 2024-06-15, reason: summer}\nwindows:\n")
    assert error_of(data) == f"{waves}:{line_of(waves, 'reason: summer')}: blackout #1: from 2024-08-15 is after to 2024-06-15; swap them (from is the first day barred, to the last)"
    shutil.copy(TINY / "waves.yaml", waves)
    edit(waves, "before: [5, 10]", "before: [5, x]")
    assert "municipality: before #2: Input should be a valid number" in error_of(data)
    path = data / "organisations.yaml"
    edit(path, "  - id: orsta\n", "  - name_: orsta\n")
    assert f"{path}:{line_of(path, 'name_: orsta')}: organisation #4: missing field 'id'" in error_of(data)
    edit(path, "  - name_: orsta\n", "  - id: null\n")
    assert f"{path}:{line_of(path, 'id: null')}: organisation #4: id: expected text, found nothing (null)" in error_of(data)


def test_an_id_says_what_it_may_hold_and_suggests_one(data: Path):
    path = data / "organisations.yaml"
    edit(path, "  - id: alesund\n", "  - id: Ålesund sjukehus\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'Ålesund sjukehus')}: Ålesund sjukehus: id: 'Ålesund sjukehus' "
                              "is not an id: ids are ASCII letters, digits, '-', '_' and '.', the first a letter or "
                              "digit; did you mean 'alesund-sjukehus'?")


@pytest.mark.parametrize("written, said", [
    ("20240115", "expected a date as YYYY-MM-DD, found 20240115"),
    ("0", "expected a date as YYYY-MM-DD, found 0"),  # it was 1970-01-01: pydantic reads seconds since 1970
    ("'15.01.2024'", "expected a date as YYYY-MM-DD, found '15.01.2024'; write 2024-01-15"),
    ("'2024-02-30'", "'2024-02-30' is no date (day is out of range for month); expected YYYY-MM-DD"),
    ("2024-01-15 10:00:00", "expected a date as YYYY-MM-DD without a time of day, found 2024-01-15 10:00:00; "
                            "write 2024-01-15"),
])
def test_a_date_is_yyyy_mm_dd(data: Path, written: str, said: str):
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", f"planning_date: {written}\n")
    assert error_of(data) == f"{waves}:1: planning_date: {said}"
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\n    earliest: 0\n")
    shutil.copy(TINY / "waves.yaml", waves)
    assert error_of(data) == f"{path}:{line_of(path, 'earliest: 0')}: orsta: earliest: expected a date as YYYY-MM-DD, found 0"


def test_no_window_after_the_planning_date_is_said_once(data: Path):
    # each organisation to plan was a conflict of its own ("X must go live"), with no word about windows
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", "planning_date: 2025-01-15\n")
    edit(data / "organisations.yaml", "    preferred_window: 2024-04\n", "")
    assert error_of(data) == (
        f"{waves}:1: no window on or after the planning date 2025-01-15 (the last, 2024-11, is on 2024-11-09), yet 3 "
        "organisations must go live (helse-more-og-romsdal, alesund, orsta); there is nothing to plan them in: add "
        "windows on or after the planning date, or give an earlier planning_date")
    # with nothing that must go live there is nothing to refuse: an empty plan
    path = data / "organisations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: signed", "status: optional").replace("status: planned", "status: optional"),
                    encoding="utf-8")
    assert load_problem(data).future_windows == []


def test_no_window_after_the_planning_date_is_not_followed_by_each_preferred_window(data: Path):
    # the one root error came with one "preferred_window ... is before the planning date" per organisation
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", "planning_date: 2025-01-15\n")
    said = error_of(data)
    assert "no window on or after the planning date 2025-01-15" in said
    assert "preferred_window" not in said and len(said.splitlines()) == 1, said


def test_a_load_is_given_in_tenths_of_an_fte(data: Path):
    # 0.15 was rounded to 0.2 and 0.45 to 0.4 (half to even) without a word: the data says which it is
    waves = data / "waves.yaml"
    edit(waves, "    before: [5, 10]\n", "    before: [5, 0.15]\n")
    assert error_of(data).startswith(f"{waves}:20: ")
    assert error_of(data).endswith("0.15 FTE: loads are counted in tenths of an FTE; give 0.1 or 0.2"), error_of(data)


def test_more_errors_than_listed_are_counted(tmp_path: Path):
    # 45 errors were cut to 25 without a word ("invalid input (25 errors)"): the rest are counted now
    from hpplan.errors import MAX_ERRORS

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", "planning_date: 2026-10-01\n")
    with pytest.raises(InputErrors) as info:
        load_problem(data)
    error = info.value
    assert len(error.errors) == MAX_ERRORS and error.total > MAX_ERRORS, (len(error.errors), error.total)
    assert str(error).splitlines()[-1] == (f"... and {error.total - MAX_ERRORS} more errors not listed "
                                           "(fix these and run again)")
    # pydantic's own errors are counted the same way
    path = data / "organisations.yaml"
    path.write_text(re.sub(r"(?m)^(    population: )(\d)", r"\1-\2", path.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "waves.yaml", waves)
    with pytest.raises(InputErrors) as info:
        load_problem(data)
    assert info.value.total > MAX_ERRORS and "more errors not listed" in str(info.value)


def test_check_explain_and_solve_say_there_is_no_window_to_plan_in(data: Path):
    from typer.testing import CliRunner

    from hpplan import cli

    edit(data / "waves.yaml", "planning_date: 2024-01-15\n", "planning_date: 2025-01-15\n")
    edit(data / "organisations.yaml", "    preferred_window: 2024-04\n", "")
    for command in ("check", "explain", "solve"):
        result = CliRunner().invoke(cli.app, [command, "--data", str(data), "-t", "5"])
        assert result.exit_code == 2, (command, result.output)
        assert "no window on or after the planning date 2025-01-15 (the last, 2024-11, is on 2024-11-09)" in result.stderr


def test_blackouts_and_pools_take_a_note_as_the_other_entries(tmp_path):
    # data-format.md lists `note` for both; the loader refused it as an unknown field
    data = tmp_path / "d"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    waves = data / "waves.yaml"
    text = waves.read_text(encoding="utf-8")
    text = text.replace("    reason: Summer holidays\n", "    reason: Summer holidays\n    note: schools closed\n", 1)
    text = text.replace("    fte: 72\n", "    fte: 72\n    note: 30 % of 240\n", 1)
    waves.write_text(text, encoding="utf-8")
    problem = load_problem(data)
    assert any(b.note == "schools closed" for b in problem.waves.blackouts)
    assert any(p.note == "30 % of 240" for p in problem.waves.pools)


def test_a_name_is_one_line(data: Path):
    # a line break in a name split its Gantt row in two
    path = data / "organisations.yaml"
    first = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("name:"))
    edit(path, first, first.split("name:")[0] + 'name: "Two\\nlines"')
    assert f"{path}:{line_of(path, 'Two')}:" in error_of(data) and "a name is one line" in error_of(data)


def test_two_rules_of_one_id_are_refused(data: Path):
    # accepted silently: remove_rule removed the first only, and conflicts named the second by the first's id
    waves = data / "waves.yaml"
    edit(waves, "  - type: with_or_before\n", "  - type: with_or_before\n    id: same\n")
    edit(waves, "  - type: order\n", "  - type: order\n    id: same\n")
    lines = waves.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, 1) if line.strip() == "id: same"]
    assert error_of(data) == (f"{waves}:{second}: duplicate rule id 'same' (first at line {first}); each id may be "
                              "used once")


def test_errors_in_both_files_are_reported_together(data: Path):
    # an error in organisations.yaml hid every error in waves.yaml: one CI run per file to see them all
    orgs, waves = data / "organisations.yaml", data / "waves.yaml"
    edit(orgs, "live_since: 2023-11-04", "live_since: 2023-13-04")
    edit(waves, "fte: 168", "fte: -5")
    with pytest.raises(InputErrors) as caught:
        load_problem(data)
    where = [str(e).split(": ")[0] for e in caught.value.errors]
    assert caught.value.total == 2 and where == [f"{orgs}:{line_of(orgs, '2023-13-04')}", f"{waves}:{line_of(waves, 'fte: -5')}"]


def test_a_line_indented_wrong_says_so(data: Path):
    # PyYAML's "expected <block end>, but found '?'" said nothing of indentation
    path = data / "organisations.yaml"
    line = next(l for l in path.read_text(encoding="utf-8").splitlines() if l.startswith("    kind:"))
    edit(path, line, line[2:])
    message = error_of(data)
    assert message.startswith(f"{path}:{line_of(path, line[2:])}: invalid YAML: expected <block end>")
    assert "the indentation of this line or the one before does not fit its block" in message
    edit(path, line[2:], line.replace("kind: ", "kind: a: "))
    assert "quote a value that holds ': '" in error_of(data)


def test_a_name_has_no_control_characters(data: Path):
    # a tab shifted its Gantt row; an escaped "\a" went into the markdown and the CI annotations
    path = data / "organisations.yaml"
    first = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("name:"))
    edit(path, first, first.split("name:")[0] + 'name: "Tab\\there"')
    assert "a name has no control characters, and this one has U+0009" in error_of(data)
