"""The engine's facts in the player's words: the notes about a resumed
playthrough, the reasons a save could not be written, and the caveats and
questions of a group debrief."""

from __future__ import annotations

from game.debrief.report import Answer, Caveat
from game.play.session import Note
from game.render.i18n import tr
from game.saves.store import NotSaved


def note(lang: str, fact: Note) -> str:
    f = fact.facts
    if fact.kind == "language":
        return tr(lang, "note.language", before=f["before"], now=f["now"])
    if "scene" in f or "ending" in f:
        place = tr(lang, "note.at_scene", id=f["scene"]) if "scene" in f else tr(lang, "note.at_ending", id=f["ending"])
    if fact.kind == "ending_moved":
        return tr(lang, "note.ending_moved", was=f["was"], place=place)
    since = tr(lang, "note.since_version" if f.get("before") != f.get("now") else "note.since_edit",
               before=f.get("before"), now=f.get("now"))
    if fact.kind == "changed":
        return tr(lang, "note.changed", since=since)
    causes = {"changed": since, "language": tr(lang, "note.other_language", language=f.get("language")),
              "misfit": tr(lang, "note.misfit")}
    return tr(lang, "note.stopped", cause=causes[str(f["cause"])], place=place, kept=f["kept"], total=f["total"])


def not_saved(lang: str, exc: NotSaved) -> str:
    """The sentence that tells a player their playthrough is not being saved."""
    known = ("permission", "full", "not_a_folder", "too_large")
    reason = tr(lang, f"save.{exc.kind}") if exc.kind in known else exc.detail
    return tr(lang, "save.not_saved", folder=exc.folder, reason=reason)


def caveat(lang: str, c: Caveat) -> str:
    return tr(lang, c.key, **c.values)


def question(lang: str, a: Answer) -> str:
    """A reflection question of a group debrief, or its number when the file no longer has it."""
    return a.question if a.question is not None else tr(lang, "group.question", n=a.number)
