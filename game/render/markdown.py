"""Text from a scenario or a person, made safe to put in a Markdown file.

What comes out is always plain text when rendered, by CommonMark and by
GitHub's own renderer alike: never a link (bare URLs and e-mail addresses
included), an image, a heading, emphasis, a table cell or HTML. Each special
character is escaped with a backslash, which renders as the character itself,
so the file reads well as it is too: ``Werk & Inkomen`` stays just that.
"""

from __future__ import annotations

import re

from game.core.text import clean

_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~<>])")
_SCHEME = re.compile(r":(?=//)")  # GitHub links a bare http://example.org
_WWW = re.compile(r"(?i)(www)\.")  # GitHub links a bare www.example.org
_AT = re.compile("@+")
_LIST = re.compile(r"\A([-+]|[0-9]+(?=[.)]))")  # at the start of a line: a list item
_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")  # only where it would be read as one


def escape(text: str) -> str:
    """``text`` on one line, every mark that Markdown would act on escaped,
    also those that count only at the start of a line (it may be put there)."""
    text = _SPECIAL.sub(r"\\\1", " ".join(clean(text).split()))
    text = _ENTITY.sub(r"\\&", _WWW.sub(r"\1\\.", _SCHEME.sub(r"\\:", text)))
    text = _LIST.sub(lambda m: m.group(1) + "\\" if m.group(1).isdigit() else "\\" + m.group(1), text)
    # An '@' between two words is an e-mail address to GitHub, whatever is escaped
    # around it; in a code span it is only the character.
    return _AT.sub(r"`\g<0>`", text)
