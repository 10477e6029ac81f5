"""Expressions as SymPy, for deciding whether a student's formula equals the expected one (the way
back, SymPy's results as expressions, is `from_sympy.py`).

Imported only when a formula answer has already agreed numerically, or for a file with a formula
function, so SymPy never slows down solving other files. Named intermediate nodes are expanded into
what defines them, so `out_o1·(1 − out_o1)` and `σ(net_o1)·(1 − σ(net_o1))` compare equal. Each
op's SymPy form is its entry's in `ops.OPS`. One example's name in a batch, f[2], is that example's
(its definition in example 2's names); a parameter is the same in every example.
"""

from __future__ import annotations

import importlib
from typing import Any

from .expr import Expr, Sym, in_example
from .graph import Graph
from .ops import as_sympy


def to_sympy(e: Expr, graph: Graph, memo: dict[str, Any] | None = None) -> Any:
    """SymPy form of `e`, named nodes of `graph` replaced by their definitions (memoised by name)."""
    sympy = importlib.import_module("sympy")  # untyped, and heavy: loaded on first use only
    memo = {} if memo is None else memo

    def leaf(s: Sym) -> Any:
        node = graph.nodes.get(s.name)
        key = s.name if s.example is None else f"{s.name}[{s.example}]"  # f[2]: example 2's f
        if node is None or node.expr is None:
            shared = node is not None and node.kind == "param"  # the same in every example
            return sympy.Symbol(s.name if shared else key)
        if key not in memo:
            defined = node.expr if s.example is None else in_example(node.expr, s.example)
            memo[key] = to_sympy(defined, graph, memo)
        return memo[key]

    return as_sympy(e, leaf)
