"""What `backtutor.explore` and `backtutor.graph` give back in a notebook: the explore page inline,
and the computational graph as SVG (or, without Graphviz, how to install it)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from ...text import html as escape
from .forms import wanted

HEIGHT = 640  # pixels: the explore page's graph and its working panel side by side
INSTALL = (
    "Graphviz's `dot` program is not installed, so the graph cannot be drawn here. Install it: "
    "`!apt-get install -y graphviz` (Colab, Debian, Ubuntu), `brew install graphviz` (macOS) or "
    "`conda install graphviz`, then run the cell again. The graph as DOT text is in `.dot`."
)


@dataclass(frozen=True)
class Explore:
    """The explore page (render/documents/explore.py) in a sandboxed iframe: its scripts run in their
    own frame, with no access to the notebook's page or origin, and it fetches nothing (the page is
    offline by design), so it works the same in Jupyter, Colab and an exported HTML file. `page` is
    the whole page, to save as a file."""

    page: str
    height: int = HEIGHT

    def iframe(self) -> str:
        return (
            f'<iframe class="backtutor-explore" sandbox="allow-scripts" title="backtutor explore" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #d8dcf0" '
            f'srcdoc="{escape(self.page)}"></iframe>'
        )

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, Any]:
        forms: dict[str, Callable[[], str]] = {
            "text/html": self.iframe,
            "text/plain": lambda: f"backtutor explore page ({len(self.page) // 1000:,} kB; .page holds it)",
        }
        return {mime: forms[mime]() for mime in wanted(include, exclude) if mime in forms}


@dataclass(frozen=True)
class GraphView:
    """The computational graph: `dot` is its DOT text (render/documents/dot.py), drawn as SVG with
    Graphviz when a notebook shows it."""

    dot: str

    def svg(self) -> str | None:
        """The graph as SVG, or None when Graphviz's `dot` is not installed."""
        from ..documents.dot import convert

        return convert(self.dot, "svg").decode("utf-8") if shutil.which("dot") else None

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, Any]:
        svg = self.svg()
        if svg is None:
            return {"text/plain": INSTALL, "text/markdown": INSTALL}
        return {"image/svg+xml": svg, "text/plain": "backtutor graph (SVG; .dot holds its DOT text)"}
