"""Imported once, in the fork server that players' processes are forked from
(game.web.child): Textual and the parts of Koers a player's process runs,
then every object so far frozen out of the cycle collector, whose passes
would otherwise write to each of them in every player's process and so make
each process a private copy of memory it could share."""

import gc

import game.authoring.library  # noqa: F401
import game.cli.launch  # noqa: F401
import game.cli.main  # noqa: F401
import game.play.session  # noqa: F401
import game.tui.app  # noqa: F401
import game.tui.dialogs  # noqa: F401
import game.tui.library  # noqa: F401
import game.tui.play  # noqa: F401
import textual.drivers.web_driver  # noqa: F401

gc.collect()
gc.freeze()
