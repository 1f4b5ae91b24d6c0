"""One scenario of a sweep: what is drawn for index i, the changed data, its plan, and the record.

Sample i is a deterministic function of (spec, seed, i): each organisation draws from its own stream,
`random.Random(f"{seed}:{i}:{id}:slip")` (and `...:signing`), seeded through SHA-512 of the text, which
Python computes the same way on every platform and version. So the same index gives the same scenario
on any worker, in any order, locally or on a cluster; and changing one organisation's distribution
leaves every other organisation's draws as they were (common random numbers: two specs compare
scenario by scenario).

The changed data is made with the scenario module's operations (`Postpone`: a later earliest date,
`Capacity`: a pool's capacity from a month), never by editing a Problem here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import shlex
import time
import traceback
from dataclasses import dataclass, field

import yaml

from ..errors import InputError, Location
from ..formats import estimated
from ..problem import Problem, month_index
from ..solution import Solution
from .spec import SweepContext, readiness


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where that month is shorter)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def uniform(seed: int, index: int, actor: str, what: str) -> float:
    """The draw in [0, 1) of one organisation for one scenario (see the module's docstring)."""
    return random.Random(f"{seed}:{index}:{actor}:{what}").random()


@dataclass
class Draw:
    """What scenario `index` changes."""

    index: int
    slips: dict[str, int] = field(default_factory=dict)  # id -> months its readiness slips (nonzero only)
    signing: list[str] = field(default_factory=list)  # ids whose signing is delayed (months in slips)
    point: list[float] = field(default_factory=list)  # grid: the value of each axis

    def changes(self, context: SweepContext) -> list:
        """The scenario operations (scenario.py) that make this scenario's data."""
        from ..scenario import Capacity, Postpone

        problem = context.problem
        made = []
        for ident, months in self.slips.items():
            org = problem.org[ident]
            earliest = add_months(readiness(problem, org), months)
            unit = f"{months} month{'s' if months != 1 else ''}"
            why = (f"grid point {self.index}: postponed {unit}" if context.spec.kind == "grid"
                   else f"sample {self.index}: readiness slips {unit}")
            if ident in self.signing:
                why += " (signing delayed)"
            change = Postpone.model_validate({"op": "postpone", "actor": ident, "earliest": earliest, "note": why})
            change._at = Location(context.file, self._line(context, ident))
            made.append(change)
        for i, (axis, value) in enumerate(zip(context.spec.grid, self.point)):
            if axis.capacity is None:
                continue
            c = axis.capacity
            fields = {"fte": value} if c.fte is not None else {"factor": value}
            change = Capacity.model_validate({"op": "capacity", "pool": c.pool, "from": c.from_, "to": c.to,
                                              "note": f"grid point {self.index}", **fields})
            change._at = Location(context.file, context.axis_lines[i] if context.axis_lines else None)
            made.append(change)
        return made

    def _line(self, context: SweepContext, ident: str) -> int | None:
        for actor in context.actors:
            if actor.id == ident:
                return actor.line
        for i, axis in enumerate(context.spec.grid):
            if axis.postpone is not None and axis.postpone.actor == ident and context.axis_lines:
                return context.axis_lines[i]
        return None

    def describe(self, context: SweepContext) -> str:
        parts = []
        if context.spec.kind == "grid":
            parts += [f"{axis.label} = {value:g}" for axis, value in zip(context.spec.grid, self.point)]
        else:
            parts += [f"{ident} +{months}" + (" (signing)" if ident in self.signing else "")
                      for ident, months in self.slips.items()]
        return "; ".join(parts) or "no change"


def draw(context: SweepContext, index: int) -> Draw:
    """What scenario `index` (0-based) changes."""
    spec = context.spec
    if not 0 <= index < spec.size:
        raise IndexError(f"scenario {index} is not in this sweep (0..{spec.size - 1})")
    result = Draw(index)
    if spec.kind == "monte_carlo":
        for actor in context.actors:
            months = actor.slip.months(uniform(spec.seed, index, actor.id, "slip")) if actor.slip else 0
            if actor.signing is not None and uniform(spec.seed, index, actor.id, "signing") < actor.signing.probability:
                months += actor.signing.months
                result.signing.append(actor.id)
            if months:
                result.slips[actor.id] = months
        return result
    # grid: the first axis varies slowest
    rest = index
    values: list[float] = []
    for axis in reversed(spec.grid):
        points = axis.points()
        rest, at = divmod(rest, len(points))
        values.append(points[at])
    result.point = list(reversed(values))
    for axis, value in zip(spec.grid, result.point):
        if axis.postpone is not None and value:
            result.slips[axis.postpone.actor] = int(value)
    return result


def scenario_problem(context: SweepContext, index: int) -> tuple[Problem, Draw]:
    """The data of scenario `index`: the base with its draw applied (a new Problem)."""
    from ..scenario import Scenario, apply_scenario

    sample = draw(context, index)
    changes = sample.changes(context)
    if not changes:
        return context.problem, sample
    scenario = Scenario(file=context.file, base=context.data, description=f"sweep scenario {index}", changes=changes)
    return apply_scenario(context.problem, scenario), sample


def scenario_yaml(context: SweepContext, index: int) -> str:
    """Scenario `index` as a scenario file (docs/scenarios.md), to solve, compare or explain on its own."""
    sample = draw(context, index)
    changes = []
    for change in sample.changes(context):
        data = change.model_dump(by_alias=True, exclude_none=True)
        data = {"op": data.pop("op"), **{k: v for k, v in data.items() if k != "note"}, "note": data.get("note")}
        changes.append({k: v for k, v in data.items() if v is not None})
    monte_carlo = context.spec.kind == "monte_carlo"  # a grid draws nothing: no seed
    seed = f" (seed {context.spec.seed})" if monte_carlo else ""
    # a command to paste into a shell: a path with spaces quoted, and the seed a `--seed` may have changed
    command = ["hpplan", "sweep", context.file, *(["--seed", str(context.spec.seed)] if monte_carlo else []),
               "--scenario-of", str(index)]
    header = (f"# Scenario {index} of the sweep {context.file}{seed}, written by\n"
              f"#   {shlex.join(command)}\n"
              f"# {sample.describe(context)}\n")
    body = {"base": context.data,
            "description": f"Scenario {index} of the sweep {context.file}: {sample.describe(context)}",
            "changes": changes or [{"op": "set_planning_date", "date": context.problem.planning_date.isoformat(),
                                    "unpin": False, "note": "no change in this scenario"}]}
    for spec_scenario in context.scenario_files:  # as found from the working folder, where it is run
        header += f"# Apply after the sweep's own scenario {shlex.quote(spec_scenario)}.\n"
    if context.spec.plan == "replan":  # re-planned from the base plan: as the sweep did it, by hand
        base = ["hpplan", "sweep", context.file, "--out", "RESULTS", "--base-plan", "base.json"]
        header += (f"# The sweep re-plans each scenario from its base plan: write that plan with\n"
                   f"#   {shlex.join(base)}\n"
                   f"# then re-plan this scenario against it: hpplan solve --scenario THIS-FILE --baseline base.json\n")
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


# --------------------------------------------------------------------------------------------------
# running one scenario


def actors_table(problem: Problem) -> list[dict]:
    """What the aggregation needs to know of each organisation still to plan (the base record holds it,
    so that a results file can be aggregated without the data)."""
    rows = []
    for org in problem.plannable:
        cost = org.postponement_cost_per_month
        rows.append({
            "id": org.id, "name": org.name, "kind": org.kind.value, "status": org.status.value,
            "mandatory": org.is_mandatory, "population": org.population or 0,
            "population_is_estimate": estimated([org], "population"),
            "cost_per_month": cost, "cost_is_estimate": org.is_estimate("postponement_cost_per_month") if cost else None,
        })
    return rows


def run_scenario(context: SweepContext, index: int | None, base: dict | None = None) -> dict:
    """Solve scenario `index` (None: the base, no change) and return its record. Never raises: a failure
    is a record with its status and reason. With `plan: replan` a scenario is re-planned from the base
    plan: `base` (`base_plan` of the base record; None: `context.base`, where the context has it)."""
    started = time.perf_counter()
    record: dict = {"type": "base" if index is None else "result", "index": index}
    try:
        if index is None:
            problem, sample = context.problem, Draw(-1)
        else:
            sample = draw(context, index)
            record["slips"] = sample.slips
            if sample.signing:
                record["signing"] = sample.signing
            if context.spec.kind == "grid":
                record["point"] = sample.point
            problem, sample = scenario_problem(context, index)
        replan = context.spec.plan == "replan" and index is not None
        _solve_into(record, context, problem, base if base is not None else context.base if replan else None,
                    replan)
    except InputError as error:  # the draw made data that cannot hold (e.g. earliest after latest)
        record.update(status="infeasible", reason=f"the changed data is invalid: {error}")
    except Exception as error:  # a bug or a resource problem: recorded, never aborts the sweep
        frames = traceback.extract_tb(error.__traceback__)
        at = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
        # its first line only, cut short: failures are counted by their reason (a validation error's
        # dump runs to many lines)
        said = str(error).splitlines()[0] if str(error) else ""
        said = said if len(said) <= 200 else said[:199] + "…"
        record.update(status="error", reason=f"{type(error).__name__}: {said}{at}")
    record["seconds"] = round(time.perf_counter() - started, 3)
    if index is None:
        record["actors"] = actors_table(context.problem)
        # the organisations that go live as one (a `together` rule): the summary's risk list folds them
        record["together"] = [{"id": rule.id or f"together#{context.problem.rule_number(i)}",
                               "members": list(rule.actors)}
                              for i, rule in enumerate(context.problem.waves.rules) if rule.type == "together"]
    return record


def _solve_into(record: dict, context: SweepContext, problem: Problem, base: dict | None, replan: bool) -> None:
    from ..solve import solve, solve_replan
    from ..verify import verify

    base_solve = record["type"] == "base"  # with its own time limit (SweepSpec.base_seconds)
    if not replan:
        solution, replanned = solve(problem, context.spec.options(base=base_solve)), None
    elif base is None:
        raise RuntimeError("plan: replan, but the task was given no base plan to re-plan from")
    else:
        solution, replanned = solve_replan(problem, context.spec.options(), baseline_of(context, base))
    if solution.stats.stopped:  # Ctrl-C in this process (the inline backend): the sweep is interrupted,
        raise KeyboardInterrupt  # and a cut-short plan is no result (workers ignore SIGINT: never there)
    record["status"] = solution.status.value
    if not solution.found:
        late = ready_after_last_window(problem) if solution.status.value == "infeasible" else None
        if late is not None:  # the aggregation counts such a future as not done by any date (aggregate.py)
            record["ready_after_last_window"] = late
        record["reason"] = _failure_reason(context, problem, solution, late, base_solve)
        return
    violations = verify(problem, solution)
    if violations:
        record["status"] = "error"
        record["reason"] = f"the verifier rejected the plan ({len(violations)} violations; first: {violations[0]})"
        return
    record["tie_break"] = solution.stats.tie_break
    record["objective"] = round(solution.objective.get("total", 0.0), 3)
    # how good the plan is: the best bound proven on the objective, and the gap to it in percent (as the
    # spec's `gap`); 0 for a plan proven optimal (a re-plan's among the plans that change the base least)
    bound = solution.stats.best_bound
    record["best_bound"] = round(bound, 3) if bound is not None else None
    record["gap"] = round(100 * solution.stats.gap, 4) if solution.stats.gap is not None else None
    # whether the objective is proven optimal (a re-plan's: among the plans that change the base least, and
    # that least change proven); `tie_break` says apart whether the ties among the equally good were broken
    record["proven"] = proven_optimal(record["status"], replanned.proven if replanned is not None else None)
    if replanned is not None:
        record["replan"] = {"moved": replanned.moved, "least_change_proven": replanned.proven,
                            "around_change": replanned.free is not None}
    plannable = {o.id for o in problem.plannable}
    go_live = {a.id: a.go_live for a in solution.plan if a.id in plannable}
    record["go_live"] = {k: (v.isoformat() if v else None) for k, v in go_live.items()}
    mandatory = [go_live[o.id] for o in problem.plannable if o.is_mandatory and go_live.get(o.id)]
    record["completion"] = max(mandatory).isoformat() if mandatory else None
    if record["type"] == "base" and context.spec.plan == "replan":
        # the base plan's windows, which the scenarios are re-planned from (`base_plan`)
        record["window"] = {a.id: a.window if a.go_live else None for a in solution.plan if a.id in plannable}


def proven_optimal(status: str | None, least_change_proven: bool | None = None) -> bool:
    """Whether a plan's objective is proven optimal: its status `optimal` and, for a re-plan, its least change
    proven too (a record's `proven`; `aggregate.proven` reads it, or works it out so for a file made before it)."""
    return status == "optimal" and least_change_proven is not False


def base_plan(record: dict) -> dict:
    """What a task needs of the base record to re-plan from it (`plan: replan`): each organisation's
    go-live and window. Small, so that it goes with every task to the worker processes and the cluster."""
    return {"status": record["status"], "go_live": record["go_live"], "window": record["window"]}


def base_solution(context: SweepContext, base: dict) -> Solution:
    """The base record's plan as a plan of the sweep's data (what `hpplan solve --format json` writes; `hpplan
    sweep --base-plan`): each organisation still to plan in its record's window (`window`, with `plan:
    replan`), else in the window of its go-live date, its objective and load worked out for that plan; the
    baseline to re-plan one scenario against by hand (`hpplan solve --scenario S --baseline PLAN`)."""
    from ..engines.common import flatten, to_solution
    from ..solution import SolveStats, Status

    flat = flatten(context.problem)
    place = {slot.id: k for k, slot in enumerate(flat.slots)}
    on = {slot.date.isoformat(): k for k, slot in enumerate(flat.slots)}  # (a window's date: its go-lives')
    windows = base.get("window") or {}
    chosen = {ident: place.get(windows[ident]) if windows.get(ident) else on.get(day) if day else None
              for ident, day in base["go_live"].items() if ident in flat.domain}
    return to_solution(flat, chosen, Status(base["status"]), SolveStats())


def baseline_of(context: SweepContext, base: dict):
    """The base plan as the `Baseline` a scenario is re-planned from, as `hpplan solve --baseline` re-plans
    (its frozen horizon: the data's `freeze_until`, where waves.yaml has one). Its organisations are the
    base data's still to plan; history is kept by every solve anyway."""
    from ..solution import Assignment, Status
    from ..solve import Baseline

    plan = []
    for ident, day in base["go_live"].items():
        org = context.problem.org.get(ident)
        if org is None:
            continue
        plan.append(Assignment(id=ident, name=org.name, kind=org.kind.value, sector=org.effective_sector.value,
                               go_live=dt.date.fromisoformat(day) if day else None,
                               window=base["window"].get(ident), pinned=False))
    return Baseline(Solution(status=Status(base["status"]), plan=plan))


def add_delays(context: SweepContext, record: dict) -> dict:
    """The record with its go-live delays against the base plan (`context.base`, see `delays`). Done by
    the process that writes the results, so that the tasks need not know the base plan."""
    if record.get("type") != "result" or record.get("status") not in ("optimal", "feasible") or context.base is None:
        return record
    go_live = {k: dt.date.fromisoformat(v) if v else None for k, v in record.get("go_live", {}).items()}
    record.update(delays(context, go_live))
    return record


def delays(context: SweepContext, go_live: dict[str, dt.date | None]) -> dict:
    """A scenario's plan against the base plan, counted as `hpplan compare` counts them (compare.py):
    `delay`, the calendar months of the go-live of each organisation planned in both and moved (later
    positive); `moved`, how many of them go live later; `population_months`, population x months
    later, summed over those (earlier go-lives count 0 here: a delay, not compare's net total); and
    `cost_mnok`, `postponement_cost_per_month` x months later. An organisation the base plan schedules
    and this one leaves out has no number of months (its delay has no end): it is listed apart
    (`newly_unscheduled`, with `population_out`), never summed as months; one the base plan leaves out
    and this one schedules is `newly_scheduled` (`population_in`)."""
    problem = context.problem
    delay: dict[str, int] = {}
    out: list[str] = []
    into: list[str] = []
    for ident, base_day in context.base.get("go_live", {}).items():
        day = go_live.get(ident)
        if base_day is None or day is None:
            if base_day is not None:
                out.append(ident)
            elif day is not None:
                into.append(ident)
            continue
        months = month_index(day) - month_index(dt.date.fromisoformat(base_day))
        if months:
            delay[ident] = months

    def people(ident: str) -> int:
        org = problem.org.get(ident)
        return Problem.population(org) if org is not None else 0

    population_months = 0
    cost = 0.0
    for ident, months in delay.items():
        if months <= 0:
            continue
        population_months += people(ident) * months
        org = problem.org.get(ident)
        if org is not None and org.postponement_cost_per_month:
            cost += org.postponement_cost_per_month * months
    return {"delay": delay, "moved": sum(1 for m in delay.values() if m > 0),
            "population_months": population_months, "cost_mnok": round(cost, 3),
            "newly_unscheduled": out, "population_out": sum(people(i) for i in out),
            "newly_scheduled": into, "population_in": sum(people(i) for i in into)}


def ready_after_last_window(problem: Problem) -> dict | None:
    """The organisations that must go live and are ready only after the last window, {"last_window": DATE,
    "earliest": {id: DATE}} (every one, in data order), else None: with no window left for them, the
    scenario has no plan, and its rollout is not complete by any date its windows hold."""
    cutoff = problem.future_windows[-1].date if problem.future_windows else None
    late = {o.id: o.earliest.isoformat() for o in problem.plannable
            if o.is_mandatory and o.earliest and cutoff and o.earliest > cutoff}
    return {"last_window": cutoff.isoformat(), "earliest": late} if late else None


def _failure_reason(context: SweepContext, problem: Problem, solution: Solution, late: dict | None,
                    base: bool = False) -> str:
    status = solution.status.value
    if status == "unknown":
        limit, spec = context.spec.work_limit, context.spec
        key = "base_time_limit" if base else "time_limit"
        budget = (f"work limit {limit:g}" if limit is not None else
                  f"time limit {spec.base_seconds if base else spec.time_limit:g} s")
        return f"no plan found within the {budget} (raise {key} in the spec)"
    reason = "no plan keeps every rule and limit"
    if late is not None:
        ready = list(late["earliest"].items())
        names = ", ".join(f"{ident} (earliest {day})" for ident, day in ready[:3])
        return (f"{reason}: ready after the last window {late['last_window']}: {names}"
                f"{' ...' if len(ready) > 3 else ''}")
    if context.spec.explain_failures:
        try:
            from ..explain import explain_infeasible

            explanation = explain_infeasible(problem, max_conflicts=1, relax=False,
                                             time_limit=max(5.0, context.spec.time_limit))
            if not explanation.feasible and explanation.conflicts:
                return f"{reason}: " + "; ".join(r.message for r in explanation.conflicts[0].reasons)
        except Exception as error:  # the explanation is a courtesy; the status stands without it
            return f"{reason} (no explanation: {type(error).__name__})"
    return reason


__all__ = ["Draw", "add_delays", "add_months", "base_plan", "base_solution", "baseline_of", "draw", "ready_after_last_window",
           "run_scenario", "scenario_problem", "scenario_yaml", "uniform"]
