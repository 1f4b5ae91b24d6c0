"""`hpplan --help` and `hpplan COMMAND --help` read well on a narrow terminal: what to give for each option
(PATH, ID=DATE, SECONDS), nothing for a flag, every option name whole, each command's summary whole."""

from __future__ import annotations

import re

import pytest
import typer.main

from hpplan import cli

GROUP = typer.main.get_command(cli.app)
#: what typer 0.29 showed for the value of an option: types, not what to give
TYPER_TYPES = ("<bool>", "list[", "%Y", "float range", "int range", "<str>", "<int>", "<float>", "<datetime>",
               "<path>")


@pytest.fixture
def help_of(capsys, monkeypatch):
    """The help as a terminal of `columns` shows it (typer's test runner forces 80 columns)."""
    def shown(*command: str, columns: int) -> str:
        monkeypatch.setenv("COLUMNS", str(columns))
        assert cli.app([*command, "--help"], prog_name="hpplan", standalone_mode=False) == 0
        return capsys.readouterr().out
    return shown


def words(text: str) -> str:
    """Text with its wrapping undone (a line break, or one after a hyphen, is a space or nothing)."""
    return " ".join(re.sub(r"-\n\s*", "-", text).split())


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("name", sorted(GROUP.commands))
def test_command_help_shows_what_to_give_and_every_option_whole(help_of, name, columns):
    text = help_of(name, columns=columns)
    for junk in TYPER_TYPES:
        assert junk not in text, (junk, text)
    assert "…" not in text, text
    assert all(len(line) <= columns for line in text.splitlines()), text
    command = GROUP.commands[name]
    for param in command.params:
        for option in param.opts if param.param_type_name == "option" else ():
            assert re.search(rf"(^|[\s,]){re.escape(option)}([\s,]|$)", text, re.M), (option, text)
    lines = text.splitlines()
    for param in command.params:
        if getattr(param, "is_flag", False):  # a flag takes no value: its line shows none
            line = next(line for line in lines if re.search(rf"{re.escape(param.opts[0])}(\s|$)", line))
            pair = "".join(f" / {re.escape(o)}" for o in param.secondary_opts)  # `--replan / --fresh`
            assert re.fullmatch(rf"\s*(-\w, )?{re.escape(param.opts[0])}{pair}(\s{{2,}}.*)?", line), line
    assert re.search(r"--help\s{2,}Show", text), text


def test_values_are_named_for_what_to_give(help_of):
    solve = help_of("solve", columns=80)
    for shown in ("--data DIR", "--time-limit SECONDS", "--postpone ID=DATE", "--capacity POOL=FTE",
                  "--exclude ID", "--scenario PATH", "--freeze-until DATE", "--output PATH", "--seed N",
                  "--gap PCT", "--engine auto|cp-sat|highs"):
        assert shown in solve, (shown, solve)
    assert "--live-by DATE" in help_of("sweep", columns=80)
    assert "--out DIR" in help_of("generate", columns=80)
    assert "--actor ID" in help_of("explain", columns=80)


@pytest.mark.parametrize("columns", [60, 80])
def test_command_summaries_are_whole_sentences(help_of, columns):
    """The summaries broke where the docstring had a line break ("the smallest changes" / "that help"),
    or were cut at 45 characters."""
    text = help_of(columns=columns)
    assert all(len(line) <= columns for line in text.splitlines()), text
    assert "<bool>" not in text
    commands = text.split("Commands:", 1)[1]
    assert "..." not in commands and "…" not in commands, text
    listed = words(commands)
    for name, command in GROUP.commands.items():
        summary = words(command.help.split("\n\n")[0])
        assert f"{name} {summary}" in listed, (name, summary, text)


def test_an_argument_is_shown_by_its_name(help_of):
    """`hpplan sweep --help` showed `Usage: hpplan sweep [OPTIONS] {SPEC}` and `SPEC <path>`: typer 0.29's
    braces and type, where options show what to give."""
    text = help_of("sweep", columns=80)
    assert text.startswith("Usage: hpplan sweep [OPTIONS] SPEC\n"), text
    assert re.search(r"^  SPEC  The sweep spec", text, re.M), text
    assert "{" not in text, text
