"""Small fixes of the lead's, session 28."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hpplan import cli


def test_report_to_a_name_without_a_suffix_says_so_and_how(tmp_path, data):
    out = tmp_path / "board"
    done = CliRunner().invoke(cli.app, ["report", "--data", str(data), "-o", str(out)])
    assert done.exit_code == 2
    said = " ".join(done.output.split())
    assert "no suffix is none of them" not in said
    assert "a name without a suffix does not say which; give --format" in said and "--format html)" in said
    assert not out.exists()
    pdf = CliRunner().invoke(cli.app, ["report", "--data", str(data), "-o", str(tmp_path / "board.pdf")])
    assert pdf.exit_code == 2 and ".pdf is none of them" in " ".join(pdf.output.split())
    assert "--format html" not in pdf.output  # an HTML page under a .pdf name is not what to suggest


def _run(*args: str):
    return CliRunner().invoke(cli.app, list(args), env={"COLUMNS": "200"})


def test_a_plan_made_with_command_line_changes_records_them_and_is_the_baseline_of_its_own_data(tmp_path, data):
    import json

    week1 = tmp_path / "week1.json"
    made = _run("solve", "--data", str(data), "--exclude", "orsta", "--capacity", "primary=60", "-q", "-t", "10",
                "-f", "json", "-o", str(week1))
    assert made.exit_code == 0, made.output
    saved = json.loads(week1.read_text())
    assert saved["command_line"] == [["--exclude", "orsta"], ["--capacity", "primary=60"]]
    assert len(saved["applied"]) == 2
    # next week, without the exclusion: the baseline is read against the data it was made with (orsta opted
    # out), so it fits, and orsta's return is the data's change, not a plan that "does not fit"
    week2 = _run("solve", "--data", str(data), "--baseline", str(week1), "-t", "10")
    assert week2.exit_code == 0, week2.output
    said = " ".join(week2.output.split())
    assert "does not fit" not in said
    assert (f"note: the baseline {week1} was made with --exclude orsta; --capacity primary=60: applied to the "
            "baseline's data, as the plan records") in said
    assert "status opted_out -> planned" in said
    compared = _run("compare", "--data", str(data), "--baseline", str(week1), "-t", "10", "-f", "json")
    assert compared.exit_code == 0, compared.output
    report = json.loads(compared.stdout)
    assert any("was made with --exclude orsta" in note for note in report["notes"])
    assert not any("--baseline-scenario" in note for note in report["notes"])  # nothing left to give


def test_a_recorded_change_that_no_longer_applies_is_said_and_the_data_used_without_it(tmp_path, data):
    import json

    plan = tmp_path / "plan.json"
    assert _run("solve", "--data", str(data), "--exclude", "orsta", "-q", "-t", "10", "-f", "json",
                "-o", str(plan)).exit_code == 0
    saved = json.loads(plan.read_text())
    saved["command_line"] = [["--exclude", "no-such-org"]]
    plan.write_text(json.dumps(saved))
    done = _run("solve", "--data", str(data), "--baseline", str(plan), "-t", "10")
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "--exclude no-such-org (" in said and "which does not apply to the baseline's data here" in said


def test_a_plan_files_command_line_entries_are_checked(tmp_path, data):
    import json

    plan = tmp_path / "plan.json"
    assert _run("solve", "--data", str(data), "--exclude", "orsta", "-q", "-t", "10", "-f", "json",
                "-o", str(plan)).exit_code == 0
    saved = json.loads(plan.read_text())
    for bad, says in (([["--exclude", "orsta"], ["--exclude", "alesund"]], "2 changes as typed, but applied has 1"),
                      ([["--drop", "orsta"]], "expected a list of [option, value] pairs")):
        plan.write_text(json.dumps(dict(saved, command_line=bad), indent=2))
        done = _run("solve", "--data", str(data), "--baseline", str(plan), "-t", "10")
        assert done.exit_code == 2, done.output
        assert says in done.output and "Traceback" not in done.output
        assert f"{plan}:" in done.output  # at the plan file's line


def test_sweep_replan_option_records_and_says_it_and_the_together_group_is_one_risk_row(tmp_path):
    import json

    import yaml

    from hpplan.sweep import default_jobs, read_results
    from hpplan.sweep.spec import SweepSpec

    tiny = Path(__file__).resolve().parent / "data" / "sweep_tiny"
    spec = tmp_path / "mc.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(tiny), "description": "trust A may slip", "kind": "monte_carlo", "samples": 6, "seed": 3,
        "live_by": ["2024-12-31"], "time_limit": 10,
        "risks": [{"actor": "trust-a", "slip": {"discrete": {0: 0.5, 6: 0.5}}, "source": "estimate: test"}]}))
    out = tmp_path / "r.jsonl"
    done = _run("sweep", str(spec), "--out", str(out), "-j", "1", "--replan", "-f", "json")
    assert done.exit_code == 0, done.output
    results, _ = read_results(out)
    assert results.header["solver"]["plan"] == "replan"
    assert all("replan" in r for r in results.records if r.get("status") in ("optimal", "feasible"))
    assert {"id": "a-together", "members": ["trust-a", "hospital-a"]} in results.base["together"]
    summary = json.loads(done.stdout)
    assert summary["method"]["replanning"].startswith("each scenario is re-planned from the base plan")
    # trust-a and hospital-a go live as one: one row of the risk list, named with its group
    assert not {"trust-a", "hospital-a"} <= set(summary["at_risk"])
    assert any(g["id"] == "a-together" for g in summary["at_risk_groups"].values())
    text = _run("sweep", str(spec), "--out", str(out), "--no-run", "--replan")
    assert text.exit_code == 0, text.output
    assert "Each scenario re-planned from the base plan" in " ".join(text.output.split())
    # the other mode's file is refused (--fresh is the spec's default: the file was made with --replan)
    fresh = _run("sweep", str(spec), "--out", str(out), "--no-run")
    assert fresh.exit_code == 2 and "solver.plan: replan -> fresh" in " ".join(fresh.output.split())
    # the default jobs: cores / threads per solve (a re-plan: CP-SAT alone on `workers`)
    replan_spec = SweepSpec.model_validate({**yaml.safe_load(spec.read_text()), "plan": "replan", "workers": 1})
    assert default_jobs(replan_spec) >= default_jobs(SweepSpec.model_validate(yaml.safe_load(spec.read_text())))


def test_engine_highs_with_a_rule_type_it_cannot_hold_is_bad_usage_at_the_rule_not_a_bug(monkeypatch):
    import importlib
    from typing import Literal

    import pytest

    from helpers import build, org
    from hpplan.errors import InputError
    from hpplan.model import constraints
    from hpplan.schema import RuleBase
    from hpplan.solve import SolveOptions, solve

    class TestOnlyApart(RuleBase):  # a contributor's type with no relations: its own CP-SAT writer
        type: Literal["test_only_apart"] = "test_only_apart"
        actors: list[str]

        def named(self) -> list[tuple[str, str]]:
            return [("actors", a) for a in self.actors]

    verifier = importlib.import_module("hpplan.verify")
    monkeypatch.setitem(constraints.RULES, "test_only_apart", constraints.RULES["not_same_window"])
    monkeypatch.setitem(verifier._RULE_CHECKS, TestOnlyApart, verifier._Verifier.check_not_same_window)
    problem = build([org("m1"), org("m2"), org("m3")])
    problem.waves.rules.append(TestOnlyApart(actors=["m1", "m2"]))
    with pytest.raises(InputError, match="engine highs cannot plan this data: test_only_apart#1: rule type "
                                         "'test_only_apart' is not in the flat form .* give --engine cp-sat or auto"):
        solve(problem, SolveOptions(time_limit=10, engine="highs"))
    planned = solve(problem, SolveOptions(time_limit=10, engine="auto"))
    assert planned.found and planned.stats.found_by == "cp-sat"
    assert any(phase.startswith("CP-SAT alone (HiGHS, the list schedule and symmetry breaking step aside): "
                                "test_only_apart#1") for phase in planned.stats.phases)


def test_compare_reads_which_way_a_rule_binds_from_its_relations_not_from_a_list_of_types(monkeypatch):
    # a contributor's same_or_after(alesund, orsta) is with_or_before(orsta, alesund) written the other way
    # round: compare gave circular causes for it (each one's move the other's cause), since its one-way rules
    # were a fixed list of types and their sides the verifier's order of the violation's organisations
    import importlib
    from typing import Literal

    from hpplan.cli_compare import cause_text
    from hpplan.compare import compare
    from hpplan.loader import load_problem
    from hpplan.relations import NoLater
    from hpplan.schema import RuleBase, WithOrBefore
    from hpplan.solution import Solution, Status
    from hpplan.solve import SolveOptions, plan_entries, solve

    class TestOnlySameOrAfter(RuleBase):
        type: Literal["test_only_same_or_after"] = "test_only_same_or_after"
        actor: str
        target: str

        def named(self) -> list[tuple[str, str]]:
            return [("actor", self.actor), ("target", self.target)]

        def relations(self, problem):
            return [NoLater(self.target, self.actor)]

    def check(verifier, rule, label):  # the verifier's own, its organisations (later side, earlier side)
        actor, target = verifier.go[rule.actor], verifier.go[rule.target]
        if actor.scheduled and target.scheduled and actor.date < target.date:
            verifier.add(rule.type, f"{label}: {rule.actor} before {rule.target}", (rule.actor, rule.target), rule.at)

    verifier = importlib.import_module("hpplan.verify")
    monkeypatch.setitem(verifier._RULE_CHECKS, TestOnlySameOrAfter, check)
    said = {}
    for rule in (TestOnlySameOrAfter(actor="alesund", target="orsta"),
                 WithOrBefore(type="with_or_before", actor="orsta", target="alesund")):
        problem = load_problem(Path(__file__).resolve().parent / "data" / "tiny")
        problem.waves.rules.append(rule)
        problem.__dict__.pop("numbers", None)  # (numbered again with the rule added)
        base = Solution(status=Status.feasible, plan=plan_entries(problem, {
            "helse-more-og-romsdal": "2024-02", "alesund": "2024-09", "orsta": "2024-09", "orsta-legekontor": "2024-02"}))
        fresh = solve(problem, SolveOptions(time_limit=10, engine="cp-sat"))
        said[rule.type] = {m.id: cause_text(m).replace(rule.type, "RULE") for m in compare(base, problem, fresh, problem).moves}
    assert said["test_only_same_or_after"] == said["with_or_before"]
    assert said["with_or_before"]["alesund"].startswith("not forced: in the baseline only RULE rule #3 with orsta")
    assert said["with_or_before"]["orsta"] == "RULE rule #3: alesund moved 2024-09-14 -> 2024-02-10"


def test_a_recorded_change_that_no_longer_applies_leaves_the_others_applied_and_the_data_named(tmp_path, data):
    import json

    week = tmp_path / "week.json"
    made = _run("solve", "--data", str(data), "--exclude", "orsta-legekontor", "--capacity", "primary=60", "-q",
                "-t", "10", "-f", "json", "-o", str(week))
    assert made.exit_code == 0, made.output
    # the data loses the GP office since (the last organisation of the tiny data's file)
    orgs = data / "organisations.yaml"
    text = orgs.read_text()
    orgs.write_text(text[:text.index("  - id: orsta-legekontor")])
    done = _run("compare", "--data", str(data), "--baseline", str(week), "--postpone", "alesund=2024-04-01",
                "-t", "10", "-f", "json")
    assert done.exit_code == 0, done.output
    notes = " ".join(json.loads(done.stdout)["notes"])
    assert "was made with --capacity primary=60: applied to the baseline's data" in notes
    assert "--exclude orsta-legekontor (" in notes and "which does not apply to the baseline's data here" in notes
    assert "made from data that had them (since removed)" in notes and "with a scenario the baseline" not in notes
    gone = next(m for m in json.loads(done.stdout)["moves"] if m["id"] == "orsta-legekontor")
    assert (gone["change"], gone["cause"]["kind"]) == ("removed", "gone")
    shown = _run("compare", "--data", str(data), "--baseline", str(week), "--postpone", "alesund=2024-04-01",
                 "-t", "10")
    said = " ".join(shown.output.split())
    assert "Removed from the data (1)" in said and "Removed by the scenario" not in said


def test_a_postponement_to_an_earlier_date_is_said(data):
    import warnings

    import pytest

    from hpplan.errors import DataWarning
    from hpplan.loader import load_problem
    from hpplan.scenario import apply_quick

    problem = apply_quick(load_problem(data), postpone=["orsta=2024-09-01"])  # earliest 2024-09-01
    with pytest.warns(DataWarning, match="postpone orsta to 2024-04-20 brings it forward: its earliest is 2024-09-01"):
        moved = apply_quick(problem, postpone=["orsta=2024-04-20"])
    assert str(moved.org["orsta"].earliest) == "2024-04-20"  # said, not refused: it may be meant
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        apply_quick(problem, postpone=["orsta=2024-11-01"])  # a later date: nothing to say


def test_explain_says_the_changes_its_answer_is_about(data):
    import json

    text = _run("explain", "--data", str(data), "--actor", "orsta", "--postpone", "orsta=2024-09-01", "-t", "10")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("scenario: command line: postpone orsta: earliest none -> 2024-09-01*\n\nWhy ")
    plain = _run("explain", "--data", str(data), "--actor", "orsta", "-t", "10")
    assert plain.stdout.startswith("Why ")  # no changes: as before
    report = json.loads(_run("explain", "--data", str(data), "--actor", "orsta", "--postpone", "orsta=2024-09-01",
                             "-t", "10", "-f", "json").stdout)
    assert report["applied"] == ["command line: postpone orsta: earliest none -> 2024-09-01"]


def test_the_plan_titles_scenario_line_marks_its_dates_as_the_changes_below_do(data):
    done = _run("solve", "--data", str(data), "--postpone", "orsta=2024-09-01", "-t", "10")
    assert done.exit_code == 0, done.output
    assert "scenario: command line: postpone orsta: earliest none -> 2024-09-01*" in done.stdout
    assert "after a number or a date: an estimate" in " ".join(done.stdout.split())


def test_a_scenarios_set_limit_out_of_bounds_is_said_at_its_field(tmp_path, data):
    scenario = tmp_path / "big.yaml"
    scenario.write_text(f"base: {data}\ndescription: too big\nchanges:\n  - op: set_limit\n    index: 1\n"
                        "    max_actors: 99999999999\n")
    done = _run("solve", "--scenario", str(scenario), "-t", "5")
    assert done.exit_code == 2
    assert (f"{scenario}:6: limit #1: max_actors: Input should be less than or equal to 1 000 000 (got 99999999999)"
            in " ".join(done.output.split()))


def test_exclude_of_a_name_whose_id_form_is_no_organisation_suggests_a_real_id():
    repo = Path(__file__).resolve().parent.parent
    done = _run("solve", "--data", str(repo / "data"), "--exclude", "ærøy", "-t", "5")
    assert done.exit_code == 2
    said = " ".join(done.output.split())
    assert "no organisation's id is 'aeroy' either (did you mean 'averoy'?)" in said
    assert "did you mean 'aeroy'" not in said  # (an id no organisation has)


def test_a_replan_sweeps_scenario_is_reproduced_by_hand_against_its_base_plan(tmp_path, monkeypatch):
    import json

    import yaml

    tiny = Path(__file__).resolve().parent / "data" / "sweep_tiny"
    monkeypatch.chdir(tmp_path)
    Path("mc.yaml").write_text(yaml.safe_dump({
        "base": str(tiny), "description": "trust A may slip", "kind": "monte_carlo", "samples": 6, "seed": 3,
        "live_by": ["2024-12-31"], "time_limit": 10, "plan": "replan",
        "risks": [{"actor": "trust-a", "slip": {"discrete": {0: 0.5, 6: 0.5}}, "source": "estimate: test"}]}))
    assert _run("sweep", "mc.yaml", "--out", "r.jsonl", "-j", "1").exit_code == 0
    missing = _run("sweep", "mc.yaml", "--out", "none.jsonl", "--base-plan", "base.json")
    assert missing.exit_code == 2 and "no such results file" in missing.output and not Path("base.json").exists()
    assert _run("sweep", "mc.yaml", "--out", "r.jsonl", "--base-plan", "base.json").exit_code == 0
    records = [json.loads(line) for line in Path("r.jsonl").read_text().splitlines()]
    for index in range(6):
        scenario = _run("sweep", "mc.yaml", "--scenario-of", str(index))
        assert "--base-plan base.json" in scenario.stdout  # it says how
        Path(f"s{index}.yaml").write_text(scenario.stdout)
        made = _run("solve", "--scenario", f"s{index}.yaml", "--baseline", "base.json", "-t", "10", "-q",
                    "-f", "json", "-o", f"p{index}.json")
        assert made.exit_code == 0, made.output
        record = next(r for r in records if r.get("index") == index)
        planned = {a["id"]: a["go_live"] for a in json.loads(Path(f"p{index}.json").read_text())["plan"]}
        assert {i: planned[i] for i in record["go_live"]} == record["go_live"]


def test_the_progress_display_shows_the_neighbourhood_searchs_rounds():
    import sys

    from hpplan.generate import _problem, generate
    from hpplan.scenario import apply_quick
    from hpplan.solve import Baseline, SolveOptions, solve

    class Heard:
        def __init__(self):
            self.attached = []

        def attach(self, solver, phase="objective", step=None):
            self.attached.append((phase, step))

        def update(self, **_):
            pass

    problem = _problem(*generate("region", 1))
    base = solve(problem, SolveOptions(time_limit=10))
    cut = apply_quick(problem, capacity=["primary=90%@2025-01"])
    heard = Heard()
    solve_module = sys.modules["hpplan.solve"]
    assert solve_module.NEIGHBOURHOOD_SEARCH
    # (a work limit: its rounds by deterministic work, not by a wall clock a loaded machine runs short of: under
    # load the search began with no time for a round, s29)
    replanned = solve(cut, SolveOptions(time_limit=120, work_limit=20, progress=heard), Baseline(base))
    assert replanned.found
    assert any(p.startswith("neighbourhood search") for p in replanned.stats.phases)  # (the search ran)
    assert ("fewest moved", "in neighbourhood round 1") in heard.attached  # and its rounds were shown


def test_a_gantt_too_narrow_for_year_labels_gives_the_span_of_years():
    from hpplan.render import Timeline

    # half-years in one-character cells: no year has room for '24, so the line says the span
    years, units = Timeline(2023 * 12 + 6, 6, 8, 1).header()
    assert years.startswith("'23-'27") and units == "21212121"
    years, units = Timeline(2021 * 12 + 6, 6, 12, 1).header()
    assert years.startswith("2021-2027") and units == "212121212121"
    years, _ = Timeline(2024 * 12, 1, 24, 1).header()  # months: each year labelled as before
    assert years.startswith("2024") and "2025" in years and "-" not in years
