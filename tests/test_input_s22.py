"""Data written from the docs for a new region (s22 data-author): slips the loader let through or
answered with advice that does not fix them. Each is refused at its line with what would be right."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit, error_of, errors_of, line_of

from hpplan.errors import InputError, InputErrors
from hpplan.generate import write_instance
from hpplan.loader import load_problem
from hpplan.sweep.spec import load_spec

TINY = Path(__file__).parent / "data" / "tiny"




# ---- 1. a load profile no organisation uses ---------------------------------------------------------


def test_a_misspelt_profile_id_is_refused_at_its_id_with_the_kind_it_was_meant_for(data: Path):
    # `trust` for health_trust: every trust loaded nothing, and `check` said "a plan exists"
    waves = data / "waves.yaml"
    edit(waves, "  - id: health_trust\n", "  - id: trust\n")
    message = error_of(data)
    assert message.startswith(f"{waves}:{line_of(waves, 'id: trust')}: load profile 'trust' is used by no "
                              "organisation"), message
    # (the live one, history, is not counted: its hypercare ended before the planning month)
    assert "the 1 organisation of kind health_trust loads nothing" in message
    assert "did you mean 'health_trust'?" in message


def test_a_spare_profile_or_one_for_a_kind_without_organisations_is_fine(data: Path):
    waves = data / "waves.yaml"
    spare = ("load_profiles:\n"
             "  - id: lab\n    before: [1]\n    source: {all: \"estimate: test\"}\n"
             "  - id: municipality-large\n    before: [1]\n    source: {all: \"estimate: test\"}\n")
    edit(waves, "load_profiles:\n", spare)
    # the GP office loads nothing (no gp_office profile): a spare profile may then be its misspelt one
    assert "load profile 'municipality-large' is used by no organisation" in error_of(data)
    # said to load nothing, it is no slip, and neither is the spare profile (a scenario's `set` may name it)
    edit(data / "organisations.yaml", "    private: true\n", "    private: true\n    load_profile: []\n")
    assert "municipality-large" in {p.id for p in load_problem(data).waves.load_profiles}


def test_generated_instances_with_a_spare_profile_load(tmp_path: Path):
    write_instance(tmp_path / "g", "region", 1)
    assert "health_trust-large" in (tmp_path / "g" / "waves.yaml").read_text()
    load_problem(tmp_path / "g")


# ---- 2. horizon_end before the last window ----------------------------------------------------------


def test_a_horizon_before_the_last_window_is_refused_naming_it(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "planning_date: 2024-01-15\n", "planning_date: 2024-01-15\nhorizon_end: 2024-06-30\n")
    message = error_of(data)
    assert message.startswith(f"{waves}:{line_of(waves, 'horizon_end')}: horizon_end 2024-06-30 is before the "
                              "last window, 2024-11 (2024-11-09)"), message
    assert "2 windows after it (2024-09, 2024-11)" in message and "give a date in 2024-11 or later" in message
    # within the last window's month: its go-live month is checked
    edit(waves, "horizon_end: 2024-06-30", "horizon_end: 2024-11-01")
    assert load_problem(data).waves.horizon_end.isoformat() == "2024-11-01"


# ---- 3. a window's date and its id ------------------------------------------------------------------


def test_a_window_named_for_its_month_and_postponed_into_the_next_keeps_its_id(data: Path):
    # a window's id is its name only: `2024-09` postponed to 2024-10-05 (as move_window may do, and real
    # rollouts did) is read, not refused as a typo with a new id (that the data may already use) to write
    edit(data / "waves.yaml", "{id: 2024-09, date: 2024-09-14}", "{id: 2024-09, date: 2024-10-05}")
    assert load_problem(data).window["2024-09"].date.isoformat() == "2024-10-05"


def test_a_window_on_a_weekday_in_its_month_is_read(data: Path):
    # the go-live night's date, usually a Saturday: PSPLIB's windows are on the first of each month
    edit(data / "waves.yaml", "{id: 2024-09, date: 2024-09-14}", "{id: 2024-09, date: 2024-09-10}")
    assert load_problem(data).window["2024-09"].date.isoformat() == "2024-09-10"


# ---- 4. a date where a window id or a month is expected ---------------------------------------------


def test_a_preferred_window_written_as_its_date_is_answered_with_its_id(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    preferred_window: 2024-04\n", "    preferred_window: 2024-04-27\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'preferred_window')}: helse-more-og-romsdal: preferred_window: "
                              "the date 2024-04-27, where a window id is expected: write the window's id '2024-04' "
                              "(the window dated 2024-04-27)")
    edit(path, "    preferred_window: 2024-04-27\n", "    preferred_window: 2024-04-20\n")
    message = error_of(data)
    assert "no window is dated 2024-04-20: write the `id` of a window in waves.yaml (the nearest is '2024-04', " \
           "dated 2024-04-27)" in message and "datetime" not in message and "quotes" not in message, message


def test_limit_windows_written_as_dates_and_a_month_written_as_a_date(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "  - max_trusts: 1\n", "  - max_trusts: 1\n    windows: [2024-09-14]\n")
    edit(waves, "fte: 72, source", "fte: 72, changes: [{from: 2024-09-01, fte: 80}], source")
    assert errors_of(data) == [
        f"{waves}:{line_of(waves, 'changes:')}: primary: change #1: from: a date where a month is expected: write "
        "the month as 2024-09 (YYYY-MM)",
        f"{waves}:{line_of(waves, 'windows: [2024-09-14]')}: limit #1: windows #1: the date 2024-09-14, where a window "
        "id is expected: write the window's id '2024-09' (the window dated 2024-09-14)",
    ]


# ---- 5. what would be right -------------------------------------------------------------------------


@pytest.mark.parametrize("old, new, said", [
    ("fte: 72,", "fte: '72,5',", "primary: fte: expected a number, found '72,5'; write 72.5 (a decimal point, "
                                 "not a comma)"),
    ("actors: [st-olavs, helse-more-og-romsdal]", "actors: [st-olavs]",
     "rule #2: actors: an order rule needs at least two actors, and names 1; name them all (`actors: [a, b]`)"),
])
def test_waves_values_say_what_to_write(data: Path, old: str, new: str, said: str):
    waves = data / "waves.yaml"
    edit(waves, old, new)
    assert error_of(data) == f"{waves}:{line_of(waves, new)}: {said}"


@pytest.mark.parametrize("old, new, said", [
    ("population: 58509\n", "population: 58 509\n",
     "alesund: population: expected a whole number, found '58 509'; write 58509 (digits only, no spaces)"),
    ("private: true\n", "private: yes\n",
     "private: unquoted 'yes' is no flag value here (YAML 1.1 reads it as a boolean, hpplan does not); private is "
     "true or false: write true"),
    ("users: 600\n", "users: 600\n    earliest: 01.09.2025\n",
     "orsta: earliest: expected a date as YYYY-MM-DD, found '01.09.2025'; write 2025-09-01"),
    ("    name: Ørsta\n", "\tname: Ørsta\n",
     "invalid YAML: found character '\\t' that cannot start any token (a tab in the indentation, where YAML needs "
     "spaces: write spaces, not tabs)"),
])
def test_organisation_values_say_what_to_write(data: Path, old: str, new: str, said: str):
    path = data / "organisations.yaml"
    edit(path, old, new)
    assert error_of(data) == f"{path}:{line_of(path, new.strip().splitlines()[-1])}: {said}"


def test_yes_for_text_still_offers_quotes(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    name: Ørsta\n", "    name: yes\n")
    assert "write 'yes' in quotes for the text" in error_of(data)


# ---- 6. fields that would be ignored ----------------------------------------------------------------


def test_kinds_on_a_limit_without_max_actors_or_max_users_is_refused(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "  - max_trusts: 1\n    max_actors: 3\n", "  - max_trusts: 1\n    kinds: [municipality]\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, 'kinds: [municipality]')}: limit #1: kinds says whom "
                              "max_actors and max_users count, and this limit has neither (max_trusts counts the "
                              "health trusts); add max_actors or max_users, or leave kinds out")


def test_a_source_note_for_a_field_not_given_is_refused_at_the_note(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n    users: 600\n    source: {all: \"estimate: test data\"}\n",
         "    population: 10958\n    users: 600\n    source:\n      all: \"estimate: test data\"\n"
         "      earliest: \"fact: seed 004\"\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'earliest:')}: orsta: source names 'earliest', a field this "
                              "entry does not give; a note is for a field given here (id, kind, name, population, "
                              "status, users) or 'all': give earliest, or remove its note")


# ---- 7. at the line of what is wrong, in file and line order ----------------------------------------


def test_an_unknown_rule_type_is_said_at_its_type_line(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "  - type: order\n", "  - id: trusts-in-order\n    type: ordre\n")
    assert error_of(data).startswith(f"{waves}:{line_of(waves, 'type: ordre')}: trusts-in-order: unknown rule "
                                     "type 'ordre' (did you mean 'order'?)")


@pytest.mark.parametrize("note, said", [
    ("populaton: \"fact: x\"", "source names unknown field 'populaton'"),
    ("users: \"HR 2024\"", "source note for 'users' must start with 'fact:'"),
])
def test_a_source_note_error_is_said_at_the_note(data: Path, note: str, said: str):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n    source: {all: \"estimate: test data\"}\n",
         f"    users: 600\n    source:\n      all: \"estimate: test data\"\n      {note}\n")
    message = error_of(data)
    assert message.startswith(f"{path}:{line_of(path, note)}: orsta: {said}"), message


@pytest.mark.parametrize("body, key", [
    ("kind: grid\nsamples: 5\ngrid:\n  - postpone: {actor: helse-more-og-romsdal, months: [0, 3]}\n", "samples:"),
    ("kind: monte_carlo\nsamples: 5\ngrid:\n  - postpone: {actor: helse-more-og-romsdal, months: [0, 3]}\n", "grid:"),
])
def test_a_sweep_spec_key_that_does_not_fit_its_kind_is_said_at_that_key(tmp_path: Path, body: str, key: str):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"base: {TINY}\ndescription: test\n{body}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_spec(spec)
    assert str(info.value).startswith(f"{spec}:{line_of(spec, key)}: "), str(info.value)


def test_errors_of_both_files_are_listed_in_file_then_line_order(data: Path):
    waves, path = data / "waves.yaml", data / "organisations.yaml"
    edit(waves, "    max_actors: 3\n", "    max_actors: 3\n    windows: [2024-13]\n")  # no such window
    edit(path, "    private: true\n", "    private: true\n    track: KI9\n")  # no such track
    edit(path, "    municipality: orsta\n", "    municipality: nowhere\n")
    assert [e.split(": ", 1)[0] for e in errors_of(data)] == [
        f"{path}:{line_of(path, 'municipality: nowhere')}", f"{path}:{line_of(path, 'track: KI9')}",
        f"{waves}:{line_of(waves, 'windows: [2024-13]')}"]


def test_a_scenario_s_window_written_as_its_date_says_to_write_the_id(tmp_path):
    # move_window/remove_window/set_limit took `window: 2025-04-26` as "expected text, got datetime.date(...)"
    from hpplan.scenario import load_scenario

    path = tmp_path / "mw.yaml"
    path.write_text("base: data\ndescription: x\nchanges:\n  - {op: move_window, window: 2025-04-26, date: 2025-05-03}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_scenario(path)
    # read without its data, no id is guessed from the month (PSPLIB's windows are t0000, t0001, ...)
    assert str(error.value) == (f"{path}:4: window: the date 2025-04-26, where a window id is expected: write the "
                                "window's `id` as waves.yaml gives it, not its date")


# ==== s22 valid-data: false refusals and wrong advice of the checks above ============================


def scenario_file(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: data\ndescription: test\nchanges:\n{body}", encoding="utf-8")
    return path


def scenario_errors(problem, path: Path) -> list[str]:
    from hpplan.scenario import apply_scenarios

    with pytest.raises(InputError) as info:
        apply_scenarios(problem, [path])
    error = info.value
    return [str(e) for e in error.errors] if isinstance(error, InputErrors) else [str(error)]


# ---- a source note for `from` (pydantic's from_) ---------------------------------------------------


@pytest.mark.parametrize("key", ["from", "from_"])
def test_a_source_note_for_a_blackouts_or_a_capacity_changes_from_is_taken(data: Path, tmp_path: Path, key: str):
    # `from` was "unknown field; use from_", and `from_` then "a field this entry does not give": a circle
    waves = data / "waves.yaml"
    edit(waves, "pools:\n", "blackouts:\n  - {from: 2024-07-01, to: 2024-07-31, reason: summer, "
                            f"source: {{{key}: \"fact: HR calendar\", to: \"fact: HR calendar\"}}}}\n\npools:\n")
    edit(waves, "fte: 72, source", f"fte: 72, changes: [{{from: 2024-09, fte: 80, source: {{{key}: \"fact: "
                                   "budget\", fte: \"estimate: budget\"}}], source")
    problem = load_problem(data)
    assert problem.waves.blackouts[0].source[key] == "fact: HR calendar"
    # a scenario's add_blackout reads its note as the data files do
    from hpplan.scenario import apply_scenarios

    path = scenario_file(tmp_path, "  - op: add_blackout\n    blackout: {from: 2024-12-20, to: 2025-01-05, "
                                   f"reason: Christmas, source: {{{key}: \"fact: HR\"}}}}\n")
    assert len(apply_scenarios(problem, [path]).waves.blackouts) == 2


def test_an_unknown_note_on_a_blackout_lists_its_fields_as_written(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "pools:\n", "blackouts:\n  - {from: 2024-07-01, to: 2024-07-31, reason: summer, "
                            "source: {form: \"fact: HR calendar\"}}\n\npools:\n")
    assert error_of(data).endswith("blackout #1: source names unknown field 'form' (did you mean 'from'?); use 'all' or one of: actors, "
                                   "from, kinds, note, reason, to")


# ---- the unused load profile: only organisations the plan places --------------------------------


def test_a_spare_profile_while_only_live_organisations_lack_theirs_is_fine(data: Path):
    # the live trust (history) loads nothing the plan answers for, whatever its profile: no slip
    waves = data / "waves.yaml"
    edit(data / "organisations.yaml", "    status: signed\n    population: 265000\n",
         "    status: signed\n    load_profile: health_trust-large\n    population: 265000\n")
    edit(waves, "  - id: health_trust\n", "  - id: health_trust-large\n")
    edit(waves, "load_profiles:\n", "load_profiles:\n  - id: municipality-xl\n    before: [1]\n"
                                    "    source: {all: \"estimate: test\"}\n")
    edit(data / "organisations.yaml", "    private: true\n", "    private: true\n    load_profile: []\n")
    assert "municipality-xl" in {p.id for p in load_problem(data).waves.load_profiles}


def test_an_unused_profile_unlike_the_kind_loading_nothing_gets_no_did_you_mean(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "load_profiles:\n", "load_profiles:\n  - id: municipality-xl\n    before: [1]\n"
                                    "    source: {all: \"estimate: test\"}\n")
    message = error_of(data)  # the GP office (optional, to be planned) loads nothing
    assert "load profile 'municipality-xl' is used by no organisation" in message
    assert "the 1 organisation of kind gp_office loads nothing" in message
    assert "did you mean" not in message, message


# ---- horizon_end and a scenario's windows ----------------------------------------------------------


@pytest.mark.parametrize("change, said", [
    ("  - op: add_window\n    window: {id: 2025-03, date: 2025-03-08}\n", "add window 2025-03 (2025-03-08)"),
    ("  - op: move_window\n    window: '2024-11'\n    date: 2025-03-08\n", "move window 2024-11: 2024-11-09 -> "
                                                                            "2025-03-08"),
])
def test_a_scenario_may_put_a_window_past_the_datas_horizon_end_with_a_note(data: Path, tmp_path: Path, change: str,
                                                                            said: str):
    from hpplan.scenario import apply_scenarios

    edit(data / "waves.yaml", "planning_date: 2024-01-15\n", "planning_date: 2024-01-15\nhorizon_end: 2024-12-31\n")
    base = load_problem(data)
    changed = apply_scenarios(base, [scenario_file(tmp_path, change)])
    assert changed.applied[-1].endswith(f"[{said} (note: after horizon_end 2024-12-31 in waves.yaml: the load of "
                                        "the months after 2024-12 is not checked against capacity)]"), changed.applied
    assert changed.waves.horizon_end == base.waves.horizon_end  # the base's horizon stands
    # within the horizon: no note
    inside = apply_scenarios(base, [scenario_file(tmp_path, change.replace("2025-03-08", "2024-12-07"), "in.yaml")])
    assert "horizon_end" not in inside.applied[-1]


# ---- decimal commas in flow lists ------------------------------------------------------------------


def test_decimal_commas_in_a_flow_list_are_refused_at_their_line(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    hypercare: [10, 5]\n", "    hypercare: [3,5, 1,5]\n")
    assert error_of(data) == (f"{waves}:{line_of(waves, '[3,5, 1,5]')}: hypercare: 3,5 and 1,5 read as two numbers "
                              "each (a comma separates the values of a list); a decimal comma? write 3.5 and 1.5 (a "
                              "decimal point), or put a space after every comma that separates two values")


def test_a_decimal_comma_in_a_flow_mapping_is_refused_at_its_line(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "fte: 72, source", "fte: 72, changes: [{from: 2024-09, fte: 57,6, source: {fte: \"fact: x\"}}], source")
    assert error_of(data) == (f"{waves}:{line_of(waves, '57,6')}: fte: 57,6 reads as the number 57 and a key 6 (a "
                              "comma separates the entries of a mapping); a decimal comma? write 57.6 (a decimal point)")


@pytest.mark.parametrize("text", ["h: [1,2,3]", "h: [1, 2, 3]", "h: [1,\n  2, 3]", "h: [0.5,5, 1]",
                                  "h: ['3',5, 1]", "c: {a: 1, b: 2}", "c: {a: 1, 2: 3}"])
def test_lists_of_numbers_joined_alike_are_read_as_written(text: str):
    from hpplan.yamlio import parse_yaml

    parse_yaml(text.encode(), "f.yaml")


# ---- scenario flags --------------------------------------------------------------------------------


@pytest.mark.parametrize("change, key", [
    ("  - op: set_planning_date\n    date: 2024-06-01\n    unpin: yes\n", "unpin"),
    ("  - op: add\n    organisation: {id: x, name: X, kind: gp_office, municipality: orsta, status: signed, "
     "private: yes}\n", "private"),
    ("  - op: set\n    actor: orsta-legekontor\n    fields: {private: no}\n", "private"),
])
def test_a_scenarios_flag_written_yes_is_told_to_write_true(tmp_path: Path, change: str, key: str):
    from hpplan.scenario import load_scenario

    path = scenario_file(tmp_path, change)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    written = "no" if "no}" in change else "yes"
    assert str(info.value) == (f"{path}:{line_of(path, written)}: {key}: unquoted {written!r} is no flag value here "
                               f"(YAML 1.1 reads it as a boolean, hpplan does not); {key} is true or false: write "
                               f"{'false' if written == 'no' else 'true'}")


# ---- a scenario's window written as its date, with the data known -----------------------------------


def test_a_scenarios_window_written_as_its_date_is_named_from_the_base_data(data: Path, tmp_path: Path):
    path = scenario_file(tmp_path, "  - {op: move_window, window: 2024-09-14, date: 2024-09-21}\n"
                                   "  - {op: set_limit, index: 1, windows: [2024-11-09]}\n")
    said = "where a window id is expected: write the window's id"
    assert scenario_errors(load_problem(data), path) == [
        f"{path}:4: window: the date 2024-09-14, {said} '2024-09' (the window dated 2024-09-14)",
        f"{path}:5: windows #1: the date 2024-11-09, {said} '2024-11' (the window dated 2024-11-09)"]
    # a set's fields are checked as the change is applied: the windows as the earlier changes left them
    path = scenario_file(tmp_path, "  - {op: set, actor: orsta, fields: {preferred_window: 2024-04-27}}\n")
    assert scenario_errors(load_problem(data), path) == [
        f"{path}:4: orsta: preferred_window: the date 2024-04-27, {said} '2024-04' (the window dated 2024-04-27)"]


def test_psplib_windows_are_named_by_their_ids_not_guessed_from_the_month(data: Path, tmp_path: Path):
    waves = data / "waves.yaml"
    for n, month in enumerate(("2023-11", "2024-02", "2024-04", "2024-09", "2024-11")):
        edit(waves, f"{{id: {month},", f"{{id: t000{n},")
    edit(data / "organisations.yaml", "preferred_window: 2024-04", "preferred_window: t0002")
    path = scenario_file(tmp_path, "  - {op: move_window, window: 2024-04-27, date: 2024-05-04}\n")
    assert scenario_errors(load_problem(data), path) == [
        f"{path}:4: window: the date 2024-04-27, where a window id is expected: write the window's id 't0002' (the "
        "window dated 2024-04-27)"]


# ---- what would be right ---------------------------------------------------------------------------


def test_a_window_id_that_is_a_date_is_told_to_be_quoted(data: Path):
    edit(data / "waves.yaml", "{id: 2024-04, date: 2024-04-27}", "{id: '2024-04-27', date: 2024-04-27}")
    path = data / "organisations.yaml"
    edit(path, "preferred_window: 2024-04\n", "preferred_window: 2024-04-27\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'preferred_window')}: helse-more-og-romsdal: preferred_window: "
                              "the date 2024-04-27, where a window id is expected: the window's id is the text "
                              "'2024-04-27'; write it in quotes ('2024-04-27'): unquoted, YAML reads it as a date")
    edit(path, "preferred_window: 2024-04-27\n", "preferred_window: '2024-04-27'\n")
    assert load_problem(data).org["helse-more-og-romsdal"].preferred_window == "2024-04-27"


def test_a_month_where_a_date_belongs_is_told_a_day_of_it(data: Path):
    path = data / "organisations.yaml"
    edit(path, "    users: 600\n", "    users: 600\n    earliest: 2025-12\n")
    assert error_of(data) == (f"{path}:{line_of(path, 'earliest')}: orsta: earliest: expected a date as YYYY-MM-DD, "
                              "found the month '2025-12'; write a day of that month, e.g. 2025-12-01")


def test_a_tab_after_a_colon_is_not_called_indentation(data: Path):
    waves = data / "waves.yaml"
    edit(waves, "    before: [5, 10]\n", "    before:\t[5, 10]\n")
    message, tab = error_of(data), line_of(waves, "before:\t")
    assert message.startswith(f"{waves}:{tab}: invalid YAML"), message
    assert "a tab after a key's colon, where YAML needs spaces" in message
    assert "indent with" not in message


def test_a_sets_source_error_is_said_with_its_other_field_errors(data: Path, tmp_path: Path):
    path = scenario_file(tmp_path, "  - op: set\n    actor: orsta\n    fields:\n      population: 4 300\n"
                                   "      source: {population: \"fact: SSB\"}\n")
    errors = scenario_errors(load_problem(data), path)
    assert [e.split(": ", 2)[:2] for e in errors] == [[f"{path}:{line_of(path, 'population: 4 300')}", "orsta"],
                                                      [f"{path}:{line_of(path, 'source:')}", "orsta"]], errors
    assert "expected a whole number, found '4 300'; write 4300" in errors[0]
    assert "`source` in a set replaces all of the organisation's source notes, and it has none for users" in errors[1]


def test_a_live_organisation_whose_hypercare_reaches_the_planning_month_counts_for_a_misspelt_profile(data: Path):
    # St. Olavs live since 2023-12 would load 2024-01 under the trust profile (hypercare of 2 months):
    # the misspelt profile lost that load in a checked month without a word
    waves = data / "waves.yaml"
    edit(data / "organisations.yaml", "live_since: 2023-11-04", "live_since: 2023-12-02")
    edit(waves, "  - id: health_trust\n", "  - id: trust\n")
    message = error_of(data)
    assert "the 2 organisations of kind health_trust load nothing" in message, message
    # with only the live one left without its profile, the refusal stands for it alone
    edit(data / "organisations.yaml", "    status: signed\n    population: 265000\n",
         "    status: signed\n    load_profile: []\n    population: 265000\n")
    assert "the 1 organisation of kind health_trust loads nothing" in error_of(data)
