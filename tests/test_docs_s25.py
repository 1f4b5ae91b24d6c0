"""What docs/model.md, docs/rules.md and the verifier's docstring say about the code, held to the code:
the readers the verifier shares with the model, the compact form of pairwise rules, the engines for a
makespan the interval form cannot take, the preference's distance and the sections the code points to."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import re
from pathlib import Path

import pydantic
import pytest

from helpers import build, org, solved
from hpplan import load_problem, portfolio, schema
from hpplan.engines.interval import unsupported
from hpplan.model import constraints
from hpplan.model.builder import build_model
from hpplan.portfolio import engines_for
from hpplan.schema import OrganisationsFile, Pool
from hpplan.solution import Status
from hpplan.verify import plan_objective

VERIFIER = importlib.import_module("hpplan.verify")  # (`hpplan.verify` is also the function)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "hpplan"
MODEL_MD = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
RULES_MD = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """Markdown or a docstring with its line breaks as spaces (a phrase may be wrapped anywhere)."""
    return re.sub(r"\s+", " ", text)


# ---- what the verifier shares with the model (docs/rules.md, verify.py's docstring) -------------------


def _schema_readers() -> set[str]:
    """The properties and methods the data model's classes define (schema.py)."""
    readers = set()
    for cls in vars(schema).values():
        if inspect.isclass(cls) and issubclass(cls, pydantic.BaseModel) and cls.__module__ == schema.__name__:
            readers |= {name for name, value in vars(cls).items()
                        if not name.startswith("_") and (isinstance(value, property) or inspect.isfunction(value))}
    return readers


def _attributes(paths) -> set[str]:
    return {node.attr for path in paths for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute)}


def test_every_data_model_reader_the_verifier_shares_with_the_model_is_named():
    readers = _schema_readers()
    planning = [SRC / "problem.py", SRC / "greedy.py", *sorted((SRC / "model").glob("*.py")),
                *sorted((SRC / "engines").glob("*.py"))]
    shared = _attributes([SRC / "verify.py"]) & _attributes(planning) & readers
    assert {"is_plannable", "is_mandatory", "profile_ids", "effective_sector", "fte_in"} <= shared
    for name in sorted(shared):
        assert name in VERIFIER.__doc__, name
        assert name in RULES_MD, name
    assert "separately" not in RULES_MD.split("## Terms")[0]
    assert "recomputes everything" not in _flat(VERIFIER.__doc__)


def _organisation(**fields):
    return OrganisationsFile.model_validate({"organisations": [org("x", **fields)]}).organisations[0]


def test_the_shared_readers_read_the_data_as_rules_md_says():
    # a mistake here would be the model's and the verifier's alike (docs/rules.md): stated once, here
    cases = [(_organisation(status="planned"), (True, True)), (_organisation(status="signed"), (True, True)),
             (_organisation(status="optional"), (True, False)),
             (_organisation(status="opted_out", returns="2024-06-01"), (True, True)),
             (_organisation(status="opted_out"), (False, False)),
             (_organisation(status="live", live_since="2023-11-04"), (False, False))]
    assert [(o.is_plannable, o.is_mandatory) for o, _ in cases] == [expected for _, expected in cases]
    # the profiles it charges: those named, else the one named like its kind
    assert _organisation(kind="municipality").profile_ids == ["municipality"]
    assert _organisation(kind="gp_office", load_profile="small").profile_ids == ["small"]
    assert _organisation(kind="hospital", load_profile=["a", "b"]).profile_ids == ["a", "b"]
    # the sector: the one given, else the kind's
    assert _organisation(kind="municipality").effective_sector.value == "primary"
    assert _organisation(kind="hospital").effective_sector.value == "specialist"
    assert _organisation(kind="municipality", sector="specialist").effective_sector.value == "specialist"
    # the capacity in force: the change with the latest `from` not after the month, in whatever order listed
    pool = Pool.model_validate({"id": "p", "fte": 10, "source": {"fte": "estimate: test"}, "changes": [
        {"from": "2025-01", "fte": 30}, {"from": "2024-06", "fte": 20}]})
    assert [pool.fte_in(m) for m in ("2024-05", "2024-06", "2024-12", "2025-01", "2030-01")] == [10, 20, 20, 30, 30]


# ---- the compact form of pairwise rules (docs/model.md) ---------------------------------------------


def _windows(n: int) -> list[dict]:
    """One history window and n future ones, a month apart."""
    days = [dt.date(2023, 11, 4)] + [dt.date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 10) for m in range(2, 2 + n)]
    return [{"id": f"w{i}", "date": day.isoformat()} for i, day in enumerate(days)]


def _compact_parts(problem) -> tuple[list[str], set[str]]:
    proto = build_model(problem).model.proto
    names = [c.name for c in proto.constraints if c.name.startswith(("with_or_before", "order"))]
    compact = [n for n in names if "@" not in n]
    views = {v.name.split("[")[0] for v in proto.variables if not v.name.startswith("go_live[")}
    return compact, views


@pytest.mark.parametrize("future", [16, 17])
def test_pairs_are_compact_from_17_future_windows_as_model_md_says(future):
    problem = build([org(f"m{i}") for i in range(1, 5)], windows=_windows(future), rules=[
        {"type": "with_or_before", "actor": "m1", "target": "m2"}, {"type": "order", "actors": ["m3", "m4"]}])
    compact, views = _compact_parts(problem)
    if future == 16:  # 16 x 16 = 256 window pairs: not above COMPACT_ABOVE
        assert compact == [] and views == set()
    else:
        assert compact == ["with_or_before[m1<=m2]", "order[m3<m4]:first_goes_live", "order[m3<m4]:windows",
                           "order[m3<m4]:months"]
        assert views == {"goes_live", "go_live_month", "go_live_position", "go_live_date_rank"}
    text = _flat(MODEL_MD)
    assert f"`COMPACT_ABOVE` = {constraints.COMPACT_ABOVE}" in text
    assert "only with 17 or more future windows (16 · 16 = 256)" in text
    assert "Nothing else" not in text


def test_regional_300_seed_1_has_the_compact_pairs_model_md_counts(tmp_path):
    from hpplan.generate import write_instance

    write_instance(tmp_path, "regional-300", 1)
    rollout = build_model(load_problem(tmp_path), symmetry=True)
    names = [c.name for c in rollout.model.proto.constraints]
    pairs = [n for n in names if n.startswith("with_or_before") and "@" not in n]
    orders = [n for n in names if n.startswith("order") and n.endswith(":windows")]
    viewed = {v.name for v in rollout.model.proto.variables if v.name.startswith("goes_live[")}
    assert (len(pairs), len(orders), len(viewed)) == (64, 1, 104)
    row = next(line for line in MODEL_MD.splitlines() if line.startswith("| regional-300 seed 1 |"))
    assert "64 with_or_before" in row and "1 order" in row and "104 (416 variables" in row


# ---- the engines for a makespan the interval form cannot take (docs/model.md "Solving") ---------------


def _makespan_with_two_windows_in_a_month():
    windows = [{"id": "h1", "date": "2023-11-04"}, {"id": "w1", "date": "2024-02-10"},
               {"id": "w1b", "date": "2024-02-24"}, {"id": "w2", "date": "2024-04-27"}]
    profiles = [{"id": "municipality", "before": [1], "hypercare": [1, 1], "source": {"all": "estimate: test"}}]
    return build([org("m1"), org("m2")], windows=windows, profiles=profiles,
                 rules=[{"type": "order", "actors": ["m1", "m2"]}], objective={"kind": "makespan"})


def test_a_makespan_the_interval_form_cannot_take_races_as_model_md_says(monkeypatch):
    problem = _makespan_with_two_windows_in_a_month()
    assert "both in 2024-02" in unsupported(problem)
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["cp-sat", "highs"]
    small = solved(problem, time_limit=10)
    assert small.status is Status.optimal and small.stats.engine == "cp-sat + highs"
    monkeypatch.setattr(portfolio, "HIGHS_MAX_COLUMNS", 2)  # "above 20,000 window variables"
    assert engines_for(problem, "auto", replanning=False, work_limit=None) == ["lp-rounding", "highs"]
    large = solved(problem, time_limit=10)
    assert large.stats.engine == "lp-rounding + highs" and large.objective == small.objective
    text = _flat(MODEL_MD)
    assert "makespan objective the interval form cannot take" in text
    assert "A makespan never splits" in text


# ---- the preference's distance (docs/rules.md "Objective") ---------------------------------------------


def test_the_window_right_after_the_preferred_one_costs_one_penalty():
    problem = build([org("m1", population=0, preferred_window="w1", earliest="2024-04-01")])
    plan = solved(problem)
    assert plan.plan[0].window == "w2"  # next to w1: no window lies between them
    assert plan_objective(problem, plan)["preference"] == problem.waves.objective.preferred_window_penalty
    assert "The window right after the preferred one costs 1" in _flat(RULES_MD)
    assert "number of future windows between" not in _flat(RULES_MD)


# ---- the sections the code points to ------------------------------------------------------------------


def test_every_section_of_model_md_the_code_names_exists():
    headings = [re.sub(r"^#+\s*", "", line) for line in MODEL_MD.splitlines() if line.startswith("#")]
    named = []
    for path in sorted(SRC.rglob("*.py")):
        for match in re.finditer(r'docs/model\.md\s+"([^"]+)"', path.read_text(encoding="utf-8")):
            section = re.sub(r"\s*\n\s*#?\s*", " ", match.group(1))
            named.append((path.relative_to(SRC).as_posix(), section))
    assert ("model/scheduling.py", "The redundant scheduling view") in named
    missing = [(path, section) for path, section in named if not any(h.startswith(section) for h in headings)]
    assert missing == []
