"""`plan: replan` in a sweep spec: each scenario re-planned from the base plan; records with the plan's
bound and gap; a results file of the other mode is not resumed; the default number of jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hpplan import cli
from hpplan.errors import InputError
from hpplan.sweep import inline_backend, load_spec, local_backend, read_results, resolve, run_sweep
from hpplan.sweep import run as sweep_run
from hpplan.sweep.spec import SweepSpec

TINY = Path(__file__).resolve().parent / "data" / "sweep_tiny"
RISKS = [
    {"actor": "trust-a", "slip": {"discrete": {0: 0.5, 3: 0.3, 6: 0.2}}, "source": "estimate: test"},
    {"kind": "municipality", "slip": {"triangular": {"min": 0, "mode": 1, "max": 4}}, "source": "estimate: test"},
]


def spec_file(tmp_path: Path, name: str = "s.yaml", **fields) -> Path:
    data = {"base": str(TINY), "description": "test sweep", "kind": "monte_carlo", "samples": 3, "seed": 7,
            "time_limit": 10, "risks": RISKS}
    data.update(fields)
    path = tmp_path / name
    path.write_text(yaml.safe_dump({k: v for k, v in data.items() if v is not None}, sort_keys=False),
                    encoding="utf-8")
    return path


def context_of(path: Path):
    return resolve(load_spec(path))


# `region` (conftest): the generated 100-organisation instance, whose base plan a 1-second solve does not prove


def replanned(tmp_path: Path, region: Path, samples: int, slip: int, source: str):
    """The results of a re-planning sweep of `region` in which helse-granstrand slips `slip` months."""
    spec = spec_file(tmp_path, base=str(region), samples=samples, time_limit=1, plan="replan",
                     risks=[{"actor": "helse-granstrand", "slip": {"fixed": slip}, "source": source}])
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec), out, backend_factory=inline_backend())
    return read_results(out)[0]


def test_an_unchanged_future_gives_back_the_base_plan_when_re_planned(tmp_path, region):
    # from scratch, a plan cut short by the time limit differs from the base plan cut short: at 300
    # organisations a spec that changed nothing showed 47.5 organisations later than the base plan
    results = replanned(tmp_path, region, 3, 0, "estimate: control")
    base = results.base
    assert base["status"] in ("optimal", "feasible") and set(base["window"]) == set(base["go_live"])
    assert len(results.records) == 3
    for record in results.records:
        assert record["go_live"] == base["go_live"] and record["completion"] == base["completion"]
        assert record["moved"] == 0 and record["delay"] == {} and record["population_months"] == 0
        assert record["replan"] == {"moved": 0, "least_change_proven": True, "around_change": True}
        assert record["objective"] == base["objective"]
        # proven among the plans that change the base least: its bound is its objective
        assert record["status"] == "optimal" and record["gap"] == 0 and record["best_bound"] == record["objective"]


def test_a_slip_re_planned_moves_only_what_the_re_plan_frees(tmp_path, region):
    results = replanned(tmp_path, region, 1, 6, "estimate: test")
    record, base = results.records[0], results.base
    assert record["status"] in ("optimal", "feasible") and record["replan"]["moved"] >= 1
    changed = [i for i, day in record["go_live"].items() if day != base["go_live"][i]]
    assert "helse-granstrand" in changed
    # every organisation the re-plan did not move keeps its base go-live: the moves are the change's
    assert len(changed) <= record["replan"]["moved"] < len(base["go_live"]) // 2


def test_records_say_how_good_each_plan_is(tmp_path):
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec_file(tmp_path, samples=2)), out, backend_factory=inline_backend())
    results = read_results(out)[0]
    for record in [results.base, *results.records]:
        assert record["status"] == "optimal" and record["gap"] == 0
        assert record["best_bound"] == record["objective"]
        assert "replan" not in record and "window" not in record  # planned from scratch
    assert results.header["solver"]["plan"] == "fresh"


def test_re_plan_on_worker_processes_gets_the_base_plan(tmp_path):
    spec = spec_file(tmp_path, samples=3, plan="replan")
    local, inline = tmp_path / "local.jsonl", tmp_path / "inline.jsonl"
    run_sweep(context_of(spec), local, backend_factory=local_backend(jobs=1))
    run_sweep(context_of(spec), inline, backend_factory=inline_backend())

    def plans(path):
        return sorted((r["index"], r["status"], r["go_live"], r["replan"]) for r in read_results(path)[0].records)

    assert plans(local) == plans(inline)
    assert all(r[1] == "optimal" for r in plans(local))


def test_a_results_file_of_the_other_mode_is_refused_at_the_file(tmp_path):
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec_file(tmp_path, samples=2)), out, backend_factory=inline_backend())
    before = out.read_bytes()
    with pytest.raises(InputError, match=r"r\.jsonl: was written for other inputs.*solver\.plan: fresh -> replan"):
        run_sweep(context_of(spec_file(tmp_path, samples=2, plan="replan")), out, backend_factory=inline_backend(),
                  resume=True)
    replan = spec_file(tmp_path, "replan.yaml", samples=2, plan="replan")
    runner = CliRunner()
    for more in (["--resume"], ["--no-run"]):
        result = runner.invoke(cli.app, ["sweep", str(replan), "--out", str(out), *more])
        assert result.exit_code == 2 and "solver.plan: fresh -> replan" in result.stderr
        assert str(out) in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes() == before


def test_the_mode_is_in_the_hash_and_a_fresh_file_made_before_the_key_is_still_resumed(tmp_path):
    without = context_of(spec_file(tmp_path, "a.yaml")).digest()
    fresh = context_of(spec_file(tmp_path, "b.yaml", plan="fresh")).digest()
    replan = context_of(spec_file(tmp_path, "c.yaml", plan="replan")).digest()
    assert without == fresh != replan


def test_a_wrong_plan_mode_is_refused_at_its_line(tmp_path):
    spec = spec_file(tmp_path, plan="again")
    result = CliRunner().invoke(cli.app, ["sweep", str(spec), "--out", str(tmp_path / "r.jsonl")])
    line = spec.read_text().splitlines().index("plan: again") + 1
    assert result.exit_code == 2 and f"s.yaml:{line}:" in result.stderr and "fresh" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fields, cores, jobs", [
    ({}, 2, 1),  # engine auto: CP-SAT and HiGHS race on two threads
    ({}, 8, 4),
    ({}, 1, 1),  # at least one
    ({"plan": "replan"}, 2, 2),  # a re-plan is CP-SAT's alone, on `workers` threads
    ({"engine": "cp-sat", "workers": 3}, 8, 2),
    ({"engine": "auto", "workers": 4}, 8, 2),
    ({"engine": "highs"}, 8, 4),
    ({"work_limit": 2}, 4, 4),  # a work limit leaves CP-SAT alone
])
def test_default_jobs_is_cores_over_threads_per_solve(monkeypatch, fields, cores, jobs):
    monkeypatch.setattr(sweep_run, "_cores", lambda: cores)
    spec = SweepSpec.model_validate({"base": "data", "description": "d", "kind": "monte_carlo", "samples": 1,
                                     "risks": RISKS, **fields})
    assert sweep_run.default_jobs(spec) == jobs
    if not fields:
        assert sweep_run.default_jobs() == jobs  # without a spec: a spec's defaults
