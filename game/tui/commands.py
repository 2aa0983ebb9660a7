"""The command palette (Ctrl+P), entirely in the interface language: Koers'
own commands only, one help among them, and its own words when nothing matches."""

from __future__ import annotations

from collections.abc import AsyncIterator

from textual.command import DiscoveryHit, Hit, Provider
from textual.content import Content

from game.tui.base import koers_app


class KoersCommands(Provider):
    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for title, help_text, callback in koers_app(self.screen).commands(self.screen):
            yield DiscoveryHit(Content(title), callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        found = False
        for title, help_text, callback in koers_app(self.screen).commands(self.screen):
            score = matcher.match(title)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        if not found:  # instead of Textual's English "No matches found"
            yield Hit(0.01, Content(koers_app(self.screen).tr("cmd.no_match")), lambda: None)
