from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def base_text() -> str:
    return (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")
