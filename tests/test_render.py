"""The terminal view (render.py) and the machine formats (formats.py) on a tiny hand-made plan."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace

import pytest
from rich.console import Console

from hpplan.formats import CSV_COLUMNS, peak_loads, plan_groups, to_csv, to_markdown, window_summary
from hpplan.problem import Problem
from hpplan.render import render_plan
from hpplan.schema import Organisation, WavesFile
from hpplan.solution import Assignment, LoadPoint, Solution, SolveStats, Status

SRC = {"all": "fact: test data"}
LONG_NAME = "Verdal kommune - helse og omsorg, legevakt, sykehjem og hjemmetjenester"


def _org(**fields) -> Organisation:
    if any(k in fields for k in ("users", "population", "live_since")):
        fields.setdefault("source", SRC)
    return Organisation.model_validate(fields)


ORGS = [
    dict(id="hmr", name="Helse Møre og Romsdal HF", kind="health_trust", status="live",
         live_since="2023-04-28", users=9000, population=270_000),
    dict(id="hnt", name="Helse Nord-Trøndelag HF", kind="health_trust", status="signed",
         users=4500, population=135_000),
    dict(id="alesund", name="Ålesund kommune", kind="municipality", status="live",
         live_since="2023-04-28", users=2000, population=67_000),
    dict(id="steinkjer", name="Steinkjer kommune", kind="municipality", status="planned",
         users=800, population=24_000),
    dict(id="levanger", name="Levanger kommune", kind="municipality", status="planned",
         users=600, population=20_000),
    dict(id="verdal", name=LONG_NAME, kind="municipality", status="planned", users=500, population=15_000),
    dict(id="gp-privat", name="Legesenteret Privat AS", kind="gp_office", status="optional",
         municipality="steinkjer", private=True, users=12),
    dict(id="gp-levanger", name="Levanger legesenter", kind="gp_office", status="optional",
         municipality="levanger", users=20),
    dict(id="nordmore", name="Nordmøre kommune", kind="municipality", status="opted_out",
         users=300, population=10_000),
]

WAVES = {
    "planning_date": "2025-03-01",
    "windows": [
        {"id": "W0", "date": "2023-04-29", "name": "Møre og Romsdal"},
        {"id": "W1", "date": "2025-06-07", "name": "Steinkjer"},
        {"id": "W2", "date": "2025-11-08", "name": "Nord-Trøndelag"},
        {"id": "W3", "date": "2026-05-02"},
    ],
    "pools": [
        {"id": "spes", "name": "Specialist support", "sector": "specialist", "fte": 40, "source": SRC},
        {"id": "prim", "sector": "primary", "fte": 20, "source": SRC},
    ],
    "load_profiles": [
        {"id": "health_trust", "before": [5, 10, 20], "hypercare": [30, 10], "source": SRC},
        {"id": "municipality", "before": [1, 2], "hypercare": [4], "source": SRC},
        {"id": "gp_office", "before": [], "hypercare": [1], "source": SRC},
    ],
}

# (id, go-live, window, pinned)
PLAN = [
    ("hmr", "2023-04-28", "W0", True),
    ("hnt", "2025-11-08", "W2", False),
    ("alesund", "2023-04-28", "W0", True),
    ("steinkjer", "2025-06-07", "W1", False),
    ("levanger", "2025-11-08", "W2", False),
    ("verdal", "2026-05-02", "W3", False),
    ("gp-privat", None, None, False),
    ("gp-levanger", "2025-11-08", "W2", False),
    ("nordmore", None, None, False),
]


def make_problem(**waves) -> Problem:
    return Problem(organisations=[_org(**o) for o in ORGS], waves=WavesFile.model_validate(WAVES | waves))


def _loads(problem: Problem) -> list[LoadPoint]:
    """A made-up load with a known peak: spes 35 FTE in 2025-10 (limit 40), prim 7.5 in 2025-11."""
    points = []
    for month in problem.months:
        label = f"{month // 12:04d}-{month % 12 + 1:02d}"
        spes = {"2025-09": 5.0, "2025-10": 35.0, "2025-11": 30.0, "2025-12": 35.0}.get(label, 0.0)
        prim = {"2025-05": 2.0, "2025-11": 7.5}.get(label, 1.0)
        points.append(LoadPoint("spes", label, spes, 40.0))
        points.append(LoadPoint("prim", label, prim, 20.0))
    return points


def make_solution(problem: Problem, status: Status = Status.feasible) -> Solution:
    plan = []
    for org_id, go_live, window, pinned in PLAN:
        org = problem.org[org_id]
        plan.append(
            Assignment(
                id=org_id,
                name=org.name,
                kind=org.kind.value,
                sector=org.effective_sector.value,
                go_live=dt.date.fromisoformat(go_live) if go_live else None,
                window=window,
                pinned=pinned,
            )
        )
    return Solution(
        status=status,
        objective={"population_delay": 1_234_567, "preference": 20_000, "total": 1_254_567},
        plan=plan,
        load=_loads(problem),
        stats=SolveStats(wall_time=1.234, build_time=0.056, gap=0.0125, best_bound=1_200_000, seed=7, workers=8),
    )


@pytest.fixture
def problem() -> Problem:
    return make_problem()


@pytest.fixture
def solution(problem: Problem) -> Solution:
    return make_solution(problem)


# --------------------------------------------------------------------------------------------------
# helpers

BLOCKS = {chr(c) for c in range(0x2580, 0x25A0)}  # block elements: ░ ▒ ▓ █ ...
BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)}  # ─ │ ┊ ┼ ...
NORWEGIAN = set("æøåÆØÅ")


def render(problem: Problem, solution: Solution, width: int, terminal: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        width=width, file=out, force_terminal=terminal, color_system="standard" if terminal else None,
        legacy_windows=False,
    )
    render_plan(problem, solution, console)
    text = out.getvalue()
    return re.sub(r"\x1b\[[0-9;]*m", "", text) if terminal else text  # colours off: what one sees


def _row_of(lines: list[str], name: str) -> str:
    rows = [line for line in lines if line.startswith(name)]
    assert len(rows) == 1, f"{name!r} should have exactly one row"
    return rows[0]


def _year_columns(header: str) -> dict[int, int]:
    """Year label -> its column in the timeline header ('2026' or "'26")."""
    found = {}
    for m in re.finditer(r"(?<![\d'])(?:(20\d\d)|'(\d\d))(?!\d)", header):
        year = int(m.group(1)) if m.group(1) else 2000 + int(m.group(2))
        found[year] = m.start()
    return found


def _timeline_header(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("Organisation"))


# --------------------------------------------------------------------------------------------------
# render.py


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("width", [80, 160])
def test_no_line_wider_than_the_console(problem, solution, width, terminal):
    text = render(problem, solution, width, terminal)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert any("Helse Nord-Trøndelag HF" in line for line in lines)


@pytest.mark.parametrize("width", [80, 160])
def test_rows_do_not_wrap(problem, solution, width):
    lines = render(problem, solution, width).splitlines()
    # every organisation is one row that starts with its (possibly truncated) name
    for org in problem.organisations:
        prefix = org.name[:10]
        assert sum(line.startswith(prefix) for line in lines) == 1, org.name
    # the long name is cut, not wrapped
    row = _row_of(lines, LONG_NAME[:12])
    assert LONG_NAME not in row and "~" in row


def test_names_take_the_room_the_timeline_leaves(problem, solution):
    lines = render(problem, solution, 250).splitlines()
    assert LONG_NAME in _row_of(lines, LONG_NAME[:12])  # 73 characters: more than NAME_MAX, and room for it
    assert max(len(line) for line in lines) <= 250


def test_names_that_read_the_same_once_cut_keep_where_they_differ(problem, solution):
    from hpplan.render import FANCY, PLAIN, distinct_labels

    twins = ["Fastlegekontor i Trondheim (1, unnamed)", "Fastlegekontor i Trondheim (2, unnamed)"]
    for g in (PLAIN, FANCY):
        labels = distinct_labels(twins + ["Short"], 28, g)
        assert labels["Short"] == "Short"
        assert labels[twins[0]] != labels[twins[1]]
        assert all(len(labels[name]) == 28 and g.ellipsis in labels[name] for name in twins)
        assert labels[twins[0]].endswith("1, unnamed)")
    # three alike: each keeps where it differs from the most alike of the others (two read "i Hels~")
    labs = ["Laboratoriene ved St. Olavs hospital", "Laboratoriene i Helse Møre og Romsdal",
            "Laboratoriene i Helse Nord-Trøndelag"]
    for width in (13, 14, 16, 20):
        shown = distinct_labels(labs, width, PLAIN)
        assert len(set(shown.values())) == 3, shown
    # a long common middle after the difference: the difference is kept, the rest cut
    long = ["Legekontor A og B" + " med felles sentralbord" * 3, "Legekontor A og C" + " med felles sentralbord" * 3]
    labels = distinct_labels(long, 20, PLAIN)
    assert labels[long[0]] != labels[long[1]] and all(len(v) <= 20 for v in labels.values())
    # in the Gantt: two organisations whose names differ only at their end each show their own
    names = dict(zip(("levanger", "steinkjer"), twins))
    renamed = [o.model_copy(update={"name": names[o.id]}) if o.id in names else o for o in problem.organisations]
    twin_problem = Problem(organisations=renamed, waves=problem.waves)
    lines = render(twin_problem, make_solution(twin_problem), 80).splitlines()
    shown = [line[:28] for line in lines if line.startswith("Fastlegekontor")]
    assert len(shown) == 2 and shown[0] != shown[1], shown


@pytest.mark.parametrize("width", [80, 160])
def test_piped_output_is_plain_ascii(problem, solution, width):
    text = render(problem, solution, width)
    assert not set(text) & (BLOCKS | BOX_DRAWING)
    odd = {c for c in text if ord(c) > 127} - NORWEGIAN
    assert not odd, f"non-ASCII characters in piped output: {sorted(odd)}"
    assert "\x1b" not in text
    assert "#" in text and "-" in text and "+" in text


def test_terminal_output_uses_blocks(problem, solution):
    text = render(problem, solution, 160, terminal=True)
    assert "█" in text and "░" in text and "▒" in text and set(text) & BLOCKS


def column_of(lines: list[str], year: int, month: int) -> int:
    """The character column of month `month` (1-12) of `year` on the timeline, counted from a January:
    the year's own label, or the next year's when the year is the chart's first (its label stands at
    the first column, not at its January)."""
    header = _timeline_header(lines)
    units = lines[lines.index(header) + 1]
    labels = _year_columns(header)
    base = year if year - 1 in labels else year + 1
    jan = labels[base]
    step = next(i for i in range(jan + 1, len(units)) if units[i] != " ") - jan  # characters per unit
    offset = (year - base) * 12 + month - 1  # months from that January
    if units[jan] == "J":  # months: J F M A ...
        return jan + offset * step
    assert units[jan] == "1", units  # quarters: 1 2 3 4
    return jan + (offset // 3) * step


def timeline_unit(lines: list[str]) -> str:
    header = _timeline_header(lines)
    units = lines[lines.index(header) + 1]
    return {"J": "month", "1": "quarter"}[units.strip()[0]] if units.strip()[:1] in "J1" else "?"


@pytest.mark.parametrize("width", [80, 160])
def test_go_live_mark_in_the_right_column(problem, solution, width):
    lines = render(problem, solution, width).splitlines()
    assert timeline_unit(lines) == "month"
    # Helse Nord-Trøndelag goes live 2025-11: its first go-live mark is that month's column
    row = _row_of(lines, "Helse Nord-Trøndelag HF")
    assert row.index("#") == column_of(lines, 2025, 11), row
    assert row[row.index("#") - 1] == "-"  # preparation before
    assert row[row.rindex("#") + 1] == "+"  # hypercare after
    assert _row_of(lines, "Steinkjer kommune").index("#") == column_of(lines, 2025, 6)
    assert _row_of(lines, LONG_NAME[:12]).index("#") == column_of(lines, 2026, 5)


@pytest.mark.parametrize("width", [80, 160])
def test_quarters_when_months_do_not_fit(width):
    problem = make_problem(horizon_end="2030-12-31")  # 70 months from the planning month
    solution = make_solution(problem)
    lines = render(problem, solution, width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert timeline_unit(lines) == ("quarter" if width == 80 else "month")
    for name, year, month in (("Levanger kommune", 2025, 11), ("Steinkjer kommune", 2025, 6)):
        assert _row_of(lines, name).index("#") == column_of(lines, year, month), name


def test_groups_by_window_with_history_and_unscheduled(problem, solution):
    lines = render(problem, solution, 120).splitlines()
    headers = [line for line in lines if line.startswith("== ")]
    assert [h.split()[1] for h in headers] == ["W0", "W1", "W2", "W3", "not"]
    assert "history" in headers[0] and "history" not in headers[1]
    # rows come under their window's header
    at = {line: i for i, line in enumerate(lines)}
    w2 = at[headers[2]]
    assert w2 < at[_row_of(lines, "Levanger legesenter")] < at[headers[3]]
    unscheduled = lines[at[headers[4]] + 1 : at[headers[4]] + 3]
    assert {r.split("  ")[0] for r in unscheduled} == {"Nordmøre kommune", "Legesenteret Privat AS"}
    assert "opted out" in _row_of(lines, "Nordmøre kommune")
    assert "optional" in _row_of(lines, "Legesenteret Privat AS")


def test_history_rows_clipped_with_a_marker_when_narrow(problem, solution):
    lines = render(problem, solution, 60).splitlines()
    row = _row_of(lines, "Helse Møre og Romsdal HF")
    assert "<" in row and "#" not in row  # history go-live is left of the chart


def test_summary_shares(problem, solution):
    summary = {s.window.id: s for s in window_summary(problem, solution)}
    assert [s.actors for s in summary.values()] == [2, 1, 3, 1]
    assert summary["W0"].history and not summary["W1"].history
    assert summary["W2"].users == 4500 + 600 + 20
    primary_all = 67_000 + 24_000 + 20_000 + 15_000 + 10_000  # opted-out Nordmøre counts as a municipality
    assert summary["W0"].primary_share == pytest.approx(67_000 / primary_all)
    assert summary["W1"].primary_share == pytest.approx(91_000 / primary_all)
    assert summary["W3"].primary_share == pytest.approx(126_000 / primary_all)
    assert summary["W1"].specialist_share == pytest.approx(270_000 / 405_000)
    assert summary["W2"].specialist_share == pytest.approx(1.0)


def test_summary_in_the_rendered_output(problem, solution):
    lines = render(problem, solution, 80).splitlines()
    w1 = next(line for line in lines if line.startswith("W1 ") and "2025-06-07" in line)
    assert "66.9%" in w1 and "66.7%" in w1
    w2 = next(line for line in lines if line.startswith("W2 ") and "2025-11-08" in line)
    assert "81.6%" in w2 and "100.0%" in w2 and "5 120" in w2


def test_peak_load(problem, solution):
    peaks = {p.pool: p for p in peak_loads(problem, solution)}
    assert list(peaks) == ["spes", "prim"]
    assert (peaks["spes"].used, peaks["spes"].month, peaks["spes"].limit) == (35.0, "2025-10", 40.0)
    assert peaks["spes"].utilisation == pytest.approx(0.875)
    assert (peaks["prim"].used, peaks["prim"].month) == (7.5, "2025-11")
    text = render(problem, solution, 80)
    assert re.search(r"spes.*35.*2025-10.*40.*87\.5%", text)


def test_footer(problem, solution):
    text = render(problem, solution, 80)
    assert "feasible (gap 1.25%)" in text
    assert "population_delay 1 234 567" in text and "total 1 254 567" in text
    assert "1.23 s" in text and "seed 7" in text and "8 workers" in text and "cp-sat" in text


def test_long_objective_breaks_into_lines(problem, solution):
    solution.objective = {f"term_{i}": 10**9 + i for i in range(6)}
    lines = render(problem, solution, 80).splitlines()
    assert max(len(line) for line in lines) <= 80
    for i in range(6):  # terms continue on further lines, never split inside a number
        assert sum(f"term_{i} 1 000 000 00{i}" in line for line in lines) == 1


@pytest.mark.parametrize("status", [Status.infeasible, Status.unknown])
def test_no_plan(problem, status):
    solution = Solution(status=status)
    text = render(problem, solution, 80)
    assert f"No plan to show ({status.value})" in text
    assert f"Status: {status.value}" in text


def test_scenario_in_title(problem, solution):
    problem.applied.append("hnt: latest 2025-09-01")
    assert "scenario: hnt: latest 2025-09-01" in render(problem, solution, 80)


def test_plan_groups_pinned_without_window(problem, solution):
    # a pinned organisation live a month after the nearest window is in no window (docs/rules.md
    # "Pinned": none within 6 days); it comes after the window before it, not in it
    solution.plan[2] = Assignment("alesund", "Ålesund kommune", "municipality", "primary",
                                  dt.date(2023, 6, 1), None, True)
    groups = {g.key: g for g in plan_groups(problem, solution)}
    assert [e.id for e in groups["W0"].entries] == ["hmr"]
    assert [e.id for e in groups["after-W0"].entries] == ["alesund"]
    assert groups["after-W0"].title == "live after W0, in no window"
    assert list(groups).index("after-W0") == list(groups).index("W0") + 1
    assert [e.id for e in groups["not-scheduled"].entries] == ["nordmore", "gp-privat"]


# --------------------------------------------------------------------------------------------------
# formats.py


def test_csv(problem, solution):
    text = to_csv(problem, solution)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [r["id"] for r in rows] == [p[0] for p in PLAN]
    hmr = rows[0]
    assert hmr == {
        "id": "hmr", "name": "Helse Møre og Romsdal HF", "kind": "health_trust", "sector": "specialist",
        "status": "live", "go_live": "2023-04-28", "window": "W0", "pinned": "true", "users": "9000",
        "population": "270000", "estimates": "",
    }
    unscheduled = next(r for r in rows if r["id"] == "gp-privat")
    assert (unscheduled["go_live"], unscheduled["window"], unscheduled["population"]) == ("", "", "")
    assert unscheduled["status"] == "optional" and unscheduled["pinned"] == "false"
    verdal = next(r for r in rows if r["id"] == "verdal")
    assert verdal["name"] == LONG_NAME  # the comma is quoted, not split
    assert to_csv(problem, solution) == text  # deterministic


def test_markdown(problem, solution):
    text = to_markdown(problem, solution)
    assert "**feasible (gap 1.25%)**" in text
    assert "| window | go-live | id | name | kind | sector | status | users |" in text
    for org in problem.organisations:
        assert org.name in text
    assert "| population_delay | 1 234 567 |" in text
    assert "| W2 | 2025-11-08 | Nord-Trøndelag | 3 | 5 120 | 81.6% | 100.0% |" in text
    assert "| W0 (history) | 2023-04-28 | hmr | Helse Møre og Romsdal HF |" in text
    assert "| spes (Specialist support) | 35 | 2025-10 | 40 | 87.5% |" in text
    # every table row has as many cells as its header
    for block in text.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            assert len({line.count(" | ") for line in rows if not line.startswith("|-")}) == 1, block


# --------------------------------------------------------------------------------------------------
# a row per window and kind (national scale)


def _detail_render(problem: Problem, solution: Solution, detail) -> list[str]:
    out = io.StringIO()
    render_plan(problem, solution, Console(width=120, file=out, color_system=None), detail)
    return out.getvalue().splitlines()


def test_a_row_per_window_and_kind_merges_the_marks_of_its_organisations():
    from hpplan.formats import Detail, by_kind, kind_noun
    from hpplan.render import choose_layout

    # Verdal with a longer preparation and hypercare, in Levanger's window: the row of the two spans both
    orgs = [dict(o, load_profile="municipality-long") if o["id"] == "verdal" else o for o in ORGS]
    profiles = WAVES["load_profiles"] + [{"id": "municipality-long", "before": [1, 1, 1, 1, 2],
                                          "hypercare": [4, 2, 1], "source": SRC}]
    problem = Problem(organisations=[_org(**o) for o in orgs],
                      waves=WavesFile.model_validate(WAVES | {"load_profiles": profiles}))
    plan = [("verdal", "2025-11-08", "W2", False) if p[0] == "verdal" else p for p in PLAN]
    solution = make_solution(problem)
    solution.plan = [replace(a, go_live=dt.date.fromisoformat(g) if g else None, window=w, pinned=pin)
                     for a, (_, g, w, pin) in zip(solution.plan, plan)]

    each = _detail_render(problem, solution, Detail.organisation)
    merged = _detail_render(problem, solution, Detail.window)
    assert any(line.startswith("A row per window and kind") for line in merged)
    lead = choose_layout(problem, solution, 120).lead  # where the timeline starts, the same in both
    rank = {"#": 3, "+": 2, "-": 1}  # go-live over hypercare over preparation, as in a quarter's cell
    # the organisations' rows, in the order of the plan's groups (between the header and the legend)
    body = each[each.index("") + 3:]
    rows = iter(line for line in body[:body.index("")] if not line.startswith("== "))
    row_of = {e.id: next(rows) for g in plan_groups(problem, solution) for e in g.entries}
    after = 0
    for group in plan_groups(problem, solution):
        for entries in by_kind(group.entries):
            label = f"{len(entries)} {kind_noun(entries[0].kind, len(entries))} "
            at = next(i for i in range(after, len(merged)) if merged[i].startswith(label))
            after, row = at + 1, merged[at]
            if entries[0].go_live is None:
                assert "not scheduled" in row
                continue
            members = [row_of[e.id][lead:] for e in entries]
            for col, char in enumerate(row[lead:]):
                strongest = max(rank.get(m[col], 0) if col < len(m) else 0 for m in members)
                assert rank.get(char, 0) == strongest, (label, col)


def test_the_row_per_organisation_stays_below_the_auto_limit(problem, solution):
    from hpplan.formats import Detail

    assert _detail_render(problem, solution, Detail.auto) == _detail_render(problem, solution, Detail.organisation)


@pytest.mark.parametrize("terminal", [False, True])
def test_numbers_are_never_cut_however_narrow(problem, solution, terminal):
    # at 40 columns the fixed columns of the per-window table do not fit: rich cropped them ("4 52" for
    # 4 520, with no marker when piped); the table now keeps its width and the terminal wraps it
    text = render(problem, solution, 40, terminal)
    for s in window_summary(problem, solution):
        users = f"{s.users:,}".replace(",", " ")
        assert re.search(rf"(?<!\d)(?<!\d ){users}(?!\d)(?! \d)", text), (users, text)
    assert "Specialist" in text
    peak = text[text.index("Peak load per pool"):]
    assert "spes" in peak and "prim" in peak  # the pool column names the rows: never left out


def test_estimated_users_are_marked_with_one_note(problem, solution):
    # the docs promise that no estimate is shown as a fact; the per-window table, the Gantt's window
    # lines and the "Not scheduled" line showed estimated users exactly as published ones
    text = render(problem, solution, 120)
    assert not re.search(r"(?<!W)\d\*", text)  # facts only: no mark (W0* marks history), no note
    assert "estimate" not in text

    estimated = {"users": "estimate: 5.5 % of population", "population": "fact: SSB"}
    orgs = [o | {"source": estimated} if o["id"] in ("steinkjer", "nordmore") else o for o in ORGS]
    mixed = Problem(organisations=[_org(**o) for o in orgs], waves=WavesFile.model_validate(WAVES))
    text = render(mixed, make_solution(mixed), 120)
    lines = text.splitlines()
    rows = {line.split()[0]: line for line in lines if re.match(r"W\d\*? +\| 20", line)}
    assert re.search(r"\| +800\* \|", rows["W1"])  # Steinkjer's users: an estimate
    assert re.search(r"\| +5 120 \|", rows["W2"]) and "*" not in rows["W2"]  # facts
    assert "800* users]" in next(line for line in lines if line.startswith("== W1"))
    assert "[3 actors, 5 120 users]" in next(line for line in lines if line.startswith("== W2"))
    assert "Not scheduled: 2 organisations, 312* users." in text  # Nordmøre's 300 are estimated
    assert text.count("* after a number: an estimate (see the data's source notes).") == 1
    assert "* after a window id: history, before the planning date." in text


def test_two_organisations_of_one_name_each_show_their_id(problem, solution):
    # two GP offices named alike gave two rows that read the same (the report said them apart by id)
    orgs = [o | {"name": "Legekontoret"} if o["id"] in ("gp-privat", "gp-levanger") else o for o in ORGS]
    twins = Problem(organisations=[_org(**o) for o in orgs], waves=WavesFile.model_validate(WAVES))
    for width in (120, 60):
        lines = render(twins, make_solution(twins), width).splitlines()
        rows = [line for line in lines if line.startswith("Legekontor")]
        assert len(rows) == 2 and rows[0].split("  ")[0] != rows[1].split("  ")[0], rows
    lines = render(twins, make_solution(twins), 120).splitlines()
    assert _row_of(lines, "Legekontoret (gp-levanger)") and _row_of(lines, "Legekontoret (gp-privat)")
    assert _row_of(lines, "Ålesund kommune ")  # a name of its own is shown as it is


def test_one_organisation_not_scheduled_is_said_in_the_singular(problem, solution):
    solution.plan[-1] = Assignment("nordmore", "Nordmøre kommune", "municipality", "primary",
                                   dt.date(2025, 6, 7), "W1", False)
    text = render(problem, solution, 120)
    assert "Not scheduled: 1 organisation, 12 users." in text and "1 organisations" not in text


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("width", [30, 24])
def test_the_footer_never_cuts_a_figure_however_narrow(problem, solution, width, terminal):
    """At 30 columns "Objective: population_delay 1 234 567" was cropped to "... 1 23", and a solve's
    last part ("proved optimal by cp-sa"): an item too wide for its line now goes on, indented, at a
    space that is not inside a figure."""
    solution.stats = replace(solution.stats, engine="cp-sat + highs", found_by="cp-sat", proved_by="cp-sat",
                             time_limit=5.0)
    text = render(problem, solution, width, terminal)
    footer = text[text.index("Status:"):].splitlines()
    assert all(len(line) <= width for line in footer if "population_delay" not in line), footer
    shown = " ".join(" ".join(line.split()) for line in footer)
    for term, value in solution.objective.items():
        figure = f"{value:,}".replace(",", " ")
        assert f"{term} {figure}" in shown and any(figure in line for line in footer), (term, figure, footer)
    for part in ("1.23 s (set-up 0.06 s)", "time limit 5 s", "proved optimal by cp-sat", "plan found by cp-sat",
                 "seed 7", "8 workers"):
        assert part in shown, (part, footer)
    # a broken item goes on further in than the items (under "Solve: " and "Objective: ", 2 more)
    assert any(re.match(r"( {9}| {13})\S", line) for line in footer), footer


def test_a_dumb_terminal_gets_the_terminal_s_width(monkeypatch):
    """rich took 80 columns for TERM=dumb whatever COLUMNS said; hpplan's console takes COLUMNS."""
    from hpplan.cli import terminal

    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    console = terminal()
    assert console.is_dumb_terminal and console.width == 60
    assert Console().width == 80  # what rich does alone: the reason for `terminal`
    monkeypatch.setenv("TERM", "xterm")
    assert terminal().width == 60
