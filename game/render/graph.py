"""The map of a scenario in words: as Mermaid for a Markdown page, and as
Graphviz DOT (which the HTML page of game/render/graph_page.py draws).

Scenes are boxes (▶ the start, ◷ a timed decision), endings rounded and
coloured by their rating, each choice a label on the arrow it takes: its
number in the scene and its opening words, [if …] where it is only offered
when a condition holds, ◷ where the clock takes it. A route that leads
elsewhere is a dotted arrow labelled with its condition. The recommended
path (game/authoring/graph.py) is drawn thick and blue, choices marked
``recommended: false`` grey.

Every text from the file is cleaned of control characters and escaped for
the language it lands in: Mermaid's entity codes for anything but letters,
digits and plain punctuation, DOT's quoted strings with their backslashes
and entities. Nodes are named by their place (s1, e1), never by the file's ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from game.authoring.graph import Branch, Map, Way
from game.core import model as m
from game.core.text import excerpt, flat
from game.render.i18n import tr
from game.render.markdown import escape

WORDS = 28  # characters of a choice on its arrow
TITLE = 32  # characters of a title in its box
CONDITION = 40  # characters of a condition on its arrow

#: Mermaid's default settings (maxEdges, maxTextSize) draw at most this many arrows and characters.
MERMAID_EDGES, MERMAID_CHARS = 500, 50_000

INK, GREY, PATH = "#374151", "#9ca3af", "#1d4ed8"
#: The fill and the line colour of each kind of box.
BOXES = {
    "scene": ("#ffffff", "#6b7280"),
    "timed": ("#ede9fe", "#6d28d9"),
    "strong": ("#d1fae5", "#047857"),
    "mixed": ("#fef3c7", "#b45309"),
    "weak": ("#fee2e2", "#b91c1c"),
    "unrated": ("#f3f4f6", "#6b7280"),
}
_OPS = {"at_least": "≥", "at_most": "≤", "above": ">", "below": "<"}


# What the map says, in the scenario's language --------------------------------


def node_ids(s: m.Scenario) -> dict[str, str]:
    """Each scene's and ending's name in the map: s1, s2, … and e1, e2, …"""
    ids = {sid: f"s{i}" for i, sid in enumerate(s.scenes, 1)}
    ids.update({eid: f"e{i}" for i, eid in enumerate(s.endings, 1)})
    return ids


def kind(place: m.Scene | m.Ending) -> str:
    """The key in BOXES for a scene or an ending."""
    if isinstance(place, m.Scene):
        return "timed" if place.timer is not None else "scene"
    return place.rating or "unrated"


def place_lines(s: m.Scenario, place: m.Scene | m.Ending) -> list[str]:
    """The lines in a box: the id (▶ at the start), the title, the timer or the rating."""
    lines = [("▶ " if place.id == s.start else "") + place.id]
    if place.title and place.title != place.id:
        lines.append(excerpt(place.title, TITLE))
    if isinstance(place, m.Scene):
        if place.timer is not None:
            lines.append(f"◷ {place.timer.seconds} s")
    else:
        lines.append(rating_word(s, place))
    return lines


def rating_word(s: m.Scenario, ending: m.Ending) -> str:
    return tr(s.language, f"rating.{ending.rating}") if ending.rating else tr(s.language, "group.no_rating")


def condition_text(cond: m.Condition, lang: str) -> str:
    """A condition in a few words: ``trust ≥ 3 and not asked``."""
    if isinstance(cond, m.FlagIs):
        return cond.flag if cond.value else f"{tr(lang, 'graph.not')} {cond.flag}"
    if isinstance(cond, m.MeterCompare):
        return f"{cond.meter} {_OPS[cond.op]} {cond.value}"
    if isinstance(cond, m.Not):
        inner = condition_text(cond.part, lang)
        return f"{tr(lang, 'graph.not')} ({inner})" if isinstance(cond.part, (m.AllOf, m.AnyOf)) else f"{tr(lang, 'graph.not')} {inner}"
    joint = f" {tr(lang, 'graph.and' if isinstance(cond, m.AllOf) else 'graph.or')} "
    return joint.join(f"({condition_text(p, lang)})" if isinstance(p, (m.AllOf, m.AnyOf)) else condition_text(p, lang)
                      for p in cond.parts)


def branch_label(s: m.Scenario, scene: m.Scene, b: Branch, compact: bool) -> str:
    """A choice on its arrow: ``2 Ask Sanne: result,… [if asked]``, ``1 ◷ Give the answer…``
    where the clock takes it, or for a route ``2 if trust ≥ 7``; in a compact map, no words."""
    lang = s.language
    number = f"{b.number}{' ◷' if scene.timer is not None and scene.timer.timeout == b.choice.id else ''}"
    if b.when is not None:
        return f"{number} {tr(lang, 'graph.if')} {excerpt(condition_text(b.when, lang), CONDITION)}"
    words = "" if compact else " " + excerpt(b.choice.text, WORDS)
    when = "" if b.choice.when is None else f" [{tr(lang, 'graph.if')} {excerpt(condition_text(b.choice.when, lang), CONDITION)}]"
    return f"{number}{words}{when}"


def way_lines(chart: Map, way: Way) -> list[str]:
    """The labels of an arrow, one line each; in a large map, its numbers on one line."""
    s = chart.scenario
    labels = [branch_label(s, s.scenes[way.source], b, chart.compact) for b in way.branches]
    return [", ".join(labels)] if chart.compact and not way.routed else labels


def _places(s: m.Scenario) -> Iterator[m.Scene | m.Ending]:
    yield from s.scenes.values()
    yield from s.endings.values()


def _style(way: Way) -> str:
    return "path" if way.on_path else ("plain" if way.recommended else "grey")


# Mermaid -------------------------------------------------------------------

# Letters, digits, spaces and plain punctuation stay; every other ASCII
# character becomes Mermaid's entity code (#35; for #), so no text can close
# a label, start a directive (%%) or a comment, or be read as HTML or Markdown.
_MERMAID_UNSAFE = re.compile(r"[^0-9A-Za-z .,:!?'/+\-_\u0080-\U0010ffff]")


def mermaid_text(text: str) -> str:
    return _MERMAID_UNSAFE.sub(lambda c: f"#{ord(c.group())};", text)


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def to_mermaid(chart: Map) -> str:
    """A fenced ```mermaid block (GitHub draws it in a Markdown page) and the legend below it."""
    s = chart.scenario
    ids = node_ids(s)
    out = ["```mermaid", "flowchart TD"]
    used: set[str] = set()
    for place in _places(s):
        cls = kind(place) + ("Path" if place.id in chart.path else "")
        used.add(cls)
        label = _mermaid_label(place_lines(s, place))
        shape = f"[{label}]" if isinstance(place, m.Scene) else f"([{label}])"
        out.append(f"  {ids[place.id]}{shape}:::{cls}")
    styles: dict[str, list[str]] = {"path": [], "plain": [], "grey": []}
    for n, way in enumerate(chart.ways):
        arrow = "-.->" if way.routed else "-->"
        out.append(f"  {ids[way.source]} {arrow}|{_mermaid_label(way_lines(chart, way))}| {ids[way.target]}")
        styles[_style(way)].append(str(n))
    for name in sorted(used):
        fill, line = BOXES[name.removesuffix("Path")]
        width = "3px" if name.endswith("Path") else "1px"
        out.append(f"  classDef {name} fill:{fill},stroke:{PATH if name.endswith('Path') else line},"
                   f"stroke-width:{width},color:#111827")
    looks = {"path": f"stroke:{PATH},stroke-width:3px", "plain": f"stroke:{INK},stroke-width:1px",
             "grey": f"stroke:{GREY},stroke-width:1px"}
    for name, numbers in styles.items():
        if numbers:
            out.append(f"  linkStyle {','.join(numbers)} {looks[name]}")
    out += ["```", "", escape(tr(s.language, "graph.legend"))]
    return "\n".join(out) + "\n"


def mermaid_too_large(chart: Map, text: str) -> bool:
    """Whether Mermaid, with its default settings, would refuse to draw ``text``."""
    return len(chart.ways) > MERMAID_EDGES or len(text) > MERMAID_CHARS


# Graphviz DOT --------------------------------------------------------------


def dot_text(*lines: str) -> str:
    """``lines`` as one quoted DOT string: backslash and quote escaped, & written
    as an entity (DOT reads entities such as &lt; in any label), lines joined by \\n."""
    escaped = (line.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def to_dot(chart: Map, links: bool = False) -> str:
    """The map as a DOT digraph; ``links`` makes each box a link to #s1, #e1, … (the HTML page's outline)."""
    s = chart.scenario
    ids = node_ids(s)
    font = 'fontname="DejaVu Sans,Arial,Helvetica,sans-serif"'
    out = [
        "digraph koers {",
        f"  graph [rankdir=TB, nodesep={0.25 if chart.compact else 0.35}, ranksep={0.3 if chart.compact else 0.5}, "
        f"labelloc=t, fontsize=16, {font}, label={dot_text(flat(s.title))}];",
        f'  node [shape=box, style="rounded,filled", fontsize=11, margin="0.12,0.04", height=0.3, {font}];',
        f"  edge [fontsize=9, arrowsize=0.7, {font}];",
    ]
    for place in _places(s):
        fill, line = BOXES[kind(place)]
        on_path = place.id in chart.path
        style = '"filled"' if isinstance(place, m.Scene) else '"rounded,filled"'
        attrs = [f"label={dot_text(*place_lines(s, place))}", f"style={style}", f'fillcolor="{fill}"',
                 f'color="{PATH if on_path else line}"', f"penwidth={2.5 if on_path else 1}",
                 f"tooltip={dot_text(excerpt(place.title or place.id, 200))}"]
        if links:
            attrs.append(f'URL="#{ids[place.id]}"')
        out.append(f"  {ids[place.id]} [{', '.join(attrs)}];")
    looks = {"path": f'color="{PATH}", fontcolor="{PATH}", penwidth=2.5', "plain": f'color="{INK}", fontcolor="{INK}"',
             "grey": f'color="{GREY}", fontcolor="#6b7280"'}
    for way in chart.ways:
        attrs = [f"label={dot_text(*way_lines(chart, way))}", looks[_style(way)],
                 f"tooltip={dot_text(excerpt(' / '.join(b.choice.text for b in way.branches), 300))}"]
        if way.routed:
            attrs.append("style=dashed")
        out.append(f"  {ids[way.source]} -> {ids[way.target]} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"
