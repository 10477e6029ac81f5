"""The penalty (`loss.penalty`) in the matrix view: the node the penalty builder added to the loss
(problem/penalty.py), its value, and its gradient for a parameter matrix, entry by entry from the op
table's derivative of that node's formula (0 for an entry it does not use). Each example's loss holds
the penalty once, so ∂E/∂Wˡ = δˡ(aˡ⁻¹)ᵀ + ∂E_penalty/∂Wˡ, and a batch's mean keeps it once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.expr import Expr, names
from ..engine.formula import latex, text
from ..engine.ops import diff, evaluate
from ..problem.penalty import penalty_node
from ..problem.records import Problem
from ..solution.records import Value
from .updates import Entries

if TYPE_CHECKING:
    from .records import Array

Values = Mapping[str, Value]  # a worked example's numbers


@dataclass(frozen=True)
class Penalty:
    node: str  # E_penalty
    formula: Expr  # λ·Σw², ½λ·Σw² or λ·Σ|w| over the penalised parameters

    def equation(self) -> tuple[str, str]:
        """E_penalty = its formula, as text and LaTeX."""
        from ..engine.notation import latex_name

        return f"{self.node} = {text(self.formula)}", f"{latex_name(self.node)} = {latex(self.formula)}"

    def value(self, values: Values) -> float:
        return evaluate(self.formula, _floats(values, self.formula))

    def gradient(self, entries: Entries, values: Values, counted: set[str]) -> Array:
        """∂E_penalty/∂ of each entry of a parameter matrix (None: no parameter there, 0). A
        parameter several entries share (a bias of the whole layer) has it once, at the first
        entry the pass reaches; `counted` holds those reached already, and gains this matrix's."""
        import numpy as np

        env, used = _floats(values, self.formula), set(names(self.formula))
        rows = []
        for row in entries:
            rows.append([evaluate(diff(self.formula, x), env) if x in used - counted else 0.0 for x in row])
            counted.update(x for x in row if x)
        return np.array(rows, dtype=np.float64)

    def covers(self, entries: Entries) -> bool:
        """Some entry of the matrix is penalised."""
        used = set(names(self.formula))
        return any(x in used for row in entries for x in row)

    def rule(self, entries: Entries) -> str:
        """How an entry's penalty gradient is worked, shown with the first penalised entry."""
        used = set(names(self.formula))
        first = next(x for row in entries for x in row if x in used)
        return f"∂{self.node}/∂{first} = {text(diff(self.formula, first))}, and likewise for each entry" + (
            "" if all(x in used for row in entries for x in row if x) else " (0 where not penalised)"
        )


def penalty_of(problem: Problem) -> Penalty | None:
    """The problem's penalty, or None without one."""
    found = penalty_node(problem.model, problem.loss)
    return Penalty(*found) if found else None


def _floats(values: Values, formula: Expr) -> dict[str, float]:
    return {n: float(values[n]) for n in names(formula)}
