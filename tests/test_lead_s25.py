"""Session 25, the lead's own fixes: each test fails without its fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import edit, error_of, errors_of, line_of

from hpplan.errors import closest


def test_a_renamed_id_is_suggested_before_a_look_alike(data: Path):
    # renaming `orsta` to `orsta-kommune` told the GP office's line "did you mean 'frosta'?"
    path = data / "organisations.yaml"
    edit(path, "id: orsta\n", "id: orsta-kommune\n")
    assert "'orsta' is not an organisation in organisations.yaml (did you mean 'orsta-kommune'?)" in error_of(data)


def test_closest_prefers_a_hyphen_part_and_the_most_alike_of_several():
    assert closest("orsta", ["frosta", "orsta-legekontor", "orsta-kommune"]) == "orsta-kommune"
    assert closest("helse-more", ["helse-nord", "helse-more-og-romsdal"]) == "helse-more-og-romsdal"
    assert closest("ki5", ["KI5", "ki6"]) == "KI5"  # the same but for case, first
    assert closest("orsat", ["orsta", "frosta"]) == "orsta"  # a misspelling as before
    assert closest("", ["a-b"]) is None


def test_a_number_beyond_every_limit_gets_no_digits_to_write(data: Path):
    # `population: 1e30` was told "write 1000000000000000019884624838656", which the range check refuses
    path = data / "organisations.yaml"
    edit(path, "    population: 10958\n", "    population: 1e30\n")
    message = error_of(data)
    assert f"{path}:{line_of(path, 'population: 1e30')}:" in message
    assert "write a whole number from 0 to 100000000 (in decimal digits; 1e30 is more than that)" in message
    assert "1000000000000000019884624838656" not in message


def test_an_exclude_whose_return_date_is_before_the_earliest_date_says_that_date_still_holds(tmp_path: Path):
    # `exclude gjemnes until 2024-03-01` read as "planned from March 2024"; its earliest 2025-12-19 held, unsaid
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    base = load_problem(Path(__file__).resolve().parent.parent / "data")
    at = base.org["gjemnes"].field_at("earliest")

    def applied(returns: str) -> str:
        scenario = tmp_path / f"back-{returns}.yaml"
        scenario.write_text("base: data\ndescription: Gjemnes back (assumption)\nchanges:\n"
                            f"  - {{op: exclude, actor: gjemnes, returns: {returns}}}\n", encoding="utf-8")
        return " ".join(apply_scenarios(base, [scenario]).applied)

    assert (f"exclude gjemnes until 2024-03-01; its earliest 2025-12-19 ({at}) still holds, later than that: "
            "set it too to plan it sooner") in applied("2024-03-01")
    assert "still holds" not in applied("2026-03-01")  # a return date after it: nothing to say


def test_a_junit_file_that_cannot_be_written_is_an_annotation_in_github_format(tmp_path: Path):
    # `--format github --junit reports/x.xml` without the folder: a plain stderr line, exit 2, and no annotation
    from typer.testing import CliRunner

    from hpplan import cli

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    target = tmp_path / "reports" / "hpplan-data.xml"
    result = CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "-f", "github", "--junit", str(target)])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"::error file={target},title=hpplan%3A invalid input::cannot write: folder "), \
        result.stdout
    assert result.stdout.rstrip().endswith("invalid input (1 error)") and not target.parent.exists()
    # JSON says it as the report of invalid input; text on stderr, as before
    as_json = CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "-f", "json", "--junit", str(target)])
    assert as_json.exit_code == 2 and '"status": "invalid"' in as_json.stdout
    text = CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "--junit", str(target)])
    assert text.exit_code == 2 and f"error: {target}: cannot write: folder" in text.stderr


def test_a_misspelt_last_part_is_not_taken_for_a_rename():
    assert closest("orsta-legekontr", ["orsta", "orsta-legekontor"]) == "orsta-legekontor"


def test_a_name_with_dollar_signs_is_drawn_as_written_in_the_static_charts():
    # `Giske $\frac{a}$ kr` made `report --format png` fail (exit 70: matplotlib read it as a formula),
    # and `Leka 5$ og 10$` was drawn as `Leka 5og10` in italics
    from helpers import build, org, solved

    from hpplan.report import static_chart, static_figure

    problem = build([org("giske", name="Giske $\\frac{a}$ kr"), org("leka", name="Leka 5$ og 10$ x^2_y")])
    solution = solved(problem)
    assert static_chart(problem, solution, "png").startswith(b"\x89PNG")
    assert b"Leka 5$ og 10$ x^2_y" in static_chart(problem, solution, "svg")
    figure = static_figure(problem, solution)
    texts = [t for ax in figure.axes for t in ax.get_yticklabels() if "Leka" in t.get_text()]
    assert texts and not any(t.get_parse_math() for t in texts)


def test_a_json_plan_saved_with_a_byte_order_mark_or_as_latin1_is_read_or_said_at_its_line(tmp_path: Path):
    # a plan saved by Notepad (UTF-8 with a BOM) was refused with Python's "Unexpected UTF-8 BOM (decode using
    # utf-8-sig)"; a Latin-1 one got "'utf-8' codec can't decode ... position 653" with no line
    from helpers import build, org, solved

    from hpplan.errors import InputError
    from hpplan.solution import read_plan

    solution = solved(build([org("orsta", name="Ørsta"), org("volda", name="Volda")]))
    text = solution.to_json()
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_plan(bom).to_json() == text
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.encode("latin-1"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "Ø" in row)
    try:
        read_plan(latin)
    except InputError as error:
        assert str(error) == f"{latin}:{line}: not UTF-8 text (byte 0xd8); save the file as UTF-8"
    else:
        raise AssertionError("a Latin-1 plan was read")


def test_past_ten_lines_the_github_annotations_show_the_lines_with_most_findings_first():
    # a pool a pull request cut, in every conflict, was only in the "598 more errors" of the log: the ten
    # annotations went to rule lines each met once, in the order they came
    from hpplan.check import CheckResult, Finding, to_github
    from hpplan.errors import Location

    findings = [Finding("order", f"rule {n}", Location("data/waves.yaml", 10 + n), f"rule #{n}") for n in range(12)]
    findings += [Finding("capacity", f"pool primary in 2025-0{n}", Location("cut.yaml", 4), "pool primary")
                 for n in range(1, 4)]
    lines = to_github(CheckResult("data", "infeasible", "summary", findings=findings)).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    assert errors[0].startswith("::error file=cut.yaml,line=4,")  # three findings: first
    assert [e.split(",")[1] for e in errors[1:]] == [f"line={10 + n}" for n in range(9)]  # then in their order
    assert lines[-1] == "summary"


def test_a_problems_repr_names_the_scenarios_applied_not_a_count_of_entries():
    # one scenario of three changes read "1 scenario change(s) applied"
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_quick, apply_scenarios

    data = Path(__file__).resolve().parent.parent / "data"
    problem = apply_scenarios(load_problem(data), [data / "scenarios" / "hmr-postponed.yaml"])
    problem = apply_quick(problem, postpone=["orsta=2025-01-01"], exclude=["aure"])
    assert repr(problem).endswith(", with hmr-postponed, command line applied>"), repr(problem)
    assert "applied" not in repr(load_problem(data))


def test_an_empty_fact_note_is_refused_in_a_plan_file_as_in_the_data(tmp_path: Path):
    # `source: 'fact:'` names no source; the data refuses it, a plan file took it as a fact
    from hpplan.check import check_plan
    from hpplan.errors import InputError
    from hpplan.loader import load_problem

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan:\n  - id: orsta\n    go_live: 2024-04-27\n    source: 'fact:'\n", encoding="utf-8")
    try:
        check_plan(load_problem(tiny), plan)
    except InputError as error:
        assert f"{plan}:4:" in str(error) and "is 'fact:', with nothing after the colon" in str(error), str(error)
    else:
        raise AssertionError("an empty fact note was taken")


def test_a_preferred_window_in_history_after_a_new_planning_date_names_its_organisation(tmp_path: Path):
    # `set_planning_date: 2024-06-01` told eight "preferred_window '2024-04' (2024-04-27) is before the planning
    # date ..." at the scenario's line, without saying whose
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    data = Path(__file__).resolve().parent.parent / "data"
    scenario = tmp_path / "june.yaml"
    scenario.write_text("base: data\ndescription: back-test from June 2024 (assumption)\nchanges:\n"
                        "  - {op: set_planning_date, date: 2024-06-01}\n", encoding="utf-8")
    said = errors_of(lambda: apply_scenarios(load_problem(data), [scenario]))
    before = [line for line in said if "is before the planning date" in line]
    assert any(": melhus: preferred_window '2024-04' (2024-04-27) is before the planning date 2024-06-01" in line
               for line in before), said
    assert before and all(re.search(r"\(set_planning_date\): [a-z0-9-]+: preferred_window ", line)
                          for line in before), before


def test_github_format_appends_the_whole_report_to_the_job_summary(tmp_path: Path, monkeypatch):
    # GitHub shows ten annotations of each kind; the rest were only in the step's log
    from typer.testing import CliRunner

    from hpplan import cli
    from hpplan.check import CheckResult, Finding, to_step_summary
    from hpplan.errors import Location

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step's\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "-f", "github", "-t", "5"])
    assert result.exit_code == 0, result.output
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## an earlier step's\n### hpplan check: ")  # appended: the job's steps share it
    assert written.endswith(f"```text\n{result.stdout.strip()}\n```\n\n")
    # not in the other formats
    CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "-t", "5"])
    assert summary.read_text(encoding="utf-8") == written
    # every finding, in a fence the data's backticks cannot close; the heading's markup escaped
    findings = [Finding("order", f"rule {n} ```x```", Location("w.yaml", n), "rule") for n in range(15)]
    text = to_step_summary(CheckResult("data", "violations", "2 *errors*", findings=findings))
    assert text.startswith("### 2 \\*errors*\n\n````text\n")  # s27: the opener escaped, enough and text.count("rule ") == 15
    # a summary that cannot be written: a warning, the check's own result stands
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "summary.md"))
    result = CliRunner().invoke(cli.app, ["check", "--data", str(tiny), "-f", "github", "-t", "5"])
    assert result.exit_code == 0 and "::warning title=hpplan check::cannot write the job summary" in result.stdout


def test_a_saved_replan_read_back_keeps_its_frozen_horizon(data: Path, tmp_path: Path):
    # `read_plan` of a `solve --baseline` plan lost the data's freeze_until, so compare() on it said no freeze
    import datetime as dt

    from typer.testing import CliRunner

    from hpplan import cli
    from hpplan.solution import read_plan

    waves = data / "waves.yaml"
    waves.write_text("freeze_until: 2024-06-01\n" + waves.read_text(encoding="utf-8"), encoding="utf-8")
    base, again = tmp_path / "base.json", tmp_path / "again.json"
    run = CliRunner().invoke
    assert run(cli.app, ["solve", "--data", str(data), "-t", "5", "-f", "json", "-o", str(base)]).exit_code == 0
    assert run(cli.app, ["solve", "--data", str(data), "--baseline", str(base), "--postpone", "orsta=2024-09-01",
                         "-t", "5", "-f", "json", "-o", str(again)]).exit_code == 0
    stats = read_plan(again).stats
    assert stats.least_change and stats.freeze_until == dt.date(2024, 6, 1)
    assert read_plan(base).stats.freeze_until is None  # no re-plan, no freeze


def test_an_invalid_plan_file_is_a_plan_checks_result(tmp_path: Path):
    # `check --plan bad.json -f json` said "mode": "data"; a --junit that cannot be written named no plan
    import json

    from typer.testing import CliRunner

    from hpplan import cli

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    run = CliRunner().invoke
    report = json.loads(run(cli.app, ["check", "--data", str(tiny), "--plan", str(bad), "-f", "json"]).stdout)
    assert (report["mode"], report["status"]) == ("plan", "invalid")
    good = tmp_path / "plan.json"
    assert run(cli.app, ["solve", "--data", str(tiny), "-t", "5", "-f", "json", "-o", str(good)]).exit_code == 0
    out = run(cli.app, ["check", "--data", str(tiny), "--plan", str(good), "-f", "json", "--junit",
                        str(tmp_path / "no" / "x.xml")])
    report = json.loads(out.stdout)
    assert out.exit_code == 2 and report["mode"] == "plan" and f"with plan {good}" in report["summary"]


def test_an_id_written_with_a_part_too_many_is_suggested_where_nothing_is_spelt_alike():
    # `orsta-kommune` got no suggestion, while `frosta-kommune` got `frosta`
    assert closest("orsta-kommune", ["orsta", "volda", "frosta"]) == "orsta"
    assert closest("aure-kommune", ["aure", "averoy"]) == "aure"
    assert closest("orsta-legekontr", ["orsta", "orsta-legekontor"]) == "orsta-legekontor"  # a misspelling first


def test_a_replan_out_of_time_before_a_plan_of_its_own_gives_the_baseline_where_it_keeps_every_rule(monkeypatch):
    # national scale: `solve --baseline` (and compare) ran out of time in CP-SAT's first re-plan phase and
    # answered "no plan (unknown)", exit 3, where the baseline itself keeps every rule; only a Ctrl-C gave it
    import sys

    from helpers import build, org, solved

    from hpplan.solution import Status
    from hpplan.solve import Baseline, Replan, SolveOptions, solve_replan

    problem = build([org("a", population=100), org("b", population=10)])
    base = solved(problem)

    def out_of_time(rollout, problem, baseline, options, deadline, stats, start=None, **kwargs):
        # as CP-SAT's phase ends with no plan at the deadline (each neighbourhood round's too, s28: it passed only
        # after tests that had used the time it needed to start)
        return Replan(), Status.unknown

    monkeypatch.setattr(sys.modules["hpplan.solve"], "_stabilise", out_of_time)  # (hpplan.solve: the function)
    solution, replan = solve_replan(problem, SolveOptions(time_limit=5), Baseline(base))
    assert solution.status is Status.feasible and solution.stats.found_by == "baseline"
    assert [(a.id, a.window) for a in solution.plan] == [(a.id, a.window) for a in base.plan]
    assert replan.moved == 0 and "out of time before a plan of its own: the baseline, unchanged" in solution.stats.phases
    # a baseline that breaks a rule of the changed data is no plan: it was none; now the baseline repaired by the
    # list scheduler (test_lead_s26)
    later = build([org("a", population=100, earliest="2024-04-01"), org("b", population=10)])
    repaired = solve_replan(later, SolveOptions(time_limit=5), Baseline(base))[0]
    assert (repaired.status, repaired.stats.found_by) == (Status.feasible, "baseline repair")


def _read_both_ways(raw: bytes, monkeypatch) -> tuple:
    """parse_yaml's outcome by libyaml (where PyYAML has it) and by the Python parser."""
    import hpplan.yamlio as yamlio

    def outcome():
        try:
            doc = yamlio.parse_yaml(raw, "f.yaml")
            return "ok", doc.data, doc.lines, doc.written, doc.commented
        except Exception as error:  # noqa: BLE001 (any difference counts)
            return "error", type(error).__name__, str(error)

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(yamlio, "_FastLoader", None)
        return fast, outcome()


def test_libyaml_reads_every_file_as_the_python_parser_does(monkeypatch):
    # the data is read by libyaml where PyYAML has it (national: 2.8 s -> 0.7 s); a file must read the same,
    # values, lines, the text of numbers written otherwise and comments, or give the same error
    import random

    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml: the Python parser reads every file")
    repo = Path(__file__).resolve().parent.parent
    files = sorted([*repo.glob("data/**/*.yaml"), *repo.glob("tests/data/**/*.yaml")])
    for path in files:
        fast, python = _read_both_ways(path.read_bytes(), monkeypatch)
        assert fast == python, path
    # each found where the two read otherwise (a re-check): a byte order mark inside the text, a block
    # scalar's header followed by '#', a '%' directive, '---' alone without its line break
    for text in ("a:\n  b: 1\n\ufeff c: 2\n", "windows: [\n\ufeff2024-02, 2024-04]\n", "a: 1\n\ufeff# note\nb: 2\n",
                 "note: >#1 assumption\n", "a: |-#c\n  x\n", "---", "%YAML 1.1#c\n---\na: 1\n", "a: [b, ?c]\n"):
        fast, python = _read_both_ways(text.encode("utf-8"), monkeypatch)
        assert fast == python, text
    rng = random.Random(25)
    texts = [(repo / "tests/data/tiny" / name).read_text(encoding="utf-8") for name in ("organisations.yaml", "waves.yaml")]
    for _ in range(300):  # a few characters inserted, deleted or replaced
        text = list(rng.choice(texts))
        for _ in range(rng.randint(1, 4)):
            at, op = rng.randrange(len(text)), rng.random()
            char = rng.choice([*" :-#'\"[]{},|>&*!%@`?\n\t0123456789aæø.\ufeff", ">#", "|#", "%"])
            if op < 0.4:
                text.insert(at, char)
            elif op < 0.7:
                del text[at]
            else:
                text[at] = char
        fast, python = _read_both_ways("".join(text).encode("utf-8"), monkeypatch)
        assert fast == python, "".join(text)


def test_the_per_organisation_table_lists_the_fifty_whose_go_live_varies_most_at_scale():
    # a national sweep printed 2,105 rows of "Go-live per organisation", most of them not varying at all
    from hpplan.sweep import aggregate
    from hpplan.sweep.output import ORGANISATIONS_SHOWN, summary_text
    from hpplan.sweep.run import Results

    ids = [f"m{n:03d}" for n in range(80)]
    actors = [{"id": i, "name": i.upper(), "kind": "municipality", "mandatory": True, "population": 10} for i in ids]
    base = {"type": "base", "status": "optimal", "completion": "2026-02-07", "actors": actors,
            "go_live": {i: "2025-02-08" for i in ids}}
    # m000..m059 vary (m000 least, each a little more), the last twenty never move
    later = {i: "2025-09-06" if n < 60 and n >= 10 else "2025-04-05" if n < 10 else "2025-02-08"
             for n, i in enumerate(ids)}
    records = [{"type": "result", "index": k, "status": "optimal", "tie_break": "complete",
                "go_live": later if k else base["go_live"], "completion": "2026-02-07",
                "delay": {i: 3 for i in ids[:60]} if k else {}, "moved": 60 if k else 0,
                "population_months": 0, "cost_mnok": 0} for k in range(3)]
    header = {"type": "header", "spec": "s.yaml", "description": "d", "kind": "monte_carlo", "seed": 1, "size": 3,
              "live_by": [], "axes": []}
    text = summary_text(aggregate(Results(header, base, records)), 160)
    table = text[text.index("Go-live per organisation"):]
    assert table.startswith(f"Go-live per organisation (scenarios with a plan), the {ORGANISATIONS_SHOWN} whose "
                            "go-live varies most")
    listed = [i for i in ids if re.search(rf"^\s*{i}\s", table, re.M)]
    assert listed == ids[10:60], listed  # the widest spread first; the ten that move less, and the still, left out
    assert "... and 30 more organisations, whose go-live varies less or not at all (--format csv or json" in table


def test_roots_of_knock_ons_that_name_each_other_are_found_once_not_along_every_path():
    # a regional comparison afresh spent 10 minutes walking every path of a knock-on graph with cycles
    import datetime as dt

    from hpplan.compare import Cause, Move, _roots

    def move(ident: str, kind: str, actors: tuple[str, ...] = ()) -> Move:
        cause = Cause(kind, "t", actors=actors)
        return Move(ident, ident, "municipality", "later", dt.date(2025, 1, 1), dt.date(2025, 6, 1), "a", "b",
                    population=10, cost_per_month=None, cost_estimate=False, causes=(cause,))

    n = 40  # each knock-on names the next five: 5**40 paths, each met once
    moves = [move("root-a", "scenario"), move("root-b", "limit")]
    moves += [move(f"k{i:02d}", "knock-on", tuple(f"k{j:02d}" for j in range(i + 1, min(n, i + 6)))
                   + (("k00",) if i == n - 1 else ()) + (("root-b", "root-a") if i == n - 1 else ()))
              for i in range(n)]
    roots = _roots(moves)
    assert roots["k00"] == ("root-a", "root-b")  # in the order of the moves
    assert roots["root-a"] == ("root-a",) and all(roots[f"k{i:02d}"] == ("root-a", "root-b") for i in range(n))


def test_past_the_first_moves_later_examined_the_windows_between_are_counted_not_examined(monkeypatch):
    # a national comparison afresh (1,085 moves) ran the verifier per window between per move: 20 minutes
    import sys

    from helpers import build, org, solved

    from hpplan.cli_compare import comparison_markdown, comparison_text
    from hpplan.compare import compare
    from hpplan.scenario import apply_quick

    compare_module = sys.modules["hpplan.compare"]
    profiles = [{"id": "municipality", "hypercare": [3, 4], "source": {"all": "estimate: test"}}]
    base = build([org("m1", population=100), org("m2", earliest="2024-04-01")], profiles=profiles,
                 pools=[{"id": "primary", "sector": "primary", "fte": 5, "source": {"fte": "estimate: test"}},
                        {"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: t"}}])
    other = apply_quick(base, postpone=["m1=2024-04-01"])
    planned, replanned = solved(base), solved(other)
    full = compare(planned, base, replanned, other)
    later = [m for m in full.moves if m.change == "later"]
    assert len(later) == 2 and full.landings_not_examined == 0
    monkeypatch.setattr(compare_module, "LANDINGS_EXAMINED", 1)
    cut = compare(planned, base, replanned, other)
    assert cut.landings_not_examined == 1 and cut.to_json_dict()["landings_not_examined"] == 1
    assert [m.causes[0] for m in cut.moves] == [m.causes[0] for m in full.moves]  # the main causes alike
    said = f"for the first {sys.modules['hpplan.cli_compare'].LANDINGS_EXAMINED} moves later; 1 more are not examined"
    assert said in " ".join(comparison_text(cut, 200, "c").split()) and said in comparison_markdown(cut)


def test_a_quick_capacity_beyond_its_range_is_said_as_written():
    # `--capacity primary=2000%` said pydantic's "factor: Input should be less than or equal to 10 (got 20.0)"
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_quick

    problem = load_problem(Path(__file__).resolve().parent / "data" / "tiny")
    assert error_of(lambda: apply_quick(problem, capacity=["primary=2000%"])) == (
        "--capacity: 'primary=2000%': 2000% is more than a pool may have here: at most 1000%")
    assert error_of(lambda: apply_quick(problem, capacity=["primary=2000000"])) == (
        "--capacity: 'primary=2000000': 2000000 FTE is more than a pool may have here: at most 100 000 FTE")


def test_a_comment_where_a_scenario_sets_or_adds_a_value_is_said(tmp_path: Path):
    # `fields: name: #1 Ørsta` in a set said "missing field 'name'"; in an added organisation, "found nothing (null)"
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_scenarios

    problem = load_problem(Path(__file__).resolve().parent / "data" / "tiny")
    scenario = tmp_path / "named.yaml"
    scenario.write_text("base: data\ndescription: names (assumption)\nchanges:\n  - op: set\n    actor: orsta\n"
                        "    fields:\n      name: #1 Ørsta\n", encoding="utf-8")
    assert error_of(lambda: apply_scenarios(problem, [scenario])) == (
        f"{scenario}:7: orsta: name: set to nothing: in YAML ' #' starts a comment, so '#1 Ørsta' is one, not the "
        "value; where it is the value, put it in quotes: name: \"#1 Ørsta\" (to remove the field, write name: null)")
    scenario.write_text("base: data\ndescription: a new one (assumption)\nchanges:\n  - op: add\n    organisation:\n"
                        "      id: nyby\n      name: #2 Nyby\n      kind: municipality\n      status: planned\n"
                        "      population: 100\n      source: {all: 'estimate: test'}\n", encoding="utf-8")
    said = error_of(lambda: apply_scenarios(problem, [scenario]))
    assert said.startswith(f"{scenario}:7: organisation.name: expected text, found nothing: in YAML ' #' starts a "
                           "comment, so '#2 Nyby' is one"), said
