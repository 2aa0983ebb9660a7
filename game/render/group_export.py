"""A group debrief as text: the plain summary the CLI prints, and the exports
(Markdown for notes, one self-contained HTML page, and CSV for a spreadsheet
from game/render/group_csv.py).

Every string from a scenario, a save or a player is cleaned of control
characters and escaped for the format it lands in: Markdown punctuation,
HTML, and the leading characters that make a spreadsheet run a formula.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial

from game.core import model as m
from game.debrief.report import Count, Debrief, Decision, Report, Route
from game.render.i18n import decimal, tr
from game.render.group_csv import to_csv
from game.render.markdown import escape
from game.render.wording import caveat, question
from game.core.text import clean, flat, paragraphs, plain, spans

FORMATS = {".md": "markdown", ".html": "html", ".htm": "html", ".csv": "csv"}


# Shared wording -------------------------------------------------------------
#
# A debrief speaks the language of its scenario file (``d.scenario.language``):
# the trainer's labels and the players' words in one language.


def count_text(c: Count, lang: str) -> str:
    if c.count is None:
        return tr(lang, "group.hidden")
    return str(c.count) if c.percent is None else f"{c.count} ({c.percent}%)"


def _seconds(value: float | None, lang: str) -> str:
    return "–" if value is None else f"{decimal(lang, value)} s"


def _languages(d: Debrief) -> str:
    return ", ".join(lang if n is None else f"{lang} ({n})" for lang, n in d.languages)


def rating_text(ending: m.Ending, lang: str) -> str:
    return tr(lang, f"rating.{ending.rating}") if ending.rating else tr(lang, "group.no_rating")


def timing_text(dec: Decision, lang: str) -> str:
    if dec.hidden:
        return tr(lang, "group.time_hidden")
    text = tr(lang, "group.time", median=_seconds(dec.median_s, lang), q1=_seconds(dec.q1_s, lang),
              q3=_seconds(dec.q3_s, lang))
    if dec.scene.timer is not None:
        text += ", " + tr(lang, "group.ran_out", n=tr(lang, "group.hidden") if dec.timed_out is None else dec.timed_out)
    return text + "."


def reach_text(d: Debrief, dec: Decision) -> str:
    lang = d.scenario.language
    reached = tr(lang, "group.hidden") if dec.reached.count is None else dec.reached.count
    if dec.repeated:
        return tr(lang, "group.reach_loops", reached=reached, total=d.playthroughs, taken=dec.taken)
    return tr(lang, "group.reach", reached=reached, total=d.playthroughs)


def recommended_text(choice: m.Choice, lang: str) -> str:
    if choice.recommended is None:
        return ""
    return tr(lang, "group.recommended" if choice.recommended else "group.not_recommended")


def coaching_notes(dec: Decision, lang: str) -> list[tuple[str, str]]:
    """(choice text, coaching note) for every choice of the decision that has
    a note; an option made of several choices has a note for each. A note the
    timer gives for running out is marked as such, after the choice's words."""
    notes: dict[str, str] = {}  # note -> the words it is shown under, the first time it comes
    late = tr(lang, "debrief.timeout")
    for c in (c for o in dec.options for c in o.choices):
        chosen = c.outcomes()
        for outcome in c.outcomes(dec.scene.timer):
            if outcome.coaching:
                notes.setdefault(outcome.coaching, c.text if outcome in chosen else f"{c.text} ({late})")
    return [(text, note) for note, text in notes.items()]


def tempting_notes(dec: Decision) -> list[tuple[str, str]]:
    """(choice text, rationale) for every option the author does not endorse
    and says why a capable leader might pick it anyway."""
    notes = ((c.text, c.rationale) for o in dec.options for c in o.choices if c.recommended is False)
    return list(dict.fromkeys((text, why) for text, why in notes if why.strip()))


def prompt_text(concept: m.Concept, lang: str) -> str:
    return tr(lang, "group.prompt", name=flat(concept.name), what=flat(concept.what), why=flat(concept.why))


def route_text(route: Route, lang: str) -> str:
    steps = [flat(c.text) for c in route.choices]
    end = flat(route.ending.title) if route.ending else "?"
    return " → ".join([*steps, tr(lang, "group.route_end", title=end)])


def beginning_text(route: Route, d: Debrief) -> str:
    """'7 of 20 started with: …', for a beginning that no whole route shares."""
    steps = " → ".join(flat(c.text) for c in route.choices)
    return tr(d.scenario.language, "group.beginning", count=route.count, total=d.playthroughs, steps=steps)


def overview_lines(report: Report, d: Debrief) -> list[str]:
    lang = d.scenario.language
    lines = [
        tr(lang, "group.scenario", title=flat(d.scenario.title), id=d.scenario.id, version=d.version),
        tr(lang, "group.languages", languages=_languages(d)),
        tr(lang, "group.playthroughs", n=d.playthroughs, finished=d.finished.count, unfinished=d.unfinished)
        if d.unfinished is not None else tr(lang, "group.playthroughs_only", n=d.playthroughs),
    ]
    if report.session:
        lines.append(tr(lang, "group.session", code=clean(report.session)))
    if d.replays != 0:
        lines.append(tr(lang, "group.replays", n=tr(lang, "group.hidden") if d.replays is None else d.replays))
    if any(t != "on" for t, _ in d.timers):
        lines.append(tr(lang, "group.timers", timers=", ".join(
            tr(lang, f"timers.{t}") if n is None else f"{n} {tr(lang, f'timers.{t}')}" for t, n in d.timers)))
    if d.min_group > 1:
        lines.append(tr(lang, "group.min_group", n=d.min_group))
    return lines


def footer_lines(report: Report) -> list[str]:
    """What the report says after its debriefs, in the report's language."""
    lang = report.language
    out = []
    if not report.debriefs:
        out.append(tr(lang, "group.none"))
    if report.other_sessions:
        out.append(tr(lang, "group.other_sessions_one" if report.other_sessions == 1 else "group.other_sessions",
                      n=report.other_sessions))
    return out


# Plain text -----------------------------------------------------------------


def to_text(report: Report) -> str:
    """The overview and every decision, for a terminal."""
    out: list[str] = []
    for d in report.debriefs:
        lang = d.scenario.language
        out.append(tr(lang, "group.title", title=flat(d.scenario.title)))
        out.extend(overview_lines(report, d))
        out.extend(tr(lang, "group.warning", text=caveat(lang, w)) for w in d.warnings)
        out.append("")
        out.append(tr(lang, "group.endings") + ":")
        for ending, c in d.endings:
            out.append(f"  {flat(ending.title)} [{rating_text(ending, lang)}]: {count_text(c, lang)}")
        if not d.decisions:
            out += ["", tr(lang, "group.no_decisions")]
        for dec in d.decisions:
            out.append("")
            out.append(f"{tr(lang, 'debrief.decision', n=dec.number)}: {flat(dec.name)} ({flat(dec.speaker)})")
            out.append(f"  {reach_text(d, dec)} {timing_text(dec, lang)}")
            for o in dec.options:
                bar = "█" * round((o.count.percent or 0) / 5)
                out.append(f"  {count_text(o.count, lang):>16}  {bar:<20}  {flat(o.choice.text)}")
        out.append("")
    out.extend(footer_lines(report))
    if report.skipped:
        out.append(tr(report.language, "group.skipped", n=len(report.skipped)) + ":")
        out.extend(f"  {d}" for d in report.skipped)
    return clean("\n".join(out).rstrip() + "\n")


# Markdown -------------------------------------------------------------------

_md = escape


def _md_text(text: str) -> str:
    return _md(flat(text))


def to_markdown(report: Report) -> str:
    out: list[str] = []
    for d in report.debriefs:
        lang = d.scenario.language
        t = partial(tr, lang)
        out += [f"# {_md(t('group.title', title=flat(d.scenario.title)))}", ""]
        out += [f"- {_md(line)}" for line in overview_lines(report, d)]
        out += [""] + [f"> **{_md(t('group.warning', text='').rstrip())}** {_md(caveat(lang, w))}\n" for w in d.warnings]
        out += [f"## {t('group.endings')}", ""]
        out += [f"| {t('group.col_ending')} | {t('group.col_rating')} | {t('group.col_playthroughs')} |", "|---|---|---|"]
        out += [f"| {_md_text(e.title)} | {t(f'rating.{e.rating}') if e.rating else ''} | {_md(count_text(c, lang))} |"
                for e, c in d.endings]
        out += ["", f"## {t('group.decisions')}", ""]
        if not d.decisions:
            out += [t("group.no_decisions"), ""]
        for dec in d.decisions:
            out += [f"### {dec.number}. {_md_text(dec.name)} ({_md_text(dec.speaker)})", ""]
            out += [f"> {_md(plain(p))}\n>" for p in paragraphs(dec.scene.text.common)]
            out[-1] = out[-1][:-2]
            out += ["", f"{_md(reach_text(d, dec))} {_md(timing_text(dec, lang))}", ""]
            out += [f"| {t('group.col_choice')} | {t('group.col_playthroughs')} | {_md(t('group.col_view'))} |", "|---|---|---|"]
            out += [
                f"| {_md_text(o.choice.text)} | {_md(count_text(o.count, lang))} | {recommended_text(o.choice, lang)} |"
                for o in dec.options
            ]
            for key, notes in (("group.coaching", coaching_notes(dec, lang)), ("group.tempts", tempting_notes(dec))):
                if notes:
                    out += ["", f"**{t(key)}**", ""]
                    out += [f"- *{_md_text(text)}* {_md_text(note)}" for text, note in notes]
            if dec.prompts:
                out += ["", f"**{t('group.discussion')}**", ""]
                out += [f"- {_md(prompt_text(c, lang))}" for c in dec.prompts]
            out.append("")
        out += [f"## {t('group.routes')}", ""]
        routes = [f"{i}. {r.count} × {_md(route_text(r, lang))}" for i, r in enumerate(d.routes, 1)]
        out += routes or [t("group.no_routes"), "", *(f"- {_md(beginning_text(r, d))}" for r in d.beginnings)]
        out += ["", f"## {t('group.meters')}", ""]
        if d.meters:
            meters = list(d.scenario.meters.values())
            out.append(f"| {t('group.col_ending')} | {t('group.col_playthroughs')} | "
                       + " | ".join(_md_text(mt.label) for mt in meters) + " |")
            out.append("|---|---|" + "---|" * len(meters))
            out += [
                f"| {_md_text(row.ending.title)} | {row.count} | " + " | ".join(decimal(lang, v) for _, v in row.averages) + " |"
                for row in d.meters
            ]
        else:
            out.append(t("group.no_meters"))
        out += ["", f"## {t('group.reflections')}", ""]
        for a in d.reflections:
            out += [f"### {_md_text(question(lang, a))}", ""]
            out += [f"- {_md(who + ': ') if who else ''}{_md(answer)}" for who, answer in a.answers]
            out.append("")
        if not d.reflections:
            out += [t("group.no_reflections"), ""]
    for line in footer_lines(report):
        out += [_md(line), ""]
    if report.skipped:
        out += [f"## {_md(tr(report.language, 'group.skipped', n=len(report.skipped)))}", ""]
        out += [f"- {_md(str(d))}" for d in report.skipped] + [""]
    return "\n".join(out).rstrip() + "\n"


# HTML -----------------------------------------------------------------------

_CSS = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1d2430; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; } h2 { border-bottom: 2px solid #d8dee8; margin-top: 2.2rem; padding-bottom: .2rem; }
h3 { margin: 1.6rem 0 .4rem; } .muted { color: #5b6575; } .warn { background: #fff4d6; border-left: 4px solid #d49b00; padding: .5rem .8rem; }
.facts { display: flex; flex-wrap: wrap; gap: .6rem; padding: 0; list-style: none; }
.facts li { background: #eef2f7; border-radius: 6px; padding: .35rem .7rem; }
blockquote { margin: .4rem 0; padding: .1rem 1rem; border-left: 4px solid #c7d0dd; color: #333c4a; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e8ef; vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.bar { background: #e9eef5; border-radius: 4px; height: 1.1rem; min-width: 10rem; }
.bar span { display: block; height: 100%; border-radius: 4px; background: #2f6fb3; }
.bar.strong span { background: #2e8b57; } .bar.mixed span { background: #c98a0b; } .bar.weak span { background: #c0392b; }
.tag { font-size: .8rem; border-radius: 4px; padding: .05rem .4rem; background: #eef2f7; white-space: nowrap; }
.decision { border: 1px solid #e3e8ef; border-radius: 8px; padding: .2rem 1rem 1rem; margin: 1rem 0; }
ul.answers li { margin: .3rem 0; }
"""


def _h(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _h_rich(text: str) -> str:
    """Scenario text with its **bold** and *italic*, every character escaped."""
    tags = {"bold": "strong", "italic": "em"}
    out = []
    for p in paragraphs(text):
        parts = [f"<{tags[s]}>{_h(chunk)}</{tags[s]}>" if s else _h(chunk) for chunk, s in spans(p)]
        out.append(f"<p>{''.join(parts)}</p>")
    return "".join(out)


def _bar(c: Count, kind: str = "") -> str:
    width = c.percent or 0
    return f'<div class="bar {kind}" role="img" aria-label="{width}%"><span style="width:{width}%"></span></div>'


def to_html(report: Report) -> str:
    lang = report.language
    title = tr(lang, "group.title", title=" / ".join(flat(d.scenario.title) for d in report.debriefs))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(lang)}"><head><meta charset="utf-8">',
        # No script, no fetch: the page opens offline and runs nothing.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title.rstrip(': '))}</title><style>{_CSS}</style></head><body>",
    ]
    for d in report.debriefs:
        out += _html_debrief(report, d)
    out += [f'<p class="muted">{_h(line)}</p>' for line in footer_lines(report)]
    if report.skipped:
        out.append(f'<h2 id="skipped">{_h(tr(lang, "group.skipped", n=len(report.skipped)))}</h2><ul>')
        out += [f"<li><code>{_h(str(diag))}</code></li>" for diag in report.skipped]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_debrief(report: Report, d: Debrief) -> list[str]:
    lang = d.scenario.language
    t = partial(tr, lang)
    out = [f'<section lang="{_h(lang)}">', f"<h1>{_h(t('group.title', title=flat(d.scenario.title)))}</h1>",
           '<ul class="facts">']
    out += [f"<li>{_h(line)}</li>" for line in overview_lines(report, d)]
    out.append("</ul>")
    out += [f'<p class="warn">{_h(t("group.warning", text=caveat(lang, w)))}</p>' for w in d.warnings]
    out += [f'<h2 id="endings">{_h(t("group.endings"))}</h2>',
            f"<table><tr><th>{_h(t('group.col_ending'))}</th><th>{_h(t('group.col_rating'))}</th>"
            f"<th>{_h(t('group.col_playthroughs'))}</th><th></th></tr>"]
    for e, c in d.endings:
        rating = t(f"rating.{e.rating}") if e.rating else ""
        out.append(
            f"<tr><td>{_h(flat(e.title))}</td><td>{_h(rating)}</td>"
            f'<td class="num">{_h(count_text(c, lang))}</td><td>{_bar(c, e.rating or "")}</td></tr>'
        )
    out += ["</table>", f'<h2 id="decisions">{_h(t("group.decisions"))}</h2>']
    if not d.decisions:
        out.append(f'<p class="muted">{_h(t("group.no_decisions"))}</p>')
    for dec in d.decisions:
        out += [
            '<section class="decision">',
            f'<h3>{dec.number}. {_h(flat(dec.name))} <span class="muted">({_h(flat(dec.speaker))})</span></h3>',
            f"<blockquote>{_h_rich(dec.scene.text.common)}</blockquote>",
            f'<p class="muted">{_h(reach_text(d, dec))} {_h(timing_text(dec, lang))}</p>',
            f"<table><tr><th>{_h(t('group.col_choice'))}</th><th>{_h(t('group.col_playthroughs'))}</th><th></th>"
            f"<th>{_h(t('group.col_view'))}</th></tr>",
        ]
        for o in dec.options:
            out.append(
                f"<tr><td>{_h(flat(o.choice.text))}</td><td class=\"num\">{_h(count_text(o.count, lang))}</td>"
                f"<td>{_bar(o.count)}</td><td>{_tag(recommended_text(o.choice, lang))}</td></tr>"
            )
        out.append("</table>")
        for key, notes in (("group.coaching", coaching_notes(dec, lang)), ("group.tempts", tempting_notes(dec))):
            if notes:
                out.append(f"<h4>{_h(t(key))}</h4><ul>")
                out += [f"<li><em>{_h(flat(text))}</em> {_h(flat(note))}</li>" for text, note in notes]
                out.append("</ul>")
        if dec.prompts:
            out.append(f"<h4>{_h(t('group.discussion'))}</h4><ul>")
            out += [f"<li>{_h(prompt_text(c, lang))}</li>" for c in dec.prompts]
            out.append("</ul>")
        out.append("</section>")
    out.append(f'<h2 id="routes">{_h(t("group.routes"))}</h2>')
    if d.routes:
        out.append("<ol>")
        out += [f"<li><strong>{r.count} ×</strong> {_h(route_text(r, lang))}</li>" for r in d.routes]
        out.append("</ol>")
    else:
        out.append(f'<p class="muted">{_h(t("group.no_routes"))}</p>')
        if d.beginnings:
            out.append("<ul>" + "".join(f"<li>{_h(beginning_text(r, d))}</li>" for r in d.beginnings) + "</ul>")
    out.append(f'<h2 id="meters">{_h(t("group.meters"))}</h2>')
    if d.meters:
        meters = list(d.scenario.meters.values())
        out.append(f"<table><tr><th>{_h(t('group.col_ending'))}</th><th>{_h(t('group.col_playthroughs'))}</th>"
                   + "".join(f"<th>{_h(flat(mt.label))}</th>" for mt in meters) + "</tr>")
        for row in d.meters:
            cells = "".join(f'<td class="num">{decimal(lang, v)}</td>' for _, v in row.averages)
            out.append(f'<tr><td>{_h(flat(row.ending.title))}</td><td class="num">{row.count}</td>{cells}</tr>')
        out.append("</table>")
    else:
        out.append(f'<p class="muted">{_h(t("group.no_meters"))}</p>')
    out.append(f'<h2 id="reflections">{_h(t("group.reflections"))}</h2>')
    for a in d.reflections:
        out.append(f'<h3>{_h(flat(question(lang, a)))}</h3><ul class="answers">')
        out += [f"<li>{'<strong>' + _h(who) + ':</strong> ' if who else ''}{_h(ans)}</li>" for who, ans in a.answers]
        out.append("</ul>")
    if not d.reflections:
        out.append(f'<p class="muted">{_h(t("group.no_reflections"))}</p>')
    out.append("</section>")
    return out


def _tag(text: str) -> str:
    return f'<span class="tag">{_h(text)}</span>' if text else ""


# CSV ------------------------------------------------------------------------

EXPORTS: dict[str, Callable[[Report], str]] = {"markdown": to_markdown, "html": to_html, "csv": to_csv}  # see group_csv.py
