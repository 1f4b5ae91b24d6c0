"""Session 24, fixer-final: the docs re-check's findings (follower2): a return date the verifier states is marked
as everywhere else; the Markdown summary marks estimated history dates; the notes under the terminal views."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import build, org, solved

from hpplan.verify import verify


@pytest.mark.parametrize("note, mark", [("inferred: test", "*"), ("fact: test", "")])
def test_the_return_date_of_a_mandatory_organisation_is_marked_as_its_note_says(note, mark):
    # "Aure must go live (opted out, returns 2024-12-19)" was unmarked where the next line, from the same
    # inferred note, read "returns on 2024-12-19*"
    aure = org("aure", name="Aure", status="opted_out", returns="2024-03-01")
    aure["source"] = {"all": "estimate: test", "returns": note}
    p = build([org("m1"), aure])
    plan = solved(p)
    left = dataclasses.replace(plan, plan=[dataclasses.replace(a, go_live=None, window=None) if a.id == "aure" else a
                                           for a in plan.plan])
    [finding] = [v for v in verify(p, left, check_objective=False) if v.rule == "mandatory"]
    assert finding.message == f"Aure (aure) must go live (opted out, returns 2024-03-01{mark}) but is unscheduled"
    assert finding.estimate is bool(mark)
    # left out of the plan file altogether: one finding, which says the same
    missing = dataclasses.replace(plan, plan=[a for a in plan.plan if a.id != "aure"])
    [finding] = [v for v in verify(p, missing, check_objective=False) if v.rule == "plan"]
    assert finding.message.endswith(f"(it must go live: opted out, returns 2024-03-01{mark})"), finding.message
    assert finding.estimate is bool(mark)


# ---- the Markdown's summary per window marks an estimated history date, as the terminal does ----

from test_marks_s24 import DATA, adopted  # noqa: E402  (the shipped data, the adopted plan: no solve)

from hpplan.formats import to_markdown, window_dates_estimated  # noqa: E402
from hpplan.loader import load_problem  # noqa: E402


def test_the_markdown_summary_per_window_marks_an_estimated_history_date():
    shipped = load_problem(DATA)
    plan = adopted(shipped)
    # "| 2023-04 (history) | 2023-04-29 | Ålesund |" was unmarked where the terminal and HTML read 2023-04-29*
    markdown = to_markdown(shipped, plan)
    summary = markdown[markdown.index("## Summary per window"):].split("\n## ")[0]
    dates = window_dates_estimated(shipped, plan)
    assert dates["2023-04"] and not dates["2022-11"] and not dates["2022-05"]  # by the window's own note
    for window, estimate in ((w.id, dates[w.id]) for w in shipped.history_windows):
        date = next(w.date for w in shipped.waves.windows if w.id == window).isoformat()
        assert f"| {window} (history) | {date}{'*' if estimate else ''} |" in summary, window  # s27: no backslash
    assert "| 2023-04 (history) | 2023-04-29* | " in summary
