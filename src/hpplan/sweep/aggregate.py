"""What many scenarios say together (docs/sweep.md, "How the figures are computed").

    summary = aggregate(read_results("results.jsonl")[0])

`aggregate` reads only the results file's records (the header, the base record with the organisations'
names, populations and costs, and the result records), so a results file can be summed up again
without the data, with other `live_by` dates. It uses the records in index order and nothing that
depends on the machine (no timings), so the same records give the same summary, whichever workers
produced them in whatever order.

- Quantiles are nearest-rank (the value at position ceil(q·n) in the sorted list), so every quantile
  of a go-live is a real window date; the median of an even count is the lower of the middle two. An
  organisation a scenario leaves unscheduled counts as later than every date.
- Sampling error (a Monte Carlo sweep is a sample): P(done by) and P(live by) carry 95 % Wilson intervals
  (`wilson`), the cost section's means their standard errors (`mean_stderr`), and a quantile whose level is
  within sampling error of a jump of the values next to it is given as its range (`quantile_step`).
- P(done by) and P(live by) a date are shares of the scenarios whose answer is known: those with a
  plan, and those without one because an organisation that must go live is ready only after the last
  window (`ready_after_last_window`): the data has no window for it, so that scenario is not done by
  any date (nor that organisation live) within the windows the data has, as a plan's go-lives are.
  The other scenarios without a plan (a rule conflict, no plan in time, an error) may go either way:
  each such share comes with its range over every scenario, those counted as none done and as all
  done (`p_by_range`, `p_live_by_range`). Every other share is of the
  scenarios with a plan (None where none has one); those without are counted and listed with their
  reasons, never silently dropped.
- Cost of delay per scenario: Σ `postponement_cost_per_month` × months later than the base plan, over
  the organisations that have a cost (estimates in the shipped data).
- Organisations the base plan schedules and a scenario's plan leaves out have no number of months
  (their delay has no end): counted apart, with their population, as `hpplan compare` does, never in
  the months, population-months or cost (sample.delays).
- Influence ("whose delay moves others most"): for each organisation whose readiness varies across the
  scenarios, the least-squares slope of the others' delay on its own slip: population-months of delay
  of all other organisations, and the number of other organisations later than the base plan, per
  month of its own slip; with the correlation and the pass-through (its own go-live delay per month of
  its slip: 1 = every month of slip reaches the go-live, 0 = the plan had slack). In a Monte Carlo
  sweep the slips are drawn independently, so each slope estimates that organisation's average
  marginal effect (the others' slips are noise independent of it); in a grid, a postponement axis's
  slope is the axis effect. Each slope has its standard error and t statistic; an effect is *clear*
  when |t| reaches `clear_threshold`: a 5 % chance in all of a false "clear" among the organisations
  tested (Bonferroni: 5 % / tested, two-sided), the quantile of Student's t for the scenarios' number
  (n - 2 degrees of freedom, `t_quantile`); in a Monte Carlo sweep, only for an organisation
  that slipped in at least MIN_SLIPPED scenarios (a grid's values are chosen, not drawn). Clear effects
  are listed first, each group by slope.
- Plans proven: a record's `proven` (the objective proven optimal) and `tie_break` (the ties among the
  equally good plans broken to the end, or cut short: an equally good plan, which of the equals may differ
  run to run). The base plan's gap is the summary's `base_gap`: every scenario is measured against it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable

from ..formats import ESTIMATE_NOTE
from ..io import readable
from .run import Results
from .sample import proven_optimal

OK = ("optimal", "feasible")


def quantile(values: list, q: float):
    """Nearest-rank quantile of sorted values (None for no values)."""
    if not values:
        return None
    rank = max(1, math.ceil(round(q * len(values), 9)))
    return values[min(rank, len(values)) - 1]


#: a quantile is "on a step" where its level is within this many standard errors, sqrt(q(1-q)/n), of the
#: empirical distribution's share at a jump next to the value chosen (`quantile_step`)
STEP_ERRORS = 2
#: the 95 % normal quantile: Wilson intervals of shares, the margin (± 1.96 standard errors) of a mean
Z95 = 1.959964


def quantile_step(values: list, q: float) -> tuple[list | None, list[dict] | None]:
    """Where the nearest-rank quantile of sorted `values` (`quantile`) sits on a step of their empirical
    distribution: [low, high], the chosen value and its neighbour across a jump at which the share at or
    below is within STEP_ERRORS standard errors (sqrt(q(1-q)/n)) of q, so that another sample would as
    likely pick the other side (P(HMR slips) = 0.5 exactly: a median of 217.5 or 467.5 MNOK, whatever the
    number of samples); and those jumps (one or both), each {"at_or_below": the value below it, "share":
    the share at or below it}. (None, None) where q is clear of both jumps next to the value (or there are
    no values). A value None (an organisation left unscheduled) sorts last, as in `quantile`."""
    n = len(values)
    if not n:
        return None, None
    rank = min(n, max(1, math.ceil(round(q * n, 9))))
    value = values[rank - 1]
    first = next(i for i, v in enumerate(values) if v == value)
    last = n - 1 - next(i for i, v in enumerate(reversed(values)) if v == value)
    margin = STEP_ERRORS * math.sqrt(q * (1 - q) / n)
    jumps = []  # (distance of q from the share at the jump, low, high, value below it, share)
    if first > 0 and abs(q - first / n) <= margin + 1e-12:
        jumps.append((abs(q - first / n), values[first - 1], value, values[first - 1], first / n))
    if last < n - 1 and abs(q - (last + 1) / n) <= margin + 1e-12:
        jumps.append((abs(q - (last + 1) / n), value, values[last + 1], value, (last + 1) / n))
    if not jumps:
        return None, None
    low, high = jumps[0][1], jumps[-1][2]  # the jump below the value first, then the one above it
    return [low, high], [{"at_or_below": j[3], "share": _r(j[4])} for j in jumps]


def wilson(yes: int, n: int, z: float = Z95) -> list[float] | None:
    """The 95 % Wilson score interval [low, high] of a share of yes in n (None for n = 0): the sampling
    error of a share of scenarios (a Monte Carlo sample of the futures the spec draws)."""
    if n <= 0:
        return None
    p = yes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [_r(max(0.0, centre - half)), _r(min(1.0, centre + half))]


def mean_stderr(values: list[float]) -> float | None:
    """The standard error of the mean of `values` (sample standard deviation / sqrt(n); None below 2)."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)


def _never_last(day: dt.date | None) -> tuple:
    return (day is None, day or dt.date.min)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _r(value: float | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    value = round(float(value), digits)
    return int(value) if value == int(value) else value


def quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarters(first: dt.date, last: dt.date) -> list[str]:
    labels, year, q = [], first.year, (first.month - 1) // 3
    while (year, q) <= (last.year, (last.month - 1) // 3):
        labels.append(f"{year}-Q{q + 1}")
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return labels


@dataclass
class ActorStats:
    id: str
    name: str
    kind: str
    base: str | None  # the base plan's go-live
    p10: str | None
    median: str | None
    p90: str | None
    unscheduled: float  # share of scenarios that leave it unscheduled
    p_live_by: dict[str, float]
    p_later: float  # share of scenarios where it goes live later than in the base plan (or newly out of the plan)
    mean_delay_months: float | None  # mean of its go-live delay (months, later positive) where both plans have it
    slip_share: float  # share of scenarios in which its readiness slipped
    population: int = 0
    p_last: float = 0  # share of scenarios in which it goes live on the completion date (it sets it)
    #: per date, [low, high] of P(live by) over every scenario, those without a plan whose answer is not known
    #: counted as not live and as live (low == high where every answer is known)
    p_live_by_range: dict[str, list[float]] = field(default_factory=dict)
    #: per date, the 95 % Wilson interval [low, high] of P(live by): its sampling error (`wilson`)
    p_live_by_ci: dict[str, list[float]] = field(default_factory=dict)
    #: [low, high] where the quantile is on a step (`quantile_step`: the next date as likely), else None;
    #: a date None in it is "never" (left unscheduled)
    p10_range: list | None = None
    median_range: list | None = None
    p90_range: list | None = None


@dataclass
class Completion:
    base: str | None
    p10: str | None
    median: str | None
    p90: str | None
    latest: str | None
    p_by: dict[str, float]
    by_quarter: list[dict]  # {quarter, count, share, cumulative}
    steps: list[tuple[str, float]] = field(default_factory=list)  # (date, share done by it) at each completion date
    p_by_range: dict[str, list[float]] = field(default_factory=dict)  # [low, high] of P(done by) over every scenario
    p_by_ci: dict[str, list[float]] = field(default_factory=dict)  # the 95 % Wilson interval of P(done by) (`wilson`)
    #: [low, high] where the quantile is on a step (`quantile_step`), else None; `*_steps` those jumps
    #: ([{at_or_below, share}]: the share done by the earlier date)
    p10_range: list | None = None
    median_range: list | None = None
    p90_range: list | None = None
    p10_steps: list | None = None
    median_steps: list | None = None
    p90_steps: list | None = None


@dataclass
class CostOfDelay:
    mean: float
    p50: float
    p90: float
    max: float
    is_estimate: bool  # a cost per month it uses is an estimate
    actors: list[str]  # the organisations with a cost per month
    mean_population_months: float
    mean_moved: float
    #: the population-months (out, in) rest on an estimated population (a trust's catchment), marked `*`
    #: as `hpplan compare` marks them
    population_months_is_estimate: bool = False
    # organisations newly out of a scenario's plan (the base plan has them): open-ended, not in the above
    scenarios_newly_unscheduled: int = 0  # scenarios that leave one out
    mean_newly_unscheduled: float = 0
    mean_population_out: float = 0
    open_ended_cost: list[str] = field(default_factory=list)  # those of them with a cost per month
    # organisations newly in a scenario's plan (the base plan leaves them out): an open-ended gain
    scenarios_newly_scheduled: int = 0
    mean_newly_scheduled: float = 0
    mean_population_in: float = 0
    population_out_is_estimate: bool = False
    population_in_is_estimate: bool = False
    #: the standard errors of the means (`mean_stderr`; None below 2 scenarios): the text gives each mean
    #: with its 95 % margin, 1.96 standard errors, and rounds the mean to it
    mean_stderr: float | None = None
    mean_moved_stderr: float | None = None
    mean_population_months_stderr: float | None = None
    #: [low, high] where the median (p50) or P90 is on a step (`quantile_step`), else None; `*_steps` the jumps
    median_range: list | None = None
    p90_range: list | None = None
    median_steps: list | None = None
    p90_steps: list | None = None


@dataclass
class Influence:
    id: str
    name: str
    n: int  # scenarios with a plan
    slipped: float  # share of them in which it slipped
    mean_slip: float  # months
    pass_through: float | None  # own go-live delay per month of own slip
    others_moved: float  # slope: other organisations later than base, per month of slip
    others_population_months: float  # slope: population-months of the others' delay per month of slip
    correlation: float | None  # of its slip with the others' population-months
    stderr: float | None  # standard error of `others_population_months`
    t: float | None  # its t statistic (slope / stderr)
    clear: bool  # |t| >= clear_threshold (Monte Carlo: slipped in MIN_SLIPPED scenarios): told apart from noise
    others_population_months_is_estimate: bool = False  # the others' populations it sums include an estimate
    others_moved_stderr: float | None = None  # standard error of `others_moved`
    others_moved_t: float | None = None  # its t statistic (None: no scatter, or no slope)
    others_moved_clear: bool = False  # as `clear`, for `others_moved` (the same threshold)
    #: where its slip takes at most BY_SLIP_LEVELS values: per slip (months, as text), {scenarios,
    #: others_moved_mean, others_moved_stderr, others_population_months_mean}: the effect level by level (a
    #: slope is a straight line through them: a step, any slip moving others, shows as a "per month" average)
    by_slip: dict[str, dict] | None = None


@dataclass
class AxisValue:
    value: float
    scenarios: int
    with_plan: int
    completion_median: str | None
    p_done_by: dict[str, float]
    mean_cost: float | None
    mean_moved: float | None
    mean_population_months: float | None
    mean_newly_unscheduled: float | None = None  # organisations newly out of the plan (open-ended)
    mean_population_out: float | None = None
    population_months_is_estimate: bool = False
    p_done_by_range: dict[str, list[float]] = field(default_factory=dict)
    p_done_by_ci: dict[str, list[float]] = field(default_factory=dict)  # the 95 % Wilson interval (`wilson`)


@dataclass
class AxisEffect:
    label: str
    values: list[AxisValue]


@dataclass
class Failure:
    status: str
    reason: str
    count: int
    indices: list[int]  # the first few


@dataclass
class SweepSummary:
    spec: str
    description: str
    kind: str
    seed: int | None
    data: str
    size: int  # scenarios in the sweep
    scenarios: int  # scenarios with a record (size less those not yet run)
    with_plan: int
    failed: int
    live_by: list[str]
    completion: Completion | None
    cost: CostOfDelay | None
    actors: list[ActorStats] = field(default_factory=list)
    influence: list[Influence] = field(default_factory=list)
    axes: list[AxisEffect] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    base_status: str | None = None
    #: the base plan's gap in percent from its bound (0: proven optimal; None: a file made before the key),
    #: and whether it is proven: every delay (and with plan: replan every date) rests on that one plan
    base_gap: float | None = None
    base_proven: bool | None = None
    unproven: int = 0  # plans whose objective is not proven optimal (status feasible, gap > 0)
    #: plans proven optimal whose tie-break was cut short: an equally good plan, which of the equals may differ
    tie_break_cut: int = 0
    #: |t| from which an influence counts as clear, for the organisations tested and the scenarios (None: none)
    clear_threshold: float | None = None
    work_limit: float | None = None  # the solves' (results header): the plans cut short by it are reproducible
    base_time_limit: float | None = None  # the base plan's solve's (results header; None: a file made before it)
    #: scenarios without a plan because an organisation that must go live is ready only after the last window
    ready_after_last_window: int = 0
    #: the data's `together` rules (the base record's: {id, members}), whose members go live as one
    together: list[dict] = field(default_factory=list)
    #: how the scenarios were planned (the spec's `plan`): "fresh", from scratch, or "replan", from the base plan
    plan: str = "fresh"

    @property
    def missing(self) -> int:
        return self.size - self.scenarios

    @property
    def estimated(self) -> bool:
        """Whether a population figure the summary shows is marked `*` (it rests on an estimated population)."""
        k = self.cost
        return (k is not None and (k.population_months_is_estimate or k.population_out_is_estimate
                                   or k.population_in_is_estimate)) \
            or any(f.others_population_months_is_estimate for f in self.influence) \
            or any(v.population_months_is_estimate for axis in self.axes for v in axis.values)

    def not_live_by_first(self, a: ActorStats) -> float:
        """Its share of scenarios not live by the first `live_by` date (0 without dates or answers)."""
        live = a.p_live_by.get(self.live_by[0]) if self.live_by else None
        return 0 if live is None else _r(1 - live)

    def group_of(self, ident: str) -> dict | None:
        """The `together` rule ({id, members}) the organisation is a member of, if any."""
        return next((g for g in self.together if ident in g.get("members", ())), None)

    def planned_in_time(self, a: ActorStats) -> bool:
        """Whether the base plan has the organisation live by the first `live_by` date (without dates: whether
        the base plan has it at all, or a scenario does): only such a go-live can be at risk of missing it."""
        if not self.live_by:
            return a.base is not None or (a.p_later or 0) > 0
        return a.base is not None and a.base <= self.live_by[0]

    def at_risk(self, n: int = 10) -> list[ActorStats]:
        """The go-lives the base plan has live by the first `live_by` date, least likely live by it in the
        scenarios (without dates: most often later than in the base plan), ties broken by the later
        `live_by` dates, then by share later, mean delay, population and id. Those the base plan itself has
        after the date are `planned_after`, not at risk; optional ones it never plans are neither. The
        members of a `together` rule go live as one: the group is one row, its first member in this order."""
        moving = [a for a in self.actors if self.planned_in_time(a)
                  and (self.not_live_by_first(a) > 0 or (a.p_later or 0) > 0)]
        ranked = sorted(moving, key=lambda a: (*(-self.not_live_by(a, d) for d in self.live_by), -(a.p_later or 0),
                                               -(a.mean_delay_months or 0), -a.population, a.id))
        return self.folded(ranked)[:n]

    def planned_after(self) -> list[ActorStats]:
        """The organisations the base plan itself has live after the first `live_by` date (so in no scenario
        by it, unless one plans it earlier), by their base go-live and id, `together` groups folded."""
        if not self.live_by:
            return []
        later = [a for a in self.actors if a.base is not None and a.base > self.live_by[0]]
        return self.folded(sorted(later, key=lambda a: (a.base, a.id)))

    def never_planned(self) -> list[ActorStats]:
        """The (optional) organisations the base plan leaves out: no go-live in it, so none at risk."""
        return [a for a in self.actors if a.base is None]

    def not_live_by(self, a: ActorStats, day: str) -> float:
        live = a.p_live_by.get(day)
        return 0 if live is None else _r(1 - live)

    def folded(self, ranked: list[ActorStats]) -> list[ActorStats]:
        """The organisations in this order, the members of a `together` rule as one: the first of them."""
        rows, groups = [], set()
        for a in ranked:
            group = self.group_of(a.id)
            if group is not None and group["id"] in groups:
                continue
            if group is not None:
                groups.add(group["id"])
            rows.append(a)
        return rows

    def label(self, a: ActorStats) -> str:
        """The organisation's name in a list: a `together` rule's member as the group, `hnt-together (5)`."""
        group = self.group_of(a.id)
        return f"{group['id']} ({len(group['members'])})" if group else a.id

    def completion_setters(self, n: int = 8) -> list[ActorStats]:
        """The organisations that most often go live last (on the completion date), a `together` group as one."""
        return self.folded(sorted((a for a in self.actors if a.p_last > 0), key=lambda a: (-a.p_last, a.id)))[:n]

    def to_json_dict(self) -> dict:
        data = asdict(self)
        del data["work_limit"], data["base_time_limit"]  # inputs (the results header has them), not results
        data["missing"] = self.missing
        data["estimate_note"] = ESTIMATE_NOTE if self.estimated else None
        data["at_risk"] = [a.id for a in self.at_risk()]
        data["at_risk_groups"] = {a.id: self.group_of(a.id) for a in self.at_risk() if self.group_of(a.id)}
        data["planned_after"] = [a.id for a in self.planned_after()]
        data["completion_setters"] = [a.id for a in self.completion_setters()]
        data["method"] = {
            "quantiles": "nearest rank; unscheduled counts as later than every date",
            "probabilities": "P(done by), P(live by): shares of the scenarios whose answer is known (those with a "
                             "plan, and those in which an organisation that must go live is ready only after the "
                             "last window: with no window for it, not done by any date); the range "
                             "(p_by_range, p_live_by_range) counts the other scenarios without a plan as none and "
                             "as all done; every other share is of the scenarios with a plan",
            "at_risk": "the go-lives the base plan has live by the first live_by date, by the share not live by it "
                       "(ties by the later live_by dates; without dates: by the share later than the base plan), "
                       "then by the share later; the members of a together rule are one row; planned_after: those "
                       "the base plan itself has after that date; optional ones never planned are in neither",
            "proven": "unproven: plans whose objective is not proven optimal; tie_break_cut: plans proven optimal "
                      "whose tie-break was cut short (equally good; which of the equals may differ run to run); "
                      "base_gap: the base plan's gap (percent from its bound), which every delay rests on",
            "cost_of_delay": "sum of postponement_cost_per_month x months later than the base plan (MNOK)",
            "population_months": "population x calendar months later than the base plan, over the organisations "
                                 "both plans schedule; earlier go-lives count 0 (compare's total nets them)",
            "out_of_plan": "an organisation the base plan schedules and a scenario's plan leaves out has no number "
                           "of months: counted apart (newly_unscheduled, population_out), as in hpplan compare, "
                           "not in the delays, population-months or cost; in quantiles and p_later it is later",
            "replanning": ("each scenario is re-planned from the base plan, changing it as little as possible (as "
                           "hpplan compare without --fresh)" if self.plan == "replan" else
                           "each scenario is planned from scratch (as hpplan compare --fresh), not against the base plan"),
            "influence": "least-squares slope of the other organisations' delay on the organisation's own "
                         "readiness slip (months), over the scenarios with a plan; clear: |t| >= clear_threshold "
                         "(Bonferroni over the organisations tested at 5 %, two-sided, the quantile of Student's t "
                         f"with n - 2 degrees of freedom); monte carlo: slipped in >= {MIN_SLIPPED} "
                         "scenarios; others_moved has its own stderr, t and clear (the same threshold, within its "
                         "column); by_slip: the means per slip level where the slip takes at most "
                         f"{BY_SLIP_LEVELS} values (a slope is a straight line through them)",
            "sampling_error": "p_by_ci, p_live_by_ci, p_done_by_ci: 95 % Wilson intervals over the answers known; "
                              "*_stderr: standard errors of means (the text gives 1.96 of them, the mean rounded "
                              "to that margin's second significant figure); *_range: a quantile on a step, its "
                              f"level within {STEP_ERRORS} standard errors (sqrt(q(1-q)/n)) of the share at a jump "
                              "of the values next to the value chosen, [low, high] (null: not on a step); "
                              "*_steps: those jumps",
        }
        return data


@dataclass(frozen=True)
class ReadyAfterLastWindow:
    """A scenario without a plan because organisations that must go live are ready only after the last window."""
    last_window: dt.date
    earliest: dict[str, dt.date]  # each of them, and when it is ready


def ready_after_last_window(record: dict) -> ReadyAfterLastWindow | None:
    """Why the record's scenario has no plan, where that is an organisation ready only after the last
    window: the record's `ready_after_last_window` (`sample.ready_after_last_window`; a results file made
    before it has none, and its futures without a plan count as not known)."""
    late = record.get("ready_after_last_window")
    if record.get("status") != "infeasible" or not isinstance(late, dict):
        return None
    return ReadyAfterLastWindow(dt.date.fromisoformat(late["last_window"]),
                                {ident: dt.date.fromisoformat(day) for ident, day in late["earliest"].items()})


def _done_by(record: dict, late: ReadyAfterLastWindow | None, day: dt.date) -> bool | None:
    """Whether the scenario's rollout is complete by the date: None where it has no plan and that is not known."""
    if record.get("status") in OK:
        end = _date(record.get("completion"))
        return end is not None and end <= day
    if late is not None:
        return False  # someone that must go live has no window: the rollout is not complete within the windows
    return None


def _live_by(record: dict, late: ReadyAfterLastWindow | None, ident: str, day: dt.date,
             together: Iterable[str] = ()) -> bool | None:
    """Whether the organisation is live by the date in the scenario: None where that is not known.
    `together`: the other members of its `together` rule, which go live with it (one of them with no
    window is its answer too)."""
    if record.get("status") in OK:
        go_live = _date(record.get("go_live", {}).get(ident))
        return go_live is not None and go_live <= day
    if late is not None and (ident in late.earliest or any(other in late.earliest for other in together)):
        return False  # it (or the group it goes live with) has no window it is ready for
    return None


def _share(answers: list[bool | None]) -> tuple[float | None, list[float] | None, list[float] | None]:
    """The share of yes among the known answers (None: none known), its range over all of them, the
    unknown counted as no and as yes (None: no answers), and its 95 % Wilson interval over the known
    answers (None: none known)."""
    if not answers:
        return None, None, None
    yes, no = answers.count(True), answers.count(False)
    known = _r(yes / (yes + no)) if yes + no else None
    return known, [_r(yes / len(answers)), _r((len(answers) - no) / len(answers))], wilson(yes, yes + no)


def _shares(records: list[dict], late: list, labels: list[str], dates: list[dt.date], answer) -> tuple[dict, dict,
                                                                                                        dict]:
    """P(answer by each date), its range and its Wilson interval (`_share`) over the records (`late`: each
    one's `ready_after_last_window`); `answer(record, late, day)`."""
    shares = {label: _share([answer(r, why, day) for r, why in zip(records, late)])
              for label, day in zip(labels, dates)}
    return ({label: p for label, (p, _, _) in shares.items()},
            {label: span for label, (_, span, _) in shares.items() if span is not None},
            {label: ci for label, (_, _, ci) in shares.items() if ci is not None})


def aggregate(results, live_by: Iterable[dt.date | str] | None = None, size: int | None = None) -> SweepSummary:
    """Sum up a sweep's records (`run.Results`: header, base, records). `live_by`: the dates to give
    P(live by) for (default: the spec's); `size`: how many scenarios the sweep has (default: the
    header's), records past it are left out."""
    if not isinstance(results, Results):
        slip = (": read_results(path) returns (Results, length); give read_results(path)[0]"
                if isinstance(results, tuple) and results and isinstance(results[0], Results) else "")
        raise TypeError(f"aggregate takes the sweep's Results (read_results(path)[0]), got {type(results).__name__}"
                        f"{slip}")
    header, base = results.header, results.base or {}
    size = header.get("size", 0) if size is None else size
    dates = sorted({(d if isinstance(d, dt.date) else dt.date.fromisoformat(d))
                    for d in (live_by if live_by is not None else header.get("live_by", []))})
    labels = [d.isoformat() for d in dates]
    records = sorted((r for r in results.records if 0 <= r["index"] < size), key=lambda r: r["index"])
    ok = [r for r in records if r.get("status") in OK]
    n = len(ok)
    actors_info = base.get("actors", [])
    late = [ready_after_last_window(r) for r in records]
    base_go = base.get("go_live", {})
    together = [list(g["members"]) for g in base.get("together", [])]
    partners = {ident: [m for m in members if m != ident] for members in together for ident in members}

    actors = []
    for info in actors_info:
        ident = info["id"]
        days = sorted((_date(r.get("go_live", {}).get(ident)) for r in ok), key=_never_last)
        base_day = base_go.get(ident)
        planned = [r for r in ok if base_day and r.get("go_live", {}).get(ident)]  # both plans have it
        delays = [r.get("delay", {}).get(ident, 0) for r in planned]
        out = sum(1 for r in ok if ident in r.get("newly_unscheduled", ()))
        live_by, live_by_range, live_by_ci = _shares(records, late, labels, dates,
                                         lambda r, late, day, ident=ident: _live_by(r, late, ident, day,
                                                                                    partners.get(ident, ())))
        actors.append(ActorStats(
            id=ident, name=info["name"], kind=info["kind"], base=base_day,
            p10=_iso(quantile(days, 0.1)), median=_iso(quantile(days, 0.5)), p90=_iso(quantile(days, 0.9)),
            unscheduled=_r(sum(1 for d in days if d is None) / n) if n else None,
            p_live_by=live_by,
            p_later=_r((sum(1 for d in delays if d > 0) + out) / n) if n else None,
            mean_delay_months=_r(sum(delays) / len(delays), 3) if delays else None,
            slip_share=_r(sum(1 for r in ok if r.get("slips", {}).get(ident)) / n) if n else None,
            population=info.get("population", 0),
            p_last=_r(sum(1 for r in ok if r.get("completion") and r.get("go_live", {}).get(ident) == r["completion"]) / n)
            if n and info.get("mandatory", True) else 0,
            p_live_by_range=live_by_range, p_live_by_ci=live_by_ci,
            p10_range=_iso_range(quantile_step(days, 0.1)[0]), median_range=_iso_range(quantile_step(days, 0.5)[0]),
            p90_range=_iso_range(quantile_step(days, 0.9)[0]),
        ))

    completion = None
    ends = sorted((_date(r.get("completion")) for r in ok), key=_never_last)
    if records:
        counts = Counter(quarter(d) for d in ends if d)
        scheduled = [d for d in ends if d]
        by_quarter, cumulative = [], 0
        p_by, p_by_range, p_by_ci = _shares(records, late, labels, dates, _done_by)
        if scheduled:
            for label in _quarters(scheduled[0], scheduled[-1]):
                cumulative += counts.get(label, 0)
                by_quarter.append({"quarter": label, "count": counts.get(label, 0),
                                   "share": _r(counts.get(label, 0) / n), "cumulative": _r(cumulative / n)})
        completion = Completion(
            base=base.get("completion"), p10=_iso(quantile(ends, 0.1)), median=_iso(quantile(ends, 0.5)),
            p90=_iso(quantile(ends, 0.9)), latest=_iso(ends[-1]) if ends else None,
            p_by=p_by, by_quarter=by_quarter,
            steps=[(day.isoformat(), _r(sum(1 for e in scheduled if e <= day) / n)) for day in sorted(set(scheduled))],
            p_by_range=p_by_range, p_by_ci=p_by_ci,
        )
        for name, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
            span, steps = quantile_step(ends, q)
            setattr(completion, f"{name}_range", _iso_range(span))
            setattr(completion, f"{name}_steps", steps and [{"at_or_below": _iso(j["at_or_below"]),
                                                             "share": j["share"]} for j in steps])

    cost = None
    if n:
        costs = sorted(float(r.get("cost_mnok", 0.0)) for r in ok)
        with_cost = [a for a in actors_info if a.get("cost_per_month")]
        cost = CostOfDelay(
            mean=_r(sum(costs) / n, 1), p50=_r(quantile(costs, 0.5), 3), p90=_r(quantile(costs, 0.9), 3),
            max=_r(costs[-1], 3), is_estimate=any(a.get("cost_is_estimate") for a in with_cost),
            actors=[a["id"] for a in with_cost],
            mean_population_months=_r(sum(r.get("population_months", 0) for r in ok) / n, 1),
            mean_moved=_r(sum(r.get("moved", 0) for r in ok) / n, 3),
            population_months_is_estimate=population_estimated(ok, actors_info, "delay"),
            population_out_is_estimate=population_estimated(ok, actors_info, "newly_unscheduled"),
            population_in_is_estimate=population_estimated(ok, actors_info, "newly_scheduled"),
            scenarios_newly_unscheduled=sum(1 for r in ok if r.get("newly_unscheduled")),
            mean_newly_unscheduled=_r(sum(len(r.get("newly_unscheduled", ())) for r in ok) / n, 3),
            mean_population_out=_r(sum(r.get("population_out", 0) for r in ok) / n, 1),
            open_ended_cost=[a["id"] for a in with_cost if any(a["id"] in r.get("newly_unscheduled", ()) for r in ok)],
            scenarios_newly_scheduled=sum(1 for r in ok if r.get("newly_scheduled")),
            mean_newly_scheduled=_r(sum(len(r.get("newly_scheduled", ())) for r in ok) / n, 3),
            mean_population_in=_r(sum(r.get("population_in", 0) for r in ok) / n, 1),
            mean_stderr=_r(mean_stderr(costs), 3),
            mean_moved_stderr=_r(mean_stderr([float(r.get("moved", 0)) for r in ok]), 4),
            mean_population_months_stderr=_r(mean_stderr([float(r.get("population_months", 0)) for r in ok]), 1),
        )
        cost.median_range, cost.median_steps = _rounded_step(*quantile_step(costs, 0.5))
        cost.p90_range, cost.p90_steps = _rounded_step(*quantile_step(costs, 0.9))

    failures = Counter()
    first: dict[tuple, list[int]] = {}
    for r in records:
        if r.get("status") in OK:
            continue
        key = (r.get("status", "error"), readable(r.get("reason") or ""))  # a path in it as output can hold it
        failures[key] += 1
        first.setdefault(key, []).append(r["index"])
    failure_list = [Failure(status, reason, count, first[(status, reason)][:5])
                    for (status, reason), count in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))]

    tested = influence(ok, actors_info, header.get("kind", "monte_carlo"), partners)
    summary = SweepSummary(
        # the paths as an output can hold them (`readable`: a results file written before they were kept so)
        spec=readable(header.get("spec", "")), description=header.get("description", ""), kind=header.get("kind", ""),
        seed=header.get("seed"), data=readable(header.get("data", "")), size=size, scenarios=len(records), with_plan=n,
        failed=len(records) - n, live_by=labels, completion=completion, cost=cost, actors=actors,
        influence=tested, axes=axis_effects(header, records, dates, actors_info),
        failures=failure_list, base_status=base.get("status"),
        base_gap=base.get("gap"), base_proven=proven(base) if base.get("status") in OK else None,
        unproven=sum(1 for r in ok if not proven(r)),
        tie_break_cut=sum(1 for r in ok if proven(r) and r.get("tie_break") != "complete"),
        clear_threshold=_r(clear_threshold(len(tested), n), 2) if tested else None,
        work_limit=(header.get("solver") or {}).get("work_limit"),
        base_time_limit=(header.get("solver") or {}).get("base_time_limit"),
        plan=(header.get("solver") or {}).get("plan") or "fresh",  # (a file made before the key: from scratch)
        ready_after_last_window=sum(1 for why in late if why),
        together=[{"id": g["id"], "members": list(g["members"])} for g in base.get("together", [])],
    )
    if summary.kind == "grid":
        _without_sampling_error(summary)
    return summary


def _without_sampling_error(summary: SweepSummary) -> None:
    """A grid's figures without sampling error: its scenarios are the values chosen, every one of them, not a
    sample of futures, so a share of them is exact (no Wilson interval), a mean has no margin and a quantile no
    step that another sample would cross (the influence slopes keep their t: the spread about a line)."""
    for holder in (summary.completion, summary.cost, *summary.actors):
        if holder is None:
            continue
        for name in ("p_by_ci", "p_live_by_ci"):
            if hasattr(holder, name):
                setattr(holder, name, {})
        for name in ("p10_range", "median_range", "p90_range", "p10_steps", "median_steps", "p90_steps",
                     "mean_stderr", "mean_moved_stderr", "mean_population_months_stderr"):
            if hasattr(holder, name):
                setattr(holder, name, None)
    for axis in summary.axes:
        for value in axis.values:
            value.p_done_by_ci = {}
    for effect in summary.influence:  # the means per slip level, without a margin
        for level in (effect.by_slip or {}).values():
            level["others_moved_stderr"] = None


def _iso_range(span: list | None) -> list | None:
    return None if span is None else [_iso(day) for day in span]


def _rounded_step(span: list | None, steps: list | None) -> tuple[list | None, list | None]:
    """A cost's step (`quantile_step`) rounded as the cost's quantiles are."""
    if span is None:
        return None, None
    return [_r(v, 3) for v in span], [{"at_or_below": _r(j["at_or_below"], 3), "share": j["share"]} for j in steps]


def proven(record: dict) -> bool:
    """Whether a record's plan has its objective proven optimal: its `proven`, or for a record made before
    that key, worked out from its status (and a re-plan's `least_change_proven`) as `sample.proven_optimal`."""
    if "proven" in record:
        return bool(record["proven"])
    return proven_optimal(record.get("status"), (record.get("replan") or {}).get("least_change_proven"))


#: the chance, over all the organisations tested together, that a slip with no effect is called clear
CLEAR_LEVEL = 0.05
#: in a Monte Carlo sweep, no effect is called clear for an organisation that slipped in fewer scenarios than
#: this: a handful of coincidences with another organisation's slip can look like an effect
MIN_SLIPPED = 10
#: an influence's `by_slip` (the others' moves per slip level) is given where its slip takes at most this many values
BY_SLIP_LEVELS = 6


def clear_threshold(tested: int, n: int) -> float:
    """|t| from which an influence counts as clear, with `tested` organisations tested over `n` scenarios:
    the two-sided Bonferroni level CLEAR_LEVEL / tested, the quantile of Student's t with n - 2 degrees of
    freedom (`t_quantile`; the Cornish-Fisher expansion used before was lenient at 10 scenarios, 4.90 where
    the quantile is 5.03). About 3.2 for 40 organisations at 200 scenarios, 3.8 at 20."""
    return t_quantile(1 - CLEAR_LEVEL / (2 * max(1, tested)), max(1, n - 2))


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (p >= 0.5) of Student's t with `df` degrees of freedom: the t whose upper tail,
    0.5 I_{df/(df+t²)}(df/2, 1/2) (the regularized incomplete beta function, `_beta_regularized`), is 1 - p,
    by bisection to 1e-10. t(0.975, 10) = 2.2281; t(0.9995, 8) = 5.0413."""
    tail = 1 - p

    def upper(t: float) -> float:
        return 0.5 * _beta_regularized(df / 2, 0.5, df / (df + t * t))

    low, high = 0.0, 1.0
    while upper(high) > tail and high < 1e6:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if upper(middle) > tail:
            low = middle
        else:
            high = middle
        if high - low < 1e-10:
            break
    return (low + high) / 2


def _beta_regularized(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function, by its continued fraction (Lentz's method, as in
    Numerical Recipes' betai/betacf), on the side where it converges fast."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def _fit(xs: list[float], ys: list[float]) -> tuple[float | None, float | None, float | None]:
    """Least-squares slope of y on x, the correlation, and the slope's standard error (None where a
    variance is zero or there are fewer than three points)."""
    n = len(xs)
    if n < 3:
        return None, None, None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    if sxx == 0:
        return None, None, None
    slope = sxy / sxx
    corr = sxy / math.sqrt(sxx * syy) if syy > 0 else None
    residual = max(0.0, syy - slope * sxy)
    stderr = math.sqrt(residual / (n - 2) / sxx)
    return slope, corr, stderr


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _slope(xs: list[float], ys: list[float]) -> tuple[float | None, float | None]:
    slope, corr, _ = _fit(xs, ys)
    return slope, corr


def influence(ok: list[dict], actors_info: list[dict], kind: str = "monte_carlo",
              partners: dict[str, list[str]] | None = None) -> list[Influence]:
    """Whose slip moves the others most (see the module's docstring; `kind`: the sweep's, a grid's values
    chosen, not drawn: no minimum of scenarios with a slip). The others are those outside its `together`
    rule (`partners`: the other members of each member's), which go live with it by rule, as its own."""
    population = {a["id"]: a.get("population", 0) for a in actors_info}
    names = {a["id"]: a["name"] for a in actors_info}
    slipping = sorted({ident for r in ok for ident in r.get("slips", {})})
    found, t_of, t_moved_of, enough = [], {}, {}, {}
    for ident in slipping:
        xs = [float(r.get("slips", {}).get(ident, 0)) for r in ok]
        own = [float(r.get("delay", {}).get(ident, 0)) for r in ok]
        group = [ident, *(partners or {}).get(ident, ())]  # its own, and what goes live with it by rule
        group_later = [[max(0.0, float(r.get("delay", {}).get(m, 0))) for m in group] for r in ok]
        others_pm = [float(r.get("population_months", 0)) - sum(population.get(m, 0) * d for m, d in zip(group, later))
                     for r, later in zip(ok, group_later)]
        others_moved = [float(r.get("moved", 0)) - sum(1 for d in later if d > 0) for r, later in zip(ok, group_later)]
        slope_pm, corr, stderr = _fit(xs, others_pm)
        if slope_pm is None:
            continue
        if stderr:
            t = slope_pm / stderr
        else:
            t = None if slope_pm == 0 else math.copysign(math.inf, slope_pm)
        slope_moved, _, stderr_moved = _fit(xs, others_moved)
        if stderr_moved:
            t_moved = slope_moved / stderr_moved
        else:
            t_moved = None if not slope_moved else math.copysign(math.inf, slope_moved)
        levels = sorted(set(xs))
        by_slip = {f"{level:g}": {
            "scenarios": sum(1 for x in xs if x == level),
            "others_moved_mean": _r(_mean([m for x, m in zip(xs, others_moved) if x == level]), 3),
            "others_moved_stderr": _r(mean_stderr([m for x, m in zip(xs, others_moved) if x == level]), 4),
            "others_population_months_mean": _r(_mean([p for x, p in zip(xs, others_pm) if x == level]), 1),
        } for level in levels} if len(levels) <= BY_SLIP_LEVELS else None
        # its own go-live delay has no number of months where the scenario leaves it out of the plan
        planned = [(x, d) for r, x, d in zip(ok, xs, own) if ident not in r.get("newly_unscheduled", ())]
        pass_through, _ = _slope([x for x, _ in planned], [d for _, d in planned])
        found.append(Influence(
            id=ident, name=names.get(ident, ident), n=len(ok),
            slipped=_r(sum(1 for x in xs if x) / len(xs)), mean_slip=_r(sum(xs) / len(xs), 3),
            pass_through=_r(pass_through, 3), others_moved=_r(slope_moved, 3),
            others_population_months=_r(slope_pm, 1), correlation=_r(corr, 3),
            stderr=_r(stderr, 1), t=None if t is None or math.isinf(t) else _r(t, 2),
            clear=False,  # below, once the number of organisations tested is known
            others_population_months_is_estimate=population_estimated(ok, actors_info, "delay", ident),
            others_moved_stderr=_r(stderr_moved, 4),
            others_moved_t=None if t_moved is None or math.isinf(t_moved) else _r(t_moved, 2),
            by_slip=by_slip,
        ))
        t_of[ident] = t
        t_moved_of[ident] = t_moved
        enough[ident] = kind == "grid" or sum(1 for x in xs if x) >= MIN_SLIPPED
    threshold = clear_threshold(len(found), len(ok))
    for f in found:
        f.clear = t_of[f.id] is not None and abs(t_of[f.id]) >= threshold and enough[f.id]
        f.others_moved_clear = t_moved_of[f.id] is not None and abs(t_moved_of[f.id]) >= threshold and enough[f.id]
    return sorted(found, key=lambda f: (not f.clear, -f.others_population_months, -f.others_moved, f.id))


def population_estimated(records: list[dict], actors_info: list[dict], field: str, but: str | None = None) -> bool:
    """Whether a sum of populations over the records' organisations in `field` rests on an estimated population
    (the base record's `population_is_estimate`, `formats.estimated`): `delay`, those later than the base plan
    (population-months); `newly_unscheduled` (population out), `newly_scheduled` (in). `but`: one left out."""
    estimated = {a["id"] for a in actors_info if a.get("population_is_estimate")} - {but}
    for r in records:
        value = r.get(field) or ()
        if any(ident in estimated for ident in ([i for i, months in value.items() if months > 0]
                                                if isinstance(value, dict) else value)):
            return True
    return False


def axis_effects(header: dict, records: list[dict], dates: list[dt.date],
                 actors_info: list[dict] = ()) -> list[AxisEffect]:
    """For a grid: per axis and value, what the scenarios with that value give (marginal means over the
    other axes)."""
    effects = []
    for i, axis in enumerate(header.get("axes", [])):
        values = []
        for value in axis["values"]:
            group = [r for r in records if r.get("point") and r["point"][i] == value]
            ok = [r for r in group if r.get("status") in OK]
            ends = sorted((_date(r.get("completion")) for r in ok), key=_never_last)
            m = len(ok)
            done_by, done_by_range, done_by_ci = _shares(group, [ready_after_last_window(r) for r in group],
                                             [d.isoformat() for d in dates], dates, _done_by)
            values.append(AxisValue(
                value=value, scenarios=len(group), with_plan=m,
                completion_median=_iso(quantile(ends, 0.5)),
                p_done_by=done_by,
                mean_cost=_r(sum(r.get("cost_mnok", 0) for r in ok) / m, 3) if m else None,
                mean_moved=_r(sum(r.get("moved", 0) for r in ok) / m, 3) if m else None,
                mean_population_months=_r(sum(r.get("population_months", 0) for r in ok) / m, 1) if m else None,
                mean_newly_unscheduled=_r(sum(len(r.get("newly_unscheduled", ())) for r in ok) / m, 3) if m else None,
                mean_population_out=_r(sum(r.get("population_out", 0) for r in ok) / m, 1) if m else None,
                population_months_is_estimate=population_estimated(ok, actors_info, "delay"),
                p_done_by_range=done_by_range, p_done_by_ci=done_by_ci,
            ))
        effects.append(AxisEffect(axis["label"], values))
    return effects


__all__ = ["ActorStats", "AxisEffect", "Completion", "CostOfDelay", "Influence", "ReadyAfterLastWindow", "SweepSummary",
           "aggregate", "clear_threshold", "proven", "quantile", "ready_after_last_window"]
