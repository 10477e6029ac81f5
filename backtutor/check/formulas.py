"""Grading formula answers: compared with the expected formula where the problem's known numbers (the
data, one-hot targets, frozen parameters) are put in first, at random points and by SymPy.

A point counts only where both formulas evaluate, so a formula defined nowhere is never right.
SymPy's verdict wins when it has one. Answers too large are refused before SymPy sees them, and
SymPy runs in a worker process with a time and memory limit (sympy_worker.py): past it, the answer
is "could not decide".
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from ..engine.expr import Call, Deriv, Expr, size
from ..engine.formula import text
from ..engine.ops import evaluate
from ..solution import Solution, Step
from ..solution.closed_forms import closed_forms
from .sheet import Answer
from .verdicts import Verdict

POINTS = 8  # random points tried
ENOUGH = 3  # points where both must evaluate for the comparison to count
MAX_TEXT = 2000  # characters of a formula answer
MAX_NODES = 400  # nodes of a formula answer
UNDEFINED = "not defined where the expected formula is"


class FormulaJudge:
    """Decides formula answers for one Solution."""

    def __init__(self, sol: Solution) -> None:
        self.sol = sol
        g = sol.graph
        self.free = [n.name for n in g.nodes.values() if n.expr is None]
        self.known_cache: dict[tuple[int, int | None], dict[str, Fraction | float]] = {}
        self.decided: dict[tuple[str, str], Verdict] = {}
        self._closed: dict[str, Expr | None] | None = None

    def closed_form(self, step: Step) -> Expr | None:
        """The step's closed form: a parameter's from the step, any other ∂loss/∂node's (∂E/∂net_o1,
        which the working and the documents leave as the chain) from the graph's reverse sweep."""
        t = step.target
        if (
            step.closed_form is not None
            or not isinstance(t, Deriv)
            or t.of != self.sol.graph.loss
            or t.direct
        ):
            return step.closed_form
        if self._closed is None:
            self._closed = closed_forms(self.sol.graph)
        return self._closed.get(t.wrt)

    def known(self, step: Step) -> dict[str, Fraction | float]:
        """The numbers the problem fixes for this step: its example's data, frozen parameters."""
        key = (step.update, step.example)
        if key not in self.known_cache:
            g, out = self.sol.graph, {}
            single = step.example is not None or self.sol.plan.batch_size == 1
            try:
                values = self.sol.values(step.update, step.example) if single else {}
            except KeyError:
                values = {}
            for name, v in values.items():
                node = g.nodes.get(name)
                if node and (
                    node.kind in ("input", "target") or (node.kind == "param" and name not in g.trainable)
                ):
                    out[name] = v
            self.known_cache[key] = out
        return self.known_cache[key]

    def grade(self, a: Answer, step: Step) -> Verdict:
        """Right when equal to the step's closed form (or formula); a sign error when its negative is.
        A class writes the same formulas: each is decided once."""
        key = (a.id, a.written)
        if key not in self.decided:
            self.decided[key] = self._grade(a, step)
        return self.decided[key]

    def _grade(self, a: Answer, step: Step) -> Verdict:
        closed = self.closed_form(step)
        expected = closed if closed is not None else step.formula
        shown = text(expected)
        if any(isinstance(leaf, Deriv) for leaf, _, _ in step.leaves) and closed is None:
            why = "its closed form is too long to compare a formula with: give a number for this step"
            return Verdict(a.id, a.written, "(a number)", "wrong", why)
        assert a.formula is not None
        if len(a.written) > MAX_TEXT or size(a.formula) > MAX_NODES:
            return Verdict(a.id, a.written, shown, "undecided", "could not decide: the formula is too long")
        status, how = self.equal(a.formula, expected, step)
        if status == "wrong" and self.negative_agrees(a.formula, expected, step):
            return Verdict(a.id, a.written, shown, "wrong", "sign error", "sign")
        return Verdict(a.id, a.written, shown, status, how)

    def equal(self, answer: Expr, expected: Expr, step: Step) -> tuple[str, str]:
        """(right | wrong | undecided, how it was decided). A point where both formulas are defined
        and differ decides; else SymPy's verdict, when it has one; else enough agreeing points."""
        known = self.known(step)
        compared, reason = self.at_points(answer, expected, known)
        if reason:  # a point where both are defined and differ decides it: no need for SymPy
            return "wrong", reason
        from .sympy_worker import decide  # SymPy's worker (multiprocessing) only for formula answers

        verdict = decide(answer, expected, self.sol.graph, known)
        if verdict == "equal":
            return "right", "equal to the expected formula"
        if verdict == "different":
            return "wrong", "not equal to the expected formula"
        if compared >= ENOUGH:
            return "right", f"equal at {compared} random points"
        return "undecided", f"could not decide: {verdict}; only {compared} points where both are defined"

    def negative_agrees(self, answer: Expr, expected: Expr, step: Step) -> bool:
        """The answer's negative equals the expected formula at enough random points."""
        compared, reason = self.at_points(Call("neg", (answer,)), expected, self.known(step))
        return compared >= ENOUGH and not reason

    def at_points(self, answer: Expr, expected: Expr, known: dict[str, Fraction | float]) -> tuple[int, str]:
        """How many random points agree, and a reason when they show the formulas differ."""
        rng = random.Random(0)
        g = self.sol.graph
        compared = 0
        for _ in range(POINTS):
            env = {name: float(known[name]) if name in known else rng.uniform(0.2, 0.9) for name in self.free}
            try:
                for n in g.computed:
                    assert n.expr is not None
                    env[n.name] = evaluate(n.expr, env)
            except (ArithmeticError, ValueError):
                continue
            b = _value(expected, env)
            if b is None:
                continue
            a = _value(answer, env)
            if a is None:
                return compared, UNDEFINED
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                return compared, "not equal to the expected formula"
            compared += 1
        return compared, ""


def _value(e: Expr, env: dict[str, float]) -> float | None:
    """The formula's value at a point, None where it is undefined."""
    try:
        v = evaluate(e, env)
    except (ArithmeticError, ValueError, KeyError, TypeError):
        return None
    return v if math.isfinite(v) else None
