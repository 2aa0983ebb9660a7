"""What a field of a file may hold, and how a part of a file is declared: the
words game/authoring/parts.py declares the scenario format in.

Each field is declared once, with its kind and a line on what it is for. The
loader reads each kind (FieldReader.reader in fields.py, and the scenario's own
kinds in loader.py); game/authoring/schema.py writes each as JSON Schema. This
module imports nothing of the parser or the model, so `koers schema` needs neither.
"""

from __future__ import annotations

import attrs

ID_PATTERN = "[a-z0-9][a-z0-9_-]*"  # what an id may be; JSON Schema writes it as ^...$
MAX_DIGITS = 9  # no count, range or number of seconds in a scenario needs more


@attrs.frozen
class Text:
    """Text. A number or true/false written plainly is text too."""


@attrs.frozen
class Ident:
    """An id (ID_PATTERN). Where it names something declared elsewhere in the
    file, ``names`` says what (the validator checks that it exists)."""

    names: str = ""


@attrs.frozen
class Integer:
    """A whole number of at most MAX_DIGITS digits, at least ``low`` and at most ``high``."""

    low: int | None = None
    high: int | None = None


@attrs.frozen
class Version:
    """The format version: a whole number, of which this Koers reads only ``current``."""

    current: int


@attrs.frozen
class Boolean:
    """true or false, written plainly."""


@attrs.frozen
class OneOf:
    """One of a few words."""

    options: tuple[str, ...]


@attrs.frozen
class ListOf:
    """A list of ``item``. ``what`` names an item in messages (the field's name
    if empty); ``empty`` is whether the list may have no items."""

    item: Kind
    what: str = ""
    empty: bool = True


@attrs.frozen
class Nested:
    """A mapping read along the part named ``part``."""

    part: str


@attrs.frozen
class Paragraphs:
    """Text, or a list of paragraphs, each text or a mapping read along the part named ``part``."""

    part: str


@attrs.frozen
class Numbers:
    """A mapping of ids (of ``names``) to whole numbers, like {trust: 2}."""

    names: str


Kind = Text | Ident | Integer | Version | Boolean | OneOf | ListOf | Nested | Paragraphs | Numbers


@attrs.frozen
class Field:
    """One field: its kind, what it is for (one line, the hover help of an
    editor), and how a message names it (its key when empty)."""

    kind: Kind
    about: str
    what: str = ""


@attrs.frozen
class Part:
    """One part of a file, a mapping of fields: its name (a nested field names
    it), what messages call it, what it is for, and its fields."""

    name: str
    what: str
    about: str
    required: tuple[str, ...]
    fields: dict[str, Field]

    @property
    def allowed(self) -> tuple[str, ...]:
        return (*self.required, *(k for k in self.fields if k not in self.required))
