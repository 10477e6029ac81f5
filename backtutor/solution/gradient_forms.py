"""Each parameter's gradient in closed form, for the renderers: as the chain rule assembles it and,
where it reads differently, simplified by SymPy; over a batch, the number of examples its Σ (or
mean) runs over; and the gradients whose form is too long to read.

Simplifying loads SymPy (in its bounded worker), so it is done only when asked: documents and JSON
always, the terminal with --simplify (`backtutor solve` of a small problem stays fast), under a time
budget for the whole problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.expr import Deriv, Expr
from .records import Solution

if TYPE_CHECKING:
    from .simplify import Budget


@dataclass(frozen=True)
class ClosedForm:
    """One gradient's closed form: as the chain rule assembles it, and simplified when asked."""

    target: Expr  # ∂loss/∂p
    chain: Expr  # as the chain rule assembles it (one example's, inside the Σ of a batch)
    simplified: Expr | None  # None: not asked for, skipped (see note), or it reads as the chain form
    note: str = ""  # why there is no simplified form, when SymPy gave up
    examples: int = 1  # the batch's examples the gradient sums over (1: a single example)
    mean: bool = False  # the batch's gradient is the mean over its examples, not the sum


@dataclass(frozen=True)
class ClosedForms:
    """The closed forms of a solution's gradients, and those left out as too long to read."""

    forms: list[ClosedForm]
    missing: list[Expr]  # the gradients whose closed form is left out as too long to read (`left_out`)


def closed_forms(sol: Solution, simplify: bool) -> ClosedForms:
    """Each trainable (or chosen) gradient's closed form, once per parameter, in working order."""
    g = sol.graph
    examples = _batch_size(sol)
    forms: list[ClosedForm] = []
    missing: list[Expr] = []
    seen: set[str] = set()
    budget = _budget() if simplify else None
    for s in sol.steps:
        t = s.target
        if s.phase != "backward" or not isinstance(t, Deriv) or t.direct or t.of != g.loss:
            continue
        if t.wrt not in g.wrt or t.wrt in seen:
            continue
        seen.add(t.wrt)
        target = Deriv(g.loss, t.wrt)
        if s.closed_form is None:
            missing.append(target)
            continue
        simplified, note = _simplified(sol, s.closed_form, budget) if budget is not None else (None, "")
        forms.append(
            ClosedForm(target, s.closed_form, simplified, note, examples, sol.problem.reduction == "mean")
        )
    return ClosedForms(forms, missing)


def _budget() -> Budget:
    from ..engine.bounded import FORMS_BUDGET
    from .simplify import Budget

    return Budget(FORMS_BUDGET)


def _simplified(sol: Solution, chain: Expr, budget: Budget) -> tuple[Expr | None, str]:
    from .simplify import groups_of, simplify

    result = simplify(chain, groups_of(sol.problem), budget)
    return (None, result) if isinstance(result, str) else (result, "")


def _batch_size(sol: Solution) -> int:
    """Examples in the first worked update (1 when each update learns from one example)."""
    first = min((s.update for s in sol.steps), default=1)
    return max(len({s.example for s in sol.steps if s.update == first and s.example is not None}), 1)
