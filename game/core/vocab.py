"""The words the engine and its files share: languages, ratings, timer settings."""

import re
from typing import Literal, get_args

#: The languages of the interface, and the languages a scenario may be written in.
Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

#: How an ending rates the way the player handled it.
RATINGS = ("strong", "mixed", "weak")

#: How timed decisions run: as written, at double time, or not at all.
Timers = Literal["on", "slow", "off"]
TIMERS: tuple[Timers, ...] = get_args(Timers)

#: Marks a text still to be translated: ``koers new --translate`` writes it
#: before every text of the original, and the validator warns (K224) while one is left.
TRANSLATE = "[translate]"

#: A canonical UUID, as ids of playthroughs and players are written; \A and \Z, not ^ and $,
#: which let a final newline through (msgspec and re.search read the pattern the same way).
UUID_PATTERN = r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
UUID = re.compile(UUID_PATTERN)
