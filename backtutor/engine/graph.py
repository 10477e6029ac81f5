"""The computational graph: plain-data nodes in topological order, and what backprop needs of it.

A node is a name, a kind and, for computed nodes, the expression that defines it in terms of other
nodes (its `inputs`, in order of first use). Each edge c ← n gets its local derivative ∂c/∂n once,
symbolically, from the op table; the solver multiplies and sums them (reverse mode), so no formula
for the whole loss is ever expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .expr import ONE, ZERO, Expr
from .ops import diff_all


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the computation graph: a leaf (input, target, parameter) or a value with its formula."""

    name: str
    kind: str  # "input", "target", "param" or "value"
    expr: Expr | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    """The problem as a graph: nodes in topological order, the loss, and the reverse sweep's structure."""

    nodes: dict[str, Node]  # topological order: leaves first, the loss last
    loss: str
    wrt: tuple[str, ...]  # whose gradients are reported: trainable parameters, then chosen inputs
    params: tuple[str, ...]  # every parameter, frozen ones included, in file order
    trainable: tuple[str, ...]
    consumers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # only along paths wrt → loss
    local: dict[tuple[str, str], Expr] = field(default_factory=dict)  # (c, n) ↦ ∂c/∂n
    order: tuple[str, ...] = ()  # nodes that get a gradient, in the order a TA works backwards
    units: frozenset[str] = frozenset()  # nodes whose ∂loss/∂node is 1 by construction

    @property
    def computed(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.expr is not None]

    def is_unit(self, name: str) -> bool:
        """True when ∂loss/∂name is 1 by construction (the loss itself, or a term of a plain sum)."""
        return name in self.units

    def sweep(self) -> list[Sweep]:
        """The one reverse sweep: every node that gets a gradient, in working order, with the edges
        whose terms ∂loss/∂c · ∂c/∂n sum to ∂loss/∂n. The compiled numerics, the working and the
        checker all follow it."""
        return [Sweep(n, tuple((c, n) for c in self.consumers[n])) for n in self.order]


@dataclass(frozen=True, slots=True)
class Sweep:
    """One step of the reverse sweep: a node and the edges whose terms sum to ∂loss/∂node."""

    node: str
    edges: tuple[tuple[str, str], ...]  # (consumer c, node): one term ∂loss/∂c · ∂c/∂node each


def backprop_structure(
    nodes: dict[str, Node],
    loss: str,
    wrt: tuple[str, ...],
    params: tuple[str, ...],
    trainable: tuple[str, ...],
) -> Graph:
    # nodes that lead to the loss, and nodes that depend on something in wrt
    to_loss = {loss}
    for node in reversed(list(nodes.values())):
        if node.name in to_loss:
            to_loss.update(node.inputs)
    from_wrt = set(wrt)
    for node in nodes.values():
        if any(i in from_wrt for i in node.inputs):
            from_wrt.add(node.name)
    active = to_loss & from_wrt
    consumers: dict[str, list[str]] = {}
    local: dict[tuple[str, str], Expr] = {}
    for node in nodes.values():
        if node.name not in active or node.expr is None:
            continue
        inputs = [i for i in node.inputs if i in active]
        partials = diff_all(node.expr, set(inputs))
        for i in inputs:
            consumers.setdefault(i, []).append(node.name)
            local[(node.name, i)] = partials.get(i, ZERO)
    depth = {loss: 0}
    for node in reversed(list(nodes.values())):
        if node.name in consumers:
            depth[node.name] = 1 + max(depth[c] for c in consumers[node.name])
    units = {loss}  # worked out once, consumers before the nodes they use (a long chain stays linear)
    for node in reversed(list(nodes.values())):
        cs = consumers.get(node.name, [])
        if len(cs) == 1 and cs[0] in units and local[(cs[0], node.name)] == ONE:
            units.add(node.name)
    index = {n: i for i, n in enumerate(nodes)}
    order = sorted(
        (n for n in active if n != loss),
        key=lambda n: (depth[n], nodes[n].kind == "value", index[n]),
    )
    return Graph(
        nodes,
        loss,
        wrt,
        params,
        trainable,
        {k: tuple(v) for k, v in consumers.items()},
        local,
        tuple(order),
        frozenset(units),
    )
