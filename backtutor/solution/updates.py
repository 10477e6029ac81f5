"""The steps after the examples of an update: the batch's loss and gradients (the sum or mean of the
per-example ones) and the SGD update of each trainable parameter."""

from __future__ import annotations

import math
from fractions import Fraction

from ..engine.expr import Call, Deriv, Expr, Num, Sym, Updated
from .context import Context
from .records import Step, Value, ValueOf
from .steps import make_step

ETA = Sym("η")


def reduce(values: list[float], mean: bool) -> float:
    """The sum of per-example numbers, or their mean."""
    total = math.fsum(values)
    return total / len(values) if mean else total


def batch_steps(ctx: Context, t: int, losses: list[float], grads: list[dict[str, float]]) -> list[Step]:
    """The loss and each gradient over the batch: the sum (or mean) of the per-example ones."""
    g = ctx.graph
    ks = range(1, len(losses) + 1)

    def value_of(e: Expr) -> Value | None:
        if isinstance(e, Sym) and e.example:
            return losses[e.example - 1]
        return grads[e.example - 1][e.wrt] if isinstance(e, Deriv) and e.example else None

    loss = reduce(losses, ctx.mean)
    out = [
        make_step(ctx.ids, Sym(g.loss), _formula(ctx, [Sym(g.loss, k) for k in ks]), loss, t, None, value_of)
    ]
    for n in g.wrt:
        formula = _formula(ctx, [Deriv(g.loss, n, k) for k in ks])
        value = reduce([gr[n] for gr in grads], ctx.mean)
        closed = ctx.closed.get(n)
        out.append(make_step(ctx.ids, Deriv(g.loss, n), formula, value, t, None, value_of, closed))
    return out


def update_steps(
    ctx: Context,
    t: int,
    learning_rate: Fraction,
    params: list[float],
    shown_params: dict[str, Value],
    grads: list[dict[str, float]],
) -> list[Step]:
    """w⁺ = w − η·∂loss/∂w for each trainable parameter, with the batch's gradient."""
    g = ctx.graph
    position = {name: i for i, name in enumerate(g.params)}
    out = []
    for name in g.trainable:
        grad = reduce([gr[name] for gr in grads], ctx.mean)
        formula = Call("sub", (Sym(name), Call("mul", (ETA, Deriv(g.loss, name)))))
        new = params[position[name]] - float(learning_rate) * grad
        value_of = _update_values(learning_rate, grad, shown_params[name])
        out.append(make_step(ctx.ids, Updated(name), formula, new, t, None, value_of))
    return out


def _update_values(learning_rate: Fraction, grad: float, before: Value) -> ValueOf:
    """The numbers of one update formula: η, the gradient, the parameter before the update."""
    return lambda e: learning_rate if e == ETA else grad if isinstance(e, Deriv) else before


def _formula(ctx: Context, parts: list[Expr]) -> Expr:
    """The sum of per-example quantities, times 1/n when the batch's loss is a mean."""
    total = Call("add", tuple(parts))
    if ctx.mean:
        return Call("mul", (Num(Fraction(1, len(parts)), f"1/{len(parts)}"), total))
    return total
