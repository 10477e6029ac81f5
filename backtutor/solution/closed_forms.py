"""Closed forms: each gradient written in the problem's own names (∂E/∂w5 = (out_o1 − target_o1)·…),
built along the graph's one reverse sweep and left out when it grows too long to read."""

from __future__ import annotations

from ..engine.expr import ONE, Expr, add, mul, size
from ..engine.graph import Graph, Sweep

CLOSED_FORM_LIMIT = 200  # tree size above which a closed form is left out as unreadable


def closed_forms(graph: Graph) -> dict[str, Expr | None]:
    """node ↦ ∂loss/∂node in closed form, or None when it (or what it is built from) is too long."""
    closed: dict[str, Expr | None] = {graph.loss: ONE}
    sizes = {graph.loss: 1}
    for s in graph.sweep():
        form = _closed_form(graph, s, closed, sizes)
        closed[s.node] = form
        if form is not None:
            sizes[s.node] = size(form)
    return closed


def _closed_form(
    graph: Graph, s: Sweep, closed: dict[str, Expr | None], sizes: dict[str, int]
) -> Expr | None:
    """Σ over the node's edges of (closed form of ∂loss/∂c) · ∂c/∂node, if short enough."""
    parts: list[tuple[Expr, Expr]] = []
    total = 0
    for c, n in s.edges:
        upstream = closed.get(c)
        if upstream is None:
            return None
        total += sizes[c] + size(graph.local[(c, n)])
        parts.append((upstream, graph.local[(c, n)]))
    return add(*(mul(up, loc) for up, loc in parts)) if total <= CLOSED_FORM_LIMIT else None
