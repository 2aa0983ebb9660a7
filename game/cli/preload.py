"""Imported once, in the fork server that players' processes are forked from
(game.web.child): Textual and the parts of Koers a player's process runs,
then every object so far frozen out of the cycle collector, whose passes
would otherwise write to each of them in every player's process and so make
each process a private copy of memory it could share.

What a player's process imports or builds for itself is memory of its own:
everything it uses on the way to its first screen is here (the scenario
loader and checker, the scenario cache, the layouts its screens use, rich's
table of character widths), measured by benchmarks/room_bench.py."""

import concurrent.futures.thread  # noqa: F401
import gc

import rich.cells
import textual.drivers.web_driver  # noqa: F401
import textual.layouts.factory  # noqa: F401
import textual.layouts.horizontal  # noqa: F401
import textual.layouts.stream  # noqa: F401

import game.authoring.cache  # noqa: F401
import game.authoring.library  # noqa: F401
import game.authoring.loader  # noqa: F401
import game.authoring.validator  # noqa: F401
import game.cli.launch  # noqa: F401
import game.cli.main  # noqa: F401
import game.play.session  # noqa: F401
import game.tui.app  # noqa: F401
import game.tui.dialogs  # noqa: F401
import game.tui.library  # noqa: F401
import game.tui.play  # noqa: F401

rich.cells.cell_len("Koers → ☕")  # loads the width table, which rich reads on the first text that is not ASCII

gc.collect()
gc.freeze()
