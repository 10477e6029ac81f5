"""Closed forms: each gradient written in the problem's own names (∂E/∂w5 = (out_o1 − target_o1)·…),
built along the graph's one reverse sweep and left out when it grows too long to read.

One notation per formula: a part of a local derivative that is some node's definition is written
as that node (σ(net_o1) is out_o1), so a form never mixes the two."""

from __future__ import annotations

from collections.abc import Mapping

from ..engine.expr import ONE, Call, Expr, Sym, add, mul, size
from ..engine.graph import Graph, Sweep

CLOSED_FORM_LIMIT = 200  # tree size above which a closed form is left out as unreadable
TOO_LONG = f"left out: longer than {CLOSED_FORM_LIMIT} symbols, too long to read"  # said in the outline


def closed_forms(graph: Graph) -> dict[str, Expr | None]:
    """node ↦ ∂loss/∂node in closed form, or None when it (or what it is built from) is too long."""
    known = defined(graph)
    local = {edge: in_names(e, known) for edge, e in graph.local.items()}
    closed: dict[str, Expr | None] = {graph.loss: ONE}
    sizes = {graph.loss: 1}
    for s in graph.sweep():
        form = _closed_form(local, s, closed, sizes)
        closed[s.node] = form
        if form is not None:
            sizes[s.node] = size(form)
    return closed


def defined(graph: Graph) -> dict[Expr, str]:
    """A node's defining call ↦ the node (σ(net_o1) ↦ out_o1)."""
    return {n.expr: n.name for n in graph.nodes.values() if isinstance(n.expr, Call)}


def in_names(e: Expr, known: Mapping[Expr, str]) -> Expr:
    """e with every part that is a node's definition written as that node."""
    if not isinstance(e, Call):
        return e
    if e in known:
        return Sym(known[e])
    return Call(e.op, tuple(in_names(a, known) for a in e.args), e.param)


def _closed_form(
    local: dict[tuple[str, str], Expr], s: Sweep, closed: dict[str, Expr | None], sizes: dict[str, int]
) -> Expr | None:
    """Σ over the node's edges of (closed form of ∂loss/∂c) · ∂c/∂node, if short enough."""
    parts: list[tuple[Expr, Expr]] = []
    total = 0
    for c, n in s.edges:
        upstream = closed.get(c)
        if upstream is None:
            return None
        total += sizes[c] + size(local[(c, n)])
        parts.append((upstream, local[(c, n)]))
    return add(*(mul(up, loc) for up, loc in parts)) if total <= CLOSED_FORM_LIMIT else None
