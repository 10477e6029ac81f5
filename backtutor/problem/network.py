"""Turns a file's network and loss descriptions into named expressions in the user's notation.

A layered unit `h1: {weights: [w1, w2], bias: b1}` becomes net_h1 = w1·i1 + w2·i2 + b1 and
out_h1 = act(net_h1); a loss becomes one term per output (E_o1 = ½(target_o1 − out_o1)²) and
their sum, or a single expression when there is one output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..engine.expr import HALF, ONE, Call, Expr, Num, Sym

LOSS_KINDS = (
    "half_sse",
    "sse",
    "mse",
    "cross_entropy",
    "binary_cross_entropy",
    "expression",
    "output",
)


@dataclass(frozen=True, slots=True)
class UnitSpec:
    name: str
    weights: tuple[str, ...]
    bias: str | None
    activation: str
    slope: Fraction | None = None  # leaky_relu


def unit_names(unit: str, net: str, out: str) -> tuple[str, str]:
    """Node names for a unit from templates such as "net_{unit}" (plain replacement, no format())."""
    return net.replace("{unit}", unit), out.replace("{unit}", unit)


def network_model(
    inputs: Sequence[str], layers: Sequence[Sequence[UnitSpec]], net: str, out: str
) -> tuple[list[tuple[str, Expr]], list[str]]:
    """Named expressions of a layered network, and the names of its output nodes."""
    model: list[tuple[str, Expr]] = []
    previous = list(inputs)
    for layer in layers:
        nets = []
        for u in layer:
            terms: list[Expr] = [
                Call("mul", (Sym(w), Sym(x))) for w, x in zip(u.weights, previous, strict=True)
            ]
            if u.bias:
                terms.append(Sym(u.bias))
            net_name, _ = unit_names(u.name, net, out)
            model.append((net_name, terms[0] if len(terms) == 1 else Call("add", tuple(terms))))
            nets.append(net_name)
        outs = []
        for k, u in enumerate(layer):
            net_name, out_name = unit_names(u.name, net, out)
            if u.activation == "softmax":
                expr: Expr = Call("softmax", tuple(Sym(n) for n in nets), k)
            else:
                expr = Call(u.activation, (Sym(net_name),), u.slope)
            model.append((out_name, expr))
            outs.append(out_name)
        previous = outs
    return model, previous


def loss_term(kind: str, target: str, output: str, n_outputs: int) -> Expr:
    t, o = Sym(target), Sym(output)
    diff2 = Call("pow", (Call("sub", (t, o)), Num(Fraction(2))))
    if kind == "half_sse":
        return Call("mul", (HALF, diff2))
    if kind == "sse":
        return diff2
    if kind == "mse":
        return (
            diff2 if n_outputs == 1 else Call("mul", (Num(Fraction(1, n_outputs), f"1/{n_outputs}"), diff2))
        )
    if kind == "cross_entropy":
        return Call("neg", (Call("mul", (t, Call("log", (o,)))),))
    if kind == "binary_cross_entropy":
        both = Call(
            "add",
            (
                Call("mul", (t, Call("log", (o,)))),
                Call(
                    "mul",
                    (Call("sub", (ONE, t)), Call("log", (Call("sub", (ONE, o)),))),
                ),
            ),
        )
        return Call("neg", (both,))
    raise ValueError(kind)


def loss_model(
    kind: str, name: str, outputs: Sequence[tuple[str, str, str]], expr: Expr | None
) -> list[tuple[str, Expr]]:
    """Loss nodes for `outputs` given as (label, output node, target) triples."""
    if kind == "expression":
        assert expr is not None
        return [(name, expr)]
    if kind == "output":
        return []  # the output node itself is what is differentiated
    terms = [loss_term(kind, target, node, len(outputs)) for _, node, target in outputs]
    if len(terms) == 1:
        return [(name, terms[0])]
    prefix = name.removesuffix("_total")
    named = [(f"{prefix}_{label}", term) for (label, _, _), term in zip(outputs, terms, strict=True)]
    return [*named, (name, Call("add", tuple(Sym(n) for n, _ in named)))]
