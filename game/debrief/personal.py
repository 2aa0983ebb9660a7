"""The personal debrief: what one player chose and what they could have chosen.

Built from a Scenario and a Run (and the Playthrough, for reflections and
settings) as a plain value; the Textual screen, the plain player and the
Markdown export all read the same value. All text in it is cleaned of control
characters; emphasis marks are removed, since the export and the plain player
show text as it is.
"""

from __future__ import annotations

import textwrap

import attrs

from game.core import model as m
from game.render.i18n import decimal, tr
from game.render.markdown import escape
from game.core.run import Run
from game.saves.playthrough import Playthrough
from game.core.text import clean, excerpt, flat, paragraphs, plain


def leads(alternative: Alternative) -> str:
    """" → where it leads", or nothing when it leads where the chosen option did."""
    return f" → {alternative.leads_to}" if alternative.leads_to else ""


@attrs.frozen
class Alternative:
    text: str
    leads_to: str  # an ending's title, the start of the scene it opens, or "" for where the chosen one led
    ending: bool
    effects: tuple[tuple[str, int], ...]  # (meter label, change)
    available: bool  # whether the player could have picked it at that moment
    consequence: str = ""  # what the story would have shown
    tempts: str = ""  # for an option the scenario does not recommend: why a capable leader might pick it


@attrs.frozen
class Decision:
    step: int  # index into the run's steps: replay starts here
    scene: str
    speaker: str
    prompt: str
    chosen: str
    ms: int
    timed_out: bool
    consequence: str
    coaching: str
    effects: tuple[tuple[str, int], ...]
    alternatives: tuple[Alternative, ...]

    @property
    def chose_key(self) -> str:
        """How the debrief introduces what was taken: a timeout was not the player's choice."""
        return "debrief.ran_out" if self.timed_out else "debrief.you_chose"

    @property
    def coaching_key(self) -> str:
        return "debrief.what_it_does" if self.timed_out else "debrief.coaching"


@attrs.frozen
class ConceptNote:
    name: str
    what: str
    how: str
    why: str
    source: str


@attrs.frozen
class MeterLine:
    label: str
    min: int
    max: int
    values: tuple[int, ...]  # the start, then after every step
    decisions: tuple[int, ...] = ()  # for each value, the number of decisions taken by then
    shown: bool = True  # on screen during play; the others the player never saw


@attrs.frozen
class Question:
    question: str
    answer: str = ""
    shared: bool = False


@attrs.frozen
class PersonalDebrief:
    title: str
    player: str
    timers: str
    ending_title: str
    ending_text: str
    rating: str | None
    decisions: tuple[Decision, ...]
    concepts: tuple[ConceptNote, ...]
    meters: tuple[MeterLine, ...]
    reflections: tuple[Question, ...]
    transfer: str

    @classmethod
    def build(cls, scenario: m.Scenario, run: Run, playthrough: Playthrough | None = None) -> PersonalDebrief:
        ending = run.ending
        labels = {k: clean(v.label) for k, v in scenario.meters.items()}

        def effects(outcome: m.Outcome) -> tuple[tuple[str, int], ...]:
            return tuple((labels[e.meter], e.delta) for e in outcome.effects)

        replay = Run.start(scenario)
        decisions: list[Decision] = []
        met: list[str] = []
        for index, step in enumerate(run.steps):
            scene = scenario.scenes[step.scene]
            chosen = scene.choice(step.choice)
            offered = {c.id for c in replay.choices}
            met.extend(c for c in chosen.concepts if c not in met)
            if scene.is_decision:
                took = run.outcome(index)
                alternatives = []
                for other in scene.choices:
                    if other.id == chosen.id or other.text == chosen.text:  # the same words are the same option
                        continue
                    would = other.outcome(replay.meters, replay.flags)
                    end = scenario.endings.get(would.next)
                    if end is not None:
                        target = end.title
                    elif would.next == took.next:
                        target = ""
                    else:
                        target = excerpt(_place_text(scenario, would, replay))
                    alternatives.append(Alternative(
                        flat(other.text), clean(target), end is not None, effects(would), other.id in offered,
                        flat(would.consequence), flat(other.rationale) if other.recommended is False else "",
                    ))
                speaker = scenario.characters.get(scene.speaker)
                decisions.append(
                    Decision(
                        step=index,
                        scene=scene.id,
                        speaker=clean(speaker.name) if speaker else "",
                        prompt=excerpt(replay.text),
                        chosen=flat(chosen.text),
                        ms=step.ms,
                        timed_out=step.timed_out,
                        consequence=flat(took.consequence),
                        coaching=flat(took.coaching),
                        effects=effects(took),
                        alternatives=tuple(alternatives),
                    )
                )
            replay = replay.choose(step.choice, step.ms, step.timed_out)

        concepts = []
        for cid in met:
            c = scenario.concepts.get(cid)
            if c is None:
                continue
            source = scenario.sources.get(c.source) if c.source else None
            concepts.append(
                ConceptNote(clean(c.name), flat(c.what), flat(c.how), flat(c.why), flat(source.cite) if source else "")
            )

        taken = [0]  # decisions taken before each value
        for step in run.steps:
            taken.append(taken[-1] + scenario.scenes[step.scene].is_decision)
        meters = tuple(
            MeterLine(labels[k], meter.min, meter.max, (meter.start, *(s.meters[k] for s in run.steps)), tuple(taken),
                      meter.shown)
            for k, meter in scenario.meters.items()
        )
        answers = playthrough.reflections if playthrough is not None else {}
        reflections = tuple(
            Question(flat(q), answers[i].answer if i in answers else "", answers[i].shared if i in answers else False)
            for i, q in enumerate(scenario.debrief.reflection)
        )
        return cls(
            title=clean(scenario.title),
            player=clean(playthrough.player) if playthrough else "",
            timers=playthrough.settings.timers if playthrough else "on",
            ending_title=clean(ending.title) if ending else "",
            ending_text="\n\n".join(plain(p) for p in paragraphs(run.text)) if ending else "",
            rating=ending.rating if ending else None,
            decisions=tuple(decisions),
            concepts=tuple(concepts),
            meters=meters,
            reflections=reflections,
            transfer=flat(scenario.debrief.transfer),
        )

    def meter_groups(self) -> list[tuple[str, tuple[MeterLine, ...]]]:
        """The meters the player saw, then those the story kept without showing
        them, each under the heading (a string key) that says which they are."""
        groups = [("debrief.meters", tuple(m for m in self.meters if m.shown)),
                  ("debrief.hidden_meters", tuple(m for m in self.meters if not m.shown))]
        return [(heading, lines) for heading, lines in groups if lines]

    def to_markdown(self, lang: str = "en") -> str:
        """The debrief as a Markdown file. Every text from the scenario or the
        player is escaped (game/render/markdown.py) before it goes into Koers' own
        words, so none of it can act as markup."""
        t = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
        md = escape
        out = [f"# {t('debrief.title')}: {md(self.title)}", ""]
        if self.player:
            out += [t("debrief.player", player=md(self.player)) + "  ", t("debrief.timers", timers=t(f"timers.{self.timers}")), ""]
        out += [f"## {t('debrief.ending', title=md(self.ending_title))}", ""]
        if self.rating:
            out += [t("debrief.rating", rating=t(f"rating.{self.rating}")), ""]
        out += [line for paragraph in self.ending_text.split("\n\n") if paragraph for line in (md(paragraph), "")]
        out += [f"## {t('debrief.timeline')}", ""]
        for n, d in enumerate(self.decisions, 1):
            timing = t("debrief.time", seconds=decimal(lang, d.ms / 1000))
            if d.timed_out:
                timing += f", {t('debrief.timeout')}"
            out += [f"### {t('debrief.decision', n=n)} ({timing})", ""]
            if d.prompt:
                out += [f"> {md(d.speaker)}: {md(d.prompt)}" if d.speaker else f"> {md(d.prompt)}", ""]
            out += [f"**{t(d.chose_key)}:** {md(d.chosen + format_effects(d.effects))}", ""]
            if d.consequence:
                out += [md(d.consequence), ""]
            if d.alternatives:
                out += [f"**{t('debrief.alternatives')}:**", ""]
                for a in d.alternatives:
                    note = "" if a.available else f" ({t('debrief.not_available')})"
                    out.append(f"- {md(a.text)}{note}{md(leads(a) + format_effects(a.effects))}")
                    if a.consequence:
                        out.append(f"  - {md(a.consequence)}")
                    if a.tempts:
                        out.append(f"  - {t('debrief.tempts')}: {md(a.tempts)}")
                out.append("")
            if d.coaching:
                out += [f"**{t(d.coaching_key)}:** {md(d.coaching)}", ""]
        if self.concepts:
            out += [f"## {t('debrief.concepts')}", ""]
            for c in self.concepts:
                out += [f"### {md(c.name)}", "", f"- **{t('debrief.what')}:** {md(c.what)}",
                        f"- **{t('debrief.how')}:** {md(c.how)}", f"- **{t('debrief.why')}:** {md(c.why)}"]
                if c.source:
                    out.append(f"- **{t('debrief.source')}:** {md(c.source)}")
                out.append("")
        for heading, lines in self.meter_groups():
            out += [f"## {t(heading)}", ""]
            out += [f"- {md(meter_words(line, lang))}" for line in lines]
            out.append("")
        if self.reflections:
            out += [f"## {t('debrief.reflection')}", ""]
            for q in self.reflections:
                out += [f"- {md(q.question)}"]
                if q.answer:
                    status = t("debrief.shared") if q.shared else t("debrief.private")
                    out += [f"  - {t('debrief.answer')} ({status}): {md(q.answer)}"]
            out.append("")
        if self.transfer:
            out += [f"## {t('debrief.transfer')}", "", md(self.transfer), ""]
        return "\n".join(out)


    def to_text(self, lang: str = "en", width: int = 80) -> str:
        """The debrief as plain lines for a screen reader: no markup of any
        kind, no drawn charts, every paragraph wrapped to ``width``."""
        t = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
        out: list[str] = []

        def say(text: str, indent: int = 0) -> None:
            pad = " " * indent
            out.extend(textwrap.wrap(text, max(20, width - 1), initial_indent=pad, subsequent_indent=pad) or [""])

        say(f"{t('debrief.title')}: {self.title}")
        if self.player:
            say(f"{t('debrief.player', player=self.player)}. {t('debrief.timers', timers=t(f'timers.{self.timers}'))}.")
        out.append("")
        heading = t("debrief.ending", title=self.ending_title)
        if self.rating:
            heading += f". {t('debrief.rating', rating=t(f'rating.{self.rating}'))}"
        say(heading + ".")
        for paragraph in self.ending_text.split("\n\n"):
            if paragraph:
                say(paragraph)
        out += ["", t("debrief.timeline")]
        for n, d in enumerate(self.decisions, 1):
            timing = t("debrief.time", seconds=decimal(lang, d.ms / 1000))
            if d.timed_out:
                timing += f", {t('debrief.timeout')}"
            out.append("")
            say(f"{t('debrief.decision', n=n)} ({timing}).")
            if d.prompt:
                say(f"{d.speaker}: {d.prompt}" if d.speaker else d.prompt, 2)
            say(f"{t(d.chose_key)}: {d.chosen}{format_effects(d.effects)}", 2)
            if d.consequence:
                say(d.consequence, 2)
            if d.alternatives:
                say(f"{t('debrief.alternatives')}:", 2)
                for a in d.alternatives:
                    note = "" if a.available else f" ({t('debrief.not_available')})"
                    say(f"- {a.text}{note}{leads(a)}{format_effects(a.effects)}", 4)
                    if a.consequence:
                        say(a.consequence, 6)
                    if a.tempts:
                        say(f"{t('debrief.tempts')}: {a.tempts}", 6)
            if d.coaching:
                say(f"{t(d.coaching_key)}: {d.coaching}", 2)
        if self.concepts:
            out += ["", t("debrief.concepts")]
            for c in self.concepts:
                out.append("")
                say(c.name, 2)
                for key, text in (("debrief.what", c.what), ("debrief.how", c.how), ("debrief.why", c.why),
                                  ("debrief.source", c.source)):
                    if text:
                        say(f"{t(key)}: {text}", 4)
        for heading, lines in self.meter_groups():
            out += ["", t(heading)]
            for line in lines:
                say(meter_words(line, lang) + ".", 2)
        if self.reflections:
            out += ["", t("debrief.reflection")]
            for q in self.reflections:
                say(q.question, 2)
                if q.answer:
                    status = t("debrief.shared") if q.shared else t("debrief.private")
                    say(f"{t('debrief.answer')} ({status}): {q.answer}", 4)
        if self.transfer:
            out += ["", t("debrief.transfer")]
            say(self.transfer, 2)
        return "\n".join(out) + "\n"


def meter_words(line: MeterLine, lang: str) -> str:
    """A meter over time in words: where it began and ended, and its lowest
    and highest point when those lay outside that."""
    t = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
    values = line.values
    parts = [t("debrief.meter_from_to", label=line.label, start=values[0], end=values[-1])]

    def when(i: int) -> str:
        n = line.decisions[i] if i < len(line.decisions) else i
        return t("debrief.at_start") if n == 0 else t("debrief.at_decision", n=n)

    low, high = min(values), max(values)
    if low < min(values[0], values[-1]):
        parts.append(t("debrief.meter_low", value=low, when=when(values.index(low))))
    if high > max(values[0], values[-1]):
        parts.append(t("debrief.meter_high", value=high, when=when(values.index(high))))
    return ", ".join(parts)


def _place_text(scenario: m.Scenario, outcome: m.Outcome, before: Run) -> str:
    """The text of the scene ``outcome`` leads to, as it would have read after it."""
    scene = scenario.scenes.get(outcome.next)
    if scene is None:
        return outcome.next
    return scene.shown(*outcome.changes(scenario.meters, before.meters, before.flags))


def format_effects(effects: tuple[tuple[str, int], ...]) -> str:
    if not effects:
        return ""
    return " (" + ", ".join(f"{label} {delta:+d}" for label, delta in effects) + ")"


_BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(line: MeterLine) -> str:
    """One character per moment, its height the meter's place between min and max."""
    span = max(1, line.max - line.min)
    return "".join(_BLOCKS[round((v - line.min) / span * (len(_BLOCKS) - 1))] for v in line.values)


def chart(meters: tuple[MeterLine, ...]) -> list[str]:
    """A small text chart: label, sparkline, first and last value."""
    width = max((len(line.label) for line in meters), default=0)
    return [f"{line.label:<{width}}  {sparkline(line)}  {line.values[0]} → {line.values[-1]}" for line in meters]
