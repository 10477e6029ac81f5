"""Step ids: the quantity's name, `[k]` for example k of a batch, `@t` for update t of a run with more
than one update (docs/reference/step-ids.md). `check` matches answer sheets by these ids, so they
never change."""

from __future__ import annotations

from ..engine.expr import Deriv, Expr, Sym, Updated
from ..engine.graph import Graph
from .plan import Plan


def quantity(target: Expr) -> str:
    """The id of a quantity before `[k]` and `@t`: net_h1, dE_total/dw5, w5+."""
    if isinstance(target, Deriv):
        return f"d{target.of}/d{target.wrt}" + ("(direct)" if target.direct else "")
    if isinstance(target, Updated):
        return f"{target.name}+"
    if isinstance(target, Sym):
        return target.name
    raise TypeError(f"no step computes {target!r}")


class Ids:
    def __init__(self, graph: Graph, plan: Plan) -> None:
        self.graph = graph
        self.multi, self.batch = plan.updates > 1, plan.batch_size

    def __call__(self, base: str, t: int, k: int | None = None) -> str:
        return base + (f"[{k}]" if k is not None and self.batch > 1 else "") + (f"@{t}" if self.multi else "")

    def leaf(self, leaf: Expr, t: int, k: int | None) -> str | None:
        """The id of the step that computes a formula's leaf, or None for a given value."""
        if isinstance(leaf, Deriv):
            return self(quantity(leaf), t, leaf.example if leaf.example is not None else k)
        if not isinstance(leaf, Sym):
            return None
        if leaf.example is not None:
            return self(leaf.name, t, leaf.example)
        node = self.graph.nodes.get(leaf.name)  # None for η
        if node is not None and node.kind == "value":
            return self(leaf.name, t, k)
        if node is not None and node.kind == "param" and t > 1 and leaf.name in self.graph.trainable:
            return self(f"{leaf.name}+", t - 1)
        return None
