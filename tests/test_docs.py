"""Docs are part of the feature: every code is documented with its severity."""

import re

from conftest import ROOT
from game.diagnostics import CODES


def test_every_code_is_documented_with_its_severity_and_rule():
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    if (ROOT / "docs" / "saves.md").exists():
        text += (ROOT / "docs" / "saves.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| ([KS]\d{3}) \|.*$", text, re.M)}
    assert set(rows) == set(CODES)
    for code, (severity, rule) in CODES.items():
        row = rows[code]
        assert f"| {rule} |" in row, code
        if f"| {severity} |" not in row:  # the first two tables hold errors only
            assert code[:2] in ("K0", "K1", "S0") and severity.name == "ERROR", code
