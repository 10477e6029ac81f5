"""Grading formula answers: compared with the expected formula where the problem's known numbers (the
data, one-hot targets, frozen parameters) are put in first, at random points and by SymPy.

A batch's gradient is the sum (or mean) of its examples' closed forms, each in that example's names
(f[1], f[2]), and each example's numbers are put in. A point counts only where both formulas
evaluate, so a formula defined nowhere is never right. SymPy's verdict wins when it has one. Answers
too large are refused before SymPy sees them, and SymPy runs in a worker process with a time and
memory limit (sympy_worker.py): past it, the answer is "could not decide".
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from ..engine.expr import Call, Deriv, Expr, Num, Sym, in_example, size
from ..engine.formula import text
from ..engine.ops import evaluate
from ..solution import Solution, Step
from ..solution.closed_forms import closed_forms
from .sheet import Answer, per_example
from .verdicts import Verdict

POINTS = 8  # random points tried
ENOUGH = 3  # points where both must evaluate for the comparison to count
MAX_TEXT = 2000  # characters of a formula answer
MAX_NODES = 400  # nodes of a formula answer
UNDEFINED = "not defined where the expected formula is"

Given = dict[str, Fraction | float]
Known = dict[int | None, Given]  # an example of the step's update (None: the step's own) ↦ its numbers


class FormulaJudge:
    """Decides formula answers for one Solution."""

    def __init__(self, sol: Solution) -> None:
        self.sol = sol
        g = sol.graph
        self.free = [n.name for n in g.nodes.values() if n.expr is None]
        self.varying = per_example(g)
        self.known_cache: dict[tuple[int, int | None], Known] = {}
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

    def examples(self, t: int) -> list[int]:
        """The examples of update t's batch (none when it learns from one example)."""
        return sorted({w.example for w in self.sol.worked if w.update == t and w.example is not None})

    def known(self, step: Step) -> Known:
        """The numbers the problem fixes for this step (its example's data, frozen parameters) and
        for each example of its batch."""
        key = (step.update, step.example)
        if key not in self.known_cache:
            single = step.example is not None or self.sol.plan.batch_size == 1
            out: Known = {None: self._given(step.update, step.example) if single else {}}
            for k in self.examples(step.update):
                out[k] = self._given(step.update, k)
            self.known_cache[key] = out
        return self.known_cache[key]

    def _given(self, t: int, k: int | None) -> Given:
        g = self.sol.graph
        try:
            values = self.sol.values(t, k)
        except KeyError:
            return {}
        return {
            name: v
            for name, v in values.items()
            if (node := g.nodes.get(name))
            and (node.kind in ("input", "target") or (node.kind == "param" and name not in g.trainable))
        }

    def expected(self, step: Step) -> Expr:
        """The step's closed form (or formula); a batch's gradient: its examples' closed forms, added
        (or averaged) in each example's names."""
        closed = self.closed_form(step)
        if closed is None:
            return step.formula
        examples = self.examples(step.update) if step.example is None else []
        if len(examples) < 2:
            return closed
        total = Call("add", tuple(in_example(closed, k, only=self.varying) for k in examples))
        mean = self.sol.problem.reduction == "mean"
        return Call("mul", (Num(Fraction(1, len(examples))), total)) if mean else total

    def grade(self, a: Answer, step: Step) -> Verdict:
        """Right when equal to the step's closed form (or formula); a sign error when its negative is.
        A class writes the same formulas: each is decided once."""
        key = (a.id, a.written)
        if key not in self.decided:
            self.decided[key] = self._grade(a, step)
        return self.decided[key]

    def _grade(self, a: Answer, step: Step) -> Verdict:
        expected = self.expected(step)
        shown = text(expected)
        if any(isinstance(leaf, Deriv) for leaf, _, _ in step.leaves) and self.closed_form(step) is None:
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

        verdict = decide(answer, expected, self.sol.graph, _flat(known))
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

    def at_points(self, answer: Expr, expected: Expr, known: Known) -> tuple[int, str]:
        """How many random points agree, and a reason when they show the formulas differ. The
        parameters are drawn once a point, shared by every example."""
        rng = random.Random(0)
        compared = 0
        for _ in range(POINTS):
            drawn = {name: rng.uniform(0.2, 0.9) for name in self.free}
            try:
                envs = {k: self._worked(drawn, given) for k, given in known.items()}
            except (ArithmeticError, ValueError):
                continue
            b = _value(expected, envs)
            if b is None:
                continue
            a = _value(answer, envs)
            if a is None:
                return compared, UNDEFINED
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                return compared, "not equal to the expected formula"
            compared += 1
        return compared, ""

    def _worked(self, drawn: dict[str, float], given: Given) -> dict[str, float]:
        """Every node's value at a point: the given numbers, else the drawn ones, then the model."""
        env = {name: float(given[name]) if name in given else drawn[name] for name in self.free}
        for n in self.sol.graph.computed:
            assert n.expr is not None
            env[n.name] = evaluate(n.expr, env)
        return env


def _flat(known: Known) -> Given:
    """The known numbers by name, each example's written f[k] (as sympy_form names them)."""
    return {
        (name if k is None else f"{name}[{k}]"): v for k, given in known.items() for name, v in given.items()
    }


def _value(e: Expr, envs: dict[int | None, dict[str, float]]) -> float | None:
    """The formula's value at a point (a name of example k from that example's values), None where
    it is undefined."""

    def leaf(x: Expr) -> float:
        if not isinstance(x, Sym):
            raise KeyError(x)
        return envs[x.example][x.name]

    try:
        v = evaluate(e, leaf)
    except (ArithmeticError, ValueError, KeyError, TypeError):
        return None
    return v if math.isfinite(v) else None
