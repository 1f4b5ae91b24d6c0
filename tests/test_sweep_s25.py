"""`hpplan sweep` (docs/sweep.md), from a Norwegian data maintainer's findings: the summary's CSV guards
a name that starts like a formula as `solve --format csv` does, the tables keep every figure whole on a
narrow terminal (a column left out whole and said so, an id folded only where no narrower table fits,
else a block per organisation), so do the histogram and the sentences at any width from 20 columns,
and the commands it prints for a spec in a folder with spaces paste into a shell as they are."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shlex

import pytest
import yaml
from rich.console import Console
from test_sweep import TINY, context_of, run, spec_file

from hpplan.formats import fmt_int, fmt_number, marked
from hpplan.sweep import aggregate
from hpplan.sweep.aggregate import AxisEffect, AxisValue, Failure, Influence
from hpplan.sweep.output import _margin, render_summary, summary_csv, summary_json, summary_text
from hpplan.sweep.run import Results
from hpplan.sweep.sample import scenario_yaml

LONG = "trondheim-fastlegekontor-1"  # the longest id of the shipped data
IDS = ["helse-more-og-romsdal", "orsta", LONG, "skaun"]
NAMES = {"skaun": "=SUM(A1:A2) Skaun", "orsta": "-Ørsta | Volda", "helse-more-og-romsdal": "@Helse Møre",
         LONG: "Trondheim legekontor"}
SPEC = "Mine data/Helseplattformen – plan/sweeps/liten.yaml"


def summary(spec: str = SPEC):
    """Three Monte Carlo scenarios as the maintainer's: orsta later in one (+5 months: a mean delay of +1.7),
    one live_by date; with a clear influence, a grid axis with costs and a failure added."""
    actors = [{"id": i, "name": NAMES[i], "kind": "municipality", "mandatory": True, "population": 10_958}
              for i in IDS]
    base_go_live = {i: "2025-04-26" for i in IDS}
    base = {"type": "base", "status": "optimal", "completion": "2025-04-26", "actors": actors,
            "go_live": base_go_live}
    records = [{"type": "result", "index": i, "status": "optimal", "tie_break": "complete",
                "go_live": dict(base_go_live, orsta="2025-09-13" if i == 2 else "2025-04-26"),
                "completion": "2025-09-13" if i == 2 else "2025-04-26", "delay": {"orsta": 5} if i == 2 else {},
                "moved": 1 if i == 2 else 0, "population_months": 54_790 if i == 2 else 0, "cost_mnok": 0}
               for i in range(3)]
    header = {"type": "header", "spec": spec, "description": "Liten prøve", "kind": "monte_carlo", "seed": 7,
              "size": 3, "live_by": ["2026-02-28"], "axes": []}
    s = aggregate(Results(header, base, records))
    clear = Influence(id="helse-more-og-romsdal", name="@Helse Møre", n=3, slipped=0.49, mean_slip=2.5,
                      pass_through=0.94, others_moved=0.68, others_population_months=93_570, correlation=0.9,
                      stderr=5_700, t=16.4, clear=True, others_population_months_is_estimate=True)
    values = [AxisValue(value=v, scenarios=4, with_plan=4, completion_median="2026-04-25",
                        p_done_by={"2026-02-28": 0.25}, mean_cost=123.75, mean_moved=20.9,
                        mean_population_months=2_055_476, population_months_is_estimate=True) for v in (0, 12)]
    cost = dataclasses.replace(s.cost, actors=["helse-more-og-romsdal"])  # a cost column in the axis table
    return dataclasses.replace(s, cost=cost, influence=[clear], failed=1,
                               axes=[AxisEffect("helse-more-og-romsdal postponed (months)", values)],
                               failures=[Failure("infeasible", "ready after the last window", 1, [2])])


WIDTHS = range(20, 201)


def pct(share: float) -> str:
    """A share as the summary shows it: `100%`, `0%`, else one decimal (`33.3%`)."""
    return f"{share * 100:.0f}%" if share in (0, 1) else f"{share * 100:.1f}%"


def figure(text: str) -> str:
    """A pattern for a figure shown whole (not part of a longer number or word)."""
    return rf"(?<![\w.+-]){re.escape(text)}(?![\w.%/-])"


def date(day: str) -> str:
    """A date in a table or block: YYYY-MM-DD, or YYYY-MM below 120 columns (or where full ones do not fit)."""
    return rf"{re.escape(day[:7])}(?:{re.escape(day[7:])})?(?![\w.%/-])"


#: what may stand between two figures of a row: labels and separators, no figure
LABELS = r"(?:\D|P[19]0\b)*?"


def in_order(section: str, key: str, figures: list[str]) -> bool:
    """`key` (an id, whole or folded after its first hyphen, or an axis value) and then its figures, in
    this order, in the table row or block (`section` with its line breaks as spaces); only labels (P10
    and P90 among them) and separators between them, no other figure."""
    head = re.escape(key.split("-")[0] + "-") + r"\S*" if "-" in key else figure(key)
    pattern = head + "".join(rf"{LABELS}{f}" for f in figures)
    return re.search(pattern, section) is not None


def rendered(s, width: int, fancy: bool) -> str:
    """The summary `s` on a terminal (`fancy`) or piped, `width` columns wide: every line fits (but the
    command to see a scenario, one line to paste however long), none ends in blanks, nothing cropped, and
    every figure whole (`check_figures`)."""
    buffer = io.StringIO()
    render_summary(s, Console(file=buffer, width=width, force_terminal=fancy, color_system=None, highlight=False))
    text = buffer.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines if not line.startswith("    hpplan")) <= width, text
    assert all(line == line.rstrip() for line in lines), text
    assert "…" not in text and "~" not in text  # nothing cropped
    check_figures(text, width, s)
    return text


def check_figures(text: str, width: int, s) -> None:
    """Every figure of the summary's JSON in `text`, whole and with its label or row: the header's, the
    completion dates and P(done by), the histogram's counts and shares, the cost of delay, the at-risk,
    influence, axis and go-live rows, the failures."""
    data = json.loads(summary_json(s))
    lines = text.splitlines()
    joined = re.sub(r"(?<=[^\W\d]-)\n *", "", text)  # a word folded after its hyphen (`helse-more-` over `og-romsdal`)
    flat = " ".join(joined.split())
    sections = [" ".join(part.split()) for part in joined.split("\n\n")]

    def section(title: str) -> str:
        return next(part for part in sections if part.startswith(title))

    def whole(shown: str) -> None:  # on one line (a figure with a thousands space is not broken either)
        assert any(re.search(figure(shown), line) for line in lines), (shown, text)

    def by(shares: dict[str, float], part: str) -> list[str]:
        """The P(live by) figures of a row (after `By 2026-02` in a block; the first date's below 120
        columns), none where `part` says the column is left out."""
        if f"{data['live_by'][0]} is left out here" in part:
            return []
        shown = [rf"(?:By {date(day)} )?{figure(pct(share))}" for day, share in shares.items()]
        return shown[:1] if width < 120 else shown

    c = data["completion"]
    assert (f"{data['scenarios']} of {data['size']} scenarios, seed {data['seed']}" in flat
            and f"{data['with_plan']} with a plan, {data['failed']} without" in flat
            and f"rollout complete {c['base']}." in flat), text
    for label, key in (("base", "base"), ("P10", "p10"), ("median", "median"), ("P90", "p90"), ("latest", "latest")):
        # the pair on one line; a quantile on a step (s29) shows its range from its lower end
        shown = (c.get(f"{key}_range") or [c[key]])[0]
        assert any(f"  {label} {shown}" in f" {line}" for line in lines), (label, text)
    for day, share in c["p_by"].items():
        assert f"P(done by {day}) {pct(share)}" in flat, text
        whole(pct(share))
    # the histogram: a line per quarter, its count and share at its end (or on the line below it)
    for q in c["by_quarter"]:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"  {q['quarter']}"))
        row = lines[at] if len(lines[at].split()) > 1 else lines[at] + lines[at + 1]
        *_, count, share = row.split()
        assert int(count) == q["count"] and abs(float(share.rstrip("%")) / 100 - q["share"]) < 0.0006, (q, text)
        assert share == pct(q["share"]), text
    setters = {a["id"]: a for a in data["actors"]}
    assert all(f"{ident} {pct(setters[ident]['p_last'])}" in flat for ident in data["completion_setters"]), text
    k = data["cost"]
    # s29: a mean rounded to its 95 % margin, said after it; a quantile on a step as its range
    mean, margin = _margin(k["mean"], k["mean_stderr"])
    moved, moved_margin = _margin(k["mean_moved"], k["mean_moved_stderr"])
    pop, pop_margin = _margin(k["mean_population_months"], k["mean_population_months_stderr"])
    pop = pop if pop_margin else fmt_int(k["mean_population_months"])

    def quantile(label: str, key: str, value: float) -> str:
        span = k[f"{key}_range"]
        return f"{label} {fmt_number(span[0])}-{fmt_number(span[1])} (on a step" if span else f"{label} {fmt_number(value)}"

    assert f"mean {mean} MNOK{f' (±{margin})' if margin else ''}, {quantile('median', 'median', k['p50'])}" in flat, text
    assert (f"{quantile('P90', 'p90', k['p90'])}" in flat and f"max {fmt_number(k['max'])}; on average {moved}"
            f"{f' (±{moved_margin})' if moved_margin else ''} organisations") in flat, text
    whole(pop)
    assert f"{pop}{'*' if k['population_months_is_estimate'] else ''}{f' (±{pop_margin})' if pop_margin else ''} population-months" in flat, text
    risk, go_live = section("Most at risk"), section("Go-live per organisation")
    for ident in data["at_risk"]:
        a = setters[ident]
        figures = [date(a["base"]), date(a["median"]), date(a["p90"]), figure(pct(a["p_later"])),
                   figure(f"{a['mean_delay_months']:+.1f}")]
        assert in_order(risk, ident, figures + by(a["p_live_by"], risk)[:1]), (ident, text)
    for a in data["actors"]:
        p10 = [rf"(?:{LABELS}{date(a['p10'])})?"] if width >= 120 else []  # where it fits
        figures = [date(a["base"]), *p10, date(a["median"]), date(a["p90"]), figure(pct(a["p_later"]))]
        assert in_order(go_live, a["id"], figures + by(a["p_live_by"], go_live)), (a["id"], text)
    for f in data["influence"]:
        pop = marked(fmt_int(f["others_population_months"]), f["others_population_months_is_estimate"])
        figures = [pct(f["slipped"]), f"{f['pass_through']:.2f}", f"{f['others_moved']:.2f}", pop, f"{f['t']:.1f}"]
        assert in_order(section("Whose delay"), f["id"], [figure(x) for x in figures]), (f["id"], text)
        whole(pop)
    for axis in data["axes"]:
        table = section(f"Axis: {axis['label']}")
        for v in axis["values"]:
            pop = marked(fmt_int(v["mean_population_months"]), v["population_months_is_estimate"])
            figures = [figure(f"{v['with_plan']}/{v['scenarios']}"), figure(v["completion_median"]),
                       *by(v["p_done_by"], table)[:1],
                       figure(fmt_number(v["mean_cost"])), figure(fmt_number(v["mean_moved"])), figure(pop)]
            assert in_order(table, f"{v['value']:g}", figures), (v, text)
            whole(pop)
    for f in data["failures"]:
        assert f"{f['count']} x {f['status']}: {f['reason']} [scenario {f['indices'][0]}]" in flat, text


def id_whole(ident: str, lines: list[str]) -> bool:
    """`ident` whole at the start of a line (a block, or a table row), or folded after its hyphens over
    lines that follow each other (`trondheim-` over `fastlegekontor-1`), where no line could hold it."""
    starts = [line.split(" ")[0] for line in lines]
    for i, start in enumerate(starts):
        joined = start
        while joined != ident and joined.endswith("-") and ident.startswith(joined) and i + 1 < len(starts):
            i += 1
            joined += starts[i]
        if joined == ident:
            return True
    return False


@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_tables_keep_every_figure_and_every_id_whole(width):
    # at 60 columns the Delay column showed `+1` for +1.7 and `By ` lost its values; at 40 the
    # Organisation column was gone and every date read `202…`; the folded rows ended in blanks.
    # Below 34 columns the histogram cut its figures (`3   1` for 3 and 100%) and ended lines in
    # blanks, and below 40 the text cut dates (`complete 2025-04-2`), broke `2 055 476*` over two lines
    # and `P10` from its date; every part of the summary is checked against the JSON's figures.
    for fancy in (False, True):
        text = rendered(summary(), width, fancy)
        lines = text.splitlines()
        for header, share in (("By 2026-02", "100%"), ("By 2026-02", "25.0%")):  # shown whole, or said left out
            assert (header in text and share in text) or "2026-02-28 is left out here" in " ".join(text.split())
        for ident in IDS:  # every id whole on a line of its own, unless folded after a hyphen
            assert id_whole(ident, lines), (ident, text)
        if width >= 70:  # a narrower table (without P(live by)) fits every id on one line
            assert sum(line.startswith(LONG + " ") for line in lines) == 1, text


def test_the_histogram_keeps_its_figures_whole_however_many_scenarios():
    # 123 456 scenarios in a quarter: at 20 columns the quarter, the count and the share are wider than
    # the line (the figures go below the quarter), at 23 they fit without a bar, from 29 with one
    s = summary()
    quarters = [{"quarter": "2025-Q2", "count": 123_456, "share": 0.6667, "cumulative": 0.6667},
                {"quarter": "2025-Q3", "count": 61_728, "share": 0.3333, "cumulative": 1}]
    s = dataclasses.replace(s, completion=dataclasses.replace(s.completion, by_quarter=quarters))
    for width in WIDTHS:
        for fancy in (False, True):
            lines = rendered(s, width, fancy).splitlines()
            at = next(i for i, line in enumerate(lines) if line.startswith("  2025-Q2"))
            if width < 23:
                assert lines[at:at + 4] == ["  2025-Q2", "    123456 66.7%", "  2025-Q3", "     61728 33.3%"]
            elif width < 29:
                assert lines[at:at + 2] == ["  2025-Q2  123456 66.7%", "  2025-Q3   61728 33.3%"]
            else:  # a bar, the longer twice as long (rounded), at most 40 wide
                bars = [len(line.split()[1]) for line in lines[at:at + 2]]
                assert 5 <= bars[0] <= 40 and abs(bars[0] - 2 * bars[1]) <= 1, lines[at:at + 2]


def test_a_column_left_out_is_said_with_the_width_that_shows_it():
    text = " ".join(summary_text(summary(), 70).split())
    # at risk, and go-live per organisation (the id of 26 characters): without the share live by
    # (s29: 73 and 79 columns, was 71 and 77: a median and a P90 on a step are marked `?`)
    assert "the share live by 2026-02-28 is left out here: a terminal of 73 columns shows it" in text
    assert "The share live by 2026-02-28 is left out here: a terminal of 79 columns shows it" in text
    assert "left out" not in " ".join(summary_text(summary(), 80).split()).split("Go-live per organisation")[1]


def test_sweep_csv_guards_a_name_that_starts_like_a_formula_as_solve_does():
    # `sweep -o x.csv` wrote `=SUM(A1:A2) Skaun` raw; `solve -f csv` writes `'=SUM(A1:A2) Skaun`
    rows = {row[0]: row for row in csv.reader(io.StringIO(summary_csv(summary())))}
    assert rows["skaun"][1] == "'=SUM(A1:A2) Skaun"
    assert rows["orsta"][1] == "'-Ørsta | Volda" and rows["helse-more-og-romsdal"][1] == "'@Helse Møre"
    assert rows[LONG][1] == "Trondheim legekontor"  # other text as it is
    assert rows["orsta"][9] == "1.667"  # numbers as they are (a negative delay is a number, not text)


def test_scenario_of_header_pastes_into_a_shell_and_replays_the_scenario(tmp_path, monkeypatch):
    folder = tmp_path / "Mine data" / "Helseplattformen – plan"
    folder.mkdir(parents=True)
    spec = spec_file(folder, "liten prøve.yaml")
    monkeypatch.chdir(tmp_path)
    relative = spec.relative_to(tmp_path)
    text = scenario_yaml(context_of(relative), 1)
    command = text.splitlines()[1].removeprefix("#   ")
    argv = shlex.split(command)
    assert argv[:3] == ["hpplan", "sweep", str(relative)], command  # one argument, not three
    assert argv[3:] == ["--seed", "7", "--scenario-of", "1"]
    replayed = run(*argv[1:])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.stdout == text
    # a --seed given on the command line is in the command, so that it gives this scenario again
    other = run("sweep", str(relative), "--seed", "8", "--scenario-of", "1").stdout
    assert shlex.split(other.splitlines()[1].removeprefix("#   "))[3:5] == ["--seed", "8"]
    assert yaml.safe_load(text)["base"] == str(TINY)


def test_the_hint_for_a_scenario_without_a_plan_pastes_into_a_shell():
    # "See one with: hpplan sweep SPEC --scenario-of N": neither SPEC nor N pasted, nor a path with spaces
    for width in (60, 160):
        lines = summary_text(summary(), width).splitlines()
        at = next(i for i, line in enumerate(lines) if "on its own" in line)
        command = lines[at + 1].strip()
        argv = shlex.split(command)
        assert argv == ["hpplan", "sweep", SPEC, "--seed", "7", "--scenario-of", "2", ">", "scenario.yaml"], command
        assert lines[at + 2].strip() == "hpplan explain --scenario scenario.yaml"
