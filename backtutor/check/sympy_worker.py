"""SymPy under a time and memory limit, asked whether two formulas are equal.

Some formulas (a sum of eight weights to the 40th power, six nested sigmoids) make SymPy run for
minutes and take gigabytes. So the comparison runs in the bounded worker (engine/bounded.py, shared
with the simplified closed forms); an answer it has not decided within the time limit is "could not
decide" and the worker is replaced.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

from ..engine import bounded
from ..engine.bounded import Unfinished, run
from ..engine.expr import Expr
from ..engine.graph import Graph

Known = dict[str, Fraction | float]


def compare(a: Expr, b: Expr, graph: Graph, known: Known) -> str:
    """equal | different | unknown: SymPy's verdict on a − b, known numbers put in first."""
    from ..engine.sympy_form import to_sympy

    sympy = importlib.import_module("sympy")
    memo: dict[str, Any] = {}
    difference = to_sympy(a, graph, memo) - to_sympy(b, graph, memo)
    numbers = {
        sympy.Symbol(k): sympy.Rational(v.numerator, v.denominator)
        if isinstance(v, Fraction)
        else sympy.Float(v)
        for k, v in known.items()
    }
    difference = difference.xreplace(numbers)
    if sympy.count_ops(difference) > bounded.ANSWER_OPS:
        return "unknown"
    simple = sympy.simplify(difference)
    if simple == 0:
        return "equal"
    if simple.is_number and simple.is_zero is False:
        return "different"
    return "unknown"


def decide(a: Expr, b: Expr, graph: Graph, known: Known, timeout: float | None = None) -> str:
    """compare() in the bounded worker: equal | different | unknown, or why it could not decide."""
    try:
        return str(run(compare, (a, b, graph, known), bounded.ANSWER_SECONDS if timeout is None else timeout))
    except Unfinished as e:
        return str(e)
