"""Validator behaviour beyond the one-fixture-per-code tests in test_loader.py."""

import re
import subprocess
import sys

from conftest import FIXTURES, ROOT
from game.authoring.loader import loads
from game.authoring.library import check_files
from game.authoring.validator import validate


def findings(paths):
    """Each file's diagnostics, by path."""
    return {r.path: list(r.diagnostics) for r in check_files(paths)}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_base_fixture_is_clean():
    assert findings([str(FIXTURES / "base.en.yaml")]) == {str(FIXTURES / "base.en.yaml"): []}


def test_doc_example_validates_cleanly(tmp_path):
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    path = write(tmp_path, "friday-report.en.yaml", example)
    assert findings([path]) == {path: []}


def translation_of(base_text):
    nl = base_text.replace("language: en", "language: nl").replace("Hello.", "Hallo.")
    en = base_text.replace("language: en", "language: en\ntranslates: nl")
    return nl, en


def test_matching_translation_is_clean(tmp_path, base_text):
    nl, en = translation_of(base_text)
    paths = [write(tmp_path, "base.nl.yaml", nl), write(tmp_path, "base.en.yaml", en)]
    assert findings(paths) == {p: [] for p in paths}


def test_translation_found_beside_the_file(tmp_path, base_text):
    nl, en = translation_of(base_text)
    write(tmp_path, "base.nl.yaml", nl.replace("  - id: bad\n", "  - id: awful\n").replace("next: bad", "next: awful"))
    en_path = write(tmp_path, "base.en.yaml", en)
    found = findings([en_path])[en_path]
    assert {d.code for d in found} == {"K212"}
    messages = " | ".join(d.message for d in found)
    assert "ending 'bad' is in this translation but not in the original (nl)" in messages
    assert "ending 'awful' is in the original (nl) but not in this translation" in messages


def test_translation_with_different_choices(tmp_path, base_text):
    nl, en = translation_of(base_text)
    nl_path = write(tmp_path, "base.nl.yaml", nl.replace("effects: {trust: 1}", "effects: {trust: 2}"))
    en_path = write(tmp_path, "base.en.yaml", en)
    (d,) = findings([nl_path, en_path])[en_path]
    assert (d.code, d.line, d.col) == ("K212", 29, 9)
    assert "choice 'ask' in scene 'one' differs" in d.message


def test_translation_without_its_original(tmp_path, base_text):
    _, en = translation_of(base_text)
    en_path = write(tmp_path, "base.en.yaml", en)
    assert [d.code for d in findings([en_path])[en_path]] == ["K218"]


def test_meter_overflow_follows_paths_not_single_effects(base_text):
    # +4 then +4 from 5 overflows 10 only on the path that takes both.
    text = base_text.replace("effects: {trust: 1}", "effects: {trust: 4}")
    text = text.replace("        text: Go on.\n", "        text: Go on.\n        effects: {trust: 1}\n")
    assert validate(loads(text.encode())) == []
    over = validate(loads(text.replace("effects: {trust: 1}", "effects: {trust: 2}").encode()))
    assert [(d.code, d.line) for d in over] == [("K216", 49)]


def test_judging_words_in_dutch(base_text):
    text = base_text.replace("        text: Tell.\n", "        text: Tell.\n        consequence: Goed zo, Ann knikt.\n")
    assert [d.code for d in validate(loads(text.encode()))] == ["K301"]
    shown = base_text.replace("        text: Tell.\n", "        text: Tell.\n        consequence: Ann knikt en kijkt weg.\n")
    assert validate(loads(shown.encode())) == []


def test_cli_validate_exit_codes_and_json(tmp_path, base_text):
    clean = write(tmp_path, "clean.en.yaml", base_text)
    # Three scenarios of their own: two files of one id and language would be duplicates (K223).
    warn = write(tmp_path, "warn.en.yaml", base_text.replace("    rating: weak\n", "").replace("id: base\n", "id: warn\n", 1))
    broken = write(tmp_path, "broken.en.yaml", base_text.replace("next: two", "next: tw0", 1).replace("id: base\n", "id: broken\n", 1))

    def koers(*args):
        return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=tmp_path)

    assert koers("validate", clean).returncode == 0
    assert koers("validate", warn).returncode == 0
    strict = koers("validate", "--strict", warn)
    assert strict.returncode == 1
    assert strict.stdout.startswith(f"{warn}:59:5: K304 ")
    result = koers("validate", "--format", "json", clean, warn, broken)
    assert result.returncode == 2
    import json

    rows = json.loads(result.stdout)
    assert [(r["path"], r["code"], r["severity"]) for r in rows] == [
        (warn, "K304", "warning"),
        (broken, "K201", "error"),
    ]
    assert "Traceback" not in result.stderr


def test_route_targets_are_checked(base_text):
    text = base_text.replace(
        "        text: Stop.\n        next: bad\n",
        "        text: Stop.\n        next: bad\n        routes:\n          - when: {flag: asked}\n            next: godo\n",
    )
    found = validate(loads(text.encode()))
    assert [(d.code, d.line, d.col) for d in found] == [("K201", 56, 19)]
    assert "did you mean 'good'?" in found[0].message
