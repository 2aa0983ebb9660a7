"""`koers schema`: the JSON Schema an editor checks a scenario with, written
from the parts the loader reads along. Each file is checked as an editor sees
it: YAML 1.2, in which a plain 5 is a number and a plain `no` is text."""

import errno
import json
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT, SCENARIOS
from game.authoring.loader import load, loads
from game.authoring.schema import schema, schema_text
from game.authoring.starter import TEMPLATES
from game.cli.main import main
from game.core import files
from game.core.diagnostics import ScenarioError

COMMITTED = ROOT / "docs" / "koers.schema.json"
HEADER = "# yaml-language-server: $schema=../docs/koers.schema.json\n"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(schema())

# The YAML 1.2 core schema, as the Red Hat YAML extension reads a plain scalar.
_NULL = re.compile(r"(~|null|Null|NULL|)\Z")
_BOOL = {word: value for value in (True, False) for word in (str(value).lower(), str(value), str(value).upper())}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def _seen(node):
    if isinstance(node, yaml.MappingNode):
        return {str(_seen(key)): _seen(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_seen(item) for item in node.value]
    text = node.value
    if node.style:  # quoted, or a block: text
        return text
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def as_editor_sees(text):
    return _seen(yaml.compose(text, Loader=yaml.SafeLoader))


def errors(text, validator=VALIDATOR):
    return sorted(validator.iter_errors(as_editor_sees(text)), key=lambda e: e.json_path)


def format_example():
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    return re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_committed_schema_is_what_the_command_prints(capsys, tmp_path):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == schema_text() == COMMITTED.read_text(encoding="utf-8"), "run: koers schema > docs/koers.schema.json"
    out = tmp_path / "koers.schema.json"
    assert main(["schema", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed and capsys.readouterr().out == ""


def test_a_schema_that_cannot_be_written_is_one_line_and_leaves_the_old_file(capsys, tmp_path, monkeypatch):
    assert main(["schema", "--output", str(tmp_path / "missing" / "koers.schema.json")]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r".*koers\.schema\.json:1:1: K012 cannot write the schema: No such file or directory\n", err)
    old = tmp_path / "koers.schema.json"
    old.write_text("old", encoding="utf-8")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    assert main(["schema", "--output", str(old)]) == 2
    assert capsys.readouterr().err == f"{old}:1:1: K012 cannot write the schema: No space left on device\n"
    assert old.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["koers.schema.json"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_points_at_the_schema_and_meets_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert (path.parent / "../docs/koers.schema.json").resolve() == COMMITTED
    assert errors(text) == []


@pytest.mark.parametrize("text", [format_example(), (TEMPLATES / "scenario.nl.yaml").read_text(encoding="utf-8"),
                                  *(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.en.yaml")))],
                         ids=["format-example", "format-example-nl", *(p.name for p in sorted(FIXTURES.glob("*.en.yaml")))])
def test_the_format_example_and_the_clean_fixtures_meet_it(text):
    assert errors(text) == []


@pytest.mark.parametrize("name, where, keyword", [
    ("K103-unknown-field", "$.scenes[0].choices[0]", "additionalProperties"),  # efects: {trust: 1}
    ("K102-wrong-type", "$.scenes[1].choices", "type"),  # choices: go on
    ("K104-bad-rating", "$.endings[0].rating", "enum"),  # rating: great
    ("K104-yes-is-not-true", "$.scenes[0].choices[1].recommended", "type"),  # recommended: no
    ("K101-missing-field", "$.scenes[0].choices[1]", "required"),  # a choice without next
    ("K105-format-version", "$.koers", "const"),
])
def test_the_schema_level_bad_fixtures_fail_it_where_the_loader_does(name, where, keyword):
    (found,) = errors((FIXTURES / "bad" / f"{name}.en.yaml").read_text(encoding="utf-8"))
    assert (found.json_path, found.validator) == (where, keyword), found.message


def loader_verdict(path):
    """'yaml' for what the YAML layer refuses (K0xx), 'refused' for a shape problem (K1xx), else 'read'
    (a duplicate id, K202, the loader finds too, as the validator finds the other references)."""
    try:
        load(path)
    except ScenarioError as exc:
        codes = {d.code[:2] for d in exc.diagnostics}
        return "yaml" if "K0" in codes else "refused" if "K1" in codes else "read"
    return "read"


#: What the loader refuses and an editor's YAML cannot tell apart from what it accepts.
UNSEEN = {"K104-bad-value.en": "YAML 1.2 reads start: 0755 as the number 755; the loader refuses the leading 0"}


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_the_schema_fails_a_file_exactly_when_the_loader_refuses_its_shape(path):
    verdict = loader_verdict(path)
    if verdict == "yaml":
        return  # syntax, aliases, tags, duplicate keys: the editor's YAML parser reports these itself
    failed = bool(errors(path.read_text(encoding="utf-8")))
    assert failed == (verdict == "refused" and path.stem not in UNSEEN), verdict


@pytest.mark.parametrize("old, new, where", [
    ("language: en", "language: de", "$.language"),
    ("minutes: 1", "minutes: 0", "$.minutes"),
    ("{id: ann,", "{id: Ann Smit,", "$.characters[0].id"),
    ("effects: {trust: 1}", "effects: {trust: 1.5}", "$.scenes[0].choices[0].effects.trust"),
    ("effects: {trust: 1}", "effects: {Trust: 1}", "$.scenes[0].choices[0].effects"),
    ("    max: 10\n", "    max: 1234567890\n", "$.meters[0].max"),
    ("      - when: {flag: asked}\n", "      - when: {flag: asked, at_lest: 3}\n", "$.scenes[1].variants[0].when"),
    ("    text: Then?\n", "    text: {a: b}\n", "$.scenes[1].text"),
    ("    text: Then?\n", "    text:\n      - when: {flag: asked}\n", "$.scenes[1].text"),
])
def test_a_bad_value_fails_both_the_loader_and_the_schema(base_text, old, new, where):
    assert old in base_text
    text = base_text.replace(old, new, 1)
    with pytest.raises(ScenarioError):
        loads(text.encode())
    assert where in [e.json_path for e in errors(text)]


@pytest.mark.parametrize("old, new", [
    ('version: "1"', "version: 1.0"),  # a number where text belongs is text
    ("asked", "2024"),  # an id of digits, declared, set and tested
    ("    text: Then?\n", "    text:\n      - Then?\n      - when: {flag: asked}\n        text: Thanks.\n"),
])
def test_what_the_loader_reads_the_schema_accepts(base_text, old, new):
    assert old in base_text
    text = base_text.replace(old, new)
    loads(text.encode())
    assert errors(text) == []


def test_the_schema_means_the_same_in_draft_07_as_editors_read_it():
    draft7 = jsonschema.Draft7Validator(schema())
    jsonschema.Draft7Validator.check_schema(schema())
    for path in [*BUNDLED, *BAD]:
        try:
            text = path.read_text(encoding="utf-8")
            as_editor_sees(text)
        except (UnicodeDecodeError, yaml.YAMLError):
            continue
        assert [e.json_path for e in errors(text, draft7)] == [e.json_path for e in errors(text)], path.name


def test_every_field_says_what_it_is_for_and_ids_say_what_they_name():
    defs = {"scenario": schema(), **schema()["$defs"]}
    for name, part in defs.items():
        assert part["description"] and part["additionalProperties"] is False, name
        for key, field in part["properties"].items():
            assert field["description"].endswith((".", "?")), (name, key)
    assert "names a scene or an ending declared in this file" in defs["choice"]["properties"]["next"]["description"]
    assert defs["ending"]["properties"]["rating"]["enum"] == ["strong", "mixed", "weak"]
    assert json.loads(schema_text()) == schema()


def test_the_command_needs_neither_the_parser_nor_textual():
    """docs/performance.md: the declarations are plain data, so printing them reads no YAML."""
    code = "from game.cli.main import main; main(['schema']); import sys; print(' '.join(sys.modules), file=sys.stderr)"
    modules = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr.split())
    assert {"yaml", "textual", "game.authoring.loader", "game.authoring.fields"} & modules == set()
    assert "game.authoring.parts" in modules
