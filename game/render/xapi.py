"""Learning records: every decision of a playthrough as an xAPI 1.0.3 statement.

Per playthrough, an ``initialized`` statement, one ``answered`` statement per
decision (the scene as a ``cmi.interaction`` of type ``choice``, with every
choice's words in each language whose scenario file is at hand), a
``completed`` one with the ending and its rating once it has ended and, when
asked for, one ``answered`` statement per shared reflection. The statements
are plain JSON values, the exact dicts that are written to a file or sent to
a Learning Record Store; the statements about one activity share its dict
(a room's hundred thousand statements would hold it a hundred thousand times
otherwise), so treat them as read-only. docs/xapi.md describes every field.

Statement ids are name-based UUIDs (uuid5) of the playthrough and the step,
so that writing or sending the same playthrough again gives the same ids and
an LRS stores each decision once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs
import msgspec

from game.authoring.library import Library
from game.core import model as m
from game.core.diagnostics import Diagnostic
from game.core.text import excerpt, flat
from game.debrief.collect import Collected
from game.debrief.group import not_found
from game.saves.playthrough import Playthrough

Statement = dict[str, Any]

#: The base of every id Koers makes when the trainer names none: a URN, which
#: needs no domain. Activity ids (scenarios, scenes, questions, sessions) are
#: made under the base given; the extensions always live under this one.
DEFAULT_BASE = "urn:koers:"
EXTENSION = DEFAULT_BASE + "extensions/"
ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_TYPE = "http://adlnet.gov/expapi/activities/"
VERBS = {
    "initialized": {"en": "initialized", "nl": "begon"},
    "answered": {"en": "answered", "nl": "beantwoordde"},
    "completed": {"en": "completed", "nl": "voltooide"},
}
_IDS = uuid.uuid5(uuid.NAMESPACE_URL, DEFAULT_BASE + "statements")  # the namespace of every statement id
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")


def base_iri(text: str) -> str:
    """``text`` as a base for ids: an absolute IRI, ending in '/', ':' or '#'
    (a '/' is added to one that does not); ValueError for anything else."""
    if not _IRI.match(text):
        raise ValueError(f"'{text}' is not an absolute IRI such as https://academy.example.org/koers/ or {DEFAULT_BASE}")
    return text if text[-1] in "/:#" else text + "/"


@attrs.frozen
class Options:
    """How statements are made: the base of their ids, who the actor is, and what they hold."""

    base: str = DEFAULT_BASE
    names: bool = False  # the pseudonym as the account name; otherwise a salted hash of it
    salt: bytes = attrs.field(default=b"", repr=False)  # the secret of that hash (see docs/xapi.md)
    reflections: bool = False  # also the reflections the player shared

    def __attrs_post_init__(self) -> None:
        if not self.names and len(self.salt) < 16:
            raise ValueError("pseudonymous actors need a salt of at least 16 bytes")


def duration(ms: int) -> str:
    """An ISO 8601 duration to the hundredth of a second (xAPI §4.6): ``PT12.5S``, ``PT1M3S``."""
    hours, rest = divmod(max(0, ms) // 10, 360_000)
    minutes, cs = divmod(rest, 6_000)
    seconds = f"{cs // 100}" + (f".{cs % 100:02d}".rstrip("0") if cs % 100 else "")
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return out + (f"{seconds}S" if cs or out == "PT" else "")


def timestamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement_id(playthrough: str, *step: object) -> str:
    return str(uuid.uuid5(_IDS, " ".join(map(str, (playthrough, *step)))))


class Unfit(Exception):
    """A playthrough whose decisions the scenario files at hand do not hold."""


def _iri(base: str, *segments: str) -> str:
    return base + "/".join(quote(s, safe="") for s in segments)


class _Activities:
    """The activities of one scenario as statements name them (the scenario,
    its scenes, its questions), in the words of each of its files at hand:
    each made once and shared by every statement about it."""

    def __init__(self, sid: str, files: Iterable[m.Scenario], base: str) -> None:
        self.sid, self.base = sid, base
        self.files = sorted(files, key=lambda s: s.language)  # the same words whichever language was played
        definition = {"type": ADL_TYPE + "simulation", "name": self.map(lambda s: flat(s.title))}
        self.scenario = {"objectType": "Activity", "id": _iri(base, "scenarios", sid), "definition": _without_empty(definition)}
        self._scenes: dict[str, Statement] = {}
        self._questions: dict[int, Statement | None] = {}

    def map(self, text_of: Callable[[m.Scenario], str | None]) -> dict[str, str]:
        """``{language: text}`` for every file in which ``text_of(scenario)`` is a text (None: not there)."""
        return {s.language: text for s in self.files if (text := text_of(s))}

    def scene(self, scene: m.Scene) -> Statement:
        """A decision: a cmi.interaction of type choice, with every choice's words."""
        if scene.id not in self._scenes:
            def name(s: m.Scenario) -> str | None:
                there = s.scenes.get(scene.id)
                return (flat(there.title) or excerpt(there.text.common, 50)) if there else None

            def words(choice_id: str) -> Callable[[m.Scenario], str | None]:
                def text(s: m.Scenario) -> str | None:
                    there = s.scenes.get(scene.id)
                    found = there.choice(choice_id) if there else None
                    return flat(found.text) if found else None
                return text

            # No correctResponsesPattern, on purpose: an empty one would mean that every answer is wrong.
            definition = {
                "type": ADL_TYPE + "cmi.interaction",
                "name": self.map(name),
                "interactionType": "choice",
                "choices": [_without_empty({"id": c.id, "description": self.map(words(c.id))}) for c in scene.choices],
            }
            self._scenes[scene.id] = {"objectType": "Activity", "id": _iri(self.base, "scenarios", self.sid, "scenes", scene.id),
                                      "definition": _without_empty(definition)}
        return self._scenes[scene.id]

    def question(self, index: int) -> Statement | None:
        """Reflection question ``index`` (from 0); None when no file asks it."""
        if index not in self._questions:
            name = self.map(lambda s: flat(s.debrief.reflection[index]) if index < len(s.debrief.reflection) else None)
            definition = {"type": ADL_TYPE + "cmi.interaction", "name": name, "interactionType": "long-fill-in"}
            self._questions[index] = {"objectType": "Activity", "definition": definition,
                                      "id": _iri(self.base, "scenarios", self.sid, "reflections", str(index + 1))} if name else None
        return self._questions[index]


class _Maker:
    """The statements of one playthrough."""

    def __init__(self, p: Playthrough, played: m.Scenario, activities: _Activities, options: Options) -> None:
        self.p, self.played, self.activities, self.options = p, played, activities, options
        self.actor = self._actor()
        self.grouping = [] if p.session is None else [{
            "objectType": "Activity", "id": _iri(options.base, "sessions", p.session),
            "definition": {"type": ADL_TYPE + "meeting"}}]

    def _actor(self) -> Statement:
        p, base = self.p, self.options.base
        home = _iri(base, "sessions", p.session) if p.session is not None else _iri(base, "players")
        if self.options.names:
            return {"objectType": "Agent", "name": p.player or "-", "account": {"homePage": home, "name": p.player or "-"}}
        # In a room, two players may type one pseudonym: their player ids tell them apart.
        who = p.player if p.player_id is None else f"id:{p.player_id}"
        secret = hmac.new(self.options.salt, f"{p.session or ''}\n{who}".encode(), hashlib.sha256)
        return {"objectType": "Agent", "account": {"homePage": home, "name": secret.hexdigest()[:32]}}

    def statement(self, key: Sequence[object], verb: str, obj: Statement, when: datetime | None,
                  result: Statement | None = None, parent: bool = True) -> Statement:
        """One statement; ``when`` None stands for a time the save did not record: then the save's own."""
        p = self.p
        extensions: Statement = {EXTENSION + "timers": p.settings.timers}
        if when is None:
            extensions[EXTENSION + "time-of-save"] = True
        if p.replay_of is not None:
            extensions[EXTENSION + "replay-of"] = {"registration": p.replay_of.playthrough,
                                                   "decision": p.replay_of.step + 1}
        activities: Statement = {}
        if parent:
            activities["parent"] = [self.activities.scenario]
        if self.grouping:
            activities["grouping"] = self.grouping
        context: Statement = {"registration": p.id, "revision": p.scenario.version, "platform": "Koers",
                              "language": p.scenario.language, "contextActivities": activities,
                              "extensions": extensions}
        out: Statement = {"id": statement_id(p.id, *key), "actor": self.actor,
                          "verb": {"id": ADL_VERB + verb, "display": VERBS[verb]}, "object": obj}
        if result is not None:
            out["result"] = result
        out["context"] = _without_empty(context)
        out["timestamp"] = timestamp(when or p.updated)
        return out

    def decisions(self) -> list[Statement]:
        p, played = self.p, self.played
        out = []
        before = {k: meter.start for k, meter in played.meters.items()}
        for index, step in enumerate(p.steps):
            scene = played.scenes.get(step.scene)
            if scene is None or scene.choice(step.choice) is None:
                raise Unfit(f"decision {index + 1} (scene '{step.scene}', choice '{step.choice}') is not in "
                            f"{played.key} version {played.version}")
            changes = {k: v - before[k] for k, v in step.meters.items() if k in before and v != before[k]}
            before = dict(step.meters)
            if not scene.is_decision or (p.replay_of is not None and index < p.replay_of.step):
                continue  # a "continue", or a decision the replayed playthrough took, not this one
            out.append(self.statement(("step", index, step.scene, step.choice), "answered",
                                      self.activities.scene(scene), step.at, {
                "response": step.choice,
                "duration": duration(step.ms),
                "extensions": {EXTENSION + "timed-out": step.timed_out, EXTENSION + "meters": dict(step.meters),
                               EXTENSION + "meter-changes": changes},
            }))
        return out

    def completed(self) -> Statement | None:
        p, played = self.p, self.played
        if p.ending is None:
            return None
        ending = played.endings.get(p.ending)
        if ending is None:
            raise Unfit(f"its ending '{p.ending}' is not in {played.key} version {played.version}")
        extensions: Statement = {EXTENSION + "ending": ending.id}
        title = self.activities.map(lambda s: flat(e.title) if (e := s.endings.get(ending.id)) else None)
        if title:
            extensions[EXTENSION + "ending-title"] = title
        if ending.rating:
            extensions[EXTENSION + "rating"] = ending.rating
        result = {"completion": True, "duration": duration(sum(s.ms for s in p.steps)), "extensions": extensions}
        return self.statement(("completed", ending.id), "completed", self.activities.scenario,
                              p.steps[-1].at if p.steps else p.started, result, parent=False)

    def reflections(self) -> list[Statement]:
        out = []
        for index, reflection in sorted(self.p.reflections.items()):
            answer = reflection.answer.strip()
            question = self.activities.question(index) if reflection.shared and answer else None
            if question is not None:  # shared, answered, and a question the scenario still asks
                out.append(self.statement(("reflection", index, answer), "answered", question, None,
                                          {"response": answer}))
        return out


def _without_empty(value: Statement) -> Statement:
    """xAPI allows no empty value outside extensions: a text missing in every file is left out."""
    return {k: v for k, v in value.items() if v not in ({}, [], "", None)}


def playthrough_statements(p: Playthrough, played: m.Scenario, others: Iterable[m.Scenario] = (),
                           options: Options = Options(names=True)) -> list[Statement]:
    """The statements of one playthrough, with the words of ``played`` (the
    file in its language) and of ``others`` (its translations, where they have
    the same ids). Unfit when a decision or the ending is not in ``played``."""
    files = {s.language: s for s in [*others, played]}.values()
    return _statements(p, played, _Activities(p.scenario.id, files, options.base), options)


def _statements(p: Playthrough, played: m.Scenario, activities: _Activities, options: Options) -> list[Statement]:
    make = _Maker(p, played, activities, options)
    out = [make.statement(("initialized",), "initialized", activities.scenario, p.started, parent=False),
           *make.decisions()]
    completed = make.completed()
    if completed is not None:
        out.append(completed)
    if options.reflections:
        out += make.reflections()
    return out


def room_statements(collected: Collected, library: Library, options: Options) -> tuple[list[Statement], list[Diagnostic]]:
    """The statements of every playthrough collected, in the order they
    started, and a diagnostic for each playthrough left out and why."""
    out: list[Statement] = []
    skipped = list(collected.skipped)
    scenarios: dict[str, tuple[Mapping[str, m.Scenario], _Activities]] = {}
    for p in collected.played:
        path = collected.paths.get(p.id, f"{p.id}.json")
        sid = p.scenario.id
        if sid not in scenarios:
            files = library.languages(sid)
            scenarios[sid] = files, _Activities(sid, files.values(), options.base)
        files, activities = scenarios[sid]
        if not files:
            skipped.append(not_found(path, sid))
            continue
        try:
            out += _statements(p, files.get(p.scenario.language) or next(iter(files.values())), activities, options)
        except Unfit as exc:
            skipped.append(Diagnostic(path, 1, 1, "X001", f"{exc}, so this playthrough's statements are left out; "
                                                          "name the folder of the scenario it was played on with --scenarios DIR"))
    return out, sorted(skipped)


def to_json(statements: list[Statement]) -> str:
    """The statements as a file holds them: one JSON array, indented (by
    msgspec, in C: the standard library indents in Python, 15 times slower)."""
    return (msgspec.json.format(msgspec.json.encode(statements), indent=2) + b"\n").decode("utf-8")


def own_record(p: Playthrough, scenario: m.Scenario, folders: Iterable[Path]) -> str:
    """A player's own statements, for the file their debrief exports: with
    their pseudonym (the file is theirs) and the reflections they shared, in
    the words of ``scenario`` and of its translations in ``folders`` or beside
    it. Unfit when the playthrough does not fit ``scenario``."""
    from game.authoring.cache import Cache, default_folder

    beside = [Path(scenario.path).parent] if scenario.path else []
    library = Library(dict.fromkeys([*folders, *beside]), Cache(default_folder()))
    others = library.languages(scenario.id).values()
    return to_json(playthrough_statements(p, scenario, others, Options(names=True, reflections=True)))
