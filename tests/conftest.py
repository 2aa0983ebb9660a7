from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def base_text() -> str:
    return (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")


@pytest.fixture
def routed_base(tmp_path) -> Path:
    """base.en.yaml where 'stop' leads to 'good' instead of 'bad' once the player asked."""
    text = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8").replace(
        "        text: Stop.\n        next: bad\n",
        "        text: Stop.\n        next: bad\n        routes:\n          - when: {flag: asked}\n            next: good\n",
    )
    path = tmp_path / "routed.en.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def gfm(markdown: str) -> str:
    """Markdown as GitHub renders it (cmark-gfm), raw HTML let through so that a test sees any."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory, monkeypatch):
    """Every test, and every command it starts, caches scenarios in a folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def pytest_terminal_summary(terminalreporter):
    """A skipped browser test is said at the end of the run, with why, however quiet the run."""
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "the browser test did not run" in reason:
            terminalreporter.write_line(f"NOTE: {reason.removeprefix('Skipped: ')}", yellow=True, bold=True)
