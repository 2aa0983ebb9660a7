"""Docs are part of the feature: every code is documented with its severity."""

import re

from conftest import ROOT
from game.core.diagnostics import CODES


def test_every_code_is_documented_with_its_severity_and_rule():
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| ([A-Z]\d{3}) \|.*$", text, re.M)}
    assert set(rows) == set(CODES)
    for code, (severity, rule) in CODES.items():
        row = rows[code]
        assert f"| {rule} |" in row, code
        # Tables that hold only errors say so in their heading instead of a column.
        assert f"| {severity} |" in row or severity.name == "ERROR", code
