"""The loss table: every loss kind a problem file may name, defined once.

An entry holds the term one output contributes (E_o1 = ½(target_o1 − out_o1)²), how the terms
combine over the outputs, how per-example losses combine over a batch unless the file says, whether
it is a squared error (the checker then looks for a dropped or doubled factor of two), and the
note it adds to the working. `expression` and `output` have no per-output term: the file's own
`expr`, or the one output itself, is the loss; `none` is no loss at all, the forward pass alone.
Nothing outside this module tests a loss by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from .expr import HALF, ONE, Call, Expr, Num, Sym
from .graph import Graph
from .vector import BINARY_CROSS_ENTROPY, CROSS_ENTROPY, HALF_SSE, SSE, VectorLoss

Reduction = Literal["sum", "mean"]
Term = Callable[[Expr, Expr], Expr]  # (target, output) ↦ that output's term


def _no_note(graph: Graph) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class Loss:
    """One entry of the loss table: its term per output, its reductions and the note the working gives."""

    name: str
    term: Term | None  # None: the loss is not a sum over outputs
    over_outputs: Reduction = "sum"  # "mean": each of n > 1 terms carries a factor 1/n
    over_examples: Reduction = "sum"  # the default reduction over a batch's examples
    squared: bool = False  # a squared error, where a slip of a factor two is common
    from_expr: bool = False  # the file's `expr` is the loss
    note: Callable[[Graph], str] = _no_note  # a convention for the working ("" when none applies)
    general_note: str = ""  # the note instead, when some example's targets are not a distribution
    # its targets are a probability distribution: after softmax, ∂E/∂net_k = out_k − target_k when
    # each example's targets are ≥ 0 and sum to 1 (closed forms, the matrix view's δ = a − t)
    distribution: bool = False
    vector: VectorLoss | None = None  # the term and its derivative on arrays (array engine)
    forward_only: bool = False  # no loss at all: the forward pass alone (a conv and pooling exercise)

    @property
    def is_output(self) -> bool:
        """The single output node is itself the loss (what is differentiated)."""
        return self.term is None and not self.from_expr and not self.forward_only


def _squared(t: Expr, o: Expr) -> Expr:
    return Call("pow", (Call("sub", (t, o)), Num(Fraction(2))))


def _cross_entropy(t: Expr, o: Expr) -> Expr:
    return Call("neg", (Call("mul", (t, Call("log", (o,)))),))


def _binary_cross_entropy(t: Expr, o: Expr) -> Expr:
    positive = Call("mul", (t, Call("log", (o,))))
    negative = Call("mul", (Call("sub", (ONE, t)), Call("log", (Call("sub", (ONE, o)),))))
    return Call("neg", (Call("add", (positive, negative)),))


def _softmax_note(graph: Graph) -> str:
    if any(isinstance(n.expr, Call) and n.expr.op == "softmax" for n in graph.computed):
        return "with softmax outputs and cross-entropy, the chain rule sums to ∂E/∂net_k = out_k − target_k"
    return ""


_SOFTMAX_GENERAL = (
    "with softmax outputs and cross-entropy, the chain rule sums to ∂E/∂net_k = out_k·Σ_j target_j − "
    "target_k (out_k − target_k only when each example's targets are ≥ 0 and sum to 1, not so here)"
)

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("half_sse", lambda t, o: Call("mul", (HALF, _squared(t, o))), squared=True, vector=HALF_SSE),
        Loss("sse", _squared, squared=True, vector=SSE),
        Loss("mse", _squared, over_outputs="mean", over_examples="mean", squared=True, vector=SSE),
        Loss(
            "cross_entropy",
            _cross_entropy,
            note=_softmax_note,
            general_note=_SOFTMAX_GENERAL,
            distribution=True,
            vector=CROSS_ENTROPY,
        ),
        Loss("binary_cross_entropy", _binary_cross_entropy, vector=BINARY_CROSS_ENTROPY),
        Loss("expression", None, from_expr=True),
        Loss("output", None),
        Loss("none", None, forward_only=True),
    ]
}
LOSS_KINDS: tuple[str, ...] = tuple(LOSSES)
DEFAULT_LOSS = "half_sse"

# the schema's type for a loss kind: a Literal of the table's names for pydantic, a str for mypy
if TYPE_CHECKING:
    LossKind = str
else:
    LossKind = Literal[LOSS_KINDS]


def loss_term(kind: str, target: str, output: str, n_outputs: int) -> Expr:
    """One output's term of the loss, with the 1/n of a mean over n > 1 outputs."""
    loss = LOSSES[kind]
    if loss.term is None:
        raise ValueError(f"the loss '{kind}' has no per-output term")
    term = loss.term(Sym(target), Sym(output))
    if loss.over_outputs == "mean" and n_outputs > 1:
        return Call("mul", (Num(Fraction(1, n_outputs), f"1/{n_outputs}"), term))
    return term


def loss_model(
    kind: str, name: str, outputs: Sequence[tuple[str, str, str]], expr: Expr | None
) -> list[tuple[str, Expr]]:
    """Loss nodes for `outputs` given as (label, output node, target) triples: one term per output
    and their sum named `name` (a single term is named `name` itself), or the file's `expr`."""
    loss = LOSSES[kind]
    if loss.from_expr:
        assert expr is not None
        return [(name, expr)]
    if loss.is_output:
        return []  # the output node itself is what is differentiated
    terms = [loss_term(kind, target, node, len(outputs)) for _, node, target in outputs]
    if len(terms) == 1:
        return [(name, terms[0])]
    prefix = name.removesuffix("_total")
    named = [(f"{prefix}_{label}", term) for (label, _, _), term in zip(outputs, terms, strict=True)]
    return [*named, (name, Call("add", tuple(Sym(n) for n, _ in named)))]
