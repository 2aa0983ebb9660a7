"""The personal debrief in words: as a Markdown file, as plain lines for a
screen reader, and the small pieces the full-screen debrief shows too.

Every text from the scenario or the player is escaped (game/render/markdown.py)
before it goes into Koers' own words in Markdown, so none of it can act as markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from game.debrief.personal import Alternative, MeterLine, PersonalDebrief
from game.render.i18n import decimal, tr
from game.render.markdown import escape


def _words(lang: str) -> Callable[..., str]:
    return lambda key, **values: tr(lang, key, **values)


def leads(alternative: Alternative) -> str:
    """" → where it leads", or nothing when it leads where the chosen option did."""
    return f" → {alternative.leads_to}" if alternative.leads_to else ""



def to_markdown(d: PersonalDebrief, lang: str = "en") -> str:
    """The debrief as a Markdown file. Every text from the scenario or the
    player is escaped (game/render/markdown.py) before it goes into Koers' own
    words, so none of it can act as markup."""
    t = _words(lang)
    md = escape
    out = [f"# {t('debrief.title')}: {md(d.title)}", ""]
    if d.player:
        out += [t("debrief.player", player=md(d.player)) + "  ", t("debrief.timers", timers=t(f"timers.{d.timers}")), ""]
    out += [f"## {t('debrief.ending', title=md(d.ending_title))}", ""]
    if d.rating:
        out += [t("debrief.rating", rating=t(f"rating.{d.rating}")), ""]
    out += [line for paragraph in d.ending_text.split("\n\n") if paragraph for line in (md(paragraph), "")]
    out += [f"## {t('debrief.timeline')}", ""]
    for n, dec in enumerate(d.decisions, 1):
        timing = t("debrief.time", seconds=decimal(lang, dec.ms / 1000))
        if dec.timed_out:
            timing += f", {t('debrief.timeout')}"
        out += [f"### {t('debrief.decision', n=n)} ({timing})", ""]
        if dec.prompt:
            out += [f"> {md(dec.speaker)}: {md(dec.prompt)}" if dec.speaker else f"> {md(dec.prompt)}", ""]
        out += [f"**{t(dec.chose_key)}:** {md(dec.chosen + format_effects(dec.effects))}", ""]
        if dec.consequence:
            out += [md(dec.consequence), ""]
        if dec.alternatives:
            out += [f"**{t('debrief.alternatives')}:**", ""]
            for a in dec.alternatives:
                note = "" if a.available else f" ({t('debrief.not_available')})"
                out.append(f"- {md(a.text)}{note}{md(leads(a) + format_effects(a.effects))}")
                if a.consequence:
                    out.append(f"  - {md(a.consequence)}")
                if a.tempts:
                    out.append(f"  - {t('debrief.tempts')}: {md(a.tempts)}")
            out.append("")
        if dec.coaching:
            out += [f"**{t(dec.coaching_key)}:** {md(dec.coaching)}", ""]
    if d.concepts:
        out += [f"## {t('debrief.concepts')}", ""]
        for c in d.concepts:
            out += [f"### {md(c.name)}", "", f"- **{t('debrief.what')}:** {md(c.what)}",
                    f"- **{t('debrief.how')}:** {md(c.how)}", f"- **{t('debrief.why')}:** {md(c.why)}"]
            if c.source:
                out.append(f"- **{t('debrief.source')}:** {md(c.source)}")
            out.append("")
    for heading, lines in d.meter_groups():
        out += [f"## {t(heading)}", ""]
        out += [f"- {md(meter_words(line, lang))}" for line in lines]
        out.append("")
    if d.reflections:
        out += [f"## {t('debrief.reflection')}", ""]
        for q in d.reflections:
            out += [f"- {md(q.question)}"]
            if q.answer:
                status = t("debrief.shared") if q.shared else t("debrief.private")
                out += [f"  - {t('debrief.answer')} ({status}): {md(q.answer)}"]
        out.append("")
    if d.transfer:
        out += [f"## {t('debrief.transfer')}", "", md(d.transfer), ""]
    return "\n".join(out)


def to_text(d: PersonalDebrief, lang: str = "en", width: int = 80) -> str:
    """The debrief as plain lines for a screen reader: no markup of any
    kind, no drawn charts, every paragraph wrapped to ``width``."""
    t = _words(lang)
    out: list[str] = []

    def say(text: str, indent: int = 0) -> None:
        pad = " " * indent
        out.extend(textwrap.wrap(text, max(20, width - 1), initial_indent=pad, subsequent_indent=pad) or [""])

    say(f"{t('debrief.title')}: {d.title}")
    if d.player:
        say(f"{t('debrief.player', player=d.player)}. {t('debrief.timers', timers=t(f'timers.{d.timers}'))}.")
    out.append("")
    heading = t("debrief.ending", title=d.ending_title)
    if d.rating:
        heading += f". {t('debrief.rating', rating=t(f'rating.{d.rating}'))}"
    say(heading + ".")
    for paragraph in d.ending_text.split("\n\n"):
        if paragraph:
            say(paragraph)
    out += ["", t("debrief.timeline")]
    for n, dec in enumerate(d.decisions, 1):
        timing = t("debrief.time", seconds=decimal(lang, dec.ms / 1000))
        if dec.timed_out:
            timing += f", {t('debrief.timeout')}"
        out.append("")
        say(f"{t('debrief.decision', n=n)} ({timing}).")
        if dec.prompt:
            say(f"{dec.speaker}: {dec.prompt}" if dec.speaker else dec.prompt, 2)
        say(f"{t(dec.chose_key)}: {dec.chosen}{format_effects(dec.effects)}", 2)
        if dec.consequence:
            say(dec.consequence, 2)
        if dec.alternatives:
            say(f"{t('debrief.alternatives')}:", 2)
            for a in dec.alternatives:
                note = "" if a.available else f" ({t('debrief.not_available')})"
                say(f"- {a.text}{note}{leads(a)}{format_effects(a.effects)}", 4)
                if a.consequence:
                    say(a.consequence, 6)
                if a.tempts:
                    say(f"{t('debrief.tempts')}: {a.tempts}", 6)
        if dec.coaching:
            say(f"{t(dec.coaching_key)}: {dec.coaching}", 2)
    if d.concepts:
        out += ["", t("debrief.concepts")]
        for c in d.concepts:
            out.append("")
            say(c.name, 2)
            for key, text in (("debrief.what", c.what), ("debrief.how", c.how), ("debrief.why", c.why),
                              ("debrief.source", c.source)):
                if text:
                    say(f"{t(key)}: {text}", 4)
    for heading, lines in d.meter_groups():
        out += ["", t(heading)]
        for line in lines:
            say(meter_words(line, lang) + ".", 2)
    if d.reflections:
        out += ["", t("debrief.reflection")]
        for q in d.reflections:
            say(q.question, 2)
            if q.answer:
                status = t("debrief.shared") if q.shared else t("debrief.private")
                say(f"{t('debrief.answer')} ({status}): {q.answer}", 4)
    if d.transfer:
        out += ["", t("debrief.transfer")]
        say(d.transfer, 2)
    return "\n".join(out) + "\n"


def meter_words(line: MeterLine, lang: str) -> str:
    """A meter over time in words: where it began and ended, and its lowest
    and highest point when those lay outside that."""
    t = _words(lang)
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
