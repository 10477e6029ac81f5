"""Grading formula answers: equal to the expected formula at random points, then by SymPy."""

from __future__ import annotations

import math
import random

from ..engine.expr import Call, Deriv, Expr
from ..engine.formula import text
from ..engine.ops import evaluate
from ..solution import Solution, Step
from .sheet import Answer
from .verdicts import Verdict


def grade_formula(a: Answer, step: Step, sol: Solution) -> Verdict:
    """Right when equal to the step's closed form (or its formula); a sign error when its negative is."""
    expected = step.closed_form if step.closed_form is not None else step.formula
    if any(isinstance(leaf, Deriv) for leaf, _, _ in step.leaves) and step.closed_form is None:
        return Verdict(a.id, a.written, "(a number)", "wrong", "give a number for this step")
    assert a.formula is not None
    verdict = formulas_equal(a.formula, expected, sol)
    shown = text(expected)
    if verdict:
        return Verdict(a.id, a.written, shown, "right", verdict)
    if formulas_equal(Call("neg", (a.formula,)), expected, sol):
        return Verdict(a.id, a.written, shown, "wrong", "sign error", "sign")
    return Verdict(a.id, a.written, shown, "wrong", "not equal to the expected formula")


def formulas_equal(answer: Expr, expected: Expr, sol: Solution, points: int = 5) -> str:
    """'' when different; else how equality was established (SymPy, or random points)."""
    rng = random.Random(0)
    g = sol.graph
    for _ in range(points):
        env = {n.name: rng.uniform(0.2, 0.9) for n in g.nodes.values() if n.expr is None}
        try:
            for n in g.computed:
                assert n.expr is not None
                env[n.name] = evaluate(n.expr, env)
            a, b = evaluate(answer, env), evaluate(expected, env)
        except (ArithmeticError, ValueError):
            continue
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return ""
    from ..engine.sympy_form import equal  # SymPy is slow to import: only for formula answers

    return "equal to the expected formula" if equal(answer, expected, g) else "equal at 5 random points"
