"""Risk of delay: run many scenarios (a grid, or Monte Carlo samples) and sum them up (docs/sweep.md).

    from hpplan.sweep import load_spec, resolve, run_sweep, local_backend, read_results, aggregate

    context = resolve(load_spec("data/sweeps/readiness-risk.yaml"))
    run_sweep(context, Path("risk.jsonl"), backend_factory=local_backend(jobs=2))
    summary = aggregate(read_results("risk.jsonl")[0])

Modules: `spec` (the spec file), `sample` (scenario i: draw, changed data, solve, record), `run`
(backends, results file, resume), `aggregate` (the summary), `output` (table, JSON, CSV, charts).
"""

from .aggregate import SweepSummary, aggregate
from .run import (
    BaseFailed,
    DaskBackend,
    InlineBackend,
    Interrupted,
    LocalBackend,
    NoBasePlan,
    Results,
    ResultsUnwritable,
    SweepError,
    WorkersCannotStart,
    changed_inputs,
    dask_backend,
    default_jobs,
    header_record,
    inline_backend,
    local_backend,
    read_results,
    run_sweep,
)
from .sample import base_solution, draw, run_scenario, scenario_problem, scenario_yaml
from .spec import LoadedSpec, SweepContext, SweepSpec, load_spec, resolve

__all__ = [
    "BaseFailed", "DaskBackend", "InlineBackend", "Interrupted", "LoadedSpec", "LocalBackend", "NoBasePlan", "Results",
    "ResultsUnwritable", "SweepContext", "SweepError", "SweepSpec", "SweepSummary", "WorkersCannotStart", "aggregate",
    "base_solution", "changed_inputs", "dask_backend", "default_jobs", "draw", "header_record", "inline_backend",
    "load_spec", "local_backend", "read_results", "resolve", "run_scenario", "run_sweep", "scenario_problem",
    "scenario_yaml",
]
