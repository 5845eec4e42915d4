"""Where each element of a JSON text starts, so policy errors can name a line and column."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]

JsonPath = tuple[str | int, ...]
"""A path into a JSON value: object keys and list indices (``("Statement", 1, "Effect")``)."""

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRUCTURE = re.compile(r'"(?:\\.|[^"\\])*"|[\[\]{}]|-?Infinity|NaN|\d{1000,}')
MAX_DEPTH = 64
"""Deepest nesting of objects and lists accepted (real policies nest about six levels)."""
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


@dataclass
class JsonPositions:
    """Offsets of every value and object key in a JSON text, and keys that appear twice."""

    text: str
    values: dict[JsonPath, int] = field(default_factory=dict)
    keys: dict[JsonPath, int] = field(default_factory=dict)
    duplicate_keys: list[JsonPath] = field(default_factory=list)

    def line_column(self, path: JsonPath) -> tuple[int, int] | None:
        """Return the 1-based (line, column) of the key naming ``path`` (else its value, else the nearest parent)."""
        for length in range(len(path), -1, -1):
            prefix = path[:length]
            offset = self.keys.get(prefix, self.values.get(prefix))
            if offset is not None:
                return line_column_at(self.text, offset)
        return None


def line_column_at(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def structure_problem(text: str) -> tuple[str, int] | None:
    """Find what ``json.loads`` would choke on or wrongly accept: too deep nesting, NaN / Infinity, huge numbers.

    Returns the problem in words and its offset, or ``None``.
    """
    depth = 0
    for token in _STRUCTURE.finditer(text):
        value = token.group(0)
        if value in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return f"nesting deeper than {MAX_DEPTH} levels", token.start()
        elif value in ("]", "}"):
            depth -= 1
        elif value[0] != '"':
            what = "a number too long to read" if value[0].isdigit() else f"{value} is not valid JSON"
            return what, token.start()
    return None


def locate(text: str) -> JsonPositions:
    """Scan a JSON text that ``json.loads`` accepts and record where each element starts."""
    positions = JsonPositions(text)

    def skip(index: int) -> int:
        return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]

    def value(index: int, path: JsonPath) -> int:
        index = skip(index)
        positions.values[path] = index
        char = text[index]
        if char == "{":
            return members(index + 1, path)
        if char == "[":
            return items(index + 1, path)
        if char == '"':
            return int(scanstring(text, index + 1)[1])
        scalar = _SCALAR.match(text, index)
        if scalar is None:
            raise json.JSONDecodeError("unexpected value", text, index)
        return scalar.end()

    def members(index: int, path: JsonPath) -> int:
        index = skip(index)
        if text[index] == "}":
            return index + 1
        while True:
            index = skip(index)
            key, after = scanstring(text, index + 1)
            member = path + (key,)
            if member in positions.keys:
                positions.duplicate_keys.append(member)
            positions.keys[member] = index
            index = skip(after)
            index = value(index + 1, member)
            index = skip(index)
            if text[index] == "}":
                return index + 1
            index += 1

    def items(index: int, path: JsonPath) -> int:
        index = skip(index)
        if text[index] == "]":
            return index + 1
        number = 0
        while True:
            index = value(index, path + (number,))
            index = skip(index)
            if text[index] == "]":
                return index + 1
            index += 1
            number += 1

    value(0, ())
    return positions


def path_text(path: JsonPath) -> str:
    """Render a path as ``Statement[1].Condition.StringEquals``."""
    rendered = ""
    for part in path:
        if isinstance(part, int):
            rendered += f"[{part}]"
        else:
            rendered += f".{part}" if rendered else part
    return rendered
