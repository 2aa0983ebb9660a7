"""Scenario and player text as Textual Content, never through markup."""

from __future__ import annotations

from textual.content import Content

from game.core.text import clean, paragraphs, spans


def plain(text: str, style: str = "") -> Content:
    """Text shown exactly as written (control characters dropped)."""
    return Content.styled(clean(text), style) if style else Content(clean(text))


def paragraph(text: str, style: str = "") -> Content:
    """One paragraph with its **bold** and *italic* runs."""
    parts = [(chunk, " ".join(s for s in (style, run_style) if s)) for chunk, run_style in spans(text)]
    return Content.assemble(*parts)


def story(text: str) -> Content:
    """Scenario text as paragraphs separated by a blank line."""
    return Content("\n\n").join(paragraph(p) for p in paragraphs(text))
