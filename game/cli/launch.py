"""``koers play``: open the library or one scenario, full screen or plain.

Textual is imported only when the full-screen app starts, so plain mode and
the other commands stay light.
"""

from __future__ import annotations

import argparse
import io
import sys

from game.cli.output import EXIT_ERRORS, EXIT_OK
from game.render.i18n import default_language



def play(args: argparse.Namespace) -> int:
    from game.render.i18n import tr
    from game.prefs import default_prefs_path, default_saves_dir, exports_dir, load_prefs, save_prefs
    from game.core.text import clean, is_utf8, typed_name

    given = {}
    for option in ("player", "session"):
        value = getattr(args, option)
        if value is not None and not is_utf8(value):
            print(f"koers: --{option} is not valid UTF-8 text; type it again", file=sys.stderr)
            return EXIT_ERRORS
        given[option] = typed_name(value) if value else None
    file = getattr(args, "file", None)
    prefs_path = args.settings or default_prefs_path()
    prefs, ignored = load_prefs(prefs_path)
    lang = args.lang or prefs.lang or default_language()
    player = given["player"] or prefs.player
    session = given["session"] or prefs.session
    saves_dir = default_saves_dir(args.saves)

    scenario = None
    if file is not None:
        from game.cli.output import playable

        scenario = playable(file)
        if scenario is None:
            return EXIT_ERRORS

    if args.plain:
        from game.plain import PlainPlayer, first_run

        if scenario is None:
            print("koers: --plain needs a scenario FILE: koers play --plain FILE", file=sys.stderr)
            return EXIT_ERRORS
        if ignored:
            print(tr(lang, "prefs.ignored", path=clean(str(prefs_path)), reason=ignored), file=sys.stderr)
        # Bytes that are not UTF-8 reach the player as a question to type again, not as a traceback.
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="surrogateescape")
        if player is None:  # the first run: asked in the scenario's language, which plain mode speaks
            answers = first_run(scenario.language, ask_session=session is None)
            if answers is None:
                return EXIT_OK
            player, session = answers[0], session or answers[1]
        save_prefs(prefs_path, prefs._replace(player=player, session=session, lang=lang))
        return PlainPlayer(scenario, saves_dir, player, session, lang, prefs.timers, sys.stdin, sys.stdout,
                           exports_dir=exports_dir(saves_dir)).play()

    from game.tui.app import make_app

    app = make_app(
        args.scenarios,
        saves_dir,
        player=player,
        session=session,
        lang=args.lang,
        settings_path=prefs_path,
        scenario=scenario,
        bundled=True,
    )
    app.run()
    return EXIT_OK
