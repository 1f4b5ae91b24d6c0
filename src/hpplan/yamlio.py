"""Reading YAML that a person wrote, strictly, with line numbers.

PyYAML's defaults misread hand-written data silently: `NO` (Norway) and `yes`/`on`/`off` become
booleans, `0123` becomes an octal number, `1:30` a base-60 number, a repeated key overwrites the first,
and anchors/aliases can expand a small file into gigabytes ("billion laughs"). This reader refuses all
of those with a `file:line` error, and remembers the line of every value so that later validation errors
can point at it.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from .errors import InputError, Location, a_or_an, grouped

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 500_000
MAX_DEPTH = 64

_YAML11_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_LEADING_ZERO_INT = re.compile(r"^[-+]?0[0-9_]+$")
#: numbers YAML 1.1 reads but a person would not write in a data file: 0x10 (16), 0b11 (3), 1_000 (1000)
_OTHER_BASE = re.compile(r"^[-+]?0[xXbB]")
_INT, _FLOAT, _STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
#: a timestamp YAML reads as a date alone (anything longer has a time of day, which the reading rewrites)
_PLAIN_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
#: a number with an exponent that YAML 1.1 reads as text (`1e2`, `1.38e4`: its own needs a point and a sign)
_EXPONENT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


#: the most characters of an integer read (Python converts at most 4,300 digits to an int by default,
#: sys.get_int_max_str_digits; the data's largest numbers have a handful)
_MAX_DIGITS = 4300


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (as in YAML 1.2)."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in copy.deepcopy(yaml.SafeLoader.yaml_implicit_resolvers).items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


#: the same loader on libyaml's C parser where PyYAML has it: a national data set's 2 MB read about four
#: times faster. Only a file it reads without a fault takes it; any fault is read again by the Python
#: parser, whose messages (and marks into the text) the hints are written for (`_syntax_error`)
def _fast_loader() -> type | None:
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class FastLoader(yaml.CSafeLoader):
        """CSafeLoader with `_StrictLoader`'s booleans."""

    FastLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers
    return FastLoader


_FastLoader = _fast_loader()


@dataclass
class YamlDocument:
    """A parsed file: its data and the line (1-based) of each value, keyed by path; `written`: the text of
    each unquoted number whose reading loses how it was written, keyed by path: a decimal fraction
    (`120.000`, read as 120.0: a thousands dot where a whole number belongs), an exponent (`1e2`,
    which YAML 1.1 reads as text), a date with a time of day (`2025-01-15T10:00:00`, which it reads as
    2025-01-15 10:00:00), and an unquoted text with a digit in it (`72` and a thin space, which YAML reads
    as text and pydantic as 72). A text value not in it was written in quotes."""

    file: str
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    written: dict[tuple, str] = field(default_factory=dict)
    #: the comment on the line of a key whose value is left empty, keyed by the value's path: `name: #1 Ørsta`
    #: is no name and a comment `#1 Ørsta`, as YAML reads it (the loader says so where a value is missing)
    commented: dict[tuple, str] = field(default_factory=dict)

    def line_of(self, path: tuple) -> int | None:
        """The line of the value at `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def where(self, path: tuple = ()) -> Location:
        return Location(self.file, self.line_of(path))


def load_yaml(path: Path, display: str | None = None, flags: frozenset[str] = frozenset(), *, what: str = "file",
              give: str = "") -> YamlDocument:
    """Read one YAML file strictly. Raises InputError with `file:line` on anything doubtful. `flags`: the
    keys whose values are true or false (`yes` there is answered with true, not with quotes). A path that is
    no regular file (a folder, a device, a named pipe), or a file over MAX_BYTES, is refused before it is
    read (`read_regular_file`; `what`, `give`: the file expected and what to give instead, as it says them)."""
    raw = read_regular_file(path, display or str(path), what=what, give=give)
    return parse_yaml(raw, display or str(path), flags, what=what)


def not_regular(mode: int) -> str | None:
    """What a file of this `st_mode` is, as a person names it, where it is no regular file ('a folder',
    'a device', ...); None: a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def not_regular_message(kind: str, what: str = "file", give: str = "") -> str:
    """The one wording of "this path is no file to read" (`read_regular_file`), for `kind` as `not_regular`
    says it: a folder is "a folder, not a {what}"; a device (/dev/null, /dev/zero), a named pipe or a socket
    is "not a regular file but ..." (reading one may never end). `give`: what to give instead."""
    if kind == "a folder":
        return f"a folder, not a {what}" + (f"; {give}" if give else "")
    return f"not a regular file but {kind}; {give or 'give the path of a file'}"


def unreadable(path: Path | str, *, what: str = "file", give: str = "", missing: str = "") -> str | None:
    """Why `path` is no file to read, by a look at it (nothing is opened), as `read_regular_file` says it: no
    path (''), no such file, a folder, a device, named pipe or socket, or one that cannot be looked at; None: a
    regular file. For a command to say it with the option that named the path (`--baseline: PATH: ...`)."""
    if isinstance(path, str) and not path:
        return f"empty path; {give or f'give the path of a {what}'}"
    try:
        mode = Path(path).stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return f"no such {what}" + (f"; {missing}" if missing else "")
    except OSError as exc:
        return f"cannot read the {what} ({exc.strerror or exc})"
    kind = not_regular(mode)
    return None if kind is None else not_regular_message(kind, what, give)


def read_regular_file(path: Path | str, display: str | None = None, *, what: str = "file", give: str = "",
                      missing: str = "", max_bytes: int = MAX_BYTES, size_note: str = "") -> bytes:
    """The bytes of the regular file at `path` (at most `max_bytes`), else an InputError at `display`: what
    `unreadable` says (a device, named pipe or socket is refused before it is read: /dev/zero never ends, a
    named pipe waits for a writer), a larger file, or one that cannot be read. `what`: the file expected
    ("plan file"); `give`: what to give instead; `missing`: advice where there is no such file; `size_note`:
    said after the size limit."""
    display = display if display is not None else str(path)
    problem = unreadable(path, what=what, give=give, missing=missing)
    if problem is not None:
        raise InputError(problem, Location(display or repr(str(path))))
    try:
        # not blocking, and the kind asked again of what was opened: a path swapped for a named pipe after the
        # look above neither waits for a writer nor is read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(f"cannot read the {what} ({exc.strerror or exc})", Location(display)) from None
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        kind = not_regular(opened.st_mode)
        if kind is not None:
            raise InputError(not_regular_message(kind, what, give), Location(display))

        def too_large(size: str) -> InputError:
            return InputError(f"file is {size} bytes; at most {grouped(max_bytes)} are read{size_note}; is this the right "
                              "file?", Location(display))

        if opened.st_size > max_bytes:
            raise too_large(grouped(opened.st_size))
        try:
            raw = handle.read(max_bytes + 1)  # a file that grew since: no more than the limit is read
        except OSError as exc:
            raise InputError(f"cannot read the {what} ({exc.strerror or exc})", Location(display)) from None
    if len(raw) > max_bytes:
        raise too_large(f"more than {grouped(max_bytes)}")
    return raw


def utf8_text(raw: bytes, display: str, what: str = "a YAML text file") -> str:
    """The text of a file saved as UTF-8, with or without the byte order mark Notepad and Excel write; else an
    InputError that says how it was saved (UTF-16: Notepad's "Unicode"; Latin-1: the line of the first byte
    that is not UTF-8; binary data). `what`: the file expected, as the message says it."""
    nuls = raw.count(b"\x00")
    wide = _wide_encoding(raw)
    if wide is not None:  # Notepad's "Unicode" is UTF-16: text, though every other byte is a NUL
        raise InputError(f"{wide} text (Notepad calls it \"Unicode\"); save the file as UTF-8 (in Notepad: "
                         "Save as, Encoding: UTF-8)", Location(display))
    if nuls * 10 > len(raw):  # a picture, a spreadsheet (one NUL in a text is its control character)
        raise InputError(f"binary data (NUL bytes); expected {what} in UTF-8", Location(display))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if nuls:
            raise InputError(f"binary data (a NUL byte); expected {what}", Location(display)) from None
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", Location(display, line))
    return text.removeprefix("\ufeff")


def parse_yaml(raw: bytes, display: str, flags: frozenset[str] = frozenset(), *, what: str = "file") -> YamlDocument:
    text = utf8_text(raw, display)
    # composed letters (NFC): an å typed as a and a combining ring (pasted from macOS) is one letter, so
    # names line up in the table (padded by letters), compare equal and sort as the same name
    text = unicodedata.normalize("NFC", text)
    _refuse_control_characters(text, display)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise InputError("file is empty; expected a YAML mapping (see docs/data-format.md)", Location(display, 1))
    loader, node = _fast_compose(text)
    if loader is None:  # no libyaml, or a fault in the text: the Python parser says it
        _check_events(text, display)
        try:
            loader = _StrictLoader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, display) from None
        except yaml.YAMLError as exc:
            raise InputError(f"invalid YAML: {exc}", Location(display))
    if node is None:
        raise InputError("file is empty; expected a YAML mapping", Location(display, 1))
    builder = _Builder(display, loader, flags, what)
    data = builder.build(node, (), 0)
    return YamlDocument(display, data, builder.lines, builder.written, builder.commented)


#: what libyaml reads otherwise than PyYAML (each found by comparing the two): a tab, a '?' in a flow
#: collection, a byte order mark inside the text (libyaml skips it at any line's start), a block scalar's
#: header followed by `#` (`note: >#1`: libyaml reads an empty text and a comment), a `%` directive; and a
#: text without its last line break (`---` alone: its line number)
_READ_OTHERWISE = re.compile(r"[\t?\ufeff]|[|>][-+0-9]*#|^%", re.M)


def _fast_compose(text: str):
    """(loader, node tree) of `text` by libyaml's parser, with every mark holding the text as the Python
    parser's marks do (the builder reads what was written between values from them); (None, None) where
    libyaml is missing or the text holds what `_check_events` refuses (an anchor, an alias, nesting deeper
    than MAX_DEPTH), an explicit tag or what `_READ_OTHERWISE` finds (each read otherwise by the two parsers)
    or a syntax error: the Python parser then reads it and says what is wrong."""
    if _FastLoader is None or _READ_OTHERWISE.search(text) or not text.endswith("\n"):
        return None, None
    try:
        # (an explicit tag too: `name: !` is '' there)
        if _refused_event(yaml.parse(text, Loader=_FastLoader), lambda event: getattr(event, "tag", None) is not None):
            return None, None
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None, None
    buffer = text + "\0"  # as the Python reader holds it

    def mark(m: yaml.Mark) -> yaml.Mark:  # libyaml counts characters, as `pointer` does in a str
        return yaml.Mark(m.name, m.index, m.line, m.column, buffer, m.index)

    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        n.start_mark, n.end_mark = mark(n.start_mark), mark(n.end_mark)
        if isinstance(n, yaml.ScalarNode) and n.style == "":
            n.style = None  # plain (unquoted), as the Python composer says it: libyaml says ''
        elif isinstance(n, yaml.MappingNode):
            stack += [x for pair in n.value for x in pair]
        elif isinstance(n, yaml.SequenceNode):
            stack += n.value
    return loader, node


def _wide_encoding(raw: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' where `raw` is text in that encoding (by its byte order mark, or, without one,
    by NULs in every other byte of text that reads so), else None."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            return name
    if len(raw) < 2 or len(raw) % 2 or raw.count(b"\x00") * 3 < len(raw):
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and all(c.isprintable() or c in "\t\r\n" for c in text):
            return "UTF-16"
    return None


#: control characters with a name a person knows (Word's manual line break is a vertical tab)
_CONTROL_NAMES = {"\x00": "NUL", "\x08": "backspace", "\x0b": "vertical tab, Word's manual line break", "\x0c": "form feed",
                  "\x1b": "escape", "\x7f": "delete"}


#: the characters no text value may hold, whatever wrote them (a raw one is refused in the whole file,
#: `_refuse_control_characters`; these come from YAML's escapes in quotes, "\e", "\a", "\r", or from a JSON
#: plan's "\u001b"): the C0 controls but the tab and the line feed, delete, the C1 controls, the line and
#: paragraph separators, and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
#: U+2066-U+2069: a right-to-left override shows the text after it reversed, so a name or a line reads
#: otherwise than it is). They went into every output as they were: a terminal's escape sequences (its
#: title, its screen, its clipboard) on the screen of whoever ran `check` or `explain`, and lines that
#: looked like findings of hpplan's own
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: the same, and the tab and the line feed: for a text shown on one line (a name, a reason)
CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: YAML's escape of a control character, as a message shows how it was written
_ESCAPES = {"\x00": "\\0", "\x07": "\\a", "\x08": "\\b", "\t": "\\t", "\n": "\\n", "\x0b": "\\v",
            "\x0c": "\\f", "\x0d": "\\r", "\x1b": "\\e", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def control_name(char: str, yaml_escape: bool = True) -> str:
    """A control character as a message names it, with its code and the escape that writes it in YAML's
    double quotes: `escape (U+001B, "\\e" in quotes)`."""
    import unicodedata as ud

    name = {"\x00": "NUL", "\x07": "bell", "\x08": "backspace", "\t": "tab", "\n": "line break",
            "\x0b": "vertical tab", "\x0c": "form feed", "\x0d": "carriage return", "\x1b": "escape",
            "\x7f": "delete", "\x85": "next line"}.get(char) or ud.name(char, "control character").lower()
    escape = _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
    return f"{name} (U+{ord(char):04X}, \"{escape}\" in quotes)" if yaml_escape else f"{name} (U+{ord(char):04X})"


def shown_text(text: str, most: int = 60) -> str:
    """A text as a message quotes it: its control characters escaped (as Python writes them: '\\x1b'),
    cut to `most` characters."""
    shown = repr(text[:most])
    return shown + ("..." if len(text) > most else "")


def text_problem(text: str, one_line: bool = False, yaml_escape: bool = True) -> str | None:
    """What no text value may hold and `text` does (`CONTROL_IN_TEXT`; with `one_line`, the tab and the
    line feed too: `CONTROL_IN_LINE`), said as a message says it, or None."""
    found = (CONTROL_IN_LINE if one_line else CONTROL_IN_TEXT).search(text)
    if found is None:
        return None
    char = found.group()
    kind = ("a bidirectional control character" if _BIDI.match(char) else
            "a line break" if char in "\n\u2028\u2029\x85" else "a control character")
    return f"{kind}, {control_name(char, yaml_escape)}"


#: line breaks YAML (and Python) count that an editor shows as none: next line, line and paragraph separator
#: (and a carriage return alone, not before a line feed: an old Mac line end, or one pasted into a value)
_HIDDEN_BREAK = re.compile("[\u0085\u2028\u2029]|\r(?!\n)")
#: a non-breaking space where YAML needs a space: after a key's colon, a list's dash, or in a line's
#: indentation (YAML reads it as a letter: `population:\u00a03026` is no key and value); inside text
#: ("1\u00a0000 innbyggere") it is a character like any other
_NBSP = re.compile("(?<=[:-])\u00a0|^[ ]*\u00a0", re.MULTILINE)


def _refuse_control_characters(text: str, display: str) -> None:
    """Refuse the characters YAML does not allow anywhere, even in a comment (PyYAML's own test, which
    it makes before parsing, without a line): text pasted from Word or Excel brings them along."""
    found = (yaml.reader.Reader.NON_PRINTABLE.search(text) or _HIDDEN_BREAK.search(text) or _NBSP.search(text)
             or _BIDI.search(text))
    if found is None:
        return
    char = found.group()
    before = (text[: found.start()] + "x").splitlines()  # the same line breaks YAML knows
    code = f"U+{ord(char):04X}"
    what = (f"a control character ({_CONTROL_NAMES[char]}, {code})" if char in _CONTROL_NAMES else
            f"a line break no editor shows ({code}: YAML counts a line there, and every later line number "
            "would be off)" if _HIDDEN_BREAK.match(char) else
            "a non-breaking space (U+00A0: YAML reads it as a letter, not a space; write a plain space)"
            if char == "\u00a0" else
            f"a bidirectional control character ({unicodedata.name(char).lower()}, {code}: the text after it is "
            "shown reordered, so the line reads otherwise than it is)" if _BIDI.match(char) else
            f"a control character ({code})" if ord(char) < 0xA0 else f"a character YAML does not allow ({code})")
    raise InputError(f"{what} at column {len(before[-1])}; remove it (text pasted from Word or Excel often brings "
                     "these along)",
                     Location(display, len(before)))


def _refused_event(events: Iterable, also: Callable[[Any], bool] = lambda event: False) -> tuple[str, Any] | None:
    """The first of the parser's `events` that hpplan does not read: ('deep', it) nesting past MAX_DEPTH,
    ('anchor', it) an anchor or an alias, ('also', it) one `also` picks; None: none."""
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return "deep", event
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return "anchor", event
        if also(event):
            return "also", event
    return None


def _check_events(text: str, display: str) -> None:
    """Refuse anchors and aliases, and nesting deeper than MAX_DEPTH, from the parser's events, before
    PyYAML's composer (which recurses once per level: `[[[[...]]]]` 1000 deep was a RecursionError)."""
    try:
        refused = _refused_event(yaml.parse(text, Loader=_StrictLoader))
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, display) from None
    if refused is None:
        return
    kind, event = refused
    line = event.start_mark.line + 1
    if kind == "deep":
        raise InputError(f"nested more than {MAX_DEPTH} levels deep (lists or mappings within each "
                         "other); hpplan's files need a few: check the brackets on this line", Location(display, line))
    anchor = getattr(event, "anchor", None)
    text = _as_text(event.start_mark)  # `name: *Orsta`: a name, most likely
    raise InputError(f"YAML anchors and aliases (&{anchor} / *{anchor}) are not accepted; write the values out"
                     + (f"; {text}" if text else ""), Location(display, line))


#: what PyYAML's words for a syntax error mean in a data file, and what would be right
_SYNTAX_HINTS = (
    (("expected <block end>", "did not find expected key", "expected <document start>"),
     "the indentation of this line or the one before does not fit its block: the entries of one list or "
     "mapping start in the same column, with spaces"),
    (("mapping values are not allowed here",),
     "a ': ' where no key can start: quote a value that holds ': ' (name: \"A: B\"), or check the "
     "indentation of this line"),
    (("did not find expected '-' indicator",),
     "a list entry that does not start with '- ' in the list's column: check the indentation"),
)
#: PyYAML's words for a tab it does not take (the hint names where it is: `_tab_place`)
_TAB = "found character '\\t' that cannot start any token"


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> InputError:
    """A YAML syntax error at its line, in PyYAML's words and what they mean (`expected <block end>, but
    found '?'` said nothing of indentation)."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    quote = _unclosed_quote(exc)
    if quote is not None:  # the quote, not the indentation where the parser gave up lines later
        return InputError(f"invalid YAML: a quote {quote[1]} that is not closed on its line; close it (a value of "
                          "several lines: use `|`)", Location(display, quote[0]))
    start = exc.context_mark if (exc.context or "").startswith(_STARTED) else exc.problem_mark
    text = _as_text(start) if any(w in f"{exc.context or ''} {exc.problem or ''}" for w in _AT_START) else None
    if text is not None:  # `name: *Ørsta`: PyYAML's words ("expected alphabetic or numeric character") said nothing
        return InputError(f"invalid YAML: {text}", Location(display, start.line + 1))
    hint = next((text for words, text in _SYNTAX_HINTS
                 if any(w in f"{exc.context or ''} {exc.problem or ''}" for w in words)), None)
    if _TAB in (exc.problem or ""):
        hint = f"a tab {_tab_place(exc.problem_mark)}, where YAML needs spaces: write spaces, not tabs"
    if hint and exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        hint += f"; {_block_start(exc.context_mark, exc.problem_mark)}"
    return InputError(f"invalid YAML: {what}" + (f" ({hint})" if hint else ""),
                      Location(display, mark.line + 1 if mark else None))


#: what a character means in YAML at the start of an unquoted value (a name that starts so is refused;
#: `name: #1 Ørsta` is no name and a comment: `YamlDocument.commented`)
_INDICATORS = {
    "*": "an alias (a reference to an anchor)", "&": "an anchor", "!": "a tag (a type)",
    "|": "a block of text (on the lines below)", ">": "a folded block of text (on the lines below)",
    "@": "refused ('@' is reserved)", "`": "refused ('`' is reserved)", "%": "refused ('%' is reserved for directives)",
    "-": "a list entry", "?": "a mapping key",
}
#: PyYAML's words for a value that starts with one of _INDICATORS: scanning what it starts (the error's
#: context mark is the character), or a character it cannot take there (its problem mark is)
_STARTED = ("while scanning an alias", "while scanning an anchor", "while parsing a tag",
            "while scanning a tag", "while scanning a block scalar")
_AT_START = _STARTED + ("that cannot start any token", "sequence entries are not allowed here",
                        "mapping keys are not allowed here")


def quoted(text: str) -> str:
    """`text` as a quoted YAML value: in double quotes, or in single ones where it holds a double quote or a
    backslash (which double quotes would read as an escape)."""
    if '"' in text or "\\" in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'


def _as_text(mark: yaml.Mark | None) -> str | None:
    """What the first character of the value at `mark` (one of _INDICATORS) means in YAML, and the line with
    the value in quotes: `... starts with '*' is an alias ...; where it is text, put it in quotes: name: "*Ørsta"`.
    None: no such character starts a value there (after a key's colon, a list's dash, or at the line's start)."""
    lines = mark.buffer.rstrip("\0").splitlines() if mark is not None and mark.buffer is not None else []
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    char, before, value = line[mark.column: mark.column + 1], line[:mark.column], line[mark.column:]
    lead = before.strip()
    if char not in _INDICATORS or before and not before[-1].isspace() or lead and not lead.endswith((":", "-")):
        return None
    value = re.split(r"\s#", value, maxsplit=1)[0].rstrip()  # (a comment after it is kept out of the quotes)
    return (f"an unquoted value that starts with {char!r} is {_INDICATORS[char]} in YAML; where it is text, put "
            f"it in quotes: {lead + ' ' if lead else ''}{quoted(value)}")


def _tab_place(mark: yaml.Mark | None) -> str:
    """Where a tab PyYAML refuses is on its line: `population: 24717<TAB># note` has it before a comment,
    which is neither indentation nor after a colon."""
    lines = mark.buffer.rstrip("\0").splitlines() if mark is not None and mark.buffer is not None else []
    if mark is None or mark.line >= len(lines):
        return "(in the indentation, after a key's colon or before a comment)"
    line = lines[mark.line]
    before, after = line[:mark.column].rstrip(" "), line[mark.column:].lstrip(" \t")
    if not before.strip():
        return "in the indentation"
    if after.startswith("#"):
        return "before a comment"
    if before.endswith(":"):
        return "after a key's colon"
    if before.endswith((",", "[", "{", "-")):
        return f"after {before[-1]!r}"
    return "between values"


def _block_start(context: yaml.Mark, problem: yaml.Mark) -> str:
    """Where the block a syntax error broke begins, for its message. For a list that is the entry the
    broken line follows (the last `- ` in the list's column above it): a line of the 20th organisation
    dedented out of its entry said "the block began at line 61", the first organisation of the file."""
    lines = context.buffer.rstrip("\0").splitlines() if context.buffer is not None else []
    first = lines[context.line] if context.line < len(lines) else ""
    if first[context.column: context.column + 1] != "-":
        return f"the block began at line {context.line + 1}"
    entry = next((number for number in range(problem.line - 1, context.line, -1)
                  if len(lines[number]) - len(lines[number].lstrip(" ")) == context.column
                  and lines[number][context.column:].startswith("-")), context.line)
    return f"the list entry above it begins at line {entry + 1}"


def _unclosed_quote(exc: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """(line, quote) of a quoted scalar that runs past its own line when the parser failed: the likely
    cause (`name: "Skaun` read on to the next quote and failed five lines later as indentation)."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None or mark.buffer is None:
        return None
    lines = mark.buffer.rstrip("\0").splitlines()
    for number, line in enumerate(lines[: mark.line + 1]):
        code = line.split(" #", 1)[0]
        if re.match(r"^\s*(?:-\s+)?(?:[^'\"#\s][^:]*:\s+)?(['\"])", code) is None:
            continue
        opened = re.search(r"(?:^\s*(?:-\s+)?|:\s+)(['\"])(.*)$", code)
        if opened is None:
            continue
        quote, rest = opened.group(1), opened.group(2)
        body = rest.replace("''", "") if quote == "'" else re.sub(r"\\.", "", rest)
        if quote not in body and number < mark.line and not _closes_cleanly(lines[number + 1: mark.line + 1], quote):
            return number + 1, quote
    return None


def _closes_cleanly(following: list[str], quote: str) -> bool:
    """Whether a quote left open runs on to a close that ends a value (a text of several lines in
    quotes, which YAML allows), not to the opening quote of a later value."""
    for line in following:
        if quote in line:
            rest = line.split(quote, 1)[1].strip()
            return rest == "" or rest[0] in ",]}#"
    return False


#: a digit: an unquoted text with one may be a number written otherwise (`YamlDocument.written`)
_DIGIT = re.compile(r"[0-9]")
#: a whole number, and digits alone: the two halves of a decimal comma YAML read as two values
_WHOLE = re.compile(r"^[-+]?[0-9]+$")
_DIGITS = re.compile(r"^[0-9]+$")


def _is_plain(node: yaml.Node, form: re.Pattern) -> bool:
    """Whether `node` is an unquoted number of `form` (a quoted '5' is text, and meant as such)."""
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.tag == _INT and bool(form.match(node.value))


def _comment_for_value(key: yaml.Node, value: yaml.Node) -> str | None:
    """The comment after a key whose value is left empty on its line (`name: #1 Ørsta`, which YAML reads as
    no name, ` #` starting a comment), with its `#`; None: the value is given, or no comment follows."""
    if not (isinstance(value, yaml.ScalarNode) and value.style is None and value.value == ""
            and value.tag == "tag:yaml.org,2002:null") or key.end_mark.buffer is None:
        return None
    mark = key.end_mark
    lines = mark.buffer.rstrip("\0").splitlines()
    found = re.match(r"\s*:\s+(#.*)$", lines[mark.line][mark.column:]) if mark.line < len(lines) else None
    return found.group(1).strip() if found else None


def _text_between(first: yaml.Node, then: yaml.Node) -> str | None:
    """The text between two values as written (`,` or `, `); None where the text is not at hand."""
    buffer = first.end_mark.buffer
    if buffer is None or then.start_mark.buffer is not buffer:
        return None
    return buffer[first.end_mark.pointer:then.start_mark.pointer]


class _Builder:
    """Turns a composed node tree into Python values, recording lines and refusing misreadings."""

    def __init__(self, display: str, loader: _StrictLoader, flags: frozenset[str] = frozenset(), what: str = "file"):
        self.display = display
        self.what = what
        self.loader = loader
        self.flags = flags
        self.lines: dict[tuple, int] = {}
        self.written: dict[tuple, str] = {}  # `YamlDocument.written`
        self.commented: dict[tuple, str] = {}  # `YamlDocument.commented`
        self.count = 0

    def error(self, node: yaml.Node, message: str) -> InputError:
        return InputError(message, Location(self.display, node.start_mark.line + 1))

    def _too_many(self) -> str:
        """What a file of more than MAX_NODES values is told, by the file it was read as: a data file (a
        national instance's organisations.yaml has some 45,000 values), a plan, a scenario."""
        if self.what != "file":
            kind = a_or_an(self.what)
        elif Path(self.display).name in ("organisations.yaml", "waves.yaml"):
            kind = "a data file (a national instance's organisations.yaml has some 45 000)"
        else:
            kind = "an hpplan file"
        return f"far more than {kind} holds; is this the right file?"

    def build(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(node, f"more than {grouped(MAX_NODES)} values; {self._too_many()}")
        if depth > MAX_DEPTH:
            raise self.error(node, f"nested more than {MAX_DEPTH} levels deep")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                self._decimal_commas(node, path[-1] if path and isinstance(path[-1], str) else None)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.style is None and (node.tag == _FLOAT or node.tag == _STR and _DIGIT.search(node.value)
                                   or node.tag == _TIMESTAMP and not _PLAIN_DATE.fullmatch(node.value)):
            self.written[path] = node.value
        return self._scalar(node, path[-1] if path and isinstance(path[-1], str) else None)

    def _decimal_commas(self, node: yaml.SequenceNode, key: str | None) -> None:
        """Refuse a flow list whose numbers are joined now by a bare comma, now by a comma and a space:
        `hypercare: [3,5, 1,5]` is 3.5 and 1.5 written with decimal commas, which YAML reads as four
        numbers, 3, 5, 1, 5. (`[1,2,3]` and `[1, 2, 3]` are lists of numbers, whatever was meant.)"""
        items = node.value
        between = [_text_between(a, b) for a, b in zip(items, items[1:])]
        if None in between or all(sep == "," for sep in between):
            return
        joined = [(a, b) for sep, a, b in zip(between, items, items[1:])
                  if sep == "," and _is_plain(a, _WHOLE) and _is_plain(b, _DIGITS)]
        if joined:
            written = " and ".join(f"{a.value},{b.value}" for a, b in joined)
            meant = " and ".join(f"{a.value}.{b.value}" for a, b in joined)
            each = ("reads as two numbers" if len(joined) == 1 else "read as two numbers each")
            raise self.error(joined[0][0], f"{key + ': ' if key else ''}{written} {each} (a comma separates the "
                                           f"values of a list); a decimal comma? write {meant} (a decimal point), or "
                                           "put a space after every comma that separates two values")

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        result: dict = {}
        first_line: dict = {}
        if node.flow_style:  # `{from: 2025-01, fte: 57,6}`: 57, and a key 6 with no value
            for (key_node, value_node), (next_key, next_value) in zip(node.value, node.value[1:]):
                if _is_plain(value_node, _WHOLE) and _is_plain(next_key, _DIGITS) \
                        and isinstance(next_value, yaml.ScalarNode) and next_value.value == "" \
                        and next_value.tag == "tag:yaml.org,2002:null":
                    written = f"{value_node.value}{_text_between(value_node, next_key) or ','}{next_key.value}"
                    # 72,000: a decimal comma, or a thousands comma (both are written so)
                    thousands = (f", or {int(value_node.value + next_key.value)} if it separates thousands (digits "
                                 "only)" if len(next_key.value) == 3 and _DIGITS.match(value_node.value.lstrip("-+"))
                                 and len(value_node.value.lstrip("-+")) <= 3 else "")
                    raise self.error(value_node, f"{key_node.value}: {written} reads as the number {value_node.value} "
                                                 f"and a key {next_key.value} (a comma separates the entries of a "
                                                 f"mapping); a decimal comma? write {value_node.value}.{next_key.value} "
                                                 f"(a decimal point){thousands}")
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.error(key_node, "merge keys (<<) are not accepted; write the values out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "a mapping key must be a plain value")
            key = self._scalar(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            if key in result:
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} (first at line {first_line[key]}); a key may appear once per mapping",
                )
            first_line[key] = key_node.start_mark.line + 1
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            comment = _comment_for_value(key_node, value_node)
            if comment is not None:
                self.commented[path + (key,)] = comment
            result[key] = self.build(value_node, path + (key,), depth + 1)
            # the key's line is the better pointer for a scalar value
            self.lines[path + (key,)] = key_node.start_mark.line + 1
        return result

    def _scalar(self, node: yaml.ScalarNode, key: str | None = None) -> Any:
        """A plain value; `key`: the key it is the value of (None: a key, or an item of a list)."""
        if node.style is None:  # plain, unquoted
            text = node.value
            if _YAML11_BOOL.match(text) and key in self.flags:  # a flag: the text is no answer
                meant = str(text.lower() in ("y", "yes", "on")).lower()
                raise self.error(node, f"{key}: unquoted {text!r} is no flag value here (YAML 1.1 reads it as a "
                                       f"boolean, hpplan does not); {key} is true or false: write {meant}")
            if _YAML11_BOOL.match(text):
                reads = ("PyYAML reads it as text, other YAML tools as a boolean" if text.lower() in ("y", "n") else
                         f"PyYAML would read it as {text.lower() in ('yes', 'on')}")
                raise self.error(node, f"unquoted {text!r} is a boolean in YAML 1.1 ({reads}); write '{text}' in "
                                       "quotes for the text, or true/false")
            if _LEADING_ZERO_INT.match(text):
                raise self.error(node, f"unquoted {text!r} would be read as an octal number; quote it or drop the leading zero")
            if _SEXAGESIMAL.match(text):
                raise self.error(node, f"unquoted {text!r} would be read as a base-60 number; quote it")
            if node.tag in (_INT, _FLOAT) and (_OTHER_BASE.match(text) or "_" in text):
                value = self.loader.construct_object(node, deep=True)
                how = "a hexadecimal" if "x" in text.lower() else "a binary" if "b" in text.lower() else "a"
                raise self.error(node, f"unquoted {text!r} would be read as {how} number ({value}); write the "
                                       f"number in decimal digits only ({value}), or quote it where it is text "
                                       "(a name, an id)")
        if node.tag == "tag:yaml.org,2002:binary":
            raise self.error(node, "a !!binary value hides what it says (it is base64); write the text out")
        if node.tag.startswith("!") and node.style is None:  # `name: !Orsta`: a tag of no type YAML knows
            text = _as_text(node.start_mark)
            if text is not None:
                raise self.error(node, f"invalid YAML: {text}")
        if node.tag == _INT and len(node.value) > _MAX_DIGITS:  # int() refuses it, and the message repeated it whole
            digits = sum(char.isdigit() for char in node.value)
            raise self.error(node, f"a number of {grouped(digits)} digits ({node.value[:20]}...); no value in hpplan's files "
                                   "has more than a few: check the value")
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            # YAML reads 2024-02-30 as a date, and then there is no such day
            hint = "; a date is YYYY-MM-DD, a day of the calendar" if node.tag == "tag:yaml.org,2002:timestamp" else ""
            raise self.error(node, f"cannot read value {node.value!r}: {getattr(exc, 'problem', exc)}{hint}")
        except Exception:  # an explicit tag PyYAML's own code cannot follow (`!!bool maybe`, `!!timestamp X`)
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.error(node, f"cannot read value {node.value!r} as {kind} (its tag !!{kind}); drop the tag")
        if isinstance(value, str):
            problem = text_problem(value.replace("\r\n", "\n"))  # (a Windows line end, as safe_dump writes it)
            if problem is not None:
                raise self.error(node, f"{problem} in the text {shown_text(value)}; remove it (a text holds letters, "
                                       "spaces and line breaks; an escape in quotes writes no control character here)")
        return value
