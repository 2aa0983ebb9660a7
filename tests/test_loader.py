"""The loader: every kind of bad input gets one coded line, never a traceback."""

import re
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from game.authoring import yamlsafe
from game.core.diagnostics import CODES, ScenarioError
from game.authoring.loader import load, loads
from game.authoring.validator import validate

BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
HEADER = re.compile(rb"# (K\d{3}) at (\d+):(\d+): ")
LINE = re.compile(r"^[^\n]+:\d+:\d+: [KS]\d{3} [^\n]+$")


def findings(path):
    try:
        scenario = load(path)
    except ScenarioError as exc:
        return exc.diagnostics
    return validate(scenario)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_reports_its_code_at_its_place(path):
    code, line, col = HEADER.match(path.read_bytes()).groups()
    found = findings(path)
    assert (code.decode(), int(line), int(col)) in [(d.code, d.line, d.col) for d in found], found
    for d in found:
        assert LINE.match(str(d)) and d.path == str(path)


def test_every_code_has_a_bad_fixture_or_a_test_of_its_own():
    covered = {p.name[:4] for p in BAD}
    own = {"K002", "K011", "K012", "K013", "K212", "K218", "K223"}  # tested below, in test_validator.py and test_library.py
    assert {c for c in CODES if c.startswith("K")} - covered - own == set()


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsafe, "MAX_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("title: " + "x" * 2000)
    with pytest.raises(ScenarioError) as exc:
        load(path)
    (d,) = exc.value.diagnostics
    assert (d.code, d.line, d.col) == ("K002", 1, 1)
    assert "limit of 1,000 bytes" in d.message


def test_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load(tmp_path / "missing.yaml")
    assert [d.code for d in exc.value.diagnostics] == ["K011"]
    assert str(exc.value.diagnostics[0]).startswith(str(tmp_path / "missing.yaml") + ":1:1: K011 ")


def test_yaml_1_1_surprises_stay_text(base_text):
    text = base_text.replace("title: Base", "title: no").replace("version: \"1\"", "version: 2025-01-01")
    text = text.replace("    text: Hello.", "    text: on").replace("text: Go on.", "text: 12:30")
    scenario = loads(text.encode())
    assert scenario.title == "no"
    assert scenario.version == "2025-01-01"
    assert scenario.scenes["one"].text.common == "on"
    assert scenario.scenes["two"].choices[0].text == "12:30"


@pytest.mark.parametrize("value", ["0755", "0x10", "1_000", "12:30", "5.0", "'5'", "yes", "~"])
def test_number_fields_refuse_anything_but_a_plain_whole_number(base_text, value):
    with pytest.raises(ScenarioError) as exc:
        loads(base_text.replace("    start: 5", f"    start: {value}").encode())
    assert [d.code for d in exc.value.diagnostics] == ["K104"]


def test_billion_laughs_is_refused_before_expansion():
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        lol += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    with pytest.raises(ScenarioError) as exc:
        loads(lol.encode())
    assert [(d.code, d.line, d.col) for d in exc.value.diagnostics] == [("K006", 1, 4)]


@pytest.mark.parametrize("opener", ["[", "{", "- ", "a:\n" ])
def test_very_deep_nesting_is_refused(opener):
    if opener == "a:\n":
        text = "".join(" " * i + "a:\n" for i in range(300))
    else:
        text = opener * 30_000
    with pytest.raises(ScenarioError) as exc:
        loads(text.encode())
    assert [d.code for d in exc.value.diagnostics] == ["K005"]


def test_schema_errors_are_collected_not_stopped_at(base_text):
    text = base_text.replace("next: two", "nxt: two", 1).replace("    start: 5", "    start: x")
    with pytest.raises(ScenarioError) as exc:
        loads(text.encode())
    assert sorted(d.code for d in exc.value.diagnostics) == ["K101", "K103", "K104"]


def test_byte_order_mark_is_accepted(base_text):
    assert loads(b"\xef\xbb\xbf" + base_text.encode()).id == "base"


def test_markup_in_text_is_kept_verbatim(base_text):
    hostile = "[@click=app.quit]x[/] Zed [/bold]"
    scenario = loads(base_text.replace("    text: Hello.", f"    text: '{hostile}'").encode())
    assert scenario.scenes["one"].text.common == hostile


# -- property: whatever the input, only ScenarioError comes out -------------------

KEYS = ["koers", "id", "title", "scenes", "choices", "next", "text", "when", "effects", "meters",
        "min", "max", "start", "timer", "seconds", "timeout", "flag", "meter", "any", "all", "x"]
scalars = st.one_of(
    st.sampled_from(["yes", "no", "on", "0755", "12:30", "2025-01-01", "~", "", "1e3", "-1", "a b", "!x", "&a", "*a"]),
    st.integers(-5, 12),
    st.text(string.printable, max_size=8),
)
trees = st.recursive(
    scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(KEYS), kids, max_size=5)),
    max_leaves=25,
)
noise = st.sampled_from(["&a ", "*a", "!!str ", "!x ", "? ", "- ", ": ", "[", "]", "{", "}", "\t", "\n", "---\n",
                         "'", '"', "#", "\\", "\x1b", "\x00", "\xff", "%YAML 1.1\n", "<<: *a\n"])


@st.composite
def yamlish(draw):
    text = yaml.safe_dump(draw(trees), allow_unicode=True)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(noise) + text[i:]
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yamlish())
def test_loader_raises_only_its_own_error(data):
    try:
        loads(data, "f.yaml")
    except ScenarioError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert LINE.match(str(d)), str(d)
            assert d.line >= 1 and d.col >= 1


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_loader_survives_arbitrary_bytes(data):
    try:
        loads(data, "f.yaml")
    except ScenarioError as exc:
        assert all(LINE.match(str(d)) for d in exc.diagnostics)


@pytest.mark.parametrize("path", [*BAD, FIXTURES / "base.en.yaml"], ids=lambda p: p.stem)
def test_pure_python_parser_gives_the_same_verdict(path, monkeypatch):
    """Where PyYAML was built without libyaml, the same files fail the same way."""
    fast = [(d.code, d.line, d.col) for d in findings(path)]
    monkeypatch.setattr(yamlsafe, "FastParser", yamlsafe.PyParser)
    assert [(d.code, d.line, d.col) for d in findings(path)] == fast


def test_a_quoted_value_never_breaks_the_one_line_format():
    # Found by the property test: a quoted newline in a number field.
    with pytest.raises(ScenarioError) as exc:
        loads(b"koers: '\n\n  '\n", "f.yaml")
    for d in exc.value.diagnostics:
        assert "\n" not in str(d)
    assert "f.yaml:1:8: K104 'koers' (the format version) should be a whole number like 5 or -2, not '\\n'" in map(str, exc.value.diagnostics)


@pytest.mark.parametrize("old, new, hint", [
    ("    text: Hello.", "\ttext: Hello.", "indent with spaces, not a tab"),
    ("    text: Hello.", "    text: Note: hello.", "a colon and a space in the middle of a text end it"),
    ("    text: Hello.", '    text: "Hello," she said.', "the text goes on after its closing quote"),
    ("    text: Hello.", '    text: "Hello.', "or an unclosed quote or bracket before it"),
    ("      - id: tell\n", "        id: tell\n", "begin that line with '- '"),
])
def test_the_common_yaml_mistakes_say_how_to_fix_them(base_text, old, new, hint):
    with pytest.raises(ScenarioError) as exc:
        loads(base_text.replace(old, new).encode())
    assert any(hint in d.message for d in exc.value.diagnostics), exc.value.diagnostics
