"""Calendar and spreadsheet exports (exports.py): read back with `icalendar` and `openpyxl`, the dates
and counts equal the JSON plan."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import build, org, solved
from icalendar import Calendar
from openpyxl import load_workbook

from hpplan.formats import window_summary
from hpplan.loader import load_problem
from hpplan.problem import Problem
from hpplan.errors import InputError
from hpplan.solution import Solution, Status
from hpplan.exports import event_uid, source_date_epoch, to_ics, to_xlsx, uid_namespace
from hpplan.verify import verify

TINY = Path(__file__).parent / "data" / "tiny"
SRC = {"all": "estimate: test"}
STAMP = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
#: the default pools of `helpers.build`, their capacity a fact: a plan of facts only has no estimated limit either
FACT_POOLS = [{"id": sector, "sector": sector, "fte": 1000, "source": {"fte": "fact: test"}}
              for sector in ("specialist", "primary")]


@pytest.fixture(scope="module")
def tiny() -> tuple[Problem, Solution]:
    problem = load_problem(TINY)
    return problem, solved(problem)


@pytest.fixture(scope="module")
def with_unscheduled() -> tuple[Problem, Solution]:
    """History, a planned trust and municipality, and an opted-out municipality (never scheduled)."""
    problem = build(
        [
            org("trust-a", kind="health_trust", status="live", live_since="2023-11-04", population=300_000,
                users=10_000, name="Trust A HF"),
            org("trust-b", kind="health_trust", status="signed", population=200_000, users=8_000, name="Trust B HF"),
            org("m1", population=50_000, users=2_000, name="Møre kommune"),
            org("m3", status="opted_out", population=5_000, users=100, name="Utenfor kommune"),
        ],
        profiles=[{"id": "health_trust", "before": [20, 40], "hypercare": [40, 20], "source": SRC},
                  {"id": "municipality", "before": [5], "hypercare": [10], "source": SRC}],
    )
    return problem, solved(problem)


def plan_json(solution: Solution) -> list[dict]:
    return json.loads(solution.to_json())["plan"]


# --------------------------------------------------------------------------------------------------
# ICS


def events(text: str) -> list:
    calendar = Calendar.from_ical(text)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


@pytest.mark.parametrize("case", ["tiny", "with_unscheduled"])
def test_ics_has_one_event_per_go_live_on_the_plan_dates(case, request):
    problem, solution = request.getfixturevalue(case)
    assert solution.status is Status.optimal
    text = to_ics(problem, solution, STAMP)
    found = events(text)
    plan = {e["id"]: e for e in plan_json(solution)}
    scheduled = {i: e for i, e in plan.items() if e["go_live"]}
    assert len(found) == len(scheduled)
    by_uid = {str(e["UID"]): e for e in found}
    assert len(by_uid) == len(found)  # unique UIDs
    for org_id, entry in scheduled.items():
        event = by_uid[event_uid(problem, org_id)]
        start = event.decoded("DTSTART")
        assert type(start) is dt.date  # an all-day event (VALUE=DATE), not a date-time
        assert start.isoformat() == entry["go_live"]
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == f"Go-live: {entry['name']}"
        description = str(event["DESCRIPTION"])
        assert f"Window: {entry['window']}" in description
        org_data = problem.org[org_id]
        if org_data.users is not None:
            assert f"Users: {org_data.users:,}".replace(",", " ") in description
        assert str(event["STATUS"]) == ("CONFIRMED" if entry["pinned"] else "TENTATIVE")
        assert event.decoded("DTSTAMP") == STAMP
    assert "VALUE=DATE" in text and text.startswith("BEGIN:VCALENDAR\r\n")
    assert "Utenfor kommune" not in text  # not scheduled: no event


def test_ics_uids_are_stable_and_distinguish_data_and_scenarios(tiny, tmp_path: Path, monkeypatch):
    problem, solution = tiny
    first = to_ics(problem, solution)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    second = to_ics(problem, solution)
    uids = [str(e["UID"]) for e in events(first)]
    assert uids == [str(e["UID"]) for e in events(second)]  # stable across runs (and times)
    assert all(u.startswith("go-live-") and u.endswith(f"-{uid_namespace(problem)}@hpplan") for u in uids)
    assert "DTSTAMP:20231114T221320Z" in second  # SOURCE_DATE_EPOCH pins the stamp
    assert second == to_ics(problem, solution)  # the same plan and stamp: the same bytes
    # the same data in a folder of the same name: the same UIDs (an update), another name: others
    copy = tmp_path / "tiny"
    shutil.copytree(TINY, copy)
    assert uid_namespace(load_problem(copy)) == uid_namespace(problem)
    other = tmp_path / "other"
    shutil.copytree(TINY, other)
    assert uid_namespace(load_problem(other)) != uid_namespace(problem)
    # a scenario's plan has events of its own, whatever its description says
    scenario = replace(problem, applied=["later: Ørsta waits [postpone orsta]"])
    edited = replace(problem, applied=["later: Ørsta waits for the autumn [postpone orsta]"])
    assert uid_namespace(scenario) != uid_namespace(problem)
    assert uid_namespace(scenario) == uid_namespace(edited)


def test_ics_moved_go_live_keeps_its_uid(tiny):
    problem, solution = tiny
    later = problem.future_windows[-1]
    moved = replace(solution, plan=[replace(e, go_live=later.date, window=later.id) if e.id == "orsta" else e
                                    for e in solution.plan])
    before = {str(e["UID"]): e.decoded("DTSTART") for e in events(to_ics(problem, solution, STAMP))}
    after = {str(e["UID"]): e.decoded("DTSTART") for e in events(to_ics(problem, moved, STAMP))}
    assert before.keys() == after.keys()
    uid = event_uid(problem, "orsta")
    assert before[uid] != after[uid] == later.date


# --------------------------------------------------------------------------------------------------
# XLSX


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def as_date(value) -> dt.date:
    assert isinstance(value, dt.datetime), value  # openpyxl reads date cells back as datetimes
    return value.date()


@pytest.mark.parametrize("case", ["tiny", "with_unscheduled"])
def test_xlsx_sheets_equal_the_plan(case, request):
    problem, solution = request.getfixturevalue(case)
    data = to_xlsx(problem, solution, STAMP)
    assert data[:2] == b"PK"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Plan", "Load", "Windows", "About"]

    # Plan: one row per organisation; go-live and window date are real dates
    sheet = book["Plan"]
    table = rows(sheet)
    header = table[0]
    assert header[:5] == ["go-live", "window", "window date", "id", "name"]
    plan = {e["id"]: e for e in plan_json(solution)}
    assert len(table) - 1 == len(plan)
    for r, row in enumerate(table[1:], start=2):
        entry = plan[row[3]]
        if entry["go_live"] is None:
            assert row[0] is None and row[1] is None
        else:
            assert as_date(row[0]).isoformat() == entry["go_live"]
            # a history date that is an estimate or inference carries the mark, and `estimates` names it
            marked = "live_since" in (row[12] or "")
            assert sheet.cell(r, 1).number_format == ('yyyy-mm-dd"*"' if marked else "yyyy-mm-dd")
            assert sheet.cell(r, 1).is_date
        assert row[4] == entry["name"] and row[8] == ("yes" if entry["pinned"] else "no")
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= max(len(e["name"]) for e in plan.values())

    # Load: a row per month, used and limit of each pool equal to the JSON load
    load = json.loads(solution.to_json())["load"]
    table = rows(book["Load"])
    months = sorted({p["month"] for p in load})
    assert len(table) - 1 == len(months)
    assert [as_date(r[0]).strftime("%Y-%m") for r in table[1:]] == months
    assert book["Load"].cell(2, 1).number_format == "yyyy-mm"
    columns = {name: i for i, name in enumerate(table[0])}
    for point in load:
        row = table[1 + months.index(point["month"])]
        assert row[columns[f"{point['pool']} used FTE"]] == pytest.approx(point["used"])
        assert row[columns[f"{point['pool']} limit FTE"]] == pytest.approx(point["limit"])

    # Windows: the per-window summary
    table = rows(book["Windows"])
    summary = window_summary(problem, solution)
    assert len(table) - 1 == len(summary) == len(problem.windows)
    for row, s in zip(table[1:], summary):
        assert row[0] == s.window.id and as_date(row[1]) == s.window.date
        assert (row[4], row[5]) == (s.actors, s.users)
        assert row[6] == pytest.approx(s.primary_share) if s.primary_share is not None else row[6] is None
    assert sum(r[4] for r in table[1:]) == sum(1 for e in plan.values() if e["go_live"])

    about = dict(r for r in rows(book["About"])[1:])
    assert about["status"] == "optimal"
    assert about["objective: total"] == pytest.approx(solution.objective["total"])


def test_xlsx_is_reproducible(tiny, monkeypatch):
    problem, solution = tiny
    assert to_xlsx(problem, solution, STAMP) == to_xlsx(problem, solution, STAMP)
    book = load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))
    assert book.properties.created == book.properties.modified == STAMP.replace(tzinfo=None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert to_xlsx(problem, solution) == to_xlsx(problem, solution)


def test_no_plan_gives_no_calendar_and_a_workbook_that_says_so(tiny):
    problem, _ = tiny
    nothing = Solution(status=Status.infeasible)
    with pytest.raises(ValueError, match="has no plan"):  # an empty calendar read as a plan of nothing
        to_ics(problem, nothing, STAMP)
    book = load_workbook(io.BytesIO(to_xlsx(problem, nothing, STAMP)))
    assert book["Plan"].max_row == 1
    assert dict(r for r in rows(book["About"])[1:])["status"] == "infeasible"


# --------------------------------------------------------------------------------------------------
# text stays text, SOURCE_DATE_EPOCH, a plan that breaks this data


def test_xlsx_text_is_never_a_formula():
    """Names and other data text are string cells: openpyxl made a str starting with "=" a live formula
    (an organisation named `=1+1` showed 2 in Excel; `=HYPERLINK(...)` would run)."""
    names = ["=1+1", '=HYPERLINK("http://example.org","x")', "+SUM(1)", "-2+3", "@SUM(A1)"]
    problem = build([org(f"m{i}", name=name) for i, name in enumerate(names)],
                    windows=[{"id": "w1", "date": "2024-02-10", "name": "=2+2"}, {"id": "w2", "date": "2024-04-27"}])
    book = load_workbook(io.BytesIO(to_xlsx(problem, solved(problem), STAMP)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert set(names) | {"=2+2"} <= texts
    leading = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert leading and all(c.quotePrefix for c in leading)  # editing the cell in Excel keeps it text


def test_xlsx_control_character_in_a_text_is_shown_not_a_traceback():
    """openpyxl refuses the control characters xlsx cannot hold (IllegalCharacterError). A name can no
    longer have one (schema.Name); a scenario's description still may."""
    problem = build([org("m1")])
    problem.applied = ["late: Bin\x01dal is late"]
    book = load_workbook(io.BytesIO(to_xlsx(problem, solved(problem), STAMP)))
    assert ["scenario", "late: Bin\ufffddal is late"] in [list(r) for r in rows(book["About"])]


@pytest.mark.parametrize("value", ["abc", "2024-01-01", "-5", "1e9", "1700000000.5", "99999999999999"])
def test_malformed_source_date_epoch_is_an_input_error(tiny, monkeypatch, value):
    """Was: a huge value a ValueError traceback, anything else silently the time of the run."""
    problem, solution = tiny
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(InputError, match=r"^SOURCE_DATE_EPOCH: .*(seconds since 1970)"):
        source_date_epoch()
    for export in (to_ics, to_xlsx):
        with pytest.raises(InputError):
            export(problem, solution)


def test_source_date_epoch_range(tiny, monkeypatch):
    problem, solution = tiny
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " ")
    assert source_date_epoch() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert source_date_epoch() == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")  # the last second of 9999
    assert "DTSTAMP:99991231T235959Z" in to_ics(problem, solution)
    book = load_workbook(io.BytesIO(to_xlsx(problem, solution)))  # a ZIP holds 1980..2107: clamped there
    assert book.properties.created == dt.datetime(9999, 12, 31, 23, 59, 59)


@pytest.fixture(scope="module")
def over_capacity(tiny) -> tuple[Problem, Solution]:
    """The tiny plan read against the same data with a tenth of each pool's FTE: over the limits."""
    from hpplan.solve import load_report

    problem, solution = tiny
    waves = problem.waves.model_copy(update={"pools": [p.model_copy(update={"fte": p.fte / 10})
                                                       for p in problem.waves.pools]})
    smaller = replace(problem, waves=waves)
    saved = replace(solution, load=load_report(smaller, solution.plan))
    return smaller, saved


def test_exports_say_a_plan_breaks_this_data(over_capacity):
    problem, solution = over_capacity
    broken = verify(problem, solution)
    assert broken and solution.status is Status.optimal
    says = f"optimal as saved; breaks {len(broken)} rules or limits of this data"
    about = rows(load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))["About"])[1:]
    assert dict(about)["status"] == says
    assert [r[1] for r in about if r[0] == "broken"][:20] == [str(v) for v in broken[:20]]
    calendar = to_ics(problem, solution, STAMP)
    planned = [e for e in events(calendar) if str(e["STATUS"]) == "TENTATIVE"]
    assert planned and all(f"Planned by hpplan ({says})" in str(e["DESCRIPTION"]) for e in planned)
    # the caller's verdict is used when given (the command verified the plan already)
    assert dict(rows(load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP, violations=[])))["About"])[1:])[
        "status"] == "optimal"
    assert "breaks" not in to_ics(problem, solution, STAMP, violations=[])


# --------------------------------------------------------------------------------------------------
# estimates are marked (docs/data-format.md "Facts and estimates")


@pytest.fixture(scope="module")
def mixed_sources() -> tuple[Problem, Solution]:
    """Published and estimated figures side by side: a trust of facts, a hospital whose population 0
    is inferred (its trust carries the catchment) and whose users are estimated, a municipality with a
    published population and estimated users, and one whose population is an estimate too."""
    fact = {"all": "fact: test"}
    problem = build(
        [
            org("trust-a", kind="health_trust", status="signed", population=200_000, users=8_000, source=fact,
                name="Trust A HF"),
            org("hosp", kind="hospital", status="signed", population=0, users=900, part_of="trust-a",
                source={"population": "inferred: in the trust's catchment", "users": "estimate: test"}),
            org("m1", population=50_000, users=2_000, name="Møre kommune",
                source={"population": "fact: SSB", "users": "estimate: 4 % of population"}),
            org("m2", population=1_900, users=100, name="Os", source={"all": "estimate: not looked up"}),
            org("m3", population=20_000, users=700, source=fact, name="Ørsta kommune"),
        ],
        rules=[{"type": "together", "actors": ["trust-a", "hosp"], "source": SRC}],
    )
    return problem, solved(problem)


def test_xlsx_marks_estimates_and_keeps_numbers(mixed_sources):
    # the Plan sheet showed estimated users and populations exactly as the published ones; they are
    # marked by the number format (still numbers to sum and sort) and named in an `estimates` column
    problem, solution = mixed_sources
    book = load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))
    sheet = book["Plan"]
    header = [c.value for c in sheet[1]]
    assert header[-3:] == ["users", "population", "estimates"]
    users, population, estimates = (header.index(name) + 1 for name in header[-3:])
    expected = {"trust-a": (False, False), "hosp": (True, False), "m1": (True, False), "m2": (True, True),
                "m3": (False, False)}
    for r in range(2, sheet.max_row + 1):
        org_id = sheet.cell(r, 4).value
        org_data = problem.org[org_id]
        marks = expected[org_id]
        for col, mark, value in ((users, marks[0], org_data.users), (population, marks[1], org_data.population)):
            cell = sheet.cell(r, col)
            assert cell.value == value and isinstance(cell.value, int)  # numbers stay numbers
            assert cell.number_format == ('#,##0"*"' if mark else "#,##0"), (org_id, col)
        named = [name for name, mark in zip(("users", "population"), marks) if mark]
        assert sheet.cell(r, estimates).value == (", ".join(named) or None)
    # the Windows sheet: a window's users are marked when one of the organisations counted is estimated
    windows = book["Windows"]
    # every organisation but the trust and Ørsta has estimated users; the trust goes with its hospital
    estimated_windows = {e.window for e in solution.plan if e.go_live and e.id != "m3"}
    for r in range(2, windows.max_row + 1):
        window, cell = windows.cell(r, 1).value, windows.cell(r, 6)
        assert isinstance(cell.value, int)
        assert cell.number_format == ('#,##0"*"' if window in estimated_windows else "#,##0"), window
    about = dict(rows(book["About"])[1:])
    assert about["*"].startswith("estimate: see the data's source notes")
    # facts only: no marks and no note
    facts = build([org(o.id, kind=o.kind.value, status=o.status.value, population=o.population, users=o.users,
                       part_of=o.part_of, source={"all": "fact: test"}) for o in problem.organisations],
                  pools=FACT_POOLS)
    book = load_workbook(io.BytesIO(to_xlsx(facts, solved(facts), STAMP)))
    assert all(c.number_format != '#,##0"*"' for row in book["Plan"].iter_rows() for c in row)
    assert all(r[-1] is None for r in rows(book["Plan"])[1:])
    assert "*" not in dict(rows(book["About"])[1:])


def test_ics_marks_estimates(mixed_sources):
    problem, solution = mixed_sources
    found = {str(e["UID"]): str(e["DESCRIPTION"]) for e in events(to_ics(problem, solution, STAMP))}
    note = "* estimate: see the data's source notes"
    m1 = found[event_uid(problem, "m1")]
    assert "Users: 2 000*\n" in m1 and "Population: 50 000\n" in m1 and note in m1
    assert "Users: 100*\n" in found[event_uid(problem, "m2")] and "Population: 1 900*\n" in found[event_uid(problem, "m2")]
    hosp = found[event_uid(problem, "hosp")]
    assert "Users: 900*\n" in hosp and "Population: 0\n" in hosp  # a zero is never an estimate
    for org_id in ("trust-a", "m3"):
        assert "*" not in found[event_uid(problem, org_id)] and "estimate" not in found[event_uid(problem, org_id)]


def test_xlsx_says_its_made_time_is_utc(tiny):
    # the About sheet's "made" was a bare date-time: local time or UTC, the reader could not tell
    problem, solution = tiny
    about = load_workbook(io.BytesIO(to_xlsx(problem, solution, STAMP)))["About"]
    made = next(row[1] for row in about.iter_rows() if row[0].value == "made")
    assert made.value == STAMP.replace(tzinfo=None)  # a real date-time, in UTC
    assert made.number_format == 'yyyy-mm-dd hh:mm:ss "UTC"'
    # a stamp in another zone is written as UTC
    oslo = STAMP.astimezone(dt.timezone(dt.timedelta(hours=1)))
    about = load_workbook(io.BytesIO(to_xlsx(problem, solution, oslo)))["About"]
    assert next(row[1].value for row in about.iter_rows() if row[0].value == "made") == STAMP.replace(tzinfo=None)


def test_ics_spells_kinds_as_the_docs():
    problem = build([org("m1", population=50_000, users=2_000),
                     org("gp1", kind="gp_office", municipality="m1", users=15, population=None)])
    found = [str(e["DESCRIPTION"]) for e in events(to_ics(problem, solved(problem), STAMP))]
    assert any("Kind: GP office (primary care)" in d for d in found) and not any("gp office" in d for d in found)
