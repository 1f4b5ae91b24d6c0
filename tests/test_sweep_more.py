"""`hpplan sweep` (docs/sweep.md), continued: organisations out of a scenario's plan are said apart as
`hpplan compare` says them, a resume that adds samples leaves a header that says so, `--no-run`'s
refusals say what to do, -o's suffix picks the format, long ids stay whole in the tables, a spec's
time limit has the range of --time-limit, a sweep that cannot start leaves the results file as it was,
and the library's messages name its arguments (the command's, its options)."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from test_sweep import REPO, TINY, context_of, grid_fields, run, spec_file

from hpplan.errors import InputError
from hpplan.sweep import aggregate, inline_backend, read_results, run_sweep
from hpplan.sweep.aggregate import CostOfDelay
from hpplan.sweep.output import summary_text
from hpplan.sweep.run import Results

OPTIONAL_M6 = """
  - id: m6
    name: Municipality 6
    kind: municipality
    status: optional
    earliest: 2024-09-01
    population: 4000
    users: 100
    source: {all: "estimate: test data"}
"""


def test_an_organisation_out_of_a_scenarios_plan_is_counted_apart_not_as_months(tmp_path):
    # m6 (optional, 4 000 people) postponed 18 months is ready after the last window: the plan leaves it
    # out. The sweep counted it as live in the objective's "never" month: 26 months, 104 000
    # population-months and one organisation later, where `hpplan compare` says 0 population-months and
    # "1 organisation (4 000 people) newly out of the plan: open-ended"
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    with open(data / "organisations.yaml", "a", encoding="utf-8") as handle:
        handle.write(OPTIONAL_M6)
    spec = spec_file(tmp_path, base=str(data), kind="grid", samples=None, seed=None, risks=None, live_by=None,
                     grid=[{"postpone": {"actor": "m6", "months": [0, 18]}}])
    result = run_sweep(context_of(spec), tmp_path / "r.jsonl", backend_factory=inline_backend())
    out = next(r for r in result.results.records if r["index"] == 1)
    assert out["status"] == "optimal" and out["go_live"]["m6"] is None
    assert "m6" not in out["delay"] and out["population_months"] == 0 and out["moved"] == 0
    assert out["newly_unscheduled"] == ["m6"] and out["population_out"] == 4000
    assert out["newly_scheduled"] == [] and out["population_in"] == 0

    summary = aggregate(read_results(tmp_path / "r.jsonl")[0])
    cost = summary.cost
    assert cost.mean_population_months == 0 and cost.mean_moved == 0
    assert cost.scenarios_newly_unscheduled == 1 and cost.mean_population_out == 2000
    assert cost.mean_newly_unscheduled == 0.5 and cost.open_ended_cost == []  # m6 has no cost in the data
    m6 = next(a for a in summary.actors if a.id == "m6")
    assert m6.p_later == 0.5 and m6.unscheduled == 0.5 and m6.p90 is None  # out of the plan: later than any date
    assert m6.mean_delay_months == 0  # over the one scenario that plans it, not 26 months
    value = summary.axes[0].values[1]
    assert value.mean_newly_unscheduled == 1 and value.mean_population_out == 4000 and value.mean_population_months == 0
    text = " ".join(summary_text(summary, 80).split())
    assert "In 1 of 2 scenarios organisations the base plan has are out of the plan: open-ended" in text
    assert "2 000* people per scenario" in text and "(or out of the plan: never)" in text
    data_json = json.loads(json.dumps(summary.to_json_dict()))
    assert data_json["cost"]["mean_population_out"] == 2000
    assert "compare" in data_json["method"]["out_of_plan"]


def test_an_organisation_with_a_cost_left_out_of_the_plan_makes_the_cost_open_ended():
    cost = CostOfDelay(mean=0, p50=0, p90=0, max=0, is_estimate=True, actors=["t"], mean_population_months=0,
                       mean_moved=0, scenarios_newly_unscheduled=3, mean_newly_unscheduled=0.3,
                       mean_population_out=300, open_ended_cost=["t"])
    from hpplan.sweep.output import _out_of_plan

    line = _out_of_plan(cost, 10)[0]
    assert line.startswith("In 3 of 10 scenarios") and "the cost of delay of t is open-ended there" in line


def test_a_resume_that_adds_samples_leaves_a_header_that_says_so(tmp_path):
    # the header kept the first run's size: aggregate(read_results(file)) summed up 3 of the 5 scenarios
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec_file(tmp_path, samples=3)), out, backend_factory=inline_backend())
    run_sweep(context_of(spec_file(tmp_path, samples=5)), out, backend_factory=inline_backend(), resume=True)
    found, _ = read_results(out)
    assert found.header["size"] == 5 and len(found.records) == 5
    summary = aggregate(found)
    assert summary.size == 5 and summary.scenarios == 5 and summary.missing == 0
    headers = sum(1 for line in out.read_text().splitlines() if json.loads(line)["type"] == "header")
    assert headers == 2
    # fewer samples sum up a part, and leave the file's size as it is (no header that hides records)
    run_sweep(context_of(spec_file(tmp_path, samples=4)), out, backend_factory=inline_backend(), resume=True)
    assert read_results(out)[0].header["size"] == 5
    assert sum(1 for line in out.read_text().splitlines() if json.loads(line)["type"] == "header") == 2
    # the command line's summary after a resume says the whole file too
    result = run("sweep", str(spec_file(tmp_path, samples=7)), "--out", str(out), "--resume", "-j", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"] == 7 and aggregate(read_results(out)[0]).scenarios == 7


def test_no_run_refusals_say_what_is_missing_and_what_to_do(tmp_path):
    spec = spec_file(tmp_path, samples=2)
    missing = run("sweep", str(spec), "--no-run", "--out", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 2
    assert "run the sweep first (the same command without --no-run)" in missing.stderr, missing.stderr
    out = tmp_path / "r.jsonl"
    assert run("sweep", str(spec), "--out", str(out), "-j", "1").exit_code == 0
    other = run("sweep", str(spec), "--no-run", "--out", str(out), "--seed", "8")
    assert other.exit_code == 2
    text = " ".join(other.stderr.split())
    assert "(seed: 7 -> 8)" in text and "Give the options the file was run with" in text, text
    assert "size:" not in text  # more or fewer samples are no other inputs


def test_the_format_follows_the_suffix_of_o_as_in_solve_and_compare(tmp_path):
    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    assert run("sweep", str(spec), "--out", str(out), "-j", "1").exit_code == 0
    for name, check in (("s.json", lambda t: json.loads(t)["scenarios"] == 2),
                        ("s.csv", lambda t: t.startswith("id,name,kind,base_go_live")),
                        ("s.txt", lambda t: t.startswith("Sweep "))):
        result = run("sweep", str(spec), "--out", str(out), "--no-run", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert check((tmp_path / name).read_text()), name
    result = run("sweep", str(spec), "--out", str(out), "--no-run", "-f", "table", "-o", str(tmp_path / "t.json"))
    assert result.exit_code == 0 and (tmp_path / "t.json").read_text().startswith("Sweep ")  # --format wins


LONG = "trondheim-fastlegekontor-with-a-long-id"


def long_id_summary():
    dates = ["2026-02-28", "2026-04-30", "2026-12-31"]
    actors = [{"id": LONG, "name": "Long", "kind": "gp_office", "mandatory": True, "population": 10},
              {"id": "short", "name": "Short", "kind": "municipality", "mandatory": True, "population": 10}]
    base = {"type": "base", "status": "optimal", "completion": "2025-02-08", "actors": actors,
            "go_live": {LONG: "2024-04-27", "short": "2025-02-08"}}
    records = [{"type": "result", "index": i, "status": "optimal", "tie_break": "complete",
                "go_live": {LONG: "2024-09-14" if i else "2024-04-27", "short": "2025-02-08"},
                "completion": "2025-02-08", "delay": {LONG: 5} if i else {}, "moved": 1 if i else 0,
                "population_months": 50 if i else 0, "cost_mnok": 0} for i in range(2)]
    header = {"type": "header", "spec": "s.yaml", "description": "d", "kind": "monte_carlo", "seed": 1, "size": 2,
              "live_by": dates, "axes": []}
    return aggregate(Results(header, base, records))


@pytest.mark.parametrize("width", [80, 100, 120, 130, 149, 150, 160])
def test_long_ids_stay_whole_and_no_column_is_cropped(width):
    # from 120 columns a 39-character id was folded over two lines and the last live_by column cut off
    text = summary_text(long_id_summary(), width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    if width < 100:  # an id of 39 characters and the fewest columns need 98: folded, but nothing cut off
        assert [line.rstrip()[-1] for line in lines if line.split(" ")[0] in (LONG, "trondheim-")] == ["%", "%"], text
        return
    rows = [line for line in lines if line.startswith(LONG)]
    assert len(rows) == 2, text  # most at risk, and go-live per organisation: on one line each
    for row in rows:
        assert row.rstrip().endswith("%"), row  # the last column is there, not cropped
    golive = rows[-1]
    shown = golive.count("|")
    # (s29: 150 columns, was 147: P10, the median and P90 are on a step at 2 scenarios, each marked `?`)
    if width >= 150:  # P10 and all three live_by dates fit
        assert shown == 8 and "wider terminal" not in text
    else:
        assert "A wider terminal (150 columns) shows P10 and every live_by date." in " ".join(text.split())


def test_a_spec_time_limit_below_a_tenth_of_a_second_is_refused_at_its_line(tmp_path):
    # 0.01 was accepted (--time-limit refuses it): every solve ended at once, most without a plan
    for value in (0.05, 0, 100_000):
        path = spec_file(tmp_path, "t.yaml", time_limit=value)
        with pytest.raises(InputError) as error:
            context_of(path)
        line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("time_limit"))
        assert f"{path}:{line}: time_limit is seconds per solve, 0.1 to 86 400" in str(error.value), str(error.value)
    assert context_of(spec_file(tmp_path, "ok.yaml", time_limit=0.1)).spec.time_limit == 0.1


@pytest.mark.parametrize("axis, shown", [
    ({"capacity": {"pool": "primary", "fte": [float("nan")], "from": "2024-07"}}, "capacity.fte #1: expected a finite number, found .nan"),
    ({"capacity": {"pool": "primary", "fte": [10, float("inf")], "from": "2024-07"}}, "capacity.fte #2: expected a finite number, found .inf"),
    ({"capacity": {"pool": "primary", "factor": [float("nan")], "from": "2024-07"}}, "capacity.factor #1: expected a finite number, found .nan"),
    ({"capacity": {"pool": "primary", "fte": {"from": 0, "to": float("nan"), "step": 1}}}, "capacity.fte.to: expected a finite number, found .nan"),
    ({"postpone": {"actor": "trust-a", "months": [0, float("inf")]}}, "postpone.months #2: expected a finite number, found .inf"),
    ({"capacity": {"pool": "primary", "fte": [2_000_000], "from": "2024-07"}}, "capacity.fte #1: Input should be less than or equal to 100 000"),
])
def test_a_grid_value_the_data_would_refuse_is_refused_at_its_line(tmp_path, axis, shown):
    # fte: [.nan] passed the spec (and --no-run): every scenario then failed building its capacity, each
    # record's reason a pydantic dump, and the sweep exited 0 with "5 of 5 without a plan"
    path = spec_file(tmp_path, "g.yaml", **grid_fields(grid=[axis]))
    with pytest.raises(InputError) as error:
        context_of(path)
    value = next(str(v) for v in (*axis.get("capacity", {}).values(), *axis.get("postpone", {}).values())
                 if isinstance(v, (list, dict)))
    bad = ".nan" if "nan" in value else ".inf" if "inf" in value else "2000000"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if bad in text)
    assert f"{path}:{line}: grid #1: {shown}" in str(error.value), str(error.value)


def test_a_range_of_fte_beyond_a_pools_limit_is_refused(tmp_path):
    axis = {"capacity": {"pool": "primary", "fte": {"from": 0, "to": 1_000_000, "step": 100_000}}}
    with pytest.raises(InputError, match=r"FTE at most 100 000"):
        context_of(spec_file(tmp_path, "g.yaml", **grid_fields(grid=[axis])))


def test_a_local_dask_cluster_of_one_worker_is_one_worker(tmp_path, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    import hpplan
    from hpplan.sweep.run import DaskBackend

    class Cluster:
        def __init__(self, **kwargs):
            pass

        def close(self):
            pass

    class Client:
        def __init__(self, *args):
            pass

        def run(self, function):
            return {"w": hpplan.__version__}

        def scatter(self, value, **kwargs):
            return value

        def close(self):
            pass

    monkeypatch.setattr(distributed, "LocalCluster", Cluster)
    monkeypatch.setattr(distributed, "Client", Client)
    context = context_of(spec_file(tmp_path))
    assert DaskBackend(context, None, 1).name == "a local Dask cluster (1 worker)"
    assert DaskBackend(context, None, 3).name == "a local Dask cluster (3 workers)"


def test_the_docs_name_every_key_of_the_cost_summary_and_the_result_records():
    docs = (REPO / "docs" / "sweep.md").read_text()
    for name in (f.name for f in dataclasses.fields(CostOfDelay)):
        assert f"`{name}`" in docs, name
    for key in ("newly_unscheduled", "population_out", "newly_scheduled", "population_in"):
        assert f"`{key}`" in docs, key


def unreachable(context):
    from hpplan.sweep import SweepError

    raise SweepError("cannot reach the Dask scheduler at tcp://127.0.0.1:1: refused")


def test_a_sweep_that_cannot_start_leaves_the_results_file_as_it_was(tmp_path, monkeypatch):
    """`--overwrite` (and `overwrite=True`) cut the old results file to a header before the backend was
    made: an unreachable cluster or a bad backend_factory lost the old results, and the message said
    "finished scenarios are in it (--resume goes on)". A new file was left with a header only."""
    import hpplan.sweep as sw
    from hpplan.sweep import Interrupted, SweepError, header_record
    from hpplan.sweep.run import ResultsFile

    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec), out, backend_factory=inline_backend())
    old = out.read_bytes()
    other = context_of(spec_file(tmp_path, "other.yaml", samples=2, seed=8))  # another sweep into the file

    def interrupted(context):
        raise KeyboardInterrupt

    def broken(context):
        raise RuntimeError("no backend")

    more = context_of(spec_file(tmp_path, "more.yaml", samples=3))  # a resume would add a header
    for resume in (False, True):
        with pytest.raises(SweepError, match="cannot reach") as error:
            run_sweep(more if resume else other, out, backend_factory=unreachable, overwrite=not resume, resume=resume)
        assert out.read_bytes() == old and error.value.started is False
    with pytest.raises(RuntimeError, match="no backend"):
        run_sweep(other, out, backend_factory=broken, overwrite=True)
    with pytest.raises(Interrupted, match="nothing ran") as stop:
        run_sweep(other, out, backend_factory=interrupted, overwrite=True)
    assert stop.value.started is False and out.read_bytes() == old
    # another sweep writing the file: refused, and the file not cut under it
    writing, _ = ResultsFile.open(out, header_record(context_of(spec)), resume=True, overwrite=False)
    with pytest.raises(InputError, match="another sweep is writing"):
        run_sweep(other, out, backend_factory=inline_backend(), overwrite=True)
    writing.close()
    assert out.read_bytes() == old
    # a new file is not made; the next call needs neither overwrite nor resume
    new = tmp_path / "new.jsonl"
    with pytest.raises(SweepError):
        run_sweep(context_of(spec), new, backend_factory=unreachable)
    assert not new.exists()
    assert run_sweep(context_of(spec), new, backend_factory=inline_backend()).ran == 2
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no new file left beside it
    # the command line says what is true: nothing ran, the file is as it was; and how to go on
    monkeypatch.setattr(sw, "local_backend", lambda jobs: unreachable)
    result = run("sweep", str(spec_file(tmp_path, "other.yaml", samples=2, seed=8)), "--out", str(out), "--overwrite")
    assert result.exit_code == 4 and out.read_bytes() == old
    text = " ".join(result.stderr.split())
    assert f"nothing ran, and {out} is as it was" in text and "--resume" not in text, text
    monkeypatch.setattr(sw, "local_backend", lambda jobs: interrupted)
    result = run("sweep", str(spec_file(tmp_path, "other.yaml", samples=2, seed=8)), "--out", str(out), "--overwrite")
    assert result.exit_code == 130 and out.read_bytes() == old
    assert " ".join(result.stderr.split()).endswith(f"--out {out} --overwrite"), result.stderr
    # once it starts, overwrite replaces the file
    replaced = run_sweep(other, out, backend_factory=inline_backend(), overwrite=True)
    assert replaced.ran == 2 and read_results(out)[0].header["seed"] == 8 and len(out.read_text().splitlines()) == 4


class _BaseOnly:
    """A backend whose base task ends as `outcome` says: a Ctrl-C while it is solved, or a base without a plan."""

    name, slots = "test", 1

    def __init__(self, outcome):
        self.outcome = outcome

    def submit(self, index):
        return index

    def wait(self, handles):
        return set(handles)

    def result(self, handle):
        if self.outcome == "ctrl-c":
            raise KeyboardInterrupt
        return {"type": "base", "index": None, "status": "infeasible", "reason": "no plan"}

    def close(self, cancel=False):
        pass


@pytest.mark.parametrize("outcome", ["ctrl-c", "infeasible"])
def test_a_complete_sweep_is_not_replaced_before_there_is_a_base_plan(tmp_path, outcome):
    # --overwrite replaced a complete results file with a header (and a base without a plan) when the
    # base had no plan or a Ctrl-C came while it was solved, and said "nothing finished is lost"
    from hpplan.sweep import Interrupted, NoBasePlan

    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec_file(tmp_path, samples=2)), out, backend_factory=inline_backend())
    old = out.read_bytes()
    other = context_of(spec_file(tmp_path, "other.yaml", samples=2, seed=8))
    with pytest.raises(Interrupted if outcome == "ctrl-c" else NoBasePlan) as stop:
        run_sweep(other, out, backend_factory=lambda context: _BaseOnly(outcome), overwrite=True)
    assert out.read_bytes() == old and stop.value.started is False
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_library_messages_name_the_arguments_and_the_command_its_options(tmp_path):
    """run_sweep told its caller to use --resume, --overwrite, --out (the command's options)."""
    spec = spec_file(tmp_path, samples=2)
    out = tmp_path / "r.jsonl"
    run_sweep(context_of(spec), out, backend_factory=inline_backend())
    with pytest.raises(InputError) as error:
        run_sweep(context_of(spec), out, backend_factory=inline_backend())
    assert "resume=True continues" in str(error.value) and "overwrite=True" in str(error.value)
    other = context_of(spec_file(tmp_path, "other.yaml", samples=2, seed=8))
    with pytest.raises(InputError) as error:
        run_sweep(other, out, backend_factory=inline_backend(), resume=True)
    assert "overwrite=True replaces it" in str(error.value) and "--" not in str(error.value)
    result = run("sweep", str(spec_file(tmp_path, "other.yaml", samples=2, seed=8)), "--out", str(out), "--resume")
    text = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "--overwrite replaces it" in text and "=True" not in text, text
    with pytest.raises(InputError, match="is a folder; give a file name as out="):
        run_sweep(context_of(spec), tmp_path, backend_factory=inline_backend())


def test_read_results_of_a_missing_file_and_run_sweep_without_a_factory_say_what_is_wrong(tmp_path):
    from hpplan.sweep import InlineBackend

    with pytest.raises(InputError, match=r"nope\.jsonl: no such results file; run the sweep first"):
        read_results(tmp_path / "nope.jsonl")
    context = context_of(spec_file(tmp_path, samples=2))
    out = tmp_path / "r.jsonl"
    for backend in (InlineBackend(context), object()):
        with pytest.raises(TypeError, match=f"run_sweep takes backend_factory, .*got {type(backend).__name__}"):
            run_sweep(context, out, backend_factory=backend)
    assert not out.exists()
