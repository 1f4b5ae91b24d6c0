"""Reports and exports of s26 (testers t1, t2): a data folder whose name is not UTF-8 (or any non-ASCII
name under an ASCII locale) is written whole in every format, with stable calendar UIDs; the calendar
names the tool, not one customer; the stacked static charts share one time axis; data without history
shows no grey history band; every title names the data folder alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import solved
from icalendar import Calendar
from openpyxl import load_workbook

from hpplan.exports import PRODID, to_ics, to_xlsx, uid_namespace
from hpplan.loader import load_problem
from hpplan.report import (data_name, gantt_figure, coverage_figure, readable, report_bytes, report_html,
                           static_figure)

TINY = Path(__file__).parent / "data" / "tiny"
STAMP = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
#: a folder name in Latin-1 (an old share, a Windows zip): not UTF-8, read by Python with a surrogate escape
LATIN = os.fsdecode(b"lat\xe5")


@pytest.fixture(scope="module")
def latin(tmp_path_factory):
    """The tiny data in a folder whose name is not UTF-8, and its plan."""
    folder = tmp_path_factory.mktemp("names") / LATIN
    shutil.copytree(TINY, folder)
    problem = load_problem(folder)
    return problem, solved(problem)


def test_readable_gives_back_the_names_bytes_as_utf8_and_escapes_what_is_not():
    assert readable("lat\udce5") == "lat\\udce5"  # Latin-1 å: no UTF-8
    assert readable("d\udcc3\udca5ta \udcc3\udcb8") == "dåta ø"  # an ASCII locale's reading of a UTF-8 name
    assert readable("Ørsta/plan.json") == "Ørsta/plan.json"  # nothing to do
    assert readable("x\ud800y") == "x\\ud800y"  # a surrogate no file name gives (a JSON escape)


@pytest.mark.parametrize("fmt", ["html", "svg", "png"])
def test_a_report_of_a_folder_whose_name_is_not_utf8_is_written_whole(latin, fmt):
    """t2 finding 1: report.py report_bytes and matplotlib's titles raised UnicodeEncodeError (exit 70)."""
    problem, solution = latin
    content = report_bytes(problem, solution, fmt, label=os.fsdecode(b"pl\xe5n"), plan_note=f"from {LATIN}/x.json")
    assert content
    if fmt == "html":
        page = content.decode("utf-8")  # valid UTF-8 throughout
        assert "<title>Rollout plan · lat\\udce5 · 2024-01-15</title>" in page
    if fmt == "svg":
        assert "Rollout plan · lat\\udce5 · planning date" in content.decode("utf-8")


def test_the_calendar_and_workbook_of_a_folder_whose_name_is_not_utf8_are_whole_and_readable(latin):
    problem, solution = latin
    applied = replace(problem, applied=[os.fsdecode(b"sc\xe9nario") + ".yaml: later"])
    text = to_ics(applied, solution, stamp=STAMP)
    calendar = Calendar.from_ical(text.encode("utf-8"))
    assert str(calendar["X-WR-CALNAME"]) == "Rollout plan (lat\\udce5) with sc\\udce9nario.yaml"
    assert all("Data: lat\\udce5" in str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT"))
    book = load_workbook(io.BytesIO(to_xlsx(applied, solution, stamp=STAMP)))  # failed: "invalid character number"
    assert book.properties.title == "Rollout plan (lat\\udce5)"
    about = dict(book["About"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert about["data"].endswith("lat\\udce5") and about["scenario"] == "sc\\udce9nario.yaml: later"


def test_calendar_uids_hash_the_folder_names_bytes_the_same_in_every_locale(tmp_path):
    """A UTF-8 name read under an ASCII locale (surrogate escapes) gets the UIDs it gets in a UTF-8 locale,
    and an existing name keeps its UIDs; two Latin-1 names differ (a replacement character would not)."""
    folder = tmp_path / "dåta"
    shutil.copytree(TINY, folder)
    utf8 = load_problem(folder)
    ascii_locale = load_problem(str(tmp_path) + "/" + "d\udcc3\udca5ta")  # how LC_ALL=C reads the name
    assert uid_namespace(utf8) == uid_namespace(ascii_locale) == hashlib.sha256("dåta".encode()).hexdigest()[:8]
    assert data_name(ascii_locale) == data_name(utf8) == "dåta"
    first, second = (replace(utf8, data_dir=tmp_path / os.fsdecode(name)) for name in (b"lat\xe5", b"lat\xe6"))
    assert uid_namespace(first) != uid_namespace(second)
    assert uid_namespace(first) == hashlib.sha256(b"lat\xe5").hexdigest()[:8]


def test_the_calendar_names_the_tool_not_one_customer(latin):
    """t1 finding 6: every calendar said `PRODID:-//hpplan//Helseplattformen rollout plan//EN`."""
    problem, solution = latin
    text = to_ics(problem, solution, stamp=STAMP)
    assert PRODID == "-//hpplan//rollout plan//EN"
    assert "PRODID:-//hpplan//rollout plan//EN" in text and "Helseplattformen" not in text


def _axes_limits(fig) -> list[tuple[float, float]]:
    return [tuple(round(x, 6) for x in ax.get_xlim()) for ax in fig.axes]


def test_the_stacked_static_charts_share_one_time_axis():
    """t1 finding 7: the load panels had a time axis of their own, so "Jan 2027" stood at another x in
    the Gantt than in the load chart under it; a go-live lined up with the wrong month's load."""
    problem = load_problem(TINY)
    solution = solved(problem)
    fig = static_figure(problem, solution)
    limits = _axes_limits(fig)
    assert len(limits) >= 3 and len(set(limits)) == 1, limits
    alone = static_figure(problem, solution, "load")  # a load chart alone keeps to its pools' months
    assert _axes_limits(alone)[0] != limits[0]


def _without_history(tmp_path: Path) -> Path:
    """The tiny data less its live trust (and the history window and rule that name it)."""
    folder = tmp_path / "fresh"
    shutil.copytree(TINY, folder)
    orgs = (folder / "organisations.yaml").read_text(encoding="utf-8")
    start = orgs.index("  - id: st-olavs")
    orgs = orgs[:start] + orgs[orgs.index("  - id: helse-more-og-romsdal"):]
    (folder / "organisations.yaml").write_text(orgs, encoding="utf-8")
    waves = (folder / "waves.yaml").read_text(encoding="utf-8")
    waves = waves.replace("  - {id: 2023-11, date: 2023-11-04, name: History}\n", "")
    rule = waves.index("  - type: order\n    actors: [st-olavs")
    end = waves.find("\n  - ", rule + 1)
    waves = waves[:rule] + (waves[end + 1:] if end != -1 else "")
    (folder / "waves.yaml").write_text(waves, encoding="utf-8")
    return folder


def _history_patches(fig) -> int:
    """The grey history bands (axvspan) and history legend entries of a static figure."""
    from matplotlib.patches import Polygon, Rectangle

    bands = sum(1 for ax in fig.axes for p in ax.patches
                if isinstance(p, (Polygon, Rectangle)) and p.get_alpha() == 0.13 and p.get_facecolor()[0] < 0.5)
    legend = sum(1 for ax in fig.axes if ax.get_legend() is not None
                 for t in ax.get_legend().get_texts() if t.get_text().startswith("history"))
    return bands + legend


def test_data_without_history_has_no_grey_history_band(tmp_path):
    """t1 finding 7: the Gantt of data with no organisation live before the planning date showed a grey
    "history" band (and legend entry, and caption) over the months before it."""
    fresh = load_problem(_without_history(tmp_path))
    plan = solved(fresh)
    assert not any(e.go_live and e.go_live < fresh.planning_date for e in plan.plan)
    assert _history_patches(static_figure(fresh, plan)) == 0
    for figure in (gantt_figure(fresh, plan), coverage_figure(fresh, plan)):
        assert not [s for s in figure.layout.shapes if s.type == "rect"]
        assert not [a for a in figure.layout.annotations if "history" in a.text]
        assert not [t for t in figure.data if (t.name or "").startswith("history")]
        assert [s for s in figure.layout.shapes if s.type == "line"]  # the planning date's line stays
    page = report_html(fresh, plan)
    assert "Grey background" not in page and "Grey: history" not in page
    # data with history keeps all of it
    tiny = load_problem(TINY)
    shown = solved(tiny)
    assert _history_patches(static_figure(tiny, shown)) >= 3  # the Gantt's and coverage's bands, the legend
    assert [s for s in gantt_figure(tiny, shown).layout.shapes if s.type == "rect"]
    assert "Grey background: history, before the planning date." in report_html(tiny, shown)


def test_every_title_names_the_data_folder_alike(tmp_path, monkeypatch):
    """t1 finding 8: the HTML and PNG titles showed the path as typed ("Rollout plan · . · 2027-01-01")
    while the calendar named the folder ("Rollout plan (fi)")."""
    folder = tmp_path / "fi"
    shutil.copytree(TINY, folder)
    monkeypatch.chdir(folder)
    problem = load_problem(Path("."))
    solution = solved(problem)
    page = report_html(problem, solution)
    assert "<title>Rollout plan · fi · 2024-01-15</title>" in page
    assert "Data <code>fi</code>" in page and "from <code>fi</code>" in page
    assert static_figure(problem, solution)._suptitle.get_text().startswith("Rollout plan · fi · planning date")
    assert "X-WR-CALNAME:Rollout plan (fi)" in to_ics(problem, solution, stamp=STAMP)
    assert load_workbook(io.BytesIO(to_xlsx(problem, solution, stamp=STAMP))).properties.title == "Rollout plan (fi)"
