"""A Twine story (as game/authoring/twee.py reads it) made a Koers scenario.

- Every story passage becomes a scene, or an ending when it has no link Koers
  converts; ``[[...]]`` links become its choices, at most nine.
- ``start`` is StoryData's start, else the passage named Start, else the first one.
- A change that always happens on entering a passage (``<<set $x += 2>>`` or
  ``(set: $x to it + 2)`` outside any condition) becomes an effect of every
  choice that leads there: in Twine it happens on arriving, whichever link the
  player took. A SugarCube setter (``[[words|passage][$x += 1]]``) is an effect
  of its own choice. A number set in StoryInit, a startup or init passage, or the
  first passage is where the meter starts; true and false set and clear flags.
- Ids come from names: lower case, a slug, unique.

The scenario goes through the loader and the validator before anyone sees it;
their errors, if any, are given at the passage they concern.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import attrs
import yaml

from game.authoring.explore import typical
from game.authoring.loader import loads
from game.authoring.teaching import READING_SPEED
from game.authoring.twee import MAX_PASSAGES, Passage, Story
from game.authoring.twee_text import Assign, Findings, Link, quoted
from game.authoring.validator import MAX_CHOICES, Checked, check
from game.core import model as m
from game.core.diagnostics import Diagnostic, ScenarioError, Severity

ID_LENGTH = 40
LIMIT = 10**9 - 1  # a scenario's numbers have at most nine digits
RATING_TAGS = ("strong", "mixed", "weak")
WORDS = {
    "en": {"narrator": "Narrator", "role": "the story", "summary": "Imported from the Twine story “{}”."},
    "nl": {"narrator": "Verteller", "role": "het verhaal", "summary": "Geïmporteerd uit het Twine-verhaal “{}”."},
}
HEADER = """\
# Imported from Twine by `koers import twee`. Still to write: a rating for each ending,
# concepts and coaching notes for the decisions, a summary, goals and the debrief
# (docs/scenario-format.md); `koers validate` lists what is missing.
"""


@attrs.frozen
class Imported:
    text: str  # the scenario as YAML
    checked: Checked  # that text, loaded and validated: no errors


def convert(story: Story, language: str, findings: Findings, name: str = "<scenario>") -> Imported:
    """The scenario ``story`` makes; what is not converted goes to ``findings``.
    ScenarioError for a link to no passage (T005), or a scenario with errors."""
    head, body, places = _Converter(story, findings).scenario(language, PurePath(story.path).stem)
    before, after = HEADER + _yaml(head), _yaml(body)
    checked = _loaded(f"{before}minutes: 1\n{after}", name, places, story.path)
    assert checked.scenario is not None
    # The playing time of a typical path (the median of 50 seeded random ones, enough for an
    # estimate): nothing the validator reads, so the check stands.
    t = typical(checked.scenario, 50)
    minutes = max(1, math.ceil(t.words / READING_SPEED + t.decisions / 4))
    scenario = attrs.evolve(checked.scenario, minutes=minutes)
    return Imported(f"{before}minutes: {minutes}\n{after}", attrs.evolve(checked, scenario=scenario))


def slug(name: str, fallback: str, keep: str = "") -> str:
    """``name`` as an id: ASCII lower case, runs of anything else one '-'."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    out = re.sub(f"[^a-z0-9{keep}]+", "-", ascii_).strip("-_")[:ID_LENGTH].rstrip("-_")
    return out or fallback


def unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


class _Converter:
    def __init__(self, story: Story, findings: Findings) -> None:
        self.story, self.findings = story, findings
        self.passages = [p for p in story.passages if not p.special and not p.init]
        for p in story.passages:
            if p.special:
                self.findings.add(p.at, "T008", f"passage '{quoted(p.name)}' belongs to the story format, not the story; not converted")
        if not self.passages:
            raise ScenarioError([Diagnostic(story.path, 1, 1, "T004", "no story passages: only StoryTitle, StoryData and the story format's own")])
        self.by_name = {p.name: p for p in self.passages}
        taken: set[str] = set()
        self.ids = {p.name: unique(slug(p.name, "passage"), taken) for p in self.passages}
        self.budget = MAX_PASSAGES * 100  # names compared for "did you mean"
        self.start = self.starting()
        if not self.start.links:
            raise ScenarioError([Diagnostic(story.path, self.start.at.line, self.start.at.col, "T004",
                                            f"the first passage, '{quoted(self.start.name)}', has no link, so the story ends where it starts; a scenario needs a scene with choices")])
        self.targets()
        self.linked = {link.target for p in self.passages for link in p.links}
        self.meters: dict[str, str] = {}  # variable -> meter id
        self.flags: dict[str, str] = {}  # variable -> flag id
        self.kind_at: dict[str, m.Pos] = {}
        self.starts: dict[str, int] = {}
        self.ups: dict[str, int] = {}  # meter -> the most all paths can add...
        self.downs: dict[str, int] = {}  # ...and take away
        self.entry: dict[str, tuple[dict[str, int], dict[str, bool]]] = {}
        for p in [*(p for p in story.passages if p.init), *self.passages]:
            self.entry[p.name] = self.changes(p.assigns, p)

    def starting(self) -> Passage:
        s = self.story
        if s.start is not None:
            if s.start not in self.by_name:
                raise ScenarioError([Diagnostic(s.path, s.start_at.line, s.start_at.col, "T005",
                                                f"StoryData's start '{quoted(s.start)}' is no story passage{self.suggest(s.start)}")])
            return self.by_name[s.start]
        if "Start" in self.by_name:
            return self.by_name["Start"]
        first = self.passages[0]
        self.findings.add(first.at, "T008", f"StoryData names no start and no passage is called Start: the first passage, '{quoted(first.name)}', starts the scenario")
        return first

    def suggest(self, name: str) -> str:
        self.budget -= len(self.by_name)  # each look-up reads every name: a hostile file asks often
        close = difflib.get_close_matches(name, list(self.by_name), n=1) if self.budget > 0 else []
        return f"; did you mean '{quoted(close[0])}'?" if close else ""

    def targets(self) -> None:
        errors = Findings(self.story.path)
        names = {p.name for p in self.story.passages}
        for p in self.passages:
            for link in p.links:
                if link.target not in self.by_name:
                    what = "a passage of the story format, not of the story" if link.target in names else "no passage"
                    errors.add(link.at, "T005", f"the link to '{quoted(link.target)}' leads to {what}{self.suggest(link.target)}")
        if errors.kept:
            raise errors.fail()

    def variable(self, a: Assign) -> str | None:
        """The id of the meter or flag that ``a`` changes; None when it is the other kind elsewhere."""
        mine, other = (self.flags, self.meters) if a.kind == "flag" else (self.meters, self.flags)
        if a.var in other:
            kind = "flag" if a.kind != "flag" else "meter"
            self.findings.add(a.at, "T008", f"{a.source} is not converted: ${a.var} is a {kind} elsewhere (line {self.kind_at[a.var].line})")
            return None
        if a.var not in mine:
            mine[a.var] = unique(slug(a.var, "flag" if a.kind == "flag" else "meter", keep="_"), set(mine.values()))
            self.kind_at[a.var] = a.at
        return mine[a.var]

    def changes(self, assigns: Iterable[Assign], passage: Passage | None) -> tuple[dict[str, int], dict[str, bool]]:
        """The effects and flags of the changes on entering ``passage``, or of a setter
        link (None). In an init passage or the first one they also say where a meter starts."""
        effects: dict[str, int] = {}
        flags: dict[str, bool] = {}
        init = passage is not None and passage.init
        first = init or passage is self.start
        for a in assigns:
            key = self.variable(a)
            if key is None:
                continue
            if a.kind == "flag":
                if a.value and first:
                    back = "" if init else " for the start (the choices that lead back here do set it)"
                    self.findings.add(a.at, "T008", f"{a.source} is not converted{back}: a Koers flag starts unset")
                if not init:
                    flags[key] = bool(a.value)
                continue
            value = int(a.value)
            if a.kind == "number":
                if not first:
                    self.findings.add(a.at, "T008", f"{a.source} is not converted: it sets ${a.var} to a number, and a Koers meter changes by steps")
                    continue
                self.starts[key] = value
                if not init and self.start.name in self.linked:
                    self.findings.add(a.at, "T008", f"{a.source} is where the meter starts; a link back to this passage does not set it again")
                continue
            if first:
                self.starts[key] = self.starts.get(key, 0) + value
            if not init:
                effects[key] = effects.get(key, 0) + value
                bound = self.ups if value > 0 else self.downs
                bound[key] = bound.get(key, 0) + abs(value)
        return effects, flags

    def choice(self, link: Link, taken: set[str]) -> dict[str, Any]:
        target = self.ids[link.target]
        effects, flags = self.changes(link.assigns, None)
        entry_effects, entry_flags = self.entry[link.target]
        for key, delta in entry_effects.items():
            effects[key] = effects.get(key, 0) + delta
        flags.update(entry_flags)
        out: dict[str, Any] = {"id": unique(target, taken), "text": link.text, "next": target}
        if any(effects.values()):
            out["effects"] = _Flow({k: v for k, v in effects.items() if v})
        for field, value in (("set", True), ("clear", False)):
            if chosen := [k for k, v in flags.items() if v is value]:
                out[field] = _FlowList(chosen)
        return out

    def scenario(self, language: str, stem: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, m.Pos]]:
        """The scenario as YAML data, its fields before ``minutes`` and those after, and
        where in the Twee file each scene and ending comes from."""
        words = WORDS[language]
        title = self.story.title or stem
        scenes, endings = [], []
        for p in self.passages:
            text = p.text
            if not text:
                self.findings.add(p.at, "T008", f"passage '{quoted(p.name)}' has no text of its own once links and macros are left out; its name stands in")
                text = p.name
            place: dict[str, Any] = {"id": self.ids[p.name], "title": p.name}
            if p.links:
                for link in p.links[MAX_CHOICES:]:
                    self.findings.add(link.at, "T008", f"the link to '{quoted(link.target)}' is not converted: a scene offers at most {MAX_CHOICES} choices")
                taken: set[str] = set()
                scenes.append({**place, "speaker": "narrator", "text": text,
                               "choices": [self.choice(link, taken) for link in p.links[:MAX_CHOICES]]})
            else:
                rating = next((t for t in p.tags if t in RATING_TAGS), None)
                endings.append({**place, "text": text, **({"rating": rating} if rating else {})})
        meters = []
        for key in self.meters.values():
            start = max(-LIMIT, min(LIMIT, self.starts.get(key, 0)))
            low = max(-LIMIT, start - self.downs.get(key, 0))
            high = min(LIMIT, max(start + self.ups.get(key, 0), low + 1))  # min below max, within nine digits
            meters.append({"id": key, "label": key.replace("_", " ").capitalize(), "min": min(low, high - 1),
                           "max": high, "start": start, "shown": False})
        head = {"koers": m.FORMAT_VERSION, "id": slug(title, slug(stem, "imported")), "title": title,
                "language": language, "version": "0.1", "summary": words["summary"].format(title)}
        body: dict[str, Any] = {"characters": [{"id": "narrator", "name": words["narrator"], "role": words["role"]}]}
        if meters:
            body["meters"] = meters
        if self.flags:
            body["flags"] = [{"id": key} for key in self.flags.values()]
        body.update(start=self.ids[self.start.name], scenes=scenes, endings=endings)
        return head, body, {self.ids[p.name]: p.at for p in self.passages}


# -- YAML ----------------------------------------------------------------------


class _Flow(dict[str, int]):
    """A mapping written on one line: ``effects: {trust: 2}``."""


class _FlowList(list[str]):
    """A list written on one line: ``set: [met_sanne]``."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Plain data only: no tags, and no anchors however often a value recurs."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _yaml(doc: dict[str, Any]) -> str:
    text: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return text


def _loaded(text: str, name: str, places: dict[str, m.Pos], path: str) -> Checked:
    """``text`` loaded and validated; ScenarioError with its errors, each given at
    the passage of the scene or ending it concerns."""
    try:
        scenario = loads(text.encode("utf-8"), name)
    except ScenarioError as exc:
        raise ScenarioError([_at(d, m.Pos(1, 1), path) for d in exc.diagnostics], exc.omitted) from None
    checked = check(scenario)
    if checked.errors:
        found: list[m.Scene | m.Ending] = [*scenario.scenes.values(), *scenario.endings.values()]
        marks = sorted((place.at.line, places.get(place.id, m.Pos(1, 1))) for place in found)
        lines = [line for line, _ in marks]

        def origin(d: Diagnostic) -> m.Pos:
            k = bisect.bisect_right(lines, d.line) - 1
            return marks[k][1] if k >= 0 else m.Pos(1, 1)

        raise ScenarioError([_at(d, origin(d), path) for d in checked.errors], checked.omitted)
    return checked


def _at(d: Diagnostic, at: m.Pos, path: str) -> Diagnostic:
    return Diagnostic(path, at.line, at.col, d.code, f"the converted scenario: {d.message}")


def warnings_by_rule(checked: Checked) -> dict[str, int]:
    """How many warnings of each rule the validator gives: what the author has still to write."""
    counts: dict[str, int] = {}
    for d in checked.diagnostics:
        if d.severity is Severity.WARNING:
            counts[f"{d.code} {d.rule}"] = counts.get(f"{d.code} {d.rule}", 0) + 1
    return counts
