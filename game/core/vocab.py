"""The words the engine and its files share: languages, ratings, timer settings."""

#: The languages of the interface, and the languages a scenario may be written in.
LANGUAGES = ("nl", "en")

#: How an ending rates the way the player handled it.
RATINGS = ("strong", "mixed", "weak")

#: How timed decisions run: as written, at double time, or not at all.
TIMERS = ("on", "slow", "off")
