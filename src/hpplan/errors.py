"""Errors a user can act on: where (file:line) and what, with what would be right."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class InputError(Exception):
    """Bad input: reported as `file:line: message` with exit code 2, never as a traceback."""

    def __init__(self, message: str, where: Location | str | Path | None = None, line: int | None = None):
        if isinstance(where, (str, Path)):
            where = Location(str(where), line)
        self.where = where
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DataWarning(UserWarning):
    """Data that is valid but almost surely not what was meant (no organisation loads any pool): the
    plan is made, and the warning, which starts with `hpplan:`, is said on stderr as one line."""


MAX_ERRORS = 25  # errors listed at most; the others are counted, so that a long list is never cut unsaid


class InputErrors(InputError):
    """Several input errors found in one pass: the first `MAX_ERRORS` are listed (`errors`) and all are
    counted (`total`, at least `len(errors)`; give it when the list passed is itself cut short)."""

    def __init__(self, errors: list[InputError], total: int | None = None):
        self.errors = list(errors)[:MAX_ERRORS]
        self.total = max(total or 0, len(errors))
        super().__init__(str(self))

    @property
    def unlisted(self) -> int:
        return self.total - len(self.errors)

    def __str__(self) -> str:
        more = (f"... and {self.unlisted} more error{'s' if self.unlisted != 1 else ''} not listed "
                "(fix these and run again)") if self.unlisted else None
        return "\n".join([*(str(e) for e in self.errors), *([more] if more else [])])


def input_errors(errors: list[InputError], total: int | None = None) -> InputError:
    """One error as itself, several as `InputErrors` (the first MAX_ERRORS listed, all counted)."""
    return errors[0] if len(errors) == 1 and (total or 1) == 1 else InputErrors(errors, total)


def each_of(*steps: Callable[[], object]) -> list:
    """Run every step, also after one fails: their results, or the input errors of all of them together
    (an error in organisations.yaml hid every error in waves.yaml, one CI run per file)."""
    results, found, total = [], [], 0
    for step in steps:
        try:
            results.append(step())
        except InputErrors as errors:
            found += errors.errors
            total += errors.total
        except InputError as error:
            found.append(error)
            total += 1
    if found:
        raise input_errors(found, total)
    return results


def grouped(value: int) -> str:
    """12345 -> '12 345': a whole number as every message and output of hpplan's writes it (the Norwegian
    thousands separator, an ordinary space; `formats.fmt_int` for figures that may be floats)."""
    return f"{value:,}".replace(",", " ")


def numbers_grouped(text: str) -> str:
    """`text` (pydantic's "Input should be less than or equal to 100000") with each whole number of five digits or
    more in it as `grouped` writes it: "... 100 000"."""
    import re

    return re.sub(r"(?<![\d.])\d{5,}(?![\d.])", lambda m: grouped(int(m.group())), text)


def a_or_an(word: str) -> str:
    """`word` with its indefinite article: 'a hospital', 'an other', 'an order'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def some_of(names: Iterable[str], shown: int = 3) -> str:
    """The first few of a list of names, and how many more: 'a, b, c and 5 more'."""
    names = list(names)
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def closest(word: str, choices) -> str | None:
    """The one of `choices` closest to `word` (a misspelling of it, or the same but for case: `ki5` for
    `KI5`, which difflib, comparing case, finds too far; or an id renamed by a part added before or after a
    hyphen: `orsta-kommune` for `orsta`, where difflib prefers `frosta`; or, where nothing is spelt alike, one
    with a part less: `orsta` for `orsta-kommune`), or None."""
    choices = list(choices)
    if not isinstance(word, str):
        return None
    texts = [c for c in choices if isinstance(c, str)]
    same = [c for c in texts if c.lower() == word.lower()]
    if same:
        return same[0]
    if word:
        low = word.lower()
        # a part added, not one taken away: `orsta-legekontr` is a misspelt `orsta-legekontor`, not `orsta`
        renamed = [c for c in texts if c.lower().startswith(low + "-") or c.lower().endswith("-" + low)]
        if renamed:  # of several, the most alike (and of those alike, the first in string order)
            return min(renamed, key=lambda c: (-difflib.SequenceMatcher(None, word, c).ratio(), c))
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    if word:  # last: a part too many (`orsta-kommune` for `orsta`), where nothing is spelt alike
        low = word.lower()
        shorter = [c for c in texts if c and (low.startswith(c.lower() + "-") or low.endswith("-" + c.lower()))]
        if shorter:  # the longest: the most of what was written
            return max(shorter, key=len)  # (of equal ones, the first)
    return None


def did_you_mean(word: str, choices) -> str:
    """' (did you mean 'x'?)' for the closest of `choices`, or ''."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""
