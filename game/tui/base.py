"""What every Koers screen shares: a typed way to the app, for the few things
a screen reads from it (the settings, the clock, the words); everything a
screen wants done goes up as a message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from game.tui.app import KoersApp


def koers_app(screen: Screen[Any]) -> KoersApp:
    from game.tui.app import KoersApp

    app = screen.app
    assert isinstance(app, KoersApp), "Koers screens run in the Koers app"
    return app


class KoersScreen(Screen[None]):
    @property
    def koers(self) -> KoersApp:
        return koers_app(self)
