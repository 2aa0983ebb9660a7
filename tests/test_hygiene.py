"""The engine and the screenless commands never import Textual."""

import subprocess
import sys

from conftest import FIXTURES

ENGINE = ["game.core.model", "game.authoring.loader", "game.authoring.validator", "game.core.run", "game.authoring.explore", "game.authoring.library", "game.core.text", "game.cli.main", "game.saves.codec",
          "game.debrief.personal", "game.render.i18n", "game.plain", "game.prefs", "game.cli.launch", "game.debrief.group", "game.render.group_export"]


def imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_engine_import_leaves_textual_out():
    modules = imported_after("\n".join(f"import {m}" for m in ENGINE))
    assert "textual" not in modules and "rich" not in modules


def test_screenless_commands_leave_textual_out():
    base = FIXTURES / "base.en.yaml"
    for argv in (["list"], ["validate", str(base)], ["explore", str(base)], ["debrief", str(FIXTURES)]):
        modules = imported_after(f"import sys\nfrom game.cli.main import main\nmain({argv!r})")
        assert "textual" not in modules, argv


def test_first_frame_waits_for_no_engine_import():
    """Start-up goal (docs/performance.md): the library's first frame needs none of
    the engine, which is imported once a scenario is played."""
    modules = imported_after("import game.cli.main, game.tui.app, game.tui.library, game.tui.dialogs")
    assert {"attrs", "yaml", "game.core.model", "game.saves.codec", "game.core.run"} & modules == set()
