"""A layered network read back from a problem's named expressions: per layer the weight matrix, the
bias vector and the activations, by name, for the matrix view (matrix_view.py). A model that is not a
network of units (expressions, convolution, …) has no such layers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from ..engine.expr import Call, Expr, Num, Param, Sym
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
    # dropout on the layer's outputs: each unit's mask (an input per example), the rate, and the
    # outputs after it (drop_h1 = mask_h1·out_h1/(1 − rate)), which the next layer reads
    masks: tuple[str, ...] = ()
    rate: Fraction | None = None
    dropped: tuple[str, ...] = ()

    @property
    def feeds(self) -> tuple[str, ...]:
        """What the next layer reads: the outputs, or the outputs after dropout."""
        return self.dropped or self.outs


def network_layers(problem: Problem) -> tuple[Layer, ...] | None:
    """The problem's layers, or None when its model is not a layered network of units."""
    exprs = dict(problem.model)
    masks = {m[0] for e in exprs.values() if (m := _dropout_of(e))}  # inputs too, but no layer's
    previous, layers = tuple(x for x in problem.inputs if x not in masks), []
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
        layer = Layer(
            previous, weights, biases, nets, outs, tuple(f for f, _ in funcs), tuple(p for _, p in funcs)
        )
        layer = _with_dropout(layer, exprs)
        layers.append(layer)
        previous = layer.feeds
    return tuple(layers) if layers else None


def _with_dropout(layer: Layer, exprs: dict[str, Expr]) -> Layer:
    """The layer with its dropout, when every output has a node mask·out/(1 − rate) (one rate)."""
    found = {}
    for name, e in exprs.items():
        match = _dropout_of(e)
        if match and match[1] in layer.outs:
            found[match[1]] = (name, match[0], match[2])
    if set(found) != set(layer.outs) or len({r for _, _, r in found.values()}) != 1:
        return layer
    drops, masks, rates = zip(*(found[o] for o in layer.outs), strict=True)
    return replace(layer, masks=tuple(masks), rate=rates[0], dropped=tuple(drops))


def _dropout_of(e: Expr) -> tuple[str, str, Fraction] | None:
    """(mask, out, rate) of a node mask·out/(1 − rate), as problem/network.py builds dropout."""
    if not (isinstance(e, Call) and e.op == "div"):
        return None
    kept, keep = e.args
    if not (isinstance(kept, Call) and kept.op == "mul" and isinstance(keep, Call) and keep.op == "sub"):
        return None
    names = [f.name for f in kept.args if isinstance(f, Sym)]
    rate = keep.args[1]
    if len(names) != 2 or len(kept.args) != 2 or not isinstance(rate, Num):
        return None
    return names[0], names[1], Fraction(rate.value)


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
