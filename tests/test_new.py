"""``koers new``: the format's example to start from, and a translation's
skeleton with every text marked (game/authoring/starter.py, game/cli/new.py)."""

import re

import attrs
import pytest

from conftest import FIXTURES, ROOT, SCENARIOS
from game.authoring.library import check_files
from game.authoring.loader import load, read, texts
from game.authoring.parity import translation
from game.authoring.starter import MARK, TEMPLATES, skeleton, template
from game.cli.main import main
from game.core.diagnostics import Severity

BASE = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")
ORIGINALS = sorted(p for p in SCENARIOS.glob("*.yaml") if load(p).translates is None)


def new(capsys, *argv):
    code = main(["new", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def findings(*paths):
    return {r.path: [(d.code, d.line, d.col) for d in r.diagnostics] for r in check_files(paths)}


# -- the scenario to start from ------------------------------------------------

def test_the_english_template_is_the_example_in_the_format_doc():
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    assert (TEMPLATES / "scenario.en.yaml").read_text(encoding="utf-8") == example


def test_the_dutch_template_is_the_same_story():
    """Parity, as for a translation: the same ids, numbers, conditions and shape."""
    en, nl = (load(TEMPLATES / f"scenario.{lang}.yaml") for lang in ("en", "nl"))
    found = []
    translation(attrs.evolve(nl, translates="en"), lambda at, code, message: found.append(message), en)
    assert found == [] and nl.language == "nl" and nl.title != en.title


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_writes_a_clean_scenario_with_its_id(capsys, tmp_path, monkeypatch, language):
    monkeypatch.chdir(tmp_path)
    code, out, err = new(capsys, "team-talk", "--language", language)
    path = tmp_path / f"team-talk.{language}.yaml"
    assert (code, err) == (0, "") and f"Wrote team-talk.{language}.yaml" in out
    assert f"koers validate --strict team-talk.{language}.yaml" in out
    scenario = load(path)
    assert (scenario.id, scenario.language) == ("team-talk", language)
    assert findings(path) == {str(path): []}  # no error, warning or note: --strict passes
    assert main(["validate", "--strict", str(path)]) == 0
    assert "# letters, digits" in path.read_text(encoding="utf-8") or "# letters, cijfers" in path.read_text(encoding="utf-8")


def test_the_id_keeps_the_comment_apart_however_long():
    long_id = "a-very-long-scenario-id-for-a-workshop"
    line = next(line for line in template(long_id, "en").splitlines() if line.startswith("id:"))
    assert line.startswith(f"id: {long_id} # letters")
    line = next(line for line in template("x", "en").splitlines() if line.startswith("id:"))
    assert line.index("#") == next(line for line in template("friday-report", "en").splitlines() if line.startswith("id:")).index("#")


def test_output_goes_where_asked(capsys, tmp_path):
    target = tmp_path / "drafts" / "mine.yaml"
    target.parent.mkdir()
    code, out, _ = new(capsys, "mine", "--language", "en", "--output", target)
    assert code == 0 and load(target).id == "mine"


def test_new_never_writes_over_a_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team-talk.nl.yaml").write_text("my own work", encoding="utf-8")
    code, out, err = new(capsys, "team-talk", "--language", "nl")
    assert code == 2 and out == ""
    assert err == ("team-talk.nl.yaml:1:1: K012 cannot write the scenario: it exists already, and koers new never "
                   "writes over a file: remove it or give --output\n")
    assert (tmp_path / "team-talk.nl.yaml").read_text(encoding="utf-8") == "my own work"


def test_a_folder_that_is_not_there_is_one_line(capsys, tmp_path):
    code, _, err = new(capsys, "x", "--language", "en", "--output", tmp_path / "missing" / "x.en.yaml")
    assert code == 2 and err == f"{tmp_path / 'missing' / 'x.en.yaml'}:1:1: K012 cannot write the scenario: No such file or directory\n"


@pytest.mark.parametrize("bad", ["Team Talk", "teamTalk", "team.talk", "_x", "ü"])
def test_a_bad_id_is_one_line_and_writes_nothing(capsys, tmp_path, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    code, out, err = new(capsys, bad, "--language", "en")
    assert code == 2 and out == "" and list(tmp_path.iterdir()) == []
    assert err == f"koers new: '{bad}' is not a valid id: use lower-case letters, digits, '-' and '_', as in friday-report\n"


# -- the skeleton of a translation ---------------------------------------------

def unmarked(value):
    """A model value with every marker taken out of its texts."""
    if isinstance(value, str):
        return value.replace(MARK, "", 1)
    if isinstance(value, tuple):
        return tuple(unmarked(v) for v in value)
    if isinstance(value, dict):
        return {k: unmarked(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return attrs.evolve(value, **{f.alias: unmarked(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.init})
    return value


def write_skeleton(original, language):
    made = skeleton(str(original), load(original).id, language)
    path = original.parent / f"{load(original).id}.{language}.yaml"
    path.write_text(made.text, encoding="utf-8")
    return made, path


@pytest.mark.parametrize("original", [TEMPLATES / "scenario.nl.yaml", *ORIGINALS], ids=lambda p: p.name)
def test_a_skeleton_keeps_everything_but_the_words(tmp_path, original):
    copy = tmp_path / original.name
    copy.write_bytes(original.read_bytes())
    made, path = write_skeleton(copy, "en")
    source, skeleton_model = load(copy), load(path)
    assert (skeleton_model.language, skeleton_model.translates) == ("en", source.language)
    # Ids, conditions, numbers, the version: all as they were, and every text marked.
    assert unmarked(skeleton_model) == attrs.evolve(source, language="en", translates=source.language)
    _, events = texts(read(str(path)), str(path))
    words = [e.value for e in events if e.value.strip()]
    assert len(words) == made.marked > 20 and all(MARK in w for w in words)
    # Validated with its original: parity passes, and only the markers are warned about.
    theirs, mine = check_files([copy, path])
    assert {d.code for d in mine.diagnostics if d.severity >= Severity.WARNING} == {"K224"}
    assert [d.code for d in mine.diagnostics if d.code != "K224"] == [d.code for d in theirs.diagnostics]  # notes
    marks = [d for d in mine.diagnostics if d.code == "K224"]
    assert len(marks) == 11  # ten by their place, then one line that counts the rest
    lines = made.text.splitlines()
    for d in marks[:10]:
        assert lines[d.line - 1][d.col - 1:].startswith("[translate] ")
    assert marks[10].message.startswith(f"{made.marked - 10:,} more texts are marked [translate] from here on, {made.marked:,} in all")
    # Translated (here: the markers taken out), the pair is clean.
    path.write_text(made.text.replace(MARK, ""), encoding="utf-8")
    after = check_files([copy, path])[1]
    assert [d for d in after.diagnostics if d.severity >= Severity.WARNING] == []


def test_few_markers_are_each_named(tmp_path):
    original = tmp_path / "base.en.yaml"
    original.write_text(BASE, encoding="utf-8")
    _, path = write_skeleton(original, "nl")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(MARK, "", text.count(MARK) - 3), encoding="utf-8")  # all but three translated
    marks = findings(original, path)[str(path)]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [code for code, _, _ in marks] == ["K224"] * 3
    assert all(lines[line - 1][col - 1:].startswith(MARK) for _, line, col in marks)


TRICKY = """\
koers: 1
id: tricky
title: "  Leading spaces, \\"escapes\\" and a line\\u2028separator"
language: nl
version: '1'
# translates: en   # where a translation says so
summary: A plain text
  over two lines, with it's apostrophe
minutes: 1
characters: [{id: ann, name: Ann, role: 'it''s a role'}]
start: one
scenes:
  - id: one
    speaker: ann
    text: |2

        More indented than its block, after a blank line.
      Back.
    choices:
      - {id: go, text: Go on now, next: end}
      - id: stay
        text: >-   # a comment on the header
          Folded
          lines.
        next: end
endings:
  - id: end
    title: The end
    text: |
      Done.
    rating: strong
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_every_way_of_writing_a_text_is_marked_and_reads_back(tmp_path, newline):
    original = tmp_path / "tricky.nl.yaml"
    original.write_bytes(TRICKY.replace("\n", newline).encode("utf-8"))
    made, path = write_skeleton(original, "en")
    assert unmarked(load(path)) == attrs.evolve(load(original), language="en", translates="nl")
    # Each text reads as the marker before its first word, then the original's words as they were.
    before, after = (texts(read(str(p)), str(p))[1] for p in (original, path))
    for old, marked in zip(before, after, strict=True):
        lead = len(old.value) - len(old.value.lstrip())
        assert marked.value == old.value[:lead] + MARK + old.value[lead:]
    assert f"\ntranslates: nl     # the language of the original, tricky.nl.yaml{newline}summary:" in made.text
    assert made.text.count("\r\n") == (made.text.count("\n") if newline == "\r\n" else 0)
    theirs, mine = check_files([original, path])
    assert [d.code for d in mine.diagnostics if d.code != "K224"] == [d.code for d in theirs.diagnostics]
    assert sum(d.code == "K224" for d in mine.diagnostics) == made.marked == 9  # the texts of TRICKY


def test_a_flow_mapping_scenario_gets_its_translates_too(tmp_path):
    original = tmp_path / "flow.en.yaml"
    flow = ("{koers: 1, id: flow, title: Flow, language: en, version: '1', summary: S, minutes: 1, "
            "characters: [{id: ann, name: Ann}], start: one, scenes: [{id: one, speaker: ann, text: Hi, "
            "choices: [{id: go, text: Go, next: end}]}], endings: [{id: end, title: End, text: Bye, rating: strong}]}\n")
    original.write_text(flow, encoding="utf-8")
    made, path = write_skeleton(original, "nl")
    assert (load(path).language, load(path).translates) == ("nl", "en")
    assert unmarked(load(path)) == attrs.evolve(load(original), language="nl", translates="en")


def test_the_command_writes_beside_the_original(capsys, tmp_path):
    original = tmp_path / "room" / "base.en.yaml"
    original.parent.mkdir()
    original.write_text(BASE, encoding="utf-8")
    code, out, err = new(capsys, "base", "--translate", original, "--language", "nl")
    assert code == 0 and err == ""
    assert out.splitlines() == [  # base.en.yaml holds 21 texts, from its title to the concept's why
        f"Wrote {original.parent / 'base.nl.yaml'}: 21 texts marked [translate] for the translator.",
        "Translate each, marker and all (K224 warns while one is left). Check the pair:",
        f"  koers validate --strict {original} {original.parent / 'base.nl.yaml'}"]
    assert main(["validate", "--strict", str(original), str(original.parent / "base.nl.yaml")]) == 1
    # Once more: the file is there now, and it is left as it is.
    before = (original.parent / "base.nl.yaml").read_bytes()
    code, _, err = new(capsys, "base", "--translate", original, "--language", "nl")
    assert code == 2 and " K012 cannot write the scenario: it exists already" in err
    assert (original.parent / "base.nl.yaml").read_bytes() == before


@pytest.mark.parametrize("argv, message", [
    (["delegation", "--translate", SCENARIOS / "delegation.en.yaml", "--language", "nl"],
     f"koers new: {SCENARIOS / 'delegation.en.yaml'} is itself a translation (of its 'nl' original): translate the original"),
    (["delegation", "--translate", SCENARIOS / "delegation.nl.yaml", "--language", "nl"],
     f"koers new: {SCENARIOS / 'delegation.nl.yaml'} is in 'nl' already: give the language to translate into"),
    (["other", "--translate", SCENARIOS / "delegation.nl.yaml", "--language", "en"],
     "koers new: a translation keeps the id of its original, 'delegation', not 'other'"),
])
def test_what_cannot_be_translated_is_one_line(capsys, tmp_path, argv, message):
    code, out, err = new(capsys, *argv, "--output", tmp_path / "out.yaml")
    assert (code, out, err) == (2, "", message + "\n") and not (tmp_path / "out.yaml").exists()


def test_a_broken_original_gives_its_errors(capsys, tmp_path):
    original = tmp_path / "base.en.yaml"
    original.write_text(BASE.replace("next: two", "next: tw0", 1), encoding="utf-8")
    code, out, err = new(capsys, "base", "--translate", original, "--language", "nl")
    assert code == 2 and out == "" and err.startswith(f"{original}:") and " K201 " in err
    assert not (tmp_path / "base.nl.yaml").exists()
