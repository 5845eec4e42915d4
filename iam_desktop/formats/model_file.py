"""Native model files (``.iamd.json``): versioned JSON written atomically, read with every error located."""

from __future__ import annotations

import gc
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from iam_desktop.formats.entity_codec import (
    FieldError, decode_entity, decode_placement, encode_entity, encode_placement,
)
from iam_desktop.formats.json_indent import dumps_indented
from iam_desktop.formats.json_text import (
    MAX_BYTES, JsonPath, JsonTextError, check_depth, format_path, locate, parse_json_bytes,
)
from iam_desktop.formats.model_checks import assemble_workspace
from iam_desktop.model import Placement, Workspace

FORMAT_NAME = "iam-desktop"
FORMAT_VERSION = 1
MODEL_SUFFIX = ".iamd.json"

_TOP_LEVEL_KEYS = ("format", "version", "name", "region", "entities", "layout")


class ModelFileError(ValueError):
    """A model file that cannot be read or written, with the place and the reason.

    Attributes
    ----------
    json_path
        The JSON path concerned (``entities[3].groups[0]``), empty when the whole file is concerned.
    line, column
        1-based position in the file text when known.
    source
        The file name (or the label given to ``loads_model``).
    reason
        The reason alone, without the place.
    """

    def __init__(self, reason: str, *, json_path: str = "", line: int | None = None, column: int | None = None,
                 source: str = "") -> None:
        self.reason, self.json_path, self.line, self.column, self.source = reason, json_path, line, column, source
        place = source or "model"
        if line is not None:
            place += f", line {line}, column {column or 1}"
        if json_path:
            place += f", at {json_path}"
        super().__init__(f"{place}: {reason}")


# ----- migrations ----------------------------------------------------------------------------------------
def _migrate_v0(document: dict[str, Any]) -> dict[str, Any]:
    """Version 0 kept entities under ``nodes``, each with its own optional ``x``/``y``, and had no ``layout``."""
    nodes = document.get("nodes", [])
    if not isinstance(nodes, list):
        raise FieldError(("nodes",), "nodes must be an array of entity objects")
    entities, layout = [], {}
    for node in nodes:
        if isinstance(node, dict):
            node = dict(node)
            x, y = node.pop("x", None), node.pop("y", None)
            if x is not None and y is not None and isinstance(node.get("id"), str):
                layout[node["id"]] = {"x": x, "y": y}
        entities.append(node)
    migrated = {key: value for key, value in document.items() if key != "nodes"}
    return {**migrated, "version": 1, "entities": entities, "layout": layout}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_v0}
"""Pure functions taking a document of version N to version N + 1."""


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """The document brought up to ``FORMAT_VERSION`` by the migration functions (unchanged when current)."""
    while document["version"] < FORMAT_VERSION:
        document = MIGRATIONS[document["version"]](document)
    return document


# ----- writing -------------------------------------------------------------------------------------------
def model_to_json(ws: Workspace) -> dict[str, Any]:
    """The model file content as plain JSON data (entities in model order, keys in a fixed order)."""
    layout = {entity_id: encode_placement(ws.placements[entity_id])
              for entity_id in ws.entities if entity_id in ws.placements}
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": ws.name, "region": ws.region,
            "entities": [encode_entity(entity) for entity in ws.entities.values()], "layout": layout}


def dumps_model(ws: Workspace) -> str:
    """The model file text: JSON indented by 2, stable order, ending with a newline.

    Raises
    ------
    ModelFileError
        When the model holds something JSON cannot store (a NaN coordinate, a non-JSON value in a policy) or
        that loading would refuse (nesting deeper than the limit).
    """
    try:
        text = dumps_indented(model_to_json(ws)) + "\n"
    except (TypeError, ValueError, RecursionError) as error:
        raise ModelFileError(f"the model cannot be written as JSON: {error}") from error
    try:
        check_depth(text)
    except JsonTextError as error:  # never write a file that loading would refuse
        raise ModelFileError(f"the model cannot be written: {error.message}, which model files refuse",
                             line=error.line, column=error.column) from None
    return text


def save_model(ws: Workspace, path: str | os.PathLike[str]) -> None:
    """Write the model to ``path`` atomically: a temporary file in the same folder, fsync, then rename.

    On any failure the old file is untouched and the temporary file removed; a model too big to be opened
    again (over 50 MB as a file) is refused before anything is written. The old file's permissions are kept
    (a new file gets the usual permissions the umask allows). A symbolic link is followed, not replaced.

    Raises
    ------
    ModelFileError
        When the file cannot be written (the OS error is chained).
    """
    target = Path(os.path.realpath(path))
    data = dumps_model(ws).encode("utf-8")
    if len(data) > MAX_BYTES:  # never write a file that loading would refuse
        raise ModelFileError(f"the model is {len(data) / 1024 / 1024:.1f} MB as a file; model files over "
                             f"{MAX_BYTES // (1024 * 1024)} MB cannot be opened again, so it was not saved",
                             source=str(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _default_file_mode()
    except OSError as error:
        raise ModelFileError(f"cannot save: {error.strerror or error}", source=str(path)) from error
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
        temporary = None
        _sync_directory(target.parent)
    except OSError as error:
        raise ModelFileError(f"cannot save: {error.strerror or error}", source=str(path)) from error
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _default_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows opening a directory (POSIX)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# ----- reading -------------------------------------------------------------------------------------------
def load_model(path: str | os.PathLike[str]) -> Workspace:
    """Read a model file; raises ModelFileError (too big, unreadable, invalid) naming the place."""
    source = str(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise ModelFileError(f"the file is {size / 1024 / 1024:.1f} MB; model files over "
                                 f"{MAX_BYTES // (1024 * 1024)} MB are refused", source=source)
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise ModelFileError(f"cannot open: {error.strerror or error}", source=source) from error
    return loads_model(data, source)


def loads_model(text: str | bytes, source: str = "") -> Workspace:
    """The Workspace a model file text describes: all of it, or a ModelFileError naming the place and why.

    Parameters
    ----------
    text
        The file content (bytes must be UTF-8).
    source
        A label for messages, usually the file name.
    """
    collecting = gc.isenabled()
    gc.disable()  # reading makes only live objects: spare the cyclic collector's repeated walks over them
    try:
        return _loads_model(text, source)
    finally:
        if collecting:
            gc.enable()


def _loads_model(text: str | bytes, source: str) -> Workspace:
    try:
        document = parse_json_bytes(text)
    except JsonTextError as error:
        raise ModelFileError(error.message, json_path=format_path(error.path), line=error.line,
                             column=error.column, source=source) from None
    as_text = text if isinstance(text, str) else text.decode("utf-8-sig")

    def fail(path: JsonPath, reason: str) -> ModelFileError:
        position = None
        for length in range(len(path), -1, -1):  # the nearest enclosing place the text has
            position = locate(as_text, path[:length])
            if position:
                break
        return ModelFileError(reason, json_path=format_path(path), line=position[0] if position else None,
                              column=position[1] if position else None, source=source)

    try:
        document = _check_header(document)
        document = migrate(document)
        return _build_workspace(document)
    except FieldError as error:
        raise fail(error.path, str(error)) from None


def _check_header(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise FieldError((), "a model file is a JSON object with \"format\": \"iam-desktop\"")
    if document.get("format") != FORMAT_NAME:
        raise FieldError(("format",) if "format" in document else (),
                         f"this is not an IAM Desktop model (\"format\" must be {FORMAT_NAME!r})")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise FieldError(("version",) if "version" in document else (),
                         "\"version\" must be a whole number (the file format version)")
    if version > FORMAT_VERSION:
        raise FieldError(("version",), f"this model was made by a newer IAM Desktop (file format version "
                                       f"{version}; this version reads up to {FORMAT_VERSION}); please update")
    return document


def _build_workspace(document: dict[str, Any]) -> Workspace:
    for key in document:
        if key not in _TOP_LEVEL_KEYS:
            raise FieldError((key,), f"unknown key {key!r} (expected one of: {', '.join(_TOP_LEVEL_KEYS)})")
    for key in _TOP_LEVEL_KEYS:
        if key not in document:
            raise FieldError((), f"the required key {key!r} is missing")
    for key in ("name", "region"):
        if not isinstance(document[key], str):
            raise FieldError((key,), f"{key} must be a string")
    entities_json, layout_json = document["entities"], document["layout"]
    if not isinstance(entities_json, list):
        raise FieldError(("entities",), "entities must be an array of entity objects")
    if not isinstance(layout_json, dict):
        raise FieldError(("layout",), "layout must be an object of entity ids to placements")
    entities = [decode_entity(obj, ("entities", index)) for index, obj in enumerate(entities_json)]
    placements = _decode_layout(layout_json, {entity.id for entity in entities})
    return assemble_workspace(document["name"], document["region"], entities, placements)


def _decode_layout(layout: Mapping[str, Any], ids: set[str]) -> dict[str, Placement]:
    placements = {}
    for entity_id, obj in layout.items():
        if entity_id not in ids:
            raise FieldError(("layout", entity_id), f"places {entity_id!r}, but no entity has that id")
        placements[entity_id] = decode_placement(obj, ("layout", entity_id))
    return placements
