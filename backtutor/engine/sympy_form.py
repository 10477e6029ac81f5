"""Expressions as SymPy, for deciding whether a student's formula equals the expected one.

Imported only when a formula answer has already agreed numerically, so SymPy never slows down
solving. Named intermediate nodes are expanded into what defines them, so `out_o1·(1 − out_o1)`
and `σ(net_o1)·(1 − σ(net_o1))` compare equal. Each op's SymPy form is its entry's in `ops.OPS`.
"""

from __future__ import annotations

import importlib
from typing import Any

from .expr import Call, Expr, Num, Sym
from .graph import Graph
from .ops import OPS

MAX_SIZE = 400  # larger expansions are left to the random-point comparison


def to_sympy(e: Expr, graph: Graph, memo: dict[str, Any] | None = None) -> Any:
    """SymPy form of `e`, named nodes of `graph` replaced by their definitions (memoised by name)."""
    sympy = importlib.import_module("sympy")  # untyped, and heavy: loaded on first use only
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
    assert isinstance(e, Call), f"no SymPy form for {e!r}"
    return OPS[e.op].sympy([to_sympy(x, graph, memo) for x in e.args], e.param)


def equal(a: Expr, b: Expr, graph: Graph) -> bool:
    """True when SymPy can show a − b = 0; False when it cannot decide (or the forms are too big)."""
    sympy = importlib.import_module("sympy")
    memo: dict[str, Any] = {}
    difference = to_sympy(a, graph, memo) - to_sympy(b, graph, memo)
    if sympy.count_ops(difference) > MAX_SIZE:
        return False
    return bool(sympy.simplify(difference) == 0)
