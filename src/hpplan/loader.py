"""Load a data folder (`organisations.yaml`, `waves.yaml`) into a validated `Problem`.

Every problem found is reported as `file:line: what is wrong`, with a "did you mean" for unknown ids;
all of a file's validation errors are reported together.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, get_args

from annotated_types import Ge, Le
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .errors import (MAX_ERRORS, DataWarning, InputError, InputErrors, Location, a_or_an, closest, did_you_mean,
                     each_of, input_errors, numbers_grouped, some_of)
from .problem import Problem, month_index
from .schema import (
    ID_PATTERN,
    MONTH_PATTERN,
    RULE_CLASS,
    RULE_TYPES,
    POPULATION_MAX,
    Kind,
    Located,
    Organisation,
    OrganisationsFile,
    Sourced,
    Status,
    WavesFile,
    Window,
    character_name,
    id_advice,
)
from .yamlio import YamlDocument, load_yaml, quoted

ORGANISATIONS = "organisations.yaml"
WAVES = "waves.yaml"


def load_problem(data_dir: Path | str = "data") -> Problem:
    """Read and check a data folder. Raises InputError (or InputErrors) on bad input; an empty path ('') is
    one too (it is no folder: "." names the working folder)."""
    if not isinstance(data_dir, (str, Path)):
        raise TypeError(f"load_problem takes a folder (a path), got {type(data_dir).__name__}")
    if isinstance(data_dir, str) and not data_dir:
        # (a Path of '' is '.': only the text says it was empty) read, it was the working folder, and said
        # "organisations.yaml: no such file" of a folder nobody named; as the CLI refuses `--data ''`
        raise InputError("empty path; give the data folder, the one that holds organisations.yaml and "
                         "waves.yaml (\".\" for the working folder)", Location("load_problem: data_dir"))
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise InputError(
            "no such data folder; give --data DIR, a folder holding organisations.yaml and waves.yaml",
            Location(str(data_dir)),
        )
    if not data_dir.is_dir():
        raise InputError("not a folder; --data takes the folder that holds organisations.yaml and waves.yaml", Location(str(data_dir)))
    docs: dict[Path, YamlDocument] = {}

    def read(path: Path) -> YamlDocument:
        if path not in docs:
            docs[path] = load_yaml(path, str(path), DATA_FLAGS)
        return docs[path]

    def waves_data() -> Any:
        """waves.yaml as read (its windows name the window of a date written in organisations.yaml)."""
        try:
            return read(data_dir / WAVES).data
        except InputError:  # said as waves.yaml's own error
            return None

    # both files read and checked, the errors of both said together
    (org_doc, orgs), (waves_doc, waves) = each_of(
        lambda: _valid(read(data_dir / ORGANISATIONS), OrganisationsFile, waves_data),
        lambda: _valid(read(data_dir / WAVES), WavesFile))
    return _problem(org_doc, orgs, waves_doc, waves, data_dir)


def flag_fields(*models: type[BaseModel]) -> frozenset[str]:
    """The fields of `models` (and of the models within them) whose values are true or false: there an
    unquoted `yes` is answered with `true`, not with quotes (`yamlio.load_yaml`'s `flags`)."""
    from typing import get_args

    found: set[str] = set()
    seen: set[type] = set()

    def walk(annotation: Any, name: str | None) -> None:
        if annotation is bool:
            if name is not None:
                found.add(name)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.add(annotation)
                for field_name, field in annotation.model_fields.items():
                    walk(field.annotation, field.alias or field_name)
        else:
            for arg in get_args(annotation):
                walk(arg, name)

    for model in models:
        walk(model, None)
    return frozenset(found)


#: the flag fields of the data files (walked once, not at every load)
DATA_FLAGS = flag_fields(OrganisationsFile, WavesFile)


def _valid(doc: YamlDocument, model: type[BaseModel],
           windows: Callable[[], Any] | None = None) -> tuple[YamlDocument, BaseModel]:
    return doc, validate(model, doc, windows)


def _problem(org_doc: YamlDocument, orgs: OrganisationsFile, waves_doc: YamlDocument, waves: WavesFile,
             data_dir: Path | None) -> Problem:
    _locate(orgs, org_doc)
    _locate(waves, waves_doc)
    problem = Problem(
        organisations=list(orgs.organisations),
        waves=waves,
        data_dir=data_dir,
        org_file=org_doc.file,
        waves_file=waves_doc.file,
    )
    _raise_in_order(problem, _duplicate_id_errors(problem), _reference_errors(problem) + _slip_errors(problem))
    unloaded = capacity_unused(problem)
    if unloaded is not None:
        warnings.warn(f"hpplan: warning: {unloaded}", DataWarning, stacklevel=3)
    return problem


def capacity_unused(problem: Problem) -> str | None:
    """`file:line: ...` where organisations are to be planned and none of them loads any pool (no
    `load_profiles` at all, say): the pools' capacity then plays no part in the plan, which is almost
    surely not what was meant (the plan was made with every pool at 0 load, and nothing said so); None:
    one of them loads a pool, or there is nothing to plan."""
    waves = problem.waves
    to_plan = [o for o in problem.organisations if o.is_plannable]
    if not to_plan:
        return None
    profiles = {p.id: p for p in waves.load_profiles}
    used = [profiles[i] for o in to_plan for i in o.profile_ids if i in profiles]
    if any(value > 0 for profile in used for value in (*profile.before, *profile.hypercare)):
        return None
    if not waves.load_profiles:
        why, at = f"{Path(problem.waves_file or WAVES).name} has no load_profiles", waves.field_at("pools")
    elif not used:
        kinds = sorted({o.kind.value for o in to_plan if o.load_profile is None})
        why = f"no load profile is named after their kind ({', '.join(kinds)})" if kinds else \
            "each has `load_profile: []`"
        at = waves.field_at("load_profiles")
    else:
        why, at = "the load profiles they use have no FTE in any month", waves.field_at("load_profiles")
    where = f"{at}: " if at is not None else ""
    return (f"{where}no organisation to plan loads any pool ({why}): the pools' capacity plays no part in this "
            "plan; where it is to, add load profiles, each named after the kind it is for (municipality, gp_office, "
            "...) or named in an organisation's load_profile (docs/data-format.md)")


# ---- schema validation with lines --------------------------------------------------------------


def validate(model: type[BaseModel], doc: YamlDocument, windows: Callable[[], Any] | None = None):
    """`doc` checked against `model`: its value, or InputError(s) at the lines of what is wrong. `windows`
    gives waves.yaml as read, where that is another file (a window's date written for its id is then
    answered with the window's id)."""
    if not isinstance(doc.data, dict):
        raise InputError(
            f"expected a mapping at the top (keys such as {', '.join(list(model.model_fields)[:3])}), "
            f"found {type(doc.data).__name__}",
            doc.where(),
        )
    try:
        validated = model.model_validate(doc.data)
    except ValidationError as exc:
        branch = _one_branch(exc.errors())
        known = windows if windows is not None else (lambda: doc.data)
        explained = [_explain(model, doc, err, known) for err in branch]
        # and the numbers written otherwise among the values pydantic took (said together, not one run later)
        beside = validated_beside(model, doc.data, exc.errors())
        slips = number_errors(doc, *beside) if beside is not None else []
        # in the file's order (pydantic's is the model's fields: `users` before the `population` above it)
        explained = sorted(explained + slips, key=_line)
        raise InputErrors(explained[:MAX_ERRORS], len(branch) + len(slips)) from None
    errors = number_errors(doc, validated, doc.data)
    errors += [InputError(_owner_prefix(_data_path(doc.data, path)[1]) + message, doc.where(path))
               for path, message in _notes_of_absent_fields(validated, doc.data)]
    if errors:
        raise input_errors(sorted(errors, key=_line))
    return validated


def number_errors(doc: YamlDocument, validated: Any, data: Any,
                  original: Callable[[tuple], tuple] = tuple) -> list[InputError]:
    """The numbers of `doc` written otherwise (`_numbers_written_otherwise`), as errors at their lines:
    pydantic takes true/false for a number (as 1/0): `population: true` is a slip, not a count; text
    ('24_717' in quotes, or 1e2, which YAML reads as text): a number is written as one, in decimal digits;
    and a whole float for a whole number (`population: 120.000`, a thousands dot YAML reads as 120.0).
    `validated`: what pydantic made of `data`, which is `doc.data` or a part of it (`validated_beside`),
    whose paths `original` maps to those of `doc.data`."""
    errors = []
    for at, raw, number in _numbers_written_otherwise(validated, data, (), lambda at: doc.written.get(original(at))):
        path = original(at)
        names = _data_path(doc.data, path)[1]
        errors.append(InputError(_owner_prefix(names) + not_a_number(path, raw, number, _label(names),
                                                                     doc.written.get(path)), doc.where(path)))
    return errors


def validated_beside(model: type[BaseModel], data: Any, errors: list[dict], base: Any = None,
                     context: Any = None) -> tuple[BaseModel, Any, Callable[[tuple], tuple]] | None:
    """What pydantic makes of `data` without the values it refused (`errors`, its errors for `data`), so
    that what else is wrong in the rest is said with them: each refused field left out (where `base`, data
    of the same shape, has it: as `base` has it), and an item of a list whose refused value cannot be left
    out (a required field, the item's own check) left out of its list. (the validated value, the data it
    was made of, and the map of that data's paths to those of `data`); None: nothing that validates is left."""
    leave_out: set[tuple] = set()  # paths in `data`
    pruned, original = data, tuple
    for _ in range(5):  # each round may refuse what the last made (a limit left without its only bound)
        before = len(leave_out)
        for err in errors:
            path = original(_data_path(pruned, err["loc"])[0])
            if err["type"] != "missing" and path and isinstance(path[-1], str) and (
                    _at_path_or(base, path) is not _ABSENT or not _is_required(_field_at(model, err["loc"]))):
                leave_out.add(path)  # a field's value (not a field missing, nor an item's own check)
                continue
            item = next((path[:i + 1] for i in range(len(path) - 1, -1, -1) if isinstance(path[i], int)), None)
            if item is None:
                return None
            leave_out.add(item)
        if len(leave_out) == before:
            return None
        pruned, original = _left_out(data, leave_out, base)
        try:
            return model.model_validate(pruned, context=context), pruned, original
        except ValidationError as exc:
            errors = exc.errors()
    return None


_ABSENT = object()


def _at_path_or(data: Any, path: tuple) -> Any:
    """The value at `path` in `data`, or _ABSENT."""
    for part in path:
        if isinstance(data, dict) and part in data or isinstance(data, list) and isinstance(part, int) \
                and 0 <= part < len(data):
            data = data[part]
        else:
            return _ABSENT
    return data


def _left_out(data: Any, paths: set[tuple], base: Any) -> tuple[Any, Callable[[tuple], tuple]]:
    """A copy of `data` without the values at `paths` (a key's value as `base` has it, where it does), and
    the map of the copy's paths to those of `data` (an item left out of a list moves the later ones up)."""
    kept: dict[tuple, list[int]] = {}  # list path -> the indices of its items kept

    def copy(node: Any, path: tuple) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if path + (key,) not in paths:
                    out[key] = copy(value, path + (key,))
                elif (held := _at_path_or(base, path + (key,))) is not _ABSENT:
                    out[key] = held
            return out
        if isinstance(node, list):
            kept[path] = [i for i in range(len(node)) if path + (i,) not in paths]
            return [copy(node[i], path + (i,)) for i in kept[path]]
        return node

    copied = copy(data, ())

    def original(at: tuple) -> tuple:
        path: tuple = ()
        for part in at:
            path += (kept[path][part] if path in kept and isinstance(part, int) else part,)
        return path

    return copied, original


def _line(error: InputError) -> int:
    return error.where.line or 0 if error.where else 0


def _pairs(value: Any, raw: Any, path: tuple = ()) -> Iterable[tuple[Any, Any, tuple]]:
    """(validated value, value as read, data path) for every value in a validated tree, from the top."""
    yield value, raw, path
    if isinstance(value, BaseModel) and isinstance(raw, dict):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            if key in raw:
                yield from _pairs(getattr(value, name), raw[key], path + (key,))
    elif isinstance(value, (list, tuple)) and isinstance(raw, list):
        for i, (item, raw_item) in enumerate(zip(value, raw)):
            yield from _pairs(item, raw_item, path + (i,))
    elif isinstance(value, dict) and isinstance(raw, dict):
        for key, item in value.items():
            if key in raw:
                yield from _pairs(item, raw[key], path + (key,))


def _numbers_written_otherwise(value: Any, raw: Any, path: tuple,
                               text: Callable[[tuple], str | None] | None = None,
                               ) -> Iterable[tuple[tuple, bool | str | float, int | float]]:
    """(data path, value as read, the number) where a YAML true/false or text became a number in the
    validated `value`, or a decimal fraction a whole number: pydantic reads `true` as 1, '24_717' (quoted) or
    `1e2` (YAML 1.1's text) as numbers, and takes 120.0 (YAML's reading of `120.000`) for the whole 120; and
    a number written with an exponent that YAML 1.1 reads as one (`2.5e-1`, with a point and a signed
    exponent: `1e-3` is text to it), which is refused as `1e-3` is (`_exponent`). `text`: the text of an
    unquoted value as written, by its path (`YamlDocument.written`; None: not known)."""
    numbers: set[tuple] | None = None  # the paths of the values that fields typed as numbers hold (found once)
    for validated, written, at in _pairs(value, raw, path):
        if isinstance(validated, bool) or not isinstance(validated, (int, float)):
            continue
        if isinstance(written, (bool, str)) or (isinstance(written, float) and isinstance(validated, int)):
            yield at, written, validated
        elif isinstance(written, float) and text is not None and _exponent(text(at)) is not None:
            # (a number where any value goes, in a field typed `Any`, is not the data's figure: left as it is)
            numbers = set(_typed_numbers(value, raw, path)) if numbers is None else numbers
            if at in numbers:
                yield at, written, validated


def _typed_numbers(value: Any, raw: Any, path: tuple, numeric: bool = False) -> Iterable[tuple]:
    """The paths of the numbers in a validated tree that a field typed as a number holds (`fte: Fte`, a load
    profile's `hypercare: list[LoadFte]`), not one that takes any value (`changes: list[Any]`)."""
    if isinstance(value, BaseModel) and isinstance(raw, dict):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            if key in raw:
                yield from _typed_numbers(getattr(value, name), raw[key], path + (key,), _is_numeric(field.annotation))
    elif isinstance(value, (list, tuple)) and isinstance(raw, list):
        for i, (item, raw_item) in enumerate(zip(value, raw)):
            yield from _typed_numbers(item, raw_item, path + (i,), numeric)
    elif numeric and isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path


def _is_numeric(annotation: Any) -> bool:
    """Whether a field's type is a number's (`float`, `int | None`, `list[LoadFte]`), and not `Any`."""
    if annotation is Any:
        return False
    if annotation in (int, float):
        return True
    return any(_is_numeric(arg) for arg in get_args(annotation) if arg is not Any)


#: a number written with an exponent (`1e3`, `2.5e-1`, `1.5E+2`): refused wherever a number goes, whether
#: YAML 1.1 reads it as text (`1e-3`: its own form needs a point and a signed exponent) or as a number
#: (`2.5e-1`), with its decimal digits to write: one rule for every form
_EXPONENT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _exponent(written: object) -> str | None:
    """`written` (a value's text) as written, where it is a number with an exponent; else None."""
    return written.strip() if isinstance(written, str) and _EXPONENT.fullmatch(written.strip()) else None


def _notes_of_absent_fields(value: Any, raw: Any) -> Iterable[tuple[tuple, str]]:
    """(the note's path, message) for each source note that names a field its entry does not give
    (`population: "fact: SSB"` on a hospital without a population, or with `population: ~`, which is none):
    a note for nothing, often a field left out or misplaced."""
    for validated, written, path in _pairs(value, raw):
        if not (isinstance(validated, Sourced) and isinstance(written, dict)):
            continue
        given = sorted(str(key) for key, item in written.items() if key not in ("source", "note") and item is not None)
        for key in validated.source:
            field = type(validated).written_name(key)  # a note may name `from` as `from_`
            if key != "all" and written.get(field) is None:
                yield path + ("source", key), (
                    f"source names {key!r}, a field this entry does not give; a note is for a field given here "
                    f"({', '.join(given)}) or 'all': give {field}, or remove its note")


def _data_path(data: Any, loc: Iterable) -> tuple[tuple, list[str]]:
    """Follow a pydantic error location through the data; skip union tags that are not in the data.
    Returns the data path and the readable names along it."""
    path: list = []
    names: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            names.append(str(part))
            node = node[part]
        elif isinstance(node, dict) and part == "from_" and "from" in node:
            path.append("from")
            names.append("from")
            node = node["from"]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            item = node[part]
            if isinstance(item, dict):
                # an item is named by its id, else by its number in the list as a person counts
                # ("blackout #1"): "0:" read like a line or a value
                label = item.get("id")
                named = isinstance(label, (str, int)) and not isinstance(label, bool) and label != ""
                names.append(f"[{label}]" if named else f"[{_item_name(path[:-1])} #{part + 1}]")
            elif names and not names[-1].startswith("["):
                names[-1] += f" #{part + 1}"  # one of a list of values: `before #2`
            else:
                names.append(f"item #{part + 1}")
            node = item
        elif isinstance(part, str) and not isinstance(node, (dict, list)):
            break
        elif isinstance(part, str) and not _union_tag(part) and not _rule_type_of(node, part):
            names.append(part)  # a missing or extra key (not a rule's type, which pydantic puts in the location)
    return tuple(path), names


def _label(names: list[str]) -> str:
    """A value's name within the item it is in, from `_data_path`'s names (`objective.population_weight`,
    `users` of an organisation), as every message about it names it."""
    last_item = max((i for i, n in enumerate(names) if n.startswith("[")), default=-1)
    return ".".join(names[last_item + 1:]) or ".".join(n for n in names if not n.startswith("[")) or "file"


def _owner_prefix(names: list[str]) -> str:
    """The items a value is in, from `_data_path`'s names: 'vanylven: ' for a value of organisation
    vanylven, 'primary: change #1: ' for a capacity change of pool primary, '' at the top of the file."""
    items = [n[1:-1] for n in names if n.startswith("[")]
    return ": ".join(items) + ": " if items else ""


def not_a_number(path: tuple, raw: bool | str | float, number: float | None = None, name: str | None = None,
                 written: str | None = None, whole: bool | None = None, limits: Limits | None = None) -> str:
    """`users: expected a number, found true`: pydantic takes true/false for 1/0, text for the number it
    spells, and a decimal fraction for a whole number where it has no fraction (`_numbers_written_otherwise`);
    `number`: the number it is; `name`: the value's name (default: its key); `written`: its text where it
    was unquoted (`YamlDocument.written`; None: in quotes); `whole`: whether a whole number belongs here
    (None: whether `number` is an int, as pydantic makes of a value for a whole number); `limits`: the least
    and largest number the field takes (`field_limits`; None: not known here)."""
    name = name if name is not None else str(path[-1])
    if isinstance(raw, bool) or number is None:
        return f"{name}: expected a number, found {str(raw).lower()}"
    whole = isinstance(number, int) if whole is None else whole
    exponent = _exponent(written)
    if isinstance(raw, float) and exponent is not None:  # `2.5e-1`, which YAML 1.1 reads as a number: as `1e-3`
        return (f"{name}: expected {'a whole number' if whole else 'a number'} in decimal digits, found {exponent}, "
                f"a number with an exponent; write {_to_write(exponent, raw, whole, limits=limits)}")
    if isinstance(raw, float):  # `population: 120.000`, which YAML reads as 120.0
        text = written or repr(raw)
        return f"{name}: expected a whole number, found {text}; write {_to_write(text, raw, whole, limits=limits)}"
    if written is not None:  # unquoted: YAML 1.1 reads 1e2 as text, not as 100 (and `72` and a thin space)
        meant = _to_write(written.strip(), float(number), whole, limits=limits)
        return (f"{name}: expected {'a whole number' if whole else 'a number'} in decimal digits, found "
                f"{_as_written(written)}, which YAML reads as text; write {meant}")
    text = raw.strip()
    strict = whole and (_GROUPED.fullmatch(text) is not None or not float(number).is_integer())
    return (f"{name}: expected {'a whole number' if strict else 'a number'}, found the text {raw!r} in quotes; "
            f"write {_to_write(text, float(number), whole, quoted=True, limits=limits)}")


def _as_written(text: str) -> str:
    """`text` as a message shows it: as written, or, where it holds a character no one sees (a thin space),
    in quotes with that character escaped and named: `'72\\u2009' with a thin space (U+2009)`."""
    unseen = sorted({c for c in text if not c.isprintable() or c.isspace() and c != " "})
    if not unseen:
        return text
    return f"{text!r} with {' and '.join(a_or_an(character_name(c)) for c in unseen)}"


#: a number in decimal digits, with a fraction or an exponent (what pydantic cannot read as a whole number)
_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: a whole number with its digits grouped by a dot, as Norwegians write thousands (24.717, 1.360.000);
#: YAML reads the first as a decimal fraction (24.717, and 120.000 as 120.0)
_GROUPED = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+")


def _to_write(text: str, number: float, whole: bool, quoted: bool = False, limits: Limits | None = None) -> str:
    """What to write for a number written `text` (the `number` YAML or pydantic made of it), where a whole
    number belongs (`whole`) or any: 24.717 is a thousands separator; 120.000 too, or 120; 2.5 is 2 or 3.
    `quoted`: it was written in quotes, which go. A number outside the field's `limits` (`field_limits`), or,
    where they set no largest, beyond every limit of the data (`population: 1e30`), gets no digits to write:
    they would be refused again, for its size; the field's range is said instead."""
    refused = _outside(text, number, whole, limits, quoted) if limits is not None else None
    if refused is not None:
        return refused
    if abs(number) > POPULATION_MAX and (limits is None or limits[1] is None):
        return (f"the number in decimal digits{', no quotes' if quoted else ''}; {text} is larger than any figure "
                f"the data allows (at most {POPULATION_MAX})")
    if whole and _GROUPED.fullmatch(text):
        digits = int(text.replace(".", ""))  # 0.500 is 500, not 0500 (which YAML reads as an octal number)
        meant = f", or {int(number)} if you meant that" if float(number).is_integer() and int(number) != digits else ""
        return f"{digits} (digits only, no thousands separator{', no quotes' if quoted else ''}){meant}"
    low = math.floor(number)
    meant = f"{low} or {low + 1}" if whole and not float(number).is_integer() else _digits_to_write(text, number)
    return meant + (" (no quotes)" if quoted else "")


#: the most zeros after the decimal point that a message writes out (`1e-300` is said, not written in full)
_ZEROS_WRITTEN = 12


def _digits_to_write(text: str, number: float) -> str:
    """The decimal digits of a number written `text` (the `number` read from it), from the text where it is
    one (`1e-3`: 0.001, digit for digit; no float rounds it); a fraction with more than `_ZEROS_WRITTEN`
    zeros after the point (`1e-300`) is said, not written out (302 characters), and never as 0."""
    exact = Decimal(text.strip()) if _DECIMAL.fullmatch(text.strip()) else Decimal(repr(float(number)))
    zeros = -exact.adjusted() - 1  # the zeros between the point and the first digit that is not one
    if exact == 0 or zeros <= _ZEROS_WRITTEN:
        return _plain_number(exact)
    digits = "".join(map(str, exact.normalize().as_tuple().digits))
    sign = "-" if exact < 0 else ""
    return (f"{sign}0.000…{digits} in full, with {zeros} zeros after the point before the {digits} (is the "
            "exponent a slip?)")


#: the least and the largest number a field takes (None: no such limit)
Limits = tuple[float | None, float | None]


def field_limits(field: FieldInfo | None) -> Limits:
    """The least and the largest number `field` takes: its `ge` and `le`, given on the field or on its type
    (`fte: Fte | None`); (None, None) where it sets none or is not known."""
    low = high = None

    def walk(items: Iterable) -> None:
        nonlocal low, high
        for item in items:
            if isinstance(item, Ge):
                low = item.ge
            elif isinstance(item, Le):
                high = item.le
            elif isinstance(item, FieldInfo):
                walk(item.metadata)
            else:
                walk(get_args(item))

    if field is not None:
        walk(field.metadata)
        walk(get_args(field.annotation))
    return low, high


def _outside(text: str, number: float | Decimal, whole: bool, limits: Limits, quoted: bool = False) -> str | None:
    """What to write for a number written `text` (the `number` it is) that the field's `limits` refuse: the
    field's range, and no digits (they would be refused again); None: within them."""
    low, high = limits
    below = low is not None and number < low
    if not below and (high is None or number <= high):
        return None
    span = (f"from {_plain_number(low)} to {_plain_number(high)}" if low is not None and high is not None else
            f"of at least {_plain_number(low)}" if low is not None else f"of at most {_plain_number(high)}")
    why = ("no negative number is taken here" if below and number < 0 <= low else
           f"{text} is {'less' if below else 'more'} than that")
    return (f"{'a whole number' if whole else 'a number'} {span} (in decimal digits{', no quotes' if quoted else ''}; "
            f"{why})")


def _plain_number(number: float | Decimal) -> str:
    """A number as a data file writes it: 24717, 72, 0.7 (no exponent, no `.0` on a whole number); a Decimal
    (a number read from its written digits) with all of them."""
    if isinstance(number, Decimal):
        return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    if float(number).is_integer():
        return str(int(number))
    text = repr(float(number))  # (1e-07 as 0.0000001, from its shortest digits: not rounded to 0)
    return text if "e" not in text else format(Decimal(text), "f")


def _rule_type_of(node: Any, part: str) -> bool:
    """Whether `part` of an error location is the rule type of `node` (`rules.1.order.actors`)."""
    return isinstance(node, dict) and node.get("type") == part


def _item_name(path: list) -> str:
    """What an item of the list at `path` is: `blackouts` holds blackouts, `load_profiles` load profiles."""
    key = path[-1] if path and isinstance(path[-1], str) else "item"
    return key.removesuffix("s").replace("_", " ")


def _union_tag(part: object) -> bool:
    """Whether a part of a pydantic error location names a branch of a union ('list[float]',
    'function-after[_ordered(), Range]'), not a key: ids and field names hold no brackets."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


#: errors that only say the input is not of a union branch's type
_WRONG_TYPE = {"list_type", "dict_type", "model_type", "model_attributes_type", "float_type", "int_type",
               "string_type", "date_type", "tuple_type"}


def _one_branch(errors: list[dict]) -> list[dict]:
    """A union's errors without the branches the input is not even of the type of: `months: {from: 0,
    to: 6, step: 0}` is a range with a bad step, not also "not a list"."""
    def union_at(error: dict) -> int | None:
        return next((i for i, part in enumerate(error["loc"]) if _union_tag(part)), None)

    branches: dict[tuple, set] = {}
    for error in errors:
        i = union_at(error)
        if i is not None:
            branches.setdefault(tuple(error["loc"][:i]), set()).add(error["loc"][i])
    kept = []
    for error in errors:
        i = union_at(error)
        if (i is not None and len(branches[tuple(error["loc"][:i])]) > 1 and len(error["loc"]) == i + 1
                and error["type"] in _WRONG_TYPE):
            continue
        kept.append(error)
    return kept or errors


def _explain(model: type[BaseModel], doc: YamlDocument, err: dict,
             windows: Callable[[], Any] | None = None, option: Callable[[str], str] | None = None) -> InputError:
    """One pydantic error as `file:line: what is wrong, and what would be right`. `windows` gives
    waves.yaml as read (None: not known here); `option`: where the value was given on the command line, the
    option that gives one id (`--exclude orsta` for 'orsta'; None: in a file)."""
    path, names = _data_path(doc.data, err["loc"])
    field_name = getattr(err.get("ctx", {}).get("error"), "field", None)  # schema.FieldError: the field to blame
    if err["type"] == "union_tag_invalid" and isinstance(_at_path(doc.data, path), dict):
        field_name = "type"  # an unknown rule type is said at its `type:` line
    where = doc.where(path + (field_name,) if field_name else path)
    kind = err["type"]
    field = names[-1] if names else ""
    context = _label(names)
    prefix = _owner_prefix(names)
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, err["loc"][:-1])
        msg = f"unknown field {field!r}{did_you_mean(field, allowed)}"
        if allowed:
            msg += f"; allowed here: {', '.join(sorted(allowed))}"
    elif kind == "missing":
        missing = _field_at(model, err["loc"])
        choices = _choices(missing)
        msg = f"missing field {field!r}" + (f"; write {_MISSING_HINT[field]}" if field in _MISSING_HINT else
                                            f"; {_SOURCE_HINT}" if field == "source" and _is_note(missing) else
                                            f"; write {field}: one of {', '.join(choices)}" if choices else "")
    elif kind == "value_error":
        msg = err["msg"].removeprefix("Value error, ")
    elif kind == "string_pattern_mismatch" and err["ctx"].get("pattern") == ID_PATTERN:
        msg = f"{context}: {value!r} is not an id: {id_advice(value, _each_id(doc.data, path, option))}"
    elif kind == "string_pattern_mismatch" and err["ctx"].get("pattern") == MONTH_PATTERN:
        msg = f"{context}: expected a month as YYYY-MM (e.g. 2024-09), found {value!r}"
    elif kind in ("date_text", "fte_tenths", "month_date"):  # schema.Date, LoadFte, Month: the message says it
        msg = f"{context}: {err['msg']}"
        if kind == "date_text" and isinstance(value, dt.datetime) and doc.written.get(path):
            # a date with a time of day, said as written (YAML reads 2025-01-15T10:00:00 as 2025-01-15 10:00:00)
            msg = msg.replace(f"found {err['ctx']['found']}", f"found {doc.written[path]}", 1)
    elif kind == "window_date":  # schema.WindowId
        msg = f"{context}: {_window_for_date(err['ctx']['date'], windows)}"
    elif kind in ("int_parsing", "float_parsing", "finite_number") and _number_text(value, doc.written.get(path)) \
            and not math.isfinite(float(_number_text(value, doc.written.get(path)))):
        # 1e400 (text to YAML 1.1), 1.0e+400 (a number to it, read as .inf): beyond any number a computer holds
        written = ("which YAML reads as text, " if isinstance(value, str) and doc.written.get(path) is not None else
                   "" if isinstance(value, str) else "a number with an exponent, ")
        whole = kind == "int_parsing" or kind == "finite_number" and _whole_field(_field_at(model, err["loc"]))
        msg = (f"{context}: expected {'a whole number' if whole else 'a number'} in decimal digits, "
               f"found {_number_text(value, doc.written.get(path))}, {written}too large to be held as a number; write "
               "the number in decimal digits (is the exponent a slip?)")
    elif kind in _OUT_OF_RANGE and (isinstance(value, str) and _DECIMAL.fullmatch(value.strip())
                                    or isinstance(value, float) and _exponent(doc.written.get(path))):
        # `factor: 1e3` (text to YAML 1.1, which pydantic reads as 1000), `1.5e+2` (a number to it), '15' in
        # quotes: the number as it is to be written, with the field's range, as for every exponent form
        field_info = _field_at(model, err["loc"])
        number = float(value) if isinstance(value, str) else value
        msg = not_a_number(path, value, number, context, doc.written.get(path), whole=_whole_field(field_info),
                           limits=field_limits(field_info))
    elif kind == "int_parsing" and isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        # 1e2 (YAML 1.1's text, or in quotes), '2.5' in quotes: a number, but not written as a whole one
        msg = not_a_number(path, value, float(value), context, doc.written.get(path), whole=True,
                           limits=field_limits(_field_at(model, err["loc"])))
    elif kind in ("float_parsing", "int_parsing") and _number_meant(value, whole=kind == "int_parsing"):
        whole = kind == "int_parsing"
        msg = (f"{context}: expected {'a whole number' if whole else 'a number'}, found {value!r}; write "
               f"{_number_meant(value, whole, field_limits(_field_at(model, err['loc'])))}")
    elif kind == "int_from_float":  # 24.717: a Norwegian thousands dot, which YAML reads as a decimal point
        msg = not_a_number(path, value, value, context, doc.written.get(path), whole=True,
                           limits=field_limits(_field_at(model, err["loc"])))
    elif kind == "too_short" and field == "actors" and isinstance(value, list) and _rule_type_in(err["loc"]):
        rule = _rule_type_in(err["loc"])
        msg = (f"{context}: {a_or_an(rule)} rule needs at least two actors, and names "
               f"{len(value)}; name them all (`actors: [a, b]`)")
    elif kind == "finite_number":  # .inf as YAML writes it, 'inf' (text) as written
        shown = repr(value) if isinstance(value, str) else _YAML_NUMBER.get(str(value), value)
        msg = f"{context}: expected a finite number, found {shown}"
    elif kind == "string_type" and value is None and path in doc.commented:  # `name: #1 Ørsta`
        comment = doc.commented[path]
        msg = (f"{context}: expected text, found nothing: in YAML ' #' starts a comment, so {comment!r} is one, not "
               f"the value; where it is the value, put it in quotes: {field}: {quoted(comment)}")
    elif kind == "string_type" and value is None:
        msg = f"{context}: expected text, found nothing (null)"
    elif kind == "string_type" and isinstance(value, list):  # `first: [frosta]`: quotes would not help
        one = f": write {field}: {value[0]}" if len(value) == 1 and isinstance(value[0], str) else ""
        msg = f"{context}: takes one value, not a list{one}"
    elif kind in ("string_type",):
        shown = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else repr(value)
        msg = f"{context}: expected text, got {shown}; put it in quotes"
    elif kind in ("bool_type", "bool_parsing"):
        msg = f"{context}: expected true or false, got {value!r}"
    elif kind == "too_short" and value == [] and _is_required(_field_at(model, err["loc"])):
        item = _item_name([field])
        at_top = len(path) == 1
        msg = (f"{context}: an empty list; {Path(doc.file).name} needs at least one {item}" if at_top else
               f"{context}: an empty list; name at least one {item}")
    elif kind == "too_short" and value == []:
        msg = f"{context}: an empty list; name at least one, or leave {field!r} out (then it means all)"
    elif kind == "list_type" and value is None:  # `organisations:` with nothing below it
        required = _is_required(_field_at(model, err["loc"]))
        msg = (f"{context}: expected a list, found nothing; write its entries below it, each starting with '- '"
               + ("" if required else f", or leave {field!r} out"))
    elif kind == "list_type" and isinstance(value, str):  # `actors: frosta`
        msg = f"{context}: expected a list, found {value!r}; write [{value}]"
    elif kind == "union_tag_invalid":
        msg = f"unknown rule type {err['ctx'].get('tag')!r}{did_you_mean(str(err['ctx'].get('tag')), RULE_TYPES)}; expected one of {', '.join(RULE_TYPES)}"
    elif kind == "union_tag_not_found":
        msg = f"a rule needs `type:`, one of {', '.join(RULE_TYPES)}"
    else:  # (a number as written: `users: -1.000` is no -1.0)
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        shown = doc.written.get(path, shown) if isinstance(value, (int, float)) else shown
        # a limit as every message writes a number (`errors.grouped`): 100 000
        said = numbers_grouped(err["msg"]) if kind in _OUT_OF_RANGE else err["msg"]
        msg = f"{context}: {said} (got {shown})"
    return InputError(prefix + msg, where)


def _each_id(data: Any, path: tuple, option: Callable[[str], str] | None) -> Callable[[list[str]], str] | None:
    """What to write for ids joined by a comma (`id_advice`) at `path` of `data`: on the command line, the
    `option` once per id; in a list, the list with each an item of its own (the items beside it as written,
    those further off as '...'); None: where one id belongs."""
    if option is not None:
        return lambda ids: f"give the option once per id: {' '.join(option(ident) for ident in ids)}"
    if not path or not isinstance(path[-1], int):
        return None
    items, at = _at_path(data, path[:-1]), path[-1]

    def each(ids: list[str]) -> str:
        before = (["..."] if at > 1 else []) + [str(item) for item in items[max(at - 1, 0):at]]
        after = [str(item) for item in items[at + 1:at + 2]] + (["..."] if at + 2 < len(items) else [])
        return f"write each as an item of its own: [{', '.join(before + ids + after)}]"
    return each


def _rule_type_in(loc: Iterable) -> str | None:
    """The rule type in a pydantic error location (`rules.1.order.actors`), if there is one."""
    return next((part for part in loc if part in RULE_TYPES), None)


def _at_path(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _window_for_date(day: str, windows: Callable[[], Any] | None) -> str:
    """What to write for a window given by its date: the id of the window of that date, if there is one."""
    said = f"the date {day}, where a window id is expected"
    known = windows() if windows is not None else None
    listed = known.get("windows") if isinstance(known, dict) else None
    dated = [(w.get("date"), w.get("id")) for w in listed if isinstance(w, dict) and isinstance(w.get("id"), str)
             and isinstance(w.get("date"), dt.date)] if isinstance(listed, list) else []
    if day in (ident for _, ident in dated):  # an id written as a date: unquoted, YAML reads it as one
        return f"{said}: the window's id is the text '{day}'; write it in quotes ('{day}'): unquoted, YAML reads it as a date"
    same = [ident for date, ident in dated if date.isoformat() == day]
    if same:
        ids = " or ".join(repr(ident) for ident in same)
        return f"{said}: write the window's id {ids} (the window dated {day})"
    if not dated:  # the windows are not known here (a scenario read without its base): no id is guessed
        return f"{said}: write the window's `id` as waves.yaml gives it, not its date"
    target = dt.date.fromisoformat(day)
    date, ident = min(dated, key=lambda d: (abs((d[0] - target).days), d[0]))
    return (f"{said}, and no window is dated {day}: write the `id` of a window in waves.yaml (the nearest is "
            f"{ident!r}, dated {date})")


def _number_meant(text: object, whole: bool, limits: Limits = (None, None)) -> str | None:
    """What `_number_read` says to write for `text`; None: no number is meant."""
    read = _number_read(text, whole, limits)
    return read[1] if read is not None else None


def _number_read(text: object, whole: bool, limits: Limits = (None, None)) -> tuple[list[Decimal], str] | None:
    """The number a person meant by text written as numbers are written by hand, and how to write it:
    `12,5` (a decimal comma) is 12.5, `116 000` (digits grouped by spaces, a thin one too) 116000, a whole
    number `1,360` (a thousands separator) 1360 and `10958,0` 10958, `72 FTE` (with its unit) 72, and `−5`
    (Word's minus sign) -5; None: no such number. A number the field's `limits` (`field_limits`) refuse, as
    its written digits read (`1.000.000.000`, `−5` where no negative number is taken), gets the field's range
    to write instead of its digits. (the numbers it says to write, none where it gives the range; what it says)"""
    if not isinstance(text, str):
        return None
    written, slips = text.strip(), []
    unit = _UNIT.fullmatch(written)
    if unit is not None and unit["unit"].lower().rstrip(".") not in _MAGNITUDES:
        written = unit["number"].strip()
        slips.append(f"the number alone, without {unit['unit']!r}")
    if written[:1] in _MINUS:
        slips.append(f"a minus is '-', not {written[0]!r} U+{ord(written[0]):04X}")
        written = "-" + written[1:]
    found = _digits_meant(written, whole, limits)
    if found is None and slips and _DECIMAL.fullmatch(written) and math.isfinite(float(written)):
        found = [Decimal(written)], _to_write(written, float(written), whole)
    if found is None:
        return None
    numbers, meant = found
    refused = next((said for number in numbers if (said := _outside(written, number, whole, limits))), None)
    numbers, meant = ([], refused) if refused is not None else (numbers, meant)
    if slips:
        meant = f"{meant[:-1]}; {'; '.join(slips)})" if meant.endswith(")") else f"{meant} ({'; '.join(slips)})"
    return numbers, meant


#: what a word processor writes for a minus: the minus sign, an en dash, a figure dash, a fullwidth hyphen-minus
_MINUS = "\u2212\u2013\u2012\uff0d"
#: a number and its unit (`72 FTE`, `10958 innbyggere`): letters after the digits
_UNIT = re.compile(r"(?P<number>.*[0-9])\s*(?P<unit>[^\W\d_]+\.?)")
#: words after a number that are part of it, not its unit (`1,5 mill`): no number to write is guessed
_MAGNITUDES = {"k", "tusen", "mill", "mln", "million", "millioner", "mrd", "milliard", "milliarder"}


def _digits_meant(text: str, whole: bool, limits: Limits) -> tuple[list[Decimal], str] | None:
    """`_number_meant` for a number written in digits, signs, spaces, commas and points: the numbers it says
    to write, read from the written digits (no float rounds them), and what it says."""
    plain = re.sub(r"\s", "", text)  # a space, a no-break space, a thin space ...
    spaced = plain != text
    if re.fullmatch(r"[-+]?\d+", plain) and spaced:
        return [Decimal(plain)], f"{plain} (digits only, no spaces)"
    spaces = ", and no spaces" if spaced else ""
    if not whole and re.fullmatch(r"[-+]?\d{1,3},\d{3}", plain):  # 72,000: 72 with a decimal comma, or 72000
        point, grouped = Decimal(plain.replace(",", ".")), Decimal(plain.replace(",", ""))
        if _outside(plain, grouped, whole, limits) is not None:  # 172,000 FTE: more than a pool has, read as 172000
            return [point], f"{_plain_number(point)} (a decimal point, not a comma{spaces})"
        return [point, grouped], (f"{_plain_number(point)} if the comma is a decimal comma (a decimal point, not a "
                                  f"comma{spaces}), or {_plain_number(grouped)} if it separates thousands (digits "
                                  "only)")
    if not whole and re.fullmatch(r"[-+]?\d+,\d+", plain):
        return [Decimal(plain.replace(",", "."))], f"{plain.replace(',', '.')} (a decimal point, not a comma{spaces})"
    grouped = re.fullmatch(r"[-+]?\d{1,3}(?:([,.])\d{3})(?:\1\d{3})*", plain)  # 1,360 or 1.360.000
    if grouped and (whole or len(re.findall("[,.]", plain)) > 1):  # (72,000 where a fraction may be: above)
        number = Decimal(re.sub("[,.]", "", plain))
        return [number], f"{_plain_number(number)} (digits only, no thousands separator)"
    thousands = re.fullmatch(r"([-+]?\d{1,3}(?:\.\d{3})+)([.,])(\d+)", plain)  # 13.800,5 or 10.958.0
    if thousands is not None:
        number = Decimal(thousands[1].replace(".", "") + "." + thousands[3])
        low = number.to_integral_value(ROUND_FLOOR)
        if whole and number != low:
            return [low, low + 1], (f"{low} or {low + 1} (a whole number; {plain} is {_plain_number(number)}: digits "
                                    "only, no thousands dot)")
        fraction = "" if thousands[2] == "." else ", no decimal comma" if number == low else \
            "; a decimal point, not a comma"  # (10.958,0 is 10958: no point to write)
        return [number], f"{_plain_number(number)} (digits only, no thousands dot{fraction})"
    if whole and re.fullmatch(r"[-+]?\d+,\d+", plain):  # 10958,0: a decimal comma in a whole number
        number = Decimal(plain.replace(",", "."))
        low = number.to_integral_value(ROUND_FLOOR)
        if number == low:
            return [number], f"{_plain_number(number)} (a whole number, in digits only: no decimal comma{spaces})"
        return [low, low + 1], f"{low} or {low + 1} (a whole number; {plain} is {_plain_number(number)})"
    if spaced and _DECIMAL.fullmatch(plain) and math.isfinite(float(plain)):  # 1 000.5
        meant = _to_write(plain, float(plain), whole)
        said = f"{meant[:-1]}; no spaces)" if meant.endswith(")") else f"{meant} (digits only, no spaces)"
        return [Decimal(plain)], said
    points = re.fullmatch(r"([-+]?\d+\.\d+)((?:\.\d+)+)", plain)  # 72.0.0
    if points is not None:
        first = _to_write(points[1], float(points[1]), whole)
        return [Decimal(points[1])], (f"the number with one decimal point at most: {plain} has {plain.count('.')} "
                                      f"({first}, if {points[2]!r} at its end is a slip)")
    return None


#: what to write for a required field that is missing, where the field's name does not say it
_MISSING_HINT = {
    "planning_date": "`planning_date: 2024-01-15`, the day the plan starts from (windows before it are history)",
}


#: what to write for a missing source note of one value (a plan file's entry, a sweep's risk), as the data
#: files' `source` is asked for (`schema.Sourced`)
_SOURCE_HINT = "add `source: \"estimate: how it was estimated\"` (or 'fact: where it is from')"


def _is_note(field: FieldInfo | None) -> bool:
    """Whether `field` is one text (a source note), not a mapping of notes by field (the data's `source`)."""
    return field is not None and field.annotation is str


#: pydantic's errors for a number outside a field's range
_OUT_OF_RANGE = {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}


def _number_text(value: object, written: str | None) -> str | None:
    """The text of a number as written, where it is one in decimal digits (with an exponent or not): the
    text pydantic was given (`1e400`, which YAML 1.1 reads as text, or one in quotes), else the unquoted
    number's (`1.0e+400`, which YAML reads as .inf); None: no such text."""
    text = value if isinstance(value, str) else written
    return text.strip() if isinstance(text, str) and _DECIMAL.fullmatch(text.strip()) else None


def _whole_field(field: FieldInfo | None) -> bool:
    """Whether `field` takes whole numbers only (`users: int | None`), not any (`fte: Fte`)."""
    def has(annotation: Any, kind: type) -> bool:
        return annotation is kind or any(has(arg, kind) for arg in get_args(annotation))
    return field is not None and has(field.annotation, int) and not has(field.annotation, float)


#: how YAML writes the numbers that are not finite
_YAML_NUMBER = {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at a location (best effort, following nested models)."""
    fields = getattr(_model_at(model, loc), "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model of the object at a location (best effort, following nested models); None: not known."""
    from typing import get_args, get_origin

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if part in RULE_CLASS:
            current = RULE_CLASS[part]
            continue
        field = _field_named(current, part)
        if field is None:
            return None
        current = _inner_model(field.annotation, get_args, get_origin)
        if current is None:
            return None
    return current


def _field_named(model: Any, key: object) -> FieldInfo | None:
    """The field of `model` a file names `key` (its name, or its alias: `from`)."""
    fields = getattr(model, "model_fields", {})
    return fields.get(key) or next((f for f in fields.values() if f.alias is not None and f.alias == key), None)


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The field a pydantic error location ends in (the list's own field for one of its items); None: not known."""
    loc = tuple(loc)
    while loc and (isinstance(loc[-1], int) or _union_tag(loc[-1])):
        loc = loc[:-1]
    return _field_named(_model_at(model, loc[:-1]), loc[-1]) if loc else None


def _is_required(field: FieldInfo | None) -> bool:
    return field is not None and field.is_required()


def _choices(field: FieldInfo | None) -> list[str]:
    """The values a field takes where they are a fixed set (an enum, a Literal); else none."""
    from typing import Literal, get_args, get_origin

    found: list[str] = []

    def walk(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            found.extend(str(member.value) for member in annotation)
        elif get_origin(annotation) is Literal:
            found.extend(str(arg) for arg in get_args(annotation))
        else:
            for arg in get_args(annotation):
                walk(arg)

    if field is not None:
        walk(field.annotation)
    return found


def _inner_model(annotation, get_args, get_origin):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg, get_args, get_origin)
        if found is not None:
            return found
    return None


def _locate(obj: Any, doc: YamlDocument, path: tuple = ()) -> None:
    """Give every Located object in the tree its file:line."""
    if isinstance(obj, Located):
        obj._at = doc.where(path)
        for name, field in type(obj).model_fields.items():
            key = field.alias or name
            if path + (key,) in doc.lines:
                obj._fields_at[key] = doc.where(path + (key,))
            _locate(getattr(obj, name), doc, path + (key,))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            _locate(item, doc, path + (i,))


# ---- cross references --------------------------------------------------------------------------


def check_references(problem: Problem) -> None:
    """Ids that must exist, must be unique, and must be of the right kind. Raises InputErrors, in the
    order of the files and their lines."""
    _raise_in_order(problem, _duplicate_id_errors(problem), _reference_errors(problem))


def _raise_in_order(problem: Problem, causes: list[InputError], others: list[InputError]) -> None:
    """Raise the errors found, if any: `causes` (a duplicate id) first, then the others, each in file order.
    A duplicate id causes others (a profile renamed to another's id leaves every organisation that named
    it without one), and in file order they hid it past the first MAX_ERRORS."""
    if causes or others:
        raise input_errors(_in_file_order(causes, problem) + _in_file_order(others, problem))


def _in_file_order(errors: list[InputError], problem: Problem) -> list[InputError]:
    """organisations.yaml's errors, then waves.yaml's (then any other file's), each in line order."""
    rank = {problem.org_file: 0, problem.waves_file: 1}

    def key(error: InputError) -> tuple:
        where = error.where
        return (2, "", 0) if where is None else (rank.get(where.file, 2), where.file, where.line or 0)
    return sorted(errors, key=key)


def _id_lists(problem: Problem) -> list[tuple[str, list]]:
    """(what, items) for each kind of item with an id that is unique among its kind."""
    waves = problem.waves
    return [
        ("organisation", problem.organisations),
        ("window", waves.windows),
        ("track", waves.tracks),
        ("pool", waves.pools),
        ("load profile", waves.load_profiles),
        ("rule", [rule for rule in waves.rules if rule.id]),  # optional: where given, one rule's (remove_rule)
    ]


def _duplicate_id_errors(problem: Problem) -> list[InputError]:
    """An error for each id given a second time, at that id, saying where the first is."""
    errors = []
    for what, items in _id_lists(problem):
        for item, before in _repeats(items, lambda item: item.id):
            told = _first_at(before.field_at("id"), item.at)
            errors.append(InputError(f"duplicate {what} id {item.id!r}{told}; each id may be used once",
                                     item.field_at("id")))
    return errors


def _reference_errors(problem: Problem) -> list[InputError]:
    """The errors of `check_references` but duplicate ids (`_duplicate_id_errors`), as found: in the
    order of `_References`' steps."""
    refs = _References(problem)
    refs.nothing_to_plan_in_said()
    refs.organisations()
    refs.horizon()
    refs.pools()
    refs.windows_and_actors_named()
    refs.rules()
    return refs.errors


class _References:
    """What a data set's entries name (organisations, windows, tracks, load profiles, pools) checked
    against what it has, step by step (`_reference_errors`), each error at the line of the value that is
    wrong, with the id nearest to a misspelt one."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.errors: list[InputError] = []
        waves = problem.waves
        self.tracks = {t.id: t for t in waves.tracks}
        self.profiles = {p.id for p in waves.load_profiles}
        self.profile_pool = {p.id: p.pool for p in waves.load_profiles}
        self.pool_ids = {p.id for p in waves.pools}
        # an id not found that is nearest an id given twice: likely one of the two was renamed (said first)
        self.twice = {what: {item.id for item, _ in _repeats(items, lambda item: item.id)}
                      for what, items in _id_lists(problem)}
        mandatory = [o for o in problem.organisations if o.is_mandatory]
        self.mandatory = mandatory
        self.nothing_to_plan_in = bool(mandatory) and not problem.future_windows

    def err(self, message: str, obj: Located | None, field: str | None = None) -> None:
        """An error at the line of the object's `field` (the value that is wrong), else of the object."""
        where = None if obj is None else obj.field_at(field) if field else obj.at
        self.errors.append(InputError(message, where))

    def meant(self, ident: str, choices: Iterable[str], what: str) -> str:
        near = closest(ident, choices)
        if near is not None and near in self.twice[what]:
            return f" (the {what} id {near!r} is given twice: was one of the two {ident!r}?)"
        return did_you_mean(ident, choices)

    def need_org(self, ident: str, owner: Located, role: str, kind: Kind | None = None,
                 field: str | None = None) -> None:
        orgs = self.problem.org
        if ident not in orgs:
            self.err(f"{role} {ident!r} is not an organisation in organisations.yaml"
                     f"{self.meant(ident, orgs, 'organisation')}", owner, field)
        elif kind is not None and orgs[ident].kind is not kind:
            self.err(f"{role} {ident!r} is {a_or_an(orgs[ident].kind.value)}, expected {a_or_an(kind.value)}"
                     + _of_kind_meant(self.problem, ident, owner, kind), owner, field)

    def need_window(self, ident: str, owner: Located, role: str, future: bool = False,
                    field: str = "windows") -> None:
        windows, planning_date = self.problem.window, self.problem.planning_date
        if ident not in windows:
            self.err(f"{role} {ident!r} is not a window in waves.yaml{self.meant(ident, windows, 'window')}",
                     owner, field)
        elif future and not self.nothing_to_plan_in and windows[ident].date < planning_date:
            # (with no window on or after the planning date at all, that is said once, above)
            self.err(f"{role} {ident!r} ({windows[ident].date}) is before the planning date {planning_date}; "
                     "choose a window on or after it", owner, field)

    def nothing_to_plan_in_said(self) -> None:
        """No window on or after the planning date while organisations must go live: every go-live would
        be refused, one "must go live" conflict per organisation; why is said once."""
        if not self.nothing_to_plan_in:
            return
        problem, mandatory = self.problem, self.mandatory
        last = problem.windows[-1]
        plural = "s" if len(mandatory) > 1 else ""
        self.errors.append(InputError(
            f"no window on or after the planning date {problem.planning_date} (the last, {last.id}, is on "
            f"{last.date}), yet {len(mandatory)} organisation{plural} must go live ({some_of(o.id for o in mandatory)}); "
            "there is nothing to plan them in: add windows on or after the planning date, or give an earlier "
            "planning_date", problem.waves.field_at("planning_date")))

    def organisations(self) -> None:
        """Each organisation's municipality, trust, preferred window, track and load profiles; then, said
        once where they share a cause, live organisations whose go-live is not history and sectors whose
        load no pool takes."""
        problem = self.problem
        late_history: list[tuple] = []  # live organisations whose go-live is not before the planning date
        without_pool: dict = {}  # sector -> the organisations that load it and find no pool of it
        for o in problem.organisations:
            self._organisation(o)
            if (late := _late_history(problem, o)) is not None:
                late_history.append(late)
            needs_sector_pool = any(self.profile_pool.get(p, "") is None for p in o.profile_ids)
            if needs_sector_pool and o.effective_sector not in problem.pool_of_sector:
                without_pool.setdefault(o.effective_sector, []).append(o)
        self._late_history_said(late_history)
        self._without_pool_said(without_pool)

    def _organisation(self, o: Organisation) -> None:
        if o.municipality is not None:
            self.need_org(o.municipality, o, "municipality", Kind.municipality, "municipality")
        if o.part_of is not None:
            self.need_org(o.part_of, o, "part_of", Kind.health_trust, "part_of")
        if o.preferred_window is not None and o.status is Status.live and o.live_since is not None:
            # a live organisation is not planned: a preference is left over from when it was, unless it
            # names the window it went live in
            if o.preferred_window not in self.problem.window:
                self.need_window(o.preferred_window, o, f"{o.id}: preferred_window", field="preferred_window")
            elif (broken := history_preference(o, self.problem.history_window_of(o))) is not None:
                self.err(f"{o.id}: {broken}; remove preferred_window", o, "preferred_window")
        elif o.preferred_window is not None:
            # named: a scenario's set_planning_date says this of every organisation it passes, at its own line
            self.need_window(o.preferred_window, o, f"{o.id}: preferred_window", future=True,
                             field="preferred_window")
        if o.track is not None and o.track not in self.tracks:
            self.err(f"track {o.track!r} is not a track in waves.yaml{self.meant(o.track, self.tracks, 'track')}",
                     o, "track")
        if o.load_profile is not None:
            for profile_id in o.profile_ids:
                if profile_id not in self.profiles:
                    self.err(f"load_profile {profile_id!r} is not in waves.yaml load_profiles"
                             f"{self.meant(profile_id, self.profiles, 'load profile')}", o, "load_profile")

    def _late_history_said(self, late_history: list[tuple]) -> None:
        problem = self.problem
        if len(late_history) == 1:
            (o, _, message), = late_history
            self.err(message, o, "live_since")
        elif late_history:
            # one cause, the planning date, said once at its line (not once per live organisation)
            latest = max(day for _, day, _ in late_history)
            self.err(f"planning_date {problem.planning_date} is not after the go-live of {len(late_history)} live "
                     f"organisations ({some_of(f'{o.id} {day}' for o, day, _ in late_history)}): a live "
                     "organisation's go-live is history, before the planning date. Give the day the plan starts "
                     f"from (after {latest}), or check their live_since", problem.waves, "planning_date")

    def _without_pool_said(self, without_pool: dict) -> None:
        for sector, loading in without_pool.items():
            if len(loading) == 1:
                self.err(f"{loading[0].id}: no pool in waves.yaml has sector {sector.value} for its load; add one, "
                         "or name a pool in its load profile", loading[0])
            else:  # said once, at the pools (not once per organisation)
                self.err(f"no pool in waves.yaml has sector {sector.value}, which {len(loading)} organisations "
                         f"load ({some_of(o.id for o in loading)}): give one pool `sector: {sector.value}`, or name "
                         "a pool in their load profiles", self.problem.waves, "pools")

    def horizon(self) -> None:
        waves, planning_date = self.problem.waves, self.problem.planning_date
        if waves.horizon_end is not None and waves.horizon_end < planning_date:
            self.errors.append(InputError(
                f"horizon_end {waves.horizon_end} is before the planning date {planning_date}: no month's load "
                "would be checked; give a later date, or leave it out (the last window's month plus the longest "
                "hypercare)", waves.field_at("horizon_end")))

    def pools(self) -> None:
        """The pool a load profile names; one pool per sector; one capacity change per month."""
        waves = self.problem.waves
        for profile in waves.load_profiles:
            if profile.pool is not None and profile.pool not in self.pool_ids:
                self.err(f"load profile {profile.id}: pool {profile.pool!r} is not a pool in waves.yaml"
                         f"{self.meant(profile.pool, self.pool_ids, 'pool')}", profile, "pool")
        for pool, before in _repeats(waves.pools, lambda pool: pool.sector):
            self.err(f"pool {pool.id!r}: pool {before.id!r} has sector {pool.sector.value} already"
                     f"{_first_at(before.field_at('sector'), pool.at)}; one pool per sector (leave `sector` out "
                     "where the load profiles name the pool)", pool, "sector")
        for pool in waves.pools:
            for change, before in _repeats(pool.changes, lambda change: change.from_):
                told = _first_at(before.field_at("from"), change.at)
                self.err(f"pool {pool.id}: a second capacity change from {change.from_}{told}; give one fte per "
                         "month", change, "from")

    def windows_and_actors_named(self) -> None:
        """The windows tracks and limits name; the organisations blackouts name."""
        waves = self.problem.waves
        for track in waves.tracks:
            for w in track.windows or []:
                self.need_window(w, track, f"track {track.id}: window")
        for limit in waves.limits:
            for w in limit.windows or []:
                self.need_window(w, limit, "limit window")
        for blackout in waves.blackouts:
            for a in blackout.actors or []:
                self.need_org(a, blackout, "blackout actor", field="actors")

    def rules(self) -> None:
        """The organisations each rule names, each once."""
        problem = self.problem
        for index, rule in enumerate(problem.waves.rules):
            # named as the verifier names a rule, with the field that names the organisation (`actors`: an actor)
            label = f"{rule.type} rule {rule.id!r}" if rule.id else f"{rule.type} rule #{problem.rule_number(index)}"
            for field, a in rule.named():
                self.need_org(a, rule, f"{label}: {field.removesuffix('s')}", field=field)
            repeated = [a for a, n in Counter(rule.named_ids()).items() if n > 1]
            if repeated:
                self.err(f"{label} names {', '.join(repeated)} more than once; name each once", rule,
                         "actors" if hasattr(rule, "actors") else None)


def _late_history(problem: Problem, o: Organisation) -> tuple | None:
    """(organisation, the date, the message) for a live organisation whose go-live is not before the
    planning date (its live_since, or the window that date puts it in), else None."""
    if o.status is not Status.live or o.live_since is None:
        return None
    if o.live_since >= problem.planning_date:
        return (o, o.live_since, (
            f"{o.id}: live_since {o.live_since} is not before the planning date {problem.planning_date}; "
            "a go-live after the planning date is planned, not history (status signed, earliest/latest)"))
    window = problem.history_window_of(o)
    if window is not None and window.date >= problem.planning_date:
        # the model would count it as history and the verifier as a go-live in a planned window
        return (o, window.date, (
            f"{o.id}: live_since {o.live_since} puts it in window {window.id} ({window.date}), which is not "
            f"before the planning date {problem.planning_date}: history is before it. Give the planning "
            "date after that window, or the live_since of its real go-live"))
    return None


#: what an organisation's field that names another of a kind names, said where it names one of another kind
_NAMES = {Kind.municipality: "the municipality that {id} is located in",
          Kind.health_trust: "the health trust that {id} belongs to"}


def _of_kind_meant(problem: Problem, ident: str, owner: Organisation, kind: Kind) -> str:
    """What to write where `owner`'s `municipality` (or `part_of`) names `ident`, an organisation of another
    kind than `kind`: whose field it is and what it names, and the id most likely meant: the one of that kind
    spelt most like `ident` (`roskilde` for the hospital `roskilde-sygehus`) or like `owner`'s id, for a
    trust the one a hospital named belongs to; else those there are."""
    named = problem.org[ident]
    ours = [o.id for o in problem.organisations if o.kind is kind]
    said = f" ({_NAMES[kind].format(id=owner.id)})"
    if not ours:
        return f"{said}; {Path(problem.org_file or ORGANISATIONS).name} has no {kind.value}: add it"
    meant = (named.part_of if kind is Kind.health_trust and named.part_of in ours else None) \
        or closest(ident, ours) or closest(owner.id, ours)
    if meant is not None:
        return f"{said}; did you mean {meant!r}?"
    return f"{said}; write the id of {a_or_an(kind.value)}: {some_of(sorted(ours))}"


def history_preference(org: Organisation, own: Window | None) -> str | None:
    """What is wrong with a live organisation's preferred_window (a window) that is not `own`, the window it
    went live in: a preference left over from when it was planned; None: it names that window."""
    if own is not None and own.id == org.preferred_window:
        return None
    went = f"window {own.id}" if own is not None else "no window"
    return (f"preferred_window {org.preferred_window!r} is not the window it went live in ({went}, live_since "
            f"{org.live_since}): a live organisation's go-live is history, and a preference no longer applies")


def _slip_errors(problem: Problem) -> list[InputError]:
    """Data the files may well say but almost surely did not mean (checked as the files are read, not
    after a scenario's changes: moving a window to another month is what a scenario may do)."""
    errors: list[InputError] = []
    waves = problem.waves
    kinds = [kind.value for kind in Kind]
    # (a window's id is its name only: `2025-09` postponed to 2025-10-04 keeps its id, as move_window does)
    if waves.horizon_end is not None and waves.horizon_end >= problem.planning_date and problem.future_windows:
        # a go-live past the horizon loads no month that is checked: its capacity would never be. (A
        # scenario may add or move a window past it: its months are then not checked, docs/scenarios.md)
        last = max(problem.future_windows, key=lambda w: w.date)
        end = f"{waves.horizon_end:%Y-%m}"
        beyond = [w.id for w in problem.future_windows if f"{w.date:%Y-%m}" > end]
        if beyond:
            plural = "s" if len(beyond) > 1 else ""
            errors.append(InputError(
                f"horizon_end {waves.horizon_end} is before the last window, {last.id} ({last.date}): capacity is "
                f"checked to {end} only, so the go-lives of {len(beyond)} window{plural} after it ({some_of(beyond)}) "
                f"would never be checked against capacity; give a date in {last.date:%Y-%m} or later, or leave "
                "horizon_end out (then it is the last window's month plus the longest hypercare less one)",
                waves.field_at("horizon_end")))
    # a load profile no organisation uses, while the organisations of a kind that the plan places load
    # nothing for want of the profile named like their kind, is almost surely that profile, misspelt
    # (`trust` for health_trust). A spare profile where every organisation has one is fine (a scenario's
    # `set` may name it), and so is one while only live organisations (history) go without whose
    # hypercare under it would have ended before the planning month (their load is in no checked month).
    named = {p.id for p in waves.load_profiles}
    used = {profile for o in problem.organisations for profile in o.profile_ids}
    without = [o for o in problem.organisations if o.load_profile is None and o.kind.value not in named]
    planning_month = month_index(problem.planning_date)
    for profile in waves.load_profiles:
        if profile.id in used or profile.id in kinds:
            continue  # (a profile named after a kind with no organisations yet is fine)
        loading_nothing = Counter(
            o.kind.value for o in without
            if o.is_plannable or (o.status is Status.live and o.live_since is not None
                                  and month_index(o.live_since) + len(profile.hypercare) > planning_month))
        if not loading_nothing:
            continue
        meant = _nearest(profile.id, loading_nothing)
        nothing = "; ".join(f"the {n} organisation{'s' if n > 1 else ''} of kind {kind} load{'' if n > 1 else 's'} "
                            f"nothing, as no profile is named {kind!r}" for kind, n in sorted(loading_nothing.items()))
        errors.append(InputError(
            f"load profile {profile.id!r} is used by no organisation (its id is no kind, and no organisation names "
            f"it in `load_profile`), and {nothing}" + (f": did you mean {meant!r}?" if meant else ".")
            + f" Name the profile after the kind it is for ({', '.join(kinds)}), or name it in the `load_profile` "
            "of the organisations it is for (an organisation meant to load nothing: `load_profile: []`)",
            profile.field_at("id")))
    return errors


def _nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely meant: one that holds it (`trust`: health_trust), else the closest."""
    choices = list(choices)
    plain = word.lower().replace("-", "_")
    holding = [c for c in choices if len(plain) >= 3 and (plain in c or c in plain)]
    if holding:
        return holding[0]
    return closest(plain, choices)


def _repeats(items: Iterable, key) -> Iterable[tuple[Any, Any]]:
    """(item, the first item of its key) for each item whose `key(item)` an earlier one had (None: no key)."""
    first: dict = {}
    for item in items:
        k = key(item)
        if k is None:
            continue
        if k in first:
            yield item, first[k]
        else:
            first[k] = item


def _first_at(before: Location | None, at: Location | None) -> str:
    """' (first at line 12)' for the first of two, or ' (first at FILE:12)' where it is in another file."""
    if before is None:
        return ""
    same_file = at is not None and before.file == at.file
    return f" (first at line {before.line})" if same_file and before.line else f" (first at {before})"
