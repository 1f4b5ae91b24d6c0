"""`hpplan check` and `hpplan explain` after the s26 testers: a change that was tried and not decided is said
to be not computed (it vanished, and read as "no raise of the limit helps"); the rules and limits a message
names among others are said in words, not by their keys; the explanation of an infeasible solve can be given
a wall time (`explain_infeasible(wall_limit=)`); `explain --actor` names its option and is given once."""

from __future__ import annotations

import json
import time
from pathlib import Path

from helpers import build, org
from typer.testing import CliRunner

from hpplan import cli, explain
from hpplan.check import check_data
from hpplan.explain import Switchboard, Undecided, explain_infeasible, named
from hpplan.loader import load_problem

DATA = Path(__file__).parent / "data"
THREE = DATA / "infeasible_three"
runner = CliRunner()

#: the keys of constraint groups (the JSON's), which a message to a user never shows
KEY_FORMS = ("limit#", "mandatory:", "earliest:", "latest:", "capacity:", "rule#", "blackout#", "status:")


def run(*args):
    return runner.invoke(cli.app, [str(a) for a in args])


def _undecided(*args, **kwargs):
    raise Undecided("no answer within the work limit of 30 s (raise --time-limit)")


def _limit_too_low_in_every_window():
    """tests/test_explain.py: four municipalities in two windows, a pool for two a month, at most one a
    window: only the limit raised in every window resolves it (`Relaxer._whole_limit`)."""
    profile = [{"id": "municipality", "hypercare": [4], "source": {"all": "estimate: test"}}]
    pools = [{"id": "specialist", "sector": "specialist", "fte": 100, "source": {"fte": "estimate: test"}},
             {"id": "primary", "sector": "primary", "fte": 8, "source": {"fte": "estimate: test"}}]
    return build([org(f"m{i}", latest="2024-04-30") for i in range(4)], profiles=profile, pools=pools,
                 limits=[{"max_actors": 1}])


# ---- 1. a change tried and not decided is "not computed", never left out ---------------------------------------


def test_a_limit_raise_not_decided_in_one_window_is_said_not_computed(monkeypatch):
    # big3 with -t 2: the raise of limit #2 was not decided and vanished; `not_computed: []`, the only change
    # offered "let Aarhus stay unscheduled". Here the least raise is stubbed undecided (deterministically)
    monkeypatch.setattr(explain.Relaxer, "_least_raise", _undecided)
    found = explain_infeasible(load_problem(THREE))
    conflict = next(c for c in found.conflicts if "limit#1.max_trusts@2024-02" in c.keys)
    assert not [r for r in conflict.relaxations if r.kind == "limit"]
    assert conflict.not_computed == conflict.not_decided == ["limit#1.max_trusts@2024-02"]
    assert not conflict.budget_spent and not found.budget_spent  # the work limit of one solve, not the budget
    text = found.to_text()
    assert ("  not computed: the smallest change of limit #1 (max_trusts) in window 2024-02: tried, and not "
            "decided within the work limit of 30 s; raise --time-limit") in text, text
    assert "no single change" not in text.split("Conflict 3")[1]
    report = found.to_json_dict()["conflicts"][2]
    assert report["not_computed"] == report["not_decided"] == ["limit#1.max_trusts@2024-02"]
    assert report["work_budget_spent"] is False


def test_a_limit_raise_in_every_window_not_decided_is_said_not_computed(monkeypatch):
    single = explain.Relaxer._least_raise

    def least_raise(self, keys):
        if len(keys) > 1:  # the raise in every window: undecided (big3 with -t 2, 0.8 s, UNKNOWN)
            raise Undecided("no answer within the work limit of 10 s (raise --time-limit)")
        return single(self, keys)

    monkeypatch.setattr(explain.Relaxer, "_least_raise", least_raise)
    found = explain_infeasible(_limit_too_low_in_every_window(), time_limit=10)
    assert not found.feasible
    limits = [k for c in found.conflicts for k in c.keys if k.startswith("limit#1.")]
    assert limits  # the limit is part of a conflict
    conflict = next(c for c in found.conflicts if any(k.startswith("limit#1.") for k in c.keys))
    assert not [r for r in conflict.relaxations if r.kind == "limit"]
    windows = [k for k in conflict.keys if k.startswith("limit#1.")]
    assert [k for k in conflict.not_decided if k.startswith("limit#1.")] == windows
    assert set(windows) <= set(conflict.not_computed)
    text = found.to_text()
    assert "not computed: the smallest change of limit #1 (max_actors) in window" in text, text
    assert "tried, and not decided within the work limit of 10 s; raise --time-limit" in text


def test_with_the_raise_decided_it_is_offered_and_nothing_is_left_not_computed():
    found = explain_infeasible(_limit_too_low_in_every_window(), time_limit=10)
    texts = [r.message for c in found.conflicts for r in c.relaxations]
    assert "raise limit #1 max_actors from 1 to 2 (+1) in every window it applies to" in texts, texts
    assert all(not c.not_computed and not c.not_decided for c in found.conflicts)


def test_a_status_change_not_decided_is_said_not_computed_in_words(monkeypatch):
    # a rule tied to a member that opted out offers status changes; one not decided read "it does not help"
    problem = build([org("a", status="opted_out"), org("b", name="Bø")],
                    rules=[{"type": "together", "actors": ["a", "b"]}])
    monkeypatch.setattr(explain.Relaxer, "_holds_with", _undecided)
    found = explain_infeasible(problem)
    conflict = found.conflicts[0]
    assert not [r for r in conflict.relaxations if r.kind == "status"]
    assert conflict.not_decided == ["status:a", "status:b"] == conflict.not_computed
    text = found.to_text()
    assert "not computed: the smallest change of the opt-out of A, the status of Bø: tried, and not decided" in text
    assert [r.message for r in conflict.relaxations] == ["drop rule #1 (together)",
                                                         "let Bø stay unscheduled (status optional)"]


# ---- 2. rules and limits named in words, never by their keys ------------------------------------------------------


def test_a_finding_names_the_others_of_its_conflict_in_words():
    result = check_data(load_problem(THREE))
    messages = [f.message for f in result.findings]
    trust = next(m for m in messages if m.startswith("Helse Møre og Romsdal HF must go live"))
    assert ("cannot hold together with Helse Nord-Trøndelag HF must go live, Helse Møre og Romsdal HF's latest "
            "date, Helse Nord-Trøndelag HF's latest date, limit #1 (max_trusts) in window 2024-02;") in trust, trust
    for message in messages:
        together = message.split("cannot hold together with ")[1]
        assert not any(form in together for form in KEY_FORMS), message


def test_a_budget_spent_names_the_changes_not_computed_in_words(monkeypatch):
    # "not computed: the smallest change of mandatory:aarhus, limit#2.max_users@v01, …" (solve on stderr)
    monkeypatch.setattr(explain, "WORK_BUDGET_FACTOR", 0.0001)
    found = explain_infeasible(_limit_too_low_in_every_window(), time_limit=10)
    lines = [line for line in found.to_text().splitlines() if "not computed" in line or "not proven" in line]
    assert lines and all(not any(form in line for form in KEY_FORMS) for line in lines), lines
    assert any("limit #1 (max_actors) in windows w1..w2" in line for line in lines), lines
    report = found.to_json_dict()["conflicts"]
    assert {"limit#1.max_actors@w1", "limit#1.max_actors@w2"} <= {k for c in report for k in c["not_computed"]}


def test_runs_of_windows_and_months_are_named_once():
    problem = load_problem(THREE)
    words = explain.Describer(problem)
    board = Switchboard(problem)
    keys = [k for k in board.keys if k.startswith(("limit#", "mandatory:helse-m"))]
    reasons = [words.reason(board.group(k), board.switches, set()) for k in keys]
    assert named(reasons) == ("Helse Møre og Romsdal HF must go live, limit #1 (max_trusts) in windows "
                              "2024-02..2024-09")
    assert named(reasons[:2] + reasons[3:]) == ("Helse Møre og Romsdal HF must go live, limit #1 (max_trusts) in "
                                                "window 2024-02, limit #1 (max_trusts) in window 2024-09")


# ---- 2b. a wall time for the explanation of an infeasible solve -----------------------------------------------


def test_a_wall_time_given_and_spent_stops_the_search_and_says_so(monkeypatch):
    # `solve -t 10` on 325 organisations: the explanation had 100 s of work, 3 minutes of wall time
    minimal = Switchboard.minimal

    def then_the_clock_runs_out(self, infeasible):
        found = minimal(self, infeasible)
        self.deadline = (self.deadline[0], time.perf_counter())  # the wall time given ends here
        return found

    monkeypatch.setattr(Switchboard, "minimal", then_the_clock_runs_out)
    found = explain_infeasible(load_problem(THREE), wall_limit=5)
    assert len(found.conflicts) == 1 and not found.complete and found.more_undecided
    assert found.wall_limit == 5 and found.wall_limit_reached and found.budget_spent
    conflict = found.conflicts[0]
    assert conflict.not_computed and conflict.wall_limit == 5 and conflict.relaxations == []
    text = found.to_text()
    assert text.startswith("No plan satisfies every rule and limit: 1 conflict; whether there are more was not "
                           "decided: the 5 s of wall time given to the explanation ran out (raise --time-limit).")
    assert ("the 5 s of wall time given to the explanation ran out (before its work budget of 300 s); raise "
            "--time-limit, or ask `hpplan explain`, which only the work budget bounds") in text, text
    report = found.to_json_dict()
    assert report["wall_limit"] == 5 and report["wall_limit_reached"] and report["work_budget_spent"]


def test_a_wall_time_not_reached_changes_nothing():
    problem = load_problem(THREE)
    given = explain_infeasible(problem, wall_limit=3600).to_json_dict()
    plain = explain_infeasible(problem).to_json_dict()
    assert given.pop("wall_limit") == 3600 and plain.pop("wall_limit") is None
    assert given.pop("wall_limit_reached") is False and plain.pop("wall_limit_reached") is False
    assert given == plain


def test_no_solve_runs_past_the_wall_time_given():
    problem = load_problem(THREE)
    board = Switchboard(problem, deadline=(0.5, time.perf_counter() + 0.5))
    assert board.solver().parameters.max_time_in_seconds <= 0.5
    assert Switchboard(problem).solver().parameters.max_time_in_seconds == (30 + Switchboard(problem).load) * 4


def test_the_wall_time_is_checked_as_the_library_checks_its_arguments():
    import pytest

    with pytest.raises(ValueError, match="wall_limit must be at least 0"):
        explain_infeasible(load_problem(THREE), wall_limit=-1)
    with pytest.raises(TypeError, match="wall_limit is a number of seconds"):
        explain_infeasible(load_problem(THREE), wall_limit="10")


# ---- 3. --actor: named in its errors, given once -------------------------------------------------------------------


def test_an_unknown_actor_names_the_option():
    result = run("explain", "--data", THREE, "--actor", "haramm")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: --actor: 'haramm' is not an organisation in {THREE}/organisations.yaml "
                                     "(did you mean 'haram'?)"), result.stderr
    assert "Traceback" not in result.output


def test_an_actor_that_is_no_id_says_what_an_id_is():
    empty = run("explain", "--data", THREE, "-a", "")
    assert empty.exit_code == 2 and empty.stderr.startswith("error: --actor: '' is not an id: ids are ASCII"), \
        empty.stderr
    name = run("explain", "--data", THREE, "-a", "Ålesund")
    assert name.exit_code == 2 and "--actor: 'Ålesund' is not an id" in name.stderr
    assert "did you mean 'alesund'?" in name.stderr
    both = run("explain", "--data", THREE, "-a", "alesund,haram")
    assert both.exit_code == 2 and "--actor alesund or --actor haram" in both.stderr, both.stderr


def test_an_actor_given_twice_is_refused_not_half_explained():
    # `explain -a aure -a averoy` explained averoy alone, and said nothing of aure
    result = run("explain", "--data", THREE, "-a", "haram", "-a", "vanylven")
    assert result.exit_code == 2 and result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("error: --actor: given 2 times ('haram', 'vanylven'); explain answers about one "
                              "organisation a run: run it once for each, "), message
    assert f"`hpplan explain --data {THREE} --actor haram`" in message
    assert f"`hpplan explain --data {THREE} --actor vanylven`" in message


def test_the_library_names_no_option():
    from hpplan.errors import InputError
    import pytest

    with pytest.raises(InputError) as error:
        explain.known_actor(load_problem(THREE), "haramm")
    assert str(error.value).startswith("'haramm' is not an organisation in ")


def test_check_json_says_not_decided(monkeypatch):
    monkeypatch.setattr(explain.Relaxer, "_least_raise", _undecided)
    result = run("check", "--data", THREE, "--format", "json")
    assert result.exit_code == 1
    conflict = json.loads(result.stdout)["explanation"]["conflicts"][2]
    assert conflict["not_decided"] == ["limit#1.max_trusts@2024-02"] == conflict["not_computed"]


def test_when_the_wall_time_given_runs_out_before_anything_is_decided_the_answer_is_undecided(monkeypatch):
    import pytest

    def undecided_at_the_deadline(self, on, work_limit=None):
        self.deadline = (self.deadline[0], time.perf_counter())  # the clock runs out during the first solve
        return explain.Outcome(None)

    def no_race(*args):
        raise AssertionError("the race ran past the wall time given")

    monkeypatch.setattr(Switchboard, "solve", undecided_at_the_deadline)
    monkeypatch.setattr(explain, "solve_finds_plan", no_race)
    with pytest.raises(Undecided, match=r"no answer within the 2 s of wall time given \(raise --time-limit\)"):
        explain_infeasible(load_problem(THREE), wall_limit=2)
