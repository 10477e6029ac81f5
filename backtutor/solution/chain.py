"""The chain rule as the working writes it: for each node of the graph's one reverse sweep, the
formula of ∂loss/∂node — a product of factors along a single path, a sum over the consumers at a fork,
or simply the local derivative when the node feeds a loss term. Shared by every worked example."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine.expr import Call, Deriv, Expr
from ..engine.graph import Graph

MAX_FACTORS = 8  # a longer single path restarts at ∂loss/∂node, so a long chain stays linear in size


@dataclass(frozen=True, slots=True)
class Gradient:
    """How the working writes ∂loss/∂node: the sweep's edges and the chain-rule formula."""

    node: str
    edges: tuple[tuple[str, str], ...]  # the sweep's (consumer, node) edges, one local derivative each
    direct: str | None  # the consumer u when ∂loss/∂node is simply the local ∂u/∂node (u a loss term)
    formula: Expr  # how ∂loss/∂node is written


def gradients(graph: Graph) -> list[Gradient]:
    """One Gradient per node of `graph.sweep()`, in its order."""
    chain: dict[str, list[Expr]] = {graph.loss: []}  # node ↦ factors whose product is ∂loss/∂node
    out = []
    for s in graph.sweep():
        n, consumers = s.node, [c for c, _ in s.edges]
        if len(consumers) == 1 and graph.is_unit(consumers[0]):
            out.append(Gradient(n, s.edges, consumers[0], graph.local[(consumers[0], n)]))
        else:
            out.append(Gradient(n, s.edges, None, _formula(graph, n, consumers, chain)))
        chain[n] = _factors(graph, n, consumers, chain)
    return out


def _factors(graph: Graph, n: str, consumers: list[str], chain: dict[str, list[Expr]]) -> list[Expr]:
    """Factors whose product is ∂loss/∂n, expanded along single paths, stopping at forks."""
    if graph.is_unit(n):
        return []
    if len(consumers) == 1 and not graph.is_unit(consumers[0]) and len(chain[consumers[0]]) < MAX_FACTORS:
        return [*chain[consumers[0]], Deriv(consumers[0], n)]
    return [Deriv(graph.loss, n)]


def _formula(graph: Graph, n: str, consumers: list[str], chain: dict[str, list[Expr]]) -> Expr:
    """∂loss/∂n: the chain along a single consumer, or the sum of ∂loss/∂c · ∂c/∂n over a fork."""
    if len(consumers) == 1:
        return _product([*chain[consumers[0]], local(graph, consumers[0], n)])
    terms = [
        _product(([] if graph.is_unit(c) else [Deriv(graph.loss, c)]) + [local(graph, c, n)])
        for c in consumers
    ]
    return Call("add", tuple(terms))


def local(graph: Graph, c: str, n: str) -> Deriv:
    """∂c/∂n along one edge; an edge into the loss itself is its direct derivative, so that it is
    never mistaken for the gradient ∂loss/∂n (a penalty written into the loss: J = … + λ·w²)."""
    return Deriv(c, n, direct=c == graph.loss)


def _product(factors: Sequence[Expr]) -> Expr:
    return factors[0] if len(factors) == 1 else Call("mul", tuple(factors))
