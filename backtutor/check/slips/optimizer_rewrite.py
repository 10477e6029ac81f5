"""Formula surgery for the optimizer slips: each function rewrites the shapes the optimizer table
(engine/optimizers.py) writes — the moving average β·old + (1 − β)·new, the bias correction
m/(1 − βᵗ), the scaled step η·m̂/(√v̂ + ε) — the way a student gets them wrong. A formula without
the shape comes back as the same object, so the slip is seen to change nothing there."""

from __future__ import annotations

from collections.abc import Callable, Collection
from fractions import Fraction

from ...engine.expr import ONE, Call, Expr, Num, Sym

Rewrite = Callable[[Call], Expr | None]  # a new node for a Call of the shape, None to leave it


def rewrite(e: Expr, rule: Rewrite) -> Expr:
    """e with `rule` applied bottom-up; unchanged parts (and an unchanged whole) keep their objects."""
    if not isinstance(e, Call):
        return e
    args = tuple(rewrite(a, rule) for a in e.args)
    if any(a is not b for a, b in zip(args, e.args, strict=True)):
        e = Call(e.op, args, e.param)
    new = rule(e)
    return e if new is None else new


def _bias(e: Expr) -> Call | None:
    """The power βᵗ of a bias correction's 1 − βᵗ, else None."""
    if isinstance(e, Call) and e.op == "sub" and e.args[0] == ONE:
        power = e.args[1]
        if isinstance(power, Call) and power.op == "pow" and isinstance(power.args[0], Sym):
            return power
    return None


def no_bias_correction(c: Call) -> Expr | None:
    """m/(1 − βᵗ) → m: the bias correction forgotten."""
    return c.args[0] if c.op == "div" and _bias(c.args[1]) is not None else None


def bias_without_power(c: Call) -> Expr | None:
    """m/(1 − βᵗ) → m/(1 − β): the power t forgotten."""
    power = _bias(c.args[1]) if c.op == "div" else None
    if power is None:
        return None
    return Call("div", (c.args[0], Call("sub", (ONE, power.args[0]))))


def swapped_average(c: Call) -> Expr | None:
    """β·old + (1 − β)·new → (1 − β)·old + β·new."""
    if c.op != "add" or len(c.args) != 2:
        return None
    first, second = c.args
    if not (isinstance(first, Call) and first.op == "mul" and len(first.args) == 2):
        return None
    if not (isinstance(second, Call) and second.op == "mul" and len(second.args) == 2):
        return None
    rate, one_minus = first.args[0], second.args[0]
    if not (isinstance(rate, Sym) and one_minus == Call("sub", (ONE, rate))):
        return None
    return Call("add", (Call("mul", (one_minus, first.args[1])), Call("mul", (rate, second.args[1]))))


def epsilon_inside_root(c: Call) -> Expr | None:
    """√v̂ + ε → √(v̂ + ε)."""
    if c.op == "add" and len(c.args) == 2:
        root, eps = c.args
        if isinstance(root, Call) and root.op == "sqrt" and eps == Sym("epsilon"):
            return Call("sqrt", (Call("add", (root.args[0], eps)),))
    return None


def no_root(c: Call) -> Expr | None:
    """√v̂ → v̂: divided by the average of squares itself."""
    return c.args[0] if c.op == "sqrt" else None


TWO = Num(Fraction(2))


def squared_gradient(e: Expr, gradients: Collection[str]) -> Expr:
    """g → g² wherever g stands alone (not already squared)."""
    if isinstance(e, Sym) and e.name in gradients:
        return Call("pow", (e, TWO))
    if not isinstance(e, Call) or _is_square(e, gradients):
        return e
    args = tuple(squared_gradient(a, gradients) for a in e.args)
    if all(a is b for a, b in zip(args, e.args, strict=True)):
        return e
    return Call(e.op, args, e.param)


def plain_gradient(gradients: Collection[str]) -> Rewrite:
    """g² → g."""

    def rule(c: Call) -> Expr | None:
        return c.args[0] if _is_square(c, gradients) else None

    return rule


def _is_square(c: Call, gradients: Collection[str]) -> bool:
    g = c.args[0]
    return c.op == "pow" and isinstance(g, Sym) and g.name in gradients and c.args[1] == TWO
