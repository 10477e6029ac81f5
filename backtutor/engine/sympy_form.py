"""Expressions as SymPy, for deciding whether a student's formula equals the expected one, and
SymPy's results read back as expressions (`from_sympy`, for a formula function's derivation).

Imported only when a formula answer has already agreed numerically, or for a file with a formula
function, so SymPy never slows down solving other files. Named intermediate nodes are expanded into
what defines them, so `out_o1·(1 − out_o1)` and `σ(net_o1)·(1 − σ(net_o1))` compare equal. Each
op's SymPy form is its entry's in `ops.OPS`; the way back knows only the op table's functions.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

from .expr import ONE, PI, Call, Expr, Num, Sym
from .graph import Graph
from .ops import as_sympy

MAX_SIZE = 400  # larger expansions are left to the random-point comparison


def to_sympy(e: Expr, graph: Graph, memo: dict[str, Any] | None = None) -> Any:
    """SymPy form of `e`, named nodes of `graph` replaced by their definitions (memoised by name)."""
    sympy = importlib.import_module("sympy")  # untyped, and heavy: loaded on first use only
    memo = {} if memo is None else memo

    def leaf(s: Sym) -> Any:
        node = graph.nodes.get(s.name)
        if node is None or node.expr is None:
            return sympy.Symbol(s.name)
        if s.name not in memo:
            memo[s.name] = to_sympy(node.expr, graph, memo)
        return memo[s.name]

    return as_sympy(e, leaf)


def equal(a: Expr, b: Expr, graph: Graph) -> bool:
    """True when SymPy can show a − b = 0; False when it cannot decide (or the forms are too big)."""
    sympy = importlib.import_module("sympy")
    memo: dict[str, Any] = {}
    difference = to_sympy(a, graph, memo) - to_sympy(b, graph, memo)
    if sympy.count_ops(difference) > MAX_SIZE:
        return False
    return bool(sympy.simplify(difference) == 0)


# SymPy function class name → op-table entry, for reading a SymPy result back (`from_sympy`)
_FUNCTIONS = {
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "asinh": "asinh",
    "sin": "sin",
    "cos": "cos",
    "erf": "erf",
    "Abs": "abs",
    "Max": "max",
    "Min": "min",
}


class Unreadable(Exception):
    """A SymPy result with a part the op table has no entry for (Piecewise, sign, a complex unit…)."""


def from_sympy(s: Any) -> Expr:
    """A SymPy expression back as an Expr, by a walk over its tree that knows only the numbers,
    symbols and functions of the op table (anything else raises Unreadable): written as a person
    writes it, a quotient as one fraction bar and a − b for a + (−b)."""
    sympy = importlib.import_module("sympy")
    if s.is_Add:  # a positive term first where there is one: 1 − tanh(x)², not −tanh(x)² + 1
        terms = sorted(s.as_ordered_terms(), key=lambda t: bool(t.could_extract_minus_sign()))
        return Call("add", tuple(from_sympy(t) for t in terms))
    if s.could_extract_minus_sign():
        return Call("neg", (from_sympy(-s),))
    top, bottom = sympy.fraction(s)
    if bottom != 1:
        return Call("div", (from_sympy(top), from_sympy(bottom)))
    if s is sympy.pi:
        return PI
    if s is sympy.E:
        return Call("exp", (ONE,))
    if s.is_Rational:
        return Num(Fraction(int(s.p), int(s.q)))
    if s.is_Float:
        return Num(float(s))
    if s.is_Symbol:
        return Sym(str(s.name))
    if s.is_Mul:
        return Call("mul", tuple(from_sympy(f) for f in s.as_ordered_factors()))
    if s.is_Pow:
        base, exponent = s.args
        if exponent == sympy.Rational(1, 2):
            return Call("sqrt", (from_sympy(base),))
        return Call("pow", (from_sympy(base), from_sympy(exponent)))
    name = type(s).__name__
    if name in _FUNCTIONS:
        return Call(_FUNCTIONS[name], tuple(from_sympy(a) for a in s.args))
    if name == "Heaviside" and s.args[1:] == (0,):  # H(0) = 0: the step 1[x > 0]
        return Call("step", (from_sympy(s.args[0]),))
    if name == "Piecewise" and len(s.args) == 2 and s.args[1].cond == sympy.true:
        (then, cond), (otherwise, _) = s.args
        if isinstance(cond, sympy.StrictGreaterThan):
            positive = cond.lhs - cond.rhs
            return Call("where", (from_sympy(positive), from_sympy(then), from_sympy(otherwise)))
    raise Unreadable(f"no op for SymPy's {name}")
