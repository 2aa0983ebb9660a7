"""Why a save file was refused, with its line and column; and older formats read.

The fast reader (msgspec, in :mod:`game.saves.codec`) says only that a file
does not fit :class:`Playthrough`. This module parses the file again with the
standard library's JSON scanner, told to remember where every value starts, so
that the problem can be named at its place: bad JSON, hostile sizes, an older
format to migrate, and then the schema's own complaint, worded from the same
declarations (their types, limits and descriptions) and placed in the file.
"""

from __future__ import annotations

import difflib
import json
import json.decoder
import json.scanner
import re
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, NamedTuple, Union

import msgspec

from game.core.diagnostics import Diagnostic
from game.saves.migrate import Problem, migrate
from game.saves.playthrough import MAX_DIGITS, SAVE_FORMAT, Playthrough

MAX_DEPTH = 16  # a save nests four deep; anything deeper is damage or an attack
MAX_VALUES = 100_000  # a long playthrough holds a few thousand; parsing 4 MiB of tiny values takes seconds

_decode = msgspec.json.Decoder(Playthrough).decode


class SaveError(Exception):
    """The only exception reading a save raises: one error diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


def read_slowly(text: str, path: str) -> Playthrough:
    """The playthrough in ``text``, read with positions: an older format is
    migrated; anything that does not fit raises SaveError at its place."""

    def fail(at: tuple[int, int], code: str, message: str) -> SaveError:
        return SaveError(Diagnostic(path, at[0], at[1], code, message))

    try:
        root = _parse(text)
    except json.JSONDecodeError as exc:
        message = exc.msg[:1].lower() + exc.msg[1:].removesuffix(" at")  # "Invalid control character at" (its place)
        raise fail((exc.lineno, exc.colno), "S001", f"the save is not valid JSON: {message}") from None
    except _Placed as placed:
        raise fail(_line_col(text, placed.offset), placed.code, placed.message) from None
    except RecursionError:  # MAX_DEPTH keeps far below the limit; this only guards a caller already deep
        raise fail((1, 1), "S004", "the data is nested too deep; no save is") from None
    where = _locator(text, root)
    data = _plain(root)
    try:
        data = _current(data)
        return _decode(msgspec.json.encode(data))
    except Problem as problem:
        raise fail(where(problem.at), problem.code, problem.message) from None
    except msgspec.ValidationError as exc:
        worded = _worded(str(exc), data)
        raise fail(where(worded.at), worded.code, worded.message) from None


def _current(data: Any) -> Any:
    """The data in the current format, or Problem when it is no save or of a format this Koers cannot read."""
    if not isinstance(data, dict):
        raise Problem((), "S102", f"a save should be a JSON object, not {_kind(data)}")
    if "koers_save" not in data:
        raise Problem((), "S101", "this is not a Koers save: it has no 'koers_save' format version")
    version = data["koers_save"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise Problem(("koers_save",), "S102",
                      f"'koers_save' (the format version) should be a whole number, not {_kind(version)}")
    if version > SAVE_FORMAT:
        raise Problem(("koers_save",), "S105", f"this save was made by a newer Koers (save format {version}); "
                      f"this Koers reads format {SAVE_FORMAT} and older: update Koers to open it")
    return migrate(data, version, SAVE_FORMAT)


# Wording the schema's complaint ---------------------------------------------

_AT = re.compile(r"^(?P<message>.*?)(?: - at `(?P<key>key` in `)?(?P<path>\$[^`]*)`)?$", re.S)
_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_GOT = {"str": "text", "int": "a whole number", "float": "a number with a fraction", "bool": "true or false",
        "null": "null", "array": "a list", "object": "an object"}


def _worded(error: str, data: Any) -> Problem:
    """msgspec's ``error`` about ``data`` as a Problem: the S code, a sentence
    that names the field as the save has it, and the place."""
    match = _AT.match(error)
    assert match is not None  # the pattern matches any text
    message = match["message"]
    at, kind = _follow(match["path"] or "$", data, key=bool(match["key"]))
    value = _value(data, at)
    hint = kind.hint
    if match["key"]:
        return Problem(at, "S104", f"{at[-2]} are keyed by {hint}, not '{str(at[-1])[:60]}'")
    if message.startswith("Object missing required field"):
        return Problem(at, "S101", f"{_what(at)} is missing '{_quoted(message)}'")
    if message.startswith("Object contains unknown field"):
        name = _quoted(message)
        allowed = [f.encode_name for f in msgspec.structs.fields(kind.type)]
        close = difflib.get_close_matches(name, allowed, n=1)
        more = f"; did you mean '{close[0]}'?" if close else f"; {_what(at)} has: {', '.join(allowed)}"
        return Problem((*at, name), "S103", f"unknown field '{name}' in {_what(at)}{more}")
    named = at and isinstance(at[-1], str) and not _container(kind.type)
    subject = f"'{at[-1]}' in {_what(at[:-1])}" if named else _what(at)
    if message.startswith("Expected") and ", got `" in message:
        got = message.rsplit("got `", 1)[1].rstrip("`")
        return Problem(at, "S102", f"{subject} should be {hint}, not {_GOT.get(got, got)}")
    if message == "Integer value out of range" or message.startswith(("Expected `int` <", "Expected `int` > ")):
        return Problem(at, "S005", f"{subject} is too large for a save")
    if message.startswith("Expected `int` >="):
        return Problem(at, "S104", f"{subject} should be 0 or more, not {value}")
    if message.startswith("Expected `str` of length >="):
        return Problem(at, "S104", f"{subject} should not be empty")
    if message.startswith("Invalid enum value"):
        return Problem(at, "S104", f"{subject} should be one of {hint}, not '{str(value)[:60]}'")
    return Problem(at, "S104", f"{subject} should be {hint}, not '{str(value)[:60]}'")


def _container(declared: Any) -> bool:
    """Whether values of this type are objects or lists, which a reader names by where they are."""
    return isinstance(declared, type) and issubclass(declared, msgspec.Struct) or typing.get_origin(declared) in (
        dict, tuple, list)


def _quoted(message: str) -> str:
    return message.split("`")[1]


class _Kind(NamedTuple):
    """A declared type, as a save's reader would say it."""

    type: Any
    hint: str  # "a whole number", "on, slow, off", "a playthrough id (a UUID)", …


def _kind_of(declared: Any) -> _Kind:
    description = ""
    while typing.get_origin(declared) is Annotated:
        declared, *extras = typing.get_args(declared)
        description = next((e.description for e in extras if isinstance(e, msgspec.Meta) and e.description), description)
    if typing.get_origin(declared) in (Union, types.UnionType):
        declared = next(a for a in typing.get_args(declared) if a is not type(None))
        return _kind_of(declared)._replace(hint=description or _kind_of(declared).hint)
    origin = typing.get_origin(declared)
    if origin is Literal:
        hint = ", ".join(str(a) for a in typing.get_args(declared))
    elif description:
        hint = description
    elif declared is bool:
        hint = "true or false"
    elif declared is int:
        hint = "a whole number"
    elif declared is str:
        hint = "text"
    elif declared is datetime:
        hint = "a UTC time like 2025-11-23T09:44:00.000Z"
    elif origin in (tuple, list):
        hint = "a list"
    else:
        hint = "an object"
    return _Kind(declared, hint)


def _follow(path: str, data: Any, key: bool) -> tuple[tuple[str | int, ...], _Kind]:
    """The place in ``data`` that msgspec's ``path`` names, and what is declared there.
    Where msgspec writes ``[...]`` (a value in a mapping) or points at a key,
    the first entry that does not fit is the one."""
    at: list[str | int] = []
    kind = _Kind(Playthrough, "an object")
    node = data
    for name, index in _TOKEN.findall(path):
        if name:
            fields = {f.encode_name: f.type for f in msgspec.structs.fields(kind.type)}
            kind, step = _kind_of(fields[name]), name
        elif index == "...":
            key_type, value_type = typing.get_args(kind.type)
            step = _misfit(node, value_type)
            kind = _kind_of(value_type)
        else:
            kind, step = _kind_of(typing.get_args(kind.type)[0]), int(index)
        at.append(step)
        node = node[step] if isinstance(node, (dict, list)) else None
    if key:
        key_type, _ = typing.get_args(kind.type)
        at.append(_misfit(node, key_type, keys=True))
        kind = _kind_of(key_type)
    return tuple(at), kind


def _misfit(mapping: Any, declared: Any, keys: bool = False) -> str:
    """The first key of ``mapping`` whose key (or value) is not of type ``declared``."""
    for k, v in mapping.items():
        try:
            msgspec.json.decode(msgspec.json.encode({k: 0} if keys else v), type=dict[declared, int] if keys else declared)
        except msgspec.ValidationError:
            return str(k)
    return str(next(iter(mapping)))


def _value(data: Any, at: tuple[str | int, ...]) -> Any:
    for step in at:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _what(at: tuple[str | int, ...]) -> str:
    """A place in a save as its reader would name it."""
    if not at:
        return "the save"
    if at[0] == "steps" and len(at) >= 2:
        step = f"step {int(at[1]) + 1}"
        return f"the meters of {step}" if at[2:] == ("meters",) else step
    if at[0] == "reflections" and len(at) == 2:
        return f"reflection {at[1]}"
    return f"'{at[-1]}'"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


# Parsing JSON with positions ------------------------------------------------


class _Located(NamedTuple):
    value: Any  # dict[str, _Located] | list[_Located] | str | int | float | bool | None
    offset: int


class _Placed(Exception):
    def __init__(self, offset: int, code: str, message: str) -> None:
        self.offset, self.code, self.message = offset, code, message


class _Refused(Exception):
    """Raised by a number hook, which does not know where it is; the scanner places it."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


class _Scanner:
    """The standard library's pure-Python JSON scanner, told to remember where
    each value starts (for line and column), to refuse what no save holds, and
    to stop at MAX_DEPTH instead of recursing until Python gives up. A key
    given twice counts with its last value, as in the fast reader."""

    def __init__(self) -> None:
        self.strict = True
        self.memo: dict[str, str] = {}
        self.object_hook = None
        self.object_pairs_hook = dict
        self.parse_string = json.decoder.scanstring  # type: ignore[attr-defined]
        self.parse_int = self._int
        self.parse_float = float
        self.parse_constant = self._constant
        self.parse_object = self._object
        self.parse_array = self._array
        self.depth = 0
        self.values = 0
        self._scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]

    def scan(self, text: str, idx: int) -> tuple[_Located, int]:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Placed(idx, "S002", f"the save holds more than {MAX_VALUES:,} values; Koers never writes one that large")
        try:
            value, end = self._scan_once(text, idx)
        except _Refused as refused:
            raise _Placed(idx, refused.code, refused.message) from None
        return _Located(value, idx), end

    def _deeper(self, start: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Placed(start, "S004", f"the data is nested more than {MAX_DEPTH} deep; no save is")

    def _object(self, s_and_end: tuple[str, int], strict: bool, _scan_once: object, object_hook: object,
                object_pairs_hook: object, memo: dict[str, str]) -> tuple[dict[str, _Located], int]:
        self._deeper(s_and_end[1] - 1)
        try:
            found: tuple[dict[str, _Located], int] = json.decoder.JSONObject(  # type: ignore[attr-defined]
                s_and_end, strict, self.scan, object_hook, object_pairs_hook, memo)
            return found
        finally:
            self.depth -= 1

    def _array(self, s_and_end: tuple[str, int], _scan_once: object) -> tuple[list[_Located], int]:
        self._deeper(s_and_end[1] - 1)
        try:
            found: tuple[list[_Located], int] = json.decoder.JSONArray(s_and_end, self.scan)  # type: ignore[attr-defined]
            return found
        finally:
            self.depth -= 1

    @staticmethod
    def _int(digits: str) -> int:
        # The pure-Python scanner's \d takes any Unicode digit; JSON has only 0 to 9.
        if not digits.isascii():
            raise _Refused("S001", "the save is not valid JSON: a number may hold only the digits 0 to 9")
        # Python refuses ints over 4300 digits with a ValueError of its own; stop far earlier, with a diagnostic.
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise _Refused("S005", f"a number of {len(digits.lstrip('-')):,} digits is too large for a save")
        return int(digits)

    @staticmethod
    def _constant(name: str) -> float:
        raise _Refused("S001", f"the save is not valid JSON: {name} is not a JSON value")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _parse(text: str) -> _Located:
    match = json.decoder.WHITESPACE.match  # type: ignore[attr-defined]
    try:
        value, end = _Scanner().scan(text, match(text, 0).end())
    except StopIteration as stop:
        raise json.JSONDecodeError("Expecting value", text, stop.value) from None
    end = match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(node: _Located) -> Any:
    """The data without positions. A lone surrogate (half a character, which
    an older Koers wrote as an escape when a confused terminal typed one) is
    kept as U+FFFD, as Koers writes it now: the text is not lost, and can be
    written again."""
    value = node.value
    if isinstance(value, dict):
        return {_LONE_SURROGATE.sub("\ufffd", key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    return value


def _locator(text: str, root: _Located) -> Callable[[tuple[str | int, ...]], tuple[int, int]]:
    """Line and column of a place in the data, or of the nearest enclosing value
    that exists (a missing field is reported at its object)."""

    def where(at: tuple[str | int, ...]) -> tuple[int, int]:
        node = root
        for key in at:
            value = node.value
            if isinstance(value, dict) and isinstance(key, str) and key in value:
                node = value[key]
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                node = value[key]
            else:
                break
        return _line_col(text, node.offset)

    return where
