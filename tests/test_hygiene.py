"""The engine and the screenless commands never import Textual."""

import subprocess
import sys

from conftest import FIXTURES

ENGINE = ["game.core.model", "game.authoring.loader", "game.authoring.validator", "game.core.run", "game.authoring.explore", "game.authoring.library", "game.core.text", "game.cli.main", "game.saves.codec",
          "game.debrief.personal", "game.render.i18n", "game.plain", "game.prefs", "game.cli.launch", "game.debrief.group", "game.render.group_export",
          "game.play.preview", "game.render.xapi", "game.cli.xapi", "game.cli.lrs"]


def imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_engine_import_leaves_textual_out():
    modules = imported_after("\n".join(f"import {m}" for m in ENGINE))
    assert "textual" not in modules and "rich" not in modules


def test_screenless_commands_leave_textual_out(tmp_path):
    base = FIXTURES / "base.en.yaml"
    # `koers watch` with a start that does not fit the file stops before its screen, and its watcher, load.
    twee = ["import", "twee", str(FIXTURES / "twee" / "friday.twee"), "--language", "en"]
    record = ["debrief", str(FIXTURES), "--names", "--export", str(tmp_path / "x.xapi.json")]
    for argv in (["list"], ["validate", str(base)], ["explore", str(base)], ["graph", str(base), "--format", "html"],
                 ["debrief", str(FIXTURES)], ["watch", str(base), "--at", "nowhere"], twee, record):
        modules = imported_after(f"import sys\nfrom game.cli.main import main\nmain({argv!r})")
        assert "textual" not in modules and "watchfiles" not in modules, argv


def test_first_frame_waits_for_no_engine_import():
    """Start-up goal (docs/performance.md): the library's first frame needs none of
    the engine, which is imported once a scenario is played."""
    modules = imported_after("import game.cli.main, game.tui.app, game.tui.library, game.tui.dialogs")
    assert {"attrs", "yaml", "game.core.model", "game.saves.codec", "game.core.run"} & modules == set()


def test_listing_from_a_warm_cache_reads_no_story(tmp_path):
    """Start-up (docs/performance.md): the library's entries (with their typical
    number of decisions), and the player's saves, come from the cache without the
    YAML parser, the loader, the validator or the model."""
    code = f"""
from pathlib import Path
from game.authoring.cache import Cache
from game.authoring.library import Library, bundled_dir, is_offered
from game.saves.store import Store
for _ in range(2):  # the first run fills the cache
    library = Library([bundled_dir()], Cache(Path({str(tmp_path / 'cache')!r})))
    [library.typical(listing) for listing in library.listings() if is_offered(listing)]
    Store(Path({str(tmp_path / 'saves')!r})).mine("Zed")
"""
    first = imported_after(code)
    assert "yaml" in first  # the cache was filled from the files in this process
    warm = imported_after(code.replace("for _ in range(2)", "for _ in range(1)"))
    assert {"yaml", "game.core.model", "game.authoring.loader", "game.authoring.validator"} & warm == set()
