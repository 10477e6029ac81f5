"""Expressions as SymPy, for deciding whether a student's formula equals the expected one.

Imported only when a formula answer has already agreed numerically, so SymPy never slows down
solving. Named intermediate nodes are expanded into what defines them, so `out_o1·(1 − out_o1)`
and `σ(net_o1)·(1 − σ(net_o1))` compare equal.
"""

from __future__ import annotations

from typing import Any

from .expr import Call, Expr, Num, Sym
from .graph import Graph

MAX_SIZE = 400  # larger expansions are left to the random-point comparison


def to_sympy(e: Expr, graph: Graph, memo: dict[str, Any] | None = None) -> Any:
    import sympy

    memo = {} if memo is None else memo
    if isinstance(e, Num):
        return sympy.Rational(e.value) if not isinstance(e.value, float) else sympy.Float(e.value)
    if isinstance(e, Sym):
        node = graph.nodes.get(e.name)
        if node is None or node.expr is None:
            return sympy.Symbol(e.name)
        if e.name not in memo:
            memo[e.name] = to_sympy(node.expr, graph, memo)
        return memo[e.name]
    assert isinstance(e, Call)
    a = [to_sympy(x, graph, memo) for x in e.args]
    x = a[0]
    match e.op:
        case "add":
            return sympy.Add(*a)
        case "mul":
            return sympy.Mul(*a)
        case "sub":
            return a[0] - a[1]
        case "div":
            return a[0] / a[1]
        case "pow":
            return a[0] ** a[1]
        case "neg":
            return -x
        case "exp":
            return sympy.exp(x)
        case "log":
            return sympy.log(x)
        case "sigmoid":
            return 1 / (1 + sympy.exp(-x))
        case "tanh":
            return sympy.tanh(x)
        case "relu":
            return sympy.Max(0, x)
        case "step":
            return sympy.Heaviside(x, 0)
        case "leaky_relu":
            return sympy.Piecewise((x, x > 0), (sympy.Rational(e.param) * x, True))
        case "leaky_step":
            return sympy.Piecewise((1, x > 0), (sympy.Rational(e.param), True))
        case "softplus":
            return sympy.log(1 + sympy.exp(x))
        case "swish":
            return x / (1 + sympy.exp(-x))
        case "identity":
            return x
        case "softmax":
            return sympy.exp(a[int(e.param)]) / sympy.Add(*(sympy.exp(z) for z in a))
        case "max":
            return sympy.Max(*a)
    raise ValueError(f"no SymPy form for {e.op}")


def equal(a: Expr, b: Expr, graph: Graph) -> bool:
    """True when SymPy can show a − b = 0; False when it cannot decide (or the forms are too big)."""
    import sympy

    memo: dict[str, Any] = {}
    difference = to_sympy(a, graph, memo) - to_sympy(b, graph, memo)
    if sympy.count_ops(difference) > MAX_SIZE:
        return False
    return sympy.simplify(difference) == 0
