"""Working a step again from the student's own earlier numbers, optionally under an altered rule.

Every diagnosis is a hypothesis confirmed this way: the slip is named only when recomputing with
it reproduces the student's number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..engine.expr import Expr
from ..engine.ops import evaluate
from ..solution import Step
from .sheet import Answer

FormulaRule = Callable[[Step], Expr]  # the formula a step is worked with
LeafRule = Callable[[Step, Expr, float], float]  # the number put in for a leaf of that formula


def as_written(s: Step) -> Expr:
    return s.formula


def as_known(s: Step, leaf: Expr, v: float) -> float:
    return v


@dataclass(frozen=True)
class Hypothesis:
    """An altered rule, applied while recomputing a step (and, when `deep`, what it depends on)."""

    slip: str
    explanation: str
    formula: FormulaRule = as_written
    leaf: LeafRule = as_known
    deep: bool = False


AS_WORKED = Hypothesis("", "")  # no slip: the step as the solution works it


class Recompute:
    """Recomputes steps of one Solution from whatever numbers a student gave."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self.index = {s.id: s for s in steps}

    def __call__(self, step: Step, student: Mapping[str, float], h: Hypothesis = AS_WORKED) -> float:
        """The step's value from the student's numbers (the solution's where they gave none); a deep
        hypothesis also reworks, under its rule, every earlier step they did not give."""
        memo: dict[str, float] = {}

        def value(sid: str) -> float:
            if sid in student:
                return student[sid]
            s = self.index.get(sid)
            if s is None or not h.deep:
                return s.value if s is not None else math.nan
            if sid not in memo:
                memo[sid] = work(s)
            return memo[sid]

        def work(s: Step) -> float:
            env: dict[Expr, float] = {}
            for leaf, lid, v in s.leaves:
                env[leaf] = h.leaf(s, leaf, value(lid) if lid else float(v))
            try:
                return evaluate(h.formula(s), env.__getitem__)
            except (ArithmeticError, ValueError):
                return math.nan

        return work(step)

    def rounding_slack(
        self, step: Step, student: Mapping[str, float], numbers: Mapping[str, Answer], base: float
    ) -> float:
        """How far the step moves when each of the student's inputs moves by half its last digit."""
        slack = 0.0
        for d in step.depends_on:
            if d in numbers:
                nudged = dict(student)
                nudged[d] += 0.5 * numbers[d].unit
                slack += abs(self(step, nudged) - base)
        return slack if math.isfinite(slack) else 0.0
