"""The group debrief's exports: golden Markdown and CSV, and hostile text kept harmless.

After a deliberate change to an export, regenerate the golden files with
``KOERS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_group_export.py``
and read the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from conftest import gfm

from game.authoring.library import Library
from game.debrief.collect import collect
from game.debrief.group import debrief
from game.render.group_csv import _cell, to_csv
from game.render.group_export import to_html, to_markdown, to_text
from test_group import play, put, write_scenarios

GOLDEN = Path(__file__).resolve().parent / "golden"
HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://x/y.png) **b** | `c` \x1b[31mred\x07"


@pytest.fixture
def lib(tmp_path):
    return Library([write_scenarios(tmp_path / "scenarios", nl=True, timer=True)])


def room(folder: Path, lib, player: str = "Ann", session: str = "S1", answer: str = "I asked first.") -> Path:
    en, nl = lib.languages("base")["en"], lib.languages("base")["nl"]
    for n in range(4):
        put(folder, play(en, n, ["ask", "go"], ms=2000 + 500 * n, player=f"{player}{n}", session=session,
                         shared={0: (f"{answer} ({n})", n < 2)}))
    for n in range(4, 6):
        put(folder, play(nl, n, ["tell", "stop"], ms=9000, timed_out=n == 4, session=session))
    put(folder, play(en, 6, ["tell"], ms=4000, session=session))
    return folder


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KOERS_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="")
    with open(path, encoding="utf-8", newline="") as f:
        assert text == f.read()


def test_markdown_export_matches_the_golden_file(tmp_path, lib):
    report = debrief(collect([room(tmp_path / "room", lib)]), lib, session="S1")
    check_golden("group.md", to_markdown(report))


def test_csv_export_matches_the_golden_file(tmp_path, lib):
    report = debrief(collect([room(tmp_path / "room", lib)]), lib)
    check_golden("group.csv", to_csv(report))


def test_csv_has_one_row_per_decision_per_playthrough(tmp_path, lib):
    report = debrief(collect([room(tmp_path / "room", lib)]), lib)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert len(rows) == 4 * 2 + 2 * 2 + 1
    assert {r["player"] for r in rows} == {f"player {i}" for i in range(1, 6)}  # players 5 to 7 share a name
    assert {r["playthrough"] for r in rows} == {str(i) for i in range(1, 8)}  # seven playthroughs told apart
    assert [r["timed_out"] for r in rows].count("yes") == 1


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\0", " =", "\n="])
def test_a_csv_cell_never_starts_a_formula(lead):
    cell = _cell(lead + "HYPERLINK(\"http://evil\")")
    assert cell.startswith("'")
    assert "\0" not in cell and "\t" not in cell


def test_hostile_names_and_sessions_are_neutralised_in_the_csv(tmp_path, lib):
    folder = room(tmp_path / "room", lib, player="=cmd|' /C calc'!A", session="@SUM(A1:A9)")
    report = debrief(collect([folder]), lib, names=True)
    rows = list(csv.reader(io.StringIO(to_csv(report))))[1:]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\0")), cell
    assert rows[0][0] == "'@SUM(A1:A9)" and rows[0][1] == "'=cmd|' /C calc'!A0"


def test_min_group_csv_holds_the_reports_counts(tmp_path, lib):
    report = debrief(collect([room(tmp_path / "room", lib)]), lib, min_group=3)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    # 4 asked and 3 told: both shown. 4 went on and 2 stopped, 1 never came to it: 2 and 1 are hidden.
    first = {r["item"]: r["count"] for r in rows if r["table"] == "choice" and r["decision"] == "1"}
    second = {r["item"]: r["count"] for r in rows if r["table"] == "choice" and r["decision"] == "2"}
    assert first == {"ask": "4", "tell": "3"} and second == {"go": "4", "stop": "(hidden)"}
    assert [r["count"] for r in rows if r["table"] == "reached"] == ["7", "(hidden)"]


def test_hostile_text_is_escaped_in_html_markdown_and_text(tmp_path, lib):
    folder = room(tmp_path / "room", lib, player=HOSTILE, session=HOSTILE, answer=HOSTILE)
    report = debrief(collect([folder]), lib, names=True, session=HOSTILE)
    page = to_html(report)
    assert "<script" not in page and "\x1b" not in page and "\x07" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "src=" not in page and "<a " not in page  # nothing to fetch or follow
    notes = to_markdown(report)
    assert "\x1b" not in notes
    shown = gfm(notes)  # as GitHub renders it
    assert "<script" not in shown and "<a " not in shown and "<img" not in shown
    assert "&lt;/script&gt; [click](javascript:alert(1))" in shown
    text = to_text(report)
    assert "\x1b" not in text and "\x07" not in text


def test_why_a_rejected_option_tempts_is_in_every_report(tmp_path, lib):
    report = debrief(collect([room(tmp_path / "room", lib)]), lib)
    page = to_html(report)
    assert "<h4>Why the other options tempt</h4><ul>\n<li><em>Tell.</em> It is quicker.</li>\n</ul>" in page
    assert "- *Tell.* It is quicker." in to_markdown(report)


def test_a_timers_own_coaching_is_marked_as_running_out(tmp_path):
    from types import SimpleNamespace

    from conftest import FIXTURES
    from game.authoring.loader import load
    from game.render.group_export import coaching_notes

    text = (FIXTURES / "features.en.yaml").read_text(encoding="utf-8").replace(
        "      set: [waited]\n", "      set: [waited]\n      coaching: Silence answered for you.\n", 1)
    path = tmp_path / "features.en.yaml"
    path.write_text(text, encoding="utf-8")
    scene = next(s for s in load(path).scenes.values() if s.timer is not None)
    dec = SimpleNamespace(options=[SimpleNamespace(choices=scene.choices)], scene=scene)
    tell = next(c for c in scene.choices if c.id == scene.timer.timeout)
    notes = coaching_notes(dec, "en")
    assert (f"{tell.text} (time ran out)", "Silence answered for you.") in notes
    assert all(not words.endswith("(time ran out)") for words, note in notes if note != "Silence answered for you.")
