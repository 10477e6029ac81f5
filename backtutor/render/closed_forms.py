"""The outline's closed forms: each parameter's gradient in the problem's names, as the chain rule
assembles it and, where it reads differently, simplified by SymPy; over a batch, the Σ (or mean)
over its examples around it. Gradients whose form is too long to read are named in a note.

Simplifying loads SymPy (in its bounded worker), so it is done only when a renderer asks: documents
and JSON always, the terminal with --simplify (`backtutor solve` of a small problem stays fast).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..engine.expr import Deriv, Expr
from ..engine.formula import latex, text
from ..solution import Solution
from ..solution.closed_forms import TOO_LONG

SIMPLIFIED = "simplified"  # the label of the second form
BUDGET = 20.0  # seconds of SymPy for all of a problem's forms (each form has its own limit too)


@dataclass(frozen=True)
class ClosedForm:
    target: Expr  # ∂loss/∂p
    chain: Expr  # as the chain rule assembles it (one example's, inside the Σ of a batch)
    simplified: Expr | None  # None: not asked for, skipped (see note), or it reads as the chain form
    note: str = ""  # why there is no simplified form, when SymPy gave up
    examples: int = 1  # the batch's examples the gradient sums over (1: a single example)
    mean: bool = False  # the batch's gradient is the mean over its examples, not the sum


@dataclass(frozen=True)
class ClosedForms:
    forms: list[ClosedForm]
    missing: list[Expr]  # the gradients whose closed form is left out as too long to read (`left_out`)


def closed_forms(sol: Solution, simplify: bool) -> ClosedForms:
    """Each trainable (or chosen) gradient's closed form, once per parameter, in working order."""
    g = sol.graph
    examples = _batch_size(sol)
    forms: list[ClosedForm] = []
    missing: list[Expr] = []
    deadline = time.monotonic() + BUDGET
    seen: set[str] = set()
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
        simplified, note = _simplified(sol, s.closed_form, deadline) if simplify else (None, "")
        forms.append(
            ClosedForm(target, s.closed_form, simplified, note, examples, sol.problem.reduction == "mean")
        )
    return ClosedForms(forms, missing)


def _simplified(sol: Solution, chain: Expr, deadline: float) -> tuple[Expr | None, str]:
    from ..solution.simplify import groups_of, simplified, simplify

    if time.monotonic() > deadline:
        return None, f"not simplified: SymPy had {BUDGET:g} s for this problem's forms, and used them"
    groups = groups_of(sol.problem)
    result = simplify(chain, groups)
    return (None, result) if isinstance(result, str) else (simplified(chain, groups), "")


def _batch_size(sol: Solution) -> int:
    """Examples in the first worked update (1 when each update learns from one example)."""
    first = min((s.update for s in sol.steps), default=1)
    return max(len({s.example for s in sol.steps if s.update == first and s.example is not None}), 1)


def left_out(cfs: ClosedForms, name: Callable[[Expr], str] = text) -> str:
    """The note on the gradients left out as too long to read, each named by `name` ("" if none)."""
    n = len(cfs.missing)
    if not n:
        return ""
    listed = ", ".join(name(m) for m in cfs.missing[:4]) + (f" and {n - 4} more" if n > 4 else "")
    what = "The closed form of 1 gradient is" if n == 1 else f"The closed forms of {n} gradients are"
    return f"{what} {TOO_LONG} ({listed})."


def _fraction(cf: ClosedForm) -> str:
    return str(Fraction(1, cf.examples)) if cf.mean else ""


def as_text(cf: ClosedForm, e: Expr, precision: int) -> str:
    """e as text, inside the batch's (1/N)·Σₙ[…] when there is one."""
    body = text(e, precision)
    if cf.examples == 1:
        return body
    scale = f"({_fraction(cf)})·" if cf.mean else ""
    return f"{scale}Σₙ[{body}]"


def around_latex(cf: ClosedForm) -> tuple[str, str]:
    """LaTeX before and after a form: \\frac{1}{N}\\sum_{n=1}^{N}\\Big[ … \\Big], or nothing."""
    if cf.examples == 1:
        return "", ""
    scale = rf"\frac{{1}}{{{cf.examples}}}" if cf.mean else ""
    return rf"{scale}\sum_{{n=1}}^{{{cf.examples}}}\Big[", r"\Big]"


def around_mathml(cf: ClosedForm) -> tuple[str, str]:
    """MathML before and after a form, as around_latex."""
    if cf.examples == 1:
        return "", ""
    scale = f"<mfrac><mn>1</mn><mn>{cf.examples}</mn></mfrac>" if cf.mean else ""
    below = "<mrow><mi>n</mi><mo>=</mo><mn>1</mn></mrow>"
    total = f"<munderover><mo>∑</mo>{below}<mn>{cf.examples}</mn></munderover>"
    return f'{scale}{total}<mo stretchy="false">[</mo>', '<mo stretchy="false">]</mo>'


def as_latex(cf: ClosedForm, e: Expr, precision: int) -> str:
    before, after = around_latex(cf)
    return before + latex(e, precision) + after
