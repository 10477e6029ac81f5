"""Renderers: pure functions of a Solution. Only `terminal` imports rich."""
