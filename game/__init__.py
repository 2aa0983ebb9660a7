"""Koers: practise the hard moments of leading."""

__version__ = "0.1.0"
