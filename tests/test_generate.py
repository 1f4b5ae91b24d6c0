"""Synthetic instances (hpplan.generate, `hpplan generate`): reproducible, loadable, feasible, shaped like
the real data."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from hpplan import load_problem, verify
from hpplan.cli import app
from hpplan.generate import SIZES, write_instance
from hpplan.greedy import solve_greedy
from hpplan.schema import Kind, Status
from hpplan.solution import Status as PlanStatus


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    folder = tmp_path_factory.mktemp("region")
    write_instance(folder, "region", 7)
    return folder


def test_same_size_and_seed_give_the_same_bytes_and_another_seed_does_not(region, tmp_path):
    write_instance(tmp_path / "again", "region", 7)
    write_instance(tmp_path / "other", "region", 8)
    for name in ("organisations.yaml", "waves.yaml"):
        assert (tmp_path / "again" / name).read_bytes() == (region / name).read_bytes()
    assert (tmp_path / "other" / "organisations.yaml").read_bytes() != (region / "organisations.yaml").read_bytes()


def test_region_loads_with_the_structure_of_the_real_data(region):
    problem = load_problem(region)
    kinds = Counter(o.kind for o in problem.organisations)
    assert len(problem.organisations) == SIZES["region"].actors == 100
    assert kinds[Kind.health_trust] == 3 and kinds[Kind.municipality] == 40
    assert kinds[Kind.hospital] >= 6 and kinds[Kind.gp_office] >= 20
    statuses = Counter(o.status for o in problem.organisations)
    assert statuses[Status.live] > 0 and statuses[Status.signed] > 0 and statuses[Status.planned] > 0
    assert any(o.status is Status.optional and o.private for o in problem.organisations)
    # heavy-tailed populations: the largest municipality is many times the median
    pops = sorted(o.population for o in problem.organisations if o.kind is Kind.municipality)
    assert pops[-1] > 8 * pops[len(pops) // 2]
    # every number says it is a synthetic estimate with its seed
    assert all(o.source == {"all": "estimate: synthetic, seed 7"} for o in problem.organisations)
    assert all(p.source == {"all": "estimate: synthetic, seed 7"} for p in problem.waves.pools)
    rules = Counter(r.type for r in problem.waves.rules)
    assert rules["with_or_before"] == 1 and rules["together"] == 2 and rules["order"] == 1
    assert problem.waves.rules[0].each is Kind.gp_office
    assert {l.max_trusts for l in problem.waves.limits} >= {1}
    assert len(problem.future_windows) == 4 * SIZES["region"].years
    assert any(b.kinds for b in problem.waves.blackouts) and any(b.actors for b in problem.waves.blackouts)


def test_generated_instances_are_feasible_and_capacity_binds(region):
    problem = load_problem(region)
    solution = solve_greedy(problem)
    assert solution.status is PlanStatus.feasible
    assert verify(problem, solution) == []
    # capacity binds: some month of the primary pool is (nearly) full in the greedy plan
    primary = [p for p in solution.load if p.pool == "primary"]
    assert max(p.used / p.limit for p in primary) > 0.9


def test_national_size(tmp_path):
    write_instance(tmp_path, "national", 1)
    problem = load_problem(tmp_path)
    kinds = Counter(o.kind for o in problem.organisations)
    assert len(problem.organisations) == 2100
    assert kinds[Kind.health_trust] == 20 and kinds[Kind.municipality] == 356 and kinds[Kind.gp_office] > 1500
    assert len(problem.future_windows) == 32  # 8 years of quarterly windows


def test_cli_writes_refuses_to_overwrite_and_rejects_unknown_sizes(tmp_path):
    runner = CliRunner()
    out = tmp_path / "inst"
    result = runner.invoke(app, ["generate", "--size", "region", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_problem(out).describe().endswith("100 organisations, 18 windows")
    again = runner.invoke(app, ["generate", "--size", "region", "--seed", "3", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output and "Traceback" not in again.output
    forced = runner.invoke(app, ["generate", "--size", "region", "--seed", "3", "--out", str(out), "--force"])
    assert forced.exit_code == 0
    unknown = runner.invoke(app, ["generate", "--size", "huge", "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


def test_force_replaces_both_files_or_neither(tmp_path, monkeypatch):
    """A failed `generate --force` leaves the instance as it was: waves.yaml that cannot be replaced
    is found before organisations.yaml is touched, and a write that fails anyway puts the first file
    back (a hand-edited organisations.yaml was lost with exit 2)."""
    from hpplan.errors import InputError, Location

    runner = CliRunner()
    out = tmp_path / "inst"
    (out / "waves.yaml").mkdir(parents=True)
    mine = "organisations: []  # my hand-edited file\n"
    (out / "organisations.yaml").write_text(mine)
    result = runner.invoke(app, ["generate", "--size", "region", "--out", str(out), "--force"])
    assert result.exit_code == 2 and "waves.yaml: cannot write" in result.output and "Traceback" not in result.output
    assert (out / "organisations.yaml").read_text() == mine
    (out / "waves.yaml").rmdir()
    (out / "waves.yaml").write_text("waves, mine too\n")
    from hpplan import io as hpplan_io

    real = hpplan_io.write_atomic

    def failing(path, data):
        if path.name == "waves.yaml":
            raise InputError("cannot write: disk full", Location(str(path)))
        real(path, data)

    monkeypatch.setattr(hpplan_io, "write_atomic", failing)
    result = runner.invoke(app, ["generate", "--size", "region", "--out", str(out), "--force"])
    assert result.exit_code == 2 and "disk full" in result.output
    assert (out / "organisations.yaml").read_text() == mine and (out / "waves.yaml").read_text() == "waves, mine too\n"
    fresh = tmp_path / "fresh"
    result = runner.invoke(app, ["generate", "--size", "region", "--out", str(fresh)])
    assert result.exit_code == 2 and not fresh.exists()  # (the folder it made is not left behind, empty)
