"""A layered network read back from a problem's named expressions: per layer the weight matrix, the
bias vector and the activations, by name, for the matrix view (matrix_view.py). A model that is not a
network of units (expressions, convolution, …) has no such layers."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.expr import Call, Expr, Param, Sym
from ..engine.ops import OPS
from ..problem.records import Problem


def is_activation(op: str) -> bool:
    """An op a layer applies to its nets: the op table's activations and formula functions."""
    return OPS[op].activation or op == "formula"


@dataclass(frozen=True)
class Layer:
    """One layer, z = W·a + b and a = f(z): every entry is a name of the problem."""

    inputs: tuple[str, ...]  # a^{l−1}: the layer before's outputs (the inputs for the first)
    weights: tuple[tuple[str, ...], ...]  # W: one row per unit
    biases: tuple[str | None, ...]  # b: None where a unit has no bias (0)
    nets: tuple[str, ...]  # z
    outs: tuple[str, ...]  # a
    activations: tuple[str, ...]  # each unit's f
    params: tuple[Param, ...]  # each f's constant: leaky_relu's slope, a formula's function


def network_layers(problem: Problem) -> tuple[Layer, ...] | None:
    """The problem's layers, or None when its model is not a layered network of units."""
    exprs = dict(problem.model)
    previous, layers = problem.inputs, []
    for names in problem.layers:
        nets, outs = names[0::2], names[1::2]
        if not nets or len(nets) != len(outs) or any(n not in exprs for n in names):
            return None
        rows = [_row(exprs[n], previous) for n in nets]
        acts = [_activation(exprs[o], n, nets) for o, n in zip(outs, nets, strict=True)]
        if any(r is None for r in rows) or any(a is None for a in acts):
            return None
        weights = tuple(r[0] for r in rows if r is not None)
        biases = tuple(r[1] for r in rows if r is not None)
        funcs = [a for a in acts if a is not None]
        layers.append(
            Layer(
                previous, weights, biases, nets, outs, tuple(f for f, _ in funcs), tuple(p for _, p in funcs)
            )
        )
        previous = outs
    return tuple(layers) if layers else None


def _row(expr: Expr, previous: tuple[str, ...]) -> tuple[tuple[str, ...], str | None] | None:
    """A net's weights in the order of `previous`, and its bias: from w1·x1 + w2·x2 (+ b)."""
    terms = expr.args if isinstance(expr, Call) and expr.op == "add" else (expr,)
    weights: list[str] = []
    bias = None
    for term in terms:
        if isinstance(term, Call) and term.op == "mul" and all(isinstance(a, Sym) for a in term.args):
            w, x = (a.name for a in term.args if isinstance(a, Sym))
            if len(weights) >= len(previous) or x != previous[len(weights)]:
                return None
            weights.append(w)
        elif isinstance(term, Sym) and bias is None and len(weights) == len(previous):
            bias = term.name
        else:
            return None
    return (tuple(weights), bias) if len(weights) == len(previous) else None


def _activation(expr: Expr, net: str, nets: tuple[str, ...]) -> tuple[str, Param] | None:
    if not isinstance(expr, Call) or not is_activation(expr.op):
        return None
    args = tuple(a.name for a in expr.args if isinstance(a, Sym))
    if args != ((net,) if expr.op != "softmax" else nets):
        return None
    return expr.op, expr.param
