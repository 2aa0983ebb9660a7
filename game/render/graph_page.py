"""The map of a scenario as one self-contained HTML page (``koers graph --format html``).

The page runs no script and fetches nothing, so it opens offline, on a
venue's Wi-Fi or from a USB stick. It holds the drawing Graphviz made of the
DOT map (game/render/graph.py) as inline SVG, each box a link to its place
in the outline; where there is no drawing (Graphviz not installed, or it
failed), it says so at the top. Below, always, the outline: every scene with
its choices in full, their conditions and routes and where each leads, and
the endings with their ratings.
"""

from __future__ import annotations

import html

from game.authoring.graph import COMPACT_ABOVE, Map
from game.core import model as m
from game.core.text import flat
from game.render.graph import BOXES, PATH, condition_text, kind, node_ids, rating_word
from game.render.i18n import tr

_CSS = f"""
body {{ font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #111827; }}
h1 {{ font-size: 1.5rem; margin-bottom: .2rem; }}
.muted, .legend {{ color: #4b5563; }}
.notice {{ border: 2px solid #b45309; background: #fef3c7; padding: .6rem .9rem; }}
.drawing {{ overflow: auto; border: 1px solid #e5e7eb; margin: 1rem 0; }}
.drawing svg {{ display: block; margin: 0 auto; max-width: 100%; height: auto; }}
section.place {{ border-left: 4px solid #e5e7eb; padding: .1rem 0 .1rem .8rem; margin: .8rem 0; }}
section.path {{ border-left-color: {PATH}; }}
section.place h3 {{ margin: .2rem 0; font-size: 1rem; }}
section.place ol {{ margin: .2rem 0; }}
.grey {{ color: #6b7280; }}
.tag {{ font-size: .8rem; border: 1px solid #9ca3af; border-radius: .6rem; padding: 0 .4rem; }}
.when, .timer {{ color: #6d28d9; }}
code {{ font-size: .9em; }}
:target {{ background: #eff6ff; }}
""" + "".join(f".{name} h3 {{ background: {fill}; box-shadow: inset 4px 0 {line}; padding-left: .5rem; }}\n"
              for name, (fill, line) in BOXES.items() if name != "scene")


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _link(ids: dict[str, str], target: str) -> str:
    return f'<a href="#{ids[target]}"><code>{_h(target)}</code></a>'


def page(chart: Map, svg: str | None, failure: str | None = None) -> str:
    """The page with ``svg``, the <svg> element Graphviz drew of to_dot(chart, links=True);
    without one, a notice that Graphviz was not found, or ``failure``, what went wrong."""
    s = chart.scenario
    ids = node_ids(s)
    lang = s.language
    title = tr(lang, "graph.title", title=flat(s.title))
    choices = sum(len(scene.choices) for scene in s.scenes.values())
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(lang)}"><head><meta charset="utf-8">',
        # No script, no fetch: the page opens offline and runs nothing.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_h(title)}</h1>",
        f'<p class="muted">{_h(tr(lang, "graph.counts", scenes=len(s.scenes), endings=len(s.endings), choices=choices, version=flat(s.version)))}</p>',
        f'<p class="legend">{_h(tr(lang, "graph.legend"))}</p>',
    ]
    if svg is not None:
        out.append(f'<p class="muted">{_h(tr(lang, "graph.drawn"))}</p>')
        if chart.compact:
            out.append(f'<p class="muted">{_h(tr(lang, "graph.compact", n=COMPACT_ABOVE))}</p>')
        out.append(f'<div class="drawing">{svg}</div>')
    elif failure is None:
        out.append(f'<p class="notice">{_h(tr(lang, "graph.no_dot"))}</p>')
    else:
        out.append(f'<p class="notice">{_h(tr(lang, "graph.dot_failed", reason=flat(failure)))}</p>')
    out.append(f'<h2>{_h(tr(lang, "graph.outline"))}</h2>')
    for scene in s.scenes.values():
        out += _scene(chart, ids, scene)
    out.append(f'<h2>{_h(tr(lang, "graph.endings"))}</h2>')
    for ending in s.endings.values():
        out.append(_heading(chart, ids, ending) + "</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _heading(chart: Map, ids: dict[str, str], place: m.Scene | m.Ending) -> str:
    """The section of a scene or an ending, opened, with its heading: id, title and rating."""
    s = chart.scenario
    classes = f"place {kind(place)}{' path' if place.id in chart.path else ''}"
    words = [flat(place.title)] if place.title and place.title != place.id else []
    if isinstance(place, m.Ending):
        words.append(rating_word(s, place))
    start = "▶ " if place.id == s.start else ""
    return (f'<section id="{ids[place.id]}" class="{classes}"><h3>{start}<code>{_h(place.id)}</code>'
            f"{''.join(' · ' + _h(w) for w in words)}</h3>")


def _scene(chart: Map, ids: dict[str, str], scene: m.Scene) -> list[str]:
    lang = chart.scenario.language
    out = [_heading(chart, ids, scene)]
    if scene.timer is not None:
        number = next((n for n, c in enumerate(scene.choices, 1) if c.id == scene.timer.timeout), 0)
        out.append(f'<p class="timer">{_h(tr(lang, "graph.timer", seconds=scene.timer.seconds, n=number))}</p>')
    out.append("<ol>")
    for choice in scene.choices:
        grey = choice.recommended is False
        item = [f"<li{' class=grey' if grey else ''}>{_h(flat(choice.text))} → {_link(ids, choice.next)}"]
        if choice.when is not None:
            item.append(f' <span class="when">[{_h(tr(lang, "graph.offered", condition=condition_text(choice.when, lang)))}]</span>')
        if grey:
            item.append(f' <span class="tag">{_h(tr(lang, "group.not_recommended"))}</span>')
        if choice.routes:
            item.append("<ul>" + "".join(f'<li><span class="when">{_h(tr(lang, "graph.if"))} '
                                         f"{_h(condition_text(r.when, lang))}</span> → {_link(ids, r.next or choice.next)}</li>"
                                         for r in choice.routes) + "</ul>")
        out.append("".join(item) + "</li>")
    out += ["</ol>", "</section>"]
    return out
