"""The parts of a scenario file, declared once: each part's fields, the kind of
value each field takes, and in one line what it is for.

The loader (game/authoring/loader.py) reads a file along these parts, and
`koers schema` (game/authoring/schema.py) writes them as a JSON Schema whose
descriptions are the lines below, so an editor's hover help says what the
loader reads. What a part's fields must be together (a meter condition needs a
comparison, an id must name something declared) the loader and the validator
check in code; the parts' own lines say so. After changing a declaration, write
the committed copy again (tests/test_schema.py fails until it matches):
`koers schema --output docs/koers.schema.json`.
"""

from __future__ import annotations

from game.authoring.kinds import (
    Boolean,
    Field,
    Ident,
    Integer,
    ListOf,
    Nested,
    Numbers,
    OneOf,
    Paragraphs,
    Part,
    Text,
    Version,
)
from game.core.model import COMPARISONS, FORMAT_VERSION
from game.core.vocab import LANGUAGES, RATINGS

F = Field
TEXT, ID = Text(), Ident()
FLAGS = ListOf(Ident("a flag"), what="flag")
WHEN = Nested("condition")
NEXT = Ident("a scene or an ending")

#: What a route or a timer may change of a choice's outcome.
CHANGE = {
    "effects": F(Numbers("a meter"), "Meter changes, like {trust: 2}; where given, they replace the choice's effects."),
    "set": F(FLAGS, "Flags to set; where given, they replace the flags the choice sets."),
    "clear": F(FLAGS, "Flags to clear; where given, they replace the flags the choice clears."),
    "consequence": F(TEXT, "What the story shows right after; where given, it replaces the choice's consequence."),
    "coaching": F(TEXT, "The note for the debrief; where given, it replaces the choice's coaching."),
}

SCENARIO = Part("scenario", "the scenario", "A Koers scenario: one file per language, named <id>.<language>.yaml.", (
    "koers", "id", "title", "language", "version", "summary", "minutes", "characters", "start", "scenes", "endings"), {
    "koers": F(Version(FORMAT_VERSION), "The format version: 1.", "'koers' (the format version)"),
    "id": F(ID, "The scenario's id, the same in every language: saves and debriefs know the scenario by it.",
            "the scenario id"),
    "title": F(TEXT, "The title, shown in the library."),
    "language": F(OneOf(LANGUAGES), "The language this file is written in: nl or en."),
    "version": F(TEXT, "Your own version of the story, such as \"1.2\": saves record it, so that a group debrief can "
                       "tell versions apart. Raise it when you change the story."),
    "summary": F(TEXT, "A few sentences that tell a player what the scenario is about, shown in the library."),
    "minutes": F(Integer(low=1), "The estimated playing time, in whole minutes."),
    "characters": F(ListOf(Nested("character")), "The people in the story; every scene's speaker is one of them."),
    "start": F(Ident("a scene"), "The id of the first scene."),
    "scenes": F(ListOf(Nested("scene"), empty=False), "The scenes: what the player reads and the choices they make."),
    "endings": F(ListOf(Nested("ending")), "How the story can end; a choice's next names a scene or an ending."),
    "translates": F(OneOf(LANGUAGES), "Only in a translation: the language of the original, which the validator "
                                      "compares this file with."),
    "goals": F(ListOf(TEXT), "Learning goals, shown in the library and the debrief."),
    "sources": F(ListOf(Nested("source")), "Citations; concepts name them by id."),
    "meters": F(ListOf(Nested("meter")), "What the story keeps track of in numbers: trust, ownership, pressure."),
    "flags": F(ListOf(Nested("flag")), "Yes/no facts the story remembers: choices set and clear them, conditions "
                                       "test them."),
    "concepts": F(ListOf(Nested("concept")), "What the debrief explains; choices name them by id."),
    "debrief": F(Nested("debrief"), "The questions the debrief ends with."),
})

SOURCE = Part("source", "a source", "A citation that concepts refer to.", ("id", "cite"), {
    "id": F(ID, "The source's id, for a concept's source.", "source id"),
    "cite": F(TEXT, "The citation: authors, year, title."),
})

CHARACTER = Part("character", "a character", "A person in the story, or the narrator.", ("id", "name"), {
    "id": F(ID, "The character's id, for a scene's speaker.", "character id"),
    "name": F(TEXT, "The name shown with what they say."),
    "role": F(TEXT, "Who they are, in a few words."),
})

METER = Part("meter", "a meter", "A number the story keeps track of; effects change it, within its range.", (
    "id", "label", "min", "max", "start"), {
    "id": F(ID, "The meter's id, for effects and conditions.", "meter id"),
    "label": F(TEXT, "Its name, shown during play (if shown) and in the debrief."),
    "min": F(Integer(), "The lowest value: an effect that would go below it stops there."),
    "max": F(Integer(), "The highest value: an effect that would go above it stops there."),
    "start": F(Integer(), "The value the story starts with."),
    "shown": F(Boolean(), "true (the default) keeps it on screen during play; false keeps it for the debrief. "
                          "Show at most one."),
})

FLAG = Part("flag", "a flag", "A yes/no fact the story remembers; every flag starts unset.", ("id",), {
    "id": F(ID, "The flag's id, for set, clear and conditions.", "flag id"),
    "about": F(TEXT, "What it means when the flag is set, for whoever edits the scenario next."),
})

SCENE = Part("scene", "a scene", "One moment of the story: who speaks, what the player reads, and the choices.", (
    "id", "speaker", "text", "choices"), {
    "id": F(ID, "The scene's id; scenes and endings share one namespace.", "scene id"),
    "title": F(TEXT, "A short title for the debriefs and the facilitator view; without one they use the opening "
                     "of the text."),
    "speaker": F(Ident("a character"), "The character who speaks (or narrates) the scene."),
    "text": F(Paragraphs("paragraph"), "What the player reads: text, or a list of paragraphs of which some may have "
                                       "a condition."),
    "choices": F(ListOf(Nested("choice")), "One to nine choices; a scene with one choice is a \"continue\"."),
    "variants": F(ListOf(Nested("variant")), "Texts that replace text: the first whose condition holds is shown."),
    "timer": F(Nested("timer"), "Makes the decision timed: the seconds, and the choice taken when they run out."),
})

TIMER = Part("timer", "a timer", "A timed decision: the countdown, the choice taken when it runs out, and, where "
                                 "running out plays out otherwise than picking that choice, what it changes.", (
    "seconds", "timeout"), {
    "seconds": F(Integer(1, 3600), "The seconds the player has: the words on screen at 200 a minute, plus ten."),
    "timeout": F(Ident("a choice of this scene"), "The choice taken when the time runs out."),
    **CHANGE,
})

VARIANT = Part("variant", "a variant", "A text that replaces the scene's (or ending's) text while its condition "
                                       "holds.", ("when", "text"), {
    "when": F(WHEN, "When this text is shown instead."),
    "text": F(Paragraphs("paragraph"), "The text shown instead: text, or a list of paragraphs."),
})

PARAGRAPH = Part("paragraph", "a paragraph with a condition", "A paragraph shown only while its condition holds "
                                                              "(and else, if given, while it does not).", (
    "when", "text"), {
    "when": F(WHEN, "When the text is shown."),
    "text": F(TEXT, "Shown when the condition holds."),
    "else": F(TEXT, "Shown when it does not."),
})

CHOICE = Part("choice", "a choice", "An option the player can pick, and what it leads to.", ("id", "text", "next"), {
    "id": F(ID, "A stable id, unique in its scene: saves and the group debrief match choices by it, so keep it the "
                "same between versions and languages.", "choice id"),
    "text": F(TEXT, "What the player picks, on one line."),
    "next": F(NEXT, "Where the choice leads: a scene or an ending."),
    "when": F(WHEN, "The choice is offered only while this condition holds."),
    "routes": F(ListOf(Nested("route")), "Other outcomes of the same choice: the first route whose condition holds "
                                         "changes the parts it gives."),
    "effects": F(Numbers("a meter"), "Meter changes, like {trust: 2, pressure: -1}; meters stay within their range."),
    "set": F(FLAGS, "Flags this choice sets."),
    "clear": F(FLAGS, "Flags this choice clears."),
    "consequence": F(TEXT, "What the story shows right after the choice."),
    "coaching": F(TEXT, "A note for the debrief on what this choice tends to do; never shown during play."),
    "concepts": F(ListOf(Ident("a concept")), "The concepts this choice exercises."),
    "recommended": F(Boolean(), "false marks an option a trainer would not recommend; then give a rationale."),
    "rationale": F(TEXT, "Why a capable leader might pick it anyway."),
})

ROUTE = Part("route", "a route", "Another outcome of the same choice while its condition holds: it changes the parts "
                                 "it gives (at least one) and the choice keeps the rest. Routes are checked in order, "
                                 "before the choice's own effects.", ("when",), {
    "when": F(WHEN, "When this route applies."),
    "next": F(NEXT, "Where the choice leads instead."),
    **CHANGE,
})

CONDITION = Part("condition", "a condition", "A condition: all of its parts must hold. It needs at least one "
                                                  "part; meter goes with at_least, at_most, above or below, and they "
                                                  "with meter (checked by koers validate).", (), {
    "flag": F(Ident("a flag"), "Holds when this flag is set."),
    "not_flag": F(Ident("a flag"), "Holds when this flag is not set."),
    "meter": F(Ident("a meter"), "The meter to compare, with at_least, at_most, above or below."),
    **{op: F(Integer(), f"Holds when the meter is {op.replace('_', ' ')} this number.") for op in COMPARISONS},
    "any": F(ListOf(WHEN), "Holds when at least one of these conditions holds."),
    "all": F(ListOf(WHEN), "Holds when every one of these conditions holds (for two meters in one condition)."),
    "not": F(WHEN, "Holds when this condition does not."),
})

ENDING = Part("ending", "an ending", "How the story can end.", ("id", "title", "text"), {
    "id": F(ID, "The ending's id, for a choice's next; scenes and endings share one namespace.", "ending id"),
    "title": F(TEXT, "The ending's title."),
    "text": F(Paragraphs("paragraph"), "What the player reads at the end: text, or a list of paragraphs."),
    "rating": F(OneOf(RATINGS), "How the ending rates the way the player handled it: strong, mixed or weak."),
    "variants": F(ListOf(Nested("variant")), "Texts that replace text, so that the ending can say what became of "
                                             "the people: the first whose condition holds is shown."),
})

CONCEPT = Part("concept", "a concept", "What the debrief explains: the effective behaviour, how it sounds, why it "
                                       "works and where it comes from.", ("id", "name", "what", "how", "why"), {
    "id": F(ID, "The concept's id, for a choice's concepts.", "concept id"),
    "name": F(TEXT, "Its name, shown in the debrief."),
    "what": F(TEXT, "The effective behaviour, in a sentence."),
    "how": F(TEXT, "How it sounds in actual words: a quote."),
    "why": F(TEXT, "Why it works."),
    "source": F(Ident("a source"), "The source it comes from."),
})

DEBRIEF = Part("debrief", "the debrief", "The questions the debrief ends with.", (), {
    "reflection": F(ListOf(TEXT), "Questions that make players think about their own work."),
    "transfer": F(TEXT, "One question: what will you do differently tomorrow?"),
})

#: Every part by name; a Nested or Paragraphs kind names one.
PARTS = {part.name: part for part in (SCENARIO, SOURCE, CHARACTER, METER, FLAG, SCENE, TIMER, VARIANT, PARAGRAPH,
                                      CHOICE, ROUTE, CONDITION, ENDING, CONCEPT, DEBRIEF)}
