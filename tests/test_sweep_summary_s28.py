"""`hpplan sweep`'s summary when some futures have no plan, and "Most at risk" by the dates asked about
(docs/sweep.md "How the figures are computed").

A future in which an organisation that must go live is ready only after the last window is not done by
any date (it has no window); other futures without a plan (a rule conflict, no plan in time) may go
either way: P is of the futures whose answer is known, with its range over every future, in the table,
JSON and CSV. With no future planned, the CSV has empty cells (no data), never 0s."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml

from hpplan.sweep import aggregate, inline_backend, load_spec, resolve, run_sweep
from hpplan.sweep.output import summary_csv, summary_json, summary_text, sweep_html
from hpplan.sweep.run import Results

TINY = Path(__file__).resolve().parent / "data" / "sweep_tiny"  # last window 2025-11-08
LATE = "no plan keeps every rule and limit: ready after the last window 2025-11-08: trust-a (earliest 2027-04-01)"


def rows_of(text: str) -> dict[str, dict]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_future_ready_after_the_last_window_is_not_done_and_a_rule_conflict_gives_a_range(tmp_path):
    # trust-a postponed 24 months is ready 2026-04-01, after the last window (2025-11-08): not done by 2025-12-31,
    # however the other axis goes; the primary pool at 0 FTE from 2024-07 leaves m3, m4 (ready 2024-09) no window
    # that has room: a rule conflict, which may go either way
    spec = tmp_path / "grid.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(TINY), "description": "late and conflicting futures", "kind": "grid", "live_by": ["2025-12-31"],
        "time_limit": 10, "grid": [{"postpone": {"actor": "trust-a", "months": [0, 24]}},
                                   {"capacity": {"pool": "primary", "fte": [20, 0], "from": "2024-07"}}]}))
    result = run_sweep(resolve(load_spec(spec)), tmp_path / "r.jsonl", backend_factory=inline_backend())
    status = {r["index"]: r["status"] for r in result.results.records}
    assert status == {0: "optimal", 1: "infeasible", 2: "infeasible", 3: "infeasible"}, result.results.records
    s = aggregate(result.results)
    assert (s.with_plan, s.failed, s.ready_after_last_window) == (1, 3, 2)
    # before: P(done by 2025-12-31) 100%, a share of the one future with a plan
    assert s.completion.p_by == {"2025-12-31": 0.3333} and s.completion.p_by_range == {"2025-12-31": [0.25, 0.5]}
    trust, m3 = (next(a for a in s.actors if a.id == i) for i in ("trust-a", "m3"))
    assert trust.p_live_by == {"2025-12-31": 0.3333} and trust.p_live_by_range == {"2025-12-31": [0.25, 0.5]}
    assert m3.p_live_by == {"2025-12-31": 1} and m3.p_live_by_range == {"2025-12-31": [0.25, 1]}  # not known in 3
    postpone = {v.value: v for v in s.axes[0].values}
    assert postpone[24].p_done_by == {"2025-12-31": 0} and postpone[24].p_done_by_range == {"2025-12-31": [0, 0]}
    assert postpone[0].p_done_by == {"2025-12-31": 1} and postpone[0].p_done_by_range == {"2025-12-31": [0.5, 1]}

    text = flat(summary_text(s, 120))
    # s29: the range of the unknown answers in words, not in brackets (which read as a confidence interval); a
    # grid's share has no sampling error (its scenarios are the values chosen, not a sample)
    assert ("P(done by 2025-12-31) 33.3%; 25.0%-50.0% whatever the 1 scenario without a plan "
            "would answer") in text, text
    assert ("2 scenarios in which an organisation that must go live is ready only after the last window count as "
            "not done") in text and "the 1 other scenario without a plan may go either way" in text, text
    data = json.loads(summary_json(s))
    assert data["completion"]["p_by_range"] == {"2025-12-31": [0.25, 0.5]} and data["ready_after_last_window"] == 2
    rows = rows_of(summary_csv(s))
    done = rows["completion"]
    assert (done["p_live_by_2025-12-31"], done["p_live_by_2025-12-31_low"], done["p_live_by_2025-12-31_high"]) == (
        "0.3333", "0.25", "0.5")
    assert (done["with_plan"], done["without_plan"]) == ("1", "3")
    assert (rows["m3"]["p_live_by_2025-12-31_low"], rows["m3"]["p_live_by_2025-12-31_high"]) == ("0.25", "1")


def records_without_a_plan(reasons: list[str]) -> Results:
    actors = [{"id": i, "name": i.title(), "kind": k, "mandatory": True, "population": 1000}
              for i, k in (("hnt", "health_trust"), ("levanger", "hospital"), ("snasa", "municipality"))]
    base = {"type": "base", "status": "optimal", "completion": "2026-04-25", "actors": actors,
            "go_live": {"hnt": "2024-11-09", "levanger": "2024-11-09", "snasa": "2026-04-25"}}
    header = {"type": "header", "spec": "s.yaml", "kind": "grid", "size": len(reasons), "live_by": ["2026-12-31"],
              "axes": []}
    records = [{"type": "result", "index": i, "status": "infeasible", "reason": reason}
               for i, reason in enumerate(reasons)]
    for record in records:  # as sample.py records it beside the reason (the aggregation reads the field)
        if "ready after the last window 2026-11-07: hnt" in record["reason"]:
            record["ready_after_last_window"] = {"last_window": "2026-11-07", "earliest": {"hnt": "2027-04-01"}}
    return Results(header, base, records)


def test_with_no_future_planned_the_csv_has_empty_cells_and_the_count_of_futures_without_a_plan():
    late = "no plan keeps every rule and limit: ready after the last window 2026-11-07: hnt (earliest 2027-04-01)"
    s = aggregate(records_without_a_plan([late, "no plan keeps every rule and limit: rule #4 'trust-order'"]))
    rows = rows_of(summary_csv(s))
    for ident in ("hnt", "levanger", "snasa"):  # before: p_later 0, mean_delay_months 0, p_live_by 0 ("never late")
        row = rows[ident]
        assert (row["p_later"], row["mean_delay_months"], row["unscheduled"], row["slip_share"]) == ("", "", "", "")
        assert (row["with_plan"], row["without_plan"]) == ("0", "2")
    # hnt is ready only after the last window in one future and not known in the other: not live where known
    assert (rows["hnt"]["p_live_by_2026-12-31"], rows["hnt"]["p_live_by_2026-12-31_low"],
            rows["hnt"]["p_live_by_2026-12-31_high"]) == ("0", "0", "0.5")
    assert (rows["snasa"]["p_live_by_2026-12-31"], rows["snasa"]["p_live_by_2026-12-31_low"],
            rows["snasa"]["p_live_by_2026-12-31_high"]) == ("", "0", "1")  # no answer known: no share, a range
    done = rows["completion"]  # before: no completion row at all
    assert (done["median"], done["p_live_by_2026-12-31"], done["p_live_by_2026-12-31_low"],
            done["p_live_by_2026-12-31_high"], done["without_plan"]) == ("", "0", "0", "0.5", "2")
    text = flat(summary_text(s, 100))
    assert ("0 with a plan, 2 without" in text and "P(done by 2026-12-31) 0%; 0%-50.0% whatever "
            "the 1 scenario without a plan would answer") in text, text
    assert json.loads(summary_json(s))["actors"][0]["p_later"] is None
    assert "No go-live varies" in sweep_html(s)  # the chart of no plan: no share of None compared


def risk_results(live_by: list[str]) -> Results:
    """Ten futures: the trust and its unit (a `together` rule) later in 9 but live by 2026-02-28 in all;
    aure never later but ready in 2026-02 only, not live by 2026-02-28 in 3 of them."""
    ids = {"hnt": "health_trust", "levanger": "hospital", "aure": "municipality", "skaun": "municipality"}
    actors = [{"id": i, "name": i.title(), "kind": k, "mandatory": True, "population": 1000} for i, k in ids.items()]
    base_go = {"hnt": "2024-11-09", "levanger": "2024-11-09", "aure": "2026-02-07", "skaun": "2025-02-08"}
    base = {"type": "base", "status": "optimal", "completion": "2026-02-07", "actors": actors, "go_live": base_go,
            "together": [{"id": "hnt-together", "members": ["hnt", "levanger"]}]}
    records = []
    for i in range(10):
        later = i < 9
        moved = "2025-04-26" if later else "2024-11-09"
        go = dict(base_go, hnt=moved, levanger=moved, aure="2026-04-25" if i < 3 else "2026-02-07", skaun="2025-04-26" if i < 2 else "2025-02-08")
        delay = {k: v for k, v in (("hnt", 5 if later else 0), ("levanger", 5 if later else 0),
                                   ("aure", 2 if i < 3 else 0), ("skaun", 2 if i < 2 else 0)) if v}
        records.append({"type": "result", "index": i, "status": "optimal", "tie_break": "complete", "go_live": go,
                        "completion": max(go.values()), "delay": delay, "moved": len(delay),
                        "population_months": 0, "cost_mnok": 0})
    header = {"type": "header", "spec": "s.yaml", "kind": "monte_carlo", "seed": 1, "size": 10, "live_by": live_by,
              "axes": []}
    return Results(header, base, records)


def test_most_at_risk_ranks_by_the_first_live_by_date_and_a_together_rule_is_one_row():
    s = aggregate(risk_results(["2026-02-28", "2026-12-31"]))
    # before: hnt, levanger (90% later) above aure (30% later), though both are live by 2026-02-28 in every future
    assert [a.id for a in s.at_risk()] == ["aure", "hnt", "skaun"]
    data = json.loads(summary_json(s))
    assert data["at_risk"] == ["aure", "hnt", "skaun"]
    assert data["at_risk_groups"] == {"hnt": {"id": "hnt-together", "members": ["hnt", "levanger"]}}
    text = summary_text(s, 120)
    risk = text.split("Most at risk")[1].split("Whose delay")[0].split("Go-live per organisation")[0]
    assert flat(risk).startswith("Most at risk: go-lives least likely live by 2026-02-28"[len("Most at risk"):])
    lines = [line for line in risk.splitlines() if line.split(" ")[0] in ("aure", "hnt-together", "skaun")]
    assert [line.split()[0] for line in lines] == ["aure", "hnt-together", "skaun"], risk
    assert "levanger" not in risk.split("Ranked by")[0], risk  # the unit is in the group's row, not one of its own
    assert "Later" in risk and "90.0%" in lines[1] and "70.0%" in lines[0], risk  # "later than base" kept as a column
    assert "hnt-together (2): the 2 organisations of that `together` rule (hnt, levanger)" in flat(risk), risk
    # without live_by dates the question is "later than the base plan", as before
    assert [a.id for a in aggregate(risk_results([])).at_risk()] == ["hnt", "aure", "skaun"]
