"""Careful JSON reading: size, UTF-8, nesting depth and duplicate-key limits, and line/column of a JSON path."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from json.decoder import scanstring
from typing import Any, Iterator

MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 100
MAX_INTEGER_DIGITS = 4300
"""Longer integers are refused, with their place (Python itself refuses them with no place)."""

JsonPath = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*"', re.DOTALL)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


@dataclass(eq=False)
class JsonTextError(Exception):
    """A text that is not acceptable JSON; ``path`` is the JSON path concerned (empty for the whole text)."""

    message: str
    path: JsonPath = ()
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"


def format_path(path: JsonPath) -> str:
    """A JSON path as people read it: ``entities[3].groups[0]``, ``layout["user-1"]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def decode_utf8(data: bytes) -> str:
    """The text of ``data`` (a UTF-8 byte-order mark is skipped); raises JsonTextError at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = data[:error.start].decode("utf-8-sig", errors="replace")
        line, column = line_column(prefix, len(prefix))
        raise JsonTextError(f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                            (), line, column) from None


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise JsonTextError when arrays/objects nest deeper than ``limit`` (checked before any parsing).

    The depth is found by C-level passes (strings removed, then everything but brackets); only a text that
    is too deep is scanned token by token, to name the place.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) <= limit:
        return
    depth = 0
    for match in _TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > limit:
                line, column = line_column(text, match.start())
                raise JsonTextError(f"JSON nested deeper than {limit} levels", (), line, column)
        elif char in "]}":
            depth -= 1


class _DuplicateKey(Exception):
    pass


class _BadNumber(Exception):
    """A number Python cannot keep faithfully: ``literal`` as written, ``reason`` in words."""

    def __init__(self, literal: str, reason: str) -> None:
        super().__init__(reason)
        self.literal, self.reason = literal, reason


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise _BadNumber(name, f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _BadNumber(literal, f"the number {literal} is beyond the range of numbers JSON files can hold")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _BadNumber(literal, f"an integer of {len(literal.lstrip('-'))} digits is too long "
                                  f"(at most {MAX_INTEGER_DIGITS})")
    return int(literal)


def _literal_offset(text: str, literal: str) -> int:
    """Where ``literal`` first stands outside a string in ``text`` (0 when it cannot be found)."""
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|' + re.escape(literal), text):
        if not match.group().startswith('"'):
            return match.start()
    return 0


def parse_json_text(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text strictly: depth limit, no duplicate keys, no NaN/Infinity; errors carry line/column."""
    check_depth(text, max_depth)
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant,
                          parse_float=_finite_float, parse_int=_bounded_int)
    except _BadNumber as bad:
        line, column = line_column(text, _literal_offset(text, bad.literal))
        raise JsonTextError(f"invalid JSON: {bad.reason}", (), line, column) from None
    except _DuplicateKey as duplicate:
        path, offset = _find_duplicate(text)
        line, column = line_column(text, offset)
        raise JsonTextError(f"the key {str(duplicate)!r} appears twice in the same object", path, line,
                            column) from None
    except json.JSONDecodeError as error:
        raise JsonTextError(f"invalid JSON: {error.msg}",
                            (), error.lineno, error.colno) from None


def parse_json_bytes(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Size limit, UTF-8 check, then ``parse_json_text``."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise JsonTextError(f"the file is {size / 1024 / 1024:.1f} MB; files over {max_bytes // (1024 * 1024)} MB "
                            "are refused")
    text = data if isinstance(data, str) else decode_utf8(data)
    return parse_json_text(text, max_depth=max_depth)


# ----- locating paths in the text ------------------------------------------------------------------------
def _skip(text: str, offset: int) -> int:
    match = _WHITESPACE.match(text, offset)
    return match.end() if match else offset


def _walk(text: str, offset: int, path: JsonPath) -> Iterator[tuple[JsonPath, int, int, bool]]:
    """Yield (path, start offset, end offset, is_key) for the value at ``offset`` and everything inside it.

    For object members a key event comes first (``is_key`` True, path of the member); the value follows.
    """
    offset = _skip(text, offset)
    start = offset
    char = text[offset:offset + 1]
    if char == "{":
        offset = _skip(text, offset + 1)
        if text[offset:offset + 1] == "}":
            yield path, start, offset + 1, False
            return
        while True:
            key_start = offset
            key, offset = scanstring(text, offset + 1)
            yield (*path, key), key_start, offset, True
            offset = _skip(text, offset) + 1  # the colon
            end = offset
            for event in _walk(text, offset, (*path, key)):
                yield event
                end = event[2]
            offset = _skip(text, end)
            if text[offset] == "}":
                yield path, start, offset + 1, False
                return
            offset = _skip(text, offset + 1)
    elif char == "[":
        offset = _skip(text, offset + 1)
        if text[offset:offset + 1] == "]":
            yield path, start, offset + 1, False
            return
        index = 0
        while True:
            end = offset
            for event in _walk(text, offset, (*path, index)):
                yield event
                end = event[2]
            offset = _skip(text, end)
            if text[offset] == "]":
                yield path, start, offset + 1, False
                return
            offset, index = _skip(text, offset + 1), index + 1
    elif char == '"':
        _, end = scanstring(text, offset + 1)
        yield path, start, end, False
    else:
        match = _SCALAR.match(text, offset)
        yield path, start, match.end() if match else offset + 1, False


def _find_duplicate(text: str) -> tuple[JsonPath, int]:
    seen: set[JsonPath] = set()
    for path, start, _end, is_key in _walk(text, 0, ()):
        if is_key:
            if path in seen:
                return path, start
            seen.add(path)
    return (), 0


def locate(text: str, path: JsonPath) -> tuple[int, int] | None:
    """The 1-based (line, column) where the value (or, for a key, the member) at ``path`` starts in ``text``.

    The member's key position is returned for object members, so the person sees the key they have to fix.
    ``None`` when the text is not well-formed JSON or holds no such path.
    """
    try:
        for found, start, _end, is_key in _walk(text, 0, ()):
            if found == path and (is_key or not path or isinstance(path[-1], int)):
                return line_column(text, start)
    except (ValueError, IndexError):
        return None
    return None
