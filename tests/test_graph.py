"""`koers graph`: the map read from the model, and each format checked by a
parser of its own: a grammar of Mermaid's flowchart (what GitHub draws),
Graphviz itself for DOT (installed by .ci/run), and an HTML parser for the page."""

import html.parser
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, ROOT, SCENARIOS, gfm

from game.authoring.graph import COMPACT_ABOVE, chart
from game.authoring.library import load_playable
from game.cli.graph import draw
from game.cli.main import main
from game.core.files import write_whole
from game.render.graph import BOXES, GREY, MERMAID_CHARS, MERMAID_EDGES, PATH, to_dot, to_mermaid
from game.render.graph_page import page

MAP = FIXTURES / "map.en.yaml"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))

# Mermaid's flowchart grammar, as far as a map uses it. A label is quoted and
# holds letters, digits, plain punctuation, any non-ASCII character, an
# entity code (#35;) and line breaks (<br/>): nothing that could end it.
_LABEL = r'"((?:[0-9A-Za-z .,:!?\'/+\-_\u0080-\U0010ffff]|#\d+;|<br/>)*)"'
_NODE = re.compile(rf"  ([se]\d+)(?:\[{_LABEL}\]|\(\[{_LABEL}\]\)):::([A-Za-z]+)")
_EDGE = re.compile(rf"  ([se]\d+) (-->|-\.->)\|{_LABEL}\| ([se]\d+)")
_STYLE = r"((?:[a-z-]+:#?\w+,)*[a-z-]+:#?\w+)"
_CLASSDEF = re.compile(rf"  classDef ([A-Za-z]+) {_STYLE}")
_LINKSTYLE = re.compile(rf"  linkStyle (\d+(?:,\d+)*) {_STYLE}")


def _decoded(label):
    return [re.sub(r"#(\d+);", lambda c: chr(int(c.group(1))), line) for line in label.split("<br/>")]


def parse_mermaid(text):
    """Nodes {name: (lines, shape, class)} and edges [(source, arrow, lines, target, style)],
    failing on any line outside the grammar or a name, class or link style that does not add up."""
    lines = text.split("\n")
    assert lines[:2] == ["```mermaid", "flowchart TD"]
    end = lines.index("```")
    nodes, edges, classes, link_styles = {}, [], {}, {}
    for line in lines[2:end]:
        if node := _NODE.fullmatch(line):
            name, box, rounded, cls = node.groups()
            assert name not in nodes
            nodes[name] = (_decoded(box if box is not None else rounded), "box" if box is not None else "rounded", cls)
        elif edge := _EDGE.fullmatch(line):
            edges.append([edge[1], edge[2], _decoded(edge[3]), edge[4], None])
        elif cd := _CLASSDEF.fullmatch(line):
            classes[cd[1]] = dict(part.split(":") for part in cd[2].split(","))
        elif ls := _LINKSTYLE.fullmatch(line):
            for n in ls[1].split(","):
                assert n not in link_styles
                link_styles[n] = dict(part.split(":") for part in ls[2].split(","))
        else:
            pytest.fail(f"not in Mermaid's flowchart grammar: {line!r}")
    assert {cls for _, _, cls in nodes.values()} == set(classes)
    assert all(e[0] in nodes and e[3] in nodes for e in edges)
    assert sorted(map(int, link_styles)) == list(range(len(edges)))  # every edge styled once
    for n, e in enumerate(edges):
        e[4] = link_styles[str(n)]
    return {name: (lines, shape, classes[cls]) for name, (lines, shape, cls) in nodes.items()}, edges


def svg_of(dot_source):
    done = subprocess.run(["dot", "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def parse_svg(svg):
    """{title: (texts, fill, line colour, dashed)} for each node (s1) and edge (s1->s2) Graphviz drew."""
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith(("script", "foreignObject"))]
    assert not [k for e in root.iter() for k in e.attrib if k.lower().startswith("on")]
    found = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("class") in ("node", "edge"):
            shape = next(e for e in g.iter() if e.tag.rsplit("}", 1)[1] in ("polygon", "path"))
            texts = [t.text for t in g.iterfind(".//svg:text", ns)]
            found[g.find("svg:title", ns).text] = (texts, shape.get("fill"), shape.get("stroke"),
                                                   shape.get("stroke-dasharray") is not None)
    return found


@pytest.fixture(scope="module")
def have_dot():
    assert shutil.which("dot"), "Graphviz's dot is needed: .ci/run installs it (apt-get install graphviz)"


# The map ---------------------------------------------------------------------


def test_ways_follow_the_choices_and_the_routes_that_lead_elsewhere():
    the_map = chart(load_playable(MAP))
    ways = {(w.source, w.target, w.routed): ([b.choice.id for b in w.branches], w.recommended, w.on_path) for w in the_map.ways}
    assert ways == {
        ("open", "middle", False): (["ask"], True, True),
        ("open", "detour", False): (["tell"], False, False),
        ("detour", "middle", False): (["back"], True, False),  # recommended, but off the path
        ("detour", "end_weak", False): (["let_go"], False, False),
        ("middle", "end_mixed", False): (["trust_her", "check"], True, True),
        ("middle", "end_strong", True): (["trust_her"], True, True),  # the route that stays adds nothing
        ("middle", "end_unrated", False): (["take_over"], False, False),
    }
    assert the_map.path == {"open", "middle", "end_mixed", "end_strong"}


def test_every_choice_and_every_route_elsewhere_is_on_the_map_of_each_bundled_scenario():
    for path in BUNDLED:
        s = load_playable(path)
        the_map = chart(s)
        drawn = {(w.source, b.number, w.target) for w in the_map.ways for b in w.branches}
        wanted = {(sc.id, n, target) for sc in s.scenes.values() for n, c in enumerate(sc.choices, 1)
                  for target, _ in c.targets}
        assert drawn == wanted, path.name
        assert s.start in the_map.path and any(e in the_map.path for e in s.endings), path.name


# Mermaid ---------------------------------------------------------------------


def test_mermaid_draws_scenes_endings_choices_routes_timers_and_the_path():
    s = load_playable(MAP)
    nodes, edges = parse_mermaid(to_mermaid(chart(s)))
    by_id = {lines[0].removeprefix("▶ "): (name, lines, shape, cls) for name, (lines, shape, cls) in nodes.items()}
    assert set(by_id) == set(s.scenes) | set(s.endings)
    assert by_id["open"][1] == ["▶ open", "The opening", "◷ 30 s"] and by_id["detour"][1] == ["detour"]
    for ending, rating in (("end_strong", "strong"), ("end_mixed", "mixed"), ("end_weak", "weak"), ("end_unrated", "unrated")):
        name, lines, shape, cls = by_id[ending]
        assert shape == "rounded" and cls["fill"] == BOXES[rating][0]
        assert lines[-1] == ("no rating" if rating == "unrated" else rating)
    assert by_id["open"][3]["fill"] == BOXES["timed"][0] and by_id["middle"][3]["fill"] == BOXES["scene"][0]
    assert by_id["middle"][3]["stroke"] == PATH and by_id["detour"][3]["stroke"] != PATH
    named = {v[0]: k for k, v in by_id.items()}
    found = {(named[a], named[b]): (arrow, lines, style["stroke"]) for a, arrow, lines, b, style in edges}
    assert found == {
        ("open", "middle"): ("-->", ["1 Ask her what she needs."], PATH),
        ("open", "detour"): ("-->", ["2 ◷ Tell her what to do."], GREY),
        ("detour", "middle"): ("-->", ["1 Call her back."], "#374151"),
        ("detour", "end_weak"): ("-->", ["2 Let it go."], GREY),
        ("middle", "end_mixed"): ("-->", ["1 Leave it to her.", "2 Check her work. [if trust < 6]"], PATH),
        ("middle", "end_strong"): ("-.->", ["1 if asked and trust ≥ 6"], PATH),
        ("middle", "end_unrated"): ("-->", ["3 Take it over."], GREY),
    }


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_each_bundled_scenario_is_valid_mermaid_within_githubs_limits(path):
    s = load_playable(path)
    text = to_mermaid(chart(s))
    nodes, edges = parse_mermaid(text)
    assert len(nodes) == len(s.scenes) + len(s.endings)
    assert len(edges) <= MERMAID_EDGES and len(text) <= MERMAID_CHARS


def test_a_map_of_200_scenes_is_compact_and_within_githubs_limits(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_scenario import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = tmp_path / "large.en.yaml"
    path.write_text(generate(200), encoding="utf-8")
    the_map = chart(load_playable(path))
    text = to_mermaid(the_map)
    nodes, edges = parse_mermaid(text)
    assert the_map.compact and COMPACT_ABOVE < 200 and len(nodes) == 202
    assert len(edges) <= MERMAID_EDGES and len(text) <= MERMAID_CHARS
    # Numbers only: the choices of a scene into one place share one arrow.
    assert all(re.fullmatch(r"\d+( ◷)?(, \d+( ◷)?)*", lines[0]) for _, _, lines, _, _ in edges)


# Hostile text ------------------------------------------------------------------

HOSTILE = {
    "title: The map": "</svg><img src=x onerror=alert(1)>",
    "title: The opening": '"]; s9-->e1; %%{init:x}%%',
    "text: Ask her what she needs.": "<script>alert(1)</script>",
    "text: Call her back.": r"`md` [a](b) {c} \l",
    "title: Hers": r'&lt;b&gt; #quot; \n \" |x|',
}


@pytest.fixture
def hostile(tmp_path):
    """The map's fixture with a hostile string in place of each text HOSTILE names."""
    text = MAP.read_text(encoding="utf-8")
    for field, evil in HOSTILE.items():
        assert text.count(field) == 1
        text = text.replace(field, f"{field.split(':')[0]}: {json.dumps(evil)}")
    path = tmp_path / "map.en.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _hostile_lines():
    """Each hostile text as a line on the map: a title in its box, a choice after its number."""
    return {("1 " if field.startswith("text") else "") + evil for field, evil in HOSTILE.items()}


def test_hostile_text_stays_text_in_mermaid(hostile):
    text = to_mermaid(chart(load_playable(hostile)))
    # On a Markdown page (as GitHub renders it): the diagram's block and the legend, nothing else.
    assert re.fullmatch(r'<pre lang="mermaid"><code>[^<]*</code></pre>\n<p>[^<]*</p>\n', gfm(text))
    nodes, edges = parse_mermaid(text)
    texts = {line for lines, _, _ in nodes.values() for line in lines} | {line for e in edges for line in e[2]}
    assert _hostile_lines() - {HOSTILE["title: The map"]} <= texts  # Mermaid has no title


def test_hostile_text_stays_text_in_dot(hostile, have_dot):
    svg = svg_of(to_dot(chart(load_playable(hostile)), links=True))
    texts = {t for shown, _, _, _ in parse_svg(svg).values() for t in shown}
    assert _hostile_lines() - {HOSTILE["title: The map"]} <= texts
    assert HOSTILE["title: The map"] in {t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def _read_page(text):
    p = _Page()
    p.feed(text)
    return p


@pytest.mark.parametrize("drawn", [True, False], ids=["with dot", "without dot"])
def test_hostile_text_stays_text_in_the_page(hostile, tmp_path, monkeypatch, capsys, drawn, have_dot):
    if not drawn:
        monkeypatch.setenv("PATH", str(tmp_path))  # no dot to be found
    assert main(["graph", str(hostile), "--format", "html"]) == 0
    out, err = capsys.readouterr()
    p = _read_page(out)
    assert not p.tags & {"script", "img", "iframe", "object", "foreignobject"}
    assert not {a for a in p.attrs if a.startswith("on")}
    assert ("svg" in p.tags) is drawn and ("Graphviz (the program dot) was not found" in out) is not drawn
    assert ("outline only" in err) is not drawn
    text = "".join(p.text)
    assert all(evil in text for evil in HOSTILE.values())


# DOT and the page ------------------------------------------------------------------


def test_dot_draws_what_the_map_holds(have_dot):
    s = load_playable(MAP)
    the_map = chart(s)
    drawn = parse_svg(svg_of(to_dot(the_map)))
    nodes = {texts[0].removeprefix("▶ "): (name, texts, fill) for name, (texts, fill, _, _) in drawn.items() if "->" not in name}
    assert set(nodes) == set(s.scenes) | set(s.endings)
    for ending, rating in (("end_strong", "strong"), ("end_mixed", "mixed"), ("end_weak", "weak"), ("end_unrated", "unrated")):
        assert nodes[ending][2] == BOXES[rating][0]
    assert nodes["open"][2] == BOXES["timed"][0] and nodes["open"][1] == ["▶ open", "The opening", "◷ 30 s"]
    names = {name: place for place, (name, _, _) in nodes.items()}
    edges = {(names[a], names[b]): (texts, stroke, dashed) for key, (texts, _, stroke, dashed) in drawn.items() if "->" in key
             for a, b in [key.split("->")]}
    assert edges == {
        ("open", "middle"): (["1 Ask her what she needs."], PATH, False),
        ("open", "detour"): (["2 ◷ Tell her what to do."], GREY, False),
        ("detour", "middle"): (["1 Call her back."], "#374151", False),
        ("detour", "end_weak"): (["2 Let it go."], GREY, False),
        ("middle", "end_mixed"): (["1 Leave it to her.", "2 Check her work. [if trust < 6]"], PATH, False),
        ("middle", "end_strong"): (["1 if asked and trust ≥ 6"], PATH, True),
        ("middle", "end_unrated"): (["3 Take it over."], GREY, False),
    }


@pytest.mark.parametrize("path", BUNDLED[::2], ids=lambda p: p.name)  # one language of each: the other has the same shape
def test_graphviz_draws_each_bundled_scenario(path, have_dot):
    s = load_playable(path)
    drawn = parse_svg(svg_of(to_dot(chart(s))))
    assert len([k for k in drawn if "->" not in k]) == len(s.scenes) + len(s.endings)


def test_the_page_links_each_box_to_its_place_in_the_outline(have_dot):
    the_map = chart(load_playable(MAP))
    svg, failure = draw(to_dot(the_map, links=True))
    assert failure is None and svg.startswith("<svg")
    text = page(the_map, svg)
    anchors = set(re.findall(r'<section id="([se]\d+)"', text))
    links = set(re.findall(r'xlink:href="#([se]\d+)"', text))
    assert anchors == links == {f"s{i}" for i in (1, 2, 3)} | {f"e{i}" for i in (1, 2, 3, 4)}
    assert "only offered if trust &lt; 6" in text and "not recommended" in text
    assert "◷ 30 s; when the time runs out, choice 2" in text


def test_a_page_says_why_graphviz_drew_nothing(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["graph", str(MAP), "--format", "html"]) == 0
    out, err = capsys.readouterr()
    assert "Graphviz could not draw the map (dot: Error: out of memory)" in out and "<svg" not in out
    assert err.strip() == f"{MAP}: the page holds the outline only: dot: Error: out of memory"


# The command ----------------------------------------------------------------------


def _koers(*args):
    return subprocess.run([sys.executable, "-m", "game", *map(str, args)], capture_output=True, text=True, timeout=60)


def test_an_invalid_file_gets_the_validators_lines_and_exit_2():
    bad = FIXTURES / "bad" / "K101-missing-field.en.yaml"
    out = _koers("graph", bad, "--format", "html")
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines and all(re.match(rf"{re.escape(str(bad))}:\d+:\d+: K\d\d\d ", line) for line in lines)


def test_output_is_written_whole_in_the_format_its_ending_names(tmp_path):
    for name, start in (("map.html", "<!DOCTYPE html>"), ("map.dot", "digraph koers {"), ("map.md", "```mermaid")):
        out = _koers("graph", MAP, "--output", tmp_path / name)
        assert out.returncode == 0 and out.stdout.startswith(f"Wrote {tmp_path / name}"), out.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.dot", "map.html", "map.md"]  # no temporary file left


def test_an_ending_that_names_no_format_is_refused_unless_the_format_is_given(tmp_path):
    out = _koers("graph", MAP, "--output", tmp_path / "map.png")
    assert out.returncode == 2 and out.stderr.startswith(f"koers graph: cannot tell the format of '{tmp_path / 'map.png'}'")
    assert not (tmp_path / "map.png").exists()
    out = _koers("graph", MAP, "--output", tmp_path / "map.txt", "--format", "dot")
    assert out.returncode == 0 and (tmp_path / "map.txt").read_text(encoding="utf-8").startswith("digraph koers {")


def test_output_that_cannot_be_written_is_one_line_and_the_scenario_is_never_overwritten(tmp_path):
    out = _koers("graph", MAP, "--output", tmp_path / "missing" / "map.md")
    assert out.returncode == 2 and out.stderr.startswith(f"{tmp_path / 'missing' / 'map.md'}:1:1: K012 cannot write the map")
    assert len(out.stderr.strip().splitlines()) == 1
    copy = tmp_path / "map.en.yaml"
    shutil.copy(MAP, copy)
    out = _koers("graph", copy, "--output", copy)
    assert out.returncode == 2 and copy.read_bytes() == MAP.read_bytes()


def test_a_write_that_fails_leaves_the_old_map_and_no_temporary_file(tmp_path):
    old = tmp_path / "map.md"
    old.write_text("the old map", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):  # fails mid-write, as a full disk would
        write_whole(old, "a new map " * 1000 + "\ud800")
    assert old.read_text(encoding="utf-8") == "the old map" and [p.name for p in tmp_path.iterdir()] == ["map.md"]
    write_whole(old, "the new map")
    assert old.read_text(encoding="utf-8") == "the new map" and [p.name for p in tmp_path.iterdir()] == ["map.md"]
