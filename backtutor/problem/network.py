"""Turns a file's network description into named expressions in the user's notation.

A layered unit `h1: {weights: [w1, w2], bias: b1}` becomes net_h1 = w1·i1 + w2·i2 + b1 and
out_h1 = act(net_h1). A layer with dropout feeds the next one drop_h1 = mask_h1·out_h1/(1 − p) instead
(dropout.py). An activation of any number of inputs (softmax) takes the whole layer's
nets, with the unit's position as its parameter. The loss is built by `engine/losses.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..engine.expr import ONE, Call, Expr, Function, Num, Sym
from ..engine.ops import OPS


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """One unit of a `network` layer: its weights, bias and activation, by name."""

    name: str
    weights: tuple[str, ...]
    bias: str | None
    activation: str
    constant: Fraction | None = None  # the activation's constant (leaky_relu's slope)
    function: Function | None = None  # an activation written as a formula (activation "formula")


def unit_names(unit: str, net: str, out: str) -> tuple[str, str]:
    """Node names for a unit from templates such as "net_{unit}" (plain replacement, no format())."""
    return net.replace("{unit}", unit), out.replace("{unit}", unit)


def dropout_names(unit: str) -> tuple[str, str]:
    """A unit's dropout mask (an input, per example) and its output after dropout."""
    return f"mask_{unit}", f"drop_{unit}"


def network_model(
    inputs: Sequence[str],
    layers: Sequence[Sequence[UnitSpec]],
    net: str,
    out: str,
    rates: Sequence[Fraction | None] = (),
) -> tuple[list[tuple[str, Expr]], list[str]]:
    """Named expressions of a layered network, and the names of its output nodes; `rates`: each
    layer's dropout rate (None: no dropout)."""
    model: list[tuple[str, Expr]] = []
    previous = list(inputs)
    for li, layer in enumerate(layers):
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
            if OPS[u.activation].arity is None:
                expr: Expr = Call(u.activation, tuple(Sym(n) for n in nets), k)
            else:
                expr = Call(u.activation, (Sym(net_name),), u.function or u.constant)
            model.append((out_name, expr))
            outs.append(out_name)
        rate = rates[li] if li < len(rates) else None
        previous = outs if rate is None else _dropped(model, layer, outs, rate)
    return model, previous


def _dropped(
    model: list[tuple[str, Expr]], layer: Sequence[UnitSpec], outs: list[str], rate: Fraction
) -> list[str]:
    """drop_u = mask_u·out_u/(1 − rate) for each unit, appended to `model`; their names."""
    drops = []
    for u, out_name in zip(layer, outs, strict=True):
        mask, drop = dropout_names(u.name)
        kept = Call("mul", (Sym(mask), Sym(out_name)))
        model.append((drop, Call("div", (kept, Call("sub", (ONE, Num(rate)))))))
        drops.append(drop)
    return drops
