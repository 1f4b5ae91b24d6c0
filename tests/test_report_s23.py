"""The reports and exports of a saved plan say what it is (s23 reporter and notebook testers): an
organisation the plan leaves out is shown, not dropped; figures saved before the data changed are
recomputed and told apart from broken rules; a plan file claims no solver; what-ifs get calendars of
their own; shares live that rest on estimates are marked; formula-like names are guarded in CSV; an
infinite number formats; the library's exports say what they take."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import build, org, solved
from icalendar import Calendar
from openpyxl import load_workbook
from typer.testing import CliRunner

from hpplan import cli
from hpplan.exports import to_ics, to_xlsx, uid_namespace
from hpplan.formats import fmt_int, fmt_number, to_csv, to_markdown, window_summary
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.report import load_figure, report_html, static_chart
from hpplan.scenario import apply_quick
from hpplan.solution import Solution, Status, read_plan
from hpplan.verify import verify

REPO = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
STAMP = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
runner = CliRunner()


def report(*args: str):
    return runner.invoke(cli.app, ["report", *map(str, args)])


def events(text: str) -> list:
    return [c for c in Calendar.from_ical(text).walk() if c.name == "VEVENT"]


def about(xlsx: bytes) -> list[tuple]:
    return [tuple(r) for r in load_workbook(io.BytesIO(xlsx))["About"].iter_rows(min_row=2, values_only=True)]


def page_text(page: str) -> str:
    """The HTML report's text, without its scripts (plotly.js and the figures' JSON)."""
    body = re.sub(r"<script.*?</script>", "", page[page.index("<main>"):], flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def tiny() -> tuple[Problem, Solution]:
    problem = load_problem(TINY)
    return problem, solved(problem)


@pytest.fixture
def saved(tiny, tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(tiny[1].to_json(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# 1. an organisation the saved plan leaves out


def test_an_organisation_missing_from_the_plan_is_shown_in_every_format(tiny):
    problem, solution = tiny
    missing = replace(solution, plan=[e for e in solution.plan if e.id != "orsta"])
    page = page_text(report_html(problem, missing))
    # the counts add up to the data's organisations, and the organisation is named
    counts = {label: int(n) for label, n in re.findall(r"(live before the planning date|planned go-lives|not scheduled|"
                                                       r"not in the plan) (\d+)", page)}
    assert counts["not in the plan"] == 1 and sum(counts.values()) == len(problem.organisations)
    assert "Not in the plan" in page and "Ørsta municipality planned 600*" in page
    assert "is missing from the plan" in page  # the verifier's box stays
    book = load_workbook(io.BytesIO(to_xlsx(problem, missing, STAMP)))
    rows = {r[3]: r for r in book["Plan"].iter_rows(min_row=2, values_only=True)}
    assert len(rows) == len(problem.organisations) and rows["orsta"][:2] == (None, "not in the plan")
    calendar = Calendar.from_ical(to_ics(problem, missing, STAMP))
    assert "not in the plan (1): Ørsta" in str(calendar["X-WR-CALDESC"])
    title = " ".join(ET.fromstring(static_chart(problem, missing, "svg", "coverage")).itertext())
    assert "not in the plan (1): Ørsta" in title
    assert "| not in the plan |  | orsta | Ørsta |" in to_markdown(problem, missing)
    # a whole plan has no such row or section
    assert "not in the plan" not in page_text(report_html(problem, solution))


def test_report_of_a_saved_plan_that_leaves_one_out_names_it(tmp_path: Path, tiny):
    problem, solution = tiny
    path = tmp_path / "missing.json"
    data = json.loads(solution.to_json())
    data["plan"] = [e for e in data["plan"] if e["id"] != "orsta"]
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    out = tmp_path / "missing.xlsx"
    result = report("--data", TINY, "--plan", path, "-o", out)
    assert result.exit_code == 0, result.output
    rows = {r[3]: r for r in load_workbook(out)["Plan"].iter_rows(min_row=2, values_only=True)}
    assert rows["orsta"][1] == "not in the plan"


# --------------------------------------------------------------------------------------------------
# 2. figures saved before the data changed: recomputed, and not "broken rules"


@pytest.fixture
def more_people(tmp_path: Path) -> Path:
    """tiny with Ørsta's population ten times larger: a saved plan of tiny keeps every rule, but its
    objective is out of date."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    orgs = data / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace("population: 10958", "population: 109580"), encoding="utf-8")
    return data


def test_a_stale_objective_is_recomputed_and_not_called_a_broken_rule(more_people: Path, saved: Path, tmp_path: Path):
    problem = load_problem(more_people)
    stale = [v.rule for v in verify(problem, read_plan(saved))]
    assert stale and set(stale) == {"objective"}  # the plan keeps every rule: only its saved figure is old
    out = tmp_path / "plan.xlsx"
    result = report("--data", more_people, "--plan", saved, "-o", out)
    assert result.exit_code == 0, result.output
    assert "breaks" not in result.stderr and "its saved objective is not this data's" in result.stderr
    facts = dict(about(out.read_bytes()))
    assert facts["status"] == "optimal as saved; its saved objective is not this data's"
    shown = {k.removeprefix("objective: "): v for k, v in facts.items() if k.startswith("objective: ")}
    # the objective shown is this data's: the verifier finds nothing wrong with it
    assert verify(problem, replace(read_plan(saved), objective=shown)) == []
    page = out.with_suffix(".html")
    assert report("--data", more_people, "--plan", saved, "-o", page, "-q").exit_code == 0
    text = page_text(page.read_text(encoding="utf-8"))
    assert "checked: every rule and limit holds" in text and "rules broken" not in text
    assert "saved figures out of date" in text and "Figures saved with the plan that this data does not give" in text
    assert fmt_int(shown["total"]) in text


# --------------------------------------------------------------------------------------------------
# 3. a plan file no solver made


def test_a_plan_file_claims_no_solver(tmp_path: Path):
    plan = REPO / "data" / "adopted-plan.yaml"
    outputs = {}
    for suffix in ("html", "xlsx", "ics"):
        outputs[suffix] = tmp_path / f"adopted.{suffix}"
        result = report("--data", REPO / "data", "--plan", plan, "-o", outputs[suffix], "-q")
        assert result.exit_code == 0, result.output
    facts = dict(about(outputs["xlsx"].read_bytes()))
    assert facts["status"].startswith("plan file, not solved; breaks")
    assert facts["source"] == f"plan file {plan}" and not {"seed", "workers", "tie-break"} & facts.keys()
    assert "objective: total" in facts  # worked out from the data
    planned = [e for e in events(outputs["ics"].read_text(encoding="utf-8")) if str(e["STATUS"]) == "TENTATIVE"]
    assert planned and all(f"From {plan} (plan file, not solved" in str(e["DESCRIPTION"]) for e in planned)
    assert "Planned by hpplan" not in outputs["ics"].read_text(encoding="utf-8")
    text = page_text(outputs["html"].read_text(encoding="utf-8"))
    assert "plan file, not solved" in text and "cp-sat" not in text and "tie-break" not in text


# --------------------------------------------------------------------------------------------------
# 4. command-line what-ifs: calendars of their own


def test_command_line_what_ifs_get_their_own_uids_and_calendar_names(tiny):
    problem, solution = tiny
    later = apply_quick(problem, postpone="orsta=2024-09-01")
    cut = apply_quick(problem, capacity="primary=60")
    names = {}
    for what_if in (later, cut):
        calendar = Calendar.from_ical(to_ics(what_if, solution, STAMP, violations=[]))
        names[uid_namespace(what_if)] = str(calendar["X-WR-CALNAME"])
    assert len(names) == 2 and uid_namespace(problem) not in names
    assert "postpone orsta" in names[uid_namespace(later)] and "capacity primary 60" in names[uid_namespace(cut)]
    assert uid_namespace(apply_quick(problem, postpone="orsta=2024-09-01")) == uid_namespace(later)  # stable


# --------------------------------------------------------------------------------------------------
# 5. shares live that rest on estimated figures


def test_shares_resting_on_estimates_are_marked_and_exact_ones_not(tiny):
    problem, solution = tiny  # every figure of tiny is an estimate
    summary = window_summary(problem, solution)
    partial = [s for s in summary if s.primary_share and s.primary_share < 1]
    assert partial and all(s.primary_estimate for s in partial)
    assert not any(s.specialist_estimate for s in summary if s.specialist_share in (0, 1))
    share = f"{partial[0].primary_share * 100:.1f}%"
    assert f"| {share}* |" in to_markdown(problem, solution)  # s27: a lone mark shows as written
    assert f"{share}*" in page_text(report_html(problem, solution))
    windows = load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))["Windows"]
    rows = {r[0].value: r for r in windows.iter_rows(min_row=2)}
    assert rows[partial[0].window.id][6].number_format == '0.0%"*"'
    # the same plan with every figure a fact: nothing marked
    facts = build([org("t", kind="health_trust", population=100, users=10, source={"all": "fact: test"}),
                   org("m", population=50, users=5, source={"all": "fact: test"})],
                  pools=[{"id": s, "sector": s, "fte": 1000, "source": {"fte": "fact: test"}}
                         for s in ("specialist", "primary")])
    assert not any(s.primary_estimate or s.specialist_estimate or s.users_live_estimate
                   for s in window_summary(facts, solved(facts)))


# --------------------------------------------------------------------------------------------------
# 6. CSV: a formula-like name stays text


def test_csv_guards_formula_like_text():
    names = ["=1+2", "+SUM(1)", "-2+3", "@SUM(A1)", "Plain"]
    problem = build([org(f"m{i}", name=name) for i, name in enumerate(names)])
    rows = list(csv.DictReader(io.StringIO(to_csv(problem, solved(problem)))))
    assert [r["name"] for r in rows] == ["'=1+2", "'+SUM(1)", "'-2+3", "'@SUM(A1)", "Plain"]


# --------------------------------------------------------------------------------------------------
# 7. an infinite number formats


def test_numbers_that_are_not_finite_format(tiny):
    from rich.console import Console

    from hpplan.render import render_plan

    assert (fmt_number(math.inf), fmt_number(-math.inf), fmt_number(math.nan), fmt_int(1e400)) == ("∞", "-∞", "n/a", "∞")
    problem, solution = tiny
    endless = replace(solution, stats=replace(solution.stats, time_limit=math.inf))
    out = io.StringIO()
    render_plan(problem, endless, Console(file=out, width=120))
    assert "time limit ∞ s" in out.getvalue()


# --------------------------------------------------------------------------------------------------
# 8. the library's exports say what they take


def test_exports_of_no_plan_and_wrong_arguments_fail_at_the_call(tiny):
    problem, solution = tiny
    nothing = Solution(status=Status.infeasible)
    for export in (to_ics, to_csv):
        with pytest.raises(ValueError, match=r"has no plan \(infeasible\)"):
            export(problem, nothing)
    with pytest.raises(TypeError, match="to_csv takes a Problem first .* got Solution"):
        to_csv(solution, problem)
    with pytest.raises(TypeError, match="report_html takes its plan as a Solution .* got str"):
        report_html(problem, "plan.json")
    with pytest.raises(TypeError, match="report_html takes other as a Solution .* or None, got Problem"):
        report_html(problem, solution, other=problem)
    with pytest.raises(TypeError, match="to_xlsx takes a Problem first"):
        to_xlsx("data", solution)
    with pytest.raises(TypeError, match="static_figure takes its plan as a Solution"):
        static_chart(problem, None, "svg")


# --------------------------------------------------------------------------------------------------
# 9. the calendar of a live organisation in no window, the load hover's share, an unknown id's line


def test_the_calendar_says_where_a_live_organisation_in_no_window_stands():
    problem = build([org("trust", kind="health_trust", status="live", live_since="2023-11-04"),
                     org("m1", status="live", live_since="2023-12-01")])
    description = {str(e["UID"]).split("-")[2]: str(e["DESCRIPTION"])
                   for e in events(to_ics(problem, solved(problem), STAMP))}
    assert "Live after h1, in no window." in description["m1"]


def test_the_load_hover_shows_the_share_as_the_tables_do(tiny):
    problem, solution = tiny
    hovers = [h for trace in load_figure(problem, solution).data if trace.type == "bar" for h in trace.hovertext]
    shares = [re.search(r"FTE \((\S+)\)", h) for h in hovers]
    assert shares and all(m is None or re.fullmatch(r"\d+\.\d%\*?", m.group(1)) for m in shares)
    assert any(m is not None for m in shares)


def test_an_unknown_id_in_a_json_plan_is_reported_at_its_line(tiny, tmp_path: Path):
    path = tmp_path / "plan.json"
    text = tiny[1].to_json().replace('"orsta"', '"orsta-x"')
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"id": "orsta-x"' in row)
    result = report("--data", TINY, "--plan", path, "-o", tmp_path / "x.html")
    assert result.exit_code == 2 and f"{path}:{line}: organisation 'orsta-x'" in result.stderr
    assert not (tmp_path / "x.html").exists()
