"""How a record shows itself in Jupyter and Colab (IPython's `_repr_mimebundle_`).

The records that display (a Solution, a checked sheet, a CNN's shape table) sit below render/, which
draws them, so they cannot import it. Each inherits `Displayed`, whose method names the drawing by its
dotted path, as the formats table names its renderers, and imports it only when a notebook asks: the
records stay plain data, render/ stays the one place that lays them out, and `import backtutor`
loads nothing for it."""

from __future__ import annotations

from collections.abc import Callable, Container
from importlib import import_module
from typing import Any

RENDERER = "backtutor.render.notebook:bundle"


class Displayed:
    """A record that a notebook shows as Markdown (with $…$ maths), self-contained HTML and plain text."""

    __slots__ = ()

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, Any]:
        module, _, name = RENDERER.partition(":")
        bundle: Callable[..., dict[str, Any]] = getattr(import_module(module), name)
        return bundle(self, include, exclude)
