"""The records of the slip catalogue: what a slip is (its name, what the student is told, the ways it
can happen), one way it happens in a step (an altered recomputation), and what the slips need to know
of a Solution beyond the step itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ...engine.expr import Call, Deriv, Expr, Sym, Updated
from ...engine.formula import text
from ...engine.graph import Node
from ...engine.losses import LOSSES
from ...engine.ops import OPS
from ...matrix.stages import maps, network_stages
from ...solution import ETA, Solution, Step
from ..recompute import FormulaRule, LeafRule, ReadRule, as_known, as_written
from .optimizer import OptimizerFacts


class SlipContext:
    """What the slips need beyond the step itself: the graph, the kind of loss, the parameters."""

    def __init__(self, sol: Solution) -> None:
        self.graph = sol.graph
        self.squared_loss = LOSSES[sol.problem.loss_kind].squared
        self.parameters_during = sol.parameters_during
        self.updated: dict[int, dict[str, Step]] = {}  # each worked update's new parameters' steps
        for s in sol.steps:
            if s.phase == "update" and isinstance(s.target, Updated):
                self.updated.setdefault(s.update, {})[s.target.name] = s
        weights = _weights(sol.graph.computed, set(sol.graph.params))
        self.partners = _partners(weights)
        self.optimizer = OptimizerFacts(sol)
        self.weighted = frozenset((net, w) for (net, _), w in weights.items())  # (net, a weight in it)
        self.transposed = _transposed(weights)
        self.softmax_nets = _softmax_nets(sol.graph.computed)  # each output ↦ its own net (the diagonal)
        self.batch_sums = _batch_sums(sol.steps)
        self.flipped = _flipped_kernels(sol)  # a conv kernel's weight ↦ its partner across the centre

    def is_input_factor(self, factor: Expr) -> bool:
        """∂net/∂w of a weight: the input the weight multiplies (not a bias's 1, not the loss's)."""
        return (
            isinstance(factor, Deriv)
            and factor.wrt in self.graph.params
            and factor.of != self.graph.loss
            and (factor.of, factor.wrt) in self.weighted
        )

    def params(self, step: Step) -> list[Sym]:
        """The parameters among the step's leaves."""
        return [
            leaf for leaf, _, _ in step.leaves if isinstance(leaf, Sym) and leaf.name in self.graph.params
        ]

    def describe(self, factor: Expr) -> str:
        """A factor as the student knows it: which derivative, the learning rate, an input."""
        g = self.graph
        if isinstance(factor, Deriv):
            node = g.nodes.get(factor.of)
            d = f"∂{factor.of}/∂{factor.wrt}"
            if factor.of != g.loss and node and isinstance(node.expr, Call) and not OPS[node.expr.op].infix:
                return f"{d} (the activation derivative)"
            if node and g.nodes[factor.wrt].kind == "param":
                return f"{d} (the input that multiplies {factor.wrt})"
            return d
        if factor == ETA:
            return "η (the learning rate)"
        if isinstance(factor, Sym) and g.nodes.get(factor.name) and g.nodes[factor.name].kind == "input":
            return f"{factor.name} (the input)"
        return text(factor)


@dataclass(frozen=True)
class Alteration:
    """One way a slip can happen in a step. Unless `deep`, only the step itself is reworked;
    a deep one reworks, under the same rule, every earlier step the student did not give."""

    formula: FormulaRule = as_written
    leaf: LeafRule = as_known
    deep: bool = False
    reads: ReadRule | None = None  # a leaf read from another step, as the student has it
    fields: Mapping[str, str] = field(default_factory=dict)  # fill in the slip's explanation


Alterations = Callable[[SlipContext, Step], Iterator[Alteration]]


@dataclass(frozen=True)
class Slip:
    name: str  # what reports and the CSV call it ("" for no slip)
    explanation: str  # what the student is told; {fields} come from each Alteration
    alterations: Alterations | None = None  # the ways it can happen in a step (none: it cannot)
    where: str = "an altered recomputation (its alterations)"  # where its rule is

    def told(self, **fields: object) -> str:
        """What the student is told, with the details of this answer filled in."""
        return self.explanation.format(**fields)


def _flipped_kernels(sol: Solution) -> dict[str, str]:
    """Each conv kernel's weight ↦ the weight at its place in the kernel turned by 180°."""
    if not sol.problem.layers:
        return {}
    out: dict[str, str] = {}
    for stage in network_stages(sol.problem) or ():
        if stage.kind != "linear" or not stage.shared:
            continue
        for _, grid in maps(stage.weights) or ():
            turned = [row[::-1] for row in grid[::-1]]
            for row, other in zip(grid, turned, strict=True):
                out.update((stage.weights[p], stage.weights[q]) for p, q in zip(row, other, strict=True))
    return {w: q for w, q in out.items() if w != q}


def _partners(weights: Mapping[tuple[str, str], str]) -> dict[str, list[str]]:
    """For each weight, the weights that multiply the same quantity in another unit (w1·i1 in
    net_h1, w3·i1 in net_h2): the ones a student can take for it."""
    by_input: dict[str, list[str]] = {}
    for (_, x), w in weights.items():
        by_input.setdefault(x, []).append(w)
    partners: dict[str, list[str]] = {}
    for same in by_input.values():
        for w in same:
            partners.setdefault(w, []).extend(q for q in same if q != w)
    return partners


def _products(e: Expr | None) -> Iterator[Call]:
    if isinstance(e, Call):
        if e.op == "mul":
            yield e
        for a in e.args:
            yield from _products(a)


def _weights(nodes: Iterable[Node], params: set[str]) -> dict[tuple[str, str], str]:
    """(net, input) ↦ the weight that multiplies that input in that net (w5 for net_o1, out_h1)."""
    out: dict[tuple[str, str], str] = {}
    for n in nodes:
        for e in _products(n.expr):
            names = [a.name for a in e.args if isinstance(a, Sym)]
            weights = [x for x in names if x in params]
            if len(names) == 2 and len(weights) == 1:
                out[(n.name, next(x for x in names if x not in params))] = weights[0]
    return out


def _transposed(weights: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """In each square layer (n nets of the same n inputs), (net_k, input_j) ↦ the weight of
    (net_j, input_k): W[j][k] where the backward pass needs W[k][j]."""
    layers: dict[tuple[str, ...], list[str]] = {}
    inputs: dict[str, list[str]] = {}
    for net, x in weights:
        inputs.setdefault(net, []).append(x)
    for net, xs in inputs.items():
        layers.setdefault(tuple(xs), []).append(net)
    out: dict[tuple[str, str], str] = {}
    for ins, nets in layers.items():
        if len(nets) == len(ins) > 1:
            for k, net in enumerate(nets):
                for j, x in enumerate(ins):
                    out[(net, x)] = weights[(nets[j], ins[k])]
    return out


def _batch_sums(steps: Iterable[Step]) -> dict[str, dict[int, Expr]]:
    """Each batch step that sums (or averages) its examples' own: step id ↦ example ↦ that
    example's term in its formula (∂E/∂w[k])."""
    out: dict[str, dict[int, Expr]] = {}
    for s in steps:
        terms: dict[int, Expr] = {
            leaf.example: leaf for leaf, _, _ in s.leaves if isinstance(leaf, Deriv) and leaf.example
        }
        if s.phase == "backward" and s.example is None and len(terms) > 1 and len(terms) == len(s.leaves):
            out[s.id] = terms
    return out


def _softmax_nets(nodes: Iterable[Node]) -> dict[str, str]:
    """Each softmax output ↦ the net input of its own unit (softmax_k(net_1, …) ↦ net_k)."""
    out = {}
    for n in nodes:
        e = n.expr
        if isinstance(e, Call) and e.op == "softmax" and isinstance(e.param, int):
            own = e.args[e.param]
            if isinstance(own, Sym):
                out[n.name] = own.name
    return out
