"""The personal debrief: what one player chose and what they could have chosen.

Built from a Scenario and a Run (and the Playthrough, for reflections and
settings) as a plain value; the Textual screen, the plain player and the
Markdown export all read the same value. All text in it is cleaned of control
characters; emphasis marks are removed, since the export and the plain player
show text as it is.
"""

from __future__ import annotations

import attrs

from game import model as m
from game.i18n import decimal, tr
from game.run import Run
from game.saves import Playthrough
from game.text import clean, paragraphs, plain

_PREVIEW = 70


def _flat(text: str) -> str:
    """Scenario text on one line, without emphasis marks or control characters."""
    return " ".join(plain(p) for p in paragraphs(text))


def leads(alternative: Alternative) -> str:
    """" → where it leads", or nothing when it leads where the chosen option did."""
    return f" → {alternative.leads_to}" if alternative.leads_to else ""


def _preview(text: str) -> str:
    flat = _flat(text)
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1].rstrip() + "…"


@attrs.frozen
class Alternative:
    text: str
    leads_to: str  # an ending's title, the start of the scene it opens, or "" for where the chosen one led
    ending: bool
    effects: tuple[tuple[str, int], ...]  # (meter label, change)
    available: bool  # whether the player could have picked it at that moment


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

        def effects(choice: m.Choice) -> tuple[tuple[str, int], ...]:
            return tuple((labels[e.meter], e.delta) for e in choice.effects)

        replay = Run.start(scenario)
        decisions: list[Decision] = []
        met: list[str] = []
        for index, step in enumerate(run.steps):
            scene = scenario.scenes[step.scene]
            chosen = scene.choice(step.choice)
            offered = {c.id for c in replay.choices}
            met.extend(c for c in chosen.concepts if c not in met)
            if scene.is_decision:
                alternatives = []
                went = chosen.leads_to(replay.meters, replay.flags)
                for other in scene.choices:
                    if other.id == chosen.id or other.text == chosen.text:  # the same words are the same option
                        continue
                    place = other.leads_to(replay.meters, replay.flags)
                    end = scenario.endings.get(place)
                    target = end.title if end else "" if place == went else _preview(_scene_text(scenario, place))
                    alternatives.append(
                        Alternative(_flat(other.text), clean(target), end is not None, effects(other), other.id in offered)
                    )
                speaker = scenario.characters.get(scene.speaker)
                decisions.append(
                    Decision(
                        step=index,
                        scene=scene.id,
                        speaker=clean(speaker.name) if speaker else "",
                        prompt=_preview(replay.text),
                        chosen=_flat(chosen.text),
                        ms=step.ms,
                        timed_out=step.timed_out,
                        consequence=_flat(chosen.consequence),
                        coaching=_flat(chosen.coaching),
                        effects=effects(chosen),
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
                ConceptNote(clean(c.name), _flat(c.what), _flat(c.how), _flat(c.why), _flat(source.cite) if source else "")
            )

        meters = tuple(
            MeterLine(labels[k], meter.min, meter.max, (meter.start, *(s.meters[k] for s in run.steps)))
            for k, meter in scenario.meters.items()
        )
        answers = playthrough.reflections if playthrough is not None else {}
        reflections = tuple(
            Question(_flat(q), answers[i].answer if i in answers else "", answers[i].shared if i in answers else False)
            for i, q in enumerate(scenario.debrief.reflection)
        )
        return cls(
            title=clean(scenario.title),
            player=clean(playthrough.player) if playthrough else "",
            timers=playthrough.settings.timers if playthrough else "on",
            ending_title=clean(ending.title) if ending else "",
            ending_text="\n\n".join(plain(p) for p in paragraphs(ending.text)) if ending else "",
            rating=ending.rating if ending else None,
            decisions=tuple(decisions),
            concepts=tuple(concepts),
            meters=meters,
            reflections=reflections,
            transfer=_flat(scenario.debrief.transfer),
        )

    def to_markdown(self, lang: str = "en") -> str:
        t = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
        out = [f"# {t('debrief.title')}: {self.title}", ""]
        if self.player:
            out += [t("debrief.player", player=self.player) + "  ", t("debrief.timers", timers=t(f"timers.{self.timers}")), ""]
        out += [f"## {t('debrief.ending', title=self.ending_title)}", ""]
        if self.rating:
            out += [t("debrief.rating", rating=t(f"rating.{self.rating}")), ""]
        if self.ending_text:
            out += [self.ending_text, ""]
        out += [f"## {t('debrief.timeline')}", ""]
        for n, d in enumerate(self.decisions, 1):
            timing = t("debrief.time", seconds=decimal(lang, d.ms / 1000))
            if d.timed_out:
                timing += f", {t('debrief.timeout')}"
            out += [f"### {t('debrief.decision', n=n)} ({timing})", ""]
            if d.prompt:
                out += [f"> {d.speaker}: {d.prompt}" if d.speaker else f"> {d.prompt}", ""]
            out += [f"**{t('debrief.you_chose')}:** {d.chosen}{format_effects(d.effects)}", ""]
            if d.consequence:
                out += [d.consequence, ""]
            if d.alternatives:
                out += [f"**{t('debrief.alternatives')}:**", ""]
                for a in d.alternatives:
                    note = "" if a.available else f" ({t('debrief.not_available')})"
                    out.append(f"- {a.text}{note}{leads(a)}{format_effects(a.effects)}")
                out.append("")
            if d.coaching:
                out += [f"**{t('debrief.coaching')}:** {d.coaching}", ""]
        if self.concepts:
            out += [f"## {t('debrief.concepts')}", ""]
            for c in self.concepts:
                out += [f"### {c.name}", "", f"- **{t('debrief.what')}:** {c.what}", f"- **{t('debrief.how')}:** {c.how}",
                        f"- **{t('debrief.why')}:** {c.why}"]
                if c.source:
                    out.append(f"- **{t('debrief.source')}:** {c.source}")
                out.append("")
        out += [f"## {t('debrief.meters')}", "", "```"]
        out += chart(self.meters)
        out += ["```", ""]
        if self.reflections:
            out += [f"## {t('debrief.reflection')}", ""]
            for q in self.reflections:
                out += [f"- {q.question}"]
                if q.answer:
                    status = t("debrief.shared") if q.shared else t("debrief.private")
                    out += [f"  - {t('debrief.answer')} ({status}): {clean(q.answer)}"]
            out.append("")
        if self.transfer:
            out += [f"## {t('debrief.transfer')}", "", self.transfer, ""]
        return "\n".join(out)


def _scene_text(scenario: m.Scenario, scene_id: str) -> str:
    scene = scenario.scenes.get(scene_id)
    return scene.text if scene else scene_id


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
