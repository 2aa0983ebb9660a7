"""The full-screen Textual app: a thin layer over the engine."""
