"""Every interface string exists in Dutch and English, and every key the code uses exists."""

import re
from datetime import datetime, timedelta
from pathlib import Path

from game.render.i18n import STRINGS, decimal, default_language, moment, tr
from game.core.vocab import LANGUAGES

GAME = Path(__file__).resolve().parent.parent / "game"
# Keys appear in code as tr(lang, "key"...), t("key"...) or self.app.tr("key"...);
# keys built at run time are listed in DYNAMIC with every value they can take.
USED = re.compile(r"""\btr?\((?:[\w.]+,\s*)?["']([a-z_]+\.[a-z_]+)["']""")
DYNAMIC = {f"rating.{r}" for r in ("strong", "mixed", "weak")} | {f"timers.{t}" for t in ("on", "slow", "off")}
# Worded by render.wording.not_saved, for each kind of game.saves.store.NotSaved.
# The CSV's column and table names, by the names group_export gives them.
from game.render.group_csv import COUNT_COLUMNS, CSV_COLUMNS  # noqa: E402

DYNAMIC |= {f"csv.{c}" for c in (*CSV_COLUMNS, *COUNT_COLUMNS)}
DYNAMIC |= {f"csv.table_{t}" for t in ("playthroughs", "finished", "ending", "reached", "choice", "timed_out")}
# Singular forms the library picks with _counted.
DYNAMIC |= {"library.broken_item_one", "library.bad_saves_item_one"}
DYNAMIC |= {"save.not_saved"} | {f"save.{k}" for k in ("permission", "full", "not_a_folder", "too_large")}


def keys_in_code() -> set[str]:
    return {key for path in GAME.rglob("*.py") for key in USED.findall(path.read_text(encoding="utf-8"))}


def test_both_languages_have_the_same_keys():
    assert set(STRINGS) == set(LANGUAGES)
    assert set(STRINGS["nl"]) == set(STRINGS["en"])


def test_every_key_the_code_uses_exists():
    used = keys_in_code() | DYNAMIC
    assert len(used) > 40  # the pattern really finds the keys
    assert used - set(STRINGS["en"]) == set()


def test_every_key_is_used():
    # Some keys sit in tables (the help screen's) rather than in a call.
    literal = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")
    code = [path.read_text(encoding="utf-8") for path in GAME.rglob("*.py") if path.name != "i18n.py"]
    code.append((GAME / "render" / "i18n.py").read_text(encoding="utf-8").split("\n}\n", 1)[1])  # i18n's own code, after the table
    mentioned = {key for text in code for key in literal.findall(text)}
    assert set(STRINGS["en"]) - mentioned - DYNAMIC == set()


def test_placeholders_match_between_languages():
    field = re.compile(r"\{(\w+)")
    for key, english in STRINGS["en"].items():
        assert set(field.findall(english)) == set(field.findall(STRINGS["nl"][key])), key


def test_lookup_and_default_language():
    assert tr("nl", "debrief.decision", n=2) == "Beslissing 2"
    assert tr("xx", "debrief.decision", n=2) == "Decision 2"
    assert default_language({"LANG": "nl_BE.UTF-8"}) == "nl"
    assert default_language({"LANG": "fr_FR.UTF-8"}) == "en"
    assert default_language({}) == "en"


def test_a_decimal_is_written_as_the_language_writes_it():
    assert [decimal("en", 12.25), decimal("nl", 12.25), decimal("nl", -0.5), decimal("de", 3.0)] == ["12.2", "12,2", "-0,5", "3.0"]


def test_a_moment_is_said_as_a_person_says_it():
    now = datetime(2026, 12, 2, 15, 0).astimezone()
    assert moment("en", now.replace(hour=9, minute=5), now) == "today at 09:05"
    assert moment("nl", now.replace(hour=9, minute=5), now) == "vandaag om 09.05"
    assert moment("nl", now - timedelta(days=1), now) == "gisteren om 15.00"
    assert moment("en", now.replace(day=3, month=11), now) == "3 Nov at 15:00"
    assert moment("nl", now.replace(year=2025, month=5), now) == "2 mei 2025 om 15.00"
