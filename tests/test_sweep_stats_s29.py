"""Can a board quote the sweep's figures? (a statistician's review, session 29; docs/sweep.md "How the figures
are computed"): the Others slope tested as the population-months one is, and the effect per slip level; a
quantile on a step of the values said as a range; 95 % Wilson intervals of P(done by) and P(live by), and the
range of unknown answers no longer in brackets; rankings within sampling error said to be chance; means with
their 95 % margin, rounded to it."""
from __future__ import annotations

import json
import math
import random
import re
import statistics

from hpplan.sweep import aggregate
from hpplan.sweep.aggregate import quantile, quantile_step, wilson
from hpplan.sweep.output import _pct_range, summary_json, summary_text
from test_sweep_round2_s28 import ACTORS, results

#: the trust's slip, as readiness-risk.yaml draws Helse Møre og Romsdal's ({0: 0.5, 1: 0.1, 5: 0.3, 10: 0.1})
LEVELS = [0] * 102 + [1] * 19 + [5] * 59 + [10] * 20


def flat(text: str) -> str:
    return " ".join(text.split())


def sweep(n: int = 200):
    return aggregate(sweep_results(n))


def s_records() -> list[dict]:
    return sweep_results().records


def sweep_results(n: int = 200):
    """n synthetic futures: the trust (and its unit, by its together rule) 5 months later for a slip of 1 or 5,
    10 for 10 (a step); any slip moves 2 others more, amid noise of 0 to 22 others; aure and froya (identical
    risks) each later in a quarter of the futures; the cost 217.5 MNOK without a slip, 467.5 with 1 or 5, 935
    with 10, so its median and P90 sit on jumps of the values."""
    noise = random.Random(29)
    records = []
    for i in range(n):
        slip = LEVELS[i * len(LEVELS) // n]
        own = {0: 0, 1: 5, 5: 5, 10: 10}[slip]
        go = {"trust": "2024-11-09", "unit": "2024-11-09", "aure": "2026-02-07", "froya": "2026-02-07",
              "snasa": "2026-04-25", "gp": None}
        delay = {}
        if own:
            later = {5: "2025-04-26", 10: "2025-09-13"}[own]
            go.update(trust=later, unit=later)
            delay.update(trust=own, unit=own)
        for town, k in (("aure", 0), ("froya", 1)):
            if i % 4 == k:
                go[town], delay[town] = "2026-09-12", 7
        others = noise.randrange(23) + (2 if slip else 0)  # organisations not in this data, moved
        records.append({"go_live": go, "delay": delay, "slips": {"trust": slip} if slip else {},
                        "moved": sum(1 for d in delay.values() if d > 0) + others,
                        "population_months": 1000 * sum(delay.values()) + 10_000 * slip,
                        "cost_mnok": {0: 217.5, 1: 467.5, 5: 467.5, 10: 935}[slip]})
    actors = [{"id": i, "name": i.title(), "kind": k, "mandatory": m, "population": 1000}
              for i, (k, m) in ACTORS.items()]
    actors[0].update(cost_per_month=43.5, cost_is_estimate=True)  # the trust's (tests/test_sweep_round2_s28)
    return results(records, base={"actors": actors}, plan="fresh", live_by=("2026-02-28", "2026-04-30"))


def test_the_others_slope_has_its_own_t_and_a_slope_not_clear_is_in_brackets():
    """Before: "Only clear effects are shown" over a row whose Others (0.20 for HMR) had no t at all (HMR at
    200 futures: 0.197, standard error 0.064, t 3.10 below the threshold 3.33)."""
    s = sweep()
    (trust,) = [f for f in s.influence if f.id == "trust"]
    assert trust.clear and trust.t > 50  # the population-months: 10 000 a month of slip, clear
    assert trust.others_moved_stderr > 0
    assert math.isclose(trust.others_moved_t, trust.others_moved / trust.others_moved_stderr, abs_tol=0.05)
    assert abs(trust.others_moved_t) < s.clear_threshold and not trust.others_moved_clear
    data = json.loads(summary_json(s))["influence"][0]
    assert {"others_moved_stderr", "others_moved_t", "others_moved_clear", "by_slip"} <= set(data)
    text = flat(summary_text(s, 120))
    table = text.split("Whose delay moves others most")[1]
    row = re.search(r"trust \| *[\d.]+% \| *[\d.]+ \| *(\S+) \| *([^|]+?) \|", table)
    assert row and row.group(1) == f"({trust.others_moved:.2f})" and row.group(2) == "9 990", table
    assert "a slope in brackets is not clear: not told apart from noise" in text, text
    assert '"per month" is an average' in text, text


def test_the_effect_per_slip_level_shows_a_step():
    """A slope is a line through the slip levels: any slip moves 2 others here, more months add nothing."""
    (trust,) = [f for f in sweep().influence if f.id == "trust"]
    assert list(trust.by_slip) == ["0", "1", "5", "10"]
    assert [v["scenarios"] for v in trust.by_slip.values()] == [102, 19, 59, 20]
    s = sweep()
    ok = [r for r in s_records()]
    for level, v in trust.by_slip.items():  # the others' moves (not the trust's unit, of its together rule)
        moved = [r["moved"] - sum(1 for m in ("trust", "unit") if r["delay"].get(m)) for r in ok
                 if r["slips"].get("trust", 0) == int(level)]
        assert math.isclose(v["others_moved_mean"], statistics.mean(moved), abs_tol=1e-3)
    text = flat(summary_text(s, 160))
    assert "trust, other organisations later on average by its slip (months; scenarios): slip 0: " in text, text
    # a slip of many values (more than 6) has none
    many = [dict(r, slips={"trust": i % 8}) for i, r in enumerate(s_records())]
    (spread,) = [f for f in aggregate(results(many, plan="fresh")).influence if f.id == "trust"]
    assert spread.by_slip is None


def test_a_quantile_on_a_step_is_a_range_with_why():
    """P(slip) 0.49 and P(slip 10) 0.1: the median cost flips between 217.5 and 467.5 MNOK from seed to seed,
    the P90 between 467.5 and 935, however many samples (before: `median 217.5, P90 467.5` as if exact)."""
    s = sweep()
    k = s.cost
    assert (k.p50, k.p90) == (217.5, 467.5)  # the nearest-rank figure stays
    assert k.median_range == [217.5, 467.5] and k.p90_range == [467.5, 935]
    assert k.median_steps == [{"at_or_below": 217.5, "share": 0.51}]
    text = flat(summary_text(s, 120))
    assert ("median 217.5-467.5 (on a step: the share at or below 217.5 is 51.0%, within sampling error of 50%)"
            in text), text
    assert "P90 467.5-935 (on a step: the share at or below 467.5 is 90.0%, within sampling error of 90%)" in text
    # the completion date: done by 2026-04-25 in exactly half the futures
    c = s.completion
    assert c.median == "2026-04-25" and c.median_range == ["2026-04-25", "2026-09-12"]
    assert "median 2026-04-25 to 2026-09-12 (on a step: the share done by 2026-04-25 is 50.0%" in text, text
    # per organisation: the trust later in 49 %: its median marked `?`, with JSON's range
    trust = next(a for a in json.loads(summary_json(s))["actors"] if a["id"] == "trust")
    assert trust["median_range"] == ["2024-11-09", "2025-04-26"] and trust["p10_range"] is None
    assert "?: a quantile on a step" in text


def test_quantile_step_is_none_clear_of_a_jump():
    values = sorted([0] * 30 + [1] * 140 + [2] * 30)  # the median well inside the 1s
    assert quantile(values, 0.5) == 1 and quantile_step(values, 0.5) == (None, None)
    assert quantile_step(values, 0.9) == (None, None)  # share at or below 1: 85%, 2 standard errors: 4.2 points
    assert quantile_step(values, 0.85)[0] == [1, 2]
    assert quantile_step([5] * 9 + [None] * 11, 0.5)[0] == [5, None]  # unscheduled sorts last: [5, never]


def test_shares_carry_a_wilson_interval_and_the_unknown_range_is_not_in_brackets():
    assert wilson(51, 200) == [0.1996, 0.3196] and wilson(0, 200) == [0, 0.0188] and wilson(0, 0) is None
    s = sweep()
    assert s.completion.p_by_ci["2026-04-30"] == wilson(100, 200)
    aure = next(a for a in s.actors if a.id == "aure")
    assert aure.p_live_by_ci["2026-02-28"] == wilson(150, 200)
    text = flat(summary_text(s, 120))
    assert "P(done by 2026-04-30) 50.0% (95% CI 43.1%-56.9%)" in text, text
    assert "at 200 scenarios a share is known to about ±7 points (95%; ±4 near 10% or 90%)" in text, text
    # before: `82.1% (76.7%-83.3%)`, read as a confidence interval
    assert _pct_range(0.8214, [0.7667, 0.8333]) == "82.1%; all 76.7%-83.3%"


def test_a_ranking_within_sampling_error_says_so():
    """aure and froya have the same risk by construction: their order in "Most at risk" and "Last to go live" is
    chance (four such municipalities swapped places from seed to seed)."""
    text = flat(summary_text(sweep(), 120))

    def said(p: float) -> str:  # the margin of a difference of two shares, at the share nearest 50 %
        apart = round(1.959964 * math.sqrt(2 * p * (1 - p) / 200) * 100)
        return f"Shares that differ by less than about {apart} points are not told apart at 200 scenarios (95%)"

    risk = text.split("Most at risk")[1].split("Whose delay")[0]
    assert said(0.25) in risk and "about 8 points" in risk, risk  # aure, froya: 25.0% not live by 2026-02-28
    last = text.split("Last to go live")[1].split("Cost of delay")[0]
    assert said(0.5) in last, last  # snasa 50.0%, aure 25.0%, froya 25.0%


def test_means_come_with_their_margin_and_are_rounded_to_it():
    """Before: `mean 386.8 MNOK`, `22.26 organisations`, `2 468 593* population-months`: digits no sample fixes."""
    s = sweep()
    costs = [217.5] * 102 + [467.5] * 78 + [935] * 20
    se = statistics.stdev(costs) / math.sqrt(200)
    assert math.isclose(s.cost.mean_stderr, se, abs_tol=1e-3)
    margin = 1.959964 * se  # shown to two significant figures, the mean to the same place
    assert 10 <= margin < 100
    text = flat(summary_text(s, 120))
    assert f"mean {round(statistics.mean(costs))} MNOK (±{round(margin)})" in text, text
    assert s.cost.mean_moved_stderr > 0 and s.cost.mean_population_months_stderr > 0
    assert round(s.cost.mean_population_months_stderr * 1.959964, -2) == 5500  # two significant figures
    assert re.search(r"on average \d+\.\d+ \(±\d\.\d+\) organisations", text), text
    assert "35 100 (±5 500) population-months" in text, text  # 35 098.5: before, every digit of it
    data = json.loads(summary_json(s))["cost"]
    assert {"mean_stderr", "mean_moved_stderr", "mean_population_months_stderr", "median_range",
            "p90_range"} <= set(data)


def test_a_grids_figures_carry_no_sampling_error():
    """A grid's scenarios are the values chosen, every one of them, not a sample: its shares are exact, its
    means have no margin and its quantiles no step another sample would cross (the shipped grid said
    'P(done by 2026-04-30) 100% (95% CI 83.9%-100%)' and 'mean 690 MNOK (±190)')."""
    grid = sweep_results(40)
    grid.header["kind"] = "grid"
    s = aggregate(grid)
    assert s.completion.p_by_ci == {} and s.cost.mean_stderr is None and s.cost.median_range is None
    assert all(a.p_live_by_ci == {} and a.median_range is None for a in s.actors)
    text = flat(summary_text(s, 120))
    assert "Sampling error" not in text and "95% CI" not in text and "(±" not in text and "on a step" not in text
    assert "Shares that differ by less" not in text
    sampled = flat(summary_text(aggregate(sweep_results(40)), 120))  # the same futures drawn: said
    assert "Sampling error" in sampled and "95% CI" in sampled


def test_the_clear_threshold_is_students_t_quantile():
    """The Cornish-Fisher expansion gave 4.90 at 10 scenarios (49 organisations tested) where the quantile is
    5.03: a family-wise false alarm of 5.85 % for the 5 % said (the statistician's table)."""
    from hpplan.sweep.aggregate import clear_threshold, t_quantile

    assert round(t_quantile(0.975, 10), 4) == 2.2281 and round(t_quantile(0.9995, 8), 4) == 5.0413  # (tables)
    assert round(t_quantile(0.975, 1), 3) == 12.706
    assert [round(clear_threshold(49, n), 3) for n in (200, 50, 20, 10)] == [3.334, 3.498, 3.913, 5.025]
