"""Compare two plans: who moved, why (the knock-on cause), and what it costs (docs/scenarios.md).

    comparison = compare(base, base_problem, other, other_problem)

`base` is the baseline plan (solved from the base data, or read from a saved plan) and `other` the plan
of the changed data (a scenario). For every organisation whose go-live changed the comparison finds
the **cause**: the rule or limit that forces it, by direct checks with the independent verifier
(`verify.py`), never by a placeholder:

- moved later (or newly unscheduled): put it back where the baseline had it, everyone else staying
  where the new plan has them, and verify that plan against the changed data. What breaks is what holds
  it back: its own changed data (the scenario's postponement), a rule linking it to another moved
  organisation (a knock-on, naming that organisation), a window limit or pool capacity that the new
  plan has filled (naming who moved in), or a window that moved or is gone. Nothing breaks: it is not
  forced, the objective preferred the new window.
- moved earlier (or newly scheduled): put it at its new window in the baseline plan and verify that
  against the base data. What breaks is what held it back before, and is now gone ("freed").

Totals: organisations moved, population-months of delay (population × calendar months moved, later
positive), the population newly out of the plan or newly in it (open-ended: no number of months, so
counted apart, never as zero), peak load per pool before and after, and the estimated cost of delay
(`postponement_cost_per_month` × months later, MNOK; marked as an estimate when its source note is).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace

from .errors import Location, some_of
from .formats import (KIND_ORDER, PeakLoad, capacity_estimated, estimated, estimated_loads, fmt_int, fmt_number,
                      go_live_estimated, marked, marked_applied, peak_loads, plan_source, status_text,
                      with_findings)
from .model.variables import allowed_slots, window_calendar
from .problem import LOAD_SCALE, Problem, month_index, parse_month
from .relations import NoLater, Precedes
from .schema import RULE_TYPES, Organisation
from .schema import Status as OrgStatus
from .solution import LEAST_CHANGE, Assignment, Solution, Status
from .solve import entry_loads, load_points, load_report, load_sums
from .verify import DATED, PlanTrials, Violation, broken_rules, dated, verify

#: what a finding of the verifier breaks, as `Comparison.base_broken_said` names it briefly (else the rule's name)
BROKEN_SAID = {"mandatory": "must go live, left out", "plan": "missing from the plan",
               "earliest": "before its earliest date", "latest": "after its latest date",
               "returns": "before its return date", "not_plannable": "scheduled though opted out for good",
               "track": "off its track", "blackout": "in a blackout", "window": "on no window's date",
               "pinned": "history not as the data has it", "capacity": "pool over capacity"}

#: own-data restrictions the verifier reports, and the organisation field each one reads
OWN_FIELDS = {
    "earliest": "earliest",
    "returns": ("status", "returns"),  # opted out until then: an exclude with a return date sets both
    "latest": "latest",
    "track": "track",
    "not_plannable": ("status", "returns"),  # opted out, or no longer coming back
    "mandatory": "status",
    "pinned": "status",
    "blackout": None,
    "window": None,
}
RELATIONS = RULE_TYPES

#: the most organisations a cause's text names of a window's members (`some_of`: "and 142 more"); its JSON
#: `actors` has them all
SHOWN = 8

#: the moves later (in the comparison's order) whose windows between their baseline window and their new one
#: are examined for what keeps them out (`_Explainer.skipped`); past it, the comparison says how many were not.
#: Each window is a check of the variant only where it differs (`verify.PlanTrials`, milliseconds): national
#: scale with a trust postponed (about 1,800 moves, 600 later) examines them all in 17 s of the comparison's
#: CPU time; the cap bounds a comparison of a larger rollout
LANDINGS_EXAMINED = 5000

#: kinds of cause, in the order the main cause is chosen
CAUSE_KINDS = ("scenario", "data-change", "window", "data", "history", "knock-on", "limit", "capacity", "rule", "freeze",
               "objective", "removed", "gone", "added", "baseline")


@dataclass(frozen=True)
class Cause:
    """Why an organisation's go-live changed."""

    kind: str  # one of CAUSE_KINDS
    text: str  # one line for a person
    rule: str | None = None  # the verifier's name of the rule or limit (earliest, order, limit.max_trusts, capacity ...)
    actors: tuple[str, ...] = ()  # the other organisations involved; for a knock-on the moved ones
    where: str | None = None  # file:line of the rule, limit, pool or scenario change
    detail: str | None = None  # the verifier's full message
    #: the text shows a figure marked `*` (a pool's capacity that rests on an estimate: `capacity_estimated`,
    #: or a load summed from estimated load profiles: `formats.estimated_loads`); the JSON's text carries the mark
    estimate: bool = False
    #: of those, a load (FTE) marked `*`: the note says what a marked load means (`formats.estimate_note`)
    load_estimate: bool = False
    #: a pool over capacity in several months: the cause to show first, all of them at once (how far over
    #: at the worst); this one stays among the causes as its own month's (not in the JSON: it is a cause there)
    summary: Cause | None = field(default=None, compare=False, repr=False)
    #: a window between its baseline window (or its new earliest date) and its new window that this cause keeps
    #: it out of (`_Explainer.skipped`): the table adds it to the main cause (in the JSON it is a cause of its own)
    skipped: str | None = field(default=None, compare=False)
    #: the own data of the organisation or of a together partner moved with it (its group) keeps it out, wherever
    #: everyone else is: named before a window limit or a pool that binds only with the others where the new
    #: plan has them (`_rank`)
    forced: bool = field(default=False, compare=False)
    #: the main cause already says it (the blackout a moved window now lies in, `_Explainer.held_back`): a cause of
    #: its own in the JSON, with its line, but not said again in the table
    told: bool = field(default=False, compare=False)

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "rule": self.rule, "actors": list(self.actors),
                "where": self.where, "detail": self.detail}


@dataclass(frozen=True)
class Move:
    """One organisation whose go-live differs between the two plans."""

    id: str
    name: str
    kind: str
    #: later | earlier | unscheduled | scheduled | removed | added | repaired | not_in_baseline; `repaired`: the
    #: baseline left it unscheduled though its own data says it must go live, and the other plan schedules it (a
    #: repair of the baseline, not an effect of the changes: never counted as newly scheduled)
    change: str
    before: dt.date | None
    after: dt.date | None
    window_before: str | None
    window_after: str | None
    population: int
    cost_per_month: float | None  # MNOK per month of postponement (data), None when not given
    cost_estimate: bool  # the cost figure is an estimate (its source note is not `fact:`)
    population_estimate: bool = False  # the population figure is an estimate (`formats.estimated`)
    causes: tuple[Cause, ...] = ()
    roots: tuple[str, ...] = ()  # the organisations whose own change the knock-on chain starts from
    #: no cost of its own, but its trust's cost covers its go-live: the trust it is `part_of`, in a together
    #: rule with it and moved the same way, has a `postponement_cost_per_month` (the trust carries it)
    cost_carried_by: str | None = None
    #: the go-live date rests on an estimate, in the baseline / the other plan (`formats.go_live_estimated`: a
    #: planned one in a window whose date is estimated, a live one by its live_since): shown `*`
    before_estimate: bool = False
    after_estimate: bool = False

    @property
    def cause(self) -> Cause | None:
        return self.causes[0] if self.causes else None

    @property
    def no_cost_given(self) -> bool:
        """The data gives it no postponement cost and its trust does not carry one (`cost_carried_by`):
        its cost is unknown, not 0."""
        return self.cost_per_month is None and self.cost_carried_by is None

    @property
    def days(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return (self.after - self.before).days

    @property
    def months(self) -> int | None:
        """Calendar months between the go-live months (as the objective counts them); later positive."""
        if self.before is None or self.after is None:
            return None
        return month_index(self.after) - month_index(self.before)

    @property
    def population_months(self) -> int | None:
        """Population × months; None when it is not scheduled in one of the plans: that delay (or gain)
        has no end, and is counted apart (`Comparison.population_out`, `population_in`), never as 0."""
        return None if self.months is None else self.population * self.months

    @property
    def cost(self) -> float | None:
        """MNOK: cost per month × months later (negative: earlier)."""
        if self.cost_per_month is None or self.months is None:
            return None
        return round(self.cost_per_month * self.months, 3)

    def to_json(self) -> dict:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "change": self.change,
            "from": self.before.isoformat() if self.before else None,
            "to": self.after.isoformat() if self.after else None,
            "from_is_estimate": self.before_estimate, "to_is_estimate": self.after_estimate,
            "window_from": self.window_before, "window_to": self.window_after,
            "days": self.days, "months": self.months, "population": self.population,
            "population_is_estimate": self.population_estimate,
            "population_months": self.population_months,
            "cost_per_month_mnok": self.cost_per_month,
            "cost_mnok": self.cost,
            # of the cost per month, and so of `cost_mnok` (an open-ended one newly out of the plan: of its
            # cost per month alone)
            "cost_is_estimate": self.cost_estimate if self.cost_per_month is not None else None,
            "cost_carried_by": self.cost_carried_by,
            "cause": self.cause.to_json() if self.cause else None,
            "causes": [c.to_json() for c in self.causes],
            "roots": list(self.roots),
        }


@dataclass(frozen=True)
class PeakChange:
    pool: str
    before: PeakLoad | None
    after: PeakLoad | None


@dataclass(frozen=True)
class AllowedEarlier:
    """An organisation the least-change re-plan keeps where the baseline has it, though the changed data now
    lets it go live earlier by its own data (`earliest`, `returns`, `latest`, track, blackouts: the windows the
    model gives it, `model.variables.allowed_slots`) than the base data did: planned afresh, it may move
    there (whether it does depends on everyone else, which this does not check). One the re-plan moved
    (later: its window went) is `moved` there, not kept: its move has its causes."""

    id: str
    window: str  # its window in the new plan
    allowed: str  # the first window its own data allows in the changed data
    allowed_before: str | None  # ... in the base data; None: it was not one to plan there (opted out, new)
    moved: bool = False  # its go-live in the new plan is not the baseline's (`Comparison.moves` has it)

    def to_json(self) -> dict:
        return {"id": self.id, "window": self.window, "first_window_allowed": self.allowed,
                "first_window_allowed_before": self.allowed_before, "moved": self.moved}


@dataclass
class Comparison:
    base_status: str
    other_status: str
    applied: list[str]  # the changes of the compared data (scenarios, quick forms)
    moves: list[Move] = field(default_factory=list)  # every organisation whose go-live differs
    peaks: list[PeakChange] = field(default_factory=list)
    #: the other plan was re-planned against the baseline (least change first): its optimum is the best
    #: plan among those that change the baseline least, not the best plan of its data
    least_change: bool = False
    #: with `least_change`: those the changed data lets go live earlier than the re-plan keeps them
    #: (`AllowedEarlier`); a plan made afresh (`--fresh`) may move them
    allowed_earlier: list[AllowedEarlier] = field(default_factory=list)
    #: moves later past the first LANDINGS_EXAMINED whose windows between (where they could have gone live)
    #: were not examined: the verifier runs once per such window and move
    landings_not_examined: int = 0
    #: what the command says of the baseline before the moves (a saved plan made with scenarios the baseline's
    #: data was not given: `hpplan compare` without --baseline-scenario)
    notes: list[str] = field(default_factory=list)
    #: `applied` as the comparison shows it: the dates a change names marked `*` by their source notes, as a cause
    #: says the same dates (`marked_applied`); empty: `applied` as it is
    applied_shown: list[str] = field(default_factory=list)
    #: the rules and limits of the baseline's own data that the baseline plan breaks (the verifier's findings on its
    #: go-lives, `verify.broken_rules`): a plan file, or a saved plan of data that changed since; none for a plan
    #: solved from that data. Its moves are read against data it does not fit (`base_status_text`, `repaired`)
    base_violations: list[Violation] = field(default_factory=list)
    #: the baseline's status as a person reads it (`formats.status_text`: 'plan file, not solved' for a plan file);
    #: empty: `base_status`
    base_text: str = ""

    @property
    def base_status_text(self) -> str:
        """The baseline's status as a person reads it: a plan that breaks rules or limits of its data is not called
        plainly 'feasible' ('plan file, not solved; breaks 4 rules or limits of this data', as `report --plan` says
        it; a saved plan solved from data that changed since: 'optimal as saved; breaks ...')."""
        return with_findings(self.base_text or self.base_status, len(self.base_violations), bool(self.base_text))

    @property
    def shown_applied(self) -> list[str]:
        """The changes as the scenario lines say them (`applied_shown`, else `applied`)."""
        return self.applied_shown if len(self.applied_shown) == len(self.applied) else list(self.applied)

    @property
    def found(self) -> bool:
        return self.other_status in ("optimal", "feasible")

    @property
    def other_status_text(self) -> str:
        """The other plan's status as a person reads it: a re-plan's `optimal` says among which plans."""
        if self.least_change and self.other_status == "optimal":
            return f"optimal {LEAST_CHANGE}"
        return self.other_status

    def of(self, *changes: str) -> list[Move]:
        return [m for m in self.moves if m.change in changes]

    @property
    def moved(self) -> list[Move]:
        """Scheduled in both plans, on different dates."""
        return self.of("later", "earlier")

    @property
    def newly_unscheduled(self) -> list[Move]:
        return self.of("unscheduled")

    @property
    def population_months(self) -> int:
        """Population × calendar months, summed over the organisations moved (scheduled in both plans).
        Those newly out of the plan or newly in it have no number of months: see `population_out`."""
        return sum(m.population_months or 0 for m in self.moved)

    @property
    def population_out(self) -> int:
        """People in the newly unscheduled organisations. Their delay is open-ended, as their cost is
        (`open_ended_costs`): summed as zero months it would make keeping them out for good look like
        no delay at all."""
        return sum(m.population for m in self.newly_unscheduled)

    @property
    def population_in(self) -> int:
        """People in the newly scheduled organisations: the reverse of `population_out`."""
        return sum(m.population for m in self.of("scheduled"))

    @property
    def cost_of_delay(self) -> float:
        """MNOK: the postponement costs of the organisations that go live later."""
        return round(sum(m.cost for m in self.moved if m.cost is not None and m.cost > 0), 3)

    @property
    def saving(self) -> float:
        """MNOK: the same costs of the organisations that go live earlier."""
        return round(-sum(m.cost for m in self.moved if m.cost is not None and m.cost < 0), 3)

    @property
    def cost_is_estimate(self) -> bool:
        """Whether a cost total (of delay, or the saving) rests on an estimated cost per month."""
        return self.cost_of_delay_is_estimate or self.saving_is_estimate

    @property
    def costed_later(self) -> list[Move]:
        """The organisations moved later whose cost the data gives, 0 too (moved within a calendar month:
        a known 0, no unknown): `cost_of_delay` is theirs. None of them: the cost of delay is unknown."""
        return [m for m in self.of("later") if m.cost is not None]

    @property
    def cost_of_delay_is_estimate(self) -> bool:
        """Whether `cost_of_delay` rests on an estimated cost per month: a 0 from an estimate is one."""
        return any(m.cost_estimate for m in self.costed_later)

    @property
    def saving_is_estimate(self) -> bool:
        return any(m.cost_estimate for m in self.moved if m.cost is not None and m.cost < 0)

    @property
    def population_months_is_estimate(self) -> bool:
        """Whether `population_months` rests on an estimated population (a trust's catchment)."""
        return any(m.population_estimate for m in self.moved if m.population_months)

    @property
    def population_out_is_estimate(self) -> bool:
        return any(m.population_estimate for m in self.newly_unscheduled)

    @property
    def population_in_is_estimate(self) -> bool:
        return any(m.population_estimate for m in self.of("scheduled"))

    @property
    def base_broken_said(self) -> str:
        """What the baseline breaks of its data (`base_violations`), briefly, by rule: `must go live, left out:
        gjemnes, averoy, froya, aure` ("" when it fits): the note of compare's outputs, the report's and the
        workbook's line."""
        by_rule: dict[str, list[Violation]] = {}
        for v in self.base_violations:
            by_rule.setdefault(v.rule, []).append(v)
        said = []
        for rule, found in by_rule.items():
            what = BROKEN_SAID.get(rule) or (f"window limit {rule.removeprefix('limit.')}" if rule.startswith("limit.")
                                             else f"{rule} rule")
            pools = list(dict.fromkeys(f"{v.pool} in {v.month}" for v in found if v.pool and v.month))
            actors = list(dict.fromkeys(a for v in found for a in v.actors))
            which = some_of(pools, 3) if pools else some_of(actors, 8) if actors else f"{len(found)} finding" + (
                "s" if len(found) != 1 else "")
            said.append(f"{what}: {which}")
        return "; ".join(said)

    @property
    def repaired(self) -> list[Move]:
        """Organisations the baseline left out though its own data says they must go live, which the other plan
        schedules: a repair of the baseline, not an effect of the changes (not in `population_in`)."""
        return self.of("repaired")

    @property
    def population_repaired(self) -> int:
        return sum(m.population for m in self.repaired)

    @property
    def population_repaired_is_estimate(self) -> bool:
        return any(m.population_estimate for m in self.repaired)

    @property
    def uncosted(self) -> list[Move]:
        """Organisations moved later or newly out of the plan whose data gives no postponement cost
        (`postponement_cost_per_month` not given) and whose trust does not carry it (`Move.cost_carried_by`):
        their cost is in no total. Said apart, for a total of 0 MNOK would read as "their delay costs
        nothing"."""
        return [m for m in self.of("later", "unscheduled") if m.no_cost_given]

    @property
    def open_ended_costs(self) -> list[Move]:
        """Newly unscheduled organisations that carry a postponement cost: their cost has no end."""
        return [m for m in self.newly_unscheduled if m.cost_per_month]

    def to_json_dict(self) -> dict:
        return {
            # a baseline that breaks rules or limits of its data is no feasible plan of it: `violations`, as
            # `hpplan check --plan` says of it; `baseline_violations` lists what it breaks
            "baseline_status": "violations" if self.base_violations else self.base_status,
            "baseline_status_text": self.base_status_text,
            "baseline_violations": [{"rule": v.rule, "actors": list(v.actors),
                                     "where": str(v.where) if v.where else None, "message": v.message}
                                    for v in self.base_violations],
            "status": self.other_status,
            "status_text": self.other_status_text,
            "applied": list(self.applied),
            "notes": list(self.notes),
            "totals": {
                "actors_moved": len(self.moved),
                "later": len(self.of("later")),
                "earlier": len(self.of("earlier")),
                "newly_unscheduled": len(self.newly_unscheduled),
                "newly_scheduled": len(self.of("scheduled")),
                "population_months": self.population_months,
                "population_out": self.population_out,
                "population_in": self.population_in,
                "population_months_is_estimate": self.population_months_is_estimate,
                "population_out_is_estimate": self.population_out_is_estimate,
                "population_in_is_estimate": self.population_in_is_estimate,
                # left out of the baseline against its own data's rules, scheduled now: the baseline's repair, in
                # neither `newly_scheduled` nor `population_in` (no gain of the changes)
                "repaired": len(self.repaired),
                "population_repaired": self.population_repaired,
                "population_repaired_is_estimate": self.population_repaired_is_estimate,
                "cost_of_delay_mnok": self.cost_of_delay,
                "saving_mnok": self.saving,
                "cost_is_estimate": self.cost_is_estimate,
                "cost_of_delay_is_estimate": self.cost_of_delay_is_estimate,
                "saving_is_estimate": self.saving_is_estimate,
                "open_ended_cost": [m.id for m in self.open_ended_costs],
                # moved later or newly out with no cost in the data: in no cost total (0 is not "free")
                "no_cost_given": [m.id for m in self.uncosted],
            },
            "moves": [m.to_json() for m in self.moves],
            "allowed_earlier": [a.to_json() for a in self.allowed_earlier],
            "landings_not_examined": self.landings_not_examined,
            "peak_load": [
                {"pool": p.pool,
                 "before": _peak_json(p.before),
                 "after": _peak_json(p.after)}
                for p in self.peaks
            ],
        }


def _peak_json(peak: PeakLoad | None) -> dict | None:
    """A pool's peak in one plan, the load (`used`) and the limit each with whether it rests on an estimate
    (`used_is_estimate`: summed from estimated load profiles); `fullest`: the month it is fullest when that
    is another (as the peak, else null)."""
    if peak is None:
        return None
    return {"month": peak.month, "used": peak.used, "used_is_estimate": peak.used_estimate, "limit": peak.limit,
            "limit_is_estimate": peak.limit_estimate, "fullest": _peak_json(peak.fullest)}


# --------------------------------------------------------------------------------------------------


def compare(base: Solution, base_problem: Problem, other: Solution, other_problem: Problem,
            freeze_until: dt.date | None = None) -> Comparison:
    """Who moved between the baseline plan and the other plan, why, and what it costs. `freeze_until`:
    the other plan was re-planned with the baseline's go-lives before that date frozen (nothing new
    goes live there), which can keep an organisation out of a window nothing else bars. When the other
    plan was re-planned against the baseline (its `SolveStats.least_change`, also read back from a saved
    plan), its status holds among the plans that change the baseline least (`Comparison.other_status_text`).
    A wrong argument is a TypeError here (the arguments swapped, a date as text); a baseline with no plan
    (infeasible, or none found in time) a ValueError: there is nothing to compare the other plan with, and
    "nothing moved" would be a wrong answer. The other plan may have none (`Comparison.found`). With no
    `freeze_until` given, the one the other plan's re-plan kept (`SolveStats.freeze_until`: the data's
    `waves.freeze_until` or the Baseline's), as `hpplan compare` says it."""
    _check_arguments(base, base_problem, other, other_problem, freeze_until)
    if freeze_until is None:
        freeze_until = other.stats.freeze_until
    if not base.found:
        raise ValueError(f"compare: the baseline has no plan (status {base.status.value}), so there is nothing to "
                         "compare with; compare against a plan that was found (status optimal or feasible)")
    result = Comparison(base.status.value, other.status.value, list(other_problem.applied),
                        least_change=other.stats.least_change,
                        applied_shown=[marked_applied(a) for a in other_problem.applied],
                        base_text=status_text(base) if plan_source(base) is not None else "")
    # what the baseline breaks of its own data (its go-lives; an organisation its data lacks is no rule broken: the
    # command notes a scenario it was made with apart): checked once, and the causes of moves earlier read it too
    base_trials = PlanTrials(base_problem, base.plan)
    result.base_violations = [v for v in broken_rules(base_trials.violations([])) if v.rule != "unknown_actor"]
    before = _peaks(base_problem, base)
    after = _peaks(other_problem, other)
    pools = list(dict.fromkeys([p.pool for p in before] + [p.pool for p in after]))
    result.peaks = [PeakChange(pool, next((p for p in before if p.pool == pool), None),
                               next((p for p in after if p.pool == pool), None)) for pool in pools]
    if not other.found:
        return result
    explainer = _Explainer(base, base_problem, other, other_problem, freeze_until, result.least_change,
                           result.base_violations)
    explainer._trials[id(base)] = base_trials
    moves = explainer.changes()
    explainer.moved = {m.id: m for m in moves}
    moves = [explainer.explain(m) for m in moves]
    result.landings_not_examined = explainer.landings_not_examined
    roots = _roots(moves)
    result.moves = [Move(**{**m.__dict__, "roots": roots[m.id]}) for m in moves]
    if result.least_change:
        moved = {m.id for m in result.moves}
        result.allowed_earlier = [replace(a, moved=a.id in moved)
                                  for a in _allowed_earlier(base_problem, other_problem, other)]
    return result


def _allowed_earlier(base_problem: Problem, other_problem: Problem, other: Solution) -> list[AllowedEarlier]:
    """The organisations of the new plan whose own data in the changed data allows a window before the one the
    plan has them in, and before the first their own data allowed in the base data (`AllowedEarlier`): what a
    re-plan that keeps the baseline where it can leaves unused. Their own data only: a window per organisation
    and side, no solve."""
    slots = {id(side): window_calendar(side)[1] for side in (base_problem, other_problem)}

    def first(problem: Problem, ident: str):
        org = problem.org.get(ident)
        if org is None or not org.is_plannable:
            return None
        return min(allowed_slots(problem, org, slots[id(problem)]), key=lambda s: s.date, default=None)

    found = []
    for a in other.plan:
        if a.go_live is None or a.window is None or a.pinned:
            continue
        if a.id not in base_problem.org:  # the baseline's data lacks it (added, or a scenario the baseline lacks)
            continue
        now = first(other_problem, a.id)
        if now is None or now.date >= a.go_live:
            continue
        then = first(base_problem, a.id)
        if then is None or then.date > now.date:  # not the base data's own: the change opened it
            found.append(AllowedEarlier(a.id, a.window, now.id, then.id if then is not None else None))
    return found


def _check_arguments(base, base_problem, other, other_problem, freeze_until) -> None:
    """compare(base, base_problem, other, other_problem, freeze_until): each argument of its type, or a
    TypeError that names it, as `solve` and `verify` say theirs, not an AttributeError deep inside."""
    plan, data = "a Solution (hpplan.solve(...) or hpplan.read_plan(file))", "a Problem (hpplan.load_problem(folder))"
    for name, value, kind, what in (("base", base, Solution, plan), ("base_problem", base_problem, Problem, data),
                                    ("other", other, Solution, plan), ("other_problem", other_problem, Problem, data)):
        if not isinstance(value, kind):
            raise TypeError(f"compare(base, base_problem, other, other_problem) takes {name} as {what}, "
                            f"got {type(value).__name__}")
    if freeze_until is not None and (not isinstance(freeze_until, dt.date) or isinstance(freeze_until, dt.datetime)):
        raise TypeError("compare's freeze_until is a datetime.date (datetime.date(2025, 1, 1)) or None, "
                        f"got {type(freeze_until).__name__} {freeze_until!r}")


def _peaks(problem: Problem, plan: Solution) -> list[PeakLoad]:
    """Each pool's peak load, from the plan's go-lives against `problem` (not from the load a saved plan
    states: it may be stale, or of other data). Organisations the data lacks put no load on it."""
    if not plan.plan:
        return []
    entries = [a for a in plan.plan if a.id in problem.org]
    return peak_loads(problem, Solution(status=plan.status, plan=entries, load=load_report(problem, entries)))


_ORDER = {"later": 0, "unscheduled": 1, "earlier": 2, "scheduled": 3, "removed": 4, "added": 5, "repaired": 6,
          "not_in_baseline": 7}


def _after_main(main: str, text: str) -> str:
    """A cause said after the main cause without the rule clause both start with: a together partner's other date
    after its first (`together rule hnt-together: goes live with helse-nord-trondelag, whose earliest ...`) as
    `helse-nord-trondelag's status signed -> opted_out; ...`, not the rule clause again."""
    head = re.match(r"(.*goes live with (\S+), whose )", main)
    if head is not None and text.startswith(head.group(1)):
        return f"{head.group(2)}'s {text[len(head.group(1)):]}"
    return text


class _Explainer:
    def __init__(self, base: Solution, base_problem: Problem, other: Solution, other_problem: Problem,
                 freeze_until: dt.date | None = None, least_change: bool = False,
                 base_violations: list[Violation] = ()):
        self.base, self.base_problem = base, base_problem
        #: organisation -> the base data's finding that it must go live, where the baseline leaves it out
        self.left_out = {v.actors[0]: v for v in base_violations if v.rule == "mandatory" and len(v.actors) == 1}
        self.freeze_until = freeze_until
        self.least_change = least_change  # the other plan was re-planned against the baseline (`Comparison`)
        self.other, self.other_problem = other, other_problem
        self.base_at = {a.id: a for a in base.plan}
        self.other_at = {a.id: a for a in other.plan}
        self.moved: dict[str, Move] = {}
        #: the date the baseline plan gives each window it plans (not history's dates): a saved plan of
        #: data whose window has since moved has the old one
        self.base_days = {a.window: a.go_live for a in base.plan if a.window and a.go_live and not a.pinned}
        self._trials: dict[int, PlanTrials] = {}  # id(plan) -> its trials (the plan is checked once)
        self._sums: dict[int, dict] = {}  # id(plan) -> its `load_sums`
        self._estimated_by: dict[int, dict] = {}  # id(plan) -> (pool, month) -> who loads it by an estimate
        self._summaries: dict[tuple, Cause] = {}  # (move, held, pool, window) -> its capacity cause over all months
        self._at: dict[tuple, list[Violation]] = {}  # (group, window) -> `_violations_at`
        self._load_memo: dict[tuple, dict[str, float]] = {}  # `_plan_loads`
        self.landings = 0  # moves later whose windows between were examined (`skipped`)
        self.landings_not_examined = 0  # ... and those past LANDINGS_EXAMINED, which were not
        self._estimate_memo: dict[tuple, set[tuple[str, str]]] = {}  # `_estimated_of`

    # ---- what changed -------------------------------------------------------------------------------

    def changes(self) -> list[Move]:
        ids = list(dict.fromkeys([a.id for a in self.other.plan] + [a.id for a in self.base.plan]))
        moves = []
        for ident in ids:
            b, o = self.base_at.get(ident), self.other_at.get(ident)
            if b is None:
                # a saved baseline (a YAML plan edited by hand) may leave out an organisation its data has
                change = "not_in_baseline" if ident in self.base_problem.org else "added"
            elif o is None:
                change = "removed"
            elif b.go_live == o.go_live or (b.pinned != o.pinned and b.window is not None and b.window == o.window):
                continue  # the same date; or history's date (live_since) and the same window planned
            elif o.go_live is None:
                change = "unscheduled"
            elif b.go_live is None:
                # left out against its own data's rules: the other plan repairs the baseline
                change = "repaired" if ident in self.left_out else "scheduled"
            else:
                change = "later" if o.go_live > b.go_live else "earlier"
            org = self.other_problem.org.get(ident) or self.base_problem.org.get(ident)
            entry = o or b
            cost = org.postponement_cost_per_month if org else None
            moves.append(Move(
                id=ident, name=entry.name, kind=entry.kind, change=change,
                before=b.go_live if b else None, after=o.go_live if o else None,
                window_before=b.window if b else None, window_after=o.window if o else None,
                population=Problem.population(org) if org else 0,
                cost_per_month=cost,
                cost_estimate=bool(cost) and org.is_estimate("postponement_cost_per_month"),
                population_estimate=estimated([org], "population"),
                before_estimate=b is not None and go_live_estimated(self.base_problem, b),
                after_estimate=o is not None and go_live_estimated(self.other_problem, o),
            ))
        moves = self._carried(moves)
        kinds = {kind.value: i for i, kind in enumerate(KIND_ORDER)}
        moves.sort(key=lambda m: (_ORDER[m.change], m.before or m.after or dt.date.max, kinds.get(m.kind, 99), m.id))
        return moves

    def _carried(self, moves: list[Move]) -> list[Move]:
        """A move with no cost of its own whose trust's cost covers its go-live (`Move.cost_carried_by`):
        the organisation it is `part_of` has a cost, moved the same way, and a together rule makes them
        one go-live. Its cost stays in no total: the trust's already counts the whole go-live."""
        by_id = {m.id: m for m in moves}
        result = []
        for m in moves:
            org = self.other_problem.org.get(m.id) or self.base_problem.org.get(m.id)
            trust = by_id.get(org.part_of) if org is not None and org.part_of else None
            if (m.cost_per_month is None and trust is not None and trust.cost_per_month is not None
                    and (trust.change, trust.before, trust.after) == (m.change, m.before, m.after)
                    and any(r.type == "together" and {m.id, trust.id} <= set(r.actors)
                            for p in (self.other_problem, self.base_problem) for r in p.waves.rules)):
                m = replace(m, cost_carried_by=trust.id)
            result.append(m)
        return result

    # ---- why ------------------------------------------------------------------------------------------

    def explain(self, move: Move) -> Move:
        if move.change == "removed":
            # the baseline's data lacks it too: a saved plan of data that had it (the data removed it, not a scenario)
            causes = [Cause("removed", f"removed from the data{self._by}") if move.id in self.base_problem.org else
                      Cause("gone", "not in the data: the baseline plan was made from data that had it")]
        elif move.change == "added":
            org = self.other_problem.org.get(move.id)
            where = org.at if org is not None and self._two_folders() else None
            causes = [Cause("added", f"added to the data{self._by}", where=str(where) if where else None)]
        elif move.change == "not_in_baseline":
            causes = [Cause("baseline", "the baseline plan lists no go-live for it, though its data has it")]
        elif move.change == "repaired":
            causes = [self._repair_cause(move)]
        elif self._live_in_other(move.id):
            org = self.other_problem.org[move.id]
            causes = [Cause("history", f"history in the changed data: live since {org.live_since}", "pinned")]
        elif move.change in ("later", "unscheduled"):
            causes = self.held_back(move) + self.frozen_out(move)
        else:
            # an earlier move may be pushed out of its old window as well as let into the new one
            pushed = [c for c in self.held_back(move) if c.kind != "objective"]
            freed = self.freed(move)
            causes = pushed + ([c for c in freed if c.kind != "objective"] if pushed else freed)
        forced = any(c.forced for c in causes)
        causes.sort(key=lambda c: _rank(c, forced))
        # a pool over in several months: all of them at once, before the first month's own cause
        causes = list(dict.fromkeys(s for c in causes for s in ((c.summary, c) if c.summary is not None else (c,))))
        if move.change == "later" and causes and self.landings >= LANDINGS_EXAMINED:
            self.landings_not_examined += 1  # (a comparison of that size: the verifier per window, per move)
        elif move.change == "later" and causes:
            # the main cause says why it leaves its baseline window; these, where it could have gone live
            # instead, after the others (never the main cause); the freeze's cause among them at its first window
            self.landings += 1
            skipped = self.skipped(move, causes)
            if any(c.kind == "freeze" for c in skipped):
                causes = causes[:1] + [c for c in causes[1:] if c.kind != "freeze"]
            causes += skipped
        unique = {(c.kind, c.text): c for c in reversed(causes)}  # the first of equal ones
        return Move(**{**move.__dict__, "causes": tuple(c for c in causes if unique[c.kind, c.text] is c)})

    def _repair_cause(self, move: Move) -> Cause:
        """Why one the baseline left out is in the plan now: the baseline broke its own data's rule (it must go
        live), which the plan keeps; no effect of the changes. Said without its name, as the verifier's message
        has it, so that those left out alike share a line."""
        v = self.left_out[move.id]
        org = self.base_problem.org.get(move.id)
        text = v.message.removeprefix(f"{org.name} ({org.id}) ") if org is not None else v.message
        text = text.removesuffix(" but is unscheduled")  # ('must go live (opted out, returns 2024-12-19*)')
        return Cause("baseline", f"the baseline left it out, though its data says it {text}; the plan schedules it: "
                                 "a repair of the baseline, not an effect of the changes", v.rule, (),
                     str(v.where) if v.where else None, v.message, estimate=v.estimate)

    def _live_in_other(self, ident: str) -> bool:
        org = self.other_problem.org.get(ident)
        return org is not None and org.status is OrgStatus.live

    @property
    def _by(self) -> str:
        """Who made a change of the compared data, as a cause ends: ' by the scenario', or nothing for two
        data folders (the data itself changed)."""
        return "" if self._two_folders() else " by the scenario"

    def _base_day(self, window: str) -> dt.date | None:
        """The window's date in the baseline: the baseline plan's (a saved plan may be of data whose window
        has since moved), else the base data's."""
        if window in self.base_days:
            return self.base_days[window]
        found = self.base_problem.window.get(window)
        return found.date if found is not None else None

    def _window_moved(self, window: str | None) -> tuple[dt.date, dt.date] | None:
        """(base date, new date) when the changed data gives a window another date than the baseline had."""
        if window is None or window not in self.other_problem.window:
            return None
        before, after = self._base_day(window), self.other_problem.window[window].date
        return (before, after) if before is not None and before != after else None

    def group(self, move: Move, problem: Problem) -> list[Move]:
        """The organisation and the members of its `together` rules that moved the same way: they go
        live as one, so they are put back (or forward) as one. A member the baseline plan leaves out
        (`not_in_baseline`, a saved plan that lists only part of the group) that goes live with it in the
        new plan is put with it too: it did not move, and checked where the new plan has it, it would be
        named as the knock-on that holds its own group back."""
        members = [move]
        for rule in problem.waves.rules:
            if rule.type != "together" or move.id not in rule.actors:
                continue
            for ident in rule.actors:
                other = self.moved.get(ident)
                if other is None or other in members:
                    continue
                if (other.window_before, other.window_after) == (move.window_before, move.window_after) or (
                        other.change == "not_in_baseline" and other.window_after == move.window_after):
                    members.append(other)
        return members

    def held_back(self, move: Move) -> list[Cause]:
        """Why it cannot stay where the baseline had it: put it (with its together group) back, everyone
        else where the new plan has them, and check that against the changed data."""
        problem, plan = self.other_problem, self.other
        window = move.window_before
        causes = []
        if window is not None and window not in problem.window:
            removed = self.other_problem.removed_windows.get(window)
            if removed is not None or not self._two_folders():
                return [Cause("window", f"its window {window} is not in the changed data (removed by the scenario)",
                              where=str(removed) if removed is not None else None)]
            # two data folders: removed, or renamed (a new id for a new date); a new window it goes live in
            # is said with its line
            text = f"its window {window} is not in the data (removed or renamed in the data)"
            new = move.window_after if move.window_after not in (None, *self.base_problem.window) else None
            if new is not None:
                text += f"; its window {new} is new in the data"
            return [Cause("window", text, where=self._window_at(new) if new else None)]
        shifted = self._window_moved(window)
        if shifted is not None:
            moved = self._window_moved_cause(window, shifted)
            if move.window_after == window:
                return [moved]
            causes.append(moved)
        if window is not None and problem.window[window].date < problem.planning_date:
            causes.append(self._history_cause(window, problem, "the changed data"))
        day = problem.window[window].date if window is not None else move.before
        group = self.group(move, problem)
        trials = [self._trial(m, day, window, problem) for m in group]
        history = any(c.rule == "window" for c in causes)
        violations = self._new_violations(problem, plan, trials)
        closed = None
        if shifted is not None:  # moved into a blackout: that is what closes it, said in the main cause
            closed = next((b for v in violations if v.rule == "blackout" and v.actors == (move.id,)
                           and v.where is not None for b in problem.waves.blackouts if b.at == v.where), None)
            if closed is not None:
                causes[causes.index(moved)] = replace(
                    moved, text=f"{moved.text}, inside the blackout {closed.from_} to {closed.to}: {closed.reason}")
        members = {m.id for m in group}
        for violation in violations:
            cause = self._cause(violation, move, group, problem, plan, held=True)
            if closed is not None and violation.rule == "blackout" and violation.where == closed.at \
                    and set(violation.actors) <= members:
                cause = replace(cause, told=True)  # that blackout (its own, or a partner's): the main cause says it
            if not (history and cause.rule == "window" and cause.kind == "data"):
                causes.append(cause)
        if not any(c.kind != "window" for c in causes):
            org = problem.org.get(move.id)
            hint = ""
            if org is not None and org.preferred_window and org.preferred_window == move.window_after:
                hint = f"; {move.window_after} is its preferred window"
            where = f"{window}" if window else "unscheduled"
            who = "it" if len(group) == 1 else "it (with its together group)"
            causes.append(Cause(
                "objective",
                f"not forced: {who} could stay in {where} with everyone else where the new plan has them; "
                f"the objective preferred {move.window_after or 'leaving it out'}{hint}"))
        return causes

    def frozen_out(self, move: Move) -> list[Cause]:
        """With a frozen horizon: the frozen windows between its baseline window and its new one that
        would take it (with its together group), everyone else where the new plan has them, were they
        not frozen (a postponement to September moved to February past a frozen September and
        November, all put on the postponement). A frozen window that would not take it anyway is
        `skipped`'s to say."""
        problem, plan, freeze = self.other_problem, self.other, self.freeze_until
        if freeze is None or move.window_after is None:
            return []
        after = problem.window[move.window_after].date
        group = self.group(move, problem)
        free = [w.id for w in problem.future_windows
                if (move.before is None or move.before < w.date) and w.date < min(after, freeze)
                and w.id != move.window_before and not self._violations_at(group, w, problem, plan)]
        if not free:
            return []
        which = f"window{'s' if len(free) > 1 else ''} {', '.join(free)}"
        return [Cause("freeze", f"{which} would take it, but the horizon before {freeze} is frozen ({self._freeze_origin()}): "
                                "the baseline's go-lives stay there and no new ones go live", "freeze",
                      where=self._freeze_where())]

    def _freeze_where(self) -> str | None:
        """waves.yaml's `freeze_until` line where the data gives the freeze, else None (the option gave it)."""
        waves = self.other_problem.waves
        if waves.freeze_until is None or waves.freeze_until != self.freeze_until:
            return None
        at = waves.field_at("freeze_until")
        return str(at) if at is not None else str(self.other_problem.waves_file)

    def _freeze_origin(self) -> str:
        where = self._freeze_where()
        return f"freeze_until, {where}" if where is not None else "--freeze-until"

    #: own-data restrictions that give it a new earliest date: said by its main cause
    OWN_DATES = ("earliest", "returns", "not_plannable")

    def skipped(self, move: Move, causes: list[Cause]) -> list[Cause]:
        """A move later, whatever its main cause (which says why it leaves its baseline window): what keeps it
        (with its together group) out of each window between its baseline date and its new window, everyone
        else where the new plan has them. The windows the main cause also bars are its own: before its (or a
        together partner's) new date, or barred by the rule that is the main cause (an `order` rule's gap, with
        one that moved or not). The first window after those is said as `the first window after that, W, ...`
        (after a new date; `the first window the order rule allows` after a rule's; else `the next window`, or
        `the first window its data allows` when its data barred the ones before), each one after it as itself.
        Windows its track (or a partner's) bars are said together, at the first of them (`windows 2025-09,
        2026-02 are not on its track KI3, ...`). A frozen window (`freeze_until`) that would take it is the
        freeze's (`frozen_out`: that cause is put here, at its first window); one that would not take it anyway
        says why, as any other. A window open to it ends the list, the objective's choice (`window 2025-02 would
        take it with everyone else where the new plan has them: the objective preferred 2025-09`, `among the
        plans that change the baseline least` for a re-plan against the baseline). Nothing for a move whose
        main cause says it is not forced (or only frozen out), nor for one kept in its window (the window
        moved). `causes`: the move's causes, sorted (`_rank`), the main one first."""
        problem, plan = self.other_problem, self.other
        if (move.window_after is None or move.window_after not in problem.window or move.before is None
                or move.window_after == move.window_before):
            return []
        main = causes[0]
        if main.kind in ("objective", "freeze"):
            return []  # not forced: its main cause says where it could stay
        own = any(c.rule in self.OWN_DATES and not c.actors for c in causes)
        # the main cause is a rule (with one that moved, or not; a scenario's): the windows it bars are its own
        by_rule = main.rule in RELATIONS and main.rule != "together"
        if own or (main.kind == "knock-on" and main.rule == "together"):  # after its own (or its partner's) new date
            phrase = "the first window after that"
        elif by_rule:
            phrase = f"the first window the {main.rule} rule allows"
        else:
            phrase = "the next window"
        frozen = next((c for c in causes if c.kind == "freeze"), None)
        group = self.group(move, problem)
        after = problem.window[move.window_after].date
        found: list[Cause] = []
        barred = False  # a window the main cause (or its data) bars came before the first said
        off_track: list[tuple[str, Violation]] = []  # (window, its track violation): said at the first
        at_track = None  # where in `found` they are said

        def said(w, text: str) -> str:
            """`text` (what keeps it out of `w`) with the window named: the first one said by the phrase."""
            nonlocal phrase
            head = f"window {w.id} "
            if found:
                return text if text.startswith(head) else f"{head}would not take it: {text}"
            if barred and phrase == "the next window":  # its own data barred the ones before
                phrase = "the first window its data allows"
            return (f"{phrase}, {w.id}, {text.removeprefix(head)}" if text.startswith(head)
                    else f"{phrase}, {w.id}, would not take it: {text}")

        # a date of its own (or a together partner's) other than the main cause's that keeps it out of a window after
        # the main cause's date (an exclude's return date after a postponement's earliest): said, the windows it
        # bars at once (text -> (its place in `found`, its windows, the text for the first window alone))
        other_dates: dict[str, tuple[int, list[str], str]] = {}
        dated_main = (main.rule in self.OWN_DATES and not main.actors) or (main.kind == "knock-on"
                                                                           and main.rule == "together")
        for w in problem.future_windows:
            if not move.before < w.date < after or w.id == move.window_before:
                continue
            violations = self._violations_at(group, w, problem, plan)
            dates = [v for v in violations if v.rule in OWN_FIELDS and v.rule not in ("blackout", "window", "track")]
            if dates and dated_main and not any(self._main_date(main, v, move) for v in dates):
                there = replace(move, window_before=w.id, before=w.date)
                first = min(dates, key=lambda v: tuple(v.actors) not in ((), (move.id,)))  # its own first
                cause = replace(self._cause(first, there, group, problem, plan, held=True), summary=None, forced=False)
                if cause.text in other_dates:
                    other_dates[cause.text][1].append(w.id)
                else:
                    other_dates[cause.text] = (len(found), [w.id], said(w, _after_main(main.text, cause.text)))
                    found.append(replace(cause, skipped=w.id))
                continue
            if dates or (
                    by_rule and any(v.rule == main.rule and (str(v.where) if v.where else None) == main.where
                                    for v in violations)):
                barred = barred or not found  # before the first said: its phrase says so
                continue  # barred by the main cause: its own (or a partner's) new date, or its rule
            track = next((v for v in violations if v.rule == "track"), None)
            if track is not None:  # off its track (or a partner's): said at the first such window, all at once
                if at_track is None:
                    at_track = len(found)
                    found.append(None)  # its place
                off_track.append((w.id, track))
                continue
            if not violations:
                if self.freeze_until and w.date < self.freeze_until:  # frozen: the freeze's cause says it
                    if frozen is not None and frozen not in found:
                        found.append(replace(frozen, skipped=w.id))
                    continue
                among = f" {LEAST_CHANGE}" if self.least_change else ""
                found.append(Cause("objective", said(w, f"window {w.id} would take it with everyone else where the "
                                                        f"new plan has them: the objective preferred "
                                                        f"{move.window_after}{among}"), skipped=w.id))
                break  # open to it: from here on the objective's choice
            # the organisation's own data first (a blackout it is in), then a partner's, then the others'
            first = min(violations, key=lambda v: (v.rule not in OWN_FIELDS, tuple(v.actors) != (move.id,)))
            there = replace(move, window_before=w.id, before=w.date)
            cause = self._cause(first, there, group, problem, plan, held=True)
            if cause.summary is not None:  # a pool over in several months: the worst month's (the first understates)
                worst = next((v for v in violations if v.message == cause.summary.detail), first)
                cause = self._cause(worst, there, group, problem, plan, held=True)
            cause = replace(cause, summary=None, forced=False)
            # said of that window, not of one it goes back to
            text = cause.text.replace(" back there", " there").replace("its baseline window ", "window ")
            found.append(replace(cause, text=said(w, text), skipped=w.id))
        if at_track is not None:
            found[at_track] = self._off_track(move, off_track, problem)
        for text, (at, windows, alone) in other_dates.items():
            head, more = windows[0], windows[1:]
            if more and alone.startswith(f"window {head} would not take it"):
                alone = f"windows {', '.join(windows)} would not" + alone.removeprefix(f"window {head} would not")
            elif more:  # the first said: `the first window after that, W, and window V would not take it: ...`
                which = f"window {more[0]}" if len(more) == 1 else f"windows {', '.join(more)}"
                alone = alone.replace(f", {head}, would not take it", f", {head}, and {which} would not take it", 1)
            found[at] = replace(found[at], text=alone)
        return found

    def _main_date(self, main: Cause, v: Violation, move: Move) -> bool:
        """Whether the date of its own (or of a together partner's) that keeps it out of a window (`v`) is the one
        the main cause says: the same field of the same organisation (an earliest date is not the return date an
        exclude set beside it). The main cause a together partner's (`knock-on`): that partner's, said as it."""
        subject = v.actors[0] if v.actors else move.id
        if main.rule in self.OWN_DATES and not main.actors:  # its own new date
            return subject == move.id and OWN_FIELDS.get(v.rule) == OWN_FIELDS.get(main.rule)
        if subject not in main.actors:
            return False
        fields = OWN_FIELDS.get(v.rule)
        names = (fields,) if isinstance(fields, str) else fields or ()
        before, after = self.base_problem.org.get(subject), self.other_problem.org.get(subject)
        if before is None or after is None or not any(getattr(before, n) != getattr(after, n) for n in names):
            return True  # not a change of the partner's (its data as it was): as before, the main cause's
        return f", whose {self._own_cause(v, subject, move.change, None).text}" in main.text

    def _off_track(self, move: Move, windows: list[tuple[str, Violation]], problem: Problem) -> Cause:
        """The windows its track (or a together partner's) bars, as one cause: `windows 2025-09, 2026-02 are not
        on its track KI3, which goes live only in windows 2025-04, 2026-04`, at its `track:` line."""
        ids = [w for w, _ in windows]
        v = windows[0][1]
        subject = v.actors[0] if v.actors else move.id
        org = problem.org.get(subject)
        track = next((t for t in problem.waves.tracks if org is not None and t.id == org.track), None)
        if track is None:  # not expected: the verifier found it off a track the data has
            return Cause("data", v.message, "track", (), str(v.where) if v.where else None, v.message, skipped=ids[0])
        whose = "its track" if subject == move.id else f"{subject}'s track"
        which = f"window {ids[0]} is" if len(ids) == 1 else f"windows {', '.join(ids)} are"
        return Cause("data", f"{which} not on {whose} {track.id}, which goes live only in windows "
                             f"{', '.join(track.windows or ()) or '(none)'}",
                     "track", () if subject == move.id else (subject,), str(v.where) if v.where else None, v.message,
                     skipped=ids[0])

    def _violations_at(self, group: list[Move], window, problem: Problem, plan: Solution) -> list[Violation]:
        """The new violations of the new plan with the group put in `window` (`_new_violations`), once per
        group and window: its members ask alike."""
        key = (tuple(sorted(m.id for m in group)), window.id)
        if key not in self._at:
            self._at[key] = self._new_violations(problem, plan, [self._trial(m, window.date, window.id, problem)
                                                                 for m in group])
        return self._at[key]

    def freed(self, move: Move) -> list[Cause]:
        """Why it did not go live this early in the baseline: put it (with its together group) at its new
        window in the baseline plan and check that against the base data."""
        problem, plan = self.base_problem, self.base
        window = move.window_after
        if window is not None and window not in problem.window:
            return [Cause("window", f"its new window {window} is not in the base data "
                                    f"({'added in the data' if self._two_folders() else 'added by the scenario'})",
                          where=self._window_at(window))]
        shifted = self._window_moved(window)
        if shifted is not None and move.window_before == window:
            return [self._window_moved_cause(window, shifted)]
        causes = []
        if window is not None and problem.window[window].date < problem.planning_date:
            causes.append(self._history_cause(window, problem, "the baseline"))
        group = self.group(move, problem)
        members = {m.id for m in group}
        trials = [self._trial(m, move.after, window, problem) for m in group]
        violations = self._new_violations(problem, plan, trials)
        # a one-way rule the wrong way round (its GP office, later in the baseline, follows it: no cause of it)
        followed = [v for v in violations if self._one_way_reversed(v, members)]
        causes += [c for c in (self._cause(v, move, group, problem, plan, held=False)
                               for v in violations if v not in followed)
                   if not (causes and c.rule == "window" and c.kind == "data")]
        if not causes and followed:
            v = followed[0]
            who = ", ".join(dict.fromkeys(self._one_way_sides(x)[0] for x in followed))  # each rule's earlier side
            return [Cause("objective", f"not forced: in the baseline only {self._rule_label(problem, v)} with {who} "
                                       f"kept it from {window or 'its new window'}, and {who} moved earlier with it "
                                       f"(the rule lets them follow it; it never pulls it earlier)", v.rule)]
        if not causes:
            # planned afresh, the objective's choice; re-planned against the baseline, the re-plan's (among the plans
            # that change it least, or, cut short, as far as it got: never "re-plan to avoid it", as it was one)
            chose = (f"the re-plan made the move {LEAST_CHANGE}" if self.least_change and self.other.status is Status.optimal
                     else "the re-plan made the move (its least change not proven: it was cut short)"
                     if self.least_change else
                     "the objective preferred the move (re-plan against the baseline to avoid such moves)")
            causes.append(Cause(
                "objective", f"not forced: {window or 'its new window'} was open to it in the baseline too; {chose}"))
        return causes

    def _window_moved_cause(self, window: str, shifted: tuple[dt.date, dt.date]) -> Cause:
        base = self.base_problem.window.get(window)
        after = self.other_problem.window[window].field_at("date")
        if base is None or base.date != shifted[0]:  # the baseline plan's date, not its data's
            sources = f"baseline plan -> {self._sources(None, after).split(' -> ')[-1]}"
        else:
            sources = self._sources(base.field_at("date"), after)
        return Cause("window", f"its window {window} moved from {shifted[0]} to {shifted[1]} ({sources})",
                     where=self._window_at(window))

    def _window_at(self, window: str) -> str | None:
        """file:line where the changed data writes the date of a window it moved or added (the scenario's
        change, or the data's own line: `Located.field_at`), else None."""
        found = self.other_problem.window.get(window)
        at = found.field_at("date") if found is not None else None
        return str(at) if at is not None else None

    def _history_cause(self, window: str, problem: Problem, side: str) -> Cause:
        """The window lies before that side's planning date: history there, closed to planning."""
        before, after = self.base_problem.planning_date, self.other_problem.planning_date
        text = f"window {window} is history in {side} (before its planning date {problem.planning_date})"
        if before != after:
            return Cause("scenario", f"{text}; planning date {before} -> {after} (scenario)", "window")
        return Cause("data", text, "window")

    @staticmethod
    def _trial(move: Move, day: dt.date | None, window: str | None, problem: Problem) -> Assignment:
        org = problem.org.get(move.id)
        sector = org.effective_sector.value if org else ""
        return Assignment(move.id, move.name, move.kind, sector, day, window, False)

    def _new_violations(self, problem: Problem, plan: Solution, trials: list[Assignment]) -> list[Violation]:
        """The violations of `plan` with `trials` put in, less those the plan has anyway."""
        return self._trials_of(problem, plan).new_violations(trials)

    def _trials_of(self, problem: Problem, plan: Solution) -> PlanTrials:
        key = id(plan)
        if key not in self._trials:
            self._trials[key] = PlanTrials(problem, plan.plan)
        return self._trials[key]

    def _trial_violations(self, problem: Problem, plan: Solution, members: set[str], trials: list[Assignment],
                          keep_missing: bool = False) -> list[Violation]:
        """Every violation of `plan` with its `members` taken out and `trials` put in (`verify`), checked only
        where that differs from the plan (`PlanTrials`). A member the plan lacks is added as a full check
        adds it, unless `keep_missing` (the trial then puts in only those the plan has)."""
        trials_of = self._trials_of(problem, plan)
        at = {a.id for a in plan.plan}
        if keep_missing or all(m in at for m in members):
            return trials_of.violations([t for t in trials if t.id in at])
        return _check(problem, [a for a in plan.plan if a.id not in members] + trials)

    def _trial_report(self, problem: Problem, plan: Solution, members: set[str], trials: list[Assignment],
                      pools: set[str]) -> list:
        """`load_report` of the pools `pools` for `plan` with its `members` taken out and `trials` put in,
        from the plan's load sums (once per plan) and the members' loads."""
        key = id(plan)
        if key not in self._sums:
            self._sums[key] = load_sums(problem, plan.plan)
        used = dict(self._sums[key])
        taken = [a for a in plan.plan if a.id in members]
        for entry, sign in [(a, -1) for a in taken] + [(t, 1) for t in trials]:
            for pool_id, m, load in entry_loads(problem, entry):
                if (pool_id, m) in used:
                    used[pool_id, m] += sign * load
        return load_points(problem, used, pools)

    def _trial_estimated(self, problem: Problem, plan: Solution, members: set[str],
                         trials: list[Assignment]) -> set[tuple[str, str]]:
        """`_estimated_loads` of `plan` with its `members` taken out and `trials` put in, from each entry's
        estimated (pool, month)s (once per plan)."""
        key = id(plan)
        if key not in self._estimated_by:
            index: dict[tuple[str, str], set[str]] = {}
            for a in plan.plan:
                for mark in _estimated_loads(problem, [a]):
                    index.setdefault(mark, set()).add(a.id)
            self._estimated_by[key] = index
        kept = {mark for mark, ids in self._estimated_by[key].items() if not ids <= members}
        return kept | _estimated_loads(problem, trials)

    def _cause(self, v: Violation, move: Move, group: list[Move], problem: Problem, plan: Solution,
               held: bool) -> Cause:
        cause = self._found_cause(v, move, group, problem, plan, held)
        if cause.kind in ("data", "rule", "limit") and self._from_a_scenario(v):
            # a blackout, rule or limit the scenario added or changed (it is written in the scenario file);
            # found in the base data (`held` false), the baseline's scenario (--baseline-scenario) wrote it
            which = "scenario" if held else "baseline scenario"
            cause = replace(cause, kind="scenario", text=f"{cause.text} ({which}, {cause.where})")
        elif cause.kind in ("data", "rule", "limit") and self._two_folders():
            change = self._data_change(v, held)
            if change is not None:
                cause = replace(cause, kind="data-change", text=f"{cause.text}{change}")
        # the own data of the organisation or of a together partner put with it: it forces, wherever the others are
        return replace(cause, forced=True) if v.rule in OWN_FIELDS else cause

    def _data_change(self, v: Violation, held: bool) -> str | None:
        """Two data folders: how the blackout, rule or limit the violation breaks differs between them, as
        a cause ends (`; max_actors 14 -> 11 (baseline data -> data, waves.yaml:316)`, a rule's `; actors [a, b]
        -> [b, a] (...)`, a blackout's `; from 2024-06-15 to 2024-08-15 -> from 2024-06-15 to 2024-09-20 (...)`,
        `(new in the data, waves.yaml:142)`); None when the other folder has it alike. Found in the changed data
        (`held`), its counterpart is the base data's; else the reverse (a rule the data since dropped)."""
        if v.where is None:
            return None
        now, then = (self.other_problem, self.base_problem) if held else (self.base_problem, self.other_problem)
        name = v.rule.removeprefix("limit.")
        if v.rule.startswith("limit."):
            found = next((x for x in now.waves.limits if x.field_at(name) == v.where), None)
            twins = [x for x in then.waves.limits if (x.windows, x.kinds) == (found.windows, found.kinds)] if found else []
        elif v.rule == "blackout":
            # the same blackout with other dates is one whose dates changed, not a new one: the same reason, for
            # the same kinds and organisations (of several alike, the one with the nearest dates)
            found = next((b for b in now.waves.blackouts if b.at == v.where), None)
            twins = sorted((b for b in then.waves.blackouts if found is not None
                            and (b.reason, b.kinds, b.actors) == (found.reason, found.kinds, found.actors)),
                           key=lambda b: (abs((b.from_ - found.from_).days) + abs((b.to - found.to).days), b.from_))
        else:
            # a rule with an id is that id's; one without, a rule of its type with the same organisations
            found = next((r for r in now.waves.rules if r.at == v.where), None)
            twins = [r for r in then.waves.rules if found is not None and r.type == found.type and (
                     r.id == found.id if found.id else not r.id and set(r.named_ids()) == set(found.named_ids()))]
        if found is None:
            return None
        if any(t.model_dump() == found.model_dump() for t in twins):
            return None
        # one the other folder still has as it was is not this one before its change (a summer blackout added
        # for 2027 is new, not the 2026 one moved)
        kept = [x.model_dump() for x in (*now.waves.limits, *now.waves.blackouts, *now.waves.rules)]
        twins = [t for t in twins if t.model_dump() not in kept]
        if not twins:
            return f" ({'new in the data' if held else 'removed in the data'}, {v.where})"
        old, new = (twins[0], found) if held else (found, twins[0])
        if v.rule.startswith("limit."):
            changed = [name] if getattr(old, name) != getattr(new, name) else []
        else:  # what the rule or blackout does: not its wording (reason, note, source)
            changed = [f for f in type(found).model_fields if f not in ("id", "reason", "note", "source")
                       and getattr(old, f) != getattr(new, f)]
        if v.rule == "blackout" and changed:
            values = f"; from {old.from_} to {old.to} -> from {new.from_} to {new.to}"
        else:
            values = "".join(f"; {type(found).written_name(f)} {_shown(getattr(old, f))} -> {_shown(getattr(new, f))}"
                             for f in changed)
        return f"{values} (baseline data -> data, {v.where})"

    def _from_a_scenario(self, v: Violation) -> bool:
        """Whether what the violation breaks is written in a scenario file, not in the data files."""
        return self._in_a_scenario(v.where)

    def _in_a_scenario(self, where: Location | None) -> bool:
        """Whether `where` is in a scenario file, not in the data files."""
        data_files = self._data_files()
        return where is not None and bool(data_files) and where.file not in data_files

    def _in_the_data(self, where: Location | None) -> bool:
        """Whether `where` is in a data file (not in a scenario file; not unknown: data built in Python)."""
        return where is not None and where.file in self._data_files()

    def _two_folders(self) -> bool:
        """Whether the baseline's data and the changed data are two data folders (not one folder, with
        scenarios on top or a saved plan of it): then a change between them is the data's own."""
        files = [tuple(os.path.realpath(f) for f in (p.org_file, p.waves_file) if f)
                 for p in (self.base_problem, self.other_problem)]
        return all(files) and files[0] != files[1]

    def _data_files(self) -> set[str]:
        return {str(f) for p in (self.base_problem, self.other_problem) for f in (p.org_file, p.waves_file) if f}

    def _sources(self, before: Location | None, after: Location | None) -> str:
        """Where the baseline's value and the new value of a change come from (`before`, `after`: where
        each side's data writes it), as a cause says it: `scenario` when a scenario of the changed data
        wrote the new value over the data's own (the usual what-if); else each side's, in the order of
        the change's arrow: `baseline scenario -> data` (a `--baseline-scenario` wrote the baseline's
        value and the new one is the data's own), `baseline scenario -> scenario`, `baseline data ->
        data` (two data folders). A new value whose place is not known (data built in Python) is taken as
        the scenario's, as a baseline's value is as the data's."""
        # the files themselves: one folder given as `data` and as `$PWD/data` is the same data
        first = ("baseline scenario" if self._in_a_scenario(before) else
                 "baseline data" if self._two_folders() else "data")
        then = "data" if self._in_the_data(after) else "scenario"
        return "scenario" if (first, then) == ("data", "scenario") else f"{first} -> {then}"

    def _found_cause(self, v: Violation, move: Move, group: list[Move], problem: Problem, plan: Solution,
                     held: bool) -> Cause:
        where = str(v.where) if v.where else None
        members = {m.id for m in group}
        others = tuple(a for a in v.actors if a not in members)
        if v.rule in OWN_FIELDS:
            subject = v.actors[0] if v.actors else move.id
            cause = self._own_cause(v, subject, move.change, where)
            if subject == move.id:
                return cause
            found = [(problem.rule_number(i), r) for i, r in enumerate(problem.waves.rules)
                     if r.type == "together" and subject in r.actors and move.id in r.actors]
            if not found:  # no rule ties them (not expected: `group` follows together rules)
                return Cause("knock-on", f"goes live with {subject}, whose {cause.text}", v.rule, (subject,), where,
                             v.message, estimate=cause.estimate)
            n, rule = found[0]
            # the rule that ties it to the partner, at its line; the partner's own change is its root
            whose = "which" if cause.text.startswith("goes live ") else "whose"  # a blackout's cause says its date
            return Cause("knock-on", f"together rule {rule.id or '#' + str(n)}: goes live with {subject}, {whose} "
                         f"{cause.text}", "together", (subject,), str(rule.at) if rule.at else where, v.message,
                         estimate=cause.estimate)
        if v.rule.startswith("limit."):
            return self._limit_cause(v, move, group, others, problem, plan, where, held)
        if v.rule == "capacity":
            return self._capacity_cause(v, move, group, problem, plan, where, held)
        label = self._rule_label(problem, v)
        if not held and v.rule in RELATIONS:
            gone = self._rule_gone(v, move, others, label)
            if gone is not None:  # the baseline's rule the changed data no longer has: its change freed it
                return gone
        moved = tuple(a for a in others if a in self.moved)
        if moved:
            text = f"{label}: {self._shifts(moved)}"
            if held and v.rule == "with_or_before":
                text += self._private_note(v, moved)
            return Cause("knock-on", text, v.rule, moved, where, v.message, estimate=self._shifts_estimated(moved))
        names = ", ".join(others)
        if held:  # why it cannot stay where the baseline had it
            text = f"{label} with {names} keeps it from its baseline window {move.window_before}"
        else:  # why the baseline did not have it where it goes now
            text = f"{label} with {names} kept it from window {move.window_after} in the baseline"
        return Cause("rule", text, v.rule, others, where, v.message)

    def _one_way_sides(self, v: Violation) -> tuple[str, str] | None:
        """The violation's two organisations as (earlier side, later side) where its rule binds one way only
        between them (a `NoLater` or `Precedes` of its relations, `hpplan.relations`: with_or_before's actor
        and target, order's A and B, after_live's first and then, and any new rule type made of them), else
        None. Such a rule can force the earlier side earlier or the later side later, never the reverse. The
        rule is the base data's at the violation's line; without one (data built in Python), any of its type."""
        if len(v.actors) != 2:
            return None
        rule = self._base_rule(v)
        rules = [rule] if rule is not None else [r for r in self.base_problem.waves.rules if r.type == v.rule]
        for candidate in rules:
            for relation in candidate.relations(self.base_problem) or ():
                if isinstance(relation, (NoLater, Precedes)) and set(relation.organisations) == set(v.actors):
                    return relation.organisations
        return None

    def _one_way_reversed(self, v: Violation, members: set[str]) -> bool:
        """Whether a violation found for a move earlier in the baseline (`freed`) puts the rule the wrong way
        round: the move is the rule's later side (a municipality) and the other side (its GP office) stood
        later in the baseline. The rule cannot pull the later side earlier: the other side's earlier move
        follows it (a knock-on of it, not its cause), unless the other side's own date changed (a GP office
        no longer postponed frees its municipality). Only while the changed data still has the rule: one it
        no longer has is the change's cause (`_rule_gone`)."""
        sides = self._one_way_sides(v)
        if sides is None:
            return False
        first, then = sides
        if then not in members or first in members or self._own_date_changed(first):
            return False
        return self._base_rule(v) is None or self._still_there(self._base_rule(v))

    def _own_date_changed(self, ident: str) -> bool:
        """Whether the organisation's own data that sets its earliest go-live differs between the two sides."""
        before, after = self.base_problem.org.get(ident), self.other_problem.org.get(ident)
        if before is None or after is None:
            return before is not after
        return any(getattr(before, n) != getattr(after, n) for n in ("earliest", "returns", "status", "latest"))

    def _base_rule(self, v: Violation):
        """The base data's rule the violation breaks (at its line; without one, data built in Python, the only rule
        of its type that names all its actors), or None."""
        rules = self.base_problem.waves.rules
        found = [r for r in rules if v.where is not None and r.at is not None and r.at == v.where]
        if not found and v.where is None:
            found = [r for r in rules if r.type == v.rule and set(v.actors) <= set(r.named_ids())]
        return found[0] if len(found) == 1 else None

    @staticmethod
    def _rule_body(rule) -> dict:
        """What a rule does (not its wording: reason, note, source)."""
        return {k: v for k, v in rule.model_dump().items() if k not in ("id", "reason", "note", "source")}

    def _still_there(self, rule) -> bool:
        """Whether the changed data has the rule as the base data has it (its id and what it does)."""
        body = self._rule_body(rule)
        return any(r.type == rule.type and (r.id or None) == (rule.id or None) and self._rule_body(r) == body
                   for r in self.other_problem.waves.rules)

    def _rule_gone(self, v: Violation, move: Move, others: tuple[str, ...], label: str) -> Cause | None:
        """A rule of the base data that kept the move (with its group) from its new window in the baseline, and
        that the changed data no longer has as it was: the scenario removed or changed it (`remove_rule`,
        `add_rule`), and that change is the cause (kind `scenario`, at the change's line; `data-change` for two
        data folders), never a knock-on of a rule that binds nothing any more. None while the rule is there."""
        rule = self._base_rule(v)
        if rule is None or self._still_there(rule):
            return None
        number = next((self.base_problem.rule_number(i) for i, r in enumerate(self.base_problem.waves.rules)
                       if r is rule), None)
        removal = next((r for r in reversed(self.other_problem.numbers.removed_rules)
                        if (r.id == rule.id if rule.id else r.number == number)), None)
        # a rule of its type in the changed data (not the base data's) that names it: what replaced it
        base_bodies = [self._rule_body(r) for r in self.base_problem.waves.rules]
        now = [r for r in self.other_problem.waves.rules if r.type == rule.type and move.id in r.named_ids()
               and self._rule_body(r) not in base_bodies]
        names = ", ".join(others) if others else "its group"
        text = f"{label} with {names} kept it from window {move.window_after} in the baseline"
        two = self._two_folders()
        if removal is not None:
            by = f"remove_rule, {removal.by}" if removal.by is not None else "remove_rule"
            text += f"; {'the data' if two else 'the scenario'} removed it ({by})"
        else:
            source = "baseline scenario" if self._in_a_scenario(rule.at) else "baseline data" if two else "data"
            text += f"; the changed data does not have it ({source}, {rule.at})" if rule.at else \
                "; the changed data does not have it"
        for r in now[:1]:
            n = next((self.other_problem.rule_number(i) for i, x in enumerate(self.other_problem.waves.rules)
                      if x is r), None)
            actors = f" [{', '.join(r.named_ids())}]" if r.named_ids() else ""
            text += f"; now {r.type} rule {r.id or '#' + str(n)}{actors}" + (f" ({r.at})" if r.at else "")
        where = (str(removal.by) if removal is not None and removal.by is not None
                 else str(now[0].at) if now and now[0].at else str(rule.at) if rule.at else None)
        return Cause("data-change" if two else "scenario", text, v.rule, others, where, v.message, forced=True)

    def _private_note(self, v: Violation, moved: tuple[str, ...]) -> str:
        """A with_or_before knock-on whose GP office is private (`private: true`) and moved later by its own date
        (a postponement): said, since such an office holds back its municipality, and the municipality's
        together partners, by a date it chose itself (docs/rules.md, with_or_before)."""
        first = v.actors[0] if v.actors else None
        org = self.other_problem.org.get(first) if first in moved else None
        before = self.base_problem.org.get(first) if first else None
        if org is None or not org.private or before is None:
            return ""
        changed = [n for n in ("earliest", "returns", "status") if getattr(before, n) != getattr(org, n)]
        if not changed or self.moved[first].change not in ("later", "unscheduled"):
            return ""
        said = "; ".join(f"{n} {_field_value(before, n)} -> {_field_value(org, n)}" for n in changed)
        return (f"; {first} is a private GP office (private: true) postponed by its own date ({said}): through "
                f"this rule it holds back its municipality and those that go live together with it")

    def _own_cause(self, v: Violation, subject: str, change: str, where: str | None) -> Cause:
        fields = OWN_FIELDS[v.rule]
        before = self.base_problem.org.get(subject)
        after = self.other_problem.org.get(subject)
        if v.rule == "pinned" or (before is not None and before.status is OrgStatus.live and change == "earlier"):
            live = before.live_since if before is not None else None
            return Cause("history", f"in the baseline it is history: live since {live}", v.rule, (), where, v.message)
        names = (fields,) if isinstance(fields, str) else fields or ()
        changed = [n for n in names if before is not None and after is not None
                   and getattr(before, n) != getattr(after, n)]
        if changed:
            # each value said with where it comes from (a --baseline-scenario's earlier date is no delay the
            # scenario caused); the source said once, after them all, where each field has the same
            sources = {n: self._sources(before.field_at(n), after.field_at(n)) for n in changed}
            one = len(set(sources.values())) == 1
            text = "; ".join(f"{n} {_field_value(before, n)} -> {_field_value(after, n)}"
                             + ("" if one else f" ({sources[n]})") for n in changed)
            text += f" ({sources[changed[0]]})" if one else ""
            estimate = any(o.is_estimate(n) for o in (before, after) for n in changed
                           if n in DATED and getattr(o, n) is not None)
            return Cause(_change_kind(*sources.values()), text, v.rule, (), where, v.message, estimate=estimate)
        text = v.message
        if v.rule == "blackout" and " goes live " in text:
            # without its name: a trust and its hospitals inside one blackout share one cause (and a line)
            text = "goes live " + text.split(" goes live ", 1)[1]
        return Cause("data", text, v.rule, (), where, v.message)

    def _limit_cause(self, v: Violation, move: Move, group: list[Move], others: tuple[str, ...], problem: Problem,
                     plan: Solution, where: str | None, held: bool) -> Cause:
        """A window limit: a knock-on of those who moved into the window (held) or out of it (freed), but
        only where the limit would hold without them; else the limit itself (the scenario's, if it wrote
        it: a lower limit that the baseline's own go-lives in that window break)."""
        limit = v.rule.removeprefix("limit.")
        window = move.window_before if held else move.window_after
        if held:  # who is in that window now that was not before
            changed = tuple(a for a in others if a in self.moved and self.moved[a].window_after == window)
            text = f"window {window} is full ({limit})"
            if changed and not self._broken_without(v, move, group, problem, plan, window, changed):
                return Cause("knock-on", f"{text}: {some_of(changed, SHOWN)} moved in", v.rule, changed, where,
                             v.message)
        else:  # who was in that window before and has left
            changed = tuple(a for a in others if a in self.moved and self.moved[a].window_before == window)
            text = f"window {window} was full in the baseline ({limit})"
            if changed and not self._broken_without(v, move, group, problem, plan, window, changed):
                return Cause("knock-on", f"{text}; freed by {some_of(changed, SHOWN)} moving out", v.rule, changed,
                             where, v.message)
        # (a window's members: at national scale some 150; the JSON's actors list them all)
        return Cause("limit", f"{text} with {some_of(others, SHOWN)}", v.rule, others, where, v.message)

    def _broken_without(self, v: Violation, move: Move, group: list[Move], problem: Problem, plan: Solution,
                        window: str, leaving: tuple[str, ...]) -> bool:
        """Whether the limit of `v` is still broken in `window` with the move's group there and the
        organisations `leaving` out of the plan: then they are not why it is."""
        day = problem.window[window].date if window in problem.window else None
        put = {m.id: self._trial(m, day, window, problem) for m in group}
        trials = list(put.values()) + [replace(a, go_live=None, window=None) for a in plan.plan
                                       if a.id in leaving and a.id not in put]
        return any(w.rule == v.rule and w.where == v.where and move.id in w.actors
                   for w in self._trial_violations(problem, plan, {t.id for t in trials}, trials, keep_missing=True))

    def _capacity_cause(self, v: Violation, move: Move, group: list[Move], problem: Problem, plan: Solution,
                        where: str | None, held: bool) -> Cause:
        members = {m.id for m in group}
        window = move.window_before if held else move.window_after
        day = problem.window[window].date if window in problem.window else (move.before if held else move.after)
        trials = [self._trial(m, day, window, problem) for m in group]
        org = problem.org.get(move.id)
        pool_ids = {v.pool} if v.pool is not None else {pool.id for pool, _ in (problem.loads(org) if org else [])}
        over = [p for p in self._trial_report(problem, plan, members, trials, pool_ids) if p.used > p.limit + 1e-9]
        if not over:  # the verifier and the load report disagree: report the verifier's words
            return Cause("capacity", v.message, v.rule, (), where, v.message)
        # the month of this violation (its pool and month fields, not its wording): each month over is a
        # cause of its own; the first month for all of them left the others out ("all of them")
        point = next((p for p in over if (p.pool, p.month) == (v.pool, v.month)), over[0])
        pool = next(p for p in problem.waves.pools if p.id == point.pool)
        with_it = ("with it back there" if len(group) == 1 else "with its group back there") if held else "with it there"
        loads = self._trial_estimated(problem, plan, members, trials)  # its loads that rest on estimated profiles
        estimate = capacity_estimated(pool, point.month)
        used_estimate = (pool.id, point.month) in loads
        limit, used = marked(f"{point.limit:g}", estimate), marked(f"{point.used:g}", used_estimate)
        if held:
            head = f"pool {pool.id} full in {point.month}: {used} of {limit} FTE {with_it}"
        else:
            head = (f"pool {pool.id} was full in {point.month} in the baseline ({used} of {limit} FTE "
                    f"{with_it})")
        cause = self._capacity_at(point, pool, head, members, held, v.rule, where, v.message, estimate,
                                  used_estimate)
        months = [p for p in over if p.pool == pool.id]
        if len(months) < 2:
            return cause
        # over in several months: shown first, all of them at once and how far over at the worst, for the
        # first month alone would understate what keeping it there needs (180 of 168 FTE, when 239 is the most)
        key = (move.id, held, pool.id, window)
        if key not in self._summaries:
            worst = max(months, key=lambda p: p.used - p.limit)  # the first of equal ones
            said = next((w for w in self._trial_violations(problem, plan, members, trials)
                         if w.rule == "capacity" and (w.pool, w.month) == (pool.id, worst.month)), v)
            # one figure, marked alike, for all the months: said once; else the worst month's, with its
            # own mark (an equal figure from a fact and from an estimate is two figures to a reader)
            estimate = capacity_estimated(pool, worst.month)
            used_estimate = (pool.id, worst.month) in loads
            used = marked(f"{worst.used:g}", used_estimate)
            if len({(p.limit, capacity_estimated(pool, p.month)) for p in months}) == 1:
                capacity, most = f"its {marked(f'{worst.limit:g}', estimate)} FTE", f"{used} FTE"
            else:
                capacity, most = "its capacity", f"{used} of {marked(f'{worst.limit:g}', estimate)} FTE"
            span = _months_span([p.month for p in months]) + ("" if held else " in the baseline")
            head = (f"pool {pool.id} {'over' if held else 'was over'} {capacity} in {span} {with_it}, "
                    f"up to {most} in {worst.month}")
            self._summaries[key] = self._capacity_at(worst, pool, head, members, held, said.rule,
                                                     str(said.where) if said.where else where, said.message,
                                                     estimate, used_estimate, months=[p.month for p in months])
        return replace(cause, summary=self._summaries[key])

    def _plan_loads(self, other: bool, pool_id: str, month: str) -> dict[str, float]:
        """`_loads` of the baseline plan (or of the other plan), once per pool and month: every move's capacity
        cause asks again (national scale: thousands of times)."""
        key = (other, pool_id, month)
        if key not in self._load_memo:
            problem, plan = (self.other_problem, self.other) if other else (self.base_problem, self.base)
            self._load_memo[key] = _loads(problem, plan.plan, pool_id, month)
        return self._load_memo[key]

    def _estimated_of(self, other: bool, ident: str) -> set[tuple[str, str]]:
        """The (pool, month) whose load from one organisation's go-live in the baseline plan (or the other plan)
        rests on an estimated load profile (`_estimated_loads`), once per organisation and side."""
        key = (other, ident)
        if key not in self._estimate_memo:
            problem, at = (self.other_problem, self.other_at) if other else (self.base_problem, self.base_at)
            self._estimate_memo[key] = _estimated_loads(problem, [at[ident]]) if ident in at else set()
        return self._estimate_memo[key]

    def _capacity_at(self, point, pool, head: str, members: set[str], held: bool, rule: str, where: str | None,
                     detail: str, estimate: bool, used_estimate: bool = False,
                     months: list[str] | None = None) -> Cause:
        """The capacity cause of one month over (`point`, a load report point): a capacity the scenario
        cut (held) or raised (freed) in that month, with who loads it differently in the two plans as well;
        else who does (a knock-on); else a capacity the scenario changed otherwise; else the pool.
        `months`: the cause sums up these months over (`point` the worst): the month is named, and a
        capacity the scenario changed in any of them is said (the worst month's, else the first's), for
        a month over from the scenario's cut alone is not a knock-on of the worst month's movers.
        `estimate`, `used_estimate`: `head` shows a capacity, a load marked `*`; each capacity the text adds is
        marked as its own, and each organisation's load difference (`+100* FTE`) where its load in either plan
        rests on an estimated load profile (`formats.estimated_loads`)."""
        month = point.month
        base_load, other_load = self._plan_loads(False, pool.id, month), self._plan_loads(True, pool.id, month)
        diff = {a: other_load.get(a, 0) - base_load.get(a, 0) for a in set(base_load) | set(other_load) if a not in members}
        # a difference marked where either side's load rests on an estimated profile (only movers are listed)
        guessed = {a for a in diff if a in self.moved and any(
            (pool.id, month) in self._estimated_of(side, a) for side in (False, True))}
        then = f" in {month}" if months else ""
        if held:  # more load now
            movers = tuple(sorted((a for a, d in diff.items() if d > 0 and a in self.moved), key=lambda a: (-diff[a], a)))
            load = f"more load{then or ' there'} now from {_listing(movers, diff, guessed)}" if movers else ""
        else:  # less load now
            movers = tuple(sorted((a for a, d in diff.items() if d < 0 and a in self.moved), key=lambda a: (diff[a], a)))
            load = f"freed{then} by {_listing(movers, diff, guessed)}" if movers else ""
        changes = [c for c in (self._capacity_change(pool.id, m) for m in
                               sorted(months or [month], key=lambda m: (m != month, m))) if c is not None]
        # the change that explains it: a cut where it is held back, a rise where it is freed
        explains = next((c for c in changes if (c[2] < c[1]) == held), None)
        if explains is not None or (changes and not movers):
            changed, before, after, marks = explains or changes[0]
            sources = self._sources(self.base_problem.pool[pool.id].capacity_at(changed),
                                    self.other_problem.pool[pool.id].capacity_at(changed))
            text = f"{head}; capacity{f' in {changed}' if months else ''} {marked(f'{before:g}', marks[0])} -> " \
                   f"{marked(f'{after:g}', marks[1])} FTE ({sources})"
            if load and explains is not None:  # the movers' load comes on top of the scenario's change
                text += f"; {load}"
            loads = used_estimate or bool(load and explains is not None and guessed & set(movers))
            return Cause(_change_kind(sources), text, rule, movers if explains is not None else (), where, detail,
                         estimate or any(marks) or loads, loads)
        if movers:
            loads = used_estimate or bool(guessed & set(movers))
            return Cause("knock-on", f"{head}; {load}", rule, movers, where, detail, estimate or loads, loads)
        return Cause("capacity", head, rule, (), where, detail, estimate or used_estimate, used_estimate)

    def _capacity_change(self, pool_id: str, month: str) -> tuple[str, float, float, tuple[bool, bool]] | None:
        """(month, capacity before, after, their `*` marks) when the scenario changed the pool's capacity
        in that month `YYYY-MM`, else None."""
        before_pool, after_pool = self.base_problem.pool.get(pool_id), self.other_problem.pool.get(pool_id)
        if before_pool is None or after_pool is None or before_pool.fte_in(month) == after_pool.fte_in(month):
            return None
        return (month, before_pool.fte_in(month), after_pool.fte_in(month),
                (capacity_estimated(before_pool, month), capacity_estimated(after_pool, month)))

    def _rule_label(self, problem: Problem, v: Violation) -> str:
        """'order rule trust-order' (or '#3'): the rule at the violation's place, else the only rule of
        its type that names all its actors."""
        rules = [(problem.rule_number(i), rule) for i, rule in enumerate(problem.waves.rules)]
        found = [(n, r) for n, r in rules if v.where is not None and r.at is not None and r.at == v.where]
        if not found:
            found = [(n, r) for n, r in rules if r.type == v.rule and set(v.actors) <= set(r.named_ids())]
        if len(found) == 1:
            n, rule = found[0]
            return f"{rule.type} rule {rule.id or '#' + str(n)}"
        return f"{v.rule} rule"

    def _shifts(self, ids: tuple[str, ...], most: int = 2) -> str:
        """'a, b and 3 more moved 2024-04-27 -> 2024-09-14' (grouped by shift, the first `most` named)."""
        groups: dict[tuple, list[str]] = {}
        for ident in ids:
            m = self.moved[ident]
            groups.setdefault((m.change == "not_in_baseline", m.before, m.after, m.before_estimate, m.after_estimate),
                              []).append(ident)
        parts = []
        # each date marked `*` as the comparison's rows mark it (`Move.before_estimate`, `after_estimate`:
        # `formats.go_live_estimated`, the window date's own source note)
        for (missing, before, after, before_estimate, after_estimate), members in groups.items():
            then = marked(_day(after), after_estimate and after is not None)
            if missing:  # listed by the new plan alone: it did not move, the baseline has no date for it
                parts.append(f"{some_of(members, most)} (not in the baseline plan) at {then}")
            elif before is None and all(self.moved[i].change == "added" for i in members):  # new: it did not move
                parts.append(f"{some_of(members, most)} (added to the data{self._by}) at {then}")
            else:
                was = marked(_day(before), before_estimate and before is not None)
                parts.append(f"{some_of(members, most)} moved {was} -> {then}")
        return "; ".join(parts)

    def _shifts_estimated(self, ids: tuple[str, ...]) -> bool:
        """Whether `_shifts` of these marks a date `*`."""
        return any((m.before_estimate and m.before is not None) or (m.after_estimate and m.after is not None)
                   for m in (self.moved[ident] for ident in ids))


def _rank(cause: Cause, forced: bool) -> int:
    """Where a cause comes among an organisation's causes: by its kind (`CAUSE_KINDS`); but where its own data
    or a together partner's forces the move (`Cause.forced`), a window limit or a pool, which binds only with
    the others where the new plan has them, comes after that cause even when the data changed it (HMR's
    hospitals are held back by HMR's new earliest date, not by a lower max_actors in their old window)."""
    kind = cause.kind
    if forced and not cause.forced and cause.rule is not None and (cause.rule.startswith("limit.")
                                                                   or cause.rule == "capacity"):
        kind = "capacity" if cause.rule == "capacity" else "limit"
    return CAUSE_KINDS.index(kind)


def _change_kind(*sources: str) -> str:
    """The kind of a cause that is a change of the compared data, from where its values come from
    (`_Explainer._sources`): `scenario` when a scenario wrote one, else `data-change` (two data folders)."""
    return "scenario" if any("scenario" in s for s in sources) else "data-change"


def _check(problem: Problem, entries: list[Assignment]) -> list[Violation]:
    return verify(problem, Solution(status=Status.feasible, plan=entries), check_objective=False)


def _loads(problem: Problem, entries: list[Assignment], pool_id: str, month: str) -> dict[str, float]:
    """FTE each organisation puts on a pool in a month."""
    result = {}
    target = parse_month(month)
    for a in entries:
        org = problem.org.get(a.id)
        if a.go_live is None or org is None:
            continue
        load = sum(profile.load_at(target - month_index(a.go_live))
                   for pool, profile in problem.loads(org) if pool.id == pool_id)
        if load:
            result[a.id] = load / LOAD_SCALE
    return result


def _months_span(months: list[str]) -> str:
    """'2024-07 to 2024-10' for months in a row, else '3 months from 2024-07 to 2024-12'."""
    first, last = months[0], months[-1]
    if parse_month(last) - parse_month(first) == len(months) - 1:
        return f"{first} to {last}"
    return f"{len(months)} months from {first} to {last}"




def _listing(ids: tuple[str, ...], diff: dict[str, float], guessed: set[str] = frozenset()) -> str:
    """'a (+100* FTE), b (+10 FTE) and 2 more': each one's load difference, marked `*` when in `guessed`
    (its load rests on an estimated load profile)."""
    return some_of(f"{a} ({marked(f'{diff[a]:+g}', a in guessed)} FTE)" for a in ids)


def _estimated_loads(problem: Problem, entries: list[Assignment]) -> set[tuple[str, str]]:
    """The (pool, month) whose load from `entries` rests on an estimated load profile (`formats.estimated_loads`)."""
    return estimated_loads(problem, Solution(status=Status.feasible, plan=entries))


def _value(value) -> str:
    if value is None:
        return "none"
    return getattr(value, "value", None) or str(value)


def _field_value(org: Organisation, field: str) -> str:
    """An organisation's field as a cause of a move says it: a date (`earliest`, `latest`, `returns`) marked
    `*` when its source note is not a fact, as the verifier's reason beside it says it (`verify.dated`; a
    scenario's date is noted `estimate: scenario FILE`), any other value as `_value`."""
    value = getattr(org, field)
    return dated(org, field) if field in DATED and value is not None else _value(value)


def _shown(value) -> str:
    """A value of the data as a cause says it: a list as `[a, b]`, else as `_value`."""
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(_shown(x) for x in value)}]"
    return _value(value)


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "unscheduled"


def _roots(moves: list[Move]) -> dict[str, tuple[str, ...]]:
    """For each move, the organisations whose own change (a cause that is not a knock-on) its chain of
    knock-on causes leads to, in the order of the moves; a move that is not a knock-on is its own root. Each move of a chain is walked once (a walk of every path was exponential
    in the knock-ons: a regional comparison afresh spent 10 minutes here)."""
    by_id = {m.id: m for m in moves}
    place = {m.id: n for n, m in enumerate(moves)}

    def knock_on(ident: str) -> bool:
        cause = by_id[ident].cause
        return cause is not None and cause.kind == "knock-on"

    def walk(start: str) -> tuple[str, ...]:
        if not knock_on(start):
            return (start,)
        found: list[str] = []
        visited = {start}
        stack = [iter(by_id[start].cause.actors)]  # depth first, without recursion (a chain may be long)
        while stack:
            other = next(stack[-1], None)
            if other is None:
                stack.pop()
            elif other in by_id and other not in visited:
                visited.add(other)
                if knock_on(other):
                    stack.append(iter(by_id[other].cause.actors))
                else:
                    found.append(other)
        return tuple(sorted(found, key=place.__getitem__))

    return {m.id: walk(m.id) for m in moves}


__all__ = ["AllowedEarlier", "Cause", "Comparison", "Move", "PeakChange", "compare"]


# --------------------------------------------------------------------------------------------------
# the totals as said under a comparison (`hpplan compare`, the report's header, the Changes sheet)


def totals_text(c: Comparison) -> list[str]:
    """The totals of a comparison, line for line as `hpplan compare` says them under its moves (and the
    HTML report's header and the spreadsheet's Changes sheet): the organisations moved, later and earlier;
    the population-months of delay; the cost of delay, with its `*` marks and the organisations the data
    gives no cost for."""
    lines = [
        f"Organisations moved: {len(c.moved)} ({len(c.of('later'))} later, {len(c.of('earlier'))} earlier); "
        f"newly unscheduled: {len(c.newly_unscheduled)}; newly scheduled: {len(c.of('scheduled'))}"
        + (f"; left out of the baseline against its data's rules, now scheduled: {len(c.repaired)} (a repair of the "
           "baseline, not an effect of the changes)" if c.repaired else ""),
        _population_line(c),
    ]
    later = c.of("later")
    uncosted_later = [m for m in c.uncosted if m.change == "later"]
    # "Estimated" only when a figure on the line rests on an estimated cost per month (each marked `*`)
    label = "Estimated cost of delay" if costs_estimated(c) else "Cost of delay"
    # those moved later with no cost in the data (a trust's cost covers its hospitals: `cost_carried_by`)
    # are said whenever there are any: "0 MNOK" would read as "their delay costs nothing", and a sum of
    # the others' costs as the cost of them all
    some = "the " if len(uncosted_later) == len(later) else f"{len(uncosted_later)} of the "
    no_cost = f"the data gives no cost for {some}{_organisations(later)} moved later"
    if uncosted_later and not c.costed_later:  # a known 0 (moved within a month) is no unknown
        # an unknown cost is no estimate, whatever else the line marks `*` (a saving): "Cost of delay"
        cost = f"Cost of delay: unknown ({no_cost})"
    else:
        cost = f"{label}: {marked(fmt_number(c.cost_of_delay), c.cost_of_delay_is_estimate)} MNOK"
        if uncosted_later:
            cost += f"; {no_cost}"
    if c.saving:
        cost += f"; earlier go-lives save {marked(fmt_number(c.saving), c.saving_is_estimate)} MNOK"
    if c.open_ended_costs:  # no number of months: its cost per month, with no end
        cost += "; open-ended (not scheduled) for " + ", ".join(
            f"{m.id} ({marked(fmt_number(m.cost_per_month), m.cost_estimate)} MNOK a month)"
            for m in c.open_ended_costs)
    uncosted_out = [m for m in c.uncosted if m.change == "unscheduled"]
    if uncosted_out:  # "0 MNOK" alone would read as "keeping them out costs nothing"
        cost += f"; the data gives no cost for the {_organisations(uncosted_out)} newly out of the plan"
    lines.append(cost)
    return lines


def costs_estimated(c: Comparison) -> bool:
    """Whether a cost the totals show (of delay, saving, open-ended per month) rests on an estimate."""
    return c.cost_is_estimate or any(m.cost_estimate for m in c.open_ended_costs)


def _population_line(c: Comparison) -> str:
    """Population-months of the organisations moved; those newly out of the plan (or in it) said apart
    as open-ended, as the cost line does, for a sum of zero months would read as no delay. A figure
    built from an estimated population (a trust's catchment) is marked `*`."""
    open_ended = [f"{_organisations(moves)} ({marked(fmt_int(people), estimate)} people) newly {where} the plan: {what}"
                  for moves, people, estimate, where, what in (
                      (c.newly_unscheduled, c.population_out, c.population_out_is_estimate, "out of", "open-ended"),
                      (c.of("scheduled"), c.population_in, c.population_in_is_estimate, "in", "open-ended, a gain"))
                  if moves]
    if c.repaired:  # the baseline's own broken rule: no gain of the changes
        open_ended.append(f"{_organisations(c.repaired)} "
                          f"({marked(fmt_int(c.population_repaired), c.population_repaired_is_estimate)} people) "
                          "left out of the baseline against its data's rules, now in the plan: a repair of the "
                          "baseline, not a gain of the changes")
    line = f"Population-months of delay: {marked(fmt_int(c.population_months), c.population_months_is_estimate)}"
    if open_ended:
        line += " for the organisations moved"
    return "; ".join([line + " (population x calendar months moved, later positive)", *open_ended])


def _organisations(moves: list[Move]) -> str:
    return f"{len(moves)} organisation{'' if len(moves) == 1 else 's'}"
