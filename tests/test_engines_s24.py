"""Session 24's engine fixes: HiGHS's banner silenced without losing stdout when threads construct
HiGHS at once; an infeasible MIP whose dual bound HiGHS reports as +inf; an engine's own failure never
reported as `unknown` (out of time); the documented position of a pinned organisation dated before
every window; the default horizon's longest hypercare over every load profile."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import build, org, solved

from hpplan import verify
from hpplan.problem import month_label
from hpplan.solution import Status
from hpplan.solve import SolveOptions, solve

highspy = pytest.importorskip("highspy")

from hpplan.engines.highs import HighsOptions, solve_highs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny"
SOURCE = {"all": "estimate: test"}


# ---- HiGHS's banner and file descriptor 1 --------------------------------------------------------

CONSTRUCTING = textwrap.dedent("""
    import os, sys, threading
    from pathlib import Path
    from hpplan import load_problem
    from hpplan.engines.common import flatten
    from hpplan.engines.highs import HighsOptions, MipModel, load_highs

    mip = MipModel(flatten(load_problem(Path(sys.argv[1]))))
    before = os.fstat(1)

    def in_threads(count, constructions):
        start = threading.Barrier(count)

        def run():
            start.wait()
            for _ in range(constructions):
                load_highs(mip, HighsOptions(), integer=True)

        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        return threads

    for thread in in_threads(8, 25):  # the process's first HiGHS, from eight threads at once
        thread.join()
    after = os.fstat(1)
    print((before.st_dev, before.st_ino) == (after.st_dev, after.st_ino), file=sys.stderr)
    os.write(1, b"first\\n")
    threads = in_threads(4, 50)  # later ones, while this thread writes to fd 1
    for i in range(2000):
        os.write(1, b"line %d\\n" % i)
    for thread in threads:
        thread.join()
    os.write(1, b"end\\n")
""")


def test_concurrent_highs_constructions_neither_lose_stdout_nor_print_the_banner():
    # each construction pointed fd 1 at /dev/null and back: two threads at once left it at /dev/null
    # for good (`hpplan solve -f json --engine highs > plan.json` wrote nothing, exit 0), and what
    # another thread wrote meanwhile was lost
    done = subprocess.run([sys.executable, "-c", CONSTRUCTING, str(TINY)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "True"  # fd 1 is where it was
    assert done.stdout == "first\n" + "".join(f"line {i}\n" for i in range(2000)) + "end\n"  # no banner either


def test_every_highs_is_constructed_through_new_highs():
    constructions = {path.relative_to(ROOT / "src").as_posix(): len(re.findall(r"highspy\.Highs\(", path.read_text()))
                     for path in (ROOT / "src").rglob("*.py")}
    assert {path: n for path, n in constructions.items() if n} == {"hpplan/engines/highs.py": 2}  # new_highs'
    text = (ROOT / "src" / "hpplan" / "engines" / "highs.py").read_text()
    body = text[text.index("def new_highs("):text.index("def _quiet_stdout(")]
    assert body.count("highspy.Highs(") == 2


def test_solve_json_with_highs_on_a_pipe_is_the_whole_plan():
    done = subprocess.run([sys.executable, "-c", "import sys; from hpplan.cli import main; sys.argv[0] = 'hpplan'; main()",
                           "solve", "--data", str(TINY), "-f", "json", "--engine", "highs", "-t", "5"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


# ---- an infeasible MIP: HiGHS's dual bound +inf --------------------------------------------------


def six_for_five_windows(kind: str = "makespan"):
    """Six mandatory organisations, five windows, one go-live a window: infeasible, found so by HiGHS's
    search (its dual bound then +inf), not by its presolve (differ's min-highs-overflow)."""
    orgs = [org("z_3", "health_trust", "signed"),
            org("bravo", "gp_office", "signed", municipality="hotel", load_profile=["px", "py"]),
            org("hotel", "municipality", "optional"),
            org("oscar", "lab", "opted_out", returns="2024-06-24"),
            org("papa", "hospital", "planned"),
            org("kilo", "health_trust", "signed"),
            org("a-1", "health_trust", "signed")]
    windows = [{"id": "w3", "date": "2024-04-08"}, {"id": "w0", "date": "2024-06-25"},
               {"id": "w1", "date": "2024-10-28"}, {"id": "w2", "date": "2025-08-09"},
               {"id": "w4", "date": "2025-09-09"}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 8.6, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 6.2, "source": {"fte": "estimate: test"}}]
    profiles = [{"id": "px", "before": [0.8, 0.8], "hypercare": [0.1, 2.4, 2.7], "pool": "primary", "source": SOURCE},
                {"id": "py", "before": [2.1], "hypercare": [2.6], "source": SOURCE}]
    return build(orgs, windows=windows, pools=pools, profiles=profiles, limits=[{"max_actors": 1}],
                 objective={"kind": kind})


@pytest.mark.parametrize("kind", ["makespan", "population"])
def test_an_infeasible_mip_proven_in_highs_search_is_infeasible(kind):
    problem = six_for_five_windows(kind)
    # was: OverflowError (float infinity to integer) from the +inf dual bound
    assert solve_highs(problem, HighsOptions(time_limit=5)).status is Status.infeasible
    assert solve(problem, SolveOptions(time_limit=5, engine="highs")).status is Status.infeasible


# ---- an engine's own failure ---------------------------------------------------------------------

INFEASIBLE = Path(__file__).parent / "data" / "infeasible_three"


def failing(*args, **kwargs):
    raise ZeroDivisionError("an engine's bug")


def test_an_engine_that_fails_where_none_answers_is_a_bug_not_out_of_time(monkeypatch):
    # was: status unknown (exit 3, "no plan within the time limit") after a fraction of a second
    import hpplan.engines.highs

    from hpplan import load_problem

    monkeypatch.setattr(hpplan.engines.highs, "solve_highs", failing)
    with pytest.raises(RuntimeError, match=r"the highs engine failed \(ZeroDivisionError: an engine's bug\) "
                                           r"and no other engine answered") as raised:
        solve(load_problem(INFEASIBLE), SolveOptions(time_limit=5, engine="highs"))
    assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_the_command_exits_70_with_the_engines_traceback(tmp_path):
    script = ("import sys, hpplan.engines.highs\n"
              "def failing(*args, **kwargs):\n"
              "    raise ZeroDivisionError(\"an engine's bug\")\n"
              "hpplan.engines.highs.solve_highs = failing\n"
              "from hpplan.cli import main\n"
              "sys.argv[0] = 'hpplan'\n"
              "main()\n")
    out = tmp_path / "plan.json"
    done = subprocess.run([sys.executable, "-c", script, "solve", "--data", str(INFEASIBLE), "--engine", "highs",
                           "-t", "5", "-f", "json", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 70, done.stderr
    assert "in failing" in done.stderr and "ZeroDivisionError: an engine's bug" in done.stderr  # its traceback
    assert "internal error: RuntimeError: the highs engine failed" in done.stderr
    assert not out.exists() and done.stdout == ""


def test_an_engine_that_fails_beside_one_that_answers_is_a_warning(monkeypatch):
    import hpplan.engines.highs

    from hpplan import load_problem

    monkeypatch.setattr(hpplan.engines.highs, "solve_highs", failing)
    with pytest.warns(RuntimeWarning, match="the highs engine failed"):  # CP-SAT proves it infeasible
        assert solve(load_problem(INFEASIBLE), SolveOptions(time_limit=5, engine="auto")).status is Status.infeasible
    with pytest.warns(RuntimeWarning, match="the highs engine failed"):  # the list schedule's plan
        plan = solved(load_problem(TINY), time_limit=5, engine="highs")
    assert plan.status is Status.feasible and plan.stats.found_by == "greedy"


# ---- the documented position of a pinned organisation before every window (docs/rules.md) ---------


def test_a_pinned_organisation_live_before_every_window_has_position_minus_one():
    windows = [{"id": "h2", "date": "2023-11-04"}, {"id": "a", "date": "2024-03-09"},
               {"id": "b", "date": "2024-04-13"}, {"id": "c", "date": "2024-05-11"}]
    problem = build([org("first", "health_trust", "live", live_since="2023-05-01"), org("then")], windows=windows,
                    rules=[{"type": "order", "actors": ["first", "then"], "min_gap_windows": 4}])
    plan = solved(problem, time_limit=5, engine="auto")
    assert plan.status is Status.optimal
    assert {a.id: a.window for a in plan.plan}["then"] == "c"  # position 3 = -1 + 4: the model
    earlier = dataclasses.replace(plan, plan=[dataclasses.replace(a, window="b", go_live=dt.date(2024, 4, 13))
                                              if a.id == "then" else a for a in plan.plan])
    found = verify(problem, earlier, check_objective=False)  # and the independent verifier agree
    assert [v.message for v in found if "3 window(s) apart, at least 4 required" in v.message]
    assert len(found) == 1


# ---- the default horizon (docs/data-format.md `horizon_end`) ---------------------------------------


def test_the_default_horizon_takes_the_longest_hypercare_of_every_profile_used_or_not():
    municipality = {"id": "municipality", "before": [1], "hypercare": [1, 1], "source": SOURCE}
    spare_lab = {"id": "lab", "before": [], "hypercare": [1, 0, 0, 0, 0, 0], "source": SOURCE}  # no lab to plan
    horizon = {name: month_label(build([org("m1")], profiles=profiles).end_month)
               for name, profiles in {"none": [], "used": [municipality], "spare too": [municipality, spare_lab]}.items()}
    # the last window is 2024-11-09: plus the longest hypercare less one, its trailing zeros counted
    assert horizon == {"none": "2024-11", "used": "2024-12", "spare too": "2025-04"}
