"""The scenario format as a JSON Schema (draft 2020-12), written from the parts
the loader reads along (game/authoring/parts.py): `koers schema`.

The schema is for editors: completion, hover help from each field's line, and
the shape checked as one types. The loader stays the authority. It reads the
parser's events with their positions, and the validator checks what no JSON
Schema can: that an id names something declared, the grammar of conditions,
reachability, the teaching. The schema uses only keywords that mean the same in
draft-07, which editors' YAML support implements, and accepts what the loader
accepts where it can tell: a number or true/false where text belongs is text.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from game.authoring.kinds import (
    ID_PATTERN,
    MAX_DIGITS,
    Boolean,
    Ident,
    Integer,
    Kind,
    ListOf,
    Nested,
    Numbers,
    OneOf,
    Paragraphs,
    Part,
    Text,
    Version,
)
from game.authoring.parts import PARTS, SCENARIO

DRAFT = "https://json-schema.org/draft/2020-12/schema"
LARGEST = 10**MAX_DIGITS - 1

ABOUT = ("This schema, written by `koers schema`, is for editors; `koers validate` remains the authority. It also "
         "checks what a schema cannot: that every id named is declared, how the parts of a condition go together, "
         "that every scene can be reached, and the teaching.")


def schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file."""
    return {
        "$schema": DRAFT,
        "title": "Koers scenario",
        **_part(SCENARIO, SCENARIO.about + " " + ABOUT),
        "$defs": {name: _part(part, part.about) for name, part in PARTS.items() if part is not SCENARIO},
    }


def schema_text() -> str:
    """The schema as `koers schema` prints it, and docs/koers.schema.json holds it."""
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"


def _part(part: Part, about: str) -> dict[str, Any]:
    properties = {}
    for key, field in part.fields.items():
        about_field = field.about
        names = _names(field.kind)
        if names:
            about_field += f" It names {names} declared in this file (koers validate checks that it is)."
        properties[key] = {"description": about_field, **_kind(field.kind)}
    out: dict[str, Any] = {"description": about, "type": "object", "properties": properties}
    if part.required:
        out["required"] = list(part.required)
    out["additionalProperties"] = False
    return out


def _names(kind: Kind) -> str:
    """What an id in ``kind`` refers to, if it refers to something."""
    if isinstance(kind, ListOf):
        return _names(kind.item)
    if isinstance(kind, (Ident, Numbers)):
        return kind.names
    return ""


_TEXT = {"type": ["string", "number", "boolean"]}


def _kind(kind: Kind) -> dict[str, Any]:
    if isinstance(kind, Text):
        return dict(_TEXT)
    if isinstance(kind, Ident):
        # A plain 2024 is a valid id to the loader, and a number to an editor.
        return {"type": ["string", "integer"], "pattern": f"^{ID_PATTERN}$", "minimum": 0}
    if isinstance(kind, Integer):
        low, high = kind.low, kind.high
        return {"type": "integer", "minimum": -LARGEST if low is None else low,
                "maximum": LARGEST if high is None else high}
    if isinstance(kind, Version):
        return {"const": kind.current}
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, OneOf):
        return {"enum": list(kind.options)}
    if isinstance(kind, ListOf):
        out: dict[str, Any] = {"type": "array", "items": _kind(kind.item)}
        if not kind.empty:
            out["minItems"] = 1
        return out
    if isinstance(kind, Nested):
        return {"$ref": f"#/$defs/{kind.part}"}
    if isinstance(kind, Paragraphs):
        paragraph = {"anyOf": [_TEXT, {"$ref": f"#/$defs/{kind.part}"}]}
        return {"anyOf": [_TEXT, {"type": "array", "items": paragraph}]}
    if isinstance(kind, Numbers):
        return {"type": "object", "propertyNames": {"pattern": f"^{ID_PATTERN}$"},
                "additionalProperties": _kind(Integer())}
    assert_never(kind)
