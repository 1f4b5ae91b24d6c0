"""s24 fixer-compare2: `compare` of two data folders names first the cause that forces a move (a together
partner's own new date before a lower limit that binds only with the others where the new plan has them),
and says what changed in a rule or a blackout the data changed (docs/scenarios.md "How the cause is found")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import line_of
from test_compare_s22 import TINY, run
from test_compare_s24 import _edit

from hpplan.formats import md_text


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    """tiny with a together rule (HMR with Ålesund), HMR's earliest date 2024-04-01 and Ørsta's 2024-03-01: the
    baseline puts the three in 2024-04 (max_actors 3); `main` and a copy `pr` to edit."""
    main = tmp_path / "main"
    shutil.copytree(TINY, main)
    with (main / "waves.yaml").open("a", encoding="utf-8") as f:
        f.write("  - type: together\n    id: hmr-together\n    actors: [helse-more-og-romsdal, alesund]\n")
    _edit(main / "organisations.yaml", "    preferred_window: 2024-04\n",
          "    preferred_window: 2024-04\n    earliest: 2024-04-01\n")
    _edit(main / "organisations.yaml", "    status: planned\n", "    status: planned\n    earliest: 2024-03-01\n")
    pr = tmp_path / "pr"
    shutil.copytree(main, pr)
    return main, pr


def _compare(*args) -> tuple[dict[str, dict], str, str]:
    """The moves of the JSON, the text and the Markdown of one comparison."""
    args = [*map(str, args), "-t", "5"]
    result = run("compare", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    moves = {m["id"]: m for m in json.loads(result.stdout)["moves"]}
    text = " ".join(run("compare", *args).stdout.split())
    markdown = run("compare", *args, "-f", "markdown").stdout
    return moves, text, markdown


def test_a_together_partners_new_date_is_named_before_a_lower_limit_that_would_also_bind(tmp_path):
    # follower2 3: HMR's earliest date later AND max_actors lower: its hospitals were told "window 2024-04 is
    # full (max_actors) ...; max_actors 14 -> 11", though they move because of the together rule with HMR
    main, pr = _pair(tmp_path)
    _edit(pr / "organisations.yaml", "    earliest: 2024-04-01\n", "    earliest: 2024-06-01\n")
    _edit(pr / "waves.yaml", "    max_actors: 3", "    max_actors: 2")
    moves, text, markdown = _compare("--baseline", main, "--data", pr)
    alesund = moves["alesund"]
    assert alesund["window_from"] == "2024-04" and alesund["change"] == "later", alesund
    together = ("together rule hmr-together: goes live with helse-more-og-romsdal, whose earliest 2024-04-01* -> "
                "2024-06-01* (baseline data -> data)")
    assert (alesund["cause"]["kind"], alesund["cause"]["text"]) == ("knock-on", together), alesund["causes"]
    assert alesund["roots"] == ["helse-more-og-romsdal"], alesund
    # the limit, which binds too (Ørsta stays in 2024-04), is an additional cause behind it
    where = f"{pr / 'waves.yaml'}:{line_of(pr / 'waves.yaml', 'max_actors: 2')}"
    assert [c["rule"] for c in alesund["causes"]] == ["together", "limit.max_actors"], alesund["causes"]
    assert alesund["causes"][1]["text"].endswith(f"; max_actors 3 -> 2 (baseline data -> data, {where})")
    hmr = moves["helse-more-og-romsdal"]
    assert hmr["cause"]["text"] == "earliest 2024-04-01* -> 2024-06-01* (baseline data -> data)", hmr["causes"]
    assert f"why: {together}" in text and "why: window 2024-04 is full" not in text, text
    assert f"| {md_text(together)} |" in markdown and "| window 2024-04 is full" not in markdown, markdown


def test_a_rule_changed_in_the_data_says_what_changed(tmp_path):
    # fixer-compare's notes: an order rule's actors swapped gave its line but not what changed
    main, pr = tmp_path / "main", tmp_path / "pr"
    for folder, actors in ((main, "[orsta, alesund]"), (pr, "[alesund, orsta]")):
        shutil.copytree(TINY, folder)
        with (folder / "waves.yaml").open("a", encoding="utf-8") as f:
            f.write(f"  - type: order\n    id: municipality-order\n    actors: {actors}\n")
    moves, text, markdown = _compare("--baseline", main, "--data", pr)
    where = f"{pr / 'waves.yaml'}:{line_of(pr / 'waves.yaml', 'id: municipality-order') - 1}"
    changed = f"; actors [orsta, alesund] -> [alesund, orsta] (baseline data -> data, {where})"
    said = [c for m in moves.values() for c in m["causes"] if c["rule"] == "order"]
    assert said and all(c["kind"] == "data-change" and c["text"].endswith(changed) for c in said), moves
    assert md_text(changed) in markdown, markdown
    assert "; actors [orsta, alesund] -> [alesund, orsta] (baseline data -> data," in text, text


def test_a_blackout_whose_dates_changed_says_from_what_to_what_not_new(tmp_path):
    # fixer-compare's notes: a blackout whose dates changed was "new in the data"
    main, pr = _pair(tmp_path)
    for folder, to in ((main, "2024-02-05"), (pr, "2024-02-20")):
        _edit(folder / "waves.yaml", "pools:", f"blackouts:\n  - {{from: 2024-02-01, to: {to}, reason: upgrade}}\n\n"
                                               "pools:")
    moves, text, markdown = _compare("--baseline", main, "--data", pr)
    where = f"{pr / 'waves.yaml'}:{line_of(pr / 'waves.yaml', 'reason: upgrade')}"
    cause = ("goes live 2024-02-10, inside the blackout 2024-02-01 to 2024-02-20: upgrade; from 2024-02-01 to "
             f"2024-02-05 -> from 2024-02-01 to 2024-02-20 (baseline data -> data, {where})")
    held = [m for m in moves.values() if m["window_from"] == "2024-02"]
    assert held, moves
    for m in held:
        assert (m["cause"]["kind"], m["cause"]["text"], m["cause"]["where"]) == ("data-change", cause, where), m
    assert md_text(cause) in markdown, markdown
    assert "; from 2024-02-01 to 2024-02-05 -> from 2024-02-01 to 2024-02-20 (baseline data -> data," in text, text
